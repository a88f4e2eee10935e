//! Phase 5 — **apply**: puts the plan's credentials on outgoing requests and
//! hands ODBC drivers their final connection string.
#[cfg(feature = "odbc")]
pub mod odbc;
