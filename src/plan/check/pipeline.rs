//! One run, phase by phase: [`Checker::check`] tells each input's form
//! apart ([`detect_form`]), [`Checker::check_forms`] reads the odbc.ini files
//! `DSN=` resolves against, hands each input to its checker (`ini.rs`,
//! `strings.rs`), looks up `--dsn` names in the machine's files, reports
//! non-UTF-8 bytes and escapes them in the report's texts.

use crate::diagnostic::{Diagnostic, SourceId, Sources};
use crate::options::{IndexedIni, IniFile, IniScope, find_indexed_dsn};
use crate::syntax::{
    Document, Form, parse_connection_string, parse_ini, parse_ini_indexed, parse_jdbc_url,
};

use super::ini::dsn_target;
use super::secrets::ini_secret_spans;
use super::{Checker, Report, Unreadable};
use crate::plan::lints;
use crate::plan::model::ModelCache;
use crate::plan::recognise::{DataSourceList, Recogniser};

/// Which surface form a text is, guessed from its content: a JDBC URL starts
/// with `jdbc:`; a text with a `[section]` line is an odbc.ini; anything else
/// is a connection string.
///
/// ```
/// use connstr::plan::detect_form;
/// use connstr::syntax::Form;
/// assert_eq!(detect_form("jdbc:datadirect:autorest:User=a"), Form::JdbcUrl);
/// assert_eq!(detect_form("# mine\n[sales]\nUID=a\n"), Form::Ini);
/// assert_eq!(detect_form("DSN=sales;UID=a"), Form::ConnectionString);
/// ```
pub fn detect_form(text: &str) -> Form {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.len() >= 5 && t[..5].eq_ignore_ascii_case("jdbc:") {
        Form::JdbcUrl
    } else if text.lines().any(|l| l.trim_start().starts_with('[')) {
        Form::Ini
    } else {
        Form::ConnectionString
    }
}

/// Parse `text` as `form`.
pub fn parse_as(text: &str, form: Form) -> Document<'_> {
    match form {
        Form::ConnectionString => parse_connection_string(text),
        Form::JdbcUrl => parse_jdbc_url(text),
        Form::Ini => parse_ini(text),
    }
}

impl Checker {
    /// Check `inputs` (ids in `sources`): each text is parsed as the form it
    /// looks like ([`detect_form`]). odbc.ini files needed for `DSN=` are read
    /// and registered in `sources` (so diagnostics can point into them). When
    /// the caller knows better (a file named `*.ini`, a `--ini` flag), use
    /// [`Checker::check_forms`].
    pub fn check(&self, sources: &mut Sources, inputs: &[SourceId]) -> Report {
        let forms: Vec<(SourceId, Form)> = inputs
            .iter()
            .filter_map(|&id| sources.get(id).map(|s| (id, detect_form(&s.text))))
            .collect();
        self.check_forms(sources, &forms)
    }

