//! Removing the secrets a request carried from anything the server sends back.
//!
//! A server (or a proxy in front of it) may echo the request it got into an
//! error description, an error URI, a header or even the granted scope. What
//! comes back is the secrets *as they were sent*: form-urlencoded in a body or
//! a query, base64 inside a Basic credential. [`Scrubber`] finds each secret
//! in every such form and replaces it with [`REDACTED`].

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use super::request::{BasicEncoding, basic_credentials};
use crate::secret::REDACTED;

/// Secrets shorter than this many bytes are not scrubbed: they would mangle
/// ordinary words, and are not credentials worth the name.
pub const MIN_SCRUB_LEN: usize = 4;

/// Removes secrets from text a server sent, in every encoding they were sent
/// in.
///
/// Each secret is found:
/// - literally;
/// - with any of its bytes percent-encoded, in upper- or lower-case hex, and a
///   space as `+` or `%20`: this covers application/x-www-form-urlencoded and
///   every percent-encoding set, however much of the secret it escapes;
/// - for a client secret given with [`Scrubber::add_basic`], as the base64 of
///   the Basic credential `id:secret` (with id and secret form-urlencoded, as
///   RFC 6749 §2.3.1 says, and raw), with or without its `=` padding, and as
///   the whole `Basic …` value.
///
/// Nothing is computed until the first [`Scrubber::scrub`]; text without an
/// occurrence is returned borrowed.
///
/// ```
/// use connstr::grant::Scrubber;
///
/// let mut s = Scrubber::new();
/// s.add("pa ss/word");
/// s.add_basic("app", "cl+secret");
/// let echoed = "password=pa+ss%2Fword&x=pa%20ss%2fword \
///               Authorization: Basic YXBwOmNsJTJCc2VjcmV0 raw cl+secret";
/// assert_eq!(
///     s.scrub(echoed),
///     "password=<redacted>&x=<redacted> Authorization: <redacted> raw <redacted>"
/// );
/// assert!(matches!(s.scrub("nothing here"), std::borrow::Cow::Borrowed(_)));
/// ```
#[derive(Clone, Default)]
pub struct Scrubber<'a> {
    /// Secret values.
    secrets: Vec<Cow<'a, str>>,
    /// (client id, client secret) pairs sent as Basic credentials.
    basic: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// What to look for, longest first: computed on first use.
    needles: OnceLock<Vec<Cow<'a, str>>>,
}

impl fmt::Debug for Scrubber<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scrubber")
            .field("secrets", &self.secrets.len())
            .field("basic", &self.basic.len())
            .finish()
    }
}

impl<'a> Scrubber<'a> {
    /// A scrubber that knows no secret yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Scrub `secret` (ignored when shorter than [`MIN_SCRUB_LEN`] bytes, or
    /// already known).
    pub fn add(&mut self, secret: impl Into<Cow<'a, str>>) {
        let secret = secret.into();
        if secret.len() >= MIN_SCRUB_LEN && !self.secrets.contains(&secret) {
            self.secrets.push(secret);
            self.needles = OnceLock::new();
        }
    }

    /// Scrub a client secret and the Basic credentials made of `client_id`
    /// and it, in both encodings ([`BasicEncoding`]).
    pub fn add_basic(
        &mut self,
        client_id: impl Into<Cow<'a, str>>,
        secret: impl Into<Cow<'a, str>>,
    ) {
        let secret = secret.into();
        if secret.len() < MIN_SCRUB_LEN {
            return;
        }
        self.add(secret.clone());
        let pair = (client_id.into(), secret);
        if !self.basic.contains(&pair) {
            self.basic.push(pair);
            self.needles = OnceLock::new();
        }
    }

