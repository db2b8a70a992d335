//! The readers' work is bounded by a small constant times the input's length, counted (not
//! timed) with the `cost-counter` feature of `ecnpp-attest` (`cbor::cost`): heads read (data
//! items visited, every visit counted), map key comparisons, and the string bytes those
//! comparisons look at. The bounds asserted are the ones `cbor`'s module documentation and
//! docs/profile.md ("Cost bound") state; the families are the worst ones known, at sizes up to
//! 64 KiB and beyond, each refused or accepted with its precise verdict.
//!
//! The counters are process-wide: the tests of this file take turns ([`TURN`]).
// Test code: a failed unwrap or index is a failed test, which is what it should be.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::print_stdout
)]

use ecnpp_attest::Error;
use ecnpp_attest::cbor::{self, Mode, cost};
use ecnpp_attest::cose::{ParseOptions, UnverifiedSign1};
use ecnpp_attest::eat::{Claims, DecodeOptions};
use ecnpp_tests::hostile::{self, head, map, sign1, uint};

/// Held by each test of this file while it runs, so that counts are its own.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Heads read per input byte, at most, by any one entry point (one-pass attempt, validation,
/// typed read, duplicate checks): see the module documentation of `cbor`.
const HEADS_PER_BYTE: usize = 64;
/// Key comparisons per input byte, at most.
const KEY_COMPARISONS_PER_BYTE: usize = 16;
/// String bytes compared by key comparisons per input byte, at most.
const KEY_BYTES_PER_BYTE: usize = 32;

#[derive(Clone, Copy, Debug)]
enum Via {
    Sign1,
    Sign1Deterministic,
    Claims,
    Lenient,
    Strict,
}

fn run(via: Via, input: &[u8]) -> Result<(), Error> {
    match via {
        Via::Sign1 => UnverifiedSign1::parse(input, &ParseOptions::DEFAULT).map(drop),
        Via::Sign1Deterministic => UnverifiedSign1::parse(
            input,
            &ParseOptions {
                deterministic: true,
                ..ParseOptions::DEFAULT
            },
        )
        .map(drop),
        Via::Claims => Claims::decode(input).map(drop),
        Via::Lenient => cbor::validate(input, Mode::Lenient),
        Via::Strict => cbor::validate(input, Mode::Strict),
    }
}

/// Runs `input` through `via`, checks the verdict and the counted work, and returns the work.
fn check(name: &str, via: Via, input: &[u8], want: Result<(), Error>) -> cost::Work {
    cost::reset();
    let got = run(via, input);
    let work = cost::read();
    let len = input.len();
    println!(
        "{name:<34} {via:<18?} {len:>7} B  heads {:>8} ({:>5.2}/B)  key cmps {:>7} ({:>5.2}/B)  key bytes {:>8} ({:>5.2}/B)  {got:?}",
        work.heads,
        work.heads as f64 / len as f64,
        work.key_comparisons,
        work.key_comparisons as f64 / len as f64,
        work.key_bytes,
        work.key_bytes as f64 / len as f64,
    );
    assert_eq!(got, want, "{name} via {via:?}");
    assert!(
        work.heads <= HEADS_PER_BYTE * len,
        "{name} via {via:?}: {work:?} for {len} bytes"
    );
    assert!(
        work.key_comparisons <= KEY_COMPARISONS_PER_BYTE * len,
        "{name} via {via:?}: {work:?} for {len} bytes"
    );
    assert!(
        work.key_bytes <= KEY_BYTES_PER_BYTE * len,
        "{name} via {via:?}: {work:?} for {len} bytes"
    );
    work
}

