//! Custom logins (AuthenticationMethod=Custom) end to end against a small
//! login service on 127.0.0.1 that records every request: `connstr check`,
//! `explain`, `token` and `request` with a Model file modelled on the
//! vendor's example (an `api-key` header from CustomAuthParams, a JSON
//! payload with {user}, {password} and {customAuthParams[2]}, a second step
//! reading the first one's response, `HEADER`/`PARAM` lines, and a
//! `#reauthentication` run on a 401), plus the library's single flight. The
//! login and the data requests go through the transport settings (a real
//! tinyproxy with basic authentication).

#[allow(dead_code)] // the harness is shared; this file uses part of it
#[path = "support/cli.rs"]
mod cli;
#[path = "support/http.rs"]
mod http;
#[allow(dead_code)] // the harness is shared; this file uses part of it
#[path = "support/tinyproxy.rs"]
mod tinyproxy;

use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};

use cli::text;
use tokio::io::AsyncWriteExt as _;

const PASSWORD: &str = "Pw-s3cret&x y";
const API_KEY: &str = "key-123XYZ456abc";

/// One request the service received.
#[derive(Clone, Debug)]
struct Rec {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Rec {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Default)]
struct State {
    log: Vec<Rec>,
    issued: u32,
    /// The data endpoint refuses this token once (401).
    reject_once: Option<String>,
    /// `/refresh` answers 400.
    refresh_fails: bool,
    /// Tokens the data endpoint accepts.
    valid: Vec<String>,
}

struct Service {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl Service {
    fn start() -> Service {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let st = Arc::clone(&state);
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    tokio::spawn(serve(stream, Arc::clone(&st)));
                }
            });
        });
        Service { port, state }
    }

    fn log(&self) -> Vec<Rec> {
        self.state.lock().unwrap().log.clone()
    }

    fn paths(&self) -> Vec<String> {
        self.log().iter().map(|r| r.path.clone()).collect()
    }
}

async fn serve(mut stream: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let Some(req) = http::read_request(&mut stream).await else {
        return;
    };
    let head = req.head();
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default().to_owned();
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let rec = Rec {
        method,
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body: String::from_utf8_lossy(req.body()).into_owned(),
    };
    let (status, body) = answer(&rec, &mut state.lock().unwrap());
    state.lock().unwrap().log.push(rec);
    http::write_response(
        &mut stream,
        status,
        [("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
    .await;
    let _ = stream.shutdown().await;
}

fn answer(r: &Rec, s: &mut State) -> (u16, serde_json::Value) {
    use serde_json::json;
    match r.path.as_str() {
        "/login" => {
            let b = r.json();
            let ok = r.header("x-api-key") == Some(API_KEY)
                && b["login"]["name"] == "ann"
                && b["login"]["secret"] == PASSWORD;
            if ok {
                (200, json!({"session": {"id": "sess-1"}}))
            } else {
                (401, json!({"error": "bad login", "echo": b}))
            }
        }
        "/token" => {
            if r.header("x-session") != Some("sess-1") {
                return (401, json!({"error": "no session"}));
            }
            s.issued += 1;
            let t = format!("tok-{}", s.issued);
            s.valid.push(t.clone());
            (
                200,
                json!({"access": {"token": t}, "refresh": format!("rf-{}", s.issued)}),
            )
        }
        "/refresh" => {
            if s.refresh_fails {
                return (400, json!({"error": "refresh refused"}));
            }
            s.issued += 1;
            let t = format!("tok-r{}", s.issued);
            s.valid.push(t.clone());
            (200, json!({"access": {"token": t}}))
        }
        "/data" => {
            let bearer = r
                .header("authorization")
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::to_owned);
            let param = url::form_urlencoded::parse(r.query.as_bytes())
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.into_owned());
            let Some(t) = bearer.or(param) else {
                return (401, json!({"error": "no credential"}));
            };
            if s.reject_once.as_deref() == Some(t.as_str()) {
                s.reject_once = None;
                return (401, json!({"error": "expired"}));
            }
            if s.valid.contains(&t) {
                (200, json!({"rows": [1, 2, 3]}))
            } else {
                (401, json!({"error": "unknown token"}))
            }
        }
        _ => (404, json!({})),
    }
}

/// The Model file: the vendor's example's shape, two steps, `placement` the
/// final line.
fn model(port: u16, last: &str) -> String {
    format!(
        r##"{{
  // modelled on Progress's "Example Model file" (custom authentication)
  "#authentication": [
    "x-api-key={{customAuthParams[1]}}",
    "content-type=application/json",
    {{ "login": {{ "name": "{{user}}", "secret": "{{password}}", "company": "{{customAuthParams[2]}}" }} }},
    "POST http://{{serverName}}/login",
    "x-session={{/session/id}}",
    "POST http://127.0.0.1:{port}/token",
    "{last}"
  ],
  "#reauthentication": [
    {{ "refresh": "{{/refresh}}" }},
    "POST http://{{serverName}}/refresh",
  ],
  "orders": "http://{{serverName}}/data /rows",
}}
"##
    )
}

