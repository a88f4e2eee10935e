//! Where unixODBC keeps its files, and first-wins lookups in them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::options::{IniScope, OdbcPaths};
use crate::syntax::{Document, Entry, Span, parse_ini};

/// The files the driver manager reads: the odbc.ini files as
/// [`options::OdbcPaths`](crate::options::OdbcPaths) finds them, plus the
/// odbcinst.ini that lists the drivers.
///
/// unixODBC 2.3's rules, checked against `odbcinst -j`:
///
/// * user DSNs: `$ODBCINI` when set and not empty, else `~/.odbc.ini`;
/// * system DSNs: `$ODBCSYSINI/odbc.ini`, else `/etc/odbc.ini` (Debian's
///   build-time directory);
/// * drivers: `$ODBCSYSINI/$ODBCINSTINI`, `odbcinst.ini` by default. The name
///   is joined to the directory as text, even when it is absolute
///   (`ODBCINSTINI=/x.ini` reads `$ODBCSYSINI//x.ini`), as unixODBC does.
///
/// unixODBC finds the home directory through the password database, not
/// `$HOME`; connstr uses the `dirs` crate, which prefers `$HOME`. Set
/// `$ODBCINI` when the two differ.
///
/// ```
/// use connstr::apply::odbc::DriverManagerFiles;
/// use connstr::options::OdbcPaths;
/// use std::path::PathBuf;
/// let paths = OdbcPaths { odbcsysini: Some("/opt/odbc".into()), home: Some("/home/me".into()), ..OdbcPaths::default() };
/// let f = DriverManagerFiles::new(&paths, None);
/// assert_eq!(f.user_ini, Some(PathBuf::from("/home/me/.odbc.ini")));
/// assert_eq!(f.system_ini, PathBuf::from("/opt/odbc/odbc.ini"));
/// assert_eq!(f.odbcinst_ini, PathBuf::from("/opt/odbc/odbcinst.ini"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DriverManagerFiles {
    /// The user odbc.ini (`None` when there is no home directory and no `$ODBCINI`).
    pub user_ini: Option<PathBuf>,
    /// The system odbc.ini.
    pub system_ini: PathBuf,
    /// The odbcinst.ini listing the drivers.
    pub odbcinst_ini: PathBuf,
}

/// The system directory when `$ODBCSYSINI` is not set.
const DEFAULT_SYSTEM_DIR: &str = "/etc";

impl DriverManagerFiles {
    /// The files this process's environment selects.
    pub fn from_env() -> Self {
        Self::new(&OdbcPaths::from_env(), std::env::var_os("ODBCINSTINI"))
    }

    /// The files `paths` selects, with `odbcinstini` the value of `$ODBCINSTINI`.
    /// `paths.explicit` is ignored: the driver manager knows nothing of it.
    pub fn new(paths: &OdbcPaths, odbcinstini: Option<OsString>) -> Self {
        let implicit = OdbcPaths {
            explicit: None,
            ..paths.clone()
        };
        let mut user_ini = None;
        let mut system_ini = PathBuf::from(DEFAULT_SYSTEM_DIR).join("odbc.ini");
        for (scope, path) in implicit.candidates() {
            match scope {
                IniScope::User => user_ini = Some(path),
                IniScope::System => system_ini = path,
                IniScope::Explicit => {}
            }
        }
        let dir: OsString = paths
            .odbcsysini
            .clone()
            .or_else(|| paths.sysconfdir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SYSTEM_DIR))
            .into();
        // unixODBC writes `dir + "/" + name`, whatever the name is.
        let mut odbcinst_ini = dir;
        odbcinst_ini.push("/");
        odbcinst_ini.push(odbcinstini.unwrap_or_else(|| "odbcinst.ini".into()));
        DriverManagerFiles {
            user_ini,
            system_ini,
            odbcinst_ini: PathBuf::from(odbcinst_ini),
        }
    }
}

