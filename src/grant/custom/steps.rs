//! Running one `#authentication` / `#reauthentication` entry: each request in
//! order (headers, JSON body, request line filled in), with bounded retries
//! for what may pass (network trouble, 408, 429, 5xx), each JSON response kept
//! for the `{/path}` values of later steps; then the final HEADER/PARAM line
//! filled in from those responses.
//!
//! Logs name the entry, the step as written in the Model file, the status and
//! the header names: never a filled-in value, a body or a URL query.

use std::time::{Duration, Instant, SystemTime};

use super::error::{CustomFailure, CustomProblem, FlowKind};
use super::template::{Place, Values, header_safe};
use crate::Secret;
use crate::grant::RetryPolicy;
use crate::grant::http::parse_retry_after;
use crate::plan::{CustomCredential, CustomFlow, CustomPlan, CustomRequest};

/// How requests are sent.
#[derive(Clone, Debug)]
pub(crate) struct Sender {
    pub(crate) http: reqwest::Client,
    pub(crate) retry: RetryPolicy,
    pub(crate) body_limit: usize,
    pub(crate) timeout: Duration,
    /// For naming the transport option when a request fails because of it.
    pub(crate) transport: std::sync::Arc<crate::plan::Transport>,
}

/// What an entry produced.
pub(crate) struct FlowOutcome {
    /// Every JSON response known after it, oldest first (the earlier
    /// entry's, then this one's).
    pub(crate) responses: Vec<serde_json::Value>,
    /// The credential value for data requests.
    pub(crate) credential: Secret,
    /// Requests sent (retries included).
    pub(crate) sent: u32,
}

/// One response, read.
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

impl Sender {
    /// Run `flow` (of kind `kind`) with the responses of an earlier entry
    /// (`prior`), and fill in `credential` from what it received.
    pub(crate) async fn run(
        &self,
        plan: &CustomPlan,
        kind: FlowKind,
        flow: &CustomFlow,
        credential: &CustomCredential,
        prior: Vec<serde_json::Value>,
    ) -> Result<FlowOutcome, CustomFailure> {
        let mut responses = prior;
        let mut sent = 0;
        for r in &flow.requests {
            let (json, attempts) = self.step(plan, kind, r, &responses).await?;
            sent += attempts;
            responses.push(json);
        }
        let fail = |problem| CustomFailure {
            flow: kind,
            step: None,
            line: credential_line(credential),
            problem,
            attempts: 1,
        };
        let values = Values {
            plan,
            responses: &responses,
        };
        let value = values.fill_secret(&credential.value).map_err(fail)?;
        if credential.placement == crate::plan::Placement::Header && !header_safe(value.expose()) {
            return Err(fail(CustomProblem::BadHeaderValue {
                name: credential.name.clone(),
            }));
        }
        tracing::debug!(
            flow = kind.entry(),
            placement = ?credential.placement,
            name = %credential.name,
            "custom login: credential for data requests ready"
        );
        Ok(FlowOutcome {
            responses,
            credential: value,
            sent,
        })
    }

