//! The rustls configuration for a plan's [`Tls`] settings: trust store (PEM
//! or PKCS#12), ValidateServerCertificate=0, HostNameInCertificate,
//! CryptoProtocolVersion, client certificate.

use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::TransportError;
use crate::plan::{Tls, TlsVersion};

/// `None` when nothing differs from reqwest's own TLS (webpki roots, TLS 1.2
/// and 1.3, no client certificate).
pub(super) fn client_config(tls: &Tls) -> Result<Option<rustls::ClientConfig>, TransportError> {
    if tls.validate
        && tls.truststore.is_none()
        && tls.host_name_in_certificate.is_none()
        && tls.versions.is_empty()
        && tls.keystore.is_none()
    {
        return Ok(None);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: Vec<&'static rustls::SupportedProtocolVersion> = if tls.versions.is_empty() {
        vec![&rustls::version::TLS13, &rustls::version::TLS12]
    } else {
        tls.versions
            .iter()
            .rev()
            .map(|v| match v {
                TlsVersion::Tls13 => &rustls::version::TLS13,
                TlsVersion::Tls12 => &rustls::version::TLS12,
            })
            .collect()
    };
    let verifier: Arc<dyn ServerCertVerifier> = if tls.validate {
        let roots = match &tls.truststore {
            Some(path) => trust_store(path, tls.truststore_password.as_ref().map(|s| s.expose()))?,
            None => RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            },
        };
        let webpki =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                .build()
                .map_err(|e| TransportError::Client(e.to_string()))?;
        match &tls.host_name_in_certificate {
            Some(name) => {
                let expected = ServerName::try_from(name.clone()).map_err(|_| {
                    TransportError::Client(format!(
                        "HostNameInCertificate `{name}` is not a host name"
                    ))
                })?;
                Arc::new(NameInCertificate {
                    inner: webpki,
                    expected,
                })
            }
            None => webpki,
        }
    } else {
        Arc::new(AcceptAny {
            provider: Arc::clone(&provider),
        })
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .map_err(|e| TransportError::Client(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match &tls.keystore {
        Some(path) => {
            let (chain, key) = key_store(path, tls)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| TransportError::KeyStore {
                    path: path.display().to_string(),
                    problem: format!("the certificate and key cannot be used: {e}"),
                })?
        }
        None => builder.with_no_client_auth(),
    };
    Ok(Some(config))
}

/// What to look at when a server certificate was refused.
pub(super) fn refusal_hint(tls: &Tls, lower_message: &str) -> String {
    if lower_message.contains("notvalidforname") || lower_message.contains("not valid for name") {
        return match &tls.host_name_in_certificate {
            Some(n) => format!(
                "the certificate is not issued for HostNameInCertificate `{n}`: check HostNameInCertificate"
            ),
            None => "the certificate is issued for another name: set HostNameInCertificate to the name it carries".to_owned(),
        };
    }
    match &tls.truststore {
        Some(p) => format!(
            "the certificate is not signed by a CA in Truststore {}: check Truststore",
            p.display()
        ),
        None => "the certificate is not signed by a publicly trusted CA: name the CA's certificates with Truststore=<file>".to_owned(),
    }
}

fn read(
    path: &Path,
    what: fn(String, String) -> TransportError,
) -> Result<Vec<u8>, TransportError> {
    std::fs::read(path).map_err(|e| {
        what(
            path.display().to_string(),
            format!("cannot read the file: {e}"),
        )
    })
}

fn truststore_error(path: String, problem: String) -> TransportError {
    TransportError::Truststore { path, problem }
}

fn keystore_error(path: String, problem: String) -> TransportError {
    TransportError::KeyStore { path, problem }
}

/// JKS files start with 0xFEEDFEED.
fn is_jks(data: &[u8]) -> bool {
    data.starts_with(&[0xFE, 0xED, 0xFE, 0xED])
}

fn is_pem(data: &[u8]) -> bool {
    memchr::memmem::find(data, b"-----BEGIN ").is_some()
}

const CONVERT_JKS: &str = "it is a Java KeyStore (JKS), which connstr cannot read: convert it with \
     `keytool -importkeystore -srckeystore FILE.jks -destkeystore FILE.p12 -deststoretype PKCS12` \
     and name the .p12 file";

/// The CA certificates of a PEM or PKCS#12 trust store.
fn trust_store(path: &Path, password: Option<&str>) -> Result<RootCertStore, TransportError> {
    let data = read(path, truststore_error)?;
    let shown = path.display().to_string();
    let ders: Vec<CertificateDer<'static>> = if is_jks(&data) {
        return Err(truststore_error(shown, CONVERT_JKS.to_owned()));
    } else if is_pem(&data) {
        CertificateDer::pem_slice_iter(&data)
            .collect::<Result<_, _>>()
            .map_err(|e| truststore_error(shown.clone(), format!("not a usable PEM file: {e}")))?
    } else {
        let store = p12(
            &data,
            password.unwrap_or_default(),
            p12_keystore::Pkcs12ImportPolicy::Raw,
        )
        .map_err(|problem| {
            truststore_error(
                shown.clone(),
                format!("{problem} (hint: check TruststorePassword)"),
            )
        })?;
        store
            .entries()
            .flat_map(|(_, entry)| match entry {
                p12_keystore::KeyStoreEntry::Certificate(c) => vec![c.as_der().to_vec()],
                p12_keystore::KeyStoreEntry::PrivateKeyChain(k) => {
                    k.certs().iter().map(|c| c.as_der().to_vec()).collect()
                }
                _ => Vec::new(),
            })
            .map(CertificateDer::from)
            .collect()
    };
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(ders);
    if added == 0 {
        return Err(truststore_error(
            shown,
            "holds no usable CA certificate".to_owned(),
        ));
    }
    Ok(roots)
}

