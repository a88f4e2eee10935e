//! `connstr parse` end to end: the JSON it prints (read back into the typed
//! structs below, which document its shape), exit codes, standard input,
//! `--form`, secrets, a closed pipe, and seed 001's missing `;`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde::Deserialize;

// --- The documented output, read back strictly. -----------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    form: String,
    jdbc: Option<Jdbc>,
    entries: Vec<Entry>,
    sections: Vec<Section>,
    errors: Vec<Error>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Jdbc {
    subprotocol: String,
    driver: String,
    target: Option<String>,
    span: Pos,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    key: String,
    value: String,
    raw_value: String,
    quote: String,
    section: Option<String>,
    secret: bool,
    key_span: Pos,
    value_span: Pos,
    raw_value_span: Pos,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    name: String,
    span: Pos,
    name_span: Pos,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Error {
    kind: String,
    message: String,
    severity: String,
    span: Pos,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct Pos {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start: usize,
    end: usize,
}

// --- Helpers. ------------------------------------------------------------------

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn connstr(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_connstr"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn connstr");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        // A child that stops early (usage errors) closes its end: not our concern.
        if let Err(e) = pipe.write_all(bytes) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    child.wait_with_output().expect("wait for connstr")
}

fn parse_file(rel: &str, extra: &[&str]) -> (Report, Output) {
    let path = fixture(rel);
    let mut args = vec!["parse"];
    args.extend_from_slice(extra);
    args.push(path.to_str().expect("UTF-8 path"));
    let out = connstr(&args, None);
    (report(&out), out)
}

fn report(out: &Output) -> Report {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not the documented JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally, not by a signal")
}

fn entry<'r>(r: &'r Report, key: &str) -> &'r Entry {
    r.entries
        .iter()
        .find(|e| e.key == key)
        .unwrap_or_else(|| panic!("no entry {key} in {r:#?}"))
}

const SEED001_URL: &str = "conn/seed001_odbc_url.txt";

// --- The acceptance check. -----------------------------------------------------

#[test]
fn seed001_client_id_swallows_the_client_secret_pair() {
    let (r, out) = parse_file(SEED001_URL, &["--show-secrets"]);
    assert_eq!(
        code(&out),
        0,
        "a missing `;` is valid syntax: check reports it"
    );
    assert_eq!(r.form, "connection-string");
    let id = entry(&r, "ClientID");
    assert_eq!(
        id.value,
        "1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com\nClientsecret=FaZBFRsGXTaR"
    );
    assert_eq!(id.quote, "bare");
    assert!(!id.secret);
    // The value starts right after `ClientID=` on line 2 and ends after
    // `Clientsecret=FaZBFRsGXTaR` (25 characters) on line 3.
    assert_eq!((id.key_span.line, id.key_span.column), (2, 1));
    assert_eq!((id.value_span.line, id.value_span.column), (2, 10));
    assert_eq!((id.value_span.end_line, id.value_span.end_column), (3, 26));
    let source = std::fs::read_to_string(fixture(SEED001_URL)).expect("seed fixture");
    assert_eq!(
        &source[id.value_span.start..id.value_span.end],
        id.value,
        "byte offsets address the value"
    );
    // No pair named ClientSecret survives; the next pair starts at line 3 column 27.
    assert!(
        r.entries
            .iter()
            .all(|e| !e.key.eq_ignore_ascii_case("ClientSecret"))
    );
    let next = entry(&r, "RestConfigFile");
    assert_eq!((next.key_span.line, next.key_span.column), (3, 27));
    assert_eq!(r.entries.len(), 6);
}

#[test]
fn seed001_without_show_secrets_hides_the_swallowed_secret_but_shows_the_key() {
    let (r, out) = parse_file(SEED001_URL, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("FaZBFRsGXTaR"), "{stdout}");
    assert!(!stdout.contains("abCD0F1GHijkLmNOPqrs"), "{stdout}");
    let id = entry(&r, "ClientID");
    assert_eq!(
        id.value,
        "1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com\nClientsecret=<redacted>"
    );
    // Positions stay those of the source text.
    assert_eq!((id.value_span.end_line, id.value_span.end_column), (3, 26));
    assert_eq!(entry(&r, "RefreshToken").value, "<redacted>");
}

// --- Secrets. ------------------------------------------------------------------

