//! Where unixODBC keeps its files, and first-wins lookups in them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::syntax::{Document, Entry, Span, parse_ini};

/// The three files unixODBC reads, as its environment variables select them.
///
/// unixODBC 2.3's rules, checked against `odbcinst -j`:
///
/// * user DSNs: `$ODBCINI` when set and not empty, else `~/.odbc.ini`;
/// * system DSNs: `$ODBCSYSINI/odbc.ini`, else `/etc/odbc.ini` (Debian's
///   build-time directory);
/// * drivers: `$ODBCSYSINI/$ODBCINSTINI` — the name is joined to the directory
///   even when it is absolute, as unixODBC does — `odbcinst.ini` by default.
///
/// unixODBC finds the home directory through the password database, not
/// `$HOME`; connstr uses the home directory that the `dirs` crate reports,
/// which is `$HOME` when set. Set `$ODBCINI` when the two differ.
///
/// ```
/// use connstr::apply::odbc::OdbcPaths;
/// use std::path::PathBuf;
/// let vars = |k: &str| (k == "ODBCSYSINI").then(|| "/opt/odbc".into());
/// let p = OdbcPaths::from_vars(vars, Some(PathBuf::from("/home/me")));
/// assert_eq!(p.user_ini, Some(PathBuf::from("/home/me/.odbc.ini")));
/// assert_eq!(p.system_ini, PathBuf::from("/opt/odbc/odbc.ini"));
/// assert_eq!(p.odbcinst_ini, PathBuf::from("/opt/odbc/odbcinst.ini"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OdbcPaths {
    /// The user odbc.ini (`None` when there is no home directory and no `$ODBCINI`).
    pub user_ini: Option<PathBuf>,
    /// The system odbc.ini.
    pub system_ini: PathBuf,
    /// The odbcinst.ini listing the drivers.
    pub odbcinst_ini: PathBuf,
}

/// The system directory when `$ODBCSYSINI` is not set.
const DEFAULT_SYSTEM_DIR: &str = "/etc";

impl OdbcPaths {
    /// The files this process's environment selects.
    pub fn from_env() -> Self {
        Self::from_vars(|k| std::env::var_os(k), dirs::home_dir())
    }

    /// The files selected by the variables `var` returns and the home directory `home`.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>, home: Option<PathBuf>) -> Self {
        let set = |k: &str| var(k).filter(|v| !v.is_empty());
        let user_ini = match set("ODBCINI") {
            Some(p) => Some(PathBuf::from(p)),
            None => home.map(|h| h.join(".odbc.ini")),
        };
        let dir = set("ODBCSYSINI").unwrap_or_else(|| DEFAULT_SYSTEM_DIR.into());
        let mut system_ini = dir.clone();
        system_ini.push("/odbc.ini");
        // unixODBC concatenates `dir + "/" + name`, whatever the name is.
        let mut odbcinst_ini = dir;
        odbcinst_ini.push("/");
        odbcinst_ini.push(var("ODBCINSTINI").unwrap_or_else(|| "odbcinst.ini".into()));
        OdbcPaths {
            user_ini,
            system_ini: PathBuf::from(system_ini),
            odbcinst_ini: PathBuf::from(odbcinst_ini),
        }
    }
}

/// An ini file read from disk.
#[derive(Clone, Debug)]
pub struct IniFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

impl IniFile {
    /// Read `path`; `Ok(None)` when it does not exist (unixODBC treats a missing
    /// file as an empty one).
    pub fn read(path: &Path) -> std::io::Result<Option<IniFile>> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(IniFile {
                path: path.to_path_buf(),
                text: String::from_utf8_lossy(&bytes).into_owned(),
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
        if let Some(Some(slot)) = e.section.and_then(|i| by_index.get(i).copied()) {
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

/// A DSN as unixODBC resolves it: from the user file when it has a section of
/// that name, else from the system file. The user section hides the system one
/// entirely (no per-key merge).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DsnLookup {
    /// The file the section was found in.
    pub file: PathBuf,
    /// The section name as written there.
    pub name: String,
    /// 1-based line of the `[name]` header.
    pub line: usize,
    /// Each distinct key (case-insensitive) with its first value, in file order.
    pub values: Vec<(String, String)>,
}

impl DsnLookup {
    /// The value of `key` (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Find DSN `name` in the files of `paths`, user file first.
///
/// `Ok(None)` when neither file has it. Special sections (`[ODBC Data Sources]`,
/// `[ODBC]`) are looked up like any other, as unixODBC does.
pub fn lookup_dsn(paths: &OdbcPaths, name: &str) -> std::io::Result<Option<DsnLookup>> {
    let files = paths
        .user_ini
        .iter()
        .chain(std::iter::once(&paths.system_ini));
    for path in files {
        let Some(file) = IniFile::read(path)? else {
            continue;
        };
        let doc = file.parse();
        if let Some(section) = find_section(&doc, name) {
            return Ok(Some(dsn_from_section(&file, &doc, &section)));
        }
    }
    Ok(None)
}

/// Distinct keys with their first values, in order.
pub(crate) fn dsn_from_section(
    file: &IniFile,
    doc: &Document<'_>,
    s: &IniSection<'_>,
) -> DsnLookup {
    let src = doc.source();
    let mut values: Vec<(String, String)> = Vec::new();
    for e in &s.entries {
        let k = e.key_str(src);
        if !values.iter().any(|(seen, _)| seen.eq_ignore_ascii_case(k)) {
            values.push((k.to_owned(), e.value_str(src).into_owned()));
        }
    }
    DsnLookup {
        file: file.path.clone(),
        name: s.name.to_owned(),
        line: line_of(src, s.header.start),
        values,
    }
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
        let vars = |k: &str| match k {
            "ODBCSYSINI" => Some("/s".into()),
            "ODBCINSTINI" => Some("/abs/x.ini".into()),
            "ODBCINI" => Some("".into()),
            _ => None,
        };
        let p = OdbcPaths::from_vars(vars, None);
        assert_eq!(p.odbcinst_ini, PathBuf::from("/s//abs/x.ini"));
        assert_eq!(p.user_ini, None, "an empty $ODBCINI counts as unset");
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
        assert_eq!(line_of(src, a.header.start), 1);
        assert_eq!(find_section(&doc, "b").unwrap().entries.len(), 1);
    }
}
