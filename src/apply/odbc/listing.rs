//! What the driver manager lists, beside where each item comes from in the files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use odbc_api::Environment;
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
    let env = Environment::new().map_err(|e| OdbcError::Environment(e.to_string()))?;
    let drivers = env.drivers().map_err(|e| OdbcError::List(e.to_string()))?;
    let inst = read_optional(&paths.odbcinst_ini);
    Ok(drivers
        .into_iter()
        .map(|d| DriverListing {
            origin: locate(inst.as_ref(), &d.description),
            name: d.description,
            attributes: d.attributes.into_iter().collect(),
        })
        .collect())
}

/// Every data source the driver manager lists, user ones first, with its
/// odbc.ini section.
pub fn list_data_sources(paths: &DriverManagerFiles) -> Result<Vec<DsnListing>, OdbcError> {
    let env = Environment::new().map_err(|e| OdbcError::Environment(e.to_string()))?;
    let list = |e: odbc_api::Error| OdbcError::List(e.to_string());
    let user = env.user_data_sources().map_err(list)?;
    let system = env.system_data_sources().map_err(list)?;
    let user_file = paths.user_ini.as_deref().and_then(read_optional);
    let system_file = read_optional(&paths.system_ini);
    let mut out = Vec::with_capacity(user.len() + system.len());
    for d in &user {
        out.push(DsnListing {
            name: d.server_name.clone(),
            driver: d.driver.clone(),
            scope: DsnScope::User,
            origin: locate(user_file.as_ref(), &d.server_name),
            hidden: false,
        });
    }
    for d in system {
        let hidden = user
            .iter()
            .any(|u| u.server_name.eq_ignore_ascii_case(&d.server_name));
        out.push(DsnListing {
            origin: locate(system_file.as_ref(), &d.server_name),
            name: d.server_name,
            driver: d.driver,
            scope: DsnScope::System,
            hidden,
        });
    }
    Ok(out)
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
        line: line_of(doc.source(), s.header.start),
    })
}
