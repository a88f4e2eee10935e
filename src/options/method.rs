//! The `AuthenticationMethod` vocabulary (OPTIONS.md §1).
//!
//! It lives in the options phase because the catalog says which methods use
//! which option; the plan phase re-exports it.

use serde::Serialize;

/// Every `AuthenticationMethod` value of OPTIONS.md §1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum AuthMethod {
    /// No authentication (the default).
    None,
    /// HTTP Basic with User + Password.
    Basic,
    /// HTTP Digest.
    Digest,
    /// SecurityToken sent as a bearer token.
    BearerToken,
    /// SecurityToken sent in the header named by AuthHeader.
    HttpHeader,
    /// SecurityToken sent as the URL parameter named by AuthParam.
    UrlParameter,
    /// AWS signature.
    Aws,
    /// Flow defined in the Model file.
    Custom,
    /// Legacy: the grant is chosen from the options present.
    OAuth2,
    /// A given access token.
    OAuth2AccessToken,
    /// Authorization code grant.
    OAuth2AuthorizationCode,
    /// Authorization code grant with PKCE, interactive.
    OAuth2Pkce,
    /// Resource owner password grant.
    OAuth2Password,
    /// Client credentials grant.
    OAuth2ClientCredentials,
    /// Refresh token grant.
    OAuth2RefreshToken,
    /// JWT bearer grant (RFC 7523).
    OAuth2JwtBearer,
}

impl AuthMethod {
    /// Every method, in OPTIONS.md order.
    pub const ALL: [AuthMethod; 16] = [
        AuthMethod::None,
        AuthMethod::Basic,
        AuthMethod::Digest,
        AuthMethod::BearerToken,
        AuthMethod::HttpHeader,
        AuthMethod::UrlParameter,
        AuthMethod::Aws,
        AuthMethod::Custom,
        AuthMethod::OAuth2,
        AuthMethod::OAuth2AccessToken,
        AuthMethod::OAuth2AuthorizationCode,
        AuthMethod::OAuth2Pkce,
        AuthMethod::OAuth2Password,
        AuthMethod::OAuth2ClientCredentials,
        AuthMethod::OAuth2RefreshToken,
        AuthMethod::OAuth2JwtBearer,
    ];

    /// The canonical (JDBC) name.
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::None => "None",
            AuthMethod::Basic => "Basic",
            AuthMethod::Digest => "Digest",
            AuthMethod::BearerToken => "BearerToken",
            AuthMethod::HttpHeader => "HttpHeader",
            AuthMethod::UrlParameter => "UrlParameter",
            AuthMethod::Aws => "AWS",
            AuthMethod::Custom => "Custom",
            AuthMethod::OAuth2 => "OAuth2",
            AuthMethod::OAuth2AccessToken => "OAuth2-AccessToken",
            AuthMethod::OAuth2AuthorizationCode => "OAuth2-AuthorizationCode",
            AuthMethod::OAuth2Pkce => "OAuth2-PKCE",
            AuthMethod::OAuth2Password => "OAuth2-Password",
            AuthMethod::OAuth2ClientCredentials => "OAuth2-ClientCredentials",
            AuthMethod::OAuth2RefreshToken => "OAuth2-RefreshToken",
            AuthMethod::OAuth2JwtBearer => "OAuth2-JWTBearer",
        }
    }

    /// The ODBC numeric code.
    pub fn odbc_code(self) -> u16 {
        match self {
            AuthMethod::None => 15,
            AuthMethod::Basic => 0,
            AuthMethod::Digest => 30,
            AuthMethod::BearerToken => 34,
            AuthMethod::HttpHeader => 25,
            AuthMethod::UrlParameter => 14,
            AuthMethod::Aws => 43,
            AuthMethod::Custom => 29,
            AuthMethod::OAuth2 => 24,
            AuthMethod::OAuth2AccessToken => 50,
            AuthMethod::OAuth2AuthorizationCode => 51,
            AuthMethod::OAuth2Pkce => 56,
            AuthMethod::OAuth2Password => 52,
            AuthMethod::OAuth2ClientCredentials => 53,
            AuthMethod::OAuth2RefreshToken => 54,
            AuthMethod::OAuth2JwtBearer => 55,
        }
    }
}
