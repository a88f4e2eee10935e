//! `missing-required`: every required option of every method, missing,
//! and what is not required (a code given at connect time, JWT bearer's
//! client, Custom's login variables).

use super::*;

#[test]
fn every_required_option_missing_is_named() {
    let full: &[(&str, &[(&str, &str)])] = &[
        ("Basic", &[("User", "u"), ("Password", "p")]),
        ("Digest", &[("User", "u"), ("Password", "p")]),
        ("BearerToken", &[("SecurityToken", "t")]),
        ("HttpHeader", &[("SecurityToken", "t")]),
        (
            "UrlParameter",
            &[("AuthParam", "k"), ("SecurityToken", "t")],
        ),
        (
            "AWS",
            &[("AccessKey", "a"), ("SecretKey", "s"), ("Region", "r")],
        ),
        ("Custom", &[("RESTConfigFile", "m.rest")]),
        ("OAuth2-AccessToken", &[("AccessToken", "at")]),
        (
            "OAuth2-AuthorizationCode",
            &[
                ("ClientID", "c"),
                ("TokenURI", "POST https://t/token"),
                ("RedirectURI", "https://a/cb"),
            ],
        ),
        (
            "OAuth2-PKCE",
            &[
                ("ClientID", "c"),
                ("AuthURI", "https://a/authorize"),
                ("TokenURI", "POST https://t/token"),
                ("RedirectURI", "http://127.0.0.1:9000/cb"),
            ],
        ),
        (
            "OAuth2-Password",
            &[
                ("User", "u"),
                ("Password", "p"),
                ("TokenURI", "POST https://t/token"),
                ("ClientID", "c"),
            ],
        ),
        (
            "OAuth2-ClientCredentials",
            &[
                ("ClientID", "c"),
                ("ClientSecret", "s"),
                ("TokenURI", "POST https://t/token"),
            ],
        ),
        (
            "OAuth2-RefreshToken",
            &[
                ("ClientID", "c"),
                ("ClientSecret", "s"),
                ("RefreshToken", "r"),
                ("TokenURI", "POST https://t/token"),
            ],
        ),
        (
            "OAuth2-JWTBearer",
            &[
                ("ClaimsIssuer", "i"),
                ("ClaimsSubject", "s"),
                ("JWTCertStore", RSA_PEM),
                ("TokenURI", "POST https://t/token"),
            ],
        ),
    ];
    // Custom reads its login from the Model file RESTConfigFile names.
    let model = crate::plan::model::read_model(
        "m.rest",
        std::path::Path::new("m.rest"),
        SourceId(1),
        r##"{"#authentication": ["POST https://h/login", "HEADER Authorization=Bearer {/t}"]}"##,
    );
    let run = |text: &str| {
        let doc = parse_connection_string(text);
        let set = OptionSet::from_document(&doc, SourceId(0), false);
        let with = set.get("RESTConfigFile").is_some();
        crate::plan::validate_with_model(&set, with.then_some(&model))
    };
    for (method, options) in full {
        let text = |skip: Option<&str>| {
            let mut s = format!("AuthenticationMethod={method}");
            for (k, v) in *options {
                if Some(*k) != skip {
                    s.push_str(&format!(";{k}={v}"));
                }
            }
            s
        };
        let (plan, d) = run(&text(None));
        no_errors(&d);
        assert!(plan.is_some(), "{method}");
        for (k, _) in *options {
            let (plan, d) = run(&text(Some(k)));
            assert!(plan.is_none(), "{method} without {k}");
            let m = of(&d, "missing-required");
            assert_eq!(m.len(), 1, "{method} without {k}: {d:#?}");
            assert_eq!(m[0].key.as_deref(), Some(*k));
            assert_eq!(m[0].severity, Severity::Error);
            assert!(m[0].message.contains(method), "{}", m[0].message);
            assert!(m[0].message.contains(k), "{}", m[0].message);
            // Empty counts as missing.
            let (plan, d) = run(&format!("{};{k}=", text(Some(k))));
            assert!(plan.is_none());
            let m = of(&d, "missing-required");
            assert!(
                m[0].message.contains("empty"),
                "{method} {k}: {}",
                m[0].message
            );
        }
    }
}

