//! Tests of resolution: first or last wins, DSN overlay and lookup, the
//! winners' table, and secrets kept out of `Debug`.

use super::*;
use crate::options::IniScope;

#[test]
fn a_winner_past_the_table_is_still_found() {
    use std::fmt::Write as _;
    let mut text = String::from("UID=first;");
    for i in 0..70_000 {
        let _ = write!(text, "k{i}=v;");
    }
    text.push_str("ClientID=late;UID=again");
    let doc = crate::syntax::parse_connection_string(&text);
    for last_wins in [false, true] {
        let set = OptionSet::from_document(&doc, SourceId(0), last_wins);
        assert!(set.spilled, "{last_wins}");
        assert_eq!(set.value("ClientID"), Some("late"));
        let user = if last_wins { "again" } else { "first" };
        assert_eq!(set.value("User"), Some(user));
        assert_eq!(set.value("Scope"), None);
        assert_eq!(set.winners().count(), 2);
    }
    let small = crate::syntax::parse_connection_string("UID=a;ClientID=b");
    let set = OptionSet::from_document(&small, SourceId(0), false);
    assert!(!set.spilled);
    assert_eq!(set.value("ClientID"), Some("b"));
}
use crate::syntax::{parse_connection_string, parse_ini, parse_jdbc_url};

fn ini<'a>(src: &'a str, id: u32, scope: IniScope) -> IniFile<'a> {
    IniFile {
        doc: parse_ini(src),
        source: SourceId(id),
        scope,
        name: format!("file{id}").into(),
        mode: Some(0o600),
    }
}

#[test]
fn first_or_last_wins_in_a_string() {
    let doc = parse_connection_string("UID=a;User=b;uid=c");
    let first = OptionSet::from_document(&doc, SourceId(0), false);
    assert_eq!(first.value("user"), Some("a"));
    let last = OptionSet::from_document(&doc, SourceId(0), true);
    assert_eq!(last.value("LogonID"), Some("c"));
    assert_eq!(last.winners().count(), 1);
    assert_eq!(last.occurrences_of("User").filter(|o| !o.wins).count(), 2);
}

#[test]
fn ini_first_wins_even_with_last_wins() {
    let f = ini(
        "[a]\nUID=1\nUID=2\n[b]\nUID=3\n[a]\nUID=4\n",
        0,
        IniScope::User,
    );
    let set = OptionSet::from_dsn(&f, 0);
    assert_eq!(set.value("UID"), Some("1"));
    assert_eq!(set.all().len(), 2);
    assert_eq!(set.dsn(), Some("a"));
    assert_eq!(set.layers()[0].section.as_deref(), Some("a"));
    let set = OptionSet::from_dsn(&f, 1);
    assert_eq!(set.value("UID"), Some("3"));
}

#[test]
fn string_overrides_dsn_and_keeps_provenance() {
    let f = ini(
        "[sales]\nClientID=dsn-id\nTokenURI=https://t\nUID=u\n",
        1,
        IniScope::User,
    );
    let doc = parse_connection_string("UID=me;DSN=sales;ClientID=own");
    let (set, problems) = OptionSet::resolve(&doc, SourceId(0), &[f], false);
    assert!(problems.is_empty());
    assert_eq!(set.value("ClientID"), Some("own"));
    assert_eq!(set.get("ClientID").unwrap().source(), SourceId(0));
    assert_eq!(set.value("TokenURI"), Some("https://t"));
    let t = set.get("TokenURI").unwrap();
    assert_eq!(t.source(), SourceId(1));
    assert_eq!(t.origin().section.as_deref(), Some("sales"));
    assert_eq!(set.value("UID"), Some("me"));
    assert_eq!(set.layers().len(), 2);
    assert_eq!(set.layers()[0].mode, Some(0o600));
}

#[test]
fn user_dsn_hides_system_dsn_wholesale() {
    let user = ini("[sales]\nClientID=u\n", 1, IniScope::User);
    let system = ini(
        "[sales]\nClientID=s\nTokenURI=https://sys\n",
        2,
        IniScope::System,
    );
    let doc = parse_connection_string("DSN=sales");
    let (set, _) = OptionSet::resolve(&doc, SourceId(0), &[user, system], false);
    assert_eq!(set.value("ClientID"), Some("u"));
    assert_eq!(set.value("TokenURI"), None);
}

