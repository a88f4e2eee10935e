//! `connstr check --installed`: does an odbc.ini agree with what is installed?
//!
//! `driver-not-found` is about the machine rather than the text;
//! `dsn-list-mismatch` is text only (`connstr check` reports it on every
//! odbc.ini, `plan::lints::dsn_list_mismatch`) and is included here so that
//! [`check_installed`] alone still gives both:
//!
//! * **`driver-not-found`** (error) — a DSN's `Driver=` names neither a driver
//!   of odbcinst.ini nor a library that loads, or names an odbcinst.ini driver
//!   whose `Driver64=`/`Driver=` library does not load. The driver manager would
//!   fail at connect time with `[unixODBC][Driver Manager]Can't open lib`.
//! * **`dsn-list-mismatch`** (warning) — `[ODBC Data Sources]` and the DSN
//!   sections disagree: a listed DSN has no section, a DSN section is not
//!   listed, or the list names another driver than the section's `Driver=`.
//!   unixODBC itself enumerates sections, but tools that read the list (ODBC
//!   administrators, DataDirect's installers) then show something else.
//!
//! A library "loads" when `dlopen(path, RTLD_LAZY | RTLD_LOCAL)` succeeds,
//! which is what unixODBC does before it calls the driver. connstr calls
//! `dlopen` through `libloading` rather than asking the driver manager to
//! connect with `Driver=<path>`: a connect attempt runs the driver's whole
//! connect logic (a network round trip for a REST driver, a file created by
//! SQLite), while `dlopen` only maps the library and reports `dlerror`'s exact
//! reason (missing file, wrong ELF class, an unresolved dependency).
//! Loading still runs the library's initialisers, as connecting would: only
//! check files whose drivers you trust, which is why it is opt-in.

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Label, Severity, SourceId, Sources};
use crate::syntax::{Document, Entry, parse_ini};

use super::files::{DriverManagerFiles, IniSection, sections};

/// Lint name: a DSN's driver cannot be found or loaded.
pub const DRIVER_NOT_FOUND: &str = "driver-not-found";
/// Lint name: `[ODBC Data Sources]` disagrees with the DSN sections.
pub const DSN_LIST_MISMATCH: &str = "dsn-list-mismatch";

/// The `[Default]` data source.
const DEFAULT_DSN: &str = "Default";

