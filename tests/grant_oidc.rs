//! Grants against the real OAuth 2.0 server (oidc-provider, tests/oidc/).

#[allow(dead_code)] // shared; this file uses part of it
#[path = "support/plans.rs"]
mod plans;
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use connstr::Secret;
use connstr::grant::{
    BasicEncoding, GrantError, GrantParams, Hint, LoginProblem, OAuthErrorCode, RetryPolicy,
    SourceOptions, StoreChoice, StoreKey, TokenClient, TokenSource, TokenStore,
};
use connstr::plan::{Client, ClientCredentialsMode, Grant, HttpMethod, OAuth2Plan, TokenEndpoint};
use support::oidc::{self, OidcOptions, OidcServer};

fn token_client() -> TokenClient {
    plans::token_client(
        Duration::from_secs(5),
        Duration::from_secs(20),
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
            max_total: Duration::from_secs(30),
        },
    )
}

fn endpoint(server: &OidcServer) -> TokenEndpoint {
    TokenEndpoint {
        method: HttpMethod::Post,
        url: server.token_url().parse().unwrap(),
    }
}

fn confidential(mode: ClientCredentialsMode) -> Client {
    Client {
        id: oidc::CONFIDENTIAL.id.into(),
        secret: oidc::CONFIDENTIAL.secret.map(Secret::new),
        mode,
    }
}

fn refresh_plan(server: &OidcServer, rt: Option<&str>) -> OAuth2Plan {
    plans::refresh_plan(
        confidential(ClientCredentialsMode::Basic),
        server.token_url().parse().unwrap(),
        rt,
    )
}

fn options(store: &Path) -> SourceOptions {
    SourceOptions {
        margin: Duration::from_secs(60),
        store: StoreChoice::At(store.to_owned()),
        client: Some(token_client()),
    }
}

fn key(server: &OidcServer, client_id: &str) -> StoreKey {
    StoreKey::new(
        &server.token_url().parse().unwrap(),
        client_id,
        Some("alice"),
        None,
    )
}

#[tokio::test]
async fn refresh_with_rotation_three_times_stores_the_newest() {
    let server = OidcServer::start_default();
    let rt0 = server.obtain_refresh_token().await;
    server.reset_stats().await;
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("tokens.json");
    let source = TokenSource::from_oauth2(
        &refresh_plan(&server, Some(&rt0)),
        Some("alice"),
        None,
        options(&store_path),
    )
    .unwrap();
    let store = TokenStore::at(&store_path);
    let k = key(&server, oidc::CONFIDENTIAL.id);

    let mut seen = vec![Secret::new(rt0.clone())];
    let mut token = source.token().await.unwrap();
    for round in 0..3 {
        if round > 0 {
            token = source.refresh_rejected(&token.access_token).await.unwrap();
        }
        let entry = store.get(&k).unwrap().expect("stored");
        let newest = entry.refresh_token.clone().unwrap();
        assert_eq!(Some(&newest), token.refresh_token.as_ref(), "round {round}");
        assert!(!seen.contains(&newest), "round {round}: not rotated");
        for old in &seen {
            assert!(
                entry.has_retired(old),
                "round {round}: an old refresh token is not retired"
            );
        }
        assert_eq!(entry.access_token.as_ref(), Some(&token.access_token));
        seen.push(newest);
    }
    let stats = server.stats().await;
    assert_eq!(stats.grant("refresh_token"), 3);
    assert_eq!(stats.refresh_token_reuse, 0);

    // The same configuration again (rt0 is in it, long rotated): the store's
    // newest refresh token is used instead, and no refresh token is reused.
    let again = TokenSource::from_oauth2(
        &refresh_plan(&server, Some(&rt0)),
        Some("alice"),
        None,
        options(&store_path),
    )
    .unwrap();
    let adopted = again.token().await.unwrap();
    assert_eq!(
        adopted.access_token, token.access_token,
        "fresh stored token adopted"
    );
    assert_eq!(
        server.stats().await.token_requests,
        3,
        "adoption sends nothing"
    );
    let renewed = again.refresh_rejected(&adopted.access_token).await.unwrap();
    assert_ne!(renewed.access_token, adopted.access_token);
    let stats = server.stats().await;
    assert_eq!(stats.grant("refresh_token"), 4);
    assert_eq!(stats.refresh_token_reuse, 0);
    assert_eq!(stats.error("invalid_grant"), 0);

    // And with no RefreshToken configured at all (after a login): ClientID + TokenURI.
    let bare = TokenSource::from_oauth2(
        &refresh_plan(&server, None),
        Some("alice"),
        None,
        options(&store_path),
    )
    .unwrap();
    let t = bare.token().await.unwrap();
    bare.refresh_rejected(&t.access_token).await.unwrap();
    assert_eq!(server.stats().await.refresh_token_reuse, 0);
}

