//! Logging through the built binary: `connstr token` with `-v…`, `CONNSTR_LOG`
//! and `RUST_LOG` against a local recording token endpoint that fails first
//! (503 + Retry-After, its error description echoing the request's secrets in
//! every encoding), then issues a token with a rotated refresh token.
//!
//! Asserted: the log lines a user debugging a connection needs are on standard
//! error (token request with grant type and endpoint, the retry warning, the
//! store write, the rotation, the store adoption on the next run); standard
//! output carries only the report or the JSON; no secret — client secret,
//! refresh tokens, access token, literal, form-urlencoded, percent-encoded or
//! in the Basic credential — anywhere in either stream.

#[allow(dead_code)] // the harness is shared; this file uses part of it
#[path = "support/cli.rs"]
mod cli;
mod grant_support;

use std::path::Path;
use std::process::Output;

use base64::Engine as _;
use cli::text;
use connstr::grant::{BasicEncoding, basic_credentials};
use grant_support::{Recorder, Reply};

const CLIENT_ID: &str = "log app";
const CLIENT_SECRET: &str = "Cs-log/sec+ret %;}x";
const REFRESH_TOKEN: &str = "Rt-log refresh/token+1";
const NEW_REFRESH_TOKEN: &str = "Nr-log rotated&token=2";
const ACCESS_TOKEN: &str = "At-log-access.token_3";

/// Every form in which a secret could show up in text.
fn forms(secret: &str) -> Vec<String> {
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let pct_upper = form.replace('+', "%20");
    let pct_lower = lower_hex(&pct_upper);
    let json = serde_json::to_string(secret).unwrap();
    let debug = format!("{secret:?}");
    vec![
        secret.to_owned(),
        form.clone(),
        lower_hex(&form),
        pct_upper,
        pct_lower,
        json[1..json.len() - 1].to_owned(),
        debug[1..debug.len() - 1].to_owned(),
    ]
}

/// `%2F` → `%2f`.
fn lower_hex(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for h in chars.by_ref().take(2) {
                out.push(h.to_ascii_lowercase());
            }
        }
    }
    out
}

/// The Basic credential of the client, both encodings, with and without padding.
fn basic_forms() -> Vec<String> {
    let mut v = Vec::new();
    for enc in [BasicEncoding::FormUrlEncoded, BasicEncoding::Raw] {
        let full = basic_credentials(CLIENT_ID, CLIENT_SECRET, enc);
        let b64 = full.trim_start_matches("Basic ").to_owned();
        v.push(b64.trim_end_matches('=').to_owned());
        v.push(b64);
    }
    v
}

fn all_secret_forms() -> Vec<String> {
    let mut v: Vec<String> = [
        CLIENT_SECRET,
        REFRESH_TOKEN,
        NEW_REFRESH_TOKEN,
        ACCESS_TOKEN,
    ]
    .iter()
    .flat_map(|s| forms(s))
    .collect();
    v.extend(basic_forms());
    v.sort();
    v.dedup();
    v
}

