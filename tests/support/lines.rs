//! A child process's standard error read line by line on a thread of its own:
//! a test waits for the lines it needs (an authorization URL, a prompt) while
//! the child keeps running, then takes everything the child wrote.

use std::io::{BufRead as _, BufReader};
use std::process::ChildStderr;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The lines of a child's stderr, as they come.
pub struct Lines {
    rx: mpsc::Receiver<String>,
    all: JoinHandle<String>,
}

impl Lines {
    /// Start reading `stderr`.
    pub fn read(stderr: ChildStderr) -> Lines {
        let (tx, rx) = mpsc::channel::<String>();
        let all = std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line.clone());
                all.push_str(&line);
                all.push('\n');
            }
            all
        });
        Lines { rx, all }
    }

    /// Read lines until `done` (given each trimmed line) says so; false when
    /// the stream ends or `timeout` passes first.
    pub fn until(&self, timeout: Duration, mut done: impl FnMut(&str) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) if done(line.trim()) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    }

    /// Everything the child wrote (waits for the stream to end).
    pub fn all(self) -> String {
        self.all.join().unwrap_or_default()
    }
}
