//! CBOR validation (both modes), typed reads, shortest re-encoding.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecnpp_attest::fuzzing::cbor(data));
