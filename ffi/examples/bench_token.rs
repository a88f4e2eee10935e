//! `connstr_source_token` on a cached token, called through the C ABI
//! (libconnstr.so loaded with dlopen, as a C driver links it), against the
//! Rust `TokenSource` on the same configuration, in the same process and run:
//! 1 thread and 8 threads sharing one source. Prints ns per call.
//!
//! Run: `cargo run --release -p connstr-ffi --example bench_token`
//! (figures in docs/performance.md).

use std::ffi::{CString, c_char, c_int, c_void};
use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use base64::Engine as _;
use connstr_core::grant::{SourceOptions, StoreChoice, TokenSource};
use connstr_core::plan::check_text;

type New = unsafe extern "C" fn(*const c_char, *mut *mut c_void, *mut *mut c_char) -> c_int;
type Token =
    unsafe extern "C" fn(*mut c_void, *mut *mut c_char, *mut i64, *mut *mut c_char) -> c_int;
type Free = unsafe extern "C" fn(*mut c_char);

const CALLS: u64 = 1_000_000;

/// Wall time per call per thread of `f` run `CALLS` times on each of `threads` threads.
fn per_call(threads: usize, f: impl Fn() + Sync + Send + Clone + 'static) -> Duration {
    let barrier = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (b, f) = (Arc::clone(&barrier), f.clone());
            std::thread::spawn(move || {
                b.wait();
                for _ in 0..CALLS {
                    f();
                }
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for h in handles {
        h.join().expect("bench thread");
    }
    start.elapsed() / u32::try_from(CALLS).expect("fits")
}

fn main() {
    let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let jwt = format!(
        "{}.{}.sig",
        b(r#"{"alg":"none"}"#),
        b(r#"{"exp":4102444800}"#)
    );
    let conn = format!("AuthenticationMethod=OAuth2-AccessToken;AccessToken={{{jwt}}}");

    // Rust: TokenSource::token().await on a fresh token, from a current-thread
    // runtime per thread (what an async connector does per request).
    let (_, report) = check_text("<bench>", &conn);
    let plan = report.targets[0].plan.clone().expect("a valid plan");
    let options = SourceOptions {
        store: StoreChoice::Memory,
        ..SourceOptions::default()
    };
    let source = TokenSource::new(&plan, options).expect("source");

    // C: the library this example's package builds, next to target/<profile>/examples/.
    let exe = std::env::current_exe().expect("exe");
    let lib_path = exe
        .parent()
        .and_then(|p| p.parent())
        .expect("profile dir")
        .join("libconnstr.so");
    // SAFETY: our own library; its initialisers only set up Rust statics.
    let lib = unsafe { libloading::Library::new(&lib_path) }
        .unwrap_or_else(|e| panic!("load {}: {e}", lib_path.display()));
    // SAFETY: the signatures are include/connstr.h's.
    let (new, token, free) = unsafe {
        (
            *lib.get::<New>(b"connstr_source_new\0").expect("symbol"),
            *lib.get::<Token>(b"connstr_source_token\0").expect("symbol"),
            *lib.get::<Free>(b"connstr_string_free\0").expect("symbol"),
        )
    };
    let c_conn = CString::new(conn).expect("no NUL");
    let mut handle: *mut c_void = std::ptr::null_mut();
    // SAFETY: valid string and out pointer.
    let rc = unsafe { new(c_conn.as_ptr(), &mut handle, std::ptr::null_mut()) };
    assert_eq!(rc, 0);
    let handle = handle as usize; // shared between threads, as the header allows

    println!("ns per call (wall time per call per thread), {CALLS} calls per thread");
    for threads in [1, 8] {
        let rust = {
            let s = source.clone();
            per_call(threads, move || {
                thread_local! {
                    static RT: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
                        .build().expect("runtime");
                }
                RT.with(|rt| black_box(rt.block_on(s.token()).expect("token")));
            })
        };
        let rust_cached = {
            let s = source.clone();
            per_call(threads, move || {
                black_box(s.cached().expect("fresh"));
            })
        };
        let c = per_call(threads, move || {
            let mut t: *mut c_char = std::ptr::null_mut();
            let mut exp = 0i64;
            // SAFETY: a live source, valid out pointers; the string is freed once.
            unsafe {
                let rc = token(
                    handle as *mut c_void,
                    &mut t,
                    &mut exp,
                    std::ptr::null_mut(),
                );
                assert_eq!(rc, 0);
                free(black_box(t));
            }
        });
        println!(
            "threads={threads}: connstr_source_token {:>6} ns | Rust TokenSource::token {:>6} ns | TokenSource::cached {:>6} ns",
            c.as_nanos(),
            rust.as_nanos(),
            rust_cached.as_nanos()
        );
    }
}
