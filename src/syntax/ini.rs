//! odbc.ini and odbcinst.ini files, read with unixODBC's rules.
//!
//! The grammar is `grammar/odbc-ini.abnf`; each parser function below quotes
//! the rules it implements. In short:
//!
//! * lines end at `\n` or `\r\n`; a missing final newline is fine;
//! * a line whose first non-blank character is `#` or `;` is a comment; there
//!   are no inline comments (`Key=value ; note` has the value `value ; note`);
//! * `[name]` starts a section; the name is trimmed;
//! * `key = value`: the key is the text before the first `=`, the value all
//!   the text after it, both trimmed; no quotes, escapes or continuations.
//!
//! The file is split into lines with `memchr`; each line is then read by a
//! small nom parser for its kind. Every byte of the input ends up in exactly
//! one [`Node`], so [`Document::print`] gives the file back unchanged.

use memchr::{memchr, memchr_iter};

use super::{LineIndex, narrow};
use nom::character::complete::{char, one_of};
use nom::error::{Error as NomError, ErrorKind};
use nom::{IResult, Offset, Parser};

use super::{
    Document, Entry, Form, Node, Quote, Section, SectionAt, Span, SyntaxError, SyntaxErrorKind,
    Trivia, TriviaKind,
};

/// unixODBC reads odbc.ini with a 1000-byte line buffer (`fgets`, at most 999
/// bytes a read): a longer line is cut there and **the rest is read as a new
/// line** (seen with unixODBC 2.3.11; see `fixtures/odbc/differential/`).
///
/// connstr reads longer lines whole and reports
/// [`SyntaxErrorKind::LineTooLong`] as a warning, since unixODBC would see a
/// different line, and possibly a second entry made of the remainder.
pub const INI_LINE_LIMIT: usize = 1000;

/// Parse an odbc.ini or odbcinst.ini file.
///
/// Never fails and never panics: problems are collected in
/// [`Document::errors`], in source order, and the text of a bad line is kept
/// (as [`Node::Invalid`], or inside the node it still forms). Specifically:
///
/// * a line with no `=` ([`SyntaxErrorKind::MissingEquals`]) or with nothing
///   before its `=` ([`SyntaxErrorKind::EmptyKey`]) becomes a
///   [`Node::Invalid`] covering the line's text without its surrounding blanks;
/// * an entry before the first section ([`SyntaxErrorKind::TextBeforeSection`])
///   stays a [`Node::Entry`] whose [`Entry::section`] is `None`, and the
///   phases that read entries skip it. Worse than an ignored line: unixODBC
///   2.3.11 then reads **no DSN at all** from that file (the differential test
///   in `tests/odbc_differential.rs` records it), which is why it is an error. Every entry
///   after the first header has `Some(index)` into [`Document::sections`];
/// * `[name` with no `]` ([`SyntaxErrorKind::UnterminatedSection`]) is still a
///   [`Node::Section`], named by the rest of the line as unixODBC reads it;
/// * text after a header's `]` ([`SyntaxErrorKind::TextAfterSection`]) becomes
///   a [`Node::Invalid`] after the [`Node::Section`];
/// * a NUL byte ([`SyntaxErrorKind::NulByte`]) is reported where it is; the
///   line is otherwise read as if it were an ordinary character;
/// * a line over [`INI_LINE_LIMIT`] characters
///   ([`SyntaxErrorKind::LineTooLong`], a warning) is read whole; the error
///   spans the part unixODBC would drop.
///
/// Entries are [`Quote::Bare`] with `raw_value == value`. Duplicate keys and
/// sections are all kept, in order.
///
/// ```
/// use connstr::syntax::{parse_ini, SyntaxErrorKind};
/// let src = "# DSNs\n[sales]\nDriver = /opt/dd/lib/ivautorest.so\r\nTokenURI=POST https://h/t?a=b ; x\n";
/// let doc = parse_ini(src);
/// assert!(doc.errors().is_empty());
/// let sections: Vec<_> = doc.sections().map(|s| s.name.slice(src)).collect();
/// assert_eq!(sections, ["sales"]);
/// let entries: Vec<_> = doc
///     .entries()
///     .map(|e| (e.key_str(src), e.value_str(src), e.section()))
///     .collect();
/// assert_eq!(entries[0].0, "Driver");
/// assert_eq!(entries[1].1, "POST https://h/t?a=b ; x");
/// assert_eq!(entries[1].2, Some(0));
/// assert_eq!(doc.print(), src);
///
/// let bad = parse_ini("Driver=x\n[a\n=y\nno equals\n");
/// let kinds: Vec<_> = bad.errors().iter().map(|e| e.kind).collect();
/// assert_eq!(
///     kinds,
///     [
///         SyntaxErrorKind::TextBeforeSection,
///         SyntaxErrorKind::UnterminatedSection,
///         SyntaxErrorKind::EmptyKey,
///         SyntaxErrorKind::MissingEquals,
///     ]
/// );
/// ```
///
/// A UTF-8 byte order mark at the very start is [`TriviaKind::Whitespace`],
/// so that a `[section]` right after it is read as one; unixODBC reads no
/// data source from such a file, which
/// [`first_line_problem`](crate::options::first_line_problem) reports.
///
/// ```abnf
/// ini-file = [bom] *(line newline) line
/// newline = LF / CR LF
/// bom = %xFEFF
/// ```
pub fn parse_ini(source: &str) -> Document<'_> {
    parse_ini_in(source, pieces_for(source), None)
}

/// How many pieces [`parse_ini`] cuts `source` into: one per core, each of
/// at least [`BYTES_PER_PIECE`].
fn pieces_for(source: &str) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(source.len() / BYTES_PER_PIECE)
}

/// [`parse_ini`] of a text whose line index is at hand (a registered
/// [`Source`](crate::diagnostic::Source)'s): its lines are not searched for
/// again.
pub(crate) fn parse_ini_indexed<'a>(source: &'a str, index: &LineIndex) -> Document<'a> {
    parse_ini_in(source, pieces_for(source), Some(index.starts()))
}

