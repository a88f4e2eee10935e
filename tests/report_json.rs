//! `connstr::report::check_one` / `explain_one` are what `connstr check
//! --format json` / `connstr explain --format json` print for one file: the
//! documents the C interface (ffi/) hands out are the CLI's, byte for byte.

use std::path::Path;
use std::process::Command;

/// Every fixture input of the parser suites: connection strings, JDBC URLs
/// and odbc.ini files, with and without errors.
fn inputs() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for (dir, ext) in [("conn", "txt"), ("jdbc", "txt"), ("ini", "ini")] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            panic!("fixtures/{dir} is missing");
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() > 20, "too few fixtures: {}", out.len());
    out
}

#[test]
fn library_documents_are_the_clis() {
    use std::os::unix::fs::PermissionsExt as _;
    // Copies readable by their owner only: a text handed to the library has
    // no file whose mode `world-readable-secret` could judge.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut compared = 0;
    for (i, fixture) in inputs().into_iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(&fixture) else {
            continue; // not UTF-8: the library's check_text takes text (the CLI reads bytes)
        };
        let sub = dir.path().join(i.to_string());
        std::fs::create_dir(&sub).expect("mkdir");
        let path = sub.join(fixture.file_name().expect("a file name"));
        std::fs::write(&path, &text).expect("copy the fixture");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let origin = path.display().to_string();
        for (command, one) in [
            ("check", connstr::report::check_one as fn(&str, &str) -> _),
            ("explain", connstr::report::explain_one),
        ] {
            // Same environment as this process: `DSN=` resolves alike.
            let out = Command::new(env!("CARGO_BIN_EXE_connstr"))
                .args([command, "--format", "json"])
                .arg(&path)
                .output()
                .expect("run connstr");
            let Ok(lib) = one(&origin, &text) else {
                assert_eq!(out.status.code(), Some(2), "{command} {origin}");
                continue;
            };
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                lib.json,
                "{command} {origin}"
            );
            assert_eq!(
                out.status.code(),
                Some(i32::from(lib.has_errors)),
                "{command} {origin}"
            );
            compared += 1;
        }
    }
    assert!(compared > 40, "compared only {compared} documents");
}
