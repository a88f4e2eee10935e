//! The Model file named by `RESTConfigFile` / `rcf` / JDBC `Config`, as
//! validation uses it: where it is, what it says about authentication, and
//! the problems that belong to the file itself (whatever connection uses it).
//!
//! Finding it follows the driver: a relative path is relative to the working
//! directory; [`ModelDir`] (`--model-dir DIR`) lets CI resolve relative paths
//! against another directory. A file that cannot be read is a
//! `model-unreadable` warning naming the path, and the checks that depend on
//! it say so instead of reporting missing options.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::custom::{CustomFlow, StepProblem, read_flow};
use super::diag::Diag;
use super::lints;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity, SourceId, Sources};
use crate::options::{AuthMethod, Origin};
use crate::syntax::{ModelDoc, ModelProblemKind, Span, Value, ValueKind, parse_model};

/// Where relative Model file paths are resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ModelDir {
    /// The working directory (the driver's rule).
    #[default]
    WorkingDirectory,
    /// This directory (`--model-dir DIR`).
    Dir(PathBuf),
    /// Never read Model files.
    Off,
}

impl ModelDir {
    /// The path a `RESTConfigFile` value names.
    pub fn resolve(&self, written: &str) -> PathBuf {
        let p = Path::new(written);
        match self {
            ModelDir::Dir(d) if p.is_relative() => d.join(p),
            _ => p.to_path_buf(),
        }
    }
}

/// A value from the Model file and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelValue {
    /// The value, decoded.
    pub value: String,
    /// Where: the key and the value.
    pub origin: Origin,
}

/// The OAuth 2.0 entries a Model file may hold, and the option each stands for.
pub const OAUTH_ENTRIES: [(&str, &str); 6] = [
    ("#tokenUri", "TokenURI"),
    ("#authUri", "AuthURI"),
    ("#redirectUri", "RedirectURI"),
    ("#logoffUri", "LogoffURI"),
    ("#scope", "Scope"),
    ("#enableLoginPrompt", "EnableLoginPrompt"),
];

