//! `connstr request`: one HTTP request to the REST API with the
//! configuration's authentication applied by the apply layer, exactly as an
//! embedding connector gets it.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use connstr::apply::{ApplyError, Authorizer};
use connstr::grant::SourceOptions;
use connstr::plan::{Auth, AuthPlan};

use super::render::{self, Format, Stream};
use super::token::{Fail, Secrets, grant_fail, resolve, runtime, store_choice};
use super::{EXIT_PROBLEMS, EXIT_USAGE, InputArgs};

const LONG_ABOUT: &str = "\
Send one HTTP request to the REST API with the configuration's authentication
applied exactly as the library's apply layer does for a connector: an OAuth 2.0
access token from the token store (run, refreshed or reused as `connstr token`
would), AuthHeader/SecurityToken, the URL parameter, Basic, Digest (challenge,
then counted nonces), AWS Signature Version 4.

The response body goes to standard output (known secrets in a text body are
masked); with -v the request line, the status and the response headers go to
standard error, credentials masked.

When the API answers 401, the credentials are renewed once (a refreshed token,
the Digest challenge or a stale nonce's replacement, a custom login's
#reauthentication) and the request is sent once more, as a driver does. A
custom login (AuthenticationMethod=Custom) runs the Model file's
#authentication steps first and sends the credential as its HEADER or PARAM
line says.

Inputs as for `connstr token`: exactly one configuration.

Exit status: 0 for a 2xx or 3xx answer (redirects are not followed), 1 for an
HTTP error status or a failed token grant or connection, 2 for configuration or
usage errors.

Examples:
  connstr request --dsn sales https://api.example/v1/accounts
  connstr request -c 'AuthenticationMethod=Digest;User=ann;Password={…}' -v https://api.example/v1/items
  connstr request --dsn sales -X POST -H 'Content-Type: application/json' -d '{\"name\":\"x\"}' https://api.example/v1/items
  connstr request --dsn sales -d @body.json https://api.example/v1/items";

/// Arguments of `connstr request`.
#[derive(clap::Args, Debug)]
#[command(long_about = LONG_ABOUT)]
pub struct RequestArgs {
    /// The URL to request.
    #[arg(value_name = "URL")]
    pub url: String,
    /// The HTTP method (default GET; POST when -d is given).
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,
    /// A request header (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// The request body; `@FILE` reads a file, `@-` standard input. Sets
    /// Content-Type: application/x-www-form-urlencoded unless -H gives one.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
    /// The token store file (default: $CONNSTR_TOKEN_STORE, else the XDG state directory).
    #[arg(long, value_name = "PATH")]
    pub token_store: Option<PathBuf>,
    /// Give up on the whole request after this many seconds (default: the
    /// configuration's WSTimeout, else the driver's default of 120 s).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    #[command(flatten)]
    pub inputs: InputArgs,
}

/// Run `connstr request`; `verbose` is the global -v count.
pub fn run(args: RequestArgs, verbose: u8) -> ExitCode {
    match request(&args, verbose) {
        Ok(code) => code,
        Err(fail) => fail.finish(Format::Human),
    }
}

/// The secrets of any plan (for masking what is printed).
fn plan_secrets(plan: &AuthPlan) -> Secrets {
    let mut s = auth_secrets(plan);
    s.add_transport(&plan.transport);
    s
}

fn auth_secrets(plan: &AuthPlan) -> Secrets {
    match &plan.auth {
        Auth::OAuth2(o) => Secrets::of_plan(o),
        other => {
            let mut s = Secrets::default();
            match other {
                Auth::Basic { password, .. } | Auth::Digest { password, .. } => {
                    s.add(Some(password))
                }
                Auth::BearerToken { token }
                | Auth::HttpHeader { token, .. }
                | Auth::UrlParameter { token, .. } => s.add(Some(token)),
                Auth::Aws { secret_key, .. } => s.add(Some(secret_key)),
                Auth::Custom(c) => return super::token_custom::secrets_of(c),
                _ => {}
            }
            s
        }
    }
}

fn apply_fail(e: &ApplyError, secrets: &Secrets) -> Fail {
    match e {
        ApplyError::Grant(g) => grant_fail(g, secrets),
        other => {
            let mut f = Fail::usage(secrets.scrub(&other.to_string()));
            f.code = match other {
                ApplyError::Send(_) | ApplyError::Sign(_) | ApplyError::Transport(_) => {
                    EXIT_PROBLEMS
                }
                _ => EXIT_USAGE,
            };
            f
        }
    }
}

fn parse_header(h: &str) -> Result<(reqwest::header::HeaderName, String), Fail> {
    let Some((name, value)) = h.split_once(':') else {
        return Err(Fail::usage(format!(
            "-H `{h}`: a header is written `Name: value`"
        )));
    };
    let name = reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| Fail::usage(format!("-H: `{}` is not a header name", name.trim())))?;
    Ok((name, value.trim().to_owned()))
}

