//! MySQL Connector/ODBC 8.x and 9.x (DRIVERS.md §4, source read: 9.1.0).
//!
//! The driver upper-cases a key and looks it up in one map, so matching is
//! case-insensitive; the spellings below are that map's keys, hyphens
//! included (`SSL-MODE`; `SSL_MODE` with an underscore is not accepted).
//! Unknown keys are silently ignored by the driver. Booleans and integers
//! are read with `sqlwchartoul`: **only digits count** — `true` and `yes`
//! read as 0, i.e. off (the `mysql-text-boolean` lint). So the boolean rows
//! are [`K::Integer`]: any number, 0 off, anything else on.

use super::rows::{row, word};
use super::{Profile, Recognise};
use crate::options::catalog::{OptionSpec, Sure, ValueKind as K};

/// Read as a number: 0 is off, any other number on; words read as 0.
const FLAG: K = K::Integer;

pub(super) static PROFILE: Profile = Profile {
    id: "mysql",
    name: "MySQL Connector/ODBC",
    aliases: &["myodbc", "mysql-connector-odbc"],
    options: OPTIONS,
    obsolete: &[],
    recognise: Recognise {
        // libmyodbc<major>w.so / a.so, setup libmyodbc8S.so; myodbc<major>w.dll.
        libraries: &["libmyodbc*", "myodbc*.dll"],
        // `MySQL ODBC 8.0 Unicode Driver`, `MySQL ODBC 9.1 ANSI Driver`,
        // and what users register: `MySQL ODBC 8.0 Driver`, `MySQL`.
        driver_names: &[
            "mysql odbc *",
            "mysql",
            "mysql_odbc",
            "mysql-odbc",
            "myodbc*",
        ],
        // Connector/J is another driver with other properties.
        jdbc: &[],
        // SSLMODE is also psqlODBC's SSLmode: not a tell-tale.
        telltale: &[
            "OPTION",
            "INITSTMT",
            "SSL-MODE",
            "NO_SCHEMA",
            "DFLT_BIGINT_BIND_STR",
        ],
    },
    source: "DRIVERS.md §4 (mysql-connector-odbc 9.1.0 source: util/installer.cc)",
};

