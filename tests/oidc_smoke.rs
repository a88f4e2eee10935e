//! Proves the OAuth test server harness (tests/support/oidc.rs) works against the real
//! oidc-provider: client credentials, the code flow, refresh rotation and reuse detection,
//! token lifetime, client authentication failures, and the server-side counters.

mod support;

use support::oidc::{
    AWKWARD, CLIENT_CREDENTIALS, CONFIDENTIAL, OidcOptions, OidcServer, PUBLIC, REDIRECT_URI,
    SCOPE, authorize_headless, basic_auth, form_encode, pkce_pair,
};

/// A plain reqwest POST with Basic auth, independent of the harness's own token helper.
async fn client_credentials_raw(
    server: &OidcServer,
    authorization: &str,
) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(server.token_url())
        .header("authorization", authorization)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(&[
            ("grant_type", "client_credentials"),
            ("scope", "api"),
        ]))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let json = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    (status, json)
}

#[tokio::test]
async fn client_credentials_with_basic_auth() {
    let server = OidcServer::start(OidcOptions::default());
    let secret = CLIENT_CREDENTIALS.secret.unwrap();
    let (status, json) =
        client_credentials_raw(&server, &basic_auth(CLIENT_CREDENTIALS.id, secret)).await;
    assert_eq!(status, 200, "{json}");
    let token = json["access_token"].as_str().unwrap();
    assert!(token.len() >= 20, "opaque access token expected: {json}");
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["scope"], "api");
    assert_eq!(json["expires_in"], 3600);
    assert!(json.get("refresh_token").is_none());

    // A second request gets a different token.
    let (_, again) =
        client_credentials_raw(&server, &basic_auth(CLIENT_CREDENTIALS.id, secret)).await;
    assert_ne!(again["access_token"], json["access_token"]);

    let stats = server.stats().await;
    assert_eq!(stats.token_requests, 2);
    assert_eq!(stats.grant("client_credentials"), 2);
    assert_eq!(stats.by_status.get("200"), Some(&2));
    assert_eq!(stats.client_auth.get("basic"), Some(&2));
    assert_eq!(stats.in_flight, 0);
}

#[tokio::test]
async fn bad_client_secret_is_401_invalid_client() {
    let server = OidcServer::start(OidcOptions::default());
    let (status, json) =
        client_credentials_raw(&server, &basic_auth(CLIENT_CREDENTIALS.id, "wrong")).await;
    assert_eq!(status, 401, "{json}");
    assert_eq!(json["error"], "invalid_client");
    let stats = server.stats().await;
    assert_eq!(stats.error("invalid_client"), 1);
    assert_eq!(stats.by_status.get("401"), Some(&1));
}

