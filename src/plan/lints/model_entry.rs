//! `model-entry`: a `#` entry of the Model file that the driver cannot use.

declare_lint! {
    /// ### What it does
    /// Reports `#options`, `#authenticationMethod`, `#http` and the OAuth
    /// entries of a Model file when their shape is wrong: `#options` not an
    /// object, an unknown authentication method, an `#http` rule without
    /// `#code` or `#action`, an action the documentation does not list.
    ///
    /// ### Why it matters
    /// The driver ignores or refuses these entries at connect time: a
    /// misspelt `REAUTHENTICATE` means an expired token is never renewed.
    ///
    /// ### Example
    /// ```text
    /// "#http": [{"#code": 401, "#action": "REAUTHENTICATED"}]
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// "#http": [{"#code": 401, "#action": "REAUTHENTICATE"}]
    /// ```
    name: "model-entry",
    severity: Error,
    description: "a `#` entry of the Model file has the wrong shape or value",
}
