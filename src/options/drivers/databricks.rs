//! The Databricks ODBC driver (Simba Spark) (DRIVERS.md §7).
//!
//! Closed source, and the vendor's option reference could not be read: the
//! rows come from the Databricks authentication pages (confirmed), real data
//! sources in public code and the Simba sample odbc.ini (seen), and Simba
//! option names not confirmed for this driver (guesses, accepted so that a
//! real file is not told they are unknown).

use super::rows::{guess, row, seen};
use super::{Profile, Recognise};
use crate::options::catalog::{Choice, OptionSpec, Sure, ValueKind as K};

use Sure::Confirmed as C;

/// `0`/`1`, as Simba drivers write their switches.
const SWITCH: K = K::Enumeration(&[
    Choice {
        code: "0",
        name: "off",
    },
    Choice {
        code: "1",
        name: "on",
    },
]);

pub(super) static PROFILE: Profile = Profile {
    id: "databricks",
    name: "Databricks ODBC driver (Simba Spark)",
    aliases: &["simba-spark", "spark", "databricks-odbc", "simbaspark"],
    options: OPTIONS,
    obsolete: &[],
    recognise: Recognise {
        // /opt/simba/spark/lib/64/libsparkodbc_sb64.so, …_sb64-universal.dylib,
        // the older …_sbu.dylib, SparkODBC_sb64.dll; the Databricks-branded
        // libdatabricksodbc.dylib (its Linux name is unconfirmed).
        libraries: &[
            "libsparkodbc_sb*",
            "sparkodbc_sb*.dll",
            "libdatabricksodbc*",
        ],
        // `Simba Spark ODBC Driver`, `Simba Spark ODBC Driver 64-bit`, and
        // what users register.
        driver_names: &["simba spark*", "databricks*", "spark", "spark odbc*"],
        // The Databricks and Simba JDBC drivers spell their properties
        // differently (transportMode, httpPath).
        jdbc: &[],
        telltale: &[
            "HTTPPath",
            "ThriftTransport",
            "Auth_Flow",
            "SparkServerType",
            "Auth_AccessToken",
        ],
    },
    source: "DRIVERS.md §7 (Databricks docs: ODBC authentication; real DSNs; Simba sample odbc.ini)",
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
        "Description",
        K::DriverManager,
        "Driver manager: a description of the data source.",
    ),
    // --- Where (D)
    row("Host", K::Text, "The workspace host name."),
    row("Port", K::Port, "The port.").with_default("443", C),
    row(
        "HTTPPath",
        K::Text,
        "`/sql/1.0/warehouses/<id>` or a cluster's HTTP path.",
    ),
    row("SSL", SWITCH, "1: TLS (Databricks requires it)."),
    row(
        "ThriftTransport",
        K::Enumeration(&[
            Choice {
                code: "0",
                name: "Binary",
            },
            Choice {
                code: "1",
                name: "SASL",
            },
            Choice {
                code: "2",
                name: "HTTP",
            },
        ]),
        "2 = HTTP, as Databricks uses (0 binary and 1 SASL are unconfirmed).",
    ),
    seen(
        "SparkServerType",
        K::Enumeration(&[
            Choice {
                code: "1",
                name: "SharkServer",
            },
            Choice {
                code: "2",
                name: "SharkServer2",
            },
            Choice {
                code: "3",
                name: "SparkThriftServer",
            },
        ]),
        "3 = Spark Thrift Server (1 and 2: Shark).",
    ),
    // --- Authentication (D, C)
    row(
        "AuthMech",
        K::Enumeration(&[
            Choice {
                code: "0",
                name: "NoAuthentication",
            },
            Choice {
                code: "1",
                name: "Kerberos",
            },
            Choice {
                code: "2",
                name: "UserName",
            },
            Choice {
                code: "3",
                name: "UserNameAndPassword",
            },
            Choice {
                code: "11",
                name: "OAuth2",
            },
        ]),
        "3 = user name and password (a personal access token with UID=token), 11 = OAuth 2.0 (with Auth_Flow).",
    ),
    row(
        "UID",
        K::Text,
        "The user; `token` for a personal access token.",
    ),
    row(
        "PWD",
        K::Text,
        "The password or personal access token (AuthMech=3).",
    )
    .secret(),
    row(
        "Auth_Flow",
        K::Enumeration(&[
            Choice {
                code: "0",
                name: "TokenPassthrough",
            },
            Choice {
                code: "1",
                name: "ClientCredentials",
            },
            Choice {
                code: "2",
                name: "Browser",
            },
            Choice {
                code: "3",
                name: "AzureManagedIdentity",
            },
        ]),
        "With AuthMech=11: 0 token pass-through (Auth_AccessToken), 1 client credentials (M2M), 2 browser (U2M), 3 Azure managed identity.",
    ),
    row(
        "Auth_AccessToken",
        K::Text,
        "The OAuth access token (Auth_Flow=0).",
    )
    .secret(),
    seen(
        "Auth_Client_ID",
        K::Text,
        "The OAuth client id (U2M default databricks-sql-odbc).",
    ),
    seen(
        "Auth_Client_Secret",
        K::Text,
        "The OAuth client secret (Auth_Flow=1).",
    )
    .secret(),
    seen(
        "Auth_Scope",
        K::Scopes,
        "The scopes, e.g. all-apis or sql offline_access.",
    ),
    seen(
        "TokenCachePassPhrase",
        K::Text,
        "The passphrase of the U2M token cache.",
    )
    .secret(),
    guess(
        "OAuth2RedirectUrlPort",
        K::Text,
        "The browser login's redirect port(s).",
    )
    .with_default("8020", Sure::Guess),
    guess("EnableTokenCache", SWITCH, "Whether U2M tokens are cached."),
    // --- Session (C)
    seen("Catalog", K::Text, "The default catalog."),
    seen("Schema", K::Text, "The default schema."),
    seen(
        "UseSystemTrustStore",
        SWITCH,
        "1: trust the system's CA store.",
    ),
    seen("Min_TLS", K::Text, "The lowest TLS version, e.g. 1.2."),
    seen(
        "ApplySSPWithQueries",
        SWITCH,
        "Apply server-side properties with queries.",
    ),
    seen("RowsFetchedPerBlock", K::Integer, "Rows fetched per block."),
    seen(
        "DefaultStringColumnLength",
        K::Integer,
        "The reported length of STRING columns.",
    ),
    seen(
        "DecimalColumnScale",
        K::Integer,
        "The reported scale of DECIMAL columns.",
    ),
    seen(
        "UseUnicodeSqlCharacterTypes",
        SWITCH,
        "Report SQL_WVARCHAR rather than SQL_VARCHAR.",
    ),
    seen(
        "UseNativeQuery",
        SWITCH,
        "Send queries as written (no translation).",
    ),
    // --- Simba option names not confirmed for this driver (U)
    guess(
        "AllowSelfSignedServerCert",
        SWITCH,
        "1: accept a self-signed server certificate.",
    ),
    guess(
        "CAIssuedCertNamesMismatch",
        SWITCH,
        "1: accept a certificate issued to another host name.",
    ),
    guess(
        "AllowHostNameCNMismatch",
        SWITCH,
        "1: accept a certificate whose name does not match the host.",
    ),
    guess(
        "TrustedCerts",
        K::Path,
        "The file of trusted CA certificates.",
    ),
    guess("TwoWaySSL", SWITCH, "1: present a client certificate."),
    guess("ClientCert", K::Path, "The client certificate file."),
    guess("ClientPrivateKey", K::Path, "The client private key file."),
    guess(
        "ClientPrivateKeyPassword",
        K::Text,
        "The client private key's password.",
    )
    .secret(),
    guess("UseProxy", SWITCH, "1: connect through ProxyHost."),
    guess("ProxyHost", K::Text, "The proxy host."),
    guess("ProxyPort", K::Port, "The proxy port."),
    guess("ProxyUID", K::Text, "The proxy user."),
    guess("ProxyPWD", K::Text, "The proxy password.").secret(),
    guess(
        "KrbHostFQDN",
        K::Text,
        "Kerberos (AuthMech=1): the server's host name.",
    ),
    guess(
        "KrbServiceName",
        K::Text,
        "Kerberos (AuthMech=1): the service name.",
    ),
    guess("KrbRealm", K::Text, "Kerberos (AuthMech=1): the realm."),
    guess("LogLevel", K::Integer, "The log level, 0 (off) to 6."),
    guess("LogPath", K::Path, "The log directory."),
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
                secrets: &[
                    "PWD",
                    "Auth_AccessToken",
                    "Auth_Client_Secret",
                    "TokenCachePassPhrase",
                    "ClientPrivateKeyPassword",
                    "ProxyPWD",
                ],
                secret_keys: &[],
                libraries: &[
                    "/opt/simba/spark/lib/64/libsparkodbc_sb64.so",
                    "/Library/simba/spark/lib/libsparkodbc_sb64-universal.dylib",
                    "/Library/simba/spark/lib/libsparkodbc_sbu.dylib",
                    r"C:\Program Files\Simba Spark ODBC Driver\lib\64\SparkODBC_sb64.dll",
                    "/Library/databricks/databricksodbc/lib/libdatabricksodbc.dylib",
                ],
                names: &[
                    "Simba Spark ODBC Driver",
                    "Simba Spark ODBC Driver 64-bit",
                    "Databricks",
                ],
                not_names: &[],
                telltale: &["Host", "HTTPPath"],
            },
        );
        assert_eq!(PROFILE.resolve_key("httppath").unwrap().0.odbc, C);
        assert_eq!(
            PROFILE.resolve_key("Auth_Client_ID").unwrap().0.odbc,
            Sure::Named
        );
    }
}
