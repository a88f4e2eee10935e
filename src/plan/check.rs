//! The whole pipeline for one run: inputs → targets → plans and diagnostics.
//!
//! [`Checker`] is the entry point for the CLI (`check`, `explain`, `redact`)
//! and for embedders: register the texts in a [`Sources`], hand their ids to
//! [`Checker::check`], and get a [`Report`] with one [`Target`] per thing that
//! can be connected to — each connection string or JDBC URL, and each data
//! source (DSN section) of an odbc.ini — with its resolved options, its plan
//! when valid, and its diagnostics.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, Severity, SourceId, Sources};
use crate::options::{
    IndexedIni, IniFile, IniIndex, IniScope, OdbcPaths, OptionSet, file_mode, secret_spans,
};
use crate::options::{
    entry_secret_spans, list_secret_spans, merge_spans, occurrence_secret_spans, unparsed_secrets,
};
use crate::syntax::{
    Document, Form, Node, Span, parse_connection_string, parse_ini, parse_jdbc_url,
};

use super::diag::Diag;
use super::lints;
use super::lints::syntax::{ini_syntax_diagnostic, syntax_diagnostic};
use super::model::{ModelCache, ModelDir, ModelFile};
use super::recognise::{DataSourceList, OdbcinstDrivers, Recogniser};
use super::types::AuthPlan;
use super::validate::{resolve_diagnostics, validate_with};
use crate::options::drivers::Recognition;
use crate::par::{par_chunks, par_map_min};

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

/// What a [`Target`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// An ODBC connection string (its `DSN=` resolved, if any).
    ConnectionString,
    /// A JDBC URL.
    JdbcUrl,
    /// A data source: one section of an odbc.ini.
    Dsn,
}

/// One thing that can be connected to, checked.
#[derive(Clone, Debug)]
pub struct Target {
    /// How to call it: the DSN name, or the input's name for a string.
    pub name: String,
    /// What it is.
    pub kind: TargetKind,
    /// The input it was read from (for a DSN, the odbc.ini).
    pub source: SourceId,
    /// Its options, resolved (with `DSN=` overlaid), for `explain`.
    pub options: OptionSet,
    /// The plan, when there is no error (boxed: most of a target's size,
    /// and absent for a target with errors).
    pub plan: Option<Box<AuthPlan>>,
    /// Every problem, errors and warnings, in a stable order.
    pub diagnostics: Vec<Diagnostic>,
    /// Which driver profile judged it, and why (DRIVERS.md §9).
    pub driver: Recognition,
}

impl Target {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// What a [`Report`] keeps of each [`Target`] (see [`Checker::retain`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Retain {
    /// Options, plan and diagnostics: for `explain`, `token`, and embedders
    /// that go on to connect.
    #[default]
    Everything,
    /// Diagnostics only. Every target is still resolved and validated in
    /// full, but its options and plan are dropped as soon as its diagnostics
    /// are known (left as an empty [`OptionSet`] and `None`): what `connstr
    /// check` and CI need. A large odbc.ini's report is then a fraction of
    /// the size, and freed on the threads that built it.
    Diagnostics,
}

impl Retain {
    /// Whether targets keep their plans.
    fn keeps_plans(self) -> bool {
        self == Retain::Everything
    }
}

/// An odbc.ini that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// Its path.
    pub path: PathBuf,
    /// Why, in words (the I/O error; never file content).
    pub reason: String,
}

/// What [`Checker::check`] found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// One per connection string, JDBC URL and selected DSN, in input order.
    pub targets: Vec<Target>,
    /// Problems that belong to no target: syntax errors outside any data
    /// source section, a `--dsn` that no file defines.
    pub diagnostics: Vec<Diagnostic>,
    /// odbc.ini files that exist but could not be read (an explicit one that
    /// does not exist is listed too).
    pub unreadable: Vec<Unreadable>,
    /// Where the secret values are, per source (see
    /// [`secret_spans`](crate::options::secret_spans)): renderers mask them.
    pub secrets: BTreeMap<SourceId, Vec<Span>>,
}

