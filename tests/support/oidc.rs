//! Harness for the real OAuth 2.0 authorization server in `tests/oidc/` (npm `oidc-provider`).
//!
//! [`OidcServer::start`] spawns `node tests/oidc/server.mjs --port 0`, waits for its
//! `READY http://127.0.0.1:PORT` line and kills it on drop; every test gets its own server on
//! its own port, so tests run in parallel freely. Helpers drive the authorization code flow
//! headlessly (login + consent through oidc-provider's development interactions) to seed
//! refresh tokens, and read the server-side counters from `GET /__stats`.
//!
//! Needs `node` (20+) on `PATH` (or `CONNSTR_TEST_NODE=/path/to/node`) and `npm ci` run once in
//! `tests/oidc/`.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;
use sha2::Digest as _;
use url::Url;

/// How long [`OidcServer::start`] waits for the READY line (node start-up is ~0.3 s when idle).
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How many stderr lines of the server are kept for failure messages.
const STDERR_LINES: usize = 200;

/// A client registered in `tests/oidc/server.mjs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestClient {
    /// `client_id`.
    pub id: &'static str,
    /// `client_secret`; `None` for the public client (`token_endpoint_auth_method=none`).
    pub secret: Option<&'static str>,
}

/// Confidential client: authorization_code, refresh_token, client_credentials; loopback
/// redirect URIs on any port; client_secret_basic or client_secret_post.
pub const CONFIDENTIAL: TestClient = TestClient {
    id: "connstr-test",
    secret: Some("connstr-test-secret"),
};
/// Confidential client allowed only client_credentials.
pub const CLIENT_CREDENTIALS: TestClient = TestClient {
    id: "connstr-cc",
    secret: Some("connstr-cc-secret"),
};
/// Confidential client (client_credentials only) whose id and secret must be form-urlencoded
/// before Basic encoding (RFC 6749 §2.3.1); sent raw, the server answers 400 invalid_request.
pub const AWKWARD: TestClient = TestClient {
    id: "connstr awkward:id",
    secret: Some("p%ss w:rd+/=&;{}\"'!"),
};
/// Confidential web client registered only with [`WEB_REDIRECT_URI`] (not a loopback URL):
/// authorization_code, refresh_token.
pub const WEB: TestClient = TestClient {
    id: "connstr-web",
    secret: Some("connstr-web-secret"),
};
/// The web redirect [`WEB`] is registered with (seed 000's). Never connected to.
pub const WEB_REDIRECT_URI: &str = "https://www.getpostman.com/oauth2/callback";
/// Public native client (no secret, PKCE S256 required): authorization_code, refresh_token.
pub const PUBLIC: TestClient = TestClient {
    id: "connstr-public",
    secret: None,
};

/// Every scope the server knows: `openid` and `offline_access` (OpenID) and `api` (the
/// protected resource's scope, which is what access tokens carry).
pub const SCOPE: &str = "openid offline_access api";
/// A registered redirect URI. Any port on 127.0.0.1 (or `[::1]`) with path `/callback` is
/// accepted (RFC 8252 §7.3); nothing listens there, the headless flow stops before it.
pub const REDIRECT_URI: &str = "http://127.0.0.1:7/callback";
/// The login name the helpers sign in with (any name is an account; `sub` = the name).
pub const USER: &str = "alice";

/// How to start the server.
#[derive(Debug, Clone)]
pub struct OidcOptions {
    /// Lifetime of access tokens (all grants), seconds. Default 3600.
    pub access_token_ttl: Option<u64>,
    /// Lifetime of refresh tokens, seconds. Default 14 days.
    pub refresh_token_ttl: Option<u64>,
    /// Rotate the refresh token on every refresh (default `true`). Reusing a rotated one gives
    /// `invalid_grant` and revokes the whole grant.
    pub rotate_refresh_token: bool,
    /// Hold every `/token` request this long before handling it (default 0), to make
    /// concurrency tests overlap deterministically.
    pub token_delay_ms: u64,
}

impl Default for OidcOptions {
    fn default() -> Self {
        Self {
            access_token_ttl: None,
            refresh_token_ttl: None,
            rotate_refresh_token: true,
            token_delay_ms: 0,
        }
    }
}

