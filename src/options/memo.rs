//! Per-thread memos of answers about option keys.
//!
//! A real odbc.ini repeats the same few dozen keys in thousands of data
//! sources, and some answers about a key cost far more than looking them up
//! again: the did-you-mean (string similarity against a whole table), whether
//! an unknown key looks secret. [`remember`] works such an answer out once per
//! thread, per table and per key as written (a file writes a key the same way
//! in every data source), and a repeat neither allocates nor folds case.

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
        Memo { tables: Vec::new() }
    }
}

/// A table holds at most this many keys: past it, it starts over (a file
/// with that many distinct unknown keys is not one a memo can help).
const CAP: usize = 4096;

/// Keys up to this long are case folded on the stack.
const SHORT: usize = 64;

/// The answer for `key` in `table`: remembered in `memo`, or worked out by
/// `compute` (given the key with its ASCII letters lowercased) and
/// remembered. `compute` must answer the same for keys that differ only in
/// ASCII case, so that a key written two ways gets one answer.
pub(crate) fn remember<V: Copy + 'static>(
    memo: &'static LocalKey<RefCell<Memo<V>>>,
    table: usize,
    key: &str,
    compute: impl FnOnce(&str) -> V,
) -> V {
    let hit = memo.with(|m| {
        let mut m = m.borrow_mut();
        let at = m.tables.iter().position(|(t, _)| *t == table)?;
        if at > 0 {
            m.tables.swap(0, at);
        }
        m.tables.first().and_then(|(_, t)| t.get(key)).copied()
    });
    if let Some(v) = hit {
        return v;
    }
    let v = with_lowercase(key, compute);
    memo.with(|m| {
        let mut m = m.borrow_mut();
        let t = match m.tables.iter().position(|(t, _)| *t == table) {
            Some(at) => &mut m.tables[at].1,
            None => {
                m.tables.push((table, HashMap::default()));
                match m.tables.last_mut() {
                    Some((_, t)) => t,
                    None => return,
                }
            }
        };
        if t.len() >= CAP {
            t.clear();
        }
        t.insert(key.into(), v);
    });
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

    #[test]
    fn an_answer_is_worked_out_once_per_table_and_spelling() {
        let calls = Cell::new(0);
        let len = |w: &str| {
            calls.set(calls.get() + 1);
            w.len()
        };
        assert_eq!(remember(&LEN, 1, "Database", len), 8);
        assert_eq!(remember(&LEN, 1, "Database", len), 8);
        assert_eq!(calls.get(), 1);
        // Another spelling is worked out again, with the same answer.
        assert_eq!(remember(&LEN, 1, "DATABASE", len), 8);
        assert_eq!(calls.get(), 2);
        assert_eq!(remember(&LEN, 2, "Database", len), 8);
        assert_eq!(calls.get(), 3);
        // Back to the first table (now behind the second).
        assert_eq!(remember(&LEN, 1, "DATABASE", len), 8);
        assert_eq!(calls.get(), 3);
        let long = "k".repeat(SHORT + 10);
        assert_eq!(remember(&LEN, 1, &long, len), SHORT + 10);
        assert_eq!(remember(&LEN, 1, &long, len), SHORT + 10);
        assert_eq!(calls.get(), 4);
    }

    #[test]
    fn compute_sees_the_folded_key() {
        thread_local! {
            static SEEN: RefCell<Memo<bool>> = RefCell::new(Memo::default());
        }
        assert!(remember(&SEEN, 0, "ÀbC", |w| w == "Àbc"));
    }
}
