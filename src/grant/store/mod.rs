//! Token stores: where tokens live between runs and processes.
//!
//! # Entries and identity
//!
//! A store holds [`Entry`]s. Each belongs to a [`Partition`] (token endpoint
//! URL, client id, user or DSN) and records the rest of the identity of the
//! configuration that made it ([`RecordedIdentity`]: grant kind, method, keyed
//! fingerprint of the client credentials, requested scope, grant-specific
//! claims). Which entry a configuration uses is decided by [`select`], with the
//! rules of [`crate::grant::TokenIdentity`]. A refresh token lineage (a
//! refresh token and the ones rotated from it) is one entry.
//!
//! # The backend seam
//!
//! A [`TokenSource`](crate::grant::TokenSource) talks to its store only
//! through [`StoreBackend`] (and the [`BackendLock`] it hands out), so a second
//! kind of store is one more implementation of these two traits:
//!
//! - [`StoreBackend::read`]: the entries of one partition, without a lock
//!   (a consistent snapshot: whole old or whole new);
//! - [`StoreBackend::lock`]: exclusive access to one partition across
//!   processes (the file store locks the whole file; a network store may lock
//!   per partition with a lease). Under it, [`BackendLock::fingerprint_key`]
//!   (get or create the store's random key, atomically), [`BackendLock::read`]
//!   and [`BackendLock::write`] (replace the partition's entries, durably; must
//!   fail without writing when the lock — or lease — was lost) make a
//!   read-modify-write.
//!
//! [`TokenStore`] is the file implementation. A backend must never put a
//! secret, a token or a user name into a name it shows or keys by: use
//! [`FingerprintKey::partition_name`] for names, [`encode_entries`] /
//! [`decode_entries`] for values.

mod file;
mod format;
mod redis;

use std::fmt;
use std::time::SystemTime;

use sha2::Digest as _;

pub use file::{STORE_ENV, StoreLock, TokenStore};

use super::error::GrantError;
use super::http::BoxFuture;
use super::identity::{
    FingerprintKey, GrantKind, Match, Partition, RecordedIdentity, TokenIdentity,
};
use crate::plan::ClientCredentialsMode;
use crate::secret::Secret;

/// The key of a token store entry, as the [`TokenStore`] API takes it: a
/// [`TokenIdentity`]. [`StoreKey::new`] presents only the partition (endpoint
/// URL, client id, user or DSN) and so finds the newest entry there.
pub type StoreKey = TokenIdentity;

/// How many superseded refresh tokens an entry remembers (as fingerprints).
const RETIRED_KEPT: usize = 32;

/// What the store keeps for one entry.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct StoredTokens {
    /// The newest refresh token.
    pub refresh_token: Option<Secret>,
    /// Set when the server answered `invalid_grant` to `refresh_token`.
    pub refresh_token_dead: bool,
    /// The newest access token.
    pub access_token: Option<Secret>,
    /// When it expires, if known.
    pub expires_at: Option<SystemTime>,
    /// Granted scopes, if the server said.
    pub scope: Option<Vec<String>>,
    /// The client secret that obtained the refresh token, kept so that a
    /// configuration without ClientSecret (after `connstr login`) can refresh.
    pub client_secret: Option<Secret>,
    /// How that secret is sent.
    pub client_mode: Option<ClientCredentialsMode>,
    /// Fingerprints of refresh tokens this one superseded (`hmac-sha256:…`;
    /// `sha256:…` from format 1).
    retired: Vec<String>,
    /// The store's fingerprint key (generated on first use when not read from a store).
    key: Option<FingerprintKey>,
}

impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredTokens")
            .field("refresh_token", &self.refresh_token)
            .field("refresh_token_dead", &self.refresh_token_dead)
            .field("access_token", &self.access_token)
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("client_secret", &self.client_secret)
            .field("client_mode", &self.client_mode)
            .field("retired", &self.retired.len())
            .finish()
    }
}

impl StoredTokens {
    fn key(&mut self) -> Result<&FingerprintKey, GrantError> {
        if self.key.is_none() {
            self.key = Some(FingerprintKey::generate()?);
        }
        self.key.as_ref().ok_or(GrantError::Random)
    }

    /// Whether `refresh_token` is one this entry has seen replaced by rotation.
    pub fn has_retired(&self, refresh_token: &Secret) -> bool {
        let keyed = self.key.as_ref().map(|k| k.refresh_token(refresh_token));
        let bare = format!("sha256:{}", sha256_hex(refresh_token));
        self.retired
            .iter()
            .any(|h| Some(h) == keyed.as_ref() || *h == bare)
    }

