//! Writes `connstr.pc` (pkg-config) next to libconnstr.so in the profile
//! directory (`target/release/connstr.pc`), pointing at this checkout:
//! `PKG_CONFIG_PATH=target/release pkg-config --cflags --libs connstr`; and
//! `connstr-static.pc`, the same for linking `libconnstr.a` into the program
//! (`pkg-config --cflags --libs connstr-static`: the archive by path, then the
//! system libraries it needs).
//! Packagers set `CONNSTR_PC_PREFIX=/usr/local` to get the installed layout
//! (`$prefix/lib`, `$prefix/include`).

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CONNSTR_PC_PREFIX");
    let (Some(out_dir), Some(manifest)) = (
        std::env::var_os("OUT_DIR"),
        std::env::var_os("CARGO_MANIFEST_DIR"),
    ) else {
        return;
    };
    // OUT_DIR is <profile>/build/connstr-ffi-<hash>/out.
    let Some(profile_dir) = Path::new(&out_dir)
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
    else {
        return;
    };
    let (libdir, includedir) = match std::env::var("CONNSTR_PC_PREFIX") {
        Ok(prefix) if !prefix.is_empty() => (format!("{prefix}/lib"), format!("{prefix}/include")),
        _ => {
            let root: PathBuf = Path::new(&manifest).join("..");
            let root = root.canonicalize().unwrap_or(root);
            (
                profile_dir.display().to_string(),
                root.join("include").display().to_string(),
            )
        }
    };
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    // What linking libconnstr.a also needs, as `rustc --print
    // native-static-libs` lists it for this target.
    const NATIVE_STATIC_LIBS: &str = "-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc";
    let pc = format!(
        "libdir={libdir}\nincludedir={includedir}\n\n\
         Name: connstr\n\
         Description: ODBC/JDBC connector configuration checks and OAuth 2.0 tokens for drivers\n\
         Version: {version}\n\
         Libs: -L${{libdir}} -lconnstr\n\
         Libs.private: {NATIVE_STATIC_LIBS}\n\
         Cflags: -I${{includedir}}\n"
    );
    // A name of its own rather than `--static` on connstr.pc: with both
    // libconnstr.so and libconnstr.a in libdir, `-lconnstr` picks the shared one.
    let static_pc = format!(
        "libdir={libdir}\nincludedir={includedir}\n\n\
         Name: connstr-static\n\
         Description: connstr linked statically (libconnstr.a)\n\
         Version: {version}\n\
         Libs: ${{libdir}}/libconnstr.a {NATIVE_STATIC_LIBS}\n\
         Cflags: -I${{includedir}}\n"
    );
    for (name, text) in [("connstr.pc", pc), ("connstr-static.pc", static_pc)] {
        let target = profile_dir.join(name);
        if std::fs::read_to_string(&target).ok().as_deref() != Some(text.as_str()) {
            // Best effort: a read-only target directory only loses the .pc file.
            let _ = std::fs::write(&target, text);
        }
    }
}
