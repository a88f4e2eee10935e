//! `connstr token` and `connstr login` through the built binary, against the real
//! oidc-provider test server (tests/oidc/): refresh with rotation across runs sharing a token
//! store, client credentials (Basic and Post), invalid_client, a replayed dead refresh token,
//! an interactive login driven headlessly, then a token from the store with only ClientID and
//! TokenURI — and no secret in any output unless `--show-token` asks for the access token.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use sha2::Digest as _;
use support::cli::{code, connstr, json, text};
use support::oidc::{CLIENT_CREDENTIALS, CONFIDENTIAL, OidcOptions, OidcServer, PUBLIC};

/// No secret of `secrets` appears in any of `outputs`.
fn assert_no_secrets(outputs: &[&Output], secrets: &[&str]) {
    for o in outputs {
        let all = text(o);
        for s in secrets {
            assert!(!s.is_empty());
            assert!(!all.contains(s), "a secret leaked into the output:\n{all}");
        }
    }
}

/// The one entry of the token store file.
fn store_entry(store: &Path) -> Value {
    let v: Value = serde_json::from_slice(&std::fs::read(store).expect("store written")).unwrap();
    assert_eq!(v["version"], 2, "{v}");
    let tokens = v["entries"].as_array().expect("entries array");
    assert_eq!(tokens.len(), 1, "{v}");
    tokens[0].clone()
}

fn sha256_hex(s: &str) -> String {
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn refresh_string(server: &OidcServer, refresh_token: &str) -> String {
    format!(
        "AuthenticationMethod=OAuth2-RefreshToken;ClientID={};ClientSecret={};RefreshToken={};\
         TokenURI=POST {}",
        CONFIDENTIAL.id,
        CONFIDENTIAL.secret.unwrap(),
        refresh_token,
        server.token_url()
    )
}

fn cc_string(server: &OidcServer, secret: &str, mode: &str) -> String {
    format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID={};ClientSecret={secret};\
         ClientCredentialsMode={mode};TokenURI=POST {};Scope=api",
        CLIENT_CREDENTIALS.id,
        server.token_url()
    )
}

fn tempdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("state").join("tokens.json");
    (dir, store)
}

