//! The token request as a pure value: what would be sent, computed from the plan
//! without touching the network.

use std::fmt;

use base64::Engine as _;
use url::Url;
use url::form_urlencoded;

use super::scrub::Scrubber;
use crate::plan::{Client, ClientCredentialsMode, HttpMethod, TokenEndpoint};
use crate::secret::{REDACTED, Secret};

/// Parameter names whose values are secrets: redacted by `Debug` and
/// [`TokenRequest::redacted`].
const SECRET_PARAMS: [&str; 7] = [
    "client_secret",
    "refresh_token",
    "code",
    "code_verifier",
    "password",
    "assertion",
    "access_token",
];

/// How client id and secret are written into a Basic `Authorization` header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BasicEncoding {
    /// RFC 6749 §2.3.1: each form-urlencoded first, then `id:secret` in base64.
    #[default]
    FormUrlEncoded,
    /// `id:secret` in base64 as is — for servers that do not decode (Cognito,
    /// Epic Games). Breaks when the id contains `:`.
    Raw,
}

/// What the grant sends besides client authentication.
#[derive(Clone, Copy, Debug)]
pub enum GrantParams<'a> {
    /// `grant_type=refresh_token`.
    RefreshToken {
        /// The refresh token.
        refresh_token: &'a Secret,
    },
    /// `grant_type=client_credentials`.
    ClientCredentials,
    /// `grant_type=authorization_code`.
    AuthorizationCode {
        /// The code from the redirect.
        code: &'a Secret,
        /// The redirect URI used to get it.
        redirect_uri: &'a Url,
        /// The PKCE verifier, when PKCE was used.
        code_verifier: Option<&'a Secret>,
    },
    /// `grant_type=password`.
    Password {
        /// User.
        username: &'a str,
        /// Password.
        password: &'a Secret,
    },
    /// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523
    /// §2.1). A client with a secret authenticates as ClientCredentialsMode
    /// says; one without sends `client_id` only when `send_client_id` (the
    /// assertion's `iss` names the client, RFC 7523 §3.1).
    JwtBearer {
        /// The signed assertion.
        assertion: &'a Secret,
        /// Whether a client without a secret sends `client_id`.
        send_client_id: bool,
    },
}

impl GrantParams<'_> {
    /// The `grant_type` value.
    pub fn grant_type(&self) -> &'static str {
        match self {
            GrantParams::RefreshToken { .. } => "refresh_token",
            GrantParams::ClientCredentials => "client_credentials",
            GrantParams::AuthorizationCode { .. } => "authorization_code",
            GrantParams::Password { .. } => "password",
            GrantParams::JwtBearer { .. } => "urn:ietf:params:oauth:grant-type:jwt-bearer",
        }
    }
}

/// Knobs of request building that the plan does not carry.
#[derive(Clone, Debug, Default)]
pub struct PrepareOptions {
    /// How the Basic header encodes id and secret.
    pub basic_encoding: BasicEncoding,
}

/// One HTTP header of a [`TokenRequest`].
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    /// The name, as sent.
    pub name: &'static str,
    /// The value, as sent (may be a secret: see [`TokenRequest::redacted`]).
    pub value: String,
}

/// A token request exactly as it goes on the wire.
///
/// `Debug` redacts the `Authorization` header and secret parameters; use
/// [`TokenRequest::redacted`] to show a request to a person.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// GET or POST.
    pub method: HttpMethod,
    /// The URL, including any query parameters we added.
    pub url: Url,
    /// Headers, in order.
    pub headers: Vec<Header>,
    /// The `application/x-www-form-urlencoded` body, for POST.
    pub body: Option<String>,
}

