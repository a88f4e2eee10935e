//! `invalid-value` for the targets of every driver other than Autonomous
//! REST: a switch, number or choice of the target's own profile
//! (`src/options/drivers/<driver>.rs`) with a value that driver does not
//! take.
//!
//! How sure each verdict is follows DRIVERS.md, driver by driver:
//!
//! | driver | rule | verdict |
//! |---|---|---|
//! | sqliteodbc | a switch is on when its first character is `Y y T t 1-9` (§2, source) | warning: `on`/`enable` read as off, a word that is no switch |
//! | psqlODBC | switches take 0/1, choices listed in §3.1 | warning (how other text is read is not stated) |
//! | MySQL | numbers and switches read with `sqlwchartoul`: digits only (§4, source) | warning (a word reads as 0; `true`/`yes` are `mysql-text-boolean`'s) |
//! | SQL Server | the documented values (§5, docs) | error; `true`/`false` for a yes/no option a warning; the newer `Authentication` names of §11 accepted |
//! | Snowflake, Databricks, DataDirect | documented values, closed-source parsers | warning; rows only seen in real files or guessed are not judged |
//!
//! Everywhere: a port above 65535 is an error (no TCP port has that
//! number), an empty value is left alone (it usually means "the default"),
//! rows the driver does not read from a data source are left to their own
//! lints (`mssql-port`, `snowflake-config-key`), and a value is quoted only
//! when it is not a secret.

use crate::diagnostic::{Applicability, Fix, Severity};
use crate::options::drivers::Profile;
use crate::options::{Choice, Occurrence, OptionSpec, Sure, ValueKind, best_match};
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

/// What is wrong with a value, in words that never hold the value itself.
pub(crate) struct Finding {
    pub(crate) severity: Severity,
    /// What the driver makes of it (`is read as off`, `is not a number`).
    pub(crate) problem: String,
    /// What to write instead.
    pub(crate) help: String,
    /// A fixed word to write instead, when one is evident: offered as a
    /// fix that `connstr fix` applies only with `--unsafe` (it changes what
    /// the driver does).
    pub(crate) replacement: Option<&'static str>,
}

/// Words that say "on" and "off" (any case).
const ON: &[&str] = &["1", "true", "yes", "on", "y", "t", "enable", "enabled"];
const OFF: &[&str] = &["0", "false", "no", "off", "n", "f", "disable", "disabled"];

/// What a switch value was evidently meant to say.
fn meant(value: &str) -> Option<bool> {
    if ON.iter().any(|w| w.eq_ignore_ascii_case(value)) {
        Some(true)
    } else if OFF.iter().any(|w| w.eq_ignore_ascii_case(value)) {
        Some(false)
    } else {
        None
    }
}

