//! Crash safety of the token store: SIGKILL a process while it rotates refresh
//! tokens, over and over, at random points.
//!
//! The child (this test binary re-run with `CONNSTR_CRASH_STORE` set) runs a
//! tiny rotating token endpoint in-process (refresh token `rt-n` gets
//! `at-(n+1)` and `rt-(n+1)`; anything but the newest refresh token gets
//! `invalid_grant`) and loops through `TokenSource::refresh_rejected` with the
//! token store, printing `handed out access token N` only after the grant
//! layer returned `at-N`. The parent kills it 0–30 ms after it reports ready,
//! then checks that the store parses and holds the old or the new refresh
//! token, that it never lags an access token already handed out, and that its
//! access token is the one paired with its refresh token.
//!
//! `CONNSTR_CRASH_KILLS` (default 120) sets the number of kills,
//! `CONNSTR_CRASH_SEED` the seed of the kill delays (printed on every run).

#[path = "support/http.rs"]
mod http;
#[allow(dead_code)] // shared; this file uses part of it
#[path = "support/plans.rs"]
mod plans;
#[allow(dead_code)]
#[path = "support/redis_server.rs"]
mod redis_server;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use connstr::Secret;
use connstr::grant::{
    BoxFuture, Entry, GrantError, HttpClient, HttpResponse, ReqwestClient, RetryPolicy,
    SourceOptions, StoreBackend, StoreChoice, StoreKey, StoredTokens, Timeouts, TokenClient,
    TokenRequest, TokenSource, TokenStore, select,
};
use redis_server::{RedisOptions, RedisServer};
use tokio::io::AsyncWriteExt as _;

const CLIENT_ID: &str = "crash-app";
/// The plan's TokenURI, hence the store key, in every child (each child's
/// server has its own port; see `ToPort`).
const KEY_URL: &str = "http://127.0.0.1:9/oauth2/token";

fn key() -> StoreKey {
    StoreKey::new(&KEY_URL.parse().unwrap(), CLIENT_ID, Some("alice"), None)
}

fn number(token: &str, prefix: &str) -> Option<u64> {
    token.strip_prefix(prefix)?.parse().ok()
}

// ------------------------------------------------------------ the child

/// The rotating token endpoint: `current` is the newest refresh token number.
async fn rotating_server(listener: tokio::net::TcpListener, current: Arc<AtomicU64>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let current = Arc::clone(&current);
        tokio::spawn(async move {
            let Some(request) = http::read_request(&mut stream).await else {
                return;
            };
            let body = String::from_utf8_lossy(request.body()).into_owned();
            let presented = url::form_urlencoded::parse(body.as_bytes())
                .find(|(k, _)| k == "refresh_token")
                .and_then(|(_, v)| number(&v, "rt-"));
            let now = current.load(Ordering::SeqCst);
            let (status, json) = match presented {
                Some(n) if n == now => {
                    current.store(n + 1, Ordering::SeqCst);
                    // Before the response leaves: the parent learns what the
                    // server issued even when the kill lands in between.
                    let mut o = std::io::stdout().lock();
                    let _ = writeln!(o, "issued refresh token {}", n + 1);
                    let _ = o.flush();
                    (
                        200,
                        format!(
                            r#"{{"access_token":"at-{m}","refresh_token":"rt-{m}","token_type":"Bearer","expires_in":3600}}"#,
                            m = n + 1
                        ),
                    )
                }
                _ => (400, r#"{"error":"invalid_grant"}"#.to_owned()),
            };
            let out = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{json}",
                json.len()
            );
            let _ = stream.write_all(out.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}

/// Sends every request to `127.0.0.1:port` instead of the URL's port.
struct ToPort {
    port: u16,
    inner: ReqwestClient,
}

impl HttpClient for ToPort {
    fn send<'a>(
        &'a self,
        request: &'a TokenRequest,
        body_limit: usize,
    ) -> BoxFuture<'a, Result<HttpResponse, GrantError>> {
        let mut moved = request.clone();
        let _ = moved.url.set_port(Some(self.port));
        Box::pin(async move { self.inner.send(&moved, body_limit).await })
    }
}

fn child_main(store_name: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let choice = StoreChoice::named(store_name).unwrap();
        let entry = current_tokens(backend(&choice).as_ref()).await;
        let rt = entry.refresh_token.unwrap();
        let start = number(rt.expose(), "rt-").unwrap();
        let current = Arc::new(AtomicU64::new(start));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(rotating_server(listener, Arc::clone(&current)));

        // Every child listens on a new port, but the store key comes from the
        // plan's TokenURI: the plan keeps KEY_URL and the HTTP client sends to
        // this child's port.
        let mut tc = TokenClient::with_http(Arc::new(ToPort {
            port,
            inner: ReqwestClient::new(Timeouts {
                connect: Duration::from_secs(2),
                total: Duration::from_secs(5),
            })
            .unwrap(),
        }));
        tc.retry = RetryPolicy::none();
        let plan = plans::refresh_plan(
            plans::basic_client(CLIENT_ID, Some("crash-client-secret")),
            KEY_URL.parse().unwrap(),
            None,
        );
        let source = TokenSource::from_oauth2(
            &plan,
            Some("alice"),
            None,
            SourceOptions {
                margin: Duration::from_secs(60),
                store: choice,
                client: Some(tc),
            },
        )
        .unwrap();
        say("ready");
        let mut previous = entry.access_token.unwrap();
        loop {
            let t = source.refresh_rejected(&previous).await.unwrap();
            let n = number(t.access_token.expose(), "at-").unwrap();
            // Only now, after the API returned it, is the token "handed out".
            say(&format!("handed out access token {n}"));
            previous = t.access_token.clone();
        }
    });
}

