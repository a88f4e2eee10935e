//! The JSON shapes of `connstr check --format json` and `connstr explain
//! --format json`. Every free text is scrubbed of the secrets the [`Masks`]
//! know; secret values show as [`REDACTED`].

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Masks, Summary, scrub};
use crate::REDACTED;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Label, Severity, SourceId, Sources};
use crate::options::drivers::Recognition;
use crate::plan::{Auth, AuthPlan, ClientCredentialsMode, Grant, HttpMethod, Target, TargetKind};

/// One diagnostic in `--format json` output. Lines and columns are 1-based;
/// columns count characters; `end_line`/`end_column` are where the span ends
/// (exclusive: the column just past its last character).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    /// Stable lint name.
    pub lint: &'static str,
    /// `error`, `warning` or `note`.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// How to fix it, or null.
    pub help: Option<String>,
    /// The source name: a path, `<stdin>`, `<-c 1>`.
    pub source: String,
    /// Start line.
    pub line: usize,
    /// Start column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (exclusive).
    pub end_column: usize,
    /// The odbc.ini section, or null.
    pub section: Option<String>,
    /// The option key, or null.
    pub key: Option<String>,
    /// The secondary labels (same position fields, plus their message).
    pub labels: Vec<JsonLabel>,
    /// A machine-applicable fix; the field is left out when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<JsonFix>,
}

/// A diagnostic's fix in JSON output.
#[derive(Debug, Serialize)]
pub struct JsonFix {
    /// What it does.
    pub title: String,
    /// `safe` (applied by `connstr fix`) or `unsafe` (only with `--unsafe`).
    pub applicability: Applicability,
    /// The replacements.
    pub edits: Vec<JsonEdit>,
}

/// One replacement of a fix: the text from (`line`, `column`) to
/// (`end_line`, `end_column`), bytes `start..end`, becomes `replacement`.
#[derive(Debug, Serialize)]
pub struct JsonEdit {
    /// The source name.
    pub source: String,
    /// Start line.
    pub line: usize,
    /// Start column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (exclusive).
    pub end_column: usize,
    /// First byte replaced (0-based offset).
    pub start: usize,
    /// One past the last byte replaced.
    pub end: usize,
    /// The new text (never a secret).
    pub replacement: String,
}

/// The JSON form of a fix (replacement text scrubbed like any free text).
pub fn json_fix(sources: &Sources, fix: &Fix, secrets: &[&str]) -> JsonFix {
    JsonFix {
        title: scrub(&fix.title, secrets),
        applicability: fix.applicability,
        edits: fix
            .edits
            .iter()
            .map(|e| {
                let l = Label {
                    source: e.source,
                    span: e.span,
                    message: "".into(),
                };
                let (source, line, column, end_line, end_column) = position(sources, &l);
                JsonEdit {
                    source,
                    line,
                    column,
                    end_line,
                    end_column,
                    start: e.span.start(),
                    end: e.span.end(),
                    replacement: scrub(&e.replacement, secrets),
                }
            })
            .collect(),
    }
}

/// A secondary label in JSON output.
#[derive(Debug, Serialize)]
pub struct JsonLabel {
    /// What is said there.
    pub message: String,
    /// The source name.
    pub source: String,
    /// Start line.
    pub line: usize,
    /// Start column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (exclusive).
    pub end_column: usize,
}

fn position(sources: &Sources, l: &Label) -> (String, usize, usize, usize, usize) {
    match sources.get(l.source) {
        Some(src) => {
            let a = src.line_col(l.span.start());
            let b = src.line_col(l.span.end());
            (src.name.clone(), a.line, a.column, b.line, b.column)
        }
        None => (String::new(), 0, 0, 0, 0),
    }
}

/// The JSON form of `diags` (secrets scrubbed from free text).
pub fn json_diagnostics(
    sources: &Sources,
    masks: &Masks,
    diags: &[Diagnostic],
) -> Vec<JsonDiagnostic> {
    diags
        .iter()
        .map(|d| json_diagnostic(sources, masks, d))
        .collect()
}

