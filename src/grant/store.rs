//! The persistent token store: one JSON file, 0600, written atomically under an
//! inter-process lock.
//!
//! Entries are keyed by (token endpoint URL, client id, user or DSN), so that
//! after one login a configuration needs only ClientID (+ User) and TokenURI.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::error::{GrantError, Hint};
use crate::secret::Secret;

/// Environment variable naming the token store file.
pub const STORE_ENV: &str = "CONNSTR_TOKEN_STORE";

/// Format version written in the file.
const VERSION: u32 = 1;

/// How many superseded refresh tokens an entry remembers (as hashes).
const RETIRED_KEPT: usize = 32;

/// Which token store entry a configuration uses.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StoreKey {
    /// The token endpoint URL.
    pub token_url: String,
    /// ClientID.
    pub client_id: String,
    /// User, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The DSN, used only when there is no User.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsn: Option<String>,
}

impl StoreKey {
    /// A key; `dsn` is dropped when `user` is given (the user identifies the tokens).
    pub fn new(
        token_url: &url::Url,
        client_id: &str,
        user: Option<&str>,
        dsn: Option<&str>,
    ) -> Self {
        StoreKey {
            token_url: token_url.as_str().to_owned(),
            client_id: client_id.to_owned(),
            user: user.map(str::to_owned),
            dsn: if user.is_some() {
                None
            } else {
                dsn.map(str::to_owned)
            },
        }
    }
}

/// What the store keeps for one key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    /// SHA-256 (hex) of refresh tokens this one superseded.
    retired: Vec<String>,
}

impl StoredTokens {
    /// Whether `refresh_token` is one this entry has seen replaced by rotation.
    pub fn has_retired(&self, refresh_token: &Secret) -> bool {
        let h = fingerprint(refresh_token);
        self.retired.contains(&h)
    }

    /// Whether `refresh_token` is this entry's current one or a retired one.
    pub fn knows(&self, refresh_token: &Secret) -> bool {
        self.refresh_token.as_ref() == Some(refresh_token) || self.has_retired(refresh_token)
    }

    /// Replace the refresh token, remembering the old one as retired.
    pub fn rotate(&mut self, new: Secret) {
        if let Some(old) = self.refresh_token.take()
            && old != new
        {
            self.retired.push(fingerprint(&old));
            if self.retired.len() > RETIRED_KEPT {
                let excess = self.retired.len() - RETIRED_KEPT;
                self.retired.drain(..excess);
            }
        }
        self.retired.retain(|h| *h != fingerprint(&new));
        self.refresh_token = Some(new);
        self.refresh_token_dead = false;
    }
}

/// SHA-256 of a secret, hex: lets the store recognise an old refresh token
/// without keeping it.
fn fingerprint(s: &Secret) -> String {
    let digest = sha2::Sha256::digest(s.expose().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRepr {
    version: u32,
    #[serde(default)]
    tokens: Vec<EntryRepr>,
}

#[derive(Serialize, Deserialize)]
struct EntryRepr {
    #[serde(flatten)]
    key: StoreKey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    refresh_token_dead: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    /// Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    retired_refresh_tokens: Vec<String>,
    /// Unix seconds.
    updated_at: u64,
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The whole file, in memory.
#[derive(Default)]
struct Contents {
    entries: Vec<(StoreKey, StoredTokens)>,
}

impl Contents {
    fn parse(path: &Path, bytes: &[u8]) -> Result<Self, GrantError> {
        let corrupt = |message: String| GrantError::StoreCorrupt {
            path: path.to_owned(),
            message,
            hint: Some(Hint::FixOrRemoveStore {
                path: path.to_owned(),
            }),
        };
        let repr: FileRepr = serde_json::from_slice(bytes).map_err(|e| {
            // Category and position only: serde_json's message can quote content.
            let what = match e.classify() {
                serde_json::error::Category::Io => "I/O error",
                serde_json::error::Category::Syntax => "invalid JSON",
                serde_json::error::Category::Data => "unexpected structure",
                serde_json::error::Category::Eof => "truncated JSON",
            };
            corrupt(format!("{what} at line {} column {}", e.line(), e.column()))
        })?;
        if repr.version != VERSION {
            return Err(corrupt(format!(
                "format version {} (this connstr reads version {VERSION})",
                repr.version
            )));
        }
        let entries = repr
            .tokens
            .into_iter()
            .map(|e| {
                (
                    e.key,
                    StoredTokens {
                        refresh_token: e.refresh_token.map(Secret::new),
                        refresh_token_dead: e.refresh_token_dead,
                        access_token: e.access_token.map(Secret::new),
                        expires_at: e
                            .expires_at
                            .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s)),
                        scope: e.scope,
                        retired: e.retired_refresh_tokens,
                    },
                )
            })
            .collect();
        Ok(Contents { entries })
    }

    fn render(&self) -> Vec<u8> {
        let now = unix(SystemTime::now());
        let repr = FileRepr {
            version: VERSION,
            tokens: self
                .entries
                .iter()
                .map(|(k, t)| EntryRepr {
                    key: k.clone(),
                    refresh_token: t.refresh_token.as_ref().map(|s| s.expose().to_owned()),
                    refresh_token_dead: t.refresh_token_dead,
                    access_token: t.access_token.as_ref().map(|s| s.expose().to_owned()),
                    expires_at: t.expires_at.map(unix),
                    scope: t.scope.clone(),
                    retired_refresh_tokens: t.retired.clone(),
                    updated_at: now,
                })
                .collect(),
        };
        let mut out = serde_json::to_vec_pretty(&repr).unwrap_or_default();
        out.push(b'\n');
        out
    }

    fn get(&self, key: &StoreKey) -> Option<&StoredTokens> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, t)| t)
    }
}

