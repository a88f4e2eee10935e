//! The documents `connstr check` and `connstr explain` print, built by the
//! library so that every embedder gets the same ones: the CLI renders them,
//! and the C interface (`connstr-ffi`) hands them to drivers written in C.
//! Nothing here prints.
//!
//! * [`check_one`] / [`explain_one`] — one text in (a connection string, JDBC
//!   URL or odbc.ini, its form detected as the CLI detects a file's), the JSON
//!   document of `connstr check --format json` / `connstr explain --format
//!   json` out.
//! * [`Masks`] — the secret spans no rendering may show; [`scrub`] removes
//!   secret texts from free text.
//! * [`json`] — the JSON shapes themselves.
//!
//! ```
//! let out = connstr::report::check_one("<-c 1>", "AuthenticationMethod=Basic;User=ann").unwrap();
//! assert!(out.has_errors);
//! let doc: serde_json::Value = serde_json::from_str(&out.json).unwrap();
//! assert_eq!(doc["diagnostics"][0]["lint"], "missing-required");
//! assert_eq!(doc["summary"]["errors"], 1);
//! ```

pub mod json;

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::REDACTED;
use crate::diagnostic::{Diagnostic, Severity, SourceId, Sources};
use crate::plan::{Checker, Retain};
use crate::syntax::{Form, Span};

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
/// secret span replaced by [`REDACTED`]. `spans` must be sorted and disjoint.
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
        out.push_str(REDACTED);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// A secret span clipped to `text` (starting at `base`), relative to `text`,
/// widened to character boundaries. `None` when it does not touch `text`.
pub fn clip(text: &str, base: usize, s: Span) -> Option<(usize, usize)> {
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
            out = out.replace(s, REDACTED);
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

/// The surface form of an input text, as the CLI decides it for a file:
/// odbc.ini by name (`*.ini`) or by content (the first line that is neither
/// blank nor a comment is a `[section]`); a JDBC URL by name (`*.jdbc`) or
/// when it starts with `jdbc:`; else a connection string.
///
/// ```
/// use std::path::Path;
/// use connstr::report::detect_input_form;
/// use connstr::syntax::Form;
/// assert_eq!(detect_input_form(Some(Path::new("x.INI")), "DSN=a"), Form::Ini);
/// assert_eq!(detect_input_form(None, "# c\n[sales]\nA=1"), Form::Ini);
/// assert_eq!(detect_input_form(None, " jdbc:datadirect:autorest:a=b"), Form::JdbcUrl);
/// assert_eq!(detect_input_form(None, "DSN=a;UID=b"), Form::ConnectionString);
/// ```
pub fn detect_input_form(path: Option<&Path>, text: &str) -> Form {
    let extension = path.and_then(|p| p.extension());
    if extension.is_some_and(|e| e.eq_ignore_ascii_case("ini")) {
        return Form::Ini;
    }
    if extension.is_some_and(|e| e.eq_ignore_ascii_case("jdbc")) {
        return Form::JdbcUrl;
    }
    let first = text
        .lines()
        .map(|l| l.trim_start_matches('\u{feff}').trim())
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'));
    if first.is_some_and(|l| l.starts_with('[')) {
        return Form::Ini;
    }
    string_form(text)
}

/// The form of a connection string or JDBC URL (a `-c STRING`).
pub fn string_form(text: &str) -> Form {
    let t = text.trim_start();
    if t.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("jdbc:")) {
        Form::JdbcUrl
    } else {
        Form::ConnectionString
    }
}

/// `diags` without exact repeats, in their order (a DSN section checked on
/// its own and through a `DSN=` overlay reports its own problems once).
pub fn dedup(diags: impl Iterator<Item = Diagnostic>) -> Vec<Diagnostic> {
    use std::hash::BuildHasher as _;
    /// What makes two diagnostics the same report.
    fn identity(d: &Diagnostic) -> impl std::hash::Hash + PartialEq + '_ {
        (
            d.lint,
            d.primary.source,
            d.primary.span,
            &*d.message,
            d.section.as_deref(),
        )
    }
    // Diagnostics kept so far, by a hash of their identity (no copies of
    // the messages: a large odbc.ini has tens of thousands).
    let hasher = foldhash::fast::RandomState::default();
    let mut seen: HashMap<u64, Vec<usize>, foldhash::fast::RandomState> = HashMap::default();
    let mut out: Vec<Diagnostic> = Vec::new();
    for d in diags {
        let hash = hasher.hash_one(identity(&d));
        let same = seen.entry(hash).or_default();
        if same
            .iter()
            .any(|&i| out.get(i).is_some_and(|o| identity(o) == identity(&d)))
        {
            continue;
        }
        same.push(out.len());
        out.push(d);
    }
    out
}

