//! `non-utf8`: a byte that is not UTF-8 where it matters.

declare_lint! {
    /// ### What it does
    /// Reports bytes that are not UTF-8 (a Latin-1 `é` written as the single
    /// byte `\xE9`) in a key, a section name, the Driver value or an option
    /// whose value is a URL or a host (TokenURI, AuthURI, RedirectURI,
    /// HealthURI, HostName, RESTSamplePath, ProxyHost, …). Such bytes in a
    /// Description or any other free text are fine and not reported: connstr
    /// reads them as they are, as unixODBC does, and shows them escaped.
    ///
    /// ### Why it matters
    /// unixODBC reads odbc.ini as bytes and passes them on unchanged: a key
    /// or section name then matches only if the application spells it with
    /// the same bytes in the same encoding, a driver name must match
    /// odbcinst.ini byte for byte, and a URL or host name with such a byte
    /// is not a valid URL at all (RFC 3986 wants it percent-encoded).
    ///
    /// ### Example
    /// ```text
    /// [Donn\xE9es]
    /// HostName=https://api.example.com/donn\xE9es
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// [Donnees]
    /// HostName=https://api.example.com/donn%C3%A9es
    /// ```
    name: "non-utf8",
    severity: Warning,
    description: "a byte that is not UTF-8 in a key, a section name, a driver or a URL",
}

use crate::diagnostic::{Diagnostic, Severity, SourceId};
use crate::options::{ValueKind, lookup};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::syntax::{Document, Form, Lossless, Span};

/// Whether the value of option `key` is a driver name, a URL or a host:
/// text compared or sent byte for byte.
fn value_matters(key: &str) -> bool {
    let key = key.trim();
    if key.eq_ignore_ascii_case("Driver") || key.eq_ignore_ascii_case("Driver64") {
        return true;
    }
    lookup(key).is_some_and(|spec| {
        matches!(spec.kind, ValueKind::TokenUri | ValueKind::Url)
            || matches!(spec.name, "HostName" | "RESTSamplePath" | "ProxyHost")
    })
}

/// The `non-utf8` diagnostics of `doc`, parsed from the text of `bytes`
/// (source `source`): one per key, section name or value that matters
/// holding such a byte, in source order. Nothing when the bytes are UTF-8.
pub(crate) fn check(doc: &Document<'_>, source: SourceId, bytes: &Lossless) -> Vec<Diagnostic> {
    if bytes.is_utf8() {
        return Vec::new();
    }
    let src = doc.source();
    let sections: Vec<_> = doc.sections().collect();
    let section_name =
        |e: &crate::syntax::Entry| e.section().and_then(|i| sections.get(i)).map(|s| s.name);
    let mut out: Vec<(Span, Diagnostic)> = Vec::new();
    let mut push = |span: Span, what: String, section: Option<&str>, key: Option<&str>| {
        let shown = bytes.escape(span.slice(src)).into_owned();
        let mut d = Diag::new(
            lints::NON_UTF8,
            Severity::Warning,
            format!("{what} `{shown}` holds a byte that is not UTF-8"),
            source,
            span,
            "not UTF-8",
        )
        .help(
            "write it in ASCII or UTF-8 (a URL percent-encodes such characters); \
             unixODBC compares these bytes as they are",
        )
        .section_named(section.map(|s| bytes.escape(s)).as_deref());
        if let Some(k) = key {
            d = d.key(bytes.escape(k).into_owned());
        }
        out.push((span, d.build()));
    };
    if doc.form() == Form::Ini {
        for s in &sections {
            if bytes.covers_invalid(s.name) {
                push(s.name, "section name".into(), Some(s.name.slice(src)), None);
            }
        }
    }
    for e in doc.entries() {
        let key = e.key_str(src);
        let section = section_name(e).map(|n| n.slice(src));
        if bytes.covers_invalid(e.key) {
            push(e.key, "key".into(), section, Some(key));
        } else if value_matters(key) && bytes.covers_invalid(e.value) {
            push(
                e.value,
                format!("the value of {}", key.trim()),
                section,
                Some(key),
            );
        }
    }
    out.sort_by_key(|(span, _)| *span);
    out.into_iter().map(|(_, d)| d).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse_connection_string, parse_ini};

    fn messages(raw: &[u8], ini: bool) -> Vec<String> {
        let bytes = Lossless::decode(raw.to_vec());
        let doc = if ini {
            parse_ini(bytes.text())
        } else {
            parse_connection_string(bytes.text())
        };
        check(&doc, SourceId(0), &bytes)
            .into_iter()
            .map(|d| d.message.into_owned())
            .collect()
    }

    #[test]
    fn only_where_it_matters() {
        let raw = b"[Donn\xe9es]\nDescription=Donn\xe9es \xe0 jour\nDriver=Pilote \xe9\n\
                    Cl\xe9=1\nHostName=https://h/\xe9\nUser=Ren\xe9\n";
        assert_eq!(
            messages(raw, true),
            [
                "section name `Donn\\xE9es` holds a byte that is not UTF-8",
                "the value of Driver `Pilote \\xE9` holds a byte that is not UTF-8",
                "key `Cl\\xE9` holds a byte that is not UTF-8",
                "the value of HostName `https://h/\\xE9` holds a byte that is not UTF-8",
            ]
        );
        assert!(messages(b"Description=Caf\xe9;User=Jos\xe9", false).is_empty());
        assert!(messages("Clé=1".as_bytes(), false).is_empty());
        assert_eq!(
            messages(b"TokenURI=POST https://h/t\xe9;", false),
            ["the value of TokenURI `POST https://h/t\\xE9` holds a byte that is not UTF-8"]
        );
    }
}
