//! `connstr redact`: the inputs byte for byte, every secret value masked.

use std::borrow::Cow;
use std::process::ExitCode;

use connstr::syntax::{Document, Span};

use super::InputArgs;
use super::input;
use super::render::{self, MASK};

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
    // Bytes, not text: an input that is not UTF-8 is written back as read
    // (a Latin-1 file stays Latin-1), its secrets masked.
    let mut out: Vec<u8> = Vec::new();
    for inp in &loaded.inputs {
        let doc = loaded.parse(inp);
        let mut masks = render::Masks::default();
        masks.add(inp.id, render::secret_spans(&doc));
        let source = loaded.sources.get(inp.id);
        if many {
            let name = source.map_or("", |s| s.name.as_str());
            out.extend_from_slice(format!("==> {name} <==\n").as_bytes());
        }
        match source.filter(|s| s.lossless().is_some()) {
            Some(s) => out.extend(connstr::syntax::replace_spans(
                s.original(),
                masks.get(inp.id),
                MASK.as_bytes(),
            )),
            None => out.extend_from_slice(redact(&doc, masks.get(inp.id)).as_bytes()),
        }
        if many && out.last() != Some(&b'\n') {
            out.push(b'\n');
        }
    }
    debug_assert!(!MASK.is_empty());
    match render::emit_bytes(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            render::cli_error(&format!("cannot write output: {e}"));
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}
