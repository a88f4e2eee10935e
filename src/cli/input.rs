//! Loading the shared [`InputArgs`] into [`Sources`]: files, `-` (standard
//! input), `-c` strings and the `--ini` file, each with its surface form.
//!
//! A file is an odbc.ini when its name ends in `.ini` or its first line that is
//! neither blank nor a comment is a `[section]`; otherwise it holds one
//! connection string or JDBC URL (line breaks between pairs are fine).

use std::io::Read as _;
use std::path::{Path, PathBuf};

use connstr::diagnostic::{SourceId, Sources};
use connstr::syntax::{
    Document, Form, LineIndex, Lossless, parse_connection_string, parse_ini, parse_jdbc_url,
};

use super::InputArgs;

/// Where an input came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `--ini FILE`.
    IniFlag,
    /// A FILE argument.
    File,
    /// `-`.
    Stdin,
    /// The n-th (1-based) `-c STRING`.
    Arg(usize),
    /// A default odbc.ini location (`$ODBCINI`, `~/.odbc.ini`, …).
    Default,
}

/// One loaded input.
#[derive(Clone, Debug)]
pub struct Input {
    /// Its text in [`Loaded::sources`].
    pub id: SourceId,
    /// How to parse it.
    pub form: Form,
    /// Where it came from.
    pub origin: Origin,
}

/// Every input of a run, read and classified.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The texts.
    pub sources: Sources,
    /// The inputs, in command-line order: `--ini` first, then files, then `-c`.
    pub inputs: Vec<Input>,
}

impl Loaded {
    /// The parsed document of `input`.
    pub fn parse(&self, input: &Input) -> Document<'_> {
        let text = self.sources.get(input.id).map_or("", |s| s.text.as_str());
        parse(text, input.form)
    }
}

/// Why the inputs could not be loaded (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `-` given twice.
    #[error("standard input (`-`) can be read only once")]
    StdinTwice,
}

/// Parse `text` as `form`.
pub fn parse(text: &str, form: Form) -> Document<'_> {
    match form {
        Form::Ini => parse_ini(text),
        Form::JdbcUrl => parse_jdbc_url(text),
        Form::ConnectionString => parse_connection_string(text),
    }
}

pub use connstr::report::{detect_input_form as detect_form, string_form};

fn lossless(name: &str, bytes: Vec<u8>) -> Result<(Lossless, LineIndex), InputError> {
    // Any bytes: those that are not UTF-8 are kept (see `Lossless`).
    let text = Lossless::decode(bytes);
    // Resource bounds (size, line length, entries) before anything parses
    // it; the line index comes with them.
    let index =
        connstr::syntax::check_limits_indexed(text.text(), &connstr::syntax::Limits::default())
            .map_err(|e| InputError::Read {
                path: PathBuf::from(name),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })?;
    Ok((text, index))
}

/// Read a file, or standard input when `path` is `None`, within the input
/// limits, losslessly: bytes that are not UTF-8 are kept ([`Lossless`]). At
/// most one byte more than the size limit is ever read, so a huge file or an
/// endless pipe cannot exhaust memory.
pub fn read_text(path: Option<&Path>) -> Result<Lossless, InputError> {
    read_indexed(path).map(|(text, _)| text)
}

/// [`read_text`], with the text's line index.
fn read_indexed(path: Option<&Path>) -> Result<(Lossless, LineIndex), InputError> {
    let name = path.map_or_else(|| "<stdin>".to_owned(), |p| p.display().to_string());
    let io_error = |source| InputError::Read {
        path: PathBuf::from(&name),
        source,
    };
    let cap = connstr::syntax::Limits::default().max_input_bytes as u64 + 1;
    let mut bytes = Vec::new();
    match path {
        Some(p) => std::fs::File::open(p)
            .and_then(|f| {
                // Room for the whole file at once: growing by doubling
                // copies a large odbc.ini several times.
                let len = f.metadata().map_or(0, |m| m.len()).min(cap);
                bytes.reserve_exact(usize::try_from(len).unwrap_or(0).saturating_add(1));
                f.take(cap).read_to_end(&mut bytes)
            })
            .map_err(io_error)?,
        None => std::io::stdin()
            .lock()
            .take(cap)
            .read_to_end(&mut bytes)
            .map_err(io_error)?,
    };
    lossless(&name, bytes)
}

