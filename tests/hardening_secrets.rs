//! Secret hygiene across the whole command line, as a property: for generated
//! secrets (client secret, refresh token, password, access and rotated refresh
//! tokens the server issues), written in every surface form (connection string
//! argument or file, JDBC URL, odbc.ini DSN), for the OAuth grants and a Model
//! file's custom login, sometimes broken (unterminated
//! brace, misspelt key, duplicate key), every command (`parse` without
//! `--show-secrets`, `check`, `explain`, `redact`, `connect`, `token` against a
//! local token endpoint that fails in many ways and echoes what it was sent)
//! at every `RUST_LOG` level: no secret, raw or encoded, on stdout or stderr;
//! no panic; the token store 0600 in a 0700 directory. Plus `Debug` of every
//! public type holding a secret.
//!
//! Logging: the binary honours `RUST_LOG` (when `CONNSTR_LOG` is unset), so
//! at `debug` and `trace` every command writes log lines to standard error —
//! asserted below, so that the secret checks really cover the logs.

#[path = "support/http.rs"]
mod http;

use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

use base64::Engine as _;
use proptest::prelude::*;
use tokio::io::AsyncWriteExt as _;

const BIN: &str = env!("CARGO_BIN_EXE_connstr");
const CLIENT_ID: &str = "hygiene-app";
const LOG_LEVELS: [&str; 6] = ["", "error", "warn", "info", "debug", "trace"];

// ------------------------------------------------------------ token endpoint

/// How the endpoint answers; most faults echo the request (body and
/// Authorization header) back in some part of the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// 200 with the case's access token and a rotated refresh token.
    Ok,
    /// 200 with a scope that echoes the request.
    OkScopeEcho,
    /// 400 invalid_grant, the request in `error_description`.
    InvalidGrantEcho,
    /// 401 invalid_client, the request in `WWW-Authenticate` and the description.
    InvalidClientEcho,
    /// 400 with the request as the `error` code itself.
    CodeEcho,
    /// 400 invalid_request with the request in `error_uri`.
    UriEcho,
    /// 500 (Retry-After: 0) with an HTML page holding the request.
    HtmlEcho,
    /// 302 to a URL holding the request.
    RedirectEcho,
    /// 200 with the presented refresh token as a `mac` access token.
    TokenTypeEcho,
    /// 200, form-encoded: the request body itself.
    FormEcho,
    /// 200, 300 KiB of JSON holding the request (over the body cap).
    Oversized,
}

const FAULTS: [Fault; 11] = [
    Fault::Ok,
    Fault::OkScopeEcho,
    Fault::InvalidGrantEcho,
    Fault::InvalidClientEcho,
    Fault::CodeEcho,
    Fault::UriEcho,
    Fault::HtmlEcho,
    Fault::RedirectEcho,
    Fault::TokenTypeEcho,
    Fault::FormEcho,
    Fault::Oversized,
];

/// What the endpoint issues for one case (registered before the case runs).
#[derive(Clone, Debug)]
struct Issue {
    fault: Fault,
    access_token: String,
    new_refresh_token: String,
}

struct Endpoint {
    port: u16,
    cases: Mutex<HashMap<u64, Issue>>,
    next: Mutex<u64>,
}

/// One endpoint per test process, on its own thread and runtime.
fn endpoint() -> &'static Endpoint {
    static EP: OnceLock<&'static Endpoint> = OnceLock::new();
    EP.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let ep: &'static Endpoint = Box::leak(Box::new(Endpoint {
            port: listener.local_addr().unwrap().port(),
            cases: Mutex::new(HashMap::new()),
            next: Mutex::new(1),
        }));
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
                    tokio::spawn(serve(stream, ep));
                }
            });
        });
        ep
    })
}

impl Endpoint {
    fn register(&self, issue: Issue) -> u64 {
        let mut n = self.next.lock().unwrap();
        *n += 1;
        self.cases.lock().unwrap().insert(*n, issue);
        *n
    }
}

async fn serve(mut stream: tokio::net::TcpStream, ep: &'static Endpoint) {
    let Some(request) = http::read_request(&mut stream).await else {
        return;
    };
    let head = request.head();
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    let body = String::from_utf8_lossy(request.body()).into_owned();
    let auth = header("authorization").unwrap_or_default();
    // Request line: POST /case/N HTTP/1.1
    let id: u64 = head
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.strip_prefix("/case/"))
        .and_then(|p| p.split('?').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let Some(issue) = ep.cases.lock().unwrap().get(&id).cloned() else {
        return;
    };
    let echo = format!("{body} {auth}");
    let json_echo = serde_json::to_string(&echo).unwrap();
    let presented_rt = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "refresh_token" || k == "password")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let (status, headers, content): (u16, Vec<(&str, String)>, String) = match issue.fault {
        Fault::Ok => (
            200,
            vec![("Content-Type", "application/json".into())],
            serde_json::json!({
                "access_token": issue.access_token,
                "refresh_token": issue.new_refresh_token,
                "token_type": "Bearer",
                "expires_in": 3600,
            })
            .to_string(),
        ),
        Fault::OkScopeEcho => (
            200,
            vec![("Content-Type", "application/json".into())],
            serde_json::json!({
                "access_token": issue.access_token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": echo,
            })
            .to_string(),
        ),
        Fault::InvalidGrantEcho => (
            400,
            vec![("Content-Type", "application/json".into())],
            format!(r#"{{"error":"invalid_grant","error_description":{json_echo}}}"#),
        ),
        Fault::InvalidClientEcho => (
            401,
            vec![
                ("Content-Type", "application/json".into()),
                (
                    "WWW-Authenticate",
                    format!("Basic realm=\"{}\"", echo.replace(['"', '\r', '\n'], "")),
                ),
            ],
            format!(r#"{{"error":"invalid_client","error_description":{json_echo}}}"#),
        ),
        Fault::CodeEcho => (
            400,
            vec![("Content-Type", "application/json".into())],
            format!(r#"{{"error":{json_echo}}}"#),
        ),
        Fault::UriEcho => (
            400,
            vec![("Content-Type", "application/json".into())],
            serde_json::json!({
                "error": "invalid_request",
                "error_uri": format!("https://as.example/help?{body}"),
            })
            .to_string(),
        ),
        Fault::HtmlEcho => (
            500,
            vec![
                ("Content-Type", "text/html".into()),
                ("Retry-After", "0".into()),
            ],
            format!("<html><body><pre>{echo}</pre></body></html>"),
        ),
        Fault::RedirectEcho => (
            302,
            vec![(
                "Location",
                format!(
                    "http://127.0.0.1:1/login?{}",
                    body.replace(['\r', '\n'], "")
                ),
            )],
            String::new(),
        ),
        Fault::TokenTypeEcho => (
            200,
            vec![("Content-Type", "application/json".into())],
            serde_json::json!({
                "access_token": presented_rt,
                "token_type": "mac",
                "expires_in": 60,
            })
            .to_string(),
        ),
        Fault::FormEcho => (
            200,
            vec![("Content-Type", "application/x-www-form-urlencoded".into())],
            body.clone(),
        ),
        Fault::Oversized => (
            200,
            vec![("Content-Type", "application/json".into())],
            format!(
                r#"{{"access_token":"{}","pad":"{}","echo":{json_echo}}}"#,
                issue.access_token,
                " ".repeat(300 * 1024)
            ),
        ),
    };
    http::write_response(&mut stream, status, headers, content.as_bytes()).await;
    let _ = stream.shutdown().await;
}

// ------------------------------------------------------------ cases

#[derive(Clone, Copy, Debug)]
enum Shape {
    ConnArg,
    ConnFile,
    ConnStdin,
    Jdbc,
    Ini,
}

#[derive(Clone, Copy, Debug)]
enum Method {
    Refresh,
    ClientCredentials,
    Password,
    /// A Model file's custom login (`model.rest`, see [`custom_model`]):
    /// Password and CustomAuthParams (the client secret) sent in a JSON
    /// body and a header, the credential read from the response.
    Custom,
    /// JWT bearer with a PEM key: JWTCertPassword (the case's password) is
    /// not needed, the grant runs against the faulty endpoint.
    JwtPem,
    /// JWT bearer with a PKCS#12 keystore the case's password does not
    /// open: the typed keystore error, at every command.
    JwtP12,
}

/// A fixture of fixtures/jwt/.
fn jwt_fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/jwt")
        .join(name)
        .display()
        .to_string()
}

/// What must never show in a JWT bearer case besides the case's secrets: the
/// private key's material (each base64 line of the PEM), the keystore's real
/// password, and any signed assertion (a JWS starts `{"alg":` = `eyJhbGci`).
fn jwt_never_shown() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_to_string(jwt_fixture("rsa.pem"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 40)
        .map(str::to_owned)
        .collect();
    v.push("test-only-p12-pass".to_owned());
    v.push("eyJhbGci".to_owned());
    v
}

/// The Model file of [`Method::Custom`]: the login goes to the case's endpoint.
fn custom_model(token_url: &str) -> String {
    format!(
        r##"{{
  "#authentication": [
    "api-key={{customAuthParams[1]}}",
    {{ "login": {{ "user": "{{user}}", "password": "{{password}}", "key": "{{customAuthParams[1]}}" }} }},
    "POST {token_url}",
    "HEADER Authorization=Bearer {{/access_token}}"
  ],
  "t": "https://api.example.com/items"
}}
"##
    )
}

