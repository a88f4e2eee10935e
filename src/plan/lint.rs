//! The lints: stable names, default severities and what each one means.
//!
//! The names are part of connstr's interface (JSON output, `--deny`,
//! documentation); they never change once released.

use crate::diagnostic::Severity;

/// A lint's name, severity and one-line description.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LintInfo {
    /// The stable name.
    pub name: &'static str,
    /// Its usual severity (`syntax` is a warning for an over-long odbc.ini line).
    pub severity: Severity,
    /// What it reports.
    pub description: &'static str,
}

/// The text cannot be read as written.
pub const SYNTAX: &str = "syntax";
/// A key connstr does not know (with a did-you-mean).
pub const UNKNOWN_KEY: &str = "unknown-key";
/// The same option given more than once.
pub const DUPLICATE_KEY: &str = "duplicate-key";
/// An option the authentication method needs is not set.
pub const MISSING_REQUIRED: &str = "missing-required";
/// A value that is not valid for its option.
pub const INVALID_VALUE: &str = "invalid-value";
/// An option the chosen authentication method does not use.
pub const IGNORED_KEY: &str = "ignored-key";
/// A value that swallowed the next pair (a missing `;`).
pub const SWALLOWED_SEPARATOR: &str = "swallowed-separator";
/// TokenURI requested with GET.
pub const TOKEN_URI_GET: &str = "token-uri-get";
/// A secret in a URL: the client secret sent in the token request's URL
/// (ClientCredentialsMode All/Url), or written in a URL option.
pub const SECRET_IN_URL: &str = "secret-in-url";
/// A plain `http://` TokenURI or AuthURI to another machine.
pub const INSECURE_URL: &str = "insecure-url";
/// Legacy names: `OAuth2`, `OAuth2-Password`, `RTK`, `ATK`, `LogonID`.
pub const DEPRECATED: &str = "deprecated";
/// An odbc.ini readable by other users that holds a secret.
pub const WORLD_READABLE_SECRET: &str = "world-readable-secret";
/// `DSN=` names no data source.
pub const UNKNOWN_DSN: &str = "unknown-dsn";
/// An odbc.ini line of a data source that starts with blanks: unixODBC reads
/// it from a user odbc.ini but skips it in the system odbc.ini.
pub const INDENTED_LINE: &str = "indented-line";
/// `connstr check --installed`: a DSN's driver is not installed or its
/// library does not load. Reported by `apply::odbc::check_installed` (the
/// plan layer only names it, for `--deny`/`--allow` and the docs).
pub const DRIVER_NOT_FOUND: &str = "driver-not-found";
/// `connstr check --installed`: `[ODBC Data Sources]` and the DSN sections
/// disagree. Reported by `apply::odbc::check_installed`.
pub const DSN_LIST_MISMATCH: &str = "dsn-list-mismatch";

/// Every lint, in the order `connstr check` documents them.
pub const LINTS: &[LintInfo] = &[
    LintInfo {
        name: SYNTAX,
        severity: Severity::Error,
        description: "the text cannot be read as written (an over-long odbc.ini line is a warning)",
    },
    LintInfo {
        name: UNKNOWN_KEY,
        severity: Severity::Warning,
        description: "a key connstr does not know, with a did-you-mean",
    },
    LintInfo {
        name: DUPLICATE_KEY,
        severity: Severity::Warning,
        description: "an option given more than once; says which occurrence is used",
    },
    LintInfo {
        name: MISSING_REQUIRED,
        severity: Severity::Error,
        description: "an option the authentication method needs is not set",
    },
    LintInfo {
        name: INVALID_VALUE,
        severity: Severity::Error,
        description: "a value that is not valid for its option",
    },
    LintInfo {
        name: IGNORED_KEY,
        severity: Severity::Warning,
        description: "an option the chosen authentication method does not use",
    },
    LintInfo {
        name: SWALLOWED_SEPARATOR,
        severity: Severity::Error,
        description: "a value runs over a line break or swallows the next `Key=`: a `;` is missing",
    },
    LintInfo {
        name: TOKEN_URI_GET,
        severity: Severity::Warning,
        description: "the token endpoint is requested with GET; OAuth 2.0 requires POST",
    },
    LintInfo {
        name: SECRET_IN_URL,
        severity: Severity::Warning,
        description: "a secret in a URL: ClientCredentialsMode All or Url, a secret query parameter or user:password@ in a URL option",
    },
    LintInfo {
        name: INSECURE_URL,
        severity: Severity::Warning,
        description: "TokenURI or AuthURI uses plain http:// to another machine",
    },
    LintInfo {
        name: DEPRECATED,
        severity: Severity::Warning,
        description: "legacy OAuth2, the password grant, or an old option name",
    },
    LintInfo {
        name: WORLD_READABLE_SECRET,
        severity: Severity::Warning,
        description: "an odbc.ini that other users can read holds a secret",
    },
    LintInfo {
        name: UNKNOWN_DSN,
        severity: Severity::Error,
        description: "a DSN that no odbc.ini searched defines",
    },
    LintInfo {
        name: INDENTED_LINE,
        severity: Severity::Warning,
        description: "an odbc.ini line starts with blanks: unixODBC skips it in the system odbc.ini (a user odbc.ini keeps it)",
    },
    LintInfo {
        name: DRIVER_NOT_FOUND,
        severity: Severity::Error,
        description: "--installed: a DSN's Driver= is not an installed driver, or its library does not load",
    },
    LintInfo {
        name: DSN_LIST_MISMATCH,
        severity: Severity::Warning,
        description: "--installed: [ODBC Data Sources] and the DSN sections disagree",
    },
];

/// The lint named `name`.
///
/// ```
/// use connstr::plan::lint;
/// assert_eq!(lint::info("token-uri-get").unwrap().name, lint::TOKEN_URI_GET);
/// assert!(lint::info("nope").is_none());
/// ```
pub fn info(name: &str) -> Option<&'static LintInfo> {
    LINTS.iter().find(|l| l.name == name)
}