/// The JSON form of one diagnostic (secrets scrubbed from free text).
fn json_diagnostic(sources: &Sources, masks: &Masks, d: &Diagnostic) -> JsonDiagnostic {
    let secrets = masks.texts_for(sources, d);
    let (source, line, column, end_line, end_column) = position(sources, &d.primary);
    JsonDiagnostic {
        lint: d.lint,
        severity: d.severity,
        message: scrub(&d.message, &secrets),
        help: d.help.as_deref().map(|h| scrub(h, &secrets)),
        source,
        line,
        column,
        end_line,
        end_column,
        section: d.section.as_deref().map(str::to_owned),
        key: d.key.as_deref().map(|k| scrub(k, &secrets)),
        labels: d
            .secondary
            .iter()
            .map(|l| {
                let (source, line, column, end_line, end_column) = position(sources, l);
                JsonLabel {
                    message: scrub(&l.message, &secrets),
                    source,
                    line,
                    column,
                    end_line,
                    end_column,
                }
            })
            .collect(),
        fix: d.fix.as_deref().map(|f| json_fix(sources, f, &secrets)),
    }
}

/// `connstr check --format json`: one document.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    /// Every target checked, with the driver profile that judged it.
    pub targets: Vec<JsonTarget>,
    /// Every diagnostic, in report order.
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Counts after `--deny`/`--allow`.
    pub summary: Summary,
}

/// One target of `connstr check --format json`.
#[derive(Debug, Serialize)]
pub struct JsonTarget {
    /// The DSN name, or the input's name for a string.
    pub name: String,
    /// `dsn`, `connection-string` or `jdbc-url`.
    pub kind: &'static str,
    /// The source name.
    pub source: Option<String>,
    /// Which driver profile judged it, and why.
    pub driver: JsonDriver,
}

/// The `"driver"` of a target: `{"profile": "psqlodbc", "from": "odbcinst",
/// "detail": "…"}`; `profile` is null for a driver connstr has no profile
/// for (only driver-independent checks ran).
#[derive(Debug, Serialize)]
pub struct JsonDriver {
    /// The profile id, or null.
    pub profile: Option<&'static str>,
    /// How it was told: `odbcinst`, `library`, `driver-name`,
    /// `data-sources`, `jdbc`, `telltale` or `default`.
    pub from: &'static str,
    /// What was seen, in words.
    pub detail: String,
}

/// The JSON form of a target's driver.
pub fn json_driver(r: &Recognition) -> JsonDriver {
    JsonDriver {
        profile: r.id(),
        from: r.from.as_str(),
        detail: r.detail.to_string(),
    }
}

/// The targets of `connstr check --format json`.
pub fn json_targets(sources: &Sources, targets: &[Target]) -> Vec<JsonTarget> {
    targets.iter().map(|t| json_target(sources, t)).collect()
}

/// The JSON form of one target.
fn json_target(sources: &Sources, t: &Target) -> JsonTarget {
    JsonTarget {
        name: t.name.clone(),
        kind: kind_name(t.kind),
        source: sources.get(t.source).map(|s| s.name.clone()),
        driver: json_driver(&t.driver),
    }
}

/// Writes the text of [`JsonTarget`] straight from a target, without
/// copying its strings: a large odbc.ini has tens of thousands of targets,
/// most of them sharing a few drivers, whose `"driver"` object (the longest
/// part, the same for every data source of one `Driver=`) is escaped once
/// per thread and copied after that.
#[derive(Default)]
struct TargetWriter {
    drivers: std::collections::HashMap<DriverKey, Box<[u8]>, foldhash::fast::RandomState>,
    /// The last source written, escaped (targets come source by source).
    source: Option<(SourceId, Vec<u8>)>,
}

/// What a `"driver"` object is written from: the detail by the address and
/// length of its shared text (the targets, and so those texts, outlive the
/// writer; targets whose drivers were told apart share none).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct DriverKey {
    profile: Option<&'static str>,
    from: &'static str,
    detail: (usize, usize),
}

