//! `connstr options`: the option catalog, from the same table the checker uses.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde::Serialize;

use connstr::options::drivers::Profile;
use connstr::options::{OptionSpec, Sure, catalog};

use super::render::{self, Format, Stream};

/// The long help of the subcommand.
pub const LONG_ABOUT: &str = "\
List every option connstr knows: canonical name, DataDirect short name,
aliases (deprecated ones marked), default, whether the value is a secret, and
what it is. A short name or default marked `?` was not read on the driver's
own documentation page (it comes from sibling DataDirect drivers; `--format
json` says how sure each fact is). Keys are case-insensitive; any listed name may be used.

With --driver NAME, list another driver's profile instead (psqlodbc, sqlite,
mysql, mssql, snowflake, databricks, datadirect, …; also `manager` for the
driver manager's keys every data source may hold, `odbcinst` and `odbc` for
odbcinst.ini driver sections and [ODBC] sections): the same table, from the
profile `connstr check` judges that driver's data sources by.

Examples:
  connstr options
  connstr options --driver psqlodbc
  connstr options --format json | jq '.options[] | select(.secret) | .name'";

/// Arguments of `connstr options`.
#[derive(clap::Args, Debug)]
pub struct OptionsArgs {
    /// List this driver profile's options (an id or alias: psqlodbc, sqlite,
    /// mysql, …) instead of Autonomous REST's.
    #[arg(long, value_name = "NAME")]
    pub driver: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Serialize)]
struct JsonOption<'a> {
    name: &'a str,
    short: Option<&'a str>,
    /// How sure the short name is (confirmed, named, sibling, guess).
    short_sure: Option<Sure>,
    aliases: &'a [&'a str],
    deprecated_aliases: &'a [&'a str],
    value: &'a str,
    default: Option<&'a str>,
    default_sure: Option<Sure>,
    secret: bool,
    /// `null` when the option is not specific to an authentication method.
    methods: Option<Vec<&'static str>>,
    description: &'a str,
    /// How sure it is that the ODBC 8.0 driver / the JDBC 6.0 driver has it.
    odbc: Sure,
    jdbc: Sure,
}

fn json_option(o: &OptionSpec) -> JsonOption<'_> {
    JsonOption {
        name: o.name,
        short: o.short,
        short_sure: o.short.map(|_| o.short_sure),
        aliases: o.aliases,
        deprecated_aliases: o.legacy_aliases,
        value: o.kind.describe(),
        default: o.default,
        default_sure: o.default.map(|_| o.default_sure),
        secret: o.secret,
        methods: (!o.methods.is_any()).then(|| o.methods.iter().map(|m| m.name()).collect()),
        description: o.description,
        odbc: o.odbc,
        jdbc: o.jdbc,
    }
}

/// The catalog as one JSON document.
pub fn json() -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        options: Vec<JsonOption<'a>>,
    }
    render::to_json_line(&Doc {
        options: catalog().iter().map(json_option).collect(),
    })
}

/// A driver profile as one JSON document: which profile, then its options
/// (the same fields as the catalog's), its obsolete keys.
pub fn profile_json(p: &Profile) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        profile: &'a str,
        name: &'a str,
        aliases: &'a [&'a str],
        source: &'a str,
        options: Vec<JsonOption<'a>>,
        obsolete: &'a [&'a str],
    }
    render::to_json_line(&Doc {
        profile: p.id,
        name: p.name,
        aliases: p.aliases,
        source: p.source,
        options: p.options.iter().map(json_option).collect(),
        obsolete: p.obsolete,
    })
}

/// A driver profile as an aligned table, under a line naming it.
pub fn profile_human(p: &Profile) -> String {
    let mut out = format!("{} ({}; facts: {})\n", p.name, p.id, p.source);
    out.push_str(&table(p.options));
    if !p.obsolete.is_empty() {
        out.push_str(&format!(
            "obsolete (reported as such, not as unknown): {}\n",
            p.obsolete.join(", ")
        ));
    }
    out
}

/// Every profile id, for the message of an unknown `--driver`.
fn profile_ids() -> String {
    connstr::options::drivers::all()
        .map(|p| p.id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A fact as the table shows it: marked `?` unless read on the driver's own
/// page (taken from sibling drivers, a guess, …; `--format json` says which).
fn unsure(fact: &str, sure: Sure) -> String {
    match sure {
        Sure::Confirmed => fact.to_owned(),
        _ => format!("{fact}?"),
    }
}

/// The catalog as an aligned table.
pub fn human() -> String {
    table(catalog())
}

/// `options` as an aligned table.
fn table(options: &[OptionSpec]) -> String {
    let rows: Vec<[String; 6]> = options
        .iter()
        .map(|o| {
            let mut aliases: Vec<String> = o.aliases.iter().map(|a| (*a).to_owned()).collect();
            aliases.extend(o.legacy_aliases.iter().map(|a| format!("{a} (deprecated)")));
            [
                o.name.to_owned(),
                o.short.map_or(String::new(), |s| unsure(s, o.short_sure)),
                aliases.join(", "),
                o.default
                    .map_or(String::new(), |d| unsure(d, o.default_sure)),
                if o.secret { "yes" } else { "" }.to_owned(),
                o.description.to_owned(),
            ]
        })
        .collect();
    let header = [
        "NAME",
        "SHORT",
        "ALIASES",
        "DEFAULT",
        "SECRET",
        "DESCRIPTION",
    ]
    .map(String::from);
    let mut widths = [0usize; 6];
    for r in std::iter::once(&header).chain(&rows) {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                let _ = write!(line, "{c:<w$}  ", w = widths[i]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Run `connstr options`.
pub fn run(args: OptionsArgs) -> ExitCode {
    let profile = match args
        .driver
        .as_deref()
        .map(|n| (n, connstr::options::drivers::profile(n)))
    {
        None => None,
        Some((_, Some(p))) => Some(p),
        Some((name, None)) => {
            render::cli_error(&format!(
                "no driver profile named `{name}`; the profiles are: {}",
                profile_ids()
            ));
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let text = match (args.format, profile) {
        (Format::Human, None) => human(),
        (Format::Json, None) => json(),
        (Format::Human, Some(p)) => profile_human(p),
        (Format::Json, Some(p)) => profile_json(p),
    };
    match render::emit(Stream::Stdout, &text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            render::cli_error(&format!("cannot write output: {e}"));
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_catalog_row_is_listed() {
        let h = super::human();
        let j: serde_json::Value = serde_json::from_str(&super::json()).unwrap();
        let n = connstr::options::catalog().len();
        assert_eq!(h.lines().count(), n + 1);
        assert_eq!(j["options"].as_array().unwrap().len(), n);
        for o in connstr::options::catalog() {
            assert!(h.lines().any(|l| l.starts_with(o.name)), "{}", o.name);
        }
    }

    #[test]
    fn every_profile_is_listed_with_every_row() {
        for p in connstr::options::drivers::all() {
            let h = super::profile_human(p);
            // Its title line, the header, one line per row (and the obsolete line).
            let extra = usize::from(!p.obsolete.is_empty());
            assert_eq!(h.lines().count(), p.options.len() + 2 + extra, "{}", p.id);
            let j: serde_json::Value = serde_json::from_str(&super::profile_json(p)).unwrap();
            assert_eq!(j["profile"], p.id);
            assert_eq!(j["options"].as_array().unwrap().len(), p.options.len());
            for o in p.options {
                assert!(
                    h.lines().any(|l| l.starts_with(o.name)),
                    "{}: {}",
                    p.id,
                    o.name
                );
            }
        }
    }
}
