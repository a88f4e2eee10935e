//! Parse benchmarks.
//!
//! * `ini/connstr` and `ini/rust-ini`: a generated ~10 MB odbc.ini (25,000
//!   DataDirect DSNs of 10–15 keys, the `[ODBC Data Sources]` list, comments
//!   and blank lines), read by [`parse_ini`] (walking every entry so no work is
//!   skipped) and by the `rust-ini` crate, in the same group.
//! * `conn/connstr`: a realistic ~300-byte connection string.
//!
//! Run: `cargo bench --bench parse -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use connstr::syntax::{parse_connection_string, parse_ini};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Number of DSNs in the generated file.
const DSNS: usize = 25_000;

/// A small linear congruential generator (Knuth's MMIX constants): the file
/// is the same on every run and needs no `rand`.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// `len` characters from an alphabet that looks like tokens and ids.
    fn token(&mut self, out: &mut String, len: usize) {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for _ in 0..len {
            out.push(ALPHABET[self.below(ALPHABET.len())] as char);
        }
    }
}

const DRIVERS: &[&str] = &[
    "/opt/dd/lib/ivautorest28.so",
    "/opt/dd/lib/ddautorest28.so",
    "ODBCHOME/lib/ivautorestxx.so",
];
const HOSTS: &[&str] = &[
    "accounts.google.com",
    "login.example.com",
    "auth.example.com",
    "sso.example.net",
];
const SCOPES: &[&str] = &[
    "openid offline_access",
    "analytics.readonly",
    "read:tickets write:tickets",
    "api://sales/.default",
];
const METHODS: &[&str] = &["OAuth2", "OAuth2", "OAuth2", "BasicAuth", "None"];

/// Optional keys; each DSN gets a random selection so it has 10–15 keys.
const OPTIONAL: &[&str] = &[
    "ClientSecret",
    "RefreshToken",
    "TokenURI",
    "Scope",
    "RestConfigFile",
    "HostName",
    "PortNumber",
    "RestSamplePath",
    "LogonID",
    "Password",
    "AuthURI",
    "RedirectURI",
    "CreateMap",
    "LoginTimeout",
    "TransactionMode",
];

/// Generate the benchmark odbc.ini.
fn odbc_ini() -> String {
    let mut rng = Lcg(0x5eed_0dbc);
    let mut s = String::with_capacity(11 << 20);
    s.push_str("# odbc.ini generated for the connstr parse benchmark\n");
    s.push_str("; every DSN uses the DataDirect Autonomous REST connector\n\n");
    s.push_str("[ODBC Data Sources]\n");
    for i in 0..DSNS {
        s.push_str(&format!("rest{i:05}=DataDirect Autonomous REST\n"));
    }
    s.push_str("\n[ODBC]\nTrace=0\nTraceFile=/tmp/odbctrace.out\nInstallDir=/opt/Progress/DataDirect/ODBC_80_64bit\n\n");

    for i in 0..DSNS {
        if i % 8 == 0 {
            s.push_str(&format!("; --- team {} ---\n", i / 8));
        }
        s.push_str(&format!("[rest{i:05}]\n"));
        s.push_str("Driver=");
        s.push_str(rng.pick(DRIVERS));
        s.push('\n');
        s.push_str(&format!("Description=REST source {i}\n"));
        s.push_str("AuthenticationMethod=");
        s.push_str(rng.pick(METHODS));
        s.push('\n');
        s.push_str("ClientID=");
        rng.token(&mut s, 8);
        s.push('-');
        rng.token(&mut s, 16);
        s.push_str(".apps.example.com\n");

        // 6 to 11 optional keys, in file order: 10 to 15 keys in all.
        let want = 6 + rng.below(6);
        let mut chosen = [false; OPTIONAL.len()];
        let mut n = 0;
        while n < want {
            let k = rng.below(OPTIONAL.len());
            if !chosen[k] {
                chosen[k] = true;
                n += 1;
            }
        }
        let host = rng.pick(HOSTS);
        for (k, key) in OPTIONAL.iter().enumerate().filter(|(k, _)| chosen[*k]) {
            if rng.below(10) == 0 {
                s.push_str("  "); // some hand-indented lines
            }
            s.push_str(key);
            s.push_str(if k % 3 == 0 { " = " } else { "=" });
            match *key {
                "ClientSecret" | "Password" => rng.token(&mut s, 16),
                "RefreshToken" => {
                    s.push_str("1//");
                    rng.token(&mut s, 32);
                }
                "TokenURI" => s.push_str(&format!("POST https://{host}/token")),
                "AuthURI" => s.push_str(&format!("https://{host}/auth")),
                "RedirectURI" => s.push_str("http://localhost:8080/callback"),
                "Scope" => s.push_str(rng.pick(SCOPES)),
                "RestConfigFile" => s.push_str(&format!("/etc/dd/rest/api{}.rest", i % 97)),
                "HostName" => s.push_str(host),
                "PortNumber" => s.push_str("443"),
                "RestSamplePath" => s.push_str(&format!("https://{host}/api/v2")),
                "LogonID" => s.push_str(&format!("svc_user{}", i % 300)),
                "CreateMap" => s.push_str(rng.pick(&["0", "1", "2"])),
                "LoginTimeout" => s.push_str("15"),
                _ => s.push('0'),
            }
            s.push('\n');
        }
        if rng.below(4) == 0 {
            s.push_str("# rotated by ops; see the vault\n");
        }
        s.push('\n');
    }
    s
}

