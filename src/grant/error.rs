//! The grant layer's one error type.
//!
//! No variant keeps a response body (it may hold a token) or any secret; every
//! variant that a person can do something about carries a [`Hint`].

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// An RFC 6749 §5.2 error code (plus `temporarily_unavailable` and
/// `server_error` from §4.1.2.1, which token endpoints also send).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OAuthErrorCode {
    /// `invalid_request`.
    InvalidRequest,
    /// `invalid_client`.
    InvalidClient,
    /// `invalid_grant`.
    InvalidGrant,
    /// `unauthorized_client`.
    UnauthorizedClient,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `invalid_scope`.
    InvalidScope,
    /// `temporarily_unavailable`.
    TemporarilyUnavailable,
    /// `server_error`.
    ServerError,
    /// `access_denied` (authorization endpoint).
    AccessDenied,
    /// Any other code, as sent (sanitized to printable ASCII, at most 64 characters).
    Other(String),
}

impl OAuthErrorCode {
    /// Parse the `error` member.
    ///
    /// ```
    /// use connstr::grant::OAuthErrorCode;
    /// assert_eq!(OAuthErrorCode::parse("invalid_grant"), OAuthErrorCode::InvalidGrant);
    /// assert_eq!(OAuthErrorCode::parse("slow_down").as_str(), "slow_down");
    /// ```
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => OAuthErrorCode::InvalidRequest,
            "invalid_client" => OAuthErrorCode::InvalidClient,
            "invalid_grant" => OAuthErrorCode::InvalidGrant,
            "unauthorized_client" => OAuthErrorCode::UnauthorizedClient,
            "unsupported_grant_type" => OAuthErrorCode::UnsupportedGrantType,
            "invalid_scope" => OAuthErrorCode::InvalidScope,
            "temporarily_unavailable" => OAuthErrorCode::TemporarilyUnavailable,
            "server_error" => OAuthErrorCode::ServerError,
            "access_denied" => OAuthErrorCode::AccessDenied,
            other => OAuthErrorCode::Other(sanitize(other, 64)),
        }
    }

    /// The code as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            OAuthErrorCode::InvalidRequest => "invalid_request",
            OAuthErrorCode::InvalidClient => "invalid_client",
            OAuthErrorCode::InvalidGrant => "invalid_grant",
            OAuthErrorCode::UnauthorizedClient => "unauthorized_client",
            OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorCode::InvalidScope => "invalid_scope",
            OAuthErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            OAuthErrorCode::ServerError => "server_error",
            OAuthErrorCode::AccessDenied => "access_denied",
            OAuthErrorCode::Other(s) => s,
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Advice a person can act on, attached to an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hint {
    /// A GET to the token endpoint was refused with 404/405.
    UsePost {
        /// The token endpoint URL without its query.
        url: String,
    },
    /// `invalid_client` while sending credentials both in the header and the URL.
    ModeAllRefused,
    /// `invalid_client` in general.
    CheckClientCredentials,
    /// The refresh token is dead (`invalid_grant` on a refresh).
    RunLogin,
    /// `invalid_grant` on a code exchange.
    CodeUsedOrExpired,
    /// `invalid_grant` on a password grant.
    CheckUserPassword,
    /// `invalid_scope`.
    CheckScope,
    /// `unsupported_grant_type` / `unauthorized_client`.
    GrantNotAllowed,
    /// The server redirected the token request.
    RedirectNotFollowed,
    /// Transient trouble: try again later.
    TryLater,
    /// A network failure.
    CheckNetwork,
    /// The token store file is unreadable as JSON.
    FixOrRemoveStore {
        /// The store file.
        path: PathBuf,
    },
    /// The server sent a token type that is not `Bearer`.
    NotBearer,
    /// The Redis token store is unreachable or refused us.
    CheckRedis,
    /// Advice about a custom login.
    Custom(&'static str),
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hint::UsePost { url } => {
                write!(f, "this server wants POST: write `TokenURI=POST {url}`")
            }
            Hint::ModeAllRefused => f.write_str(
                "the server may refuse two client authentication methods at once: \
                 try ClientCredentialsMode=Basic",
            ),
            Hint::CheckClientCredentials => f.write_str(
                "check ClientID and ClientSecret, and ClientCredentialsMode \
                 (Basic, Post or Url) against what the server expects",
            ),
            Hint::RunLogin => f.write_str(
                "the refresh token is dead (expired, revoked or already rotated): \
                 run `connstr login` to get a new one",
            ),
            Hint::CodeUsedOrExpired => f.write_str(
                "the authorization code was already used, has expired, or RedirectURI \
                 differs from the one used to obtain it: run `connstr login` again",
            ),
            Hint::CheckUserPassword => f.write_str("check User and Password"),
            Hint::CheckScope => f.write_str(
                "check Scope: the server does not grant one of the scopes requested to this client",
            ),
            Hint::GrantNotAllowed => f.write_str(
                "this client is not allowed to use this grant: check AuthenticationMethod \
                 and the client's registration on the server",
            ),
            Hint::RedirectNotFollowed => {
                f.write_str("token requests are never redirected: set TokenURI to the final URL")
            }
            Hint::TryLater => f.write_str("the server is having trouble: try again later"),
            Hint::CheckNetwork => f.write_str(
                "check that TokenURI's host is reachable from here (DNS, proxy, firewall, TLS)",
            ),
            Hint::FixOrRemoveStore { path } => write!(
                f,
                "repair or delete {} (then run `connstr login` again)",
                path.display()
            ),
            Hint::CheckRedis => f.write_str(
                "check that Redis runs and is reachable at CONNSTR_TOKEN_STORE, and its user \
                 and password; connstr never falls back to a local file",
            ),
            Hint::Custom(h) => f.write_str(h),
            Hint::NotBearer => f.write_str(
                "connstr sends access tokens as `Authorization: Bearer`; this server issues \
                 another kind of token",
            ),
        }
    }
}

