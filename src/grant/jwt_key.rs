//! The JWT bearer grant's signing key, read from JWTCertStore.
//!
//! What JWTCertStore may be (recognised by content, not by name):
//!
//! - a **PKCS#12** keystore (`.p12`/`.pfx`, what `keytool` writes since Java
//!   9 and `openssl pkcs12 -export`): opened with JWTCertPassword, the entry
//!   JWTCertAlias (default: the only private key entry), its certificate's
//!   validity checked;
//! - a **PEM** private key (PKCS#8, PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE
//!   KEY`), optionally followed by its certificate (then checked too);
//! - a **Google service-account JSON key file** (`"type": "service_account"`,
//!   `private_key`, `client_email`, `token_uri`, `private_key_id` → `kid`);
//! - a Java **JKS**/JCEKS keystore is recognised and refused with the
//!   `keytool -importkeystore` command that converts it to PKCS#12 (no
//!   maintained Rust crate reads JKS).
//!
//! RSA keys sign with RS256, EC P-256 keys with ES256, EC P-384 keys with
//! ES384 (ring). Every error names JWTCertStore and the file, never
//! JWTCertPassword or any key material.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::plan::JwtKeySource;
use crate::secret::Secret;

/// The largest JWTCertStore read (a keystore is a few kilobytes).
const MAX_STORE_BYTES: u64 = 1 << 20;

/// The JWS algorithm a key signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum JwtAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RSA keys).
    RS256,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
}

impl JwtAlg {
    /// The `alg` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            JwtAlg::RS256 => "RS256",
            JwtAlg::ES256 => "ES256",
            JwtAlg::ES384 => "ES384",
        }
    }
}

/// What kind of file JWTCertStore is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyFormat {
    /// A PKCS#12 keystore.
    Pkcs12,
    /// A PEM private key.
    Pem,
    /// A Google service-account JSON key file.
    ServiceAccount,
}

impl KeyFormat {
    /// In words.
    pub fn describe(self) -> &'static str {
        match self {
            KeyFormat::Pkcs12 => "PKCS#12 keystore",
            KeyFormat::Pem => "PEM private key",
            KeyFormat::ServiceAccount => "service-account JSON key file",
        }
    }
}

