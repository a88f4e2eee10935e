//! The C interface from C and from Python, against the real OAuth server
//! (tests/oidc, oidc-provider): `tests/c/test_connstr.c` is compiled with gcc
//! under AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer and
//! linked with `-lconnstr` against the libconnstr.so cargo just built; each
//! test runs one of its modes and checks the server's side (how many token
//! requests, which grant). `tests/python/ctypes_test.py` does the same through
//! `ctypes`, from the header's contract alone.
//!
//! Needs gcc with libasan/libubsan, Node.js with `npm ci` run in tests/oidc,
//! and Python 3 (the test venv's, else `python3`). A missing tool fails the
//! test with a message.

#[path = "../../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use support::oidc::{CLIENT_CREDENTIALS, CONFIDENTIAL, OidcOptions, OidcServer};

/// The profile directory holding libconnstr.so (target/debug for `cargo test`).
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/debug/deps/c_api-HASH
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps")
        .to_path_buf();
    assert!(
        dir.join("libconnstr.so").is_file() && dir.join("libconnstr.a").is_file(),
        "libconnstr.so / libconnstr.a not found in {} (built with the connstr-ffi package)",
        dir.display()
    );
    dir
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run_ok(cmd: &mut Command, what: &str) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The sanitized C test program, built once per test binary.
fn c_program() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let lib = lib_dir();
        let out_dir = lib.join("ffi-c-tests");
        std::fs::create_dir_all(&out_dir).expect("create the C test directory");
        let exe = out_dir.join("test_connstr");
        // Compile and link flags from connstr.pc, as a C project would get them.
        let pc = run_ok(
            Command::new("pkg-config")
                .args(["--cflags", "--libs", "connstr"])
                .env("PKG_CONFIG_PATH", &lib),
            "pkg-config (apt-get install pkg-config)",
        );
        let pc_flags = String::from_utf8_lossy(&pc.stdout).into_owned();
        assert!(
            pc_flags.contains("-lconnstr") && pc_flags.contains("include"),
            "connstr.pc: {pc_flags}"
        );
        let mut gcc = Command::new(std::env::var("CC").unwrap_or_else(|_| "gcc".to_owned()));
        gcc.args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-g",
            "-O1",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=undefined",
            "-fno-omit-frame-pointer",
        ])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c/test_connstr.c"))
        .arg("-o")
        .arg(&exe)
        .args(pc_flags.split_whitespace())
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-lpthread");
        run_ok(
            &mut gcc,
            "gcc (install gcc; the sanitizers come with it on Debian)",
        );
        exe
    })
}

