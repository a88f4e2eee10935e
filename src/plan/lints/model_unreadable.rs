//! `model-unreadable`: the Model file named by RESTConfigFile cannot be read.

declare_lint! {
    /// ### What it does
    /// Reports a `RESTConfigFile` (`rcf`, JDBC `Config`) whose file does not
    /// exist or cannot be read, naming the path looked at. A relative path is
    /// relative to the working directory, as the driver reads it
    /// (`--model-dir DIR` resolves it elsewhere). Checks that need the file
    /// (its OAuth entries, its custom login) say they were skipped instead of
    /// reporting options as missing.
    ///
    /// ### Why it matters
    /// The driver fails to connect without its Model file; and the options
    /// the file may hold (token endpoint, scope, default method) cannot be
    /// checked.
    ///
    /// ### Example
    /// ```text
    /// RESTConfigFile=models/sales.rest
    /// ```
    /// (with no `models/sales.rest` in the working directory)
    ///
    /// ### Use instead
    /// ```text
    /// RESTConfigFile=/etc/connectors/sales.rest
    /// ```
    /// or run `connstr check --model-dir DIR` from CI.
    name: "model-unreadable",
    severity: Warning,
    description: "the Model file named by RESTConfigFile cannot be read",
}

use crate::diagnostic::Severity;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// A Model file that could not be read.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let Some(m) = cx.model else { return };
    let Some(reason) = &m.unreadable else { return };
    let Some(o) = cx.set.get("RESTConfigFile") else {
        return;
    };
    let d = Diag::new(
        lints::MODEL_UNREADABLE,
        Severity::Warning,
        format!("cannot read the Model file {}: {reason}", m.path.display()),
        o.source(),
        o.entry.raw_value,
        "this file",
    )
    .help("a relative path is relative to the working directory (use `--model-dir DIR` to look elsewhere); the checks that need the Model file (its OAuth entries, its custom login) are skipped")
    .key("RESTConfigFile")
    .section(cx.section(o));
    cx.push(d);
}
