//! Which driver profile judges each target (DRIVERS.md §9): the driver a
//! data source, connection string or JDBC URL names, found the way unixODBC
//! finds it, or a guess from its keys, or Autonomous REST when nothing
//! names a driver. The profiles themselves are data
//! ([`crate::options::drivers`]); this is only how a target is matched to
//! one.
//!
//! Order, first answer wins:
//!
//! 1. a JDBC URL: its subprotocol (`jdbc:datadirect:autorest:`, OEM prefixes);
//! 2. `Driver=`: an odbcinst.ini section of that name (its `Driver64`, then
//!    `Driver` library), a library path or file name, a registered driver
//!    name (`PostgreSQL Unicode`);
//! 3. the data source's description in `[ODBC Data Sources]`, read like a
//!    `Driver=` value;
//! 4. a tell-tale key only one driver uses (a guess, said to be one);
//! 5. a driver named but not placed, and no tell-tale: no profile (only the
//!    driver-independent checks); nothing named at all: Autonomous REST.
//!
//! Recognition runs once per target, so it must be cheap on a 25,000-DSN
//! odbc.ini: the answer for each `Driver=` value is remembered
//! ([`Recogniser`]), odbcinst.ini is read once per run.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::options::drivers::{
    Profile, RecognisedBy, Recognition, by_driver_name, by_jdbc, by_library, by_telltale,
};
use crate::options::{IndexedIni, OptionSet};
use crate::syntax::{Document, parse_ini};

/// The driver sections of one or more odbcinst.ini files: name → library.
///
/// ```
/// use connstr::plan::OdbcinstDrivers;
/// let inst = OdbcinstDrivers::parse(
///     "odbcinst.ini",
///     "[ODBC]\nTrace=No\n[PostgreSQL Unicode]\nDriver=/usr/lib/psqlodbcw.so\n\
///      Driver64=/usr/lib64/psqlodbcw.so\n",
/// );
/// let (name, lib) = inst.find("postgresql unicode").unwrap();
/// assert_eq!((name, lib), ("PostgreSQL Unicode", Some("/usr/lib64/psqlodbcw.so")));
/// assert!(inst.find("ODBC").is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OdbcinstDrivers {
    /// The driver sections, first section of a name first.
    sections: Vec<DriverSection>,
}

/// (section name, library, file name).
type DriverSection = (Box<str>, Option<Box<str>>, Arc<str>);

/// odbcinst.ini sections that are not drivers.
const NOT_DRIVERS: &[&str] = &["ODBC", "ODBC Drivers"];

impl OdbcinstDrivers {
    /// The driver sections of odbcinst.ini text `text` (named `file` in
    /// messages). A section's library is its first `Driver64` (unixODBC on
    /// 64-bit builds), else its first `Driver`.
    pub fn parse(file: &str, text: &str) -> Self {
        let mut out = OdbcinstDrivers::default();
        out.add(file, text);
        out
    }

    /// Add the sections of another file, after those known (a name already
    /// known keeps its first definition: the system file before the
    /// user's, as unixODBC reads them).
    pub fn add(&mut self, file: &str, text: &str) {
        let doc: Document<'_> = parse_ini(text);
        let src = doc.source();
        let file: Arc<str> = Arc::from(file);
        let headers: Vec<_> = doc.sections().copied().collect();
        let mut libs: Vec<(Option<&str>, Option<&str>)> = vec![(None, None); headers.len()];
        for e in doc.entries() {
            let Some(i) = e.section() else { continue };
            let Some(slot) = libs.get_mut(i) else {
                continue;
            };
            let key = e.key_str(src).trim();
            let value = e.raw_value.slice(src).trim();
            if key.eq_ignore_ascii_case("Driver64") && slot.0.is_none() && !value.is_empty() {
                slot.0 = Some(value);
            } else if key.eq_ignore_ascii_case("Driver") && slot.1.is_none() && !value.is_empty() {
                slot.1 = Some(value);
            }
        }
        for (h, (lib64, lib)) in headers.iter().zip(libs) {
            let name = h.name.slice(src).trim();
            if name.is_empty()
                || NOT_DRIVERS.iter().any(|n| n.eq_ignore_ascii_case(name))
                || self.find(name).is_some()
            {
                continue;
            }
            self.sections
                .push((name.into(), lib64.or(lib).map(Box::from), Arc::clone(&file)));
        }
    }

    /// The section named `name` (trimmed, any case): its name as written
    /// and its library.
    pub fn find(&self, name: &str) -> Option<(&str, Option<&str>)> {
        self.find_full(name).map(|(n, l, _)| (n, l))
    }

