//! `psqlodbc-ini-spelling`: a psqlODBC key written in an odbc.ini data
//! source under a spelling psqlODBC accepts only in a connection string
//! (`Server`, `UID`, `PWD`, the abbreviations `A0`…).

declare_lint! {
    /// ### What it does
    /// Reports a key of a psqlODBC (PostgreSQL) data source in odbc.ini that
    /// psqlODBC does not read there: `Server` (it reads `Servername`), `UID`
    /// and `User` (it reads `Username`), `PWD` (it reads `Password`), the
    /// abbreviations (`A0` for ReadOnly, `B2` for Debug, …; only `D6` is read,
    /// and NumericAs is read *only* as `D6`), and options psqlODBC takes
    /// only from a connection string. It names the spelling that is read.
    ///
    /// ### Why it matters
    /// In a connection string psqlODBC accepts all these spellings, but from
    /// odbc.ini it asks for each option under one name only (its DSN reader,
    /// `getDSNinfo`). `Server=db.internal` in a data source is silently
    /// ignored and the driver connects to localhost; `PWD=…` is ignored and
    /// the login fails. Nothing says why.
    ///
    /// ### Example
    /// ```text
    /// [pg]
    /// Driver=PostgreSQL Unicode
    /// Server=db.internal
    /// UID=app
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [pg]
    /// Driver=PostgreSQL Unicode
    /// Servername=db.internal
    /// Username=app
    /// ```
    ///
    /// ### References
    /// DRIVERS.md §3.2 (psqlODBC 18.00.0002, `dlg_specific.c`).
    name: "psqlodbc-ini-spelling",
    severity: Error,
    description: "a psqlODBC key in odbc.ini under a spelling psqlODBC does not read there",
}

use crate::diagnostic::{Applicability, Fix, Severity};
use crate::options::ValueKind;
use crate::options::drivers::Profile;
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// The keys psqlODBC reads from an odbc.ini data source (DRIVERS.md §3.2),
/// and the driver manager's.
const READ_IN_INI: &[&str] = &[
    "Description",
    "Servername",
    "Database",
    "Username",
    "Password",
    "Port",
    "Debug",
    "CommLog",
    "ReadOnly",
    "ShowOidColumn",
    "FakeOidIndex",
    "RowVersioning",
    "ShowSystemTables",
    "Protocol",
    "ConnSettings",
    "pqopt",
    "TranslationDLL",
    "TranslationOption",
    "UpdatableCursors",
    "LFConversion",
    "TrueIsMinus1",
    "BI",
    "D6",
    "OptionalErrors",
    "ByteaAsLongVarBinary",
    "UseServerSidePrepare",
    "LowerCaseIdentifier",
    "KeepaliveTime",
    "KeepaliveInterval",
    "BatchSize",
    "IgnoreTimeout",
    "SSLmode",
    "FetchRefcursors",
    "XaOpt",
    "AB",
    "Fetch",
    "UniqueIndex",
    "UnknownSizes",
    "Lie",
    "Parse",
    "UseDeclareFetch",
    "MaxVarcharSize",
    "MaxLongVarcharSize",
    "TextAsLongVarchar",
    "UnknownsAsLongVarchar",
    "BoolsAsChar",
    "ExtraSysTablePrefixes",
    // The driver manager's keys of a data source.
    "Driver",
    "DMEnvAttr",
    "DMConnAttr",
    "DMStmtAttr",
    "Trace",
    "TraceFile",
];

/// Spellings psqlODBC reads in neither place but people write (`User`).
const COMMON_MISTAKES: &[(&str, &str)] = &[("User", "Username")];

/// Whether psqlODBC reads `key` (as written, any case) from an odbc.ini data
/// source (DRIVERS.md §3.2).
pub(crate) fn is_read(key: &str) -> bool {
    READ_IN_INI.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// What psqlODBC makes of `key` in an odbc.ini data source: `None` when it
/// reads it (or the key is not psqlODBC's: unknown-key reports that),
/// `Some(Some(spelling))` when it reads the option under `spelling`,
/// `Some(None)` when it reads the option only from a connection string.
fn ini_spelling(p: &Profile, key: &str) -> Option<Option<&'static str>> {
    let key = key.trim();
    if is_read(key) {
        return None;
    }
    if let Some((_, read)) = COMMON_MISTAKES
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
    {
        return Some(Some(read));
    }
    let (spec, _) = p.resolve_key(key)?;
    if spec.kind == ValueKind::DriverManager {
        return None;
    }
    Some(spec.names().find(|n| is_read(n)))
}

