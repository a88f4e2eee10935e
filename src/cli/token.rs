//! `connstr token`: run a configuration's OAuth 2.0 grant through the token
//! store and describe the access token it yields; the token itself only with
//! `--show-token`.
//!
//! Also the pieces `connstr login` shares: choosing the one target, the token
//! store location, rendering grant errors with their hint, and scrubbing every
//! secret known to the run from anything printed.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use connstr::Secret;
use connstr::diagnostic::{Diagnostic, Severity};
use connstr::grant::{
    GrantError, MIN_SCRUB_LEN, Scrubber, SourceOptions, StoreChoice, StoredTokens, Token,
    TokenClient, TokenOrigin, TokenOutcome, TokenSource,
};
use connstr::plan::{Auth, AuthPlan, Grant, OAuth2Plan, Retain, Target, TargetKind};

use super::check::{self, Checked};
use super::render::{self, Format, Stream};
use super::{EXIT_PROBLEMS, EXIT_USAGE, InputArgs};

const LONG_ABOUT: &str = "\
Get an access token for one configuration (a connection string, a JDBC URL or a
DSN) by running its OAuth 2.0 grant, through the token store shared with other
connstr runs and connectors: a fresh access token already in the store is used
as is; otherwise the grant runs (refreshing with the newest refresh token the
store knows, which may be newer than the configuration's) and a rotated refresh
token is saved before anything else happens.

Prints the token type, when it expires (absolute time and seconds left), the
scope granted, where the token came from (fresh grant, store cache, refreshed,
configuration) and whether the refresh token rotated. The access token itself
is printed only with --show-token.

For AuthenticationMethod=Custom the Model file's `#authentication` steps run
against the service (variables filled in, values of one response used by the
next) and the credential they yield is reported with how it goes on data
requests (header or URL parameter), masked unless --show-token. It is kept in
memory only: every run logs in.

Inputs as for `connstr check`; exactly one target is needed: with an odbc.ini of
several data sources, name one with --dsn.

Token store: --token-store PATH, else $CONNSTR_TOKEN_STORE, else
~/.local/state/connstr/tokens.json (the XDG state directory).

Exit status: 0 token obtained, 1 the grant failed or the configuration has
errors (run `connstr check`), 2 bad usage or an I/O error.

Examples:
  connstr token --dsn sales
  connstr token -c 'AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;ClientSecret={…};TokenURI=POST https://as.example/token'
  connstr token --format json --show-token --dsn sales | jq -r .access_token
  connstr token --force-refresh --dsn sales";

/// Arguments of `connstr token`.
#[derive(clap::Args, Debug)]
#[command(long_about = LONG_ABOUT)]
pub struct TokenArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print the access token itself (it is a credential: mind your terminal history and logs).
    #[arg(long)]
    pub show_token: bool,
    /// The token store file (default: $CONNSTR_TOKEN_STORE, else the XDG state directory).
    #[arg(long, value_name = "PATH")]
    pub token_store: Option<PathBuf>,
    /// Do not use a cached access token: run the grant (refresh) now.
    #[arg(long)]
    pub force_refresh: bool,
}

// ------------------------------------------------------------ shared with login

/// How a command ends early: a message (or rendered diagnostics) and a code.
pub(super) struct Fail {
    /// Exit code.
    pub code: u8,
    /// What to print to standard error (already rendered).
    pub text: String,
    /// The same as a JSON error document, for `--format json`.
    pub json: Option<serde_json::Value>,
}

impl Fail {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        let message = message.into();
        Fail {
            code: EXIT_USAGE,
            json: Some(serde_json::json!({ "error": { "message": message, "hint": null } })),
            text: error_line(&message, None),
        }
    }

    /// Print it (JSON on standard output in JSON mode, else text on
    /// standard error) and return its exit code.
    pub fn finish(self, format: Format) -> ExitCode {
        match (format, &self.json) {
            (Format::Json, Some(j)) => {
                let _ = render::emit(Stream::Stdout, &render::to_json_line(j));
            }
            _ => {
                let _ = render::emit(Stream::Stderr, &self.text);
            }
        }
        ExitCode::from(self.code)
    }
}

