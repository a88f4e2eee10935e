//! Where an odbc.ini's secret values are
//! ([`secret_spans`](crate::options::secret_spans) of the whole
//! file), for renderers to mask: scanned in chunks on several threads when
//! the file is large, or completed from the spans each data source's check
//! found, so that no file is scanned twice.

use crate::options::{
    IndexedIni, entry_secret_spans, list_secret_spans, merge_spans, unparsed_secrets,
};
use crate::par::par_map_min;
use crate::syntax::{Document, Node, Span};

/// [`secret_spans`](crate::options::secret_spans) of an odbc.ini, scanned in chunks on several threads
/// when it is large.
pub(super) fn ini_secret_spans(doc: &Document<'_>) -> Vec<Span> {
    /// Nodes per chunk: a few hundred data sources.
    const CHUNK: usize = 4096;
    /// Chunks per thread: a thread is worth starting for ~50,000 entries.
    const CHUNKS_PER_THREAD: usize = 12;
    let src = doc.source();
    let lists: Vec<bool> = doc
        .sections()
        .map(|h| is_name_list(h.name.slice(src)))
        .collect();
    let in_list = |e: &crate::syntax::Entry| e.section().and_then(|i| lists.get(i)) == Some(&true);
    let chunks: Vec<&[Node]> = doc.nodes().chunks(CHUNK).collect();
    let parts = par_map_min(&chunks, CHUNKS_PER_THREAD, |nodes| {
        let entries = || {
            nodes.iter().filter_map(|n| match n {
                Node::Entry(e) => Some(e),
                _ => None,
            })
        };
        let mut spans = entry_secret_spans(src, entries().filter(|e| !in_list(e)));
        spans.extend(list_secret_spans(src, entries().filter(|e| in_list(e))));
        spans
    });
    let mut all = parts.concat();
    all.extend(unparsed_secrets(doc));
    merge_spans(all)
}

/// The secret spans of odbc.ini `ini` outside its data sections
/// `selected` (whose spans each data source's check finds): the entries
/// before the first header, `[ODBC]`-like sections, repeated or unselected
/// data sources, and lines that did not parse. Not merged: with the data
/// sources' spans, [`merge_spans`] of both is [`ini_secret_spans`] of the
/// whole file.
pub(super) fn ini_secret_spans_outside(
    ini: &IndexedIni<'_>,
    selected: &[(usize, &str)],
) -> Vec<Span> {
    let doc = &ini.file.doc;
    let src = doc.source();
    let mut done = vec![false; ini.index.len()];
    for &(section, _) in selected {
        if let Some(d) = done.get_mut(section) {
            *d = true;
        }
    }
    // Before the first header (all of a file without one): the entries of
    // no section, which come first.
    let mut all = entry_secret_spans(src, doc.entries().take_while(|e| e.section().is_none()));
    for (section, _) in done.iter().enumerate().filter(|(_, d)| !**d) {
        let entries = ini.index.entries(doc, section);
        // The keys of `[ODBC Data Sources]` are data source names, one per
        // line of a list as long as the file: never guessed at as options.
        if ini.index.name(section).is_some_and(is_name_list) {
            all.extend(list_secret_spans(src, entries));
        } else {
            all.extend(entry_secret_spans(src, entries));
        }
    }
    // Lines that did not parse (`ClientSecret: value`), in any section.
    all.extend(unparsed_secrets(doc));
    all
}

/// Whether a section's keys are names rather than options: `[ODBC Data
/// Sources]` (odbc.ini) and `[ODBC Drivers]` (odbcinst.ini).
fn is_name_list(section: &str) -> bool {
    let s = section.trim();
    s.eq_ignore_ascii_case("ODBC Data Sources") || s.eq_ignore_ascii_case("ODBC Drivers")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Sources;
    use crate::options::secret_spans;
    use crate::plan::{Checker, Retain};
    use crate::syntax::parse_ini;

    #[test]
    fn chunked_secret_spans_are_the_serial_ones() {
        use std::fmt::Write as _;
        // Large enough for several threads; secrets of every kind, some
        // spanning what would be a chunk boundary in a smaller file.
        let mut text = String::from("[ODBC]\nPassword=top\n");
        for i in 0..20_000 {
            let _ = write!(
                text,
                "[d{i}]\nClientSecret=s{i}\nClientID=a RefreshToken=r{i}\n\
                 TokenURI=https://u:p{i}@h/t?client_secret=c{i}\nUser=u\n"
            );
        }
        let doc = parse_ini(&text);
        let serial = secret_spans(&doc);
        assert_eq!(serial.len(), 1 + 20_000 * 4);
        assert_eq!(ini_secret_spans(&doc), serial);
    }

    #[test]
    fn secret_spans_found_with_the_data_sources_are_the_whole_files() {
        use std::fmt::Write as _;
        // Secrets everywhere: before any header, in [ODBC], in repeated and
        // unselected data sources; large enough for several threads.
        let mut text = String::from("Password=before-any-header\n[ODBC]\nPassword=odbc-pw\n");
        for i in 0..crate::par::ITEMS_PER_THREAD * 3 {
            let _ = write!(
                text,
                "[d{i}]\nClientSecret=s{i}\nClientID=a RefreshToken=r{i}\n\
                 TokenURI=https://u:p{i}@h/t?client_secret=c{i}\n"
            );
            if i % 50 == 0 {
                let _ = write!(text, "[D{i}]\nPassword=repeated-{i}\n");
            }
        }
        let doc = parse_ini(&text);
        let whole = secret_spans(&doc);
        assert!(whole.len() > crate::par::ITEMS_PER_THREAD * 9);
        for dsns in [vec![], vec!["d7".to_owned(), "d1000".to_owned()]] {
            for retain in [Retain::Everything, Retain::Diagnostics] {
                let mut sources = Sources::default();
                let id = sources.add("odbc.ini", None, text.clone());
                let report = Checker::without_odbc_ini()
                    .dsns(dsns.clone())
                    .retain(retain)
                    .check(&mut sources, &[id]);
                assert_eq!(report.secrets[&id], whole, "{dsns:?} {retain:?}");
            }
        }
    }
}
