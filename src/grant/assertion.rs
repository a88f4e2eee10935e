//! The JWT bearer assertion (RFC 7523 §3): a compact JWS, signed with the key
//! from JWTCertStore, made anew for every token request.

use std::time::{Duration, SystemTime};

use base64::Engine as _;

use super::error::GrantError;
use super::jwt_key::SigningKey;
use crate::secret::Secret;

/// How long an assertion is valid: `exp` = `iat` + 5 minutes (RFC 7523 §3
/// asks for a short lifetime; servers refuse long ones, Google over an hour).
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);

/// What an assertion says besides its times and `jti`.
#[derive(Clone, Copy, Debug)]
pub struct AssertionClaims<'a> {
    /// `iss`: ClaimsIssuer.
    pub issuer: &'a str,
    /// `sub`: ClaimsSubject.
    pub subject: &'a str,
    /// `aud`: the token endpoint URL (TokenURI without its method).
    pub audience: &'a str,
    /// Scope: also sent as the `scope` claim (Google reads it there; RFC 7523
    /// servers read the form parameter and ignore the claim).
    pub scope: &'a [String],
}

/// Sign a new assertion at `now`: header `{"alg","typ":"JWT"[,"kid"]}`,
/// claims `iss`, `sub`, `aud`, `iat`, `exp` (`iat` + [`ASSERTION_LIFETIME`]),
/// a random 128-bit `jti`, and `scope` when there is one.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use base64::Engine as _;
/// use connstr::grant::{AssertionClaims, SigningKey, sign_assertion};
/// use connstr::plan::JwtKeySource;
///
/// let store = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/jwt/ec-p256.pem");
/// let key = SigningKey::load(&JwtKeySource { store: store.into(), password: None, alias: None }).unwrap();
/// let claims = AssertionClaims { issuer: "svc", subject: "alice", audience: "https://as.example/token", scope: &[] };
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000);
/// let jwt = sign_assertion(&key, &claims, now).unwrap();
/// let parts: Vec<&str> = jwt.expose().split('.').collect();
/// let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
/// let payload: serde_json::Value = serde_json::from_slice(&payload).unwrap();
/// assert_eq!(payload["aud"], "https://as.example/token");
/// assert_eq!(payload["exp"], 1_900_000_300);
/// assert_ne!(jwt, sign_assertion(&key, &claims, now).unwrap()); // a new jti each time
/// ```
pub fn sign_assertion(
    key: &SigningKey,
    claims: &AssertionClaims<'_>,
    now: SystemTime,
) -> Result<Secret, GrantError> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let iat = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut jti = [0u8; 16];
    getrandom::fill(&mut jti).map_err(|_| GrantError::Random)?;
    let mut header = serde_json::json!({"alg": key.alg().as_str(), "typ": "JWT"});
    if let Some(kid) = key.key_id() {
        header["kid"] = kid.into();
    }
    let mut payload = serde_json::json!({
        "iss": claims.issuer,
        "sub": claims.subject,
        "aud": claims.audience,
        "iat": iat,
        "exp": iat + ASSERTION_LIFETIME.as_secs(),
        "jti": b64.encode(jti),
    });
    if !claims.scope.is_empty() {
        payload["scope"] = claims.scope.join(" ").into();
    }
    let signing_input = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(payload.to_string())
    );
    let signature = key.sign(signing_input.as_bytes())?;
    Ok(Secret::new(format!(
        "{signing_input}.{}",
        b64.encode(signature)
    )))
}
