//! Where a value came from.

use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::diagnostic::SourceId;
use crate::syntax::Span;

/// Where an option's value came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Which input.
    pub source: SourceId,
    /// odbc.ini section, when it came from a DSN. Shared by every value of
    /// the section (a large odbc.ini has many values).
    #[serde(serialize_with = "section_as_str")]
    pub section: Option<Arc<str>>,
    /// The key as written.
    pub key: Span,
    /// The raw value as written.
    pub value: Span,
}

fn section_as_str<S: Serializer>(section: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    section.as_deref().serialize(s)
}