/// `error: message` and `  = help: hint`, colored for standard error.
fn error_line(message: &str, hint: Option<&str>) -> String {
    let color = render::wants_color(Stream::Stderr);
    let (red, cyan, reset) = if color {
        ("\x1b[1;91m", "\x1b[1;96m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let mut out = format!("{red}error{reset}: {message}\n");
    if let Some(h) = hint {
        let _ = writeln!(out, "  = {cyan}help{reset}: {h}");
    }
    out
}

/// The one target of a run and its OAuth 2.0 plan.
pub(super) struct Resolved {
    /// The checked inputs (for secret scrubbing).
    pub checked: Checked,
    /// Index of the target in `checked.report.targets`.
    pub index: usize,
}

impl Resolved {
    /// The target.
    pub fn target(&self) -> &Target {
        &self.checked.report.targets[self.index]
    }

    /// Its plan (validated: present whenever [`resolve`] succeeded).
    pub fn plan(&self) -> Option<&AuthPlan> {
        self.target().plan.as_deref()
    }
}

/// Check the inputs and pick the one target: connection strings and JDBC URLs
/// when there are any, else the data sources (`--dsn` narrows them).
pub(super) fn resolve(args: &InputArgs, command: &str) -> Result<Resolved, Fail> {
    let checked = check::check_inputs(args, Retain::Everything).map_err(Fail::usage)?;
    let report = &checked.report;
    let strings: Vec<usize> = (0..report.targets.len())
        .filter(|&i| report.targets[i].kind != TargetKind::Dsn)
        .collect();
    let candidates: Vec<usize> = if strings.is_empty() {
        (0..report.targets.len()).collect()
    } else {
        strings
    };
    // Problems that belong to no target (an unknown --dsn, a broken file).
    let global: Vec<Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    let index = match candidates.as_slice() {
        [one] => *one,
        [] if !global.is_empty() => return Err(diagnostics_fail(&checked, &global)),
        [] => {
            return Err(Fail::usage(format!(
                "nothing to run `connstr {command}` for: give -c STRING, a FILE holding one, \
                 or --dsn NAME"
            )));
        }
        many => {
            let names: Vec<&str> = many
                .iter()
                .map(|&i| report.targets[i].name.as_str())
                .collect();
            return Err(Fail::usage(format!(
                "`connstr {command}` runs one configuration, and {} were given ({}): name one \
                 with --dsn NAME, or give a single -c STRING",
                names.len(),
                names.join(", ")
            )));
        }
    };
    let target = &report.targets[index];
    let errors: Vec<Diagnostic> = target
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .chain(global)
        .collect();
    if !errors.is_empty() || target.plan.is_none() {
        return Err(diagnostics_fail(&checked, &errors));
    }
    Ok(Resolved { checked, index })
}

/// The configuration has errors: render them (secrets masked), exit 1.
fn diagnostics_fail(checked: &Checked, diags: &[Diagnostic]) -> Fail {
    let sources = &checked.loaded.sources;
    let color = render::wants_color(Stream::Stderr);
    let mut text = render::human(sources, &checked.masks, diags, color);
    text.push_str(&error_line(
        "the configuration has errors; nothing was requested",
        Some("fix them first (`connstr check` shows every problem)"),
    ));
    let json = serde_json::json!({
        "error": {
            "message": "the configuration has errors; nothing was requested",
            "hint": "fix them first (`connstr check` shows every problem)",
        },
        "diagnostics": render::json_diagnostics(sources, &checked.masks, diags),
    });
    Fail {
        code: EXIT_PROBLEMS,
        text,
        json: Some(json),
    }
}

/// The plan's OAuth 2.0 part, or a usage error naming the method.
pub(super) fn oauth2<'p>(plan: &'p AuthPlan, command: &str) -> Result<&'p OAuth2Plan, Fail> {
    match &plan.auth {
        Auth::OAuth2(o) => Ok(o),
        _ => Err(Fail::usage(format!(
            "AuthenticationMethod={} does not use OAuth 2.0 tokens: nothing for `connstr {command}` to do",
            plan.method.name()
        ))),
    }
}

