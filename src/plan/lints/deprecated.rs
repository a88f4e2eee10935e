//! `deprecated`: legacy OAuth2, the password grant, or an old option name.

declare_lint! {
    /// ### What it does
    /// Reports `AuthenticationMethod=OAuth2` (the legacy name, whose grant
    /// depends on which options are set: it says which one it resolves to),
    /// the password grant, and old option names (`RTK`, `ATK`, `LogonID`).
    ///
    /// ### Why it matters
    /// With legacy `OAuth2` adding or removing one option silently changes
    /// the grant; saying which grant you mean makes the configuration read
    /// as it behaves. The password grant (RFC 9700) hands the user's
    /// password to the application. Old names may be dropped by a later
    /// driver release.
    ///
    /// ### Example
    /// ```text
    /// AuthenticationMethod=OAuth2;ClientID=app;ClientSecret=…;RTK=…;TokenURI=POST https://idp/token
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// AuthenticationMethod=OAuth2-RefreshToken;ClientID=app;ClientSecret=…;RefreshToken=…;TokenURI=POST https://idp/token
    /// ```
    name: "deprecated",
    severity: Warning,
    description: "legacy OAuth2, the password grant, or an old option name",
}

use crate::diagnostic::Severity;
use crate::options::MatchedBy;
use crate::plan::build::GrantKind;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::types::{AuthMethod, Grant};

/// Every option written under an old name.
pub(crate) fn check_names(cx: &mut Cx<'_>) {
    let set = cx.set;
    for o in set.all() {
        let (Some(spec), Some(MatchedBy::Legacy)) = (o.spec, o.matched_by) else {
            continue;
        };
        let d = Diag::new(
            lints::DEPRECATED,
            Severity::Warning,
            format!("`{}` is an old name for {}", o.key(), spec.name),
            o.source(),
            o.entry.key,
            "old option name",
        )
        .help(format!("write {} instead", spec.name))
        .key(spec.name)
        .section(cx.section(o));
        cx.push(d);
    }
}

/// Legacy `AuthenticationMethod=OAuth2` (which grant it resolves to), and
/// the password grant, once the grant is built.
pub(crate) fn check_method(cx: &mut Cx<'_>, _grant: &Grant) {
    match cx.method_label.method {
        AuthMethod::OAuth2 => {
            if let Some((kind, because)) = cx.choose_legacy() {
                legacy_method(cx, kind, &because);
            }
        }
        AuthMethod::OAuth2Password => password_grant(cx),
        _ => {}
    }
}

fn legacy_method(cx: &mut Cx<'_>, kind: GrantKind, because: &str) {
    let Some(o) = cx.set.get("AuthenticationMethod") else {
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
        lints::DEPRECATED,
        Severity::Warning,
        format!(
            "AuthenticationMethod=OAuth2 is the legacy name: here it means the {} grant ({})",
            kind.human(),
            because
        ),
        o.source(),
        o.entry.raw_value,
        format!("resolves to {explicit}"),
    )
    .help(help)
    .key("AuthenticationMethod")
    .section(cx.section(o));
    cx.push(d);
    if kind == GrantKind::Password {
        password_grant(cx);
    }
}

fn password_grant(cx: &mut Cx<'_>) {
    let Some(o) = cx.set.get("AuthenticationMethod") else {
        return;
    };
    let d = Diag::new(
        lints::DEPRECATED,
        Severity::Warning,
        "the password grant is deprecated (RFC 9700): the application handles the user's password itself",
        o.source(),
        o.entry.raw_value,
        "password grant",
    )
    .help("prefer OAuth2-AuthorizationCode or OAuth2-PKCE when the server offers them")
    .key("AuthenticationMethod")
    .section(cx.section(o));
    cx.push(d);
}
