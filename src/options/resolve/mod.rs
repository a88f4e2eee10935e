//! Resolution: the entries of parsed documents → an [`OptionSet`], each value
//! with its [`Origin`], duplicates and unknown keys kept for diagnostics.
//!
//! * A connection string or JDBC URL is one layer. Repeated keys: the first
//!   occurrence wins (Microsoft's rule), or the last with `last_wins`
//!   (unixODBC's driver manager and psqlODBC).
//! * A DSN section of odbc.ini is one layer; repeated keys: the first wins,
//!   always (unixODBC's `SQLGetPrivateProfileString` returns the first).
//! * `DSN=x` in a connection string puts x's section underneath the string's
//!   own entries: a key of the string overrides the same key of the DSN
//!   (OPTIONS.md §5). The DSN is looked up as unixODBC does ([`find_dsn`]).
//!
//! This file builds and queries the [`OptionSet`]; `occurrence.rs` holds what
//! it is made of ([`Occurrence`], [`Layer`]).

use std::cell::RefCell;
use std::sync::Arc;

mod occurrence;

use occurrence::{KeySecrecy, LayerText};
pub use occurrence::{Layer, Occurrence};

use super::Origin;
use crate::diagnostic::SourceId;
use crate::syntax::{Document, Entry, Form, Section, Span};

use super::catalog::{OptionSpec, resolve_key, resolve_key_secrecy};
use super::hidden::hidden_pairs;
use super::odbcini::{IndexedIni, IniFile, IniIndex, find_dsn, find_indexed_dsn};

/// The odbc.ini files `DSN=` is resolved against, indexed or not.
#[derive(Clone, Copy)]
enum Files<'f, 'a> {
    Plain(&'f [IniFile<'a>]),
    Indexed(&'f [IndexedIni<'a>]),
}

/// Whether `text` holds a line break (`\n` or `\r`).
pub(crate) fn has_line_break(text: &str) -> bool {
    memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_some()
}

/// Something resolution could not do as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveProblem {
    /// `DSN=x` names no data source in the files searched.
    UnknownDsn {
        /// The DSN name.
        name: String,
        /// Where `DSN=x` is.
        origin: Origin,
        /// The files searched (names), most important first.
        searched: Vec<String>,
        /// The closest DSN name that exists.
        suggestion: Option<String>,
    },
    /// DRIVER comes before DSN: the driver manager uses DRIVER and ignores DSN.
    DsnAfterDriver {
        /// Where `DSN=` is.
        dsn: Origin,
        /// Where `DRIVER=` is.
        driver: Origin,
    },
    /// DSN and FILEDSN together, which the driver manager refuses.
    DsnAndFileDsn {
        /// Where `DSN=` is.
        dsn: Origin,
        /// Where `FILEDSN=` is.
        filedsn: Origin,
    },
}

/// The options of one target, resolved: every occurrence of every key, in
/// layer order (lowest precedence first) then source order.
///
/// ```
/// use connstr::diagnostic::SourceId;
/// use connstr::options::OptionSet;
/// use connstr::syntax::parse_connection_string;
/// let doc = parse_connection_string("cid=a;ClientID=b;Colour=red");
/// let set = OptionSet::from_document(&doc, SourceId(0), false);
/// assert_eq!(set.value("ClientID"), Some("a"));
/// assert_eq!(set.occurrences_of("clientid").count(), 2);
/// assert_eq!(set.unknown().next().unwrap().key(), "Colour");
/// let set = OptionSet::from_document(&doc, SourceId(0), true);
/// assert_eq!(set.value("cid"), Some("b"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionSet {
    layers: Vec<Layer>,
    occurrences: Vec<Occurrence>,
    last_wins: bool,
    dsn: Option<Arc<str>>,
    anchor: (SourceId, Span),
    /// Per catalog row: 1 + the index of its winning occurrence (0: unset;
    /// see `spilled`).
    winners: [u16; WINNER_SLOTS],
    /// A winner's index did not fit the table (a set of 65,535 or more
    /// occurrences): [`OptionSet::get_spec`] searches instead.
    spilled: bool,
}

/// Catalog rows with a slot in [`OptionSet`]'s table of winners.
const WINNER_SLOTS: usize = 96;

