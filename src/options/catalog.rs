//! The option table: every option connstr knows, as data.
//!
//! One row per option of OPTIONS.md §2: canonical name, short name, aliases,
//! value type, default, whether the value is a secret, which authentication
//! methods use it, and a one-line description. Lookups are case-insensitive and
//! allocation-free; [`suggest`] offers a did-you-mean for a key nobody knows.

mod row;

pub use row::{Choice, Methods, OptionSpec, Sure, ValueKind};

use std::cell::RefCell;
use std::sync::LazyLock;

use super::autorest::CATALOG;
use super::memo::{Memo, Shared, remember};

/// Every option, in table order.
///
/// ```
/// let names: Vec<_> = connstr::options::catalog().iter().map(|o| o.name).collect();
/// assert!(names.contains(&"ClientSecret"));
/// ```
pub fn catalog() -> &'static [OptionSpec] {
    CATALOG
}

/// How a key matched an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchedBy {
    /// The canonical name (any case).
    Canonical,
    /// The short name.
    Short,
    /// An alias.
    Alias,
    /// A deprecated alias (`RTK`, `ATK`, `LogonID`).
    Legacy,
}

/// A key resolved against the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyMatch {
    /// The option.
    pub spec: &'static OptionSpec,
    /// Which of its names matched.
    pub by: MatchedBy,
}

/// The option named `key` (canonical name, short name or alias, any case; the
/// key is taken as is, trim it first), with how it matched.
///
/// ```
/// use connstr::options::{resolve_key, MatchedBy};
/// let m = resolve_key("rtk").unwrap();
/// assert_eq!(m.spec.name, "RefreshToken");
/// assert_eq!(m.by, MatchedBy::Legacy);
/// ```
pub fn resolve_key(key: &str) -> Option<KeyMatch> {
    resolve_key_secrecy(key).map(|(m, _)| m)
}

/// [`resolve_key`], and whether the name as written is a secret option's
/// name in any driver profile ([`crate::options::drivers::is_secret_name`]):
/// worked out once per catalog name, for the occurrences of every option set.
pub(crate) fn resolve_key_secrecy(key: &str) -> Option<(KeyMatch, bool)> {
    /// Buckets per name length: by the first letter, case folded (32 slots).
    const SLOTS: usize = 32;
    /// Every name, bucketed by length and first letter (built once): a
    /// lookup compares the key with the one or two names of its bucket only,
    /// and allocates nothing. Validation looks names up constantly.
    type Bucket = Vec<(&'static str, KeyMatch, bool)>;
    static BUCKETS: LazyLock<Vec<Bucket>> = LazyLock::new(|| {
        let mut buckets: Vec<Bucket> = Vec::new();
        for spec in CATALOG {
            let names = std::iter::once((spec.name, MatchedBy::Canonical))
                .chain(spec.short.map(|n| (n, MatchedBy::Short)))
                .chain(spec.aliases.iter().map(|a| (*a, MatchedBy::Alias)))
                .chain(spec.legacy_aliases.iter().map(|a| (*a, MatchedBy::Legacy)));
            for (name, by) in names {
                let slot = bucket_of(name.as_bytes());
                if buckets.len() <= slot {
                    buckets.resize_with(slot + 1, Vec::new);
                }
                let secret = crate::options::drivers::is_secret_name(name);
                buckets[slot].push((name, KeyMatch { spec, by }, secret));
            }
        }
        buckets
    });
    /// The bucket of a name: its length, then its first byte folded to 0–31
    /// (ASCII letters of either case share a slot).
    fn bucket_of(name: &[u8]) -> usize {
        let first = name.first().map_or(0, |b| usize::from(b & 0x1f));
        name.len() * SLOTS + first
    }
    let bytes = key.as_bytes();
    let bucket = BUCKETS.get(bucket_of(bytes))?;
    // Keys are mostly written as the catalog spells them: an exact compare
    // (vectorised) first, the byte-by-byte case folding only when it fails.
    bucket
        .iter()
        .find(|(name, ..)| name.as_bytes() == bytes)
        .or_else(|| {
            bucket
                .iter()
                .find(|(name, ..)| name.as_bytes().eq_ignore_ascii_case(bytes))
        })
        .map(|&(_, m, secret)| (m, secret))
}

/// The option named `key`: canonical name, short name or alias, any case.
///
/// ```
/// use connstr::options::lookup;
/// assert_eq!(lookup("clientsecret").unwrap().name, "ClientSecret");
/// assert_eq!(lookup("CID").unwrap().name, "ClientID");
/// assert_eq!(lookup("UID").unwrap().name, "User");
/// assert!(lookup("ClientSecert").is_none());
/// ```
pub fn lookup(key: &str) -> Option<&'static OptionSpec> {
    resolve_key(key).map(|m| m.spec)
}

