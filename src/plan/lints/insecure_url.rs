//! `insecure-url`: TokenURI or AuthURI uses plain http:// to another machine.

declare_lint! {
    /// ### What it does
    /// Reports a TokenURI or AuthURI whose scheme is `http://` and whose host
    /// is not this machine (localhost, 127.0.0.1, ::1).
    ///
    /// ### Why it matters
    /// Client secrets, authorization codes and tokens would cross the
    /// network unencrypted, readable by anyone on the path.
    ///
    /// ### Example
    /// ```text
    /// TokenURI=POST http://idp.example.com/oauth2/token
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// TokenURI=POST https://idp.example.com/oauth2/token
    /// ```
    name: "insecure-url",
    severity: Warning,
    description: "TokenURI or AuthURI uses plain http:// to another machine",
}

use url::Url;

use crate::diagnostic::Severity;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::types::{Grant, RefreshGrant};
use crate::plan::values::is_loopback;

/// The grant's token endpoint and authorization endpoint.
pub(crate) fn check(cx: &mut Cx<'_>, grant: &Grant) {
    if let Some(e) = grant.endpoint()
        && cx.present("TokenURI").is_some()
    {
        insecure(cx, "TokenURI", &e.url);
    }
    if let Grant::AuthorizationCode {
        auth_uri: Some(a), ..
    } = grant
    {
        insecure(cx, "AuthURI", a);
    }
    if let Grant::RefreshToken(RefreshGrant { login: Some(l), .. }) = grant {
        insecure(cx, "AuthURI", &l.auth_uri);
    }
}

fn insecure(cx: &mut Cx<'_>, name: &'static str, url: &Url) {
    if url.scheme() != "http" || is_loopback(url) {
        return;
    }
    let Some(o) = cx.present(name) else { return };
    let d = Diag::new(
        lints::INSECURE_URL,
        Severity::Warning,
        format!(
            "{name} uses plain http://: secrets and tokens would cross the network unencrypted"
        ),
        o.source(),
        o.entry.raw_value,
        "not encrypted",
    )
    .help("use https:// (plain http:// is only safe to this machine: localhost, 127.0.0.1, ::1)")
    .key(name)
    .section(cx.section(o));
    cx.push(d);
}
