//! Resource bounds: the largest input, the longest line and the most entries
//! connstr accepts, each refused with a clear error (naming the limit and the
//! size found, never echoing content) and with bounded memory: the check
//! allocates nothing, and the parsers' peak memory on inputs at the bounds is
//! a small multiple of the input (measured with a counting allocator).

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use connstr::syntax::{
    LimitError, Limits, check_limits, parse_connection_string, parse_ini, parse_jdbc_url,
};

// ------------------------------------------------------------ allocation meter

/// The system allocator, counting live bytes and their peak.
struct Meter;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Meter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static GLOBAL: Meter = Meter;

/// Every test in this file holds it: the meter is process-wide, so nothing
/// else may allocate while a test measures.
static MEASURE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// (allocations made, peak bytes above the starting point) while `f` runs.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let allocs = ALLOCATIONS.load(Ordering::SeqCst);
    let out = f();
    let peak = PEAK.load(Ordering::SeqCst).saturating_sub(base);
    (out, ALLOCATIONS.load(Ordering::SeqCst) - allocs, peak)
}

// ------------------------------------------------------------ the library check

#[test]
fn each_default_limit_is_enforced_at_its_edge() {
    let _g = MEASURE.lock().unwrap_or_else(|e| e.into_inner());
    let d = Limits::default();
    assert_eq!(
        (d.max_input_bytes, d.max_line_bytes, d.max_entries),
        (64 << 20, 1 << 20, 1_000_000)
    );

    // Input size: exactly the limit passes, one byte more fails. Lines of
    // 1 KiB keep the other limits out of the way.
    let line = format!("{}\n", "x".repeat(1023));
    let at_limit = line.repeat(d.max_input_bytes / line.len());
    assert_eq!(at_limit.len(), d.max_input_bytes);
    let (r, allocs, _) = measure(|| check_limits(&at_limit, &d));
    assert_eq!(r, Ok(()));
    assert_eq!(allocs, 0, "check_limits allocated");
    let mut over = at_limit;
    over.push('x');
    let e = check_limits(&over, &d).unwrap_err();
    assert_eq!(
        e,
        LimitError::InputTooLarge {
            size: (64 << 20) + 1,
            limit: 64 << 20
        }
    );
    assert_eq!(
        e.to_string(),
        "the input is 67108865 bytes, over the limit of 67108864 bytes (max_input_bytes)"
    );
    drop(over);

    // Line length: the third line is one byte too long.
    let long = format!("[dsn]\nA=1\nPassword={}\nB=2\n", "p".repeat((1 << 20) - 8));
    let e = check_limits(&long, &d).unwrap_err();
    assert_eq!(
        e,
        LimitError::LineTooLong {
            line: 3,
            length: (1 << 20) + 1,
            limit: 1 << 20
        }
    );
    assert_eq!(
        e.to_string(),
        "line 3 is 1048577 bytes long, over the limit of 1048576 bytes (max_line_bytes)"
    );
    let fits = format!("[dsn]\nPassword={}\n", "p".repeat((1 << 20) - 9));
    assert_eq!(check_limits(&fits, &d), Ok(()));

    // Entries: 1,000,000 pass, 1,000,001 fail (in short lines).
    let mut many = String::with_capacity(5_000_000);
    for i in 0..1_000_000u32 {
        many.push_str(if i % 100 == 99 { "a=1\n" } else { "a=1;" });
    }
    many.pop();
    assert_eq!(check_limits(&many, &d), Ok(()));
    many.push_str(";b=2");
    let e = check_limits(&many, &d).unwrap_err();
    assert_eq!(
        e,
        LimitError::TooManyEntries {
            count: 1_000_001,
            limit: 1_000_000
        }
    );
    assert_eq!(
        e.to_string(),
        "the input has at least 1000001 entries, over the limit of 1000000 (max_entries)"
    );
}

#[test]
fn errors_never_echo_content() {
    let _g = MEASURE.lock().unwrap_or_else(|e| e.into_inner());
    let secret = "ClientSecret=Cs-limit-SECRET-4711";
    let tight = Limits {
        max_input_bytes: 16,
        max_line_bytes: 8,
        max_entries: 1,
    };
    for limits in [
        tight,
        Limits {
            max_input_bytes: 1 << 20,
            ..tight
        },
        Limits {
            max_input_bytes: 1 << 20,
            max_line_bytes: 1 << 20,
            ..tight
        },
    ] {
        let text = format!("{secret};{secret}\n{secret}");
        let e = check_limits(&text, &limits).unwrap_err();
        for shown in [e.to_string(), format!("{e:?}")] {
            assert!(!shown.contains("SECRET"), "{shown}");
            assert!(!shown.contains("ClientSecret"), "{shown}");
        }
    }
}

/// The parsers' peak memory is at most this many bytes per entry that
/// `max_entries` counts (each `;` and line break), whatever the text: the
/// node vector is reserved from a count of separators, braced or not.
const PER_COUNTED_ENTRY: usize = 320;
const SLACK: usize = 64 * 1024;

/// Parse a text, return how many entries came out.
type Parser = fn(&str) -> usize;