/// An empty set: no layer, no option.
impl Default for OptionSet {
    fn default() -> Self {
        OptionSet::empty(false, (SourceId(0), Span::empty(0)))
    }
}

impl OptionSet {
    fn empty(last_wins: bool, anchor: (SourceId, Span)) -> Self {
        OptionSet {
            layers: Vec::new(),
            occurrences: Vec::new(),
            last_wins,
            dsn: None,
            anchor,
            winners: [0; WINNER_SLOTS],
            spilled: false,
        }
    }

    /// The options of a connection string or JDBC URL, with no DSN lookup
    /// (an odbc.ini gives an empty set: use [`OptionSet::from_dsn`]).
    /// `last_wins` picks the rule for repeated keys.
    pub fn from_document(doc: &Document<'_>, source: SourceId, last_wins: bool) -> Self {
        let mut set = OptionSet::empty(last_wins, (source, Span::empty(0)));
        let layer = Layer {
            source,
            form: doc.form(),
            section: None,
            section_span: None,
            scope: None,
            file_name: None,
            mode: None,
        };
        let keep = doc.form() != Form::Ini;
        set.push_layer(doc.source(), layer, doc.entries().filter(|_| keep));
        set.finish();
        set
    }

    /// The options of the DSN section number `section` (an index into
    /// [`Document::sections`]) of an odbc.ini. Repeated keys: the first wins.
    ///
    /// This walks the whole file once; to read many data sources of one
    /// file, index it once and use [`OptionSet::from_indexed_dsn`].
    pub fn from_dsn(file: &IniFile<'_>, section: usize) -> Self {
        let header = file.doc.sections().nth(section).copied();
        let entries = file
            .doc
            .entries()
            .filter(move |e| e.section() == Some(section));
        OptionSet::dsn_set(file, header, entries, 0)
    }

    /// [`OptionSet::from_dsn`] with the file's [`IniIndex`] (built from
    /// `file.doc`): time proportional to the data source, not to the file.
    ///
    /// ```
    /// use connstr::diagnostic::SourceId;
    /// use connstr::options::{IniFile, IniScope, OptionSet};
    /// use connstr::syntax::parse_ini;
    /// let file = IniFile {
    ///     doc: parse_ini("[a]\nUID=1\n[b]\nUID=2\nUID=3\n"),
    ///     source: SourceId(0),
    ///     scope: IniScope::Explicit,
    ///     name: "odbc.ini".into(),
    ///     mode: None,
    /// };
    /// let index = file.index();
    /// let set = OptionSet::from_indexed_dsn(&file, &index, index.find_dsn("B").unwrap());
    /// assert_eq!(set.value("User"), Some("2"));
    /// assert_eq!(set, OptionSet::from_dsn(&file, 1));
    /// ```
    pub fn from_indexed_dsn(file: &IniFile<'_>, index: &IniIndex<'_>, section: usize) -> Self {
        OptionSet::dsn_set(
            file,
            index.header(section),
            index.entries(&file.doc, section),
            index.entry_count(section),
        )
    }

