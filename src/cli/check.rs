//! `connstr check`: every problem in odbc.ini files, connection strings and
//! JDBC URLs, rustc-style or as one JSON document.

use std::process::ExitCode;

use connstr::diagnostic::{Diagnostic, Severity};
use connstr::plan::{Checker, Report, Retain, lints};

use super::input::{self, Loaded, Origin};
use super::levels::Levels;
use super::render::{self, Masks, Stream, Summary};
use super::{EXIT_PROBLEMS, EXIT_USAGE, InputArgs};
use super::{github, sarif};

/// The long help of the subcommand.
pub const LONG_ABOUT: &str = "\
Check odbc.ini files, ODBC connection strings and DataDirect JDBC URLs the way
a careful reviewer would, and report every problem with its file, line, column
and a hint to fix it.

Inputs: FILE arguments (an odbc.ini when the name ends in .ini or the first
line that is neither blank nor a comment is a [section]; otherwise one
connection string or JDBC URL, line breaks between pairs allowed), `-` for
standard input, -c STRING, and --ini FILE. Every data source of an odbc.ini is
checked ([ODBC], [ODBC Data Sources] and [ODBC File DSN] are not data sources),
or only those named with --dsn. A file named odbcinst.ini, or one with an
[ODBC Drivers] section, is checked as an odbcinst.ini: its driver sections.
`DSN=` in a string is resolved against --ini, else $ODBCINI or ~/.odbc.ini,
then $ODBCSYSINI/odbc.ini or /etc/odbc.ini. With no input at all, those
default odbc.ini files are checked.

Secret values are never printed: source lines show <redacted> in their place.

Exit status: 0 no errors, 1 errors (or warnings under --deny warnings),
2 bad usage or an input that cannot be read.

