//! The grammars in `grammar/*.abnf` and the parsers agree.
//!
//! 1. **Quotes.** Each parser function quotes the rules it implements in a
//!    fenced `abnf` block of its doc comment. For every pair (grammar file,
//!    parser file) this test fails if a rule defined in the grammar is quoted
//!    by no parser function, if a quoted rule is not in the grammar, or if the
//!    quoted text differs from the grammar's (comments stripped, whitespace
//!    runs collapsed). It also checks that every rule a grammar refers to is
//!    defined (in the file itself, in `connection-string.abnf`, or as an RFC
//!    5234 core rule).
//! 2. **Language.** A small ABNF interpreter runs the connection-string and
//!    JDBC URL grammars on every fixture and on generated strings: a text the
//!    parser reads without error matches the grammar, and (for texts without
//!    single quotes, whose closing rule needs a look-ahead that ABNF cannot
//!    write) a text that matches the grammar is read without error.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use connstr::syntax::{
    Document, ModelProblemKind, parse_connection_string, parse_jdbc_url, parse_model,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

// ---------------------------------------------------------------------------
// Reading ABNF text: rules, comments, quotes in doc comments.
// ---------------------------------------------------------------------------

/// `line` without its `;` comment (a `;` inside `"…"` or `<…>` is text).
fn strip_comment(line: &str) -> &str {
    let mut in_quote = false;
    let mut in_prose = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' if !in_prose => in_quote = !in_quote,
            '<' if !in_quote => in_prose = true,
            '>' if !in_quote => in_prose = false,
            ';' if !in_quote && !in_prose => return &line[..i],
            _ => {}
        }
    }
    line
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One rule definition: its name (lower case) and its text `name = …`,
/// comments stripped and whitespace collapsed.
#[derive(Debug, Clone)]
struct RuleText {
    name: String,
    text: String,
}

/// Split ABNF text into rules: a rule starts at column 0 with `name =`
/// (or `=/`), indented lines continue it, `;` starts a comment.
fn rules_of(src: &str, origin: &str) -> Result<Vec<RuleText>, String> {
    let mut rules: Vec<RuleText> = Vec::new();
    for (n, raw) in src.lines().enumerate() {
        let line = strip_comment(raw);
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let Some(last) = rules.last_mut() else {
                return Err(format!("{origin}:{}: continuation before any rule", n + 1));
            };
            last.text.push(' ');
            last.text.push_str(line.trim());
            continue;
        }
        let name: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let after = line[name.len()..].trim_start();
        if name.is_empty()
            || !name.starts_with(|c: char| c.is_ascii_alphabetic())
            || !after.starts_with('=')
        {
            return Err(format!("{origin}:{}: not a rule: {raw:?}", n + 1));
        }
        rules.push(RuleText {
            name: name.to_ascii_lowercase(),
            text: line.trim().to_owned(),
        });
    }
    for r in &mut rules {
        r.text = collapse(&r.text);
    }
    Ok(rules)
}

/// The rules quoted in fenced `abnf` blocks of a Rust file's doc comments,
/// each with the line of its block. A block must document a function.
fn quoted_rules(src: &str, origin: &str) -> Result<Vec<(RuleText, usize)>, String> {
    let lines: Vec<&str> = src.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "/// ```abnf" {
            i += 1;
            continue;
        }
        let block_line = i + 1;
        let mut body = String::new();
        i += 1;
        loop {
            let Some(line) = lines.get(i) else {
                return Err(format!("{origin}:{block_line}: unclosed abnf block"));
            };
            let t = line.trim_start();
            if t == "/// ```" {
                break;
            }
            let Some(doc) = t.strip_prefix("///") else {
                return Err(format!(
                    "{origin}:{}: abnf block leaves the doc comment",
                    i + 1
                ));
            };
            body.push_str(doc.strip_prefix(' ').unwrap_or(doc));
            body.push('\n');
            i += 1;
        }
        // The rest of the doc comment and attributes, then the function.
        let mut j = i + 1;
        while lines
            .get(j)
            .is_some_and(|l| l.trim_start().starts_with("///") || l.trim_start().starts_with("#["))
        {
            j += 1;
        }
        if !lines.get(j).is_some_and(|l| l.contains("fn ")) {
            return Err(format!(
                "{origin}:{block_line}: abnf block does not document a function"
            ));
        }
        let rules = rules_of(&body, &format!("{origin}:{block_line}"))?;
        if rules.is_empty() {
            return Err(format!("{origin}:{block_line}: empty abnf block"));
        }
        out.extend(rules.into_iter().map(|r| (r, block_line)));
        i += 1;
    }
    Ok(out)
}

