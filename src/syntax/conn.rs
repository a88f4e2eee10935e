//! ODBC connection strings: `Key=Value` pairs separated by `;`.
//!
//! The rules are those of [MS-ODBCSTR] (braced values, `}}` for a literal `}`)
//! plus what DataDirect's documents write: whole values in single quotes,
//! blanks around `=` and line breaks between pairs. The grammar is
//! `grammar/connection-string.abnf`; each function below quotes the rules it
//! implements.
//!
//! The parser never fails: text it cannot read becomes a [`Node::Invalid`] (or
//! stays inside the entry it belongs to) and a [`SyntaxError`] says why; it
//! resumes at the next `;`. The JDBC parser reuses [`connection_string`] for the
//! properties after its prefix, with spans rebased onto the whole URL.

use memchr::{memchr, memchr_iter, memchr2};
use nom::bytes::complete::take_while;
use nom::character::complete::char;
use nom::{IResult, Parser};

use super::narrow;
use super::{
    Document, Entry, Form, Node, Quote, Span, SyntaxError, SyntaxErrorKind, Trivia, TriviaKind,
};

/// nom's result type with no error payload: recovery is done by hand.
type Res<'a, T> = IResult<&'a str, T, ()>;

/// Parse an ODBC connection string.
///
/// Every byte of `source` ends up in exactly one node, so
/// [`Document::print`] gives `source` back; problems are collected in
/// [`Document::errors`], each with its span.
///
/// ```abnf
/// connection-string = segment *( separator segment )
/// ```
///
/// ```
/// use connstr::syntax::{parse_connection_string, Quote};
/// let doc = parse_connection_string("DSN=sales; ClientID = 'abc' ;Pwd={x;y}}}");
/// let e: Vec<_> = doc.entries().collect();
/// assert_eq!(e[1].key_str(doc.source()), "ClientID");
/// assert_eq!(e[1].quote, Quote::Single);
/// assert_eq!(e[1].value_str(doc.source()), "abc");
/// assert_eq!(e[2].value_str(doc.source()), "x;y}");
/// assert!(doc.errors().is_empty());
/// assert_eq!(doc.print(), doc.source());
/// ```
pub fn parse_connection_string(source: &str) -> Document<'_> {
    let mut sink = Sink::new(source, 0);
    connection_string(source, &mut sink);
    let Sink { nodes, errors, .. } = sink;
    let errors = finish_errors(source, errors);
    Document::new(source, Form::ConnectionString, nodes, errors)
}

/// Where the parsers put what they find. Spans are produced relative to the
/// text being parsed and moved into place with [`Span::rebase`] by `base`.
pub(super) struct Sink {
    pub(super) nodes: Vec<Node>,
    pub(super) errors: Vec<SyntaxError>,
    base: usize,
    /// How a `{…}` value is read: [`braced_value`] for connection strings,
    /// the JDBC rule ([`super::jdbc`]) for the properties of a JDBC URL.
    braced: BracedRule,
}

/// The rule that reads a `{…}` value starting at the given `{`.
pub(super) type BracedRule = fn(&str, usize, &mut Sink) -> Value;

impl Sink {
    /// A sink sized for `text`, whose spans will be shifted by `base`.
    pub(super) fn new(text: &str, base: usize) -> Self {
        Sink {
            nodes: Vec::with_capacity(node_capacity(text)),
            errors: Vec::new(),
            base,
            braced: braced_value,
        }
    }

    /// Read `{…}` values with `rule` from now on.
    pub(super) fn set_braced_rule(&mut self, rule: BracedRule) {
        self.braced = rule;
    }

    /// Change the offset added to the spans pushed from now on.
    pub(super) fn set_base(&mut self, base: usize) {
        self.base = base;
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(start, end).rebase(self.base)
    }

    fn trivia(&mut self, start: usize, end: usize, kind: TriviaKind) {
        let span = self.span(start, end);
        self.nodes.push(Node::Trivia(Trivia { span, kind }));
    }

