use super::*;
use ModelProblemKind as K;

fn kinds(text: &str) -> Vec<ModelProblemKind> {
    parse_model(text)
        .problems()
        .iter()
        .map(|p| p.kind)
        .collect()
}

/// Shaped like the vendor's "Example Model file": `//` comments, a trailing
/// comma inside an `#http` rule and after the last table, no comma between
/// `#http` and `#authentication`, `\&` in a request line.
const VENDOR_LIKE: &str = "{\n\t// response codes\n\t\"#http\": [\n\t\t{\"#code\": 401, \"#action\": \"REAUTHENTICATE\"},\n\t\t{\"#code\": 404, \"#action\":\"ZERO_ROWS\", \"#message\":\"{message}\", }\n\t]\n\t\"#authentication\": [\n\t\t\"api-key={customAuthParams[1]}\",\n\t\t{ \"credentials\": { \"username\": \"{user}\", \"password\": \"{password}\" } },\n\t\t\"POST http://{serverName}/bearertoken?a=1\\&b=2\",\n\t\t\"HEADER Authentication=Bearer {/access-token}\"\n\t],\n\t\"countries\": {\n\t\t\"#path\": [\"https://restcountries.example.com/v2/all\"], // all of them\n\t\t\"name\": \"VarChar(64),#key\",\n\t\t\"population\": \"Integer\"\n\t},\n}\n";

#[test]
fn reads_the_vendor_example_with_one_warning() {
    let doc = parse_model(VENDOR_LIKE);
    assert_eq!(kinds(VENDOR_LIKE), vec![K::MissingComma]);
    assert!(!doc.has_errors());
    let p = doc.problems()[0];
    // The fix goes right after the `]` of `#http`.
    let (at, text) = p.fix().unwrap();
    assert_eq!(&VENDOR_LIKE[at.start() - 1..at.start()], "]");
    assert_eq!(text, ",");
    let root = doc.root().unwrap();
    assert_eq!(root.kind(), ValueKind::Object);
    let keys: Vec<_> = root
        .members()
        .map(|m| m.key().unwrap().into_owned())
        .collect();
    assert_eq!(keys, ["#http", "#authentication", "countries"]);
    let steps: Vec<_> = root.get_ci("#Authentication").unwrap().items().collect();
    assert_eq!(steps.len(), 4);
    assert_eq!(steps[1].kind(), ValueKind::Object);
    assert_eq!(
        steps[2].as_str().unwrap(),
        "POST http://{serverName}/bearertoken?a=1&b=2"
    );
    assert!(!steps[2].is_verbatim());
    assert!(steps[0].is_verbatim());
    let http = root.get("#http").unwrap();
    let codes: Vec<_> = http
        .items()
        .map(|r| r.get("#code").and_then(|c| c.as_i64()))
        .collect();
    assert_eq!(codes, [Some(401), Some(404)]);
    assert_eq!(doc.print(), VENDOR_LIKE);
    // With the fix applied the text is strict JSON but for comments and trailing commas.
    let mut fixed = VENDOR_LIKE.to_owned();
    fixed.insert(at.start(), ',');
    assert!(parse_model(&fixed).problems().is_empty());
}

#[test]
fn strict_json_matches_serde_json() {
    let text = r#"{"a": [1, -2.5e3, true, false, null, "x\"y\\z\u00e9\ud83d\ude00"], "b": {"c": {}}, "d": []}"#;
    let doc = parse_model(text);
    assert!(doc.problems().is_empty(), "{:?}", doc.problems());
    let ours = doc.root().unwrap().to_json();
    let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(ours, theirs);
}

#[test]
fn errors_are_collected_with_spans() {
    assert_eq!(kinds(""), vec![K::Empty]);
    assert_eq!(kinds("  // only a comment\n"), vec![K::Empty]);
    assert_eq!(kinds("[]"), vec![K::RootNotObject]);
    assert_eq!(kinds("{\"a\": 1"), vec![K::UnclosedObject]);
    assert_eq!(kinds("{\"a\": [1, 2}"), vec![K::UnclosedArray]);
    assert_eq!(kinds("{\"a\" 1}"), vec![K::ExpectedColon]);
    assert_eq!(kinds("{a: 1}"), vec![K::UnquotedKey]);
    assert_eq!(kinds("{\"a\": }"), vec![K::ExpectedValue]);
    assert_eq!(kinds("{\"a\": True}"), vec![K::ExpectedValue]);
    assert_eq!(kinds("{\"a\": 01}"), vec![K::BadNumber]);
    assert_eq!(kinds("{\"a\": 1}}"), vec![K::UnexpectedText]);
    assert_eq!(kinds("{,\"a\": 1}"), vec![K::ExtraComma]);
    assert_eq!(kinds("{\"a\": [1 2]}"), vec![K::MissingComma]);
    assert_eq!(kinds("{\"a\": \"x\\=y\"}"), vec![K::UnknownEscape]);
    assert_eq!(kinds("{\"a\": \"x\ty\"}"), vec![K::ControlCharacter]);
    assert_eq!(kinds("{/* c */\"a\": 1}"), vec![K::BlockComment]);
    assert_eq!(
        kinds("{/* c \"a\": 1}"),
        vec![K::UnclosedObject, K::UnterminatedComment]
    );
    assert_eq!(
        kinds("{\"#tokenUri\": \"a\", \"#TOKENURI\": \"b\"}"),
        vec![K::DuplicateKey]
    );
    assert_eq!(kinds("{\"x\": 1, \"X\": 2}"), vec![]);
    let doc = parse_model("{\n  \"a\": \"open\n}");
    let p = doc.problems();
    assert_eq!(p[0].kind, K::UnterminatedString);
    assert_eq!(p[0].span, Span::new(9, 14));
    assert_eq!(
        doc.root().unwrap().get("a").unwrap().as_str().unwrap(),
        "open"
    );
    assert!(doc.has_errors());
}

#[test]
fn unclosed_object_points_at_its_brace() {
    let text = "{\n  \"#authentication\": [\n    \"POST https://x/login\"\n  ],\n  \"t\": {\"#path\": \"/t\"\n}\n";
    let doc = parse_model(text);
    let p: Vec<_> = doc
        .problems()
        .iter()
        .filter(|p| !p.kind.is_warning())
        .collect();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].kind, K::UnclosedObject);
    assert_eq!(p[0].span.start(), 0);
    assert_eq!(doc.print(), text);
}

#[test]
fn depth_is_bounded() {
    let text = format!("{{\"a\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let doc = parse_model(&text);
    assert_eq!(kinds(&text), vec![K::TooDeep]);
    assert_eq!(doc.print(), text);
    let open = format!("{{\"a\": {}", "[".repeat(10_000));
    assert!(parse_model(&open).has_errors());
}

#[test]
fn debug_shows_no_value() {
    let doc = parse_model(r#"{"password": "hunter2"}"#);
    let v = doc.root().unwrap().get("password").unwrap();
    assert!(!format!("{v:?}").contains("hunter2"));
}

#[test]
fn any_prefix_of_a_file_is_read_without_panic() {
    for end in 0..=VENDOR_LIKE.len() {
        if VENDOR_LIKE.is_char_boundary(end) {
            let text = &VENDOR_LIKE[..end];
            let doc = parse_model(text);
            assert_eq!(doc.print(), text);
            for p in doc.problems() {
                assert!(p.span.end() <= text.len());
            }
            for v in doc.values() {
                let _ = (v.as_str(), v.key(), v.to_json());
            }
        }
    }
}
