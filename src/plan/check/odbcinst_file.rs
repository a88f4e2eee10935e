//! An odbcinst.ini given to `connstr check` as an input (a file named
//! `odbcinst.ini` or `.odbcinst.ini`): its sections are not data sources,
//! so none becomes a target and no data-source lint runs on it (no auth
//! plan, no `[ODBC Data Sources]` list to match). Each section is judged
//! by what unixODBC reads there (DRIVERS.md §1.3, §1.4):
//!
//! * `[ODBC]`: the driver manager's globals (the `odbc` profile);
//! * `[ODBC Drivers]`: a list of driver names (iODBC, Microsoft), not read;
//! * any other section: a driver, judged by the `odbcinst` profile and,
//!   for its driver-private keys (psqlODBC's `Debug`, Microsoft's
//!   `AKVTrustedEndpoints`), by the profile of the driver its library or
//!   name shows.
//!
//! What is reported: keys neither reads (`unknown-key`, with a did-you-mean
//! and a rename fix when one key is surely meant; in the section of a driver
//! connstr has no profile for, only a key close to a driver-manager key, as
//! that driver may read keys of its own), values those profiles do not take
//! (`invalid-value`), a driver section naming no library (`missing-required`:
//! unixODBC reads `Driver64`, then `Driver`, and fails without either),
//! a key or a section given twice (`duplicate-key`: unixODBC reads the
//! first), and syntax errors.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity, SourceId};
use crate::options::drivers::{Profile, by_driver_name, by_library, profile};
use crate::options::{OptionSpec, suggestions_in};
use crate::syntax::{Entry, Section, parse_ini};

use super::secrets::ini_secret_spans;
use super::{Checker, Report};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::plan::lints::syntax::ini_syntax_diagnostic;

/// Whether an input named `name` (a path) is an odbcinst.ini: its file name
/// is `odbcinst.ini` or `.odbcinst.ini` (any case).
///
/// ```
/// use connstr::plan::is_odbcinst_name;
/// assert!(is_odbcinst_name("/etc/odbcinst.ini") && is_odbcinst_name("/home/me/.odbcinst.ini"));
/// assert!(!is_odbcinst_name("/etc/odbc.ini") && !is_odbcinst_name("my-odbcinst.ini.bak"));
/// ```
pub fn is_odbcinst_name(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    base.eq_ignore_ascii_case("odbcinst.ini") || base.eq_ignore_ascii_case(".odbcinst.ini")
}

/// Whether an input named `name` holding `text` is an odbcinst.ini: by its
/// name ([`is_odbcinst_name`]), or, whatever it is called (a template, a
/// copy kept in a repository), by an `[ODBC Drivers]` section — the list of
/// installed drivers, which only odbcinst.ini has.
///
/// ```
/// use connstr::plan::is_odbcinst;
/// let text = "[ODBC Drivers]\nPostgreSQL Unicode = Installed\n\n[PostgreSQL Unicode]\nDriver = psqlodbcw.so\n";
/// assert!(is_odbcinst("docker/drivers.ini", text));
/// assert!(!is_odbcinst("odbc.ini", "[ODBC Data Sources]\npg = PostgreSQL Unicode\n"));
/// ```
pub fn is_odbcinst(name: &str, text: &str) -> bool {
    is_odbcinst_name(name) || lists_drivers(text)
}

/// Whether `text` has an `[ODBC Drivers]` header line (any case, blanks
/// around it): found by searching for its end, so a large odbc.ini costs a
/// fast scan and no line walk.
fn lists_drivers(text: &str) -> bool {
    let bytes = text.as_bytes();
    ["rivers]", "RIVERS]"].iter().any(|needle| {
        memchr::memmem::find_iter(bytes, needle.as_bytes()).any(|at| {
            let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            text.get(start..end).is_some_and(|line| {
                line.trim_start_matches('\u{feff}')
                    .trim()
                    .eq_ignore_ascii_case("[ODBC Drivers]")
            })
        })
    })
}