/// Every key of the driver's map (§4.1–§4.3), in the document's order.
static OPTIONS: &[OptionSpec] = &[
    // --- Driver manager keys the driver also reads (§4.1)
    row("DSN", K::DriverManager, "Driver manager: the data source name."),
    row("DRIVER", K::DriverManager, "Driver manager: the driver name or library path."),
    row("DESCRIPTION", K::DriverManager, "Driver manager: a description of the data source."),
    row("SAVEFILE", K::DriverManager, "Driver manager: a .dsn file to save the connection to."),
    // --- Strings (§4.1)
    row("SERVER", K::Text, "The host, or a list of hosts when MULTI_HOST=1."),
    row("UID", K::Text, "The user name.").with_aliases(&["USER"]),
    row("PWD", K::Text, "The password.").with_aliases(&["PASSWORD"]).secret(),
    row("PWD1", K::Text, "The first factor's password (multi-factor authentication, 8.0.28+).")
        .with_aliases(&["PASSWORD1"])
        .secret(),
    row("PWD2", K::Text, "The second factor's password (multi-factor authentication, 8.0.28+).")
        .with_aliases(&["PASSWORD2"])
        .secret(),
    row("PWD3", K::Text, "The third factor's password (multi-factor authentication, 8.0.28+).")
        .with_aliases(&["PASSWORD3"])
        .secret(),
    row("DATABASE", K::Text, "The default database.").with_aliases(&["DB"]),
    row("SOCKET", K::Path, "The Unix socket file or Windows named pipe to connect through."),
    row("INITSTMT", K::Text, "An SQL statement run after connecting."),
    row("CHARSET", K::Text, "The character set of the connection."),
    row("SSL-KEY", K::Path, "The client's private key file (PEM) for TLS.")
        .with_aliases(&["SSLKEY"]),
    row("SSL-CERT", K::Path, "The client certificate file (PEM) for TLS.")
        .with_aliases(&["SSLCERT"]),
    row("SSL-CA", K::Path, "The file of trusted CA certificates (PEM).").with_aliases(&["SSLCA"]),
    row("SSL-CAPATH", K::Path, "The directory of trusted CA certificates.")
        .with_aliases(&["SSLCAPATH"]),
    row("SSL-CIPHER", K::Text, "The TLS ciphers allowed.").with_aliases(&["SSLCIPHER"]),
    row(
        "SSL-MODE",
        K::Enumeration(&[
            word("DISABLED"),
            word("PREFERRED"),
            word("REQUIRED"),
            word("VERIFY_CA"),
            word("VERIFY_IDENTITY"),
        ]),
        "TLS: DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY (only the VERIFY_ modes check the server certificate).",
    )
    .with_aliases(&["SSLMODE"]),
    row("SSL-CRL", K::Path, "A certificate revocation list file."),
    row("SSL-CRLPATH", K::Path, "A directory of certificate revocation lists."),
    row("SSLVERIFY", K::Text, "Legacy: whether the server certificate is verified."),
    row(
        "TLS-VERSIONS",
        K::TlsProtocols,
        "The TLS versions allowed, e.g. TLSv1.2,TLSv1.3 (overrides NO_TLS_1_2 and NO_TLS_1_3).",
    ),
    row("RSAKEY", K::Path, "The server's RSA public key file (sha256_password, caching_sha2)."),
    row("PLUGIN_DIR", K::Path, "The directory of client authentication plugins."),
    row(
        "DEFAULT_AUTH",
        K::Text,
        "The authentication plugin, e.g. authentication_kerberos_client, authentication_oci_client, authentication_webauthn_client, authentication_openid_connect_client.",
    ),
    row("LOAD_DATA_LOCAL_DIR", K::Path, "The directory LOAD DATA LOCAL may read files from."),
    row(
        "OCI_CONFIG_FILE",
        K::Path,
        "The OCI CLI configuration file (it names the key) for authentication_oci_client.",
    ),
    row("OCI_CONFIG_PROFILE", K::Text, "The profile of the OCI configuration file."),
    row(
        "AUTHENTICATION-KERBEROS-MODE",
        K::Enumeration(&[word("SSPI"), word("GSSAPI")]),
        "Kerberos through SSPI (Windows) or GSSAPI (the only mode outside Windows).",
    ),
    row(
        "OPENTELEMETRY",
        K::Enumeration(&[word("DISABLED"), word("PREFERRED")]),
        "Whether OpenTelemetry traces are emitted.",
    ),
    row(
        "OPENID-TOKEN-FILE",
        K::Path,
        "A file holding an OpenID Connect ID token (a bearer credential), 9.1.0+.",
    ),
    // --- Integers (§4.2)
    row("PORT", K::Port, "The TCP port.").with_default("3306", Sure::Confirmed),
    row("READTIMEOUT", K::Integer, "Seconds to wait for a read from the server."),
    row("WRITETIMEOUT", K::Integer, "Seconds to wait for a write to the server."),
    row("INTERACTIVE", K::Integer, "Whether the client is interactive (CLIENT_INTERACTIVE)."),
    row("PREFETCH", K::Integer, "Rows fetched at a time (a server-side cursor when set)."),
    row(
        "OPTION",
        K::Integer,
        "Legacy bit mask of the flag options (FOUND_ROWS=2, BIG_PACKETS=8, …); OR-ed in from odbc.ini.",
    ),
    // --- Flags with an OPTION bit (§4.3): 1 on, 0 off; `true`/`yes` read as 0
    row("FOUND_ROWS", FLAG, "1: report rows matched, not rows changed (OPTION bit 2)."),
    row("BIG_PACKETS", FLAG, "1: allow big result columns (OPTION bit 8)."),
    row("NO_PROMPT", FLAG, "1: never prompt (OPTION bit 16)."),
    row("DYNAMIC_CURSOR", FLAG, "1: enable dynamic cursors (OPTION bit 32)."),
    row("NO_DEFAULT_CURSOR", FLAG, "1: disable the driver's default cursor (OPTION bit 128)."),
    row("NO_LOCALE", FLAG, "1: do not use the locale for numbers (OPTION bit 256)."),
    row("PAD_SPACE", FLAG, "1: pad CHAR columns to their length (OPTION bit 512)."),
    row("FULL_COLUMN_NAMES", FLAG, "1: report table.column names (OPTION bit 1024)."),
    row("COMPRESSED_PROTO", FLAG, "1: compress the protocol (OPTION bit 2048)."),
    row("IGNORE_SPACE", FLAG, "1: ignore a space after function names (OPTION bit 4096)."),
    row("NAMED_PIPE", FLAG, "1: connect through a named pipe (OPTION bit 8192)."),
    row("NO_BIGINT", FLAG, "1: report BIGINT columns as INT (OPTION bit 16384)."),
    row("NO_CATALOG", FLAG, "1: no catalog support (OPTION bit 32768)."),
    row("USE_MYCNF", FLAG, "1: read options from my.cnf (OPTION bit 65536)."),
    row("SAFE", FLAG, "1: extra safety checks (OPTION bit 131072)."),
    row("NO_TRANSACTIONS", FLAG, "1: disable transactions (OPTION bit 262144)."),
    row("LOG_QUERY", FLAG, "1: log queries to a file (OPTION bit 524288)."),
    row("NO_CACHE", FLAG, "1: do not cache results in the driver (OPTION bit 1048576)."),
    row("FORWARD_CURSOR", FLAG, "1: force forward-only cursors (OPTION bit 2097152)."),
    row("AUTO_RECONNECT", FLAG, "1: reconnect automatically (OPTION bit 4194304)."),
    row("AUTO_IS_NULL", FLAG, "1: enable SQL_AUTO_IS_NULL (OPTION bit 8388608)."),
    row("ZERO_DATE_TO_MIN", FLAG, "1: return 0000-00-00 as the minimum date (OPTION bit 1<<24)."),
    row("MIN_DATE_TO_ZERO", FLAG, "1: send the minimum date as 0000-00-00 (OPTION bit 1<<25)."),
    row("MULTI_STATEMENTS", FLAG, "1: allow several statements per call (OPTION bit 1<<26)."),
    row("COLUMN_SIZE_S32", FLAG, "1: limit column sizes to a signed 32-bit number (OPTION bit 1<<27)."),
    row("NO_BINARY_RESULT", FLAG, "1: always return character data (OPTION bit 1<<28)."),
    row("DFLT_BIGINT_BIND_STR", FLAG, "1: bind BIGINT parameters as strings (OPTION bit 1<<29)."),
    // --- Flags with no OPTION bit (§4.3)
    row("NO_SCHEMA", FLAG, "1: no schema support."),
    row("CAN_HANDLE_EXP_PWD", FLAG, "1: the application can handle an expired password."),
    row("ENABLE_CLEARTEXT_PLUGIN", FLAG, "1: allow the cleartext authentication plugin."),
    row("GET_SERVER_PUBLIC_KEY", FLAG, "1: ask the server for its RSA public key."),
    row("NO_SSPS", FLAG, "1: no server-side prepared statements."),
    row("NO_TLS_1_2", FLAG, "1: do not use TLS 1.2."),
    row("NO_TLS_1_3", FLAG, "1: do not use TLS 1.3."),
    row("NO_DATE_OVERFLOW", FLAG, "1: ignore date overflow errors."),
    row("ENABLE_LOCAL_INFILE", FLAG, "1: allow LOAD DATA LOCAL INFILE."),
    row("ENABLE_DNS_SRV", FLAG, "1: look the server up through DNS SRV records."),
    row("MULTI_HOST", FLAG, "1: SERVER is a list of hosts to try."),
];

