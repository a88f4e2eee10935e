//! The token store on Redis as a [`StoreBackend`]: one Redis entry per
//! partition (token endpoint, client id, user or DSN), named by the
//! partition's keyed fingerprint — never by a client id, user or token —,
//! locked fleet-wide by the entry's refresh lease (see
//! [`crate::grant::RedisStore`] for the key layout, the lease with its fencing
//! token, and the compare-and-set write).
//!
//! What the file store guarantees holds here across hosts:
//!
//! - a refresh happens under the lease, after re-reading the entry, so a
//!   process that waited adopts the token another host just wrote instead of
//!   refreshing again (one refresh per expiry across the fleet);
//! - the rotated refresh token is written — acknowledged by Redis — before
//!   the new access token is handed out;
//! - a write under a lease that expired meanwhile (the holder stalled, and
//!   another host took over and wrote) is refused with
//!   [`GrantError::RedisLeaseLost`], so an older lineage never overwrites a
//!   newer one;
//! - Redis down is a [`GrantError::Redis`] naming the store within the
//!   connect timeout, never a silent fallback to a local file.
//!
//! The fleet's fingerprint key (for the keyed fingerprints of client
//! credentials and partition names) is the Redis value `connstr:v1:key`, set
//! once by the first host (`SET NX`) and read by all.

use super::{BackendLock, Entry, Snapshot, StoreBackend, decode_entries, encode_entries};
use crate::grant::error::GrantError;
use crate::grant::http::BoxFuture;
use crate::grant::identity::{FingerprintKey, Partition};
use crate::grant::redis_store::{Acquired, Lease, RedisStore, Versioned};

/// The shared setting holding the fleet's fingerprint key (hex).
const KEY_SETTING: &str = "key";

/// The Redis entry name of `partition`: its keyed fingerprint, hex only.
fn entry_name(key: &FingerprintKey, partition: &Partition) -> String {
    let name = key.partition_name(partition);
    match name.split_once(':') {
        Some((_, hex)) => hex.to_owned(),
        None => name,
    }
}

impl RedisStore {
    /// The fleet's fingerprint key; with `create`, made first if there is none
    /// (the first host's wins).
    async fn fleet_key(&self, create: bool) -> Result<Option<FingerprintKey>, GrantError> {
        let candidate = if create {
            Some(FingerprintKey::generate()?.to_hex())
        } else {
            None
        };
        match self.shared_value(KEY_SETTING, candidate.as_deref()).await? {
            None => Ok(None),
            Some(hex) => {
                FingerprintKey::from_hex(&hex)
                    .map(Some)
                    .ok_or_else(|| GrantError::Redis {
                        store: self.config().to_string(),
                        action: "reading the fingerprint key",
                        message:
                            "the stored key is not a connstr key (written by another program?)"
                                .to_owned(),
                    })
            }
        }
    }

    /// The entries of `partition` in `v`.
    fn decode(&self, v: &Versioned, partition: &Partition) -> Result<Vec<Entry>, GrantError> {
        let (_, entries) = decode_entries(&v.data).map_err(|message| GrantError::Redis {
            store: self.config().to_string(),
            action: "decoding an entry",
            message,
        })?;
        Ok(entries
            .into_iter()
            .filter(|e| e.partition == *partition)
            .collect())
    }
}

impl StoreBackend for RedisStore {
    fn location(&self) -> String {
        self.config().to_string()
    }

    fn read<'a>(&'a self, partition: &'a Partition) -> BoxFuture<'a, Result<Snapshot, GrantError>> {
        Box::pin(async move {
            let Some(key) = self.fleet_key(false).await? else {
                return Ok(Snapshot {
                    key: None,
                    entries: Vec::new(),
                });
            };
            let entries = match RedisStore::read(self, &entry_name(&key, partition)).await? {
                Some(v) => self.decode(&v, partition)?,
                None => Vec::new(),
            };
            Ok(Snapshot {
                key: Some(key),
                entries,
            })
        })
    }

    fn lock<'a>(
        &'a self,
        partition: &'a Partition,
    ) -> BoxFuture<'a, Result<Box<dyn BackendLock + 'a>, GrantError>> {
        Box::pin(async move {
            let key = self
                .fleet_key(true)
                .await?
                .ok_or_else(|| GrantError::Redis {
                    store: self.config().to_string(),
                    action: "creating the fingerprint key",
                    message: "the key vanished right after it was set".to_owned(),
                })?;
            let name = entry_name(&key, partition);
            let lease = loop {
                // Without a version to compare, acquire only ever returns the lease.
                match self.acquire(&name, None).await? {
                    Acquired::Lease(l) => break l,
                    Acquired::Changed(_) => continue,
                }
            };
            Ok(Box::new(RedisLock {
                store: self,
                lease,
                key,
                partition,
                version: None,
            }) as Box<dyn BackendLock + 'a>)
        })
    }
}

/// A partition under its refresh lease. Dropping it gives the lease back.
struct RedisLock<'a> {
    store: &'a RedisStore,
    lease: Lease,
    key: FingerprintKey,
    partition: &'a Partition,
    /// The entry's version as last read or written (0 = absent).
    version: Option<u64>,
}

impl RedisLock<'_> {
    async fn read_versioned(&mut self) -> Result<Vec<Entry>, GrantError> {
        let v = self.lease.read().await?;
        self.version = Some(v.as_ref().map_or(0, |v| v.version));
        match v {
            Some(v) => self.store.decode(&v, self.partition),
            None => Ok(Vec::new()),
        }
    }
}

impl BackendLock for RedisLock<'_> {
    fn fingerprint_key(&mut self) -> BoxFuture<'_, Result<FingerprintKey, GrantError>> {
        Box::pin(async move { Ok(self.key.clone()) })
    }

    fn read(&mut self) -> BoxFuture<'_, Result<Vec<Entry>, GrantError>> {
        Box::pin(self.read_versioned())
    }

    fn write(&mut self, entries: Vec<Entry>) -> BoxFuture<'_, Result<(), GrantError>> {
        Box::pin(async move {
            let expected = match self.version {
                Some(v) => v,
                None => {
                    self.read_versioned().await?;
                    self.version.unwrap_or(0)
                }
            };
            let data = encode_entries(&self.key, &entries);
            match self.lease.write(expected, &data).await? {
                Ok(new_version) => {
                    self.version = Some(new_version);
                    Ok(())
                }
                Err(current) => Err(GrantError::RedisLeaseLost {
                    store: self.store.config().to_string(),
                    expected,
                    current,
                }),
            }
        })
    }
}
