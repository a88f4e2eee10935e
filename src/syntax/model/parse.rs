//! The Model file reader: a hand-written recursive descent over bytes that
//! recovers from every problem (see `grammar/model.abnf`).

use std::borrow::Cow;

use super::{MAX_DEPTH, ModelDoc, ModelProblem, ModelProblemKind as K, Slot, ValueKind, flag};
use crate::syntax::Span;

/// Read a Model file. Never fails and never panics: problems are collected in
/// [`ModelDoc::problems`].
///
/// ```abnf
/// model-file = ws object ws [ last-comment ]
/// ```
///
/// ```
/// use connstr::syntax::{parse_model, ModelProblemKind};
/// let doc = parse_model("{\n  \"#http\": []\n  \"#authentication\": []\n}");
/// let p = &doc.problems()[0];
/// assert_eq!(p.kind, ModelProblemKind::MissingComma);
/// assert!(p.kind.is_warning());
/// assert_eq!(p.fix(), Some((connstr::syntax::Span::empty(15), ",")));
/// ```
pub fn parse_model(source: &str) -> ModelDoc<'_> {
    let mut p = Parser {
        src: source,
        b: source.as_bytes(),
        pos: 0,
        slots: Vec::with_capacity(source.len() / 24 + 1),
        problems: Vec::new(),
        scratch: Vec::new(),
    };
    if source.len() > Span::MAX_OFFSET {
        p.problem(K::TooLarge, Span::empty(0));
        return p.finish();
    }
    p.ws();
    if p.pos >= p.b.len() {
        p.problem(K::Empty, Span::new(0, source.len()));
        return p.finish();
    }
    p.value(0);
    if let Some(root) = p.slots.first()
        && root.kind != ValueKind::Object
        && root.kind != ValueKind::Invalid
    {
        let span = root.span;
        p.problem(K::RootNotObject, span);
    }
    p.ws();
    if p.pos < p.b.len() {
        let end = source.trim_end().len().max(p.pos + 1).min(source.len());
        let end = floor_boundary(source, end);
        p.problem(K::UnexpectedText, Span::new(p.pos, end));
    }
    p.finish()
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    slots: Vec<Slot>,
    problems: Vec<ModelProblem>,
    /// Keys of the object being checked for duplicates (reused).
    scratch: Vec<(Cow<'a, str>, Span)>,
}

