//! Tests of validation: every method, every required option, every lint
//! (triggered and not), DSN overlay, and no secret in any diagnostic.

use std::collections::BTreeMap;

use super::*;

/// Real keys (the `jwt-signing-key` lint opens JWTCertStore).
const RSA_PEM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/jwt/rsa.pem");
const TWO_KEYS_P12: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/jwt/two-keys.p12");
use crate::diagnostic::{Diagnostic, Severity, SourceId, Sources};
use crate::options::{IniFile, IniScope, OdbcPaths, OptionSet};
use crate::syntax::{parse_connection_string, parse_ini, parse_jdbc_url};

fn run_with(s: &str, last_wins: bool) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    let doc = parse_connection_string(s);
    let set = OptionSet::from_document(&doc, SourceId(0), last_wins);
    validate(&set)
}

fn run(s: &str) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    run_with(s, false)
}

fn ini_file(src: &str, mode: Option<u32>) -> IniFile<'_> {
    IniFile {
        doc: parse_ini(src),
        source: SourceId(0),
        scope: IniScope::User,
        name: "/home/ann/.odbc.ini".into(),
        mode,
    }
}

fn run_ini(src: &str, mode: Option<u32>) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    let f = ini_file(src, mode);
    let section = f.dsns()[0].0;
    validate(&OptionSet::from_dsn(&f, section))
}

fn lints(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.lint).collect()
}

fn of<'d>(d: &'d [Diagnostic], lint: &str) -> Vec<&'d Diagnostic> {
    d.iter().filter(|x| x.lint == lint).collect()
}

