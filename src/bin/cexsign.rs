//! The `cexsign` command-line tool (placeholder).
fn main() {}
