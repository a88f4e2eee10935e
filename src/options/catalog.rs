//! The option table: every option connstr knows, as data.
//!
//! One row per option of OPTIONS.md §2: canonical name, short name, aliases,
//! value type, default, whether the value is a secret, which authentication
//! methods use it, and a one-line description. Lookups are case-insensitive and
//! allocation-free; [`suggest`] offers a did-you-mean for a key nobody knows.

use std::cell::RefCell;
use std::sync::LazyLock;

use super::AuthMethod;
use super::autorest::CATALOG;
use super::memo::{Memo, remember};

/// What kind of value an option takes (OPTIONS.md §1–§3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueKind {
    /// Free text.
    Text,
    /// An `AuthenticationMethod` name or ODBC code (§1).
    AuthMethod,
    /// `ClientCredentialsMode`: All, Default, Basic, Url, Post or 0–3 (§3).
    ClientCredentialsMode,
    /// `[GET |POST ]url` (§3).
    TokenUri,
    /// An absolute URL.
    Url,
    /// An HTTP header name (an RFC 9110 token).
    HeaderName,
    /// `0`/`1`, `true`/`false`.
    Bool,
    /// Scopes separated by blanks.
    Scopes,
    /// A file path.
    Path,
    /// `a;b;c`, braced in a connection string.
    ParamList,
    /// A driver-manager keyword's value (DSN, DRIVER, …).
    DriverManager,
    /// A whole number, 0 or more (seconds, rows, a pool size, a code page).
    Integer,
    /// A TCP port, 0–65535.
    Port,
    /// One of a fixed set: the ODBC code or the JDBC name of each choice
    /// (`CreateMap`: `3` or `Session`).
    Enumeration(&'static [Choice]),
    /// TLS protocol versions separated by commas (`TLSv1.3,TLSv1.2`).
    TlsProtocols,
}

/// One choice of a [`ValueKind::Enumeration`]: the ODBC code and the JDBC name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Choice {
    /// The ODBC integer code (`"3"`).
    pub code: &'static str,
    /// The JDBC name (`"Session"`).
    pub name: &'static str,
}

impl Choice {
    /// Whether `value` (trimmed, any case) names this choice by code or name.
    ///
    /// ```
    /// use connstr::options::Choice;
    /// let c = Choice { code: "3", name: "Session" };
    /// assert!(c.matches(" session") && c.matches("3") && !c.matches("2"));
    /// ```
    pub fn matches(&self, value: &str) -> bool {
        let v = value.trim();
        v == self.code || v.eq_ignore_ascii_case(self.name)
    }
}

/// How sure a fact of the catalog is (AUTOREST_OPTIONS.md §0): read on the
/// driver's own page, only named there, taken from sibling drivers built on
/// the same engine, or a guess from other DataDirect drivers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sure {
    /// Read on the option's own page for that driver (code C).
    Confirmed,
    /// Named on a page of that driver, its own page not read (code N).
    Named,
    /// Documented the same way by sibling drivers on the same engine (code S).
    Sibling,
    /// Seen in other DataDirect drivers only (code G).
    Guess,
    /// The driver has no such option (code —).
    Absent,
    /// Not known whether the driver has it (code ?).
    Unknown,
}

impl ValueKind {
    /// A short human description of the expected value, for help texts.
    pub fn describe(self) -> &'static str {
        match self {
            ValueKind::Text => "text",
            ValueKind::AuthMethod => "an authentication method name or ODBC code",
            ValueKind::ClientCredentialsMode => "All, Basic, Url, Post (or 0-3)",
            ValueKind::TokenUri => "a URL, optionally prefixed with `GET ` or `POST `",
            ValueKind::Url => "a URL",
            ValueKind::HeaderName => "an HTTP header name",
            ValueKind::Bool => "0/1 or true/false",
            ValueKind::Scopes => "scopes separated by spaces",
            ValueKind::Path => "a file path",
            ValueKind::ParamList => "`a;b;c` (braced in a connection string)",
            ValueKind::DriverManager => "a driver-manager keyword value",
            ValueKind::Integer => "a whole number",
            ValueKind::Port => "a TCP port (0-65535)",
            ValueKind::Enumeration(_) => "one of the listed codes or names",
            ValueKind::TlsProtocols => "TLS versions separated by commas (TLSv1.3,TLSv1.2)",
        }
    }

    /// The choices of an [`ValueKind::Enumeration`] (empty for other kinds).
    ///
    /// ```
    /// let em = connstr::options::lookup("em").unwrap();
    /// assert!(em.kind.choices().iter().any(|c| c.name == "SSL"));
    /// ```
    pub fn choices(self) -> &'static [Choice] {
        match self {
            ValueKind::Enumeration(c) => c,
            _ => &[],
        }
    }
}

