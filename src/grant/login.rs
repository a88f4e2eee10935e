//! The interactive authorization code grant (RFC 6749 §4.1) with PKCE S256
//! (RFC 7636): a loopback redirect listener (RFC 8252 §7.3) when RedirectURI
//! is a loopback URL with a port, else the address the browser landed on is
//! pasted (apps registered with a web redirect, headless hosts).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use sha2::Digest as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use super::error::{GrantError, LoginProblem, OAuthErrorCode, sanitize};
use super::request::GrantParams;
use super::response::Token;
use super::source::TokenSource;
use crate::plan::Grant;
use crate::secret::Secret;

/// What the redirect brought back.
#[derive(Clone, Debug)]
pub struct AuthorizationCode {
    /// The code.
    pub code: Secret,
    /// The PKCE verifier that goes with it.
    pub code_verifier: Option<Secret>,
    /// The redirect URI it was sent to (sent again in the exchange).
    pub redirect_uri: Url,
}

/// One interactive login in progress: the authorization URL is ready to open
/// in a browser, and either the loopback listener is bound or the landing
/// address will be pasted.
#[derive(Debug)]
pub struct LoginSession {
    /// The loopback listener; `None` for a paste login.
    listener: Option<TcpListener>,
    redirect_uri: Url,
    state: String,
    verifier: Option<Secret>,
    authorize_url: Url,
}

fn random_b64(bytes: usize) -> Result<String, GrantError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|_| GrantError::Random)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}

/// The S256 code challenge of a verifier.
///
/// ```
/// // RFC 7636 Appendix B.
/// assert_eq!(
///     connstr::grant::pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
///     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
/// );
/// ```
pub fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

impl LoginSession {
    /// Start a login: build the authorization URL and, when RedirectURI is a
    /// loopback `http` URL with a port, bind that port to catch the browser's
    /// redirect (RFC 8252 §7.3; port 0 picks a free port and the URL is
    /// updated).
    ///
    /// Any other RedirectURI (the web address an app is registered with, such
    /// as `https://www.getpostman.com/oauth2/callback`) makes a *paste* login:
    /// nothing listens; the browser lands on RedirectURI and the person pastes
    /// that address (or the bare code) into
    /// [`LoginSession::code_from_pasted`].
    pub async fn start(
        auth_uri: &Url,
        client_id: &str,
        redirect_uri: &Url,
        scope: &[String],
        pkce: bool,
    ) -> Result<Self, GrantError> {
        let mut redirect_uri = redirect_uri.clone();
        let listener = match loopback_listen_addr(&redirect_uri) {
            Some((bind_host, port)) => {
                let listener = TcpListener::bind((bind_host, port))
                    .await
                    .map_err(|e| GrantError::Login(LoginProblem::Bind(e.to_string())))?;
                if port == 0 {
                    let actual = listener
                        .local_addr()
                        .map_err(|e| GrantError::Login(LoginProblem::Bind(e.to_string())))?
                        .port();
                    let _ = redirect_uri.set_port(Some(actual));
                }
                Some(listener)
            }
            None => None,
        };
        let state = random_b64(16)?;
        let verifier = if pkce {
            Some(Secret::new(random_b64(32)?))
        } else {
            None
        };
        let mut authorize_url = auth_uri.clone();
        {
            let mut q = authorize_url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", client_id)
                .append_pair("redirect_uri", redirect_uri.as_str());
            if !scope.is_empty() {
                q.append_pair("scope", &scope.join(" "));
            }
            q.append_pair("state", &state);
            if let Some(v) = &verifier {
                q.append_pair("code_challenge", &pkce_challenge(v.expose()))
                    .append_pair("code_challenge_method", "S256");
            }
        }
        if listener.is_some() {
            tracing::info!(
                redirect_uri = %super::request::log_url(&redirect_uri),
                port = redirect_uri.port().unwrap_or_default(),
                pkce = verifier.is_some(),
                "login: listening for the browser's redirect"
            );
        } else {
            tracing::info!(
                redirect_uri = %super::request::log_url(&redirect_uri),
                pkce = verifier.is_some(),
                "login: RedirectURI is not a loopback URL with a port; the address the browser lands on is pasted"
            );
        }
        Ok(LoginSession {
            listener,
            redirect_uri,
            state,
            verifier,
            authorize_url,
        })
    }

