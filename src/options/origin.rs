//! Where a value came from.

use serde::Serialize;

use crate::diagnostic::SourceId;
use crate::syntax::Span;

/// Where an option's value came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Which input.
    pub source: SourceId,
    /// odbc.ini section, when it came from a DSN.
    pub section: Option<String>,
    /// The key as written.
    pub key: Span,
    /// The raw value as written.
    pub value: Span,
}
