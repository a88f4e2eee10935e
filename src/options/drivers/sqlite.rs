//! SQLite ODBC (Christian Werner's sqliteodbc 0.9998, DRIVERS.md §2): the
//! SQLite 3 driver's keys (the SQLite 2 and 4 drivers read a subset). Keys
//! are looked up in the connection string, then in the odbc.ini section,
//! case-insensitively. A boolean is true when its first character is one of
//! `Y y 1-9 T t`, false otherwise (`No`, `off`, `0`, empty).

use super::{Profile, Recognise};
use crate::options::catalog::{Choice, OptionSpec, Sure, ValueKind as K};

/// A row read in the driver's source.
const fn row(name: &'static str, kind: K, doc: &'static str) -> OptionSpec {
    OptionSpec::new(name, kind, doc).sure(Sure::Confirmed, Sure::Absent)
}

/// A choice written as a word: the word is both code and name.
const fn word(w: &'static str) -> Choice {
    Choice { code: w, name: w }
}

pub(super) static PROFILE: Profile = Profile {
    id: "sqlite",
    name: "SQLite ODBC (sqliteodbc)",
    aliases: &["sqlite3", "sqliteodbc", "sqlite3odbc"],
    options: &[
        row(
            "Database",
            K::Path,
            "The database file (a connection string with no keys at all is taken as its name).",
        ),
        row(
            "Timeout",
            K::Integer,
            "SQLite's busy timeout, in milliseconds.",
        )
        .with_default("100000", Sure::Confirmed),
        row(
            "StepAPI",
            K::Bool,
            "Use sqlite3_step for SQLExecute (`Y`/`1`/`T` true, else false).",
        ),
        row(
            "SyncPragma",
            K::Enumeration(&[word("NORMAL"), word("OFF"), word("FULL")]),
            "PRAGMA synchronous, sent after connecting (cut to 8 characters).",
        )
        .with_default("NORMAL", Sure::Confirmed),
        row(
            "NoTXN",
            K::Bool,
            "Pretend to support transactions without using them.",
        ),
        row(
            "ShortNames",
            K::Bool,
            "Column names without the table name.",
        ),
        row("LongNames", K::Bool, "Column names as `table.column`."),
        row(
            "NoCreat",
            K::Bool,
            "Do not create a missing database file (SQLite 3 only).",
        ),
        row(
            "NoWCHAR",
            K::Bool,
            "Unicode build: report text columns as SQL_CHAR, not SQL_WCHAR.",
        ),
        row(
            "FKSupport",
            K::Bool,
            "Foreign keys: PRAGMA foreign_keys and SQLForeignKeys.",
        ),
        row(
            "JournalMode",
            K::Enumeration(&[
                word("DELETE"),
                word("PERSIST"),
                word("OFF"),
                word("TRUNCATE"),
                word("MEMORY"),
                word("WAL"),
            ]),
            "PRAGMA journal_mode, sent after connecting (cut to 16 characters).",
        )
        .with_default("DELETE", Sure::Confirmed),
        row(
            "LoadExt",
            K::Text,
            "Extension libraries to load, separated by commas.",
        ),
        row(
            "OEMCP",
            K::Bool,
            "Windows only: convert text with the OEM code page (ignored elsewhere).",
        )
        .with_default("1", Sure::Confirmed),
        row("BigInt", K::Bool, "Report INTEGER columns as SQL_BIGINT."),
        row(
            "JDConv",
            K::Bool,
            "Store dates and times as Julian day numbers.",
        ),
        row(
            "PWD",
            K::Text,
            "The encryption key, for builds with SQLite's encryption (SEE).",
        )
        .secret(),
        row(
            "TraceFile",
            K::Path,
            "The driver's SQL statement trace, appended to.",
        ),
        row("Description", K::Text, "A description of the data source.").with_aliases(&["DESC"]),
    ],
    obsolete: &[],
    recognise: Recognise {
        libraries: &[
            "libsqlite3odbc*",
            "libsqliteodbc*",
            "libsqlite4odbc*",
            "sqlite3odbc*.dll",
            "sqliteodbc*.dll",
            "sqlite4odbc*.dll",
        ],
        driver_names: &[
            "sqlite",
            "sqlite3",
            "sqlite4",
            "sqlite odbc*",
            "sqlite3 odbc*",
            "sqlite4 odbc*",
            "sqlite* datasource",
            "sqlite*driver*",
        ],
        jdbc: &[],
        telltale: &[
            "StepAPI",
            "SyncPragma",
            "NoTXN",
            "LongNames",
            "JournalMode",
            "LoadExt",
        ],
    },
    source: "DRIVERS.md §2 (sqliteodbc 0.9998 source)",
};
