//! Round-trip properties of the syntax layer.
//!
//! * `encode_value` then parse gives the value back, alone or between other
//!   pairs, in a connection string; `encode_jdbc_value` likewise in a JDBC
//!   URL (braces taken literally, values holding braces, `;` and blanks).
//! * Printing a parsed document gives the input back, for any input, with
//!   all three parsers; the spans are sane (they tile, nest, and sit on
//!   character boundaries) and nothing panics.
//! * Parsing the printed document gives the same entries, and so does
//!   printing it with every value re-encoded (a normalisation that is
//!   idempotent).

use connstr::syntax::{
    Document, Form, Node, encode_jdbc_value, encode_value, parse_connection_string, parse_ini,
    parse_jdbc_url,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Strings over the characters that drive the connection-string rules.
fn connish() -> impl Strategy<Value = String> {
    "[a-zA-Z ;={}'\r\n]{0,48}"
}

/// Like [`connish`], with tabs, NULs, brackets and non-ASCII letters too.
fn connish_wide() -> impl Strategy<Value = String> {
    "[a-c ;={}'\r\n\t\\x00\\[\\]#é☃]{0,48}"
}

/// Any text, or connection-string-like text.
fn any_input() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), connish(), connish_wide()]
}

/// A JDBC head (good, broken or missing) followed by any input.
fn jdbc_input() -> impl Strategy<Value = String> {
    let heads = prop::sample::select(vec![
        "jdbc:datadirect:autorest:",
        "JDBC:DataDirect:AutoREST://h:1/p",
        "jdbc:a:b:https://e.com/x?y=z",
        " \njdbc:a:b:;",
        "jdbc:a:",
        "jdbc:",
        "",
    ]);
    (heads, any_input()).prop_map(|(h, s)| format!("{h}{s}"))
}

/// Values to encode: anything without NUL, and the characters that matter.
fn value() -> impl Strategy<Value = String> {
    prop_oneof!["[^\\x00]{0,32}", "[a-z ;={}'\r\n\t]{0,16}"]
}

/// Values for JDBC URLs: anything without NUL, and mostly braces, quotes,
/// `;` and blanks (the JDBC brace rule's look-ahead).
fn jdbc_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\\x00]{0,32}",
        "[a-z ;={}'\r\n\t]{0,16}",
        "[{} ;']{0,12}",
        "\\{?[a-z ]{0,6}\\}?",
    ]
}

/// (key, decoded value) of every entry.
fn pairs(doc: &Document<'_>) -> Vec<(String, String)> {
    doc.entries()
        .map(|e| {
            (
                e.key_str(doc.source()).to_owned(),
                e.value_str(doc.source()).into_owned(),
            )
        })
        .collect()
}

fn parse(form: Form, s: &str) -> Document<'_> {
    match form {
        Form::ConnectionString => parse_connection_string(s),
        Form::JdbcUrl => parse_jdbc_url(s),
        Form::Ini => parse_ini(s),
    }
}

/// Every span of `doc` fits its source, sits on character boundaries, and
/// the parts of an entry nest inside it.
fn check_spans(doc: &Document<'_>) -> Result<(), TestCaseError> {
    let src = doc.source();
    let ok = |s: connstr::syntax::Span| {
        s.start() <= s.end() && s.end() <= src.len() && src.get(s.start()..s.end()).is_some()
    };
    let mut at = 0;
    for n in doc.nodes() {
        let s = n.span();
        prop_assert_eq!(s.start(), at, "nodes do not tile {:?}", src);
        prop_assert!(ok(s));
        at = s.end();
        if let Node::Entry(e) = n {
            prop_assert!(ok(e.key) && ok(e.raw_value) && ok(e.value));
            prop_assert!(e.span.start() <= e.key.start() && e.key.end() <= e.eq_offset());
            prop_assert!(e.eq_offset() < e.raw_value.start() || doc.form() == Form::Ini);
            prop_assert!(
                e.raw_value.start() <= e.value.start() && e.value.end() <= e.raw_value.end()
            );
            prop_assert!(e.raw_value.end() <= e.span.end());
            prop_assert_eq!(src.as_bytes().get(e.eq_offset()), Some(&b'='));
            prop_assert!(!e.key.is_empty());
        }
    }
    prop_assert_eq!(at, src.len());
    for e in doc.errors() {
        prop_assert!(ok(e.span), "error span {:?} outside {:?}", e.span, src);
    }
    let starts: Vec<_> = doc.errors().iter().map(|e| e.span.start()).collect();
    prop_assert!(
        starts.windows(2).all(|w| w[0] <= w[1]),
        "errors out of order"
    );
    Ok(())
}

