//! Pairs hidden inside another entry's value, and the spans of every secret.
//!
//! When a `;` is missing at a line break, the value before it swallows the next
//! pair: in DataDirect's own example (seed 001)
//!
//! ```text
//! ClientID=1234…apps.googleusercontent.com
//! Clientsecret=FaZBFRsGXTaR;
//! ```
//!
//! ClientID's value is two lines long and holds `Clientsecret=FaZBFRsGXTaR`.
//! [`hidden_pairs`] finds such pairs; [`secret_spans`] uses it so that a secret
//! swallowed by another value is still masked.
//!
//! This file finds the hidden pairs; `secrets.rs` says which keys are
//! secret and where a document's secret values are; `urls.rs` finds secrets
//! written inside URLs (`https://user:PW@host`, `?client_secret=…`).

mod secrets;
mod urls;

pub(crate) use secrets::{
    entry_secret_spans, list_secret_spans, merge_spans, occurrence_secret_spans, unparsed_secrets,
};
pub use secrets::{is_secret_key, secret_spans};
pub use urls::{UrlSecret, url_secrets};

use crate::syntax::{Entry, Quote, Span};

use super::catalog::{OptionSpec, lookup};

/// A `Key=value` pair found inside another entry's raw value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HiddenPair {
    /// The hidden key.
    pub key: Span,
    /// The hidden value (inside its quotes when quoted).
    pub value: Span,
    /// The option the key names, when it is one connstr knows.
    pub spec: Option<&'static OptionSpec>,
    /// Whether its value is a secret ([`is_secret_key`] of the key).
    pub secret: bool,
    /// Whether the pair is the value's first word (`A=B=c`: a value written
    /// as a pair) rather than one swallowed after a blank, line break or `;`.
    pub leading: bool,
}

/// Whether a byte separates two words in a value: a blank, a line break or `;`.
fn is_boundary(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b';')
}

/// Whether a byte can be part of an option key written in a value.
#[inline]
fn is_key_byte(b: u8) -> bool {
    /// The answer per byte (asked for every byte of every key of a file).
    const TABLE: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            t[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
            b += 1;
        }
        t
    };
    TABLE[usize::from(b)]
}

/// The part of an entry's raw value that is scanned for hidden pairs: the
/// whole raw value, except a braced value's content (braces are how a user
/// says "this `;` and `=` are mine").
pub fn scan_region(entry: &Entry) -> Span {
    match entry.quote {
        Quote::Braced | Quote::JdbcBraced => {
            let after = (entry.value.end() + 1).min(entry.raw_value.end());
            Span::new(after.max(entry.raw_value.start()), entry.raw_value.end())
        }
        Quote::Bare | Quote::Single => entry.raw_value,
    }
}

/// Every `Key=value` written inside `entry`'s value — at its start (see
/// [`HiddenPair::leading`]) or after a blank, a line break or a `;` —
/// whatever the key. Callers keep the
/// pairs whose [`HiddenPair::spec`] is known, or whose key looks secret
/// ([`is_secret_key`]).
///
/// A hidden value runs to the next line break or `;`, or is `'quoted'` or
/// `{braced}`.
///
/// ```
/// use connstr::options::hidden_pairs;
/// use connstr::syntax::parse_connection_string;
/// let src = "ClientID=abc.apps\nClientsecret=FaZBFRsGXTaR;TokenURI=x";
/// let doc = parse_connection_string(src);
/// let e = doc.entries().next().unwrap();
/// let hidden = hidden_pairs(src, e);
/// assert_eq!(hidden[0].key.slice(src), "Clientsecret");
/// assert_eq!(hidden[0].value.slice(src), "FaZBFRsGXTaR");
/// assert_eq!(hidden[0].spec.unwrap().name, "ClientSecret");
/// ```
pub fn hidden_pairs(source: &str, entry: &Entry) -> Vec<HiddenPair> {
    let region = scan_region(entry);
    let bytes = source.as_bytes();
    let end = region.end().min(bytes.len());
    // No `=`, no pair: most values end here.
    if bytes
        .get(region.start()..end)
        .is_none_or(|r| memchr::memchr(b'=', r).is_none())
    {
        return Vec::new();
    }
    let first = (region.start()..end)
        .find(|&i| !matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(end);
    let starts_word = |p: usize| {
        p == first || p == entry.value.start() || (p > region.start() && is_boundary(bytes[p - 1]))
    };
    let mut found = Vec::new();
    let mut at = region.start();
    while at < end {
        if is_boundary(bytes[at]) || !starts_word(at) {
            at += 1;
            continue;
        }
        let key_start = at;
        let mut k = key_start;
        while k < end && is_key_byte(bytes[k]) {
            k += 1;
        }
        let mut eq = k;
        while eq < end && matches!(bytes[eq], b' ' | b'\t') {
            eq += 1;
        }
        if k == key_start || eq >= end || bytes[eq] != b'=' {
            at += 1;
            continue;
        }
        let key = Span::new(key_start, k);
        let value = hidden_value(bytes, eq + 1, end);
        let spec = lookup(key.slice(source));
        let secret = is_secret_key(key.slice(source));
        found.push(HiddenPair {
            key,
            value,
            spec,
            secret,
            leading: key_start == first || key_start == entry.value.start(),
        });
        // A secret's value is masked whole; any other value may itself hold
        // more pairs after a blank.
        at = if secret {
            value.end().max(eq + 1)
        } else {
            eq + 1
        };
    }
    found
}

/// The value of a hidden pair starting after its `=` at `start`.
fn hidden_value(bytes: &[u8], start: usize, end: usize) -> Span {
    let mut s = start;
    while s < end && matches!(bytes[s], b' ' | b'\t') {
        s += 1;
    }
    if s < end && bytes[s] == b'{' {
        // `{…}` with `}}` for `}`: the content up to the closing brace.
        let content = s + 1;
        let mut i = content;
        while i < end {
            if bytes[i] == b'}' {
                if i + 1 < end && bytes[i + 1] == b'}' {
                    i += 2;
                    continue;
                }
                break;
            }
            i += 1;
        }
        return Span::new(content, i.min(end));
    }
    if s < end && bytes[s] == b'\'' {
        let content = s + 1;
        let close = bytes[content..end]
            .iter()
            .position(|&b| b == b'\'')
            .map_or(end, |i| content + i);
        return Span::new(content, close);
    }
    let stop = bytes[s..end]
        .iter()
        .position(|&b| matches!(b, b';' | b'\r' | b'\n'))
        .map_or(end, |i| s + i);
    let mut e = stop;
    while e > s && matches!(bytes[e - 1], b' ' | b'\t') {
        e -= 1;
    }
    Span::new(s, e)
}