/// Renders `; hint: …` when there is one.
struct HintSuffix<'a>(&'a Option<Hint>);

impl fmt::Display for HintSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(h) => write!(f, " (hint: {h})"),
            None => Ok(()),
        }
    }
}

fn suffix(h: &Option<Hint>) -> HintSuffix<'_> {
    HintSuffix(h)
}

/// Why a response body could not be used. Describes the body, never holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseProblem {
    /// Neither JSON nor a form-encoded body.
    NotJsonOrForm,
    /// The body was empty.
    Empty,
    /// A required member is absent.
    Missing(&'static str),
    /// A member has the wrong type or an impossible value.
    Invalid(&'static str),
    /// The body is not UTF-8.
    NotUtf8,
}

impl fmt::Display for ParseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseProblem::NotJsonOrForm => f.write_str("neither JSON nor form-encoded"),
            ParseProblem::Empty => f.write_str("empty"),
            ParseProblem::Missing(m) => write!(f, "`{m}` is missing"),
            ParseProblem::Invalid(m) => write!(f, "`{m}` has an invalid value"),
            ParseProblem::NotUtf8 => f.write_str("not UTF-8"),
        }
    }
}

/// Everything that can go wrong while getting or keeping a token.
///
/// `Display` names the problem and, when there is one, a hint; neither ever
/// holds a secret or a response body. `Clone` so that every task waiting on one
/// token refresh gets the same error.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GrantError {
    /// The server answered with an RFC 6749 §5.2 error.
    #[error(
        "token endpoint answered `{code}`{}{} (HTTP {status}){}",
        .description.as_ref().map(|d| format!(": {d}")).unwrap_or_default(),
        .uri.as_ref().map(|u| format!(" <{u}>")).unwrap_or_default(),
        suffix(.hint)
    )]
    OAuth {
        /// `error`.
        code: OAuthErrorCode,
        /// `error_description`, sanitized.
        description: Option<String>,
        /// `error_uri`, sanitized.
        uri: Option<String>,
        /// The HTTP status (200 for servers that send errors with 200).
        status: u16,
        /// What to do.
        hint: Option<Hint>,
    },
    /// An HTTP status without a usable OAuth error body.
    #[error("token endpoint answered HTTP {status}{}", suffix(.hint))]
    Status {
        /// The status.
        status: u16,
        /// What to do.
        hint: Option<Hint>,
    },
    /// A 3xx: redirects are never followed for token requests.
    #[error("token endpoint answered with a redirect (HTTP {status}){}", suffix(&Some(Hint::RedirectNotFollowed)))]
    Redirect {
        /// The status.
        status: u16,
    },
    /// Connection, TLS or I/O failure (the message never includes the URL,
    /// which may carry a client secret).
    #[error("could not reach the token endpoint: {message}{}", suffix(&Some(Hint::CheckNetwork)))]
    Network {
        /// What failed, without the URL.
        message: String,
    },
    /// The proxy or TLS settings (ProxyUser, Truststore, …) stopped the
    /// request; the message names the option, never a password.
    #[error("{0}")]
    Transport(#[from] crate::transport::TransportError),
    /// The connect or total timeout elapsed.
    #[error("the token endpoint did not answer within {0:?}")]
    Timeout(Duration),
    /// The response body could not be used.
    #[error(
        "token endpoint answered HTTP {status} with a body that cannot be used \
         ({content_type}, {length} bytes): {problem}{}", suffix(.hint)
    )]
    Unparseable {
        /// The status.
        status: u16,
        /// The Content-Type header, or `no content type`.
        content_type: String,
        /// The body length.
        length: usize,
        /// What was wrong.
        problem: ParseProblem,
        /// What to do.
        hint: Option<Hint>,
    },
    /// The response body exceeded the configured cap.
    #[error("token endpoint's response is larger than {limit} bytes")]
    BodyTooLarge {
        /// The cap.
        limit: usize,
    },
    /// Retries used up; `last` is the final failure.
    #[error("gave up after {attempts} attempts: {last}")]
    RetriesExhausted {
        /// How many requests were sent.
        attempts: u32,
        /// The last failure.
        last: Box<GrantError>,
    },
    /// No refresh token: neither configured nor in the token store.
    #[error(
        "no refresh token for client `{client_id}` at {token_url}: none configured and none \
         in the token store (hint: run `connstr login`)"
    )]
    NoRefreshToken {
        /// The client id.
        client_id: String,
        /// The token endpoint.
        token_url: String,
    },
    /// The stored refresh token was marked dead by an earlier `invalid_grant`.
    #[error(
        "the stored refresh token for client `{client_id}` was rejected earlier \
         (invalid_grant){}", suffix(&Some(Hint::RunLogin))
    )]
    RefreshTokenDead {
        /// The client id.
        client_id: String,
    },
    /// A given access token expired and nothing can renew it.
    #[error(
        "the access token has expired and no refresh is configured \
         (hint: supply a new AccessToken, or a RefreshToken with ClientID and TokenURI)"
    )]
    AccessTokenExpired,
    /// The plan needs an interactive login first.
    #[error(
        "this authorization code grant needs an interactive login first (hint: run `connstr login`)"
    )]
    LoginRequired,
    /// The JWT bearer grant's signing key (JWTCertStore) cannot be used.
    #[error(transparent)]
    Key(#[from] super::jwt_key::KeyError),
    /// Something this configuration cannot do (every grant runs; this is an
    /// interactive login asked of a plan that has none, and the like).
    #[error("{0}: not possible with this configuration")]
    Unsupported(&'static str),
    /// The plan is not an OAuth 2.0 plan.
    #[error("this authentication method does not use a token endpoint")]
    NotOAuth,
    /// The token store file is not valid.
    #[error("the token store {} is corrupt: {message}{}", .path.display(), suffix(.hint))]
    StoreCorrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong (from the JSON parser: line and column, never content).
        message: String,
        /// What to do.
        hint: Option<Hint>,
    },
    /// The token store could not be read or written.
    #[error("token store {}: {action}: {source}", .path.display())]
    StoreIo {
        /// The file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The I/O error.
        source: Arc<std::io::Error>,
    },
    /// Another process held the token store lock for too long.
    #[error("timed out after {waited:?} waiting for the token store lock {}", .path.display())]
    StoreLockTimeout {
        /// The lock file.
        path: PathBuf,
        /// How long we waited.
        waited: Duration,
    },
    /// No default token store location on this system.
    #[error("no state directory for the token store (hint: set CONNSTR_TOKEN_STORE)")]
    NoStoreLocation,
    /// `CONNSTR_TOKEN_STORE` (or an embedder) names a Redis store with a URL
    /// that cannot be used (the message never quotes the URL: it may hold a password).
    #[error(
        "the Redis token store URL is not valid: {message} \
         (hint: write redis://[USER:PASSWORD@]HOST:PORT/DB or rediss://…)"
    )]
    RedisUrl {
        /// What is wrong.
        message: String,
    },
    /// The Redis token store failed or cannot be reached. Never falls back to
    /// a local file (that would fork the refresh token lineage).
    #[error("token store {store} (Redis): {action}: {message}{}", suffix(&Some(Hint::CheckRedis)))]
    Redis {
        /// `redis[s]://[user@]host:port/db`, without the password.
        store: String,
        /// What was being done.
        action: &'static str,
        /// What went wrong (Redis's words, sanitized; never a secret).
        message: String,
    },
    /// A write to the Redis token store was refused because another holder
    /// wrote the entry after this one's refresh lease expired (nothing written).
    #[error(
        "the Redis token store {store} entry was written by another process after this one's \
         refresh lease expired (expected version {expected}, found {current}): not overwritten"
    )]
    RedisLeaseLost {
        /// `redis[s]://[user@]host:port/db`, without the password.
        store: String,
        /// The version this process read.
        expected: u64,
        /// The version found.
        current: u64,
    },
    /// Another process held the Redis refresh lease for too long.
    #[error(
        "timed out after {waited:?} waiting for the refresh lease in the Redis token store {store}"
    )]
    RedisLeaseTimeout {
        /// `redis[s]://[user@]host:port/db`, without the password.
        store: String,
        /// How long we waited.
        waited: Duration,
    },
    /// The interactive login failed.
    #[error("login failed: {0}")]
    Login(LoginProblem),
    /// A value cannot be sent in an HTTP header (a control character in a token, …).
    #[error("a {0} cannot be sent in an HTTP header (it contains a control character)")]
    InvalidHeaderValue(&'static str),
    /// A custom login (`AuthenticationMethod=Custom`) failed: the Model
    /// file's entry, the step as written, what went wrong.
    #[error("{0}{hint}", hint = suffix(&.0.hint().map(Hint::Custom)))]
    Custom(Box<super::custom::CustomFailure>),
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}

