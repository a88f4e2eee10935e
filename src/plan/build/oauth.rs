//! An OAuth 2.0 plan: which grant (given, or chosen by legacy `OAuth2` from
//! the options set, OPTIONS.md §4), its client, token endpoint and extra
//! header, every option it reads marked.

use super::MethodLabel;
use crate::Secret;
use crate::plan::cx::Cx;
use crate::plan::lints;
use crate::plan::types::{
    AuthMethod, Client, ClientCredentialsMode, ExtraHeader, Grant, HttpMethod, JwtKeySource,
    LoginEndpoints, OAuth2Plan, RefreshGrant, TokenEndpoint,
};
use crate::plan::values::{
    parse_client_credentials_mode, parse_scopes, suggest_client_credentials_mode,
};

/// Which grant, before its options are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GrantKind {
    AccessToken,
    Refresh { from_store: bool },
    AuthCode { pkce: bool },
    Password,
    JwtBearer,
    ClientCredentials,
}

impl GrantKind {
    pub(crate) fn human(self) -> &'static str {
        match self {
            GrantKind::AccessToken => "access token",
            GrantKind::Refresh { .. } => "refresh token",
            GrantKind::AuthCode { pkce: false } => "authorization code",
            GrantKind::AuthCode { pkce: true } => "authorization code with PKCE",
            GrantKind::Password => "password",
            GrantKind::JwtBearer => "JWT bearer",
            GrantKind::ClientCredentials => "client credentials",
        }
    }

    pub(crate) fn explicit(self) -> AuthMethod {
        match self {
            GrantKind::AccessToken => AuthMethod::OAuth2AccessToken,
            GrantKind::Refresh { .. } => AuthMethod::OAuth2RefreshToken,
            GrantKind::AuthCode { pkce: false } => AuthMethod::OAuth2AuthorizationCode,
            GrantKind::AuthCode { pkce: true } => AuthMethod::OAuth2Pkce,
            GrantKind::Password => AuthMethod::OAuth2Password,
            GrantKind::JwtBearer => AuthMethod::OAuth2JwtBearer,
            GrantKind::ClientCredentials => AuthMethod::OAuth2ClientCredentials,
        }
    }
}

