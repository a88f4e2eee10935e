//! OAuth 2 plans and token clients built by hand for the in-process grant
//! tests.
//!
//! Not declared in `support/mod.rs`: connstr-ffi's tests include that module
//! and know the library under another name. Include this file with
//! `#[path = "support/plans.rs"] mod plans;`.

use std::sync::Arc;
use std::time::Duration;

use connstr::Secret;
use connstr::grant::{ReqwestClient, RetryPolicy, Timeouts, TokenClient};
use connstr::plan::{
    Client, ClientCredentialsMode, Grant, HttpMethod, OAuth2Plan, RefreshGrant, TokenEndpoint,
};

/// A client authenticating with HTTP Basic; without `secret`, a public
/// client.
pub fn basic_client(id: &str, secret: Option<&str>) -> Client {
    Client {
        id: id.into(),
        secret: secret.map(Secret::new),
        mode: ClientCredentialsMode::Basic,
    }
}

/// The refresh token grant of `client` at `POST token_url`, no scope; with
/// `refresh_token` None the refresh token comes from the token store.
pub fn refresh_plan(
    client: Client,
    token_url: url::Url,
    refresh_token: Option<&str>,
) -> OAuth2Plan {
    OAuth2Plan {
        grant: Grant::RefreshToken(RefreshGrant {
            client,
            endpoint: TokenEndpoint {
                method: HttpMethod::Post,
                url: token_url,
            },
            refresh_token: refresh_token.map(Secret::new),
            login: None,
        }),
        chosen_because: None,
        scope: vec![],
        extra_header: None,
    }
}

/// A token client over reqwest with these timeouts and retries.
pub fn token_client(connect: Duration, total: Duration, retry: RetryPolicy) -> TokenClient {
    let http = ReqwestClient::new(Timeouts { connect, total }).expect("reqwest client");
    let mut tc = TokenClient::with_http(Arc::new(http));
    tc.retry = retry;
    tc
}
