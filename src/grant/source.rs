//! The token source: what an embedding connector asks for a token.
//!
//! Policy:
//! - a cached access token is handed out while `now < expires_at - margin`
//!   (the margin is at most half the token's lifetime); a token of unknown
//!   lifetime is used until a server rejects it;
//! - one refresh at a time per source: callers that arrive while one runs wait
//!   for it and share its result (token or error);
//! - with a token store, a refresh happens under the store's inter-process lock
//!   after re-reading the store: if another process refreshed meanwhile, its
//!   token is used instead of refreshing again; a rotated refresh token is
//!   written durably before the new access token is handed to anyone; on
//!   `invalid_grant` the stored refresh token is marked dead;
//! - which store entry a source uses is decided by its [`TokenIdentity`]
//!   (grant kind, endpoint method and URL, client id, keyed fingerprint of the
//!   client credentials, scope set, user or DSN): a stored access token is
//!   handed out only to a configuration that presents the same identity (see
//!   [`crate::grant::select`]); a configuration without ClientSecret refreshes
//!   with the secret kept in the entry.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use url::Url;

use super::assertion::{AssertionClaims, sign_assertion};
use super::error::GrantError;
use super::http::TokenClient;
use super::identity::{ClaimValue, FingerprintKey, Match, Partition, TokenIdentity};
use super::jwt_key::SigningKey;
use super::redis_store::RedisStore;
use super::redis_url::RedisConfig;
use super::request::GrantParams;
use super::response::Token;
use super::store::{
    BackendLock, Entry, StoreBackend, StoreKey, StoredTokens, TokenStore, insert_replacing, select,
};
use crate::plan::{Auth, AuthPlan, Client, Grant, OAuth2Plan, TokenEndpoint};
use crate::secret::Secret;

/// Where a [`TokenSource`] keeps tokens between runs.
#[derive(Clone, Debug, Default)]
pub enum StoreChoice {
    /// Nowhere: tokens live in memory only.
    Memory,
    /// What `$CONNSTR_TOKEN_STORE` names (a file, or `redis://…` / `rediss://…`:
    /// the Redis store), else the file in the XDG state dir ([`StoreChoice::from_env`]).
    #[default]
    Default,
    /// This file.
    At(PathBuf),
    /// Another kind of store (see [`StoreBackend`]).
    Backend(Arc<dyn StoreBackend>),
}

impl PartialEq for StoreChoice {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (StoreChoice::Memory, StoreChoice::Memory)
            | (StoreChoice::Default, StoreChoice::Default) => true,
            (StoreChoice::At(a), StoreChoice::At(b)) => a == b,
            (StoreChoice::Backend(a), StoreChoice::Backend(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for StoreChoice {}

impl StoreChoice {
    /// The store `name` names: a `redis://` or `rediss://` URL is the Redis
    /// token store (shared by a fleet of hosts), anything else a file.
    ///
    /// ```
    /// use connstr::grant::StoreChoice;
    /// assert!(matches!(StoreChoice::named("/var/lib/app/tokens.json"), Ok(StoreChoice::At(_))));
    /// assert!(matches!(StoreChoice::named("redis://127.0.0.1:6379/0"), Ok(StoreChoice::Backend(_))));
    /// // A bad Redis URL is an error that does not quote it (it may hold a password).
    /// let e = StoreChoice::named("redis://:hunter2@host:notaport/0").unwrap_err();
    /// assert!(!e.to_string().contains("hunter2"));
    /// ```
    pub fn named(name: &str) -> Result<StoreChoice, GrantError> {
        if RedisConfig::is_redis_url(name) {
            let store = RedisStore::new(RedisConfig::parse(name)?)?;
            Ok(StoreChoice::Backend(Arc::new(store)))
        } else {
            Ok(StoreChoice::At(PathBuf::from(name)))
        }
    }

    /// What [`StoreChoice::Default`] means now: the store `$CONNSTR_TOKEN_STORE`
    /// names ([`StoreChoice::named`]), else the file at
    /// [`TokenStore::default_path`].
    pub fn from_env() -> Result<StoreChoice, GrantError> {
        match std::env::var(super::store::STORE_ENV) {
            Ok(v) if RedisConfig::is_redis_url(&v) => StoreChoice::named(&v),
            _ => Ok(StoreChoice::At(TokenStore::default_path()?)),
        }
    }
}

/// How a [`TokenSource`] behaves.
#[derive(Clone, Debug)]
pub struct SourceOptions {
    /// Refresh this long before expiry (at most half the token's lifetime).
    /// Default 60 s.
    pub margin: Duration,
    /// The token store.
    pub store: StoreChoice,
    /// The client to reach the token endpoint; `None` = reqwest with defaults.
    pub client: Option<TokenClient>,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            margin: Duration::from_secs(60),
            store: StoreChoice::Default,
            client: None,
        }
    }
}

/// Where a token handed out by [`TokenSource::token_with_outcome`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenOrigin {
    /// This source already held it, still fresh: cached from an earlier call,
    /// or obtained by a concurrent call this one waited for. Nothing requested.
    Cache,
    /// The token store held a fresh access token (another process or source
    /// got it): adopted, nothing requested.
    StoreAdopted,
    /// The refresh token grant at the token endpoint.
    Refreshed,
    /// The plan's own grant at the token endpoint (client credentials,
    /// password, authorization code), also when it ran because the refresh
    /// token was refused (`invalid_grant`) or known dead.
    FreshGrant,
    /// The configuration's AccessToken, as given.
    Configured,
}

