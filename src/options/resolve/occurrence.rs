//! One entry as resolution sees it ([`Occurrence`]: its option, key, decoded
//! value, origin, whether it wins) and the input layer it belongs to
//! ([`Layer`]).

use std::fmt;
use std::sync::Arc;

use crate::diagnostic::SourceId;
use crate::options::Origin;
use crate::options::catalog::{MatchedBy, OptionSpec};
use crate::options::hidden::HiddenPair;
use crate::options::odbcini::IniScope;
#[cfg(doc)]
use crate::options::{IniFile, OptionSet};
use crate::syntax::{Entry, Form, Span};

/// One input layer of an [`OptionSet`]: a connection string, a JDBC URL, or
/// one DSN section of an odbc.ini.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    /// Which input.
    pub source: SourceId,
    /// Its form.
    pub form: Form,
    /// The DSN section name, for odbc.ini (shared with the [`Origin`]s of
    /// the layer's values).
    pub section: Option<Arc<str>>,
    /// The section's header span, for odbc.ini.
    pub section_span: Option<Span>,
    /// Which odbc.ini, for odbc.ini.
    pub scope: Option<IniScope>,
    /// How to name the file in a message (its path), for odbc.ini (shared
    /// with [`IniFile::name`]).
    pub file_name: Option<Arc<str>>,
    /// Unix permission bits of the file, when known.
    pub mode: Option<u32>,
}

/// One `key=value` entry as resolution sees it.
///
/// Its `Debug` shows the value only for known options that are not secret.
#[derive(Clone)]
pub struct Occurrence {
    /// The catalog row, `None` for an unknown key.
    pub spec: Option<&'static OptionSpec>,
    /// How the key matched the row.
    pub matched_by: Option<MatchedBy>,
    /// The keys and decoded values of the whole layer, one after the other,
    /// and its odbc.ini section: shared by the layer's occurrences (one
    /// allocation per layer rather than two per entry, one reference count
    /// per occurrence). Always `Some` once the layer is read.
    pub(super) shared: Option<Arc<LayerText>>,
    /// Where the key starts in `text`.
    pub(super) key_start: usize,
    /// Where the key ends and the value starts in `text`.
    pub(super) value_start: usize,
    /// Where the value ends in `text`.
    pub(super) value_end: usize,
    /// The parsed entry (spans into its layer's source).
    pub entry: Entry,
    /// Which input it came from.
    pub(super) source: SourceId,
    /// Index into [`OptionSet::layers`].
    pub layer: usize,
    /// Whether this occurrence is the one used for its option.
    pub wins: bool,
    /// `Key=value` pairs swallowed by this value (see
    /// [`hidden_pairs`](crate::options::hidden_pairs)).
    pub hidden: Box<[HiddenPair]>,
    /// What the key alone says of secrecy, worked out once when the entry is
    /// read (lints and redaction ask for every occurrence, more than once).
    pub(super) key_secrecy: KeySecrecy,
}

/// Whether a key is secret, by its name alone: see [`Occurrence::is_secret`].
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct KeySecrecy {
    /// A secret option of some driver profile
    /// ([`is_secret_name`](crate::options::drivers::is_secret_name)).
    pub(super) profile_secret: bool,
    /// A key that is or looks like a secret
    /// ([`is_secret_key`](crate::options::is_secret_key)).
    pub(super) looks_secret: bool,
}

impl KeySecrecy {
    /// For a key of a known catalog row, whose name is (or is not) a secret
    /// option's name in some driver profile.
    pub(super) fn known(profile_secret: bool) -> Self {
        KeySecrecy {
            profile_secret,
            looks_secret: false,
        }
    }

    /// What `key` says, for a key of catalog row `spec` (`None`: unknown).
    pub(super) fn of(key: &str, spec: Option<&OptionSpec>) -> Self {
        match spec {
            Some(_) => KeySecrecy {
                profile_secret: crate::options::drivers::is_secret_name(key),
                looks_secret: false,
            },
            None => KeySecrecy {
                profile_secret: false,
                looks_secret: crate::options::is_secret_key(key),
            },
        }
    }
}

/// What the occurrences of one layer share: their keys and values, and the
/// layer's odbc.ini section (the same `Arc` as [`Layer::section`]).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct LayerText {
    pub(super) text: Box<str>,
    pub(super) section: Option<Arc<str>>,
}

impl Occurrence {
    /// The layer's text.
    fn text(&self) -> &str {
        self.shared.as_deref().map_or("", |s| &s.text)
    }

    /// The odbc.ini section it came from.
    fn section(&self) -> Option<&Arc<str>> {
        self.shared.as_deref().and_then(|s| s.section.as_ref())
    }

    /// The key as written.
    pub fn key(&self) -> &str {
        self.text()
            .get(self.key_start..self.value_start)
            .unwrap_or_default()
    }

    /// The decoded value (braces, quotes and `}}` undone). May be a secret:
    /// check [`Occurrence::is_secret`] before showing it.
    pub fn value(&self) -> &str {
        self.text()
            .get(self.value_start..self.value_end)
            .unwrap_or_default()
    }

    /// Which input it came from.
    pub fn source(&self) -> SourceId {
        self.source
    }

    /// Where it came from: its input, section, key and raw value.
    pub fn origin(&self) -> Origin {
        Origin {
            source: self.source,
            section: self.section().cloned(),
            key: self.entry.key,
            value: self.entry.raw_value,
        }
    }

    /// The canonical option name, or the key as written when unknown.
    pub fn name(&self) -> &str {
        self.spec.map_or(self.key(), |s| s.name)
    }

    /// Whether the value must never be shown: a secret option, or a key that
    /// looks like one ([`is_secret_key`](crate::options::is_secret_key)).
    pub fn is_secret(&self) -> bool {
        match self.spec {
            Some(spec) => spec.secret || self.key_secrecy.profile_secret,
            None => self.key_secrecy.looks_secret,
        }
    }

    /// The value, when it is safe to show in a message: a known non-secret
    /// option whose value hides no other pair and holds no line break.
    pub fn displayable_value(&self) -> Option<&str> {
        self.spec?;
        let value = self.value();
        (!self.is_secret()
            && self.hidden.is_empty()
            && memchr::memchr2(b'\n', b'\r', value.as_bytes()).is_none())
        .then_some(value)
    }
}

/// Equal when every field is, comparing the key and value texts (not where
/// they are stored).
impl PartialEq for Occurrence {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
            && self.matched_by == other.matched_by
            && self.key() == other.key()
            && self.value() == other.value()
            && self.entry == other.entry
            && self.source == other.source
            && self.section() == other.section()
            && self.layer == other.layer
            && self.wins == other.wins
            && self.hidden == other.hidden
    }
}

impl Eq for Occurrence {}

impl fmt::Debug for Occurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = match self.displayable_value() {
            Some(v) => &v.to_owned(),
            None => &crate::REDACTED,
        };
        f.debug_struct("Occurrence")
            .field("name", &self.name())
            .field("key", &self.key())
            .field("value", value)
            .field("origin", &self.origin())
            .field("layer", &self.layer)
            .field("wins", &self.wins)
            .finish()
    }
}
