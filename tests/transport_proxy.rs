//! The Autonomous REST transport options on the wire: the token request goes
//! through a real Debian tinyproxy with basic proxy authentication (its log
//! shows it); a wrong proxy password is a clear 407 error naming ProxyUser,
//! never the password; a proxy that is down is a clear error; WSTimeout bounds
//! a stalled token endpoint and WSRetryCount sets the attempts. An HTTPS
//! token endpoint (private CA) is reached through the proxy's CONNECT tunnel.

mod grant_support;
mod support;

use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use grant_support::{Recorder, Reply};
use support::cli;
use support::oidc::{CLIENT_CREDENTIALS, OidcServer};
use support::pki::{SERVER_NAME, pki, tls_terminator};
use support::tinyproxy::{Tinyproxy, free_port};

/// `connstr token` with the connection string `conn` on its standard input.
async fn connstr(store: PathBuf, conn: String) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut cmd = cli::command();
        cmd.args(["token", "--token-store"]).arg(&store).arg("-");
        cli::run_with_input(&mut cmd, &conn)
    })
    .await
    .unwrap()
}

fn conn(token_url: &str, proxy: &str) -> String {
    format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=proxied-app;\
         ClientSecret=Cl1ent-S3cret-proxy;TokenURI=POST {token_url};{proxy}"
    )
}

/// The same with a GET TokenURI (no body). With POST, tinyproxy answers its
/// refusal and closes without reading the body, so the kernel may reset the
/// connection and lose the answer; connstr then asks the proxy itself. Both
/// paths must give the same error.
fn conn_get(token_url: &str, proxy: &str) -> String {
    conn(token_url, proxy).replace("TokenURI=POST ", "TokenURI=")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_request_goes_through_the_proxy_with_basic_auth() {
    let proxy = Tinyproxy::start("pxuser", "Px-Passw0rd-9931");
    let server = Recorder::start(vec![], Some(Reply::token("tok-through-proxy"))).await;
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/oauth2/token");
    let opts = format!(
        "ProxyHost=127.0.0.1;ProxyPort={};ProxyUser=pxuser;ProxyPassword=Px-Passw0rd-9931",
        proxy.port
    );
    let out = connstr(dir.path().join("store.json"), conn(url.as_str(), &opts)).await;
    let text = cli::text(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("tok-through-proxy") || out.status.success(),
        "{text}"
    );
    assert_eq!(server.count(), 1);
    // The proxy carried it: its log names the request, and the request that
    // reached the server came from the proxy (it added no Via, but the
    // Proxy-Authorization header it consumed is gone).
    let log = proxy.log();
    assert!(
        log.contains(&format!("POST {url}")) || log.contains("/oauth2/token"),
        "tinyproxy log does not show the request:\n{log}"
    );
    let req = &server.requests()[0];
    assert!(req.header("proxy-authorization").is_none());
    assert!(!text.contains("Px-Passw0rd-9931"));
}

/// tinyproxy 1.11 answers a wrong proxy password with 401 (not 407), the
/// status a token endpoint gives a wrong client secret: connstr tells the
/// proxy's refusal from the endpoint's and names ProxyHost and ProxyUser,
/// never the password. The request is never forwarded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_proxy_password_is_an_error_naming_proxy_user() {
    let proxy = Tinyproxy::start("pxuser", "Right-Px-Pass-4417");
    let server = Recorder::start(vec![], Some(Reply::token("never-handed-out"))).await;
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/oauth2/token");
    let opts = format!(
        "ProxyHost=127.0.0.1;ProxyPort={};ProxyUser=pxuser;ProxyPassword=Wrong-Px-Pass-0042",
        proxy.port
    );
    for config in [conn_get(url.as_str(), &opts), conn(url.as_str(), &opts)] {
        let out = connstr(dir.path().join("store.json"), config).await;
        let text = cli::text(&out);
        assert!(!out.status.success(), "{text}");
        assert!(
            text.contains(&format!(
                "the proxy http://127.0.0.1:{} (ProxyHost/ProxyPort) refused the credentials \
                 of ProxyUser `pxuser`: HTTP 401",
                proxy.port
            )),
            "{text}"
        );
        assert!(text.contains("check ProxyUser and ProxyPassword"), "{text}");
        // Not mistaken for the token endpoint's 401.
        assert!(!text.contains("invalid_client"), "{text}");
        assert!(!text.contains("token endpoint answered"), "{text}");
        assert!(!text.contains("Wrong-Px-Pass-0042"), "{text}");
        assert!(!text.contains("Right-Px-Pass-4417"), "{text}");
    }
    assert_eq!(server.count(), 0, "the proxy must not have forwarded it");
}

