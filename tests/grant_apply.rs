//! Credentials on outgoing requests: static methods, OAuth bearer tokens from
//! the real oidc-provider, and refresh-once on `invalid_token`.

mod grant_support;
#[allow(dead_code)] // shared; this file uses part of it
#[path = "support/plans.rs"]
mod plans;
mod support;

use std::time::Duration;

use base64::Engine as _;
use connstr::Secret;
use connstr::apply::{ApplyError, Authorizer, OutgoingRequest, send_with_refresh};
use connstr::grant::{RetryPolicy, SourceOptions, StoreChoice, TokenSource};
use connstr::plan::{Auth, AuthMethod, AuthPlan, ExtraHeader, Grant, HeaderName, OAuth2Plan};
use grant_support::{Recorder, Reply};
use support::oidc::{self, OidcServer};

fn plan(method: AuthMethod, auth: Auth) -> AuthPlan {
    AuthPlan {
        method,
        auth,
        user: Some("alice".into()),
        dsn: None,
        provenance: Default::default(),
        transport: Default::default(),
    }
}

fn memory() -> SourceOptions {
    let tc = plans::token_client(
        Duration::from_secs(5),
        Duration::from_secs(20),
        RetryPolicy::none(),
    );
    SourceOptions {
        margin: Duration::from_secs(60),
        store: StoreChoice::Memory,
        client: Some(tc),
    }
}

fn get(url: &str) -> OutgoingRequest {
    OutgoingRequest::new("GET", url.parse().unwrap())
}

#[tokio::test]
async fn static_methods() {
    let basic = Authorizer::new(
        &plan(
            AuthMethod::Basic,
            Auth::Basic {
                user: "ann".into(),
                password: Secret::new("pä:ss"),
                header: HeaderName::parse("X-Auth").unwrap(),
            },
        ),
        memory(),
    )
    .unwrap();
    let mut r = get("https://api.example/items?page=2");
    basic.authorize(&mut r).await.unwrap();
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("ann:pä:ss")
    );
    assert_eq!(r.header("x-auth"), Some(want.as_str()));
    assert_eq!(r.header("authorization"), None);

    let bearer = Authorizer::new(
        &plan(
            AuthMethod::BearerToken,
            Auth::BearerToken {
                token: Secret::new("tok-1"),
            },
        ),
        memory(),
    )
    .unwrap();
    let mut r = get("https://api.example/items");
    bearer.authorize(&mut r).await.unwrap();
    assert_eq!(r.header("authorization"), Some("Bearer tok-1"));

    let param = Authorizer::new(
        &plan(
            AuthMethod::UrlParameter,
            Auth::UrlParameter {
                param: "api key".into(),
                token: Secret::new("k&1"),
            },
        ),
        memory(),
    )
    .unwrap();
    let mut r = get("https://api.example/items?page=2");
    param.authorize(&mut r).await.unwrap();
    assert_eq!(
        r.url.as_str(),
        "https://api.example/items?page=2&api+key=k%261"
    );
    let shown = format!("{r:?}");
    assert!(
        !shown.contains("k%261") && !shown.contains("k&1"),
        "{shown}"
    );

    let none = Authorizer::new(&plan(AuthMethod::None, Auth::None), memory()).unwrap();
    let mut r = get("https://api.example/items");
    none.authorize(&mut r).await.unwrap();
    assert!(r.headers.is_empty());

    // Digest sends nothing until the server's challenge.
    let digest = Authorizer::new(
        &plan(
            AuthMethod::Digest,
            Auth::Digest {
                user: "u".into(),
                password: Secret::new("p"),
            },
        ),
        memory(),
    )
    .unwrap();
    let mut r = get("https://api.example/items");
    let applied = digest.authorize(&mut r).await.unwrap();
    assert!(r.headers.is_empty() && !applied.digest_sent);
    let e = Authorizer::new(
        &plan(
            AuthMethod::BearerToken,
            Auth::BearerToken {
                token: Secret::new("a\r\nX-Evil: 1"),
            },
        ),
        memory(),
    )
    .unwrap_err();
    assert!(matches!(e, ApplyError::InvalidHeaderValue(_)));
}

#[tokio::test]
async fn reqwest_helper_puts_exact_headers_on_the_wire() {
    let api = Recorder::start(vec![], Some(Reply::json(200, "{}"))).await;
    let auth = Authorizer::new(
        &plan(
            AuthMethod::HttpHeader,
            Auth::HttpHeader {
                header: HeaderName::parse("X-Api-Key").unwrap(),
                token: Secret::new("key-42"),
            },
        ),
        memory(),
    )
    .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = api.url("/v1/items");
    let resp = send_with_refresh(&auth, || http.get(url.clone()))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let r = &api.requests()[0];
    assert_eq!(r.request_line, "GET /v1/items HTTP/1.1");
    assert_eq!(r.header("x-api-key"), Some("key-42"));
}

fn oauth_plan(server: &OidcServer, rt: &str, extra: bool) -> AuthPlan {
    plan(
        AuthMethod::OAuth2RefreshToken,
        Auth::OAuth2(OAuth2Plan {
            extra_header: extra.then(|| ExtraHeader {
                name: HeaderName::parse("X-Tenant-Id").unwrap(),
                value: Secret::new("tenant-7"),
            }),
            ..plans::refresh_plan(
                plans::basic_client(oidc::CONFIDENTIAL.id, oidc::CONFIDENTIAL.secret),
                server.token_url().parse().unwrap(),
                Some(rt),
            )
        }),
    )
}