/// How [`TokenSource::token_with_outcome`] got its token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct TokenOutcome {
    /// Where the token came from.
    pub origin: TokenOrigin,
    /// A refresh returned a new refresh token (saved to the token store, when
    /// there is one, before the access token was handed out). Only ever true
    /// with [`TokenOrigin::Refreshed`].
    pub rotated: bool,
}

impl TokenOutcome {
    fn of(origin: TokenOrigin) -> Self {
        TokenOutcome {
            origin,
            rotated: false,
        }
    }
}

/// A token with the moment to stop handing it out.
#[derive(Clone)]
struct Cached {
    token: Arc<Token>,
    refresh_at: Option<SystemTime>,
}

#[derive(Default)]
struct Flight {
    /// The newest refresh token this process knows.
    refresh_token: Option<Secret>,
    /// OAuthCode is single-use.
    code_used: bool,
    /// The outcome of the last attempt, shared with those who waited for it.
    last: Option<Result<Arc<Token>, GrantError>>,
}

struct Inner {
    grant: Grant,
    scope: Vec<String>,
    /// The JWT bearer grant's signing key, read once.
    signing_key: Option<SigningKey>,
    key: Option<StoreKey>,
    partition: Option<Partition>,
    client: TokenClient,
    /// The store, when it is a file (what [`TokenSource::store`] shows).
    store: Option<TokenStore>,
    backend: Option<Arc<dyn StoreBackend>>,
    margin: Duration,
    cache: RwLock<Option<Cached>>,
    flight: tokio::sync::Mutex<Flight>,
    generation: AtomicU64,
}

/// Hands out access tokens for one plan: cached, refreshed ahead of expiry, one
/// refresh in flight however many tasks ask. Cheap to clone (an `Arc`).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use connstr::Secret;
/// use connstr::grant::{SourceOptions, StoreChoice, TokenSource};
/// use connstr::plan::{Grant, OAuth2Plan};
///
/// let plan = OAuth2Plan {
///     grant: Grant::AccessToken { access_token: Secret::new("given-token"), refresh: None },
///     chosen_because: None,
///     scope: vec![],
///     extra_header: None,
/// };
/// let source = TokenSource::from_oauth2(&plan, None, None,
///     SourceOptions { store: StoreChoice::Memory, ..Default::default() }).unwrap();
/// let token = source.token().await.unwrap();
/// assert_eq!(token.access_token.expose(), "given-token");
/// # });
/// ```
#[derive(Clone)]
pub struct TokenSource {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("grant", &self.inner.grant.name())
            .field("key", &self.inner.key)
            .field("store", &self.inner.backend.as_ref().map(|b| b.location()))
            .field("margin", &self.inner.margin)
            .finish_non_exhaustive()
    }
}

/// What to do when there is no usable refresh token.
enum Initial<'a> {
    /// Nothing: the plan only refreshes.
    None,
    /// The client credentials grant (never refreshes).
    ClientCredentials,
    /// The JWT bearer grant with a new assertion (never refreshes).
    JwtBearer,
    /// The password grant.
    Password { user: &'a str, password: &'a Secret },
    /// Exchange OAuthCode (once).
    Code {
        code: &'a Secret,
        redirect_uri: &'a Url,
    },
    /// An interactive login is needed.
    Login,
}

impl TokenSource {
    /// A source for an OAuth 2.0 plan ([`GrantError::NotOAuth`] otherwise). The
    /// plan's User or DSN is part of the token store key.
    pub fn new(plan: &AuthPlan, mut options: SourceOptions) -> Result<Self, GrantError> {
        if options.client.is_none() {
            options.client = Some(TokenClient::for_transport(&plan.transport)?);
        }
        match &plan.auth {
            Auth::OAuth2(o) => {
                Self::from_oauth2(o, plan.user.as_deref(), plan.dsn.as_deref(), options)
            }
            _ => Err(GrantError::NotOAuth),
        }
    }