/// A whole number, optionally signed (psqlODBC's `BI=-5`, `D6=-1`).
fn is_number(value: &str) -> bool {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// sqliteodbc's `getbool`: on when the first character is `Y y T t 1-9`.
fn sqlite_bool(value: &str) -> bool {
    matches!(
        value.bytes().next(),
        Some(b'Y' | b'y' | b'T' | b't' | b'1'..=b'9')
    )
}

/// `Authentication` values newer than DRIVERS.md's list, named in its §11
/// as unconfirmed for the ODBC driver: not judged.
const MSSQL_UNCONFIRMED_AUTH: &[&str] = &[
    "ActiveDirectoryDefault",
    "ActiveDirectoryServicePrincipalCertificate",
    "ActiveDirectoryWorkloadIdentity",
    "ActiveDirectoryDeviceCodeFlow",
];

/// SQLite's own `PRAGMA synchronous` values beyond the setup dialog's list.
const SQLITE_SYNC_MORE: &[&str] = &["EXTRA", "0", "1", "2", "3"];

/// The choices of `kind` as a list for a help text (`a, b or c`).
fn list(choices: &[Choice]) -> String {
    let names: Vec<String> = choices
        .iter()
        .map(|c| {
            if c.code == c.name {
                c.name.to_owned()
            } else {
                format!("{} ({})", c.code, c.name)
            }
        })
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The choice closest to `value` (`VERIFY-CA` → `VERIFY_CA`).
fn closest(value: &str, choices: &[Choice]) -> Option<&'static str> {
    let folded = value.replace(['-', ' '], "_");
    choices
        .iter()
        .find(|c| c.name.replace('-', "_").eq_ignore_ascii_case(&folded))
        .map(|c| c.name)
        .or_else(|| best_match(value, choices.iter().map(|c| (c.name, c.name))))
}

/// The verdict on `value` (trimmed, not empty) of `spec`, a row of `p`
/// (`ini`: read from an ini file rather than a connection string).
pub(crate) fn judge(p: &Profile, spec: &OptionSpec, value: &str, ini: bool) -> Option<Finding> {
    let driver = p.name;
    match spec.kind {
        ValueKind::Port => judge_port(p, value),
        ValueKind::Integer => judge_integer(p, spec, value),
        ValueKind::Bool => judge_bool(p, spec, value),
        ValueKind::Enumeration(choices) => {
            if choices.iter().any(|c| c.matches(value)) {
                return None;
            }
            judge_choice(p, spec, choices, value, ini).map(|mut f| {
                if f.help.is_empty() {
                    f.help = format!("{} takes {} ({driver})", spec.name, list(choices));
                }
                f
            })
        }
        _ => None,
    }
}

fn judge_port(p: &Profile, value: &str) -> Option<Finding> {
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return (value.trim_start_matches('0').len() > 5
            || value.parse::<u32>().is_ok_and(|n| n > 65_535))
        .then(|| Finding {
            severity: Severity::Error,
            problem: "is not a TCP port: ports go from 0 to 65535".to_owned(),
            help: "write the server's port number, 0 to 65535".to_owned(),
            replacement: None,
        });
    }
    if p.id == "mysql" && meant(value).is_some() {
        // `PORT=yes`: mysql-text-boolean's.
        return None;
    }
    Some(Finding {
        severity: Severity::Warning,
        problem: format!("is not a port number ({} expects digits)", p.name),
        help: "write the server's port number, 0 to 65535".to_owned(),
        replacement: None,
    })
}

fn judge_integer(p: &Profile, spec: &OptionSpec, value: &str) -> Option<Finding> {
    if is_number(value) {
        return None;
    }
    if p.id == "mysql" {
        // Words meaning on/off are mysql-text-boolean's; any other text is
        // read by `sqlwchartoul`, digits only (DRIVERS.md §4).
        if meant(value).is_some() {
            return None;
        }
        return Some(Finding {
            severity: Severity::Warning,
            problem: "is not a number: MySQL Connector/ODBC reads only digits here, so the option does not get the value written".to_owned(),
            help: format!("write {} as digits (a switch: 1 on, 0 off)", spec.name),
            replacement: None,
        });
    }
    Some(Finding {
        severity: Severity::Warning,
        problem: format!("is not a whole number, which {} expects here", p.name),
        help: format!("write {} as digits", spec.name),
        replacement: None,
    })
}

fn judge_bool(p: &Profile, spec: &OptionSpec, value: &str) -> Option<Finding> {
    let name = spec.name;
    if p.id == "sqlite" {
        let read = sqlite_bool(value);
        let word = |on: bool| if on { "on" } else { "off" };
        return match meant(value) {
            Some(m) if m == read => None,
            Some(m) => Some(Finding {
                severity: Severity::Warning,
                problem: format!(
                    "is read as {}: sqliteodbc turns a switch on only when its first character is Y, T or a digit 1-9",
                    word(read)
                ),
                help: format!(
                    "write {name}={} (sqliteodbc reads `Yes`, `true` and 1-9 as on, anything else as off)",
                    if m { "1" } else { "0" }
                ),
                replacement: Some(if m { "1" } else { "0" }),
            }),
            None if value.bytes().all(|b| b.is_ascii_digit()) => None,
            None => Some(Finding {
                severity: Severity::Warning,
                problem: format!(
                    "is not a switch: sqliteodbc reads it as {} (on only when the first character is Y, T or a digit 1-9)",
                    word(read)
                ),
                help: format!("write {name}=1 or {name}=0"),
                replacement: None,
            }),
        };
    }
    if meant(value).is_some() || is_number(value) {
        // psqlODBC, Snowflake, DataDirect: how a word is read is not
        // documented; only text that is no switch at all is reported.
        return None;
    }
    Some(Finding {
        severity: Severity::Warning,
        problem: format!("is not a switch, which {} expects here", p.name),
        help: format!("write {name}=1 or {name}=0"),
        replacement: None,
    })
}

