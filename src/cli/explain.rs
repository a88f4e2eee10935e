//! `connstr explain`: the resolved auth plan of each DSN or string, in words
//! or JSON, with where every value came from. Secrets show as `<redacted>`.

use std::fmt::Write as _;
use std::process::ExitCode;

use connstr::REDACTED;
use connstr::diagnostic::{Diagnostic, Severity, Sources};
use connstr::plan::{
    Auth, AuthPlan, ClientCredentialsMode, Grant, HttpMethod, OAuth2Plan, Origin, Retain, Target,
    TargetKind, TokenEndpoint,
};
use connstr::report::json::{self, http, mode_name, target_secrets};

use super::check::{self, Checked};
use super::levels::Levels;
use super::render::{self, Format, Masks, Stream};
use super::{EXIT_PROBLEMS, EXIT_USAGE, InputArgs};

/// The long help of the subcommand.
pub const LONG_ABOUT: &str = "\
Explain what each data source, connection string or JDBC URL really means: the
authentication method, for OAuth 2.0 which grant runs and (for the legacy
AuthenticationMethod=OAuth2) why that one was chosen, the token endpoint and
whether it is requested with GET or POST, how the client credentials travel,
the client id, scope, extra header, and where each value came from (file:line,
or the -c string). Secret values are shown as <redacted>.

When a plan is invalid, its diagnostics are shown instead and the exit status
is 1. Inputs are read as `connstr check` reads them.

Examples:
  connstr explain --ini ~/.odbc.ini --dsn sales
  connstr explain -c 'DSN=sales;Scope=reports.read'
  connstr explain --format json -c 'jdbc:datadirect:autorest:AuthenticationMethod=OAuth2;...'
  connstr explain --last-wins conn.txt";

/// Arguments of `connstr explain`.
#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// One row of a human explanation: label, value, option it came from.
struct Row {
    label: &'static str,
    value: String,
    option: Option<&'static str>,
}

fn row(label: &'static str, value: impl Into<String>, option: Option<&'static str>) -> Row {
    Row {
        label,
        value: value.into(),
        option,
    }
}

fn mode_words(m: ClientCredentialsMode) -> &'static str {
    match m {
        ClientCredentialsMode::All => "in a Basic header and as URL parameters",
        ClientCredentialsMode::Basic => "in a Basic header",
        ClientCredentialsMode::Url => "as URL parameters",
        ClientCredentialsMode::Post => "in the POST body",
    }
}

fn endpoint_words(e: &TokenEndpoint) -> String {
    let note = match e.method {
        HttpMethod::Get => "  (GET: DataDirect's default; OAuth 2.0 requires POST)",
        HttpMethod::Post => "",
    };
    format!("{} {}{note}", http(e.method), e.url)
}

fn grant_words(g: &Grant) -> &'static str {
    match g {
        Grant::AccessToken { refresh: None, .. } => "a given access token",
        Grant::AccessToken {
            refresh: Some(_), ..
        } => "a given access token, then the refresh token grant once it expires",
        Grant::RefreshToken(_) => "refresh token grant",
        Grant::ClientCredentials { .. } => "client credentials grant",
        Grant::AuthorizationCode { pkce: true, .. } => "authorization code grant with PKCE",
        Grant::AuthorizationCode { .. } => "authorization code grant",
        Grant::Password { .. } => "resource owner password grant",
        Grant::JwtBearer { .. } => "JWT bearer grant (RFC 7523)",
    }
}

fn secret_or_none(present: bool) -> String {
    if present {
        REDACTED.to_owned()
    } else {
        "(none: a public client)".to_owned()
    }
}

