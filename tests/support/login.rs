//! `connstr login` driven headlessly: read the authorization URL from its
//! stderr, log in and consent at oidc-provider, deliver the redirect to its
//! loopback listener (directly, never through a proxy).

use std::io::Read as _;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use super::lines::Lines;
use super::oidc::authorize_headless;

/// Run `connstr login ARGS` and play the browser: read the authorization URL from its stderr,
/// log in and consent headlessly, deliver the redirect to its loopback listener.
/// Returns the command's output and the authorization code that went through it.
pub async fn login(store: &Path, config: &str) -> (Output, String) {
    let mut child = super::cli::command()
        .args(["login", "--no-browser", "--timeout", "60", "-c", config])
        .env("CONNSTR_TOKEN_STORE", store)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn connstr login");
    let stderr = Lines::read(child.stderr.take().unwrap());
    let mut url = None;
    stderr.until(Duration::from_secs(30), |t| {
        if t.starts_with("http://") && t.contains("response_type=code") {
            url = Some(t.to_owned());
        }
        url.is_some()
    });
    let Some(url) = url else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("no authorization URL on stderr:\n{}", stderr.all());
    };
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let redirect = authorize_headless(&url, "alice").await.unwrap();
    assert_eq!(redirect.host_str(), Some("127.0.0.1"), "{redirect}");
    assert_ne!(redirect.port(), Some(0), "{redirect}");
    let code_value = redirect
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned());
    let redirect_text = redirect.to_string();
    let page = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(redirect)
        .send()
        .await
        .unwrap();
    let page_status = page.status().as_u16();
    let page_text = page.text().await.unwrap();
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    let status = child.wait().unwrap();
    let stderr = stderr.all().into_bytes();
    let out = Output {
        status,
        stdout,
        stderr,
    };
    let Some(code_value) = code_value else {
        panic!(
            "no code in {redirect_text}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    assert_eq!(page_status, 200, "{page_text}");
    assert!(page_text.contains("Login complete"), "{page_text}");
    (out, code_value)
}