fn no_errors(d: &[Diagnostic]) {
    let errors: Vec<_> = d.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn oauth(plan: &AuthPlan) -> &OAuth2Plan {
    match &plan.auth {
        Auth::OAuth2(o) => o,
        other => panic!("not OAuth2: {other:?}"),
    }
}

const TOKEN: &str = "TokenURI=POST https://login.example.com/oauth2/token";

// ---------------------------------------------------------------- methods

#[test]
fn none_is_the_default() {
    let (plan, d) = run("HostName=https://api.example.com");
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.unwrap();
    assert_eq!(plan.method, AuthMethod::None);
    assert_eq!(plan.auth, Auth::None);
    let (plan, d) = run("AuthenticationMethod=none;HostName=x");
    assert!(d.is_empty());
    assert_eq!(plan.unwrap().method, AuthMethod::None);
}

#[test]
fn basic_and_digest() {
    let (plan, d) = run("AuthenticationMethod=basic;User=ann;Password=pw");
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.unwrap();
    match &plan.auth {
        Auth::Basic {
            user,
            password,
            header,
        } => {
            assert_eq!(user, "ann");
            assert_eq!(password.expose(), "pw");
            assert_eq!(header.as_str(), "Authorization");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(plan.user.as_deref(), Some("ann"));
    assert!(plan.provenance.contains_key("Password"));
    let (plan, _) = run("am=0;UID=ann;PWD=pw;AuthHeader=X-Auth");
    assert!(
        matches!(&plan.unwrap().auth, Auth::Basic { header, .. } if header.as_str() == "X-Auth")
    );
    let (plan, d) = run("AuthenticationMethod=Digest;User=ann;Password=pw");
    assert!(d.is_empty());
    assert!(matches!(plan.unwrap().auth, Auth::Digest { .. }));
}

#[test]
fn token_methods() {
    let (plan, d) = run("AuthenticationMethod=BearerToken;SecurityToken=t");
    assert!(d.is_empty(), "{d:#?}");
    assert!(matches!(plan.unwrap().auth, Auth::BearerToken { token } if token.expose() == "t"));
    let (plan, d) = run("AuthenticationMethod=HTTPHeader;SecurityToken=t;AuthHeader=X-Api-Key");
    assert!(d.is_empty(), "{d:#?}");
    assert!(
        matches!(plan.unwrap().auth, Auth::HttpHeader { header, .. } if header.as_str() == "X-Api-Key")
    );
    let (plan, d) = run("AuthenticationMethod=HttpHeader;SecurityToken=t");
    assert!(d.is_empty());
    assert!(
        matches!(plan.unwrap().auth, Auth::HttpHeader { header, .. } if header.as_str() == "Authorization")
    );
    let (plan, d) = run("AuthenticationMethod=URLParameter;SecurityToken=t;AuthParam=api_key");
    assert!(d.is_empty(), "{d:#?}");
    assert!(matches!(plan.unwrap().auth, Auth::UrlParameter { param, .. } if param == "api_key"));
    let (plan, d) = run("am=14;st=t;ap=k");
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(plan.unwrap().method, AuthMethod::UrlParameter);
}

#[test]
fn aws_and_custom() {
    let (plan, d) = run("AuthenticationMethod=AWS;AccessKey=AKIA;SecretKey=sk;Region=eu-west-1");
    assert!(d.is_empty(), "{d:#?}");
    assert!(matches!(plan.unwrap().auth, Auth::Aws { region, .. } if region == "eu-west-1"));
    // Custom needs the Model file's `#authentication`.
    let model = super::model::read_model(
        "/x/y.rest",
        std::path::Path::new("/x/y.rest"),
        SourceId(1),
        r##"{"#authentication": ["api-key={customAuthParams[2]}", "POST https://h/login", "HEADER Authorization=Bearer {/t}"]}"##,
    );
    let doc = parse_connection_string(
        "AuthenticationMethod=Custom;Config=/x/y.rest;CustomAuthParams={a;b}",
    );
    let set = OptionSet::from_document(&doc, SourceId(0), false);
    let (plan, d) = super::validate_with_model(&set, Some(&model));
    assert!(d.is_empty(), "{d:#?}");
    let Auth::Custom(c) = plan.unwrap().auth else {
        panic!()
    };
    assert_eq!(c.params.len(), 2);
    assert_eq!(c.authentication.requests[0].line(), "POST https://h/login");
    // Without the Model file there is no plan.
    let (plan, _) = run("AuthenticationMethod=Custom;Config=/x/y.rest;CustomAuthParams={a;b}");
    assert!(plan.is_none());
}

#[test]
fn oauth2_access_token() {
    let (plan, d) = run("AuthenticationMethod=OAuth2-AccessToken;AccessToken=at");
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.unwrap();
    match &oauth(&plan).grant {
        Grant::AccessToken {
            access_token,
            refresh,
        } => {
            assert_eq!(access_token.expose(), "at");
            assert!(refresh.is_none());
        }
        g => panic!("{g:?}"),
    }
    let (plan, d) = run(&format!(
        "AuthenticationMethod=OAuth2-AccessToken;AccessToken=at;RefreshToken=rt;ClientID=c;{TOKEN}"
    ));
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.unwrap();
    assert!(
        matches!(&oauth(&plan).grant, Grant::AccessToken { refresh: Some(r), .. }
        if r.refresh_token.as_ref().unwrap().expose() == "rt")
    );
}

#[test]
fn oauth2_authorization_code_and_pkce() {
    let (plan, d) = run(&format!(
        "AuthenticationMethod=OAuth2-AuthorizationCode;ClientID=c;ClientSecret=s;{TOKEN};\
         RedirectURI=https://app.example.com/cb;OAuthCode=code1"
    ));
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.unwrap();
    match &oauth(&plan).grant {
        Grant::AuthorizationCode {
            code,
            pkce,
            auth_uri,
            client,
            ..
        } => {
            assert_eq!(code.as_ref().unwrap().expose(), "code1");
            assert!(!pkce);
            assert!(auth_uri.is_none());
            assert!(client.secret.is_some());
        }
        g => panic!("{g:?}"),
    }
    // Interactive: AuthURI instead of a code.
    let (plan, d) = run(&format!(
        "AuthenticationMethod=OAuth2-AuthorizationCode;ClientID=c;{TOKEN};\
         RedirectURI=http://127.0.0.1:8765/cb;AuthURI=https://login.example.com/authorize"
    ));
    assert!(d.is_empty(), "{d:#?}");
    assert!(matches!(
        &oauth(plan.as_ref().unwrap()).grant,
        Grant::AuthorizationCode {
            code: None,
            auth_uri: Some(_),
            ..
        }
    ));
    let (plan, d) = run(&format!(
        "AuthenticationMethod=OAuth2-PKCE;ClientID=c;{TOKEN};\
         RedirectURI=http://127.0.0.1:8765/cb;AuthURI=https://login.example.com/authorize;Scope=openid offline_access"
    ));
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.unwrap();
    assert!(matches!(
        &oauth(&plan).grant,
        Grant::AuthorizationCode {
            pkce: true,
            code: None,
            ..
        }
    ));
    assert_eq!(oauth(&plan).scope, ["openid", "offline_access"]);
}

#[test]
fn oauth2_password_client_credentials_refresh_jwt() {
    let (plan, d) = run(&format!(
        "AuthenticationMethod=OAuth2-Password;ClientID=c;User=ann;Password=pw;{TOKEN}"
    ));
    assert_eq!(lints(&d), ["deprecated"]);
    assert!(
        matches!(&oauth(plan.as_ref().unwrap()).grant, Grant::Password { user, .. } if user == "ann")
    );

    let (plan, d) = run(&format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s;{TOKEN}"
    ));
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.unwrap();
    match &oauth(&plan).grant {
        Grant::ClientCredentials { client, endpoint } => {
            assert_eq!(client.id, "c");
            assert_eq!(client.mode, ClientCredentialsMode::Basic);
            assert_eq!(endpoint.method, HttpMethod::Post);
            assert_eq!(
                endpoint.url.as_str(),
                "https://login.example.com/oauth2/token"
            );
        }
        g => panic!("{g:?}"),
    }
    assert!(oauth(&plan).chosen_because.is_none());

    let (plan, d) = run(&format!(
        "AuthenticationMethod=OAuth2-RefreshToken;ClientID=c;ClientSecret=s;RefreshToken=rt;{TOKEN};clcm=3"
    ));
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.unwrap();
    assert!(matches!(&oauth(&plan).grant, Grant::RefreshToken(r)
        if r.refresh_token.as_ref().unwrap().expose() == "rt" && r.client.mode == ClientCredentialsMode::Post));

    let (plan, d) = run(&format!(
        "AuthenticationMethod=OAuth2-JWTBearer;ClientID=c;ClaimsIssuer=iss;ClaimsSubject=sub;\
         JWTCertStore={TWO_KEYS_P12};JWTCertPassword=test-only-p12-pass;JWTCertAlias=alpha;{TOKEN}"
    ));
    assert!(d.is_empty(), "{d:#?}");
    assert!(matches!(&oauth(plan.as_ref().unwrap()).grant,
        Grant::JwtBearer { issuer, subject, client, key, .. } if issuer == "iss" && subject == "sub"
            && client.id == "c" && key.store.to_str() == Some(TWO_KEYS_P12)
            && key.password.as_ref().map(crate::Secret::expose) == Some("test-only-p12-pass")
            && key.alias.as_deref() == Some("alpha")));

    // The assertion's `iss` is the client: no ClientID needed, none reported missing.
    let (plan, d) = run(&format!(
        "AuthenticationMethod=OAuth2-JWTBearer;ClaimsIssuer=iss;ClaimsSubject=sub;JWTCertStore={RSA_PEM};{TOKEN}"
    ));
    assert!(d.is_empty(), "{d:#?}");
    assert!(matches!(&oauth(plan.as_ref().unwrap()).grant,
        Grant::JwtBearer { client, key, .. } if client.id == "iss" && client.secret.is_none()
            && key.password.is_none() && key.alias.is_none()));
}

#[test]
fn methods_by_odbc_code_give_the_same_plan() {
    for (name, code) in [
        ("OAuth2-ClientCredentials", 53),
        ("OAuth2-RefreshToken", 54),
    ] {
        let rest = format!("ClientID=c;ClientSecret=s;RefreshToken=rt;{TOKEN}");
        let (a, _) = run(&format!("AuthenticationMethod={name};{rest}"));
        let (b, _) = run(&format!("AuthenticationMethod={code};{rest}"));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.method, b.method);
        assert_eq!(a.auth, b.auth);
    }
}

// ------------------------------------------------------- legacy OAuth2 (§4)

fn legacy(rest: &str) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    run(&format!("AuthenticationMethod=OAuth2;{rest}"))
}

