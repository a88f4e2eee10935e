//! Sections that are not data sources: an odbcinst.ini driver section
//! (DRIVERS.md §1.3) and the `[ODBC]` sections of odbcinst.ini (unixODBC's
//! globals), of odbc.ini (DataDirect's globals) and of a .dsn file
//! (§1.4). Driver-private keys of an odbcinst.ini section (psqlODBC's
//! `Debug`, `CommLog`, …) belong to that driver's profile.

use super::{Profile, Recognise};
use crate::options::catalog::{Choice, OptionSpec, Sure, ValueKind as K};

/// A row read in unixODBC's source or a vendor's documentation.
const fn row(name: &'static str, kind: K, doc: &'static str) -> OptionSpec {
    OptionSpec::new(name, kind, doc).sure(Sure::Confirmed, Sure::Absent)
}

/// A key seen in real DataDirect [ODBC] sections, not in the documents
/// DRIVERS.md read: accepted, shown as a guess.
const fn guess(name: &'static str, kind: K, doc: &'static str) -> OptionSpec {
    OptionSpec::new(name, kind, doc).sure(Sure::Guess, Sure::Absent)
}

/// 0, 1 or 2 (Microsoft's API, SQL and file-usage levels).
const LEVEL: K = K::Enumeration(&[
    Choice {
        code: "0",
        name: "0",
    },
    Choice {
        code: "1",
        name: "1",
    },
    Choice {
        code: "2",
        name: "2",
    },
]);

pub(super) static PROFILE: Profile = Profile {
    id: "odbcinst",
    name: "odbcinst.ini driver section",
    aliases: &["odbcinst.ini", "driver-section"],
    options: &[
        row("Description", K::Text, "What the driver is."),
        row(
            "Driver",
            K::Path,
            "The driver library: an absolute path, or a bare name the loader's search path resolves.",
        ),
        row(
            "Driver64",
            K::Path,
            "unixODBC on 64-bit builds: the driver library, used before Driver.",
        ),
        row(
            "Setup",
            K::Path,
            "The setup (configuration dialog) library.",
        ),
        row(
            "Setup64",
            K::Path,
            "unixODBC on 64-bit builds: the setup library, used before Setup.",
        ),
        row(
            "UsageCount",
            K::Integer,
            "How many installs use the driver (kept by odbcinst).",
        ),
        row(
            "FileUsage",
            LEVEL,
            "Microsoft: 0 = not file based, 1 = files are tables, 2 = files are catalogs.",
        ),
        row(
            "APILevel",
            LEVEL,
            "Microsoft: the ODBC interface conformance level.",
        ),
        row(
            "ConnectFunctions",
            K::Text,
            "Microsoft: three Y/N letters for SQLConnect, SQLDriverConnect, SQLBrowseConnect (`YYN`).",
        ),
        row(
            "CreateDSN",
            K::Text,
            "Microsoft: data sources to create when the driver is installed.",
        ),
        row(
            "DriverODBCVer",
            K::Text,
            "Microsoft: the ODBC version the driver supports (`03.80`).",
        ),
        row(
            "FileExtns",
            K::Text,
            "Microsoft: file extensions of a file-based driver (`*.dbf,*.ndx`).",
        ),
        row("SQLLevel", LEVEL, "Microsoft: the SQL-92 grammar level."),
        row(
            "Threading",
            K::Enumeration(&[
                Choice {
                    code: "0",
                    name: "0",
                },
                Choice {
                    code: "1",
                    name: "1",
                },
                Choice {
                    code: "2",
                    name: "2",
                },
                Choice {
                    code: "3",
                    name: "3",
                },
            ]),
            "unixODBC: how calls into the driver are serialised (0 none … 3 per environment).",
        )
        .with_default("0", Sure::Confirmed),
        row(
            "DontDLClose",
            K::Bool,
            "unixODBC: keep the library loaded after the last disconnect.",
        )
        .with_default("1", Sure::Confirmed),
        row(
            "CPTimeout",
            K::Integer,
            "unixODBC pooling: seconds an unused pooled connection is kept (0 = no pooling).",
        ),
        row(
            "CPTimeToLive",
            K::Integer,
            "unixODBC pooling: seconds a pooled connection lives.",
        ),
        row(
            "CPProbe",
            K::Text,
            "unixODBC pooling: SQL run to check a pooled connection.",
        ),
        row(
            "DisableGetFunctions",
            K::Bool,
            "unixODBC: do not ask the driver for SQLGetFunctions.",
        ),
        row(
            "ExFetchMapping",
            K::Bool,
            "unixODBC: map SQLExtendedFetch to SQLFetchScroll.",
        )
        .with_default("1", Sure::Confirmed),
        row(
            "FakeUnicode",
            K::Bool,
            "unixODBC: convert Unicode calls for an ANSI driver.",
        ),
        row(
            "IconvEncoding",
            K::Text,
            "unixODBC (built with driver iconv support): the driver's character set.",
        ),
        row(
            "DMEnvAttr",
            K::ParamList,
            "unixODBC: environment attributes for this driver.",
        ),
    ],
    obsolete: &[],
    recognise: Recognise {
        libraries: &[],
        driver_names: &[],
        jdbc: &[],
        telltale: &[],
    },
    source: "DRIVERS.md §1.3 (unixODBC source, Microsoft's driver specification subkeys)",
};

