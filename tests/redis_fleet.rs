//! The Redis token store as a fleet uses it, through the built binary: three hosts (three
//! separate home directories) with four `connstr token` processes each share one rotating
//! refresh token on the real oidc-provider (tests/oidc) and a real `redis-server`
//! (tests/support/redis_server.rs), chosen by `CONNSTR_TOKEN_STORE=redis://…`. One refresh
//! for twelve processes, no reuse, no file store anywhere; a lease holder killed mid-refresh
//! is taken over; Redis down is a typed error naming the store, never a file fallback; no key
//! name, log line or output carries a secret.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::cli::{self, text};
use support::oidc::{CONFIDENTIAL, OidcOptions, OidcServer};
use support::redis_server::{RedisOptions, RedisServer};

/// One host: a home and state directory of its own (where a file store would go).
struct Host {
    home: tempfile::TempDir,
}

impl Host {
    fn new() -> Host {
        Host {
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self, store: &str, args: &[&str]) -> Command {
        let mut c = cli::command();
        c.args(args)
            .env("HOME", self.home.path())
            .env("XDG_STATE_HOME", self.home.path().join("state"))
            .env("CONNSTR_TOKEN_STORE", store)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Every file under the home directory (a file store would show up here).
    fn files(&self) -> Vec<PathBuf> {
        fn walk(d: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.home.path(), &mut out);
        out
    }
}

fn config(server: &OidcServer, refresh_token: &str) -> String {
    format!(
        "AuthenticationMethod=OAuth2-RefreshToken;ClientID={};ClientSecret={};\
         RefreshToken={{{refresh_token}}};TokenURI=POST {};Scope=api",
        CONFIDENTIAL.id,
        CONFIDENTIAL.secret.unwrap(),
        server.token_url()
    )
}

fn wait_all(children: Vec<Child>) -> Vec<Output> {
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

async fn redis_keys(redis: &RedisServer) -> Vec<String> {
    let mut c = redis::Client::open(redis.url(0))
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut c)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hosts_twelve_processes_one_rotating_refresh_token_one_refresh() {
    let redis = RedisServer::start(RedisOptions {
        appendonly: true,
        ..RedisOptions::default()
    });
    // Every token request is held 300 ms, so the twelve processes really overlap.
    let server = OidcServer::start(OidcOptions {
        token_delay_ms: 300,
        ..OidcOptions::default()
    });
    let rt0 = server.obtain_refresh_token().await;
    server.reset_stats().await;
    let conf = config(&server, &rt0);
    let store = redis.url(0);
    let hosts: Vec<Host> = (0..3).map(|_| Host::new()).collect();

    let started = Instant::now();
    let children: Vec<Child> = hosts
        .iter()
        .flat_map(|h| {
            (0..4).map(|_| h.command(&store, &["token", "--format", "json", "-c", &conf]))
        })
        .map(|mut c| c.spawn().unwrap())
        .collect();
    let outs = wait_all(children);
    let elapsed = started.elapsed();
    let mut sources = Vec::new();
    for o in &outs {
        assert_eq!(o.status.code(), Some(0), "{}", text(o));
        let j: Value = serde_json::from_slice(&o.stdout).unwrap();
        sources.push(j["source"].as_str().unwrap_or_default().to_owned());
    }
    let stats = server.stats().await;
    assert_eq!(
        stats.grant("refresh_token"),
        1,
        "twelve processes on three hosts made more than one refresh ({sources:?}): {stats:?}"
    );
    assert_eq!(stats.token_requests, 1, "{stats:?}");
    assert_eq!(stats.refresh_token_reuse, 0, "{stats:?}");
    assert!(stats.by_error.is_empty(), "{stats:?}");
    assert_eq!(
        sources.iter().filter(|s| *s == "refreshed").count(),
        1,
        "{sources:?}"
    );
    eprintln!("12 processes on 3 hosts: {elapsed:?}, sources {sources:?}");

    // Each host again: every process is served from the shared store, nothing requested.
    let outs = wait_all(
        hosts
            .iter()
            .map(|h| {
                h.command(&store, &["token", "--format", "json", "-c", &conf])
                    .spawn()
                    .unwrap()
            })
            .collect(),
    );
    for o in &outs {
        assert_eq!(o.status.code(), Some(0), "{}", text(o));
    }
    assert_eq!(server.stats().await.token_requests, 1);

    // One host forces a refresh (rotation); another host then uses the rotated lineage:
    // its configuration still holds the first refresh token, which the store knows as retired.
    let forced = hosts[0]
        .command(
            &store,
            &["token", "--format", "json", "--force-refresh", "-c", &conf],
        )
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced));
    let again = hosts[2]
        .command(
            &store,
            &["token", "--format", "json", "--force-refresh", "-c", &conf],
        )
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let stats = server.stats().await;
    assert_eq!(stats.grant("refresh_token"), 3, "{stats:?}");
    assert_eq!(stats.refresh_token_reuse, 0, "{stats:?}");
    assert!(stats.by_error.is_empty(), "{stats:?}");

    // Redis stopped: a typed error naming it, within seconds, and no file fallback.
    let mut redis = redis;
    redis.stop();
    let started = Instant::now();
    let down = hosts[1]
        .command(
            &format!("{store}?connect_timeout_ms=1000"),
            &["token", "--format", "json", "--force-refresh", "-c", &conf],
        )
        .output()
        .unwrap();
    assert_ne!(down.status.code(), Some(0), "{}", text(&down));
    eprintln!(
        "Redis down: exit {:?} after {:?}",
        down.status.code(),
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // --format json: the error is the JSON document on standard output.
    let err = text(&down);
    assert!(
        err.contains("(Redis)") && err.contains(&format!("127.0.0.1:{}", redis.port())),
        "{err}"
    );
    // Started again (append-only file, `appendfsync always`): the fleet carries on with the
    // rotated lineage it had acknowledged.
    redis.start_again();
    let after = hosts[1]
        .command(
            &store,
            &["token", "--format", "json", "--force-refresh", "-c", &conf],
        )
        .output()
        .unwrap();
    assert_eq!(after.status.code(), Some(0), "{}", text(&after));
    let stats = server.stats().await;
    assert_eq!(stats.grant("refresh_token"), 4, "{stats:?}");
    assert_eq!(stats.refresh_token_reuse, 0, "{stats:?}");
    assert!(stats.by_error.is_empty(), "{stats:?}");

    // No file store on any host: the lineage lives only in Redis.
    for h in &hosts {
        assert!(h.files().is_empty(), "{:?}", h.files());
    }
    // Key names and Redis's log carry no client id, user or token; outputs no secret.
    let keys = redis_keys(&redis).await;
    assert!(!keys.is_empty());
    for k in &keys {
        assert!(k.starts_with("connstr:v1:"), "{k}");
        for s in [CONFIDENTIAL.id, CONFIDENTIAL.secret.unwrap(), rt0.as_str()] {
            assert!(!k.contains(s), "a key name carries `{s}`: {k}");
        }
    }
    let log = redis.log();
    assert!(!log.contains(&rt0) && !log.contains(CONFIDENTIAL.secret.unwrap()));
    for o in outs.iter().chain([&forced, &again, &down, &after]) {
        let all = text(o);
        assert!(
            !all.contains(&rt0) && !all.contains(CONFIDENTIAL.secret.unwrap()),
            "{all}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_holder_killed_mid_refresh_is_taken_over_and_the_grant_survives() {
    let redis = RedisServer::start(RedisOptions::default());
    // The refresh is held 2 s at the server: long enough to kill its sender in flight.
    let server = OidcServer::start(OidcOptions {
        token_delay_ms: 2000,
        ..OidcOptions::default()
    });
    let rt0 = server.obtain_refresh_token().await;
    server.reset_stats().await;
    let conf = config(&server, &rt0);
    // A short lease, so the takeover is quick (renewed every third of it while alive).
    let store = format!("{}?lease_ms=1000", redis.url(0));
    let (a, b) = (Host::new(), Host::new());

    let mut holder = a
        .command(&store, &["token", "--format", "json", "-c", &conf])
        .spawn()
        .unwrap();
    // Wait until its refresh is at the server, then SIGKILL it.
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.stats().await.in_flight == 0 {
        assert!(
            Instant::now() < deadline,
            "the refresh never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    holder.kill().unwrap();
    let _ = holder.wait();

    let started = Instant::now();
    let taker = b
        .command(&store, &["token", "--format", "json", "-vv", "-c", &conf])
        .output()
        .unwrap();
    assert_eq!(taker.status.code(), Some(0), "{}", text(&taker));
    let j: Value = serde_json::from_slice(&taker.stdout).unwrap();
    assert_eq!(j["source"], "refreshed", "{j}");
    let stderr = String::from_utf8_lossy(&taker.stderr);
    assert!(
        stderr.contains("another process holds the refresh lease"),
        "the second host did not wait for the dead holder's lease:\n{stderr}"
    );
    eprintln!("takeover after SIGKILL: {:?}", started.elapsed());
    let stats = server.stats().await;
    assert_eq!(stats.refresh_token_reuse, 0, "{stats:?}");
    assert!(!stats.by_error.contains_key("invalid_grant"), "{stats:?}");
    assert_eq!(stats.by_status.get("200"), Some(&1), "{stats:?}");
}

#[test]
fn redis_down_is_a_typed_error_naming_the_store_and_never_a_file() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host = Host::new();
    let store = format!("redis://:hunter2-redis@127.0.0.1:{port}/0?connect_timeout_ms=500");
    let conf = "AuthenticationMethod=OAuth2-RefreshToken;ClientID=app;ClientSecret=s3cr3t-app;\
                RefreshToken=rt-s3cr3t-value;TokenURI=POST http://127.0.0.1:9/token";
    let started = Instant::now();
    let out = host
        .command(&store, &["token", "-c", conf])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("redis://127.0.0.1:{port}/0")) && err.contains("Redis"),
        "{err}"
    );
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    for s in ["hunter2-redis", "s3cr3t-app", "rt-s3cr3t-value"] {
        assert!(!text(&out).contains(s), "{}", text(&out));
    }
    assert!(
        host.files().is_empty(),
        "fell back to a file: {:?}",
        host.files()
    );
}