/// Why the signing key could not be had. Every message names JWTCertStore
/// and the file; none holds JWTCertPassword or key material.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The file cannot be read.
    #[error("JWTCertStore {}: cannot read the file: {message}", .path.display())]
    Read {
        /// JWTCertStore.
        path: PathBuf,
        /// The operating system's words.
        message: String,
    },
    /// The PKCS#12 keystore does not open with the password given.
    #[error(
        "JWTCertStore {}: the PKCS#12 keystore does not open with {} (wrong password?)",
        .path.display(),
        if *.password_given { "JWTCertPassword" } else { "an empty password: JWTCertPassword is not set" }
    )]
    WrongPassword {
        /// JWTCertStore.
        path: PathBuf,
        /// Whether JWTCertPassword was set.
        password_given: bool,
    },
    /// A Java JKS or JCEKS keystore.
    #[error(
        "JWTCertStore {}: a Java {kind} keystore, which connstr does not read: convert it to \
         PKCS#12 with `keytool -importkeystore -srckeystore {} -srcstoretype {kind} \
         -destkeystore {}.p12 -deststoretype PKCS12` and point JWTCertStore at the .p12 file",
        .path.display(), .path.display(), .path.with_extension("").display()
    )]
    JavaKeystore {
        /// JWTCertStore.
        path: PathBuf,
        /// `JKS` or `JCEKS`.
        kind: &'static str,
    },
    /// JWTCertAlias names no private key entry.
    #[error(
        "JWTCertStore {}: no private key entry with JWTCertAlias `{alias}`; its private key \
         entries: {}", .path.display(), list(.present)
    )]
    AliasNotFound {
        /// JWTCertStore.
        path: PathBuf,
        /// JWTCertAlias.
        alias: String,
        /// The aliases of the private key entries present.
        present: Vec<String>,
    },
    /// Several private key entries and no JWTCertAlias.
    #[error(
        "JWTCertStore {}: {} private key entries and no JWTCertAlias to choose one: set \
         JWTCertAlias to one of {}", .path.display(), .present.len(), list(.present)
    )]
    AmbiguousAlias {
        /// JWTCertStore.
        path: PathBuf,
        /// The aliases of the private key entries present.
        present: Vec<String>,
    },
    /// The file holds no private key.
    #[error("JWTCertStore {}: the {} holds no private key", .path.display(), .format.describe())]
    NoPrivateKey {
        /// JWTCertStore.
        path: PathBuf,
        /// What the file is.
        format: KeyFormat,
    },
    /// The key's certificate has expired.
    #[error(
        "JWTCertStore {}: the certificate of {} expired on {not_after}: the server will refuse \
         assertions signed with its key (renew the certificate)",
        .path.display(), entry(.alias)
    )]
    CertificateExpired {
        /// JWTCertStore.
        path: PathBuf,
        /// The entry, for a keystore.
        alias: Option<String>,
        /// When it expired.
        not_after: String,
    },
    /// The key's certificate is not valid yet.
    #[error(
        "JWTCertStore {}: the certificate of {} is not valid before {not_before}",
        .path.display(), entry(.alias)
    )]
    CertificateNotYetValid {
        /// JWTCertStore.
        path: PathBuf,
        /// The entry, for a keystore.
        alias: Option<String>,
        /// When it becomes valid.
        not_before: String,
    },
    /// A key connstr cannot sign with.
    #[error(
        "JWTCertStore {}: {what}: connstr signs JWT assertions with RSA (RS256) and EC P-256 \
         (ES256) or P-384 (ES384) keys", .path.display()
    )]
    UnsupportedKey {
        /// JWTCertStore.
        path: PathBuf,
        /// What the key is.
        what: String,
    },
    /// An encrypted PEM private key.
    #[error(
        "JWTCertStore {}: an encrypted PEM private key, which connstr does not decrypt: put it \
         in a PKCS#12 keystore (`openssl pkcs12 -export -inkey KEY.pem -in CERT.pem -out \
         KEY.p12`) and set JWTCertPassword", .path.display()
    )]
    EncryptedPem {
        /// JWTCertStore.
        path: PathBuf,
    },
    /// The file is damaged or not what it looks like.
    #[error("JWTCertStore {}: not a valid {}: {problem}", .path.display(), .format.describe())]
    Malformed {
        /// JWTCertStore.
        path: PathBuf,
        /// What it looks like.
        format: KeyFormat,
        /// What is wrong (never content of the file).
        problem: String,
    },
    /// Not a format connstr knows.
    #[error(
        "JWTCertStore {}: neither a PKCS#12 keystore, a PEM private key nor a service-account \
         JSON key file", .path.display()
    )]
    UnknownFormat {
        /// JWTCertStore.
        path: PathBuf,
    },
    /// The signature could not be made.
    #[error("JWTCertStore {}: signing the JWT assertion failed", .path.display())]
    Sign {
        /// JWTCertStore.
        path: PathBuf,
    },
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        return "(none)".to_owned();
    }
    v.iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn entry(alias: &Option<String>) -> String {
    match alias {
        Some(a) => format!("entry `{a}`"),
        None => "the key".to_owned(),
    }
}

/// What a Google service-account key file says besides the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceAccount {
    /// `client_email`: the issuer Google expects.
    pub client_email: Option<String>,
    /// `token_uri`: Google's token endpoint.
    pub token_uri: Option<String>,
}

