//! Criterion bench of parallel batch verification + appraisal (`ecnpp_attest::batch`):
//! 256 distinct tokens on 1, 2 and (when the host has them) more threads, both providers.
//!
//! `cargo bench -p ecnpp-benches --bench batch`. Throughput is reported in tokens per second.
#![allow(missing_docs, clippy::expect_used)]

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ecnpp_attest::batch::{self, Job};
use ecnpp_attest::cose::ParseOptions;
use ecnpp_attest::ecnpp::Endorsement;
use ecnpp_benches::fixture::{self, DeviceState, Keys};

const TOKENS: u32 = 256;

fn batch_verify(c: &mut Criterion) {
    let keys = Keys::new();
    let states: Vec<DeviceState> = (0..TOKENS).map(DeviceState::challenge).collect();
    let tokens: Vec<Vec<u8>> = states.iter().map(|s| fixture::token(s, &keys)).collect();
    let jobs: Vec<Job<'_>> = states
        .iter()
        .zip(&tokens)
        .map(|(s, t)| Job {
            token: t,
            challenge: fixture::policy(s).challenge,
        })
        .collect();
    let policy = fixture::policy(states.first().expect("tokens"));
    let max = batch::available_threads().get().max(2);
    let mut counts = vec![1, 2];
    if max > 2 {
        counts.push(max);
    }

    let default_endorsement = Endorsement::new(&keys.device_pub, &fixture::MODELS);
    let lc_endorsement = Endorsement::new(&keys.device_pub_lc, &fixture::MODELS);
    let mut g = c.benchmark_group("batch_verify_appraise");
    g.throughput(Throughput::Elements(u64::from(TOKENS)));
    for &n in &counts {
        let threads = NonZeroUsize::new(n).expect("n > 0");
        g.bench_with_input(BenchmarkId::new("default", n), &threads, |b, &t| {
            b.iter(|| {
                batch::verify_and_appraise(
                    black_box(&jobs),
                    |_| Some(&default_endorsement),
                    &policy,
                    &ParseOptions::DEFAULT,
                    t,
                )
            });
        });
        g.bench_with_input(BenchmarkId::new("aws_lc", n), &threads, |b, &t| {
            b.iter(|| {
                batch::verify_and_appraise(
                    black_box(&jobs),
                    |_| Some(&lc_endorsement),
                    &policy,
                    &ParseOptions::DEFAULT,
                    t,
                )
            });
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = batch_verify
}
criterion_main!(benches);
