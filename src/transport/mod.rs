//! The one HTTP client builder of connstr: every request it makes (token
//! endpoint, interactive login's code exchange, the apply layer's data
//! requests) goes through a [`reqwest::Client`] made by [`client_builder`]
//! from the plan's [`Transport`] — proxy, TLS trust, client certificate and
//! timeout as the Autonomous REST driver would use them.
//!
//! [`classify`] turns a failed request into a [`TransportError`] that names
//! the option to look at (ProxyUser for a 407, Truststore for a refused
//! certificate), never a password.

mod tls;

use std::time::Duration;

use crate::plan::Transport;

/// Connect timeout of every client (the request limit is WSTimeout's).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What went wrong on the way to a server, because of the transport settings.
///
/// `Display` names the option to check; it never holds a password.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The proxy answered 407: it wants (other) credentials.
    #[error(
        "the proxy {proxy} refused the request: HTTP 407 proxy authentication required{} \
         (hint: check ProxyUser and ProxyPassword)",
        .user.as_ref().map(|u| format!(" for ProxyUser `{u}`")).unwrap_or_else(|| " and no ProxyUser is set".to_owned())
    )]
    ProxyAuthRequired {
        /// The proxy's URL (no credentials).
        proxy: String,
        /// ProxyUser, when set.
        user: Option<String>,
    },
    /// The proxy could not be reached.
    #[error(
        "cannot reach the proxy {proxy} (ProxyHost/ProxyPort): {message} \
         (hint: check ProxyHost and ProxyPort, and that the proxy is running)"
    )]
    ProxyUnreachable {
        /// The proxy's URL.
        proxy: String,
        /// What failed.
        message: String,
    },
    /// The server's certificate was refused.
    #[error("the server certificate was refused: {message} (hint: {hint})")]
    CertificateRefused {
        /// What rustls said.
        message: String,
        /// Which option to look at.
        hint: String,
    },
    /// Truststore cannot be used.
    #[error("Truststore {path}: {problem}")]
    Truststore {
        /// The file, as configured.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// KeyStore cannot be used.
    #[error("KeyStore {path}: {problem}")]
    KeyStore {
        /// The file, as configured.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// A reqwest client builder for `transport`: redirects off, proxy, TLS,
/// connect timeout and WSTimeout set. Callers add what is theirs (user agent).
///
/// ```
/// use connstr::plan::Transport;
/// let client = connstr::transport::client_builder(&Transport::default()).unwrap().build().unwrap();
/// # let _ = client;
/// ```
pub fn client_builder(transport: &Transport) -> Result<reqwest::ClientBuilder, TransportError> {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT);
    if let Some(limit) = transport.timeout {
        b = b.timeout(limit);
    }
    if let Some(p) = &transport.proxy {
        let mut proxy =
            reqwest::Proxy::all(p.url()).map_err(|e| TransportError::ProxyUnreachable {
                proxy: p.url(),
                message: format!("not a usable proxy address: {e}"),
            })?;
        if let Some(user) = &p.user {
            let password = p.password.as_ref().map(|s| s.expose()).unwrap_or_default();
            proxy = proxy.basic_auth(user, password);
        }
        b = b.proxy(proxy);
    }
    if let Some(config) = tls::client_config(&transport.tls)? {
        b = b.use_preconfigured_tls(config);
    }
    Ok(b)
}

/// A built client for `transport` (see [`client_builder`]).
pub fn client(transport: &Transport) -> Result<reqwest::Client, TransportError> {
    client_builder(transport)?
        .user_agent(concat!("connstr/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| TransportError::Client(chain(&e)))
}

/// The transport's own reading of a failed request: a proxy 407, an
/// unreachable proxy, a refused certificate. `None` for anything else.
pub fn classify(e: &reqwest::Error, transport: &Transport) -> Option<TransportError> {
    let text = chain(e);
    let lower = text.to_ascii_lowercase();
    if let Some(p) = &transport.proxy {
        if lower.contains("proxy authorization required") {
            return Some(
                proxy_auth(transport).unwrap_or(TransportError::ProxyAuthRequired {
                    proxy: p.url(),
                    user: p.user.clone(),
                }),
            );
        }
        // With a proxy every connection is to the proxy: failing to open one
        // means the proxy is not there.
        if e.is_connect()
            && (lower.contains("tcp connect error")
                || lower.contains("connection refused")
                || lower.contains("dns error"))
        {
            return Some(TransportError::ProxyUnreachable {
                proxy: p.url(),
                message: text,
            });
        }
    }
    if lower.contains("invalid peer certificate") || lower.contains("certificate") && e.is_connect()
    {
        return Some(TransportError::CertificateRefused {
            hint: tls::refusal_hint(&transport.tls, &lower),
            message: text,
        });
    }
    None
}

/// A 407 answered by the proxy (plain http:// through it): the error, when
/// a proxy is configured.
pub fn proxy_auth(transport: &Transport) -> Option<TransportError> {
    transport
        .proxy
        .as_ref()
        .map(|p| TransportError::ProxyAuthRequired {
            proxy: p.url(),
            user: p.user.clone(),
        })
}

/// The causes of a reqwest error, without the URL (it may carry a secret).
fn chain(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = e.source();
    while let Some(err) = cur {
        let s = err.to_string();
        if !s.is_empty() && !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    if parts.is_empty() {
        parts.push(if e.is_connect() {
            "connection failed".to_owned()
        } else {
            "request failed".to_owned()
        });
    }
    parts.join(": ")
}
