//! Tests of validation: every method, every required option, every lint
//! (triggered and not), DSN overlay, and no secret in any diagnostic.
//!
//! This file holds the helpers and the sample inputs the topics share; the
//! tests are one file per topic:
//!
//! * `methods.rs` — each AuthenticationMethod's plan;
//! * `legacy.rs` — legacy `OAuth2` choosing its grant (OPTIONS.md §4);
//! * `missing_required.rs` — every required option, missing;
//! * `lints.rs` — each lint, triggered and not (the lints' fixtures are in
//!   `fixtures/lints/<lint>/`, run by `tests/lint_fixtures.rs`);
//! * `checker.rs` — the [`Checker`]: odbc.ini lookup, modes, `--dsn`;
//! * `secrets.rs` — no secret in any diagnostic, plan or option dump
//!   (examples and a property test).

mod checker;
mod legacy;
mod lints;
mod methods;
mod missing_required;
mod secrets;

use std::collections::BTreeMap;

use super::*;

/// Real keys (the `jwt-signing-key` lint opens JWTCertStore).
const RSA_PEM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/jwt/rsa.pem");
const TWO_KEYS_P12: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/jwt/two-keys.p12");
use crate::diagnostic::{Diagnostic, Severity, SourceId, Sources};
use crate::options::{IniFile, IniScope, OdbcPaths, OptionSet};
use crate::syntax::{parse_connection_string, parse_ini, parse_jdbc_url};

fn run_with(s: &str, last_wins: bool) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    let doc = parse_connection_string(s);
    let set = OptionSet::from_document(&doc, SourceId(0), last_wins);
    validate(&set)
}

fn run(s: &str) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    run_with(s, false)
}

fn ini_file(src: &str, mode: Option<u32>) -> IniFile<'_> {
    IniFile {
        doc: parse_ini(src),
        source: SourceId(0),
        scope: IniScope::User,
        name: "/home/ann/.odbc.ini".into(),
        mode,
    }
}

fn run_ini(src: &str, mode: Option<u32>) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    let f = ini_file(src, mode);
    let section = f.dsns()[0].0;
    validate(&OptionSet::from_dsn(&f, section))
}

fn lints(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.lint).collect()
}

fn of<'d>(d: &'d [Diagnostic], lint: &str) -> Vec<&'d Diagnostic> {
    d.iter().filter(|x| x.lint == lint).collect()
}

fn no_errors(d: &[Diagnostic]) {
    let errors: Vec<_> = d.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn oauth(plan: &AuthPlan) -> &OAuth2Plan {
    match &plan.auth {
        Auth::OAuth2(o) => o,
        other => panic!("not OAuth2: {other:?}"),
    }
}

const TOKEN: &str = "TokenURI=POST https://login.example.com/oauth2/token";

fn legacy(rest: &str) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    run(&format!("AuthenticationMethod=OAuth2;{rest}"))
}

const SEED_001: &str = "DRIVER=DataDirect 8.0 Autonomous REST Connector;AuthenticationMethod=OAuth2;\n\
ClientID=1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com\n\
Clientsecret=FaZBFRsGXTaR;RestConfigFile=C:/path/to/googleanalytics.rest;\n\
RefreshToken=1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh;\n\
TokenURI=https://accounts.google.com/o/oauth2/token;";

const SEED_004: &str = "jdbc:datadirect:autorest:AuthenticationMethod=OAuth2-RefreshToken;\n\
ClientID='1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com'\n\
ClientSecret='FaZBFRsGXTaR';Config=C:/path/to/googleanalytics.rest;\n\
RefreshToken='1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh';\n\
TokenURI=https://accounts.google.com/o/oauth2/token;";

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}
