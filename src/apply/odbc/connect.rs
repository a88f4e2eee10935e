//! Connecting through the driver manager, and showing what came back without
//! its secrets.

use odbc_api::buffers::TextRowSet;
use odbc_api::handles::OutputStringBuffer;
use odbc_api::sys::{InfoType, SQLGetInfo, SqlReturn};
use odbc_api::{Cursor, DriverCompleteOption, Environment};

use crate::options::{is_secret_key, secret_spans};
use crate::syntax::{Span, parse_connection_string};
use crate::{REDACTED, Secret};

/// What went wrong talking to the driver manager. Messages have every secret
/// value of the connection string replaced by `<redacted>`.
#[derive(Debug, thiserror::Error)]
pub enum OdbcError {
    /// The ODBC environment could not be set up (is unixODBC installed?).
    #[error("cannot set up the ODBC environment: {0}")]
    Environment(String),
    /// `SQLDriverConnect` failed.
    #[error("connecting failed: {0}")]
    Connect(String),
    /// Running the query failed.
    #[error("the query failed: {0}")]
    Query(String),
    /// Listing drivers or data sources failed.
    #[error("listing failed: {0}")]
    List(String),
}

/// What [`connect`] does besides connecting.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// A statement to run, whose result set is returned.
    pub query: Option<String>,
    /// At most this many rows are kept (the rest are counted).
    pub max_rows: usize,
    /// Longest text kept per cell, in bytes.
    pub max_cell: usize,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            query: None,
            max_rows: 1000,
            max_cell: 4096,
        }
    }
}

/// A result set as text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows; `None` is SQL NULL.
    pub rows: Vec<Vec<Option<String>>>,
    /// Rows fetched but not kept ([`ConnectOptions::max_rows`]).
    pub rows_omitted: usize,
}

/// What a successful [`connect`] learned.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ConnectReport {
    /// `SQL_DRIVER_NAME`: the driver's library file name.
    pub driver_name: String,
    /// `SQL_DRIVER_VER`.
    pub driver_version: String,
    /// `SQL_DBMS_NAME`.
    pub dbms_name: String,
    /// `SQL_DBMS_VER`.
    pub dbms_version: String,
    /// The completed connection string the driver returned, secrets masked.
    pub completed: String,
    /// The query's result set, when a query was given and returned one.
    pub table: Option<Table>,
}

/// Connect through the driver manager with `connection_string` (no prompt),
/// read the driver's name and version, and run [`ConnectOptions::query`].
///
/// ```no_run
/// use connstr::Secret;
/// use connstr::apply::odbc::{ConnectOptions, connect};
/// let opts = ConnectOptions { query: Some("SELECT 1".into()), ..Default::default() };
/// let report = connect(&Secret::new("DSN=sales"), &opts)?;
/// println!("{} {}", report.driver_name, report.driver_version);
/// # Ok::<(), connstr::apply::odbc::OdbcError>(())
/// ```
pub fn connect(
    connection_string: &Secret,
    opts: &ConnectOptions,
) -> Result<ConnectReport, OdbcError> {
    let secrets = secret_values(connection_string.expose());
    let scrub = |e: odbc_api::Error| scrub(&e.to_string(), &secrets);
    let env = Environment::new().map_err(|e| OdbcError::Environment(scrub(e)))?;
    let mut completed = OutputStringBuffer::with_buffer_size(4096);
    let conn = env
        .driver_connect(
            connection_string.expose(),
            &mut completed,
            DriverCompleteOption::NoPrompt,
        )
        .map_err(|e| OdbcError::Connect(scrub(e)))?;
    let completed = redact_connection_string(&completed.to_utf8());
    let dbms_name = conn.database_management_system_name().unwrap_or_default();

    let table = match &opts.query {
        Some(q) => match conn.execute(q, (), None) {
            Ok(Some(cursor)) => {
                Some(read_table(cursor, opts).map_err(|e| OdbcError::Query(scrub(e)))?)
            }
            Ok(None) => None,
            Err(e) => return Err(OdbcError::Query(scrub(e))),
        },
        None => None,
    };

    let mut handle = conn.into_handle();
    let hdbc = handle.as_sys();
    let driver_name = get_info_string(hdbc, InfoType::DriverName);
    let driver_version = get_info_string(hdbc, InfoType::DriverVer);
    let dbms_version = get_info_string(hdbc, InfoType::DbmsVer);
    if handle.disconnect().is_err() {
        // Leave no transaction open that would make SQLDisconnect fail again.
        let _ = handle.rollback();
        if handle.disconnect().is_err() {
            // Freeing a handle that is still connected panics inside odbc-api;
            // leaking it until the process ends is the lesser evil.
            std::mem::forget(handle);
        }
    }
    Ok(ConnectReport {
        driver_name,
        driver_version,
        dbms_name,
        dbms_version,
        completed,
        table,
    })
}