    fn invalid(&mut self, start: usize, end: usize) {
        let span = self.span(start, end);
        self.nodes.push(Node::Invalid(span));
    }

    pub(super) fn error(&mut self, start: usize, end: usize, kind: SyntaxErrorKind) {
        let span = self.span(start, end);
        self.errors.push(SyntaxError { span, kind });
    }
}

/// A good guess at the number of nodes: an entry, a separator and a run of
/// blanks per pair, so the node vector is allocated once.
fn node_capacity(text: &str) -> usize {
    3 * memchr_iter(b';', text.as_bytes()).count() + 2
}

/// Add a [`SyntaxErrorKind::NulByte`] error for every run of NUL bytes in
/// `source` and put the errors in source order.
pub(super) fn finish_errors(source: &str, mut errors: Vec<SyntaxError>) -> Vec<SyntaxError> {
    let bytes = source.as_bytes();
    let mut at = 0;
    let mut found = false;
    while let Some(i) = memchr(0, &bytes[at..]) {
        let start = at + i;
        let end = bytes[start..]
            .iter()
            .position(|&b| b != 0)
            .map_or(bytes.len(), |n| start + n);
        errors.push(SyntaxError {
            span: Span::new(start, end),
            kind: SyntaxErrorKind::NulByte,
        });
        found = true;
        at = end;
    }
    if found {
        errors.sort_by_key(|e| e.span.start());
    }
    errors
}

/// Whether `c` is a blank: space, tab or a line break.
pub(super) fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Number of leading blanks of `text` (see [`ws`]).
pub(super) fn ws_len(text: &str) -> usize {
    text.bytes()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(text.len())
}

/// A run of blanks. Line breaks count as blanks: DataDirect's examples break
/// connection strings over several lines.
///
/// ```abnf
/// ws = WSP / CR / LF
/// ```
pub(super) fn ws(input: &str) -> Res<'_, &str> {
    take_while(is_ws).parse(input)
}

/// The `;` between two segments.
///
/// ```abnf
/// separator = ";"
/// ```
fn separator(input: &str) -> Res<'_, char> {
    char(';').parse(input)
}

/// Parse `text` as a connection string into `sink` (spans relative to `text`,
/// shifted by the sink's base).
///
/// ```abnf
/// connection-string = segment *( separator segment )
/// ```
pub(super) fn connection_string(text: &str, sink: &mut Sink) {
    let mut at = 0;
    loop {
        at = segment(text, at, sink);
        match separator(&text[at..]) {
            Ok(_) => {
                sink.trivia(at, at + 1, TriviaKind::Separator);
                at += 1;
            }
            // `segment` stops only at a `;` or at the end.
            Err(_) => break,
        }
    }
}

/// One segment: blanks, then a pair unless the segment is empty (`;;`).
/// Returns the offset of the `;` that ends it, or the end of `text`.
///
/// ```abnf
/// segment = *ws [ pair ]
/// ```
fn segment(text: &str, at: usize, sink: &mut Sink) -> usize {
    let blanks = match ws(&text[at..]) {
        Ok((_, blanks)) => blanks.len(),
        Err(_) => 0,
    };
    if blanks > 0 {
        sink.trivia(at, at + blanks, TriviaKind::Whitespace);
    }
    let at = at + blanks;
    match text.as_bytes().get(at) {
        None | Some(b';') => at,
        Some(_) => pair(text, at, sink),
    }
}

