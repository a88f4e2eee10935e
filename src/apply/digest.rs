//! HTTP Digest access authentication (RFC 7616): MD5 and SHA-256 (and their
//! `-sess` variants), `qop=auth`, and RFC 2069 servers that send no qop.
//!
//! A [`DigestSession`] is one connection's state: the challenge the server
//! sent once, then every request answers it again with the next nonce count
//! (`nc`), without a new round trip. A `stale=true` challenge replaces the
//! nonce (the caller retries once).

use std::fmt;

use md5::Md5;
use sha2::{Digest as _, Sha256};

use super::challenges;
use crate::secret::Secret;

/// A Digest hash algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// `MD5` (RFC 2617's, still the most common).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256` (RFC 7616).
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl DigestAlgorithm {
    fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "MD5" => Some(Self::Md5),
            "MD5-SESS" => Some(Self::Md5Sess),
            "SHA-256" => Some(Self::Sha256),
            "SHA-256-SESS" => Some(Self::Sha256Sess),
            _ => None,
        }
    }

    /// The name as written in the header.
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
        }
    }

    fn strength(self) -> u8 {
        match self {
            Self::Md5 | Self::Md5Sess => 1,
            Self::Sha256 | Self::Sha256Sess => 2,
        }
    }

    fn hash(self, data: &str) -> String {
        match self {
            Self::Md5 | Self::Md5Sess => hex(&Md5::digest(data.as_bytes())),
            Self::Sha256 | Self::Sha256Sess => hex(&Sha256::digest(data.as_bytes())),
        }
    }

    fn sess(self) -> bool {
        matches!(self, Self::Md5Sess | Self::Sha256Sess)
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

/// One `WWW-Authenticate: Digest …` challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestChallenge {
    /// `realm`.
    pub realm: String,
    /// `nonce`.
    pub nonce: String,
    /// `opaque`, returned unchanged.
    pub opaque: Option<String>,
    /// `algorithm` (MD5 when absent).
    pub algorithm: DigestAlgorithm,
    /// Whether `qop` offers `auth` (otherwise RFC 2069's response).
    pub qop_auth: bool,
    /// `stale=true`: the nonce expired, the credentials were right.
    pub stale: bool,
    /// `userhash=true` (RFC 7616 §3.4.4).
    pub userhash: bool,
}

/// The strongest Digest challenge we can answer in a `WWW-Authenticate`
/// value (a server may offer SHA-256 and MD5 side by side). `None` when there
/// is none: no Digest scheme, an unknown algorithm, or only `qop=auth-int`.
///
/// ```
/// use connstr::apply::digest::{digest_challenge, DigestAlgorithm};
/// let c = digest_challenge(r#"Digest realm="api", nonce="abc", qop="auth,auth-int", algorithm=MD5, Digest realm="api", nonce="def", qop="auth", algorithm=SHA-256"#).unwrap();
/// assert_eq!(c.algorithm, DigestAlgorithm::Sha256);
/// assert_eq!(c.nonce, "def");
/// ```
pub fn digest_challenge(header: &str) -> Option<DigestChallenge> {
    let mut best: Option<DigestChallenge> = None;
    for (scheme, params) in challenges(header) {
        if !scheme.eq_ignore_ascii_case("digest") {
            continue;
        }
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let Some(nonce) = get("nonce") else { continue };
        let algorithm = match get("algorithm") {
            None => DigestAlgorithm::Md5,
            Some(a) => match DigestAlgorithm::parse(&a) {
                Some(a) => a,
                None => continue,
            },
        };
        let qop_auth = match get("qop") {
            None => false,
            Some(q) => {
                if !q.split(',').any(|o| o.trim().eq_ignore_ascii_case("auth")) {
                    continue; // auth-int only: we do not hash bodies
                }
                true
            }
        };
        let flag = |name: &str| get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let c = DigestChallenge {
            realm: get("realm").unwrap_or_default(),
            nonce,
            opaque: get("opaque"),
            algorithm,
            qop_auth,
            stale: flag("stale"),
            userhash: flag("userhash"),
        };
        if best
            .as_ref()
            .is_none_or(|b| c.algorithm.strength() > b.algorithm.strength())
        {
            best = Some(c);
        }
    }
    best
}

/// One connection's Digest state: the user's credentials, the server's last
/// challenge and the nonce count.
pub struct DigestSession {
    user: String,
    password: Secret,
    challenge: Option<DigestChallenge>,
    nc: u32,
}

impl fmt::Debug for DigestSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestSession")
            .field("user", &self.user)
            .field("challenged", &self.challenge.is_some())
            .field("nc", &self.nc)
            .finish_non_exhaustive()
    }
}

impl DigestSession {
    /// A session that has not been challenged yet.
    pub fn new(user: &str, password: Secret) -> Self {
        DigestSession {
            user: user.to_owned(),
            password,
            challenge: None,
            nc: 0,
        }
    }

    /// Whether a challenge is known (requests carry an `Authorization`).
    pub fn challenged(&self) -> bool {
        self.challenge.is_some()
    }

    /// Take a (new) challenge: the nonce count starts again.
    pub fn set_challenge(&mut self, challenge: DigestChallenge) {
        self.challenge = Some(challenge);
        self.nc = 0;
    }

