//! `tls-verification-off`: ValidateServerCertificate=0 turns off every check
//! of the server certificate.

declare_lint! {
    /// ### What it does
    /// Reports settings that turn off the checks of the server's
    /// certificate, turn encryption off while a password is sent, or allow
    /// TLS older than 1.2, in each driver's own words:
    ///
    /// * Autonomous REST and the other DataDirect drivers:
    ///   `ValidateServerCertificate=0` (`VSC=0`); DataDirect drivers also
    ///   `CryptoProtocolVersion` allowing TLSv1.1, TLSv1, SSLv3 or SSLv2;
    /// * Microsoft's SQL Server driver: `TrustServerCertificate=yes` (unless
    ///   `Encrypt=strict`), `Encrypt=no`/`optional` with a password;
    /// * psqlODBC: `SSLmode=disable` or `allow` with a password;
    /// * MySQL Connector/ODBC: `SSL-MODE=DISABLED` with a password,
    ///   `TLS-VERSIONS` allowing TLSv1.1 or TLSv1;
    /// * Snowflake: `insecure_mode` or `disable_ocsp_checks` on (revocation
    ///   checks off);
    /// * Databricks (Simba Spark): `AllowSelfSignedServerCert=1`,
    ///   `CAIssuedCertNamesMismatch=1` / `AllowHostNameCNMismatch=1`, `SSL=0`
    ///   with a credential, `Min_TLS` below 1.2.
    ///
    /// For Autonomous REST, connstr itself then accepts any server
    /// certificate and ignores Truststore and HostNameInCertificate.
    ///
    /// ### Why it matters
    /// Anyone on the network path can impersonate the server (or the token
    /// endpoint) and read the password, the client secret and every token
    /// sent to it; without encryption they need not even impersonate it.
    ///
    /// ### Example
    /// ```text
    /// TokenURI=POST https://login.internal/oauth2/token
    /// ValidateServerCertificate=0
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// TokenURI=POST https://login.internal/oauth2/token
    /// Truststore=/etc/ssl/corp-ca.pem
    /// ```
    ///
    /// ### References
    /// DRIVERS.md §3–§8; AUTOREST_OPTIONS.md §6.
    name: "tls-verification-off",
    severity: Warning,
    description: "server certificate checks or encryption turned off, or TLS older than 1.2 allowed",
}

use crate::diagnostic::Severity;
use crate::options::Occurrence;
use crate::plan::cx::{Cx, name_text};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::transport::Transport;

/// Warn when the transport does not validate server certificates.
pub(crate) fn check(cx: &mut Cx<'_>, transport: &Transport) {
    if transport.tls.validate {
        return;
    }
    let Some(o) = cx.present("ValidateServerCertificate") else {
        return;
    };
    let ignored: Vec<&str> = [
        ("Truststore", transport.tls.truststore.is_some()),
        (
            "HostNameInCertificate",
            transport.tls.host_name_in_certificate.is_some(),
        ),
    ]
    .into_iter()
    .filter_map(|(n, set)| set.then_some(n))
    .collect();
    let also = if ignored.is_empty() {
        String::new()
    } else {
        format!(" ({} is ignored)", ignored.join(" and "))
    };
    let d = Diag::new(
        lints::TLS_VERIFICATION_OFF,
        Severity::Warning,
        format!(
            "ValidateServerCertificate=0: any server certificate is accepted{also}, so anyone on the \
             network path can read the credentials sent"
        ),
        o.source(),
        o.entry.raw_value,
        "certificate checks off",
    )
    .help(
        "remove ValidateServerCertificate=0; for a private CA, name its certificates with \
         Truststore=<file>, and for a certificate issued to another name use HostNameInCertificate",
    )
    .key(name_text(o))
    .section(cx.section(o));
    cx.push(d);
}

