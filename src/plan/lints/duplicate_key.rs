//! `duplicate-key`: the same option given more than once.

declare_lint! {
    /// ### What it does
    /// Reports an option given more than once in one connection string, JDBC
    /// URL or data source (under the same name, or under two names of the
    /// same option, such as `User` and `UID`), and a data source defined
    /// twice in one odbc.ini. It says which occurrence is used.
    ///
    /// ### Why it matters
    /// Driver managers disagree on which one wins: unixODBC reads the first
    /// key of an odbc.ini section, Microsoft's driver manager the first of a
    /// connection string, unixODBC's the last. DataDirect warns that giving
    /// an option twice, or its long and short name together, may make the
    /// connection fail. The value you edited may not be the one used.
    ///
    /// ### Example
    /// ```text
    /// [sales]
    /// User=ann
    /// UID=bob
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [sales]
    /// User=ann
    /// ```
    name: "duplicate-key",
    severity: Warning,
    description: "an option given more than once; says which occurrence is used",
}

use crate::diagnostic::{Severity, Text};
use crate::options::Occurrence;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::syntax::Form;

/// Every option of the set given more than once in one layer.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let set = cx.set;
    let all = set.all();
    for (i, o) in all.iter().enumerate() {
        let Some(spec) = o.spec else { continue };
        let same =
            |p: &&Occurrence| p.layer == o.layer && p.spec.is_some_and(|s| std::ptr::eq(s, spec));
        // Report each group once, from its first member; most options
        // are given once: count before collecting.
        if all[..i].iter().any(|p| same(&p)) || all[i..].iter().filter(same).nth(1).is_none() {
            continue;
        }
        let group: Vec<&Occurrence> = all[i..].iter().filter(same).collect();
        let ini = cx.is_ini(o);
        let last = set.last_wins() && !ini;
        let Some(&used) = (if last { group.last() } else { group.first() }) else {
            continue;
        };
        let which = if last { "last" } else { "first" };
        let place: Text = match (cx.section(o), cx.layer(o).map(|l| l.form)) {
            (Some(s), _) => format!("in data source [{s}]").into(),
            (None, Some(Form::JdbcUrl)) => "in this JDBC URL".into(),
            (None, _) => "in this connection string".into(),
        };
        let help = if ini {
            "remove the other occurrences: unixODBC reads the first one"
        } else if last {
            "remove the other occurrences: Microsoft's driver manager would use the first one instead"
        } else {
            "remove the other occurrences: unixODBC's driver manager would use the last one instead"
        };
        let spellings: Vec<&str> = {
            let mut v: Vec<&str> = Vec::new();
            for p in &group {
                if !v.iter().any(|k| k.eq_ignore_ascii_case(p.key())) {
                    v.push(p.key());
                }
            }
            v
        };
        let same = if spellings.len() > 1 {
            format!(" (`{}` name the same option)", spellings.join("` and `"))
        } else {
            String::new()
        };
        for p in group.iter().filter(|p| !std::ptr::eq(**p, used)) {
            let d = Diag::new(
                lints::DUPLICATE_KEY,
                Severity::Warning,
                format!(
                    "{} is given {} times {place}{same}; the {which} one is used",
                    spec.name,
                    group.len()
                ),
                p.source(),
                p.entry.key,
                "ignored",
            )
            .secondary(used.source(), used.entry.key, "this one is used")
            .help(help)
            .key(spec.name)
            .section(cx.section(p));
            cx.push(d);
        }
    }
}
