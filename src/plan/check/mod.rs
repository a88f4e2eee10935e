//! The whole pipeline for one run: inputs → targets → plans and diagnostics.
//!
//! [`Checker`] is the entry point for the CLI (`check`, `explain`, `redact`)
//! and for embedders: register the texts in a [`Sources`], hand their ids to
//! [`Checker::check`], and get a [`Report`] with one [`Target`] per thing that
//! can be connected to — each connection string or JDBC URL, and each data
//! source (DSN section) of an odbc.ini — with its resolved options, its plan
//! when valid, and its diagnostics.
//!
//! This file holds what a run gives back ([`Report`], [`Target`],
//! [`Retain`]) and the [`Checker`] builder. The run itself is split by what
//! it checks:
//!
//! * `pipeline.rs` — [`Checker::check`] / [`Checker::check_forms`]: telling
//!   the inputs' forms apart, reading the odbc.ini files `DSN=` resolves
//!   against, handing each input to the right checker, `--dsn` lookups, and
//!   non-UTF-8 bytes;
//! * `ini.rs` — an odbc.ini input: each data source (DSN section) as a
//!   target, and the file-level problems;
//! * `strings.rs` — a connection string or JDBC URL as a target, and how its
//!   driver is recognised;
//! * `secrets.rs` — where an odbc.ini's secret values are, for renderers to
//!   mask;
//! * `odbcinst.rs` — where the odbcinst.ini that names the drivers is read
//!   from;
//! * `odbcinst_file.rs` — an odbcinst.ini given as an input: its driver
//!   sections judged, none of them a target.
//!
//! The lints themselves live one per file in [`super::lints`].

mod ini;
mod odbcinst;
mod odbcinst_file;
mod pipeline;
mod secrets;
mod strings;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, Severity, SourceId, Sources};
use crate::options::{OdbcPaths, OptionSet, file_mode};
use crate::syntax::Span;

use super::model::{ModelCache, ModelDir, ModelFile};
use super::recognise::OdbcinstDrivers;
use super::types::AuthPlan;
use crate::options::drivers::Recognition;
use odbcinst::OdbcinstFrom;

pub use odbcinst_file::{is_odbcinst, is_odbcinst_name};
pub use pipeline::{detect_form, parse_as};

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
}

/// The Model file the set's RESTConfigFile names.
fn model_of(models: &ModelCache, set: &OptionSet) -> Option<std::sync::Arc<ModelFile>> {
    let o = set.get("RESTConfigFile")?;
    models.get(o.value())
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