#[cfg(test)]
mod tests {
    use super::super::rows::{Expect, check_profile};
    use super::*;

    #[test]
    fn profile_as_documented() {
        check_profile(
            &PROFILE,
            &Expect {
                secrets: &["PWD", "PWD1", "PWD2", "PWD3"],
                secret_keys: &["pwd", "PASSWORD", "password1", "PASSWORD2", "pwd3"],
                libraries: &[
                    "/usr/lib/x86_64-linux-gnu/odbc/libmyodbc8w.so",
                    "/usr/local/lib/libmyodbc9a.so",
                    "libmyodbc8S.so",
                    r"C:\Program Files\MySQL\Connector ODBC 8.0\myodbc8w.dll",
                ],
                names: &[
                    "MySQL ODBC 8.0 Unicode Driver",
                    "{MySQL ODBC 9.1 ANSI Driver}",
                    "MySQL ODBC 8.0 Driver",
                    "MySQL",
                ],
                not_names: &["MariaDB ODBC 3.1 Driver"],
                telltale: &["SERVER", "INITSTMT"],
            },
        );
        // 33 strings (4 driver-manager keys among them), 5 integers,
        // OPTION, 38 flags.
        assert_eq!(PROFILE.options.len(), 33 + 5 + 1 + 38);
    }

    #[test]
    fn hyphenated_spellings_only() {
        assert_eq!(PROFILE.resolve_key("sslmode").unwrap().0.name, "SSL-MODE");
        assert_eq!(PROFILE.resolve_key("ssl-mode").unwrap().0.name, "SSL-MODE");
        assert!(PROFILE.resolve_key("SSL_MODE").is_none());
        assert!(PROFILE.resolve_key("SSL_KEY").is_none());
        assert_eq!(PROFILE.resolve_key("db").unwrap().0.name, "DATABASE");
        assert_eq!(PROFILE.resolve_key("User").unwrap().0.name, "UID");
    }
}
