//! Any bytes in, text out, nothing lost: reading files that are not UTF-8.
//!
//! unixODBC reads odbc.ini files as bytes: a Latin-1 `Description=Donn\xe9es`
//! is read and returned as is (OPTIONS.md §6). The parsers work on `&str`, so
//! [`Lossless::decode`] turns the bytes into a text **of the same length**:
//! every byte of an invalid UTF-8 sequence becomes one ASCII control
//! character (a *placeholder*) that no parser treats specially, so every
//! span is a span of the original bytes too. The original bytes are kept:
//!
//! * what is written back (`connstr fix`, `connstr redact`) is made of the
//!   original bytes ([`Lossless::original`]);
//! * what is shown shows such a byte escaped, `\xE9` ([`Lossless::escape`]).
//!
//! Each distinct invalid byte value gets its own placeholder, chosen among
//! the control characters the input does not hold, so a placeholder in any
//! string made from the text (a key, a section name, a message quoting
//! them) says which byte it stands for. With more distinct invalid bytes
//! than free placeholders (27 at most), the last one is shared and shown as
//! `\x??`.
//!
//! ```
//! use connstr::syntax::Lossless;
//! let l = Lossless::decode(b"[Donn\xe9es]\nDescription=Caf\xe9\n".to_vec());
//! assert!(!l.is_utf8());
//! assert_eq!(l.text().len(), l.original().len());
//! assert_eq!(l.escape(&l.text()[1..8]), "Donn\\xE9es");
//! assert_eq!(l.invalid().len(), 2);
//! let doc = connstr::syntax::parse_ini(l.text());
//! assert_eq!(doc.print(), l.text());
//! ```

use std::borrow::Cow;

use super::Span;

/// The control characters used as placeholders: none is a blank, a line
/// break, NUL or anything a parser reads (`;`, `=`, braces, quotes, `[`).
const PLACEHOLDERS: [u8; 27] = [
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x7F,
];

/// Bytes read losslessly: the same-length text the parsers read, and the
/// original bytes where they differ: each byte that is not UTF-8 becomes a
/// control character the input does not use (see [`Lossless::decode`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lossless {
    text: String,
    /// The original bytes, when they are not the text's.
    original: Option<Box<[u8]>>,
    /// Runs of bytes that are not UTF-8, in order.
    invalid: Vec<Span>,
    /// For each placeholder (ASCII code), the byte it stands for; `None`
    /// when it is not a placeholder, `Some(None)` when shared.
    table: Vec<(u8, Option<u8>)>,
}

impl Lossless {
    /// Read `bytes`. Valid UTF-8 is kept as is (no copy).
    pub fn decode(bytes: Vec<u8>) -> Lossless {
        let bytes = match String::from_utf8(bytes) {
            Ok(text) => return Lossless::from(text),
            Err(e) => e.into_bytes(),
        };
        let mut present = [false; 128];
        for &b in &bytes {
            if b < 128 {
                present[b as usize] = true;
            }
        }
        let mut free = PLACEHOLDERS
            .iter()
            .copied()
            .filter(|&c| !present[c as usize]);
        // byte value (0x80..=0xFF) -> placeholder
        let mut code_of = [0u8; 128];
        let mut table: Vec<(u8, Option<u8>)> = Vec::new();
        let mut shared: Option<u8> = None;
        let mut text = bytes.clone();
        let mut invalid: Vec<Span> = Vec::new();
        let mut at = 0;
        for chunk in bytes.utf8_chunks() {
            at += chunk.valid().len();
            let bad = chunk.invalid();
            if bad.is_empty() {
                continue;
            }
            for (i, &b) in bad.iter().enumerate() {
                let slot = &mut code_of[(b & 0x7F) as usize];
                if *slot == 0 {
                    *slot = match (shared, free.next()) {
                        (None, Some(c)) => {
                            table.push((c, Some(b)));
                            c
                        }
                        (Some(c), _) => c,
                        (None, None) => {
                            // Out of placeholders: share the last one.
                            let c = table.last().map_or(0x1A, |t| t.0);
                            if let Some(t) = table.last_mut() {
                                t.1 = None;
                            } else {
                                table.push((c, None));
                            }
                            shared = Some(c);
                            c
                        }
                    };
                }
                text[at + i] = *slot;
            }
            match invalid.last_mut() {
                Some(last) if last.end() == at => *last = last.with_end(at + bad.len()),
                _ => invalid.push(Span::new(at, at + bad.len())),
            }
            at += bad.len();
        }
        // Every invalid byte is now ASCII: the text is UTF-8.
        let text = String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Lossless {
            text,
            original: Some(bytes.into_boxed_slice()),
            invalid,
            table,
        }
    }

    /// The text the parsers read: the original where it is UTF-8, one
    /// placeholder per byte elsewhere. Same length as [`Lossless::original`].
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, for bytes that were UTF-8 without a copy.
    pub fn into_text(self) -> String {
        self.text
    }

    /// The bytes as read.
    pub fn original(&self) -> &[u8] {
        self.original.as_deref().unwrap_or(self.text.as_bytes())
    }

