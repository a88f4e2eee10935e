//! A token store written by connstr's previous format (1) is read, migrated to
//! format 2 on first use, and its refresh token used — rotated-away refresh
//! tokens of the old lineage are still recognised. The fixture
//! `fixtures/store/tokens-v1.json` was written by the previous release's
//! `TokenStore` (see `fixtures/store/README.md`); only its token URL is pointed
//! at the recording server here.

mod grant_support;
#[allow(dead_code)] // shared; this file uses part of it
#[path = "support/plans.rs"]
mod plans;

use std::path::Path;
use std::time::Duration;

use connstr::Secret;
use connstr::grant::{SourceOptions, StoreChoice, StoreKey, TokenOrigin, TokenSource, TokenStore};
use connstr::plan::OAuth2Plan;
use grant_support::{Recorder, Reply};

const FIXTURE: &str = include_str!("../fixtures/store/tokens-v1.json");
const OLD_URL: &str = "https://login.example.com/oauth2/v1/token";

fn v1_store_at(dir: &Path, token_url: &url::Url) -> std::path::PathBuf {
    let path = dir.join("tokens.json");
    std::fs::write(&path, FIXTURE.replace(OLD_URL, token_url.as_str())).unwrap();
    path
}

fn plan(url: &url::Url, secret: Option<&str>, refresh_token: Option<&str>) -> OAuth2Plan {
    plans::refresh_plan(
        plans::basic_client("jmp-desktop", secret),
        url.clone(),
        refresh_token,
    )
}

fn source(plan: &OAuth2Plan, store: &Path) -> TokenSource {
    TokenSource::from_oauth2(
        plan,
        Some("alice"),
        None,
        SourceOptions {
            margin: Duration::from_secs(60),
            store: StoreChoice::At(store.to_owned()),
            client: None,
        },
    )
    .unwrap()
}

fn rotated(rt: &str, at: &str) -> Reply {
    Reply::json(
        200,
        &format!(
            r#"{{"access_token":"{at}","token_type":"Bearer","expires_in":3600,"refresh_token":"{rt}"}}"#
        ),
    )
}

#[tokio::test]
async fn a_format_1_store_is_migrated_and_its_refresh_token_used() {
    let rec = Recorder::start(vec![rotated("rt-new-0004", "at-new-0004")], None).await;
    let url = rec.url("/oauth2/v1/token");
    let dir = tempfile::tempdir().unwrap();
    let path = v1_store_at(dir.path(), &url);

    // Reading it (unlocked) works before any migration.
    let store = TokenStore::at(&path);
    let key = StoreKey::new(&url, "jmp-desktop", Some("alice"), None);
    let before = store.get(&key).unwrap().unwrap();
    assert_eq!(
        before.refresh_token.as_ref().map(Secret::expose),
        Some("rt-current-0003")
    );

    // The stripped string (ClientID, TokenURI, User) finds the old entry; the
    // expired access token is not used, the refresh token is.
    let s = source(&plan(&url, Some("jmp-secret"), None), &path);
    let (token, outcome) = s.token_with_outcome().await.unwrap();
    assert_eq!(outcome.origin, TokenOrigin::Refreshed);
    assert!(outcome.rotated);
    assert_eq!(token.access_token.expose(), "at-new-0004");
    let sent = rec.requests();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].body_str().contains("refresh_token=rt-current-0003"),
        "{}",
        sent[0].body_str()
    );

    // Now format 2, every entry kept, the old lineage continued in one entry.
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(v["version"], 2, "{v}");
    assert!(v["fingerprint_key"].as_str().is_some_and(|k| k.len() == 64));
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{v}");
    let alice: Vec<_> = entries.iter().filter(|e| e["user"] == "alice").collect();
    assert_eq!(alice.len(), 1, "{v}");
    assert_eq!(alice[0]["refresh_token"], "rt-new-0004");
    // The server accepted this configuration: the entry learned its identity
    // and keeps the client secret beside the refresh token.
    assert_eq!(alice[0]["grant"], "refresh_token");
    assert_eq!(alice[0]["method"], "POST");
    assert!(
        alice[0]["client_credentials"]
            .as_str()
            .unwrap()
            .starts_with("hmac-sha256:")
    );
    assert_eq!(alice[0]["client_secret"], "jmp-secret");
    let bob: Vec<_> = entries.iter().filter(|e| e["user"] == "bob").collect();
    assert_eq!(bob[0]["refresh_token_dead"], true);
    assert_eq!(bob[0]["refresh_token"], "rt-bob-dead-0001");
    let dsn: Vec<_> = entries.iter().filter(|e| e["dsn"] == "Reporting").collect();
    assert_eq!(dsn[0]["access_token"], "at-cc-0001");
}

#[tokio::test]
async fn a_refresh_token_retired_under_format_1_still_finds_its_lineage() {
    let rec = Recorder::start(vec![rotated("rt-new-0004", "at-new-0004")], None).await;
    let url = rec.url("/oauth2/v1/token");
    let dir = tempfile::tempdir().unwrap();
    let path = v1_store_at(dir.path(), &url);
    // The configuration still holds the refresh token `connstr login` gave two
    // rotations ago: the store's newest of that lineage is sent instead.
    let s = source(
        &plan(&url, Some("jmp-secret"), Some("rt-login-0001")),
        &path,
    );
    let (_, outcome) = s.token_with_outcome().await.unwrap();
    assert_eq!(outcome.origin, TokenOrigin::Refreshed);
    let body = rec.requests()[0].body_str().to_owned();
    assert!(body.contains("refresh_token=rt-current-0003"), "{body}");
    // After the migration the retired token is still known to the lineage.
    let store = TokenStore::at(&path);
    let key = StoreKey::new(&url, "jmp-desktop", Some("alice"), None);
    let e = store.get(&key).unwrap().unwrap();
    assert!(e.has_retired(&Secret::new("rt-login-0001")));
    assert!(e.has_retired(&Secret::new("rt-current-0003")));
}

/// The CLI on a format 1 store: `connstr token` with the stripped string.
#[tokio::test]
async fn connstr_token_migrates_a_format_1_store() {
    let rec = Recorder::start(vec![rotated("rt-new-0004", "at-new-0004")], None).await;
    let url = rec.url("/oauth2/v1/token");
    let dir = tempfile::tempdir().unwrap();
    let path = v1_store_at(dir.path(), &url);
    let conn =
        format!("AuthenticationMethod=OAuth2;ClientID=jmp-desktop;TokenURI=POST {url};User=alice");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_connstr"))
            .args(["token", "--format", "json", "-c", &conn])
            .env("CONNSTR_TOKEN_STORE", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(j["source"], "refreshed", "{j}");
    assert!(
        rec.requests()[0]
            .body_str()
            .contains("refresh_token=rt-current-0003")
    );
    for secret in ["rt-current-0003", "rt-new-0004", "at-new-0004"] {
        assert!(!stdout.contains(secret) && !String::from_utf8_lossy(&out.stderr).contains(secret));
    }
}