    fn find_full(&self, name: &str) -> Option<(&str, Option<&str>, &Arc<str>)> {
        let name = name.trim();
        self.sections
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            .map(|(n, l, f)| (&**n, l.as_deref(), f))
    }

    /// Whether no driver section is known.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// Read the files `paths` (most important first), skipping those that
    /// do not exist or cannot be read as text.
    pub fn read(paths: &[PathBuf]) -> Self {
        let mut out = OdbcinstDrivers::default();
        for p in paths {
            if let Ok(text) = std::fs::read_to_string(p) {
                out.add(&p.display().to_string(), &text);
            }
        }
        out
    }

    /// Where unixODBC looks for odbcinst.ini, as this process's environment
    /// says: `$ODBCSYSINI` (else `/etc`) joined with `$ODBCINSTINI` (else
    /// `odbcinst.ini`), then the user's `~/.odbcinst.ini`.
    pub fn machine_paths() -> Vec<PathBuf> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let dir = var("ODBCSYSINI").unwrap_or_else(|| "/etc".into());
        let mut sys = dir;
        // unixODBC joins the two as text, even when the name is absolute.
        sys.push("/");
        sys.push(var("ODBCINSTINI").unwrap_or_else(|| "odbcinst.ini".into()));
        let mut out = vec![PathBuf::from(sys)];
        if let Some(home) = dirs::home_dir() {
            out.push(home.join(".odbcinst.ini"));
        }
        out
    }
}

/// Matches targets to profiles, remembering the answer for each `Driver=`
/// value (a large odbc.ini names the same few drivers thousands of times).
/// Not `Default`: each recogniser needs its own id (see [`Recogniser::new`]).
#[derive(Debug)]
pub(crate) struct Recogniser {
    odbcinst: OdbcinstDrivers,
    /// Which recogniser this is, for the per-thread memo of its answers
    /// (unique for the process: an address could be reused).
    id: u64,
}

thread_local! {
    /// `Driver=` answers per recogniser id and value, per thread: no lock,
    /// and each answer's `Arc` touched by one thread only (the data sources
    /// of a large odbc.ini are checked on several threads at once).
    static MEMO: RefCell<HashMap<u64, HashMap<Box<str>, Recognition>>> =
        RefCell::new(HashMap::new());
}

/// How many recognisers' tables a thread keeps at most.
const MEMO_TABLES: usize = 8;

impl Drop for Recogniser {
    /// Its answers are forgotten on this thread (the threads that checked
    /// data sources with it have ended).
    fn drop(&mut self) {
        let _ = MEMO.try_with(|memo| {
            if let Ok(mut memo) = memo.try_borrow_mut() {
                memo.remove(&self.id);
            }
        });
    }
}

/// How many `Driver=` answers are kept (distinct values; real files have a
/// handful).
const MEMO_CAP: usize = 1024;

