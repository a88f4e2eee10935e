//! Faults at the token endpoint, through `TokenSource` with a token store that
//! holds a refresh token: for each fault the typed error, the number of
//! attempts, a bound on the elapsed time, and that the stored tokens are
//! unchanged. The fault table in docs/reliability.md is what
//! `cargo test --test hardening_faults -- --nocapture` prints.
//!
//! The token endpoint is a small fault-injecting HTTP/1.1 server in this file
//! (each request counted server side); the client side counts every send
//! through a wrapping `HttpClient`, so attempts that never reach a server
//! (connection refused) are counted too.

#[path = "support/http.rs"]
mod http;
#[allow(dead_code)] // shared; this file uses part of it
#[path = "support/plans.rs"]
mod plans;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use connstr::Secret;
use connstr::grant::{
    BoxFuture, GrantError, HttpClient, HttpResponse, OAuthErrorCode, ParseProblem, ReqwestClient,
    RetryPolicy, SourceOptions, StoreChoice, StoreKey, Timeouts, TokenClient, TokenRequest,
    TokenSource, TokenStore,
};
use connstr::plan::OAuth2Plan;
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};

const CLIENT_SECRET: &str = "CS-hardening-client-secret-4d1e";
const STORED_RT: &str = "RT-hardening-stored-refresh-9a7c";
const STALE_AT: &str = "AT-hardening-stale-access-0b3f";

/// Short timeouts and retries so the whole table runs in a few seconds.
const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_millis(250),
    total: Duration::from_millis(500),
};
const RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    initial_backoff: Duration::from_millis(25),
    max_backoff: Duration::from_millis(50),
    max_total: Duration::from_secs(5),
};
/// Response body cap for these tests.
const BODY_LIMIT: usize = 64 * 1024;

// ------------------------------------------------------------ fault server

