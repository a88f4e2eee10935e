//! `token-uri-get`: the token endpoint is requested with GET.

declare_lint! {
    /// ### What it does
    /// Reports a TokenURI without the `POST ` prefix: DataDirect then
    /// requests the token endpoint with GET, its default.
    ///
    /// ### Why it matters
    /// RFC 6749 §3.2 requires POST at the token endpoint, and most
    /// authorization servers refuse a GET (or log its query string, client
    /// secret included).
    ///
    /// ### Example
    /// ```text
    /// TokenURI=https://login.example.com/oauth2/token
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// TokenURI=POST https://login.example.com/oauth2/token
    /// ```
    name: "token-uri-get",
    severity: Warning,
    description: "the token endpoint is requested with GET; OAuth 2.0 requires POST",
}

use crate::diagnostic::{Applicability, Fix, Severity};
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::types::{Grant, HttpMethod};
use crate::syntax::Span;

/// The grant's token endpoint, when requested with GET.
pub(crate) fn check(cx: &mut Cx<'_>, grant: &Grant) {
    if let Some(e) = grant.endpoint()
        && e.method == HttpMethod::Get
        && let Some(o) = cx.present("TokenURI")
    {
        let d = Diag::new(
            lints::TOKEN_URI_GET,
            Severity::Warning,
            "TokenURI will be requested with GET (DataDirect's default), but OAuth 2.0 token endpoints expect POST",
            o.source(),
            o.entry.raw_value,
            "requested with GET",
        )
        .help("write `TokenURI=POST https://…`: RFC 6749 §3.2 requires POST, and most servers refuse a GET")
        .key("TokenURI")
        .section(cx.section(o));
        // It changes the request the connector sends: unsafe.
        let fix = cx.effective_span(o).map(|eff| {
            let v = cx.effective(o);
            let title = "request TokenURI with POST (changes the token request)";
            let f = Fix::new(title, Applicability::Unsafe);
            match v.get(..4) {
                Some(m) if m.eq_ignore_ascii_case("GET ") => {
                    f.edit(o.source(), Span::new(eff.start(), eff.start() + 3), "POST")
                }
                _ => f.edit(o.source(), Span::empty(eff.start()), "POST "),
            }
        });
        let d = match fix {
            Some(f) => d.fix(f),
            None => d,
        };
        cx.push(d);
    }
}
