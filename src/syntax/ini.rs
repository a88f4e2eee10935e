//! odbc.ini files (placeholder: being written).
use super::{Document, Form, Node, Span};

/// unixODBC cuts lines at this many characters.
pub const INI_LINE_LIMIT: usize = 1000;

/// Parse an odbc.ini or odbcinst.ini file.
pub fn parse_ini(source: &str) -> Document<'_> {
    let nodes = if source.is_empty() { vec![] } else { vec![Node::Invalid(Span::new(0, source.len()))] };
    Document::new(source, Form::Ini, nodes, vec![])
}