/// A `key=value` pair starting at `at` (not blank, not `;`). Returns where it
/// ends: at the `;` after it or at the end of `text`.
///
/// A segment with no `=` is a [`SyntaxErrorKind::MissingEquals`]; one that
/// starts with `=` an [`SyntaxErrorKind::EmptyKey`]. Both become
/// [`Node::Invalid`].
///
/// ```abnf
/// pair = key *ws "=" raw-value
/// ```
fn pair(text: &str, at: usize, sink: &mut Sink) -> usize {
    let (rest, key_raw) = match key(&text[at..]) {
        Ok(found) => found,
        Err(_) => (&text[at..], ""),
    };
    let eq = at + key_raw.len();
    if char::<_, ()>('=').parse(rest).is_err() {
        // Reached a `;` or the end first.
        sink.invalid(at, eq);
        sink.error(at, eq, SyntaxErrorKind::MissingEquals);
        return eq;
    }
    let key_end = at + key_raw.trim_end_matches(is_ws).len();
    if key_end == at {
        // Reported before the value's own problems, to keep source order.
        sink.error(eq, eq + 1, SyntaxErrorKind::EmptyKey);
    }
    let v = raw_value(text, eq + 1, sink);
    if key_end == at {
        sink.invalid(at, v.raw_end);
    } else {
        let entry = Entry {
            span: sink.span(at, v.raw_end),
            key: sink.span(at, key_end),
            eq: narrow(eq + sink.base),
            raw_value: sink.span(eq + 1, v.raw_end),
            value: sink.span(v.value.start(), v.value.end()),
            quote: v.quote,
            section: None,
        };
        sink.nodes.push(Node::Entry(entry));
    }
    v.raw_end
}

/// The key: everything up to the `=` (blanks before the `=` are trimmed off).
/// [MS-ODBCSTR] forbids more characters in keys (`[]{}(),?*!@`); connstr
/// accepts them and leaves the judgement to validation.
///
/// ```abnf
/// key      = key-char *( *ws key-char )
/// key-char = %x01-08 / %x0B-0C / %x0E-1F / %x21-3A / %x3C / %x3E-10FFFF
/// ```
fn key(input: &str) -> Res<'_, &str> {
    // `take_till(|c| c == '=' || c == ';')`, with memchr's fast search.
    let end = memchr2(b'=', b';', input.as_bytes()).unwrap_or(input.len());
    Ok((&input[end..], &input[..end]))
}

/// A value as found: where its raw text ends and where its content is.
pub(super) struct Value {
    pub(super) raw_end: usize,
    pub(super) value: Span,
    pub(super) quote: Quote,
}

/// The raw value after `=`, starting at `start`: its first non-blank
/// character decides how it is written.
///
/// ```abnf
/// raw-value = *ws ( braced-value / quoted-value / bare-value )
/// ```
fn raw_value(text: &str, start: usize, sink: &mut Sink) -> Value {
    let first = start + ws_len(&text[start..]);
    match text.as_bytes().get(first) {
        Some(b'{') => (sink.braced)(text, first, sink),
        Some(b'\'') => quoted_value(text, first, sink),
        _ => bare_value(text, first),
    }
}

/// `{…}` starting at `open`: `}}` stands for `}`; after the closing `}` only
/// blanks may come before the `;`. Text there is a
/// [`SyntaxErrorKind::TextAfterClosingBrace`] (the raw value then runs to the
/// next `;`); with no closing `}` the value runs to the end of the text.
///
/// ```abnf
/// braced-value = "{" *( braced-char / "}}" ) "}" *ws
/// braced-char  = %x01-7C / %x7E-10FFFF
/// ```
fn braced_value(text: &str, open: usize, sink: &mut Sink) -> Value {
    const ODBC_BRACED: Delimited = Delimited {
        close: b'}',
        closing: Closing::Doubled,
        quote: Quote::Braced,
        unterminated: SyntaxErrorKind::UnterminatedBrace,
    };
    delimited_value(text, open, ODBC_BRACED, sink)
}

/// `'…'` starting at `open`, as DataDirect writes values (not in
/// [MS-ODBCSTR]). There is no escape: the value ends at the first `'` that is
/// followed by blanks and then `;` or the end of the text, so `'a;b'` is one
/// value and a quote inside the value needs no doubling.
///
/// Without such a `'` the value is broken. If it holds another `'` at all,
/// the first one closes it and the text after it up to the next `;` is a
/// [`SyntaxErrorKind::TextAfterClosingBrace`] (`'abc'def;DSN=x` loses only
/// `def`); otherwise it runs to the end of the text
/// ([`SyntaxErrorKind::UnterminatedQuote`]).
///
/// ```abnf
/// quoted-value = "'" *quoted-char "'" *ws
/// quoted-char  = %x01-10FFFF
/// ```
fn quoted_value(text: &str, open: usize, sink: &mut Sink) -> Value {
    const SINGLE_QUOTED: Delimited = Delimited {
        close: b'\'',
        closing: Closing::BeforeSeparator,
        quote: Quote::Single,
        unterminated: SyntaxErrorKind::UnterminatedQuote,
    };
    delimited_value(text, open, SINGLE_QUOTED, sink)
}

