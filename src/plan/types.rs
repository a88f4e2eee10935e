//! The typed auth plan: what validation produces and the grant layer executes.
//!
//! Invalid states are unrepresentable: a field a method requires is not an
//! `Option`. Secrets are [`Secret`]s.

use indexmap::IndexMap;
use serde::Serialize;
use url::Url;

pub use crate::options::{AuthMethod, Origin};
use crate::secret::Secret;

/// GET or POST to the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// DataDirect's default when TokenURI has no prefix.
    Get,
    /// `TokenURI=POST https://…`; what RFC 6749 §3.2 requires.
    Post,
}

/// The token endpoint: TokenURI with its optional `GET `/`POST ` prefix.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct TokenEndpoint {
    /// How to request it.
    pub method: HttpMethod,
    /// Where.
    pub url: Url,
}

/// How client credentials are sent (ClientCredentialsMode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ClientCredentialsMode {
    /// Basic header *and* URL parameters (seed 004's default; given explicitly only).
    All,
    /// Basic header only: our default (OPTIONS.md §3).
    Basic,
    /// URL parameters only.
    Url,
    /// In the form body of a POST.
    Post,
}

/// The OAuth client: id, optional secret (public clients have none), and how
/// the credentials travel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Client {
    /// ClientID.
    pub id: String,
    /// ClientSecret, for confidential clients.
    pub secret: Option<Secret>,
    /// ClientCredentialsMode.
    pub mode: ClientCredentialsMode,
}

/// A validated HTTP header name (an RFC 9110 token).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct HeaderName(String);

impl HeaderName {
    /// `Some` when `name` is a valid header name.
    ///
    /// ```
    /// use connstr::plan::HeaderName;
    /// assert!(HeaderName::parse("X-Tenant-Id").is_some());
    /// assert!(HeaderName::parse("Bad Header").is_none());
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        (!name.is_empty() && name.bytes().all(is_tchar)).then(|| HeaderName(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// AuthHeader + SecurityToken in an OAuth flow: one more header on every request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExtraHeader {
    /// AuthHeader.
    pub name: HeaderName,
    /// SecurityToken.
    pub value: Secret,
}

/// The refresh token grant's inputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefreshGrant {
    /// The client.
    pub client: Client,
    /// TokenURI.
    pub endpoint: TokenEndpoint,
    /// RefreshToken; `None` when it is to come from the token store (after
    /// `connstr login`), which legacy `OAuth2` with only ClientID + TokenURI allows.
    pub refresh_token: Option<Secret>,
    /// How to get a refresh token interactively: set only for a refresh token
    /// from the token store (`refresh_token` is `None`) when AuthURI and
    /// RedirectURI are both configured (legacy `OAuth2` with ClientID +
    /// TokenURI + AuthURI + RedirectURI). Omitted from JSON when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login: Option<LoginEndpoints>,
}

/// The endpoints of an interactive authorization code login (`connstr login`)
/// that puts a refresh token into the token store for a [`RefreshGrant`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoginEndpoints {
    /// AuthURI: where the browser is sent.
    pub auth_uri: Url,
    /// RedirectURI: where the browser comes back: a loopback URL with a port
    /// is listened on by the login; any other address is pasted back.
    pub redirect_uri: Url,
    /// Whether the plan asks for PKCE (S256). Legacy `OAuth2` does not; the
    /// login still uses PKCE for a client without a secret.
    pub pkce: bool,
}

/// Which OAuth 2.0 grant to run, with everything it needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "grant", rename_all = "snake_case")]
pub enum Grant {
    /// A given access token, used until it expires; then refreshed when a
    /// refresh grant is configured too.
    AccessToken {
        /// AccessToken.
        access_token: Secret,
        /// What to refresh with once it expires.
        refresh: Option<RefreshGrant>,
    },
    /// `grant_type=refresh_token`.
    RefreshToken(RefreshGrant),
    /// `grant_type=client_credentials`.
    ClientCredentials {
        /// The client (its secret is required by validation).
        client: Client,
        /// TokenURI.
        endpoint: TokenEndpoint,
    },
    /// `grant_type=authorization_code`, with or without PKCE.
    AuthorizationCode {
        /// The client.
        client: Client,
        /// TokenURI.
        endpoint: TokenEndpoint,
        /// RedirectURI.
        redirect_uri: Url,
        /// AuthURI, for an interactive login.
        auth_uri: Option<Url>,
        /// OAuthCode, when already obtained.
        code: Option<Secret>,
        /// Whether to use PKCE (S256).
        pkce: bool,
    },
    /// `grant_type=password` (deprecated by RFC 9700).
    Password {
        /// The client.
        client: Client,
        /// TokenURI.
        endpoint: TokenEndpoint,
        /// User.
        user: String,
        /// Password.
        password: Secret,
    },
    /// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523).
    JwtBearer {
        /// The client: ClientID (with ClientSecret, when set, sent as
        /// ClientCredentialsMode says; without one, `client_id` is sent),
        /// else ClaimsIssuer with no secret (the assertion's `iss` identifies
        /// the client; nothing else is sent).
        client: Client,
        /// TokenURI (also the assertion's `aud`).
        endpoint: TokenEndpoint,
        /// ClaimsIssuer.
        issuer: String,
        /// ClaimsSubject.
        subject: String,
        /// JWTCertStore, JWTCertPassword, JWTCertAlias.
        key: JwtKeySource,
    },
}

