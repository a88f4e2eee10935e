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

use crate::syntax::{LineCol, LineIndex, Lossless, Span};

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
    /// Its text. For an input that is not UTF-8, the same-length text the
    /// parsers read (see [`Lossless`]): [`Source::original`] has the bytes.
    pub text: String,
    index: LineIndex,
    /// The bytes as read, when they are not `text`.
    lossless: Option<Box<Lossless>>,
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

    /// The bytes as read (the text's bytes for a UTF-8 input).
    pub fn original(&self) -> &[u8] {
        self.lossless
            .as_deref()
            .map_or(self.text.as_bytes(), Lossless::original)
    }

    /// How the bytes were read, when they were not UTF-8.
    pub fn lossless(&self) -> Option<&Lossless> {
        self.lossless.as_deref()
    }

    /// `s`, a string made from this source's text, as it may be shown: a
    /// byte that is not UTF-8 escaped (`\xE9`, see [`Lossless::escape`]).
    pub fn escape<'s>(&self, s: &'s str) -> Cow<'s, str> {
        match &self.lossless {
            Some(l) => l.escape(s),
            None => Cow::Borrowed(s),
        }
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
        self.push(name.into(), path, text, index, None)
    }

    fn push(
        &mut self,
        name: String,
        path: Option<PathBuf>,
        text: String,
        index: LineIndex,
        lossless: Option<Box<Lossless>>,
    ) -> SourceId {
        self.sources.push(Source {
            name,
            path,
            text,
            index,
            lossless,
        });
        SourceId(u32::try_from(self.sources.len() - 1).unwrap_or(u32::MAX))
    }

    /// Register bytes read losslessly ([`Lossless`]); returns its id.
    ///
    /// ```
    /// use connstr::diagnostic::Sources;
    /// use connstr::syntax::Lossless;
    /// let mut sources = Sources::default();
    /// let id = sources.add_lossless("odbc.ini", None, Lossless::decode(b"[a]\nX=\xe9\n".to_vec()));
    /// let s = sources.get(id).unwrap();
    /// assert_eq!(s.original(), b"[a]\nX=\xe9\n");
    /// assert_eq!(s.escape(&s.text[6..7]), "\\xE9");
    /// ```
    pub fn add_lossless(
        &mut self,
        name: impl Into<String>,
        path: Option<PathBuf>,
        bytes: Lossless,
    ) -> SourceId {
        let index = LineIndex::new(bytes.text());
        self.add_lossless_indexed(name, path, bytes, index)
    }

    /// [`Sources::add_lossless`] with the text's [`LineIndex`] already built
    /// (by [`check_limits_indexed`](crate::syntax::check_limits_indexed)):
    /// a large input's line breaks are then found once.
    ///
    /// ```
    /// use connstr::diagnostic::Sources;
    /// use connstr::syntax::{check_limits_indexed, Limits, Lossless};
    /// let bytes = Lossless::decode(b"[a]\nX=1\n".to_vec());
    /// let index = check_limits_indexed(bytes.text(), &Limits::default()).unwrap();
    /// let mut sources = Sources::default();
    /// let id = sources.add_lossless_indexed("odbc.ini", None, bytes, index);
    /// assert_eq!(sources.get(id).unwrap().line_col(4).line, 2);
    /// ```
    pub fn add_lossless_indexed(
        &mut self,
        name: impl Into<String>,
        path: Option<PathBuf>,
        bytes: Lossless,
        index: LineIndex,
    ) -> SourceId {
        let (text, lossless) = if bytes.is_utf8() {
            (bytes.into_text(), None)
        } else {
            (bytes.text().to_owned(), Some(Box::new(bytes)))
        };
        self.push(name.into(), path, text, index, lossless)
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
    /// A machine-applicable change that resolves it, when connstr knows one
    /// (`connstr fix` applies it; JSON and SARIF show it).
    pub fix: Option<Box<Fix>>,
}

/// Whether applying a [`Fix`] keeps what the configuration does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// The result is certain and means what the author evidently meant
    /// (a missing `;`, a misspelled key with exactly one close candidate, a
    /// duplicate that was never used): `connstr fix` applies it.
    Safe,
    /// It changes what the connector does (for example it sends the token
    /// request with POST instead of GET): `connstr fix` applies it only
    /// with `--unsafe`.
    Unsafe,
}

/// One replacement in a source text: the bytes of `span` become
/// `replacement` (an empty span inserts, an empty replacement deletes).
///
/// A replacement never holds a secret: fixes insert separators, option
/// names and fixed words, or delete bytes; they never copy a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// Which input.
    pub source: SourceId,
    /// The bytes replaced (byte offsets into that input's text).
    pub span: Span,
    /// What they become.
    pub replacement: Text,
}

