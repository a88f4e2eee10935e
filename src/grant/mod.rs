//! Phase 4 — **grant**: runs the OAuth 2.0 grant a plan describes against the
//! token endpoint, and keeps the tokens.
//!
//! - [`prepare`] builds the token request as a pure value ([`TokenRequest`]):
//!   GET or POST, client credentials per `ClientCredentialsMode`.
//! - [`TokenClient`] sends it through an [`HttpClient`] (reqwest with redirects
//!   off by default), retries only what is safe ([`RetryPolicy`]) and parses the
//!   answer leniently where servers deviate ([`Token`]) or into a typed
//!   [`GrantError`] with a [`Hint`].
//! - [`TokenSource`] hands out access tokens for a plan: cached, refreshed ahead
//!   of expiry with one refresh in flight, kept in a [`TokenStore`] shared with
//!   other processes under a file lock (or any [`StoreBackend`]).
//! - [`TokenIdentity`] decides which stored token a configuration may use
//!   (grant kind, endpoint, client id, keyed fingerprint of the client
//!   credentials, scope set, user or DSN); [`select`] applies the rules.
//! - [`CustomSource`] runs a Model file's custom login (`#authentication`,
//!   `#reauthentication`) and hands out the credential it yields.
//! - [`SigningKey`] reads the JWT bearer grant's key from JWTCertStore
//!   (PKCS#12, PEM, a Google service-account file; JKS refused with the
//!   command that converts it) and [`sign_assertion`] makes an assertion.
//! - [`LoginSession`] runs the interactive authorization code grant (PKCE S256,
//!   loopback redirect).

mod assertion;
mod custom;
mod error;
mod http;
mod identity;
mod jwt_formats;
mod jwt_key;
mod login;
mod redis_store;
mod redis_url;
mod request;
mod response;
mod scrub;
mod source;
mod store;

pub use assertion::{ASSERTION_LIFETIME, AssertionClaims, sign_assertion};
pub use custom::{
    CustomFailure, CustomOptions, CustomOrigin, CustomProblem, CustomSource, CustomToken, FlowKind,
};
pub use error::{GrantError, Hint, LoginProblem, OAuthErrorCode, ParseProblem};
pub use http::{
    BoxFuture, DEFAULT_BODY_LIMIT, HttpClient, ReqwestClient, RetryPolicy, Timeouts, TokenClient,
};
pub use identity::{
    ClaimValue, Credentials, FingerprintKey, GrantKind, Match, Partition, RecordedIdentity,
    TokenIdentity,
};
pub use jwt_key::{JwtAlg, KeyError, KeyFormat, ServiceAccount, SigningKey};
pub use login::{AuthorizationCode, LoginSession, login_listens, pkce_challenge};
pub use redis_store::{Acquired, Lease, REDIS_KEY_PREFIX, RedisStore, Versioned};
pub use redis_url::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_LEASE, DEFAULT_REDIS_PORT, RedisConfig};
pub use request::{
    BasicEncoding, GrantParams, Header, PrepareOptions, TokenRequest, basic_credentials, prepare,
};
pub use response::{BEARER, HttpResponse, Token};
pub use scrub::{MIN_SCRUB_LEN, Scrubber};
pub use source::{SourceOptions, StoreChoice, TokenOrigin, TokenOutcome, TokenSource};
pub use store::{
    BackendLock, Entry, STORE_ENV, Snapshot, StoreBackend, StoreKey, StoreLock, StoredTokens,
    TokenStore, decode_entries, encode_entries, insert_replacing, select,
};
