//! What the driver manager lists, beside where each item comes from in the files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use odbc_api::handles::{Environment, SqlResult};
use odbc_api::sys::{AttrOdbcVersion, FetchOrientation, SQLDataSources, SQLDrivers, SqlReturn};
use serde::Serialize;

use super::connect::OdbcError;
use super::files::{DriverManagerFiles, IniText, find_section, line_of};

/// A place in an ini file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IniLocation {
    /// The file.
    pub file: PathBuf,
    /// 1-based line of the `[section]` header.
    pub line: usize,
}

/// One driver, as `SQLDrivers` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DriverListing {
    /// The driver's name (its odbcinst.ini section).
    pub name: String,
    /// Its attributes as the driver manager reports them.
    pub attributes: BTreeMap<String, String>,
    /// Where its section is, when connstr finds it in the odbcinst.ini it expects.
    pub origin: Option<IniLocation>,
}

/// Whether a DSN comes from the user or the system file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DsnScope {
    /// The user odbc.ini.
    User,
    /// The system odbc.ini.
    System,
}

/// One data source, as `SQLDataSources` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DsnListing {
    /// The DSN's name.
    pub name: String,
    /// The driver the driver manager reports for it (the section's `Driver=`).
    pub driver: String,
    /// Which file it comes from.
    pub scope: DsnScope,
    /// Where its section is, when connstr finds it in the file it expects.
    pub origin: Option<IniLocation>,
    /// A system DSN hidden by a user DSN of the same name: connecting by this
    /// name uses the user one.
    pub hidden: bool,
}

/// Every driver the driver manager lists, with its odbcinst.ini section.
///
/// `paths` should be [`DriverManagerFiles::from_env`]: the files the driver manager in
/// this process reads.
pub fn list_drivers(paths: &DriverManagerFiles) -> Result<Vec<DriverListing>, OdbcError> {
    let env = environment()?;
    let drivers = enumerate(&env, FetchOrientation::First, "SQLDrivers", SQLDrivers)?;
    let inst = read_optional(&paths.odbcinst_ini);
    Ok(drivers
        .into_iter()
        .map(|(name, attrs)| DriverListing {
            origin: locate(inst.as_ref(), &name),
            name,
            attributes: parse_attributes(&attrs),
        })
        .collect())
}

/// Every data source the driver manager lists, user ones first, with its
/// odbc.ini section.
pub fn list_data_sources(paths: &DriverManagerFiles) -> Result<Vec<DsnListing>, OdbcError> {
    let env = environment()?;
    let fetch = |first| enumerate(&env, first, "SQLDataSources", SQLDataSources);
    let user = fetch(FetchOrientation::FirstUser)?;
    let system = fetch(FetchOrientation::FirstSystem)?;
    let user_file = paths.user_ini.as_deref().and_then(read_optional);
    let system_file = read_optional(&paths.system_ini);
    let mut out = Vec::with_capacity(user.len() + system.len());
    for (name, driver) in &user {
        out.push(DsnListing {
            origin: locate(user_file.as_ref(), name),
            name: name.clone(),
            driver: nul_terminated(driver),
            scope: DsnScope::User,
            hidden: false,
        });
    }
    for (name, driver) in system {
        let hidden = user.iter().any(|(u, _)| u.eq_ignore_ascii_case(&name));
        out.push(DsnListing {
            origin: locate(system_file.as_ref(), &name),
            name,
            driver: nul_terminated(&driver),
            scope: DsnScope::System,
            hidden,
        });
    }
    Ok(out)
}

/// `SQLDrivers` and `SQLDataSources` share this shape.
type ListFn = unsafe extern "system" fn(
    odbc_api::sys::HEnv,
    FetchOrientation,
    *mut u8,
    i16,
    *mut i16,
    *mut u8,
    i16,
    *mut i16,
) -> SqlReturn;

