//! Building the plan: the authentication method, then what it needs — the
//! credentials of Basic, Digest, AWS, …, or an OAuth 2.0 grant with its
//! client and token endpoint. Every option read is marked (`ignored-key`
//! reports the others); `missing-required` and `invalid-value` are reported
//! on the way. The lints that look at a built grant are listed in
//! [`super::lints::GRANT_CHECKS`].
//!
//! This file reads the method and builds the plans of the methods that are
//! not OAuth 2.0 (Basic, Digest, tokens, AWS, Custom); `oauth.rs` builds an
//! OAuth 2.0 plan: the grant (legacy `OAuth2` choosing it, OPTIONS.md §4),
//! the client and the token endpoint.

mod oauth;

pub(crate) use oauth::GrantKind;

use indexmap::IndexMap;

use super::cx::Cx;
use super::lints;
use super::types::{Auth, AuthMethod, CustomPlan, HeaderName, Origin};
use super::values::{parse_auth_method, suggest_auth_method};
use crate::Secret;

/// How messages name the method in effect: `AuthenticationMethod=Basic`, or
/// `AuthenticationMethod=OAuth2 (refresh token grant)` for the grant legacy
/// OAuth2 chose. Written only when a message needs it.
#[derive(Clone, Copy)]
pub(crate) struct MethodLabel {
    pub(crate) method: AuthMethod,
    /// The grant legacy `OAuth2` chose, in words.
    pub(crate) legacy_grant: Option<&'static str>,
}

impl std::fmt::Display for MethodLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuthenticationMethod={}", self.method.name())?;
        match self.legacy_grant {
            Some(grant) => write!(f, " ({grant} grant)"),
            None => Ok(()),
        }
    }
}