    /// Whether `refresh_token` is this entry's current one or a retired one
    /// (whether it belongs to this entry's lineage).
    pub fn knows(&self, refresh_token: &Secret) -> bool {
        self.refresh_token.as_ref() == Some(refresh_token) || self.has_retired(refresh_token)
    }

    /// Replace the refresh token, remembering the old one as retired.
    pub fn rotate(&mut self, new: Secret) {
        let Ok(key) = self.key().cloned() else {
            // No randomness: keep the new token, forget nothing else.
            self.refresh_token = Some(new);
            self.refresh_token_dead = false;
            return;
        };
        if let Some(old) = self.refresh_token.take()
            && old != new
        {
            self.retired.push(key.refresh_token(&old));
            if self.retired.len() > RETIRED_KEPT {
                let excess = self.retired.len() - RETIRED_KEPT;
                self.retired.drain(..excess);
            }
        }
        let new_fp = key.refresh_token(&new);
        let new_bare = format!("sha256:{}", sha256_hex(&new));
        self.retired.retain(|h| *h != new_fp && *h != new_bare);
        self.refresh_token = Some(new);
        self.refresh_token_dead = false;
    }

    /// Whether the entry holds a refresh token that has not been refused.
    pub fn has_live_refresh_token(&self) -> bool {
        self.refresh_token.is_some() && !self.refresh_token_dead
    }
}

/// Format 1 kept bare SHA-256 of retired refresh tokens; they are still
/// recognised (never written anew).
fn sha256_hex(s: &Secret) -> String {
    let digest = sha2::Sha256::digest(s.expose().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// One store entry: its partition, the identity that made it, its tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Endpoint URL, client id, user or DSN.
    pub partition: Partition,
    /// The rest of the identity, as far as known.
    pub identity: RecordedIdentity,
    /// The tokens.
    pub tokens: StoredTokens,
    /// Unix seconds of the last write.
    pub updated_at: u64,
}

impl Entry {
    /// A new, empty entry for `identity`.
    pub fn new(identity: &TokenIdentity, key: &FingerprintKey) -> Self {
        Entry {
            partition: identity.partition(),
            identity: identity.recorded(key),
            tokens: StoredTokens {
                key: Some(key.clone()),
                ..StoredTokens::default()
            },
            updated_at: format::unix(SystemTime::now()),
        }
    }

    /// Mark the entry as written now.
    pub fn touch(&mut self) {
        self.updated_at = format::unix(SystemTime::now());
    }

    fn adopt_key(&mut self, key: &FingerprintKey) {
        self.tokens.key = Some(key.clone());
    }
}

/// Entries as bytes (format 2's entry list, secrets in clear: for a backend to
/// store, never to show).
pub fn encode_entries(key: &FingerprintKey, entries: &[Entry]) -> Vec<u8> {
    format::encode(Some(key), entries)
}

/// Entries from [`encode_entries`]' bytes. The error says what is wrong
/// without quoting content.
pub fn decode_entries(bytes: &[u8]) -> Result<(Option<FingerprintKey>, Vec<Entry>), String> {
    let mut d = format::decode(bytes)?;
    if let Some(k) = &d.key {
        for e in &mut d.entries {
            e.adopt_key(k);
        }
    }
    Ok((d.key, d.entries))
}

/// A consistent view of one partition, read without a lock.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// The store's fingerprint key (`None` when it has none yet: then no entry
    /// records a fingerprint either).
    pub key: Option<FingerprintKey>,
    /// The partition's entries.
    pub entries: Vec<Entry>,
}

/// Where a [`TokenSource`](crate::grant::TokenSource) keeps its tokens. See
/// the module docs for the contract.
pub trait StoreBackend: Send + Sync + fmt::Debug {
    /// Where the store is, for messages (no secrets).
    fn location(&self) -> String;

    /// The entries of `partition`, unlocked.
    fn read<'a>(&'a self, partition: &'a Partition) -> BoxFuture<'a, Result<Snapshot, GrantError>>;

    /// Exclusive access to `partition` across processes until the returned
    /// lock is dropped.
    fn lock<'a>(
        &'a self,
        partition: &'a Partition,
    ) -> BoxFuture<'a, Result<Box<dyn BackendLock + 'a>, GrantError>>;
}

/// A locked partition of a [`StoreBackend`].
pub trait BackendLock: Send {
    /// The store's fingerprint key, created (and made durable) if it has none.
    fn fingerprint_key(&mut self) -> BoxFuture<'_, Result<FingerprintKey, GrantError>>;

    /// The partition's entries, as they are now.
    fn read(&mut self) -> BoxFuture<'_, Result<Vec<Entry>, GrantError>>;

