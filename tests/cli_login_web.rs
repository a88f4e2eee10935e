//! `connstr login` with the web RedirectURI an app is registered with (seed 000, JMP's
//! `https://www.getpostman.com/oauth2/callback`), against the real oidc-provider test server:
//! the printed URL, followed headlessly as a browser would, lands on the redirect; pasting that
//! address completes the login; `connstr token` then works from the store. A forged state is
//! refused, a bare code is accepted, and nothing pasted is ever shown.

mod support;

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use proptest::prelude::*;
use serde_json::Value;
use support::cli::{self, text};
use support::lines::Lines;
use support::oidc::{OidcOptions, OidcServer, WEB, WEB_REDIRECT_URI, authorize_headless};

fn command(store: &Path, args: &[&str]) -> Command {
    let mut c = cli::command();
    c.args(args).env("CONNSTR_TOKEN_STORE", store);
    c
}

fn tempdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("tokens.json");
    (dir, store)
}

/// The configuration of seed 000's shape: a confidential client registered with a web redirect.
fn web_config(server: &OidcServer) -> String {
    format!(
        "AuthenticationMethod=OAuth2-AuthorizationCode;ClientID={};ClientSecret={};AuthURI={};\
         TokenURI=POST {};RedirectURI={WEB_REDIRECT_URI};User=Test User;\
         Scope=openid offline_access api",
        WEB.id,
        WEB.secret.unwrap(),
        server.auth_url(),
        server.token_url()
    )
}

/// A running `connstr login` (paste mode) with its authorization URL read from stderr.
struct Login {
    child: Child,
    url: String,
    stderr: Lines,
}

/// `log`: a CONNSTR_LOG directive for the run.
fn start_login(store: &Path, config: &str, log: Option<&str>) -> Login {
    let mut cmd = command(
        store,
        &["login", "--no-browser", "--timeout", "60", "-c", config],
    );
    if let Some(directive) = log {
        cmd.env("CONNSTR_LOG", directive);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn connstr login");
    let stderr = Lines::read(child.stderr.take().unwrap());
    let mut url = None;
    let mut prompt = false;
    let ready = stderr.until(Duration::from_secs(30), |t| {
        if t.starts_with("http://") && t.contains("response_type=code") {
            url = Some(t.to_owned());
        }
        prompt |= t.contains("paste it here");
        url.is_some() && prompt
    });
    let Some(url) = url.filter(|_| ready) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "no authorization URL and paste prompt on stderr:\n{}",
            stderr.all()
        );
    };
    Login { child, url, stderr }
}

impl Login {
    /// Paste `line` at the prompt and wait for the command to end.
    fn paste(mut self, line: &str) -> Output {
        {
            let mut stdin = self.child.stdin.take().unwrap();
            stdin.write_all(line.as_bytes()).unwrap();
            stdin.write_all(b"\n").unwrap();
        }
        let mut stdout = Vec::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_end(&mut stdout)
            .unwrap();
        let status = self.child.wait().unwrap();
        Output {
            status,
            stdout,
            stderr: self.stderr.all().into_bytes(),
        }
    }
}

fn param(url: &url::Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

fn store_entry(store: &Path) -> Value {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(store).unwrap()).unwrap();
    let entries = v["entries"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 1, "{v}");
    entries[0].clone()
}

#[tokio::test]
async fn a_web_redirect_login_is_completed_by_pasting_the_landing_address() {
    let server = OidcServer::start(OidcOptions::default());
    let (_dir, store) = tempdir();
    let config = web_config(&server);

    // check and explain accept the web RedirectURI and say how the login goes.
    let checked = command(&store, &["check", "-c", &config]).output().unwrap();
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked));
    assert!(
        !String::from_utf8_lossy(&checked.stdout).contains("RedirectURI"),
        "{}",
        text(&checked)
    );
    let explained = command(&store, &["explain", "-c", &config])
        .output()
        .unwrap();
    assert_eq!(explained.status.code(), Some(0), "{}", text(&explained));
    assert!(
        String::from_utf8_lossy(&explained.stdout)
            .contains("paste the address the browser lands on"),
        "{}",
        text(&explained)
    );

    let login = start_login(&store, &config, None);
    assert!(login.url.contains(&format!(
        "redirect_uri={}",
        url::form_urlencoded::byte_serialize(WEB_REDIRECT_URI.as_bytes()).collect::<String>()
    )));
    // The browser: log in and consent; it lands on the web redirect (never connected to).
    let landed = authorize_headless(&login.url, "alice").await.unwrap();
    assert_eq!(landed.host_str(), Some("www.getpostman.com"), "{landed}");
    assert_eq!(landed.path(), "/oauth2/callback");
    let auth_code = param(&landed, "code");
    let out = login.paste(landed.as_str());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("logged in: client `connstr-web`, user `Test User`"),
        "{stdout}"
    );
    assert!(stdout.contains("refresh token saved"), "{stdout}");

    // The JMP workflow: afterwards a string with only ClientID, TokenURI and User is served
    // from the store, and refreshes (the client secret was kept for it).
    let minimal = format!(
        "AuthenticationMethod=OAuth2;ClientID={};TokenURI=POST {};User=Test User",
        WEB.id,
        server.token_url()
    );
    let cached = command(&store, &["token", "--format", "json", "-c", &minimal])
        .output()
        .unwrap();
    assert_eq!(cached.status.code(), Some(0), "{}", text(&cached));
    let j: Value = serde_json::from_slice(&cached.stdout).unwrap();
    assert_eq!(j["source"], "store_cache", "{j}");
    let refreshed = command(
        &store,
        &[
            "token",
            "--format",
            "json",
            "--force-refresh",
            "-c",
            &minimal,
        ],
    )
    .output()
    .unwrap();
    assert_eq!(refreshed.status.code(), Some(0), "{}", text(&refreshed));
    let j: Value = serde_json::from_slice(&refreshed.stdout).unwrap();
    assert_eq!(j["source"], "refreshed", "{j}");

    let stats = server.stats().await;
    assert_eq!(stats.grant("authorization_code"), 1, "{stats:?}");
    assert_eq!(stats.grant("refresh_token"), 1, "{stats:?}");
    assert_eq!(stats.client_auth.get("basic"), Some(&2), "{stats:?}");

    let e = store_entry(&store);
    let secrets = [
        auth_code.as_str(),
        landed.as_str(),
        WEB.secret.unwrap(),
        e["refresh_token"].as_str().unwrap(),
        e["access_token"].as_str().unwrap(),
    ];
    for o in [&out, &cached, &refreshed, &checked, &explained] {
        let all = text(o);
        for s in secrets {
            assert!(!all.contains(s), "a secret leaked:\n{all}");
        }
    }
}