fn oauth_rows(o: &OAuth2Plan, rows: &mut Vec<Row>) {
    let g = &o.grant;
    rows.push(row(
        "grant",
        format!("{} ({})", g.name(), grant_words(g)),
        None,
    ));
    if let Some(why) = &o.chosen_because {
        rows.push(row("chosen because", why.clone(), None));
    }
    if let Some(e) = g.endpoint() {
        rows.push(row("token endpoint", endpoint_words(e), Some("TokenURI")));
    }
    let assertion_only = matches!(g, Grant::JwtBearer { client, issuer, .. }
        if client.secret.is_none() && client.id == *issuer);
    if assertion_only {
        rows.push(row(
            "client auth",
            "none: the assertion's `iss` identifies the client (RFC 7523 §3.1), no client_id is sent",
            None,
        ));
    } else if let Some(c) = g.client() {
        rows.push(row("client id", c.id.clone(), Some("ClientID")));
        rows.push(row(
            "client secret",
            secret_or_none(c.secret.is_some()),
            Some("ClientSecret"),
        ));
        rows.push(row(
            "client credentials",
            format!("{} ({})", mode_name(c.mode), mode_words(c.mode)),
            Some("ClientCredentialsMode"),
        ));
    }
    match g {
        Grant::AccessToken { refresh, .. } => {
            rows.push(row("access token", REDACTED, Some("AccessToken")));
            if let Some(r) = refresh {
                rows.push(row(
                    "refresh token",
                    if r.refresh_token.is_some() {
                        REDACTED
                    } else {
                        "(from the token store)"
                    },
                    Some("RefreshToken"),
                ));
            }
        }
        Grant::RefreshToken(r) => rows.push(row(
            "refresh token",
            if r.refresh_token.is_some() {
                REDACTED
            } else {
                "(from the token store, after `connstr login`)"
            },
            Some("RefreshToken"),
        )),
        Grant::ClientCredentials { .. } => {}
        Grant::AuthorizationCode {
            redirect_uri,
            auth_uri,
            code,
            pkce,
            ..
        } => {
            rows.push(row(
                "redirect uri",
                redirect_uri.to_string(),
                Some("RedirectURI"),
            ));
            if let Some(a) = auth_uri {
                rows.push(row("auth uri", a.to_string(), Some("AuthURI")));
            }
            rows.push(row(
                "authorization code",
                match (code, auth_uri) {
                    (Some(_), _) => REDACTED,
                    (None, Some(_)) => "(from an interactive login)",
                    (None, None) => {
                        "(supplied at connect time by the application as OAuthCode, or obtained by `connstr login` once AuthURI is set)"
                    }
                },
                Some("OAuthCode"),
            ));
            rows.push(row("pkce", if *pkce { "yes (S256)" } else { "no" }, None));
            if code.is_none() && auth_uri.is_some() {
                rows.push(row("login", login_words(redirect_uri), None));
            }
        }
        Grant::Password { user, .. } => {
            rows.push(row("user", user.clone(), Some("User")));
            rows.push(row("password", REDACTED, Some("Password")));
        }
        Grant::JwtBearer {
            issuer,
            subject,
            key,
            endpoint,
            ..
        } => {
            rows.push(row("claims issuer", issuer.clone(), Some("ClaimsIssuer")));
            rows.push(row(
                "claims subject",
                subject.clone(),
                Some("ClaimsSubject"),
            ));
            rows.push(row(
                "signing key",
                key.store.display().to_string(),
                Some("JWTCertStore"),
            ));
            rows.push(row(
                "key alias",
                key.alias
                    .clone()
                    .unwrap_or_else(|| "(the keystore's only private key entry)".to_owned()),
                Some("JWTCertAlias"),
            ));
            rows.push(row(
                "key password",
                if key.password.is_some() {
                    REDACTED
                } else {
                    "(none)"
                },
                Some("JWTCertPassword"),
            ));
            rows.push(row(
                "assertion",
                format!(
                    "a new JWT for every token request: iss = ClaimsIssuer, sub = ClaimsSubject, \
                     aud = {} (the token endpoint URL), exp = iat + {} s, a random jti; \
                     RS256 for an RSA key, ES256 for EC P-256, ES384 for EC P-384",
                    endpoint.url,
                    connstr::grant::ASSERTION_LIFETIME.as_secs()
                ),
                None,
            ));
        }
    }
    rows.push(row(
        "scope",
        if o.scope.is_empty() {
            "(none requested)".to_owned()
        } else {
            o.scope.join(" ")
        },
        Some("Scope"),
    ));
    if let Some(h) = &o.extra_header {
        rows.push(row(
            "extra header",
            format!("{}: {REDACTED}", h.name.as_str()),
            Some("AuthHeader"),
        ));
    }
}

