//! Inputs above the other harnesses' size limit.

use ecnpp_attest::cbor::{self, Mode};
use ecnpp_attest::cose::{ParseOptions, UnverifiedSign1};
use ecnpp_attest::eat::{Claims, DecodeOptions};

use crate::MAX_INPUT;

/// Inputs above [`MAX_INPUT`] (smaller ones are ignored): every reader that takes untrusted
/// bytes before any key is needed, with no property but "returns" (libFuzzer's `-timeout` and
/// `-report_slow_units` are the oracle: the readers' work is linear in the input, see
/// docs/fuzzing.md).
pub fn large(data: &[u8]) {
    if data.len() <= MAX_INPUT {
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
    let _ = Claims::decode_with(
        data,
        DecodeOptions {
            deterministic: true,
        },
    );
}