/// What a section of an odbcinst.ini is.
enum Kind {
    /// `[ODBC]`: the driver manager's globals.
    Globals(&'static Profile),
    /// `[ODBC Drivers]`: driver names, not options.
    DriverList,
    /// A driver: the section profile, and the driver's own profile when
    /// its library or name shows one.
    Driver(&'static Profile, Option<&'static Profile>),
}

impl Checker {
    /// The problems of odbcinst.ini input `id` (text `text`), into
    /// `report.diagnostics`; its secret spans into `report.secrets`.
    pub(super) fn check_odbcinst_file(&self, id: SourceId, text: &str, report: &mut Report) {
        let doc = parse_ini(text);
        report.secrets.insert(id, ini_secret_spans(&doc));
        let sections: Vec<&Section> = doc.sections().collect();
        let name_of = |i: usize| sections.get(i).map(|s| s.name.slice(text));
        for e in doc.errors() {
            let section = sections
                .iter()
                .rposition(|s| s.span.start() <= e.span.start())
                .and_then(name_of);
            report
                .diagnostics
                .push(ini_syntax_diagnostic(e, id, section, text));
        }
        let mut entries: Vec<Vec<&Entry>> = vec![Vec::new(); sections.len()];
        for e in doc.entries() {
            if let Some(list) = e.section().and_then(|i| entries.get_mut(i)) {
                list.push(e);
            }
        }
        let (Some(globals), Some(driver_section)) = (profile("odbc"), profile("odbcinst")) else {
            return;
        };
        for (i, section) in sections.iter().enumerate() {
            let name = section.name.slice(text);
            // unixODBC reads the first section of a name.
            if let Some(first) = sections[..i]
                .iter()
                .find(|s| s.name.slice(text).eq_ignore_ascii_case(name))
            {
                report.diagnostics.push(
                    Diag::new(
                        lints::DUPLICATE_KEY,
                        Severity::Warning,
                        format!("section [{name}] is defined again; unixODBC reads only the first"),
                        id,
                        section.name,
                        "not read",
                    )
                    .secondary(id, first.name, "this one is used")
                    .help("merge the two sections into one")
                    .section_named(Some(name))
                    .build(),
                );
                continue;
            }
            let list = &entries[i];
            let value_of = |key: &str| {
                list.iter()
                    .find(|e| e.key_str(text).trim().eq_ignore_ascii_case(key))
                    .map(|e| e.value_str(text))
            };
            let kind = if name.eq_ignore_ascii_case("ODBC") {
                Kind::Globals(globals)
            } else if name.eq_ignore_ascii_case("ODBC Drivers") {
                Kind::DriverList
            } else {
                let library = value_of("Driver64").or_else(|| value_of("Driver"));
                let own = library
                    .as_deref()
                    .and_then(by_library)
                    .or_else(|| by_driver_name(name));
                Kind::Driver(driver_section, own)
            };
            let diags = match kind {
                Kind::DriverList => continue,
                Kind::Globals(p) => section_problems(id, text, name, list, p, None),
                Kind::Driver(p, own) => {
                    let mut d = section_problems(id, text, name, list, p, Some(own));
                    if value_of("Driver64").is_none() && value_of("Driver").is_none() {
                        d.insert(0, no_library(id, name, section));
                    }
                    d
                }
            };
            report.diagnostics.extend(diags);
        }
    }
}

/// A driver section with neither `Driver64` nor `Driver`.
fn no_library(id: SourceId, name: &str, section: &Section) -> Diagnostic {
    Diag::new(
        lints::MISSING_REQUIRED,
        Severity::Error,
        format!(
            "driver section [{name}] names no library: unixODBC looks for Driver64, then Driver, and a data source with Driver={name} fails to connect"
        ),
        id,
        section.name,
        "no Driver= here",
    )
    .help(format!(
        "add `Driver=/path/to/the/driver.so` to [{name}] (DRIVERS.md §1.3)"
    ))
    .key("Driver")
    .section_named(Some(name))
    .build()
}

/// The key and value problems of one section judged by `p` (and, for a
/// driver section, `own`: `Some(None)` when the driver has no profile).
fn section_problems(
    id: SourceId,
    text: &str,
    name: &str,
    list: &[&Entry],
    p: &'static Profile,
    own: Option<Option<&'static Profile>>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let spec_of = |key: &str| -> Option<(&'static Profile, &'static OptionSpec)> {
        p.lookup(key)
            .map(|s| (p, s))
            .or_else(|| own.flatten().and_then(|d| d.lookup(key).map(|s| (d, s))))
    };
    let unknown: Vec<&&Entry> = list
        .iter()
        .filter(|e| {
            let k = e.key_str(text).trim();
            !k.is_empty() && spec_of(k).is_none()
        })
        .collect();
    let sole = |key: &str| suggestions_in(p.options, key).sole;
    for (n, e) in list.iter().enumerate() {
        let key = e.key_str(text).trim();
        if key.is_empty() {
            continue;
        }
        // unixODBC reads the first occurrence of a key in a section.
        if let Some(first) = list[..n]
            .iter()
            .find(|f| f.key_str(text).trim().eq_ignore_ascii_case(key))
        {
            out.push(
                Diag::new(
                    lints::DUPLICATE_KEY,
                    Severity::Warning,
                    format!("{key} is given twice in [{name}]; unixODBC reads the first"),
                    id,
                    e.key,
                    "not read",
                )
                .secondary(id, first.key, "this one is used")
                .help("remove the one that is not read")
                .key(key.to_owned())
                .section_named(Some(name))
                .build(),
            );
            continue;
        }
        let Some((owner, spec)) = spec_of(key) else {
            let suggestion = suggestions_in(p.options, key).best;
            // A driver connstr has no profile for may read keys of its own.
            if own == Some(None) && suggestion.is_none() {
                continue;
            }
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("{} has no such key: check its spelling", p.name),
            };
            let mut d = Diag::new(
                lints::UNKNOWN_KEY,
                Severity::Warning,
                format!("unknown key `{key}` in [{name}] ({})", p.name),
                id,
                e.key,
                "unknown key",
            )
            .help(help)
            .key(key.to_owned())
            .section_named(Some(name));
            let one_word = key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
            if let Some(s) = suggestion
                && one_word
                && sole(key) == Some(s)
                && !list
                    .iter()
                    .any(|o| o.key_str(text).trim().eq_ignore_ascii_case(s))
                && unknown
                    .iter()
                    .filter(|u| sole(u.key_str(text).trim()) == Some(s))
                    .nth(1)
                    .is_none()
            {
                d = d.fix(
                    Fix::new(format!("rename `{key}` to `{s}`"), Applicability::Safe)
                        .edit(id, e.key, s),
                );
            }
            out.push(d.build());
            continue;
        };
        let value = e.value_str(text);
        let value = value.trim();
        if value.is_empty() || spec.secret {
            continue;
        }
        let Some(f) = lints::invalid_value::judge_profile_value(owner, spec, value, true) else {
            continue;
        };
        out.push(
            Diag::new(
                lints::INVALID_VALUE,
                f.severity,
                format!("{key}={value} {}", f.problem),
                id,
                e.raw_value,
                "invalid value",
            )
            .help(f.help)
            .key(spec.name)
            .section_named(Some(name))
            .build(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Sources;
    use crate::syntax::Form;

    fn lints_of(text: &str) -> Vec<(&'static str, Severity)> {
        let mut sources = Sources::default();
        let id = sources.add("/etc/odbcinst.ini", None, text.to_owned());
        let report = Checker::without_odbc_ini().check_forms(&mut sources, &[(id, Form::Ini)]);
        assert!(report.targets.is_empty());
        report
            .diagnostics
            .iter()
            .map(|d| (d.lint, d.severity))
            .collect()
    }

    #[test]
    fn a_clean_file_reports_nothing() {
        let text = "[ODBC]\nTrace=No\nTraceFile=/tmp/sql.log\nPooling=Yes\n\n\
                    [PostgreSQL Unicode]\nDescription=PostgreSQL ODBC driver (Unicode)\n\
                    Driver=psqlodbcw.so\nSetup=libodbcpsqlS.so\nDebug=0\nCommLog=1\nUsageCount=1\n\n\
                    [FreeTDS]\nDriver=/usr/lib/x86_64-linux-gnu/odbc/libtdsodbc.so\nTDS_Version=7.4\n";
        assert_eq!(lints_of(text), []);
    }

    #[test]
    fn driver_sections_are_judged_by_unixodbc() {
        let got = lints_of(
            "[MySQL]\nDescription=no library\nSetup=libmyodbc8S.so\n\
             [Snowflake]\nDriver=/usr/lib/snowflake/odbc/lib/libSnowflake.so\nDriver=/x.so\nThreading=7\nUsageCont=1\n",
        );
        assert_eq!(
            got,
            [
                (lints::MISSING_REQUIRED, Severity::Error),
                (lints::DUPLICATE_KEY, Severity::Warning),
                (lints::INVALID_VALUE, Severity::Warning),
                (lints::UNKNOWN_KEY, Severity::Warning),
            ]
        );
    }
}
