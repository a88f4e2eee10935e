//! Writing values into connection strings and JDBC URLs.
//!
//! [`encode_value`] is the inverse of the value rules of
//! `grammar/connection-string.abnf`: writing `Key=` followed by its result and
//! parsing that back gives the value unchanged.

use std::borrow::Cow;

/// Encode `value` so that `Key=<result>` parses back as exactly `value`, in a
/// connection string or in the properties of a JDBC URL.
///
/// The value is written bare when that is safe, and in braces otherwise, with
/// every `}` doubled ([MS-ODBCSTR]). Braces are used when the value
///
/// * contains `;`, `{`, `}` or `=` (connstr reads `=` and `}` in a bare value
///   fine, but other driver managers do not);
/// * starts or ends with a blank (space, tab, CR or LF), which a bare value
///   loses;
/// * starts with `'`, which would open a single-quoted value.
///
/// The empty value stays empty (`Key=` is how drivers write it). Single quotes
/// are never used to encode: they have no escape. A NUL byte cannot be written
/// in any connection string; it is kept as is and the parser reports it.
///
/// ```
/// use connstr::syntax::encode_value;
/// assert_eq!(encode_value("sales"), "sales");
/// assert_eq!(encode_value(""), "");
/// assert_eq!(encode_value("a;b}c"), "{a;b}}c}");
/// assert_eq!(encode_value(" padded "), "{ padded }");
/// assert_eq!(encode_value("'quoted'"), "{'quoted'}");
/// ```
pub fn encode_value(value: &str) -> Cow<'_, str> {
    if !needs_braces(value) {
        return Cow::Borrowed(value);
    }
    let closing = memchr::memchr_iter(b'}', value.as_bytes()).count();
    let mut out = String::with_capacity(value.len() + closing + 2);
    out.push('{');
    for (i, part) in value.split('}').enumerate() {
        if i > 0 {
            out.push_str("}}");
        }
        out.push_str(part);
    }
    out.push('}');
    Cow::Owned(out)
}

/// Whether `value` cannot be written bare (see [`encode_value`]).
fn needs_braces(value: &str) -> bool {
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let bytes = value.as_bytes();
    match (bytes.first(), bytes.last()) {
        (None, _) | (_, None) => false,
        (Some(&first), Some(&last)) => {
            blank(first)
                || blank(last)
                || first == b'\''
                || bytes.iter().any(|b| matches!(b, b';' | b'{' | b'}' | b'='))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Quote, parse_connection_string};

    /// Encode `v` as the value of `K`, parse it back, return the decoded value,
    /// how it was written and whether there were errors.
    fn round_trip(v: &str) -> (String, Quote, bool) {
        let text = format!("K={}", encode_value(v));
        let doc = parse_connection_string(&text);
        let entries: Vec<_> = doc.entries().collect();
        assert_eq!(entries.len(), 1, "{text:?}");
        (
            entries[0].value_str(&text).into_owned(),
            entries[0].quote,
            doc.errors().is_empty(),
        )
    }

    #[test]
    fn plain_values_stay_bare_and_borrowed() {
        for v in ["sales", "C:/path/x.rest", "a b", "it's", "x'", "é☃", ""] {
            assert!(matches!(encode_value(v), Cow::Borrowed(_)), "{v:?}");
            assert_eq!(round_trip(v), (v.to_owned(), Quote::Bare, true));
        }
    }

    #[test]
    fn special_characters_get_braces() {
        assert_eq!(encode_value("a;b"), "{a;b}");
        assert_eq!(encode_value("a=b"), "{a=b}");
        assert_eq!(encode_value("{x"), "{{x}");
        assert_eq!(encode_value("}"), "{}}}");
        assert_eq!(encode_value("a}}b"), "{a}}}}b}");
        assert_eq!(encode_value("'x"), "{'x}");
        assert_eq!(encode_value("\tx"), "{\tx}");
        assert_eq!(encode_value("x\n"), "{x\n}");
    }

    #[test]
    fn braced_values_round_trip() {
        for v in [
            "a;b", "}", "x}", "}}}", "{", " ", "'a';", "a=b", "\r\n", " }{ ",
        ] {
            assert_eq!(round_trip(v), (v.to_owned(), Quote::Braced, true), "{v:?}");
        }
    }
}
