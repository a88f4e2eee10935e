//! Where odbc.ini files are and which sections of them are data sources,
//! as unixODBC sees it (OPTIONS.md §6).
//!
//! The environment is read once into [`OdbcPaths`], a plain struct, so tests
//! (and embedders) can say exactly which files exist instead of depending on
//! the machine.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::SourceId;
use crate::syntax::{Document, Entry, Node, Section, Span};

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

/// Why unixODBC reads no data source at all from an odbc.ini: what its
/// first significant line is (see [`first_line_problem`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartProblem {
    /// The line starts with a UTF-8 byte order mark (`EF BB BF`), which
    /// unixODBC reads as three ordinary bytes.
    ByteOrderMark,
    /// A `[section]` header with blanks before its `[`.
    IndentedHeader,
    /// The rest of a comment longer than unixODBC's line buffer (999
    /// bytes), read as a line of its own.
    LongLine,
    /// An entry (`Key=value`), or any other text that is not a header.
    NotAHeader,
}

/// The first significant line of an odbc.ini when it makes unixODBC read no
/// data source from the file: what it is, and where (the line without its
/// line break; for [`StartProblem::LongLine`] the part past the cut).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BadStart {
    /// What the line is.
    pub problem: StartProblem,
    /// Where it is.
    pub span: Span,
}

/// unixODBC's line buffer (`fgets(line, INI_MAX_LINE, file)`, 1000 bytes):
/// at most 999 bytes are read as one line.
const FGETS_BYTES: usize = crate::syntax::INI_LINE_LIMIT - 1;

/// Whether unixODBC 2.3 reads no data source at all from odbc.ini text
/// `src`, and why.
///
/// unixODBC opens an ini file by skipping blank lines and comments (a first
/// non-blank `#` or `;`) until the first line whose **first byte** is `[`;
/// any other line first makes the whole file unreadable (`iniOpen` →
/// `_iniScanUntilObject` returns `INI_ERROR`), so not one of its sections is
/// a data source — `odbcinst -q -s` lists none, and connecting to any of
/// them fails with IM002. Lines are read 999 bytes at a time, so a longer
/// comment goes on as a line of its own. Measured with unixODBC 2.3.11,
/// user and system odbc.ini alike (`fixtures/odbc/differential/`).
///
/// ```
/// use connstr::options::{first_line_problem, StartProblem};
/// let ok = "# sales\n\n; more\n[sales]\nDriver=SQLite3\n";
/// assert_eq!(first_line_problem(ok), None);
/// let bom = "\u{feff}[sales]\nDriver=SQLite3\n";
/// assert_eq!(first_line_problem(bom).unwrap().problem, StartProblem::ByteOrderMark);
/// let indented = "# sales\n  [sales]\nDriver=SQLite3\n";
/// let bad = first_line_problem(indented).unwrap();
/// assert_eq!(bad.problem, StartProblem::IndentedHeader);
/// assert_eq!(bad.span.slice(indented), "  [sales]");
/// let entry = "Driver=SQLite3\n[sales]\n";
/// assert_eq!(first_line_problem(entry).unwrap().problem, StartProblem::NotAHeader);
/// // No header at all is no problem: the file simply has no data source.
/// assert_eq!(first_line_problem("# empty\n"), None);
/// ```
pub fn first_line_problem(src: &str) -> Option<BadStart> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let bytes = src.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let rest = &bytes[pos..];
        let line_len = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let read = line_len.min(FGETS_BYTES);
        let start = pos;
        pos += read;
        let chunk = &rest[..read];
        if chunk.first() == Some(&b'[') {
            return None;
        }
        // `iniAllTrim`: C `isspace` blanks on both sides.
        let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
        let Some(first) = chunk.iter().find(|b| !is_space(b)) else {
            continue;
        };
        if matches!(first, b'#' | b';') {
            continue;
        }
        let continued = start > 0 && bytes[start - 1] != b'\n';
        let problem = if chunk.starts_with(BOM) {
            StartProblem::ByteOrderMark
        } else if continued {
            StartProblem::LongLine
        } else if *first == b'[' {
            StartProblem::IndentedHeader
        } else {
            StartProblem::NotAHeader
        };
        // The physical line, without its line break; past the cut for the
        // rest of a long line (at a character boundary).
        let mut from = start;
        while !src.is_char_boundary(from) {
            from += 1;
        }
        let line_end = start + line_len;
        let mut to = line_end;
        while to > from && matches!(bytes[to - 1], b'\n' | b'\r') {
            to -= 1;
        }
        return Some(BadStart {
            problem,
            span: Span::new(from, to.max(from)),
        });
    }
    None
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

