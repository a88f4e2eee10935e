//! The C interface of connstr: `libconnstr.so`, `libconnstr.a` and
//! `include/connstr.h` (generated from this file by cbindgen; `tests/header.rs`
//! fails when the committed header is stale, `BLESS=1` rewrites it).
//!
//! Contract, for every function:
//! - thread-safe: any function may be called from any thread at any time; a
//!   `connstr_source` may be shared by threads (not while being freed);
//! - every `char *` handed out is owned by the caller and freed with
//!   `connstr_string_free` (which accepts NULL); out pointers are set to NULL
//!   (and numbers to 0) on entry, so they may be freed whatever is returned;
//! - 0 on success, a negative `CONNSTR_ERR_*` code on failure with a message in
//!   `*error` when `error` is not NULL (`connstr_check`/`connstr_explain`
//!   return 1 for "ran, found errors");
//! - messages are the library's typed errors with their hints and never hold a
//!   secret; a panic is caught and returned as `CONNSTR_ERR_INTERNAL`;
//! - NULL for a required argument is `CONNSTR_ERR_NULL`, never a crash.

#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]

mod imp;

use std::ffi::{c_char, c_int};

use imp::{Failure, arg, clear, guard, out_arg, put};

/// A required argument was NULL.
pub const CONNSTR_ERR_NULL: c_int = -1;
/// A string argument is not valid UTF-8.
pub const CONNSTR_ERR_UTF8: c_int = -2;
/// The input could not be used: over the size limits, an odbc.ini needed for
/// `DSN=` unreadable, a URL that does not parse.
pub const CONNSTR_ERR_INPUT: c_int = -3;
/// The configuration has errors (the message lists them) or uses a method
/// connstr does not apply.
pub const CONNSTR_ERR_CONFIG: c_int = -4;
/// Getting a token failed (the message has the server's OAuth error code, e.g.
/// `invalid_client`, and a hint).
pub const CONNSTR_ERR_TOKEN: c_int = -5;
/// The configuration does not use OAuth 2.0 tokens (`connstr_source_token`).
pub const CONNSTR_ERR_NOT_OAUTH: c_int = -6;
/// The credentials cannot be put on the request (e.g. a control character in
/// a header value).
pub const CONNSTR_ERR_APPLY: c_int = -7;
/// A bug inside connstr (a caught panic), or the runtime could not start.
pub const CONNSTR_ERR_INTERNAL: c_int = -8;

/// A token source for one configuration: created by `connstr_source_new`,
/// freed by `connstr_source_free`. Opaque; shareable between threads.
pub struct connstr_source {
    inner: imp::Source,
}

/// Report a failure: its code, and its message in `*error` (when not NULL).
///
/// # Safety
/// `error` is NULL or valid for writes.
unsafe fn finish(result: Result<c_int, Failure>, error: *mut *mut c_char) -> c_int {
    match result {
        Ok(code) => code,
        Err(f) => {
            // SAFETY: forwarded from the caller's contract.
            unsafe { put(error, &f.message) };
            f.code
        }
    }
}

/// The document of check/explain on failure: `{"error":{"code":…,"message":…}}`.
fn error_document(f: &Failure) -> String {
    serde_json::json!({"error": {"code": f.code, "message": f.message}}).to_string()
}

/// Shared body of `connstr_check` and `connstr_explain`.
///
/// # Safety
/// As `connstr_check`.
unsafe fn run_report(
    text: *const c_char,
    origin: *const c_char,
    out: *mut *mut c_char,
    run: fn(
        &str,
        &str,
    ) -> Result<connstr_core::report::JsonOutcome, connstr_core::report::ReportError>,
) -> c_int {
    // SAFETY: `out` is NULL or writable (caller's contract).
    unsafe { clear(out) };
    let result = guard(|| {
        out_arg(out, "out")?;
        // SAFETY: NULL or NUL-terminated strings (caller's contract).
        let text = unsafe { arg(text, "text") }?;
        let origin = if origin.is_null() {
            "<string>"
        } else {
            // SAFETY: as above.
            unsafe { arg(origin, "origin") }?
        };
        let outcome =
            run(origin, text).map_err(|e| Failure::new(CONNSTR_ERR_INPUT, e.to_string()))?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out, &outcome.json) };
        Ok(c_int::from(outcome.has_errors))
    });
    match result {
        Ok(code) => code,
        Err(f) => {
            // SAFETY: as above.
            unsafe { put(out, &error_document(&f)) };
            f.code
        }
    }
}

