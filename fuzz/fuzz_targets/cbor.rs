//! CBOR validation (both modes), typed reads, shortest re-encoding; larger inputs through
//! `ecnpp_fuzz_harness::large`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ecnpp_fuzz_harness::cbor(data);
    ecnpp_fuzz_harness::large(data);
});
