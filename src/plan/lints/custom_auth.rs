//! `custom-auth`: a step of `#authentication` / `#reauthentication` that can
//! never be sent, or a variable it cannot fill in.

declare_lint! {
    /// ### What it does
    /// Checks a custom login (AuthenticationMethod=Custom) step by step:
    /// headers and JSON bodies must be followed by a request line
    /// (`POST https://…`), the request URL must be absolute, the final
    /// `HEADER name=value {/path}` or `PARAM name=value {/path}` line must be
    /// there and last, and every variable must be fillable:
    /// `{customAuthParams[N]}` needs N values in CustomAuthParams, `{user}`
    /// needs User, `{password}` Password, `{serverName}` HostName/ServerName,
    /// and `{/path}` a response received earlier.
    ///
    /// ### Why it matters
    /// The driver sends these requests at connect time: a step that can
    /// never be sent, or a variable with nothing to fill it, makes every
    /// login fail.
    ///
    /// ### Example
    /// ```text
    /// "#authentication": ["api-key={customAuthParams[3]}", "POST https://{serverName}/login"]
    /// ```
    /// with `CustomAuthParams=key123`
    ///
    /// ### Use instead
    /// ```text
    /// "#authentication": ["api-key={customAuthParams[1]}", "POST https://{serverName}/login",
    ///                     "HEADER Authorization=Bearer {/access_token}"]
    /// ```
    name: "custom-auth",
    severity: Error,
    description: "a custom login step can never be sent, or a variable has nothing to fill it",
}

use crate::diagnostic::Severity;
use crate::plan::custom::{CustomFlow, Var};
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// Variables of the flows that the connection cannot fill in.
pub(crate) fn check_vars(cx: &mut Cx<'_>, flows: &[&CustomFlow], params: usize) {
    let mut reported: Vec<Var> = Vec::new();
    for flow in flows {
        for (t, at) in flow.templates() {
            for v in t.vars() {
                let (ok, why) = match v {
                    Var::User => (cx.present("User").is_some(), "User is not set".to_owned()),
                    Var::Password => (
                        cx.present("Password").is_some(),
                        "Password is not set".to_owned(),
                    ),
                    Var::ServerName => (
                        cx.present("HostName").is_some(),
                        "HostName (ServerName) is not set".to_owned(),
                    ),
                    Var::CustomAuthParam { index } => (
                        *index <= params,
                        if params == 0 {
                            "CustomAuthParams is not set".to_owned()
                        } else {
                            format!(
                                "CustomAuthParams has {params} value{}",
                                if params == 1 { "" } else { "s" }
                            )
                        },
                    ),
                    Var::Response { .. } => (true, String::new()),
                };
                if ok || reported.contains(v) {
                    continue;
                }
                reported.push(v.clone());
                let d = Diag::new(
                    lints::CUSTOM_AUTH,
                    Severity::Error,
                    format!("the custom login uses `{v}`, but {why}"),
                    at.source,
                    at.span,
                    "used here",
                )
                .help(match v {
                    Var::CustomAuthParam { .. } => "give the values in order: `CustomAuthParams={key;company}` (braces keep the `;` inside the value)",
                    Var::ServerName => "set HostName (ODBC) or ServerName (JDBC) to the service's host",
                    _ => "set the option the variable reads",
                });
                cx.push(d);
            }
        }
    }
}