impl TokenRequest {
    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// A multi-line, human-readable rendering with every secret replaced by
    /// `<redacted>`.
    ///
    /// ```
    /// use connstr::Secret;
    /// use connstr::grant::{prepare, GrantParams, PrepareOptions};
    /// use connstr::plan::{Client, ClientCredentialsMode, HttpMethod, TokenEndpoint};
    ///
    /// let endpoint = TokenEndpoint { method: HttpMethod::Post, url: "https://as.example/token".parse().unwrap() };
    /// let client = Client { id: "app".into(), secret: Some(Secret::new("s3cr3t")), mode: ClientCredentialsMode::Basic };
    /// let rt = Secret::new("rt-123");
    /// let req = prepare(&endpoint, &client, &GrantParams::RefreshToken { refresh_token: &rt }, &[], &PrepareOptions::default());
    /// let shown = req.redacted();
    /// assert!(shown.contains("POST https://as.example/token"));
    /// assert!(shown.contains("grant_type=refresh_token&refresh_token=<redacted>"));
    /// assert!(!shown.contains("rt-123") && !shown.contains("s3cr3t"));
    /// ```
    pub fn redacted(&self) -> String {
        let mut out = format!("{} {}\n", method_str(self.method), redact_url(&self.url));
        for h in &self.headers {
            let value = if h.name.eq_ignore_ascii_case("authorization") {
                match h.value.split_once(' ') {
                    Some((scheme, _)) => format!("{scheme} {REDACTED}"),
                    None => REDACTED.to_owned(),
                }
            } else {
                h.value.clone()
            };
            out.push_str(&format!("{}: {}\n", h.name, value));
        }
        if let Some(body) = &self.body {
            out.push('\n');
            out.push_str(&redact_form(body));
            out.push('\n');
        }
        out
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenRequest ")?;
        f.debug_map().entry(&"request", &self.redacted()).finish()
    }
}

pub(crate) fn method_str(m: HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
    }
}

/// `url` with secret query parameters redacted.
pub(crate) fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    if url.query().is_some() {
        let q = redact_form(url.query().unwrap_or_default());
        shown.set_query(Some(&q));
    }
    if !shown.password().unwrap_or_default().is_empty() {
        let _ = shown.set_password(Some(REDACTED));
    }
    shown.to_string()
}

