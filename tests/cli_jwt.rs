//! The JWT bearer grant (RFC 7523) through the built binary, against a real RFC 7523
//! server: Authlib's `JWTBearerGrant` in a Flask app (tests/python/jwt_server.py, run from
//! the test venv), which verifies the assertion's signature with the registered public key,
//! its `iss`, `aud` and `exp`, and knows one subject. Keys: fixtures/jwt/ (see its README).

mod grant_support;
mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use support::cli::{code, connstr, json, text};
use support::python::PyServer;

const PASSWORD: &str = "test-only-p12-pass";
const ISSUER: &str = "reports-service";
const SUBJECT: &str = "alice@example.com";

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/jwt")
        .join(name)
        .display()
        .to_string()
}

/// The server, knowing the RSA key as ISSUER and the EC key as `ec-service`.
fn server() -> PyServer {
    let rsa = format!("{ISSUER}={}", fixture("rsa.pub.pem"));
    let ec = format!("ec-service={}", fixture("ec-p256.pub.pem"));
    let sa = format!(
        "reports@connstr-test.iam.gserviceaccount.com={}",
        fixture("rsa.pub.pem")
    );
    PyServer::start(
        "jwt_server.py",
        &[
            "--client",
            &rsa,
            "--client",
            &ec,
            "--client",
            &sa,
            "--subject",
            SUBJECT,
        ],
    )
}

/// The base64 body of a PEM file (the private key's material), one line at a time.
fn key_lines(name: &str) -> Vec<String> {
    std::fs::read_to_string(fixture(name))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 40)
        .map(str::to_owned)
        .collect()
}

fn assert_no_secret(outputs: &[&Output], secrets: &[&str]) {
    for o in outputs {
        let all = text(o);
        for s in secrets {
            assert!(!s.is_empty());
            assert!(!all.contains(s), "secret {s:?} leaked:\n{all}");
        }
    }
}

/// GET `url` (HTTP/1.0, the whole body).
fn get_json(url: &str) -> Value {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut s = TcpStream::connect(host).unwrap();
    write!(s, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    let body = buf.split_once("\r\n\r\n").unwrap().1;
    serde_json::from_str(body).unwrap()
}

fn stats(server: &PyServer) -> Value {
    get_json(&format!("{}/stats", server.base_url()))
}

fn config(server: &PyServer, issuer: &str, subject: &str, store: &str, extra: &str) -> String {
    format!(
        "AuthenticationMethod=OAuth2-JWTBearer;ClaimsIssuer={issuer};ClaimsSubject={subject};\
         JWTCertStore={store};TokenURI=POST {}/token;Scope=reports.read{extra}",
        server.base_url()
    )
}

fn tempstore() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("tokens.json");
    (dir, p)
}

#[test]
fn pkcs12_keystore_gets_a_token_and_a_second_call_is_served_from_the_store() {
    let srv = server();
    let (_d, store) = tempstore();
    let c = config(
        &srv,
        ISSUER,
        SUBJECT,
        &fixture("rsa.p12"),
        &format!(";JWTCertPassword={PASSWORD};JWTCertAlias=jwt-signer"),
    );
    let first = connstr(&store, &["token", "--format", "json", "-c", &c]);
    assert_eq!(code(&first), 0, "{}\n{}", text(&first), srv.stderr_text());
    let j = json(&first);
    assert_eq!(j["source"], "fresh_grant", "{j}");
    assert_eq!(
        j["grant"], "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "{j}"
    );
    assert_eq!(j["token_type"], "Bearer", "{j}");
    let left = j["expires_in"].as_i64().unwrap();
    assert!((3500..=3600).contains(&left), "{j}");

    let second = connstr(&store, &["token", "--format", "json", "-c", &c]);
    assert_eq!(code(&second), 0, "{}", text(&second));
    assert_eq!(json(&second)["source"], "store_cache", "{}", text(&second));

    // One token request for two calls; what it carried (RFC 7523 §2.1).
    let s = stats(&srv);
    assert_eq!(s["token_requests"], 1, "{s}");
    let r = &s["requests"][0];
    assert_eq!(
        r["params"],
        serde_json::json!(["assertion", "grant_type", "scope"]),
        "{r}"
    );
    assert_eq!(r["authorization"], false, "{r}");
    assert_eq!(r["scope"], "reports.read");
    assert_eq!(r["header"]["alg"], "RS256", "{r}");
    assert_eq!(r["header"]["typ"], "JWT", "{r}");
    let claims = &r["claims"];
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["sub"], SUBJECT);
    assert_eq!(claims["aud"], format!("{}/token", srv.base_url()));
    let iat = claims["iat"].as_u64().unwrap();
    assert_eq!(claims["exp"].as_u64().unwrap() - iat, 300, "{claims}");
    assert!(claims["jti"].as_str().unwrap().len() >= 22, "{claims}");

    // Neither the keystore password nor the key shows anywhere, nor in the store file.
    let mut secrets = key_lines("rsa.pem");
    secrets.push(PASSWORD.to_owned());
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_no_secret(&[&first, &second], &secrets);
    let stored = std::fs::read_to_string(&store).unwrap();
    for s in &secrets {
        assert!(!stored.contains(s), "the store holds a secret: {stored}");
    }
    assert!(
        stored.contains("\"key\""),
        "the key is part of the identity: {stored}"
    );
}

