//! Phase 3 — **plan**: validation. Entries + the option catalog → a typed
//! [`AuthPlan`] and every problem as a diagnostic.

mod diag;
pub mod lint;
mod types;
mod validate;
mod values;

pub use crate::diagnostic::SourceId;
pub use types::*;
pub use validate::{resolve_diagnostics, syntax_diagnostic, validate};
pub use values::{
    TokenUriError, UrlError, is_loopback, parse_auth_method, parse_bool,
    parse_client_credentials_mode, parse_http_url, parse_scopes, parse_token_uri,
    suggest_auth_method, suggest_client_credentials_mode,
};