/// What a Model file says about authentication.
#[derive(Clone, Debug, Default)]
pub struct ModelFile {
    /// The path as written in RESTConfigFile.
    pub written: String,
    /// The path read.
    pub path: PathBuf,
    /// Its source, when it was read.
    pub source: Option<SourceId>,
    /// Why it could not be read.
    pub unreadable: Option<String>,
    /// Whether the reader found errors (not just warnings).
    pub broken: bool,
    /// `#options.authenticationMethod.default` (or its string shorthand),
    /// or the top-level `#authenticationMethod`.
    pub method_default: Option<ModelValue>,
    /// `#options.authenticationMethod.choices`, split at `,`.
    pub method_choices: Option<(Vec<String>, Origin)>,
    /// OAuth entries by option name (TokenURI, Scope, …): top level or in `#options`.
    pub oauth: Vec<(&'static str, ModelValue)>,
    /// `#authentication`.
    pub authentication: Option<CustomFlow>,
    /// Where the `#authentication` key is.
    pub authentication_at: Option<Origin>,
    /// `#reauthentication`.
    pub reauthentication: Option<CustomFlow>,
    /// Status codes whose `#http` action is REAUTHENTICATE (401 without `#http`).
    pub reauthenticate_on: Vec<u16>,
    /// Header names set by `#headers` (top level and per table).
    pub headers: Vec<ModelValue>,
    /// Problems of the file itself.
    pub diagnostics: Vec<Diagnostic>,
    /// Where the secrets typed into the file are (masked in every output).
    pub secret_spans: Vec<Span>,
}

impl ModelFile {
    /// The OAuth entry standing for option `name`.
    pub fn oauth_value(&self, name: &str) -> Option<&ModelValue> {
        self.oauth.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Whether the file holds what `name` needs (or could, when unreadable).
    pub fn provides(&self, name: &str) -> bool {
        self.oauth_value(name).is_some()
    }

    /// A file that could not be read, and what the system said.
    fn unreadable(written: &str, path: PathBuf, said: String) -> Self {
        ModelFile {
            written: written.to_owned(),
            path,
            unreadable: Some(said),
            ..ModelFile::default()
        }
    }

    /// How to call it in messages.
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }
}

/// The Model files of one run, read once each, when a target first needs
/// one (from any thread). Their texts get the [`SourceId`]s after `base`, in
/// the order they were read, and are registered in the run's [`Sources`] by
/// [`ModelCache::register`] once checking is over.
pub(crate) struct ModelCache {
    dir: ModelDir,
    base: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    files: HashMap<String, Arc<ModelFile>>,
    texts: Vec<(PathBuf, String)>,
    /// Directories found missing: a file in one is not looked for again (an
    /// odbc.ini generated for many data sources names one Model file each,
    /// all in one directory that this machine may not have).
    /// With what the system said of the first file looked for there.
    missing_dirs: HashMap<PathBuf, String>,
}

impl ModelCache {
    /// A cache whose first text will be source `base` (the number of
    /// sources registered so far).
    pub(crate) fn new(dir: ModelDir, base: usize) -> Self {
        ModelCache {
            dir,
            base,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    /// The Model file a RESTConfigFile value names (read on first use).
    ///
    /// The lock is held only to look up and to store, never while reading a
    /// file. A file in a directory already found missing is not stored: a
    /// generated odbc.ini names one Model file per data source, and storing
    /// thousands of "cannot read" answers costs more than making them again.
    pub(crate) fn get(&self, written: &str) -> Option<Arc<ModelFile>> {
        let written = written.trim();
        if written.is_empty() || self.dir == ModelDir::Off {
            return None;
        }
        let path = self.dir.resolve(written);
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let missing = {
            let inner = self.lock();
            if let Some(f) = inner.files.get(written) {
                return Some(f.clone());
            }
            dir.and_then(|d| inner.missing_dirs.get(d)).cloned()
        };
        if let Some(said) = missing {
            return Some(Arc::new(ModelFile::unreadable(written, path, said)));
        }
        let bytes = std::fs::read(&path);
        let mut inner = self.lock();
        // Another thread may have read it meanwhile: the first one stored wins.
        if let Some(f) = inner.files.get(written) {
            return Some(f.clone());
        }
        let file = match bytes {
            Ok(bytes) => {
                let text = match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                };
                let id = SourceId(u32::try_from(self.base + inner.texts.len()).unwrap_or(u32::MAX));
                let file = read_model(written, &path, id, &text);
                inner.texts.push((path, text));
                file
            }
            Err(e) => {
                let said = e.to_string();
                if e.kind() == std::io::ErrorKind::NotFound
                    && let Some(d) = dir
                    && !d.is_dir()
                {
                    inner.missing_dirs.insert(d.to_path_buf(), said.clone());
                }
                ModelFile::unreadable(written, path, said)
            }
        };
        let file = Arc::new(file);
        inner.files.insert(written.to_owned(), file.clone());
        Some(file)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Register the texts read in `sources` (which must hold `base` sources
    /// still); returns each Model file's secret spans by source.
    pub(crate) fn register(self, sources: &mut Sources) -> Vec<(SourceId, Vec<Span>)> {
        let inner = self.inner.into_inner().unwrap_or_else(|p| p.into_inner());
        for (path, text) in inner.texts {
            sources.add(path.display().to_string(), Some(path), text);
        }
        inner
            .files
            .into_values()
            .filter_map(|f| Some((f.source?, f.secret_spans.clone())))
            .collect()
    }
}

fn origin(source: SourceId, v: Value<'_, '_>) -> Origin {
    Origin {
        source,
        section: None,
        key: v.key_span().unwrap_or(v.span()),
        value: v.span(),
    }
}

/// Read a Model file's text: reader problems, the entries about
/// authentication, and the problems of those entries.
pub fn read_model(written: &str, path: &Path, id: SourceId, text: &str) -> ModelFile {
    let doc = parse_model(text);
    let mut m = ModelFile {
        written: written.to_owned(),
        path: path.to_path_buf(),
        source: Some(id),
        broken: doc.has_errors(),
        reauthenticate_on: vec![401],
        ..ModelFile::default()
    };
    syntax_diagnostics(&doc, id, &mut m.diagnostics);
    let Some(root) = doc.root().filter(|r| r.kind() == ValueKind::Object) else {
        return m;
    };
    let str_entry = |v: Value<'_, '_>, diags: &mut Vec<Diagnostic>| -> Option<ModelValue> {
        match v.as_str() {
            Some(s) => Some(ModelValue {
                value: s.into_owned(),
                origin: origin(id, v),
            }),
            None => {
                diags.push(
                    Diag::new(
                        lints::MODEL_ENTRY,
                        Severity::Error,
                        format!("`{}` must be a string", v.key().unwrap_or_default()),
                        id,
                        v.span(),
                        "not a string",
                    )
                    .build(),
                );
                None
            }
        }
    };
    // #options
    if let Some(opts) = root.get_ci("#options") {
        if opts.kind() != ValueKind::Object {
            m.diagnostics.push(
                Diag::new(
                    lints::MODEL_ENTRY,
                    Severity::Error,
                    "`#options` must be an object",
                    id,
                    opts.span(),
                    "not an object",
                )
                .help("write `\"#options\": {\"authenticationMethod\": {\"default\": \"Custom\", \"choices\": \"Custom\"}}`")
                .build(),
            );
        }
        for o in opts.members() {
            let key = o.key().unwrap_or_default();
            if key.eq_ignore_ascii_case("authenticationMethod") {
                match o.kind() {
                    ValueKind::String => m.method_default = str_entry(o, &mut m.diagnostics),
                    ValueKind::Object => {
                        if let Some(d) = o.get_ci("default") {
                            m.method_default = str_entry(d, &mut m.diagnostics);
                        }
                        if let Some(c) = o.get_ci("choices")
                            && let Some(v) = str_entry(c, &mut m.diagnostics)
                        {
                            let list = v
                                .value
                                .split(',')
                                .map(|s| s.trim().to_owned())
                                .filter(|s| !s.is_empty())
                                .collect();
                            m.method_choices = Some((list, v.origin));
                        }
                    }
                    _ => {
                        let _ = str_entry(o, &mut m.diagnostics);
                    }
                }
            } else if let Some((_, name)) = OAUTH_ENTRIES
                .iter()
                .find(|(e, _)| e[1..].eq_ignore_ascii_case(&key))
                && let Some(v) = scalar_entry(o)
            {
                m.oauth.push((name, v_with(v, o, id)));
            }
        }
    }
    for (entry, name) in OAUTH_ENTRIES {
        if let Some(v) = root.get_ci(entry)
            && let Some(val) = scalar_entry(v)
        {
            m.oauth.retain(|(n, _)| *n != name);
            m.oauth.push((name, v_with(val, v, id)));
        }
    }
    if let Some(v) = root.get_ci("#authenticationMethod")
        && m.method_default.is_none()
    {
        m.method_default = str_entry(v, &mut m.diagnostics);
    }
    if let Some(d) = &m.method_default
        && crate::plan::parse_auth_method(&d.value).is_none()
    {
        m.diagnostics.push(
            Diag::new(
                lints::MODEL_ENTRY,
                Severity::Error,
                format!(
                    "unknown authentication method `{}` in the Model file",
                    d.value
                ),
                id,
                d.origin.value,
                "not a method",
            )
            .help(format!(
                "use one of: {}",
                AuthMethod::ALL.map(|m| m.name()).join(", ")
            ))
            .build(),
        );
    }
    // Custom login.
    let mut problems: Vec<StepProblem> = Vec::new();
    if let Some(a) = root.get_ci("#authentication") {
        m.authentication_at = Some(origin(id, a));
        m.authentication = read_flow(a, id, false, &mut problems);
    }
    if let Some(r) = root.get_ci("#reauthentication") {
        m.reauthentication = read_flow(r, id, true, &mut problems);
        if m.authentication.is_none() && root.get_ci("#authentication").is_none() {
            problems.push(StepProblem {
                span: r.key_span().unwrap_or(r.span()),
                message: "`#reauthentication` without `#authentication`: it is never run"
                    .to_owned(),
                help: "define the login in `#authentication`",
                secret: false,
                warning: false,
                mask: Span::empty(0),
            });
        }
    }
    for p in &problems {
        if p.secret {
            m.secret_spans.push(p.mask);
        }
    }
    for p in problems {
        let (lint, severity) = match (p.secret, p.warning) {
            (true, _) => (lints::SECRET_IN_MODEL, Severity::Warning),
            (false, true) => (lints::CUSTOM_AUTH, Severity::Warning),
            (false, false) => (lints::CUSTOM_AUTH, Severity::Error),
        };
        m.diagnostics.push(
            Diag::new(lint, severity, p.message, id, p.span, "")
                .help(p.help)
                .build(),
        );
    }
    // OAuth entries and #authentication exclude each other.
    if let Some(a) = &m.authentication_at {
        for (name, v) in &m.oauth {
            m.diagnostics.push(
                Diag::new(
                    lints::MODEL_OAUTH_CONFLICT,
                    Severity::Error,
                    format!(
                        "the Model file defines both `#authentication` and an OAuth 2.0 entry ({name}): the vendor documents them as exclusive"
                    ),
                    id,
                    v.origin.key,
                    "OAuth 2.0 entry",
                )
                .secondary(id, a.key, "custom login")
                .help("keep either the custom login or the OAuth 2.0 entries")
                .build(),
            );
        }
    }
    // #headers, top level and per table.
    let mut header_objects: Vec<Value<'_, '_>> = Vec::new();
    if let Some(h) = root.get_ci("#headers") {
        header_objects.push(h);
    }
    for t in root.members() {
        if !t.key().is_some_and(|k| k.starts_with('#'))
            && let Some(h) = t.get_ci("#headers")
        {
            header_objects.push(h);
        }
    }
    for h in header_objects {
        for hv in h.members() {
            let name = hv.key().unwrap_or_default().into_owned();
            if crate::plan::custom::is_secret_name(&name) && hv.kind() == ValueKind::String {
                m.secret_spans.push(hv.content_span().unwrap_or(hv.span()));
                m.diagnostics.push(
                    Diag::new(
                        lints::SECRET_IN_MODEL,
                        Severity::Warning,
                        format!("header `{name}` with a literal value is typed into the Model file"),
                        id,
                        hv.span(),
                        "",
                    )
                    .help("keep credentials in the connection options (SecurityToken, CustomAuthParams): they are masked in every output")
                    .build(),
                );
            }
            m.headers.push(ModelValue {
                value: name,
                origin: origin(id, hv),
            });
        }
    }
    // #http rules.
    m.reauthenticate_on = vec![401];
    if let Some(http) = root.get_ci("#http") {
        http_rules(http, id, &mut m.diagnostics);
        m.reauthenticate_on = http
            .items()
            .filter(|r| {
                r.get_ci("#action")
                    .and_then(|a| a.as_str())
                    .is_some_and(|a| a.trim().eq_ignore_ascii_case("REAUTHENTICATE"))
            })
            .filter_map(|r| r.get_ci("#code").and_then(|c| c.as_i64()))
            .filter_map(|c| u16::try_from(c).ok())
            .collect();
    }
    m
}

fn scalar_entry(v: Value<'_, '_>) -> Option<String> {
    match v.kind() {
        ValueKind::String => v.as_str().map(|s| s.into_owned()),
        ValueKind::Bool => v.as_bool().map(|b| if b { "1" } else { "0" }.to_owned()),
        ValueKind::Number => Some(v.text().to_owned()),
        _ => None,
    }
}

fn v_with(value: String, v: Value<'_, '_>, id: SourceId) -> ModelValue {
    ModelValue {
        value,
        origin: origin(id, v),
    }
}

/// The `#http` actions the documentation lists.
pub const HTTP_ACTIONS: [&str; 10] = [
    "OK",
    "ZERO_ROWS",
    "RESET",
    "REAUTHENTICATE",
    "RETRY_AFTER",
    "RETRY_ONCE",
    "RETRY_GOOGLE",
    "RETRY_AWS",
    "RETRY_FIXED",
    "FAIL",
];

fn http_rules(http: Value<'_, '_>, id: SourceId, diags: &mut Vec<Diagnostic>) {
    let mut bad = |span: Span, message: String, help: &'static str| {
        diags.push(
            Diag::new(lints::MODEL_ENTRY, Severity::Error, message, id, span, "")
                .help(help)
                .build(),
        );
    };
    if http.kind() != ValueKind::Array {
        bad(
            http.span(),
            "`#http` must be an array of rules".to_owned(),
            "write `\"#http\": [{\"#code\": 401, \"#action\": \"REAUTHENTICATE\"}]`",
        );
        return;
    }
    for rule in http.items() {
        if rule.kind() != ValueKind::Object {
            bad(
                rule.span(),
                "an `#http` rule must be an object".to_owned(),
                "write `{\"#code\": 401, \"#action\": \"REAUTHENTICATE\"}`",
            );
            continue;
        }
        match rule.get_ci("#code") {
            Some(c) if c.as_i64().is_some_and(|n| (100..600).contains(&n)) => {}
            Some(c) => bad(
                c.span(),
                "`#code` must be an HTTP status code (100-599)".to_owned(),
                "write e.g. `\"#code\": 401`",
            ),
            None => bad(
                rule.span(),
                "an `#http` rule without `#code`".to_owned(),
                "write e.g. `\"#code\": 401`",
            ),
        }
        match rule.get_ci("#action") {
            Some(a) => {
                let name = a.as_str().unwrap_or_default();
                if !HTTP_ACTIONS
                    .iter()
                    .any(|x| x.eq_ignore_ascii_case(name.trim()))
                {
                    bad(
                        a.span(),
                        format!("unknown `#http` action `{name}`"),
                        "actions: OK, ZERO_ROWS, RESET, REAUTHENTICATE, RETRY_AFTER, RETRY_ONCE, RETRY_GOOGLE, RETRY_AWS, RETRY_FIXED, FAIL",
                    );
                }
            }
            None => bad(
                rule.span(),
                "an `#http` rule without `#action`".to_owned(),
                "write e.g. `\"#action\": \"REAUTHENTICATE\"`",
            ),
        }
    }
}

/// The Model file reader's problems as `model-syntax` diagnostics.
fn syntax_diagnostics(doc: &ModelDoc<'_>, id: SourceId, out: &mut Vec<Diagnostic>) {
    for p in doc.problems() {
        let severity = if p.kind.is_warning() {
            Severity::Warning
        } else {
            Severity::Error
        };
        let mut d = Diag::new(
            lints::MODEL_SYNTAX,
            severity,
            p.kind.message(),
            id,
            p.span,
            "",
        )
        .help(p.kind.help());
        if let Some(r) = p.related {
            d = d.secondary(id, r, "first here");
        }
        if let Some((span, text)) = p.fix() {
            d = d.fix(Fix::new("insert `,`", Applicability::Safe).edit(id, span, text));
        }
        if p.kind == ModelProblemKind::UnclosedObject || p.kind == ModelProblemKind::UnclosedArray {
            d = d.help(format!(
                "{} (the file ends before it is closed)",
                p.kind.help()
            ));
        }
        out.push(d.build());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files in a directory that is not there are refused with what the
    /// system said of the first, without looking again; a missing file in a
    /// directory that is there is looked for.
    #[test]
    fn files_in_a_missing_directory_are_unreadable_as_the_system_says() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ModelCache::new(ModelDir::Dir(dir.path().to_path_buf()), 0);
        let said = std::fs::read(dir.path().join("gone/a.rest"))
            .unwrap_err()
            .to_string();
        for name in ["gone/a.rest", "gone/b.rest", "gone/c.rest"] {
            let f = cache.get(name).unwrap();
            assert_eq!(f.unreadable.as_deref(), Some(said.as_str()), "{name}");
        }
        assert_eq!(cache.inner.lock().unwrap().missing_dirs.len(), 1);
        std::fs::write(dir.path().join("here.rest"), "{}").unwrap();
        assert!(cache.get("here.rest").unwrap().unreadable.is_none());
        assert!(cache.get("there.rest").unwrap().unreadable.is_some());
        assert_eq!(cache.inner.lock().unwrap().missing_dirs.len(), 1);
    }
}
