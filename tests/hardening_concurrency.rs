//! Many processes × many tasks sharing one token store and one rotating
//! refresh token, against the real oidc-provider (tests/oidc/) with rotation
//! and a 3 s access token lifetime: no `invalid_grant`, no refresh token
//! reuse, one refresh in flight at a time, and exactly one refresh per
//! expiry.
//!
//! Each child process (this test binary re-run with `CONNSTR_CONC_TOKEN_URL`
//! set) runs one `TokenSource` and `CONNSTR_CONC_TASKS` tasks that ask it for a
//! token every 20 ms until a common deadline, then prints every distinct
//! access token it was handed (as a hash) with its expiry.
//!
//! Run twice: on one host with the file store (4 processes × 50 tasks), and as
//! a fleet — three hosts, each a home directory of its own, × 4 processes × 25
//! tasks — sharing the Redis token store of a real `redis-server`.
//!
//! `CONNSTR_CONC_HOSTS` (fleet, default 3), `CONNSTR_CONC_PROCESSES` (default
//! 4), `CONNSTR_CONC_TASKS` (default 50; fleet 25) and `CONNSTR_CONC_SECONDS`
//! (default 7) size the run.

#[allow(dead_code)] // shared; this file uses part of it
#[path = "support/plans.rs"]
mod plans;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connstr::grant::{RetryPolicy, SourceOptions, StoreChoice, TokenSource};
use sha2::Digest as _;
use support::oidc::{self, OidcOptions, OidcServer};
use support::redis_server::{RedisOptions, RedisServer};