    /// The bytes as read under `span` (empty when it does not fit).
    pub fn original_of(&self, span: Span) -> &[u8] {
        self.original().get(span.range()).unwrap_or(&[])
    }

    /// Whether the bytes were UTF-8 (the text is then the bytes).
    pub fn is_utf8(&self) -> bool {
        self.original.is_none()
    }

    /// The runs of bytes that are not UTF-8, in order.
    pub fn invalid(&self) -> &[Span] {
        &self.invalid
    }

    /// Whether `span` covers a byte that is not UTF-8.
    pub fn covers_invalid(&self, span: Span) -> bool {
        let i = self.invalid.partition_point(|s| s.end() <= span.start());
        self.invalid
            .get(i)
            .is_some_and(|s| s.start() < span.end() && span.start() < span.end())
    }

    /// The byte placeholder `c` stands for: `Some(Some(b))`, `Some(None)`
    /// when shared by several bytes, `None` when `c` is no placeholder.
    fn byte_of(&self, c: u8) -> Option<Option<u8>> {
        self.table.iter().find(|t| t.0 == c).map(|t| t.1)
    }

    /// `s` (a string made from [`Lossless::text`]: a slice, a key, a message
    /// quoting one) with each placeholder shown as the byte it stands for,
    /// escaped: `\xE9` (`\x??` for a shared placeholder). Borrowed when
    /// there is nothing to escape.
    pub fn escape<'s>(&self, s: &'s str) -> Cow<'s, str> {
        if self.table.is_empty() || !s.bytes().any(|b| self.byte_of(b).is_some()) {
            return Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(s.len() + 8);
        for c in s.chars() {
            match u8::try_from(c).ok().and_then(|b| self.byte_of(b)) {
                Some(Some(b)) => out.push_str(&format!("\\x{b:02X}")),
                Some(None) => out.push_str("\\x??"),
                None => out.push(c),
            }
        }
        Cow::Owned(out)
    }
}

impl From<String> for Lossless {
    fn from(text: String) -> Self {
        Lossless {
            text,
            original: None,
            invalid: Vec::new(),
            table: Vec::new(),
        }
    }
}

/// `original` (the bytes a text of the same length was decoded from) with
/// `spans` (sorted, disjoint) replaced by `with`: masking written back as
/// bytes, for `connstr redact`.
pub fn replace_spans(original: &[u8], spans: &[Span], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(original.len());
    let mut at = 0;
    for s in spans {
        let (start, end) = (s.start().min(original.len()), s.end().min(original.len()));
        if start < at {
            continue;
        }
        out.extend_from_slice(&original[at..start]);
        out.extend_from_slice(with);
        at = end;
    }
    out.extend_from_slice(&original[at.min(original.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_kept_as_is() {
        let l = Lossless::decode("Données=é".as_bytes().to_vec());
        assert!(l.is_utf8());
        assert_eq!(l.text(), "Données=é");
        assert!(l.invalid().is_empty());
        assert_eq!(l.escape(l.text()), "Données=é");
    }

    #[test]
    fn latin1_bytes_become_placeholders_of_the_same_length() {
        let raw = b"Description=Donn\xe9es \xe0 \xe9t\xe9\r\nDriver=x\xff".to_vec();
        let l = Lossless::decode(raw.clone());
        assert_eq!(l.original(), &raw[..]);
        assert_eq!(l.text().len(), raw.len());
        assert_eq!(
            l.escape(l.text()),
            "Description=Donn\\xE9es \\xE0 \\xE9t\\xE9\r\nDriver=x\\xFF"
        );
        let runs: Vec<_> = l.invalid().iter().map(|s| s.range()).collect();
        assert_eq!(runs, [16..17, 20..21, 22..23, 24..25, 35..36]);
        assert!(l.covers_invalid(Span::new(12, 18)));
        assert!(!l.covers_invalid(Span::new(0, 11)));
        assert!(!l.covers_invalid(Span::new(16, 16)));
        // The text is what the parsers read: nothing but the bytes changed.
        for (t, r) in l.text().bytes().zip(&raw) {
            assert!(t == *r || (*r >= 0x80 && t < 0x20 || t == 0x7F));
        }
    }

    #[test]
    fn placeholders_already_in_the_input_are_not_used() {
        let l = Lossless::decode(b"a\x01\x02=\xe9".to_vec());
        assert_eq!(l.escape(l.text()), "a\u{1}\u{2}=\\xE9");
    }

    #[test]
    fn more_distinct_bytes_than_placeholders_share_the_last() {
        let raw: Vec<u8> = (0x80u8..=0xFF).flat_map(|b| [b, b' ']).collect();
        let l = Lossless::decode(raw.clone());
        assert_eq!(l.original(), &raw[..]);
        let shown = l.escape(l.text());
        assert!(shown.starts_with("\\x80 \\x81 "), "{shown}");
        assert!(shown.contains("\\x??"));
    }

    #[test]
    fn replacing_spans_keeps_the_other_bytes() {
        let raw = b"P=\xe9t\xe9;Q=\xff";
        let out = replace_spans(raw, &[Span::new(2, 5)], b"<redacted>");
        assert_eq!(out, b"P=<redacted>;Q=\xff");
    }
}