/// Why an interactive login failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginProblem {
    /// What was pasted is neither the address the browser landed on (at
    /// RedirectURI) nor a bare authorization code.
    PastedNotRedirect,
    /// Nothing was pasted (standard input ended or held an empty line).
    NothingPasted,
    /// The loopback port could not be bound.
    Bind(String),
    /// The redirect's `state` did not match ours.
    StateMismatch,
    /// The authorization server sent an error to the redirect URI.
    Denied {
        /// `error`.
        code: OAuthErrorCode,
        /// `error_description`, sanitized.
        description: Option<String>,
    },
    /// The redirect had no `code`.
    NoCode,
    /// Nobody came back within the time limit.
    TimedOut(Duration),
}

impl fmt::Display for LoginProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoginProblem::PastedNotRedirect => f.write_str(
                "what was pasted is not an address at RedirectURI nor an authorization code \
                 (paste the whole address from the browser's address bar)",
            ),
            LoginProblem::NothingPasted => f.write_str(
                "nothing was pasted (standard input ended before a line with the address)",
            ),
            LoginProblem::Bind(e) => write!(f, "cannot listen on RedirectURI's port: {e}"),
            LoginProblem::StateMismatch => f.write_str(
                "the redirect's `state` does not match this login (a stale or forged redirect)",
            ),
            LoginProblem::Denied { code, description } => {
                write!(f, "the authorization server answered `{code}`")?;
                if let Some(d) = description {
                    write!(f, ": {d}")?;
                }
                Ok(())
            }
            LoginProblem::NoCode => f.write_str("the redirect carried no `code`"),
            LoginProblem::TimedOut(d) => write!(f, "no redirect arrived within {d:?}"),
        }
    }
}

