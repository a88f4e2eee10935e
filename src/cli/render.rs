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

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write as _};

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use connstr::diagnostic::{
    Applicability, Diagnostic, Fix, Label, Severity, Source, SourceId, Sources,
};
use connstr::syntax::Span;

/// What replaces a secret value in snippets and in `connstr redact`.
pub const MASK: &str = connstr::REDACTED;

/// Secret spans per source: what the renderers must never show.
#[derive(Clone, Debug, Default)]
pub struct Masks {
    by_source: HashMap<SourceId, Vec<Span>>,
}

impl Masks {
    /// Mark `spans` of source `id` as secret. Empty spans are ignored.
    pub fn add(&mut self, id: SourceId, spans: impl IntoIterator<Item = Span>) {
        let list = self.by_source.entry(id).or_default();
        list.extend(spans.into_iter().filter(|s| !s.is_empty()));
        *list = merge(std::mem::take(list));
    }

    /// The secret spans of source `id`: sorted, disjoint.
    pub fn get(&self, id: SourceId) -> &[Span] {
        self.by_source.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The secret texts of source `id` whose spans overlap `within` (at
    /// least `min_len` bytes long), longest first: what to scrub from free
    /// text about that part of the source, as a last line of defence.
    pub fn texts_in<'s>(
        &self,
        sources: &'s Sources,
        id: SourceId,
        within: Span,
        min_len: usize,
    ) -> Vec<&'s str> {
        let Some(src) = sources.get(id) else {
            return Vec::new();
        };
        let spans = self.get(id);
        let first = spans.partition_point(|s| s.end() <= within.start());
        let mut out: Vec<&str> = spans[first..]
            .iter()
            .take_while(|s| s.start() < within.end())
            .map(|s| s.slice(&src.text))
            .filter(|t| t.len() >= min_len)
            .collect();
        out.sort_by_key(|t| std::cmp::Reverse(t.len()));
        out.dedup();
        out
    }

    /// The secret texts near what `d` points at: on the lines of its labels.
    pub fn texts_for<'s>(&self, sources: &'s Sources, d: &Diagnostic) -> Vec<&'s str> {
        let mut out = Vec::new();
        for l in std::iter::once(&d.primary).chain(&d.secondary) {
            let Some(src) = sources.get(l.source) else {
                continue;
            };
            let idx = src.line_index();
            let first = idx.line_span(&src.text, idx.line_of(l.span.start()));
            let last = idx.line_span(&src.text, idx.line_of(l.span.end()));
            out.extend(self.texts_in(sources, l.source, first.join(last), MIN_SCRUB));
        }
        out.sort_by_key(|t| std::cmp::Reverse(t.len()));
        out.dedup();
        out
    }
}

/// Secrets shorter than this are not scrubbed from free text (too likely to
/// match ordinary words); they are still masked in snippets.
pub const MIN_SCRUB: usize = 4;

/// Sort and merge overlapping or touching spans.
fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start() <= last.end() => *last = last.join(s),
            _ => out.push(s),
        }
    }
    out
}

/// `text` (which starts at byte `base` of its source) with every part under a
/// secret span replaced by [`MASK`]. `spans` must be sorted and disjoint.
///
/// Spans that do not fall on character boundaries are widened to the
/// enclosing characters, so a mask never splits a character.
pub fn mask_text(text: &str, base: usize, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0; // relative offset in `text` written so far
    for s in spans {
        let Some((start, end)) = clip(text, base, *s) else {
            continue;
        };
        if end <= at {
            continue;
        }
        let start = start.max(at);
        out.push_str(&text[at..start]);
        out.push_str(MASK);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// A secret span clipped to `text` (starting at `base`), relative to `text`,
/// widened to character boundaries. `None` when it does not touch `text`.
fn clip(text: &str, base: usize, s: Span) -> Option<(usize, usize)> {
    let end_abs = base + text.len();
    if s.end() <= base || s.start() >= end_abs || s.is_empty() {
        return None;
    }
    let mut start = s.start().max(base) - base;
    let mut end = s.end().min(end_abs) - base;
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    Some((start, end))
}

/// Replace every occurrence of a secret text in free text (message, help).
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        if out.contains(s) {
            out = out.replace(s, MASK);
        }
    }
    out
}

/// Errors and warnings counted after `--deny`/`--allow`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Diagnostics of severity error.
    pub errors: usize,
    /// Diagnostics of severity warning.
    pub warnings: usize,
}

