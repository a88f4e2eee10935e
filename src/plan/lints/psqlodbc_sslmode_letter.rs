//! `psqlodbc-sslmode-letter`: a psqlODBC `SSLmode` in a connection string
//! whose first letter psqlODBC does not know, so TLS is silently off.

declare_lint! {
    /// ### What it does
    /// Reports `SSLmode` (or its abbreviation `CA`) in a psqlODBC connection
    /// string whose value does not start with one of the lower-case letters
    /// psqlODBC looks at: `a` (allow), `p` (prefer), `r` (require), `v`
    /// (verify-ca, verify-full), `d` (disable). `SSLmode=Require`,
    /// `SSLmode=VERIFY-FULL`, `SSLmode=on` or `SSLmode=1` all become
    /// `disable`.
    ///
    /// ### Why it matters
    /// psqlODBC reads this option from a connection string by switching on
    /// its first character only, and case matters: any other character,
    /// an upper-case `R` included, silently means `disable`. The
    /// connection then goes unencrypted, password included, while the
    /// string says TLS is required.
    ///
    /// ### Example
    /// ```text
    /// Driver={PostgreSQL Unicode};Servername=db.internal;SSLmode=Require;Username=app;Password=…
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// Driver={PostgreSQL Unicode};Servername=db.internal;SSLmode=verify-full;Username=app;Password=…
    /// ```
    ///
    /// ### References
    /// DRIVERS.md §3.1 (psqlODBC 18.00.0002, `dlg_specific.c`).
    name: "psqlodbc-sslmode-letter",
    severity: Error,
    description: "a psqlODBC SSLmode whose first letter makes it `disable`",
}

use crate::diagnostic::{Applicability, Fix, Severity};
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// The mode psqlODBC's connection-string parser makes of `value` when that
/// is not what the value says: `Some(meant)` with the mode the value was
/// evidently meant as (lower-case), or `Some("")` when it names no mode.
/// `None`: the parser reads it as written (or it says `disable`).
fn misread(value: &str) -> Option<&'static str> {
    let v = value.trim();
    let first = v.bytes().next()?;
    if matches!(first, b'a' | b'p' | b'r' | b'v' | b'd') {
        return None;
    }
    const MODES: &[&str] = &["allow", "prefer", "require", "verify-ca", "verify-full"];
    let lower = v.to_ascii_lowercase();
    if lower.starts_with('d') {
        // `Disable`: disable anyway.
        return None;
    }
    Some(
        MODES
            .iter()
            .copied()
            .find(|m| lower == *m || lower.replace('_', "-") == *m)
            .unwrap_or(""),
    )
}

/// `SSLmode` values a psqlODBC connection string silently turns into `disable`.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let Some(p) = cx.driver().filter(|p| p.id == "psqlodbc") else {
        return;
    };
    let set = cx.set;
    for o in set.all() {
        // odbc.ini values are read by another path (DRIVERS.md §3.2).
        if cx.is_ini(o) {
            continue;
        }
        let Some((spec, _)) = p.resolve_key(o.key().trim()) else {
            continue;
        };
        if !spec.name.eq_ignore_ascii_case("SSLmode") {
            continue;
        }
        let value = cx.effective(o);
        let Some(meant) = misread(value) else {
            continue;
        };
        let key = o.key().trim();
        let help = if meant.is_empty() {
            format!(
                "write {key}= one of allow, prefer, require, verify-ca, verify-full (lower case), or disable"
            )
        } else {
            format!("write {key}={meant} (lower case)")
        };
        let mut d = Diag::new(
            lints::PSQLODBC_SSLMODE_LETTER,
            Severity::Error,
            format!(
                "{key}={value}: psqlODBC reads only the first letter here, lower case, so `{value}` means `disable`: the connection is not encrypted"
            ),
            o.source(),
            o.entry.raw_value,
            "read as disable",
        )
        .help(help)
        .key(spec.name)
        .section(cx.section(o));
        if !meant.is_empty()
            && let Some(span) = cx.effective_span(o)
        {
            d = d.fix(
                Fix::new(format!("write {key}={meant}"), Applicability::Unsafe).edit(
                    o.source(),
                    span,
                    meant,
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
    fn first_letter_rules() {
        assert_eq!(misread("Require"), Some("require"));
        assert_eq!(misread("VERIFY-FULL"), Some("verify-full"));
        assert_eq!(misread("Verify_CA"), Some("verify-ca"));
        assert_eq!(misread("Prefer"), Some("prefer"));
        assert_eq!(misread("on"), Some(""));
        assert_eq!(misread("1"), Some(""));
        for ok in [
            "require",
            "verify-full",
            "prefer",
            "allow",
            "disable",
            "Disable",
            "",
        ] {
            assert_eq!(misread(ok), None, "{ok}");
        }
    }
}
