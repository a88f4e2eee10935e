//! Progress DataDirect 8.0 ODBC drivers other than Autonomous REST
//! (DRIVERS.md §8): one profile for the family.
//!
//! Why one profile: the facts are the options the family shares (§8.1) and
//! the OAuth option names of seven products (§8.2); no product's full
//! option list was read, so a profile per product would only repeat the
//! shared rows. The short names that differ per product are kept apart all
//! the same: each row's [`OptionSpec::short`] is the short name most
//! products use, and the other products' short names are aliases whose
//! description says which product reads them (`RT` is BigQuery's
//! RefreshToken, `rtok` Salesforce's and SharePoint's). Short names are
//! unique across the family (no short name means two different options in
//! two products), so one table loses nothing.
//!
//! The wire-protocol drivers' connection options that DRIVERS.md does not
//! list (PortNumber, Database, LoginTimeout, failover and pooling) are rows
//! marked as guesses ([`Sure::Guess`]): a real data source using them is not
//! told they are unknown.
//!
//! An Autonomous REST data source is recognised as `autorest` first (it is
//! earlier in `PROFILES`), so its library `ddautorest28.so` and its name
//! `DataDirect 8.0 Autonomous REST Connector` never reach this profile.

use super::rows::{guess, row, seen, word};
use super::{Profile, Recognise};
use crate::options::catalog::{Choice, OptionSpec, Sure, ValueKind as K};

use Sure::{Confirmed as C, Guess as G};

pub(super) static PROFILE: Profile = Profile {
    id: "datadirect",
    name: "Progress DataDirect 8.0 ODBC drivers (other than Autonomous REST)",
    aliases: &["progress-datadirect", "dd"],
    options: OPTIONS,
    obsolete: &[],
    recognise: Recognise {
        // ODBCHOME/lib/iv<code>xx.so (32-bit) and dd<code>xx.so (64-bit):
        // ivsqls28.so, ddgplm28.so, ddgbq28.so; the same stems as .dll/.dylib.
        libraries: &[
            "iv*.so",
            "dd*.so",
            "iv*.dll",
            "dd*.dll",
            "iv*.dylib",
            "dd*.dylib",
        ],
        // `DataDirect 8.0 Salesforce`, `DataDirect 8.0 SQL Server Wire Protocol`.
        driver_names: &["datadirect*", "progress datadirect*"],
        // DataDirect's JDBC drivers name their properties differently
        // (ServerName, DatabaseName): not judged by this ODBC catalog.
        jdbc: &[],
        telltale: &[
            "IANAAppCodePage",
            "EncryptionMethod",
            "ValidateServerCertificate",
            "CryptoProtocolVersion",
            "HostNameInCertificate",
        ],
    },
    source: "DRIVERS.md §8 (Progress DataDirect 8.0 ODBC docs: BigQuery, Salesforce, Dynamics 365, HubSpot, SharePoint, Snowflake, SQL Server Wire Protocol)",
};

