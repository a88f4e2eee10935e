//! The parse fixture suite: `fixtures/{conn,jdbc,ini}/`.
//!
//! Every input (`name.txt`, `name.jdbc`, `name.ini`) has beside it `name.json`, the
//! exact standard output of `connstr parse --show-secrets <input>`, and a line
//! `<input file name> <exit code>` in its directory's `exit-codes.list`
//! (see `fixtures/README.md`).
//!
//! `BLESS=1 cargo test --test fixtures` rewrites the expectations from what the
//! binary prints now. Review every changed file before committing it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use connstr::syntax::{Document, parse_connection_string, parse_ini, parse_jdbc_url};

/// A parser of the library.
type Parser = fn(&str) -> Document<'_>;

/// The fixture directories, the extension of their inputs and the parser for them.
const DIRS: [(&str, &str, Parser); 3] = [
    ("conn", "txt", parse_connection_string),
    ("jdbc", "jdbc", parse_jdbc_url),
    ("ini", "ini", parse_ini),
];

const EXIT_CODES: &str = "exit-codes.list";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn bless() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Input files of one directory, sorted.
fn inputs(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// `exit-codes.list`: `<input file name> <code>` per line; `#` starts a comment.
fn read_exit_codes(dir: &Path) -> BTreeMap<String, i32> {
    let Ok(text) = fs::read_to_string(dir.join(EXIT_CODES)) else {
        return BTreeMap::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, code) = l
                .rsplit_once(' ')
                .unwrap_or_else(|| panic!("{}: bad line {l:?}", dir.join(EXIT_CODES).display()));
            let code = code
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("bad exit code in {l:?}"));
            (name.trim().to_string(), code)
        })
        .collect()
}

fn write_exit_codes(dir: &Path, codes: &BTreeMap<String, i32>) {
    let mut text = String::from(
        "# Exit code of `connstr parse --show-secrets <input>` for each input of this\n\
         # directory (0 no syntax error, 1 syntax errors). Written by\n\
         # `BLESS=1 cargo test --test fixtures`; see fixtures/README.md.\n",
    );
    for (name, code) in codes {
        let _ = writeln!(text, "{name} {code}");
    }
    fs::write(dir.join(EXIT_CODES), text).expect("write exit-codes.list");
}

/// A line diff (longest common subsequence), `-` expected, `+` actual, with
/// two lines of context around each change.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let near_change = |k: usize| {
        let lo = k.saturating_sub(2);
        let hi = (k + 3).min(ops.len());
        ops[lo..hi].iter().any(|o| o.0 != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (tag, line)) in ops.iter().enumerate() {
        if near_change(k) {
            if skipped {
                out.push_str("   ...\n");
                skipped = false;
            }
            let _ = writeln!(out, "  {tag} {line}");
        } else {
            skipped = true;
        }
    }
    out
}

fn run_parse(input: &Path) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_connstr"))
        .arg("parse")
        .arg("--show-secrets")
        .arg(input)
        .output()
        .expect("run connstr");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn every_fixture_prints_what_its_expectation_says() {
    let bless = bless();
    let mut failures = Vec::new();
    let mut count = 0;
    for (dir_name, ext, _) in DIRS {
        let dir = root().join(dir_name);
        let mut codes = read_exit_codes(&dir);
        for input in inputs(&dir, ext) {
            count += 1;
            let name = file_name(&input);
            let expected_path = input.with_extension("json");
            let (stdout, stderr, code) = run_parse(&input);
            let label = format!("fixtures/{dir_name}/{name}");
            if !stderr.is_empty() {
                failures.push(format!("{label}: unexpected standard error:\n{stderr}"));
            }
            if bless {
                fs::write(&expected_path, &stdout).expect("write expectation");
                codes.insert(name, code);
                continue;
            }
            let expected = fs::read_to_string(&expected_path).unwrap_or_default();
            if expected != stdout {
                failures.push(format!(
                    "{label}: output differs from {} (- expected, + actual):\n{}",
                    file_name(&expected_path),
                    diff(&expected, &stdout)
                ));
            }
            match codes.get(&name) {
                Some(&c) if c == code => {}
                Some(&c) => failures.push(format!("{label}: exit code {code}, expected {c}")),
                None => failures.push(format!("{label}: no line in {dir_name}/{EXIT_CODES}")),
            }
        }
        if bless {
            write_exit_codes(&dir, &codes);
        }
    }
    assert!(
        count >= 40,
        "only {count} fixtures found under {}",
        root().display()
    );
    assert!(
        failures.is_empty(),
        "{} of {count} fixtures failed (BLESS=1 rewrites them; review before committing):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_input_has_an_expectation_and_every_expectation_an_input() {
    let mut problems = Vec::new();
    for (dir_name, ext, _) in DIRS {
        let dir = root().join(dir_name);
        let codes = read_exit_codes(&dir);
        let mut stems_in = Vec::new();
        for entry in fs::read_dir(&dir).expect("fixture directory") {
            let path = entry.expect("directory entry").path();
            let name = file_name(&path);
            match path.extension().and_then(|e| e.to_str()) {
                Some(e) if e == ext => {
                    if !path.with_extension("json").is_file() {
                        problems.push(format!("{dir_name}/{name}: no expectation (.json)"));
                    }
                    if !codes.contains_key(&name) {
                        problems.push(format!("{dir_name}/{name}: no exit code in {EXIT_CODES}"));
                    }
                    stems_in.push(name);
                }
                Some("json") => {
                    if !path.with_extension(ext).is_file() {
                        problems.push(format!("{dir_name}/{name}: expectation without input"));
                    }
                }
                _ if name == EXIT_CODES => {}
                _ => problems.push(format!(
                    "{dir_name}/{name}: not a fixture (inputs here end in .{ext})"
                )),
            }
        }
        for name in codes.keys() {
            if !stems_in.contains(name) {
                problems.push(format!("{dir_name}/{EXIT_CODES}: {name} has no input"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fixture_prints_back_byte_for_byte() {
    let mut failures = Vec::new();
    for (dir_name, ext, parse) in DIRS {
        for input in inputs(&root().join(dir_name), ext) {
            let source = fs::read_to_string(&input).expect("fixtures are UTF-8");
            let doc = parse(&source);
            if doc.print() != source {
                failures.push(format!(
                    "{dir_name}/{}:\n{}",
                    file_name(&input),
                    diff(&source, &doc.print())
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "not printed back as read:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_diff_shows_changed_lines_with_context() {
    let d = diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\nX\n3\n4\n5\n6\n7\n8\nY\n");
    assert_eq!(
        d,
        "    1\n  - 2\n  + X\n    3\n    4\n   ...\n    7\n    8\n  - 9\n  + Y\n"
    );
    assert_eq!(diff("same\n", "same\n"), "");
}