fn judge_choice(
    p: &Profile,
    spec: &OptionSpec,
    choices: &'static [Choice],
    value: &str,
    ini: bool,
) -> Option<Finding> {
    let suggestion = closest(value, choices);
    let mean = suggestion.map_or(String::new(), |s| format!("did you mean `{s}`? "));
    let undocumented = |severity: Severity, what: &str| Finding {
        severity,
        problem: format!("is not one of the values {} {what}", p.name),
        help: format!("{mean}{} takes {} ({})", spec.name, list(choices), p.name),
        replacement: suggestion,
    };
    match p.id {
        "mssql" => {
            if spec.name == "Authentication"
                && MSSQL_UNCONFIRMED_AUTH
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(value))
            {
                return None;
            }
            let yes_no = choices.len() == 2 && choices[0].name == "yes" && choices[1].name == "no";
            if yes_no && let Some(m) = meant(value) {
                let word = if m { "yes" } else { "no" };
                return Some(Finding {
                    severity: Severity::Warning,
                    problem: format!(
                        "is not `yes` or `no`, the values {} documents; whether it reads `{value}` as `{word}` is not documented",
                        p.name
                    ),
                    help: format!("write {}={word}", spec.name),
                    replacement: Some(if m { "yes" } else { "no" }),
                });
            }
            Some(undocumented(Severity::Error, "documents for it"))
        }
        "psqlodbc" => {
            // In a connection string SSLmode is read by its first letter:
            // psqlodbc-sslmode-letter's.
            if !ini && spec.name == "SSLmode" {
                return None;
            }
            Some(undocumented(Severity::Warning, "reads for it"))
        }
        "sqlite" => {
            if spec.name == "SyncPragma"
                && SQLITE_SYNC_MORE
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(value))
            {
                return None;
            }
            Some(undocumented(
                Severity::Warning,
                "offers for it (it is sent to SQLite as a PRAGMA, as written)",
            ))
        }
        // Product-specific values (EncryptionMethod differs per product):
        // the family profile does not judge them.
        "datadirect" => None,
        _ => Some(undocumented(Severity::Warning, "documents for it")),
    }
}

/// Whether `o` is read by the driver at all (otherwise another lint says
/// so, and its value does not matter).
fn is_read(cx: &Cx<'_>, p: &Profile, o: &Occurrence) -> bool {
    if p.id == "psqlodbc" && cx.is_ini(o) {
        return super::super::psqlodbc_ini_spelling::is_read(o.key().trim());
    }
    true
}