/// The driver's own forms of turning TLS checks off (every profile but
/// Autonomous REST, whose transport [`check`] reads).
pub(crate) fn check_driver(cx: &mut Cx<'_>) {
    let Some(p) = cx.driver() else { return };
    match p.id {
        "datadirect" => {
            if let Some(o) = cx.driver_option("ValidateServerCertificate")
                && is_off(cx.effective(o))
            {
                let key = o.key().trim().to_owned();
                let message = format!(
                    "{key}={}: the DataDirect driver accepts any server certificate, so anyone on the network path can read the credentials sent",
                    cx.effective(o)
                );
                warn(
                    cx,
                    o,
                    message,
                    "certificate checks off",
                    "remove it; for a private CA, name its certificates with Truststore=<file>, and for a certificate issued to another name use HostNameInCertificate",
                );
            }
            old_protocols(cx, "CryptoProtocolVersion", "TLSv1.3,TLSv1.2");
        }
        "mssql" => mssql(cx),
        "psqlodbc" => psqlodbc(cx),
        "mysql" => mysql(cx),
        "snowflake" => {
            for name in ["insecure_mode", "disable_ocsp_checks"] {
                if let Some(o) = cx.driver_option(name)
                    && is_on(cx.effective(o))
                {
                    let message = format!(
                        "{name}={}: the Snowflake driver does not check whether the server certificate was revoked (OCSP)",
                        cx.effective(o)
                    );
                    warn(
                        cx,
                        o,
                        message,
                        "revocation checks off",
                        "remove it: a revoked certificate, one an attacker may hold, is then accepted",
                    );
                }
            }
        }
        "databricks" => databricks(cx),
        _ => {}
    }
}

/// `0`, `false`, `no`, `off`.
fn is_off(v: &str) -> bool {
    ["0", "false", "no", "off"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(v.trim()))
}

/// `1`, `true`, `yes`, `on`.
fn is_on(v: &str) -> bool {
    ["1", "true", "yes", "on"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(v.trim()))
}

/// The protocols older than TLS 1.2 in a comma list (`TLSv1.1`, `TLSv1`,
/// `SSLv3`, `1.0`).
fn old_versions(list: &str) -> Vec<&str> {
    list.split(',')
        .map(str::trim)
        .filter(|v| {
            let l = v.to_ascii_lowercase();
            let num = l
                .strip_prefix("tlsv")
                .or_else(|| l.strip_prefix("tls"))
                .unwrap_or(&l);
            l.starts_with("ssl") || matches!(num, "1" | "1.0" | "1.1" | "1_0" | "1_1")
        })
        .collect()
}

/// Whether any of the driver's options `names` is set to a non-empty value.
fn any_set(cx: &Cx<'_>, names: &[&str]) -> bool {
    names.iter().any(|n| {
        cx.driver_option(n)
            .is_some_and(|o| !cx.effective(o).is_empty())
    })
}

/// Report `o`.
fn warn(cx: &mut Cx<'_>, o: &Occurrence, message: String, label: &str, help: &str) {
    let key = cx
        .spec_of(o)
        .map_or_else(|| o.key().trim().to_owned(), |s| s.name.to_owned());
    let d = Diag::new(
        lints::TLS_VERIFICATION_OFF,
        Severity::Warning,
        message,
        o.source(),
        o.entry.raw_value,
        label.to_owned(),
    )
    .help(help.to_owned())
    .key(key)
    .section(cx.section(o));
    cx.push(d);
}

/// A comma list of protocols (`name`) that allows one older than TLS 1.2.
fn old_protocols(cx: &mut Cx<'_>, name: &str, instead: &str) {
    let Some(o) = cx.driver_option(name) else {
        return;
    };
    let old = old_versions(cx.effective(o));
    if old.is_empty() {
        return;
    }
    let key = o.key().trim().to_owned();
    let message = format!(
        "{key} allows {}: protocols older than TLS 1.2 have known attacks",
        old.join(" and ")
    );
    warn(
        cx,
        o,
        message,
        "TLS older than 1.2 allowed",
        &format!("write {key}={instead}"),
    );
}

fn mssql(cx: &mut Cx<'_>) {
    let encrypt = cx.driver_option("Encrypt");
    let strict = encrypt.is_some_and(|o| cx.effective(o).eq_ignore_ascii_case("strict"));
    if let Some(o) = cx.driver_option("TrustServerCertificate")
        && is_on(cx.effective(o))
        && !strict
    {
        let message = format!(
            "TrustServerCertificate={}: the SQL Server driver accepts any server certificate, so anyone on the network path can read the password and the data",
            cx.effective(o)
        );
        warn(
            cx,
            o,
            message,
            "certificate checks off",
            "remove it; for a private CA, add the CA to the system's trust store, or name the certificate with ServerCertificate=<file> and Encrypt=strict (18.1+)",
        );
    }
    if let Some(o) = encrypt {
        let v = cx.effective(o);
        if (v.eq_ignore_ascii_case("no") || v.eq_ignore_ascii_case("optional"))
            && any_set(cx, &["PWD"])
        {
            let message = format!(
                "Encrypt={v} with a password: the connection is not encrypted and the server certificate is not checked"
            );
            warn(
                cx,
                o,
                message,
                "encryption off",
                "write Encrypt=yes (or strict), the default of ODBC Driver 18",
            );
        }
    }
}

