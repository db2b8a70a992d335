//! COSE_Sign1 parsing under every option set; accessors and the Sig_structure size.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecnpp_attest::fuzzing::cose_parse(data));