#[test]
fn legacy_oauth2_choices() {
    let cases: &[(&str, &str, &str)] = &[
        ("AccessToken=at", "access_token", "AccessToken is set"),
        (
            &format!("AccessToken=at;RefreshToken=rt;ClientID=c;{TOKEN}"),
            "access_token",
            "both set",
        ),
        (
            &format!("RefreshToken=rt;ClientID=c;ClientSecret=s;{TOKEN}"),
            "refresh_token",
            "RefreshToken is set",
        ),
        (
            &format!("OAuthCode=x;ClientID=c;{TOKEN};RedirectURI=https://a/cb"),
            "authorization_code",
            "OAuthCode is set",
        ),
        (
            &format!("User=u;Password=p;ClientID=c;{TOKEN}"),
            "password",
            "User, Password and TokenURI",
        ),
        (
            &format!("ClaimsIssuer=i;ClaimsSubject=s;JWTCertStore={RSA_PEM};{TOKEN}"),
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "ClaimsIssuer is set",
        ),
        (
            &format!("ClientID=c;ClientSecret=s;{TOKEN}"),
            "client_credentials",
            "ClientID, ClientSecret and TokenURI",
        ),
        (
            &format!("ClientID=c;{TOKEN}"),
            "refresh_token",
            "token store",
        ),
    ];
    for (rest, grant, because) in cases {
        let (plan, d) = legacy(rest);
        no_errors(&d);
        let plan = plan.unwrap_or_else(|| panic!("{rest}: {d:#?}"));
        assert_eq!(plan.method, AuthMethod::OAuth2);
        let o = oauth(&plan);
        assert_eq!(o.grant.name(), *grant, "{rest}");
        assert!(
            o.chosen_because.as_deref().unwrap().contains(because),
            "{rest}: {:?}",
            o.chosen_because
        );
        let dep = of(&d, "deprecated");
        assert!(!dep.is_empty(), "{rest}");
        // The deprecation says which grant it resolved to.
        assert!(dep[0].message.contains("grant"), "{}", dep[0].message);
    }
}

#[test]
fn legacy_oauth2_client_and_token_uri_only_refreshes_from_the_store() {
    let (plan, d) = legacy(&format!("ClientID=c;{TOKEN}"));
    no_errors(&d);
    let plan = plan.unwrap();
    match &oauth(&plan).grant {
        Grant::RefreshToken(r) => {
            assert!(r.refresh_token.is_none());
            assert!(r.client.secret.is_none());
        }
        g => panic!("{g:?}"),
    }
}

#[test]
fn legacy_oauth2_with_nothing_to_choose_from() {
    let (plan, d) = legacy("Scope=x");
    assert!(plan.is_none());
    let missing: Vec<_> = of(&d, "missing-required")
        .iter()
        .map(|d| d.key.clone().unwrap())
        .collect();
    assert_eq!(missing, ["ClientID", "TokenURI"]);
    assert!(d[0].message.contains("OAuth2"));
}

