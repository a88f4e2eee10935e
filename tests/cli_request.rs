//! `connstr request` through the built binary against real servers: PyPI httpbin (Digest MD5
//! and SHA-256, Basic, bearer, echoing headers and query), a SigV4 resource server that checks
//! every signature with botocore (AWS's own implementation), oidc-provider for OAuth tokens,
//! and the recording server where a 401 has to be provoked.

mod grant_support;
mod support;

use std::path::PathBuf;
use std::process::Output;

use grant_support::{Recorder, Reply};
use support::cli::{code, connstr, connstr_async, json, text};
use support::oidc::{CLIENT_CREDENTIALS, OidcOptions, OidcServer};
use support::python::PyServer;

fn assert_no_secret(o: &Output, secrets: &[&str]) {
    let all = text(o);
    for s in secrets {
        assert!(!all.contains(s), "secret {s:?} leaked:\n{all}");
    }
}

fn store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("tokens.json");
    (dir, p)
}

#[test]
fn digest_md5_and_sha256_against_httpbin() {
    let bin = PyServer::start("httpbin_server.py", &[]);
    let (_d, st) = store();
    let config = "AuthenticationMethod=Digest;User=ann;Password=Circle-of-Life-42";
    for alg in ["MD5", "SHA-256"] {
        let url = format!(
            "{}/digest-auth/auth/ann/Circle-of-Life-42/{alg}",
            bin.base_url()
        );
        let o = connstr(&st, &["request", "-v", "-c", config, &url]);
        assert_eq!(code(&o), 0, "{alg}: {}", text(&o));
        let b = json(&o);
        assert_eq!(b["authenticated"], true, "{b}");
        assert_eq!(b["user"], "ann");
        let err = String::from_utf8_lossy(&o.stderr);
        // The challenge, then the answer: two requests, the second with Digest.
        assert!(err.contains("< HTTP/1.1 401"), "{err}");
        assert!(err.contains("> authorization: Digest <redacted>"), "{err}");
        assert!(err.contains("< HTTP/1.1 200"), "{err}");
        assert_no_secret(&o, &["Circle-of-Life-42"]);
    }
    // A wrong password: the server refuses our response; no second retry; exit 1.
    let url = format!(
        "{}/digest-auth/auth/ann/another-password/SHA-256",
        bin.base_url()
    );
    let o = connstr(&st, &["request", "-v", "-c", config, &url]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.matches("> GET").count(),
        2,
        "one challenge, one answer: {err}"
    );
}

