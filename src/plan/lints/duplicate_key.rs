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

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity, SourceId, Text};
use crate::options::{Occurrence, OptionSpec, has_line_break};
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::syntax::{Form, Span};

/// Every option of the set given more than once in one layer.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let set = cx.set;
    let all = set.all();
    if !cx.has_repeats() {
        return;
    }
    // The option each occurrence names, as the target's driver names it:
    // looked up once (the groups below compare every pair).
    let specs: Vec<Option<&'static OptionSpec>> = cx.specs().to_vec();
    for (i, o) in all.iter().enumerate() {
        let Some(spec) = specs[i] else { continue };
        let same = |j: &usize| {
            all[*j].layer == o.layer && specs[*j].is_some_and(|s| std::ptr::eq(s, spec))
        };
        // Report each group once, from its first member; most options
        // are given once: count before collecting.
        if (0..i).any(|j| same(&j)) || (i..all.len()).filter(same).nth(1).is_none() {
            continue;
        }
        let group: Vec<&Occurrence> = (i..all.len()).filter(same).map(|j| &all[j]).collect();
        // A DataDirect option under two of its names: `long-and-short-name`.
        if lints::long_and_short_name::covers(cx, spec, group.iter().map(|p| p.key())) {
            continue;
        }
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
            let mut d = Diag::new(
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
            // An occurrence that swallowed another option or a line break
            // holds more than a duplicate: removing it is not certain (a
            // value that merely holds `=`, like base64 padding, is fine).
            let swallowed = p
                .hidden
                .iter()
                .any(|h| !h.leading && (h.spec.is_some() || h.secret));
            if !swallowed && !has_line_break(p.value()) {
                d = d.fix(
                    Fix::new(
                        format!("remove this {} (the {which} one is used)", spec.name),
                        Applicability::Safe,
                    )
                    .edit(p.source(), p.entry.span, ""),
                );
            }
            cx.push(d);
        }
    }
}

/// Complete the fixes of `duplicate-key` (and `long-and-short-name`) once the texts are at hand: the
/// lint deletes the entry itself (`Key=value`); this widens the deletion to
/// what goes with it, so that nothing is left behind — the whole line in
/// odbc.ini (and a connection string's line holding only that pair), else
/// the `;` after the pair (or, for the last pair, the one before it).
/// `text_of` gives the text and form of a source; fixes in other sources are
/// left as they are.
pub(crate) fn complete_fixes<'t>(
    diags: &mut [Diagnostic],
    text_of: impl Fn(SourceId) -> Option<(&'t str, Form)>,
) {
    // long-and-short-name removes the short-name entry the same way.
    for d in diags
        .iter_mut()
        .filter(|d| d.lint == lints::DUPLICATE_KEY || d.lint == lints::LONG_AND_SHORT_NAME)
    {
        let Some(fix) = d.fix.as_mut() else { continue };
        let [edit] = fix.edits.as_mut_slice() else {
            continue;
        };
        if !edit.replacement.is_empty() {
            continue;
        }
        let Some((text, form)) = text_of(edit.source) else {
            continue;
        };
        if let Some(span) = deletion(text, form, edit.span) {
            edit.span = span;
        }
    }
}

/// What to delete with the entry at `entry` (see [`complete_fixes`]).
fn deletion(text: &str, form: Form, entry: Span) -> Option<Span> {
    let is_blank = |b: u8| b == b' ' || b == b'\t';
    let bytes = text.as_bytes();
    let (start, end) = (entry.start(), entry.end());
    let before = text.get(..start)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let starts_line = before.as_bytes()[line_start..].iter().all(|&b| is_blank(b));
    // After the entry: blanks, then (connection strings) one `;`, then blanks.
    let mut after = end;
    while bytes.get(after).is_some_and(|&b| is_blank(b)) {
        after += 1;
    }
    let semicolon = form != Form::Ini && bytes.get(after) == Some(&b';');
    let mut rest = after + usize::from(semicolon);
    while bytes.get(rest).is_some_and(|&b| is_blank(b)) {
        rest += 1;
    }
    let line_break = match (bytes.get(rest), bytes.get(rest + 1)) {
        (None, _) => Some(rest),
        (Some(b'\n'), _) => Some(rest + 1),
        (Some(b'\r'), Some(b'\n')) => Some(rest + 2),
        _ => None,
    };
    match line_break {
        // The line holds only this pair: remove the line.
        Some(line_end) if starts_line => Some(Span::new(line_start, line_end)),
        _ if form == Form::Ini => None,
        _ if semicolon => Some(Span::new(start, rest)),
        _ => {
            // The last pair, with no `;` after it: remove the `;` before it.
            let sep = before.trim_end_matches([' ', '\t']);
            sep.ends_with(';').then(|| Span::new(sep.len() - 1, after))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str, form: Form, key: &str) -> String {
        let start = text.find(key).unwrap();
        let end = start
            + text[start..]
                .find([';', '\r', '\n', ' '])
                .unwrap_or(text.len() - start);
        let span = deletion(text, form, Span::new(start, end)).unwrap_or(Span::new(start, end));
        format!("{}{}", &text[..span.start()], &text[span.end()..])
    }

    #[test]
    fn deletions_take_what_goes_with_the_pair() {
        let cs = Form::ConnectionString;
        assert_eq!(cut("A=1;B=2;UID=x;C=3", cs, "UID"), "A=1;B=2;C=3");
        assert_eq!(cut("A=1; UID=x; C=3", cs, "UID"), "A=1; C=3");
        assert_eq!(cut("A=1;UID=x", cs, "UID"), "A=1");
        assert_eq!(cut("A=1;\r\nUID=x;\r\nC=3", cs, "UID"), "A=1;\r\nC=3");
        assert_eq!(cut("A=1;\nUID=x\n", cs, "UID"), "A=1;\n");
        assert_eq!(cut("UID=x;A=1", cs, "UID"), "A=1");
        let ini = Form::Ini;
        assert_eq!(cut("[a]\nUID=x\r\nB=2\n", ini, "UID"), "[a]\nB=2\n");
        assert_eq!(cut("[a]\nB=2\n  UID=x  ", ini, "UID"), "[a]\nB=2\n");
    }
}
