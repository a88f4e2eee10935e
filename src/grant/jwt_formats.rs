//! The file formats JWTCertStore may hold (see [`super::jwt_key`]), and the
//! little DER the key classification needs.

use std::path::Path;

use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject as _;

use super::jwt_key::{
    KeyDer, KeyError, KeyFormat, Loaded, ServiceAccount, Zeroing, pem_certificate,
};
use crate::secret::Secret;

fn malformed(path: &Path, format: KeyFormat, problem: impl Into<String>) -> KeyError {
    KeyError::Malformed {
        path: path.to_path_buf(),
        format,
        problem: problem.into(),
    }
}

/// A PEM file: the first private key, and the first certificate if any.
pub(super) fn pem(path: &Path, bytes: &[u8]) -> Result<Loaded, KeyError> {
    if memchr::memmem::find(bytes, b"-----BEGIN ENCRYPTED PRIVATE KEY-----").is_some()
        || memchr::memmem::find(bytes, b"Proc-Type: 4,ENCRYPTED").is_some()
    {
        return Err(KeyError::EncryptedPem {
            path: path.to_path_buf(),
        });
    }
    let key = match PrivateKeyDer::from_pem_slice(bytes) {
        Ok(k) => k,
        Err(rustls_pki_types::pem::Error::NoItemsFound) => {
            return Err(KeyError::NoPrivateKey {
                path: path.to_path_buf(),
                format: KeyFormat::Pem,
            });
        }
        // The PEM reader's errors name sections and positions, never content.
        Err(e) => return Err(malformed(path, KeyFormat::Pem, e.to_string())),
    };
    Ok(Loaded {
        format: KeyFormat::Pem,
        key: KeyDer::from_pki(key),
        certificate: pem_certificate(bytes),
        alias: None,
        key_id: None,
        service_account: None,
    })
}

/// A Google service-account JSON key file.
pub(super) fn service_account(path: &Path, bytes: &[u8]) -> Result<Loaded, KeyError> {
    let format = KeyFormat::ServiceAccount;
    // Parsed as a Value first: serde_json's syntax errors give a line and a
    // column, while typed errors would quote the value (the private key).
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        malformed(
            path,
            format,
            format!("invalid JSON at line {} column {}", e.line(), e.column()),
        )
    })?;
    let field = |name: &str| v.get(name).and_then(serde_json::Value::as_str);
    match field("type") {
        Some("service_account") => {}
        Some(t) if t.len() <= 40 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
            return Err(malformed(
                path,
                format,
                format!("`type` is `{t}`, not `service_account`"),
            ));
        }
        _ => {
            return Err(malformed(
                path,
                format,
                "no `\"type\": \"service_account\"`",
            ));
        }
    }
    let Some(pem_text) = field("private_key") else {
        return Err(KeyError::NoPrivateKey {
            path: path.to_path_buf(),
            format,
        });
    };
    let pem_text = Secret::new(pem_text);
    let key = PrivateKeyDer::from_pem_slice(pem_text.expose().as_bytes())
        .map_err(|_| malformed(path, format, "`private_key` is not a PEM private key"))?;
    Ok(Loaded {
        format,
        key: KeyDer::from_pki(key),
        certificate: None,
        alias: None,
        key_id: field("private_key_id").map(str::to_owned),
        service_account: Some(ServiceAccount {
            client_email: field("client_email").map(str::to_owned),
            token_uri: field("token_uri").map(str::to_owned),
        }),
    })
}