impl TargetWriter {
    /// Append `t` as [`json_target`] serializes it (the same fields in the
    /// same order, so the same bytes).
    fn write(&mut self, buf: &mut Vec<u8>, sources: &Sources, t: &Target) {
        buf.extend_from_slice(b"{\"name\":");
        json_str(buf, &t.name);
        buf.extend_from_slice(b",\"kind\":");
        json_str(buf, kind_name(t.kind));
        buf.extend_from_slice(b",\"source\":");
        if self.source.as_ref().is_none_or(|(id, _)| *id != t.source) {
            let mut b = Vec::new();
            match sources.get(t.source) {
                Some(s) => json_str(&mut b, &s.name),
                None => b.extend_from_slice(b"null"),
            }
            self.source = Some((t.source, b));
        }
        if let Some((_, b)) = &self.source {
            buf.extend_from_slice(b);
        }
        buf.extend_from_slice(b",\"driver\":");
        let key = DriverKey {
            profile: t.driver.id(),
            from: t.driver.from.as_str(),
            detail: (t.driver.detail.as_ptr() as usize, t.driver.detail.len()),
        };
        let driver = self.drivers.entry(key).or_insert_with(|| {
            let mut b = Vec::new();
            // Serializing our own struct into memory cannot fail.
            let _ = serde_json::to_writer(&mut b, &json_driver(&t.driver));
            b.into_boxed_slice()
        });
        buf.extend_from_slice(driver);
        buf.push(b'}');
    }
}

/// Append `s` as a JSON string (serde_json's escaping).
fn json_str(buf: &mut Vec<u8>, s: &str) {
    // Serializing a string into memory cannot fail.
    let _ = serde_json::to_writer(&mut *buf, s);
}

/// The JSON report of `check`, as text with a final newline: the text of
/// [`JsonReport`] (the same bytes `to_json_line` gives), its two arrays
/// written on several threads when they are long (a large odbc.ini has tens
/// of thousands of targets).
pub fn json_report(
    sources: &Sources,
    masks: &Masks,
    targets: &[Target],
    diags: &[Diagnostic],
) -> String {
    // Serializing our own structs into memory cannot fail.
    let targets = json_array(targets, TargetWriter::default, |w, buf, t| {
        w.write(buf, sources, t);
    });
    let diagnostics = json_array(
        diags,
        || (),
        |(), buf, d| {
            let _ = serde_json::to_writer(buf, &json_diagnostic(sources, masks, d));
        },
    );
    let summary = to_json_line(&Summary::of(diags));
    let mut out = String::with_capacity(targets.len() + diagnostics.len() + summary.len() + 40);
    out.push_str("{\"targets\":");
    out.push_str(&targets);
    out.push_str(",\"diagnostics\":");
    out.push_str(&diagnostics);
    out.push_str(",\"summary\":");
    out.push_str(summary.trim_end());
    out.push_str("}\n");
    out
}

/// `items` as a JSON array, each item written into the buffer by `write`, in
/// order: chunks written on several threads, then joined. Each chunk's
/// writer gets its own state, made by `state`.
fn json_array<T: Sync, S>(
    items: &[T],
    state: impl Fn() -> S + Sync,
    write: impl Fn(&mut S, &mut Vec<u8>, &T) + Sync,
) -> String {
    let parts = crate::par::par_chunks(items, |chunk| {
        let mut buf: Vec<u8> = Vec::with_capacity(chunk.len() * 256);
        let mut st = state();
        for (i, item) in chunk.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            write(&mut st, &mut buf, item);
        }
        buf
    });
    let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum::<usize>() + 2);
    out.push('[');
    for (i, part) in parts.iter().filter(|p| !p.is_empty()).enumerate() {
        if i > 0 {
            out.push(',');
        }
        // serde_json writes UTF-8 only: checked by the fast validator (the
        // lossy one walks a large report byte by byte).
        match std::str::from_utf8(part) {
            Ok(text) => out.push_str(text),
            Err(_) => out.push_str(&String::from_utf8_lossy(part)),
        }
    }
    out.push(']');
    out
}

