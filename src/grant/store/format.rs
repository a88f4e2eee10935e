//! The token store's serialized form: format 2 (written), format 1 (read and
//! migrated).
//!
//! Format 2:
//!
//! ```json
//! {"version": 2, "fingerprint_key": "<64 hex>", "entries": [{
//!   "token_url": "...", "client_id": "...", "user": "...",        (or "dsn")
//!   "grant": "refresh_token", "method": "POST",
//!   "client_credentials": "hmac-sha256:...", "requested_scope": ["a"],
//!   "claims": {"issuer": "..."},
//!   "client_secret": "...", "client_credentials_mode": "Basic",
//!   "refresh_token": "...", "refresh_token_dead": true, "access_token": "...",
//!   "expires_at": 1700000000, "scope": ["a"],
//!   "retired_refresh_tokens": ["hmac-sha256:...", "sha256:..."],
//!   "updated_at": 1700000000 }]}
//! ```
//!
//! Format 1 (connstr 0.1's first releases) had `"tokens"` keyed by
//! (token_url, client_id, user or dsn) only, and bare SHA-256 hex of retired
//! refresh tokens. Its entries become entries whose identity fields are
//! unknown (see [`super::super::identity`]): their refresh token is used and
//! they learn the identity of the first configuration the server accepts.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::{Entry, StoredTokens};
use crate::grant::identity::{FingerprintKey, GrantKind, Partition, RecordedIdentity};
use crate::plan::{ClientCredentialsMode, HttpMethod};
use crate::secret::Secret;

/// The format written.
pub(crate) const VERSION: u32 = 2;

/// What is wrong with a file (category only: never its content).
pub(crate) type Problem = String;

/// The decoded file.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub key: Option<FingerprintKey>,
    pub entries: Vec<Entry>,
    /// The version read (1 when it needs migrating).
    pub version: u32,
}

