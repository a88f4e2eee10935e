//! Small text helpers for the hot paths of checking (every key and value of
//! every data source goes through them).

/// [`str::trim`], with the answer for text that has nothing to trim (a key
/// or value as the parser cut it, the usual case) found from its first and
/// last bytes alone: `str::trim` decodes characters from both ends.
///
/// ```ignore
/// assert_eq!(trim(" a b\u{a0}"), "a b");
/// ```
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    match s.as_bytes() {
        [first, .., last] | [first @ last]
            if first.is_ascii_graphic() && last.is_ascii_graphic() =>
        {
            s
        }
        _ => s.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::trim;

    proptest::proptest! {
        /// The same answer as `str::trim`, whatever the text.
        #[test]
        fn trim_is_str_trim(s in "[ a\\t\\n\\r\u{a0}\u{2003}é\u{85}\u{b}\u{c}=;]{0,6}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }
    }

    #[test]
    fn edges() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a\u{a0}",
            "a\u{2003}",
            "é",
            " é ",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }
}
