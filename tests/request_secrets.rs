//! `connstr request` never shows a secret: a property test over every token-less
//! AuthenticationMethod it applies (BearerToken, HttpHeader, UrlParameter, Basic, Digest, AWS
//! SigV4) and a configured OAuth access token, with random secret values, against the recording
//! server answering 200, 401, 403 or 500 — with the secret echoed back in a response header and
//! a `Location` — at every log level, with `-v` (status and headers on stderr). The response
//! body is the API's own data and goes to stdout untouched, so the server never puts a secret
//! there; everything else connstr writes is checked.

#[allow(dead_code)] // the harness is shared; this file uses part of it
#[path = "support/cli.rs"]
mod cli;
mod grant_support;

use std::sync::OnceLock;

use base64::Engine as _;
use cli::text;
use grant_support::{Recorder, Reply};
use proptest::prelude::*;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// The configuration of `method` with `secret` (and `user` where it takes one).
fn config(method: u8, secret: &str, user: &str) -> String {
    match method {
        0 => format!("AuthenticationMethod=BearerToken;SecurityToken={{{secret}}}"),
        1 => format!(
            "AuthenticationMethod=HttpHeader;AuthHeader=X-Api-Key;SecurityToken={{{secret}}}"
        ),
        2 => format!(
            "AuthenticationMethod=UrlParameter;AuthParam=api_key;SecurityToken={{{secret}}}"
        ),
        3 => format!("AuthenticationMethod=Basic;User={user};Password={{{secret}}}"),
        4 => format!("AuthenticationMethod=Digest;User={user};Password={{{secret}}}"),
        5 => format!(
            "AuthenticationMethod=AWS;AccessKey=AKIDEXAMPLE;SecretKey={{{secret}}};Region=eu-west-1"
        ),
        _ => format!("AuthenticationMethod=OAuth2-AccessToken;AccessToken={{{secret}}}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn request_never_shows_a_secret(
        secret in "[A-Za-z0-9_.~+/-]{16,40}",
        user in "[a-z]{3,8}",
        method in 0..7u8,
        status in prop::sample::select(vec![200u16, 401, 403, 500]),
        level in prop::sample::select(vec!["warn", "info", "debug", "trace"]),
    ) {
        let echo = format!("echo-{secret}");
        let reply = Reply::with(
            status,
            &[
                ("Content-Type", "application/json"),
                ("X-Echo", echo.as_str()),
                ("Location", &format!("/next?token={secret}")),
                ("WWW-Authenticate", r#"Digest realm="api", nonce="abc123", qop="auth", algorithm=MD5"#),
            ],
            r#"{"ok":true}"#,
        );
        let api = runtime().block_on(Recorder::start(vec![], Some(reply)));
        let store = tempfile::tempdir().unwrap();
        let out = cli::command()
            .args(["request", "-v", "-c", &config(method, &secret, &user)])
            .arg(api.url("/v1/items?page=2").as_str())
            .env("CONNSTR_TOKEN_STORE", store.path().join("tokens.json"))
            .env("CONNSTR_LOG", format!("connstr={level}"))
            .output()
            .unwrap();
        let all = text(&out);
        prop_assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "unexpected exit:\n{}",
            all
        );
        // The server saw the credential (the request was really made with it).
        prop_assert!(api.count() >= 1, "no request reached the API:\n{}", all);
        prop_assert!(!all.contains(&secret), "the secret leaked:\n{}", all);
        // Nor Basic's encoded form of it.
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"));
        prop_assert!(!all.contains(&basic), "the Basic credential leaked:\n{}", all);
    }
}