    /// A source for an OAuth 2.0 plan with an explicit user / DSN for the store key.
    pub fn from_oauth2(
        plan: &OAuth2Plan,
        user: Option<&str>,
        dsn: Option<&str>,
        options: SourceOptions,
    ) -> Result<Self, GrantError> {
        // The key is read now: a wrong password or alias fails here, and its
        // public key is part of the token identity.
        let signing_key = match &plan.grant {
            Grant::JwtBearer { key, .. } => Some(SigningKey::load(key)?),
            _ => None,
        };
        let key = TokenIdentity::of_plan(plan, user, dsn).map(|id| match &signing_key {
            Some(k) => id.claim("key", ClaimValue::Secret(Secret::new(k.public_key_id()))),
            None => id,
        });
        // The default store is what CONNSTR_TOKEN_STORE names (a file, or
        // Redis), else the file in the state directory.
        let from_env;
        let choice = match &options.store {
            StoreChoice::Default if key.is_some() => {
                from_env = StoreChoice::from_env()?;
                &from_env
            }
            other => other,
        };
        let store = match (choice, &key) {
            (_, None) | (StoreChoice::Memory | StoreChoice::Backend(_), _) => None,
            (StoreChoice::Default, Some(_)) => Some(TokenStore::open_default()?),
            (StoreChoice::At(p), Some(_)) => Some(TokenStore::at(p)),
        };
        let backend: Option<Arc<dyn StoreBackend>> = match (choice, &store) {
            (_, Some(s)) => Some(Arc::new(s.clone())),
            (StoreChoice::Backend(b), None) if key.is_some() => Some(Arc::clone(b)),
            _ => None,
        };
        let client = match options.client {
            Some(c) => c,
            None => TokenClient::new()?,
        };
        let seed = match &plan.grant {
            Grant::AccessToken { access_token, .. } => {
                let token = Token {
                    access_token: access_token.clone(),
                    refresh_token: None,
                    expires_at: jwt_expiry(access_token),
                    scope: None,
                    token_type: super::response::BEARER.to_owned(),
                };
                Some(cached(token, SystemTime::now(), options.margin))
            }
            _ => None,
        };
        tracing::debug!(
            grant = plan.grant.name(),
            store = ?backend.as_ref().map(|b| b.location()),
            margin_s = options.margin.as_secs(),
            seeded = seed.is_some(),
            "token source ready"
        );
        Ok(TokenSource {
            inner: Arc::new(Inner {
                grant: plan.grant.clone(),
                scope: plan.scope.clone(),
                signing_key,
                partition: key.as_ref().map(TokenIdentity::partition),
                key,
                client,
                store,
                backend,
                margin: options.margin,
                cache: RwLock::new(seed),
                flight: tokio::sync::Mutex::new(Flight::default()),
                generation: AtomicU64::new(0),
            }),
        })
    }

    /// The token store entry this source uses, if it talks to a token endpoint.
    pub fn store_key(&self) -> Option<&StoreKey> {
        self.inner.key.as_ref()
    }

    /// The token store, if it is a file.
    pub fn store(&self) -> Option<&TokenStore> {
        self.inner.store.as_ref()
    }

    /// The token store, of whatever kind.
    pub fn backend(&self) -> Option<&Arc<dyn StoreBackend>> {
        self.inner.backend.as_ref()
    }

    /// Where the token store is (a file path, or what another backend
    /// reports), if there is one.
    pub fn store_location(&self) -> Option<String> {
        self.inner.backend.as_ref().map(|b| b.location())
    }

    /// What the token store holds for this source now (read without the
    /// lock), chosen as [`TokenSource::token`] would choose it.
    pub async fn stored(&self) -> Result<Option<StoredTokens>, GrantError> {
        let (Some(b), Some(id), Some(p)) =
            (&self.inner.backend, &self.inner.key, &self.inner.partition)
        else {
            return Ok(None);
        };
        let snap = b.read(p).await?;
        let key = match snap.key {
            Some(k) => k,
            None => FingerprintKey::generate()?,
        };
        let lineage = self.configured_refresh_token();
        let pick = select(id, &key, &snap.entries, lineage)
            .or_else(|| select(id, &key, &snap.entries, None));
        Ok(pick.map(|(i, _)| snap.entries[i].tokens.clone()))
    }

    fn configured_refresh_token(&self) -> Option<&Secret> {
        match &self.inner.grant {
            Grant::RefreshToken(rg)
            | Grant::AccessToken {
                refresh: Some(rg), ..
            } => rg.refresh_token.as_ref(),
            _ => None,
        }
    }

    /// The cached token if it is still fresh; never blocks on I/O, never refreshes.
    pub fn cached(&self) -> Option<Arc<Token>> {
        let guard = self.inner.cache.read().unwrap_or_else(|e| e.into_inner());
        let c = guard.as_ref()?;
        match c.refresh_at {
            Some(at) if SystemTime::now() >= at => None,
            _ => Some(Arc::clone(&c.token)),
        }
    }

