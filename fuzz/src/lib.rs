//! Invariants every parse must hold, whatever the input.

use connstr::syntax::Document;

/// Panics (which the fuzzer reports) when `doc` breaks an invariant: its nodes
/// must tile `text` so printing gives the input back, entry spans must sit on
/// character boundaries with the value inside the raw value, and every error
/// span must lie inside the input.
pub fn check_document(doc: &Document<'_>, text: &str) {
    assert_eq!(doc.print(), text);
    let mut at = 0;
    for node in doc.nodes() {
        let span = node.span();
        assert_eq!(span.start(), at);
        assert!(span.end() >= span.start());
        at = span.end();
    }
    assert_eq!(at, text.len());
    for e in doc.entries() {
        for s in [e.key, e.value, e.raw_value, e.span] {
            assert!(text.is_char_boundary(s.start()) && text.is_char_boundary(s.end()));
        }
        assert!(e.value.start() >= e.raw_value.start() && e.value.end() <= e.raw_value.end());
        let _ = e.value_str(text);
    }
    for err in doc.errors() {
        assert!(err.span.start() <= err.span.end() && err.span.end() <= text.len());
    }
}

/// Panics when a Model file parse breaks an invariant: printing gives the
/// input back, every span lies inside the input on character boundaries,
/// children lie inside their parents, and every accessor runs.
pub fn check_model(doc: &connstr::syntax::ModelDoc<'_>, text: &str) {
    use connstr::syntax::Span;
    assert_eq!(doc.print(), text);
    let ok = |s: Span| {
        s.start() <= s.end()
            && s.end() <= text.len()
            && text.is_char_boundary(s.start())
            && text.is_char_boundary(s.end())
    };
    for p in doc.problems() {
        assert!(ok(p.span));
        assert!(p.related.is_none_or(ok));
    }
    for v in doc.values() {
        assert!(ok(v.span()));
        assert!(v.key_span().is_none_or(ok));
        assert!(v.content_span().is_none_or(ok));
        for c in v.children() {
            let inner = c.member_span();
            assert!(v.span().start() <= inner.start() && inner.end() <= v.span().end());
        }
        let _ = (v.as_str(), v.key(), v.to_json(), v.as_i64(), v.as_bool());
    }
}
