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
    use connstr::options::{IniFile, IniScope, OptionSet, file_mode};
    use connstr::syntax::Form;

    use super::super::input::{self, Origin};
    use super::super::render::{self, Stream, cli_error};
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

    /// The one connection string `connect` is about, with its source id.
    struct Target {
        loaded: input::Loaded,
        string: String,
        source: connstr::diagnostic::SourceId,
    }

    fn target(args: &ConnectArgs) -> Result<Target, String> {
        let mut loaded = input::load(&args.inputs).map_err(|e| e.to_string())?;
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
        let string =
            match (strings.as_slice(), args.inputs.dsns.as_slice()) {
                ([one], []) => loaded
                    .sources
                    .get(one.id)
                    .map(|s| s.text.trim().to_owned())
                    .unwrap_or_default(),
                ([], [dsn]) => format!("DSN={}", connstr::syntax::encode_value(dsn)),
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
        let source = loaded.sources.add("<connect>", None, string.clone());
        if args.inputs.ini.is_none() {
            input::load_defaults(&mut loaded).map_err(|e| e.to_string())?;
        }
        Ok(Target {
            loaded,
            string,
            source,
        })
    }

    /// The options of the target, its DSN resolved as check resolves it.
    fn options(t: &Target, last_wins: bool) -> OptionSet {
        let files: Vec<IniFile<'_>> = t
            .loaded
            .inputs
            .iter()
            .filter(|i| i.form == Form::Ini)
            .filter_map(|i| {
                let s = t.loaded.sources.get(i.id)?;
                Some(IniFile {
                    doc: t.loaded.parse(i),
                    source: i.id,
                    scope: if i.origin == Origin::IniFlag {
                        IniScope::Explicit
                    } else if s.path.as_deref()
                        == DriverManagerFiles::from_env().user_ini.as_deref()
                    {
                        IniScope::User
                    } else {
                        IniScope::System
                    },
                    name: s.name.clone(),
                    mode: s.path.as_deref().and_then(file_mode),
                })
            })
            .collect();
        let doc = connstr::syntax::parse_connection_string(&t.string);
        OptionSet::resolve(&doc, t.source, &files, last_wins).0
    }

    /// The connection string to hand the driver: the target's, with an access
    /// token put in when the configuration is an OAuth 2.0 grant.
    fn final_string(t: &Target, set: &OptionSet) -> Result<Secret, String> {
        let method = set.value("AuthenticationMethod").unwrap_or("None").trim();
        let lower = method.to_ascii_lowercase();
        if !lower.starts_with("oauth2") || lower == "oauth2-accesstoken" {
            // Nothing to obtain: the driver gets the string as written (a given
            // access token is the driver's to use).
            return Ok(Secret::new(t.string.clone()));
        }
        let driver = set.value("DRIVER").unwrap_or_default();
        let family = odbc::handoff_for(driver)
            .map_or_else(|| format!("driver `{driver}`"), |h| h.family.to_owned());
        Err(format!(
            "AuthenticationMethod={method}: connstr connect cannot run the OAuth 2.0 grant for {family} yet \
             (the plan and token-store layers are not wired into connect); obtain a token with \
             `connstr token` and connect with AuthenticationMethod=OAuth2-AccessToken;AccessToken=…"
        ))
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
        let set = options(&t, args.inputs.last_wins);
        let cs = match final_string(&t, &set) {
            Ok(cs) => cs,
            Err(e) => {
                cli_error(&e);
                return ExitCode::from(EXIT_USAGE);
            }
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
            Format::Human => emit(&human(&report)),
        }
    }

    fn human(r: &ConnectReport) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "driver:  {} {}", r.driver_name, r.driver_version);
        let _ = writeln!(out, "dbms:    {} {}", r.dbms_name, r.dbms_version);
        let _ = writeln!(out, "string:  {}", r.completed);
        if let Some(t) = &r.table {
            out.push('\n');
            out.push_str(&table(t));
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
