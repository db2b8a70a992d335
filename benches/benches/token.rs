//! Criterion benches over a realistic ECN PP evidence token (16 claims, two submodules,
//! measurements; 424 bytes), each operation beside its baselines in the same group:
//! coset + ciborium for the codec, raw p256 (0.14 and 0.13) and raw aws-lc-rs for the crypto.
//!
//! `cargo bench -p ecnpp-benches --bench token` (add `--features precomputed-tables` for p256's
//! tables). For ratios on this shared machine prefer the `compare` binary, which alternates.
#![allow(missing_docs, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ecnpp_benches::baseline::{self, raw_aws_lc, raw_p256, raw_p256_13};
use ecnpp_benches::fixture::{self, DEVICE_SECRET, DeviceState, Keys, VERIFIER_SECRET};

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

fn codec(c: &mut Criterion) {
    let keys = Keys::new();
    let state = DeviceState::challenge(0);
    let token = fixture::token(&state, &keys);
    let mut out = [0u8; 1024];

    let mut g = c.benchmark_group("build_encode");
    g.bench_function("ours", |b| {
        b.iter(|| fixture::build_encode(black_box(&state), &mut out).expect("ours"));
    });
    g.bench_function("coset_ciborium", |b| {
        b.iter(|| baseline::build_encode(black_box(&state)).expect("base"));
    });
    g.finish();

    let mut g = c.benchmark_group("parse_claims_view");
    g.bench_function("ours", |b| {
        b.iter(|| fixture::parse_view(black_box(&token)).expect("ours"));
    });
    g.bench_function("coset_ciborium", |b| {
        b.iter(|| baseline::parse_view(black_box(&token)).expect("base"));
    });
    g.finish();
}

fn crypto(c: &mut Criterion) {
    let keys = Keys::new();
    let state = DeviceState::challenge(0);
    let token = fixture::token(&state, &keys);
    let msg = fixture::sig_structure(&token);
    let sig = fixture::signature_of(&token);
    let policy = fixture::policy(&state);
    let (sk, vk) = raw_p256::keys(&DEVICE_SECRET);
    let (sk13, vk13) = raw_p256_13::keys(&DEVICE_SECRET);
    let (lc_kp, lc_pk) = raw_aws_lc::keys(&DEVICE_SECRET);
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut out = [0u8; 1024];

    let mut g = c.benchmark_group("sign");
    g.bench_function("ours_default", |b| {
        b.iter(|| fixture::sign(black_box(&state), &keys.device, &mut out).expect("ours"));
    });
    g.bench_function("raw_p256_0.14", |b| {
        b.iter(|| raw_p256::sign(&sk, black_box(&msg)));
    });
    g.bench_function("coset_p256_0.14", |b| {
        b.iter(|| baseline::sign(black_box(&state), &sk).expect("base"));
    });
    g.bench_function("raw_p256_0.13", |b| {
        b.iter(|| raw_p256_13::sign(&sk13, black_box(&msg)));
    });
    g.bench_function("ours_aws_lc", |b| {
        b.iter(|| fixture::sign(black_box(&state), &keys.device_lc, &mut out).expect("ours"));
    });
    g.bench_function("raw_aws_lc", |b| {
        b.iter(|| raw_aws_lc::sign(&lc_kp, &rng, black_box(&msg)));
    });
    g.finish();

    let mut g = c.benchmark_group("verify");
    g.bench_function("ours_default", |b| {
        b.iter(|| fixture::verify(black_box(&token), &keys.device_pub).expect("ours"));
    });
    g.bench_function("raw_p256_0.14", |b| {
        b.iter(|| raw_p256::verify(&vk, black_box(&msg), &sig));
    });
    g.bench_function("coset_p256_0.14", |b| {
        b.iter(|| baseline::verify(black_box(&token), &vk).expect("base"));
    });
    g.bench_function("raw_p256_0.13", |b| {
        b.iter(|| raw_p256_13::verify(&vk13, black_box(&msg), &sig));
    });
    g.bench_function("ours_aws_lc", |b| {
        b.iter(|| fixture::verify(black_box(&token), &keys.device_pub_lc).expect("ours"));
    });
    g.bench_function("raw_aws_lc", |b| {
        b.iter(|| raw_aws_lc::verify(&lc_pk, black_box(&msg), &sig));
    });
    g.finish();

    let mut g = c.benchmark_group("verify_appraise");
    g.bench_function("ours_default", |b| {
        b.iter(|| {
            fixture::verify_appraise(black_box(&token), &keys.device_pub, &policy).expect("ours")
        });
    });
    g.bench_function("ours_aws_lc", |b| {
        b.iter(|| {
            fixture::verify_appraise(black_box(&token), &keys.device_pub_lc, &policy).expect("ours")
        });
    });
    g.bench_function("coset_p256_verify_view", |b| {
        b.iter(|| baseline::verify(black_box(&token), &vk).expect("base"));
    });
    g.finish();

    let result = fixture::verify_appraise(&token, &keys.device_pub, &policy).expect("fixture");
    let (vsk, vvk) = raw_p256::keys(&VERIFIER_SECRET);
    let mut g = c.benchmark_group("result_round_trip");
    g.bench_function("ours_default", |b| {
        b.iter(|| {
            fixture::result_round_trip(&result, &keys.verifier, &keys.verifier_pub, &mut out)
                .expect("ours")
        });
    });
    g.bench_function("coset_p256", |b| {
        b.iter(|| baseline::result_round_trip(&result, &vsk, &vvk).expect("base"));
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = codec, crypto
}
criterion_main!(benches);