/// Print `doc` with every entry's value re-encoded for its form (a JDBC
/// value no JDBC URL can carry is left as written).
fn normalise(doc: &Document<'_>) -> String {
    doc.print_with(|e| {
        let v = e.value_str(doc.source());
        match doc.form() {
            Form::JdbcUrl => encode_jdbc_value(&v)
                .ok()
                .map(|enc| std::borrow::Cow::Owned(enc.into_owned())),
            _ => Some(std::borrow::Cow::Owned(encode_value(&v).into_owned())),
        }
    })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: ProptestConfig::default().cases.max(512),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/roundtrip.txt",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn encoded_values_decode_to_themselves(v in value()) {
        let enc = encode_value(&v);
        prop_assert!(!enc.contains('\0'));

        let alone = format!("K={enc}");
        let doc = parse_connection_string(&alone);
        prop_assert!(doc.errors().is_empty(), "{:?}: {:?}", alone, doc.errors());
        prop_assert_eq!(pairs(&doc), vec![("K".to_owned(), v.clone())]);

        let between = format!("A=1; K = {enc} ;\nB=2");
        let doc = parse_connection_string(&between);
        prop_assert!(doc.errors().is_empty(), "{:?}: {:?}", between, doc.errors());
        prop_assert_eq!(
            pairs(&doc),
            vec![
                ("A".to_owned(), "1".to_owned()),
                ("K".to_owned(), v.clone()),
                ("B".to_owned(), "2".to_owned()),
            ]
        );

    }

    #[test]
    fn jdbc_encoded_values_decode_to_themselves(v in jdbc_value()) {
        let Ok(enc) = encode_jdbc_value(&v) else {
            // Only a value holding both `}` and `'` before a `;` (blanks
            // between) has no JDBC spelling.
            let closes = |q: char| v.match_indices(q).any(|(i, _)| {
                v[i + 1..].trim_start_matches([' ', '\t', '\r', '\n']).starts_with(';')
            });
            prop_assert!(closes('}') && closes('\''), "{:?} refused", v);
            return Ok(());
        };
        prop_assert!(!enc.contains('\0'));
        for url in [
            format!("jdbc:datadirect:autorest://h;K={enc};B=2"),
            format!("jdbc:datadirect:autorest:K = {enc} ;\nB=2"),
            format!("jdbc:datadirect:autorest:B=2;K={enc}"),
        ] {
            let doc = parse_jdbc_url(&url);
            prop_assert!(doc.errors().is_empty(), "{:?}: {:?}", url, doc.errors());
            let mut got = pairs(&doc);
            got.sort();
            prop_assert_eq!(
                got,
                vec![("B".to_owned(), "2".to_owned()), ("K".to_owned(), v.clone())]
            );
            prop_assert_eq!(doc.print(), url.as_str());
        }
    }

    #[test]
    fn connection_string_prints_back(s in any_input()) {
        let doc = parse_connection_string(&s);
        prop_assert_eq!(doc.print(), s.as_str());
        check_spans(&doc)?;
    }

    #[test]
    fn jdbc_url_prints_back(s in jdbc_input()) {
        let doc = parse_jdbc_url(&s);
        prop_assert_eq!(doc.print(), s.as_str());
        check_spans(&doc)?;
    }

    #[test]
    fn ini_prints_back(s in any_input()) {
        let doc = parse_ini(&s);
        prop_assert_eq!(doc.print(), s.as_str());
        check_spans(&doc)?;
    }

    #[test]
    fn reparsing_the_print_gives_the_same_entries(
        s in any_input(),
        form in prop::sample::select(vec![Form::ConnectionString, Form::JdbcUrl, Form::Ini]),
    ) {
        let doc = parse(form, &s);
        let printed = doc.print();
        let again = parse(form, &printed);
        prop_assert_eq!(pairs(&again), pairs(&doc));
        prop_assert_eq!(again.errors(), doc.errors());
    }

    #[test]
    fn re_encoding_every_value_keeps_the_entries(
        s in prop_oneof![any_input(), jdbc_input()],
        form in prop::sample::select(vec![Form::ConnectionString, Form::JdbcUrl]),
    ) {
        let doc = parse(form, &s);
        // A JDBC brace closes only before a `;` (a look-ahead), so a broken
        // segment (`={}#;#==`) may reach into values written after it:
        // re-encoding them can move where it ends. Only well-formed JDBC
        // properties (a bad head aside) must keep their entries.
        let jdbc_broken = form == Form::JdbcUrl
            && doc
                .errors()
                .iter()
                .any(|e| e.kind != connstr::syntax::SyntaxErrorKind::BadJdbcPrefix);
        if jdbc_broken {
            return Ok(());
        }
        let once = normalise(&doc);
        let again = parse(form, &once);
        prop_assert_eq!(pairs(&again), pairs(&doc), "normalised: {:?}", once);
        prop_assert_eq!(normalise(&again), once.as_str(), "not idempotent");
    }
}

