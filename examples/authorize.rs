//! Authorize an outgoing API request from a connection string.
//!
//! ```text
//! cargo run --example authorize -- [CONNECTION-STRING] [API-URL] [--send]
//! ```
//!
//! Checks the connection string, builds the auth plan, and shows the request
//! with its credentials (secrets redacted). Without arguments it uses a
//! self-contained `HttpHeader` example that needs no network. For OAuth 2.0
//! strings the token comes from the token endpoint (and the token store:
//! `$CONNSTR_TOKEN_STORE` or `~/.local/state/connstr/tokens.json`). `--send`
//! sends the request too, refreshing once if the API answers `invalid_token`.

use connstr::apply::{Authorizer, OutgoingRequest, send_with_refresh};
use connstr::grant::SourceOptions;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let send = args.iter().any(|a| a == "--send");
    let mut positional = args.iter().filter(|a| !a.starts_with("--"));
    let conn = positional.next().map(String::as_str).unwrap_or(
        "AuthenticationMethod=HttpHeader;AuthHeader=X-Api-Key;SecurityToken={k3y;with;semicolons}",
    );
    let api = positional
        .next()
        .map(String::as_str)
        .unwrap_or("https://api.example.com/v1/items?limit=10");

    let (_sources, report) = connstr::plan::check_text("<example>", conn);
    for d in report.all_diagnostics() {
        eprintln!("{:?}: {} [{}]", d.severity, d.message, d.lint);
    }
    let Some(plan) = report.targets.first().and_then(|t| t.plan.clone()) else {
        eprintln!("the connection string has errors: no plan");
        std::process::exit(1);
    };
    println!("method: {}", plan.method.name());

    let authorizer = Authorizer::new(&plan, SourceOptions::default())?;
    let mut request = OutgoingRequest::new("GET", api.parse()?);
    authorizer.authorize(&mut request).await?;
    println!("{request:#?}");

    if send {
        let http = reqwest::Client::new();
        let url = request.url.clone();
        let response = send_with_refresh(&authorizer, || http.get(url.clone())).await?;
        println!("API answered {}", response.status());
    }
    Ok(())
}
