//! Writing values into connection strings and JDBC URLs.
//!
//! [`encode_value`] is the inverse of the value rules of
//! `grammar/connection-string.abnf`, [`encode_jdbc_value`] of those of
//! `grammar/jdbc-url.abnf`: writing `Key=` followed by the result and parsing
//! that back (as a connection string, or as the properties of a JDBC URL)
//! gives the value unchanged.

use std::borrow::Cow;

/// Encode `value` so that `Key=<result>` parses back as exactly `value` in an
/// ODBC connection string (for a JDBC URL, see [`encode_jdbc_value`]).
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

/// A value that no DataDirect JDBC URL can carry: it holds both a `}` and a
/// `'` followed by blanks and `;` (the JDBC rules have no escape).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the value holds both `}}` and `'` before a `;`: a JDBC URL has no way to write it")]
pub struct JdbcEncodeError;

/// Encode `value` so that `Key=<result>` parses back as exactly `value` in the
/// properties of a DataDirect JDBC URL.
///
/// The value is written bare when [`encode_value`] would write it bare.
/// Otherwise it goes in braces, which JDBC takes literally (the outer braces
/// removed once, no `}}` escape): `{a;b}` is `a;b`, `{{hello}}` is `{hello}`.
/// A braced value ends at the first `}` followed by blanks and `;` or the
/// end, so a value holding such a `}` (`a};b`) is written in single quotes
/// instead (same rule, with `'`); one holding both cannot be written at all.
///
/// ```
/// use connstr::syntax::{encode_jdbc_value, parse_jdbc_url};
/// assert_eq!(encode_jdbc_value("sales").unwrap(), "sales");
/// assert_eq!(encode_jdbc_value("jsmith ").unwrap(), "{jsmith }");
/// assert_eq!(encode_jdbc_value("{hello}").unwrap(), "{{hello}}");
/// assert_eq!(encode_jdbc_value("a};b").unwrap(), "'a};b'");
/// assert!(encode_jdbc_value("a};b';c").is_err());
///
/// let url = format!("jdbc:datadirect:autorest:Password={};A=1", encode_jdbc_value("x}} ;y").unwrap());
/// let doc = parse_jdbc_url(&url);
/// assert_eq!(doc.entries().next().unwrap().value_str(doc.source()), "x}} ;y");
/// ```
pub fn encode_jdbc_value(value: &str) -> Result<Cow<'_, str>, JdbcEncodeError> {
    if !needs_braces(value) {
        return Ok(Cow::Borrowed(value));
    }
    let wrap = |open: char, close: char| {
        let mut out = String::with_capacity(value.len() + 2);
        out.push(open);
        out.push_str(value);
        out.push(close);
        Cow::Owned(out)
    };
    if !closes_early(value, b'}') {
        Ok(wrap('{', '}'))
    } else if !closes_early(value, b'\'') {
        Ok(wrap('\'', '\''))
    } else {
        Err(JdbcEncodeError)
    }
}

/// Whether `value` holds `close` followed by blanks and then `;`: written
/// between `open` and `close`, the value would end there.
fn closes_early(value: &str, close: u8) -> bool {
    let bytes = value.as_bytes();
    memchr::memchr_iter(close, bytes).any(|i| {
        bytes[i + 1..]
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            == Some(&b';')
    })
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

    /// Encode `v` for a JDBC URL, parse it back between two other pairs,
    /// return the decoded value and whether there were errors.
    fn jdbc_round_trip(v: &str) -> (String, bool) {
        let enc = encode_jdbc_value(v).unwrap_or_else(|e| panic!("{v:?}: {e}"));
        let text = format!("jdbc:datadirect:autorest:A=1;K={enc};B=2");
        let doc = crate::syntax::parse_jdbc_url(&text);
        let values: Vec<_> = doc
            .entries()
            .map(|e| e.value_str(&text).into_owned())
            .collect();
        assert_eq!(values.len(), 3, "{text:?}");
        (values[1].clone(), doc.errors().is_empty())
    }

    #[test]
    fn jdbc_values_round_trip() {
        for v in [
            "sales", "", "jsmith ", "{hello}", "a;b", "}", "x}}y", "a}b;c", " }{ ", "a};b",
            "a} ;b", "'x';", "a}", "'", "}'",
        ] {
            assert_eq!(jdbc_round_trip(v), (v.to_owned(), true), "{v:?}");
        }
        assert_eq!(encode_jdbc_value("{hello}").as_deref(), Ok("{{hello}}"));
        assert_eq!(encode_jdbc_value("a};b").as_deref(), Ok("'a};b'"));
        assert_eq!(encode_jdbc_value("x}}").as_deref(), Ok("{x}}}"));
    }

    #[test]
    fn some_values_cannot_be_written_in_jdbc() {
        assert_eq!(encode_jdbc_value("a} ;b' ;c"), Err(JdbcEncodeError));
        assert!(!JdbcEncodeError.to_string().contains("a}"));
    }
}