/// The values of the target's own profile rows: switches, numbers, ports
/// and choices its driver does not take.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let Some(p) = cx.driver().filter(|p| !p.is_autorest()) else {
        return;
    };
    let set = cx.set;
    for o in set.all() {
        // The profile's own row (not the driver manager's), as resolved for
        // the target once.
        let own = p.options.as_ptr_range();
        let Some(spec) = cx
            .spec_of(o)
            .filter(|s| own.contains(&std::ptr::from_ref::<OptionSpec>(s)))
        else {
            continue;
        };
        if !matches!(spec.odbc, Sure::Confirmed | Sure::Named) || !is_read(cx, p, o) {
            continue;
        }
        let value = cx.effective(o);
        if value.is_empty() {
            continue;
        }
        let Some(f) = judge(p, spec, value, cx.is_ini(o)) else {
            continue;
        };
        let key = o.key().trim();
        let secret = spec.secret || o.is_secret();
        let plain = !secret && o.hidden.is_empty();
        let message = if plain {
            format!("{key}={value} {}", f.problem)
        } else {
            format!("the value of {key} {}", f.problem)
        };
        let mut d = Diag::new(
            lints::INVALID_VALUE,
            f.severity,
            message,
            o.source(),
            o.entry.raw_value,
            "invalid value",
        )
        .help(f.help)
        .key(spec.name)
        .section(cx.section(o));
        if let (Some(word), true) = (f.replacement, plain)
            && let Some(span) = cx.effective_span(o)
        {
            d = d.fix(
                Fix::new(format!("write {key}={word}"), Applicability::Unsafe).edit(
                    o.source(),
                    span,
                    word,
                ),
            );
        }
        cx.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::drivers::profile;

    fn verdict(driver: &str, key: &str, value: &str, ini: bool) -> Option<Severity> {
        let p = profile(driver).unwrap();
        let spec = p.lookup(key).unwrap();
        judge(p, spec, value, ini).map(|f| f.severity)
    }

    #[test]
    fn sqlite_reads_the_first_character() {
        for ok in ["Yes", "no", "1", "0", "true", "False", "T", "off", "10"] {
            assert_eq!(verdict("sqlite", "StepAPI", ok, true), None, "{ok}");
        }
        for bad in ["on", "enabled", "maybe", "-1"] {
            assert_eq!(
                verdict("sqlite", "StepAPI", bad, true),
                Some(Severity::Warning),
                "{bad}"
            );
        }
        assert_eq!(verdict("sqlite", "SyncPragma", "extra", true), None);
        assert_eq!(
            verdict("sqlite", "JournalMode", "wall", true),
            Some(Severity::Warning)
        );
        assert_eq!(
            verdict("sqlite", "Timeout", "5s", true),
            Some(Severity::Warning)
        );
    }

    #[test]
    fn mssql_documented_values() {
        assert_eq!(verdict("mssql", "Encrypt", "Strict", false), None);
        assert_eq!(
            verdict("mssql", "Encrypt", "required", false),
            Some(Severity::Error)
        );
        assert_eq!(
            verdict("mssql", "TrustServerCertificate", "true", false),
            Some(Severity::Warning)
        );
        assert_eq!(
            verdict("mssql", "Authentication", "ActiveDirectoryDefault", false),
            None
        );
    }

    #[test]
    fn mysql_words_are_left_to_mysql_text_boolean() {
        assert_eq!(verdict("mysql", "NO_SCHEMA", "true", true), None);
        assert_eq!(
            verdict("mysql", "NO_SCHEMA", "0x1", true),
            Some(Severity::Warning)
        );
        assert_eq!(
            verdict("mysql", "PORT", "70000", true),
            Some(Severity::Error)
        );
        assert_eq!(
            verdict("mysql", "SSL-MODE", "VERIFY-CA", true),
            Some(Severity::Warning)
        );
        let p = profile("mysql").unwrap();
        let spec = p.lookup("SSL-MODE").unwrap();
        let f = judge(p, spec, "VERIFY-CA", true).unwrap();
        assert_eq!(f.replacement, Some("VERIFY_CA"));
    }

    #[test]
    fn psqlodbc_accepts_yes_and_no() {
        assert_eq!(verdict("psqlodbc", "ReadOnly", "Yes", true), None);
        assert_eq!(verdict("psqlodbc", "BI", "-5", true), None);
        assert_eq!(
            verdict("psqlodbc", "ReadOnly", "sometimes", true),
            Some(Severity::Warning)
        );
        assert_eq!(verdict("psqlodbc", "SSLmode", "Require", false), None);
        assert_eq!(
            verdict("psqlodbc", "SSLmode", "required", true),
            Some(Severity::Warning)
        );
    }
}
