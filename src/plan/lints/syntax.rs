//! `syntax`: the text cannot be read as written.

declare_lint! {
    /// ### What it does
    /// Reports what the parsers could not read: an unterminated brace or
    /// quote, a pair without `=`, an empty key, text after a closing brace,
    /// entries before the first odbc.ini `[section]`, a broken section
    /// header, a NUL byte, a JDBC URL with the wrong prefix. An odbc.ini line
    /// longer than unixODBC reads is a warning.
    ///
    /// ### Why it matters
    /// The driver manager and the driver read such text differently from
    /// what was meant: values run on, keys are lost, whole sections are
    /// ignored.
    ///
    /// ### Example
    /// ```text
    /// ClientSecret={abc;Scope=read
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// ClientSecret={abc};Scope=read
    /// ```
    name: "syntax",
    severity: Error,
    description: "the text cannot be read as written (an over-long odbc.ini line is a warning)",
}

use crate::diagnostic::{Diagnostic, Severity, SourceId};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::syntax::SyntaxError;

/// The diagnostic for one syntax error: lint `syntax`, an error except for an
/// over-long odbc.ini line (a warning).
pub fn syntax_diagnostic(
    error: &SyntaxError,
    source: SourceId,
    section: Option<&str>,
) -> Diagnostic {
    use crate::syntax::SyntaxErrorKind as K;
    let severity = if error.kind.is_warning() {
        Severity::Warning
    } else {
        Severity::Error
    };
    let help = match error.kind {
        K::UnterminatedBrace => "close the value with `}`; write `}}` for a `}` inside braces",
        K::UnterminatedQuote => "close the value with `'`",
        K::MissingEquals => "write `Key=Value`; separate pairs with `;`",
        K::EmptyKey => "put the option name before the `=`",
        K::TextAfterClosingBrace => {
            "end the pair with `;` right after the closing brace or quote (a `;` may be missing)"
        }
        K::TextBeforeSection => {
            "unixODBC ignores entries before the first `[section]`: move it into a data source section"
        }
        K::UnterminatedSection => "close the section name with `]`",
        K::TextAfterSection => "nothing may follow the `]` of a section header",
        K::LineTooLong => "unixODBC reads only the first 1000 characters of a line: shorten it",
        K::BadJdbcPrefix => "start the URL with `jdbc:datadirect:autorest:`",
        K::NulByte => "remove the NUL byte",
    };
    Diag::new(
        lints::SYNTAX,
        severity,
        error.kind.message(),
        source,
        error.span,
        "",
    )
    .help(help)
    .section_named(section)
    .build()
}