/// Check the odbc.ini registered as `odbc_ini` in `sources` against the drivers
/// installed on this machine, as the odbcinst.ini of `paths` lists them.
///
/// The odbcinst.ini is read and added to `sources` (so diagnostics can point
/// into it) unless a source with the same path is there already. A missing
/// odbcinst.ini lists no drivers. Returns the diagnostics of
/// [`DRIVER_NOT_FOUND`] and [`DSN_LIST_MISMATCH`], in odbc.ini order.
///
/// ```no_run
/// use connstr::apply::odbc::{DriverManagerFiles, check_installed};
/// use connstr::diagnostic::Sources;
/// let mut sources = Sources::default();
/// let text = std::fs::read_to_string("/etc/odbc.ini")?;
/// let ini = sources.add("/etc/odbc.ini", Some("/etc/odbc.ini".into()), text);
/// for d in check_installed(&mut sources, ini, &DriverManagerFiles::from_env())? {
///     eprintln!("{}: {}", d.lint, d.message);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn check_installed(
    sources: &mut Sources,
    odbc_ini: SourceId,
    paths: &DriverManagerFiles,
) -> std::io::Result<Vec<Diagnostic>> {
    let inst_path = &paths.odbcinst_ini;
    let existing = sources
        .iter()
        .find(|(_, s)| s.path.as_deref() == Some(inst_path.as_path()))
        .map(|(id, _)| id);
    let inst = match existing {
        Some(id) => Some(id),
        None => match std::fs::read(inst_path) {
            Ok(bytes) => {
                let name = inst_path.display().to_string();
                Some(sources.add_lossless(
                    name,
                    Some(inst_path.clone()),
                    crate::syntax::Lossless::decode(bytes),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        },
    };
    Ok(check_installed_with(
        sources,
        odbc_ini,
        inst,
        &inst_path.display().to_string(),
        &mut DlopenLoader::default(),
    ))
}

/// How [`check_installed_with`] decides whether a driver library loads.
pub trait LibraryLoader {
    /// `Ok(())` when `path` loads, else the reason it does not.
    fn load(&mut self, path: &str) -> Result<(), String>;
}

/// Loads libraries with `dlopen(RTLD_LAZY | RTLD_LOCAL)` and remembers each answer.
#[derive(Debug, Default)]
pub struct DlopenLoader {
    seen: HashMap<String, Result<(), String>>,
}

impl LibraryLoader for DlopenLoader {
    fn load(&mut self, path: &str) -> Result<(), String> {
        if let Some(r) = self.seen.get(path) {
            return r.clone();
        }
        let r = dlopen(path);
        self.seen.insert(path.to_owned(), r.clone());
        r
    }
}

fn dlopen(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the library path is empty".into());
    }
    if path.contains('/') && !Path::new(path).exists() {
        return Err(format!("{path}: no such file"));
    }
    #[cfg(unix)]
    {
        use libloading::os::unix::{Library, RTLD_LAZY, RTLD_LOCAL};
        // SAFETY: loading a library runs its initialisers. The caller asked to
        // check the installed drivers (`--installed`), which is exactly the
        // library the driver manager would load to connect; nothing from it is
        // called and it is unloaded when `lib` drops.
        let lib = unsafe { Library::open(Some(path), RTLD_LAZY | RTLD_LOCAL) };
        lib.map(drop).map_err(|e| e.to_string())
    }
    #[cfg(not(unix))]
    {
        // SAFETY: as above.
        let lib = unsafe { libloading::Library::new(path) };
        lib.map(drop).map_err(|e| e.to_string())
    }
}

/// [`check_installed`] with the odbcinst.ini given as a source (`None`: no such
/// file; `inst_name` says how to call it) and the library loader given.
pub fn check_installed_with(
    sources: &Sources,
    odbc_ini: SourceId,
    odbcinst: Option<SourceId>,
    inst_name: &str,
    loader: &mut dyn LibraryLoader,
) -> Vec<Diagnostic> {
    let Some(ini) = sources.get(odbc_ini) else {
        return Vec::new();
    };
    let doc = parse_ini(&ini.text);
    let inst_text = odbcinst
        .and_then(|id| sources.get(id))
        .map(|s| s.text.as_str())
        .unwrap_or("");
    let inst_doc = parse_ini(inst_text);
    let drivers = sections(&inst_doc);
    let mut out = Vec::new();
    let ctx = Ctx {
        ini: odbc_ini,
        inst: odbcinst,
        inst_name,
        drivers: &drivers,
    };
    for s in sections(&doc) {
        if is_special(s.name) && !s.name.eq_ignore_ascii_case(DEFAULT_DSN) {
            continue;
        }
        if let Some(e) = s.get("Driver")
            && let Some(d) = ctx.check_driver(&doc, &s, e, loader)
        {
            out.push(d);
        }
    }
    // The same check `connstr check` runs on every odbc.ini (one
    // implementation; the CLI's dedup drops the repeat).
    out.extend(crate::plan::lints::dsn_list_mismatch::check(
        odbc_ini,
        &doc,
        &crate::options::IniIndex::new(&doc),
        true,
    ));
    out.sort_by_key(|d| (d.primary.source != odbc_ini, d.primary.span.start()));
    out
}

/// Not a data source of its own: `[ODBC]`, `[ODBC Data Sources]`,
/// `[ODBC File DSN]` (see [`crate::options::NON_DSN_SECTIONS`]) and `[Default]`.
fn is_special(name: &str) -> bool {
    !crate::options::is_dsn_section(name) || name.trim().eq_ignore_ascii_case(DEFAULT_DSN)
}

struct Ctx<'a, 'd> {
    ini: SourceId,
    inst: Option<SourceId>,
    inst_name: &'a str,
    drivers: &'a [IniSection<'d>],
}

impl Ctx<'_, '_> {
    fn check_driver(
        &self,
        doc: &Document<'_>,
        dsn: &IniSection<'_>,
        e: &Entry,
        loader: &mut dyn LibraryLoader,
    ) -> Option<Diagnostic> {
        let src = doc.source();
        let value = e.value_str(src);
        let value = value.trim();
        let primary = Label {
            source: self.ini,
            span: e.value,
            message: "".into(),
        };
        let base = |message: String, help: Option<String>| Diagnostic {
            lint: DRIVER_NOT_FOUND,
            severity: Severity::Error,
            message: message.into(),
            help: help.map(Into::into),
            primary: primary.clone(),
            secondary: Vec::new(),
            section: Some(dsn.name.into()),
            key: Some(e.key_str(src).to_owned().into()),
            fix: None,
        };
        if let Some(drv) = self
            .drivers
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(value))
        {
            let lib = drv.get("Driver64").filter(|l| !l.value.is_empty());
            let lib = lib.or_else(|| drv.get("Driver"));
            let Some(lib) = lib else {
                let mut d = base(
                    format!(
                        "driver `{}` in {} has no `Driver=` library",
                        drv.name, self.inst_name
                    ),
                    Some("add `Driver=/path/to/the/driver.so` to that section".into()),
                );
                d.secondary.extend(self.inst.map(|source| Label {
                    source,
                    span: drv.header,
                    message: "this driver".into(),
                }));
                return Some(d);
            };
            let path = lib.value_str(drv.source());
            return loader.load(path.trim()).err().map(|why| {
                let mut d = base(
                    format!(
                        "driver `{}` is listed in {}, but its library does not load: {why}",
                        drv.name, self.inst_name
                    ),
                    Some(format!(
                        "fix `{}=` in the [{}] section of {}, or install the driver",
                        lib.key_str(drv.source()),
                        drv.name,
                        self.inst_name
                    )),
                );
                d.secondary.extend(self.inst.map(|source| Label {
                    source,
                    span: lib.value,
                    message: "the library".into(),
                }));
                d
            });
        }
        let why = loader.load(value).err()?;
        let names: Vec<&str> = self.drivers.iter().map(|d| d.name).collect();
        let close = names
            .iter()
            .map(|n| {
                (
                    strsim::jaro_winkler(&n.to_lowercase(), &value.to_lowercase()),
                    *n,
                )
            })
            .filter(|(score, _)| *score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let help = match (close, names.is_empty()) {
            (Some((_, n)), _) => format!("did you mean `{n}`?"),
            (None, true) => format!(
                "{} lists no drivers; name a driver library by its full path, or register the driver there",
                self.inst_name
            ),
            (None, false) => format!("drivers in {}: {}", self.inst_name, names.join(", ")),
        };
        Some(base(
            format!(
                "`Driver={value}` names no driver of {} and no library that loads ({why})",
                self.inst_name
            ),
            Some(help),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads exactly the paths it was given.
    struct Only(Vec<&'static str>);
    impl LibraryLoader for Only {
        fn load(&mut self, path: &str) -> Result<(), String> {
            if self.0.contains(&path) {
                Ok(())
            } else {
                Err(format!("{path}: cannot open"))
            }
        }
    }

    fn run(ini: &str, inst: &str, libs: Vec<&'static str>) -> Vec<Diagnostic> {
        let mut sources = Sources::default();
        let i = sources.add("odbc.ini", None, ini.to_owned());
        let d = sources.add("odbcinst.ini", None, inst.to_owned());
        check_installed_with(&sources, i, Some(d), "odbcinst.ini", &mut Only(libs))
    }

    const INST: &str =
        "[SQLite3]\nDriver=/lib/sqlite.so\n[Broken]\nDriver=/lib/gone.so\n[NoLib]\nSetup=x\n";

    #[test]
    fn a_known_driver_that_loads_is_fine() {
        let d = run("[a]\nDriver=sqlite3\n", INST, vec!["/lib/sqlite.so"]);
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn a_library_path_that_loads_is_fine() {
        let d = run("[a]\nDriver=/opt/x.so\n", INST, vec!["/opt/x.so"]);
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn unknown_driver_with_did_you_mean() {
        let src = "[a]\nDriver=SQLite\n";
        let d = run(src, INST, vec!["/lib/sqlite.so"]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].lint, DRIVER_NOT_FOUND);
        assert_eq!(d[0].primary.span.slice(src), "SQLite");
        assert_eq!(d[0].help.as_deref(), Some("did you mean `SQLite3`?"));
    }

    #[test]
    fn registered_driver_whose_library_fails() {
        let d = run("[a]\nDriver=Broken\n[b]\nDriver=NoLib\n", INST, vec![]);
        assert_eq!(d.len(), 2, "{d:#?}");
        assert!(d[0].message.contains("does not load"), "{}", d[0].message);
        assert_eq!(d[0].secondary[0].span.slice(INST), "/lib/gone.so");
        assert!(d[1].message.contains("has no `Driver=` library"));
    }

    #[test]
    fn list_and_sections_disagree() {
        let src = "[ODBC Data Sources]\nghost=SQLite3\na=Other\n\n[a]\nDriver=SQLite3\n[b]\nDriver=SQLite3\n[ODBC]\nTrace=No\n";
        let d = run(src, INST, vec!["/lib/sqlite.so"]);
        let msgs: Vec<_> = d.iter().map(|d| (d.lint, d.section.clone())).collect();
        assert_eq!(d.len(), 3, "{d:#?}");
        assert!(msgs.iter().all(|(l, _)| *l == DSN_LIST_MISMATCH));
        assert_eq!(d[0].primary.span.slice(src), "ghost");
        assert_eq!(d[1].primary.span.slice(src), "Other");
        assert_eq!(d[2].section.as_deref(), Some("b"));
    }

    #[test]
    fn no_list_no_mismatch() {
        assert!(run("[a]\nDriver=SQLite3\n", INST, vec!["/lib/sqlite.so"]).is_empty());
    }

    #[test]
    fn real_dlopen_reports_a_missing_file() {
        let e = dlopen("/nonexistent/libnothing.so").unwrap_err();
        assert!(e.contains("no such file"), "{e}");
        let e = dlopen("libconnstr-does-not-exist.so").unwrap_err();
        assert!(!e.is_empty());
    }
}