fn read_table(mut cursor: impl Cursor, opts: &ConnectOptions) -> Result<Table, odbc_api::Error> {
    let columns = cursor.column_names()?.collect::<Result<Vec<_>, _>>()?;
    let buffer = TextRowSet::for_cursor(256, &mut cursor, Some(opts.max_cell))?;
    let mut block = cursor.bind_buffer(buffer)?;
    let mut rows = Vec::new();
    let mut rows_omitted = 0;
    while let Some(batch) = block.fetch()? {
        for r in 0..batch.num_rows() {
            if rows.len() >= opts.max_rows {
                rows_omitted += 1;
                continue;
            }
            let row = (0..batch.num_cols())
                .map(|c| {
                    batch
                        .at(c, r)
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                })
                .collect();
            rows.push(row);
        }
    }
    Ok(Table {
        columns,
        rows,
        rows_omitted,
    })
}

/// A character-valued `SQLGetInfo`, through the narrow (UTF-8) entry point;
/// empty when the driver does not answer.
fn get_info_string(hdbc: odbc_api::sys::HDbc, info: InfoType) -> String {
    let mut buf = vec![0u8; 512];
    let mut len: i16 = 0;
    let cap = i16::try_from(buf.len()).unwrap_or(i16::MAX);
    // SAFETY: `hdbc` is a live, connected handle owned by the caller; `buf` is
    // writable for `cap` bytes and `len` for an i16, for the whole call.
    let ret = unsafe { SQLGetInfo(hdbc, info, buf.as_mut_ptr().cast(), cap, &mut len) };
    if ret != SqlReturn::SUCCESS && ret != SqlReturn::SUCCESS_WITH_INFO {
        return String::new();
    }
    let written = usize::try_from(len)
        .unwrap_or(0)
        .min(buf.len().saturating_sub(1));
    let text = &buf[..written];
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    String::from_utf8_lossy(text).into_owned()
}

/// `connection_string` printed back with every secret value replaced by
/// `<redacted>`: the values of secret keys
/// ([`options::is_secret_key`](crate::options::is_secret_key)) and secrets
/// swallowed by another value ([`options::secret_spans`](crate::options::secret_spans)).
///
/// ```
/// use connstr::apply::odbc::redact_connection_string;
/// assert_eq!(
///     redact_connection_string("DSN=x;PWD={a;b};AccessToken=eyJ;Database=/tmp/t.db"),
///     "DSN=x;PWD={<redacted>};AccessToken=<redacted>;Database=/tmp/t.db"
/// );
/// ```
pub fn redact_connection_string(connection_string: &str) -> String {
    let doc = parse_connection_string(connection_string);
    let src = doc.source();
    let mut spans = secret_spans(&doc);
    spans.sort();
    let mut out = String::with_capacity(src.len());
    let mut at = 0;
    for s in spans {
        if s.start() < at {
            continue;
        }
        out.push_str(Span::new(at, s.start()).slice(src));
        out.push_str(REDACTED);
        at = s.end();
    }
    out.push_str(Span::new(at, src.len()).slice(src));
    // Text the parser could not read as pairs may still hold a secret: scrub
    // every secret value found anywhere.
    scrub(&out, &secret_values(connection_string))
}

/// The values of the secret keys of `connection_string`.
pub(crate) fn secret_values(connection_string: &str) -> Vec<String> {
    let doc = parse_connection_string(connection_string);
    let src = doc.source();
    let mut v: Vec<String> = doc
        .entries()
        .filter(|e| is_secret_key(e.key_str(src)))
        .flat_map(|e| {
            [
                e.value_str(src).into_owned(),
                e.raw_value.slice(src).to_owned(),
            ]
        })
        .filter(|v| !v.is_empty())
        .collect();
    // Longest first, so a secret that contains another is masked whole.
    v.sort_by_key(|s| std::cmp::Reverse(s.len()));
    v.dedup();
    v
}

/// `text` with every occurrence of each of `secrets` replaced by `<redacted>`.
pub(crate) fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), REDACTED);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_masks_secrets_inside_free_text() {
        let secrets = secret_values("Driver=x;Password=hunter2;ClientSecret={s;3}");
        let msg = "[driver] login failed for hunter2 with {s;3} and s;3";
        let out = scrub(msg, &secrets);
        assert!(!out.contains("hunter2") && !out.contains("s;3"), "{out}");
    }

    #[test]
    fn redaction_keeps_non_secrets() {
        let s = redact_connection_string("Driver={SQLite3};Database=/tmp/a.db;Timeout=100");
        assert_eq!(s, "Driver={SQLite3};Database=/tmp/a.db;Timeout=100");
    }
}
