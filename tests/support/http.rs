//! One HTTP/1.1 request read off a socket and one response written back, for
//! the small recording and fault-injecting servers of the tests. Include with
//! `#[path = "support/http.rs"] mod http;` (the real OAuth 2.0 server is
//! oidc-provider: see `support/oidc.rs`).
#![allow(dead_code)]

use std::fmt::Display;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// One request as read: its exact bytes and where the head ends.
pub struct RawRequest {
    /// Head, blank line and body, as received.
    pub raw: Vec<u8>,
    /// Length of the head including the blank line (`\r\n\r\n`).
    pub head_end: usize,
}

impl RawRequest {
    /// The head (request line and headers), lossily decoded.
    pub fn head(&self) -> String {
        String::from_utf8_lossy(&self.raw[..self.head_end]).into_owned()
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.raw[self.head_end..]
    }
}

/// Read the head up to the blank line, then `Content-Length` bytes of body.
/// `None` when the peer closes (or fails) before the head is complete; a body
/// cut short is returned as far as it came.
pub async fn read_request(stream: &mut TcpStream) -> Option<RawRequest> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    };
    let len: usize = String::from_utf8_lossy(&raw[..head_end])
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while raw.len() < head_end + len {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    Some(RawRequest { raw, head_end })
}

/// Write a whole response: the status line, `headers`, `Content-Length` and
/// `Connection: close`, then `body`. Write errors are ignored: a client that
/// went away is what some tests are about.
pub async fn write_response<N: Display, V: Display>(
    stream: &mut TcpStream,
    status: u16,
    headers: impl IntoIterator<Item = (N, V)>,
    body: &[u8],
) {
    let mut head = format!("HTTP/1.1 {status} X\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
}
