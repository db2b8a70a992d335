//! 1 000 random and mutated inputs (deterministic seed) through `ecnpp verify` and
//! `ecnpp inspect`: every run ends with exit code 0, 1 or 2 and nothing panics.
//!
//! The mutations start from real tokens (evidence and an attestation result, binary, hex and
//! base64) and flip bits, overwrite bytes with CBOR-significant values, truncate, insert, delete
//! and splice; a share of inputs is plain random bytes. Each input runs as its own process, on
//! all cores.
// Test code: a failed unwrap or index is a failed test, which is what it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use common::{ECNPP, NONCE, TempDir, ecnpp, endorsing_policy, example};

/// SplitMix64: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap()).unwrap()
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }
}

/// Bytes that mean something to a CBOR reader: heads of every width, indefinite lengths,
/// break, tags 18 and 61, simple values, the largest lengths.
const INTERESTING: [u8; 20] = [
    0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x40, 0x5b, 0x5f, 0x7f, 0x9f, 0xbf, 0xd2, 0xd8,
    0xf6, 0xf8, 0xfb, 0xff,
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut v = seeds[rng.below(seeds.len())].clone();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = v.len().max(1);
        match rng.below(9) {
            0 => {
                let i = rng.below(len);
                if let Some(b) = v.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                let i = rng.below(len);
                let x = INTERESTING[rng.below(INTERESTING.len())];
                if let Some(b) = v.get_mut(i) {
                    *b = x;
                }
            }
            2 => v.truncate(rng.below(len)),
            3 => {
                let i = rng.below(len).min(v.len());
                let n = 1 + rng.below(16);
                let ins: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
                v.splice(i..i, ins);
            }
            4 => {
                let i = rng.below(len).min(v.len());
                let j = (i + 1 + rng.below(32)).min(v.len());
                v.drain(i..j);
            }
            5 => {
                // Splice: copy a range of the input over another place (duplicate map entries,
                // nested items in the wrong place).
                let i = rng.below(len).min(v.len());
                let j = (i + 1 + rng.below(24)).min(v.len());
                let piece = v[i..j].to_vec();
                let at = rng.below(len).min(v.len());
                v.splice(at..at, piece);
            }
            6 => {
                // A huge declared length at a random position.
                let i = rng.below(len).min(v.len());
                v.splice(i..i, [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
            }
            7 => {
                // Deep nesting.
                let i = rng.below(len).min(v.len());
                let n = 1 + rng.below(200);
                v.splice(i..i, std::iter::repeat_n(0x81, n));
            }
            _ => {
                let i = rng.below(len);
                if let Some(b) = v.get_mut(i) {
                    *b = rng.byte();
                }
            }
        }
    }
    v
}

fn random_input(rng: &mut Rng) -> Vec<u8> {
    let n = rng.below(300);
    let mut v: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
    if rng.below(2) == 0 && v.len() >= 2 {
        v[0] = 0xd2; // tag 18
        v[1] = 0x84; // array of 4
    }
    v
}

/// Runs one input through `verify` and `inspect`; returns both exit codes.
fn run_both(key: &Path, input: &Path) -> [i32; 2] {
    let mut codes = [0; 2];
    let arg = input.to_string_lossy().into_owned();
    let key = key.to_string_lossy().into_owned();
    let commands: [Vec<&str>; 2] = [vec!["verify", "--pub", &key, &arg], vec!["inspect", &arg]];
    for (slot, args) in codes.iter_mut().zip(commands) {
        let out = Command::new(ECNPP)
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code().unwrap_or_else(|| {
            panic!(
                "{args:?} was killed by a signal ({:?}): {stderr}",
                out.status
            )
        });
        assert!(
            !stderr.contains("panicked"),
            "{args:?} panicked on {}:\n{stderr}",
            input.display()
        );
        assert!(
            [0, 1, 2].contains(&code),
            "{args:?} exited {code} on {}:\n{stderr}",
            input.display()
        );
        *slot = code;
    }
    codes
}

#[test]
fn a_thousand_random_and_mutated_inputs_never_panic() {
    let dir = TempDir::new("robust");
    // A fixed device key, so the seeds (and so every input) are the same on every run.
    let key = dir.join("device.key");
    std::fs::write(
        &key,
        "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721\n",
    )
    .unwrap();
    let verifier = dir.join("verifier.key");
    std::fs::write(
        &verifier,
        "519b423d715f8b581f4fa8ee59f4771a5b44c8130b4e3eacca54a56dda72b464\n",
    )
    .unwrap();
    let token = dir.join("seed.cbor");
    ecnpp([
        "--now",
        "1790000000",
        "sign",
        "--key",
        &key.to_string_lossy(),
        "--claims",
        &example("claims-secure-enclave.json").to_string_lossy(),
        "--nonce",
        NONCE,
        "-o",
        &token.to_string_lossy(),
    ])
    .expect(0);
    let result = dir.join("result.cbor");
    ecnpp([
        "--now",
        "1790000000",
        "appraise",
        "--pub",
        &key.to_string_lossy(),
        "--policy",
        &endorsing_policy(&dir, "device.key"),
        "--nonce",
        NONCE,
        &token.to_string_lossy(),
        "--result-key",
        &verifier.to_string_lossy(),
        "-o",
        &result.to_string_lossy(),
    ])
    .expect(0);
    let evidence = std::fs::read(&token).unwrap();
    let seeds = vec![
        evidence.clone(),
        std::fs::read(&result).unwrap(),
        hex::encode(&evidence).into_bytes(),
        base64::engine::general_purpose::STANDARD
            .encode(&evidence)
            .into_bytes(),
    ];

    let mut rng = Rng(0x00ec_0991_2026_0007);
    let inputs: Vec<PathBuf> = (0..1000)
        .map(|i| {
            let bytes = if i % 5 == 4 {
                random_input(&mut rng)
            } else {
                mutate(&mut rng, &seeds)
            };
            let path = dir.join(&format!("in{i:04}.bin"));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();

    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = inputs.len().div_ceil(threads);
    let started = std::time::Instant::now();
    let tallies: Vec<BTreeMap<(usize, i32), usize>> = std::thread::scope(|s| {
        let handles: Vec<_> = inputs
            .chunks(chunk)
            .map(|part| {
                let key = &key;
                s.spawn(move || {
                    let mut tally = BTreeMap::new();
                    for input in part {
                        for (cmd, code) in run_both(key, input).into_iter().enumerate() {
                            *tally.entry((cmd, code)).or_insert(0) += 1;
                        }
                    }
                    tally
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut total: BTreeMap<(usize, i32), usize> = BTreeMap::new();
    for t in tallies {
        for (k, v) in t {
            *total.entry(k).or_insert(0) += v;
        }
    }
    let name = ["verify", "inspect"];
    let summary: Vec<String> = total
        .iter()
        .map(|((cmd, code), n)| format!("{} exit {code}: {n}", name[*cmd]))
        .collect();
    eprintln!(
        "1000 inputs x 2 commands in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        summary.join(", ")
    );
    // The mutations reach every outcome: some inputs still verify (a changed unprotected kid,
    // a hex seed with whitespace), most are refused, a few are unreadable (empty).
    assert_eq!(total.values().sum::<usize>(), 2000);
    assert!(
        total.get(&(0, 1)).copied().unwrap_or(0) > 500,
        "{summary:?}"
    );
    assert!(total.get(&(1, 0)).copied().unwrap_or(0) > 0, "{summary:?}");
}
