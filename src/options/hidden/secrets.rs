//! Which keys hold secrets ([`is_secret_key`]: the catalog's and every
//! driver profile's secret options, typos of them, keys that look secret),
//! and where a document's secret values are ([`secret_spans`]): values of
//! secret keys, secret pairs hidden in other values, secrets in URLs and in
//! lines that did not parse. Renderers and `redact` mask these spans.

use crate::syntax::{Document, Entry, Quote, Span};

use super::{HiddenPair, hidden_pairs, is_key_byte, url_secrets};
use crate::options::catalog::{OptionSpec, lookup, suggest};

/// Words that make an unknown key look like it holds a secret.
const SECRET_WORDS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "pwd",
    "token",
    "apikey",
    "api_key",
    "credential",
    "oauthcode",
];

/// Whether the value of `key` must be treated as a secret: a secret option of
/// the catalog, an unknown key whose did-you-mean is one (`ClientSecert`), or
/// an unknown key that looks like one (`client_secret`, `api_token`).
///
/// ```
/// use connstr::options::is_secret_key;
/// assert!(is_secret_key("PWD"));
/// assert!(is_secret_key("ClientSecert"));
/// assert!(is_secret_key("x_api_token"));
/// assert!(!is_secret_key("TokenURI"));
/// assert!(!is_secret_key("ClientID"));
/// assert!(is_secret_key("y}\nATK"));
/// ```
pub fn is_secret_key(key: &str) -> bool {
    secret_key(key, true)
}

/// [`is_secret_key`] without the did-you-mean: for keys that are names, not
/// options (the data source names of `[ODBC Data Sources]`), where guessing
/// an option from every name would cost a string-similarity search per line.
pub(crate) fn is_secret_key_unguessed(key: &str) -> bool {
    // Not remembered: data source names are each met once.
    secret_key_worked_out(key, false)
}

/// Whether `key` (any case) names a secret option of any driver profile
/// ([`crate::options::drivers::PROFILES`]): masked wherever it appears, whatever the
/// target's driver.
fn is_profile_secret(key: &str) -> bool {
    /// Every secret name of every profile, lowercase (built once).
    type Names = std::collections::HashSet<String, foldhash::fast::RandomState>;
    static NAMES: std::sync::LazyLock<Names> = std::sync::LazyLock::new(|| {
        crate::options::drivers::PROFILES
            .iter()
            .flat_map(|p| p.options.iter().filter(|s| s.secret))
            .flat_map(OptionSpec::names)
            .map(str::to_ascii_lowercase)
            .collect()
    });
    crate::options::memo::with_lowercase(key, |k| NAMES.contains(k))
}

fn secret_key(key: &str, guess: bool) -> bool {
    // Asked for every key of every data source: a file repeats few keys.
    thread_local! {
        static MEMO: std::cell::RefCell<crate::options::memo::Memo<bool>> =
            std::cell::RefCell::new(crate::options::memo::Memo::default());
    }
    static SHARED: crate::options::memo::Shared<bool> = crate::options::memo::Shared::new();
    crate::options::memo::remember(&MEMO, &SHARED, usize::from(guess), key, |_| {
        secret_key_worked_out(key, guess)
    })
}

/// [`secret_key`] without the memo (case-insensitive, as the memo needs).
fn secret_key_worked_out(key: &str, guess: bool) -> bool {
    // A key that runs over a line break (`y}\nATK` after a broken brace) is
    // judged by its last word too.
    let key = key.trim();
    let plain = key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !plain
        && let Some((_, last)) = key.rsplit_once(|c: char| c.is_whitespace() || c == ';')
        && secret_key(last, guess)
    {
        return true;
    }
    // A secret of any driver's profile (`clse`, `token`, `Auth_Client_Secret`)
    // is masked whatever the target's driver.
    if is_profile_secret(key) {
        return true;
    }
    if let Some(spec) = lookup(key) {
        return spec.secret;
    }
    // The cheap test first; the did-you-mean only when it says no.
    has_secret_word(key) || (guess && suggest(key).and_then(lookup).is_some_and(|s| s.secret))
}