/// A PKCS#12 keystore: the private key entry JWTCertAlias names (or the only
/// one), with its certificate.
pub(super) fn pkcs12(
    path: &Path,
    bytes: &[u8],
    password: Option<&Secret>,
    alias: Option<&str>,
) -> Result<Loaded, KeyError> {
    use p12_keystore::error::Error as P12;
    use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
    let format = KeyFormat::Pkcs12;
    let pw = password.map(Secret::expose).unwrap_or("");
    let store = match KeyStore::from_pkcs12(bytes, pw, Pkcs12ImportPolicy::Relaxed) {
        Ok(s) => s,
        Err(P12::MacError(_) | P12::UnpadError | P12::Pkcs5Error(_)) => {
            return Err(KeyError::WrongPassword {
                path: path.to_path_buf(),
                password_given: password.is_some(),
            });
        }
        Err(P12::UnsupportedEncryptionScheme | P12::UnsupportedMacAlgorithm) => {
            return Err(malformed(
                path,
                format,
                "it is protected with an encryption or MAC algorithm connstr does not know",
            ));
        }
        Err(e) => return Err(malformed(path, format, e.to_string())),
    };
    let keys: Vec<(&String, &p12_keystore::PrivateKeyChain)> = store
        .entries()
        .filter_map(|(a, e)| match e {
            KeyStoreEntry::PrivateKeyChain(c) => Some((a, c)),
            _ => None,
        })
        .collect();
    let present = || keys.iter().map(|(a, _)| (*a).clone()).collect::<Vec<_>>();
    let chosen = match alias {
        Some(want) => keys
            .iter()
            .find(|(a, _)| a.as_str() == want)
            .or_else(|| {
                // Java compares aliases without case.
                let mut same = keys.iter().filter(|(a, _)| a.eq_ignore_ascii_case(want));
                match (same.next(), same.next()) {
                    (Some(one), None) => Some(one),
                    _ => None,
                }
            })
            .ok_or_else(|| KeyError::AliasNotFound {
                path: path.to_path_buf(),
                alias: want.to_owned(),
                present: present(),
            })?,
        None => match keys.as_slice() {
            [one] => one,
            [] => {
                return Err(KeyError::NoPrivateKey {
                    path: path.to_path_buf(),
                    format,
                });
            }
            _ => {
                return Err(KeyError::AmbiguousAlias {
                    path: path.to_path_buf(),
                    present: present(),
                });
            }
        },
    };
    let (name, chain) = chosen;
    Ok(Loaded {
        format,
        key: KeyDer::Pkcs8(chain.key().as_der().to_vec()),
        certificate: chain.certs().first().map(|c| c.as_der().to_vec()),
        alias: Some((*name).clone()),
        key_id: None,
        service_account: None,
    })
}

/// A PKCS#8 key's algorithm.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Algorithm {
    Rsa,
    EcP256,
    EcP384,
    /// EC on another curve (its name or OID).
    EcOther(String),
    Ed25519,
    /// Another algorithm (its OID).
    Other(String),
    Unreadable,
}

const OID_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x23];
const OID_SECP256K1: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x0A];
const OID_ED25519: &[u8] = &[0x2B, 0x65, 0x70];
const OID_ED448: &[u8] = &[0x2B, 0x65, 0x71];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const CONTEXT_0: u8 = 0xA0;

/// One DER element: (tag, contents, rest).
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        first as usize
    } else {
        let n = (first & 0x7F) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let mut len = 0usize;
        for &b in &rest[..n] {
            len = (len << 8) | b as usize;
        }
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (t, v, rest) = tlv(input)?;
    (t == tag).then_some((v, rest))
}

/// The algorithm OID and its parameters' OID (the curve), if any.
fn pkcs8_algorithm(der: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let (info, _) = expect(der, SEQUENCE)?;
    let (_version, rest) = expect(info, INTEGER)?;
    let (alg_id, _) = expect(rest, SEQUENCE)?;
    let (oid, params) = expect(alg_id, OID)?;
    let curve = expect(params, OID).map(|(c, _)| c);
    Some((oid, curve))
}