#[test]
fn every_secret_value_is_redacted_without_show_secrets() {
    let rel = "conn/secrets_every_kind.txt";
    let (hidden, out) = parse_file(rel, &[]);
    let (shown, _) = parse_file(rel, &["--show-secrets"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut secrets = 0;
    for (h, s) in hidden.entries.iter().zip(&shown.entries) {
        assert_eq!(h.key, s.key);
        assert_eq!(h.secret, s.secret);
        assert_eq!(h.value_span, s.value_span);
        if s.secret {
            secrets += 1;
            assert_eq!(h.value, "<redacted>", "{}", h.key);
            assert_eq!(h.raw_value, "<redacted>", "{}", h.key);
            assert_ne!(s.value, "<redacted>");
            assert!(!stdout.contains(&s.value), "{} leaks {}", h.key, s.value);
        } else {
            assert_eq!(h.value, s.value);
        }
    }
    // ClientSecret RefreshToken AccessToken SecurityToken Password PWD OAuthCode
    // SecretKey RTK ATK st oac; ClientID and User are not secrets.
    assert_eq!(secrets, 12);
    assert!(!entry(&hidden, "ClientID").secret);
}

#[test]
fn secrets_are_redacted_in_every_form() {
    for (rel, secret) in [
        ("ini/seed001_odbc_ini_with_section.ini", "FaZBFRsGXTaR"),
        ("jdbc/seed004_jdbc_url.jdbc", "FaZBFRsGXTaR"),
        ("jdbc/host_port.jdbc", "s3cr3t"),
        ("conn/seed004_authheader_run_together.txt", "1a2bc34def567"),
        ("conn/unicode.txt", "møt"),
    ] {
        let (_, out) = parse_file(rel, &[]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("<redacted>"), "{rel}");
        assert!(!stdout.contains(secret), "{rel} leaks {secret}:\n{stdout}");
        let (_, shown) = parse_file(rel, &["--show-secrets"]);
        assert!(
            String::from_utf8_lossy(&shown.stdout).contains(secret),
            "{rel}"
        );
    }
}

#[test]
fn a_secret_after_a_missing_equals_is_still_hidden() {
    // The grammar lets a key span a line break: "oops\nPWD" is one key.
    let out = connstr(&["parse", "-"], Some(b"DSN=x;oops\nPWD=hunter2;UID=me"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("hunter2"), "{stdout}");
}

// --- Exit codes. ---------------------------------------------------------------

#[test]
fn exit_0_without_errors_1_with_errors_0_with_only_warnings() {
    let (r, out) = parse_file("conn/braces.txt", &[]);
    assert_eq!(code(&out), 0);
    assert!(r.errors.is_empty());

    let (r, out) = parse_file("conn/err_unterminated_brace.txt", &[]);
    assert_eq!(code(&out), 1);
    assert_eq!(r.errors.len(), 1);
    let e = &r.errors[0];
    assert_eq!(
        (e.kind.as_str(), e.severity.as_str()),
        ("unterminated-brace", "error")
    );
    assert!(!e.message.is_empty());
    assert_eq!((e.span.line, e.span.column), (1, 20));

    let (r, out) = parse_file("ini/err_line_too_long.ini", &[]);
    assert_eq!(code(&out), 0, "line-too-long is a warning");
    assert_eq!(r.errors[0].kind, "line-too-long");
    assert_eq!(r.errors[0].severity, "warning");
    assert!(out.stderr.is_empty());
}

#[test]
fn exit_2_on_io_and_usage_errors() {
    let missing = fixture("conn/no_such_file.txt");
    let out = connstr(&["parse", missing.to_str().expect("UTF-8")], None);
    assert_eq!(code(&out), 2);
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no_such_file.txt"), "{err}");

    let dir = fixture("conn");
    let out = connstr(&["parse", dir.to_str().expect("UTF-8")], None);
    assert_eq!(code(&out), 2, "a directory is not a file");

    // Not UTF-8: read as is, the bytes escaped in the JSON strings, spans
    // in bytes (issue 10 item 6).
    let out = connstr(&["parse", "-"], Some(b"DSN=\xff\xfe;UID=x"));
    assert_eq!(code(&out), 0);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["entries"][0]["value"], "\\xFF\\xFE");
    assert_eq!(json["entries"][1]["key_span"]["start"], 7);

    let out = connstr(&["parse", "--form", "yaml", "-"], Some(b"DSN=x"));
    assert_eq!(code(&out), 2);
    let out = connstr(&["parse", "--no-such-flag", "-"], Some(b"DSN=x"));
    assert_eq!(code(&out), 2);
    let out = connstr(&["parse", "a.txt", "b.txt"], None);
    assert_eq!(code(&out), 2, "one input at a time");
}

#[test]
fn help_documents_the_output_and_exit_codes() {
    let out = connstr(&["parse", "--help"], None);
    assert_eq!(code(&out), 0);
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "--form",
        "--show-secrets",
        "EXIT STATUS",
        "end_column",
        "raw_value",
        "<redacted>",
        ".jdbc",
    ] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
}

// --- Standard input and forms. -----------------------------------------------

#[test]
fn reads_standard_input_with_dash_or_no_file() {
    for args in [&["parse", "-"][..], &["parse"][..]] {
        let out = connstr(args, Some(b"DSN=sales;UID=me"));
        assert_eq!(code(&out), 0, "{args:?}");
        let r = report(&out);
        assert_eq!(r.form, "connection-string");
        let keys: Vec<_> = r.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["DSN", "UID"]);
    }
}

