//! ODBC connection strings (placeholder: being written).
use super::{Document, Form, Node, Span};

/// Parse an ODBC connection string.
pub fn parse_connection_string(source: &str) -> Document<'_> {
    let nodes = if source.is_empty() { vec![] } else { vec![Node::Invalid(Span::new(0, source.len()))] };
    Document::new(source, Form::ConnectionString, nodes, vec![])
}