pub(super) fn classify_pkcs8(der: &[u8]) -> Algorithm {
    let Some((oid, curve)) = pkcs8_algorithm(der) else {
        return Algorithm::Unreadable;
    };
    match oid {
        OID_RSA => Algorithm::Rsa,
        OID_EC => match curve {
            Some(OID_P256) => Algorithm::EcP256,
            Some(OID_P384) => Algorithm::EcP384,
            Some(OID_P521) => Algorithm::EcOther("P-521".to_owned()),
            Some(OID_SECP256K1) => Algorithm::EcOther("secp256k1".to_owned()),
            Some(c) => Algorithm::EcOther(dotted(c)),
            None => Algorithm::EcOther("(not named)".to_owned()),
        },
        OID_ED25519 => Algorithm::Ed25519,
        OID_ED448 => Algorithm::Other("Ed448".to_owned()),
        o => Algorithm::Other(dotted(o)),
    }
}

/// An OID in dotted form.
fn dotted(oid: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for &b in oid {
        acc = (acc << 7) | (b & 0x7F) as u64;
        if b & 0x80 == 0 {
            if parts.is_empty() {
                let first = (acc / 40).min(2);
                parts.push(first);
                parts.push(acc - first * 40);
            } else {
                parts.push(acc);
            }
            acc = 0;
        }
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn der_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

fn der(tag: u8, contents: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    der_len(contents.len(), out);
    out.extend_from_slice(contents);
}

/// A SEC1 `ECPrivateKey` wrapped as PKCS#8 (what ring reads), for the curve
/// its parameters name (P-256 when it names none).
pub(super) fn sec1_to_pkcs8(sec1: &[u8]) -> Option<(Vec<u8>, Algorithm)> {
    let (body, _) = expect(sec1, SEQUENCE)?;
    let (_version, rest) = expect(body, INTEGER)?;
    let (_d, rest) = expect(rest, OCTET_STRING)?;
    let curve = match expect(rest, CONTEXT_0) {
        Some((params, _)) => expect(params, OID)?.0,
        None => OID_P256,
    };
    let mut alg = Vec::new();
    der(OID, OID_EC, &mut alg);
    der(OID, curve, &mut alg);
    let mut info = Vec::new();
    der(INTEGER, &[0], &mut info);
    der(SEQUENCE, &alg, &mut info);
    der(OCTET_STRING, sec1, &mut info);
    let mut out = Vec::new();
    der(SEQUENCE, &info, &mut out);
    let algorithm = classify_pkcs8(&out);
    Some((out, algorithm))
}

/// The private scalar of a PKCS#8 EC key.
pub(super) fn ec_private_scalar(pkcs8: &[u8]) -> Option<Zeroing> {
    let (info, _) = expect(pkcs8, SEQUENCE)?;
    let (_version, rest) = expect(info, INTEGER)?;
    let (_alg, rest) = expect(rest, SEQUENCE)?;
    let (sec1, _) = expect(rest, OCTET_STRING)?;
    let (body, _) = expect(sec1, SEQUENCE)?;
    let (_version, rest) = expect(body, INTEGER)?;
    let (d, _) = expect(rest, OCTET_STRING)?;
    Some(Zeroing(d.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_print_dotted() {
        assert_eq!(dotted(OID_RSA), "1.2.840.113549.1.1.1");
        assert_eq!(dotted(OID_P384), "1.3.132.0.34");
        assert_eq!(dotted(OID_ED25519), "1.3.101.112");
    }

    #[test]
    fn der_lengths_round_trip() {
        for len in [0usize, 5, 127, 128, 255, 256, 70_000] {
            let contents = vec![7u8; len];
            let mut out = Vec::new();
            der(OCTET_STRING, &contents, &mut out);
            let (tag, v, rest) = tlv(&out).unwrap();
            assert_eq!((tag, v.len(), rest.len()), (OCTET_STRING, len, 0));
        }
        assert!(tlv(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_none());
        assert!(tlv(&[0x30, 0x05, 1]).is_none());
        assert!(tlv(&[]).is_none());
    }

    #[test]
    fn garbage_is_unreadable_not_a_panic() {
        assert_eq!(classify_pkcs8(b"\x30\x03\x02\x01"), Algorithm::Unreadable);
        assert!(sec1_to_pkcs8(b"\x30\xff").is_none());
        assert!(ec_private_scalar(b"").is_none());
    }
}
