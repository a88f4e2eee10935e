//! A small builder for [`Diagnostic`]s (crate-private).

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Fix, Label, Severity, SourceId, Text};
use crate::syntax::Span;

/// Builds one diagnostic.
pub(crate) struct Diag(Diagnostic);

impl Diag {
    pub(crate) fn new(
        lint: &'static str,
        severity: Severity,
        message: impl Into<Text>,
        source: SourceId,
        span: Span,
        label: impl Into<Text>,
    ) -> Self {
        Diag(Diagnostic {
            lint,
            severity,
            message: message.into(),
            help: None,
            primary: Label {
                source,
                span,
                message: label.into(),
            },
            secondary: Vec::new(),
            section: None,
            key: None,
            fix: None,
        })
    }

    pub(crate) fn help(mut self, help: impl Into<Text>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    pub(crate) fn key(mut self, key: impl Into<Text>) -> Self {
        self.0.key = Some(key.into());
        self
    }

    /// The odbc.ini section (shared: no copy of the name).
    pub(crate) fn section(mut self, section: Option<&Arc<str>>) -> Self {
        self.0.section = section.cloned();
        self
    }

    /// The odbc.ini section, from its name (a copy).
    pub(crate) fn section_named(mut self, section: Option<&str>) -> Self {
        self.0.section = section.map(Arc::from);
        self
    }

    pub(crate) fn secondary(
        mut self,
        source: SourceId,
        span: Span,
        message: impl Into<Text>,
    ) -> Self {
        // Most diagnostics have one secondary label at most: no spare room
        // for the first (later ones grow the Vec as usual).
        if self.0.secondary.is_empty() {
            self.0.secondary.reserve_exact(1);
        }
        self.0.secondary.push(Label {
            source,
            span,
            message: message.into(),
        });
        self
    }

    /// Attach a machine-applicable fix (see [`Fix`]; its replacements never
    /// hold a secret).
    pub(crate) fn fix(mut self, fix: Fix) -> Self {
        self.0.fix = Some(Box::new(fix));
        self
    }

    pub(crate) fn build(self) -> Diagnostic {
        self.0
    }
}
