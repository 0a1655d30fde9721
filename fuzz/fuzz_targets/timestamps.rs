#![no_main]
//! See `cexsign_fuzz::timestamps` for what is fuzzed and which properties are checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| cexsign_fuzz::timestamps(data));
