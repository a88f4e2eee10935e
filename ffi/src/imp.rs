//! The Rust side of the C interface: checking a configuration into a
//! [`Source`], the shared runtime, C strings, and the panic guard. Nothing here
//! is exported; `lib.rs` holds the `extern "C"` functions.

use std::ffi::{CStr, CString, c_char, c_int};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;
use std::time::SystemTime;

use connstr_core::apply::{Authorizer, OutgoingRequest};
use connstr_core::diagnostic::{Severity, Sources};
use connstr_core::grant::{Scrubber, SourceOptions};
use connstr_core::plan::{Checker, Retain, TargetKind};
use connstr_core::report::{self, Masks};
use connstr_core::syntax::Form;

use crate::{
    CONNSTR_ERR_APPLY, CONNSTR_ERR_CONFIG, CONNSTR_ERR_INPUT, CONNSTR_ERR_INTERNAL,
    CONNSTR_ERR_NOT_OAUTH, CONNSTR_ERR_NULL, CONNSTR_ERR_TOKEN, CONNSTR_ERR_UTF8,
};

/// A failure on its way to C: a negative code and a message (no secret).
pub struct Failure {
    pub code: c_int,
    pub message: String,
}

impl Failure {
    pub fn new(code: c_int, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }
}

/// Run `f`, turning a panic into [`CONNSTR_ERR_INTERNAL`]: no unwinding ever
/// crosses into C.
pub fn guard(f: impl FnOnce() -> Result<c_int, Failure>) -> Result<c_int, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(Failure::new(
                CONNSTR_ERR_INTERNAL,
                format!("internal error in connstr (a bug; please report it): {what}"),
            ))
        }
    }
}

/// A string for C, owned by the caller (freed with `connstr_string_free`).
/// A NUL inside (never expected) is written as `\0` rather than cutting.
pub fn to_c(s: &str) -> *mut c_char {
    let owned = if s.contains('\0') {
        s.replace('\0', "\\0")
    } else {
        s.to_owned()
    };
    match CString::new(owned) {
        Ok(c) => c.into_raw(),
        Err(_) => std::ptr::null_mut(),
    }
}

/// Store `value` in `*out` when `out` is not NULL.
///
/// # Safety
/// `out` is NULL or valid for writes.
pub unsafe fn put(out: *mut *mut c_char, value: &str) {
    if !out.is_null() {
        // SAFETY: the caller passes NULL or a writable pointer.
        unsafe { *out = to_c(value) };
    }
}

/// Clear an out pointer (so a caller may free it whatever happens).
///
/// # Safety
/// `out` is NULL or valid for writes.
pub unsafe fn clear(out: *mut *mut c_char) {
    if !out.is_null() {
        // SAFETY: as above.
        unsafe { *out = std::ptr::null_mut() };
    }
}

/// A required C string argument as UTF-8.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string valid for reads.
pub unsafe fn arg<'a>(p: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if p.is_null() {
        return Err(Failure::new(
            CONNSTR_ERR_NULL,
            format!("`{name}` is NULL (hint: pass a NUL-terminated UTF-8 string)"),
        ));
    }
    // SAFETY: non-NULL, and the caller promises a NUL-terminated string.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|e| {
        Failure::new(
            CONNSTR_ERR_UTF8,
            format!(
                "`{name}` is not valid UTF-8 (first bad byte at offset {}) (hint: convert \
                 Latin-1 text to UTF-8 first)",
                e.valid_up_to()
            ),
        )
    })
}

/// A required out pointer.
pub fn out_arg<T>(p: *mut T, name: &str) -> Result<(), Failure> {
    if p.is_null() {
        Err(Failure::new(
            CONNSTR_ERR_NULL,
            format!(
                "`{name}` is NULL (hint: pass the address of a variable to receive the result)"
            ),
        ))
    } else {
        Ok(())
    }
}

/// The runtime every blocking call runs on: built on first use, shared by
/// every source and thread, never shut down (it lives as long as the process,
/// like the library).
pub fn runtime() -> Result<&'static tokio::runtime::Runtime, Failure> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("connstr-rt")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            Failure::new(
                CONNSTR_ERR_INTERNAL,
                format!("cannot start connstr's async runtime: {e}"),
            )
        })
}

/// The opaque `connstr_source`: one configuration's authorizer (and token
/// source), and the secret texts of its configuration for scrubbing errors.
pub struct Source {
    pub authorizer: Authorizer,
    secrets: Vec<String>,
}

impl Source {
    /// `message` with every secret of the configuration replaced (the library
    /// keeps none in its errors; this is the last line of defence).
    pub fn scrub(&self, message: &str) -> String {
        let mut s = Scrubber::new();
        for x in &self.secrets {
            s.add(x.as_str());
        }
        s.scrub(message).into_owned()
    }

