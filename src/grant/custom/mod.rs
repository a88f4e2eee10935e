//! Custom logins (`AuthenticationMethod=Custom`): the Model file's
//! `#authentication` steps run against the real endpoints, the credential
//! they yield put on data requests as the final `HEADER`/`PARAM` line says,
//! and `#reauthentication` run when a data request gets the REAUTHENTICATE
//! action, with `#authentication` as the fallback.
//!
//! The guarantees are the OAuth grants': bounded retries ([`RetryPolicy`]),
//! typed errors ([`CustomFailure`], inside [`GrantError::Custom`]: the entry,
//! the step as written and the HTTP status), one login in flight however
//! many tasks ask ([`CustomSource`] shares its outcome), and no secret in any
//! message, `Debug` or log line. The credential lives in memory only (a
//! custom login has no refresh token worth keeping).

mod error;
mod steps;
mod template;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

pub use error::{CustomFailure, CustomProblem, FlowKind};

use self::steps::Sender;
use super::error::GrantError;
use super::http::{DEFAULT_BODY_LIMIT, RetryPolicy, Timeouts};
use crate::Secret;
use crate::plan::{Auth, AuthPlan, CustomPlan, Placement, Transport};

/// How a [`CustomSource`] sends its requests.
#[derive(Clone, Debug)]
pub struct CustomOptions {
    /// Connect and total timeouts of one request (the total is used when
    /// the transport has no WSTimeout of its own).
    pub timeouts: Timeouts,
    /// Retries of one step.
    pub retry: RetryPolicy,
    /// Largest response body read, in bytes.
    pub body_limit: usize,
    /// Proxy, TLS and WSTimeout of the login's requests.
    pub transport: Transport,
}

impl Default for CustomOptions {
    fn default() -> Self {
        CustomOptions {
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            body_limit: DEFAULT_BODY_LIMIT,
            transport: Transport::default(),
        }
    }
}

impl CustomOptions {
    /// The options for a plan's transport settings: its proxy and TLS, its
    /// WSTimeout (the driver's 120 s when not given) and WSRetryCount, as
    /// for the token requests of OAuth grants.
    ///
    /// ```
    /// use connstr::grant::CustomOptions;
    /// use connstr::plan::Transport;
    /// let t = Transport { retry_count: Some(1), ..Transport::default() };
    /// let o = CustomOptions::for_transport(&t);
    /// assert_eq!(o.retry.max_attempts, 2);
    /// assert_eq!(o.timeouts.total, connstr::plan::DEFAULT_TIMEOUT);
    /// ```
    pub fn for_transport(transport: &Transport) -> Self {
        let mut o = CustomOptions {
            transport: transport.clone(),
            ..CustomOptions::default()
        };
        o.timeouts.total = transport.timeout.unwrap_or(crate::plan::DEFAULT_TIMEOUT);
        if let Some(n) = transport.retry_count {
            o.retry.max_attempts = n.saturating_add(1);
        }
        o
    }
}

/// The credential a custom login yielded, and how it goes on data requests.
///
/// `Debug` shows everything but the value.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomToken {
    /// A header or a URL query parameter.
    pub placement: Placement,
    /// The header or parameter name.
    pub name: String,
    /// Its value (a secret).
    pub value: Secret,
    /// The entry that produced it.
    pub flow: FlowKind,
    /// Requests sent to get it (retries included).
    pub requests: u32,
    /// When it was obtained.
    pub obtained_at: SystemTime,
}

impl std::fmt::Debug for CustomToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomToken")
            .field("placement", &self.placement)
            .field("name", &self.name)
            .field("value", &self.value)
            .field("flow", &self.flow)
            .field("requests", &self.requests)
            .finish_non_exhaustive()
    }
}

/// Where a credential handed out by [`CustomSource`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomOrigin {
    /// Already held (from an earlier call, or a login another task ran).
    Cache,
    /// `#authentication` ran.
    Authenticated,
    /// `#reauthentication` ran.
    Reauthenticated,
    /// `#reauthentication` failed, then `#authentication` ran.
    FellBack,
}

#[derive(Default)]
struct Flight {
    /// The responses of the last successful login (for `#reauthentication`).
    responses: Vec<serde_json::Value>,
    /// The outcome of the last login, shared with those who waited for it.
    last: Option<Result<Arc<CustomToken>, GrantError>>,
}