// ---------------------------------------------------------- missing-required

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
    let model = super::model::read_model(
        "m.rest",
        std::path::Path::new("m.rest"),
        SourceId(1),
        r##"{"#authentication": ["POST https://h/login", "HEADER Authorization=Bearer {/t}"]}"##,
    );
    let run = |text: &str| {
        let doc = parse_connection_string(text);
        let set = OptionSet::from_document(&doc, SourceId(0), false);
        let with = set.get("RESTConfigFile").is_some();
        super::validate_with_model(&set, with.then_some(&model))
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
    let (_, d) = super::validate_with_model(&set, None);
    assert!(of(&d, "ignored-key").is_empty(), "{d:#?}");
    // Read, and no step writes {user}, {password} or {serverName}.
    let model = super::model::read_model(
        "m.rest",
        std::path::Path::new("m.rest"),
        SourceId(1),
        r##"{"#authentication": ["POST https://api.example.com/login", "HEADER Authorization=Bearer {/t}"]}"##,
    );
    let (_, d) = super::validate_with_model(&set, Some(&model));
    let keys: Vec<_> = of(&d, "ignored-key")
        .iter()
        .map(|d| d.key.as_deref().unwrap_or_default().to_owned())
        .collect();
    // (HostName is also the host of relative endpoints: any method uses it.)
    assert_eq!(keys, ["User", "Password"]);
    assert!(of(&d, "ignored-key")[0].message.contains("{user}"));
    // Read, and they are used.
    let model = super::model::read_model(
        "m.rest",
        std::path::Path::new("m.rest"),
        SourceId(1),
        r##"{"#authentication": [{"u": "{user}", "p": "{password}"}, "POST https://{serverName}/login", "HEADER Authorization=Bearer {/t}"]}"##,
    );
    let (plan, d) = super::validate_with_model(&set, Some(&model));
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

// ------------------------------------------------------------------- lints

#[test]
fn syntax_lint() {
    let (_, report) = check_text("<-c>", "AuthenticationMethod=Basic;User=u;Password={p");
    let t = &report.targets[0];
    assert_eq!(of(&t.diagnostics, "syntax").len(), 1);
    assert!(t.plan.is_none());
    let (_, report) = check_text("<-c>", "AuthenticationMethod=Basic;User=u;Password={p}");
    assert!(of(&report.targets[0].diagnostics, "syntax").is_empty());
    // An over-long odbc.ini line is only a warning.
    let long = format!("[a]\nDescription={}\n", "x".repeat(1200));
    let (_, report) = check_text("odbc.ini", &long);
    let t = &report.targets[0];
    let s = of(&t.diagnostics, "syntax");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].severity, Severity::Warning);
    assert!(t.plan.is_some());
    // A problem before the first section belongs to the file; on the first
    // line, unixODBC reads no data source at all (one error says so).
    let (_, report) = check_text("odbc.ini", "Driver=x\n[a]\nUID=u\n");
    assert_eq!(lints(&report.diagnostics), ["invisible-data-sources"]);
    let (_, report) = check_text("odbc.ini", "Driver=x\nK=v\n[a]\nUID=u\n");
    assert_eq!(
        lints(&report.diagnostics),
        ["invisible-data-sources", "syntax"]
    );
}

#[test]
fn unknown_key_lint() {
    let (_, d) = run("ClientSecert=x;HostName=h");
    let u = of(&d, "unknown-key");
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].severity, Severity::Warning);
    assert!(u[0].help.as_deref().unwrap().contains("ClientSecret"));
    assert_eq!(u[0].key.as_deref(), Some("ClientSecert"));
    let (_, d) = run("Frobnicate=1");
    assert!(
        !of(&d, "unknown-key")[0]
            .help
            .as_deref()
            .unwrap()
            .contains("did you mean")
    );
    let (_, d) = run("clientsecret=x;HOSTNAME=h");
    assert!(of(&d, "unknown-key").is_empty());
}

#[test]
fn duplicate_key_lint() {
    let src = "AuthenticationMethod=Basic;UID=a;Password=p;User=b";
    let (plan, d) = run(src);
    let dup = of(&d, "duplicate-key");
    assert_eq!(dup.len(), 1);
    assert!(dup[0].message.contains("first"), "{}", dup[0].message);
    assert_eq!(dup[0].primary.span.slice(src), "User");
    assert_eq!(dup[0].secondary[0].span.slice(src), "UID");
    assert!(dup[0].secondary[0].message.contains("used"));
    assert_eq!(plan.unwrap().user.as_deref(), Some("a"));
    let (plan, d) = run_with(src, true);
    let dup = of(&d, "duplicate-key");
    assert!(dup[0].message.contains("last"));
    assert_eq!(dup[0].primary.span.slice(src), "UID");
    assert_eq!(plan.unwrap().user.as_deref(), Some("b"));
    // In odbc.ini the first always wins.
    let (plan, d) = run_ini(
        "[a]\nAuthenticationMethod=Basic\nUser=a\nPassword=p\nUser=b\n",
        None,
    );
    assert!(of(&d, "duplicate-key")[0].message.contains("first"));
    assert_eq!(plan.unwrap().user.as_deref(), Some("a"));
    let (_, d) = run("AuthenticationMethod=Basic;User=a;Password=p");
    assert!(of(&d, "duplicate-key").is_empty());
}

#[test]
fn string_overriding_a_dsn_key_is_not_a_duplicate() {
    let ini = IniFile {
        doc: parse_ini("[s]\nAuthenticationMethod=Basic\nUser=a\nPassword=p\n"),
        source: SourceId(1),
        scope: IniScope::User,
        name: "u".into(),
        mode: None,
    };
    let doc = parse_connection_string("DSN=s;User=b");
    let (set, problems) = OptionSet::resolve(&doc, SourceId(0), &[ini], false);
    assert!(problems.is_empty());
    let (plan, d) = validate(&set);
    assert!(d.is_empty(), "{d:#?}");
    let plan = plan.unwrap();
    assert_eq!(plan.user.as_deref(), Some("b"));
    assert_eq!(plan.dsn.as_deref(), Some("s"));
    assert_eq!(plan.provenance["User"].source, SourceId(0));
    assert_eq!(plan.provenance["Password"].source, SourceId(1));
    assert_eq!(plan.provenance["Password"].section.as_deref(), Some("s"));
}

