//! Table-driven malformed-input suite: every input gets its own precise [`Error`], nothing
//! panics, and the whole suite runs in well under a second of decoding.
//!
//! * the not-well-formed examples of RFC 8949 Appendix F.1, transcribed;
//! * every truncation of valid tokens, claims maps and COSE_Keys;
//! * every single-bit flip of a signed evidence token (a flip that still verifies must leave the
//!   protected header and the payload untouched);
//! * declared lengths near `usize::MAX` in every position;
//! * depth bombs (arrays, maps, tags, submodules);
//! * huge maps (declared and real);
//! * non-shortest forms, floats and key order in strict mode (and their acceptance in lenient);
//! * invalid UTF-8 in every text position;
//! * duplicate keys at every level (headers, claims, submodules, COSE_Key, nested values).
//!
//! The number of inputs is printed at the end (`cargo test --test malformed -- --nocapture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    missing_docs,
    unreachable_pub
)]

use std::collections::BTreeMap;

use ecnpp_attest::Error;
use ecnpp_attest::cbor::{self, Decoder, Encoder, MAX_DEPTH, MAX_MAP_ENTRIES, Mode, SliceWriter};
use ecnpp_attest::cose::{ParseOptions, UnverifiedSign1};
use ecnpp_attest::crypto::VerifyingKey;
use ecnpp_attest::eat::{Claims, DecodeOptions, MAX_SUBMODULE_DEPTH};
use ecnpp_fuzz_harness as harness;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '_'], "")).unwrap()
}

/// Which decoder an input is given to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    /// `cbor::validate`, lenient.
    Lenient,
    /// `cbor::validate`, strict.
    Strict,
    /// `UnverifiedSign1::parse`, default options.
    Sign1,
    /// `UnverifiedSign1::parse`, deterministic.
    Sign1Strict,
    /// `Claims::decode`.
    Claims,
    /// `Claims::decode_with`, deterministic.
    ClaimsStrict,
    /// `VerifyingKey::from_cose_key`.
    CoseKey,
}

/// The one-pass read (`got`: `Claims::decode_with`, `UnverifiedSign1::parse`) checked against
/// the reference two-pass read (validate, then read) of the same input: the same value or the
/// same error (compared as printed, so that a NaN location equals itself).
fn agree<T: std::fmt::Debug>(
    input: &[u8],
    got: Result<T, Error>,
    reference: Result<T, Error>,
) -> Result<(), Error> {
    assert_eq!(
        format!("{got:?}"),
        format!("{reference:?}"),
        "one-pass and two-pass reads differ on {}",
        hex::encode(input)
    );
    got.map(drop)
}

fn run(via: Via, input: &[u8]) -> Result<(), Error> {
    match via {
        Via::Lenient => cbor::validate(input, Mode::Lenient),
        Via::Strict => cbor::validate(input, Mode::Strict),
        Via::Sign1 | Via::Sign1Strict => {
            let options = ParseOptions {
                deterministic: via == Via::Sign1Strict,
                ..ParseOptions::DEFAULT
            };
            agree(
                input,
                UnverifiedSign1::parse(input, &options),
                UnverifiedSign1::parse_reference(input, &options),
            )
        }
        Via::Claims | Via::ClaimsStrict => {
            let options = DecodeOptions {
                deterministic: via == Via::ClaimsStrict,
            };
            agree(
                input,
                Claims::decode_with(input, options),
                Claims::decode_reference(input, options),
            )
        }
        Via::CoseKey => VerifyingKey::from_cose_key(input).map(drop),
    }
}

