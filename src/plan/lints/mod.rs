//! The lints: one file per lint, each with its documentation, its metadata
//! and its check; this module only lists them.
//!
//! # Layout
//!
//! ```text
//! src/plan/lints/mod.rs            this registry: LINTS, the name constants, the check lists
//! src/plan/lints/<lint_name>.rs    one lint: `declare_lint!` (doc + metadata) and its check
//! fixtures/lints/<lint-name>/      its fixtures: triggering cases and `ok-*` clean cases
//! ```
//!
//! # Adding a lint
//!
//! 1. Write `src/plan/lints/<lint_name>.rs`: a `declare_lint!` whose doc
//!    comment has the sections *What it does*, *Why it matters*, *Example*,
//!    *Use instead* (and *References* when there are any), then its check:
//!    a function of `Cx` (`src/plan/cx.rs`), the validation state.
//! 2. Add `mod <lint_name>;`, a name constant and the lint's `LINT` to
//!    [`LINTS`] below, and its check to the list that matches what it needs:
//!    `OPTION_CHECKS` (the options as given), `GRANT_CHECKS` (an OAuth
//!    2.0 grant, once built) or `METHOD_CHECKS` (the authentication method,
//!    after the plan is built). A lint checked elsewhere (resolution, an
//!    odbc.ini's layout, `--installed`) only declares itself here.
//! 3. Add `fixtures/lints/<lint-name>/` with a triggering and an `ok-*` case
//!    (`BLESS=1 cargo test --test lint_fixtures` writes their expectations),
//!    and a line to the lints list of README.md.
//!
//! The names are part of connstr's interface (JSON output, `--deny`,
//! SARIF rule ids, documentation); they never change once released.

use crate::diagnostic::Severity;

use super::cx::Cx;
use super::types::Grant;
use crate::options::AuthMethod;