/// A JSON document of [`check_one`] or [`explain_one`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonOutcome {
    /// The document, one line with a final newline; no secret in it.
    pub json: String,
    /// Whether it reports an error (`connstr check` would exit 1); for
    /// `explain`, also when a target has no plan.
    pub has_errors: bool,
}

/// Why [`check_one`] or [`explain_one`] could not run (`connstr` exit code 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The text is over the input limits ([`crate::syntax::Limits`]).
    #[error("{origin}: {reason}")]
    Limits {
        /// The input's name.
        origin: String,
        /// Which limit.
        reason: String,
    },
    /// An odbc.ini needed to resolve `DSN=` could not be read.
    #[error("cannot read {path}: {reason}")]
    Unreadable {
        /// Which file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// One input checked as `connstr check` checks a file named `origin`.
fn checked(
    origin: &str,
    text: &str,
    retain: Retain,
) -> Result<(Sources, crate::plan::Report, Masks), ReportError> {
    crate::syntax::check_limits(text, &crate::syntax::Limits::default()).map_err(|e| {
        ReportError::Limits {
            origin: origin.to_owned(),
            reason: e.to_string(),
        }
    })?;
    let form = detect_input_form(Some(Path::new(origin)), text);
    let mut sources = Sources::default();
    let id = sources.add(origin, None, text.to_owned());
    let report = Checker::new()
        .retain(retain)
        .check_forms(&mut sources, &[(id, form)]);
    if let Some(u) = report.unreadable.first() {
        return Err(ReportError::Unreadable {
            path: u.path.display().to_string(),
            reason: u.reason.to_string(),
        });
    }
    let mut masks = Masks::default();
    for (id, spans) in &report.secrets {
        masks.add(*id, spans.iter().copied());
    }
    Ok((sources, report, masks))
}

/// `connstr check --format json` for one text named `origin` (a path, or a
/// name such as `<-c 1>`): its form detected as the CLI detects a file's,
/// `DSN=` resolved against the machine's odbc.ini files (`$ODBCINI`,
/// `~/.odbc.ini`, `$ODBCSYSINI/odbc.ini`, `/etc/odbc.ini`).
pub fn check_one(origin: &str, text: &str) -> Result<JsonOutcome, ReportError> {
    let (sources, report, masks) = checked(origin, text, Retain::Diagnostics)?;
    let diags = dedup(report.all_diagnostics().cloned());
    Ok(JsonOutcome {
        json: json::json_report(&sources, &masks, &report.targets, &diags),
        has_errors: diags.iter().any(|d| d.severity == Severity::Error),
    })
}

/// `connstr explain --format json` for one text, read as [`check_one`] reads it.
///
/// ```
/// let out = connstr::report::explain_one(
///     "<-c 1>",
///     "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;\
///      ClientSecret={s3cr3t-value};TokenURI=https://as.example/token",
/// ).unwrap();
/// assert!(!out.has_errors);
/// assert!(!out.json.contains("s3cr3t-value"));
/// let doc: serde_json::Value = serde_json::from_str(&out.json).unwrap();
/// assert_eq!(doc["targets"][0]["plan"]["grant"], "client_credentials");
/// ```
pub fn explain_one(origin: &str, text: &str) -> Result<JsonOutcome, ReportError> {
    let (sources, report, masks) = checked(origin, text, Retain::Everything)?;
    let global = dedup(report.diagnostics.iter().cloned());
    let per_target: Vec<Vec<Diagnostic>> = report
        .targets
        .iter()
        .map(|t| dedup(t.diagnostics.iter().cloned()))
        .collect();
    let has_errors = global
        .iter()
        .chain(per_target.iter().flatten())
        .any(|d| d.severity == Severity::Error)
        || report
            .targets
            .iter()
            .any(|t| t.plan.is_none() && t.driver.is_autorest());
    Ok(JsonOutcome {
        json: json::explain_document(&sources, &masks, &report.targets, &per_target, &global),
        has_errors,
    })
}