#[tokio::test]
async fn refresh_rotates_across_runs_and_the_store_keeps_the_newest() {
    let server = OidcServer::start(OidcOptions::default());
    let rt0 = server.obtain_refresh_token().await;
    server.reset_stats().await;
    let (_dir, store) = tempdir();
    let s = refresh_string(&server, &rt0);

    // Run 1: the configured refresh token is used and rotates.
    let first = connstr(&store, &["token", "--format", "json", "-c", &s]);
    assert_eq!(code(&first), 0, "{}", text(&first));
    let j = json(&first);
    assert_eq!(j["source"], "refreshed", "{j}");
    assert_eq!(j["refresh_token_rotated"], true, "{j}");
    assert_eq!(j["grant"], "refresh_token");
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["access_token"], "<redacted>");
    assert_eq!(j["token_store"], store.display().to_string());
    let left = j["expires_in"].as_i64().unwrap();
    assert!((3500..=3600).contains(&left), "{j}");
    let e1 = store_entry(&store);
    let rt1 = e1["refresh_token"].as_str().unwrap().to_owned();
    let at1 = e1["access_token"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt0);
    let retired: Vec<&str> = e1["retired_refresh_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // Retired refresh tokens are kept as keyed fingerprints, never a bare hash.
    assert_eq!(retired.len(), 1, "{e1}");
    assert!(retired[0].starts_with("hmac-sha256:"), "{e1}");
    assert!(!retired[0].contains(&sha256_hex(&rt0)), "{e1}");
    assert_eq!(j["expires_at_unix"], e1["expires_at"]);

    // Run 2, the SAME string (its refresh token is dead now), forced to refresh: the store's
    // rotated token is used, so the server sees no reuse.
    let second = connstr(&store, &["token", "--force-refresh", "-c", &s]);
    assert_eq!(code(&second), 0, "{}", text(&second));
    let out = String::from_utf8_lossy(&second.stdout).to_string();
    assert!(out.contains("source:   refreshed"), "{out}");
    assert!(out.contains("rotated:  yes"), "{out}");
    assert!(out.contains("token:    <redacted>"), "{out}");
    let e2 = store_entry(&store);
    let rt2 = e2["refresh_token"].as_str().unwrap().to_owned();
    let at2 = e2["access_token"].as_str().unwrap().to_owned();
    assert!(rt2 != rt1 && rt2 != rt0);
    assert_ne!(at2, at1);

    // Run 3, same string again, not forced: the stored access token is fresh, nothing is sent.
    let third = connstr(&store, &["token", "--format", "json", "-c", &s]);
    assert_eq!(code(&third), 0, "{}", text(&third));
    assert_eq!(json(&third)["source"], "store_cache");
    assert_eq!(json(&third)["refresh_token_rotated"], false);

    let stats = server.stats().await;
    assert_eq!(stats.grant("refresh_token"), 2, "{stats:?}");
    assert_eq!(stats.token_requests, 2, "{stats:?}");
    assert_eq!(stats.refresh_token_reuse, 0, "{stats:?}");
    assert_eq!(stats.error("invalid_grant"), 0, "{stats:?}");

    let secrets = [
        rt0.as_str(),
        rt1.as_str(),
        rt2.as_str(),
        at1.as_str(),
        at2.as_str(),
        CONFIDENTIAL.secret.unwrap(),
    ];
    assert_no_secrets(&[&first, &second, &third], &secrets);

    // The store holds the server's newest refresh token: it is accepted.
    let (status, body) = server
        .token_request(
            &CONFIDENTIAL,
            &[("grant_type", "refresh_token"), ("refresh_token", &rt2)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_replayed_dead_refresh_token_is_invalid_grant_with_the_login_hint() {
    let server = OidcServer::start(OidcOptions::default());
    let rt0 = server.obtain_refresh_token().await;
    let (status, body) = server
        .token_request(
            &CONFIDENTIAL,
            &[("grant_type", "refresh_token"), ("refresh_token", &rt0)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rt1 = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt0);

    // rt0 is dead; a fresh store knows nothing better.
    let (_dir, store) = tempdir();
    let s = refresh_string(&server, &rt0);
    let human = connstr(&store, &["token", "-c", &s]);
    assert_eq!(code(&human), 1, "{}", text(&human));
    let err = String::from_utf8_lossy(&human.stderr).to_string();
    assert!(err.contains("invalid_grant"), "{err}");
    assert!(
        err.contains("help:") && err.contains("connstr login"),
        "{err}"
    );
    assert!(human.stdout.is_empty(), "{}", text(&human));

    let (_dir2, store2) = tempdir();
    let j_out = connstr(&store2, &["token", "--format", "json", "-c", &s]);
    assert_eq!(code(&j_out), 1, "{}", text(&j_out));
    let j = json(&j_out);
    assert_eq!(j["error"]["oauth_error"], "invalid_grant", "{j}");
    assert_eq!(j["error"]["http_status"], 400, "{j}");
    assert!(
        j["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("connstr login"),
        "{j}"
    );
    assert_no_secrets(
        &[&human, &j_out],
        &[&rt0, &rt1, CONFIDENTIAL.secret.unwrap()],
    );
    let stats = server.stats().await;
    assert!(stats.refresh_token_reuse >= 1, "{stats:?}");
}

#[tokio::test]
async fn client_credentials_basic_and_post() {
    let server = OidcServer::start(OidcOptions::default());
    let secret = CLIENT_CREDENTIALS.secret.unwrap();
    let mut outputs = Vec::new();
    let mut tokens = Vec::new();
    for (mode, expected) in [("Basic", "basic"), ("Post", "post")] {
        server.reset_stats().await;
        let (_dir, store) = tempdir();
        let s = cc_string(&server, secret, mode);
        let o = connstr(&store, &["token", "--format", "json", "-c", &s]);
        assert_eq!(code(&o), 0, "{mode}: {}", text(&o));
        let j = json(&o);
        assert_eq!(j["source"], "fresh_grant", "{j}");
        assert_eq!(j["grant"], "client_credentials");
        assert_eq!(j["refresh_token_rotated"], false);
        assert_eq!(j["scope"], serde_json::json!(["api"]), "{j}");
        assert_eq!(j["access_token"], "<redacted>");
        let stats = server.stats().await;
        assert_eq!(
            stats.client_auth.get(expected),
            Some(&1),
            "{mode}: {stats:?}"
        );
        assert_eq!(stats.token_requests, 1, "{stats:?}");
        tokens.push(
            store_entry(&store)["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        );

        // --show-token prints exactly the stored (cached) access token.
        let shown = connstr(
            &store,
            &["token", "--show-token", "--format", "json", "-c", &s],
        );
        assert_eq!(code(&shown), 0, "{}", text(&shown));
        let j = json(&shown);
        assert_eq!(j["source"], "store_cache");
        assert_eq!(
            j["access_token"].as_str(),
            tokens.last().map(String::as_str)
        );
        let human = connstr(&store, &["token", "--show-token", "-c", &s]);
        let out = String::from_utf8_lossy(&human.stdout).to_string();
        assert!(
            out.contains(&format!("token:    {}", tokens.last().unwrap())),
            "{out}"
        );
        assert!(!out.contains(secret), "{out}");
        outputs.push(o);
    }
    let refs: Vec<&Output> = outputs.iter().collect();
    let secrets: Vec<&str> = tokens.iter().map(String::as_str).chain([secret]).collect();
    assert_no_secrets(&refs, &secrets);
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client() {
    let server = OidcServer::start(OidcOptions::default());
    let wrong = "not-the-secret-9f3c";
    let (_dir, store) = tempdir();
    let bad = cc_string(&server, wrong, "Basic");
    let o = connstr(&store, &["token", "-c", &bad]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("invalid_client"), "{err}");
    assert!(
        err.contains("help: check ClientID and ClientSecret"),
        "{err}"
    );
    let j_out = connstr(&store, &["token", "--format", "json", "-c", &bad]);
    assert_eq!(code(&j_out), 1, "{}", text(&j_out));
    assert_eq!(json(&j_out)["error"]["oauth_error"], "invalid_client");
    assert_eq!(json(&j_out)["error"]["http_status"], 401);
    assert!(
        !store.exists()
            || !std::fs::read_to_string(&store)
                .unwrap()
                .contains("access_token")
    );

    // With a good token cached under the same client, --force-refresh still asks the server.
    let good = cc_string(&server, CLIENT_CREDENTIALS.secret.unwrap(), "Post");
    assert_eq!(code(&connstr(&store, &["token", "-c", &good])), 0);
    let forced = connstr(&store, &["token", "--force-refresh", "-c", &bad]);
    assert_eq!(code(&forced), 1, "{}", text(&forced));
    assert!(String::from_utf8_lossy(&forced.stderr).contains("invalid_client"));
    let at = store_entry(&store)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_no_secrets(
        &[&o, &j_out, &forced],
        &[wrong, CLIENT_CREDENTIALS.secret.unwrap(), &at],
    );
}

async fn login(store: &Path, config: &str) -> (Output, String) {
    support::login::login(store, config).await
}

#[tokio::test]
async fn login_then_token_from_the_store_with_only_client_id_and_token_uri() {
    let server = OidcServer::start(OidcOptions::default());
    let (_dir, store) = tempdir();
    let config = format!(
        "AuthenticationMethod=OAuth2-PKCE;ClientID={};AuthURI={};TokenURI=POST {};\
         RedirectURI=http://127.0.0.1:0/callback;User=alice;Scope=openid offline_access api",
        PUBLIC.id,
        server.auth_url(),
        server.token_url()
    );
    let (out, auth_code) = login(&store, &config).await;
    assert_eq!(code(&out), 0, "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        stdout.starts_with("logged in: client `connstr-public`, user `alice`"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("refresh token saved in {}", store.display())),
        "{stdout}"
    );
    let e = store_entry(&store);
    assert_eq!(e["client_id"], PUBLIC.id);
    assert_eq!(e["user"], "alice");
    let rt1 = e["refresh_token"].as_str().unwrap().to_owned();
    let at1 = e["access_token"].as_str().unwrap().to_owned();

    // Legacy OAuth2 with only ClientID + TokenURI (+ User): the store serves it.
    let minimal = format!(
        "AuthenticationMethod=OAuth2;ClientID={};TokenURI=POST {};User=alice",
        PUBLIC.id,
        server.token_url()
    );
    let cached = connstr(&store, &["token", "--format", "json", "-c", &minimal]);
    assert_eq!(code(&cached), 0, "{}", text(&cached));
    assert_eq!(json(&cached)["source"], "store_cache", "{}", text(&cached));
    let refreshed = connstr(
        &store,
        &[
            "token",
            "--format",
            "json",
            "--force-refresh",
            "-c",
            &minimal,
        ],
    );
    assert_eq!(code(&refreshed), 0, "{}", text(&refreshed));
    let j = json(&refreshed);
    assert_eq!(j["source"], "refreshed", "{j}");
    assert_eq!(j["refresh_token_rotated"], true, "{j}");
    let e = store_entry(&store);
    let rt2 = e["refresh_token"].as_str().unwrap().to_owned();
    let at2 = e["access_token"].as_str().unwrap().to_owned();
    assert_ne!(rt2, rt1);

    let stats = server.stats().await;
    assert_eq!(stats.grant("authorization_code"), 1, "{stats:?}");
    assert_eq!(stats.grant("refresh_token"), 1, "{stats:?}");
    assert_eq!(stats.client_auth.get("none"), Some(&2), "{stats:?}");
    assert_eq!(stats.refresh_token_reuse, 0, "{stats:?}");
    assert_no_secrets(
        &[&out, &cached, &refreshed],
        &[&auth_code, &rt1, &rt2, &at1, &at2],
    );
}

#[tokio::test]
async fn login_with_legacy_oauth2_and_auth_uri() {
    let server = OidcServer::start(OidcOptions::default());
    let (_dir, store) = tempdir();
    let config = format!(
        "AuthenticationMethod=OAuth2;ClientID={};AuthURI={};TokenURI=POST {};\
         RedirectURI=http://127.0.0.1:0/callback;Scope=openid api",
        PUBLIC.id,
        server.auth_url(),
        server.token_url()
    );
    let (out, auth_code) = login(&store, &config).await;
    assert_eq!(code(&out), 0, "{}", text(&out));
    // The same configuration then gets its token from the store.
    let t = connstr(&store, &["token", "--format", "json", "-c", &config]);
    assert_eq!(code(&t), 0, "{}", text(&t));
    assert_eq!(json(&t)["source"], "store_cache");
    assert_eq!(json(&t)["grant"], "refresh_token");
    let e = store_entry(&store);
    assert!(e.get("user").is_none(), "{e}");
    assert_no_secrets(
        &[&out, &t],
        &[
            &auth_code,
            e["refresh_token"].as_str().unwrap(),
            e["access_token"].as_str().unwrap(),
        ],
    );
}

#[test]
fn login_times_out_when_the_browser_never_comes_back() {
    let (_dir, store) = tempdir();
    let config = "AuthenticationMethod=OAuth2-PKCE;ClientID=app;AuthURI=http://127.0.0.1:9/auth;\
                  TokenURI=POST http://127.0.0.1:9/token;RedirectURI=http://127.0.0.1:0/callback";
    let o = connstr(
        &store,
        &["login", "--no-browser", "--timeout", "1", "-c", config],
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.contains("http://127.0.0.1:9/auth?response_type=code"),
        "{err}"
    );
    assert!(err.contains("no redirect arrived within 1s"), "{err}");
    assert!(!store.exists());
}

#[test]
fn usage_and_configuration_errors() {
    let (_dir, store) = tempdir();
    // Two targets.
    let o = connstr(
        &store,
        &[
            "token",
            "-c",
            "AuthenticationMethod=None",
            "-c",
            "AuthenticationMethod=None",
        ],
    );
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--dsn"),
        "{}",
        text(&o)
    );
    // Not OAuth.
    let o = connstr(
        &store,
        &[
            "token",
            "-c",
            "AuthenticationMethod=Basic;User=a;Password=pw-8d1e2f",
        ],
    );
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not use OAuth 2.0"));
    // Several data sources, none chosen; then one chosen.
    let dir = tempfile::tempdir().unwrap();
    let ini = dir.path().join("odbc.ini");
    std::fs::write(
        &ini,
        "[a]\nAuthenticationMethod=None\n[b]\nAuthenticationMethod=Basic\nUser=u\nPassword=p\n",
    )
    .unwrap();
    let ini_s = ini.to_str().unwrap();
    let o = connstr(&store, &["token", "--ini", ini_s]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("(a, b)"),
        "{}",
        text(&o)
    );
    let o = connstr(&store, &["token", "--ini", ini_s, "--dsn", "b"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("AuthenticationMethod=Basic"));
    // A configuration with errors: rendered, secret masked, nothing requested.
    let secret = "s3cr3t-value-77";
    let o = connstr(
        &store,
        &[
            "token",
            "-c",
            &format!(
                "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;ClientSecret={secret}"
            ),
        ],
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("TokenURI"), "{err}");
    assert!(err.contains("nothing was requested"), "{err}");
    let j = connstr(
        &store,
        &[
            "token",
            "--format",
            "json",
            "-c",
            &format!(
                "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;ClientSecret={secret}"
            ),
        ],
    );
    assert_eq!(code(&j), 1);
    assert!(
        json(&j)["diagnostics"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );
    assert_no_secrets(&[&o, &j], &[secret, "pw-8d1e2f"]);
    // Login on a grant that is not interactive.
    let o = connstr(
        &store,
        &[
            "login",
            "-c",
            &format!(
                "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;ClientSecret={secret};TokenURI=POST https://as.example/token"
            ),
        ],
    );
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("client_credentials grant"));
    assert_no_secrets(&[&o], &[secret]);
    assert!(!store.exists());
}

/// OAuth2-AuthorizationCode with neither OAuthCode nor AuthURI is a valid
/// configuration (the application supplies the code at connect time), so
/// `check` passes; `token` with an empty store says what to supply, in human
/// and JSON form, and requests nothing.
#[test]
fn an_authorization_code_supplied_at_connect_time() {
    let (_dir, store) = tempdir();
    let cs = "AuthenticationMethod=OAuth2-AuthorizationCode;ClientID=app;\
              TokenURI=POST https://as.example/token;RedirectURI=https://app.example/cb";
    let o = connstr(&store, &["check", "-c", cs]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = connstr(&store, &["explain", "-c", cs]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("supplied at connect time"),
        "{}",
        text(&o)
    );
    let o = connstr(&store, &["token", "-c", cs]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("no authorization code"), "{err}");
    assert!(
        err.contains("OAuthCode") && err.contains("AuthURI"),
        "{err}"
    );
    assert!(err.contains("connstr login"), "{err}");
    let j = connstr(&store, &["token", "--format", "json", "-c", cs]);
    assert_eq!(code(&j), 1, "{}", text(&j));
    let j = json(&j);
    assert!(
        j["error"]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("connect time")),
        "{j}"
    );
}

/// One configuration's tokens serve only that configuration: a wrong secret, the other
/// ClientCredentialsMode, a GET TokenURI and another Scope each make a request of their own
/// and report the server's answer; the right configuration keeps its cached token.
#[tokio::test]
async fn a_cached_token_serves_only_the_same_credentials_scope_and_endpoint() {
    let server = OidcServer::start(OidcOptions::default());
    let (_dir, store) = tempdir();
    let secret = CLIENT_CREDENTIALS.secret.unwrap();
    let good = cc_string(&server, secret, "Basic");
    let run = |s: &str| connstr(&store, &["token", "--format", "json", "-c", s]);

    let first = run(&good);
    assert_eq!(code(&first), 0, "{}", text(&first));
    assert_eq!(json(&first)["source"], "fresh_grant");
    let again = run(&good);
    assert_eq!(code(&again), 0, "{}", text(&again));
    assert_eq!(json(&again)["source"], "store_cache");
    assert_eq!(server.stats().await.token_requests, 1);

    // A wrong ClientSecret: its own request, the server's invalid_client.
    let wrong = "wrong-secret-5b1e";
    let o = run(&cc_string(&server, wrong, "Basic"));
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert_eq!(
        json(&o)["error"]["oauth_error"],
        "invalid_client",
        "{}",
        text(&o)
    );
    let stats = server.stats().await;
    assert_eq!(stats.token_requests, 2, "{stats:?}");

    // The other ClientCredentialsMode: its own request (sent in the body), the server's answer.
    let post = run(&cc_string(&server, secret, "Post"));
    let stats = server.stats().await;
    assert_eq!(stats.token_requests, 3, "{stats:?}\n{}", text(&post));
    assert_eq!(stats.client_auth.get("post"), Some(&1), "{stats:?}");
    assert_ne!(json(&post)["source"], "store_cache", "{}", text(&post));

    // A GET TokenURI: its own request, and the server's answer (it takes POST only).
    let get = run(&good.replace("TokenURI=POST ", "TokenURI=GET "));
    assert_eq!(code(&get), 1, "{}", text(&get));
    assert_eq!(server.stats().await.token_requests, 4);
    let err = json(&get)["error"].clone();
    assert!(err["http_status"].as_u64().is_some(), "{err}");

    // Another Scope: its own request, the server's invalid_scope.
    let scoped = run(&good.replace("Scope=api", "Scope=api openid"));
    assert_eq!(server.stats().await.token_requests, 5);
    assert_ne!(json(&scoped)["source"], "store_cache", "{}", text(&scoped));
    // Scope order does not matter: the same set is the same identity.
    if code(&scoped) == 0 {
        let reordered = run(&good.replace("Scope=api", "Scope=openid api"));
        assert_eq!(
            json(&reordered)["source"],
            "store_cache",
            "{}",
            text(&reordered)
        );
    }

    // The right configuration still gets its cached token without a request.
    let requests = server.stats().await.token_requests;
    let last = run(&good);
    assert_eq!(code(&last), 0, "{}", text(&last));
    assert_eq!(json(&last)["source"], "store_cache", "{}", text(&last));
    assert_eq!(server.stats().await.token_requests, requests);

    // The store names no secret: credentials only as keyed fingerprints.
    let raw = std::fs::read_to_string(&store).unwrap();
    assert!(!raw.contains(secret) && !raw.contains(wrong), "{raw}");
    assert!(!raw.contains(&sha256_hex(secret)), "{raw}");
    assert!(
        raw.contains("\"client_credentials\": \"hmac-sha256:"),
        "{raw}"
    );
    assert_no_secrets(
        &[&first, &again, &o, &post, &get, &scoped, &last],
        &[secret, wrong],
    );
}

/// The JMP workflow with a confidential client: `connstr login` with ClientSecret, then a
/// string with only ClientID, TokenURI and User finds the tokens and refreshes with the
/// client secret kept in the store entry; a different secret is sent to the server.
#[tokio::test]
async fn after_login_a_stripped_string_refreshes_a_confidential_client() {
    let server = OidcServer::start(OidcOptions::default());
    let (_dir, store) = tempdir();
    let secret = CONFIDENTIAL.secret.unwrap();
    let config = format!(
        "AuthenticationMethod=OAuth2-PKCE;ClientID={};ClientSecret={secret};\
         AuthURI={};TokenURI=POST {};RedirectURI=http://127.0.0.1:0/callback;User=alice;\
         Scope=openid offline_access api",
        CONFIDENTIAL.id,
        server.auth_url(),
        server.token_url()
    );
    let (out, auth_code) = login(&store, &config).await;
    assert_eq!(code(&out), 0, "{}", text(&out));
    let rt1 = store_entry(&store)["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let stripped = format!(
        "AuthenticationMethod=OAuth2;ClientID={};TokenURI=POST {};User=alice",
        CONFIDENTIAL.id,
        server.token_url()
    );
    let cached = connstr(&store, &["token", "--format", "json", "-c", &stripped]);
    assert_eq!(code(&cached), 0, "{}", text(&cached));
    assert_eq!(json(&cached)["source"], "store_cache", "{}", text(&cached));
    let forced = connstr(
        &store,
        &[
            "token",
            "--format",
            "json",
            "--force-refresh",
            "-c",
            &stripped,
        ],
    );
    assert_eq!(code(&forced), 0, "{}", text(&forced));
    assert_eq!(json(&forced)["source"], "refreshed", "{}", text(&forced));
    let stats = server.stats().await;
    assert_eq!(stats.grant("refresh_token"), 1, "{stats:?}");
    assert_eq!(stats.client_auth.get("basic"), Some(&2), "{stats:?}");
    let entry = store_entry(&store);
    let rt2 = entry["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt2);

    // Presenting a different secret is another identity: sent to the server, which refuses it.
    let other = format!("{stripped};ClientSecret=not-the-secret-77");
    let refused = connstr(&store, &["token", "--format", "json", "-c", &other]);
    assert_eq!(code(&refused), 1, "{}", text(&refused));
    assert_eq!(json(&refused)["error"]["oauth_error"], "invalid_client");
    // ...and the entry's lineage is intact for the stripped string.
    let after = connstr(&store, &["token", "--format", "json", "-c", &stripped]);
    assert_eq!(json(&after)["source"], "store_cache", "{}", text(&after));
    assert_eq!(
        store_entry(&store)["refresh_token"].as_str(),
        Some(rt2.as_str())
    );
    assert_no_secrets(
        &[&out, &cached, &forced, &refused, &after],
        &[secret, &auth_code, &rt1, &rt2, "not-the-secret-77"],
    );
}
