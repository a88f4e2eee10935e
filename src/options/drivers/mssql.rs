//! Microsoft ODBC Driver 17 and 18 for SQL Server (DRIVERS.md §5, from
//! Microsoft's documentation: the driver is closed source).
//!
//! `Port` is a row although the driver does not read it: on Linux and macOS
//! the port goes in `Server=host,port`. Knowing the key lets the
//! `mssql-port` lint say so instead of calling it unknown.

use super::rows::{YES_NO, not_read, row, word};
use super::{Profile, Recognise};
use crate::options::catalog::{OptionSpec, ValueKind as K};

pub(super) static PROFILE: Profile = Profile {
    id: "mssql",
    name: "Microsoft ODBC Driver for SQL Server",
    aliases: &[
        "msodbcsql",
        "sqlserver",
        "sql-server",
        "msodbcsql17",
        "msodbcsql18",
    ],
    options: OPTIONS,
    // Deprecated and ignored by SQL Server Native Client; whether msodbcsql
    // accepts them is unconfirmed (DRIVERS.md §11).
    obsolete: &["Fallback", "UseProcForPrepare"],
    recognise: Recognise {
        // /opt/microsoft/msodbcsql18/lib64/libmsodbcsql-18.5.so.1.1 (regex
        // libmsodbcsql[-.]1[378]); the macOS and Windows names are unconfirmed.
        libraries: &[
            "libmsodbcsql-1*",
            "libmsodbcsql.1*",
            "libmsodbcsql*.dylib",
            "msodbcsql1*.dll",
        ],
        // `ODBC Driver 18 for SQL Server`; the older Native Client. A bare
        // `[SQL Server]` section is often FreeTDS on Linux: not claimed.
        driver_names: &["odbc driver * for sql server", "sql server native client*"],
        // mssql-jdbc is another driver with other properties.
        jdbc: &[],
        telltale: &[
            "Encrypt",
            "TrustServerCertificate",
            "Trusted_Connection",
            "MARS_Connection",
            "MultiSubnetFailover",
            "KeystoreAuthentication",
        ],
    },
    source: "DRIVERS.md §5 (Microsoft docs: DSN and connection string keywords, Azure AD, Always Encrypted)",
};

