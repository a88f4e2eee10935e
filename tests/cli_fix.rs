//! `connstr fix`: the fixtures under `fixtures/fix/<name>/` (see
//! `fixtures/fix/README.md`), each run through the binary: `--dry-run`
//! prints `expected.diff` and changes nothing; `fix` writes
//! `expected.<ext>`, keeps the file's mode, and changes no byte outside the
//! edits `connstr check --format json` reports; the seed fixtures come out
//! with only `;` inserted and check clean of `swallowed-separator`.
//! `BLESS=1 cargo test --test cli_fix` rewrites the expectations.

#[allow(dead_code)] // the harness is shared; this file uses part of it
#[path = "support/cli.rs"]
mod cli;
#[allow(dead_code)] // the harness is shared; this file uses part of it
#[path = "support/fixtures.rs"]
mod fixtures;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fixtures::compare;

const BIN: &str = env!("CARGO_BIN_EXE_connstr");
const INPUT_EXTS: [&str; 4] = ["ini", "txt", "jdbc", "connstr"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fix")
}

/// One fixture directory: its input file and extra arguments.
struct Fixture {
    name: String,
    dir: PathBuf,
    input: PathBuf,
    args: Vec<String>,
}

impl Fixture {
    fn ext(&self) -> &str {
        self.input
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
    }

    fn expected(&self) -> PathBuf {
        self.dir.join(format!("expected.{}", self.ext()))
    }
}

fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    for d in fs::read_dir(root()).expect("fixtures/fix").flatten() {
        let dir = d.path();
        if !dir.is_dir() {
            continue;
        }
        let input = INPUT_EXTS
            .iter()
            .map(|e| dir.join(format!("input.{e}")))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{}: no input.<ini|txt|jdbc|connstr>", dir.display()));
        let args = fs::read_to_string(dir.join("args"))
            .map(|s| s.split_whitespace().map(String::from).collect())
            .unwrap_or_default();
        out.push(Fixture {
            name: d.file_name().to_string_lossy().into_owned(),
            dir,
            input,
            args,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Run `connstr ARGS` in `dir`, with no colors and no default odbc.ini.
fn connstr(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_LOG")
        .env_remove("CONNSTR_LOG")
        .env("HOME", dir)
        .env("ODBCINI", dir.join("no-such-odbc.ini"))
        .env("ODBCSYSINI", dir.join("no-such-dir"))
        .output()
        .expect("run connstr")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("utf-8 output")
}

/// A scratch copy of the fixture's input, mode 0640, named `input.<ext>`.
fn scratch(f: &Fixture) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join(f.input.file_name().expect("name"));
    fs::copy(&f.input, &copy).expect("copy");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&copy, fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    (dir, copy)
}

/// One edit of a fix, from `check --format json`.
#[derive(Clone, Debug)]
struct JsonEdit {
    start: usize,
    end: usize,
    replacement: String,
}

/// The fixes `check --format json` reports for `file` (in `dir`): safe
/// ones, and unsafe ones when `unsafe_too`.
fn reported_fixes(dir: &Path, file: &str, args: &[String], unsafe_too: bool) -> Vec<Vec<JsonEdit>> {
    let last_wins: Vec<&str> = args
        .iter()
        .filter(|a| *a == "--last-wins")
        .map(String::as_str)
        .collect();
    let mut argv = vec!["check", "--format", "json"];
    argv.extend(last_wins);
    argv.push(file);
    let out = connstr(dir, &argv);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("check JSON");
    let mut fixes = Vec::new();
    for d in v["diagnostics"].as_array().into_iter().flatten() {
        let Some(fix) = d.get("fix").filter(|f| !f.is_null()) else {
            continue;
        };
        if fix["applicability"] != "safe" && !unsafe_too {
            continue;
        }
        let edits: Vec<JsonEdit> = fix["edits"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| JsonEdit {
                start: e["start"].as_u64().expect("start") as usize,
                end: e["end"].as_u64().expect("end") as usize,
                replacement: e["replacement"].as_str().expect("replacement").to_owned(),
            })
            .collect();
        fixes.push(edits);
    }
    fixes
}

/// `text` with the reported fixes applied as the documentation says: in
/// source order, a fix skipped when one of its edits touches an edit already
/// taken. Written here from the JSON alone, independently of the binary.
fn apply_reported(text: &str, fixes: &[Vec<JsonEdit>]) -> Option<String> {
    let mut fixes: Vec<&Vec<JsonEdit>> = fixes.iter().filter(|f| !f.is_empty()).collect();
    fixes.sort_by_key(|f| f.iter().map(|e| e.start).min());
    let mut taken: Vec<&JsonEdit> = Vec::new();
    for f in fixes {
        let touches = f
            .iter()
            .any(|b| taken.iter().any(|a| a.start <= b.end && b.start <= a.end));
        if !touches {
            taken.extend(f.iter());
        }
    }
    if taken.is_empty() {
        return None;
    }
    taken.sort_by_key(|e| (e.start, e.end));
    let mut out = String::new();
    let mut at = 0;
    for e in taken {
        out.push_str(&text[at..e.start]);
        out.push_str(&e.replacement);
        at = e.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(p).expect("metadata").permissions().mode() & 0o7777
}

#[test]
fn every_fix_fixture_matches_its_expectations() {
    let all = fixtures();
    assert!(
        all.len() >= 8,
        "expected a fixture per fix kind, found {}",
        all.len()
    );
    let mut failures = Vec::new();
    for f in &all {
        let file = f.input.file_name().and_then(|n| n.to_str()).expect("name");
        let original = fs::read_to_string(&f.input).expect("read input");

        // --dry-run: the diff, and the file untouched.
        let (dir, copy) = scratch(f);
        let mut argv: Vec<&str> = vec!["fix", "--dry-run"];
        argv.extend(f.args.iter().map(String::as_str));
        argv.push(file);
        let dry = connstr(dir.path(), &argv);
        failures.extend(compare(&f.dir.join("expected.diff"), &text(&dry.stdout)));
        assert_eq!(
            fs::read_to_string(&copy).expect("read"),
            original,
            "{}: --dry-run changed the file",
            f.name
        );

        // fix: the file, its mode, what is reported.
        let mut argv: Vec<&str> = vec!["fix"];
        argv.extend(f.args.iter().map(String::as_str));
        argv.push(file);
        let run = connstr(dir.path(), &argv);
        let fixed = fs::read_to_string(&copy).expect("read fixed");
        let report = format!(
            "exit: {}\n{}",
            run.status.code().unwrap_or(-1),
            text(&run.stderr)
        );
        failures.extend(compare(&f.dir.join("expected.report"), &report));
        failures.extend(compare(&f.expected(), &fixed));
        assert_eq!(
            dry.status.code(),
            run.status.code(),
            "{}: --dry-run and fix disagree on the exit code",
            f.name
        );
        #[cfg(unix)]
        assert_eq!(mode(&copy), 0o640, "{}: the file's mode changed", f.name);
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .expect("scratch dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != file)
            .collect();
        assert!(
            leftovers.is_empty(),
            "{}: left behind {leftovers:?}",
            f.name
        );

        // Every byte outside the reported edits unchanged: replay the fixes
        // `check --format json` reports, round after round, from the JSON.
        let replay_dir = tempfile::tempdir().expect("tempdir");
        let replay = replay_dir.path().join(file);
        let mut current = original.clone();
        for _ in 0..8 {
            fs::write(&replay, &current).expect("write replay");
            let unsafe_too = f.args.iter().any(|a| a == "--unsafe");
            let fixes = reported_fixes(replay_dir.path(), file, &f.args, unsafe_too);
            match apply_reported(&current, &fixes) {
                Some(next) if next != current => current = next,
                _ => break,
            }
        }
        assert_eq!(
            fixed, current,
            "{}: `connstr fix` changed bytes other than the reported edits",
            f.name
        );

        // Fixed once, nothing is left to fix.
        let again = connstr(dir.path(), &argv);
        assert_eq!(
            fs::read_to_string(&copy).expect("read"),
            fixed,
            "{}: a second `connstr fix` changed the file again",
            f.name
        );
        assert!(
            text(&again.stderr).contains("nothing to fix"),
            "{}: {}",
            f.name,
            text(&again.stderr)
        );
        if fixed != original {
            assert_ne!(text(&dry.stdout), "", "{}: no diff printed", f.name);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Seeds 001 and 004: only `;` inserted, at the end of the ClientID line,
/// and the result checks clean of `swallowed-separator` — the same text as
/// the reviewed `ok-seed-*-fixed` lint fixtures.
#[test]
fn the_seed_examples_get_only_the_missing_semicolon() {
    let lints = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lints/swallowed-separator");
    for (fixture, reviewed) in [
        ("seed-001-odbc-url", "ok-seed-001-fixed.txt"),
        ("seed-004-jdbc-url", "ok-seed-004-fixed.jdbc"),
    ] {
        let f = fixtures()
            .into_iter()
            .find(|f| f.name == fixture)
            .unwrap_or_else(|| panic!("fixtures/fix/{fixture} is missing"));
        let (dir, copy) = scratch(&f);
        let file = copy.file_name().and_then(|n| n.to_str()).expect("name");
        let before = fs::read_to_string(&copy).expect("read");
        let run = connstr(dir.path(), &["fix", file]);
        let after = fs::read_to_string(&copy).expect("read");
        assert!(
            run.status.code().is_some_and(|c| c <= 1),
            "{fixture}: {run:?}"
        );
        // Only `;` inserted: removing the inserted bytes gives the input back,
        // and they are all `;`.
        let diff = similar::TextDiff::from_chars(before.as_str(), after.as_str());
        let mut inserted = String::new();
        for c in diff.iter_all_changes() {
            match c.tag() {
                similar::ChangeTag::Equal => {}
                similar::ChangeTag::Insert => inserted.push_str(c.value()),
                similar::ChangeTag::Delete => {
                    panic!("{fixture}: `connstr fix` deleted {:?}", c.value())
                }
            }
        }
        assert_eq!(inserted, ";", "{fixture}: inserted {inserted:?}");
        let client_id_line = after
            .lines()
            .find(|l| l.starts_with("ClientID="))
            .expect("ClientID line");
        assert!(client_id_line.ends_with(';'), "{client_id_line}");
        assert_eq!(
            after,
            fs::read_to_string(lints.join(reviewed)).expect("reviewed fixed seed"),
            "{fixture}"
        );
        let check = connstr(dir.path(), &["check", "--format", "json", file]);
        let v: serde_json::Value = serde_json::from_slice(&check.stdout).expect("JSON");
        let lints_left: Vec<&str> = v["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["lint"].as_str())
            .collect();
        assert!(
            !lints_left.is_empty(),
            "{fixture}: the check found nothing at all"
        );
        assert!(
            !lints_left.contains(&"swallowed-separator"),
            "{fixture}: still {lints_left:?}"
        );
    }
}

#[test]
fn standard_input_and_missing_files_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = connstr(dir.path(), &["fix", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("standard input"), "{o:?}");
    let o = connstr(dir.path(), &["fix", "nope.ini"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("nope.ini"), "{o:?}");
    let o = connstr(dir.path(), &["fix"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A symbolic link is followed: the file it points to is fixed, the link
/// stays a link.
#[cfg(unix)]
#[test]
fn a_symbolic_link_is_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = dir.path().join("real.connstr");
    fs::write(
        &real,
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app\nClientSecret=s3cr3t-value;TokenURI=POST https://idp.example.com/token;",
    )
    .expect("write");
    std::os::unix::fs::symlink("real.connstr", dir.path().join("link.connstr")).expect("symlink");
    let o = connstr(dir.path(), &["fix", "link.connstr"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(
        fs::symlink_metadata(dir.path().join("link.connstr"))
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::read_to_string(&real)
            .expect("read")
            .contains("ClientID=app;\n")
    );
}

/// Issue 10 item 6: a Latin-1 odbc.ini is fixed in place with every byte
/// outside the edit kept (it stays Latin-1), `--dry-run` shows the bytes
/// escaped, and `redact` writes the file back as read, secrets masked.
#[test]
fn a_latin1_file_stays_latin1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("odbc.ini");
    let before: &[u8] = b"; Donn\xe9es \xe0 jour\n[Ventes]\nDescription=Caf\xe9 cr\xe8me\n\
AuthenticationMethod=Basic\nUser=Ren\xe9\nPassword: p\xe2t\xe9\nHostName=https://h.example.fr/v1\n";
    fs::write(&path, before).expect("write");
    let run = |args: &[&str]| -> Output {
        Command::new(BIN)
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run connstr")
    };
    let dry = run(&["fix", "--dry-run", "odbc.ini"]);
    let shown = String::from_utf8(dry.stdout).expect("UTF-8 output");
    assert!(shown.contains("-Password: <redacted>"), "{shown}");
    assert!(shown.contains("+Password= <redacted>"), "{shown}");
    assert!(
        !shown.contains('\u{fffd}') && !shown.contains("p\\xE2t"),
        "{shown}"
    );

    let redacted = run(&["redact", "odbc.ini"]).stdout;
    let want = [
        &before[..before.len() - 48],
        b"Password: <redacted>\nHostName=https://h.example.fr/v1\n",
    ]
    .concat();
    assert_eq!(redacted, want, "{}", String::from_utf8_lossy(&redacted));

    let o = run(&["fix", "odbc.ini"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let after = fs::read(&path).expect("read");
    let want: Vec<u8> = String::from_utf8_lossy(before)
        .replace("Password: ", "Password= ")
        .into_bytes();
    assert_ne!(after, want, "the bytes were not kept");
    let mut expected = before.to_vec();
    let colon = before
        .windows(9)
        .position(|w| w == b"Password:")
        .expect("colon")
        + 8;
    expected[colon] = b'=';
    assert_eq!(after, expected, "{}", String::from_utf8_lossy(&after));
}
