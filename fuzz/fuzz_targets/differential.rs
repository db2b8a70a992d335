//! Differential against coset 0.4 and ciborium 0.2: same decisions on well-formed input (up to
//! documented stricter rules), same fields when both accept.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecnpp_fuzz_harness::differential(data));