/// Server-side counters from `GET /__stats`, counted since start or the last reset.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Stats {
    /// Requests that reached `/token` (any method, any outcome).
    pub token_requests: u64,
    /// `/token` requests by `grant_type` (`"none"` when absent or unparsable).
    pub by_grant_type: BTreeMap<String, u64>,
    /// `/token` responses by HTTP status (`"200"`, `"400"`, `"401"`, ...).
    pub by_status: BTreeMap<String, u64>,
    /// `/token` error responses by `error` code (`invalid_grant`, `invalid_client`, ...).
    pub by_error: BTreeMap<String, u64>,
    /// How clients presented credentials: `basic` (Authorization header), `post`
    /// (client_secret in the body) or `none`.
    pub client_auth: BTreeMap<String, u64>,
    /// Refresh requests that presented an already rotated refresh token (the grant is revoked).
    pub refresh_token_reuse: u64,
    /// Grants revoked (by reuse detection or revocation).
    pub grants_revoked: u64,
    /// `/token` requests being handled right now.
    pub in_flight: u64,
    /// Most `/token` requests handled at the same time.
    pub max_in_flight: u64,
}

impl Stats {
    /// Number of `/token` requests with this `grant_type`.
    pub fn grant(&self, grant_type: &str) -> u64 {
        self.by_grant_type.get(grant_type).copied().unwrap_or(0)
    }

    /// Number of `/token` error responses with this `error` code.
    pub fn error(&self, error: &str) -> u64 {
        self.by_error.get(error).copied().unwrap_or(0)
    }
}

/// A token endpoint response (RFC 6749 §5.1) as oidc-provider sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    /// The access token (opaque).
    pub access_token: String,
    /// The refresh token, when issued.
    pub refresh_token: Option<String>,
    /// Access token lifetime, seconds.
    pub expires_in: Option<u64>,
    /// Granted scope (access tokens carry `api`).
    pub scope: Option<String>,
    /// `Bearer`.
    pub token_type: String,
    /// ID token, when `openid` was granted.
    pub id_token: Option<String>,
}

/// A running `tests/oidc/server.mjs`; killed on drop.
pub struct OidcServer {
    child: Child,
    /// Held open: the server exits when it reaches end of file (if this process dies too).
    stdin: Option<ChildStdin>,
    base_url: String,
    port: u16,
    stderr: Arc<Mutex<VecDeque<String>>>,
    readers: Vec<JoinHandle<()>>,
}

/// Directory of the server: `tests/oidc` of the package, or of the workspace
/// root for a member crate that includes this module (`ffi/`).
pub fn server_dir() -> PathBuf {
    let package = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let own = package.join("tests").join("oidc");
    match package.parent() {
        Some(root) if !own.is_dir() => root.join("tests").join("oidc"),
        _ => own,
    }
}

