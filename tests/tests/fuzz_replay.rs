//! Replays the fuzz inputs on stable, through the very harness functions the cargo-fuzz targets
//! call (`ecnpp-fuzz-harness`, [`harness::run`]):
//!
//! * every file of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`;
//! * the library-made seeds ([`harness::seeds`]) and the public COSE vectors, in memory, so
//!   they are checked even where the corpus folders were never seeded.
//!
//! Every target replays in full, the differential one against coset and ciborium and
//! `ffi_verify` through the C API, as under libFuzzer.
//!
//! `cargo test -p ecnpp-tests --test fuzz_replay -- --ignored write_seeds` (re)writes the seed
//! files into `fuzz/corpus/` (see `scripts/fuzz/seed.sh`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub
)]

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use ecnpp_attest::cose::ParseOptions;
use ecnpp_fuzz_harness::{self as harness, TARGETS, VerifyCase};
use ecnpp_tests::vectors_dir;
use serde_json::Value;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Runs one input through the harness of `target`; `Err` with the panic message on failure.
fn replay(target: &str, data: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        assert!(harness::run(target, data), "unknown target {target}");
    }))
    .map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    })
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Under Miri (`cargo +nightly miri test -p ecnpp-tests --test fuzz_replay`): the targets
/// that run real ES256 (minutes per signature there) are left out, and one corpus file in
/// `MIRI_STRIDE` is replayed; every regression file still is.
#[cfg(miri)]
const MIRI_SKIP: [&str; 3] = ["cose_verify", "ffi_verify", "appraise"];
#[cfg(miri)]
const MIRI_STRIDE: usize = 64;

#[test]
fn corpora_and_regressions_replay() {
    let mut failures = Vec::new();
    let mut total = 0usize;
    for target in TARGETS {
        #[cfg(miri)]
        if MIRI_SKIP.contains(&target) {
            continue;
        }
        for kind in ["corpus", "regressions"] {
            let found = files(&fuzz_dir().join(kind).join(target));
            #[cfg(miri)]
            let found: Vec<PathBuf> = found
                .into_iter()
                .enumerate()
                .filter(|(i, _)| kind == "regressions" || i % MIRI_STRIDE == 0)
                .map(|(_, f)| f)
                .collect();
            for file in &found {
                let data = fs::read(file).unwrap();
                if let Err(msg) = replay(target, &data) {
                    failures.push(format!("{}: {msg}", file.display()));
                }
            }
            println!("{kind:>11} {target:<20} {:>5} inputs", found.len());
            total += found.len();
        }
    }
    println!("replayed {total} corpus and regression inputs");
    assert!(
        failures.is_empty(),
        "failing inputs:\n{}",
        failures.join("\n")
    );
}

/// Every target must have a corpus folder with something in it (seeded by `write_seeds`).
#[test]
#[cfg_attr(miri, ignore)] // lists thousands of files: no parser code, and very slow under Miri
fn every_target_has_a_corpus() {
    for target in TARGETS {
        let n = files(&fuzz_dir().join("corpus").join(target)).len();
        assert!(
            n > 0,
            "fuzz/corpus/{target} is empty: run scripts/fuzz/seed.sh"
        );
    }
}

fn library_seeds() -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::new();
    harness::seeds(&mut |target, name, data| {
        out.push((target.to_owned(), name.to_owned(), data.to_vec()));
    });
    out
}

#[test]
#[cfg_attr(miri, ignore)] // signs and verifies with ES256
fn library_seeds_replay() {
    let seeds = library_seeds();
    for target in TARGETS {
        assert!(
            seeds.iter().any(|(t, _, _)| t == target),
            "no library seed for {target}"
        );
    }
    for (target, name, data) in &seeds {
        if let Err(msg) = replay(target, data) {
            panic!("seed {target}/{name}: {msg}");
        }
    }
    println!("replayed {} library seeds", seeds.len());
}

/// Seed inputs made from the public vectors: `(target, name, bytes)`.
fn vector_seeds() -> Vec<(String, String, Vec<u8>)> {
    let Some(dir) = vectors_dir() else {
        return Vec::new();
    };
    let text = fs::read_to_string(dir.join("sign1-vectors.json")).unwrap();
    let vectors: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for (i, v) in vectors.iter().enumerate() {
        let Some(cose) = v["cose_hex"].as_str().and_then(|h| hex::decode(h).ok()) else {
            continue;
        };
        let aad = v["external_aad_hex"]
            .as_str()
            .and_then(|h| hex::decode(h).ok())
            .unwrap_or_default();
        let name = format!("vector-{i:02}");
        for target in ["cbor", "cose_parse", "differential"] {
            out.push((target.to_owned(), name.clone(), cose.clone()));
        }
        let case = VerifyCase {
            options: ParseOptions::PERMISSIVE_TAGS,
            aad: &aad,
            detached: None,
            message: &cose,
        };
        let mut buf = vec![0u8; cose.len() + aad.len() + 8];
        let n = case.to_fuzz(&mut buf).unwrap();
        buf.truncate(n);
        for target in ["cose_verify", "ffi_verify"] {
            out.push((target.to_owned(), name.clone(), buf.clone()));
        }
        // The payload of a vector, when it is a map, seeds the claims decoder.
        if let Some(payload) = v["payload_hex"].as_str().and_then(|h| hex::decode(h).ok())
            && payload.first().is_some_and(|b| b >> 5 == 5)
        {
            out.push(("eat_decode".to_owned(), name.clone(), payload));
        }
    }
    out
}

#[test]
#[cfg_attr(miri, ignore)] // signs and verifies with ES256
fn vector_seeds_replay() {
    let seeds = vector_seeds();
    for (target, name, data) in &seeds {
        if let Err(msg) = replay(target, data) {
            panic!("vector seed {target}/{name}: {msg}");
        }
    }
    println!("replayed {} vector seeds", seeds.len());
}

/// Writes the library and vector seeds into `fuzz/corpus/<target>/seed-*`.
#[test]
#[ignore = "writes files: run by scripts/fuzz/seed.sh"]
fn write_seeds() {
    let mut n = 0;
    for (target, name, data) in library_seeds().into_iter().chain(vector_seeds()) {
        let dir = fuzz_dir().join("corpus").join(&target);
        fs::create_dir_all(&dir).unwrap();
        // Names repeat across promise levels: number them in order of generation.
        fs::write(dir.join(format!("seed-{n:03}-{name}")), data).unwrap();
        n += 1;
    }
    for target in TARGETS {
        fs::create_dir_all(fuzz_dir().join("regressions").join(target)).unwrap();
    }
    println!("wrote {n} seed files");
}
