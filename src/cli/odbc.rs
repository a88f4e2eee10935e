//! `connstr drivers`, `connstr dsns` and `connstr connect`: the driver
//! manager's side. They need the `odbc` feature (unixODBC); without it they say
//! so and exit 2.

use std::process::ExitCode;

use super::InputArgs;

/// Output format of the ODBC subcommands.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Text for people.
    #[default]
    Human,
    /// One JSON document.
    Json,
}

/// Arguments of `connstr drivers`.
#[derive(clap::Args, Debug)]
pub struct DriversArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `connstr dsns`.
#[derive(clap::Args, Debug)]
pub struct DsnsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

const CONNECT_LONG_ABOUT: &str = "\
Connect through the ODBC driver manager (unixODBC) and show the driver's name
and version, the completed connection string the driver returns (secrets
masked), and the result of --query as a table.

The target is one connection string (-c, or a FILE holding one) or one
--dsn NAME. With --ini FILE, the driver manager reads that file as the user
odbc.ini ($ODBCINI) for this run.

For an OAuth 2.0 configuration connstr obtains the access token itself and
hands the driver `AuthenticationMethod=OAuth2-AccessToken;AccessToken=…`
(for drivers connstr knows how to hand a token to).

Examples:
  connstr connect --dsn sales --query 'SELECT 1'
  connstr connect -c 'Driver=SQLite3;Database=/tmp/t.db' --query 'SELECT * FROM t'";

/// Arguments of `connstr connect`.
#[derive(clap::Args, Debug)]
#[command(long_about = CONNECT_LONG_ABOUT)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// A statement to run once connected; its result set is printed.
    #[arg(long, value_name = "SQL")]
    pub query: Option<String>,
    /// Print at most this many rows.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_rows: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Run `connstr drivers`.
pub fn drivers(args: DriversArgs) -> ExitCode {
    #[cfg(feature = "odbc")]
    {
        enabled::drivers(args)
    }
    #[cfg(not(feature = "odbc"))]
    {
        let _ = args;
        without_odbc("drivers")
    }
}

/// Run `connstr dsns`.
pub fn dsns(args: DsnsArgs) -> ExitCode {
    #[cfg(feature = "odbc")]
    {
        enabled::dsns(args)
    }
    #[cfg(not(feature = "odbc"))]
    {
        let _ = args;
        without_odbc("dsns")
    }
}

/// Run `connstr connect`.
pub fn connect(args: ConnectArgs) -> ExitCode {
    #[cfg(feature = "odbc")]
    {
        enabled::connect(args)
    }
    #[cfg(not(feature = "odbc"))]
    {
        let _ = args;
        without_odbc("connect")
    }
}

#[cfg(not(feature = "odbc"))]
fn without_odbc(command: &str) -> ExitCode {
    super::render::cli_error(&format!(
        "`connstr {command}` needs ODBC support, and this connstr was built without it; \
         install unixODBC (apt-get install unixodbc unixodbc-dev) and rebuild with \
         `cargo install connstr --features odbc`"
    ));
    ExitCode::from(super::EXIT_USAGE)
}

#[cfg(feature = "odbc")]
mod enabled {
    use std::fmt::Write as _;
    use std::path::PathBuf;
    use std::process::ExitCode;

    use connstr::Secret;
    use connstr::apply::odbc::{
        self, ConnectOptions, ConnectReport, DriverManagerFiles, OdbcError, Table,
    };
    use connstr::diagnostic::{Diagnostic, Severity, SourceId, Sources};
    use connstr::grant::{SourceOptions, TokenSource};
    use connstr::plan::{Auth, Checker, Report};
    use connstr::syntax::Form;

    use super::super::input::{self, Origin};
    use super::super::render::{self, Masks, Stream, cli_error};
    use super::super::{EXIT_PROBLEMS, EXIT_USAGE};
    use super::{ConnectArgs, DriversArgs, DsnsArgs, Format};

