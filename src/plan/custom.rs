//! A custom login (`AuthenticationMethod=Custom`, ODBC code 29) as the Model
//! file's `#authentication` / `#reauthentication` arrays define it.
//!
//! An array is read in order (MODEL_FILE.md §3): a `"name=value"` string is a
//! header of the next request, a JSON object its body, `"POST <url>"` the
//! request itself, and the final `"HEADER name=value"` or `"PARAM
//! name=value"` says how the credential goes on data requests. Strings are
//! [`Template`]s: `{user}`, `{password}`, `{serverName}`,
//! `{customAuthParams[N]}` (1-based) and `{/json/path}` (a value from the
//! previous response) are filled in when the login runs.
//!
//! Choices where the vendor documentation is silent (said in `explain` and
//! the README): variable names are matched without regard to case;
//! `{/path}` is a JSON Pointer (RFC 6901) into the most recent response that
//! has it (a later step's response first; `#reauthentication` also sees the
//! `#authentication` responses); the credential value is trimmed of the
//! blanks after `=`; request methods are GET, POST, PUT, PATCH and DELETE.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::Secret;
use crate::diagnostic::SourceId;
use crate::syntax::{Span, Value, ValueKind};

/// A variable in a step.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "var", rename_all = "kebab-case")]
pub enum Var {
    /// `{user}`: User.
    User,
    /// `{password}`: Password (a secret).
    Password,
    /// `{serverName}`: HostName / ServerName.
    ServerName,
    /// `{customAuthParams[N]}`: the N-th (1-based) value of CustomAuthParams (a secret).
    CustomAuthParam {
        /// 1-based.
        index: usize,
    },
    /// `{/a/b}`: a value from an earlier response (a JSON Pointer).
    Response {
        /// The pointer, `/a/b`.
        path: String,
    },
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Var::User => f.write_str("{user}"),
            Var::Password => f.write_str("{password}"),
            Var::ServerName => f.write_str("{serverName}"),
            Var::CustomAuthParam { index } => write!(f, "{{customAuthParams[{index}]}}"),
            Var::Response { path } => write!(f, "{{{path}}}"),
        }
    }
}

/// One piece of a [`Template`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Piece {
    /// Literal text.
    Text {
        /// The text.
        text: String,
    },
    /// A literal secret typed into the Model file (masked everywhere).
    Secret {
        /// The value.
        value: Secret,
    },
    /// A variable.
    Var {
        /// Which.
        var: Var,
    },
}

/// A string of a step, with its variables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Template {
    /// Its pieces, in order.
    pub pieces: Vec<Piece>,
}

impl Template {
    /// A template of literal text.
    pub fn text(s: &str) -> Self {
        Template {
            pieces: vec![Piece::Text { text: s.to_owned() }],
        }
    }

    /// The variables it uses.
    pub fn vars(&self) -> impl Iterator<Item = &Var> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var { var } => Some(var),
            _ => None,
        })
    }

    /// Whether it holds only literal text (no variable).
    pub fn is_literal(&self) -> bool {
        self.vars().next().is_none()
    }

    /// The whole template as a literal secret (a secret typed into the file).
    fn into_secret(self) -> Self {
        let mut text = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text { text: t } => text.push_str(t),
                Piece::Secret { value } => text.push_str(value.expose()),
                Piece::Var { .. } => return self,
            }
        }
        Template {
            pieces: vec![Piece::Secret {
                value: Secret::new(text),
            }],
        }
    }
}

/// As written, secrets shown as `<redacted>`.
impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.pieces {
            match p {
                Piece::Text { text } => f.write_str(text)?,
                Piece::Secret { .. } => f.write_str(crate::REDACTED)?,
                Piece::Var { var } => write!(f, "{var}")?,
            }
        }
        Ok(())
    }
}

impl Serialize for Template {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// A JSON request body whose strings are templates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonTemplate {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Number(serde_json::Number),
    /// A string.
    String(Template),
    /// An array.
    Array(Vec<JsonTemplate>),
    /// An object, members in order.
    Object(Vec<(String, JsonTemplate)>),
}

