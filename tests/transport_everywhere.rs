//! Every request connstr makes goes through the transport settings, not only
//! `connstr token`'s: the code exchange of `connstr login` (the loopback
//! listener stays local; the browser's side talks to the authorization server
//! directly) and `connstr request`'s data request, with the token request
//! before it. The servers are real — oidc-provider and PyPI httpbin, each
//! behind a TLS terminator with a certificate from a private CA made at test
//! time — and so is the proxy (Debian tinyproxy with basic authentication):
//! its log shows each CONNECT, and without the Truststore the same request is
//! refused.

mod support;

use std::path::Path;

use support::cli::{connstr_async, text};
use support::login::login;
use support::oidc::{CLIENT_CREDENTIALS, OidcServer, PUBLIC};
use support::pki::{SERVER_NAME, pki, tls_terminator};
use support::python::PyServer;
use support::tinyproxy::Tinyproxy;

const PX_PASSWORD: &str = "Every-Px-Pass-6102";

fn port_of(base_url: &str) -> u16 {
    base_url.rsplit(':').next().unwrap().parse().unwrap()
}

/// The transport options: the proxy with its credentials, and the private CA.
fn transport(proxy: &Tinyproxy, ca: &Path) -> String {
    format!(
        "ProxyHost=127.0.0.1;ProxyPort={};ProxyUser=pxuser;ProxyPassword={PX_PASSWORD};\
         Truststore={};HostNameInCertificate={SERVER_NAME};WSRetryCount=0",
        proxy.port,
        ca.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_code_exchange_goes_through_the_proxy_and_the_truststore() {
    let oidc = OidcServer::start_default();
    let pki = pki();
    let d = pki.path();
    let (_tls, tls_port) = tls_terminator(d, oidc.port());
    let proxy = Tinyproxy::start_tunnelling_to("pxuser", PX_PASSWORD, &[tls_port]);
    let token_url = format!("https://127.0.0.1:{tls_port}/token");
    let store_dir = tempfile::tempdir().unwrap();
    let store = store_dir.path().join("tokens.json");
    let config = format!(
        "AuthenticationMethod=OAuth2-PKCE;ClientID={};AuthURI={};TokenURI=POST {token_url};\
         RedirectURI=http://127.0.0.1:0/callback;User=alice;Scope=openid offline_access api;{}",
        PUBLIC.id,
        oidc.auth_url(),
        transport(&proxy, &d.join("ca.pem"))
    );
    let (out, auth_code) = login(&store, &config).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("logged in: client `connstr-public`"),
        "{}",
        text(&out)
    );
    let stats = oidc.stats().await;
    assert_eq!(stats.grant("authorization_code"), 1, "{stats:?}");
    let log = proxy.log();
    assert!(
        log.contains(&format!("CONNECT 127.0.0.1:{tls_port}")),
        "the code exchange did not go through the proxy:\n{log}"
    );
    let all = text(&out);
    assert!(
        !all.contains(PX_PASSWORD) && !all.contains(&auth_code),
        "{all}"
    );

    // The same login with the other CA as Truststore: the exchange is
    // refused at the TLS handshake, naming Truststore.
    let other = config.replace(
        &d.join("ca.pem").display().to_string(),
        &d.join("other.pem").display().to_string(),
    );
    let (out, _) = login(&store, &other).await;
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("certificate was refused") && text(&out).contains("check Truststore"),
        "{}",
        text(&out)
    );
    assert_eq!(oidc.stats().await.grant("authorization_code"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connstr_request_goes_through_the_proxy_and_the_truststore() {
    let oidc = OidcServer::start_default();
    let bin = PyServer::start("httpbin_server.py", &[]);
    let pki = pki();
    let d = pki.path();
    let (_tls_as, as_port) = tls_terminator(d, oidc.port());
    let (_tls_api, api_port) = tls_terminator(d, port_of(bin.base_url()));
    let proxy = Tinyproxy::start_tunnelling_to("pxuser", PX_PASSWORD, &[as_port, api_port]);
    let store_dir = tempfile::tempdir().unwrap();
    let store = store_dir.path().join("tokens.json");
    let ca = d.join("ca.pem");
    let api = format!("https://127.0.0.1:{api_port}/bearer");

    // OAuth: the token request and the data request, both tunnelled.
    let config = format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID={};ClientSecret={};\
         TokenURI=POST https://127.0.0.1:{as_port}/token;Scope=api;{}",
        CLIENT_CREDENTIALS.id,
        CLIENT_CREDENTIALS.secret.unwrap(),
        transport(&proxy, &ca)
    );
    let out = connstr_async(&store, &["request", "-c", &config, &api]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["authenticated"], true, "{body}");
    assert_eq!(oidc.stats().await.grant("client_credentials"), 1);
    let log = proxy.log();
    for port in [as_port, api_port] {
        assert!(
            log.contains(&format!("CONNECT 127.0.0.1:{port}")),
            "no CONNECT to {port} in the proxy log:\n{log}"
        );
    }
    let all = text(&out);
    assert!(!all.contains(PX_PASSWORD), "{all}");
    assert!(!all.contains(CLIENT_CREDENTIALS.secret.unwrap()), "{all}");

    // A plain http:// API through the proxy: forwarded, in its log.
    let bearer = format!(
        "AuthenticationMethod=BearerToken;SecurityToken=t0k-everywhere;{}",
        transport(&proxy, &ca)
    );
    let plain = format!("{}/bearer", bin.base_url());
    let out = connstr_async(&store, &["request", "-c", &bearer, &plain]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        proxy.log().contains(&format!("GET {plain}")),
        "{}",
        proxy.log()
    );

    // The data request honours the Truststore: another CA is refused.
    let other = bearer.replace(
        &ca.display().to_string(),
        &d.join("other.pem").display().to_string(),
    );
    let out = connstr_async(&store, &["request", "-c", &other, &api]).await;
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("certificate was refused") && text(&out).contains("check Truststore"),
        "{}",
        text(&out)
    );
    // And a wrong proxy password is the proxy's refusal on this path too.
    let wrong = bearer.replace(PX_PASSWORD, "Wrong-Every-Pass-19");
    let out = connstr_async(&store, &["request", "-c", &wrong, &api]).await;
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("refused the credentials of ProxyUser `pxuser`"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("Wrong-Every-Pass-19"));
}