impl Report {
    /// Every diagnostic: the report's own, then each target's.
    pub fn all_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .chain(self.targets.iter().flat_map(|t| t.diagnostics.iter()))
    }

    /// Whether anything is an error (or an odbc.ini was unreadable).
    pub fn has_errors(&self) -> bool {
        !self.unreadable.is_empty()
            || self
                .all_diagnostics()
                .any(|d| d.severity == Severity::Error)
    }

    /// The target named `name` (case-insensitive).
    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

/// Checks inputs end to end. Build one, set what differs from the defaults,
/// and call [`Checker::check`].
///
/// ```
/// use connstr::diagnostic::Sources;
/// use connstr::plan::{Checker, Auth, Grant};
///
/// let mut sources = Sources::default();
/// let ini = sources.add(
///     "odbc.ini",
///     None,
///     "[sales]\nAuthenticationMethod=OAuth2\nClientID=app\nClientSecret=s3cr3t\n\
///      TokenURI=POST https://login.example.com/token\n"
///         .to_string(),
/// );
/// let cs = sources.add("<-c 1>", None, "DSN=sales;Scope=read".to_string());
/// let report = Checker::without_odbc_ini()
///     .ini_files([ini])
///     .check(&mut sources, &[ini, cs]);
///
/// // The odbc.ini's data source, and the connection string that uses it.
/// let dsn = report.target("sales").unwrap();
/// let Auth::OAuth2(oauth) = &dsn.plan.as_ref().unwrap().auth else { panic!() };
/// assert!(matches!(oauth.grant, Grant::ClientCredentials { .. }));
/// assert_eq!(oauth.chosen_because.as_deref(), Some("ClientID, ClientSecret and TokenURI are set"));
/// // Legacy `OAuth2` is worth a warning, which says what it resolved to.
/// assert_eq!(dsn.diagnostics[0].lint, "deprecated");
///
/// let string = report.target("<-c 1>").unwrap();
/// let plan = string.plan.as_ref().unwrap();
/// assert_eq!(plan.dsn.as_deref(), Some("sales"));
/// let Auth::OAuth2(oauth) = &plan.auth else { panic!() };
/// assert_eq!(oauth.scope, ["read"]);
/// assert!(!report.has_errors());
/// // Secret spans, for renderers to mask.
/// assert_eq!(report.secrets[&ini].len(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct Checker {
    paths: Option<OdbcPaths>,
    ini_inputs_for_dsn: Vec<SourceId>,
    last_wins: bool,
    dsns: Vec<String>,
    modes: Vec<(SourceId, u32)>,
    retain: Retain,
    model_dir: ModelDir,
    odbcinst: OdbcinstFrom,
}

/// Where a [`Checker`] finds the odbcinst.ini that names the drivers.
#[derive(Clone, Debug)]
enum OdbcinstFrom {
    /// Nowhere: `Driver=` is judged by its text alone.
    Nowhere,
    /// These files, most important first; missing ones are skipped.
    Machine(Vec<PathBuf>),
    /// This file, given explicitly: unreadable is worth saying.
    Explicit(PathBuf),
    /// Already read.
    Given(OdbcinstDrivers),
}

impl Default for Checker {
    fn default() -> Self {
        Checker::new()
    }
}

impl Checker {
    /// A checker that resolves `DSN=` and `Driver=` as unixODBC does on this
    /// machine ([`OdbcPaths::from_env`], odbcinst.ini from `$ODBCSYSINI` and
    /// `$ODBCINSTINI`, then `~/.odbcinst.ini`).
    pub fn new() -> Self {
        Checker {
            odbcinst: OdbcinstFrom::Machine(OdbcinstDrivers::machine_paths()),
            ..Checker::with_paths(OdbcPaths::from_env())
        }
    }

    /// A checker that resolves `DSN=` against the files `paths` names, and
    /// `Driver=` against the odbcinst.ini of its system directory (then the
    /// home directory's `.odbcinst.ini`).
    pub fn with_paths(paths: OdbcPaths) -> Self {
        let sysdir = paths
            .odbcsysini
            .clone()
            .or_else(|| paths.sysconfdir.clone())
            .unwrap_or_else(|| PathBuf::from("/etc"));
        let mut odbcinst = vec![sysdir.join("odbcinst.ini")];
        odbcinst.extend(paths.home.as_ref().map(|h| h.join(".odbcinst.ini")));
        Checker {
            odbcinst: OdbcinstFrom::Machine(odbcinst),
            paths: Some(paths),
            ini_inputs_for_dsn: Vec::new(),
            last_wins: false,
            dsns: Vec::new(),
            modes: Vec::new(),
            retain: Retain::Everything,
            model_dir: ModelDir::WorkingDirectory,
        }
    }

