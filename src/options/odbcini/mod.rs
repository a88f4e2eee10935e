//! Where odbc.ini files are and which sections of them are data sources,
//! as unixODBC sees it (OPTIONS.md §6).
//!
//! The environment is read once into [`OdbcPaths`], a plain struct, so tests
//! (and embedders) can say exactly which files exist instead of depending on
//! the machine.
//!
//! This file holds which files there are ([`OdbcPaths`], [`IniScope`],
//! [`IniFile`]) and how a DSN is found in them ([`find_dsn`]); `start.rs`
//! unixODBC's rule for a file it reads no data source from
//! ([`first_line_problem`]); `index.rs` an odbc.ini indexed once for many
//! lookups ([`IniIndex`], [`IndexedIni`]).

mod index;
mod start;

pub use index::{IndexedIni, IniIndex};
pub use start::{BadStart, StartProblem, first_line_problem};

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::SourceId;
use crate::syntax::Document;

/// Sections of odbc.ini that are not data sources.
pub const NON_DSN_SECTIONS: &[&str] = &["ODBC", "ODBC Data Sources", "ODBC File DSN"];

/// Whether an odbc.ini section named `name` is a data source (not `[ODBC]`,
/// `[ODBC Data Sources]` or `[ODBC File DSN]`; case-insensitive).
///
/// ```
/// use connstr::options::is_dsn_section;
/// assert!(is_dsn_section("sales"));
/// assert!(!is_dsn_section("odbc data sources"));
/// ```
pub fn is_dsn_section(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty()
        && !NON_DSN_SECTIONS
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
}

/// Which odbc.ini a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IniScope {
    /// Given explicitly (`--ini FILE`).
    Explicit,
    /// The user's: `$ODBCINI` or `~/.odbc.ini`.
    User,
    /// The system's: `$ODBCSYSINI/odbc.ini` or `/etc/odbc.ini`.
    System,
}

/// The inputs of unixODBC's odbc.ini search, taken from the environment by
/// [`OdbcPaths::from_env`] or set by hand.
///
/// ```
/// use connstr::options::{IniScope, OdbcPaths};
/// use std::path::PathBuf;
/// let paths = OdbcPaths {
///     home: Some(PathBuf::from("/home/ann")),
///     ..OdbcPaths::default()
/// };
/// assert_eq!(
///     paths.candidates(),
///     [
///         (IniScope::User, PathBuf::from("/home/ann/.odbc.ini")),
///         (IniScope::System, PathBuf::from("/etc/odbc.ini")),
///     ]
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OdbcPaths {
    /// An odbc.ini given explicitly: when set, the only file searched.
    pub explicit: Option<PathBuf>,
    /// `$ODBCINI`: the user's odbc.ini.
    pub odbcini: Option<PathBuf>,
    /// The home directory, for `~/.odbc.ini` when `$ODBCINI` is unset.
    pub home: Option<PathBuf>,
    /// `$ODBCSYSINI`: the directory holding the system odbc.ini.
    pub odbcsysini: Option<PathBuf>,
    /// The system directory when `$ODBCSYSINI` is unset (`/etc` when `None`).
    pub sysconfdir: Option<PathBuf>,
}

impl OdbcPaths {
    /// Read `$ODBCINI`, `$ODBCSYSINI` and the home directory.
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        OdbcPaths {
            explicit: None,
            odbcini: var("ODBCINI"),
            home: dirs::home_dir(),
            odbcsysini: var("ODBCSYSINI"),
            sysconfdir: None,
        }
    }

    /// The files to search for a DSN, most important first: the explicit file
    /// alone when given; else the user's file then the system's.
    pub fn candidates(&self) -> Vec<(IniScope, PathBuf)> {
        if let Some(p) = &self.explicit {
            return vec![(IniScope::Explicit, p.clone())];
        }
        let mut out = Vec::with_capacity(2);
        if let Some(p) = &self.odbcini {
            out.push((IniScope::User, p.clone()));
        } else if let Some(home) = &self.home {
            out.push((IniScope::User, home.join(".odbc.ini")));
        }
        let sysdir = self
            .odbcsysini
            .clone()
            .or_else(|| self.sysconfdir.clone())
            .unwrap_or_else(|| PathBuf::from("/etc"));
        out.push((IniScope::System, sysdir.join("odbc.ini")));
        out
    }
}

