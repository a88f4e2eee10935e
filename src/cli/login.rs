//! `connstr login`: the interactive authorization code grant (PKCE when
//! configured, and always for public clients) with a loopback redirect; the
//! refresh token goes to the token store, where `connstr token` and
//! connectors find it.

use std::fmt::Write as _;
use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use connstr::Secret;
use connstr::grant::{GrantError, LoginProblem, SourceOptions, TokenClient, TokenSource};
use connstr::plan::{Grant, OAuth2Plan, RefreshGrant};

use super::render::{self, Format, Stream};
use super::token::{
    Fail, Secrets, bare_url, grant_fail, oauth2, resolve, rfc3339, runtime, seconds_left,
    store_choice,
};
use super::{EXIT_USAGE, InputArgs};

const LONG_ABOUT: &str = "\
Log in interactively for one configuration: run the OAuth 2.0 authorization
code grant in a browser and save the refresh token in the token store, where
`connstr token` and connectors find it (keyed by TokenURI, ClientID and User,
else the DSN).

The configuration needs ClientID, AuthURI, TokenURI and RedirectURI, with
AuthenticationMethod=OAuth2-PKCE, OAuth2-AuthorizationCode, or legacy OAuth2.
PKCE (S256) is used when configured, and always for a client without a
ClientSecret.

The authorization URL is printed to standard error and opened in a browser
($BROWSER, else xdg-open or open; not with --no-browser). Then:

- RedirectURI a loopback URL with a port (http://127.0.0.1:PORT/callback; port
  0 picks a free one): connstr listens on that port until the browser comes
  back.
- Any other RedirectURI (the web address the app is registered with, e.g.
  https://www.getpostman.com/oauth2/callback; or a host without a browser):
  log in, let the browser land on RedirectURI (its page may not load), copy
  the whole address from the address bar and paste it at the prompt (standard
  input; not shown on a terminal). Its state is checked; a bare code is
  accepted too. The code is exchanged with exactly that RedirectURI.

Either way connstr gives up when --timeout passes.

Exit status: 0 logged in, 1 the login or the code exchange failed, 2 bad usage
or an I/O error.

Examples:
  connstr login --dsn sales
  connstr login --no-browser -c 'AuthenticationMethod=OAuth2-AuthorizationCode;ClientID=12ab;ClientSecret=…;AuthURI=https://example.com/services/oauth2/authorize;TokenURI=POST https://example.com/services/oauth2/token;RedirectURI=https://www.getpostman.com/oauth2/callback;User=Test User'
  connstr login --no-browser -c 'AuthenticationMethod=OAuth2-PKCE;ClientID=app;AuthURI=https://as.example/authorize;TokenURI=POST https://as.example/token;RedirectURI=http://127.0.0.1:8765/callback;Scope=offline_access api'";

/// Arguments of `connstr login`.
#[derive(clap::Args, Debug)]
#[command(long_about = LONG_ABOUT)]
pub struct LoginArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Do not try to open a browser; only print the URL.
    #[arg(long)]
    pub no_browser: bool,
    /// Give up when the browser has not come back after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
    /// The token store file (default: $CONNSTR_TOKEN_STORE, else the XDG state directory).
    #[arg(long, value_name = "PATH")]
    pub token_store: Option<PathBuf>,
}

/// Run `connstr login`.
pub fn run(args: LoginArgs) -> ExitCode {
    match login(&args) {
        Ok(text) => match render::emit(Stream::Stdout, &text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                render::cli_error(&format!("cannot write output: {e}"));
                ExitCode::from(EXIT_USAGE)
            }
        },
        Err(fail) => fail.finish(Format::Human),
    }
}

/// The plan to log in with: an authorization code plan with AuthURI as is;
/// legacy `OAuth2` that takes its refresh token from the store becomes one
/// when its plan has the login endpoints (AuthURI and RedirectURI set).
fn login_plan(oauth: &OAuth2Plan) -> Result<OAuth2Plan, Fail> {
    const NEEDS: &str = "`connstr login` needs an authorization code configuration: \
        AuthenticationMethod=OAuth2-PKCE (or OAuth2-AuthorizationCode, or OAuth2) with ClientID, \
        AuthURI, TokenURI and RedirectURI";
    match &oauth.grant {
        Grant::AuthorizationCode {
            auth_uri: Some(_), ..
        } => Ok(oauth.clone()),
        Grant::AuthorizationCode { auth_uri: None, .. } => Err(Fail::usage(format!(
            "{NEEDS}; AuthURI is not set (OAuthCode alone is exchanged by `connstr token`)"
        ))),
        Grant::RefreshToken(RefreshGrant {
            refresh_token: None,
            login: None,
            ..
        }) => Err(Fail::usage(format!(
            "{NEEDS}; AuthURI and RedirectURI are not both set"
        ))),
        Grant::RefreshToken(RefreshGrant {
            client,
            endpoint,
            refresh_token: None,
            login: Some(login),
        }) => Ok(OAuth2Plan {
            grant: Grant::AuthorizationCode {
                client: client.clone(),
                endpoint: endpoint.clone(),
                redirect_uri: login.redirect_uri.clone(),
                auth_uri: Some(login.auth_uri.clone()),
                code: None,
                pkce: login.pkce,
            },
            chosen_because: oauth.chosen_because.clone(),
            scope: oauth.scope.clone(),
            extra_header: oauth.extra_header.clone(),
        }),
        other => Err(Fail::usage(format!(
            "{NEEDS}; this configuration runs the {} grant",
            other.name()
        ))),
    }
}

fn note(text: &str) {
    let _ = render::emit(Stream::Stderr, text);
}

