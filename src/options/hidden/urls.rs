//! Secrets written inside URLs: the password of `scheme://user:PW@host`
//! (or of `user:PW@host` written without a scheme) and the values of
//! secret-looking query parameters (`?client_secret=…`), in any value.

use crate::syntax::Span;

use super::is_secret_key;

/// Query parameters whose value is a secret even though their name does not
/// look like one to [`is_secret_key`].
const SECRET_PARAMS: &[&str] = &[
    "code",
    "client_secret",
    "access_token",
    "refresh_token",
    "assertion",
    "key",
    "sig",
    "signature",
];

/// A secret written inside a URL ([`url_secrets`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UrlSecret {
    /// The secret itself.
    pub value: Span,
    /// The query parameter it is the value of (`client_secret` in
    /// `?client_secret=…`); `None` for the password of `user:password@host`.
    pub param: Option<Span>,
}

/// Secrets inside URLs written in `value` (a span of `source`): the password
/// of `scheme://user:password@host` (or of `user:password@host` at the start
/// of the value, after an optional `POST `: a ProxyHost or HostName written
/// without a scheme), and the values of query parameters whose
/// name looks secret (`?client_secret=…`, `&access_token=…`, `&code=…`, or
/// any name [`is_secret_key`] accepts).
///
/// ```
/// use connstr::options::url_secrets;
/// use connstr::syntax::Span;
/// let src = "POST https://u:pw0rd@h.example.com/t?client_secret=abc&x=1&access_token=tok#f";
/// let found = url_secrets(src, Span::new(0, src.len()));
/// let texts: Vec<_> = found.iter().map(|u| u.value.slice(src)).collect();
/// assert_eq!(texts, ["pw0rd", "abc", "tok"]);
/// assert_eq!(found[0].param, None);
/// assert_eq!(found[1].param.map(|p| p.slice(src)), Some("client_secret"));
/// assert!(url_secrets("https://h/t?a=b", Span::new(0, 15)).is_empty());
/// let proxy = "proxyuser:Pr0xy@proxy.example.com:8080";
/// assert_eq!(url_secrets(proxy, Span::new(0, proxy.len()))[0].value.slice(proxy), "Pr0xy");
/// ```
pub fn url_secrets(source: &str, value: Span) -> Vec<UrlSecret> {
    let Some(text) = source.get(value.start()..value.end()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // Userinfo needs an `@`, a query a `?` or `&`: most values have none.
    if memchr::memchr3(b'@', b'?', b'&', text.as_bytes()).is_none() {
        return out;
    }
    let end_of = |from: usize, stops: &[char]| {
        text[from..]
            .find(|c: char| stops.contains(&c) || c.is_whitespace())
            .map_or(text.len(), |i| from + i)
    };
    // user:password@ at the very start of the value (after an HTTP method:
    // `TokenURI=POST u:p@h`), for options written without a scheme
    // (`ProxyHost=user:PW@proxy.example.com`, `HostName=user:PW@api…`).
    let lead = text.trim_start();
    let lead = ["GET ", "POST "]
        .iter()
        .find_map(|m| {
            lead.get(..m.len())
                .filter(|h| h.eq_ignore_ascii_case(m))
                .map(|_| lead[m.len()..].trim_start())
        })
        .unwrap_or(lead);
    let lead_start = text.len() - lead.len();
    let lead_end = end_of(lead_start, &['/', '?', '#', ';']);
    let authority = &text[lead_start..lead_end];
    if let Some(atsign) = authority.rfind('@')
        && let Some(colon) = authority[..atsign].find(':')
        && colon > 0
        && colon + 1 < atsign
    {
        out.push(UrlSecret {
            value: Span::new(
                value.start() + lead_start + colon + 1,
                value.start() + lead_start + atsign,
            ),
            param: None,
        });
    }
    // user:password@ after `://`, or after a leading `//` (a JDBC URL's
    // `//host` target has no scheme).
    let mut at = 0;
    while let Some(i) = text[at..].find("//") {
        let slashes = at + i;
        let auth_start = slashes + 2;
        if slashes > 0 && !text[..slashes].ends_with(':') {
            // `//` inside a path (`https://h/a//b`).
            at = auth_start;
            continue;
        }
        let auth_end = end_of(auth_start, &['/', '?', '#', ';']);
        let authority = &text[auth_start..auth_end];
        if let Some(atsign) = authority.rfind('@')
            && let Some(colon) = authority[..atsign].find(':')
            && colon + 1 < atsign
        {
            let s = value.start() + auth_start + colon + 1;
            out.push(UrlSecret {
                value: Span::new(s, value.start() + auth_start + atsign),
                param: None,
            });
        }
        at = auth_end.max(auth_start);
    }
    // ?name=value&name=value
    let mut at = 0;
    while let Some(i) = text[at..].find(['?', '&']) {
        let name_start = at + i + 1;
        let name_end = end_of(name_start, &['=', '&', '#', ';', '?']);
        if text[name_end..].starts_with('=') {
            let v_start = name_end + 1;
            let v_end = end_of(v_start, &['&', '#', ';']);
            let name = &text[name_start..name_end];
            let secret_param = !name.is_empty()
                && (SECRET_PARAMS.iter().any(|n| n.eq_ignore_ascii_case(name))
                    || is_secret_key(name));
            if secret_param && v_end > v_start {
                out.push(UrlSecret {
                    value: Span::new(value.start() + v_start, value.start() + v_end),
                    param: Some(Span::new(
                        value.start() + name_start,
                        value.start() + name_end,
                    )),
                });
            }
            at = v_end.max(name_start);
        } else {
            at = name_end.max(name_start);
        }
    }
    out.sort_by_key(|u| u.value);
    out
}