fn read_file(path: &Path) -> Result<(Lossless, LineIndex), InputError> {
    read_indexed(Some(path))
}

/// The odbc.ini files used when none is named: the user's (`$ODBCINI`, else
/// `~/.odbc.ini`) then the system's (`$ODBCSYSINI/odbc.ini`, else
/// `/etc/odbc.ini`), those that exist.
pub fn default_ini_paths() -> Vec<PathBuf> {
    let user = std::env::var_os("ODBCINI")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".odbc.ini")));
    let system = std::env::var_os("ODBCSYSINI")
        .map(|d| PathBuf::from(d).join("odbc.ini"))
        .unwrap_or_else(|| PathBuf::from("/etc/odbc.ini"));
    user.into_iter()
        .chain(std::iter::once(system))
        .filter(|p| p.is_file())
        .collect()
}

impl Loaded {
    /// Read the file at `path` and register it as an input of the form
    /// `form` says (given the text).
    fn add_file(
        &mut self,
        path: &Path,
        form: impl FnOnce(&str) -> Form,
        origin: Origin,
    ) -> Result<(), InputError> {
        let (text, index) = read_file(path)?;
        let form = form(text.text());
        let id = self.sources.add_lossless_indexed(
            path.display().to_string(),
            Some(path.to_path_buf()),
            text,
            index,
        );
        self.inputs.push(Input { id, form, origin });
        Ok(())
    }
}

/// Read every input named by `args`. With no input at all, the default
/// odbc.ini files are read (see [`default_ini_paths`]).
pub fn load(args: &InputArgs) -> Result<Loaded, InputError> {
    let mut loaded = Loaded::default();
    if let Some(path) = &args.ini {
        loaded.add_file(path, |_| Form::Ini, Origin::IniFlag)?;
    }
    let mut stdin_read = false;
    for path in &args.files {
        if path.as_os_str() == "-" {
            if stdin_read {
                return Err(InputError::StdinTwice);
            }
            stdin_read = true;
            let (text, index) = read_indexed(None)?;
            let form = detect_form(None, text.text());
            let id = loaded
                .sources
                .add_lossless_indexed("<stdin>", None, text, index);
            loaded.inputs.push(Input {
                id,
                form,
                origin: Origin::Stdin,
            });
        } else {
            loaded.add_file(path, |text| detect_form(Some(path), text), Origin::File)?;
        }
    }
    for (i, s) in args.strings.iter().enumerate() {
        let form = string_form(s);
        let id = loaded
            .sources
            .add(format!("<-c {}>", i + 1), None, s.clone());
        loaded.inputs.push(Input {
            id,
            form,
            origin: Origin::Arg(i + 1),
        });
    }
    Ok(loaded)
}

/// Read the default odbc.ini files into `loaded` (when nothing else was
/// given, or to resolve a `DSN=`). Returns how many were read.
pub fn load_defaults(loaded: &mut Loaded) -> Result<usize, InputError> {
    let paths = default_ini_paths();
    for path in &paths {
        loaded.add_file(path, |_| Form::Ini, Origin::Default)?;
    }
    Ok(paths.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_detected_by_name_then_content() {
        let p = Path::new("x.INI");
        assert_eq!(detect_form(Some(p), "DSN=a"), Form::Ini);
        assert_eq!(detect_form(None, "\n# c\n; c\n  [sales]\nA=1"), Form::Ini);
        assert_eq!(
            detect_form(None, "\n# c\nDSN=a;\nUID=b"),
            Form::ConnectionString
        );
        assert_eq!(
            detect_form(None, "  JDBC:datadirect:autorest:a=b"),
            Form::JdbcUrl
        );
        assert_eq!(
            detect_form(Some(Path::new("a.txt")), ""),
            Form::ConnectionString
        );
        assert_eq!(detect_form(None, "\u{feff}[a]\n"), Form::Ini);
    }
}
