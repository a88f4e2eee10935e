//! Driver profiles: what each ODBC driver family reads, as data.
//!
//! A real odbc.ini mixes drivers: a PostgreSQL DSN beside a MySQL one beside
//! an Autonomous REST one. Each data source is judged by the catalog of *its
//! own* driver, found the way unixODBC finds the driver
//! (DRIVERS.md §9): a [`Profile`] is that catalog — the driver's keywords
//! ([`OptionSpec`] rows: names, short names and aliases, value types and
//! allowed values, defaults, secrets) — with what recognises the driver
//! ([`Recognise`]: library file names, registered driver names, JDBC
//! subprotocols, tell-tale keys).
//!
//! # Layout
//!
//! ```text
//! src/options/drivers/mod.rs          this registry: Profile, Recognise, PROFILES, recognition
//! src/options/drivers/<driver>.rs     one driver family: `pub(super) static PROFILE: Profile`
//! fixtures/drivers/<driver>/          real-shaped files of that driver (expected output beside)
//! ```
//!
//! # Adding a driver
//!
//! 1. Write `src/options/drivers/<driver>.rs` with its `PROFILE` (see
//!    `sqlite.rs` for a small one): every keyword as an [`OptionSpec`] row,
//!    secrets marked, obsolete keys listed, and how to recognise it.
//! 2. Add `mod <driver>;` and `&<driver>::PROFILE` to [`PROFILES`] (before
//!    any profile whose patterns would also match it).
//! 3. Add `fixtures/drivers/<driver>/` with at least three files shaped like
//!    real ones.

use std::cell::RefCell;
use std::sync::{Arc, LazyLock};

use super::catalog::{MatchedBy, OptionSpec};
use super::memo::{Memo, Shared, remember};

mod autorest;
mod databricks;
mod datadirect;
mod manager;
mod mssql;
mod mysql;
mod odbcinst;
mod psqlodbc;
mod rows;
mod snowflake;
mod sqlite;

/// One driver family's catalog and how to recognise it.
#[derive(Debug)]
pub struct Profile {
    /// Stable id (`psqlodbc`): `connstr options --driver ID`, JSON output.
    pub id: &'static str,
    /// Human name (`psqlODBC (PostgreSQL)`).
    pub name: &'static str,
    /// Other names accepted by `--driver` (`postgres`, `postgresql`).
    pub aliases: &'static [&'static str],
    /// Every keyword the driver reads, driver-manager keys included.
    pub options: &'static [OptionSpec],
    /// Keys the driver still accepts but no longer uses: reported as
    /// obsolete, not unknown.
    pub obsolete: &'static [&'static str],
    /// How the driver is recognised.
    pub recognise: Recognise,
    /// Where the facts come from (DRIVERS.md section, driver version).
    pub source: &'static str,
}

/// Profiles are statics: one is equal only to itself.
impl PartialEq for Profile {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Profile {}

/// What identifies a driver. Patterns are lowercase; `*` matches any run of
/// characters (also none); a pattern without `*` must match the whole name.
#[derive(Debug, Default)]
pub struct Recognise {
    /// Library file base names (`libmyodbc*w.so`, `psqlodbc*.so`).
    pub libraries: &'static [&'static str],
    /// Driver names as registered in odbcinst.ini or `[ODBC Data Sources]`
    /// (`mysql odbc * driver`, `postgresql*`).
    pub driver_names: &'static [&'static str],
    /// JDBC subprotocols after `jdbc:` (`datadirect:autorest`).
    pub jdbc: &'static [&'static str],
    /// Keys (any case) that only this driver uses: the low-confidence
    /// fallback when no driver is named.
    pub telltale: &'static [&'static str],
}

/// Every driver profile, in recognition order (the first match wins).
pub static PROFILES: &[&Profile] = &[
    &autorest::PROFILE,
    &datadirect::PROFILE,
    &psqlodbc::PROFILE,
    &sqlite::PROFILE,
    &mysql::PROFILE,
    &mssql::PROFILE,
    &snowflake::PROFILE,
    &databricks::PROFILE,
];

