//! `--deny LINT` / `--allow LINT` (or the `warnings` group), as clippy does.
//!
//! A level named for a lint beats the `warnings` group; a lint both denied and
//! allowed is denied (a CI gate should not be loosened by accident).

use connstr::diagnostic::{Diagnostic, Severity};

/// The group name that stands for every warning.
pub const WARNINGS: &str = "warnings";

/// Validated lint levels.
#[derive(Clone, Debug, Default)]
pub struct Levels {
    deny: Vec<String>,
    allow: Vec<String>,
}

/// A lint name nobody knows.
#[derive(Debug, thiserror::Error)]
#[error("unknown lint `{name}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
pub struct UnknownLint {
    /// As given.
    pub name: String,
    /// The closest known name.
    pub suggestion: Option<String>,
}

fn closest(name: &str, known: &[&str]) -> Option<String> {
    known
        .iter()
        .chain(std::iter::once(&WARNINGS))
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.to_owned())
}

impl Levels {
    /// Check the names against `known` lints (plus `warnings`).
    pub fn new(deny: &[String], allow: &[String], known: &[&str]) -> Result<Self, UnknownLint> {
        let norm = |names: &[String]| -> Result<Vec<String>, UnknownLint> {
            names
                .iter()
                .map(|n| {
                    let n = n.trim().to_ascii_lowercase();
                    if n == WARNINGS || known.contains(&n.as_str()) {
                        Ok(n)
                    } else {
                        Err(UnknownLint {
                            suggestion: closest(&n, known),
                            name: n,
                        })
                    }
                })
                .collect()
        };
        Ok(Levels {
            deny: norm(deny)?,
            allow: norm(allow)?,
        })
    }

    /// The diagnostic with its level applied, or `None` when allowed.
    pub fn apply(&self, mut d: Diagnostic) -> Option<Diagnostic> {
        let named = |list: &[String]| list.iter().any(|l| l == d.lint);
        if named(&self.deny) {
            d.severity = Severity::Error;
            return Some(d);
        }
        if named(&self.allow) {
            return None;
        }
        if d.severity == Severity::Warning {
            if self.deny.iter().any(|l| l == WARNINGS) {
                d.severity = Severity::Error;
            } else if self.allow.iter().any(|l| l == WARNINGS) {
                return None;
            }
        }
        Some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connstr::diagnostic::{Label, SourceId};
    use connstr::syntax::Span;

    fn d(lint: &'static str, severity: Severity) -> Diagnostic {
        Diagnostic {
            lint,
            severity,
            message: "".into(),
            help: None,
            primary: Label {
                source: SourceId(0),
                span: Span::empty(0),
                message: "".into(),
            },
            secondary: vec![],
            section: None,
            key: None,
            fix: None,
        }
    }

    const KNOWN: &[&str] = &["unknown-key", "token-uri-get", "missing-required"];

    fn levels(deny: &[&str], allow: &[&str]) -> Levels {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Levels::new(&v(deny), &v(allow), KNOWN).unwrap()
    }

    #[test]
    fn specific_beats_group_and_deny_beats_allow() {
        let l = levels(&["warnings"], &["token-uri-get"]);
        assert!(l.apply(d("token-uri-get", Severity::Warning)).is_none());
        assert_eq!(
            l.apply(d("unknown-key", Severity::Warning))
                .unwrap()
                .severity,
            Severity::Error
        );
        let l = levels(&["token-uri-get"], &["token-uri-get", "warnings"]);
        assert_eq!(
            l.apply(d("token-uri-get", Severity::Warning))
                .unwrap()
                .severity,
            Severity::Error
        );
        assert!(l.apply(d("unknown-key", Severity::Warning)).is_none());
        // The warnings group leaves errors and notes alone.
        assert_eq!(
            l.apply(d("missing-required", Severity::Error))
                .unwrap()
                .severity,
            Severity::Error
        );
        assert!(l.apply(d("unknown-key", Severity::Note)).is_some());
    }

    #[test]
    fn unknown_names_are_refused_with_a_suggestion() {
        let e = Levels::new(&["warning".into()], &[], KNOWN).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("warnings"));
        let e = Levels::new(&[], &["unknwn-key".into()], KNOWN).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown lint `unknwn-key` (did you mean `unknown-key`?)"
        );
        assert!(Levels::new(&["Unknown-Key".into()], &[], KNOWN).is_ok());
    }
}
