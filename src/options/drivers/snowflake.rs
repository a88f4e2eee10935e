//! Snowflake's ODBC driver, `SnowflakeDSIIDriver` (DRIVERS.md §6, from
//! Snowflake's "ODBC configuration and connection parameters" page).
//!
//! Two kinds of keys:
//!
//! * the connection parameters (§6.1): read from the odbc.ini data source
//!   or the connection string;
//! * the driver's configuration parameters (§6.2): read from
//!   `simba.snowflake.ini` (Windows: the `HKLM\SOFTWARE\Snowflake\Driver`
//!   key), **not** from odbc.ini. They are rows with
//!   [`OptionSpec::odbc`] = [`Sure::Absent`](crate::options::Sure::Absent),
//!   so that a data source holding one is told where the key belongs (the
//!   `snowflake-config-key` lint) rather than that the key is unknown.
//!   `get_size_threshold` and `MapToLongVarchar` are in both lists: they are
//!   connection parameters here. `Proxy` matches the connection parameter
//!   `proxy` (keys match in any case).
//!
//! The page calls the key-pair parameters "case-sensitive" while real files
//! write them in lower case and work (§6.1): keys match in any case here.

use super::rows::{guess, not_read, row, seen, word};
use super::{Profile, Recognise};
use crate::options::catalog::{OptionSpec, Sure, ValueKind as K};

use Sure::Confirmed as C;

pub(super) static PROFILE: Profile = Profile {
    id: "snowflake",
    name: "Snowflake ODBC driver",
    aliases: &["snowflakedsiidriver", "snowflake-odbc"],
    options: OPTIONS,
    obsolete: &[],
    recognise: Recognise {
        // /usr/lib/snowflake/odbc/lib/libSnowflake.so (.deb), libSnowflake.dylib;
        // the Windows SnowflakeDSII.dll is unconfirmed.
        libraries: &[
            "libsnowflake.so",
            "libsnowflake.dylib",
            "snowflakedsii*.dll",
        ],
        // The DataDirect Snowflake driver (`DataDirect 8.0 Snowflake`) is
        // another driver: only Snowflake's own names.
        driver_names: &["snowflakedsiidriver", "snowflake dsii", "snowflake"],
        jdbc: &[],
        telltale: &[
            "authenticator",
            "warehouse",
            "priv_key_file",
            "CLIENT_SESSION_KEEP_ALIVE",
            "PRIV_KEY_FILE_PWD",
        ],
    },
    source: "DRIVERS.md §6 (Snowflake docs: ODBC configuration and connection parameters)",
};

