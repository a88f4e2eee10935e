//! Runs every fixture under `fixtures/lints/` through the `connstr` binary and
//! compares its output with the expectations beside it (see
//! `fixtures/lints/README.md`). `BLESS=1 cargo test --test lint_fixtures`
//! rewrites the expectations from the current output.
//!
//! Every SARIF output is also validated against the official SARIF 2.1.0
//! JSON schema (`tests/sarif/sarif-schema-2.1.0.json`).

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

/// Files an input refers to (JWTCertStore keys and keystores), copied beside it.
const SIDE_EXTS: [&str; 3] = ["p12", "pem", "jks"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lints")
}

/// Every input fixture: (directory name, path).
fn inputs() -> Vec<(String, PathBuf)> {
    fixtures::inputs(&root(), |_| true)
}

/// The expectation files an input needs.
fn expectations(group: &str, input: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut kinds = vec!["human", "json", "sarif", "github"];
    if group == "methods" {
        kinds.extend(["explain", "explain.json"]);
    }
    kinds
        .into_iter()
        .map(|k| (k, input.with_extension(k)))
        .collect()
}

/// Extra arguments (`case.args`, one per line) and file mode (`case.mode`, octal).
fn extra(input: &Path) -> (Vec<String>, u32) {
    let args = fs::read_to_string(input.with_extension("args"))
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let mode = fs::read_to_string(input.with_extension("mode"))
        .ok()
        .and_then(|s| u32::from_str_radix(s.trim(), 8).ok())
        .unwrap_or(0o600);
    (args, mode)
}

/// Run `connstr <sub> [--format FORMAT] <args> <file>` in a scratch directory
/// holding a copy of every input of the fixture's directory (so the path
/// printed is just the file name, `.args` can name a sibling such as
/// `--ini ok-odbc.ini`, and each file has the mode its `.mode` asks for), with
/// no colors and no default odbc.ini.
fn run(sub: &str, format: Option<&str>, input: &Path) -> Run {
    let folder = input.parent().expect("fixture directory");
    let dir = fixtures::scratch(folder, |p| match ext(p) {
        e if SIDE_EXTS.contains(&e) => Copy::AsIs,
        // Model files (`.rest`) go with the inputs that name them.
        e if INPUT_EXTS.contains(&e) || e == "rest" => Copy::Mode(extra(p).1),
        _ => Copy::Skip,
    });
    let (args, _) = extra(input);
    let name = input.file_name().expect("file name");
    fixtures::run_in(dir.path(), sub, format, &args, name)
}

#[derive(Deserialize)]
struct Report {
    diagnostics: Vec<Diag>,
    summary: Summary,
}

#[derive(Deserialize)]
struct Diag {
    lint: String,
    severity: String,
    message: String,
    key: Option<String>,
}

#[derive(Deserialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

#[derive(Deserialize)]
struct Explained {
    targets: Vec<ExplainedTarget>,
}

#[derive(Deserialize)]
struct ExplainedTarget {
    plan: Option<Plan>,
}

#[derive(Deserialize)]
struct Plan {
    method: String,
}

/// The official SARIF 2.1.0 schema (draft-04), formats checked too.
fn sarif_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif/sarif-schema-2.1.0.json");
    let text = fs::read_to_string(&path).expect("read the vendored SARIF schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("SARIF schema is JSON");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("SARIF schema compiles")
}

/// Schema errors of one SARIF output, and a `ruleIndex` that does not point
/// at its `ruleId`; returns a failure message.
fn check_sarif(validator: &jsonschema::Validator, input: &Path, out: &str) -> Option<String> {
    let v: serde_json::Value = match serde_json::from_str(out) {
        Ok(v) => v,
        Err(e) => return Some(format!("{}: SARIF is not JSON ({e})", input.display())),
    };
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("  {e} at {}", e.instance_path()))
        .collect();
    if !errors.is_empty() {
        return Some(format!(
            "{}: SARIF does not validate against the 2.1.0 schema:\n{}",
            input.display(),
            errors.join("\n")
        ));
    }
    let run = &v["runs"][0];
    for r in run["results"].as_array().into_iter().flatten() {
        let index = r["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        let rule = &run["tool"]["driver"]["rules"][index]["id"];
        if rule != &r["ruleId"] {
            return Some(format!(
                "{}: result {} has ruleIndex {index}, which is rule {rule}",
                input.display(),
                r["ruleId"]
            ));
        }
    }
    None
}

