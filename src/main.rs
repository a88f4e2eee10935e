//! The `connstr` command line: a thin face over the library.

mod cli;

/// Checking a large odbc.ini makes many small, short-lived allocations:
/// mimalloc does them ~1.7× faster than glibc (see `benches/check.rs`).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
