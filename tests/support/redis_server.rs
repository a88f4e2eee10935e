//! Harness for a real `redis-server` (Debian package `redis-server`, installed by
//! `scripts/setup.d/30-redis.sh`).
//!
//! [`RedisServer::start`] runs `redis-server` on 127.0.0.1 with a free port, in a temp
//! directory of its own (its AOF/RDB files and log live there), waits until it answers PING
//! and kills it on drop. [`RedisServer::stop`] shuts it down cleanly, [`RedisServer::kill`]
//! with SIGKILL, and [`RedisServer::start_again`] restarts it on the same port and directory
//! (what persisted is still there). Options: append-only persistence (`appendfsync
//! always`), an ACL user with a password, TLS with a private CA made at start (openssl).
//!
//! `CONNSTR_TEST_REDIS_SERVER=/path/to/redis-server` overrides the binary.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long [`RedisServer::start`] waits for the server to answer PING.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// How to run the server.
#[derive(Debug, Clone, Default)]
pub struct RedisOptions {
    /// `appendonly yes` + `appendfsync always`: every acknowledged write is on disk. Without it
    /// the server keeps nothing across a restart (`save ""`, no AOF).
    pub appendonly: bool,
    /// An ACL user `(name, password)` allowed only `connstr:*` keys and channels and the
    /// commands the token store uses; the default user is then disabled.
    pub acl_user: Option<(String, String)>,
    /// Serve TLS only (no plain port), with a certificate for 127.0.0.1 from a private CA made
    /// at start ([`RedisServer::ca_file`]).
    pub tls: bool,
}

/// A running `redis-server`; killed on drop.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    opts: RedisOptions,
}

/// The ACL rule set of [`RedisOptions::acl_user`]: what the token store needs and nothing else.
pub const ACL_RULES: &str = "~connstr:* &connstr:* -@all +get +set +del +incr +pexpire +pttl \
                             +hget +hset +hmget +eval +evalsha +script|load +publish \
                             +subscribe +unsubscribe +ping +hello +select";

fn binary() -> String {
    std::env::var("CONNSTR_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

impl RedisServer {
    /// Starts a server on a free port of 127.0.0.1 and waits until it answers PING.
    ///
    /// Panics with a clear message when `redis-server` is missing (run
    /// `scripts/setup.d/30-redis.sh`) or it does not come up within 20 s.
    pub fn start(opts: RedisOptions) -> RedisServer {
        let dir = tempfile::tempdir().expect("temp dir for redis-server");
        if opts.tls {
            make_certificates(dir.path());
        }
        let mut server = RedisServer {
            child: None,
            port: 0,
            dir,
            opts,
        };
        // Another process may take the free port between our probe and the server's bind.
        for attempt in 0..5 {
            server.port = free_port();
            match server.spawn() {
                Ok(()) => return server,
                Err(e) if attempt < 4 => eprintln!("redis-server: {e}; retrying on another port"),
                Err(e) => panic!("{e}"),
            }
        }
        unreachable!()
    }

    fn spawn(&mut self) -> Result<(), String> {
        let dir = self.dir.path();
        let log_before = self.log().len();
        let mut cmd = Command::new(binary());
        cmd.current_dir(dir)
            .args(["--bind", "127.0.0.1", "--protected-mode", "yes"])
            .args(["--dir", &dir.display().to_string()])
            .args(["--logfile", "redis.log", "--loglevel", "verbose"])
            .args(["--daemonize", "no", "--save", ""])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if self.opts.tls {
            cmd.args(["--port", "0", "--tls-port", &self.port.to_string()])
                .args([
                    "--tls-cert-file",
                    "server.pem",
                    "--tls-key-file",
                    "server.key",
                ])
                .args(["--tls-ca-cert-file", "ca.pem", "--tls-auth-clients", "no"]);
        } else {
            cmd.args(["--port", &self.port.to_string()]);
        }
        if self.opts.appendonly {
            cmd.args(["--appendonly", "yes", "--appendfsync", "always"]);
        } else {
            cmd.args(["--appendonly", "no"]);
        }
        if let Some((user, password)) = &self.opts.acl_user {
            let acl = dir.join("users.acl");
            std::fs::write(
                &acl,
                format!("user default off\nuser {user} on >{password} {ACL_RULES}\n"),
            )
            .expect("write users.acl");
            cmd.args(["--aclfile", "users.acl"]);
        }
        let mut child = cmd.spawn().map_err(|e| {
            format!(
                "cannot run `{}` ({e}): install the Debian package redis-server \
                 (scripts/setup.d/30-redis.sh) or set CONNSTR_TEST_REDIS_SERVER",
                binary()
            )
        })?;
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let mut err = String::new();
                if let Some(mut s) = child.stderr.take() {
                    let _ = s.read_to_string(&mut err);
                }
                return Err(format!(
                    "redis-server exited ({status}) on port {}: {err}{}",
                    self.port,
                    self.log_tail()
                ));
            }
            let log = self.log();
            if log
                .get(log_before..)
                .unwrap_or("")
                .contains("Ready to accept connections")
                && self.answers()
            {
                self.child = Some(child);
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "redis-server did not come up on port {} within {READY_TIMEOUT:?}:\n{}",
                    self.port,
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the port accepts a TCP connection (for TLS the handshake is not attempted).
    fn answers(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        if self.opts.tls {
            return true;
        }
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        if s.write_all(b"PING\r\n").is_err() {
            return false;
        }
        let mut line = String::new();
        let _ = BufReader::new(s).read_line(&mut line);
        // +PONG, or -NOAUTH when the default user is off: either way it is serving.
        line.starts_with("+PONG") || line.starts_with("-NOAUTH") || line.starts_with("-NOPERM")
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's directory (AOF, log, certificates).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `redis://127.0.0.1:PORT/DB` (`rediss://` with TLS), with the ACL user and password when
    /// there is one.
    pub fn url(&self, db: u32) -> String {
        let scheme = if self.opts.tls { "rediss" } else { "redis" };
        match &self.opts.acl_user {
            Some((u, p)) => {
                let enc = |s: &str| -> String {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
                };
                format!(
                    "{scheme}://{}:{}@127.0.0.1:{}/{db}",
                    enc(u),
                    enc(p),
                    self.port
                )
            }
            None => format!("{scheme}://127.0.0.1:{}/{db}", self.port),
        }
    }

    /// The private CA's certificate (PEM), with [`RedisOptions::tls`].
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// The server's log so far (`loglevel verbose`).
    pub fn log(&self) -> String {
        std::fs::read(self.dir.path().join("redis.log"))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Everything the server keeps on disk (AOF files), concatenated: to check what was written.
    pub fn persisted_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let aof = self.dir.path().join("appendonlydir");
        if let Ok(entries) = std::fs::read_dir(aof) {
            for e in entries.flatten() {
                if let Ok(b) = std::fs::read(e.path()) {
                    out.extend(b);
                }
            }
        }
        out
    }

    /// The process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGTERM and wait: a clean shutdown (the AOF is flushed).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGKILL and wait: what an acknowledged write survives only with `appendfsync always`.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start again on the same port, directory and options (after [`RedisServer::stop`] or
    /// [`RedisServer::kill`]).
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "redis-server is still running");
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            match self.spawn() {
                Ok(()) => return,
                // The old socket may linger for a moment.
                Err(e) if Instant::now() < deadline && e.contains("exited") => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// ca.pem/ca.key and server.pem/server.key (for 127.0.0.1 and localhost) in `dir`.
fn make_certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run openssl to make test certificates: {e}"));
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=connstr test CA",
    ]);
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .expect("write san.ext");
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
}