#[test]
fn detects_the_form_from_the_text_on_standard_input() {
    let r = report(&connstr(&["parse"], Some(b"# c\n\n[Sales]\nUser=me\n")));
    assert_eq!(r.form, "ini");
    assert_eq!(r.sections.len(), 1);
    assert_eq!(r.sections[0].name, "Sales");
    assert_eq!(
        (r.sections[0].name_span.line, r.sections[0].name_span.column),
        (3, 2)
    );
    assert_eq!(r.sections[0].span.end_column, 8);
    assert_eq!(r.entries[0].section.as_deref(), Some("Sales"));

    let r = report(&connstr(
        &["parse"],
        Some(b"  jdbc:datadirect:autorest://h:1;User=me"),
    ));
    assert_eq!(r.form, "jdbc-url");
    let j = r.jdbc.expect("a JDBC head");
    assert_eq!(
        (j.subprotocol.as_str(), j.driver.as_str()),
        ("datadirect", "autorest")
    );
    assert_eq!(j.target.as_deref(), Some("//h:1"));
    assert_eq!(j.span.column, 3);

    let r = report(&connstr(&["parse"], Some(b"DSN=x\n[not a section]")));
    assert_eq!(r.form, "connection-string");
    assert!(r.jdbc.is_none());
}

#[test]
fn form_flag_overrides_detection() {
    // An odbc.ini read as a connection string: one long bare value after `[S]\nA`.
    let (r, _) = parse_file("ini/no_final_newline.ini", &["--form", "conn"]);
    assert_eq!(r.form, "connection-string");
    assert!(r.sections.is_empty());

    // A connection string read as odbc.ini: no section, so text-before-section.
    let (r, out) = parse_file("conn/final_semicolon.txt", &["--form", "ini"]);
    assert_eq!(r.form, "ini");
    assert_eq!(code(&out), 1);
    assert!(r.errors.iter().all(|e| e.kind == "text-before-section"));
    assert_eq!(entry(&r, "DSN").value, "sales;UID=me;");

    let out = connstr(&["parse", "--form", "jdbc", "-"], Some(b"User=me"));
    let r = report(&out);
    assert_eq!(r.form, "jdbc-url");
    assert_eq!(code(&out), 1);
    assert_eq!(r.errors[0].kind, "bad-jdbc-prefix");
}

#[test]
fn quotes_and_raw_values_are_reported_as_written() {
    let (r, _) = parse_file("conn/braces.txt", &["--show-secrets"]);
    let s = entry(&r, "ClientSecret");
    assert_eq!(s.quote, "braced");
    assert_eq!(s.value, "a;b=c");
    assert_eq!(s.raw_value, "{a;b=c}");
    assert_eq!(s.raw_value_span.column + 1, s.value_span.column);
    assert!(s.secret);
    assert_eq!(s.section, None);

    let (r, _) = parse_file("conn/single_quotes.txt", &[]);
    assert_eq!(entry(&r, "Scope").quote, "single");
    assert_eq!(entry(&r, "Scope").value, "read write");
}

// --- A reader that goes away. --------------------------------------------------

#[test]
fn a_closed_pipe_is_not_a_crash() {
    // Enough entries that the JSON is far larger than a pipe buffer.
    let mut input = String::new();
    for i in 0..20_000 {
        input.push_str(&format!("Key{i}=value{i};"));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_connstr"))
        .args(["parse", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn connstr");
    drop(child.stdout.take()); // the reader is gone before anything is written
    {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).expect("write input");
    }
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{:?}", out.status);
}
