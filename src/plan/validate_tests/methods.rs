//! Each AuthenticationMethod (by name and by ODBC code) gives its plan.

use super::*;

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
    let model = crate::plan::model::read_model(
        "/x/y.rest",
        std::path::Path::new("/x/y.rest"),
        SourceId(1),
        r##"{"#authentication": ["api-key={customAuthParams[2]}", "POST https://h/login", "HEADER Authorization=Bearer {/t}"]}"##,
    );
    let doc = parse_connection_string(
        "AuthenticationMethod=Custom;Config=/x/y.rest;CustomAuthParams={a;b}",
    );
    let set = OptionSet::from_document(&doc, SourceId(0), false);
    let (plan, d) = crate::plan::validate_with_model(&set, Some(&model));
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
