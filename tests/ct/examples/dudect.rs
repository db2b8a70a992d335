//! dudect-style statistical timing tests (dudect-bencher): a report for reviewers, not a gate.
//! Timings on shared machines are noisy; |t| well above 5 on a constant-time candidate means
//! "look closer", not "broken", and the leaky comparison is there to show what a leak looks
//! like on the same machine in the same run.
//!
//!   cargo run --release --example dudect --manifest-path tests/ct/Cargo.toml
//!   cargo run --release --example dudect --manifest-path tests/ct/Cargo.toml -- --continuous nonce_ct_eq
//!
//! Each bench times one operation on two classes of inputs: Left a fixed input, Right random
//! inputs (for comparisons: equal operands against operands that differ in a random byte).

use dudect_bencher::rand::{Rng, RngExt};
use dudect_bencher::{BenchRng, Class, CtRunner, ctbench_main};
use ecnpp_attest::crypto::{Signer, SigningKey};
use ecnpp_attest::eat::{Measurement, Nonce};
use ecnpp_ct::{digest, leaky_eq};

const SAMPLES: usize = 100_000;

fn differing_pair(rng: &mut BenchRng) -> ([u8; 32], [u8; 32]) {
    let a: [u8; 32] = rng.random();
    let mut b = a;
    let i = rng.random_range(0..32);
    b[i] ^= 1 + rng.random_range(0..255u8);
    (a, b)
}

/// Pairs for a comparison: Left equal operands, Right operands differing in one random byte.
fn comparison_inputs(rng: &mut BenchRng) -> Vec<(Class, [u8; 32], [u8; 32])> {
    (0..SAMPLES)
        .map(|_| {
            if rng.random::<bool>() {
                let a: [u8; 32] = rng.random();
                (Class::Left, a, a)
            } else {
                let (a, b) = differing_pair(rng);
                (Class::Right, a, b)
            }
        })
        .collect()
}

fn nonce_ct_eq(runner: &mut CtRunner, rng: &mut BenchRng) {
    for (class, a, b) in comparison_inputs(rng) {
        runner.run_one(class, || {
            Nonce::new(&a).map(|n| n.ct_eq(&b)).unwrap_or(false)
        });
    }
}

fn measurement_ct_eq(runner: &mut CtRunner, rng: &mut BenchRng) {
    for (class, a, b) in comparison_inputs(rng) {
        let (m, r) = (
            Measurement {
                content_type: 0,
                content: &a,
            },
            Measurement {
                content_type: 0,
                content: &b,
            },
        );
        runner.run_one(class, || m.ct_eq(&r));
    }
}

/// The reference leak: an early-exit comparison. Expect a large |t|.
fn leaky_eq_reference(runner: &mut CtRunner, rng: &mut BenchRng) {
    for (class, a, b) in comparison_inputs(rng) {
        runner.run_one(class, || leaky_eq(&a, &b));
    }
}

/// A valid key from random bytes (rejection sampling; invalid scalars are astronomically rare).
fn random_key(rng: &mut BenchRng) -> SigningKey {
    loop {
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        if let Ok(key) = SigningKey::from_bytes(&secret) {
            return key;
        }
    }
}

/// ES256 signing: Left one fixed key, Right random keys (same digest). Slow: fewer samples.
fn es256_sign(runner: &mut CtRunner, rng: &mut BenchRng) {
    let d = digest();
    for _ in 0..2_000 {
        let (class, key) = if rng.random::<bool>() {
            (Class::Left, SigningKey::from_bytes(&[0x42; 32]))
        } else {
            (Class::Right, Ok(random_key(rng)))
        };
        let Ok(key) = key else { continue };
        runner.run_one(class, || {
            key.sign_digest(&d).map(|s| s.to_bytes()[0]).unwrap_or(0)
        });
    }
}

ctbench_main!(
    nonce_ct_eq,
    measurement_ct_eq,
    leaky_eq_reference,
    es256_sign
);
