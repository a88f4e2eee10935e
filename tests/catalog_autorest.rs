//! The Autonomous REST catalog against the fact file it was written from,
//! `docs/facts/AUTOREST_OPTIONS.md` (a copy of the session's shared research):
//! every row of its option tables (§3) is parsed here, so the catalog cannot
//! drift from it. For each row: the ODBC attribute and the JDBC property
//! resolve to one catalog row; the short name is there, marked confirmed when
//! the file gives it bare and as a sibling's or a guess when the file only
//! reports another driver's; the value type matches the "Valid values / type"
//! column; the default matches the column (none where the file saw none);
//! the secret flag matches; how sure each driver's row is matches the
//! confidence codes.

use connstr::options::{OptionSpec, Sure, ValueKind, catalog, lookup};

const FACTS: &str = include_str!("../docs/facts/AUTOREST_OPTIONS.md");

struct Row<'a> {
    cells: Vec<&'a str>,
}

impl<'a> Row<'a> {
    fn odbc_name(&self) -> &'a str {
        self.cells[1]
    }
    fn odbc_short(&self) -> &'a str {
        self.cells[2]
    }
    fn jdbc(&self) -> &'a str {
        self.cells[3]
    }
    fn kind(&self) -> &'a str {
        self.cells[4]
    }
    fn default(&self) -> &'a str {
        self.cells[5]
    }
    fn secret(&self) -> &'a str {
        self.cells[6]
    }
    fn odbc_sure(&self) -> &'a str {
        self.cells[9]
    }
    fn jdbc_sure(&self) -> &'a str {
        self.cells[10]
    }
    /// The name the row goes by: the ODBC attribute, else the JDBC property.
    fn name(&self) -> &'a str {
        if self.odbc_name() == "—" {
            leading(self.jdbc())
        } else {
            self.odbc_name()
        }
    }
}

/// The rows of every table of §3 (12 columns, the header row starts with
/// `GUI label`).
fn rows() -> Vec<Row<'static>> {
    let section = FACTS
        .split("## 3. Full option table")
        .nth(1)
        .and_then(|s| s.split("\n## 4.").next())
        .expect("§3 in the fact file");
    let mut out = Vec::new();
    for line in section.lines() {
        let line = line.trim();
        if !line.starts_with('|') || line.starts_with("| GUI label") || line.starts_with("|---") {
            continue;
        }
        // Split on `|` not escaped as `\|`.
        let mut cells = Vec::new();
        let inner = &line[1..line.len() - 1];
        let (mut start, bytes) = (0, inner.as_bytes());
        for i in 0..bytes.len() {
            if bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\') {
                cells.push(inner[start..i].trim());
                start = i + 1;
            }
        }
        cells.push(inner[start..].trim());
        assert_eq!(cells.len(), 12, "a row of 12 cells: {line}");
        out.push(Row { cells });
    }
    out
}

/// The first word of a cell (up to a blank, a parenthesis, `,` or `;`).
fn leading(cell: &str) -> &str {
    cell.split([' ', '(', ')', ',', ';'])
        .next()
        .unwrap_or("")
        .trim()
}

/// The names another driver gives (`? (siblings: pxhn)`, `(Aha! sibling:
/// lgcf; older drivers: lcf)`): each word right after a `: `.
fn hinted_names(cell: &str) -> Vec<&str> {
    cell.split(": ")
        .skip(1)
        .map(leading)
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect()
}

fn sure_of(code: &str) -> Sure {
    match code {
        "C" => Sure::Confirmed,
        "N" => Sure::Named,
        "S" => Sure::Sibling,
        "G" => Sure::Guess,
        "—" => Sure::Absent,
        "?" => Sure::Unknown,
        other => panic!("unknown confidence code {other:?}"),
    }
}

