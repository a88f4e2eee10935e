//! Tests of where odbc.ini files are, how data sources are found in them,
//! the first-line rule and the index.

use super::*;
use crate::syntax::parse_ini;

/// `src` parsed as odbc.ini number `id` of `scope`, named `name`.
fn file<'a>(src: &'a str, id: u32, scope: IniScope, name: &str) -> IniFile<'a> {
    IniFile {
        doc: parse_ini(src),
        source: SourceId(id),
        scope,
        name: name.into(),
        mode: None,
    }
}

#[test]
fn first_line_problems_follow_unixodbc() {
    use StartProblem as P;
    let problem =
        |src: &str| first_line_problem(src).map(|b| (b.problem, b.span.slice(src).to_owned()));
    for fine in [
        "",
        "[a]\n",
        "\n\r\n \t\x0b\x0c\n[a]",
        "# c\n; c\n  # indented comment\n\t; tab\r\n[a]\n",
        "[a\n",
        "# only comments\n",
        "[a]\n\u{feff}[b]\nnot=checked\n",
    ] {
        assert_eq!(problem(fine), None, "{fine:?}");
    }
    let bom = |s: &str| format!("\u{feff}{s}");
    assert_eq!(problem(&bom("[a]\n")), Some((P::ByteOrderMark, bom("[a]"))));
    assert_eq!(problem(&bom("\n[a]\n")), Some((P::ByteOrderMark, bom(""))));
    assert_eq!(
        problem(&bom("# c\n[a]")),
        Some((P::ByteOrderMark, bom("# c")))
    );
    assert_eq!(
        problem(&format!("# c\n{}", bom("[a]\r\n"))),
        Some((P::ByteOrderMark, bom("[a]")))
    );
    assert_eq!(
        problem("# c\n \t[a]\r\n"),
        Some((P::IndentedHeader, " \t[a]".into()))
    );
    assert_eq!(problem("K=v\n[a]\n"), Some((P::NotAHeader, "K=v".into())));
    assert_eq!(problem("\n=v\n[a]\n"), Some((P::NotAHeader, "=v".into())));
    assert_eq!(
        problem("noequals"),
        Some((P::NotAHeader, "noequals".into()))
    );
    // fgets(…, 1000): a 999-byte comment is read whole, a longer one in pieces.
    let comment = |n: usize| format!("#{}\n[a]\n", "x".repeat(n - 1));
    assert_eq!(problem(&comment(999)), None);
    assert_eq!(problem(&comment(1000)), Some((P::LongLine, "x".into())));
    assert_eq!(
        problem(&comment(1998)),
        Some((P::LongLine, "x".repeat(999)))
    );
    let rest_is_a_comment = format!("#{}# more\n[a]\n", "x".repeat(998));
    assert_eq!(problem(&rest_is_a_comment), None);
    // A cut inside a character: the span starts at the next one.
    let wide = format!("#{}é rest\n[a]\n", "x".repeat(997));
    assert_eq!(problem(&wide), Some((P::LongLine, " rest".into())));
}

#[test]
fn candidates_follow_unixodbc() {
    let p = OdbcPaths {
        odbcini: Some("/x/my.ini".into()),
        home: Some("/home/a".into()),
        odbcsysini: Some("/opt/etc".into()),
        ..Default::default()
    };
    assert_eq!(
        p.candidates(),
        [
            (IniScope::User, PathBuf::from("/x/my.ini")),
            (IniScope::System, PathBuf::from("/opt/etc/odbc.ini"))
        ]
    );
    let p = OdbcPaths {
        explicit: Some("/e.ini".into()),
        ..p
    };
    assert_eq!(
        p.candidates(),
        [(IniScope::Explicit, PathBuf::from("/e.ini"))]
    );
    let p = OdbcPaths::default();
    assert_eq!(
        p.candidates(),
        [(IniScope::System, PathBuf::from("/etc/odbc.ini"))]
    );
    let p = OdbcPaths {
        sysconfdir: Some("/usr/local/etc".into()),
        ..Default::default()
    };
    assert_eq!(
        p.candidates(),
        [(IniScope::System, PathBuf::from("/usr/local/etc/odbc.ini"))]
    );
}

#[test]
fn dsn_sections() {
    let src = "[ODBC]\nTrace=no\n[ODBC Data Sources]\nsales=x\n[Sales]\na=1\n[odbc file dsn]\n[sales]\nb=2\n[hr]\n";
    let f = file(src, 0, IniScope::User, "u");
    assert_eq!(f.dsns(), [(2, "Sales"), (5, "hr")]);
    assert_eq!(f.find_dsn("SALES"), Some(2));
    assert_eq!(f.find_dsn("ODBC"), None);
    assert_eq!(f.find_dsn("nope"), None);
}

#[test]
fn index_agrees_with_the_file_walks() {
    use crate::options::OptionSet;
    let src = "x=before\n[ODBC]\nTrace=no\n[ODBC Data Sources]\nsales=x\n[Sales]\na=1\nb=2\n\
               [odbc file dsn]\nbad line\n[sales]\nb=2\nbroken\n[hr]\nUID=u\n[]\n[HR]\n[Ünï]\nk=v\n[ünï]\n";
    let f = file(src, 0, IniScope::User, "u");
    let index = f.index();
    assert_eq!(index.dsns().collect::<Vec<_>>(), f.dsns());
    for (i, s) in f.doc.sections().enumerate() {
        let name = s.name.slice(src);
        assert_eq!(index.find_dsn(name), f.find_dsn(name), "{name}");
        assert_eq!(
            index.find_dsn(&name.to_ascii_uppercase()),
            f.find_dsn(&name.to_ascii_uppercase())
        );
        assert_eq!(
            OptionSet::from_indexed_dsn(&f, &index, i),
            OptionSet::from_dsn(&f, i)
        );
    }
    assert_eq!(index.find_dsn("nope"), None);
    assert_eq!(index.repeats_of(2), [4]);
    assert_eq!(index.repeats_of(5), [7]);
    // `Ünï` and `ünï` differ beyond ASCII: unixODBC compares ASCII case only.
    assert_eq!(index.find_dsn("ünï"), Some(9));
    assert_eq!(index.errors_of(2), &[] as &[usize]);
    let text = |k: &usize| f.doc.errors()[*k].span.slice(src);
    assert_eq!(
        index.errors_of(4).iter().map(text).collect::<Vec<_>>(),
        ["broken"]
    );
    assert_eq!(
        index.file_errors().iter().map(text).collect::<Vec<_>>(),
        ["x=before", "bad line"]
    );
}

#[test]
fn user_dsn_hides_system_dsn() {
    let user = "[a]\nx=1\n";
    let system = "[a]\ny=2\n[b]\nz=3\n";
    let files = [
        file(user, 0, IniScope::User, "u"),
        file(system, 1, IniScope::System, "s"),
    ];
    assert_eq!(
        find_dsn(&files, "a").map(|(f, i)| (f.source, i)),
        Some((SourceId(0), 0))
    );
    assert_eq!(
        find_dsn(&files, "B").map(|(f, i)| (f.source, i)),
        Some((SourceId(1), 1))
    );
    assert!(find_dsn(&files, "c").is_none());
}