    /// A checker that reads no odbc.ini (nor odbcinst.ini) from the machine:
    /// `DSN=` resolves only against [`Checker::ini_files`], `Driver=` only
    /// against [`Checker::odbcinst`].
    pub fn without_odbc_ini() -> Self {
        Checker {
            paths: None,
            odbcinst: OdbcinstFrom::Nowhere,
            ..Checker::with_paths(OdbcPaths::default())
        }
    }

    /// Repeated keys in connection strings: the last occurrence wins
    /// (unixODBC's driver manager) instead of the first (Microsoft's).
    /// odbc.ini always resolves to the first, as unixODBC reads it.
    pub fn last_wins(mut self, last_wins: bool) -> Self {
        self.last_wins = last_wins;
        self
    }

    /// Check only these data sources of the odbc.ini inputs; with no odbc.ini
    /// input, look them up in the machine's odbc.ini files. A name nowhere
    /// defined is an `unknown-dsn` error.
    pub fn dsns<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.dsns = names.into_iter().map(Into::into).collect();
        self
    }

    /// Already-registered odbc.ini sources to resolve `DSN=` against, before
    /// the machine's files (for example `--ini FILE`, or tests).
    pub fn ini_files(mut self, sources: impl IntoIterator<Item = SourceId>) -> Self {
        self.ini_inputs_for_dsn.extend(sources);
        self
    }

    /// The Unix permission bits of a source, instead of reading them from its
    /// file (for `world-readable-secret`).
    pub fn file_mode(mut self, source: SourceId, mode: u32) -> Self {
        self.modes.push((source, mode));
        self
    }

    /// What the report keeps of each target: everything (the default), or
    /// only the diagnostics.
    ///
    /// ```
    /// use connstr::plan::{check_text, Checker, Retain};
    /// use connstr::diagnostic::Sources;
    ///
    /// let mut sources = Sources::default();
    /// let id = sources.add("<-c 1>", None, "AuthenticationMethod=Basic;User=ann".to_string());
    /// let report = Checker::without_odbc_ini()
    ///     .retain(Retain::Diagnostics)
    ///     .check(&mut sources, &[id]);
    /// let t = &report.targets[0];
    /// assert_eq!(t.diagnostics[0].key.as_deref(), Some("Password"));
    /// assert!(t.options.all().is_empty() && t.plan.is_none());
    /// ```
    pub fn retain(mut self, retain: Retain) -> Self {
        self.retain = retain;
        self
    }

    /// Where relative RESTConfigFile paths are resolved: the working
    /// directory (the driver's rule, the default), another directory
    /// (`--model-dir`), or [`ModelDir::Off`] to read no Model file.
    pub fn model_dir(mut self, dir: ModelDir) -> Self {
        self.model_dir = dir;
        self
    }

    /// The odbcinst.ini to find `Driver=NAME` in (`--odbcinst FILE`),
    /// instead of the machine's. A file that cannot be read is reported in
    /// [`Report::unreadable`].
    ///
    /// ```
    /// use connstr::diagnostic::Sources;
    /// use connstr::plan::Checker;
    /// let dir = tempfile::tempdir().unwrap();
    /// let inst = dir.path().join("odbcinst.ini");
    /// std::fs::write(&inst, "[PG]\nDriver=/usr/lib/psqlodbcw.so\n").unwrap();
    /// let mut sources = Sources::default();
    /// let id = sources.add("odbc.ini", None, "[db]\nDriver=PG\nServername=h\nDatabse=x\n".to_string());
    /// let report = Checker::without_odbc_ini().odbcinst(&inst).check(&mut sources, &[id]);
    /// let t = &report.targets[0];
    /// assert_eq!(t.driver.id(), Some("psqlodbc"));
    /// assert_eq!(t.diagnostics[0].help.as_deref(), Some("did you mean `Database`?"));
    /// ```
    pub fn odbcinst(mut self, path: impl Into<PathBuf>) -> Self {
        self.odbcinst = OdbcinstFrom::Explicit(path.into());
        self
    }

    /// The drivers to find `Driver=NAME` in, already read (tests, embedders).
    pub fn odbcinst_drivers(mut self, drivers: OdbcinstDrivers) -> Self {
        self.odbcinst = OdbcinstFrom::Given(drivers);
        self
    }

    /// Find `Driver=NAME` in the machine's odbcinst.ini (as
    /// [`Checker::new`] does), whatever else this checker reads.
    pub fn machine_odbcinst(mut self) -> Self {
        self.odbcinst = OdbcinstFrom::Machine(OdbcinstDrivers::machine_paths());
        self
    }

    /// The odbcinst.ini drivers, read once per check.
    fn read_odbcinst(&self, report: &mut Report) -> OdbcinstDrivers {
        match &self.odbcinst {
            OdbcinstFrom::Nowhere => OdbcinstDrivers::default(),
            OdbcinstFrom::Machine(paths) => OdbcinstDrivers::read(paths),
            OdbcinstFrom::Given(d) => d.clone(),
            OdbcinstFrom::Explicit(path) => match std::fs::read(path) {
                Ok(bytes) => OdbcinstDrivers::parse(
                    &path.display().to_string(),
                    &String::from_utf8_lossy(&bytes),
                ),
                Err(e) => {
                    report.unreadable.push(Unreadable {
                        path: path.clone(),
                        reason: e.to_string(),
                    });
                    OdbcinstDrivers::default()
                }
            },
        }
    }

    /// Drop what [`Checker::retain`] says not to keep.
    fn trim(&self, mut target: Target) -> Target {
        if !self.retain.keeps_plans() {
            target.options = OptionSet::default();
            target.plan = None;
        }
        target
    }

    fn mode_of(&self, sources: &Sources, id: SourceId) -> Option<u32> {
        if let Some((_, m)) = self.modes.iter().find(|(s, _)| *s == id) {
            return Some(*m);
        }
        sources.get(id)?.path.as_deref().and_then(file_mode)
    }

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
                    doc: parse_ini(&s.text),
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
                    let doc = parse_ini(&src.text);
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
                    let doc = parse_as(&src.text, form);
                    report.secrets.insert(id, secret_spans(&doc));
                    let (set, problems) =
                        OptionSet::resolve_indexed(&doc, id, &files, self.last_wins);
                    let mut diags: Vec<Diagnostic> = doc
                        .errors()
                        .iter()
                        .map(|e| syntax_diagnostic(e, id, None))
                        .collect();
                    // Syntax errors of the DSN section used.
                    if let Some(layer) = set.layers().iter().find(|l| l.form == Form::Ini)
                        && let Some(f) = files.iter().find(|f| f.file.source == layer.source)
                        && let Some(section) =
                            f.index.find_dsn(layer.section.as_deref().unwrap_or(""))
                    {
                        diags.extend(section_syntax(f, section));
                        diags.extend(lints::indented_line::check(f, section));
                        diags.extend(lints::invisible_data_sources::check_dsn(f, section));
                    }
                    diags.extend(resolve_diagnostics(&problems));
                    let driver = recognise_string(recogniser, &doc, &set, &files);
                    let model = model_of(&models, &set).filter(|_| driver.is_autorest());
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
        }

        // `--dsn` names looked up in the machine's files.
        for (name, arg) in dsn_arg_sources {
            match files
                .iter()
                .find_map(|f| f.index.find_dsn(&name).map(|i| (f, i)))
            {
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
        escape_non_utf8(&mut report, sources);
        for (id, spans) in models.register(all_sources) {
            if !spans.is_empty() {
                report.secrets.insert(id, spans);
            }
        }
        report
    }

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
    fn check_ini(
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
        if invisible.is_none() {
            // With `--dsn`, only what concerns the data sources asked for.
            let wanted = |d: &Diagnostic| {
                let about = d.key.as_deref().or(d.section.as_deref()).unwrap_or("");
                self.dsns.is_empty()
                    || self
                        .dsns
                        .iter()
                        .any(|w| w.trim().eq_ignore_ascii_case(about.trim()))
            };
            report.diagnostics.extend(
                lints::dsn_list_mismatch::check(file.source, &file.doc, index)
                    .into_iter()
                    .filter(wanted),
            );
        }
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
        let wanted: Option<Vec<usize>> = (!self.dsns.is_empty())
            .then(|| self.dsns.iter().filter_map(|w| index.find_dsn(w)).collect());
        let selected: Vec<(usize, &str)> = index
            .dsns()
            .filter(|(section, _)| wanted.as_ref().is_none_or(|w| w.contains(section)))
            .collect();
        // Per thread: its data sources' targets and secret spans, gathered
        // per chunk (no second copy of the targets to split them apart).
        let chunks = par_chunks(&selected, |chunk| {
            // The first chunk's Vec gets room for all, so that the others
            // join it without moving it.
            let first = std::ptr::eq(chunk.as_ptr(), selected.as_ptr());
            let mut targets = Vec::with_capacity(if first { selected.len() } else { chunk.len() });
            let mut spans = Vec::new();
            for &(section, name) in chunk {
                let (target, found) =
                    self.ini_target(models, recogniser, &list, ini, section, name, secrets);
                targets.push(target);
                spans.extend(found);
            }
            (targets, spans)
        });
        let mut chunks = chunks.into_iter();
        let (mut targets, mut spans) = chunks.next().unwrap_or_default();
        for (t, s) in chunks {
            targets.extend(t);
            spans.extend(s);
        }
        if secrets {
            report
                .secrets
                .insert(file.source, ini_secret_spans_rest(ini, &selected, spans));
        }
        if report.targets.is_empty() {
            // No copy of the (large) targets for the usual single odbc.ini.
            report.targets = targets;
        } else {
            report.targets.extend(targets);
        }
    }
}