/// [`parse_ini`] in at most `pieces` pieces, each on its own thread; `starts`
/// the line starts of `source`, when known.
fn parse_ini_in<'a>(source: &'a str, pieces: usize, starts: Option<&[usize]>) -> Document<'a> {
    let bytes = source.as_bytes();
    let pieces = split_at_sections(bytes, pieces);
    let mut p = match pieces.as_slice() {
        [] | [_] => parse_lines(source, 0, bytes.len(), 1, starts),
        _ => {
            // A large file: its pieces (each starting with a header) parsed
            // on several threads, then put end to end.
            // The first piece's node vector gets room for every piece's
            // (they are about the same size), so that joining them does not
            // move it; room never written costs nothing.
            let spare = pieces.len() + pieces.len().div_ceil(4);
            let mut parsed = crate::par::par_map_min(&pieces, 1, |&(start, end)| {
                let room = if start == 0 { spare } else { 1 };
                parse_lines(source, start, end, room, starts)
            })
            .into_iter();
            match parsed.next() {
                Some(first) => join(first, parsed),
                None => parse_lines(source, 0, bytes.len(), 1, starts),
            }
        }
    };

    let nuls = memchr_iter(0, bytes).map(|at| SyntaxError {
        span: Span::new(at, at + 1),
        kind: SyntaxErrorKind::NulByte,
    });
    p.errors.extend(nuls);
    if !p.errors.is_sorted_by_key(|e| e.span.start()) {
        // Stable: errors starting at the same byte keep the order they were found in.
        p.errors.sort_by_key(|e| e.span.start());
    }
    Document::new(source, Form::Ini, p.nodes, p.errors).with_sections(p.sections)
}

/// Bytes per piece below which [`parse_ini`] stays on one thread.
const BYTES_PER_PIECE: usize = 2 << 20;

/// Where to cut `bytes` into at most `want` pieces of about the same size
/// for parsing apart, each cut just before a line that starts with `[` (a
/// section header: the parser keeps no other state from one line to the
/// next). Fewer pieces when no such line is near a cut.
fn split_at_sections(bytes: &[u8], want: usize) -> Vec<(usize, usize)> {
    let want = want.max(1);
    let mut pieces = Vec::with_capacity(want);
    let mut start = 0;
    for k in 1..want {
        let target = (bytes.len() / want * k).max(start);
        let Some(cut) = memchr::memmem::find(&bytes[target..], b"\n[").map(|i| target + i + 1)
        else {
            break;
        };
        pieces.push((start, cut));
        start = cut;
    }
    pieces.push((start, bytes.len()));
    pieces
}

/// Parse the lines of `source[start..end]` (`start` at a line start, `end`
/// after a line break or at the end of the source), with room for `room`
/// times the nodes such a piece usually gives.
fn parse_lines<'a>(
    source: &'a str,
    start: usize,
    end: usize,
    room: usize,
    starts: Option<&[usize]>,
) -> IniParser<'a> {
    let bytes = source.as_bytes();
    let piece = &bytes[start..end];
    // The line feeds of the piece: from the line index when there is one
    // (a line feed at `i` starts a line at `i + 1`), else searched for.
    let feeds = starts.map(|starts| {
        let from = starts.partition_point(|&s| s <= start);
        let to = starts.partition_point(|&s| s <= end);
        starts.get(from..to).unwrap_or_default()
    });
    // Most lines give two nodes (the body and the newline), indented ones
    // three or four. Counting the newlines first (a vectorised pass, far
    // cheaper than the parse) sizes the Vec once for any file.
    let lines = feeds.map_or_else(|| count_newlines(piece), <[usize]>::len) + 1;
    let mut p = IniParser {
        src: source,
        nodes: Vec::with_capacity((lines * 2 + lines / 2).saturating_mul(room.max(1))),
        errors: Vec::new(),
        sections: Vec::new(),
    };
    let mut at = start;
    if start == 0 && source.starts_with('\u{feff}') {
        // `bom`: trivia, kept for a lossless print.
        at = '\u{feff}'.len_utf8();
        p.push_trivia(0, at, TriviaKind::Whitespace);
    }
    let mut line = |nl: usize| {
        let line_end = if nl > at && bytes[nl - 1] == b'\r' {
            nl - 1
        } else {
            nl
        };
        p.line(at, line_end);
        p.push_trivia(line_end, nl + 1, TriviaKind::Newline);
        at = nl + 1;
    };
    match feeds {
        Some(feeds) => feeds.iter().for_each(|&s| line(s - 1)),
        None => memchr_iter(b'\n', piece).for_each(|i| line(start + i)),
    }
    if at < end {
        p.line(at, end);
    }
    p
}

/// The pieces of one file, parsed apart, as one: nodes end to end, each
/// piece's section numbers moved past those of the pieces before it.
fn join<'a>(first: IniParser<'a>, rest: impl Iterator<Item = IniParser<'a>>) -> IniParser<'a> {
    let mut all = first;
    for piece in rest {
        let node_base = all.nodes.len();
        let section_base = narrow(all.sections.len());
        all.nodes.extend(piece.nodes.into_iter().map(|mut n| {
            if let Node::Entry(e) = &mut n {
                e.section = e.section.map(|s| s.saturating_add(section_base));
            }
            n
        }));
        all.sections
            .extend(piece.sections.into_iter().map(|mut at| {
                at.node += node_base;
                at
            }));
        all.errors.extend(piece.errors);
    }
    all
}

/// State of one [`parse_ini`] run.
struct IniParser<'a> {
    src: &'a str,
    nodes: Vec<Node>,
    errors: Vec<SyntaxError>,
    /// The section headers seen so far: where, and their entry counts.
    sections: Vec<SectionAt>,
}

