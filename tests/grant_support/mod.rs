//! A small recording HTTP/1.1 server for grant tests: records each request's
//! exact bytes and answers from a script of canned responses. Used for exact
//! wire assertions and fault injection; token behaviour proper is tested
//! against the real oidc-provider (tests/support/oidc.rs).
#![allow(dead_code)]

#[path = "../support/http.rs"]
mod http;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};

/// One request as received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `POST /token?x=1 HTTP/1.1`
    pub request_line: String,
    /// Headers as received (names lower-cased).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// Everything received, head and body.
    pub raw: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn body_str(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
    pub fn raw_str(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }
}

/// What to answer.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A normal response with Content-Length.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A body streamed without Content-Length, closed after `len` bytes.
    Unbounded { status: u16, len: usize },
    /// Close the connection without answering.
    Hangup,
    /// Never answer (until the client gives up).
    Stall,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Http {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }
    pub fn with(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
        Reply::Http {
            status,
            headers: headers
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }
    pub fn token(access: &str) -> Reply {
        Reply::json(
            200,
            &format!(r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":3600}}"#),
        )
    }
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    script: VecDeque<Reply>,
    fallback: Option<Reply>,
}

/// The server. Dropping it stops accepting.
pub struct Recorder {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Start on 127.0.0.1:0 with a script; once the script is used up, `fallback`
    /// (or 500) answers.
    pub async fn start(script: Vec<Reply>, fallback: Option<Reply>) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            requests: vec![],
            script: script.into(),
            fallback,
        }));
        let st = Arc::clone(&state);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let st = Arc::clone(&st);
                tokio::spawn(async move { handle(stream, st).await });
            }
        });
        Recorder { addr, state, task }
    }

    pub fn url(&self, path_and_query: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{}", self.addr, path_and_query)).unwrap()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn count(&self) -> usize {
        self.state.lock().unwrap().requests.len()
    }
}

async fn handle(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let Some(request) = http::read_request(&mut stream).await else {
        return;
    };
    let head = request.head();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let body = request.body().to_vec();
    let raw = request.raw;
    let reply = {
        let mut st = state.lock().unwrap();
        st.requests.push(Recorded {
            request_line,
            headers,
            body,
            raw: raw.clone(),
        });
        st.script
            .pop_front()
            .or_else(|| st.fallback.clone())
            .unwrap_or_else(|| Reply::json(500, r#"{"error":"server_error"}"#))
    };
    match reply {
        Reply::Http {
            status,
            headers,
            body,
        } => {
            http::write_response(&mut stream, status, headers, &body).await;
        }
        Reply::Unbounded { status, len } => {
            let out = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(out.as_bytes()).await;
            let chunk = vec![b' '; 8192];
            let mut sent = 0;
            while sent < len {
                let n = chunk.len().min(len - sent);
                if stream.write_all(&chunk[..n]).await.is_err() {
                    break;
                }
                sent += n;
            }
        }
        Reply::Hangup => {}
        Reply::Stall => tokio::time::sleep(Duration::from_secs(3600)).await,
    }
    let _ = stream.shutdown().await;
}
