//! Where odbc.ini files are and which sections of them are data sources,
//! as unixODBC sees it (OPTIONS.md §6).
//!
//! The environment is read once into [`OdbcPaths`], a plain struct, so tests
//! (and embedders) can say exactly which files exist instead of depending on
//! the machine.

use std::path::PathBuf;

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
    !name.trim().is_empty()
        && !NON_DSN_SECTIONS
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name.trim()))
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
    /// How to name it in a message (its path).
    pub name: String,
    /// Its Unix permission bits, when known (for `world-readable-secret`).
    pub mode: Option<u32>,
}

impl<'a> IniFile<'a> {
    /// The index (into [`Document::sections`]) of the first data-source
    /// section named `dsn`, case-insensitively. Later sections of the same
    /// name are not read (unixODBC returns the first).
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
        let mut out: Vec<(usize, &'a str)> = Vec::new();
        for (i, s) in self.doc.sections().enumerate() {
            let name = s.name.slice(src);
            if is_dsn_section(name) && !out.iter().any(|(_, n)| n.eq_ignore_ascii_case(name)) {
                out.push((i, name));
            }
        }
        out
    }
}

/// Find `dsn` in `files` (most important first): the first file that defines
/// it wins whole, so a user DSN hides a system DSN of the same name with no
/// per-key merge. Returns the file and the section index.
pub fn find_dsn<'f, 'a>(files: &'f [IniFile<'a>], dsn: &str) -> Option<(&'f IniFile<'a>, usize)> {
    files.iter().find_map(|f| f.find_dsn(dsn).map(|i| (f, i)))
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
mod tests {
    use super::*;
    use crate::syntax::parse_ini;

    #[test]
    fn candidates_follow_unixodbc() {
        let p = OdbcPaths {
            odbcini: Some("/x/my.ini".into()),
            home: Some("/home/a".into()),
            odbcsysini: Some("/opt/etc".into()),
            ..Default::default()
        };
        assert_eq!(
            p.candidates(),
            [
                (IniScope::User, PathBuf::from("/x/my.ini")),
                (IniScope::System, PathBuf::from("/opt/etc/odbc.ini"))
            ]
        );
        let p = OdbcPaths {
            explicit: Some("/e.ini".into()),
            ..p
        };
        assert_eq!(
            p.candidates(),
            [(IniScope::Explicit, PathBuf::from("/e.ini"))]
        );
        let p = OdbcPaths::default();
        assert_eq!(
            p.candidates(),
            [(IniScope::System, PathBuf::from("/etc/odbc.ini"))]
        );
        let p = OdbcPaths {
            sysconfdir: Some("/usr/local/etc".into()),
            ..Default::default()
        };
        assert_eq!(
            p.candidates(),
            [(IniScope::System, PathBuf::from("/usr/local/etc/odbc.ini"))]
        );
    }

    #[test]
    fn dsn_sections() {
        let src = "[ODBC]\nTrace=no\n[ODBC Data Sources]\nsales=x\n[Sales]\na=1\n[odbc file dsn]\n[sales]\nb=2\n[hr]\n";
        let f = IniFile {
            doc: parse_ini(src),
            source: SourceId(0),
            scope: IniScope::User,
            name: "u".into(),
            mode: None,
        };
        assert_eq!(f.dsns(), [(2, "Sales"), (5, "hr")]);
        assert_eq!(f.find_dsn("SALES"), Some(2));
        assert_eq!(f.find_dsn("ODBC"), None);
        assert_eq!(f.find_dsn("nope"), None);
    }

    #[test]
    fn user_dsn_hides_system_dsn() {
        let user = "[a]\nx=1\n";
        let system = "[a]\ny=2\n[b]\nz=3\n";
        let files = [
            IniFile {
                doc: parse_ini(user),
                source: SourceId(0),
                scope: IniScope::User,
                name: "u".into(),
                mode: None,
            },
            IniFile {
                doc: parse_ini(system),
                source: SourceId(1),
                scope: IniScope::System,
                name: "s".into(),
                mode: None,
            },
        ];
        assert_eq!(
            find_dsn(&files, "a").map(|(f, i)| (f.source, i)),
            Some((SourceId(0), 0))
        );
        assert_eq!(
            find_dsn(&files, "B").map(|(f, i)| (f.source, i)),
            Some((SourceId(1), 1))
        );
        assert!(find_dsn(&files, "c").is_none());
    }
}
