//! `connstr check --format sarif`: SARIF 2.1.0, for GitHub code scanning and
//! other SARIF viewers.
//!
//! One run; the tool's driver lists every lint of the registry as a rule (id,
//! short and full description, help, default level), whether or not it fired,
//! so a viewer can show the rule of any result. Each result points at its
//! primary label (1-based lines, character columns, end exclusive as SARIF
//! wants), has a related location per secondary label, and a `fixes` entry
//! when connstr knows a fix. Secret texts are scrubbed from every message as
//! in the JSON output, and no source snippet is included.

use serde_json::{Value, json};

use connstr::diagnostic::{Diagnostic, Fix, Label, Severity, Sources};
use connstr::plan::lints::{self as lint, LintInfo};

use super::render::{Masks, scrub};

/// The SARIF schema the output declares.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where connstr is documented.
const INFORMATION_URI: &str = "https://crates.io/crates/connstr";

/// SARIF `level` of a severity.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// One rule (`reportingDescriptor`) from the lint registry: the one-line
/// description, the full one (what it does and why it matters), and its
/// help (*Use instead*) in text, with the whole documentation as Markdown.
fn rule(l: &LintInfo) -> Value {
    let full = l.full_description();
    let full = if full.is_empty() {
        l.description.to_owned()
    } else {
        full
    };
    let mut help = l.help();
    if help.is_empty() {
        help = l.description.to_owned();
    }
    let levels = format!(
        "Silence it with `--allow {0}`; make it an error with `--deny {0}`.",
        l.name
    );
    json!({
        "id": l.name,
        "name": rule_name(l.name),
        "shortDescription": { "text": l.description },
        "fullDescription": { "text": full },
        "help": {
            "text": format!("{help}\n\n{levels}"),
            "markdown": format!("{}\n\n{levels}", l.doc_text()),
        },
        "defaultConfiguration": { "level": level(l.severity) },
    })
}

/// `swallowed-separator` → `SwallowedSeparator` (SARIF's recommended rule
/// name form: an identifier, not a sentence).
fn rule_name(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// A relative URI reference for a source name: unreserved characters and
/// `/` kept, every other byte percent-encoded (RFC 3986), so a path with
/// blanks or `<-c 1>` is still a valid `uri-reference`. An absolute path
/// becomes a `file://` URI.
pub fn uri_of(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    if name.starts_with('/') {
        out.push_str("file://");
    }
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SARIF `region` and artifact URI of a label.
fn physical(sources: &Sources, l: &Label) -> Option<Value> {
    let src = sources.get(l.source)?;
    let a = src.line_col(l.span.start());
    let b = src.line_col(l.span.end());
    Some(json!({
        "artifactLocation": { "uri": uri_of(&src.name) },
        "region": {
            "startLine": a.line,
            "startColumn": a.column,
            "endLine": b.line,
            "endColumn": b.column,
        },
    }))
}

/// A SARIF `fix`: one `artifactChange` per source the fix edits.
fn fix(sources: &Sources, f: &Fix, secrets: &[&str]) -> Value {
    let mut changes: Vec<Value> = Vec::new();
    let mut ids: Vec<_> = f.edits.iter().map(|e| e.source).collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let Some(src) = sources.get(id) else {
            continue;
        };
        let replacements: Vec<Value> = f
            .edits
            .iter()
            .filter(|e| e.source == id)
            .map(|e| {
                let a = src.line_col(e.span.start());
                let b = src.line_col(e.span.end());
                json!({
                    "deletedRegion": {
                        "startLine": a.line,
                        "startColumn": a.column,
                        "endLine": b.line,
                        "endColumn": b.column,
                    },
                    "insertedContent": { "text": scrub(&e.replacement, secrets) },
                })
            })
            .collect();
        changes.push(json!({
            "artifactLocation": { "uri": uri_of(&src.name) },
            "replacements": replacements,
        }));
    }
    json!({
        "description": { "text": scrub(&f.title, secrets) },
        "artifactChanges": changes,
    })
}

/// One SARIF `result`.
fn result(sources: &Sources, masks: &Masks, d: &Diagnostic, rule_index: Option<usize>) -> Value {
    let secrets = masks.texts_for(sources, d);
    let mut text = scrub(&d.message, &secrets);
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(&scrub(help, &secrets));
    }
    let mut r = json!({
        "ruleId": d.lint,
        "level": level(d.severity),
        "message": { "text": text },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    if let Some(loc) = physical(sources, &d.primary) {
        let mut loc = json!({ "physicalLocation": loc });
        if !d.primary.message.is_empty() {
            loc["message"] = json!({ "text": scrub(&d.primary.message, &secrets) });
        }
        r["locations"] = json!([loc]);
    }
    let related: Vec<Value> = d
        .secondary
        .iter()
        .filter_map(|l| physical(sources, l).map(|p| (l, p)))
        .enumerate()
        .map(|(i, (l, p))| {
            json!({
                "id": i,
                "physicalLocation": p,
                "message": { "text": scrub(&l.message, &secrets) },
            })
        })
        .collect();
    if !related.is_empty() {
        r["relatedLocations"] = json!(related);
    }
    if let Some(f) = &d.fix {
        r["fixes"] = json!([fix(sources, f, &secrets)]);
    }
    let mut props = serde_json::Map::new();
    if let Some(s) = &d.section {
        props.insert("section".into(), json!(s.as_ref()));
    }
    if let Some(k) = &d.key {
        props.insert("key".into(), json!(scrub(k, &secrets)));
    }
    if !props.is_empty() {
        r["properties"] = Value::Object(props);
    }
    r
}

/// The SARIF log of a `check` run, as text with a final newline.
pub fn sarif_report(sources: &Sources, masks: &Masks, diags: &[Diagnostic]) -> String {
    let rules: Vec<Value> = lint::LINTS.iter().map(rule).collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let index = lint::LINTS.iter().position(|l| l.name == d.lint);
            result(sources, masks, d, index)
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "connstr",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "null".to_owned());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_references() {
        assert_eq!(uri_of("conf/odbc.ini"), "conf/odbc.ini");
        assert_eq!(uri_of("<-c 1>"), "%3C-c%201%3E");
        assert_eq!(uri_of("/etc/odbc.ini"), "file:///etc/odbc.ini");
        assert_eq!(uri_of("a b/é.ini"), "a%20b/%C3%A9.ini");
    }

    #[test]
    fn rule_names_are_identifiers() {
        assert_eq!(rule_name("swallowed-separator"), "SwallowedSeparator");
        assert_eq!(rule_name("syntax"), "Syntax");
    }
}