/// What a `.sarif` expectation holds: the run's results, without their
/// `ruleIndex` (the rules table is the whole lint registry: a new lint would
/// change every fixture; `check_sarif` checks each index instead).
fn sarif_results(out: &str, input: &Path) -> String {
    let mut v: serde_json::Value = serde_json::from_str(out)
        .unwrap_or_else(|e| panic!("{}: SARIF is not JSON ({e}):\n{out}", input.display()));
    let mut results = v["runs"][0]["results"].take();
    for r in results.as_array_mut().into_iter().flatten() {
        if let Some(o) = r.as_object_mut() {
            o.remove("ruleIndex");
        }
    }
    let mut s = serde_json::to_string_pretty(&results).expect("re-serialize");
    s.push('\n');
    s
}

#[test]
fn every_fixture_matches_its_expectations() {
    let inputs = inputs();
    assert!(!inputs.is_empty(), "no fixtures under {}", root().display());
    let validator = sarif_validator();
    let mut failures = Vec::new();
    for (group, input) in &inputs {
        let human = run("check", None, input);
        let json = run("check", Some("json"), input);
        let sarif = run("check", Some("sarif"), input);
        let github = run("check", Some("github"), input);
        let report: Report = serde_json::from_str(&json.stdout)
            .unwrap_or_else(|e| panic!("{}: bad JSON ({e}):\n{}", input.display(), json.stdout));
        // Exit code follows the summary.
        let want_code = i32::from(report.summary.errors > 0);
        for (what, code) in [
            ("human", human.code),
            ("json", json.code),
            ("sarif", sarif.code),
            ("github", github.code),
        ] {
            if code != want_code {
                failures.push(format!(
                    "{} ({what}): exit {code}, expected {want_code}",
                    input.display()
                ));
            }
        }
        let counted = |sev: &str| {
            report
                .diagnostics
                .iter()
                .filter(|d| d.severity == sev)
                .count()
        };
        assert_eq!(
            counted("error"),
            report.summary.errors,
            "{}",
            input.display()
        );
        assert_eq!(
            counted("warning"),
            report.summary.warnings,
            "{}",
            input.display()
        );
        // Triggers or must not trigger its lint.
        let stem = input.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if group != "methods" {
            let fired = report.diagnostics.iter().any(|d| d.lint == *group);
            if stem.starts_with("ok") && fired {
                failures.push(format!("{}: must not report {group}", input.display()));
            }
            if !stem.starts_with("ok") && !fired {
                failures.push(format!("{}: does not report {group}", input.display()));
            }
        }
        // `missing-required/<method>--<option>`: the diagnostic names the option.
        if let (true, Some((_, option))) = (group == "missing-required", stem.split_once("--")) {
            let named = report.diagnostics.iter().any(|d| {
                d.lint == "missing-required"
                    && (d
                        .key
                        .as_deref()
                        .is_some_and(|k| k.eq_ignore_ascii_case(option))
                        || d.message.to_ascii_lowercase().contains(option))
            });
            if !named {
                failures.push(format!(
                    "{}: missing-required does not name {option}",
                    input.display()
                ));
            }
        }
        failures.extend(compare(&input.with_extension("human"), &human.stdout));
        failures.extend(compare(
            &input.with_extension("json"),
            &pretty(&json.stdout, input),
        ));
        failures.extend(check_sarif(&validator, input, &sarif.stdout));
        failures.extend(compare(
            &input.with_extension("sarif"),
            &sarif_results(&sarif.stdout, input),
        ));
        failures.extend(compare(&input.with_extension("github"), &github.stdout));
        if group == "methods" {
            let ex = run("explain", None, input);
            let exj = run("explain", Some("json"), input);
            let explained: Explained = serde_json::from_str(&exj.stdout).unwrap_or_else(|e| {
                panic!(
                    "{}: bad explain JSON ({e}):\n{}",
                    input.display(),
                    exj.stdout
                )
            });
            // The file is named after the method it must explain to.
            let method = explained
                .targets
                .first()
                .and_then(|t| t.plan.as_ref())
                .map(|p| p.method.to_ascii_lowercase());
            let want = stem.split("--").next().unwrap_or(stem).to_ascii_lowercase();
            if method.as_deref() != Some(want.as_str()) {
                failures.push(format!(
                    "{}: explains to {method:?}, expected {want}",
                    input.display()
                ));
            }
            if ex.code != 0 || exj.code != 0 {
                failures.push(format!(
                    "{}: explain exited {}/{}",
                    input.display(),
                    ex.code,
                    exj.code
                ));
            }
            failures.extend(compare(&input.with_extension("explain"), &ex.stdout));
            failures.extend(compare(
                &input.with_extension("explain.json"),
                &pretty(&exj.stdout, input),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A fixture without its expectations, or an expectation without its fixture,
/// is a mistake.
#[test]
fn every_fixture_has_its_expectations() {
    if bless() {
        return;
    }
    let mut missing = Vec::new();
    let inputs = inputs();
    for (group, input) in &inputs {
        for (_, exp) in expectations(group, input) {
            if !exp.is_file() {
                missing.push(exp.display().to_string());
            }
        }
    }
    // Orphans: expectation files with no input.
    for entry in fs::read_dir(root()).into_iter().flatten().flatten() {
        for f in fs::read_dir(entry.path()).into_iter().flatten().flatten() {
            let p = f.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let stem = name.split('.').next().unwrap_or("");
            let is_input = INPUT_EXTS.iter().any(|e| name == format!("{stem}.{e}"));
            if !is_input
                && !INPUT_EXTS
                    .iter()
                    .any(|e| p.with_file_name(format!("{stem}.{e}")).is_file())
            {
                missing.push(format!("{} has no input fixture", p.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing expectations:\n{}",
        missing.join("\n")
    );
}

/// Every lint has a directory with a fixture that triggers it and one that
/// must not.
#[test]
fn every_lint_has_a_triggering_and_a_clean_fixture() {
    let inputs = inputs();
    let mut missing = Vec::new();
    for lint in LINTS {
        let stems: Vec<String> = inputs
            .iter()
            .filter(|(g, _)| g == lint)
            .filter_map(|(_, p)| p.file_stem().and_then(|s| s.to_str()).map(String::from))
            .collect();
        if !stems.iter().any(|s| s.starts_with("ok")) {
            missing.push(format!("{lint}: no `ok*` fixture"));
        }
        if !stems.iter().any(|s| !s.starts_with("ok")) {
            missing.push(format!("{lint}: no triggering fixture"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The list above is the library's, less the `--installed` lints (their
/// fixtures need the machine's driver manager: tests/cli_check_installed.rs).
#[test]
fn the_fixture_list_names_every_lint() {
    let installed = ["driver-not-found"];
    let library: Vec<&str> = connstr::plan::lints::LINTS
        .iter()
        .map(|l| l.name)
        .filter(|n| !installed.contains(n))
        .collect();
    let mut ours = LINTS.to_vec();
    let mut theirs = library.clone();
    ours.sort_unstable();
    theirs.sort_unstable();
    assert_eq!(ours, theirs);
}

/// The lints `connstr check` reports.
const LINTS: &[&str] = &[
    "syntax",
    "model-syntax",
    "model-unreadable",
    "model-entry",
    "custom-auth",
    "model-oauth-conflict",
    "secret-in-model",
    "header-collision",
    "model-choice",
    "unknown-key",
    "duplicate-key",
    "missing-required",
    "invalid-value",
    "ignored-key",
    "swallowed-separator",
    "token-uri-get",
    "secret-in-url",
    "insecure-url",
    "tls-verification-off",
    "deprecated",
    "world-readable-secret",
    "unknown-dsn",
    "indented-line",
    "invisible-data-sources",
    "dsn-list-mismatch",
    "trace-in-dsn",
    "non-utf8",
    "jwt-signing-key",
    "long-and-short-name",
    "databricks-auth-flow",
    "psqlodbc-ini-spelling",
    "psqlodbc-sslmode-letter",
    "mysql-text-boolean",
    "mssql-port",
    "snowflake-config-key",
];
