//! A private PKI made at test time with the openssl CLI: a CA, another CA, a
//! server certificate for `api.internal.example` and a client certificate,
//! both signed by the CA; PKCS#12 files made from them.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::tinyproxy::free_port;

/// The name in the server certificate (not 127.0.0.1: tests name it with
/// HostNameInCertificate).
pub const SERVER_NAME: &str = "api.internal.example";

/// Run `openssl ARGS` in `dir`; panics when it fails.
pub fn openssl(dir: &Path, args: &[&str]) {
    let ok = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl")
        .success();
    assert!(ok, "openssl {args:?}");
}

/// CA, another CA, a server certificate for api.internal.example signed by
/// the CA, a client certificate signed by the CA (cert + key in one PEM).
pub fn pki() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, cn) in [("ca", "TestCA"), ("other", "OtherCA")] {
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
                "-days",
                "2",
                "-subj",
                &format!("/CN={cn}"),
            ],
        );
    }
    std::fs::write(
        d.join("srv.ext"),
        "subjectAltName=DNS:api.internal.example\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    std::fs::write(
        d.join("cli.ext"),
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
    )
    .unwrap();
    for (name, cn) in [("srv", "api.internal.example"), ("cli", "connstr-client")] {
        openssl(
            d,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/CN={cn}"),
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &format!("{name}.pem"),
                "-days",
                "2",
                "-extfile",
                &format!("{name}.ext"),
            ],
        );
    }
    let both = format!(
        "{}{}",
        std::fs::read_to_string(d.join("cli.pem")).unwrap(),
        std::fs::read_to_string(d.join("cli.key")).unwrap()
    );
    std::fs::write(d.join("client.pem"), both).unwrap();
    dir
}

/// `tests/python/tls_terminator.py` in front of `127.0.0.1:backend_port`,
/// with the server certificate of [`pki`] in `dir`: the server and the port
/// it takes TLS on.
pub fn tls_terminator(dir: &Path, backend_port: u16) -> (super::python::PyServer, u16) {
    let file = |n: &str| dir.join(n).display().to_string();
    let server = super::python::PyServer::start(
        "tls_terminator.py",
        &[
            "--cert",
            &file("srv.pem"),
            "--key",
            &file("srv.key"),
            "--backend",
            &format!("127.0.0.1:{backend_port}"),
        ],
    );
    let port = server
        .base_url()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("READY https://127.0.0.1:PORT");
    (server, port)
}

/// A PKCS#12 file `out` in `dir` made by `openssl pkcs12 -export` with
/// `password`: of the certificates in `cert` alone (`key` = None, a trust
/// store), or of `cert` and its `key` (a key store). `legacy`: the old
/// algorithms (RC2/3DES, SHA-1 MAC: `-legacy`) instead of OpenSSL 3's
/// defaults (AES-256-CBC with PBKDF2, SHA-256 MAC).
pub fn pkcs12(dir: &Path, out: &str, cert: &str, key: Option<&str>, password: &str, legacy: bool) {
    let pass = format!("pass:{password}");
    let mut args = vec![
        "pkcs12", "-export", "-in", cert, "-out", out, "-passout", &pass,
    ];
    match key {
        Some(k) => args.extend_from_slice(&["-inkey", k]),
        None => args.push("-nokeys"),
    }
    if legacy {
        args.push("-legacy");
    }
    openssl(dir, &args);
}

/// A running `openssl s_server`; killed on drop.
pub struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `openssl s_server -www` on a free port of 127.0.0.1 with the server
/// certificate of [`pki`] in `dir`, and `extra` arguments (`-Verify 1 -CAfile
/// ca.pem` to require a client certificate). It answers any GET with an HTML
/// page.
pub fn serve(dir: &Path, extra: &[&str]) -> (Server, u16) {
    let port = free_port();
    let p = port.to_string();
    let mut args = vec![
        "s_server", "-accept", &p, "-cert", "srv.pem", "-key", "srv.key", "-www", "-quiet",
    ];
    args.extend_from_slice(extra);
    let child = Command::new("openssl")
        .args(&args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "s_server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (Server(child), port)
}