#[tokio::test]
async fn replayed_refresh_token_is_invalid_grant_and_marked_dead() {
    let server = OidcServer::start_default();
    let rt0 = server.obtain_refresh_token().await;
    let tc = token_client();
    let client = confidential(ClientCredentialsMode::Basic);
    let old = Secret::new(rt0.clone());
    let t1 = tc
        .request_token(
            &endpoint(&server),
            &client,
            &GrantParams::RefreshToken {
                refresh_token: &old,
            },
            &[],
        )
        .await
        .unwrap();
    let rt1 = t1.refresh_token.clone().expect("rotated");
    assert_ne!(rt1.expose(), rt0);

    server.reset_stats().await;
    let e = tc
        .request_token(
            &endpoint(&server),
            &client,
            &GrantParams::RefreshToken {
                refresh_token: &old,
            },
            &[],
        )
        .await
        .unwrap_err();
    assert!(e.is_invalid_grant(), "{e:?}");
    assert_eq!(e.hint(), Some(Hint::RunLogin));
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("run `connstr login`"), "{shown}");
    assert!(
        !shown.contains(&rt0) && !shown.contains(oidc::CONFIDENTIAL.secret.unwrap()),
        "{shown}"
    );
    let stats = server.stats().await;
    assert_eq!(stats.token_requests, 1, "invalid_grant is not retried");
    assert_eq!(stats.refresh_token_reuse, 1);

    // Reuse revoked the whole grant: rt1 is dead too. A source whose store holds
    // rt1 gets invalid_grant once, marks it dead, and then stops asking.
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("tokens.json");
    let source = TokenSource::from_oauth2(
        &refresh_plan(&server, Some(rt1.expose())),
        Some("alice"),
        None,
        options(&store_path),
    )
    .unwrap();
    let e = source.token().await.unwrap_err();
    assert!(e.is_invalid_grant(), "{e:?}");
    // Not stored as dead: rt1 came from the configuration, the store had nothing.
    server.reset_stats().await;
    // Seed the store with rt1 as its current token, then fail again: marked dead.
    {
        let store = TokenStore::at(&store_path);
        let lock = store.lock().await.unwrap();
        lock.update(&key(&server, oidc::CONFIDENTIAL.id), |t| {
            t.rotate(rt1.clone())
        })
        .unwrap();
    }
    let source = TokenSource::from_oauth2(
        &refresh_plan(&server, None),
        Some("alice"),
        None,
        options(&store_path),
    )
    .unwrap();
    assert!(source.token().await.unwrap_err().is_invalid_grant());
    let entry = TokenStore::at(&store_path)
        .get(&key(&server, oidc::CONFIDENTIAL.id))
        .unwrap()
        .unwrap();
    assert!(entry.refresh_token_dead);
    let e = source.token().await.unwrap_err();
    assert!(matches!(e, GrantError::RefreshTokenDead { .. }), "{e:?}");
    assert!(e.to_string().contains("connstr login"));
    assert_eq!(
        server.stats().await.token_requests,
        1,
        "a dead refresh token is not sent again"
    );
}

