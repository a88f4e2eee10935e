//! Phase 5 — **apply**: puts the plan's credentials on outgoing requests and
//! hands ODBC drivers their final connection string.
//!
//! [`Authorizer`] turns an [`AuthPlan`] into headers and query parameters on an
//! [`OutgoingRequest`] (our own small type) or a [`reqwest::RequestBuilder`]:
//!
//! | method | what is added |
//! |---|---|
//! | OAuth2 (every grant) | `Authorization: Bearer <access token>`, plus AuthHeader: SecurityToken when configured |
//! | BearerToken | `Authorization: Bearer <SecurityToken>` |
//! | HttpHeader | `<AuthHeader>: <SecurityToken>` |
//! | UrlParameter | `?<AuthParam>=<SecurityToken>` |
//! | Basic | `<AuthHeader>: Basic base64(User:Password)` |
//! | Digest | nothing at first; after the server's `401` challenge, `Authorization: Digest …` on every request (RFC 7616, [`digest`]) |
//! | AWS | `Authorization: AWS4-HMAC-SHA256 …`, `x-amz-date` (Signature Version 4 over method, URL, headers and body, [`sigv4`]) |
//! | Custom | what the Model file's final `HEADER name=value` / `PARAM name=value` line says, with the credential its `#authentication` steps yielded ([`CustomSource`]) |
//! | None | nothing |
//!
//! When an API answers `401` with `WWW-Authenticate: Bearer error="invalid_token"`,
//! [`Authorizer::should_retry`] refreshes once; [`send_with_refresh`] does the
//! whole dance for reqwest. `insufficient_scope` is not fixed by refreshing.
//! For Digest the same call takes the server's challenge (or a `stale`
//! nonce's replacement) and asks for the one retry. For Custom, a status the
//! Model file maps to REAUTHENTICATE (401 by default) runs
//! `#reauthentication` (falling back to `#authentication`) and asks for the
//! one retry.

mod challenge;
pub mod digest;
#[cfg(feature = "odbc")]
pub mod odbc;
pub mod sigv4;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use base64::Engine as _;
use url::Url;

use crate::grant::{
    CustomOptions, CustomSource, CustomToken, GrantError, SourceOptions, Token, TokenSource,
};
use crate::plan::{Auth, AuthPlan, ExtraHeader, Grant, Placement};
use crate::secret::{REDACTED, Secret};

pub use challenge::BearerChallenge;
pub use challenge::bearer_challenge;
pub(crate) use challenge::challenges;