impl OidcServer {
    /// Starts a server on a free port of 127.0.0.1 and waits until it accepts connections.
    ///
    /// Panics with a clear message if `node` or `tests/oidc/node_modules` is missing, or the
    /// server does not report READY within 30 s.
    pub fn start(opts: OidcOptions) -> OidcServer {
        let dir = server_dir();
        if !dir
            .join("node_modules/oidc-provider/package.json")
            .is_file()
        {
            panic!(
                "the OAuth test server's dependencies are not installed: run `npm ci` in {} \
                 (Node 20+ and npm needed)",
                dir.display()
            );
        }
        let node = std::env::var("CONNSTR_TEST_NODE").unwrap_or_else(|_| "node".to_owned());
        let mut cmd = Command::new(&node);
        cmd.current_dir(&dir)
            .arg("server.mjs")
            .args(["--port", "0"])
            .env_remove("OIDC_PORT")
            .env_remove("OIDC_ACCESS_TOKEN_TTL")
            .env_remove("OIDC_REFRESH_TOKEN_TTL")
            .env_remove("OIDC_ROTATE_REFRESH_TOKEN")
            .env_remove("OIDC_TOKEN_DELAY_MS")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(ttl) = opts.access_token_ttl {
            cmd.args(["--access-token-ttl", &ttl.to_string()]);
        }
        if let Some(ttl) = opts.refresh_token_ttl {
            cmd.args(["--refresh-token-ttl", &ttl.to_string()]);
        }
        cmd.arg(if opts.rotate_refresh_token {
            "--rotate"
        } else {
            "--no-rotate"
        });
        if opts.token_delay_ms > 0 {
            cmd.args(["--token-delay-ms", &opts.token_delay_ms.to_string()]);
        }
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) => panic!(
                "cannot run `{node}` for the OAuth test server ({e}); install Node.js 20+ or set \
                 CONNSTR_TEST_NODE"
            ),
        };
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr_pipe = child.stderr.take().expect("piped stderr");

        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let sink = Arc::clone(&stderr);
        let err_reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                let mut lines = sink.lock().unwrap_or_else(|p| p.into_inner());
                if lines.len() == STDERR_LINES {
                    lines.pop_front();
                }
                lines.push_back(line);
            }
        });
        let (tx, rx) = mpsc::channel();
        let out_reader = std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("READY ")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });

        let mut server = OidcServer {
            child,
            stdin,
            base_url: String::new(),
            port: 0,
            stderr,
            readers: vec![err_reader, out_reader],
        };
        match rx.recv_timeout(READY_TIMEOUT) {
            Ok(url) => {
                let port = Url::parse(&url)
                    .ok()
                    .and_then(|u| u.port())
                    .unwrap_or_else(|| panic!("OAuth test server printed a bad READY line: {url}"));
                server.base_url = url;
                server.port = port;
                server
            }
            Err(e) => {
                let why = match e {
                    mpsc::RecvTimeoutError::Timeout => "did not report READY in time",
                    mpsc::RecvTimeoutError::Disconnected => "exited before reporting READY",
                };
                server.stop();
                panic!(
                    "OAuth test server ({}) {why}; its stderr:\n{}",
                    dir.join("server.mjs").display(),
                    server.stderr_tail()
                );
            }
        }
    }

    /// Starts a server with [`OidcOptions::default`].
    pub fn start_default() -> OidcServer {
        Self::start(OidcOptions::default())
    }

    fn stop(&mut self) {
        self.stdin.take();
        let _ = self.child.kill();
        let _ = self.child.wait();
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }

    /// The issuer, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The token endpoint, `{base}/token` (POST only).
    pub fn token_url(&self) -> String {
        format!("{}/token", self.base_url)
    }

    /// The authorization endpoint, `{base}/auth`.
    pub fn auth_url(&self) -> String {
        format!("{}/auth", self.base_url)
    }

    /// The revocation endpoint (RFC 7009), `{base}/token/revocation`.
    pub fn revocation_url(&self) -> String {
        format!("{}/token/revocation", self.base_url)
    }

    /// The introspection endpoint (RFC 7662), `{base}/token/introspection`.
    pub fn introspection_url(&self) -> String {
        format!("{}/token/introspection", self.base_url)
    }

    /// `{base}/__stats`.
    pub fn stats_url(&self) -> String {
        format!("{}/__stats", self.base_url)
    }

    /// The confidential client's id ([`CONFIDENTIAL`]).
    pub fn client_id(&self) -> &'static str {
        CONFIDENTIAL.id
    }

    /// The confidential client's secret ([`CONFIDENTIAL`]).
    pub fn client_secret(&self) -> &'static str {
        CONFIDENTIAL.secret.unwrap_or_default()
    }

    /// The last lines the server wrote to stderr (warnings, one line per token request).
    pub fn stderr_tail(&self) -> String {
        let lines = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        lines.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// Reads the server-side counters.
    pub async fn stats(&self) -> Stats {
        let response = plain_client()
            .get(self.stats_url())
            .send()
            .await
            .expect("GET /__stats");
        assert!(
            response.status().is_success(),
            "GET /__stats: {}",
            response.status()
        );
        let body = response.bytes().await.expect("read /__stats");
        serde_json::from_slice(&body).expect("parse /__stats")
    }

    /// Zeroes the server-side counters.
    pub async fn reset_stats(&self) {
        let response = plain_client()
            .post(format!("{}/reset", self.stats_url()))
            .send()
            .await
            .expect("POST /__stats/reset");
        assert_eq!(response.status().as_u16(), 204, "POST /__stats/reset");
    }

    /// An authorization request URL for `client` (response_type=code, prompt=consent), with a
    /// PKCE S256 challenge when `code_challenge` is given.
    pub fn authorization_url(
        &self,
        client: &TestClient,
        redirect_uri: &str,
        scope: &str,
        state: &str,
        code_challenge: Option<&str>,
    ) -> String {
        let mut url = Url::parse(&self.auth_url()).expect("auth url");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", client.id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("scope", scope)
                .append_pair("state", state)
                .append_pair("prompt", "consent");
            if let Some(challenge) = code_challenge {
                q.append_pair("code_challenge", challenge)
                    .append_pair("code_challenge_method", "S256");
            }
        }
        url.into()
    }

    /// Sends a token request for `client` with these form parameters: Basic credentials
    /// (form-urlencoded, RFC 6749 §2.3.1) for a confidential client, `client_id` in the body
    /// for the public one. Returns the HTTP status and the JSON body.
    pub async fn token_request(
        &self,
        client: &TestClient,
        params: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let mut form: Vec<(&str, &str)> = params.to_vec();
        let mut request = plain_client().post(self.token_url());
        match client.secret {
            Some(secret) => {
                request = request.header("authorization", basic_auth(client.id, secret));
            }
            None => form.push(("client_id", client.id)),
        }
        let response = request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_encode(&form))
            .send()
            .await
            .expect("POST /token");
        let status = response.status().as_u16();
        let body = response.bytes().await.expect("read /token response");
        let json = serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!(
                "/token answered {status} with non-JSON ({e}): {}",
                String::from_utf8_lossy(&body)
            )
        });
        (status, json)
    }

    /// Runs the authorization code flow for the confidential client ([`CONFIDENTIAL`], scope
    /// [`SCOPE`], user [`USER`]) and returns the token response (with a refresh token).
    pub async fn obtain_tokens(&self) -> Tokens {
        self.code_flow(&CONFIDENTIAL).await
    }

    /// Runs the authorization code flow with PKCE for the public client ([`PUBLIC`]) and
    /// returns the token response (with a refresh token).
    pub async fn obtain_tokens_public(&self) -> Tokens {
        self.code_flow(&PUBLIC).await
    }

    /// A fresh refresh token of the confidential client ([`CONFIDENTIAL`]), from a complete
    /// authorization code flow. Each call makes a new grant.
    pub async fn obtain_refresh_token(&self) -> String {
        self.obtain_tokens()
            .await
            .refresh_token
            .expect("the server issues a refresh token with every code exchange")
    }

    async fn code_flow(&self, client: &TestClient) -> Tokens {
        let state = random_token();
        let (verifier, challenge) = pkce_pair();
        let auth = self.authorization_url(client, REDIRECT_URI, SCOPE, &state, Some(&challenge));
        let redirect = authorize_headless(&auth, USER)
            .await
            .unwrap_or_else(|e| panic!("headless authorization failed: {e}"));
        let query: BTreeMap<String, String> = redirect.query_pairs().into_owned().collect();
        assert_eq!(query.get("state"), Some(&state), "state round trip");
        let code = query
            .get("code")
            .unwrap_or_else(|| panic!("no code in the redirect; error={:?}", query.get("error")));
        let (status, json) = self
            .token_request(
                client,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", REDIRECT_URI),
                    ("code_verifier", &verifier),
                ],
            )
            .await;
        assert_eq!(status, 200, "code exchange failed: {json}");
        serde_json::from_value(json).expect("token response shape")
    }
}

