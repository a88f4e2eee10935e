//! Telling the proxy's refusal from the endpoint's answer.
//!
//! Through a forward proxy an `http://` request is forwarded, so the proxy's
//! own refusal comes back as an ordinary response: 407 from most proxies, but
//! Debian's tinyproxy 1.11 answers a *wrong* proxy password with 401 (and
//! `WWW-Authenticate`), the status a token endpoint uses for a wrong client
//! secret. An `https://` request goes through a CONNECT tunnel, and reqwest
//! reports any refusal other than 407 only as "tunnel unsuccessful", without
//! the status.
//!
//! In both cases connstr asks the proxy itself: one `CONNECT host:port` to
//! the same target, with the same proxy credentials, on a connection of its
//! own, read up to the status line and closed. A proxy that refuses the
//! credentials answers 401 or 407 to it too; one that accepts them answers
//! anything else (200, or 403 when it does not tunnel to that port), so the
//! 401 was the endpoint's. Nothing is sent through the tunnel.

use base64::Engine as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::{CONNECT_TIMEOUT, TransportError};
use crate::plan::{Proxy, Transport};

/// What a proxy answered to a CONNECT: status and reason phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ProxyAnswer {
    pub status: u16,
    pub reason: String,
}

/// The error for a proxy that refused authentication with `status`: no
/// ProxyUser → it wants credentials; ProxyUser set → it refused them.
pub(super) fn auth_refused(p: &Proxy, status: u16) -> TransportError {
    match &p.user {
        Some(user) => TransportError::ProxyCredentialsRefused {
            proxy: p.url(),
            user: user.clone(),
            status,
        },
        None => TransportError::ProxyAuthRequired {
            proxy: p.url(),
            user: None,
        },
    }
}

/// `host:port` of `url`, as a CONNECT target (IPv6 in brackets).
pub(super) fn target(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    Some(format!("{host}:{port}"))
}

/// Ask the proxy for a tunnel to `target` with the configured credentials
/// and read its status line. `None` when the proxy cannot be asked (an
/// `https://` proxy, no answer within the time limit, not HTTP).
pub(super) async fn ask(transport: &Transport, target: &str) -> Option<ProxyAnswer> {
    let p = transport.proxy.as_ref()?;
    if p.scheme != "http" {
        return None;
    }
    let limit = transport
        .timeout
        .map_or(CONNECT_TIMEOUT, |t| t.min(CONNECT_TIMEOUT));
    tokio::time::timeout(limit, ask_inner(p, target))
        .await
        .ok()
        .flatten()
}

async fn ask_inner(p: &Proxy, target: &str) -> Option<ProxyAnswer> {
    let mut stream = tokio::net::TcpStream::connect((p.host.as_str(), p.port))
        .await
        .ok()?;
    let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if let Some(user) = &p.user {
        let password = p.password.as_ref().map(|s| s.expose()).unwrap_or_default();
        let pair = format!("{user}:{password}");
        head.push_str("Proxy-Authorization: Basic ");
        head.push_str(&base64::engine::general_purpose::STANDARD.encode(pair.as_bytes()));
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.ok()?;
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 256];
    while memchr::memmem::find(&buf, b"\r\n").is_none() && buf.len() < 1024 {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    parse_status_line(&buf)
}

/// `HTTP/1.x NNN reason` → status and a printable, bounded reason.
fn parse_status_line(buf: &[u8]) -> Option<ProxyAnswer> {
    let end = memchr::memmem::find(buf, b"\r\n").unwrap_or(buf.len());
    let line = std::str::from_utf8(&buf[..end]).ok()?;
    let rest = line.strip_prefix("HTTP/1.")?;
    let mut parts = rest.splitn(3, ' ');
    let _minor = parts.next()?;
    let status: u16 = parts.next()?.parse().ok()?;
    let reason: String = parts
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(80)
        .collect();
    Some(ProxyAnswer { status, reason })
}

/// A CONNECT refused for another reason than authentication.
pub(super) fn tunnel_refused(
    p: &Proxy,
    target: &str,
    answer: Option<ProxyAnswer>,
) -> TransportError {
    TransportError::ProxyTunnelRefused {
        proxy: p.url(),
        target: target.to_owned(),
        answer: answer.map(|a| format!("HTTP {} {}", a.status, a.reason).trim().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(
            parse_status_line(b"HTTP/1.0 401 Unauthorized\r\nServer: x\r\n"),
            Some(ProxyAnswer {
                status: 401,
                reason: "Unauthorized".into()
            })
        );
        assert_eq!(
            parse_status_line(b"HTTP/1.1 403 Access violation\r\n"),
            Some(ProxyAnswer {
                status: 403,
                reason: "Access violation".into()
            })
        );
        assert_eq!(
            parse_status_line(b"HTTP/1.1 200\r\n").map(|a| a.status),
            Some(200)
        );
        assert_eq!(parse_status_line(b"SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(parse_status_line(b""), None);
        let long = format!("HTTP/1.1 502 {}\u{7}\r\n", "x".repeat(300));
        let a = parse_status_line(long.as_bytes()).unwrap();
        assert_eq!(a.reason.len(), 80);
    }

    #[test]
    fn targets() {
        let t = |u: &str| target(&url::Url::parse(u).unwrap());
        assert_eq!(t("https://as.example/token"), Some("as.example:443".into()));
        assert_eq!(t("http://127.0.0.1:8080/t"), Some("127.0.0.1:8080".into()));
        assert_eq!(t("https://[::1]:9443/t"), Some("[::1]:9443".into()));
    }
}
