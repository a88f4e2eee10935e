//! `long-and-short-name`: one DataDirect option given under two of its
//! names (`ClientID` and `cid`) in one connection string or data source.

declare_lint! {
    /// ### What it does
    /// Reports, for the DataDirect drivers (Autonomous REST and the other
    /// DataDirect 8.0 drivers), an option given under two of its names in
    /// one connection string, JDBC URL or data source: the long name and the
    /// short one (`ValidateServerCertificate` and `VSC`), or two short
    /// names (`RT` and `rtok`). Repeats of one spelling, and two long names
    /// of one option (`User` and `UID`), are `duplicate-key`.
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

use crate::diagnostic::Severity;
use crate::options::{Occurrence, OptionSpec};
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
    if !applies(cx) {
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
        let d = Diag::new(
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
        cx.push(d);
    }
}

/// The DataDirect family's short names that differ per product and are
/// kept as aliases of one row (`options/drivers/datadirect.rs`): BigQuery's
/// `CI`, `CS`, `RT`, `SC`.
const PRODUCT_SHORT_NAMES: &[&str] = &["CI", "CS", "RT", "SC"];

/// Whether `names` (distinct spellings of `spec`) hold two names of which
/// one is a short name: the case DataDirect warns about. Two long names
/// (`User` and `UID` as aliases) are `duplicate-key`'s.
fn long_and_short(spec: &OptionSpec, names: &[&str]) -> bool {
    let is_short = |n: &&str| {
        spec.short.is_some_and(|s| s.eq_ignore_ascii_case(n))
            || PRODUCT_SHORT_NAMES
                .iter()
                .any(|s| s.eq_ignore_ascii_case(n) && spec.aliases.iter().any(|a| a == s))
    };
    names.len() > 1 && names.iter().any(is_short)
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