impl JsonTemplate {
    /// Every template in it.
    pub fn templates(&self) -> Vec<&Template> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a Template>) {
        match self {
            JsonTemplate::String(t) => out.push(t),
            JsonTemplate::Array(a) => a.iter().for_each(|x| x.collect(out)),
            JsonTemplate::Object(m) => m.iter().for_each(|(_, x)| x.collect(out)),
            _ => {}
        }
    }

    /// Fill it in: `fill` turns each template into its text.
    pub fn render<E>(
        &self,
        fill: &mut impl FnMut(&Template) -> Result<String, E>,
    ) -> Result<serde_json::Value, E> {
        use serde_json::Value as J;
        Ok(match self {
            JsonTemplate::Null => J::Null,
            JsonTemplate::Bool(b) => J::Bool(*b),
            JsonTemplate::Number(n) => J::Number(n.clone()),
            JsonTemplate::String(t) => J::String(fill(t)?),
            JsonTemplate::Array(a) => {
                J::Array(a.iter().map(|x| x.render(fill)).collect::<Result<_, _>>()?)
            }
            JsonTemplate::Object(m) => {
                let mut map = serde_json::Map::new();
                for (k, x) in m {
                    map.insert(k.clone(), x.render(fill)?);
                }
                J::Object(map)
            }
        })
    }

    /// As JSON with each template written out (secrets `<redacted>`).
    pub fn display_json(&self) -> serde_json::Value {
        self.render::<std::convert::Infallible>(&mut |t| Ok(t.to_string()))
            .unwrap_or(serde_json::Value::Null)
    }
}

impl Serialize for JsonTemplate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.display_json().serialize(s)
    }
}

/// Where a step is in the Model file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StepAt {
    /// The Model file.
    pub source: SourceId,
    /// The step's text.
    pub span: Span,
}

/// One HTTP request of a custom login.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CustomRequest {
    /// 1-based position among the entry's requests (for messages: "step 2").
    pub step: usize,
    /// `POST`, `GET`, …
    pub method: String,
    /// The URL.
    pub url: Template,
    /// Headers sent with it, in order.
    pub headers: Vec<(String, Template)>,
    /// Its JSON body.
    pub body: Option<JsonTemplate>,
    /// Where its request line is.
    pub at: StepAt,
}

impl CustomRequest {
    /// `POST https://{serverName}/login`, as written (secrets masked).
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.url)
    }
}

/// Where the credential goes on data requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// `HEADER name=value`: a request header.
    Header,
    /// `PARAM name=value`: a URL query parameter.
    Param,
}

/// The final `HEADER name=value` / `PARAM name=value` line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CustomCredential {
    /// Header or URL parameter.
    pub placement: Placement,
    /// Its name.
    pub name: String,
    /// Its value (usually with a `{/path}` into the last response).
    pub value: Template,
    /// Where the line is.
    pub at: StepAt,
}

impl fmt::Display for CustomCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.placement {
            Placement::Header => write!(f, "header {}: {}", self.name, self.value),
            Placement::Param => write!(f, "URL parameter ?{}={}", self.name, self.value),
        }
    }
}

/// An `#authentication` or `#reauthentication` entry, read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CustomFlow {
    /// The requests, in order.
    pub requests: Vec<CustomRequest>,
    /// How the result goes on data requests (required for
    /// `#authentication`; `#reauthentication` falls back to its
    /// `#authentication`'s when it has none).
    pub credential: Option<CustomCredential>,
    /// Where the entry's key is.
    pub at: StepAt,
}

impl CustomFlow {
    /// Every template of the flow with where it is.
    pub fn templates(&self) -> Vec<(&Template, StepAt)> {
        let mut out = Vec::new();
        for r in &self.requests {
            out.push((&r.url, r.at));
            for (_, h) in &r.headers {
                out.push((h, r.at));
            }
            if let Some(b) = &r.body {
                out.extend(b.templates().into_iter().map(|t| (t, r.at)));
            }
        }
        if let Some(c) = &self.credential {
            out.push((&c.value, c.at));
        }
        out
    }
}