    /// Whether no secret is known (then [`Scrubber::scrub`] changes nothing).
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every occurrence of every secret, in any encoding listed
    /// on [`Scrubber`], replaced by [`REDACTED`]. Borrowed when nothing was
    /// found.
    pub fn scrub<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.secrets.is_empty() || text.len() < MIN_SCRUB_LEN {
            return Cow::Borrowed(text);
        }
        let mut out = Cow::Borrowed(text);
        let mut frontier = Frontier::default();
        for needle in self.needles() {
            if let Some(replaced) = replace_encoded(&out, needle, &mut frontier) {
                out = Cow::Owned(replaced);
            }
        }
        out
    }

    fn needles(&self) -> &[Cow<'a, str>] {
        self.needles.get_or_init(|| {
            let mut v: Vec<Cow<'a, str>> = self.secrets.clone();
            for (id, secret) in &self.basic {
                for encoding in [BasicEncoding::FormUrlEncoded, BasicEncoding::Raw] {
                    let full = basic_credentials(id, secret, encoding);
                    if let Some(b64) = full.strip_prefix("Basic ") {
                        // Without padding: a server may drop it, and `=`
                        // alone gives nothing away.
                        v.push(Cow::Owned(b64.trim_end_matches('=').to_owned()));
                    }
                    v.push(Cow::Owned(full));
                }
            }
            v.sort_by_key(|n| std::cmp::Reverse(n.len()));
            v.dedup();
            v
        })
    }
}

/// Scratch space for [`match_at`]: text positions reachable so far.
#[derive(Default)]
struct Frontier {
    current: Vec<usize>,
    next: Vec<usize>,
}

/// The value of the two hex digits after the `%` at `text[i]`.
fn percent_at(text: &[u8], i: usize) -> Option<u8> {
    let hi = (*text.get(i + 1)? as char).to_digit(16)?;
    let lo = (*text.get(i + 2)? as char).to_digit(16)?;
    u8::try_from(hi * 16 + lo).ok()
}

/// The end of the longest encoded occurrence of `needle` at `start`, if any.
///
/// Each needle byte matches itself, `%XX` (either case) decoding to it, or `+`
/// for a space. Where both the literal and the decoded reading fit (`%25` for
/// `%`), both are followed, so mixed encodings are found too; the set of
/// positions stays small (at most three per needle byte).
fn match_at(text: &[u8], start: usize, needle: &[u8], f: &mut Frontier) -> Option<usize> {
    f.current.clear();
    f.current.push(start);
    for &b in needle {
        f.next.clear();
        for &i in &f.current {
            let Some(&c) = text.get(i) else { continue };
            if c == b || (b == b' ' && c == b'+') {
                f.next.push(i + 1);
            }
            if c == b'%' && percent_at(text, i) == Some(b) {
                f.next.push(i + 3);
            }
        }
        if f.next.is_empty() {
            return None;
        }
        f.next.sort_unstable();
        f.next.dedup();
        std::mem::swap(&mut f.current, &mut f.next);
    }
    f.current.last().copied()
}