/// How `connstr login` gets the browser's answer for this RedirectURI.
fn login_words(redirect_uri: &url::Url) -> String {
    if connstr::grant::login_listens(redirect_uri) {
        format!(
            "`connstr login` listens on {}:{} for the browser's redirect",
            redirect_uri.host_str().unwrap_or_default(),
            redirect_uri.port().unwrap_or_default()
        )
    } else {
        "`connstr login` prints the authorization URL; paste the address the browser lands on"
            .to_owned()
    }
}

/// A custom login: the Model file, each request (secrets masked), and how
/// the credential goes on data requests.
fn custom_rows(c: &connstr::plan::CustomPlan, rows: &mut Vec<Row>) {
    rows.push(row(
        "model file",
        c.config_file.clone(),
        Some("RESTConfigFile"),
    ));
    let flows = std::iter::once(("login", &c.authentication))
        .chain(c.reauthentication.iter().map(|f| ("re-login", f)));
    for (what, flow) in flows {
        for r in &flow.requests {
            let label = if what == "login" {
                "login step"
            } else {
                "re-login step"
            };
            rows.push(row(label, format!("{}. {}", r.step, r.line()), None));
            for (name, value) in &r.headers {
                rows.push(row("  header", format!("{name}: {value}"), None));
            }
            if let Some(b) = &r.body {
                rows.push(row("  json body", b.display_json().to_string(), None));
            }
        }
    }
    if let Some(cred) = &c.authentication.credential {
        rows.push(row("sends", cred.to_string(), None));
    }
    let codes: Vec<String> = c.reauthenticate_on.iter().map(u16::to_string).collect();
    rows.push(row(
        "re-login on",
        format!(
            "HTTP {} ({})",
            if codes.is_empty() {
                "-".to_owned()
            } else {
                codes.join(", ")
            },
            if c.reauthentication.is_some() {
                "#reauthentication, then #authentication if it fails"
            } else {
                "#authentication again: the Model file has no #reauthentication"
            }
        ),
        None,
    ));
    if !c.params.is_empty() {
        rows.push(row(
            "custom params",
            format!("{} value(s), {REDACTED}", c.params.len()),
            Some("CustomAuthParams"),
        ));
    }
    if c.password.is_some() {
        rows.push(row("password", REDACTED, Some("Password")));
    }
    if let Some(h) = &c.server_name {
        rows.push(row("server name", h.clone(), Some("HostName")));
    }
}