    /// The access token and its expiry (Unix seconds, 0 when unknown).
    pub fn token(&self) -> Result<(String, i64), Failure> {
        let Some(source) = self.authorizer.token_source() else {
            return Err(Failure::new(
                CONNSTR_ERR_NOT_OAUTH,
                "this configuration does not use OAuth 2.0 tokens (hint: use connstr_authorize \
                 to get the headers its AuthenticationMethod sends)",
            ));
        };
        // A fresh cached token needs no runtime.
        let token = match source.cached() {
            Some(t) => t,
            None => runtime()?
                .block_on(source.token())
                .map_err(|e| Failure::new(CONNSTR_ERR_TOKEN, self.scrub(&e.to_string())))?,
        };
        let expires = token
            .expires_at
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Ok((token.access_token.expose().to_owned(), expires))
    }

    /// What to add to a `method` request for `url`: headers as a JSON object
    /// and the URL with any query parameter.
    pub fn authorize(&self, method: &str, url: &str) -> Result<(String, String), Failure> {
        let parsed = url::Url::parse(url).map_err(|e| {
            Failure::new(
                CONNSTR_ERR_INPUT,
                format!("`url` is not an absolute URL: {e} (hint: give scheme and host, https://host/path)"),
            )
        })?;
        let mut request = OutgoingRequest::new(method, parsed);
        runtime()?
            .block_on(self.authorizer.authorize(&mut request))
            .map_err(|e| {
                let code = match e {
                    connstr_core::apply::ApplyError::Grant(_) => CONNSTR_ERR_TOKEN,
                    _ => CONNSTR_ERR_APPLY,
                };
                Failure::new(code, self.scrub(&e.to_string()))
            })?;
        let mut headers = serde_json::Map::new();
        for (name, value) in &request.headers {
            headers.insert(name.clone(), serde_json::Value::String(value.clone()));
        }
        Ok((
            serde_json::Value::Object(headers).to_string(),
            request.url.to_string(),
        ))
    }
}

/// Check `conn` (an ODBC connection string or JDBC URL; `DSN=` resolved as
/// `connstr token -c` resolves it) and make its source.
pub fn new_source(conn: &str) -> Result<Source, Failure> {
    const NAME: &str = "<connection string>";
    connstr_core::syntax::check_limits(conn, &connstr_core::syntax::Limits::default())
        .map_err(|e| Failure::new(CONNSTR_ERR_INPUT, format!("{NAME}: {e}")))?;
    let form = report::string_form(conn);
    debug_assert!(form != Form::Ini);
    let mut sources = Sources::default();
    let id = sources.add(NAME, None, conn.to_owned());
    let checked = Checker::new()
        .retain(Retain::Everything)
        .check_forms(&mut sources, &[(id, form)]);
    if let Some(u) = checked.unreadable.first() {
        return Err(Failure::new(
            CONNSTR_ERR_INPUT,
            format!("cannot read {}: {}", u.path.display(), u.reason),
        ));
    }
    let mut masks = Masks::default();
    let mut secrets = Vec::new();
    for (sid, spans) in &checked.secrets {
        masks.add(*sid, spans.iter().copied());
        if let Some(src) = sources.get(*sid) {
            secrets.extend(
                spans
                    .iter()
                    .map(|s| s.slice(&src.text).to_owned())
                    .filter(|t| t.len() >= connstr_core::grant::MIN_SCRUB_LEN),
            );
        }
    }
    let target = checked
        .targets
        .iter()
        .find(|t| t.source == id && t.kind != TargetKind::Dsn);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .chain(target.into_iter().flat_map(|t| &t.diagnostics))
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    let plan = target.and_then(|t| t.plan.as_deref());
    let Some(plan) = plan.filter(|_| errors.is_empty()) else {
        let mut message = String::from("the configuration has errors; nothing was requested");
        for d in report::json::json_diagnostics(&sources, &masks, &errors) {
            message.push_str(&format!(
                "\n{}:{}:{}: error[{}]: {}",
                d.source, d.line, d.column, d.lint, d.message
            ));
            if let Some(h) = d.help {
                message.push_str(&format!(" (hint: {h})"));
            }
        }
        if errors.is_empty() {
            message.push_str("\n(hint: `connstr check` shows every problem)");
        }
        return Err(Failure::new(CONNSTR_ERR_CONFIG, message));
    };
    let authorizer = Authorizer::new(plan, SourceOptions::default())
        .map_err(|e| Failure::new(CONNSTR_ERR_CONFIG, e.to_string()))?;
    let source = Source {
        authorizer,
        secrets,
    };
    Ok(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let r = guard(|| panic!("boom"));
        let f = r.expect_err("an error");
        assert_eq!(f.code, CONNSTR_ERR_INTERNAL);
        assert!(f.message.contains("boom"), "{}", f.message);
    }

    #[test]
    fn strings_with_a_nul_are_not_cut() {
        let p = to_c("a\0b");
        // SAFETY: made by to_c just above, freed once.
        let s = unsafe { CString::from_raw(p) };
        assert_eq!(s.to_str().ok(), Some("a\\0b"));
    }
}
