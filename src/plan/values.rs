//! Typed values of options: AuthenticationMethod, ClientCredentialsMode,
//! TokenURI, URLs, booleans, scopes (OPTIONS.md §1–§3).
//!
//! Each parser takes the decoded value text and returns the typed value, or
//! `None`/an error saying what is wrong. They never put the value itself in an
//! error, so they are safe to use on any text.

use std::cell::RefCell;
use std::collections::VecDeque;

use url::Url;

use super::types::{AuthMethod, ClientCredentialsMode, HttpMethod, TokenEndpoint};
use crate::options::best_match;

/// Spellings of AuthenticationMethod names beyond the canonical ones
/// (compared case-insensitively, so `HTTPHeader` and `URLParameter` need no
/// entry of their own).
const METHOD_SPELLINGS: &[(&str, AuthMethod)] = &[
    ("OAuth2.0", AuthMethod::OAuth2),
    ("OAuth2AccessToken", AuthMethod::OAuth2AccessToken),
    (
        "OAuth2AuthorizationCode",
        AuthMethod::OAuth2AuthorizationCode,
    ),
    ("OAuth2PKCE", AuthMethod::OAuth2Pkce),
    ("OAuth2Password", AuthMethod::OAuth2Password),
    (
        "OAuth2ClientCredentials",
        AuthMethod::OAuth2ClientCredentials,
    ),
    ("OAuth2RefreshToken", AuthMethod::OAuth2RefreshToken),
    ("OAuth2JWTBearer", AuthMethod::OAuth2JwtBearer),
];

/// An AuthenticationMethod by name (any case; `HTTPHeader`, `URLParameter`
/// and the names without the dash accepted) or by ODBC numeric code.
///
/// ```
/// use connstr::plan::{parse_auth_method, AuthMethod};
/// assert_eq!(parse_auth_method("basic"), Some(AuthMethod::Basic));
/// assert_eq!(parse_auth_method("HTTPHeader"), Some(AuthMethod::HttpHeader));
/// assert_eq!(parse_auth_method("oauth2-refreshtoken"), Some(AuthMethod::OAuth2RefreshToken));
/// assert_eq!(parse_auth_method(" 53 "), Some(AuthMethod::OAuth2ClientCredentials));
/// assert_eq!(parse_auth_method("OAuth2-AuthCode"), None);
/// ```
pub fn parse_auth_method(value: &str) -> Option<AuthMethod> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        let code: u16 = v.parse().ok()?;
        return AuthMethod::ALL.into_iter().find(|m| m.odbc_code() == code);
    }
    AuthMethod::ALL
        .into_iter()
        .find(|m| m.name().eq_ignore_ascii_case(v))
        .or_else(|| {
            METHOD_SPELLINGS
                .iter()
                .find(|(s, _)| s.eq_ignore_ascii_case(v))
                .map(|(_, m)| *m)
        })
}

/// The canonical method name closest to an unknown one (`OAuth2-AuthCode` →
/// `OAuth2-AuthorizationCode`).
///
/// ```
/// use connstr::plan::suggest_auth_method;
/// assert_eq!(suggest_auth_method("OAuth2-AuthCode"), Some("OAuth2-AuthorizationCode"));
/// assert_eq!(suggest_auth_method("ClientCredentials"), Some("OAuth2-ClientCredentials"));
/// assert_eq!(suggest_auth_method("Bearer"), Some("BearerToken"));
/// assert_eq!(suggest_auth_method("kerberos"), None);
/// ```
pub fn suggest_auth_method(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Some(found) = best_match(v, AuthMethod::ALL.iter().map(|m| (m.name(), m.name()))) {
        return Some(found);
    }
    // `AuthCode`, `ClientCredentials`, `Bearer`: a known name that contains it.
    let lower = v.to_ascii_lowercase();
    let lower = lower
        .trim_start_matches("oauth2")
        .trim_start_matches(['-', '_', ' ']);
    if lower.len() < 4 {
        return None;
    }
    let short = |n: &str| n.to_ascii_lowercase().replace("authorization", "auth");
    AuthMethod::ALL
        .iter()
        .map(|m| m.name())
        .find(|n| short(n).contains(lower) || n.to_ascii_lowercase().contains(lower))
}

