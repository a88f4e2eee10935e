//! `swallowed-separator`: a value runs over a line break or swallows the next
//! `Key=`.

declare_lint! {
    /// ### What it does
    /// Reports a value that holds what looks like the next pair — a known
    /// `Key=` or a secret's — or that runs over a line break: a `;` is
    /// missing. It names every option swallowed.
    ///
    /// ### Why it matters
    /// A line break does not separate pairs in a connection string, so a
    /// missing `;` makes the next option part of the previous value: the
    /// option is not set, and a secret may be sent as part of another value
    /// (DataDirect's own Refresh Token Grant example makes this mistake).
    ///
    /// ### Example
    /// ```text
    /// ClientID=1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com
    /// Clientsecret=…;RestConfigFile=C:/path/to/googleanalytics.rest;
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// ClientID=1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com;
    /// Clientsecret=…;RestConfigFile=C:/path/to/googleanalytics.rest;
    /// ```
    name: "swallowed-separator",
    severity: Error,
    description: "a value runs over a line break or swallows the next `Key=`: a `;` is missing",
}

use crate::diagnostic::{Applicability, Fix, Severity};
use crate::options::{Occurrence, has_line_break};
use crate::plan::cx::{Cx, join_and};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::syntax::{Form, Quote, Span};

/// Every value of the set that swallowed a pair or a line break.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let set = cx.set;
    for o in set.all() {
        if o.entry.quote.is_braced() {
            continue;
        }
        // The usual value: nothing swallowed, on one line.
        if o.hidden.is_empty() && !has_line_break(o.value()) {
            continue;
        }
        let src_layer = cx.layer(o);
        let ini = src_layer.is_some_and(|l| l.form == Form::Ini);
        let known: Vec<_> = o
            .hidden
            .iter()
            .filter(|h| h.spec.is_some() || h.secret)
            .collect();
        let breaks = {
            let v = o.value().trim();
            has_line_break(v)
        };
        if known.is_empty() && !breaks {
            continue;
        }
        let name = o.name().to_owned();
        let (message, help) = if let Some(first) = known.first().filter(|h| h.leading) {
            let first_name = first.spec.map_or("a secret", |s| s.name);
            (
                format!(
                    "the value of {name} is itself a `{first_name}=` pair: {name}'s own value seems to be missing"
                ),
                format!("write `{name}=<value>` and `{first_name}=…` as two pairs"),
            )
        } else if let Some(first) = known.first() {
            let names: Vec<&str> = known
                .iter()
                .map(|h| h.spec.map_or("a secret", |s| s.name))
                .collect();
            let first_name = first.spec.map_or("a secret", |s| s.name);
            let msg = format!(
                "the value of {name} swallows {}: a `;` is missing before {first_name}",
                join_and(&names)
            );
            let help = if ini {
                format!(
                    "odbc.ini has one `Key=Value` per line: put {first_name} on a line of its own"
                )
            } else {
                format!("end the value of {name} with `;` (a line break does not separate pairs)")
            };
            (msg, help)
        } else {
            (
                format!("the value of {name} runs over a line break"),
                format!(
                    "a line break does not end a value: end {name}'s value with `;` at the end of the line"
                ),
            )
        };
        let mut d = Diag::new(
            lints::SWALLOWED_SEPARATOR,
            Severity::Error,
            message,
            o.source(),
            o.entry.key,
            "this value goes on too far",
        )
        .help(help)
        .key(name.clone())
        .section(cx.section(o));
        for h in &known {
            let hn = h.spec.map_or("a separate option", |s| s.name);
            d = d.secondary(
                o.source(),
                h.key,
                format!("read as part of {name}'s value, not as {hn}"),
            );
        }
        if !ini && let Some(fix) = separator_fix(o, &name) {
            d = d.fix(fix);
        }
        cx.push(d);
    }
}

/// The `;` that ends `o`'s value where it is certain: the first pair the
/// value swallowed is a known option starting a line of its own, and the
/// value before it is one line of text. The `;` goes right after that text
/// (after its closing quote, before any blanks and the line break).
/// Connection strings and JDBC URLs only: in odbc.ini a line break ends the
/// value already.
fn separator_fix(o: &Occurrence, name: &str) -> Option<Fix> {
    let first = o.hidden.iter().find(|h| !h.leading)?;
    let spec = first.spec?;
    let value = o.value();
    if value.len() != o.entry.value.len() || o.hidden.iter().any(|h| h.leading) {
        return None;
    }
    let cut = first.key.start().checked_sub(o.entry.value.start())?;
    let before = value.get(..cut)?;
    // `<text><blanks><line break><blanks>` and nothing else before the key.
    let line_end = before.trim_end_matches([' ', '\t']);
    let line_end = line_end
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .or_else(|| line_end.strip_suffix('\r'))?;
    let text = line_end.trim_end_matches([' ', '\t']);
    if text.trim().is_empty() || has_line_break(text) {
        return None;
    }
    // A quoted value: the `;` must come after its closing quote.
    if o.entry.quote == Quote::Single && !text.ends_with('\'') {
        return None;
    }
    let at = o.entry.value.start() + text.len();
    Some(
        Fix::new(
            format!("insert `;` after the value of {name}, before {}", spec.name),
            Applicability::Safe,
        )
        .edit(o.source(), Span::empty(at), ";"),
    )
}
