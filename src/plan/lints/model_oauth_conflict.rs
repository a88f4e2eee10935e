//! `model-oauth-conflict`: a Model file with both OAuth 2.0 entries and `#authentication`.

declare_lint! {
    /// ### What it does
    /// Reports a Model file that defines a custom login (`#authentication`)
    /// and OAuth 2.0 entries (`#tokenUri`, `#authUri`, `#scope`, …) at once.
    ///
    /// ### Why it matters
    /// The vendor documents the two as mutually exclusive: one of them is
    /// not used, and which one depends on AuthenticationMethod.
    ///
    /// ### Example
    /// ```text
    /// {"#tokenUri": "https://login.example.com/token",
    ///  "#authentication": ["POST https://login.example.com/session", "HEADER Authorization=Bearer {/t}"]}
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// {"#authentication": ["POST https://login.example.com/session", "HEADER Authorization=Bearer {/t}"]}
    /// ```
    name: "model-oauth-conflict",
    severity: Error,
    description: "the Model file defines both a custom login and OAuth 2.0 entries",
}
