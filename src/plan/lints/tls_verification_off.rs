//! `tls-verification-off`: ValidateServerCertificate=0 turns off every check
//! of the server certificate.

declare_lint! {
    /// ### What it does
    /// Reports `ValidateServerCertificate=0` (or `false`): connstr, like the
    /// driver, then accepts any server certificate and ignores Truststore and
    /// HostNameInCertificate.
    ///
    /// ### Why it matters
    /// Anyone on the network path can impersonate the token endpoint or the
    /// REST service and read the client secret, the password and every token
    /// sent to it.
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
    name: "tls-verification-off",
    severity: Warning,
    description: "ValidateServerCertificate=0 accepts any server certificate",
}

use crate::diagnostic::Severity;
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