    /// The URL to open in a browser.
    pub fn authorize_url(&self) -> &Url {
        &self.authorize_url
    }

    /// The redirect URI (with the real port when RedirectURI said 0).
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Whether this login catches the browser's redirect itself (a loopback
    /// RedirectURI with a port: use [`LoginSession::wait`]), or needs the
    /// landing address pasted ([`LoginSession::code_from_pasted`]).
    pub fn listens(&self) -> bool {
        self.listener.is_some()
    }

    /// Wait for the browser to come back to the redirect URI, check `state`,
    /// answer a small page, return the code.
    ///
    /// A paste login (see [`LoginSession::listens`]) has nothing to wait on:
    /// that is an error.
    pub async fn wait(self, timeout: Duration) -> Result<AuthorizationCode, GrantError> {
        let Some(listener) = &self.listener else {
            return Err(GrantError::Unsupported(
                "waiting for a redirect that is not a loopback URL with a port (paste the address instead)",
            ));
        };
        match tokio::time::timeout(timeout, self.accept_loop(listener)).await {
            Ok(r) => r,
            Err(_) => {
                tracing::warn!(
                    timeout_s = timeout.as_secs(),
                    "login: no redirect arrived in time"
                );
                Err(GrantError::Login(LoginProblem::TimedOut(timeout)))
            }
        }
    }