/// [`secret_spans`] of an odbc.ini, scanned in chunks on several threads
/// when it is large.
fn ini_secret_spans(doc: &Document<'_>) -> Vec<Span> {
    /// Nodes per chunk: a few hundred data sources.
    const CHUNK: usize = 4096;
    /// Chunks per thread: a thread is worth starting for ~50,000 entries.
    const CHUNKS_PER_THREAD: usize = 12;
    let src = doc.source();
    let lists: Vec<bool> = doc
        .sections()
        .map(|h| is_name_list(h.name.slice(src)))
        .collect();
    let in_list = |e: &crate::syntax::Entry| e.section().and_then(|i| lists.get(i)) == Some(&true);
    let chunks: Vec<&[Node]> = doc.nodes().chunks(CHUNK).collect();
    let parts = par_map_min(&chunks, CHUNKS_PER_THREAD, |nodes| {
        let entries = || {
            nodes.iter().filter_map(|n| match n {
                Node::Entry(e) => Some(e),
                _ => None,
            })
        };
        let mut spans = entry_secret_spans(src, entries().filter(|e| !in_list(e)));
        spans.extend(list_secret_spans(src, entries().filter(|e| in_list(e))));
        spans
    });
    let mut all = parts.concat();
    all.extend(unparsed_secrets(doc));
    merge_spans(all)
}

