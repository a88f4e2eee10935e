//! Running the `connstr` binary from an integration test, with none of the
//! caller's environment that would change what it does or prints.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The binary under test. Cargo names it to this package's integration
/// tests only (not to `connstr-ffi`'s, which share `tests/support`): `env!`
/// would not compile there.
#[allow(clippy::option_env_unwrap)]
pub fn bin() -> &'static str {
    option_env!("CARGO_BIN_EXE_connstr")
        .expect("only the connstr package's integration tests can run the connstr binary")
}

/// Variables a test run must not inherit: log levels (extra output), the
/// odbc.ini locations (the developer's data sources), proxies (a test that
/// wants one names it in the connection string) and a browser (`login`
/// would open it).
const NOT_INHERITED: &[&str] = &[
    "CONNSTR_LOG",
    "RUST_LOG",
    "ODBCINI",
    "ODBCSYSINI",
    "BROWSER",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// `connstr` without colour, without the [`NOT_INHERITED`] variables and with
/// standard input closed; set more with the usual [`Command`] methods (an
/// `env` call wins over the removal).
pub fn command() -> Command {
    let mut cmd = Command::new(bin());
    cmd.env("NO_COLOR", "1").stdin(Stdio::null());
    for var in NOT_INHERITED {
        cmd.env_remove(var);
    }
    cmd
}

/// `connstr ARGS` (see [`command`]) with the token store at `store`
/// (`CONNSTR_TOKEN_STORE`), run to completion.
pub fn connstr(store: &Path, args: &[&str]) -> Output {
    command()
        .args(args)
        .env("CONNSTR_TOKEN_STORE", store)
        .output()
        .expect("run connstr")
}

/// [`connstr`] from an async test: on a blocking thread, so that a server
/// running on the test's runtime keeps answering meanwhile.
pub async fn connstr_async(store: &Path, args: &[&str]) -> Output {
    let store = store.to_owned();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        connstr(&store, &args)
    })
    .await
    .expect("the connstr thread panicked")
}

/// Run `cmd` with `input` written to its standard input, to completion.
pub fn run_with_input(cmd: &mut Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run connstr");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for connstr")
}

/// The exit code, -1 when a signal ended the process.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Standard output and standard error, each under a heading, for assertions
/// and failure messages.
pub fn text(o: &Output) -> String {
    format!(
        "--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Standard output as JSON; the failure shows both streams.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(o)))
}
