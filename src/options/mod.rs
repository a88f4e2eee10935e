//! Phase 2 — **options**: the catalog of every option connstr knows (canonical
//! name, aliases, value type, default, secret flag, description). One table; the
//! CLI's help, the did-you-mean suggestions and the docs read from it.
//!
//! * [`catalog`] — the table ([`OptionSpec`] rows), [`lookup`], [`suggest`].

mod catalog;

pub use catalog::{
    KeyMatch, MatchedBy, Methods, OptionSpec, ValueKind, catalog, lookup, resolve_key, suggest,
};