#[test]
#[cfg_attr(miri, ignore)] // large inputs
fn work_is_linear_in_the_input_for_every_hostile_family() {
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let ok = Ok(());
    let both_parses = [Via::Sign1, Via::Sign1Deterministic];

    // The finding: maps as keys of maps as keys of maps, and the flat variant. Refused at the
    // first composite key, whatever the size.
    for m in [4, 12, 20, 28] {
        let token = hostile::nested_map_keys_header(m);
        for via in both_parses {
            check(
                "nested map keys (finding)",
                via,
                &token,
                Err(Error::InvalidMapKey),
            );
        }
    }
    for n in [16, 64, 140, 256] {
        let token = hostile::flat_map_keys_header(n);
        check(
            "flat map keys",
            Via::Sign1,
            &token,
            Err(Error::InvalidMapKey),
        );
    }

    // Wide header maps of long, near-equal text labels in descending order: every label is
    // looked up among the others (lenient), with and without a duplicate.
    for (count, len) in [(64, 16), (256, 32), (256, 250)] {
        for duplicate in [false, true] {
            let entries = hostile::near_equal_text_keys(count, len, duplicate);
            let token = sign1(&hostile::PROTECTED_ES256, &map(&entries));
            let want = if duplicate {
                Err(Error::DuplicateKey)
            } else {
                ok
            };
            check("near-equal text labels", Via::Sign1, &token, want);
            check(
                "near-equal text labels",
                Via::Sign1Deterministic,
                &token,
                Err(Error::NonDeterministic),
            );
            // The same map as an unknown claim's value, and as the claims map itself (text
            // claim keys).
            let claims = hostile::claims_with(map(&entries));
            check("near-equal keys in a claim", Via::Claims, &claims, want);
            check("near-equal claim keys", Via::Claims, &map(&entries), want);
        }
    }

    // Both header buckets wide (256 and 256 labels, none shared): the disjointness check.
    {
        let mut p = vec![(uint(1), vec![0x26])];
        p.extend((1000..1255).map(|k| (uint(k), uint(0))));
        let mut u = vec![(uint(4), vec![0x41, 0x6b])];
        u.extend((2000..2255).rev().map(|k| (uint(k), uint(0))));
        let token = sign1(&map(&p), &map(&u));
        check("wide disjoint buckets", Via::Sign1, &token, ok);
        let mut u_shared = u.clone();
        u_shared.push((uint(1254), uint(0)));
        let token = sign1(&map(&p), &map(&u_shared[1..]));
        check(
            "wide buckets, one shared",
            Via::Sign1,
            &token,
            Err(Error::InvalidHeader),
        );
    }

    // Unordered maps nested as deep as the nesting bound allows, around a large value, as an
    // unknown claim's value: each level reads what it holds once more per 64 keys.
    for (levels, width, items) in [(13, 2, 60_000), (13, 64, 60_000), (13, 256, 56_000)] {
        let value = hostile::nested_unordered_maps(levels, width, items);
        let claims = hostile::claims_with(value.clone());
        check("nested unordered maps", Via::Claims, &claims, ok);
        check("nested unordered maps", Via::Lenient, &value, ok);
        check(
            "nested unordered maps",
            Via::Strict,
            &value,
            Err(Error::NonDeterministic),
        );
    }

    // Deep arrays: many at the bound, one beyond it.
    for count in [1_000, 4_000] {
        let value = hostile::deep_arrays(count, 14);
        check("deep arrays", Via::Strict, &value, ok);
        let value = hostile::deep_arrays(count, 13);
        check(
            "deep arrays in a claim",
            Via::Claims,
            &hostile::claims_with(value),
            ok,
        );
    }
    check(
        "too deep",
        Via::Lenient,
        &[0x81; 65_536],
        Err(Error::DepthExceeded),
    );

    // Many small unordered maps.
    for count in [1_000, 13_000] {
        let value = hostile::many_small_maps(count);
        check("many small maps", Via::Lenient, &value, ok);
        check(
            "many small maps",
            Via::Strict,
            &value,
            Err(Error::NonDeterministic),
        );
        check(
            "many small maps in a claim",
            Via::Claims,
            &hostile::claims_with(value),
            ok,
        );
    }

    // Long strings, in a claim and in a header.
    for len in [1_000u64, 65_536] {
        let bytes = [head(2, len), vec![0x61; len as usize]].concat();
        let text = [head(3, len), vec![0x61; len as usize]].concat();
        check(
            "long byte string claim",
            Via::Claims,
            &hostile::claims_with(bytes.clone()),
            ok,
        );
        check(
            "long text claim",
            Via::Claims,
            &hostile::claims_with(text),
            ok,
        );
        let unprotected = map(&[(uint(4), bytes)]);
        check(
            "long kid",
            Via::Sign1,
            &sign1(&hostile::PROTECTED_ES256, &unprotected),
            ok,
        );
    }
}

/// The regression of the finding, as it was reported: `{4: kid, 99: M}` of 30 KB and 78 KB
/// took 3 s and 21 s to refuse (fc6b1e4); now it is refused at its first composite key,
/// reading a handful of heads.
#[test]
fn the_reported_header_is_refused_at_once() {
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (m, len) in [(22, 30_000), (30, 78_000)] {
        let token = hostile::nested_map_keys_header(m);
        assert!(token.len() >= len, "{}", token.len());
        assert_eq!(
            UnverifiedSign1::parse(&token, &ParseOptions::DEFAULT),
            Err(Error::InvalidMapKey)
        );
        assert_eq!(
            Claims::decode_with(
                &hostile::claims_with(token[6..token.len() - 67].to_vec()),
                DecodeOptions::default()
            ),
            Err(Error::InvalidMapKey),
        );
    }
}

/// Writes each worst family at about 64 KiB into `$ECNPP_HOSTILE_DIR` (as COSE_Sign1 messages,
/// the claims families as the payload of one), for timing the CLI (docs/performance.md, "Cost
/// of hostile input"). Does nothing without the variable.
#[test]
fn write_the_families_for_timing() {
    let Some(dir) = std::env::var_os("ECNPP_HOSTILE_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let with_payload = |payload: &[u8]| {
        let mut out = vec![0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0];
        out.extend(head(2, payload.len() as u64));
        out.extend_from_slice(payload);
        out.extend_from_slice(&[0x58, 0x40]);
        out.extend_from_slice(&[1; 64]);
        out
    };
    let mut p = vec![(uint(1), vec![0x26])];
    p.extend((1000..1255).map(|k| (uint(k), uint(0))));
    let mut u = vec![(uint(4), vec![0x41, 0x6b])];
    u.extend((2000..2255).rev().map(|k| (uint(k), uint(0))));
    let families: Vec<(&str, Vec<u8>)> = vec![
        ("nested-map-keys", hostile::nested_map_keys_header(28)),
        ("flat-map-keys", hostile::flat_map_keys_header(140)),
        (
            "near-equal-labels",
            sign1(
                &hostile::PROTECTED_ES256,
                &map(&hostile::near_equal_text_keys(256, 250, false)),
            ),
        ),
        ("wide-buckets", sign1(&map(&p), &map(&u))),
        (
            "nested-unordered-claims",
            with_payload(&hostile::claims_with(hostile::nested_unordered_maps(
                13, 256, 56_000,
            ))),
        ),
        (
            "many-small-maps-claims",
            with_payload(&hostile::claims_with(hostile::many_small_maps(13_000))),
        ),
        (
            "deep-arrays-claims",
            with_payload(&hostile::claims_with(hostile::deep_arrays(4_000, 13))),
        ),
    ];
    for (name, bytes) in families {
        std::fs::write(dir.join(format!("{name}.cose")), bytes).unwrap();
    }
}
