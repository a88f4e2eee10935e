//! Round-trip properties of the Model file reader (`parse_model`).
//!
//! * Any text prints back byte for byte; spans sit inside the text on
//!   character boundaries, children nest inside their parents, and nothing
//!   panics.
//! * Strict JSON (any `serde_json::Value`, compact or pretty) reads without
//!   a problem and gives the same value as `serde_json`.
//! * The same JSON decorated as the vendor writes Model files (`//`
//!   comments, trailing commas, `\&` for `&`) reads without a problem and
//!   gives the same value.
//! * A comma taken out between two members is a `missing-comma` warning
//!   whose fix puts it back: the fixed text reads clean, to the same value.
//! * Replacing every string with its re-encoding (what redaction does with
//!   `print_with`) keeps the value.

use connstr::syntax::{ModelProblemKind, Span, parse_model};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::Value as J;

fn json() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(|n| J::Number(n.into())),
        (-1e6f64..1e6).prop_map(|f| serde_json::Number::from_f64(f).map_or(J::Null, J::Number)),
        "[a-z&#{}/ \\\\\"é\\t\\n]{0,12}".prop_map(J::String),
        any::<String>().prop_map(J::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            // Lowercase keys: `#` keys are matched case-insensitively, so `#N` and
            // `#n` in one object are a duplicate by the Model file's own rule.
            prop::collection::vec(("[#a-z]{1,8}", inner), 0..6)
                .prop_map(|m| J::Object(m.into_iter().collect())),
        ]
    })
}

fn root_object() -> impl Strategy<Value = J> {
    prop::collection::vec(("[#a-z]{1,8}", json()), 0..6)
        .prop_map(|m| J::Object(m.into_iter().collect()))
}

/// `v` written as the vendor writes Model files: `choices` says, for each
/// container and member in turn, whether to add a comment line, a trailing
/// comma, and `\&` for `&` in strings.
fn decorate(v: &J, choices: &mut impl Iterator<Item = bool>, out: &mut String) {
    match v {
        J::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if choices.next().unwrap_or(false) {
                    out.push_str("\n  // a comment, with \"quotes\" and } brackets\n");
                }
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push_str(": ");
                decorate(x, choices, out);
            }
            if !m.is_empty() && choices.next().unwrap_or(false) {
                out.push_str(", ");
            }
            out.push('}');
        }
        J::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if choices.next().unwrap_or(false) {
                    out.push_str(" // item\n");
                }
                decorate(x, choices, out);
            }
            if !a.is_empty() && choices.next().unwrap_or(false) {
                out.push(',');
            }
            out.push(']');
        }
        J::String(s) => {
            let enc = serde_json::to_string(s).unwrap_or_default();
            if choices.next().unwrap_or(false) {
                out.push_str(&enc.replace('&', "\\&"));
            } else {
                out.push_str(&enc);
            }
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `v` as `serde_json` reads it back (its float parsing is not exact, and
/// the reader's numbers are parsed by `serde_json`).
fn reread(v: &J) -> J {
    serde_json::from_str(&serde_json::to_string(v).unwrap_or_default()).unwrap_or(J::Null)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: ProptestConfig::default().cases.max(256),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/model_roundtrip.txt",
        ))),
        ..ProptestConfig::default()
    }
}

fn check_structure(text: &str) -> Result<(), TestCaseError> {
    let doc = parse_model(text);
    prop_assert_eq!(doc.print(), text);
    let ok = |s: Span| {
        s.start() <= s.end()
            && s.end() <= text.len()
            && text.is_char_boundary(s.start())
            && text.is_char_boundary(s.end())
    };
    for p in doc.problems() {
        prop_assert!(ok(p.span), "{:?}", p);
        if let Some(r) = p.related {
            prop_assert!(ok(r));
        }
    }
    for v in doc.values() {
        prop_assert!(ok(v.span()));
        if let Some(k) = v.key_span() {
            prop_assert!(ok(k));
            prop_assert!(k.end() <= v.span().start());
        }
        if let Some(c) = v.content_span() {
            prop_assert!(ok(c));
        }
        for c in v.children() {
            let (outer, inner) = (v.span(), c.member_span());
            prop_assert!(outer.start() <= inner.start() && inner.end() <= outer.end());
        }
        let _ = (v.as_str(), v.key(), v.to_json(), v.as_i64());
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_prints_back(s in prop_oneof![
        any::<String>(),
        "[{}\\[\\]\":,a1 \\n\\r\\t/*\\\\&é-]{0,64}",
    ]) {
        check_structure(&s)?;
    }

    #[test]
    fn strict_json_reads_as_serde_json_does(v in root_object(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&v).unwrap_or_default()
        } else {
            serde_json::to_string(&v).unwrap_or_default()
        };
        let doc = parse_model(&text);
        prop_assert!(doc.problems().is_empty(), "{:?}", doc.problems());
        let root = doc.root();
        prop_assert!(root.is_some());
        prop_assert_eq!(root.map(|r| r.to_json()), Some(reread(&v)));
        check_structure(&text)?;
    }

    #[test]
    fn vendor_style_reads_to_the_same_value(
        v in root_object(),
        choices in prop::collection::vec(any::<bool>(), 0..256),
    ) {
        let mut text = String::new();
        decorate(&v, &mut choices.into_iter(), &mut text);
        let doc = parse_model(&text);
        prop_assert!(doc.problems().is_empty(), "{}: {:?}", text, doc.problems());
        prop_assert_eq!(doc.root().map(|r| r.to_json()), Some(reread(&v)));
    }

    #[test]
    fn a_missing_comma_is_a_warning_whose_fix_heals(v in root_object(), which in any::<prop::sample::Index>()) {
        let text = serde_json::to_string_pretty(&v).unwrap_or_default();
        let doc = parse_model(&text);
        let root = doc.root();
        prop_assume!(root.is_some());
        let Some(root) = root else { return Ok(()) };
        let members: Vec<_> = root.members().collect();
        prop_assume!(members.len() >= 2);
        let m = &members[which.index(members.len() - 1)];
        // The comma right after this member's value.
        let after = m.span().end();
        prop_assert_eq!(&text[after..after + 1], ",");
        let broken = format!("{}{}", &text[..after], &text[after + 1..]);
        let bdoc = parse_model(&broken);
        let kinds: Vec<_> = bdoc.problems().iter().map(|p| p.kind).collect();
        prop_assert_eq!(kinds, vec![ModelProblemKind::MissingComma]);
        prop_assert_eq!(bdoc.root().map(|r| r.to_json()), Some(reread(&v)));
        let (at, fix) = bdoc.problems()[0].fix().unwrap_or((Span::empty(0), ""));
        let mut fixed = broken.clone();
        fixed.replace_range(at.range(), fix);
        prop_assert_eq!(&fixed, &text);
    }

    #[test]
    fn re_encoding_every_string_keeps_the_value(v in root_object(), choices in prop::collection::vec(any::<bool>(), 0..256)) {
        let mut text = String::new();
        decorate(&v, &mut choices.into_iter(), &mut text);
        let doc = parse_model(&text);
        let normal = doc.print_with(|s| {
            s.as_str().map(|x| serde_json::to_string(&x).unwrap_or_default().into())
        });
        let again = parse_model(&normal);
        prop_assert!(again.problems().is_empty());
        prop_assert_eq!(again.root().map(|r| r.to_json()), Some(reread(&v)));
    }
}
