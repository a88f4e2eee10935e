//! DataDirect JDBC URLs (placeholder: being written).
use super::{Document, Form, Node, Span};

/// Parse a DataDirect JDBC URL.
pub fn parse_jdbc_url(source: &str) -> Document<'_> {
    let nodes = if source.is_empty() { vec![] } else { vec![Node::Invalid(Span::new(0, source.len()))] };
    Document::new(source, Form::JdbcUrl, nodes, vec![])
}
