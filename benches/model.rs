//! Model file (`.rest`) reading benchmark.
//!
//! A generated ~1 MB Model file in strict JSON (so that `serde_json` reads the
//! same text): `#options`, `#http`, `#authentication`, `#reauthentication` and
//! 1,500 tables shaped like the vendor's published ones (`#path` arrays,
//! paging keys, typed columns, nested child tables, virtual key columns).
//!
//! * `model_1mb/connstr`: [`parse_model`], then every value visited and every
//!   string decoded (so no work is skipped);
//! * `model_1mb/serde_json`: `serde_json::from_str::<serde_json::Value>` on
//!   the same text, the tree then dropped (serde_json decodes while parsing).
//!
//! Run: `cargo bench --bench model -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use connstr::syntax::{ValueKind, parse_model};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TABLES: usize = 1_500;

const TYPES: &[&str] = &[
    "VarChar(64)",
    "Integer",
    "Double",
    "Boolean",
    "Timestamp(0)",
    "VarChar(255)",
];

fn model_file() -> String {
    let mut s = String::with_capacity(1 << 20);
    s.push_str("{\n  \"#options\": {\"authenticationMethod\": {\"default\": \"Custom\", \"choices\": \"Custom,OAuth2\"}},\n");
    s.push_str("  \"#http\": [\n    {\"#code\": 200, \"#action\": \"OK\"},\n    {\"#code\": 401, \"#action\": \"REAUTHENTICATE\"},\n    {\"#code\": 404, \"#action\": \"ZERO_ROWS\", \"#message\": \"{/error/description}\"},\n    {\"#code\": 429, \"#action\": \"RETRY_AFTER\"}\n  ],\n");
    s.push_str("  \"#authentication\": [\n    \"api-key={customAuthParams[1]}\",\n    \"content-type=application/json\",\n    {\"credentials\": {\"username\": \"{user}\", \"password\": \"{password}\", \"company\": \"{customAuthParams[2]}\"}},\n    \"POST https://{serverName}/api/v2/session\",\n    \"HEADER Authorization=Bearer {/session/accessToken}\"\n  ],\n");
    s.push_str("  \"#reauthentication\": [\n    {\"refresh\": \"{/session/refreshToken}\"},\n    \"POST https://{serverName}/api/v2/session/refresh\",\n    \"HEADER Authorization=Bearer {/session/accessToken}\"\n  ],\n");
    for t in 0..TABLES {
        s.push_str(&format!(
            "  \"table{t}<root{t}>\": {{\n    \"#path\": [\"https://api.example.com/v3/items/{t}?expand=all\\u0026limit=50 /data/items\"],\n    \"#maximumPageSize\": 50,\n    \"#firstRowNumber\": 0,\n    \"#pageSizeParameter\": \"limit\",\n    \"#rowOffsetParameter\": \"offset\",\n    \"#headers\": {{\"Accept\": \"application/json\", \"X-Region\": \"eu-west-{}\"}},\n",
            t % 3
        ));
        for c in 0..8 {
            s.push_str(&format!(
                "    \"column_{c}_{t}\": \"{}{}\",\n",
                TYPES[(t + c) % TYPES.len()],
                if c == 0 { ",#key" } else { "" }
            ));
        }
        s.push_str(&format!(
            "    \"children<child{t}>[]\": {{\"id\": \"VarChar(64)\", \"rating\": \"Double\", \"score\": -12.5e-1, \"open\": true, \"note\": null}},\n    \"region\": {{\"#type\": \"VarChar(16),#key\", \"#virtual\": true, \"#default\": \"europe \\\"west\\\"\", \"#eq\": \"region\"}}\n  }}{}\n",
            if t + 1 < TABLES { "," } else { "" }
        ));
    }
    s.push_str("}\n");
    s
}

/// Visit every value, decode every string and key: what a reader of the file does.
fn walk(text: &str) -> usize {
    let doc = parse_model(text);
    let mut n = doc.problems().len();
    for v in doc.values() {
        if let Some(k) = v.key() {
            n += k.len();
        }
        if v.kind() == ValueKind::String {
            n += v.as_str().map_or(0, |s| s.len());
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    let text = model_file();
    assert!(parse_model(&text).problems().is_empty());
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
    let mut g = c.benchmark_group("model_1mb");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("connstr", |b| b.iter(|| black_box(walk(black_box(&text)))));
    g.bench_function("serde_json", |b| {
        b.iter(|| black_box(serde_json::from_str::<serde_json::Value>(black_box(&text)).ok()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