#[derive(Clone, Copy, Debug)]
enum Breakage {
    None,
    /// The last value's brace is never closed.
    UnterminatedBrace,
    /// `ClientSecert=` instead of `ClientSecret=`.
    MisspeltKey,
    /// The refresh token (or password) given twice, with two secrets.
    DuplicateKey,
}

#[derive(Clone, Debug)]
struct Case {
    shape: Shape,
    method: Method,
    breakage: Breakage,
    fault: Fault,
    log: &'static str,
    client_secret: String,
    refresh_token: String,
    password: String,
    access_token: String,
    new_refresh_token: String,
    other: String,
}

/// A secret: a distinct prefix, then letters, digits and the characters that
/// need encoding somewhere (braces, `;`, quotes, `%`, `+`, `/`, space, `&`, `=`).
fn secret(prefix: &'static str) -> impl Strategy<Value = String> {
    (
        "[A-Za-z0-9]{8,14}",
        prop::collection::vec(
            prop::sample::select(
                &[" ", "+", "/", "%", "&", "=", ";", "{", "}", "'", "\"", "~"][..],
            ),
            0..3,
        ),
        "[A-Za-z0-9]{2,6}",
    )
        .prop_map(move |(a, specials, b)| format!("{prefix}{a}{}{b}", specials.concat()))
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(
            &[
                Shape::ConnArg,
                Shape::ConnFile,
                Shape::ConnStdin,
                Shape::Jdbc,
                Shape::Ini,
            ][..],
        ),
        prop::sample::select(
            &[
                Method::Refresh,
                Method::ClientCredentials,
                Method::Password,
                Method::Custom,
                Method::JwtPem,
                Method::JwtP12,
            ][..],
        ),
        prop::sample::select(
            &[
                Breakage::None,
                Breakage::None,
                Breakage::UnterminatedBrace,
                Breakage::MisspeltKey,
                Breakage::DuplicateKey,
            ][..],
        ),
        prop::sample::select(&FAULTS[..]),
        prop::sample::select(&LOG_LEVELS[..]),
        (
            secret("Cs"),
            secret("Rt"),
            secret("Pw"),
            secret("At"),
            secret("Nr"),
            secret("Ot"),
        ),
    )
        .prop_map(
            |(shape, method, breakage, fault, log, (cs, rt, pw, at, nrt, other))| Case {
                shape,
                method,
                breakage,
                fault,
                log,
                client_secret: cs,
                refresh_token: rt,
                password: pw,
                access_token: at,
                new_refresh_token: nrt,
                other,
            },
        )
}

impl Case {
    fn secrets(&self) -> [&str; 6] {
        [
            &self.client_secret,
            &self.refresh_token,
            &self.password,
            &self.access_token,
            &self.new_refresh_token,
            &self.other,
        ]
    }

    /// The configuration's (key, value) pairs, in order.
    fn pairs(&self, token_url: &str) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = Vec::new();
        if let Method::Custom = self.method {
            // No AuthenticationMethod: the Model file's #authentication makes it Custom.
            p.push(("RESTConfigFile".into(), "model.rest".into()));
            p.push(("User".into(), "alice".into()));
            if let Breakage::DuplicateKey = self.breakage {
                p.push(("Password".into(), self.other.clone()));
            }
            p.push(("Password".into(), self.password.clone()));
            let params_key = match self.breakage {
                Breakage::MisspeltKey => "CustomAuthParam",
                _ => "CustomAuthParams",
            };
            p.push((params_key.into(), self.client_secret.clone()));
            p.push(("SecurityToken".into(), self.other.clone()));
            return p;
        }
        let method = match self.method {
            Method::Refresh => "OAuth2-RefreshToken",
            Method::ClientCredentials => "OAuth2-ClientCredentials",
            Method::Password | Method::Custom => "OAuth2-Password",
            Method::JwtPem | Method::JwtP12 => "OAuth2-JWTBearer",
        };
        p.push(("AuthenticationMethod".into(), method.into()));
        p.push(("ClientID".into(), CLIENT_ID.into()));
        let secret_key = match self.breakage {
            Breakage::MisspeltKey => "ClientSecert",
            _ => "ClientSecret",
        };
        p.push((secret_key.into(), self.client_secret.clone()));
        p.push(("TokenURI".into(), format!("POST {token_url}")));
        match self.method {
            Method::Refresh => {
                if let Breakage::DuplicateKey = self.breakage {
                    p.push(("RefreshToken".into(), self.other.clone()));
                }
                p.push(("RefreshToken".into(), self.refresh_token.clone()));
            }
            Method::ClientCredentials => {}
            Method::Password | Method::Custom => {
                p.push(("User".into(), "alice".into()));
                if let Breakage::DuplicateKey = self.breakage {
                    p.push(("Password".into(), self.other.clone()));
                }
                p.push(("Password".into(), self.password.clone()));
            }
            Method::JwtPem | Method::JwtP12 => {
                p.push(("ClaimsIssuer".into(), CLIENT_ID.into()));
                p.push(("ClaimsSubject".into(), "alice".into()));
                let store = match self.method {
                    Method::JwtPem => "rsa.pem",
                    _ => "rsa.p12",
                };
                p.push(("JWTCertStore".into(), jwt_fixture(store)));
                if let Breakage::DuplicateKey = self.breakage {
                    p.push(("JWTCertPassword".into(), self.other.clone()));
                }
                p.push(("JWTCertPassword".into(), self.password.clone()));
            }
        }
        // A secret the plan does not use.
        p.push(("SecurityToken".into(), self.other.clone()));
        p
    }

    /// The text of the configuration and the file name it goes in (`None`:
    /// given with `-c`, `Some("-")`: standard input).
    fn text(&self, token_url: &str) -> (String, Option<&'static str>) {
        let pairs = self.pairs(token_url);
        let unterminated = matches!(self.breakage, Breakage::UnterminatedBrace);
        let jdbc = matches!(self.shape, Shape::Jdbc);
        let conn = |sep: &str| {
            let mut parts: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", encode_for(jdbc, v)))
                .collect();
            if unterminated {
                // A braced secret whose closing brace never comes.
                parts.push(format!("Password={{{};Extra=1", self.password));
            }
            parts.join(sep)
        };
        match self.shape {
            Shape::ConnArg => (conn(";"), None),
            Shape::ConnFile => (conn(";\n"), Some("conn.txt")),
            Shape::ConnStdin => (conn(";"), Some("-")),
            Shape::Jdbc => (
                format!("jdbc:datadirect:autorest:{}", conn(";")),
                Some("url.txt"),
            ),
            Shape::Ini => {
                let mut t = String::from("[ODBC Data Sources]\nhygiene=DataDirect\n\n[hygiene]\n");
                for (k, v) in &pairs {
                    t.push_str(&format!("{k}={v}\n"));
                }
                if unterminated {
                    t.push_str(&format!("ConnectionString=Password={{{}\n", self.password));
                }
                (t, Some("odbc.ini"))
            }
        }
    }
}