#[test]
fn normalising_heals_broken_values() {
    let src = "A='x'y;B={z;C= p ";
    let doc = parse_connection_string(src);
    assert_eq!(doc.errors().len(), 2);
    let fixed = normalise(&doc);
    assert_eq!(fixed, "A=x;B={z;C= p }");
    let again = parse_connection_string(&fixed);
    assert!(again.errors().is_empty());
    assert_eq!(pairs(&again), pairs(&doc));
}

/// Bytes as files hold them: anything, or text with Latin-1 and broken
/// UTF-8 sequences among the characters that drive the rules.
fn any_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        prop::collection::vec(
            prop::sample::select(vec![
                b'a', b'=', b';', b'{', b'}', b'\'', b'[', b']', b'\n', b'\r', b' ', b'#', 0xE9,
                0xE0, 0xFF, 0xC3, 0xA9, 0x80, 0x01, 0x1A, 0x7F,
            ]),
            0..64,
        ),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Issue 10 item 6: any byte sequence is read losslessly. The text the
    /// parsers read has the bytes' length; parsing never panics; printing
    /// gives the text back, and the nodes' spans, taken from the original
    /// bytes, give the bytes back byte for byte; every span is in bounds.
    #[test]
    fn any_bytes_parse_and_print_back_byte_for_byte(
        bytes in any_bytes(),
        form in prop::sample::select(vec![Form::ConnectionString, Form::JdbcUrl, Form::Ini]),
    ) {
        let l = connstr::syntax::Lossless::decode(bytes.clone());
        prop_assert_eq!(l.text().len(), bytes.len());
        prop_assert_eq!(l.original(), &bytes[..]);
        prop_assert_eq!(l.is_utf8(), std::str::from_utf8(&bytes).is_ok());
        for s in l.invalid() {
            prop_assert!(s.start() < s.end() && s.end() <= bytes.len());
            prop_assert!(bytes[s.range()].iter().all(|&b| b >= 0x80));
        }
        let doc = parse(form, l.text());
        prop_assert_eq!(doc.print(), l.text());
        check_spans(&doc)?;
        let back: Vec<u8> = doc.nodes().iter().flat_map(|n| l.original_of(n.span()).to_vec()).collect();
        prop_assert_eq!(back, bytes.clone());
        // Shown: every byte that is not UTF-8 escaped, nothing else changed.
        let shown = l.escape(l.text());
        let escapes = shown.matches("\\x").count() - l.text().matches("\\x").count();
        let invalid: usize = l.invalid().iter().map(|s| s.len()).sum();
        prop_assert_eq!(escapes, invalid);
        // Masking written back as bytes keeps every byte outside the spans.
        let secrets = connstr::options::secret_spans(&doc);
        let masked = connstr::syntax::replace_spans(&bytes, &secrets, b"<redacted>");
        let kept: usize = bytes.len() - secrets.iter().map(|s| s.len()).sum::<usize>();
        prop_assert_eq!(masked.len(), kept + secrets.len() * "<redacted>".len());
    }
}

/// A Latin-1 odbc.ini: read, every byte kept, the é shown as `\xE9`.
#[test]
fn a_latin1_odbc_ini_is_read_as_is() {
    let raw = b"[Ventes]\nDescription=Donn\xe9es \xe0 jour\nHostName=https://h/v1\n".to_vec();
    let l = connstr::syntax::Lossless::decode(raw.clone());
    let doc = parse_ini(l.text());
    assert!(doc.errors().is_empty());
    let e: Vec<_> = doc.entries().collect();
    assert_eq!(l.original_of(e[0].value), b"Donn\xe9es \xe0 jour");
    assert_eq!(
        l.escape(&e[0].value_str(l.text())),
        "Donn\\xE9es \\xE0 jour"
    );
    assert_eq!(e[1].value_str(l.text()), "https://h/v1");
}
