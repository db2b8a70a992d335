//! EAT claims decode, iteration, re-encoding fixed point; larger inputs
//! through `ecnpp_attest_fuzz::large`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ecnpp_attest::fuzzing::eat_decode(data);
    ecnpp_attest_fuzz::large(data);
});
