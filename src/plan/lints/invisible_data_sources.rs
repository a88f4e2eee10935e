//! `invisible-data-sources`: unixODBC reads no data source at all from an
//! odbc.ini whose first significant line is not a `[section]` in column 1.

declare_lint! {
    /// ### What it does
    /// Reports an odbc.ini whose first line, blank lines and comments
    /// aside, does not start with `[` in column 1: an indented header, an
    /// entry, any other text, or a UTF-8 byte order mark (what some Windows
    /// editors write at the start of a file). A connection string whose
    /// `DSN=` is found only in such a file gets the same error.
    ///
    /// ### Why it matters
    /// unixODBC skips blank lines and comments until the first line whose
    /// first byte is `[`; any other line first makes the whole file
    /// unreadable. Then not one of its sections is a data source, not even
    /// the well-formed ones further down: `odbcinst -q -s` lists none, and
    /// every connection to them fails with `IM002` ("Data source name not
    /// found"). A byte order mark counts: unixODBC reads it as three
    /// ordinary bytes, so even `<BOM>[sales]` or `<BOM># comment` is such a
    /// line. Measured with unixODBC 2.3.11 (`odbcinst -q -s -n`, `isql` with
    /// the SQLite ODBC driver), as the user and as the system odbc.ini:
    ///
    /// | first significant line | data sources unixODBC finds |
    /// |---|---|
    /// | `[sales]` (after `#`/`;` comments and blank lines, indented comments too) | all |
    /// | `  [sales]`, `\t[sales]` (indented header) | none |
    /// | `Driver=SQLite3`, `noequals`, `=v` (an entry, any text) | none |
    /// | `<BOM>[sales]`, `<BOM># comment`, `<BOM>` then a blank line | none |
    /// | a comment of 1000 bytes or more (read 999 bytes at a time: the rest is a line of its own) | none |
    ///
    /// Another file is not affected: a user odbc.ini that unixODBC cannot
    /// read hides no system data source, and the other way round. connstr
    /// resolves `DSN=` the same way: a data source of that name in a file
    /// unixODBC reads wins over one in such a file (`isql` and
    /// `SQLDriverConnect` connect to the system one, measured).
    ///
    /// ### Example
    /// ```text
    /// Driver=SQLite3
    /// [sales]
    /// Driver=SQLite3
    /// Database=/srv/sales.db
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [sales]
    /// Driver=SQLite3
    /// Database=/srv/sales.db
    /// ```
    ///
    /// ### References
    /// unixODBC `ini/iniOpen.c` and `ini/_iniScanUntilObject.c`: the scan
    /// returns `INI_ERROR` on the first line that is not blank, not a
    /// comment and does not start with `[`; OPTIONS.md §6.
    name: "invisible-data-sources",
    severity: Error,
    description: "the first significant line of an odbc.ini is not a `[section]` in column 1: unixODBC reads no data source from the file",
}

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity, SourceId};
use crate::options::{BadStart, IndexedIni, StartProblem, first_line_problem};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::syntax::Span;

/// What the line is, in words, and the label under it.
fn what(bad: &BadStart) -> (&'static str, &'static str) {
    match bad.problem {
        StartProblem::ByteOrderMark => (
            "the file starts with a UTF-8 byte order mark, which unixODBC reads as text",
            "starts with a byte order mark",
        ),
        StartProblem::IndentedHeader => (
            "its first section header is indented",
            "`[` is not in column 1",
        ),
        StartProblem::LongLine => (
            "a comment is longer than unixODBC's 999-byte line buffer, and the rest is read as a line of its own",
            "read as a line of its own",
        ),
        StartProblem::NotAHeader => (
            "its first line (blank lines and comments aside) is not a `[section]` header",
            "not a `[section]` header",
        ),
    }
}

/// The fix when it is certain: remove the byte order mark, or the blanks
/// before the first header.
fn fix(bad: &BadStart, source: SourceId, src: &str) -> Option<Fix> {
    match bad.problem {
        StartProblem::ByteOrderMark => {
            let at = bad.span.start();
            Some(
                Fix::new("remove the byte order mark", Applicability::Safe).edit(
                    source,
                    Span::new(at, at + '\u{feff}'.len_utf8()),
                    "",
                ),
            )
        }
        StartProblem::IndentedHeader => {
            let line = bad.span.slice(src);
            let blanks = line.len() - line.trim_start().len();
            Some(
                Fix::new(
                    "remove the blanks before the section header",
                    Applicability::Safe,
                )
                .edit(
                    source,
                    Span::new(bad.span.start(), bad.span.start() + blanks),
                    "",
                ),
            )
        }
        StartProblem::LongLine | StartProblem::NotAHeader => None,
    }
}

