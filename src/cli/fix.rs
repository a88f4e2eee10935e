//! `connstr fix`: apply the fixes whose result is certain, in place, changing
//! nothing but the bytes of each fix.
//!
//! Every pass checks the files (in memory), takes the fixes that apply (safe
//! ones; unsafe ones too with `--unsafe`) and do not overlap, and applies
//! them; the next pass checks the result again, until no fix is left or
//! [`MAX_PASSES`] passes have run. Files are written only at the end, each
//! atomically (a temporary file in the same directory, with the file's mode,
//! renamed over it); with `--dry-run` nothing is written and a unified diff
//! is printed instead, secrets masked.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use connstr::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity, SourceId, Sources};
use connstr::plan::{Checker, Retain};
use connstr::report::Masks;
use connstr::syntax::{Form, Lossless, Span};

use super::check::leveled;
use super::input::{detect_form, read_text};
use super::levels::Levels;
use super::render::{self, MASK, Stream, mask_text, scrub};
use super::{EXIT_PROBLEMS, EXIT_USAGE};

mod diff;

/// At most this many rounds of check-then-fix: a fix that uncovers another
/// problem gets it fixed in the next round; a loop of fixes undoing each
/// other stops here.
pub const MAX_PASSES: usize = 8;

/// The long help of the subcommand.
pub const LONG_ABOUT: &str = "\
Fix, in place, the problems `connstr check` finds whose fix is certain,
changing nothing else in the file, byte for byte:

  swallowed-separator  insert the `;` missing at the end of a line, before a
                       known option on the next line (connection strings,
                       JDBC URLs)
  unknown-key          rename a misspelled key when exactly one option is
                       close to it (and that option is not set already)
  syntax               odbc.ini `Key: value` lines: `:` becomes `=`
  invalid-value        odbc.ini: remove the braces around a `Driver={…}`
                       value and a stray `;` at the end of a value
  duplicate-key        remove the occurrences that are not used (the first
                       one is used; the last with --last-wins in connection
                       strings)

With --unsafe, also the fixes that change what the connector does:

  token-uri-get        `TokenURI=https://…` becomes `TokenURI=POST https://…`
  secret-in-url        ClientCredentialsMode=Url becomes Post, All becomes
                       Basic

A fix can uncover another problem (or make room for an overlapping one): the
files are checked again after each round of fixes, up to 8 rounds.

Each file is written atomically (a temporary file in the same directory,
renamed over it) with its permissions kept; nothing else is written. With
--dry-run nothing is written: a unified diff of the changes is printed on
standard output instead, with every secret value masked as <redacted>.

What was fixed, and what is left, is reported on standard error.

Exit status (as `connstr check`): 0 no errors left after fixing (warnings
may be), 1 errors left that connstr cannot fix (run `connstr check`), 2 bad
usage or a file that cannot be read or written.