/// Any RedirectURI serves an interactive login: a loopback one with a port is
/// listened on, any other (a web redirect, a loopback one without a port) is
/// pasted back (`connstr login`), so none of them is an invalid value.
#[test]
fn a_redirect_uri_without_a_port_or_on_the_web_is_valid() {
    for redirect in [
        "http://localhost/cb",
        "https://www.getpostman.com/oauth2/callback",
        "http://127.0.0.1:8765/callback",
    ] {
        let (plan, d) = run(&format!(
            "AuthenticationMethod=OAuth2-PKCE;ClientID=c;{TOKEN};AuthURI=https://a/x;RedirectURI={redirect}"
        ));
        assert!(plan.is_some(), "{redirect}: {d:#?}");
        assert!(of(&d, "invalid-value").is_empty(), "{redirect}: {d:#?}");
    }
}

#[test]
fn invalid_value_lint() {
    let check = |src: &str, key: &str, needle: &str| {
        let (plan, d) = run(src);
        assert!(plan.is_none(), "{src}");
        let v = of(&d, "invalid-value");
        assert_eq!(v.len(), 1, "{src}: {d:#?}");
        assert_eq!(v[0].key.as_deref(), Some(key), "{src}");
        let text = format!("{} {}", v[0].message, v[0].help.as_deref().unwrap_or(""));
        assert!(text.contains(needle), "{src}: {text}");
    };
    check(
        "AuthenticationMethod=OAuth2-AuthCode",
        "AuthenticationMethod",
        "OAuth2-AuthorizationCode",
    );
    check(
        "AuthenticationMethod=Kerberos",
        "AuthenticationMethod",
        "use one of",
    );
    check(
        &format!(
            "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s;{TOKEN};ClientCredentialsMode=Bsaic"
        ),
        "ClientCredentialsMode",
        "Basic",
    );
    check(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s;TokenURI=login.example.com/token",
        "TokenURI",
        "not a valid URL",
    );
    check(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s;TokenURI=PUT https://h/t",
        "TokenURI",
        "PUT",
    );
    check(
        "AuthenticationMethod=HttpHeader;SecurityToken=t;AuthHeader=X Api",
        "AuthHeader",
        "header name",
    );
    check(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s;TokenURI=https://h/t;clcm=Post",
        "ClientCredentialsMode",
        "POST",
    );
    check("HealthURI=not a url", "HealthURI", "URL");
    // Stray `;` in odbc.ini (seed 001).
    let (plan, d) = run_ini(
        "[a]\nAuthenticationMethod=OAuth2;\nClientID=c\nTokenURI=POST https://h/t\n",
        None,
    );
    assert!(plan.is_none());
    let v = of(&d, "invalid-value");
    assert_eq!(v.len(), 1, "{d:#?}");
    assert!(v[0].message.contains("`;`"));
    // Not triggered.
    let (_, d) = run_ini(
        "[a]\nAuthenticationMethod=OAuth2\nClientID=c\nTokenURI=POST https://h/t\nDescription=a; b;\n",
        None,
    );
    assert!(of(&d, "invalid-value").is_empty(), "{d:#?}");
}

#[test]
fn ignored_key_lint() {
    let src = "AuthenticationMethod=Basic;User=u;Password=p;ClientSecret=s;HostName=h";
    let (plan, d) = run(src);
    assert!(plan.is_some());
    let i = of(&d, "ignored-key");
    assert_eq!(i.len(), 1);
    assert_eq!(i[0].key.as_deref(), Some("ClientSecret"));
    assert!(i[0].message.contains("Basic"));
    // No AuthenticationMethod at all: say so.
    let (_, d) = run("ClientID=c;ClientSecret=s");
    let i = of(&d, "ignored-key");
    assert_eq!(i.len(), 2);
    assert!(i[0].message.contains("not set"), "{}", i[0].message);
    // Legacy OAuth2: relative to the grant chosen.
    let (_, d) = legacy(&format!("ClientID=c;ClientSecret=s;{TOKEN};Password=p"));
    let i = of(&d, "ignored-key");
    assert_eq!(i[0].key.as_deref(), Some("Password"));
    assert!(i[0].message.contains("client credentials"));
    // SecurityToken without AuthHeader in OAuth is not used.
    let (_, d) = run(&format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s;{TOKEN};SecurityToken=t"
    ));
    assert_eq!(
        of(&d, "ignored-key")[0].key.as_deref(),
        Some("SecurityToken")
    );
    let (_, d) = run(&format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s;{TOKEN};Scope=a;User=u"
    ));
    assert!(of(&d, "ignored-key").is_empty(), "{d:#?}");
}

const SEED_001: &str = "DRIVER=DataDirect 8.0 Autonomous REST Connector;AuthenticationMethod=OAuth2;\n\
ClientID=1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com\n\
Clientsecret=FaZBFRsGXTaR;RestConfigFile=C:/path/to/googleanalytics.rest;\n\
RefreshToken=1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh;\n\
TokenURI=https://accounts.google.com/o/oauth2/token;";

const SEED_004: &str = "jdbc:datadirect:autorest:AuthenticationMethod=OAuth2-RefreshToken;\n\
ClientID='1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com'\n\
ClientSecret='FaZBFRsGXTaR';Config=C:/path/to/googleanalytics.rest;\n\
RefreshToken='1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh';\n\
TokenURI=https://accounts.google.com/o/oauth2/token;";

