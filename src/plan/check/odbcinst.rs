//! Where a [`Checker`] reads the odbcinst.ini that names the drivers
//! (`Driver=NAME` → a driver section → its library), once per run, for
//! recognising each target's driver.

use std::path::PathBuf;

use super::{Checker, Report, Unreadable};
use crate::plan::recognise::OdbcinstDrivers;

/// Where a [`Checker`] finds the odbcinst.ini that names the drivers.
#[derive(Clone, Debug)]
pub(super) enum OdbcinstFrom {
    /// Nowhere: `Driver=` is judged by its text alone.
    Nowhere,
    /// These files, most important first; missing ones are skipped.
    Machine(Vec<PathBuf>),
    /// This file, given explicitly: unreadable is worth saying.
    Explicit(PathBuf),
    /// Already read.
    Given(OdbcinstDrivers),
}

impl Checker {
    /// The odbcinst.ini drivers, read once per check.
    pub(super) fn read_odbcinst(&self, report: &mut Report) -> OdbcinstDrivers {
        match &self.odbcinst {
            OdbcinstFrom::Nowhere => OdbcinstDrivers::default(),
            OdbcinstFrom::Machine(paths) => OdbcinstDrivers::read(paths),
            OdbcinstFrom::Given(d) => d.clone(),
            OdbcinstFrom::Explicit(path) => match std::fs::read(path) {
                Ok(bytes) => OdbcinstDrivers::parse(
                    &path.display().to_string(),
                    &String::from_utf8_lossy(&bytes),
                ),
                Err(e) => {
                    report.unreadable.push(Unreadable {
                        path: path.clone(),
                        reason: e.to_string(),
                    });
                    OdbcinstDrivers::default()
                }
            },
        }
    }
}