/// The apply layer's errors.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// Getting a token failed.
    #[error(transparent)]
    Grant(#[from] GrantError),
    /// A value that cannot go into an HTTP header.
    #[error("the {0} contains a control character and cannot be sent in an HTTP header")]
    InvalidHeaderValue(&'static str),
    /// The header name cannot be used by reqwest.
    #[error("`{0}` is not a valid HTTP header name")]
    InvalidHeaderName(String),
    /// The proxy or TLS settings stopped the request (names the option,
    /// never a password).
    #[error(transparent)]
    Transport(#[from] crate::transport::TransportError),
    /// Sending the API request failed (reqwest helper).
    #[error("sending the request failed: {0}")]
    Send(String),
    /// The request could not be signed (AWS).
    #[error(transparent)]
    Sign(#[from] sigv4::SignError),
}

/// A request about to be sent: method, URL, headers. The authorizer adds to it.
///
/// `Debug` redacts the values the authorizer added.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The URL (UrlParameter adds its query parameter here).
    pub url: Url,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body (signed by AWS Signature Version 4; empty for none).
    pub body: Vec<u8>,
    /// Header names whose values are secrets.
    secret_headers: Vec<String>,
    /// Query parameter names whose values are secrets.
    secret_params: Vec<String>,
}

impl OutgoingRequest {
    /// A request with no headers.
    pub fn new(method: impl Into<String>, url: Url) -> Self {
        OutgoingRequest {
            method: method.into(),
            url,
            headers: Vec::new(),
            body: Vec::new(),
            secret_headers: Vec::new(),
            secret_params: Vec::new(),
        }
    }

    /// The first value of a header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn set_secret_header(&mut self, name: &str, value: String) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value));
        self.secret_headers.push(name.to_ascii_lowercase());
    }
}

impl fmt::Debug for OutgoingRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut url = self.url.clone();
        if !self.secret_params.is_empty() {
            let pairs: Vec<(String, String)> = self
                .url
                .query_pairs()
                .map(|(k, v)| {
                    if self.secret_params.iter().any(|p| *p == k) {
                        (k.into_owned(), REDACTED.to_owned())
                    } else {
                        (k.into_owned(), v.into_owned())
                    }
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                if self.secret_headers.contains(&n.to_ascii_lowercase()) {
                    (n.as_str(), REDACTED)
                } else {
                    (n.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("OutgoingRequest")
            .field("method", &self.method)
            .field("url", &url.as_str())
            .field("headers", &headers)
            .finish()
    }
}

/// What [`Authorizer::authorize`] used, to tell later whether a 401 is worth a
/// refresh.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// The OAuth access token sent, if any.
    pub token: Option<Arc<Token>>,
    /// Whether a Digest response was sent (a 401 after it is a refusal or a
    /// stale nonce, not the first challenge).
    pub digest_sent: bool,
    /// The custom login's credential sent, if any.
    pub custom: Option<Arc<CustomToken>>,
}

/// The request being authorized, as the credentials see it.
struct Target<'a> {
    method: &'a str,
    url: &'a Url,
    headers: &'a [(String, String)],
    /// `None`: a streamed body (signed as `UNSIGNED-PAYLOAD`).
    body: Option<&'a [u8]>,
}

enum Kind {
    None,
    Static {
        headers: Vec<(String, Secret)>,
        query: Option<(String, Secret)>,
    },
    OAuth2 {
        source: TokenSource,
        extra: Option<ExtraHeader>,
        refreshable: bool,
    },
    Digest(Mutex<digest::DigestSession>),
    Aws(sigv4::AwsSigner),
    Custom(CustomSource),
}

/// Applies a plan's credentials to outgoing requests.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use connstr::Secret;
/// use connstr::apply::{Authorizer, OutgoingRequest};
/// use connstr::grant::{SourceOptions, StoreChoice};
/// use connstr::plan::{Auth, AuthMethod, AuthPlan, HeaderName};
///
/// let plan = AuthPlan {
///     method: AuthMethod::HttpHeader,
///     auth: Auth::HttpHeader { header: HeaderName::parse("X-Api-Key").unwrap(), token: Secret::new("k-123") },
///     user: None, dsn: None, provenance: Default::default(), transport: Default::default(),
/// };
/// let auth = Authorizer::new(&plan, SourceOptions { store: StoreChoice::Memory, ..Default::default() }).unwrap();
/// let mut req = OutgoingRequest::new("GET", "https://api.example/v1/items".parse().unwrap());
/// auth.authorize(&mut req).await.unwrap();
/// assert_eq!(req.header("x-api-key"), Some("k-123"));
/// assert!(!format!("{req:?}").contains("k-123"));
/// # });
/// ```
pub struct Authorizer {
    kind: Kind,
}

impl fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::None => "none",
            Kind::Static { .. } => "static",
            Kind::OAuth2 { .. } => "oauth2",
            Kind::Digest(_) => "digest",
            Kind::Aws(_) => "aws",
            Kind::Custom(_) => "custom",
        };
        f.debug_struct("Authorizer")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}

fn check_header_value(value: &str, what: &'static str) -> Result<(), ApplyError> {
    if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        Err(ApplyError::InvalidHeaderValue(what))
    } else {
        Ok(())
    }
}