/// A did-you-mean for an unknown key: the closest name in the catalog
/// (canonical name returned), when close enough.
///
/// ```
/// use connstr::options::suggest;
/// assert_eq!(suggest("ClientSecert"), Some("ClientSecret"));
/// assert_eq!(suggest("TokenUrl"), Some("TokenURI"));
/// assert_eq!(suggest("Frobnicate"), None);
/// ```
pub fn suggest(key: &str) -> Option<&'static str> {
    suggestions_in(CATALOG, key).best
}

/// The did-you-mean answers for one unknown key against one table of
/// options: the closest name, and the name it surely means (see
/// [`sole_suggestion`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Suggestion {
    /// The closest option's canonical name, when one is close enough.
    pub best: Option<&'static str>,
    /// The canonical name when exactly one option (its short name and
    /// aliases counted as the same option) is close.
    pub sole: Option<&'static str>,
}

/// The did-you-mean answers for `key` against `options` (a driver's table, or
/// [`catalog()`]), worked out once per thread for each table and key (case
/// folded): real files repeat the same unknown key in thousands of data
/// sources, and string similarity is costly.
///
/// ```
/// use connstr::options::{catalog, suggestions_in};
/// let s = suggestions_in(catalog(), "ClientSecert");
/// assert_eq!((s.best, s.sole), (Some("ClientSecret"), Some("ClientSecret")));
/// assert_eq!(suggestions_in(catalog(), "Frobnicate").best, None);
/// ```
pub fn suggestions_in(options: &'static [OptionSpec], key: &str) -> Suggestion {
    thread_local! {
        static MEMO: RefCell<Memo<Suggestion>> = RefCell::new(Memo::default());
    }
    static SHARED: Shared<Suggestion> = Shared::new();
    remember(
        &MEMO,
        &SHARED,
        options.as_ptr() as usize,
        key.trim(),
        |word| compute_suggestion(options, word),
    )
}

