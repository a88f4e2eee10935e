//! The transport settings of a plan: how every request connstr makes travels
//! (token endpoint, interactive login's code exchange, the apply layer's data
//! requests) — proxy, TLS trust, client certificate, timeout and retries, from
//! the Autonomous REST options (`../shared/AUTOREST_OPTIONS.md`).
//!
//! Where each value came from is in the plan's
//! [`provenance`](super::AuthPlan::provenance) under the option's name.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::cx::Cx;
use super::values::parse_bool;
use crate::Secret;

/// A forward proxy (ProxyHost, ProxyPort, ProxyUser, ProxyPassword).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Proxy {
    /// `http` or `https`: the scheme of ProxyHost (`http` when it has none).
    pub scheme: String,
    /// ProxyHost without scheme or port.
    pub host: String,
    /// ProxyPort; 0 or absent = 80 for `http`, 443 for `https`.
    pub port: u16,
    /// ProxyUser, for basic proxy authentication.
    pub user: Option<String>,
    /// ProxyPassword.
    pub password: Option<Secret>,
}

impl Proxy {
    /// The proxy's URL, without credentials: `http://proxy.example:3128`.
    ///
    /// ```
    /// use connstr::plan::Proxy;
    /// let p = Proxy { scheme: "http".into(), host: "proxy.example".into(), port: 3128,
    ///                 user: None, password: None };
    /// assert_eq!(p.url(), "http://proxy.example:3128");
    /// ```
    pub fn url(&self) -> String {
        let host = if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{}://{host}:{}", self.scheme, self.port)
    }
}

/// A TLS protocol version (CryptoProtocolVersion).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum TlsVersion {
    /// TLS 1.2.
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// TLS 1.3.
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    /// `TLSv1.2` / `TLSv1.3`.
    pub fn name(self) -> &'static str {
        match self {
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }
}

/// TLS settings: trust, expected name, versions, client certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tls {
    /// ValidateServerCertificate (default true). False trusts any
    /// certificate and ignores Truststore and HostNameInCertificate.
    pub validate: bool,
    /// Truststore: a PEM file of CA certificates, or a PKCS#12 file.
    pub truststore: Option<PathBuf>,
    /// TruststorePassword (PKCS#12).
    pub truststore_password: Option<Secret>,
    /// HostNameInCertificate: the name the server certificate must carry
    /// instead of the URL's host.
    pub host_name_in_certificate: Option<String>,
    /// CryptoProtocolVersion: the versions allowed; empty = TLS 1.2 and 1.3.
    pub versions: Vec<TlsVersion>,
    /// KeyStore: the client certificate and key (PEM or PKCS#12).
    pub keystore: Option<PathBuf>,
    /// KeyStorePassword.
    pub keystore_password: Option<Secret>,
    /// KeyPassword: the private key's own password (PKCS#12), when it
    /// differs from KeyStorePassword.
    pub key_password: Option<Secret>,
}

impl Default for Tls {
    fn default() -> Self {
        Tls {
            validate: true,
            truststore: None,
            truststore_password: None,
            host_name_in_certificate: None,
            versions: Vec::new(),
            keystore: None,
            keystore_password: None,
            key_password: None,
        }
    }
}

/// How requests travel: proxy, TLS, timeout, retries.
///
/// ```
/// use connstr::diagnostic::SourceId;
/// use connstr::options::OptionSet;
/// use connstr::plan::validate;
/// use connstr::syntax::parse_connection_string;
///
/// let doc = parse_connection_string(
///     "AuthenticationMethod=BearerToken;SecurityToken=t;ProxyHost=proxy.corp;ProxyPort=3128;\
///      WSTimeout=0;WSRetryCount=2",
/// );
/// let set = OptionSet::from_document(&doc, SourceId(0), false);
/// let plan = validate(&set).0.unwrap();
/// let proxy = plan.transport.proxy.as_ref().unwrap();
/// assert_eq!(proxy.url(), "http://proxy.corp:3128");
/// assert_eq!(plan.transport.timeout, None); // WSTimeout=0: no limit
/// assert_eq!(plan.transport.retry_count, Some(2));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transport {
    /// The proxy, when ProxyHost is set.
    pub proxy: Option<Proxy>,
    /// TLS settings.
    pub tls: Tls,
    /// WSTimeout: the limit on each request; `None` = no limit (WSTimeout=0).
    /// Absent: the driver's default, [`DEFAULT_TIMEOUT`] (120 s).
    pub timeout: Option<Duration>,
    /// Whether WSTimeout was given (else `timeout` is connstr's default).
    pub timeout_set: bool,
    /// WSRetryCount: retries after the first attempt; `None` = connstr's
    /// default retry policy ([`DEFAULT_RETRY_COUNT`] retries).
    pub retry_count: Option<u32>,
}

