//! Token identity: which cached token a configuration may use.
//!
//! A token is handed out from the cache or the token store only to a
//! configuration that would make the server issue the same token: the same
//! grant kind, token endpoint (method and URL), client id, client credentials
//! (as a keyed fingerprint: HMAC-SHA256 with a random key kept in the store,
//! never a bare hash and never the secret in a key), scope set (order and
//! duplicates do not matter), user or DSN, and whatever a grant kind adds
//! (JWT bearer: issuer, subject, key fingerprint — see [`TokenIdentity::claim`]).
//!
//! Matching rules (what [`TokenIdentity`] presents vs. what an entry holds):
//!
//! - token URL, client id and user/DSN always have to be equal (they form the
//!   entry's [`Partition`]);
//! - every other field the configuration *presents* has to equal the entry's;
//!   a field the configuration does *not* present (no ClientSecret, no Scope —
//!   the stripped string after `connstr login`) matches whatever the entry
//!   holds, and the entry's stored client secret is used to refresh;
//! - a field the entry does not know (a store migrated from format 1, an entry
//!   made by a stripped string) matches too, but then the entry's access
//!   token is *not* handed out: a request is made (refresh with the entry's
//!   refresh token, or the configured grant), and when the server accepts it
//!   the entry learns the field;
//! - a configured refresh token picks the entry whose lineage (current or
//!   rotated-away refresh tokens) contains it; outside every lineage it
//!   starts an entry of its own.

use std::collections::BTreeSet;

use hmac::{KeyInit as _, Mac as _};
use serde::{Deserialize, Serialize};

use super::error::GrantError;
use crate::plan::{ClientCredentialsMode, Grant, HttpMethod, OAuth2Plan};
use crate::secret::Secret;

/// Which kind of grant issued a token (the part of `grant_type` that decides
/// what the server hands out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantKind {
    /// `client_credentials`.
    ClientCredentials,
    /// `password`.
    Password,
    /// A refresh token lineage on behalf of a user: the authorization code
    /// grant (`connstr login`), the refresh token grant, and a configured
    /// AccessToken with a refresh grant all continue one.
    RefreshToken,
    /// `urn:ietf:params:oauth:grant-type:jwt-bearer`.
    JwtBearer,
}

impl GrantKind {
    /// The kind of a plan's grant; `None` for a bare AccessToken (no endpoint).
    pub fn of(grant: &Grant) -> Option<Self> {
        Some(match grant {
            Grant::AccessToken { refresh: None, .. } => return None,
            Grant::AccessToken { .. }
            | Grant::RefreshToken(_)
            | Grant::AuthorizationCode { .. } => GrantKind::RefreshToken,
            Grant::ClientCredentials { .. } => GrantKind::ClientCredentials,
            Grant::Password { .. } => GrantKind::Password,
            Grant::JwtBearer { .. } => GrantKind::JwtBearer,
        })
    }

    /// The name used in the store file.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantKind::ClientCredentials => "client_credentials",
            GrantKind::Password => "password",
            GrantKind::RefreshToken => "refresh_token",
            GrantKind::JwtBearer => "jwt_bearer",
        }
    }
}

/// A value a grant kind adds to the identity (see [`TokenIdentity::claim`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClaimValue {
    /// Kept as is (an issuer, a subject).
    Text(String),
    /// Kept only as a keyed fingerprint (a private key, a key's thumbprint
    /// input): never stored or shown.
    Secret(Secret),
}

/// The client credentials a configuration presents: ClientSecret and how it
/// is sent (ClientCredentialsMode). Both go into one keyed fingerprint, so a
/// right secret sent the wrong way is another identity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// ClientCredentialsMode.
    pub mode: ClientCredentialsMode,
    /// ClientSecret.
    pub secret: Secret,
}

