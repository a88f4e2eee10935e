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
    /// ignored. unixODBC 2.3.11 reads an odbc.ini line without `=`
    /// (`Driver: FreeTDS`, `noequals`) as one key, the whole trimmed line,
    /// with an empty value: the option meant is not set (`Driver:` fails
    /// with IM002); `Password : x=y` is the key `Password : x` with the
    /// value `y` (measured with `odbcinst -q -s -n`,
    /// `fixtures/odbc/differential/colon-lines`).
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

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity, SourceId};
use crate::options::lookup;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::syntax::{Span, SyntaxError, SyntaxErrorKind};

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
        K::UnterminatedBrace => {
            "close the value with `}`; in a connection string write `}}` for a `}` inside braces"
        }
        K::UnterminatedQuote => "close the value with `'`",
        K::MissingEquals => "write `Key=Value`; separate pairs with `;`",
        K::EmptyKey => "put the option name before the `=`",
        K::TextAfterClosingBrace => {
            "end the pair with `;` right after the closing brace or quote (a `;` may be missing)"
        }
        K::TextBeforeSection => {
            "unixODBC reads no data source at all from a file with text before its first `[section]` (invisible-data-sources): move it into a data source section"
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

/// [`syntax_diagnostic`] for an error of odbc.ini `text`, with its fix when
/// there is a certain one: a line `Key: value` whose key is a known option
/// (the `:` becomes `=`).
pub(crate) fn ini_syntax_diagnostic(
    error: &SyntaxError,
    source: SourceId,
    section: Option<&str>,
    text: &str,
) -> Diagnostic {
    let mut d = syntax_diagnostic(error, source, section);
    if error.kind == SyntaxErrorKind::MissingEquals
        && let Some((key, colon)) = colon_pair(text, error.span)
    {
        // Measured with unixODBC 2.3.11 (`odbcinst -q -s -n`,
        // fixtures/odbc/differential/colon-lines): the whole trimmed line is
        // one key with an empty value.
        d.help = Some(
            format!(
                "write `{key}=…`: odbc.ini separates a key and its value with `=`; unixODBC reads this whole line as one key with an empty value, so {key} is not set{}",
                if key == "DRIVER" { " and connecting fails with IM002" } else { "" }
            )
            .into(),
        );
        d.fix = Some(Box::new(
            Fix::new(
                format!("write `=` instead of `:` after {key}"),
                Applicability::Safe,
            )
            .edit(source, colon, "="),
        ));
    }
    d
}

/// In the line at `span` of `text`: `Key: value` (blanks allowed around the
/// `:`, a non-empty value) where Key is a known option; its canonical name
/// and the `:`.
fn colon_pair(text: &str, span: Span) -> Option<(&'static str, Span)> {
    let line = text.get(span.start()..span.end())?;
    let key_len = line
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))?;
    let spec = lookup(line.get(..key_len)?)?;
    let rest = line.get(key_len..)?;
    let colon = key_len + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    let value = line.get(colon..)?.strip_prefix(':')?;
    if value.trim().is_empty() || value.contains('\n') {
        return None;
    }
    let at = span.start() + colon;
    Some((spec.name, Span::new(at, at + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colon_pair_is_a_known_key_a_colon_and_a_value() {
        let text = "x\nTokenURI : POST https://h/t\n";
        let span = Span::new(2, text.len() - 1);
        assert_eq!(
            colon_pair(text, span),
            Some(("TokenURI", Span::new(11, 12)))
        );
        for line in ["Frob: 1", "ClientID:", "ClientID", ": x", "Client ID: x"] {
            assert_eq!(colon_pair(line, Span::new(0, line.len())), None, "{line}");
        }
    }
}
