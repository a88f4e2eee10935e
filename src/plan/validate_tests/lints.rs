//! Each lint, triggered and not, on inline inputs (the lints' fixture
//! files are run by `tests/lint_fixtures.rs`).

use super::*;

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
