//! `jwt-signing-key`: the JWT bearer grant's JWTCertStore cannot sign.

declare_lint! {
    /// ### What it does
    /// For `AuthenticationMethod=OAuth2-JWTBearer` (or legacy `OAuth2` that
    /// chose it), opens JWTCertStore as the token request would, without
    /// the network: the file is readable and a format connstr reads (a
    /// PKCS#12 keystore, a PEM private key, a Google service-account JSON key
    /// file), the keystore opens with JWTCertPassword, JWTCertAlias names a
    /// private key entry (or there is only one), the key is one it can sign
    /// with (RSA, EC P-256/P-384), and its certificate has not expired.
    ///
    /// ### Why it matters
    /// Each of these fails every token request, and the driver reports it
    /// only at connect time. A Java JKS keystore needs converting first.
    ///
    /// ### Example
    /// ```text
    /// AuthenticationMethod=OAuth2-JWTBearer;ClaimsIssuer=svc;ClaimsSubject=svc;
    /// TokenURI=POST https://login.example.com/token;JWTCertStore=svc.p12;JWTCertPassword=wrong
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// JWTCertStore=svc.p12;JWTCertPassword=<the keystore's password>;JWTCertAlias=<an alias it holds>
    /// keytool -importkeystore -srckeystore svc.jks -srcstoretype JKS -destkeystore svc.p12 -deststoretype PKCS12
    /// ```
    name: "jwt-signing-key",
    severity: Error,
    description: "the JWT bearer grant's JWTCertStore cannot sign an assertion",
}

use crate::diagnostic::Severity;
use crate::grant::{KeyError, SigningKey};
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::types::Grant;

/// Open the JWT bearer grant's key as the token request would.
pub(crate) fn check(cx: &mut Cx<'_>, grant: &Grant) {
    let Grant::JwtBearer { key, .. } = grant else {
        return;
    };
    let Err(e) = SigningKey::load(key) else {
        return;
    };
    let (option, label, help) = match &e {
        KeyError::Read { .. } => (
            "JWTCertStore",
            "cannot be read",
            "check the path: a relative path is relative to the working directory".to_owned(),
        ),
        KeyError::WrongPassword { .. } => (
            "JWTCertPassword",
            "does not open the keystore",
            "set JWTCertPassword to the keystore's password".to_owned(),
        ),
        KeyError::JavaKeystore { .. } => (
            "JWTCertStore",
            "a Java keystore",
            "convert it with the keytool command above; keytool writes PKCS#12 by default since Java 9"
                .to_owned(),
        ),
        KeyError::AliasNotFound { present, .. } | KeyError::AmbiguousAlias { present, .. } => (
            "JWTCertAlias",
            "names no private key entry",
            format!("set JWTCertAlias to one of: {}", present.join(", ")),
        ),
        KeyError::CertificateExpired { .. } | KeyError::CertificateNotYetValid { .. } => (
            "JWTCertStore",
            "certificate not valid now",
            "renew the certificate (and register it with the authorization server)".to_owned(),
        ),
        KeyError::UnsupportedKey { .. } => (
            "JWTCertStore",
            "a key connstr cannot sign with",
            "use an RSA key (2048 bits or more) or an EC P-256 key".to_owned(),
        ),
        KeyError::EncryptedPem { .. } => (
            "JWTCertStore",
            "an encrypted PEM key",
            "put the key in a PKCS#12 keystore (the openssl command above)".to_owned(),
        ),
        KeyError::NoPrivateKey { .. }
        | KeyError::Malformed { .. }
        | KeyError::UnknownFormat { .. }
        | KeyError::Sign { .. } => (
            "JWTCertStore",
            "no usable private key",
            "point JWTCertStore at the PKCS#12 keystore, PEM private key or service-account JSON \
             key file that holds the signing key"
                .to_owned(),
        ),
    };
    // The diagnostic points at the option to change (JWTCertStore when that
    // one was not given).
    let (option, label) = match cx.present(option) {
        Some(_) => (option, label),
        None => ("JWTCertStore", "this keystore"),
    };
    let Some(o) = cx.present(option) else {
        return;
    };
    let d = Diag::new(
        lints::JWT_SIGNING_KEY,
        Severity::Error,
        e.to_string(),
        o.source(),
        // Never underline a password.
        if option == "JWTCertPassword" {
            o.entry.key
        } else {
            o.entry.raw_value
        },
        label,
    )
    .help(help)
    .key(option)
    .section(cx.section(o));
    cx.push(d);
}
