//! Shared set-up of the ODBC tests: a temporary directory holding the
//! fixtures of `fixtures/odbc/` with real paths, a SQLite database made from
//! `fixtures/odbc/sales.sql`, and `connstr` run as a child process with
//! `ODBCSYSINI`/`ODBCINI` pointing there (environment variables are
//! process-global, so no test sets them in its own process).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where the fixtures name the SQLite ODBC driver (Debian amd64).
pub const FIXTURE_DRIVER_PATH: &str = "/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so";

/// The SQLite ODBC driver library: `$CONNSTR_SQLITE_ODBC_DRIVER`, or the first
/// place Debian, Fedora or a local build puts it. Panics with how to install it
/// (the tests must not pass silently without the driver).
pub fn sqlite_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("CONNSTR_SQLITE_ODBC_DRIVER") {
        return PathBuf::from(p);
    }
    let candidates = [
        FIXTURE_DRIVER_PATH,
        "/usr/lib/aarch64-linux-gnu/odbc/libsqlite3odbc.so",
        "/usr/lib/i386-linux-gnu/odbc/libsqlite3odbc.so",
        "/usr/lib64/libsqlite3odbc.so",
        "/usr/lib/odbc/libsqlite3odbc.so",
        "/usr/local/lib/libsqlite3odbc.so",
    ];
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "the SQLite ODBC driver is not installed: `apt-get install libsqliteodbc` \
                 (scripts/test.sh does), or set CONNSTR_SQLITE_ODBC_DRIVER to its library"
            )
        })
}

/// The fixtures directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/odbc")
}

/// A temporary ODBC set-up.
pub struct OdbcEnv {
    /// Holds everything; removed on drop.
    pub dir: tempfile::TempDir,
    /// The SQLite ODBC driver library.
    pub driver: PathBuf,
    /// The SQLite database.
    pub db: PathBuf,
}

impl OdbcEnv {
    /// Copy the fixtures with real paths and create the database.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let driver = sqlite_driver();
        let db = dir.path().join("sales.db");
        let fix = |text: &str| {
            text.replace(FIXTURE_DRIVER_PATH, &driver.display().to_string())
                .replace("Database=sales.db", &format!("Database={}", db.display()))
        };
        for name in ["odbcinst.ini", "odbc.ini", "user.ini"] {
            let text = std::fs::read_to_string(fixtures().join(name)).expect("fixture");
            std::fs::write(dir.path().join(name), fix(&text)).expect("write fixture");
        }
        create_database(&driver, &db);
        OdbcEnv { dir, driver, db }
    }

    /// The directory (`$ODBCSYSINI`).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `connstr` with the driver manager's variables pointing here.
    pub fn connstr(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_connstr"));
        c.env("ODBCSYSINI", self.path())
            .env("ODBCINI", self.path().join("user.ini"))
            .env("HOME", self.path())
            .env_remove("ODBCINSTINI")
            .env("NO_COLOR", "1");
        c
    }

    /// Run `connstr args…` here.
    pub fn run(&self, args: &[&str]) -> Output {
        self.connstr().args(args).output().expect("run connstr")
    }
}

/// Create `db` from `fixtures/odbc/sales.sql` through the driver (by library
/// path, so no odbcinst.ini is read).
pub fn create_database(driver: &Path, db: &Path) {
    let sql = std::fs::read_to_string(fixtures().join("sales.sql")).expect("sales.sql");
    let env = odbc_api::Environment::new().expect("ODBC environment");
    let cs = format!("Driver={{{}}};Database={}", driver.display(), db.display());
    let conn = env
        .connect_with_connection_string(&cs, odbc_api::ConnectionOptions::default())
        .expect("connect to SQLite to create the test database");
    for stmt in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        conn.execute(stmt, (), None)
            .unwrap_or_else(|e| panic!("{stmt}: {e}"));
    }
}

/// Standard output and error as text, for messages.
pub fn texts(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}