/// `text` with every (possibly encoded) occurrence of `needle` replaced, or
/// `None` when there is none.
fn replace_encoded(text: &str, needle: &str, f: &mut Frontier) -> Option<String> {
    let t = text.as_bytes();
    let n = needle.as_bytes();
    let first = *n.first()?;
    // Fast path: nothing in the text can be an encoded byte.
    let may_be_encoded = t.contains(&b'%') || (t.contains(&b'+') && n.contains(&b' '));
    if !may_be_encoded {
        return text
            .contains(needle)
            .then(|| text.replace(needle, REDACTED));
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < t.len() {
        let c = t[i];
        let candidate = c == first || c == b'%' || (c == b'+' && first == b' ');
        if candidate
            && text.is_char_boundary(i)
            && let Some(end) = match_at(t, i, n, f)
            && text.is_char_boundary(end)
        {
            out.push_str(&text[copied..i]);
            out.push_str(REDACTED);
            copied = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    fn form(s: &str) -> String {
        url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
    }

    /// Every byte percent-encoded, in `upper` or lower hex.
    fn all_pct(s: &str, upper: bool) -> String {
        s.bytes()
            .map(|b| {
                if upper {
                    format!("%{b:02X}")
                } else {
                    format!("%{b:02x}")
                }
            })
            .collect()
    }

    /// The hex digits of every `%XX` in lower case.
    fn lower_hex(s: &str) -> String {
        let mut out = String::new();
        let mut left = 0;
        for c in s.chars() {
            if c == '%' {
                left = 2;
                out.push(c);
            } else if left > 0 {
                left -= 1;
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    const SECRETS: [&str; 5] = [
        "Cs-echo/secret+1;{x}",
        "Rt-echo refresh%token",
        "Pw-echo'pass\"word",
        "Nr-%25-x&y=z~",
        "ünï cödé %20+",
    ];

    #[test]
    fn every_encoding_of_every_secret_is_removed() {
        let mut s = Scrubber::new();
        for secret in SECRETS {
            s.add(secret);
        }
        for secret in SECRETS {
            let f = form(secret);
            let forms = [
                secret.to_owned(),
                f.clone(),
                f.replace('+', "%20"),
                lower_hex(&f),
                all_pct(secret, true),
                all_pct(secret, false),
                // encodeURIComponent-like: fewer bytes escaped
                secret.replace('%', "%25").replace(' ', "%20"),
            ];
            for shown in forms {
                let text = format!("before {shown} after {shown}");
                let got = s.scrub(&text);
                assert_eq!(
                    got, "before <redacted> after <redacted>",
                    "{secret:?} as {shown:?}"
                );
            }
        }
    }

    #[test]
    fn basic_credentials_in_both_encodings() {
        let id = "hygiene app:1";
        let secret = "Cs-echo/secret+1;{x}";
        let mut s = Scrubber::new();
        s.add_basic(id, secret);
        for encoding in [BasicEncoding::FormUrlEncoded, BasicEncoding::Raw] {
            let full = basic_credentials(id, secret, encoding);
            let b64 = full.strip_prefix("Basic ").unwrap();
            for text in [
                format!("Authorization: {full}."),
                format!("realm=\"{b64}\""),
                format!("x={}", form(b64)),
                format!("x={}", b64.trim_end_matches('=')),
            ] {
                let got = s.scrub(&text);
                assert!(!got.contains(b64.trim_end_matches('=')), "{text} -> {got}");
                assert!(got.contains(REDACTED), "{text} -> {got}");
            }
        }
        // The secret-only tail of the base64 (what the hardening test looks for).
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            form(id),
            form(secret)
        ));
        assert_eq!(s.scrub(&format!("Basic {b64}")), REDACTED);
    }

    #[test]
    fn short_or_absent_secrets_change_nothing() {
        let mut s = Scrubber::new();
        assert!(s.is_empty());
        s.add("abc");
        s.add_basic("id", "xyz");
        assert!(s.is_empty());
        assert!(matches!(s.scrub("abc xyz"), Cow::Borrowed("abc xyz")));
        s.add("abcd");
        assert!(matches!(s.scrub("100% + nothing"), Cow::Borrowed(_)));
        assert_eq!(
            s.scrub("abcd%61bcd ab%63d"),
            "<redacted><redacted> <redacted>"
        );
        assert!(!format!("{s:?}").contains("abcd"));
    }

    #[test]
    fn longest_secret_first_and_adding_after_use() {
        let mut s = Scrubber::new();
        s.add("abcd");
        assert_eq!(s.scrub("abcdefgh"), "<redacted>efgh");
        s.add("abcdefgh");
        assert_eq!(s.scrub("1 abcdefgh 2 abcd"), "1 <redacted> 2 <redacted>");
    }

    #[test]
    fn mixed_and_ambiguous_percent_forms() {
        let mut s = Scrubber::new();
        s.add("%25x%");
        // literal, fully encoded, and mixed
        for text in ["%25x%", "%2525x%25", "%25x%25", "%2525x%"] {
            assert_eq!(s.scrub(text), REDACTED, "{text}");
        }
        // A dangling or invalid escape is just text.
        s.add("tail!");
        assert_eq!(s.scrub("tail%2"), "tail%2");
        assert_eq!(s.scrub("tail%2g"), "tail%2g");
        assert_eq!(s.scrub("tail%21"), REDACTED);
    }

    #[test]
    fn non_ascii_text_around_an_occurrence() {
        let mut s = Scrubber::new();
        s.add("ünï-secret");
        let text = format!("é {} ü {}", form("ünï-secret"), "ünï-secret");
        assert_eq!(s.scrub(&text), "é <redacted> ü <redacted>");
    }
}
