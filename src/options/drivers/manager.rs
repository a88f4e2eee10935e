//! The driver manager's own keys (DRIVERS.md §1.1, §1.2): every data source
//! and connection string may hold them, whatever its driver. unixODBC reads
//! them (or passes them through); no driver profile needs to repeat them.

use super::{Profile, Recognise};
use crate::options::catalog::{OptionSpec, Sure, ValueKind as K};

/// A row read in unixODBC's source or Microsoft's documentation.
const fn dm(name: &'static str, kind: K, doc: &'static str) -> OptionSpec {
    OptionSpec::new(name, kind, doc).sure(Sure::Confirmed, Sure::Absent)
}

pub(super) static PROFILE: Profile = Profile {
    id: "manager",
    name: "ODBC driver manager (unixODBC, Microsoft)",
    aliases: &["driver-manager", "unixodbc", "dm"],
    options: &[
        dm("DSN", K::DriverManager,
            "The data source whose odbc.ini section to use; `DEFAULT` when none is named.")
            .with_aliases(&["DataSourceName"]),
        dm("DRIVER", K::DriverManager,
            "An odbcinst.ini driver name (often braced in a connection string) or, in odbc.ini, an absolute library path."),
        dm("FILEDSN", K::Path, "A .dsn file whose [ODBC] section holds the connection."),
        dm("SAVEFILE", K::Path,
            "A .dsn file to write after a successful connect (PWD, SAVEFILE and DSN left out)."),
        dm("Description", K::Text, "A description of the data source (SQLDataSources returns it).")
            .with_aliases(&["DESC"]),
        dm("UID", K::Text, "The user id, passed through to the driver."),
        dm("PWD", K::Text, "The password, passed through to the driver.").secret(),
        dm("DMEnvAttr", K::ParamList,
            "unixODBC: environment attributes set before the driver connects (`{SQL_ATTR_…=…}`)."),
        dm("DMConnAttr", K::ParamList,
            "unixODBC: connection attributes set before the driver connects (`{SQL_ATTR_…=…}`)."),
        dm("DMStmtAttr", K::ParamList,
            "unixODBC: statement attributes set on every statement (`{SQL_ATTR_…=…}`)."),
        dm("Trace", K::Bool,
            "Driver-manager tracing: read from [ODBC] in odbcinst.ini (unixODBC) or odbc.ini (DataDirect), not from a data source.")
            .with_default("No", Sure::Confirmed),
        dm("TraceFile", K::Path,
            "Where the driver manager's trace goes: read from the [ODBC] section, not from a data source.")
            .with_default("/tmp/sql.log", Sure::Confirmed),
    ],
    obsolete: &[],
    recognise: Recognise {
        libraries: &[],
        driver_names: &[],
        jdbc: &[],
        telltale: &[],
    },
    source: "DRIVERS.md §1.1, §1.2 (unixODBC source, Microsoft ODBC documentation)",
};