impl IniParser<'_> {
    /// Read the line `src[start..end]` (its line break excluded) and push its
    /// nodes.
    ///
    /// ```abnf
    /// line = *blank [line-body *blank]
    /// line-body = comment / section-header / entry
    /// blank = SP / HTAB / %x0B / %x0C / CR
    /// ```
    fn line(&mut self, start: usize, end: usize) {
        let src = self.src;
        let bytes = &src.as_bytes()[start..end];
        let lead = bytes.iter().position(|&b| !is_blank(b));
        let Some(lead) = lead else {
            // Blank line (or an empty one, which gives no node).
            self.push_trivia(start, end, TriviaKind::Whitespace);
            return;
        };
        let trail = bytes
            .iter()
            .rposition(|&b| !is_blank(b))
            .map_or(0, |i| i + 1);
        let (body_start, body_end) = (start + lead, start + trail);
        self.push_trivia(start, body_start, TriviaKind::Whitespace);

        // Blanks are ASCII, so these are char boundaries.
        let body = &src[body_start..body_end];
        match body.as_bytes()[0] {
            b'#' | b';' => {
                if let Ok((_, text)) = comment(body) {
                    let span = self.span_of(text);
                    self.push_trivia(span.start(), span.end(), TriviaKind::Comment);
                }
            }
            b'[' => self.section(body),
            b'=' => self.invalid(body, SyntaxErrorKind::EmptyKey),
            _ => match entry(body) {
                Ok((_, parts)) => self.entry(parts),
                Err(_) => self.invalid(body, SyntaxErrorKind::MissingEquals),
            },
        }

        self.push_trivia(body_end, end, TriviaKind::Whitespace);
        if end - start >= INI_LINE_LIMIT {
            self.check_length(start, end);
        }
    }

    /// Push a section header (and what follows its `]`, if anything).
    fn section(&mut self, body: &str) {
        let Ok((rest, parts)) = section_header(body) else {
            // `line` only calls this for a body starting with `[`.
            return self.invalid(body, SyntaxErrorKind::UnterminatedSection);
        };
        let span = self.span_of(parts.header);
        let header = Section {
            span,
            name: self.span_of(parts.name),
        };
        self.sections.push(SectionAt {
            header,
            node: self.nodes.len(),
            entries: 0,
        });
        self.nodes.push(Node::Section(header));
        if !parts.closed {
            self.error(span, SyntaxErrorKind::UnterminatedSection);
            return;
        }
        let after = trim_start_blanks(rest);
        if !after.is_empty() {
            let blanks = &rest[..rest.len() - after.len()];
            let at = self.src.offset(blanks);
            self.push_trivia(at, at + blanks.len(), TriviaKind::Whitespace);
            self.invalid(after, SyntaxErrorKind::TextAfterSection);
        }
    }

    /// Push an entry, with the section it belongs to.
    fn entry(&mut self, parts: EntryParts<'_>) {
        let key = self.span_of(parts.key);
        let value = self.span_of(parts.value);
        let entry = Entry {
            span: Span::new(key.start(), value.end()),
            key,
            eq: narrow(self.src.offset(parts.eq)),
            raw_value: value,
            value,
            quote: Quote::Bare,
            section: self.sections.len().checked_sub(1).map(narrow),
        };
        match self.sections.last_mut() {
            Some(at) => at.entries = at.entries.saturating_add(1),
            None => self.error(entry.span, SyntaxErrorKind::TextBeforeSection),
        }
        self.nodes.push(Node::Entry(entry));
    }

    /// Keep `text` as a [`Node::Invalid`] and report `kind` on it.
    fn invalid(&mut self, text: &str, kind: SyntaxErrorKind) {
        let span = self.span_of(text);
        self.nodes.push(Node::Invalid(span));
        self.error(span, kind);
    }

    /// Warn about the part of the line `src[start..end]` that unixODBC's
    /// 1000-byte buffer does not take in one read: everything from byte 999 on
    /// (moved back to a character boundary). Called for lines of at least
    /// [`INI_LINE_LIMIT`] bytes; a line of exactly 999 leaves only its line
    /// break for the next read, which is harmless.
    #[cold]
    fn check_length(&mut self, start: usize, end: usize) {
        let mut cut = start + INI_LINE_LIMIT - 1;
        while !self.src.is_char_boundary(cut) {
            cut -= 1;
        }
        self.error(Span::new(cut, end), SyntaxErrorKind::LineTooLong);
    }

    fn error(&mut self, span: Span, kind: SyntaxErrorKind) {
        self.errors.push(SyntaxError { span, kind });
    }

    /// Push trivia for `start..end`, unless that is empty.
    #[inline]
    fn push_trivia(&mut self, start: usize, end: usize, kind: TriviaKind) {
        if start < end {
            self.nodes.push(Node::Trivia(Trivia {
                span: Span::new(start, end),
                kind,
            }));
        }
    }

    /// Where `part`, a slice of the source, lies in it.
    #[inline]
    fn span_of(&self, part: &str) -> Span {
        let start = self.src.offset(part);
        Span::new(start, start + part.len())
    }
}

/// A comment: everything from the `#` or `;` to the end of the line.
///
/// ```abnf
/// comment = comment-start *line-char
/// comment-start = "#" / ";"
/// line-char = blank / text-char
/// text-char = %x01-08 / %x0E-1F / %x21-10FFFF
/// ```
fn comment(input: &str) -> IResult<&str, &str> {
    let (_, _) = one_of("#;").parse(input)?;
    let end = memchr(b'\n', input.as_bytes()).unwrap_or(input.len());
    Ok((&input[end..], &input[..end]))
}

/// The pieces of a section header, as slices of the source.
struct HeaderParts<'a> {
    /// From `[` to `]`, or to the end of the input when there is no `]`.
    header: &'a str,
    /// The name, trimmed.
    name: &'a str,
    /// Whether the `]` was there.
    closed: bool,
}

