//! `secret-in-url`: a secret in a URL.

declare_lint! {
    /// ### What it does
    /// Reports a secret that travels in a URL: the client secret sent in the
    /// token request's URL (`ClientCredentialsMode` All or Url), a
    /// secret-looking query parameter (`client_secret=`, `access_token=`,
    /// …) or the password of `user:password@host` in a URL option
    /// (TokenURI, AuthURI, RedirectURI, HealthURI, HostName, RESTSamplePath)
    /// or in ProxyHost, with or without a scheme
    /// (`ProxyHost=user:password@proxy.example.com`).
    ///
    /// ### Why it matters
    /// Servers, proxies and browsers log URLs; RFC 6749 §2.3.1 forbids
    /// client credentials in the request URI.
    ///
    /// ### Example
    /// ```text
    /// ClientCredentialsMode=Url;TokenURI=POST https://idp/token
    /// HostName=https://api.example.com/v1?api_key=…
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// ClientCredentialsMode=Basic;TokenURI=POST https://idp/token
    /// HostName=https://api.example.com/v1   (the key in SecurityToken, AuthenticationMethod=UrlParameter)
    /// ```
    name: "secret-in-url",
    severity: Warning,
    description: "a secret in a URL: ClientCredentialsMode All or Url, a secret query parameter or user:password@ in a URL option",
}

use crate::diagnostic::{Applicability, Fix, Severity};
use crate::options::{Occurrence, ValueKind, url_secrets};
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::types::ClientCredentialsMode;
use crate::syntax::Span;

/// A secret written in the URL of a URL option (TokenURI, AuthURI,
/// RedirectURI, HealthURI, HostName, RESTSamplePath, ProxyHost): a secret-looking
/// query parameter or the password of `user:password@host`. Servers and
/// proxies log URLs.
pub(crate) fn check_url_options(cx: &mut Cx<'_>) {
    let set = cx.set;
    for o in set.winners() {
        let Some(spec) = o.spec else { continue };
        let is_url = matches!(spec.kind, ValueKind::TokenUri | ValueKind::Url)
            || matches!(spec.name, "HostName" | "RESTSamplePath" | "ProxyHost");
        if !is_url || spec.secret {
            continue;
        }
        let v = o.value();
        let found = url_secrets(v, Span::new(0, v.len()));
        let Some(first) = found.first() else { continue };
        let what = match first.param {
            Some(p) => format!("the `{}` query parameter", p.slice(v)),
            None => "a password in `user:password@host`".to_owned(),
        };
        let more = if found.len() > 1 {
            format!(" (and {} more)", found.len() - 1)
        } else {
            String::new()
        };
        let d = Diag::new(
            lints::SECRET_IN_URL,
            Severity::Warning,
            format!(
                "{} holds a secret in its URL ({what}{more}), where servers and proxies log it",
                spec.name
            ),
            o.source(),
            o.entry.raw_value,
            "secret in the URL",
        )
        .help(if first.param.is_some() {
            "remove it from the URL: give the secret in its own option (ClientSecret, RefreshToken, …), which connstr sends in a header or a POST body"
        } else if spec.name == "ProxyHost" {
            "remove the user and password from ProxyHost: give them in ProxyUser and ProxyPassword"
        } else {
            "remove the password from the URL: give it in its own option (Password, ClientSecret, …)"
        })
        .key(spec.name)
        .section(cx.section(o));
        cx.push(d);
    }
}

/// ClientCredentialsMode `o` (read as `m`) when it puts the client secret in
/// the URL.
pub(crate) fn check_client_credentials_mode(
    cx: &mut Cx<'_>,
    o: &Occurrence,
    m: ClientCredentialsMode,
) {
    if !matches!(m, ClientCredentialsMode::All | ClientCredentialsMode::Url) {
        return;
    }
    let d = Diag::new(
            lints::SECRET_IN_URL,
            Severity::Warning,
            format!(
                "ClientCredentialsMode={} puts the client secret in the token request's URL, where servers and proxies log it",
                if m == ClientCredentialsMode::All { "All" } else { "Url" }
            ),
            o.source(),
            o.entry.raw_value,
            "client secret goes into the URL",
        )
        .help("use ClientCredentialsMode=Basic (the default), or Post with `TokenURI=POST …`; RFC 6749 §2.3.1 forbids credentials in the URL")
        .key("ClientCredentialsMode")
        .section(cx.section(o));
    // Url → Post (the secret in the POST body, RFC 6749 §2.3.1's second
    // way), All → Basic (the header it also sends): each changes the token
    // request, so only `connstr fix --unsafe` applies it.
    let (to, why) = match m {
        ClientCredentialsMode::Url => ("Post", "in the POST body"),
        _ => ("Basic", "in a Basic header only"),
    };
    let d = match cx.effective_span(o) {
        Some(eff) => d.fix(
            Fix::new(
                format!("set ClientCredentialsMode={to}: the client secret goes {why}"),
                Applicability::Unsafe,
            )
            .edit(o.source(), eff, to),
        ),
        None => d,
    };
    cx.push(d);
}