/// Read a PKCS#12 file. A trust store is read with the `Raw` policy: every
/// certificate in it is a CA to trust, as OpenSSL and curl read one — a file
/// made by `openssl pkcs12 -export -nokeys` carries no Java "trusted"
/// attribute, and the `Relaxed` policy would drop its certificates. A key
/// store is read with `Relaxed` (keys matched with their certificates).
fn p12(
    data: &[u8],
    password: &str,
    policy: p12_keystore::Pkcs12ImportPolicy,
) -> Result<p12_keystore::KeyStore, String> {
    p12_keystore::KeyStore::from_pkcs12(data, password, policy).map_err(|e| match e {
        p12_keystore::error::Error::MacError(_) => {
            "the PKCS#12 password is wrong (or the file is damaged)".to_owned()
        }
        other => format!("neither PEM nor a readable PKCS#12 file: {other}"),
    })
}

/// The client certificate chain and key of a PEM or PKCS#12 key store.
fn key_store(
    path: &Path,
    tls: &Tls,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TransportError> {
    let data = read(path, keystore_error)?;
    let shown = path.display().to_string();
    if is_jks(&data) {
        return Err(keystore_error(shown, CONVERT_JKS.to_owned()));
    }
    if is_pem(&data) {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&data)
            .collect::<Result<_, _>>()
            .map_err(|e| keystore_error(shown.clone(), format!("not a usable PEM file: {e}")))?;
        let key = PrivateKeyDer::from_pem_slice(&data).map_err(|_| {
            keystore_error(
                shown.clone(),
                "holds no unencrypted private key (PEM: put the certificate and its key, \
                 unencrypted, in one file; or use PKCS#12 with KeyStorePassword)"
                    .to_owned(),
            )
        })?;
        if chain.is_empty() {
            return Err(keystore_error(shown, "holds no certificate".to_owned()));
        }
        return Ok((chain, key));
    }
    let password = tls
        .key_password
        .as_ref()
        .or(tls.keystore_password.as_ref())
        .map(|s| s.expose())
        .unwrap_or_default();
    let store =
        p12(&data, password, p12_keystore::Pkcs12ImportPolicy::Relaxed).map_err(|problem| {
            keystore_error(
                shown.clone(),
                format!("{problem} (hint: check KeyStorePassword and KeyPassword)"),
            )
        })?;
    let chain = store
        .entries()
        .find_map(|(_, entry)| match entry {
            p12_keystore::KeyStoreEntry::PrivateKeyChain(k) => Some(k),
            _ => None,
        })
        .ok_or_else(|| keystore_error(shown.clone(), "holds no private key".to_owned()))?;
    let key = PrivateKeyDer::try_from(chain.key().as_der().to_vec()).map_err(|e| {
        keystore_error(
            shown.clone(),
            format!("the private key cannot be used: {e}"),
        )
    })?;
    let certs = chain
        .certs()
        .iter()
        .map(|c| CertificateDer::from(c.as_der().to_vec()))
        .collect();
    Ok((certs, key))
}

/// HostNameInCertificate: the webpki checks, against that name instead of
/// the URL's host.
#[derive(Debug)]
struct NameInCertificate {
    inner: Arc<WebPkiServerVerifier>,
    expected: ServerName<'static>,
}

impl ServerCertVerifier for NameInCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner.verify_server_cert(
            end_entity,
            intermediates,
            &self.expected,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// ValidateServerCertificate=0: any certificate (the handshake signatures
/// are still checked, so the peer holds the key of the certificate it sent).
#[derive(Debug)]
struct AcceptAny {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
