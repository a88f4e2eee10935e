//! `connstr check --format github`: GitHub Actions workflow commands, one
//! per diagnostic, which GitHub shows as annotations on the pull request:
//!
//! ```text
//! ::error file=conn.txt,line=2,col=1,endLine=2,endColumn=9,title=connstr swallowed-separator::the value of ClientID swallows …
//! ```
//!
//! Errors are `::error`, warnings `::warning`, notes `::notice`. Values are
//! escaped as GitHub's runner reads them back: in the message `%`, `\r` and
//! `\n` become `%25`, `%0D`, `%0A`; in properties also `:` and `,` (`%3A`,
//! `%2C`). The help and the secondary labels follow the message on lines of
//! their own. Secret texts are scrubbed as in the other formats.

use std::fmt::Write as _;

use connstr::diagnostic::{Diagnostic, Label, Severity, Sources};

use super::render::{Masks, scrub};

/// Escape the message (data) of a workflow command.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// `name:line:column` of a label, for the message body.
fn place(sources: &Sources, l: &Label) -> String {
    match sources.get(l.source) {
        Some(src) => {
            let a = src.line_col(l.span.start());
            format!("{}:{}:{}", src.name, a.line, a.column)
        }
        None => String::new(),
    }
}

/// The workflow commands for `diags`, one line each.
pub fn github_report(sources: &Sources, masks: &Masks, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let secrets = masks.texts_for(sources, d);
        let mut props = Vec::with_capacity(6);
        if let Some(src) = sources.get(d.primary.source) {
            let a = src.line_col(d.primary.span.start());
            let b = src.line_col(d.primary.span.end());
            // Only files can be annotated; `-c` strings and standard input
            // still get a line and column.
            if src.path.is_some() {
                props.push(format!("file={}", escape_property(&src.name)));
            }
            props.push(format!("line={}", a.line));
            props.push(format!("col={}", a.column));
            props.push(format!("endLine={}", b.line));
            props.push(format!("endColumn={}", b.column));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("connstr {}", d.lint))
        ));
        let mut body = scrub(&d.message, &secrets);
        for l in &d.secondary {
            let _ = write!(
                body,
                "\n{}: {}",
                place(sources, l),
                scrub(&l.message, &secrets)
            );
        }
        if let Some(help) = &d.help {
            body.push_str("\nhelp: ");
            body.push_str(&scrub(help, &secrets));
        }
        let _ = writeln!(
            out,
            "::{} {}::{}",
            command(d.severity),
            props.join(","),
            escape_data(&body)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_as_github_reads_them() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
        // `%` first: an escape is never escaped twice.
        assert_eq!(escape_property("%3A"), "%253A");
    }
}