/// Whether `key` holds one of the [`SECRET_WORDS`], in any ASCII case: one
/// pass over the key, comparing only where a word's first letter is (asked
/// for every line of an `[ODBC Data Sources]` list as long as the file).
fn has_secret_word(key: &str) -> bool {
    /// Which bytes start a word (lowercase).
    const FIRST: [bool; 256] = {
        let mut first = [false; 256];
        let mut i = 0;
        while i < SECRET_WORDS.len() {
            first[SECRET_WORDS[i].as_bytes()[0] as usize] = true;
            i += 1;
        }
        first
    };
    let bytes = key.as_bytes();
    (0..bytes.len()).any(|at| {
        FIRST[usize::from(bytes[at].to_ascii_lowercase())]
            && SECRET_WORDS.iter().any(|w| {
                bytes
                    .get(at..at + w.len())
                    .is_some_and(|b| b.eq_ignore_ascii_case(w.as_bytes()))
            })
    })
}

/// The spans of every secret value in `doc`, sorted and disjoint: the values
/// of secret options (and of keys that look secret, see [`is_secret_key`]),
/// secret values hidden inside another entry's value by a missing separator,
/// and secrets written inside a URL in any other value ([`url_secrets`]).
/// Renderers and `redact` mask these spans.
///
/// ```
/// use connstr::options::secret_spans;
/// use connstr::syntax::parse_connection_string;
/// let src = "ClientID=abc.apps\nClientsecret=FaZBFRsGXTaR;PWD={p;w};\
///            TokenURI=https://u:pw0rd@h/t?client_secret=c5&a=b";
/// let doc = parse_connection_string(src);
/// let spans: Vec<_> = secret_spans(&doc).iter().map(|s| s.slice(src)).collect();
/// assert_eq!(spans, ["FaZBFRsGXTaR", "p;w", "pw0rd", "c5"]);
///
/// let ini = "[a]\nClientSecret: s3cr3t\nPassword: pw=rest\n";
/// let doc = connstr::syntax::parse_ini(ini);
/// let spans: Vec<_> = secret_spans(&doc).iter().map(|s| s.slice(ini)).collect();
/// // The second line is the key `Password: pw` (the first `=` ends it).
/// assert_eq!(spans, ["s3cr3t", "pw", "rest"]);
/// ```
pub fn secret_spans(doc: &Document<'_>) -> Vec<Span> {
    let mut spans = entry_secret_spans(doc.source(), doc.entries());
    spans.extend(jdbc_target_secrets(doc));
    spans.extend(unparsed_secrets(doc));
    merge_spans(spans)
}

/// Secrets in text that did not parse as a pair: a line
/// `ClientSecret: value` (or `ClientSecret value`, no `=`) whose key looks
/// secret has everything after the key and its separator masked, and a URL
/// anywhere in unparsed text has its password and secret parameters masked
/// ([`url_secrets`]: `HostName https://user:PW@host`). Only the syntax
/// errors and invalid nodes are looked at: nothing to scan in a document that
/// parsed.
pub(crate) fn unparsed_secrets<'d>(doc: &'d Document<'_>) -> impl Iterator<Item = Span> + 'd {
    let src = doc.source();
    let keyed = doc
        .errors()
        .iter()
        .filter(|e| e.kind == crate::syntax::SyntaxErrorKind::MissingEquals)
        .filter_map(move |e| {
            let text = e.span.slice(src);
            let key_len = text
                .bytes()
                .position(|b| !is_key_byte(b))
                .unwrap_or(text.len());
            if key_len == 0 || !is_secret_key(&text[..key_len]) {
                return None;
            }
            let rest = &text[key_len..];
            let value = rest.trim_start_matches([' ', '\t', ':']);
            (!value.trim().is_empty()).then(|| {
                let start = e.span.start() + key_len + (rest.len() - value.len());
                Span::new(start, e.span.end())
            })
        });
    let invalid = (!doc.errors().is_empty())
        .then(|| {
            doc.nodes().iter().filter_map(|n| match n {
                crate::syntax::Node::Invalid(span) => Some(*span),
                _ => None,
            })
        })
        .into_iter()
        .flatten()
        .chain(doc.errors().iter().map(|e| e.span))
        .flat_map(move |span| url_secrets(src, span).into_iter().map(|u| u.value));
    keyed.chain(invalid)
}