fn read_body(data: &str) -> Result<Vec<u8>, Fail> {
    match data.strip_prefix('@') {
        Some("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Fail::usage(format!("-d @-: cannot read standard input: {e}")))?;
            Ok(buf)
        }
        Some(path) => std::fs::read(path)
            .map_err(|e| Fail::usage(format!("-d @{path}: cannot read the file: {e}"))),
        None => Ok(data.as_bytes().to_vec()),
    }
}

fn request(args: &RequestArgs, verbose: u8) -> Result<ExitCode, Fail> {
    let url: url::Url = args
        .url
        .parse()
        .map_err(|e| Fail::usage(format!("`{}` is not a URL: {e}", args.url)))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Fail::usage(format!(
            "`{}`: only http and https URLs can be requested",
            args.url
        )));
    }
    let body = args.data.as_deref().map(read_body).transpose()?;
    let method = match (&args.method, &body) {
        (Some(m), _) => reqwest::Method::from_bytes(m.to_ascii_uppercase().as_bytes())
            .map_err(|_| Fail::usage(format!("-X `{m}` is not an HTTP method")))?,
        (None, Some(_)) => reqwest::Method::POST,
        (None, None) => reqwest::Method::GET,
    };
    let mut headers = reqwest::header::HeaderMap::new();
    for h in &args.headers {
        let (name, value) = parse_header(h)?;
        let value = reqwest::header::HeaderValue::from_str(&value)
            .map_err(|_| Fail::usage(format!("-H {name}: the value cannot be sent")))?;
        headers.append(name, value);
    }
    if body.is_some() && !headers.contains_key(reqwest::header::CONTENT_TYPE) {
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
    }

    // A configuration that does not check is a configuration error (2).
    let resolved = resolve(&args.inputs, "request").map_err(|mut f| {
        f.code = EXIT_USAGE;
        f
    })?;
    let Some(plan) = resolved.plan() else {
        return Err(Fail::usage("no plan"));
    };
    let mut secrets = plan_secrets(plan);
    let options = SourceOptions {
        store: store_choice(args.token_store.as_ref())?,
        ..SourceOptions::default()
    };
    let authorizer = Authorizer::new(plan, options).map_err(|e| apply_fail(&e, &secrets))?;
    // The plan's proxy and TLS settings; its WSTimeout when given, else
    // --timeout when given, else the driver's default WSTimeout.
    let mut builder = connstr::transport::client_builder(&plan.transport)
        .map_err(|e| apply_fail(&ApplyError::Transport(e), &secrets))?;
    if !plan.transport.timeout_set
        && let Some(limit) = args.timeout
    {
        builder = builder.timeout(Duration::from_secs(limit.max(1)));
    }
    let client = builder
        .build()
        .map_err(|e| Fail::usage(format!("cannot set up the HTTP client: {e}")))?;
    let make = || {
        let mut rb = client
            .request(method.clone(), url.clone())
            .headers(headers.clone());
        if let Some(b) = &body {
            rb = rb.body(b.clone());
        }
        rb
    };

    let rt = runtime()?;
    let response = rt.block_on(async {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (rb, applied) = authorizer.authorize_reqwest(make()).await?;
            if let Some(t) = &applied.token {
                secrets.add_token(t);
            }
            if let Some(c) = &applied.custom {
                secrets.add(Some(&c.value));
            }
            let (c, req) = rb.build_split();
            let req = req.map_err(|e| ApplyError::Send(e.to_string()))?;
            if verbose > 0 {
                show_request(&req, &secrets);
            }
            let sent_to = req.url().clone();
            let resp = match c.execute(req).await {
                Ok(r) => r,
                Err(e) => {
                    return Err(
                        match connstr::transport::explain(&e, &sent_to, &plan.transport).await {
                            Some(t) => ApplyError::Transport(t),
                            None => {
                                ApplyError::Send(secrets.scrub(&connstr::apply::error_chain(&e)))
                            }
                        },
                    );
                }
            };
            // Through a proxy, a 401/407 may be the proxy refusing ProxyUser.
            if let Some(t) = connstr::transport::refusal(
                &plan.transport,
                &sent_to,
                resp.status().as_u16(),
                resp.headers(),
            )
            .await
            {
                return Err(ApplyError::Transport(t));
            }
            let www = resp
                .headers()
                .get_all(reqwest::header::WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
                .join(", ");
            let www = (!www.is_empty()).then_some(www);
            if attempt == 1
                && authorizer
                    .should_retry(&applied, resp.status().as_u16(), www.as_deref())
                    .await?
            {
                if verbose > 0 {
                    show_response(&resp, &secrets);
                    note("401: renewing the credentials and sending once more");
                }
                continue;
            }
            return Ok::<_, ApplyError>(resp);
        }
    });
    let response = response.map_err(|e| apply_fail(&e, &secrets))?;
    if verbose > 0 {
        show_response(&response, &secrets);
    }
    let status = response.status();
    let bytes = rt
        .block_on(response.bytes())
        .map_err(|e| apply_fail(&ApplyError::Send(connstr::apply::error_chain(&e)), &secrets))?;
    let out: Vec<u8> = match std::str::from_utf8(&bytes) {
        Ok(text) => secrets.scrub(text).into_bytes(),
        Err(_) => bytes.to_vec(),
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(&out).and_then(|()| stdout.flush()) {
        render::cli_error(&format!("cannot write output: {e}"));
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    Ok(if status.is_success() || status.is_redirection() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PROBLEMS)
    })
}