/// The driver manager's keys: every data source and connection string may
/// hold them whatever its driver (DRIVERS.md §1.1, §1.2). A key of the
/// target's own profile comes first ([`Profile::known`]).
pub static MANAGER: &Profile = &manager::PROFILE;

/// Profiles of sections that are not data sources: odbcinst.ini driver
/// sections (DRIVERS.md §1.3) and the `[ODBC]` sections (§1.4). Listed by
/// `connstr options --driver`, never recognised as a data source's driver.
pub static SECTIONS: &[&Profile] = &[&odbcinst::PROFILE, &odbcinst::ODBC_SECTION];

/// Every profile: the drivers ([`PROFILES`]), the driver manager
/// ([`MANAGER`]) and the non-data-source sections ([`SECTIONS`]).
///
/// ```
/// let ids: Vec<_> = connstr::options::drivers::all().map(|p| p.id).collect();
/// assert!(ids.contains(&"autorest") && ids.contains(&"manager") && ids.contains(&"odbcinst"));
/// ```
pub fn all() -> impl Iterator<Item = &'static Profile> {
    PROFILES
        .iter()
        .copied()
        .chain(std::iter::once(MANAGER))
        .chain(SECTIONS.iter().copied())
}

impl Profile {
    /// The option named `key` (any case; canonical, short name or alias),
    /// with how it matched. Only this profile's own rows: see
    /// [`Profile::known`] for the driver manager's keys too.
    ///
    /// ```
    /// use connstr::options::drivers::profile;
    /// let arc = profile("autorest").unwrap();
    /// assert_eq!(arc.resolve_key("cid").unwrap().0.name, "ClientID");
    /// let pg = profile("psqlodbc").unwrap();
    /// assert_eq!(pg.resolve_key(" a0 ").unwrap().0.name, "ReadOnly");
    /// ```
    pub fn resolve_key(&self, key: &str) -> Option<(&'static OptionSpec, MatchedBy)> {
        index_of(self).get(crate::text::trim(key))
    }

    /// [`Profile::resolve_key`] without how it matched.
    pub fn lookup(&self, key: &str) -> Option<&'static OptionSpec> {
        self.resolve_key(key).map(|(s, _)| s)
    }

    /// The option named `key` in this profile or, failing that, among the
    /// driver manager's keys ([`MANAGER`]): what a data source of this
    /// driver may hold. `None`: unknown to this driver.
    ///
    /// ```
    /// use connstr::options::drivers::profile;
    /// let pg = profile("postgresql").unwrap();
    /// assert_eq!(pg.known("Servername").unwrap().name, "Servername");
    /// assert_eq!(pg.known("DMConnAttr").unwrap().name, "DMConnAttr");
    /// assert!(pg.known("Databse").is_none());
    /// ```
    pub fn known(&self, key: &str) -> Option<&'static OptionSpec> {
        self.lookup(key).or_else(|| {
            (!std::ptr::eq(self, MANAGER))
                .then(|| MANAGER.lookup(key))
                .flatten()
        })
    }

    /// Whether `key` is one of this driver's obsolete keys.
    ///
    /// ```
    /// let pg = connstr::options::drivers::profile("psqlodbc").unwrap();
    /// assert!(pg.is_obsolete("ksqo") && !pg.is_obsolete("Servername"));
    /// ```
    pub fn is_obsolete(&self, key: &str) -> bool {
        if self.obsolete.is_empty() {
            return false;
        }
        let key = crate::text::trim(key);
        self.obsolete.iter().any(|o| o.eq_ignore_ascii_case(key))
    }

    /// A did-you-mean for a key this driver does not know: the canonical
    /// name of the closest of its names (and the driver manager's), when
    /// close enough. Answers are remembered per thread: real files repeat
    /// the same typo in many data sources.
    ///
    /// ```
    /// let pg = connstr::options::drivers::profile("psqlodbc").unwrap();
    /// assert_eq!(pg.suggest("Databse"), Some("Database"));
    /// assert_eq!(pg.suggest("Frobnicate"), None);
    /// ```
    pub fn suggest(&self, key: &str) -> Option<&'static str> {
        thread_local! {
            static MEMO: RefCell<Memo<Option<&'static str>>> = RefCell::new(Memo::default());
        }
        let key = key.trim();
        if key.is_empty() {
            return None;
        }
        static SHARED: Shared<Option<&'static str>> = Shared::new();
        remember(
            &MEMO,
            &SHARED,
            self as *const Profile as usize,
            key,
            |word| {
                let own = index_of(self).names.iter();
                let manager = (!std::ptr::eq(self, MANAGER))
                    .then(|| index_of(MANAGER).names.iter())
                    .into_iter()
                    .flatten();
                super::best_match(word, own.chain(manager).map(|(n, s)| (*n, s.name)))
            },
        )
    }

    /// Whether this is the Autonomous REST profile: the one whose targets
    /// get an auth plan (and its lints).
    pub fn is_autorest(&self) -> bool {
        std::ptr::eq(self, &autorest::PROFILE)
    }
}