/// An ini file read from disk.
#[derive(Clone, Debug)]
pub(crate) struct IniText {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

impl IniText {
    /// Read `path`; `Ok(None)` when it does not exist (unixODBC treats a missing
    /// file as an empty one).
    pub fn read(path: &Path) -> std::io::Result<Option<IniText>> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(IniText {
                path: path.to_path_buf(),
                // Bytes, not text: same length, so spans are the file's.
                text: crate::syntax::Lossless::decode(bytes).into_text(),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The parsed file.
    pub fn parse(&self) -> Document<'_> {
        parse_ini(&self.text)
    }
}

/// One section of a parsed ini file as unixODBC sees it: the first section of
/// that name (case-insensitive); later sections of the same name are invisible.
#[derive(Clone, Debug)]
pub struct IniSection<'d> {
    /// The section's index in [`Document::sections`].
    pub index: usize,
    /// The name as written.
    pub name: &'d str,
    /// The `[name]` header.
    pub header: Span,
    /// Its entries, in order, duplicates kept.
    pub entries: Vec<&'d Entry>,
    source_text: &'d str,
}

impl<'d> IniSection<'d> {
    /// The first entry whose key matches `key` (case-insensitive), as unixODBC's
    /// `SQLGetPrivateProfileString` returns it.
    pub fn get(&self, key: &str) -> Option<&'d Entry> {
        self.entries
            .iter()
            .copied()
            .find(|e| e.key.slice(self.source()).eq_ignore_ascii_case(key))
    }

    /// The text of the file the section is in.
    pub fn source(&self) -> &'d str {
        self.source_text
    }
}

/// The visible sections of `doc`, in order: the first of each name
/// (case-insensitive), each with its entries.
pub fn sections<'d>(doc: &'d Document<'d>) -> Vec<IniSection<'d>> {
    let src = doc.source();
    let mut out: Vec<IniSection<'d>> = Vec::new();
    let mut by_index: Vec<Option<usize>> = Vec::new();
    for (i, s) in doc.sections().enumerate() {
        let name = s.name.slice(src);
        if out.iter().any(|o| o.name.eq_ignore_ascii_case(name)) {
            by_index.push(None);
            continue;
        }
        by_index.push(Some(out.len()));
        out.push(IniSection {
            index: i,
            name,
            header: s.span,
            entries: Vec::new(),
            source_text: src,
        });
    }
    for e in doc.entries() {
        if let Some(Some(slot)) = e.section().and_then(|i| by_index.get(i).copied()) {
            out[slot].entries.push(e);
        }
    }
    out
}

/// The visible section named `name` (case-insensitive), if any.
pub fn find_section<'d>(doc: &'d Document<'d>, name: &str) -> Option<IniSection<'d>> {
    sections(doc)
        .into_iter()
        .find(|s| s.name.eq_ignore_ascii_case(name.trim()))
}

/// 1-based line number of byte `offset` in `src`.
pub(crate) fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odbcinstini_name_is_joined_even_when_absolute() {
        let paths = OdbcPaths {
            odbcsysini: Some("/s".into()),
            odbcini: Some("/u/odbc.ini".into()),
            ..OdbcPaths::default()
        };
        let f = DriverManagerFiles::new(&paths, Some("/abs/x.ini".into()));
        assert_eq!(f.odbcinst_ini, PathBuf::from("/s//abs/x.ini"));
        assert_eq!(f.user_ini, Some(PathBuf::from("/u/odbc.ini")));
        assert_eq!(f.system_ini, PathBuf::from("/s/odbc.ini"));
    }

    #[test]
    fn first_section_and_first_key_win() {
        let src = "[a]\nK=1\nk=2\n[A]\nK=3\nJ=4\n[b]\nK=5\n";
        let doc = parse_ini(src);
        let all = sections(&doc);
        assert_eq!(all.len(), 2);
        let a = find_section(&doc, "A").unwrap();
        assert_eq!(a.get("k").unwrap().value_str(src), "1");
        assert!(a.get("J").is_none(), "a repeated section is invisible");
        assert_eq!(line_of(src, a.header.start()), 1);
        assert_eq!(find_section(&doc, "b").unwrap().entries.len(), 1);
    }
}