/// Everything that decides which token a server issues, as a configuration
/// presents it. `None` (or empty) means "not presented": matches any entry.
///
/// ```
/// use connstr::grant::TokenIdentity;
///
/// // What a plain (url, client, user) key used to be: presents nothing else.
/// let id = TokenIdentity::new(&"https://as.example/token".parse().unwrap(), "app", Some("alice"), None);
/// assert_eq!(id.user.as_deref(), Some("alice"));
/// assert!(id.credentials.is_none() && id.scope.is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TokenIdentity {
    /// The grant kind; `None` = any.
    pub grant: Option<GrantKind>,
    /// GET or POST to the token endpoint; `None` = any.
    pub method: Option<HttpMethod>,
    /// The token endpoint URL.
    pub token_url: String,
    /// ClientID.
    pub client_id: String,
    /// User, when given.
    pub user: Option<String>,
    /// The DSN, used only when there is no User.
    pub dsn: Option<String>,
    /// ClientSecret + ClientCredentialsMode; `None` = not presented.
    pub credentials: Option<Credentials>,
    /// Scope, as a set; `None` = not presented.
    pub scope: Option<BTreeSet<String>>,
    /// What the grant kind adds, sorted by name.
    pub claims: Vec<(String, ClaimValue)>,
}

impl TokenIdentity {
    /// An identity that presents only the endpoint URL, client id and user
    /// (or DSN): it matches every entry of that [`Partition`]. `dsn` is
    /// dropped when `user` is given (the user identifies the tokens).
    pub fn new(
        token_url: &url::Url,
        client_id: &str,
        user: Option<&str>,
        dsn: Option<&str>,
    ) -> Self {
        TokenIdentity {
            grant: None,
            method: None,
            token_url: token_url.as_str().to_owned(),
            client_id: client_id.to_owned(),
            user: user.map(str::to_owned),
            dsn: if user.is_some() {
                None
            } else {
                dsn.map(str::to_owned)
            },
            credentials: None,
            scope: None,
            claims: Vec::new(),
        }
    }

    /// The identity of a plan's tokens (`None` for a bare AccessToken, which
    /// talks to no token endpoint). The password grant's user names the tokens
    /// when no User is given.
    ///
    /// ```
    /// use connstr::Secret;
    /// use connstr::grant::{GrantKind, TokenIdentity};
    /// use connstr::plan::{Client, ClientCredentialsMode, Grant, HttpMethod, OAuth2Plan, TokenEndpoint};
    ///
    /// let plan = OAuth2Plan {
    ///     grant: Grant::ClientCredentials {
    ///         client: Client { id: "svc".into(), secret: Some(Secret::new("s")), mode: ClientCredentialsMode::Basic },
    ///         endpoint: TokenEndpoint { method: HttpMethod::Post, url: "https://as.example/token".parse().unwrap() },
    ///     },
    ///     chosen_because: None,
    ///     scope: vec!["b".into(), "a".into(), "b".into()],
    ///     extra_header: None,
    /// };
    /// let id = TokenIdentity::of_plan(&plan, None, Some("Reporting")).unwrap();
    /// assert_eq!(id.grant, Some(GrantKind::ClientCredentials));
    /// assert_eq!(id.scope.unwrap().into_iter().collect::<Vec<_>>(), ["a", "b"]);
    /// assert_eq!(id.dsn.as_deref(), Some("Reporting"));
    /// ```
    pub fn of_plan(plan: &OAuth2Plan, user: Option<&str>, dsn: Option<&str>) -> Option<Self> {
        let kind = GrantKind::of(&plan.grant)?;
        let endpoint = plan.grant.endpoint()?;
        let client = plan.grant.client()?;
        let user = user.or(match &plan.grant {
            Grant::Password { user, .. } => Some(user.as_str()),
            _ => None,
        });
        let mut id = TokenIdentity::new(&endpoint.url, &client.id, user, dsn);
        id.grant = Some(kind);
        id.method = Some(endpoint.method);
        id.credentials = client.secret.as_ref().map(|s| Credentials {
            mode: client.mode,
            secret: s.clone(),
        });
        let scope: BTreeSet<String> = plan.scope.iter().cloned().collect();
        id.scope = (!scope.is_empty()).then_some(scope);
        if let Grant::JwtBearer {
            issuer, subject, ..
        } = &plan.grant
        {
            id = id
                .claim("issuer", ClaimValue::Text(issuer.clone()))
                .claim("subject", ClaimValue::Text(subject.clone()));
        }
        Some(id)
    }