#[tokio::test]
async fn invalid_token_refreshes_once_and_retries_once() {
    let server = OidcServer::start_default();
    let rt = server.obtain_refresh_token().await;
    server.reset_stats().await;
    let auth = Authorizer::new(&oauth_plan(&server, &rt, true), memory()).unwrap();
    let api = Recorder::start(
        vec![
            Reply::with(
                401,
                &[(
                    "WWW-Authenticate",
                    r#"Bearer realm="api", error="invalid_token", error_description="expired""#,
                )],
                "",
            ),
            Reply::json(200, "{}"),
        ],
        None,
    )
    .await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = api.url("/v1/items");
    let resp = send_with_refresh(&auth, || http.get(url.clone()))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let reqs = api.requests();
    assert_eq!(reqs.len(), 2);
    let first = reqs[0].header("authorization").unwrap().to_owned();
    let second = reqs[1].header("authorization").unwrap().to_owned();
    assert!(first.starts_with("Bearer ") && second.starts_with("Bearer "));
    assert_ne!(first, second, "the retry carries the new token");
    let current = auth.token_source().unwrap().cached().unwrap();
    assert_eq!(second, format!("Bearer {}", current.access_token.expose()));
    for r in &reqs {
        assert_eq!(r.header("x-tenant-id"), Some("tenant-7"));
    }
    assert_eq!(
        server.stats().await.grant("refresh_token"),
        2,
        "initial + one refresh"
    );

    // insufficient_scope: not fixed by refreshing.
    server.reset_stats().await;
    let api = Recorder::start(
        vec![Reply::with(
            403,
            &[(
                "WWW-Authenticate",
                r#"Bearer error="insufficient_scope", scope="admin""#,
            )],
            "",
        )],
        None,
    )
    .await;
    let url = api.url("/v1/admin");
    let resp = send_with_refresh(&auth, || http.get(url.clone()))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let api401 = Recorder::start(
        vec![Reply::with(
            401,
            &[("WWW-Authenticate", r#"Bearer error="insufficient_scope""#)],
            "",
        )],
        None,
    )
    .await;
    let url = api401.url("/v1/admin");
    let resp = send_with_refresh(&auth, || http.get(url.clone()))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(api.count() + api401.count(), 2);
    assert_eq!(server.stats().await.token_requests, 0);

    // A 401 that stays a 401: one retry, no loop.
    let api = Recorder::start(vec![], Some(Reply::with(401, &[], ""))).await;
    let url = api.url("/v1/items");
    let resp = send_with_refresh(&auth, || http.get(url.clone()))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(api.count(), 2);
    assert_eq!(server.stats().await.token_requests, 1);
}

#[tokio::test]
async fn given_access_token_without_refresh_is_not_retried() {
    let p = plan(
        AuthMethod::OAuth2AccessToken,
        Auth::OAuth2(OAuth2Plan {
            grant: Grant::AccessToken {
                access_token: Secret::new("given-at"),
                refresh: None,
            },
            chosen_because: None,
            scope: vec![],
            extra_header: None,
        }),
    );
    let auth = Authorizer::new(&p, memory()).unwrap();
    let api = Recorder::start(
        vec![],
        Some(Reply::with(
            401,
            &[("WWW-Authenticate", r#"Bearer error="invalid_token""#)],
            "",
        )),
    )
    .await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = api.url("/x");
    let resp = send_with_refresh(&auth, || http.get(url.clone()))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(api.count(), 1);
    assert_eq!(
        api.requests()[0].header("authorization"),
        Some("Bearer given-at")
    );
}

#[tokio::test]
async fn given_access_token_then_refresh_grant() {
    let server = OidcServer::start_default();
    let rt = server.obtain_refresh_token().await;
    server.reset_stats().await;
    let Auth::OAuth2(o) = oauth_plan(&server, &rt, false).auth else {
        unreachable!()
    };
    let Grant::RefreshToken(rg) = o.grant else {
        unreachable!()
    };
    let p = plan(
        AuthMethod::OAuth2,
        Auth::OAuth2(OAuth2Plan {
            grant: Grant::AccessToken {
                access_token: Secret::new("stale-given-token"),
                refresh: Some(rg),
            },
            chosen_because: Some("AccessToken and RefreshToken".into()),
            scope: vec![],
            extra_header: None,
        }),
    );
    let source = TokenSource::new(&p, memory()).unwrap();
    let auth = Authorizer::with_source(&p, source).unwrap();
    let mut r = get("https://api.example/x");
    let applied = auth.authorize(&mut r).await.unwrap();
    assert_eq!(r.header("authorization"), Some("Bearer stale-given-token"));
    assert_eq!(
        server.stats().await.token_requests,
        0,
        "the given token is used first"
    );
    assert!(
        auth.should_retry(&applied, 401, Some(r#"Bearer error="invalid_token""#))
            .await
            .unwrap()
    );
    let mut r = get("https://api.example/x");
    auth.authorize(&mut r).await.unwrap();
    assert_ne!(r.header("authorization"), Some("Bearer stale-given-token"));
    assert_eq!(server.stats().await.grant("refresh_token"), 1);
}
