//! The token store on Redis, for a fleet of hosts sharing one grant: the
//! entry, a fleet-wide refresh lease with a fencing token, compare-and-set
//! writes, and wake-ups for the hosts that wait.
//!
//! Layout of one entry (`{FP}` is the fingerprint of the token identity, in
//! hex; it is a Redis Cluster hash tag, so the keys of one entry share a slot):
//!
//! | key | type | what |
//! |---|---|---|
//! | `connstr:v1:{FP}` | hash | `version` (bumped by every write), `fence` (the writer's fencing token), `data` (the entry: tokens, as JSON) |
//! | `connstr:v1:{FP}:lease` | string, with a TTL | `FENCE:HOLDER` while a process refreshes |
//! | `connstr:v1:{FP}:fence` | string | the fencing counter |
//! | `connstr:v1:key` | string | the fleet's random key for keyed fingerprints |
//! | channel `connstr:v1:{FP}:events` | pub/sub | `written VERSION`, `released` |
//!
//! Key names and channel messages carry no secret: tokens are only ever in
//! `data`, a value.
//!
//! A lease is taken with a Lua script (`SET … PX` if absent, with the next
//! fencing token from `INCR`), renewed every third of its time to live while
//! its holder works, and released by compare-and-delete. Writes are a Lua
//! compare-and-set on the entry's `version` (and never below a newer writer's
//! fence): a holder whose lease expired and whose entry was meanwhile written
//! by the next holder cannot overwrite it. Waiters subscribe to the entry's
//! channel and also poll with backoff (20 ms doubling to 500 ms), so a lost
//! message or a dead holder (its lease simply expires) only delays them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use redis::aio::MultiplexedConnection;

use super::error::GrantError;
use super::redis_url::RedisConfig;

/// Prefix of every key and channel connstr uses in Redis.
pub const REDIS_KEY_PREFIX: &str = "connstr:v1:";

/// How long a Redis command may take before it counts as a failure, at least.
const MIN_RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);
/// Polling backoff while waiting for a lease: first pause, longest pause.
const POLL_FIRST: Duration = Duration::from_millis(20);
const POLL_MAX: Duration = Duration::from_millis(500);

const TRY_LEASE: &str = r"
local cur = redis.call('GET', KEYS[1])
if cur then return {0, redis.call('PTTL', KEYS[1])} end
local f = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], f .. ':' .. ARGV[1], 'PX', ARGV[2])
return {1, f}
";

const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'released')
  return 1
end
return 0
";

const WRITE: &str = r"
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return {0, v} end
local f = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
if f > tonumber(ARGV[2]) then return {0, v} end
redis.call('HSET', KEYS[1], 'version', v + 1, 'fence', ARGV[2], 'data', ARGV[3])
redis.call('PUBLISH', ARGV[4], 'written ' .. (v + 1))
return {1, v + 1}
";

/// One entry as stored: its version, the fencing token of its writer, and
/// the entry itself (opaque here; it holds tokens, so `Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct Versioned {
    /// Bumped by every write; 0 = never written.
    pub version: u64,
    /// The fencing token of the lease under which it was written.
    pub fence: u64,
    /// The entry.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Versioned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Versioned")
            .field("version", &self.version)
            .field("fence", &self.fence)
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .finish()
    }
}

/// What [`RedisStore::acquire`] got.
#[derive(Debug)]
pub enum Acquired {
    /// The lease: this process may refresh and write.
    Lease(Lease),
    /// While waiting for the lease, the entry changed from the version the
    /// caller had seen (another host wrote it): the caller looks at it first.
    Changed(Versioned),
}

struct Inner {
    config: RedisConfig,
    client: redis::Client,
    conn: tokio::sync::Mutex<Option<MultiplexedConnection>>,
    /// Identifies this process in lease values (random, no host name).
    holder: String,
    try_lease: redis::Script,
    renew: redis::Script,
    release: redis::Script,
    write: redis::Script,
}