#[derive(Deserialize)]
struct VersionOnly {
    version: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV2 {
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fingerprint_key: Option<String>,
    #[serde(default)]
    entries: Vec<EntryV2>,
}

#[derive(Serialize, Deserialize)]
struct EntryV2 {
    token_url: String,
    client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dsn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    grant: Option<GrantKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<MethodRepr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_credentials: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    requested_scope: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    claims: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_credentials_mode: Option<ModeRepr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    refresh_token_dead: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    retired_refresh_tokens: Vec<String>,
    #[serde(default)]
    updated_at: u64,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
enum MethodRepr {
    Get,
    Post,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
enum ModeRepr {
    All,
    Basic,
    Url,
    Post,
}

impl From<ModeRepr> for ClientCredentialsMode {
    fn from(m: ModeRepr) -> Self {
        match m {
            ModeRepr::All => ClientCredentialsMode::All,
            ModeRepr::Basic => ClientCredentialsMode::Basic,
            ModeRepr::Url => ClientCredentialsMode::Url,
            ModeRepr::Post => ClientCredentialsMode::Post,
        }
    }
}

impl From<ClientCredentialsMode> for ModeRepr {
    fn from(m: ClientCredentialsMode) -> Self {
        match m {
            ClientCredentialsMode::All => ModeRepr::All,
            ClientCredentialsMode::Basic => ModeRepr::Basic,
            ClientCredentialsMode::Url => ModeRepr::Url,
            ClientCredentialsMode::Post => ModeRepr::Post,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    #[allow(dead_code)]
    version: u32,
    #[serde(default)]
    tokens: Vec<EntryV1>,
}

#[derive(Deserialize)]
struct EntryV1 {
    token_url: String,
    client_id: String,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    dsn: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    refresh_token_dead: bool,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_at: Option<u64>,
    #[serde(default)]
    scope: Option<Vec<String>>,
    #[serde(default)]
    retired_refresh_tokens: Vec<String>,
    #[serde(default)]
    updated_at: u64,
}

pub(crate) fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn at(s: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(s.min(1 << 40))
}

/// Category and position of a JSON error: serde_json's message can quote content.
fn json_problem(e: &serde_json::Error) -> Problem {
    let what = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected structure",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

/// Decode a store file of format 1 or 2.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, Problem> {
    let v: VersionOnly = serde_json::from_slice(bytes).map_err(|e| json_problem(&e))?;
    match v.version {
        1 => decode_v1(bytes),
        VERSION => decode_v2(bytes),
        other => Err(format!(
            "format version {other} (this connstr reads versions 1 and {VERSION})"
        )),
    }
}

fn decode_v1(bytes: &[u8]) -> Result<Decoded, Problem> {
    let file: FileV1 = serde_json::from_slice(bytes).map_err(|e| json_problem(&e))?;
    let entries = file
        .tokens
        .into_iter()
        .map(|e| Entry {
            partition: Partition {
                token_url: e.token_url,
                client_id: e.client_id,
                dsn: if e.user.is_some() { None } else { e.dsn },
                user: e.user,
            },
            identity: RecordedIdentity::default(),
            tokens: StoredTokens {
                refresh_token: e.refresh_token.map(Secret::new),
                refresh_token_dead: e.refresh_token_dead,
                access_token: e.access_token.map(Secret::new),
                expires_at: e.expires_at.map(at),
                scope: e.scope,
                client_secret: None,
                client_mode: None,
                retired: e
                    .retired_refresh_tokens
                    .into_iter()
                    .map(|h| format!("sha256:{h}"))
                    .collect(),
                key: None,
            },
            updated_at: e.updated_at,
        })
        .collect();
    Ok(Decoded {
        key: None,
        entries,
        version: 1,
    })
}

fn decode_v2(bytes: &[u8]) -> Result<Decoded, Problem> {
    let file: FileV2 = serde_json::from_slice(bytes).map_err(|e| json_problem(&e))?;
    let key = match &file.fingerprint_key {
        Some(h) => Some(
            FingerprintKey::from_hex(h)
                .ok_or_else(|| "fingerprint_key is not 64 hex digits".to_owned())?,
        ),
        None => None,
    };
    let entries = file
        .entries
        .into_iter()
        .map(|e| Entry {
            partition: Partition {
                token_url: e.token_url,
                client_id: e.client_id,
                dsn: if e.user.is_some() { None } else { e.dsn },
                user: e.user,
            },
            identity: RecordedIdentity {
                grant: e.grant,
                method: e.method.map(|m| match m {
                    MethodRepr::Get => HttpMethod::Get,
                    MethodRepr::Post => HttpMethod::Post,
                }),
                credentials: e.client_credentials,
                scope: e.requested_scope,
                claims: e.claims.into_iter().collect(),
            },
            tokens: StoredTokens {
                refresh_token: e.refresh_token.map(Secret::new),
                refresh_token_dead: e.refresh_token_dead,
                access_token: e.access_token.map(Secret::new),
                expires_at: e.expires_at.map(at),
                scope: e.scope,
                client_secret: e.client_secret.map(Secret::new),
                client_mode: e.client_credentials_mode.map(Into::into),
                retired: e.retired_refresh_tokens,
                key: key.clone(),
            },
            updated_at: e.updated_at,
        })
        .collect();
    Ok(Decoded {
        key,
        entries,
        version: VERSION,
    })
}

/// Encode in format 2.
pub(crate) fn encode(key: Option<&FingerprintKey>, entries: &[Entry]) -> Vec<u8> {
    let file = FileV2 {
        version: VERSION,
        fingerprint_key: key.map(FingerprintKey::to_hex),
        entries: entries.iter().map(encode_entry).collect(),
    };
    let mut out = serde_json::to_vec_pretty(&file).unwrap_or_default();
    out.push(b'\n');
    out
}

fn encode_entry(e: &Entry) -> EntryV2 {
    let t = &e.tokens;
    let expose = |s: &Option<Secret>| s.as_ref().map(|s| s.expose().to_owned());
    EntryV2 {
        token_url: e.partition.token_url.clone(),
        client_id: e.partition.client_id.clone(),
        user: e.partition.user.clone(),
        dsn: e.partition.dsn.clone(),
        grant: e.identity.grant,
        method: e.identity.method.map(|m| match m {
            HttpMethod::Get => MethodRepr::Get,
            HttpMethod::Post => MethodRepr::Post,
        }),
        client_credentials: e.identity.credentials.clone(),
        requested_scope: e.identity.scope.clone(),
        claims: e.identity.claims.iter().cloned().collect(),
        client_secret: expose(&t.client_secret),
        client_credentials_mode: t.client_mode.map(Into::into),
        refresh_token: expose(&t.refresh_token),
        refresh_token_dead: t.refresh_token_dead,
        access_token: expose(&t.access_token),
        expires_at: t.expires_at.map(unix),
        scope: t.scope.clone(),
        retired_refresh_tokens: t.retired.clone(),
        updated_at: e.updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_fixture_decodes_with_unknown_identity() {
        let bytes = include_bytes!("../../../fixtures/store/tokens-v1.json");
        let d = decode(bytes).unwrap();
        assert_eq!(d.version, 1);
        assert_eq!(d.entries.len(), 3);
        let alice = &d.entries[0];
        assert_eq!(alice.partition.user.as_deref(), Some("alice"));
        assert_eq!(alice.identity, RecordedIdentity::default());
        assert_eq!(
            alice.tokens.refresh_token.as_ref().map(Secret::expose),
            Some("rt-current-0003")
        );
        assert!(alice.tokens.has_retired(&Secret::new("rt-login-0001")));
        assert!(alice.tokens.has_retired(&Secret::new("rt-rotated-0002")));
        assert!(d.entries[2].tokens.refresh_token_dead);
        // Re-encoded as format 2, read back the same.
        let key = FingerprintKey::generate().unwrap();
        let again = decode(&encode(Some(&key), &d.entries)).unwrap();
        assert_eq!(again.version, VERSION);
        assert_eq!(again.key, Some(key));
        assert_eq!(again.entries.len(), 3);
        assert!(
            again.entries[0]
                .tokens
                .has_retired(&Secret::new("rt-login-0001"))
        );
        assert_eq!(again.entries[1].partition.dsn.as_deref(), Some("Reporting"));
    }

    #[test]
    fn unknown_versions_and_bad_keys_are_refused() {
        assert!(decode(br#"{"version":99}"#).unwrap_err().contains("99"));
        assert!(
            decode(br#"{"version":2,"fingerprint_key":"zz","entries":[]}"#)
                .unwrap_err()
                .contains("fingerprint_key")
        );
    }
}