/// Pretty-free JSON with a final newline. Serializing our own structs cannot fail.
pub fn to_json_line<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    s.push('\n');
    s
}

/// `All`, `Basic`, `Url` or `Post`: the option value.
pub fn mode_name(m: ClientCredentialsMode) -> &'static str {
    match m {
        ClientCredentialsMode::All => "All",
        ClientCredentialsMode::Basic => "Basic",
        ClientCredentialsMode::Url => "Url",
        ClientCredentialsMode::Post => "Post",
    }
}

/// `GET` or `POST`.
pub fn http(m: HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
    }
}

fn json_plan(sources: &Sources, plan: &AuthPlan) -> Value {
    let oauth = match &plan.auth {
        Auth::OAuth2(o) => Some(o),
        _ => None,
    };
    let grant = oauth.map(|o| &o.grant);
    let client = grant.and_then(Grant::client);
    let provenance: Map<String, Value> = plan
        .provenance
        .iter()
        .map(|(k, o)| {
            let (source, line, column) = match sources.get(o.source) {
                Some(s) => {
                    let lc = s.line_col(o.key.start());
                    (s.name.clone(), lc.line, lc.column)
                }
                None => (String::new(), 0, 0),
            };
            (
                (*k).to_owned(),
                json!({"source": source, "section": o.section.as_deref(), "line": line, "column": column}),
            )
        })
        .collect();
    json!({
        "method": plan.method.name(),
        "odbc_code": plan.method.odbc_code(),
        "grant": grant.map(Grant::name),
        "chosen_because": oauth.and_then(|o| o.chosen_because.clone()),
        "token_endpoint": grant.and_then(Grant::endpoint).map(|e| json!({"method": http(e.method), "url": e.url.as_str()})),
        "client_credentials_mode": client.map(|c| mode_name(c.mode)),
        "client_id": client.map(|c| c.id.clone()),
        "client_secret": client.and_then(|c| c.secret.as_ref()).map(|_| REDACTED),
        "scope": oauth.map(|o| o.scope.clone()).unwrap_or_default(),
        "extra_header": oauth.and_then(|o| o.extra_header.as_ref()).map(|h| json!({"name": h.name.as_str(), "value": REDACTED})),
        "user": plan.user,
        "dsn": plan.dsn,
        "auth": serde_json::to_value(&plan.auth).unwrap_or(Value::Null),
        "provenance": provenance,
        "transport": json_transport(&plan.transport),
    })
}

/// The transport settings; passwords only as `***` when set.
fn json_transport(t: &crate::plan::Transport) -> Value {
    let set = |s: Option<&crate::Secret>| s.map(|_| REDACTED);
    json!({
        "proxy": t.proxy.as_ref().map(|p| json!({
            "url": p.url(),
            "user": p.user,
            "password": set(p.password.as_ref()),
        })),
        "validate_server_certificate": t.tls.validate,
        "truststore": t.tls.truststore.as_ref().map(|p| p.display().to_string()),
        "truststore_password": set(t.tls.truststore_password.as_ref()),
        "host_name_in_certificate": t.tls.host_name_in_certificate,
        "tls_versions": t.tls.versions.iter().map(|v| v.name()).collect::<Vec<_>>(),
        "keystore": t.tls.keystore.as_ref().map(|p| p.display().to_string()),
        "keystore_password": set(t.tls.keystore_password.as_ref()),
        "key_password": set(t.tls.key_password.as_ref()),
        "timeout_s": t.timeout.map(|d| d.as_secs()),
        "timeout_set": t.timeout_set,
        "retry_count": t.retry_count,
    })
}

/// The secret texts of every entry a target was resolved from.
pub fn target_secrets<'s>(sources: &'s Sources, masks: &Masks, t: &Target) -> Vec<&'s str> {
    let mut out: Vec<&str> = t
        .options
        .all()
        .iter()
        .flat_map(|o| masks.texts_in(sources, o.source(), o.entry.span, super::MIN_SCRUB))
        .collect();
    out.sort_by_key(|t| std::cmp::Reverse(t.len()));
    out.dedup();
    out
}