impl Cx<'_> {
    /// §4: the grant legacy `OAuth2` stands for, and why.
    pub(crate) fn choose_legacy(&self) -> Option<(GrantKind, String)> {
        let has = |n: &str| self.present(n).is_some();
        let choice = if has("AccessToken") && has("RefreshToken") {
            (
                GrantKind::AccessToken,
                "AccessToken and RefreshToken are both set: the access token is used until it expires, then the refresh token grant renews it",
            )
        } else if has("AccessToken") {
            (
                GrantKind::AccessToken,
                "AccessToken is set: it is used as is until it expires",
            )
        } else if has("RefreshToken") {
            (
                GrantKind::Refresh { from_store: false },
                "RefreshToken is set",
            )
        } else if has("OAuthCode") {
            (GrantKind::AuthCode { pkce: false }, "OAuthCode is set")
        } else if has("User") && has("Password") && has("TokenURI") {
            (GrantKind::Password, "User, Password and TokenURI are set")
        } else if has("ClaimsIssuer") {
            (GrantKind::JwtBearer, "ClaimsIssuer is set")
        } else if has("ClientID") && has("ClientSecret") && has("TokenURI") {
            (
                GrantKind::ClientCredentials,
                "ClientID, ClientSecret and TokenURI are set",
            )
        } else if has("ClientID") && has("TokenURI") {
            (
                GrantKind::Refresh { from_store: true },
                "only ClientID and TokenURI are set: the refresh token comes from the token store (saved by `connstr login`)",
            )
        } else {
            return None;
        };
        Some((choice.0, choice.1.to_owned()))
    }

    pub(super) fn oauth(&mut self, method: AuthMethod) -> Option<OAuth2Plan> {
        use AuthMethod as M;
        let (kind, because) = match method {
            M::OAuth2 => match self.choose_legacy() {
                Some((k, why)) => {
                    self.legacy = Some(k);
                    self.method_label = MethodLabel {
                        method: M::OAuth2,
                        legacy_grant: Some(k.human()),
                    };
                    (k, Some(why))
                }
                None => {
                    let why = "AuthenticationMethod=OAuth2 cannot choose a grant: it needs at least ClientID and TokenURI";
                    let help_order = "legacy OAuth2 picks, in order: AccessToken, RefreshToken, OAuthCode, User+Password+TokenURI, ClaimsIssuer, ClientID+ClientSecret+TokenURI, then ClientID+TokenURI with a refresh token from the token store";
                    for n in ["ClientID", "TokenURI"] {
                        if self.present(n).is_none() {
                            self.missing(n, Some(format!("{why}; {n} is not set")));
                            if let Some(d) = self.diags.last_mut() {
                                d.help = Some(
                                    format!("{}\n{help_order}", d.help.clone().unwrap_or_default())
                                        .into(),
                                );
                            }
                        }
                    }
                    for n in ["ClientID", "TokenURI", "ClientSecret", "Scope"] {
                        self.mark(n);
                    }
                    return None;
                }
            },
            M::OAuth2AccessToken => (GrantKind::AccessToken, None),
            M::OAuth2AuthorizationCode => (GrantKind::AuthCode { pkce: false }, None),
            M::OAuth2Pkce => (GrantKind::AuthCode { pkce: true }, None),
            M::OAuth2Password => (GrantKind::Password, None),
            M::OAuth2ClientCredentials => (GrantKind::ClientCredentials, None),
            M::OAuth2RefreshToken => (GrantKind::Refresh { from_store: false }, None),
            _ => (GrantKind::JwtBearer, None),
        };
        let grant = self.grant(kind);
        let scope = match self.take("Scope") {
            Some(o) => parse_scopes(self.effective(o)),
            None => self
                .model_value("Scope")
                .map(|v| parse_scopes(&v.value))
                .unwrap_or_default(),
        };
        self.take("User");
        let extra = self.extra_header();
        let grant = grant?;
        for check in lints::GRANT_CHECKS {
            check(self, &grant);
        }
        Some(OAuth2Plan {
            grant,
            chosen_because: because,
            scope,
            extra_header: extra?,
        })
    }

    fn client(
        &mut self,
        secret_required: bool,
        endpoint: Option<&TokenEndpoint>,
    ) -> Option<Client> {
        let id = self.text("ClientID", true);
        let secret = self.secret("ClientSecret", secret_required);
        let mode = match self.take("ClientCredentialsMode") {
            None => Some(ClientCredentialsMode::Basic),
            Some(o) => match parse_client_credentials_mode(self.effective(o)) {
                Some(m) => {
                    if m == ClientCredentialsMode::Post
                        && endpoint.is_some_and(|e| e.method == HttpMethod::Get)
                    {
                        self.invalid(
                            o,
                            "ClientCredentialsMode=Post sends the client credentials in a POST body, but TokenURI is requested with GET".to_owned(),
                            "write `TokenURI=POST https://…`".to_owned(),
                        );
                    }
                    if secret.is_some() {
                        lints::secret_in_url::check_client_credentials_mode(self, o, m);
                    }
                    Some(m)
                }
                None => {
                    let shown = o
                        .displayable_value()
                        .map_or("this value".to_owned(), |v| format!("`{}`", v.trim()));
                    let help = match suggest_client_credentials_mode(self.effective(o)) {
                        Some(s) => format!("did you mean `{s}`? (one of All, Basic, Url, Post, or 0-3)"),
                        None => "use one of All, Basic, Url, Post (or 0 Default, 1 Basic, 2 URL, 3 Post)".to_owned(),
                    };
                    self.invalid(o, format!("unknown ClientCredentialsMode {shown}"), help);
                    None
                }
            },
        };
        Some(Client {
            id: id?,
            secret,
            mode: mode?,
        })
    }

    fn refresh_grant(
        &mut self,
        secret_required: bool,
        token_required: bool,
    ) -> Option<RefreshGrant> {
        let endpoint = self.endpoint();
        let client = self.client(secret_required, endpoint.as_ref());
        let token = self.secret("RefreshToken", token_required);
        Some(RefreshGrant {
            client: client?,
            endpoint: endpoint?,
            refresh_token: token,
            login: None,
        })
    }

    fn grant(&mut self, kind: GrantKind) -> Option<Grant> {
        match kind {
            GrantKind::AccessToken => {
                let access_token = self.secret("AccessToken", true);
                let refresh = if self.present("RefreshToken").is_some() {
                    Some(self.refresh_grant(false, true))
                } else {
                    None
                };
                Some(Grant::AccessToken {
                    access_token: access_token?,
                    refresh: match refresh {
                        Some(r) => Some(r?),
                        None => None,
                    },
                })
            }
            GrantKind::Refresh { from_store } => {
                // A refresh token from the store comes from `connstr login`:
                // with AuthURI and RedirectURI both set, the plan says where
                // that login goes (each URL validated when given).
                let login = if from_store {
                    self.take("EnableLoginPrompt");
                    let auth_uri = self.url("AuthURI", false);
                    let redirect_uri = self.url("RedirectURI", false);
                    auth_uri
                        .zip(redirect_uri)
                        .map(|(auth_uri, redirect_uri)| LoginEndpoints {
                            auth_uri,
                            redirect_uri,
                            pkce: false,
                        })
                } else {
                    None
                };
                // A refresh token from the configuration goes with a
                // confidential client: ClientSecret is required (OPTIONS.md
                // §1), for OAuth2-RefreshToken and for legacy OAuth2 alike.
                // Only a refresh token from the token store (legacy OAuth2
                // with just ClientID + TokenURI, after an interactive PKCE
                // login) may belong to a public client.
                let mut r = self.refresh_grant(!from_store, !from_store)?;
                r.login = login;
                Some(Grant::RefreshToken(r))
            }
            GrantKind::ClientCredentials => {
                let endpoint = self.endpoint();
                let client = self.client(true, endpoint.as_ref());
                Some(Grant::ClientCredentials {
                    client: client?,
                    endpoint: endpoint?,
                })
            }
            GrantKind::AuthCode { pkce } => {
                let endpoint = self.endpoint();
                let client = self.client(false, endpoint.as_ref());
                let redirect = self.url("RedirectURI", true);
                let code = if pkce {
                    None
                } else {
                    self.secret("OAuthCode", false)
                };
                // Without OAuthCode or AuthURI the application supplies the
                // code at connect time (AUTOREST_OPTIONS.md: OAuthCode is
                // optional): a valid plan, and `explain` says so.
                let auth_uri = if pkce {
                    self.url("AuthURI", true)
                } else {
                    self.url("AuthURI", false)
                };
                self.take("EnableLoginPrompt");
                // Any RedirectURI serves an interactive login: a loopback one
                // with a port is listened on, any other (the web address the
                // app is registered with) is pasted back by the person.
                Some(Grant::AuthorizationCode {
                    client: client?,
                    endpoint: endpoint?,
                    redirect_uri: redirect?,
                    auth_uri,
                    code,
                    pkce,
                })
            }
            GrantKind::Password => {
                let endpoint = self.endpoint();
                let user = self.text("User", true);
                let password = self.secret("Password", true);
                let client = self.client(false, endpoint.as_ref());
                Some(Grant::Password {
                    client: client?,
                    endpoint: endpoint?,
                    user: user?,
                    password: password?,
                })
            }
            GrantKind::JwtBearer => {
                let endpoint = self.endpoint();
                let issuer = self.text("ClaimsIssuer", true);
                let subject = self.text("ClaimsSubject", true);
                let store = self.text("JWTCertStore", true);
                let password = self.secret("JWTCertPassword", false);
                let alias = self.text("JWTCertAlias", false);
                // RFC 7523 §3.1: the assertion's `iss` identifies the client;
                // ClientID (and ClientSecret) only when the server also wants
                // client authentication.
                let client = if self.present("ClientID").is_some() {
                    self.client(false, endpoint.as_ref())
                } else {
                    issuer.as_ref().map(|i| Client {
                        id: i.clone(),
                        secret: None,
                        mode: ClientCredentialsMode::Basic,
                    })
                };
                Some(Grant::JwtBearer {
                    client: client?,
                    endpoint: endpoint?,
                    issuer: issuer?,
                    subject: subject?,
                    key: JwtKeySource {
                        store: std::path::PathBuf::from(store?),
                        password,
                        alias,
                    },
                })
            }
        }
    }

    /// AuthHeader + SecurityToken in an OAuth flow. `Some(None)`: no extra
    /// header; `None`: a problem was reported.
    fn extra_header(&mut self) -> Option<Option<ExtraHeader>> {
        let Some(h) = self.take("AuthHeader") else {
            return Some(None);
        };
        let name = self.header(h);
        self.mark("SecurityToken");
        let Some(token) = self.present("SecurityToken") else {
            let why = format!(
                "AuthHeader is set but SecurityToken is not: in {} AuthHeader names an extra header whose value is SecurityToken",
                self.method_label
            );
            self.missing("SecurityToken", Some(why));
            if let Some(d) = self.diags.last_mut() {
                d.primary.source = h.source();
                d.primary.span = h.entry.key;
                d.primary.message = "AuthHeader without SecurityToken".into();
            }
            return None;
        };
        Some(Some(ExtraHeader {
            name: name?,
            value: Secret::new(self.effective(token)),
        }))
    }
}