/// RFC 5234 appendix B.1.
const CORE_RULES: &str = r#"
ALPHA = %x41-5A / %x61-7A
BIT = "0" / "1"
CHAR = %x01-7F
CR = %x0D
CRLF = CR LF
CTL = %x00-1F / %x7F
DIGIT = %x30-39
DQUOTE = %x22
HEXDIG = DIGIT / "A" / "B" / "C" / "D" / "E" / "F"
HTAB = %x09
LF = %x0A
LWSP = *(WSP / CRLF WSP)
OCTET = %x00-FF
SP = %x20
VCHAR = %x21-7E
WSP = SP / HTAB
"#;

/// Rule names an ABNF definition refers to.
fn references(def: &str) -> Vec<String> {
    let mut out = Vec::new();
    let cs: Vec<char> = def.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        match cs[i] {
            '"' => {
                i += 1;
                while i < cs.len() && cs[i] != '"' {
                    i += 1;
                }
                i += 1;
            }
            '<' => {
                while i < cs.len() && cs[i] != '>' {
                    i += 1;
                }
                i += 1;
            }
            '%' => {
                i += 1;
                while i < cs.len()
                    && (cs[i].is_ascii_alphanumeric() || cs[i] == '.' || cs[i] == '-')
                {
                    i += 1;
                }
            }
            c if c.is_ascii_alphabetic() => {
                let start = i;
                while i < cs.len() && (cs[i].is_ascii_alphanumeric() || cs[i] == '-') {
                    i += 1;
                }
                out.push(cs[start..i].iter().collect::<String>().to_ascii_lowercase());
            }
            _ => i += 1,
        }
    }
    out
}

/// The definition part of a rule text (after `=` or `=/`).
fn definition(text: &str) -> &str {
    let after = text.split_once('=').map_or("", |(_, d)| d);
    after.strip_prefix('/').unwrap_or(after)
}

fn core_names() -> BTreeSet<String> {
    rules_of(CORE_RULES, "core")
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| r.name)
        .collect()
}

/// All problems between one grammar file and one parser file.
fn check_pair(grammar: &str, parser: &str) -> Vec<String> {
    let gpath = root().join("grammar").join(grammar);
    let ppath = root().join("src/syntax").join(parser);
    let mut problems = Vec::new();
    if !gpath.exists() {
        return vec![format!("grammar/{grammar} does not exist")];
    }
    let defined = match rules_of(&read(&gpath), grammar) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let quoted = match quoted_rules(&read(&ppath), parser) {
        Ok(q) => q,
        Err(e) => return vec![e],
    };

    let mut by_name: BTreeMap<&str, &RuleText> = BTreeMap::new();
    for r in &defined {
        if by_name.insert(&r.name, r).is_some() {
            problems.push(format!(
                "grammar/{grammar}: rule `{}` defined twice",
                r.name
            ));
        }
    }
    let quoted_names: BTreeSet<&str> = quoted.iter().map(|(r, _)| r.name.as_str()).collect();
    for r in &defined {
        if !quoted_names.contains(r.name.as_str()) {
            problems.push(format!(
                "grammar/{grammar}: rule `{}` is quoted by no function in src/syntax/{parser}",
                r.name
            ));
        }
    }
    for (q, line) in &quoted {
        match by_name.get(q.name.as_str()) {
            None => problems.push(format!(
                "src/syntax/{parser}:{line}: quotes `{}`, which grammar/{grammar} does not define",
                q.name
            )),
            Some(g) if g.text != q.text => problems.push(format!(
                "src/syntax/{parser}:{line}: `{}` differs from grammar/{grammar}:\n  grammar: {}\n  quoted:  {}",
                q.name, g.text, q.text
            )),
            Some(_) => {}
        }
    }

    // References resolve.
    let mut known: BTreeSet<String> = core_names();
    known.extend(defined.iter().map(|r| r.name.clone()));
    if grammar != "connection-string.abnf" {
        let cs = root().join("grammar/connection-string.abnf");
        if let Ok(rules) = rules_of(&read(&cs), "connection-string.abnf") {
            known.extend(rules.into_iter().map(|r| r.name));
        }
    }
    for r in &defined {
        for name in references(definition(&r.text)) {
            if !known.contains(&name) {
                problems.push(format!(
                    "grammar/{grammar}: rule `{}` refers to undefined `{name}`",
                    r.name
                ));
            }
        }
    }
    problems
}

