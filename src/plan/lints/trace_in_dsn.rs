//! `trace-in-dsn`: `Trace`/`TraceFile` in an odbc.ini data source section,
//! where unixODBC does not read them.

declare_lint! {
    /// ### What it does
    /// Notes `Trace` and `TraceFile` in an odbc.ini data source section.
    /// `TraceFile` is left alone when the data source's `Driver` is the
    /// SQLite ODBC driver, which reads a `TraceFile` of its own there.
    ///
    /// ### Why it matters
    /// unixODBC reads its trace settings only from the `[ODBC]` section of
    /// odbcinst.ini (`Trace=Yes`, `TraceFile=/tmp/sql.log`): in a data
    /// source section they turn nothing on, and someone debugging a
    /// connection waits for a log that never comes. unixODBC 2.3.11 lists
    /// them among the data source's keys like any other (`odbcinst -q -s -n`,
    /// `fixtures/odbc/differential/trace-in-dsn`), so nothing warns.
    /// Measured with `isql` and the SQLite ODBC driver: `Trace=Yes` and
    /// `TraceFile=` in the data source wrote no driver manager trace; the
    /// same two lines under `[ODBC]` of odbcinst.ini did (`[ODBC][pid]…`
    /// records); the file the data source's `TraceFile` named was written by
    /// the SQLite driver itself (its SQL statements). A note,
    /// not a warning: DataDirect's own driver manager reads `Trace` and
    /// `TraceFile` from the `[ODBC]` section of *odbc.ini*, and a few drivers
    /// read a trace key of their own (sqliteodbc's `TraceFile`).
    ///
    /// ### Example
    /// ```text
    /// [sales]
    /// Driver=DataDirect 8.0 Autonomous REST Connector
    /// Trace=Yes
    /// TraceFile=/tmp/sales.log
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// # odbcinst.ini
    /// [ODBC]
    /// Trace=Yes
    /// TraceFile=/tmp/sql.log
    /// ```
    ///
    /// ### References
    /// unixODBC `DriverManager/SQLAllocHandle.c` (trace settings read with
    /// `SQLGetPrivateProfileString("ODBC", "Trace", …, "ODBCINST.INI")`);
    /// DRIVERS.md §1.2, §1.4; OPTIONS.md §6.
    name: "trace-in-dsn",
    severity: Note,
    description: "Trace/TraceFile in an odbc.ini data source section: unixODBC reads them only from [ODBC] in odbcinst.ini",
}

use crate::diagnostic::Severity;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// Whether `key` is one of the driver manager's trace keys, which unixODBC
/// reads only from `[ODBC]` of odbcinst.ini.
pub(crate) fn is_trace_key(key: &str) -> bool {
    let key = crate::text::trim(key);
    key.eq_ignore_ascii_case("Trace") || key.eq_ignore_ascii_case("TraceFile")
}

/// Every `Trace`/`TraceFile` of an odbc.ini data source section in the set.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let set = cx.set;
    // A driver that reads the key itself (sqliteodbc's TraceFile).
    let own = cx.driver().filter(|p| !p.is_autorest());
    for o in set.all() {
        if !cx.is_ini(o) || !is_trace_key(o.key()) {
            continue;
        }
        if own.is_some_and(|p| p.lookup(o.key()).is_some()) {
            continue;
        }
        let key = o.key().trim().to_owned();
        let d = Diag::new(
            lints::TRACE_IN_DSN,
            Severity::Note,
            format!("{key} does nothing in a data source section: unixODBC reads it only from [ODBC] in odbcinst.ini"),
            o.source(),
            o.entry.key,
            "not read here",
        )
        .help(format!(
            "to trace, set `{key}=…` in the [ODBC] section of odbcinst.ini (`odbcinst -j` shows where it is); remove it here"
        ))
        .key(key)
        .section(cx.section(o));
        cx.push(d);
    }
}
