//! The hostile claims sets the Cortex-M stack measurement signs and verifies
//! (benches/size/probe/hostile, written by its generate.py) are what they claim to be: each
//! verifies, reaches the submodule depth bound, and is appraised in full. Their stack peak is
//! measured under QEMU by `bash benches/size/run.sh`; this test keeps the inputs honest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use ecnpp_attest::Error;
use ecnpp_attest::appraise::{Challenge, Policy, appraise};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder};
use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::eat::{Claims, MAX_SUBMODULE_DEPTH, Submodule};
use ecnpp_attest::ecnpp::{self, Endorsement};

const SHAPES: [&str; 4] = [
    "nested-sorted",
    "nested-unsorted-deepest",
    "nested-unsorted-all",
    "wide-nested",
];

fn shape(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../benches/size/probe/hostile/{name}.cbor",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Submodule depth of the deepest claims set, following the first submodule at each level
/// below the top-level `"tee"`.
fn depth(c: &Claims<'_>) -> usize {
    let Some(subs) = c.submods else { return 0 };
    subs.iter()
        .filter_map(|s| match s.submodule {
            Submodule::Claims(inner) => Some(1 + depth(&inner)),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

#[test]
#[cfg_attr(miri, ignore)] // ES256
fn hostile_stack_shapes_verify_and_are_appraised_in_full() {
    let key = SigningKey::from_bytes(&[0x31; 32]).unwrap();
    let vk = key.verifying_key();
    for name in SHAPES {
        let payload = shape(name);
        let b = Sign1Builder::new();
        let mut token = vec![0u8; b.encoded_len(payload.as_slice())];
        b.sign(&key, payload.as_slice(), &mut token).unwrap();
        let e = ecnpp::VerifiedEvidence::verify(
            &token,
            &Endorsement::new(&vk, &[]),
            &ParseOptions::DEFAULT,
        )
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(depth(e.claims()), MAX_SUBMODULE_DEPTH, "{name}");
        // Every claims set is walked by the profile rules: nothing stops them early.
        assert_eq!(ecnpp::validate_evidence(e.claims()), Ok(()), "{name}");
        let strict = ParseOptions {
            deterministic: true,
            ..ParseOptions::DEFAULT
        };
        let strict_result =
            ecnpp::VerifiedEvidence::verify(&token, &Endorsement::new(&vk, &[]), &strict).err();
        if name == "nested-sorted" || name == "wide-nested" {
            assert_eq!(strict_result, None);
        } else {
            assert_eq!(strict_result, Some(Error::NonDeterministic), "{name}");
        }
        let policy = Policy::new(
            Challenge {
                nonce: &[0x5a; 32],
                issued_at: 1_789_999_990,
            },
            1_790_000_000,
            &[],
            "https://verifier.example",
        );
        let _ = appraise(&e, &policy);
    }
}