/// `--token-store PATH`, else the grant layer's default ($CONNSTR_TOKEN_STORE,
/// else the XDG state directory).
pub(super) fn store_choice(flag: Option<&PathBuf>) -> Result<StoreChoice, Fail> {
    match flag {
        // `--token-store redis://…` names the Redis store, as the variable does.
        Some(p) => match p.to_str() {
            Some(s) if connstr::grant::RedisConfig::is_redis_url(s) => {
                StoreChoice::named(s).map_err(|e| Fail::usage(e.to_string()))
            }
            _ => Ok(StoreChoice::At(p.clone())),
        },
        None => Ok(StoreChoice::Default),
    }
}

/// A single-threaded runtime for one command.
pub(super) fn runtime() -> Result<tokio::runtime::Runtime, Fail> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Fail::usage(format!("cannot start the async runtime: {e}")))
}

/// Every secret value a run knows, for scrubbing printed text (with the grant
/// layer's [`Scrubber`]: each secret in every encoding it may have been sent in).
#[derive(Default)]
pub(super) struct Secrets {
    values: Vec<String>,
    /// The client id and secret, also scrubbed as Basic credentials.
    basic: Option<(String, String)>,
}

impl Secrets {
    /// Remember `s` (values shorter than [`MIN_SCRUB_LEN`] bytes are not
    /// scrubbed: they would mangle ordinary words, and are not credentials
    /// worth the name).
    /// The transport's passwords (proxy, truststore, keystore, key).
    pub fn add_transport(&mut self, t: &connstr::plan::Transport) {
        for s in t.secrets() {
            self.add(Some(s));
        }
    }

    pub fn add(&mut self, s: Option<&Secret>) {
        if let Some(s) = s
            && s.expose().len() >= MIN_SCRUB_LEN
            && !self.values.iter().any(|x| x == s.expose())
        {
            self.values.push(s.expose().to_owned());
        }
    }

    /// The secrets of a plan: client secret (and the Basic credential made of
    /// it), refresh/access token, code, password, SecurityToken.
    pub fn of_plan(plan: &OAuth2Plan) -> Self {
        let mut s = Secrets::default();
        if let Some(client) = plan.grant.client()
            && let Some(secret) = &client.secret
        {
            s.add(Some(secret));
            s.basic = Some((client.id.clone(), secret.expose().to_owned()));
        }
        match &plan.grant {
            Grant::AccessToken {
                access_token,
                refresh,
            } => {
                s.add(Some(access_token));
                s.add(refresh.as_ref().and_then(|r| r.refresh_token.as_ref()));
            }
            Grant::RefreshToken(r) => s.add(r.refresh_token.as_ref()),
            Grant::AuthorizationCode { code, .. } => s.add(code.as_ref()),
            Grant::Password { password, .. } => s.add(Some(password)),
            Grant::JwtBearer { key, .. } => s.add(key.password.as_ref()),
            Grant::ClientCredentials { .. } => {}
        }
        s.add(plan.extra_header.as_ref().map(|h| &h.value));
        s
    }

    /// The tokens of a store entry.
    pub fn add_stored(&mut self, e: Option<&StoredTokens>) {
        if let Some(e) = e {
            self.add(e.refresh_token.as_ref());
            self.add(e.access_token.as_ref());
            self.add(e.client_secret.as_ref());
        }
    }

    /// The tokens of a token response.
    pub fn add_token(&mut self, t: &Token) {
        self.add(Some(&t.access_token));
        self.add(t.refresh_token.as_ref());
    }

    /// These secrets but `value` (what `--show-token` is asked to print).
    pub fn without(&self, value: &str) -> Secrets {
        Secrets {
            values: self
                .values
                .iter()
                .filter(|s| *s != value)
                .cloned()
                .collect(),
            basic: self.basic.clone(),
        }
    }

    /// `text` with every known secret, literal or encoded as it may have been
    /// sent (form-urlencoded, percent-encoded, inside the Basic credential),
    /// replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        let mut scrubber = Scrubber::new();
        if let Some((id, secret)) = &self.basic {
            scrubber.add_basic(id.as_str(), secret.as_str());
        }
        for s in &self.values {
            scrubber.add(s.as_str());
        }
        scrubber.scrub(text).into_owned()
    }
}