/// The connection parameters (§6.1), then the configuration parameters of
/// §6.2 that do not belong in odbc.ini.
static OPTIONS: &[OptionSpec] = &[
    row("DSN", K::DriverManager, "Driver manager: the data source name."),
    row("Driver", K::DriverManager, "Driver manager: the driver name or library path."),
    row("Description", K::DriverManager, "Driver manager: a description of the data source."),
    // --- The account
    row("server", K::Text, "`<account_identifier>.snowflakecomputing.com` (required)."),
    row("uid", K::Text, "The login name."),
    row("pwd", K::Text, "The password (Snowflake advises against storing it in the DSN).").secret(),
    row("port", K::Port, "The port.").with_default("443", C),
    row("account", K::Text, "The account identifier (else derived from server)."),
    row("database", K::Text, "The default database."),
    row("schema", K::Text, "The default schema.").with_default("public", C),
    row("warehouse", K::Text, "The default warehouse."),
    row("role", K::Text, "The default role."),
    row("SecondaryRoles", K::Enumeration(&[word("All"), word("None")]), "All or None."),
    // --- Authentication
    row(
        "authenticator",
        K::Text,
        "snowflake (default), externalbrowser, https://<okta>.okta.com, oauth, username_password_mfa, oauth_authorization_code, oauth_client_credentials, programmatic_access_token, workload_identity, snowflake_jwt.",
    )
    .with_default("snowflake", C),
    row(
        "token",
        K::Text,
        "An OAuth access token or programmatic access token (oauth, programmatic_access_token), or an OIDC token.",
    )
    .secret(),
    row("token_file_path", K::Path, "A file holding a token (it holds a credential)."),
    row("PRIV_KEY_FILE", K::Path, "The PKCS#8 private key file (snowflake_jwt)."),
    row("PRIV_KEY_FILE_PWD", K::Text, "The passphrase of PRIV_KEY_FILE.").secret(),
    row("PRIV_KEY_BASE64", K::Text, "The private key itself, base64-encoded.").secret(),
    row("PRIV_KEY_PWD", K::Text, "The password of the private key.").secret(),
    row("JWT_TIME_OUT", K::Integer, "Seconds the key-pair JWT stays valid.").with_default("30", C),
    row("passcode", K::Text, "An MFA passcode.").secret(),
    row(
        "passcodeInPassword",
        K::Enumeration(&[word("on"), word("true"), word("off"), word("false")]),
        "on/true: the MFA passcode is appended to the password.",
    ),
    row("OAUTH_CLIENT_ID", K::Text, "The OAuth client id.")
        .with_default("LOCAL_APPLICATION", C),
    row("OAUTH_CLIENT_SECRET", K::Text, "The OAuth client secret.")
        .with_default("LOCAL_APPLICATION", C)
        .secret(),
    row("OAUTH_AUTHORIZATION_URL", K::Url, "The authorization endpoint."),
    row("OAUTH_TOKEN_REQUEST_URL", K::Url, "The token endpoint."),
    row("OAUTH_SCOPE", K::Scopes, "The scopes to request, separated by spaces."),
    row("OAUTH_REDIRECT_URI", K::Url, "The redirect URI.")
        .with_default("http://127.0.0.1:{port}", C),
    row(
        "WORKLOAD_IDENTITY_PROVIDER",
        K::Enumeration(&[word("AWS"), word("AZURE"), word("GCP"), word("OIDC")]),
        "The workload identity provider: AWS, AZURE, GCP or OIDC.",
    ),
    row(
        "WORKLOAD_IDENTITY_IMPERSONATION_PATH",
        K::Text,
        "The service accounts to impersonate, in order.",
    ),
    row("wif_host", K::Text, "The workload identity host or URL."),
    row("BROWSER_RESPONSE_TIMEOUT", K::Integer, "Seconds to wait for the browser login.")
        .with_default("120", C),
    row("singleAuthenticationPrompt", K::Bool, "One browser prompt for concurrent connections.")
        .with_default("true", C),
    row("disableSamlUrlCheck", K::Bool, "Skip the SAML URL check.").with_default("false", C),
    row(
        "SKIP_TOKEN_FILE_PERMISSIONS_VERIFICATION",
        K::Bool,
        "Skip the permission check of the token file.",
    ),
    // --- Session
    row("CLIENT_SESSION_KEEP_ALIVE", K::Bool, "Keep the session alive.")
        .with_default("false", C),
    row(
        "CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY",
        K::Integer,
        "Seconds between keep-alive heartbeats (900-3600).",
    )
    .with_default("3600", C),
    row("CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED", K::Bool, "Send out-of-band telemetry.")
        .with_default("true", C),
    row("login_timeout", K::Integer, "Seconds to wait for the login.").with_default("300", C),
    row("network_timeout", K::Integer, "Seconds to wait for the network; 0 = none.")
        .with_default("0", C),
    row("query_timeout", K::Integer, "Seconds a query may run; 0 = no limit.")
        .with_default("0", C),
    row("retryTimeout", K::Integer, "Seconds to keep retrying.").with_default("300", C),
    row("maxHttpRetries", K::Integer, "HTTP retries.").with_default("7", C),
    row("proxy", K::Text, "The proxy (a URL may carry credentials)."),
    row("no_proxy", K::Text, "Hosts reached without the proxy."),
    row("allowEmptyProxy", K::Bool, "Whether an empty proxy disables the proxy.")
        .with_default("true", C),
    row(
        "tracing",
        K::Enumeration(&[
            word("0"),
            word("1"),
            word("2"),
            word("3"),
            word("4"),
            word("5"),
            word("6"),
        ]),
        "Log level, 0 (off) to 6 (trace).",
    ),
    row("application", K::Text, "The partner application name."),
    // --- Certificate revocation (3.13.0+)
    row("CRL_CHECK", K::Bool, "Check certificate revocation lists."),
    row("CRL_ADVISORY", K::Bool, "Revocation check failures only warn."),
    row("CRL_ALLOW_NO_CRL", K::Bool, "Accept certificates without a CRL."),
    row("CRL_DISK_CACHING", K::Bool, "Cache CRLs on disk."),
    row("CRL_MEMORY_CACHING", K::Bool, "Cache CRLs in memory."),
    row("CRL_DOWNLOAD_TIMEOUT", K::Integer, "Seconds to wait for a CRL download."),
    // --- Diagnostics
    row("disablePlatformDetection", K::Bool, "Skip detecting the cloud platform."),
    row("platformDetectionTimeoutMs", K::Integer, "Milliseconds for platform detection."),
    row("LOG_QUERY_TEXT", K::Bool, "Log query texts."),
    row("LOG_QUERY_PARAMETERS", K::Bool, "Log query parameters."),
    row("validateSessionParam", K::Bool, "Validate session parameters given as keys."),
    row("enable_connection_diag", K::Bool, "Run the connection diagnostics."),
    row("connection_diag_log_path", K::Path, "Where the connection diagnostics are written."),
    row("connection_diag_allowlist_path", K::Path, "The allowlist file for the diagnostics."),
    // --- Data
    row("default_binary_size", K::Integer, "The default size of BINARY columns."),
    row("default_varchar_size", K::Integer, "The default size of VARCHAR columns."),
    row("get_size_threshold", K::Integer, "The size above which SQLGetData streams."),
    row("MapToLongVarchar", K::Integer, "Report VARCHAR columns above this size as LONGVARCHAR."),
    row(
        "odbc_use_standard_timestamp_columnsize",
        K::Bool,
        "Report the standard TIMESTAMP column size.",
    ),
    row("put_compresslv", K::Integer, "The compression level of PUT."),
    row("put_fastfail", K::Bool, "Stop a PUT at the first failure."),
    row("put_maxretries", K::Integer, "Retries of a PUT."),
    row("put_tempdir", K::Path, "The temporary directory of PUT."),
    // --- Seen in the shipped sample DSN and real files, not in the reference (C)
    seen("Locale", K::Text, "The locale (in the shipped sample DSN)."),
    seen("SSL", K::Text, "`on` (in the shipped sample DSN)."),
    // --- Connector parameters of other Snowflake clients, not in the ODBC
    // reference (U): accepted, and tls-verification-off knows them.
    guess("insecure_mode", K::Bool, "Turns off certificate revocation (OCSP) checks."),
    guess("disable_ocsp_checks", K::Bool, "Turns off certificate revocation (OCSP) checks."),
    // --- §6.2: configuration parameters, read from simba.snowflake.ini only
    not_read("CABundleFile", K::Path, "simba.snowflake.ini: the CA bundle file."),
    not_read("client_config_file", K::Path, "simba.snowflake.ini: the client configuration file."),
    not_read("CURLVerboseMode", K::Bool, "simba.snowflake.ini: libcurl verbose logging."),
    not_read("DisableOCSPCheck", K::Bool, "simba.snowflake.ini: turns off OCSP checks."),
    not_read("DisableTelemetry", K::Bool, "simba.snowflake.ini: turns off telemetry."),
    not_read(
        "DriverManagerOverride",
        K::Enumeration(&[word("UnixODBC"), word("iODBC")]),
        "simba.snowflake.ini: the driver manager in use.",
    ),
    not_read("EnableAutoIpdByDefault", K::Bool, "simba.snowflake.ini: automatic IPD."),
    not_read("EnablePidLogFileNames", K::Bool, "simba.snowflake.ini: the PID in log file names."),
    not_read("KeepLeadingTrailingZeros", K::Bool, "simba.snowflake.ini: keep zeros of numbers."),
    not_read("LogFileCount", K::Integer, "simba.snowflake.ini: log files kept."),
    not_read("LogFileSize", K::Integer, "simba.snowflake.ini: the size of a log file."),
    not_read("LogLevel", K::Integer, "simba.snowflake.ini: log level 0-6."),
    not_read("LogPath", K::Path, "simba.snowflake.ini: the log directory."),
    not_read("NoExecuteInSQLPrepare", K::Bool, "simba.snowflake.ini: SQLPrepare does not execute."),
    not_read("NoProxy", K::Text, "simba.snowflake.ini: hosts reached without the proxy."),
    not_read("SSLVersion", K::Text, "simba.snowflake.ini: the lowest TLS version."),
    not_read("SSLVersionMax", K::Text, "simba.snowflake.ini: the highest TLS version."),
    not_read("ODBCInstLib", K::Path, "simba.snowflake.ini: the driver manager's odbcinst library."),
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
                    "pwd",
                    "token",
                    "PRIV_KEY_FILE_PWD",
                    "PRIV_KEY_BASE64",
                    "PRIV_KEY_PWD",
                    "passcode",
                    "OAUTH_CLIENT_SECRET",
                ],
                secret_keys: &[],
                libraries: &[
                    "/usr/lib/snowflake/odbc/lib/libSnowflake.so",
                    "/opt/snowflake/snowflakeodbc/lib/universal/libSnowflake.dylib",
                ],
                names: &["SnowflakeDSIIDriver"],
                not_names: &["DataDirect 8.0 Snowflake"],
                telltale: &["server", "warehouse"],
            },
        );
    }

    #[test]
    fn configuration_parameters_are_known_but_not_read() {
        for k in [
            "CABundleFile",
            "DisableOCSPCheck",
            "LogLevel",
            "LOGPATH",
            "NoProxy",
        ] {
            let (spec, _) = PROFILE.resolve_key(k).unwrap();
            assert_eq!(spec.odbc, Sure::Absent, "{k}");
        }
        // In both lists, or the connection parameter under another case.
        for k in ["get_size_threshold", "MapToLongVarchar", "Proxy"] {
            let (spec, _) = PROFILE.resolve_key(k).unwrap();
            assert_eq!(spec.odbc, Sure::Confirmed, "{k}");
        }
    }
}