    /// A fresh access token: the cached one, or a new one from the token
    /// endpoint (or another process, via the store).
    pub async fn token(&self) -> Result<Arc<Token>, GrantError> {
        self.token_with_outcome().await.map(|(t, _)| t)
    }

    /// As [`TokenSource::token`], and where the token came from and whether
    /// the refresh token rotated.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use connstr::Secret;
    /// use connstr::grant::{SourceOptions, StoreChoice, TokenOrigin, TokenSource};
    /// use connstr::plan::{Grant, OAuth2Plan};
    ///
    /// let plan = OAuth2Plan {
    ///     grant: Grant::AccessToken { access_token: Secret::new("given-token"), refresh: None },
    ///     chosen_because: None,
    ///     scope: vec![],
    ///     extra_header: None,
    /// };
    /// let source = TokenSource::from_oauth2(&plan, None, None,
    ///     SourceOptions { store: StoreChoice::Memory, ..Default::default() }).unwrap();
    /// let (token, outcome) = source.token_with_outcome().await.unwrap();
    /// assert_eq!(token.token_type, "Bearer");
    /// assert_eq!(outcome.origin, TokenOrigin::Configured);
    /// assert!(!outcome.rotated);
    /// # });
    /// ```
    pub async fn token_with_outcome(&self) -> Result<(Arc<Token>, TokenOutcome), GrantError> {
        if let Some(t) = self.cached() {
            tracing::debug!(
                grant = self.inner.grant.name(),
                expires_in_s = seconds_until(t.expires_at),
                "access token served from cache"
            );
            let origin = self.held_origin(&t);
            return Ok((t, TokenOutcome::of(origin)));
        }
        self.log_cache_miss();
        self.refresh_inner(None).await
    }

    /// A token this source already holds: the configured one, or a cached one.
    fn held_origin(&self, t: &Token) -> TokenOrigin {
        match &self.inner.grant {
            Grant::AccessToken { access_token, .. } if *access_token == t.access_token => {
                TokenOrigin::Configured
            }
            _ => TokenOrigin::Cache,
        }
    }

