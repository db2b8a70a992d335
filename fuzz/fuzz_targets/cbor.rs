//! CBOR validation (both modes), typed reads, shortest re-encoding; larger inputs
//! through `ecnpp_attest_fuzz::large`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ecnpp_attest::fuzzing::cbor(data);
    ecnpp_attest_fuzz::large(data);
});