/// The request time limit when WSTimeout is not given: the Autonomous REST
/// driver's documented default, 120 seconds per HTTP request (confirmed on
/// the JDBC guide's WSTimeout page; the ODBC drivers built on the same engine
/// document the same; `../shared/AUTOREST_OPTIONS.md`). connstr uses it for
/// every request it makes, token endpoint included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Retries after the first attempt when WSRetryCount is not given:
/// connstr's own policy ([`RetryPolicy::default`](crate::grant::RetryPolicy),
/// 4 attempts within 30 s). The driver's default is not documented for
/// Autonomous REST (its sibling drivers say 5, and count only retries of
/// timed-out requests), so connstr does not claim one.
pub const DEFAULT_RETRY_COUNT: u32 = 3;

/// Where a transport default comes from, for `explain`.
///
/// ```
/// use connstr::plan::default_origin;
/// assert!(default_origin("WSTimeout").unwrap().contains("driver's default"));
/// assert!(default_origin("ProxyHost").is_none());
/// ```
pub fn default_origin(option: &str) -> Option<&'static str> {
    match option {
        "WSTimeout" => Some(
            "the driver's default WSTimeout, documented in its JDBC guide; ODBC siblings the same",
        ),
        "WSRetryCount" => {
            Some("connstr's default; the driver's is not documented (sibling drivers: 5)")
        }
        _ => None,
    }
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            proxy: None,
            tls: Tls::default(),
            timeout: Some(DEFAULT_TIMEOUT),
            timeout_set: false,
            retry_count: None,
        }
    }
}

impl Transport {
    /// The option names this reads, in the order `explain` shows them.
    pub const OPTIONS: &'static [&'static str] = &[
        "ProxyHost",
        "ProxyPort",
        "ProxyUser",
        "ProxyPassword",
        "ValidateServerCertificate",
        "Truststore",
        "TruststorePassword",
        "HostNameInCertificate",
        "CryptoProtocolVersion",
        "KeyStore",
        "KeyStorePassword",
        "KeyPassword",
        "WSTimeout",
        "WSRetryCount",
    ];

    /// The secrets it holds (proxy, truststore, keystore and key passwords).
    pub fn secrets(&self) -> impl Iterator<Item = &Secret> {
        self.proxy
            .iter()
            .filter_map(|p| p.password.as_ref())
            .chain(self.tls.truststore_password.as_ref())
            .chain(self.tls.keystore_password.as_ref())
            .chain(self.tls.key_password.as_ref())
    }
}

/// Parse CryptoProtocolVersion: a comma list of TLSv1.3, TLSv1.2, …;
/// versions older than 1.2 are not available (`Err` names the first one).
///
/// ```
/// use connstr::plan::{parse_tls_versions, TlsVersion};
/// assert_eq!(parse_tls_versions("TLSv1.3, TLSv1.2"), Ok(vec![TlsVersion::Tls12, TlsVersion::Tls13]));
/// assert_eq!(parse_tls_versions("TLSv1.1"), Err("TLSv1.1".to_owned()));
/// ```
pub fn parse_tls_versions(value: &str) -> Result<Vec<TlsVersion>, String> {
    let mut out = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let v = match part.to_ascii_lowercase().as_str() {
            "tlsv1.3" | "tls1.3" => TlsVersion::Tls13,
            "tlsv1.2" | "tls1.2" => TlsVersion::Tls12,
            _ => return Err(part.to_owned()),
        };
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out.sort();
    Ok(out)
}