/// What the server does with each request.
#[derive(Clone, Debug)]
enum Fault {
    /// A complete response.
    Reply {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// Headers promising 200 bytes, 16 bytes of body, then a TCP reset.
    ResetMidBody,
    /// Read the request, never answer.
    NoHeaders,
    /// Headers at once, then one body byte every 100 ms, forever.
    SlowBody,
    /// 200 with no Content-Length, streaming spaces until the client hangs up.
    Unbounded,
}

fn reply(status: u16, content_type: &str, body: &str) -> Fault {
    Fault::Reply {
        status,
        headers: vec![("Content-Type", content_type.to_owned())],
        body: body.as_bytes().to_vec(),
    }
}

fn reply_with(status: u16, extra: (&'static str, &str), content_type: &str, body: &str) -> Fault {
    Fault::Reply {
        status,
        headers: vec![
            ("Content-Type", content_type.to_owned()),
            (extra.0, extra.1.to_owned()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

struct FaultServer {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultServer {
    async fn start(fault: Fault) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let fault = fault.clone();
                let counter = Arc::clone(&counter);
                tokio::spawn(async move { serve(stream, fault, counter).await });
            }
        });
        FaultServer {
            addr,
            requests,
            task,
        }
    }

    fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}/oauth2/token", self.addr)).unwrap()
    }

    fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Read one request (head + Content-Length body), count it, act out the fault.
async fn serve(mut stream: TcpStream, fault: Fault, counter: Arc<AtomicUsize>) {
    if http::read_request(&mut stream).await.is_none() {
        return;
    }
    counter.fetch_add(1, Ordering::SeqCst);
    match fault {
        Fault::Reply {
            status,
            headers,
            body,
        } => {
            http::write_response(&mut stream, status, headers, &body).await;
            let _ = stream.shutdown().await;
        }
        Fault::ResetMidBody => {
            let out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                       Content-Length: 200\r\n\r\n{\"access_token\":\"AT";
            let _ = stream.write_all(out.as_bytes()).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            // SO_LINGER 0: close sends RST instead of FIN.
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Fault::NoHeaders => tokio::time::sleep(Duration::from_secs(60)).await,
        Fault::SlowBody => {
            let out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                       Content-Length: 1000\r\n\r\n{";
            let _ = stream.write_all(out.as_bytes()).await;
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if stream.write_all(b" ").await.is_err() {
                    break;
                }
            }
        }
        Fault::Unbounded => {
            let out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                       Connection: close\r\n\r\n";
            let _ = stream.write_all(out.as_bytes()).await;
            let chunk = vec![b' '; 8192];
            for _ in 0..(64 << 20) / chunk.len() {
                if stream.write_all(&chunk).await.is_err() {
                    break;
                }
            }
        }
    }
}

/// Counts every send the grant layer makes, reached server or not.
struct Counting {
    inner: ReqwestClient,
    sent: AtomicUsize,
}

impl HttpClient for Counting {
    fn send<'a>(
        &'a self,
        request: &'a TokenRequest,
        body_limit: usize,
    ) -> BoxFuture<'a, Result<HttpResponse, GrantError>> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.send(request, body_limit)
    }
}

// ------------------------------------------------------------ the connector side

fn plan(url: &url::Url) -> OAuth2Plan {
    // No refresh token: it comes from the token store.
    plans::refresh_plan(
        plans::basic_client("hardening-app", Some(CLIENT_SECRET)),
        url.clone(),
        None,
    )
}

/// A store holding a refresh token and an access token that expired a minute ago.
fn seed_store(path: &Path, url: &url::Url) -> StoreKey {
    let key = StoreKey::new(url, "hardening-app", Some("alice"), None);
    let store = TokenStore::at(path);
    let lock = store.lock_blocking().unwrap();
    lock.update(&key, |t| {
        t.rotate(Secret::new(STORED_RT));
        t.access_token = Some(Secret::new(STALE_AT));
        t.expires_at = Some(SystemTime::now() - Duration::from_secs(60));
    })
    .unwrap();
    key
}

/// What one fault run observed.
struct Observed {
    error: GrantError,
    attempts: usize,
    server_requests: usize,
    elapsed: Duration,
    store_bytes_same: bool,
    refresh_token_same: bool,
    marked_dead: bool,
    extra: String,
}

/// Seed a store, ask a TokenSource for a token once, observe.
async fn run_fault(url: url::Url, server: Option<&FaultServer>, dir: &Path) -> Observed {
    let path = dir.join("tokens.json");
    let key = seed_store(&path, &url);
    let before = std::fs::read(&path).unwrap();
    let counting = Arc::new(Counting {
        inner: ReqwestClient::new(TIMEOUTS).unwrap(),
        sent: AtomicUsize::new(0),
    });
    let mut tc = TokenClient::with_http(counting.clone());
    tc.retry = RETRY;
    tc.body_limit = BODY_LIMIT;
    let source = TokenSource::from_oauth2(
        &plan(&url),
        Some("alice"),
        None,
        SourceOptions {
            margin: Duration::from_secs(60),
            store: StoreChoice::At(path.clone()),
            client: Some(tc),
        },
    )
    .unwrap();
    let started = Instant::now();
    let result = source.token().await;
    let elapsed = started.elapsed();
    let error = match result {
        Ok(_) => panic!("the fault at {url} produced a token"),
        Err(e) => e,
    };
    let after = std::fs::read(&path).unwrap();
    let entry = TokenStore::at(&path).get(&key).unwrap().unwrap();
    Observed {
        error,
        attempts: counting.sent.load(Ordering::SeqCst),
        server_requests: server.map_or(0, FaultServer::count),
        elapsed,
        store_bytes_same: before == after,
        refresh_token_same: entry.refresh_token.as_ref().map(Secret::expose) == Some(STORED_RT),
        marked_dead: entry.refresh_token_dead,
        extra: String::new(),
    }
}

// ------------------------------------------------------------ expectations

/// The error's shape, as printed in the table: `RetriesExhausted(n) → inner`.
fn kind(e: &GrantError) -> String {
    match e {
        GrantError::RetriesExhausted { attempts, last } => {
            format!("RetriesExhausted({attempts}) → {}", kind(last))
        }
        GrantError::OAuth { code, status, .. } => format!("OAuth({code}, HTTP {status})"),
        GrantError::Status { status, .. } => format!("Status({status})"),
        GrantError::Redirect { status } => format!("Redirect({status})"),
        GrantError::Network { .. } => "Network".to_owned(),
        GrantError::Timeout(_) => "Timeout".to_owned(),
        GrantError::Unparseable {
            status, problem, ..
        } => {
            let p = match problem {
                ParseProblem::NotJsonOrForm => "not JSON or form".to_owned(),
                ParseProblem::Empty => "empty".to_owned(),
                ParseProblem::Missing(m) => format!("{m} missing"),
                ParseProblem::Invalid(m) => format!("{m} invalid"),
                ParseProblem::NotUtf8 => "not UTF-8".to_owned(),
            };
            format!("Unparseable(HTTP {status}, {p})")
        }
        GrantError::BodyTooLarge { limit } => format!("BodyTooLarge({limit})"),
        GrantError::RefreshTokenDead { .. } => "RefreshTokenDead".to_owned(),
        other => format!("{other:?}"),
    }
}

/// The innermost error (past RetriesExhausted).
fn last(e: &GrantError) -> &GrantError {
    match e {
        GrantError::RetriesExhausted { last, .. } => last,
        other => other,
    }
}

struct Case {
    name: &'static str,
    fault: Option<Fault>,
    /// The error, judged on the innermost failure.
    want: fn(&GrantError) -> bool,
    attempts: usize,
    /// Elapsed at least (waits the server asked for, or timeouts).
    at_least: Duration,
    /// Elapsed at most.
    at_most: Duration,
    /// `invalid_grant`: the store marks the (unchanged) refresh token dead.
    marks_dead: bool,
}

fn status(s: u16) -> fn(&GrantError) -> bool {
    match s {
        500 => |e| matches!(last(e), GrantError::Status { status: 500, .. }),
        502 => |e| matches!(last(e), GrantError::Status { status: 502, .. }),
        503 => |e| matches!(last(e), GrantError::Status { status: 503, .. }),
        429 => |e| matches!(last(e), GrantError::Status { status: 429, .. }),
        _ => unreachable!(),
    }
}

fn cases() -> Vec<Case> {
    let ms = Duration::from_millis;
    // Three attempts with tiny backoffs: well under a second on an idle box;
    // the bounds leave room for two loaded cores.
    let quick = ms(1500);
    let html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
                <body><h1>Bad Gateway</h1></body></html>";
    vec![
        Case {
            name: "HTTP 500",
            fault: Some(reply(500, "application/json", "{}")),
            want: status(500),
            attempts: 3,
            at_least: ms(0),
            at_most: quick,
            marks_dead: false,
        },
        Case {
            name: "HTTP 502 (HTML body)",
            fault: Some(reply(502, "text/html", html)),
            want: status(502),
            attempts: 3,
            at_least: ms(0),
            at_most: quick,
            marks_dead: false,
        },
        Case {
            name: "HTTP 503, no Retry-After",
            fault: Some(reply(503, "text/plain", "unavailable")),
            want: status(503),
            attempts: 3,
            at_least: ms(0),
            at_most: quick,
            marks_dead: false,
        },
        Case {
            name: "HTTP 503, Retry-After: 1",
            fault: Some(reply_with(503, ("Retry-After", "1"), "text/plain", "")),
            want: status(503),
            attempts: 3,
            at_least: ms(2000),
            at_most: ms(3500),
            marks_dead: false,
        },
        Case {
            name: "HTTP 429, Retry-After: 1",
            fault: Some(reply_with(
                429,
                ("Retry-After", "1"),
                "application/json",
                r#"{"message":"slow down"}"#,
            )),
            want: status(429),
            attempts: 3,
            at_least: ms(2000),
            at_most: ms(3500),
            marks_dead: false,
        },
        Case {
            name: "connection refused",
            fault: None,
            want: |e| matches!(last(e), GrantError::Network { .. }),
            attempts: 3,
            at_least: ms(0),
            at_most: quick,
            marks_dead: false,
        },
        Case {
            name: "connection reset mid-body",
            fault: Some(Fault::ResetMidBody),
            want: |e| matches!(last(e), GrantError::Network { .. }),
            attempts: 3,
            at_least: ms(60),
            at_most: quick,
            marks_dead: false,
        },
        Case {
            name: "no response headers (timeout)",
            fault: Some(Fault::NoHeaders),
            want: |e| matches!(last(e), GrantError::Timeout(_)),
            attempts: 3,
            at_least: ms(1500),
            at_most: ms(3000),
            marks_dead: false,
        },
        Case {
            name: "slow body (1 byte / 100 ms)",
            fault: Some(Fault::SlowBody),
            want: |e| matches!(last(e), GrantError::Timeout(_)),
            attempts: 3,
            at_least: ms(1500),
            at_most: ms(3000),
            marks_dead: false,
        },
        Case {
            name: "malformed JSON (HTTP 200)",
            fault: Some(reply(
                200,
                "application/json",
                r#"{"access_token":"AT-cut-short","expires_in":"#,
            )),
            want: |e| {
                matches!(
                    e,
                    GrantError::Unparseable {
                        status: 200,
                        problem: ParseProblem::NotJsonOrForm,
                        ..
                    }
                )
            },
            attempts: 1,
            at_least: ms(0),
            at_most: ms(800),
            marks_dead: false,
        },
        Case {
            name: "HTML error page (HTTP 200)",
            fault: Some(reply(
                200,
                "text/html; charset=utf-8",
                "<html><body><h1>Please sign in to the proxy</h1><form>user: <input></form></body></html>",
            )),
            want: |e| matches!(e, GrantError::Unparseable { status: 200, .. }),
            attempts: 1,
            at_least: ms(0),
            at_most: ms(800),
            marks_dead: false,
        },
        Case {
            name: "HTTP 200 carrying `error`",
            fault: Some(reply(
                200,
                "application/json",
                r#"{"error":"invalid_request","error_description":"bad verification code"}"#,
            )),
            want: |e| {
                matches!(
                    e,
                    GrantError::OAuth {
                        code: OAuthErrorCode::InvalidRequest,
                        status: 200,
                        ..
                    }
                )
            },
            attempts: 1,
            at_least: ms(0),
            at_most: ms(800),
            marks_dead: false,
        },
        Case {
            name: "oversized body (1 MiB, Content-Length)",
            fault: Some(reply(
                200,
                "application/json",
                &format!(r#"{{"access_token":"{}"}}"#, "A".repeat(1 << 20)),
            )),
            want: |e| matches!(e, GrantError::BodyTooLarge { limit: BODY_LIMIT }),
            attempts: 1,
            at_least: ms(0),
            at_most: ms(800),
            marks_dead: false,
        },
        Case {
            name: "oversized body (streamed, no length)",
            fault: Some(Fault::Unbounded),
            want: |e| matches!(e, GrantError::BodyTooLarge { limit: BODY_LIMIT }),
            attempts: 1,
            at_least: ms(0),
            at_most: ms(800),
            marks_dead: false,
        },
        Case {
            name: "redirect (302, not followed)",
            // The Location is filled in by the test (a second server).
            fault: None,
            want: |e| matches!(e, GrantError::Redirect { status: 302 }),
            attempts: 1,
            at_least: ms(0),
            at_most: ms(800),
            marks_dead: false,
        },
        Case {
            name: "invalid_grant (400)",
            fault: Some(reply(
                400,
                "application/json",
                r#"{"error":"invalid_grant","error_description":"refresh token revoked"}"#,
            )),
            want: |e| {
                matches!(
                    e,
                    GrantError::OAuth {
                        code: OAuthErrorCode::InvalidGrant,
                        status: 400,
                        ..
                    }
                )
            },
            attempts: 1,
            at_least: ms(0),
            at_most: ms(800),
            marks_dead: true,
        },
        Case {
            name: "invalid_client (401)",
            fault: Some(reply_with(
                401,
                ("WWW-Authenticate", r#"Basic realm="token""#),
                "application/json",
                r#"{"error":"invalid_client"}"#,
            )),
            want: |e| {
                matches!(
                    e,
                    GrantError::OAuth {
                        code: OAuthErrorCode::InvalidClient,
                        status: 401,
                        ..
                    }
                )
            },
            attempts: 1,
            at_least: ms(0),
            at_most: ms(800),
            marks_dead: false,
        },
    ]
}

/// Run one case end to end; returns its observations.
async fn observe(case_fault: Option<Fault>, name: &'static str, dir: PathBuf) -> Observed {
    match (name, case_fault) {
        ("connection refused", _) => {
            // A port that was free a moment ago and that nobody listens on.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let url = url::Url::parse(&format!("http://127.0.0.1:{port}/oauth2/token")).unwrap();
            run_fault(url, None, &dir).await
        }
        ("redirect (302, not followed)", _) => {
            let target = FaultServer::start(reply(
                200,
                "application/json",
                r#"{"access_token":"AT-from-redirect-target","refresh_token":"RT-from-redirect-target","token_type":"Bearer","expires_in":3600}"#,
            ))
            .await;
            let redirector = FaultServer::start(reply_with(
                302,
                ("Location", target.url().as_str()),
                "text/plain",
                "",
            ))
            .await;
            let mut o = run_fault(redirector.url(), Some(&redirector), &dir).await;
            o.extra = format!("redirect target requested {} times", target.count());
            assert_eq!(target.count(), 0, "the redirect was followed");
            o
        }
        (_, Some(fault)) => {
            let server = FaultServer::start(fault).await;
            run_fault(server.url(), Some(&server), &dir).await
        }
        (name, None) => unreachable!("{name} needs a fault"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_table() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let mut set = tokio::task::JoinSet::new();
    for (i, c) in cases.iter().enumerate() {
        let sub = dir.path().join(format!("case-{i}"));
        std::fs::create_dir_all(&sub).unwrap();
        let fault = c.fault.clone();
        let name = c.name;
        set.spawn(async move { (i, observe(fault, name, sub).await) });
    }
    let mut observed: Vec<Option<Observed>> = (0..cases.len()).map(|_| None).collect();
    while let Some(r) = set.join_next().await {
        let (i, o) = r.unwrap();
        observed[i] = Some(o);
    }

    let mut table = String::from(
        "| fault | error (typed) | attempts | elapsed (observed) | elapsed bound | store |\n\
         |---|---|---|---|---|---|\n",
    );
    let mut failures = Vec::new();
    for (c, o) in cases.iter().zip(observed.iter().flatten()) {
        let store = if c.marks_dead {
            "refresh token unchanged, marked dead"
        } else {
            "bytes identical"
        };
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} ms | {}–{} ms | {} |",
            c.name,
            kind(&o.error),
            o.attempts,
            o.elapsed.as_millis(),
            c.at_least.as_millis(),
            c.at_most.as_millis(),
            store
        );
        let mut problems = Vec::new();
        if !(c.want)(&o.error) {
            problems.push(format!("unexpected error {:?}", o.error));
        }
        if o.attempts != c.attempts {
            problems.push(format!("{} attempts, expected {}", o.attempts, c.attempts));
        }
        if c.fault.is_some() && o.server_requests != c.attempts {
            problems.push(format!(
                "server saw {} requests, expected {}",
                o.server_requests, c.attempts
            ));
        }
        if o.elapsed < c.at_least || o.elapsed > c.at_most {
            problems.push(format!("elapsed {:?} outside the bound", o.elapsed));
        }
        if c.marks_dead {
            if !(o.refresh_token_same && o.marked_dead) {
                problems.push("the refresh token was not kept and marked dead".to_owned());
            }
        } else if !o.store_bytes_same {
            problems.push("the token store changed".to_owned());
        }
        if !o.refresh_token_same {
            problems.push("the stored refresh token changed".to_owned());
        }
        let shown = format!("{} {:?}", o.error, o.error);
        for s in [CLIENT_SECRET, STORED_RT, STALE_AT] {
            if shown.contains(s) {
                problems.push(format!("the error shows a secret: {shown}"));
            }
        }
        if !o.extra.is_empty() {
            eprintln!("{}: {}", c.name, o.extra);
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", c.name, problems.join("; ")));
        }
    }
    println!(
        "\nfault table (RetryPolicy max_attempts={}, backoff {:?}..{:?}; timeouts connect {:?}, \
         total {:?}; body limit {} bytes)\n\n{table}",
        RETRY.max_attempts,
        RETRY.initial_backoff,
        RETRY.max_backoff,
        TIMEOUTS.connect,
        TIMEOUTS.total,
        BODY_LIMIT
    );
    assert!(failures.is_empty(), "{}\n{table}", failures.join("\n"));
}

/// After `invalid_grant` the stored refresh token is dead: the next call fails
/// at once, with no request, and the store still holds the refresh token (a
/// login replaces it; nothing else does).
#[tokio::test]
async fn a_dead_refresh_token_is_not_sent_again() {
    let server = FaultServer::start(reply(
        400,
        "application/json",
        r#"{"error":"invalid_grant"}"#,
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let o = run_fault(server.url(), Some(&server), dir.path()).await;
    assert!(o.error.is_invalid_grant(), "{:?}", o.error);
    assert_eq!(server.count(), 1);
    let path = dir.path().join("tokens.json");
    let before = std::fs::read(&path).unwrap();
    let mut tc = TokenClient::with_http(Arc::new(ReqwestClient::new(TIMEOUTS).unwrap()));
    tc.retry = RETRY;
    let source = TokenSource::from_oauth2(
        &plan(&server.url()),
        Some("alice"),
        None,
        SourceOptions {
            store: StoreChoice::At(path.clone()),
            client: Some(tc),
            ..SourceOptions::default()
        },
    )
    .unwrap();
    let started = Instant::now();
    let e = source.token().await.unwrap_err();
    assert!(
        matches!(e, GrantError::RefreshTokenDead { .. }),
        "{e:?} after {:?}",
        started.elapsed()
    );
    assert_eq!(server.count(), 1, "a dead refresh token was sent again");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
