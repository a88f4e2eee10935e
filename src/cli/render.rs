//! Rendering diagnostics, human (rustc-style) and JSON, from the same data.
//!
//! Both renderings take the diagnostics, the [`Sources`] they point into and the
//! [`Masks`]: the spans of secret values, whose characters are replaced by
//! [`MASK`] in every source snippet. A renderer never prints a secret, even when
//! a diagnostic points right at one.
//!
//! The human rendering is styled with ANSI sequences; [`emit`] writes it through
//! `anstream`, which strips them when the stream is not a terminal or `NO_COLOR`
//! is set.

use std::fmt::Write as _;
use std::io::{self, Write as _};

use anstyle::{AnsiColor, Style};

use connstr::diagnostic::{Diagnostic, Label, Severity, Source, SourceId, Sources};
use connstr::syntax::Span;

/// What replaces a secret value in snippets and in `connstr redact`.
pub const MASK: &str = connstr::REDACTED;

pub use connstr::report::{Masks, Summary, clip, mask_text, scrub};

// ---------------------------------------------------------------- styles

struct Styles {
    error: Style,
    warning: Style,
    note: Style,
    help: Style,
    gutter: Style,
    bold: Style,
    secondary: Style,
}

impl Styles {
    fn new(color: bool) -> Self {
        if !color {
            let s = Style::new();
            return Styles {
                error: s,
                warning: s,
                note: s,
                help: s,
                gutter: s,
                bold: s,
                secondary: s,
            };
        }
        let bold = Style::new().bold();
        Styles {
            error: bold.fg_color(Some(AnsiColor::BrightRed.into())),
            warning: bold.fg_color(Some(AnsiColor::BrightYellow.into())),
            note: bold.fg_color(Some(AnsiColor::BrightGreen.into())),
            help: bold.fg_color(Some(AnsiColor::BrightCyan.into())),
            gutter: bold.fg_color(Some(AnsiColor::BrightBlue.into())),
            bold,
            secondary: bold.fg_color(Some(AnsiColor::BrightBlue.into())),
        }
    }

    fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Note => self.note,
        }
    }
}

/// The word for a severity, as printed.
pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn paint(out: &mut String, style: Style, text: &str) {
    if style == Style::new() {
        out.push_str(text);
    } else {
        let _ = write!(out, "{style}{text}{style:#}");
    }
}

// ---------------------------------------------------------------- human

/// One source line as displayed: secrets masked, tabs expanded.
struct DisplayLine {
    text: String,
    /// Byte offset (absolute) where the line starts.
    start: usize,
    /// Display column (0-based) for each byte offset of the line, start and
    /// end variants (they differ only inside a masked secret).
    col_start: Vec<usize>,
    col_end: Vec<usize>,
}

