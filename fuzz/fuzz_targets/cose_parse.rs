//! COSE_Sign1 parsing under every option set; accessors and the Sig_structure size; larger inputs
//! through `ecnpp_attest_fuzz::large`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ecnpp_attest::fuzzing::cose_parse(data);
    ecnpp_attest_fuzz::large(data);
});