#[tokio::test]
async fn client_credentials_basic_and_post_and_awkward_ids() {
    let server = OidcServer::start_default();
    let tc = token_client();
    let cc = |mode| Client {
        id: oidc::CLIENT_CREDENTIALS.id.into(),
        secret: oidc::CLIENT_CREDENTIALS.secret.map(Secret::new),
        mode,
    };
    let basic = tc
        .request_token(
            &endpoint(&server),
            &cc(ClientCredentialsMode::Basic),
            &GrantParams::ClientCredentials,
            &[],
        )
        .await
        .unwrap();
    assert!(!basic.access_token.is_empty());
    assert!(basic.expires_at.is_some());
    let post = tc
        .request_token(
            &endpoint(&server),
            &cc(ClientCredentialsMode::Post),
            &GrantParams::ClientCredentials,
            &[],
        )
        .await;
    let stats = server.stats().await;
    assert_eq!(stats.client_auth.get("basic"), Some(&1));
    let post = post.unwrap();
    assert!(!post.access_token.is_empty());
    assert_eq!(stats.client_auth.get("post"), Some(&1));

    // id and secret that need form-urlencoding inside the Basic header.
    let awkward = Client {
        id: oidc::AWKWARD.id.into(),
        secret: oidc::AWKWARD.secret.map(Secret::new),
        mode: ClientCredentialsMode::Basic,
    };
    tc.request_token(
        &endpoint(&server),
        &awkward,
        &GrantParams::ClientCredentials,
        &[],
    )
    .await
    .unwrap();
    let mut raw = token_client();
    raw.prepare.basic_encoding = BasicEncoding::Raw;
    let e = raw
        .request_token(
            &endpoint(&server),
            &awkward,
            &GrantParams::ClientCredentials,
            &[],
        )
        .await
        .unwrap_err();
    assert!(e.oauth_code().is_some(), "{e:?}");
}

#[tokio::test]
async fn wrong_secret_is_invalid_client() {
    let server = OidcServer::start_default();
    let tc = token_client();
    let wrong = Client {
        id: oidc::CLIENT_CREDENTIALS.id.into(),
        secret: Some(Secret::new("not-the-secret-XYZ")),
        mode: ClientCredentialsMode::Basic,
    };
    let e = tc
        .request_token(
            &endpoint(&server),
            &wrong,
            &GrantParams::ClientCredentials,
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.oauth_code(),
        Some(&OAuthErrorCode::InvalidClient),
        "{e:?}"
    );
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.hint(), Some(Hint::CheckClientCredentials));
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("not-the-secret-XYZ"), "{shown}");
    assert_eq!(
        server.stats().await.token_requests,
        1,
        "invalid_client is not retried"
    );

    // The same under ClientCredentialsMode=All: the hint names the likely cause.
    let all = Client {
        mode: ClientCredentialsMode::All,
        ..wrong
    };
    let e = tc
        .request_token(
            &endpoint(&server),
            &all,
            &GrantParams::ClientCredentials,
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(e.hint(), Some(Hint::ModeAllRefused), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_tasks_at_expiry_make_one_request() {
    let server = OidcServer::start(OidcOptions {
        access_token_ttl: Some(2),
        token_delay_ms: 300,
        ..OidcOptions::default()
    });
    let rt0 = server.obtain_refresh_token().await;
    let dir = tempfile::tempdir().unwrap();
    let source = TokenSource::from_oauth2(
        &refresh_plan(&server, Some(&rt0)),
        Some("alice"),
        None,
        options(&dir.path().join("t.json")),
    )
    .unwrap();
    let first = source.token().await.unwrap();
    // Wait for the refresh point (half the 2 s lifetime, as the margin is larger).
    while source.cached().is_some() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.reset_stats().await;
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let s = source.clone();
            tokio::spawn(async move { s.token().await })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap());
    }
    let stats = server.stats().await;
    assert_eq!(stats.token_requests, 1, "{stats:?}");
    assert_eq!(stats.max_in_flight, 1);
    assert!(
        tokens
            .iter()
            .all(|t| t.access_token == tokens[0].access_token)
    );
    assert_ne!(tokens[0].access_token, first.access_token);
}

