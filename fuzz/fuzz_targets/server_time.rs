#![no_main]
//! See `cexsign_fuzz::server_time` for what is fuzzed and which properties are checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| cexsign_fuzz::server_time(data));