    fn emit(text: &str) -> ExitCode {
        match render::emit(Stream::Stdout, text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                cli_error(&format!("cannot write the output: {e}"));
                ExitCode::from(EXIT_USAGE)
            }
        }
    }

    fn odbc_failure(e: &OdbcError) -> ExitCode {
        cli_error(&e.to_string());
        match e {
            OdbcError::Environment(_) | OdbcError::List(_) => ExitCode::from(EXIT_USAGE),
            OdbcError::Connect(_) | OdbcError::Query(_) => ExitCode::from(EXIT_PROBLEMS),
        }
    }

    fn place(origin: Option<&odbc::IniLocation>) -> String {
        origin.map_or_else(
            || "(not found in the expected file)".to_owned(),
            |o| format!("{}:{}", o.file.display(), o.line),
        )
    }

    pub fn drivers(args: DriversArgs) -> ExitCode {
        let files = DriverManagerFiles::from_env();
        let list = match odbc::list_drivers(&files) {
            Ok(l) => l,
            Err(e) => return odbc_failure(&e),
        };
        if args.format == Format::Json {
            let doc = serde_json::json!({ "odbcinst_ini": files.odbcinst_ini, "drivers": list });
            return emit(&render::to_json_line(&doc));
        }
        let mut out = String::new();
        if list.is_empty() {
            let _ = writeln!(
                out,
                "no drivers (odbcinst.ini: {})",
                files.odbcinst_ini.display()
            );
        }
        for d in &list {
            let _ = writeln!(out, "{}  {}", d.name, place(d.origin.as_ref()));
            for (k, v) in &d.attributes {
                let _ = writeln!(out, "    {k}={v}");
            }
        }
        emit(&out)
    }

    pub fn dsns(args: DsnsArgs) -> ExitCode {
        let files = DriverManagerFiles::from_env();
        let list = match odbc::list_data_sources(&files) {
            Ok(l) => l,
            Err(e) => return odbc_failure(&e),
        };
        if args.format == Format::Json {
            let doc = serde_json::json!({
                "user_ini": files.user_ini,
                "system_ini": files.system_ini,
                "dsns": list,
            });
            return emit(&render::to_json_line(&doc));
        }
        let mut out = String::new();
        if list.is_empty() {
            let _ = writeln!(out, "no data sources");
        }
        let width = list
            .iter()
            .map(|d| d.name.chars().count())
            .max()
            .unwrap_or(0);
        for d in &list {
            let scope = match d.scope {
                odbc::DsnScope::User => "user",
                odbc::DsnScope::System => "system",
            };
            let hidden = if d.hidden {
                "  (hidden by the user DSN)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{:width$}  {scope:6}  {}  {}{hidden}",
                d.name,
                d.driver,
                place(d.origin.as_ref()),
            );
        }
        emit(&out)
    }

    /// The one connection string `connect` is about, checked.
    struct Target {
        sources: Sources,
        string: String,
        report: Report,
        source: SourceId,
    }

    fn target(args: &ConnectArgs) -> Result<Target, String> {
        let mut loaded = input::load(&args.inputs).map_err(|e| e.to_string())?;
        let ini_flag: Vec<SourceId> = loaded
            .inputs
            .iter()
            .filter(|i| i.origin == Origin::IniFlag)
            .map(|i| i.id)
            .collect();
        let strings: Vec<&input::Input> = loaded
            .inputs
            .iter()
            .filter(|i| i.origin != Origin::IniFlag)
            .collect();
        if strings.iter().any(|i| i.form == Form::Ini) {
            return Err("connect takes a connection string; name an odbc.ini with --ini and the DSN with --dsn".into());
        }
        if strings.iter().any(|i| i.form == Form::JdbcUrl) {
            return Err("connect goes through the ODBC driver manager: give an ODBC connection string, not a JDBC URL".into());
        }
        let (source, string) =
            match (strings.as_slice(), args.inputs.dsns.as_slice()) {
                ([one], []) => {
                    let text = loaded.sources.get(one.id).map(|s| s.text.trim().to_owned());
                    (one.id, text.unwrap_or_default())
                }
                ([], [dsn]) => {
                    let text = format!("DSN={}", connstr::syntax::encode_value(dsn));
                    (loaded.sources.add("--dsn", None, text.clone()), text)
                }
                ([], []) => {
                    return Err(
                        "nothing to connect to: give -c STRING, a FILE holding one, or --dsn NAME"
                            .into(),
                    );
                }
                _ => return Err(
                    "connect takes exactly one target: one -c STRING, one FILE or one --dsn NAME"
                        .into(),
                ),
            };
        // `--ini FILE` replaces the machine's odbc.ini files for `DSN=`, as in `check`.
        let checker = if ini_flag.is_empty() {
            Checker::new()
        } else {
            Checker::without_odbc_ini()
                .ini_files(ini_flag)
                .machine_odbcinst()
        }
        .last_wins(args.inputs.last_wins);
        let checker = match &args.inputs.odbcinst {
            Some(f) => checker.odbcinst(f),
            None => checker,
        };
        let mut sources = loaded.sources;
        // Checked as what was decided above (a connection string), not
        // guessed again from the text.
        let report = checker.check_forms(&mut sources, &[(source, Form::ConnectionString)]);
        if let Some(u) = report.unreadable.first() {
            return Err(format!("cannot read {}: {}", u.path.display(), u.reason));
        }
        Ok(Target {
            sources,
            string,
            report,
            source,
        })
    }

    /// Why `connect` stops before connecting.
    enum Stop {
        /// Exit 2 with this message.
        Usage(String),
        /// The configuration has errors: exit 1 after showing them.
        Problems,
    }

    /// The connection string to hand the driver: the target's, with an access
    /// token put in when its plan is an OAuth 2.0 grant.
    fn final_string(t: &Target) -> Result<Secret, Stop> {
        let Some(checked) = t.report.targets.iter().find(|x| x.source == t.source) else {
            return Err(Stop::Usage(
                "the connection string could not be checked".into(),
            ));
        };
        let problems: Vec<Diagnostic> = t
            .report
            .diagnostics
            .iter()
            .chain(&checked.diagnostics)
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        let authenticates = checked
            .options
            .value("AuthenticationMethod")
            .is_some_and(|m| !matches!(m.trim().to_ascii_lowercase().as_str(), "" | "none" | "0"));
        if checked.plan.is_none() && problems.is_empty() && !authenticates {
            // Another driver's data source (no Autonomous REST plan) that
            // asks connstr for nothing: the driver gets the string as written.
            return Ok(Secret::new(t.string.clone()));
        }
        if !problems.is_empty() || checked.plan.is_none() {
            let mut masks = Masks::default();
            for (id, spans) in &t.report.secrets {
                masks.add(*id, spans.iter().copied());
            }
            let text = render::human(
                &t.sources,
                &masks,
                &problems,
                render::wants_color(Stream::Stderr),
            );
            let _ = render::emit(Stream::Stderr, &text);
            cli_error("not connecting: the configuration has errors (see `connstr check`)");
            return Err(Stop::Problems);
        }
        let Some(plan) = &checked.plan else {
            return Err(Stop::Problems);
        };
        if !matches!(plan.auth, Auth::OAuth2(_)) {
            // Nothing to obtain: the driver gets the string as written.
            return Ok(Secret::new(t.string.clone()));
        }
        let driver = checked
            .options
            .value("DRIVER")
            .unwrap_or_default()
            .trim()
            .to_owned();
        let library = driver_library(&driver);
        let handoff =
            odbc::handoff_for(&driver).or_else(|| library.as_deref().and_then(odbc::handoff_for));
        let Some(handoff) = handoff else {
            let families: Vec<String> = odbc::TOKEN_HANDOFFS
                .iter()
                .map(|h| {
                    format!(
                        "{} (driver names containing {})",
                        h.family,
                        h.driver_contains.join(", ")
                    )
                })
                .collect();
            return Err(Stop::Usage(format!(
                "AuthenticationMethod={}: connstr does not know how to hand an access token to driver `{driver}`; \
                 it knows {}",
                plan.method.name(),
                families.join("; ")
            )));
        };
        let token = obtain_token(plan).map_err(Stop::Usage)?;
        Ok(odbc::with_access_token(&t.string, handoff, &token))
    }

    /// The library an odbcinst.ini driver name stands for, if it is one.
    fn driver_library(driver: &str) -> Option<String> {
        let files = DriverManagerFiles::from_env();
        let text = std::fs::read_to_string(&files.odbcinst_ini).ok()?;
        let doc = connstr::syntax::parse_ini(&text);
        let section = odbc::find_section(&doc, driver)?;
        let lib = section.get("Driver64").or_else(|| section.get("Driver"))?;
        Some(lib.value_str(&text).into_owned())
    }

    /// An access token for an OAuth 2.0 plan, through the token store.
    fn obtain_token(plan: &connstr::plan::AuthPlan) -> Result<Secret, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        runtime.block_on(async {
            let source = TokenSource::new(plan, SourceOptions::default())
                .map_err(|e| format!("cannot get an access token: {e}"))?;
            let token = source
                .token()
                .await
                .map_err(|e| format!("cannot get an access token: {e}"))?;
            Ok(token.access_token.clone())
        })
    }

    pub fn connect(args: ConnectArgs) -> ExitCode {
        if let Some(ini) = &args.inputs.ini {
            let path: PathBuf = std::path::absolute(ini).unwrap_or_else(|_| ini.clone());
            // SAFETY: this runs first thing in `connect`, before any other
            // thread exists (no runtime, no driver manager yet), so nothing can
            // read the environment concurrently.
            unsafe { std::env::set_var("ODBCINI", &path) };
        }
        let t = match target(&args) {
            Ok(t) => t,
            Err(e) => {
                cli_error(&e);
                return ExitCode::from(EXIT_USAGE);
            }
        };
        let cs = match final_string(&t) {
            Ok(cs) => cs,
            Err(Stop::Usage(e)) => {
                cli_error(&e);
                return ExitCode::from(EXIT_USAGE);
            }
            Err(Stop::Problems) => return ExitCode::from(EXIT_PROBLEMS),
        };
        let opts = ConnectOptions {
            query: args.query.clone(),
            max_rows: args.max_rows,
            ..ConnectOptions::default()
        };
        let report = match odbc::connect(&cs, &opts) {
            Ok(r) => r,
            Err(e) => return odbc_failure(&e),
        };
        match args.format {
            Format::Json => emit(&render::to_json_line(&report)),
            Format::Human => emit(&human(&report, opts.query.is_some())),
        }
    }

    fn human(r: &ConnectReport, queried: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "driver:  {} {}", r.driver_name, r.driver_version);
        let _ = writeln!(out, "dbms:    {} {}", r.dbms_name, r.dbms_version);
        let _ = writeln!(out, "string:  {}", r.completed);
        match &r.table {
            Some(t) => {
                out.push('\n');
                out.push_str(&table(t));
            }
            None if queried => out.push_str("\nthe statement returned no result set\n"),
            None => {}
        }
        out
    }

    /// A result set as an aligned text table.
    pub(super) fn table(t: &Table) -> String {
        let cell = |v: &Option<String>| v.clone().unwrap_or_else(|| "NULL".to_owned());
        let mut widths: Vec<usize> = t.columns.iter().map(|c| c.chars().count()).collect();
        for row in &t.rows {
            for (i, v) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell(v).chars().count());
                }
            }
        }
        let line = |cells: Vec<String>| {
            let mut l = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:w$}"))
                .collect::<Vec<_>>()
                .join(" | ");
            l.truncate(l.trim_end().len());
            l.push('\n');
            l
        };
        let mut out = line(t.columns.clone());
        out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
        for row in &t.rows {
            out.push_str(&line(row.iter().map(cell).collect()));
        }
        let n = t.rows.len();
        let _ = write!(out, "({n} row{})", if n == 1 { "" } else { "s" });
        if t.rows_omitted > 0 {
            let _ = write!(out, ", {} more not shown", t.rows_omitted);
        }
        out.push('\n');
        out
    }
}

#[cfg(all(test, feature = "odbc"))]
mod tests {
    use connstr::apply::odbc::Table;

    #[test]
    fn tables_are_aligned_and_show_null() {
        let t = Table {
            columns: vec!["id".into(), "name".into()],
            rows: vec![
                vec![Some("1".into()), Some("alice".into())],
                vec![Some("22".into()), None],
            ],
            rows_omitted: 0,
        };
        assert_eq!(
            super::enabled::table(&t),
            "id | name\n-- | -----\n1  | alice\n22 | NULL\n(2 rows)\n"
        );
    }
}