/// Access token lifetime at the server; the source refreshes at half of it.
const TTL_SECS: u64 = 3;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn hash(s: &str) -> String {
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ------------------------------------------------------------ the child

fn child_main(token_url: &str, store: &str, rt0: &str, tasks: u64, deadline_ms: u64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let tc = plans::token_client(
            Duration::from_secs(5),
            Duration::from_secs(20),
            RetryPolicy {
                max_attempts: 3,
                initial_backoff: Duration::from_millis(20),
                max_backoff: Duration::from_millis(100),
                max_total: Duration::from_secs(20),
            },
        );
        let plan = plans::refresh_plan(
            plans::basic_client(oidc::CONFIDENTIAL.id, oidc::CONFIDENTIAL.secret),
            token_url.parse().unwrap(),
            Some(rt0),
        );
        let source = TokenSource::from_oauth2(
            &plan,
            Some("alice"),
            None,
            SourceOptions {
                margin: Duration::from_secs(60),
                // A file path, or redis://… for the fleet store.
                store: StoreChoice::named(store).unwrap(),
                client: Some(tc),
            },
        )
        .unwrap();
        // token hash -> (latest expiry seen, ms; first seen, ms)
        let seen: Arc<Mutex<BTreeMap<String, (u64, u64)>>> = Arc::default();
        let errors: Arc<Mutex<Vec<String>>> = Arc::default();
        let calls = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut handles = Vec::new();
        for i in 0..tasks {
            let source = source.clone();
            let seen = Arc::clone(&seen);
            let errors = Arc::clone(&errors);
            let calls = Arc::clone(&calls);
            handles.push(tokio::spawn(async move {
                // Spread the tasks over the 20 ms period.
                tokio::time::sleep(Duration::from_micros(i * 400)).await;
                while unix_ms(SystemTime::now()) < deadline_ms {
                    calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    match source.token().await {
                        Ok(t) => {
                            let now = unix_ms(SystemTime::now());
                            let exp = t.expires_at.map_or(0, unix_ms);
                            let mut s = seen.lock().unwrap();
                            let e = s.entry(hash(t.access_token.expose())).or_insert((exp, now));
                            e.0 = e.0.max(exp);
                        }
                        Err(e) => errors.lock().unwrap().push(e.to_string()),
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        for (h, (exp, first)) in seen.lock().unwrap().iter() {
            println!("token {h} {exp} {first}");
        }
        println!("calls {}", calls.load(std::sync::atomic::Ordering::Relaxed));
        for e in errors.lock().unwrap().iter() {
            println!("error {e}");
        }
    });
}

#[test]
#[ignore = "child process of processes_and_tasks_share_one_rotating_refresh_token"]
fn concurrency_child() {
    let (Ok(url), Ok(store), Ok(rt)) = (
        std::env::var("CONNSTR_CONC_TOKEN_URL"),
        std::env::var("CONNSTR_CONC_STORE"),
        std::env::var("CONNSTR_CONC_RT"),
    ) else {
        return;
    };
    child_main(
        &url,
        &store,
        &rt,
        env_or("CONNSTR_CONC_TASKS", 50),
        env_or("CONNSTR_CONC_DEADLINE_MS", 0),
    );
}

// ------------------------------------------------------------ the parent

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_and_tasks_share_one_rotating_refresh_token() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("tokens.json");
    run(
        "file store",
        &store.display().to_string(),
        1,
        env_or("CONNSTR_CONC_PROCESSES", 4),
        env_or("CONNSTR_CONC_TASKS", 50),
    )
    .await;
}

/// The fleet: three hosts (a home directory each, nothing shared but Redis)
/// × four processes × 25 tasks on one rotating refresh token, through the
/// Redis token store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hosts_share_one_rotating_refresh_token_through_redis() {
    // As the README says to run it: AOF with appendfsync always, and an ACL
    // user limited to connstr's keys and commands (the default user off).
    let redis = RedisServer::start(RedisOptions {
        appendonly: true,
        acl_user: Some(("connstr".to_owned(), "fleet-acl-p4ss".to_owned())),
        ..RedisOptions::default()
    });
    run(
        "Redis store",
        &redis.url(0),
        env_or("CONNSTR_CONC_HOSTS", 3),
        env_or("CONNSTR_CONC_PROCESSES", 4),
        env_or("CONNSTR_CONC_TASKS", 25),
    )
    .await;
}

/// `hosts` × `processes` × `tasks` on one rotating refresh token in `store`.
async fn run(what: &str, store: &str, hosts: u64, processes: u64, tasks: u64) {
    let seconds = env_or("CONNSTR_CONC_SECONDS", 7);
    let server = OidcServer::start(OidcOptions {
        access_token_ttl: Some(TTL_SECS),
        rotate_refresh_token: true,
        ..OidcOptions::default()
    });
    let rt0 = server.obtain_refresh_token().await;
    server.reset_stats().await;
    let homes: Vec<tempfile::TempDir> = (0..hosts).map(|_| tempfile::tempdir().unwrap()).collect();

    let exe = std::env::current_exe().unwrap();
    let deadline = unix_ms(SystemTime::now()) + seconds * 1000;
    let children: Vec<_> = homes
        .iter()
        .flat_map(|home| (0..processes).map(move |_| home))
        .map(|home| {
            Command::new(&exe)
                .args(["--exact", "concurrency_child", "--ignored", "--nocapture"])
                .env("HOME", home.path())
                .env("XDG_STATE_HOME", home.path().join("state"))
                .env("CONNSTR_CONC_TOKEN_URL", server.token_url())
                .env("CONNSTR_CONC_STORE", store)
                .env("CONNSTR_CONC_RT", &rt0)
                .env("CONNSTR_CONC_TASKS", tasks.to_string())
                .env("CONNSTR_CONC_DEADLINE_MS", deadline.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut tokens: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut calls = 0u64;
    let mut per_process = Vec::new();
    for c in children {
        let out = tokio::task::spawn_blocking(move || c.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "child failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut mine = BTreeSet::new();
        for line in stdout.lines() {
            if let Some(rest) = line.strip_prefix("token ") {
                let f: Vec<&str> = rest.split(' ').collect();
                let (exp, first): (u64, u64) = (f[1].parse().unwrap(), f[2].parse().unwrap());
                let e = tokens.entry(f[0].to_owned()).or_insert((exp, first));
                e.0 = e.0.max(exp);
                e.1 = e.1.min(first);
                mine.insert(f[0].to_owned());
            } else if let Some(n) = line.strip_prefix("calls ") {
                calls += n.parse::<u64>().unwrap();
            } else if let Some(e) = line.strip_prefix("error ") {
                errors.push(e.to_owned());
            }
        }
        per_process.push(mine.len());
    }
    let stats = server.stats().await;

    // Generations in the order they were issued; the gaps between them.
    let mut generations: Vec<(u64, u64)> = tokens.values().copied().collect();
    generations.sort();
    let gaps_ms: Vec<u64> = generations
        .windows(2)
        .map(|w| w[1].0.saturating_sub(w[0].0))
        .collect();
    let distinct = tokens.len() as u64;
    let refreshes = stats.grant("refresh_token");
    println!(
        "concurrency ({what}): {hosts} hosts x {processes} processes x {tasks} tasks, {seconds} s, access token TTL \
         {TTL_SECS} s: {calls} token() calls, {distinct} distinct access tokens \
         (= {} expiries crossed), {refreshes} refresh_token requests at the server, \
         {} invalid_grant, {} refresh token reuses, {} grants revoked, max in flight {}; \
         distinct tokens per process {per_process:?}; gaps between generations {gaps_ms:?} ms",
        distinct.saturating_sub(1),
        stats.error("invalid_grant"),
        stats.refresh_token_reuse,
        stats.grants_revoked,
        stats.max_in_flight
    );
    assert!(errors.is_empty(), "token() failed: {errors:?}");
    assert_eq!(stats.error("invalid_grant"), 0, "{stats:?}");
    assert_eq!(stats.refresh_token_reuse, 0, "{stats:?}");
    assert_eq!(stats.grants_revoked, 0, "{stats:?}");
    assert_eq!(stats.max_in_flight, 1, "refreshes overlapped: {stats:?}");
    assert_eq!(
        stats.token_requests, refreshes,
        "only refreshes expected: {stats:?}"
    );
    // One refresh per generation: every refresh's token was handed out, and
    // no generation was refreshed twice.
    assert_eq!(
        refreshes, distinct,
        "refresh requests vs distinct access tokens handed out: {stats:?}"
    );
    assert!(
        distinct >= 4,
        "fewer than 3 expiries crossed ({distinct} generations): lengthen CONNSTR_CONC_SECONDS"
    );
    // Two refreshes of one generation would be milliseconds apart; a
    // generation lives about TTL/2 (an adopting process sees the expiry to
    // the second, so it may refresh up to ~1 s early).
    assert!(
        gaps_ms.iter().all(|g| *g >= 500),
        "generations issued too close together: {gaps_ms:?}"
    );
    // Every process saw (nearly) every generation: they shared the tokens (a
    // process that starts late on a loaded machine may miss the first ones).
    assert!(
        per_process.iter().all(|n| *n as u64 + 2 >= distinct),
        "{per_process:?} of {distinct}"
    );
}
