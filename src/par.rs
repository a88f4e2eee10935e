//! A small parallel map for the large inputs of `connstr check` (an odbc.ini
//! with thousands of data sources), on scoped std threads: no thread pool to
//! configure or keep alive, and nothing at all for small inputs.

/// Items per thread below which [`par_chunks`] stays on one thread.
pub(crate) const ITEMS_PER_THREAD: usize = 512;

/// `items.iter().map(f).collect()`, on several threads when there are at
/// least `min_per_thread` items per thread (each thread maps a contiguous
/// chunk, so the order is kept). Items must be independent of each other,
/// as the data sources of an odbc.ini are. A thread that cannot be started
/// leaves its chunk to the calling thread, and a panic in `f` propagates.
pub(crate) fn par_map_min<T: Sync, R: Send>(
    items: &[T],
    min_per_thread: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len() / min_per_thread.max(1))
        .max(1);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let mut chunks = items.chunks(chunk);
        // The calling thread takes the first chunk itself.
        let first = chunks.next().unwrap_or(&[]);
        let spawned: Vec<_> = chunks
            .map(|c| {
                let job = std::thread::Builder::new()
                    .spawn_scoped(scope, move || c.iter().map(f).collect::<Vec<R>>());
                (c, job)
            })
            .collect();
        let mut out: Vec<R> = Vec::with_capacity(items.len());
        out.extend(first.iter().map(f));
        for (c, job) in spawned {
            match job {
                Ok(handle) => match handle.join() {
                    Ok(part) => out.extend(part),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                Err(_) => out.extend(c.iter().map(f)),
            }
        }
        out
    })
}

/// `f` over `items` cut into blocks of `block` items, in order, on several
/// threads when there are at least [`ITEMS_PER_THREAD`] items per thread;
/// and `extra` once, on the calling thread, while the other threads start
/// on the blocks. Blocks are handed out one at a time to whichever thread is
/// free (a thread that was slowed down, or that ran `extra`, simply takes
/// fewer), so no thread waits for another at the end. A thread that cannot
/// be started leaves its blocks to the others, and a panic propagates.
pub(crate) fn par_blocks<T: Sync, R: Send, E>(
    items: &[T],
    block: usize,
    f: impl Fn(&[T]) -> R + Sync,
    extra: impl FnOnce() -> E,
) -> (Vec<R>, E) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let blocks: Vec<&[T]> = items.chunks(block.max(1)).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len() / ITEMS_PER_THREAD)
        .max(1);
    if threads == 1 {
        let e = extra();
        return (blocks.into_iter().map(f).collect(), e);
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(b) = blocks.get(i) else { break };
            done.push((i, f(b)));
        }
        done
    };
    std::thread::scope(|scope| {
        let work = &work;
        let spawned: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        let e = extra();
        let mut done = work();
        for handle in spawned {
            match handle.join() {
                Ok(part) => done.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done.sort_unstable_by_key(|(i, _)| *i);
        (done.into_iter().map(|(_, r)| r).collect(), e)
    })
}

/// `f` over `items` cut into one contiguous chunk per thread (a single
/// chunk for fewer than [`ITEMS_PER_THREAD`] items per thread): one result per chunk, in order. For
/// work whose results are better gathered per chunk than per item.
pub(crate) fn par_chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len() / ITEMS_PER_THREAD)
        .max(1);
    let chunks: Vec<&[T]> = items.chunks(items.len().div_ceil(threads).max(1)).collect();
    par_map_min(&chunks, 1, |c| f(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_map_keeps_the_order() {
        for n in [0, 1, ITEMS_PER_THREAD - 1, ITEMS_PER_THREAD * 2 + 7, 10_000] {
            let items: Vec<usize> = (0..n).collect();
            let got = par_map_min(&items, ITEMS_PER_THREAD, |i| i * 3);
            assert_eq!(got, items.iter().map(|i| i * 3).collect::<Vec<_>>(), "{n}");
            let chunks = par_chunks(&items, |c| c.iter().map(|i| i * 3).collect::<Vec<_>>());
            assert!(chunks.len() <= n.max(1), "{n}");
            assert_eq!(chunks.concat(), got, "{n}");
        }
    }

    #[test]
    fn par_blocks_keeps_the_order_and_runs_extra_once() {
        for n in [0, 1, ITEMS_PER_THREAD * 2 + 7, 10_000] {
            let items: Vec<usize> = (0..n).collect();
            let mut extra = 0;
            let (got, e) = par_blocks(
                &items,
                100,
                |b| b.iter().sum::<usize>(),
                || {
                    extra += 1;
                    "x"
                },
            );
            assert_eq!((extra, e), (1, "x"));
            let want: Vec<usize> = items.chunks(100).map(|b| b.iter().sum()).collect();
            assert_eq!(got, want, "{n}");
        }
    }
}