/// Keys of a psqlODBC data source in odbc.ini that psqlODBC does not read.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let Some(p) = cx.driver().filter(|p| p.id == "psqlodbc") else {
        return;
    };
    let set = cx.set;
    for o in set.all() {
        if !cx.is_ini(o) || cx.section(o).is_none() {
            continue;
        }
        let key = o.key().trim();
        let Some(read) = ini_spelling(p, key) else {
            continue;
        };
        let d = match read {
            Some(spelling) => {
                // The read spelling also given in the same section: this
                // one is only redundant (and may disagree with it).
                let also = set.all().iter().any(|q| {
                    q.layer == o.layer && q.key().trim().eq_ignore_ascii_case(spelling)
                });
                let (severity, why) = if also {
                    (Severity::Warning, format!("{spelling} is also given and is the one used"))
                } else {
                    (Severity::Error, "the value is ignored".to_owned())
                };
                let mut d = Diag::new(
                    lints::PSQLODBC_INI_SPELLING,
                    severity,
                    format!(
                        "psqlODBC does not read `{key}` from an odbc.ini data source, only `{spelling}`: {why}"
                    ),
                    o.source(),
                    o.entry.key,
                    format!("not read here: write {spelling}"),
                )
                .help(format!(
                    "write `{spelling}=` (`{key}` works only in a connection string)"
                ))
                .key(key.to_owned())
                .section(cx.section(o));
                if !also {
                    // Password is percent-decoded from odbc.ini: a value
                    // holding `%` may mean something else once read.
                    let applicability = if o.value().contains('%') {
                        Applicability::Unsafe
                    } else {
                        Applicability::Safe
                    };
                    d = d.fix(
                        Fix::new(format!("rename {key} to {spelling}"), applicability).edit(
                            o.source(),
                            o.entry.key,
                            spelling,
                        ),
                    );
                }
                d
            }
            None => Diag::new(
                lints::PSQLODBC_INI_SPELLING,
                Severity::Warning,
                format!(
                    "psqlODBC reads `{key}` only from a connection string, not from an odbc.ini data source: the value is ignored"
                ),
                o.source(),
                o.entry.key,
                "not read from odbc.ini",
            )
            .help(format!(
                "give `{key}` in the connection string (`DSN=…;{key}=…`), or remove it"
            ))
            .key(key.to_owned())
            .section(cx.section(o)),
        };
        cx.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_read_list_has_no_connection_string_only_spelling() {
        for k in ["Server", "UID", "PWD", "A0", "B2", "NumericAs", "User"] {
            assert!(!is_read(k), "{k}");
        }
        for k in [
            "servername",
            "USERNAME",
            "password",
            "d6",
            "SSLmode",
            "Driver",
        ] {
            assert!(is_read(k), "{k}");
        }
    }

    #[test]
    fn spellings_against_the_psqlodbc_profile() {
        let p = crate::options::drivers::profile("psqlodbc").expect("the psqlODBC profile");
        assert_eq!(ini_spelling(p, "Server"), Some(Some("Servername")));
        assert_eq!(ini_spelling(p, "uid"), Some(Some("Username")));
        assert_eq!(ini_spelling(p, "User"), Some(Some("Username")));
        assert_eq!(ini_spelling(p, "PWD"), Some(Some("Password")));
        assert_eq!(ini_spelling(p, "A0"), Some(Some("ReadOnly")));
        assert_eq!(ini_spelling(p, "NumericAs"), Some(Some("D6")));
        assert_eq!(ini_spelling(p, "Servername"), None);
        assert_eq!(ini_spelling(p, "D6"), None);
        assert_eq!(ini_spelling(p, "Frobnicate"), None);
        assert_eq!(ini_spelling(p, "CX"), Some(None));
    }
}