fn setup(last: &str, password: &str) -> (Service, tempfile::TempDir, String) {
    let svc = Service::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.rest"), model(svc.port, last)).unwrap();
    let conn = format!(
        "RESTConfigFile=model.rest;User=ann;Password={{{password}}};\
         CustomAuthParams={{{API_KEY};Acme Inc}};HostName=127.0.0.1:{}",
        svc.port
    );
    (svc, dir, conn)
}

fn run(dir: &Path, args: &[&str]) -> Output {
    cli::command()
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("CONNSTR_TOKEN_STORE", dir.join("tokens.json"))
        .env("RUST_LOG", "trace")
        .output()
        .expect("run connstr")
}

fn assert_no_secret(out: &str) {
    for s in [PASSWORD, API_KEY, "tok-1", "tok-r", "sess-1", "rf-1"] {
        assert!(!out.contains(s), "shows {s:?}:\n{out}");
    }
    let json = serde_json::to_string(PASSWORD).unwrap();
    assert!(!out.contains(&json[1..json.len() - 1]), "{out}");
}

const HEADER_LINE: &str = "HEADER Authorization=Bearer {/access/token}";
const PARAM_LINE: &str = "PARAM access_token= {/access/token}";

#[test]
fn no_method_named_checks_clean_explains_custom_and_token_logs_in() {
    let (svc, dir, conn) = setup(HEADER_LINE, PASSWORD);
    // check: clean (User, Password, CustomAuthParams are used by the login).
    let o = run(dir.path(), &["check", "--format", "json", "-c", &conn]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["diagnostics"], serde_json::json!([]), "{}", text(&o));
    // explain: Custom, from the Model file with its line.
    let o = run(dir.path(), &["explain", "-c", &conn]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("Custom (ODBC code 29)"), "{out}");
    assert!(out.contains("model.rest:3:"), "{out}");
    assert_no_secret(&out);
    assert!(svc.log().is_empty(), "check/explain sent requests");
    // token: the login runs.
    let o = run(dir.path(), &["token", "-c", &conn]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("custom login"), "{out}");
    assert!(out.contains("header Authorization: <redacted>"), "{out}");
    assert_no_secret(&out);
    let log = svc.log();
    assert_eq!(svc.paths(), ["/login", "/token"]);
    let login = &log[0];
    assert_eq!(login.method, "POST");
    assert_eq!(login.header("x-api-key"), Some(API_KEY));
    assert_eq!(login.header("content-type"), Some("application/json"));
    assert_eq!(
        login.json(),
        serde_json::json!({"login": {"name": "ann", "secret": PASSWORD, "company": "Acme Inc"}})
    );
    // Step 2 got step 1's value, and only its own header.
    assert_eq!(log[1].header("x-session"), Some("sess-1"));
    assert_eq!(log[1].header("x-api-key"), None);
    assert_eq!(log[1].body, "");
    // --show-token prints the credential; JSON says how it is sent.
    let o = run(
        dir.path(),
        &["token", "--format", "json", "--show-token", "-c", &conn],
    );
    let j: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o)));
    assert_eq!(j["method"], "Custom");
    assert_eq!(j["placement"], "header");
    assert_eq!(j["name"], "Authorization");
    assert_eq!(j["credential"], "Bearer tok-2");
    assert_eq!(j["requests"], 2);
}

#[test]
fn wrong_password_names_the_step_and_http_401_and_shows_no_secret() {
    let wrong = "Wr0ng-Passw0rd&z";
    let (svc, dir, conn) = setup(HEADER_LINE, wrong);
    let o = run(dir.path(), &["token", "-c", &conn]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("#authentication step 1"), "{out}");
    assert!(out.contains("POST http://{serverName}/login"), "{out}");
    assert!(out.contains("HTTP 401"), "{out}");
    assert!(
        out.contains("check User, Password and CustomAuthParams"),
        "{out}"
    );
    assert!(!out.contains(wrong), "{out}");
    assert_no_secret(&out);
    // Refused logins are not retried.
    assert_eq!(svc.paths(), ["/login"]);
    let o = run(dir.path(), &["token", "--format", "json", "-c", &conn]);
    let j: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o)));
    assert_eq!(j["error"]["http_status"], 401);
    assert!(!text(&o).contains(wrong));
}

#[test]
fn request_sends_the_header_and_reauthenticates_once_on_401() {
    let (svc, dir, conn) = setup(HEADER_LINE, PASSWORD);
    svc.state.lock().unwrap().reject_once = Some("tok-1".into());
    let url = format!("http://127.0.0.1:{}/data", svc.port);
    let o = run(dir.path(), &["request", "-v", "-c", &conn, &url]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("\"rows\""), "{out}");
    assert_no_secret(&out);
    assert_eq!(
        svc.paths(),
        ["/login", "/token", "/data", "/refresh", "/data"]
    );
    let log = svc.log();
    assert_eq!(log[2].header("authorization"), Some("Bearer tok-1"));
    // #reauthentication read the #authentication response.
    assert_eq!(log[3].json(), serde_json::json!({"refresh": "rf-1"}));
    assert_eq!(log[4].header("authorization"), Some("Bearer tok-r2"));
}