fn environment() -> Result<Environment, OdbcError> {
    let env = match Environment::new() {
        SqlResult::Success(env) | SqlResult::SuccessWithInfo(env) => env,
        _ => {
            return Err(OdbcError::Environment(
                "SQLAllocHandle(SQL_HANDLE_ENV) failed".into(),
            ));
        }
    };
    if env.declare_version(AttrOdbcVersion::Odbc3).is_err() {
        return Err(OdbcError::Environment(
            "the driver manager refused ODBC version 3".into(),
        ));
    }
    Ok(env)
}

/// Walk `SQLDrivers` or `SQLDataSources` from `first`, returning each pair of
/// (name, second buffer as raw bytes).
///
/// connstr does this itself instead of calling odbc-api's `drivers()` and
/// `data_sources()`: with unixODBC 2.3.11, odbc-api 29.3 sizes the attribute
/// buffer without room for its final NUL (the heap is corrupted and glibc
/// aborts) and sizes data source names by the driver list (long DSN names are
/// cut). Here the buffers start large and grow whenever the driver manager
/// says a value did not fit, restarting the walk.
fn enumerate(
    env: &Environment,
    first: FetchOrientation,
    function: &str,
    list: ListFn,
) -> Result<Vec<(String, Vec<u8>)>, OdbcError> {
    const NO_DATA: SqlReturn = SqlReturn(100);
    let mut cap1: usize = 512;
    let mut cap2: usize = 8192;
    'restart: loop {
        let mut out = Vec::new();
        let mut b1 = vec![0u8; cap1];
        let mut b2 = vec![0u8; cap2];
        let mut dir = first;
        loop {
            let (mut l1, mut l2) = (0i16, 0i16);
            b1.fill(0);
            b2.fill(0);
            let c1 = i16::try_from(b1.len()).unwrap_or(i16::MAX);
            let c2 = i16::try_from(b2.len()).unwrap_or(i16::MAX);
            // SAFETY: `env` is a live environment handle; each buffer is
            // writable for the length passed with it and the two lengths are
            // writable i16s, for the whole call. The handle is not shared with
            // another thread while the walk runs.
            let ret = unsafe {
                list(
                    env.as_raw(),
                    dir,
                    b1.as_mut_ptr(),
                    c1,
                    &mut l1,
                    b2.as_mut_ptr(),
                    c2,
                    &mut l2,
                )
            };
            if ret == NO_DATA {
                return Ok(out);
            }
            if ret != SqlReturn::SUCCESS && ret != SqlReturn::SUCCESS_WITH_INFO {
                return Err(OdbcError::List(format!("{function} failed ({})", ret.0)));
            }
            let (n1, n2) = (
                usize::try_from(l1).unwrap_or(0),
                usize::try_from(l2).unwrap_or(0),
            );
            // Room for the value, its NUL and (attributes) the final NUL.
            if n1 + 2 > b1.len() || n2 + 2 > b2.len() {
                if cap1 >= 32_000 || cap2 >= 32_000 {
                    return Err(OdbcError::List(format!("{function}: a value is too long")));
                }
                cap1 = cap1.max(n1 + 2).saturating_mul(2).min(32_000);
                cap2 = cap2.max(n2 + 2).saturating_mul(2).min(32_000);
                continue 'restart;
            }
            out.push((nul_terminated(&b1), b2[..n2.min(b2.len())].to_vec()));
            dir = FetchOrientation::Next;
        }
    }
}

/// The text before the first NUL.
fn nul_terminated(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// `key=value` pairs separated by NULs, as `SQLDrivers` returns attributes.
fn parse_attributes(bytes: &[u8]) -> BTreeMap<String, String> {
    bytes
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let text = String::from_utf8_lossy(p);
            match text.split_once('=') {
                Some((k, v)) => (k.to_owned(), v.to_owned()),
                None => (text.into_owned(), String::new()),
            }
        })
        .collect()
}

fn read_optional(path: &Path) -> Option<IniText> {
    IniText::read(path).ok().flatten()
}

fn locate(file: Option<&IniText>, section: &str) -> Option<IniLocation> {
    let file = file?;
    let doc = file.parse();
    let s = find_section(&doc, section)?;
    Some(IniLocation {
        file: file.path.clone(),
        line: line_of(doc.source(), s.header.start()),
    })
}
