//! Each baseline does the same work as ours: same bytes out, same answers.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use ecnpp_attest::appraise::TrustStatus;
use ecnpp_attest::eat::Promise;

use crate::baseline::{self, raw_aws_lc, raw_p256, raw_p256_13};
use crate::fixture::{self, DEVICE_SECRET, DeviceState, Keys, VERIFIER_SECRET};

#[test]
fn fixture_is_realistic() {
    let keys = Keys::new();
    let token = fixture::token(&DeviceState::challenge(0), &keys);
    let mut claims = [0u8; 512];
    let n = fixture::build_encode(&DeviceState::challenge(0), &mut claims).unwrap();
    assert!((330..=450).contains(&n), "claims {n} bytes");
    assert!(
        (350..=450).contains(&token.len()),
        "token {} bytes",
        token.len()
    );
    let entries = ecnpp_attest::cbor::Decoder::new(&claims[..n])
        .map()
        .unwrap();
    assert_eq!(entries, 16);
}

#[test]
fn codec_baselines_produce_the_same_bytes() {
    let keys = Keys::new();
    let state = DeviceState::challenge(7);
    let mut ours = [0u8; 512];
    let n = fixture::build_encode(&state, &mut ours).unwrap();
    assert_eq!(baseline::build_encode(&state).unwrap(), &ours[..n]);

    let (sk, vk) = raw_p256::keys(&DEVICE_SECRET);
    let token = fixture::token(&state, &keys);
    // RFC 6979 on both sides: byte-identical tokens.
    assert_eq!(baseline::sign(&state, &sk).unwrap(), token);

    assert_eq!(
        baseline::parse_view(&token).unwrap(),
        fixture::parse_view(&token).unwrap()
    );
    assert_eq!(
        baseline::verify(&token, &vk).unwrap(),
        fixture::verify(&token, &keys.device_pub).unwrap()
    );
}

#[test]
fn result_baseline_matches() {
    let keys = Keys::new();
    let state = DeviceState::challenge(3);
    let token = fixture::token(&state, &keys);
    let policy = fixture::policy(&state);
    let r = fixture::verify_appraise(&token, &keys.device_pub, &policy).unwrap();
    assert_eq!(r.status(), TrustStatus::Affirming, "{:?}", r.reasons());
    assert_eq!(r.promise(), Some(Promise::SecureEnclave));

    let mut out = [0u8; 1024];
    let n = r
        .sign(
            &ecnpp_attest::cose::Sign1Builder::new(),
            &keys.verifier,
            &mut out,
        )
        .unwrap();
    let payload = ecnpp_attest::cose::UnverifiedSign1::parse(
        &out[..n],
        &ecnpp_attest::cose::ParseOptions::DEFAULT,
    )
    .unwrap()
    .payload_untrusted()
    .unwrap()
    .to_vec();
    use coset::CborSerializable as _;
    assert_eq!(baseline::result_claims(&r).to_vec().unwrap(), payload);

    let (sk, vk) = raw_p256::keys(&VERIFIER_SECRET);
    assert!(fixture::result_round_trip(&r, &keys.verifier, &keys.verifier_pub, &mut out).unwrap());
    assert!(baseline::result_round_trip(&r, &sk, &vk).unwrap());
}

#[test]
fn crypto_baselines_sign_and_verify_our_message() {
    let keys = Keys::new();
    let token = fixture::token(&DeviceState::challenge(1), &keys);
    let msg = fixture::sig_structure(&token);
    let sig = fixture::signature_of(&token);

    let (sk, vk) = raw_p256::keys(&DEVICE_SECRET);
    assert_eq!(raw_p256::sign(&sk, &msg), sig);
    assert!(raw_p256::verify(&vk, &msg, &sig));

    let (sk13, vk13) = raw_p256_13::keys(&DEVICE_SECRET);
    assert_eq!(raw_p256_13::sign(&sk13, &msg), sig);
    assert!(raw_p256_13::verify(&vk13, &msg, &sig));

    let (kp, pk) = raw_aws_lc::keys(&DEVICE_SECRET);
    let rng = aws_lc_rs::rand::SystemRandom::new();
    assert!(raw_aws_lc::verify(&pk, &msg, &sig));
    assert!(raw_p256::verify(
        &vk,
        &msg,
        &raw_aws_lc::sign(&kp, &rng, &msg)
    ));
    assert_eq!(
        raw_aws_lc::sha256(&msg),
        ecnpp_attest::crypto::Sha256::digest(&msg)
    );

    // Our AWS-LC provider on the same token.
    assert_eq!(
        fixture::verify(&token, &keys.device_pub_lc).unwrap(),
        Some(Promise::SecureEnclave)
    );
    let mut out = [0u8; 1024];
    let n = fixture::sign(&DeviceState::challenge(1), &keys.device_lc, &mut out).unwrap();
    assert!(fixture::verify(&out[..n], &keys.device_pub).is_ok());
}

#[test]
fn prototype_sign_encode_once_is_byte_identical() {
    let keys = Keys::new();
    for i in 0..4 {
        let state = DeviceState::challenge(i);
        let token = fixture::token(&state, &keys);
        let mut out = [0u8; 1024];
        let n = fixture::with_claims(&state, |c| {
            crate::prototype::sign_encode_once(c, fixture::KID, &keys.device, &mut out)
        })
        .unwrap();
        assert_eq!(&out[..n], &token[..]);
        let mut small = [0u8; 100];
        assert_eq!(
            fixture::with_claims(&state, |c| {
                crate::prototype::sign_encode_once(c, fixture::KID, &keys.device, &mut small)
            }),
            Err(ecnpp_attest::Error::BufferTooSmall {
                needed: token.len()
            })
        );
    }
}
