//! An odbc.ini input checked: each data source (DSN section) becomes a
//! [`Target`] — its options resolved, its driver recognised, validated, with
//! its section's syntax errors and repeats — checked in parallel on large
//! files; and the file's own problems (syntax outside data sources, an
//! `[ODBC Data Sources]` list that does not match, data sources unixODBC
//! cannot see, a `--dsn` the file does not define).

use crate::diagnostic::{Diagnostic, Severity};
use crate::options::{IndexedIni, IniIndex, OptionSet, merge_spans, occurrence_secret_spans};
use crate::syntax::{Form, Span};

use super::secrets::ini_secret_spans_outside;
use super::{Checker, Report, Retain, Target, TargetKind, model_of};
use crate::par::par_blocks;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::lints::syntax::ini_syntax_diagnostic;
use crate::plan::model::ModelCache;
use crate::plan::recognise::{DataSourceList, Recogniser};
use crate::plan::validate::validate_with;

/// Data sources per block handed to a thread: small enough that threads
/// finish together, large enough that handing out is free.
const DSNS_PER_BLOCK: usize = 128;

impl Checker {
    /// Data source `section` (named `name`) of `ini` checked: its target,
    /// with the repeats of its section reported, and its secret spans.
    #[allow(clippy::too_many_arguments)]
    fn ini_target<'a>(
        &self,
        models: &ModelCache,
        recogniser: &Recogniser,
        list: &std::sync::OnceLock<DataSourceList<'a>>,
        ini: &IndexedIni<'a>,
        section: usize,
        name: &str,
        secrets: bool,
    ) -> (Target, Vec<Span>) {
        let (file, index) = (&ini.file, &ini.index);
        let (mut target, spans) = dsn_target_listed(
            ini,
            section,
            self.retain,
            secrets,
            models,
            recogniser,
            || list.get_or_init(|| DataSourceList::of(ini)),
        );
        // Later sections of the same name are not read.
        for &i in index.repeats_of(section) {
            let (Some(s), Some(first)) = (index.header(i), index.header(section)) else {
                continue;
            };
            target.diagnostics.push(
                Diag::new(
                    lints::DUPLICATE_KEY,
                    Severity::Warning,
                    format!("data source [{name}] is defined again; unixODBC reads only the first"),
                    file.source,
                    s.name,
                    "not read",
                )
                .secondary(file.source, first.name, "this one is used")
                .help("merge the two sections into one")
                .section_named(Some(name))
                .build(),
            );
        }
        (self.trim(target), spans)
    }

    /// The targets of an odbc.ini input: its data sources (or those asked
    /// for). With `secrets`, also its secret spans (into `report.secrets`):
    /// each data source's are found on the thread that checks it.
    pub(super) fn check_ini(
        &self,
        models: &ModelCache,
        recogniser: &Recogniser,
        ini: &IndexedIni<'_>,
        report: &mut Report,
        secrets: bool,
    ) {
        // `[ODBC Data Sources]`, read only if a data source names no driver.
        let list = std::sync::OnceLock::new();
        let (file, index) = (&ini.file, &ini.index);
        let errors = file.doc.errors();
        // A file unixODBC reads nothing from: one error, which also says
        // what the syntax error on that line would.
        let invisible = lints::invisible_data_sources::check_file(ini);
        let bad_line = invisible.as_ref().map(|d| d.primary.span);
        let wanted: Option<Vec<usize>> = (!self.dsns.is_empty())
            .then(|| self.dsns.iter().filter_map(|w| index.find_dsn(w)).collect());
        let selected: Vec<(usize, &str)> = index
            .dsns()
            .filter(|(section, _)| wanted.as_ref().is_none_or(|w| w.contains(section)))
            .collect();
        // The file's own checks (its `[ODBC Data Sources]` list as long as
        // the file, the secret spans outside the data sources) run on this
        // thread while the others start on the data sources.
        let whole_file = || {
            let mut diags = Vec::new();
            if invisible.is_none() {
                // With `--dsn`, only what concerns the data sources asked for.
                let asked = |d: &Diagnostic| {
                    let about = d.key.as_deref().or(d.section.as_deref()).unwrap_or("");
                    self.dsns.is_empty()
                        || self
                            .dsns
                            .iter()
                            .any(|w| w.trim().eq_ignore_ascii_case(about.trim()))
                };
                diags.extend(
                    lints::dsn_list_mismatch::check(
                        file.source,
                        &file.doc,
                        index,
                        self.dsns.is_empty(),
                    )
                    .into_iter()
                    .filter(asked),
                );
            }
            let outside = if secrets {
                ini_secret_spans_outside(ini, &selected)
            } else {
                Vec::new()
            };
            (diags, outside)
        };
        // Per block of data sources: their targets and secret spans.
        let (blocks, (list_diags, outside)) = par_blocks(
            &selected,
            DSNS_PER_BLOCK,
            |block| {
                let mut targets = Vec::with_capacity(block.len());
                let mut spans = Vec::new();
                for &(section, name) in block {
                    let (target, found) =
                        self.ini_target(models, recogniser, &list, ini, section, name, secrets);
                    targets.push(target);
                    spans.extend(found);
                }
                (targets, spans)
            },
            whole_file,
        );
        report.diagnostics.extend(list_diags);
        report.diagnostics.extend(invisible);
        // Syntax errors outside data-source sections belong to the file.
        for &k in index.file_errors() {
            let Some(e) = errors.get(k) else { continue };
            if bad_line.is_some_and(|l| l.start() <= e.span.start() && e.span.start() <= l.end()) {
                continue;
            }
            let section = section_of(index, e.span.start()).and_then(|i| index.name(i));
            report.diagnostics.push(ini_syntax_diagnostic(
                e,
                file.source,
                section,
                file.doc.source(),
            ));
        }
        for want in &self.dsns {
            if index.find_dsn(want).is_none() {
                let d = lints::unknown_dsn::not_in_file(
                    want,
                    file.source,
                    &file.name,
                    &index.dsns().map(|(_, n)| n).collect::<Vec<_>>(),
                );
                report.diagnostics.push(d);
            }
        }
        let mut targets = Vec::with_capacity(selected.len());
        let mut spans = outside;
        for (t, s) in blocks {
            targets.extend(t);
            spans.extend(s);
        }
        if secrets {
            report.secrets.insert(file.source, merge_spans(spans));
        }
        if report.targets.is_empty() {
            // No copy of the (large) targets for the usual single odbc.ini.
            report.targets = targets;
        } else {
            report.targets.extend(targets);
        }
    }
}

