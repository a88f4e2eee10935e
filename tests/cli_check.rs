//! `connstr check`, `explain`, `redact` and `options` through the binary: JSON
//! read back into typed structs, exit codes, `--deny`/`--allow`, colors,
//! standard input, and the property that no output ever holds a secret.

#[allow(dead_code)] // the harness is shared; this file uses part of it
#[path = "support/cli.rs"]
mod cli;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use proptest::prelude::*;
use serde::Deserialize;

// ------------------------------------------------------------ typed output

/// `check --format json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    targets: Vec<CheckedTarget>,
    diagnostics: Vec<Diag>,
    summary: Summary,
}

/// A target of `check --format json`, with the driver profile that judged it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct CheckedTarget {
    name: String,
    kind: String,
    source: Option<String>,
    driver: Driver,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Driver {
    profile: Option<String>,
    from: String,
    detail: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Diag {
    lint: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    section: Option<String>,
    key: Option<String>,
    labels: Vec<LabelOut>,
    /// Only on a diagnostic connstr can fix mechanically.
    #[serde(default)]
    fix: Option<FixOut>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixOut {
    title: String,
    applicability: Applicability,
    edits: Vec<EditOut>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Applicability {
    Safe,
    Unsafe,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditOut {
    source: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start: usize,
    end: usize,
    replacement: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelOut {
    message: String,
    source: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Error,
    Warning,
    Note,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Summary {
    errors: usize,
    warnings: usize,
}

/// `explain --format json`.
#[derive(Debug, Deserialize)]
struct Explained {
    targets: Vec<Target>,
    summary: Summary,
}

#[derive(Debug, Deserialize)]
struct Target {
    name: String,
    plan: Option<PlanOut>,
    diagnostics: Vec<Diag>,
}

#[derive(Debug, Deserialize)]
struct PlanOut {
    method: String,
    grant: Option<String>,
    token_endpoint: Option<EndpointOut>,
    client_credentials_mode: Option<String>,
    client_id: Option<String>,
    scope: Vec<String>,
    provenance: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct EndpointOut {
    method: String,
    url: String,
}

// ------------------------------------------------------------ running

fn connstr(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connstr"));
    cmd.current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("ODBCINI", dir.join("no-such-odbc.ini"))
        .env("ODBCSYSINI", dir.join("no-such-dir"));
    cmd
}

fn run(dir: &Path, args: &[&str]) -> Output {
    connstr(dir).args(args).output().expect("run connstr")
}

fn run_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    cli::run_with_input(connstr(dir).args(args), input)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn report(o: &Output) -> Report {
    serde_json::from_str(&stdout(o))
        .unwrap_or_else(|e| panic!("not a report ({e}):\n{}\n{}", stdout(o), stderr(o)))
}

/// A scratch directory holding `files` (mode 0600).
fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let p = dir.path().join(name);
        fs::write(&p, text).expect("write");
        chmod(&p, 0o600);
    }
    dir
}

fn chmod(p: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(p, fs::Permissions::from_mode(mode)).expect("chmod");
    }
    #[cfg(not(unix))]
    let _ = (p, mode);
}

fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const GOOD_INI: &str = "\
[ODBC Data Sources]
sales=DataDirect 8.0 Autonomous REST Connector

[ODBC]
Trace=no

[sales]
Driver=/opt/datadirect/lib/ivautorest28.so
Description=Sales reporting
AuthenticationMethod=OAuth2-ClientCredentials
ClientID=batch-job
ClientSecret=g00d-Cl1ent-S3cret
TokenURI=POST https://login.example.com/oauth2/token
Scope=reports.read
RESTConfigFile=sales.rest
";

/// The Model file GOOD_INI names (relative: read from the working directory).
const SALES_REST: &str =
    "{\n  // one table\n  \"orders\": \"https://api.example.com/v1/orders /items\",\n}\n";

// ------------------------------------------------------------ seeds and lints

#[test]
fn seed_001_odbc_url_reports_swallowed_separator_at_line_2() {
    let dir = scratch(&[(
        "seed001.txt",
        &fixture("fixtures/lints/swallowed-separator/seed-001-odbc-url.txt"),
    )]);
    let o = run(dir.path(), &["check", "--format", "json", "seed001.txt"]);
    let r = report(&o);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.lint == "swallowed-separator")
        .unwrap_or_else(|| panic!("no swallowed-separator: {r:?}"));
    assert_eq!(d.line, 2, "{d:?}");
    assert_eq!(d.source, "seed001.txt");
    assert!(!stdout(&o).contains("FaZBFRsGXTaR"));
}

#[test]
fn seed_004_jdbc_url_reports_swallowed_separator_at_line_2() {
    let dir = scratch(&[(
        "seed004.jdbc",
        &fixture("fixtures/lints/swallowed-separator/seed-004-jdbc-url.jdbc"),
    )]);
    let o = run(dir.path(), &["check", "--format", "json", "seed004.jdbc"]);
    let r = report(&o);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.lint == "swallowed-separator")
        .unwrap_or_else(|| panic!("no swallowed-separator: {r:?}"));
    assert_eq!(d.line, 2, "{d:?}");
    let human = stdout(&run(dir.path(), &["check", "seed004.jdbc"]));
    assert!(human.contains("seed004.jdbc:2:"), "{human}");
    assert!(!human.contains("FaZBFRsGXTaR"), "{human}");
}

#[test]
fn correct_odbc_ini_reports_nothing_and_exits_0() {
    let dir = scratch(&[("odbc.ini", GOOD_INI), ("sales.rest", SALES_REST)]);
    let o = run(dir.path(), &["check", "--format", "json", "odbc.ini"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let r = report(&o);
    assert!(r.diagnostics.is_empty(), "{r:?}");
    // Every data source is judged as Autonomous REST, and says why.
    assert!(!r.targets.is_empty());
    for t in &r.targets {
        assert_eq!(t.driver.profile.as_deref(), Some("autorest"), "{t:?}");
        assert!(
            !t.driver.from.is_empty() && !t.driver.detail.is_empty(),
            "{t:?}"
        );
    }
    assert_eq!(
        r.summary,
        Summary {
            errors: 0,
            warnings: 0
        }
    );
    let o = run(dir.path(), &["check", "--ini", "odbc.ini"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("no problems"), "{}", stdout(&o));
}

#[test]
fn the_same_dsn_without_its_model_file_gets_one_warning_naming_it() {
    let dir = scratch(&[("odbc.ini", GOOD_INI)]);
    let o = run(dir.path(), &["check", "--format", "json", "odbc.ini"]);
    // A warning: the exit status stays 0.
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let r = report(&o);
    assert_eq!(r.diagnostics.len(), 1, "{r:?}");
    let d = &r.diagnostics[0];
    assert_eq!(d.lint, "model-unreadable");
    assert_eq!(d.severity, Severity::Warning);
    assert!(d.message.contains("sales.rest"), "{d:?}");
    assert_eq!(d.key.as_deref(), Some("RESTConfigFile"));
    let line = GOOD_INI
        .lines()
        .position(|l| l.starts_with("RESTConfigFile="))
        .expect("line")
        + 1;
    assert_eq!((d.line, d.column), (line, 16));
    // --model-dir finds it elsewhere.
    let models = scratch(&[("sales.rest", SALES_REST)]);
    let o = run(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--model-dir",
            models.path().to_str().expect("utf-8 path"),
            "odbc.ini",
        ],
    );
    assert!(report(&o).diagnostics.is_empty(), "{}", stdout(&o));
}

#[test]
fn client_secert_is_an_unknown_key_suggesting_client_secret() {
    let text = GOOD_INI.replace("ClientSecret=", "ClientSecert=");
    let dir = scratch(&[("odbc.ini", &text)]);
    let o = run(dir.path(), &["check", "--format", "json", "odbc.ini"]);
    let r = report(&o);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.lint == "unknown-key")
        .unwrap_or_else(|| panic!("no unknown-key: {r:?}"));
    let line = text
        .lines()
        .position(|l| l.starts_with("ClientSecert"))
        .expect("line")
        + 1;
    assert_eq!((d.line, d.column), (line, 1));
    assert_eq!((d.end_line, d.end_column), (line, 13));
    assert_eq!(d.section.as_deref(), Some("sales"));
    assert_eq!(d.key.as_deref(), Some("ClientSecert"));
    let help = d.help.as_deref().unwrap_or("");
    assert!(help.contains("ClientSecret"), "{d:?}");
    // Its fix renames the key, and only the key.
    let fix = d.fix.as_ref().unwrap_or_else(|| panic!("no fix: {d:?}"));
    assert_eq!(fix.applicability, Applicability::Safe);
    assert_eq!(fix.title, "rename `ClientSecert` to `ClientSecret`");
    let [e] = fix.edits.as_slice() else {
        panic!("{fix:?}")
    };
    assert_eq!(
        (e.source.as_str(), e.replacement.as_str()),
        ("odbc.ini", "ClientSecret")
    );
    assert_eq!(
        (e.line, e.column, e.end_line, e.end_column),
        (line, 1, line, 13)
    );
    assert_eq!(&text[e.start..e.end], "ClientSecert");
    // Human output points at the same place and masks the value.
    let human = stdout(&run(dir.path(), &["check", "odbc.ini"]));
    assert!(human.contains(&format!("odbc.ini:{line}:1")), "{human}");
    assert!(human.contains("warning[unknown-key]") || human.contains("error[unknown-key]"));
    assert!(!human.contains("g00d-Cl1ent-S3cret"), "{human}");
}

#[test]
fn dsn_filter_and_non_dsn_sections() {
    let text =
        format!("{GOOD_INI}\n[hr]\nAuthenticationMethod=Bogus\n\n[ODBC File DSN]\nFrobnicate=1\n");
    let dir = scratch(&[("odbc.ini", &text), ("sales.rest", SALES_REST)]);
    // Every DSN: hr's invalid value is reported; [ODBC File DSN] is no DSN.
    let r = report(&run(dir.path(), &["check", "--format", "json", "odbc.ini"]));
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.section.as_deref() == Some("hr"))
    );
    assert!(
        !r.diagnostics
            .iter()
            .any(|d| d.section.as_deref().is_some_and(|s| s.starts_with("ODBC"))),
        "{r:?}"
    );
    // Only sales.
    let o = run(
        dir.path(),
        &[
            "check", "--format", "json", "--ini", "odbc.ini", "--dsn", "sales",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(report(&o).diagnostics.is_empty());
}

// ------------------------------------------------------------ exit codes, levels

const WARN_ONLY: &str = "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=a;ClientSecret=w4rn-S3cret-Value;TokenURI=https://login.example.com/token;RESTConfigFile=/x.rest";

#[test]
fn warnings_exit_0_errors_exit_1_and_deny_allow() {
    let dir = scratch(&[]);
    let base = ["check", "--format", "json", "-c", WARN_ONLY];
    let o = run(dir.path(), &base);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let r = report(&o);
    assert!(r.summary.warnings > 0 && r.summary.errors == 0, "{r:?}");
    assert!(r.diagnostics.iter().any(|d| d.lint == "token-uri-get"));

    // --deny warnings: every warning becomes an error.
    let o = run(dir.path(), &[&base[..], &["--deny", "warnings"]].concat());
    assert_eq!(code(&o), 1);
    let r = report(&o);
    assert_eq!(r.summary.warnings, 0);
    assert!(r.diagnostics.iter().all(|d| d.severity == Severity::Error));

    // --deny one lint.
    let o = run(
        dir.path(),
        &[&base[..], &["--deny", "token-uri-get"]].concat(),
    );
    assert_eq!(code(&o), 1);
    let r = report(&o);
    assert!(
        r.diagnostics
            .iter()
            .all(|d| (d.lint == "token-uri-get") == (d.severity == Severity::Error))
    );

    // --allow it: gone; a specific lint beats the `warnings` group.
    let o = run(
        dir.path(),
        &[
            &base[..],
            &["--allow", "token-uri-get", "--deny", "warnings"],
        ]
        .concat(),
    );
    let r = report(&o);
    assert!(
        !r.diagnostics.iter().any(|d| d.lint == "token-uri-get"),
        "{r:?}"
    );
    let o = run(dir.path(), &[&base[..], &["--allow", "warnings"]].concat());
    let r = report(&o);
    assert_eq!(r.summary.warnings, 0);
    assert!(
        r.diagnostics
            .iter()
            .all(|d| d.severity != Severity::Warning)
    );

    // An error exits 1.
    let o = run(
        dir.path(),
        &[
            "check",
            "-c",
            "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=a",
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("error[missing-required]"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = scratch(&[]);
    let o = run(dir.path(), &["check", "no-such-file.ini"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no-such-file.ini"), "{}", stderr(&o));
    let o = run(
        dir.path(),
        &["check", "--deny", "no-such-lint", "-c", "a=b"],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no-such-lint"));
    let o = run(dir.path(), &["check", "--format", "yaml", "-c", "a=b"]);
    assert_eq!(code(&o), 2);
    let o = run(dir.path(), &["check", "-", "-"]);
    assert_eq!(code(&o), 2);
    // Nothing to check (no default odbc.ini here).
    let o = run(dir.path(), &["check"]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    // Not UTF-8: read as is (issue 10 item 6), the bytes shown escaped; the
    // DSN is checked like any other (and is defined nowhere here).
    fs::write(dir.path().join("bin.txt"), b"DSN=\xff\xfe").expect("write");
    let o = run(dir.path(), &["check", "bin.txt"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).contains("DSN=\\xFF\\xFE"), "{}", stdout(&o));
    assert!(stdout(&o).contains("unknown-dsn"), "{}", stdout(&o));
}

#[test]
fn last_wins_switches_the_duplicate_rule() {
    let dir = scratch(&[]);
    let s = "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=first;ClientSecret=l4st-S3cret-Value;TokenURI=POST https://t.example.com/token;ClientID=second;RESTConfigFile=/x.rest";
    let first: Explained = serde_json::from_str(&stdout(&run(
        dir.path(),
        &["explain", "--format", "json", "-c", s],
    )))
    .expect("explain json");
    let last: Explained = serde_json::from_str(&stdout(&run(
        dir.path(),
        &["explain", "--format", "json", "--last-wins", "-c", s],
    )))
    .expect("explain json");
    let id = |e: &Explained| e.targets[0].plan.as_ref().and_then(|p| p.client_id.clone());
    assert_eq!(id(&first).as_deref(), Some("first"));
    assert_eq!(id(&last).as_deref(), Some("second"));
    let r = report(&run(dir.path(), &["check", "--format", "json", "-c", s]));
    let dup = r
        .diagnostics
        .iter()
        .find(|d| d.lint == "duplicate-key")
        .expect("duplicate-key");
    assert!(dup.message.contains("ClientID"), "{dup:?}");
    // Primary: the occurrence not used; label: the one used.
    let second = s.find("ClientID=second").expect("second") + 1;
    let first = s.find("ClientID=first").expect("first") + 1;
    assert_eq!((dup.line, dup.column), (1, second));
    let l = &dup.labels[0];
    assert_eq!((l.source.as_str(), l.line, l.column), ("<-c 1>", 1, first));
    assert_eq!((l.end_line, l.end_column), (1, first + "ClientID".len()));
    assert!(!l.message.is_empty());
}

// ------------------------------------------------------------ colors, stdin, pipes

#[test]
fn colors_only_when_forced_and_no_color_wins() {
    let dir = scratch(&[]);
    let plain = run(dir.path(), &["check", "-c", WARN_ONLY]);
    assert!(!stdout(&plain).contains('\x1b'));
    let colored = connstr(dir.path())
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(["check", "-c", WARN_ONLY])
        .output()
        .expect("run");
    assert!(stdout(&colored).contains("\x1b["), "{}", stdout(&colored));
    let no_color = connstr(dir.path())
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .args(["check", "-c", WARN_ONLY])
        .output()
        .expect("run");
    assert!(!stdout(&no_color).contains('\x1b'));
    // Same text once styles are removed.
    assert_eq!(strip_ansi(&stdout(&colored)), stdout(&plain));
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn stdin_is_read_and_named() {
    let dir = scratch(&[]);
    let o = run_stdin(
        dir.path(),
        &["check", "--format", "json", "-"],
        GOOD_INI.replace("ClientSecret=", "ClientSecert=").as_str(),
    );
    let r = report(&o);
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.source == "<stdin>" && d.lint == "unknown-key"),
        "{r:?}"
    );
    // A connection string on stdin, over several lines.
    let o = run_stdin(
        dir.path(),
        &["check", "--format", "json", "-"],
        "AuthenticationMethod=None;\nHostName=https://h.example.com;\nRESTConfigFile=/x.rest\n",
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let redacted = run_stdin(dir.path(), &["redact", "-"], GOOD_INI);
    assert_eq!(
        stdout(&redacted),
        GOOD_INI.replace("g00d-Cl1ent-S3cret", "<redacted>")
    );
}

#[test]
fn broken_pipe_is_not_a_crash() {
    let dir = scratch(&[]);
    // Many diagnostics, a reader that goes away at once.
    let big: String = (0..2000).map(|i| format!("Unknown{i}=x;")).collect();
    let path = dir.path().join("big.txt");
    fs::write(&path, big).expect("write");
    let mut child = connstr(dir.path())
        .args(["check", "big.txt"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{:?}", out.status);
}

// ------------------------------------------------------------ explain, redact, options

#[test]
fn explain_says_which_grant_and_why() {
    let dir = scratch(&[(
        "odbc.ini",
        &fixture("fixtures/lints/methods/oauth2--refresh-token.ini"),
    )]);
    let o = run(dir.path(), &["explain", "--format", "json", "odbc.ini"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let e: Explained = serde_json::from_str(&stdout(&o)).expect("explain json");
    let t = &e.targets[0];
    assert!(t.name.contains("api"), "{t:?}");
    let p = t.plan.as_ref().expect("plan");
    assert_eq!(p.method, "OAuth2");
    assert_eq!(p.grant.as_deref(), Some("refresh_token"));
    let ep = p.token_endpoint.as_ref().expect("endpoint");
    assert_eq!(ep.method, "POST");
    assert_eq!(ep.url, "https://accounts.google.com/o/oauth2/token");
    assert_eq!(p.client_credentials_mode.as_deref(), Some("Basic"));
    assert!(p.scope.is_empty());
    let prov = p.provenance.get("TokenURI").expect("TokenURI provenance");
    assert!(prov.to_string().contains("odbc.ini"), "{prov}");
    let human = stdout(&run(dir.path(), &["explain", "odbc.ini"]));
    assert!(
        human.contains("refresh_token") || human.contains("refresh token"),
        "{human}"
    );
    assert!(
        human.contains("because") || human.contains("chosen"),
        "{human}"
    );
    assert!(human.contains("odbc.ini:"), "{human}");
    assert!(!human.contains("FaZBFRsGXTaR"), "{human}");
    // An invalid plan: diagnostics and exit 1.
    let o = run(
        dir.path(),
        &[
            "explain",
            "--format",
            "json",
            "-c",
            "AuthenticationMethod=OAuth2-RefreshToken",
        ],
    );
    assert_eq!(code(&o), 1);
    let e: Explained = serde_json::from_str(&stdout(&o)).expect("explain json");
    assert!(e.targets[0].plan.is_none());
    assert!(
        e.targets[0]
            .diagnostics
            .iter()
            .any(|d| d.lint == "missing-required")
    );
    assert!(e.summary.errors > 0);
}

#[test]
fn redact_keeps_every_other_byte() {
    let seed = fixture("fixtures/lints/swallowed-separator/seed-001-odbc-url.txt");
    let dir = scratch(&[("seed.txt", &seed)]);
    let o = run(dir.path(), &["redact", "seed.txt"]);
    assert_eq!(code(&o), 0);
    let want = seed
        .replace("FaZBFRsGXTaR", "<redacted>")
        .replace("1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh", "<redacted>");
    assert_eq!(stdout(&o), want);
    let o = run(dir.path(), &["redact", "-c", "DSN=x;PWD={a;b}}c};UID=me"]);
    assert_eq!(stdout(&o), "DSN=x;PWD={<redacted>};UID=me");
}

#[test]
fn options_lists_the_catalog() {
    let dir = scratch(&[]);
    let o = run(dir.path(), &["options", "--format", "json"]);
    assert_eq!(code(&o), 0);
    #[derive(Deserialize)]
    struct Options {
        options: Vec<Opt>,
    }
    #[derive(Deserialize)]
    struct Opt {
        name: String,
        short: Option<String>,
        aliases: Vec<String>,
        default: Option<String>,
        secret: bool,
        description: String,
    }
    let opts: Options = serde_json::from_str(&stdout(&o)).expect("options json");
    let cs = opts
        .options
        .iter()
        .find(|o| o.name == "ClientSecret")
        .expect("ClientSecret");
    assert!(cs.secret && !cs.description.is_empty());
    let am = opts
        .options
        .iter()
        .find(|o| o.name == "AuthenticationMethod")
        .expect("am");
    assert_eq!(
        (am.short.as_deref(), am.default.as_deref()),
        (Some("am"), Some("None"))
    );
    let user = opts
        .options
        .iter()
        .find(|o| o.name == "User")
        .expect("User");
    assert!(user.aliases.contains(&"UID".to_owned()));
    let human = stdout(&run(dir.path(), &["options"]));
    assert_eq!(human.lines().count(), opts.options.len() + 1);
}

#[test]
fn every_subcommand_has_help_with_examples() {
    let dir = scratch(&[]);
    for sub in ["check", "explain", "redact", "options"] {
        let o = run(dir.path(), &[sub, "--help"]);
        assert_eq!(code(&o), 0, "{sub}");
        let text = stdout(&o);
        assert!(text.contains("Examples:"), "{sub}: {text}");
        assert!(text.contains(&format!("connstr {sub}")), "{sub}: {text}");
    }
}

// ------------------------------------------------------------ no secret in any output

#[derive(Clone, Debug)]
enum Shape {
    Ini,
    ConnFile,
    ConnArg,
    Jdbc,
}

#[derive(Clone, Debug)]
struct Case {
    shape: Shape,
    method: &'static str,
    secrets: Vec<(&'static str, String)>,
    /// Drop the `;` before this pair index (a swallowed separator).
    swallow: Option<usize>,
    /// Misspell the first secret key (`ClientSecert`-style).
    typo: bool,
    world_readable: bool,
}

const SECRET_KEYS: [&str; 6] = [
    "ClientSecret",
    "RefreshToken",
    "AccessToken",
    "SecurityToken",
    "Password",
    "OAuthCode",
];

const METHODS: [&str; 8] = [
    "OAuth2",
    "OAuth2-RefreshToken",
    "OAuth2-ClientCredentials",
    "OAuth2-AuthorizationCode",
    "OAuth2-Password",
    "BearerToken",
    "Basic",
    "OAuth2-AccessToken",
];

fn secret_value() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._~+/-]{11,23}"
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![
            Just(Shape::Ini),
            Just(Shape::ConnFile),
            Just(Shape::ConnArg),
            Just(Shape::Jdbc)
        ],
        proptest::sample::select(&METHODS[..]),
        proptest::sample::subsequence(&SECRET_KEYS[..], 1..=6),
        proptest::collection::vec(secret_value(), 6),
        proptest::option::of(0usize..8),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(shape, method, keys, values, swallow, typo, world_readable)| Case {
                shape,
                method,
                secrets: keys.into_iter().zip(values).collect(),
                swallow,
                typo,
                world_readable,
            },
        )
}

impl Case {
    fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs = vec![
            ("AuthenticationMethod".to_owned(), self.method.to_owned()),
            ("ClientID".to_owned(), "prop-client".to_owned()),
            ("User".to_owned(), "ann".to_owned()),
        ];
        for (i, (k, v)) in self.secrets.iter().enumerate() {
            let key = if self.typo && i == 0 {
                let mut k = k.to_string();
                let n = k.len();
                k.replace_range(n - 2.., &format!("{}{}", &k[n - 1..], &k[n - 2..n - 1]));
                k
            } else {
                (*k).to_owned()
            };
            pairs.push((key, v.clone()));
        }
        pairs.push((
            "TokenURI".to_owned(),
            "https://login.example.com/oauth2/token".to_owned(),
        ));
        pairs.push((
            "RedirectURI".to_owned(),
            "https://app.example.com/cb".to_owned(),
        ));
        pairs
    }

    /// The text, and whether it goes in a file (else `-c`).
    fn text(&self) -> (String, &'static str) {
        let pairs = self.pairs();
        let join = |sep_kv: &str, line_end: &str| {
            let mut s = String::new();
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    if self.swallow == Some(i) {
                        s.push_str(if line_end.contains('\n') { "\n" } else { " " });
                    } else {
                        s.push_str(line_end);
                    }
                }
                s.push_str(k);
                s.push_str(sep_kv);
                s.push_str(v);
            }
            s
        };
        match self.shape {
            Shape::Ini => (format!("[prop]\n{}\n", join("=", "\n")), "case.ini"),
            Shape::ConnFile => (join("=", ";\n"), "case.txt"),
            Shape::ConnArg => (join("=", ";"), "-c"),
            Shape::Jdbc => (
                format!("jdbc:datadirect:autorest:{}", join("=", ";")),
                "case.jdbc",
            ),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn no_output_holds_a_secret(case in case()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let (text, file) = case.text();
        let input: Vec<&str> = if file == "-c" {
            vec!["-c", text.as_str()]
        } else {
            let p = dir.path().join(file);
            fs::write(&p, &text).expect("write");
            chmod(&p, if case.world_readable { 0o644 } else { 0o600 });
            vec![file]
        };
        let runs: [&[&str]; 5] = [
            &["check"],
            &["check", "--format", "json"],
            &["explain"],
            &["explain", "--format", "json"],
            &["redact"],
        ];
        for sub in runs {
            let o = run(dir.path(), &[sub, &input[..]].concat());
            let out = format!("{}{}", stdout(&o), stderr(&o));
            prop_assert!(!out.contains("panicked"), "{sub:?} panicked:\n{out}");
            for (k, v) in &case.secrets {
                prop_assert!(!out.contains(v.as_str()), "{sub:?} leaks {k} ({v}):\ninput:\n{text}\noutput:\n{out}");
            }
        }
    }
}

#[test]
fn a_secret_in_a_url_is_never_shown() {
    let dir = scratch(&[]);
    let s = "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=batch-job;ClientSecret=qs-Cl1ent-S3cret;TokenURI=https://ann:pw-1n-Url@login.example.com/oauth2/token?client_secret=qs-Cl1ent-S3cret;RESTConfigFile=/x.rest";
    for args in [
        &["check", "-c", s][..],
        &["check", "--format", "json", "-c", s],
        &["explain", "-c", s],
        &["explain", "--format", "json", "-c", s],
        &["redact", "-c", s],
    ] {
        let o = run(dir.path(), args);
        let out = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!out.contains("qs-Cl1ent-S3cret"), "{args:?}:\n{out}");
        assert!(!out.contains("pw-1n-Url"), "{args:?}:\n{out}");
    }
}

#[test]
fn explain_tells_where_each_value_came_from_with_a_dsn_overlay() {
    let dir = scratch(&[("odbc.ini", GOOD_INI), ("sales.rest", SALES_REST)]);
    let o = run(
        dir.path(),
        &[
            "explain",
            "--format",
            "json",
            "--ini",
            "odbc.ini",
            "--dsn",
            "sales",
            "-c",
            "DSN=sales;Scope=reports.write",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let e: Explained = serde_json::from_str(&stdout(&o)).expect("explain json");
    let t = e
        .targets
        .iter()
        .find(|t| t.name == "<-c 1>")
        .unwrap_or_else(|| panic!("no string target: {e:?}"));
    let p = t.plan.as_ref().expect("plan");
    assert_eq!(p.scope, ["reports.write"]);
    assert_eq!(p.client_id.as_deref(), Some("batch-job"));
    let from = |k: &str| {
        let v = &p.provenance[k];
        (
            v["source"].as_str().unwrap_or("").to_owned(),
            v["line"].as_u64().unwrap_or(0),
        )
    };
    let client_line = GOOD_INI
        .lines()
        .position(|l| l.starts_with("ClientID="))
        .expect("line") as u64
        + 1;
    assert_eq!(from("ClientID"), ("odbc.ini".to_owned(), client_line));
    assert_eq!(from("Scope"), ("<-c 1>".to_owned(), 1));
    let human = stdout(&run(
        dir.path(),
        &[
            "explain",
            "--ini",
            "odbc.ini",
            "-c",
            "DSN=sales;Scope=reports.write",
        ],
    ));
    assert!(
        human.contains(&format!("odbc.ini:{client_line}:1 [sales]")),
        "{human}"
    );
    assert!(human.contains("<-c 1>:1:11"), "{human}");
    assert!(!human.contains("g00d-Cl1ent-S3cret"), "{human}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// In process: no Debug of a plan, a target (its resolved options) or a
    /// diagnostic holds a secret.
    #[test]
    fn no_debug_holds_a_secret(case in case()) {
        let (text, _) = case.text();
        let (_, report) = connstr::plan::check_text("case", &text);
        for t in &report.targets {
            let dbg = format!("{:?}\n{:?}\n{:?}", t.plan, t, t.diagnostics);
            for (k, v) in &case.secrets {
                prop_assert!(!dbg.contains(v.as_str()), "Debug leaks {k} ({v}):\n{text}\n{dbg}");
            }
            if let Some(plan) = &t.plan {
                let json = serde_json::to_string(plan).expect("plan json");
                for (k, v) in &case.secrets {
                    prop_assert!(!json.contains(v.as_str()), "Serialize leaks {k}:\n{json}");
                }
            }
        }
    }
}
