//! Argument parsing and rendering. Everything else is the library's.

use std::process::ExitCode;

pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