/// `v` written as a value: by the ODBC rules, or in a JDBC URL braced the
/// way the DataDirect JDBC docs write values (`Password={{hello}}` is
/// `{hello}`, `User={jsmith }` keeps its space), whenever braces can carry it.
fn encode_for(jdbc: bool, v: &str) -> String {
    if !jdbc {
        return connstr::syntax::encode_value(v).into_owned();
    }
    match connstr::syntax::encode_jdbc_value(v) {
        Ok(std::borrow::Cow::Borrowed(bare)) if !bare.is_empty() => format!("{{{bare}}}"),
        Ok(enc) => enc.into_owned(),
        Err(_) => connstr::syntax::encode_value(v).into_owned(),
    }
}

/// How a secret may show: as is, JSON-escaped (`--format json`, SARIF), or
/// escaped as GitHub workflow commands escape a message and a property
/// (`--format github`).
fn shown_forms(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).unwrap();
    let github_message = secret
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    let github_property = github_message.replace(':', "%3A").replace(',', "%2C");
    let mut v = vec![
        secret.to_owned(),
        json[1..json.len() - 1].to_owned(),
        github_message,
        github_property,
    ];
    v.sort();
    v.dedup();
    v
}

/// Also the encoded forms a server can echo back from the request:
/// form-urlencoded, percent-encoded, and inside the Basic credential.
fn echoed_forms(secret: &str) -> Vec<String> {
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let pct = form.replace('+', "%20");
    let json = serde_json::to_string(secret).unwrap();
    let json = json[1..json.len() - 1].to_owned();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{form}"));
    // The part of the base64 that depends on the secret alone.
    let basic_tail = basic[(CLIENT_ID.len() + 1) / 3 * 4 + 4..].to_owned();
    let mut v = vec![secret.to_owned(), form, pct, json, basic_tail];
    v.sort();
    v.dedup();
    v
}

fn run(dir: &Path, args: &[&str], stdin: Option<&str>, log: &str) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env("CONNSTR_TOKEN_STORE", dir.join("state").join("tokens.json"))
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .env_remove("BROWSER")
        .env_remove("CONNSTR_LOG")
        .env_remove("ODBCINI")
        .env_remove("ODBCSYSINI")
        .env("HOME", dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if log.is_empty() {
        cmd.env_remove("RUST_LOG");
    } else {
        cmd.env("RUST_LOG", log);
    }
    let mut child = cmd.spawn().expect("run connstr");
    if let Some(text) = stdin {
        let mut i = child.stdin.take().unwrap();
        let _ = i.write_all(text.as_bytes());
    }
    child.wait_with_output().expect("wait connstr")
}

