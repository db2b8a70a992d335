//! EAT claims decode, iteration, re-encoding fixed point; larger inputs through
//! `ecnpp_fuzz_harness::large`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ecnpp_fuzz_harness::eat_decode(data);
    ecnpp_fuzz_harness::large(data);
});