fn auth_rows(plan: &AuthPlan) -> Vec<Row> {
    let mut rows = vec![row(
        "method",
        format!(
            "{} (ODBC code {})",
            plan.method.name(),
            plan.method.odbc_code()
        ),
        Some("AuthenticationMethod"),
    )];
    match &plan.auth {
        Auth::None => rows.push(row("sends", "no credentials", None)),
        Auth::Basic { user, header, .. } => {
            rows.push(row("user", user.clone(), Some("User")));
            rows.push(row("password", REDACTED, Some("Password")));
            rows.push(row(
                "sends",
                format!("{}: Basic <user:password>", header.as_str()),
                Some("AuthHeader"),
            ));
        }
        Auth::Digest { user, .. } => {
            rows.push(row("user", user.clone(), Some("User")));
            rows.push(row("password", REDACTED, Some("Password")));
        }
        Auth::BearerToken { .. } => {
            rows.push(row("token", REDACTED, Some("SecurityToken")));
            rows.push(row("sends", "Authorization: Bearer <token>", None));
        }
        Auth::HttpHeader { header, .. } => {
            rows.push(row("token", REDACTED, Some("SecurityToken")));
            rows.push(row(
                "sends",
                format!("{}: <token>", header.as_str()),
                Some("AuthHeader"),
            ));
        }
        Auth::UrlParameter { param, .. } => {
            rows.push(row("token", REDACTED, Some("SecurityToken")));
            rows.push(row("sends", format!("?{param}=<token>"), Some("AuthParam")));
        }
        Auth::Aws {
            access_key, region, ..
        } => {
            rows.push(row("access key", access_key.clone(), Some("AccessKey")));
            rows.push(row("secret key", REDACTED, Some("SecretKey")));
            rows.push(row("region", region.clone(), Some("Region")));
        }
        Auth::Custom(c) => custom_rows(c, &mut rows),
        Auth::OAuth2(o) => oauth_rows(o, &mut rows),
    }
    if let Some(user) = &plan.user
        && !rows.iter().any(|r| r.option == Some("User"))
    {
        rows.push(row("user", user.clone(), Some("User")));
    }
    rows
}

/// `file:line:col` of where an option was written.
/// The section is named only when it is not `dsn` (the target's own).
fn origin_words(sources: &Sources, o: &Origin, dsn: Option<&str>) -> String {
    match sources.get(o.source) {
        Some(s) => {
            let lc = s.line_col(o.key.start());
            let section = o
                .section
                .as_deref()
                .filter(|n| dsn.is_none_or(|d| !d.eq_ignore_ascii_case(n)))
                .map(|n| format!(" [{n}]"))
                .unwrap_or_default();
            format!("{}:{}:{}{section}", s.name, lc.line, lc.column)
        }
        None => String::new(),
    }
}

fn target_title(sources: &Sources, t: &Target) -> String {
    let file = sources.get(t.source).map_or("", |s| s.name.as_str());
    match t.kind {
        TargetKind::Dsn => format!("[{}] in {file}", t.name),
        TargetKind::ConnectionString => format!("connection string {}", t.name),
        TargetKind::JdbcUrl => format!("JDBC URL {}", t.name),
    }
}

fn human_target(
    out: &mut String,
    sources: &Sources,
    masks: &Masks,
    t: &Target,
    diags: &[Diagnostic],
    color: bool,
) {
    let _ = writeln!(out, "{}", target_title(sources, t));
    let own = (t.kind == TargetKind::Dsn).then_some(t.name.as_str());
    let _ = writeln!(
        out,
        "  {:<20}{}  ({}: {})",
        "driver",
        t.driver
            .profile
            .map_or("no profile (driver-independent checks only)", |p| p.name),
        t.driver.from.as_str(),
        t.driver.detail
    );
    if !t.driver.is_autorest() {
        driver_options(out, sources, t, own);
    } else {
        autorest_plan(out, sources, t, own);
    }
    if !diags.is_empty() {
        out.push('\n');
        out.push_str(&render::human(sources, masks, diags, color));
    } else {
        out.push('\n');
    }
}