impl DisplayLine {
    /// Line `line0` of `source`; a line longer than [`MAX_LINE`] characters
    /// is cut to a window around `focus` (the labels shown on it), with `...`
    /// marking what was cut.
    fn new(source: &Source, line0: usize, masks: &[Span], focus: Span) -> Self {
        let full = source.line_index().line_span(&source.text, line0);
        let (span, cut_before, cut_after) = window(&source.text, full, focus);
        let raw = span.slice(&source.text);
        let n = raw.len();
        let mut text = String::with_capacity(n + 16);
        let mut col_start = vec![0; n + 1];
        let mut col_end = vec![0; n + 1];
        let mut col = 0usize;
        if cut_before {
            text.push_str("...");
            col = 3;
        }
        let mut i = 0usize;
        // Masks overlapping the window, found by binary search.
        let first = masks.partition_point(|m| m.end() <= span.start());
        let mut secrets = masks[first..]
            .iter()
            .take_while(|m| m.start() < span.end())
            .filter_map(|s| clip(raw, span.start(), *s))
            .peekable();
        while i < n {
            if let Some(&(ms, me)) = secrets.peek() {
                if me <= i {
                    secrets.next();
                    continue;
                }
                if ms <= i {
                    let first = col;
                    text.push_str(MASK);
                    col += MASK.chars().count();
                    for j in i..me {
                        col_start[j] = first;
                        col_end[j] = if j == i { first } else { col };
                    }
                    i = me;
                    secrets.next();
                    continue;
                }
            }
            let Some(ch) = raw[i..].chars().next() else {
                break;
            };
            let w = ch.len_utf8();
            for j in i..i + w {
                col_start[j] = col;
                col_end[j] = col;
            }
            let abs = span.start() + i;
            let non_utf8 = ch.is_ascii_control()
                && source
                    .lossless()
                    .is_some_and(|l| l.covers_invalid(Span::new(abs, abs + 1)));
            if non_utf8 {
                // A byte that is not UTF-8, as read: `\xE9`.
                let b = source.original().get(abs).copied().unwrap_or(0);
                let shown = format!("\\x{b:02X}");
                col += shown.len();
                text.push_str(&shown);
            } else if ch == '\t' {
                text.push_str("    ");
                col += 4;
            } else if ch.is_control() {
                text.push('\u{fffd}');
                col += 1;
            } else {
                text.push(ch);
                col += 1;
            }
            i += w;
        }
        col_start[n] = col;
        col_end[n] = col;
        if cut_after {
            text.push_str("...");
        }
        DisplayLine {
            text,
            start: span.start(),
            col_start,
            col_end,
        }
    }

    fn len(&self) -> usize {
        self.col_start.len() - 1
    }

    /// Display columns `[from, to)` of the part of `span` on this line, at
    /// least one column wide.
    fn columns(&self, span: Span) -> (usize, usize) {
        let rel = |o: usize| o.saturating_sub(self.start).min(self.len());
        let from = self.col_start[rel(span.start())];
        let to = if span.end() > self.start + self.len() {
            self.col_end[self.len()]
        } else {
            self.col_end[rel(span.end())]
        };
        (from, to.max(from + 1))
    }
}

/// Lines longer than this many characters are cut around what is shown.
const MAX_LINE: usize = 200;
/// Characters kept on each side of the labels when a line is cut.
const CONTEXT: usize = 60;

/// The part of line `line` (a span of `text`) to show for labels covering
/// `focus`, and whether something was cut before and after it.
fn window(text: &str, line: Span, focus: Span) -> (Span, bool, bool) {
    let raw = line.slice(text);
    if raw.len() <= MAX_LINE || raw.chars().nth(MAX_LINE).is_none() {
        return (line, false, false);
    }
    let rel_start = focus.start().clamp(line.start(), line.end()) - line.start();
    let rel_end = focus.end().clamp(line.start(), line.end()) - line.start();
    let mut from = raw[..floor_char(raw, rel_start)]
        .char_indices()
        .rev()
        .nth(CONTEXT - 1)
        .map_or(0, |(i, _)| i);
    let mut to = raw[ceil_char(raw, rel_end)..]
        .char_indices()
        .nth(CONTEXT)
        .map_or(raw.len(), |(i, _)| ceil_char(raw, rel_end) + i);
    // Not worth cutting a few characters.
    if from <= 8 {
        from = 0;
    }
    if raw.len() - to <= 8 {
        to = raw.len();
    }
    (
        Span::new(line.start() + from, line.start() + to),
        from > 0,
        to < raw.len(),
    )
}

fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Render `diags` the way rustc does, ending with a summary line.
///
/// `color` adds ANSI styles (stripped later by [`emit`] when not wanted).
pub fn human(sources: &Sources, masks: &Masks, diags: &[Diagnostic], color: bool) -> String {
    let st = Styles::new(color);
    let mut out = String::new();
    for d in diags {
        let secrets = masks.texts_for(sources, d);
        one_human(&mut out, &st, sources, masks, &secrets, d);
        out.push('\n');
    }
    out
}

