//! An odbc.ini indexed once ([`IniIndex`]): its data sources by name, each
//! section's entries, syntax errors and repeats, so that everything about
//! one data source costs time proportional to it, not to the file.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use crate::syntax::{Document, Entry, Node, Section};

use super::{IniFile, first_line_problem, is_dsn_section};

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
        let want = crate::text::trim(dsn);
        if want.bytes().any(|b| b.is_ascii_uppercase()) {
            // Lowercased on the stack: `[ODBC Data Sources]` looks up every
            // data source of a large file by its name.
            crate::options::memo::with_lowercase(want, |w| self.first.get(w).copied())
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