/// An odbc.ini indexed once, so that everything about one data source
/// (its entries, its syntax errors, its repeats, a lookup by name) costs time
/// proportional to that data source, not to the file.
///
/// ```
/// use connstr::options::IniIndex;
/// use connstr::syntax::parse_ini;
/// let doc = parse_ini("[ODBC]\nTrace=no\n[Sales]\nUID=a\n[hr]\nUID=b\n[SALES]\nUID=c\n");
/// let index = IniIndex::new(&doc);
/// assert_eq!(index.find_dsn(" sales "), Some(1));
/// assert_eq!(index.dsns().collect::<Vec<_>>(), [(1, "Sales"), (2, "hr")]);
/// assert_eq!(index.repeats_of(1), [3]);
/// let keys: Vec<_> = index.entries(&doc, 2).map(|e| e.key_str(doc.source())).collect();
/// assert_eq!(keys, ["UID"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct IniIndex<'a> {
    /// Per section: its header.
    headers: Vec<Section>,
    /// Per section: its name.
    names: Vec<&'a str>,
    /// Per section: the range of [`Document::nodes`] after its header, up to
    /// the next header.
    bodies: Vec<Range<usize>>,
    /// Per section: how many entries it holds.
    counts: Vec<u32>,
    /// Lowercased data-source name → the first section of that name (the
    /// name as written when it is lowercase already: no copy).
    first: HashMap<Cow<'a, str>, usize, foldhash::fast::RandomState>,
    /// The first section of each data-source name, in file order.
    dsns: Vec<usize>,
    /// Per section: later sections of the same data-source name (for the first).
    repeats: Vec<Vec<usize>>,
    /// Per section: indices into [`Document::errors`] of the errors in it.
    errors: Vec<Vec<usize>>,
    /// Indices into [`Document::errors`] of the errors in no data source:
    /// before the first section, or in `[ODBC]`-like sections.
    file_errors: Vec<usize>,
    /// Whether unixODBC reads no data source from the file at all
    /// ([`first_line_problem`]).
    invisible: bool,
}

