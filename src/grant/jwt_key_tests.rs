//! Tests of [`super::SigningKey`] against the keys of `fixtures/jwt/`.

use super::*;

const PASSWORD: &str = "test-only-p12-pass";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/jwt")
        .join(name)
}

fn load(name: &str, password: Option<&str>, alias: Option<&str>) -> Result<SigningKey, KeyError> {
    SigningKey::load(&JwtKeySource {
        store: fixture(name),
        password: password.map(Secret::new),
        alias: alias.map(str::to_owned),
    })
}

/// The signature verifies with the public key the fixtures hold.
fn verifies(key: &SigningKey) {
    let msg = b"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0";
    let sig = key.sign(msg).unwrap();
    let alg: &dyn signature::VerificationAlgorithm = match key.alg() {
        JwtAlg::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        JwtAlg::ES256 => &signature::ECDSA_P256_SHA256_FIXED,
        JwtAlg::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
    };
    let public = match &key.pair {
        Pair::Rsa(k) => k.public_key().as_ref().to_vec(),
        Pair::Ecdsa(k) => k.public_key().as_ref().to_vec(),
    };
    signature::UnparsedPublicKey::new(alg, &public)
        .verify(msg, &sig)
        .expect("signature verifies");
}

#[test]
fn every_supported_form_loads_and_signs() {
    let cases = [
        (
            "rsa.p12",
            Some(PASSWORD),
            JwtAlg::RS256,
            KeyFormat::Pkcs12,
            Some("jwt-signer"),
        ),
        (
            "rsa-legacy.p12",
            Some(PASSWORD),
            JwtAlg::RS256,
            KeyFormat::Pkcs12,
            Some("jwt-signer"),
        ),
        ("rsa.pem", None, JwtAlg::RS256, KeyFormat::Pem, None),
        ("rsa-pkcs1.pem", None, JwtAlg::RS256, KeyFormat::Pem, None),
        (
            "service-account.json",
            None,
            JwtAlg::RS256,
            KeyFormat::ServiceAccount,
            None,
        ),
        (
            "ec-p256.p12",
            Some(PASSWORD),
            JwtAlg::ES256,
            KeyFormat::Pkcs12,
            Some("ec-signer"),
        ),
        (
            "ec-p256-java.p12",
            Some(PASSWORD),
            JwtAlg::ES256,
            KeyFormat::Pkcs12,
            Some("ec-signer"),
        ),
        ("ec-p256.pem", None, JwtAlg::ES256, KeyFormat::Pem, None),
        (
            "ec-p256-sec1.pem",
            None,
            JwtAlg::ES256,
            KeyFormat::Pem,
            None,
        ),
    ];
    let rsa_id = load("rsa.pem", None, None).unwrap().public_key_id();
    let ec_id = load("ec-p256.pem", None, None).unwrap().public_key_id();
    for (name, pw, alg, format, alias) in cases {
        let k = load(name, pw, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            (k.alg(), k.format(), k.alias()),
            (alg, format, alias),
            "{name}"
        );
        verifies(&k);
        // One key, whatever the file: one identity.
        let want = if alg == JwtAlg::RS256 {
            &rsa_id
        } else {
            &ec_id
        };
        assert_eq!(&k.public_key_id(), want, "{name}");
        assert_eq!(
            k.not_after().is_some(),
            format == KeyFormat::Pkcs12,
            "{name}"
        );
    }
    let sa = load("service-account.json", None, None).unwrap();
    assert_eq!(
        sa.key_id(),
        Some("0123456789abcdef0123456789abcdef01234567")
    );
    let info = sa.service_account().unwrap();
    assert_eq!(
        info.client_email.as_deref(),
        Some("reports@connstr-test.iam.gserviceaccount.com")
    );
    assert!(!format!("{sa:?}").contains("PRIVATE"));
}

