//! Conformance runner: signs every vector of a file or directory from its inputs and prints one
//! JSON object, vector id -> the auth headers (REST) or flat auth fields (ws) produced.
//!
//! ```text
//! cargo run -q --release --example conformance -- tests/vectors > out.json
//! python3 ../shared/tools/check_headers.py tests/vectors out.json
//! ```
//!
//! Exit status: 0 when every vector was signed, 1 when some could not be (each named on stderr),
//! 2 when the input could not be read.

mod runner;

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Map, Value};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: conformance PATH   (a vector file or a directory of them)");
        return ExitCode::from(2);
    };
    let vectors = match runner::load(&PathBuf::from(path)) {
        Ok(vectors) => vectors,
        Err(problem) => {
            eprintln!("conformance: {problem}");
            return ExitCode::from(2);
        }
    };
    let mut output = Map::new();
    let mut failed = 0usize;
    for vector in &vectors {
        match runner::run(vector) {
            Ok(produced) => {
                let values = produced.values.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
                output.insert(vector.id.clone(), Value::Object(values));
            }
            Err(problem) => {
                failed += 1;
                eprintln!("conformance: {}: {problem}", vector.id);
            }
        }
    }
    println!("{}", Value::Object(output));
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("conformance: {failed} of {} vectors could not be signed", vectors.len());
        ExitCode::from(1)
    }
}
