//! Sending token requests: a small client trait, its reqwest implementation,
//! and the retry loop.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::error::{GrantError, OAuthErrorCode};
use super::request::{
    GrantParams, PrepareOptions, TokenRequest, log_url, method_str, param_names, prepare,
    scrubber_of,
};
use super::response::{HttpResponse, ResponseContext, Token, parse_response};
use crate::plan::{Client, HttpMethod, TokenEndpoint, Transport};
use crate::secret::Secret;

/// A boxed, sendable future (what [`HttpClient::send`] returns).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends one [`TokenRequest`] and returns the response. Implemented for reqwest
/// by [`ReqwestClient`]; tests implement it to count or record requests.
///
/// Implementations must not follow redirects and must stop reading the body
/// after `body_limit` bytes ([`GrantError::BodyTooLarge`]).
pub trait HttpClient: Send + Sync {
    /// Send the request.
    fn send<'a>(
        &'a self,
        request: &'a TokenRequest,
        body_limit: usize,
    ) -> BoxFuture<'a, Result<HttpResponse, GrantError>>;
}

/// Connect and total timeouts for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP + TLS connect.
    pub connect: Duration,
    /// The whole request, connect to last body byte.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            total: Duration::from_secs(30),
        }
    }
}

/// [`HttpClient`] over reqwest: rustls, redirects off, timeouts on, and the
/// plan's transport settings (proxy, TLS, WSTimeout) when made by
/// [`ReqwestClient::for_transport`].
#[derive(Clone, Debug)]
pub struct ReqwestClient {
    client: reqwest::Client,
    timeouts: Timeouts,
    transport: Arc<Transport>,
}

impl ReqwestClient {
    /// A client with these timeouts and no transport settings.
    pub fn new(timeouts: Timeouts) -> Result<Self, GrantError> {
        let transport = Transport::default();
        let client = crate::transport::client_builder(&transport)?
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.total)
            .user_agent(concat!("connstr/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| network_error(&e))?;
        Ok(ReqwestClient {
            client,
            timeouts,
            transport: Arc::new(transport),
        })
    }

    /// A client for a plan's transport settings: proxy, TLS, WSTimeout
    /// (none when WSTimeout=0).
    pub fn for_transport(transport: &Transport) -> Result<Self, GrantError> {
        let client = crate::transport::client(transport)?;
        Ok(ReqwestClient {
            client,
            timeouts: Timeouts {
                connect: crate::transport::CONNECT_TIMEOUT,
                total: transport.timeout.unwrap_or(Duration::MAX),
            },
            transport: Arc::new(transport.clone()),
        })
    }

    async fn send_inner(
        &self,
        request: &TokenRequest,
        body_limit: usize,
    ) -> Result<HttpResponse, GrantError> {
        let method = match request.method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
        };
        let mut rb = self.client.request(method, request.url.clone());
        for h in &request.headers {
            rb = rb.header(h.name, h.value.as_str());
        }
        if let Some(body) = &request.body {
            rb = rb.body(body.clone());
        }
        let mut resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => return Err(self.map_error(&e, &request.url).await),
        };
        let status = resp.status().as_u16();
        let proxy_headers = (self.transport.proxy.is_some() && matches!(status, 401 | 407))
            .then(|| resp.headers().clone());
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        if resp.content_length().is_some_and(|l| l > body_limit as u64) {
            return Err(GrantError::BodyTooLarge { limit: body_limit });
        }
        let mut body = Vec::new();
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => {
                    // A proxy's refusal may be cut short by a reset (it
                    // closes without reading the request body).
                    if let Some(h) = &proxy_headers
                        && let Some(t) =
                            crate::transport::refusal(&self.transport, &request.url, status, h)
                                .await
                    {
                        return Err(t.into());
                    }
                    return Err(self.map_error(&e, &request.url).await);
                }
            };
            if body.len() + chunk.len() > body_limit {
                return Err(GrantError::BodyTooLarge { limit: body_limit });
            }
            body.extend_from_slice(&chunk);
        }
        // Through a proxy, a 401/407 may be the proxy's refusal of ProxyUser's
        // credentials; a 401 carrying an OAuth error is the endpoint's.
        if let Some(h) = proxy_headers
            && !(status == 401 && is_oauth_error(&body))
            && let Some(e) =
                crate::transport::refusal(&self.transport, &request.url, status, &h).await
        {
            return Err(e.into());
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    async fn map_error(&self, e: &reqwest::Error, url: &url::Url) -> GrantError {
        if let Some(t) = crate::transport::explain(e, url, &self.transport).await {
            t.into()
        } else if e.is_timeout() {
            GrantError::Timeout(self.timeouts.total)
        } else {
            network_error(e)
        }
    }
}

