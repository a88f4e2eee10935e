//! `connstr parse`: one input in, one JSON document out.
//!
//! Two stages, as everywhere in the CLI: [`ParseArgs`] (raw flags, as clap gives
//! them) become [`Settings`] (where to read, which form, whether secrets may be
//! shown); then the input is read, parsed by the library and rendered here. The
//! library prints nothing; this file owns the JSON shape, documented in the
//! command's `--help` and in `fixtures/README.md`.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use serde::Serialize;

use connstr::REDACTED;
use connstr::options;
use connstr::syntax::{
    Document, Entry, Form, LineIndex, Lossless, Quote, Section, Span, SyntaxError, SyntaxErrorKind,
};

use super::input;
use super::{EXIT_PROBLEMS, EXIT_USAGE};

const AFTER_HELP: &str = "\
FORM DETECTION (unless --form is given):
  ini   the file name ends in .ini, or the first line that is neither blank nor a
        comment (# or ;) is a [section] header
  jdbc  the file name ends in .jdbc, or the text starts with `jdbc:` (after blanks,
        any case)
  conn  anything else: an ODBC connection string (Key=Value;Key={braced};...)

OUTPUT: one pretty-printed JSON object on standard output:
  form      \"connection-string\", \"jdbc-url\" or \"ini\"
  jdbc      for a JDBC URL: {subprotocol, driver, target (//host:port, a URL, or
            null), span}; otherwise null
  entries   every key=value pair in source order, duplicates kept:
            {key, value (decoded: braces, quotes and `}}` undone; JDBC braces
            have no `}}` escape), raw_value (as written), quote (\"bare\",
            \"braced\", \"single\", \"jdbc-braced\"), section (odbc.ini
            section name, or null), secret (true for ClientSecret, RefreshToken,
            AccessToken, SecurityToken, Password/PWD, OAuthCode, SecretKey and
            their aliases), key_span, value_span, raw_value_span}
  sections  odbc.ini section headers in source order: {name, span, name_span}
  errors    syntax problems: {kind, message, severity (\"error\" or
            \"warning\"), span}
  A span is {line, column, end_line, end_column, start, end}: lines and columns
  are 1-based and count characters; end_line/end_column is the position just
  past the last character; start/end are byte offsets (end exclusive).

SECRETS: secret values print as \"<redacted>\", and so does the rest of a line,
inside any other value, that follows the name of a secret option and `=` (a pair
swallowed by a missing `;`). --show-secrets prints them as written.

Only the syntax is checked here; `connstr check` says what the entries mean.

EXIT STATUS: 0 no syntax error (warnings allowed), 1 syntax errors found,
2 usage or I/O error (unreadable file). Bytes that are not UTF-8 (a
Latin-1 odbc.ini) are read as they are; strings show them escaped (`\\xE9`),
spans count them as one byte (and one column) each.

EXAMPLES:
  connstr parse odbc.ini
  echo 'DSN=sales;UID=me' | connstr parse
  connstr parse --form jdbc url.txt | jq '.entries[].key'";

/// Which surface form to parse, as spelled on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormArg {
    /// An ODBC connection string.
    Conn,
    /// A DataDirect JDBC URL.
    Jdbc,
    /// An odbc.ini or odbcinst.ini file.
    Ini,
}

impl From<FormArg> for Form {
    fn from(f: FormArg) -> Form {
        match f {
            FormArg::Conn => Form::ConnectionString,
            FormArg::Jdbc => Form::JdbcUrl,
            FormArg::Ini => Form::Ini,
        }
    }
}

/// Arguments of `connstr parse`.
#[derive(clap::Args, Debug)]
#[command(after_long_help = AFTER_HELP)]
pub struct ParseArgs {
    /// The file to parse; `-` or nothing reads standard input.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Parse as this form instead of guessing it from the file name and text.
    #[arg(long, value_enum, value_name = "FORM")]
    pub form: Option<FormArg>,
    /// Print secret values (ClientSecret, RefreshToken, Password, ...) as written
    /// instead of "<redacted>".
    #[arg(long)]
    pub show_secrets: bool,
}

/// Where to read from.
#[derive(Debug)]
enum Input {
    Stdin,
    File(PathBuf),
}

/// Validated settings of one `connstr parse` run.
#[derive(Debug)]
struct Settings {
    input: Input,
    form: Option<Form>,
    show_secrets: bool,
}

impl Settings {
    fn from_args(args: ParseArgs) -> Result<Settings, String> {
        let input = match args.file {
            Some(p) if p.as_os_str() != "-" => Input::File(p),
            _ if io::stdin().is_terminal() => {
                return Err("no input: give a FILE, or pipe text into standard input \
                            (`connstr parse --help` says more)"
                    .to_string());
            }
            _ => Input::Stdin,
        };
        Ok(Settings {
            input,
            form: args.form.map(Form::from),
            show_secrets: args.show_secrets,
        })
    }
}

/// Run `connstr parse`; returns the process exit code.
pub fn run(args: ParseArgs) -> ExitCode {
    let settings = match Settings::from_args(args) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("connstr parse: {msg}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let path = match &settings.input {
        Input::File(p) => Some(p.as_path()),
        Input::Stdin => None,
    };
    let text = match input::read_text(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("connstr parse: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let form = settings
        .form
        .unwrap_or_else(|| input::detect_form(path, text.text()));
    let doc = input::parse(text.text(), form);
    let report = Report::new(&doc, settings.show_secrets);
    let code = if report.has_errors() {
        EXIT_PROBLEMS
    } else {
        0
    };
    match write_json(&report, &text) {
        Ok(()) => ExitCode::from(code),
        // The reader went away (`| head`): nothing left to tell anyone.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(code),
        Err(e) => {
            eprintln!("connstr parse: writing standard output: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Write `report` as pretty JSON; bytes of the input that are not UTF-8
/// show escaped (`\xE9`) in every string.
fn write_json(report: &Report<'_>, text: &Lossless) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    if text.is_utf8() {
        serde_json::to_writer_pretty(&mut out, report).map_err(io::Error::from)?;
    } else {
        let mut value = serde_json::to_value(report).map_err(io::Error::from)?;
        escape_strings(&mut value, text);
        serde_json::to_writer_pretty(&mut out, &value).map_err(io::Error::from)?;
    }
    out.write_all(b"\n")?;
    out.flush()
}

/// Every string in `value` with the placeholders of `text` escaped.
fn escape_strings(value: &mut serde_json::Value, text: &Lossless) {
    match value {
        serde_json::Value::String(s) => {
            if let Cow::Owned(e) = text.escape(s) {
                *s = e;
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|v| escape_strings(v, text)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|v| escape_strings(v, text)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// The JSON document.

#[derive(Serialize)]
struct Report<'a> {
    form: Form,
    jdbc: Option<JdbcOut<'a>>,
    entries: Vec<EntryOut<'a>>,
    sections: Vec<SectionOut<'a>>,
    errors: Vec<ErrorOut>,
}

#[derive(Serialize)]
struct JdbcOut<'a> {
    subprotocol: &'a str,
    driver: &'a str,
    /// Masked like a value: `//user:<redacted>@host`.
    target: Option<Cow<'a, str>>,
    span: Pos,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    key: &'a str,
    value: Cow<'a, str>,
    raw_value: Cow<'a, str>,
    quote: Quote,
    section: Option<&'a str>,
    secret: bool,
    key_span: Pos,
    value_span: Pos,
    raw_value_span: Pos,
}

#[derive(Serialize)]
struct SectionOut<'a> {
    name: &'a str,
    span: Pos,
    name_span: Pos,
}

#[derive(Serialize)]
struct ErrorOut {
    kind: SyntaxErrorKind,
    message: &'static str,
    severity: &'static str,
    span: Pos,
}

/// A span as printed: 1-based line/column (characters) of both ends, and bytes.
#[derive(Serialize)]
struct Pos {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start: usize,
    end: usize,
}

struct Locator<'a> {
    source: &'a str,
    index: LineIndex,
}

impl Locator<'_> {
    fn pos(&self, span: Span) -> Pos {
        let a = self.index.line_col(self.source, span.start());
        let b = self.index.line_col(self.source, span.end());
        Pos {
            line: a.line,
            column: a.column,
            end_line: b.line,
            end_column: b.column,
            start: span.start(),
            end: span.end(),
        }
    }
}

impl<'a> Report<'a> {
    fn new(doc: &Document<'a>, show_secrets: bool) -> Report<'a> {
        let source = doc.source();
        let at = Locator {
            source,
            index: LineIndex::new(source),
        };
        let sections: Vec<_> = doc.sections().collect();
        let secrets = if show_secrets {
            Vec::new()
        } else {
            options::secret_spans(doc)
        };
        let jdbc = doc.jdbc_prefix().map(|p| JdbcOut {
            subprotocol: p.subprotocol.slice(source),
            driver: p.driver.slice(source),
            target: p.target.map(|t| masked(source, t, &secrets)),
            span: at.pos(p.span),
        });
        let entries = doc
            .entries()
            .map(|e| entry_out(e, source, &sections, &at, &secrets))
            .collect();
        let sections_out = sections
            .iter()
            .map(|s| SectionOut {
                name: s.name.slice(source),
                span: at.pos(s.span),
                name_span: at.pos(s.name),
            })
            .collect();
        let errors = doc.errors().iter().map(|e| error_out(e, &at)).collect();
        Report {
            form: doc.form(),
            jdbc,
            entries,
            sections: sections_out,
            errors,
        }
    }

    fn has_errors(&self) -> bool {
        self.errors.iter().any(|e| !e.kind.is_warning())
    }
}

/// `secrets` are the spans to mask (empty under `--show-secrets`).
fn entry_out<'a>(
    e: &Entry,
    source: &'a str,
    sections: &[&Section],
    at: &Locator<'_>,
    secrets: &[Span],
) -> EntryOut<'a> {
    let key = e.key_str(source);
    let mut value = masked(source, e.value, secrets);
    if e.quote == Quote::Braced && value.contains("}}") {
        value = Cow::Owned(value.replace("}}", "}"));
    }
    EntryOut {
        key,
        value,
        raw_value: masked(source, e.raw_value, secrets),
        quote: e.quote,
        section: e
            .section()
            .and_then(|i| sections.get(i))
            .map(|s| s.name.slice(source)),
        secret: options::is_secret_key(key),
        key_span: at.pos(e.key),
        value_span: at.pos(e.value),
        raw_value_span: at.pos(e.raw_value),
    }
}

fn error_out(e: &SyntaxError, at: &Locator<'_>) -> ErrorOut {
    ErrorOut {
        kind: e.kind,
        message: e.kind.message(),
        severity: if e.kind.is_warning() {
            "warning"
        } else {
            "error"
        },
        span: at.pos(e.span),
    }
}

// ---------------------------------------------------------------------------
// Secrets.

/// The text under `span` with every secret span inside it replaced by
/// `<redacted>`: the whole value of a secret option, or the secret part of a
/// pair a missing `;` left inside another value. The spans come from
/// [`options::secret_spans`], the same ones `check` and `redact` mask.
fn masked<'a>(source: &'a str, span: Span, secrets: &[Span]) -> Cow<'a, str> {
    let text = span.slice(source);
    let mut inside = secrets
        .iter()
        .filter(|s| !s.is_empty() && s.start() < span.end() && s.end() > span.start())
        .peekable();
    if inside.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = span.start();
    for s in inside {
        let start = s.start().max(at);
        out.push_str(Span::new(at, start).slice(source));
        out.push_str(REDACTED);
        at = s.end().min(span.end()).max(start);
    }
    out.push_str(Span::new(at, span.end()).slice(source));
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use connstr::syntax::parse_connection_string;

    /// The decoded values `parse` prints for the connection string `src`.
    fn masked_values(src: &str) -> Vec<String> {
        let doc = parse_connection_string(src);
        let secrets = options::secret_spans(&doc);
        doc.entries()
            .map(|e| masked(src, e.value, &secrets).into_owned())
            .collect()
    }

    #[test]
    fn masks_secret_values_and_swallowed_secret_pairs() {
        assert_eq!(
            masked_values("ClientID=abc.com\nClientsecret=FaZBFRsGXTaR;PWD={p;w}"),
            ["abc.com\nClientsecret=<redacted>", "<redacted>"]
        );
        assert_eq!(
            masked_values("ClientSecert=s3cr3t;RTK=r"),
            ["<redacted>", "<redacted>"]
        );
    }

    #[test]
    fn leaves_other_values_alone() {
        assert_eq!(
            masked_values("TokenURI=https://example.com/token?a=b&c=d;DSN=x;UID=y;PWD="),
            ["https://example.com/token?a=b&c=d", "x", "y", ""]
        );
    }

    #[test]
    fn detection() {
        let p = |s: &str| Some(std::path::Path::new(s).to_owned());
        let d = |path: Option<PathBuf>, t: &str| input::detect_form(path.as_deref(), t);
        assert_eq!(d(p("x.INI"), "DSN=x"), Form::Ini);
        assert_eq!(d(p("x.jdbc"), "User=me"), Form::JdbcUrl);
        assert_eq!(d(None, " \n jdbc:datadirect:autorest:"), Form::JdbcUrl);
        assert_eq!(d(None, "# c\n; c\n\n  [Sales]\nUser=x"), Form::Ini);
        assert_eq!(d(None, "DSN=x\n[Sales]"), Form::ConnectionString);
        assert_eq!(d(p("x.txt"), "DSN=x;UID=y"), Form::ConnectionString);
        assert_eq!(d(None, ""), Form::ConnectionString);
    }
}
