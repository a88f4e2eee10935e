//! Phase 1 — **syntax**: lossless parsers for the three surface forms.
//!
//! * ODBC connection strings ([`parse_connection_string`]): `Key=Value;` pairs,
//!   `{braced;values}` with `}}` for a literal `}`, `'single quoted'` values as
//!   DataDirect writes them.
//! * DataDirect JDBC URLs ([`parse_jdbc_url`]): `jdbc:datadirect:autorest:` then
//!   `//host;`, a URL or nothing, then the same `;`-separated properties.
//! * odbc.ini / odbcinst.ini files ([`parse_ini`]) with unixODBC's rules.
//! * Autonomous REST Model files (`.rest`, [`parse_model`]): JSON as the
//!   vendor writes it (comments, trailing commas, `\&`), as a tree of values
//!   with spans ([`ModelDoc`]) rather than a list of entries.
//!
//! All three produce a [`Document`]: a sequence of [`Node`]s whose spans tile the
//! input, so [`Document::print`] gives the input back byte for byte. Entries hold
//! spans, not copies; values are decoded (braces, `}}`, quotes) only when asked.
//! Problems are collected as [`SyntaxError`]s, never thrown: the parsers recover at
//! the next `;` or line and never panic.
//!
//! The grammars are written down in `grammar/*.abnf`; each parser function quotes
//! the rule it implements.
//!
//! ```
//! use connstr::syntax::parse_connection_string;
//! let doc = parse_connection_string("DSN=sales;ClientSecret={a;b}}c}");
//! let e: Vec<_> = doc.entries().map(|e| (e.key_str(doc.source()), e.value_str(doc.source()))).collect();
//! assert_eq!(e[1].0, "ClientSecret");
//! assert_eq!(e[1].1, "a;b}c");
//! assert_eq!(doc.print(), doc.source());
//! ```

use std::borrow::Cow;
use std::fmt;

mod bytes;
mod conn;
mod encode;
mod ini;
mod jdbc;
mod limits;
mod model;
mod span;

pub use bytes::{Lossless, replace_spans};
pub use conn::parse_connection_string;
pub use encode::{JdbcEncodeError, encode_jdbc_value, encode_value};
pub(crate) use ini::parse_ini_indexed;
pub use ini::{INI_LINE_LIMIT, parse_ini};
pub use jdbc::parse_jdbc_url;
pub use limits::{LimitError, Limits, check_limits, check_limits_indexed};
pub use model::{
    Children, MAX_DEPTH, ModelDoc, ModelProblem, ModelProblemKind, Value, ValueKind, parse_model,
};
pub(crate) use span::narrow;
pub use span::{LineCol, LineIndex, Span};

/// Which surface form a [`Document`] was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// An ODBC connection string.
    ConnectionString,
    /// A DataDirect JDBC URL.
    JdbcUrl,
    /// An odbc.ini or odbcinst.ini file.
    Ini,
}

/// How a value was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Quote {
    /// Written as is (surrounding blanks are not part of the value).
    Bare,
    /// `{…}`, where `}}` stands for `}`.
    Braced,
    /// `'…'`, as DataDirect's examples write them.
    Single,
    /// `{…}` in a DataDirect JDBC URL: the content is taken literally, the
    /// outer braces removed once (`{{hello}}` is `{hello}`; there is no `}}`
    /// escape).
    JdbcBraced,
}

impl Quote {
    /// Whether the value is in braces, by the ODBC or the JDBC rule: its
    /// content is the user's own (`;` and `=` in it are not separators).
    ///
    /// ```
    /// use connstr::syntax::Quote;
    /// assert!(Quote::Braced.is_braced() && Quote::JdbcBraced.is_braced());
    /// assert!(!Quote::Single.is_braced());
    /// ```
    pub fn is_braced(self) -> bool {
        matches!(self, Quote::Braced | Quote::JdbcBraced)
    }
}

/// One `key=value` pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The whole entry, from the first byte of the key to the end of the raw value.
    pub span: Span,
    /// The key, without surrounding blanks.
    pub key: Span,
    /// Byte offset of the `=` (see [`Entry::eq_offset`]; 32 bits, as in [`Span`]).
    pub(crate) eq: u32,
    /// The value as written: for connection strings and JDBC URLs everything
    /// between `=` and the separator (blanks, braces and quotes included); for
    /// odbc.ini the text after the first `=`, trimmed.
    pub raw_value: Span,
    /// The value's content: inside the braces or quotes, or the trimmed raw text
    /// of a bare value. Braced content may still hold `}}`: see [`Entry::value_str`].
    pub value: Span,
    /// How the value was written.
    pub quote: Quote,
    /// odbc.ini: index of the section holding the entry (see [`Entry::section`]).
    pub(crate) section: Option<u32>,
}

impl Entry {
    /// Byte offset of the `=`.
    #[inline]
    pub fn eq_offset(&self) -> usize {
        self.eq as usize
    }