fn login(args: &LoginArgs) -> Result<String, Fail> {
    let resolved = resolve(&args.inputs, "login")?;
    let target = resolved.target();
    let Some(plan) = resolved.plan() else {
        return Err(Fail::usage("no plan"));
    };
    let oauth = login_plan(oauth2(plan, "login")?)?;
    let mut secrets = Secrets::of_plan(&oauth);
    secrets.add_transport(&plan.transport);
    let options = SourceOptions {
        store: store_choice(args.token_store.as_ref())?,
        client: Some(
            TokenClient::for_transport(&plan.transport).map_err(|e| grant_fail(&e, &secrets))?,
        ),
        ..SourceOptions::default()
    };
    let source =
        TokenSource::from_oauth2(&oauth, plan.user.as_deref(), plan.dsn.as_deref(), options)
            .map_err(|e| grant_fail(&e, &secrets))?;
    let timeout = Duration::from_secs(args.timeout);
    let rt = runtime()?;
    let session = rt
        .block_on(source.start_login())
        .map_err(|e| grant_fail(&e, &secrets))?;
    let url = session.authorize_url().to_string();
    note(&format!(
        "Log in for {} in a browser at this address:\n\n  {url}\n\n",
        target.name
    ));
    if !args.no_browser && open_browser(&url) {
        note("(opened in your browser)\n");
    }
    let token = if session.listens() {
        note(&format!(
            "Waiting for the browser to come back to {} (up to {} s; Ctrl-C cancels)…\n",
            bare_url(session.redirect_uri()),
            timeout.as_secs()
        ));
        rt.block_on(source.finish_login(session, timeout))
    } else {
        note(&format!(
            "After you log in, the browser goes to {} (that page may not load; that is fine).\n\
             Copy the whole address from the browser's address bar, paste it here and press \
             Enter (it is not shown; up to {} s):\n",
            bare_url(session.redirect_uri()),
            timeout.as_secs()
        ));
        match read_pasted(timeout) {
            Ok(pasted) => rt.block_on(source.finish_pasted_login(&session, pasted.expose())),
            Err(e) => Err(e),
        }
    };
    let token = token.map_err(|e| grant_fail(&e, &secrets))?;

    let mut out = String::new();
    let client = oauth.grant.client().map_or("", |c| c.id.as_str());
    let _ = write!(out, "logged in: client `{client}`");
    if let Some(u) = &plan.user {
        let _ = write!(out, ", user `{u}`");
    }
    if let Some(e) = oauth.grant.endpoint() {
        let _ = write!(out, " at {}", bare_url(&e.url));
    }
    out.push('\n');
    let store = source
        .store_location()
        .unwrap_or_else(|| "nowhere".to_owned());
    if token.refresh_token.is_some() {
        let _ = writeln!(out, "  refresh token saved in {store}");
    } else {
        let _ = writeln!(
            out,
            "  the server issued no refresh token: `connstr token` can use the access token \
             (saved in {store}) until it expires, then needs another login \
             (servers often issue one only for Scope=offline_access)"
        );
    }
    if let Some(at) = token.expires_at {
        let _ = writeln!(
            out,
            "  access token expires {} (in {} s)",
            rfc3339(at),
            seconds_left(at, SystemTime::now())
        );
    }
    if let Some(s) = &token.scope {
        let _ = writeln!(out, "  scope: {}", s.join(" "));
    }
    let _ = writeln!(out, "  next: `connstr token` with the same configuration");
    let mut scrub = secrets;
    scrub.add_token(&token);
    Ok(scrub.scrub(&out))
}

/// One line from standard input: what the person pasted. Not echoed when
/// standard input is a terminal; at most `timeout` of waiting. A secret from
/// the moment it is read.
fn read_pasted(timeout: Duration) -> Result<Secret, GrantError> {
    let (tx, rx) = mpsc::channel();
    // A thread of its own: a read from a terminal cannot be cancelled, and the
    // process ends (with the thread) when the login gives up.
    std::thread::spawn(move || {
        let line = if std::io::stdin().is_terminal() {
            rpassword::read_password()
        } else {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map(|_| line)
        };
        let _ = tx.send(line.map(Secret::new));
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(line)) => Ok(line),
        // An unreadable standard input is as good as an empty one.
        Ok(Err(_)) => Err(GrantError::Login(LoginProblem::NothingPasted)),
        Err(_) => Err(GrantError::Login(LoginProblem::TimedOut(timeout))),
    }
}

/// Try to open `url` in a browser: `$BROWSER` (the first of a `:`-separated
/// list; `%s` is replaced by the URL), else `xdg-open` (`open` on macOS).
/// Whether a program was started; failures are silent.
fn open_browser(url: &str) -> bool {
    let (program, args): (String, Vec<String>) = match std::env::var("BROWSER") {
        Ok(b) if !b.trim().is_empty() => {
            let first = b.split(':').next().unwrap_or_default().trim().to_owned();
            let mut words = first.split_whitespace().map(str::to_owned);
            let Some(program) = words.next() else {
                return false;
            };
            let mut args: Vec<String> = words.collect();
            if args.iter().any(|a| a.contains("%s")) {
                for a in &mut args {
                    *a = a.replace("%s", url);
                }
            } else {
                args.push(url.to_owned());
            }
            (program, args)
        }
        _ if cfg!(target_os = "macos") => ("open".to_owned(), vec![url.to_owned()]),
        _ => ("xdg-open".to_owned(), vec![url.to_owned()]),
    };
    let child = Command::new(&program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match child {
        Ok(mut c) => {
            // Reap it whenever it ends; never wait for it here.
            std::thread::spawn(move || {
                let _ = c.wait();
            });
            true
        }
        Err(_) => false,
    }
}
