//! `connstr redact`: the inputs byte for byte, every secret value masked.

use std::borrow::Cow;
use std::process::ExitCode;

use connstr::syntax::{Document, Span};

use super::InputArgs;
use super::input;
use super::render::{self, MASK, Stream};

/// The long help of the subcommand.
pub const LONG_ABOUT: &str = "\
Print each input exactly as written, byte for byte, with every secret value
(ClientSecret, RefreshToken, AccessToken, SecurityToken, Password, OAuthCode,
SecretKey, and secrets hidden inside another value by a missing `;`) replaced
by <redacted>. The result is safe to paste into a bug report.

Inputs are printed in order (--ini, files, then -c strings). With several
inputs, each is preceded by a `==> name <==` line.

Examples:
  connstr redact ~/.odbc.ini
  connstr redact -c 'DSN=sales;ClientSecret={s3cr3t}'
  pbpaste | connstr redact -";

/// Arguments of `connstr redact`.
#[derive(clap::Args, Debug)]
pub struct RedactArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
}

/// `doc` printed back with the text under `spans` (sorted, disjoint) masked.
pub fn redact(doc: &Document<'_>, spans: &[Span]) -> String {
    let src = doc.source();
    let inside_entries = spans.iter().all(|s| {
        doc.entries()
            .any(|e| e.raw_value.start() <= s.start() && s.end() <= e.raw_value.end())
    });
    if !inside_entries {
        // A secret outside any value (should not happen): mask the text itself.
        return render::mask_text(src, 0, spans);
    }
    doc.print_with(|e| {
        let hit = spans
            .iter()
            .any(|s| s.start() < e.raw_value.end() && e.raw_value.start() < s.end());
        hit.then(|| {
            Cow::Owned(render::mask_text(
                e.raw_value.slice(src),
                e.raw_value.start(),
                spans,
            ))
        })
    })
}

/// Run `connstr redact`.
pub fn run(args: RedactArgs) -> ExitCode {
    let loaded = match input::load(&args.inputs) {
        Ok(l) => l,
        Err(e) => {
            render::cli_error(&e.to_string());
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    if loaded.inputs.is_empty() {
        render::cli_error(
            "nothing to redact: give a FILE, `-` for standard input, -c STRING or --ini FILE",
        );
        return ExitCode::from(super::EXIT_USAGE);
    }
    let many = loaded.inputs.len() > 1;
    let mut out = String::new();
    for inp in &loaded.inputs {
        let doc = loaded.parse(inp);
        let mut masks = render::Masks::default();
        masks.add(inp.id, render::secret_spans(&doc));
        if many {
            let name = loaded.sources.get(inp.id).map_or("", |s| s.name.as_str());
            out.push_str(&format!("==> {name} <==\n"));
        }
        out.push_str(&redact(&doc, masks.get(inp.id)));
        if many && !out.ends_with('\n') {
            out.push('\n');
        }
    }
    debug_assert!(!MASK.is_empty());
    match render::emit(Stream::Stdout, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            render::cli_error(&format!("cannot write output: {e}"));
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}
