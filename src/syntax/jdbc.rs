//! DataDirect JDBC URLs: `jdbc:<subprotocol>:<driver>:`, then `//host[:port]`,
//! a URL or nothing, then `;`-separated properties.
//!
//! The properties follow the connection-string rules except for braces: they
//! are parsed by [`connection_string`](super::conn) on the slice after the
//! head, with spans rebased onto the whole URL and `{…}` values read by the
//! DataDirect JDBC rule ([`braced_value`]: taken literally, outer braces
//! removed once, no `}}` escape). The grammar is `grammar/jdbc-url.abnf`.

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_till, take_while, take_while1};
use nom::character::complete::{char, satisfy};
use nom::combinator::recognize;
use nom::sequence::terminated;
use nom::{IResult, Parser};

use super::conn::{
    Closing, Delimited, Sink, Value, connection_string, delimited_value, finish_errors, is_ws,
    ws_len,
};
use super::{Document, Form, JdbcPrefix, Node, Quote, Span, SyntaxErrorKind, TriviaKind};

/// nom's result type with no error payload: recovery is done by hand.
type Res<'a, T> = IResult<&'a str, T, ()>;

/// Parse a DataDirect JDBC URL.
///
/// The head becomes a [`Node::Prefix`]; the `;` after it is a separator like
/// any other. A text that does not start with `jdbc:<subprotocol>:<driver>:`
/// gets a [`SyntaxErrorKind::BadJdbcPrefix`] error and is still read as
/// properties. As with connection strings, the nodes tile the input and every
/// problem is collected.
///
/// ```abnf
/// jdbc-url = *ws jdbc-head [ target ] properties
/// ```
///
/// ```
/// use connstr::syntax::parse_jdbc_url;
/// let doc = parse_jdbc_url("jdbc:datadirect:autorest://example.com:443;ClientID='abc';");
/// let src = doc.source();
/// let head = doc.jdbc_prefix().unwrap();
/// assert_eq!(head.driver.slice(src), "autorest");
/// assert_eq!(head.target.unwrap().slice(src), "//example.com:443");
/// let e = doc.entries().next().unwrap();
/// assert_eq!((e.key_str(src), &*e.value_str(src)), ("ClientID", "abc"));
/// assert!(doc.errors().is_empty());
/// assert_eq!(doc.print(), src);
/// ```
pub fn parse_jdbc_url(source: &str) -> Document<'_> {
    let mut sink = Sink::new(source, 0);
    let props = head(source, &mut sink);
    sink.set_base(props);
    properties(&source[props..], &mut sink);
    let Sink { nodes, errors, .. } = sink;
    let errors = finish_errors(source, errors);
    Document::new(source, Form::JdbcUrl, nodes, errors)
}

/// Read the head (leading blanks, `jdbc:…:…:` and the target) into `sink`
/// and return where the properties start. When the head is missing or broken,
/// report it and return where reading properties should resume.
fn head(source: &str, sink: &mut Sink) -> usize {
    let lead = ws_len(source);
    let text = &source[lead..];
    let push_lead = |sink: &mut Sink| {
        if lead > 0 {
            sink.nodes.push(Node::Trivia(super::Trivia {
                span: Span::new(0, lead),
                kind: TriviaKind::Whitespace,
            }));
        }
    };
    if let Ok((rest, (sub, drv))) = jdbc_head(text) {
        let head_end = lead + (text.len() - rest.len());
        let target = match target(rest) {
            Ok((_, t)) if !t.is_empty() => Some(Span::new(head_end, head_end + t.len())),
            _ => None,
        };
        let end = target.map_or(head_end, |t| t.end());
        let sub_start = lead + "jdbc:".len();
        let subprotocol = Span::new(sub_start, sub_start + sub.len());
        let drv_start = subprotocol.end() + 1;
        push_lead(sink);
        sink.nodes.push(Node::Prefix(JdbcPrefix {
            span: Span::new(lead, end),
            subprotocol,
            driver: Span::new(drv_start, drv_start + drv.len()),
            target,
        }));
        return end;
    }
    let partial = partial_head(text);
    if partial > 0 {
        push_lead(sink);
        let span = Span::new(lead, lead + partial);
        sink.nodes.push(Node::Invalid(span));
        sink.errors.push(super::SyntaxError {
            span,
            kind: SyntaxErrorKind::BadJdbcPrefix,
        });
        return lead + partial;
    }
    // No `jdbc:` at all: point at the first segment and read it all as
    // properties (leading blanks included).
    let first = memchr::memchr(b';', text.as_bytes()).map_or(text.len(), |n| n);
    let first = text[..first].trim_end_matches(is_ws).len();
    sink.errors.push(super::SyntaxError {
        span: Span::new(lead, lead + first),
        kind: SyntaxErrorKind::BadJdbcPrefix,
    });
    0
}