impl HttpClient for ReqwestClient {
    fn send<'a>(
        &'a self,
        request: &'a TokenRequest,
        body_limit: usize,
    ) -> BoxFuture<'a, Result<HttpResponse, GrantError>> {
        Box::pin(self.send_inner(request, body_limit))
    }
}

/// A body that is an OAuth error response (`{"error": "..."}`, RFC 6749 §5.2).
fn is_oauth_error(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .is_some_and(|v| v.get("error").is_some_and(serde_json::Value::is_string))
}

/// The error chain of a reqwest error, without the URL (it may hold a secret).
fn network_error(e: &reqwest::Error) -> GrantError {
    use std::error::Error as _;
    let mut message = String::new();
    let mut cur: Option<&dyn std::error::Error> = e.source();
    while let Some(err) = cur {
        let s = err.to_string();
        if !s.is_empty() && !message.contains(&s) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&s);
        }
        cur = err.source();
    }
    if message.is_empty() {
        message = if e.is_connect() {
            "connection failed".to_owned()
        } else if e.is_builder() {
            "invalid request".to_owned()
        } else {
            "request failed".to_owned()
        };
    }
    GrantError::Network { message }
}

/// When to retry a failed token request.
///
/// Only network errors, timeouts, 408, 429, 5xx and `temporarily_unavailable`
/// are retried, with jittered exponential backoff, honouring `Retry-After`,
/// within `max_attempts` and `max_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (1 = no retry).
    pub max_attempts: u32,
    /// Backoff before the first retry (doubled each time, then jittered to 50–100 %).
    pub initial_backoff: Duration,
    /// Cap on one backoff.
    pub max_backoff: Duration,
    /// No retry starts after this much time since the first attempt; a wait
    /// (including `Retry-After`) that would end past it is not taken.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_total: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(retry.min(30)).unwrap_or(u32::MAX))
            .min(self.max_backoff);
        // Equal jitter: between half and all of it.
        let frac = (getrandom::u32().unwrap_or(u32::MAX / 2) as f64) / (u32::MAX as f64);
        exp.mul_f64(0.5 + 0.5 * frac)
    }
}

/// Whether an error is worth another attempt.
pub(crate) fn is_retryable(e: &GrantError) -> bool {
    match e {
        GrantError::Network { .. } | GrantError::Timeout(_) => true,
        GrantError::Status { status, .. } => matches!(status, 408 | 429 | 500..=599),
        GrantError::OAuth { code, status, .. } => match code {
            OAuthErrorCode::TemporarilyUnavailable | OAuthErrorCode::ServerError => true,
            OAuthErrorCode::Other(_) => matches!(status, 429 | 500..=599),
            _ => false,
        },
        _ => false,
    }
}

/// `Retry-After`: delay-seconds or an IMF-fixdate.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let rest = v.split_once(", ")?.1;
    let parts: Vec<&str> = rest.split(' ').collect();
    if parts.len() != 5 || parts[4] != "GMT" {
        return None;
    }
    let day: i64 = parts[0].parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == parts[1])? as i64
        + 1;
    let year: i64 = parts[2].parse().ok()?;
    let hms: Vec<i64> = parts[3]
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if hms.len() != 3 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let at = days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2];
    let now = now.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs() as i64;
    Some(Duration::from_secs((at - now).max(0) as u64))
}