#[test]
fn system_dsn_found_when_user_has_none() {
    let user = ini("[other]\nClientID=u\n", 1, IniScope::User);
    let system = ini("[sales]\nClientID=s\n", 2, IniScope::System);
    let doc = parse_connection_string("DSN=sales");
    let (set, _) = OptionSet::resolve(&doc, SourceId(0), &[user, system], false);
    assert_eq!(set.value("ClientID"), Some("s"));
    assert_eq!(set.layers()[0].scope, Some(IniScope::System));
}

#[test]
fn unknown_dsn_with_suggestion() {
    let user = ini("[sales]\n[ODBC]\n", 1, IniScope::User);
    let doc = parse_connection_string("DSN=sale;UID=x");
    let (set, problems) = OptionSet::resolve(&doc, SourceId(0), &[user], false);
    assert_eq!(set.dsn(), None);
    assert_eq!(set.value("UID"), Some("x"));
    match &problems[..] {
        [
            ResolveProblem::UnknownDsn {
                name,
                searched,
                suggestion,
                ..
            },
        ] => {
            assert_eq!(name, "sale");
            assert_eq!(searched, &["file1"]);
            assert_eq!(suggestion.as_deref(), Some("sales"));
        }
        other => panic!("{other:?}"),
    }
    let doc = parse_connection_string("DSN=ODBC");
    let (_, problems) = OptionSet::resolve(
        &doc,
        SourceId(0),
        &[ini("[ODBC]\n", 1, IniScope::User)],
        false,
    );
    assert!(matches!(problems[..], [ResolveProblem::UnknownDsn { .. }]));
}

#[test]
fn driver_before_dsn_ignores_the_dsn() {
    let f = ini("[sales]\nClientID=u\n", 1, IniScope::User);
    let doc = parse_connection_string("DRIVER={x};DSN=sales");
    let (set, problems) = OptionSet::resolve(&doc, SourceId(0), std::slice::from_ref(&f), false);
    assert_eq!(set.value("ClientID"), None);
    assert!(matches!(
        problems[..],
        [ResolveProblem::DsnAfterDriver { .. }]
    ));
    let doc = parse_connection_string("DSN=sales;DRIVER={x};FILEDSN=y");
    let (set, problems) = OptionSet::resolve(&doc, SourceId(0), &[f], false);
    assert_eq!(set.value("ClientID"), Some("u"));
    assert!(matches!(
        problems[..],
        [ResolveProblem::DsnAndFileDsn { .. }]
    ));
}

#[test]
fn winner_table_agrees_with_the_scan() {
    assert!(crate::options::catalog().len() <= WINNER_SLOTS);
    let f = ini(
        "[s]\nUID=1\nUser=2\nClientID=c\nScope=a\nScope=b\nPWD=p\n",
        1,
        IniScope::User,
    );
    for text in [
        "UID=a;User=b;uid=c;cid=1;ClientID=2;Colour=x",
        "DSN=s;UID=me;Scope=x;scope=y;LogonID=z",
        "DSN=s",
    ] {
        for last in [false, true] {
            let doc = parse_connection_string(text);
            let (set, _) = OptionSet::resolve(&doc, SourceId(0), std::slice::from_ref(&f), last);
            for spec in crate::options::catalog() {
                let want = set.winner_index(spec.name).map(|i| &set.all()[i]);
                assert_eq!(set.get_spec(spec), want, "{text} {last} {}", spec.name);
                assert_eq!(set.get(spec.name), want);
            }
            assert_eq!(
                set.winners().count(),
                set.all()
                    .iter()
                    .filter_map(|o| o.spec.map(|s| s.name))
                    .collect::<std::collections::HashSet<_>>()
                    .len()
            );
        }
    }
}

#[test]
fn jdbc_and_debug_hides_secrets() {
    let doc =
        parse_jdbc_url("jdbc:datadirect:autorest:ClientSecret='s3cr3t';ClientID=me;Secrt=zz9");
    let set = OptionSet::from_document(&doc, SourceId(0), false);
    assert_eq!(set.value("ClientSecret"), Some("s3cr3t"));
    let dbg = format!("{set:?}");
    assert!(!dbg.contains("s3cr3t") && !dbg.contains("zz9"), "{dbg}");
    assert!(dbg.contains("me"));
}