static OPTIONS: &[OptionSpec] = &[
    row(
        "DSN",
        K::DriverManager,
        "Driver manager: the data source name.",
    ),
    row(
        "Driver",
        K::DriverManager,
        "Driver manager: the driver name or library path.",
    ),
    row(
        "FileDSN",
        K::DriverManager,
        "Driver manager: a .dsn file to read the connection from.",
    ),
    row(
        "SaveFile",
        K::DriverManager,
        "Driver manager: a .dsn file to save the connection to.",
    ),
    row(
        "Description",
        K::DriverManager,
        "Driver manager: a description of the data source.",
    ),
    // --- Where
    row(
        "Server",
        K::Text,
        "`[tcp:]host[\\instance][,port]`: the port goes here, after a comma.",
    )
    .with_aliases(&["Address", "Addr"]),
    not_read(
        "Port",
        K::Port,
        "Not a keyword of this driver on Linux/macOS: write the port in Server=host,port.",
    ),
    row("Database", K::Text, "The default database."),
    row("AttachDBFileName", K::Path, "A database file to attach."),
    row(
        "Failover_Partner",
        K::Text,
        "The mirroring failover partner (Windows only).",
    )
    .with_aliases(&["FailoverPartner"]),
    row(
        "FailoverPartnerSPN",
        K::Text,
        "The failover partner's SPN (Windows only).",
    ),
    row("ServerSPN", K::Text, "The server's SPN for Kerberos."),
    row(
        "MultiSubnetFailover",
        YES_NO,
        "yes: try every IP of an availability group listener.",
    ),
    row(
        "TransparentNetworkIPResolution",
        K::Enumeration(&[word("Enabled"), word("Disabled")]),
        "Enabled or Disabled: connection attempts across the IPs of a host name.",
    ),
    row(
        "IpAddressPreference",
        K::Enumeration(&[
            word("IPv4First"),
            word("IPv6First"),
            word("UsePlatformDefault"),
        ]),
        "Which addresses to try first (18.1+).",
    ),
    row(
        "ApplicationIntent",
        K::Enumeration(&[word("ReadOnly"), word("ReadWrite")]),
        "ReadOnly routes to a readable secondary replica.",
    ),
    row(
        "Net",
        K::Enumeration(&[word("dbnmpntw"), word("dbmssocn")]),
        "The network library.",
    )
    .with_aliases(&["Network"]),
    // --- Who
    row(
        "UID",
        K::Text,
        "The login (the client id for ActiveDirectoryServicePrincipal, the identity's object id for ActiveDirectoryMsi).",
    ),
    row(
        "PWD",
        K::Text,
        "The password (the client secret for ActiveDirectoryServicePrincipal).",
    )
    .secret(),
    row(
        "Trusted_Connection",
        YES_NO,
        "yes: Windows authentication (Kerberos on Linux).",
    ),
    row(
        "Authentication",
        K::Enumeration(&[
            word("SqlPassword"),
            word("ActiveDirectoryPassword"),
            word("ActiveDirectoryIntegrated"),
            word("ActiveDirectoryInteractive"),
            word("ActiveDirectoryMsi"),
            word("ActiveDirectoryServicePrincipal"),
        ]),
        "SqlPassword, ActiveDirectoryPassword, ActiveDirectoryIntegrated, ActiveDirectoryInteractive (Windows), ActiveDirectoryMsi (17.3+), ActiveDirectoryServicePrincipal (17.7+).",
    ),
    // --- TLS
    row(
        "Encrypt",
        K::Enumeration(&[
            word("yes"),
            word("mandatory"),
            word("no"),
            word("optional"),
            word("strict"),
        ]),
        "yes/mandatory, no/optional, or strict (TDS 8, 18.0+); the default is yes in 18, no in 17.",
    ),
    row(
        "TrustServerCertificate",
        YES_NO,
        "yes: accept any server certificate (ignored when Encrypt=strict).",
    ),
    row(
        "HostnameInCertificate",
        K::Text,
        "The host name expected in the server certificate (18.0+).",
    ),
    row(
        "ServerCertificate",
        K::Path,
        "The expected server certificate file, strict mode (18.1+).",
    ),
    row(
        "ClientCertificate",
        K::Text,
        "`sha1:<hash>`, `subject:<s>` or `file:<path>[,password:<pw>]` (may hold a password).",
    )
    .secret(),
    row(
        "ClientKey",
        K::Text,
        "`file:<path>[,password:<pw>]` (may hold a password).",
    )
    .secret(),
    // --- Always Encrypted
    row(
        "ColumnEncryption",
        K::Text,
        "Enabled, Disabled, or `VBS-HGS,<url>` for an enclave.",
    ),
    row(
        "KeystoreAuthentication",
        K::Enumeration(&[
            word("KeyVaultPassword"),
            word("KeyVaultClientSecret"),
            word("KeyVaultManagedIdentity"),
        ]),
        "How to reach Azure Key Vault (connection string only).",
    ),
    row(
        "KeystorePrincipalId",
        K::Text,
        "The Key Vault principal (connection string only).",
    ),
    row(
        "KeystoreSecret",
        K::Text,
        "The Key Vault password or client secret (connection string only).",
    )
    .secret(),
    row(
        "AKVTrustedEndpoints",
        K::Text,
        "`;`-separated trusted Key Vault host suffixes (17.5.2+).",
    ),
    // --- Resilience
    row(
        "ConnectRetryCount",
        K::Integer,
        "Reconnection attempts after a broken connection.",
    ),
    row(
        "ConnectRetryInterval",
        K::Integer,
        "Seconds between reconnection attempts.",
    ),
    row(
        "ConnectTimeout",
        K::Integer,
        "Seconds to wait for the connection (18.7+).",
    ),
    row(
        "KeepAlive",
        K::Integer,
        "Seconds of idleness before a TCP keep-alive probe (17.4+).",
    ),
    row(
        "KeepAliveInterval",
        K::Integer,
        "Seconds between keep-alive probes (17.4+).",
    ),
    row(
        "RetryExec",
        K::Text,
        "`{errors:policy:query;…}` statement retry rules (18.1+).",
    ),
    // --- Session
    row(
        "MARS_Connection",
        YES_NO,
        "yes: multiple active result sets.",
    )
    .with_aliases(&["MultipleActiveResultSets"]),
    row("APP", K::Text, "The application name."),
    row("WSID", K::Text, "The workstation id."),
    row("Language", K::Text, "The session language."),
    row(
        "AnsiNPW",
        YES_NO,
        "ANSI NULL, padding and warning behaviour.",
    ),
    row(
        "AutoTranslate",
        YES_NO,
        "Translate character data between code pages.",
    ),
    row("QuotedId", YES_NO, "QUOTED_IDENTIFIER on."),
    row(
        "Regional",
        YES_NO,
        "Use the client's regional settings for conversions.",
    ),
    row("UseFMTONLY", YES_NO, "Use SET FMTONLY for metadata."),
    row("Replication", YES_NO, "A replication connection (17.8+)."),
    row(
        "ConcatNullYieldsNull",
        YES_NO,
        "CONCAT_NULL_YIELDS_NULL on (18.6+).",
    ),
    row(
        "GetDataExtensions",
        YES_NO,
        "SQLGetData extensions (18.0+).",
    ),
    row("LongAsMax", YES_NO, "Send long types as max types (18.0+)."),
    // --- Logs (Windows only)
    row(
        "QueryLog_On",
        YES_NO,
        "Log long-running queries (Windows only).",
    ),
    row(
        "QueryLogFile",
        K::Path,
        "The long-running query log (Windows only).",
    ),
    row(
        "QueryLogTime",
        K::Integer,
        "Milliseconds after which a query is logged (Windows only).",
    ),
    row(
        "StatsLog_On",
        YES_NO,
        "Log driver statistics (Windows only).",
    ),
    row(
        "StatsLogFile",
        K::Path,
        "The statistics log (Windows only).",
    ),
];

