//! Legacy `OAuth2`: the grant chosen from the options set (OPTIONS.md §4).

use super::*;

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