/// The Autonomous REST profile: what a target with no driver named and no
/// tell-tale key is judged by (the product's own connection strings).
pub fn autorest() -> &'static Profile {
    &autorest::PROFILE
}

/// The profile with this id or alias (any case): a driver, the driver
/// manager (`manager`), or a section profile (`odbcinst`, `odbc`).
///
/// ```
/// assert_eq!(connstr::options::drivers::profile("AutoREST").unwrap().id, "autorest");
/// assert_eq!(connstr::options::drivers::profile("PostgreSQL").unwrap().id, "psqlodbc");
/// assert!(connstr::options::drivers::profile("nonesuch").is_none());
/// ```
pub fn profile(id: &str) -> Option<&'static Profile> {
    let id = id.trim();
    all().find(|p| {
        p.id.eq_ignore_ascii_case(id) || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    })
}

/// Whether `key` (any case) is a secret option in any profile: masked
/// wherever it appears, whatever the target's driver (a `token` is a
/// secret even in a file whose driver connstr could not tell).
///
/// ```
/// use connstr::options::drivers::is_secret_name;
/// assert!(is_secret_name("PWD") && is_secret_name("pqopt"));
/// assert!(!is_secret_name("Servername"));
/// ```
pub fn is_secret_name(key: &str) -> bool {
    static SECRETS: LazyLock<NameIndex> =
        LazyLock::new(|| NameIndex::new(all().flat_map(|p| p.options.iter().filter(|s| s.secret))));
    SECRETS.get(key.trim()).is_some()
}

/// Every name of a set of rows, bucketed by length and first letter (built
/// once per profile): a lookup compares the key with the few names of its
/// bucket only, and allocates nothing.
struct NameIndex {
    buckets: Vec<Vec<(&'static str, &'static OptionSpec, MatchedBy)>>,
    /// Every name but the deprecated ones, for did-you-mean.
    names: Vec<(&'static str, &'static OptionSpec)>,
}

impl NameIndex {
    /// Buckets per name length: by the first letter, case folded.
    const SLOTS: usize = 32;

    fn bucket_of(name: &[u8]) -> usize {
        let first = name.first().map_or(0, |b| usize::from(b & 0x1f));
        name.len() * Self::SLOTS + first
    }

    fn new(rows: impl IntoIterator<Item = &'static OptionSpec>) -> Self {
        let mut buckets: Vec<Vec<(&'static str, &'static OptionSpec, MatchedBy)>> = Vec::new();
        let mut names = Vec::new();
        for spec in rows {
            let all = std::iter::once((spec.name, MatchedBy::Canonical))
                .chain(spec.short.map(|n| (n, MatchedBy::Short)))
                .chain(spec.aliases.iter().map(|a| (*a, MatchedBy::Alias)))
                .chain(spec.legacy_aliases.iter().map(|a| (*a, MatchedBy::Legacy)));
            for (name, by) in all {
                let slot = Self::bucket_of(name.as_bytes());
                if buckets.len() <= slot {
                    buckets.resize_with(slot + 1, Vec::new);
                }
                // The first row to claim a name keeps it.
                if !buckets[slot]
                    .iter()
                    .any(|(n, _, _)| n.eq_ignore_ascii_case(name))
                {
                    buckets[slot].push((name, spec, by));
                }
                if by != MatchedBy::Legacy {
                    names.push((name, spec));
                }
            }
        }
        NameIndex { buckets, names }
    }