/// One line on standard output, flushed (the pipe keeps it if we die next).
fn say(line: &str) {
    let mut o = std::io::stdout().lock();
    writeln!(o, "{line}").unwrap();
    o.flush().unwrap();
}

/// The child mode: does nothing unless `CONNSTR_CRASH_STORE` is set (a file
/// path, or a `redis://` URL).
#[test]
#[ignore = "child process of the SIGKILL tests"]
fn crash_child() {
    if let Ok(p) = std::env::var("CONNSTR_CRASH_STORE") {
        child_main(&p);
    }
}

/// The store a [`StoreChoice`] names, as the grant layer talks to it.
fn backend(choice: &StoreChoice) -> Arc<dyn StoreBackend> {
    match choice {
        StoreChoice::At(p) => Arc::new(TokenStore::at(p)),
        StoreChoice::Backend(b) => Arc::clone(b),
        other => panic!("no store: {other:?}"),
    }
}

/// The tokens of the test's entry, read through the store's own reader.
async fn current_tokens(b: &dyn StoreBackend) -> StoredTokens {
    let snap = b.read(&key().partition()).await.unwrap();
    let k = snap.key.expect("a seeded store has a fingerprint key");
    let (i, _) = select(&key(), &k, &snap.entries, None).expect("the seeded entry");
    snap.entries[i].tokens.clone()
}

/// `rt-0` and `at-0` in a new store, written through the store's lock.
async fn seed_entry(b: &dyn StoreBackend) {
    let partition = key().partition();
    let mut lock = b.lock(&partition).await.unwrap();
    let k = lock.fingerprint_key().await.unwrap();
    let mut e = Entry::new(&key(), &k);
    e.tokens.rotate(Secret::new("rt-0"));
    e.tokens.access_token = Some(Secret::new("at-0"));
    e.tokens.expires_at = Some(SystemTime::now() + Duration::from_secs(3600));
    lock.write(vec![e]).await.unwrap();
}

// ------------------------------------------------------------ the parent

/// xorshift64*: reproducible kill delays from a printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Where the crash test keeps its tokens.
enum Store {
    File(tempfile::TempDir),
    Redis(RedisServer, String),
}

impl Store {
    fn name(&self) -> String {
        match self {
            Store::File(d) => d.path().join("tokens.json").display().to_string(),
            Store::Redis(_, url) => url.clone(),
        }
    }

