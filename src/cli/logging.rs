//! Log output for the command line: the library's `tracing` events, as text
//! lines on standard error (standard output carries the report or the JSON).
//!
//! How much:
//! - `-v` info (one line per token request), `-vv` debug (decisions: cache,
//!   refresh, store, retries), `-vvv` trace (details);
//! - else `CONNSTR_LOG`, else `RUST_LOG`: an `EnvFilter` directive such as
//!   `connstr=trace` or `connstr::grant=debug,warn`;
//! - else warnings only.
//!
//! A bare level (`-vvv`, `RUST_LOG=trace`) raises connstr's own events only;
//! other crates (hyper, h2, rustls, …) stay at `warn` unless a directive names
//! them. Their events are not written with secrets in mind (h2 traces
//! request paths, which may carry a client secret in the query), whereas
//! connstr's never hold a secret: endpoints are shown without query, request
//! parameters by name only, server text scrubbed.

use tracing::level_filters::LevelFilter;
use tracing_subscriber::EnvFilter;

/// The environment variable holding a log filter directive.
pub const LOG_ENV: &str = "CONNSTR_LOG";

/// What the run logs when nothing is asked for.
const DEFAULT: &str = "warn";

/// Install the subscriber: `verbose` is the number of `-v` flags. A bad
/// directive in the environment is reported on standard error and the
/// default is used.
pub fn init(verbose: u8) {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (spec, from) = filter_spec(verbose, env(LOG_ENV), env("RUST_LOG"));
    let filter = match EnvFilter::builder().parse(&spec) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("connstr: ignoring {from}: {e} (logging warnings only)");
            EnvFilter::new(DEFAULT)
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    tracing::debug!(
        version = env!("CARGO_PKG_VERSION"),
        filter = %spec,
        from,
        "logging to standard error"
    );
}

/// The filter directive for a run, and where it came from (for messages).
fn filter_spec(
    verbose: u8,
    connstr_log: Option<String>,
    rust_log: Option<String>,
) -> (String, &'static str) {
    let level = match verbose {
        0 => None,
        1 => Some("info"),
        2 => Some("debug"),
        _ => Some("trace"),
    };
    if let Some(level) = level {
        return (widen_bare_levels(level), "-v");
    }
    if let Some(spec) = connstr_log {
        return (widen_bare_levels(&spec), LOG_ENV);
    }
    if let Some(spec) = rust_log {
        return (widen_bare_levels(&spec), "RUST_LOG");
    }
    (DEFAULT.to_owned(), "the default")
}

/// Rewrite each bare level in a directive list (`trace`) as connstr's own
/// (`connstr=trace`), leaving other crates at the quieter of that level and
/// `warn`. Directives naming a target are kept as written.
fn widen_bare_levels(spec: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for directive in spec.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        match directive.parse::<LevelFilter>() {
            Ok(level) if !directive.contains('=') => {
                let others = level.min(LevelFilter::WARN);
                out.push(others.to_string().to_ascii_lowercase());
                out.push(format!(
                    "connstr={}",
                    level.to_string().to_ascii_lowercase()
                ));
            }
            _ => out.push(directive.to_owned()),
        }
    }
    if out.is_empty() {
        return DEFAULT.to_owned();
    }
    out.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_flags() {
        assert_eq!(filter_spec(0, None, None).0, "warn");
        assert_eq!(filter_spec(1, None, None).0, "warn,connstr=info");
        assert_eq!(filter_spec(2, None, None).0, "warn,connstr=debug");
        assert_eq!(filter_spec(3, None, None).0, "warn,connstr=trace");
        assert_eq!(filter_spec(9, None, None).0, "warn,connstr=trace");
    }

    #[test]
    fn flag_then_connstr_log_then_rust_log() {
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            filter_spec(1, some("connstr=trace"), some("debug")),
            ("warn,connstr=info".to_owned(), "-v")
        );
        assert_eq!(
            filter_spec(0, some("connstr::grant=trace"), some("debug")),
            ("connstr::grant=trace".to_owned(), LOG_ENV)
        );
        assert_eq!(
            filter_spec(0, None, some("debug")),
            ("warn,connstr=debug".to_owned(), "RUST_LOG")
        );
    }

    #[test]
    fn bare_levels_are_connstrs_own() {
        assert_eq!(widen_bare_levels("TRACE"), "warn,connstr=trace");
        assert_eq!(widen_bare_levels("error"), "error,connstr=error");
        assert_eq!(widen_bare_levels("off"), "off,connstr=off");
        assert_eq!(
            widen_bare_levels("h2=trace, info"),
            "h2=trace,warn,connstr=info"
        );
        assert_eq!(widen_bare_levels(" , "), "warn");
        for spec in ["trace", "connstr=debug,hyper=info", "error"] {
            assert!(EnvFilter::builder().parse(widen_bare_levels(spec)).is_ok());
        }
    }
}
