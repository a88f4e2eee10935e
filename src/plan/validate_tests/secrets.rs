//! No secret value in any diagnostic, plan `Debug` or JSON: examples, and
//! a property test over options, separators and typos.

use super::*;

/// Secret values used below; none may appear in any diagnostic.
const SECRETS: &[&str] = &[
    "FaZBFRsGXTaR",
    "1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh",
    "Sx-client-secret-1",
    "Sx-password-2",
    "Sx-token-3",
    "Sx-access-4",
    "Sx-code-5",
    "Sx-aws-6",
    "Sx-typo-7",
];

fn assert_no_secret(d: &[Diagnostic], context: &str) {
    for diag in d {
        let json = serde_json::to_string(diag).unwrap();
        let mut texts = vec![
            diag.message.to_string(),
            diag.help.as_deref().unwrap_or_default().to_owned(),
            json,
        ];
        texts.push(diag.primary.message.to_string());
        texts.extend(diag.secondary.iter().map(|l| l.message.to_string()));
        texts.extend(diag.key.as_deref().map(str::to_owned));
        for t in &texts {
            for s in SECRETS {
                assert!(!t.contains(s), "{context}: secret {s} in {t}");
            }
        }
    }
}

#[test]
fn no_diagnostic_contains_a_secret() {
    let strings = [
        SEED_001.to_owned(),
        "AuthenticationMethod=Oauth2-Bogus\nClientSecret=Sx-client-secret-1;Password=Sx-password-2".to_owned(),
        "AuthenticationMethod=HttpHeader;AuthHeader=Bad Header;SecurityToken=Sx-token-3;ClientSecert=Sx-typo-7".to_owned(),
        "AuthenticationMethod=OAuth2-AccessToken;ATK=Sx-access-4;ATK=Sx-access-4;PWD=Sx-password-2".to_owned(),
        "AuthenticationMethod=OAuth2-AuthorizationCode;OAuthCode=Sx-code-5;ClientID=c\nClientSecret=Sx-client-secret-1;TokenURI=PUT x".to_owned(),
        "AuthenticationMethod=AWS;SecretKey=Sx-aws-6;SecretKey=Sx-aws-6;Region=eu-1\nSecretKey=Sx-aws-6".to_owned(),
        "AuthenticationMethod=Basic;User=u\nPassword=Sx-password-2;ClientCredentialsMode=Sx-mode".to_owned(),
        "ClientID=Sx-client-secret-1x\nRefreshToken=1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh".to_owned(),
        format!("AuthenticationMethod=OAuth2;ClientID=c;ClientSecret=Sx-client-secret-1;{TOKEN};ClientCredentialsMode=Url;AuthHeader=X;SecurityToken=Sx-token-3;Password=Sx-password-2"),
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=Sx-client-secret-1;TokenURI=http://idp.example.com/?x=1".to_owned(),
    ];
    for s in &strings {
        let (_, d) = run(s);
        assert!(!d.is_empty(), "{s}");
        assert_no_secret(&d, s);
        let (_, d) = run_with(s, true);
        assert_no_secret(&d, s);
    }
    let (_, d) = validate(&OptionSet::from_document(
        &parse_jdbc_url(SEED_004),
        SourceId(0),
        false,
    ));
    assert_no_secret(&d, "seed 004");
    let ini = "[a]\nAuthenticationMethod=OAuth2;\nClientSecret=Sx-client-secret-1;\nPassword=Sx-password-2\nPassword=Sx-password-2\nSecurityToken=Sx-token-3 RefreshToken=Sx-access-4\nClientID=c\n";
    let (_, d) = run_ini(ini, Some(0o666));
    assert!(lints(&d).contains(&"world-readable-secret"));
    assert_no_secret(&d, "ini");
    // Through the Checker, the plans' Debug and JSON too.
    for s in &strings {
        let (_, report) = check_text("<-c>", s);
        assert_no_secret(&report.diagnostics, s);
        for t in &report.targets {
            assert_no_secret(&t.diagnostics, s);
            let dbg = format!("{:?} {:?}", t.plan, t.options);
            let json = serde_json::to_string(&t.plan).unwrap();
            for secret in SECRETS {
                assert!(
                    !dbg.contains(secret) && !json.contains(secret),
                    "{s}: {secret}"
                );
            }
        }
    }
}

#[test]
fn diagnostics_are_deterministic() {
    let a: BTreeMap<_, _> = [(0, run(SEED_001).1)].into();
    let b: BTreeMap<_, _> = [(0, run(SEED_001).1)].into();
    assert_eq!(a, b);
}