#[test]
fn swallowed_separator_seed_001() {
    let (plan, d) = run(SEED_001);
    assert!(plan.is_none());
    let s = of(&d, "swallowed-separator");
    assert_eq!(s.len(), 1, "{d:#?}");
    assert_eq!(s[0].key.as_deref(), Some("ClientID"));
    assert!(s[0].message.contains("ClientSecret"), "{}", s[0].message);
    assert_eq!(s[0].secondary[0].span.slice(SEED_001), "Clientsecret");
    // With the `;` put back, the string is fine apart from the GET warning
    // and legacy OAuth2.
    let fixed = SEED_001.replace(".com\nClientsecret", ".com;\nClientsecret");
    let (plan, d) = run(&fixed);
    assert_eq!(lints(&d), ["token-uri-get", "deprecated"], "{d:#?}");
    assert!(matches!(
        oauth(plan.as_ref().unwrap()).grant,
        Grant::RefreshToken(_)
    ));
}

#[test]
fn swallowed_separator_seed_004() {
    let doc = parse_jdbc_url(SEED_004);
    let (plan, d) = validate(&OptionSet::from_document(&doc, SourceId(0), false));
    assert!(plan.is_none());
    let s = of(&d, "swallowed-separator");
    assert_eq!(s.len(), 1, "{d:#?}");
    assert_eq!(s[0].key.as_deref(), Some("ClientID"));
    assert_eq!(s[0].secondary[0].span.slice(SEED_004), "ClientSecret");
    assert_eq!(
        of(&d, "missing-required")[0].key.as_deref(),
        Some("ClientSecret")
    );
}

#[test]
fn swallowed_separator_line_break_and_ini() {
    let (_, d) = run("AuthenticationMethod=Basic;User=ann\nsmith;Password=p");
    let s = of(&d, "swallowed-separator");
    assert!(s[0].message.contains("line break"), "{}", s[0].message);
    let (_, d) = run_ini(
        "[a]\nAuthenticationMethod=Basic\nUser=ann Password=p\n",
        None,
    );
    assert_eq!(of(&d, "swallowed-separator").len(), 1);
    // A value that is itself a pair: the key's own value is missing.
    let (plan, d) = run("AuthenticationMethod=Basic;User= Password=p");
    assert!(plan.is_none());
    let s = of(&d, "swallowed-separator");
    assert!(s[0].message.contains("missing"), "{}", s[0].message);
    // Not triggered: pairs on separate lines with `;`, braces, URLs, scopes.
    let (_, d) = run(&format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;\nClientID=c;\r\nClientSecret={{a\nb}};\n{TOKEN}?x=1;Scope=a b=c"
    ));
    assert!(of(&d, "swallowed-separator").is_empty(), "{d:#?}");
}

#[test]
fn token_uri_get_lint() {
    let base = "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s";
    let (plan, d) = run(&format!("{base};TokenURI=https://h/t"));
    assert_eq!(lints(&d), ["token-uri-get"]);
    assert_eq!(d[0].severity, Severity::Warning);
    assert!(d[0].help.as_deref().unwrap().contains("POST"));
    assert!(plan.is_some());
    let (_, d) = run(&format!("{base};TokenURI=GET https://h/t"));
    assert_eq!(lints(&d), ["token-uri-get"]);
    let (_, d) = run(&format!("{base};TokenURI=post https://h/t"));
    assert!(d.is_empty());
}

#[test]
fn secret_in_url_lint() {
    let base = format!("AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;{TOKEN}");
    for mode in ["All", "Url", "URL", "2"] {
        let (plan, d) = run(&format!(
            "{base};ClientSecret=s;ClientCredentialsMode={mode}"
        ));
        assert_eq!(lints(&d), ["secret-in-url"], "{mode}");
        assert!(plan.is_some());
    }
    for mode in ["Basic", "Default", "Post", "0", "1", "3"] {
        let (_, d) = run(&format!(
            "{base};ClientSecret=s;ClientCredentialsMode={mode}"
        ));
        assert!(d.is_empty(), "{mode}: {d:#?}");
    }
    // No secret, nothing leaks.
    let (_, d) = run(&format!(
        "AuthenticationMethod=OAuth2;ClientID=c;{TOKEN};ClientCredentialsMode=Url"
    ));
    assert!(of(&d, "secret-in-url").is_empty());
}

