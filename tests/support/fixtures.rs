//! The harness of the fixture tests (`tests/lint_fixtures.rs` for
//! `fixtures/lints/`, `tests/driver_fixtures.rs` for `fixtures/drivers/`):
//! find the input files of a fixture tree, run `connstr` on one in a scratch
//! directory holding copies of its folder's files, and compare each output
//! with the expectation file beside the input — or, with `BLESS=1`, rewrite
//! the expectation from the output.
//!
//! Include it with the command harness it runs the binary through:
//!
//! ```text
//! #[allow(dead_code)]
//! #[path = "support/cli.rs"]
//! mod cli;
//! #[path = "support/fixtures.rs"]
//! mod fixtures;
//! ```

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use super::cli;

/// The extensions of input fixtures: odbc.ini files, connection strings,
/// JDBC URLs.
pub const INPUT_EXTS: [&str; 3] = ["ini", "txt", "jdbc"];

/// Whether `BLESS` is set (not empty, not `0`): expectations are rewritten
/// from the current output instead of compared.
pub fn bless() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| v != "0" && !v.is_empty())
}

/// The extension of `p`, `""` when it has none.
pub fn ext(p: &Path) -> &str {
    p.extension().and_then(|e| e.to_str()).unwrap_or("")
}

/// Every input under `root` (a file with an [`INPUT_EXTS`] extension in a
/// folder of `root`, that `keep` accepts): (folder name, path), sorted.
pub fn inputs(root: &Path, keep: impl Fn(&Path) -> bool) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for dir in fs::read_dir(root).into_iter().flatten().flatten() {
        if !dir.path().is_dir() {
            continue;
        }
        let group = dir.file_name().to_string_lossy().into_owned();
        for f in fs::read_dir(dir.path()).into_iter().flatten().flatten() {
            let p = f.path();
            if INPUT_EXTS.contains(&ext(&p)) && keep(&p) {
                out.push((group.clone(), p));
            }
        }
    }
    out.sort();
    out
}

/// How a file of the fixture's folder goes into the scratch directory.
pub enum Copy {
    /// Not at all.
    Skip,
    /// Copied as it is.
    AsIs,
    /// Copied, with these Unix permission bits.
    Mode(u32),
}

/// A scratch directory holding the files of `folder`, each copied as `how`
/// says.
pub fn scratch(folder: &Path, how: impl Fn(&Path) -> Copy) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in fs::read_dir(folder).expect("read fixture folder").flatten() {
        let p = f.path();
        let mode = match how(&p) {
            Copy::Skip => continue,
            Copy::AsIs => None,
            Copy::Mode(mode) => Some(mode),
        };
        let copy = dir.path().join(p.file_name().expect("file name"));
        fs::copy(&p, &copy).expect("copy fixture");
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&copy, fs::Permissions::from_mode(mode)).expect("chmod");
        }
        #[cfg(not(unix))]
        let _ = mode;
    }
    dir
}

/// What one run printed, and its exit code.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// `connstr <sub> [--format F] <args> <input>` run in `dir` (so the path
/// printed is just the file name), with no colours, `dir` as the home
/// directory, and none of the machine's odbc.ini or odbcinst.ini files.
pub fn run_in(dir: &Path, sub: &str, format: Option<&str>, args: &[String], input: &OsStr) -> Run {
    let mut cmd = cli::command();
    cmd.arg(sub);
    if let Some(format) = format {
        cmd.args(["--format", format]);
    }
    cmd.args(args)
        .arg(input)
        .current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env("HOME", dir)
        .env("ODBCINI", dir.join("no-such-odbc.ini"))
        .env("ODBCSYSINI", dir.join("no-such-dir"))
        .env_remove("ODBCINSTINI");
    let out = cmd.output().expect("run connstr");
    Run {
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// `json` pretty-printed, as `.json` expectations hold it.
pub fn pretty(json: &str, what: &Path) -> String {
    let v: serde_json::Value = serde_json::from_str(json)
        .unwrap_or_else(|e| panic!("{}: output is not JSON ({e}):\n{json}", what.display()));
    let mut s = serde_json::to_string_pretty(&v).expect("re-serialize");
    s.push('\n');
    s
}

/// Compare `actual` with the expectation file `expected` (or, blessing,
/// write it there); returns a failure message.
pub fn compare(expected: &Path, actual: &str) -> Option<String> {
    if bless() {
        fs::write(expected, actual).expect("write expectation");
        return None;
    }
    match fs::read_to_string(expected) {
        Ok(want) if want == actual => None,
        Ok(want) => Some(format!(
            "{} differs:\n--- expected\n{want}\n--- actual\n{actual}",
            expected.display()
        )),
        Err(_) => Some(format!(
            "{} is missing (run with BLESS=1)",
            expected.display()
        )),
    }
}
