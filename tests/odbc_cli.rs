//! `connstr drivers`, `dsns` and `connect` against unixODBC and the SQLite
//! ODBC driver, each run as a child process with its own environment.
#![cfg(feature = "odbc")]

mod odbc_common;

use odbc_common::{OdbcEnv, texts};
use serde_json::Value;

fn json(o: &std::process::Output) -> Value {
    let (out, err) = texts(o);
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: stdout={out} stderr={err}"))
}

#[test]
fn drivers_lists_the_fixture_drivers_with_their_odbcinst_lines() {
    let env = OdbcEnv::new();
    let o = env.run(&["drivers", "--format", "json"]);
    assert!(o.status.success(), "{:?}", texts(&o));
    let v = json(&o);
    let inst = env.path().join("odbcinst.ini");
    assert_eq!(v["odbcinst_ini"], inst.display().to_string());
    let drivers = v["drivers"].as_array().unwrap();
    let names: Vec<&str> = drivers
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["SQLite3", "Broken"]);
    assert_eq!(
        drivers[0]["attributes"]["Driver"],
        env.driver.display().to_string()
    );
    assert_eq!(drivers[0]["origin"]["line"], 5);
    assert_eq!(drivers[1]["origin"]["line"], 9);
    assert_eq!(drivers[1]["origin"]["file"], inst.display().to_string());

    let o = env.run(&["drivers"]);
    let (out, _) = texts(&o);
    assert!(
        out.contains(&format!("SQLite3  {}:5", inst.display())),
        "{out}"
    );
    assert!(out.contains("    Description=SQLite3 ODBC Driver"), "{out}");
}