/// ClientCredentialsMode: `All`, `Default` (a Basic header), `Basic`,
/// `Url`/`URL`, `Post` (any case) or the ODBC codes 0–3 (0 Default, 1 Basic,
/// 2 URL, 3 Post).
///
/// ```
/// use connstr::plan::{parse_client_credentials_mode, ClientCredentialsMode};
/// assert_eq!(parse_client_credentials_mode("default"), Some(ClientCredentialsMode::Basic));
/// assert_eq!(parse_client_credentials_mode("URL"), Some(ClientCredentialsMode::Url));
/// assert_eq!(parse_client_credentials_mode("3"), Some(ClientCredentialsMode::Post));
/// assert_eq!(parse_client_credentials_mode("header"), None);
/// ```
pub fn parse_client_credentials_mode(value: &str) -> Option<ClientCredentialsMode> {
    let v = value.trim();
    let modes = [
        ("0", ClientCredentialsMode::Basic),
        ("1", ClientCredentialsMode::Basic),
        ("2", ClientCredentialsMode::Url),
        ("3", ClientCredentialsMode::Post),
        ("All", ClientCredentialsMode::All),
        ("Default", ClientCredentialsMode::Basic),
        ("Basic", ClientCredentialsMode::Basic),
        ("Url", ClientCredentialsMode::Url),
        ("Post", ClientCredentialsMode::Post),
    ];
    modes
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(v))
        .map(|(_, m)| *m)
}

/// The ClientCredentialsMode spelling closest to an unknown one.
pub fn suggest_client_credentials_mode(value: &str) -> Option<&'static str> {
    let names = ["All", "Default", "Basic", "Url", "Post"];
    best_match(value, names.iter().map(|n| (*n, *n))).or_else(|| {
        let v = value.trim().to_ascii_lowercase();
        names
            .into_iter()
            .find(|n| v.len() >= 3 && v.contains(&n.to_ascii_lowercase()))
    })
}

/// What is wrong with a URL value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Nothing there.
    #[error("it is empty")]
    Empty,
    /// Not a URL at all.
    #[error("it is not a valid URL ({0})")]
    Malformed(url::ParseError),
    /// Some other scheme.
    #[error("it must start with https:// (or http://), not `{0}:`")]
    Scheme(String),
    /// `http://` with no host.
    #[error("it has no host name")]
    NoHost,
}

/// An absolute `http(s)://` URL with a host.
///
/// ```
/// use connstr::plan::{parse_http_url, UrlError};
/// assert!(parse_http_url("https://example.com/token").is_ok());
/// assert_eq!(parse_http_url("ftp://x/y").unwrap_err(), UrlError::Scheme("ftp".into()));
/// assert!(matches!(parse_http_url("example.com/token"), Err(UrlError::Malformed(_))));
/// ```
pub fn parse_http_url(value: &str) -> Result<Url, UrlError> {
    /// URLs kept per thread: the most recently parsed.
    const RECENT: usize = 8;
    thread_local! {
        /// The last good URLs parsed on this thread, by their text. A large
        /// odbc.ini names the same few endpoints in thousands of data
        /// sources, and parsing a URL (host normalisation included) costs
        /// far more than comparing a string and cloning the result.
        static PARSED: RefCell<VecDeque<(Box<str>, Url)>> =
            const { RefCell::new(VecDeque::new()) };
    }
    let v = value.trim();
    if v.is_empty() {
        return Err(UrlError::Empty);
    }
    if let Some(url) = PARSED.with_borrow(|recent| {
        recent
            .iter()
            .find(|(text, _)| **text == *v)
            .map(|(_, url)| url.clone())
    }) {
        return Ok(url);
    }
    let url = checked_http_url(v)?;
    PARSED.with_borrow_mut(|recent| {
        if recent.len() == RECENT {
            recent.pop_back();
        }
        recent.push_front((v.into(), url.clone()));
    });
    Ok(url)
}

/// [`parse_http_url`] of a trimmed, non-empty value, without the memo.
fn checked_http_url(v: &str) -> Result<Url, UrlError> {
    let url = Url::parse(v).map_err(UrlError::Malformed)?;
    match url.scheme() {
        "http" | "https" => {}
        other => return Err(UrlError::Scheme(other.to_owned())),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UrlError::NoHost);
    }
    Ok(url)
}