/// How a braced or quoted value ends: the one difference between the
/// [MS-ODBCSTR] braces, DataDirect's single quotes and the DataDirect JDBC
/// braces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Closing {
    /// [MS-ODBCSTR]: the first closer that is not doubled; a doubled one
    /// stands for itself (`}}` is `}`).
    Doubled,
    /// DataDirect: no escape; the first closer followed by blanks and then
    /// `;` or the end of the text. Without one, the first closer closes and
    /// what follows it is reported.
    BeforeSeparator,
}

/// A value written between an opening byte and `close`: how it ends, which
/// [`Quote`] it is read as, and the error when it never closes.
#[derive(Clone, Copy, Debug)]
pub(super) struct Delimited {
    pub(super) close: u8,
    pub(super) closing: Closing,
    pub(super) quote: Quote,
    pub(super) unterminated: SyntaxErrorKind,
}

/// Read the value opened at `open` by `rule`: the one scan behind `{…}`,
/// `'…'` and the JDBC `{…}`.
///
/// The value closes where `rule.closing` says. A closer followed by other
/// text than blanks and a `;` reports that text
/// ([`SyntaxErrorKind::TextAfterClosingBrace`], via [`after_closing`]); with
/// no closer at all the value runs to the end of the text and gets
/// `rule.unterminated`.
pub(super) fn delimited_value(text: &str, open: usize, rule: Delimited, sink: &mut Sink) -> Value {
    let bytes = text.as_bytes();
    let content = open + 1;
    let mut at = content;
    let mut first_close = None;
    while let Some(i) = memchr(rule.close, &bytes[at..]) {
        let close = at + i;
        let after = close + 1;
        match rule.closing {
            Closing::Doubled if bytes.get(after) == Some(&rule.close) => at = after + 1,
            Closing::Doubled => {
                first_close = Some(close);
                break;
            }
            Closing::BeforeSeparator => {
                let end = after + ws_len(&text[after..]);
                if end == text.len() || bytes[end] == b';' {
                    return Value {
                        raw_end: end,
                        value: Span::new(content, close),
                        quote: rule.quote,
                    };
                }
                first_close.get_or_insert(close);
                at = after;
            }
        }
    }
    match first_close {
        Some(close) => Value {
            raw_end: after_closing(text, close + 1, sink),
            value: Span::new(content, close),
            quote: rule.quote,
        },
        None => {
            sink.error(open, text.len(), rule.unterminated);
            Value {
                raw_end: text.len(),
                value: Span::new(content, text.len()),
                quote: rule.quote,
            }
        }
    }
}

/// What follows a closing `}` or `'` at `after`: blanks, then a `;` or the
/// end. Anything else up to the next `;` is reported as
/// [`SyntaxErrorKind::TextAfterClosingBrace`]. Returns where the raw value
/// ends (at the `;` or the end of the text).
fn after_closing(text: &str, after: usize, sink: &mut Sink) -> usize {
    let bytes = text.as_bytes();
    let end = after + ws_len(&text[after..]);
    if end == text.len() || bytes[end] == b';' {
        return end;
    }
    let stop = memchr(b';', &bytes[end..]).map_or(text.len(), |n| end + n);
    let junk_end = end + text[end..stop].trim_end_matches(is_ws).len();
    sink.error(end, junk_end, SyntaxErrorKind::TextAfterClosingBrace);
    stop
}