pub(super) static ODBC_SECTION: Profile = Profile {
    id: "odbc",
    name: "[ODBC] section (driver-manager globals)",
    aliases: &["odbc-section", "[odbc]"],
    options: &[
        // unixODBC, [ODBC] of odbcinst.ini.
        row(
            "Trace",
            K::Text,
            "Driver-manager tracing: 1, Yes or On turn it on.",
        )
        .with_default("No", Sure::Confirmed),
        row("TraceFile", K::Path, "Where the trace goes.")
            .with_default("/tmp/sql.log", Sure::Confirmed),
        row(
            "TracePid",
            K::Bool,
            "unixODBC: one trace file per process (the pid appended).",
        ),
        row(
            "ForceTrace",
            K::Bool,
            "unixODBC: trace even when the application turned it off.",
        ),
        row(
            "Pooling",
            K::Text,
            "unixODBC: connection pooling on (Yes) or off.",
        ),
        row("PoolMaxSize", K::Integer, "unixODBC: the largest pool."),
        row(
            "PoolWaitTimeout",
            K::Integer,
            "unixODBC: seconds to wait for a pooled connection.",
        )
        .with_default("30", Sure::Confirmed),
        row(
            "Threading",
            K::Integer,
            "unixODBC: the default serialisation level of drivers.",
        ),
        row(
            "FileDSNPath",
            K::Path,
            "unixODBC: where file DSNs are kept.",
        ),
        // DataDirect, [ODBC] of odbc.ini.
        row("TraceDll", K::Path, "DataDirect: the trace library."),
        row(
            "InstallDir",
            K::Path,
            "DataDirect: where the drivers are installed.",
        ),
        row(
            "IANAAppCodePage",
            K::Integer,
            "DataDirect: the code page of non-Unicode applications (IANA MIBenum) for every data source.",
        ),
        guess(
            "ODBCTraceMaxFileSize",
            K::Integer,
            "DataDirect: the largest trace file, in KB.",
        ),
        guess(
            "ODBCTraceMaxNumFiles",
            K::Integer,
            "DataDirect: how many trace files are kept.",
        ),
        guess(
            "TraceOptions",
            K::Integer,
            "DataDirect: what the trace records.",
        ),
        guess(
            "UseCursorLib",
            K::Bool,
            "DataDirect: use the cursor library.",
        ),
        // A .dsn file's [ODBC] section holds a whole connection: the
        // driver manager's keys.
        row(
            "DRIVER",
            K::DriverManager,
            "A .dsn file: the driver of the connection.",
        ),
        row("DSN", K::DriverManager, "A .dsn file: the data source."),
        row(
            "Description",
            K::Text,
            "A .dsn file: what the connection is.",
        ),
        // DataDirect, [ODBC File DSN] of odbc.ini.
        row(
            "DefaultDSNDir",
            K::Path,
            "DataDirect [ODBC File DSN]: where .dsn files are kept.",
        ),
    ],
    obsolete: &[],
    recognise: Recognise {
        libraries: &[],
        driver_names: &[],
        jdbc: &[],
        telltale: &[],
    },
    source: "DRIVERS.md §1.4 (unixODBC source; Microsoft's ODBC subkey; DataDirect documentation)",
};
