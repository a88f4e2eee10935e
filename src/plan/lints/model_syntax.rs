//! `model-syntax`: the Model file cannot be read as written.

declare_lint! {
    /// ### What it does
    /// Reports what the Model file (`RESTConfigFile`, `.rest`) reader finds:
    /// an unclosed `{`, `[` or string, a missing `:`, an unquoted key, text
    /// where a value belongs (errors); a missing `,` between two entries, a
    /// `/* */` comment, an unknown `\x` escape, a key given twice (warnings).
    /// `//` comments, trailing commas and `\&` are accepted silently, as the
    /// vendor's own example file uses them. A missing `,` comes with a fix.
    ///
    /// ### Why it matters
    /// The driver reads its tables, paging and custom login from this file:
    /// a broken file fails at connect time, far from the line at fault.
    ///
    /// ### Example
    /// ```text
    /// {
    ///   "#http": [{"#code": 401, "#action": "REAUTHENTICATE"}]
    ///   "orders": "https://api.example.com/orders"
    /// }
    /// ```
    ///
    /// ### Use instead
    /// ```text
    /// {
    ///   "#http": [{"#code": 401, "#action": "REAUTHENTICATE"}],
    ///   "orders": "https://api.example.com/orders"
    /// }
    /// ```
    name: "model-syntax",
    severity: Error,
    description: "the Model file (.rest) is not valid JSON as the driver reads it",
}
