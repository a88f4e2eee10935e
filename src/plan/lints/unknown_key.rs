//! `unknown-key`: a key connstr does not know, with a did-you-mean.

declare_lint! {
    /// ### What it does
    /// Reports a key that is not an option of the driver's catalog (nor one
    /// of its short names or aliases), with the closest known name when one
    /// is close enough.
    ///
    /// ### Why it matters
    /// Drivers silently ignore keys they do not know: a misspelt option
    /// (`ClientSecert`, `TokenUrl`) is simply not set, and the connection
    /// fails later with a confusing error, or works without the setting.
    ///
    /// ### Example
    /// ```text
    /// AuthenticationMethod=OAuth2-ClientCredentials;ClientSecert=…
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// AuthenticationMethod=OAuth2-ClientCredentials;ClientSecret=…
    /// ```
    name: "unknown-key",
    severity: Warning,
    description: "a key connstr does not know, with a did-you-mean",
}

use crate::diagnostic::{Applicability, Fix, Severity, Text};
use crate::options::drivers::Profile;
use crate::options::{Occurrence, Sure, sole_suggestion, suggest, suggestions_in};
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// Every key the target's driver does not know: judged by the driver's own
/// profile (plus the driver manager's keys), never by another driver's.
/// A driver connstr has no profile for gets no `unknown-key` at all, and an
/// obsolete key is reported as obsolete ([`check_obsolete`]), not unknown.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let Some(profile) = cx.driver() else { return };
    if profile.is_autorest() {
        return check_autorest(cx);
    }
    let set = cx.set;
    let unknown: Vec<&Occurrence> = set
        .all()
        .iter()
        .filter(|o| {
            cx.spec_of(o).is_none() && !profile.is_obsolete(o.key()) && !o.key().trim().is_empty()
        })
        .collect();
    for o in &unknown {
        let suggestion = profile.suggest(o.key());
        let help: Text = match suggestion {
            Some(s) => format!("did you mean `{s}`?").into(),
            None => format!(
                "{} does not read this key: check its spelling (driver: {})",
                profile.name,
                cx.recognition().detail
            )
            .into(),
        };
        let mut d = Diag::new(
            lints::UNKNOWN_KEY,
            Severity::Warning,
            format!("unknown option `{}` for {}", o.key(), profile.name),
            o.source(),
            o.entry.key,
            "unknown option",
        )
        .help(help)
        .key(o.key().to_owned())
        .section(cx.section(o));
        if let Some(s) = suggestion.filter(|s| sure_rename(cx, profile, o, s, &unknown)) {
            d = d.fix(rename(o, s));
        }
        cx.push(d);
    }
}

/// Whether the unknown key `o` of a `profile` target is surely `s`, the
/// did-you-mean shown, so that renaming it is certain (the rule of the
/// Autonomous REST fix): the key is one word, `s` is the only option of
/// the driver's own table close to it, the driver reads `s` from a data
/// source, `s` is not set already, and no other unknown key would become
/// `s` too (either would change which value is used).
fn sure_rename(
    cx: &Cx<'_>,
    profile: &'static Profile,
    o: &Occurrence,
    s: &'static str,
    unknown: &[&Occurrence],
) -> bool {
    let sole = |key: &str| suggestions_in(profile.options, key).sole;
    one_word(o.key())
        && sole(o.key()) == Some(s)
        && profile
            .lookup(s)
            .is_some_and(|spec| spec.odbc != Sure::Absent)
        && !cx
            .set
            .all()
            .iter()
            .any(|p| cx.spec_of(p).is_some_and(|spec| spec.name == s))
        && unknown
            .iter()
            .filter(|u| sole(u.key()) == Some(s))
            .nth(1)
            .is_none()
}

/// A key that is one word: `ClientSecret: abc=…` is the key `ClientSecret:
/// abc`, and renaming it would cut the value.
fn one_word(key: &str) -> bool {
    key.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// [`check`] for an Autonomous REST target: its catalog (with the driver
/// manager's keys), with a rename fix when one option is surely meant.
fn check_autorest(cx: &mut Cx<'_>) {
    let set = cx.set;
    let unknown = |o: &&Occurrence| {
        o.spec.is_none()
            && crate::options::drivers::MANAGER
                .lookup(o.key().trim())
                .is_none()
    };
    for o in set.all().iter().filter(unknown) {
        let help: Text = match suggest(o.key()) {
            Some(s) => format!("did you mean `{s}`?").into(),
            None => {
                "connstr does not know this option: check its spelling (the driver may ignore it)"
                    .into()
            }
        };
        let mut d = Diag::new(
            lints::UNKNOWN_KEY,
            Severity::Warning,
            format!("unknown option `{}`", o.key()),
            o.source(),
            o.entry.key,
            "unknown option",
        )
        .help(help)
        .key(o.key().to_owned())
        .section(cx.section(o));
        // Renamed only when the key is one word (`ClientSecret: abc=…` is
        // the key `ClientSecret: abc`: renaming it would cut the value),
        // exactly one option is close, that option is
        // not set already and no other unknown key would become it too
        // (either would change which value is used).
        if one_word(o.key())
            && let Some(s) = sole_suggestion(o.key())
            && set.occurrences_of(s).next().is_none()
            && set
                .all()
                .iter()
                .filter(unknown)
                .filter(|u| sole_suggestion(u.key()) == Some(s))
                .nth(1)
                .is_none()
        {
            d = d.fix(rename(o, s));
        }
        cx.push(d);
    }
}

/// Keys the target's driver reads no more (psqlODBC's `Ksqo`, `B5`, …): a
/// warning saying so, not `unknown-key`.
pub(crate) fn check_obsolete(cx: &mut Cx<'_>) {
    let Some(profile) = cx.driver() else { return };
    if profile.obsolete.is_empty() {
        return;
    }
    let set = cx.set;
    for o in set.all() {
        if cx.spec_of(o).is_some() || !profile.is_obsolete(o.key()) {
            continue;
        }
        let d = Diag::new(
            lints::DEPRECATED,
            Severity::Warning,
            format!(
                "`{}` is obsolete: {} no longer reads it",
                o.key().trim(),
                profile.name
            ),
            o.source(),
            o.entry.key,
            "obsolete option",
        )
        .help("remove it: the driver ignores it")
        .key(o.key().trim().to_owned())
        .section(cx.section(o));
        cx.push(d);
    }
}

/// The fix renaming the unknown key `o` to option `s` (only when that is
/// certain: see the callers).
fn rename(o: &Occurrence, s: &'static str) -> Fix {
    Fix::new(
        format!("rename `{}` to `{s}`", o.key()),
        Applicability::Safe,
    )
    .edit(o.source(), o.entry.key, s)
}