/// A parsed odbc.ini file to resolve DSNs against.
#[derive(Clone, Debug)]
pub struct IniFile<'a> {
    /// The parsed file.
    pub doc: Document<'a>,
    /// Its source id.
    pub source: SourceId,
    /// Which file it is.
    pub scope: IniScope,
    /// How to name it in a message (its path). Shared by the [`Layer`]s of
    /// its data sources.
    ///
    /// [`Layer`]: super::Layer
    pub name: Arc<str>,
    /// Its Unix permission bits, when known (for `world-readable-secret`).
    pub mode: Option<u32>,
}

impl<'a> IniFile<'a> {
    /// The index (into [`Document::sections`]) of the first data-source
    /// section named `dsn`, case-insensitively. Later sections of the same
    /// name are not read (unixODBC returns the first). One pass over the
    /// file: to look up many names, build an [`IniIndex`] once.
    pub fn find_dsn(&self, dsn: &str) -> Option<usize> {
        let want = dsn.trim();
        self.doc.sections().position(|s| {
            let name = s.name.slice(self.doc.source());
            name.eq_ignore_ascii_case(want) && is_dsn_section(name)
        })
    }

    /// The data sources of the file: (section index, name) of the first
    /// section of each name, in file order.
    pub fn dsns(&self) -> Vec<(usize, &'a str)> {
        let src = self.doc.source();
        let mut seen = HashSet::new();
        self.doc
            .sections()
            .enumerate()
            .map(|(i, s)| (i, s.name.slice(src)))
            .filter(|(_, name)| is_dsn_section(name) && seen.insert(name.to_ascii_lowercase()))
            .collect()
    }

    /// Build the [`IniIndex`] of this file (one pass over it).
    pub fn index(&self) -> IniIndex<'a> {
        IniIndex::new(&self.doc)
    }
}

/// Find `dsn` in `files` (most important first) as unixODBC does: the first
/// file that defines it wins whole, so a user DSN hides a system DSN of the
/// same name with no per-key merge. Returns the file and the section index.
///
/// A file unixODBC reads no data source from ([`first_line_problem`]) hides
/// nothing: a DSN defined both in such a user odbc.ini and in the system one
/// is the system one, as `isql` and `SQLDriverConnect` connect to it
/// (measured with unixODBC 2.3.11, `fixtures/odbc/differential/`). Such a
/// file is searched last, only so that a DSN found nowhere else (which
/// unixODBC fails with IM002) can be reported with the reason
/// (`invisible-data-sources`).
///
/// ```
/// use connstr::diagnostic::SourceId;
/// use connstr::options::{IniFile, IniScope, find_dsn};
/// use connstr::syntax::parse_ini;
/// let file = |text, id, scope| IniFile {
///     doc: parse_ini(text),
///     source: SourceId(id),
///     scope,
///     name: "odbc.ini".into(),
///     mode: None,
/// };
/// let files = [
///     // An entry before the first header: unixODBC sees no data source here.
///     file("Driver=SQLite3\n[sales]\nDatabase=user.db\n[mine]\n", 1, IniScope::User),
///     file("[sales]\nDatabase=system.db\n", 2, IniScope::System),
/// ];
/// assert_eq!(find_dsn(&files, "sales").map(|(f, i)| (f.source, i)), Some((SourceId(2), 0)));
/// assert_eq!(find_dsn(&files, "mine").map(|(f, i)| (f.source, i)), Some((SourceId(1), 1)));
/// ```
pub fn find_dsn<'f, 'a>(files: &'f [IniFile<'a>], dsn: &str) -> Option<(&'f IniFile<'a>, usize)> {
    let invisible = |f: &&IniFile<'_>| first_line_problem(f.doc.source()).is_some();
    let seen = files.iter().filter(|f| !invisible(f));
    let unseen = files.iter().filter(invisible);
    seen.chain(unseen)
        .find_map(|f| f.find_dsn(dsn).map(|i| (f, i)))
}

/// [`find_dsn`] over indexed files: the same order (files unixODBC reads no
/// data source from last), a hash lookup per file.
pub fn find_indexed_dsn<'f, 'a>(
    files: &'f [IndexedIni<'a>],
    dsn: &str,
) -> Option<(&'f IndexedIni<'a>, usize)> {
    let seen = files.iter().filter(|f| !f.index.is_invisible());
    let unseen = files.iter().filter(|f| f.index.is_invisible());
    seen.chain(unseen)
        .find_map(|f| f.index.find_dsn(dsn).map(|i| (f, i)))
}

/// The Unix permission bits of the file at `path`, when it can be read
/// (`None` on other systems).
pub fn file_mode(path: &std::path::Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests;
