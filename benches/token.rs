//! Token cache benchmarks: the hot path a connector takes on every request.
//!
//! * `cached/1-thread`: [`TokenSource::cached`] (read lock, expiry check, `Arc` clone).
//! * `cached/2-threads`: the same from two threads at once on one source; the
//!   time is wall time per read per thread.
//! * `token/1-thread`: the async [`TokenSource::token`] when the token is fresh
//!   (polled once: it completes without waiting).
//!
//! Run: `cargo bench --bench token -- --warm-up-time 1 --measurement-time 3`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use base64::Engine as _;
use connstr::Secret;
use connstr::grant::{SourceOptions, StoreChoice, TokenSource};
use connstr::plan::{Grant, OAuth2Plan};
use criterion::{Criterion, criterion_group, criterion_main};

/// A source holding a JWT access token that expires in 2100, so every read
/// checks the expiry.
fn source() -> TokenSource {
    let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let jwt = format!(
        "{}.{}.sig",
        b(r#"{"alg":"none"}"#),
        b(r#"{"exp":4102444800}"#)
    );
    let plan = OAuth2Plan {
        grant: Grant::AccessToken {
            access_token: Secret::new(jwt),
            refresh: None,
        },
        chosen_because: None,
        scope: vec![],
        extra_header: None,
    };
    let s = TokenSource::from_oauth2(
        &plan,
        None,
        None,
        SourceOptions {
            store: StoreChoice::Memory,
            ..SourceOptions::default()
        },
    )
    .expect("an access token plan needs no I/O");
    assert!(s.cached().expect("fresh").expires_at.is_some());
    s
}

fn bench(c: &mut Criterion) {
    let s = source();
    let mut g = c.benchmark_group("cached");
    g.bench_function("1-thread", |b| b.iter(|| black_box(s.cached())));
    g.bench_function("2-threads", |b| {
        b.iter_custom(|iters| {
            let barrier = Arc::new(Barrier::new(2));
            let other = {
                let s = s.clone();
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    for _ in 0..iters {
                        black_box(s.cached());
                    }
                })
            };
            barrier.wait();
            let start = Instant::now();
            for _ in 0..iters {
                black_box(s.cached());
            }
            let mine = start.elapsed();
            other.join().expect("reader thread");
            let all = start.elapsed();
            // Wall time until both threads finished their `iters` reads.
            all.max(mine)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("token");
    g.bench_function("1-thread", |b| {
        let mut cx = Context::from_waker(Waker::noop());
        b.iter(|| {
            let mut fut = pin!(s.token());
            match fut.as_mut().poll(&mut cx) {
                Poll::Ready(t) => black_box(t.is_ok()),
                Poll::Pending => panic!("a fresh token must not wait"),
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