    fn dsn_set<'e>(
        file: &IniFile<'_>,
        header: Option<Section>,
        entries: impl Iterator<Item = &'e Entry>,
        count: usize,
    ) -> Self {
        let anchor = header.map_or(Span::empty(0), |h| h.name);
        let mut set = OptionSet::empty(false, (file.source, anchor));
        set.occurrences.reserve_exact(count);
        // One layer (a first push would make room for four).
        set.layers.reserve_exact(1);
        set.push_dsn_layer(file, header, entries);
        set.dsn = set.layers.first().and_then(|l| l.section.clone());
        set.finish();
        set
    }

    /// The options of a connection string or JDBC URL with its `DSN=`
    /// resolved against `files` (most important first; see
    /// [`OdbcPaths::candidates`](super::OdbcPaths::candidates)): the DSN's
    /// entries underneath, the string's own on top.
    ///
    /// Each call walks the files; to resolve many strings against the same
    /// files, index them once and use [`OptionSet::resolve_indexed`].
    ///
    /// ```
    /// use connstr::diagnostic::SourceId;
    /// use connstr::options::{IniFile, IniScope, OptionSet};
    /// use connstr::syntax::{parse_connection_string, parse_ini};
    /// let ini = IniFile {
    ///     doc: parse_ini("[sales]\nClientID=from-dsn\nScope=a b\n"),
    ///     source: SourceId(1),
    ///     scope: IniScope::User,
    ///     name: "~/.odbc.ini".into(),
    ///     mode: None,
    /// };
    /// let doc = parse_connection_string("DSN=Sales;ClientID=mine");
    /// let (set, problems) = OptionSet::resolve(&doc, SourceId(0), &[ini], false);
    /// assert!(problems.is_empty());
    /// assert_eq!(set.dsn(), Some("sales"));
    /// assert_eq!(set.value("ClientID"), Some("mine"));
    /// assert_eq!(set.value("Scope"), Some("a b"));
    /// ```
    pub fn resolve(
        doc: &Document<'_>,
        source: SourceId,
        files: &[IniFile<'_>],
        last_wins: bool,
    ) -> (Self, Vec<ResolveProblem>) {
        OptionSet::resolve_in(doc, source, Files::Plain(files), last_wins)
    }

    /// [`OptionSet::resolve`] against indexed files: the DSN is found by a
    /// hash lookup and only its own entries are read.
    pub fn resolve_indexed(
        doc: &Document<'_>,
        source: SourceId,
        files: &[IndexedIni<'_>],
        last_wins: bool,
    ) -> (Self, Vec<ResolveProblem>) {
        OptionSet::resolve_in(doc, source, Files::Indexed(files), last_wins)
    }

    fn resolve_in(
        doc: &Document<'_>,
        source: SourceId,
        files: Files<'_, '_>,
        last_wins: bool,
    ) -> (Self, Vec<ResolveProblem>) {
        let own = OptionSet::from_document(doc, source, last_wins);
        let mut problems = Vec::new();
        let first = |name: &str| own.occurrences.iter().find(|o| o.name() == name);
        let (dsn, driver, filedsn) = (first("DSN"), first("DRIVER"), first("FILEDSN"));
        if let (Some(d), Some(f)) = (dsn, filedsn) {
            problems.push(ResolveProblem::DsnAndFileDsn {
                dsn: d.origin(),
                filedsn: f.origin(),
            });
        }
        let dsn = match (dsn, driver) {
            (Some(d), Some(dr)) if dr.entry.span.start() < d.entry.span.start() => {
                problems.push(ResolveProblem::DsnAfterDriver {
                    dsn: d.origin(),
                    driver: dr.origin(),
                });
                None
            }
            (Some(d), _) => own.get("DSN").or(Some(d)),
            (None, _) => None,
        };
        let Some(dsn) = dsn.filter(|d| !d.value().trim().is_empty()) else {
            return (own, problems);
        };
        // A missing `;` after the name must not drag the next pair (maybe a
        // secret) into the name: cut at the first hidden pair or line break.
        let mut name = dsn.value();
        if let Some(h) = dsn.hidden.first() {
            let cut = h.key.start().saturating_sub(dsn.entry.value.start());
            name = name.get(..cut).unwrap_or(name);
        }
        let name = name
            .split(['\r', '\n'])
            .next()
            .unwrap_or("")
            .trim()
            .to_owned();
        if name.is_empty() {
            return (own, problems);
        }
        let mut set = OptionSet::empty(last_wins, own.anchor);
        set.layers.reserve_exact(1 + own.layers.len());
        let found = match files {
            Files::Plain(files) => find_dsn(files, &name).map(|(file, section)| {
                let header = file.doc.sections().nth(section).copied();
                let entries = file
                    .doc
                    .entries()
                    .filter(move |e| e.section() == Some(section));
                set.push_dsn_layer(file, header, entries);
            }),
            Files::Indexed(files) => find_indexed_dsn(files, &name).map(|(f, section)| {
                set.occurrences
                    .reserve_exact(f.index.entry_count(section) + own.occurrences.len());
                let entries = f.index.entries(&f.file.doc, section);
                set.push_dsn_layer(&f.file, f.index.header(section), entries);
            }),
        };
        if found.is_none() {
            let all: Vec<&str> = match files {
                Files::Plain(files) => files
                    .iter()
                    .flat_map(|f| f.dsns())
                    .map(|(_, n)| n)
                    .collect(),
                Files::Indexed(files) => files
                    .iter()
                    .flat_map(|f| f.index.dsns())
                    .map(|(_, n)| n)
                    .collect(),
            };
            let suggestion =
                super::catalog::best_match(&name, all.iter().map(|n| (*n, *n))).map(str::to_owned);
            let searched = match files {
                Files::Plain(files) => files.iter().map(|f| f.name.to_string()).collect(),
                Files::Indexed(files) => files.iter().map(|f| f.file.name.to_string()).collect(),
            };
            problems.push(ResolveProblem::UnknownDsn {
                name,
                origin: dsn.origin(),
                searched,
                suggestion,
            });
            return (own, problems);
        }
        let dsn_name = set.layers.first().and_then(|l| l.section.clone());
        let shift = set.layers.len();
        set.layers.extend(own.layers);
        set.occurrences
            .extend(own.occurrences.into_iter().map(|mut o| {
                o.layer += shift;
                o
            }));
        set.dsn = dsn_name;
        set.finish();
        (set, problems)
    }

    fn push_dsn_layer<'e>(
        &mut self,
        file: &IniFile<'_>,
        header: Option<Section>,
        entries: impl Iterator<Item = &'e Entry>,
    ) {
        let src = file.doc.source();
        let layer = Layer {
            source: file.source,
            form: file.doc.form(),
            section: header.map(|h| h.name.slice(src).into()),
            section_span: header.map(|h| h.span),
            scope: Some(file.scope),
            file_name: Some(Arc::clone(&file.name)),
            mode: file.mode,
        };
        self.push_layer(src, layer, entries);
    }

    fn push_layer<'e>(
        &mut self,
        src: &str,
        layer: Layer,
        entries: impl Iterator<Item = &'e Entry>,
    ) {
        /// Scratch room kept between calls, up to this many bytes.
        const KEEP: usize = 64 << 10;
        thread_local! {
            /// Where a layer's keys and values are gathered before the one
            /// exact-size allocation that holds them.
            static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
        }
        let index = self.layers.len();
        let first = self.occurrences.len();
        let shared: Arc<LayerText> = SCRATCH.with_borrow_mut(|text| {
            text.clear();
            for entry in entries {
                let key = entry.key_str(src);
                let (matched, profile_secret) = match resolve_key_secrecy(key) {
                    Some((m, secret)) => (Some(m), secret),
                    None => (None, false),
                };
                let key_start = text.len();
                text.push_str(key);
                let value_start = text.len();
                text.push_str(&entry.value_str(src));
                self.occurrences.push(Occurrence {
                    spec: matched.map(|m| m.spec),
                    matched_by: matched.map(|m| m.by),
                    shared: None,
                    key_start,
                    value_start,
                    value_end: text.len(),
                    entry: *entry,
                    source: layer.source,
                    layer: index,
                    wins: false,
                    hidden: hidden_pairs(src, entry).into_boxed_slice(),
                    key_secrecy: match matched {
                        Some(_) => KeySecrecy::known(profile_secret),
                        None => KeySecrecy::of(key, None),
                    },
                });
            }
            let shared = Arc::new(LayerText {
                text: Box::from(text.as_str()),
                section: layer.section.clone(),
            });
            if text.capacity() > KEEP {
                *text = String::new();
            }
            shared
        });
        for o in self.occurrences.iter_mut().skip(first) {
            o.shared = Some(Arc::clone(&shared));
        }
        self.layers.push(layer);
    }

    /// Mark the winning occurrence of every known option: in the highest
    /// layer that sets it, the first occurrence (or the last, for a
    /// connection string under `last_wins`).
    fn finish(&mut self) {
        self.winners = [0; WINNER_SLOTS];
        self.spilled = false;
        // Per slot: 1 + the index of the best occurrence so far (0: none),
        // in full width (a set may have more occurrences than a slot holds).
        let mut best = [0u32; WINNER_SLOTS];
        let mut spill: Vec<&'static str> = Vec::new();
        for i in 0..self.occurrences.len() {
            let o = &self.occurrences[i];
            let Some(spec) = o.spec else { continue };
            let Some(k) = spec.index().filter(|&k| k < WINNER_SLOTS) else {
                spill.push(spec.name);
                continue;
            };
            let better = match best[k].checked_sub(1) {
                None => true,
                Some(held) => {
                    let held_layer = self.occurrences[held as usize].layer;
                    let last = self.last_wins
                        && self
                            .layers
                            .get(o.layer)
                            .is_some_and(|l| l.form != Form::Ini);
                    o.layer > held_layer || (o.layer == held_layer && last)
                }
            };
            if better {
                best[k] = u32::try_from(i + 1).unwrap_or(u32::MAX);
            }
        }
        // Each occurrence is told whether it won, and the table filled, in
        // one more pass over the occurrences (not over every slot).
        for i in 0..self.occurrences.len() {
            let o = &mut self.occurrences[i];
            let slot = o.spec.and_then(|s| s.index()).filter(|&k| k < WINNER_SLOTS);
            o.wins = slot.is_some_and(|k| best[k] as usize == i + 1);
            if let Some(k) = slot.filter(|_| o.wins) {
                match u16::try_from(best[k]) {
                    Ok(v) => self.winners[k] = v,
                    Err(_) => self.spilled = true,
                }
            }
        }
        // Rows outside the table (never in practice): the slow way.
        for name in spill {
            if let Some(i) = self.winner_index(name) {
                self.occurrences[i].wins = true;
            }
        }
    }

    fn winner_index(&self, canonical: &str) -> Option<usize> {
        let of = |o: &Occurrence| o.spec.is_some_and(|s| s.name == canonical);
        let top = self
            .occurrences
            .iter()
            .filter(|o| of(o))
            .map(|o| o.layer)
            .max()?;
        let last = self.last_wins && self.layers.get(top).is_some_and(|l| l.form != Form::Ini);
        let mut candidates = self
            .occurrences
            .iter()
            .enumerate()
            .filter(|(_, o)| of(o) && o.layer == top)
            .map(|(i, _)| i);
        if last {
            candidates.next_back()
        } else {
            candidates.next()
        }
    }

    /// The occurrence used for option `name` (canonical name, short name or
    /// alias, any case), if it is set.
    pub fn get(&self, name: &str) -> Option<&Occurrence> {
        self.get_spec(resolve_key(name)?.spec)
    }

    /// The occurrence used for option `spec`, if it is set.
    pub fn get_spec(&self, spec: &OptionSpec) -> Option<&Occurrence> {
        match spec.index().filter(|&k| k < WINNER_SLOTS && !self.spilled) {
            Some(k) => match self.winners[k] {
                0 => None,
                i => self.occurrences.get(i as usize - 1),
            },
            None => self
                .occurrences
                .iter()
                .find(|o| o.wins && o.spec.is_some_and(|s| s.name == spec.name)),
        }
    }

    /// The decoded value used for option `name`, if it is set. May be a secret.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(Occurrence::value)
    }

    /// Every occurrence of option `name`, winning or not, in layer then source order.
    pub fn occurrences_of<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s Occurrence> + 's {
        let spec = resolve_key(name).map(|m| m.spec.name);
        self.occurrences
            .iter()
            .filter(move |o| spec.is_some() && o.spec.map(|s| s.name) == spec)
    }

    /// Every occurrence, in layer then source order.
    pub fn all(&self) -> &[Occurrence] {
        &self.occurrences
    }

    /// The winning occurrence of every known option that is set.
    pub fn winners(&self) -> impl Iterator<Item = &Occurrence> {
        self.occurrences.iter().filter(|o| o.wins)
    }

    /// Occurrences of keys the catalog does not know.
    pub fn unknown(&self) -> impl Iterator<Item = &Occurrence> {
        self.occurrences.iter().filter(|o| o.spec.is_none())
    }

    /// The layers, lowest precedence first.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Whether repeated keys of a connection string resolve to the last occurrence.
    pub fn last_wins(&self) -> bool {
        self.last_wins
    }

    /// The DSN the options came from, if any.
    pub fn dsn(&self) -> Option<&str> {
        self.dsn.as_deref()
    }

    /// [`OptionSet::dsn`], shared.
    pub(crate) fn dsn_shared(&self) -> Option<&Arc<str>> {
        self.dsn.as_ref()
    }

    /// Where to point a diagnostic about the target as a whole: a DSN's
    /// section name, or the start of a connection string.
    pub fn anchor(&self) -> (SourceId, Span) {
        self.anchor
    }
}

#[cfg(test)]
mod tests;