#[test]
fn the_alias_chooses_among_several_keys() {
    let a = load("two-keys.p12", Some(PASSWORD), Some("alpha")).unwrap();
    assert_eq!((a.alg(), a.alias()), (JwtAlg::RS256, Some("alpha")));
    let b = load("two-keys.p12", Some(PASSWORD), Some("BETA")).unwrap();
    assert_eq!((b.alg(), b.alias()), (JwtAlg::ES256, Some("beta")));
    match load("two-keys.p12", Some(PASSWORD), None).unwrap_err() {
        e @ KeyError::AmbiguousAlias { .. } => {
            let m = e.to_string();
            assert!(
                m.contains("JWTCertAlias") && m.contains("`alpha`, `beta`"),
                "{m}"
            );
        }
        e => panic!("{e}"),
    }
    match load("rsa.p12", Some(PASSWORD), Some("nope")).unwrap_err() {
        e @ KeyError::AliasNotFound { .. } => {
            let m = e.to_string();
            assert!(m.contains("`nope`") && m.contains("`jwt-signer`"), "{m}");
            assert!(m.contains("rsa.p12") && m.contains("JWTCertStore"), "{m}");
        }
        e => panic!("{e}"),
    }
}

#[test]
fn a_wrong_or_missing_password_names_the_store_never_the_password() {
    for name in ["rsa.p12", "rsa-legacy.p12", "ec-p256.p12"] {
        let e = load(name, Some("not-the-password-xyz"), None).unwrap_err();
        assert!(
            matches!(
                e,
                KeyError::WrongPassword {
                    password_given: true,
                    ..
                }
            ),
            "{name}: {e:?}"
        );
        let m = e.to_string();
        assert!(m.contains("JWTCertStore") && m.contains(name), "{m}");
        assert!(m.contains("JWTCertPassword"), "{m}");
        assert!(!m.contains("not-the-password-xyz") && !format!("{e:?}").contains("xyz"));
        let e = load(name, None, None).unwrap_err();
        assert!(e.to_string().contains("JWTCertPassword is not set"), "{e}");
    }
}

#[test]
fn expired_jks_and_unsupported_keys_are_typed() {
    match load("expired.p12", Some(PASSWORD), None).unwrap_err() {
        e @ KeyError::CertificateExpired { .. } => {
            let m = e.to_string();
            assert!(m.contains("`old-signer`") && m.contains("2020"), "{m}");
        }
        e => panic!("{e}"),
    }
    match load("rsa.jks", Some(PASSWORD), None).unwrap_err() {
        e @ KeyError::JavaKeystore { kind: "JKS", .. } => {
            let m = e.to_string();
            assert!(
                m.contains("keytool -importkeystore") && m.contains("-deststoretype PKCS12"),
                "{m}"
            );
            assert!(!m.contains(PASSWORD));
        }
        e => panic!("{e}"),
    }
    match load("ed25519.pem", None, None).unwrap_err() {
        e @ KeyError::UnsupportedKey { .. } => assert!(e.to_string().contains("Ed25519"), "{e}"),
        e => panic!("{e}"),
    }
    // A public key only: no private key.
    assert!(matches!(
        load("rsa.pub.pem", None, None).unwrap_err(),
        KeyError::NoPrivateKey {
            format: KeyFormat::Pem,
            ..
        }
    ));
    let missing = load("no-such-file.p12", None, None).unwrap_err();
    assert!(matches!(missing, KeyError::Read { .. }), "{missing}");
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let good = std::fs::read(fixture("rsa.p12")).unwrap();
    let sa = std::fs::read(fixture("service-account.json")).unwrap();
    let now = SystemTime::now();
    let pw = Secret::new(PASSWORD);
    let mut inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"hello".to_vec(),
        b"{}".to_vec(),
        br#"{"type":"authorized_user","refresh_token":"rt-secret"}"#.to_vec(),
        br#"{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}"#.to_vec(),
        b"-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n".to_vec(),
    ];
    for cut in [1, 10, 100, good.len() / 2, good.len() - 1] {
        inputs.push(good[..cut].to_vec());
    }
    for i in (0..good.len()).step_by(97) {
        let mut flipped = good.clone();
        flipped[i] ^= 0x55;
        inputs.push(flipped);
    }
    inputs.push(sa[..sa.len() / 2].to_vec());
    for bytes in &inputs {
        let r = SigningKey::from_bytes(Path::new("k"), bytes, Some(&pw), None, now);
        if let Err(e) = r {
            let m = e.to_string();
            assert!(m.starts_with("JWTCertStore k: "), "{m}");
            assert!(
                !m.contains(PASSWORD) && !m.contains("rt-secret") && !m.contains("AAAA"),
                "{m}"
            );
        }
    }
}