fn note(text: &str) {
    let _ = render::emit(Stream::Stderr, &format!("* {text}\n"));
}

/// Header names whose values are always masked in -v output.
fn always_masked(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "x-amz-security-token"
    )
}

fn show_request(req: &reqwest::Request, secrets: &Secrets) {
    let mut out = format!(
        "> {} {}\n",
        req.method(),
        secrets.scrub(&super::token::bare_url(req.url()))
    );
    for (n, v) in req.headers() {
        out.push_str(&format!("> {n}: {}\n", shown_value(n.as_str(), v, secrets)));
    }
    let _ = render::emit(Stream::Stderr, &out);
}

fn show_response(resp: &reqwest::Response, secrets: &Secrets) {
    let mut out = format!("< {:?} {}\n", resp.version(), resp.status());
    for (n, v) in resp.headers() {
        out.push_str(&format!("< {n}: {}\n", shown_value(n.as_str(), v, secrets)));
    }
    let _ = render::emit(Stream::Stderr, &out);
}

fn shown_value(name: &str, v: &reqwest::header::HeaderValue, secrets: &Secrets) -> String {
    let text = String::from_utf8_lossy(v.as_bytes());
    if always_masked(name) || v.is_sensitive() {
        match text.split_once(' ') {
            Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => {
                format!("{scheme} {}", render::MASK)
            }
            _ => render::MASK.to_owned(),
        }
    } else {
        secrets.scrub(&text)
    }
}