impl GrantError {
    /// Advice for this error, if any.
    pub fn hint(&self) -> Option<Hint> {
        match self {
            GrantError::OAuth { hint, .. }
            | GrantError::Status { hint, .. }
            | GrantError::Unparseable { hint, .. }
            | GrantError::StoreCorrupt { hint, .. } => hint.clone(),
            GrantError::Redirect { .. } => Some(Hint::RedirectNotFollowed),
            GrantError::Network { .. } => Some(Hint::CheckNetwork),
            GrantError::RefreshTokenDead { .. } | GrantError::NoRefreshToken { .. } => {
                Some(Hint::RunLogin)
            }
            GrantError::LoginRequired => Some(Hint::RunLogin),
            GrantError::Redis { .. } => Some(Hint::CheckRedis),
            GrantError::RetriesExhausted { last, .. } => last.hint(),
            GrantError::Custom(f) => f.hint().map(Hint::Custom),
            _ => None,
        }
    }

    /// The OAuth error code, if the server sent one.
    pub fn oauth_code(&self) -> Option<&OAuthErrorCode> {
        match self {
            GrantError::OAuth { code, .. } => Some(code),
            GrantError::RetriesExhausted { last, .. } => last.oauth_code(),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            GrantError::OAuth { status, .. }
            | GrantError::Status { status, .. }
            | GrantError::Redirect { status }
            | GrantError::Unparseable { status, .. } => Some(*status),
            GrantError::RetriesExhausted { last, .. } => last.status(),
            GrantError::Custom(f) => f.problem.status(),
            _ => None,
        }
    }

    /// Whether the refresh token (or code) used is dead: `invalid_grant`.
    pub fn is_invalid_grant(&self) -> bool {
        self.oauth_code() == Some(&OAuthErrorCode::InvalidGrant)
    }

    pub(crate) fn store_io(
        path: &std::path::Path,
        action: &'static str,
        e: std::io::Error,
    ) -> Self {
        GrantError::StoreIo {
            path: path.to_owned(),
            action,
            source: Arc::new(e),
        }
    }
}

/// Keep printable ASCII (RFC 6749 §5.2 allows %x20-21 / %x23-5B / %x5D-7E, we
/// are a little more generous), cut at `max` characters.
pub(crate) fn sanitize(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .filter(|c| (' '..='~').contains(c))
        .take(max)
        .collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}