/// `jdbc:` (in any case), the subprotocol and the driver, each followed by `:`.
///
/// ```abnf
/// jdbc-head   = "jdbc:" subprotocol ":" driver ":"
/// subprotocol = jdbc-name
/// driver      = jdbc-name
/// ```
fn jdbc_head(input: &str) -> Res<'_, (&str, &str)> {
    let (rest, (_, sub, _, drv, _)) = (
        tag_no_case("jdbc:"),
        jdbc_name,
        char(':'),
        jdbc_name,
        char(':'),
    )
        .parse(input)?;
    Ok((rest, (sub, drv)))
}

/// A subprotocol or driver name.
///
/// ```abnf
/// jdbc-name = 1*( ALPHA / DIGIT / "-" / "_" / "." )
/// ```
fn jdbc_name(input: &str) -> Res<'_, &str> {
    take_while1(|c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).parse(input)
}

/// The length of the broken head at the start of `text`: `jdbc:`, then names
/// each followed by `:`, then a last name if nothing but a `;`, a blank or
/// the end follows it (`jdbc:datadirect:autorest;`). Zero without `jdbc:`.
fn partial_head(text: &str) -> usize {
    let Ok((mut rest, _)) = tag_no_case::<_, _, ()>("jdbc:").parse(text) else {
        return 0;
    };
    while let Ok((r, _)) = terminated(jdbc_name, char(':')).parse(rest) {
        rest = r;
    }
    if let Ok((r, _)) = jdbc_name(rest)
        && r.chars().next().is_none_or(|c| c == ';' || is_ws(c))
    {
        rest = r;
    }
    text.len() - rest.len()
}

/// What the URL points at, before the first `;` (or blank): `//host:port/path`
/// or a URL with a scheme. DataDirect's Autonomous REST URLs usually have
/// neither, the properties following the head directly.
///
/// ```abnf
/// target      = host-target / url-target
/// host-target = "//" *target-char
/// url-target  = scheme "://" *target-char
/// target-char = %x01-08 / %x0B-0C / %x0E-1F / %x21-3A / %x3C-10FFFF
/// ```
fn target(input: &str) -> Res<'_, &str> {
    let target_chars = || take_till(|c: char| c == ';' || is_ws(c));
    alt((
        recognize((tag("//"), target_chars())),
        recognize((scheme, tag("://"), target_chars())),
    ))
    .parse(input)
}

/// A URL scheme (RFC 3986).
///
/// ```abnf
/// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
/// ```
fn scheme(input: &str) -> Res<'_, &str> {
    recognize((
        satisfy(|c| c.is_ascii_alphabetic()),
        take_while(|c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')),
    ))
    .parse(input)
}

/// The properties: a connection string (spans rebased by the sink) whose
/// braced values follow the JDBC rule ([`braced_value`]).
///
/// ```abnf
/// properties     = jdbc-segment *( separator jdbc-segment )
/// jdbc-segment   = *ws [ jdbc-pair ]
/// jdbc-pair      = key *ws "=" jdbc-raw-value
/// jdbc-raw-value = *ws ( jdbc-braced-value / quoted-value / bare-value )
/// ```
fn properties(text: &str, sink: &mut Sink) {
    sink.set_braced_rule(braced_value);
    connection_string(text, sink);
}