fn assert_pair(grammar: &str, parser: &str) {
    let problems = check_pair(grammar, parser);
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn connection_string_grammar_is_quoted_by_conn_rs() {
    assert_pair("connection-string.abnf", "conn.rs");
}

#[test]
fn jdbc_url_grammar_is_quoted_by_jdbc_rs() {
    assert_pair("jdbc-url.abnf", "jdbc.rs");
}

#[test]
fn odbc_ini_grammar_is_quoted_by_ini_rs() {
    assert_pair("odbc-ini.abnf", "ini.rs");
}

#[test]
fn model_grammar_is_quoted_by_model_parse_rs() {
    assert_pair("model.abnf", "model/parse.rs");
}

#[test]
fn the_checker_catches_mismatches() {
    let quoted = "/// ```abnf\n/// a = b  c\n/// ```\nfn a() {}\n";
    let q = quoted_rules(quoted, "x").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q[0].0.text, "a = b c");
    assert!(quoted_rules("/// ```abnf\n/// a = b\n/// ```\nstruct A;\n", "x").is_err());
    assert!(rules_of("a = b\n  / c ; note\n", "x").is_ok_and(|r| r[0].text == "a = b / c"));
    assert!(rules_of("a b\n", "x").is_err());
    assert_eq!(strip_comment(r#"a = ";" b ; c"#), r#"a = ";" b "#);
    assert_eq!(
        references(r#" x 1*( "y" / %x41-42 / ALPHA ) <z>"#),
        vec!["x", "alpha"]
    );
}

// ---------------------------------------------------------------------------
// An ABNF interpreter: which texts a grammar matches.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Expr {
    Alt(Vec<Expr>),
    Cat(Vec<Expr>),
    Rep(usize, Option<usize>, Box<Expr>),
    /// A string, matched case-insensitively (ASCII).
    Str(Vec<char>),
    /// `%x41-5A`.
    Range(u32, u32),
    /// `%x41.42`.
    Seq(Vec<u32>),
    Rule(String),
}

struct ExprParser<'a> {
    s: &'a [char],
    i: usize,
}

impl ExprParser<'_> {
    fn blanks(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn alternation(&mut self) -> Result<Expr, String> {
        let mut alts = vec![self.concatenation()?];
        loop {
            self.blanks();
            if self.peek() == Some('/') {
                self.i += 1;
                alts.push(self.concatenation()?);
            } else {
                break;
            }
        }
        Ok(if alts.len() == 1 {
            alts.remove(0)
        } else {
            Expr::Alt(alts)
        })
    }

    fn concatenation(&mut self) -> Result<Expr, String> {
        let mut items = Vec::new();
        loop {
            self.blanks();
            match self.peek() {
                None | Some('/') | Some(')') | Some(']') => break,
                _ => items.push(self.repetition()?),
            }
        }
        if items.is_empty() {
            return Err(format!("empty concatenation at {}", self.i));
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Cat(items)
        })
    }

    fn number(&mut self, radix: u32) -> Option<u32> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_digit(radix)) {
            self.i += 1;
        }
        let digits: String = self.s[start..self.i].iter().collect();
        u32::from_str_radix(&digits, radix).ok()
    }

    fn repetition(&mut self) -> Result<Expr, String> {
        let min = self.number(10);
        let (lo, hi) = if self.peek() == Some('*') {
            self.i += 1;
            (
                min.unwrap_or(0) as usize,
                self.number(10).map(|n| n as usize),
            )
        } else if let Some(n) = min {
            (n as usize, Some(n as usize))
        } else {
            let e = self.element()?;
            return Ok(e);
        };
        let e = self.element()?;
        Ok(Expr::Rep(lo, hi, Box::new(e)))
    }

    fn element(&mut self) -> Result<Expr, String> {
        match self.peek() {
            Some('(') => {
                self.i += 1;
                let e = self.alternation()?;
                self.blanks();
                self.expect(')')?;
                Ok(e)
            }
            Some('[') => {
                self.i += 1;
                let e = self.alternation()?;
                self.blanks();
                self.expect(']')?;
                Ok(Expr::Rep(0, Some(1), Box::new(e)))
            }
            Some('"') => {
                self.i += 1;
                let start = self.i;
                while self.peek().is_some_and(|c| c != '"') {
                    self.i += 1;
                }
                let s = self.s[start..self.i].to_vec();
                self.expect('"')?;
                Ok(Expr::Str(s))
            }
            Some('%') => {
                self.i += 1;
                let radix = match self.peek() {
                    Some('x' | 'X') => 16,
                    Some('d' | 'D') => 10,
                    Some('b' | 'B') => 2,
                    other => return Err(format!("bad num-val base {other:?}")),
                };
                self.i += 1;
                let first = self.number(radix).ok_or("bad num-val")?;
                match self.peek() {
                    Some('-') => {
                        self.i += 1;
                        let last = self.number(radix).ok_or("bad range")?;
                        Ok(Expr::Range(first, last))
                    }
                    Some('.') => {
                        let mut seq = vec![first];
                        while self.peek() == Some('.') {
                            self.i += 1;
                            seq.push(self.number(radix).ok_or("bad num-val seq")?);
                        }
                        Ok(Expr::Seq(seq))
                    }
                    _ => Ok(Expr::Range(first, first)),
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.i;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
                {
                    self.i += 1;
                }
                let name: String = self.s[start..self.i].iter().collect();
                Ok(Expr::Rule(name.to_ascii_lowercase()))
            }
            other => Err(format!("unexpected {other:?} at {}", self.i)),
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected {c:?} at {}", self.i))
        }
    }
}

