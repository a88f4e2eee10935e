//! How an access token reaches each driver: a table, keyed by driver name.
//!
//! connstr runs the OAuth 2.0 grant itself and hands the driver only the
//! resulting access token. Drivers spell that differently; each row of
//! [`TOKEN_HANDOFFS`] says how one family does it. Adding a driver means
//! adding a row.

use crate::Secret;
use crate::syntax::{encode_value, parse_connection_string};

/// What to write for one key of a [`TokenHandoff`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandoffValue {
    /// This text, as is.
    Literal(&'static str),
    /// The access token.
    AccessToken,
}

/// One driver family's way to receive an access token.
#[derive(Clone, Copy, Debug)]
pub struct TokenHandoff {
    /// Shown in messages.
    pub family: &'static str,
    /// The row applies when the driver's name or library path contains one of
    /// these, ASCII case-insensitive.
    pub driver_contains: &'static [&'static str],
    /// The keys to set, in order; each replaces every occurrence of the same key.
    pub set: &'static [(&'static str, HandoffValue)],
}

/// The known driver families, first match wins.
pub static TOKEN_HANDOFFS: &[TokenHandoff] = &[TokenHandoff {
    family: "Progress DataDirect",
    driver_contains: &["datadirect", "autorest", "progress"],
    set: &[
        (
            "AuthenticationMethod",
            HandoffValue::Literal("OAuth2-AccessToken"),
        ),
        ("AccessToken", HandoffValue::AccessToken),
    ],
}];

/// The row for a driver named `driver` (its odbcinst.ini name or library path).
///
/// ```
/// use connstr::apply::odbc::handoff_for;
/// assert_eq!(handoff_for("DataDirect 8.0 Autonomous REST Connector").unwrap().family, "Progress DataDirect");
/// assert!(handoff_for("/opt/progress/lib/ivautorest28.so").is_some());
/// assert!(handoff_for("SQLite3").is_none());
/// ```
pub fn handoff_for(driver: &str) -> Option<&'static TokenHandoff> {
    let driver = driver.to_ascii_lowercase();
    TOKEN_HANDOFFS
        .iter()
        .find(|h| h.driver_contains.iter().any(|p| driver.contains(p)))
}

/// `connection_string` with the keys of `handoff` set for `token`: every
/// existing occurrence of those keys (any case, any alias spelling the driver
/// would read the same) is dropped and the new pairs are appended.
///
/// The result holds the token; it is a [`Secret`].
///
/// ```
/// use connstr::Secret;
/// use connstr::apply::odbc::{handoff_for, with_access_token};
/// let h = handoff_for("DataDirect").unwrap();
/// let s = with_access_token("DSN=sales;AuthenticationMethod=OAuth2-ClientCredentials", h, &Secret::new("t;k"));
/// assert_eq!(s.expose(), "DSN=sales;AuthenticationMethod=OAuth2-AccessToken;AccessToken={t;k}");
/// ```
pub fn with_access_token(
    connection_string: &str,
    handoff: &TokenHandoff,
    token: &Secret,
) -> Secret {
    let doc = parse_connection_string(connection_string);
    let src = doc.source();
    let replaced = |key: &str| {
        let canonical = crate::options::lookup(key).map(|o| o.name);
        handoff.set.iter().any(|(k, _)| {
            k.eq_ignore_ascii_case(key) || canonical.is_some_and(|c| c.eq_ignore_ascii_case(k))
        })
    };
    let mut out = String::with_capacity(connection_string.len() + 64);
    for e in doc.entries() {
        if replaced(e.key_str(src)) {
            continue;
        }
        push_pair(&mut out, e.span.slice(src));
    }
    for (k, v) in handoff.set {
        let value = match v {
            HandoffValue::Literal(s) => encode_value(s).into_owned(),
            HandoffValue::AccessToken => encode_value(token.expose()).into_owned(),
        };
        push_pair(&mut out, &format!("{k}={value}"));
    }
    Secret::new(out)
}

fn push_pair(out: &mut String, pair: &str) {
    if !out.is_empty() {
        out.push(';');
    }
    out.push_str(pair.trim());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_every_spelling_and_keeps_the_rest() {
        let h = handoff_for("ivautorest").unwrap();
        let s = with_access_token(
            "Driver={DataDirect REST};authenticationmethod=OAuth2;AccessToken=old;ClientID=c; Host = h ",
            h,
            &Secret::new("abc"),
        );
        assert_eq!(
            s.expose(),
            "Driver={DataDirect REST};ClientID=c;Host = h;AuthenticationMethod=OAuth2-AccessToken;AccessToken=abc"
        );
    }

    #[test]
    fn unknown_driver_has_no_row() {
        assert!(handoff_for("PostgreSQL Unicode").is_none());
    }
}