fn redact_form(form: &str) -> String {
    form.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_secret_param(k) => format!("{k}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn is_secret_param(encoded_name: &str) -> bool {
    let decoded: String = form_urlencoded::parse(format!("{encoded_name}=").as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default();
    SECRET_PARAMS.contains(&decoded.as_str())
}

/// The Basic credentials header value for a client (RFC 6749 §2.3.1).
///
/// ```
/// use connstr::grant::{basic_credentials, BasicEncoding};
/// // "a b:c" → "a+b%3Ac" after form-urlencoding.
/// assert_eq!(basic_credentials("a b:c", "s", BasicEncoding::FormUrlEncoded), "Basic YStiJTNBYzpz");
/// assert_eq!(basic_credentials("id", "s", BasicEncoding::Raw), "Basic aWQ6cw==");
/// ```
pub fn basic_credentials(id: &str, secret: &str, encoding: BasicEncoding) -> String {
    let pair = match encoding {
        BasicEncoding::FormUrlEncoded => format!(
            "{}:{}",
            form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>(),
            form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>()
        ),
        BasicEncoding::Raw => format!("{id}:{secret}"),
    };
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
    )
}

/// Build the token request the plan describes. Pure: no I/O, no clock, no randomness.
///
/// Where things go:
/// - grant parameters (`grant_type`, the grant's own, `scope`): the query for
///   GET, the form body for POST;
/// - client credentials per [`ClientCredentialsMode`]: `Basic` → the
///   `Authorization` header; `Url` → the query; `Post` → the form body (the
///   query when the endpoint is GET, which has no body); `All` → header *and* query;
/// - a public client (no secret) sends only `client_id`, with the grant
///   parameters (or in the query for `Url`/`All`), and no `Authorization` header.
///
/// ```
/// use connstr::Secret;
/// use connstr::grant::{prepare, GrantParams, PrepareOptions};
/// use connstr::plan::{Client, ClientCredentialsMode, HttpMethod, TokenEndpoint};
///
/// let endpoint = TokenEndpoint { method: HttpMethod::Get, url: "https://as.example/token".parse().unwrap() };
/// let client = Client { id: "app".into(), secret: Some(Secret::new("pw")), mode: ClientCredentialsMode::Url };
/// let req = prepare(&endpoint, &client, &GrantParams::ClientCredentials, &["read".into()], &PrepareOptions::default());
/// assert_eq!(req.url.as_str(),
///     "https://as.example/token?grant_type=client_credentials&scope=read&client_id=app&client_secret=pw");
/// assert_eq!(req.body, None);
/// assert_eq!(req.header("authorization"), None);
/// ```
pub fn prepare(
    endpoint: &TokenEndpoint,
    client: &Client,
    grant: &GrantParams<'_>,
    scope: &[String],
    options: &PrepareOptions,
) -> TokenRequest {
    let mut params: Vec<(&'static str, &str)> = vec![("grant_type", grant.grant_type())];
    match grant {
        GrantParams::RefreshToken { refresh_token } => {
            params.push(("refresh_token", refresh_token.expose()));
        }
        GrantParams::ClientCredentials => {}
        GrantParams::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            params.push(("code", code.expose()));
            params.push(("redirect_uri", redirect_uri.as_str()));
            if let Some(v) = code_verifier {
                params.push(("code_verifier", v.expose()));
            }
        }
        GrantParams::Password { username, password } => {
            params.push(("username", username));
            params.push(("password", password.expose()));
        }
        GrantParams::JwtBearer { assertion, .. } => params.push(("assertion", assertion.expose())),
    }
    let scope_joined = scope.join(" ");
    if !scope_joined.is_empty() {
        params.push(("scope", &scope_joined));
    }

    let is_post = endpoint.method == HttpMethod::Post;
    let mut query: Vec<(&'static str, &str)> = Vec::new();
    let mut form: Vec<(&'static str, &str)> = Vec::new();
    let grant_side = if is_post { &mut form } else { &mut query };
    grant_side.extend(params);

    let mut headers = Vec::new();
    match &client.secret {
        Some(secret) => {
            let basic = || Header {
                name: "Authorization",
                value: basic_credentials(&client.id, secret.expose(), options.basic_encoding),
            };
            let creds = [
                ("client_id", client.id.as_str()),
                ("client_secret", secret.expose()),
            ];
            match client.mode {
                ClientCredentialsMode::Basic => headers.push(basic()),
                ClientCredentialsMode::Url => query.extend(creds),
                ClientCredentialsMode::All => {
                    headers.push(basic());
                    query.extend(creds);
                }
                ClientCredentialsMode::Post => {
                    if is_post {
                        form.extend(creds)
                    } else {
                        query.extend(creds)
                    }
                }
            }
        }
        None if matches!(
            grant,
            GrantParams::JwtBearer {
                send_client_id: false,
                ..
            }
        ) => {}
        None => {
            let id = ("client_id", client.id.as_str());
            match client.mode {
                ClientCredentialsMode::Url | ClientCredentialsMode::All => query.push(id),
                ClientCredentialsMode::Basic | ClientCredentialsMode::Post => {
                    if is_post {
                        form.push(id)
                    } else {
                        query.push(id)
                    }
                }
            }
        }
    }

    let mut url = endpoint.url.clone();
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    headers.push(Header {
        name: "Accept",
        value: "application/json".to_owned(),
    });
    let body = if is_post {
        headers.push(Header {
            name: "Content-Type",
            value: "application/x-www-form-urlencoded".to_owned(),
        });
        Some(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form)
                .finish(),
        )
    } else {
        None
    };
    TokenRequest {
        method: endpoint.method,
        url,
        headers,
        body,
    }
}

/// What a log line shows of an endpoint: `scheme://host[:port]/path`, without
/// user info, query or fragment (any of them may hold a secret).
pub(crate) fn log_url(url: &Url) -> String {
    let mut out = format!("{}://", url.scheme());
    if let Some(host) = url.host_str() {
        out.push_str(host);
    }
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(url.path());
    out
}

/// The names of the parameters of a query or form body, comma-separated, in
/// order: never a value. An item without `=` (which may itself be a value) is
/// shown as `?`.
pub(crate) fn param_names(form: &str) -> String {
    form.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) => super::error::sanitize(k, 40),
            None => "?".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// What to scrub from anything the server sends back to this request: every
/// secret value it carries, and the Basic credential made of the client id and
/// secret (in both [`BasicEncoding`]s). Cheap: nothing is encoded until the
/// first scrub.
pub(crate) fn scrubber_of<'a>(client: &'a Client, grant: &GrantParams<'a>) -> Scrubber<'a> {
    let mut s = Scrubber::new();
    if let Some(secret) = &client.secret {
        s.add_basic(client.id.as_str(), secret.expose());
    }
    match grant {
        GrantParams::RefreshToken { refresh_token } => s.add(refresh_token.expose()),
        GrantParams::AuthorizationCode {
            code,
            code_verifier,
            ..
        } => {
            s.add(code.expose());
            if let Some(c) = code_verifier {
                s.add(c.expose());
            }
        }
        GrantParams::Password { password, .. } => s.add(password.expose()),
        GrantParams::JwtBearer { assertion, .. } => s.add(assertion.expose()),
        GrantParams::ClientCredentials => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "my client:/+% ;}";
    const SECRET: &str = "s3c:/+% ;}ret";

    fn endpoint(method: HttpMethod) -> TokenEndpoint {
        TokenEndpoint {
            method,
            url: Url::parse("https://as.example/oauth2/token?tenant=t1").unwrap(),
        }
    }

    fn client(mode: ClientCredentialsMode, secret: bool) -> Client {
        Client {
            id: ID.into(),
            secret: secret.then(|| Secret::new(SECRET)),
            mode,
        }
    }

    fn decode_basic(v: &str) -> String {
        let b = v.strip_prefix("Basic ").unwrap();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b).unwrap()).unwrap()
    }

    const ENC_ID: &str = "my+client%3A%2F%2B%25+%3B%7D";
    const ENC_SECRET: &str = "s3c%3A%2F%2B%25+%3B%7Dret";

    #[test]
    fn basic_header_form_encodes_each_part() {
        let rt = Secret::new("rt");
        let r = prepare(
            &endpoint(HttpMethod::Post),
            &client(ClientCredentialsMode::Basic, true),
            &GrantParams::RefreshToken { refresh_token: &rt },
            &[],
            &PrepareOptions::default(),
        );
        assert_eq!(
            decode_basic(r.header("Authorization").unwrap()),
            format!("{ENC_ID}:{ENC_SECRET}")
        );
        assert_eq!(
            r.body.as_deref(),
            Some("grant_type=refresh_token&refresh_token=rt")
        );
        assert_eq!(r.url.as_str(), "https://as.example/oauth2/token?tenant=t1");
        assert_eq!(
            r.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
    }

    #[test]
    fn basic_raw_escape_hatch() {
        let r = prepare(
            &endpoint(HttpMethod::Post),
            &client(ClientCredentialsMode::Basic, true),
            &GrantParams::ClientCredentials,
            &[],
            &PrepareOptions {
                basic_encoding: BasicEncoding::Raw,
            },
        );
        assert_eq!(
            decode_basic(r.header("Authorization").unwrap()),
            format!("{ID}:{SECRET}")
        );
    }

    #[test]
    fn every_method_and_mode() {
        use ClientCredentialsMode::*;
        let rt = Secret::new("r t");
        let g = GrantParams::RefreshToken { refresh_token: &rt };
        let grant = "grant_type=refresh_token&refresh_token=r+t&scope=a+b";
        let creds = format!("client_id={ENC_ID}&client_secret={ENC_SECRET}");
        let scope = ["a".to_string(), "b".to_string()];
        let base = "https://as.example/oauth2/token?tenant=t1";
        // (method, mode) → (query after tenant, body, has basic)
        let cases: Vec<(
            HttpMethod,
            ClientCredentialsMode,
            String,
            Option<String>,
            bool,
        )> = vec![
            (HttpMethod::Get, Basic, format!("&{grant}"), None, true),
            (
                HttpMethod::Get,
                Url,
                format!("&{grant}&{creds}"),
                None,
                false,
            ),
            (
                HttpMethod::Get,
                Post,
                format!("&{grant}&{creds}"),
                None,
                false,
            ),
            (
                HttpMethod::Get,
                All,
                format!("&{grant}&{creds}"),
                None,
                true,
            ),
            (
                HttpMethod::Post,
                Basic,
                String::new(),
                Some(grant.to_string()),
                true,
            ),
            (
                HttpMethod::Post,
                Url,
                format!("&{creds}"),
                Some(grant.to_string()),
                false,
            ),
            (
                HttpMethod::Post,
                Post,
                String::new(),
                Some(format!("{grant}&{creds}")),
                false,
            ),
            (
                HttpMethod::Post,
                All,
                format!("&{creds}"),
                Some(grant.to_string()),
                true,
            ),
        ];
        for (method, mode, query, body, basic) in cases {
            let r = prepare(
                &endpoint(method),
                &client(mode, true),
                &g,
                &scope,
                &PrepareOptions::default(),
            );
            assert_eq!(r.method, method);
            assert_eq!(
                r.url.as_str(),
                format!("{base}{query}"),
                "{method:?} {mode:?}"
            );
            assert_eq!(r.body, body, "{method:?} {mode:?}");
            assert_eq!(
                r.header("authorization").is_some(),
                basic,
                "{method:?} {mode:?}"
            );
            assert_eq!(
                r.header("content-type").is_some(),
                method == HttpMethod::Post
            );
        }
    }

    #[test]
    fn public_client_sends_client_id_only() {
        use ClientCredentialsMode::*;
        for mode in [Basic, Url, Post, All] {
            for method in [HttpMethod::Get, HttpMethod::Post] {
                let r = prepare(
                    &endpoint(method),
                    &client(mode, false),
                    &GrantParams::ClientCredentials,
                    &[],
                    &PrepareOptions::default(),
                );
                assert!(r.header("authorization").is_none());
                let everything = format!("{}?{}", r.url, r.body.clone().unwrap_or_default());
                assert_eq!(
                    everything.matches("client_id=").count(),
                    1,
                    "{mode:?} {method:?}"
                );
                assert!(!everything.contains("client_secret"));
                let in_query = r.url.query().unwrap().contains("client_id=");
                let expect_query = method == HttpMethod::Get || matches!(mode, Url | All);
                assert_eq!(in_query, expect_query, "{mode:?} {method:?}");
            }
        }
    }

    #[test]
    fn authorization_code_with_pkce_and_password() {
        let code = Secret::new("c0de");
        let verifier = Secret::new("v3rifier");
        let redirect = Url::parse("http://127.0.0.1:8765/cb").unwrap();
        let r = prepare(
            &endpoint(HttpMethod::Post),
            &client(ClientCredentialsMode::Post, false),
            &GrantParams::AuthorizationCode {
                code: &code,
                redirect_uri: &redirect,
                code_verifier: Some(&verifier),
            },
            &[],
            &PrepareOptions::default(),
        );
        assert_eq!(
            r.body.as_deref(),
            Some(
                "grant_type=authorization_code&code=c0de&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcb\
                 &code_verifier=v3rifier&client_id=my+client%3A%2F%2B%25+%3B%7D"
            )
        );
        let pw = Secret::new("p@ss word");
        let r = prepare(
            &endpoint(HttpMethod::Post),
            &client(ClientCredentialsMode::Basic, true),
            &GrantParams::Password {
                username: "alice",
                password: &pw,
            },
            &["openid".into()],
            &PrepareOptions::default(),
        );
        assert_eq!(
            r.body.as_deref(),
            Some("grant_type=password&username=alice&password=p%40ss+word&scope=openid")
        );
    }

    #[test]
    fn jwt_bearer_sends_the_assertion_and_client_id_only_when_asked() {
        let a = Secret::new("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln");
        let ep = TokenEndpoint {
            method: HttpMethod::Post,
            url: Url::parse("https://as.example/token").unwrap(),
        };
        let grant = |send_client_id| GrantParams::JwtBearer {
            assertion: &a,
            send_client_id,
        };
        let body = |c: &Client, send| {
            prepare(
                &ep,
                c,
                &grant(send),
                &["r".into()],
                &PrepareOptions::default(),
            )
        };
        let public = client(ClientCredentialsMode::Post, false);
        let r = body(&public, false);
        assert_eq!(
            r.body.as_deref(),
            Some(
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer\
                 &assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln&scope=r"
            )
        );
        assert!(r.header("authorization").is_none());
        assert!(
            body(&public, true)
                .body
                .unwrap()
                .ends_with("&client_id=my+client%3A%2F%2B%25+%3B%7D")
        );
        // With a secret, the client authenticates as its mode says.
        let r = body(&client(ClientCredentialsMode::Basic, true), false);
        assert!(r.header("authorization").is_some());
        assert!(!r.redacted().contains("c2ln") && !format!("{r:?}").contains("c2ln"));
        assert!(r.redacted().contains("assertion=<redacted>"));
    }

    #[test]
    fn log_url_and_param_names_show_no_value() {
        let u =
            Url::parse("https://u:pw@as.example:8443/t/token?client_secret=cs&x=1#frag").unwrap();
        assert_eq!(log_url(&u), "https://as.example:8443/t/token");
        assert_eq!(
            param_names("grant_type=refresh_token&refresh_token=rt-1&bare&&k="),
            "grant_type,refresh_token,?,k"
        );
        assert_eq!(param_names(""), "");
    }

    #[test]
    fn debug_and_redacted_hide_secrets() {
        let rt = Secret::new("refresh-XYZ");
        for mode in [
            ClientCredentialsMode::All,
            ClientCredentialsMode::Post,
            ClientCredentialsMode::Url,
            ClientCredentialsMode::Basic,
        ] {
            for method in [HttpMethod::Get, HttpMethod::Post] {
                let r = prepare(
                    &endpoint(method),
                    &client(mode, true),
                    &GrantParams::RefreshToken { refresh_token: &rt },
                    &[],
                    &PrepareOptions::default(),
                );
                for shown in [format!("{r:?}"), r.redacted()] {
                    assert!(!shown.contains("refresh-XYZ"), "{shown}");
                    assert!(!shown.contains("s3c"), "{shown}");
                    let basic = basic_credentials(ID, SECRET, BasicEncoding::FormUrlEncoded);
                    assert!(
                        !shown.contains(basic.trim_start_matches("Basic ")),
                        "{shown}"
                    );
                    assert!(shown.contains("grant_type=refresh_token"));
                }
            }
        }
    }
}