/// `connstr token` for an authorization code grant with no OAuthCode, no
/// AuthURI and nothing in the token store: the configuration expects the
/// application to supply the code at connect time.
fn no_code_fail() -> Fail {
    let message = "no authorization code: OAuthCode is not set and the token store holds no token for this configuration";
    let hint = "with AuthenticationMethod=OAuth2-AuthorizationCode the application supplies the code at connect time: pass the code the authorization server gave as OAuthCode (`connstr token -c \"DSN=…;OAuthCode=…\"`), or set AuthURI and run `connstr login`";
    Fail {
        code: EXIT_PROBLEMS,
        text: error_line(message, Some(hint)),
        json: Some(serde_json::json!({
            "error": {
                "message": message,
                "hint": hint,
                "oauth_error": null,
                "http_status": null,
            }
        })),
    }
}

/// A grant error as a [`Fail`]: its message, its hint on a line of its own,
/// secrets scrubbed (the grant layer keeps none; this is the last line of
/// defence). Exit 2 for token store I/O, 1 for everything else.
pub(super) fn grant_fail(e: &GrantError, secrets: &Secrets) -> Fail {
    let hint = e.hint().map(|h| secrets.scrub(&h.to_string()));
    let mut message = e.to_string();
    if let Some(h) = e.hint() {
        let suffix = format!(" (hint: {h})");
        if let Some(m) = message.strip_suffix(&suffix) {
            message = m.to_owned();
        }
    }
    let message = secrets.scrub(&message);
    let code = match e {
        GrantError::StoreIo { .. } | GrantError::NoStoreLocation => EXIT_USAGE,
        _ => EXIT_PROBLEMS,
    };
    let json = serde_json::json!({
        "error": {
            "message": message,
            "hint": hint,
            "oauth_error": e.oauth_code().map(|c| c.as_str().to_owned()),
            "http_status": e.status(),
        }
    });
    Fail {
        code,
        text: error_line(&message, hint.as_deref()),
        json: Some(json),
    }
}

/// `2026-11-23T16:34:52Z`.
pub(super) fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Whole seconds from now until `t` (negative when past).
pub(super) fn seconds_left(t: SystemTime, now: SystemTime) -> i64 {
    match t.duration_since(now) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// `https://as.example/token` without query or fragment (a query may carry a secret).
pub(super) fn bare_url(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_password(None);
    u.to_string()
}

// ------------------------------------------------------------ token

/// Where the access token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Came {
    /// A new grant at the token endpoint (no refresh token involved).
    FreshGrant,
    /// A fresh access token already in the token store.
    StoreCache,
    /// The refresh token grant.
    Refreshed,
    /// The configuration's AccessToken.
    Configuration,
}

impl Came {
    /// The CLI's name for the grant layer's [`TokenOrigin`]: a new source
    /// per run holds nothing of its own, so a cached token is the store's.
    fn of(origin: TokenOrigin) -> Self {
        match origin {
            TokenOrigin::Cache | TokenOrigin::StoreAdopted => Came::StoreCache,
            TokenOrigin::Refreshed => Came::Refreshed,
            TokenOrigin::FreshGrant => Came::FreshGrant,
            TokenOrigin::Configured => Came::Configuration,
        }
    }

    fn words(self, grant: &str) -> String {
        match self {
            Came::FreshGrant => format!("fresh grant ({grant}) at the token endpoint"),
            Came::StoreCache => "token store cache (still fresh; nothing requested)".to_owned(),
            Came::Refreshed => "refreshed (refresh_token grant) at the token endpoint".to_owned(),
            Came::Configuration => "the configuration's AccessToken".to_owned(),
        }
    }
}

/// `connstr token --format json`.
#[derive(Debug, Serialize)]
struct TokenReport {
    /// The target's name (DSN, file, `<-c 1>`).
    target: String,
    /// The grant the plan runs (`client_credentials`, `refresh_token`, …).
    grant: &'static str,
    /// The token's type (`Bearer`: the grant layer refuses other types).
    token_type: String,
    /// RFC 3339 UTC, or null when the server did not say.
    expires_at: Option<String>,
    /// Unix seconds, or null.
    expires_at_unix: Option<u64>,
    /// Seconds left, or null.
    expires_in: Option<i64>,
    /// Granted scopes, or null when the server did not say.
    scope: Option<Vec<String>>,
    /// Where the token came from.
    source: Came,
    /// Whether a refresh returned a new refresh token (saved to the store).
    refresh_token_rotated: bool,
    /// The token store file, or null when none is used.
    token_store: Option<String>,
    /// The access token with --show-token, else `<redacted>`.
    access_token: String,
}

