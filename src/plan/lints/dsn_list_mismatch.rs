//! `dsn-list-mismatch`: `[ODBC Data Sources]` and the data source sections
//! of an odbc.ini disagree. Checked on every odbc.ini input
//! (`plan::check`), and by `apply::odbc::check_installed`.

declare_lint! {
    /// ### What it does
    /// When an odbc.ini has an `[ODBC Data Sources]` section: reports a
    /// name it lists without a section of its own, a data source section it
    /// does not list (`[Default]` need not be listed), and a listed driver
    /// name that differs from the section's `Driver=` (unless that is a
    /// library path).
    ///
    /// ### Why it matters
    /// The list and the sections tell two stories, and which one a tool
    /// believes depends on the tool. unixODBC ignores the list: it finds a
    /// data source by its section, and `odbcinst -q -s` and
    /// `SQLDataSources` list the sections (measured with unixODBC 2.3.11:
    /// a listed name without a section fails with IM002, a section that is
    /// not listed connects and is listed). Tools that read the list — the
    /// ODBC administrators, DataDirect's tools, Windows, where the list is
    /// the registry's `ODBC Data Sources` key — show data sources that do
    /// not exist, or miss ones that do. Either way the file does not say
    /// what it seems to.
    ///
    /// ### Example
    /// ```text
    /// [ODBC Data Sources]
    /// sales = SQLite3
    ///
    /// [inventory]
    /// Driver=SQLite3
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [ODBC Data Sources]
    /// inventory = SQLite3
    ///
    /// [inventory]
    /// Driver=SQLite3
    /// ```
    name: "dsn-list-mismatch",
    severity: Warning,
    description: "--installed: [ODBC Data Sources] and the DSN sections disagree",
}

use std::collections::HashSet;

use crate::diagnostic::{Diagnostic, Severity, SourceId};
use crate::options::IniIndex;
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::syntax::Document;

/// The list's section name.
const DATA_SOURCES: &str = "ODBC Data Sources";

