//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run through pre-commit
//! itself (PyPI, pinned in tests/python/requirements.txt, installed in the
//! test venv) in a scratch git repository: `connstr-check` finds a planted
//! error, `connstr-fix` fixes it, and `pre-commit run --all-files` then
//! passes.
//!
//! The hooks say `language: rust` (pre-commit cargo-installs connstr for its
//! users); building the crate again inside the test would take many minutes
//! and the network, so the test loads our hook definitions as they are
//! (id, name, entry, files, types, args) into a `repo: local` config with
//! `language: system`, and puts the freshly built binary first on PATH:
//! what is tested is that our entries, file patterns and arguments work
//! under pre-commit.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_connstr");

/// The venv's Python when it has pre-commit; `None` (the test is skipped,
/// saying why) otherwise.
fn python_with_pre_commit() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var_os("CONNSTR_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/test-venv/bin/python"));
    let ok = Command::new(&python)
        .args(["-m", "pre_commit", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(python)
    } else {
        eprintln!(
            "SKIPPED: pre-commit is not installed in the test venv ({}): run \
             `bash scripts/setup.d/10-python-venv.sh` (it installs tests/python/requirements.txt, \
             pre-commit included)",
            python.display()
        );
        None
    }
}

fn run(dir: &Path, program: &Path, args: &[&str]) -> Output {
    let bin_dir = Path::new(BIN).parent().expect("binary directory");
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir)
        .env("PRE_COMMIT_HOME", dir.join(".pre-commit-home"))
        .env("NO_COLOR", "1")
        .env("ODBCINI", dir.join("no-such-odbc.ini"))
        .env("ODBCSYSINI", dir.join("no-such-dir"))
        .env_remove("RUST_LOG")
        .env_remove("CONNSTR_LOG")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("run")
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Our `.pre-commit-hooks.yaml` as a `repo: local` config: every hook as
/// defined, with `language: system` (the binary on PATH).
const TO_LOCAL: &str = r#"
import sys, yaml
hooks = yaml.safe_load(open(sys.argv[1]))
assert [h["id"] for h in hooks] == ["connstr-check", "connstr-fix"], hooks
for h in hooks:
    assert h["language"] == "rust", h
    h["language"] = "system"
with open(sys.argv[2], "w") as f:
    yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, f)
"#;

#[test]
fn the_hooks_find_a_planted_error_and_pass_once_it_is_fixed() {
    let Some(python) = python_with_pre_commit() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path();
    let git = Path::new("git");
    let o = run(repo, git, &["init", "-q", "."]);
    assert!(o.status.success(), "{}", show(&o));

    let hooks = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    // The manifest as published (`language: rust`) is valid for pre-commit.
    let o = run(
        repo,
        &python,
        &[
            "-m",
            "pre_commit",
            "validate-manifest",
            &hooks.to_string_lossy(),
        ],
    );
    assert!(o.status.success(), "{}", show(&o));
    let config = repo.join(".pre-commit-config.yaml");
    let o = Command::new(&python)
        .args(["-c", TO_LOCAL])
        .arg(&hooks)
        .arg(&config)
        .output()
        .expect("python");
    assert!(o.status.success(), "{}", show(&o));

    // The planted error: a `;` missing at the end of the ClientID line.
    let planted = "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app\n\
                   ClientSecret=s3cr3t-precommit-value;\n\
                   TokenURI=POST https://idp.example.com/oauth2/token;\n";
    fs::write(repo.join("conn.connstr"), planted).expect("write");
    fs::create_dir(repo.join("conf")).expect("mkdir");
    fs::write(
        repo.join("conf/odbc.ini"),
        "[sales]\nDriver=/opt/datadirect/lib/ivautorest28.so\n\
         AuthenticationMethod=OAuth2-ClientCredentials\nClientID=app\n\
         ClientSecret=s3cr3t-ini-value\nTokenURI=POST https://idp.example.com/oauth2/token\n",
    )
    .expect("write");
    // Not a name the hooks match: the same mistake here must not count.
    fs::write(repo.join("notes.txt"), "ClientID=app\nClientSecret=x;\n").expect("write");
    let add = || {
        let o = run(repo, git, &["add", "-A"]);
        assert!(o.status.success(), "{}", show(&o));
    };
    add();

    let pre_commit = |args: &[&str]| {
        let mut argv = vec!["-m", "pre_commit", "run", "--all-files"];
        argv.extend(args);
        run(repo, &python, &argv)
    };

    // connstr-check finds the planted error, in conn.connstr only.
    let o = pre_commit(&["connstr-check"]);
    let out = show(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("error[swallowed-separator]"), "{out}");
    assert!(out.contains("conn.connstr:1:"), "{out}");
    assert!(!out.contains("notes.txt"), "{out}");
    assert!(!out.contains("s3cr3t-precommit-value"), "{out}");

    // connstr-fix fixes it: pre-commit fails the hook because it changed a file.
    let o = pre_commit(&["connstr-fix"]);
    let out = show(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("files were modified by this hook"), "{out}");
    let fixed = fs::read_to_string(repo.join("conn.connstr")).expect("read");
    assert_eq!(
        fixed,
        planted.replacen("ClientID=app\n", "ClientID=app;\n", 1)
    );
    assert_eq!(
        fs::read_to_string(repo.join("notes.txt")).expect("read"),
        "ClientID=app\nClientSecret=x;\n"
    );
    add();

    // Every hook passes now.
    let o = pre_commit(&[]);
    let out = show(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("connstr check") && out.contains("connstr fix"),
        "{out}"
    );
    assert!(!out.contains("Failed"), "{out}");

    // And an error `connstr fix` cannot fix keeps the check failing.
    fs::write(
        repo.join("conf/broken.ini"),
        "[hr]\nDriver=/opt/datadirect/lib/ivautorest28.so\nAuthenticationMethod=OAuth2-ClientCredentials\n",
    )
    .expect("write");
    add();
    let o = pre_commit(&[]);
    let out = show(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("error[missing-required]"), "{out}");
    assert!(out.contains("conf/broken.ini"), "{out}");
}
