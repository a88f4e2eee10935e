//! Runs every fixture under `fixtures/drivers/` through the `connstr` binary
//! (`check`, `check --format json`, `explain`) and compares the output with
//! the expectations beside it (see `fixtures/drivers/README.md`).
//! `BLESS=1 cargo test --test driver_fixtures` rewrites the expectations
//! from the current output; review every changed file before committing.
//!
//! Beyond the blessed text, each case must hold what its name and folder
//! say: an `ok-*` case reports nothing at all (no false alarm), any other
//! case reports something; a case in `fixtures/drivers/<profile>/` has at
//! least one target judged by `<profile>`; `typo-*` cases get a
//! did-you-mean from that profile; and no secret of the input shows in any
//! output.

#[allow(dead_code)] // the harness is shared; this file uses part of it
#[path = "support/cli.rs"]
mod cli;
#[allow(dead_code)] // the harness is shared; this file uses part of it
#[path = "support/fixtures.rs"]
mod fixtures;

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use fixtures::{Copy, INPUT_EXTS, Run, bless, compare, ext, pretty};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/drivers")
}

/// Whether `p` is an odbcinst.ini of the folder (passed as `--odbcinst`),
/// not an input.
fn is_odbcinst(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.eq_ignore_ascii_case("odbcinst.ini"))
}

/// Every input: (folder name, path).
fn inputs() -> Vec<(String, PathBuf)> {
    fixtures::inputs(&root(), |p| !is_odbcinst(p))
}

