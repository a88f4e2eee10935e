//! No secret in any Display or Debug of the grant and apply layers, even when
//! a server echoes one back.

mod grant_support;
#[allow(dead_code)] // shared; this file uses part of it
#[path = "support/plans.rs"]
mod plans;

use std::time::Duration;

use connstr::Secret;
use connstr::apply::{Authorizer, OutgoingRequest};
use connstr::grant::{
    AuthorizationCode, GrantParams, PrepareOptions, RetryPolicy, SourceOptions, StoreChoice,
    StoreKey, TokenClient, TokenSource, TokenStore, prepare,
};
use connstr::plan::{
    Auth, AuthMethod, AuthPlan, Client, ClientCredentialsMode, ExtraHeader, Grant, HeaderName,
    HttpMethod, OAuth2Plan, RefreshGrant, TokenEndpoint,
};
use grant_support::{Recorder, Reply};

const CLIENT_SECRET: &str = "CS-7f3a9c-client-secret";
const REFRESH: &str = "RT-1b2c3d-refresh-token";
const ACCESS: &str = "AT-9e8d7c-access-token";
const PASSWORD: &str = "PW-hunter2-password";
const CODE: &str = "CODE-55aa-authorization";
const SECURITY: &str = "ST-0042-security-token";
const ALL: [&str; 6] = [CLIENT_SECRET, REFRESH, ACCESS, PASSWORD, CODE, SECURITY];

#[track_caller]
fn clean(what: &str, shown: &str) {
    for s in ALL {
        assert!(!shown.contains(s), "{what} shows a secret ({s}): {shown}");
        // nor its form-urlencoded or base64 prefix
        assert!(
            !shown.contains(&s[..10]),
            "{what} shows part of a secret ({s}): {shown}"
        );
    }
}

fn both<T: std::fmt::Display + std::fmt::Debug>(what: &str, v: &T) {
    clean(what, &format!("{v}"));
    clean(what, &format!("{v:?}"));
    clean(what, &format!("{v:#?}"));
}

fn tc() -> TokenClient {
    plans::token_client(
        Duration::from_millis(500),
        Duration::from_secs(2),
        RetryPolicy {
            max_attempts: 2,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(5),
            max_total: Duration::from_secs(5),
        },
    )
}

fn client(mode: ClientCredentialsMode) -> Client {
    Client {
        id: "app".into(),
        secret: Some(Secret::new(CLIENT_SECRET)),
        mode,
    }
}