/// The secret spans of odbc.ini `ini`, given `spans`, those of the data
/// sections `selected`: the rest (entries before the first
/// header, `[ODBC]`-like sections, repeated or unselected data sources) are
/// scanned here. The same as [`ini_secret_spans`] of the whole file.
fn ini_secret_spans_rest(
    ini: &IndexedIni<'_>,
    selected: &[(usize, &str)],
    spans: Vec<Span>,
) -> Vec<Span> {
    let doc = &ini.file.doc;
    let src = doc.source();
    let mut done = vec![false; ini.index.len()];
    for &(section, _) in selected {
        if let Some(d) = done.get_mut(section) {
            *d = true;
        }
    }
    let mut all = spans;
    // Before the first header (all of a file without one): the entries of
    // no section, which come first.
    all.extend(entry_secret_spans(
        src,
        doc.entries().take_while(|e| e.section().is_none()),
    ));
    for (section, _) in done.iter().enumerate().filter(|(_, d)| !**d) {
        let entries = ini.index.entries(doc, section);
        // The keys of `[ODBC Data Sources]` are data source names, one per
        // line of a list as long as the file: never guessed at as options.
        if ini.index.name(section).is_some_and(is_name_list) {
            all.extend(list_secret_spans(src, entries));
        } else {
            all.extend(entry_secret_spans(src, entries));
        }
    }
    // Lines that did not parse (`ClientSecret: value`), in any section.
    all.extend(unparsed_secrets(doc));
    merge_spans(all)
}