/// A token store file.
///
/// ```
/// use connstr::Secret;
/// use connstr::grant::{StoreKey, TokenStore};
///
/// let dir = tempfile::tempdir().unwrap();
/// let store = TokenStore::at(dir.path().join("tokens.json"));
/// let key = StoreKey::new(&"https://as.example/token".parse().unwrap(), "app", Some("alice"), None);
/// {
///     let lock = store.lock_blocking().unwrap();
///     lock.update(&key, |t| t.rotate(Secret::new("rt-1"))).unwrap();
/// }
/// let got = store.get(&key).unwrap().unwrap();
/// assert_eq!(got.refresh_token.unwrap().expose(), "rt-1");
/// ```
#[derive(Clone, Debug)]
pub struct TokenStore {
    path: PathBuf,
    lock_path: PathBuf,
    /// How long [`TokenStore::lock`] waits for another holder (default 2 minutes).
    pub lock_timeout: Duration,
}

impl TokenStore {
    /// The store at `path` (nothing is created until the first write).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let mut lock_name = path.file_name().unwrap_or_default().to_os_string();
        lock_name.push(".lock");
        let lock_path = path.with_file_name(lock_name);
        TokenStore {
            path,
            lock_path,
            lock_timeout: Duration::from_secs(120),
        }
    }

    /// The default location: `$CONNSTR_TOKEN_STORE`, else
    /// `<XDG state dir>/connstr/tokens.json` (`~/.local/state/connstr/tokens.json`).
    pub fn default_path() -> Result<PathBuf, GrantError> {
        if let Some(p) = std::env::var_os(STORE_ENV).filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(p));
        }
        dirs::state_dir()
            .or_else(|| dirs::home_dir().map(|h| h.join(".local").join("state")))
            .map(|d| d.join("connstr").join("tokens.json"))
            .ok_or(GrantError::NoStoreLocation)
    }

    /// The store at [`TokenStore::default_path`].
    pub fn open_default() -> Result<Self, GrantError> {
        Ok(Self::at(Self::default_path()?))
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Read one entry without locking (writes are atomic renames, so a reader
    /// sees a whole old or a whole new file).
    pub fn get(&self, key: &StoreKey) -> Result<Option<StoredTokens>, GrantError> {
        Ok(self.read()?.get(key).cloned())
    }

    fn read(&self) -> Result<Contents, GrantError> {
        match fs::read(&self.path) {
            Ok(bytes) => Contents::parse(&self.path, &bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Contents::default()),
            Err(e) => Err(GrantError::store_io(&self.path, "reading", e)),
        }
    }

    fn open_lock_file(&self) -> Result<File, GrantError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)
                .map_err(|e| GrantError::store_io(dir, "creating directory", e))?;
        }
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        opts.open(&self.lock_path)
            .map_err(|e| GrantError::store_io(&self.lock_path, "opening lock file", e))
    }

    /// Take the inter-process lock, waiting without blocking the runtime (up to
    /// [`TokenStore::lock_timeout`]).
    pub async fn lock(&self) -> Result<StoreLock<'_>, GrantError> {
        let file = self.open_lock_file()?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(2);
        let mut waited = false;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    tracing::debug!(
                        lock = %self.lock_path.display(),
                        waited_ms = started.elapsed().as_millis() as u64,
                        contended = waited,
                        "token store lock acquired"
                    );
                    return Ok(StoreLock { store: self, file });
                }
                Err(fs::TryLockError::WouldBlock) => {
                    if !waited {
                        tracing::debug!(
                            lock = %self.lock_path.display(),
                            "token store locked by another process or task: waiting"
                        );
                        waited = true;
                    }
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(GrantError::store_io(&self.lock_path, "locking", e));
                }
            }
            if started.elapsed() >= self.lock_timeout {
                tracing::warn!(
                    lock = %self.lock_path.display(),
                    waited_ms = started.elapsed().as_millis() as u64,
                    "gave up waiting for the token store lock"
                );
                return Err(GrantError::StoreLockTimeout {
                    path: self.lock_path.clone(),
                    waited: started.elapsed(),
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    /// Take the inter-process lock, blocking the thread.
    pub fn lock_blocking(&self) -> Result<StoreLock<'_>, GrantError> {
        let file = self.open_lock_file()?;
        let started = Instant::now();
        file.lock()
            .map_err(|e| GrantError::store_io(&self.lock_path, "locking", e))?;
        tracing::debug!(
            lock = %self.lock_path.display(),
            waited_ms = started.elapsed().as_millis() as u64,
            "token store lock acquired (blocking)"
        );
        Ok(StoreLock { store: self, file })
    }
}

/// The store, locked: read and write inside it. Dropping it releases the lock.
#[derive(Debug)]
pub struct StoreLock<'a> {
    store: &'a TokenStore,
    file: File,
}

