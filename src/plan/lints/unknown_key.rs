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
use crate::options::{sole_suggestion, suggest};
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// Every unknown key of the set.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let set = cx.set;
    for o in set.unknown() {
        // A driver manager trace key in an odbc.ini section: `trace-in-dsn`
        // says what it does there (nothing), not "unknown".
        if cx.is_ini(o) && lints::trace_in_dsn::is_trace_key(o.key()) {
            continue;
        }
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
        let one_word = o
            .key()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if one_word
            && let Some(s) = sole_suggestion(o.key())
            && set.occurrences_of(s).next().is_none()
            && set
                .unknown()
                .filter(|u| sole_suggestion(u.key()) == Some(s))
                .nth(1)
                .is_none()
        {
            d = d.fix(
                Fix::new(
                    format!("rename `{}` to `{s}`", o.key()),
                    Applicability::Safe,
                )
                .edit(o.source(), o.entry.key, s),
            );
        }
        cx.push(d);
    }
}