/// The options of a target of another driver than Autonomous REST: each key
/// as its driver names it, its value (secrets redacted) and where it was
/// written. connstr plans no login for it.
fn driver_options(out: &mut String, sources: &Sources, t: &Target, own: Option<&str>) {
    let _ = writeln!(
        out,
        "  {:<20}none: connstr plans Autonomous REST logins only",
        "auth plan"
    );
    if t.options.all().is_empty() {
        return;
    }
    let _ = writeln!(out, "  options:");
    for o in t.options.all() {
        let spec = match t.driver.profile {
            Some(p) => p.known(o.key().trim()),
            None => connstr::options::drivers::MANAGER.lookup(o.key().trim()),
        };
        let name = spec.map_or(o.key().trim(), |s| s.name);
        let safe = spec.is_some_and(|s| !s.secret)
            && !o.is_secret()
            && o.hidden.is_empty()
            && !o.value().contains(['\r', '\n']);
        let value = if safe { o.value().trim() } else { REDACTED };
        let note = match (spec, t.driver.profile) {
            (Some(_), _) => "",
            (None, Some(p)) if p.is_obsolete(o.key()) => ", obsolete",
            (None, Some(_)) => ", unknown",
            (None, None) => ", not judged",
        };
        let _ = writeln!(
            out,
            "    {name:<18}{value}  ({}{note})",
            origin_words(sources, &o.origin(), own)
        );
    }
}

/// The auth plan of an Autonomous REST target, or why there is none.
fn autorest_plan(out: &mut String, sources: &Sources, t: &Target, own: Option<&str>) {
    match &t.plan {
        Some(plan) => {
            if let Some(dsn) = plan.dsn.as_deref().filter(|_| t.kind != TargetKind::Dsn) {
                let _ = writeln!(out, "  {:<20}{dsn}", "data source");
            }
            let rows = auth_rows(plan);
            let mut shown: Vec<&str> = rows.iter().filter_map(|r| r.option).collect();
            if rows.iter().any(|r| r.label == "extra header") {
                shown.push("SecurityToken");
            }
            for r in &rows {
                let from = r
                    .option
                    .and_then(|o| plan.provenance.get(o))
                    .map(|o| format!("  ({})", origin_words(sources, o, own)))
                    .unwrap_or_else(|| {
                        // A value with no origin is a default.
                        if r.option.is_some_and(|o| {
                            o == "ClientCredentialsMode"
                                || o == "AuthHeader"
                                || o == "AuthenticationMethod"
                        }) {
                            "  (default)".to_owned()
                        } else {
                            String::new()
                        }
                    });
                let _ = writeln!(out, "  {:<20}{}{from}", r.label, r.value);
            }
            // How requests travel, with where each setting came from.
            let _ = writeln!(out, "  transport:");
            for (label, option, value) in transport_rows(&plan.transport) {
                let from = plan
                    .provenance
                    .get(option)
                    .map(|o| origin_words(sources, o, own))
                    .unwrap_or_else(|| {
                        connstr::plan::default_origin(option)
                            .unwrap_or("default")
                            .to_owned()
                    });
                let _ = writeln!(out, "    {label:<22}{value}  ({from})");
                shown.push(option);
            }
            for name in connstr::plan::Transport::OPTIONS {
                shown.push(name);
            }
            // Everything else that was set, and where.
            let others: Vec<(&&str, &Origin)> = plan
                .provenance
                .iter()
                .filter(|(k, _)| !shown.contains(*k))
                .collect();
            if !others.is_empty() {
                let _ = writeln!(out, "  also set:");
                for (k, o) in others {
                    let value = t
                        .options
                        .get(k)
                        .map(|occ| {
                            if occ.is_secret() {
                                REDACTED.to_owned()
                            } else {
                                occ.displayable_value().unwrap_or(REDACTED).to_owned()
                            }
                        })
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "    {:<18}{value}  ({})",
                        k,
                        origin_words(sources, o, own)
                    );
                }
            }
        }
        None => {
            let _ = writeln!(out, "  no plan: the configuration has errors");
        }
    }
}