impl StoreLock<'_> {
    /// Re-read one entry from disk (another process may have written it).
    pub fn get(&self, key: &StoreKey) -> Result<Option<StoredTokens>, GrantError> {
        let got = self.store.get(key)?;
        tracing::trace!(
            store = %self.store.path.display(),
            found = got.is_some(),
            has_access_token = got.as_ref().is_some_and(|e| e.access_token.is_some()),
            has_refresh_token = got.as_ref().is_some_and(|e| e.refresh_token.is_some()),
            refresh_token_dead = got.as_ref().is_some_and(|e| e.refresh_token_dead),
            "token store entry re-read under the lock"
        );
        Ok(got)
    }

    /// The store file this lock guards.
    pub(crate) fn store_path(&self) -> &Path {
        &self.store.path
    }

    /// Read-modify-write one entry, durably: the change is on disk (file and
    /// directory fsynced) when this returns `Ok`.
    pub fn update(
        &self,
        key: &StoreKey,
        change: impl FnOnce(&mut StoredTokens),
    ) -> Result<StoredTokens, GrantError> {
        let mut contents = self.store.read()?;
        let idx = match contents.entries.iter().position(|(k, _)| k == key) {
            Some(i) => i,
            None => {
                contents
                    .entries
                    .push((key.clone(), StoredTokens::default()));
                contents.entries.len() - 1
            }
        };
        change(&mut contents.entries[idx].1);
        let updated = contents.entries[idx].1.clone();
        self.write(&contents)?;
        Ok(updated)
    }

    /// Remove one entry (durably).
    pub fn remove(&self, key: &StoreKey) -> Result<bool, GrantError> {
        let mut contents = self.store.read()?;
        let before = contents.entries.len();
        contents.entries.retain(|(k, _)| k != key);
        if contents.entries.len() == before {
            return Ok(false);
        }
        self.write(&contents)?;
        Ok(true)
    }

    /// Replace the file with `contents`, first removing temp files that a
    /// writer killed mid-write left behind (full copies of the tokens). Safe
    /// only here: holding the lock, no other writer of this store is mid-write.
    fn write(&self, contents: &Contents) -> Result<(), GrantError> {
        remove_orphaned_temp_files(&self.store.path);
        let started = Instant::now();
        let bytes = contents.render();
        write_atomically(&self.store.path, &bytes)?;
        tracing::debug!(
            store = %self.store.path.display(),
            entries = contents.entries.len(),
            bytes = bytes.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "token store written (temp file fsynced, renamed over, directory fsynced)"
        );
        Ok(())
    }
}

impl Drop for StoreLock<'_> {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        b.mode(0o700);
    }
    b.create(dir)
}