    /// odbc.ini: index of the section (in [`Document::sections`]) holding the
    /// entry; `None` before the first header, and in connection strings.
    #[inline]
    pub fn section(&self) -> Option<usize> {
        self.section.map(|s| s as usize)
    }

    /// The key text.
    pub fn key_str<'s>(&self, source: &'s str) -> &'s str {
        self.key.slice(source)
    }

    /// The decoded value: braces and quotes removed, `}}` turned into `}`
    /// (ODBC braces only: JDBC braces have no escape, see [`Quote::JdbcBraced`]).
    pub fn value_str<'s>(&self, source: &'s str) -> Cow<'s, str> {
        let content = self.value.slice(source);
        if self.quote == Quote::Braced && content.contains("}}") {
            Cow::Owned(content.replace("}}", "}"))
        } else {
            Cow::Borrowed(content)
        }
    }
}

/// An odbc.ini `[section]` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Section {
    /// The header, from `[` to `]` (or to the end of the line when unterminated).
    pub span: Span,
    /// The name inside the brackets, trimmed.
    pub name: Span,
}

/// The `jdbc:<subprotocol>:<driver>:` head of a JDBC URL and what follows it
/// before the properties (`//host`, a URL, or nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JdbcPrefix {
    /// The whole head: `jdbc:<subprotocol>:<driver>:` and the target, if any.
    /// The `;` after it is [`TriviaKind::Separator`] trivia.
    pub span: Span,
    /// `datadirect` in `jdbc:datadirect:autorest:`.
    pub subprotocol: Span,
    /// `autorest` in `jdbc:datadirect:autorest:`.
    pub driver: Span,
    /// `//host:port` or a URL, when present.
    pub target: Option<Span>,
}

/// What a stretch of [`Trivia`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TriviaKind {
    /// Blanks (spaces, tabs) and, in connection strings, line breaks.
    Whitespace,
    /// A `;` separating two pairs.
    Separator,
    /// An odbc.ini comment line (`#` or `;`), without its line break.
    Comment,
    /// An odbc.ini line break (`\n` or `\r\n`).
    Newline,
}

/// Text that carries no entry: blanks, separators, comments, line breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Trivia {
    /// Where it is.
    pub span: Span,
    /// What it is.
    pub kind: TriviaKind,
}

/// One piece of a [`Document`]. The spans of a document's nodes tile its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// A `key=value` pair.
    Entry(Entry),
    /// An odbc.ini section header.
    Section(Section),
    /// The head of a JDBC URL.
    Prefix(JdbcPrefix),
    /// Blanks, separators, comments, line breaks.
    Trivia(Trivia),
    /// Text that could not be parsed, kept verbatim; a [`SyntaxError`] says why.
    Invalid(Span),
}

impl Node {
    /// The bytes this node covers.
    pub fn span(&self) -> Span {
        match self {
            Node::Entry(e) => e.span,
            Node::Section(s) => s.span,
            Node::Prefix(p) => p.span,
            Node::Trivia(t) => t.span,
            Node::Invalid(s) => *s,
        }
    }
}

/// What is wrong in a [`SyntaxError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyntaxErrorKind {
    /// `{` with no closing `}`.
    UnterminatedBrace,
    /// `'` with no closing `'`.
    UnterminatedQuote,
    /// A pair with no `=`.
    MissingEquals,
    /// `=value` with nothing before the `=`.
    EmptyKey,
    /// Text after a closing `}` (or quote) before the next `;`.
    TextAfterClosingBrace,
    /// odbc.ini: an entry before the first `[section]`.
    TextBeforeSection,
    /// odbc.ini: `[name` with no `]`.
    UnterminatedSection,
    /// odbc.ini: text after the `]` of a section header.
    TextAfterSection,
    /// odbc.ini: a line of 1000 bytes or more (a warning: unixODBC's 1000-byte
    /// line buffer cuts it and reads the rest as a separate line; connstr reads
    /// it whole).
    LineTooLong,
    /// A JDBC URL that does not start with `jdbc:<subprotocol>:<driver>:`.
    BadJdbcPrefix,
    /// A NUL byte, which no driver manager accepts.
    NulByte,
}

impl SyntaxErrorKind {
    /// Whether this is only a warning (the text still means what it appears to).
    pub fn is_warning(self) -> bool {
        matches!(self, SyntaxErrorKind::LineTooLong)
    }

    /// A short description.
    pub fn message(self) -> &'static str {
        match self {
            SyntaxErrorKind::UnterminatedBrace => "unterminated `{`: no closing `}`",
            SyntaxErrorKind::UnterminatedQuote => "unterminated `'`: no closing quote",
            SyntaxErrorKind::MissingEquals => "expected `key=value`, found no `=`",
            SyntaxErrorKind::EmptyKey => "empty key before `=`",
            SyntaxErrorKind::TextAfterClosingBrace => {
                "text after the closing brace or quote, before the next `;`"
            }
            SyntaxErrorKind::TextBeforeSection => "entry before the first `[section]`",
            SyntaxErrorKind::UnterminatedSection => "section header has no closing `]`",
            SyntaxErrorKind::TextAfterSection => "text after the `]` of a section header",
            SyntaxErrorKind::LineTooLong => {
                "line of 1000 bytes or more: unixODBC reads the rest as a separate line"
            }
            SyntaxErrorKind::BadJdbcPrefix => {
                "a JDBC URL starts with `jdbc:<subprotocol>:<driver>:`"
            }
            SyntaxErrorKind::NulByte => "NUL byte in the text",
        }
    }
}

