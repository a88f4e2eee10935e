//! Validation: an [`OptionSet`] → an [`AuthPlan`] and every problem found.
//!
//! [`validate`] never stops at the first problem: it runs every lint, builds
//! as much of the plan as it can, and returns the plan only when no error was
//! found (holding an [`AuthPlan`] means it can run). Messages name options,
//! never a secret value; a value is quoted only when it is a known,
//! non-secret option that swallowed nothing.
//!
//! The order: the lints on the options ([`lints::OPTION_CHECKS`]), the
//! method and its plan (`super::build`, which runs [`lints::GRANT_CHECKS`]
//! on an OAuth 2.0 grant), then [`lints::METHOD_CHECKS`]. Each lint lives in
//! a file of its own under `src/plan/lints/`.

use super::cx::Cx;
use super::diag::Diag;
use super::lints;
use super::model::ModelFile;
use super::types::AuthPlan;
use crate::diagnostic::{Diagnostic, Severity};
use crate::options::drivers::Recognition;
use crate::options::{OptionSet, ResolveProblem};

/// Validate resolved options into a plan, collecting every problem.
///
/// Returns `Some(plan)` only when no diagnostic is an error. Diagnostics come
/// in a stable order: per-key lints (unknown, duplicate, deprecated names,
/// swallowed separators, stray `;`), the file-permission lint, then what the
/// authentication method finds.
///
/// ```
/// use connstr::diagnostic::SourceId;
/// use connstr::options::OptionSet;
/// use connstr::plan::{validate, Auth, Grant};
/// use connstr::syntax::parse_connection_string;
///
/// let doc = parse_connection_string(
///     "AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;ClientSecret=s3cr3t;\
///      TokenURI=POST https://login.example.com/oauth2/token;Scope=read write",
/// );
/// let set = OptionSet::from_document(&doc, SourceId(0), false);
/// let (plan, diagnostics) = validate(&set);
/// assert!(diagnostics.is_empty(), "{diagnostics:?}");
/// let Auth::OAuth2(oauth) = plan.unwrap().auth else { panic!() };
/// assert!(matches!(oauth.grant, Grant::ClientCredentials { .. }));
/// assert_eq!(oauth.scope, ["read", "write"]);
/// ```
pub fn validate(set: &OptionSet) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    validate_with(set, None, true, &Recognition::default_autorest())
}

/// [`validate`] with the Model file the set's RESTConfigFile names (see
/// [`read_model`](super::model::read_model)): its problems are the target's,
/// its `#options` default and custom login decide the method when the
/// connection does not, and its OAuth entries stand in for missing options.
pub fn validate_with_model(
    set: &OptionSet,
    model: Option<&ModelFile>,
) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    validate_with(set, model, true, &Recognition::default_autorest())
}

