//! `indented-line`: an odbc.ini line of a data source starts with blanks.

declare_lint! {
    /// ### What it does
    /// Reports a line of a data source section (its header or a key) that
    /// starts with blanks.
    ///
    /// ### Why it matters
    /// unixODBC 2.3 reads a user odbc.ini (`$ODBCINI`, `~/.odbc.ini`) with
    /// indented lines, but skips them in the system odbc.ini
    /// (`$ODBCSYSINI/odbc.ini`, `/etc/odbc.ini`): there the key is lost, and
    /// an indented `[header]` is no header at all, so its keys join the
    /// data source above. The same file works for one user and not on the
    /// server.
    ///
    /// ### Example
    /// ```text
    /// [sales]
    ///     Driver=SQLite3
    ///     Database=/srv/sales.db
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [sales]
    /// Driver=SQLite3
    /// Database=/srv/sales.db
    /// ```
    name: "indented-line",
    severity: Warning,
    description: "an odbc.ini line starts with blanks: unixODBC skips it in the system odbc.ini (a user odbc.ini keeps it)",
}

use crate::diagnostic::{Diagnostic, Severity};
use crate::options::{IndexedIni, first_line_problem};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::syntax::Span;

/// `indented-line`: the lines of data source `section` that start with
/// blanks. unixODBC 2.3 reads a user odbc.ini (`$ODBCINI`, `~/.odbc.ini`)
/// with them, but skips them in the system odbc.ini (`$ODBCSYSINI/odbc.ini`,
/// `/etc/odbc.ini`): there the key is lost, and an indented `[header]` is no
/// header at all, so its keys join the data source above
/// (`fixtures/odbc/differential/indented` shows both against `odbcinst`).
pub(crate) fn check(ini: &IndexedIni<'_>, section: usize) -> Vec<Diagnostic> {
    const WHY: &str = "unixODBC reads a user odbc.ini ($ODBCINI, ~/.odbc.ini) with indented lines \
        but skips them in the system odbc.ini ($ODBCSYSINI/odbc.ini, /etc/odbc.ini)";
    let src = ini.file.doc.source();
    let source = ini.file.source;
    let name = ini.index.name(section);
    let mut out = Vec::new();
    // A file unixODBC reads nothing from (its first header indented, say):
    // `invisible-data-sources` says more, user file or not. Looked at only
    // once an indented line is found.
    let mut invisible: Option<bool> = None;
    let mut visible = || *invisible.get_or_insert_with(|| first_line_problem(src).is_none());
    if let Some(header) = ini.index.header(section)
        && let Some(blanks) = indentation(src, header.span.start())
    {
        if !visible() {
            return out;
        }
        out.push(
            Diag::new(
                lints::INDENTED_LINE,
                Severity::Warning,
                format!(
                    "indented section header [{}]: a system odbc.ini does not see this data source",
                    name.unwrap_or_default()
                ),
                source,
                Span::new(blanks.start(), header.span.end()),
                "starts with blanks",
            )
            .help(format!(
                "{WHY}; there its keys join the section above. Remove the leading blanks"
            ))
            .section_named(name)
            .build(),
        );
    }
    for entry in ini.index.entries(&ini.file.doc, section) {
        let Some(blanks) = indentation(src, entry.key.start()) else {
            continue;
        };
        if !visible() {
            return out;
        }
        let key = entry.key_str(src);
        out.push(
            Diag::new(
                lints::INDENTED_LINE,
                Severity::Warning,
                format!("indented line: `{key}` is lost when this file is the system odbc.ini"),
                source,
                Span::new(blanks.start(), entry.key.end()),
                "starts with blanks",
            )
            .help(format!("{WHY}. Remove the leading blanks"))
            .key(key.to_owned())
            .section_named(name)
            .build(),
        );
    }
    out
}

/// The blanks (spaces, tabs) between the start of the line holding byte `at`
/// and `at`, when there are any and nothing else.
fn indentation(src: &str, at: usize) -> Option<Span> {
    let before = src.get(..at)?;
    // Most keys start their line: nothing to search.
    if !matches!(before.as_bytes().last(), Some(b' ' | b'\t')) {
        return None;
    }
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let lead = before.get(line_start..)?;
    (!lead.is_empty() && lead.bytes().all(|b| b == b' ' || b == b'\t'))
        .then(|| Span::new(line_start, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indentation_is_blanks_from_the_line_start() {
        let src = "  [a]\r\nK=1\r\n\t K2=2\nx K3=3\n";
        let at = |needle: &str| src.find(needle).unwrap();
        assert_eq!(indentation(src, at("[a]")), Some(Span::new(0, 2)));
        assert_eq!(indentation(src, at("K=1")), None);
        let k2 = at("K2");
        assert_eq!(indentation(src, k2), Some(Span::new(k2 - 2, k2)));
        assert_eq!(indentation(src, at("K3")), None);
        assert_eq!(indentation(src, 0), None);
        assert_eq!(indentation(src, src.len() + 1), None);
    }
}