/// Run `connstr token`.
pub fn run(args: TokenArgs) -> ExitCode {
    match token(&args) {
        Ok(text) => match render::emit(Stream::Stdout, &text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                render::cli_error(&format!("cannot write output: {e}"));
                ExitCode::from(EXIT_USAGE)
            }
        },
        Err(fail) => fail.finish(args.format),
    }
}

fn token(args: &TokenArgs) -> Result<String, Fail> {
    let resolved = resolve(&args.inputs, "token")?;
    let Some(plan) = resolved.plan() else {
        return Err(Fail::usage("no plan"));
    };
    if let Auth::Custom(c) = &plan.auth {
        return super::token_custom::token(args, &resolved, c, &plan.transport);
    }
    let oauth = oauth2(plan, "token")?;
    let mut secrets = Secrets::of_plan(oauth);
    secrets.add_transport(&plan.transport);
    let options = SourceOptions {
        store: store_choice(args.token_store.as_ref())?,
        client: Some(
            TokenClient::for_transport(&plan.transport).map_err(|e| grant_fail(&e, &secrets))?,
        ),
        ..SourceOptions::default()
    };
    let source =
        TokenSource::from_oauth2(oauth, plan.user.as_deref(), plan.dsn.as_deref(), options)
            .map_err(|e| grant_fail(&e, &secrets))?;
    // What the store holds before: its secrets are scrubbed from the output,
    // and --force-refresh rejects its access token.
    let rt = runtime()?;
    let before = rt
        .block_on(source.stored())
        .map_err(|e| grant_fail(&e, &secrets))?;
    secrets.add_stored(before.as_ref());

    let configured_at = match &oauth.grant {
        Grant::AccessToken { access_token, .. } => Some(access_token),
        _ => None,
    };
    let got: Result<(Arc<Token>, TokenOutcome), GrantError> = rt.block_on(async {
        let stale = before
            .as_ref()
            .and_then(|e| e.access_token.as_ref())
            .or(configured_at);
        match (args.force_refresh, stale) {
            (true, Some(at)) => source.refresh_rejected_with_outcome(at).await,
            _ => source.token_with_outcome().await,
        }
    });
    let (token, outcome) = got.map_err(|e| match (&e, &oauth.grant) {
        (
            GrantError::LoginRequired,
            Grant::AuthorizationCode {
                code: None,
                auth_uri: None,
                ..
            },
        ) => no_code_fail(),
        _ => grant_fail(&e, &secrets),
    })?;
    secrets.add_token(&token);

    let now = SystemTime::now();
    let shown = if args.show_token {
        token.access_token.expose().to_owned()
    } else {
        render::MASK.to_owned()
    };
    let report = TokenReport {
        target: resolved.target().name.clone(),
        grant: oauth.grant.name(),
        token_type: token.token_type.clone(),
        expires_at: token.expires_at.map(rfc3339),
        expires_at_unix: token.expires_at.map(|t| {
            t.duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or(Duration::ZERO)
                .as_secs()
        }),
        expires_in: token.expires_at.map(|t| seconds_left(t, now)),
        scope: token.scope.clone(),
        source: Came::of(outcome.origin),
        refresh_token_rotated: outcome.rotated,
        token_store: source.store_location(),
        access_token: shown,
    };
    // With --show-token the access token is the point; everything else is scrubbed.
    let printable = if args.show_token {
        secrets.without(token.access_token.expose())
    } else {
        secrets
    };
    let text = match args.format {
        Format::Json => render::to_json_line(&report),
        Format::Human => human(&report, oauth, args.show_token),
    };
    Ok(printable.scrub(&text))
}