    /// Why the cache could not serve (a debug event).
    fn log_cache_miss(&self) {
        if !tracing::enabled!(tracing::Level::DEBUG) {
            return;
        }
        let guard = self.inner.cache.read().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            None => tracing::debug!(
                grant = self.inner.grant.name(),
                "no access token cached: getting one"
            ),
            Some(c) => tracing::debug!(
                grant = self.inner.grant.name(),
                expires_in_s = seconds_until(c.token.expires_at),
                margin_s = self.inner.margin.as_secs(),
                "access token due for refresh (within the margin before expiry)"
            ),
        }
    }

    /// A server rejected `rejected` (`401` with `error="invalid_token"`): get a
    /// different token. If another task already replaced it, that one is
    /// returned without a new request.
    pub async fn refresh_rejected(&self, rejected: &Secret) -> Result<Arc<Token>, GrantError> {
        self.refresh_rejected_with_outcome(rejected)
            .await
            .map(|(t, _)| t)
    }

    /// As [`TokenSource::refresh_rejected`], with the [`TokenOutcome`].
    pub async fn refresh_rejected_with_outcome(
        &self,
        rejected: &Secret,
    ) -> Result<(Arc<Token>, TokenOutcome), GrantError> {
        tracing::debug!(
            grant = self.inner.grant.name(),
            "access token rejected: getting a different one"
        );
        self.refresh_inner(Some(rejected)).await
    }

    /// Drop the cached token so that the next [`TokenSource::token`] refreshes.
    pub fn invalidate(&self) {
        tracing::debug!(
            grant = self.inner.grant.name(),
            "cached access token dropped"
        );
        *self.inner.cache.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    async fn refresh_inner(
        &self,
        rejected: Option<&Secret>,
    ) -> Result<(Arc<Token>, TokenOutcome), GrantError> {
        let seen = self.inner.generation.load(Ordering::Acquire);
        let mut flight = match self.inner.flight.try_lock() {
            Ok(f) => f,
            Err(_) => {
                tracing::debug!("a refresh is in flight: waiting for it");
                self.inner.flight.lock().await
            }
        };
        if self.inner.generation.load(Ordering::Acquire) != seen
            && let Some(last) = &flight.last
        {
            // An attempt finished while we waited: share its outcome.
            match last {
                Ok(t) if rejected != Some(&t.access_token) => {
                    tracing::debug!("joined the refresh in flight: sharing its token");
                    let origin = self.held_origin(t);
                    return Ok((Arc::clone(t), TokenOutcome::of(origin)));
                }
                Err(e) => {
                    tracing::debug!("joined the refresh in flight: sharing its error");
                    return Err(e.clone());
                }
                Ok(_) => {}
            }
        }
        if let Some(t) = self.cached()
            && rejected != Some(&t.access_token)
        {
            tracing::debug!("another task refreshed meanwhile: using its token");
            let origin = self.held_origin(&t);
            return Ok((t, TokenOutcome::of(origin)));
        }
        let result = self.acquire(&mut flight, rejected).await;
        flight.last = Some(
            result
                .as_ref()
                .map(|(t, _)| Arc::clone(t))
                .map_err(Clone::clone),
        );
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        result
    }

    fn publish(&self, token: Token) -> Arc<Token> {
        let c = cached(token, SystemTime::now(), self.inner.margin);
        let t = Arc::clone(&c.token);
        *self.inner.cache.write().unwrap_or_else(|e| e.into_inner()) = Some(c);
        t
    }

    async fn acquire(
        &self,
        flight: &mut Flight,
        rejected: Option<&Secret>,
    ) -> Result<(Arc<Token>, TokenOutcome), GrantError> {
        let inner = &self.inner;
        match &inner.grant {
            Grant::AccessToken { refresh: None, .. } => Err(GrantError::AccessTokenExpired),
            Grant::AccessToken {
                refresh: Some(rg), ..
            }
            | Grant::RefreshToken(rg) => {
                self.flow(
                    flight,
                    &rg.client,
                    &rg.endpoint,
                    rg.refresh_token.as_ref(),
                    Initial::None,
                    rejected,
                )
                .await
            }
            Grant::ClientCredentials { client, endpoint } => {
                self.flow(
                    flight,
                    client,
                    endpoint,
                    None,
                    Initial::ClientCredentials,
                    rejected,
                )
                .await
            }
            Grant::Password {
                client,
                endpoint,
                user,
                password,
            } => {
                self.flow(
                    flight,
                    client,
                    endpoint,
                    None,
                    Initial::Password { user, password },
                    rejected,
                )
                .await
            }
            Grant::AuthorizationCode {
                client,
                endpoint,
                redirect_uri,
                code,
                ..
            } => {
                let initial = match code {
                    Some(code) if !flight.code_used => Initial::Code { code, redirect_uri },
                    _ => Initial::Login,
                };
                self.flow(flight, client, endpoint, None, initial, rejected)
                    .await
            }
            Grant::JwtBearer {
                client, endpoint, ..
            } => {
                self.flow(flight, client, endpoint, None, Initial::JwtBearer, rejected)
                    .await
            }
        }
    }

    /// Lock the store (if any), adopt another process's fresh token, else
    /// refresh (or run the initial grant), persist, publish.
    async fn flow(
        &self,
        flight: &mut Flight,
        client: &Client,
        endpoint: &TokenEndpoint,
        configured_rt: Option<&Secret>,
        initial: Initial<'_>,
        rejected: Option<&Secret>,
    ) -> Result<(Arc<Token>, TokenOutcome), GrantError> {
        let inner = &self.inner;
        let mut held = match (&inner.backend, &inner.partition) {
            (Some(b), Some(p)) => Some(Held::take(b.as_ref(), p).await?),
            _ => None,
        };
        let now = SystemTime::now();

        let uses_refresh = !matches!(initial, Initial::ClientCredentials | Initial::JwtBearer);
        // The refresh token lineage to continue: the newest this process knows,
        // else the configured one.
        let candidate = flight
            .refresh_token
            .clone()
            .or_else(|| configured_rt.cloned())
            .filter(|_| uses_refresh);
        let selected = match (&held, &inner.key) {
            (Some(h), Some(id)) => select(id, &h.key, &h.entries, candidate.as_ref()),
            _ => None,
        };
        let entry = match (&held, selected) {
            (Some(h), Some((i, m))) => Some((&h.entries[i], m)),
            _ => None,
        };
        if let Some(h) = &held {
            tracing::debug!(
                entries_in_partition = h.entries.len(),
                entry = match entry.map(|(_, m)| m) {
                    Some(Match::Verified) => "same identity",
                    Some(Match::Unverified) =>
                        "identity not yet known to the entry (verified by the server)",
                    Some(Match::OtherCredentials) =>
                        "a refresh token lineage of other client credentials (the server decides)",
                    _ => "none (a new one)",
                },
                "token store entry chosen"
            );
        }

        // Another process (or source) refreshed while we were not looking?
        if let Some((e, Match::Verified)) = entry
            && let Some(at) = &e.tokens.access_token
            && rejected != Some(at)
        {
            let t = Token {
                access_token: at.clone(),
                refresh_token: e.tokens.refresh_token.clone(),
                expires_at: e.tokens.expires_at,
                scope: e.tokens.scope.clone(),
                token_type: super::response::BEARER.to_owned(),
            };
            let c = cached(t, now, inner.margin);
            let fresh = c.refresh_at.is_none_or(|r| now < r);
            let ours = self
                .cached_any()
                .is_some_and(|mine| mine.access_token == *at);
            if fresh && !ours {
                tracing::debug!(
                    expires_in_s = seconds_until(e.tokens.expires_at),
                    "token store holds a fresh access token for this identity (another process \
                     or source got it): adopted, nothing requested"
                );
                if let Some(rt) = &e.tokens.refresh_token {
                    flight.refresh_token = Some(rt.clone());
                }
                let token = Arc::unwrap_or_clone(c.token);
                let outcome = TokenOutcome::of(TokenOrigin::StoreAdopted);
                return Ok((self.publish(token), outcome));
            }
        }

        let (rt, dead) = match (candidate, entry) {
            (Some(c), Some((e, _))) => (
                e.tokens.refresh_token.clone().or(Some(c)),
                e.tokens.refresh_token_dead,
            ),
            (Some(c), None) => (Some(c), false),
            (None, Some((e, _))) => (e.tokens.refresh_token.clone(), e.tokens.refresh_token_dead),
            (None, None) => (None, false),
        };
        let rt = rt.filter(|_| uses_refresh);
        if uses_refresh {
            tracing::debug!(
                has_refresh_token = rt.is_some(),
                refresh_token_dead = dead && rt.is_some(),
                newer_than_configured =
                    configured_rt.is_some() && rt.is_some() && rt.as_ref() != configured_rt,
                "refresh token chosen (the newest known)"
            );
        }
        // No ClientSecret configured: the one kept beside the refresh token.
        let stored_client = match entry {
            Some((e, _)) if client.secret.is_none() => {
                e.tokens.client_secret.as_ref().map(|s| Client {
                    id: client.id.clone(),
                    secret: Some(s.clone()),
                    mode: e.tokens.client_mode.unwrap_or(client.mode),
                })
            }
            _ => None,
        };
        if stored_client.is_some() {
            tracing::debug!("no ClientSecret configured: using the one kept in the token store");
        }
        let client = stored_client.as_ref().unwrap_or(client);
        let selected_index = selected.map(|(i, _)| i);

        let mut outcome: Option<Result<Token, GrantError>> = None;
        if let Some(rt) = &rt {
            if dead {
                tracing::warn!(
                    client_id = %client.id,
                    "the stored refresh token is marked dead (invalid_grant earlier): not sent"
                );
                outcome = Some(Err(GrantError::RefreshTokenDead {
                    client_id: client.id.clone(),
                }));
            } else {
                let r = inner
                    .client
                    .request_token(
                        endpoint,
                        client,
                        &GrantParams::RefreshToken { refresh_token: rt },
                        &inner.scope,
                    )
                    .await;
                if let Err(e) = &r
                    && e.is_invalid_grant()
                {
                    tracing::warn!(
                        client_id = %client.id,
                        "the server refused the refresh token (invalid_grant): marking it dead"
                    );
                    flight.refresh_token = None;
                    // Refused with credentials the entry does not hold: the
                    // server may mean the credentials; the lineage stays.
                    let others = matches!(selected, Some((_, Match::OtherCredentials)));
                    if let (Some(h), Some(i), false) = (held.as_mut(), selected_index, others) {
                        h.mark_dead(i, rt).await?;
                    }
                }
                outcome = Some(r.map(|mut t| {
                    if t.refresh_token.is_none() {
                        t.refresh_token = Some(rt.clone());
                    }
                    t
                }));
            }
        }
        let can_fall_back = matches!(
            initial,
            Initial::Password { .. }
                | Initial::Code { .. }
                | Initial::ClientCredentials
                | Initial::JwtBearer
        );
        let result = match outcome {
            Some(Ok(t)) => Ok((t, TokenOrigin::Refreshed)),
            Some(Err(e)) if !can_fall_back || !(e.is_invalid_grant() || dead) => Err(e),
            _ => {
                if outcome.is_some() {
                    tracing::debug!("refresh failed: falling back to the configured grant");
                }
                self.initial_grant(flight, client, endpoint, initial)
                    .await
                    .map(|t| (t, TokenOrigin::FreshGrant))
            }
        };
        let (token, origin) = result?;
        let mut rotated = false;
        if origin == TokenOrigin::Refreshed
            && let (Some(old), Some(new)) = (&rt, &token.refresh_token)
            && old != new
        {
            rotated = true;
            tracing::debug!("refresh token rotated: the new one is stored before use");
        }

        // Durable before anyone sees it.
        if let Some(new_rt) = &token.refresh_token {
            flight.refresh_token = Some(new_rt.clone());
        }
        let continue_entry = selected_index;
        if let (Some(h), Some(id)) = (held.as_mut(), &inner.key) {
            let presented = self.presented_client();
            h.save(id, continue_entry, &token, rt.as_ref(), presented)
                .await?;
        }
        drop(held);
        tracing::debug!(
            expires_in_s = seconds_until(token.expires_at),
            stored = inner.backend.is_some(),
            "new access token published"
        );
        Ok((self.publish(token), TokenOutcome { origin, rotated }))
    }

    /// The client as configured (with its secret, if one was given).
    fn presented_client(&self) -> Option<&Client> {
        self.inner.grant.client()
    }

    async fn initial_grant(
        &self,
        flight: &mut Flight,
        client: &Client,
        endpoint: &TokenEndpoint,
        initial: Initial<'_>,
    ) -> Result<Token, GrantError> {
        let inner = &self.inner;
        let params = match initial {
            Initial::None => {
                return Err(GrantError::NoRefreshToken {
                    client_id: client.id.clone(),
                    token_url: super::request::redact_url(&endpoint.url),
                });
            }
            Initial::Login => return Err(GrantError::LoginRequired),
            Initial::ClientCredentials => GrantParams::ClientCredentials,
            Initial::JwtBearer => {
                // ClientID given (and not the issuer): the client says who it is.
                let send_client_id = matches!(&inner.grant,
                    Grant::JwtBearer { issuer, .. } if *issuer != client.id);
                tracing::debug!(
                    grant_type = "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    "no usable refresh token: running the configured grant"
                );
                // A new assertion (new jti) for every attempt, retries included.
                let sign = || self.assertion(endpoint);
                return inner
                    .client
                    .request_token_signed(endpoint, client, send_client_id, &sign, &inner.scope)
                    .await;
            }
            Initial::Password { user, password } => GrantParams::Password {
                username: user,
                password,
            },
            Initial::Code { code, redirect_uri } => {
                flight.code_used = true;
                GrantParams::AuthorizationCode {
                    code,
                    redirect_uri,
                    code_verifier: None,
                }
            }
        };
        tracing::debug!(
            grant_type = params.grant_type(),
            "no usable refresh token: running the configured grant"
        );
        inner
            .client
            .request_token(endpoint, client, &params, &inner.scope)
            .await
    }

    /// A new JWT bearer assertion for `endpoint` (its URL is the `aud`).
    fn assertion(&self, endpoint: &TokenEndpoint) -> Result<Secret, GrantError> {
        let (
            Grant::JwtBearer {
                issuer, subject, ..
            },
            Some(key),
        ) = (&self.inner.grant, &self.inner.signing_key)
        else {
            return Err(GrantError::NotOAuth);
        };
        let claims = AssertionClaims {
            issuer,
            subject,
            audience: endpoint.url.as_str(),
            scope: &self.inner.scope,
        };
        let assertion = sign_assertion(key, &claims, SystemTime::now())?;
        tracing::debug!(
            alg = key.alg().as_str(),
            key_format = key.format().describe(),
            alias = key.alias().unwrap_or("-"),
            lifetime_s = super::assertion::ASSERTION_LIFETIME.as_secs(),
            "JWT bearer assertion signed (a new one for every token request)"
        );
        Ok(assertion)
    }

    /// The cached token, fresh or not.
    fn cached_any(&self) -> Option<Arc<Token>> {
        let guard = self.inner.cache.read().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map(|c| Arc::clone(&c.token))
    }

    /// Save a token obtained outside the source (an interactive login) and
    /// make it current. A new refresh token starts a lineage of its own.
    pub(crate) async fn install(&self, token: Token) -> Result<Arc<Token>, GrantError> {
        let mut flight = self.inner.flight.lock().await;
        if let Some(rt) = &token.refresh_token {
            flight.refresh_token = Some(rt.clone());
        }
        if let (Some(b), Some(p), Some(id)) =
            (&self.inner.backend, &self.inner.partition, &self.inner.key)
        {
            let mut held = Held::take(b.as_ref(), p).await?;
            let continue_entry =
                select(id, &held.key, &held.entries, token.refresh_token.as_ref()).map(|(i, _)| i);
            held.save(id, continue_entry, &token, None, self.presented_client())
                .await?;
        }
        let t = self.publish(token);
        flight.last = Some(Ok(Arc::clone(&t)));
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        Ok(t)
    }

    pub(crate) fn grant(&self) -> &Grant {
        &self.inner.grant
    }

    pub(crate) fn scope(&self) -> &[String] {
        &self.inner.scope
    }

    pub(crate) fn token_client(&self) -> &TokenClient {
        &self.inner.client
    }
}