/// A bare value: from just after `=` to the next `;`. Its content is the text
/// without surrounding blanks (`first` is its first non-blank byte).
/// Line breaks inside are kept: a missing `;` at a line break makes the value
/// swallow the next line, which validation reports.
///
/// ```abnf
/// bare-value = [ bare-first *bare-char ]
/// bare-first = %x01-08 / %x0B-0C / %x0E-1F / %x21-26 / %x28-3A / %x3C-7A
///            / %x7C-10FFFF
/// bare-char  = %x01-3A / %x3C-10FFFF
/// ```
fn bare_value(text: &str, first: usize) -> Value {
    let end = memchr(b';', &text.as_bytes()[first..]).map_or(text.len(), |n| first + n);
    let content_end = first + text[first..end].trim_end_matches(is_ws).len();
    Value {
        raw_end: end,
        value: Span::new(first, content_end),
        quote: Quote::Bare,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (key, decoded value, quote) of every entry.
    fn entries(doc: &Document<'_>) -> Vec<(String, String, Quote)> {
        doc.entries()
            .map(|e| {
                (
                    e.key_str(doc.source()).to_owned(),
                    e.value_str(doc.source()).into_owned(),
                    e.quote,
                )
            })
            .collect()
    }

    fn kinds(doc: &Document<'_>) -> Vec<SyntaxErrorKind> {
        doc.errors().iter().map(|e| e.kind).collect()
    }

    fn error_texts<'a>(doc: &Document<'a>) -> Vec<&'a str> {
        doc.errors()
            .iter()
            .map(|e| e.span.slice(doc.source()))
            .collect()
    }

    fn kv(k: &str, v: &str, q: Quote) -> (String, String, Quote) {
        (k.to_owned(), v.to_owned(), q)
    }

    #[test]
    fn rule_functions() {
        assert_eq!(ws(" \t\r\nx"), Ok(("x", " \t\r\n")));
        assert_eq!(ws("x"), Ok(("x", "")));
        assert_eq!(separator(";x"), Ok(("x", ';')));
        assert!(separator("x").is_err());
        assert_eq!(key("Client ID =x"), Ok(("=x", "Client ID ")));
        assert_eq!(key("abc;d=e"), Ok((";d=e", "abc")));
        assert_eq!(key("abc"), Ok(("", "abc")));
    }

    #[test]
    fn empty_input_has_no_nodes() {
        let doc = parse_connection_string("");
        assert!(doc.nodes().is_empty());
        assert!(doc.errors().is_empty());
    }

    #[test]
    fn pairs_and_separators() {
        let doc = parse_connection_string("DSN=sales;UID=bob");
        assert_eq!(
            entries(&doc),
            vec![
                kv("DSN", "sales", Quote::Bare),
                kv("UID", "bob", Quote::Bare)
            ]
        );
        assert!(matches!(
            doc.nodes()[1],
            Node::Trivia(Trivia {
                kind: TriviaKind::Separator,
                ..
            })
        ));
        assert_eq!(doc.nodes().len(), 3);
        assert!(doc.errors().is_empty());
    }

    #[test]
    fn final_separator_and_empty_segments() {
        let doc = parse_connection_string(";;A=1;;;B=2;");
        assert_eq!(
            entries(&doc),
            vec![kv("A", "1", Quote::Bare), kv("B", "2", Quote::Bare)]
        );
        assert!(doc.errors().is_empty());
        let seps = doc
            .nodes()
            .iter()
            .filter(|n| {
                matches!(
                    n,
                    Node::Trivia(Trivia {
                        kind: TriviaKind::Separator,
                        ..
                    })
                )
            })
            .count();
        assert_eq!(seps, 6);
        assert_eq!(doc.print(), doc.source());
    }

    #[test]
    fn whitespace_and_line_breaks_before_keys_are_trivia() {
        let src = "A=1;\r\n  \tB=2";
        let doc = parse_connection_string(src);
        let ws: Vec<_> = doc
            .nodes()
            .iter()
            .filter_map(|n| match n {
                Node::Trivia(t) if t.kind == TriviaKind::Whitespace => Some(t.span.slice(src)),
                _ => None,
            })
            .collect();
        assert_eq!(ws, vec!["\r\n  \t"]);
        assert_eq!(entries(&doc)[1], kv("B", "2", Quote::Bare));
    }

    #[test]
    fn blanks_around_equals_stay_in_the_raw_text() {
        let src = "Key \t=  some value  ;Next=x";
        let doc = parse_connection_string(src);
        let e = doc
            .entries()
            .next()
            .cloned()
            .unwrap_or_else(|| panic!("no entry"));
        assert_eq!(e.key.slice(src), "Key");
        assert_eq!(e.eq, 5);
        assert_eq!(e.raw_value.slice(src), "  some value  ");
        assert_eq!(e.value.slice(src), "some value");
        assert_eq!(e.span.slice(src), "Key \t=  some value  ");
        assert_eq!(e.quote, Quote::Bare);
    }

    #[test]
    fn keys_keep_inner_blanks() {
        let doc = parse_connection_string("Client ID=x");
        assert_eq!(entries(&doc), vec![kv("Client ID", "x", Quote::Bare)]);
    }

    #[test]
    fn bare_values_may_hold_equals_and_braces_inside() {
        let doc = parse_connection_string("A=b=c;B=x{y}z;C=it's");
        assert_eq!(
            entries(&doc),
            vec![
                kv("A", "b=c", Quote::Bare),
                kv("B", "x{y}z", Quote::Bare),
                kv("C", "it's", Quote::Bare),
            ]
        );
        assert!(doc.errors().is_empty());
    }

    #[test]
    fn empty_values() {
        let src = "A=;B=  ;C=";
        let doc = parse_connection_string(src);
        assert_eq!(
            entries(&doc),
            vec![
                kv("A", "", Quote::Bare),
                kv("B", "", Quote::Bare),
                kv("C", "", Quote::Bare),
            ]
        );
        assert!(doc.errors().is_empty());
        let b = doc.entries().nth(1).cloned().unwrap_or_else(|| panic!());
        assert_eq!(b.raw_value.slice(src), "  ");
    }

    #[test]
    fn braced_values() {
        let src = "Pwd={a;b=c};X= {  spaced } ;Y={}";
        let doc = parse_connection_string(src);
        assert_eq!(
            entries(&doc),
            vec![
                kv("Pwd", "a;b=c", Quote::Braced),
                kv("X", "  spaced ", Quote::Braced),
                kv("Y", "", Quote::Braced),
            ]
        );
        let x = doc.entries().nth(1).cloned().unwrap_or_else(|| panic!());
        assert_eq!(x.raw_value.slice(src), " {  spaced } ");
        assert!(doc.errors().is_empty());
    }

    #[test]
    fn doubled_closing_brace_is_literal() {
        let doc = parse_connection_string("A={x}}y};B={}}};C={}}}}}");
        assert_eq!(
            entries(&doc),
            vec![
                kv("A", "x}y", Quote::Braced),
                kv("B", "}", Quote::Braced),
                kv("C", "}}", Quote::Braced),
            ]
        );
        assert!(doc.errors().is_empty());
    }

    #[test]
    fn text_after_closing_brace() {
        let src = "A={x}y z ;B=2";
        let doc = parse_connection_string(src);
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::TextAfterClosingBrace]);
        assert_eq!(error_texts(&doc), vec!["y z"]);
        assert_eq!(
            entries(&doc),
            vec![kv("A", "x", Quote::Braced), kv("B", "2", Quote::Bare)]
        );
        let a = doc.entries().next().cloned().unwrap_or_else(|| panic!());
        assert_eq!(a.raw_value.slice(src), "{x}y z ");
    }

    #[test]
    fn unterminated_brace_runs_to_the_end() {
        let src = "A={x;B=2";
        let doc = parse_connection_string(src);
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::UnterminatedBrace]);
        assert_eq!(error_texts(&doc), vec!["{x;B=2"]);
        assert_eq!(entries(&doc), vec![kv("A", "x;B=2", Quote::Braced)]);
        // `}}` is an escape, so this one is open too.
        let doc = parse_connection_string("A={x}};B=2");
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::UnterminatedBrace]);
        assert_eq!(entries(&doc), vec![kv("A", "x};B=2", Quote::Braced)]);
    }

    #[test]
    fn single_quoted_values() {
        let src = "ClientID='abc';S= 'a;b' ;E='';Q='it's'";
        let doc = parse_connection_string(src);
        assert_eq!(
            entries(&doc),
            vec![
                kv("ClientID", "abc", Quote::Single),
                kv("S", "a;b", Quote::Single),
                kv("E", "", Quote::Single),
                kv("Q", "it's", Quote::Single),
            ]
        );
        assert!(doc.errors().is_empty());
        let s = doc.entries().nth(1).cloned().unwrap_or_else(|| panic!());
        assert_eq!(s.raw_value.slice(src), " 'a;b' ");
    }

    #[test]
    fn quote_not_followed_by_separator_does_not_close() {
        let doc = parse_connection_string("A='x'\nB='y';C=1");
        assert_eq!(
            entries(&doc),
            vec![
                kv("A", "x'\nB='y", Quote::Single),
                kv("C", "1", Quote::Bare)
            ]
        );
        assert!(doc.errors().is_empty());
    }

    #[test]
    fn unterminated_quote_runs_to_the_end() {
        let src = "A='xy;B=2";
        let doc = parse_connection_string(src);
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::UnterminatedQuote]);
        assert_eq!(error_texts(&doc), vec!["'xy;B=2"]);
        assert_eq!(entries(&doc), vec![kv("A", "xy;B=2", Quote::Single)]);
    }

    #[test]
    fn text_after_closing_quote() {
        let src = "A='x'y ;B=2";
        let doc = parse_connection_string(src);
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::TextAfterClosingBrace]);
        assert_eq!(error_texts(&doc), vec!["y"]);
        assert_eq!(
            entries(&doc),
            vec![kv("A", "x", Quote::Single), kv("B", "2", Quote::Bare)]
        );
        let a = doc.entries().next().cloned().unwrap_or_else(|| panic!());
        assert_eq!(a.raw_value.slice(src), "'x'y ");
        // The first later quote closes, even with a `;` before it.
        let doc = parse_connection_string("A='x;y'z'w;B=2");
        assert_eq!(error_texts(&doc), vec!["z'w"]);
        assert_eq!(
            entries(&doc),
            vec![kv("A", "x;y", Quote::Single), kv("B", "2", Quote::Bare)]
        );
    }

    #[test]
    fn trailing_line_break_after_quote_or_brace_is_fine() {
        let doc = parse_connection_string("A='x'\r\n");
        assert!(doc.errors().is_empty());
        assert_eq!(entries(&doc), vec![kv("A", "x", Quote::Single)]);
        let doc = parse_connection_string("A={x}\n");
        assert!(doc.errors().is_empty());
        let doc = parse_connection_string("A=x\n");
        assert_eq!(entries(&doc), vec![kv("A", "x", Quote::Bare)]);
    }

    #[test]
    fn missing_equals_is_invalid_and_recovers_at_separator() {
        let src = "DSN=a;oops ;B=1";
        let doc = parse_connection_string(src);
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::MissingEquals]);
        assert_eq!(error_texts(&doc), vec!["oops "]);
        assert!(
            doc.nodes()
                .iter()
                .any(|n| *n == Node::Invalid(Span::new(6, 11)))
        );
        assert_eq!(
            entries(&doc),
            vec![kv("DSN", "a", Quote::Bare), kv("B", "1", Quote::Bare)]
        );
    }

    #[test]
    fn empty_key_is_invalid() {
        let src = "=x;  = {a;b};C=1";
        let doc = parse_connection_string(src);
        assert_eq!(
            kinds(&doc),
            vec![SyntaxErrorKind::EmptyKey, SyntaxErrorKind::EmptyKey]
        );
        assert_eq!(error_texts(&doc), vec!["=", "="]);
        let invalid: Vec<_> = doc
            .nodes()
            .iter()
            .filter_map(|n| match n {
                Node::Invalid(s) => Some(s.slice(src)),
                _ => None,
            })
            .collect();
        assert_eq!(invalid, vec!["=x", "= {a;b}"]);
        assert_eq!(entries(&doc), vec![kv("C", "1", Quote::Bare)]);
        let doc = parse_connection_string("='x");
        assert_eq!(
            kinds(&doc),
            vec![
                SyntaxErrorKind::EmptyKey,
                SyntaxErrorKind::UnterminatedQuote
            ]
        );
    }

    #[test]
    fn nul_bytes_are_reported_in_order() {
        let src = "A=x\0\0y;B={z;C\0";
        let doc = parse_connection_string(src);
        assert_eq!(
            kinds(&doc),
            vec![
                SyntaxErrorKind::NulByte,
                SyntaxErrorKind::UnterminatedBrace,
                SyntaxErrorKind::NulByte,
            ]
        );
        assert_eq!(doc.errors()[0].span, Span::new(3, 5));
        assert_eq!(doc.print(), src);
    }

    #[test]
    fn every_problem_is_reported() {
        let src = "a;=b;c={d}e;f='g;h\0";
        let doc = parse_connection_string(src);
        assert_eq!(
            kinds(&doc),
            vec![
                SyntaxErrorKind::MissingEquals,
                SyntaxErrorKind::EmptyKey,
                SyntaxErrorKind::TextAfterClosingBrace,
                SyntaxErrorKind::UnterminatedQuote,
                SyntaxErrorKind::NulByte,
            ]
        );
        assert_eq!(doc.print(), src);
    }

    #[test]
    fn seed_001_missing_separator_swallows_the_next_pair() {
        let src = "DRIVER=DataDirect 8.0 Autonomous REST Connector;AuthenticationMethod=OAuth2;\n\
ClientID=1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com\n\
Clientsecret=FaZBFRsGXTaR;RestConfigFile=C:/path/to/googleanalytics.rest;\n\
RefreshToken=1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh;\n\
TokenURI=https://accounts.google.com/o/oauth2/token;\n";
        let doc = parse_connection_string(src);
        assert!(doc.errors().is_empty());
        let e = entries(&doc);
        let keys: Vec<_> = e.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "DRIVER",
                "AuthenticationMethod",
                "ClientID",
                "RestConfigFile",
                "RefreshToken",
                "TokenURI"
            ]
        );
        assert_eq!(
            e[2].1,
            "1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com\nClientsecret=FaZBFRsGXTaR"
        );
        assert_eq!(e[0].1, "DataDirect 8.0 Autonomous REST Connector");
        assert_eq!(doc.print(), src);
    }

    #[test]
    fn spans_tile_and_entries_hold_their_parts() {
        let src = " A = {x} ; B='y';C";
        let doc = parse_connection_string(src);
        assert!(super::super::tiles(src, doc.nodes()));
        for e in doc.entries() {
            assert_eq!(e.span.start(), e.key.start());
            assert_eq!(e.span.end(), e.raw_value.end());
            assert_eq!(e.raw_value.start(), e.eq_offset() + 1);
            assert!(e.raw_value.start() <= e.value.start() && e.value.end() <= e.raw_value.end());
        }
    }

    #[test]
    fn non_ascii_text() {
        let src = "Ké y=välue ☃;Ω={ü}}}";
        let doc = parse_connection_string(src);
        assert_eq!(
            entries(&doc),
            vec![
                kv("Ké y", "välue ☃", Quote::Bare),
                kv("Ω", "ü}", Quote::Braced)
            ]
        );
    }

    #[test]
    fn node_capacity_is_enough_for_a_typical_string() {
        let src = "A=1;B=2;C=3;";
        let doc = parse_connection_string(src);
        assert!(doc.nodes().len() <= node_capacity(src));
    }
}
