//! `world-readable-secret`: an odbc.ini that other users can read holds a
//! secret.

declare_lint! {
    /// ### What it does
    /// Reports an odbc.ini whose file mode lets its group or every user read
    /// it, when one of its data sources holds a secret (a password, client
    /// secret, token, …) in clear text. One warning per file: at the first
    /// data source holding a secret, with labels at the next few and the
    /// count of the others (`connstr check --dsn NAME` shows it for that
    /// data source).
    ///
    /// ### Why it matters
    /// `/etc/odbc.ini` is usually mode 644: anyone on the machine can read
    /// the secrets it holds.
    ///
    /// ### Example
    /// ```text
    /// $ ls -l odbc.ini
    /// -rw-r--r-- 1 app app 210 odbc.ini      # holds ClientSecret=…
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// $ chmod 600 odbc.ini                   # or pass the secret in the connection string
    /// ```
    name: "world-readable-secret",
    severity: Warning,
    description: "an odbc.ini that other users can read holds a secret",
}

use crate::diagnostic::{Severity, SourceId};
use crate::plan::cx::{Cx, join_and};
use crate::plan::diag::Diag;
use crate::plan::lints;
use crate::syntax::Span;

/// Every readable odbc.ini layer of the set that holds a secret.
pub(crate) fn check(cx: &mut Cx<'_>) {
    let set = cx.set;
    for (i, layer) in set.layers().iter().enumerate() {
        let Some(mode) = layer.mode else { continue };
        if mode & 0o044 == 0 {
            continue;
        }
        let mut names: Vec<&str> = Vec::new();
        let mut first: Option<(SourceId, Span)> = None;
        for o in set.all().iter().filter(|o| o.layer == i) {
            if o.is_secret() && !o.value().trim().is_empty() {
                names.push(o.name());
                first.get_or_insert((o.source(), o.entry.key));
            }
            for h in &o.hidden {
                if h.secret && !h.value.is_empty() {
                    names.push(h.spec.map_or("a secret", |s| s.name));
                    first.get_or_insert((o.source(), h.key));
                }
            }
        }
        let Some((source, span)) = first else {
            continue;
        };
        names.dedup();
        let file = layer.file_name.as_deref().unwrap_or("this odbc.ini");
        let who = if mode & 0o004 != 0 {
            "every user"
        } else {
            "its group"
        };
        let d = Diag::new(
            lints::WORLD_READABLE_SECRET,
            Severity::Warning,
            format!(
                "{file} can be read by {who} (mode {:03o}) and holds {} in clear text",
                mode & 0o777,
                join_and(&names)
            ),
            source,
            span,
            "secret stored here",
        )
        .help(format!(
            "run `chmod 600 {file}`, or keep secrets out of odbc.ini (pass them in the connection string)"
        ))
        .key(names[0].to_owned())
        .section(layer.section.as_ref());
        cx.push(d);
    }
}

/// Labels kept for the data sources after the first, in the one warning of
/// their file.
const MORE_LABELS: usize = 3;

/// One warning per file: the file's mode is the problem, and one `chmod`
/// mends it, however many of its data sources hold secrets. The first
/// data source's warning stays (with labels for the next few and the count
/// of the others); the other data sources' are dropped.
pub(crate) fn one_per_file(targets: &mut [crate::plan::Target]) {
    use std::collections::HashMap;
    // Per file: where its kept warning is, and how many others there were.
    let mut kept: HashMap<SourceId, ((usize, usize), usize)> = HashMap::new();
    for t in 0..targets.len() {
        let mut i = 0;
        while i < targets[t].diagnostics.len() {
            let d = &targets[t].diagnostics[i];
            if d.lint != lints::WORLD_READABLE_SECRET {
                i += 1;
                continue;
            }
            let file = d.primary.source;
            let Some(((ft, fi), others)) = kept.get_mut(&file) else {
                kept.insert(file, ((t, i), 0));
                i += 1;
                continue;
            };
            let (ft, fi) = (*ft, *fi);
            *others += 1;
            let d = targets[t].diagnostics.remove(i);
            if let Some(first) = targets.get_mut(ft).and_then(|f| f.diagnostics.get_mut(fi))
                && first.secondary.len() < MORE_LABELS
            {
                let mut label = d.primary;
                label.message = match &d.section {
                    Some(s) => format!("and in [{s}]").into(),
                    None => "and here".into(),
                };
                first.secondary.push(label);
            }
        }
    }
    for ((t, i), others) in kept.into_values() {
        if others == 0 {
            continue;
        }
        let Some(d) = targets.get_mut(t).and_then(|f| f.diagnostics.get_mut(i)) else {
            continue;
        };
        let sources = if others == 1 { "source" } else { "sources" };
        d.message = format!(
            "{} (and so do {others} more data {sources} in it)",
            d.message
        )
        .into();
    }
}
