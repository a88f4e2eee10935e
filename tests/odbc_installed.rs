//! `check_installed` (the lints of `connstr check --installed`) against the
//! real SQLite ODBC driver library, loaded with dlopen.
#![cfg(feature = "odbc")]

mod odbc_common;

use connstr::apply::odbc::{
    DRIVER_NOT_FOUND, DSN_LIST_MISMATCH, DriverManagerFiles, check_installed,
};
use connstr::diagnostic::{Severity, Sources};
use odbc_common::OdbcEnv;

fn files(env: &OdbcEnv) -> DriverManagerFiles {
    DriverManagerFiles {
        user_ini: None,
        system_ini: env.path().join("odbc.ini"),
        odbcinst_ini: env.path().join("odbcinst.ini"),
    }
}

#[test]
fn fixture_ini_reports_broken_drivers_and_list_mismatches() {
    let env = OdbcEnv::new();
    let paths = files(&env);
    let text = std::fs::read_to_string(&paths.system_ini).unwrap();
    let mut sources = Sources::default();
    let ini = sources.add("odbc.ini", Some(paths.system_ini.clone()), text.clone());
    let diags = check_installed(&mut sources, ini, &paths).unwrap();
    let got: Vec<(&str, Severity, Option<&str>, &str)> = diags
        .iter()
        .map(|d| {
            (
                d.lint,
                d.severity,
                d.section.as_deref(),
                d.primary.span.slice(&text),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                DSN_LIST_MISMATCH,
                Severity::Warning,
                Some("ODBC Data Sources"),
                "ghost"
            ),
            (
                DSN_LIST_MISMATCH,
                Severity::Warning,
                Some("by-path"),
                "[by-path]"
            ),
            (
                DSN_LIST_MISMATCH,
                Severity::Warning,
                Some("broken-driver"),
                "[broken-driver]"
            ),
            (
                DRIVER_NOT_FOUND,
                Severity::Error,
                Some("broken-driver"),
                "Broken"
            ),
            (
                DSN_LIST_MISMATCH,
                Severity::Warning,
                Some("missing-lib"),
                "[missing-lib]"
            ),
            (
                DRIVER_NOT_FOUND,
                Severity::Error,
                Some("missing-lib"),
                "/nonexistent/connstr/libnothing.so"
            ),
        ],
        "{diags:#?}"
    );
    // The registered driver whose library is missing points into odbcinst.ini.
    let broken = &diags[3];
    assert!(
        broken.message.contains("does not load"),
        "{}",
        broken.message
    );
    let inst = sources.get(broken.secondary[0].source).unwrap();
    assert_eq!(
        broken.secondary[0].span.slice(&inst.text),
        "/nonexistent/connstr/libbroken.so"
    );
    assert!(
        diags[5].message.contains("no such file"),
        "{}",
        diags[5].message
    );
}

#[test]
fn a_file_that_is_not_a_library_does_not_load() {
    let env = OdbcEnv::new();
    let paths = files(&env);
    let not_a_lib = env.path().join("odbc.ini");
    let text = format!(
        "[x]\nDriver={}\n[y]\nDriver=sqlite3\n[z]\nDriver={}\n",
        not_a_lib.display(),
        env.driver.display()
    );
    let mut sources = Sources::default();
    let ini = sources.add("t.ini", None, text.clone());
    let diags = check_installed(&mut sources, ini, &paths).unwrap();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].section.as_deref(), Some("x"));
    // dlerror's reason, e.g. "invalid ELF header" or "file too short".
    assert!(
        diags[0].message.contains("no library that loads ("),
        "{}",
        diags[0].message
    );
}

#[test]
fn an_unknown_driver_name_gets_a_did_you_mean() {
    let env = OdbcEnv::new();
    let paths = files(&env);
    let text = "[x]\nDriver=SQLite\n".to_owned();
    let mut sources = Sources::default();
    let ini = sources.add("t.ini", None, text);
    let diags = check_installed(&mut sources, ini, &paths).unwrap();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].help.as_deref(), Some("did you mean `SQLite3`?"));
}

#[test]
fn a_missing_odbcinst_ini_lists_no_drivers() {
    let env = OdbcEnv::new();
    let mut paths = files(&env);
    paths.odbcinst_ini = env.path().join("absent.ini");
    let mut sources = Sources::default();
    let ini = sources.add("t.ini", None, "[x]\nDriver=SQLite3\n".to_owned());
    let diags = check_installed(&mut sources, ini, &paths).unwrap();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(
        diags[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("lists no drivers"),
        "{diags:#?}"
    );
}
