//! Phase 2 — **options**: the catalog of every option connstr knows (canonical
//! name, aliases, value type, default, secret flag, description), and the
//! resolution of parsed entries into an [`OptionSet`]. One table; the CLI's
//! help, the did-you-mean suggestions and the docs read from it.
//!
//! * [`catalog()`] — the table ([`OptionSpec`] rows), [`lookup`], [`suggest`].
//! * [`OptionSet`] — a target's options: every occurrence with its origin,
//!   the winning one marked, unknown keys kept, `DSN=` resolved
//!   ([`OptionSet::resolve`]) against odbc.ini files found as unixODBC does
//!   ([`OdbcPaths`]).
//! * [`secret_spans`] — where the secrets are in a document, including those
//!   swallowed by another value ([`hidden_pairs`]) and those inside URLs
//!   ([`url_secrets`]).

mod autorest;
mod catalog;
pub mod drivers;
mod hidden;
mod memo;
mod method;
mod odbcini;
mod origin;
mod resolve;

pub(crate) use catalog::best_match;
pub use catalog::{
    Choice, KeyMatch, MatchedBy, Methods, OptionSpec, Suggestion, Sure, ValueKind, catalog, lookup,
    resolve_key, sole_suggestion, suggest, suggestions_in,
};
pub use hidden::{
    HiddenPair, UrlSecret, hidden_pairs, is_secret_key, scan_region, secret_spans, url_secrets,
};
pub(crate) use hidden::{
    entry_secret_spans, list_secret_spans, merge_spans, occurrence_secret_spans, unparsed_secrets,
};
pub use method::AuthMethod;
pub use odbcini::{
    BadStart, IndexedIni, IniFile, IniIndex, IniScope, NON_DSN_SECTIONS, OdbcPaths, StartProblem,
    file_mode, find_dsn, find_indexed_dsn, first_line_problem, is_dsn_section,
};
pub use origin::Origin;
pub(crate) use resolve::has_line_break;
pub use resolve::{Layer, Occurrence, OptionSet, ResolveProblem};