    /// The bytes holding the test's entry: the store file, or the Redis entry's `data`.
    fn bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            Store::File(d) => {
                std::fs::read(d.path().join("tokens.json")).map_err(|e| format!("unreadable: {e}"))
            }
            Store::Redis(server, _) => {
                let mut c = redis::Client::open(server.url(0))
                    .and_then(|c| c.get_connection())
                    .map_err(|e| format!("Redis: {e}"))?;
                let keys: Vec<String> = redis::cmd("KEYS")
                    .arg("connstr:v1:{*}")
                    .query(&mut c)
                    .map_err(|e| format!("Redis: {e}"))?;
                let [key] = keys.as_slice() else {
                    return Err(format!("entries in Redis: {keys:?}"));
                };
                redis::cmd("HGET")
                    .arg(key)
                    .arg("data")
                    .query(&mut c)
                    .map_err(|e| format!("Redis: {e}"))
            }
        }
    }

    /// The one entry, read as plain JSON (independently of the grant layer's reader).
    fn only_entry(&self) -> Result<serde_json::Value, String> {
        let bytes = self.bytes()?;
        let v: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))?;
        let tokens = v["entries"].as_array().ok_or("no entries array")?;
        if tokens.len() != 1 {
            return Err(format!("{} entries", tokens.len()));
        }
        Ok(tokens[0].clone())
    }
}

