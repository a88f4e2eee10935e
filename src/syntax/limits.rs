//! Resource bounds on parser input: total size, line length and entry count.
//!
//! The parsers themselves accept any `&str`; these bounds are checked before
//! parsing (by the CLI when it loads an input, by an embedding program at its
//! own input boundary), so that a huge or hostile input is refused with a
//! clear error instead of costing unbounded time and memory. The check reads
//! the text once, allocates nothing, and never echoes content in its error.

use memchr::memchr2_iter;

/// The bounds an input must respect.
///
/// ```
/// use connstr::syntax::{Limits, LimitError, check_limits};
///
/// let strict = Limits { max_input_bytes: 64, max_line_bytes: 32, max_entries: 3 };
/// assert_eq!(check_limits("DSN=sales;UID=alice", &strict), Ok(()));
/// let e = check_limits("A=1;B=2;C=3;D=4", &strict).unwrap_err();
/// assert!(matches!(e, LimitError::TooManyEntries { limit: 3, .. }));
/// assert_eq!(e.to_string(), "the input has at least 4 entries, over the limit of 3 (max_entries)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input, in bytes (never more than [`Span::MAX_OFFSET`](super::Span::MAX_OFFSET), 4 GiB).
    pub max_input_bytes: usize,
    /// Longest line, in bytes, without its line break.
    pub max_line_bytes: usize,
    /// Most entries: pieces separated by `;` or a line break (an upper bound
    /// on the entries any of connstr's parsers makes from the text).
    pub max_entries: usize,
}

impl Limits {
    /// Default [`Limits::max_input_bytes`]: 64 MiB.
    pub const DEFAULT_MAX_INPUT_BYTES: usize = 64 << 20;
    /// Default [`Limits::max_line_bytes`]: 1 MiB.
    pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;
    /// Default [`Limits::max_entries`]: 1,000,000.
    pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;
}

impl Default for Limits {
    /// 64 MiB, 1 MiB lines, 1,000,000 entries: far beyond any real odbc.ini or
    /// connection string, small enough to parse in bounded time and memory.
    fn default() -> Self {
        Limits {
            max_input_bytes: Self::DEFAULT_MAX_INPUT_BYTES,
            max_line_bytes: Self::DEFAULT_MAX_LINE_BYTES,
            max_entries: Self::DEFAULT_MAX_ENTRIES,
        }
    }
}

