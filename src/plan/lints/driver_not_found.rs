//! `driver-not-found` (`connstr check --installed`): a data source's driver
//! is not installed, or its library does not load. Checked by
//! `apply::odbc::check_installed`; declared here for `--deny`/`--allow`, the
//! docs and SARIF.

declare_lint! {
    /// ### What it does
    /// With `--installed`: reports a data source whose `Driver=` names no
    /// driver section of odbcinst.ini (as unixODBC looks it up), or whose
    /// library file is missing or does not load.
    ///
    /// ### Why it matters
    /// Every connection to that data source fails with the driver manager's
    /// `IM002`/`01000` errors, whatever its other options say.
    ///
    /// ### Example
    /// ```text
    /// [sales]
    /// Driver=SQLite3 ODBC                  # odbcinst.ini names it [SQLite3]
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [sales]
    /// Driver=SQLite3
    /// ```
    name: "driver-not-found",
    severity: Error,
    description: "--installed: a DSN's Driver= is not an installed driver, or its library does not load",
}
