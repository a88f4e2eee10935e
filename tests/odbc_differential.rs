//! Differential test: connstr's DSN lookup (options::OdbcPaths → find_dsn →
//! OptionSet::from_dsn, the same path `check` and `connect` use; `check`'s
//! indexed lookup, find_indexed_dsn, must pick the same section) against
//! unixODBC's own `odbcinst -q -s [-n NAME]`, over the odbc.ini corpus in
//! `fixtures/odbc/differential/<case>/` (`odbc.ini` is the system file,
//! `user.ini`, when present, the user file).
//!
//! A case without `user.ini` runs twice: with an empty user file (what
//! unixODBC creates when it can), and with a user file that cannot exist (in a
//! missing directory) — unixODBC 2.3.11 reads the system file differently in
//! the two situations (indented lines).
//!
//! Every disagreement is written to `fixtures/odbc/differential/disagreements.txt`;
//! the test fails when the list changes (a new disagreement, or one that went
//! away). `BLESS=1 cargo test --features odbc --test odbc_differential`
//! rewrites the file after a deliberate change.
#![cfg(feature = "odbc")]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use connstr::diagnostic::Sources;
use connstr::options::{
    IndexedIni, IniFile, OdbcPaths, OptionSet, find_dsn, find_indexed_dsn, first_line_problem,
    lookup,
};
use connstr::syntax::{Document, SyntaxErrorKind, parse_ini};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/odbc/differential")
}

/// `odbcinst args…` with the case's files; stdout lines, or `None` when it fails.
fn odbcinst(sys: &Path, user: &Path, args: &[&str]) -> Option<Vec<String>> {
    let out = Command::new("odbcinst")
        .args(args)
        .env("ODBCSYSINI", sys)
        .env("ODBCINI", user)
        .env_remove("ODBCINSTINI")
        .output()
        .expect("odbcinst (apt-get install odbcinst) must be installed");
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    })
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        format!(
            "{}…({} chars)",
            s.chars().take(30).collect::<String>(),
            s.chars().count()
        )
    } else {
        format!("{s:?}")
    }
}

