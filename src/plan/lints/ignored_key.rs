//! `ignored-key`: an option the chosen authentication method does not use.

declare_lint! {
    /// ### What it does
    /// Reports an option that only some authentication methods use when the
    /// method in effect is not one of them (for legacy `OAuth2`: when the
    /// grant it resolves to does not read it). It says which methods use it.
    /// Resolution also reports `DSN=` when `DRIVER=` comes first.
    ///
    /// AuthenticationMethod=Custom uses User, Password and HostName only as
    /// the `{user}`, `{password}` and `{serverName}` of the Model file's
    /// login steps (MODEL_FILE.md §3.2): they are reported only when the
    /// Model file is read and no step that is sent writes them — never when
    /// the Model file is not at hand.
    ///
    /// ### Why it matters
    /// The driver ignores the option: it is either left over from another
    /// method (and may be a secret kept for nothing) or a sign that the
    /// method is not the one intended.
    ///
    /// ### Example
    /// ```text
    /// AuthenticationMethod=Basic;User=ann;Password=…;ClientSecret=…
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// AuthenticationMethod=Basic;User=ann;Password=…
    /// ```
    name: "ignored-key",
    severity: Warning,
    description: "an option the chosen authentication method does not use",
}

use crate::diagnostic::Severity;
use crate::plan::cx::{Cx, shorten};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::types::AuthMethod;

/// Every method-specific option the method did not read.
pub(crate) fn check(cx: &mut Cx<'_>, method: Option<AuthMethod>) {
    let Some(method) = method else { return };
    let set = cx.set;
    for o in set.winners() {
        let Some(spec) = o.spec else { continue };
        if spec.methods.is_any() || cx.is_used(spec) {
            continue;
        }
        let why = match (method, cx.legacy) {
            (AuthMethod::OAuth2, Some(k)) => format!(
                "AuthenticationMethod=OAuth2 resolves to the {} grant here, which does not use it",
                k.human()
            ),
            (AuthMethod::None, _) if set.get("AuthenticationMethod").is_none() => {
                "AuthenticationMethod is not set, so no authentication is done (None is the default)".to_owned()
            }
            (AuthMethod::Custom, _) if custom_variable(spec.name).is_some() => format!(
                "AuthenticationMethod=Custom sends it only where a login step of the Model file writes `{}`, and no step that is sent does",
                custom_variable(spec.name).unwrap_or_default()
            ),
            _ => format!("{} does not use it", cx.method_label),
        };
        let users: Vec<&str> = spec
            .methods
            .iter()
            .filter(|m| *m != AuthMethod::OAuth2)
            .map(AuthMethod::name)
            .collect();
        let help = if method == AuthMethod::Custom
            && let Some(var) = custom_variable(spec.name)
        {
            format!(
                "write `{var}` where a step of `#authentication` (or `#reauthentication`) should send it, or remove it"
            )
        } else if users.is_empty() {
            "remove it".to_owned()
        } else {
            format!(
                "remove it, or choose a method that uses it: {}",
                shorten(&users, 4)
            )
        };
        let d = Diag::new(
            lints::IGNORED_KEY,
            Severity::Warning,
            format!("{} is ignored: {why}", spec.name),
            o.source(),
            o.entry.key,
            "not used",
        )
        .help(help)
        .key(spec.name)
        .section(cx.section(o));
        cx.push(d);
    }
}

/// The Model file variable an option fills in AuthenticationMethod=Custom's
/// login steps (MODEL_FILE.md §3.2).
fn custom_variable(option: &str) -> Option<&'static str> {
    match option {
        "User" => Some("{user}"),
        "Password" => Some("{password}"),
        "HostName" => Some("{serverName}"),
        _ => None,
    }
}