impl Cx<'_> {
    /// Read the transport options, reporting values that cannot be used.
    pub(crate) fn transport(&mut self) -> Transport {
        let mut t = Transport::default();
        if let Some(host) = self.text("ProxyHost", false) {
            let (scheme, rest) = match host.split_once("://") {
                Some((s, r)) => (s.to_ascii_lowercase(), r),
                None => ("http".to_owned(), host.as_str()),
            };
            let rest = rest.trim_end_matches('/');
            let (h, port_in_host) = split_host_port(rest);
            let port = self.number("ProxyPort", u16::MAX as u64).map(|p| p as u16);
            let default_port = if scheme == "https" { 443 } else { 80 };
            let port = match port {
                Some(0) | None => port_in_host.unwrap_or(default_port),
                Some(p) => p,
            };
            if scheme != "http" && scheme != "https" || h.is_empty() {
                if let Some(o) = self.present("ProxyHost") {
                    self.invalid(
                        o,
                        "ProxyHost is not a usable proxy address".to_owned(),
                        "write a host name or address, e.g. ProxyHost=proxy.example.com (or http://proxy.example.com)"
                            .to_owned(),
                    );
                }
            } else {
                t.proxy = Some(Proxy {
                    scheme,
                    host: h.to_owned(),
                    port,
                    user: self.text("ProxyUser", false),
                    password: self.secret("ProxyPassword", false),
                });
            }
        } else {
            for name in ["ProxyPort", "ProxyUser", "ProxyPassword"] {
                self.mark(name);
            }
        }
        if let Some(o) = self.take("ValidateServerCertificate") {
            match parse_bool(self.effective(o)) {
                Some(v) => t.tls.validate = v,
                None => self.invalid(
                    o,
                    "ValidateServerCertificate must be 0 or 1 (or true/false)".to_owned(),
                    "write ValidateServerCertificate=1 to check the server certificate".to_owned(),
                ),
            }
        }
        t.tls.truststore = self.text("Truststore", false).map(PathBuf::from);
        t.tls.truststore_password = self.secret("TruststorePassword", false);
        t.tls.host_name_in_certificate = self.text("HostNameInCertificate", false);
        if let Some(o) = self.take("CryptoProtocolVersion") {
            match parse_tls_versions(self.effective(o)) {
                Ok(v) => t.tls.versions = v,
                Err(bad) => self.invalid(
                    o,
                    format!("CryptoProtocolVersion: `{bad}` is not available (only TLSv1.2 and TLSv1.3 are)"),
                    "write CryptoProtocolVersion=TLSv1.3,TLSv1.2 (or one of them)".to_owned(),
                ),
            }
        }
        t.tls.keystore = self.text("KeyStore", false).map(PathBuf::from);
        t.tls.keystore_password = self.secret("KeyStorePassword", false);
        t.tls.key_password = self.secret("KeyPassword", false);
        if let Some(secs) = self.number("WSTimeout", u32::MAX as u64) {
            t.timeout_set = true;
            t.timeout = (secs != 0).then(|| Duration::from_secs(secs));
        }
        t.retry_count = self
            .number("WSRetryCount", 100)
            .map(|n| u32::try_from(n).unwrap_or(100));
        t
    }

    /// A whole number option in `0..=max`; reports anything else.
    fn number(&mut self, name: &'static str, max: u64) -> Option<u64> {
        let o = self.take(name)?;
        match self.effective(o).parse::<u64>() {
            Ok(n) if n <= max => Some(n),
            _ => {
                self.invalid(
                    o,
                    format!("{name} must be a whole number from 0 to {max}"),
                    format!("write {name}=<number>"),
                );
                None
            }
        }
    }
}

/// `host`, `host:port`, `[v6]:port`, `v6`.
fn split_host_port(s: &str) -> (&str, Option<u16>) {
    if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (h, after.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => match p.parse() {
            Ok(port) => (h, Some(port)),
            Err(_) => (s, None),
        },
        _ => (s, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        assert_eq!(split_host_port("p.example"), ("p.example", None));
        assert_eq!(split_host_port("p.example:3128"), ("p.example", Some(3128)));
        assert_eq!(split_host_port("[::1]:8080"), ("::1", Some(8080)));
        assert_eq!(split_host_port("::1"), ("::1", None));
    }
}
