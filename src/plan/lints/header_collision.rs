//! `header-collision`: a `#headers` entry of the Model file sets the header
//! that carries the credential.

declare_lint! {
    /// ### What it does
    /// Reports a Model file `#headers` entry (top level or per table) whose
    /// name is the header the authentication method fills in: AuthHeader
    /// (default `Authorization`) for Basic, HttpHeader and OAuth 2.0, or the
    /// custom login's `HEADER` line.
    ///
    /// ### Why it matters
    /// The vendor does not say which of the two wins: either the credential
    /// is overwritten by a fixed value, or the `#headers` value is dropped.
    ///
    /// ### Example
    /// ```text
    /// "orders": {"#path": "/orders", "#headers": {"Authorization": "Bearer abc"}}
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// "orders": {"#path": "/orders"}
    /// ```
    /// and let AuthenticationMethod set Authorization.
    name: "header-collision",
    severity: Warning,
    description: "a Model file `#headers` entry collides with the credential's header",
}

use crate::diagnostic::Severity;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::types::Auth;

/// `#headers` names equal to the header the plan's credential uses.
pub(crate) fn check(cx: &mut Cx<'_>, auth: Option<&Auth>) {
    let Some(m) = cx.model else { return };
    let Some(auth) = auth else { return };
    let header: Option<String> = match auth {
        Auth::Basic { header, .. } | Auth::HttpHeader { header, .. } => {
            Some(header.as_str().to_owned())
        }
        Auth::BearerToken { .. } => Some("Authorization".to_owned()),
        Auth::OAuth2(_) => Some("Authorization".to_owned()),
        Auth::Custom(c) => c
            .authentication
            .credential
            .as_ref()
            .filter(|c| c.placement == crate::plan::Placement::Header)
            .map(|c| c.name.clone()),
        _ => None,
    };
    let Some(header) = header else { return };
    for h in &m.headers {
        if h.value.eq_ignore_ascii_case(&header) {
            let d = Diag::new(
                lints::HEADER_COLLISION,
                Severity::Warning,
                format!(
                    "the Model file's `#headers` sets `{}`, the header that carries the credential",
                    h.value
                ),
                h.origin.source,
                h.origin.key,
                "also set by the authentication method",
            )
            .help("remove it from `#headers`: which of the two the driver sends is not documented");
            cx.push(d);
        }
    }
}
