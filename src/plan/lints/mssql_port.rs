//! `mssql-port`: `Port` in a Microsoft ODBC Driver for SQL Server data
//! source or connection string; the driver takes the port from `Server`.

declare_lint! {
    /// ### What it does
    /// Reports `Port=` for Microsoft's ODBC Driver 17 or 18 for SQL Server.
    /// It is an error when `Server` has no port of its own and `Port` is not
    /// the default 1433 (the driver connects to the wrong port), a warning
    /// otherwise. It shows the `Server=host,port` to write.
    ///
    /// ### Why it matters
    /// On Linux and macOS `Port` is not a keyword of this driver: the port
    /// goes after a comma in `Server` (`Server=db.internal,14330`). A
    /// `Port` line, common in files copied from FreeTDS or other drivers,
    /// is ignored and the driver tries 1433.
    ///
    /// ### Example
    /// ```text
    /// [mssql]
    /// Driver=ODBC Driver 18 for SQL Server
    /// Server=db.internal
    /// Port=14330
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [mssql]
    /// Driver=ODBC Driver 18 for SQL Server
    /// Server=db.internal,14330
    /// ```
    ///
    /// ### References
    /// DRIVERS.md §5 (Microsoft: Connection String Keywords and Data Source
    /// Names, Linux and macOS).
    name: "mssql-port",
    severity: Warning,
    description: "Port for Microsoft's SQL Server driver, which takes the port in Server=host,port",
}

use crate::diagnostic::Severity;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// The port written in a `Server` value (`[tcp:]host[\instance][,port]`).
fn server_port(server: &str) -> Option<&str> {
    let (_, port) = server.rsplit_once(',')?;
    let port = port.trim();
    (!port.is_empty()).then_some(port)
}

/// `Port` on a Microsoft SQL Server target.
pub(crate) fn check(cx: &mut Cx<'_>) {
    if cx.driver().is_none_or(|p| p.id != "mssql") {
        return;
    }
    let Some(o) = cx.driver_option("Port") else {
        return;
    };
    let port = cx.effective(o);
    let server = cx.driver_option("Server").map(|s| cx.effective(s));
    let in_server = server.and_then(server_port);
    let (severity, why, write) = match (server, in_server) {
        (_, Some(sp)) if sp == port => (
            Severity::Warning,
            "Server already names that port".to_owned(),
            None,
        ),
        (Some(s), Some(sp)) => (
            Severity::Warning,
            format!("the driver uses the port in Server ({sp})"),
            Some(s.to_owned()),
        ),
        (Some(s), None) if port != "1433" => (
            Severity::Error,
            "the driver connects to the default port 1433".to_owned(),
            Some(format!("{s},{port}")),
        ),
        (Some(s), None) => (
            Severity::Warning,
            "1433 is the default anyway".to_owned(),
            Some(s.to_owned()),
        ),
        (None, _) => (
            Severity::Warning,
            "the port belongs in Server".to_owned(),
            Some(format!("<host>,{port}")),
        ),
    };
    let help = match write {
        Some(s) => format!("remove Port and write Server={s}"),
        None => "remove Port".to_owned(),
    };
    let d = Diag::new(
        lints::MSSQL_PORT,
        severity,
        format!(
            "Port is not a keyword of Microsoft's ODBC driver for SQL Server and is ignored: {why}"
        ),
        o.source(),
        o.entry.key,
        "ignored: the port goes in Server=host,port",
    )
    .help(help)
    .key("Port")
    .section(cx.section(o));
    cx.push(d);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_in_server() {
        assert_eq!(server_port("db.internal,14330"), Some("14330"));
        assert_eq!(server_port("tcp:db\\SQLEXPRESS, 1500"), Some("1500"));
        assert_eq!(server_port("db.internal"), None);
        assert_eq!(server_port("db.internal,"), None);
    }
}
