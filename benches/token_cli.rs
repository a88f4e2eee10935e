//! `connstr token` against `curl`: the wall time of one command that gets an
//! access token, both against the same local OAuth 2.0 server (oidc-provider,
//! `tests/oidc`; run `npm ci` there first), same client, same grant
//! (client_credentials, HTTP Basic client authentication, scope `api`).
//!
//! * `curl`: `curl -sf -u ID:SECRET -d grant_type=client_credentials&scope=api URL`,
//!   the floor for "a process that makes one token request".
//! * `connstr fresh grant`: `connstr token --force-refresh`: parse and validate
//!   the connection string, lock the token store, run the grant, save the
//!   tokens atomically (fsync), print the JSON report.
//! * `connstr cached`: `connstr token` with the token already in the store: no
//!   request at all.
//! * the same two with the Redis token store (`--token-store redis://…`, a
//!   real `redis-server` on 127.0.0.1 with `appendfsync always`): the fresh
//!   grant takes the fleet lease, writes with compare-and-set and releases; the
//!   cached run reads the fleet key and the entry.
//!
//! Run: `cargo bench --bench token_cli -- --warm-up-time 1 --measurement-time 5`.

use std::ffi::OsStr;
use std::process::{Command, Output, Stdio};

use criterion::{Criterion, criterion_group, criterion_main};

#[allow(dead_code)]
#[path = "../tests/support/oidc.rs"]
mod oidc;
#[allow(dead_code)]
#[path = "../tests/support/redis_server.rs"]
mod redis_server;

use oidc::{CLIENT_CREDENTIALS, OidcOptions, OidcServer};

const BIN: &str = env!("CARGO_BIN_EXE_connstr");

fn succeeded(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn connstr(config: &str, store: impl AsRef<OsStr>, force: bool) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(["token", "--format", "json", "-c", config, "--token-store"])
        .arg(store)
        .stdin(Stdio::null());
    if force {
        cmd.arg("--force-refresh");
    }
    cmd.output().expect("run connstr")
}

fn curl(url: &str, secret: &str) -> Output {
    Command::new("curl")
        .args(["-sf", "-u"])
        .arg(format!("{}:{secret}", CLIENT_CREDENTIALS.id))
        .args(["-d", "grant_type=client_credentials&scope=api"])
        .arg(url)
        .stdin(Stdio::null())
        .output()
        .expect("run curl")
}

fn bench(c: &mut Criterion) {
    let server = OidcServer::start(OidcOptions::default());
    let url = server.token_url();
    let secret = CLIENT_CREDENTIALS.secret.unwrap_or_default();
    let config = format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID={};ClientSecret={secret};\
         ClientCredentialsMode=Basic;TokenURI=POST {url};Scope=api",
        CLIENT_CREDENTIALS.id
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("tokens.json");

    // Both commands work before anything is timed.
    let out = curl(&url, secret);
    succeeded("curl", &out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("access_token"));
    let out = connstr(&config, &store, true);
    succeeded("connstr token", &out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["source"], "fresh_grant", "{report}");
    let out = connstr(&config, &store, false);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["source"], "store_cache", "{report}");
    let redis = redis_server::RedisServer::start(redis_server::RedisOptions {
        appendonly: true,
        ..Default::default()
    });
    let redis_store = redis.url(0);
    let out = connstr(&config, &redis_store, true);
    succeeded("connstr token (Redis)", &out);
    let out = connstr(&config, &redis_store, false);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["source"], "store_cache", "{report}");

    let mut g = c.benchmark_group("token-cli");
    g.sample_size(30);
    g.bench_function("curl", |b| {
        b.iter(|| succeeded("curl", &curl(&url, secret)))
    });
    g.bench_function("connstr fresh grant", |b| {
        b.iter(|| succeeded("connstr", &connstr(&config, &store, true)))
    });
    g.bench_function("connstr cached", |b| {
        b.iter(|| succeeded("connstr", &connstr(&config, &store, false)))
    });
    g.bench_function("connstr fresh grant (Redis store)", |b| {
        b.iter(|| succeeded("connstr", &connstr(&config, &redis_store, true)))
    });
    g.bench_function("connstr cached (Redis store)", |b| {
        b.iter(|| succeeded("connstr", &connstr(&config, &redis_store, false)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
