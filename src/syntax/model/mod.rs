//! The Autonomous REST **Model file** (`.rest`, named by `RESTConfigFile` /
//! `rcf` / JDBC `Config`), read as people write it.
//!
//! A Model file holds one JSON object, but the vendor's own examples are not
//! strict JSON: they have `//` comments, trailing commas, a missing comma
//! between two members and `\&` inside strings. [`parse_model`] reads all of
//! that, keeps every value and key with its [`Span`], and collects problems
//! as [`ModelProblem`]s instead of stopping at the first one:
//!
//! * accepted silently: `//` comments, a trailing comma before `}` or `]`,
//!   `\&` in a string (read as `&`, the vendor's documented escape);
//! * warnings: a missing comma between two members or items (with the fix:
//!   insert `,`), a `/* */` comment (the vendor does not say whether the
//!   driver reads them), an unknown escape such as `\=` (read as `=`), a raw
//!   control character inside a string, a key written twice;
//! * errors: an unclosed `{` / `[` / string, a missing `:`, an unquoted key,
//!   text where a value was expected, a root that is not an object.
//!
//! The tree is one vector of values in source order (pre-order), so reading a
//! large file allocates once; [`Value`] is a cheap handle into it. Printing the
//! document gives back the source byte for byte ([`ModelDoc::print`]);
//! [`ModelDoc::print_with`] replaces chosen strings (redaction).
//!
//! `#` keys are matched without regard to case ([`Value::get_ci`]): the
//! vendor writes `#tokenuri` and `#tokenUri` for the same entry.
//!
//! The grammar is `grammar/model.abnf`; the parser functions in `parse.rs`
//! quote the rules they implement.
//!
//! ```
//! use connstr::syntax::{parse_model, ValueKind};
//! let text = "{\n  // login\n  \"#authentication\": [\"POST https://{serverName}/login?a=1\\&b=2\",],\n  \"orders\": \"/orders\"\n}";
//! let doc = parse_model(text);
//! assert!(doc.problems().is_empty());
//! let root = doc.root().unwrap();
//! let auth = root.get_ci("#AUTHENTICATION").unwrap();
//! assert_eq!(auth.kind(), ValueKind::Array);
//! let step = auth.items().next().unwrap();
//! assert_eq!(step.as_str().unwrap(), "POST https://{serverName}/login?a=1&b=2");
//! assert_eq!(doc.print(), text);
//! ```

use std::borrow::Cow;
use std::fmt;

use super::Span;

mod parse;

pub use parse::parse_model;

/// What kind of JSON value a [`Value`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueKind {
    /// `{ … }`.
    Object,
    /// `[ … ]`.
    Array,
    /// `"…"`.
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
    /// Text that is not a value; a [`ModelProblem`] says why.
    Invalid,
}

/// Flags of a stored value.
pub(crate) mod flag {
    /// The string value holds a `\` escape.
    pub const ESCAPED: u8 = 1;
    /// The string value has no closing quote.
    pub const UNTERMINATED: u8 = 2;
    /// The value is an object member (it has a key).
    pub const HAS_KEY: u8 = 4;
    /// The key holds a `\` escape.
    pub const KEY_ESCAPED: u8 = 8;
    /// The key is written without quotes (an error, kept for recovery).
    pub const KEY_BARE: u8 = 16;
    /// The key has no closing quote.
    pub const KEY_UNTERMINATED: u8 = 32;
    /// `true` (for [`super::ValueKind::Bool`]).
    pub const TRUE: u8 = 64;
}

/// One stored value, in pre-order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    /// The value's text (quotes, braces included).
    pub(crate) span: Span,
    /// The key's text, quotes included (empty unless [`flag::HAS_KEY`]).
    pub(crate) key: Span,
    /// Index one past the value's last descendant.
    pub(crate) end: u32,
    pub(crate) kind: ValueKind,
    pub(crate) flags: u8,
}