/// `connstr <sub> [--format F] [--odbcinst odbcinst.ini] <input>` in a
/// scratch directory holding the folder's files (mode 0600), with no colors
/// and no machine odbc.ini or odbcinst.ini.
fn run(sub: &str, format: Option<&str>, input: &Path) -> Run {
    let folder = input.parent().expect("fixture folder");
    let dir = fixtures::scratch(folder, |p| {
        if INPUT_EXTS.contains(&ext(p)) {
            Copy::Mode(0o600)
        } else {
            Copy::Skip
        }
    });
    let odbcinst = fs::read_dir(dir.path())
        .expect("read scratch directory")
        .flatten()
        .any(|f| is_odbcinst(&f.path()));
    let args: Vec<String> = if odbcinst {
        vec!["--odbcinst".into(), "odbcinst.ini".into()]
    } else {
        Vec::new()
    };
    let name = input.file_name().expect("file name");
    fixtures::run_in(dir.path(), sub, format, &args, name)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    targets: Vec<Target>,
    diagnostics: Vec<Diag>,
    summary: Summary,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Target {
    name: String,
    #[allow(dead_code)]
    kind: String,
    #[allow(dead_code)]
    source: Option<String>,
    driver: Driver,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Driver {
    profile: Option<String>,
    from: String,
    detail: String,
}

#[derive(Deserialize)]
struct Diag {
    lint: String,
    help: Option<String>,
}

#[derive(Deserialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

/// The values of secret-looking keys of an input (`Password=…`, `PWD=…`,
/// `token=…`): none may show in any output.
fn secrets_of(text: &str) -> Vec<String> {
    text.split(['\n', ';'])
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| connstr::options::is_secret_key(k.trim()))
        .map(|(_, v)| v.trim().trim_matches(['{', '}']).to_owned())
        .filter(|v| v.len() >= 4)
        .collect()
}

#[test]
fn every_driver_fixture_matches_its_expectations() {
    let inputs = inputs();
    assert!(
        inputs.len() >= 9,
        "too few driver fixtures: {}",
        inputs.len()
    );
    let mut failures = Vec::new();
    for (group, input) in &inputs {
        let stem = input
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a file stem");
        let human = run("check", None, input);
        let json = run("check", Some("json"), input);
        let explain = run("explain", None, input);
        let report: Report = serde_json::from_str(&json.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: bad JSON ({e}):\n{}\n{}",
                input.display(),
                json.stdout,
                json.stderr
            )
        });
        let total = report.summary.errors + report.summary.warnings;
        if stem.starts_with("ok") && (total != 0 || !report.diagnostics.is_empty()) {
            failures.push(format!(
                "{}: an ok case reports {} problem(s): {:?}",
                input.display(),
                report.diagnostics.len(),
                report
                    .diagnostics
                    .iter()
                    .map(|d| &d.lint)
                    .collect::<Vec<_>>()
            ));
        }
        if !stem.starts_with("ok") && report.diagnostics.is_empty() {
            failures.push(format!("{}: reports nothing", input.display()));
        }
        if connstr::options::drivers::profile(group).is_some_and(|p| p.id == group)
            && !report
                .targets
                .iter()
                .any(|t| t.driver.profile.as_deref() == Some(group.as_str()))
        {
            failures.push(format!(
                "{}: no target is judged by `{group}`: {:?}",
                input.display(),
                report
                    .targets
                    .iter()
                    .map(|t| (&t.name, &t.driver.profile, &t.driver.from, &t.driver.detail))
                    .collect::<Vec<_>>()
            ));
        }
        if stem.starts_with("typo")
            && !report.diagnostics.iter().any(|d| {
                d.lint == "unknown-key"
                    && d.help
                        .as_deref()
                        .is_some_and(|h| h.starts_with("did you mean"))
            })
        {
            failures.push(format!(
                "{}: a typo case without did-you-mean",
                input.display()
            ));
        }
        for t in &report.targets {
            if t.driver.from.is_empty() || t.driver.detail.is_empty() {
                failures.push(format!("{}: [{}] has no `from`", input.display(), t.name));
            }
        }
        let text = fs::read_to_string(input).expect("read input");
        for secret in secrets_of(&text) {
            for (what, out) in [
                ("check", &human.stdout),
                ("check --format json", &json.stdout),
                ("explain", &explain.stdout),
            ] {
                if out.contains(&secret) {
                    failures.push(format!("{}: {what} shows a secret", input.display()));
                }
            }
        }
        if human.code != i32::from(report.summary.errors > 0) {
            failures.push(format!(
                "{}: exit {} with {} error(s)",
                input.display(),
                human.code,
                report.summary.errors
            ));
        }
        failures.extend(compare(&input.with_extension("human"), &human.stdout));
        failures.extend(compare(
            &input.with_extension("json"),
            &pretty(&json.stdout, input),
        ));
        failures.extend(compare(&input.with_extension("explain"), &explain.stdout));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every profile of a driver has a folder with at least three real-shaped
/// files that check clean.
#[test]
fn every_profile_folder_has_three_clean_files() {
    if bless() {
        return;
    }
    for dir in fs::read_dir(root()).expect("fixtures/drivers").flatten() {
        let group = dir.file_name().to_string_lossy().into_owned();
        if connstr::options::drivers::profile(&group).is_none_or(|p| p.id != group) {
            continue;
        }
        let ok = inputs()
            .iter()
            .filter(|(g, p)| {
                *g == group
                    && p.file_stem()
                        .and_then(|s| s.to_str())
                        .is_some_and(|s| s.starts_with("ok"))
            })
            .count();
        assert!(ok >= 3, "fixtures/drivers/{group}: only {ok} clean files");
    }
}

/// An expectation without its input, or an input without its expectations,
/// is a mistake.
#[test]
fn every_driver_fixture_has_its_expectations() {
    if bless() {
        return;
    }
    let inputs = inputs();
    for (_, input) in &inputs {
        for ext in ["human", "json", "explain"] {
            assert!(
                input.with_extension(ext).exists(),
                "{} has no .{ext} (run with BLESS=1)",
                input.display()
            );
        }
    }
    for dir in fs::read_dir(root()).expect("fixtures/drivers").flatten() {
        for f in fs::read_dir(dir.path()).into_iter().flatten().flatten() {
            let p = f.path();
            let kind = ext(&p);
            if ["human", "json", "explain"].contains(&kind) {
                assert!(
                    inputs.iter().any(|(_, i)| i.with_extension(kind) == p),
                    "{} has no input",
                    p.display()
                );
            }
        }
    }
}
