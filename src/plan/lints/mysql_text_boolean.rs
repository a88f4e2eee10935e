//! `mysql-text-boolean`: a MySQL Connector/ODBC switch or number written as
//! a word (`NO_SCHEMA=true`), which the driver reads as 0.

declare_lint! {
    /// ### What it does
    /// Reports a MySQL Connector/ODBC option that takes a number (the
    /// switches such as `NO_SCHEMA`, `MULTI_STATEMENTS`, `AUTO_RECONNECT`,
    /// and `PORT`, `OPTION`, the timeouts) written as a word: `true`,
    /// `yes`, `on`. It is an error when the word means "on" (the driver
    /// reads 0, off), a warning when it means "off" (0 by luck).
    ///
    /// ### Why it matters
    /// The driver reads these values with `sqlwchartoul`: only digits
    /// count. `MULTI_STATEMENTS=true` is 0, so multiple statements stay
    /// off, the exact opposite of what the line says, and nothing reports
    /// it.
    ///
    /// ### Example
    /// ```text
    /// [shop]
    /// Driver=MySQL ODBC 8.0 Unicode Driver
    /// AUTO_RECONNECT=true
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [shop]
    /// Driver=MySQL ODBC 8.0 Unicode Driver
    /// AUTO_RECONNECT=1
    /// ```
    ///
    /// ### References
    /// DRIVERS.md §4 (mysql-connector-odbc 9.1.0, `util/installer.cc`).
    name: "mysql-text-boolean",
    severity: Error,
    description: "a MySQL numeric option written as a word, which the driver reads as 0",
}

use crate::diagnostic::{Applicability, Fix, Severity};
use crate::options::ValueKind;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// What a word value was meant to say: `Some(true)` on, `Some(false)` off,
/// `None` neither (or a number, which the driver reads as written).
fn meant(value: &str) -> Option<bool> {
    let v = value.trim();
    if v.is_empty() || v.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    const ON: &[&str] = &["true", "yes", "on", "y", "t", "enable", "enabled"];
    const OFF: &[&str] = &["false", "no", "off", "n", "f", "disable", "disabled"];
    if ON.iter().any(|w| w.eq_ignore_ascii_case(v)) {
        Some(true)
    } else if OFF.iter().any(|w| w.eq_ignore_ascii_case(v)) {
        Some(false)
    } else {
        None
    }
}

/// Numeric MySQL options written as `true`/`yes`/`on` (or their opposites).
pub(crate) fn check(cx: &mut Cx<'_>) {
    let Some(p) = cx.driver().filter(|p| p.id == "mysql") else {
        return;
    };
    let set = cx.set;
    for o in set.all() {
        let Some((spec, _)) = p.resolve_key(o.key().trim()) else {
            continue;
        };
        if !matches!(spec.kind, ValueKind::Integer | ValueKind::Port) {
            continue;
        }
        let value = cx.effective(o);
        let Some(on) = meant(value) else { continue };
        let key = o.key().trim();
        let (severity, message, digit) = if on {
            (
                Severity::Error,
                format!(
                    "{key}={value}: MySQL Connector/ODBC reads only digits here, so `{value}` is 0 and {} is off",
                    spec.name
                ),
                "1",
            )
        } else {
            (
                Severity::Warning,
                format!(
                    "{key}={value}: MySQL Connector/ODBC reads only digits here; `{value}` is 0 by luck"
                ),
                "0",
            )
        };
        let mut d = Diag::new(
            lints::MYSQL_TEXT_BOOLEAN,
            severity,
            message,
            o.source(),
            o.entry.raw_value,
            format!("read as 0: write {digit}"),
        )
        .help(format!(
            "write {key}={digit} (1 turns a switch on, 0 off; `true`, `yes` and `on` all read as 0)"
        ))
        .key(spec.name)
        .section(cx.section(o));
        if let Some(span) = cx.effective_span(o) {
            // Writing 0 changes nothing the driver does; writing 1 does
            // what the line says but changes the connection.
            let applicability = if on {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            };
            d = d.fix(
                Fix::new(format!("write {key}={digit}"), applicability).edit(
                    o.source(),
                    span,
                    digit,
                ),
            );
        }
        cx.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_numbers() {
        for v in ["true", "TRUE", "Yes", "on", " y "] {
            assert_eq!(meant(v), Some(true), "{v}");
        }
        for v in ["false", "No", "OFF"] {
            assert_eq!(meant(v), Some(false), "{v}");
        }
        for v in ["1", "0", "2", "", "3306", "maybe"] {
            assert_eq!(meant(v), None, "{v}");
        }
    }
}
