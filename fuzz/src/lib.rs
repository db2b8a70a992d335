//! Support code of the fuzz targets that cannot live in the core crate because it needs other
//! crates: the coset/ciborium peer of the differential target. `tests/tests/fuzz_replay.rs`
//! includes `peer.rs` by path, so the replay on stable uses this very adapter.

pub mod peer;

/// Inputs above the harnesses' own size limit (`ecnpp_attest::fuzzing::MAX_INPUT`): every
/// reader that takes untrusted bytes before any key is needed, through the public API, with
/// no property but "returns" (libFuzzer's `-timeout` and `-report_slow_units` are the
/// oracle: the readers' work is linear in the input, see docs/fuzzing.md).
pub fn large(data: &[u8]) {
    use ecnpp_attest::cbor::{self, Mode};
    use ecnpp_attest::cose::{ParseOptions, UnverifiedSign1};
    use ecnpp_attest::eat::{Claims, DecodeOptions};
    if data.len() <= ecnpp_attest::fuzzing::MAX_INPUT {
        return;
    }
    let _ = cbor::validate(data, Mode::Lenient);
    let _ = cbor::validate(data, Mode::Strict);
    for options in [
        ParseOptions::DEFAULT,
        ParseOptions::PERMISSIVE_TAGS,
        ParseOptions {
            deterministic: true,
            ..ParseOptions::PERMISSIVE_TAGS
        },
    ] {
        let _ = UnverifiedSign1::parse(data, &options);
    }
    let _ = Claims::decode(data);
    let _ = Claims::decode_with(data, DecodeOptions { deterministic: true });
}