/// Run one case; append every disagreement to `out`. Returns how many DSNs
/// and keys were compared.
fn run_case(label: &str, sys: &Path, user: &Path, out: &mut String) -> usize {
    // unixODBC's view.
    let listed: Vec<String> = odbcinst(sys, user, &["-q", "-s"])
        .unwrap_or_default()
        .iter()
        .filter_map(|l| l.strip_prefix('[').and_then(|l| l.strip_suffix(']')))
        .map(str::to_owned)
        .collect();

    // connstr's view, through the options layer.
    let paths = OdbcPaths {
        explicit: None,
        odbcini: Some(user.to_path_buf()),
        home: None,
        odbcsysini: Some(sys.to_path_buf()),
        sysconfdir: None,
    };
    let mut sources = Sources::default();
    let mut found = Vec::new();
    for (scope, path) in paths.candidates() {
        if let Ok(text) = std::fs::read_to_string(&path) {
            let id = sources.add(path.display().to_string(), Some(path.clone()), text);
            found.push((scope, id, path));
        }
    }
    let files: Vec<IniFile<'_>> = found
        .iter()
        .map(|(scope, id, path)| IniFile {
            doc: parse_ini(&sources.get(*id).unwrap().text),
            source: *id,
            scope: *scope,
            name: path.display().to_string().into(),
            mode: None,
        })
        .collect();
    // connstr's verdict on each file: one whose first significant line is
    // not a header (`invisible-data-sources`) has no data source for
    // unixODBC; connstr reports it and still checks its sections, so it is
    // left out of the list here. The lookup below gets every file: it must
    // itself pass over such a file (a DSN in it hides no system DSN).
    let mut ours: Vec<String> = Vec::new();
    for f in files
        .iter()
        .filter(|f| first_line_problem(f.doc.source()).is_none())
    {
        for (_, name) in f.dsns() {
            if !ours.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                ours.push(name.to_owned());
            }
        }
    }

    // The data sources: unixODBC lists [ODBC] and repeated sections of one
    // file too; compare distinct names, case-insensitively.
    let distinct = |v: &[String]| {
        let mut d: Vec<String> = Vec::new();
        for n in v {
            if connstr::options::is_dsn_section(n) && !d.iter().any(|x| x.eq_ignore_ascii_case(n)) {
                d.push(n.clone());
            }
        }
        d
    };
    let theirs = distinct(&listed);
    if theirs != ours {
        let _ = writeln!(
            out,
            "{label}: data sources: unixODBC {theirs:?}, connstr {ours:?}"
        );
    }
    let indexed: Vec<IndexedIni<'_>> = files.iter().cloned().map(IndexedIni::new).collect();
    let mut compared = 0;
    for name in &theirs {
        let Some(lines) = odbcinst(sys, user, &["-q", "-s", "-n", name]) else {
            let _ = writeln!(out, "{label} [{name}]: odbcinst cannot read it");
            continue;
        };
        let pairs: Vec<(String, String)> = lines
            .iter()
            .skip(1)
            .map(|l| match l.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (l.clone(), String::new()),
            })
            .collect();
        let Some((file, section)) = find_dsn(&files, name) else {
            let _ = writeln!(out, "{label} [{name}]: connstr finds no such DSN");
            continue;
        };
        // `check` looks names up in indexed files: the same file and section.
        let by_index = find_indexed_dsn(&indexed, name).map(|(f, i)| (f.file.source, i));
        assert_eq!(by_index, Some((file.source, section)), "{label} [{name}]");
        let set = OptionSet::from_dsn(file, section);
        // A line without `=` (`Driver: SQLite3`, `noequals`) is for
        // unixODBC a key of that whole text with an empty value, which no
        // driver asks for; connstr reports the line (`syntax`) and reads no
        // entry. The same verdict: that line sets no option.
        let pairs: Vec<(String, String)> = pairs
            .into_iter()
            .filter(|(k, v)| !(v.is_empty() && reported_without_equals(&file.doc, k)))
            .collect();
        let our_keys: Vec<&str> = set.all().iter().map(|o| o.key()).collect();
        let their_keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        if our_keys != their_keys {
            let _ = writeln!(
                out,
                "{label} [{name}]: keys: unixODBC {their_keys:?}, connstr {our_keys:?}"
            );
        }
        for (key, value) in &pairs {
            compared += 1;
            let ours = if lookup(key).is_some() {
                set.value(key)
            } else {
                set.all()
                    .iter()
                    .find(|o| o.key().eq_ignore_ascii_case(key))
                    .map(|o| o.value())
            };
            if ours != Some(value.as_str()) {
                let _ = writeln!(
                    out,
                    "{label} [{name}] {key}: unixODBC {}, connstr {}",
                    short(value),
                    ours.map_or_else(|| "(none)".to_owned(), short)
                );
            }
        }
    }
    compared
}

/// Whether connstr reports a line reading `key` (trimmed) as having no `=`.
fn reported_without_equals(doc: &Document<'_>, key: &str) -> bool {
    doc.errors().iter().any(|e| {
        e.kind == SyntaxErrorKind::MissingEquals && e.span.slice(doc.source()).trim() == key
    })
}

#[test]
fn connstr_reads_dsns_as_unixodbc_does() {
    let dir = corpus();
    let scratch = tempfile::tempdir().unwrap();
    // unixODBC creates a missing user file when it can: only a path in a
    // directory that does not exist stays missing.
    let absent = scratch.path().join("no-such-dir").join("user.ini");
    let empty = scratch.path().join("empty-user.ini");
    std::fs::write(&empty, "").unwrap();

    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5, "the corpus is missing: {}", dir.display());

    let mut report = String::new();
    let mut compared = 0;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let user = case.join("user.ini");
        if user.exists() {
            compared += run_case(&name, case, &user, &mut report);
        } else {
            compared += run_case(&format!("{name}/no-user-file"), case, &absent, &mut report);
            compared += run_case(
                &format!("{name}/empty-user-file"),
                case,
                &empty,
                &mut report,
            );
        }
    }
    assert!(compared >= 30, "only {compared} values compared");

    let expected_path = dir.join("disagreements.txt");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&expected_path, &report).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    assert_eq!(
        report, expected,
        "disagreements with unixODBC changed; if deliberate, rerun with BLESS=1 and \
         explain the change in the commit"
    );
}
