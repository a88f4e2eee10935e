//! Secrets of every driver profile, as a property: for each profile of
//! `connstr::options::drivers::PROFILES` (Autonomous REST is
//! `hardening_secrets.rs`'s), each option marked secret, under each of its
//! names (canonical, short, aliases) and in each form (an odbc.ini data
//! source, a connection string), a generated secret value is never shown by
//! `check` (human, JSON, SARIF, GitHub), `explain`, `parse`, `redact` or
//! `fix --dry-run`, at the default and the `trace` log level. The data
//! source also carries a misspelt key and a lint-triggering line of that
//! driver, so that diagnostics are printed around the secret.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use connstr::options::drivers::{PROFILES, Profile, by_library};
use proptest::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_connstr");

/// A library file that makes connstr judge a data source by `p`.
fn library_of(p: &Profile) -> &'static str {
    let lib = match p.id {
        "datadirect" => "/opt/Progress/DataDirect/ODBC_80_64bit/lib/ddsfrc28.so",
        "mysql" => "/usr/lib/x86_64-linux-gnu/odbc/libmyodbc8w.so",
        "mssql" => "/opt/microsoft/msodbcsql18/lib64/libmsodbcsql-18.5.so.1.1",
        "snowflake" => "/usr/lib/snowflake/odbc/lib/libSnowflake.so",
        "databricks" => "/opt/simba/spark/lib/64/libsparkodbc_sb64.so",
        "psqlodbc" => "/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so",
        "sqlite" => "/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so",
        other => panic!("profile {other}: add a library file to tests/driver_secrets.rs"),
    };
    assert_eq!(
        by_library(lib).map(|q| q.id),
        Some(p.id),
        "{lib} is not recognised as {}",
        p.id
    );
    lib
}

/// Every (profile, secret key spelling) pair.
fn secret_keys() -> Vec<(&'static Profile, &'static str)> {
    let mut out = Vec::new();
    for p in PROFILES.iter().copied().filter(|p| p.id != "autorest") {
        for spec in p.options.iter().filter(|s| s.secret) {
            for name in spec.names() {
                out.push((p, name));
            }
        }
    }
    out
}

fn run(dir: &Path, args: &[&str], log: &str) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env_remove("ODBCINI")
        .env_remove("ODBCSYSINI")
        .env_remove("CONNSTR_LOG");
    if log.is_empty() {
        cmd.env_remove("RUST_LOG");
    } else {
        cmd.env("RUST_LOG", log);
    }
    cmd.output().expect("run connstr")
}

/// Run every command on `file` at each log level of `logs`; Err names the
/// first that shows `secret`.
fn check_file(dir: &Path, file: &str, secret: &str, logs: &[&str]) -> Result<(), String> {
    let commands: [&[&str]; 8] = [
        &["check", file],
        &["check", "--format", "json", file],
        &["check", "--format", "sarif", file],
        &["check", "--format", "github", file],
        &["explain", file],
        &["parse", file],
        &["redact", file],
        &["fix", "--dry-run", "--unsafe", file],
    ];
    for args in commands {
        for &log in logs {
            let out = run(dir, args, log);
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            if text.contains(secret) {
                return Err(format!(
                    "`connstr {}` (RUST_LOG={log}) shows the secret:\n{text}",
                    args.join(" ")
                ));
            }
            if text.contains("panicked") {
                return Err(format!("`connstr {}` panicked:\n{text}", args.join(" ")));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn no_driver_secret_is_shown(
        pick in any::<prop::sample::Index>(),
        secret in "[A-Za-z0-9]{6}[%+/=._-]?[A-Za-z0-9]{10}",
    ) {
        let keys = secret_keys();
        let (p, key) = keys[pick.index(keys.len())];
        let secret = format!("Zq{secret}");
        if let Err(e) = one_case(p, key, &secret, &["", "trace"]) {
            return Err(TestCaseError::fail(e));
        }
    }
}

/// Write `key=secret` in a data source and a connection string of `p`'s
/// driver and run every command on both.
fn one_case(p: &Profile, key: &str, secret: &str, logs: &[&str]) -> Result<(), String> {
    let lib = library_of(p);
    let dir = tempfile::tempdir().expect("a scratch directory");
    // A misspelt key (did-you-mean) and lines that trigger this
    // driver's lints beside the secret.
    let ini = format!(
        "[dsn]\nDriver={lib}\nDatabse=x\nServer=h\nPort=1\nAuthMech=11\nSSLmode=disable\nAUTO_RECONNECT=true\n{key}={secret}\n"
    );
    fs::write(dir.path().join("odbc.ini"), ini).expect("write odbc.ini");
    fs::write(
        dir.path().join("conn.txt"),
        format!("Driver={lib};Databse=x;Server=h;SSLmode=Require;{key}={secret}\n"),
    )
    .expect("write conn.txt");
    for file in ["odbc.ini", "conn.txt"] {
        check_file(dir.path(), file, secret, logs)
            .map_err(|e| format!("{} {key} in {file}: {e}", p.id))?;
    }
    Ok(())
}

#[test]
fn every_secret_key_of_every_profile_is_masked() {
    for (p, key) in secret_keys() {
        if let Err(e) = one_case(p, key, "ZqFixed-S3cret%2Fvalue", &[""]) {
            panic!("{e}");
        }
    }
}

#[test]
fn every_profile_has_its_secrets_covered() {
    let keys = secret_keys();
    for p in PROFILES.iter().filter(|p| p.id != "autorest") {
        library_of(p);
        if p.options.iter().any(|s| s.secret) {
            assert!(keys.iter().any(|(q, _)| q.id == p.id), "{}", p.id);
        }
    }
    for (id, key) in [
        ("mysql", "PWD3"),
        ("mssql", "KeystoreSecret"),
        ("snowflake", "PRIV_KEY_FILE_PWD"),
        ("databricks", "Auth_Client_Secret"),
        ("databricks", "TokenCachePassPhrase"),
        ("datadirect", "AEKSCS"),
    ] {
        assert!(
            keys.iter().any(|(p, k)| p.id == id && *k == key),
            "{id} {key} is not marked secret"
        );
    }
}
