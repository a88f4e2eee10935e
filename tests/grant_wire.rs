//! Token requests on the wire, byte for byte, and fault handling with attempt
//! counts, against a recording HTTP server.

mod grant_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use connstr::Secret;
use connstr::grant::{
    BasicEncoding, BoxFuture, GrantError, GrantParams, Hint, HttpClient, HttpResponse,
    OAuthErrorCode, ReqwestClient, RetryPolicy, Timeouts, TokenClient, TokenRequest,
};
use connstr::plan::{Client, ClientCredentialsMode, HttpMethod, TokenEndpoint};
use grant_support::{Recorder, Reply};

/// A client id and secret holding `: / + % space ; }`.
const ID: &str = "my id:/+% ;}";
const SECRET: &str = "p/w: +%;} s";
/// Their application/x-www-form-urlencoded forms, written out by hand.
const ID_ENC: &str = "my+id%3A%2F%2B%25+%3B%7D";
const SECRET_ENC: &str = "p%2Fw%3A+%2B%25%3B%7D+s";

fn fast_client(retry: RetryPolicy) -> TokenClient {
    let http = ReqwestClient::new(Timeouts {
        connect: Duration::from_secs(2),
        total: Duration::from_secs(5),
    })
    .unwrap();
    let mut tc = TokenClient::with_http(Arc::new(http));
    tc.retry = retry;
    tc
}

fn quick_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        max_total: Duration::from_secs(10),
    }
}

fn client(mode: ClientCredentialsMode) -> Client {
    Client {
        id: ID.into(),
        secret: Some(Secret::new(SECRET)),
        mode,
    }
}

fn endpoint(rec: &Recorder, method: HttpMethod) -> TokenEndpoint {
    TokenEndpoint {
        method,
        url: rec.url("/oauth2/token?tenant=t%201"),
    }
}

fn basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{ID_ENC}:{SECRET_ENC}"))
    )
}

#[tokio::test]
async fn exact_bytes_for_every_method_and_mode() {
    use ClientCredentialsMode::*;
    let rt = Secret::new("rt/+ 1");
    let grant = "grant_type=refresh_token&refresh_token=rt%2F%2B+1&scope=read+write";
    let creds = format!("client_id={ID_ENC}&client_secret={SECRET_ENC}");
    let scope = vec!["read".to_string(), "write".to_string()];
    // (method, mode, request line, body, basic header?)
    let cases = [
        (
            HttpMethod::Get,
            Basic,
            format!("GET /oauth2/token?tenant=t%201&{grant} HTTP/1.1"),
            String::new(),
            true,
        ),
        (
            HttpMethod::Get,
            Url,
            format!("GET /oauth2/token?tenant=t%201&{grant}&{creds} HTTP/1.1"),
            String::new(),
            false,
        ),
        (
            HttpMethod::Get,
            Post,
            format!("GET /oauth2/token?tenant=t%201&{grant}&{creds} HTTP/1.1"),
            String::new(),
            false,
        ),
        (
            HttpMethod::Get,
            All,
            format!("GET /oauth2/token?tenant=t%201&{grant}&{creds} HTTP/1.1"),
            String::new(),
            true,
        ),
        (
            HttpMethod::Post,
            Basic,
            "POST /oauth2/token?tenant=t%201 HTTP/1.1".to_string(),
            grant.to_string(),
            true,
        ),
        (
            HttpMethod::Post,
            Url,
            format!("POST /oauth2/token?tenant=t%201&{creds} HTTP/1.1"),
            grant.to_string(),
            false,
        ),
        (
            HttpMethod::Post,
            Post,
            "POST /oauth2/token?tenant=t%201 HTTP/1.1".to_string(),
            format!("{grant}&{creds}"),
            false,
        ),
        (
            HttpMethod::Post,
            All,
            format!("POST /oauth2/token?tenant=t%201&{creds} HTTP/1.1"),
            grant.to_string(),
            true,
        ),
    ];
    for (method, mode, line, body, has_basic) in cases {
        let rec = Recorder::start(vec![Reply::token("at-1")], None).await;
        let tc = fast_client(RetryPolicy::none());
        let token = tc
            .request_token(
                &endpoint(&rec, method),
                &client(mode),
                &GrantParams::RefreshToken { refresh_token: &rt },
                &scope,
            )
            .await
            .unwrap();
        assert_eq!(token.access_token.expose(), "at-1");
        let reqs = rec.requests();
        assert_eq!(reqs.len(), 1);
        let r = &reqs[0];
        assert_eq!(r.request_line, line, "{method:?} {mode:?}");
        assert_eq!(r.body_str(), body, "{method:?} {mode:?}");
        let body = body.as_str();
        let want_basic = has_basic.then(basic);
        assert_eq!(
            r.header("authorization").map(str::to_owned),
            want_basic,
            "{method:?} {mode:?}"
        );
        assert_eq!(r.header("accept"), Some("application/json"));
        if method == HttpMethod::Post {
            assert_eq!(
                r.header("content-type"),
                Some("application/x-www-form-urlencoded")
            );
            assert_eq!(
                r.header("content-length"),
                Some(body.len().to_string().as_str())
            );
        } else {
            assert_eq!(r.header("content-type"), None);
        }
        // Nothing else on the wire carries a credential.
        let raw = r.raw_str();
        assert_eq!(
            raw.matches("client_secret=").count(),
            usize::from(matches!(mode, Url | All | Post))
        );
        assert!(!raw.contains(SECRET), "raw secret on the wire: {raw}");
    }
}

