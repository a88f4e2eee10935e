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
}