impl<'a> IniIndex<'a> {
    /// Index `doc` (an odbc.ini): time per section, not per line (the
    /// parser recorded where the headers are).
    pub fn new(doc: &Document<'a>) -> Self {
        let src = doc.source();
        let nodes = doc.nodes();
        let at = doc.section_positions();
        let n = at.len();
        let mut index = IniIndex {
            headers: Vec::with_capacity(n),
            names: Vec::with_capacity(n),
            bodies: Vec::with_capacity(n),
            counts: Vec::with_capacity(n),
            first: HashMap::with_capacity_and_hasher(n, Default::default()),
            dsns: Vec::with_capacity(n),
            repeats: Vec::with_capacity(n),
            errors: Vec::with_capacity(n),
            file_errors: Vec::new(),
            invisible: first_line_problem(src).is_some(),
        };
        for (k, here) in at.iter().enumerate() {
            let s = &here.header;
            let end = at.get(k + 1).map_or(nodes.len(), |next| next.node);
            let i = index.headers.len();
            let name = s.name.slice(src);
            index.headers.push(*s);
            index.names.push(name);
            index.bodies.push(here.node + 1..end);
            index.counts.push(here.entries);
            index.repeats.push(Vec::new());
            index.errors.push(Vec::new());
            if is_dsn_section(name) {
                let key = if name.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(name.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(name)
                };
                match index.first.entry(key) {
                    std::collections::hash_map::Entry::Occupied(o) => {
                        let first = *o.get();
                        index.repeats[first].push(i);
                    }
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(i);
                        index.dsns.push(i);
                    }
                }
            }
        }
        // An error belongs to the last section starting at or before it.
        for (k, e) in doc.errors().iter().enumerate() {
            let owner = index
                .headers
                .partition_point(|h| h.span.start() <= e.span.start())
                .checked_sub(1);
            match owner {
                Some(i) if is_dsn_section(index.names[i]) => index.errors[i].push(k),
                _ => index.file_errors.push(k),
            }
        }
        index
    }

    /// How many sections the file has.
    pub fn len(&self) -> usize {
        self.headers.len()
    }

    /// Whether the file has no section.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    /// Whether unixODBC reads no data source at all from the file: its first
    /// significant line is not a `[section]` in column 1
    /// ([`first_line_problem`]). Its sections are still indexed, to be
    /// checked and to explain a lookup that unixODBC would fail.
    pub fn is_invisible(&self) -> bool {
        self.invisible
    }

    /// The first data-source section named `dsn` (trimmed, case-insensitive),
    /// as [`IniFile::find_dsn`] finds it.
    pub fn find_dsn(&self, dsn: &str) -> Option<usize> {
        let want = dsn.trim();
        if want.bytes().any(|b| b.is_ascii_uppercase()) {
            self.first.get(want.to_ascii_lowercase().as_str()).copied()
        } else {
            self.first.get(want).copied()
        }
    }

    /// The data sources: (section index, name) of the first section of each
    /// name, in file order, as [`IniFile::dsns`] lists them.
    pub fn dsns(&self) -> impl ExactSizeIterator<Item = (usize, &'a str)> + '_ {
        self.dsns.iter().map(|&i| (i, self.names[i]))
    }

    /// The header of section `section`.
    pub fn header(&self, section: usize) -> Option<Section> {
        self.headers.get(section).copied()
    }

    /// The name of section `section`.
    pub fn name(&self, section: usize) -> Option<&'a str> {
        self.names.get(section).copied()
    }

    /// The entries of section `section` of `doc` (the document this index
    /// was built from), in source order.
    pub fn entries<'d>(
        &self,
        doc: &'d Document<'_>,
        section: usize,
    ) -> impl Iterator<Item = &'d Entry> + 'd {
        let range = self.bodies.get(section).cloned().unwrap_or(0..0);
        doc.nodes()
            .get(range)
            .unwrap_or(&[])
            .iter()
            .filter_map(move |n| match n {
                Node::Entry(e) if e.section() == Some(section) => Some(e),
                _ => None,
            })
    }

    /// How many entries section `section` holds.
    pub fn entry_count(&self, section: usize) -> usize {
        self.counts.get(section).map_or(0, |&c| c as usize)
    }

    /// Later sections with the same name as data source `section` (which
    /// unixODBC does not read), in file order.
    pub fn repeats_of(&self, section: usize) -> &[usize] {
        self.repeats.get(section).map_or(&[], Vec::as_slice)
    }

    /// The syntax errors inside data-source section `section`, as indices
    /// into [`Document::errors`].
    pub fn errors_of(&self, section: usize) -> &[usize] {
        self.errors.get(section).map_or(&[], Vec::as_slice)
    }

    /// The syntax errors in no data source (before the first section, or in
    /// `[ODBC]`, `[ODBC Data Sources]`, `[ODBC File DSN]`), as indices into
    /// [`Document::errors`].
    pub fn file_errors(&self) -> &[usize] {
        &self.file_errors
    }
}

/// An [`IniFile`] with its [`IniIndex`], for resolving many DSNs against it.
#[derive(Clone, Debug)]
pub struct IndexedIni<'a> {
    /// The file.
    pub file: IniFile<'a>,
    /// Its index.
    pub index: IniIndex<'a>,
}

impl<'a> IndexedIni<'a> {
    /// Index `file`.
    pub fn new(file: IniFile<'a>) -> Self {
        let index = file.index();
        IndexedIni { file, index }
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
mod tests {
    use super::*;
    use crate::syntax::parse_ini;

    /// `src` parsed as odbc.ini number `id` of `scope`, named `name`.
    fn file<'a>(src: &'a str, id: u32, scope: IniScope, name: &str) -> IniFile<'a> {
        IniFile {
            doc: parse_ini(src),
            source: SourceId(id),
            scope,
            name: name.into(),
            mode: None,
        }
    }