impl Authorizer {
    /// An authorizer for a plan. For OAuth 2.0 plans a [`TokenSource`] is made
    /// with `options`; for Custom plans a [`CustomSource`] with default
    /// timeouts and retries (see [`Authorizer::with_custom_source`]).
    pub fn new(plan: &AuthPlan, options: SourceOptions) -> Result<Self, ApplyError> {
        let kind = match &plan.auth {
            Auth::OAuth2(_) => {
                return Self::with_source(plan, TokenSource::new(plan, options)?);
            }
            Auth::None => Kind::None,
            Auth::Basic {
                user,
                password,
                header,
            } => {
                let pair = format!("{user}:{}", password.expose());
                let value = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
                );
                Kind::Static {
                    headers: vec![(header.as_str().to_owned(), Secret::new(value))],
                    query: None,
                }
            }
            Auth::BearerToken { token } => {
                check_header_value(token.expose(), "SecurityToken")?;
                Kind::Static {
                    headers: vec![(
                        "Authorization".to_owned(),
                        Secret::new(format!("Bearer {}", token.expose())),
                    )],
                    query: None,
                }
            }
            Auth::HttpHeader { header, token } => {
                check_header_value(token.expose(), "SecurityToken")?;
                Kind::Static {
                    headers: vec![(header.as_str().to_owned(), token.clone())],
                    query: None,
                }
            }
            Auth::UrlParameter { param, token } => Kind::Static {
                headers: vec![],
                query: Some((param.clone(), token.clone())),
            },
            Auth::Digest { user, password } => Kind::Digest(Mutex::new(
                digest::DigestSession::new(user, password.clone()),
            )),
            Auth::Aws {
                access_key,
                secret_key,
                region,
            } => Kind::Aws(sigv4::AwsSigner::new(
                access_key,
                secret_key.clone(),
                region,
            )),
            Auth::Custom(c) => Kind::Custom(CustomSource::from_custom(
                c,
                CustomOptions::for_transport(&plan.transport),
            )?),
        };
        tracing::debug!(
            method = plan.method.name(),
            static_credentials = matches!(kind, Kind::Static { .. }),
            "authorizer ready"
        );
        Ok(Authorizer { kind })
    }

    /// An authorizer for an OAuth 2.0 plan using an existing token source
    /// (share one source between authorizers to share its cache).
    pub fn with_source(plan: &AuthPlan, source: TokenSource) -> Result<Self, ApplyError> {
        let Auth::OAuth2(o) = &plan.auth else {
            return Err(ApplyError::Grant(GrantError::NotOAuth));
        };
        if let Some(x) = &o.extra_header {
            check_header_value(x.value.expose(), "SecurityToken")?;
        }
        let refreshable = !matches!(o.grant, Grant::AccessToken { refresh: None, .. });
        tracing::debug!(
            grant = o.grant.name(),
            refreshable,
            extra_header = o.extra_header.is_some(),
            "authorizer ready (OAuth 2.0)"
        );
        Ok(Authorizer {
            kind: Kind::OAuth2 {
                source,
                extra: o.extra_header.clone(),
                refreshable,
            },
        })
    }

    /// An authorizer for a Custom plan using an existing [`CustomSource`]
    /// (share one source between authorizers to share its login).
    pub fn with_custom_source(source: CustomSource) -> Self {
        tracing::debug!("authorizer ready (custom login)");
        Authorizer {
            kind: Kind::Custom(source),
        }
    }

    /// The custom login, for Custom plans.
    pub fn custom_source(&self) -> Option<&CustomSource> {
        match &self.kind {
            Kind::Custom(source) => Some(source),
            _ => None,
        }
    }

    /// The token source, for OAuth 2.0 plans.
    pub fn token_source(&self) -> Option<&TokenSource> {
        match &self.kind {
            Kind::OAuth2 { source, .. } => Some(source),
            _ => None,
        }
    }

    /// What to add: headers (name, value) and a query parameter.
    #[allow(clippy::type_complexity)]
    async fn credentials(
        &self,
        target: Target<'_>,
    ) -> Result<(Vec<(String, String)>, Option<(String, String)>, Applied), ApplyError> {
        match &self.kind {
            Kind::Digest(session) => {
                let uri = request_target(target.url);
                let value = session
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .authorization(target.method, &uri);
                let digest_sent = value.is_some();
                Ok((
                    value
                        .map(|v| vec![("Authorization".to_owned(), v)])
                        .unwrap_or_default(),
                    None,
                    Applied {
                        digest_sent,
                        ..Applied::default()
                    },
                ))
            }
            Kind::Aws(signer) => {
                let headers = signer.sign(
                    target.method,
                    target.url,
                    target.headers,
                    target.body,
                    SystemTime::now(),
                )?;
                Ok((headers, None, Applied::default()))
            }
            Kind::None => Ok((vec![], None, Applied::default())),
            Kind::Custom(source) => {
                let t = source.credential().await?;
                let applied = Applied {
                    custom: Some(Arc::clone(&t)),
                    ..Applied::default()
                };
                Ok(match t.placement {
                    Placement::Header => {
                        check_header_value(t.value.expose(), "custom login credential")?;
                        (
                            vec![(t.name.clone(), t.value.expose().to_owned())],
                            None,
                            applied,
                        )
                    }
                    Placement::Param => (
                        vec![],
                        Some((t.name.clone(), t.value.expose().to_owned())),
                        applied,
                    ),
                })
            }
            Kind::Static { headers, query } => Ok((
                headers
                    .iter()
                    .map(|(n, v)| (n.clone(), v.expose().to_owned()))
                    .collect(),
                query
                    .as_ref()
                    .map(|(n, v)| (n.clone(), v.expose().to_owned())),
                Applied::default(),
            )),
            Kind::OAuth2 { source, extra, .. } => {
                let token = source.token().await?;
                check_header_value(token.access_token.expose(), "access token")?;
                let mut headers = vec![(
                    "Authorization".to_owned(),
                    format!("Bearer {}", token.access_token.expose()),
                )];
                if let Some(x) = extra {
                    headers.push((x.name.as_str().to_owned(), x.value.expose().to_owned()));
                }
                Ok((
                    headers,
                    None,
                    Applied {
                        token: Some(token),
                        ..Applied::default()
                    },
                ))
            }
        }
    }

    /// Add the credentials to `request` (getting or refreshing a token first
    /// for OAuth 2.0).
    pub async fn authorize(&self, request: &mut OutgoingRequest) -> Result<Applied, ApplyError> {
        let (headers, query, applied) = self
            .credentials(Target {
                method: &request.method,
                url: &request.url,
                headers: &request.headers,
                body: Some(&request.body),
            })
            .await?;
        log_applied(&headers, query.as_ref());
        for (n, v) in headers {
            request.set_secret_header(&n, v);
        }
        if let Some((n, v)) = query {
            request.url.query_pairs_mut().append_pair(&n, &v);
            request.secret_params.push(n);
        }
        Ok(applied)
    }

    /// Add the credentials to a reqwest request (headers marked sensitive).
    ///
    /// The request is built to be seen whole (AWS signs method, URL, headers
    /// and body); a builder that does not build gives [`ApplyError::Send`].
    pub async fn authorize_reqwest(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<(reqwest::RequestBuilder, Applied), ApplyError> {
        let (client, request) = builder.build_split();
        let mut request = request.map_err(|e| send_error(&e))?;
        let header_list: Vec<(String, String)> = request
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let (headers, query, applied) = self
            .credentials(Target {
                method: request.method().as_str(),
                url: request.url(),
                headers: &header_list,
                body: match request.body() {
                    None => Some(&[]),
                    Some(b) => b.as_bytes(),
                },
            })
            .await?;
        log_applied(&headers, query.as_ref());
        for (n, v) in headers {
            let name = reqwest::header::HeaderName::from_bytes(n.as_bytes())
                .map_err(|_| ApplyError::InvalidHeaderName(n.clone()))?;
            let mut value = reqwest::header::HeaderValue::from_str(&v)
                .map_err(|_| ApplyError::InvalidHeaderValue("credential"))?;
            value.set_sensitive(true);
            request.headers_mut().insert(name, value);
        }
        if let Some((n, v)) = query {
            request.url_mut().query_pairs_mut().append_pair(&n, &v);
        }
        Ok((
            reqwest::RequestBuilder::from_parts(client, request),
            applied,
        ))
    }

    /// After an API answered `status` with this `WWW-Authenticate` header to a
    /// request authorized as `applied`: refresh the token if that can help.
    /// Returns `true` when the request should be sent once more.
    ///
    /// Refreshes on `401` with `error="invalid_token"`, or with no Bearer
    /// error code at all (many APIs send a bare 401 for an expired token);
    /// never for `insufficient_scope`, `invalid_request`, other statuses, or
    /// credentials that cannot be renewed. A custom login logs in again on
    /// the statuses its Model file maps to REAUTHENTICATE (401 by default).
    pub async fn should_retry(
        &self,
        applied: &Applied,
        status: u16,
        www_authenticate: Option<&str>,
    ) -> Result<bool, ApplyError> {
        if let Kind::Digest(session) = &self.kind {
            return Ok(digest_retry(session, applied, status, www_authenticate));
        }
        if let Kind::Custom(source) = &self.kind {
            let Some(sent) = &applied.custom else {
                return Ok(false);
            };
            if !source.reauthenticate_on().contains(&status) {
                return Ok(false);
            }
            tracing::debug!(
                status,
                "REAUTHENTICATE: running the custom login's #reauthentication and retrying once"
            );
            source.reauthenticate(sent).await?;
            return Ok(true);
        }
        let Kind::OAuth2 {
            source,
            refreshable,
            ..
        } = &self.kind
        else {
            return Ok(false);
        };
        if status != 401 || !*refreshable {
            if status == 401 {
                tracing::debug!("401, and the access token cannot be renewed: no retry");
            }
            return Ok(false);
        }
        let error = www_authenticate
            .and_then(bearer_challenge)
            .and_then(|c| c.error);
        // Standard codes only in the log: any other text is the server's.
        let shown = match error.as_deref() {
            None => "(none)",
            Some(c @ ("invalid_token" | "invalid_request" | "insufficient_scope")) => c,
            Some(_) => "(non-standard)",
        };
        if !matches!(error.as_deref(), None | Some("invalid_token")) {
            tracing::debug!(error = shown, "401 that a new token does not fix: no retry");
            return Ok(false);
        }
        let Some(sent) = &applied.token else {
            return Ok(false);
        };
        tracing::debug!(
            error = shown,
            "401: the access token was rejected; refreshing and retrying once"
        );
        source.refresh_rejected(&sent.access_token).await?;
        Ok(true)
    }
}