/// What is wrong with a TokenURI value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenUriError {
    /// A prefix other than `GET ` or `POST `.
    #[error(
        "the request method `{0}` is not supported: only `GET ` and `POST ` may prefix the URL"
    )]
    Method(String),
    /// The URL part is bad.
    #[error("{0}")]
    Url(UrlError),
}

/// TokenURI: an optional `GET `/`POST ` prefix (any case; GET when absent,
/// DataDirect's default) and an `http(s)://` URL.
///
/// ```
/// use connstr::plan::{parse_token_uri, HttpMethod, TokenUriError};
/// let e = parse_token_uri("POST https://h/oauth2/token").unwrap();
/// assert_eq!((e.method, e.url.as_str()), (HttpMethod::Post, "https://h/oauth2/token"));
/// assert_eq!(parse_token_uri("https://h/t").unwrap().method, HttpMethod::Get);
/// assert_eq!(parse_token_uri("PUT https://h/t").unwrap_err(), TokenUriError::Method("PUT".into()));
/// ```
pub fn parse_token_uri(value: &str) -> Result<TokenEndpoint, TokenUriError> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("GET") || v.eq_ignore_ascii_case("POST") {
        return Err(TokenUriError::Url(UrlError::Empty));
    }
    let (method, url) = match v.split_once([' ', '\t']) {
        Some((word, rest)) if !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphabetic()) => {
            let method = if word.eq_ignore_ascii_case("GET") {
                HttpMethod::Get
            } else if word.eq_ignore_ascii_case("POST") {
                HttpMethod::Post
            } else {
                return Err(TokenUriError::Method(word.to_owned()));
            };
            (method, rest.trim())
        }
        _ => (HttpMethod::Get, v),
    };
    let url = parse_http_url(url).map_err(TokenUriError::Url)?;
    Ok(TokenEndpoint { method, url })
}

/// `0`/`1`, `true`/`false`, `yes`/`no` (any case).
///
/// ```
/// use connstr::plan::parse_bool;
/// assert_eq!(parse_bool("1"), Some(true));
/// assert_eq!(parse_bool("False"), Some(false));
/// assert_eq!(parse_bool("2"), None);
/// ```
pub fn parse_bool(value: &str) -> Option<bool> {
    let v = value.trim();
    if ["1", "true", "yes"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(v))
    {
        Some(true)
    } else if ["0", "false", "no"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(v))
    {
        Some(false)
    } else {
        None
    }
}

/// Scope: scopes separated by blanks.
///
/// ```
/// assert_eq!(connstr::plan::parse_scopes(" openid\toffline_access  api "), ["openid", "offline_access", "api"]);
/// ```
pub fn parse_scopes(value: &str) -> Vec<String> {
    value.split_whitespace().map(str::to_owned).collect()
}

