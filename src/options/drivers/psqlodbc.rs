//! psqlODBC, the PostgreSQL ODBC driver (18.00.0002, DRIVERS.md §3).
//!
//! A connection string accepts each keyword by its long name or its
//! abbreviation (`A0` for ReadOnly, …), case-insensitively. An odbc.ini
//! section is read differently: only the long names, `Servername` (not
//! `Server`), `Username` (not `UID`), `Password` (not `PWD`), and of the
//! abbreviations only `D6` (NumericAs). Keys the driver used to read and
//! ignores today are [`Profile::obsolete`]: reported as obsolete, not
//! unknown.

use super::{Profile, Recognise};
use crate::options::catalog::{Choice, OptionSpec, Sure, ValueKind as K};

/// A row read in the driver's source.
const fn row(name: &'static str, kind: K, doc: &'static str) -> OptionSpec {
    OptionSpec::new(name, kind, doc).sure(Sure::Confirmed, Sure::Absent)
}

/// A row with its abbreviation (the short name the driver writes and reads
/// in connection strings).
const fn abbr(name: &'static str, short: &'static str, kind: K, doc: &'static str) -> OptionSpec {
    row(name, kind, doc).with_short(short, Sure::Confirmed)
}

/// A choice written as a word: the word is both code and name.
const fn word(w: &'static str) -> Choice {
    Choice { code: w, name: w }
}

/// A default recalled from the driver's headers, not in DRIVERS.md: shown as
/// a guess.
const GUESS: Sure = Sure::Guess;

