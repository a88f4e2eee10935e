//! A string that must never be printed by accident.

use std::fmt;

/// The text shown wherever a secret would otherwise appear.
pub const REDACTED: &str = "<redacted>";

/// A secret value: client secret, refresh or access token, SecurityToken,
/// password, authorization code.
///
/// It has no `Display`, its `Debug` prints `<redacted>`, and it serializes as
/// `"<redacted>"`. The value is read only through the explicit [`Secret::expose`].
///
/// ```
/// use connstr::Secret;
/// let s = Secret::new("FaZBFRsGXTaR");
/// assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
/// assert_eq!(s.expose(), "FaZBFRsGXTaR");
/// assert_eq!(serde_json::to_string(&s).unwrap(), "\"<redacted>\"");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wrap a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().into_boxed_str())
    }

    /// The secret value. Every call site is a place a secret leaves its box:
    /// keep them few and obvious.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::new(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}