#[test]
fn sigv4_verified_by_botocore_on_tricky_urls() {
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let server = PyServer::start("sigv4_server.py", &["AKIDEXAMPLE", secret]);
    let (_d, st) = store();
    let config = format!(
        "AuthenticationMethod=AWS;AccessKey=AKIDEXAMPLE;SecretKey={secret};Region=eu-west-1"
    );
    let base = server.base_url();
    for (method, path, data) in [
        ("GET", "/v1/items", None),
        // unsorted and repeated parameters, an encoded space, an empty value, reserved bytes
        (
            "GET",
            "/v1/items?z=last&a=2&a=1&q=hello%20world&empty=&sym=a%2Fb%3Dc%26d",
            None,
        ),
        (
            "GET",
            "/v1/a%20path/with~tilde/%C3%A9t%C3%A9?x=%E2%9C%93",
            None,
        ),
        ("POST", "/v1/items?b=1&a=1", Some(r#"{"name":"widget"}"#)),
        ("PUT", "/v1/items/7", Some("")),
    ] {
        let url = format!("{base}{path}");
        let mut args = vec!["request", "-X", method, "-c", &config];
        if let Some(d) = data {
            args.extend(["-H", "Content-Type: application/json", "-d", d]);
        }
        args.push(&url);
        let o = connstr(&st, &args);
        assert_eq!(code(&o), 0, "{method} {path}: {}", text(&o));
        let b = json(&o);
        assert_eq!(b["verified"], true, "{b}");
        assert_eq!(b["region"], "eu-west-1");
        assert_eq!(
            b["service"], "execute-api",
            "a host outside AWS signs for API Gateway"
        );
        if let Some(d) = data {
            assert_eq!(b["body"], d);
        }
        assert_no_secret(&o, &[secret]);
    }
    // The wrong secret key: botocore's signature differs, the server says 403, exit 1.
    let wrong =
        "AuthenticationMethod=AWS;AccessKey=AKIDEXAMPLE;SecretKey=not-the-key-000;Region=eu-west-1";
    let o = connstr(&st, &["request", "-c", wrong, &format!("{base}/v1/items")]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert_eq!(json(&o)["verified"], false);
}

#[test]
fn token_methods_against_httpbin() {
    let bin = PyServer::start("httpbin_server.py", &[]);
    let (_d, st) = store();
    let base = bin.base_url();

    let o = connstr(
        &st,
        &[
            "request",
            "-c",
            "AuthenticationMethod=BearerToken;SecurityToken=st-bearer-0123456789",
            &format!("{base}/bearer"),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let b = json(&o);
    assert_eq!(b["authenticated"], true, "{b}");
    assert_eq!(b["token"], "<redacted>", "the echoed token is masked: {b}");

    let o = connstr(
        &st,
        &[
            "request",
            "-c",
            "AuthenticationMethod=HttpHeader;AuthHeader=X-Api-Key;SecurityToken=st-header-0123456789",
            &format!("{base}/headers"),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(json(&o)["headers"]["X-Api-Key"], "<redacted>");
    assert_no_secret(&o, &["st-header-0123456789"]);

    let o = connstr(
        &st,
        &[
            "request",
            "-v",
            "-c",
            "AuthenticationMethod=UrlParameter;AuthParam=api_key;SecurityToken=st-param-0123456789",
            &format!("{base}/get?page=2"),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let b = json(&o);
    assert_eq!(b["args"]["api_key"], "<redacted>", "{b}");
    assert_eq!(b["args"]["page"], "2");
    assert_no_secret(&o, &["st-param-0123456789"]);

    let basic = "AuthenticationMethod=Basic;User=ann;Password=basic-pw-0123456789";
    let o = connstr(
        &st,
        &[
            "request",
            "-c",
            basic,
            &format!("{base}/basic-auth/ann/basic-pw-0123456789"),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(json(&o)["authenticated"], true);
    let o = connstr(
        &st,
        &[
            "request",
            "-c",
            basic,
            &format!("{base}/basic-auth/ann/other-password"),
        ],
    );
    assert_eq!(
        code(&o),
        1,
        "a refused Basic login is an HTTP error: {}",
        text(&o)
    );

    // None, a POST body from a file, an HTTP error status.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("body.json");
    std::fs::write(&f, r#"{"n":1}"#).unwrap();
    let at = format!("@{}", f.display());
    let o = connstr(
        &st,
        &[
            "request",
            "-c",
            "AuthenticationMethod=None",
            "-H",
            "Content-Type: application/json",
            "-d",
            &at,
            &format!("{base}/anything"),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let b = json(&o);
    assert_eq!(b["method"], "POST");
    assert_eq!(b["json"]["n"], 1);
    let o = connstr(
        &st,
        &[
            "request",
            "-c",
            "AuthenticationMethod=None",
            &format!("{base}/status/404"),
        ],
    );
    assert_eq!(code(&o), 1);
    let o = connstr(
        &st,
        &[
            "request",
            "-c",
            "AuthenticationMethod=None",
            &format!("{base}/status/302"),
        ],
    );
    assert_eq!(code(&o), 0, "3xx is not an error, and is not followed");
}

#[test]
fn usage_and_configuration_errors_exit_2() {
    let (_d, st) = store();
    let o = connstr(
        &st,
        &["request", "-c", "AuthenticationMethod=None", "not a url"],
    );
    assert_eq!(code(&o), 2, "{}", text(&o));
    let o = connstr(
        &st,
        &[
            "request",
            "-c",
            "AuthenticationMethod=Digest;User=u",
            "http://127.0.0.1:9/",
        ],
    );
    assert_eq!(
        code(&o),
        2,
        "a missing Password is a configuration error: {}",
        text(&o)
    );
    let o = connstr(
        &st,
        &[
            "request",
            "-H",
            "no colon",
            "-c",
            "AuthenticationMethod=None",
            "http://127.0.0.1:9/",
        ],
    );
    assert_eq!(code(&o), 2, "{}", text(&o));
    // Nothing listening: the request fails (1), the URL's secret parameter is not printed.
    let o = connstr(
        &st,
        &[
            "request",
            "-c",
            "AuthenticationMethod=UrlParameter;AuthParam=key;SecurityToken=unreachable-secret-42",
            "http://127.0.0.1:9/x",
        ],
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert_no_secret(&o, &["unreachable-secret-42"]);
}

#[tokio::test]
async fn oauth_token_from_the_store_and_one_refresh_on_401() {
    let oidc = OidcServer::start(OidcOptions::default());
    let bin = PyServer::start("httpbin_server.py", &[]);
    let (_d, st) = store();
    let config = format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID={};ClientSecret={};\
         TokenURI=POST {};Scope=api",
        CLIENT_CREDENTIALS.id,
        CLIENT_CREDENTIALS.secret.unwrap(),
        oidc.token_url()
    );
    let secret = CLIENT_CREDENTIALS.secret.unwrap();
    let bearer = format!("{}/bearer", bin.base_url());
    let o = connstr_async(&st, &["request", "-c", &config, &bearer]).await;
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(json(&o)["authenticated"], true);
    assert_eq!(oidc.stats().await.grant("client_credentials"), 1);
    // A second run takes the token from the store: no token request.
    let o = connstr_async(&st, &["request", "-c", &config, &bearer]).await;
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(oidc.stats().await.grant("client_credentials"), 1);
    assert_no_secret(&o, &[secret]);

    // The API rejects the (stored) token once: one new grant, one retry, 200.
    let api = Recorder::start(
        vec![
            Reply::with(
                401,
                &[("WWW-Authenticate", r#"Bearer error="invalid_token""#)],
                "",
            ),
            Reply::json(200, r#"{"ok":true}"#),
        ],
        None,
    )
    .await;
    let items = api.url("/v1/items").to_string();
    let o = connstr_async(&st, &["request", "-v", "-c", &config, &items]).await;
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(json(&o)["ok"], true);
    let reqs = api.requests();
    assert_eq!(reqs.len(), 2);
    let (a1, a2) = (
        reqs[0].header("authorization").unwrap(),
        reqs[1].header("authorization").unwrap(),
    );
    assert!(a1.starts_with("Bearer ") && a2.starts_with("Bearer ") && a1 != a2);
    assert_eq!(oidc.stats().await.grant("client_credentials"), 2);
    for tok in [a1, a2] {
        assert_no_secret(&o, &[&tok["Bearer ".len()..]]);
    }

    // Twice refused: exactly one retry, then exit 1.
    let api = Recorder::start(
        vec![],
        Some(Reply::with(
            401,
            &[("WWW-Authenticate", r#"Bearer error="invalid_token""#)],
            "",
        )),
    )
    .await;
    let items = api.url("/v1/items").to_string();
    let o = connstr_async(&st, &["request", "-c", &config, &items]).await;
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert_eq!(api.requests().len(), 2);
}

#[tokio::test]
async fn digest_stale_nonce_is_retried_once_and_nonce_counts_go_up() {
    use connstr::Secret;
    use connstr::apply::{Authorizer, send_with_refresh};
    use connstr::grant::{SourceOptions, StoreChoice};
    use connstr::plan::{Auth, AuthMethod, AuthPlan};

    let challenge = |nonce: &str, stale: bool| {
        Reply::with(
            401,
            &[(
                "WWW-Authenticate",
                &format!(
                    r#"Digest realm="api", qop="auth", algorithm=SHA-256, nonce="{nonce}", opaque="op"{}"#,
                    if stale { ", stale=true" } else { "" }
                ),
            )],
            "",
        )
    };
    let api = Recorder::start(
        vec![
            challenge("n1", false),
            Reply::json(200, "{}"),
            Reply::json(200, "{}"),
            challenge("n2", true),
            Reply::json(200, "{}"),
        ],
        None,
    )
    .await;
    let plan = AuthPlan {
        method: AuthMethod::Digest,
        auth: Auth::Digest {
            user: "ann".into(),
            password: Secret::new("pw"),
        },
        user: None,
        dsn: None,
        provenance: Default::default(),
        transport: Default::default(),
    };
    let auth = Authorizer::new(
        &plan,
        SourceOptions {
            store: StoreChoice::Memory,
            ..Default::default()
        },
    )
    .unwrap();
    let client = reqwest::Client::new();
    let url = api.url("/r?x=1");
    for _ in 0..3 {
        let r = send_with_refresh(&auth, || client.get(url.clone()))
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let reqs = api.requests();
    assert_eq!(reqs.len(), 5, "challenge, answer, answer, stale, answer");
    let nc = |i: usize| {
        let h = reqs[i].header("authorization").unwrap_or("").to_owned();
        let nc = h.split("nc=").nth(1).map(|s| s[..8].to_owned());
        let nonce = h
            .split("nonce=\"")
            .nth(1)
            .map(|s| s.split('"').next().unwrap().to_owned());
        (nc, nonce)
    };
    assert!(reqs[0].header("authorization").is_none());
    assert_eq!(nc(1), (Some("00000001".into()), Some("n1".into())));
    assert_eq!(
        nc(2),
        (Some("00000002".into()), Some("n1".into())),
        "no new challenge"
    );
    assert_eq!(nc(3), (Some("00000003".into()), Some("n1".into())));
    assert_eq!(
        nc(4),
        (Some("00000001".into()), Some("n2".into())),
        "the stale nonce replaced"
    );
    assert!(
        reqs[1]
            .header("authorization")
            .unwrap()
            .contains(r#"uri="/r?x=1""#)
    );
}