/// What is wrong in a [`ModelProblem`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelProblemKind {
    /// Two members or items with no `,` between them (warning; fix: insert `,`).
    MissingComma,
    /// A `/* … */` comment (warning: the vendor documents only `//`).
    BlockComment,
    /// A `/*` comment with no closing `*/`.
    UnterminatedComment,
    /// A `\x` escape JSON does not define (warning; read as `x`). `\&` is
    /// the vendor's documented escape and is not reported.
    UnknownEscape,
    /// A raw control character (tab, …) inside a string (warning).
    ControlCharacter,
    /// A string with no closing `"` before the end of its line.
    UnterminatedString,
    /// A `{` with no matching `}`.
    UnclosedObject,
    /// A `[` with no matching `]`.
    UnclosedArray,
    /// A member key with no `:` after it.
    ExpectedColon,
    /// A member key not written as a `"string"`.
    UnquotedKey,
    /// Text where a value was expected.
    ExpectedValue,
    /// A number JSON does not allow (`01`, `1.`, `+1`, …).
    BadNumber,
    /// Text where none belongs (after the root object, a stray `]`, …).
    UnexpectedText,
    /// A comma with nothing before it (`{,` or `,,`).
    ExtraComma,
    /// The same key twice in one object (warning; the last one is used).
    DuplicateKey,
    /// The file holds no value at all.
    Empty,
    /// The file's value is not an object.
    RootNotObject,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// The text is larger than a span can address (4 GiB).
    TooLarge,
}

/// How deep objects and arrays may nest before the reader stops descending.
pub const MAX_DEPTH: usize = 128;

impl ModelProblemKind {
    /// Whether this is only a warning (the file still means what it appears to).
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            ModelProblemKind::MissingComma
                | ModelProblemKind::BlockComment
                | ModelProblemKind::UnknownEscape
                | ModelProblemKind::ControlCharacter
                | ModelProblemKind::DuplicateKey
        )
    }

    /// A short description.
    pub fn message(self) -> &'static str {
        match self {
            ModelProblemKind::MissingComma => "missing `,` between two entries",
            ModelProblemKind::BlockComment => {
                "`/* */` comment: the vendor documents only `//` comments in Model files"
            }
            ModelProblemKind::UnterminatedComment => "`/*` comment has no closing `*/`",
            ModelProblemKind::UnknownEscape => {
                "unknown escape in a string: the backslash is dropped"
            }
            ModelProblemKind::ControlCharacter => {
                "raw control character inside a string (strict JSON requires an escape)"
            }
            ModelProblemKind::UnterminatedString => "string has no closing `\"`",
            ModelProblemKind::UnclosedObject => "`{` is never closed",
            ModelProblemKind::UnclosedArray => "`[` is never closed",
            ModelProblemKind::ExpectedColon => "expected `:` after the key",
            ModelProblemKind::UnquotedKey => "key is not a quoted string",
            ModelProblemKind::ExpectedValue => "expected a JSON value",
            ModelProblemKind::BadNumber => "not a JSON number",
            ModelProblemKind::UnexpectedText => "unexpected text",
            ModelProblemKind::ExtraComma => "`,` with nothing before it",
            ModelProblemKind::DuplicateKey => "key given twice in the same object",
            ModelProblemKind::Empty => "the Model file is empty: it must hold one JSON object",
            ModelProblemKind::RootNotObject => "a Model file holds one JSON object `{ … }`",
            ModelProblemKind::TooDeep => "objects and arrays nested too deeply",
            ModelProblemKind::TooLarge => "the Model file is too large to read",
        }
    }

    /// How to fix it.
    pub fn help(self) -> &'static str {
        match self {
            ModelProblemKind::MissingComma => "insert `,` here",
            ModelProblemKind::BlockComment => "use `//` line comments",
            ModelProblemKind::UnterminatedComment => "close the comment with `*/`",
            ModelProblemKind::UnknownEscape => {
                "JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX; write `\\&` for `&` in authentication entries"
            }
            ModelProblemKind::ControlCharacter => "write `\\t`, `\\n`, … instead",
            ModelProblemKind::UnterminatedString => "close the string with `\"` on the same line",
            ModelProblemKind::UnclosedObject => "add the matching `}`",
            ModelProblemKind::UnclosedArray => "add the matching `]`",
            ModelProblemKind::ExpectedColon => "write `\"key\": value`",
            ModelProblemKind::UnquotedKey => "put the key in double quotes",
            ModelProblemKind::ExpectedValue => {
                "a value is a \"string\", a number, true, false, null, an object or an array"
            }
            ModelProblemKind::BadNumber => "write numbers as JSON does: -12, 0.5, 1e3",
            ModelProblemKind::UnexpectedText => "remove it, or check the brackets before it",
            ModelProblemKind::ExtraComma => "remove the extra `,`",
            ModelProblemKind::DuplicateKey => "keep one of them",
            ModelProblemKind::Empty => "write the Model file's `{ … }` object",
            ModelProblemKind::RootNotObject => "wrap the entries in `{ … }`",
            ModelProblemKind::TooDeep => "flatten the structure",
            ModelProblemKind::TooLarge => "split the file",
        }
    }
}