/// A grammar ready to match texts.
struct Grammar {
    rules: HashMap<String, Expr>,
}

impl Grammar {
    /// Load grammar files (core rules included).
    fn load(files: &[&str]) -> Grammar {
        let mut rules = HashMap::new();
        let mut texts = vec![("core".to_owned(), CORE_RULES.to_owned())];
        for f in files {
            texts.push((f.to_string(), read(&root().join("grammar").join(f))));
        }
        for (origin, text) in texts {
            for r in rules_of(&text, &origin).unwrap_or_else(|e| panic!("{e}")) {
                let def: Vec<char> = definition(&r.text).chars().collect();
                let mut p = ExprParser { s: &def, i: 0 };
                let e = p
                    .alternation()
                    .unwrap_or_else(|e| panic!("{origin}: rule {}: {e}", r.name));
                p.blanks();
                assert_eq!(p.i, def.len(), "{origin}: rule {}: trailing text", r.name);
                rules.insert(r.name, e);
            }
        }
        Grammar { rules }
    }

    /// Whether `rule` matches all of `text`.
    fn matches(&self, rule: &str, text: &str) -> bool {
        let input: Vec<char> = text.chars().collect();
        let mut m = Matcher {
            g: self,
            input: &input,
            memo: HashMap::new(),
        };
        m.rule(rule, 0).contains(&input.len())
    }
}