/// The password in the user-info part of a JDBC URL's target
/// (`jdbc:datadirect:autorest://user:PASSWORD@host/…`, or with a scheme).
pub(crate) fn jdbc_target_secrets(doc: &Document<'_>) -> impl Iterator<Item = Span> {
    doc.jdbc_prefix()
        .and_then(|p| p.target)
        .map(|t| url_secrets(doc.source(), t))
        .unwrap_or_default()
        .into_iter()
        .map(|u| u.value)
}

/// The secret spans of `entries` (of `source`), unsorted and maybe
/// overlapping: [`merge_spans`] makes them what [`secret_spans`] returns.
/// Lets a large document be scanned in chunks, on several threads.
pub(crate) fn entry_secret_spans<'e>(
    source: &str,
    entries: impl Iterator<Item = &'e Entry>,
) -> Vec<Span> {
    entry_secret_spans_with(source, entries, is_secret_key)
}

/// [`entry_secret_spans`] of a section whose keys are names, not options
/// (`[ODBC Data Sources]`): keys are not guessed at ([`is_secret_key_unguessed`]).
pub(crate) fn list_secret_spans<'e>(
    source: &str,
    entries: impl Iterator<Item = &'e Entry>,
) -> Vec<Span> {
    entry_secret_spans_with(source, entries, is_secret_key_unguessed)
}

fn entry_secret_spans_with<'e>(
    source: &str,
    entries: impl Iterator<Item = &'e Entry>,
    is_secret: fn(&str) -> bool,
) -> Vec<Span> {
    let mut spans = Vec::new();
    for entry in entries {
        if is_secret(entry.key_str(source)) {
            push_secrets(&mut spans, source, entry, true, &[]);
        } else {
            push_secrets(
                &mut spans,
                source,
                entry,
                false,
                &hidden_pairs(source, entry),
            );
        }
    }
    spans
}

/// [`entry_secret_spans`] of the entries behind `occurrences` (of
/// `source`), reusing what resolution found: whether each key is secret and
/// the pairs hidden in each value.
pub(crate) fn occurrence_secret_spans(
    source: &str,
    occurrences: &[crate::options::Occurrence],
) -> Vec<Span> {
    let mut spans = Vec::new();
    for o in occurrences {
        push_secrets(&mut spans, source, &o.entry, o.is_secret(), &o.hidden);
    }
    spans
}

/// In a key that is not one word, what follows a secret-looking first word
/// and its `:` or blanks: in odbc.ini `ClientSecret: abc=def` is the key
/// `ClientSecret: abc` (the line's first `=` ends the key), so part of the
/// secret is in the key.
/// `word` is where the key's first word ends (its first byte that is not a
/// key byte).
fn key_secret_tail(key: &str, key_span: Span, word: usize) -> Option<Span> {
    if word == 0 || !is_secret_key(&key[..word]) {
        return None;
    }
    let rest = &key[word..];
    let tail = rest.trim_start_matches([' ', '\t', ':']);
    (!tail.is_empty()).then(|| Span::new(key_span.end() - tail.len(), key_span.end()))
}

/// The secret spans of one entry: its value when its key is secret (and
/// any text after a closing quote or brace); otherwise the secrets among the
/// pairs `hidden` in its value, and those written in a URL in it.
fn push_secrets(
    spans: &mut Vec<Span>,
    source: &str,
    entry: &Entry,
    secret_key: bool,
    hidden: &[HiddenPair],
) {
    // Most keys are one word: nothing more to look at in them.
    let key = entry.key.slice(source);
    if let Some(word) = key.bytes().position(|b| !is_key_byte(b)) {
        if let Some(tail) = key_secret_tail(key, entry.key, word) {
            spans.push(tail);
        }
        // A URL run into the key (`https://u:PW@h/x?a=b` with no key before
        // it, or `HostName https://u:P=W@h` whose first `=` is in the
        // password).
        if !key.as_bytes()[word..]
            .iter()
            .all(|&b| is_key_byte(b) || b == b' ')
        {
            let whole = Span::new(entry.key.start(), entry.raw_value.end());
            spans.extend(url_secrets(source, whole).into_iter().map(|u| u.value));
        }
    }
    if secret_key {
        if !entry.value.is_empty() {
            spans.push(entry.value);
        }
        // Text after a closing quote or brace is part of the raw value too.
        let tail = Span::new(
            (entry.value.end() + 1).min(entry.raw_value.end()),
            entry.raw_value.end(),
        );
        if entry.quote != Quote::Bare && !tail.slice(source).trim().is_empty() {
            spans.push(tail);
        }
        return;
    }
    for pair in hidden {
        if pair.secret && !pair.value.is_empty() {
            spans.push(pair.value);
        }
    }
    spans.extend(
        url_secrets(source, entry.value)
            .into_iter()
            .map(|u| u.value),
    );
}

