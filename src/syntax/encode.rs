//! Encoding values for connection strings (placeholder: being written).
use std::borrow::Cow;

/// Encode `value` so that it parses back as itself in a connection string.
pub fn encode_value(value: &str) -> Cow<'_, str> {
    Cow::Borrowed(value)
}