    fn get(&self, key: &str) -> Option<(&'static OptionSpec, MatchedBy)> {
        let bytes = key.as_bytes();
        let bucket = self.buckets.get(Self::bucket_of(bytes))?;
        bucket
            .iter()
            .find(|(name, _, _)| name.as_bytes() == bytes)
            .or_else(|| {
                bucket
                    .iter()
                    .find(|(name, _, _)| name.as_bytes().eq_ignore_ascii_case(bytes))
            })
            .map(|(_, s, by)| (*s, *by))
    }
}

/// The name index of `p` (built on first use, for every profile at once).
fn index_of(p: &Profile) -> &'static NameIndex {
    static INDEXES: LazyLock<Vec<(usize, NameIndex)>> = LazyLock::new(|| {
        all()
            .map(|p| (p as *const Profile as usize, NameIndex::new(p.options)))
            .collect()
    });
    static EMPTY: LazyLock<NameIndex> = LazyLock::new(|| NameIndex::new([]));
    let at = p as *const Profile as usize;
    INDEXES
        .iter()
        .find(|(q, _)| *q == at)
        .map_or(&*EMPTY, |(_, i)| i)
}

/// How a target's driver was told (the `from` of `explain` and the JSON
/// report's `"driver"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecognisedBy {
    /// `Driver=NAME` found as a section of odbcinst.ini, classified by the
    /// library its `Driver64`/`Driver` names.
    Odbcinst,
    /// `Driver=` is a library path or file name.
    Library,
    /// `Driver=NAME` (not found in an odbcinst.ini) matched a registered
    /// driver name.
    DriverName,
    /// The data source's description in `[ODBC Data Sources]`.
    DataSources,
    /// The JDBC URL's subprotocol.
    Jdbc,
    /// A key only that driver uses (a guess).
    Telltale,
    /// Nothing named a driver: Autonomous REST, the product's own strings.
    Default,
}

impl RecognisedBy {
    /// The kebab-case name (`odbcinst`, `default`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            RecognisedBy::Odbcinst => "odbcinst",
            RecognisedBy::Library => "library",
            RecognisedBy::DriverName => "driver-name",
            RecognisedBy::DataSources => "data-sources",
            RecognisedBy::Jdbc => "jdbc",
            RecognisedBy::Telltale => "telltale",
            RecognisedBy::Default => "default",
        }
    }
}

/// Which profile judges a target, and why.
///
/// `profile` is `None` for a driver connstr has no profile for (FreeTDS,
/// an odbcinst.ini section whose library it does not know): such a target
/// gets only the driver-independent checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recognition {
    /// The profile, or `None`: a driver connstr does not know.
    pub profile: Option<&'static Profile>,
    /// How it was told.
    pub from: RecognisedBy,
    /// What was seen, in words (`Driver=PostgreSQL Unicode → psqlodbcw.so in
    /// /etc/odbcinst.ini`); never a secret (driver names, library paths,
    /// key names).
    pub detail: Arc<str>,
}

impl Recognition {
    /// No driver named, no tell-tale key: Autonomous REST.
    ///
    /// ```
    /// let r = connstr::options::drivers::Recognition::default_autorest();
    /// assert_eq!((r.profile.unwrap().id, r.from.as_str()), ("autorest", "default"));
    /// ```
    pub fn default_autorest() -> Self {
        static DETAIL: LazyLock<Arc<str>> = LazyLock::new(|| {
            Arc::from("no driver named and no tell-tale key: Autonomous REST (connstr's default)")
        });
        Recognition {
            profile: Some(autorest()),
            from: RecognisedBy::Default,
            detail: Arc::clone(&DETAIL),
        }
    }

    /// The profile's id, or `None` for a driver without one.
    pub fn id(&self) -> Option<&'static str> {
        self.profile.map(|p| p.id)
    }

    /// Whether the target is judged as Autonomous REST (gets an auth plan).
    pub fn is_autorest(&self) -> bool {
        self.profile.is_some_and(Profile::is_autorest)
    }
}

impl Default for Recognition {
    fn default() -> Self {
        Recognition::default_autorest()
    }
}

