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

/// Which store a file is read as: it names the errors, the passwords to
/// check and what is taken from a PKCS#12 file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StoreKind {
    /// Truststore: the CA certificates to trust.
    Trust,
    /// KeyStore: the client certificate chain and its private key.
    Key,
}

impl StoreKind {
    fn error(self, path: &Path, problem: impl Into<String>) -> TransportError {
        let path = path.display().to_string();
        let problem = problem.into();
        match self {
            StoreKind::Trust => TransportError::Truststore { path, problem },
            StoreKind::Key => TransportError::KeyStore { path, problem },
        }
    }

    /// A trust store is read with the `Raw` policy: every certificate in it
    /// is a CA to trust, as OpenSSL and curl read one — a file made by
    /// `openssl pkcs12 -export -nokeys` carries no Java "trusted" attribute,
    /// and the `Relaxed` policy would drop its certificates. A key store is
    /// read with `Relaxed` (keys matched with their certificates).
    fn policy(self) -> p12_keystore::Pkcs12ImportPolicy {
        match self {
            StoreKind::Trust => p12_keystore::Pkcs12ImportPolicy::Raw,
            StoreKind::Key => p12_keystore::Pkcs12ImportPolicy::Relaxed,
        }
    }

    /// The options to check when a PKCS#12 file cannot be opened.
    fn password_options(self) -> &'static str {
        match self {
            StoreKind::Trust => "TruststorePassword",
            StoreKind::Key => "KeyStorePassword and KeyPassword",
        }
    }
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

/// A trust or key store file, opened by [`open_store`].
enum StoreFile {
    /// PEM text (certificates, maybe a key).
    Pem(Vec<u8>),
    /// A PKCS#12 file, opened with its password.
    Pkcs12(p12_keystore::KeyStore),
}

/// Read the file at `path` as a `kind` store: PEM when it holds a PEM block,
/// else PKCS#12 opened with `password`. A JKS file is refused with the
/// command that converts it; every error names the file and, for PKCS#12,
/// the password options to check.
fn open_store(path: &Path, kind: StoreKind, password: &str) -> Result<StoreFile, TransportError> {
    let data =
        std::fs::read(path).map_err(|e| kind.error(path, format!("cannot read the file: {e}")))?;
    if is_jks(&data) {
        return Err(kind.error(path, CONVERT_JKS));
    }
    if is_pem(&data) {
        return Ok(StoreFile::Pem(data));
    }
    p12(&data, password, kind.policy())
        .map(StoreFile::Pkcs12)
        .map_err(|problem| {
            kind.error(
                path,
                format!("{problem} (hint: check {})", kind.password_options()),
            )
        })
}

/// Every certificate of a PEM file.
fn pem_certs(
    data: &[u8],
    path: &Path,
    kind: StoreKind,
) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    CertificateDer::pem_slice_iter(data)
        .collect::<Result<_, _>>()
        .map_err(|e| kind.error(path, format!("not a usable PEM file: {e}")))
}

fn der(cert: &p12_keystore::Certificate) -> CertificateDer<'static> {
    CertificateDer::from(cert.as_der().to_vec())
}

/// Read a PKCS#12 file with `policy` (see [`StoreKind::policy`]); the error
/// says whether the password is wrong.
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

/// The CA certificates of a PEM or PKCS#12 trust store: every certificate
/// in it.
fn trust_store(path: &Path, password: Option<&str>) -> Result<RootCertStore, TransportError> {
    let kind = StoreKind::Trust;
    let certs = match open_store(path, kind, password.unwrap_or_default())? {
        StoreFile::Pem(data) => pem_certs(&data, path, kind)?,
        StoreFile::Pkcs12(store) => store
            .entries()
            .flat_map(|(_, entry)| match entry {
                p12_keystore::KeyStoreEntry::Certificate(c) => vec![der(c)],
                p12_keystore::KeyStoreEntry::PrivateKeyChain(k) => {
                    k.certs().iter().map(der).collect()
                }
                _ => Vec::new(),
            })
            .collect(),
    };
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(kind.error(path, "holds no usable CA certificate"));
    }
    Ok(roots)
}

/// The client certificate chain and key of a PEM or PKCS#12 key store: PEM,
/// the (unencrypted) key and the certificates beside it; PKCS#12, the first
/// key with its chain.
fn key_store(
    path: &Path,
    tls: &Tls,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TransportError> {
    let kind = StoreKind::Key;
    let password = tls
        .key_password
        .as_ref()
        .or(tls.keystore_password.as_ref())
        .map(|s| s.expose())
        .unwrap_or_default();
    match open_store(path, kind, password)? {
        StoreFile::Pem(data) => {
            let chain = pem_certs(&data, path, kind)?;
            let key = PrivateKeyDer::from_pem_slice(&data).map_err(|_| {
                kind.error(
                    path,
                    "holds no unencrypted private key (PEM: put the certificate and its key, \
                     unencrypted, in one file; or use PKCS#12 with KeyStorePassword)",
                )
            })?;
            if chain.is_empty() {
                return Err(kind.error(path, "holds no certificate"));
            }
            Ok((chain, key))
        }
        StoreFile::Pkcs12(store) => {
            let chain = store
                .entries()
                .find_map(|(_, entry)| match entry {
                    p12_keystore::KeyStoreEntry::PrivateKeyChain(k) => Some(k),
                    _ => None,
                })
                .ok_or_else(|| kind.error(path, "holds no private key"))?;
            let key = PrivateKeyDer::try_from(chain.key().as_der().to_vec())
                .map_err(|e| kind.error(path, format!("the private key cannot be used: {e}")))?;
            Ok((chain.certs().iter().map(der).collect(), key))
        }
    }
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
