//! Validation: an [`OptionSet`] → an [`AuthPlan`] and every problem found.
//!
//! [`validate`] never stops at the first problem: it runs every lint, builds
//! as much of the plan as it can, and returns the plan only when no error was
//! found (holding an [`AuthPlan`] means it can run). Messages name options,
//! never a secret value; a value is quoted only when it is a known,
//! non-secret option that swallowed nothing.

use std::cell::OnceCell;
use std::sync::Arc;

use indexmap::IndexMap;
use url::Url;

use super::diag::Diag;
use super::lint;
use super::types::{
    Auth, AuthMethod, AuthPlan, Client, ClientCredentialsMode, ExtraHeader, Grant, HeaderName,
    HttpMethod, LoginEndpoints, OAuth2Plan, Origin, RefreshGrant, TokenEndpoint,
};
use super::values::{
    TokenUriError, is_loopback, parse_auth_method, parse_bool, parse_client_credentials_mode,
    parse_http_url, parse_scopes, parse_token_uri, suggest_auth_method,
    suggest_client_credentials_mode,
};
use crate::Secret;
use crate::diagnostic::{Diagnostic, Severity, SourceId, Text};
use crate::options::{
    Layer, MatchedBy, Occurrence, OptionSet, OptionSpec, ResolveProblem, ValueKind, has_line_break,
    lookup, suggest, url_secrets,
};
use crate::syntax::{Form, Quote, Span, SyntaxError};

/// Validate resolved options into a plan, collecting every problem.
///
/// Returns `Some(plan)` only when no diagnostic is an error. Diagnostics come
/// in a stable order: per-key lints (unknown, duplicate, deprecated names,
/// swallowed separators, stray `;`), the file-permission lint, then what the
/// authentication method finds.
///
/// ```
/// use connstr::diagnostic::SourceId;
/// use connstr::options::OptionSet;
/// use connstr::plan::{validate, Auth, Grant};
/// use connstr::syntax::parse_connection_string;
///
/// let doc = parse_connection_string(
///     "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;ClientSecret=s3cr3t;\
///      TokenURI=POST https://login.example.com/oauth2/token;Scope=read write",
/// );
/// let set = OptionSet::from_document(&doc, SourceId(0), false);
/// let (plan, diagnostics) = validate(&set);
/// assert!(diagnostics.is_empty(), "{diagnostics:?}");
/// let Auth::OAuth2(oauth) = plan.unwrap().auth else { panic!() };
/// assert!(matches!(oauth.grant, Grant::ClientCredentials { .. }));
/// assert_eq!(oauth.scope, ["read", "write"]);
/// ```
pub fn validate(set: &OptionSet) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    validate_with(set, true)
}

/// [`validate`]; with `want_plan` false every check still runs (the plan is
/// still built as far as it goes: building it is what finds most problems),
/// but no [`AuthPlan`] is assembled or returned, which spares its
/// provenance table when only the diagnostics are kept.
pub(crate) fn validate_with(
    set: &OptionSet,
    want_plan: bool,
) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    let mut cx = Cx::new(set);
    cx.lint_unknown_keys();
    cx.lint_duplicates();
    cx.lint_legacy_names();
    cx.lint_swallowed();
    cx.lint_stray_semicolons();
    cx.lint_url_secrets();
    cx.lint_world_readable();
    let method = cx.method();
    let auth = method.and_then(|m| cx.build(m));
    if let Some(m) = method {
        cx.lint_ignored(m);
    }
    cx.check_any_options();
    let failed = cx.diags.iter().any(|d| d.severity == Severity::Error);
    let plan = match (method, auth) {
        (Some(method), Some(auth)) if !failed && want_plan => Some(AuthPlan {
            method,
            user: cx.present("User").map(|o| cx.effective(o).to_owned()),
            dsn: set.dsn().map(str::to_owned),
            provenance: cx.provenance(),
            auth,
        }),
        _ => None,
    };
    // A large odbc.ini keeps every target's diagnostics: no spare room.
    if cx.diags.len() < cx.diags.capacity() {
        cx.diags.shrink_to_fit();
    }
    (plan, cx.diags)
}

/// The diagnostic for one syntax error: lint `syntax`, an error except for an
/// over-long odbc.ini line (a warning).
pub fn syntax_diagnostic(
    error: &SyntaxError,
    source: SourceId,
    section: Option<&str>,
) -> Diagnostic {
    use crate::syntax::SyntaxErrorKind as K;
    let severity = if error.kind.is_warning() {
        Severity::Warning
    } else {
        Severity::Error
    };
    let help = match error.kind {
        K::UnterminatedBrace => "close the value with `}`; write `}}` for a `}` inside braces",
        K::UnterminatedQuote => "close the value with `'`",
        K::MissingEquals => "write `Key=Value`; separate pairs with `;`",
        K::EmptyKey => "put the option name before the `=`",
        K::TextAfterClosingBrace => {
            "end the pair with `;` right after the closing brace or quote (a `;` may be missing)"
        }
        K::TextBeforeSection => {
            "unixODBC ignores entries before the first `[section]`: move it into a data source section"
        }
        K::UnterminatedSection => "close the section name with `]`",
        K::TextAfterSection => "nothing may follow the `]` of a section header",
        K::LineTooLong => "unixODBC reads only the first 1000 characters of a line: shorten it",
        K::BadJdbcPrefix => "start the URL with `jdbc:datadirect:autorest:`",
        K::NulByte => "remove the NUL byte",
    };
    Diag::new(
        lint::SYNTAX,
        severity,
        error.kind.message(),
        source,
        error.span,
        "",
    )
    .help(help)
    .section_named(section)
    .build()
}