/// The disagreements between `[ODBC Data Sources]` and the data source
/// sections of odbc.ini `doc` (source `ini`, indexed as `index`), in this
/// order: the list's entries, then the sections it does not name. Nothing
/// when the file has no list. Time: one pass over the list and the data
/// sources, each a hash lookup.
/// The disagreements of `[ODBC Data Sources]` with the data source sections
/// of one odbc.ini. With `summarise`, a list that names none of the file's
/// data sources (an empty one, usually) is one warning about the list rather
/// than one per data source.
pub(crate) fn check(
    ini: SourceId,
    doc: &Document<'_>,
    index: &IniIndex<'_>,
    summarise: bool,
) -> Vec<Diagnostic> {
    let src = doc.source();
    let Some(list) = (0..index.len()).find(|&i| {
        index
            .name(i)
            .is_some_and(|n| n.trim().eq_ignore_ascii_case(DATA_SOURCES))
    }) else {
        return Vec::new();
    };
    let Some(list_header) = index.header(list) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // Listed data sources by section (a name is found as its section is),
    // and the listed names that have no section.
    let mut listed = vec![false; index.len()];
    let mut ghosts: HashSet<String> = HashSet::new();
    for e in index.entries(doc, list) {
        let name = crate::text::trim(e.key_str(src));
        let found = index.find_dsn(name);
        let first = match found {
            Some(section) => listed
                .get_mut(section)
                .is_some_and(|l| !std::mem::replace(l, true)),
            None => ghosts.insert(name.to_ascii_lowercase()),
        };
        if !first {
            continue;
        }
        let Some(section) = found else {
            out.push(
                Diag::new(
                    lints::DSN_LIST_MISMATCH,
                    Severity::Warning,
                    format!("`{name}` is listed in [{DATA_SOURCES}] but there is no [{name}] section"),
                    ini,
                    e.key,
                    "",
                )
                .secondary(ini, list_header.span, "the list")
                .help(format!(
                    "add a [{name}] section, or remove `{name}` from the list (unixODBC finds a data source by its section: connecting to `{name}` fails with IM002)"
                ))
                .section_named(Some(DATA_SOURCES))
                .key(name.to_owned())
                .build(),
            );
            continue;
        };
        let Some(drv) = index
            .entries(doc, section)
            .find(|d| crate::text::trim(d.key_str(src)).eq_ignore_ascii_case("Driver"))
        else {
            continue;
        };
        let (section_value, listed_value) = (drv.value_str(src), e.value_str(src));
        let (section_driver, listed_driver) = (section_value.trim(), listed_value.trim());
        if !section_driver.contains('/') && !listed_driver.eq_ignore_ascii_case(section_driver) {
            out.push(
                Diag::new(
                    lints::DSN_LIST_MISMATCH,
                    Severity::Warning,
                    format!(
                        "[{DATA_SOURCES}] lists `{name}` with driver `{listed_driver}`, but its section says `Driver={section_driver}`"
                    ),
                    ini,
                    e.value,
                    "",
                )
                .secondary(ini, drv.value, "the section's driver")
                .help("make the two name the same driver; the driver manager uses the section's")
                .section_named(Some(DATA_SOURCES))
                .key(name.to_owned())
                .build(),
            );
        }
    }
    let unlisted = || {
        index.dsns().filter(|&(section, name)| {
            !crate::text::trim(name).eq_ignore_ascii_case("Default")
                && listed.get(section) != Some(&true)
        })
    };
    if summarise && !listed.contains(&true) {
        let mut sections = unlisted();
        if let (Some((first, name)), Some(_)) = (sections.next(), sections.next()) {
            let count = 2 + sections.count();
            let mut d = Diag::new(
                lints::DSN_LIST_MISMATCH,
                Severity::Warning,
                format!("[{DATA_SOURCES}] lists none of the {count} data sources of this file"),
                ini,
                list_header.span,
                "lists none of them",
            );
            if let Some(h) = index.header(first) {
                d = d.secondary(ini, h.span, format!("[{name}], for one, is not listed"));
            }
            out.push(
                d.help(format!(
                    "add a `name = <driver name>` line for each data source to [{DATA_SOURCES}]: unixODBC connects to them anyway, but tools that read the list do not show them"
                ))
                .section_named(Some(DATA_SOURCES))
                .build(),
            );
            return out;
        }
    }
    for (section, name) in unlisted() {
        let Some(header) = index.header(section) else {
            continue;
        };
        out.push(
            Diag::new(
                lints::DSN_LIST_MISMATCH,
                Severity::Warning,
                format!("data source [{name}] is not listed in [{DATA_SOURCES}]"),
                ini,
                header.span,
                "",
            )
            .secondary(ini, list_header.span, "the list")
            .help(format!(
                "add `{name} = <driver name>` to [{DATA_SOURCES}]: unixODBC connects to it anyway, but tools that read the list do not show it"
            ))
            .section_named(Some(name))
            .build(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_ini;

    #[test]
    fn list_and_sections_disagree() {
        let src = "[ODBC Data Sources]\nghost=SQLite3\na=Other\nA=again\nc = SQLite3\n\n\
                   [a]\nDriver=SQLite3\n[b]\nDriver=SQLite3\n[C]\nDriver=/lib/x.so\n\
                   [Default]\nDriver=SQLite3\n[ODBC]\nTrace=No\n[b]\nDriver=again\n";
        let doc = parse_ini(src);
        let index = IniIndex::new(&doc);
        let d = check(SourceId(0), &doc, &index, true);
        let got: Vec<_> = d
            .iter()
            .map(|d| {
                (
                    d.primary.span.slice(src),
                    d.section.as_deref().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("ghost", DATA_SOURCES),
                ("Other", DATA_SOURCES),
                ("[b]", "b"),
            ]
        );
        assert!(d.iter().all(|d| d.lint == lints::DSN_LIST_MISMATCH));
        assert!(d.iter().all(|d| d.severity == Severity::Warning));
    }

    #[test]
    fn no_list_no_mismatch() {
        let doc = parse_ini("[a]\nDriver=SQLite3\n");
        assert!(check(SourceId(0), &doc, &IniIndex::new(&doc), true).is_empty());
    }

    #[test]
    fn a_list_naming_none_of_the_data_sources_is_one_warning() {
        let src = "[ODBC Data Sources]\n\n[a]\nDriver=SQLite3\n[b]\nDriver=SQLite3\n[Default]\nDriver=x\n[c]\nDriver=y\n";
        let doc = parse_ini(src);
        let index = IniIndex::new(&doc);
        let d = check(SourceId(0), &doc, &index, true);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].message,
            "[ODBC Data Sources] lists none of the 3 data sources of this file"
        );
        assert_eq!(d[0].primary.span.slice(src), "[ODBC Data Sources]");
        assert_eq!(d[0].secondary[0].span.slice(src), "[a]");
        // One per data source when asked (`--dsn`), or when the list names some.
        assert_eq!(check(SourceId(0), &doc, &index, false).len(), 3);
        let some = src.replace("]\n\n", "]\na=SQLite3\n");
        let doc = parse_ini(&some);
        let d = check(SourceId(0), &doc, &IniIndex::new(&doc), true);
        assert_eq!(d.len(), 2, "{d:?}");
        // A single unlisted data source is named.
        let one = "[ODBC Data Sources]\n[a]\nDriver=SQLite3\n";
        let doc = parse_ini(one);
        let d = check(SourceId(0), &doc, &IniIndex::new(&doc), true);
        assert!(d[0].message.contains("[a] is not listed"), "{d:?}");
    }
}
