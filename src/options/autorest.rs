//! The DataDirect Autonomous REST Connector's options, as data: every row of
//! AUTOREST_OPTIONS.md (ODBC driver 8.0 and JDBC driver 6.0) plus the driver
//! manager's keywords, each with how sure its facts are.
//!
//! How sure (AUTOREST_OPTIONS.md §0), per driver and for the short name and
//! the default: `C` read on the option's own ARC page, `N` named on an ARC
//! page, `S` from sibling drivers built on the ARC engine, `G` from other
//! DataDirect drivers, `A` (—) absent from that driver, `U` (?) unknown. A
//! name from a sibling or another driver is accepted (a DSN using it is not
//! told the key is unknown) but marked as such in `connstr options`.

use super::AuthMethod as M;
use super::catalog::{Choice, Methods, OptionSpec, Sure, ValueKind as K};
use Sure::{Absent as A, Confirmed as C, Guess as G, Named as N, Sibling as S, Unknown as U};

const OAUTH: Methods = Methods::of(&[
    M::OAuth2,
    M::OAuth2AccessToken,
    M::OAuth2AuthorizationCode,
    M::OAuth2Pkce,
    M::OAuth2Password,
    M::OAuth2ClientCredentials,
    M::OAuth2RefreshToken,
    M::OAuth2JwtBearer,
]);
const JWT: Methods = Methods::of(&[M::OAuth2, M::OAuth2JwtBearer]);
const AWS: Methods = Methods::of(&[M::Aws]);
const INTERACTIVE: Methods = Methods::of(&[M::OAuth2, M::OAuth2AuthorizationCode, M::OAuth2Pkce]);

