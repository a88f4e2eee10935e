//! Memos of answers about option keys.
//!
//! A real odbc.ini repeats the same few dozen keys in thousands of data
//! sources, and some answers about a key cost far more than looking them up
//! again: the did-you-mean (string similarity against a whole table), whether
//! an unknown key looks secret. [`remember`] works such an answer out once per
//! table and per key as written (a file writes a key the same way in every
//! data source). Answers are kept per thread (a repeat neither locks,
//! allocates nor folds case) and, behind those, for every thread of the
//! process ([`Shared`]): the threads that check a large file, and the next
//! run's threads in a program that checks again and again, do not each work
//! every answer out anew.

use std::cell::RefCell;
use std::collections::HashMap;
use std::thread::LocalKey;

type Fast = foldhash::fast::RandomState;

/// One table's answers, by key as written.
type Answers<V> = HashMap<Box<str>, V, Fast>;

/// Remembered answers: per table (any `usize` naming it, usually an
/// address), per key as written.
pub(crate) struct Memo<V> {
    /// A thread meets a handful of tables: searched in order, the last one
    /// used first.
    tables: Vec<(usize, Answers<V>)>,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo::new()
    }
}

impl<V> Memo<V> {
    /// No answers yet.
    pub(crate) const fn new() -> Self {
        Memo { tables: Vec::new() }
    }

    /// The answer for `key` in `table`, moving that table to the front.
    fn get(&mut self, table: usize, key: &str) -> Option<V>
    where
        V: Copy,
    {
        let at = self.tables.iter().position(|(t, _)| *t == table)?;
        if at > 0 {
            self.tables.swap(0, at);
        }
        self.tables.first().and_then(|(_, t)| t.get(key)).copied()
    }

    /// Remember `v` for `key` in `table`.
    fn put(&mut self, table: usize, key: &str, v: V) {
        let at = match self.tables.iter().position(|(t, _)| *t == table) {
            Some(at) => at,
            None => {
                self.tables.push((table, HashMap::default()));
                self.tables.len() - 1
            }
        };
        let Some((_, t)) = self.tables.get_mut(at) else {
            return;
        };
        if t.len() >= CAP {
            t.clear();
        }
        t.insert(key.into(), v);
    }
}

/// The answers of every thread, asked when a thread's own memo has none.
pub(crate) struct Shared<V>(std::sync::Mutex<Memo<V>>);

impl<V> Shared<V> {
    /// No answers yet (for a `static`).
    pub(crate) const fn new() -> Self {
        Shared(std::sync::Mutex::new(Memo::new()))
    }

    fn get(&self, table: usize, key: &str) -> Option<V>
    where
        V: Copy,
    {
        // A poisoned memo still holds good answers (each is put whole).
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(table, key)
    }

    fn put(&self, table: usize, key: &str, v: V) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(table, key, v);
    }
}

/// A table holds at most this many keys: past it, it starts over (a file
/// with that many distinct unknown keys is not one a memo can help).
const CAP: usize = 4096;

/// Keys up to this long are case folded on the stack.
const SHORT: usize = 64;

/// The answer for `key` in `table`: remembered in this thread's `memo`, or
/// in `shared` (then this thread's too), or worked out by `compute` (given
/// the key with its ASCII letters lowercased) and remembered in both.
/// `compute` must answer the same for keys that differ only in ASCII case,
/// so that a key written two ways gets one answer.
pub(crate) fn remember<V: Copy + 'static>(
    memo: &'static LocalKey<RefCell<Memo<V>>>,
    shared: &Shared<V>,
    table: usize,
    key: &str,
    compute: impl FnOnce(&str) -> V,
) -> V {
    if let Some(v) = memo.with(|m| m.borrow_mut().get(table, key)) {
        return v;
    }
    let v = match shared.get(table, key) {
        Some(v) => v,
        None => {
            let v = with_lowercase(key, compute);
            shared.put(table, key, v);
            v
        }
    };
    memo.with(|m| m.borrow_mut().put(table, key, v));
    v
}

/// `f` of `key` with its ASCII letters lowercased: on the stack for keys up
/// to [`SHORT`] bytes (no allocation), in a new `String` past that.
pub(crate) fn with_lowercase<R>(key: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; SHORT];
    match buf.get_mut(..key.len()).and_then(|room| {
        room.copy_from_slice(key.as_bytes());
        room.make_ascii_lowercase();
        std::str::from_utf8(room).ok()
    }) {
        Some(word) => f(word),
        None => f(&key.to_ascii_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static LEN: RefCell<Memo<usize>> = RefCell::new(Memo::default());
    }
    static LEN_SHARED: Shared<usize> = Shared::new();

    #[test]
    fn an_answer_is_worked_out_once_per_table_and_spelling() {
        let calls = Cell::new(0);
        let len = |w: &str| {
            calls.set(calls.get() + 1);
            w.len()
        };
        let memo = |table, key: &str| remember(&LEN, &LEN_SHARED, table, key, len);
        assert_eq!(memo(1, "Database"), 8);
        assert_eq!(memo(1, "Database"), 8);
        assert_eq!(calls.get(), 1);
        // Another spelling is worked out again, with the same answer.
        assert_eq!(memo(1, "DATABASE"), 8);
        assert_eq!(calls.get(), 2);
        assert_eq!(memo(2, "Database"), 8);
        assert_eq!(calls.get(), 3);
        // Back to the first table (now behind the second).
        assert_eq!(memo(1, "DATABASE"), 8);
        assert_eq!(calls.get(), 3);
        let long = "k".repeat(SHORT + 10);
        assert_eq!(memo(1, &long), SHORT + 10);
        assert_eq!(memo(1, &long), SHORT + 10);
        assert_eq!(calls.get(), 4);
    }

    #[test]
    fn another_thread_finds_the_answers_of_the_first() {
        thread_local! {
            static MINE: RefCell<Memo<usize>> = RefCell::new(Memo::default());
        }
        static ALL: Shared<usize> = Shared::new();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let len = |w: &str| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            w.len()
        };
        assert_eq!(remember(&MINE, &ALL, 7, "ClientSecert", len), 12);
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(remember(&MINE, &ALL, 7, "ClientSecert", len), 12));
        });
        assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    #[test]
    fn compute_sees_the_folded_key() {
        thread_local! {
            static SEEN: RefCell<Memo<bool>> = RefCell::new(Memo::default());
        }
        static SEEN_SHARED: Shared<bool> = Shared::new();
        assert!(remember(&SEEN, &SEEN_SHARED, 0, "ÀbC", |w| w == "Àbc"));
    }
}