pub(super) static PROFILE: Profile = Profile {
    id: "psqlodbc",
    name: "psqlODBC (PostgreSQL)",
    aliases: &["postgresql", "postgres", "pgsql", "psql"],
    options: &[
        row("Database", K::Text, "The database to connect to.").with_short("DX", Sure::Confirmed),
        row("Servername", K::Text,
            "The server's host name or address (in odbc.ini only `Servername` is read, not `Server`).")
            .with_aliases(&["Server"]),
        row("Username", K::Text,
            "The user name (in odbc.ini only `Username` is read, not `UID`).")
            .with_aliases(&["UID"]),
        row("Password", K::Text,
            "The password (in odbc.ini only `Password` is read, not `PWD`; percent-decoded there).")
            .with_aliases(&["PWD"]).secret(),
        row("Port", K::Port, "The server's TCP port.").with_default("5432", GUESS),
        abbr("ReadOnly", "A0", K::Bool, "Read-only data source (0/1)."),
        abbr("Protocol", "A1", K::Text,
            "`7.4[-0|-1|-2]`: only the rollback level after `-` is used (0 nop, 1 transaction, 2 statement)."),
        abbr("FakeOidIndex", "A2", K::Bool, "Fake a unique index on OID (0/1)."),
        abbr("ShowOidColumn", "A3", K::Bool, "Show the OID column (0/1)."),
        abbr("RowVersioning", "A4", K::Bool, "Row versioning for updates (0/1)."),
        abbr("ShowSystemTables", "A5", K::Bool, "List the system tables (0/1)."),
        abbr("ConnSettings", "A6", K::Text, "SQL sent to the server after connecting (braces allowed)."),
        abbr("Fetch", "A7", K::Integer, "Rows fetched at a time with UseDeclareFetch.")
            .with_default("100", GUESS),
        abbr("UnknownSizes", "A9", K::Enumeration(&[
            Choice { code: "0", name: "0" },
            Choice { code: "1", name: "1" },
            Choice { code: "2", name: "2" },
        ]), "How the size of a column of unknown size is reported: 0 maximum, 1 don't know, 2 longest."),
        abbr("MaxVarcharSize", "B0", K::Integer, "The largest VARCHAR size.")
            .with_default("255", GUESS),
        abbr("MaxLongVarcharSize", "B1", K::Integer, "The largest LONGVARCHAR size.")
            .with_default("8190", GUESS),
        abbr("Debug", "B2", K::Bool, "The driver's debug log (0/1)."),
        abbr("CommLog", "B3", K::Bool, "The driver's communication log (0/1)."),
        abbr("UseDeclareFetch", "B6", K::Bool, "Fetch through a cursor, Fetch rows at a time (0/1)."),
        abbr("TextAsLongVarchar", "B7", K::Bool, "Report TEXT as LONGVARCHAR (0/1)."),
        abbr("UnknownsAsLongVarchar", "B8", K::Bool, "Report unknown types as LONGVARCHAR (0/1)."),
        abbr("BoolsAsChar", "B9", K::Bool, "Report BOOL as CHAR (0/1)."),
        abbr("Parse", "C0", K::Bool, "Parse statements to describe their columns (0/1)."),
        abbr("ExtraSysTablePrefixes", "C2", K::Text, "More system table prefixes (`dd_;`)."),
        abbr("UpdatableCursors", "C4", K::Bool, "Updatable cursors (0/1)."),
        abbr("LFConversion", "C5", K::Bool, "Convert LF to CR LF (0/1)."),
        abbr("TrueIsMinus1", "C6", K::Bool, "Return true as -1 (0/1)."),
        abbr("ByteaAsLongVarBinary", "C7", K::Bool, "Report BYTEA as LONGVARBINARY (0/1)."),
        abbr("UseServerSidePrepare", "C8", K::Bool, "Prepare statements on the server (0/1)."),
        abbr("LowerCaseIdentifier", "C9", K::Bool, "Report identifiers in lower case (0/1)."),
        abbr("SSLmode", "CA", K::Enumeration(&[
            word("disable"), word("allow"), word("prefer"), word("require"),
            word("verify-ca"), word("verify-full"),
        ]), "TLS: disable, allow, prefer, require, verify-ca, verify-full (a connection string is read by its first letter: `R…` becomes disable)."),
        abbr("KeepaliveTime", "D1", K::Integer, "Seconds before TCP keepalives start."),
        abbr("KeepaliveInterval", "D2", K::Integer, "Seconds between TCP keepalives."),
        abbr("pqopt", "D5", K::Text,
            "libpq connection parameters (`{sslrootcert=… sslcert=…}`); may hold `password=`, so kept secret.")
            .secret(),
        abbr("NumericAs", "D6", K::Enumeration(&[
            Choice { code: "2", name: "SQL_NUMERIC" },
            Choice { code: "8", name: "SQL_DOUBLE" },
            Choice { code: "12", name: "SQL_VARCHAR" },
            Choice { code: "-1", name: "SQL_LONGVARCHAR" },
        ]), "How NUMERIC columns are reported (in odbc.ini only `D6` is read)."),
        abbr("OptionalErrors", "D7", K::Bool, "Ignore errors of optional features (0/1)."),
        abbr("BatchSize", "D8", K::Integer, "Rows sent in one batch."),
        abbr("IgnoreTimeout", "D9", K::Bool, "Ignore SQL_ATTR_QUERY_TIMEOUT (0/1)."),
        abbr("FetchRefcursors", "DA", K::Bool, "Fetch the rows of refcursors a procedure returns (0/1)."),
        row("BI", K::Integer, "How int8 is reported (e.g. -5 for SQL_BIGINT); no long name."),
        row("Lie", K::Bool, "Claim support for features the driver lacks (0/1)."),
        row("CX", K::Text, "Many booleans packed as one hex bitmask (written by the driver)."),
        row("AB", K::Text,
            "Extra options as hex with `+`/`-`: 0x1 short connection string, 0x2 fake MSSQL, 0x4 ANSI char types."),
        row("XaOpt", K::Integer, "MSDTC builds (Windows) only."),
        // odbc.ini only (getDSNinfo).
        row("TranslationDLL", K::Path, "odbc.ini: a translation library."),
        row("TranslationOption", K::Text, "odbc.ini: the translation library's option."),
        row("UniqueIndex", K::Bool, "odbc.ini / odbcinst.ini: report unique indexes (0/1)."),
        // odbcinst.ini driver section (mylog.c).
        row("Logdir", K::Path, "odbcinst.ini: where the debug and communication logs go."),
        row("Description", K::Text, "A description of the data source."),
    ],
    obsolete: &[
        "Socket", "A8", "Optimizer", "B4", "Ksqo", "B5", "CancelAsFreeStmt", "C1",
        "DisallowPremature", "C3", "PreferLibpq", "D3", "D4",
    ],
    recognise: Recognise {
        libraries: &["psqlodbc*", "podbc3*", "libodbcpsql.*"],
        driver_names: &["postgresql*", "psqlodbc*"],
        jdbc: &[],
        telltale: &[
            "ConnSettings", "ShowSystemTables", "FakeOidIndex", "pqopt", "ByteaAsLongVarBinary",
            "UseServerSidePrepare", "UseDeclareFetch",
        ],
    },
    source: "DRIVERS.md §3 (psqlODBC 18.00.0002 source)",
};