impl Cx<'_> {
    // ---- the method ----

    /// The authentication method, or `None` after reporting an invalid one.
    pub(crate) fn method(&mut self) -> Option<AuthMethod> {
        self.mark("AuthenticationMethod");
        let Some(o) = self.set.get("AuthenticationMethod") else {
            return self.model_method();
        };
        let v = self.effective(o);
        match parse_auth_method(v) {
            Some(m) => {
                self.method_label.method = m;
                Some(m)
            }
            None => {
                let shown = match o.displayable_value() {
                    Some(v) if !v.trim().is_empty() => format!("`{}`", v.trim()),
                    Some(_) => "an empty value".to_owned(),
                    None => "this value".to_owned(),
                };
                let help = match suggest_auth_method(v) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "use one of: {}",
                        AuthMethod::ALL.map(|m| m.name()).join(", ")
                    ),
                };
                self.invalid(o, format!("unknown AuthenticationMethod {shown}"), help);
                None
            }
        }
    }

    /// No AuthenticationMethod in the connection: the Model file's
    /// `#options` default, else Custom when it defines `#authentication`
    /// (the vendor's rule), else None.
    fn model_method(&mut self) -> Option<AuthMethod> {
        let Some(m) = self.model else {
            return Some(AuthMethod::None);
        };
        if let Some(d) = &m.method_default {
            // An unknown name is a `model-entry` error of the file.
            let method = parse_auth_method(&d.value)?;
            self.method_label.method = method;
            self.model_origins
                .push(("AuthenticationMethod", d.origin.clone()));
            return Some(method);
        }
        if let (Some(_), Some(at)) = (&m.authentication, &m.authentication_at) {
            self.method_label.method = AuthMethod::Custom;
            self.model_origins
                .push(("AuthenticationMethod", at.clone()));
            return Some(AuthMethod::Custom);
        }
        Some(AuthMethod::None)
    }

    fn custom(&mut self) -> Option<Auth> {
        let config_file = self.text("RESTConfigFile", true)?;
        let params_o = self.take("CustomAuthParams");
        let params: Vec<Secret> = params_o
            .map(|o| {
                self.effective(o)
                    .split(';')
                    .map(|p| Secret::new(p.trim()))
                    .collect()
            })
            .unwrap_or_default();
        // User, Password and HostName are the `{user}`, `{password}` and
        // `{serverName}` of the Model file's login steps: without the steps
        // at hand, whether they are used is not known (never `ignored-key`).
        let unknown_use = |cx: &mut Self| {
            for n in ["User", "Password", "HostName"] {
                cx.mark(n);
            }
        };
        let Some(model) = self.model else {
            unknown_use(self);
            return None;
        };
        if model.unreadable.is_some() {
            // `model-unreadable` says the checks were skipped.
            unknown_use(self);
            return None;
        }
        let Some(flow) = model.authentication.clone() else {
            unknown_use(self);
            if !model.broken {
                let o = self.set.get("RESTConfigFile");
                let (source, span) =
                    o.map_or(self.set.anchor(), |o| (o.source(), o.entry.raw_value));
                self.push(
                    super::diag::Diag::new(
                        lints::CUSTOM_AUTH,
                        crate::diagnostic::Severity::Error,
                        format!(
                            "AuthenticationMethod=Custom needs `#authentication` in the Model file {}, which has none",
                            model.display()
                        ),
                        source,
                        span,
                        "this Model file",
                    )
                    .help("define the login steps in `#authentication`, or choose another AuthenticationMethod")
                    .key("AuthenticationMethod"),
                );
            }
            return None;
        };
        let reauth = model.reauthentication.clone();
        let uses = |v: &dyn Fn(&super::custom::Var) -> bool| {
            std::iter::once(&flow)
                .chain(reauth.iter())
                .flat_map(|f| f.templates())
                .any(|(t, _)| t.vars().any(v))
        };
        use super::custom::Var;
        let user = if uses(&|v| *v == Var::User) {
            self.text("User", false)
        } else {
            None
        };
        let password = if uses(&|v| *v == Var::Password) {
            self.secret("Password", false)
        } else {
            None
        };
        let server_name = if uses(&|v| *v == Var::ServerName) {
            self.text("HostName", false)
        } else {
            None
        };
        let flows: Vec<&super::custom::CustomFlow> =
            std::iter::once(&flow).chain(reauth.iter()).collect();
        let before = self.diags.len();
        lints::custom_auth::check_vars(self, &flows, params.len());
        if self.diags[before..]
            .iter()
            .any(|d| d.severity == crate::diagnostic::Severity::Error)
        {
            return None;
        }
        Some(Auth::Custom(Box::new(CustomPlan {
            config_file,
            authentication: flow,
            reauthentication: reauth,
            reauthenticate_on: model.reauthenticate_on.clone(),
            user,
            password,
            server_name,
            params,
        })))
    }

    pub(crate) fn build(&mut self, method: AuthMethod) -> Option<Auth> {
        use AuthMethod as M;
        match method {
            M::None => Some(Auth::None),
            M::Basic => {
                let user = self.text("User", true);
                let password = self.secret("Password", true);
                let header = self.auth_header_or_default();
                Some(Auth::Basic {
                    user: user?,
                    password: password?,
                    header: header?,
                })
            }
            M::Digest => {
                let user = self.text("User", true);
                let password = self.secret("Password", true);
                Some(Auth::Digest {
                    user: user?,
                    password: password?,
                })
            }
            M::BearerToken => Some(Auth::BearerToken {
                token: self.secret("SecurityToken", true)?,
            }),
            M::HttpHeader => {
                let header = self.auth_header_or_default();
                let token = self.secret("SecurityToken", true);
                Some(Auth::HttpHeader {
                    header: header?,
                    token: token?,
                })
            }
            M::UrlParameter => {
                let param = self.text("AuthParam", true);
                let token = self.secret("SecurityToken", true);
                Some(Auth::UrlParameter {
                    param: param?,
                    token: token?,
                })
            }
            M::Aws => {
                let access_key = self.text("AccessKey", true);
                let secret_key = self.secret("SecretKey", true);
                let region = self.text("Region", true);
                Some(Auth::Aws {
                    access_key: access_key?,
                    secret_key: secret_key?,
                    region: region?,
                })
            }
            M::Custom => self.custom(),
            _ => self.oauth(method).map(Auth::OAuth2),
        }
    }

    fn auth_header_or_default(&mut self) -> Option<HeaderName> {
        match self.take("AuthHeader") {
            Some(o) => self.header(o),
            None => HeaderName::parse("Authorization"),
        }
    }

    pub(crate) fn provenance(&self) -> IndexMap<&'static str, Origin> {
        let mut out = IndexMap::with_capacity(self.set.winners().count());
        for o in self.set.winners() {
            if let Some(spec) = o.spec
                && (spec.methods.is_any() || self.is_used(spec))
            {
                out.insert(spec.name, o.origin());
            }
        }
        for (name, origin) in &self.model_origins {
            out.entry(name).or_insert_with(|| origin.clone());
        }
        out
    }
}