/// Where the JWT bearer assertion's signing key is: JWTCertStore (a PKCS#12
/// keystore, a PEM private key, or a Google service-account JSON key file;
/// a Java JKS keystore is recognised and refused with the `keytool` command
/// that converts it), JWTCertPassword, JWTCertAlias.
///
/// ```
/// use connstr::plan::JwtKeySource;
/// let k = JwtKeySource { store: "svc.p12".into(), password: None, alias: None };
/// assert_eq!(k.store.to_str(), Some("svc.p12"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JwtKeySource {
    /// JWTCertStore: the file (relative paths are relative to the working
    /// directory).
    pub store: std::path::PathBuf,
    /// JWTCertPassword (PKCS#12: the store's password, also tried for the key).
    pub password: Option<Secret>,
    /// JWTCertAlias; `None`: the keystore's only private key entry.
    pub alias: Option<String>,
}

impl Grant {
    /// The `grant_type` name (`access_token` for a given access token).
    pub fn name(&self) -> &'static str {
        match self {
            Grant::AccessToken { .. } => "access_token",
            Grant::RefreshToken(_) => "refresh_token",
            Grant::ClientCredentials { .. } => "client_credentials",
            Grant::AuthorizationCode { .. } => "authorization_code",
            Grant::Password { .. } => "password",
            Grant::JwtBearer { .. } => "urn:ietf:params:oauth:grant-type:jwt-bearer",
        }
    }

    /// The token endpoint, when the grant talks to one.
    pub fn endpoint(&self) -> Option<&TokenEndpoint> {
        match self {
            Grant::AccessToken { refresh, .. } => refresh.as_ref().map(|r| &r.endpoint),
            Grant::RefreshToken(r) => Some(&r.endpoint),
            Grant::ClientCredentials { endpoint, .. }
            | Grant::AuthorizationCode { endpoint, .. }
            | Grant::Password { endpoint, .. }
            | Grant::JwtBearer { endpoint, .. } => Some(endpoint),
        }
    }

    /// The client, when the grant has one.
    pub fn client(&self) -> Option<&Client> {
        match self {
            Grant::AccessToken { refresh, .. } => refresh.as_ref().map(|r| &r.client),
            Grant::RefreshToken(r) => Some(&r.client),
            Grant::ClientCredentials { client, .. }
            | Grant::AuthorizationCode { client, .. }
            | Grant::Password { client, .. }
            | Grant::JwtBearer { client, .. } => Some(client),
        }
    }
}

/// An OAuth 2.0 plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OAuth2Plan {
    /// The grant to run.
    pub grant: Grant,
    /// For legacy `AuthenticationMethod=OAuth2`: why this grant was chosen.
    pub chosen_because: Option<String>,
    /// Scope, split on blanks.
    pub scope: Vec<String>,
    /// AuthHeader + SecurityToken.
    pub extra_header: Option<ExtraHeader>,
}

/// What to authenticate with, per method.
// One plan per connection, built once: boxing the OAuth2 variant would only
// make matching on it clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Auth {
    /// No authentication.
    None,
    /// HTTP Basic, in the header named by AuthHeader.
    Basic {
        /// User.
        user: String,
        /// Password.
        password: Secret,
        /// AuthHeader (default `Authorization`).
        header: HeaderName,
    },
    /// HTTP Digest.
    Digest {
        /// User.
        user: String,
        /// Password.
        password: Secret,
    },
    /// SecurityToken as `Authorization: Bearer`.
    BearerToken {
        /// SecurityToken.
        token: Secret,
    },
    /// SecurityToken in the header named by AuthHeader.
    HttpHeader {
        /// AuthHeader.
        header: HeaderName,
        /// SecurityToken.
        token: Secret,
    },
    /// SecurityToken as the URL parameter named by AuthParam.
    UrlParameter {
        /// AuthParam.
        param: String,
        /// SecurityToken.
        token: Secret,
    },
    /// AWS signature.
    Aws {
        /// AccessKey.
        access_key: String,
        /// SecretKey.
        secret_key: Secret,
        /// Region.
        region: String,
    },
    /// A custom login defined in the Model file (`#authentication`).
    Custom(Box<CustomPlan>),
    /// OAuth 2.0 (serialized with `"kind": "oauth2"`).
    #[serde(rename = "oauth2")]
    OAuth2(OAuth2Plan),
}

/// A validated plan: the method, what it needs, and where each value came from.
/// Holding one means it can run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuthPlan {
    /// AuthenticationMethod as configured (legacy `OAuth2` kept as such;
    /// [`OAuth2Plan::grant`] says what it resolved to).
    pub method: AuthMethod,
    /// What to authenticate with.
    pub auth: Auth,
    /// User, when given (part of the token store key).
    pub user: Option<String>,
    /// The DSN the configuration came from, when any (part of the token store key).
    pub dsn: Option<String>,
    /// Canonical option name → where its value came from.
    pub provenance: IndexMap<&'static str, Origin>,
    /// How its requests travel: proxy, TLS, timeout, retries.
    pub transport: crate::plan::Transport,
}

/// A custom login (AuthenticationMethod=Custom): the Model file's
/// `#authentication` (and `#reauthentication`) steps, with the connection's
/// values they fill in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CustomPlan {
    /// RESTConfigFile, as written.
    pub config_file: String,
    /// `#authentication`.
    pub authentication: crate::plan::CustomFlow,
    /// `#reauthentication`, run when a data request gets the REAUTHENTICATE
    /// action; `#authentication` is run again when it fails or is absent.
    pub reauthentication: Option<crate::plan::CustomFlow>,
    /// HTTP status codes whose `#http` action is REAUTHENTICATE (401 when
    /// the Model file has no `#http`).
    pub reauthenticate_on: Vec<u16>,
    /// `{user}`: User.
    pub user: Option<String>,
    /// `{password}`: Password.
    pub password: Option<Secret>,
    /// `{serverName}`: HostName / ServerName.
    pub server_name: Option<String>,
    /// `{customAuthParams[N]}`: CustomAuthParams, split at `;`.
    pub params: Vec<Secret>,
}
