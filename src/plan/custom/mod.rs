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

mod read;

pub(crate) use read::read_flow;

use crate::Secret;
use crate::diagnostic::SourceId;
use crate::syntax::Span;

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
