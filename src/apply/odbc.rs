//! ODBC through the driver manager (unixODBC), behind the `odbc` feature.
//!
//! * [`DriverManagerFiles`], [`sections`] — the files unixODBC reads, and their
//!   sections as it sees them (first section of a name, first key);
//! * [`list_drivers`], [`list_data_sources`] — what the driver manager lists,
//!   beside where each item is in the files;
//! * [`check_installed`] — the `driver-not-found` and `dsn-list-mismatch`
//!   lints of `connstr check --installed`;
//! * [`handoff_for`], [`with_access_token`] — how an access token reaches a
//!   driver, one table row per driver family;
//! * [`connect`] — `SQLDriverConnect`, driver name and version, a query's
//!   result as text, with secrets masked in everything returned.
//!
//! ```
//! use connstr::apply::odbc::{handoff_for, redact_connection_string, with_access_token};
//! use connstr::Secret;
//! let h = handoff_for("DataDirect 8.0 Autonomous REST Connector").unwrap();
//! let cs = with_access_token("DSN=sales", h, &Secret::new("eyJhbGciOi"));
//! assert_eq!(
//!     redact_connection_string(cs.expose()),
//!     "DSN=sales;AuthenticationMethod=OAuth2-AccessToken;AccessToken=<redacted>"
//! );
//! ```

mod connect;
mod files;
mod handoff;
mod installed;
mod listing;

pub use connect::{
    ConnectOptions, ConnectReport, OdbcError, Table, connect, redact_connection_string,
};
pub use files::{DriverManagerFiles, IniSection, find_section, sections};
pub use handoff::{HandoffValue, TOKEN_HANDOFFS, TokenHandoff, handoff_for, with_access_token};
pub use installed::{
    DRIVER_NOT_FOUND, DSN_LIST_MISMATCH, DlopenLoader, LibraryLoader, check_installed,
    check_installed_with,
};
pub use listing::{
    DriverListing, DsnListing, DsnScope, IniLocation, list_data_sources, list_drivers,
};
