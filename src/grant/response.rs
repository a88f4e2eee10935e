//! Token endpoint responses: lenient where real servers deviate, strict where it
//! matters (OPTIONS.md §7).

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::error::{GrantError, Hint, OAuthErrorCode, ParseProblem, sanitize};
use super::scrub::Scrubber;
use crate::plan::{ClientCredentialsMode, HttpMethod};
use crate::secret::Secret;

/// The longest lifetime we believe (ten years); longer is clamped.
const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// A token the endpoint issued.
///
/// `Debug` shows no secret.
///
/// ```
/// use connstr::Secret;
/// use connstr::grant::Token;
/// let t = Token::new(Secret::new("at-1"));
/// assert!(!format!("{t:?}").contains("at-1"));
/// assert_eq!(t.expires_at, None);
/// assert_eq!(t.token_type, "Bearer");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// `access_token`.
    pub access_token: Secret,
    /// `refresh_token`, when the server issued (or rotated) one.
    pub refresh_token: Option<Secret>,
    /// When the access token expires: now + `expires_in`; `None` when unknown.
    pub expires_at: Option<SystemTime>,
    /// `scope`, when the server said which scopes it granted.
    pub scope: Option<Vec<String>>,
    /// `token_type`: always `Bearer` today, whatever the server's spelling
    /// (`bearer`, `BEARER`) or when it left the field out; other types are
    /// refused when the response is parsed.
    pub token_type: String,
}

/// The one token type the grant layer accepts, spelled as RFC 6750 does.
pub const BEARER: &str = "Bearer";

impl Token {
    /// A token with only an access token.
    pub fn new(access_token: Secret) -> Self {
        Token {
            access_token,
            refresh_token: None,
            expires_at: None,
            scope: None,
            token_type: BEARER.to_owned(),
        }
    }

    /// Whether the access token is still usable at `now` with `margin` to spare.
    /// A token of unknown lifetime is taken as fresh (until a server rejects it).
    pub fn is_fresh(&self, now: SystemTime, margin: Duration) -> bool {
        match self.expires_at {
            None => true,
            Some(at) => now + margin < at,
        }
    }
}

/// What the response is answering, to choose the right hint.
#[derive(Clone, Debug)]
pub(crate) struct ResponseContext<'a> {
    pub method: HttpMethod,
    pub url: &'a url::Url,
    pub mode: ClientCredentialsMode,
    pub has_secret: bool,
    pub grant_type: &'static str,
    /// The secrets sent, in every encoding they were sent in: scrubbed from
    /// every server-provided string that can reach a message or the caller.
    pub scrubber: Scrubber<'a>,
}

/// An HTTP response as the client trait returns it.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body (already capped by the client).
    pub body: Vec<u8>,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl HttpResponse {
    /// The first value of a header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Turn a token endpoint response into a [`Token`] or a typed error.
pub(crate) fn parse_response(
    resp: &HttpResponse,
    now: SystemTime,
    ctx: &ResponseContext<'_>,
) -> Result<Token, GrantError> {
    let status = resp.status;
    if (300..400).contains(&status) {
        return Err(GrantError::Redirect { status });
    }
    let content_type = resp.header("content-type");
    let parsed = parse_body(content_type, &resp.body);
    let unparseable = |problem: ParseProblem, hint: Option<Hint>| GrantError::Unparseable {
        status,
        content_type: content_type
            .map(|c| clean(c, 80, &ctx.scrubber))
            .unwrap_or_else(|| "no content type".to_owned()),
        length: resp.body.len(),
        problem,
        hint,
    };
    if let Ok(map) = &parsed
        && let Some(err) = map.get("error")
    {
        return Err(oauth_error(status, err, map, ctx));
    }
    if !(200..300).contains(&status) {
        return Err(GrantError::Status {
            status,
            hint: status_hint(status, ctx),
        });
    }
    let map = parsed.map_err(|p| unparseable(p, None))?;
    token_from_map(&map, now, &ctx.scrubber).map_err(|p| {
        let hint = (p == ParseProblem::Invalid("token_type")).then_some(Hint::NotBearer);
        unparseable(p, hint)
    })
}

fn parse_body(content_type: Option<&str>, body: &[u8]) -> Result<Map<String, Value>, ParseProblem> {
    let text = std::str::from_utf8(body).map_err(|_| ParseProblem::NotUtf8)?;
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(ParseProblem::Empty);
    }
    let ct = content_type.unwrap_or_default().to_ascii_lowercase();
    if trimmed.starts_with('{') {
        // JSON, whatever the content type says (text/plain, text/html, …).
        return match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(ParseProblem::NotJsonOrForm),
        };
    }
    let looks_form = ct.starts_with("application/x-www-form-urlencoded")
        || (trimmed.contains('=')
            && !trimmed.contains(char::is_whitespace)
            && !trimmed.starts_with('<'));
    if looks_form {
        let mut m = Map::new();
        for (k, v) in url::form_urlencoded::parse(trimmed.as_bytes()) {
            m.entry(k.into_owned())
                .or_insert(Value::String(v.into_owned()));
        }
        if !m.is_empty() {
            return Ok(m);
        }
    }
    Err(ParseProblem::NotJsonOrForm)
}