impl Drop for OidcServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Follows an authorization request through oidc-provider's development interactions
/// (login as `login`, then consent) with a cookie-keeping client, and returns the final
/// redirect to the client's redirect URI (carrying `code` and `state`, or `error`) without
/// connecting to it. Errors describe the step that failed.
pub async fn authorize_headless(authorization_url: &str, login: &str) -> Result<Url, String> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("http client: {e}"))?;
    let mut current = Url::parse(authorization_url).map_err(|e| format!("bad url: {e}"))?;
    let origin = current.origin();
    let mut response = client
        .get(current.clone())
        .send()
        .await
        .map_err(|e| format!("GET {current}: {e}"))?;
    // login page, consent page, and the redirects between them: a handful of hops.
    for _ in 0..16 {
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| format!("{status} without Location from {current}"))?;
            let next = current
                .join(location)
                .map_err(|e| format!("bad Location {location:?}: {e}"))?;
            if next.origin() != origin {
                return Ok(next);
            }
            current = next;
            response = client
                .get(current.clone())
                .send()
                .await
                .map_err(|e| format!("GET {current}: {e}"))?;
            continue;
        }
        let body = response
            .text()
            .await
            .map_err(|e| format!("read {current}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{current} answered {status}: {body}"));
        }
        let form: Vec<(&str, &str)> = if body.contains(r#"name="prompt" value="login""#) {
            vec![("prompt", "login"), ("login", login)]
        } else if body.contains(r#"name="prompt" value="consent""#) {
            vec![("prompt", "consent")]
        } else {
            return Err(format!("unexpected page at {current}: {body}"));
        };
        // Both forms post back to the interaction URL itself.
        response = client
            .post(current.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_encode(&form))
            .send()
            .await
            .map_err(|e| format!("POST {current}: {e}"))?;
    }
    Err(format!("too many steps; last at {current}"))
}

/// A PKCE pair `(code_verifier, code_challenge)` for method S256 (RFC 7636).
pub fn pkce_pair() -> (String, String) {
    let verifier = random_token();
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&verifier));
    (verifier, challenge)
}

/// 32 random bytes, base64url: a state value or PKCE verifier.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("OS randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
pub fn basic_auth(id: &str, secret: &str) -> String {
    let pair = format!("{}:{}", form_component(id), form_component(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// `application/x-www-form-urlencoded` body from pairs.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn form_component(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}