impl Summary {
    /// Count `diags`.
    pub fn of(diags: &[Diagnostic]) -> Self {
        let mut s = Summary::default();
        for d in diags {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Note => {}
            }
        }
        s
    }

    /// "2 errors, 1 warning" / "no problems".
    pub fn words(self) -> String {
        fn plural(n: usize, one: &str) -> String {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {one}s")
            }
        }
        match (self.errors, self.warnings) {
            (0, 0) => "no problems".to_owned(),
            (e, 0) => plural(e, "error"),
            (0, w) => plural(w, "warning"),
            (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
        }
    }
}

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
            if ch == '\t' {
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

/// One diagnostic in `--format json` output. Lines and columns are 1-based;
/// columns count characters; `end_line`/`end_column` are where the span ends
/// (exclusive: the column just past its last character).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    /// Stable lint name.
    pub lint: &'static str,
    /// `error`, `warning` or `note`.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// How to fix it, or null.
    pub help: Option<String>,
    /// The source name: a path, `<stdin>`, `<-c 1>`.
    pub source: String,
    /// Start line.
    pub line: usize,
    /// Start column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (exclusive).
    pub end_column: usize,
    /// The odbc.ini section, or null.
    pub section: Option<String>,
    /// The option key, or null.
    pub key: Option<String>,
    /// The secondary labels (same position fields, plus their message).
    pub labels: Vec<JsonLabel>,
    /// A machine-applicable fix; the field is left out when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<JsonFix>,
}

/// A diagnostic's fix in JSON output.
#[derive(Debug, Serialize)]
pub struct JsonFix {
    /// What it does.
    pub title: String,
    /// `safe` (applied by `connstr fix`) or `unsafe` (only with `--unsafe`).
    pub applicability: Applicability,
    /// The replacements.
    pub edits: Vec<JsonEdit>,
}

/// One replacement of a fix: the text from (`line`, `column`) to
/// (`end_line`, `end_column`), bytes `start..end`, becomes `replacement`.
#[derive(Debug, Serialize)]
pub struct JsonEdit {
    /// The source name.
    pub source: String,
    /// Start line.
    pub line: usize,
    /// Start column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (exclusive).
    pub end_column: usize,
    /// First byte replaced (0-based offset).
    pub start: usize,
    /// One past the last byte replaced.
    pub end: usize,
    /// The new text (never a secret).
    pub replacement: String,
}

/// The JSON form of a fix (replacement text scrubbed like any free text).
pub fn json_fix(sources: &Sources, fix: &Fix, secrets: &[&str]) -> JsonFix {
    JsonFix {
        title: scrub(&fix.title, secrets),
        applicability: fix.applicability,
        edits: fix
            .edits
            .iter()
            .map(|e| {
                let l = Label {
                    source: e.source,
                    span: e.span,
                    message: "".into(),
                };
                let (source, line, column, end_line, end_column) = position(sources, &l);
                JsonEdit {
                    source,
                    line,
                    column,
                    end_line,
                    end_column,
                    start: e.span.start(),
                    end: e.span.end(),
                    replacement: scrub(&e.replacement, secrets),
                }
            })
            .collect(),
    }
}

/// A secondary label in JSON output.
#[derive(Debug, Serialize)]
pub struct JsonLabel {
    /// What is said there.
    pub message: String,
    /// The source name.
    pub source: String,
    /// Start line.
    pub line: usize,
    /// Start column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (exclusive).
    pub end_column: usize,
}

fn position(sources: &Sources, l: &Label) -> (String, usize, usize, usize, usize) {
    match sources.get(l.source) {
        Some(src) => {
            let a = src.line_col(l.span.start());
            let b = src.line_col(l.span.end());
            (src.name.clone(), a.line, a.column, b.line, b.column)
        }
        None => (String::new(), 0, 0, 0, 0),
    }
}

/// The JSON form of `diags` (secrets scrubbed from free text).
pub fn json_diagnostics(
    sources: &Sources,
    masks: &Masks,
    diags: &[Diagnostic],
) -> Vec<JsonDiagnostic> {
    diags
        .iter()
        .map(|d| {
            let secrets = masks.texts_for(sources, d);
            let (source, line, column, end_line, end_column) = position(sources, &d.primary);
            JsonDiagnostic {
                lint: d.lint,
                severity: d.severity,
                message: scrub(&d.message, &secrets),
                help: d.help.as_deref().map(|h| scrub(h, &secrets)),
                source,
                line,
                column,
                end_line,
                end_column,
                section: d.section.as_deref().map(str::to_owned),
                key: d.key.as_deref().map(str::to_owned),
                labels: d
                    .secondary
                    .iter()
                    .map(|l| {
                        let (source, line, column, end_line, end_column) = position(sources, l);
                        JsonLabel {
                            message: scrub(&l.message, &secrets),
                            source,
                            line,
                            column,
                            end_line,
                            end_column,
                        }
                    })
                    .collect(),
                fix: d.fix.as_deref().map(|f| json_fix(sources, f, &secrets)),
            }
        })
        .collect()
}

/// `connstr check --format json`: one document.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    /// Every diagnostic, in report order.
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Counts after `--deny`/`--allow`.
    pub summary: Summary,
}

/// The JSON report of `check`, as text with a final newline.
pub fn json_report(sources: &Sources, masks: &Masks, diags: &[Diagnostic]) -> String {
    let report = JsonReport {
        diagnostics: json_diagnostics(sources, masks, diags),
        summary: Summary::of(diags),
    };
    to_json_line(&report)
}

/// Pretty-free JSON with a final newline. Serializing our own structs cannot fail.
pub fn to_json_line<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    s.push('\n');
    s
}

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
    let r = match stream {
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
