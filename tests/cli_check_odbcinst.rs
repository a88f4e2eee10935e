//! `connstr check` on an odbcinst.ini (a file named `odbcinst.ini` or
//! `.odbcinst.ini`): its sections are judged as driver sections and `[ODBC]`
//! globals, not as data sources. Each folder of `fixtures/odbcinst/` holds
//! one such file with the expected `connstr check` output beside it
//! (`expected.human`, `expected.json`); `BLESS=1` rewrites them. Every
//! odbcinst.ini of `fixtures/drivers/` (real-shaped files the driver fixtures
//! use) and every `ok-*` case must report nothing at all.

use std::fs;
use std::path::{Path, PathBuf};

#[allow(dead_code)] // the harness is shared; this file uses part of it
#[path = "support/cli.rs"]
mod cli;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn bless() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| v != "0" && !v.is_empty())
}

/// `connstr check [--format json] FILE` in a scratch copy of `file`'s
/// folder, with no machine odbc.ini or odbcinst.ini.
fn check(file: &Path, json: bool) -> (String, i32) {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = file.file_name().expect("file name");
    fs::copy(file, dir.path().join(name)).expect("copy");
    let mut cmd = cli::command();
    cmd.arg("check");
    if json {
        cmd.args(["--format", "json"]);
    }
    let out = cmd
        .arg(name)
        .current_dir(dir.path())
        .env_remove("CLICOLOR_FORCE")
        .env("HOME", dir.path())
        .env("ODBCINI", dir.path().join("no-such-odbc.ini"))
        .env("ODBCSYSINI", dir.path().join("no-such-dir"))
        .env_remove("ODBCINSTINI")
        .output()
        .expect("run connstr");
    let code = cli::code(&out);
    (String::from_utf8(out.stdout).expect("utf-8 stdout"), code)
}

fn json_of(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

/// The odbcinst.ini of each case folder.
fn cases() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for dir in fs::read_dir(root().join("odbcinst"))
        .expect("fixtures/odbcinst")
        .flatten()
    {
        if !dir.path().is_dir() {
            continue;
        }
        let case = dir.file_name().to_string_lossy().into_owned();
        let file = ["odbcinst.ini", ".odbcinst.ini"]
            .iter()
            .map(|n| dir.path().join(n))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("{case}: no odbcinst.ini"));
        out.push((case, file));
    }
    out.sort();
    out
}

fn compare(expected: &Path, actual: &str, failures: &mut Vec<String>) {
    if bless() {
        fs::write(expected, actual).expect("write expectation");
        return;
    }
    match fs::read_to_string(expected) {
        Ok(want) if want == actual => {}
        Ok(want) => failures.push(format!(
            "{} differs:\n--- expected\n{want}\n--- actual\n{actual}",
            expected.display()
        )),
        Err(_) => failures.push(format!("{} is missing (BLESS=1)", expected.display())),
    }
}

#[test]
fn odbcinst_cases_match_their_expectations() {
    let cases = cases();
    assert!(cases.len() >= 3, "too few cases");
    let mut failures = Vec::new();
    for (case, file) in &cases {
        let folder = file.parent().expect("folder");
        let (human, _) = check(file, false);
        compare(&folder.join("expected.human"), &human, &mut failures);
        let (json, code) = check(file, true);
        let v = json_of(&json);
        let mut pretty = serde_json::to_string_pretty(&v).expect("pretty");
        pretty.push('\n');
        compare(&folder.join("expected.json"), &pretty, &mut failures);
        // Sections are not data sources: no target, no data-source lint.
        assert_eq!(v["targets"], serde_json::json!([]), "{case}: targets");
        let lints: Vec<&str> = v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter_map(|d| d["lint"].as_str())
            .collect();
        for dsn_lint in [
            "dsn-list-mismatch",
            "invisible-data-sources",
            "trace-in-dsn",
            "ignored-key",
        ] {
            assert!(!lints.contains(&dsn_lint), "{case}: {dsn_lint}");
        }
        if case.starts_with("ok-") {
            assert!(lints.is_empty(), "{case}: {lints:?}");
            assert_eq!(code, 0, "{case}");
        } else {
            assert!(!lints.is_empty(), "{case} reports nothing");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_driver_fixtures_odbcinst_files_are_clean() {
    let mut seen = 0;
    for dir in fs::read_dir(root().join("drivers"))
        .expect("fixtures/drivers")
        .flatten()
    {
        let file = dir.path().join("odbcinst.ini");
        if !file.exists() {
            continue;
        }
        seen += 1;
        let (json, code) = check(&file, true);
        let v = json_of(&json);
        assert_eq!(
            v["diagnostics"],
            serde_json::json!([]),
            "{}",
            file.display()
        );
        assert_eq!(v["targets"], serde_json::json!([]), "{}", file.display());
        assert_eq!(code, 0, "{}", file.display());
    }
    assert!(seen >= 3, "too few odbcinst.ini files: {seen}");
}

#[test]
fn the_same_sections_in_a_file_named_odbc_ini_are_data_sources() {
    // The name decides: the problems file read as an odbc.ini has targets.
    let cases = cases();
    let (_, file) = cases
        .iter()
        .find(|(c, _)| c == "problems")
        .expect("the problems case");
    let dir = tempfile::tempdir().expect("tempdir");
    let as_odbc = dir.path().join("odbc.ini");
    fs::copy(file, &as_odbc).expect("copy");
    let (json, _) = check(&as_odbc, true);
    let v = json_of(&json);
    assert!(!v["targets"].as_array().expect("targets").is_empty());
}

#[test]
fn a_file_with_an_odbc_drivers_list_is_an_odbcinst_ini_whatever_its_name() {
    // fixtures/drivers/mixed/odbcinst.ini (it lists its drivers in
    // `[ODBC Drivers]`) kept under another name, as repositories and
    // Dockerfiles keep templates: still judged as driver sections.
    let real = root().join("drivers/mixed/odbcinst.ini");
    let text = fs::read_to_string(&real).expect("mixed odbcinst.ini");
    assert!(text.contains("[ODBC Drivers]"));
    let dir = tempfile::tempdir().expect("tempdir");
    let renamed = dir.path().join("drivers.template.ini");
    fs::write(&renamed, &text).expect("write");
    let (json, code) = check(&renamed, true);
    let v = json_of(&json);
    assert_eq!(v["targets"], serde_json::json!([]), "{json}");
    assert_eq!(v["diagnostics"], serde_json::json!([]), "{json}");
    assert_eq!(code, 0);
    // Without the list, the same sections under that name are data sources.
    let without = text.replace("[ODBC Drivers]", "[Unrelated]");
    fs::write(&renamed, without).expect("write");
    let (json, _) = check(&renamed, true);
    assert!(
        !json_of(&json)["targets"]
            .as_array()
            .expect("targets")
            .is_empty()
    );
}