/// `{…}` starting at `open`, by the DataDirect JDBC rule (JDBC 6.0,
/// "Connection URL examples"): the content is taken literally and the outer
/// braces are removed once, so `User={jsmith }` keeps its trailing space and
/// `Password={{hello}}` is `{hello}`. There is no `}}` escape: the value ends
/// at the first `}` followed by blanks and then `;` or the end of the text.
///
/// Without such a `}` the value is broken, as a single-quoted one would be:
/// if it holds a `}` at all, the first one closes it and the text after it up
/// to the next `;` is a [`SyntaxErrorKind::TextAfterClosingBrace`];
/// otherwise it runs to the end of the text
/// ([`SyntaxErrorKind::UnterminatedBrace`]).
///
/// The grammar spells the look-ahead out: inside the braces, a run of `}` and
/// blanks is followed by a character that is neither `;` nor a blank nor `}`
/// (or by the closing `}`).
///
/// ```abnf
/// jdbc-braced-value = "{" *( jdbc-braced-char / jdbc-brace-run jdbc-after-brace )
///                     [ jdbc-brace-run ] "}" *ws
/// jdbc-braced-char  = %x01-7C / %x7E-10FFFF
/// jdbc-brace-run    = "}" *( ws / "}" )
/// jdbc-after-brace  = %x01-08 / %x0B-0C / %x0E-1F / %x21-3A / %x3C-7C
///                   / %x7E-10FFFF
/// ```
fn braced_value(text: &str, open: usize, sink: &mut Sink) -> Value {
    const JDBC_BRACED: Delimited = Delimited {
        close: b'}',
        closing: Closing::BeforeSeparator,
        quote: Quote::JdbcBraced,
        unterminated: SyntaxErrorKind::UnterminatedBrace,
    };
    delimited_value(text, open, JDBC_BRACED, sink)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Quote, SyntaxError};

    fn entries(doc: &Document<'_>) -> Vec<(String, String)> {
        doc.entries()
            .map(|e| {
                (
                    e.key_str(doc.source()).to_owned(),
                    e.value_str(doc.source()).into_owned(),
                )
            })
            .collect()
    }

    fn kinds(doc: &Document<'_>) -> Vec<SyntaxErrorKind> {
        doc.errors().iter().map(|e| e.kind).collect()
    }

    fn kv(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    fn prefix(doc: &Document<'_>) -> JdbcPrefix {
        doc.jdbc_prefix()
            .copied()
            .unwrap_or_else(|| panic!("no prefix in {:?}", doc.source()))
    }

    #[test]
    fn rule_functions() {
        assert_eq!(jdbc_head("Jdbc:dd:rest:x"), Ok(("x", ("dd", "rest"))));
        assert!(jdbc_head("jdbc:dd:rest").is_err());
        assert!(jdbc_head("jdbc::rest:").is_err());
        assert_eq!(jdbc_name("a.b-c_1:"), Ok((":", "a.b-c_1")));
        assert!(jdbc_name(":").is_err());
        assert_eq!(scheme("git+ssh://"), Ok(("://", "git+ssh")));
        assert!(scheme("1http").is_err());
        assert_eq!(target("//h:1/p;A=1"), Ok((";A=1", "//h:1/p")));
        assert_eq!(target("https://x y"), Ok((" y", "https://x")));
        assert_eq!(target("//"), Ok(("", "//")));
        assert!(target("A=//x").is_err());
        assert_eq!(partial_head("jdbc:a:b=1"), "jdbc:a:".len());
        assert_eq!(partial_head("JDBC:a"), "JDBC:a".len());
        assert_eq!(partial_head("jdbc"), 0);
    }

    #[test]
    fn head_with_nothing_after_it() {
        let src = "jdbc:datadirect:autorest:AuthenticationMethod=OAuth2;ClientID=x";
        let doc = parse_jdbc_url(src);
        let p = prefix(&doc);
        assert_eq!(p.span.slice(src), "jdbc:datadirect:autorest:");
        assert_eq!(p.subprotocol.slice(src), "datadirect");
        assert_eq!(p.driver.slice(src), "autorest");
        assert_eq!(p.target, None);
        assert_eq!(
            entries(&doc),
            vec![kv("AuthenticationMethod", "OAuth2"), kv("ClientID", "x")]
        );
        assert!(doc.errors().is_empty());
        assert_eq!(doc.print(), src);
    }

    #[test]
    fn head_is_case_insensitive_and_separator_is_trivia() {
        let src = "JDBC:DataDirect:AutoREST:;A=1";
        let doc = parse_jdbc_url(src);
        assert_eq!(prefix(&doc).span.slice(src), "JDBC:DataDirect:AutoREST:");
        assert!(matches!(
            doc.nodes()[1],
            Node::Trivia(super::super::Trivia {
                kind: TriviaKind::Separator,
                ..
            })
        ));
        assert_eq!(entries(&doc), vec![kv("A", "1")]);
        assert!(doc.errors().is_empty());
    }

    #[test]
    fn host_target() {
        let src = "jdbc:datadirect:autorest://host.example:8443/api;A={x;y}";
        let doc = parse_jdbc_url(src);
        let p = prefix(&doc);
        assert_eq!(
            p.target.map(|t| t.slice(src)),
            Some("//host.example:8443/api")
        );
        assert_eq!(
            p.span.slice(src),
            "jdbc:datadirect:autorest://host.example:8443/api"
        );
        assert_eq!(entries(&doc), vec![kv("A", "x;y")]);
        let a = doc.entries().next().copied().unwrap_or_else(|| panic!());
        assert_eq!(a.quote, Quote::JdbcBraced);
        assert_eq!(a.raw_value.slice(src), "{x;y}");
        assert_eq!(a.eq_offset(), src.find('=').unwrap_or(0));
    }

    #[test]
    fn url_target() {
        let src = "jdbc:datadirect:autorest:https://example.com/x?a=b;Sample=1;";
        let doc = parse_jdbc_url(src);
        let p = prefix(&doc);
        assert_eq!(
            p.target.map(|t| t.slice(src)),
            Some("https://example.com/x?a=b")
        );
        assert_eq!(entries(&doc), vec![kv("Sample", "1")]);
        assert!(doc.errors().is_empty());
    }

    #[test]
    fn target_alone_and_leading_blanks() {
        let src = "  \njdbc:x:y://h";
        let doc = parse_jdbc_url(src);
        assert!(matches!(doc.nodes()[0], Node::Trivia(_)));
        assert_eq!(prefix(&doc).target.map(|t| t.slice(src)), Some("//h"));
        assert!(doc.errors().is_empty());
        assert_eq!(doc.entries().count(), 0);
    }

    #[test]
    fn target_stops_at_blanks() {
        let src = "jdbc:x:y://h \n;A=1";
        let doc = parse_jdbc_url(src);
        assert_eq!(prefix(&doc).target.map(|t| t.slice(src)), Some("//h"));
        assert!(doc.errors().is_empty());
        assert_eq!(entries(&doc), vec![kv("A", "1")]);
    }

    #[test]
    fn a_property_is_not_a_target() {
        let doc = parse_jdbc_url("jdbc:x:y:Sample=https://e.com/;A=1");
        assert_eq!(prefix(&doc).target, None);
        assert_eq!(
            entries(&doc),
            vec![kv("Sample", "https://e.com/"), kv("A", "1")]
        );
    }

    #[test]
    fn no_prefix_is_reported_and_properties_still_read() {
        let src = " ClientID=x;B=2";
        let doc = parse_jdbc_url(src);
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::BadJdbcPrefix]);
        assert_eq!(doc.errors()[0].span.slice(src), "ClientID=x");
        assert_eq!(entries(&doc), vec![kv("ClientID", "x"), kv("B", "2")]);
        assert!(doc.jdbc_prefix().is_none());
        assert_eq!(doc.print(), src);
    }

    #[test]
    fn empty_url_is_a_bad_prefix() {
        let doc = parse_jdbc_url("");
        assert_eq!(
            doc.errors(),
            &[SyntaxError {
                span: Span::empty(0),
                kind: SyntaxErrorKind::BadJdbcPrefix
            }]
        );
        assert!(doc.nodes().is_empty());
    }

    #[test]
    fn broken_head_is_invalid_and_the_rest_is_read() {
        let src = "jdbc:datadirect:AuthenticationMethod=OAuth2;A=1";
        let doc = parse_jdbc_url(src);
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::BadJdbcPrefix]);
        assert_eq!(doc.errors()[0].span.slice(src), "jdbc:datadirect:");
        assert_eq!(doc.nodes()[0], Node::Invalid(Span::new(0, 16)));
        assert_eq!(
            entries(&doc),
            vec![kv("AuthenticationMethod", "OAuth2"), kv("A", "1")]
        );

        let src = "jdbc:datadirect:autorest;A=1";
        let doc = parse_jdbc_url(src);
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::BadJdbcPrefix]);
        assert_eq!(doc.errors()[0].span.slice(src), "jdbc:datadirect:autorest");
        assert_eq!(entries(&doc), vec![kv("A", "1")]);
        assert_eq!(doc.print(), src);
    }

    #[test]
    fn property_errors_are_rebased() {
        let src = "jdbc:a:b:;x;C={y";
        let doc = parse_jdbc_url(src);
        assert_eq!(
            kinds(&doc),
            vec![
                SyntaxErrorKind::MissingEquals,
                SyntaxErrorKind::UnterminatedBrace
            ]
        );
        let texts: Vec<_> = doc.errors().iter().map(|e| e.span.slice(src)).collect();
        assert_eq!(texts, vec!["x", "{y"]);
    }

    #[test]
    fn nul_in_the_target_is_reported() {
        let src = "jdbc:a:b://h\0st;A=1";
        let doc = parse_jdbc_url(src);
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::NulByte]);
        assert_eq!(doc.print(), src);
    }

    #[test]
    fn seed_004_url_verbatim() {
        let src = "jdbc:datadirect:autorest:AuthenticationMethod=OAuth2-RefreshToken;\n\
ClientID='1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com'\n\
ClientSecret='FaZBFRsGXTaR';Config=C:/path/to/googleanalytics.rest;\n\
RefreshToken='1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh';\n\
TokenURI=https://accounts.google.com/o/oauth2/token;";
        let doc = parse_jdbc_url(src);
        assert!(doc.errors().is_empty(), "{:?}", doc.errors());
        assert_eq!(
            entries(&doc),
            vec![
                kv("AuthenticationMethod", "OAuth2-RefreshToken"),
                kv(
                    "ClientID",
                    "1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com'\nClientSecret='FaZBFRsGXTaR"
                ),
                kv("Config", "C:/path/to/googleanalytics.rest"),
                kv(
                    "RefreshToken",
                    "1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh"
                ),
                kv("TokenURI", "https://accounts.google.com/o/oauth2/token"),
            ]
        );
        let quotes: Vec<_> = doc.entries().map(|e| e.quote).collect();
        assert_eq!(quotes[1], Quote::Single);
        assert_eq!(doc.print(), src);
    }

    #[test]
    fn braces_are_literal_as_the_jdbc_docs_say() {
        // JDBC 6.0 "Connection URL examples": `User={hello }`, `Password={{hello}}`.
        let src =
            "jdbc:datadirect:oracle://server3:1521;SID=ORCL;User={jsmith };Password={{hello}}";
        let doc = parse_jdbc_url(src);
        assert!(doc.errors().is_empty(), "{:?}", doc.errors());
        assert_eq!(
            entries(&doc),
            vec![
                kv("SID", "ORCL"),
                kv("User", "jsmith "),
                kv("Password", "{hello}")
            ]
        );
        let pw = doc.entries().nth(2).copied().unwrap_or_else(|| panic!());
        assert_eq!(pw.quote, Quote::JdbcBraced);
        assert_eq!(pw.value.slice(src), "{hello}");
        assert_eq!(pw.raw_value.slice(src), "{{hello}}");
        assert_eq!(doc.print(), src);
    }

    #[test]
    fn a_jdbc_brace_closes_only_before_a_separator() {
        let doc = parse_jdbc_url("jdbc:a:b:A={x}}y} ;B={p;q} \n;C={}}");
        assert!(doc.errors().is_empty(), "{:?}", doc.errors());
        // No `}}` escape: the doubled brace stays as written.
        assert_eq!(
            entries(&doc),
            vec![kv("A", "x}}y"), kv("B", "p;q"), kv("C", "}")]
        );
        let doc = parse_jdbc_url("jdbc:a:b:A={x} }");
        assert_eq!(entries(&doc), vec![kv("A", "x} ")]);
    }

    #[test]
    fn broken_jdbc_braces_are_reported() {
        let src = "jdbc:a:b:A={x}y z;B=2";
        let doc = parse_jdbc_url(src);
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::TextAfterClosingBrace]);
        assert_eq!(doc.errors()[0].span.slice(src), "y z");
        assert_eq!(entries(&doc), vec![kv("A", "x"), kv("B", "2")]);
        let src = "jdbc:a:b:A={x;B=2";
        let doc = parse_jdbc_url(src);
        assert_eq!(kinds(&doc), vec![SyntaxErrorKind::UnterminatedBrace]);
        assert_eq!(doc.errors()[0].span.slice(src), "{x;B=2");
        assert_eq!(entries(&doc), vec![kv("A", "x;B=2")]);
        assert_eq!(doc.print(), src);
    }

    #[test]
    fn connection_strings_keep_the_odbc_rule() {
        let doc = crate::syntax::parse_connection_string("A={{hello}}}");
        let a = doc.entries().next().copied().unwrap_or_else(|| panic!());
        assert_eq!(a.quote, Quote::Braced);
        assert_eq!(a.value_str(doc.source()), "{hello}");
    }
}
