//! Byte spans into a source text, and the line index that turns them into line/column.

use std::ops::Range;

/// A half-open byte range `start..end` into one source text.
///
/// Spans are small and `Copy` (two 32-bit offsets: a large odbc.ini parses
/// into hundreds of thousands of them); line and column are computed only
/// when a diagnostic is rendered (see [`LineIndex`]). A span produced by a
/// sub-parse (for example the properties of a JDBC URL after its prefix) is
/// relative to the slice it parsed and is moved into place with
/// [`Span::rebase`].
///
/// Offsets beyond [`Span::MAX_OFFSET`] (4 GiB) are not representable; the
/// parsers read at most that much of a text (see
/// [`Limits`](crate::syntax::Limits), whose largest input is far smaller).
///
/// ```
/// use connstr::syntax::Span;
/// let s = Span::new(4, 9);
/// assert_eq!(s.slice("TokenURI=x"), "nURI=");
/// assert_eq!((s.start(), s.end()), (4, 9));
/// assert_eq!(s.rebase(10), Span::new(14, 19));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Span {
    start: u32,
    end: u32,
}

/// An offset as stored: saturated at [`Span::MAX_OFFSET`].
pub(crate) const fn narrow(offset: usize) -> u32 {
    if offset > Span::MAX_OFFSET {
        Span::MAX_OFFSET as u32
    } else {
        offset as u32
    }
}

impl Span {
    /// The largest offset a span holds.
    pub const MAX_OFFSET: usize = u32::MAX as usize;

    /// A span from `start` to `end` (`start <= end`).
    pub const fn new(start: usize, end: usize) -> Self {
        Span {
            start: narrow(start),
            end: narrow(end),
        }
    }

    /// An empty span at `at`.
    pub const fn empty(at: usize) -> Self {
        Span::new(at, at)
    }

    /// First byte.
    #[inline]
    pub const fn start(self) -> usize {
        self.start as usize
    }

    /// One past the last byte.
    #[inline]
    pub const fn end(self) -> usize {
        self.end as usize
    }

    /// Number of bytes covered.
    pub const fn len(self) -> usize {
        self.end() - self.start()
    }

    /// Whether the span covers no byte.
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The text this span covers in `source`.
    ///
    /// Returns `""` rather than panicking when the span does not fit `source`.
    pub fn slice(self, source: &str) -> &str {
        source.get(self.start()..self.end()).unwrap_or("")
    }

    /// The span moved forward by `offset` bytes.
    pub const fn rebase(self, offset: usize) -> Self {
        Span::new(self.start() + offset, self.end() + offset)
    }

    /// The same start, ending at `end`.
    pub const fn with_end(self, end: usize) -> Self {
        Span::new(self.start(), end)
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Self {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Whether `offset` lies inside the span.
    pub const fn contains(self, offset: usize) -> bool {
        self.start() <= offset && offset < self.end()
    }

    /// As a `Range<usize>`.
    pub const fn range(self) -> Range<usize> {
        self.start()..self.end()
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// A 1-based line and column. The column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// Start offsets of every line of a text, for turning byte offsets into [`LineCol`].
///
/// A line ends after `\n`; a `\r\n` pair counts as one line break.
///
/// ```
/// use connstr::syntax::{LineIndex, LineCol};
/// let src = "a=1;\r\nbé=2";
/// let idx = LineIndex::new(src);
/// assert_eq!(idx.line_col(src, 0), LineCol { line: 1, column: 1 });
/// assert_eq!(idx.line_col(src, 9), LineCol { line: 2, column: 3 });
/// ```
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index the line starts of `source`.
    pub fn new(source: &str) -> Self {
        // Counting first (a vectorised pass) sizes the Vec once.
        Self::with_breaks(source, super::ini::count_newlines(source.as_bytes()))
    }

    /// [`LineIndex::new`] of a text known to hold `breaks` line feeds.
    pub(crate) fn with_breaks(source: &str, breaks: usize) -> Self {
        let mut starts = Vec::with_capacity(breaks + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', source.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The length in bytes of the longest line of `source` (the text this
    /// index was made from), without its line feed.
    pub(crate) fn longest_line(&self, source: &str) -> usize {
        let inner = self.starts.windows(2).map(|w| w[1] - 1 - w[0]).max();
        let last = self
            .starts
            .last()
            .map_or(source.len(), |&s| source.len().saturating_sub(s));
        inner.map_or(last, |m| m.max(last))
    }

    /// The byte offset where each line starts (the first is 0).
    pub(crate) fn starts(&self) -> &[usize] {
        &self.starts
    }

    /// 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte range of 0-based `line`, without its line break.
    pub fn line_span(&self, source: &str, line: usize) -> Span {
        let start = self.starts.get(line).copied().unwrap_or(source.len());
        let mut end = self
            .starts
            .get(line + 1)
            .map(|s| s - 1)
            .unwrap_or(source.len());
        if end > start && source.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Span::new(start, end.max(start))
    }

    /// Number of lines (a text with no line break has one).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based line and character column of byte `offset` in `source`.
    pub fn line_col(&self, source: &str, offset: usize) -> LineCol {
        let offset = offset.min(source.len());
        let line = self.line_of(offset);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column = source
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start)
            + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }
}
