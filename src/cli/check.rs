//! `connstr check` (being written).

use std::process::ExitCode;

use super::InputArgs;

/// Arguments of `connstr check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
}

/// Run `connstr check`.
pub fn run(_args: CheckArgs) -> ExitCode {
    super::render::cli_error("not implemented yet");
    ExitCode::from(super::EXIT_USAGE)
}