enum Pair {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

/// A private key ready to sign JWT bearer assertions. `Debug` shows the
/// algorithm, format, alias and expiry, never key material.
///
/// ```
/// use connstr::grant::{JwtAlg, KeyFormat, SigningKey};
/// use connstr::plan::JwtKeySource;
/// let store = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/jwt/ec-p256.pem");
/// let key = SigningKey::load(&JwtKeySource { store: store.into(), password: None, alias: None }).unwrap();
/// assert_eq!(key.alg(), JwtAlg::ES256);
/// assert_eq!(key.format(), KeyFormat::Pem);
/// assert_eq!(key.sign(b"header.payload").unwrap().len(), 64);
/// ```
pub struct SigningKey {
    path: PathBuf,
    alg: JwtAlg,
    pair: Pair,
    format: KeyFormat,
    alias: Option<String>,
    key_id: Option<String>,
    not_after: Option<SystemTime>,
    service_account: Option<ServiceAccount>,
    rng: SystemRandom,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("path", &self.path)
            .field("alg", &self.alg)
            .field("format", &self.format)
            .field("alias", &self.alias)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Read JWTCertStore and take the key it names (checking the
    /// certificate's validity against the clock).
    pub fn load(src: &JwtKeySource) -> Result<Self, KeyError> {
        let bytes = read_capped(&src.store)?;
        Self::from_bytes(
            &src.store,
            &bytes,
            src.password.as_ref(),
            src.alias.as_deref(),
            SystemTime::now(),
        )
    }

    /// As [`SigningKey::load`], from the file's bytes, at `now`.
    pub fn from_bytes(
        path: &Path,
        bytes: &[u8],
        password: Option<&Secret>,
        alias: Option<&str>,
        now: SystemTime,
    ) -> Result<Self, KeyError> {
        let path_buf = path.to_path_buf();
        let java = |kind| KeyError::JavaKeystore {
            path: path_buf.clone(),
            kind,
        };
        match bytes.get(..4) {
            Some([0xFE, 0xED, 0xFE, 0xED]) => return Err(java("JKS")),
            Some([0xCE, 0xCE, 0xCE, 0xCE]) => return Err(java("JCEKS")),
            _ => {}
        }
        let text_start = bytes.iter().position(|b| !b.is_ascii_whitespace());
        let loaded = match text_start.map(|i| bytes[i]) {
            Some(b'{') => super::jwt_formats::service_account(path, bytes)?,
            _ if memchr::memmem::find(bytes, b"-----BEGIN").is_some() => {
                super::jwt_formats::pem(path, bytes)?
            }
            Some(0x30) => super::jwt_formats::pkcs12(path, bytes, password, alias)?,
            _ => return Err(KeyError::UnknownFormat { path: path_buf }),
        };
        let mut not_after = None;
        if let Some(cert) = &loaded.certificate {
            not_after = check_validity(path, loaded.format, loaded.alias.as_ref(), cert, now)?;
        }
        let (alg, pair) = key_pair(
            path,
            loaded.format,
            &loaded.key,
            loaded.certificate.as_deref(),
        )?;
        Ok(SigningKey {
            path: path_buf,
            alg,
            pair,
            format: loaded.format,
            alias: loaded.alias,
            key_id: loaded.key_id,
            not_after,
            service_account: loaded.service_account,
            rng: SystemRandom::new(),
        })
    }

    /// The JWS algorithm.
    pub fn alg(&self) -> JwtAlg {
        self.alg
    }

    /// What JWTCertStore is.
    pub fn format(&self) -> KeyFormat {
        self.format
    }

    /// The keystore entry used (PKCS#12).
    pub fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }

    /// The `kid` header (a service-account file's `private_key_id`).
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// When the key's certificate expires, when there is one.
    pub fn not_after(&self) -> Option<SystemTime> {
        self.not_after
    }

    /// JWTCertStore.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The service-account file's `client_email` and `token_uri`.
    pub fn service_account(&self) -> Option<&ServiceAccount> {
        self.service_account.as_ref()
    }

