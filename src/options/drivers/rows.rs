//! Row builders shared by the driver profiles that are not DataDirect's
//! Autonomous REST, the invariants every profile's table must keep, and the
//! checks every driver file's tests make (`check_profile`, given an
//! `Expect` of that driver).
//!
//! How sure a row is, in DRIVERS.md's labels: `S` (the driver's source) and
//! `D` (the vendor's documentation) make a [`Sure::Confirmed`] row; `C` (seen
//! only in real configurations) a [`Sure::Named`] row; `U` (unconfirmed) a
//! [`Sure::Guess`]. The [`OptionSpec::jdbc`] column is [`Sure::Absent`]:
//! these are ODBC drivers. A row whose key is not read from a data source at
//! all (Snowflake's `simba.snowflake.ini` parameters, Microsoft's `Port`)
//! has [`OptionSpec::odbc`] = [`Sure::Absent`]: the key is known, so a lint
//! can say why it does nothing instead of calling it unknown.

use crate::options::catalog::{Choice, OptionSpec, Sure, ValueKind};

/// A row confirmed by the driver's source or documentation (S, D).
pub(super) const fn row(name: &'static str, kind: ValueKind, doc: &'static str) -> OptionSpec {
    OptionSpec::new(name, kind, doc).sure(Sure::Confirmed, Sure::Absent)
}

/// A row seen only in real configurations (C).
pub(super) const fn seen(name: &'static str, kind: ValueKind, doc: &'static str) -> OptionSpec {
    OptionSpec::new(name, kind, doc).sure(Sure::Named, Sure::Absent)
}

/// An unconfirmed row (U): accepted, so that a real file using it is not
/// told the key is unknown, and shown as a guess by `connstr options`.
pub(super) const fn guess(name: &'static str, kind: ValueKind, doc: &'static str) -> OptionSpec {
    OptionSpec::new(name, kind, doc).sure(Sure::Guess, Sure::Absent)
}

/// A key the driver does not read from a data source or connection string
/// (it belongs elsewhere).
pub(super) const fn not_read(name: &'static str, kind: ValueKind, doc: &'static str) -> OptionSpec {
    OptionSpec::new(name, kind, doc).sure(Sure::Absent, Sure::Absent)
}

/// A choice written as a word (`REQUIRED`): the word is both code and name.
pub(super) const fn word(w: &'static str) -> Choice {
    Choice { code: w, name: w }
}

/// Microsoft's `yes`/`no` values.
pub(super) const YES_NO: ValueKind = ValueKind::Enumeration(&[word("yes"), word("no")]);

/// The secrets of a profile, by canonical name (for the tests of each file).
#[cfg(test)]
pub(super) fn secrets(p: &super::Profile) -> Vec<&'static str> {
    p.options
        .iter()
        .filter(|s| s.secret)
        .map(|s| s.name)
        .collect()
}

/// The invariants of a profile's table: every name (canonical, short,
/// alias, legacy) is unique in the profile, resolves to its own row in any
/// case, is not also listed as obsolete, and is a key unixODBC can read
/// (no `=`, `[`, `;` or blank).
#[cfg(test)]
pub(super) fn check_table(p: &super::Profile) {
    let mut seen = std::collections::HashSet::new();
    for spec in p.options {
        for n in spec.names() {
            assert!(
                seen.insert(n.to_ascii_lowercase()),
                "{}: {n} appears twice",
                p.id
            );
            assert!(
                !n.is_empty() && !n.contains(['=', '[', ']', ';', ' ', '\t', '{', '}']),
                "{}: {n:?} is not a key",
                p.id
            );
            for form in [n.to_owned(), n.to_ascii_uppercase(), n.to_ascii_lowercase()] {
                assert_eq!(
                    p.resolve_key(&form).map(|(s, _)| s.name),
                    Some(spec.name),
                    "{}: {form}",
                    p.id
                );
            }
            assert!(
                !p.is_obsolete(n),
                "{}: {n} is both known and obsolete",
                p.id
            );
        }
        if let ValueKind::Enumeration(choices) = spec.kind {
            assert!(
                !choices.is_empty(),
                "{}: {} has no choices",
                p.id,
                spec.name
            );
        }
        if let (Some(d), ValueKind::Enumeration(choices)) = (spec.default, spec.kind) {
            assert!(
                choices.iter().any(|c| c.matches(d)),
                "{}: default {d} of {} is not a choice",
                p.id,
                spec.name
            );
        }
    }
}

/// What a driver file's tests say about its profile, as data (see
/// [`check_profile`]).
#[cfg(test)]
pub(super) struct Expect {
    /// The secret options, canonical names in table order (DRIVERS.md §10).
    pub secrets: &'static [&'static str],
    /// Other spellings (short names, aliases, any case) that must resolve to
    /// a secret row.
    pub secret_keys: &'static [&'static str],
    /// Library file names or paths recognised as this profile.
    pub libraries: &'static [&'static str],
    /// Registered driver names recognised as this profile.
    pub names: &'static [&'static str],
    /// Driver names that must not be taken for this profile (another
    /// product with a similar name).
    pub not_names: &'static [&'static str],
    /// Keys that together tell this profile when nothing names the driver
    /// (empty: none do).
    pub telltale: &'static [&'static str],
}

/// The checks every driver profile's tests make: its table keeps the
/// invariants ([`check_table`]), its secrets are the ones expected, and it
/// is recognised by its libraries, registered names and tell-tale keys.
#[cfg(test)]
pub(super) fn check_profile(p: &super::Profile, e: &Expect) {
    use super::{by_driver_name, by_library, by_telltale};
    check_table(p);
    assert_eq!(secrets(p), e.secrets, "{}: secrets", p.id);
    for k in e.secret_keys {
        assert!(
            p.resolve_key(k).is_some_and(|(s, _)| s.secret),
            "{}: {k} is not secret",
            p.id
        );
    }
    for lib in e.libraries {
        assert_eq!(by_library(lib).map(|q| q.id), Some(p.id), "{lib}");
    }
    for name in e.names {
        assert_eq!(by_driver_name(name).map(|q| q.id), Some(p.id), "{name}");
    }
    for name in e.not_names {
        assert_ne!(by_driver_name(name).map(|q| q.id), Some(p.id), "{name}");
    }
    if !e.telltale.is_empty() {
        assert_eq!(
            by_telltale(e.telltale.iter().copied()).map(|(q, _)| q.id),
            Some(p.id),
            "{:?}",
            e.telltale
        );
    }
}
