//! `invalid-value`: a value that is not valid for its option.

declare_lint! {
    /// ### What it does
    /// Reports a value its option cannot take: an unknown
    /// AuthenticationMethod or ClientCredentialsMode, a URL that does not
    /// parse, a header name with blanks, a RedirectURI without the port an
    /// interactive login listens on, an odbc.ini value ending in `;`, DSN
    /// and FILEDSN together.
    ///
    /// ### Why it matters
    /// The driver either refuses the connection or reads the value as
    /// something else (in odbc.ini the `;` is part of the value:
    /// `AuthenticationMethod=OAuth2;` names no method).
    ///
    /// ### Example
    /// ```text
    /// [sales]
    /// AuthenticationMethod=OAuth2-ClientCredentials;
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [sales]
    /// AuthenticationMethod=OAuth2-ClientCredentials
    /// ```
    name: "invalid-value",
    severity: Error,
    description: "a value that is not valid for its option",
}

use crate::diagnostic::{Severity, Text};
use crate::options::{Occurrence, lookup};
use crate::plan::cx::{Cx, name_text};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::types::AuthMethod;
use crate::plan::values::parse_bool;

impl Cx<'_> {
    /// Report `o`'s value as not valid for its option.
    pub(crate) fn invalid(
        &mut self,
        o: &Occurrence,
        message: impl Into<Text>,
        help: impl Into<Text>,
    ) {
        let d = Diag::new(
            lints::INVALID_VALUE,
            Severity::Error,
            message,
            o.source(),
            o.entry.raw_value,
            "invalid value",
        )
        .help(help)
        .key(name_text(o))
        .section(self.section(o));
        self.push(d);
    }
}

/// odbc.ini values ending in `;` (part of the value there).
pub(crate) fn check_stray_semicolons(cx: &mut Cx<'_>) {
    let set = cx.set;
    for o in set.all() {
        let Some(spec) = o.spec else { continue };
        if !cx.is_ini(o) || spec.name == "Description" || !o.value().trim_end().ends_with(';') {
            continue;
        }
        let shown = match o.displayable_value() {
            Some(v) => format!("`{v}`"),
            None => "its value".to_owned(),
        };
        cx.invalid(
            o,
            format!(
                "{} ends with `;`: in odbc.ini the `;` is part of the value ({shown})",
                spec.name
            ),
            "remove the `;`: odbc.ini has one `Key=Value` per line and no separators".to_owned(),
        );
    }
}

/// Values of options every method shares, checked whatever the method.
pub(crate) fn check_shared_options(cx: &mut Cx<'_>, _method: Option<AuthMethod>) {
    if cx.present("HealthURI").is_some() {
        cx.url("HealthURI", false);
    }
    if lookup("EnableLoginPrompt").is_some_and(|s| cx.is_used(s))
        && let Some(o) = cx.present("EnableLoginPrompt")
        && parse_bool(cx.effective(o)).is_none()
    {
        cx.invalid(
            o,
            "EnableLoginPrompt must be 0 or 1 (or true/false)".to_owned(),
            "write EnableLoginPrompt=1 to allow an interactive login, 0 to forbid it".to_owned(),
        );
    }
}