/// A machine-applicable fix for one [`Diagnostic`]: a title saying what it
/// does, and its edits (non-overlapping, in any order).
///
/// ```
/// use connstr::diagnostic::{Applicability, Edit, Fix, SourceId};
/// use connstr::syntax::Span;
///
/// let text = "ClientID=app\nClientSecret=s";
/// let fix = Fix::new("insert `;` after the value of ClientID", Applicability::Safe)
///     .edit(SourceId(0), Span::empty(12), ";");
/// assert_eq!(fix.apply_to(SourceId(0), text).unwrap(), "ClientID=app;\nClientSecret=s");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, e.g. ``insert `;` after the value of ClientID``.
    /// Never a secret.
    pub title: Text,
    /// Safe (applied by `connstr fix`) or unsafe (only with `--unsafe`).
    pub applicability: Applicability,
    /// The replacements.
    pub edits: Vec<Edit>,
}

/// Edits that cannot be applied to a text: they overlap, or reach outside
/// it or into the middle of a character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditConflict;

impl std::fmt::Display for EditConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the edits overlap or do not fit the text")
    }
}

impl std::error::Error for EditConflict {}

impl Fix {
    /// A fix with no edits yet.
    pub fn new(title: impl Into<Text>, applicability: Applicability) -> Self {
        Fix {
            title: title.into(),
            applicability,
            edits: Vec::new(),
        }
    }

    /// Add an edit: `span` of `source` becomes `replacement`.
    pub fn edit(mut self, source: SourceId, span: Span, replacement: impl Into<Text>) -> Self {
        self.edits.push(Edit {
            source,
            span,
            replacement: replacement.into(),
        });
        self
    }

    /// `text` (the text of `source`) with this fix's edits for `source`
    /// applied. Fails when they overlap or do not fit the text.
    pub fn apply_to(&self, source: SourceId, text: &str) -> Result<String, EditConflict> {
        apply_edits(text, self.edits.iter().filter(|e| e.source == source))
    }
}

/// `text` with `edits` applied (each span refers to `text` as given; the
/// order of `edits` does not matter). Two insertions at the same offset keep
/// their order; any other overlap is an [`EditConflict`].
///
/// ```
/// use connstr::diagnostic::{apply_edits, Edit, SourceId};
/// use connstr::syntax::Span;
/// let e = |a, b, r: &'static str| Edit { source: SourceId(0), span: Span::new(a, b), replacement: r.into() };
/// assert_eq!(apply_edits("a=1\nb:2", &[e(5, 6, "="), e(3, 3, ";")]).unwrap(), "a=1;\nb=2");
/// assert!(apply_edits("abc", &[e(0, 2, ""), e(1, 3, "")]).is_err());
/// ```
pub fn apply_edits<'a>(
    text: &str,
    edits: impl IntoIterator<Item = &'a Edit>,
) -> Result<String, EditConflict> {
    let mut edits: Vec<&Edit> = edits.into_iter().collect();
    // Stable: insertions at one offset keep their given order.
    edits.sort_by_key(|e| (e.span.start(), e.span.end()));
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for e in edits {
        let (start, end) = (e.span.start(), e.span.end());
        if start < at || end < start || !text.is_char_boundary(start) || !text.is_char_boundary(end)
        {
            return Err(EditConflict);
        }
        out.push_str(&text[at..start]);
        out.push_str(&e.replacement);
        at = end;
    }
    out.push_str(text.get(at..).ok_or(EditConflict)?);
    Ok(out)
}

/// [`apply_edits`] on the bytes a text was read from ([`Lossless`]): the
/// same edits (spans are byte offsets into both), the bytes outside them
/// kept as read — a Latin-1 file stays Latin-1 outside the edits.
///
/// ```
/// use connstr::diagnostic::{apply_edits_bytes, Edit, SourceId};
/// use connstr::syntax::Span;
/// let e = Edit { source: SourceId(0), span: Span::empty(6), replacement: ";".into() };
/// assert_eq!(apply_edits_bytes(b"A=Caf\xe9\nB=1", [&e]).unwrap(), b"A=Caf\xe9;\nB=1");
/// ```
pub fn apply_edits_bytes<'a>(
    bytes: &[u8],
    edits: impl IntoIterator<Item = &'a Edit>,
) -> Result<Vec<u8>, EditConflict> {
    let mut edits: Vec<&Edit> = edits.into_iter().collect();
    edits.sort_by_key(|e| (e.span.start(), e.span.end()));
    let mut out = Vec::with_capacity(bytes.len() + 16);
    let mut at = 0;
    for e in edits {
        let (start, end) = (e.span.start(), e.span.end());
        if start < at || end < start || end > bytes.len() {
            return Err(EditConflict);
        }
        out.extend_from_slice(&bytes[at..start]);
        out.extend_from_slice(e.replacement.as_bytes());
        at = end;
    }
    out.extend_from_slice(bytes.get(at..).ok_or(EditConflict)?);
    Ok(out)
}

fn section_as_str<S: Serializer>(section: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    section.as_deref().serialize(s)
}