/// A realistic ~300-byte connection string, as DataDirect's examples write them.
const CONNECTION_STRING: &str = "DRIVER={DataDirect 8.0 Autonomous REST Connector};\
AuthenticationMethod=OAuth2;\
ClientID=1234567898-a1bc2de3fgh4ij567klmn8opqr9stu.apps.googleusercontent.com;\
ClientSecret={FaZB;FRsG}}XTaR};\
RefreshToken=1/abCD0F1GHijkLmNOPqrs_T2VWx3Y-Zabc45dE6FGh;\
RestConfigFile=C:/rest/ga.rest;\
TokenURI=https://accounts.google.com/o/oauth2/token;\
Scope='openid email'";

fn bench_ini(c: &mut Criterion) {
    let src = odbc_ini();
    let doc = parse_ini(&src);
    assert!(
        doc.errors().is_empty(),
        "the generated file should be clean"
    );
    assert!(ini::Ini::load_from_str(&src).is_ok());
    eprintln!(
        "odbc.ini: {} bytes, {} lines, {} entries, {} sections",
        src.len(),
        src.lines().count(),
        doc.entries().count(),
        doc.sections().count()
    );
    drop(doc);

    let mut group = c.benchmark_group("ini");
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.sample_size(20);
    group.bench_function("connstr", |b| {
        b.iter(|| {
            let doc = parse_ini(black_box(&src));
            let mut n = 0usize;
            for e in doc.entries() {
                n += e.key.len() + e.value.len() + e.section().unwrap_or(0);
            }
            black_box(n)
        })
    });
    group.bench_function("rust-ini", |b| {
        b.iter(|| black_box(ini::Ini::load_from_str(black_box(&src))))
    });
    group.finish();
}

fn bench_conn(c: &mut Criterion) {
    eprintln!("connection string: {} bytes", CONNECTION_STRING.len());
    let mut group = c.benchmark_group("conn");
    group.throughput(Throughput::Bytes(CONNECTION_STRING.len() as u64));
    group.bench_function("connstr", |b| {
        b.iter(|| {
            let doc = parse_connection_string(black_box(CONNECTION_STRING));
            let mut n = 0usize;
            for e in doc.entries() {
                n += e.key.len() + e.value.len();
            }
            black_box(n)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_ini, bench_conn);
criterion_main!(benches);
/// The allocator of the `connstr` binary (feature `mimalloc`, on by default);
/// `--no-default-features` measures with the system allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