/// The diagnostics for what resolution could not do: `unknown-dsn`, a DSN
/// ignored because DRIVER comes first (`ignored-key`), DSN with FILEDSN
/// (`invalid-value`).
pub fn resolve_diagnostics(problems: &[ResolveProblem]) -> Vec<Diagnostic> {
    problems
        .iter()
        .map(|p| match p {
            ResolveProblem::UnknownDsn {
                name,
                origin,
                searched,
                suggestion,
            } => {
                let files = if searched.is_empty() {
                    "no odbc.ini was found".to_owned()
                } else {
                    format!("searched {}", searched.join(", "))
                };
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`? ({files})"),
                    None => format!(
                        "define a [{name}] section in odbc.ini, or name the file that defines it ({files})"
                    ),
                };
                Diag::new(
                    lint::UNKNOWN_DSN,
                    Severity::Error,
                    format!("no data source named `{name}`"),
                    origin.source,
                    origin.value,
                    "not defined in any odbc.ini searched",
                )
                .help(help)
                .key("DSN")
                .build()
            }
            ResolveProblem::DsnAfterDriver { dsn, driver } => Diag::new(
                lint::IGNORED_KEY,
                Severity::Warning,
                "DSN is ignored: DRIVER comes first, and the driver manager uses whichever comes first",
                dsn.source,
                dsn.key,
                "ignored",
            )
            .secondary(driver.source, driver.key, "DRIVER is used")
            .help("keep only one of DSN and DRIVER, or put DSN first to use the data source's settings")
            .key("DSN")
            .build(),
            ResolveProblem::DsnAndFileDsn { dsn, filedsn } => Diag::new(
                lint::INVALID_VALUE,
                Severity::Error,
                "DSN and FILEDSN cannot both be given",
                filedsn.source,
                filedsn.key,
                "FILEDSN here",
            )
            .secondary(dsn.source, dsn.key, "DSN here")
            .help("the driver manager refuses a connection string holding both: keep one")
            .key("FILEDSN")
            .build(),
        })
        .collect()
}

/// Which grant, before its options are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GrantKind {
    AccessToken,
    Refresh { from_store: bool },
    AuthCode { pkce: bool },
    Password,
    JwtBearer,
    ClientCredentials,
}

/// How messages name the method in effect: `AuthenticationMethod=Basic`, or
/// `AuthenticationMethod=OAuth2 (refresh token grant)` for the grant legacy
/// OAuth2 chose. Written only when a message needs it.
#[derive(Clone, Copy)]
struct MethodLabel {
    method: AuthMethod,
    /// The grant legacy `OAuth2` chose, in words.
    legacy_grant: Option<&'static str>,
}

impl std::fmt::Display for MethodLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuthenticationMethod={}", self.method.name())?;
        match self.legacy_grant {
            Some(grant) => write!(f, " ({grant} grant)"),
            None => Ok(()),
        }
    }
}

impl GrantKind {
    fn human(self) -> &'static str {
        match self {
            GrantKind::AccessToken => "access token",
            GrantKind::Refresh { .. } => "refresh token",
            GrantKind::AuthCode { pkce: false } => "authorization code",
            GrantKind::AuthCode { pkce: true } => "authorization code with PKCE",
            GrantKind::Password => "password",
            GrantKind::JwtBearer => "JWT bearer",
            GrantKind::ClientCredentials => "client credentials",
        }
    }

    fn explicit(self) -> AuthMethod {
        match self {
            GrantKind::AccessToken => AuthMethod::OAuth2AccessToken,
            GrantKind::Refresh { .. } => AuthMethod::OAuth2RefreshToken,
            GrantKind::AuthCode { pkce: false } => AuthMethod::OAuth2AuthorizationCode,
            GrantKind::AuthCode { pkce: true } => AuthMethod::OAuth2Pkce,
            GrantKind::Password => AuthMethod::OAuth2Password,
            GrantKind::JwtBearer => AuthMethod::OAuth2JwtBearer,
            GrantKind::ClientCredentials => AuthMethod::OAuth2ClientCredentials,
        }
    }
}

/// Occurrences whose [`Cx::effective`] value is kept.
const EFFECTIVE_KEPT: usize = 32;

/// Validation state: the set, the diagnostics so far, the options read.
struct Cx<'s> {
    set: &'s OptionSet,
    diags: Vec<Diagnostic>,
    /// The options read, by catalog row (bit `i` for row `i`)…
    used: u128,
    /// …and by name, for rows past the 128th (none in practice).
    used_more: Vec<&'static str>,
    /// [`Cx::effective`] of the first occurrences, once worked out.
    effective: [OnceCell<&'s str>; EFFECTIVE_KEPT],
    /// `AuthenticationMethod=X` (and the grant, for legacy OAuth2), for messages.
    method_label: MethodLabel,
    /// For legacy OAuth2: the grant chosen.
    legacy: Option<GrantKind>,
}

impl<'s> Cx<'s> {
    fn new(set: &'s OptionSet) -> Self {
        Cx {
            set,
            diags: Vec::new(),
            used: 0,
            used_more: Vec::new(),
            effective: std::array::from_fn(|_| OnceCell::new()),
            method_label: MethodLabel {
                method: AuthMethod::None,
                legacy_grant: None,
            },
            legacy: None,
        }
    }

    fn push(&mut self, d: Diag) {
        // Most targets with a problem have one: room for exactly that
        // first (later ones grow the Vec as usual).
        if self.diags.capacity() == 0 {
            self.diags.reserve_exact(1);
        }
        self.diags.push(d.build());
    }

    fn layer(&self, o: &Occurrence) -> Option<&'s Layer> {
        self.set.layers().get(o.layer)
    }

    fn section(&self, o: &Occurrence) -> Option<&'s Arc<str>> {
        self.layer(o).and_then(|l| l.section.as_ref())
    }

    fn is_ini(&self, o: &Occurrence) -> bool {
        self.layer(o).is_some_and(|l| l.form == Form::Ini)
    }

    /// The value as the plan reads it: cut before a swallowed pair or line
    /// break, without an odbc.ini stray `;` (both reported separately).
    fn effective<'o>(&self, o: &'o Occurrence) -> &'o str
    where
        's: 'o,
    {
        // Asked for again and again: kept for the first occurrences of the
        // set (by their position in it).
        let all = self.set.all();
        let kept = all
            .iter()
            .take(EFFECTIVE_KEPT)
            .zip(&self.effective)
            .find(|(own, _)| std::ptr::eq(*own, o));
        match kept {
            Some((own, slot)) => slot.get_or_init(|| self.work_out_effective(own)),
            None => self.work_out_effective(o),
        }
    }

    fn work_out_effective<'o>(&self, o: &'o Occurrence) -> &'o str {
        let mut v = o.value();
        if let Some(first) = o.hidden.iter().find(|h| !h.leading)
            && o.entry.quote != Quote::Braced
        {
            let cut = first.key.start().saturating_sub(o.entry.value.start());
            v = v.get(..cut).unwrap_or(v);
        }
        if let Some(i) = memchr::memchr2(b'\r', b'\n', v.as_bytes()) {
            v = &v[..i];
        }
        let mut v = v.trim();
        if self.is_ini(o) {
            v = v.trim_end_matches(';').trim_end();
        }
        v
    }

    /// The winning occurrence of `name` with a non-empty value (not marked used).
    fn present(&self, name: &str) -> Option<&'s Occurrence> {
        self.set.get(name).filter(|o| !self.effective(o).is_empty())
    }

    fn mark(&mut self, name: &'static str) {
        match lookup(name).and_then(|s| s.index()).filter(|&i| i < 128) {
            Some(i) => self.used |= 1 << i,
            None if !self.used_more.contains(&name) => self.used_more.push(name),
            None => {}
        }
    }

    /// Whether option `spec` was read.
    fn is_used(&self, spec: &OptionSpec) -> bool {
        match spec.index().filter(|&i| i < 128) {
            Some(i) => self.used & (1 << i) != 0,
            None => self.used_more.contains(&spec.name),
        }
    }

    /// Read an optional option (marks it used).
    fn take(&mut self, name: &'static str) -> Option<&'s Occurrence> {
        self.mark(name);
        self.present(name)
    }

    /// Read a required option; report `missing-required` when absent or empty.
    fn require(&mut self, name: &'static str) -> Option<&'s Occurrence> {
        let found = self.take(name);
        if found.is_none() {
            self.missing(name, None);
        }
        found
    }

    /// Report that `name` is missing; `why` replaces the usual explanation.
    fn missing(&mut self, name: &'static str, why: Option<String>) {
        let set = self.set;
        let empty = set.get(name).is_some();
        let message = match &why {
            Some(w) if empty => format!("{w} ({name} is empty)"),
            Some(w) => w.clone(),
            None if empty => format!("{} needs {name}, but its value is empty", self.method_label),
            None => format!("{} needs {name}, which is not set", self.method_label),
        };
        let mut help = lookup(name).map_or(String::new(), |s| format!("{name}: {}", s.description));
        // A hidden `Name=` inside another value, or a misspelt key.
        for o in set.all() {
            for h in &o.hidden {
                if !h.leading && h.spec.is_some_and(|s| s.name == name) {
                    help.push_str(&format!(
                        "\n{name}= is written inside the value of {}: a `;` is missing before it",
                        o.name()
                    ));
                }
            }
            if o.spec.is_none() && suggest(o.key()) == Some(name) {
                help.push_str(&format!(
                    "\n`{}` looks like a misspelling of {name}",
                    o.key()
                ));
            }
        }
        let (source, span, label, section) = match set.get("AuthenticationMethod") {
            Some(m) => (
                m.source(),
                m.entry.raw_value,
                format!("needs {name}"),
                self.section(m),
            ),
            None => {
                let (s, sp) = set.anchor();
                (s, sp, format!("needs {name}"), set.dsn_shared())
            }
        };
        let d = Diag::new(
            lint::MISSING_REQUIRED,
            Severity::Error,
            message,
            source,
            span,
            label,
        )
        .help(if help.starts_with(char::is_whitespace) {
            help.trim_start().to_owned()
        } else {
            help
        })
        .key(name)
        .section(section);
        self.push(d);
    }

    fn text(&mut self, name: &'static str, required: bool) -> Option<String> {
        let o = if required {
            self.require(name)
        } else {
            self.take(name)
        }?;
        Some(self.effective(o).to_owned())
    }

    fn secret(&mut self, name: &'static str, required: bool) -> Option<Secret> {
        let o = if required {
            self.require(name)
        } else {
            self.take(name)
        }?;
        Some(Secret::new(self.effective(o)))
    }

    fn invalid(&mut self, o: &Occurrence, message: impl Into<Text>, help: impl Into<Text>) {
        let d = Diag::new(
            lint::INVALID_VALUE,
            Severity::Error,
            message,
            o.source(),
            o.entry.raw_value,
            "invalid value",
        )
        .help(help)
        .key(name_text(o))
        .section(self.section(o));
        self.push(d);
    }

    fn url(&mut self, name: &'static str, required: bool) -> Option<Url> {
        let o = if required {
            self.require(name)
        } else {
            self.take(name)
        }?;
        match parse_http_url(self.effective(o)) {
            Ok(u) => Some(u),
            Err(e) => {
                self.invalid(
                    o,
                    format!("{name} is not usable: {e}"),
                    format!("{name} must be an absolute URL such as https://example.com/path"),
                );
                None
            }
        }
    }

    fn endpoint(&mut self) -> Option<TokenEndpoint> {
        let o = self.require("TokenURI")?;
        match parse_token_uri(self.effective(o)) {
            Ok(e) => Some(e),
            Err(TokenUriError::Method(m)) => {
                self.invalid(
                    o,
                    format!(
                        "TokenURI starts with `{m}`: only `GET ` and `POST ` may prefix the URL"
                    ),
                    "write `TokenURI=POST https://…` (or no prefix for GET)",
                );
                None
            }
            Err(TokenUriError::Url(e)) => {
                self.invalid(
                    o,
                    format!("TokenURI is not usable: {e}"),
                    "write `TokenURI=POST https://…/token`",
                );
                None
            }
        }
    }

    fn header(&mut self, o: &'s Occurrence) -> Option<HeaderName> {
        let v = self.effective(o);
        let h = HeaderName::parse(v);
        if h.is_none() {
            let shown = o
                .displayable_value()
                .map_or(String::new(), |v| format!(" `{v}`"));
            self.invalid(
                o,
                format!("AuthHeader{shown} is not a valid HTTP header name"),
                "a header name is letters, digits and `-` (like `X-Tenant-Id`), with no blanks or `:`".to_owned(),
            );
        }
        h
    }

    // ---- per-key lints ----

    fn lint_unknown_keys(&mut self) {
        let set = self.set;
        for o in set.unknown() {
            let help: Text = match suggest(o.key()) {
                Some(s) => format!("did you mean `{s}`?").into(),
                None => "connstr does not know this option: check its spelling (the driver may ignore it)".into(),
            };
            let d = Diag::new(
                lint::UNKNOWN_KEY,
                Severity::Warning,
                format!("unknown option `{}`", o.key()),
                o.source(),
                o.entry.key,
                "unknown option",
            )
            .help(help)
            .key(o.key().to_owned())
            .section(self.section(o));
            self.push(d);
        }
    }

    fn lint_duplicates(&mut self) {
        let set = self.set;
        let all = set.all();
        for (i, o) in all.iter().enumerate() {
            let Some(spec) = o.spec else { continue };
            let same = |p: &&Occurrence| {
                p.layer == o.layer && p.spec.is_some_and(|s| std::ptr::eq(s, spec))
            };
            // Report each group once, from its first member; most options
            // are given once: count before collecting.
            if all[..i].iter().any(|p| same(&p)) || all[i..].iter().filter(same).nth(1).is_none() {
                continue;
            }
            let group: Vec<&Occurrence> = all[i..].iter().filter(same).collect();
            let ini = self.is_ini(o);
            let last = set.last_wins() && !ini;
            let Some(&used) = (if last { group.last() } else { group.first() }) else {
                continue;
            };
            let which = if last { "last" } else { "first" };
            let place: Text = match (self.section(o), self.layer(o).map(|l| l.form)) {
                (Some(s), _) => format!("in data source [{s}]").into(),
                (None, Some(Form::JdbcUrl)) => "in this JDBC URL".into(),
                (None, _) => "in this connection string".into(),
            };
            let help = if ini {
                "remove the other occurrences: unixODBC reads the first one"
            } else if last {
                "remove the other occurrences: Microsoft's driver manager would use the first one instead"
            } else {
                "remove the other occurrences: unixODBC's driver manager would use the last one instead"
            };
            let spellings: Vec<&str> = {
                let mut v: Vec<&str> = Vec::new();
                for p in &group {
                    if !v.iter().any(|k| k.eq_ignore_ascii_case(p.key())) {
                        v.push(p.key());
                    }
                }
                v
            };
            let same = if spellings.len() > 1 {
                format!(" (`{}` name the same option)", spellings.join("` and `"))
            } else {
                String::new()
            };
            for p in group.iter().filter(|p| !std::ptr::eq(**p, used)) {
                let d = Diag::new(
                    lint::DUPLICATE_KEY,
                    Severity::Warning,
                    format!(
                        "{} is given {} times {place}{same}; the {which} one is used",
                        spec.name,
                        group.len()
                    ),
                    p.source(),
                    p.entry.key,
                    "ignored",
                )
                .secondary(used.source(), used.entry.key, "this one is used")
                .help(help)
                .key(spec.name)
                .section(self.section(p));
                self.push(d);
            }
        }
    }

    fn lint_legacy_names(&mut self) {
        let set = self.set;
        for o in set.all() {
            let (Some(spec), Some(MatchedBy::Legacy)) = (o.spec, o.matched_by) else {
                continue;
            };
            let d = Diag::new(
                lint::DEPRECATED,
                Severity::Warning,
                format!("`{}` is an old name for {}", o.key(), spec.name),
                o.source(),
                o.entry.key,
                "old option name",
            )
            .help(format!("write {} instead", spec.name))
            .key(spec.name)
            .section(self.section(o));
            self.push(d);
        }
    }

    fn lint_swallowed(&mut self) {
        let set = self.set;
        for o in set.all() {
            if o.entry.quote == Quote::Braced {
                continue;
            }
            let src_layer = self.layer(o);
            let ini = src_layer.is_some_and(|l| l.form == Form::Ini);
            let known: Vec<_> = o
                .hidden
                .iter()
                .filter(|h| h.spec.is_some() || h.secret)
                .collect();
            let breaks = {
                let v = o.value().trim();
                has_line_break(v)
            };
            if known.is_empty() && !breaks {
                continue;
            }
            let name = o.name().to_owned();
            let (message, help) = if let Some(first) = known.first().filter(|h| h.leading) {
                let first_name = first.spec.map_or("a secret", |s| s.name);
                (
                    format!(
                        "the value of {name} is itself a `{first_name}=` pair: {name}'s own value seems to be missing"
                    ),
                    format!("write `{name}=<value>` and `{first_name}=…` as two pairs"),
                )
            } else if let Some(first) = known.first() {
                let names: Vec<&str> = known
                    .iter()
                    .map(|h| h.spec.map_or("a secret", |s| s.name))
                    .collect();
                let first_name = first.spec.map_or("a secret", |s| s.name);
                let msg = format!(
                    "the value of {name} swallows {}: a `;` is missing before {first_name}",
                    join_and(&names)
                );
                let help = if ini {
                    format!(
                        "odbc.ini has one `Key=Value` per line: put {first_name} on a line of its own"
                    )
                } else {
                    format!(
                        "end the value of {name} with `;` (a line break does not separate pairs)"
                    )
                };
                (msg, help)
            } else {
                (
                    format!("the value of {name} runs over a line break"),
                    format!(
                        "a line break does not end a value: end {name}'s value with `;` at the end of the line"
                    ),
                )
            };
            let mut d = Diag::new(
                lint::SWALLOWED_SEPARATOR,
                Severity::Error,
                message,
                o.source(),
                o.entry.key,
                "this value goes on too far",
            )
            .help(help)
            .key(name.clone())
            .section(self.section(o));
            for h in &known {
                let hn = h.spec.map_or("a separate option", |s| s.name);
                d = d.secondary(
                    o.source(),
                    h.key,
                    format!("read as part of {name}'s value, not as {hn}"),
                );
            }
            self.push(d);
        }
    }

    fn lint_stray_semicolons(&mut self) {
        let set = self.set;
        for o in set.all() {
            let Some(spec) = o.spec else { continue };
            if !self.is_ini(o) || spec.name == "Description" || !o.value().trim_end().ends_with(';')
            {
                continue;
            }
            let shown = match o.displayable_value() {
                Some(v) => format!("`{v}`"),
                None => "its value".to_owned(),
            };
            self.invalid(
                o,
                format!(
                    "{} ends with `;`: in odbc.ini the `;` is part of the value ({shown})",
                    spec.name
                ),
                "remove the `;`: odbc.ini has one `Key=Value` per line and no separators"
                    .to_owned(),
            );
        }
    }

    /// A secret written in the URL of a URL option (TokenURI, AuthURI,
    /// RedirectURI, HealthURI, HostName, RESTSamplePath): a secret-looking
    /// query parameter or the password of `user:password@host`. Servers and
    /// proxies log URLs.
    fn lint_url_secrets(&mut self) {
        let set = self.set;
        for o in set.winners() {
            let Some(spec) = o.spec else { continue };
            let is_url = matches!(spec.kind, ValueKind::TokenUri | ValueKind::Url)
                || matches!(spec.name, "HostName" | "RESTSamplePath");
            if !is_url || spec.secret {
                continue;
            }
            let v = o.value();
            let found = url_secrets(v, Span::new(0, v.len()));
            let Some(first) = found.first() else { continue };
            let what = match first.param {
                Some(p) => format!("the `{}` query parameter", p.slice(v)),
                None => "a password in `user:password@host`".to_owned(),
            };
            let more = if found.len() > 1 {
                format!(" (and {} more)", found.len() - 1)
            } else {
                String::new()
            };
            let d = Diag::new(
                lint::SECRET_IN_URL,
                Severity::Warning,
                format!(
                    "{} holds a secret in its URL ({what}{more}), where servers and proxies log it",
                    spec.name
                ),
                o.source(),
                o.entry.raw_value,
                "secret in the URL",
            )
            .help(if first.param.is_some() {
                "remove it from the URL: give the secret in its own option (ClientSecret, RefreshToken, …), which connstr sends in a header or a POST body"
            } else {
                "remove the password from the URL: give it in its own option (Password, ClientSecret, …)"
            })
            .key(spec.name)
            .section(self.section(o));
            self.push(d);
        }
    }

    fn lint_world_readable(&mut self) {
        let set = self.set;
        for (i, layer) in set.layers().iter().enumerate() {
            let Some(mode) = layer.mode else { continue };
            if mode & 0o044 == 0 {
                continue;
            }
            let mut names: Vec<&str> = Vec::new();
            let mut first: Option<(SourceId, Span)> = None;
            for o in set.all().iter().filter(|o| o.layer == i) {
                if o.is_secret() && !o.value().trim().is_empty() {
                    names.push(o.name());
                    first.get_or_insert((o.source(), o.entry.key));
                }
                for h in &o.hidden {
                    if h.secret && !h.value.is_empty() {
                        names.push(h.spec.map_or("a secret", |s| s.name));
                        first.get_or_insert((o.source(), h.key));
                    }
                }
            }
            let Some((source, span)) = first else {
                continue;
            };
            names.dedup();
            let file = layer.file_name.as_deref().unwrap_or("this odbc.ini");
            let who = if mode & 0o004 != 0 {
                "every user"
            } else {
                "its group"
            };
            let d = Diag::new(
                lint::WORLD_READABLE_SECRET,
                Severity::Warning,
                format!(
                    "{file} can be read by {who} (mode {:03o}) and holds {} in clear text",
                    mode & 0o777,
                    join_and(&names)
                ),
                source,
                span,
                "secret stored here",
            )
            .help(format!(
                "run `chmod 600 {file}`, or keep secrets out of odbc.ini (pass them in the connection string)"
            ))
            .key(names[0].to_owned())
            .section(layer.section.as_ref());
            self.push(d);
        }
    }

    // ---- the method ----

    /// The authentication method, or `None` after reporting an invalid one.
    fn method(&mut self) -> Option<AuthMethod> {
        self.mark("AuthenticationMethod");
        let Some(o) = self.set.get("AuthenticationMethod") else {
            return Some(AuthMethod::None);
        };
        let v = self.effective(o);
        match parse_auth_method(v) {
            Some(m) => {
                self.method_label.method = m;
                Some(m)
            }
            None => {
                let shown = match o.displayable_value() {
                    Some(v) if !v.trim().is_empty() => format!("`{}`", v.trim()),
                    Some(_) => "an empty value".to_owned(),
                    None => "this value".to_owned(),
                };
                let help = match suggest_auth_method(v) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "use one of: {}",
                        AuthMethod::ALL.map(|m| m.name()).join(", ")
                    ),
                };
                self.invalid(o, format!("unknown AuthenticationMethod {shown}"), help);
                None
            }
        }
    }

    fn build(&mut self, method: AuthMethod) -> Option<Auth> {
        use AuthMethod as M;
        match method {
            M::None => Some(Auth::None),
            M::Basic => {
                let user = self.text("User", true);
                let password = self.secret("Password", true);
                let header = self.auth_header_or_default();
                Some(Auth::Basic {
                    user: user?,
                    password: password?,
                    header: header?,
                })
            }
            M::Digest => {
                let user = self.text("User", true);
                let password = self.secret("Password", true);
                Some(Auth::Digest {
                    user: user?,
                    password: password?,
                })
            }
            M::BearerToken => Some(Auth::BearerToken {
                token: self.secret("SecurityToken", true)?,
            }),
            M::HttpHeader => {
                let header = self.auth_header_or_default();
                let token = self.secret("SecurityToken", true);
                Some(Auth::HttpHeader {
                    header: header?,
                    token: token?,
                })
            }
            M::UrlParameter => {
                let param = self.text("AuthParam", true);
                let token = self.secret("SecurityToken", true);
                Some(Auth::UrlParameter {
                    param: param?,
                    token: token?,
                })
            }
            M::Aws => {
                let access_key = self.text("AccessKey", true);
                let secret_key = self.secret("SecretKey", true);
                let region = self.text("Region", true);
                Some(Auth::Aws {
                    access_key: access_key?,
                    secret_key: secret_key?,
                    region: region?,
                })
            }
            M::Custom => {
                let config_file = self.text("RESTConfigFile", true);
                self.take("CustomAuthParams");
                Some(Auth::Custom {
                    config_file: config_file?,
                })
            }
            _ => self.oauth(method).map(Auth::OAuth2),
        }
    }

    fn auth_header_or_default(&mut self) -> Option<HeaderName> {
        match self.take("AuthHeader") {
            Some(o) => self.header(o),
            None => HeaderName::parse("Authorization"),
        }
    }

    /// §4: the grant legacy `OAuth2` stands for, and why.
    fn choose_legacy(&self) -> Option<(GrantKind, String)> {
        let has = |n: &str| self.present(n).is_some();
        let choice = if has("AccessToken") && has("RefreshToken") {
            (
                GrantKind::AccessToken,
                "AccessToken and RefreshToken are both set: the access token is used until it expires, then the refresh token grant renews it",
            )
        } else if has("AccessToken") {
            (
                GrantKind::AccessToken,
                "AccessToken is set: it is used as is until it expires",
            )
        } else if has("RefreshToken") {
            (
                GrantKind::Refresh { from_store: false },
                "RefreshToken is set",
            )
        } else if has("OAuthCode") {
            (GrantKind::AuthCode { pkce: false }, "OAuthCode is set")
        } else if has("User") && has("Password") && has("TokenURI") {
            (GrantKind::Password, "User, Password and TokenURI are set")
        } else if has("ClaimsIssuer") {
            (GrantKind::JwtBearer, "ClaimsIssuer is set")
        } else if has("ClientID") && has("ClientSecret") && has("TokenURI") {
            (
                GrantKind::ClientCredentials,
                "ClientID, ClientSecret and TokenURI are set",
            )
        } else if has("ClientID") && has("TokenURI") {
            (
                GrantKind::Refresh { from_store: true },
                "only ClientID and TokenURI are set: the refresh token comes from the token store (saved by `connstr login`)",
            )
        } else {
            return None;
        };
        Some((choice.0, choice.1.to_owned()))
    }

    fn oauth(&mut self, method: AuthMethod) -> Option<OAuth2Plan> {
        use AuthMethod as M;
        let (kind, because) = match method {
            M::OAuth2 => match self.choose_legacy() {
                Some((k, why)) => {
                    self.legacy = Some(k);
                    self.method_label = MethodLabel {
                        method: M::OAuth2,
                        legacy_grant: Some(k.human()),
                    };
                    (k, Some(why))
                }
                None => {
                    let why = "AuthenticationMethod=OAuth2 cannot choose a grant: it needs at least ClientID and TokenURI";
                    let help_order = "legacy OAuth2 picks, in order: AccessToken, RefreshToken, OAuthCode, User+Password+TokenURI, ClaimsIssuer, ClientID+ClientSecret+TokenURI, then ClientID+TokenURI with a refresh token from the token store";
                    for n in ["ClientID", "TokenURI"] {
                        if self.present(n).is_none() {
                            self.missing(n, Some(format!("{why}; {n} is not set")));
                            if let Some(d) = self.diags.last_mut() {
                                d.help = Some(
                                    format!("{}\n{help_order}", d.help.clone().unwrap_or_default())
                                        .into(),
                                );
                            }
                        }
                    }
                    for n in ["ClientID", "TokenURI", "ClientSecret", "Scope"] {
                        self.mark(n);
                    }
                    return None;
                }
            },
            M::OAuth2AccessToken => (GrantKind::AccessToken, None),
            M::OAuth2AuthorizationCode => (GrantKind::AuthCode { pkce: false }, None),
            M::OAuth2Pkce => (GrantKind::AuthCode { pkce: true }, None),
            M::OAuth2Password => (GrantKind::Password, None),
            M::OAuth2ClientCredentials => (GrantKind::ClientCredentials, None),
            M::OAuth2RefreshToken => (GrantKind::Refresh { from_store: false }, None),
            _ => (GrantKind::JwtBearer, None),
        };
        let legacy = method == M::OAuth2;
        let grant = self.grant(kind);
        let scope = self
            .take("Scope")
            .map(|o| parse_scopes(self.effective(o)))
            .unwrap_or_default();
        self.take("User");
        let extra = self.extra_header();
        let grant = grant?;
        self.lint_endpoint(&grant);
        if legacy {
            self.lint_legacy_method(kind, because.as_deref());
        } else if method == M::OAuth2Password {
            self.lint_password_grant();
        }
        Some(OAuth2Plan {
            grant,
            chosen_because: because,
            scope,
            extra_header: extra?,
        })
    }

    fn client(
        &mut self,
        secret_required: bool,
        endpoint: Option<&TokenEndpoint>,
    ) -> Option<Client> {
        let id = self.text("ClientID", true);
        let secret = self.secret("ClientSecret", secret_required);
        let mode = match self.take("ClientCredentialsMode") {
            None => Some(ClientCredentialsMode::Basic),
            Some(o) => match parse_client_credentials_mode(self.effective(o)) {
                Some(m) => {
                    if m == ClientCredentialsMode::Post
                        && endpoint.is_some_and(|e| e.method == HttpMethod::Get)
                    {
                        self.invalid(
                            o,
                            "ClientCredentialsMode=Post sends the client credentials in a POST body, but TokenURI is requested with GET".to_owned(),
                            "write `TokenURI=POST https://…`".to_owned(),
                        );
                    }
                    if matches!(m, ClientCredentialsMode::All | ClientCredentialsMode::Url)
                        && secret.is_some()
                    {
                        let d = Diag::new(
                            lint::SECRET_IN_URL,
                            Severity::Warning,
                            format!(
                                "ClientCredentialsMode={} puts the client secret in the token request's URL, where servers and proxies log it",
                                if m == ClientCredentialsMode::All { "All" } else { "Url" }
                            ),
                            o.source(),
                            o.entry.raw_value,
                            "client secret goes into the URL",
                        )
                        .help("use ClientCredentialsMode=Basic (the default), or Post with `TokenURI=POST …`; RFC 6749 §2.3.1 forbids credentials in the URL")
                        .key("ClientCredentialsMode")
                        .section(self.section(o));
                        self.push(d);
                    }
                    Some(m)
                }
                None => {
                    let shown = o
                        .displayable_value()
                        .map_or("this value".to_owned(), |v| format!("`{}`", v.trim()));
                    let help = match suggest_client_credentials_mode(self.effective(o)) {
                        Some(s) => format!("did you mean `{s}`? (one of All, Basic, Url, Post, or 0-3)"),
                        None => "use one of All, Basic, Url, Post (or 0 Default, 1 Basic, 2 URL, 3 Post)".to_owned(),
                    };
                    self.invalid(o, format!("unknown ClientCredentialsMode {shown}"), help);
                    None
                }
            },
        };
        Some(Client {
            id: id?,
            secret,
            mode: mode?,
        })
    }

    fn refresh_grant(
        &mut self,
        secret_required: bool,
        token_required: bool,
    ) -> Option<RefreshGrant> {
        let endpoint = self.endpoint();
        let client = self.client(secret_required, endpoint.as_ref());
        let token = self.secret("RefreshToken", token_required);
        Some(RefreshGrant {
            client: client?,
            endpoint: endpoint?,
            refresh_token: token,
            login: None,
        })
    }

    fn grant(&mut self, kind: GrantKind) -> Option<Grant> {
        match kind {
            GrantKind::AccessToken => {
                let access_token = self.secret("AccessToken", true);
                let refresh = if self.present("RefreshToken").is_some() {
                    Some(self.refresh_grant(false, true))
                } else {
                    None
                };
                Some(Grant::AccessToken {
                    access_token: access_token?,
                    refresh: match refresh {
                        Some(r) => Some(r?),
                        None => None,
                    },
                })
            }
            GrantKind::Refresh { from_store } => {
                // A refresh token from the store comes from `connstr login`:
                // with AuthURI and RedirectURI both set, the plan says where
                // that login goes (each URL validated when given).
                let login = if from_store {
                    self.take("EnableLoginPrompt");
                    let auth_uri = self.url("AuthURI", false);
                    let redirect_uri = self.url("RedirectURI", false);
                    auth_uri
                        .zip(redirect_uri)
                        .map(|(auth_uri, redirect_uri)| LoginEndpoints {
                            auth_uri,
                            redirect_uri,
                            pkce: false,
                        })
                } else {
                    None
                };
                // A refresh token from the configuration goes with a
                // confidential client: ClientSecret is required (OPTIONS.md
                // §1), for OAuth2-RefreshToken and for legacy OAuth2 alike.
                // Only a refresh token from the token store (legacy OAuth2
                // with just ClientID + TokenURI, after an interactive PKCE
                // login) may belong to a public client.
                let mut r = self.refresh_grant(!from_store, !from_store)?;
                r.login = login;
                Some(Grant::RefreshToken(r))
            }
            GrantKind::ClientCredentials => {
                let endpoint = self.endpoint();
                let client = self.client(true, endpoint.as_ref());
                Some(Grant::ClientCredentials {
                    client: client?,
                    endpoint: endpoint?,
                })
            }
            GrantKind::AuthCode { pkce } => {
                let endpoint = self.endpoint();
                let client = self.client(false, endpoint.as_ref());
                let redirect = self.url("RedirectURI", true);
                let code = if pkce {
                    None
                } else {
                    self.secret("OAuthCode", false)
                };
                let auth_uri = if pkce || code.is_none() {
                    if self.present("AuthURI").is_none() && !pkce {
                        self.mark("AuthURI");
                        self.missing(
                            "OAuthCode",
                            Some(format!(
                                "{} needs OAuthCode, or AuthURI for an interactive login; neither is set",
                                self.method_label
                            )),
                        );
                        None
                    } else {
                        self.url("AuthURI", true)
                    }
                } else {
                    self.url("AuthURI", false)
                };
                self.take("EnableLoginPrompt");
                // An interactive login listens on RedirectURI's port.
                if code.is_none()
                    && let (Some(r), Some(o)) = (&redirect, self.present("RedirectURI"))
                    && r.port().is_none()
                {
                    self.invalid(
                        o,
                        "RedirectURI has no port: an interactive login listens for the browser on that port".to_owned(),
                        "write the port explicitly, e.g. `RedirectURI=http://127.0.0.1:8765/callback`".to_owned(),
                    );
                }
                Some(Grant::AuthorizationCode {
                    client: client?,
                    endpoint: endpoint?,
                    redirect_uri: redirect?,
                    auth_uri,
                    code,
                    pkce,
                })
            }
            GrantKind::Password => {
                let endpoint = self.endpoint();
                let user = self.text("User", true);
                let password = self.secret("Password", true);
                let client = self.client(false, endpoint.as_ref());
                Some(Grant::Password {
                    client: client?,
                    endpoint: endpoint?,
                    user: user?,
                    password: password?,
                })
            }
            GrantKind::JwtBearer => {
                let endpoint = self.endpoint();
                let issuer = self.text("ClaimsIssuer", true);
                let subject = self.text("ClaimsSubject", true);
                let client = self.client(false, endpoint.as_ref());
                Some(Grant::JwtBearer {
                    client: client?,
                    endpoint: endpoint?,
                    issuer: issuer?,
                    subject: subject?,
                })
            }
        }
    }

    /// AuthHeader + SecurityToken in an OAuth flow. `Some(None)`: no extra
    /// header; `None`: a problem was reported.
    fn extra_header(&mut self) -> Option<Option<ExtraHeader>> {
        let Some(h) = self.take("AuthHeader") else {
            return Some(None);
        };
        let name = self.header(h);
        self.mark("SecurityToken");
        let Some(token) = self.present("SecurityToken") else {
            let why = format!(
                "AuthHeader is set but SecurityToken is not: in {} AuthHeader names an extra header whose value is SecurityToken",
                self.method_label
            );
            self.missing("SecurityToken", Some(why));
            if let Some(d) = self.diags.last_mut() {
                d.primary.source = h.source();
                d.primary.span = h.entry.key;
                d.primary.message = "AuthHeader without SecurityToken".into();
            }
            return None;
        };
        Some(Some(ExtraHeader {
            name: name?,
            value: Secret::new(self.effective(token)),
        }))
    }

    // ---- lints that need the plan ----

    fn lint_endpoint(&mut self, grant: &Grant) {
        if let Some(e) = grant.endpoint()
            && let Some(o) = self.present("TokenURI")
        {
            if e.method == HttpMethod::Get {
                let d = Diag::new(
                    lint::TOKEN_URI_GET,
                    Severity::Warning,
                    "TokenURI will be requested with GET (DataDirect's default), but OAuth 2.0 token endpoints expect POST",
                    o.source(),
                    o.entry.raw_value,
                    "requested with GET",
                )
                .help("write `TokenURI=POST https://…`: RFC 6749 §3.2 requires POST, and most servers refuse a GET")
                .key("TokenURI")
                .section(self.section(o));
                self.push(d);
            }
            self.lint_insecure("TokenURI", &e.url);
        }
        if let Grant::AuthorizationCode {
            auth_uri: Some(a), ..
        } = grant
        {
            self.lint_insecure("AuthURI", a);
        }
        if let Grant::RefreshToken(RefreshGrant { login: Some(l), .. }) = grant {
            self.lint_insecure("AuthURI", &l.auth_uri);
        }
    }

    fn lint_insecure(&mut self, name: &'static str, url: &Url) {
        if url.scheme() != "http" || is_loopback(url) {
            return;
        }
        let Some(o) = self.present(name) else { return };
        let d = Diag::new(
            lint::INSECURE_URL,
            Severity::Warning,
            format!(
                "{name} uses plain http://: secrets and tokens would cross the network unencrypted"
            ),
            o.source(),
            o.entry.raw_value,
            "not encrypted",
        )
        .help(
            "use https:// (plain http:// is only safe to this machine: localhost, 127.0.0.1, ::1)",
        )
        .key(name)
        .section(self.section(o));
        self.push(d);
    }

    fn lint_legacy_method(&mut self, kind: GrantKind, because: Option<&str>) {
        let Some(o) = self.set.get("AuthenticationMethod") else {
            return;
        };
        let explicit = kind.explicit().name();
        let help = match kind {
            GrantKind::Refresh { from_store: true } => {
                "OAuth2-RefreshToken would need RefreshToken in the configuration; keep OAuth2 only to take it from the token store".to_owned()
            }
            _ => format!("write AuthenticationMethod={explicit} to say which grant you mean"),
        };
        let d = Diag::new(
            lint::DEPRECATED,
            Severity::Warning,
            format!(
                "AuthenticationMethod=OAuth2 is the legacy name: here it means the {} grant ({})",
                kind.human(),
                because.unwrap_or("")
            ),
            o.source(),
            o.entry.raw_value,
            format!("resolves to {explicit}"),
        )
        .help(help)
        .key("AuthenticationMethod")
        .section(self.section(o));
        self.push(d);
        if kind == GrantKind::Password {
            self.lint_password_grant();
        }
    }

    fn lint_password_grant(&mut self) {
        let Some(o) = self.set.get("AuthenticationMethod") else {
            return;
        };
        let d = Diag::new(
            lint::DEPRECATED,
            Severity::Warning,
            "the password grant is deprecated (RFC 9700): the application handles the user's password itself",
            o.source(),
            o.entry.raw_value,
            "password grant",
        )
        .help("prefer OAuth2-AuthorizationCode or OAuth2-PKCE when the server offers them")
        .key("AuthenticationMethod")
        .section(self.section(o));
        self.push(d);
    }

    fn lint_ignored(&mut self, method: AuthMethod) {
        let set = self.set;
        for o in set.winners() {
            let Some(spec) = o.spec else { continue };
            if spec.methods.is_any() || self.is_used(spec) {
                continue;
            }
            let why = match (method, self.legacy) {
                (AuthMethod::OAuth2, Some(k)) => format!(
                    "AuthenticationMethod=OAuth2 resolves to the {} grant here, which does not use it",
                    k.human()
                ),
                (AuthMethod::None, _) if set.get("AuthenticationMethod").is_none() => {
                    "AuthenticationMethod is not set, so no authentication is done (None is the default)".to_owned()
                }
                _ => format!("{} does not use it", self.method_label),
            };
            let users: Vec<&str> = spec
                .methods
                .iter()
                .filter(|m| *m != AuthMethod::OAuth2)
                .map(AuthMethod::name)
                .collect();
            let help = if users.is_empty() {
                "remove it".to_owned()
            } else {
                format!(
                    "remove it, or choose a method that uses it: {}",
                    shorten(&users, 4)
                )
            };
            let d = Diag::new(
                lint::IGNORED_KEY,
                Severity::Warning,
                format!("{} is ignored: {why}", spec.name),
                o.source(),
                o.entry.key,
                "not used",
            )
            .help(help)
            .key(spec.name)
            .section(self.section(o));
            self.push(d);
        }
    }

    /// Values of options every method shares, checked whatever the method.
    fn check_any_options(&mut self) {
        if self.present("HealthURI").is_some() {
            self.url("HealthURI", false);
        }
        if lookup("EnableLoginPrompt").is_some_and(|s| self.is_used(s))
            && let Some(o) = self.present("EnableLoginPrompt")
            && parse_bool(self.effective(o)).is_none()
        {
            self.invalid(
                o,
                "EnableLoginPrompt must be 0 or 1 (or true/false)".to_owned(),
                "write EnableLoginPrompt=1 to allow an interactive login, 0 to forbid it"
                    .to_owned(),
            );
        }
    }

    fn provenance(&self) -> IndexMap<&'static str, Origin> {
        let mut out = IndexMap::with_capacity(self.set.winners().count());
        for o in self.set.winners() {
            if let Some(spec) = o.spec
                && (spec.methods.is_any() || self.is_used(spec))
            {
                out.insert(spec.name, o.origin());
            }
        }
        out
    }
}

/// The canonical name of `o`'s option (no copy), or its key as written.
fn name_text(o: &Occurrence) -> Text {
    match o.spec {
        Some(spec) => Text::Borrowed(spec.name),
        None => Text::Owned(o.key().to_owned()),
    }
}

/// "a, b and c".
fn join_and(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// At most `n` names, then "…".
fn shorten(names: &[&str], n: usize) -> String {
    if names.len() <= n {
        names.join(", ")
    } else {
        format!("{}, …", names[..n].join(", "))
    }
}