/// A section header: `[`, the name up to the first `]`, and the `]`.
///
/// Given the body of a line. Lenient like unixODBC: with no `]` the name runs
/// to the end of the input and `closed` is false (the caller reports it).
/// Returns what follows the `]`.
///
/// ```abnf
/// section-header = "[" section-name "]"
/// section-name = *name-char
/// name-char = %x01-09 / %x0B-5C / %x5E-10FFFF
/// ```
fn section_header(input: &str) -> IResult<&str, HeaderParts<'_>> {
    let (inside, _) = char('[').parse(input)?;
    let (name, rest, closed) = match memchr(b']', inside.as_bytes()) {
        Some(close) => (&inside[..close], &inside[close + 1..], true),
        None => (inside, "", false),
    };
    let header = &input[..input.len() - rest.len()];
    Ok((
        rest,
        HeaderParts {
            header,
            name: trim_blanks(name),
            closed,
        },
    ))
}

/// The pieces of an entry, as slices of the source.
struct EntryParts<'a> {
    /// The key, trimmed.
    key: &'a str,
    /// The `=`.
    eq: &'a str,
    /// The value, trimmed (empty when there is none).
    value: &'a str,
}

/// An entry: the key up to the first `=`, then the value.
///
/// Given the body of a line, which starts with a character that is not a
/// blank, `#`, `;`, `[` or `=` (the caller checks). Fails when there is no
/// `=`. Returns the blanks after the value.
///
/// ```abnf
/// entry = key *blank "=" *blank value
/// key = key-start *(*blank key-char)
/// key-start = %x01-08 / %x0E-1F / %x21-22 / %x24-3A / %x3C / %x3E-5A / %x5C-10FFFF
/// key-char = %x01-08 / %x0E-1F / %x21-3C / %x3E-10FFFF
/// value = [text-char *(*blank text-char)]
/// ```
fn entry(input: &str) -> IResult<&str, EntryParts<'_>> {
    let Some(eq) = memchr(b'=', input.as_bytes()) else {
        return Err(nom::Err::Error(NomError::new(input, ErrorKind::Char)));
    };
    // `=` is ASCII: both sides are char boundaries.
    let key = trim_end_blanks(&input[..eq]);
    let after = &input[eq + 1..];
    let value_and_rest = trim_start_blanks(after);
    let value = trim_end_blanks(value_and_rest);
    let rest = &value_and_rest[value.len()..];
    // An empty value sits right after the `=`.
    let value = if value.is_empty() { &after[..0] } else { value };
    Ok((
        rest,
        EntryParts {
            key,
            eq: &input[eq..eq + 1],
            value,
        },
    ))
}

/// `blank` as a byte test (every blank is ASCII).
#[inline]
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0b | 0x0c | b'\r')
}

// The trims work on bytes: every blank is ASCII, so cutting next to one
// always lands on a char boundary (and `get` would return `None` otherwise).

#[inline]
fn trim_start_blanks(s: &str) -> &str {
    let start = s.bytes().take_while(|&b| is_blank(b)).count();
    s.get(start..).unwrap_or(s)
}

#[inline]
fn trim_end_blanks(s: &str) -> &str {
    let end = s.len() - s.bytes().rev().take_while(|&b| is_blank(b)).count();
    s.get(..end).unwrap_or(s)
}

#[inline]
fn trim_blanks(s: &str) -> &str {
    trim_end_blanks(trim_start_blanks(s))
}

/// Number of `\n` in `bytes`: counted in blocks of 255 so that the compiler
/// can sum byte-wide comparisons in vector registers.
pub(crate) fn count_newlines(bytes: &[u8]) -> usize {
    count_byte(bytes, b'\n')
}

