//! `dsn-list-mismatch` (`connstr check --installed`): `[ODBC Data Sources]`
//! and the data source sections disagree. Checked by
//! `apply::odbc::check_installed`; declared here for `--deny`/`--allow`, the
//! docs and SARIF.

declare_lint! {
    /// ### What it does
    /// With `--installed`: reports a data source listed in `[ODBC Data
    /// Sources]` without a section of its own, and a section the list does
    /// not name.
    ///
    /// ### Why it matters
    /// Tools that list data sources (`SQLDataSources`, `odbcinst -q -s`,
    /// the ODBC administrator) show what the list says, not what the file
    /// defines: users see data sources that do not exist, or miss ones that
    /// do.
    ///
    /// ### Example
    /// ```text
    /// [ODBC Data Sources]
    /// sales = SQLite3
    ///
    /// [inventory]
    /// Driver=SQLite3
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [ODBC Data Sources]
    /// inventory = SQLite3
    ///
    /// [inventory]
    /// Driver=SQLite3
    /// ```
    name: "dsn-list-mismatch",
    severity: Warning,
    description: "--installed: [ODBC Data Sources] and the DSN sections disagree",
}
