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

use crate::diagnostic::{Severity, Text};
use crate::options::suggest;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// Every unknown key of the set.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let set = cx.set;
    for o in set.unknown() {
        let help: Text = match suggest(o.key()) {
            Some(s) => format!("did you mean `{s}`?").into(),
            None => {
                "connstr does not know this option: check its spelling (the driver may ignore it)"
                    .into()
            }
        };
        let d = Diag::new(
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
        cx.push(d);
    }
}