/// A set of [`AuthMethod`]s, as a bit set (no allocation, usable in `const`).
///
/// [`Methods::ANY`] marks an option that is not specific to one method
/// (HostName, DSN, …): it is never reported as ignored.
///
/// ```
/// use connstr::options::Methods;
/// use connstr::plan::AuthMethod;
/// let m = Methods::of(&[AuthMethod::Basic, AuthMethod::Digest]);
/// assert!(m.contains(AuthMethod::Basic));
/// assert!(!m.contains(AuthMethod::OAuth2));
/// assert!(Methods::ANY.contains(AuthMethod::OAuth2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Methods(u32);

impl Methods {
    /// Every method: the option is not method-specific.
    pub const ANY: Methods = Methods(u32::MAX);
    /// No method.
    pub const NONE: Methods = Methods(0);

    /// The set holding `list`.
    pub const fn of(list: &[AuthMethod]) -> Methods {
        let mut bits = 0u32;
        let mut i = 0;
        while i < list.len() {
            bits |= 1 << (list[i] as u32);
            i += 1;
        }
        Methods(bits)
    }

    /// Union of two sets.
    pub const fn union(self, other: Methods) -> Methods {
        Methods(self.0 | other.0)
    }

    /// Whether `method` is in the set.
    pub const fn contains(self, method: AuthMethod) -> bool {
        self.0 & (1 << (method as u32)) != 0
    }

    /// Whether this is [`Methods::ANY`].
    pub const fn is_any(self) -> bool {
        self.0 == u32::MAX
    }

    /// The methods in the set, in [`AuthMethod::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = AuthMethod> {
        AuthMethod::ALL
            .into_iter()
            .filter(move |m| self.contains(*m))
    }
}

/// One row of the option table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionSpec {
    /// Canonical name, as DataDirect writes it (`ClientSecret`).
    pub name: &'static str,
    /// DataDirect's short name (`cid`), when one is documented for this
    /// driver or its siblings ([`OptionSpec::short_sure`] says which).
    pub short: Option<&'static str>,
    /// How sure the short name is.
    pub short_sure: Sure,
    /// Other accepted names (`UID` for User, `Config` for RESTConfigFile).
    pub aliases: &'static [&'static str],
    /// Older names still accepted but deprecated (`RTK`, `ATK`, `LogonID`):
    /// the `deprecated` lint names them.
    pub legacy_aliases: &'static [&'static str],
    /// What kind of value it takes.
    pub kind: ValueKind,
    /// The value used when the option is absent, as DataDirect documents it
    /// (or as connstr chooses: OPTIONS.md §3 for ClientCredentialsMode).
    pub default: Option<&'static str>,
    /// How sure the default is.
    pub default_sure: Sure,
    /// Whether the value is a secret (never shown, masked in snippets).
    pub secret: bool,
    /// Which authentication methods use it ([`Methods::ANY`]: not method-specific).
    pub methods: Methods,
    /// One line saying what it is.
    pub description: &'static str,
    /// How sure it is that the ODBC 8.0 driver has this option.
    pub odbc: Sure,
    /// How sure it is that the JDBC 6.0 driver has this property.
    pub jdbc: Sure,
}