mod props {
    //! Property: whatever the options, separators and typos, no diagnostic
    //! text holds a secret value.
    use super::*;
    use proptest::prelude::*;

    /// Keys whose values are secrets, as users write them (aliases, typos).
    const SECRET_KEYS: &[&str] = &[
        "ClientSecret",
        "clientsecret",
        "ClientSecert",
        "RefreshToken",
        "RTK",
        "AccessToken",
        "ATK",
        "OAuthCode",
        "oac",
        "SecurityToken",
        "st",
        "Password",
        "PWD",
        "Passwrd",
        "SecretKey",
        "client_secret",
    ];

    /// Other keys, with values that are not secret.
    fn plain_pair() -> impl Strategy<Value = String> {
        let keys = prop::sample::select(vec![
            "AuthenticationMethod",
            "am",
            "ClientID",
            "TokenURI",
            "AuthURI",
            "RedirectURI",
            "Scope",
            "ClientCredentialsMode",
            "AuthHeader",
            "AuthParam",
            "User",
            "UID",
            "DSN",
            "DRIVER",
            "HostName",
            "HealthURI",
            "EnableLoginPrompt",
            "ClaimsIssuer",
            "Region",
            "AccessKey",
            "Colour",
            "AuthentificationMethod",
        ]);
        let values = prop::sample::select(vec![
            "OAuth2",
            "OAuth2-ClientCredentials",
            "Basic",
            "OAuth2-AuthCode",
            "53",
            "All",
            "Url",
            "POST https://h/t",
            "https://h/t",
            "http://idp.example.com/t",
            "PUT https://h/t",
            "X-Tenant",
            "Bad Header",
            "a b",
            "",
            "2",
            "sales",
            "{x;y}",
            "'q'",
            "1",
        ]);
        (keys, values).prop_map(|(k, v)| format!("{k}={v}"))
    }

    fn secret_pair() -> impl Strategy<Value = (String, String)> {
        (
            prop::sample::select(SECRET_KEYS.to_vec()),
            "[A-Za-z0-9]{8,14}",
            any::<u8>(),
        )
            .prop_map(|(k, tail, q)| {
                let secret = format!("SECRET{tail}");
                let v = match q % 4 {
                    0 => format!("{{{secret}}}"),
                    1 => format!("'{secret}'"),
                    _ => secret.clone(),
                };
                (format!("{k}={v}"), secret)
            })
    }

    fn config() -> impl Strategy<Value = (String, String, Vec<String>)> {
        let pair = prop_oneof![
            plain_pair().prop_map(|p| (p, None)),
            secret_pair().prop_map(|(p, s)| (p, Some(s))),
        ];
        let sep = prop::sample::select(vec![";", ";", ";\n", "\n", " ", ";;"]);
        (prop::collection::vec((pair, sep), 1..10), any::<bool>()).prop_map(|(pairs, ini)| {
            let mut text = String::new();
            let mut lines = String::from("[dsn]\n");
            let mut secrets = Vec::new();
            for ((p, s), sep) in pairs {
                text.push_str(&p);
                text.push_str(sep);
                lines.push_str(&p);
                lines.push_str(if sep == " " { " " } else { "\n" });
                secrets.extend(s);
            }
            if ini {
                (lines, "odbc.ini".to_owned(), secrets)
            } else {
                (text, "<-c>".to_owned(), secrets)
            }
        })
    }

    proptest! {
        #[test]
        fn no_secret_in_any_diagnostic((text, name, secrets) in config(), last in any::<bool>()) {
            let mut sources = Sources::default();
            let id = sources.add(name, None, text.clone());
            let report = Checker::without_odbc_ini()
                .last_wins(last)
                .file_mode(id, 0o644)
                .check(&mut sources, &[id]);
            for d in report.all_diagnostics() {
                let json = serde_json::to_string(d).unwrap();
                for s in &secrets {
                    prop_assert!(!json.contains(s.as_str()), "{} in {}\n{}", s, json, text);
                }
            }
            for t in &report.targets {
                let out = format!("{:?} {:?} {}", t.plan, t.options, serde_json::to_string(&t.plan).unwrap());
                for s in &secrets {
                    prop_assert!(!out.contains(s.as_str()), "{} in {}\n{}", s, out, text);
                }
            }
            // Every secret written in the text is covered by a secret span.
            let spans = &report.secrets[&id];
            for s in &secrets {
                for (at, _) in text.match_indices(s.as_str()) {
                    prop_assert!(
                        spans.iter().any(|sp| sp.start() <= at && at + s.len() <= sp.end()),
                        "{} at {} not masked in {:?}", s, at, text
                    );
                }
            }
        }
    }
}
