//! `snowflake-config-key`: a Snowflake driver configuration parameter
//! (`simba.snowflake.ini`) written in a data source or connection string.

declare_lint! {
    /// ### What it does
    /// Reports, in a Snowflake data source or connection string, a key that
    /// is one of the driver's *configuration* parameters: `CABundleFile`,
    /// `DisableOCSPCheck`, `LogLevel`, `LogPath`, `SSLVersion`, `NoProxy`,
    /// `DriverManagerOverride`, … The driver reads those from
    /// `simba.snowflake.ini` (on Windows from the registry key
    /// `HKLM\SOFTWARE\Snowflake\Driver`), not from odbc.ini.
    ///
    /// ### Why it matters
    /// The line does nothing where it is: the CA bundle is not used, the log
    /// level stays as it was. Whoever reads the data source believes
    /// otherwise.
    ///
    /// ### Example
    /// ```text
    /// [snowflake]
    /// Driver=SnowflakeDSIIDriver
    /// server=acme.snowflakecomputing.com
    /// LogLevel=6
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// # odbc.ini
    /// [snowflake]
    /// Driver=SnowflakeDSIIDriver
    /// server=acme.snowflakecomputing.com
    /// tracing=6
    ///
    /// # simba.snowflake.ini (beside the driver's library)
    /// [Driver]
    /// LogLevel=6
    /// ```
    ///
    /// ### References
    /// DRIVERS.md §6.2 (Snowflake: ODBC configuration and connection
    /// parameters).
    name: "snowflake-config-key",
    severity: Warning,
    description: "a simba.snowflake.ini configuration parameter in a Snowflake data source",
}

use crate::diagnostic::Severity;
use crate::options::Sure;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// Keys of a Snowflake target that only `simba.snowflake.ini` is read for.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let Some(p) = cx.driver().filter(|p| p.id == "snowflake") else {
        return;
    };
    let set = cx.set;
    for o in set.all() {
        let Some((spec, _)) = p.resolve_key(o.key().trim()) else {
            continue;
        };
        if spec.odbc != Sure::Absent {
            continue;
        }
        let key = o.key().trim();
        let d = Diag::new(
            lints::SNOWFLAKE_CONFIG_KEY,
            Severity::Warning,
            format!(
                "{key} is a configuration parameter of the Snowflake driver: it is read from simba.snowflake.ini, not from a data source, so it does nothing here"
            ),
            o.source(),
            o.entry.key,
            "not read here",
        )
        .help(format!(
            "move {key} to the [Driver] section of simba.snowflake.ini (Windows: the registry key HKLM\\SOFTWARE\\Snowflake\\Driver)"
        ))
        .key(spec.name)
        .section(cx.section(o));
        cx.push(d);
    }
}
