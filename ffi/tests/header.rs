//! include/connstr.h is what cbindgen makes of src/lib.rs today: a change to
//! the C interface without regenerating the header fails here.
//! `BLESS=1 cargo test -p connstr-ffi --test header` rewrites it.

use std::path::Path;

#[test]
fn committed_header_is_generated_from_the_source() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("read ffi/cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen parses src/lib.rs")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("cbindgen writes UTF-8");
    let path = crate_dir.join("../include/connstr.h");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write include/connstr.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/connstr.h is stale: the C interface in ffi/src/lib.rs changed. Regenerate it with \
         `BLESS=1 cargo test -p connstr-ffi --test header` and commit it.\n--- generated:\n{generated}"
    );
    // Every exported function is declared and documented.
    for f in [
        "connstr_check",
        "connstr_explain",
        "connstr_source_new",
        "connstr_source_token",
        "connstr_authorize",
        "connstr_source_free",
        "connstr_string_free",
        "connstr_version",
    ] {
        // The declaration: a line outside comments naming `f(`.
        let mut offset = 0;
        let mut at = None;
        for line in committed.split_inclusive('\n') {
            let t = line.trim_start();
            if !t.starts_with('*')
                && !t.starts_with("/*")
                && !t.starts_with("//")
                && let Some(i) = line.find(&format!("{f}("))
            {
                at = Some(offset + i);
                break;
            }
            offset += line.len();
        }
        let at = at.unwrap_or_else(|| panic!("{f} is not declared in include/connstr.h"));
        let before = &committed[..at];
        let decl_start = before.rfind(";\n").map_or(0, |i| i + 2);
        assert!(
            committed[decl_start..at].contains("*/"),
            "{f} has no documentation comment in include/connstr.h"
        );
    }
}