/// One pass over `options` for both answers of [`Suggestion`].
fn compute_suggestion(options: &'static [OptionSpec], word: &str) -> Suggestion {
    if word.is_empty() {
        return Suggestion::default();
    }
    let mut best: Option<(f64, &'static str)> = None;
    let mut sole: Option<&'static str> = None;
    let mut several = false;
    let mut lower = String::new();
    for spec in options {
        let mut close_here = false;
        let names = std::iter::once(spec.name)
            .chain(spec.short)
            .chain(spec.aliases.iter().copied());
        for n in names {
            lower.clear();
            lower.push_str(n);
            lower.make_ascii_lowercase();
            if let Some(jw) = closeness(word, &lower) {
                close_here = true;
                if best.is_none_or(|(s, _)| jw > s) {
                    best = Some((jw, spec.name));
                }
            }
        }
        if close_here {
            match sole {
                Some(f) if f != spec.name => several = true,
                _ => sole = Some(spec.name),
            }
        }
    }
    Suggestion {
        best: best.map(|(_, n)| n),
        sole: if several { None } else { sole },
    }
}

/// The closest candidate to `word` (case-insensitive Jaro-Winkler, also
/// accepting a small edit distance), returning the paired value. Shared by
/// every did-you-mean in the crate.
pub(crate) fn best_match<'a, T: Copy>(
    word: &str,
    candidates: impl IntoIterator<Item = (&'a str, T)>,
) -> Option<T> {
    let word = word.trim().to_ascii_lowercase();
    if word.is_empty() {
        return None;
    }
    let mut best: Option<(f64, T)> = None;
    for (cand, value) in candidates {
        let c = cand.to_ascii_lowercase();
        let Some(jw) = closeness(&word, &c) else {
            continue;
        };
        if best.as_ref().is_none_or(|(s, _)| jw > *s) {
            best = Some((jw, value));
        }
    }
    best.map(|(_, v)| v)
}

/// The Jaro-Winkler similarity of `word` and `cand` (both lowercase) when
/// they are close enough for a did-you-mean (or a small edit distance).
fn closeness(word: &str, cand: &str) -> Option<f64> {
    // Short names (`am`, `st`) are too short to guess from.
    if cand.len() < 4 && word.len() < 4 {
        return None;
    }
    let (a, b) = (word.chars().count(), cand.chars().count());
    // The edit distance only when it can be small enough: it is at least
    // the difference of the lengths (and costs an allocation per pair).
    let most = match cand.len() {
        ..5 => None,
        5..10 => Some(2),
        _ => Some(3),
    }
    .filter(|&most| a.abs_diff(b) <= most);
    // Jaro is at most (m/a + m/b + 1)/3 with m ≤ min(a, b) matching
    // characters, and Jaro-Winkler's prefix bonus lifts a Jaro above 0.7 by
    // at most 0.4 × (1 − Jaro): 0.88 needs a Jaro of 0.8. Most pairs of a
    // did-you-mean search differ too much in length for either test.
    let m = a.min(b) as f64;
    let jaro_most = (m / a as f64 + m / b as f64 + 1.0) / 3.0;
    if most.is_none() && jaro_most < 0.8 - 1e-9 {
        return None;
    }
    let jw = strsim::jaro_winkler(word, cand);
    if jw >= 0.88 {
        return Some(jw);
    }
    let most = most?;
    (strsim::damerau_levenshtein(word, cand) <= most).then_some(jw)
}

/// The option an unknown key surely means: the canonical name when exactly
/// one option of the catalog (counting its short name and aliases as the
/// same option) is close to `key`, as [`suggest`] measures closeness.
/// `None` when no option or several are close: a fix may rename a key only
/// when there is no doubt (`connstr fix`).
///
/// ```
/// use connstr::options::sole_suggestion;
/// assert_eq!(sole_suggestion("ClientSecert"), Some("ClientSecret"));
/// assert_eq!(sole_suggestion("Frobnicate"), None);
/// ```
pub fn sole_suggestion(key: &str) -> Option<&'static str> {
    suggestions_in(CATALOG, key).sole
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`closeness`] without the length bounds: what it must agree with.
    fn closeness_unbounded(word: &str, cand: &str) -> Option<f64> {
        if cand.len() < 4 && word.len() < 4 {
            return None;
        }
        let jw = strsim::jaro_winkler(word, cand);
        if jw >= 0.88 {
            return Some(jw);
        }
        let most = match cand.len() {
            ..5 => return None,
            5..10 => 2,
            _ => 3,
        };
        (strsim::damerau_levenshtein(word, cand) <= most).then_some(jw)
    }

    proptest::proptest! {
        #[test]
        fn length_bounds_change_no_answer(word in "[a-e_é]{1,14}", cand in "[a-e_]{1,24}") {
            proptest::prop_assert_eq!(closeness(&word, &cand), closeness_unbounded(&word, &cand));
        }
    }

    #[test]
    fn length_bounds_change_no_answer_on_the_catalog() {
        for key in [
            "databse",
            "clientsecert",
            "tokenurl",
            "pwd",
            "authmech",
            "httppth",
            "x",
            "warehous",
        ] {
            for spec in CATALOG {
                let name = spec.name.to_ascii_lowercase();
                assert_eq!(
                    closeness(key, &name),
                    closeness_unbounded(key, &name),
                    "{key} {name}"
                );
            }
        }
    }
    use crate::options::AuthMethod;

    #[test]
    fn every_name_is_unique_across_the_table() {
        let mut seen = std::collections::HashSet::new();
        for spec in catalog() {
            for n in spec.names() {
                assert!(seen.insert(n.to_ascii_lowercase()), "{n} appears twice");
            }
        }
    }

    #[test]
    fn names_resolve_to_their_row() {
        for spec in catalog() {
            for n in spec.names() {
                assert_eq!(lookup(n).map(|s| s.name), Some(spec.name), "{n}");
                assert_eq!(
                    lookup(&n.to_ascii_uppercase()).map(|s| s.name),
                    Some(spec.name)
                );
                assert_eq!(
                    lookup(&n.to_ascii_lowercase()).map(|s| s.name),
                    Some(spec.name)
                );
            }
        }
    }

    #[test]
    fn options_of_section_2_are_all_there() {
        for n in [
            "AuthenticationMethod",
            "ClientID",
            "ClientSecret",
            "RefreshToken",
            "AccessToken",
            "TokenURI",
            "AuthURI",
            "RedirectURI",
            "Scope",
            "OAuthCode",
            "ClientCredentialsMode",
            "AuthHeader",
            "SecurityToken",
            "AuthParam",
            "User",
            "Password",
            "EnableLoginPrompt",
            "CustomAuthParams",
            "ClaimsIssuer",
            "ClaimsSubject",
            "AccessKey",
            "Region",
            "SecretKey",
            "RESTConfigFile",
            "RESTSamplePath",
            "HostName",
            "HealthURI",
            "DSN",
            "FILEDSN",
            "DRIVER",
            "SAVEFILE",
            "Description",
        ] {
            assert!(lookup(n).is_some(), "{n} missing");
        }
        for (alias, canon) in [
            ("am", "AuthenticationMethod"),
            ("cid", "ClientID"),
            ("RTK", "RefreshToken"),
            ("ATK", "AccessToken"),
            ("o2tu", "TokenURI"),
            ("o2ru", "RedirectURI"),
            ("oac", "OAuthCode"),
            ("clcm", "ClientCredentialsMode"),
            ("ah", "AuthHeader"),
            ("st", "SecurityToken"),
            ("ap", "AuthParam"),
            ("LogonID", "User"),
            ("UID", "User"),
            ("PWD", "Password"),
            ("elp", "EnableLoginPrompt"),
            ("cap", "CustomAuthParams"),
            ("rcf", "RESTConfigFile"),
            ("Config", "RESTConfigFile"),
            ("rsp", "RESTSamplePath"),
            ("Sample", "RESTSamplePath"),
            ("host", "HostName"),
            ("ServerName", "HostName"),
            ("DataSourceName", "DSN"),
            ("RestConfigFile", "RESTConfigFile"),
        ] {
            assert_eq!(lookup(alias).map(|s| s.name), Some(canon), "{alias}");
        }
    }

    #[test]
    fn secrets_are_flagged() {
        let secrets: Vec<_> = catalog()
            .iter()
            .filter(|s| s.secret)
            .map(|s| s.name)
            .collect();
        assert_eq!(
            secrets,
            [
                "ClientSecret",
                "RefreshToken",
                "AccessToken",
                "OAuthCode",
                "SecurityToken",
                "Password",
                "CustomAuthParams",
                "JWTCertPassword",
                "SecretKey",
                "TruststorePassword",
                "KeyStorePassword",
                "KeyPassword",
                "ProxyPassword",
                "ServerProxyPassword"
            ]
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("ClientSecert"), Some("ClientSecret"));
        assert_eq!(suggest("clientsecrt"), Some("ClientSecret"));
        assert_eq!(suggest("RefreshTokn"), Some("RefreshToken"));
        assert_eq!(
            suggest("AuthentificationMethod"),
            Some("AuthenticationMethod")
        );
        assert_eq!(suggest("RestConfigFiles"), Some("RESTConfigFile"));
        assert_eq!(suggest("TokenURL"), Some("TokenURI"));
        assert_eq!(suggest("xyz"), None);
        assert_eq!(suggest(""), None);
        assert_eq!(suggest("Trace"), None);
    }

    #[test]
    fn methods_set() {
        let cid = lookup("ClientID").unwrap();
        assert!(cid.used_by(AuthMethod::OAuth2ClientCredentials));
        assert!(!cid.used_by(AuthMethod::Basic));
        assert!(lookup("HostName").unwrap().methods.is_any());
        assert_eq!(
            Methods::of(&[AuthMethod::Aws]).iter().collect::<Vec<_>>(),
            [AuthMethod::Aws]
        );
    }
}