/// The directory holding `path` (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// The name of a temp file for `path`: `.<name>.<pid>.<nonce>.tmp`, in the
/// same directory (so that the rename is atomic).
fn temp_name(path: &Path, pid: u32, nonce: u64) -> OsString {
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".{pid}.{nonce:016x}.tmp"));
    name
}

/// Whether `file_name` is a temp file [`write_atomically`] makes for a store
/// file named `store_name` (the exact pattern of [`temp_name`], nothing looser).
fn is_temp_of(file_name: &OsStr, store_name: &OsStr) -> bool {
    let middle = file_name
        .as_encoded_bytes()
        .strip_prefix(b".")
        .and_then(|r| r.strip_prefix(store_name.as_encoded_bytes()))
        .and_then(|r| r.strip_prefix(b"."))
        .and_then(|r| r.strip_suffix(b".tmp"));
    let Some((pid, nonce)) = middle.and_then(|m| {
        let dot = m.iter().position(|&b| b == b'.')?;
        Some((&m[..dot], &m[dot + 1..]))
    }) else {
        return false;
    };
    !pid.is_empty()
        && pid.iter().all(u8::is_ascii_digit)
        && nonce.len() == 16
        && nonce.iter().all(u8::is_ascii_hexdigit)
}

/// Remove the temp files of the store at `path` left by writers that died
/// between creating and renaming them. The caller must hold the store's lock
/// (so no live writer is mid-write). Best effort: a file that cannot be
/// listed or removed is left for the next write.
fn remove_orphaned_temp_files(path: &Path) {
    let Some(store_name) = path.file_name() else {
        return;
    };
    let Ok(entries) = fs::read_dir(parent_dir(path)) else {
        return;
    };
    for entry in entries.flatten() {
        if is_temp_of(&entry.file_name(), store_name)
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            let removed = fs::remove_file(entry.path());
            tracing::debug!(
                file = %entry.path().display(),
                removed = removed.is_ok(),
                "orphaned token store temp file (a writer died mid-write) removed"
            );
        }
    }
}

