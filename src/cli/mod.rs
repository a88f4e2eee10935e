//! Argument parsing and dispatch. Each subcommand lives in its own file and
//! renders what the library returns; nothing else here.
//!
//! Exit codes: 0 ok, 1 problems found, 2 usage or I/O error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod check;
mod explain;
mod fix;
mod github;
mod input;
mod levels;
mod logging;
mod login;
mod odbc;
mod options;
mod parse;
mod redact;
mod render;
mod request;
mod sarif;
mod token;
mod token_custom;

/// Exit code: problems were found (errors, or denied warnings).
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit code: bad usage or an I/O error.
pub const EXIT_USAGE: u8 = 2;

/// Parse, check, explain and run DataDirect-style ODBC/JDBC connector configuration.
#[derive(Parser, Debug)]
#[command(name = "connstr", version, about, long_about = None)]
pub struct Cli {
    /// Log to standard error: -v token requests, -vv decisions (cache, refresh, store,
    /// retries), -vvv details. Default: warnings; or CONNSTR_LOG / RUST_LOG (e.g.
    /// CONNSTR_LOG=connstr=debug). Logs never hold a secret.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the entries of a connection string, JDBC URL or odbc.ini file as JSON,
    /// with the 1-based line and column of every key and value.
    Parse(parse::ParseArgs),
    /// Check odbc.ini files, connection strings and JDBC URLs; report every problem.
    #[command(long_about = check::LONG_ABOUT)]
    Check(check::CheckArgs),
    /// Explain the resolved auth plan of each DSN or string, and where each value came from.
    #[command(long_about = explain::LONG_ABOUT)]
    Explain(explain::ExplainArgs),
    /// Fix in place what `check` finds and can be fixed with certainty.
    #[command(long_about = fix::LONG_ABOUT)]
    Fix(fix::FixArgs),
    /// Print the inputs byte for byte with every secret value masked.
    #[command(long_about = redact::LONG_ABOUT)]
    Redact(redact::RedactArgs),
    /// List every option connstr knows (names, aliases, defaults, secrets).
    #[command(long_about = options::LONG_ABOUT)]
    Options(options::OptionsArgs),
    /// List the ODBC drivers the driver manager knows, with their odbcinst.ini sections.
    Drivers(odbc::DriversArgs),
    /// List the ODBC data sources the driver manager knows, with their odbc.ini sections.
    Dsns(odbc::DsnsArgs),
    /// Connect through the ODBC driver manager, show the driver and run a query.
    Connect(odbc::ConnectArgs),
    /// Get an access token for one configuration through the token store, and describe it.
    Token(token::TokenArgs),
    /// Log in in a browser (authorization code + PKCE) and save the refresh token.
    Login(login::LoginArgs),
    /// Send one HTTP request to the API with the configuration's authentication applied.
    Request(request::RequestArgs),
}

/// The inputs shared by check, explain, redact, token and connect.
#[derive(Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// odbc.ini file to resolve `DSN=` against (default: $ODBCINI or ~/.odbc.ini,
    /// then $ODBCSYSINI/odbc.ini or /etc/odbc.ini).
    #[arg(long, value_name = "FILE")]
    pub ini: Option<PathBuf>,
    /// odbcinst.ini file to find `Driver=NAME` in, to tell each data source's
    /// driver (default: $ODBCSYSINI/$ODBCINSTINI or /etc/odbcinst.ini, then
    /// ~/.odbcinst.ini).
    #[arg(long, value_name = "FILE")]
    pub odbcinst: Option<PathBuf>,
    /// Only these DSN sections (repeatable).
    #[arg(long = "dsn", value_name = "NAME")]
    pub dsns: Vec<String>,
    /// A connection string or JDBC URL given on the command line (repeatable).
    #[arg(short = 'c', long = "connection-string", value_name = "STRING")]
    pub strings: Vec<String>,
    /// Repeated keys: the last occurrence wins (unixODBC's rule) instead of the first (Microsoft's).
    #[arg(long)]
    pub last_wins: bool,
    /// Resolve relative RESTConfigFile (Model file) paths against DIR instead of the working directory.
    #[arg(long, value_name = "DIR")]
    pub model_dir: Option<PathBuf>,
    /// Files holding an odbc.ini, a connection string or a JDBC URL; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Run the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    logging::init(cli.verbose);
    match cli.command {
        Command::Parse(args) => parse::run(args),
        Command::Check(args) => check::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Fix(args) => fix::run(args),
        Command::Redact(args) => redact::run(args),
        Command::Options(args) => options::run(args),
        Command::Drivers(args) => odbc::drivers(args),
        Command::Dsns(args) => odbc::dsns(args),
        Command::Connect(args) => odbc::connect(args),
        Command::Token(args) => token::run(args),
        Command::Login(args) => login::run(args),
        Command::Request(args) => request::run(args, cli.verbose),
    }
}