/// Runs grants against token endpoints: prepares the request, sends it through
/// an [`HttpClient`], retries what is safe, parses the answer.
///
/// ```no_run
/// # async fn demo() -> Result<(), connstr::grant::GrantError> {
/// use connstr::grant::{GrantParams, TokenClient};
/// use connstr::plan::{Client, ClientCredentialsMode, HttpMethod, TokenEndpoint};
/// use connstr::Secret;
///
/// let tc = TokenClient::new()?;
/// let endpoint = TokenEndpoint { method: HttpMethod::Post, url: "https://as.example/token".parse().unwrap() };
/// let client = Client { id: "app".into(), secret: Some(Secret::new("…")), mode: ClientCredentialsMode::Basic };
/// let token = tc.request_token(&endpoint, &client, &GrantParams::ClientCredentials, &[]).await?;
/// # let _ = token; Ok(()) }
/// ```
#[derive(Clone)]
pub struct TokenClient {
    http: Arc<dyn HttpClient>,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Largest response body read, in bytes (default 256 KiB).
    pub body_limit: usize,
    /// Request building options.
    pub prepare: PrepareOptions,
}

impl std::fmt::Debug for TokenClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenClient")
            .field("retry", &self.retry)
            .field("body_limit", &self.body_limit)
            .field("prepare", &self.prepare)
            .finish_non_exhaustive()
    }
}

/// Default response body cap.
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

impl TokenClient {
    /// reqwest with default timeouts and retry policy.
    pub fn new() -> Result<Self, GrantError> {
        Ok(Self::with_http(Arc::new(ReqwestClient::new(
            Timeouts::default(),
        )?)))
    }

    /// reqwest with a plan's transport settings (proxy, TLS, WSTimeout) and
    /// WSRetryCount as the number of retries.
    ///
    /// ```
    /// use connstr::grant::TokenClient;
    /// use connstr::plan::Transport;
    /// let t = Transport { retry_count: Some(0), ..Transport::default() };
    /// assert_eq!(TokenClient::for_transport(&t).unwrap().retry.max_attempts, 1);
    /// ```
    pub fn for_transport(transport: &Transport) -> Result<Self, GrantError> {
        let mut tc = Self::with_http(Arc::new(ReqwestClient::for_transport(transport)?));
        if let Some(n) = transport.retry_count {
            tc.retry.max_attempts = n.saturating_add(1);
        }
        if transport.timeout_set {
            // Room for every attempt to use its WSTimeout.
            let per = transport.timeout.unwrap_or(Duration::from_secs(3600));
            tc.retry.max_total = tc
                .retry
                .max_total
                .max(per.saturating_mul(tc.retry.max_attempts));
        }
        Ok(tc)
    }

    /// Any [`HttpClient`], default retry policy.
    pub fn with_http(http: Arc<dyn HttpClient>) -> Self {
        TokenClient {
            http,
            retry: RetryPolicy::default(),
            body_limit: DEFAULT_BODY_LIMIT,
            prepare: PrepareOptions::default(),
        }
    }

    /// Run one grant: prepare, send (with retries), parse.
    pub async fn request_token(
        &self,
        endpoint: &TokenEndpoint,
        client: &Client,
        grant: &GrantParams<'_>,
        scope: &[String],
    ) -> Result<Token, GrantError> {
        let request = prepare(endpoint, client, grant, scope, &self.prepare);
        let ctx = ResponseContext {
            method: endpoint.method,
            url: &request.url,
            mode: client.mode,
            has_secret: client.secret.is_some(),
            grant_type: grant.grant_type(),
            scrubber: scrubber_of(client, grant),
        };
        self.send_with_retries(&request, &ctx, None).await
    }

