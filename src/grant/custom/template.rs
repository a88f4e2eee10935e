//! Filling in a custom login's templates: the connection's values for
//! `{user}`, `{password}`, `{serverName}` and `{customAuthParams[N]}`, and
//! `{/json/pointer}` values from the responses received so far.
//!
//! Where a value goes decides how it is written: in a request URL every
//! value but `{serverName}` is percent-encoded (a password with `&` or `#`
//! stays one query value); in a header it must not hold a control
//! character; in a JSON body it is a JSON string.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::error::CustomProblem;
use crate::Secret;
use crate::plan::{CustomPlan, Piece, Template, Var};

/// RFC 3986 unreserved characters stay; everything else is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Where a filled-in template goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// A request URL: values are percent-encoded, `{serverName}` is not.
    Url,
    /// A header value or a JSON string: values as they are.
    Plain,
}

/// The values a login's templates read: the connection's, and the JSON
/// responses received so far (oldest first).
pub(crate) struct Values<'a> {
    pub(crate) plan: &'a CustomPlan,
    pub(crate) responses: &'a [serde_json::Value],
}

impl Values<'_> {
    /// The value of one variable, as text.
    fn var(&self, var: &Var) -> Result<String, CustomProblem> {
        let missing = |option: &'static str| CustomProblem::NoValue {
            var: var.to_string(),
            option,
        };
        match var {
            Var::User => self.plan.user.clone().ok_or_else(|| missing("User")),
            Var::Password => self
                .plan
                .password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .ok_or_else(|| missing("Password")),
            Var::ServerName => self
                .plan
                .server_name
                .clone()
                .ok_or_else(|| missing("HostName")),
            Var::CustomAuthParam { index } => index
                .checked_sub(1)
                .and_then(|i| self.plan.params.get(i))
                .map(|p| p.expose().to_owned())
                .ok_or_else(|| missing("CustomAuthParams")),
            Var::Response { path } => self.response(path),
        }
    }

    /// `{/a/b}`: the most recent response that has a value there.
    fn response(&self, path: &str) -> Result<String, CustomProblem> {
        if self.responses.is_empty() {
            return Err(CustomProblem::NoResponseYet {
                path: path.to_owned(),
            });
        }
        for r in self.responses.iter().rev() {
            match r.pointer(path) {
                None | Some(serde_json::Value::Null) => continue,
                Some(serde_json::Value::String(s)) => return Ok(s.clone()),
                Some(other) => return Ok(other.to_string()),
            }
        }
        Err(CustomProblem::NoValueAt {
            path: path.to_owned(),
        })
    }

    /// A template filled in for `place`.
    pub(crate) fn fill(&self, t: &Template, place: Place) -> Result<String, CustomProblem> {
        let mut out = String::new();
        for p in &t.pieces {
            match p {
                Piece::Text { text } => out.push_str(text),
                Piece::Secret { value } => out.push_str(&encode(value.expose(), place)),
                Piece::Var { var } => {
                    let v = self.var(var)?;
                    if *var == Var::ServerName {
                        out.push_str(&v);
                    } else {
                        out.push_str(&encode(&v, place));
                    }
                }
            }
        }
        Ok(out)
    }

    /// A template filled in as a secret (a header value or a credential).
    pub(crate) fn fill_secret(&self, t: &Template) -> Result<Secret, CustomProblem> {
        self.fill(t, Place::Plain).map(Secret::new)
    }
}

fn encode(v: &str, place: Place) -> String {
    match place {
        Place::Url => utf8_percent_encode(v, COMPONENT).to_string(),
        Place::Plain => v.to_owned(),
    }
}

/// Whether `v` can be sent as a header value (no control character but tab).
pub(crate) fn header_safe(v: &str) -> bool {
    !v.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{CustomFlow, StepAt};
    use crate::syntax::Span;

    fn plan() -> CustomPlan {
        let at = StepAt {
            source: crate::diagnostic::SourceId(0),
            span: Span::empty(0),
        };
        CustomPlan {
            config_file: "m.rest".into(),
            authentication: CustomFlow {
                requests: vec![],
                credential: None,
                at,
            },
            reauthentication: None,
            reauthenticate_on: vec![401],
            user: Some("ann".into()),
            password: Some(Secret::new("p&w#1 x")),
            server_name: Some("127.0.0.1:8080".into()),
            params: vec![Secret::new("k1"), Secret::new("Acme Inc")],
        }
    }

    fn t(pieces: Vec<Piece>) -> Template {
        Template { pieces }
    }

    fn text(s: &str) -> Piece {
        Piece::Text { text: s.into() }
    }

    fn var(v: Var) -> Piece {
        Piece::Var { var: v }
    }

    #[test]
    fn url_values_are_encoded_but_the_server_name() {
        let p = plan();
        let v = Values {
            plan: &p,
            responses: &[],
        };
        let url = t(vec![
            text("http://"),
            var(Var::ServerName),
            text("/login?u="),
            var(Var::User),
            text("&pw="),
            var(Var::Password),
            text("&c="),
            var(Var::CustomAuthParam { index: 2 }),
        ]);
        assert_eq!(
            v.fill(&url, Place::Url).unwrap(),
            "http://127.0.0.1:8080/login?u=ann&pw=p%26w%231%20x&c=Acme%20Inc"
        );
        assert_eq!(
            v.fill(&t(vec![var(Var::Password)]), Place::Plain).unwrap(),
            "p&w#1 x"
        );
    }

    #[test]
    fn response_values_come_from_the_newest_response_that_has_them() {
        let p = plan();
        let responses = [
            serde_json::json!({"session": {"id": "s-1"}, "n": 7, "only_old": "o"}),
            serde_json::json!({"session": {"id": "s-2"}, "gone": null}),
        ];
        let v = Values {
            plan: &p,
            responses: &responses,
        };
        let get = |path: &str| {
            v.fill(
                &t(vec![var(Var::Response { path: path.into() })]),
                Place::Plain,
            )
        };
        assert_eq!(get("/session/id").unwrap(), "s-2");
        assert_eq!(get("/only_old").unwrap(), "o");
        assert_eq!(get("/n").unwrap(), "7");
        assert_eq!(get("/session").unwrap(), r#"{"id":"s-2"}"#);
        assert!(matches!(get("/gone"), Err(CustomProblem::NoValueAt { .. })));
        assert!(matches!(get("/nope"), Err(CustomProblem::NoValueAt { .. })));
        let none = Values {
            plan: &p,
            responses: &[],
        };
        assert!(matches!(
            none.fill(
                &t(vec![var(Var::Response { path: "/a".into() })]),
                Place::Plain
            ),
            Err(CustomProblem::NoResponseYet { .. })
        ));
    }

    #[test]
    fn a_missing_value_names_its_option() {
        let mut p = plan();
        p.user = None;
        p.params.truncate(1);
        let v = Values {
            plan: &p,
            responses: &[],
        };
        let e = v.fill(&t(vec![var(Var::User)]), Place::Plain).unwrap_err();
        assert_eq!(e.to_string(), "`{user}` has no value: User is not set");
        let e = v
            .fill(
                &t(vec![var(Var::CustomAuthParam { index: 2 })]),
                Place::Plain,
            )
            .unwrap_err();
        assert!(e.to_string().contains("CustomAuthParams"), "{e}");
    }

    #[test]
    fn header_values_refuse_control_characters() {
        assert!(header_safe("Bearer a\tb"));
        assert!(!header_safe("a\r\nX-Evil: 1"));
    }
}
