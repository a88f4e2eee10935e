//! Harness for the Python test servers in `tests/python/` (httpbin, the botocore SigV4
//! verifier, the Authlib RFC 7523 server), run with the test venv's interpreter
//! (`target/test-venv/bin/python`, made by `scripts/setup.d/10-python-venv.sh` from
//! `tests/python/requirements.txt`).
//!
//! [`PyServer::start`] runs `python tests/python/SCRIPT ARGS…`, waits for its
//! `READY http://127.0.0.1:PORT` line, and kills it on drop (the script also exits when its
//! standard input closes).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// The venv's Python; panics with what to run when it is missing.
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("CONNSTR_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let p = root.join("target/test-venv/bin/python");
    if !p.is_file() {
        panic!(
            "the Python test venv is missing ({}): run `bash scripts/setup.d/10-python-venv.sh` \
             (it installs tests/python/requirements.txt: Authlib, httpbin, botocore)",
            p.display()
        );
    }
    p
}

/// A script from `tests/python/`.
pub fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name)
}

/// A running Python test server; killed on drop.
pub struct PyServer {
    child: Child,
    _stdin: Option<ChildStdin>,
    base_url: String,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

impl PyServer {
    /// Start `tests/python/<name> args…` and wait for READY.
    pub fn start(name: &str, args: &[&str]) -> PyServer {
        let mut child = Command::new(python())
            .arg(script(name))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let stderr_pipe = child.stderr.take().expect("stderr");
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let keep = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                let mut q = keep.lock().unwrap();
                if q.len() == 200 {
                    q.pop_front();
                }
                q.push_back(line);
            }
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent && let Some(url) = line.strip_prefix("READY ") {
                    let _ = tx.send(url.to_owned());
                    sent = true;
                }
            }
        });
        let mut server = PyServer {
            child,
            _stdin: stdin,
            base_url: String::new(),
            stderr,
        };
        match rx.recv_timeout(READY_TIMEOUT) {
            Ok(url) => server.base_url = url,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(200));
                panic!("{name} did not report READY:\n{}", server.stderr_text());
            }
        }
        server
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// What the server wrote to standard error (for failure messages).
    pub fn stderr_text(&self) -> String {
        let q = self.stderr.lock().unwrap();
        q.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