/// Two token sources (as two connectors in one process would have) and two
/// processes share one store and one rotating refresh token.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn threads_and_processes_share_a_rotating_token_without_reuse() {
    let server = OidcServer::start(OidcOptions {
        token_delay_ms: 50,
        ..OidcOptions::default()
    });
    let rt0 = server.obtain_refresh_token().await;
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("tokens.json");
    server.reset_stats().await;

    // Two child processes…
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "child_refresher",
                    "--ignored",
                    "--test-threads=1",
                ])
                .env("CONNSTR_CHILD_TOKEN_URL", server.token_url())
                .env("CONNSTR_CHILD_STORE", &store_path)
                .env("CONNSTR_CHILD_RT", &rt0)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // …and two sources on two threads of this one.
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let url = server.token_url();
            let store = store_path.clone();
            let rt = rt0.clone();
            std::thread::spawn(move || refresh_rounds(&url, &store, &rt))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "child failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("1 passed"),
            "child did not run"
        );
    }
    let stats = server.stats().await;
    eprintln!("shared store: {stats:?}");
    assert_eq!(stats.refresh_token_reuse, 0, "{stats:?}");
    assert_eq!(stats.grants_revoked, 0, "{stats:?}");
    assert_eq!(stats.error("invalid_grant"), 0, "{stats:?}");
    assert!(stats.grant("refresh_token") >= 4, "{stats:?}");
    assert_eq!(stats.max_in_flight, 1, "refreshes overlapped: {stats:?}");
}

const ROUNDS: usize = 4;

/// Each round: get a token, then call it rejected (forcing a refresh, or the
/// adoption of another holder's newer token).
fn refresh_rounds(token_url: &str, store: &Path, rt: &str) {
    let plan = plans::refresh_plan(
        confidential(ClientCredentialsMode::Basic),
        token_url.parse().unwrap(),
        Some(rt),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let source = TokenSource::from_oauth2(&plan, Some("alice"), None, options(store)).unwrap();
        for _ in 0..ROUNDS {
            let t = source.token().await.unwrap();
            source.refresh_rejected(&t.access_token).await.unwrap();
        }
    });
}

#[test]
#[ignore = "run by threads_and_processes_share_a_rotating_token_without_reuse as a child process"]
fn child_refresher() {
    let (Ok(url), Ok(store), Ok(rt)) = (
        std::env::var("CONNSTR_CHILD_TOKEN_URL"),
        std::env::var("CONNSTR_CHILD_STORE"),
        std::env::var("CONNSTR_CHILD_RT"),
    ) else {
        return;
    };
    refresh_rounds(&url, &PathBuf::from(store), &rt);
}

fn code_plan(server: &OidcServer, client: Client, pkce: bool) -> OAuth2Plan {
    OAuth2Plan {
        grant: Grant::AuthorizationCode {
            client,
            endpoint: endpoint(server),
            redirect_uri: "http://127.0.0.1:0/callback".parse().unwrap(),
            auth_uri: Some(server.auth_url().parse().unwrap()),
            code: None,
            pkce,
        },
        chosen_because: None,
        scope: oidc::SCOPE.split(' ').map(str::to_owned).collect(),
        extra_header: None,
    }
}

