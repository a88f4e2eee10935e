//! What one row of the option table is ([`OptionSpec`]): its names, value
//! type ([`ValueKind`], [`Choice`]), default, secret flag, the methods that
//! use it ([`Methods`]) and how sure each fact is ([`Sure`]), with the
//! `const` builders the tables (`autorest.rs`, `drivers/<driver>.rs`) are
//! written with.

use super::CATALOG;
use crate::options::AuthMethod;

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

    /// This row's position in [`catalog()`](crate::options::catalog()) (`None` for a row built
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
