//! `connstr token` for a custom login (`AuthenticationMethod=Custom`): run
//! the Model file's `#authentication` steps and report the credential they
//! yield and how it goes on data requests (masked unless `--show-token`).

use std::fmt::Write as _;

use serde::Serialize;

use connstr::grant::{CustomOptions, CustomSource};
use connstr::plan::{CustomPlan, Placement};

use super::render::{self, Format};
use super::token::{Fail, Resolved, Secrets, TokenArgs, grant_fail, runtime};

/// `connstr token --format json` for a custom login.
#[derive(Debug, Serialize)]
struct CustomReport {
    /// The target's name.
    target: String,
    /// Always `Custom`.
    method: &'static str,
    /// RESTConfigFile as written.
    model_file: String,
    /// The entry that ran (`authentication`).
    flow: connstr::grant::FlowKind,
    /// Requests sent (retries included).
    requests: u32,
    /// `header` or `param`.
    placement: Placement,
    /// The header or URL parameter name.
    name: String,
    /// The credential with --show-token, else `<redacted>`.
    credential: String,
    /// Statuses of data requests that run the re-login.
    reauthenticate_on: Vec<u16>,
}

/// The secrets a custom plan holds: Password and every CustomAuthParams value.
pub(super) fn secrets_of(plan: &CustomPlan) -> Secrets {
    let mut s = Secrets::default();
    s.add(plan.password.as_ref());
    for p in &plan.params {
        s.add(Some(p));
    }
    s
}

/// Run the login and describe what it yielded.
pub(super) fn token(
    args: &TokenArgs,
    resolved: &Resolved,
    plan: &CustomPlan,
    transport: &connstr::plan::Transport,
) -> Result<String, Fail> {
    let mut secrets = secrets_of(plan);
    secrets.add_transport(transport);
    let source = CustomSource::from_custom(plan, CustomOptions::for_transport(transport))
        .map_err(|e| grant_fail(&e, &secrets))?;
    let rt = runtime()?;
    let got = rt
        .block_on(source.credential())
        .map_err(|e| grant_fail(&e, &secrets))?;
    secrets.add(Some(&got.value));
    let report = CustomReport {
        target: resolved.target().name.clone(),
        method: "Custom",
        model_file: plan.config_file.clone(),
        flow: got.flow,
        requests: got.requests,
        placement: got.placement,
        name: got.name.clone(),
        credential: if args.show_token {
            got.value.expose().to_owned()
        } else {
            render::MASK.to_owned()
        },
        reauthenticate_on: plan.reauthenticate_on.clone(),
    };
    let printable = if args.show_token {
        secrets.without(got.value.expose())
    } else {
        secrets
    };
    let text = match args.format {
        Format::Json => render::to_json_line(&report),
        Format::Human => human(&report, plan, args.show_token),
    };
    Ok(printable.scrub(&text))
}

fn human(r: &CustomReport, plan: &CustomPlan, show: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "credential for {} (custom login, {})",
        r.target, r.model_file
    );
    let _ = writeln!(
        out,
        "  login:    {} ran: {} request(s)",
        r.flow.entry(),
        r.requests
    );
    for req in &plan.authentication.requests {
        let _ = writeln!(out, "            {}. {}", req.step, req.line());
    }
    let shown = if show {
        r.credential.clone()
    } else {
        format!("{} (--show-token prints it)", render::MASK)
    };
    match r.placement {
        Placement::Header => {
            let _ = writeln!(out, "  sends:    header {}: {shown}", r.name);
        }
        Placement::Param => {
            let _ = writeln!(out, "  sends:    URL parameter ?{}={shown}", r.name);
        }
    }
    let codes: Vec<String> = r.reauthenticate_on.iter().map(u16::to_string).collect();
    let _ = writeln!(
        out,
        "  expires:  unknown (used until a data request gets HTTP {}; then {})",
        if codes.is_empty() {
            "-".to_owned()
        } else {
            codes.join(", ")
        },
        if plan.reauthentication.is_some() {
            "#reauthentication runs, #authentication if it fails"
        } else {
            "#authentication runs again"
        }
    );
    let _ = writeln!(
        out,
        "  store:    none (a custom login's credential is kept in memory only)"
    );
    out
}