/// The table. Order: authentication first (as OPTIONS.md §2 lists it), then
/// the service, TLS, proxy, web service, mapping, SQL engine, additional and
/// JDBC-only groups of AUTOREST_OPTIONS.md §3, then the driver manager's keys.
pub(crate) static CATALOG: &[OptionSpec] = &[
    // --- Authentication
    OptionSpec::new("AuthenticationMethod", K::AuthMethod,
        "How to authenticate: None, Basic, OAuth2-ClientCredentials, … (or the ODBC code).")
        .with_short("am", C).with_default("None", C),
    OptionSpec::new("ClientID", K::Text, "The OAuth client id of your application.")
        .with_short("cid", C).for_methods(OAUTH),
    OptionSpec::new("ClientSecret", K::Text, "The OAuth client secret of your application.")
        .secret().for_methods(OAUTH).sure(N, C),
    OptionSpec::new("RefreshToken", K::Text,
        "The refresh token exchanged at TokenURI for new access tokens.")
        .with_short("rtok", G).with_legacy(&["RTK"]).secret()
        .for_methods(Methods::of(&[M::OAuth2, M::OAuth2AccessToken, M::OAuth2RefreshToken]))
        .sure(N, N),
    OptionSpec::new("AccessToken", K::Text, "An access token to use as is until it expires.")
        .with_short("atok", S).with_legacy(&["ATK"]).secret()
        .for_methods(Methods::of(&[M::OAuth2, M::OAuth2AccessToken])).sure(N, N),
    OptionSpec::new("TokenURI", K::TokenUri,
        "The token endpoint; prefix with `POST ` to request it with POST (the default is GET).")
        .with_short("o2tu", C).for_methods(OAUTH),
    OptionSpec::new("AuthURI", K::Url, "The authorization endpoint, for an interactive login.")
        .with_short("o2au", S).for_methods(INTERACTIVE).sure(N, N),
    OptionSpec::new("RedirectURI", K::Url,
        "Where the authorization server sends the browser back (with a port for an interactive login).")
        .with_short("o2ru", C).for_methods(INTERACTIVE),
    OptionSpec::new("Scope", K::Scopes, "The OAuth scopes to request, separated by spaces.")
        .with_short("oas", S).for_methods(OAUTH).sure(N, C),
    OptionSpec::new("OAuthCode", K::Text,
        "An authorization code already obtained from the authorization endpoint.")
        .with_short("oac", C).secret()
        .for_methods(Methods::of(&[M::OAuth2, M::OAuth2AuthorizationCode])),
    // DataDirect's `Default` (0) is the Basic header: connstr names it Basic.
    OptionSpec::new("ClientCredentialsMode", K::ClientCredentialsMode,
        "How the client id and secret travel to the token endpoint: Basic, Url, Post or All.")
        .with_short("clcm", C).with_default("Basic", C).for_methods(OAUTH),
    OptionSpec::new("AuthHeader", K::HeaderName,
        "The HTTP header carrying the credentials (Basic, HttpHeader) or an extra header (OAuth).")
        .with_short("ah", C).with_default("Authorization", C)
        .for_methods(Methods::of(&[M::Basic, M::HttpHeader]).union(OAUTH)),
    OptionSpec::new("SecurityToken", K::Text,
        "The token sent as bearer token, header or URL parameter (or the extra OAuth header's value).")
        .with_short("st", C).secret()
        .for_methods(Methods::of(&[M::BearerToken, M::HttpHeader, M::UrlParameter]).union(OAUTH)),
    OptionSpec::new("AuthParam", K::Text, "The URL parameter carrying SecurityToken.")
        .with_short("ap", C).for_methods(Methods::of(&[M::UrlParameter])),
    OptionSpec::new("User", K::Text,
        "The user name (Basic, Digest, the password grant; part of the token store key).")
        .with_aliases(&["UID"]).with_legacy(&["LogonID"])
        .for_methods(Methods::of(&[M::Basic, M::Digest]).union(OAUTH)).sure(N, N),
    OptionSpec::new("Password", K::Text, "The user's password.")
        .with_aliases(&["PWD"]).secret()
        .for_methods(Methods::of(&[M::Basic, M::Digest, M::OAuth2, M::OAuth2Password]))
        .sure(N, N),
    OptionSpec::new("EnableLoginPrompt", K::Bool,
        "Whether an interactive login may be started (0/1); ODBC: only with SQLEngineMode=2.")
        .with_short("elp", C).with_default("0", S).for_methods(INTERACTIVE),
    OptionSpec::new("CustomAuthParams", K::ParamList,
        "Values for the Model file's custom authentication requests, `a;b;c` (often API keys).")
        .with_short("cap", C).secret().for_methods(Methods::of(&[M::Custom])),
    OptionSpec::new("HealthURI", K::Url,
        "An endpoint called at connect time to prove the credentials work.")
        .with_short("huri", C),
    // --- JWT bearer
    OptionSpec::new("ClaimsIssuer", K::Text,
        "The `iss` claim of the JWT bearer assertion (the client id / consumer key).")
        .with_short("cliss", S).for_methods(JWT).sure(N, C),
    OptionSpec::new("ClaimsSubject", K::Text, "The `sub` claim of the JWT bearer assertion.")
        .with_short("clsub", C).for_methods(JWT),
    OptionSpec::new("JWTCertStore", K::Path,
        "The keystore with the private key that signs the JWT assertion: PKCS12, a PEM private key or a Google service-account JSON key file (a JKS keystore must be converted to PKCS12).")
        .with_short("jwtcs", C).for_methods(JWT),
    OptionSpec::new("JWTCertPassword", K::Text, "The password of the JWT keystore.")
        .with_short("jwtcp", C).secret().for_methods(JWT),
    OptionSpec::new("JWTCertAlias", K::Text,
        "The alias of the signing key in the JWT keystore.")
        .with_short("jwtca", C).for_methods(JWT),
    // --- AWS
    OptionSpec::new("AccessKey", K::Text, "The AWS access key id.")
        .for_methods(AWS).sure(N, C),
    OptionSpec::new("SecretKey", K::Text, "The AWS secret access key.")
        .secret().for_methods(AWS).sure(N, C),
    OptionSpec::new("Region", K::Text, "The AWS region.")
        .for_methods(AWS),
    // --- The REST service
    OptionSpec::new("RESTConfigFile", K::Path,
        "The Model (.rest) file describing the REST endpoints.")
        .with_short("rcf", C).with_aliases(&["Config"]),
    OptionSpec::new("RESTSamplePath", K::Url,
        "The URL of one endpoint to sample when there is no Model file.")
        .with_short("rsp", C).with_aliases(&["Sample"]),
    OptionSpec::new("HostName", K::Url,
        "The base URL of the REST service (`{serverName}` in the Model file).")
        .with_short("host", S).with_aliases(&["ServerName"]).sure(N, C),
    OptionSpec::new("PortNumber", K::Port,
        "The TCP port of the REST service (80, or 443 with TLS, when absent).")
        .with_short("port", C),
    OptionSpec::new("Table", K::Text, "The table name the sampled endpoint maps to.")
        .with_short("tbl", C),
    // --- TLS
    OptionSpec::new("EncryptionMethod", K::Enumeration(&[
        Choice { code: "0", name: "NoEncryption" },
        Choice { code: "1", name: "SSL" },
    ]), "Forces TLS (1/SSL) or not; an https URL turns TLS on anyway.")
        .with_short("em", C),
    OptionSpec::new("ValidateServerCertificate", K::Bool,
        "Whether the server certificate is checked; 0/false trusts any certificate.")
        .with_short("vsc", C).with_default("1", G),
    OptionSpec::new("Truststore", K::Path,
        "The truststore of trusted CAs (else javax.net.ssl.trustStore).")
        .with_short("ts", S).sure(N, C),
    OptionSpec::new("TruststorePassword", K::Text, "The password of the truststore.")
        .with_short("tsp", S).secret().sure(N, C),
    OptionSpec::new("HostNameInCertificate", K::Text,
        "The host name expected in the server certificate (else the connection's host).")
        .with_short("hnic", G).sure(N, N),
    OptionSpec::new("CryptoProtocolVersion", K::TlsProtocols,
        "The TLS versions allowed, e.g. TLSv1.3,TLSv1.2.")
        .with_short("cpv", S).sure(N, C),
    OptionSpec::new("KeyStore", K::Path,
        "The client-certificate keystore for mutual TLS (holds a private key).")
        .sure(N, N),
    OptionSpec::new("KeyStorePassword", K::Text, "The password of the client keystore.")
        .with_short("ksp", S).secret().sure(N, C),
    OptionSpec::new("KeyPassword", K::Text,
        "The password of the client's private key, when it differs from the keystore's.")
        .with_short("kp", C).secret(),
    // --- Proxy
    OptionSpec::new("ProxyHost", K::Text, "The HTTP(S) proxy the driver uses.")
        .with_short("pxhn", S).sure(S, S),
    OptionSpec::new("ProxyPort", K::Port,
        "The proxy's port; 0 takes 80 or 443 from the ProxyHost scheme.")
        .with_short("pxpt", S).with_default("0", S).sure(S, S),
    OptionSpec::new("ProxyUser", K::Text, "The user for proxy authentication.")
        .with_short("pxun", S).sure(S, S),
    OptionSpec::new("ProxyPassword", K::Text, "The password for proxy authentication.")
        .with_short("pxpw", C).secret().sure(C, S),
    OptionSpec::new("ServerProxyHost", K::Text,
        "The proxy of the SQL engine service (server mode).")
        .with_short("sph", S).sure(S, A),
    OptionSpec::new("ServerProxyPort", K::Port, "The port of the SQL engine service's proxy.")
        .with_short("spp", S).sure(S, A),
    OptionSpec::new("ServerProxyUser", K::Text, "The user for the SQL engine service's proxy.")
        .with_short("spu", S).sure(S, A),
    OptionSpec::new("ServerProxyPassword", K::Text,
        "The password for the SQL engine service's proxy.")
        .with_short("spw", S).secret().sure(S, A),
    // --- Web service
    OptionSpec::new("WSFetchSize", K::Integer,
        "Rows asked for per page of a paged endpoint; 0 = the Model file's maximum page size.")
        .with_short("wsfs", C).with_default("2000", C).sure(C, N),
    OptionSpec::new("WSPoolSize", K::Integer,
        "Concurrent web-service sessions; only a session's first connection sets it.")
        .with_short("wsps", C).with_default("1", C),
    OptionSpec::new("WSRetryCount", K::Integer,
        "Retries of a timed-out request (and of the Model file's RETRY_AFTER/RETRY_FIXED); 0 = none.")
        .with_short("wsrc", S).with_default("5", S).sure(N, N),
    OptionSpec::new("WSTimeout", K::Integer,
        "Seconds to wait for each HTTP response; 0 = forever.")
        .with_short("wst", S).with_default("120", C).sure(S, C),
    // --- Mapping
    OptionSpec::new("CreateMap", K::Enumeration(&[
        Choice { code: "0", name: "NotExist" },
        Choice { code: "1", name: "ForceNew" },
        Choice { code: "2", name: "No" },
        Choice { code: "3", name: "Session" },
    ]), "Whether the relational map files are reused, rebuilt, required or kept in memory.")
        .with_short("cm", C).with_default("Session", C).sure(C, S),
    OptionSpec::new("SchemaMap", K::Path,
        "The directory for the relational map and the stored REST file.")
        .with_short("smp", C).sure(C, S),
    // --- SQL engine (ODBC)
    OptionSpec::new("SQLEngineMode", K::Enumeration(&[
        Choice { code: "0", name: "Auto" },
        Choice { code: "1", name: "Server" },
        Choice { code: "2", name: "Direct" },
    ]), "Run the Java SQL engine in the process (2) or as a service (1).")
        .with_short("sem", S).sure(N, A),
    OptionSpec::new("JVMArgs", K::Text,
        "Arguments of the embedded JVM, braced (-D flags can change TLS and proxy settings).")
        .with_short("jvma", S).sure(S, A),
    OptionSpec::new("JVMClassPath", K::ParamList,
        "The JVM's classpath, braced; the same for every JVM-based driver of a process.")
        .with_short("jvmcp", C).sure(C, A),
    OptionSpec::new("ServerPortNumber", K::Port,
        "The port of the SQL engine service (19941 for 64-bit, 19942 for 32-bit).")
        .with_short("sport", C).sure(C, A),
    // --- Additional
    OptionSpec::new("FetchSize", K::Integer,
        "Rows processed before control returns to the application; 0 = the whole result.")
        .with_short("fs", C),
    OptionSpec::new("IANAAppCodePage", K::Integer,
        "The code page of a non-Unicode application, as an IANA MIBenum (106 = UTF-8).")
        .with_short("iacp", G).with_default("4", N).sure(N, A),
    OptionSpec::new("ApplicationUsingThreads", K::Bool,
        "Whether the application is multi-threaded (0/1).")
        .with_short("aut", G).with_default("1", G).sure(G, A),
    OptionSpec::new("LogConfigFile", K::Path,
        "The properties file configuring the logging of the Java components.")
        .with_short("lgcf", S).with_aliases(&["lcf"]).with_default("ddlogging.properties", S)
        .sure(S, U),
    OptionSpec::new("LoginTimeout", K::Integer,
        "Seconds to wait for the connection; 0 = no timeout.")
        .with_short("lt", S).with_default("0", S).sure(S, G),
    // --- JDBC only
    OptionSpec::new("SpyAttributes", K::ParamList,
        "Turns on DataDirect Spy call tracing (may log call parameters).")
        .sure(A, N),
    OptionSpec::new("MaxPooledStatements", K::Integer,
        "Size of the driver's prepared-statement pool.")
        .with_default("0", N).sure(A, N),
    OptionSpec::new("ImportStatementPool", K::Path,
        "A file of statements loaded into the statement pool.")
        .sure(A, N),
    OptionSpec::new("RegisterStatementPoolMonitorMBean", K::Bool,
        "Whether the statement pool monitor is exposed through JMX.")
        .with_default("false", N).sure(A, N),
    // --- The driver manager's keywords (unixODBC, OPTIONS.md §6)
    OptionSpec::new("DSN", K::DriverManager,
        "Driver manager: the data source name whose odbc.ini section to use.")
        .with_aliases(&["DataSourceName"]).sure(S, A),
    OptionSpec::new("FILEDSN", K::DriverManager,
        "Driver manager: a .dsn file to read the connection from.")
        .sure(C, A),
    OptionSpec::new("DRIVER", K::DriverManager, "Driver manager: the driver name or library path.")
        .sure(C, A),
    OptionSpec::new("SAVEFILE", K::DriverManager,
        "Driver manager: a .dsn file to save the connection to.")
        .sure(C, A),
    OptionSpec::new("Description", K::DriverManager,
        "Driver manager: a description of the data source.")
        .with_short("desc", S).sure(S, N),
];