    /// The public key (DER `RSAPublicKey`, or the uncompressed EC point),
    /// with the algorithm: what identifies the key in the token identity.
    pub fn public_key_id(&self) -> String {
        let public = match &self.pair {
            Pair::Rsa(k) => k.public_key().as_ref().to_vec(),
            Pair::Ecdsa(k) => k.public_key().as_ref().to_vec(),
        };
        let hex: String = public.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}:{hex}", self.alg.as_str())
    }

    /// The JWS signature of `message` (for ES256/ES384 the fixed-size `r‖s`
    /// form JWS uses).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let failed = || KeyError::Sign {
            path: self.path.clone(),
        };
        match &self.pair {
            Pair::Rsa(k) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &self.rng, message, &mut sig)
                    .map_err(|_| failed())?;
                Ok(sig)
            }
            Pair::Ecdsa(k) => k
                .sign(&self.rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| failed()),
        }
    }
}

/// What a format reader found.
pub(super) struct Loaded {
    pub format: KeyFormat,
    /// PKCS#8, PKCS#1 or SEC1 DER, as [`KeyDer`] says.
    pub key: KeyDer,
    pub certificate: Option<Vec<u8>>,
    pub alias: Option<String>,
    pub key_id: Option<String>,
    pub service_account: Option<ServiceAccount>,
}

/// A private key's DER, by its encoding. Dropped with its bytes zeroed by
/// `rustls-pki-types` when it came from a PEM file.
pub(super) enum KeyDer {
    Pkcs8(Vec<u8>),
    Pkcs1(Vec<u8>),
    Sec1(Vec<u8>),
}

impl KeyDer {
    pub(super) fn from_pki(k: PrivateKeyDer<'_>) -> Self {
        match k {
            PrivateKeyDer::Pkcs1(k) => KeyDer::Pkcs1(k.secret_pkcs1_der().to_vec()),
            PrivateKeyDer::Sec1(k) => KeyDer::Sec1(k.secret_sec1_der().to_vec()),
            PrivateKeyDer::Pkcs8(k) => KeyDer::Pkcs8(k.secret_pkcs8_der().to_vec()),
            _ => KeyDer::Pkcs8(Vec::new()),
        }
    }
}

impl Drop for KeyDer {
    fn drop(&mut self) {
        let (KeyDer::Pkcs8(v) | KeyDer::Pkcs1(v) | KeyDer::Sec1(v)) = self;
        v.iter_mut().for_each(|b| *b = 0);
    }
}

fn read_capped(path: &Path) -> Result<Vec<u8>, KeyError> {
    use std::io::Read as _;
    let err = |e: std::io::Error| KeyError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let f = std::fs::File::open(path).map_err(err)?;
    let mut bytes = Vec::new();
    f.take(MAX_STORE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(err)?;
    if bytes.len() as u64 > MAX_STORE_BYTES {
        return Err(KeyError::Read {
            path: path.to_path_buf(),
            message: "larger than 1 MiB: not a keystore".to_owned(),
        });
    }
    Ok(bytes)
}

/// The certificate's `notAfter` (checked against `now`).
fn check_validity(
    path: &Path,
    format: KeyFormat,
    alias: Option<&String>,
    der: &[u8],
    now: SystemTime,
) -> Result<Option<SystemTime>, KeyError> {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return Err(KeyError::Malformed {
            path: path.to_path_buf(),
            format,
            problem: "its certificate cannot be parsed".to_owned(),
        });
    };
    let v = cert.validity();
    let at = |t: i64| SystemTime::UNIX_EPOCH + Duration::from_secs(t.max(0) as u64);
    let not_after = at(v.not_after.timestamp());
    if now > not_after {
        return Err(KeyError::CertificateExpired {
            path: path.to_path_buf(),
            alias: alias.cloned(),
            not_after: v.not_after.to_string(),
        });
    }
    if now < at(v.not_before.timestamp()) {
        return Err(KeyError::CertificateNotYetValid {
            path: path.to_path_buf(),
            alias: alias.cloned(),
            not_before: v.not_before.to_string(),
        });
    }
    Ok(Some(not_after))
}