impl Recogniser {
    pub(crate) fn new(odbcinst: OdbcinstDrivers) -> Self {
        /// The next recogniser's id.
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Recogniser {
            odbcinst,
            id: NEXT.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The profile of a target whose options are `set`; `jdbc` is a JDBC
    /// URL's `subprotocol:driver`, `listed` the data source's description
    /// in `[ODBC Data Sources]` (asked for only when no driver is named).
    pub(crate) fn target<'d>(
        &self,
        set: &OptionSet,
        jdbc: Option<&str>,
        listed: impl FnOnce() -> Option<&'d str>,
    ) -> Recognition {
        if let Some(sub) = jdbc {
            let profile = by_jdbc(sub);
            return Recognition {
                profile,
                from: RecognisedBy::Jdbc,
                detail: match profile {
                    Some(p) => format!("jdbc:{sub}: is {}", p.name),
                    None => format!("jdbc:{sub}: no profile for this driver"),
                }
                .into(),
            };
        }
        if let Some(d) = set.get("DRIVER") {
            let value = d.value().trim();
            if !value.is_empty() {
                let r = self.driver_value(value);
                if r.profile.is_some() || r.from != RecognisedBy::DriverName {
                    return r;
                }
                // A name connstr cannot place: a tell-tale key may still
                // say which driver it is.
                return match telltale(set) {
                    Some((p, key)) => Recognition {
                        profile: Some(p),
                        from: RecognisedBy::Telltale,
                        detail: format!(
                            "Driver={value} is not a driver connstr knows, but `{key}` is a {} key (a guess)",
                            p.name
                        )
                        .into(),
                    },
                    None => r,
                };
            }
        }
        if let Some(desc) = listed().map(str::trim).filter(|d| !d.is_empty()) {
            let r = self.driver_value(desc);
            if let Some(p) = r.profile {
                return Recognition {
                    profile: Some(p),
                    from: RecognisedBy::DataSources,
                    detail: format!("[ODBC Data Sources] lists it as `{desc}`: {}", r.detail)
                        .into(),
                };
            }
        }
        match telltale(set) {
            Some((p, key)) => Recognition {
                profile: Some(p),
                from: RecognisedBy::Telltale,
                detail: format!("no driver named; `{key}` is a {} key (a guess)", p.name).into(),
            },
            None => Recognition::default_autorest(),
        }
    }

    /// What a `Driver=` value (or an `[ODBC Data Sources]` description)
    /// names, remembered. A name matched nowhere comes back with no profile
    /// and [`RecognisedBy::DriverName`].
    pub(crate) fn driver_value(&self, value: &str) -> Recognition {
        let hit = MEMO.with_borrow(|memo| memo.get(&self.id)?.get(value).cloned());
        if let Some(r) = hit {
            return r;
        }
        let r = self.work_out(value);
        MEMO.with_borrow_mut(|memo| {
            // Tables of recognisers dropped on another thread: not kept.
            if memo.len() >= MEMO_TABLES && !memo.contains_key(&self.id) {
                memo.clear();
            }
            let mine = memo.entry(self.id).or_default();
            if mine.len() >= MEMO_CAP {
                mine.clear();
            }
            mine.insert(value.into(), r.clone());
        });
        r
    }

    fn work_out(&self, value: &str) -> Recognition {
        let name = value
            .strip_prefix('{')
            .and_then(|v| v.strip_suffix('}'))
            .unwrap_or(value)
            .trim();
        if let Some((section, lib, file)) = self.odbcinst.find_full(name) {
            let by_lib = lib.and_then(by_library);
            let profile = by_lib.or_else(|| by_driver_name(section));
            let detail = match (lib, profile) {
                (Some(lib), Some(p)) => {
                    format!(
                        "Driver={value}: [{section}] in {file} loads {lib}, {}",
                        p.name
                    )
                }
                (Some(lib), None) => format!(
                    "Driver={value}: [{section}] in {file} loads {lib}, a driver connstr has no profile for"
                ),
                (None, Some(p)) => format!(
                    "Driver={value}: [{section}] in {file} names no library; the name is {}'s",
                    p.name
                ),
                (None, None) => format!(
                    "Driver={value}: [{section}] in {file} names no library, and connstr has no profile for that name"
                ),
            };
            return Recognition {
                profile,
                from: RecognisedBy::Odbcinst,
                detail: detail.into(),
            };
        }
        if looks_like_library(name) {
            let profile = by_library(name);
            return Recognition {
                profile,
                from: RecognisedBy::Library,
                detail: match profile {
                    Some(p) => format!("Driver={value}: the library of {}", p.name),
                    None => format!("Driver={value}: a library connstr has no profile for"),
                }
                .into(),
            };
        }
        let profile = by_driver_name(name);
        Recognition {
            profile,
            from: RecognisedBy::DriverName,
            detail: match profile {
                Some(p) => format!("Driver={value}: a driver name of {}", p.name),
                None => format!(
                    "Driver={value}: no odbcinst.ini section or driver connstr knows has that name"
                ),
            }
            .into(),
        }
    }
}

/// The first key of `set` that only one driver uses. A key Autonomous
/// REST reads too (`ValidateServerCertificate`, `EncryptionMethod`) is no
/// evidence against it, the default: it counts only for Autonomous REST.
fn telltale(set: &OptionSet) -> Option<(&'static Profile, &str)> {
    set.all().iter().find_map(|o| {
        let (p, key) = by_telltale([o.key()])?;
        (p.is_autorest() || o.spec.is_none()).then_some((p, key))
    })
}

/// Whether a `Driver=` value is a library rather than a registered name: a
/// path, or a file name ending like a shared library.
fn looks_like_library(name: &str) -> bool {
    if name.contains(['/', '\\']) {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".so")
        || lower.ends_with(".dylib")
        || lower.ends_with(".dll")
        || lower.contains(".so.")
}

/// The `[ODBC Data Sources]` descriptions of an odbc.ini: data-source name
/// (lowercase) → description. Built once per file, only when a data source
/// names no driver.
#[derive(Debug, Default)]
pub(crate) struct DataSourceList<'a> {
    by_name: HashMap<Box<str>, &'a str, foldhash::fast::RandomState>,
}