#[tokio::test]
async fn basic_raw_escape_hatch_on_the_wire() {
    let rec = Recorder::start(vec![Reply::token("at")], None).await;
    let mut tc = fast_client(RetryPolicy::none());
    tc.prepare.basic_encoding = BasicEncoding::Raw;
    tc.request_token(
        &endpoint(&rec, HttpMethod::Post),
        &client(ClientCredentialsMode::Basic),
        &GrantParams::ClientCredentials,
        &[],
    )
    .await
    .unwrap();
    let r = &rec.requests()[0];
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{ID}:{SECRET}"))
    );
    assert_eq!(r.header("authorization"), Some(want.as_str()));
    assert_eq!(r.body_str(), "grant_type=client_credentials");
}

#[tokio::test]
async fn code_pkce_password_and_public_client_bodies() {
    let rec = Recorder::start(vec![], Some(Reply::token("at"))).await;
    let tc = fast_client(RetryPolicy::none());
    let ep = endpoint(&rec, HttpMethod::Post);
    let public = Client {
        id: "pub lic".into(),
        secret: None,
        mode: ClientCredentialsMode::Basic,
    };
    let code = Secret::new("c/1");
    let verifier = Secret::new("v~v");
    let redirect = url::Url::parse("http://127.0.0.1:9/cb").unwrap();
    tc.request_token(
        &ep,
        &public,
        &GrantParams::AuthorizationCode {
            code: &code,
            redirect_uri: &redirect,
            code_verifier: Some(&verifier),
        },
        &[],
    )
    .await
    .unwrap();
    let pw = Secret::new("pa ss&");
    tc.request_token(
        &ep,
        &client(ClientCredentialsMode::Post),
        &GrantParams::Password {
            username: "al ice",
            password: &pw,
        },
        &["openid".into()],
    )
    .await
    .unwrap();
    let reqs = rec.requests();
    assert_eq!(
        reqs[0].body_str(),
        "grant_type=authorization_code&code=c%2F1&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&code_verifier=v%7Ev&client_id=pub+lic"
    );
    assert_eq!(reqs[0].header("authorization"), None);
    assert_eq!(
        reqs[1].body_str(),
        format!(
            "grant_type=password&username=al+ice&password=pa+ss%26&scope=openid&client_id={ID_ENC}&client_secret={SECRET_ENC}"
        )
    );
}

async fn run(rec: &Recorder, tc: &TokenClient) -> Result<connstr::grant::Token, GrantError> {
    let rt = Secret::new("the-refresh-token");
    tc.request_token(
        &endpoint(rec, HttpMethod::Post),
        &client(ClientCredentialsMode::Basic),
        &GrantParams::RefreshToken { refresh_token: &rt },
        &[],
    )
    .await
}

#[tokio::test]
async fn lenient_responses_over_the_wire() {
    let replies = vec![
        Reply::with(
            200,
            &[("Content-Type", "text/plain")],
            r#"{"access_token":"a1","token_type":"bearer","expires_in":"3600"}"#,
        ),
        Reply::with(
            200,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            "access_token=a2&scope=repo%2Cgist&token_type=bearer",
        ),
        Reply::json(
            200,
            r#"{"access_token":"a3","expires_in":59.5,"scope":["x","y"]}"#,
        ),
    ];
    let rec = Recorder::start(replies, None).await;
    let tc = fast_client(RetryPolicy::none());
    let t1 = run(&rec, &tc).await.unwrap();
    assert_eq!(t1.access_token.expose(), "a1");
    assert!(t1.expires_at.is_some());
    let t2 = run(&rec, &tc).await.unwrap();
    assert_eq!(t2.scope, Some(vec!["repo,gist".to_string()]));
    let t3 = run(&rec, &tc).await.unwrap();
    assert_eq!(t3.scope, Some(vec!["x".to_string(), "y".to_string()]));
}