    #[test]
    fn first_line_problems_follow_unixodbc() {
        use StartProblem as P;
        let problem =
            |src: &str| first_line_problem(src).map(|b| (b.problem, b.span.slice(src).to_owned()));
        for fine in [
            "",
            "[a]\n",
            "\n\r\n \t\x0b\x0c\n[a]",
            "# c\n; c\n  # indented comment\n\t; tab\r\n[a]\n",
            "[a\n",
            "# only comments\n",
            "[a]\n\u{feff}[b]\nnot=checked\n",
        ] {
            assert_eq!(problem(fine), None, "{fine:?}");
        }
        let bom = |s: &str| format!("\u{feff}{s}");
        assert_eq!(problem(&bom("[a]\n")), Some((P::ByteOrderMark, bom("[a]"))));
        assert_eq!(problem(&bom("\n[a]\n")), Some((P::ByteOrderMark, bom(""))));
        assert_eq!(
            problem(&bom("# c\n[a]")),
            Some((P::ByteOrderMark, bom("# c")))
        );
        assert_eq!(
            problem(&format!("# c\n{}", bom("[a]\r\n"))),
            Some((P::ByteOrderMark, bom("[a]")))
        );
        assert_eq!(
            problem("# c\n \t[a]\r\n"),
            Some((P::IndentedHeader, " \t[a]".into()))
        );
        assert_eq!(problem("K=v\n[a]\n"), Some((P::NotAHeader, "K=v".into())));
        assert_eq!(problem("\n=v\n[a]\n"), Some((P::NotAHeader, "=v".into())));
        assert_eq!(
            problem("noequals"),
            Some((P::NotAHeader, "noequals".into()))
        );
        // fgets(…, 1000): a 999-byte comment is read whole, a longer one in pieces.
        let comment = |n: usize| format!("#{}\n[a]\n", "x".repeat(n - 1));
        assert_eq!(problem(&comment(999)), None);
        assert_eq!(problem(&comment(1000)), Some((P::LongLine, "x".into())));
        assert_eq!(
            problem(&comment(1998)),
            Some((P::LongLine, "x".repeat(999)))
        );
        let rest_is_a_comment = format!("#{}# more\n[a]\n", "x".repeat(998));
        assert_eq!(problem(&rest_is_a_comment), None);
        // A cut inside a character: the span starts at the next one.
        let wide = format!("#{}é rest\n[a]\n", "x".repeat(997));
        assert_eq!(problem(&wide), Some((P::LongLine, " rest".into())));
    }

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
        let f = file(src, 0, IniScope::User, "u");
        assert_eq!(f.dsns(), [(2, "Sales"), (5, "hr")]);
        assert_eq!(f.find_dsn("SALES"), Some(2));
        assert_eq!(f.find_dsn("ODBC"), None);
        assert_eq!(f.find_dsn("nope"), None);
    }

    #[test]
    fn index_agrees_with_the_file_walks() {
        use crate::options::OptionSet;
        let src = "x=before\n[ODBC]\nTrace=no\n[ODBC Data Sources]\nsales=x\n[Sales]\na=1\nb=2\n\
                   [odbc file dsn]\nbad line\n[sales]\nb=2\nbroken\n[hr]\nUID=u\n[]\n[HR]\n[Ünï]\nk=v\n[ünï]\n";
        let f = file(src, 0, IniScope::User, "u");
        let index = f.index();
        assert_eq!(index.dsns().collect::<Vec<_>>(), f.dsns());
        for (i, s) in f.doc.sections().enumerate() {
            let name = s.name.slice(src);
            assert_eq!(index.find_dsn(name), f.find_dsn(name), "{name}");
            assert_eq!(
                index.find_dsn(&name.to_ascii_uppercase()),
                f.find_dsn(&name.to_ascii_uppercase())
            );
            assert_eq!(
                OptionSet::from_indexed_dsn(&f, &index, i),
                OptionSet::from_dsn(&f, i)
            );
        }
        assert_eq!(index.find_dsn("nope"), None);
        assert_eq!(index.repeats_of(2), [4]);
        assert_eq!(index.repeats_of(5), [7]);
        // `Ünï` and `ünï` differ beyond ASCII: unixODBC compares ASCII case only.
        assert_eq!(index.find_dsn("ünï"), Some(9));
        assert_eq!(index.errors_of(2), &[] as &[usize]);
        let text = |k: &usize| f.doc.errors()[*k].span.slice(src);
        assert_eq!(
            index.errors_of(4).iter().map(text).collect::<Vec<_>>(),
            ["broken"]
        );
        assert_eq!(
            index.file_errors().iter().map(text).collect::<Vec<_>>(),
            ["x=before", "bad line"]
        );
    }

    #[test]
    fn user_dsn_hides_system_dsn() {
        let user = "[a]\nx=1\n";
        let system = "[a]\ny=2\n[b]\nz=3\n";
        let files = [
            file(user, 0, IniScope::User, "u"),
            file(system, 1, IniScope::System, "s"),
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
