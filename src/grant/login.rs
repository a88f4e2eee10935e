//! The interactive authorization code grant (RFC 6749 §4.1) with PKCE S256
//! (RFC 7636) and a loopback redirect listener (RFC 8252 §7.3).

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

/// One interactive login in progress: the loopback listener is bound, the
/// authorization URL is ready to open in a browser.
#[derive(Debug)]
pub struct LoginSession {
    listener: TcpListener,
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
    /// Bind RedirectURI's loopback port and build the authorization URL.
    ///
    /// RedirectURI must be `http://127.0.0.1:PORT/…`, `http://localhost:PORT/…`
    /// or `http://[::1]:PORT/…`; port 0 picks a free port (the URL is updated).
    pub async fn start(
        auth_uri: &Url,
        client_id: &str,
        redirect_uri: &Url,
        scope: &[String],
        pkce: bool,
    ) -> Result<Self, GrantError> {
        let host = redirect_uri.host_str().unwrap_or_default();
        let bind_host = match host {
            "127.0.0.1" | "localhost" => "127.0.0.1",
            "[::1]" => "::1",
            _ => return Err(GrantError::Login(LoginProblem::RedirectNotLoopback)),
        };
        let port = match (redirect_uri.scheme(), redirect_uri.port()) {
            ("http", Some(p)) => p,
            _ => return Err(GrantError::Login(LoginProblem::RedirectNotLoopback)),
        };
        let listener = TcpListener::bind((bind_host, port))
            .await
            .map_err(|e| GrantError::Login(LoginProblem::Bind(e.to_string())))?;
        let mut redirect_uri = redirect_uri.clone();
        if port == 0 {
            let actual = listener
                .local_addr()
                .map_err(|e| GrantError::Login(LoginProblem::Bind(e.to_string())))?
                .port();
            let _ = redirect_uri.set_port(Some(actual));
        }
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
        tracing::info!(
            redirect_uri = %super::request::log_url(&redirect_uri),
            port = redirect_uri.port().unwrap_or_default(),
            pkce = verifier.is_some(),
            "login: listening for the browser's redirect"
        );
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

    /// Wait for the browser to come back to the redirect URI, check `state`,
    /// answer a small page, return the code.
    pub async fn wait(self, timeout: Duration) -> Result<AuthorizationCode, GrantError> {
        match tokio::time::timeout(timeout, self.accept_loop()).await {
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

    async fn accept_loop(&self) -> Result<AuthorizationCode, GrantError> {
        loop {
            let Ok((mut stream, peer)) = self.listener.accept().await else {
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
            let param = |name: &str| {
                url.query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            if param("state").as_deref() != Some(self.state.as_str()) {
                tracing::warn!("login: the redirect's state does not match: refused");
                respond(
                    &mut stream,
                    400,
                    "Login failed: the state does not match. Start the login again.",
                )
                .await;
                return Err(GrantError::Login(LoginProblem::StateMismatch));
            }
            tracing::debug!("login: redirect arrived, state verified");
            if let Some(err) = param("error") {
                if tracing::enabled!(tracing::Level::DEBUG) {
                    // Standard codes only: any other text is the server's.
                    let code = OAuthErrorCode::parse(&err);
                    let shown = match &code {
                        OAuthErrorCode::Other(_) => "(non-standard code)",
                        known => known.as_str(),
                    };
                    tracing::debug!(error = shown, "login: the authorization server refused");
                }
                respond(
                    &mut stream,
                    400,
                    "Login failed: the authorization server refused. You can close this tab.",
                )
                .await;
                return Err(GrantError::Login(LoginProblem::Denied {
                    code: OAuthErrorCode::parse(&err),
                    description: param("error_description").map(|d| sanitize(&d, 300)),
                }));
            }
            let Some(code) = param("code").filter(|c| !c.is_empty()) else {
                tracing::debug!("login: the redirect carried no code");
                respond(
                    &mut stream,
                    400,
                    "Login failed: no authorization code. You can close this tab.",
                )
                .await;
                return Err(GrantError::Login(LoginProblem::NoCode));
            };
            tracing::debug!(
                pkce = self.verifier.is_some(),
                "login: authorization code received"
            );
            respond(
                &mut stream,
                200,
                "Login complete. You can close this tab and return to connstr.",
            )
            .await;
            return Ok(AuthorizationCode {
                code: Secret::new(code),
                code_verifier: self.verifier.clone(),
                redirect_uri: self.redirect_uri.clone(),
            });
        }
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
