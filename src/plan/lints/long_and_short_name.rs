//! `long-and-short-name`: one DataDirect option given under two of its
//! names (`ClientID` and `cid`) in one connection string or data source.

declare_lint! {
    /// ### What it does
    /// Reports, for the DataDirect drivers (Autonomous REST and the other
    /// DataDirect 8.0 drivers), an option given under two of its names in
    /// one connection string, JDBC URL or data source: the long name and the
    /// short one (`ValidateServerCertificate` and `VSC`), or two short
    /// names (`RT` and `rtok`). Repeats of one spelling, and two long names
    /// of one option (`User` and `UID`), are `duplicate-key`. For a long and
    /// a short name given once each, the fix removes the short name's entry:
    /// `connstr fix` applies it when both values are the same, and only with
    /// `--unsafe` when they differ.
    ///
    /// ### Why it matters
    /// DataDirect's documentation says not to give both the long and the
    /// short name of one option: the connection may fail. When it does not
    /// fail, which of the two values is used is not documented, so the value
    /// you edit may not be the one used.
    ///
    /// ### Example
    /// ```text
    /// [sf]
    /// Driver=DataDirect 8.0 Salesforce
    /// RefreshToken=…
    /// rtok=…
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [sf]
    /// Driver=DataDirect 8.0 Salesforce
    /// RefreshToken=…
    /// ```
    ///
    /// ### References
    /// DRIVERS.md §0.5; DataDirect's "Connection option descriptions"
    /// (Google BigQuery, Dynamics 365).
    name: "long-and-short-name",
    severity: Warning,
    description: "a DataDirect option given under its long and its short name",
}

use crate::diagnostic::{Applicability, Fix, Severity};
use crate::options::{Occurrence, OptionSpec, has_line_break};
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// Whether the target's driver is a DataDirect one (this lint reports its
/// options under two names; `duplicate-key` leaves them to it).
pub(crate) fn applies(cx: &Cx<'_>) -> bool {
    cx.driver()
        .is_some_and(|p| p.id == "autorest" || p.id == "datadirect")
}

/// The distinct spellings of `keys` (case-insensitive), in order.
fn spellings<'k>(keys: impl IntoIterator<Item = &'k str>) -> Vec<&'k str> {
    let mut out: Vec<&str> = Vec::new();
    for k in keys {
        let k = k.trim();
        if !out.iter().any(|s| s.eq_ignore_ascii_case(k)) {
            out.push(k);
        }
    }
    out
}

/// Options of a DataDirect target given under two or more names in one layer.
pub(crate) fn check(cx: &mut Cx<'_>) {
    if !applies(cx) || !cx.has_repeats() {
        return;
    }
    let all = cx.set.all();
    let spec_of = |cx: &Cx<'_>, o: &Occurrence| -> Option<&'static OptionSpec> { cx.spec_of(o) };
    for (i, o) in all.iter().enumerate() {
        let Some(spec) = spec_of(cx, o) else { continue };
        let same = |p: &Occurrence| {
            p.layer == o.layer && spec_of(cx, p).is_some_and(|s| std::ptr::eq(s, spec))
        };
        // Each group once, from its first member.
        if all[..i].iter().any(same) {
            continue;
        }
        // The usual case, an option given once: nothing gathered.
        if !all[i + 1..].iter().any(same) {
            continue;
        }
        let group: Vec<&Occurrence> = all[i..].iter().filter(|p| same(p)).collect();
        let names = spellings(group.iter().map(|p| p.key()));
        if !long_and_short(spec, &names) {
            continue;
        }
        let Some(second) = group
            .iter()
            .find(|p| !p.key().trim().eq_ignore_ascii_case(names[0]))
        else {
            continue;
        };
        let mut d = Diag::new(
            lints::LONG_AND_SHORT_NAME,
            Severity::Warning,
            format!(
                "{} is given as `{}`: DataDirect says not to give two names of one option, the connection may fail",
                spec.name,
                names.join("` and `")
            ),
            second.source(),
            second.entry.key,
            "the same option again",
        )
        .secondary(o.source(), o.entry.key, "first given here")
        .help(format!(
            "keep one of `{}` and remove the others",
            names.join("`, `")
        ))
        .key(spec.name)
        .section(cx.section(o));
        if let Some(fix) = fix(cx, spec, &group) {
            d = d.fix(fix);
        }
        cx.push(d);
    }
}