#[tokio::test]
async fn errors_never_show_secrets() {
    // The server echoes back what it was sent (reply i answers grant i % 3).
    let sent = [REFRESH, PASSWORD, CODE];
    let echo = |i: usize| {
        let g = sent[i % 3];
        format!(
            r#"{{"error":"invalid_grant {g}","error_description":"bad {g} for {CLIENT_SECRET}","error_uri":"https://x/{g}"}}"#
        )
    };
    let replies = vec![
        Reply::json(400, &echo(0)),
        Reply::json(401, &echo(1).replace("invalid_grant", "invalid_client")),
        Reply::json(
            200,
            &format!(r#"{{"access_token":"{ACCESS}","token_type":"mac"}}"#),
        ),
        Reply::json(
            200,
            &format!(r#"{{"access_token":"{ACCESS}","expires_in":"soon {ACCESS}"}}"#),
        ),
        Reply::with(
            200,
            &[("Content-Type", "text/html")],
            &format!("<p>{ACCESS}</p>"),
        ),
        Reply::with(
            302,
            &[("Location", &format!("https://evil/?code={CODE}"))],
            "",
        ),
        Reply::with(404, &[], &format!("not found {REFRESH}")),
        Reply::json(
            200,
            &format!(r#"{{"access_token":"{}"}}"#, ACCESS.repeat(100_000)),
        ),
    ];
    let n = replies.len();
    let rec = Recorder::start(replies, None).await;
    let rt = Secret::new(REFRESH);
    let pw = Secret::new(PASSWORD);
    let code = Secret::new(CODE);
    let redirect = url::Url::parse("http://127.0.0.1:1/cb").unwrap();
    let grants = [
        GrantParams::RefreshToken { refresh_token: &rt },
        GrantParams::Password {
            username: "u",
            password: &pw,
        },
        GrantParams::AuthorizationCode {
            code: &code,
            redirect_uri: &redirect,
            code_verifier: None,
        },
    ];
    let mut tc = tc();
    tc.body_limit = 64 * 1024;
    for i in 0..n {
        for (method, mode) in [(HttpMethod::Get, ClientCredentialsMode::All)] {
            let ep = TokenEndpoint {
                method,
                url: rec.url("/token"),
            };
            let e = tc
                .request_token(&ep, &client(mode), &grants[i % grants.len()], &[])
                .await
                .unwrap_err();
            both(&format!("reply {i}"), &e);
            if let Some(h) = e.hint() {
                clean("hint", &h.to_string());
            }
        }
    }
    // Network failure with the secret in the URL (ClientCredentialsMode=Url).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ep = TokenEndpoint {
        method: HttpMethod::Get,
        url: format!("http://127.0.0.1:{port}/token").parse().unwrap(),
    };
    let e = tc
        .request_token(
            &ep,
            &client(ClientCredentialsMode::Url),
            &GrantParams::RefreshToken { refresh_token: &rt },
            &[],
        )
        .await
        .unwrap_err();
    both("network", &e);
}

#[tokio::test]
async fn store_and_source_errors_and_debug() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    std::fs::write(
        &path,
        format!(r#"{{"version":1,"tokens":[{{"refresh_token":{REFRESH}}}]}}"#),
    )
    .unwrap();
    let store = TokenStore::at(&path);
    let key = StoreKey::new(&"https://as/token".parse().unwrap(), "app", None, None);
    both("corrupt store", &store.get(&key).unwrap_err());

    std::fs::remove_file(&path).unwrap();
    {
        let lock = store.lock().await.unwrap();
        let stored = lock
            .update(&key, |t| {
                t.rotate(Secret::new(REFRESH));
                t.access_token = Some(Secret::new(ACCESS));
            })
            .unwrap();
        clean("StoredTokens", &format!("{stored:?}"));
    }
    let plan = OAuth2Plan {
        grant: Grant::AccessToken {
            access_token: Secret::new(ACCESS),
            refresh: Some(RefreshGrant {
                client: client(ClientCredentialsMode::Basic),
                endpoint: TokenEndpoint {
                    method: HttpMethod::Post,
                    url: "http://127.0.0.1:1/token".parse().unwrap(),
                },
                refresh_token: Some(Secret::new(REFRESH)),
                login: None,
            }),
        },
        chosen_because: None,
        scope: vec![],
        extra_header: Some(ExtraHeader {
            name: HeaderName::parse("X-Tenant").unwrap(),
            value: Secret::new(SECURITY),
        }),
    };
    let source = TokenSource::from_oauth2(
        &plan,
        None,
        None,
        SourceOptions {
            store: StoreChoice::At(path.clone()),
            client: Some(tc()),
            ..Default::default()
        },
    )
    .unwrap();
    clean("TokenSource", &format!("{source:?}"));
    let t = source.token().await.unwrap();
    clean("Token", &format!("{t:?}"));
    let e = source.refresh_rejected(&t.access_token).await.unwrap_err();
    both("refresh error", &e);

    let auth_plan = AuthPlan {
        method: AuthMethod::OAuth2,
        auth: Auth::OAuth2(plan),
        user: None,
        dsn: None,
        provenance: Default::default(),
        transport: Default::default(),
    };
    let auth = Authorizer::with_source(&auth_plan, source).unwrap();
    clean("Authorizer", &format!("{auth:?}"));
    let mut req = OutgoingRequest::new("GET", "https://api/x".parse().unwrap());
    let applied = auth.authorize(&mut req).await.unwrap();
    assert!(req.header("authorization").unwrap().contains(ACCESS));
    assert_eq!(req.header("x-tenant"), Some(SECURITY));
    clean("OutgoingRequest", &format!("{req:?}"));
    clean("Applied", &format!("{applied:?}"));

    let code = AuthorizationCode {
        code: Secret::new(CODE),
        code_verifier: Some(Secret::new(PASSWORD)),
        redirect_uri: "http://127.0.0.1:1/cb".parse().unwrap(),
    };
    clean("AuthorizationCode", &format!("{code:?}"));
    clean("TokenClient", &format!("{:?}", tc()));
}

#[test]
fn prepared_requests_in_every_mode() {
    let rt = Secret::new(REFRESH);
    let pw = Secret::new(PASSWORD);
    let code = Secret::new(CODE);
    let redirect = url::Url::parse("http://127.0.0.1:1/cb").unwrap();
    for method in [HttpMethod::Get, HttpMethod::Post] {
        for mode in [
            ClientCredentialsMode::All,
            ClientCredentialsMode::Basic,
            ClientCredentialsMode::Url,
            ClientCredentialsMode::Post,
        ] {
            for g in [
                GrantParams::RefreshToken { refresh_token: &rt },
                GrantParams::Password {
                    username: "u",
                    password: &pw,
                },
                GrantParams::AuthorizationCode {
                    code: &code,
                    redirect_uri: &redirect,
                    code_verifier: Some(&pw),
                },
            ] {
                let ep = TokenEndpoint {
                    method,
                    url: "https://as/token".parse().unwrap(),
                };
                let r = prepare(&ep, &client(mode), &g, &[], &PrepareOptions::default());
                clean("TokenRequest", &format!("{r:?}"));
                clean("TokenRequest::redacted", &r.redacted());
            }
        }
    }
}
