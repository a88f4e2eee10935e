//! `missing-required`: an option the authentication method needs is not set.

declare_lint! {
    /// ### What it does
    /// Reports an option the authentication method (or the grant legacy
    /// `OAuth2` resolves to) cannot do without, when it is absent or empty.
    /// It also points at the option when it is written inside another value
    /// (a missing `;`) or misspelt.
    ///
    /// Not required, so never reported: OAuthCode for
    /// OAuth2-AuthorizationCode (the application may supply the code at
    /// connect time; `explain` says so, and `connstr login` obtains one when
    /// AuthURI is set), and ClientID for OAuth2-JWTBearer (the assertion's
    /// issuer, ClaimsIssuer, identifies the client; RFC 7523 §3).
    ///
    /// ### Why it matters
    /// The driver cannot authenticate: the connection fails at run time,
    /// often with an error from the server that does not name the option.
    ///
    /// ### Example
    /// ```text
    /// AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;TokenURI=POST https://idp/token
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// AuthenticationMethod=OAuth2-ClientCredentials;ClientID=app;ClientSecret=…;TokenURI=POST https://idp/token
    /// ```
    name: "missing-required",
    severity: Error,
    description: "an option the authentication method needs is not set",
}

use crate::diagnostic::Severity;
use crate::options::{lookup, suggest};
use crate::plan::cx::Cx;
use crate::plan::diag::Diag;
use crate::plan::lints;

impl Cx<'_> {
    /// Report that `name` is missing; `why` replaces the usual explanation.
    pub(crate) fn missing(&mut self, name: &'static str, why: Option<String>) {
        let set = self.set;
        let empty = set.get(name).is_some();
        let message = match &why {
            Some(w) if empty => format!("{w} ({name} is empty)"),
            Some(w) => w.clone(),
            None if empty => format!("{} needs {name}, but its value is empty", self.method_label),
            None => format!("{} needs {name}, which is not set", self.method_label),
        };
        let mut help = lookup(name).map_or(String::new(), |s| format!("{name}: {}", s.description));
        // A hidden `Name=` inside another value, or a misspelt key.
        for o in set.all() {
            for h in &o.hidden {
                if !h.leading && h.spec.is_some_and(|s| s.name == name) {
                    help.push_str(&format!(
                        "\n{name}= is written inside the value of {}: a `;` is missing before it",
                        o.name()
                    ));
                }
            }
            if o.spec.is_none() && suggest(o.key()) == Some(name) {
                help.push_str(&format!(
                    "\n`{}` looks like a misspelling of {name}",
                    o.key()
                ));
            }
        }
        let (source, span, label, section) = match set.get("AuthenticationMethod") {
            Some(m) => (
                m.source(),
                m.entry.raw_value,
                format!("needs {name}"),
                self.section(m),
            ),
            None => {
                let (s, sp) = set.anchor();
                (s, sp, format!("needs {name}"), set.dsn_shared())
            }
        };
        let d = Diag::new(
            lints::MISSING_REQUIRED,
            Severity::Error,
            message,
            source,
            span,
            label,
        )
        .help(if help.starts_with(char::is_whitespace) {
            help.trim_start().to_owned()
        } else {
            help
        })
        .key(name)
        .section(section);
        self.push(d);
    }
}