    /// Check `inputs` (ids in `sources`), each parsed as the form given with
    /// it. Otherwise as [`Checker::check`].
    ///
    /// ```
    /// use connstr::diagnostic::Sources;
    /// use connstr::plan::Checker;
    /// use connstr::syntax::Form;
    ///
    /// // No `[section]` line, yet the caller knows it is an odbc.ini.
    /// let mut sources = Sources::default();
    /// let id = sources.add("empty.ini", None, "; nothing yet\n".to_string());
    /// let report = Checker::without_odbc_ini().check_forms(&mut sources, &[(id, Form::Ini)]);
    /// assert!(report.targets.is_empty());
    /// // Read as a connection string, the comment is a pair without `=`.
    /// let report = Checker::without_odbc_ini().check(&mut sources, &[id]);
    /// assert_eq!(report.targets.len(), 1);
    /// ```
    pub fn check_forms(&self, sources: &mut Sources, inputs: &[(SourceId, Form)]) -> Report {
        let mut report = Report::default();
        let forms: Vec<(SourceId, Form)> = inputs
            .iter()
            .copied()
            .filter(|(id, _)| sources.get(*id).is_some())
            .collect();
        let has_ini_input = forms.iter().any(|(_, f)| *f == Form::Ini);
        let needs_dsn_files = (!self.dsns.is_empty() && !has_ini_input)
            || forms.iter().any(|&(id, form)| {
                form != Form::Ini
                    && sources.get(id).is_some_and(|s| {
                        let doc = parse_as(&s.text, form);
                        doc.entries().any(|e| {
                            crate::options::lookup(e.key_str(&s.text))
                                .is_some_and(|o| o.name == "DSN")
                        })
                    })
            });

        // Phase 1: read the odbc.ini files to resolve against.
        let mut search: Vec<(SourceId, IniScope, String)> = self
            .ini_inputs_for_dsn
            .iter()
            .filter_map(|&id| {
                let s = sources.get(id)?;
                Some((id, IniScope::Explicit, s.name.clone()))
            })
            .collect();
        if needs_dsn_files && let Some(paths) = &self.paths {
            for (scope, path) in paths.candidates() {
                // Bytes, not text: unixODBC reads a Latin-1 odbc.ini fine.
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        let name = path.display().to_string();
                        let id = sources.add_lossless(
                            name.clone(),
                            Some(path),
                            crate::syntax::Lossless::decode(bytes),
                        );
                        search.push((id, scope, name));
                    }
                    Err(e)
                        if e.kind() == std::io::ErrorKind::NotFound
                            && scope != IniScope::Explicit => {}
                    Err(e) => report.unreadable.push(Unreadable {
                        path,
                        reason: e.to_string(),
                    }),
                }
            }
        }
        // A `--dsn` with no odbc.ini input gets a source of its own to point at.
        let dsn_arg_sources: Vec<(String, SourceId)> = if !self.dsns.is_empty() && !has_ini_input {
            self.dsns
                .iter()
                .map(|n| (n.clone(), sources.add("<--dsn>", None, n.clone())))
                .collect()
        } else {
            Vec::new()
        };

        let recogniser = Recogniser::new(self.read_odbcinst(&mut report));
        let recogniser = &recogniser;

        // Phase 2: parse and check. Each odbc.ini is parsed and indexed once.
        // Model files are read when a target first names one.
        let models = ModelCache::new(self.model_dir.clone(), sources.iter().count());
        let all_sources: &mut Sources = sources;
        let sources: &Sources = &*all_sources;
        let files: Vec<IndexedIni<'_>> = search
            .iter()
            .filter_map(|(id, scope, name)| {
                let s = sources.get(*id)?;
                Some(IndexedIni::new(IniFile {
                    doc: parse_ini_indexed(&s.text, s.line_index()),
                    source: *id,
                    scope: *scope,
                    name: name.as_str().into(),
                    mode: self.mode_of(sources, *id),
                }))
            })
            .collect();
        for f in &files {
            report
                .secrets
                .insert(f.file.source, ini_secret_spans(&f.file.doc));
        }

        for &(id, form) in &forms {
            let Some(src) = sources.get(id) else { continue };
            match form {
                // An odbcinst.ini: driver sections, not data sources.
                Form::Ini if super::is_odbcinst(&src.name, &src.text) => {
                    self.check_odbcinst_file(id, &src.text, &mut report);
                }
                Form::Ini => {
                    // An odbc.ini given both as an input and to resolve
                    // `DSN=` against (`--ini FILE`) is read once.
                    if let Some(f) = files
                        .iter()
                        .find(|f| f.file.source == id && f.file.scope == IniScope::Explicit)
                    {
                        // Its secret spans are known already.
                        self.check_ini(&models, recogniser, f, &mut report, false);
                        continue;
                    }
                    let doc = parse_ini_indexed(&src.text, src.line_index());
                    let file = IndexedIni::new(IniFile {
                        doc,
                        source: id,
                        scope: IniScope::Explicit,
                        name: src.name.as_str().into(),
                        mode: self.mode_of(sources, id),
                    });
                    // Secret spans found with the data sources, section by
                    // section while each is at hand.
                    self.check_ini(&models, recogniser, &file, &mut report, true);
                }
                Form::ConnectionString | Form::JdbcUrl => {
                    self.check_string(&models, recogniser, &files, id, src, form, &mut report);
                }
            }
        }

        // `--dsn` names looked up in the machine's files.
        for (name, arg) in dsn_arg_sources {
            match find_indexed_dsn(&files, &name) {
                Some((f, section)) => {
                    let list = DataSourceList::of(f);
                    let (mut target, _) =
                        dsn_target(f, section, self.retain, false, &models, recogniser, &list);
                    if let Some(d) = lints::invisible_data_sources::check_dsn(f, section) {
                        target.plan = None;
                        target.diagnostics.insert(0, d);
                    }
                    report.targets.push(self.trim(target));
                }
                None => {
                    let searched: Vec<&str> = files.iter().map(|f| &*f.file.name).collect();
                    let d = lints::unknown_dsn::not_in_files(&name, arg, &searched);
                    report.diagnostics.push(d);
                }
            }
        }
        // Bytes that are not UTF-8 where they matter, in the inputs.
        for &(id, form) in &forms {
            let Some(bytes) = sources.get(id).and_then(|s| s.lossless()) else {
                continue;
            };
            let diags = match files.iter().find(|f| f.file.source == id) {
                Some(f) => lints::non_utf8::check(&f.file.doc, id, bytes),
                None => lints::non_utf8::check(&parse_as(bytes.text(), form), id, bytes),
            };
            report.diagnostics.extend(diags);
        }
        drop(files);
        lints::world_readable_secret::one_per_file(&mut report.targets);
        escape_non_utf8(&mut report, sources);
        for (id, spans) in models.register(all_sources) {
            if !spans.is_empty() {
                report.secrets.insert(id, spans);
            }
        }
        report
    }
}

/// Show the bytes that are not UTF-8 escaped (`\xE9`) in every text of the
/// report made from an input's text: messages, help, keys, section and
/// target names (each read with the placeholders of its own source).
fn escape_non_utf8(report: &mut Report, sources: &Sources) {
    use std::borrow::Cow;
    if !sources.iter().any(|(_, s)| s.lossless().is_some()) {
        return;
    }
    let text = |t: &mut crate::diagnostic::Text, s: &crate::diagnostic::Source| {
        if let Cow::Owned(e) = s.escape(t) {
            *t = Cow::Owned(e);
        }
    };
    let diag = |d: &mut Diagnostic| {
        let Some(s) = sources
            .get(d.primary.source)
            .filter(|s| s.lossless().is_some())
        else {
            return;
        };
        text(&mut d.message, s);
        if let Some(h) = &mut d.help {
            text(h, s);
        }
        if let Some(k) = &mut d.key {
            text(k, s);
        }
        if let Some(sec) = &d.section
            && let Cow::Owned(e) = s.escape(sec)
        {
            d.section = Some(e.into());
        }
        text(&mut d.primary.message, s);
        for l in &mut d.secondary {
            text(&mut l.message, s);
        }
    };
    report.diagnostics.iter_mut().for_each(diag);
    for t in &mut report.targets {
        t.diagnostics.iter_mut().for_each(diag);
        if let Some(s) = sources.get(t.source)
            && let Cow::Owned(e) = s.escape(&t.name)
        {
            t.name = e;
        }
    }
}
