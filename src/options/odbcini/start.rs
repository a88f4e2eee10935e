//! unixODBC's rule for the start of an odbc.ini: a file whose first
//! significant line is not a `[section]` in column 1 (an entry, an indented
//! header, a byte order mark, an over-long line) has no data source at all
//! for it (OPTIONS.md §6, measured with unixODBC 2.3.11).

use crate::syntax::Span;

/// Why unixODBC reads no data source at all from an odbc.ini: what its
/// first significant line is (see [`first_line_problem`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartProblem {
    /// The line starts with a UTF-8 byte order mark (`EF BB BF`), which
    /// unixODBC reads as three ordinary bytes.
    ByteOrderMark,
    /// A `[section]` header with blanks before its `[`.
    IndentedHeader,
    /// The rest of a comment longer than unixODBC's line buffer (999
    /// bytes), read as a line of its own.
    LongLine,
    /// An entry (`Key=value`), or any other text that is not a header.
    NotAHeader,
}

/// The first significant line of an odbc.ini when it makes unixODBC read no
/// data source from the file: what it is, and where (the line without its
/// line break; for [`StartProblem::LongLine`] the part past the cut).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BadStart {
    /// What the line is.
    pub problem: StartProblem,
    /// Where it is.
    pub span: Span,
}

/// unixODBC's line buffer (`fgets(line, INI_MAX_LINE, file)`, 1000 bytes):
/// at most 999 bytes are read as one line.
const FGETS_BYTES: usize = crate::syntax::INI_LINE_LIMIT - 1;

/// Whether unixODBC 2.3 reads no data source at all from odbc.ini text
/// `src`, and why.
///
/// unixODBC opens an ini file by skipping blank lines and comments (a first
/// non-blank `#` or `;`) until the first line whose **first byte** is `[`;
/// any other line first makes the whole file unreadable (`iniOpen` →
/// `_iniScanUntilObject` returns `INI_ERROR`), so not one of its sections is
/// a data source — `odbcinst -q -s` lists none, and connecting to any of
/// them fails with IM002. Lines are read 999 bytes at a time, so a longer
/// comment goes on as a line of its own. Measured with unixODBC 2.3.11,
/// user and system odbc.ini alike (`fixtures/odbc/differential/`).
///
/// ```
/// use connstr::options::{first_line_problem, StartProblem};
/// let ok = "# sales\n\n; more\n[sales]\nDriver=SQLite3\n";
/// assert_eq!(first_line_problem(ok), None);
/// let bom = "\u{feff}[sales]\nDriver=SQLite3\n";
/// assert_eq!(first_line_problem(bom).unwrap().problem, StartProblem::ByteOrderMark);
/// let indented = "# sales\n  [sales]\nDriver=SQLite3\n";
/// let bad = first_line_problem(indented).unwrap();
/// assert_eq!(bad.problem, StartProblem::IndentedHeader);
/// assert_eq!(bad.span.slice(indented), "  [sales]");
/// let entry = "Driver=SQLite3\n[sales]\n";
/// assert_eq!(first_line_problem(entry).unwrap().problem, StartProblem::NotAHeader);
/// // No header at all is no problem: the file simply has no data source.
/// assert_eq!(first_line_problem("# empty\n"), None);
/// ```
pub fn first_line_problem(src: &str) -> Option<BadStart> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let bytes = src.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let rest = &bytes[pos..];
        let line_len = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let read = line_len.min(FGETS_BYTES);
        let start = pos;
        pos += read;
        let chunk = &rest[..read];
        if chunk.first() == Some(&b'[') {
            return None;
        }
        // `iniAllTrim`: C `isspace` blanks on both sides.
        let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
        let Some(first) = chunk.iter().find(|b| !is_space(b)) else {
            continue;
        };
        if matches!(first, b'#' | b';') {
            continue;
        }
        let continued = start > 0 && bytes[start - 1] != b'\n';
        let problem = if chunk.starts_with(BOM) {
            StartProblem::ByteOrderMark
        } else if continued {
            StartProblem::LongLine
        } else if *first == b'[' {
            StartProblem::IndentedHeader
        } else {
            StartProblem::NotAHeader
        };
        // The physical line, without its line break; past the cut for the
        // rest of a long line (at a character boundary).
        let mut from = start;
        while !src.is_char_boundary(from) {
            from += 1;
        }
        let line_end = start + line_len;
        let mut to = line_end;
        while to > from && matches!(bytes[to - 1], b'\n' | b'\r') {
            to -= 1;
        }
        return Some(BadStart {
            problem,
            span: Span::new(from, to.max(from)),
        });
    }
    None
}