fn human(r: &TokenReport, oauth: &OAuth2Plan, show: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "access token for {} ({} grant)", r.target, r.grant);
    let _ = writeln!(out, "  type:     {}", r.token_type);
    match (&r.expires_at, r.expires_in) {
        (Some(at), Some(left)) => {
            let _ = writeln!(out, "  expires:  {at} (in {left} s)");
        }
        _ => {
            let _ = writeln!(
                out,
                "  expires:  unknown (the server did not say; used until rejected)"
            );
        }
    }
    match &r.scope {
        Some(s) if !s.is_empty() => {
            let _ = writeln!(out, "  scope:    {}", s.join(" "));
        }
        Some(_) => {
            let _ = writeln!(out, "  scope:    (none)");
        }
        None => {
            let _ = writeln!(out, "  scope:    (not stated by the server)");
        }
    }
    let _ = writeln!(out, "  source:   {}", r.source.words(r.grant));
    let rotated = match (r.source, r.refresh_token_rotated) {
        (Came::Refreshed, true) => "yes (the new refresh token is saved in the token store)",
        (Came::Refreshed, false) => "no",
        _ => "no (no refresh)",
    };
    let _ = writeln!(out, "  rotated:  {rotated}");
    match &r.token_store {
        Some(p) => {
            let _ = writeln!(out, "  store:    {p}");
        }
        None => {
            let _ = writeln!(out, "  store:    none (nothing to keep for this grant)");
        }
    }
    if let Some(e) = oauth.grant.endpoint() {
        let _ = writeln!(out, "  endpoint: {} {}", method(e), bare_url(&e.url));
    }
    if show {
        let _ = writeln!(out, "  token:    {}", r.access_token);
    } else {
        let _ = writeln!(out, "  token:    {} (--show-token prints it)", render::MASK);
    }
    out
}

fn method(e: &connstr::plan::TokenEndpoint) -> &'static str {
    match e.method {
        connstr::plan::HttpMethod::Get => "GET",
        connstr::plan::HttpMethod::Post => "POST",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_utc() {
        let t = SystemTime::UNIX_EPOCH;
        assert_eq!(rfc3339(t), "1970-01-01T00:00:00Z");
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400 + 3661);
        assert_eq!(rfc3339(t), "2000-02-29T01:01:01Z");
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_451_692);
        assert_eq!(rfc3339(t), "2026-11-23T16:34:52Z");
    }

    #[test]
    fn seconds_left_is_signed() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
        assert_eq!(seconds_left(now + Duration::from_secs(5), now), 5);
        assert_eq!(seconds_left(now - Duration::from_secs(5), now), -5);
    }

    #[test]
    fn scrub_replaces_longest_first_and_skips_short() {
        let mut s = Secrets::default();
        s.add(Some(&Secret::new("abcd")));
        s.add(Some(&Secret::new("abcdefgh")));
        s.add(Some(&Secret::new("xy")));
        assert_eq!(
            s.scrub("1 abcdefgh 2 abcd xy"),
            "1 <redacted> 2 <redacted> xy"
        );
    }

    #[test]
    fn scrub_removes_encoded_forms_and_the_basic_credential() {
        let mut s = Secrets::default();
        s.add(Some(&Secret::new("pw d/1")));
        s.basic = Some(("app".into(), "cs+x;y".into()));
        s.add(Some(&Secret::new("cs+x;y")));
        let basic = connstr::grant::basic_credentials(
            "app",
            "cs+x;y",
            connstr::grant::BasicEncoding::FormUrlEncoded,
        );
        let text = format!("password=pw+d%2F1&p=pw%20d%2f1 {basic} client_secret=cs%2Bx%3By");
        assert_eq!(
            s.scrub(&text),
            "password=<redacted>&p=<redacted> <redacted> client_secret=<redacted>"
        );
        let shown = s.without("pw d/1").scrub(&text);
        assert!(shown.starts_with("password=pw+d%2F1&"), "{shown}");
        assert!(!shown.contains("Basic"), "{shown}");
    }

    #[test]
    fn grant_errors_keep_their_hint_on_its_own_line() {
        let e = GrantError::RefreshTokenDead {
            client_id: "app".into(),
        };
        let mut f = grant_fail(&e, &Secrets::default());
        f.text = strip_ansi(&f.text);
        assert_eq!(f.code, EXIT_PROBLEMS);
        assert!(f.text.contains("(invalid_grant)\n"), "{}", f.text);
        assert!(
            f.text.contains("help: the refresh token is dead"),
            "{}",
            f.text
        );
        assert!(f.text.contains("connstr login"), "{}", f.text);
    }

    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn bare_url_drops_query_and_password() {
        let u: url::Url = "https://u:pw@as.example/token?client_secret=s#f"
            .parse()
            .unwrap();
        assert_eq!(bare_url(&u), "https://u@as.example/token");
    }
}
