//! Phase 3 — **plan**: validation. Entries + the option catalog → a typed
//! [`AuthPlan`] and every problem as a diagnostic.
//!
//! * [`Checker`] / [`check_text`] — the whole pipeline for a run: texts in,
//!   one [`Target`] per connection string, JDBC URL or DSN out, each with its
//!   resolved options, its plan (when valid) and its diagnostics.
//! * [`validate`] — one [`OptionSet`](crate::options::OptionSet) → plan +
//!   diagnostics; [`syntax_diagnostic`] and [`resolve_diagnostics`] turn the
//!   earlier phases' problems into diagnostics.
//! * [`lints`] — one file per lint (its documentation, metadata and check),
//!   listed by a registry: [`lints::LINTS`].
//! * value parsers: [`parse_auth_method`], [`parse_token_uri`], …
//!
//! No diagnostic ever holds a secret value: messages name the option instead.
//!
//! # Layout
//!
//! ```text
//! src/plan/check/         the run: Checker, Report, Target (mod.rs); pipeline.rs, then
//!                         ini.rs (odbc.ini data sources), strings.rs (connection strings,
//!                         JDBC URLs), secrets.rs, odbcinst.rs, odbcinst_file.rs
//! src/plan/recognise.rs   which driver profile judges each target
//! src/plan/validate.rs    one OptionSet → plan + diagnostics (runs the lints' checks)
//! src/plan/cx.rs          the validation state the lints read
//! src/plan/build/         the plan: the method, then what it needs (oauth.rs: OAuth 2.0)
//! src/plan/lints/         one file per lint (see its module docs: adding a lint),
//!                         fixtures in fixtures/lints/<lint-name>/
//! src/plan/values.rs      typed option values (AuthenticationMethod, TokenURI, …)
//! src/plan/types.rs       the AuthPlan types; transport.rs its transport settings
//! src/plan/model.rs       the Model file (RESTConfigFile); custom/ a custom login
//! src/plan/validate_tests/ the validation tests, one file per topic
//! ```
//!
//! Driver profiles (what each driver reads) are data in
//! [`crate::options::drivers`], not here: adding a driver touches no file of
//! this phase.

mod build;
mod check;
mod custom;
mod cx;
mod diag;
pub mod model;
#[macro_use]
pub mod lints;
mod recognise;
mod transport;
mod types;
mod validate;
#[cfg(test)]
mod validate_tests;
mod values;

pub use crate::diagnostic::SourceId;
pub use check::{
    Checker, Report, Retain, Target, TargetKind, Unreadable, check_text, detect_form, is_odbcinst,
    is_odbcinst_name, parse_as,
};
pub use custom::{
    CustomCredential, CustomFlow, CustomRequest, JsonTemplate, Piece, Placement, StepAt, Template,
    Var,
};
pub use lints::syntax::syntax_diagnostic;
pub use recognise::OdbcinstDrivers;
pub use transport::{
    DEFAULT_RETRY_COUNT, DEFAULT_TIMEOUT, Proxy, Tls, TlsVersion, Transport, default_origin,
    parse_tls_versions,
};
pub use types::*;
pub use validate::{resolve_diagnostics, validate, validate_with_model};

/// The lints' former module name: [`lints`].
#[doc(hidden)]
pub use lints as lint;
pub use values::{
    TokenUriError, UrlError, is_loopback, parse_auth_method, parse_bool,
    parse_client_credentials_mode, parse_http_url, parse_scopes, parse_token_uri,
    suggest_auth_method, suggest_client_credentials_mode,
};
