//! Debian `tinyproxy` as a forward proxy with basic proxy authentication,
//! started on 127.0.0.1 with a generated configuration; its log (in a temp
//! directory) shows the requests it carried.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running tinyproxy. Dropping it kills it.
pub struct Tinyproxy {
    pub port: u16,
    pub user: String,
    pub password: String,
    log: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Tinyproxy {
    /// Start tinyproxy requiring `user`/`password` (BasicAuth). It tunnels
    /// (CONNECT) to port 443 only.
    pub fn start(user: &str, password: &str) -> Tinyproxy {
        Self::start_tunnelling_to(user, password, &[])
    }

    /// The same, and it also tunnels (CONNECT) to these ports (`ConnectPort`).
    pub fn start_tunnelling_to(user: &str, password: &str, connect_ports: &[u16]) -> Tinyproxy {
        let bin = which("tinyproxy")
            .expect("tinyproxy is not installed (scripts/setup.d/40-tinyproxy.sh installs it)");
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("tinyproxy.log");
        let port = free_port();
        let conf = dir.path().join("tinyproxy.conf");
        let mut text = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{}\"\nLogLevel Info\n\
             MaxClients 20\nAllow 127.0.0.1\nBasicAuth {user} {password}\nDisableViaHeader Yes\n\
             ConnectPort 443\n",
            log.display()
        );
        for p in connect_ports {
            text.push_str(&format!("ConnectPort {p}\n"));
        }
        // As root, tinyproxy drops to this user: let it write the log.
        if unsafe_is_root() {
            text.push_str("User root\nGroup root\n");
        }
        std::fs::write(&conf, text).unwrap();
        let child = Command::new(bin)
            .args(["-d", "-c"])
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tinyproxy");
        let proxy = Tinyproxy {
            port,
            user: user.to_owned(),
            password: password.to_owned(),
            log,
            child,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tinyproxy did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        proxy
    }

    /// What tinyproxy logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn unsafe_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .chain(["/usr/sbin".into(), "/usr/bin".into()])
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}