/// A Redis token store connection (cheap to clone; connects on first use,
/// reconnects after a failure).
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
    /// How long [`RedisStore::acquire`] waits for the lease (default 2 minutes).
    pub lock_timeout: Duration,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("config", &self.inner.config)
            .field("lock_timeout", &self.lock_timeout)
            .finish_non_exhaustive()
    }
}

fn key_of(fp: &str) -> String {
    format!("{REDIS_KEY_PREFIX}{{{fp}}}")
}

impl RedisStore {
    /// A store at `config` (nothing is sent until the first use; only a
    /// `ca_file` is read here).
    pub fn new(config: RedisConfig) -> Result<Self, GrantError> {
        let addr = if config.tls {
            redis::ConnectionAddr::TcpTls {
                host: config.host.clone(),
                port: config.port,
                insecure: false,
                tls_params: None,
            }
        } else {
            redis::ConnectionAddr::Tcp(config.host.clone(), config.port)
        };
        let mut settings = redis::RedisConnectionInfo::default().set_db(config.db);
        if let Some(u) = &config.user {
            settings = settings.set_username(u);
        }
        if let Some(p) = &config.password {
            settings = settings.set_password(p.expose());
        }
        let info = redis::IntoConnectionInfo::into_connection_info(addr)
            .map_err(|e| redis_error(&config, "configuring the client", &e))?
            .set_redis_settings(settings);
        let client = match &config.ca_file {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| GrantError::Redis {
                    store: config.to_string(),
                    action: "reading ca_file",
                    message: format!("{}: {e}", path.display()),
                })?;
                redis::Client::build_with_tls(
                    info,
                    redis::TlsCertificates {
                        client_tls: None,
                        root_cert: Some(pem),
                    },
                )
            }
            None => redis::Client::open(info),
        }
        .map_err(|e| redis_error(&config, "configuring the client", &e))?;
        let mut id = [0u8; 8];
        getrandom::fill(&mut id).map_err(|_| GrantError::Random)?;
        Ok(RedisStore {
            inner: Arc::new(Inner {
                config,
                client,
                conn: tokio::sync::Mutex::new(None),
                holder: id.iter().map(|b| format!("{b:02x}")).collect(),
                try_lease: redis::Script::new(TRY_LEASE),
                renew: redis::Script::new(RENEW),
                release: redis::Script::new(RELEASE),
                write: redis::Script::new(WRITE),
            }),
            lock_timeout: Duration::from_secs(120),
        })
    }

    /// Where the store is (never with its password).
    pub fn config(&self) -> &RedisConfig {
        &self.inner.config
    }

    fn err(&self, action: &'static str, e: &redis::RedisError) -> GrantError {
        redis_error(&self.inner.config, action, e)
    }

    /// The shared connection, connecting (within the connect timeout) if needed.
    async fn conn(&self) -> Result<MultiplexedConnection, GrantError> {
        let mut slot = self.inner.conn.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = &self.inner.config;
        let started = Instant::now();
        let cfg = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(config.connect_timeout))
            .set_response_timeout(Some(config.connect_timeout.max(MIN_RESPONSE_TIMEOUT)));
        let connecting = self
            .inner
            .client
            .get_multiplexed_async_connection_with_config(&cfg);
        let c = match tokio::time::timeout(config.connect_timeout, connecting).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return Err(self.err("connecting", &e)),
            Err(_) => {
                return Err(GrantError::Redis {
                    store: config.to_string(),
                    action: "connecting",
                    message: format!("no answer within {:?}", config.connect_timeout),
                });
            }
        };
        tracing::debug!(
            store = %config,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "connected to the Redis token store"
        );
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Run `f` on the connection; forget the connection after an I/O error
    /// (the next call reconnects).
    async fn run<T, F, Fut>(&self, action: &'static str, f: F) -> Result<T, GrantError>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let conn = self.conn().await?;
        match f(conn).await {
            Ok(v) => Ok(v),
            Err(e) => {
                if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() {
                    *self.inner.conn.lock().await = None;
                }
                Err(self.err(action, &e))
            }
        }
    }

    /// Check that the store answers (connects, authenticates, PING).
    pub async fn ping(&self) -> Result<(), GrantError> {
        self.run("PING", |mut c| async move {
            redis::cmd("PING").query_async::<String>(&mut c).await
        })
        .await
        .map(|_| ())
    }

    /// The value of `connstr:v1:NAME` (a fleet-wide setting such as the
    /// fingerprint key); with `candidate`, set to it first if absent (`SET
    /// NX`), so that every host ends up with the first host's value.
    pub async fn shared_value(
        &self,
        name: &str,
        candidate: Option<&str>,
    ) -> Result<Option<String>, GrantError> {
        let name = format!("{REDIS_KEY_PREFIX}{name}");
        self.run("reading a shared setting", |mut c| async move {
            if let Some(v) = candidate {
                let _: Option<String> = redis::cmd("SET")
                    .arg(&name)
                    .arg(v)
                    .arg("NX")
                    .query_async(&mut c)
                    .await?;
            }
            redis::cmd("GET").arg(&name).query_async(&mut c).await
        })
        .await
    }

    /// Read one entry without the lease (a write is atomic: a reader sees a
    /// whole old or a whole new entry).
    pub async fn read(&self, fp: &str) -> Result<Option<Versioned>, GrantError> {
        let key = key_of(fp);
        let (version, fence, data): (Option<u64>, Option<u64>, Option<Vec<u8>>) = self
            .run("reading an entry", |mut c| async move {
                redis::cmd("HMGET")
                    .arg(&key)
                    .arg("version")
                    .arg("fence")
                    .arg("data")
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(match (version, data) {
            (Some(version), Some(data)) => Some(Versioned {
                version,
                fence: fence.unwrap_or(0),
                data,
            }),
            _ => None,
        })
    }

    async fn try_lease(&self, fp: &str) -> Result<Result<u64, Duration>, GrantError> {
        let key = key_of(fp);
        let holder = self.inner.holder.clone();
        let ttl = self.inner.config.lease.as_millis() as u64;
        let (got, n): (i64, i64) = self
            .run("taking the refresh lease", |mut c| async move {
                self.inner
                    .try_lease
                    .key(format!("{key}:lease"))
                    .key(format!("{key}:fence"))
                    .arg(holder)
                    .arg(ttl)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(if got == 1 {
            Ok(n.max(0) as u64)
        } else {
            Err(Duration::from_millis(n.max(0) as u64))
        })
    }

    /// Wait for the entry's refresh lease (up to [`RedisStore::lock_timeout`]),
    /// or, with `seen`, until the entry's version differs from it (0 = no
    /// entry), whichever comes first.
    pub async fn acquire(&self, fp: &str, seen: Option<u64>) -> Result<Acquired, GrantError> {
        let started = Instant::now();
        let channel = format!("{}:events", key_of(fp));
        let mut events: Option<redis::aio::PubSubStream> = None;
        let mut subscribed = false;
        let mut pause = POLL_FIRST;
        let mut rounds = 0u32;
        loop {
            rounds += 1;
            match self.try_lease(fp).await? {
                Ok(fence) => {
                    tracing::debug!(
                        store = %self.inner.config,
                        fence,
                        waited_ms = started.elapsed().as_millis() as u64,
                        rounds,
                        "refresh lease taken"
                    );
                    return Ok(Acquired::Lease(Lease::start(self.clone(), fp, fence)));
                }
                Err(ttl_left) => {
                    if let Some(seen) = seen
                        && let Some(v) = self.read(fp).await?
                        && v.version != seen
                    {
                        tracing::debug!(
                            store = %self.inner.config,
                            version = v.version,
                            waited_ms = started.elapsed().as_millis() as u64,
                            "entry written by another process while waiting for the lease"
                        );
                        return Ok(Acquired::Changed(v));
                    }
                    if started.elapsed() >= self.lock_timeout {
                        return Err(GrantError::RedisLeaseTimeout {
                            store: self.inner.config.to_string(),
                            waited: started.elapsed(),
                        });
                    }
                    if rounds == 1 {
                        tracing::debug!(
                            store = %self.inner.config,
                            lease_left_ms = ttl_left.as_millis() as u64,
                            "another process holds the refresh lease: waiting"
                        );
                    }
                    if !subscribed {
                        // Subscribe, then check again at once: nothing that
                        // happened before the subscription is missed.
                        subscribed = true;
                        events = self.subscribe(&channel).await;
                        continue;
                    }
                    let wait = pause.min(ttl_left.max(Duration::from_millis(5)));
                    match events.as_mut() {
                        Some(stream) => {
                            tokio::select! {
                                m = stream.next() => if m.is_none() {
                                    tracing::debug!("Redis event subscription closed: polling");
                                    events = None;
                                },
                                () = tokio::time::sleep(wait) => pause = (pause * 2).min(POLL_MAX),
                            }
                        }
                        None => {
                            tokio::time::sleep(wait).await;
                            pause = (pause * 2).min(POLL_MAX);
                        }
                    }
                }
            }
        }
    }

    /// A subscription to `channel`, or `None` (then the waiter polls).
    async fn subscribe(&self, channel: &str) -> Option<redis::aio::PubSubStream> {
        let timeout = self.inner.config.connect_timeout;
        let connecting = async {
            let mut p = self.inner.client.get_async_pubsub().await?;
            p.subscribe(channel).await?;
            Ok::<_, redis::RedisError>(p.into_on_message())
        };
        match tokio::time::timeout(timeout, connecting).await {
            Ok(Ok(s)) => Some(s),
            Ok(Err(e)) => {
                tracing::debug!(
                    error = %self.err("subscribing", &e),
                    "no Redis event subscription: polling"
                );
                None
            }
            Err(_) => None,
        }
    }
}

/// The refresh lease on one entry: renewed in the background while held,
/// released by [`Lease::release`] (or, as a fallback, when dropped).
pub struct Lease {
    store: RedisStore,
    fp: String,
    fence: u64,
    value: String,
    renewer: Option<tokio::task::JoinHandle<()>>,
    released: bool,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease")
            .field("store", &self.store.inner.config)
            .field("fence", &self.fence)
            .finish_non_exhaustive()
    }
}

impl Lease {
    fn start(store: RedisStore, fp: &str, fence: u64) -> Lease {
        let value = format!("{fence}:{}", store.inner.holder);
        let renewer = {
            let store = store.clone();
            let lease_key = format!("{}:lease", key_of(fp));
            let value = value.clone();
            tokio::spawn(async move {
                let ttl = store.inner.config.lease;
                loop {
                    tokio::time::sleep(ttl / 3).await;
                    let (k, v) = (lease_key.clone(), value.clone());
                    let renewed: Result<i64, _> = store
                        .run("renewing the refresh lease", |mut c| {
                            let script = store.inner.renew.clone();
                            async move {
                                script
                                    .key(k)
                                    .arg(v)
                                    .arg(ttl.as_millis() as u64)
                                    .invoke_async(&mut c)
                                    .await
                            }
                        })
                        .await;
                    match renewed {
                        Ok(1) => tracing::trace!(fence, "refresh lease renewed"),
                        Ok(_) => {
                            tracing::warn!(
                                fence,
                                "the refresh lease expired before it was renewed \
                                 (another process may take over)"
                            );
                            return;
                        }
                        Err(e) => tracing::warn!(error = %e, "could not renew the refresh lease"),
                    }
                }
            })
        };
        Lease {
            store,
            fp: fp.to_owned(),
            fence,
            value,
            renewer: Some(renewer),
            released: false,
        }
    }

    /// The fencing token of this lease (larger for every new lease).
    pub fn fence(&self) -> u64 {
        self.fence
    }

    /// Read the entry (under the lease: only this holder writes it).
    pub async fn read(&self) -> Result<Option<Versioned>, GrantError> {
        self.store.read(&self.fp).await
    }

    /// Compare-and-set: write `data` if the entry is still at `expected`
    /// (0 = absent) and no newer holder wrote it. `Ok(Ok(new_version))` once
    /// Redis acknowledged it; `Ok(Err(current_version))` when another holder
    /// wrote first (nothing written).
    pub async fn write(&self, expected: u64, data: &[u8]) -> Result<Result<u64, u64>, GrantError> {
        let key = key_of(&self.fp);
        let channel = format!("{key}:events");
        let fence = self.fence;
        let (ok, v): (i64, i64) = self
            .store
            .run("writing an entry", |mut c| async move {
                self.store
                    .inner
                    .write
                    .key(&key)
                    .arg(expected)
                    .arg(fence)
                    .arg(data)
                    .arg(channel)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        let v = v.max(0) as u64;
        if ok == 1 {
            tracing::debug!(fence, version = v, "entry written (compare-and-set)");
            Ok(Ok(v))
        } else {
            tracing::warn!(
                fence,
                expected,
                current = v,
                "entry not written: another holder wrote it first (this lease had expired)"
            );
            Ok(Err(v))
        }
    }

    /// Give the lease back (compare-and-delete) and wake the waiters.
    pub async fn release(mut self) -> Result<(), GrantError> {
        self.released = true;
        if let Some(r) = self.renewer.take() {
            r.abort();
        }
        release(&self.store, &self.fp, &self.value).await
    }
}

async fn release(store: &RedisStore, fp: &str, value: &str) -> Result<(), GrantError> {
    let key = key_of(fp);
    let (lease, channel) = (format!("{key}:lease"), format!("{key}:events"));
    let n: i64 = store
        .run("releasing the refresh lease", |mut c| async move {
            store
                .inner
                .release
                .key(lease)
                .arg(value)
                .arg(channel)
                .invoke_async(&mut c)
                .await
        })
        .await?;
    tracing::debug!(released = n == 1, "refresh lease given back");
    Ok(())
}

impl Drop for Lease {
    /// Give the lease back before returning, so that the next holder need
    /// not wait for it to expire (a `connstr` run ends its runtime right
    /// after; a task spawned here would never run). On a multi-thread
    /// runtime the release runs in place on the shared connection; otherwise
    /// on a thread of its own with its own connection.
    fn drop(&mut self) {
        if let Some(r) = self.renewer.take() {
            r.abort();
        }
        if self.released {
            return;
        }
        self.released = true;
        let (store, fp, value) = (self.store.clone(), self.fp.clone(), self.value.clone());
        match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| {
                    let _ = h.block_on(release(&store, &fp, &value));
                });
            }
            _ => {
                let fresh = RedisStore {
                    inner: Arc::new(Inner {
                        config: store.inner.config.clone(),
                        client: store.inner.client.clone(),
                        conn: tokio::sync::Mutex::new(None),
                        holder: store.inner.holder.clone(),
                        try_lease: store.inner.try_lease.clone(),
                        renew: store.inner.renew.clone(),
                        release: store.inner.release.clone(),
                        write: store.inner.write.clone(),
                    }),
                    lock_timeout: store.lock_timeout,
                };
                let worker = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(rt) = rt {
                        let _ = rt.block_on(release(&fresh, &fp, &value));
                    }
                });
                let _ = worker.join();
            }
        }
    }
}

/// A Redis failure as a [`GrantError::Redis`]: what was done and Redis's
/// words, without the password (which no Redis error quotes; scrubbed anyway).
fn redis_error(config: &RedisConfig, action: &'static str, e: &redis::RedisError) -> GrantError {
    let mut message = super::error::sanitize(&e.to_string(), 300);
    if let Some(p) = &config.password
        && !p.expose().is_empty()
    {
        message = message.replace(p.expose(), "<redacted>");
    }
    GrantError::Redis {
        store: config.to_string(),
        action,
        message,
    }
}