/// Peak memory of each parser on inputs at the bounds: linear in what
/// `max_entries` counts, never in anything unbounded. At the default limits
/// (1,000,000 entries) that is at most ~305 MiB on top of the input.
#[test]
fn parser_memory_is_bounded_by_the_entry_count() {
    let _g = MEASURE.lock().unwrap_or_else(|e| e.into_inner());
    let d = Limits::default();
    // 1 MiB line (the line limit), 50,000 short entries, and a mix.
    let long_value = format!("Password={}", "p".repeat((1 << 20) - 9));
    let many_conn = "Key=Value;".repeat(50_000);
    let mut many_ini = String::from("[dsn]\n");
    for i in 0..50_000 {
        many_ini.push_str(&format!("Key{i}=Value\n"));
    }
    let jdbc = format!("jdbc:datadirect:autorest:{}", "Key=Value;".repeat(50_000));
    let braced = format!("ClientSecret={{{}}}", "a;b}}".repeat(200_000));
    let braced_escapes = format!("ClientSecret={{{}}}", "ab}}".repeat(250_000));
    let braced_semis = format!("ClientSecret={{{}}}", "a;b".repeat(333_333));
    let cases: [(&str, &str, Parser); 8] = [
        ("conn, one 1 MiB value", &long_value, |t| {
            parse_connection_string(t).entries().count()
        }),
        ("conn, 50,000 entries", &many_conn, |t| {
            parse_connection_string(t).entries().count()
        }),
        ("conn, 1 MiB braced value", &braced, |t| {
            parse_connection_string(t).entries().count()
        }),
        (
            "conn, 1 MiB braced value, only `}}`",
            &braced_escapes,
            |t| parse_connection_string(t).entries().count(),
        ),
        ("conn, 1 MiB braced value, only `;`", &braced_semis, |t| {
            parse_connection_string(t).entries().count()
        }),
        (
            "ini, one 1 MiB line",
            &format!("[dsn]\n{long_value}\n"),
            |t| parse_ini(t).entries().count(),
        ),
        ("ini, 50,000 entries", &many_ini, |t| {
            parse_ini(t).entries().count()
        }),
        ("jdbc, 50,000 entries", &jdbc, |t| {
            parse_jdbc_url(t).entries().count()
        }),
    ];
    let mut report = String::new();
    let mut over = Vec::new();
    for (name, text, parse) in cases {
        assert_eq!(check_limits(text, &d), Ok(()), "{name}");
        let (entries, _, peak) = measure(|| parse(text));
        assert!(entries > 0, "{name}");
        let ratio = peak as f64 / text.len() as f64;
        // What max_entries counts: `;` and line breaks, plus one.
        let counted = text.bytes().filter(|b| *b == b';' || *b == b'\n').count() + 1;
        let per = peak / counted;
        report.push_str(&format!(
            "{name}: input {} bytes, {counted} counted entries ({entries} parsed), parser peak \
             {peak} bytes = {ratio:.1}x input = {per} bytes per counted entry\n",
            text.len(),
        ));
        if peak > PER_COUNTED_ENTRY * counted + SLACK {
            over.push(name);
        }
    }
    println!("{report}");
    assert!(
        over.is_empty(),
        "peak over {PER_COUNTED_ENTRY} bytes per counted entry: {over:?}\n{report}"
    );
}

// ------------------------------------------------------------ the CLI

const BIN: &str = env!("CARGO_BIN_EXE_connstr");

fn connstr(args: &[&str], dir: &std::path::Path, stdin: Option<&[u8]>) -> (i32, String, String) {
    use std::io::Write as _;
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("ODBCINI")
        .env_remove("ODBCSYSINI")
        .env("HOME", dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        let mut i = child.stdin.take().unwrap();
        let _ = i.write_all(bytes);
    }
    let o = child.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `connstr parse` reads through the same bounded reader as every other command.
#[test]
fn parse_refuses_inputs_over_the_limits() {
    let _g = MEASURE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let text = format!("[dsn]\nDescription={}\n", "d".repeat(1 << 20));
    std::fs::write(dir.path().join("long.ini"), &text).unwrap();
    let (code, _, err) = connstr(&["parse", "long.ini"], dir.path(), None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("(max_line_bytes)"), "{err}");
}

/// Every input-taking command refuses an input over a limit: exit 2, the
/// limit named, nothing of the content shown.
#[test]
fn the_cli_refuses_inputs_over_the_limits() {
    let _g = MEASURE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let secret = "Cs-limit-SECRET-0815";
    let long_line = format!(
        "[dsn]\nClientSecret={secret}\nDescription={}\n",
        "d".repeat(1 << 20)
    );
    let mut many = format!("ClientSecret={secret}");
    many.push_str(&";a=1".repeat(1_000_000));
    std::fs::write(dir.path().join("long.ini"), &long_line).unwrap();
    std::fs::write(dir.path().join("many.txt"), &many).unwrap();
    let cases: [(&str, &str); 2] = [
        (
            "long.ini",
            "line 3 is 1048588 bytes long, over the limit of 1048576 bytes",
        ),
        ("many.txt", "over the limit of 1000000 (max_entries)"),
    ];
    for (file, want) in cases {
        for cmd in [
            &["check"][..],
            &["explain"],
            &["redact"],
            &["token", "--token-store", "t.json"],
        ] {
            let mut args = cmd.to_vec();
            args.push(file);
            let (code, out, err) = connstr(&args, dir.path(), None);
            assert_eq!(code, 2, "{args:?}:\n{out}\n{err}");
            assert!(err.contains(want), "{args:?}: {err}");
            assert!(
                err.contains(file),
                "{args:?} does not name the input: {err}"
            );
            assert!(
                !out.contains("SECRET") && !err.contains("SECRET"),
                "{args:?}: {out}{err}"
            );
        }
    }
    // Standard input, over the size limit.
    let huge = vec![b'x'; (64 << 20) + 1];
    let (code, _, err) = connstr(&["check", "-"], dir.path(), Some(&huge));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("over the limit of 67108864 bytes (max_input_bytes)"),
        "{err}"
    );
}