/// The certificate's public key bits (an EC point), for a PKCS#8 EC key
/// without its public key (Java writes them so).
fn certificate_public_key(der: &[u8]) -> Option<Vec<u8>> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(cert.public_key().subject_public_key.data.to_vec())
}

fn key_pair(
    path: &Path,
    format: KeyFormat,
    key: &KeyDer,
    cert: Option<&[u8]>,
) -> Result<(JwtAlg, Pair), KeyError> {
    use super::jwt_formats::{Algorithm, classify_pkcs8, sec1_to_pkcs8};
    let unsupported = |what: String| KeyError::UnsupportedKey {
        path: path.to_path_buf(),
        what,
    };
    let rejected =
        |kind: &str, e: ring::error::KeyRejected| unsupported(format!("{kind} key rejected ({e})"));
    let (pkcs8, algorithm) = match key {
        KeyDer::Pkcs1(der) => {
            let k = RsaKeyPair::from_der(der).map_err(|e| rejected("an RSA", e))?;
            return Ok((JwtAlg::RS256, Pair::Rsa(k)));
        }
        KeyDer::Sec1(der) => sec1_to_pkcs8(der).ok_or_else(|| KeyError::Malformed {
            path: path.to_path_buf(),
            format,
            problem: "the EC PRIVATE KEY is not a valid SEC1 structure".to_owned(),
        })?,
        KeyDer::Pkcs8(der) => (der.clone(), classify_pkcs8(der)),
    };
    let pkcs8 = Zeroing(pkcs8);
    let rng = SystemRandom::new();
    let ec = |alg: &'static signature::EcdsaSigningAlgorithm, jwt: JwtAlg| {
        match EcdsaKeyPair::from_pkcs8(alg, &pkcs8.0, &rng) {
            Ok(k) => Ok((jwt, Pair::Ecdsa(k))),
            Err(first) => {
                // A PKCS#8 EC key without its public key: take it from the certificate.
                let private = super::jwt_formats::ec_private_scalar(&pkcs8.0);
                match (private, cert.and_then(certificate_public_key)) {
                    (Some(d), Some(q)) => {
                        EcdsaKeyPair::from_private_key_and_public_key(alg, &d.0, &q, &rng)
                            .map(|k| (jwt, Pair::Ecdsa(k)))
                            .map_err(|e| rejected("an EC", e))
                    }
                    _ => Err(rejected("an EC", first)),
                }
            }
        }
    };
    match algorithm {
        Algorithm::Rsa => {
            let k = RsaKeyPair::from_pkcs8(&pkcs8.0).map_err(|e| rejected("an RSA", e))?;
            Ok((JwtAlg::RS256, Pair::Rsa(k)))
        }
        Algorithm::EcP256 => ec(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, JwtAlg::ES256),
        Algorithm::EcP384 => ec(&signature::ECDSA_P384_SHA384_FIXED_SIGNING, JwtAlg::ES384),
        Algorithm::EcOther(curve) => Err(unsupported(format!("an EC key on curve {curve}"))),
        Algorithm::Ed25519 => Err(unsupported("an Ed25519 (EdDSA) key".to_owned())),
        Algorithm::Other(oid) => Err(unsupported(format!("a key of algorithm {oid}"))),
        Algorithm::Unreadable => Err(KeyError::Malformed {
            path: path.to_path_buf(),
            format,
            problem: "the private key is not a valid PKCS#8 structure".to_owned(),
        }),
    }
}

/// Bytes zeroed on drop.
pub(super) struct Zeroing(pub Vec<u8>);

impl Drop for Zeroing {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(|b| *b = 0);
    }
}

/// The first certificate of a PEM file.
pub(super) fn pem_certificate(bytes: &[u8]) -> Option<Vec<u8>> {
    CertificateDer::pem_slice_iter(bytes)
        .next()?
        .ok()
        .map(|c| c.as_ref().to_vec())
}

#[cfg(test)]
#[path = "jwt_key_tests.rs"]
mod tests;
