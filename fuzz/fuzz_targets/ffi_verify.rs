//! Through the C API (`ecnpp-attest-ffi`): `ecnpp_sign1_verify` and `ecnpp_sign1_kid_untrusted`
//! give exactly the result code and the borrowed payload / kid that the library gives for the
//! same input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecnpp_fuzz_harness::ffi_verify(data));