/// Check one input as `connstr check --format json` does.
///
/// `text` is a connection string, a JDBC URL or a whole odbc.ini; its form is
/// detected as the CLI detects a file's, with `origin` as the file name (an
/// `origin` ending in `.ini` is an odbc.ini, `.jdbc` a JDBC URL; otherwise the
/// content decides). `origin` names the input in diagnostics and may be NULL
/// (`<string>`). `DSN=` is resolved against the machine's odbc.ini files
/// (`$ODBCINI`, `~/.odbc.ini`, `$ODBCSYSINI/odbc.ini`, `/etc/odbc.ini`).
///
/// `*report_json` receives the JSON document (`{"diagnostics":[…],
/// "summary":{"errors":N,"warnings":N}}`, secrets never included).
///
/// Returns 0 when there is no error, 1 when there are errors, a negative
/// `CONNSTR_ERR_*` code when it could not run; then `*report_json` holds
/// `{"error":{"code":N,"message":"…"}}` (unless `report_json` is NULL, which
/// is `CONNSTR_ERR_NULL`).
///
/// # Safety
/// `text` and `origin` are NULL or NUL-terminated strings; `report_json` is
/// NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn connstr_check(
    text: *const c_char,
    origin: *const c_char,
    report_json: *mut *mut c_char,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { run_report(text, origin, report_json, connstr_core::report::check_one) }
}

/// Explain one input as `connstr explain --format json` does: each target's
/// resolved plan (method, grant, token endpoint, client id, scope, where each
/// value came from; secret values as `<redacted>`) and its diagnostics.
///
/// Inputs, return values and `*plan_json` on failure as `connstr_check`; 1
/// also when a target has no plan.
///
/// # Safety
/// As `connstr_check`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn connstr_explain(
    text: *const c_char,
    origin: *const c_char,
    plan_json: *mut *mut c_char,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { run_report(text, origin, plan_json, connstr_core::report::explain_one) }
}

/// Make a token source for a configuration: `conn` is an ODBC connection
/// string or a JDBC URL; `DSN=` is resolved against the machine's odbc.ini
/// files (`$ODBCINI` first). Tokens are kept in the default token store
/// (`$CONNSTR_TOKEN_STORE`, else `$XDG_STATE_HOME/connstr/tokens.json`), shared
/// with the `connstr` CLI and other processes.
///
/// Nothing is requested yet. On success `*out` is the source (free it with
/// `connstr_source_free`). On failure `*out` is NULL and `*error` (when not
/// NULL) says why: `CONNSTR_ERR_CONFIG` lists the configuration's errors with
/// their hints, as `connstr check` would.
///
/// # Safety
/// `conn` is NULL or a NUL-terminated string; `out` and `error` are NULL or
/// valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn connstr_source_new(
    conn: *const c_char,
    out: *mut *mut connstr_source,
    error: *mut *mut c_char,
) -> c_int {
    // SAFETY: caller's contract: NULL or writable.
    unsafe { clear(error) };
    if !out.is_null() {
        // SAFETY: as above.
        unsafe { *out = std::ptr::null_mut() };
    }
    let result = guard(|| {
        out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let conn = unsafe { arg(conn, "conn") }?;
        let inner = imp::new_source(conn)?;
        let handle = Box::into_raw(Box::new(connstr_source { inner }));
        // SAFETY: checked non-NULL above.
        unsafe { *out = handle };
        Ok(0)
    });
    // SAFETY: as above.
    unsafe { finish(result, error) }
}

