//! `connstr connect` with an OAuth 2.0 plan: the token comes from the real
//! oidc-provider (tests/oidc/) through the token store, and is handed to the
//! driver as `AuthenticationMethod=OAuth2-AccessToken;AccessToken=…`.
//!
//! The driver is the SQLite ODBC driver registered under a DataDirect-like
//! name (the handoff table picks the row by driver name); it ignores the OAuth
//! keys. unixODBC's trace shows the exact string the driver manager received.
#![cfg(feature = "odbc")]

mod odbc_common;
mod support;

use odbc_common::{OdbcEnv, texts};
use support::oidc::{CLIENT_CREDENTIALS, OidcServer};

#[tokio::test(flavor = "multi_thread")]
async fn client_credentials_token_reaches_the_driver_and_nowhere_else() {
    let server = OidcServer::start_default();
    let env = OdbcEnv::new();
    let trace = env.path().join("trace.log");
    let store = env.path().join("tokens.json");
    let inst = env.path().join("odbcinst.ini");
    let mut text = std::fs::read_to_string(&inst).unwrap();
    text.push_str(&format!(
        "\n[ODBC]\nTrace=Yes\nTraceFile={}\n\n[DataDirect SQLite Test]\nDriver={}\n",
        trace.display(),
        env.driver.display()
    ));
    std::fs::write(&inst, text).unwrap();
    // The grant's settings live in a DSN, so that the string the driver
    // manager receives is short enough for its trace to show whole.
    let secret = CLIENT_CREDENTIALS.secret.unwrap();
    let ini = env.path().join("odbc.ini");
    let mut text = std::fs::read_to_string(&ini).unwrap();
    text.push_str(&format!(
        "\n[oauth]\nDriver=DataDirect SQLite Test\nDatabase={}\n\
         AuthenticationMethod=OAuth2-ClientCredentials\nClientID={}\nClientSecret={secret}\n\
         TokenURI=POST {}\nScope=api\n",
        env.db.display(),
        CLIENT_CREDENTIALS.id,
        server.token_url(),
    ));
    std::fs::write(&ini, text).unwrap();
    let cs = "DSN=oauth";
    let mut cmd = env.connstr();
    cmd.env("CONNSTR_TOKEN_STORE", &store).args([
        "connect",
        "-c",
        cs,
        "--query",
        "SELECT customer FROM orders WHERE id = 1",
    ]);
    let o = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let (out, err) = texts(&o);
    assert!(o.status.success(), "stdout={out} stderr={err}");
    assert!(out.contains("alice"), "{out}");

    let stats = server.stats().await;
    assert_eq!(stats.grant("client_credentials"), 1, "{stats:?}");

    // The driver manager received the token in the handoff keys.
    let log = std::fs::read_to_string(&trace).unwrap();
    let marker = "AuthenticationMethod=OAuth2-AccessToken;AccessToken=";
    let at = log
        .find(marker)
        .unwrap_or_else(|| panic!("no handoff in the trace:\n{log}"));
    let token: String = log[at + marker.len()..]
        .chars()
        .take_while(|c| !matches!(c, ';' | ']'))
        .collect();
    // The trace may cut a long value with `...`.
    let token = token
        .trim_end_matches('.')
        .trim_matches(|c| c == '{' || c == '}');
    assert!(token.len() > 16, "token `{token}`");
    assert_eq!(
        log.matches("AuthenticationMethod=").count(),
        log.matches(marker).count(),
        "the grant's own AuthenticationMethod is replaced, not kept beside"
    );
    // …and neither the token nor the client secret was printed.
    for s in [token, secret] {
        assert!(
            !out.contains(s) && !err.contains(s),
            "{s} leaked: {out} {err}"
        );
    }
    assert!(
        out.contains("<redacted>") || !out.contains("AccessToken="),
        "{out}"
    );
}

#[test]
fn a_driver_outside_the_handoff_table_is_refused_before_any_request() {
    let env = OdbcEnv::new();
    let cs = format!(
        "Driver=SQLite3;Database={};AuthenticationMethod=OAuth2-ClientCredentials;\
         ClientID=c;ClientSecret=very-secret-value;TokenURI=POST http://127.0.0.1:9/token",
        env.db.display()
    );
    let o = env.run(&["connect", "-c", &cs]);
    let (out, err) = texts(&o);
    assert_eq!(o.status.code(), Some(2), "{out} {err}");
    assert!(
        err.contains("does not know how to hand an access token to driver `SQLite3`"),
        "{err}"
    );
    assert!(!err.contains("very-secret-value"), "{err}");
}