/// A partition of the store, locked, with what it held when locked.
struct Held<'a> {
    lock: Box<dyn BackendLock + 'a>,
    key: FingerprintKey,
    entries: Vec<Entry>,
}

impl<'a> Held<'a> {
    async fn take(
        backend: &'a dyn StoreBackend,
        partition: &'a Partition,
    ) -> Result<Self, GrantError> {
        let mut lock = backend.lock(partition).await?;
        let key = lock.fingerprint_key().await?;
        let entries = lock.read().await?;
        tracing::trace!(
            entries_in_partition = entries.len(),
            with_access_token = entries
                .iter()
                .filter(|e| e.tokens.access_token.is_some())
                .count(),
            with_refresh_token = entries
                .iter()
                .filter(|e| e.tokens.refresh_token.is_some())
                .count(),
            refresh_token_dead = entries
                .iter()
                .filter(|e| e.tokens.refresh_token_dead)
                .count(),
            "token store entry re-read under the lock"
        );
        Ok(Held { lock, key, entries })
    }

    /// Mark entry `i`'s refresh token dead, if it is still `rt`.
    async fn mark_dead(&mut self, i: usize, rt: &Secret) -> Result<(), GrantError> {
        let e = &mut self.entries[i];
        if e.tokens.refresh_token.as_ref() != Some(rt) {
            return Ok(());
        }
        tracing::warn!(
            "refresh token marked dead in the token store (`connstr login` gets a new one)"
        );
        e.tokens.refresh_token_dead = true;
        e.tokens.access_token = None;
        e.tokens.expires_at = None;
        e.touch();
        self.lock.write(self.entries.clone()).await
    }

