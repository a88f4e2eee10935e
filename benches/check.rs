//! Benchmark of `connstr check` on a large generated odbc.ini (filled in below).

fn main() {}