/// The family a "Valid values / type" cell describes.
fn expected_family(cell: &str) -> &'static str {
    let c = cell.to_ascii_lowercase();
    if c.starts_with("odbc: 15") {
        "enum"
    } else if c.starts_with("0\\|1") || c.starts_with("true\\|false") {
        "bool"
    } else if c.starts_with("0 \\| ") || c.contains("integer") || c == "port" {
        "integer"
    } else if c.as_bytes()[0].is_ascii_digit() {
        "enum"
    } else if c.starts_with("http header") {
        "header"
    } else if c.starts_with("space-separated") {
        "scopes"
    } else if c.starts_with("value[;") || c.starts_with("(attr;") || c.starts_with("classpath") {
        "list"
    } else if c.starts_with("comma list") {
        "tls-protocols"
    } else if c.starts_with("path") || c.starts_with("directory") {
        "path"
    } else if c.contains("uri") || c.contains("url") {
        "url"
    } else if c.starts_with("string")
        || c.starts_with("host")
        || c.starts_with("aws region")
        || c.starts_with("query-parameter")
    {
        "text"
    } else {
        panic!("a type the test does not know yet: {cell:?}")
    }
}

fn family(spec: &OptionSpec) -> &'static str {
    match spec.kind {
        ValueKind::Text => "text",
        // The driver manager's keys are free text to the fact file.
        ValueKind::DriverManager => "text",
        ValueKind::Url | ValueKind::TokenUri => "url",
        ValueKind::Integer | ValueKind::Port => "integer",
        ValueKind::Bool => "bool",
        ValueKind::Path => "path",
        ValueKind::AuthMethod | ValueKind::ClientCredentialsMode | ValueKind::Enumeration(_) => {
            "enum"
        }
        ValueKind::HeaderName => "header",
        ValueKind::Scopes => "scopes",
        ValueKind::ParamList => "list",
        ValueKind::TlsProtocols => "tls-protocols",
    }
}

/// The defaults the catalog may give for a "Default" cell: `None` for a cell
/// that saw none or gives one that depends on the platform, TLS or bitness,
/// else the first word of the ODBC or the JDBC alternative, or the name in
/// parentheses after it (`3 (Session)`), or what a sibling says for a row
/// whose own page did not show one (`not seen for ARC (siblings: 5)`).
fn allowed_defaults(name: &str, cell: &str) -> Vec<Option<String>> {
    // Documented exceptions, each with its reason.
    match name {
        // `0 (Default)`: DataDirect's Default is the Basic header (§2.2),
        // which connstr calls Basic (OPTIONS.md §3).
        "ClientCredentialsMode" => return vec![Some("Basic".into())],
        // 80 or 443 by TLS; 19941 or 19942 by bitness; by platform.
        "PortNumber" | "ServerPortNumber" | "SQLEngineMode" | "SchemaMap" => return vec![None],
        _ => {}
    }
    let lower = cell.to_ascii_lowercase();
    if lower.starts_with("none") {
        return vec![None];
    }
    if lower.starts_with("not ") {
        let mut v = vec![None];
        v.extend(hinted_names(cell).into_iter().map(|w| Some(w.to_owned())));
        // `(DataDirect norm: 1/true)`
        v.extend(
            cell.split(": ")
                .skip(1)
                .map(|w| Some(w.split(['/', ')']).next().unwrap_or("").to_owned())),
        );
        return v;
    }
    if let Some(rest) = lower.strip_prefix("siblings: ") {
        return vec![Some(leading(rest).to_owned())];
    }
    let mut v = Vec::new();
    for alt in cell.split(" / ") {
        v.push(Some(leading(alt).to_owned()));
        if let Some(paren) = alt.split('(').nth(1) {
            v.push(Some(leading(paren).trim_end_matches(')').to_owned()));
        }
    }
    v
}

#[test]
fn the_fact_file_has_every_table() {
    let rows = rows();
    // 66 ODBC options and 59 JDBC properties are counted in §1; the table
    // holds the union (one row per option).
    assert!(rows.len() >= 66, "{} rows", rows.len());
    let odbc = rows.iter().filter(|r| r.odbc_sure() != "—").count();
    assert_eq!(odbc, 66, "ODBC rows (§1 counts 66)");
}

