//! `connstr check --installed`: the odbc.ini inputs checked against the drivers
//! of the odbcinst.ini that `$ODBCSYSINI` selects, through the binary, with
//! the real dlopen (the SQLite ODBC driver loads; a missing library does not).
#![cfg(feature = "odbc")]

mod odbc_common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// A scratch directory: `odbcinst.ini` (SQLite3 with the real library,
/// Broken with a library that does not exist) and `odbc.ini` (one good DSN,
/// one on the broken driver, one naming no driver at all, and a list that
/// names a DSN with no section and misses one).
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let driver = odbc_common::sqlite_driver();
    fs::write(
        dir.path().join("odbcinst.ini"),
        format!(
            "[SQLite3]\nDriver={}\n\n[Broken]\nDescription=gone\nDriver=/nonexistent/connstr/libbroken.so\n",
            driver.display()
        ),
    )
    .expect("odbcinst.ini");
    fs::write(
        dir.path().join("odbc.ini"),
        "[ODBC Data Sources]\ngood=SQLite3\nbroken=Broken\nghost=SQLite3\n\n\
         [good]\nDriver=SQLite3\n\n\
         [broken]\nDriver=Broken\n\n\
         [typo]\nDriver=SQLite\n",
    )
    .expect("odbc.ini");
    dir
}

fn connstr(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connstr"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("ODBCSYSINI", dir)
        .env("ODBCINI", dir.join("no-user-odbc.ini"))
        .env_remove("ODBCINSTINI")
        .output()
        .expect("run connstr")
}

/// (lint, severity, section) of every diagnostic of `check --format json`.
fn found(out: &Output) -> Vec<(String, String, String)> {
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or("").to_owned();
            (s("lint"), s("severity"), s("section"))
        })
        .collect()
}

fn of<'a>(all: &'a [(String, String, String)], lint: &str) -> Vec<&'a (String, String, String)> {
    all.iter().filter(|d| d.0 == lint).collect()
}

#[test]
fn installed_reports_broken_drivers_and_list_mismatches() {
    let dir = setup();
    let out = connstr(
        dir.path(),
        &["check", "--installed", "--format", "json", "odbc.ini"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let all = found(&out);
    let drivers = of(&all, "driver-not-found");
    let sections: Vec<&str> = drivers.iter().map(|d| d.2.as_str()).collect();
    assert_eq!(sections, ["broken", "typo"], "{all:?}");
    assert!(drivers.iter().all(|d| d.1 == "error"));
    let lists = of(&all, "dsn-list-mismatch");
    assert!(lists.len() >= 2, "ghost listed, typo not listed: {all:?}");
    assert!(lists.iter().all(|d| d.1 == "warning"));
    // The human form says why the broken library does not load.
    let human = connstr(dir.path(), &["check", "--installed", "odbc.ini"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("libbroken.so"), "{text}");
    assert!(text.contains("error[driver-not-found]"), "{text}");
}

#[test]
fn without_the_flag_the_machine_is_not_consulted() {
    let dir = setup();
    let out = connstr(dir.path(), &["check", "--format", "json", "odbc.ini"]);
    let all = found(&out);
    assert!(of(&all, "driver-not-found").is_empty(), "{all:?}");
    // The list is text: checked with or without the flag, and reported once
    // with it (the same diagnostics, deduplicated).
    let without = of(&all, "dsn-list-mismatch").len();
    assert!(without >= 2, "{all:?}");
    let with = connstr(
        dir.path(),
        &["check", "--installed", "--format", "json", "odbc.ini"],
    );
    assert_eq!(of(&found(&with), "dsn-list-mismatch").len(), without);
}

#[test]
fn deny_and_allow_know_the_installed_lints() {
    let dir = setup();
    let args = |extra: &[&'static str]| {
        let mut a = vec!["check", "--installed", "--format", "json"];
        a.extend_from_slice(extra);
        a.push("odbc.ini");
        a
    };
    let out = connstr(
        dir.path(),
        &args(&[
            "--allow",
            "driver-not-found",
            "--allow",
            "dsn-list-mismatch",
        ]),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(found(&out).is_empty());
    let out = connstr(
        dir.path(),
        &args(&["--allow", "driver-not-found", "--deny", "dsn-list-mismatch"]),
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let all = found(&out);
    assert!(
        !all.is_empty()
            && all
                .iter()
                .all(|d| d.0 == "dsn-list-mismatch" && d.1 == "error")
    );
    // The lint list of `check --help` names them.
    let help = connstr(dir.path(), &["check", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("driver-not-found") && text.contains("dsn-list-mismatch"));
}

#[test]
fn the_plan_layer_names_the_lints_apply_reports() {
    use connstr::apply::odbc::{DRIVER_NOT_FOUND, DSN_LIST_MISMATCH};
    use connstr::plan::lints as lint;
    assert_eq!(lint::DRIVER_NOT_FOUND, DRIVER_NOT_FOUND);
    assert_eq!(lint::DSN_LIST_MISMATCH, DSN_LIST_MISMATCH);
    assert!(lint::info(DRIVER_NOT_FOUND).is_some());
    assert!(lint::info(DSN_LIST_MISMATCH).is_some());
}
