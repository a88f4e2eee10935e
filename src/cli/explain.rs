//! `connstr explain` (being written).

use std::process::ExitCode;

use super::InputArgs;

/// Arguments of `connstr explain`.
#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
}

/// Run `connstr explain`.
pub fn run(_args: ExplainArgs) -> ExitCode {
    super::render::cli_error("not implemented yet");
    ExitCode::from(super::EXIT_USAGE)
}
