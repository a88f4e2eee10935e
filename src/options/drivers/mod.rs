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

use super::catalog::{MatchedBy, OptionSpec};

mod autorest;
mod databricks;
mod datadirect;
mod mssql;
mod mysql;
mod rows;
mod snowflake;

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
    &mysql::PROFILE,
    &mssql::PROFILE,
    &snowflake::PROFILE,
    &databricks::PROFILE,
];

impl Profile {
    /// The option named `key` (any case; canonical, short name or alias),
    /// with how it matched.
    ///
    /// ```
    /// use connstr::options::drivers::profile;
    /// let arc = profile("autorest").unwrap();
    /// assert_eq!(arc.resolve_key("cid").unwrap().0.name, "ClientID");
    /// ```
    pub fn resolve_key(&self, key: &str) -> Option<(&'static OptionSpec, MatchedBy)> {
        let key = key.trim();
        self.options.iter().find_map(|spec| {
            let by = if spec.name.eq_ignore_ascii_case(key) {
                MatchedBy::Canonical
            } else if spec.short.is_some_and(|s| s.eq_ignore_ascii_case(key)) {
                MatchedBy::Short
            } else if spec.aliases.iter().any(|a| a.eq_ignore_ascii_case(key)) {
                MatchedBy::Alias
            } else if spec
                .legacy_aliases
                .iter()
                .any(|a| a.eq_ignore_ascii_case(key))
            {
                MatchedBy::Legacy
            } else {
                return None;
            };
            Some((spec, by))
        })
    }

    /// Whether `key` is one of this driver's obsolete keys.
    pub fn is_obsolete(&self, key: &str) -> bool {
        let key = key.trim();
        self.obsolete.iter().any(|o| o.eq_ignore_ascii_case(key))
    }
}

/// The profile with this id or alias (any case).
///
/// ```
/// assert_eq!(connstr::options::drivers::profile("AutoREST").unwrap().id, "autorest");
/// assert!(connstr::options::drivers::profile("nonesuch").is_none());
/// ```
pub fn profile(id: &str) -> Option<&'static Profile> {
    let id = id.trim();
    PROFILES.iter().copied().find(|p| {
        p.id.eq_ignore_ascii_case(id) || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    })
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