/// A fresh access token for the source's configuration. Blocks until it has
/// one: the cached token while it is fresh (refreshed 60 s before it expires,
/// at most half its lifetime), else from the token store or the token
/// endpoint. However many threads ask at once, one request is in flight; a
/// rotated refresh token is saved to the store before the token is returned.
///
/// `*access_token` receives the token (a secret: do not log it);
/// `*expires_at` (when not NULL) its expiry in Unix seconds, 0 when the server
/// did not say. On failure `*error` has the message: for a token endpoint
/// error, its OAuth error code (`invalid_client`, `invalid_grant`, …) and a
/// hint.
///
/// # Safety
/// `s` is NULL or a live source; the out pointers are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn connstr_source_token(
    s: *mut connstr_source,
    access_token: *mut *mut c_char,
    expires_at: *mut i64,
    error: *mut *mut c_char,
) -> c_int {
    // SAFETY: caller's contract: NULL or writable.
    unsafe {
        clear(access_token);
        clear(error);
        if !expires_at.is_null() {
            *expires_at = 0;
        }
    }
    let result = guard(|| {
        // SAFETY: NULL or a live source (caller's contract).
        let source = unsafe { source_arg(s) }?;
        out_arg(access_token, "access_token")?;
        let (token, at) = source.inner.token()?;
        // SAFETY: checked above / caller's contract.
        unsafe {
            put(access_token, &token);
            if !expires_at.is_null() {
                *expires_at = at;
            }
        }
        Ok(0)
    });
    // SAFETY: as above.
    unsafe { finish(result, error) }
}

/// What to add to a data request of `method` (e.g. `GET`) to `url`, for the
/// source's AuthenticationMethod: `*headers_json` receives a JSON object of
/// header names to values (e.g. `{"Authorization":"Bearer …"}`; `{}` for
/// none), `*final_url` the URL to request (with the token parameter added for
/// UrlParameter). OAuth 2.0 tokens are obtained as by `connstr_source_token`.
/// Both results hold secrets. Either out pointer may be NULL if not wanted.
///
/// # Safety
/// `s` is NULL or a live source; `method` and `url` are NULL or
/// NUL-terminated strings; the out pointers are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn connstr_authorize(
    s: *mut connstr_source,
    method: *const c_char,
    url: *const c_char,
    headers_json: *mut *mut c_char,
    final_url: *mut *mut c_char,
    error: *mut *mut c_char,
) -> c_int {
    // SAFETY: caller's contract: NULL or writable.
    unsafe {
        clear(headers_json);
        clear(final_url);
        clear(error);
    }
    let result = guard(|| {
        // SAFETY: caller's contract.
        let source = unsafe { source_arg(s) }?;
        // SAFETY: caller's contract.
        let method = unsafe { arg(method, "method") }?;
        // SAFETY: caller's contract.
        let url = unsafe { arg(url, "url") }?;
        let (headers, url) = source.inner.authorize(method, url)?;
        // SAFETY: caller's contract.
        unsafe {
            put(headers_json, &headers);
            put(final_url, &url);
        }
        Ok(0)
    });
    // SAFETY: as above.
    unsafe { finish(result, error) }
}

/// Free a source (NULL is ignored). No other thread may use it meanwhile or
/// after. Tokens already saved in the token store stay there.
///
/// # Safety
/// `s` is NULL or a source from `connstr_source_new`, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn connstr_source_free(s: *mut connstr_source) {
    if s.is_null() {
        return;
    }
    // SAFETY: made by Box::into_raw in connstr_source_new (caller's contract).
    let boxed = unsafe { Box::from_raw(s) };
    // Dropping must not unwind into C either.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(boxed)));
}

/// Free a string returned by any connstr function (NULL is ignored). Strings
/// from connstr must be freed with this, never with `free()`.
///
/// # Safety
/// `s` is NULL or a string from connstr, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn connstr_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    // SAFETY: made by CString::into_raw in this library (caller's contract).
    drop(unsafe { std::ffi::CString::from_raw(s) });
}

/// The library's version, e.g. `0.1.0`: a static string, not to be freed.
#[unsafe(no_mangle)]
pub extern "C" fn connstr_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// A source argument.
///
/// # Safety
/// `s` is NULL or a live source.
unsafe fn source_arg<'a>(s: *mut connstr_source) -> Result<&'a connstr_source, Failure> {
    if s.is_null() {
        return Err(Failure::new(
            CONNSTR_ERR_NULL,
            "`s` is NULL (hint: make a source with connstr_source_new and check its return value)",
        ));
    }
    // SAFETY: non-NULL and live (caller's contract); only shared access.
    Ok(unsafe { &*s })
}