#[test]
fn secret_in_url_lint_for_secrets_written_in_urls() {
    let base = "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s";
    for (rest, key, what) in [
        (
            "TokenURI=POST https://h/t?client_secret=zz9top&x=1",
            "TokenURI",
            "`client_secret` query parameter",
        ),
        (
            "TokenURI=POST https://h/t;HostName=https://ann:pw0rd@api.example.com",
            "HostName",
            "user:password@host",
        ),
        (
            "TokenURI=POST https://h/t;HealthURI=https://h/ping?api_token=tok3n",
            "HealthURI",
            "`api_token` query parameter",
        ),
        (
            "TokenURI=POST https://h/t;RESTSamplePath=https://h/x?access_token=tok3n&code=c0de",
            "RESTSamplePath",
            "and 1 more",
        ),
    ] {
        let (plan, d) = run(&format!("{base};{rest}"));
        let found = of(&d, "secret-in-url");
        assert_eq!(found.len(), 1, "{rest}: {d:#?}");
        assert_eq!(found[0].key.as_deref(), Some(key));
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(found[0].message.contains(what), "{}", found[0].message);
        for secret in ["zz9top", "pw0rd", "tok3n", "c0de"] {
            assert!(!format!("{d:?}").contains(secret));
        }
        assert!(plan.is_some(), "a warning only");
    }
    // Whatever the method, and even when the option is ignored.
    let (_, d) = run("AuthenticationMethod=Basic;User=u;Password=p;AuthURI=https://h/a?code=c0de");
    assert_eq!(of(&d, "secret-in-url").len(), 1, "{d:#?}");
    // Ordinary query parameters are fine.
    let (_, d) = run(&format!(
        "{base};TokenURI=POST https://h/t?tenant=acme&audience=api;HostName=https://ann@h"
    ));
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn insecure_url_lint() {
    let base = "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s";
    let (_, d) = run(&format!(
        "{base};TokenURI=POST http://idp.example.com/token"
    ));
    assert_eq!(lints(&d), ["insecure-url"]);
    for ok in [
        "http://127.0.0.1:8080/token",
        "http://localhost/token",
        "http://[::1]/t",
        "https://idp.example.com/t",
    ] {
        let (_, d) = run(&format!("{base};TokenURI=POST {ok}"));
        assert!(d.is_empty(), "{ok}: {d:#?}");
    }
    let (_, d) = run(&format!(
        "AuthenticationMethod=OAuth2-PKCE;ClientID=c;{TOKEN};AuthURI=http://idp.example.com/auth;RedirectURI=http://127.0.0.1:9/cb"
    ));
    let i = of(&d, "insecure-url");
    assert_eq!(i.len(), 1);
    assert_eq!(i[0].key.as_deref(), Some("AuthURI"));
}

#[test]
fn deprecated_lint() {
    let (_, d) = legacy(&format!("ClientID=c;ClientSecret=s;{TOKEN}"));
    let dep = of(&d, "deprecated");
    assert_eq!(dep.len(), 1);
    assert!(dep[0].message.contains("client credentials"));
    assert!(
        dep[0]
            .help
            .as_deref()
            .unwrap()
            .contains("OAuth2-ClientCredentials")
    );
    let (_, d) = run(
        "AuthenticationMethod=OAuth2-AccessToken;ATK=t;RTK=r;ClientID=c;TokenURI=POST https://h/t",
    );
    let dep: Vec<_> = of(&d, "deprecated")
        .iter()
        .map(|d| d.key.clone().unwrap())
        .collect();
    assert_eq!(dep, ["AccessToken", "RefreshToken"]);
    let (_, d) = run("AuthenticationMethod=Basic;LogonID=u;Password=p");
    assert_eq!(lints(&d), ["deprecated"]);
    let (_, d) = run(&format!(
        "AuthenticationMethod=OAuth2-RefreshToken;ClientID=c;ClientSecret=s;RefreshToken=r;{TOKEN}"
    ));
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn world_readable_secret_lint() {
    let src = "[a]\nAuthenticationMethod=Basic\nUser=u\nPassword=p\n";
    let (plan, d) = run_ini(src, Some(0o644));
    assert_eq!(lints(&d), ["world-readable-secret"]);
    assert!(
        d[0].message.contains("Password") && d[0].message.contains("644"),
        "{}",
        d[0].message
    );
    assert!(d[0].help.as_deref().unwrap().contains("chmod 600"));
    assert_eq!(d[0].primary.span.slice(src), "Password");
    assert!(plan.is_some());
    let (_, d) = run_ini(src, Some(0o640));
    assert_eq!(lints(&d), ["world-readable-secret"]);
    let (_, d) = run_ini(src, Some(0o600));
    assert!(d.is_empty());
    let (_, d) = run_ini(src, None);
    assert!(d.is_empty());
    let (_, d) = run_ini(
        "[a]\nAuthenticationMethod=Basic\nUser=u\nPassword=\n",
        Some(0o644),
    );
    assert!(of(&d, "world-readable-secret").is_empty());
}

#[test]
fn unknown_dsn_lint() {
    let ini = IniFile {
        doc: parse_ini("[sales]\nUser=u\n"),
        source: SourceId(1),
        scope: IniScope::User,
        name: "~/.odbc.ini".into(),
        mode: None,
    };
    let src = "DSN=sale;User=x";
    let doc = parse_connection_string(src);
    let (_, problems) = OptionSet::resolve(&doc, SourceId(0), &[ini], false);
    let d = resolve_diagnostics(&problems);
    assert_eq!(lints(&d), ["unknown-dsn"]);
    assert_eq!(d[0].severity, Severity::Error);
    assert_eq!(d[0].primary.span.slice(src), "sale");
    assert!(d[0].help.as_deref().unwrap().contains("sales"));
    assert!(d[0].help.as_deref().unwrap().contains("~/.odbc.ini"));
}

// ------------------------------------------------------------ the Checker

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn checker_user_dsn_hides_system_dsn() {
    let dir = tempfile::tempdir().unwrap();
    let user = write(
        dir.path(),
        "user.ini",
        "[sales]\nAuthenticationMethod=Basic\nUser=from-user\nPassword=p\n",
    );
    let sys = dir.path().join("etc");
    std::fs::create_dir(&sys).unwrap();
    write(
        &sys,
        "odbc.ini",
        "[sales]\nAuthenticationMethod=Basic\nUser=from-system\nPassword=p\nAuthHeader=X-Sys\n[hr]\nAuthenticationMethod=BearerToken\nSecurityToken=t\n",
    );
    let paths = OdbcPaths {
        odbcini: Some(user),
        odbcsysini: Some(sys),
        ..OdbcPaths::default()
    };
    let mut sources = Sources::default();
    let a = sources.add("<-c 1>", None, "DSN=sales".into());
    let b = sources.add("<-c 2>", None, "DSN=HR;SecurityToken=mine".into());
    let c = sources.add("<-c 3>", None, "DSN=nope".into());
    let report = Checker::with_paths(paths).check(&mut sources, &[a, b, c]);
    let t = &report.targets[0];
    let plan = t.plan.as_ref().unwrap();
    // Wholesale: nothing of the system's [sales] leaks in.
    assert!(
        matches!(&plan.auth, Auth::Basic { user, header, .. } if user == "from-user" && header.as_str() == "Authorization")
    );
    assert_eq!(plan.dsn.as_deref(), Some("sales"));
    let plan = report.targets[1].plan.as_ref().unwrap();
    assert!(matches!(&plan.auth, Auth::BearerToken { token } if token.expose() == "mine"));
    assert_eq!(lints(&report.targets[2].diagnostics), ["unknown-dsn"]);
    assert!(report.has_errors());
    // The odbc.ini files were registered, and their secrets located.
    assert!(sources.iter().count() >= 5);
    assert!(report.secrets.values().any(|s| !s.is_empty()));
}

#[test]
fn checker_ini_input_modes_and_dsn_selection() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "odbc.ini",
        "[ODBC]\nTrace=No\n[ODBC Data Sources]\nsales=AutoREST\n[sales]\nAuthenticationMethod=Basic\nUser=u\nPassword=p\n[hr]\nAuthenticationMethod=None\n[sales]\nUser=again\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let mut sources = Sources::default();
    let text = std::fs::read_to_string(&path).unwrap();
    let id = sources.add(path.display().to_string(), Some(path.clone()), text);
    let report = Checker::without_odbc_ini().check(&mut sources, &[id]);
    let names: Vec<_> = report.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["sales", "hr"]);
    let sales = &report.targets[0];
    #[cfg(unix)]
    assert!(lints(&sales.diagnostics).contains(&"world-readable-secret"));
    assert!(lints(&sales.diagnostics).contains(&"duplicate-key"));
    assert!(sales.plan.is_some());
    // The mode can be given instead of read.
    let report = Checker::without_odbc_ini()
        .file_mode(id, 0o600)
        .dsns(["HR", "payroll"])
        .check(&mut sources, &[id]);
    let names: Vec<_> = report.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["hr"]);
    // [hr] is missing from [ODBC Data Sources]: reported, since hr is asked
    // for (nothing about the list's other names).
    assert_eq!(
        lints(&report.diagnostics),
        ["dsn-list-mismatch", "unknown-dsn"]
    );
}

