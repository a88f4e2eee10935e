//! Phase 3 — **plan**: validation. Entries + the option catalog → a typed
//! [`AuthPlan`] and every problem as a diagnostic.

mod types;

pub use crate::diagnostic::SourceId;
pub use types::*;