    /// The code from what a person pasted after the browser landed on
    /// RedirectURI: the whole address (its `state` is checked against this
    /// login's), its query string alone, or the bare code (which carries no
    /// state to check). The pasted text is a secret: it is never logged nor
    /// part of an error.
    ///
    /// ```
    /// # async fn demo() -> Result<(), connstr::grant::GrantError> {
    /// use connstr::grant::LoginSession;
    /// let auth = url::Url::parse("https://as.example/authorize").unwrap();
    /// let redirect = url::Url::parse("https://www.getpostman.com/oauth2/callback").unwrap();
    /// let session = LoginSession::start(&auth, "12ab", &redirect, &[], true).await?;
    /// assert!(!session.listens());
    /// // A forged or stale address is refused by its state.
    /// let forged = "https://www.getpostman.com/oauth2/callback?code=abc&state=not-ours";
    /// assert!(session.code_from_pasted(forged).is_err());
    /// // A bare code is taken as it is.
    /// assert_eq!(session.code_from_pasted(" abc \n")?.code.expose(), "abc");
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn code_from_pasted(&self, pasted: &str) -> Result<AuthorizationCode, GrantError> {
        let text = pasted.trim();
        if text.is_empty() {
            return Err(GrantError::Login(LoginProblem::NothingPasted));
        }
        let looks_like_query = text.starts_with('?')
            || ["code=", "error=", "state="]
                .iter()
                .any(|p| text.starts_with(p) || text.contains(&format!("&{p}")));
        let url = if let Ok(url) = Url::parse(text) {
            Some(url)
        } else if looks_like_query {
            let mut url = self.redirect_uri.clone();
            url.set_query(Some(text.trim_start_matches('?')));
            Some(url)
        } else {
            None
        };
        let Some(url) = url else {
            // A bare code: printable, no spaces (codes are URL-safe tokens).
            if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(GrantError::Login(LoginProblem::PastedNotRedirect));
            }
            tracing::debug!("login: a bare authorization code was pasted (no state to check)");
            return Ok(AuthorizationCode {
                code: Secret::new(text.to_owned()),
                code_verifier: self.verifier.clone(),
                redirect_uri: self.redirect_uri.clone(),
            });
        };
        let r = &self.redirect_uri;
        let same_place = url.scheme() == r.scheme()
            && url.host_str() == r.host_str()
            && url.port_or_known_default() == r.port_or_known_default()
            && url.path() == r.path();
        if !same_place {
            tracing::debug!("login: the pasted address is not at RedirectURI");
            return Err(GrantError::Login(LoginProblem::PastedNotRedirect));
        }
        tracing::debug!("login: an address at RedirectURI was pasted");
        self.code_from_redirect(&url)
    }

    /// The outcome of a redirect to RedirectURI: `state` checked first, then
    /// the server's `error` or the `code`.
    fn code_from_redirect(&self, url: &Url) -> Result<AuthorizationCode, GrantError> {
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if param("state").as_deref() != Some(self.state.as_str()) {
            tracing::warn!("login: the redirect's state does not match: refused");
            return Err(GrantError::Login(LoginProblem::StateMismatch));
        }
        tracing::debug!("login: redirect arrived, state verified");
        if let Some(err) = param("error") {
            let code = OAuthErrorCode::parse(&err);
            if tracing::enabled!(tracing::Level::DEBUG) {
                // Standard codes only: any other text is the server's.
                let shown = match &code {
                    OAuthErrorCode::Other(_) => "(non-standard code)",
                    known => known.as_str(),
                };
                tracing::debug!(error = shown, "login: the authorization server refused");
            }
            return Err(GrantError::Login(LoginProblem::Denied {
                code,
                description: param("error_description").map(|d| sanitize(&d, 300)),
            }));
        }
        let Some(code) = param("code").filter(|c| !c.is_empty()) else {
            tracing::debug!("login: the redirect carried no code");
            return Err(GrantError::Login(LoginProblem::NoCode));
        };
        tracing::debug!(
            pkce = self.verifier.is_some(),
            "login: authorization code received"
        );
        Ok(AuthorizationCode {
            code: Secret::new(code),
            code_verifier: self.verifier.clone(),
            redirect_uri: self.redirect_uri.clone(),
        })
    }

    async fn accept_loop(&self, listener: &TcpListener) -> Result<AuthorizationCode, GrantError> {
        loop {
            let Ok((mut stream, peer)) = listener.accept().await else {
                continue;
            };
            tracing::trace!(peer = %peer, "login: connection on the redirect listener");
            let Some(target) = read_request_target(&mut stream).await else {
                tracing::debug!("login: ignored a request that is not a GET");
                continue;
            };
            let Ok(url) = self.redirect_uri.join(&target) else {
                tracing::debug!("login: ignored a request with an unusable target");
                respond(&mut stream, 400, "Bad request").await;
                continue;
            };
            if url.path() != self.redirect_uri.path() {
                tracing::debug!("login: ignored a request for another path (404)");
                respond(&mut stream, 404, "Not found").await;
                continue;
            }
            let outcome = self.code_from_redirect(&url);
            let (status, page) = match &outcome {
                Ok(_) => (
                    200,
                    "Login complete. You can close this tab and return to connstr.",
                ),
                Err(GrantError::Login(LoginProblem::StateMismatch)) => (
                    400,
                    "Login failed: the state does not match. Start the login again.",
                ),
                Err(GrantError::Login(LoginProblem::NoCode)) => (
                    400,
                    "Login failed: no authorization code. You can close this tab.",
                ),
                Err(_) => (
                    400,
                    "Login failed: the authorization server refused. You can close this tab.",
                ),
            };
            respond(&mut stream, status, page).await;
            return outcome;
        }
    }
}

/// Whether `connstr login` (and [`LoginSession::start`]) listens for the
/// browser on RedirectURI — a loopback `http` URL with a port — or has the
/// address the browser lands on pasted back (any other RedirectURI).
///
/// ```
/// use connstr::grant::login_listens;
/// let u = |s: &str| url::Url::parse(s).unwrap();
/// assert!(login_listens(&u("http://127.0.0.1:8765/callback")));
/// assert!(login_listens(&u("http://localhost:0/cb")));
/// assert!(!login_listens(&u("https://www.getpostman.com/oauth2/callback")));
/// assert!(!login_listens(&u("http://127.0.0.1/callback"))); // no port to listen on
/// ```
pub fn login_listens(redirect_uri: &Url) -> bool {
    loopback_listen_addr(redirect_uri).is_some()
}

