//! Claims built from the input: decode(encode(x)) == x, exact size queries, evidence signing.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecnpp_fuzz_harness::evidence_round_trip(data));