/// [`validate`]; with `want_plan` false every check still runs (the plan is
/// still built as far as it goes: building it is what finds most problems),
/// but no [`AuthPlan`] is assembled or returned, which spares its
/// provenance table when only the diagnostics are kept.
///
/// `driver` says which profile judges the target: only an Autonomous REST
/// target gets an auth plan and the lints about it; any other driver's
/// target gets the driver-independent lints ([`lints::COMMON_CHECKS`]),
/// unknown keys judged by its own catalog, and the driver lints
/// ([`lints::DRIVER_CHECKS`]).
pub(crate) fn validate_with(
    set: &OptionSet,
    model: Option<&ModelFile>,
    want_plan: bool,
    driver: &Recognition,
) -> (Option<AuthPlan>, Vec<Diagnostic>) {
    let mut cx = Cx::new(set, driver);
    if !cx.is_autorest() {
        for check in lints::COMMON_CHECKS {
            check(&mut cx);
        }
        for check in lints::DRIVER_CHECKS {
            check(&mut cx);
        }
        if cx.diags.len() < cx.diags.capacity() {
            cx.diags.shrink_to_fit();
        }
        // Another driver's target that still names an AuthenticationMethod
        // (a DataDirect driver, or a DSN `connect` hands a token to): when a
        // plan is wanted it is built by the Autonomous REST rules, whose
        // diagnostics are not this driver's and are not reported.
        let plan = if want_plan && set.occurrences_of("AuthenticationMethod").next().is_some() {
            let forced = Recognition {
                profile: Some(crate::options::drivers::autorest()),
                ..driver.clone()
            };
            validate_with(set, None, true, &forced).0
        } else {
            None
        };
        return (plan, cx.diags);
    }
    cx.model = model;
    if let Some(m) = model {
        cx.diags.extend(m.diagnostics.iter().cloned());
    }
    for check in lints::OPTION_CHECKS {
        check(&mut cx);
    }
    let method = cx.method();
    let auth = method.and_then(|m| cx.build(m));
    lints::header_collision::check(&mut cx, auth.as_ref());
    let transport = cx.transport();
    lints::tls_verification_off::check(&mut cx, &transport);
    for check in lints::METHOD_CHECKS {
        check(&mut cx, method);
    }
    for check in lints::DRIVER_CHECKS {
        check(&mut cx);
    }
    let failed = cx.diags.iter().any(|d| d.severity == Severity::Error);
    let plan = match (method, auth) {
        (Some(method), Some(auth)) if !failed && want_plan => Some(AuthPlan {
            method,
            user: cx.present("User").map(|o| cx.effective(o).to_owned()),
            dsn: set.dsn().map(str::to_owned),
            provenance: cx.provenance(),
            auth,
            transport,
        }),
        _ => None,
    };
    // A large odbc.ini keeps every target's diagnostics: no spare room.
    if cx.diags.len() < cx.diags.capacity() {
        cx.diags.shrink_to_fit();
    }
    (plan, cx.diags)
}

/// The diagnostics for what resolution could not do: `unknown-dsn`, a DSN
/// ignored because DRIVER comes first (`ignored-key`), DSN with FILEDSN
/// (`invalid-value`).
pub fn resolve_diagnostics(problems: &[ResolveProblem]) -> Vec<Diagnostic> {
    problems
        .iter()
        .map(|p| match p {
            ResolveProblem::UnknownDsn {
                name,
                origin,
                searched,
                suggestion,
            } => {
                let files = if searched.is_empty() {
                    "no odbc.ini was found".to_owned()
                } else {
                    format!("searched {}", searched.join(", "))
                };
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`? ({files})"),
                    None => format!(
                        "define a [{name}] section in odbc.ini, or name the file that defines it ({files})"
                    ),
                };
                Diag::new(
                    lints::UNKNOWN_DSN,
                    Severity::Error,
                    format!("no data source named `{name}`"),
                    origin.source,
                    origin.value,
                    "not defined in any odbc.ini searched",
                )
                .help(help)
                .key("DSN")
                .build()
            }
            ResolveProblem::DsnAfterDriver { dsn, driver } => Diag::new(
                lints::IGNORED_KEY,
                Severity::Warning,
                "DSN is ignored: DRIVER comes first, and the driver manager uses whichever comes first",
                dsn.source,
                dsn.key,
                "ignored",
            )
            .secondary(driver.source, driver.key, "DRIVER is used")
            .help("keep only one of DSN and DRIVER, or put DSN first to use the data source's settings")
            .key("DSN")
            .build(),
            ResolveProblem::DsnAndFileDsn { dsn, filedsn } => Diag::new(
                lints::INVALID_VALUE,
                Severity::Error,
                "DSN and FILEDSN cannot both be given",
                filedsn.source,
                filedsn.key,
                "FILEDSN here",
            )
            .secondary(dsn.source, dsn.key, "DSN here")
            .help("the driver manager refuses a connection string holding both: keep one")
            .key("FILEDSN")
            .build(),
        })
        .collect()
}
