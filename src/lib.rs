//! # connstr
//!
//! Parse, check, explain and execute DataDirect-style connector configuration:
//! ODBC connection strings, JDBC URLs (`jdbc:datadirect:autorest:…`) and
//! odbc.ini files, and the OAuth 2.0 grants they describe.
//!
//! Data flows one way through five phases, each a module with one job; no phase
//! reaches back up:
//!
//! ```text
//! text ──> syntax ──> options ──> plan ──> grant ──> apply
//! ```
//!
//! 1. [`syntax`] — lossless parsers: every key and value keeps its span, and a
//!    parsed document prints back byte for byte.
//! 2. [`options`] — the catalog: names, aliases, value types, secrets.
//! 3. [`plan`] — validation into a typed [`plan::AuthPlan`], with diagnostics.
//! 4. [`grant`] — the OAuth 2.0 grant on the wire, the token store and cache.
//! 5. [`apply`] — credentials onto outgoing requests and ODBC connection strings.
//!
//! The library prints nothing; the `connstr` binary renders what it returns.
//! Secrets travel as [`Secret`], which never prints its value.

#![warn(missing_docs)]

pub mod apply;
pub mod diagnostic;
pub mod grant;
pub mod options;
mod par;
pub mod plan;
pub mod report;
mod secret;
pub mod syntax;
mod text;
pub mod transport;

pub use secret::{REDACTED, Secret};

/// The README's Rust examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