static OPTIONS: &[OptionSpec] = &[
    // --- Driver manager keys
    row("DataSourceName", K::DriverManager, "The data source name.").with_short("DSN", C),
    row("Driver", K::DriverManager, "Driver manager: the driver name or library path."),
    row("FILEDSN", K::DriverManager, "Driver manager: a .dsn file to read the connection from."),
    row("SAVEFILE", K::DriverManager, "Driver manager: a .dsn file to save the connection to."),
    row("Description", K::DriverManager, "A description of the data source."),
    // --- Shared options (§8.1)
    row(
        "IANAAppCodePage",
        K::Integer,
        "The code page of a non-Unicode application, as an IANA MIBenum (106 = UTF-8); also read from [ODBC].",
    )
    .with_short("IACP", C)
    .with_default("4", C),
    row("ApplicationUsingThreads", K::Bool, "Whether the application is multi-threaded (0/1).")
        .with_short("AUT", C),
    row(
        "AuthenticationMethod",
        K::Text,
        "How to authenticate; the codes and names differ per driver (Salesforce 0/userIDPassword, 24/oauth2.0; BigQuery oauth2.0, serviceaccount; Snowflake 0, 21 key pair, 45 browser SSO; HubSpot 24, 14).",
    )
    .with_short("AM", C),
    row("HostName", K::Text, "The server's host name or address.").with_short("HOST", C),
    row(
        "EncryptionMethod",
        K::Enumeration(&[
            Choice { code: "0", name: "NoEncryption" },
            Choice { code: "1", name: "SSL" },
        ]),
        "0: no TLS, 1: TLS.",
    )
    .with_short("EM", C),
    row(
        "ValidateServerCertificate",
        K::Bool,
        "Whether the server certificate is checked; 0 trusts any certificate.",
    )
    .with_short("VSC", C)
    .with_default("1", G),
    row("Truststore", K::Path, "The truststore of trusted CAs.").with_short("TS", C),
    row("TruststorePassword", K::Text, "The password of the truststore.")
        .with_short("TSP", C)
        .secret(),
    row("HostNameInCertificate", K::Text, "The host name expected in the server certificate.")
        .with_short("HNIC", C),
    row(
        "CryptoProtocolVersion",
        K::TlsProtocols,
        "The TLS versions allowed, e.g. TLSv1.3,TLSv1.2.",
    )
    .with_short("CPV", C),
    row("CryptoLibName", K::Path, "The OpenSSL library the driver loads.").with_short("CLN", C),
    row("EnableFIPS", K::Bool, "Whether only FIPS-validated cryptography is used.")
        .with_short("EF", C),
    row("GSSClient", K::Text, "The GSS (Kerberos) client library.").with_short("GSSC", C),
    row("KeyStore", K::Path, "The client-certificate keystore for mutual TLS."),
    row("KeyStorePassword", K::Text, "The password of the client keystore.").secret(),
    row("KeyPassword", K::Text, "The password of the client's private key.")
        .with_short("KP", C)
        .secret(),
    row("LogonID", K::Text, "The user name.").with_short("UID", C).with_aliases(&["User"]),
    row("Password", K::Text, "The password.").with_short("PWD", C).secret(),
    row("ProxyHost", K::Text, "The HTTP proxy of the REST-based drivers."),
    row("ProxyPort", K::Port, "The proxy's port."),
    row("ProxyUser", K::Text, "The user for proxy authentication."),
    row("ProxyPassword", K::Text, "The password for proxy authentication.").secret(),
    // --- OAuth 2.0 (§8.2); the short names differ per driver
    row("ClientID", K::Text, "The OAuth client id.")
        .with_short("cid", C)
        .with_aliases(&["CI"]),
    row("ClientSecret", K::Text, "The OAuth client secret (short name clse: Snowflake).")
        .with_short("clse", C)
        .with_aliases(&["CS"])
        .secret(),
    row("RefreshToken", K::Text, "The OAuth refresh token (short name rtok: Salesforce, SharePoint).")
        .with_short("rtok", C)
        .with_aliases(&["RT"])
        .secret(),
    row("AccessToken", K::Text, "An OAuth access token (short name AT: BigQuery).")
        .with_short("AT", C)
        .secret(),
    row("Scope", K::Scopes, "The OAuth scopes (short name oas: Dynamics 365, HubSpot, SharePoint).")
        .with_short("oas", C)
        .with_aliases(&["SC"]),
    row(
        "TokenURI",
        K::TokenUri,
        "The token endpoint (Dynamics 365 client credentials: `POST https://…`).",
    )
    .with_short("o2tu", C),
    row("AuthURI", K::Url, "The authorization endpoint (BigQuery).").with_short("o2au", C),
    row("RedirectURI", K::Url, "The redirect URI (BigQuery).").with_short("o2ru", C),
    row("EnableLoginPrompt", K::Bool, "Whether a browser login may be started (BigQuery).")
        .with_short("elp", C),
    row("SecurityToken", K::Text, "A security token (Salesforce).").secret(),
    row("SchemaMap", K::Path, "The relational map file (Salesforce: required with OAuth)."),
    seen("ClaimsIssuer", K::Text, "The JWT bearer assertion's `iss` (Salesforce JDBC)."),
    seen("ClaimsSubject", K::Text, "The JWT bearer assertion's `sub` (Salesforce JDBC)."),
    // --- Google BigQuery
    row("Project", K::Text, "BigQuery: the project.").with_short("PT", C),
    row("Dataset", K::Text, "BigQuery: the dataset.").with_short("DS", C),
    row("JWTAudience", K::Text, "BigQuery: the audience of the service-account JWT.")
        .with_short("JWTA", C),
    row("ServiceAccountEmail", K::Text, "BigQuery: the service account."),
    row(
        "ServiceAccountKeyContent",
        K::Text,
        "BigQuery: the service account's key itself (should not be stored in a data source).",
    )
    .secret(),
    row("ServiceAccountPrivateKey", K::Path, "BigQuery: the service account's key file."),
    // --- Microsoft Dynamics 365
    row("ServiceURL", K::Url, "Dynamics 365: the service URL.").with_short("surl", C),
    // --- Snowflake (DataDirect)
    row("AccountName", K::Text, "Snowflake: the account name."),
    row("DatabaseName", K::Text, "Snowflake: the database."),
    row("Warehouse", K::Text, "Snowflake: the warehouse."),
    row("Schema", K::Text, "Snowflake: the schema."),
    row("PrivateKeyFile", K::Path, "Snowflake: the key-pair private key file.")
        .with_short("pkf", C),
    row("PrivateKeyContent", K::Text, "Snowflake: the private key itself.").secret(),
    row("PrivateKeyPassphrase", K::Text, "Snowflake: the private key's passphrase.")
        .with_short("pkpp", C)
        .secret(),
    // --- SQL Server Wire Protocol: Always Encrypted
    row("AEKeystorePrincipalId", K::Text, "SQL Server: the Key Vault principal.")
        .with_short("AEKSPI", C),
    row("AEKeystoreClientSecret", K::Text, "SQL Server: the Key Vault client secret.")
        .with_short("AEKSCS", C)
        .secret(),
    row("AEKeyStoreLocation", K::Text, "SQL Server: the Always Encrypted keystore."),
    row("AEKeyStoreSecret", K::Text, "SQL Server: the keystore's secret.").secret(),
    row(
        "ColumnEncryption",
        K::Enumeration(&[word("Enabled"), word("Disabled")]),
        "SQL Server: Always Encrypted on or off.",
    ),
    // --- Wire-protocol connection options not in DRIVERS.md (U)
    guess("PortNumber", K::Port, "The server's port."),
    guess("Database", K::Text, "The database."),
    guess("LoginTimeout", K::Integer, "Seconds to wait for the connection."),
    guess("QueryTimeout", K::Integer, "Seconds a query may run."),
    guess("AlternateServers", K::Text, "Failover servers."),
    guess("ConnectionRetryCount", K::Integer, "Connection attempts."),
    guess("ConnectionRetryDelay", K::Integer, "Seconds between connection attempts."),
    guess("LoadBalancing", K::Bool, "Pick among the servers at random."),
    guess("FailoverMode", K::Integer, "What is restored after a failover."),
    guess("FailoverGranularity", K::Integer, "How failover errors are handled."),
    guess("FailoverPreconnect", K::Bool, "Connect to the failover server in advance."),
    guess("Pooling", K::Bool, "Connection pooling."),
    guess("MaxPoolSize", K::Integer, "The largest pool."),
    guess("MinPoolSize", K::Integer, "The smallest pool."),
    guess("LoadBalanceTimeout", K::Integer, "Seconds a pooled connection is kept."),
    guess("ConnectionReset", K::Bool, "Reset a pooled connection's state."),
    guess("ReportCodePageConversionErrors", K::Integer, "How code page conversion errors are reported."),
    guess("InitializationString", K::Text, "SQL run after connecting."),
];