/// Run every command on one case; Err describes the first leak or panic.
/// `encoded`: also look for the secrets' encoded forms ([`echoed_forms`]).
fn check_case(case: &Case, encoded: bool) -> Result<(), String> {
    let ep = endpoint();
    let id = ep.register(Issue {
        fault: case.fault,
        access_token: case.access_token.clone(),
        new_refresh_token: case.new_refresh_token.clone(),
    });
    let token_url = format!("http://127.0.0.1:{}/case/{id}", ep.port);
    let dir = tempfile::tempdir().unwrap();
    if let Method::Custom = case.method {
        std::fs::write(dir.path().join("model.rest"), custom_model(&token_url)).unwrap();
    }
    let (text, file) = case.text(&token_url);
    let mut input: Vec<&str> = Vec::new();
    let stdin = match file {
        None => {
            input.extend(["-c", text.as_str()]);
            None
        }
        Some("-") => {
            input.push("-");
            Some(text.as_str())
        }
        Some(name) => {
            let p = dir.path().join(name);
            std::fs::write(&p, &text).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
            input.push(name);
            if name == "odbc.ini" {
                input.extend(["--dsn", "hygiene"]);
            }
            None
        }
    };
    let with = |cmd: &[&str]| -> Vec<String> {
        cmd.iter()
            .chain(input.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let parse_input: Vec<String> = match file {
        None | Some("-") => vec!["parse".into(), "-".into()],
        Some(name) => vec!["parse".into(), name.into()],
    };
    let mut runs: Vec<(Vec<String>, Option<&str>)> = vec![
        (with(&["check"]), stdin),
        (with(&["check", "--format", "json"]), stdin),
        (with(&["check", "--format", "sarif"]), stdin),
        (with(&["check", "--format", "github"]), stdin),
        (with(&["explain"]), stdin),
        (with(&["explain", "--format", "json"]), stdin),
        (with(&["redact"]), stdin),
        (with(&["connect"]), stdin),
        (with(&["token"]), stdin),
        (with(&["token", "--format", "json"]), stdin),
        (with(&["token", "--force-refresh"]), stdin),
    ];
    let parse_stdin = if file.is_none() {
        Some(text.as_str())
    } else {
        stdin
    };
    // `parse` prints JSON always (it has no --format).
    runs.push((parse_input, parse_stdin));
    // `fix` takes files only (and no --dsn): its diff, with and without
    // the unsafe fixes.
    if let Some(name) = file.filter(|f| *f != "-") {
        runs.push((vec!["fix".into(), "--dry-run".into(), name.into()], None));
        runs.push((
            vec![
                "fix".into(),
                "--dry-run".into(),
                "--unsafe".into(),
                name.into(),
            ],
            None,
        ));
    }
    let mut secrets: Vec<(String, String)> = case
        .secrets()
        .iter()
        .flat_map(|s| {
            let forms = if encoded {
                echoed_forms(s)
            } else {
                shown_forms(s)
            };
            forms.into_iter().map(move |f| (s.to_string(), f))
        })
        .collect();
    if matches!(case.method, Method::JwtPem | Method::JwtP12) {
        secrets.extend(jwt_never_shown().into_iter().map(|s| (s.clone(), s)));
    }
    for (args, input_text) in &runs {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(dir.path(), &argv, *input_text, case.log);
        let out = format!(
            "--- stdout\n{}--- stderr\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        let code = o.status.code().unwrap_or(-1);
        if !(0..=2).contains(&code) || out.contains("panicked") {
            return Err(format!("{argv:?} exited {code}:\n{out}"));
        }
        // (A usage error ends the run before logging starts.)
        let stderr = String::from_utf8_lossy(&o.stderr);
        if matches!(case.log, "debug" | "trace")
            && !stderr.contains(" DEBUG connstr::")
            && !stderr.contains("For more information, try '--help'")
        {
            return Err(format!(
                "{argv:?} (RUST_LOG={:?}) wrote no log line:\n{out}",
                case.log
            ));
        }
        for (secret, form) in &secrets {
            if out.contains(form.as_str()) {
                return Err(format!(
                    "{argv:?} (RUST_LOG={:?}) shows secret {secret:?} as {form:?}:\n{out}",
                    case.log
                ));
            }
        }
    }
    // The token store, when written, is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let store = dir.path().join("state").join("tokens.json");
        if store.exists() {
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            if mode(&store) != 0o600 || mode(store.parent().unwrap()) != 0o700 {
                return Err(format!(
                    "token store {:o}, directory {:o}",
                    mode(&store),
                    mode(store.parent().unwrap())
                ));
            }
        }
    }
    Ok(())
}

/// Cases run so far (for the figure in docs/reliability.md).
static CASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_command_ever_prints_a_secret(case in case()) {
        CASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Err(e) = check_case(&case, false) {
            prop_assert!(false, "{:?}\n{}", case, e);
        }
    }
}

/// Every fault, and every log level, at least once, deterministically (the property
/// test above samples them).
#[test]
fn every_fault_and_every_log_level() {
    let mut n = 0;
    for (i, fault) in FAULTS.iter().enumerate() {
        let log = LOG_LEVELS[i % LOG_LEVELS.len()];
        let case = Case {
            shape: [Shape::ConnArg, Shape::Ini, Shape::ConnFile][i % 3],
            method: [
                Method::Refresh,
                Method::Password,
                Method::ClientCredentials,
                Method::Custom,
                Method::JwtPem,
                Method::JwtP12,
            ][i % 6],
            breakage: Breakage::None,
            fault: *fault,
            log,
            client_secret: "Cs-fixed/secret+1;{x}".into(),
            refresh_token: "Rt-fixed refresh%token".into(),
            password: "Pw-fixed'pass\"word".into(),
            access_token: "At-fixed-access-token".into(),
            new_refresh_token: "Nr-fixed-rotated&token".into(),
            other: "Ot-fixed-other=secret".into(),
        };
        check_case(&case, false).unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        n += 1;
    }
    println!(
        "every_fault_and_every_log_level: {n} fault cases x 11 commands, log levels {LOG_LEVELS:?}"
    );
}

/// Every fault against a custom login (AuthenticationMethod=Custom from the
/// Model file): the login request carries Password and CustomAuthParams in a
/// header and a JSON body, and the faults echo them back.
#[test]
fn every_fault_with_a_custom_login() {
    for (i, fault) in FAULTS.iter().enumerate() {
        let case = Case {
            shape: [Shape::ConnArg, Shape::Ini, Shape::ConnFile, Shape::Jdbc][i % 4],
            method: Method::Custom,
            breakage: Breakage::None,
            fault: *fault,
            log: LOG_LEVELS[(i + 3) % LOG_LEVELS.len()],
            client_secret: "Cs-custom/param+1{x}".into(),
            refresh_token: "Rt-unused refresh%token".into(),
            password: "Pw-custom'pass\"word&1".into(),
            access_token: "At-custom-credential".into(),
            new_refresh_token: "Nr-unused&token".into(),
            other: "Ot-custom-other=secret".into(),
        };
        check_case(&case, true).unwrap_or_else(|e| panic!("{fault:?}: {e}"));
    }
}

/// The JWT bearer grant at every fault of the endpoint (which echoes the request, the
/// assertion among it): neither JWTCertPassword, the key nor the assertion shows.
#[test]
fn jwt_bearer_at_every_fault() {
    for (i, fault) in FAULTS.iter().enumerate() {
        let case = Case {
            shape: [Shape::ConnArg, Shape::Ini, Shape::Jdbc][i % 3],
            method: Method::JwtPem,
            breakage: Breakage::None,
            fault: *fault,
            log: ["", "debug", "trace"][i % 3],
            client_secret: "Cs-jwt/secret+1;{x}".into(),
            refresh_token: "Rt-jwt refresh%token".into(),
            password: "Pw-jwt'pass\"word".into(),
            access_token: "At-jwt-access-token".into(),
            new_refresh_token: "Nr-jwt-rotated&token".into(),
            other: "Ot-jwt-other=secret".into(),
        };
        check_case(&case, true).unwrap_or_else(|e| panic!("{fault:?}: {e}"));
    }
}

#[test]
fn options_and_usage_errors_at_every_log_level() {
    let dir = tempfile::tempdir().unwrap();
    for log in LOG_LEVELS {
        for args in [
            &["options"][..],
            &["options", "--format", "json"],
            &[
                "token",
                "-c",
                "ClientSecret=Cs-usage-secret-77;ClientID=x",
                "--bogus",
            ],
            &[
                "parse",
                "--show-secret",
                "-c",
                "Password=Pw-usage-secret-88",
            ],
            &["check", "no-such-file.ini"],
        ] {
            let o = run(dir.path(), args, None, log);
            let out = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            assert!(!out.contains("panicked"), "{args:?}: {out}");
            // clap echoes unknown arguments, never the values of others.
            assert!(
                !out.contains("Pw-usage-secret-88") && !out.contains("Cs-usage-secret-77"),
                "{args:?} RUST_LOG={log}: {out}"
            );
        }
    }
}

/// `redact`, `check` and `explain` mask the value of a misspelt secret key
/// (`ClientSecert=`, `RefreshTokn=`); `parse` prints it.
#[test]
fn parse_masks_a_misspelt_secret_key() {
    let dir = tempfile::tempdir().unwrap();
    let text = "ClientID=a;ClientSecert=CsTopSecret99;RefreshTokn=RtTopSecret77;\
                TokenURI=POST https://as.example/token";
    let redact = run(dir.path(), &["redact", "-c", text], None, "");
    let redacted = String::from_utf8_lossy(&redact.stdout);
    assert!(
        !redacted.contains("TopSecret"),
        "redact itself shows it: {redacted}"
    );
    let parse = run(dir.path(), &["parse", "-"], Some(text), "");
    let parsed = String::from_utf8_lossy(&parse.stdout);
    assert!(!parsed.contains("CsTopSecret99"), "{parsed}");
    assert!(!parsed.contains("RtTopSecret77"), "{parsed}");
}

/// The odbc.ini layout lints point at lines that may hold a secret (an
/// entry before the first header makes the whole file invisible to
/// unixODBC; `Key: value` lines): every output format of `check`, and
/// `fix --dry-run`, mask it.
#[test]
fn odbc_ini_layout_lints_never_print_the_secret_they_point_at() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "invisible.ini",
            "ClientSecret=CsLayout7731\n[api]\nAuthenticationMethod=None\n",
            &["invisible-data-sources"][..],
        ),
        (
            "odbc.ini",
            "[ODBC Data Sources]\nghost=x\n\n\
             [api]\n\
             AuthenticationMethod=OAuth2-ClientCredentials\n\
             ClientID=app\n\
             ClientSecret: PwLayout5519\n\
             Trace=Yes\n\
             TokenURI=POST https://as.example/token\n",
            &["syntax", "trace-in-dsn", "dsn-list-mismatch"][..],
        ),
    ];
    for (name, text, lints) in files {
        let ini = dir.path().join(name);
        std::fs::write(&ini, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&ini, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let path = ini.to_str().unwrap();
        for format in ["human", "json", "sarif", "github"] {
            let o = run(dir.path(), &["check", "--format", format, path], None, "");
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            assert!(!all.contains("CsLayout7731"), "{name} {format}: {all}");
            assert!(!all.contains("PwLayout5519"), "{name} {format}: {all}");
            if format == "human" {
                for lint in lints {
                    assert!(
                        all.contains(&format!("[{lint}]")),
                        "{name}: no {lint}: {all}"
                    );
                }
            }
        }
        let o = run(dir.path(), &["fix", "--dry-run", path], None, "");
        let all =
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
        assert!(
            !all.contains("CsLayout7731") && !all.contains("PwLayout5519"),
            "{name}: {all}"
        );
    }
}

