//! ECN PP evidence validation and appraisal of any claims map; issued results verify.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecnpp_fuzz_harness::appraise(data));
