//! Diagnostics as plain data, and the inputs they point into.
//!
//! Produced by the options and plan phases (and from syntax errors); rendered by
//! the CLI as human text or JSON from the same data. A diagnostic never holds a
//! secret value: messages name keys, not values, and renderers mask secret spans
//! in source snippets.

use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use crate::syntax::{LineCol, LineIndex, Span};

/// Identifies one input text (a file, a `-c` string, standard input) among those
/// a run reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SourceId(pub u32);

/// One input text and its name.
#[derive(Clone, Debug)]
pub struct Source {
    /// How to call it in a diagnostic: a path, `<stdin>`, `<-c 1>`.
    pub name: String,
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
    /// Its text.
    pub text: String,
    index: LineIndex,
}

impl Source {
    /// The 1-based line and column of byte `offset`.
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.index.line_col(&self.text, offset)
    }

    /// The line index.
    pub fn line_index(&self) -> &LineIndex {
        &self.index
    }
}

/// Every input a run reads, addressed by [`SourceId`].
///
/// ```
/// use connstr::diagnostic::Sources;
/// let mut sources = Sources::default();
/// let id = sources.add("<-c 1>", None, "DSN=x;\nUID=me".to_string());
/// let s = sources.get(id).unwrap();
/// assert_eq!(s.line_col(8).line, 2);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Sources {
    sources: Vec<Source>,
}

impl Sources {
    /// Register a text; returns its id.
    pub fn add(
        &mut self,
        name: impl Into<String>,
        path: Option<PathBuf>,
        text: String,
    ) -> SourceId {
        let index = LineIndex::new(&text);
        self.sources.push(Source {
            name: name.into(),
            path,
            text,
            index,
        });
        SourceId(u32::try_from(self.sources.len() - 1).unwrap_or(u32::MAX))
    }

    /// The source with this id.
    pub fn get(&self, id: SourceId) -> Option<&Source> {
        self.sources.get(id.0 as usize)
    }

    /// Every source with its id.
    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &Source)> {
        self.sources
            .iter()
            .enumerate()
            .map(|(i, s)| (SourceId(u32::try_from(i).unwrap_or(u32::MAX)), s))
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Note,
    /// Worth fixing; does not fail `check` unless denied.
    Warning,
    /// The configuration will not work as written.
    Error,
}

/// A place in a source, with an optional label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Which input.
    pub source: SourceId,
    /// Where in it.
    pub span: Span,
    /// What to say there (may be empty).
    pub message: Text,
}

/// Text of a diagnostic: mostly fixed words (no allocation), sometimes
/// composed.
pub type Text = Cow<'static, str>;

/// One problem, as data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The stable lint name, e.g. `unknown-key`.
    pub lint: &'static str,
    /// How bad.
    pub severity: Severity,
    /// What is wrong, in words a connector user understands. Never a secret.
    pub message: Text,
    /// How to fix it.
    pub help: Option<Text>,
    /// Where.
    pub primary: Label,
    /// Related places (e.g. the other occurrence of a duplicate key).
    pub secondary: Vec<Label>,
    /// odbc.ini section, when it applies (shared with the data source's
    /// other diagnostics and its resolved options).
    #[serde(serialize_with = "section_as_str")]
    pub section: Option<Arc<str>>,
    /// The option key concerned, when it applies.
    pub key: Option<Text>,
}

fn section_as_str<S: Serializer>(section: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    section.as_deref().serialize(s)
}