/// The summary line of a human report (`check: 2 errors, 1 warning in 3 targets`).
pub fn human_summary(summary: Summary, targets: usize, color: bool) -> String {
    let st = Styles::new(color);
    let mut out = String::new();
    let (style, word) = if summary.errors > 0 {
        (st.error, "error")
    } else if summary.warnings > 0 {
        (st.warning, "warning")
    } else {
        (st.bold, "ok")
    };
    paint(&mut out, style, word);
    let what = if targets == 1 { "target" } else { "targets" };
    let _ = writeln!(out, ": checked {targets} {what}: {}", summary.words());
    out
}

fn one_human(
    out: &mut String,
    st: &Styles,
    sources: &Sources,
    masks: &Masks,
    secrets: &[&str],
    d: &Diagnostic,
) {
    let sev = st.severity(d.severity);
    paint(
        out,
        sev,
        &format!("{}[{}]", severity_word(d.severity), d.lint),
    );
    paint(out, st.bold, &format!(": {}", scrub(&d.message, secrets)));
    out.push('\n');

    // Group labels by source, primary first.
    let mut groups: Vec<(SourceId, Vec<(&Label, bool)>)> =
        vec![(d.primary.source, vec![(&d.primary, true)])];
    for l in &d.secondary {
        match groups.iter_mut().find(|(id, _)| *id == l.source) {
            Some((_, v)) => v.push((l, false)),
            None => groups.push((l.source, vec![(l, false)])),
        }
    }
    // Gutter width from the largest line number shown.
    let max_line = groups
        .iter()
        .flat_map(|(id, ls)| {
            ls.iter()
                .filter_map(move |(l, _)| sources.get(*id).map(|s| s.line_col(l.span.start()).line))
        })
        .max()
        .unwrap_or(1);
    let width = max_line.to_string().len();
    let pad = " ".repeat(width);

    for (gi, (id, labels)) in groups.iter().enumerate() {
        let Some(src) = sources.get(*id) else {
            continue;
        };
        let first = labels[0].0;
        let lc = src.line_col(first.span.start());
        paint(
            out,
            st.gutter,
            &format!("{pad}{}", if gi == 0 { "--> " } else { "::: " }),
        );
        let _ = writeln!(out, "{}:{}:{}", src.name, lc.line, lc.column);
        paint(out, st.gutter, &format!("{pad} |"));
        out.push('\n');

        // Lines to show, each with its labels.
        let mut lines: Vec<(usize, Vec<(&Label, bool)>)> = Vec::new();
        for (l, primary) in labels {
            let line0 = src.line_index().line_of(l.span.start().min(src.text.len()));
            match lines.iter_mut().find(|(n, _)| *n == line0) {
                Some((_, v)) => v.push((l, *primary)),
                None => lines.push((line0, vec![(l, *primary)])),
            }
        }
        lines.sort_by_key(|(n, _)| *n);
        let mut prev: Option<usize> = None;
        for (line0, ls) in &lines {
            if prev.is_some_and(|p| line0 - p > 1) {
                paint(out, st.gutter, "...");
                out.push('\n');
            }
            prev = Some(*line0);
            let focus = ls
                .iter()
                .map(|(l, _)| l.span)
                .reduce(Span::join)
                .unwrap_or_default();
            let dl = DisplayLine::new(src, *line0, masks.get(*id), focus);
            paint(out, st.gutter, &format!("{:>width$} | ", line0 + 1));
            out.push_str(dl.text.trim_end());
            out.push('\n');
            // One underline row per label, primary first, rightmost labels
            // first when several share a line.
            let mut ls = ls.clone();
            ls.sort_by_key(|(l, p)| (!*p, std::cmp::Reverse(l.span.start())));
            for (l, primary) in ls {
                let (from, to) = dl.columns(l.span);
                let (style, ch) = if primary {
                    (sev, "^")
                } else {
                    (st.secondary, "-")
                };
                paint(out, st.gutter, &format!("{pad} | "));
                out.push_str(&" ".repeat(from));
                paint(out, style, &ch.repeat(to - from));
                if !l.message.is_empty() {
                    out.push(' ');
                    paint(out, style, &scrub(&l.message, secrets));
                }
                out.push('\n');
            }
        }
    }
    if let Some(help) = &d.help {
        paint(out, st.gutter, &format!("{pad} = "));
        paint(out, st.help, "help");
        // Continuation lines line up under the first.
        let indent = " ".repeat(width + 9);
        let help = scrub(help, secrets);
        let mut lines = help.lines();
        let _ = writeln!(out, ": {}", lines.next().unwrap_or(""));
        for l in lines {
            let _ = writeln!(out, "{indent}{l}");
        }
    }
}

