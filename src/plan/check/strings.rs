//! A connection string or JDBC URL input checked: its `DSN=` resolved
//! against the odbc.ini files, its driver recognised (JDBC subprotocol,
//! `DRIVER=`, the data source's `Driver=` or `[ODBC Data Sources]` line),
//! validated into one [`Target`].

use crate::diagnostic::{Diagnostic, Severity, Source, SourceId};
use crate::options::drivers::Recognition;
use crate::options::{IndexedIni, OptionSet, secret_spans};
use crate::syntax::{Document, Form};

use super::ini::section_syntax;
use super::{Checker, Report, Target, TargetKind, model_of, parse_as};
use crate::plan::lints;
use crate::plan::lints::syntax::syntax_diagnostic;
use crate::plan::model::ModelCache;
use crate::plan::recognise::{DataSourceList, Recogniser};
use crate::plan::validate::{resolve_diagnostics, validate_with};

impl Checker {
    /// Check connection string or JDBC URL `id` (text `src`, parsed as
    /// `form`): its target, with `DSN=` resolved against `files`, into
    /// `report`, and its secret spans.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_string(
        &self,
        models: &ModelCache,
        recogniser: &Recogniser,
        files: &[IndexedIni<'_>],
        id: SourceId,
        src: &Source,
        form: Form,
        report: &mut Report,
    ) {
        let doc = parse_as(&src.text, form);
        report.secrets.insert(id, secret_spans(&doc));
        let (set, problems) = OptionSet::resolve_indexed(&doc, id, files, self.last_wins);
        let mut diags: Vec<Diagnostic> = doc
            .errors()
            .iter()
            .map(|e| syntax_diagnostic(e, id, None))
            .collect();
        // Syntax errors of the DSN section used.
        if let Some(layer) = set.layers().iter().find(|l| l.form == Form::Ini)
            && let Some(f) = files.iter().find(|f| f.file.source == layer.source)
            && let Some(section) = f.index.find_dsn(layer.section.as_deref().unwrap_or(""))
        {
            diags.extend(section_syntax(f, section));
            diags.extend(lints::indented_line::check(f, section));
            diags.extend(lints::invisible_data_sources::check_dsn(f, section));
        }
        diags.extend(resolve_diagnostics(&problems));
        let driver = recognise_string(recogniser, &doc, &set, files);
        let model = model_of(models, &set).filter(|_| driver.is_autorest());
        let (plan, more) =
            validate_with(&set, model.as_deref(), self.retain.keeps_plans(), &driver);
        diags.extend(more);
        lints::duplicate_key::complete_fixes(&mut diags, |sid| {
            if sid == id {
                return Some((doc.source(), form));
            }
            files
                .iter()
                .find(|f| f.file.source == sid)
                .map(|f| (f.file.doc.source(), Form::Ini))
        });
        let plan = plan
            .filter(|_| !diags.iter().any(|d| d.severity == Severity::Error))
            .map(Box::new);
        report.targets.push(self.trim(Target {
            name: src.name.clone(),
            kind: if form == Form::JdbcUrl {
                TargetKind::JdbcUrl
            } else {
                TargetKind::ConnectionString
            },
            source: id,
            options: set,
            plan,
            diagnostics: diags,
            driver,
        }));
    }
}

/// The driver of a connection string or JDBC URL: its JDBC subprotocol, its
/// `DRIVER=` (or its data source's `Driver=`), the data source's line in
/// `[ODBC Data Sources]`, a tell-tale key, else Autonomous REST.
fn recognise_string(
    recogniser: &Recogniser,
    doc: &Document<'_>,
    set: &OptionSet,
    files: &[IndexedIni<'_>],
) -> Recognition {
    let jdbc = doc.jdbc_prefix().map(|p| {
        let src = doc.source();
        format!("{}:{}", p.subprotocol.slice(src), p.driver.slice(src))
    });
    recogniser.target(set, jdbc.as_deref(), || {
        let layer = set.layers().iter().find(|l| l.form == Form::Ini)?;
        let f = files.iter().find(|f| f.file.source == layer.source)?;
        // Only the DSN's own file's list (once per string: strings are few).
        let list = DataSourceList::of(f);
        list.get(set.dsn()?)
    })
}
