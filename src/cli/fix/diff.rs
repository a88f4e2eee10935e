//! The unified diff of `connstr fix --dry-run`, secrets masked.

use connstr::syntax::Span;

use super::{line_ranges, masked_line};

/// Lines of context around each change, as `diff -u`.
const CONTEXT: usize = 3;

/// The unified diff from `old` to `new` (both named `name`), every line
/// masked where the secret spans of its own text say (`old_secrets` of
/// `old`, `new_secrets` of `new`), then scrubbed of every secret text of
/// both: a fix can change what the checker reads as a secret (a
/// `Key: value` line is no entry until fixed; a swallowed secret's value is
/// cut at the first `;` until its own `;` is in place). Empty when the
/// texts are equal.
pub fn unified(
    name: &str,
    old: &str,
    old_secrets: &[Span],
    new: &str,
    new_secrets: &[Span],
) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let groups = diff.grouped_ops(CONTEXT);
    if groups.is_empty() {
        return String::new();
    }
    let (old_lines, new_lines) = (line_ranges(old), line_ranges(new));
    let mut secrets: Vec<&str> = old_secrets
        .iter()
        .filter_map(|s| old.get(s.start()..s.end()))
        .chain(
            new_secrets
                .iter()
                .filter_map(|s| new.get(s.start()..s.end())),
        )
        .filter(|s| !s.trim().is_empty())
        .collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();

    let mut out = format!("--- {name}\n+++ {name}\n");
    for group in &groups {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (os, oe) = (first.old_range().start, last.old_range().end);
        let (ns, ne) = (first.new_range().start, last.new_range().end);
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(os, oe - os),
            range(ns, ne - ns)
        ));
        for op in group {
            for change in diff.iter_changes(op) {
                let (mark, text, lines, spans, index) = match change.tag() {
                    similar::ChangeTag::Equal => {
                        (' ', old, &old_lines, old_secrets, change.old_index())
                    }
                    similar::ChangeTag::Delete => {
                        ('-', old, &old_lines, old_secrets, change.old_index())
                    }
                    similar::ChangeTag::Insert => {
                        ('+', new, &new_lines, new_secrets, change.new_index())
                    }
                };
                let Some(line) = index.and_then(|i| lines.get(i)) else {
                    continue;
                };
                out.push(mark);
                out.push_str(&masked_line(text, line.clone(), spans, &secrets));
                if !text[line.clone()].ends_with('\n') {
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}

/// A hunk range: `start,len`, 1-based (`start` is the line before when
/// `len` is 0), `,1` left out as `diff -u` does.
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_shows_with_context_and_masks() {
        let old = "a\nb\nClientSecret=s3cr3t;\nc\n";
        let new = "a\nb\nClientSecret=s3cr3t\nc\n";
        let at = old.find("s3cr3t").unwrap();
        let d = unified(
            "f.ini",
            old,
            &[Span::new(at, at + 6)],
            new,
            &[Span::new(at, at + 6)],
        );
        assert_eq!(
            d,
            "--- f.ini\n+++ f.ini\n@@ -1,4 +1,4 @@\n a\n b\n-ClientSecret=<redacted>;\n+ClientSecret=<redacted>\n c\n"
        );
        // A secret the old text did not see as one is scrubbed all the same.
        let d = unified(
            "f",
            "ClientSecret: s3cr3t\n",
            &[],
            "ClientSecret= s3cr3t\n",
            &[Span::new(14, 20)],
        );
        assert!(!d.contains("s3cr3t"), "{d}");
        assert!(unified("f", "x", &[], "x", &[]).is_empty());
        let d = unified("f", "x", &[], "y", &[]);
        assert!(
            d.ends_with("-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n"),
            "{d}"
        );
    }
}
