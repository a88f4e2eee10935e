//! The file token store: one JSON file, 0600, written atomically under an
//! inter-process lock (a `.lock` file beside it).

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::format::{self, Decoded};
use super::{BackendLock, Entry, Snapshot, StoreBackend, StoreKey, StoredTokens, select};
use crate::grant::error::{GrantError, Hint};
use crate::grant::http::BoxFuture;
use crate::grant::identity::{FingerprintKey, Partition};

/// Environment variable naming the token store file.
pub const STORE_ENV: &str = "CONNSTR_TOKEN_STORE";

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

    /// Read the entry `key` selects, without locking (writes are atomic
    /// renames, so a reader sees a whole old or a whole new file).
    pub fn get(&self, key: &StoreKey) -> Result<Option<StoredTokens>, GrantError> {
        let d = self.read()?;
        let fp = match &d.key {
            Some(k) => k.clone(),
            // No key yet: no entry records a fingerprint; any key compares the same.
            None => FingerprintKey::generate()?,
        };
        Ok(select(key, &fp, &d.entries, None).map(|(i, _)| d.entries[i].tokens.clone()))
    }

    /// The whole file (format 1 decoded as such; an absent file is empty).
    fn read(&self) -> Result<Decoded, GrantError> {
        match fs::read(&self.path) {
            Ok(bytes) => {
                let mut d = format::decode(&bytes).map_err(|message| GrantError::StoreCorrupt {
                    path: self.path.clone(),
                    message,
                    hint: Some(Hint::FixOrRemoveStore {
                        path: self.path.clone(),
                    }),
                })?;
                if let Some(k) = &d.key {
                    for e in &mut d.entries {
                        e.adopt_key(k);
                    }
                }
                Ok(d)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Decoded {
                version: format::VERSION,
                ..Decoded::default()
            }),
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
    /// Re-read the entry `key` selects (another process may have written it).
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

    /// The store's fingerprint key; created and written (migrating a format 1
    /// file to format 2) when the file has none.
    pub fn fingerprint_key(&self) -> Result<FingerprintKey, GrantError> {
        let d = self.store.read()?;
        if let Some(k) = d.key {
            return Ok(k);
        }
        let k = FingerprintKey::generate()?;
        if d.version == 1 {
            tracing::info!(
                store = %self.store.path.display(),
                entries = d.entries.len(),
                "token store migrated from format 1 to format {} (refresh tokens kept)",
                format::VERSION
            );
        }
        // Durable before any fingerprint made with it is.
        self.write(Some(&k), d.entries)?;
        Ok(k)
    }

    /// Read-modify-write the entry `key` selects (a new one when none does),
    /// durably: the change is on disk (file and directory fsynced) when this
    /// returns `Ok`.
    pub fn update(
        &self,
        key: &StoreKey,
        change: impl FnOnce(&mut StoredTokens),
    ) -> Result<StoredTokens, GrantError> {
        let fp = self.fingerprint_key()?;
        let mut d = self.store.read()?;
        let idx = match select(key, &fp, &d.entries, None) {
            Some((i, _)) => i,
            None => super::insert_replacing(&mut d.entries, Entry::new(key, &fp)),
        };
        let entry = &mut d.entries[idx];
        entry.adopt_key(&fp);
        change(&mut entry.tokens);
        entry.touch();
        let updated = entry.tokens.clone();
        self.write(Some(&fp), d.entries)?;
        Ok(updated)
    }

    /// Remove the entry `key` selects (durably).
    pub fn remove(&self, key: &StoreKey) -> Result<bool, GrantError> {
        let mut d = self.store.read()?;
        let fp = match &d.key {
            Some(k) => k.clone(),
            None => FingerprintKey::generate()?,
        };
        let Some((i, _)) = select(key, &fp, &d.entries, None) else {
            return Ok(false);
        };
        d.entries.remove(i);
        self.write(d.key.as_ref(), d.entries)?;
        Ok(true)
    }

    /// The entries of one partition, as they are now.
    pub fn partition(&self, partition: &Partition) -> Result<Vec<Entry>, GrantError> {
        let d = self.store.read()?;
        Ok(d.entries
            .into_iter()
            .filter(|e| e.partition == *partition)
            .collect())
    }

    /// Replace the entries of one partition.
    pub fn replace_partition(
        &self,
        partition: &Partition,
        entries: Vec<Entry>,
    ) -> Result<(), GrantError> {
        let key = self.fingerprint_key()?;
        let d = self.store.read()?;
        let mut all: Vec<Entry> = d
            .entries
            .into_iter()
            .filter(|e| e.partition != *partition)
            .collect();
        all.extend(entries.into_iter().filter(|e| e.partition == *partition));
        self.write(Some(&key), all)
    }

    /// Replace the file, first removing temp files that a writer killed
    /// mid-write left behind (full copies of the tokens). Safe only here:
    /// holding the lock, no other writer of this store is mid-write.
    fn write(&self, key: Option<&FingerprintKey>, entries: Vec<Entry>) -> Result<(), GrantError> {
        remove_orphaned_temp_files(&self.store.path);
        let started = Instant::now();
        let bytes = format::encode(key, &entries);
        write_atomically(&self.store.path, &bytes)?;
        tracing::debug!(
            store = %self.store.path.display(),
            entries = entries.len(),
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

/// [`TokenStore`] as a [`StoreBackend`]: one lock for the whole file.
impl StoreBackend for TokenStore {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn read<'a>(&'a self, partition: &'a Partition) -> BoxFuture<'a, Result<Snapshot, GrantError>> {
        Box::pin(async move {
            let d = TokenStore::read(self)?;
            Ok(Snapshot {
                key: d.key,
                entries: d
                    .entries
                    .into_iter()
                    .filter(|e| e.partition == *partition)
                    .collect(),
            })
        })
    }

    fn lock<'a>(
        &'a self,
        partition: &'a Partition,
    ) -> BoxFuture<'a, Result<Box<dyn BackendLock + 'a>, GrantError>> {
        Box::pin(async move {
            let lock = TokenStore::lock(self).await?;
            Ok(Box::new(FileLock { lock, partition }) as Box<dyn BackendLock + 'a>)
        })
    }
}

struct FileLock<'a> {
    lock: StoreLock<'a>,
    partition: &'a Partition,
}

impl BackendLock for FileLock<'_> {
    fn fingerprint_key(&mut self) -> BoxFuture<'_, Result<FingerprintKey, GrantError>> {
        Box::pin(async move { self.lock.fingerprint_key() })
    }

    fn read(&mut self) -> BoxFuture<'_, Result<Vec<Entry>, GrantError>> {
        Box::pin(async move { self.lock.partition(self.partition) })
    }

    fn write(&mut self, entries: Vec<Entry>) -> BoxFuture<'_, Result<(), GrantError>> {
        Box::pin(async move { self.lock.replace_partition(self.partition, entries) })
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
    use crate::secret::Secret;
    use std::time::SystemTime;

    fn key() -> StoreKey {
        StoreKey::new(
            &url::Url::parse("https://as.example/token").unwrap(),
            "app",
            Some("alice"),
            Some("ignored"),
        )
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