/// Up to `n` names, then how many more.
fn some_names(names: &[&str], n: usize) -> String {
    let shown: Vec<String> = names.iter().take(n).map(|s| format!("[{s}]")).collect();
    match names.len().saturating_sub(n) {
        0 => shown.join(", "),
        more => format!("{}, and {more} more", shown.join(", ")),
    }
}

/// The error for odbc.ini `ini`, when unixODBC reads no data source from
/// it: one diagnostic for the file, naming its data sources.
pub(crate) fn check_file(ini: &IndexedIni<'_>) -> Option<Diagnostic> {
    let src = ini.file.doc.source();
    let bad = first_line_problem(src)?;
    let dsns: Vec<&str> = ini.index.dsns().map(|(_, n)| n).collect();
    let (why, label) = what(&bad);
    let message = match dsns.len() {
        0 => format!("unixODBC cannot read {}: {why}", ini.file.name),
        1 => format!(
            "unixODBC reads no data source from {}: {why}, so [{}] is invisible",
            ini.file.name, dsns[0]
        ),
        n => format!(
            "unixODBC reads no data source from {}: {why}, so all {n} data sources are invisible",
            ini.file.name
        ),
    };
    let mut help = String::from(
        "unixODBC skips blank lines and comments up to the first line starting with `[`; any other line first makes it ignore the whole file",
    );
    if !dsns.is_empty() {
        help.push_str(&format!(
            " ({}): `odbcinst -q -s` lists none of them and connecting fails with IM002",
            some_names(&dsns, 5)
        ));
    }
    help.push_str(match bad.problem {
        StartProblem::ByteOrderMark => ". Save the file without a byte order mark",
        StartProblem::IndentedHeader => ". Remove the blanks before the header",
        StartProblem::LongLine => ". Shorten the comment, or split it over several lines",
        StartProblem::NotAHeader => {
            ". Move the line into a section, or start the file with its first `[section]`"
        }
    });
    let mut d = Diag::new(
        lints::INVISIBLE_DATA_SOURCES,
        Severity::Error,
        message,
        ini.file.source,
        bad.span,
        label,
    )
    .help(help);
    if let Some(f) = fix(&bad, ini.file.source, src) {
        d = d.fix(f);
    }
    Some(d.build())
}

/// The error for a connection string whose `DSN=` was read from data
/// source `section` of `ini`, when unixODBC reads no data source from that
/// file.
pub(crate) fn check_dsn(ini: &IndexedIni<'_>, section: usize) -> Option<Diagnostic> {
    let bad = first_line_problem(ini.file.doc.source())?;
    let name = ini.index.name(section).unwrap_or_default();
    let (why, label) = what(&bad);
    Some(
        Diag::new(
            lints::INVISIBLE_DATA_SOURCES,
            Severity::Error,
            format!(
                "data source [{name}] is in {}, from which unixODBC reads no data source: {why}",
                ini.file.name
            ),
            ini.file.source,
            bad.span,
            label,
        )
        .help(
            "unixODBC skips blank lines and comments up to the first line starting with `[`; any other line first makes it ignore the whole file, so connecting fails with IM002 (run `connstr check` on the file)",
        )
        .key("DSN")
        .section_named(Some(name))
        .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Sources;
    use crate::plan::Checker;
    use crate::syntax::Form;

    #[test]
    fn a_dsn_read_from_an_invisible_file_is_an_error_of_the_connection_string() {
        for (ini, invisible) in [
            ("Driver=x\n[api]\nAuthenticationMethod=None\n", true),
            ("\u{feff}[api]\nAuthenticationMethod=None\n", true),
            ("# ok\n[api]\nAuthenticationMethod=None\n", false),
        ] {
            let mut sources = Sources::default();
            let file = sources.add("odbc.ini", None, ini.to_owned());
            let cs = sources.add("<-c 1>", None, "DSN=api".to_owned());
            let report = Checker::without_odbc_ini()
                .ini_files([file])
                .check_forms(&mut sources, &[(cs, Form::ConnectionString)]);
            let t = report.target("<-c 1>").unwrap();
            let found: Vec<_> = t
                .diagnostics
                .iter()
                .filter(|d| d.lint == lints::INVISIBLE_DATA_SOURCES)
                .collect();
            assert_eq!(found.len(), usize::from(invisible), "{ini:?}");
            assert_eq!(t.plan.is_none(), invisible, "{ini:?}");
            if let Some(d) = found.first() {
                assert!(d.message.contains("[api]"), "{}", d.message);
                assert_eq!(d.primary.source, file);
            }
        }
    }

    #[test]
    fn names_are_cut_after_n() {
        assert_eq!(some_names(&["a"], 5), "[a]");
        assert_eq!(some_names(&["a", "b", "c"], 2), "[a], [b], and 1 more");
    }
}
