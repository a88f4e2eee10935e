//! TLS transport options against a real TLS server (`openssl s_server -www`,
//! which answers any GET with an HTML page) and a private CA made at test
//! time with the openssl CLI. A connection that got through TLS ends in
//! "HTTP 200 with a body that cannot be used"; one refused ends in the
//! certificate error naming the option to check.

mod support;

use std::path::Path;

use support::cli;
use support::pki::{pkcs12, pki, serve};

fn token(dir: &Path, port: u16, extra: &str) -> String {
    let conn = format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=a;ClientSecret=Cl1ent-S3cret-tls;\
         TokenURI=https://127.0.0.1:{port}/token;WSRetryCount=0;{extra}"
    );
    let mut cmd = cli::command();
    cmd.args(["token", "--token-store"])
        .arg(dir.join("tokens.json"))
        .arg("-");
    cli::text(&cli::run_with_input(&mut cmd, &conn))
}

const THROUGH: &str = "HTTP 200 with a body that cannot be used";

#[test]
fn trust_store_name_in_certificate_and_validation_off() {
    let pki = pki();
    let d = pki.path();
    let (_s, port) = serve(d, &[]);
    let ca = d.join("ca.pem").display().to_string();
    let other = d.join("other.pem").display().to_string();
    // The trust store is used: with HostNameInCertificate it connects.
    let out = token(
        d,
        port,
        &format!("Truststore={ca};HostNameInCertificate=api.internal.example"),
    );
    assert!(out.contains(THROUGH), "{out}");
    // Without HostNameInCertificate the name (127.0.0.1) does not match.
    let out = token(d, port, &format!("Truststore={ca}"));
    assert!(
        out.contains("certificate was refused") && out.contains("HostNameInCertificate"),
        "{out}"
    );
    // Another CA: refused, naming Truststore.
    let out = token(
        d,
        port,
        &format!("Truststore={other};HostNameInCertificate=api.internal.example"),
    );
    assert!(
        out.contains("certificate was refused") && out.contains("check Truststore"),
        "{out}"
    );
    // No trust store: public roots do not know the private CA.
    let out = token(d, port, "HostNameInCertificate=api.internal.example");
    assert!(out.contains("certificate was refused"), "{out}");
    // ValidateServerCertificate=0 connects.
    let out = token(d, port, "ValidateServerCertificate=0");
    assert!(out.contains(THROUGH), "{out}");
    // CryptoProtocolVersion bounds the handshake: s_server speaks both.
    let out = token(
        d,
        port,
        &format!(
            "Truststore={ca};HostNameInCertificate=api.internal.example;CryptoProtocolVersion=TLSv1.2"
        ),
    );
    assert!(out.contains(THROUGH), "{out}");
}

#[test]
fn a_client_certificate_is_presented_when_required() {
    let pki = pki();
    let d = pki.path();
    let (_s, port) = serve(d, &["-Verify", "1", "-CAfile", "ca.pem"]);
    let ca = d.join("ca.pem").display().to_string();
    let client = d.join("client.pem").display().to_string();
    let base = format!("Truststore={ca};HostNameInCertificate=api.internal.example");
    let out = token(d, port, &format!("{base};KeyStore={client}"));
    assert!(out.contains(THROUGH), "{out}");
    let out = token(d, port, &base);
    assert!(
        !out.contains(THROUGH),
        "the server required a client certificate: {out}"
    );
}

/// PKCS#12 stores made by openssl at test time, with OpenSSL 3's default
/// algorithms (AES-256-CBC, PBKDF2, SHA-256 MAC) and with `-legacy` (RC2 and
/// 3DES, SHA-1 MAC): a Truststore with TruststorePassword and a KeyStore
/// (client certificate) with KeyStorePassword, with KeyPassword, or both,
/// against a server that requires the client certificate. Wrong passwords
/// name the option, never the password.
#[test]
fn pkcs12_trust_and_key_stores_modern_and_legacy() {
    let pki = pki();
    let d = pki.path();
    for (kind, legacy) in [("modern", false), ("legacy", true)] {
        pkcs12(
            d,
            &format!("trust-{kind}.p12"),
            "ca.pem",
            None,
            &format!("Tr-P12-pass-{kind}"),
            legacy,
        );
        pkcs12(
            d,
            &format!("client-{kind}.p12"),
            "cli.pem",
            Some("cli.key"),
            &format!("Ks-P12-pass-{kind}"),
            legacy,
        );
    }
    let (_s, port) = serve(d, &["-Verify", "1", "-CAfile", "ca.pem"]);
    for kind in ["modern", "legacy"] {
        let trust = format!(
            "Truststore={};TruststorePassword=Tr-P12-pass-{kind};HostNameInCertificate=api.internal.example",
            d.join(format!("trust-{kind}.p12")).display()
        );
        let keystore = format!(
            "KeyStore={}",
            d.join(format!("client-{kind}.p12")).display()
        );
        let pass = format!("Ks-P12-pass-{kind}");
        for passwords in [
            format!("KeyStorePassword={pass}"),
            format!("KeyPassword={pass}"),
            format!("KeyStorePassword={pass};KeyPassword={pass}"),
        ] {
            let out = token(d, port, &format!("{trust};{keystore};{passwords}"));
            assert!(out.contains(THROUGH), "{kind}, {passwords}: {out}");
        }
        // The PKCS#12 trust store alone (the server still wants a client
        // certificate, so the handshake goes past the server's certificate
        // and fails on the missing client certificate, not on trust).
        let out = token(d, port, &trust);
        assert!(!out.contains("certificate was refused"), "{kind}: {out}");
        // Wrong passwords: named, never shown.
        let out = token(
            d,
            port,
            &format!(
                "{};{keystore};KeyStorePassword={pass}",
                trust.replace("Tr-P12-pass", "Wrong-Tr-pass")
            ),
        );
        assert!(
            out.contains("Truststore") && out.contains("TruststorePassword"),
            "{kind}: {out}"
        );
        let out = token(
            d,
            port,
            &format!("{trust};{keystore};KeyStorePassword=Wrong-Ks-pass-1"),
        );
        assert!(
            out.contains("KeyStore") && out.contains("check KeyStorePassword"),
            "{kind}: {out}"
        );
        assert!(
            !out.contains("Wrong-Ks-pass-1") && !out.contains(&pass),
            "{out}"
        );
    }
}
