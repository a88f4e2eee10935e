//! `WWW-Authenticate` (RFC 9110 §11.6.1): every challenge of a header value,
//! and the Bearer one (RFC 6750 §3) parsed.

/// A parsed `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BearerChallenge {
    /// `error`: `invalid_request`, `invalid_token`, `insufficient_scope`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `realm`.
    pub realm: Option<String>,
}

/// Find and parse the Bearer challenge in a `WWW-Authenticate` value (which
/// may list several challenges).
///
/// ```
/// use connstr::apply::bearer_challenge;
/// let c = bearer_challenge(r#"Basic realm="x", Bearer realm="api", error="invalid_token", error_description="expired""#).unwrap();
/// assert_eq!(c.error.as_deref(), Some("invalid_token"));
/// assert_eq!(c.realm.as_deref(), Some("api"));
/// assert!(bearer_challenge(r#"Basic realm="x""#).is_none());
/// ```
pub fn bearer_challenge(header: &str) -> Option<BearerChallenge> {
    let (_, params) = challenges(header)
        .into_iter()
        .find(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))?;
    let mut c = BearerChallenge::default();
    for (k, v) in params {
        match k.to_ascii_lowercase().as_str() {
            "error" => c.error = Some(v),
            "error_description" => c.error_description = Some(v),
            "scope" => c.scope = Some(v),
            "realm" => c.realm = Some(v),
            _ => {}
        }
    }
    Some(c)
}

/// Every challenge of a `WWW-Authenticate` value: scheme and parameters.
pub(crate) fn challenges(header: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut p = Params::new(header);
    let mut out = Vec::new();
    // Walk challenges: scheme [params…], scheme [params…]
    while let Some(scheme) = p.token() {
        let mut params = Vec::new();
        while let Some(kv) = p.param() {
            params.push(kv);
        }
        out.push((scheme, params));
    }
    out
}

/// A tiny cursor over `WWW-Authenticate` syntax (RFC 9110 §11.6.1).
struct Params<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Params<'a> {
    fn new(s: &'a str) -> Self {
        Params {
            s: s.as_bytes(),
            i: 0,
        }
    }

    fn skip(&mut self, commas: bool) {
        while self.i < self.s.len()
            && (self.s[self.i] == b' '
                || self.s[self.i] == b'\t'
                || (commas && self.s[self.i] == b','))
        {
            self.i += 1;
        }
    }

    fn raw_token(&mut self) -> Option<String> {
        let start = self.i;
        while self.i < self.s.len() && !matches!(self.s[self.i], b' ' | b'\t' | b',' | b'=' | b'"')
        {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    /// The next scheme name.
    fn token(&mut self) -> Option<String> {
        self.skip(true);
        let t = self.raw_token();
        if t.is_none() && self.i < self.s.len() {
            self.i += 1; // stray character: skip it
            return self.token();
        }
        t
    }

    /// The next `name=value` of the current challenge; `None` (cursor
    /// unchanged) when the next thing is a new scheme.
    fn param(&mut self) -> Option<(String, String)> {
        let save = self.i;
        self.skip(true);
        let name = self.raw_token()?;
        self.skip(false);
        if self.s.get(self.i) != Some(&b'=') {
            self.i = save;
            return None;
        }
        self.i += 1;
        self.skip(false);
        let value = if self.s.get(self.i) == Some(&b'"') {
            self.i += 1;
            let mut v = Vec::new();
            while self.i < self.s.len() && self.s[self.i] != b'"' {
                if self.s[self.i] == b'\\' && self.i + 1 < self.s.len() {
                    self.i += 1;
                }
                v.push(self.s[self.i]);
                self.i += 1;
            }
            self.i += 1;
            String::from_utf8_lossy(&v).into_owned()
        } else {
            // token68 or token; may end with '=' padding
            let start = self.i;
            while self.i < self.s.len() && !matches!(self.s[self.i], b' ' | b'\t' | b',') {
                self.i += 1;
            }
            String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
        };
        Some((name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let c =
            bearer_challenge(r#"Bearer error="insufficient_scope", scope="read write""#).unwrap();
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(c.scope.as_deref(), Some("read write"));
        let c = bearer_challenge(r#"bearer error=invalid_token"#).unwrap();
        assert_eq!(c.error.as_deref(), Some("invalid_token"));
        let c = bearer_challenge(r#"Negotiate abc==, Bearer realm="a\"b""#).unwrap();
        assert_eq!(c.realm.as_deref(), Some("a\"b"));
        assert_eq!(c.error, None);
        assert_eq!(bearer_challenge("Bearer"), Some(BearerChallenge::default()));
        assert_eq!(bearer_challenge(""), None);
        assert_eq!(bearer_challenge(",,, ="), None);
    }
}