/// The token endpoint's own 401 through the proxy (right proxy password) is
/// still the endpoint's: its OAuth error, not a proxy error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_401_through_the_proxy_stays_the_endpoint_401() {
    let proxy = Tinyproxy::start("pxuser", "Right-Px-Pass-7710");
    let bare_401 = Reply::with(401, &[("WWW-Authenticate", "Basic realm=\"as\"")], "no");
    let server = Recorder::start(
        vec![Reply::json(401, r#"{"error":"invalid_client"}"#), bare_401],
        None,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/oauth2/token");
    let opts = format!(
        "ProxyHost=127.0.0.1;ProxyPort={};ProxyUser=pxuser;ProxyPassword=Right-Px-Pass-7710",
        proxy.port
    );
    // An OAuth error body: the endpoint's, without asking the proxy.
    let out = connstr(dir.path().join("store.json"), conn(url.as_str(), &opts)).await;
    let text = cli::text(&out);
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("refused the credentials"), "{text}");
    // A bare 401 (no OAuth body): the proxy is asked, accepts the
    // credentials, so the 401 is the endpoint's.
    let out = connstr(dir.path().join("store.json"), conn(url.as_str(), &opts)).await;
    let text = cli::text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("401"), "{text}");
    assert!(!text.contains("refused the credentials"), "{text}");
    assert_eq!(server.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_proxy_credentials_is_a_407_error() {
    let proxy = Tinyproxy::start("pxuser", "Some-Px-Pass-8820");
    let server = Recorder::start(vec![], Some(Reply::token("never"))).await;
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/oauth2/token");
    let opts = format!("ProxyHost=http://127.0.0.1;ProxyPort={}", proxy.port);
    for config in [conn_get(url.as_str(), &opts), conn(url.as_str(), &opts)] {
        let out = connstr(dir.path().join("store.json"), config).await;
        let text = cli::text(&out);
        assert!(!out.status.success(), "{text}");
        assert!(
            text.contains("407") && text.contains("no ProxyUser is set"),
            "{text}"
        );
    }
    assert_eq!(server.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_is_down_is_a_clear_error() {
    let server = Recorder::start(vec![], Some(Reply::token("never"))).await;
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/oauth2/token");
    let port = free_port();
    let opts = format!(
        "ProxyHost=127.0.0.1;ProxyPort={port};ProxyUser=pxuser;ProxyPassword=Down-Px-Pass-5531;WSRetryCount=0"
    );
    let started = Instant::now();
    let out = connstr(dir.path().join("store.json"), conn(url.as_str(), &opts)).await;
    let text = cli::text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains(&format!("cannot reach the proxy http://127.0.0.1:{port}")),
        "{text}"
    );
    assert!(text.contains("ProxyHost"), "{text}");
    assert!(!text.contains("Down-Px-Pass-5531"), "{text}");
    assert_eq!(server.count(), 0);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ws_timeout_bounds_a_stalled_token_endpoint() {
    let server = Recorder::start(vec![], Some(Reply::Stall)).await;
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/oauth2/token");
    let started = Instant::now();
    let out = connstr(
        dir.path().join("store.json"),
        conn(url.as_str(), "WSTimeout=1;WSRetryCount=1"),
    )
    .await;
    let took = started.elapsed();
    let text = cli::text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("did not answer within 1s"), "{text}");
    // WSRetryCount=1: two attempts of one second each (plus a backoff).
    assert_eq!(server.count(), 2, "{text}");
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert!(
        took < Duration::from_secs(8),
        "{took:?}: WSTimeout did not bound it"
    );
}

/// An HTTPS token endpoint (oidc-provider behind a TLS terminator with a
/// certificate from a private CA made at test time) reached through the
/// proxy's CONNECT tunnel with proxy authentication: the proxy's log shows
/// the CONNECT, the token is obtained, and TLS runs end to end through the
/// tunnel (Truststore is still the one that decides). A wrong proxy password
/// on CONNECT is the proxy's refusal; a proxy that does not tunnel to the
/// port says so with its own answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_token_endpoint_through_the_proxy_tunnel() {
    let oidc = OidcServer::start_default();
    let pki = pki();
    let d = pki.path();
    let file = |n: &str| d.join(n).display().to_string();
    let (tls, tls_port) = tls_terminator(d, oidc.port());
    let proxy = Tinyproxy::start_tunnelling_to("pxuser", "Tunnel-Px-Pass-3301", &[tls_port]);
    let token_path = url::Url::parse(&oidc.token_url())
        .unwrap()
        .path()
        .to_owned();
    let dir = tempfile::tempdir().unwrap();
    let config = |trust: &str, password: &str, proxy_port: u16| {
        format!(
            "AuthenticationMethod=OAuth2-ClientCredentials;ClientID={};ClientSecret={};\
             TokenURI=POST https://127.0.0.1:{tls_port}{token_path};Scope=api;\
             Truststore={};HostNameInCertificate={SERVER_NAME};WSRetryCount=0;\
             ProxyHost=127.0.0.1;ProxyPort={proxy_port};ProxyUser=pxuser;ProxyPassword={password}",
            CLIENT_CREDENTIALS.id,
            CLIENT_CREDENTIALS.secret.unwrap(),
            file(trust)
        )
    };

    let out = connstr(
        dir.path().join("a.json"),
        config("ca.pem", "Tunnel-Px-Pass-3301", proxy.port),
    )
    .await;
    let text = cli::text(&out);
    assert!(out.status.success(), "{text}\n{}", tls.stderr_text());
    assert!(!String::from_utf8_lossy(&out.stdout).trim().is_empty());
    assert_eq!(oidc.stats().await.grant("client_credentials"), 1);
    let log = proxy.log();
    assert!(
        log.contains(&format!("CONNECT 127.0.0.1:{tls_port}")),
        "tinyproxy log does not show the CONNECT:\n{log}"
    );
    assert!(!text.contains("Tunnel-Px-Pass-3301"), "{text}");

    // TLS is end to end: through the tunnel, another CA is still refused.
    let out = connstr(
        dir.path().join("b.json"),
        config("other.pem", "Tunnel-Px-Pass-3301", proxy.port),
    )
    .await;
    let text = cli::text(&out);
    assert!(
        text.contains("certificate was refused") && text.contains("check Truststore"),
        "{text}"
    );

    // A wrong proxy password on CONNECT: the proxy's refusal.
    let out = connstr(
        dir.path().join("c.json"),
        config("ca.pem", "Wrong-Tunnel-Pass-77", proxy.port),
    )
    .await;
    let text = cli::text(&out);
    assert!(
        text.contains("refused the credentials of ProxyUser `pxuser`: HTTP 401"),
        "{text}"
    );
    assert!(!text.contains("Wrong-Tunnel-Pass-77"), "{text}");

    // A proxy that tunnels to 443 only: its own answer, not a vague error.
    let strict = Tinyproxy::start("pxuser", "Tunnel-Px-Pass-3301");
    let out = connstr(
        dir.path().join("d.json"),
        config("ca.pem", "Tunnel-Px-Pass-3301", strict.port),
    )
    .await;
    let text = cli::text(&out);
    assert!(
        text.contains(&format!(
            "refused to open a tunnel to 127.0.0.1:{tls_port}: HTTP 403 Access violation"
        )),
        "{text}"
    );
    assert_eq!(oidc.stats().await.grant("client_credentials"), 1);
}