/// Bytes that end a run of junk text (and a bare key).
fn is_stop(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\r' | b'\n' | b',' | b':' | b'{' | b'}' | b'[' | b']' | b'"'
    )
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The largest char boundary at or below `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn valid_number(t: &[u8]) -> bool {
    let digits = |i: &mut usize| {
        let s = *i;
        while t.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > s
    };
    let mut i = usize::from(t.first() == Some(&b'-'));
    match t.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if t.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(t.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(t.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == t.len()
}

impl<'a> Parser<'a> {
    fn finish(mut self) -> ModelDoc<'a> {
        self.problems
            .sort_by_key(|p| (p.span.start(), p.span.end()));
        ModelDoc {
            source: self.src,
            slots: self.slots,
            problems: self.problems,
        }
    }

    fn problem(&mut self, kind: K, span: Span) {
        self.problems.push(ModelProblem {
            span,
            kind,
            related: None,
        });
    }

    fn problem_at(&mut self, kind: K, span: Span, related: Span) {
        self.problems.push(ModelProblem {
            span,
            kind,
            related: Some(related),
        });
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn push(&mut self, kind: ValueKind, span: Span, flags: u8) -> usize {
        let at = self.slots.len();
        self.slots.push(Slot {
            span,
            key: Span::empty(span.start()),
            end: u32::try_from(at + 1).unwrap_or(u32::MAX),
            kind,
            flags,
        });
        at
    }

    /// Blanks and comments.
    ///
    /// ```abnf
    /// ws = *( %x20 / %x09 / %x0A / %x0D / line-comment )
    /// line-comment = "//" *not-lf %x0A
    /// last-comment = "//" *not-lf
    /// not-lf = %x00-09 / %x0B-10FFFF
    /// ```
    fn ws(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'/' if self.b.get(self.pos + 1) == Some(&b'/') => {
                    self.pos = memchr::memchr(b'\n', &self.b[self.pos..])
                        .map_or(self.b.len(), |i| self.pos + i);
                }
                b'/' if self.b.get(self.pos + 1) == Some(&b'*') => {
                    let start = self.pos;
                    match memchr::memmem::find(&self.b[start + 2..], b"*/") {
                        Some(i) => {
                            self.pos = start + 2 + i + 2;
                            self.problem(K::BlockComment, Span::new(start, self.pos));
                        }
                        None => {
                            self.pos = self.b.len();
                            self.problem(K::UnterminatedComment, Span::new(start, start + 2));
                        }
                    }
                }
                _ => break,
            }
        }
    }

    /// Skip text that is not a value, up to the next structural character or
    /// blank (at least one byte). Returns its span.
    fn junk(&mut self) -> Span {
        let start = self.pos;
        if self.peek().is_some_and(is_stop) {
            self.pos += 1;
        } else {
            while self.peek().is_some_and(|c| !is_stop(c)) {
                self.pos += 1;
            }
        }
        Span::new(start, self.pos)
    }

    /// One value.
    ///
    /// ```abnf
    /// value = object / array / string / number / true / false / null
    /// true = %x74.72.75.65
    /// false = %x66.61.6C.73.65
    /// null = %x6E.75.6C.6C
    /// ```
    fn value(&mut self, depth: usize) {
        let start = self.pos;
        match self.peek() {
            Some(b'{' | b'[') if depth >= MAX_DEPTH => self.too_deep(),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let (span, flags) = self.string();
                self.push(ValueKind::String, span, flags);
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(c) if is_word(c) => {
                while self.peek().is_some_and(is_word) {
                    self.pos += 1;
                }
                let span = Span::new(start, self.pos);
                match &self.b[start..self.pos] {
                    b"true" => {
                        self.push(ValueKind::Bool, span, flag::TRUE);
                    }
                    b"false" => {
                        self.push(ValueKind::Bool, span, 0);
                    }
                    b"null" => {
                        self.push(ValueKind::Null, span, 0);
                    }
                    _ => {
                        self.problem(K::ExpectedValue, span);
                        self.push(ValueKind::Invalid, span, 0);
                    }
                }
            }
            None | Some(b',' | b'}' | b']' | b':') => {
                let span = Span::empty(start);
                self.problem(K::ExpectedValue, span);
                self.push(ValueKind::Invalid, span, 0);
            }
            Some(_) => {
                let span = self.junk();
                self.problem(K::ExpectedValue, span);
                self.push(ValueKind::Invalid, span, 0);
            }
        }
    }

    /// An object or array nested past [`MAX_DEPTH`]: skipped whole, brackets
    /// balanced and strings stepped over.
    fn too_deep(&mut self) {
        let start = self.pos;
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            match c {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.pos += 1;
                        break;
                    }
                }
                b'"' => {
                    self.string_span_only();
                    continue;
                }
                _ => {}
            }
            self.pos += 1;
        }
        let span = Span::new(start, self.pos);
        self.problem(K::TooDeep, Span::new(start, start + 1));
        self.push(ValueKind::Invalid, span, 0);
    }

    /// Step over a string without recording anything (for [`Self::too_deep`]).
    fn string_span_only(&mut self) {
        self.pos += 1;
        while let Some(i) = memchr::memchr3(b'"', b'\\', b'\n', &self.b[self.pos..]) {
            let at = self.pos + i;
            match self.b[at] {
                b'\\' => self.pos = (at + 2).min(self.b.len()),
                b'"' => {
                    self.pos = at + 1;
                    return;
                }
                _ => {
                    self.pos = at;
                    return;
                }
            }
        }
        self.pos = self.b.len();
    }

    /// An object.
    ///
    /// ```abnf
    /// object = "{" ws [ member ws *( "," ws member ws ) [ "," ws ] ] "}"
    /// member = string ws ":" ws value
    /// ```
    fn object(&mut self, depth: usize) {
        let open = self.pos;
        self.pos += 1;
        let at = self.push(ValueKind::Object, Span::empty(open), 0);
        loop {
            self.ws();
            match self.peek() {
                None | Some(b']') => {
                    self.problem(K::UnclosedObject, Span::new(open, open + 1));
                    break;
                }
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => {
                    self.problem(K::ExtraComma, Span::new(self.pos, self.pos + 1));
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            // The key.
            let (key, mut key_flags) = match self.peek() {
                Some(b'"') => {
                    let (span, f) = self.string();
                    let mut kf = 0;
                    if f & flag::ESCAPED != 0 {
                        kf |= flag::KEY_ESCAPED;
                    }
                    if f & flag::UNTERMINATED != 0 {
                        kf |= flag::KEY_UNTERMINATED;
                    }
                    (span, kf)
                }
                Some(c) if !is_stop(c) => {
                    let span = self.junk();
                    self.problem(K::UnquotedKey, span);
                    (span, flag::KEY_BARE)
                }
                _ => {
                    let span = self.junk();
                    self.problem(K::UnexpectedText, span);
                    continue;
                }
            };
            key_flags |= flag::HAS_KEY;
            self.ws();
            let child = self.slots.len();
            if self.peek() == Some(b':') {
                self.pos += 1;
                self.ws();
                self.value(depth + 1);
            } else {
                self.problem(K::ExpectedColon, Span::empty(key.end()));
                match self.peek() {
                    None | Some(b',' | b'}' | b']') => {
                        self.push(ValueKind::Invalid, Span::empty(self.pos), 0);
                    }
                    _ => self.value(depth + 1),
                }
            }
            if let Some(s) = self.slots.get_mut(child) {
                s.key = key;
                s.flags |= key_flags;
            }
            self.separator(b'}');
        }
        let end = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        let slot = &mut self.slots[at];
        slot.span = Span::new(open, self.pos);
        slot.end = end;
        self.duplicates(at);
    }

    /// After a member or item: a `,`, the closer, or a missing comma (the
    /// caller's loop then sees the closer or the end of the text).
    fn separator(&mut self, closer: u8) {
        let after_value = self.pos;
        self.ws();
        match self.peek() {
            None | Some(b'}' | b']') => {}
            Some(b',') => self.pos += 1,
            Some(c) => {
                let starts_next = if closer == b'}' {
                    c == b'"' || !is_stop(c)
                } else {
                    matches!(c, b'"' | b'{' | b'[') || !is_stop(c)
                };
                if starts_next {
                    self.problem(K::MissingComma, Span::empty(after_value));
                } else {
                    let span = self.junk();
                    self.problem(K::UnexpectedText, span);
                }
            }
        }
    }

    /// Warn about keys given twice in the object at `at` (`#` keys compared
    /// without regard to case).
    fn duplicates(&mut self, at: usize) {
        let mut keys = std::mem::take(&mut self.scratch);
        keys.clear();
        let end = self.slots[at].end as usize;
        let mut i = at + 1;
        while i < end {
            let s = self.slots[i];
            if s.flags & flag::HAS_KEY != 0 {
                let raw = s.key.slice(self.src);
                let raw = raw.strip_prefix('"').unwrap_or(raw);
                let raw = raw.strip_suffix('"').unwrap_or(raw);
                let k = if raw.starts_with('#') && raw.bytes().any(|c| c.is_ascii_uppercase()) {
                    Cow::Owned(raw.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(raw)
                };
                keys.push((k, s.key));
            }
            i = (s.end as usize).max(i + 1);
        }
        if keys.len() > 1 {
            keys.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
            for w in keys.windows(2) {
                if w[0].0 == w[1].0 {
                    let (first, second) = (w[0].1, w[1].1);
                    self.problem_at(K::DuplicateKey, second, first);
                }
            }
        }
        self.scratch = keys;
    }

    /// An array.
    ///
    /// ```abnf
    /// array = "[" ws [ value ws *( "," ws value ws ) [ "," ws ] ] "]"
    /// ```
    fn array(&mut self, depth: usize) {
        let open = self.pos;
        self.pos += 1;
        let at = self.push(ValueKind::Array, Span::empty(open), 0);
        loop {
            self.ws();
            match self.peek() {
                None | Some(b'}') => {
                    self.problem(K::UnclosedArray, Span::new(open, open + 1));
                    break;
                }
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => {
                    self.problem(K::ExtraComma, Span::new(self.pos, self.pos + 1));
                    self.pos += 1;
                    continue;
                }
                Some(b':') => {
                    let span = self.junk();
                    self.problem(K::UnexpectedText, span);
                    continue;
                }
                _ => {}
            }
            self.value(depth + 1);
            self.separator(b']');
        }
        let end = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        let slot = &mut self.slots[at];
        slot.span = Span::new(open, self.pos);
        slot.end = end;
    }

    /// A string token at `"`: its span (quotes included) and flags.
    ///
    /// ```abnf
    /// string = DQUOTE *char DQUOTE
    /// char = unescaped / "\" escape
    /// unescaped = %x20-21 / %x23-5B / %x5D-10FFFF
    /// escape = %x22 / %x5C / %x2F / %x62 / %x66 / %x6E / %x72 / %x74 / %x75 4HEXDIG / "&"
    /// ```
    fn string(&mut self) -> (Span, u8) {
        let start = self.pos;
        let mut flags = 0;
        let mut i = start + 1;
        let len = self.b.len();
        let content_end;
        loop {
            let Some(found) = memchr::memchr3(b'"', b'\\', b'\n', &self.b[i..]) else {
                content_end = len;
                flags |= flag::UNTERMINATED;
                break;
            };
            let at = i + found;
            match self.b[at] {
                b'"' => {
                    content_end = at;
                    self.pos = at + 1;
                    break;
                }
                b'\\' => {
                    flags |= flag::ESCAPED;
                    match self.b.get(at + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' | b'&') => {
                            i = at + 2;
                        }
                        Some(b'u')
                            if self
                                .b
                                .get(at + 2..at + 6)
                                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            i = at + 6;
                        }
                        None | Some(b'\n' | b'\r') => {
                            self.problem(K::UnknownEscape, Span::new(at, at + 1));
                            i = at + 1;
                        }
                        Some(_) => {
                            let n = self.src[at + 1..].chars().next().map_or(1, char::len_utf8);
                            self.problem(K::UnknownEscape, Span::new(at, at + 1 + n));
                            i = at + 1 + n;
                        }
                    }
                }
                _ => {
                    // A line break before the closing quote.
                    let mut end = at;
                    if end > start + 1 && self.b[end - 1] == b'\r' {
                        end -= 1;
                    }
                    content_end = end;
                    flags |= flag::UNTERMINATED;
                    break;
                }
            }
        }
        if flags & flag::UNTERMINATED != 0 {
            self.pos = content_end;
            self.problem(K::UnterminatedString, Span::new(start, content_end));
        }
        if let Some(c) = self.b[start + 1..content_end]
            .iter()
            .position(|&c| c < 0x20)
        {
            let at = start + 1 + c;
            self.problem(K::ControlCharacter, Span::new(at, at + 1));
        }
        (Span::new(start, self.pos), flags)
    }

    /// A number (read leniently to the next blank or structural character,
    /// then checked).
    ///
    /// ```abnf
    /// number = [ "-" ] int [ frac ] [ exp ]
    /// int = "0" / %x31-39 *DIGIT
    /// frac = "." 1*DIGIT
    /// exp = "e" [ "-" / "+" ] 1*DIGIT
    /// ```
    fn number(&mut self) {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-'))
        {
            self.pos += 1;
        }
        let span = Span::new(start, self.pos);
        if valid_number(&self.b[start..self.pos]) {
            self.push(ValueKind::Number, span, 0);
        } else {
            self.problem(K::BadNumber, span);
            self.push(ValueKind::Invalid, span, 0);
        }
    }
}
