//! `connstr check` on a large odbc.ini: ~10 MB, ~30,000 DSNs, every DSN parsed,
//! resolved and validated (the work `connstr check FILE` does between reading
//! the file and rendering: `Retain::Diagnostics`, as the CLI), the report
//! dropped inside the timing. Loading the text into `Sources` (a copy and its
//! line index) and freeing it are the caller's, outside it. The same with `Retain::Everything`
//! (what `explain` and embedders keep) is measured beside it. Throughput is
//! reported in bytes per second; the target is ≥ 200 MB/s.
//!
//! Run: `cargo bench --bench check` (`CONNSTR_BENCH_MB=1` for the small size only;
//! `CONNSTR_BENCH_INI=FILE` also checks that file, e.g. the mixed-driver one
//! `scripts/bench/gen_odbc_ini.py` writes).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use criterion::BatchSize;

use connstr::diagnostic::{SourceId, Sources};
use connstr::plan::{Checker, Retain};

/// A generated odbc.ini of about `target` bytes: a mix of every common method,
/// with the occasional typo, duplicate, GET token endpoint and missing option
/// so that diagnostics are produced too.
fn generate(target: usize) -> (String, usize) {
    let mut s = String::with_capacity(target + 1024);
    s.push_str("[ODBC]\nTrace=no\n\n[ODBC Data Sources]\n");
    let mut n = 0usize;
    while s.len() < target {
        n += 1;
        s.push_str(&format!("\n# data source {n}\n[dsn{n:05}]\n"));
        s.push_str("Driver=/opt/datadirect/lib/ivautorest28.so\n");
        s.push_str(&format!("Description=Generated data source number {n}\n"));
        match n % 6 {
            0 => {
                s.push_str("AuthenticationMethod=OAuth2-RefreshToken\n");
                s.push_str(&format!(
                    "ClientID={n}-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com\n"
                ));
                s.push_str("ClientSecret=FaZBFRsGXTaR\n");
                s.push_str("RefreshToken=1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh\n");
                s.push_str("TokenURI=POST https://accounts.google.com/o/oauth2/token\n");
                s.push_str("Scope=https://www.googleapis.com/auth/analytics.readonly\n");
            }
            1 => {
                s.push_str("AuthenticationMethod=OAuth2-ClientCredentials\n");
                s.push_str(&format!("ClientID=batch-job-{n}\n"));
                s.push_str("ClientSecert=cl1ent-Cred-S3cret\n"); // typo: unknown-key
                s.push_str("TokenURI=https://login.example.com/oauth2/token\n"); // GET
                s.push_str("ClientCredentialsMode=Post\n");
            }
            2 => {
                s.push_str("AuthenticationMethod=Basic\nUser=ann\nPassword=b4sicPassw0rd\n");
                s.push_str("HostName=https://api.example.com\n");
            }
            3 => {
                s.push_str("AuthenticationMethod=OAuth2\nClientID=legacy\n");
                s.push_str("ClientSecret=l3gacy-S3cret\nRefreshToken=rt-0123456789abcdef\n");
                s.push_str("TokenURI=POST https://login.example.com/oauth2/token\n");
                s.push_str("ClientID=legacy-again\n"); // duplicate-key
            }
            4 => {
                s.push_str("AuthenticationMethod=HttpHeader\nAuthHeader=X-Api-Key\n");
                s.push_str("SecurityToken=h34der-T0ken-Value-0123456789\n");
            }
            _ => {
                s.push_str("AuthenticationMethod=OAuth2-AuthorizationCode\nClientID=app\n");
                s.push_str("TokenURI=POST https://login.example.com/oauth2/token\n");
                // RedirectURI missing: missing-required
                s.push_str("Scope=openid offline_access\n");
            }
        }
        s.push_str(&format!("RESTConfigFile=/etc/connstr/dsn{n}.rest\n"));
    }
    (s, n)
}

/// `text` loaded as `connstr check FILE` loads it.
fn load(text: &str) -> (Sources, SourceId) {
    let mut sources = Sources::default();
    let id = sources.add("odbc.ini", None, text.to_owned());
    (sources, id)
}

/// Check a loaded odbc.ini as `connstr check FILE` does before rendering
/// (`Retain::Diagnostics`), or keeping every plan.
fn check(sources: &mut Sources, id: SourceId, retain: Retain) -> connstr::plan::Report {
    Checker::without_odbc_ini()
        .file_mode(id, 0o600)
        .retain(retain)
        .check(sources, &[id])
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    // 1 MB shows how throughput scales; 10 MB is the target size.
    // `CONNSTR_BENCH_MB=1` runs one size only.
    let sizes: Vec<usize> = std::env::var("CONNSTR_BENCH_MB")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 10]);
    for mb in sizes {
        let (text, dsns) = generate(mb * 1024 * 1024);
        let (mut sources, id) = load(&text);
        let report = check(&mut sources, id, Retain::Everything);
        // Sanity: every DSN is a target, and the seeded mistakes are found.
        assert_eq!(report.targets.len(), dsns);
        for lint in [
            "unknown-key",
            "token-uri-get",
            "duplicate-key",
            "missing-required",
        ] {
            assert!(report.all_diagnostics().any(|d| d.lint == lint), "{lint}");
        }
        eprintln!(
            "{mb} MB odbc.ini: {} bytes, {dsns} DSNs, {} diagnostics, {} plans",
            text.len(),
            report.all_diagnostics().count(),
            report.targets.iter().filter(|t| t.plan.is_some()).count()
        );
        drop(report);
        group.throughput(Throughput::Bytes(text.len() as u64));
        for (retain, what) in [
            (Retain::Diagnostics, "check (diagnostics kept)"),
            (Retain::Everything, "explain (plans kept)"),
        ] {
            group.bench_function(
                format!("{mb}MB odbc.ini: parse + resolve + validate every DSN, {what}"),
                |b| {
                    b.iter_batched(
                        || load(&text),
                        |(mut sources, id)| {
                            let report = check(black_box(&mut sources), id, retain);
                            black_box(report.targets.len() + report.all_diagnostics().count());
                            // The report is freed in the timing; the input
                            // (the caller's) after it.
                            drop(report);
                            sources
                        },
                        BatchSize::PerIteration,
                    )
                },
            );
        }
    }
    // A real-shaped mixed-driver file (scripts/bench/gen_odbc_ini.py: eight
    // drivers, the 25,000-line [ODBC Data Sources] list), when given.
    if let Ok(path) = std::env::var("CONNSTR_BENCH_INI") {
        let text = std::fs::read_to_string(&path).expect("CONNSTR_BENCH_INI names a readable file");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("mixed-driver odbc.ini (CONNSTR_BENCH_INI), check", |b| {
            b.iter_batched(
                || load(&text),
                |(mut sources, id)| {
                    let report = check(black_box(&mut sources), id, Retain::Diagnostics);
                    black_box(report.targets.len() + report.all_diagnostics().count());
                    drop(report);
                    sources
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
/// The allocator of the `connstr` binary (feature `mimalloc`, on by default);
/// `--no-default-features` measures with the system allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