/// The fix of a pair: one occurrence under the long name, one under a short
/// name. The short-name line goes; when both values are the same nothing
/// changes for the driver (applied by `connstr fix`), when they differ
/// which one DataDirect uses is not documented, so removing one may change
/// the connection (applied only with `--unsafe`). Two short names, or more
/// than two occurrences, get no fix. The fix names keys only, never a value.
fn fix(cx: &Cx<'_>, spec: &OptionSpec, group: &[&Occurrence]) -> Option<Fix> {
    let [a, b] = group else { return None };
    let short = |o: &Occurrence| is_short(spec, o.key().trim());
    let (long, short) = match (short(a), short(b)) {
        (false, true) => (*a, *b),
        (true, false) => (*b, *a),
        _ => return None,
    };
    // An occurrence that swallowed another pair or a line break holds more
    // than the option: removing it is not certain.
    let clean = |o: &Occurrence| o.hidden.is_empty() && !has_line_break(o.value());
    if !clean(short) || !clean(long) {
        return None;
    }
    let (lk, sk) = (long.key().trim(), short.key().trim());
    let fix = if cx.effective(long) == cx.effective(short) {
        Fix::new(
            format!("remove `{sk}` (the same value as `{lk}`)"),
            Applicability::Safe,
        )
    } else {
        Fix::new(
            format!(
                "remove `{sk}` and keep `{lk}` (their values differ, and DataDirect does not document which one it uses)"
            ),
            Applicability::Unsafe,
        )
    };
    Some(fix.edit(short.source(), short.entry.span, ""))
}

/// The DataDirect family's short names that differ per product and are
/// kept as aliases of one row (`options/drivers/datadirect.rs`): BigQuery's
/// `CI`, `CS`, `RT`, `SC`.
const PRODUCT_SHORT_NAMES: &[&str] = &["CI", "CS", "RT", "SC"];

/// Whether `names` (distinct spellings of `spec`) hold two names of which
/// one is a short name: the case DataDirect warns about. Two long names
/// (`User` and `UID` as aliases) are `duplicate-key`'s.
fn long_and_short(spec: &OptionSpec, names: &[&str]) -> bool {
    names.len() > 1 && names.iter().any(|n| is_short(spec, n))
}

/// Whether `name` is a short name of `spec` (its own, or a product's kept
/// as an alias).
fn is_short(spec: &OptionSpec, name: &str) -> bool {
    spec.short.is_some_and(|s| s.eq_ignore_ascii_case(name))
        || PRODUCT_SHORT_NAMES
            .iter()
            .any(|s| s.eq_ignore_ascii_case(name) && spec.aliases.iter().any(|a| a == s))
}

/// Whether `duplicate-key` should leave the group of `spec` given as
/// `keys` to this lint.
pub(crate) fn covers<'k>(
    cx: &Cx<'_>,
    spec: &OptionSpec,
    keys: impl IntoIterator<Item = &'k str>,
) -> bool {
    applies(cx) && long_and_short(spec, &spellings(keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_short_name_makes_the_pair() {
        let arc = crate::options::drivers::profile("autorest").unwrap();
        let (cid, _) = arc.resolve_key("ClientID").unwrap();
        assert!(long_and_short(cid, &["ClientID", "cid"]));
        let (user, _) = arc.resolve_key("User").unwrap();
        assert!(!long_and_short(user, &["User", "UID"]));
        let dd = crate::options::drivers::profile("datadirect").unwrap();
        let (rt, _) = dd.resolve_key("RefreshToken").unwrap();
        assert!(long_and_short(rt, &["RefreshToken", "RT"]));
        assert!(long_and_short(rt, &["rtok", "RT"]));
    }

    #[test]
    fn spellings_ignore_case() {
        assert_eq!(
            spellings(["ClientID", "CLIENTID", "cid"]),
            ["ClientID", "cid"]
        );
        assert_eq!(spellings(["vsc", " VSC"]), ["vsc"]);
    }
}