#[test]
fn every_option_of_the_fact_file_is_in_the_catalog() {
    let mut problems = Vec::new();
    for row in rows() {
        let name = row.name();
        let Some(spec) = lookup(name) else {
            problems.push(format!("{name}: not in the catalog"));
            continue;
        };
        // The JDBC property (Config, Sample, ServerName, …) is the same row.
        let jdbc = leading(row.jdbc());
        if !matches!(jdbc, "—" | "?" | "") && lookup(jdbc).map(|s| s.name) != Some(spec.name) {
            problems.push(format!(
                "{name}: JDBC property {jdbc} does not resolve to it"
            ));
        }
        // Short name.
        let short = row.odbc_short();
        let bare = !short.is_empty() && short.chars().all(|c| c.is_ascii_alphanumeric());
        if bare {
            if lookup(short).map(|s| s.name) != Some(spec.name) {
                problems.push(format!("{name}: short name {short} does not resolve to it"));
            } else if !short.eq_ignore_ascii_case(spec.name)
                && (spec.short != Some(short) || spec.short_sure != Sure::Confirmed)
                && !spec.aliases.contains(&short)
            {
                problems.push(format!(
                    "{name}: short name should be {short} (confirmed), is {:?} ({:?})",
                    spec.short, spec.short_sure
                ));
            }
        } else {
            let hints = hinted_names(short);
            for h in &hints {
                if lookup(h).map(|s| s.name) != Some(spec.name) {
                    problems.push(format!(
                        "{name}: the other drivers' name {h} is not accepted"
                    ));
                }
            }
            if let Some(s) = spec.short {
                if !hints.contains(&s) {
                    problems.push(format!("{name}: short name {s} is not in {short:?}"));
                }
                if spec.short_sure == Sure::Confirmed {
                    problems.push(format!(
                        "{name}: short name {s} marked confirmed, file: {short:?}"
                    ));
                }
            }
        }
        // Type.
        let (want, got) = (expected_family(row.kind()), family(spec));
        if want != got {
            problems.push(format!(
                "{name}: type {got}, the file says {:?}",
                row.kind()
            ));
        }
        // Default.
        // Booleans compare as 0/1 (`false` is `0` to the ODBC driver).
        let norm = |v: Option<&str>| {
            v.map(|v| match (spec.kind, v.to_ascii_lowercase().as_str()) {
                (ValueKind::Bool, "false") => "0".to_owned(),
                (ValueKind::Bool, "true") => "1".to_owned(),
                (_, v) => v.to_owned(),
            })
        };
        let allowed = allowed_defaults(spec.name, row.default());
        let got = spec.default;
        if !allowed.iter().any(|a| norm(a.as_deref()) == norm(got)) {
            problems.push(format!(
                "{name}: default {got:?}, the file says {:?}",
                row.default()
            ));
        }
        if spec.default.is_some() && spec.default_sure == Sure::Unknown {
            problems.push(format!("{name}: a default without how sure it is"));
        }
        // Secret.
        let secret = row.secret().starts_with("YES") || row.secret().starts_with("often");
        if secret != spec.secret {
            problems.push(format!(
                "{name}: secret {}, the file says {:?}",
                spec.secret,
                row.secret()
            ));
        }
        // How sure, per driver (the driver manager's DSN row is the file's
        // DataSourceName).
        for (what, code, got) in [
            ("ODBC", row.odbc_sure(), spec.odbc),
            ("JDBC", row.jdbc_sure(), spec.jdbc),
        ] {
            if sure_of(code) != got {
                problems.push(format!("{name}: {what} {got:?}, the file says {code}"));
            }
        }
        // A description of its own.
        if spec.description.len() < 10 {
            problems.push(format!("{name}: no description"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_secret_options_of_section_6_are_secrets() {
    // §6 item 6 lists what to treat as secret.
    for n in [
        "Password",
        "SecurityToken",
        "ClientSecret",
        "AccessToken",
        "RefreshToken",
        "OAuthCode",
        "SecretKey",
        "JWTCertPassword",
        "TruststorePassword",
        "KeyStorePassword",
        "KeyPassword",
        "ProxyPassword",
        "ServerProxyPassword",
        "CustomAuthParams",
    ] {
        assert!(lookup(n).is_some_and(|s| s.secret), "{n} is not a secret");
    }
    // Nothing else is.
    let count = catalog().iter().filter(|s| s.secret).count();
    assert_eq!(count, 14);
}

#[test]
fn enumerations_take_code_or_name() {
    let cm = lookup("cm").unwrap();
    let choices = cm.kind.choices();
    assert_eq!(choices.len(), 4);
    assert!(
        choices
            .iter()
            .any(|c| c.matches("3") && c.matches("SESSION"))
    );
    assert!(
        lookup("sem")
            .unwrap()
            .kind
            .choices()
            .iter()
            .any(|c| c.matches("Direct"))
    );
    assert!(lookup("pxpt").is_some_and(|s| s.kind == ValueKind::Port));
}