/// Digest after a response: take the first challenge, or a stale nonce's
/// replacement, and retry; a refusal of a response we sent is final.
fn digest_retry(
    session: &Mutex<digest::DigestSession>,
    applied: &Applied,
    status: u16,
    www_authenticate: Option<&str>,
) -> bool {
    if status != 401 {
        return false;
    }
    let Some(challenge) = www_authenticate.and_then(digest::digest_challenge) else {
        tracing::debug!("401 without a Digest challenge we can answer: no retry");
        return false;
    };
    if applied.digest_sent && !challenge.stale {
        tracing::debug!("401 to our Digest response (not stale): the credentials were refused");
        return false;
    }
    tracing::debug!(
        algorithm = challenge.algorithm.name(),
        stale = challenge.stale,
        "Digest challenge taken; retrying once"
    );
    session
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .set_challenge(challenge);
    true
}

/// The request target (RFC 9112 §3.2.1 origin-form) Digest hashes: path and
/// query as sent.
fn request_target(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

/// A trace event naming what was added (never a value).
fn log_applied(headers: &[(String, String)], query: Option<&(String, String)>) {
    if tracing::enabled!(tracing::Level::TRACE) {
        let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
        tracing::trace!(
            headers = %names.join(","),
            query_param = query.map(|(n, _)| n.as_str()),
            "credentials applied to the request"
        );
    }
}

/// Send a reqwest request built by `make` with credentials; if the API answers
/// `401` with `invalid_token` (see [`Authorizer::should_retry`]), refresh once
/// and send once more. `make` is called once or twice.
pub async fn send_with_refresh(
    authorizer: &Authorizer,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> Result<reqwest::Response, ApplyError> {
    let (rb, applied) = authorizer.authorize_reqwest(make()).await?;
    let resp = rb.send().await.map_err(|e| send_error(&e))?;
    let www = resp
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if !authorizer
        .should_retry(&applied, resp.status().as_u16(), www.as_deref())
        .await?
    {
        return Ok(resp);
    }
    let (rb, _) = authorizer.authorize_reqwest(make()).await?;
    rb.send().await.map_err(|e| send_error(&e))
}

/// The error chain without the URL (UrlParameter puts a token in it).
fn send_error(e: &reqwest::Error) -> ApplyError {
    ApplyError::Send(error_chain(e))
}

/// A reqwest error's causes joined with `: `, without the request URL, which
/// may carry a token (UrlParameter): for messages about a failed data request.
///
/// ```no_run
/// # async fn demo() {
/// if let Err(e) = reqwest::get("http://127.0.0.1:9/").await {
///     let message = connstr::apply::error_chain(&e);
///     assert!(!message.contains("127.0.0.1:9/"));
/// }
/// # }
/// ```
pub fn error_chain(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = e.source();
    while let Some(err) = cur {
        let s = err.to_string();
        if !s.is_empty() && !parts.contains(&s) {
            parts.push(s);
        }
        cur = err.source();
    }
    if e.is_timeout() {
        parts.insert(0, "timed out".to_owned());
    }
    if parts.is_empty() {
        parts.push("request failed".to_owned());
    }
    parts.join(": ")
}