Examples:
  connstr fix conn.txt odbc.ini
  connstr fix --dry-run conf/*.ini
  connstr fix --unsafe --dry-run prod.jdbc";

/// Arguments of `connstr fix`.
#[derive(clap::Args, Debug)]
pub struct FixArgs {
    /// Print a unified diff (secrets masked) instead of writing the files.
    #[arg(long)]
    pub dry_run: bool,
    /// Also apply fixes that change what the connector does (POST for
    /// TokenURI, ClientCredentialsMode).
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,
    /// Repeated keys: the last occurrence wins (unixODBC's rule) instead of
    /// the first (Microsoft's): decides which duplicate is kept.
    #[arg(long)]
    pub last_wins: bool,
    /// Files holding an odbc.ini, a connection string or a JDBC URL (as
    /// `connstr check` reads them).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

/// One file being fixed.
struct Target {
    /// As named on the command line.
    name: String,
    /// The file written (symbolic links followed).
    path: PathBuf,
    form: Form,
    original: String,
    text: String,
    /// The bytes behind `text` (they differ where the file is not UTF-8):
    /// edits are applied to both, and the bytes are what is written.
    bytes: Vec<u8>,
    /// The file as read, for showing its non-UTF-8 bytes escaped.
    read: Lossless,
    /// The titles of the fixes applied, with their lints.
    applied: Vec<(&'static str, String)>,
}

/// What one check of the current texts found, per target.
struct Round {
    /// Per target: its diagnostics (levels applied, repeats dropped).
    diags: Vec<Vec<Diagnostic>>,
    /// Per target: its secret spans.
    secrets: Vec<Vec<Span>>,
}

/// Check the current texts of `targets`. `Err` is a message for exit 2.
fn check_round(targets: &[Target], last_wins: bool) -> Result<Round, String> {
    let mut sources = Sources::default();
    let mut forms = Vec::with_capacity(targets.len());
    for t in targets {
        let id = sources.add_lossless(
            t.name.clone(),
            Some(t.path.clone()),
            Lossless::decode(t.bytes.clone()),
        );
        forms.push((id, t.form));
    }
    let checker = Checker::new()
        .last_wins(last_wins)
        .retain(Retain::Diagnostics);
    let report = checker.check_forms(&mut sources, &forms);
    if let Some(u) = report.unreadable.first() {
        return Err(format!("cannot read {}: {}", u.path.display(), u.reason));
    }
    let all = leveled(report.all_diagnostics().cloned(), &Levels::default());
    let mut diags = vec![Vec::new(); targets.len()];
    for d in all {
        if let Some(i) = forms.iter().position(|(id, _)| *id == d.primary.source) {
            diags[i].push(d);
        }
    }
    let mut masks = Masks::default();
    for (id, spans) in &report.secrets {
        masks.add(*id, spans.iter().copied());
    }
    let secrets = forms
        .iter()
        .map(|(id, _)| masks.get(*id).to_vec())
        .collect();
    Ok(Round { diags, secrets })
}

/// Whether two edits touch (overlap or meet): such fixes wait for the next
/// round, when the first one's result has been checked again.
fn touch(a: &Edit, b: &Edit) -> bool {
    a.span.start() <= b.span.end() && b.span.start() <= a.span.end()
}

/// The fixes of `diags` to apply now: allowed by `unsafe_fixes`, every edit
/// in `source`, none touching another, in source order.
fn choose(diags: &[Diagnostic], source: SourceId, unsafe_fixes: bool) -> Vec<(&'static str, &Fix)> {
    let mut fixes: Vec<(&'static str, &Fix)> = diags
        .iter()
        .filter_map(|d| d.fix.as_deref().map(|f| (d.lint, f)))
        .filter(|(_, f)| unsafe_fixes || f.applicability == Applicability::Safe)
        .filter(|(_, f)| !f.edits.is_empty() && f.edits.iter().all(|e| e.source == source))
        .collect();
    fixes.sort_by_key(|(_, f)| f.edits.iter().map(|e| e.span.start()).min());
    let mut chosen: Vec<(&'static str, &Fix)> = Vec::new();
    for (lint, f) in fixes {
        let clash = chosen
            .iter()
            .any(|(_, c)| c.edits.iter().any(|a| f.edits.iter().any(|b| touch(a, b))));
        if !clash {
            chosen.push((lint, f));
        }
    }
    chosen
}

/// Write `text` to `path` atomically: a new file in the same directory with
/// `path`'s permissions, synced, then renamed over `path`.
fn write_atomically(path: &Path, text: &[u8]) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let file_name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(
            ".{file_name}.connstr-fix.{}.{attempt}",
            std::process::id()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            // Private until it has the file's own mode: never readable by
            // others while it holds the file's secrets.
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        match options.open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    };
    let written = file
        .write_all(text)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::set_permissions(&tmp, meta.permissions()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Read the files named on the command line. `Err` is a message for exit 2.
fn load(files: &[PathBuf]) -> Result<Vec<Target>, String> {
    let mut targets: Vec<Target> = Vec::with_capacity(files.len());
    for f in files {
        if f.as_os_str() == "-" {
            return Err(
                "`connstr fix` changes files in place: standard input (`-`) cannot be \
                        fixed (use `connstr check -` to check it)"
                    .to_owned(),
            );
        }
        let text = read_text(Some(f)).map_err(|e| e.to_string())?;
        let path =
            std::fs::canonicalize(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        if targets.iter().any(|t| t.path == path) {
            continue;
        }
        targets.push(Target {
            name: f.display().to_string(),
            form: detect_form(Some(f), text.text()),
            path,
            original: text.text().to_owned(),
            text: text.text().to_owned(),
            bytes: text.original().to_vec(),
            read: text,
            applied: Vec::new(),
        });
    }
    Ok(targets)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Run `connstr fix`.
pub fn run(args: FixArgs) -> ExitCode {
    match fix(&args) {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            render::cli_error(&msg);
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn fix(args: &FixArgs) -> Result<u8, String> {
    let mut targets = load(&args.files)?;
    let mut first_secrets: Option<Vec<Vec<Span>>> = None;
    let mut last = None;
    for pass in 0..=MAX_PASSES {
        let round = check_round(&targets, args.last_wins)?;
        if first_secrets.is_none() {
            first_secrets = Some(round.secrets.clone());
        }
        let mut changed = false;
        if pass < MAX_PASSES {
            for (i, t) in targets.iter_mut().enumerate() {
                let id = SourceId(u32::try_from(i).map_err(|_| "too many files".to_owned())?);
                let chosen = choose(&round.diags[i], id, args.unsafe_fixes);
                if chosen.is_empty() {
                    continue;
                }
                let edits = || chosen.iter().flat_map(|(_, f)| f.edits.iter());
                let (Ok(new), Ok(bytes)) = (
                    connstr::diagnostic::apply_edits(&t.text, edits()),
                    connstr::diagnostic::apply_edits_bytes(&t.bytes, edits()),
                ) else {
                    continue;
                };
                if new != t.text {
                    t.text = new;
                    t.bytes = bytes;
                    t.applied
                        .extend(chosen.iter().map(|(l, f)| (*l, f.title.to_string())));
                    changed = true;
                }
            }
        }
        last = Some(round);
        if !changed {
            break;
        }
    }
    let (Some(last), Some(first_secrets)) = (last, first_secrets) else {
        return Err("nothing was checked".to_owned());
    };

    let mut out = String::new();
    let mut report = String::new();
    for (i, t) in targets.iter().enumerate() {
        if t.text == t.original {
            continue;
        }
        if args.dry_run {
            let shown = diff::unified(
                &t.name,
                &t.original,
                &first_secrets[i],
                &t.text,
                &last.secrets[i],
            );
            // Bytes that are not UTF-8 shown escaped (`\xE9`).
            out.push_str(&t.read.escape(&shown));
        } else {
            write_atomically(&t.path, &t.bytes)
                .map_err(|e| format!("cannot write {}: {e}", t.name))?;
        }
        let verb = if args.dry_run { "would fix" } else { "fixed" };
        report.push_str(&format!(
            "{verb} {}: {}\n",
            t.name,
            plural(t.applied.len(), "fix", "fixes")
        ));
        for (lint, title) in &t.applied {
            report.push_str(&format!("  [{lint}] {title}\n"));
        }
    }
    let remaining: Vec<&Diagnostic> = last.diags.iter().flatten().collect();
    let errors = remaining
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = remaining
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let unsafe_left = remaining
        .iter()
        .filter(|d| {
            d.fix
                .as_deref()
                .is_some_and(|f| f.applicability == Applicability::Unsafe)
        })
        .count();
    let fixes: usize = targets.iter().map(|t| t.applied.len()).sum();
    let files = targets.iter().filter(|t| t.text != t.original).count();
    let mut summary = if fixes == 0 {
        "nothing to fix".to_owned()
    } else {
        format!(
            "{} {} in {}",
            plural(fixes, "fix", "fixes"),
            if args.dry_run { "to apply" } else { "applied" },
            plural(files, "file", "files")
        )
    };
    if errors + warnings > 0 {
        summary.push_str(&format!(
            "; {} and {} left (`connstr check` shows them)",
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings")
        ));
    }
    if unsafe_left > 0 && !args.unsafe_fixes {
        summary.push_str(&format!(
            "; --unsafe would apply {} more",
            plural(unsafe_left, "fix", "fixes")
        ));
    }
    report.push_str(&format!("connstr fix: {summary}\n"));
    // Fix titles name options and fixed words, never a value; scrubbed of
    // the files' secrets all the same.
    let secret_texts = secret_texts(&targets, &first_secrets, &last.secrets);
    let report = scrub(&report, &secret_texts);
    if !out.is_empty()
        && let Err(e) = render::emit(Stream::Stdout, &out)
    {
        return Err(format!("cannot write output: {e}"));
    }
    let _ = render::emit(Stream::Stderr, &report);
    Ok(if errors > 0 { EXIT_PROBLEMS } else { 0 })
}

/// Every secret text of the targets, before and after, longest first.
fn secret_texts<'t>(
    targets: &'t [Target],
    before: &[Vec<Span>],
    after: &[Vec<Span>],
) -> Vec<&'t str> {
    let mut v: Vec<&str> = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        for s in &before[i] {
            v.extend(t.original.get(s.start()..s.end()));
        }
        for s in &after[i] {
            v.extend(t.text.get(s.start()..s.end()));
        }
    }
    v.retain(|s| !s.trim().is_empty());
    v.sort_by_key(|s| std::cmp::Reverse(s.len()));
    v.dedup();
    v
}

/// One line of `text` for the diff, its line break kept as written, masked
/// where `spans` (of the whole text) cover it and wherever it holds one of
/// `secrets` (texts).
fn masked_line(
    text: &str,
    line: std::ops::Range<usize>,
    spans: &[Span],
    secrets: &[&str],
) -> String {
    let raw = &text[line.clone()];
    let body = raw.trim_end_matches(['\n', '\r']);
    let mut cover: Vec<Span> = spans.to_vec();
    for s in secrets {
        let mut from = 0;
        while let Some(i) = body.get(from..).and_then(|b| b.find(s)) {
            let start = line.start + from + i;
            cover.push(Span::new(start, start + s.len()));
            from += i + s.len().max(1);
        }
    }
    cover.sort_by_key(|s| (s.start(), s.end()));
    // Merged, so that mask_text sees sorted, disjoint spans.
    let mut merged: Vec<Span> = Vec::with_capacity(cover.len());
    for s in cover {
        match merged.last_mut() {
            Some(last) if s.start() <= last.end() => {
                *last = Span::new(last.start(), last.end().max(s.end()));
            }
            _ => merged.push(s),
        }
    }
    let mut out = mask_text(body, line.start, &merged);
    debug_assert!(!MASK.is_empty());
    out.push_str(&raw[body.len()..]);
    out
}

/// Lines of `text` as byte ranges, line breaks included.
fn line_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut v = Vec::new();
    let mut at = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            v.push(at..i + 1);
            at = i + 1;
        }
    }
    if at < text.len() {
        v.push(at..text.len());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(a: usize, b: usize) -> Edit {
        Edit {
            source: SourceId(0),
            span: Span::new(a, b),
            replacement: "".into(),
        }
    }

    #[test]
    fn touching_edits_wait_for_the_next_round() {
        assert!(touch(&edit(1, 3), &edit(3, 4)));
        assert!(touch(&edit(2, 2), &edit(2, 2)));
        assert!(touch(&edit(1, 5), &edit(2, 3)));
        assert!(!touch(&edit(1, 2), &edit(3, 4)));
    }

    #[test]
    fn lines_keep_their_breaks() {
        let t = "a\r\nbb\nc";
        let r = line_ranges(t);
        assert_eq!(r, vec![0..3, 3..6, 6..7]);
        assert_eq!(masked_line(t, r[0].clone(), &[], &[]), "a\r\n");
        assert_eq!(
            masked_line("k=ab;ab\n", 0..8, &[Span::new(2, 4)], &["ab"]),
            "k=<redacted>;<redacted>\n"
        );
        assert_eq!(line_ranges("x\n"), vec![0..2]);
        assert!(line_ranges("").is_empty());
    }
}