#[tokio::test]
async fn a_bare_code_is_accepted_and_a_forged_state_is_refused() {
    let server = OidcServer::start(OidcOptions::default());
    let config = web_config(&server);

    // The bare code, as some pages show it.
    let (_d1, store) = tempdir();
    let login = start_login(&store, &config, None);
    let landed = authorize_headless(&login.url, "alice").await.unwrap();
    let code = param(&landed, "code");
    let out = login.paste(&format!("  {code}  "));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains(&code), "{}", text(&out));

    // The whole address, but with another login's state: refused before any exchange.
    let (_d2, store) = tempdir();
    let login = start_login(&store, &config, None);
    let landed = authorize_headless(&login.url, "alice").await.unwrap();
    let code = param(&landed, "code");
    let mut forged = landed.clone();
    forged
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", "someone-elses-state");
    let out = login.paste(forged.as_str());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("state"), "{err}");
    assert!(!text(&out).contains(&code), "{}", text(&out));
    assert!(!store.exists(), "a refused login stored something");

    // An address somewhere else than RedirectURI is refused too.
    let (_d3, store) = tempdir();
    let login = start_login(&store, &config, None);
    let landed = authorize_headless(&login.url, "alice").await.unwrap();
    let mut elsewhere = landed.clone();
    elsewhere.set_host(Some("evil.example")).unwrap();
    let out = login.paste(elsewhere.as_str());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not an address at RedirectURI"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains(&param(&landed, "code")));

    let stats = server.stats().await;
    assert_eq!(stats.grant("authorization_code"), 1, "{stats:?}");
}

#[test]
fn nothing_pasted_is_a_clear_error() {
    let (_dir, store) = tempdir();
    // No server is needed: nothing is exchanged.
    let config = format!(
        "AuthenticationMethod=OAuth2-PKCE;ClientID=app;AuthURI=http://127.0.0.1:9/auth;\
         TokenURI=POST http://127.0.0.1:9/token;RedirectURI={WEB_REDIRECT_URI}"
    );
    let out = start_login(&store, &config, None).paste("");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing was pasted"),
        "{}",
        text(&out)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever is pasted — an address with a random code and state, its query alone, or a
    /// bare code — none of it is ever shown, whether the login refuses it or the exchange
    /// fails (the token endpoint is a closed port), at any log level.
    #[test]
    fn nothing_pasted_is_ever_shown(
        code in "[A-Za-z0-9_-]{12,40}",
        state in "[A-Za-z0-9_-]{8,30}",
        form in 0..4u8,
        level in prop::sample::select(vec!["error", "info", "debug", "trace"]),
    ) {
        let (_dir, store) = tempdir();
        let config = format!(
            "AuthenticationMethod=OAuth2-AuthorizationCode;ClientID=app;ClientSecret=s3cr3t-client;\
             AuthURI=http://127.0.0.1:9/auth;TokenURI=POST http://127.0.0.1:9/token;\
             RedirectURI={WEB_REDIRECT_URI}"
        );
        let login = start_login(&store, &config, Some(&format!("connstr={level}")));
        let pasted = match form {
            0 => format!("{WEB_REDIRECT_URI}?code={code}&state={state}"),
            1 => format!("?code={code}&state={state}"),
            2 => code.clone(),
            _ => format!("{WEB_REDIRECT_URI}?state={state}&code={code}&extra=1"),
        };
        let out = login.paste(&pasted);
        prop_assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let all = text(&out);
        prop_assert!(!all.contains(&code), "the code leaked:\n{}", all);
        prop_assert!(!all.contains(&state), "the state leaked:\n{}", all);
        prop_assert!(!all.contains("s3cr3t-client"), "the secret leaked:\n{}", all);
    }
}