fn assert_no_secret(o: &Output) {
    let all = text(o);
    for f in all_secret_forms() {
        assert!(!all.contains(&f), "secret form {f:?} shown:\n{all}");
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A 503 whose OAuth error description echoes the request's secrets (literal,
/// form-urlencoded, percent-encoded, the Basic credential), with Retry-After.
fn echoing_503() -> Reply {
    let form = |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    let basic = basic_credentials(CLIENT_ID, CLIENT_SECRET, BasicEncoding::FormUrlEncoded);
    let description = format!(
        "busy; got client_secret={} refresh_token={} raw {} auth {basic}",
        form(CLIENT_SECRET),
        form(REFRESH_TOKEN).replace('+', "%20"),
        CLIENT_SECRET,
    );
    let body = serde_json::json!({
        "error": "temporarily_unavailable",
        "error_description": description,
    })
    .to_string();
    Reply::with(
        503,
        &[("Content-Type", "application/json"), ("Retry-After", "0")],
        &body,
    )
}

fn token_reply() -> Reply {
    Reply::json(
        200,
        &serde_json::json!({
            "access_token": ACCESS_TOKEN,
            "refresh_token": NEW_REFRESH_TOKEN,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "read",
        })
        .to_string(),
    )
}

/// A refresh token configuration, client credentials in the header *and* the
/// query (ClientCredentialsMode=All: the most places a secret can be).
fn config(rec: &Recorder) -> String {
    let enc = connstr::syntax::encode_value;
    format!(
        "AuthenticationMethod=OAuth2-RefreshToken;ClientID={};ClientSecret={};\
         ClientCredentialsMode=All;RefreshToken={};TokenURI=POST {}",
        enc(CLIENT_ID),
        enc(CLIENT_SECRET),
        enc(REFRESH_TOKEN),
        rec.url("/oauth2/token?tenant=t1"),
    )
}

/// `connstr ARGS` with `env` set (and every log variable unset unless given).
fn connstr(store: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = cli::command();
    cmd.args(args)
        .env("CONNSTR_TOKEN_STORE", store)
        .envs(env.iter().copied());
    cmd.output().expect("run connstr")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// Lines of standard error that are log lines (`<time> <LEVEL> <target>: …`).
fn log_lines(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| {
            let mut w = l.split_whitespace();
            w.next().is_some_and(|t| t.ends_with('Z'))
                && w.next()
                    .is_some_and(|lv| ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"].contains(&lv))
        })
        .map(str::to_owned)
        .collect()
}

fn has_line(lines: &[String], level: &str, parts: &[&str]) -> bool {
    lines
        .iter()
        .any(|l| l.contains(&format!(" {level} ")) && parts.iter().all(|p| l.contains(p)))
}

fn assert_line(o: &Output, level: &str, parts: &[&str]) {
    assert!(
        has_line(&log_lines(o), level, parts),
        "no {level} line with {parts:?}:\n{}",
        text(o)
    );
}

#[test]
fn vvv_logs_requests_retries_and_the_store_without_secrets() {
    let rt = runtime();
    let rec = rt.block_on(Recorder::start(vec![echoing_503(), token_reply()], None));
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("state").join("tokens.json");
    let cfg = config(&rec);
    let o = connstr(&store, &["-vvv", "token", "-c", &cfg], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(rec.count(), 2);
    let endpoint = format!("endpoint=http://{}/oauth2/token ", rec.addr);

    // One info line per request, with grant type and endpoint (no query).
    assert_line(
        &o,
        "INFO",
        &[
            "token request",
            "grant_type=\"refresh_token\"",
            &endpoint,
            "attempt=1",
            "status=503",
        ],
    );
    assert_line(
        &o,
        "INFO",
        &["token request", &endpoint, "attempt=2", "status=200"],
    );
    // Parameter names, never values; the query's own parameter and ours.
    assert_line(
        &o,
        "DEBUG",
        &[
            "sending token request",
            "query_params=tenant,client_id,client_secret",
            "body_params=grant_type,refresh_token",
            "client_auth=All",
        ],
    );
    // The retry: reason, backoff from Retry-After, the server's text scrubbed.
    assert_line(
        &o,
        "WARN",
        &[
            "retrying",
            "reason=\"HTTP 503 temporarily_unavailable\"",
            "backoff_ms=0",
            "retry_after=true",
            "<redacted>",
        ],
    );
    assert_line(
        &o,
        "DEBUG",
        &["token response", "refresh_token_issued=true"],
    );
    assert_line(&o, "DEBUG", &["refresh token rotated"]);
    assert_line(&o, "DEBUG", &["token store lock acquired"]);
    assert_line(&o, "DEBUG", &["token store written", "fsynced"]);
    assert_line(&o, "TRACE", &["token store entry re-read under the lock"]);

    // Every log line is connstr's own (a bare level leaves other crates at warn).
    let lines = log_lines(&o);
    assert!(lines.len() >= 10, "{}", text(&o));
    for l in &lines {
        assert!(l.contains(" connstr::"), "not connstr's: {l}");
    }
    // Standard output: the report only.
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("access token for "), "{out}");
    assert!(!out.contains("connstr::") && !out.contains("INFO"), "{out}");
    assert_no_secret(&o);

    // The next run finds the fresh token in the store: nothing requested.
    let o = connstr(&store, &["-vv", "token", "-c", &cfg], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(rec.count(), 2);
    assert_line(&o, "DEBUG", &["adopted, nothing requested"]);
    assert!(
        !has_line(&log_lines(&o), "TRACE", &[]),
        "-vv shows no trace:\n{}",
        text(&o)
    );
    assert_no_secret(&o);
}

#[test]
fn connstr_log_trace_with_json_keeps_stdout_clean() {
    let rt = runtime();
    let rec = rt.block_on(Recorder::start(vec![echoing_503(), token_reply()], None));
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("tokens.json");
    let cfg = config(&rec);
    let o = connstr(
        &store,
        &["token", "--format", "json", "-c", &cfg],
        &[("CONNSTR_LOG", "connstr=trace")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Standard output is exactly one JSON document.
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["source"], "refreshed", "{v}");
    assert_eq!(v["refresh_token_rotated"], true, "{v}");
    let host = format!("endpoint=http://{}/oauth2/token ", rec.addr);
    assert_line(
        &o,
        "INFO",
        &["token request", "grant_type=\"refresh_token\"", &host],
    );
    assert_line(&o, "WARN", &["retrying", "reason=\"HTTP 503"]);
    assert_line(&o, "DEBUG", &["token store written"]);
    assert_line(&o, "TRACE", &["token response details", "content_type="]);
    assert_no_secret(&o);
}

#[test]
fn rust_log_is_honoured_when_connstr_log_is_unset() {
    let rt = runtime();
    let rec = rt.block_on(Recorder::start(vec![token_reply()], Some(token_reply())));
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&rec);
    let run = |store: &str, env: &[(&str, &str)]| {
        connstr(&dir.path().join(store), &["token", "-c", &cfg], env)
    };

    let o = run("a.json", &[("RUST_LOG", "debug")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_line(&o, "INFO", &["token request", "status=200"]);
    assert_line(
        &o,
        "DEBUG",
        &["logging to standard error", "from=\"RUST_LOG\""],
    );
    assert!(!has_line(&log_lines(&o), "TRACE", &[]), "{}", text(&o));
    assert_no_secret(&o);

    // CONNSTR_LOG wins over RUST_LOG.
    let o = run(
        "b.json",
        &[("RUST_LOG", "trace"), ("CONNSTR_LOG", "connstr=info")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_line(&o, "INFO", &["token request"]);
    assert!(!has_line(&log_lines(&o), "DEBUG", &[]), "{}", text(&o));

    // -v wins over both.
    let o = connstr(
        &dir.path().join("c.json"),
        &["token", "-vv", "-c", &cfg],
        &[("CONNSTR_LOG", "off")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_line(&o, "DEBUG", &["token store written"]);

    // Off is off.
    let o = run("d.json", &[("CONNSTR_LOG", "off")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(log_lines(&o).is_empty(), "{}", text(&o));
    assert!(o.stderr.is_empty(), "{}", text(&o));
}

#[test]
fn default_is_warnings_only_and_a_bad_directive_is_reported() {
    let rt = runtime();
    let rec = rt.block_on(Recorder::start(vec![echoing_503(), token_reply()], None));
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&rec);
    let o = connstr(&dir.path().join("t.json"), &["token", "-c", &cfg], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let lines = log_lines(&o);
    assert_eq!(lines.len(), 1, "{}", text(&o));
    assert_line(&o, "WARN", &["retrying", "<redacted>"]);
    assert_no_secret(&o);

    let o = connstr(
        &dir.path().join("u.json"),
        &["options"],
        &[("CONNSTR_LOG", "connstr=loud")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(stderr(&o).contains("ignoring CONNSTR_LOG"), "{}", text(&o));
}

/// The log never carries a secret in any encoding, checked on the raw
/// request bytes too: what was sent does hold them (so the check can fail).
#[test]
fn the_secrets_were_really_sent() {
    let rt = runtime();
    let rec = rt.block_on(Recorder::start(vec![token_reply()], None));
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&rec);
    let o = connstr(
        &dir.path().join("t.json"),
        &["-vvv", "token", "-c", &cfg],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let sent = rec.requests()[0].raw_str();
    let form: String = url::form_urlencoded::byte_serialize(CLIENT_SECRET.as_bytes()).collect();
    assert!(sent.contains(&form), "{sent}");
    let rt_form: String = url::form_urlencoded::byte_serialize(REFRESH_TOKEN.as_bytes()).collect();
    assert!(sent.contains(&rt_form), "{sent}");
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{form}",
        url::form_urlencoded::byte_serialize(CLIENT_ID.as_bytes()).collect::<String>()
    ));
    assert!(sent.contains(&b64), "{sent}");
    assert_no_secret(&o);
}

/// `invalid_grant` to a refresh (its description echoing the refresh token):
/// warnings say so and that the stored token is marked dead, with no secret;
/// the next run, finding the dead token in the store, warns and sends nothing.
#[test]
fn a_dead_refresh_token_is_a_warning() {
    let rt = runtime();
    let form: String = url::form_urlencoded::byte_serialize(REFRESH_TOKEN.as_bytes()).collect();
    let refused = Reply::json(
        400,
        &serde_json::json!({
            "error": "invalid_grant",
            "error_description": format!("refresh_token={form} is revoked"),
        })
        .to_string(),
    );
    let rec = rt.block_on(Recorder::start(vec![token_reply(), refused], None));
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("tokens.json");
    let cfg = config(&rec);
    // First run stores a token and the rotated refresh token; --force-refresh
    // then presents the rotated one, which the server refuses.
    let o = connstr(&store, &["token", "-c", &cfg], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = connstr(&store, &["token", "--force-refresh", "-c", &cfg], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_line(&o, "WARN", &["refused the refresh token (invalid_grant)"]);
    assert_line(
        &o,
        "WARN",
        &["refresh token marked dead in the token store"],
    );
    assert_no_secret(&o);
    let o = connstr(&store, &["-v", "token", "--force-refresh", "-c", &cfg], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(rec.count(), 2, "a dead refresh token is not sent");
    assert_line(&o, "WARN", &["marked dead", "not sent"]);
    assert!(!has_line(&log_lines(&o), "INFO", &["token request"]));
    assert_no_secret(&o);
}