/// A problem found while reading a Model file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ModelProblem {
    /// Where.
    pub span: Span,
    /// What.
    pub kind: ModelProblemKind,
    /// A related place (the first occurrence of a duplicate key, the `{` of
    /// an unclosed object).
    pub related: Option<Span>,
}

impl ModelProblem {
    /// The edit that fixes it, when there is a sure one: replace `span` with
    /// the text (for a missing comma, insert `,`).
    pub fn fix(&self) -> Option<(Span, &'static str)> {
        match self.kind {
            ModelProblemKind::MissingComma => Some((Span::empty(self.span.start()), ",")),
            _ => None,
        }
    }
}

impl fmt::Display for ModelProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.message())
    }
}

/// A Model file as read: the source, its values with spans, and the problems.
#[derive(Clone, Debug)]
pub struct ModelDoc<'a> {
    pub(crate) source: &'a str,
    pub(crate) slots: Vec<Slot>,
    pub(crate) problems: Vec<ModelProblem>,
}

impl<'a> ModelDoc<'a> {
    /// The text that was read.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The top-level value (an object in a well-formed file), if any.
    pub fn root(&self) -> Option<Value<'_, 'a>> {
        (!self.slots.is_empty()).then_some(Value { doc: self, at: 0 })
    }

    /// Every problem found, in source order.
    pub fn problems(&self) -> &[ModelProblem] {
        &self.problems
    }

    /// Whether any problem is an error (not just a warning).
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| !p.kind.is_warning())
    }

    /// Number of values (objects, arrays, strings, …) in the file.
    pub fn value_count(&self) -> usize {
        self.slots.len()
    }

    /// Every value in source order (keys come with their values).
    pub fn values(&self) -> impl Iterator<Item = Value<'_, 'a>> + '_ {
        (0..self.slots.len()).map(move |at| Value { doc: self, at })
    }

    /// The source printed back, byte for byte.
    pub fn print(&self) -> String {
        self.print_with(|_| None)
    }

    /// The source printed back with some string values replaced: `replace` is
    /// called for every string value (not keys) and returns the text to print
    /// instead of the whole string token (quotes included), or `None`.
    ///
    /// ```
    /// use connstr::syntax::parse_model;
    /// let doc = parse_model(r#"{"a": {"password": "hunter2"}}"#);
    /// let out = doc.print_with(|v| (v.key().as_deref() == Some("password")).then(|| "\"<redacted>\"".into()));
    /// assert_eq!(out, r#"{"a": {"password": "<redacted>"}}"#);
    /// ```
    pub fn print_with<'r, F>(&self, mut replace: F) -> String
    where
        F: FnMut(Value<'_, 'a>) -> Option<Cow<'r, str>>,
    {
        let mut out = String::with_capacity(self.source.len());
        let mut at = 0;
        for v in self.values() {
            if v.kind() != ValueKind::String {
                continue;
            }
            if let Some(text) = replace(v) {
                let s = v.span();
                out.push_str(self.source.get(at..s.start()).unwrap_or(""));
                out.push_str(&text);
                at = s.end();
            }
        }
        out.push_str(self.source.get(at..).unwrap_or(""));
        out
    }
}