/// The section holding byte `at`: the last one starting at or before it.
fn section_of(index: &IniIndex<'_>, at: usize) -> Option<usize> {
    let (mut lo, mut hi) = (0, index.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if index.header(mid).is_some_and(|h| h.span.start() <= at) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo.checked_sub(1)
}

/// The syntax diagnostics of data-source section `section` of `file`.
pub(super) fn section_syntax(ini: &IndexedIni<'_>, section: usize) -> Vec<Diagnostic> {
    let errors = ini.file.doc.errors();
    let name = ini.index.name(section);
    ini.index
        .errors_of(section)
        .iter()
        .filter_map(|&k| errors.get(k))
        .map(|e| ini_syntax_diagnostic(e, ini.file.source, name, ini.file.doc.source()))
        .collect()
}

/// Check one data source of an odbc.ini (its plan kept only when `retain`
/// says so), and find its secret spans when `secrets` is set (from what
/// resolution found, while the data source is at hand).
pub(super) fn dsn_target<'a>(
    ini: &IndexedIni<'a>,
    section: usize,
    retain: Retain,
    secrets: bool,
    models: &ModelCache,
    recogniser: &Recogniser,
    list: &DataSourceList<'a>,
) -> (Target, Vec<Span>) {
    dsn_target_listed(ini, section, retain, secrets, models, recogniser, || list)
}

/// [`dsn_target`], the `[ODBC Data Sources]` list read only when needed.
fn dsn_target_listed<'a, 'l>(
    ini: &IndexedIni<'a>,
    section: usize,
    retain: Retain,
    secrets: bool,
    models: &ModelCache,
    recogniser: &Recogniser,
    list: impl FnOnce() -> &'l DataSourceList<'a>,
) -> (Target, Vec<Span>)
where
    'a: 'l,
{
    let set = OptionSet::from_indexed_dsn(&ini.file, &ini.index, section);
    let driver = recogniser.target(&set, None, || set.dsn().and_then(|name| list().get(name)));
    let spans = if secrets {
        occurrence_secret_spans(ini.file.doc.source(), set.all())
    } else {
        Vec::new()
    };
    let mut syntax = section_syntax(ini, section);
    syntax.extend(lints::indented_line::check(ini, section));
    let model = model_of(models, &set).filter(|_| driver.is_autorest());
    let (plan, mut diags) = validate_with(&set, model.as_deref(), retain.keeps_plans(), &driver);
    lints::duplicate_key::complete_fixes(&mut diags, |sid| {
        (sid == ini.file.source).then(|| (ini.file.doc.source(), Form::Ini))
    });
    if !syntax.is_empty() {
        // Syntax errors first.
        diags.splice(0..0, syntax);
    }
    let plan = plan
        .filter(|_| !diags.iter().any(|d| d.severity == Severity::Error))
        .map(Box::new);
    let target = Target {
        name: set.dsn().unwrap_or_default().to_owned(),
        kind: TargetKind::Dsn,
        source: ini.file.source,
        options: set,
        plan,
        diagnostics: diags,
        driver,
    };
    (target, spans)
}

#[cfg(test)]
mod tests {
    use crate::plan::check_text;

    #[test]
    fn a_large_odbc_ini_checks_every_dsn_in_file_order() {
        use std::fmt::Write as _;
        let mut text = String::from("[ODBC Data Sources]\n");
        let n = crate::par::ITEMS_PER_THREAD * 3 + 5;
        for i in 0..n {
            let _ = write!(
                text,
                "[dsn{i}]\nAuthenticationMethod=Basic\nUser=u{i}\n{}",
                if i % 7 == 0 { "" } else { "Password=p\n" }
            );
        }
        let (_, report) = check_text("odbc.ini", &text);
        assert_eq!(report.targets.len(), n);
        for (i, t) in report.targets.iter().enumerate() {
            assert_eq!(t.name, format!("dsn{i}"));
            assert_eq!(t.has_errors(), i % 7 == 0, "{i}");
        }
    }
}