/// Run the C program in `mode`, sanitizers on, with `envs`.
fn run_c(mode: &[&str], envs: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(c_program());
    cmd.args(mode)
        .env(
            "ASAN_OPTIONS",
            "detect_leaks=1:abort_on_error=0:exitcode=23",
        )
        .env("LSAN_OPTIONS", "exitcode=23")
        .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        .env_remove("CONNSTR_TOKEN_STORE")
        .env_remove("ODBCINI");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = run_ok(&mut cmd, &format!("test_connstr {}", mode.join(" ")));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refresh_conn(server: &OidcServer, refresh_token: &str) -> String {
    format!(
        "AuthenticationMethod=OAuth2-RefreshToken;ClientID={};ClientSecret={{{}}};\
         RefreshToken={{{refresh_token}}};TokenURI=POST {};Scope=api",
        CONFIDENTIAL.id,
        CONFIDENTIAL.secret.unwrap_or_default(),
        server.token_url()
    )
}

#[test]
fn check_explain_authorize_and_version_from_c() {
    run_c(&["check"], &[]);
}

/// The README's static link line: `pkg-config --cflags --libs connstr-static`
/// links libconnstr.a into the program, which then runs without libconnstr.so.
#[test]
fn the_static_library_links_with_the_documented_line() {
    let lib = lib_dir();
    let pc = run_ok(
        Command::new("pkg-config")
            .args(["--cflags", "--libs", "connstr-static"])
            .env("PKG_CONFIG_PATH", &lib),
        "pkg-config connstr-static",
    );
    let flags = String::from_utf8_lossy(&pc.stdout).into_owned();
    assert!(flags.contains("libconnstr.a"), "connstr-static.pc: {flags}");
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = dir.path().join("test_connstr_static");
    run_ok(
        Command::new(std::env::var("CC").unwrap_or_else(|_| "gcc".to_owned()))
            .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c/test_connstr.c"))
            .arg("-o")
            .arg(&exe)
            .args(flags.split_whitespace()),
        "gcc with connstr-static.pc",
    );
    // No libconnstr.so among what the loader would map.
    let needed = run_ok(Command::new("ldd").arg(&exe), "ldd");
    let needed = String::from_utf8_lossy(&needed.stdout);
    assert!(!needed.contains("libconnstr"), "{needed}");
    // And it works: the check/explain/authorize and NULL-argument modes.
    for mode in ["check", "nulls"] {
        run_ok(
            Command::new(&exe)
                .arg(mode)
                .env_remove("CONNSTR_TOKEN_STORE")
                .env_remove("ODBCINI")
                .env("LD_LIBRARY_PATH", dir.path()),
            &format!("static test_connstr {mode}"),
        );
    }
}

#[test]
fn null_arguments_are_errors_not_crashes() {
    run_c(&["nulls"], &[]);
}

/// What C gets is the library's document for the same input, byte for byte
/// (the CLI prints the same: tests/report_json.rs in the main crate).
#[test]
fn c_documents_are_the_librarys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            "conn.txt",
            "DSN=nowhere;AuthenticationMethod=OAuth2;ClientSecret={x-Secret-1}",
        ),
        (
            "odbc.ini",
            "[sales]\nDriver=DataDirect\nAuthenticationMethod=OAuth2-ClientCredentials\n\
             ClientID=app\nClientSecret=top-Secret-2\nTokenURI=https://as.example/t\n",
        ),
        (
            "url.jdbc",
            "jdbc:datadirect:autorest:AuthenticationMethod=Basic;User=ann",
        ),
    ];
    for (name, text) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write input");
        let origin = path.display().to_string();
        let mut cmd = Command::new(c_program());
        cmd.arg("print-check")
            .arg(&path)
            .env("ODBCINI", "/nonexistent");
        let out = cmd.output().expect("run print-check");
        let want = connstr_core::report::check_one(&origin, text).expect("check");
        assert_eq!(String::from_utf8_lossy(&out.stdout), want.json, "{name}");
        assert_eq!(
            out.status.code(),
            Some(i32::from(want.has_errors)),
            "{name}"
        );
        let mut cmd = Command::new(c_program());
        cmd.arg("print-explain")
            .arg(&path)
            .env("ODBCINI", "/nonexistent");
        let out = cmd.output().expect("run print-explain");
        let want = connstr_core::report::explain_one(&origin, text).expect("explain");
        assert_eq!(String::from_utf8_lossy(&out.stdout), want.json, "{name}");
        assert!(!want.json.contains("Secret-"), "{}", want.json);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn token_from_a_refresh_token_rotates_into_the_store() {
    let server = OidcServer::start_default();
    let refresh = server.obtain_refresh_token().await;
    server.reset_stats().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("tokens.json");
    let store_s = store.display().to_string();
    let conn = refresh_conn(&server, &refresh);
    let envs = [
        ("CONNSTR_TEST_CONN", conn.as_str()),
        ("CONNSTR_TOKEN_STORE", store_s.as_str()),
    ];
    let c = envs.map(|(k, v)| (k.to_owned(), v.to_owned()));
    tokio::task::spawn_blocking(move || {
        let envs: Vec<(&str, &str)> = c.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run_c(&["token"], &envs)
    })
    .await
    .expect("join");
    let stats = server.stats().await;
    assert_eq!(stats.grant("refresh_token"), 1, "{stats:?}");
    assert_eq!(stats.refresh_token_reuse, 0, "{stats:?}");
    // The rotated refresh token replaced the configured one in the store.
    let saved = std::fs::read_to_string(&store).expect("the token store was written");
    assert!(
        !saved.contains(&refresh),
        "the old refresh token is still stored"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sixteen_threads_at_expiry_make_one_token_request() {
    // 8 s tokens: refreshed 4 s before expiry (half the lifetime); each
    // request held 500 ms at the server so that the threads overlap.
    let server = OidcServer::start(OidcOptions {
        access_token_ttl: Some(8),
        token_delay_ms: 500,
        ..OidcOptions::default()
    });
    let refresh = server.obtain_refresh_token().await;
    server.reset_stats().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("tokens.json").display().to_string();
    let conn = refresh_conn(&server, &refresh);
    let envs: Vec<(String, String)> = vec![
        ("CONNSTR_TEST_CONN".into(), conn),
        ("CONNSTR_TEST_MARGIN".into(), "4".into()),
        ("CONNSTR_TOKEN_STORE".into(), store),
    ];
    let out = tokio::task::spawn_blocking(move || {
        let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run_c(&["expiry"], &envs)
    })
    .await
    .expect("join");
    assert!(out.contains("threads 16"), "{out}");
    let stats = server.stats().await;
    // One request for the first token, one for the 16 threads at expiry.
    assert_eq!(stats.grant("refresh_token"), 2, "{stats:?}");
    assert_eq!(stats.token_requests, 2, "{stats:?}");
    assert_eq!(stats.max_in_flight, 1, "{stats:?}");
    assert_eq!(stats.refresh_token_reuse, 0, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_client_secret_is_invalid_client_without_the_secret() {
    let server = OidcServer::start_default();
    let wrong = "wrong-Secret-Value-4711";
    let conn = format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID={};ClientSecret={{{wrong}}};\
         TokenURI=POST {};Scope=api",
        CLIENT_CREDENTIALS.id,
        server.token_url()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("tokens.json").display().to_string();
    let envs: Vec<(String, String)> = vec![
        ("CONNSTR_TEST_CONN".into(), conn),
        ("CONNSTR_TEST_SECRET".into(), wrong.into()),
        ("CONNSTR_TOKEN_STORE".into(), store),
    ];
    let out = tokio::task::spawn_blocking(move || {
        let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        run_c(&["wrong-secret"], &envs)
    })
    .await
    .expect("join");
    assert!(out.contains("invalid_client"), "{out}");
    let stats = server.stats().await;
    assert_eq!(stats.error("invalid_client"), 1, "{stats:?}");
}

/// `$CONNSTR_TEST_PYTHON`, else the test venv's (scripts/setup.d), else
/// `python3` on PATH: the test needs only the standard library (ctypes).
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CONNSTR_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = root().join("target/test-venv/bin/python");
    if venv.is_file() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn python_ctypes_uses_the_header_contract() {
    let server = OidcServer::start_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let conn = format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID={};ClientSecret={{{}}};\
         TokenURI=POST {};Scope=api",
        CLIENT_CREDENTIALS.id,
        CLIENT_CREDENTIALS.secret.unwrap_or_default(),
        server.token_url()
    );
    let mut cmd = Command::new(python());
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/ctypes_test.py"))
        .env("CONNSTR_LIB", lib_dir().join("libconnstr.so"))
        .env("CONNSTR_HEADER", root().join("include/connstr.h"))
        .env("CONNSTR_TEST_CONN", conn)
        .env("CONNSTR_TOKEN_STORE", dir.path().join("tokens.json"));
    let out = tokio::task::spawn_blocking(move || run_ok(&mut cmd, "python ctypes_test.py"))
        .await
        .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ctypes: ok"), "{stdout}");
    let stats = server.stats().await;
    assert_eq!(stats.grant("client_credentials"), 1, "{stats:?}");
}

/// The SQLite ODBC driver (libsqliteodbc), or `$CONNSTR_SQLITE_ODBC_DRIVER`.
fn sqlite_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("CONNSTR_SQLITE_ODBC_DRIVER") {
        return PathBuf::from(p);
    }
    [
        "/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so",
        "/usr/lib/aarch64-linux-gnu/odbc/libsqlite3odbc.so",
        "/usr/lib64/libsqlite3odbc.so",
        "/usr/lib/odbc/libsqlite3odbc.so",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .unwrap_or_else(|| {
        panic!(
            "the SQLite ODBC driver is not installed: `apt-get install libsqliteodbc unixodbc-dev` \
             (scripts/test.sh does), or set CONNSTR_SQLITE_ODBC_DRIVER"
        )
    })
}

/// examples/c/odbc_token.c: a token from connstr_source_token, then
/// SQLDriverConnect through unixODBC to the SQLite fixture database with the
/// hand-off string; unixODBC's trace shows what the driver manager received.
#[tokio::test(flavor = "multi_thread")]
async fn the_c_odbc_example_connects_with_the_handoff_string() {
    let server = OidcServer::start_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let lib = lib_dir();
    // The fixture database, made with Python's sqlite3 from fixtures/odbc/sales.sql.
    let db = d.join("sales.db");
    run_ok(
        Command::new(python())
            .args([
                "-c",
                "import sqlite3, sys; sqlite3.connect(sys.argv[1]).executescript(open(sys.argv[2]).read())",
            ])
            .arg(&db)
            .arg(root().join("fixtures/odbc/sales.sql")),
        "python sqlite3 (create the fixture database)",
    );
    let trace = d.join("trace.log");
    std::fs::write(
        d.join("odbcinst.ini"),
        format!(
            "[ODBC]\nTrace=Yes\nTraceFile={}\n\n[SQLite3]\nDriver={}\n",
            trace.display(),
            sqlite_driver().display()
        ),
    )
    .expect("odbcinst.ini");
    std::fs::write(
        d.join("odbc.ini"),
        format!(
            "[ODBC Data Sources]\noauth=SQLite3\n\n[oauth]\nDriver=SQLite3\nDatabase={}\n\
             AuthenticationMethod=OAuth2-ClientCredentials\nClientID={}\nClientSecret={}\n\
             TokenURI=POST {}\nScope=api\n",
            db.display(),
            CLIENT_CREDENTIALS.id,
            CLIENT_CREDENTIALS.secret.unwrap_or_default(),
            server.token_url()
        ),
    )
    .expect("odbc.ini");
    let exe = d.join("odbc_token");
    let pc = run_ok(
        Command::new("pkg-config")
            .args(["--cflags", "--libs", "connstr"])
            .env("PKG_CONFIG_PATH", &lib),
        "pkg-config",
    );
    run_ok(
        Command::new(std::env::var("CC").unwrap_or_else(|_| "gcc".to_owned()))
            .args([
                "-std=c11",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-D_DEFAULT_SOURCE",
            ])
            .arg(root().join("examples/c/odbc_token.c"))
            .arg("-o")
            .arg(&exe)
            .args(String::from_utf8_lossy(&pc.stdout).split_whitespace())
            .arg(format!("-Wl,-rpath,{}", lib.display()))
            .arg("-lodbc"),
        "gcc examples/c/odbc_token.c (apt-get install unixodbc-dev)",
    );
    let run = |exe: PathBuf, d: PathBuf| {
        let mut cmd = Command::new(exe);
        cmd.args(["DSN=oauth", "SELECT customer FROM orders WHERE id = 1"])
            .env("ODBCSYSINI", &d)
            .env("ODBCINI", d.join("odbc.ini"))
            .env_remove("ODBCINSTINI")
            .env("HOME", &d)
            .env("CONNSTR_TOKEN_STORE", d.join("tokens.json"));
        run_ok(&mut cmd, "examples/c/odbc_token")
    };
    for _ in 0..2 {
        let (exe, path) = (exe.clone(), d.to_path_buf());
        let out = tokio::task::spawn_blocking(move || run(exe, path))
            .await
            .expect("join");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("alice"), "{stdout}");
        assert!(!stdout.contains("AccessToken"), "{stdout}");
    }
    // One grant: the second run used the token store's fresh token.
    let stats = server.stats().await;
    assert_eq!(stats.grant("client_credentials"), 1, "{stats:?}");
    let log = std::fs::read_to_string(&trace).expect("unixODBC trace");
    assert!(
        log.contains("DSN=oauth;AuthenticationMethod=OAuth2-AccessToken;AccessToken={"),
        "no hand-off string in the trace:\n{log}"
    );
}
