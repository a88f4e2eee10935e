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