struct Inner {
    plan: CustomPlan,
    sender: Sender,
    current: RwLock<Option<Arc<CustomToken>>>,
    flight: tokio::sync::Mutex<Flight>,
    generation: AtomicU64,
}

/// Runs a plan's custom login and hands out its credential: held until a
/// data request is refused, one login in flight however many tasks ask.
/// Cheap to clone (an `Arc`).
///
/// ```no_run
/// # async fn demo(plan: connstr::plan::AuthPlan) -> Result<(), connstr::grant::GrantError> {
/// use connstr::grant::{CustomOptions, CustomSource};
/// let source = CustomSource::new(&plan, CustomOptions::default())?;
/// let credential = source.credential().await?;
/// println!("send {:?} {} on data requests", credential.placement, credential.name);
/// // A data request answered 401: log in again (once, whoever asks).
/// let again = source.reauthenticate(&credential).await?;
/// # let _ = again; Ok(()) }
/// ```
#[derive(Clone)]
pub struct CustomSource {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for CustomSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomSource")
            .field("config_file", &self.inner.plan.config_file)
            .field("requests", &self.inner.plan.authentication.requests.len())
            .field(
                "reauthentication",
                &self.inner.plan.reauthentication.is_some(),
            )
            .finish_non_exhaustive()
    }
}

impl CustomSource {
    /// A source for a Custom plan ([`GrantError::NotOAuth`] for any other).
    pub fn new(plan: &AuthPlan, options: CustomOptions) -> Result<Self, GrantError> {
        match &plan.auth {
            Auth::Custom(c) => Self::from_custom(c, options),
            _ => Err(GrantError::NotOAuth),
        }
    }

    /// A source for a custom login.
    pub fn from_custom(plan: &CustomPlan, options: CustomOptions) -> Result<Self, GrantError> {
        // The transport's proxy, TLS and WSTimeout (none for WSTimeout=0);
        // the options' total limit when WSTimeout was not given.
        let mut builder = crate::transport::client_builder(&options.transport)?
            .connect_timeout(options.timeouts.connect);
        if !options.transport.timeout_set {
            builder = builder.timeout(options.timeouts.total);
        }
        let http = builder
            .user_agent(concat!("connstr/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GrantError::Network {
                message: crate::apply::error_chain(&e),
            })?;
        Ok(CustomSource {
            inner: Arc::new(Inner {
                plan: plan.clone(),
                sender: Sender {
                    http,
                    retry: options.retry,
                    body_limit: options.body_limit,
                    timeout: options.timeouts.total,
                    transport: Arc::new(options.transport.clone()),
                },
                current: RwLock::new(None),
                flight: tokio::sync::Mutex::new(Flight::default()),
                generation: AtomicU64::new(0),
            }),
        })
    }

    /// HTTP statuses of data requests that call for [`CustomSource::reauthenticate`]
    /// (the Model file's REAUTHENTICATE rules; 401 without `#http`).
    pub fn reauthenticate_on(&self) -> &[u16] {
        &self.inner.plan.reauthenticate_on
    }