    /// Replace the partition's entries, durably (on return `Ok`, another
    /// process's `read` sees them). Fails without writing when the lock was lost.
    fn write(&mut self, entries: Vec<Entry>) -> BoxFuture<'_, Result<(), GrantError>>;
}

/// Which entry `identity` uses among `entries`: the index and how well it
/// matches, or `None` when it starts a new entry.
///
/// With `lineage` (a configured or in-process refresh token), only an entry
/// whose lineage holds it qualifies. Otherwise the best match wins: verified
/// before unverified before other credentials, then the most recently written.
/// An entry whose only difference is the client credentials
/// ([`Match::OtherCredentials`]) qualifies only for a refresh token lineage
/// ([`GrantKind::RefreshToken`]): its refresh token is sent with the presented
/// credentials and the server decides.
///
/// ```
/// use connstr::Secret;
/// use connstr::grant::{Entry, FingerprintKey, Match, TokenIdentity, select};
///
/// let key = FingerprintKey::generate().unwrap();
/// let id = TokenIdentity::new(&"https://as.example/token".parse().unwrap(), "app", Some("alice"), None);
/// let mut e = Entry::new(&id, &key);
/// e.tokens.rotate(Secret::new("rt-1"));
/// e.tokens.rotate(Secret::new("rt-2"));
/// let entries = vec![e];
/// assert_eq!(select(&id, &key, &entries, None), Some((0, Match::Verified)));
/// assert_eq!(select(&id, &key, &entries, Some(&Secret::new("rt-1"))), Some((0, Match::Verified)));
/// assert_eq!(select(&id, &key, &entries, Some(&Secret::new("rt-other"))), None);
/// ```
pub fn select(
    identity: &TokenIdentity,
    key: &FingerprintKey,
    entries: &[Entry],
    lineage: Option<&Secret>,
) -> Option<(usize, Match)> {
    let partition = identity.partition();
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.partition == partition)
        .filter(|(_, e)| lineage.is_none_or(|rt| e.tokens.knows(rt)))
        .map(|(i, e)| (i, identity.compare(key, &e.identity), e.updated_at))
        .filter(|(_, m, _)| match m {
            Match::No => false,
            Match::OtherCredentials => identity.grant.is_none_or(|g| g == GrantKind::RefreshToken),
            Match::Unverified | Match::Verified => true,
        })
        .max_by_key(|(i, m, at)| (*m, *at, *i))
        .map(|(i, m, _)| (i, m))
}

/// Put `entry` (new) among `entries`, dropping entries of exactly the same
/// recorded identity that hold no live refresh token (what it replaces); live
/// lineages stay.
pub fn insert_replacing(entries: &mut Vec<Entry>, entry: Entry) -> usize {
    entries.retain(|e| {
        !(e.partition == entry.partition
            && e.identity == entry.identity
            && !e.tokens.has_live_refresh_token())
    });
    entries.push(entry);
    entries.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_remembers_retired_tokens_by_keyed_fingerprint() {
        let mut t = StoredTokens::default();
        t.rotate(Secret::new("rt-1"));
        t.rotate(Secret::new("rt-2"));
        t.rotate(Secret::new("rt-2"));
        assert!(t.has_retired(&Secret::new("rt-1")));
        assert!(!t.has_retired(&Secret::new("rt-2")));
        assert!(t.knows(&Secret::new("rt-2")));
        assert!(!t.knows(&Secret::new("rt-9")));
        assert_eq!(t.retired.len(), 1);
        assert!(t.retired[0].starts_with("hmac-sha256:"));
        assert_ne!(
            t.retired[0],
            format!("sha256:{}", sha256_hex(&Secret::new("rt-1")))
        );
        let shown = format!("{t:?}");
        assert!(!shown.contains("rt-") && !shown.contains("hmac"), "{shown}");
    }

    #[test]
    fn a_dead_lineage_of_the_same_identity_is_replaced_a_live_one_kept() {
        let key = FingerprintKey::generate().unwrap();
        let id = TokenIdentity::new(&"https://as/t".parse().unwrap(), "app", None, Some("D"));
        let mut live = Entry::new(&id, &key);
        live.tokens.rotate(Secret::new("a"));
        let mut dead = Entry::new(&id, &key);
        dead.tokens.rotate(Secret::new("b"));
        dead.tokens.refresh_token_dead = true;
        let mut entries = vec![live, dead];
        let mut fresh = Entry::new(&id, &key);
        fresh.tokens.rotate(Secret::new("c"));
        insert_replacing(&mut entries, fresh);
        assert_eq!(entries.len(), 2);
        assert!(entries[0].tokens.knows(&Secret::new("a")));
        assert!(entries[1].tokens.knows(&Secret::new("c")));
    }
}