/// A problem found while reading an entry (target-independent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StepProblem {
    pub(crate) span: Span,
    pub(crate) message: String,
    pub(crate) help: &'static str,
    /// A literal secret typed into the file (a warning, `secret-in-model`),
    /// not a broken step.
    pub(crate) secret: bool,
    /// A warning rather than an error.
    pub(crate) warning: bool,
    /// For a secret: the bytes to mask.
    pub(crate) mask: Span,
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Whether a header or JSON member name suggests a secret value.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    [
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "apikey",
        "authorization",
        "credential",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// Parse a step string's variables. `span`: the string's content in the
/// file, for problems (exact when `verbatim`).
fn template(s: &str, span: Span, verbatim: bool, problems: &mut Vec<StepProblem>) -> Template {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    let mut at = 0usize;
    let here = |from: usize, len: usize| {
        if verbatim {
            Span::new(span.start() + from, span.start() + from + len)
        } else {
            span
        }
    };
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            problems.push(StepProblem {
                span: here(at + open, 1),
                message: "`{` with no closing `}` in a step".to_owned(),
                help: "variables are written `{user}`, `{password}`, `{serverName}`, `{customAuthParams[1]}` or `{/path}`",
                secret: false,
                warning: false,
                mask: Span::empty(0),
            });
            text.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = &after[..close];
        let var = if let Some(path) = name.strip_prefix('/') {
            Some(Var::Response {
                path: format!("/{path}"),
            })
        } else if name.eq_ignore_ascii_case("user") {
            Some(Var::User)
        } else if name.eq_ignore_ascii_case("password") {
            Some(Var::Password)
        } else if name.eq_ignore_ascii_case("serverName") || name.eq_ignore_ascii_case("hostName") {
            Some(Var::ServerName)
        } else if name.len() > 18
            && name[..17].eq_ignore_ascii_case("customAuthParams[")
            && name.ends_with(']')
        {
            match name[17..name.len() - 1].trim().parse::<usize>() {
                Ok(n) if n >= 1 => Some(Var::CustomAuthParam { index: n }),
                _ => {
                    problems.push(StepProblem {
                        span: here(at + open, close + 2),
                        message: format!("`{{{name}}}`: the index of customAuthParams starts at 1"),
                        help: "write `{customAuthParams[1]}` for the first value of CustomAuthParams",
                        secret: false,
                        warning: false,
                mask: Span::empty(0),
                    });
                    None
                }
            }
        } else {
            problems.push(StepProblem {
                span: here(at + open, close + 2),
                message: format!("`{{{name}}}` is not a variable connstr knows: it is sent as written"),
                help: "the documented variables are {user}, {password}, {serverName}, {customAuthParams[N]} and {/path}",
                secret: false,
                warning: true,
                mask: Span::empty(0),
            });
            None
        };
        match var {
            Some(v) => {
                if !text.is_empty() {
                    pieces.push(Piece::Text {
                        text: std::mem::take(&mut text),
                    });
                }
                pieces.push(Piece::Var { var: v });
            }
            None => text.push_str(&rest[open..open + close + 2]),
        }
        at += open + close + 2;
        rest = &after[close + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text { text });
    }
    Template { pieces }
}

fn json_template(v: Value<'_, '_>, problems: &mut Vec<StepProblem>) -> JsonTemplate {
    match v.kind() {
        ValueKind::Object => JsonTemplate::Object(
            v.members()
                .map(|m| {
                    let key = m.key().unwrap_or_default().into_owned();
                    let mut t = json_template(m, problems);
                    if let JsonTemplate::String(s) = &t
                        && is_secret_name(&key)
                        && s.is_literal()
                        && !s.pieces.is_empty()
                    {
                        problems.push(StepProblem {
                            span: m.span(),
                            message: format!(
                                "a literal value for `{key}` is typed into the Model file"
                            ),
                            help: "use {password} or {customAuthParams[N]} and keep the value in the connection (it is masked in every output)",
                            secret: true,
                            warning: true,
                            mask: m.content_span().unwrap_or(m.span()),
                        });
                        t = JsonTemplate::String(s.clone().into_secret());
                    }
                    (key, t)
                })
                .collect(),
        ),
        ValueKind::Array => JsonTemplate::Array(v.items().map(|x| json_template(x, problems)).collect()),
        ValueKind::String => {
            let s = v.as_str().unwrap_or_default();
            let span = v.content_span().unwrap_or(v.span());
            JsonTemplate::String(template(&s, span, v.is_verbatim(), problems))
        }
        ValueKind::Number => v
            .to_json()
            .as_number()
            .cloned()
            .map_or(JsonTemplate::Null, JsonTemplate::Number),
        ValueKind::Bool => JsonTemplate::Bool(v.as_bool().unwrap_or(false)),
        ValueKind::Null | ValueKind::Invalid => JsonTemplate::Null,
    }
}