    /// Add a field a grant kind contributes (JWT bearer: `issuer`, `subject`,
    /// `key`). A later claim of the same name replaces the earlier one.
    ///
    /// ```
    /// use connstr::Secret;
    /// use connstr::grant::{ClaimValue, TokenIdentity};
    /// let id = TokenIdentity::new(&"https://as.example/token".parse().unwrap(), "app", None, None)
    ///     .claim("key", ClaimValue::Secret(Secret::new("-----BEGIN PRIVATE KEY-----…")))
    ///     .claim("issuer", ClaimValue::Text("app".into()));
    /// assert_eq!(id.claims[0].0, "issuer");
    /// assert!(!format!("{id:?}").contains("PRIVATE"));
    /// ```
    pub fn claim(mut self, name: &str, value: ClaimValue) -> Self {
        self.claims.retain(|(n, _)| n != name);
        self.claims.push((name.to_owned(), value));
        self.claims.sort_by(|a, b| a.0.cmp(&b.0));
        self
    }

    /// The partition: the fields every match needs equal.
    pub fn partition(&self) -> Partition {
        Partition {
            token_url: self.token_url.clone(),
            client_id: self.client_id.clone(),
            user: self.user.clone(),
            dsn: if self.user.is_some() {
                None
            } else {
                self.dsn.clone()
            },
        }
    }

    /// What an entry made by this identity records, with secrets replaced by
    /// their fingerprints under `key`.
    pub fn recorded(&self, key: &FingerprintKey) -> RecordedIdentity {
        RecordedIdentity {
            grant: self.grant,
            method: self.method,
            credentials: self.credentials.as_ref().map(|c| key.credentials(c)),
            scope: self.scope.as_ref().map(|s| s.iter().cloned().collect()),
            claims: self
                .claims
                .iter()
                .map(|(n, v)| (n.clone(), key.claim(n, v)))
                .collect(),
        }
    }

    /// How an entry recorded as `entry` compares with this identity.
    pub fn compare(&self, key: &FingerprintKey, entry: &RecordedIdentity) -> Match {
        let mut unverified = false;
        let mut field = |presented: Option<String>, held: Option<&str>| -> bool {
            match (presented, held) {
                (None, _) => true,
                (Some(_), None) => {
                    unverified = true;
                    true
                }
                (Some(p), Some(h)) => p == h,
            }
        };
        let same = field(
            self.grant.map(|g| g.as_str().to_owned()),
            entry.grant.map(GrantKind::as_str),
        ) && field(
            self.method.map(|m| method_name(m).to_owned()),
            entry.method.map(method_name),
        ) && field(
            self.scope
                .as_ref()
                .map(|s| s.iter().cloned().collect::<Vec<_>>().join(" ")),
            entry.scope.as_ref().map(|s| s.join(" ")).as_deref(),
        ) && self.claims.iter().all(|(n, v)| {
            let held = entry
                .claims
                .iter()
                .find(|(hn, _)| hn == n)
                .map(|(_, h)| h.as_str());
            field(Some(key.claim(n, v)), held)
        });
        let same_credentials = field(
            self.credentials.as_ref().map(|c| key.credentials(c)),
            entry.credentials.as_deref(),
        );
        match (same, same_credentials, unverified) {
            (false, _, _) => Match::No,
            (true, false, _) => Match::OtherCredentials,
            (true, true, true) => Match::Unverified,
            (true, true, false) => Match::Verified,
        }
    }
}

fn method_name(m: HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
    }
}

/// The fields every match needs equal: token endpoint URL, client id, user
/// (or, without a user, DSN). A store backend may keep each partition apart
/// (name it with [`FingerprintKey::partition_name`], which holds no user name).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Partition {
    /// The token endpoint URL.
    pub token_url: String,
    /// ClientID.
    pub client_id: String,
    /// User.
    pub user: Option<String>,
    /// DSN (only without a user).
    pub dsn: Option<String>,
}