/// Whether a section's keys are names rather than options: `[ODBC Data
/// Sources]` (odbc.ini) and `[ODBC Drivers]` (odbcinst.ini).
fn is_name_list(section: &str) -> bool {
    let s = section.trim();
    s.eq_ignore_ascii_case("ODBC Data Sources") || s.eq_ignore_ascii_case("ODBC Drivers")
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

/// The Model file the set's RESTConfigFile names.
fn model_of(models: &ModelCache, set: &OptionSet) -> Option<std::sync::Arc<ModelFile>> {
    let o = set.get("RESTConfigFile")?;
    models.get(o.value())
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
fn section_syntax(ini: &IndexedIni<'_>, section: usize) -> Vec<Diagnostic> {
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
fn dsn_target<'a>(
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

/// Check one text (a connection string, JDBC URL or odbc.ini) with no
/// odbc.ini lookup, for quick use and tests. Returns the sources (the text is
/// `SourceId(0)`, named `name`) and the report.
///
/// ```
/// let (_, report) = connstr::plan::check_text("<-c 1>", "AuthenticationMethod=Basic;User=ann");
/// let t = &report.targets[0];
/// assert!(t.plan.is_none());
/// assert_eq!(t.diagnostics[0].lint, "missing-required");
/// assert_eq!(t.diagnostics[0].key.as_deref(), Some("Password"));
/// ```
pub fn check_text(name: &str, text: &str) -> (Sources, Report) {
    let mut sources = Sources::default();
    let id = sources.add(name, None, text.to_owned());
    let report = Checker::without_odbc_ini().check(&mut sources, &[id]);
    (sources, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_secret_spans_are_the_serial_ones() {
        use std::fmt::Write as _;
        // Large enough for several threads; secrets of every kind, some
        // spanning what would be a chunk boundary in a smaller file.
        let mut text = String::from("[ODBC]\nPassword=top\n");
        for i in 0..20_000 {
            let _ = write!(
                text,
                "[d{i}]\nClientSecret=s{i}\nClientID=a RefreshToken=r{i}\n\
                 TokenURI=https://u:p{i}@h/t?client_secret=c{i}\nUser=u\n"
            );
        }
        let doc = parse_ini(&text);
        let serial = secret_spans(&doc);
        assert_eq!(serial.len(), 1 + 20_000 * 4);
        assert_eq!(ini_secret_spans(&doc), serial);
    }

    #[test]
    fn secret_spans_found_with_the_data_sources_are_the_whole_files() {
        use std::fmt::Write as _;
        // Secrets everywhere: before any header, in [ODBC], in repeated and
        // unselected data sources; large enough for several threads.
        let mut text = String::from("Password=before-any-header\n[ODBC]\nPassword=odbc-pw\n");
        for i in 0..crate::par::ITEMS_PER_THREAD * 3 {
            let _ = write!(
                text,
                "[d{i}]\nClientSecret=s{i}\nClientID=a RefreshToken=r{i}\n\
                 TokenURI=https://u:p{i}@h/t?client_secret=c{i}\n"
            );
            if i % 50 == 0 {
                let _ = write!(text, "[D{i}]\nPassword=repeated-{i}\n");
            }
        }
        let doc = parse_ini(&text);
        let whole = secret_spans(&doc);
        assert!(whole.len() > crate::par::ITEMS_PER_THREAD * 9);
        for dsns in [vec![], vec!["d7".to_owned(), "d1000".to_owned()]] {
            for retain in [Retain::Everything, Retain::Diagnostics] {
                let mut sources = Sources::default();
                let id = sources.add("odbc.ini", None, text.clone());
                let report = Checker::without_odbc_ini()
                    .dsns(dsns.clone())
                    .retain(retain)
                    .check(&mut sources, &[id]);
                assert_eq!(report.secrets[&id], whole, "{dsns:?} {retain:?}");
            }
        }
    }

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