/// Replace every secret text in every string of `v`.
fn scrub_json(v: &mut Value, secrets: &[&str]) {
    match v {
        Value::String(s) => {
            for sec in secrets {
                if s.contains(sec) {
                    *s = s.replace(sec, REDACTED);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| scrub_json(x, secrets)),
        Value::Object(m) => m.values_mut().for_each(|x| scrub_json(x, secrets)),
        _ => {}
    }
}

fn kind_name(k: TargetKind) -> &'static str {
    match k {
        TargetKind::ConnectionString => "connection-string",
        TargetKind::JdbcUrl => "jdbc-url",
        TargetKind::Dsn => "dsn",
    }
}

/// `connstr explain --format json`: one document.
#[derive(Serialize)]
struct JsonDoc {
    targets: Vec<Value>,
    diagnostics: Vec<JsonDiagnostic>,
    summary: Summary,
}

/// The explain document: each target with its plan (secrets redacted) and
/// its own diagnostics (`per_target`, same order as `targets`), then the
/// diagnostics that belong to no target (`global`), and the counts.
pub fn explain_document(
    sources: &Sources,
    masks: &Masks,
    targets: &[Target],
    per_target: &[Vec<Diagnostic>],
    global: &[Diagnostic],
) -> String {
    let all: Vec<Diagnostic> = global
        .iter()
        .chain(per_target.iter().flatten())
        .cloned()
        .collect();
    let targets = targets
        .iter()
        .zip(per_target)
        .map(|(t, diags)| {
            let secrets = target_secrets(sources, masks, t);
            let mut v = json!({
                "name": t.name,
                "kind": kind_name(t.kind),
                "source": sources.get(t.source).map(|s| s.name.clone()),
                "driver": json_driver(&t.driver),
                "plan": t.plan.as_ref().map(|p| json_plan(sources, p)),
                "diagnostics": json_diagnostics(sources, masks, diags),
            });
            scrub_json(&mut v, &secrets);
            v
        })
        .collect();
    to_json_line(&JsonDoc {
        targets,
        diagnostics: json_diagnostics(sources, masks, global),
        summary: Summary::of(&all),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The threaded writer gives the bytes of the one-piece serialization,
    /// for a report long enough to be cut into chunks (and for an empty one).
    #[test]
    fn json_report_is_the_reports_serialization() {
        let mut ini = String::from("[ODBC Data Sources]\nghost = SQLite3\n");
        // Drivers told in different ways (and none), names that need
        // escaping: the targets' cached `"driver"` objects and written
        // names must be what serde writes.
        let drivers = [
            "Driver=SQLite3\n",
            "Driver=PostgreSQL Unicode\n",
            "Driver=/opt/simba/spark/lib/64/libsparkodbc_sb64.so\n",
            "Driver=FreeTDS\n",
            "Driver=\"Tab\there\" \\ é\n",
            "",
        ];
        for i in 0..1500 {
            let name = match i % 4 {
                0 => format!("dsn{i}"),
                1 => format!("dsn \"{i}\" \\ é"),
                2 => format!("dsn\t{i}\u{7}"),
                _ => format!("DSN_{i}/ü"),
            };
            ini.push_str(&format!(
                "[{name}]\n{}Databse=/tmp/{i}.db\nPWD=s3cret{i}\n\n",
                drivers[i % drivers.len()]
            ));
        }
        for text in [ini.as_str(), ""] {
            let (sources, report) = crate::plan::check_text("odbc.ini", text);
            let diags: Vec<Diagnostic> = report.all_diagnostics().cloned().collect();
            let mut masks = Masks::default();
            for (id, spans) in &report.secrets {
                masks.add(*id, spans.iter().copied());
            }
            let whole = to_json_line(&JsonReport {
                targets: json_targets(&sources, &report.targets),
                diagnostics: json_diagnostics(&sources, &masks, &diags),
                summary: Summary::of(&diags),
            });
            let fast = json_report(&sources, &masks, &report.targets, &diags);
            assert_eq!(fast, whole);
            assert!(!fast.contains("s3cret"));
        }
    }
}
