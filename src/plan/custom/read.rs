//! Reading an `#authentication` / `#reauthentication` entry of the Model
//! file into a [`CustomFlow`], step by step, with the problems found.

use super::{
    CustomCredential, CustomFlow, CustomRequest, JsonTemplate, Piece, Placement, StepAt,
    StepProblem, Template, Var, is_secret_name,
};
use crate::diagnostic::SourceId;
use crate::syntax::{Span, Value, ValueKind};

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

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