/// Number of `byte` in `bytes`, counted as [`count_newlines`] counts.
pub(crate) fn count_byte(bytes: &[u8], byte: u8) -> usize {
    let mut blocks = bytes.chunks_exact(255);
    let mut n = 0;
    for block in &mut blocks {
        let in_block = block
            .iter()
            .fold(0u8, |acc, &b| acc.wrapping_add(u8::from(b == byte)));
        n += usize::from(in_block);
    }
    n + blocks.remainder().iter().filter(|&&b| b == byte).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use SyntaxErrorKind as K;

    /// Parsed with the line index at hand, in one piece or several: the
    /// document of the plain parse.
    #[test]
    fn the_indexed_parse_is_the_plain_one() {
        let mut text = String::from("\u{feff}; head\r\n[ODBC]\nTrace=No\n");
        for i in 0..300 {
            text.push_str(&format!(
                "[dsn{i}]\r\nDriver = x\n  Indented=1\nbroken line\n\n# c\nK{i}=v;w\r\n"
            ));
        }
        text.push_str("[last]\nNoBreak=1");
        for t in [text.as_str(), "", "\n", "a", "[a]\nb=c\n"] {
            let index = LineIndex::new(t);
            for pieces in [1, 2, 3, 7] {
                let plain = parse_ini_in(t, pieces, None);
                let indexed = parse_ini_in(t, pieces, Some(index.starts()));
                assert_eq!(indexed.nodes(), plain.nodes(), "{pieces}");
                assert_eq!(indexed.errors(), plain.errors(), "{pieces}");
                assert_eq!(indexed.print(), t);
            }
        }
    }

    /// Parse, check the round trip and tiling, and return the document.
    fn parse(src: &str) -> Document<'_> {
        let doc = parse_ini(src);
        assert_eq!(doc.print(), src, "print() must give the input back");
        assert!(super::super::tiles(src, doc.nodes()));
        doc
    }

    fn kinds(doc: &Document<'_>) -> Vec<SyntaxErrorKind> {
        doc.errors().iter().map(|e| e.kind).collect()
    }

    /// (section name, key, value) for every entry.
    fn triples<'a>(doc: &Document<'a>) -> Vec<(Option<&'a str>, &'a str, &'a str)> {
        let src = doc.source();
        let sections: Vec<&str> = doc.sections().map(|s| s.name.slice(src)).collect();
        doc.entries()
            .map(|e| {
                assert_eq!(e.raw_value, e.value);
                assert_eq!(e.quote, Quote::Bare);
                assert_eq!(
                    e.eq_offset(),
                    e.key.end() + src[e.key.end()..].find('=').unwrap()
                );
                (
                    e.section().map(|i| sections[i]),
                    e.key_str(src),
                    e.value.slice(src),
                )
            })
            .collect()
    }

    fn trivia_kinds<'a>(doc: &Document<'a>) -> Vec<(TriviaKind, &'a str)> {
        doc.nodes()
            .iter()
            .filter_map(|n| match n {
                Node::Trivia(t) => Some((t.kind, t.span.slice(doc.source()))),
                _ => None,
            })
            .collect()
    }

    // ---- ini-file, newline ----

    #[test]
    fn a_file_parsed_in_pieces_is_the_file_parsed_whole() {
        use std::fmt::Write as _;
        let mut text = String::from("\u{feff}Orphan=1\n; comment\n");
        for i in 0..400 {
            let _ = write!(
                text,
                "[dsn{i}]\r\nKey{i} = v{i}\n  Indented=x\n\t[indented{i}]\nbad line\n\
                 =empty key\n[open{i}\nText=a\0b\n[x] tail\n{}\n",
                if i % 97 == 0 {
                    "L".repeat(1200)
                } else {
                    String::new()
                }
            );
        }
        text.push_str("[last]\nNoNewline=1");
        let whole = parse_ini_in(&text, 1, None);
        for pieces in [2, 3, 7, 50] {
            assert!(split_at_sections(text.as_bytes(), pieces).len() > 1);
            let split = parse_ini_in(&text, pieces, None);
            assert_eq!(split.nodes(), whole.nodes(), "{pieces}");
            assert_eq!(split.errors(), whole.errors(), "{pieces}");
            assert_eq!(
                split.section_positions(),
                whole.section_positions(),
                "{pieces}"
            );
            assert_eq!(split.print(), text);
        }
        // No line starts with `[` after the first cut: one piece.
        assert_eq!(split_at_sections(b"[a]\nK=1\nK=2\nK=3\n", 4).len(), 1);
    }

    #[test]
    fn newline_count() {
        for len in [0, 1, 254, 255, 256, 600, 2000] {
            let text: String = (0..len)
                .map(|i| if i % 3 == 0 { '\n' } else { 'x' })
                .collect();
            assert_eq!(count_newlines(text.as_bytes()), text.matches('\n').count());
        }
        assert_eq!(count_newlines(&[b'\n'; 1000]), 1000);
    }

    #[test]
    fn empty_input_has_no_nodes() {
        let doc = parse("");
        assert!(doc.nodes().is_empty());
        assert!(doc.errors().is_empty());
    }

    #[test]
    fn lf_and_crlf_newlines() {
        let src = "[a]\r\nk=v\r\n\r\nx=y\n";
        let doc = parse(src);
        assert!(doc.errors().is_empty());
        assert_eq!(
            triples(&doc),
            [(Some("a"), "k", "v"), (Some("a"), "x", "y")]
        );
        let newlines: Vec<_> = trivia_kinds(&doc)
            .into_iter()
            .filter(|(k, _)| *k == TriviaKind::Newline)
            .map(|(_, s)| s)
            .collect();
        assert_eq!(newlines, ["\r\n", "\r\n", "\r\n", "\n"]);
    }

    #[test]
    fn crlf_file() {
        let src = "; odbc.ini\r\n[ODBC Data Sources]\r\nsales = DataDirect\r\n\r\n[sales]\r\nDriver=/opt/x.so\r\nHost = h \r\n";
        let doc = parse(src);
        assert!(doc.errors().is_empty());
        assert_eq!(
            triples(&doc),
            [
                (Some("ODBC Data Sources"), "sales", "DataDirect"),
                (Some("sales"), "Driver", "/opt/x.so"),
                (Some("sales"), "Host", "h"),
            ]
        );
    }

    #[test]
    fn no_final_newline() {
        for src in ["[a]\nk=v", "[a]\nk=v ", "[a]\r\n# c", "[a]"] {
            let doc = parse(src);
            assert!(doc.errors().is_empty(), "{src:?}");
            let last = doc.nodes().last().unwrap();
            assert!(
                !matches!(last, Node::Trivia(t) if t.kind == TriviaKind::Newline),
                "{src:?}"
            );
        }
        assert_eq!(triples(&parse("[a]\nk=v")), [(Some("a"), "k", "v")]);
    }

    #[test]
    fn lone_cr_at_end_of_file_is_a_blank() {
        let doc = parse("[a]\nk=v\r");
        assert_eq!(triples(&doc), [(Some("a"), "k", "v")]);
        assert_eq!(
            trivia_kinds(&doc).last().unwrap(),
            &(TriviaKind::Whitespace, "\r")
        );
    }

    #[test]
    fn cr_inside_a_line_is_text() {
        let doc = parse("[a]\nk=v\rw\n");
        assert_eq!(triples(&doc), [(Some("a"), "k", "v\rw")]);
    }

    // ---- line, line-body, blank ----

    #[test]
    fn blank_lines_are_whitespace_trivia() {
        let doc = parse(" \t\n\n\x0b\x0c \n[a]\n");
        assert_eq!(
            trivia_kinds(&doc),
            [
                (TriviaKind::Whitespace, " \t"),
                (TriviaKind::Newline, "\n"),
                (TriviaKind::Newline, "\n"),
                (TriviaKind::Whitespace, "\x0b\x0c "),
                (TriviaKind::Newline, "\n"),
                (TriviaKind::Newline, "\n"),
            ]
        );
    }

    #[test]
    fn blanks_around_every_kind_of_line_are_trivia() {
        let src = "  [ a ]  \n\t k = v \t\n  # c  \n";
        let doc = parse(src);
        assert!(doc.errors().is_empty());
        let shapes: Vec<String> = doc
            .nodes()
            .iter()
            .map(|n| match n {
                Node::Trivia(t) => format!("{:?}:{:?}", t.kind, t.span.slice(src)),
                Node::Section(s) => format!("S:{:?}", s.span.slice(src)),
                Node::Entry(e) => format!("E:{:?}", e.span.slice(src)),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            shapes,
            [
                "Whitespace:\"  \"",
                "S:\"[ a ]\"",
                "Whitespace:\"  \"",
                "Newline:\"\\n\"",
                "Whitespace:\"\\t \"",
                "E:\"k = v\"",
                "Whitespace:\" \\t\"",
                "Newline:\"\\n\"",
                "Whitespace:\"  \"",
                "Comment:\"# c\"",
                "Whitespace:\"  \"",
                "Newline:\"\\n\"",
            ]
        );
    }

    // ---- comment, comment-start, line-char, text-char ----

    #[test]
    fn hash_and_semicolon_comments() {
        let src = "# hash\n; semi\n   ;indented\n\t#\n[a]\n;k=v\n#[b]\n";
        let doc = parse(src);
        assert!(doc.errors().is_empty());
        assert_eq!(doc.entries().count(), 0);
        assert_eq!(doc.sections().count(), 1);
        let comments: Vec<_> = trivia_kinds(&doc)
            .into_iter()
            .filter(|(k, _)| *k == TriviaKind::Comment)
            .map(|(_, s)| s)
            .collect();
        assert_eq!(
            comments,
            ["# hash", "; semi", ";indented", "#", ";k=v", "#[b]"]
        );
        for c in comments {
            assert_eq!(comment(c), Ok(("", c)));
        }
    }

    #[test]
    fn comment_parser() {
        assert_eq!(comment("; x = y\nz"), Ok(("\nz", "; x = y")));
        assert!(comment("x ; y").is_err());
        assert!(comment("").is_err());
    }

    #[test]
    fn no_inline_comments() {
        let doc = parse("[a]\nKey=value ; note\nK2 = v # not a comment\n");
        assert!(doc.errors().is_empty());
        assert_eq!(
            triples(&doc),
            [
                (Some("a"), "Key", "value ; note"),
                (Some("a"), "K2", "v # not a comment"),
            ]
        );
    }

    // ---- section-header, section-name, name-char ----

    #[test]
    fn section_names_are_trimmed() {
        let doc = parse("[ODBC Data Sources]\n[  sales dsn \t]\n[]\n[ ]\n");
        assert!(doc.errors().is_empty());
        let names: Vec<_> = doc.sections().map(|s| s.name.slice(doc.source())).collect();
        assert_eq!(names, ["ODBC Data Sources", "sales dsn", "", ""]);
        let spans: Vec<_> = doc.sections().map(|s| s.span.slice(doc.source())).collect();
        assert_eq!(
            spans,
            ["[ODBC Data Sources]", "[  sales dsn \t]", "[]", "[ ]"]
        );
    }

    #[test]
    fn section_header_parser() {
        let (rest, p) = section_header("[ a b ] x").unwrap();
        assert_eq!(
            (p.header, p.name, p.closed, rest),
            ("[ a b ]", "a b", true, " x")
        );
        let (rest, p) = section_header("[ a").unwrap();
        assert_eq!((p.header, p.name, p.closed, rest), ("[ a", "a", false, ""));
        let (_, p) = section_header("[a=b;c#d]").unwrap();
        assert_eq!(p.name, "a=b;c#d");
        assert!(section_header("a]").is_err());
    }

    #[test]
    fn section_name_ends_at_first_bracket() {
        let doc = parse("[a[b]\n");
        assert!(doc.errors().is_empty());
        assert_eq!(
            doc.sections().next().unwrap().name.slice(doc.source()),
            "a[b"
        );
        let doc = parse("[a]b]\n");
        assert_eq!(kinds(&doc), [K::TextAfterSection]);
        assert_eq!(doc.sections().next().unwrap().name.slice(doc.source()), "a");
        assert_eq!(doc.errors()[0].span.slice(doc.source()), "b]");
    }

    #[test]
    fn unterminated_section() {
        let src = "[sales \nk=v\n";
        let doc = parse(src);
        assert_eq!(kinds(&doc), [K::UnterminatedSection]);
        let s = doc.sections().next().unwrap();
        assert_eq!(s.span.slice(src), "[sales");
        assert_eq!(s.name.slice(src), "sales");
        assert_eq!(doc.errors()[0].span, s.span);
        // It still opens a section, as in unixODBC.
        assert_eq!(triples(&doc), [(Some("sales"), "k", "v")]);
    }

    #[test]
    fn text_after_section() {
        let src = "[a]  junk here \nk=v\n";
        let doc = parse(src);
        assert_eq!(kinds(&doc), [K::TextAfterSection]);
        assert_eq!(doc.errors()[0].span.slice(src), "junk here");
        assert!(
            doc.nodes()
                .iter()
                .any(|n| matches!(n, Node::Invalid(s) if s.slice(src) == "junk here"))
        );
        assert_eq!(triples(&doc), [(Some("a"), "k", "v")]);
    }

    #[test]
    fn duplicate_sections_and_keys_kept_in_order() {
        let src = "[a]\nk=1\nk=2\n[b]\nk=3\n[a]\nK=4\n";
        let doc = parse(src);
        assert!(doc.errors().is_empty());
        assert_eq!(
            triples(&doc),
            [
                (Some("a"), "k", "1"),
                (Some("a"), "k", "2"),
                (Some("b"), "k", "3"),
                (Some("a"), "K", "4"),
            ]
        );
        let idx: Vec<_> = doc.entries().map(|e| e.section).collect();
        assert_eq!(idx, [Some(0), Some(0), Some(1), Some(2)]);
    }

    // ---- entry, key, key-start, key-char, value ----

    #[test]
    fn entry_parser() {
        let (rest, p) = entry("Key \t= \t value x \t").unwrap();
        assert_eq!((p.key, p.eq, p.value, rest), ("Key", "=", "value x", " \t"));
        let (rest, p) = entry("a b=").unwrap();
        assert_eq!((p.key, p.value, rest), ("a b", "", ""));
        assert!(entry("no equals").is_err());
    }

    #[test]
    fn key_and_value_are_trimmed() {
        let src = "[a]\n  Key Name  =   some value  \n";
        let doc = parse(src);
        let e = doc.entries().next().unwrap();
        assert_eq!(e.key.slice(src), "Key Name");
        assert_eq!(e.value.slice(src), "some value");
        assert_eq!(e.span.slice(src), "Key Name  =   some value");
        assert_eq!(&src[e.eq_offset()..e.eq_offset() + 1], "=");
    }

    #[test]
    fn value_with_equals_inside() {
        let doc = parse("[a]\nTokenURI=POST https://h/t?a=b&c==d\nX==\n");
        assert!(doc.errors().is_empty());
        assert_eq!(
            triples(&doc),
            [
                (Some("a"), "TokenURI", "POST https://h/t?a=b&c==d"),
                (Some("a"), "X", "="),
            ]
        );
    }

    #[test]
    fn value_is_not_unquoted_or_unbraced() {
        let doc = parse("[a]\nA='x'\nB={y;z}\nC=\"q\"\nD=a\\tb\n");
        assert!(doc.errors().is_empty());
        let values: Vec<_> = triples(&doc).into_iter().map(|t| t.2).collect();
        assert_eq!(values, ["'x'", "{y;z}", "\"q\"", "a\\tb"]);
        assert!(
            doc.entries()
                .all(|e| e.value_str(doc.source()) == e.value.slice(doc.source()))
        );
    }

    #[test]
    fn empty_value_sits_after_the_equals() {
        let src = "[a]\nk =   \nj=";
        let doc = parse(src);
        assert!(doc.errors().is_empty());
        let vals: Vec<_> = doc.entries().map(|e| (e.value, e.eq_offset())).collect();
        assert_eq!(vals[0].0, Span::empty(vals[0].1 + 1));
        assert_eq!(vals[1].0, Span::empty(src.len()));
        assert_eq!(triples(&doc), [(Some("a"), "k", ""), (Some("a"), "j", "")]);
    }

    #[test]
    fn unicode_keys_values_and_sections() {
        let src = "[données é]\nclé = välue 日本語 \u{1F600}\n\u{a0}k=v\u{a0}\n";
        let doc = parse(src);
        assert!(doc.errors().is_empty());
        // U+00A0 is not a blank: C's isspace() works on bytes and UTF-8 bytes are >= 0x80.
        assert_eq!(
            triples(&doc),
            [
                (Some("données é"), "clé", "välue 日本語 \u{1F600}"),
                (Some("données é"), "\u{a0}k", "v\u{a0}"),
            ]
        );
    }

    #[test]
    fn seed_001_example_in_a_section() {
        // DataDirect's odbc.ini example (seed 001), in a section. The stray `;`
        // at the end of some lines is part of the value (no inline comments).
        let src = "[GoogleAnalytics]\n\
Driver=ODBCHOME/lib/ivautorestxx.so;\n\
Description=My Autonomous REST Data Source\n\
AuthenticationMethod=OAuth2;\n\
ClientID=1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com\n\
Clientsecret=FaZBFRsGXTaR\n\
RefreshToken=1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh\n\
RestConfigFile=C:/path/to/googleanalytics.rest\n\
TokenURI=https://accounts.google.com/o/oauth2/token";
        let doc = parse(src);
        assert!(doc.errors().is_empty());
        let s = Some("GoogleAnalytics");
        assert_eq!(
            triples(&doc),
            [
                (s, "Driver", "ODBCHOME/lib/ivautorestxx.so;"),
                (s, "Description", "My Autonomous REST Data Source"),
                (s, "AuthenticationMethod", "OAuth2;"),
                (
                    s,
                    "ClientID",
                    "1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com"
                ),
                (s, "Clientsecret", "FaZBFRsGXTaR"),
                (
                    s,
                    "RefreshToken",
                    "1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh"
                ),
                (s, "RestConfigFile", "C:/path/to/googleanalytics.rest"),
                (s, "TokenURI", "https://accounts.google.com/o/oauth2/token"),
            ]
        );
    }

    // ---- errors ----

    #[test]
    fn text_before_section_kept_as_entry_without_section() {
        let src = "# ok\n\n Driver = x\n[a]\nk=v\n";
        let doc = parse(src);
        assert_eq!(kinds(&doc), [K::TextBeforeSection]);
        assert_eq!(doc.errors()[0].span.slice(src), "Driver = x");
        assert_eq!(
            triples(&doc),
            [(None, "Driver", "x"), (Some("a"), "k", "v")]
        );
    }

    #[test]
    fn missing_equals() {
        let src = "[a]\n  just words  \nk=v\n";
        let doc = parse(src);
        assert_eq!(kinds(&doc), [K::MissingEquals]);
        assert_eq!(doc.errors()[0].span.slice(src), "just words");
        assert!(matches!(doc.nodes()[3], Node::Invalid(s) if s.slice(src) == "just words"));
        assert_eq!(triples(&doc), [(Some("a"), "k", "v")]);
    }

    #[test]
    fn empty_key() {
        let src = "[a]\n = secretish\n=\n";
        let doc = parse(src);
        assert_eq!(kinds(&doc), [K::EmptyKey, K::EmptyKey]);
        assert_eq!(doc.errors()[0].span.slice(src), "= secretish");
        assert_eq!(doc.errors()[1].span.slice(src), "=");
        assert_eq!(doc.entries().count(), 0);
    }

    #[test]
    fn nul_byte() {
        let src = "[a]\nk=v\0w\n\0\n";
        let doc = parse(src);
        // Errors at the same offset keep the order they were found in: the
        // line's own problem first, then the NUL.
        assert_eq!(kinds(&doc), [K::NulByte, K::MissingEquals, K::NulByte]);
        assert_eq!(doc.errors()[0].span, Span::new(7, 8));
        assert_eq!(doc.errors()[1].span, Span::new(10, 11));
        assert_eq!(doc.errors()[2].span, Span::new(10, 11));
        assert_eq!(triples(&doc), [(Some("a"), "k", "v\0w")]);
    }

    #[test]
    fn line_too_long_is_a_warning_and_read_whole() {
        let long = "x".repeat(INI_LINE_LIMIT + 5);
        let src = format!("[a]\nk={long}\nok=1\n");
        let doc = parse(&src);
        assert_eq!(kinds(&doc), [K::LineTooLong]);
        assert!(K::LineTooLong.is_warning());
        let e = doc.errors()[0];
        // What unixODBC reads as a second line: everything from byte 999 on.
        assert_eq!(e.span.start(), 4 + INI_LINE_LIMIT - 1);
        assert_eq!(e.span.slice(&src), "xxxxxxxx");
        assert_eq!(triples(&doc)[0].2, long);
    }

    #[test]
    fn line_length_counts_bytes_like_unixodbc() {
        // 999 bytes: one full read, then only the line break is left.
        let at_limit = format!("[a]\nk={}\n", "x".repeat(INI_LINE_LIMIT - 3));
        assert!(parse(&at_limit).errors().is_empty());
        // 500 two-byte characters: 1002 bytes, cut inside a character, so the
        // warning starts at that character.
        let over = format!("[a]\nk={}\n", "é".repeat(500));
        let doc = parse(&over);
        assert_eq!(kinds(&doc), [K::LineTooLong]);
        let e = doc.errors()[0];
        assert_eq!(e.span.start(), 4 + 998);
        assert_eq!(e.span.slice(&over), "éé");
    }

    #[test]
    fn five_problems_five_errors_in_order() {
        let src = "lost=1\n[a\n[b] x\n=v\nnothing\n[c]\nk=\0\n";
        let doc = parse(src);
        assert_eq!(
            kinds(&doc),
            [
                K::TextBeforeSection,
                K::UnterminatedSection,
                K::TextAfterSection,
                K::EmptyKey,
                K::MissingEquals,
                K::NulByte,
            ]
        );
        let spans: Vec<_> = doc.errors().iter().map(|e| e.span.slice(src)).collect();
        assert_eq!(spans, ["lost=1", "[a", "x", "=v", "nothing", "\0"]);
        assert!(doc.errors().is_sorted_by_key(|e| e.span.start()));
    }

    #[test]
    fn errors_sorted_when_a_long_line_has_a_late_error() {
        let src = format!("[a]{}x\n", " ".repeat(INI_LINE_LIMIT));
        let doc = parse(&src);
        assert_eq!(kinds(&doc), [K::LineTooLong, K::TextAfterSection]);
    }

    #[test]
    fn odd_inputs_do_not_panic_and_round_trip() {
        let cases = [
            "\n",
            "\r\n",
            "\r",
            "[",
            "]",
            "=",
            "[\n",
            "[]]",
            "\r\r\n",
            "a\r\r",
            " = ",
            "#",
            ";",
            "\0",
            "[\0]",
            "k=\u{2028}",
            "é=è",
            "\u{feff}[a]\n",
            "[a]\n\u{85}=x",
        ];
        for src in cases {
            let doc = parse(src);
            for e in doc.errors() {
                assert!(
                    e.span.end() <= src.len() && e.span.start() <= e.span.end(),
                    "{src:?}"
                );
            }
        }
    }

    #[test]
    fn a_leading_byte_order_mark_is_trivia() {
        let src = "\u{feff}[a]\nK=v\n";
        let doc = parse(src);
        assert!(doc.errors().is_empty());
        let names: Vec<_> = doc.sections().map(|s| s.name.slice(src)).collect();
        assert_eq!(names, ["a"]);
        assert_eq!(doc.print(), src);
        // Anywhere else it is text, as unixODBC reads it.
        let later = "[a]\n\u{feff}[b]\n";
        let names: Vec<_> = parse(later)
            .sections()
            .map(|s| s.name.slice(later))
            .collect();
        assert_eq!(names, ["a"]);
    }

    #[test]
    fn print_with_replaces_values() {
        let src = "[a]\nClientSecret = s3cr3t \nk=v\n";
        let doc = parse(src);
        let out = doc.print_with(|e| {
            (e.key_str(src) == "ClientSecret").then_some(std::borrow::Cow::Borrowed("****"))
        });
        assert_eq!(out, "[a]\nClientSecret = **** \nk=v\n");
    }

    proptest::proptest! {
        /// Any text: no panic, nodes tile it, print() gives it back, errors
        /// are sorted and inside it, every entry has a non-empty key.
        #[test]
        fn any_text_round_trips(src in "[a-c =\\[\\]#;\t\r\n\u{0}\u{b}é]{0,80}") {
            let doc = parse(&src);
            proptest::prop_assert!(doc.errors().is_sorted_by_key(|e| e.span.start()));
            for e in doc.errors() {
                proptest::prop_assert!(e.span.start() <= e.span.end() && e.span.end() <= src.len());
            }
            let sections = doc.sections().count();
            for e in doc.entries() {
                proptest::prop_assert!(!e.key.is_empty());
                proptest::prop_assert!(e.section().is_none_or(|i| i < sections));
                proptest::prop_assert_eq!(&src[e.eq_offset()..e.eq_offset() + 1], "=");
            }
        }
    }
}