#[test]
fn dsns_lists_user_then_system_and_marks_the_hidden_one() {
    let env = OdbcEnv::new();
    let o = env.run(&["dsns", "--format", "json"]);
    assert!(o.status.success(), "{:?}", texts(&o));
    let v = json(&o);
    let rows: Vec<(String, String, bool, u64)> = v["dsns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_owned(),
                d["scope"].as_str().unwrap().to_owned(),
                d["hidden"].as_bool().unwrap(),
                d["origin"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let row = |n: &str, s: &str, h: bool, l: u64| (n.to_owned(), s.to_owned(), h, l);
    assert_eq!(
        rows,
        [
            row("inventory", "user", false, 3),
            row("sales", "system", false, 10),
            row("inventory", "system", true, 15),
            row("by-path", "system", false, 20),
            row("broken-driver", "system", false, 24),
            row("missing-lib", "system", false, 28),
        ]
    );
    let o = env.run(&["dsns"]);
    let (out, _) = texts(&o);
    assert!(out.contains("(hidden by the user DSN)"), "{out}");
}

#[test]
fn long_dsn_names_are_listed_whole() {
    // odbc-api 29.3's data_sources() cuts names longer than the first one.
    let env = OdbcEnv::new();
    let long = "a-data-source-name-much-longer-than-the-first-one-listed";
    let ini = env.path().join("odbc.ini");
    let mut text = std::fs::read_to_string(&ini).unwrap();
    text.push_str(&format!("\n[{long}]\nDriver=SQLite3\n"));
    std::fs::write(&ini, text).unwrap();
    let v = json(&env.run(&["dsns", "--format", "json"]));
    assert!(
        v["dsns"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == long),
        "{v}"
    );
}

#[test]
fn connect_by_dsn_runs_the_query() {
    let env = OdbcEnv::new();
    let o = env.run(&[
        "connect",
        "--dsn",
        "sales",
        "--query",
        "SELECT id, customer, note FROM orders ORDER BY id",
    ]);
    let (out, err) = texts(&o);
    assert!(o.status.success(), "stdout={out} stderr={err}");
    assert!(out.starts_with("driver:  "), "{out}");
    assert!(out.contains("dbms:    SQLite 3."), "{out}");
    assert!(
        out.contains(&format!("Database={}", env.db.display())),
        "{out}"
    );
    let table = out.split("\n\n").nth(1).expect("a table after the header");
    assert_eq!(
        table,
        "id | customer | note\n\
         -- | -------- | ------------------\n\
         1  | alice    | first\n\
         2  | bob      | NULL\n\
         3  | carol    | braces {;} in text\n\
         (3 rows)\n"
    );
}

#[test]
fn connect_by_driver_string_as_json() {
    let env = OdbcEnv::new();
    let cs = format!("Driver=SQLite3;Database={}", env.db.display());
    let o = env.run(&[
        "connect",
        "-c",
        &cs,
        "--query",
        "SELECT count(*) AS n, sum(amount) AS total FROM orders",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{:?}", texts(&o));
    let v = json(&o);
    assert!(
        v["driver_name"].as_str().unwrap().contains("sqlite3odbc"),
        "{v}"
    );
    assert!(!v["driver_version"].as_str().unwrap().is_empty(), "{v}");
    assert_eq!(v["dbms_name"], "SQLite");
    assert_eq!(v["table"]["columns"], serde_json::json!(["n", "total"]));
    assert_eq!(v["table"]["rows"], serde_json::json!([["3", "119.75"]]));
}

#[test]
fn connect_by_library_path_dsn_and_user_dsn() {
    let env = OdbcEnv::new();
    for dsn in ["by-path", "inventory"] {
        let o = env.run(&["connect", "--dsn", dsn, "--query", "SELECT 40 + 2 AS x"]);
        let (out, err) = texts(&o);
        assert!(o.status.success(), "{dsn}: {out} {err}");
        assert!(out.contains("x\n--\n42\n(1 row)"), "{dsn}: {out}");
    }
}

#[test]
fn connect_reads_the_ini_given_with_ini_flag() {
    let env = OdbcEnv::new();
    let other = env.path().join("other.ini");
    std::fs::write(
        &other,
        format!(
            "[elsewhere]\nDriver=SQLite3\nDatabase={}\n",
            env.db.display()
        ),
    )
    .unwrap();
    let o = env.run(&[
        "connect",
        "--ini",
        other.to_str().unwrap(),
        "--dsn",
        "elsewhere",
        "--query",
        "SELECT customer FROM orders WHERE id = 3",
    ]);
    let (out, err) = texts(&o);
    assert!(o.status.success(), "{out} {err}");
    assert!(out.contains("carol"), "{out}");
}

#[test]
fn secrets_never_reach_the_output() {
    let env = OdbcEnv::new();
    let secret = "Sup3r-s3cret-pw";
    let cs = format!("DSN=sales;PWD={secret};ClientSecret={{{secret}x}}");
    for format in ["human", "json"] {
        let o = env.run(&["connect", "-c", &cs, "--format", format]);
        let (out, err) = texts(&o);
        assert!(o.status.success(), "{out} {err}");
        assert!(
            !out.contains(secret) && !err.contains(secret),
            "{out} {err}"
        );
        assert!(out.contains("PWD=<redacted>"), "{out}");
    }
    // A failing connect: the error names the library, never the secret.
    let cs = format!("Driver=/nonexistent/libx.so;PWD={secret}");
    let o = env.run(&["connect", "-c", &cs]);
    let (out, err) = texts(&o);
    assert_eq!(o.status.code(), Some(1), "{out} {err}");
    assert!(!out.contains(secret) && !err.contains(secret), "{err}");
}

#[test]
fn a_broken_driver_path_fails_with_the_driver_managers_reason() {
    let env = OdbcEnv::new();
    for (dsn, lib) in [
        ("missing-lib", "/nonexistent/connstr/libnothing.so"),
        ("broken-driver", "/nonexistent/connstr/libbroken.so"),
    ] {
        let o = env.run(&["connect", "--dsn", dsn]);
        let (out, err) = texts(&o);
        assert_eq!(o.status.code(), Some(1), "{dsn}: {out} {err}");
        assert!(err.contains("Can't open lib"), "{dsn}: {err}");
        assert!(err.contains(lib), "{dsn}: {err}");
    }
}

#[test]
fn unknown_dsn_and_bad_usage() {
    let env = OdbcEnv::new();
    // connstr resolves the DSN first, as `check` does, and stops there.
    let o = env.run(&["connect", "--dsn", "nope"]);
    let (_, err) = texts(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("unknown-dsn"), "{err}");

    for args in [
        &["connect"][..],
        &["connect", "--dsn", "a", "--dsn", "b"],
        &["connect", "-c", "jdbc:datadirect:autorest:Host=x"],
    ] {
        let o = env.run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {:?}", texts(&o));
    }
}