/// Declares a lint: its doc comment (the rule's documentation, in the
/// sections *What it does*, *Why it matters*, *Example*, *Use instead*) and
/// its metadata become one `pub const LINT:` [`LintInfo`]. The doc comment is
/// kept as data ([`LintInfo::doc`]), for `connstr` and SARIF.
macro_rules! declare_lint {
    (
        $(#[doc = $doc:literal])*
        name: $name:literal,
        severity: $severity:ident,
        description: $description:literal,
    ) => {
        $(#[doc = $doc])*
        pub const LINT: $crate::plan::lints::LintInfo = $crate::plan::lints::LintInfo {
            name: $name,
            severity: $crate::diagnostic::Severity::$severity,
            description: $description,
            doc: concat!($($doc, "\n"),*),
        };
    };
}

pub mod custom_auth;
pub mod databricks_auth_flow;
pub mod deprecated;
pub mod driver_not_found;
pub mod dsn_list_mismatch;
pub mod duplicate_key;
pub mod header_collision;
pub mod ignored_key;
pub mod indented_line;
pub mod insecure_url;
pub mod invalid_value;
pub mod invisible_data_sources;
pub mod jwt_signing_key;
pub mod long_and_short_name;
pub mod missing_required;
pub mod model_choice;
pub mod model_entry;
pub mod model_oauth_conflict;
pub mod model_syntax;
pub mod model_unreadable;
pub mod mssql_port;
pub mod mysql_text_boolean;
pub mod non_utf8;
pub mod psqlodbc_ini_spelling;
pub mod psqlodbc_sslmode_letter;
pub mod secret_in_model;
pub mod secret_in_url;
pub mod snowflake_config_key;
pub mod swallowed_separator;
pub mod syntax;
pub mod tls_verification_off;
pub mod token_uri_get;
pub mod trace_in_dsn;
pub mod unknown_dsn;
pub mod unknown_key;
pub mod world_readable_secret;

/// A lint's metadata: name, default severity, one-line and full description.
///
/// ```
/// use connstr::plan::lints;
/// let l = lints::info("token-uri-get").unwrap();
/// assert_eq!(l.name, lints::TOKEN_URI_GET);
/// assert!(l.section("Why it matters").unwrap().contains("POST"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LintInfo {
    /// The stable name (the SARIF rule id).
    pub name: &'static str,
    /// Its default severity (`syntax` is a warning for an over-long odbc.ini line).
    pub severity: Severity,
    /// What it reports, in one line (SARIF `shortDescription`).
    pub description: &'static str,
    /// The rule's documentation, Markdown: `### What it does`, `### Why it
    /// matters`, `### Example`, `### Use instead`. Each line keeps the one
    /// blank that follows `///` in the source ([`LintInfo::doc_text`]
    /// removes it).
    #[serde(skip)]
    pub doc: &'static str,
}

impl LintInfo {
    /// The documentation as Markdown text.
    pub fn doc_text(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_owned()
    }

    /// The body of one section of the documentation (`"What it does"`,
    /// `"Why it matters"`, `"Example"`, `"Use instead"`, `"References"`),
    /// trimmed.
    pub fn section(&self, title: &str) -> Option<String> {
        let text = self.doc_text();
        let mut found = None;
        let mut body = String::new();
        for line in text.lines() {
            if let Some(h) = line.strip_prefix("### ") {
                if found.is_some() {
                    break;
                }
                if h.trim().eq_ignore_ascii_case(title) {
                    found = Some(());
                }
                continue;
            }
            if found.is_some() {
                body.push_str(line);
                body.push('\n');
            }
        }
        found.map(|()| body.trim().to_owned())
    }

    /// What it does and why it matters (SARIF `fullDescription`).
    pub fn full_description(&self) -> String {
        let what = self.section("What it does").unwrap_or_default();
        match self.section("Why it matters") {
            Some(why) => format!("{what}\n\n{why}"),
            None => what,
        }
    }

    /// How to fix what it reports: the *Use instead* section (SARIF `help`).
    pub fn help(&self) -> String {
        self.section("Use instead").unwrap_or_default()
    }
}

/// The text cannot be read as written.
pub const SYNTAX: &str = syntax::LINT.name;
/// A key connstr does not know (with a did-you-mean).
pub const UNKNOWN_KEY: &str = unknown_key::LINT.name;
/// The same option given more than once.
pub const DUPLICATE_KEY: &str = duplicate_key::LINT.name;
/// An option the authentication method needs is not set.
pub const MISSING_REQUIRED: &str = missing_required::LINT.name;
/// A value that is not valid for its option.
pub const INVALID_VALUE: &str = invalid_value::LINT.name;
/// An option the chosen authentication method does not use.
pub const IGNORED_KEY: &str = ignored_key::LINT.name;
/// A value that swallowed the next pair (a missing `;`).
pub const SWALLOWED_SEPARATOR: &str = swallowed_separator::LINT.name;
/// TokenURI requested with GET.
pub const TOKEN_URI_GET: &str = token_uri_get::LINT.name;
/// A secret in a URL.
pub const SECRET_IN_URL: &str = secret_in_url::LINT.name;
/// A plain `http://` TokenURI or AuthURI to another machine.
pub const INSECURE_URL: &str = insecure_url::LINT.name;
/// The JWT bearer grant's JWTCertStore cannot sign an assertion.
pub const JWT_SIGNING_KEY: &str = jwt_signing_key::LINT.name;
/// ValidateServerCertificate=0: any server certificate is accepted.
pub const TLS_VERIFICATION_OFF: &str = tls_verification_off::LINT.name;
/// Legacy names: `OAuth2`, `OAuth2-Password`, `RTK`, `ATK`, `LogonID`.
pub const DEPRECATED: &str = deprecated::LINT.name;
/// An odbc.ini readable by other users that holds a secret.
pub const WORLD_READABLE_SECRET: &str = world_readable_secret::LINT.name;
/// `DSN=` names no data source.
pub const UNKNOWN_DSN: &str = unknown_dsn::LINT.name;
/// An indented odbc.ini line (skipped in the system odbc.ini).
pub const INDENTED_LINE: &str = indented_line::LINT.name;
/// An odbc.ini unixODBC reads no data source from (its first line is not a header).
pub const INVISIBLE_DATA_SOURCES: &str = invisible_data_sources::LINT.name;
/// `Trace`/`TraceFile` in a data source section (unixODBC reads them from odbcinst.ini).
pub const TRACE_IN_DSN: &str = trace_in_dsn::LINT.name;
/// `--installed`: a DSN's driver is not installed or does not load.
pub const DRIVER_NOT_FOUND: &str = driver_not_found::LINT.name;
/// `--installed`: `[ODBC Data Sources]` and the DSN sections disagree.
pub const DSN_LIST_MISMATCH: &str = dsn_list_mismatch::LINT.name;

/// A byte that is not UTF-8 in a key, a section name, a driver or a URL.
pub const NON_UTF8: &str = non_utf8::LINT.name;

/// The Model file cannot be read as written.
pub const MODEL_SYNTAX: &str = model_syntax::LINT.name;
/// The Model file named by RESTConfigFile cannot be read.
pub const MODEL_UNREADABLE: &str = model_unreadable::LINT.name;
/// A `#` entry of the Model file with the wrong shape or value.
pub const MODEL_ENTRY: &str = model_entry::LINT.name;
/// A custom login step that can never be sent, or a variable with nothing to fill it.
pub const CUSTOM_AUTH: &str = custom_auth::LINT.name;
/// OAuth 2.0 entries and `#authentication` in one Model file.
pub const MODEL_OAUTH_CONFLICT: &str = model_oauth_conflict::LINT.name;
/// A credential typed into the Model file.
pub const SECRET_IN_MODEL: &str = secret_in_model::LINT.name;
/// A Model file `#headers` entry that sets the credential's header.
pub const HEADER_COLLISION: &str = header_collision::LINT.name;
/// AuthenticationMethod outside the Model file's `choices`.
pub const MODEL_CHOICE: &str = model_choice::LINT.name;

/// Databricks `AuthMech=11` without `Auth_Flow`.
pub const DATABRICKS_AUTH_FLOW: &str = databricks_auth_flow::LINT.name;
/// A psqlODBC key in odbc.ini under a spelling psqlODBC does not read there.
pub const PSQLODBC_INI_SPELLING: &str = psqlodbc_ini_spelling::LINT.name;
/// A MySQL numeric option written as a word (read as 0).
pub const MYSQL_TEXT_BOOLEAN: &str = mysql_text_boolean::LINT.name;
/// A psqlODBC SSLmode whose first letter makes it `disable`.
pub const PSQLODBC_SSLMODE_LETTER: &str = psqlodbc_sslmode_letter::LINT.name;
/// `Port` for Microsoft's SQL Server driver.
pub const MSSQL_PORT: &str = mssql_port::LINT.name;
/// A DataDirect option under its long and its short name.
pub const LONG_AND_SHORT_NAME: &str = long_and_short_name::LINT.name;
/// A simba.snowflake.ini parameter in a Snowflake data source.
pub const SNOWFLAKE_CONFIG_KEY: &str = snowflake_config_key::LINT.name;

/// Every lint, in the order `connstr check` documents them.
pub const LINTS: &[LintInfo] = &[
    syntax::LINT,
    unknown_key::LINT,
    duplicate_key::LINT,
    missing_required::LINT,
    invalid_value::LINT,
    ignored_key::LINT,
    swallowed_separator::LINT,
    token_uri_get::LINT,
    secret_in_url::LINT,
    insecure_url::LINT,
    tls_verification_off::LINT,
    deprecated::LINT,
    world_readable_secret::LINT,
    unknown_dsn::LINT,
    indented_line::LINT,
    invisible_data_sources::LINT,
    trace_in_dsn::LINT,
    driver_not_found::LINT,
    dsn_list_mismatch::LINT,
    non_utf8::LINT,
    model_syntax::LINT,
    model_unreadable::LINT,
    model_entry::LINT,
    custom_auth::LINT,
    model_oauth_conflict::LINT,
    secret_in_model::LINT,
    header_collision::LINT,
    model_choice::LINT,
    jwt_signing_key::LINT,
    long_and_short_name::LINT,
    databricks_auth_flow::LINT,
    psqlodbc_ini_spelling::LINT,
    psqlodbc_sslmode_letter::LINT,
    mysql_text_boolean::LINT,
    mssql_port::LINT,
    snowflake_config_key::LINT,
];

/// Checks on the options as given, run first, in this order, on every
/// target.
pub(super) const OPTION_CHECKS: &[fn(&mut Cx<'_>)] = &[
    unknown_key::check,
    duplicate_key::check,
    deprecated::check_names,
    swallowed_separator::check,
    invalid_value::check_stray_semicolons,
    invalid_value::check_braced_driver,
    secret_in_url::check_url_options,
    world_readable_secret::check,
    trace_in_dsn::check,
    model_unreadable::check,
    model_choice::check,
];

/// The driver-independent checks, run in this order on a target whose
/// driver is not Autonomous REST (or has no profile): unknown keys against
/// the driver's own catalog, repeated keys, separators, odbc.ini layout,
/// file permissions. An Autonomous REST target runs them as part of
/// [`OPTION_CHECKS`].
pub(super) const COMMON_CHECKS: &[fn(&mut Cx<'_>)] = &[
    unknown_key::check,
    duplicate_key::check,
    swallowed_separator::check,
    invalid_value::check_stray_semicolons,
    invalid_value::check_braced_driver,
    world_readable_secret::check,
    trace_in_dsn::check,
];

/// Driver lints: run on every target, whatever its driver, after the
/// others. Each checks `cx.driver()` (the target's profile) and returns at
/// once for a driver it is not about. A lint about one driver's keys goes
/// here.
pub(super) const DRIVER_CHECKS: &[fn(&mut Cx<'_>)] = &[
    unknown_key::check_obsolete,
    invalid_value::check_profile_values,
    long_and_short_name::check,
    databricks_auth_flow::check,
    psqlodbc_ini_spelling::check,
    psqlodbc_sslmode_letter::check,
    mysql_text_boolean::check,
    mssql_port::check,
    snowflake_config_key::check,
    tls_verification_off::check_driver,
];

/// Checks on an OAuth 2.0 grant, run in this order once it is built.
pub(super) const GRANT_CHECKS: &[fn(&mut Cx<'_>, &Grant)] = &[
    token_uri_get::check,
    insecure_url::check,
    deprecated::check_method,
    jwt_signing_key::check,
];

/// Checks that need the authentication method, run in this order after the
/// plan is built (whether or not it could be; `None`: the method itself is
/// not valid).
pub(super) const METHOD_CHECKS: &[fn(&mut Cx<'_>, Option<AuthMethod>)] =
    &[ignored_key::check, invalid_value::check_shared_options];

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lint_is_documented_in_the_four_sections() {
        for l in LINTS {
            for s in ["What it does", "Why it matters", "Example", "Use instead"] {
                assert!(
                    l.section(s).is_some_and(|b| !b.is_empty()),
                    "{}: no `### {s}` section",
                    l.name
                );
            }
            assert!(!l.description.is_empty(), "{}", l.name);
        }
    }

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for l in LINTS {
            assert!(seen.insert(l.name), "{} listed twice", l.name);
            assert!(
                l.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()),
                "{}",
                l.name
            );
        }
    }

    #[test]
    fn every_lint_file_is_listed() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/plan/lints");
        for entry in std::fs::read_dir(dir).expect("the lints folder") {
            let name = entry.expect("an entry").file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".rs")) else {
                continue;
            };
            if stem == "mod" {
                continue;
            }
            let lint = stem.replace('_', "-");
            assert!(
                info(&lint).is_some(),
                "src/plan/lints/{stem}.rs is not in LINTS"
            );
        }
    }
}