/// Sorted and disjoint: a URL inside a swallowed secret is covered twice.
pub(crate) fn merge_spans(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start() < last.end() => *last = last.join(s),
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The one-pass word search answers as a search for each word in
        /// the ASCII-lowercased key.
        #[test]
        fn secret_words_are_found_as_by_substring_search(
            key in "(SeCrEt|PASS|word|pwd|Tok|en|api_|key|Credential|oauthCODE|é|x|_| ){0,8}"
        ) {
            let lower = key.to_ascii_lowercase();
            let expected = SECRET_WORDS.iter().any(|w| lower.contains(w));
            proptest::prop_assert_eq!(has_secret_word(&key), expected, "{:?}", key);
        }
    }
    use crate::syntax::{parse_connection_string, parse_ini, parse_jdbc_url};

    fn texts<'a>(src: &'a str, spans: &[Span]) -> Vec<&'a str> {
        spans.iter().map(|s| s.slice(src)).collect()
    }

    #[test]
    fn seed_001_connection_string() {
        let src = "DRIVER=DataDirect 8.0 Autonomous REST Connector;AuthenticationMethod=OAuth2;\n\
ClientID=1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com\n\
Clientsecret=FaZBFRsGXTaR;RestConfigFile=C:/path/to/googleanalytics.rest;\n\
RefreshToken=1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh;\n\
TokenURI=https://accounts.google.com/o/oauth2/token;";
        let doc = parse_connection_string(src);
        assert_eq!(
            texts(src, &secret_spans(&doc)),
            [
                "FaZBFRsGXTaR",
                "1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh"
            ]
        );
    }

    #[test]
    fn seed_004_jdbc_url() {
        let src = "jdbc:datadirect:autorest:AuthenticationMethod=OAuth2-RefreshToken;\n\
ClientID='1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com'\n\
ClientSecret='FaZBFRsGXTaR';Config=C:/path/to/googleanalytics.rest;\n\
RefreshToken='1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh';\n\
TokenURI=https://accounts.google.com/o/oauth2/token;";
        let doc = parse_jdbc_url(src);
        assert_eq!(
            texts(src, &secret_spans(&doc)),
            [
                "FaZBFRsGXTaR",
                "1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh"
            ]
        );
        let cid = doc.entries().nth(1).unwrap();
        let hidden = hidden_pairs(src, cid);
        assert_eq!(hidden.len(), 1);
        assert_eq!(hidden[0].key.slice(src), "ClientSecret");
    }

    #[test]
    fn several_swallowed_pairs_and_unknown_secretish_keys() {
        let src = "ClientID=a\nClientSecret=s1\nRefreshToken = 'r 2'\napi_token=t3\nScope=x y";
        let doc = parse_connection_string(src);
        assert_eq!(texts(src, &secret_spans(&doc)), ["s1", "r 2", "t3"]);
    }

    #[test]
    fn urls_and_scopes_hold_no_hidden_pairs() {
        let src = "TokenURI=POST https://h/t?client_secret=x&a=b;Scope=openid offline_access;CustomAuthParams={a=1;Password=2}";
        let doc = parse_connection_string(src);
        for e in doc.entries() {
            assert!(hidden_pairs(src, e).is_empty(), "{}", e.key_str(src));
        }
        // A secret query parameter of a URL is masked; CustomAuthParams is a
        // secret as a whole (it often holds API keys), so the braced value is
        // masked once, not pair by pair.
        assert_eq!(texts(src, &secret_spans(&doc)), ["x", "a=1;Password=2"]);
        // … but a typo of a secret key is still masked.
        let src = "ClientSecert=abc;Passwort=def";
        let doc = parse_connection_string(src);
        assert_eq!(texts(src, &secret_spans(&doc)), ["abc", "def"]);
    }

    #[test]
    fn secrets_inside_urls() {
        let src = "TokenURI=POST https://u:pw0rd@h.example.com/t?client_secret=abc&x=1&access_token=tok#f;HostName=https://h?a=b";
        let doc = parse_connection_string(src);
        assert_eq!(texts(src, &secret_spans(&doc)), ["pw0rd", "abc", "tok"]);
        // `user@host` and `user:@host` hold no password; `?code` alone no value.
        for v in [
            "https://ann@h/t",
            "https://ann:@h/t",
            "https://h/t?code",
            "https://h/t?code=",
        ] {
            assert!(url_secrets(v, Span::new(0, v.len())).is_empty(), "{v}");
        }
        // A swallowed secret holding a URL is masked once, whole.
        let src = "ClientID=a ClientSecret=https://u:p@h/x;Scope=s";
        let doc = parse_connection_string(src);
        assert_eq!(texts(src, &secret_spans(&doc)), ["https://u:p@h/x"]);
    }

    #[test]
    fn ini_values() {
        let src = "[a]\nPassword=p1\nClientID=x ClientSecret=s2\nUID=bob\n";
        let doc = parse_ini(src);
        assert_eq!(texts(src, &secret_spans(&doc)), ["p1", "s2"]);
    }

    #[test]
    fn text_after_closing_brace_of_a_secret_is_masked() {
        let src = "PWD={abc}def;UID=u";
        let doc = parse_connection_string(src);
        assert_eq!(texts(src, &secret_spans(&doc)), ["abc", "def"]);
    }

    #[test]
    fn odd_values_do_not_panic() {
        for src in [
            "a= ;",
            "a=\n",
            "a=x\n=",
            "a=x\n b =",
            "a='x\n b='",
            "a={x}\nb=c",
            "a=é\nb=é",
        ] {
            let doc = parse_connection_string(src);
            for e in doc.entries() {
                for p in hidden_pairs(src, e) {
                    assert!(p.value.end() <= src.len() && p.key.end() <= src.len());
                }
            }
            let _ = secret_spans(&doc);
        }
    }

    #[test]
    fn user_info_without_a_scheme() {
        let src = "ProxyHost=proxyuser:Pr0xyPw@proxy.example.com;HostName= api:ApiPw9@api.example.com/v1;\
                   TokenURI=POST tok:TokPw1@h/t;Description=see C:/x@y or a: b@c";
        let doc = parse_connection_string(src);
        assert_eq!(
            texts(src, &secret_spans(&doc)),
            ["Pr0xyPw", "ApiPw9", "TokPw1"]
        );
        // A URL with a scheme is read once, not twice.
        let v = "https://u:pw@h/x";
        assert_eq!(url_secrets(v, Span::new(0, v.len())).len(), 1);
    }

    #[test]
    fn urls_in_unparsed_text_are_masked() {
        let src = "[d]\nHostName https://u:LinePw1@h.example.com/x\n=https://v:EqPw2@h/\n";
        let doc = parse_ini(src);
        assert_eq!(texts(src, &secret_spans(&doc)), ["LinePw1", "EqPw2"]);
        let src = "A=1;https://u:ConnPw3@h/x?client_secret=Cs4;B=2";
        let doc = parse_connection_string(src);
        assert_eq!(texts(src, &secret_spans(&doc)), ["ConnPw3", "Cs4"]);
        // The first `=` of the line is inside the password.
        let src = "[d]\nHostName https://u:Pw=5x@h.example.com/v1\n";
        let doc = parse_ini(src);
        assert_eq!(texts(src, &secret_spans(&doc)), ["Pw=5x"]);
    }
}