/// An input over one of the [`Limits`]. Names the limit and the size found;
/// never holds any of the input's text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitError {
    /// The input is larger than [`Limits::max_input_bytes`].
    #[error("the input is {size} bytes, over the limit of {limit} bytes (max_input_bytes)")]
    InputTooLarge {
        /// The input's size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A line is longer than [`Limits::max_line_bytes`].
    #[error("line {line} is {length} bytes long, over the limit of {limit} bytes (max_line_bytes)")]
    LineTooLong {
        /// The 1-based number of the first line over the limit.
        line: usize,
        /// Its length in bytes, without the line break.
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// The input has more than [`Limits::max_entries`] entries.
    #[error("the input has at least {count} entries, over the limit of {limit} (max_entries)")]
    TooManyEntries {
        /// How many entries were counted when the limit was passed.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

/// Check `text` against `limits`: size first, then line length and entry
/// count in one pass that stops at the first bound passed.
///
/// A line ends at `\n` (a `\r` before it counts towards the line's length);
/// an entry ends at `;` or `\n`, so `n` separators make at most `n + 1`
/// entries. The check allocates nothing and is linear in the input.
///
/// ```
/// use connstr::syntax::{Limits, check_limits};
///
/// let limits = Limits { max_line_bytes: 10, ..Limits::default() };
/// let e = check_limits("[dsn]\nPassword=hunter2-and-more\n", &limits).unwrap_err();
/// assert_eq!(e.to_string(), "line 2 is 25 bytes long, over the limit of 10 bytes (max_line_bytes)");
/// assert!(!e.to_string().contains("hunter2"));
/// ```
pub fn check_limits(text: &str, limits: &Limits) -> Result<(), LimitError> {
    let bytes = text.as_bytes();
    // Spans hold 32-bit offsets: no limit lets a larger text through.
    let max_input = limits.max_input_bytes.min(super::Span::MAX_OFFSET);
    if bytes.len() > max_input {
        return Err(LimitError::InputTooLarge {
            size: bytes.len(),
            limit: max_input,
        });
    }
    if within_limits(bytes, limits) {
        return Ok(());
    }
    // Something is over a limit: the exact walk below says which comes first.
    let mut entries: usize = 1;
    let mut line: usize = 1;
    let mut line_start: usize = 0;
    let too_many = |count: usize| LimitError::TooManyEntries {
        count,
        limit: limits.max_entries,
    };
    if entries > limits.max_entries && !bytes.is_empty() {
        return Err(too_many(entries));
    }
    for at in memchr2_iter(b'\n', b';', bytes) {
        if bytes[at] == b'\n' {
            let length = at - line_start;
            if length > limits.max_line_bytes {
                return Err(LimitError::LineTooLong {
                    line,
                    length,
                    limit: limits.max_line_bytes,
                });
            }
            line += 1;
            line_start = at + 1;
        }
        entries += 1;
        if entries > limits.max_entries {
            return Err(too_many(entries));
        }
    }
    let length = bytes.len() - line_start;
    if length > limits.max_line_bytes {
        return Err(LimitError::LineTooLong {
            line,
            length,
            limit: limits.max_line_bytes,
        });
    }
    Ok(())
}

/// [`check_limits`] and the [`LineIndex`] of `text` (what
/// [`Sources::add`](crate::diagnostic::Sources::add) builds) in one reading
/// of its line breaks: the index is built only once the count of lines is
/// known to be within the entry limit (so a hostile input cannot make it
/// large), and the line lengths are read from it.
///
/// ```
/// use connstr::syntax::{check_limits_indexed, Limits};
/// let limits = Limits { max_line_bytes: 8, ..Limits::default() };
/// let index = check_limits_indexed("[a]\nX=1\n", &limits).unwrap();
/// assert_eq!(index.line_count(), 3);
/// let err = check_limits_indexed("[a]\nX=123456789\n", &limits).unwrap_err();
/// assert_eq!(err.to_string(), "line 2 is 11 bytes long, over the limit of 8 bytes (max_line_bytes)");
/// ```
pub fn check_limits_indexed(text: &str, limits: &Limits) -> Result<super::LineIndex, LimitError> {
    let bytes = text.as_bytes();
    let breaks = super::ini::count_newlines(bytes);
    // Over a limit: the exact walk says which (and where) first.
    let exact = || match check_limits(text, limits) {
        Err(e) => Err(e),
        Ok(()) => Ok(super::LineIndex::with_breaks(text, breaks)),
    };
    let max_input = limits.max_input_bytes.min(super::Span::MAX_OFFSET);
    if bytes.len() > max_input || (breaks >= limits.max_entries && !bytes.is_empty()) {
        return exact();
    }
    let index = super::LineIndex::with_breaks(text, breaks);
    let entries = 1 + breaks + super::ini::count_byte(bytes, b';');
    if index.longest_line(text) > limits.max_line_bytes
        || (entries > limits.max_entries && !bytes.is_empty())
    {
        return exact();
    }
    Ok(index)
}

/// Whether `bytes` is within the line-length and entry limits, the fast
/// way: a large odbc.ini has a line break every few dozen bytes, and a
/// search for one byte is much faster per hit than for two.
fn within_limits(bytes: &[u8], limits: &Limits) -> bool {
    let mut breaks: usize = 0;
    let mut line_start = 0;
    for at in memchr::memchr_iter(b'\n', bytes) {
        if at - line_start > limits.max_line_bytes {
            return false;
        }
        line_start = at + 1;
        breaks += 1;
    }
    if bytes.len() - line_start > limits.max_line_bytes {
        return false;
    }
    let entries = 1 + breaks + memchr::memchr_iter(b';', bytes).count();
    entries <= limits.max_entries || bytes.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim(input: usize, line: usize, entries: usize) -> Limits {
        Limits {
            max_input_bytes: input,
            max_line_bytes: line,
            max_entries: entries,
        }
    }

    proptest::proptest! {
        /// The indexed check gives the answer of the walk, and on success
        /// the index `LineIndex::new` gives.
        #[test]
        fn indexed_check_is_the_walk(
            text in "[ab;\r\n]{0,40}",
            input in 0usize..45,
            line in 0usize..12,
            entries in 0usize..20,
        ) {
            let limits = lim(input, line, entries);
            let got = check_limits_indexed(&text, &limits);
            proptest::prop_assert_eq!(got.as_ref().map(|_| ()).map_err(Clone::clone), check_limits(&text, &limits));
            if let Ok(index) = got {
                let whole = crate::syntax::LineIndex::new(&text);
                proptest::prop_assert_eq!(index.line_count(), whole.line_count());
                for l in 0..whole.line_count() {
                    proptest::prop_assert_eq!(index.line_span(&text, l), whole.line_span(&text, l));
                }
            }
        }
    }

    #[test]
    fn at_the_limit_passes_one_over_fails() {
        assert_eq!(check_limits("abcd", &lim(4, 4, 1)), Ok(()));
        assert_eq!(
            check_limits("abcde", &lim(4, 10, 1)),
            Err(LimitError::InputTooLarge { size: 5, limit: 4 })
        );
        assert_eq!(
            check_limits("ab\nabcde\nx", &lim(100, 4, 10)),
            Err(LimitError::LineTooLong {
                line: 2,
                length: 5,
                limit: 4
            })
        );
        // The last line, without a line break.
        assert_eq!(
            check_limits("ab\nabcde", &lim(100, 4, 10)),
            Err(LimitError::LineTooLong {
                line: 2,
                length: 5,
                limit: 4
            })
        );
        assert_eq!(check_limits("a;b;c", &lim(100, 100, 3)), Ok(()));
        assert_eq!(
            check_limits("a;b;c;d", &lim(100, 100, 3)),
            Err(LimitError::TooManyEntries { count: 4, limit: 3 })
        );
        assert_eq!(
            check_limits("a\nb\nc;d", &lim(100, 100, 3)),
            Err(LimitError::TooManyEntries { count: 4, limit: 3 })
        );
    }

    #[test]
    fn empty_input_and_zero_limits() {
        assert_eq!(check_limits("", &lim(0, 0, 0)), Ok(()));
        assert!(check_limits("x", &lim(0, 0, 0)).is_err());
        assert_eq!(check_limits("\n", &lim(1, 0, 2)), Ok(()));
    }

    #[test]
    fn crlf_counts_the_carriage_return() {
        assert_eq!(check_limits("abc\r\n", &lim(100, 4, 10)), Ok(()));
        assert!(check_limits("abcd\r\n", &lim(100, 4, 10)).is_err());
    }

    #[test]
    fn defaults() {
        let d = Limits::default();
        assert_eq!(d.max_input_bytes, 64 * 1024 * 1024);
        assert_eq!(d.max_line_bytes, 1024 * 1024);
        assert_eq!(d.max_entries, 1_000_000);
    }
}
