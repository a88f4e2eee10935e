//! `unknown-dsn`: a data source that no odbc.ini searched defines.

declare_lint! {
    /// ### What it does
    /// Reports `DSN=x` in a connection string, and `--dsn x`, when no
    /// odbc.ini searched (as unixODBC searches them: the user file, then the
    /// system file) has a `[x]` section. It names the files searched and the
    /// closest data source name.
    ///
    /// ### Why it matters
    /// The driver manager fails with `IM002` ("Data source name not found"),
    /// or, for unixODBC, may fall back to a `[Default]` data source that is
    /// not the one meant.
    ///
    /// ### Example
    /// ```text
    /// DSN=Sale;ClientSecret=…            # odbc.ini defines [Sales]
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// DSN=Sales;ClientSecret=…
    /// ```
    name: "unknown-dsn",
    severity: Error,
    description: "a DSN that no odbc.ini searched defines",
}

use crate::diagnostic::{Diagnostic, Severity, SourceId};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::syntax::Span;

/// `--dsn name` (written in source `arg`) found in none of the files
/// `searched`.
pub(crate) fn not_in_files(name: &str, arg: SourceId, searched: &[&str]) -> Diagnostic {
    Diag::new(
        lints::UNKNOWN_DSN,
        Severity::Error,
        format!("no data source named `{name}`"),
        arg,
        Span::new(0, name.len()),
        "not defined in any odbc.ini searched",
    )
    .help(if searched.is_empty() {
        "no odbc.ini was found: name the file that defines it".to_owned()
    } else {
        format!("searched {}", searched.join(", "))
    })
    .key("DSN")
    .build()
}

/// `--dsn want` is not a data source of odbc.ini `file` (named `file_name`),
/// whose data sources are `dsns`.
pub(crate) fn not_in_file(
    want: &str,
    file: SourceId,
    file_name: &str,
    dsns: &[&str],
) -> Diagnostic {
    let suggestion = crate::options::best_match(want, dsns.iter().map(|n| (*n, *n)));
    Diag::new(
        lints::UNKNOWN_DSN,
        Severity::Error,
        format!("no data source named `{want}` in {file_name}"),
        file,
        Span::empty(0),
        "",
    )
    .help(match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("its data sources are: {}", dsns.join(", ")),
    })
    .key("DSN")
    .build()
}