/// What a store entry records of the identity that made it. `None` = not
/// known (not presented when it was made, or migrated from format 1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordedIdentity {
    /// Grant kind.
    pub grant: Option<GrantKind>,
    /// Token endpoint method.
    pub method: Option<HttpMethod>,
    /// Keyed fingerprint of ClientSecret + ClientCredentialsMode (`hmac-sha256:…`).
    pub credentials: Option<String>,
    /// The requested scope, sorted and without duplicates.
    pub scope: Option<Vec<String>>,
    /// Grant-specific fields (secrets as fingerprints), sorted by name.
    pub claims: Vec<(String, String)>,
}

impl RecordedIdentity {
    /// Learn what `presented` shows and this record did not know (after the
    /// server accepted a request made with it). Presented credentials replace
    /// recorded ones (the server just accepted them).
    pub fn learn(&mut self, key: &FingerprintKey, presented: &TokenIdentity) {
        let now = presented.recorded(key);
        self.grant = self.grant.or(now.grant);
        self.method = self.method.or(now.method);
        if now.credentials.is_some() {
            self.credentials = now.credentials;
        }
        if self.scope.is_none() {
            self.scope = now.scope;
        }
        for (n, v) in now.claims {
            if !self.claims.iter().any(|(h, _)| *h == n) {
                self.claims.push((n, v));
            }
        }
        self.claims.sort();
    }
}

/// How an entry compares with a configuration's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// Some presented field differs: another identity.
    No,
    /// Only the client credentials differ (a changed or wrong ClientSecret,
    /// another ClientCredentialsMode). Another identity, except that a refresh
    /// token lineage may be continued with the presented credentials: the
    /// server decides, and the entry takes the new credentials only when it
    /// accepts them.
    OtherCredentials,
    /// Nothing differs, but the entry does not know some presented field: its
    /// refresh token may be tried (the server decides), its access token is
    /// not handed out.
    Unverified,
    /// Everything presented is equal.
    Verified,
}

/// The random key of a store's fingerprints (32 bytes, kept in the store).
#[derive(Clone, PartialEq, Eq)]
pub struct FingerprintKey([u8; 32]);

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(<redacted>)")
    }
}