    /// The `Authorization` value for `method` on `uri` (the request target:
    /// path and query, as sent), with the next nonce count; `None` before a
    /// challenge.
    ///
    /// ```
    /// use connstr::Secret;
    /// use connstr::apply::digest::{digest_challenge, DigestSession};
    /// let mut s = DigestSession::new("Mufasa", Secret::new("Circle of Life"));
    /// s.set_challenge(digest_challenge(r#"Digest realm="http-auth@example.org", qop="auth", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#).unwrap());
    /// let h = s.authorization_with_cnonce("GET", "/dir/index.html", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
    /// assert!(h.contains(r#"response="8ca523f5e9506fed4657c9700eebdbec""#));
    /// assert!(h.contains("nc=00000001"));
    /// ```
    pub fn authorization(&mut self, method: &str, uri: &str) -> Option<String> {
        self.challenge.as_ref()?;
        let mut raw = [0u8; 16];
        if getrandom::fill(&mut raw).is_err() {
            // No system randomness: a time-based cnonce still differs per request.
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            raw = t.to_le_bytes();
        }
        let cnonce = hex(&raw);
        Some(self.authorization_with_cnonce(method, uri, &cnonce))
    }

    /// [`DigestSession::authorization`] with a given client nonce (for tests
    /// against published examples). Panics-free; empty string before a
    /// challenge.
    pub fn authorization_with_cnonce(&mut self, method: &str, uri: &str, cnonce: &str) -> String {
        let Some(c) = &self.challenge else {
            return String::new();
        };
        self.nc = self.nc.wrapping_add(1);
        let alg = c.algorithm;
        let nc = format!("{:08x}", self.nc);
        let mut ha1 = alg.hash(&format!(
            "{}:{}:{}",
            self.user,
            c.realm,
            self.password.expose()
        ));
        if alg.sess() {
            ha1 = alg.hash(&format!("{ha1}:{}:{cnonce}", c.nonce));
        }
        let ha2 = alg.hash(&format!("{method}:{uri}"));
        let response = if c.qop_auth {
            alg.hash(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", c.nonce))
        } else {
            alg.hash(&format!("{ha1}:{}:{ha2}", c.nonce))
        };
        let username = if c.userhash {
            alg.hash(&format!("{}:{}", self.user, c.realm))
        } else {
            self.user.clone()
        };
        let mut out = format!(
            "Digest username=\"{}\", realm=\"{}\", uri=\"{}\", algorithm={}, nonce=\"{}\"",
            quote(&username),
            quote(&c.realm),
            quote(uri),
            alg.name(),
            quote(&c.nonce)
        );
        if c.qop_auth {
            out.push_str(&format!(", nc={nc}, cnonce=\"{cnonce}\", qop=auth"));
        }
        out.push_str(&format!(", response=\"{response}\""));
        if let Some(o) = &c.opaque {
            out.push_str(&format!(", opaque=\"{}\"", quote(o)));
        }
        if c.userhash {
            out.push_str(", userhash=true");
        }
        out
    }
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#;
    const CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    #[test]
    fn rfc7616_section_3_9_1_sha256() {
        let mut s = DigestSession::new("Mufasa", Secret::new("Circle of Life"));
        let c = digest_challenge(CHALLENGE).unwrap();
        assert_eq!(c.algorithm, DigestAlgorithm::Sha256);
        s.set_challenge(c);
        let h = s.authorization_with_cnonce("GET", "/dir/index.html", CNONCE);
        assert!(
            h.contains(
                r#"response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1""#
            ),
            "{h}"
        );
        assert!(h.contains("nc=00000001") && h.contains("qop=auth,") && h.contains("opaque="));
        let h = s.authorization_with_cnonce("GET", "/dir/index.html", CNONCE);
        assert!(h.contains("nc=00000002"), "the nonce count goes up: {h}");
        assert!(!format!("{s:?}").contains("Circle"));
    }

    #[test]
    fn rfc2069_and_odd_challenges() {
        let c = digest_challenge(r#"Digest realm="r", nonce="n""#).unwrap();
        assert_eq!(c.algorithm, DigestAlgorithm::Md5);
        assert!(!c.qop_auth);
        let mut s = DigestSession::new("u", Secret::new("p"));
        s.set_challenge(c);
        let h = s.authorization_with_cnonce("GET", "/", "x");
        // H(H(u:r:p):n:H(GET:/)) with no qop and no nc
        let ha1 = DigestAlgorithm::Md5.hash("u:r:p");
        let ha2 = DigestAlgorithm::Md5.hash("GET:/");
        let want = DigestAlgorithm::Md5.hash(&format!("{ha1}:n:{ha2}"));
        assert!(h.contains(&format!("response=\"{want}\"")) && !h.contains("nc="));
        assert!(digest_challenge(r#"Digest realm="r", nonce="n", qop="auth-int""#).is_none());
        assert!(
            digest_challenge(r#"Digest realm="r", nonce="n", algorithm=SHA-512-256"#).is_none()
        );
        assert!(digest_challenge(r#"Basic realm="r""#).is_none());
        assert!(digest_challenge(r#"Digest realm="r""#).is_none());
        assert!(digest_challenge("").is_none());
        let c =
            digest_challenge(r#"Digest realm="r", nonce="n2", stale=TRUE, userhash=true"#).unwrap();
        assert!(c.stale && c.userhash);
        let mut s = DigestSession::new("u", Secret::new("p"));
        assert_eq!(s.authorization("GET", "/"), None);
        s.set_challenge(c);
        let h = s.authorization("GET", "/").unwrap();
        assert!(h.contains(&format!(
            "username=\"{}\"",
            DigestAlgorithm::Md5.hash("u:r")
        )));
    }
}
