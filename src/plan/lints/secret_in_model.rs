//! `secret-in-model`: a password, token or key typed into the Model file.

declare_lint! {
    /// ### What it does
    /// Reports a literal value for a secret-looking name (password, secret,
    /// token, api-key, authorization) typed into the Model file: in a custom
    /// login's header or JSON body, or in `#headers`. connstr masks the
    /// value in every output (explain, JSON, errors, logs).
    ///
    /// ### Why it matters
    /// Model files are shared, committed and copied between machines;
    /// credentials belong in the connection options (Password,
    /// CustomAuthParams, SecurityToken), which are kept apart and masked.
    ///
    /// ### Example
    /// ```text
    /// "#authentication": [{"user": "{user}", "password": "hunter2"}, "POST https://…", "HEADER …"]
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// "#authentication": [{"user": "{user}", "password": "{password}"}, "POST https://…", "HEADER …"]
    /// ```
    name: "secret-in-model",
    severity: Warning,
    description: "a credential is typed into the Model file",
}