#[tokio::test]
async fn transient_failures_are_retried() {
    let rec = Recorder::start(
        vec![
            Reply::json(500, "{}"),
            Reply::with(
                502,
                &[("Content-Type", "text/html")],
                "<h1>bad gateway</h1>",
            ),
            Reply::json(429, ""),
            Reply::json(503, r#"{"error":"temporarily_unavailable"}"#),
            Reply::with(408, &[], ""),
            Reply::token("finally"),
        ],
        None,
    )
    .await;
    let t = run(&rec, &fast_client(quick_retries(6))).await.unwrap();
    assert_eq!(t.access_token.expose(), "finally");
    assert_eq!(rec.count(), 6);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let rec = Recorder::start(
        vec![
            Reply::with(503, &[("Retry-After", "1")], ""),
            Reply::token("ok"),
        ],
        None,
    )
    .await;
    let started = Instant::now();
    run(&rec, &fast_client(quick_retries(3))).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(rec.count(), 2);

    // A Retry-After beyond the total budget is not waited for.
    let rec = Recorder::start(vec![Reply::with(429, &[("Retry-After", "120")], "")], None).await;
    let started = Instant::now();
    let e = run(&rec, &fast_client(quick_retries(5))).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(rec.count(), 1);
    assert_eq!(e.status(), Some(429));
}

#[tokio::test]
async fn attempts_and_total_time_are_bounded() {
    let rec = Recorder::start(vec![], Some(Reply::json(503, "{}"))).await;
    let e = run(&rec, &fast_client(quick_retries(4))).await.unwrap_err();
    assert_eq!(rec.count(), 4);
    match &e {
        GrantError::RetriesExhausted { attempts: 4, last } => {
            assert!(matches!(**last, GrantError::Status { status: 503, .. }))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.hint(), Some(Hint::TryLater));

    let rec = Recorder::start(vec![], Some(Reply::json(500, "{}"))).await;
    let policy = RetryPolicy {
        max_attempts: 100,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(100),
        max_total: Duration::from_millis(450),
    };
    let started = Instant::now();
    run(&rec, &fast_client(policy)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    let n = rec.count();
    assert!((3..=10).contains(&n), "{n} attempts");
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for (reply, code) in [
        (
            Reply::json(
                400,
                r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#,
            ),
            OAuthErrorCode::InvalidGrant,
        ),
        (
            Reply::json(401, r#"{"error":"invalid_client"}"#),
            OAuthErrorCode::InvalidClient,
        ),
        (
            Reply::json(400, r#"{"error":"invalid_request"}"#),
            OAuthErrorCode::InvalidRequest,
        ),
        (
            Reply::json(200, r#"{"error":"invalid_grant"}"#),
            OAuthErrorCode::InvalidGrant,
        ),
    ] {
        let rec = Recorder::start(vec![reply], Some(Reply::token("never"))).await;
        let e = run(&rec, &fast_client(quick_retries(5))).await.unwrap_err();
        assert_eq!(rec.count(), 1, "{e}");
        assert_eq!(e.oauth_code(), Some(&code));
    }
    let rec = Recorder::start(vec![Reply::json(400, r#"{"error":"invalid_grant"}"#)], None).await;
    let e = run(&rec, &fast_client(quick_retries(5))).await.unwrap_err();
    assert!(e.is_invalid_grant());
    assert_eq!(e.hint(), Some(Hint::RunLogin));
    assert!(e.to_string().contains("run `connstr login`"), "{e}");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let rec = Recorder::start(vec![], None).await;
    let target = rec.url("/elsewhere");
    let rec2 = Recorder::start(
        vec![Reply::with(307, &[("Location", target.as_str())], "")],
        None,
    )
    .await;
    let e = run(&rec2, &fast_client(quick_retries(3)))
        .await
        .unwrap_err();
    assert!(matches!(e, GrantError::Redirect { status: 307 }), "{e:?}");
    assert_eq!(rec2.count(), 1);
    assert_eq!(rec.count(), 0, "the redirect target was requested");
    assert_eq!(e.hint(), Some(Hint::RedirectNotFollowed));
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let mut tc = fast_client(quick_retries(3));
    tc.body_limit = 1024;
    // With Content-Length.
    let big = format!(r#"{{"access_token":"{}"}}"#, "a".repeat(2000));
    let rec = Recorder::start(vec![Reply::json(200, &big)], None).await;
    let e = run(&rec, &tc).await.unwrap_err();
    assert!(
        matches!(e, GrantError::BodyTooLarge { limit: 1024 }),
        "{e:?}"
    );
    assert_eq!(rec.count(), 1);
    // Streamed without Content-Length: reading stops at the cap.
    let rec = Recorder::start(
        vec![Reply::Unbounded {
            status: 200,
            len: 50 << 20,
        }],
        None,
    )
    .await;
    let e = run(&rec, &tc).await.unwrap_err();
    assert!(matches!(e, GrantError::BodyTooLarge { .. }), "{e:?}");
}

#[tokio::test]
async fn get_refused_with_405_suggests_post() {
    let rec = Recorder::start(vec![Reply::with(405, &[("Allow", "POST")], "")], None).await;
    let tc = fast_client(quick_retries(3));
    let rt = Secret::new("rt");
    let e = tc
        .request_token(
            &endpoint(&rec, HttpMethod::Get),
            &client(ClientCredentialsMode::Basic),
            &GrantParams::RefreshToken { refresh_token: &rt },
            &[],
        )
        .await
        .unwrap_err();
    let want = format!("`TokenURI=POST {}`", rec.url("/oauth2/token"));
    assert!(e.to_string().contains(&want), "{e}");
    assert_eq!(rec.count(), 1);
}

#[tokio::test]
async fn mode_all_refused_suggests_basic() {
    let rec = Recorder::start(
        vec![Reply::json(
            401,
            r#"{"error":"invalid_client","error_description":"client authentication failed"}"#,
        )],
        None,
    )
    .await;
    let tc = fast_client(RetryPolicy::none());
    let e = tc
        .request_token(
            &endpoint(&rec, HttpMethod::Post),
            &client(ClientCredentialsMode::All),
            &GrantParams::ClientCredentials,
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(e.hint(), Some(Hint::ModeAllRefused));
    assert!(
        e.to_string().contains("try ClientCredentialsMode=Basic"),
        "{e}"
    );
}

/// Counts sends and delegates to reqwest: the client trait lets tests see
/// attempts that never reach a server.
struct Counting {
    inner: ReqwestClient,
    sent: AtomicUsize,
}

impl HttpClient for Counting {
    fn send<'a>(
        &'a self,
        request: &'a TokenRequest,
        body_limit: usize,
    ) -> BoxFuture<'a, Result<HttpResponse, GrantError>> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.send(request, body_limit)
    }
}

#[tokio::test]
async fn network_errors_and_timeouts_are_retried() {
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let counting = Arc::new(Counting {
        inner: ReqwestClient::new(Timeouts {
            connect: Duration::from_millis(500),
            total: Duration::from_millis(300),
        })
        .unwrap(),
        sent: AtomicUsize::new(0),
    });
    let mut tc = TokenClient::with_http(counting.clone());
    tc.retry = quick_retries(3);
    let ep = TokenEndpoint {
        method: HttpMethod::Post,
        url: url::Url::parse(&format!(
            "http://127.0.0.1:{port}/token?client_secret=in-url-SECRET"
        ))
        .unwrap(),
    };
    let e = tc
        .request_token(
            &ep,
            &client(ClientCredentialsMode::Url),
            &GrantParams::ClientCredentials,
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(counting.sent.load(Ordering::SeqCst), 3);
    let GrantError::RetriesExhausted { last, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(matches!(**last, GrantError::Network { .. }), "{last:?}");
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains("SECRET") && !shown.contains(&SECRET_ENC[..6]),
        "{shown}"
    );

    // A server that never answers: the total timeout fires, and is retried.
    let rec = Recorder::start(vec![], Some(Reply::Stall)).await;
    let counting = Arc::new(Counting {
        inner: ReqwestClient::new(Timeouts {
            connect: Duration::from_millis(500),
            total: Duration::from_millis(300),
        })
        .unwrap(),
        sent: AtomicUsize::new(0),
    });
    let mut tc = TokenClient::with_http(counting.clone());
    tc.retry = quick_retries(2);
    let e = run(&rec, &tc).await.unwrap_err();
    let GrantError::RetriesExhausted { attempts: 2, last } = &e else {
        panic!("{e:?}")
    };
    assert!(matches!(**last, GrantError::Timeout(_)), "{last:?}");
    assert_eq!(rec.count(), 2);

    // A hang-up is a network error too.
    let rec = Recorder::start(vec![Reply::Hangup], Some(Reply::token("after-hangup"))).await;
    let t = run(&rec, &fast_client(quick_retries(2))).await.unwrap();
    assert_eq!(t.access_token.expose(), "after-hangup");
    assert_eq!(rec.count(), 2);
}