#[cfg(test)]
mod tests {
    use super::super::by_library;
    use super::super::rows::{Expect, check_profile};
    use super::*;
    use crate::options::Sure;

    #[test]
    fn profile_as_documented() {
        check_profile(
            &PROFILE,
            &Expect {
                secrets: &["PWD", "ClientCertificate", "ClientKey", "KeystoreSecret"],
                secret_keys: &["keystoresecret"],
                libraries: &[
                    "/opt/microsoft/msodbcsql18/lib64/libmsodbcsql-18.5.so.1.1",
                    "/opt/microsoft/msodbcsql17/lib64/libmsodbcsql-17.10.so.6.1",
                ],
                names: &[
                    "ODBC Driver 18 for SQL Server",
                    "{ODBC Driver 17 for SQL Server}",
                    "ODBC Driver 13 for SQL Server",
                ],
                not_names: &["SQL Server"],
                telltale: &[],
            },
        );
        // FreeTDS has no profile.
        assert!(by_library("/usr/lib/x86_64-linux-gnu/odbc/libtdsodbc.so").is_none());
    }

    #[test]
    fn port_is_known_but_not_read() {
        let (port, _) = PROFILE.resolve_key("PORT").unwrap();
        assert_eq!(port.odbc, Sure::Absent);
        assert_eq!(PROFILE.resolve_key("Addr").unwrap().0.name, "Server");
        assert!(PROFILE.is_obsolete("fallback"));
    }
}
