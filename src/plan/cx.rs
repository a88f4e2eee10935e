//! The validation state ([`Cx`]) and how validation reads options: the
//! value in effect, required and optional options, URLs, the token endpoint.
//! Lints (`super::lints`) and the plan's construction (`super::build`) share it.

use std::cell::OnceCell;
use std::sync::Arc;

use url::Url;

use super::build::{GrantKind, MethodLabel};
use super::diag::Diag;
use super::model::{ModelFile, ModelValue, OAUTH_ENTRIES};
use super::types::{AuthMethod, HeaderName, TokenEndpoint};
use super::values::{TokenUriError, parse_http_url, parse_token_uri};
use crate::Secret;
use crate::diagnostic::{Diagnostic, Text};
use crate::options::drivers::{Profile, Recognition};
use crate::options::{Layer, Occurrence, OptionSet, OptionSpec, Origin, lookup};
use crate::syntax::{Form, Span};
use crate::text::trim;

/// Occurrences whose [`Cx::effective`] value is kept.
const EFFECTIVE_KEPT: usize = 32;

/// Validation state: the set, the diagnostics so far, the options read.
pub(crate) struct Cx<'s> {
    pub(crate) set: &'s OptionSet,
    /// Which driver profile judges the target, and why.
    recognition: &'s Recognition,
    pub(crate) diags: Vec<Diagnostic>,
    /// The options read, by catalog row (bit `i` for row `i`)…
    used: u128,
    /// …and by name, for rows past the 128th (none in practice).
    used_more: Vec<&'static str>,
    /// [`Cx::spec_of`] of every occurrence of the set, in its order, once
    /// worked out (lints ask for the same occurrences many times).
    specs: OnceCell<Vec<Option<&'static OptionSpec>>>,
    /// [`Cx::effective`] of the first occurrences, once worked out.
    effective: [OnceCell<&'s str>; EFFECTIVE_KEPT],
    /// `AuthenticationMethod=X` (and the grant, for legacy OAuth2), for messages.
    pub(crate) method_label: MethodLabel,
    /// For legacy OAuth2: the grant chosen.
    pub(crate) legacy: Option<GrantKind>,
    /// The Model file RESTConfigFile names, when it was looked at.
    pub(crate) model: Option<&'s ModelFile>,
    /// Values taken from the Model file, for the plan's provenance.
    pub(crate) model_origins: Vec<(&'static str, Origin)>,
}

impl<'s> Cx<'s> {
    pub(crate) fn new(set: &'s OptionSet, recognition: &'s Recognition) -> Self {
        Cx {
            set,
            recognition,
            diags: Vec::new(),
            used: 0,
            used_more: Vec::new(),
            specs: OnceCell::new(),
            effective: std::array::from_fn(|_| OnceCell::new()),
            method_label: MethodLabel {
                method: AuthMethod::None,
                legacy_grant: None,
            },
            legacy: None,
            model: None,
            model_origins: Vec::new(),
        }
    }

    /// The profile of the target's driver: `None` for a driver connstr has
    /// no profile for (only driver-independent lints apply). A driver lint
    /// starts with `let Some(p) = cx.driver() else { return };` and checks
    /// `p.id`.
    pub(crate) fn driver(&self) -> Option<&'static Profile> {
        self.recognition.profile
    }

    /// How the target's driver was recognised (for messages).
    pub(crate) fn recognition(&self) -> &'s Recognition {
        self.recognition
    }

    /// Whether the target is judged as Autonomous REST: the auth plan and
    /// its lints run only then.
    pub(crate) fn is_autorest(&self) -> bool {
        self.recognition.is_autorest()
    }

    /// The option `o` is for the target's driver (its profile, then the
    /// driver manager's keys); `None`: unknown to that driver, or the
    /// driver has no profile and the key is not the driver manager's.
    /// For Autonomous REST, the catalog row resolution found.
    pub(crate) fn spec_of(&self, o: &Occurrence) -> Option<&'static OptionSpec> {
        match self.place_of(o) {
            Some(at) => self.specs()[at],
            None => self.resolve_spec(o),
        }
    }

    /// Where `o` is in the set, when it is one of the set's own occurrences
    /// (as it usually is): found from its address, not by a search.
    fn place_of(&self, o: &Occurrence) -> Option<usize> {
        let all = self.set.all();
        let at = (o as *const Occurrence as usize).wrapping_sub(all.as_ptr() as usize)
            / std::mem::size_of::<Occurrence>().max(1);
        all.get(at)
            .is_some_and(|own| std::ptr::eq(own, o))
            .then_some(at)
    }

    /// Whether some option is given more than once in one layer (under one
    /// name or several): what `duplicate-key` and `long-and-short-name` look
    /// for. Most targets give each option once, and this answers it without
    /// either lint gathering anything.
    pub(crate) fn has_repeats(&self) -> bool {
        let (all, specs) = (self.set.all(), self.specs());
        specs.iter().enumerate().any(|(i, s)| {
            s.is_some_and(|s| {
                specs[i + 1..]
                    .iter()
                    .zip(&all[i + 1..])
                    .any(|(t, p)| p.layer == all[i].layer && t.is_some_and(|t| std::ptr::eq(s, t)))
            })
        })
    }

    /// [`Cx::spec_of`] of every occurrence of the set, in its order.
    pub(crate) fn specs(&self) -> &[Option<&'static OptionSpec>] {
        self.specs.get_or_init(|| {
            self.set
                .all()
                .iter()
                .map(|o| self.resolve_spec(o))
                .collect()
        })
    }

    /// [`Cx::spec_of`], worked out.
    fn resolve_spec(&self, o: &Occurrence) -> Option<&'static OptionSpec> {
        match self.recognition.profile {
            Some(p) if p.is_autorest() => o
                .spec
                .or_else(|| crate::options::drivers::MANAGER.lookup(trim(o.key()))),
            Some(p) => p.known(trim(o.key())),
            None => crate::options::drivers::MANAGER.lookup(trim(o.key())),
        }
    }

    /// The Model file's value for option `name`, recorded as used.
    pub(crate) fn model_value(&mut self, name: &'static str) -> Option<&'s ModelValue> {
        let v = self.model?.oauth_value(name)?;
        self.model_origins.push((name, v.origin.clone()));
        Some(v)
    }

    /// A problem with a value from the Model file.
    pub(crate) fn model_invalid(&mut self, v: &ModelValue, message: String, help: &str) {
        let d = Diag::new(
            super::lints::INVALID_VALUE,
            crate::diagnostic::Severity::Error,
            message,
            v.origin.source,
            v.origin.value,
            "in the Model file",
        )
        .help(help.to_owned());
        self.push(d);
    }

    pub(crate) fn push(&mut self, d: Diag) {
        // Most targets with a problem have one: room for exactly that
        // first (later ones grow the Vec as usual).
        if self.diags.capacity() == 0 {
            self.diags.reserve_exact(1);
        }
        self.diags.push(d.build());
    }

    pub(crate) fn layer(&self, o: &Occurrence) -> Option<&'s Layer> {
        self.set.layers().get(o.layer)
    }

    pub(crate) fn section(&self, o: &Occurrence) -> Option<&'s Arc<str>> {
        self.layer(o).and_then(|l| l.section.as_ref())
    }

    pub(crate) fn is_ini(&self, o: &Occurrence) -> bool {
        self.layer(o).is_some_and(|l| l.form == Form::Ini)
    }

    /// The value as the plan reads it: cut before a swallowed pair or line
    /// break, without an odbc.ini stray `;` (both reported separately).
    pub(crate) fn effective<'o>(&self, o: &'o Occurrence) -> &'o str
    where
        's: 'o,
    {
        // Asked for again and again: kept for the first occurrences of the
        // set (by their position in it).
        let all = self.set.all();
        let kept = self
            .place_of(o)
            .and_then(|at| Some((all.get(at)?, self.effective.get(at)?)));
        match kept {
            Some((own, slot)) => slot.get_or_init(|| self.work_out_effective(own)),
            None => self.work_out_effective(o),
        }
    }

    fn work_out_effective<'o>(&self, o: &'o Occurrence) -> &'o str {
        let mut v = o.value();
        if let Some(first) = o.hidden.iter().find(|h| !h.leading)
            && !o.entry.quote.is_braced()
        {
            let cut = first.key.start().saturating_sub(o.entry.value.start());
            v = v.get(..cut).unwrap_or(v);
        }
        if let Some(i) = memchr::memchr2(b'\r', b'\n', v.as_bytes()) {
            v = &v[..i];
        }
        let mut v = trim(v);
        if self.is_ini(o) {
            v = v.trim_end_matches(';').trim_end();
        }
        v
    }

    /// Where [`Cx::effective`] of `o` is in its source, when the value is
    /// written as read (not braced with `}}` inside): fixes replace or
    /// insert there.
    pub(crate) fn effective_span(&self, o: &Occurrence) -> Option<Span> {
        let value = o.value();
        if value.len() != o.entry.value.len() {
            return None;
        }
        let eff = self.effective(o);
        let offset = (eff.as_ptr() as usize).checked_sub(value.as_ptr() as usize)?;
        (offset + eff.len() <= value.len()).then(|| {
            let start = o.entry.value.start() + offset;
            Span::new(start, start + eff.len())
        })
    }

    /// The winning occurrence of `name` with a non-empty value (not marked used).
    pub(crate) fn present(&self, name: &str) -> Option<&'s Occurrence> {
        self.non_empty(self.set.get(name))
    }

    /// `o`, unless its value in effect is empty.
    fn non_empty(&self, o: Option<&'s Occurrence>) -> Option<&'s Occurrence> {
        o.filter(|o| !self.effective(o).is_empty())
    }

    pub(crate) fn mark(&mut self, name: &'static str) {
        self.mark_spec(name, lookup(name));
    }

    /// [`Cx::mark`] of `name`, whose catalog row `spec` is already looked up.
    fn mark_spec(&mut self, name: &'static str, spec: Option<&'static OptionSpec>) {
        match spec.and_then(|s| s.index()).filter(|&i| i < 128) {
            Some(i) => self.used |= 1 << i,
            None if !self.used_more.contains(&name) => self.used_more.push(name),
            None => {}
        }
    }

    /// Whether option `spec` was read.
    pub(crate) fn is_used(&self, spec: &OptionSpec) -> bool {
        match spec.index().filter(|&i| i < 128) {
            Some(i) => self.used & (1 << i) != 0,
            None => self.used_more.contains(&spec.name),
        }
    }

    /// Read an optional option (marks it used).
    pub(crate) fn take(&mut self, name: &'static str) -> Option<&'s Occurrence> {
        // The name looked up once for both (plans read dozens of options).
        let spec = lookup(name);
        self.mark_spec(name, spec);
        // A name the catalog lacks is set in no option set.
        self.non_empty(spec.and_then(|spec| self.set.get_spec(spec)))
    }

    /// Read a required option; report `missing-required` when absent or empty.
    pub(crate) fn require(&mut self, name: &'static str) -> Option<&'s Occurrence> {
        let found = self.take(name);
        if found.is_none() && !self.model.is_some_and(|m| m.provides(name)) {
            self.missing(name, None);
            if let Some(m) = self.model.filter(|m| m.unreadable.is_some())
                && let Some((entry, _)) = OAUTH_ENTRIES.iter().find(|(_, n)| *n == name)
                && let Some(d) = self.diags.last_mut()
            {
                d.help = Some(
                    format!(
                        "{}\nthe Model file {} could not be read: if it sets `{entry}`, {name} is not missing",
                        d.help.clone().unwrap_or_default(),
                        m.display()
                    )
                    .into(),
                );
            }
        }
        found
    }

    pub(crate) fn text(&mut self, name: &'static str, required: bool) -> Option<String> {
        let o = if required {
            self.require(name)
        } else {
            self.take(name)
        }?;
        Some(self.effective(o).to_owned())
    }

    pub(crate) fn secret(&mut self, name: &'static str, required: bool) -> Option<Secret> {
        let o = if required {
            self.require(name)
        } else {
            self.take(name)
        }?;
        Some(Secret::new(self.effective(o)))
    }

    pub(crate) fn url(&mut self, name: &'static str, required: bool) -> Option<Url> {
        let o = if required {
            self.require(name)
        } else {
            self.take(name)
        };
        let Some(o) = o else {
            let v = self.model_value(name)?;
            return match parse_http_url(&v.value) {
                Ok(u) => Some(u),
                Err(e) => {
                    self.model_invalid(
                        v,
                        format!("the Model file's value for {name} is not usable: {e}"),
                        "write an absolute URL such as https://example.com/path",
                    );
                    None
                }
            };
        };
        match parse_http_url(self.effective(o)) {
            Ok(u) => Some(u),
            Err(e) => {
                self.invalid(
                    o,
                    format!("{name} is not usable: {e}"),
                    format!("{name} must be an absolute URL such as https://example.com/path"),
                );
                None
            }
        }
    }

    pub(crate) fn endpoint(&mut self) -> Option<TokenEndpoint> {
        let Some(o) = self.require("TokenURI") else {
            // `#tokenUri` in the Model file, with the same GET/POST rules.
            let v = self.model_value("TokenURI")?;
            return match parse_token_uri(&v.value) {
                Ok(e) => Some(e),
                Err(TokenUriError::Method(m)) => {
                    self.model_invalid(
                        v,
                        format!("#tokenUri starts with `{m}`: only `GET ` and `POST ` may prefix the URL"),
                        "write `\"#tokenUri\": \"POST https://…\"` (or no prefix for GET)",
                    );
                    None
                }
                Err(TokenUriError::Url(e)) => {
                    self.model_invalid(
                        v,
                        format!("#tokenUri is not usable: {e}"),
                        "write `\"#tokenUri\": \"POST https://…/token\"`",
                    );
                    None
                }
            };
        };
        match parse_token_uri(self.effective(o)) {
            Ok(e) => Some(e),
            Err(TokenUriError::Method(m)) => {
                self.invalid(
                    o,
                    format!(
                        "TokenURI starts with `{m}`: only `GET ` and `POST ` may prefix the URL"
                    ),
                    "write `TokenURI=POST https://…` (or no prefix for GET)",
                );
                None
            }
            Err(TokenUriError::Url(e)) => {
                self.invalid(
                    o,
                    format!("TokenURI is not usable: {e}"),
                    "write `TokenURI=POST https://…/token`",
                );
                None
            }
        }
    }

    pub(crate) fn header(&mut self, o: &'s Occurrence) -> Option<HeaderName> {
        let v = self.effective(o);
        let h = HeaderName::parse(v);
        if h.is_none() {
            let shown = o
                .displayable_value()
                .map_or(String::new(), |v| format!(" `{v}`"));
            self.invalid(
                o,
                format!("AuthHeader{shown} is not a valid HTTP header name"),
                "a header name is letters, digits and `-` (like `X-Tenant-Id`), with no blanks or `:`".to_owned(),
            );
        }
        h
    }

    /// The occurrence in effect of the target driver's option `name` (by
    /// its canonical name; any of its spellings matches): the one from the
    /// highest layer, and in that layer the first (odbc.ini, and connection
    /// strings read first-wins) or the last (`--last-wins`). For driver
    /// lints, whose options are not Autonomous REST's.
    pub(crate) fn driver_option(&self, name: &str) -> Option<&'s Occurrence> {
        let set = self.set;
        let specs = self.specs();
        let named = || {
            set.all()
                .iter()
                .zip(specs)
                .filter(|(_, s)| s.is_some_and(|s| s.name.eq_ignore_ascii_case(name)))
                .map(|(o, _)| o)
        };
        let top = named().map(|o| o.layer).max()?;
        let mut in_top = named().filter(|o| o.layer == top);
        let last = set.last_wins() && self.layer_form(top) != Some(Form::Ini);
        if last {
            in_top.next_back()
        } else {
            in_top.next()
        }
    }

    /// The form of layer `layer`.
    fn layer_form(&self, layer: usize) -> Option<Form> {
        self.set.layers().get(layer).map(|l| l.form)
    }
}

/// The canonical name of `o`'s option (no copy), or its key as written.
pub(crate) fn name_text(o: &Occurrence) -> Text {
    match o.spec {
        Some(spec) => Text::Borrowed(spec.name),
        None => Text::Owned(o.key().to_owned()),
    }
}

/// "a, b and c".
pub(crate) fn join_and(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// At most `n` names, then "…".
pub(crate) fn shorten(names: &[&str], n: usize) -> String {
    if names.len() <= n {
        names.join(", ")
    } else {
        format!("{}, …", names[..n].join(", "))
    }
}