fn kills_or(default: usize) -> usize {
    std::env::var("CONNSTR_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn sigkill_while_rotating_never_loses_the_refresh_token() {
    let store = Store::File(tempfile::tempdir().unwrap());
    let dir = match &store {
        Store::File(d) => d.path().to_owned(),
        Store::Redis(..) => unreachable!(),
    };
    let path = dir.join("tokens.json");
    crash_run(&store, kills_or(120), Duration::from_millis(30));

    // Orphaned temporary files (a kill between create and rename) must be
    // private: they hold the tokens too.
    let mut orphans = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".tmp") {
            orphans += 1;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let mode = e.metadata().unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{name} is {mode:o}");
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    println!("crash test (file store): {orphans} orphaned temp files (all 0600)");
}

/// The same on the Redis token store: a child killed while it holds the
/// fleet's refresh lease leaves the lease to expire (300 ms here, the shortest allowed), the next
/// child takes over; the entry always parses, never lags a handed-out token.
#[test]
fn sigkill_while_rotating_on_the_redis_store_never_loses_the_refresh_token() {
    let server = RedisServer::start(RedisOptions::default());
    let url = format!("{}?lease_ms=300", server.url(0));
    // Kills spread over a longer window: a child first waits out the lease a
    // killed holder left (up to 300 ms), then rotates.
    crash_run(
        &Store::Redis(server, url),
        kills_or(40),
        Duration::from_millis(500),
    );
}

/// Kill a rotating child `kills` times at random points and check the store
/// after each kill; each kill lands 0–`window` after the child is ready.
fn crash_run(store: &Store, kills: usize, window: Duration) {
    let seed: u64 = std::env::var("CONNSTR_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| getrandom::u64().unwrap() | 1);
    let kind = match store {
        Store::File(_) => "file store",
        Store::Redis(..) => "Redis store",
    };
    println!("crash test ({kind}): {kills} kills, CONNSTR_CRASH_SEED={seed}");
    let mut rng = Rng(seed);

    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let name = store.name();

    let mut stored: u64 = 0; // the refresh token number the store holds
    let mut handed_total: u64 = 0;
    let mut kills_after_save_before_handout = 0usize;
    let mut kills_with_nothing_handed_out = 0usize;
    let mut kills_in_flight = 0usize;
    for round in 0..kills {
        if round == 0 {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let choice = StoreChoice::named(&name).unwrap();
                seed_entry(backend(&choice).as_ref()).await;
            });
        }

        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--ignored", "--nocapture"])
            .env("CONNSTR_CRASH_STORE", &name)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Wait for "ready", then kill at a random point of the window.
        let ready_by = Instant::now() + Duration::from_secs(20);
        let mut lines = Vec::new();
        loop {
            let left = ready_by.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(l) if l == "ready" => break,
                Ok(l) => lines.push(l),
                Err(_) => {
                    let _ = child.kill();
                    let out = child.wait_with_output().unwrap();
                    panic!(
                        "child never got ready: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            }
        }
        let delay = Duration::from_micros(rng.next() % (window.as_micros() as u64 + 1));
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the child ended by itself"
        );
        reader.join().unwrap();
        lines.extend(rx.try_iter());
        let handed: Vec<u64> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("handed out access token "))
            .map(|n| n.parse().unwrap())
            .collect();
        // Hand-outs are consecutive, starting right after the stored token.
        for (i, n) in handed.iter().enumerate() {
            assert_eq!(*n, stored + 1 + i as u64, "round {round}: {handed:?}");
        }
        let newest_handed = handed.last().copied().unwrap_or(stored);
        let issued = lines
            .iter()
            .filter_map(|l| l.strip_prefix("issued refresh token "))
            .map(|n| n.parse::<u64>().unwrap())
            .max()
            .unwrap_or(stored);
        handed_total += handed.len() as u64;
        if handed.is_empty() {
            kills_with_nothing_handed_out += 1;
        }

        // The store parses and holds the old or the new refresh token.
        let entry = store
            .only_entry()
            .unwrap_or_else(|e| panic!("round {round}: the store is broken after a kill: {e}"));
        let rt = entry["refresh_token"].as_str().unwrap_or_default();
        let at = entry["access_token"].as_str().unwrap_or_default();
        let k = number(rt, "rt-")
            .unwrap_or_else(|| panic!("round {round}: no refresh token in {entry}"));
        assert!(
            k == newest_handed || k == newest_handed + 1,
            "round {round}: the store holds rt-{k}, but at-{newest_handed} was handed out \
             (old or new expected: rt-{newest_handed} or rt-{})",
            newest_handed + 1
        );
        assert_eq!(
            number(at, "at-"),
            Some(k),
            "round {round}: access and refresh token out of step"
        );
        assert!(entry.get("refresh_token_dead").is_none(), "{entry}");
        // At most the one refresh token in flight (issued by the server, the
        // response not yet saved) is missing from the store.
        assert!(
            k == issued || k + 1 == issued,
            "round {round}: the server issued rt-{issued}, the store holds rt-{k}"
        );
        if k == newest_handed + 1 {
            kills_after_save_before_handout += 1;
        }
        if k + 1 == issued {
            kills_in_flight += 1;
        }
        stored = k;
    }
    let elapsed = started.elapsed();
    println!(
        "crash test ({kind}): {kills} SIGKILLs survived in {:.1} s; {stored} rotations saved; \
         {handed_total} access tokens handed out; {kills_with_nothing_handed_out} kills before \
         the first hand-out of their run; {kills_after_save_before_handout} kills between a save \
         and its hand-out; {kills_in_flight} kills between the server issuing a refresh token and \
         its save (the one rotation a crash can lose)",
        elapsed.as_secs_f64()
    );
    assert!(
        stored > 0,
        "no rotation ever completed: the kills came too early"
    );
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

/// `rt-0` and `at-0` in a new store file.
fn seed_store(path: &Path) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(seed_entry(&TokenStore::at(path)));
}

/// A kill between the temp file's creation and its rename leaves the temp file
/// behind (the crash test above counts them): a full copy of the store, access
/// and refresh tokens included. The next write, holding the lock, removes it.
#[test]
fn orphaned_temp_files_are_removed_by_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    seed_store(&path);
    // What a process killed inside write_atomically leaves (pid 99999 is gone).
    let orphan = dir.path().join(".tokens.json.99999.00000000deadbeef.tmp");
    std::fs::write(&orphan, std::fs::read(&path).unwrap()).unwrap();
    let store = TokenStore::at(&path);
    let lock = store.lock_blocking().unwrap();
    lock.update(&key(), |t| t.rotate(Secret::new("rt-1")))
        .unwrap();
    drop(lock);
    assert!(
        !orphan.exists(),
        "an orphaned temp file holding tokens survives the next write"
    );
}