impl FingerprintKey {
    /// A new random key.
    pub fn generate() -> Result<Self, GrantError> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).map_err(|_| GrantError::Random)?;
        Ok(FingerprintKey(k))
    }

    /// The key from its hex form (as kept in a store).
    pub fn from_hex(hex: &str) -> Option<Self> {
        let bytes = hex.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut k = [0u8; 32];
        for (i, pair) in bytes.chunks(2).enumerate() {
            let s = std::str::from_utf8(pair).ok()?;
            k[i] = u8::from_str_radix(s, 16).ok()?;
        }
        Some(FingerprintKey(k))
    }

    /// The hex form, to keep in a store (it is itself secret: whoever has it
    /// can test guesses of a client secret against a fingerprint).
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    fn mac(&self, label: &str, parts: &[&[u8]]) -> String {
        // HMAC accepts keys of any length: this cannot fail.
        let mut mac = match hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.0) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(label.as_bytes());
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p);
        }
        format!("hmac-sha256:{}", hex(&mac.finalize().into_bytes()))
    }

    /// The fingerprint of presented client credentials.
    pub fn credentials(&self, c: &Credentials) -> String {
        let mode = format!("{:?}", c.mode);
        self.mac(
            "client-credentials",
            &[mode.as_bytes(), c.secret.expose().as_bytes()],
        )
    }

    /// The recorded form of a claim.
    pub fn claim(&self, name: &str, v: &ClaimValue) -> String {
        match v {
            ClaimValue::Text(t) => t.clone(),
            ClaimValue::Secret(s) => self.mac("claim", &[name.as_bytes(), s.expose().as_bytes()]),
        }
    }

    /// The fingerprint of a refresh token (to recognise a rotated-away one).
    pub fn refresh_token(&self, rt: &Secret) -> String {
        self.mac("refresh-token", &[rt.expose().as_bytes()])
    }

    /// A name for a partition that shows none of its fields (for a backend
    /// that keeps partitions under names, e.g. Redis keys).
    ///
    /// ```
    /// use connstr::grant::{FingerprintKey, TokenIdentity};
    /// let key = FingerprintKey::generate().unwrap();
    /// let p = TokenIdentity::new(&"https://as.example/token".parse().unwrap(), "app", Some("alice"), None).partition();
    /// let name = key.partition_name(&p);
    /// assert!(name.starts_with("hmac-sha256:") && !name.contains("alice"));
    /// ```
    pub fn partition_name(&self, p: &Partition) -> String {
        let opt = |o: &Option<String>| match o {
            Some(s) => format!("1{s}"),
            None => "0".to_owned(),
        };
        self.mac(
            "partition",
            &[
                p.token_url.as_bytes(),
                p.client_id.as_bytes(),
                opt(&p.user).as_bytes(),
                opt(&p.dsn).as_bytes(),
            ],
        )
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> TokenIdentity {
        let mut id = TokenIdentity::new(
            &"https://as.example/token".parse().unwrap(),
            "app",
            Some("alice"),
            None,
        );
        id.grant = Some(GrantKind::ClientCredentials);
        id.method = Some(HttpMethod::Post);
        id.credentials = Some(Credentials {
            mode: ClientCredentialsMode::Basic,
            secret: Secret::new("right-secret"),
        });
        id.scope = Some(["a".to_owned(), "b".to_owned()].into());
        id
    }

    #[test]
    fn every_presented_field_counts() {
        let key = FingerprintKey::generate().unwrap();
        let rec = base().recorded(&key);
        assert_eq!(base().compare(&key, &rec), Match::Verified);
        let mut wrong = base();
        wrong.credentials.as_mut().unwrap().secret = Secret::new("wrong");
        assert_eq!(wrong.compare(&key, &rec), Match::OtherCredentials);
        let mut mode = base();
        mode.credentials.as_mut().unwrap().mode = ClientCredentialsMode::Post;
        assert_eq!(mode.compare(&key, &rec), Match::OtherCredentials);
        let mut wrong_and_get = wrong.clone();
        wrong_and_get.method = Some(HttpMethod::Get);
        assert_eq!(wrong_and_get.compare(&key, &rec), Match::No);
        let mut get = base();
        get.method = Some(HttpMethod::Get);
        assert_eq!(get.compare(&key, &rec), Match::No);
        let mut scope = base();
        scope.scope = Some(["a".to_owned()].into());
        assert_eq!(scope.compare(&key, &rec), Match::No);
        let mut grant = base();
        grant.grant = Some(GrantKind::Password);
        assert_eq!(grant.compare(&key, &rec), Match::No);
        // Not presenting a secret or scope uses the entry those made.
        let mut stripped = base();
        stripped.credentials = None;
        stripped.scope = None;
        assert_eq!(stripped.compare(&key, &rec), Match::Verified);
        // An entry that does not know the secret (format 1): unverified.
        let mut old = rec.clone();
        old.credentials = None;
        old.grant = None;
        assert_eq!(base().compare(&key, &old), Match::Unverified);
        // ...and learns it.
        old.learn(&key, &base());
        assert_eq!(base().compare(&key, &old), Match::Verified);
    }

    #[test]
    fn fingerprints_are_keyed_and_hide_the_secret() {
        let k1 = FingerprintKey::generate().unwrap();
        let k2 = FingerprintKey::generate().unwrap();
        let c = base().credentials.unwrap();
        let f1 = k1.credentials(&c);
        assert_ne!(f1, k2.credentials(&c));
        assert!(!f1.contains("right-secret"));
        assert_eq!(FingerprintKey::from_hex(&k1.to_hex()), Some(k1.clone()));
        assert_eq!(FingerprintKey::from_hex("zz"), None);
        // Mode and secret are length-prefixed: no ambiguity between them.
        let other = Credentials {
            mode: ClientCredentialsMode::Basic,
            secret: Secret::new("right-secre"),
        };
        assert_ne!(f1, k1.credentials(&other));
    }

    #[test]
    fn scope_order_and_duplicates_do_not_matter() {
        let key = FingerprintKey::generate().unwrap();
        let mut a = base();
        a.scope = Some(["b", "a", "b"].iter().map(|s| s.to_string()).collect());
        assert_eq!(a.compare(&key, &base().recorded(&key)), Match::Verified);
    }
}