fn token_from_map(
    map: &Map<String, Value>,
    now: SystemTime,
    scrubber: &Scrubber<'_>,
) -> Result<Token, ParseProblem> {
    let access_token = match map.get("access_token") {
        Some(Value::String(s)) if !s.is_empty() => Secret::new(s.as_str()),
        None | Some(Value::Null) => return Err(ParseProblem::Missing("access_token")),
        Some(_) => return Err(ParseProblem::Invalid("access_token")),
    };
    if access_token.expose().chars().any(|c| c.is_control()) {
        return Err(ParseProblem::Invalid("access_token"));
    }
    match map.get("token_type") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) if t.eq_ignore_ascii_case("bearer") => {}
        Some(_) => return Err(ParseProblem::Invalid("token_type")),
    }
    let expires_in = match map.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(seconds_from_f64(n.as_f64())?),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(seconds_from_f64(s.trim().parse::<f64>().ok())?),
        Some(_) => return Err(ParseProblem::Invalid("expires_in")),
    };
    let refresh_token = match map.get("refresh_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(Secret::new(s.as_str())),
        Some(_) => return Err(ParseProblem::Invalid("refresh_token")),
    };
    // The scope is printed: a server echoing the request there must not get
    // the secrets shown. (A string is scrubbed whole, before it is split, so
    // that a secret with a space in it is found.)
    let scope = match map.get("scope") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            scrubber
                .scrub(s)
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        ),
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|v| v.as_str().map(|s| scrubber.scrub(s).into_owned()))
                .collect::<Option<Vec<_>>>()
                .ok_or(ParseProblem::Invalid("scope"))?,
        ),
        Some(_) => return Err(ParseProblem::Invalid("scope")),
    };
    Ok(Token {
        access_token,
        refresh_token,
        expires_at: expires_in.map(|d| now + d),
        scope,
        token_type: BEARER.to_owned(),
    })
}

fn seconds_from_f64(v: Option<f64>) -> Result<Duration, ParseProblem> {
    match v {
        Some(f) if f.is_finite() && f >= 0.0 => {
            Ok(Duration::from_secs_f64(f.min(MAX_LIFETIME.as_secs_f64())))
        }
        _ => Err(ParseProblem::Invalid("expires_in")),
    }
}

/// A server-provided string made fit to show: secrets scrubbed (in every
/// encoding), printable ASCII only, at most `max` characters. Scrubbed again
/// after dropping unprintable characters, so that a secret split by them is
/// still found, and before cutting, so that no prefix of one survives a cut.
fn clean(text: &str, max: usize, scrubber: &Scrubber<'_>) -> String {
    let printable = sanitize(&scrubber.scrub(text), usize::MAX);
    sanitize(&scrubber.scrub(&printable), max)
}

fn oauth_error(
    status: u16,
    err: &Value,
    map: &Map<String, Value>,
    ctx: &ResponseContext<'_>,
) -> GrantError {
    let code = match err {
        Value::String(s) => match OAuthErrorCode::parse(s) {
            OAuthErrorCode::Other(_) => OAuthErrorCode::Other(clean(s, 64, &ctx.scrubber)),
            known => known,
        },
        other => OAuthErrorCode::Other(clean(&other.to_string(), 64, &ctx.scrubber)),
    };
    let text = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .map(|s| clean(s, 300, &ctx.scrubber))
            .filter(|s| !s.is_empty())
    };
    let hint = oauth_hint(&code, ctx);
    GrantError::OAuth {
        code,
        description: text("error_description"),
        uri: text("error_uri"),
        status,
        hint,
    }
}