/// A handle on one value of a [`ModelDoc`].
#[derive(Clone, Copy)]
pub struct Value<'d, 'a> {
    doc: &'d ModelDoc<'a>,
    at: usize,
}

impl fmt::Debug for Value<'_, '_> {
    /// Kind and span only: a value may be a secret typed into the file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Value")
            .field("kind", &self.kind())
            .field("span", &self.span())
            .finish()
    }
}

impl PartialEq for Value<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.doc, other.doc) && self.at == other.at
    }
}

impl<'d, 'a> Value<'d, 'a> {
    fn slot(&self) -> &'d Slot {
        &self.doc.slots[self.at]
    }

    /// The document it belongs to.
    pub fn doc(&self) -> &'d ModelDoc<'a> {
        self.doc
    }

    /// Its position among the document's values (pre-order).
    pub fn index(&self) -> usize {
        self.at
    }

    /// Its kind.
    pub fn kind(&self) -> ValueKind {
        self.slot().kind
    }

    /// Its text, quotes and brackets included.
    pub fn span(&self) -> Span {
        self.slot().span
    }

    /// The raw text of the value.
    pub fn text(&self) -> &'a str {
        self.span().slice(self.doc.source)
    }

    /// For an object member: its key's text, quotes included.
    pub fn key_span(&self) -> Option<Span> {
        let s = self.slot();
        (s.flags & flag::HAS_KEY != 0).then_some(s.key)
    }

    /// The member's whole text, from its key to the end of its value.
    pub fn member_span(&self) -> Span {
        match self.key_span() {
            Some(k) => k.join(self.span()),
            None => self.span(),
        }
    }

    /// For an object member: its key, decoded.
    pub fn key(&self) -> Option<Cow<'a, str>> {
        let s = self.slot();
        if s.flags & flag::HAS_KEY == 0 {
            return None;
        }
        if s.flags & flag::KEY_BARE != 0 {
            return Some(Cow::Borrowed(s.key.slice(self.doc.source)));
        }
        let content = quoted_content(s.key, s.flags & flag::KEY_UNTERMINATED == 0);
        Some(decode(
            content.slice(self.doc.source),
            s.flags & flag::KEY_ESCAPED != 0,
        ))
    }

    /// For a string: the span between the quotes.
    pub fn content_span(&self) -> Option<Span> {
        let s = self.slot();
        (s.kind == ValueKind::String)
            .then(|| quoted_content(s.span, s.flags & flag::UNTERMINATED == 0))
    }

    /// Whether a string's decoded text is its source text (no escapes), so
    /// that a byte offset in [`Value::as_str`] plus [`Value::content_span`]'s
    /// start is its place in the source.
    pub fn is_verbatim(&self) -> bool {
        self.slot().flags & flag::ESCAPED == 0
    }

    /// For a string: its text, escapes decoded (`\&` is `&`).
    pub fn as_str(&self) -> Option<Cow<'a, str>> {
        let content = self.content_span()?;
        Some(decode(content.slice(self.doc.source), !self.is_verbatim()))
    }

    /// For `true` / `false`.
    pub fn as_bool(&self) -> Option<bool> {
        let s = self.slot();
        (s.kind == ValueKind::Bool).then_some(s.flags & flag::TRUE != 0)
    }

    /// For a number that is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        (self.kind() == ValueKind::Number)
            .then(|| self.text().parse().ok())
            .flatten()
    }

    /// The values directly inside an object or array, in order.
    pub fn children(&self) -> Children<'d, 'a> {
        let s = self.slot();
        let inside = matches!(s.kind, ValueKind::Object | ValueKind::Array);
        Children {
            doc: self.doc,
            next: self.at + 1,
            end: if inside { s.end as usize } else { self.at + 1 },
        }
    }

    /// An object's members (each with [`Value::key`]); nothing for other kinds.
    pub fn members(&self) -> Children<'d, 'a> {
        if self.kind() == ValueKind::Object {
            self.children()
        } else {
            self.empty()
        }
    }

    /// An array's items; nothing for other kinds.
    pub fn items(&self) -> Children<'d, 'a> {
        if self.kind() == ValueKind::Array {
            self.children()
        } else {
            self.empty()
        }
    }

    fn empty(&self) -> Children<'d, 'a> {
        Children {
            doc: self.doc,
            next: 0,
            end: 0,
        }
    }

    /// The member with exactly this key (the last one if it is given twice,
    /// as JSON readers do).
    pub fn get(&self, key: &str) -> Option<Value<'d, 'a>> {
        self.members()
            .filter(|m| m.key().as_deref() == Some(key))
            .last()
    }

    /// The member whose key equals `key` ignoring ASCII case (the last one).
    pub fn get_ci(&self, key: &str) -> Option<Value<'d, 'a>> {
        self.members()
            .filter(|m| m.key().is_some_and(|k| k.eq_ignore_ascii_case(key)))
            .last()
    }

    /// The value as `serde_json` would hold it (strings decoded, the last of
    /// duplicate keys kept, invalid values as `null`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self.kind() {
            ValueKind::Object => {
                let mut map = serde_json::Map::new();
                for m in self.members() {
                    if let Some(k) = m.key() {
                        map.insert(k.into_owned(), m.to_json());
                    }
                }
                J::Object(map)
            }
            ValueKind::Array => J::Array(self.items().map(|v| v.to_json()).collect()),
            ValueKind::String => J::String(self.as_str().unwrap_or_default().into_owned()),
            ValueKind::Number => serde_json::from_str::<serde_json::Number>(self.text())
                .map(J::Number)
                .unwrap_or(J::Null),
            ValueKind::Bool => J::Bool(self.as_bool().unwrap_or(false)),
            ValueKind::Null | ValueKind::Invalid => J::Null,
        }
    }
}

