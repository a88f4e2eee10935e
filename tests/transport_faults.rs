//! The transport faults of docs/reliability.md, measured: `connstr token`
//! (client credentials grant, a token store file with no entry) against a
//! real `openssl s_server` with a private CA, a real tinyproxy with basic
//! authentication, and a listener that accepts and never answers. Each row
//! asserts the error, the number of attempts (counted from connstr's own
//! info log: one `token request` or `token request failed to send` line per
//! attempt) and the elapsed bound, and that no entry was written to the store;
//! `--nocapture` prints the table.
//!
//! `cargo test --test transport_faults -- --nocapture`

mod grant_support;
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use grant_support::{Recorder, Reply};
use support::cli;
use support::pki::{SERVER_NAME, pki, serve};
use support::tinyproxy::{Tinyproxy, free_port};

struct Run {
    text: String,
    attempts: usize,
    elapsed: Duration,
    store_written: bool,
}

fn token(dir: &Path, config: &str) -> Run {
    let store = dir.join(format!("tokens-{}.json", free_port()));
    let started = Instant::now();
    let mut cmd = cli::command();
    cmd.args(["token", "--token-store"])
        .arg(&store)
        .arg("-")
        .env("CONNSTR_LOG", "info");
    let o = cli::run_with_input(&mut cmd, config);
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let attempts = stderr
        .lines()
        .filter(|l| l.contains("INFO connstr::grant::http: token request"))
        .count();
    assert!(!o.status.success(), "{stderr}");
    Run {
        text: format!("{}{stderr}", String::from_utf8_lossy(&o.stdout)),
        attempts,
        elapsed,
        // The store holds its fingerprint key from the first use on; what
        // must not be there is an entry.
        store_written: std::fs::read(&store).is_ok_and(|b| {
            serde_json::from_slice::<serde_json::Value>(&b)
                .ok()
                .and_then(|v| v["entries"].as_array().map(|e| !e.is_empty()))
                .unwrap_or(true)
        }),
    }
}

fn client(token_uri: &str, extra: &str) -> String {
    format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=faults;\
         ClientSecret=Cl1ent-S3cret-faults;TokenURI=POST {token_uri};{extra}"
    )
}