/// A temp file that is removed when dropped, unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    renamed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Temp file in the same directory, 0600, fsync, rename over, fsync the
/// directory. On any failure the temp file is removed.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), GrantError> {
    let dir = parent_dir(path);
    create_private_dir(&dir).map_err(|e| GrantError::store_io(&dir, "creating directory", e))?;
    let nonce = getrandom::u64().map_err(|_| GrantError::Random)?;
    let tmp = dir.join(temp_name(path, std::process::id(), nonce));
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let writing = |e: io::Error| GrantError::store_io(path, "writing", e);
    let mut f = opts.open(&tmp).map_err(writing)?;
    // From here on, a failure (or a panic) removes the temp file.
    let mut guard = TempFile {
        path: tmp,
        renamed: false,
    };
    tracing::trace!(temp = %guard.path.display(), "token store temp file created (0600)");
    f.write_all(bytes).map_err(writing)?;
    f.sync_all().map_err(writing)?;
    drop(f);
    fs::rename(&guard.path, path).map_err(writing)?;
    guard.renamed = true;
    #[cfg(unix)]
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(writing)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> StoreKey {
        StoreKey::new(
            &url::Url::parse("https://as.example/token").unwrap(),
            "app",
            Some("alice"),
            Some("ignored"),
        )
    }

    #[test]
    fn rotation_remembers_retired_tokens_by_hash() {
        let mut t = StoredTokens::default();
        t.rotate(Secret::new("rt-1"));
        t.rotate(Secret::new("rt-2"));
        t.rotate(Secret::new("rt-2"));
        assert!(t.has_retired(&Secret::new("rt-1")));
        assert!(!t.has_retired(&Secret::new("rt-2")));
        assert!(t.knows(&Secret::new("rt-2")));
        assert!(!t.knows(&Secret::new("rt-9")));
        assert_eq!(t.retired.len(), 1);
        assert!(!t.retired[0].contains("rt-1"));
    }

    #[test]
    fn write_read_roundtrip_and_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::at(dir.path().join("sub").join("tokens.json"));
        assert_eq!(store.get(&key()).unwrap(), None);
        let lock = store.lock_blocking().unwrap();
        lock.update(&key(), |t| {
            t.rotate(Secret::new("rt-1"));
            t.access_token = Some(Secret::new("at-1"));
            t.expires_at = Some(SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000));
        })
        .unwrap();
        drop(lock);
        let got = store.get(&key()).unwrap().unwrap();
        assert_eq!(got.refresh_token.unwrap().expose(), "rt-1");
        assert_eq!(got.access_token.unwrap().expose(), "at-1");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(store.path()), 0o600);
            assert_eq!(mode(store.path().parent().unwrap()), 0o700);
        }
        // no temp files left behind
        let names: Vec<_> = fs::read_dir(store.path().parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn corrupt_file_is_an_error_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        fs::write(
            &path,
            r#"{"version":1,"tokens":[{"refresh_token": 12, "tok-SECRET-xyz"#,
        )
        .unwrap();
        let store = TokenStore::at(&path);
        let e = store.get(&key()).unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(matches!(e, GrantError::StoreCorrupt { .. }), "{shown}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("line 1"), "{shown}");
        // and a write does not silently replace it
        let lock = store.lock_blocking().unwrap();
        assert!(lock.update(&key(), |_| {}).is_err());
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("tok-SECRET-xyz")
        );
        fs::write(&path, r#"{"version":99,"tokens":[]}"#).unwrap();
        assert!(
            store
                .get(&key())
                .unwrap_err()
                .to_string()
                .contains("version 99")
        );
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn temp_name_pattern_is_exact() {
        let store = OsStr::new("tokens.json");
        let made = temp_name(Path::new("/x/tokens.json"), 4242, 0xdead_beef);
        assert_eq!(made, ".tokens.json.4242.00000000deadbeef.tmp");
        assert!(is_temp_of(&made, store));
        for other in [
            ".tokens.json.tmp",
            ".tokens.json..00000000deadbeef.tmp",
            ".tokens.json.12.deadbeef.tmp",
            ".tokens.json.12.00000000deadbeeg.tmp",
            ".tokens.json.x1.00000000deadbeef.tmp",
            ".tokens.json.1.00000000deadbeef.tmp.keep",
            "tokens.json.1.00000000deadbeef.tmp",
            ".tokens.jsonx.1.00000000deadbeef.tmp",
            ".other.json.1.00000000deadbeef.tmp",
            ".tokens.json.1.2.00000000deadbeef.tmp",
            "tokens.json",
            "tokens.json.lock",
        ] {
            assert!(!is_temp_of(OsStr::new(other), store), "{other}");
        }
    }

    #[test]
    fn a_write_removes_only_this_stores_orphaned_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let orphans = [
            ".tokens.json.99999.00000000deadbeef.tmp",
            ".tokens.json.1.0123456789ABCDEF.tmp",
        ];
        let kept = [
            ".other.json.99999.00000000deadbeef.tmp",
            ".tokens.json.notapid.00000000deadbeef.tmp",
            "tokens.json.bak",
        ];
        for n in orphans.iter().chain(&kept) {
            fs::write(dir.path().join(n), "rt-orphan").unwrap();
        }
        let store = TokenStore::at(&path);
        let lock = store.lock_blocking().unwrap();
        lock.update(&key(), |t| t.rotate(Secret::new("rt-1")))
            .unwrap();
        drop(lock);
        let mut want: Vec<String> = kept.iter().map(|s| s.to_string()).collect();
        want.extend(["tokens.json".into(), "tokens.json.lock".into()]);
        want.sort();
        assert_eq!(names_in(dir.path()), want);
        // `remove` writes too.
        fs::write(dir.path().join(orphans[0]), "rt-orphan").unwrap();
        let lock = store.lock_blocking().unwrap();
        assert!(lock.remove(&key()).unwrap());
        drop(lock);
        assert!(!dir.path().join(orphans[0]).exists());
    }

    #[test]
    fn a_failed_write_removes_its_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        // Renaming a file over a non-empty directory fails.
        let target = dir.path().join("tokens.json");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), "x").unwrap();
        let e = write_atomically(&target, b"rt-secret").unwrap_err();
        assert!(matches!(e, GrantError::StoreIo { .. }), "{e:?}");
        assert_eq!(names_in(dir.path()), vec!["tokens.json".to_owned()]);
    }

    #[test]
    fn dsn_only_without_user() {
        let u = url::Url::parse("https://as.example/token").unwrap();
        assert_eq!(
            StoreKey::new(&u, "c", None, Some("D")).dsn.as_deref(),
            Some("D")
        );
        assert_eq!(StoreKey::new(&u, "c", Some("U"), Some("D")).dsn, None);
    }
}