/// Whether `url` points at this machine (`localhost`, 127.0.0.0/8, `::1`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn remembered_urls_are_the_parsed_ones() {
        let mut inputs: Vec<String> = (0..20)
            .map(|i| format!("https://h{i}.example/t?x={i}"))
            .collect();
        inputs.extend([
            "HTTPS://Upper.Example:443/a/../b".to_owned(),
            "http://u:p@127.0.0.1:80".to_owned(),
        ]);
        inputs.extend([
            "ftp://x/y".to_owned(),
            "nope".to_owned(),
            "http://".to_owned(),
        ]);
        // Three rounds: first parses, later ones hit the memo or, past its
        // size, parse again.
        for _ in 0..3 {
            for (k, v) in inputs.iter().enumerate() {
                assert_eq!(parse_http_url(v), checked_http_url(v), "{v}");
                // An input seen just before is served from the memo.
                if k > 0 {
                    let prev = &inputs[k - 1];
                    assert_eq!(parse_http_url(prev), checked_http_url(prev), "{prev}");
                }
            }
        }
        assert_eq!(
            parse_http_url("  https://h0.example/t?x=0 ")
                .unwrap()
                .as_str(),
            "https://h0.example/t?x=0"
        );
    }

    use super::*;

    #[test]
    fn every_method_by_name_and_code() {
        for m in AuthMethod::ALL {
            assert_eq!(parse_auth_method(m.name()), Some(m));
            assert_eq!(parse_auth_method(&m.name().to_ascii_lowercase()), Some(m));
            assert_eq!(parse_auth_method(&m.name().to_ascii_uppercase()), Some(m));
            assert_eq!(parse_auth_method(&m.odbc_code().to_string()), Some(m));
        }
        assert_eq!(
            parse_auth_method("URLParameter"),
            Some(AuthMethod::UrlParameter)
        );
        assert_eq!(parse_auth_method("aws"), Some(AuthMethod::Aws));
        assert_eq!(parse_auth_method("99"), None);
        assert_eq!(parse_auth_method("99999999999"), None);
        assert_eq!(parse_auth_method(""), None);
        assert_eq!(parse_auth_method("OAuth2;"), None);
    }

    #[test]
    fn method_suggestions() {
        assert_eq!(
            suggest_auth_method("OAuth2-RefreshTokn"),
            Some("OAuth2-RefreshToken")
        );
        assert_eq!(
            suggest_auth_method("OAuth2-ClientCredential"),
            Some("OAuth2-ClientCredentials")
        );
        assert_eq!(suggest_auth_method("Digets"), Some("Digest"));
        assert_eq!(suggest_auth_method("pkce"), Some("OAuth2-PKCE"));
        assert_eq!(suggest_auth_method(""), None);
    }

    #[test]
    fn modes() {
        use ClientCredentialsMode as C;
        for (v, m) in [
            ("All", C::All),
            ("all", C::All),
            ("Default", C::Basic),
            ("Basic", C::Basic),
            ("BASIC", C::Basic),
            ("Url", C::Url),
            ("URL", C::Url),
            ("Post", C::Post),
            ("0", C::Basic),
            ("1", C::Basic),
            ("2", C::Url),
            ("3", C::Post),
        ] {
            assert_eq!(parse_client_credentials_mode(v), Some(m), "{v}");
        }
        for v in ["4", "", "body", "-1"] {
            assert_eq!(parse_client_credentials_mode(v), None, "{v}");
        }
        assert_eq!(suggest_client_credentials_mode("Bsaic"), Some("Basic"));
        assert_eq!(suggest_client_credentials_mode("url-params"), Some("Url"));
    }

    #[test]
    fn token_uris() {
        let e = parse_token_uri("  post   https://h/t ").unwrap();
        assert_eq!(
            (e.method, e.url.as_str()),
            (HttpMethod::Post, "https://h/t")
        );
        assert_eq!(
            parse_token_uri("GET http://127.0.0.1:8080/t")
                .unwrap()
                .method,
            HttpMethod::Get
        );
        assert_eq!(
            parse_token_uri("FETCH https://h/t"),
            Err(TokenUriError::Method("FETCH".into()))
        );
        assert_eq!(
            parse_token_uri("POST"),
            Err(TokenUriError::Url(UrlError::Empty))
        );
        assert_eq!(
            parse_token_uri(""),
            Err(TokenUriError::Url(UrlError::Empty))
        );
        assert_eq!(
            parse_token_uri("POST "),
            Err(TokenUriError::Url(UrlError::Empty))
        );
        assert!(matches!(
            parse_token_uri("https://"),
            Err(TokenUriError::Url(_))
        ));
        assert!(matches!(
            parse_token_uri("file:///etc/passwd"),
            Err(TokenUriError::Url(UrlError::Scheme(_)))
        ));
    }

    #[test]
    fn loopback() {
        for (u, want) in [
            ("http://localhost:1/", true),
            ("http://127.0.0.1/", true),
            ("http://127.8.0.1/", true),
            ("http://[::1]:9/", true),
            ("http://a.localhost/", true),
            ("http://example.com/", false),
            ("http://10.0.0.1/", false),
            ("http://localhost.example.com/", false),
        ] {
            assert_eq!(is_loopback(&Url::parse(u).unwrap()), want, "{u}");
        }
    }

    #[test]
    fn bools_and_scopes() {
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool(""), None);
        assert!(parse_scopes("   ").is_empty());
    }
}