/// Computes, for an expression and a start, every position where a match can
/// end (all alternatives, full backtracking), memoized per rule and start.
struct Matcher<'g> {
    g: &'g Grammar,
    input: &'g [char],
    memo: HashMap<(String, usize), BTreeSet<usize>>,
}

impl Matcher<'_> {
    fn rule(&mut self, name: &str, at: usize) -> BTreeSet<usize> {
        let key = (name.to_owned(), at);
        if let Some(found) = self.memo.get(&key) {
            return found.clone();
        }
        let g = self.g;
        let expr = g
            .rules
            .get(name)
            .unwrap_or_else(|| panic!("undefined rule {name}"));
        let ends = self.ends(expr, at);
        self.memo.insert(key, ends.clone());
        ends
    }

    fn ends(&mut self, e: &Expr, at: usize) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        match e {
            Expr::Alt(alts) => {
                for a in alts {
                    out.extend(self.ends(a, at));
                }
            }
            Expr::Cat(items) => {
                let mut frontier = BTreeSet::from([at]);
                for item in items {
                    let mut next = BTreeSet::new();
                    for p in frontier {
                        next.extend(self.ends(item, p));
                    }
                    frontier = next;
                    if frontier.is_empty() {
                        break;
                    }
                }
                out = frontier;
            }
            Expr::Rep(lo, hi, inner) => {
                let mut frontier = BTreeSet::from([at]);
                for _ in 0..*lo {
                    let mut next = BTreeSet::new();
                    for p in frontier {
                        next.extend(self.ends(inner, p));
                    }
                    frontier = next;
                }
                out.extend(frontier.iter().copied());
                let mut seen = frontier.clone();
                let mut count = *lo;
                while hi.is_none_or(|h| count < h) && !frontier.is_empty() {
                    let mut next = BTreeSet::new();
                    for p in &frontier {
                        for q in self.ends(inner, *p) {
                            if hi.is_some() || seen.insert(q) {
                                next.insert(q);
                            }
                        }
                    }
                    out.extend(next.iter().copied());
                    frontier = next;
                    count += 1;
                }
            }
            Expr::Str(s) => {
                let fits = s.iter().enumerate().all(|(k, c)| {
                    self.input
                        .get(at + k)
                        .is_some_and(|x| x.eq_ignore_ascii_case(c))
                });
                if fits {
                    out.insert(at + s.len());
                }
            }
            Expr::Range(lo, hi) => {
                if self
                    .input
                    .get(at)
                    .is_some_and(|c| (*lo..=*hi).contains(&(*c as u32)))
                {
                    out.insert(at + 1);
                }
            }
            Expr::Seq(seq) => {
                let fits = seq
                    .iter()
                    .enumerate()
                    .all(|(k, v)| self.input.get(at + k).is_some_and(|c| *c as u32 == *v));
                if fits {
                    out.insert(at + seq.len());
                }
            }
            Expr::Rule(name) => out = self.rule(name, at),
        }
        out
    }
}

fn conn_grammar() -> Grammar {
    Grammar::load(&["connection-string.abnf"])
}

fn jdbc_grammar() -> Grammar {
    let mut g = Grammar::load(&["connection-string.abnf", "jdbc-url.abnf"]);
    let def: Vec<char> = "*ws jdbc-head target".chars().collect();
    let e = ExprParser { s: &def, i: 0 }
        .alternation()
        .unwrap_or_else(|e| panic!("{e}"));
    g.rules.insert("jdbc-url-to-target".to_owned(), e);
    g
}