#[cfg(test)]
mod tests {
    use super::super::rows::{Expect, check_profile};
    use super::super::{by_driver_name, by_library};
    use super::*;

    #[test]
    fn profile_as_documented() {
        check_profile(
            &PROFILE,
            &Expect {
                secrets: &[
                    "TruststorePassword",
                    "KeyStorePassword",
                    "KeyPassword",
                    "Password",
                    "ProxyPassword",
                    "ClientSecret",
                    "RefreshToken",
                    "AccessToken",
                    "SecurityToken",
                    "ServiceAccountKeyContent",
                    "PrivateKeyContent",
                    "PrivateKeyPassphrase",
                    "AEKeystoreClientSecret",
                    "AEKeyStoreSecret",
                ],
                secret_keys: &[
                    "TSP", "KP", "PWD", "CS", "clse", "RT", "rtok", "AT", "pkpp", "AEKSCS",
                ],
                libraries: &[
                    "/opt/Progress/DataDirect/ODBC_80_64bit/lib/ddsqls28.so",
                    "ivgbq28.so",
                    "ddgplm28.so",
                ],
                names: &[
                    "DataDirect 8.0 Salesforce",
                    "DataDirect 8.0 Google BigQuery",
                    "DataDirect 8.0 Snowflake",
                    "{DataDirect 8.0 SQL Server Wire Protocol}",
                ],
                not_names: &[],
                telltale: &["HostName", "EncryptionMethod"],
            },
        );
    }

    #[test]
    fn per_product_short_names() {
        for (short, long) in [
            ("rtok", "RefreshToken"),
            ("RT", "RefreshToken"),
            ("clse", "ClientSecret"),
            ("CS", "ClientSecret"),
            ("cid", "ClientID"),
            ("CI", "ClientID"),
            ("oas", "Scope"),
            ("SC", "Scope"),
            ("IACP", "IANAAppCodePage"),
            ("vsc", "ValidateServerCertificate"),
            ("UID", "LogonID"),
            ("User", "LogonID"),
        ] {
            assert_eq!(PROFILE.resolve_key(short).unwrap().0.name, long, "{short}");
        }
    }

    #[test]
    fn autonomous_rest_comes_first() {
        for lib in ["ddautorest28.so", "ivautorest28.so"] {
            assert_eq!(by_library(lib).map(|p| p.id), Some("autorest"), "{lib}");
        }
        assert_eq!(
            by_driver_name("DataDirect 8.0 Autonomous REST Connector").map(|p| p.id),
            Some("autorest")
        );
    }
}
