//! COSE_Sign1 parsing under every option set; accessors and the Sig_structure size; larger inputs
//! through `ecnpp_fuzz_harness::large`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ecnpp_fuzz_harness::cose_parse(data);
    ecnpp_fuzz_harness::large(data);
});