    /// Run the JWT bearer grant (RFC 7523): like [`TokenClient::request_token`],
    /// but `sign` makes a new assertion for every attempt, so a retried request
    /// (after a network error, a 5xx or a 429) carries a new `jti` too and a
    /// server that refuses a replayed `jti` accepts the retry.
    pub async fn request_token_signed(
        &self,
        endpoint: &TokenEndpoint,
        client: &Client,
        send_client_id: bool,
        sign: &(dyn Fn() -> Result<Secret, GrantError> + Sync),
        scope: &[String],
    ) -> Result<Token, GrantError> {
        let first = sign()?;
        let grant = GrantParams::JwtBearer {
            assertion: &first,
            send_client_id,
        };
        let request = prepare(endpoint, client, &grant, scope, &self.prepare);
        let ctx = ResponseContext {
            method: endpoint.method,
            url: &request.url,
            mode: client.mode,
            has_secret: client.secret.is_some(),
            grant_type: grant.grant_type(),
            scrubber: scrubber_of(client, &grant),
        };
        let remake = || -> Result<TokenRequest, GrantError> {
            let assertion = sign()?;
            let grant = GrantParams::JwtBearer {
                assertion: &assertion,
                send_client_id,
            };
            Ok(prepare(endpoint, client, &grant, scope, &self.prepare))
        };
        self.send_with_retries(&request, &ctx, Some(&remake)).await
    }