/// Checks a table (every row names its expected result); returns the number of inputs.
fn check_table(name: &str, rows: &[(Via, Vec<u8>, Result<(), Error>)]) -> usize {
    let mut wrong = Vec::new();
    for (via, input, expected) in rows {
        let got = run(*via, input);
        if got != *expected {
            wrong.push(format!(
                "{name}: {via:?} {} gave {got:?}, expected {expected:?}",
                hex::encode(input)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    rows.len()
}

// ---------------------------------------------------------------------------------------------
// RFC 8949 Appendix F.1
// ---------------------------------------------------------------------------------------------

/// The not-well-formed examples of RFC 8949 Appendix F.1, each with this crate's error.
const APPENDIX_F: &[(&str, Error)] = &[
    // Kind 2, end of input in a head
    ("18", Error::Truncated),
    ("19", Error::Truncated),
    ("1a", Error::Truncated),
    ("1b", Error::Truncated),
    ("19 01", Error::Truncated),
    ("1a 01 02", Error::Truncated),
    ("1b 01 02 03 04 05 06 07", Error::Truncated),
    ("38", Error::Truncated),
    ("58", Error::Truncated),
    ("78", Error::Truncated),
    ("98", Error::Truncated),
    ("9a 01 ff 00", Error::Truncated),
    ("b8", Error::Truncated),
    ("d8", Error::Truncated),
    ("f8", Error::Truncated),
    ("f9 00", Error::Truncated),
    ("fa 00 00", Error::Truncated),
    ("fb 00 00 00", Error::Truncated),
    // Definite-length strings with short data
    ("41", Error::Truncated),
    ("61", Error::Truncated),
    ("5a ff ff ff ff 00", Error::Truncated),
    ("5b ff ff ff ff ff ff ff ff 01 02 03", Error::Truncated),
    ("7a ff ff ff ff 00", Error::Truncated),
    ("7b 7f ff ff ff ff ff ff ff 01 02 03", Error::Truncated),
    // Definite-length maps and arrays not closed with enough items
    ("81", Error::Truncated),
    ("81 81 81 81 81 81 81 81 81", Error::Truncated),
    ("82 00", Error::Truncated),
    ("a1", Error::Truncated),
    ("a2 01 02", Error::Truncated),
    ("a1 00", Error::Truncated),
    // Both short and a repeated key: validation is one pass in input order, and the second 0
    // key repeats the first before the missing value is reached.
    ("a2 00 00 00", Error::DuplicateKey),
    // Tag number not followed by tag content
    ("c0", Error::Truncated),
    // Indefinite-length strings not closed by a break: refused at their head
    ("5f 41 00", Error::IndefiniteLength),
    ("7f 61 00", Error::IndefiniteLength),
    // Indefinite-length maps and arrays not closed by a break
    ("9f", Error::IndefiniteLength),
    ("9f 01 02", Error::IndefiniteLength),
    ("bf", Error::IndefiniteLength),
    ("bf 01 02 01 02", Error::IndefiniteLength),
    ("81 9f", Error::IndefiniteLength),
    ("9f 80 00", Error::IndefiniteLength),
    ("9f 9f 9f 9f 9f ff ff ff ff", Error::IndefiniteLength),
    ("9f 81 9f 81 9f 9f ff ff ff", Error::IndefiniteLength),
    // Kind 3, subkind 1: reserved additional information values
    ("1c", Error::Malformed),
    ("1d", Error::Malformed),
    ("1e", Error::Malformed),
    ("3c", Error::Malformed),
    ("3d", Error::Malformed),
    ("3e", Error::Malformed),
    ("5c", Error::Malformed),
    ("5d", Error::Malformed),
    ("5e", Error::Malformed),
    ("7c", Error::Malformed),
    ("7d", Error::Malformed),
    ("7e", Error::Malformed),
    ("9c", Error::Malformed),
    ("9d", Error::Malformed),
    ("9e", Error::Malformed),
    ("bc", Error::Malformed),
    ("bd", Error::Malformed),
    ("be", Error::Malformed),
    ("dc", Error::Malformed),
    ("dd", Error::Malformed),
    ("de", Error::Malformed),
    ("fc", Error::Malformed),
    ("fd", Error::Malformed),
    ("fe", Error::Malformed),
    // Subkind 2: reserved two-byte encodings of simple values
    ("f8 00", Error::Malformed),
    ("f8 01", Error::Malformed),
    ("f8 18", Error::Malformed),
    ("f8 1f", Error::Malformed),
    // Subkind 3: indefinite-length string chunks of the wrong type / not definite
    ("5f 00 ff", Error::IndefiniteLength),
    ("5f 21 ff", Error::IndefiniteLength),
    ("5f 61 00 ff", Error::IndefiniteLength),
    ("5f 80 ff", Error::IndefiniteLength),
    ("5f a0 ff", Error::IndefiniteLength),
    ("5f c0 00 ff", Error::IndefiniteLength),
    ("5f e0 ff", Error::IndefiniteLength),
    ("7f 41 00 ff", Error::IndefiniteLength),
    ("5f 5f 41 00 ff ff", Error::IndefiniteLength),
    ("7f 7f 61 00 ff ff", Error::IndefiniteLength),
    // Subkind 4: a break on its own, in a definite-length item, in a value position
    ("ff", Error::Malformed),
    ("81 ff", Error::Malformed),
    ("82 00 ff", Error::Malformed),
    ("a1 ff", Error::Malformed),
    ("a1 ff 00", Error::Malformed),
    ("a1 00 ff", Error::Malformed),
    ("a2 00 00 ff", Error::Malformed),
    ("9f 81 ff", Error::IndefiniteLength),
    ("9f 82 9f 81 9f 9f ff ff ff ff", Error::IndefiniteLength),
    ("bf 00 ff", Error::IndefiniteLength),
    ("bf 00 00 00 ff", Error::IndefiniteLength),
    // Subkind 5: additional information 31 on major types 0, 1 and 6
    ("1f", Error::Malformed),
    ("3f", Error::Malformed),
    ("df", Error::Malformed),
];

fn rfc8949_appendix_f_not_well_formed() -> usize {
    let mut rows = Vec::new();
    for (hex_in, e) in APPENDIX_F {
        let input = h(hex_in);
        rows.push((Via::Lenient, input.clone(), Err(*e)));
        rows.push((Via::Strict, input.clone(), Err(*e)));
        // The same bytes where a COSE message, a claims map or a COSE_Key is expected fail
        // with the same CBOR error: validation comes first everywhere.
        for via in [Via::Sign1, Via::Claims, Via::CoseKey] {
            rows.push((via, input.clone(), Err(*e)));
        }
        // Nothing the typed reader does with them panics, and skip agrees with validate.
        assert!(Decoder::new(&input).skip().is_err());
    }
    assert_eq!(
        APPENDIX_F.len(),
        94,
        "every example of Appendix F.1 is transcribed"
    );
    check_table("appendix F", &rows)
}

/// A two-byte simple value below 32 is not well-formed (RFC 8949 §3.3): `Malformed` in both
/// modes, never `NonDeterministic` (the well-formedness verdict comes first).
#[test]
fn two_byte_simple_below_32_is_malformed_in_both_modes() {
    for b in 0..32u8 {
        for mode in [Mode::Lenient, Mode::Strict] {
            assert_eq!(
                cbor::validate(&[0xf8, b], mode),
                Err(Error::Malformed),
                "f8 {b:02x} in {mode:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Valid material to cut and flip
// ---------------------------------------------------------------------------------------------

/// Library-made seeds of the fuzz targets: signed tokens and claims maps.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    harness::seeds(&mut |t, _, data| {
        if t == target {
            out.push(data.to_vec());
        }
    });
    assert!(!out.is_empty());
    out
}

fn vector_messages() -> Vec<Vec<u8>> {
    let Some(dir) = ecnpp_tests::vectors_dir() else {
        return Vec::new();
    };
    let text = std::fs::read_to_string(dir.join("sign1-vectors.json")).unwrap();
    let vectors: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    vectors
        .iter()
        .filter_map(|v| v["cose_hex"].as_str().and_then(|s| hex::decode(s).ok()))
        .collect()
}

fn cose_key() -> Vec<u8> {
    let vk = harness::example_verifying_key().unwrap();
    let mut buf = vec![0u8; vk.cose_key_len(Some(b"11"))];
    vk.to_cose_key(Some(b"11"), &mut buf).unwrap();
    buf
}

fn every_truncation_is_truncated() -> usize {
    let mut rows = Vec::new();
    let mut material: Vec<(Via, Vec<u8>)> = Vec::new();
    for t in seeds("cose_parse") {
        material.push((Via::Sign1, t));
    }
    for t in vector_messages() {
        material.push((Via::Lenient, t));
    }
    for c in seeds("eat_decode") {
        material.push((Via::Claims, c));
    }
    material.push((Via::CoseKey, cose_key()));
    for (via, full) in &material {
        // The full input is accepted (the vectors only as CBOR: some are refused by design).
        assert_eq!(run(*via, full), Ok(()), "{via:?} {}", hex::encode(full));
        for len in 0..full.len() {
            rows.push((*via, full[..len].to_vec(), Err(Error::Truncated)));
            if matches!(via, Via::Sign1 | Via::Claims) {
                rows.push((Via::Strict, full[..len].to_vec(), Err(Error::Truncated)));
            }
        }
    }
    check_table("truncations", &rows)
}

fn every_bit_flip_of_signed_evidence() -> usize {
    let key = harness::example_verifying_key().unwrap();
    // The smallest signed token (standard promise, no kid): every one of its bits.
    let tokens = seeds("cose_parse");
    let token = tokens
        .iter()
        .filter(|t| {
            UnverifiedSign1::parse(t, &ParseOptions::DEFAULT)
                .is_ok_and(|m| m.payload_untrusted().is_some() && m.kid_untrusted().is_none())
        })
        .min_by_key(|t| t.len())
        .unwrap();
    let original = UnverifiedSign1::parse(token, &ParseOptions::DEFAULT).unwrap();
    let (protected, payload) = (
        original.protected_bytes().to_vec(),
        original.payload_untrusted().unwrap().to_vec(),
    );
    assert!(original.verify(&key, &[]).is_ok());
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    // Every bit of the structure (tag, heads, protected header); in the payload and signature
    // contents, where each flip costs an ES256 verification in a debug build, one bit per byte.
    let payload_at = token.len() - 64 - 2 - payload.len();
    let opaque = payload_at..token.len();
    let bits: Vec<usize> = (0..token.len() * 8)
        .filter(|bit| !opaque.contains(&(bit / 8)) || bit % 8 == (bit / 8) % 8)
        .collect();
    assert_eq!(
        &token[payload_at..payload_at + payload.len()],
        payload.as_slice()
    );
    let mut flipped = token.clone();
    for &bit in &bits {
        flipped[bit / 8] ^= 1 << (bit % 8);
        let outcome = match UnverifiedSign1::parse(&flipped, &ParseOptions::DEFAULT) {
            Err(e) => format!("parse: {e:?}"),
            Ok(m) => {
                // Flips inside the signed payload or the signature fail verification; a flip
                // elsewhere that still verifies cannot have touched what the signature covers.
                let intact = m.protected_bytes() == protected.as_slice()
                    && m.payload_untrusted() == Some(payload.as_slice());
                match m.verify(&key, &[]) {
                    Ok(v) => {
                        assert!(intact, "bit {bit}: a changed message verified");
                        assert_eq!(v.payload(), payload.as_slice());
                        "verifies (unsigned part changed)".to_owned()
                    }
                    Err(e) => format!("verify: {e:?}"),
                }
            }
        };
        *outcomes.entry(outcome).or_default() += 1;
        flipped[bit / 8] ^= 1 << (bit % 8);
    }
    println!("bit flips of a {}-byte token: {outcomes:#?}", token.len());
    // No flip may verify: the smallest token has no unprotected header to flip.
    assert!(!outcomes.contains_key("verifies (unsigned part changed)"));
    bits.len()
}

// ---------------------------------------------------------------------------------------------
// Lengths near usize::MAX
// ---------------------------------------------------------------------------------------------

fn lengths_near_usize_max() -> usize {
    let big: [u64; 6] = [
        u64::MAX,
        u64::MAX - 1,
        i64::MAX as u64,
        (i64::MAX as u64) + 1,
        u64::from(u32::MAX),
        u64::from(u32::MAX) + 1,
    ];
    let mut rows = Vec::new();
    for n in big {
        for major in [2u8, 3, 4, 5] {
            let mut head = vec![major << 5 | 27];
            head.extend_from_slice(&n.to_be_bytes());
            head.extend_from_slice(b"\x00\x01\x02");
            rows.push((Via::Lenient, head.clone(), Err(Error::Truncated)));
            rows.push((Via::Claims, head.clone(), Err(Error::Truncated)));
            // The same head in each position of a COSE_Sign1: protected, unprotected,
            // payload, signature.
            for position in 0..4 {
                let mut msg = h("d2 84");
                for i in 0..4 {
                    if i == position {
                        msg.extend_from_slice(&head);
                    } else {
                        msg.extend_from_slice(&[[0x40, 0xa0, 0x40, 0x40][i]]);
                    }
                }
                rows.push((Via::Sign1, msg, Err(Error::Truncated)));
            }
            // Typed reads agree.
            let mut d = Decoder::new(&head);
            let r = match major {
                2 => d.bytes().map(drop),
                3 => d.text().map(drop),
                4 => d.array().map(drop),
                _ => d.map().map(drop),
            };
            assert_eq!(r, Err(Error::Truncated));
            assert_eq!(Decoder::new(&head).skip(), Err(Error::Truncated));
        }
    }
    // A tag number of u64::MAX is just a number; its content is still required.
    rows.push((
        Via::Lenient,
        h("db ff ff ff ff ff ff ff ff"),
        Err(Error::Truncated),
    ));
    rows.push((Via::Lenient, h("db ff ff ff ff ff ff ff ff 00"), Ok(())));
    check_table("huge lengths", &rows)
}

// ---------------------------------------------------------------------------------------------
// Depth bombs
// ---------------------------------------------------------------------------------------------

fn nested(prefix: &[u8], depth: usize, leaf: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(prefix.len() * depth + leaf.len());
    for _ in 0..depth {
        v.extend_from_slice(prefix);
    }
    v.extend_from_slice(leaf);
    v
}

fn depth_bombs() -> usize {
    let mut rows = Vec::new();
    for (prefix, name) in [
        (&[0x81u8][..], "arrays"),
        (&[0xa1, 0x00][..], "maps"),
        (&[0xc1][..], "tags"),
    ] {
        let _ = name;
        // At the bound: fine; one more: refused; a million: refused just as fast.
        rows.push((Via::Lenient, nested(prefix, MAX_DEPTH - 1, &[0x00]), Ok(())));
        for depth in [MAX_DEPTH, MAX_DEPTH + 1, 1000, 1_000_000] {
            let bomb = nested(prefix, depth, &[0x00]);
            rows.push((Via::Lenient, bomb.clone(), Err(Error::DepthExceeded)));
            rows.push((Via::Strict, bomb.clone(), Err(Error::DepthExceeded)));
            assert_eq!(Decoder::new(&bomb).skip(), Err(Error::DepthExceeded));
        }
        // Unterminated bombs are refused at the bound too, before their missing end is seen.
        rows.push((
            Via::Lenient,
            nested(prefix, 100_000, &[]),
            Err(Error::DepthExceeded),
        ));
    }
    // As a claim value, a protected header, an unprotected header, a payload (opaque bytes: the
    // COSE layer does not parse it) and a COSE_Key value.
    let bomb = nested(&[0x81], 64, &[0x00]);
    let mut claims = h("a1 19 01 0f"); // {271 (swversion): ...}
    claims.extend_from_slice(&bomb);
    rows.push((Via::Claims, claims, Err(Error::DepthExceeded)));
    let mut protected = h("a2 01 26 3a 00 01 00 00"); // {1: -7, -65537: ...}
    protected.extend_from_slice(&bomb);
    let mut msg = h("d2 84 58");
    msg.push(u8::try_from(protected.len()).unwrap());
    msg.extend_from_slice(&protected);
    msg.extend_from_slice(&h("a0 f6 58 40"));
    msg.extend_from_slice(&[1; 64]);
    rows.push((Via::Sign1, msg, Err(Error::DepthExceeded)));
    let mut msg = h("d2 84 43 a1 01 26 a1 3a 00 01 00 00");
    msg.extend_from_slice(&bomb);
    msg.extend_from_slice(&h("f6 58 40"));
    msg.extend_from_slice(&[1; 64]);
    rows.push((Via::Sign1, msg, Err(Error::DepthExceeded)));
    let mut key = h("a1 3a 00 01 00 00");
    key.extend_from_slice(&bomb);
    rows.push((Via::CoseKey, key, Err(Error::DepthExceeded)));

    // Submodules inside submodules: within the CBOR bound, beyond the submodule bound.
    for levels in [MAX_SUBMODULE_DEPTH, MAX_SUBMODULE_DEPTH + 1] {
        let mut c = h("a0");
        for _ in 0..levels {
            let mut outer = h("a1 19 01 0a a1 61 73"); // {266: {"s": ...}}
            outer.extend_from_slice(&c);
            c = outer;
        }
        let expected = if levels > MAX_SUBMODULE_DEPTH {
            Err(Error::DepthExceeded)
        } else {
            Ok(())
        };
        rows.push((Via::Claims, c, expected));
    }
    check_table("depth bombs", &rows)
}

// ---------------------------------------------------------------------------------------------
// Huge maps
// ---------------------------------------------------------------------------------------------

fn map_of(n: usize, key: impl Fn(usize) -> u64, declared: usize) -> Vec<u8> {
    let mut buf = vec![0u8; 16 + n * 12];
    let mut w = SliceWriter::new(&mut buf);
    let mut e = Encoder::new(&mut w);
    e.map(declared);
    for i in 0..n {
        e.uint(key(i)).null();
    }
    let len = w.finish().unwrap();
    buf.truncate(len);
    buf
}

fn huge_maps() -> usize {
    let ascending = |i: usize| i as u64;
    // Descending keys defeat the one-comparison fast path: every key is compared with every
    // earlier one, a bounded 256 * 255 / 2 comparisons.
    let descending = |i: usize| 10_000 - i as u64;
    let mut rows = vec![
        (
            Via::Lenient,
            map_of(MAX_MAP_ENTRIES, ascending, MAX_MAP_ENTRIES),
            Ok(()),
        ),
        (
            Via::Strict,
            map_of(MAX_MAP_ENTRIES, ascending, MAX_MAP_ENTRIES),
            Ok(()),
        ),
        (
            Via::Lenient,
            map_of(MAX_MAP_ENTRIES, descending, MAX_MAP_ENTRIES),
            Ok(()),
        ),
        (
            Via::Strict,
            map_of(MAX_MAP_ENTRIES, descending, MAX_MAP_ENTRIES),
            Err(Error::NonDeterministic),
        ),
        (
            Via::Lenient,
            map_of(MAX_MAP_ENTRIES + 1, ascending, MAX_MAP_ENTRIES + 1),
            Err(Error::TooManyEntries),
        ),
        (
            Via::Claims,
            map_of(
                MAX_MAP_ENTRIES + 1,
                |i| 1000 + i as u64,
                MAX_MAP_ENTRIES + 1,
            ),
            Err(Error::TooManyEntries),
        ),
        (
            Via::Lenient,
            map_of(10_000, ascending, 10_000),
            Err(Error::TooManyEntries),
        ),
        // Declared far beyond the input: refused before anything is read.
        (
            Via::Lenient,
            h("ba ff ff ff ff 00 f6"),
            Err(Error::Truncated),
        ),
        (
            Via::Lenient,
            h("bb 00 00 00 01 00 00 00 00 00 f6"),
            Err(Error::Truncated),
        ),
        (
            Via::Sign1,
            h("d2 84 40 ba 00 01 00 00 f6 40"),
            Err(Error::Truncated),
        ),
    ];
    // The last of 256 entries repeats the first (by value, not by bytes).
    let mut dup = map_of(MAX_MAP_ENTRIES, descending, MAX_MAP_ENTRIES);
    let first_key = h("19 27 10"); // 10000
    let last = dup.len() - 4; // "19 xx xx f6"
    dup.truncate(last);
    dup.extend_from_slice(&h("1a 00 00 27 10 f6")); // 10000 again, in a longer form
    let _ = first_key;
    rows.push((Via::Lenient, dup, Err(Error::DuplicateKey)));
    check_table("huge maps", &rows)
}

// ---------------------------------------------------------------------------------------------
// Non-shortest forms in strict mode
// ---------------------------------------------------------------------------------------------

const NON_SHORTEST: &[&str] = &[
    "18 00",
    "18 17",
    "19 00 ff",
    "1a 00 00 ff ff",
    "1b 00 00 00 00 ff ff ff ff",
    "38 00",
    "39 00 17",
    "3a 00 00 ff ff",
    "3b 00 00 00 00 00 00 00 00",
    "58 00",
    "59 00 01 00",
    "78 01 61",
    "7a 00 00 00 01 61",
    "98 00",
    "99 00 01 00",
    "b8 00",
    "ba 00 00 00 01 00 00",
    "d8 01 00",
    "d9 00 12 00",
    "81 18 01",
    "a1 18 01 00",
    "a1 01 18 00",
    "fa 3f 80 00 00",             // 1.0 fits a half
    "fb 3f f0 00 00 00 00 00 00", // 1.0 fits a half
    "fb 41 20 00 00 00 00 00 00", // 524288.0 fits a single
    "fa 7f c0 00 00",             // NaN has one form, f9 7e00
    "f9 7e 01",                   // a NaN payload
    "fb 7f f8 00 00 00 00 00 00", // NaN as a double
    "a2 02 00 01 00",             // keys out of order
    "a2 61 62 00 61 61 00",       // text keys out of order
    "a2 61 61 00 01 00",          // a text key before an integer key
    "a2 20 00 00 00",             // -1 before 0
];

fn non_shortest_forms_in_strict_mode() -> usize {
    let mut rows = Vec::new();
    for hex_in in NON_SHORTEST {
        let input = h(hex_in);
        rows.push((Via::Strict, input.clone(), Err(Error::NonDeterministic)));
        rows.push((Via::Lenient, input.clone(), Ok(())));
    }
    // In every position of a token: the protected header, the message, the claims.
    let strict_sign1: &[(&str, Error)] = &[
        ("d2 84 44 a1 01 38 06 a0 f6 58 40", Error::NonDeterministic), // alg -7 long
        (
            "d2 84 43 a1 01 26 a1 04 58 01 31 f6 58 40",
            Error::NonDeterministic,
        ), // kid bstr head
        ("d8 12 84 43 a1 01 26 a0 f6 58 40", Error::NonDeterministic), // tag 18 long
        ("d2 98 04 43 a1 01 26 a0 f6 58 40", Error::NonDeterministic), // array head long
    ];
    for (prefix, e) in strict_sign1 {
        let mut msg = h(prefix);
        msg.extend_from_slice(&[1; 64]);
        rows.push((Via::Sign1Strict, msg.clone(), Err(*e)));
        rows.push((Via::Sign1, msg, Ok(())));
    }
    for claims in [
        "a1 0a 58 08 6e 6f 6e 63 65 2d 30 31",
        "a2 19 01 06 f5 0a 48 6e 6f 6e 63 65 2d 30 31",
    ] {
        rows.push((Via::ClaimsStrict, h(claims), Err(Error::NonDeterministic)));
        rows.push((Via::Claims, h(claims), Ok(())));
    }
    check_table("non-shortest", &rows)
}

// ---------------------------------------------------------------------------------------------
// Invalid UTF-8
// ---------------------------------------------------------------------------------------------

const BAD_UTF8: &[&str] = &[
    "c3 28",          // bad continuation
    "80",             // lone continuation
    "c0 80",          // overlong NUL
    "e0 80 80",       // overlong
    "ed a0 80",       // surrogate
    "f4 90 80 80",    // above U+10FFFF
    "f8 88 80 80 80", // five bytes
    "ff",
    "fe",
    "61 e2 82", // cut sequence
];

fn invalid_utf8_everywhere() -> usize {
    let mut rows = Vec::new();
    for bad in BAD_UTF8 {
        let bytes = h(bad);
        let mut text = vec![0x60 | u8::try_from(bytes.len()).unwrap()];
        text.extend_from_slice(&bytes);
        let e = Err(Error::InvalidUtf8);
        // alone, in an array, as a map key, as a map value, under a tag
        rows.push((Via::Lenient, text.clone(), e));
        rows.push((Via::Strict, [&[0x81][..], &text].concat(), e));
        rows.push((Via::Lenient, [&[0xa1][..], &text, &[0x00]].concat(), e));
        rows.push((Via::Lenient, [&[0xa1, 0x00][..], &text].concat(), e));
        rows.push((Via::Lenient, [&[0xc0][..], &text].concat(), e));
        // as iss, swname, a text claim key, a submodule name, a nested claim
        for prefix in [
            "a1 01",
            "a1 19 01 0e",
            "a1",
            "a1 19 01 0a a1",
            "a1 19 01 0a a1 61 73 a1 01",
        ] {
            let mut c = h(prefix);
            c.extend_from_slice(&text);
            if prefix == "a1" || prefix == "a1 19 01 0a a1" {
                c.push(0xa0);
            }
            rows.push((Via::Claims, c, e));
        }
        // a protected text label, an unprotected text value, a COSE_Key text label
        let mut protected = h("a2 01 26");
        protected.extend_from_slice(&text);
        protected.push(0x00);
        let mut msg = h("d2 84");
        msg.push(0x40 | u8::try_from(protected.len()).unwrap());
        msg.extend_from_slice(&protected);
        msg.extend_from_slice(&h("a0 f6 58 40"));
        msg.extend_from_slice(&[1; 64]);
        rows.push((Via::Sign1, msg, e));
        let mut msg = h("d2 84 43 a1 01 26 a1 3a 00 01 00 00");
        msg.extend_from_slice(&text);
        msg.extend_from_slice(&h("f6 58 40"));
        msg.extend_from_slice(&[1; 64]);
        rows.push((Via::Sign1, msg, e));
        let mut key = h("a1");
        key.extend_from_slice(&text);
        key.push(0x00);
        rows.push((Via::CoseKey, key, e));
    }
    check_table("invalid UTF-8", &rows)
}

// ---------------------------------------------------------------------------------------------
// Duplicate keys at every level
// ---------------------------------------------------------------------------------------------

fn duplicate_keys_at_every_level() -> usize {
    let d = Err(Error::DuplicateKey);
    let mut rows = vec![
        // plain maps: equal bytes, equal values in other forms (composite keys are refused
        // as keys, whether equal or not: see the `InvalidMapKey` rows below)
        (Via::Lenient, h("a2 01 00 01 00"), d),
        (Via::Lenient, h("a2 01 00 18 01 00"), d),
        (Via::Lenient, h("a2 61 61 00 78 01 61 00"), d),
        (Via::Lenient, h("a2 41 00 00 58 01 00 00"), d),
        (
            Via::Lenient,
            h("a2 f9 3c 00 00 fb 3f f0 00 00 00 00 00 00 00"),
            d,
        ),
        (
            Via::Lenient,
            h("a2 82 01 02 00 82 01 18 02 00"),
            Err(Error::InvalidMapKey),
        ),
        (
            Via::Lenient,
            h("a2 c1 00 00 c1 18 00 00"),
            Err(Error::InvalidMapKey),
        ),
        (Via::Strict, h("a2 01 00 01 00"), d),
        // nested in arrays, maps and tags
        (Via::Lenient, h("81 a2 01 00 01 00"), d),
        (Via::Lenient, h("a1 00 a2 01 00 01 00"), d),
        (Via::Lenient, h("c1 a2 01 00 01 00"), d),
        // COSE: protected header, unprotected header (integer and text labels)
        (
            Via::Sign1,
            [h("d2 84 45 a2 01 26 01 26 a0 f6 58 40"), vec![1; 64]].concat(),
            d,
        ),
        (
            Via::Sign1,
            [
                h("d2 84 43 a1 01 26 a2 04 41 31 04 41 32 f6 58 40"),
                vec![1; 64],
            ]
            .concat(),
            d,
        ),
        (
            Via::Sign1,
            [
                h("d2 84 43 a1 01 26 a2 61 78 00 61 78 00 f6 58 40"),
                vec![1; 64],
            ]
            .concat(),
            d,
        ),
        // claims: top level, a text key, inside a submodule, inside location, sueids names
        (
            Via::Claims,
            h("a2 0a 48 6e 6f 6e 63 65 2d 30 31 0a 48 6e 6f 6e 63 65 2d 30 31"),
            d,
        ),
        (Via::Claims, h("a2 19 01 06 f5 19 01 06 f4"), d),
        (Via::Claims, h("a2 61 78 00 61 78 01"), d),
        (
            Via::Claims,
            h("a1 19 01 0a a1 62 73 65 a2 19 01 06 f5 19 01 06 f5"),
            d,
        ),
        (Via::Claims, h("a1 19 01 0a a2 62 73 65 a0 62 73 65 a0"), d),
        (Via::Claims, h("a1 19 01 08 a3 01 00 02 00 01 00"), d),
        (
            Via::Claims,
            h("a1 19 01 01 a2 61 61 47 01 02 03 04 05 06 07 61 61 47 01 02 03 04 05 06 07"),
            d,
        ),
        // a duplicate inside an unknown claim's value
        (Via::Claims, h("a1 3a 00 01 00 00 a2 01 00 01 00"), d),
        // COSE_Key
        (Via::CoseKey, h("a2 01 02 01 02"), d),
    ];
    // In a signed evidence token's payload the claims decoder catches it (the COSE layer treats
    // the payload as bytes).
    rows.push((Via::Claims, h("a3 0a 41 00 0a 41 00 01 60"), d));
    check_table("duplicate keys", &rows)
}

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

/// A named part of the suite; returns how many inputs it checked.
type Section = (&'static str, fn() -> usize);

#[test]
fn malformed_inputs_each_get_their_precise_error() {
    let sections: [Section; 9] = [
        ("RFC 8949 Appendix F.1", rfc8949_appendix_f_not_well_formed),
        ("truncations", every_truncation_is_truncated),
        ("bit flips", every_bit_flip_of_signed_evidence),
        ("lengths near usize::MAX", lengths_near_usize_max),
        ("depth bombs", depth_bombs),
        ("huge maps", huge_maps),
        ("non-shortest forms", non_shortest_forms_in_strict_mode),
        ("invalid UTF-8", invalid_utf8_everywhere),
        ("duplicate keys", duplicate_keys_at_every_level),
    ];
    let mut total = 0;
    for (name, section) in sections {
        let n = section();
        println!("{name:<26} {n:>6} inputs");
        total += n;
    }
    println!("malformed suite: {total} inputs, each with its expected error");
}