/// Read an `#authentication` / `#reauthentication` entry. `reauth`: the
/// credential line may be left out (the `#authentication`'s is used) and
/// `{/path}` in the first request reads the `#authentication` responses.
pub(crate) fn read_flow(
    entry: Value<'_, '_>,
    source: SourceId,
    reauth: bool,
    problems: &mut Vec<StepProblem>,
) -> Option<CustomFlow> {
    let at = StepAt {
        source,
        span: entry.key_span().unwrap_or(entry.span()),
    };
    let name = entry.key().unwrap_or_default().into_owned();
    if entry.kind() != ValueKind::Array {
        problems.push(StepProblem {
            span: entry.span(),
            message: format!("`{name}` must be an array of steps"),
            help: "write `[\"content-type=application/json\", {…}, \"POST https://…\", \"HEADER Authorization=Bearer {/token}\"]`",
            secret: false,
            warning: false,
                mask: Span::empty(0),
        });
        return None;
    }
    let mut requests: Vec<CustomRequest> = Vec::new();
    let mut headers: Vec<(String, Template, Span)> = Vec::new();
    let mut body: Option<(JsonTemplate, Span)> = None;
    let mut credential: Option<CustomCredential> = None;
    let err = |problems: &mut Vec<StepProblem>, span: Span, message: String, help: &'static str| {
        problems.push(StepProblem {
            span,
            message,
            help,
            secret: false,
            warning: false,
            mask: Span::empty(0),
        });
    };
    for step in entry.items() {
        let span = step.span();
        if let Some(c) = &credential {
            let _ = c;
            err(
                problems,
                span,
                "a step after the HEADER/PARAM line is never sent".to_owned(),
                "the HEADER or PARAM line that says how the credential is used comes last",
            );
            continue;
        }
        match step.kind() {
            ValueKind::Object => {
                if let Some((_, first)) = &body {
                    err(
                        problems,
                        span,
                        "two JSON bodies for the same request: the first is never sent".to_owned(),
                        "a request has one body: put a request line between them",
                    );
                    let _ = first;
                }
                body = Some((json_template(step, problems), span));
            }
            ValueKind::String => {
                let raw = step.as_str().unwrap_or_default();
                let content = step.content_span().unwrap_or(span);
                let verbatim = step.is_verbatim();
                let trimmed = raw.trim_start();
                let lead = raw.len() - trimmed.len();
                let word_end = trimmed.find([' ', '\t']).unwrap_or(trimmed.len());
                let word = &trimmed[..word_end];
                let after = trimmed[word_end..].trim_start();
                let after_off = lead + (trimmed.len() - after.len());
                let sub = |from: usize, len: usize| {
                    if verbatim {
                        Span::new(content.start() + from, content.start() + from + len)
                    } else {
                        content
                    }
                };
                if word.eq_ignore_ascii_case("HEADER") || word.eq_ignore_ascii_case("PARAM") {
                    let placement = if word.eq_ignore_ascii_case("HEADER") {
                        Placement::Header
                    } else {
                        Placement::Param
                    };
                    let Some(eq) = after.find('=') else {
                        err(
                            problems,
                            span,
                            format!("`{word}` line without `name=value`"),
                            "write `HEADER Authorization=Bearer {/access_token}` or `PARAM access_token={/token}`",
                        );
                        continue;
                    };
                    let name = after[..eq].trim().to_owned();
                    let value_raw = &after[eq + 1..];
                    let value_trim = value_raw.trim();
                    let voff =
                        after_off + eq + 1 + (value_raw.len() - value_raw.trim_start().len());
                    if name.is_empty() {
                        err(
                            problems,
                            span,
                            format!("`{word}` line with an empty name"),
                            "write `HEADER Authorization=Bearer {/access_token}`",
                        );
                        continue;
                    }
                    let value =
                        template(value_trim, sub(voff, value_trim.len()), verbatim, problems);
                    if placement == Placement::Header
                        && crate::plan::HeaderName::parse(&name).is_none()
                    {
                        err(
                            problems,
                            span,
                            format!("`{name}` is not a valid HTTP header name"),
                            "a header name is letters, digits and `-`",
                        );
                    }
                    if !headers.is_empty() || body.is_some() {
                        err(
                            problems,
                            span,
                            "headers or a body before the HEADER/PARAM line are never sent: no request follows them".to_owned(),
                            "put the request line (`POST https://…`) after them",
                        );
                        headers.clear();
                        body = None;
                    }
                    credential = Some(CustomCredential {
                        placement,
                        name,
                        value,
                        at: StepAt { source, span },
                    });
                } else if METHODS.iter().any(|m| m.eq_ignore_ascii_case(word)) && !after.is_empty()
                {
                    let url = template(after, sub(after_off, after.len()), verbatim, problems);
                    let first = url.pieces.first();
                    let absolute = match first {
                        Some(Piece::Text { text }) => {
                            let l = text.to_ascii_lowercase();
                            l.starts_with("http://") || l.starts_with("https://")
                        }
                        Some(Piece::Var {
                            var: Var::ServerName,
                        }) => true,
                        _ => false,
                    };
                    if !absolute {
                        err(
                            problems,
                            span,
                            "the request URL is not absolute: the request can never be sent"
                                .to_owned(),
                            "write `POST https://host/path` or `POST https://{serverName}/path`",
                        );
                    }
                    if let Some(Piece::Text { text }) = first
                        && text.to_ascii_lowercase().starts_with("http://")
                        && !text.contains("127.0.0.1")
                        && !text.to_ascii_lowercase().contains("localhost")
                        && url
                            .vars()
                            .any(|v| matches!(v, Var::Password | Var::CustomAuthParam { .. }))
                    {
                        problems.push(StepProblem {
                            span,
                            message: "credentials go to an http:// URL, unencrypted".to_owned(),
                            help: "use https://",
                            secret: false,
                            warning: true,
                            mask: Span::empty(0),
                        });
                    }
                    let n = requests.len() + 1;
                    requests.push(CustomRequest {
                        step: n,
                        method: word.to_ascii_uppercase(),
                        url,
                        headers: headers.drain(..).map(|(n, v, _)| (n, v)).collect(),
                        body: body.take().map(|(b, _)| b),
                        at: StepAt { source, span },
                    });
                } else if let Some(eq) = trimmed.find('=') {
                    let name = trimmed[..eq].trim().to_owned();
                    let value_raw = &trimmed[eq + 1..];
                    let v = value_raw.trim();
                    let voff = lead + eq + 1 + (value_raw.len() - value_raw.trim_start().len());
                    let mut value = template(v, sub(voff, v.len()), verbatim, problems);
                    if crate::plan::HeaderName::parse(&name).is_none() {
                        err(
                            problems,
                            span,
                            format!(
                                "`{name}` is not a valid HTTP header name: this step can never be sent"
                            ),
                            "a header step is `name=value`, e.g. `content-type=application/json`",
                        );
                    } else if is_secret_name(&name) && value.is_literal() && !v.is_empty() {
                        problems.push(StepProblem {
                            span,
                            message: format!("a literal value for header `{name}` is typed into the Model file"),
                            help: "use {customAuthParams[N]} and keep the value in CustomAuthParams (it is masked in every output)",
                            secret: true,
                            warning: true,
                            mask: sub(voff, v.len()),
                        });
                        value = value.into_secret();
                    }
                    headers.push((name, value, span));
                } else {
                    err(
                        problems,
                        span,
                        "not a step: expected `name=value` (a header), `POST <url>` (a request) or `HEADER`/`PARAM name=value`".to_owned(),
                        "see the Model file's custom authentication syntax",
                    );
                }
            }
            _ => err(
                problems,
                span,
                "not a step: a step is a string or a JSON object".to_owned(),
                "see the Model file's custom authentication syntax",
            ),
        }
    }
    if let Some((_, s)) = headers.first().map(|(a, b, s)| ((a, b), *s)) {
        err(
            problems,
            s,
            "this header is never sent: no request line follows it".to_owned(),
            "put the request line (`POST https://…`) after the headers and body it goes with",
        );
    }
    if let Some((_, s)) = &body {
        err(
            problems,
            *s,
            "this JSON body is never sent: no request line follows it".to_owned(),
            "put the request line (`POST https://…`) after the body",
        );
    }
    if requests.is_empty() {
        err(
            problems,
            at.span,
            format!("`{name}` holds no request line: nothing can be sent"),
            "add a request line such as `POST https://{serverName}/login`",
        );
    }
    if credential.is_none() && !reauth {
        err(
            problems,
            at.span,
            format!(
                "`{name}` has no final `HEADER name=value` or `PARAM name=value` line: the credential is never used"
            ),
            "end the array with e.g. `HEADER Authorization=Bearer {/access_token}`",
        );
    }
    // `{/path}` before any response.
    if !reauth && let Some(first) = requests.first() {
        let early = first
            .headers
            .iter()
            .map(|(_, t)| t)
            .chain(std::iter::once(&first.url))
            .chain(first.body.iter().flat_map(|b| b.templates()))
            .any(|t| t.vars().any(|v| matches!(v, Var::Response { .. })));
        if early {
            err(
                problems,
                first.at.span,
                "the first request uses a `{/path}` value, but no response has been received yet"
                    .to_owned(),
                "`{/path}` reads a value from an earlier response of the login",
            );
        }
    }
    Some(CustomFlow {
        requests,
        credential,
        at,
    })
}