/// The login steps, the data request and the re-login all go through the
/// proxy (its log shows each); the API's own 401 is not taken for the
/// proxy's (connstr asks the proxy, which accepts the credentials), so the
/// re-login runs as without a proxy. A wrong proxy password is the proxy's
/// refusal, naming ProxyUser.
#[test]
fn the_login_and_the_data_requests_go_through_the_proxy() {
    let (svc, dir, conn) = setup(HEADER_LINE, PASSWORD);
    let proxy = tinyproxy::Tinyproxy::start("pxuser", "Custom-Px-Pass-2290");
    let proxied = format!(
        "{conn};ProxyHost=127.0.0.1;ProxyPort={};ProxyUser=pxuser;ProxyPassword=Custom-Px-Pass-2290",
        proxy.port
    );
    svc.state.lock().unwrap().reject_once = Some("tok-1".into());
    let base = format!("http://127.0.0.1:{}", svc.port);
    let url = format!("{base}/data");
    let o = run(dir.path(), &["request", "-c", &proxied, &url]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("\"rows\""), "{out}");
    assert!(!out.contains("Custom-Px-Pass-2290"), "{out}");
    assert_no_secret(&out);
    assert_eq!(
        svc.paths(),
        ["/login", "/token", "/data", "/refresh", "/data"]
    );
    let log = proxy.log();
    for (method, path) in [
        ("POST", "/login"),
        ("POST", "/token"),
        ("GET", "/data"),
        ("POST", "/refresh"),
    ] {
        assert!(
            log.contains(&format!("{method} {base}{path}")),
            "{method} {path} not in the proxy log:\n{log}"
        );
    }
    // `connstr token` runs the login through the proxy too; a wrong proxy
    // password stops it at the proxy.
    let wrong = proxied.replace("Custom-Px-Pass-2290", "Wrong-Custom-Px-77");
    let o = run(dir.path(), &["token", "-c", &wrong]);
    let out = text(&o);
    assert_ne!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("ProxyUser `pxuser`"), "{out}");
    assert!(!out.contains("Wrong-Custom-Px-77"), "{out}");
    assert_eq!(svc.paths().len(), 5, "nothing more reached the service");
}

#[test]
fn param_form_and_authentication_again_when_reauthentication_fails() {
    let (svc, dir, conn) = setup(PARAM_LINE, PASSWORD);
    {
        let mut s = svc.state.lock().unwrap();
        s.reject_once = Some("tok-1".into());
        s.refresh_fails = true;
    }
    let url = format!("http://127.0.0.1:{}/data?x=1", svc.port);
    let o = run(dir.path(), &["request", "-v", "-c", &conn, &url]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_no_secret(&out);
    assert_eq!(
        svc.paths(),
        [
            "/login", "/token", "/data", "/refresh", "/login", "/token", "/data"
        ]
    );
    let log = svc.log();
    assert_eq!(log[2].query, "x=1&access_token=tok-1");
    assert_eq!(log[6].query, "x=1&access_token=tok-2");
    assert_eq!(log[2].header("authorization"), None);
}

#[test]
fn one_login_in_flight_for_many_callers_and_one_reauthentication() {
    let (svc, dir, conn) = setup(HEADER_LINE, PASSWORD);
    let text = std::fs::read_to_string(dir.path().join("model.rest")).unwrap();
    let path = dir.path().join("model.rest");
    let written = path.to_str().unwrap();
    let model = connstr::plan::model::read_model(written, &path, connstr::plan::SourceId(1), &text);
    let conn = conn.replace(
        "RESTConfigFile=model.rest",
        &format!("RESTConfigFile={written}"),
    );
    let doc = connstr::syntax::parse_connection_string(&conn);
    let set = connstr::options::OptionSet::from_document(&doc, connstr::plan::SourceId(0), false);
    let (plan, d) = connstr::plan::validate_with_model(&set, Some(&model));
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.expect("plan");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let source =
            connstr::grant::CustomSource::new(&plan, connstr::grant::CustomOptions::default())
                .unwrap();
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let s = source.clone();
                tokio::spawn(async move { s.credential().await })
            })
            .collect();
        let mut got = Vec::new();
        for t in tasks {
            got.push(t.await.unwrap().unwrap());
        }
        assert!(got.iter().all(|t| t.value.expose() == "Bearer tok-1"));
        assert_eq!(svc.paths(), ["/login", "/token"]);
        // Debug never shows the value.
        assert!(!format!("{:?} {:?}", got[0], source).contains("tok-1"));
        // Many tasks see the same rejection: one re-login.
        let rejected = Arc::clone(&got[0]);
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let s = source.clone();
                let r = Arc::clone(&rejected);
                tokio::spawn(async move { s.reauthenticate(&r).await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().value.expose(), "Bearer tok-r2");
        }
        assert_eq!(svc.paths(), ["/login", "/token", "/refresh"]);
    });
}