/// The transport settings `explain` shows: (label, option, value). Passwords
/// show as set or not, never their value.
fn transport_rows(t: &connstr::plan::Transport) -> Vec<(&'static str, &'static str, String)> {
    let mut rows = Vec::new();
    match &t.proxy {
        Some(p) => {
            rows.push(("proxy", "ProxyHost", p.url()));
            if let Some(u) = &p.user {
                rows.push(("proxy user", "ProxyUser", u.clone()));
            }
            if p.password.is_some() {
                rows.push(("proxy password", "ProxyPassword", REDACTED.to_owned()));
            }
        }
        None => rows.push(("proxy", "ProxyHost", "none (direct)".to_owned())),
    }
    rows.push((
        "server certificate",
        "ValidateServerCertificate",
        if t.tls.validate {
            "validated".to_owned()
        } else {
            "NOT validated (any certificate is accepted)".to_owned()
        },
    ));
    rows.push((
        "trust store",
        "Truststore",
        t.tls
            .truststore
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "public CAs (webpki roots)".to_owned()),
    ));
    if t.tls.truststore_password.is_some() {
        rows.push((
            "trust store password",
            "TruststorePassword",
            REDACTED.to_owned(),
        ));
    }
    if let Some(n) = &t.tls.host_name_in_certificate {
        rows.push(("name in certificate", "HostNameInCertificate", n.clone()));
    }
    rows.push((
        "TLS versions",
        "CryptoProtocolVersion",
        if t.tls.versions.is_empty() {
            "TLSv1.2, TLSv1.3".to_owned()
        } else {
            t.tls
                .versions
                .iter()
                .map(|v| v.name())
                .collect::<Vec<_>>()
                .join(", ")
        },
    ));
    if let Some(k) = &t.tls.keystore {
        rows.push(("client certificate", "KeyStore", k.display().to_string()));
    }
    if t.tls.keystore_password.is_some() {
        rows.push((
            "key store password",
            "KeyStorePassword",
            REDACTED.to_owned(),
        ));
    }
    if t.tls.key_password.is_some() {
        rows.push(("key password", "KeyPassword", REDACTED.to_owned()));
    }
    rows.push((
        "timeout",
        "WSTimeout",
        match t.timeout {
            Some(d) => format!("{} s per request", d.as_secs()),
            None => "none (WSTimeout=0)".to_owned(),
        },
    ));
    rows.push((
        "retries",
        "WSRetryCount",
        match t.retry_count {
            Some(n) => n.to_string(),
            None => format!("{}", connstr::plan::DEFAULT_RETRY_COUNT),
        },
    ));
    rows
}

/// Run `connstr explain`.
pub fn run(args: ExplainArgs) -> ExitCode {
    let checked = match check::check_inputs(&args.inputs, Retain::Everything) {
        Ok(c) => c,
        Err(msg) => {
            render::cli_error(&msg);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let Checked {
        loaded,
        report,
        masks,
    } = &checked;
    let sources = &loaded.sources;
    let levels = Levels::default();
    let global = check::leveled(report.diagnostics.iter().cloned(), &levels);
    let per_target: Vec<Vec<Diagnostic>> = report
        .targets
        .iter()
        .map(|t| check::leveled(t.diagnostics.iter().cloned(), &levels))
        .collect();
    let failed = global
        .iter()
        .chain(per_target.iter().flatten())
        .any(|d| d.severity == Severity::Error)
        || report
            .targets
            .iter()
            .any(|t| t.plan.is_none() && t.driver.is_autorest());
    let text = match args.format {
        Format::Json => {
            json::explain_document(sources, masks, &report.targets, &per_target, &global)
        }
        Format::Human => {
            let color = render::wants_color(Stream::Stdout);
            let mut out = String::new();
            for (t, diags) in report.targets.iter().zip(&per_target) {
                let mut one = String::new();
                human_target(&mut one, sources, masks, t, diags, color);
                out.push_str(&render::scrub(&one, &target_secrets(sources, masks, t)));
            }
            if !global.is_empty() {
                out.push_str(&render::human(sources, masks, &global, color));
            }
            if report.targets.is_empty() {
                out.push_str("nothing to explain: no data source or connection string found\n");
            }
            out
        }
    };
    check::print_or_fail(&text, if failed { EXIT_PROBLEMS } else { 0 })
}
