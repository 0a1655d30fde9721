//! The fuzz targets' saved inputs, replayed as ordinary tests (CI never runs the fuzzer).
//!
//! The harness is `fuzz/src/lib.rs`, included here as a module: each saved input under
//! `fuzz/regressions/<target>/` goes through the very function its fuzz target calls, with the
//! same properties asserted. A file ending in `.open` is an input that shows a bug not fixed
//! yet: it must still fail (through the strict harness where there is one), and the test says
//! so when it stops failing — then drop the suffix, and the entry in `KNOWN_DIVERGENCES`.
//!
//! Besides the saved inputs, every harness also runs on a few hundred deterministic
//! pseudo-random inputs, so the harness code itself is exercised in CI.
//!
//! How to run the fuzzers: `fuzz/README.md`.

#![cfg(feature = "cdp")]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

#[path = "../fuzz/src/lib.rs"]
mod harness;

type Harness = fn(&[u8]);

/// Every target: its name (the directory under `fuzz/regressions/`), its harness, and the
/// strict harness that `.open` inputs must still fail.
const TARGETS: [(&str, Harness, Harness); 6] = [
    ("credentials", harness::credentials, harness::credentials_strict),
    ("timestamps", harness::timestamps, harness::timestamps),
    ("decode_query", harness::decode_query, harness::decode_query),
    ("server_time", harness::server_time, harness::server_time_strict),
    ("rejection", harness::rejection, harness::rejection),
    ("verifier", harness::verifier, harness::verifier_strict),
];

fn regressions(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.expect("a readable directory").path()).collect();
    files.retain(|path| path.is_file() && path.extension().is_none_or(|ext| ext != "md"));
    files.sort();
    files
}

fn is_open(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "open")
}

#[test]
fn every_saved_input_passes_its_harness() {
    let mut replayed = 0;
    for (target, harness, _) in TARGETS {
        for path in regressions(target).into_iter().filter(|p| !is_open(p)) {
            let data = std::fs::read(&path).expect("a readable input");
            if catch_unwind(|| harness(&data)).is_err() {
                panic!("{target}: {} fails again (see the panic above)", path.display());
            }
            replayed += 1;
        }
    }
    println!("{replayed} saved fuzz inputs replayed");
}

#[test]
fn every_open_bug_still_fails() {
    let mut open = Vec::new();
    for (target, _, strict) in TARGETS {
        for path in regressions(target).into_iter().filter(|p| is_open(p)) {
            let data = std::fs::read(&path).expect("a readable input");
            let failed = catch_unwind(AssertUnwindSafe(|| strict(&data))).is_err();
            assert!(
                failed,
                "{target}: {} passes now: the bug is fixed; drop the .open suffix (and its entry in \
                 KNOWN_DIVERGENCES in fuzz/src/lib.rs, if it has one)",
                path.display()
            );
            open.push(path);
        }
    }
    if !open.is_empty() {
        println!("{} open bugs still fail, as expected: {:?}; {:?}", open.len(), open, harness::KNOWN_DIVERGENCES);
    }
}

/// xorshift64*: deterministic inputs without a dependency.
struct Inputs(u64);

impl Inputs {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self) -> Vec<u8> {
        let len = (self.next() % 512) as usize;
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Every saved input still decodes to a harness input (an input the harness can no longer
/// decode would pass as "nothing to check" and silently stop guarding its bug). What each one
/// decodes to is printed: `cargo test --all-features --test fuzz_regressions -- --nocapture`.
#[test]
fn saved_inputs_still_decode() {
    let mut described = 0;
    for (target, _, _) in TARGETS {
        for path in regressions(target) {
            let data = std::fs::read(&path).expect("a readable input");
            let shown = harness::describe(target, &data)
                .unwrap_or_else(|| panic!("{} no longer decodes: re-encode it for the harness", path.display()));
            println!("{}:\n{shown}\n", path.display());
            described += 1;
        }
    }
    assert!(described > 0, "no saved inputs found");
}

#[test]
fn every_harness_runs_on_pseudo_random_inputs() {
    for (seed, (target, harness, _)) in TARGETS.into_iter().enumerate() {
        let mut inputs = Inputs(0x9e37_79b9_7f4a_7c15 ^ seed as u64);
        for round in 0..300 {
            let data = inputs.bytes();
            if catch_unwind(|| harness(&data)).is_err() {
                panic!("{target}: pseudo-random input {round} fails: {data:?}");
            }
        }
    }
}