// ---------------------------------------------------------------- JSON
pub use connstr::report::json::{json_diagnostics, json_report, to_json_line};

// ---------------------------------------------------------------- output

/// Where to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Whether `stream` should get colors (terminal, no `NO_COLOR`, or
/// `CLICOLOR_FORCE`).
pub fn wants_color(stream: Stream) -> bool {
    let choice = match stream {
        Stream::Stdout => anstream::AutoStream::choice(&io::stdout()),
        Stream::Stderr => anstream::AutoStream::choice(&io::stderr()),
    };
    !matches!(choice, anstream::ColorChoice::Never)
}

/// Write `text` to `stream`, stripping styles the stream does not want. A
/// closed pipe (`connstr check | head`) is not an error.
pub fn emit(stream: Stream, text: &str) -> io::Result<()> {
    // Text painted without colour (not a terminal, NO_COLOR, `--color
    // never`) has no escape to strip: write it straight out. anstream's
    // stripping scans every byte, which on a large report costs more than
    // rendering it.
    let plain = !text.as_bytes().contains(&0x1b);
    let r = match stream {
        Stream::Stdout if plain => {
            let mut s = io::stdout().lock();
            s.write_all(text.as_bytes()).and_then(|()| s.flush())
        }
        Stream::Stderr if plain => {
            let mut s = io::stderr().lock();
            s.write_all(text.as_bytes()).and_then(|()| s.flush())
        }
        Stream::Stdout => {
            let mut s = anstream::stdout().lock();
            s.write_all(text.as_bytes()).and_then(|()| s.flush())
        }
        Stream::Stderr => {
            let mut s = anstream::stderr().lock();
            s.write_all(text.as_bytes()).and_then(|()| s.flush())
        }
    };
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Write `bytes` to standard output as they are (no styling to strip: the
/// bytes of an input that is not UTF-8, written back). A broken pipe is not
/// an error.
pub fn emit_bytes(bytes: &[u8]) -> io::Result<()> {
    let mut s = io::stdout().lock();
    match s.write_all(bytes).and_then(|()| s.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Print a one-line CLI error (`connstr: error: …`) to standard error.
pub fn cli_error(message: &str) {
    let st = Styles::new(wants_color(Stream::Stderr));
    let mut out = String::new();
    paint(&mut out, st.error, "error");
    let _ = writeln!(out, ": {message}");
    let _ = emit(Stream::Stderr, &out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(src: SourceId, span: Span, sev: Severity) -> Diagnostic {
        Diagnostic {
            lint: "unknown-key",
            severity: sev,
            message: "unknown option `ClientSecert`".into(),
            help: Some("did you mean `ClientSecret`?".into()),
            primary: Label {
                source: src,
                span,
                message: "not a known option".into(),
            },
            secondary: vec![],
            section: Some("sales".into()),
            key: Some("ClientSecert".into()),
            fix: None,
        }
    }

    #[test]
    fn mask_text_replaces_only_secret_bytes() {
        let t = "a=1;ClientSecret=hunter22;b=2";
        let s = Span::new(17, 25);
        assert_eq!(mask_text(t, 0, &[s]), "a=1;ClientSecret=<redacted>;b=2");
        // Relative to a slice starting at 4.
        assert_eq!(mask_text(&t[4..], 4, &[s]), "ClientSecret=<redacted>;b=2");
        // Not touching.
        assert_eq!(mask_text(&t[..4], 0, &[s]), "a=1;");
        // Widened to a char boundary.
        let u = "k=é";
        assert_eq!(mask_text(u, 0, &[Span::new(3, 4)]), "k=<redacted>");
    }

    #[test]
    fn merge_joins_overlaps() {
        let mut m = Masks::default();
        m.add(
            SourceId(0),
            [
                Span::new(5, 9),
                Span::new(1, 3),
                Span::new(2, 6),
                Span::new(7, 7),
            ],
        );
        assert_eq!(m.get(SourceId(0)), &[Span::new(1, 9)]);
    }

    #[test]
    fn human_points_at_the_span_and_masks_secrets() {
        let mut sources = Sources::default();
        let text = "[sales]\nClientSecert=hunter2hunter2\nClientSecret=s3cr3tvalue\n".to_string();
        let id = sources.add("odbc.ini", None, text.clone());
        let mut masks = Masks::default();
        let v = text.find("hunter2hunter2").unwrap();
        let w = text.find("s3cr3tvalue").unwrap();
        masks.add(id, [Span::new(v, v + 14), Span::new(w, w + 11)]);
        let mut d = diag(id, Span::new(8, 20), Severity::Warning);
        d.secondary.push(Label {
            source: id,
            span: Span::new(w, w + 11),
            message: "the secret hunter2hunter2 here".into(),
        });
        let out = human(&sources, &masks, &[d], false);
        assert!(!out.contains("hunter2"), "{out}");
        assert!(!out.contains("s3cr3t"), "{out}");
        let expected = "\
warning[unknown-key]: unknown option `ClientSecert`
 --> odbc.ini:2:1
  |
2 | ClientSecert=<redacted>
  | ^^^^^^^^^^^^ not a known option
3 | ClientSecret=<redacted>
  |              ---------- the secret <redacted> here
  = help: did you mean `ClientSecret`?

";
        assert_eq!(out, expected);
    }

    #[test]
    fn underline_inside_a_secret_covers_the_mask() {
        let mut sources = Sources::default();
        let text = "ClientID=abc\tClientSecret=topsecret".to_string();
        let id = sources.add("<-c 1>", None, text.clone());
        let mut masks = Masks::default();
        let s = text.find("topsecret").unwrap();
        masks.add(id, [Span::new(s, s + 9)]);
        let d = diag(id, Span::new(s + 2, s + 4), Severity::Error);
        let out = human(&sources, &masks, &[d], false);
        assert!(
            out.contains("1 | ClientID=abc    ClientSecret=<redacted>\n"),
            "{out}"
        );
        let underline = format!("  | {}{} not", " ".repeat(29), "^".repeat(10));
        assert!(out.contains(&underline), "{out}");
    }

    #[test]
    fn json_positions_are_one_based_and_exclusive_at_the_end() {
        let mut sources = Sources::default();
        let id = sources.add("f.ini", None, "[a]\nkey=vé\n".to_string());
        let d = diag(id, Span::new(4, 11), Severity::Error);
        let j = json_diagnostics(&sources, &Masks::default(), &[d]);
        assert_eq!(
            (j[0].line, j[0].column, j[0].end_line, j[0].end_column),
            (2, 1, 2, 7)
        );
        assert_eq!(Summary::of(&[]).words(), "no problems");
    }

    #[test]
    fn color_adds_styles_plain_has_none() {
        let mut sources = Sources::default();
        let id = sources.add("f", None, "x=1".to_string());
        let d = diag(id, Span::new(0, 1), Severity::Error);
        assert!(
            human(&sources, &Masks::default(), std::slice::from_ref(&d), true).contains("\x1b[")
        );
        assert!(!human(&sources, &Masks::default(), &[d], false).contains('\x1b'));
    }
}

/// `--format`: how to print a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: rustc-style diagnostics, colored on a terminal.
    #[default]
    Human,
    /// One JSON document on standard output.
    Json,
}

/// The spans to mask in a document: every secret value, including values of
/// keys that look secret (`ClientSecert`, `api_token`), secrets swallowed by
/// another value and secrets written inside URLs. The detection lives in the
/// options layer; the CLI uses it as is.
pub use connstr::options::secret_spans;