/// A server that echoes the request back: the secrets come back encoded as
/// they were sent (form-urlencoded body, the Basic credential), and must be
/// scrubbed in those forms too.
#[test]
fn echoed_encoded_secrets_are_not_printed() {
    let mut leaks = Vec::new();
    for fault in [
        Fault::OkScopeEcho,
        Fault::InvalidGrantEcho,
        Fault::InvalidClientEcho,
        Fault::UriEcho,
    ] {
        let case = Case {
            shape: Shape::ConnArg,
            method: Method::Password,
            breakage: Breakage::None,
            fault,
            log: "",
            client_secret: "Cs-echo/secret+1;{x}".into(),
            refresh_token: "Rt-echo refresh%token".into(),
            password: "Pw-echo'pass\"word".into(),
            access_token: "At-echo-access-token".into(),
            new_refresh_token: "Nr-echo-rotated&token".into(),
            other: "Ot-echo-other=secret".into(),
        };
        if let Err(e) = check_case(&case, true) {
            leaks.push(format!(
                "{fault:?}: {}",
                e.lines().next().unwrap_or_default()
            ));
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}

// ------------------------------------------------------------ Debug

mod debug {
    use std::time::{Duration, SystemTime};

    use connstr::Secret;
    use connstr::apply::Authorizer;
    use connstr::grant::{
        GrantParams, PrepareOptions, SourceOptions, StoreChoice, StoreKey, Token, TokenClient,
        TokenSource, TokenStore, prepare,
    };
    use connstr::plan::{Client, ClientCredentialsMode, Grant, HttpMethod, TokenEndpoint};
    use proptest::prelude::*;

    /// `Debug` (plain and pretty) of `v` shows none of `secrets`.
    fn clean<T: std::fmt::Debug>(what: &str, v: &T, secrets: &[&str]) -> Result<(), String> {
        for shown in [format!("{v:?}"), format!("{v:#?}")] {
            for s in secrets {
                if shown.contains(s) {
                    return Err(format!("{what} Debug shows {s:?}: {shown}"));
                }
            }
        }
        Ok(())
    }

    fn all_debug(cs: &str, rt: &str, at: &str, pw: &str, st: &str) -> Result<usize, String> {
        let secrets = [cs, rt, at, pw, st];
        let mut n = 0;
        let mut check = |what: &str, shown: Result<(), String>| {
            n += 1;
            shown.map_err(|e| format!("{what}: {e}"))
        };
        let text = format!(
            "AuthenticationMethod=OAuth2-RefreshToken;ClientID=app;ClientSecret={};\
             RefreshToken={};TokenURI=POST https://as.example/token;SecurityToken={};\
             Password={};AccessToken={}",
            connstr::syntax::encode_value(cs),
            connstr::syntax::encode_value(rt),
            connstr::syntax::encode_value(st),
            connstr::syntax::encode_value(pw),
            connstr::syntax::encode_value(at),
        );
        let (_sources, report) = connstr::plan::check_text("<test>", &text);
        check("plan::Report", clean("Report", &report, &secrets))?;
        let target = report.targets.first().ok_or("no target")?;
        check("plan::Target", clean("Target", target, &secrets))?;
        let plan = target.plan.as_ref().ok_or("no plan")?;
        check("plan::AuthPlan", clean("AuthPlan", plan, &secrets))?;
        let connstr::plan::Auth::OAuth2(oauth) = &plan.auth else {
            return Err("not OAuth2".into());
        };
        check("plan::OAuth2Plan", clean("OAuth2Plan", oauth, &secrets))?;
        check("plan::Grant", clean("Grant", &oauth.grant, &secrets))?;
        let client = Client {
            id: "app".into(),
            secret: Some(Secret::new(cs)),
            mode: ClientCredentialsMode::All,
        };
        check("plan::Client", clean("Client", &client, &secrets))?;
        let endpoint = TokenEndpoint {
            method: HttpMethod::Get,
            url: "https://as.example/token".parse().unwrap(),
        };
        let rts = Secret::new(rt);
        let pws = Secret::new(pw);
        for params in [
            GrantParams::RefreshToken {
                refresh_token: &rts,
            },
            GrantParams::Password {
                username: "alice",
                password: &pws,
            },
        ] {
            check(
                "grant::GrantParams",
                clean("GrantParams", &params, &secrets),
            )?;
            let req = prepare(&endpoint, &client, &params, &[], &PrepareOptions::default());
            check("grant::TokenRequest", clean("TokenRequest", &req, &secrets))?;
        }
        let token = Token {
            access_token: Secret::new(at),
            refresh_token: Some(Secret::new(rt)),
            expires_at: Some(SystemTime::now() + Duration::from_secs(60)),
            scope: None,
            token_type: "Bearer".to_owned(),
        };
        check("grant::Token", clean("Token", &token, &secrets))?;
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::at(dir.path().join("t.json"));
        let key = StoreKey::new(&endpoint.url, "app", Some("alice"), None);
        let lock = store.lock_blocking().map_err(|e| e.to_string())?;
        check("grant::StoreLock", clean("StoreLock", &lock, &secrets))?;
        let stored = lock
            .update(&key, |t| {
                t.rotate(Secret::new(rt));
                t.access_token = Some(Secret::new(at));
            })
            .map_err(|e| e.to_string())?;
        drop(lock);
        check(
            "grant::StoredTokens",
            clean("StoredTokens", &stored, &secrets),
        )?;
        let source = TokenSource::from_oauth2(
            oauth,
            None,
            None,
            SourceOptions {
                store: StoreChoice::Memory,
                client: Some(TokenClient::new().map_err(|e| e.to_string())?),
                ..SourceOptions::default()
            },
        )
        .map_err(|e| e.to_string())?;
        check(
            "grant::TokenSource",
            clean("TokenSource", &source, &secrets),
        )?;
        let grant = Grant::AccessToken {
            access_token: Secret::new(at),
            refresh: None,
        };
        check("plan::Grant::AccessToken", clean("Grant", &grant, &secrets))?;
        let authorizer = Authorizer::new(
            plan,
            SourceOptions {
                store: StoreChoice::Memory,
                ..SourceOptions::default()
            },
        );
        if let Ok(a) = &authorizer {
            check("apply::Authorizer", clean("Authorizer", a, &secrets))?;
        }
        Ok(n)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn debug_of_every_public_type_holding_a_secret_is_redacted(
            cs in "Cs[A-Za-z0-9;{}+/ %]{8,16}",
            rt in "Rt[A-Za-z0-9;{}+/ %]{8,16}",
            at in "At[A-Za-z0-9._-]{8,16}",
            pw in "Pw[A-Za-z0-9;{}'\"]{8,16}",
            st in "St[A-Za-z0-9]{8,16}",
        ) {
            let r = all_debug(&cs, &rt, &at, &pw, &st);
            prop_assert!(r.is_ok(), "{}", r.unwrap_err());
        }
    }
}

/// The Redis token store's password (in `CONNSTR_TOKEN_STORE=redis://user:PASSWORD@…`)
/// never shows: not in `Display`/`Debug` of the config or the store, not in a URL
/// error, not in a connection error.
mod redis_store_password {
    use connstr::grant::{RedisConfig, RedisStore};
    use proptest::prelude::*;

    fn encoded(s: &str) -> String {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    }

    fn shows(text: &str, pw: &str) -> bool {
        text.contains(pw) || text.contains(&encoded(pw))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        #[test]
        fn the_redis_password_never_shows(pw in "Pw[A-Za-z0-9;{}+/ %:@]{8,16}") {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap().local_addr().unwrap().port();
            let good = format!("rediss://connstr:{}@127.0.0.1:{port}/2?connect_timeout_ms=500", encoded(&pw));
            let c = RedisConfig::parse(&good).unwrap();
            prop_assert_eq!(c.password.as_ref().unwrap().expose(), pw.as_str());
            let store = RedisStore::new(c.clone()).unwrap();
            for text in [c.to_string(), format!("{c:?}"), format!("{c:#?}"), format!("{store:?}")] {
                prop_assert!(!shows(&text, &pw), "{}", text);
            }
            for bad in [
                format!("redis://u:{}@h/x", encoded(&pw)),
                format!("redis://u:{}@h/0?what=1", encoded(&pw)),
                format!("redis://u:{}@h:0x/0", encoded(&pw)),
                format!("ftp://u:{}@h/0", encoded(&pw)),
            ] {
                if let Err(e) = RedisConfig::parse(&bad) {
                    let text = format!("{e} {e:?}");
                    prop_assert!(!shows(&text, &pw), "{}", text);
                }
            }
            // Nobody listens there: a connection error.
            let plain = RedisConfig::parse(&good.replace("rediss:", "redis:")).unwrap();
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let e = rt.block_on(RedisStore::new(plain).unwrap().ping()).unwrap_err();
            let text = format!("{e} {e:?}");
            prop_assert!(!shows(&text, &pw), "{}", text);
        }
    }
}

// ------------------------------------------------------------ URL-shaped places, every secret option

/// Where a URL can carry a password or a secret query parameter: the target
/// of a JDBC URL (`//user:PW@host`, with or without a scheme), every option
/// whose value is a URL (HostName, RESTSamplePath and its alias Sample,
/// TokenURI, AuthURI, RedirectURI, HealthURI, ProxyHost), the same written
/// without a scheme (`ProxyHost=user:PW@proxy`, `TokenURI=POST user:PW@h/t`),
/// and a URL in text that does not parse as a pair (`HostName https://…`).
#[derive(Clone, Copy, Debug)]
enum Place {
    JdbcHost,
    JdbcSchemeUrl,
    Option(&'static str),
    NoScheme(&'static str),
    Unparsed,
}

const PLACES: [Place; 14] = [
    Place::JdbcHost,
    Place::JdbcSchemeUrl,
    Place::Option("HostName"),
    Place::Option("RESTSamplePath"),
    Place::Option("Sample"),
    Place::Option("TokenURI"),
    Place::Option("AuthURI"),
    Place::Option("RedirectURI"),
    Place::Option("HealthURI"),
    Place::Option("ProxyHost"),
    Place::NoScheme("ProxyHost"),
    Place::NoScheme("HostName"),
    Place::NoScheme("TokenURI"),
    Place::Unparsed,
];

/// A password as it may stand in a URL's user-info (RFC 3986 sub-delims
/// without `;`, which ends a pair, plus unreserved characters).
fn url_password() -> impl Strategy<Value = String> {
    "Up[A-Za-z0-9]{6,10}[-._~!$*+,=]{0,2}[A-Za-z0-9]{2,4}".prop_map(|s| s)
}

/// Every command that prints something of its input, on one text; `Err`
/// names the first one that shows `secrets` or panics.
fn no_command_shows(
    text: &str,
    file: &str,
    extra: &[&str],
    secrets: &[&str],
    log: &str,
) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(file), text).unwrap();
    let runs: [&[&str]; 10] = [
        &["redact"],
        &["check"],
        &["check", "--format", "json"],
        &["check", "--format", "sarif"],
        &["check", "--format", "github"],
        &["explain"],
        &["explain", "--format", "json"],
        &["parse"],
        &["fix", "--dry-run"],
        &["fix", "--dry-run", "--unsafe"],
    ];
    for cmd in runs {
        let mut argv: Vec<&str> = cmd.to_vec();
        argv.push(file);
        if cmd[0] == "check" || cmd[0] == "explain" {
            argv.extend(extra);
        }
        let o = run(dir.path(), &argv, None, log);
        let out = format!(
            "--- stdout\n{}--- stderr\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        let code = o.status.code().unwrap_or(-1);
        if !(0..=2).contains(&code) || out.contains("panicked") {
            return Err(format!("{argv:?} exited {code}:\n{out}"));
        }
        for s in secrets {
            for form in shown_forms(s) {
                if out.contains(&form) {
                    return Err(format!("{argv:?} shows {s:?}:\n{text}\n{out}"));
                }
            }
        }
    }
    // `fix` for real, on a copy alone in its directory: nothing printed
    // holds a secret, and nothing but the file is left there (the secrets
    // go back into the file and nowhere else).
    let alone = dir.path().join("fix");
    std::fs::create_dir(&alone).unwrap();
    std::fs::write(alone.join(file), text).unwrap();
    let o = run(&alone, &["fix", "--unsafe", file], None, log);
    let out = format!(
        "--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    if !(0..=1).contains(&o.status.code().unwrap_or(-1)) || out.contains("panicked") {
        return Err(format!("fix exited {:?}:\n{out}", o.status.code()));
    }
    for s in secrets {
        if shown_forms(s).iter().any(|f| out.contains(f.as_str())) {
            return Err(format!("fix shows {s:?}:\n{text}\n{out}"));
        }
    }
    let left: Vec<String> = std::fs::read_dir(&alone)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if left != [file] {
        return Err(format!("fix left {left:?} behind"));
    }
    Ok(())
}

/// A configuration with a password in `place`'s URL (user-info and a
/// secret query parameter), and `key` (a secret option of the catalog) set
/// to `value`, in one surface form.
fn place_text(place: Place, pw: &str, key: &str, value: &str, shape: Shape) -> (String, String) {
    let url = format!("https://svc:{pw}@api.example.com/v1/items?api_key={pw}x");
    let mut pairs: Vec<(String, String)> = vec![
        (
            "AuthenticationMethod".into(),
            "OAuth2-ClientCredentials".into(),
        ),
        ("ClientID".into(), CLIENT_ID.into()),
        (
            "TokenURI".into(),
            "POST https://login.example.com/token".into(),
        ),
    ];
    match place {
        Place::Option(name) => {
            pairs.retain(|(k, _)| k != name);
            let v = if name == "TokenURI" {
                format!("POST {url}")
            } else {
                url.clone()
            };
            pairs.push((name.into(), v));
        }
        Place::NoScheme(name) => {
            pairs.retain(|(k, _)| k != name);
            let v = if name == "TokenURI" {
                format!("POST svc:{pw}@login.example.com/token")
            } else {
                format!("svc:{pw}@proxy.example.com")
            };
            pairs.push((name.into(), v));
        }
        Place::JdbcHost | Place::JdbcSchemeUrl | Place::Unparsed => {}
    }
    pairs.push((key.into(), value.into()));
    // A line (or segment) with no `=` that holds a URL.
    let unparsed = matches!(place, Place::Unparsed)
        .then(|| format!("HostName https://svc:{pw}@api.example.com/v1"));
    match shape {
        Shape::Ini => {
            let mut t = String::from("[ODBC Data Sources]\nplaces=DataDirect\n\n[places]\n");
            for (k, v) in &pairs {
                t.push_str(&format!("{k}={v}\n"));
            }
            if let Some(line) = &unparsed {
                t.push_str(&format!("{line}\n"));
            }
            (t, "odbc.ini".into())
        }
        _ => {
            let jdbc = matches!(shape, Shape::Jdbc);
            let body: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", encode_for(jdbc, v)))
                .chain(unparsed)
                .collect();
            let head = match place {
                Place::JdbcHost => {
                    format!("jdbc:datadirect:autorest://svc:{pw}@api.example.com/v1;")
                }
                Place::JdbcSchemeUrl => format!("jdbc:datadirect:autorest:{url};"),
                _ if matches!(shape, Shape::Jdbc) => "jdbc:datadirect:autorest:".to_owned(),
                _ => String::new(),
            };
            (format!("{head}{}", body.join(";")), "conn.txt".into())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The leak of issue 10 item 7 (`redact` printed the password of
    /// `jdbc:datadirect:autorest://user:PASSWORD@host/…`), every other
    /// URL-shaped place, and every secret option of the catalog (the proxy,
    /// keystore, truststore and JWT passwords among them), in every
    /// surface form, through every command that prints input.
    #[test]
    fn url_shaped_places_and_every_secret_option_are_masked(
        place in prop::sample::select(&PLACES[..]),
        shape in prop::sample::select(&[Shape::ConnFile, Shape::Jdbc, Shape::Ini][..]),
        key in prop::sample::select(
            connstr::options::catalog()
                .iter()
                .filter(|s| s.secret)
                .flat_map(|s| s.names())
                .collect::<Vec<_>>()
        ),
        pw in url_password(),
        value in secret("Sv"),
        log in prop::sample::select(&["", "debug"][..]),
    ) {
        // The JDBC target exists only in a JDBC URL.
        let shape = match place {
            Place::JdbcHost | Place::JdbcSchemeUrl => Shape::Jdbc,
            Place::Option(_) | Place::NoScheme(_) | Place::Unparsed => shape,
        };
        // An odbc.ini value is the rest of its line, verbatim.
        let value = if matches!(shape, Shape::Ini) { value.replace(['{', '}', ';'], "") } else { value };
        let (text, file) = place_text(place, &pw, key, &value, shape);
        let extra: &[&str] = if matches!(shape, Shape::Ini) { &["--dsn", "places"] } else { &[] };
        if let Err(e) = no_command_shows(&text, &file, extra, &[&pw, &value], log) {
            prop_assert!(false, "{:?} {:?} {}: {}", place, shape, key, e);
        }
    }
}

/// The exact report of issue 10: `redact` keeps everything but the password.
#[test]
fn redact_masks_the_password_of_a_jdbc_target() {
    let dir = tempfile::tempdir().unwrap();
    for (url, want) in [
        (
            "jdbc:datadirect:autorest://jsmith:Hunter2pw@api.example.com/v1;AuthenticationMethod=Basic",
            "jdbc:datadirect:autorest://jsmith:<redacted>@api.example.com/v1;AuthenticationMethod=Basic",
        ),
        (
            "jdbc:datadirect:autorest:https://jsmith:Hunter2pw@api.example.com/v1;Sample=/items",
            "jdbc:datadirect:autorest:https://jsmith:<redacted>@api.example.com/v1;Sample=/items",
        ),
        // JDBC braces, taken literally (JDBC 6.0 "Connection URL examples").
        (
            "jdbc:datadirect:autorest:User={jsmith };Password={{hel;lo}};Scope=x",
            "jdbc:datadirect:autorest:User={jsmith };Password={<redacted>};Scope=x",
        ),
        // A proxy written without a scheme.
        (
            "jdbc:datadirect:autorest:ProxyHost=pu:Pr0xyPw@proxy.example.com;ProxyPort=8080",
            "jdbc:datadirect:autorest:ProxyHost=pu:<redacted>@proxy.example.com;ProxyPort=8080",
        ),
        // No password, nothing to mask; `//` in a path is not an authority.
        (
            "jdbc:datadirect:autorest://api.example.com/a//b:c@d;User=jsmith",
            "jdbc:datadirect:autorest://api.example.com/a//b:c@d;User=jsmith",
        ),
    ] {
        std::fs::write(dir.path().join("url.txt"), url).unwrap();
        let o = run(dir.path(), &["redact", "url.txt"], None, "");
        assert_eq!(String::from_utf8_lossy(&o.stdout), want);
    }
}

/// A mistake `connstr fix` repairs, next to (or on the line of) a secret.
#[derive(Clone, Copy, Debug)]
enum FixKind {
    /// The `;` missing at the end of the line before `ClientSecret=`.
    MissingSeparator,
    /// `ClientSecert=` (renamed).
    Misspelt,
    /// `ClientSecret` twice (the unused line removed).
    Duplicate,
    /// odbc.ini `ClientSecret: value`.
    ColonLine,
    /// odbc.ini `ClientSecret=value;`.
    StraySemicolon,
    /// odbc.ini `Driver={…}`.
    BracedDriver,
    /// `TokenURI` without `POST ` (an unsafe fix).
    TokenUriGet,
}

/// The configuration for `kind`, holding `secret` and `other` (a second
/// secret), and its file name.
fn fix_text(kind: FixKind, ini: bool, secret: &str, other: &str) -> (String, &'static str) {
    let ini = ini
        || matches!(
            kind,
            FixKind::ColonLine | FixKind::StraySemicolon | FixKind::BracedDriver
        );
    let ini = ini && !matches!(kind, FixKind::MissingSeparator);
    let token = match kind {
        FixKind::TokenUriGet => "https://idp.example.com/oauth2/token",
        _ => "POST https://idp.example.com/oauth2/token",
    };
    if ini {
        let driver = match kind {
            FixKind::BracedDriver => "{DataDirect 8.0 Autonomous REST Connector}",
            _ => "/opt/datadirect/lib/ivautorest28.so",
        };
        let secret_lines = match kind {
            FixKind::Misspelt => format!("ClientSecert={secret}\n"),
            FixKind::Duplicate => format!("ClientSecret={secret}\nClientSecret={other}\n"),
            FixKind::ColonLine => format!("ClientSecret: {secret}\n"),
            FixKind::StraySemicolon => format!("ClientSecret={secret};\n"),
            _ => format!("ClientSecret={secret}\n"),
        };
        let text = format!(
            "[sales]\nDriver={driver}\nAuthenticationMethod=OAuth2-ClientCredentials\nClientID=app\n\
             {secret_lines}TokenURI={token}\nRefreshToken={other}\n"
        );
        return (text, "odbc.ini");
    }
    let enc = |v: &str| connstr::syntax::encode_value(v).into_owned();
    let secret_pairs = match kind {
        FixKind::Misspelt => format!("ClientSecert={};\n", enc(secret)),
        FixKind::Duplicate => format!(
            "ClientSecret={};\nClientSecret={};\n",
            enc(other),
            enc(secret)
        ),
        _ => format!("ClientSecret={};\n", enc(secret)),
    };
    let sep = if matches!(kind, FixKind::MissingSeparator) {
        ""
    } else {
        ";"
    };
    let text = format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;\nClientID=app{sep}\n{secret_pairs}\
         TokenURI={token};\nRefreshToken={};\n",
        enc(other)
    );
    (text, "conn.txt")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Every kind of fix, next to generated secrets: `fix --dry-run` diffs
    /// (and SARIF, github and every other output) never show a secret, and
    /// `fix` writes nothing but the file.
    #[test]
    fn fix_diffs_and_ci_formats_never_show_a_secret(
        kind in prop::sample::select(&[
            FixKind::MissingSeparator,
            FixKind::Misspelt,
            FixKind::Duplicate,
            FixKind::ColonLine,
            FixKind::StraySemicolon,
            FixKind::BracedDriver,
            FixKind::TokenUriGet,
        ][..]),
        ini in any::<bool>(),
        secret in secret("Fs"),
        other in secret("Fo"),
        log in prop::sample::select(&["", "debug"][..]),
    ) {
        // An odbc.ini value is the rest of its line, verbatim (no braces);
        // a `;` at its end is the stray `;` case's own. `=` stays: in
        // `ClientSecret: a=b` it puts part of the secret in the key.
        let (secret, other) = if ini || matches!(kind, FixKind::ColonLine | FixKind::StraySemicolon | FixKind::BracedDriver) {
            (secret.replace(['{', '}', ';'], ""), other.replace(['{', '}', ';'], ""))
        } else {
            (secret, other)
        };
        let (text, file) = fix_text(kind, ini, &secret, &other);
        // The diff must show the fix: check that there is one to show
        // (`ClientSecret: a=b` is the key `ClientSecret: a`, no fix: its
        // secret must still not show).
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(file), &text).unwrap();
        let o = run(dir.path(), &["fix", "--dry-run", "--unsafe", file], None, "");
        let fixable = !(matches!(kind, FixKind::ColonLine) && secret.contains('='));
        prop_assert!(
            !fixable || String::from_utf8_lossy(&o.stdout).starts_with("--- "),
            "{:?}: no diff for\n{}\n{}", kind, text, String::from_utf8_lossy(&o.stderr)
        );
        if let Err(e) = no_command_shows(&text, file, &[], &[&secret, &other], log) {
            prop_assert!(false, "{:?}: {}", kind, e);
        }
    }
}

/// Every name of every secret option of every profile (the drivers, the
/// driver manager, the odbcinst.ini and `[ODBC]` sections), with its
/// profile: new profiles are covered as soon as they are registered.
fn profile_secret_keys() -> Vec<(&'static str, &'static str)> {
    connstr::options::drivers::all()
        .flat_map(|p| {
            p.options
                .iter()
                .filter(|s| s.secret)
                .flat_map(|s| s.names())
                .map(move |n| (p.id, n))
        })
        .collect()
}

/// A `Driver=` library path connstr recognises as profile `id`, when its
/// patterns give one.
fn driver_for(id: &str) -> Option<String> {
    let p = connstr::options::drivers::profile(id)?;
    p.recognise.libraries.iter().find_map(|pat| {
        let lib = format!("/opt/lib/{}", pat.replace('*', "x"));
        connstr::options::drivers::by_library(&lib)
            .is_some_and(|q| q.id == p.id)
            .then_some(lib)
    })
}

/// In process, every one: each secret name of every profile is a secret
/// key, and its value is a secret span in a connection string and in an
/// odbc.ini data source of that driver.
#[test]
fn every_profiles_secret_keys_are_secret_spans() {
    let keys = profile_secret_keys();
    assert!(keys.len() > 20, "only {} secret names", keys.len());
    for want in [
        "Pwd",
        "Password",
        "token",
        "Auth_Client_Secret",
        "PRIV_KEY_FILE_PWD",
    ] {
        assert!(
            keys.iter().any(|(_, k)| k.eq_ignore_ascii_case(want)),
            "{want} is not a secret of any profile"
        );
    }
    let value = "Zq9-Profile-Secret";
    for (id, key) in keys {
        assert!(connstr::options::is_secret_key(key), "{id}: {key}");
        let driver = driver_for(id).unwrap_or_default();
        let cs = format!("DRIVER={driver};{key}={value}");
        let doc = connstr::syntax::parse_connection_string(&cs);
        let spans: Vec<&str> = connstr::options::secret_spans(&doc)
            .iter()
            .map(|s| s.slice(&cs))
            .collect();
        assert_eq!(spans, [value], "{id}: {cs}");
        let ini = format!("[d]\nDriver={driver}\n{key}={value}\n");
        let doc = connstr::syntax::parse_ini(&ini);
        let spans: Vec<&str> = connstr::options::secret_spans(&doc)
            .iter()
            .map(|s| s.slice(&ini))
            .collect();
        assert_eq!(spans, [value], "{id}: {ini}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// A secret option of any profile, in a data source or connection
    /// string of that driver, never shows in any command's output (check
    /// in every format, explain, parse, redact, fix).
    #[test]
    fn every_profiles_secret_keys_never_show(
        (id, key) in prop::sample::select(profile_secret_keys()),
        value in secret("Pv"),
        ini in any::<bool>(),
    ) {
        let driver = driver_for(id);
        let (text, file) = if ini {
            let value = value.replace(['{', '}', ';'], "");
            let driver = driver.map(|d| format!("Driver={d}\n")).unwrap_or_default();
            (format!("[ODBC Data Sources]\nd=x\n\n[d]\n{driver}{key}={value}\n"), "odbc.ini")
        } else {
            let driver = driver.map(|d| format!("DRIVER={d};")).unwrap_or_default();
            (format!("{driver}{key}={}", encode_for(false, &value)), "conn.txt")
        };
        let shown = if ini { value.replace(['{', '}', ';'], "") } else { value.clone() };
        if let Err(e) = no_command_shows(&text, file, &[], &[&shown], "") {
            prop_assert!(false, "{} {}: {}", id, key, e);
        }
    }
}