#[test]
fn the_interpreter_matches_what_it_should() {
    let g = conn_grammar();
    for ok in [
        "",
        "A=1",
        "A=1;",
        ";;A= {x;}}y} ;B='a;b'",
        " K = v ",
        "A='x'\nB='y';C=1",
    ] {
        assert!(g.matches("connection-string", ok), "{ok:?}");
    }
    for bad in ["A", "=x", "A={x", "A={x}y", "A='x", "A='x'y;B=1", "A=\0"] {
        assert!(!g.matches("connection-string", bad), "{bad:?}");
    }
    let j = jdbc_grammar();
    assert!(j.matches("jdbc-url", "JDBC:datadirect:autorest://h:1;A=1"));
    assert!(!j.matches("jdbc-url", "jdbc:datadirect;A=1"));
}

/// What the grammar says about `text`, against what the parser says.
fn agree(g: &Grammar, rule: &str, doc: &Document<'_>, check_converse: bool) -> Result<(), String> {
    let matched = g.matches(rule, doc.source());
    let clean = doc.errors().is_empty();
    if clean && !matched {
        return Err(format!(
            "parser reads {:?} without error, grammar rule `{rule}` does not match it",
            doc.source()
        ));
    }
    if check_converse && matched && !clean {
        return Err(format!(
            "grammar rule `{rule}` matches {:?}, parser reports {:?}",
            doc.source(),
            doc.errors()
        ));
    }
    Ok(())
}

/// [`agree`] for a JDBC URL. The grammar leaves it open where the target
/// ends and whether a target-like text is a target; the parser takes the
/// longest target whenever there is one, as the grammar's comments say. So
/// when the parser found a target, the converse is checked on the split it
/// made: head and target, then properties.
fn agree_jdbc(g: &Grammar, doc: &Document<'_>, check_converse: bool) -> Result<(), String> {
    let target = doc.jdbc_prefix().and_then(|p| p.target);
    let Some(t) = target else {
        return agree(g, "jdbc-url", doc, check_converse);
    };
    agree(g, "jdbc-url", doc, false)?;
    let src = doc.source();
    let split = g.matches("jdbc-url-to-target", &src[..t.end()])
        && g.matches("properties", &src[t.end()..]);
    if check_converse && split && !doc.errors().is_empty() {
        return Err(format!(
            "grammar matches {src:?} (target {:?}), parser reports {:?}",
            t.slice(src),
            doc.errors()
        ));
    }
    Ok(())
}

