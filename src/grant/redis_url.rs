//! Where a Redis token store is: `redis://[user:password@]host:port/db` or
//! `rediss://…` (TLS), as given in `CONNSTR_TOKEN_STORE` or by an embedder.
//!
//! The password is a [`Secret`]: never in `Display`, `Debug` or an error.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::error::GrantError;
use crate::secret::Secret;

/// The default Redis port.
pub const DEFAULT_REDIS_PORT: u16 = 6379;
/// Default time to connect to Redis before giving up with [`GrantError::Redis`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Default lease (the fleet-wide refresh lock) time to live; renewed every
/// third of it while the holder's request is in flight, so it matters only
/// when the holder dies: another host takes over after at most this long.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(10);

/// A Redis token store location.
///
/// ```
/// use connstr::grant::RedisConfig;
///
/// let c = RedisConfig::parse("rediss://connstr:s3cr%40t@redis.internal:6380/2").unwrap();
/// assert!(c.tls);
/// assert_eq!((c.host.as_str(), c.port, c.db), ("redis.internal", 6380, 2));
/// assert_eq!(c.user.as_deref(), Some("connstr"));
/// assert_eq!(c.password.as_ref().unwrap().expose(), "s3cr@t");
/// // Shown without the password:
/// assert_eq!(c.to_string(), "rediss://connstr@redis.internal:6380/2");
/// assert!(!format!("{c:?}").contains("s3cr"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RedisConfig {
    /// `rediss://`: TLS, the server's certificate verified against the system
    /// roots (`SSL_CERT_FILE` honoured) or `ca_file`.
    pub tls: bool,
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// Port (default 6379).
    pub port: u16,
    /// Database number (the URL's path, default 0).
    pub db: i64,
    /// ACL user name (Redis 6+), if any.
    pub user: Option<String>,
    /// Password (AUTH), if any.
    pub password: Option<Secret>,
    /// How long to try to connect (`?connect_timeout_ms=`, default 3 s).
    pub connect_timeout: Duration,
    /// Lease time to live (`?lease_ms=`, default 10 s).
    pub lease: Duration,
    /// PEM file of the CA(s) to trust for `rediss://` instead of the system
    /// roots (`?ca_file=`).
    pub ca_file: Option<PathBuf>,
}

impl RedisConfig {
    /// Whether `s` names a Redis store (`redis://` or `rediss://`, any case)
    /// rather than a file.
    pub fn is_redis_url(s: &str) -> bool {
        let lower = s.get(..9).unwrap_or(s).to_ascii_lowercase();
        lower.starts_with("redis://") || lower.starts_with("rediss://")
    }

    /// Parse a `redis://` / `rediss://` URL. Errors describe what is wrong
    /// without quoting the URL (it may hold the password).
    pub fn parse(s: &str) -> Result<Self, GrantError> {
        let bad = |message: String| GrantError::RedisUrl { message };
        let url = url::Url::parse(s.trim()).map_err(|e| bad(format!("not a URL ({e})")))?;
        let tls = match url.scheme() {
            "redis" => false,
            "rediss" => true,
            other => {
                return Err(bad(format!(
                    "scheme `{}:` (expected redis: or rediss:)",
                    crate::grant::error::sanitize(other, 16)
                )));
            }
        };
        let host = match url.host() {
            Some(url::Host::Ipv6(a)) => a.to_string(),
            Some(h) => h.to_string(),
            None => return Err(bad("no host (write redis://HOST:PORT/DB)".to_owned())),
        };
        let port = url.port().unwrap_or(DEFAULT_REDIS_PORT);
        let db = match url.path().trim_start_matches('/') {
            "" => 0,
            p => p.parse::<i64>().ok().filter(|d| *d >= 0).ok_or_else(|| {
                bad(format!(
                    "database `{}` is not a number (write redis://HOST:PORT/0)",
                    crate::grant::error::sanitize(p, 16)
                ))
            })?,
        };
        let decode = |s: &str| -> Result<String, GrantError> {
            percent_decode(s).ok_or_else(|| bad("user or password is not valid UTF-8".to_owned()))
        };
        let user = match url.username() {
            "" => None,
            u => Some(decode(u)?),
        };
        let password = url.password().map(decode).transpose()?.map(Secret::new);
        let mut config = RedisConfig {
            tls,
            host,
            port,
            db,
            user,
            password,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            lease: DEFAULT_LEASE,
            ca_file: None,
        };
        for (k, v) in url.query_pairs() {
            let ms = || -> Result<Duration, GrantError> {
                v.parse::<u64>()
                    .ok()
                    .filter(|n| (1..=3_600_000).contains(n))
                    .map(Duration::from_millis)
                    .ok_or_else(|| {
                        bad(format!(
                            "`{k}` must be a number of milliseconds between 1 and 3600000"
                        ))
                    })
            };
            match k.as_ref() {
                "connect_timeout_ms" => config.connect_timeout = ms()?,
                "lease_ms" => {
                    config.lease = ms()?;
                    if config.lease < Duration::from_millis(300) {
                        return Err(bad("`lease_ms` must be at least 300".to_owned()));
                    }
                }
                "ca_file" if tls => config.ca_file = Some(PathBuf::from(v.as_ref())),
                "ca_file" => return Err(bad("`ca_file` needs rediss:// (TLS)".to_owned())),
                other => {
                    return Err(bad(format!(
                        "unknown parameter `{}` (known: connect_timeout_ms, lease_ms, ca_file)",
                        crate::grant::error::sanitize(other, 32)
                    )));
                }
            }
        }
        if url.fragment().is_some() {
            return Err(bad(
                "a `#` part is not supported (certificate checks cannot be turned off)".to_owned(),
            ));
        }
        Ok(config)
    }
}

fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

impl fmt::Display for RedisConfig {
    /// `redis[s]://[user@]host:port/db`: never the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.tls { "rediss://" } else { "redis://" })?;
        if let Some(u) = &self.user {
            let enc: String = url::form_urlencoded::byte_serialize(u.as_bytes()).collect();
            write!(f, "{enc}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}/{}", self.host, self.port, self.db)
        } else {
            write!(f, "{}:{}/{}", self.host, self.port, self.db)
        }
    }
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConfig")
            .field("url", &self.to_string())
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("connect_timeout", &self.connect_timeout)
            .field("lease", &self.lease)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_users_write() {
        let c = RedisConfig::parse("redis://127.0.0.1:6379/0").unwrap();
        assert_eq!(
            (c.tls, c.host.as_str(), c.port, c.db, c.user, c.password),
            (false, "127.0.0.1", 6379, 0, None, None)
        );
        let c = RedisConfig::parse("redis://redis.internal").unwrap();
        assert_eq!((c.port, c.db), (6379, 0));
        // AUTH with the default user: an empty user name.
        let c = RedisConfig::parse("redis://:p%2Fw+d@h:1/3").unwrap();
        assert_eq!(c.user, None);
        assert_eq!(c.password.unwrap().expose(), "p/w+d");
        let c = RedisConfig::parse("REDISS://[::1]:7000/1?connect_timeout_ms=500&lease_ms=2000")
            .unwrap();
        assert!(c.tls);
        assert_eq!(c.host, "::1");
        assert_eq!(c.connect_timeout, Duration::from_millis(500));
        assert_eq!(c.lease, Duration::from_millis(2000));
        assert_eq!(c.to_string(), "rediss://[::1]:7000/1");
        assert!(RedisConfig::is_redis_url("Redis://x"));
        assert!(RedisConfig::is_redis_url("rediss://x"));
        assert!(!RedisConfig::is_redis_url("/var/lib/connstr/tokens.json"));
        assert!(!RedisConfig::is_redis_url("redis"));
        assert!(!RedisConfig::is_redis_url("rédis://"));
    }

    #[test]
    fn errors_never_quote_the_password() {
        for bad in [
            "redis://u:hunter2-SECRET@h:99999/0",
            "redis://u:hunter2-SECRET@h/abc",
            "redis://u:hunter2-SECRET@h/0?lease_ms=1",
            "redis://u:hunter2-SECRET@h/0?bogus=1",
            "redis://u:hunter2-SECRET@h/0?ca_file=/x",
            "redis://u:hunter2-SECRET@h/0#insecure",
            "http://u:hunter2-SECRET@h/0",
            "redis://u:hunter2-SECRET@/0",
            "redis://u:%FF%FEhunter2-SECRET@h/0",
        ] {
            let e = RedisConfig::parse(bad).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(matches!(e, GrantError::RedisUrl { .. }), "{bad}: {shown}");
            assert!(!shown.contains("hunter2"), "{bad}: {shown}");
        }
        let c = RedisConfig::parse("redis://u:hunter2-SECRET@h/0").unwrap();
        assert!(!format!("{c} {c:?} {c:#?}").contains("hunter2"));
    }
}
