#![no_main]
//! See `cexsign_fuzz::decode_query` for what is fuzzed and which properties are checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| cexsign_fuzz::decode_query(data));
