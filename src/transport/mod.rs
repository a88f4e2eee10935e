//! The one HTTP client builder of connstr: every request it makes (token
//! endpoint, interactive login's code exchange, the apply layer's data
//! requests) goes through a [`reqwest::Client`] made by [`client_builder`]
//! from the plan's [`Transport`] — proxy, TLS trust, client certificate and
//! timeout as the Autonomous REST driver would use them.
//!
//! [`explain`] turns a failed request into a [`TransportError`] that names
//! the option to look at (ProxyUser for refused proxy credentials, Truststore
//! for a refused certificate), never a password; [`refusal`] tells a proxy's
//! refusal of an `http://` request from the endpoint's own 401.

mod proxy;
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
    /// The proxy refused the credentials of ProxyUser (407, or 401 from
    /// proxies such as tinyproxy that answer a wrong password that way).
    #[error(
        "the proxy {proxy} (ProxyHost/ProxyPort) refused the credentials of ProxyUser `{user}`: \
         HTTP {status} (hint: check ProxyUser and ProxyPassword)"
    )]
    ProxyCredentialsRefused {
        /// The proxy's URL (no credentials).
        proxy: String,
        /// ProxyUser.
        user: String,
        /// What the proxy answered (407 or 401).
        status: u16,
    },
    /// The proxy would not open a tunnel (CONNECT) to the server for another
    /// reason than authentication (a port it does not tunnel to, a host it
    /// cannot reach or does not allow).
    #[error(
        "the proxy {proxy} (ProxyHost/ProxyPort) refused to open a tunnel to {target}{} \
         (hint: the proxy does not carry HTTPS to this host and port; ask its administrator, \
         or check ProxyHost and ProxyPort)",
        .answer.as_ref().map(|a| format!(": {a}")).unwrap_or_default()
    )]
    ProxyTunnelRefused {
        /// The proxy's URL (no credentials).
        proxy: String,
        /// `host:port` of the server.
        target: String,
        /// The proxy's status line (`HTTP 403 Access violation`), when it
        /// could be read.
        answer: Option<String>,
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
///
/// [`explain`] does this and also finds out why a proxy refused a tunnel.
pub fn classify(e: &reqwest::Error, transport: &Transport) -> Option<TransportError> {
    let text = chain(e);
    let lower = text.to_ascii_lowercase();
    if let Some(p) = &transport.proxy {
        if lower.contains("proxy authorization required") {
            return Some(proxy::auth_refused(p, 407));
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

/// Like [`classify`] for a request to `url` that failed, and when a proxy
/// refused to open a tunnel (CONNECT) for an `https://` request with another
/// status than 407 — which reqwest does not report — the proxy is asked once
/// more on a connection of its own to learn its answer: 401/407 is a refusal
/// of ProxyUser's credentials ([`TransportError::ProxyCredentialsRefused`]),
/// anything else a tunnel it will not open
/// ([`TransportError::ProxyTunnelRefused`]). An `http://` request whose
/// connection was reset (a proxy that refused it without reading its body)
/// is asked about the same way.
pub async fn explain(
    e: &reqwest::Error,
    url: &url::Url,
    transport: &Transport,
) -> Option<TransportError> {
    if let Some(found) = classify(e, transport) {
        return Some(found);
    }
    let p = transport.proxy.as_ref()?;
    let target = proxy::target(url)?;
    if chain(e).to_ascii_lowercase().contains("tunnel error") {
        return Some(match proxy::ask(transport, &target).await {
            Some(a) if matches!(a.status, 401 | 407) => proxy::auth_refused(p, a.status),
            answer => proxy::tunnel_refused(p, &target, answer),
        });
    }
    // An http:// request with a body that the proxy refused at once: it
    // answered 401/407 and closed without reading the body, and the reset
    // that followed lost its answer. Ask it again.
    if url.scheme() == "http" && !e.is_connect() && !e.is_timeout() {
        return match proxy::ask(transport, &target).await {
            Some(a) if matches!(a.status, 401 | 407) => Some(proxy::auth_refused(p, a.status)),
            _ => None,
        };
    }
    None
}

/// A 407 answered by the proxy (plain http:// through it): the error, when
/// a proxy is configured.
pub fn proxy_auth(transport: &Transport) -> Option<TransportError> {
    transport
        .proxy
        .as_ref()
        .map(|p| proxy::auth_refused(p, 407))
}

/// Whether a response to `url` with `status` is the proxy's refusal rather
/// than the server's answer, and the error that says so.
///
/// Through a proxy, an `http://` request is forwarded and the proxy's own
/// refusal arrives as a response: a 407 always is the proxy's, and so is a
/// 401 that carries `Proxy-Authenticate`. A bare 401 with ProxyUser set is
/// ambiguous (tinyproxy answers a wrong proxy password that way, a server
/// a wrong login): the proxy is asked once with a CONNECT to the same host
/// and port, with the same credentials (nothing is sent through the
/// tunnel). If it refuses them again, the 401 was the proxy's. Callers that
/// can tell a server's 401 by its body (an OAuth error) need not ask.
///
/// `https://` responses come through the tunnel, from the server: `None`.
pub async fn refusal(
    transport: &Transport,
    url: &url::Url,
    status: u16,
    headers: &reqwest::header::HeaderMap,
) -> Option<TransportError> {
    let p = transport.proxy.as_ref()?;
    if status == 407 {
        return Some(proxy::auth_refused(p, 407));
    }
    if status != 401 || url.scheme() != "http" {
        return None;
    }
    if headers.contains_key(reqwest::header::PROXY_AUTHENTICATE) {
        return Some(proxy::auth_refused(p, 401));
    }
    p.user.as_ref()?;
    let target = proxy::target(url)?;
    let answer = proxy::ask(transport, &target).await?;
    tracing::debug!(
        proxy = %p.url(),
        status = answer.status,
        "asked the proxy whether it accepts ProxyUser's credentials (after a 401)"
    );
    matches!(answer.status, 401 | 407).then(|| proxy::auth_refused(p, 401))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use crate::plan::Proxy;

    fn with_proxy(user: Option<&str>) -> Transport {
        Transport {
            proxy: Some(Proxy {
                scheme: "http".into(),
                host: "proxy.corp".into(),
                port: 3128,
                user: user.map(str::to_owned),
                password: Some(Secret::new("Px-S3cret-never-shown")),
            }),
            ..Transport::default()
        }
    }

    #[test]
    fn proxy_errors_name_the_options_and_never_the_password() {
        let refused = proxy_auth(&with_proxy(Some("pxuser"))).unwrap();
        let shown = format!("{refused} {refused:?}");
        assert!(
            refused.to_string().starts_with(
                "the proxy http://proxy.corp:3128 (ProxyHost/ProxyPort) refused the credentials \
                 of ProxyUser `pxuser`: HTTP 407"
            ),
            "{refused}"
        );
        let none = proxy_auth(&with_proxy(None)).unwrap();
        assert!(none.to_string().contains("no ProxyUser is set"), "{none}");
        let tunnel = proxy::tunnel_refused(
            with_proxy(Some("pxuser")).proxy.as_ref().unwrap(),
            "as.example:8443",
            None,
        );
        assert!(
            tunnel
                .to_string()
                .contains("refused to open a tunnel to as.example:8443"),
            "{tunnel}"
        );
        for text in [shown, format!("{none} {none:?} {tunnel} {tunnel:?}")] {
            assert!(!text.contains("Px-S3cret-never-shown"), "{text}");
        }
    }
}
