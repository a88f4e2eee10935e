//! `connstr parse` (being written).

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `connstr parse`.
#[derive(clap::Args, Debug)]
pub struct ParseArgs {
    /// The file to parse; `-` or nothing reads standard input.
    pub file: Option<PathBuf>,
}

pub fn run(_args: ParseArgs) -> ExitCode {
    ExitCode::from(super::EXIT_USAGE)
}