#[test]
fn authorization_code_may_come_at_connect_time() {
    // Neither OAuthCode nor AuthURI: the application supplies the code when
    // it connects (the docs), so the plan is valid and nothing is reported.
    let base = format!(
        "AuthenticationMethod=OAuth2-AuthorizationCode;ClientID=c;{TOKEN};RedirectURI=https://a/cb"
    );
    for (extra, code, login) in [
        ("", false, false),
        (";OAuthCode=abc", true, false),
        (";AuthURI=https://a/authorize", false, true),
    ] {
        let (plan, d) = run(&format!("{base}{extra}"));
        assert!(d.is_empty(), "{extra}: {d:#?}");
        let plan = plan.expect("a plan");
        let Grant::AuthorizationCode {
            code: c, auth_uri, ..
        } = &oauth(&plan).grant
        else {
            panic!("{extra}: not a code grant")
        };
        assert_eq!((c.is_some(), auth_uri.is_some()), (code, login), "{extra}");
    }
}

#[test]
fn jwt_bearer_needs_no_client_id() {
    let (plan, d) = run(&format!(
        "AuthenticationMethod=OAuth2-JWTBearer;ClaimsIssuer=iss@example;ClaimsSubject=s;JWTCertStore={RSA_PEM};{TOKEN}"
    ));
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.expect("a plan");
    let Grant::JwtBearer { client, issuer, .. } = &oauth(&plan).grant else {
        panic!("not the JWT bearer grant")
    };
    assert_eq!(client.id, "iss@example");
    assert_eq!(issuer, "iss@example");
}

#[test]
fn custom_login_variables_are_not_ignored_without_the_model_file() {
    let text = "AuthenticationMethod=Custom;RESTConfigFile=m.rest;User=u;Password=p;HostName=h";
    let doc = parse_connection_string(text);
    let set = OptionSet::from_document(&doc, SourceId(0), false);
    // The Model file not at hand (unreadable, or not read at all).
    let (_, d) = crate::plan::validate_with_model(&set, None);
    assert!(of(&d, "ignored-key").is_empty(), "{d:#?}");
    // Read, and no step writes {user}, {password} or {serverName}.
    let model = crate::plan::model::read_model(
        "m.rest",
        std::path::Path::new("m.rest"),
        SourceId(1),
        r##"{"#authentication": ["POST https://api.example.com/login", "HEADER Authorization=Bearer {/t}"]}"##,
    );
    let (_, d) = crate::plan::validate_with_model(&set, Some(&model));
    let keys: Vec<_> = of(&d, "ignored-key")
        .iter()
        .map(|d| d.key.as_deref().unwrap_or_default().to_owned())
        .collect();
    // (HostName is also the host of relative endpoints: any method uses it.)
    assert_eq!(keys, ["User", "Password"]);
    assert!(of(&d, "ignored-key")[0].message.contains("{user}"));
    // Read, and they are used.
    let model = crate::plan::model::read_model(
        "m.rest",
        std::path::Path::new("m.rest"),
        SourceId(1),
        r##"{"#authentication": [{"u": "{user}", "p": "{password}"}, "POST https://{serverName}/login", "HEADER Authorization=Bearer {/t}"]}"##,
    );
    let (plan, d) = crate::plan::validate_with_model(&set, Some(&model));
    assert!(d.is_empty(), "{d:#?}");
    assert!(plan.is_some());
}

#[test]
fn auth_header_without_security_token_in_oauth() {
    let base =
        format!("AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s;{TOKEN}");
    let src = format!("{base};AuthHeader=X-Tenant");
    let (plan, d) = run(&src);
    assert!(plan.is_none());
    let m = of(&d, "missing-required");
    assert_eq!(m[0].key.as_deref(), Some("SecurityToken"));
    assert_eq!(m[0].primary.span.slice(&src), "AuthHeader");
    let (plan, d) = run(&format!("{base};AuthHeader=X-Tenant;SecurityToken=t1"));
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.unwrap();
    let h = oauth(&plan).extra_header.as_ref().unwrap();
    assert_eq!(h.name.as_str(), "X-Tenant");
    assert_eq!(h.value.expose(), "t1");
}

#[test]
fn missing_required_points_out_a_typo_and_a_swallowed_pair() {
    let (_, d) = run(&format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecert=s;{TOKEN}"
    ));
    let m = of(&d, "missing-required");
    assert!(
        m[0].help.as_deref().unwrap().contains("ClientSecert"),
        "{:?}",
        m[0].help
    );
    let (_, d) = run(&format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c\nClientSecret=s;{TOKEN}"
    ));
    let m = of(&d, "missing-required");
    assert!(
        m[0].help
            .as_deref()
            .unwrap()
            .contains("inside the value of ClientID"),
        "{:?}",
        m[0].help
    );
}