/// Drive the browser side: log in headlessly, then deliver the redirect to our
/// loopback listener. Returns the page the listener answered.
async fn browser(authorize_url: &str, rewrite_state: Option<&str>) -> (u16, String) {
    let mut redirect = oidc::authorize_headless(authorize_url, oidc::USER)
        .await
        .unwrap();
    if let Some(state) = rewrite_state {
        let pairs: Vec<(String, String)> = redirect
            .query_pairs()
            .map(|(k, v)| {
                if k == "state" {
                    (k.into_owned(), state.to_owned())
                } else {
                    (k.into_owned(), v.into_owned())
                }
            })
            .collect();
        redirect.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(redirect)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn interactive_login_then_only_client_id_and_token_uri() {
    let server = OidcServer::start_default();
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("tokens.json");
    let public = Client {
        id: oidc::PUBLIC.id.into(),
        secret: None,
        mode: ClientCredentialsMode::Basic,
    };
    let source = TokenSource::from_oauth2(
        &code_plan(&server, public.clone(), true),
        Some("alice"),
        None,
        options(&store_path),
    )
    .unwrap();
    assert!(matches!(
        source.token().await,
        Err(GrantError::LoginRequired)
    ));
    let session = source.start_login().await.unwrap();
    let url = session.authorize_url().to_string();
    assert!(url.contains("code_challenge_method=S256") && url.contains("state="));
    let s2 = source.clone();
    let finish =
        tokio::spawn(async move { s2.finish_login(session, Duration::from_secs(30)).await });
    let (status, page) = browser(&url, None).await;
    assert_eq!(status, 200);
    assert!(page.contains("Login complete"), "{page}");
    let token = finish.await.unwrap().unwrap();
    assert!(token.refresh_token.is_some());
    assert_eq!(
        source.token().await.unwrap().access_token,
        token.access_token
    );

    // Later runs: a public client's configuration needs only ClientID and TokenURI.
    let plan = plans::refresh_plan(public, server.token_url().parse().unwrap(), None);
    let later = TokenSource::from_oauth2(&plan, Some("alice"), None, options(&store_path)).unwrap();
    let t = later.token().await.unwrap();
    let t2 = later.refresh_rejected(&t.access_token).await.unwrap();
    assert_ne!(t2.access_token, t.access_token);
    let stats = server.stats().await;
    assert_eq!(stats.refresh_token_reuse, 0);
    assert_eq!(
        stats.client_auth.get("none").copied().unwrap_or(0),
        stats.token_requests
    );
}

#[tokio::test]
async fn login_with_confidential_client_and_a_forged_state() {
    let server = OidcServer::start_default();
    let dir = tempfile::tempdir().unwrap();
    let source = TokenSource::from_oauth2(
        &code_plan(&server, confidential(ClientCredentialsMode::Basic), true),
        Some("alice"),
        None,
        options(&dir.path().join("t.json")),
    )
    .unwrap();
    // Forged state: refused.
    let session = source.start_login().await.unwrap();
    let url = session.authorize_url().to_string();
    let wait = tokio::spawn(async move { session.wait(Duration::from_secs(30)).await });
    let (status, _) = browser(&url, Some("forged")).await;
    assert_eq!(status, 400);
    let e = wait.await.unwrap().unwrap_err();
    assert!(
        matches!(e, GrantError::Login(LoginProblem::StateMismatch)),
        "{e:?}"
    );
    // The real thing works, and the code exchange uses Basic + code_verifier.
    let session = source.start_login().await.unwrap();
    let url = session.authorize_url().to_string();
    let s2 = source.clone();
    let finish =
        tokio::spawn(async move { s2.finish_login(session, Duration::from_secs(30)).await });
    browser(&url, None).await;
    let t = finish.await.unwrap().unwrap();
    assert!(t.refresh_token.is_some());
    // Nobody comes back: a clear timeout.
    let session = source.start_login().await.unwrap();
    let e = session.wait(Duration::from_millis(200)).await.unwrap_err();
    assert!(
        matches!(e, GrantError::Login(LoginProblem::TimedOut(_))),
        "{e:?}"
    );
}
