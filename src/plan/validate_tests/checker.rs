//! The [`Checker`]: user and system odbc.ini lookup, file modes, `--dsn`
//! selection with and without an odbc.ini input.

use super::*;

#[test]
fn checker_user_dsn_hides_system_dsn() {
    let dir = tempfile::tempdir().unwrap();
    let user = write(
        dir.path(),
        "user.ini",
        "[sales]\nAuthenticationMethod=Basic\nUser=from-user\nPassword=p\n",
    );
    let sys = dir.path().join("etc");
    std::fs::create_dir(&sys).unwrap();
    write(
        &sys,
        "odbc.ini",
        "[sales]\nAuthenticationMethod=Basic\nUser=from-system\nPassword=p\nAuthHeader=X-Sys\n[hr]\nAuthenticationMethod=BearerToken\nSecurityToken=t\n",
    );
    let paths = OdbcPaths {
        odbcini: Some(user),
        odbcsysini: Some(sys),
        ..OdbcPaths::default()
    };
    let mut sources = Sources::default();
    let a = sources.add("<-c 1>", None, "DSN=sales".into());
    let b = sources.add("<-c 2>", None, "DSN=HR;SecurityToken=mine".into());
    let c = sources.add("<-c 3>", None, "DSN=nope".into());
    let report = Checker::with_paths(paths).check(&mut sources, &[a, b, c]);
    let t = &report.targets[0];
    let plan = t.plan.as_ref().unwrap();
    // Wholesale: nothing of the system's [sales] leaks in.
    assert!(
        matches!(&plan.auth, Auth::Basic { user, header, .. } if user == "from-user" && header.as_str() == "Authorization")
    );
    assert_eq!(plan.dsn.as_deref(), Some("sales"));
    let plan = report.targets[1].plan.as_ref().unwrap();
    assert!(matches!(&plan.auth, Auth::BearerToken { token } if token.expose() == "mine"));
    assert_eq!(lints(&report.targets[2].diagnostics), ["unknown-dsn"]);
    assert!(report.has_errors());
    // The odbc.ini files were registered, and their secrets located.
    assert!(sources.iter().count() >= 5);
    assert!(report.secrets.values().any(|s| !s.is_empty()));
}

#[test]
fn checker_ini_input_modes_and_dsn_selection() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "odbc.ini",
        "[ODBC]\nTrace=No\n[ODBC Data Sources]\nsales=AutoREST\n[sales]\nAuthenticationMethod=Basic\nUser=u\nPassword=p\n[hr]\nAuthenticationMethod=None\n[sales]\nUser=again\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let mut sources = Sources::default();
    let text = std::fs::read_to_string(&path).unwrap();
    let id = sources.add(path.display().to_string(), Some(path.clone()), text);
    let report = Checker::without_odbc_ini().check(&mut sources, &[id]);
    let names: Vec<_> = report.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["sales", "hr"]);
    let sales = &report.targets[0];
    #[cfg(unix)]
    assert!(lints(&sales.diagnostics).contains(&"world-readable-secret"));
    assert!(lints(&sales.diagnostics).contains(&"duplicate-key"));
    assert!(sales.plan.is_some());
    // The mode can be given instead of read.
    let report = Checker::without_odbc_ini()
        .file_mode(id, 0o600)
        .dsns(["HR", "payroll"])
        .check(&mut sources, &[id]);
    let names: Vec<_> = report.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["hr"]);
    // [hr] is missing from [ODBC Data Sources]: reported, since hr is asked
    // for (nothing about the list's other names).
    assert_eq!(
        lints(&report.diagnostics),
        ["dsn-list-mismatch", "unknown-dsn"]
    );
}

#[test]
fn checker_dsn_argument_without_ini_input() {
    let dir = tempfile::tempdir().unwrap();
    let explicit = write(
        dir.path(),
        "x.ini",
        "[a]\nAuthenticationMethod=BearerToken\nSecurityToken=t\n",
    );
    let paths = OdbcPaths {
        explicit: Some(explicit),
        ..OdbcPaths::default()
    };
    let mut sources = Sources::default();
    let report = Checker::with_paths(paths.clone())
        .dsns(["a", "b"])
        .check(&mut sources, &[]);
    assert_eq!(report.targets.len(), 1);
    assert!(report.targets[0].plan.is_some());
    assert_eq!(lints(&report.diagnostics), ["unknown-dsn"]);
    // A missing explicit file is reported, not ignored.
    let paths = OdbcPaths {
        explicit: Some(dir.path().join("missing.ini")),
        ..paths
    };
    let report = Checker::with_paths(paths)
        .dsns(["a"])
        .check(&mut sources, &[]);
    assert_eq!(report.unreadable.len(), 1);
    assert!(report.has_errors());
}