    /// Send one request (with retries); its JSON response (`null` when the
    /// body is not JSON) and the number of attempts.
    async fn step(
        &self,
        plan: &CustomPlan,
        kind: FlowKind,
        r: &CustomRequest,
        responses: &[serde_json::Value],
    ) -> Result<(serde_json::Value, u32), CustomFailure> {
        let fail = |problem, attempts| CustomFailure {
            flow: kind,
            step: Some(r.step),
            line: r.line(),
            problem,
            attempts,
        };
        let request = build(plan, r, responses).map_err(|p| fail(p, 0))?;
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            tracing::debug!(
                flow = kind.entry(),
                step = r.step,
                request = %r.line(),
                headers = %request.header_names(),
                body = request.body.is_some(),
                attempt,
                "custom login: sending"
            );
            let sent = Instant::now();
            let result = self.send(&request).await;
            let elapsed_ms = sent.elapsed().as_millis() as u64;
            let (problem, retry_after) = match result {
                Ok(a) => {
                    tracing::info!(
                        flow = kind.entry(),
                        step = r.step,
                        request = %r.line(),
                        status = a.status,
                        elapsed_ms,
                        attempt,
                        "custom login request"
                    );
                    match a.status {
                        200..=299 => {
                            let json =
                                serde_json::from_slice(&a.body).unwrap_or(serde_json::Value::Null);
                            return Ok((json, attempt));
                        }
                        300..=399 => (CustomProblem::Redirect { status: a.status }, None),
                        s => (CustomProblem::Status { status: s }, a.retry_after),
                    }
                }
                Err(p) => {
                    tracing::info!(
                        flow = kind.entry(),
                        step = r.step,
                        request = %r.line(),
                        elapsed_ms,
                        attempt,
                        problem = %p,
                        "custom login request failed to send"
                    );
                    (p, None)
                }
            };
            if !problem.is_retryable() {
                return Err(fail(problem, attempt));
            }
            if attempt >= self.retry.max_attempts {
                tracing::warn!(attempts = attempt, problem = %problem, "custom login: giving up (attempts exhausted)");
                return Err(fail(problem, attempt));
            }
            let wait = retry_after.unwrap_or_else(|| self.retry.backoff(attempt - 1));
            if started.elapsed() + wait > self.retry.max_total {
                tracing::warn!(
                    attempts = attempt,
                    wait_ms = wait.as_millis() as u64,
                    problem = %problem,
                    "custom login: giving up (the next wait would pass the time budget)"
                );
                return Err(fail(problem, attempt));
            }
            tracing::warn!(
                attempt,
                problem = %problem,
                backoff_ms = wait.as_millis() as u64,
                "custom login request failed; retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    async fn send(&self, request: &Built) -> Result<Answer, CustomProblem> {
        let mut rb = self
            .http
            .request(request.method.clone(), request.url.clone());
        for (n, v) in &request.headers {
            rb = rb.header(n, v);
        }
        if let Some(b) = &request.body {
            rb = rb.body(b.clone());
        }
        let mut resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => {
                return Err(
                    match crate::transport::explain(&e, &request.url, &self.transport).await {
                        Some(t) => CustomProblem::Transport(t),
                        None => self.problem(&e),
                    },
                );
            }
        };
        let status = resp.status().as_u16();
        // Through a proxy, a 401/407 may be the proxy refusing ProxyUser.
        if let Some(t) =
            crate::transport::refusal(&self.transport, &request.url, status, resp.headers()).await
        {
            return Err(CustomProblem::Transport(t));
        }
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        if resp
            .content_length()
            .is_some_and(|l| l > self.body_limit as u64)
        {
            return Err(CustomProblem::BodyTooLarge {
                limit: self.body_limit,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.problem(&e))? {
            if body.len() + chunk.len() > self.body_limit {
                return Err(CustomProblem::BodyTooLarge {
                    limit: self.body_limit,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }

    fn problem(&self, e: &reqwest::Error) -> CustomProblem {
        if let Some(t) = crate::transport::classify(e, &self.transport) {
            CustomProblem::Transport(t)
        } else if e.is_timeout() {
            CustomProblem::Timeout(self.timeout)
        } else {
            CustomProblem::Network {
                message: crate::apply::error_chain(e),
            }
        }
    }
}

/// `HEADER Authorization=Bearer {/token}` as written (secrets masked).
pub(crate) fn credential_line(c: &CustomCredential) -> String {
    let word = match c.placement {
        crate::plan::Placement::Header => "HEADER",
        crate::plan::Placement::Param => "PARAM",
    };
    format!("{word} {}={}", c.name, c.value)
}

/// A request filled in.
struct Built {
    method: reqwest::Method,
    url: url::Url,
    headers: Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
    body: Option<Vec<u8>>,
}

impl Built {
    fn header_names(&self) -> String {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        names.join(",")
    }
}

/// Fill in a request's URL, headers and body.
fn build(
    plan: &CustomPlan,
    r: &CustomRequest,
    responses: &[serde_json::Value],
) -> Result<Built, CustomProblem> {
    use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
    let values = Values { plan, responses };
    let url: url::Url = values
        .fill(&r.url, Place::Url)?
        .parse()
        .map_err(|_| CustomProblem::BadUrl)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CustomProblem::BadUrl);
    }
    let method =
        reqwest::Method::from_bytes(r.method.as_bytes()).map_err(|_| CustomProblem::BadUrl)?;
    let mut headers = Vec::new();
    for (name, t) in &r.headers {
        let bad = || CustomProblem::BadHeaderValue { name: name.clone() };
        let v = values.fill(t, Place::Plain)?;
        if !header_safe(&v) {
            return Err(bad());
        }
        let n = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| bad())?;
        let mut hv = HeaderValue::from_str(&v).map_err(|_| bad())?;
        hv.set_sensitive(true);
        headers.push((n, hv));
    }
    let body = match &r.body {
        Some(b) => {
            let json = b.render(&mut |t| values.fill(t, Place::Plain))?;
            Some(serde_json::to_vec(&json).unwrap_or_default())
        }
        None => None,
    };
    if body.is_some() && !headers.iter().any(|(n, _)| *n == CONTENT_TYPE) {
        headers.push((CONTENT_TYPE, HeaderValue::from_static("application/json")));
    }
    if !headers.iter().any(|(n, _)| *n == ACCEPT) {
        headers.push((ACCEPT, HeaderValue::from_static("application/json")));
    }
    Ok(Built {
        method,
        url,
        headers,
        body,
    })
}