    /// The credential held, without logging in.
    pub fn cached(&self) -> Option<Arc<CustomToken>> {
        self.inner
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The credential: the one held, or a new login (`#authentication`).
    pub async fn credential(&self) -> Result<Arc<CustomToken>, GrantError> {
        self.credential_with_origin().await.map(|(t, _)| t)
    }

    /// As [`CustomSource::credential`], and where it came from.
    pub async fn credential_with_origin(
        &self,
    ) -> Result<(Arc<CustomToken>, CustomOrigin), GrantError> {
        if let Some(t) = self.cached() {
            tracing::debug!("custom login: credential served from memory");
            return Ok((t, CustomOrigin::Cache));
        }
        self.login(None).await
    }

    /// A data request sent with `rejected` got the REAUTHENTICATE action: run
    /// `#reauthentication` (or `#authentication` when there is none or it
    /// fails). If another task already replaced `rejected`, that credential
    /// is returned without a request.
    pub async fn reauthenticate(
        &self,
        rejected: &CustomToken,
    ) -> Result<Arc<CustomToken>, GrantError> {
        self.login(Some(&rejected.value)).await.map(|(t, _)| t)
    }

    /// As [`CustomSource::reauthenticate`], and where the credential came from.
    pub async fn reauthenticate_with_origin(
        &self,
        rejected: &CustomToken,
    ) -> Result<(Arc<CustomToken>, CustomOrigin), GrantError> {
        self.login(Some(&rejected.value)).await
    }

    async fn login(
        &self,
        rejected: Option<&Secret>,
    ) -> Result<(Arc<CustomToken>, CustomOrigin), GrantError> {
        let seen = self.inner.generation.load(Ordering::Acquire);
        let mut flight = match self.inner.flight.try_lock() {
            Ok(f) => f,
            Err(_) => {
                tracing::debug!("custom login: a login is in flight: waiting for it");
                self.inner.flight.lock().await
            }
        };
        if self.inner.generation.load(Ordering::Acquire) != seen
            && let Some(last) = &flight.last
        {
            match last {
                Ok(t) if rejected != Some(&t.value) => {
                    tracing::debug!(
                        "custom login: joined the login in flight: sharing its credential"
                    );
                    return Ok((Arc::clone(t), CustomOrigin::Cache));
                }
                Err(e) => {
                    tracing::debug!("custom login: joined the login in flight: sharing its error");
                    return Err(e.clone());
                }
                Ok(_) => {}
            }
        }
        if let Some(t) = self.cached()
            && rejected != Some(&t.value)
        {
            return Ok((t, CustomOrigin::Cache));
        }
        let result = self.run(&mut flight, rejected.is_some()).await;
        if let Ok((t, _)) = &result {
            *self
                .inner
                .current
                .write()
                .unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(t));
        } else if rejected.is_some() {
            *self
                .inner
                .current
                .write()
                .unwrap_or_else(|e| e.into_inner()) = None;
        }
        flight.last = Some(
            result
                .as_ref()
                .map(|(t, _)| Arc::clone(t))
                .map_err(Clone::clone),
        );
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        result
    }

    /// Run `#reauthentication` (when asked and possible), else or on its
    /// failure `#authentication`.
    async fn run(
        &self,
        flight: &mut Flight,
        reauth: bool,
    ) -> Result<(Arc<CustomToken>, CustomOrigin), GrantError> {
        let plan = &self.inner.plan;
        let Some(auth_line) = plan.authentication.credential.as_ref() else {
            // The validator refuses such plans; a hand-made one gets an error.
            return Err(GrantError::Custom(Box::new(CustomFailure {
                flow: FlowKind::Authentication,
                step: None,
                line: "HEADER/PARAM".to_owned(),
                problem: CustomProblem::NoCredentialLine,
                attempts: 0,
            })));
        };
        let mut origin = CustomOrigin::Authenticated;
        if reauth
            && !flight.responses.is_empty()
            && let Some(re) = &plan.reauthentication
        {
            let line = re.credential.as_ref().unwrap_or(auth_line);
            tracing::debug!("custom login: running #reauthentication");
            match self
                .inner
                .sender
                .run(
                    plan,
                    FlowKind::Reauthentication,
                    re,
                    line,
                    flight.responses.clone(),
                )
                .await
            {
                Ok(out) => {
                    flight.responses = out.responses;
                    return Ok((
                        Arc::new(token(
                            line,
                            out.credential,
                            FlowKind::Reauthentication,
                            out.sent,
                        )),
                        CustomOrigin::Reauthenticated,
                    ));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "custom login: #reauthentication failed; running #authentication");
                    origin = CustomOrigin::FellBack;
                }
            }
        }
        tracing::debug!("custom login: running #authentication");
        let out = self
            .inner
            .sender
            .run(
                plan,
                FlowKind::Authentication,
                &plan.authentication,
                auth_line,
                Vec::new(),
            )
            .await
            .map_err(|f| GrantError::Custom(Box::new(f)))?;
        flight.responses = out.responses;
        Ok((
            Arc::new(token(
                auth_line,
                out.credential,
                FlowKind::Authentication,
                out.sent,
            )),
            origin,
        ))
    }
}

fn token(
    line: &crate::plan::CustomCredential,
    value: Secret,
    flow: FlowKind,
    sent: u32,
) -> CustomToken {
    CustomToken {
        placement: line.placement,
        name: line.name.clone(),
        value,
        flow,
        requests: sent,
        obtained_at: SystemTime::now(),
    }
}