    /// Store `token` in entry `index` (or a new entry for `id`), learning the
    /// identity the server just accepted, and write the partition durably.
    async fn save(
        &mut self,
        id: &TokenIdentity,
        index: Option<usize>,
        token: &Token,
        used_rt: Option<&Secret>,
        presented: Option<&Client>,
    ) -> Result<(), GrantError> {
        let i = match index {
            Some(i) => i,
            None => insert_replacing(&mut self.entries, Entry::new(id, &self.key)),
        };
        let e = &mut self.entries[i];
        e.identity.learn(&self.key, id);
        if let Some(u) = used_rt {
            e.tokens.rotate(u.clone());
        }
        if let Some(n) = &token.refresh_token {
            e.tokens.rotate(n.clone());
        }
        e.tokens.access_token = Some(token.access_token.clone());
        e.tokens.expires_at = token.expires_at;
        e.tokens.scope = token.scope.clone();
        // Kept beside the refresh token: a configuration without ClientSecret
        // refreshes with it.
        if e.tokens.refresh_token.is_some()
            && let Some(c) = presented
            && let Some(s) = &c.secret
        {
            e.tokens.client_secret = Some(s.clone());
            e.tokens.client_mode = Some(c.mode);
        }
        e.touch();
        self.lock.write(self.entries.clone()).await
    }
}