/// The profile whose library pattern matches the base name of `path`
/// (`/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so`, `C:\…\myodbc8w.dll`).
///
/// ```
/// use connstr::options::drivers::by_library;
/// assert_eq!(by_library("/opt/progress/lib/ddautorest28.so").unwrap().id, "autorest");
/// ```
pub fn by_library(path: &str) -> Option<&'static Profile> {
    let base = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .trim()
        .to_ascii_lowercase();
    PROFILES
        .iter()
        .copied()
        .find(|p| p.recognise.libraries.iter().any(|pat| glob(pat, &base)))
}

/// The profile whose registered-name pattern matches `name` (an odbcinst.ini
/// section name, a `Driver=` value that is not a path, an `[ODBC Data
/// Sources]` description). Braces around the name are ignored.
///
/// ```
/// use connstr::options::drivers::by_driver_name;
/// let p = by_driver_name("{DataDirect 8.0 Autonomous REST Connector}").unwrap();
/// assert_eq!(p.id, "autorest");
/// ```
pub fn by_driver_name(name: &str) -> Option<&'static Profile> {
    let name = name.trim();
    let name = name
        .strip_prefix('{')
        .and_then(|n| n.strip_suffix('}'))
        .unwrap_or(name)
        .trim()
        .to_ascii_lowercase();
    PROFILES
        .iter()
        .copied()
        .find(|p| p.recognise.driver_names.iter().any(|pat| glob(pat, &name)))
}

/// The profile of a JDBC subprotocol (the part after `jdbc:`, up to the
/// last `:` before the properties: `datadirect:autorest`).
///
/// ```
/// use connstr::options::drivers::by_jdbc;
/// assert_eq!(by_jdbc("datadirect:autorest").unwrap().id, "autorest");
/// ```
pub fn by_jdbc(subprotocol: &str) -> Option<&'static Profile> {
    let sub = subprotocol.trim().to_ascii_lowercase();
    PROFILES
        .iter()
        .copied()
        .find(|p| p.recognise.jdbc.iter().any(|pat| glob(pat, &sub)))
}

/// The profile one of whose tell-tale keys is among `keys`, with that key:
/// a guess, to be reported as one.
///
/// ```
/// use connstr::options::drivers::by_telltale;
/// let (p, key) = by_telltale(["Description", "RestConfigFile"]).unwrap();
/// assert_eq!((p.id, key), ("autorest", "RestConfigFile"));
/// ```
pub fn by_telltale<'k>(
    keys: impl IntoIterator<Item = &'k str>,
) -> Option<(&'static Profile, &'k str)> {
    keys.into_iter().find_map(|k| {
        let k = k.trim();
        PROFILES
            .iter()
            .copied()
            .find(|p| {
                p.recognise
                    .telltale
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(k))
            })
            .map(|p| (p, k))
    })
}

/// Whether `name` (lowercase) matches `pat` (lowercase, `*` any run).
fn glob(pat: &str, name: &str) -> bool {
    let (p, n) = (pat.as_bytes(), name.as_bytes());
    // Iterative wildcard match with one backtrack point.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ni));
            pi += 1;
        } else if pi < p.len() && p[pi] == n[ni] {
            pi += 1;
            ni += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_like_a_shell() {
        assert!(glob("libmyodbc*w.so", "libmyodbc8w.so"));
        assert!(!glob("libmyodbc*w.so", "libmyodbc8a.so"));
        assert!(glob("*autorest*", "ddautorest28.so"));
        assert!(glob("postgresql*", "postgresql"));
        assert!(!glob("sqlite", "sqlite3"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
    }

    #[test]
    fn every_profile_id_is_unique_and_findable() {
        for p in PROFILES {
            assert_eq!(profile(p.id).map(|q| q.id), Some(p.id));
            assert!(!p.options.is_empty(), "{} has no options", p.id);
        }
    }

    #[test]
    fn every_pattern_is_lowercase() {
        for p in PROFILES {
            let r = &p.recognise;
            for pat in r.libraries.iter().chain(r.driver_names).chain(r.jdbc) {
                assert_eq!(*pat, pat.to_ascii_lowercase(), "{}: {pat}", p.id);
            }
        }
    }
}