#[test]
fn checker_dsn_argument_without_ini_input() {
    let dir = tempfile::tempdir().unwrap();
    let explicit = write(
        dir.path(),
        "x.ini",
        "[a]\nAuthenticationMethod=BearerToken\nSecurityToken=t\n",
    );
    let paths = OdbcPaths {
        explicit: Some(explicit),
        ..OdbcPaths::default()
    };
    let mut sources = Sources::default();
    let report = Checker::with_paths(paths.clone())
        .dsns(["a", "b"])
        .check(&mut sources, &[]);
    assert_eq!(report.targets.len(), 1);
    assert!(report.targets[0].plan.is_some());
    assert_eq!(lints(&report.diagnostics), ["unknown-dsn"]);
    // A missing explicit file is reported, not ignored.
    let paths = OdbcPaths {
        explicit: Some(dir.path().join("missing.ini")),
        ..paths
    };
    let report = Checker::with_paths(paths)
        .dsns(["a"])
        .check(&mut sources, &[]);
    assert_eq!(report.unreadable.len(), 1);
    assert!(report.has_errors());
}

// ------------------------------------------------------- never leak a secret

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

#[test]
fn oauth2_plans_serialize_with_the_oauth2_tag() {
    let (plan, d) = run(&format!(
        "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=c;ClientSecret=s;{TOKEN}"
    ));
    no_errors(&d);
    let v = serde_json::to_value(&plan.unwrap().auth).unwrap();
    assert_eq!(v["kind"], "oauth2", "{v}");
    let (plan, _) = run("AuthenticationMethod=Basic;User=u;Password=p");
    let v = serde_json::to_value(&plan.unwrap().auth).unwrap();
    assert_eq!(v["kind"], "basic", "{v}");
}

#[test]
fn a_configured_refresh_token_needs_client_secret_legacy_or_not() {
    // OPTIONS.md §1: the refresh token grant needs ClientSecret. Legacy OAuth2
    // resolving to it (RefreshToken set) says so exactly as OAuth2-RefreshToken.
    for method in ["OAuth2", "OAuth2-RefreshToken"] {
        let (plan, d) = run(&format!(
            "AuthenticationMethod={method};ClientID=c;RefreshToken=rt;{TOKEN}"
        ));
        assert!(plan.is_none(), "{method}");
        let missing: Vec<_> = of(&d, "missing-required")
            .iter()
            .map(|d| d.key.clone().unwrap())
            .collect();
        assert_eq!(missing, ["ClientSecret"], "{method}: {d:#?}");
    }
    // A refresh token from the token store may belong to a public client.
    let (plan, d) = legacy(&format!("ClientID=c;{TOKEN}"));
    no_errors(&d);
    assert!(plan.is_some());
}