/// Whole seconds from now until `at` (0 when past; `None` when unknown).
fn seconds_until(at: Option<SystemTime>) -> Option<u64> {
    at.map(|t| {
        t.duration_since(SystemTime::now())
            .map(|d| d.as_secs())
            .unwrap_or(0)
    })
}

fn cached(token: Token, now: SystemTime, margin: Duration) -> Cached {
    let refresh_at = token.expires_at.map(|exp| {
        let life = exp.duration_since(now).unwrap_or(Duration::ZERO);
        exp.checked_sub(margin.min(life / 2)).unwrap_or(exp)
    });
    Cached {
        token: Arc::new(token),
        refresh_at,
    }
}

/// `exp` of a JWT access token, read without verifying it (only to know when
/// to refresh).
fn jwt_expiry(token: &Secret) -> Option<SystemTime> {
    let mut parts = token.expose().split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = v.get("exp")?.as_f64()?;
    (exp.is_finite() && exp >= 0.0)
        .then(|| SystemTime::UNIX_EPOCH + Duration::from_secs_f64(exp.min(1e11)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_exp_is_read() {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jwt = format!(
            "{}.{}.sig",
            b(r#"{"alg":"none"}"#),
            b(r#"{"exp":2000000000,"sub":"x"}"#)
        );
        assert_eq!(
            jwt_expiry(&Secret::new(jwt)),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000))
        );
        assert_eq!(jwt_expiry(&Secret::new("opaque-token")), None);
        assert_eq!(jwt_expiry(&Secret::new("a.b.c")), None);
    }

    #[test]
    fn margin_is_at_most_half_the_lifetime() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let mut t = Token::new(Secret::new("a"));
        t.expires_at = Some(now + Duration::from_secs(30));
        let c = cached(t.clone(), now, Duration::from_secs(60));
        assert_eq!(c.refresh_at, Some(now + Duration::from_secs(15)));
        t.expires_at = Some(now + Duration::from_secs(3600));
        let c = cached(t, now, Duration::from_secs(60));
        assert_eq!(c.refresh_at, Some(now + Duration::from_secs(3540)));
    }
}