fn endpoint_without_query(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

fn two_methods(ctx: &ResponseContext<'_>) -> bool {
    ctx.has_secret && ctx.mode == ClientCredentialsMode::All
}

fn oauth_hint(code: &OAuthErrorCode, ctx: &ResponseContext<'_>) -> Option<Hint> {
    match code {
        OAuthErrorCode::InvalidClient if two_methods(ctx) => Some(Hint::ModeAllRefused),
        OAuthErrorCode::InvalidClient => Some(Hint::CheckClientCredentials),
        OAuthErrorCode::InvalidRequest if two_methods(ctx) => Some(Hint::ModeAllRefused),
        OAuthErrorCode::InvalidRequest if ctx.method == HttpMethod::Get => Some(Hint::UsePost {
            url: endpoint_without_query(ctx.url),
        }),
        OAuthErrorCode::InvalidGrant => match ctx.grant_type {
            "refresh_token" => Some(Hint::RunLogin),
            "authorization_code" => Some(Hint::CodeUsedOrExpired),
            "password" => Some(Hint::CheckUserPassword),
            _ => None,
        },
        OAuthErrorCode::InvalidScope => Some(Hint::CheckScope),
        OAuthErrorCode::UnauthorizedClient | OAuthErrorCode::UnsupportedGrantType => {
            Some(Hint::GrantNotAllowed)
        }
        OAuthErrorCode::TemporarilyUnavailable | OAuthErrorCode::ServerError => {
            Some(Hint::TryLater)
        }
        _ => None,
    }
}

fn status_hint(status: u16, ctx: &ResponseContext<'_>) -> Option<Hint> {
    match status {
        404 | 405 if ctx.method == HttpMethod::Get => Some(Hint::UsePost {
            url: endpoint_without_query(ctx.url),
        }),
        401 if two_methods(ctx) => Some(Hint::ModeAllRefused),
        401 => Some(Hint::CheckClientCredentials),
        408 | 429 | 500..=599 => Some(Hint::TryLater),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(
        url: &'a url::Url,
        method: HttpMethod,
        mode: ClientCredentialsMode,
    ) -> ResponseContext<'a> {
        ResponseContext {
            method,
            url,
            mode,
            has_secret: true,
            grant_type: "refresh_token",
            scrubber: {
                let mut s = Scrubber::new();
                s.add("SENT-SECRET");
                s.add_basic("app", "CLIENT-SECRET");
                s
            },
        }
    }

    fn resp(status: u16, ct: Option<&str>, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: ct
                .map(|c| vec![("content-type".into(), c.into())])
                .unwrap_or_default(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn parse(status: u16, ct: Option<&str>, body: &str) -> Result<Token, GrantError> {
        let url = url::Url::parse("https://as.example/token?x=1").unwrap();
        parse_response(
            &resp(status, ct, body),
            SystemTime::UNIX_EPOCH,
            &ctx(&url, HttpMethod::Post, ClientCredentialsMode::Basic),
        )
    }

    fn secs(t: &Token) -> Option<u64> {
        t.expires_at
            .map(|e| e.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs())
    }

    const JSON: Option<&str> = Some("application/json");

    #[test]
    fn expires_in_in_every_shape() {
        for (v, want) in [
            ("3600", Some(3600)),
            ("\"3600\"", Some(3600)),
            ("\" 3599 \"", Some(3599)),
            ("3600.9", Some(3600)),
            ("\"3600.5\"", Some(3600)),
            ("null", None),
            ("0", Some(0)),
            ("1e40", Some(MAX_LIFETIME.as_secs())),
        ] {
            let t = parse(
                200,
                JSON,
                &format!(r#"{{"access_token":"a","expires_in":{v}}}"#),
            )
            .unwrap();
            assert_eq!(secs(&t), want, "{v}");
        }
        let t = parse(200, JSON, r#"{"access_token":"a"}"#).unwrap();
        assert_eq!(t.expires_at, None);
        for bad in ["-1", "\"soon\"", "true", "[1]"] {
            let e = parse(
                200,
                JSON,
                &format!(r#"{{"access_token":"a","expires_in":{bad}}}"#),
            )
            .unwrap_err();
            assert!(
                matches!(
                    e,
                    GrantError::Unparseable {
                        problem: ParseProblem::Invalid("expires_in"),
                        ..
                    }
                ),
                "{bad}: {e:?}"
            );
        }
    }

    #[test]
    fn token_type_any_case_or_missing_but_not_other() {
        for tt in [
            r#","token_type":"bearer""#,
            r#","token_type":"BEARER""#,
            r#","token_type":"Bearer""#,
            "",
        ] {
            let t = parse(200, JSON, &format!(r#"{{"access_token":"a"{tt}}}"#));
            assert_eq!(
                t.map(|t| t.token_type).ok().as_deref(),
                Some("Bearer"),
                "{tt}"
            );
        }
        let e = parse(200, JSON, r#"{"access_token":"a","token_type":"mac"}"#).unwrap_err();
        assert_eq!(e.hint(), Some(Hint::NotBearer));
    }

    #[test]
    fn json_as_text_plain_and_form_bodies() {
        let t = parse(
            200,
            Some("text/plain"),
            r#" {"access_token":"a1","refresh_token":"r1"} "#,
        )
        .unwrap();
        assert_eq!(t.access_token.expose(), "a1");
        assert_eq!(t.refresh_token.unwrap().expose(), "r1");
        let t = parse(
            200,
            Some("application/x-www-form-urlencoded; charset=utf-8"),
            "access_token=gho_x%2By&scope=repo%20gist&token_type=bearer&expires_in=28800",
        )
        .unwrap();
        assert_eq!(t.access_token.expose(), "gho_x+y");
        assert_eq!(t.scope, Some(vec!["repo".into(), "gist".into()]));
        assert_eq!(secs(&t), Some(28800));
        // form without a content type
        assert!(parse(200, None, "access_token=a&token_type=bearer").is_ok());
    }

    #[test]
    fn scope_string_or_array() {
        let t = parse(
            200,
            JSON,
            r#"{"access_token":"a","scope":["user:read","chat:edit"]}"#,
        )
        .unwrap();
        assert_eq!(t.scope, Some(vec!["user:read".into(), "chat:edit".into()]));
        let t = parse(
            200,
            JSON,
            r#"{"access_token":"a","scope":"openid  offline_access"}"#,
        )
        .unwrap();
        assert_eq!(
            t.scope,
            Some(vec!["openid".into(), "offline_access".into()])
        );
        assert!(parse(200, JSON, r#"{"access_token":"a","scope":[1]}"#).is_err());
    }

    #[test]
    fn strict_on_access_token() {
        for body in [
            r#"{}"#,
            r#"{"access_token":""}"#,
            r#"{"access_token":5}"#,
            r#"{"access_token":"a\nb"}"#,
        ] {
            assert!(
                matches!(parse(200, JSON, body), Err(GrantError::Unparseable { .. })),
                "{body}"
            );
        }
        for body in ["", "<html>oops</html>", "[1,2]", "{not json"] {
            let e = parse(200, Some("text/html"), body).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("oops"), "{shown}");
        }
    }

    #[test]
    fn error_with_200_and_with_400() {
        let e = parse(200, JSON, r#"{"error":"bad_verification_code","error_description":"The code passed is incorrect"}"#)
            .unwrap_err();
        assert_eq!(
            e.oauth_code(),
            Some(&OAuthErrorCode::Other("bad_verification_code".into()))
        );
        assert_eq!(e.status(), Some(200));
        let e = parse(
            400,
            JSON,
            r#"{"error":"invalid_grant","error_description":"grant SENT-SECRET is invalid","error_uri":"https://as.example/e"}"#,
        )
        .unwrap_err();
        assert!(e.is_invalid_grant());
        assert_eq!(e.hint(), Some(Hint::RunLogin));
        let shown = e.to_string();
        assert!(
            shown.contains("invalid_grant") && shown.contains("connstr login"),
            "{shown}"
        );
        assert!(!shown.contains("SENT-SECRET"), "{shown}");
        assert!(shown.contains("<https://as.example/e>"));
        // form-encoded error (GitHub)
        let e = parse(
            200,
            Some("application/x-www-form-urlencoded"),
            "error=invalid_client&error_description=x",
        )
        .unwrap_err();
        assert_eq!(e.oauth_code(), Some(&OAuthErrorCode::InvalidClient));
    }

    /// What an echoing server sends back: the form body and the Basic
    /// credential, as they went on the wire.
    fn echo() -> String {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("grant_type", "refresh_token"),
                ("refresh_token", "SENT-SECRET"),
            ])
            .finish();
        let basic = crate::grant::basic_credentials(
            "app",
            "CLIENT-SECRET",
            crate::grant::BasicEncoding::FormUrlEncoded,
        );
        format!("{body} {basic} sent%2dsecret SENT%2DSECRET")
    }

    fn assert_clean(shown: &str) {
        let b64 = crate::grant::basic_credentials(
            "app",
            "CLIENT-SECRET",
            crate::grant::BasicEncoding::FormUrlEncoded,
        );
        let b64 = b64.trim_start_matches("Basic ").trim_end_matches('=');
        for leak in ["SENT-SECRET", "SENT%2DSECRET", "CLIENT-SECRET", b64] {
            assert!(!shown.contains(leak), "{leak} in {shown}");
        }
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn echoed_encoded_secrets_are_scrubbed_everywhere() {
        let echo = echo();
        let json = |v: serde_json::Value| v.to_string();
        // error_description, error_uri, and the error code itself
        for body in [
            json(serde_json::json!({"error": "invalid_grant", "error_description": echo})),
            json(serde_json::json!({
                "error": "invalid_request",
                "error_uri": format!("https://as.example/help?{echo}"),
            })),
            json(serde_json::json!({"error": echo})),
        ] {
            let e = parse(400, JSON, &body).unwrap_err();
            assert_clean(&format!("{e} {e:?}"));
        }
        // scope of a successful response, as a string and as an array
        for scope in [
            serde_json::json!(echo),
            serde_json::json!(echo.split(' ').collect::<Vec<_>>()),
        ] {
            let t = parse(
                200,
                JSON,
                &json(serde_json::json!({"access_token": "a", "scope": scope})),
            )
            .unwrap();
            assert_clean(&t.scope.unwrap().join(" "));
        }
        // a content type echoing the request
        let e = parse(200, Some(&format!("text/x-{echo}")), "<html>").unwrap_err();
        assert_clean(&e.to_string());
        // an unprintable character inside a secret does not hide it
        let e = parse(
            400,
            JSON,
            r#"{"error":"invalid_grant","error_description":"SENT-\u0007SECRET"}"#,
        )
        .unwrap_err();
        assert!(!e.to_string().contains("SENT-SECRET"), "{e}");
    }

    #[test]
    fn hints_depend_on_method_and_mode() {
        let url =
            url::Url::parse("https://as.example/token?grant_type=x&client_secret=SENT-SECRET")
                .unwrap();
        let get = ctx(&url, HttpMethod::Get, ClientCredentialsMode::Basic);
        let e = parse_response(&resp(405, None, ""), SystemTime::UNIX_EPOCH, &get).unwrap_err();
        assert_eq!(
            e.hint(),
            Some(Hint::UsePost {
                url: "https://as.example/token".into()
            })
        );
        assert!(
            e.to_string()
                .contains("`TokenURI=POST https://as.example/token`"),
            "{e}"
        );
        let all = ctx(&url, HttpMethod::Post, ClientCredentialsMode::All);
        let e = parse_response(
            &resp(401, JSON, r#"{"error":"invalid_client"}"#),
            SystemTime::UNIX_EPOCH,
            &all,
        )
        .unwrap_err();
        assert_eq!(e.hint(), Some(Hint::ModeAllRefused));
        assert!(e.to_string().contains("ClientCredentialsMode=Basic"));
        let e = parse_response(&resp(302, None, ""), SystemTime::UNIX_EPOCH, &all).unwrap_err();
        assert!(matches!(e, GrantError::Redirect { status: 302 }));
        let e = parse_response(
            &resp(503, Some("text/html"), "<h1>down</h1>"),
            SystemTime::UNIX_EPOCH,
            &all,
        )
        .unwrap_err();
        assert!(matches!(e, GrantError::Status { status: 503, .. }));
    }
}