#[test]
fn forced_refreshes_send_a_new_assertion_each_time() {
    let srv = server();
    let (_d, store) = tempstore();
    let c = config(&srv, ISSUER, SUBJECT, &fixture("rsa.pem"), "");
    for _ in 0..2 {
        let o = connstr(&store, &["token", "--force-refresh", "-c", &c]);
        assert_eq!(code(&o), 0, "{}", text(&o));
    }
    let s = stats(&srv);
    assert_eq!(s["token_requests"], 2, "{s}");
    let jti = |i: usize| {
        s["requests"][i]["claims"]["jti"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_ne!(jti(0), jti(1));
}

#[test]
fn pem_service_account_and_ec_keys_get_tokens() {
    let srv = server();
    let cases = [
        ("rsa.pem", ISSUER, "RS256", None),
        ("rsa-pkcs1.pem", ISSUER, "RS256", None),
        (
            "service-account.json",
            "reports@connstr-test.iam.gserviceaccount.com",
            "RS256",
            Some("0123456789abcdef0123456789abcdef01234567"),
        ),
        ("ec-p256.p12", "ec-service", "ES256", None),
        ("ec-p256-java.p12", "ec-service", "ES256", None),
        ("ec-p256-sec1.pem", "ec-service", "ES256", None),
    ];
    for (i, (file, issuer, alg, kid)) in cases.into_iter().enumerate() {
        let (_d, store) = tempstore();
        let c = config(
            &srv,
            issuer,
            SUBJECT,
            &fixture(file),
            &format!(";JWTCertPassword={PASSWORD}"),
        );
        let o = connstr(&store, &["token", "--format", "json", "-c", &c]);
        assert_eq!(code(&o), 0, "{file}: {}\n{}", text(&o), srv.stderr_text());
        assert_eq!(json(&o)["source"], "fresh_grant", "{file}");
        let s = stats(&srv);
        let r = &s["requests"][i];
        assert_eq!(r["header"]["alg"], alg, "{file}: {r}");
        assert_eq!(r["header"]["kid"].as_str(), kid, "{file}: {r}");
        assert_eq!(r["claims"]["iss"], issuer, "{file}: {r}");
    }
}

#[test]
fn a_subject_or_key_the_server_refuses_fails_with_the_servers_error() {
    let srv = server();
    let (_d, store) = tempstore();
    let c = config(&srv, ISSUER, "mallory@example.com", &fixture("rsa.pem"), "");
    let o = connstr(&store, &["token", "-c", &c]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let all = text(&o);
    assert!(all.contains("invalid_grant"), "{all}");
    assert!(all.contains("Invalid 'sub' value in assertion"), "{all}");

    // Signed with a key the server does not know for this issuer. The store holds a
    // token for the same issuer and subject, got with the right key: the key is part of
    // the token identity, so it is not handed out, and the server is asked (and refuses).
    let good = config(&srv, ISSUER, SUBJECT, &fixture("rsa.pem"), "");
    let o = connstr(&store, &["token", "-c", &good]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let c = config(&srv, ISSUER, SUBJECT, &fixture("other-rsa.pem"), "");
    let o = connstr(&store, &["token", "-c", &c]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("invalid_grant"), "{}", text(&o));
    let mut secrets = key_lines("other-rsa.pem");
    secrets.extend(key_lines("rsa.pem"));
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_no_secret(&[&o], &secrets);
}

#[test]
fn a_wrong_keystore_password_names_the_keystore_and_prints_no_secret() {
    let srv = server();
    let (_d, store) = tempstore();
    let wrong = "wrong-but-secret-pw-4711";
    let p12 = fixture("rsa.p12");
    let c = config(
        &srv,
        ISSUER,
        SUBJECT,
        &p12,
        &format!(";JWTCertPassword={wrong}"),
    );
    for args in [
        vec!["token", "-c", c.as_str()],
        vec!["token", "--format", "json", "-c", c.as_str()],
        vec!["token", "-v", "-c", c.as_str()],
    ] {
        let o = connstr(&store, &args);
        assert_ne!(code(&o), 0, "{}", text(&o));
        let all = text(&o);
        assert!(all.contains("JWTCertStore") && all.contains(&p12), "{all}");
        assert!(all.contains("JWTCertPassword"), "{all}");
        assert_no_secret(&[&o], &[wrong]);
    }
    // A JKS keystore: refused with the command that converts it.
    let c = config(
        &srv,
        ISSUER,
        SUBJECT,
        &fixture("rsa.jks"),
        &format!(";JWTCertPassword={PASSWORD}"),
    );
    let o = connstr(&store, &["token", "-c", &c]);
    assert_ne!(code(&o), 0);
    assert!(text(&o).contains("keytool -importkeystore"), "{}", text(&o));
    assert_no_secret(&[&o], &[PASSWORD]);
    assert_eq!(stats(&srv)["token_requests"], 0, "nothing was sent");
}

#[test]
fn connstr_request_uses_the_jwt_bearer_token() {
    let srv = server();
    let (_d, store) = tempstore();
    let c = config(
        &srv,
        ISSUER,
        SUBJECT,
        &fixture("rsa.p12"),
        &format!(";JWTCertPassword={PASSWORD}"),
    );
    let url = format!("{}/api/whoami", srv.base_url());
    let o = connstr(&store, &["request", "-v", "-c", &c, &url]);
    assert_eq!(code(&o), 0, "{}\n{}", text(&o), srv.stderr_text());
    let body = json(&o);
    assert_eq!(body["sub"], SUBJECT, "{body}");
    assert_eq!(body["client"], ISSUER, "{body}");
    assert_eq!(body["scope"], "reports.read", "{body}");
    let mut secrets = key_lines("rsa.pem");
    secrets.push(PASSWORD.to_owned());
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_no_secret(&[&o], &secrets);
}

/// The `jti` of the assertion a token request carried.
fn jti_of(body: &str) -> String {
    use base64::Engine as _;
    let assertion = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "assertion")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no assertion in {body}"));
    let payload = assertion.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    claims["jti"].as_str().unwrap().to_owned()
}

/// A retried token request (the endpoint answered 503 first) carries a new assertion: a
/// server that refuses a replayed `jti` (RFC 7523 §3, item 7) accepts the retry.
#[tokio::test]
async fn a_retried_token_request_carries_a_new_assertion() {
    let endpoint = grant_support::Recorder::start(
        vec![
            grant_support::Reply::json(503, r#"{"error":"temporarily_unavailable"}"#),
            grant_support::Reply::token("at-after-retry"),
        ],
        None,
    )
    .await;
    let (_d, store) = tempstore();
    let conf = format!(
        "AuthenticationMethod=OAuth2-JWTBearer;ClaimsIssuer={ISSUER};ClaimsSubject={SUBJECT};\
         JWTCertStore={};TokenURI=POST {}",
        fixture("rsa.pem"),
        endpoint.url("/token")
    );
    let store2 = store.clone();
    let o = tokio::task::spawn_blocking(move || connstr(&store2, &["token", "-c", &conf]))
        .await
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let reqs = endpoint.requests();
    assert_eq!(reqs.len(), 2);
    let (first, second) = (jti_of(reqs[0].body_str()), jti_of(reqs[1].body_str()));
    assert_ne!(first, second, "the retry resent the same assertion");
}