/// A problem found while parsing, with the span it concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SyntaxError {
    /// Where.
    pub span: Span,
    /// What.
    pub kind: SyntaxErrorKind,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.message())
    }
}

/// A parsed text: the source, its nodes in order, and the problems found.
#[derive(Clone, Debug)]
pub struct Document<'a> {
    source: &'a str,
    form: Form,
    nodes: Vec<Node>,
    errors: Vec<SyntaxError>,
    /// odbc.ini: per section header, in order, where it is in `nodes` and
    /// how many entries follow it before the next header (recorded while
    /// parsing, so that indexing a large file is per section, not per node).
    sections: Vec<SectionAt>,
}

/// Where an odbc.ini section header is in [`Document::nodes`], and how many
/// entries its section holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SectionAt {
    /// The header (a copy of the node's).
    pub(crate) header: Section,
    /// Index of the [`Node::Section`].
    pub(crate) node: usize,
    /// Entries between it and the next header.
    pub(crate) entries: u32,
}

impl<'a> Document<'a> {
    /// Assemble a document. The nodes' spans must tile `source` in order.
    pub(crate) fn new(
        source: &'a str,
        form: Form,
        nodes: Vec<Node>,
        errors: Vec<SyntaxError>,
    ) -> Self {
        debug_assert!(tiles(source, &nodes), "nodes must tile the source");
        Document {
            source,
            form,
            nodes,
            errors,
            sections: Vec::new(),
        }
    }

    /// Record where the section headers are (odbc.ini): `sections` must list
    /// every [`Node::Section`] of the nodes, in order.
    pub(crate) fn with_sections(mut self, sections: Vec<SectionAt>) -> Self {
        debug_assert!(
            sections.iter().map(|s| (s.node, s.header)).eq(self
                .nodes
                .iter()
                .enumerate()
                .filter_map(|(i, n)| match n {
                    Node::Section(s) => Some((i, *s)),
                    _ => None,
                })),
            "section positions must match the nodes"
        );
        self.sections = sections;
        self
    }

    /// Where the section headers are in [`Document::nodes`] (odbc.ini).
    pub(crate) fn section_positions(&self) -> &[SectionAt] {
        &self.sections
    }

    /// The text that was parsed.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// Which form it was parsed as.
    pub fn form(&self) -> Form {
        self.form
    }

    /// Every node, in source order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The `key=value` entries, in source order, duplicates kept.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.nodes.iter().filter_map(|n| match n {
            Node::Entry(e) => Some(e),
            _ => None,
        })
    }

    /// odbc.ini section headers, in source order ([`Entry::section`] indexes this).
    pub fn sections(&self) -> impl Iterator<Item = &Section> + '_ {
        self.sections.iter().map(|at| &at.header)
    }

    /// The JDBC head, for a JDBC URL.
    pub fn jdbc_prefix(&self) -> Option<&JdbcPrefix> {
        self.nodes.iter().find_map(|n| match n {
            Node::Prefix(p) => Some(p),
            _ => None,
        })
    }

    /// Every problem found, in source order.
    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// The document printed back: byte for byte the source.
    pub fn print(&self) -> String {
        self.print_with(|_| None)
    }

    /// The document printed back with some raw values replaced: `replace` is
    /// called for every entry and returns the text to print instead of its raw
    /// value, or `None` to keep it.
    pub fn print_with<'r, F>(&self, mut replace: F) -> String
    where
        F: FnMut(&Entry) -> Option<Cow<'r, str>>,
    {
        let mut out = String::with_capacity(self.source.len());
        for node in &self.nodes {
            match node {
                Node::Entry(e) => match replace(e) {
                    Some(v) => {
                        out.push_str(
                            Span::new(e.span.start(), e.raw_value.start()).slice(self.source),
                        );
                        out.push_str(&v);
                        out.push_str(Span::new(e.raw_value.end(), e.span.end()).slice(self.source));
                    }
                    None => out.push_str(e.span.slice(self.source)),
                },
                other => out.push_str(other.span().slice(self.source)),
            }
        }
        out
    }
}

/// Whether `nodes` cover `source` exactly, in order, with no gap or overlap.
pub(crate) fn tiles(source: &str, nodes: &[Node]) -> bool {
    let mut at = 0;
    for n in nodes {
        let s = n.span();
        if s.start() != at || s.end() < s.start() {
            return false;
        }
        at = s.end();
    }
    at == source.len()
}
