//! `model-choice`: AuthenticationMethod outside the Model file's `choices`.

declare_lint! {
    /// ### What it does
    /// Reports an AuthenticationMethod in the connection that is not one of
    /// the `choices` of the Model file's `#options.authenticationMethod`.
    /// The connection's value still wins (connection value > `#options`
    /// default > product default).
    ///
    /// ### Why it matters
    /// `choices` is what the Model file's author says the service accepts;
    /// the vendor does not document whether the driver enforces it.
    ///
    /// ### Example
    /// ```text
    /// "#options": {"authenticationMethod": {"default": "Custom", "choices": "Custom"}}
    /// ```
    /// with `AuthenticationMethod=Basic`
    ///
    /// ### Use instead
    /// ```text
    /// AuthenticationMethod=Custom
    /// ```
    name: "model-choice",
    severity: Warning,
    description: "AuthenticationMethod is not one of the Model file's choices",
}

use crate::diagnostic::Severity;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::parse_auth_method;

/// The connection's method against `#options` choices.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let Some(m) = cx.model else { return };
    let Some((choices, origin)) = &m.method_choices else {
        return;
    };
    let Some(o) = cx.set.get("AuthenticationMethod") else {
        return;
    };
    let Some(method) = parse_auth_method(cx.effective(o)) else {
        return;
    };
    if choices.iter().any(|c| parse_auth_method(c) == Some(method)) {
        return;
    }
    let d = Diag::new(
        lints::MODEL_CHOICE,
        Severity::Warning,
        format!(
            "AuthenticationMethod={} is not one of the Model file's choices ({})",
            method.name(),
            choices.join(", ")
        ),
        o.source(),
        o.entry.raw_value,
        "not a choice",
    )
    .secondary(origin.source, origin.value, "choices")
    .help("the connection's value is used; use one of the choices, or add it to them")
    .key("AuthenticationMethod")
    .section(cx.section(o));
    cx.push(d);
}
