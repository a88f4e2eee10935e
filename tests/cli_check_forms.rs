//! `connstr check`/`explain` read each input in the form the CLI detected
//! (`*.ini`, `*.jdbc`, the first significant line), not in a form the checker
//! guesses again from the content.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn connstr(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connstr"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env_remove("ODBCINI")
        .env_remove("ODBCSYSINI")
        .output()
        .expect("run connstr")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn lints(v: &Value) -> Vec<(String, String)> {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["lint"].as_str().unwrap_or("").to_owned(),
                d["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn an_ini_file_without_sections_is_read_as_odbc_ini() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No `[section]` line: by content alone this would be a connection string
    // (and report a Basic login without Password).
    fs::write(
        dir.path().join("only-pairs.ini"),
        "AuthenticationMethod=Basic\nUser=ann\n",
    )
    .expect("write");
    let out = connstr(dir.path(), &["check", "--format", "json", "only-pairs.ini"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let got = lints(&json(&out));
    // Read as odbc.ini: unixODBC sees no data source in a file that does not
    // start with a section (invisible-data-sources), and the entries are
    // outside any section (syntax); nothing about a Basic login.
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got.iter()
            .any(|(lint, m)| lint == "invisible-data-sources" && m.contains("`[section]`")),
        "{got:?}"
    );
    for (lint, message) in got.iter().filter(|(l, _)| l != "invisible-data-sources") {
        assert_eq!(lint, "syntax");
        assert!(
            message.contains("before the first `[section]`"),
            "{message}"
        );
    }
}

#[test]
fn a_jdbc_file_is_read_as_a_jdbc_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("x.jdbc"),
        "AuthenticationMethod=Basic;User=ann;Password=pw",
    )
    .expect("write");
    let out = connstr(dir.path(), &["explain", "--format", "json", "x.jdbc"]);
    let v = json(&out);
    let target = &v["targets"][0];
    assert_eq!(target["kind"], "jdbc-url", "{v}");
    let got = lints(target);
    assert!(
        got.iter()
            .any(|(l, m)| l == "syntax" && m.contains("JDBC URL starts with")),
        "{got:?}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("pw\""));
}

#[test]
fn a_connection_string_with_a_bracket_line_stays_a_connection_string() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The first significant line is a pair: a connection string, even though
    // a later line starts with `[` (which content-only detection took for an
    // odbc.ini section).
    fs::write(
        dir.path().join("conn.txt"),
        "AuthenticationMethod=Basic;User=ann;Password=pw;\n[not a section]\n",
    )
    .expect("write");
    let out = connstr(dir.path(), &["explain", "--format", "json", "conn.txt"]);
    let v = json(&out);
    assert_eq!(v["targets"][0]["kind"], "connection-string", "{v}");
}

/// `check --installed` in a connstr built without ODBC support: a clear
/// refusal, exit 2 (tests/cli_check_installed.rs covers the feature).
#[cfg(not(feature = "odbc"))]
#[test]
fn installed_needs_the_odbc_feature() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("odbc.ini"), "[a]\nDriver=x\n").expect("write");
    let out = connstr(dir.path(), &["check", "--installed", "odbc.ini"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--installed") && err.contains("odbc"), "{err}");
}

/// A user odbc.ini unixODBC reads no data source from (an entry before its
/// first header) hides no system DSN: `DSN=shared` is the system's
/// `[shared]`, as `isql shared` connects to it (measured with unixODBC
/// 2.3.11, fixtures/odbc/differential/README.md). A DSN only that file
/// defines is still found there, with the reason unixODBC cannot use it.
#[test]
fn a_dsn_in_an_invisible_user_file_is_the_system_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fs::create_dir(d.join("sys")).expect("mkdir");
    fs::write(
        d.join("sys/odbc.ini"),
        "[shared]\nDriver=SQLite3\nDatabase=/srv/system.db\n",
    )
    .expect("write");
    fs::write(
        d.join("user.ini"),
        "Description=mine\n[shared]\nDriver=SQLite3\nDatabase=/srv/user.db\n\
         [useronly]\nDriver=SQLite3\nDatabase=/srv/user.db\n",
    )
    .expect("write");
    fs::write(d.join("shared.txt"), "DSN=shared\n").expect("write");
    fs::write(d.join("useronly.txt"), "DSN=useronly\n").expect("write");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_connstr"))
            .args(args)
            .current_dir(d)
            .env("NO_COLOR", "1")
            .env("HOME", d)
            .env("ODBCINI", d.join("user.ini"))
            .env("ODBCSYSINI", d.join("sys"))
            .env_remove("ODBCINSTINI")
            .output()
            .expect("run connstr")
    };

    let out = run(&["explain", "shared.txt"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let database = text
        .lines()
        .find(|l| l.trim_start().starts_with("Database"))
        .unwrap_or_else(|| panic!("no Database line:\n{text}"));
    assert!(
        database.contains("/srv/system.db") && database.contains("sys/odbc.ini"),
        "{text}"
    );
    let out = run(&["check", "--format", "json", "shared.txt"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(lints(&json(&out)), Vec::<(String, String)>::new());

    let out = run(&["check", "--format", "json", "useronly.txt"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let got = lints(&json(&out));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "invisible-data-sources");
    assert!(got[0].1.contains("[useronly]"), "{got:?}");
}