fn psqlodbc(cx: &mut Cx<'_>) {
    let Some(o) = cx.driver_option("SSLmode") else {
        return;
    };
    let v = cx.effective(o);
    let mode = match v.bytes().next().map(|b| b.to_ascii_lowercase()) {
        Some(b'd') => "disable",
        Some(b'a') => "allow",
        _ => return,
    };
    let pqopt_password = cx
        .driver_option("pqopt")
        .is_some_and(|q| cx.effective(q).to_ascii_lowercase().contains("password="));
    if !any_set(cx, &["Password"]) && !pqopt_password {
        return;
    }
    let key = o.key().trim().to_owned();
    let message = format!(
        "{key}={v} with a password: psqlODBC connects {} so the password can be read on the network path",
        if mode == "disable" {
            "without TLS,"
        } else {
            "without TLS unless the server insists,"
        }
    );
    warn(
        cx,
        o,
        message,
        "TLS off",
        &format!("write {key}=verify-full (or require)"),
    );
}

fn mysql(cx: &mut Cx<'_>) {
    if let Some(o) = cx.driver_option("SSL-MODE")
        && cx.effective(o).eq_ignore_ascii_case("DISABLED")
        && any_set(cx, &["PWD", "PWD1", "PWD2", "PWD3"])
    {
        let key = o.key().trim().to_owned();
        let message =
            format!("{key}=DISABLED with a password: MySQL Connector/ODBC connects without TLS");
        warn(
            cx,
            o,
            message,
            "TLS off",
            &format!("write {key}=VERIFY_IDENTITY (or REQUIRED)"),
        );
    }
    old_protocols(cx, "TLS-VERSIONS", "TLSv1.2,TLSv1.3");
}

fn databricks(cx: &mut Cx<'_>) {
    for (name, what) in [
        (
            "AllowSelfSignedServerCert",
            "accepts a self-signed server certificate",
        ),
        (
            "CAIssuedCertNamesMismatch",
            "accepts a certificate issued to another host name",
        ),
        (
            "AllowHostNameCNMismatch",
            "accepts a certificate issued to another host name",
        ),
    ] {
        if let Some(o) = cx.driver_option(name)
            && is_on(cx.effective(o))
        {
            let message = format!(
                "{name}={}: the Databricks driver {what}, so anyone on the network path can pose as the workspace",
                cx.effective(o)
            );
            warn(
                cx,
                o,
                message,
                "certificate checks weakened",
                &format!(
                    "remove {name}; for a private CA, name its certificates with TrustedCerts=<file>"
                ),
            );
        }
    }
    if let Some(o) = cx.driver_option("SSL")
        && is_off(cx.effective(o))
        && any_set(cx, &["PWD", "Auth_AccessToken", "Auth_Client_Secret"])
    {
        let message = format!(
            "SSL={} with a credential: the Databricks driver connects without TLS, so the token or secret can be read on the network path",
            cx.effective(o)
        );
        warn(cx, o, message, "TLS off", "write SSL=1");
    }
    if let Some(o) = cx.driver_option("Min_TLS")
        && !old_versions(cx.effective(o)).is_empty()
    {
        let message = format!(
            "Min_TLS={}: protocols older than TLS 1.2 have known attacks",
            cx.effective(o)
        );
        warn(
            cx,
            o,
            message,
            "TLS older than 1.2 allowed",
            "write Min_TLS=1.2",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_protocol_versions() {
        assert_eq!(old_versions("TLSv1.3,TLSv1.2"), Vec::<&str>::new());
        assert_eq!(
            old_versions("TLSv1.2, TLSv1.1, TLSv1"),
            ["TLSv1.1", "TLSv1"]
        );
        assert_eq!(old_versions("SSLv3"), ["SSLv3"]);
        assert_eq!(old_versions("1.1"), ["1.1"]);
        assert_eq!(old_versions("1.2"), Vec::<&str>::new());
    }

    #[test]
    fn switches() {
        assert!(is_off("0") && is_off("False") && !is_off("1"));
        assert!(is_on("yes") && is_on("TRUE") && !is_on("0"));
    }
}