impl<'a> DataSourceList<'a> {
    pub(crate) fn of(ini: &IndexedIni<'a>) -> Self {
        let mut by_name: HashMap<Box<str>, &'a str, foldhash::fast::RandomState> =
            HashMap::default();
        let doc = &ini.file.doc;
        let src: &'a str = doc.source();
        for i in 0..ini.index.len() {
            if !ini
                .index
                .name(i)
                .is_some_and(|n| n.trim().eq_ignore_ascii_case("ODBC Data Sources"))
            {
                continue;
            }
            for e in ini.index.entries(doc, i) {
                let key = e.key_str(src).trim().to_ascii_lowercase();
                by_name
                    .entry(key.into_boxed_str())
                    .or_insert_with(|| e.raw_value.slice(src));
            }
        }
        DataSourceList { by_name }
    }

    /// The description of data source `name` (any case).
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        if self.by_name.is_empty() {
            return None;
        }
        let name = name.trim();
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            self.by_name
                .get(name.to_ascii_lowercase().as_str())
                .copied()
        } else {
            self.by_name.get(name).copied()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceId;
    use crate::syntax::parse_connection_string;

    fn set_of(text: &str) -> OptionSet {
        OptionSet::from_document(&parse_connection_string(text), SourceId(0), false)
    }

    #[test]
    fn a_driver_is_found_through_odbcinst_then_by_library_then_by_name() {
        let inst = OdbcinstDrivers::parse(
            "/etc/odbcinst.ini",
            "[ODBC Drivers]\nPG=Installed\n[PG]\nDriver=/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so\n\
             [FreeTDS]\nDriver=/usr/lib/libtdsodbc.so\n[SQLite3]\nDescription=x\n",
        );
        let r = Recogniser::new(inst);
        let pg = r.target(&set_of("DRIVER={pg};Servername=h"), None, || None);
        assert_eq!(
            (pg.id(), pg.from),
            (Some("psqlodbc"), RecognisedBy::Odbcinst)
        );
        assert!(pg.detail.contains("psqlodbcw.so"), "{}", pg.detail);
        let tds = r.target(&set_of("Driver=FreeTDS;Server=h"), None, || None);
        assert_eq!((tds.id(), tds.from), (None, RecognisedBy::Odbcinst));
        // A section with no library: its name decides.
        let lite = r.target(&set_of("Driver=SQLite3"), None, || None);
        assert_eq!(lite.id(), Some("sqlite"));
        let path = r.target(&set_of("Driver=/opt/lib/libsqlite3odbc.so"), None, || None);
        assert_eq!(
            (path.id(), path.from),
            (Some("sqlite"), RecognisedBy::Library)
        );
        let name = r.target(&set_of("Driver={PostgreSQL ANSI}"), None, || None);
        assert_eq!(
            (name.id(), name.from),
            (Some("psqlodbc"), RecognisedBy::DriverName)
        );
        // Remembered: the same answer again.
        assert_eq!(r.driver_value("{pg}"), r.driver_value("{pg}"));
    }

    #[test]
    fn without_a_driver_the_list_then_telltales_then_autorest() {
        let r = Recogniser::new(OdbcinstDrivers::default());
        let listed = r.target(&set_of("Database=x"), None, || Some("PostgreSQL Unicode"));
        assert_eq!(
            (listed.id(), listed.from),
            (Some("psqlodbc"), RecognisedBy::DataSources)
        );
        let guess = r.target(&set_of("Database=x;StepAPI=1"), None, || None);
        assert_eq!(
            (guess.id(), guess.from),
            (Some("sqlite"), RecognisedBy::Telltale)
        );
        let none = r.target(&set_of("ClientID=a"), None, || None);
        assert_eq!(none, Recognition::default_autorest());
        // Keys Autonomous REST reads too are no evidence against it.
        let arc = r.target(
            &set_of("ValidateServerCertificate=0;IANAAppCodePage=106"),
            None,
            || None,
        );
        assert_eq!(arc, Recognition::default_autorest());
        // A driver named but unknown, no tell-tale: no profile.
        let tds = r.target(&set_of("Driver={FreeTDS};TDS_Version=7.4"), None, || None);
        assert_eq!((tds.id(), tds.from), (None, RecognisedBy::DriverName));
        // …with a tell-tale: a guess.
        let guess = r.target(&set_of("Driver=mine;pqopt={}"), None, || None);
        assert_eq!(guess.id(), Some("psqlodbc"));
    }

    #[test]
    fn jdbc_subprotocols() {
        let r = Recogniser::new(OdbcinstDrivers::default());
        let arc = r.target(&set_of(""), Some("datadirect:autorest"), || None);
        assert_eq!((arc.id(), arc.from), (Some("autorest"), RecognisedBy::Jdbc));
        let oem = r.target(&set_of(""), Some("acme:autorest"), || None);
        assert_eq!(oem.id(), Some("autorest"));
    }
}