fn fixtures(dir: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let path = root().join("fixtures").join(dir);
    let Ok(entries) = fs::read_dir(&path) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        let is_input = p.extension().is_some_and(|x| x == "txt" || x == "jdbc");
        if is_input && let Ok(bytes) = fs::read(&p) {
            // Fixtures are UTF-8 text; anything else is not ours to judge.
            if let Ok(text) = String::from_utf8(bytes) {
                out.push((p, text));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_parses_as_the_grammar_says() {
    let conn = conn_grammar();
    let jdbc = jdbc_grammar();
    let mut problems = Vec::new();
    let mut seen = 0;
    for (path, text) in fixtures("conn") {
        seen += 1;
        if let Err(e) = agree(
            &conn,
            "connection-string",
            &parse_connection_string(&text),
            true,
        ) {
            problems.push(format!("{}: {e}", path.display()));
        }
    }
    for (path, text) in fixtures("jdbc") {
        seen += 1;
        if let Err(e) = agree_jdbc(&jdbc, &parse_jdbc_url(&text), true) {
            problems.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(
        seen > 0,
        "no fixtures found under fixtures/conn and fixtures/jdbc"
    );
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// Strings over the characters that drive the connection-string rules.
fn connish() -> impl Strategy<Value = String> {
    "[a-zA-Z ;={}'\r\n\t]{0,24}"
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: ProptestConfig::default().cases.max(512),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/grammar.txt"
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn conn_parser_and_grammar_agree(s in connish()) {
        let g = conn_grammar();
        let doc = parse_connection_string(&s);
        let converse = !s.contains('\'');
        let verdict = agree(&g, "connection-string", &doc, converse);
        prop_assert!(verdict.is_ok(), "{:?}", verdict);
    }

    #[test]
    fn jdbc_parser_and_grammar_agree(
        head in prop::sample::select(vec!["jdbc:datadirect:autorest:", "JDBC:x:y://h:1", "jdbc:a:b:https://e/x", "jdbc:a;", "jdbc:a:b", ""]),
        s in connish(),
    ) {
        let g = jdbc_grammar();
        let text = format!("{head}{s}");
        let doc = parse_jdbc_url(&text);
        let converse = !text.contains('\'');
        let verdict = agree_jdbc(&g, &doc, converse);
        prop_assert!(verdict.is_ok(), "{:?}", verdict);
    }
}

// ---------------------------------------------------------------------------
// The Model file grammar against the Model file reader.
// ---------------------------------------------------------------------------

fn model_grammar() -> Grammar {
    Grammar::load(&["model.abnf"])
}

/// The grammar and [`parse_model`] agree on `text`: read without a problem
/// means matched, and matched means read without a problem. A key given
/// twice is a warning the grammar cannot express, so it does not count.
fn agree_model(g: &Grammar, text: &str) -> Result<(), String> {
    let doc = parse_model(text);
    let clean = doc
        .problems()
        .iter()
        .all(|p| p.kind == ModelProblemKind::DuplicateKey);
    let matched = g.matches("model-file", text);
    if clean != matched {
        return Err(format!(
            "{text:?}: grammar {}, parser reports {:?}",
            if matched { "matches" } else { "does not match" },
            doc.problems()
        ));
    }
    Ok(())
}

#[test]
fn the_model_grammar_matches_what_it_should() {
    let g = model_grammar();
    for ok in [
        "{}",
        " {\"a\": 1, } // c",
        "{\"a\": [1, \"x\\&y\", {}, ], \"b\": -0.5e+3}",
        "// head\n{\"#http\": [{\"#code\": 401, \"#action\": \"REAUTHENTICATE\"}]}",
        "{\"t\": true, \"f\": false, \"n\": null}",
        "{} // last line, no line feed",
        "{\"a\": // c\n 1}\n// tail\n",
    ] {
        assert!(g.matches("model-file", ok), "{ok:?}");
        agree_model(&g, ok).unwrap_or_else(|e| panic!("{e}"));
    }
    for bad in [
        "",
        "{",
        "{\"a\" 1}",
        "{\"a\": 1 \"b\": 2}",
        "{\"a\": True}",
        "{\"a\": \"x\\=\"}",
        "{/* c */}",
        "{\"a\": 01}",
        "{,}",
        "//{}",
        "// c {}\n",
    ] {
        assert!(!g.matches("model-file", bad), "{bad:?}");
        agree_model(&g, bad).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn every_model_fixture_parses_as_the_grammar_says() {
    let g = model_grammar();
    let dir = root().join("fixtures/model");
    let mut seen = 0;
    let mut problems = Vec::new();
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "rest") {
            // The interpreter is exhaustive: keep to the small fixtures.
            let text = read(&p);
            if text.len() > 4096 {
                continue;
            }
            seen += 1;
            if let Err(e) = agree_model(&g, &text) {
                problems.push(format!("{}: {e}", p.display()));
            }
        }
    }
    assert!(seen > 0, "no .rest fixtures under fixtures/model");
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// Texts over the characters that drive the Model file rules.
fn modelish() -> impl Strategy<Value = String> {
    prop_oneof![
        "[{}\\[\\]\":, a1\\-.e\n/*\\\\&t]{0,20}",
        // Mostly well-formed: an object around a few members.
        "[\":, a1\\[\\]{}]{0,10}".prop_map(|s| format!("{{\"k\":{s}}}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: ProptestConfig::default().cases.max(512),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/grammar-model.txt"
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn model_parser_and_grammar_agree(s in modelish()) {
        let g = model_grammar();
        let verdict = agree_model(&g, &s);
        prop_assert!(verdict.is_ok(), "{:?}", verdict);
    }
}
