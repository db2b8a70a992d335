//! COSE_Sign1 parse and ES256 verify under the RFC 9052 C.2.1 example key.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecnpp_fuzz_harness::cose_verify(data));