/// Builders for the rows of the table (`const`, so the table is a `static`).
impl OptionSpec {
    /// A row usable by every method, with no short name, alias or default,
    /// confirmed for both drivers until said otherwise.
    pub(crate) const fn new(
        name: &'static str,
        kind: ValueKind,
        description: &'static str,
    ) -> Self {
        OptionSpec {
            name,
            short: None,
            short_sure: Sure::Unknown,
            aliases: &[],
            legacy_aliases: &[],
            kind,
            default: None,
            default_sure: Sure::Unknown,
            secret: false,
            methods: Methods::ANY,
            description,
            odbc: Sure::Confirmed,
            jdbc: Sure::Confirmed,
        }
    }

    pub(crate) const fn with_short(mut self, short: &'static str, sure: Sure) -> Self {
        self.short = Some(short);
        self.short_sure = sure;
        self
    }

    pub(crate) const fn with_aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    pub(crate) const fn with_legacy(mut self, legacy: &'static [&'static str]) -> Self {
        self.legacy_aliases = legacy;
        self
    }

    pub(crate) const fn with_default(mut self, default: &'static str, sure: Sure) -> Self {
        self.default = Some(default);
        self.default_sure = sure;
        self
    }

    pub(crate) const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    pub(crate) const fn for_methods(mut self, methods: Methods) -> Self {
        self.methods = methods;
        self
    }

    /// How sure it is that each driver has it (ODBC 8.0, JDBC 6.0).
    pub(crate) const fn sure(mut self, odbc: Sure, jdbc: Sure) -> Self {
        self.odbc = odbc;
        self.jdbc = jdbc;
        self
    }
}

impl OptionSpec {
    /// Every name this option answers to: canonical, short, aliases, legacy aliases.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + use<> {
        let (aliases, legacy) = (self.aliases, self.legacy_aliases);
        std::iter::once(self.name)
            .chain(self.short)
            .chain(aliases.iter().copied())
            .chain(legacy.iter().copied())
    }

    /// Whether the option matters for `method`.
    pub fn used_by(&self, method: AuthMethod) -> bool {
        self.methods.contains(method)
    }

    /// This row's position in [`catalog()`] (`None` for a row built
    /// elsewhere): a dense key for per-option tables.
    ///
    /// ```
    /// use connstr::options::{catalog, lookup};
    /// let spec = lookup("cid").unwrap();
    /// assert_eq!(catalog()[spec.index().unwrap()].name, "ClientID");
    /// ```
    pub fn index(&self) -> Option<usize> {
        let base = CATALOG.as_ptr() as usize;
        let at = self as *const OptionSpec as usize;
        let size = std::mem::size_of::<OptionSpec>();
        let i = at.checked_sub(base)? / size;
        (i < CATALOG.len() && std::ptr::eq(&CATALOG[i], self))
            .then_some(i)
            .or_else(|| CATALOG.iter().position(|s| s == self))
    }
}

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
    /// Buckets per name length: by the first letter, case folded (32 slots).
    const SLOTS: usize = 32;
    /// Every name, bucketed by length and first letter (built once): a
    /// lookup compares the key with the one or two names of its bucket only,
    /// and allocates nothing. Validation looks names up constantly.
    static BUCKETS: LazyLock<Vec<Vec<(&'static str, KeyMatch)>>> = LazyLock::new(|| {
        let mut buckets: Vec<Vec<(&'static str, KeyMatch)>> = Vec::new();
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
                buckets[slot].push((name, KeyMatch { spec, by }));
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
        .find(|(name, _)| name.as_bytes() == bytes)
        .or_else(|| {
            bucket
                .iter()
                .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(bytes))
        })
        .map(|(_, m)| *m)
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
    remember(&MEMO, options.as_ptr() as usize, key.trim(), |word| {
        compute_suggestion(options, word)
    })
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
    let jw = strsim::jaro_winkler(word, cand);
    if jw >= 0.88 {
        return Some(jw);
    }
    // The edit distance only when it can be small enough: it is at least
    // the difference of the lengths (and costs an allocation per pair).
    let most = match cand.len() {
        ..5 => return None,
        5..10 => 2,
        _ => 3,
    };
    if word.chars().count().abs_diff(cand.chars().count()) > most {
        return None;
    }
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