    /// Send `request`, retrying as the policy says; `remake`, when given,
    /// builds the request anew for every retry (a new JWT assertion).
    async fn send_with_retries(
        &self,
        request: &TokenRequest,
        ctx: &ResponseContext<'_>,
        remake: Option<&(dyn Fn() -> Result<TokenRequest, GrantError> + Sync)>,
    ) -> Result<Token, GrantError> {
        // What a log line may show: the endpoint without user info or query,
        // parameter names (never values), how the client authenticates.
        let endpoint = log_url(&request.url);
        let method = method_str(request.method);
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut remade: Option<TokenRequest> = None;
        loop {
            attempt += 1;
            if attempt > 1
                && let Some(make) = remake
            {
                remade = Some(make()?);
            }
            let request = remade.as_ref().unwrap_or(request);
            tracing::debug!(
                grant_type = ctx.grant_type,
                method,
                endpoint = %endpoint,
                query_params = %param_names(request.url.query().unwrap_or_default()),
                body_params = %param_names(request.body.as_deref().unwrap_or_default()),
                client_auth = ?ctx.mode,
                public_client = !ctx.has_secret,
                basic_header = request.header("authorization").is_some(),
                attempt,
                "sending token request"
            );
            let sent_at = SystemTime::now();
            let sent = Instant::now();
            let (result, retry_after) = match self.http.send(request, self.body_limit).await {
                Ok(resp) => {
                    let elapsed_ms = sent.elapsed().as_millis() as u64;
                    let ra = resp
                        .header("retry-after")
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    let parsed = parse_response(&resp, sent_at, ctx);
                    let (refresh_token, expires_in) = match &parsed {
                        Ok(t) => (
                            t.refresh_token.is_some(),
                            t.expires_at
                                .and_then(|at| at.duration_since(sent_at).ok())
                                .map(|d| d.as_secs()),
                        ),
                        Err(_) => (false, None),
                    };
                    tracing::info!(
                        grant_type = ctx.grant_type,
                        method,
                        endpoint = %endpoint,
                        attempt,
                        status = resp.status,
                        elapsed_ms,
                        ok = parsed.is_ok(),
                        "token request"
                    );
                    tracing::debug!(
                        status = resp.status,
                        body_bytes = resp.body.len(),
                        refresh_token_issued = refresh_token,
                        expires_in_s = expires_in,
                        retry_after_s = ra.map(|d| d.as_secs()),
                        "token response"
                    );
                    if tracing::enabled!(tracing::Level::TRACE) {
                        let names: Vec<&str> =
                            resp.headers.iter().map(|(n, _)| n.as_str()).collect();
                        let content_type = resp
                            .header("content-type")
                            .map(|c| super::error::sanitize(&ctx.scrubber.scrub(c), 80));
                        tracing::trace!(
                            headers = %names.join(","),
                            content_type = content_type.as_deref().unwrap_or("none"),
                            "token response details"
                        );
                    }
                    (parsed, ra)
                }
                Err(e) => {
                    tracing::info!(
                        grant_type = ctx.grant_type,
                        method,
                        endpoint = %endpoint,
                        attempt,
                        elapsed_ms = sent.elapsed().as_millis() as u64,
                        reason = retry_reason(&e),
                        "token request failed to send"
                    );
                    (Err(e), None)
                }
            };
            let err = match result {
                Ok(token) => return Ok(token),
                Err(e) => e,
            };
            let give_up = |err: GrantError| {
                if attempt > 1 {
                    GrantError::RetriesExhausted {
                        attempts: attempt,
                        last: Box::new(err),
                    }
                } else {
                    err
                }
            };
            // Server-provided text in the error is scrubbed already; once more
            // here, as for everything logged.
            let shown = ctx.scrubber.scrub(&err.to_string()).into_owned();
            if !is_retryable(&err) {
                tracing::debug!(attempt, error = %shown, "token request failed; not retryable");
                return Err(err);
            }
            if attempt >= self.retry.max_attempts {
                tracing::warn!(
                    attempts = attempt,
                    error = %shown,
                    "token request failed; giving up (attempts exhausted)"
                );
                return Err(give_up(err));
            }
            let wait = retry_after.unwrap_or_else(|| self.retry.backoff(attempt - 1));
            if started.elapsed() + wait > self.retry.max_total {
                tracing::warn!(
                    attempts = attempt,
                    wait_ms = wait.as_millis() as u64,
                    max_total_ms = self.retry.max_total.as_millis() as u64,
                    error = %shown,
                    "token request failed; giving up (the next wait would pass the time budget)"
                );
                return Err(give_up(err));
            }
            tracing::warn!(
                attempt,
                reason = retry_reason(&err),
                error = %shown,
                backoff_ms = wait.as_millis() as u64,
                retry_after = retry_after.is_some(),
                "token request failed; retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

/// A short name for why a failed attempt is retried (for logs).
fn retry_reason(e: &GrantError) -> String {
    match e {
        GrantError::Network { .. } => "network error".to_owned(),
        GrantError::Timeout(_) => "timeout".to_owned(),
        GrantError::Status { status, .. } => format!("HTTP {status}"),
        GrantError::OAuth { code, status, .. } => match code {
            OAuthErrorCode::Other(_) => format!("HTTP {status} with an OAuth error"),
            known => format!("HTTP {status} {}", known.as_str()),
        },
        _ => "error".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:30 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn the_default_policy_is_what_explain_shows() {
        assert_eq!(
            RetryPolicy::default().max_attempts,
            crate::plan::DEFAULT_RETRY_COUNT + 1
        );
        let t = Transport::default();
        assert_eq!(t.timeout, Some(crate::plan::DEFAULT_TIMEOUT));
        assert_eq!(crate::plan::DEFAULT_TIMEOUT, Duration::from_secs(120));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
            max_total: Duration::from_secs(10),
        };
        for _ in 0..50 {
            let b0 = p.backoff(0);
            assert!(b0 >= Duration::from_millis(50) && b0 <= Duration::from_millis(100));
            let b3 = p.backoff(3);
            assert!(b3 >= Duration::from_millis(400) && b3 <= Duration::from_millis(800));
            assert!(p.backoff(40) <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn what_is_retried() {
        let oauth = |code: &str, status| GrantError::OAuth {
            code: OAuthErrorCode::parse(code),
            description: None,
            uri: None,
            status,
            hint: None,
        };
        assert!(is_retryable(&oauth("temporarily_unavailable", 503)));
        assert!(!is_retryable(&oauth("invalid_grant", 400)));
        assert!(!is_retryable(&oauth("invalid_grant", 500)));
        assert!(!is_retryable(&oauth("invalid_client", 401)));
        assert!(!is_retryable(&oauth("invalid_request", 400)));
        for s in [408, 429, 500, 502, 503] {
            assert!(is_retryable(&GrantError::Status {
                status: s,
                hint: None
            }));
        }
        for s in [400, 401, 403, 404] {
            assert!(!is_retryable(&GrantError::Status {
                status: s,
                hint: None
            }));
        }
        assert!(!is_retryable(&GrantError::Redirect { status: 302 }));
        assert!(!is_retryable(&GrantError::BodyTooLarge { limit: 1 }));
    }
}
