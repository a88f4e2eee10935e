//! `databricks-auth-flow`: a Databricks data source with `AuthMech=11`
//! (OAuth 2.0) that does not say which OAuth flow to run.

declare_lint! {
    /// ### What it does
    /// Reports a Databricks (Simba Spark) data source or connection string
    /// with `AuthMech=11` and no `Auth_Flow`. It suggests the flow that the
    /// other keys point to: `Auth_AccessToken` is token pass-through (0),
    /// `Auth_Client_Secret` client credentials (1), neither a browser login
    /// (2).
    ///
    /// ### Why it matters
    /// `AuthMech=11` only says "OAuth 2.0"; `Auth_Flow` says which flow:
    /// 0 passes a token through, 1 is machine-to-machine (client id and
    /// secret), 2 a browser login, 3 an Azure managed identity. Without it,
    /// the driver runs whatever flow it defaults to, which need not be the
    /// one the other keys were written for, and the connection fails or
    /// opens a browser on a server.
    ///
    /// ### Example
    /// ```text
    /// [databricks]
    /// AuthMech=11
    /// Auth_Client_ID=ci-job
    /// Auth_Client_Secret=…
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [databricks]
    /// AuthMech=11
    /// Auth_Flow=1
    /// Auth_Client_ID=ci-job
    /// Auth_Client_Secret=…
    /// ```
    ///
    /// ### References
    /// DRIVERS.md §7 (Databricks ODBC authentication).
    name: "databricks-auth-flow",
    severity: Warning,
    description: "Databricks AuthMech=11 (OAuth 2.0) without Auth_Flow",
}

use crate::diagnostic::Severity;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// The flow the other keys point to: `(Auth_Flow value, what it is, why)`.
fn suggested_flow(has_token: bool, has_secret: bool) -> (&'static str, &'static str, &'static str) {
    match (has_token, has_secret) {
        (true, _) => ("0", "token pass-through", "Auth_AccessToken is set"),
        (false, true) => ("1", "client credentials", "Auth_Client_Secret is set"),
        (false, false) => (
            "2",
            "browser login",
            "neither Auth_AccessToken nor Auth_Client_Secret is set",
        ),
    }
}

/// `AuthMech=11` without `Auth_Flow`, on a Databricks target.
pub(crate) fn check(cx: &mut Cx<'_>) {
    if cx.driver().is_none_or(|p| p.id != "databricks") {
        return;
    }
    let Some(mech) = cx.driver_option("AuthMech") else {
        return;
    };
    if cx.effective(mech) != "11" || cx.driver_option("Auth_Flow").is_some() {
        return;
    }
    let has = |name| {
        cx.driver_option(name)
            .is_some_and(|o| !cx.effective(o).is_empty())
    };
    let (flow, what, why) = suggested_flow(has("Auth_AccessToken"), has("Auth_Client_Secret"));
    let d = Diag::new(
        lints::DATABRICKS_AUTH_FLOW,
        Severity::Warning,
        "AuthMech=11 (OAuth 2.0) without Auth_Flow: the driver is not told which OAuth flow to run",
        mech.source(),
        mech.entry.span,
        "OAuth 2.0, flow not given",
    )
    .help(format!(
        "add Auth_Flow={flow} ({what}: {why}); the flows are 0 token pass-through \
         (Auth_AccessToken), 1 client credentials (Auth_Client_ID, Auth_Client_Secret), \
         2 browser login, 3 Azure managed identity"
    ))
    .key("AuthMech")
    .section(cx.section(mech));
    cx.push(d);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_other_keys_choose_the_flow() {
        assert_eq!(suggested_flow(true, true).0, "0");
        assert_eq!(suggested_flow(false, true).0, "1");
        assert_eq!(suggested_flow(false, false).0, "2");
    }
}