/// Where to listen for the browser: RedirectURI's loopback address and port,
/// when RedirectURI is `http://127.0.0.1:PORT/…`, `http://localhost:PORT/…` or
/// `http://[::1]:PORT/…`. `None` for every other RedirectURI (a paste login).
fn loopback_listen_addr(redirect_uri: &Url) -> Option<(&'static str, u16)> {
    let bind_host = match redirect_uri.host_str()? {
        "127.0.0.1" | "localhost" => "127.0.0.1",
        "[::1]" => "::1",
        _ => return None,
    };
    match (redirect_uri.scheme(), redirect_uri.port()) {
        ("http", Some(port)) => Some((bind_host, port)),
        _ => None,
    }
}

/// The request target of `GET <target> HTTP/1.x`, reading at most 16 KiB of head.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let read = async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .ok()??;
    let head = std::str::from_utf8(&buf).ok()?;
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    (method == "GET").then(|| target.to_owned())
}

async fn respond(stream: &mut TcpStream, status: u16, message: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>connstr</title></head>\
         <body style=\"font-family:sans-serif\"><p>{message}</p></body></html>"
    );
    let resp = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(resp.as_bytes()).await;
    let _ = stream.shutdown().await;
}

impl TokenSource {
    /// Start an interactive login for an authorization code plan with AuthURI:
    /// binds the loopback listener; open [`LoginSession::authorize_url`] in a
    /// browser, then pass the session to [`TokenSource::finish_login`].
    pub async fn start_login(&self) -> Result<LoginSession, GrantError> {
        match self.grant() {
            Grant::AuthorizationCode {
                client,
                redirect_uri,
                auth_uri: Some(auth_uri),
                pkce,
                ..
            } => {
                // PKCE costs nothing and protects the code: use it whenever the
                // plan asks, and for public clients always.
                let pkce = *pkce || client.secret.is_none();
                LoginSession::start(auth_uri, &client.id, redirect_uri, self.scope(), pkce).await
            }
            _ => Err(GrantError::Unsupported(
                "interactive login (needs AuthenticationMethod=OAuth2-AuthorizationCode or OAuth2-PKCE with AuthURI)",
            )),
        }
    }

    /// Wait for the redirect, exchange the code, store the tokens (the refresh
    /// token durably) and make the access token current.
    pub async fn finish_login(
        &self,
        session: LoginSession,
        timeout: Duration,
    ) -> Result<Arc<Token>, GrantError> {
        let got = session.wait(timeout).await?;
        tracing::debug!("login: exchanging the authorization code");
        self.exchange_code(&got).await
    }

    /// Finish a paste login: take the code from what was pasted (see
    /// [`LoginSession::code_from_pasted`]), exchange it with exactly
    /// RedirectURI, store the tokens (the refresh token durably) and make the
    /// access token current.
    pub async fn finish_pasted_login(
        &self,
        session: &LoginSession,
        pasted: &str,
    ) -> Result<Arc<Token>, GrantError> {
        let got = session.code_from_pasted(pasted)?;
        tracing::debug!("login: exchanging the pasted authorization code");
        self.exchange_code(&got).await
    }

    /// Exchange a code obtained elsewhere, store and install the tokens.
    pub async fn exchange_code(&self, got: &AuthorizationCode) -> Result<Arc<Token>, GrantError> {
        let Some((client, endpoint)) = self.grant().client().zip(self.grant().endpoint()) else {
            return Err(GrantError::NotOAuth);
        };
        let token = self
            .token_client()
            .request_token(
                endpoint,
                client,
                &GrantParams::AuthorizationCode {
                    code: &got.code,
                    redirect_uri: &got.redirect_uri,
                    code_verifier: got.code_verifier.as_ref(),
                },
                self.scope(),
            )
            .await?;
        self.install(token).await
    }
}
