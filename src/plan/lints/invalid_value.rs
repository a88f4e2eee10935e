//! `invalid-value`: a value that is not valid for its option.

declare_lint! {
    /// ### What it does
    /// Reports a value its option cannot take: an unknown
    /// AuthenticationMethod or ClientCredentialsMode, a URL that does not
    /// parse, a header name with blanks, a RedirectURI without the port an
    /// interactive login listens on, an odbc.ini value ending in `;`, an
    /// odbc.ini `Driver={…}` in braces, DSN and FILEDSN together. For the
    /// other drivers, a switch, number, port or choice of the target's own
    /// profile with a value its driver does not take (`Encrypt=required`
    /// for SQL Server, `SSL-MODE=VERIFY-CA` for MySQL); a warning where the
    /// driver silently reads it as something else (sqliteodbc reads
    /// `StepAPI=on` as off) or where how it reads the value is not
    /// documented.
    ///
    /// ### Why it matters
    /// The driver either refuses the connection or reads the value as
    /// something else (in odbc.ini the `;` and braces are part of the value:
    /// `AuthenticationMethod=OAuth2;` names no method, `Driver={X}` no
    /// driver).
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

use crate::diagnostic::{Applicability, Fix, Severity, Text};
use crate::options::{Occurrence, lookup};
use crate::plan::cx::{Cx, name_text};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::types::AuthMethod;
use crate::plan::values::parse_bool;
use crate::syntax::Span;

mod profile_values;

pub(crate) use profile_values::check as check_profile_values;
pub(crate) use profile_values::judge as judge_profile_value;

impl Cx<'_> {
    /// Report `o`'s value as not valid for its option.
    pub(crate) fn invalid(
        &mut self,
        o: &Occurrence,
        message: impl Into<Text>,
        help: impl Into<Text>,
    ) {
        self.invalid_with_fix(o, message, help, None);
    }

    /// [`Cx::invalid`], with a fix when there is a certain one.
    pub(crate) fn invalid_with_fix(
        &mut self,
        o: &Occurrence,
        message: impl Into<Text>,
        help: impl Into<Text>,
        fix: Option<Fix>,
    ) {
        let mut d = Diag::new(
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
        if let Some(fix) = fix {
            d = d.fix(fix);
        }
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
        // Remove what the plan does not read (the `;` and the blanks
        // before it), when something is left.
        let fix = cx.effective_span(o).and_then(|keep| {
            // (A pair swallowed after a blank would be cut off with it; a
            // value that merely holds `=` is fine.)
            (!keep.is_empty() && o.hidden.iter().all(|h| h.leading)).then(|| {
                Fix::new(
                    format!("remove the `;` at the end of {}", o.key()),
                    Applicability::Safe,
                )
                .edit(o.source(), Span::new(keep.end(), o.entry.value.end()), "")
            })
        });
        cx.invalid_with_fix(
            o,
            format!(
                "{} ends with `;`: in odbc.ini the `;` is part of the value ({shown})",
                spec.name
            ),
            "remove the `;`: odbc.ini has one `Key=Value` per line and no separators".to_owned(),
            fix,
        );
    }
}

/// An odbc.ini `Driver={…}`: braces quote a value in a connection string,
/// but odbc.ini has no quoting, so the driver manager looks for a driver
/// whose name holds the braces.
pub(crate) fn check_braced_driver(cx: &mut Cx<'_>) {
    let set = cx.set;
    for o in set.all() {
        if !cx.is_ini(o) || o.spec.is_none_or(|s| s.name != "DRIVER") {
            continue;
        }
        let Some(eff) = cx.effective_span(o) else {
            continue;
        };
        let v = cx.effective(o);
        let Some(inner) = v.strip_prefix('{').and_then(|v| v.strip_suffix('}')) else {
            continue;
        };
        if inner.trim().is_empty() || inner.contains(['{', '}']) {
            continue;
        }
        let fix = Fix::new(
            "remove the braces around the driver name",
            Applicability::Safe,
        )
        .edit(o.source(), Span::new(eff.start(), eff.start() + 1), "")
        .edit(o.source(), Span::new(eff.end() - 1, eff.end()), "");
        cx.invalid_with_fix(
            o,
            format!(
                "Driver is written in braces: odbc.ini has no quoting, so the driver manager looks for a driver named `{v}`, braces included, and connecting fails with IM002"
            ),
            format!(
                "write `Driver={inner}` (braces quote values only in connection strings; unixODBC 2.3.11 reads `{v}` from odbc.ini and finds no such driver in odbcinst.ini: \"Data source name not found and no default driver specified\")"
            ),
            Some(fix),
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