#[tokio::test]
async fn client_secret_post_is_accepted_too() {
    let server = OidcServer::start(OidcOptions::default());
    let response = reqwest::Client::new()
        .post(server.token_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(&[
            ("grant_type", "client_credentials"),
            ("client_id", CONFIDENTIAL.id),
            ("client_secret", CONFIDENTIAL.secret.unwrap()),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(server.stats().await.client_auth.get("post"), Some(&1));
}

#[tokio::test]
async fn basic_credentials_must_be_form_urlencoded() {
    let server = OidcServer::start(OidcOptions::default());
    let secret = AWKWARD.secret.unwrap();
    let (status, json) = client_credentials_raw(&server, &basic_auth(AWKWARD.id, secret)).await;
    assert_eq!(status, 200, "encoded credentials: {json}");

    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD.encode(format!("{}:{secret}", AWKWARD.id));
    let (status, json) = client_credentials_raw(&server, &format!("Basic {raw}")).await;
    assert_eq!(status, 400, "unencoded credentials: {json}");
    assert_eq!(json["error"], "invalid_request");
}

#[tokio::test]
async fn code_flow_then_rotating_refresh_and_reuse_detection() {
    let server = OidcServer::start(OidcOptions::default());
    let tokens = server.obtain_tokens().await;
    assert_eq!(tokens.token_type, "Bearer");
    assert!(tokens.id_token.is_some(), "openid was requested");
    assert_eq!(tokens.scope.as_deref(), Some("api"));
    let first = tokens.refresh_token.expect("refresh token");

    let refresh = |token: String| {
        let server = &server;
        async move {
            server
                .token_request(
                    &CONFIDENTIAL,
                    &[("grant_type", "refresh_token"), ("refresh_token", &token)],
                )
                .await
        }
    };

    let (status, json) = refresh(first.clone()).await;
    assert_eq!(status, 200, "{json}");
    let second = json["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first, "rotated");
    assert!(json["access_token"].is_string());

    let (status, json) = refresh(second.clone()).await;
    assert_eq!(status, 200, "{json}");
    let third = json["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(third, second, "rotated again");

    // Replaying a rotated token is reuse: invalid_grant, and the whole grant dies.
    let (status, json) = refresh(first).await;
    assert_eq!(status, 400, "{json}");
    assert_eq!(json["error"], "invalid_grant");
    let (status, json) = refresh(third).await;
    assert_eq!(status, 400, "newest token revoked with the grant: {json}");
    assert_eq!(json["error"], "invalid_grant");

    let stats = server.stats().await;
    assert_eq!(stats.grant("authorization_code"), 1);
    assert_eq!(stats.grant("refresh_token"), 4);
    assert_eq!(stats.token_requests, 5);
    assert_eq!(stats.error("invalid_grant"), 2);
    assert_eq!(stats.refresh_token_reuse, 1);
    assert!(stats.grants_revoked >= 1, "{stats:?}");
}

#[tokio::test]
async fn obtain_refresh_token_gives_independent_grants() {
    let server = OidcServer::start(OidcOptions::default());
    let a = server.obtain_refresh_token().await;
    let b = server.obtain_refresh_token().await;
    assert_ne!(a, b);
    for token in [a, b] {
        let (status, json) = server
            .token_request(
                &CONFIDENTIAL,
                &[("grant_type", "refresh_token"), ("refresh_token", &token)],
            )
            .await;
        assert_eq!(status, 200, "{json}");
    }
}

#[tokio::test]
async fn public_client_needs_pkce_and_refreshes() {
    let server = OidcServer::start(OidcOptions::default());
    let tokens = server.obtain_tokens_public().await;
    let refresh = tokens.refresh_token.expect("refresh token");
    let (status, json) = server
        .token_request(
            &PUBLIC,
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(server.stats().await.client_auth.get("none"), Some(&2));

    // Without a code challenge the authorization request is refused.
    let url = server.authorization_url(&PUBLIC, REDIRECT_URI, SCOPE, "s", None);
    let redirect = authorize_headless(&url, "bob").await.unwrap();
    let error = redirect
        .query_pairs()
        .find(|(k, _)| k == "error")
        .map(|(_, v)| v.into_owned());
    assert_eq!(error.as_deref(), Some("invalid_request"), "{redirect}");
}

#[tokio::test]
async fn loopback_redirect_uri_any_port_other_hosts_refused() {
    let server = OidcServer::start(OidcOptions::default());
    let (_, challenge) = pkce_pair();
    for redirect_uri in [
        "http://127.0.0.1:54321/callback",
        "http://[::1]:1234/callback",
    ] {
        let url = server.authorization_url(&PUBLIC, redirect_uri, SCOPE, "st", Some(&challenge));
        let redirect = authorize_headless(&url, "carol").await.unwrap();
        assert!(redirect.as_str().starts_with(redirect_uri), "{redirect}");
        assert!(
            redirect.query_pairs().any(|(k, _)| k == "code"),
            "{redirect}"
        );
    }
    let url = server.authorization_url(
        &PUBLIC,
        "http://example.com/callback",
        SCOPE,
        "st",
        Some(&challenge),
    );
    let err = authorize_headless(&url, "carol").await.unwrap_err();
    assert!(err.contains("redirect_uri"), "{err}");
}

#[tokio::test]
async fn access_token_ttl_is_configurable_and_tokens_expire() {
    let server = OidcServer::start(OidcOptions {
        access_token_ttl: Some(2),
        ..OidcOptions::default()
    });
    let secret = CONFIDENTIAL.secret.unwrap();
    let issued = std::time::Instant::now();
    let (status, json) =
        client_credentials_raw(&server, &basic_auth(CONFIDENTIAL.id, secret)).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["expires_in"], 2);
    let token = json["access_token"].as_str().unwrap().to_owned();

    let introspect = || async {
        let response = reqwest::Client::new()
            .post(server.introspection_url())
            .header("authorization", basic_auth(CONFIDENTIAL.id, secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_encode(&[("token", &token)]))
            .send()
            .await
            .unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        json["active"].as_bool().unwrap()
    };
    // The server counts whole seconds: a token lives between ttl-1 and ttl seconds.
    assert!(introspect().await, "fresh token is active");
    while introspect().await {
        assert!(
            issued.elapsed().as_secs_f64() < 4.0,
            "token outlived its TTL"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        issued.elapsed().as_secs_f64() >= 1.0,
        "token expired early: {:?}",
        issued.elapsed()
    );
}

#[tokio::test]
async fn without_rotation_the_refresh_token_is_reused() {
    let server = OidcServer::start(OidcOptions {
        rotate_refresh_token: false,
        ..OidcOptions::default()
    });
    let refresh = server.obtain_refresh_token().await;
    for _ in 0..2 {
        let (status, json) = server
            .token_request(
                &CONFIDENTIAL,
                &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
            )
            .await;
        assert_eq!(status, 200, "{json}");
        assert!(
            json.get("refresh_token")
                .is_none_or(|t| t == refresh.as_str())
        );
    }
    assert_eq!(server.stats().await.refresh_token_reuse, 0);
}

#[tokio::test]
async fn token_delay_makes_concurrent_requests_overlap() {
    let server = OidcServer::start(OidcOptions {
        token_delay_ms: 500,
        ..OidcOptions::default()
    });
    let cc = [("grant_type", "client_credentials")];
    let (a, b, c, d) = tokio::join!(
        server.token_request(&CLIENT_CREDENTIALS, &cc),
        server.token_request(&CLIENT_CREDENTIALS, &cc),
        server.token_request(&CLIENT_CREDENTIALS, &cc),
        server.token_request(&CLIENT_CREDENTIALS, &cc),
    );
    for (status, json) in [a, b, c, d] {
        assert_eq!(status, 200, "{json}");
    }
    let stats = server.stats().await;
    assert_eq!(stats.token_requests, 4);
    assert_eq!(stats.max_in_flight, 4, "{stats:?}");
    server.reset_stats().await;
    assert_eq!(server.stats().await.token_requests, 0);
}

#[test]
fn servers_stop_on_drop_and_ports_differ() {
    let a = OidcServer::start(OidcOptions::default());
    let b = OidcServer::start(OidcOptions::default());
    assert_ne!(a.port(), b.port());
    assert!(std::net::TcpStream::connect(("127.0.0.1", a.port())).is_ok());
    let pid = a.pid();
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    if cfg!(target_os = "linux") {
        assert!(proc_dir.exists());
    }
    drop(a);
    if cfg!(target_os = "linux") {
        // Killed and reaped: the process is gone, not a zombie.
        assert!(
            !proc_dir.exists(),
            "server process {pid} still exists after drop"
        );
    }
}