Examples:
  connstr check ~/.odbc.ini
  connstr check --ini /etc/odbc.ini --dsn sales --dsn hr
  connstr check -c 'DSN=sales;ClientSecret={s3cr3t};Scope=read'
  connstr check -c 'jdbc:datadirect:autorest:AuthenticationMethod=OAuth2-RefreshToken;...'
  connstr check --format json --deny warnings conf/*.ini
  connstr check --format sarif conf/*.ini > connstr.sarif
  connstr check --format github conf/*.ini     # annotations in GitHub Actions
  connstr check --allow token-uri-get --last-wins conn.txt
  pbpaste | connstr check -";

fn lint_list() -> String {
    let mut s = String::from("Lints (for --deny/--allow; `warnings` names every warning):\n");
    for l in lints::LINTS {
        s.push_str(&format!(
            "  {:<22} {:<8} {}\n",
            l.name,
            render::severity_word(l.severity),
            l.description
        ));
    }
    s
}

/// `connstr check --format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// For people: rustc-style diagnostics, colored on a terminal.
    #[default]
    Human,
    /// One JSON document on standard output.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, SARIF viewers).
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
}

/// Arguments of `connstr check`.
#[derive(clap::Args, Debug)]
#[command(after_long_help = lint_list())]
pub struct CheckArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Make a lint (or `warnings`) an error (repeatable).
    #[arg(long, short = 'D', value_name = "LINT")]
    pub deny: Vec<String>,
    /// Silence a lint (or `warnings`) (repeatable).
    #[arg(long, short = 'A', value_name = "LINT")]
    pub allow: Vec<String>,
    /// Also check each odbc.ini against the drivers installed on this machine
    /// (odbcinst.ini): driver-not-found (dsn-list-mismatch needs no flag). Loads each driver
    /// library as the driver manager would (it runs the library's
    /// initialisers): use it on files whose drivers you trust. Needs a connstr
    /// built with the `odbc` feature.
    #[arg(long)]
    pub installed: bool,
}

/// The known lint names.
pub fn lint_names() -> Vec<&'static str> {
    lints::LINTS.iter().map(|l| l.name).collect()
}

/// A run of the checker over the CLI's inputs.
pub struct Checked {
    /// The inputs (and any odbc.ini read to resolve `DSN=`).
    pub loaded: Loaded,
    /// What the checker found.
    pub report: Report,
    /// Secret spans to mask, per source.
    pub masks: Masks,
}

/// Load the inputs and check them, keeping what `retain` says of each
/// target. `Err` is a message for exit code 2.
pub fn check_inputs(args: &InputArgs, retain: Retain) -> Result<Checked, String> {
    let mut loaded = input::load(args).map_err(|e| e.to_string())?;
    if loaded.inputs.is_empty() && args.dsns.is_empty() {
        let n = input::load_defaults(&mut loaded).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err(
                "nothing to check: give a FILE, `-` for standard input, -c STRING or \
                 --ini FILE (no default odbc.ini was found)"
                    .to_owned(),
            );
        }
    }
    let ini_flag: Vec<_> = loaded
        .inputs
        .iter()
        .filter(|i| i.origin == Origin::IniFlag)
        .map(|i| i.id)
        .collect();
    // `--ini FILE` replaces the machine's odbc.ini files for `DSN=`.
    let checker = if ini_flag.is_empty() {
        Checker::new()
    } else {
        Checker::without_odbc_ini()
            .ini_files(ini_flag)
            .machine_odbcinst()
    }
    .last_wins(args.last_wins)
    .dsns(args.dsns.iter().cloned())
    .model_dir(match &args.model_dir {
        Some(d) => connstr::plan::model::ModelDir::Dir(d.clone()),
        None => connstr::plan::model::ModelDir::WorkingDirectory,
    })
    .retain(retain);
    let checker = match &args.odbcinst {
        Some(f) => checker.odbcinst(f),
        None => checker,
    };
    // Each input as the CLI read it (`*.ini`, `*.jdbc`, first significant line).
    let forms: Vec<_> = loaded.inputs.iter().map(|i| (i.id, i.form)).collect();
    let report = checker.check_forms(&mut loaded.sources, &forms);
    if let Some(u) = report.unreadable.first() {
        return Err(format!("cannot read {}: {}", u.path.display(), u.reason));
    }
    // Mask what the checker found: every input and every odbc.ini it read,
    // each in the form it was checked in.
    let mut masks = Masks::default();
    for (id, spans) in &report.secrets {
        masks.add(*id, spans.iter().copied());
    }
    Ok(Checked {
        loaded,
        report,
        masks,
    })
}

/// The report's diagnostics with levels applied and exact repeats dropped (a
/// DSN section checked on its own and through a `DSN=` overlay reports its
/// own problems once).
pub fn leveled(diags: impl Iterator<Item = Diagnostic>, levels: &Levels) -> Vec<Diagnostic> {
    connstr::report::dedup(diags.filter_map(|d| levels.apply(d)))
}

/// `--installed`: every odbc.ini input checked against the installed drivers
/// (`apply::odbc::check_installed`). Nothing when not asked. `Err` is a
/// message for exit code 2 (an odbcinst.ini that exists but cannot be read).
#[cfg(feature = "odbc")]
fn installed_diagnostics(checked: &mut Checked, asked: bool) -> Result<Vec<Diagnostic>, String> {
    use connstr::apply::odbc::{DriverManagerFiles, check_installed};
    use connstr::syntax::Form;
    if !asked {
        return Ok(Vec::new());
    }
    let files = DriverManagerFiles::from_env();
    let ini_inputs: Vec<_> = checked
        .loaded
        .inputs
        .iter()
        .filter(|i| i.form == Form::Ini)
        .map(|i| i.id)
        .collect();
    let mut out = Vec::new();
    for id in ini_inputs {
        let found = check_installed(&mut checked.loaded.sources, id, &files)
            .map_err(|e| format!("cannot read {}: {e}", files.odbcinst_ini.display()))?;
        out.extend(found);
    }
    // odbcinst.ini may hold secrets too: mask what is in it.
    for (id, src) in checked.loaded.sources.iter() {
        if src.path.as_deref() == Some(files.odbcinst_ini.as_path())
            && !checked.report.secrets.contains_key(&id)
        {
            let doc = connstr::syntax::parse_ini(&src.text);
            checked.masks.add(id, connstr::options::secret_spans(&doc));
        }
    }
    Ok(out)
}

/// Without the `odbc` feature `--installed` is refused before anything runs.
#[cfg(not(feature = "odbc"))]
fn installed_diagnostics(_: &mut Checked, _: bool) -> Result<Vec<Diagnostic>, String> {
    Ok(Vec::new())
}

/// Write `text` to standard output; exit 2 when that fails.
pub fn print_or_fail(text: &str, code: u8) -> ExitCode {
    match render::emit(Stream::Stdout, text) {
        Ok(()) => ExitCode::from(code),
        Err(e) => {
            render::cli_error(&format!("cannot write output: {e}"));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Run `connstr check`.
pub fn run(args: CheckArgs) -> ExitCode {
    let levels = match Levels::new(&args.deny, &args.allow, &lint_names()) {
        Ok(l) => l,
        Err(e) => {
            render::cli_error(&e.to_string());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    #[cfg(not(feature = "odbc"))]
    if args.installed {
        render::cli_error(
            "`connstr check --installed` needs ODBC support, and this connstr was built \
             without it; install unixODBC (apt-get install unixodbc unixodbc-dev) and rebuild \
             with `cargo install connstr --features odbc`",
        );
        return ExitCode::from(EXIT_USAGE);
    }
    // Only the diagnostics are reported: plans are not kept.
    let mut checked = match check_inputs(&args.inputs, Retain::Diagnostics) {
        Ok(c) => c,
        Err(msg) => {
            render::cli_error(&msg);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let installed = match installed_diagnostics(&mut checked, args.installed) {
        Ok(d) => d,
        Err(msg) => {
            render::cli_error(&msg);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // The report's diagnostics moved out, not copied (the output needs the
    // targets only for their names and drivers).
    let report = &mut checked.report;
    let own = std::mem::take(&mut report.diagnostics);
    let of_targets = report
        .targets
        .iter_mut()
        .flat_map(|t| std::mem::take(&mut t.diagnostics));
    let diags = leveled(own.into_iter().chain(of_targets).chain(installed), &levels);
    let summary = Summary::of(&diags);
    let sources = &checked.loaded.sources;
    let text = match args.format {
        CheckFormat::Json => {
            render::json_report(sources, &checked.masks, &checked.report.targets, &diags)
        }
        CheckFormat::Sarif => sarif::sarif_report(sources, &checked.masks, &diags),
        CheckFormat::Github => github::github_report(sources, &checked.masks, &diags),
        CheckFormat::Human => {
            let color = render::wants_color(Stream::Stdout);
            let mut t = render::human(sources, &checked.masks, &diags, color);
            t.push_str(&render::human_summary(
                summary,
                checked.report.targets.len(),
                color,
            ));
            t
        }
    };
    let code = if diags.iter().any(|d| d.severity == Severity::Error) {
        EXIT_PROBLEMS
    } else {
        0
    };
    let exit = print_or_fail(&text, code);
    // The process ends here: freeing a large run's report, sources and
    // output piece by piece would only delay the exit (~5 ms for a 10 MB
    // odbc.ini); the system takes the memory back at once.
    std::mem::forget((checked, diags, text));
    exit
}

#[cfg(test)]
mod tests {
    use super::*;
    use connstr::diagnostic::{Label, Severity, SourceId};
    use connstr::syntax::Span;

    fn diag(message: &str, section: Option<&str>, at: usize) -> Diagnostic {
        Diagnostic {
            lint: "unknown-key",
            severity: Severity::Warning,
            message: message.to_owned().into(),
            help: None,
            primary: Label {
                source: SourceId(0),
                span: Span::new(at, at + 1),
                message: "".into(),
            },
            secondary: Vec::new(),
            section: section.map(Into::into),
            key: None,
            fix: None,
        }
    }

    #[test]
    fn leveled_drops_exact_repeats_only_and_keeps_the_order() {
        let input = vec![
            diag("a", Some("s"), 1),
            diag("b", Some("s"), 1),
            diag("a", Some("s"), 1),
            diag("a", Some("t"), 1),
            diag("a", Some("s"), 2),
            diag("a", None, 1),
            diag("b", Some("s"), 1),
        ];
        let out = leveled(input.clone().into_iter(), &Levels::default());
        let kept: Vec<_> = out
            .iter()
            .map(|d| {
                (
                    d.message.to_string(),
                    d.section.as_deref().map(str::to_owned),
                    d.primary.span,
                )
            })
            .collect();
        let want: Vec<_> = [0, 1, 3, 4, 5]
            .iter()
            .map(|&i| {
                let d: &Diagnostic = &input[i];
                (
                    d.message.to_string(),
                    d.section.as_deref().map(str::to_owned),
                    d.primary.span,
                )
            })
            .collect();
        assert_eq!(kept, want);
    }
}
