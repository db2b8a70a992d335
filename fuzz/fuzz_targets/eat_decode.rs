//! EAT claims decode, iteration, re-encoding fixed point.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecnpp_attest::fuzzing::eat_decode(data));