/// One table row, checked: the error text holds `expect`, the attempts and
/// the elapsed time are as given, nothing was written, no password shown.
fn row(
    table: &mut Vec<String>,
    fault: &str,
    error: &str,
    expect: &str,
    attempts: usize,
    bound: (u64, u64),
    run: Run,
) {
    assert!(run.text.contains(expect), "{fault}: {}", run.text);
    assert_eq!(run.attempts, attempts, "{fault}: {}", run.text);
    let ms = run.elapsed.as_millis() as u64;
    assert!(
        ms >= bound.0 && ms <= bound.1,
        "{fault}: {ms} ms outside {bound:?}: {}",
        run.text
    );
    assert!(!run.store_written, "{fault}: a store entry was written");
    for secret in [
        "Cl1ent-S3cret-faults",
        "Faults-Px-Pass-5150",
        "Wrong-Faults-Pass",
    ] {
        assert!(!run.text.contains(secret), "{fault}: {}", run.text);
    }
    table.push(format!(
        "| {fault} | {error} | {} | {ms} ms | {}–{} ms | no entry written |",
        run.attempts, bound.0, bound.1
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_faults_table() {
    let pki = pki();
    let d = pki.path();
    let ca = d.join("ca.pem").display().to_string();
    let other = d.join("other.pem").display().to_string();
    let (_tls, tls_port) = serve(d, &[]);
    let https = format!("https://127.0.0.1:{tls_port}/token");
    let mut table = Vec::new();

    // TLS faults (openssl s_server, private CA).
    let run = tokio::task::block_in_place(|| {
        token(
            d,
            &client(
                &https,
                &format!("Truststore={other};HostNameInCertificate={SERVER_NAME}"),
            ),
        )
    });
    row(
        &mut table,
        "TLS: certificate from a CA not in Truststore",
        "Transport(CertificateRefused): names Truststore",
        "check Truststore",
        1,
        (0, 5_000),
        run,
    );
    let run =
        tokio::task::block_in_place(|| token(d, &client(&https, &format!("Truststore={ca}"))));
    row(
        &mut table,
        "TLS: certificate issued for another name (no HostNameInCertificate)",
        "Transport(CertificateRefused): names HostNameInCertificate",
        "set HostNameInCertificate",
        1,
        (0, 5_000),
        run,
    );
    let down = format!("https://127.0.0.1:{}/token", free_port());
    let run = tokio::task::block_in_place(|| token(d, &client(&down, &format!("Truststore={ca}"))));
    row(
        &mut table,
        "TLS: server down (nothing listens on the TLS port), default retries",
        "RetriesExhausted(4) → Network (connection refused)",
        "gave up after 4 attempts",
        4,
        (0, 10_000),
        run,
    );
    // A listener that accepts and never answers: the TLS handshake stalls.
    let stall = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let stall_port = stall.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in stall.incoming() {
            held.push(c);
        }
    });
    let stalled = format!("https://127.0.0.1:{stall_port}/token");
    let run = tokio::task::block_in_place(|| {
        token(
            d,
            &client(
                &stalled,
                &format!("Truststore={ca};WSTimeout=1;WSRetryCount=1"),
            ),
        )
    });
    row(
        &mut table,
        "TLS: handshake stalls (server accepts, never answers), WSTimeout=1, WSRetryCount=1",
        "RetriesExhausted(2) → Timeout(1 s)",
        "did not answer within 1s",
        2,
        (2_000, 8_000),
        run,
    );

    // Proxy faults (tinyproxy with BasicAuth; tunnels to the TLS port too).
    let proxy = Tinyproxy::start_tunnelling_to("pxuser", "Faults-Px-Pass-5150", &[tls_port]);
    let server = Recorder::start(vec![], Some(Reply::token("never-handed-out"))).await;
    let http = server.url("/oauth2/token").to_string();
    let px = |password: Option<&str>| match password {
        Some(p) => format!(
            "ProxyHost=127.0.0.1;ProxyPort={};ProxyUser=pxuser;ProxyPassword={p}",
            proxy.port
        ),
        None => format!("ProxyHost=127.0.0.1;ProxyPort={}", proxy.port),
    };
    let run =
        tokio::task::block_in_place(|| token(d, &client(&http, &px(Some("Wrong-Faults-Pass")))));
    row(
        &mut table,
        "wrong ProxyPassword, http:// endpoint (tinyproxy answers 401)",
        "Transport(ProxyCredentialsRefused, 401): names ProxyHost/ProxyPort, ProxyUser",
        "refused the credentials of ProxyUser `pxuser`: HTTP 401",
        1,
        (0, 5_000),
        run,
    );
    let run = tokio::task::block_in_place(|| token(d, &client(&http, &px(None))));
    row(
        &mut table,
        "proxy wants credentials, no ProxyUser (407)",
        "Transport(ProxyAuthRequired): names ProxyUser/ProxyPassword",
        "no ProxyUser is set",
        1,
        (0, 5_000),
        run,
    );
    let tls_trust = format!("Truststore={ca};HostNameInCertificate={SERVER_NAME}");
    let run = tokio::task::block_in_place(|| {
        token(
            d,
            &client(
                &https,
                &format!("{};{tls_trust}", px(Some("Wrong-Faults-Pass"))),
            ),
        )
    });
    row(
        &mut table,
        "wrong ProxyPassword, https:// endpoint (CONNECT answered 401)",
        "Transport(ProxyCredentialsRefused, 401)",
        "refused the credentials of ProxyUser `pxuser`: HTTP 401",
        1,
        (0, 5_000),
        run,
    );
    let not_tunnelled = format!("https://127.0.0.1:{}/token", free_port());
    let run = tokio::task::block_in_place(|| {
        token(
            d,
            &client(
                &not_tunnelled,
                &format!("{};{tls_trust}", px(Some("Faults-Px-Pass-5150"))),
            ),
        )
    });
    row(
        &mut table,
        "CONNECT to a port the proxy does not tunnel to",
        "Transport(ProxyTunnelRefused): the proxy's `HTTP 403 Access violation`",
        "HTTP 403 Access violation",
        1,
        (0, 5_000),
        run,
    );
    assert_eq!(server.count(), 0, "nothing was forwarded to the endpoint");
    let down_proxy = format!(
        "ProxyHost=127.0.0.1;ProxyPort={};ProxyUser=pxuser;ProxyPassword=Faults-Px-Pass-5150",
        free_port()
    );
    let run = tokio::task::block_in_place(|| token(d, &client(&http, &down_proxy)));
    row(
        &mut table,
        "proxy down (ProxyPort closed), default retries",
        "Transport(ProxyUnreachable): names ProxyHost/ProxyPort",
        "cannot reach the proxy",
        1,
        (0, 5_000),
        run,
    );
    let stalled_http = Recorder::start(vec![], Some(Reply::Stall)).await;
    let stalled_url = stalled_http.url("/oauth2/token").to_string();
    let run = tokio::task::block_in_place(|| {
        token(
            d,
            &client(
                &stalled_url,
                &format!(
                    "{};WSTimeout=1;WSRetryCount=1",
                    px(Some("Faults-Px-Pass-5150"))
                ),
            ),
        )
    });
    row(
        &mut table,
        "stalled endpoint through the proxy, WSTimeout=1, WSRetryCount=1",
        "RetriesExhausted(2) → Timeout(1 s)",
        "did not answer within 1s",
        2,
        (2_000, 8_000),
        run,
    );
    assert_eq!(
        stalled_http.count(),
        2,
        "both attempts went through the proxy"
    );

    println!("| fault | error (typed) | attempts | elapsed (observed) | elapsed bound | store |");
    println!("|---|---|---|---|---|---|");
    for r in &table {
        println!("{r}");
    }
}