/// The values directly inside an object or array.
#[derive(Clone)]
pub struct Children<'d, 'a> {
    doc: &'d ModelDoc<'a>,
    next: usize,
    end: usize,
}

impl<'d, 'a> Iterator for Children<'d, 'a> {
    type Item = Value<'d, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let at = self.next;
        let slot = self.doc.slots.get(at)?;
        self.next = (slot.end as usize).max(at + 1);
        Some(Value { doc: self.doc, at })
    }
}

/// The text between the quotes of a string token.
fn quoted_content(token: Span, terminated: bool) -> Span {
    let start = (token.start() + 1).min(token.end());
    let end = if terminated {
        token.end().saturating_sub(1).max(start)
    } else {
        token.end()
    };
    Span::new(start, end)
}

/// Decode a string's content: JSON escapes, `\&` and any other `\x` as `x`,
/// `\uXXXX` (surrogate pairs joined, a lone surrogate as U+FFFD).
pub(crate) fn decode(content: &str, escaped: bool) -> Cow<'_, str> {
    if !escaped {
        return Cow::Borrowed(content);
    }
    let mut out = String::with_capacity(content.len());
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let Some(hi) = hex4(&mut chars) else {
                    out.push_str("\\u");
                    continue;
                };
                if (0xD800..0xDC00).contains(&hi) {
                    let mut look = chars.clone();
                    if look.next() == Some('\\')
                        && look.next() == Some('u')
                        && let Some(lo) = hex4(&mut look)
                        && (0xDC00..0xE000).contains(&lo)
                    {
                        chars = look;
                        let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                        out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        continue;
                    }
                }
                out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

fn hex4(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<u32> {
    let mut look = chars.clone();
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + look.next()?.to_digit(16)?;
    }
    *chars = look;
    Some(v)
}

#[cfg(test)]
mod tests;
