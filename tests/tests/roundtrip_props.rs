//! Property tests: CBOR encode/size/validate/decode round trips (checked against `ciborium` as
//! an independent decoder), and COSE_Sign1 sign/parse/verify round trips with exact size
//! queries and single-byte tampering.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ciborium::Value as CValue;
use ecnpp_attest::Error;
use ecnpp_attest::cbor::{self, Decoder, Encoder, Major, Mode, SizeCounter, SliceWriter, Write};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use ecnpp_attest::crypto::{SigningKey, VerifyingKey};
use ecnpp_tests::VecWriter;
use proptest::prelude::*;
use proptest::sample::Index;

// ------------------------------------------------------------------------------------------
// (a) CBOR
// ------------------------------------------------------------------------------------------

/// A CBOR data item as the tests model it.
#[derive(Clone, Debug)]
enum V {
    Uint(u64),
    /// The negative integer `-1 - n`.
    Nint(u64),
    Bytes(Vec<u8>),
    Text(String),
    Bool(bool),
    Null,
    Float(f64),
    Array(Vec<V>),
    /// Distinct integer keys, sorted by their encoded bytes (deterministic order).
    Map(Vec<(i64, V)>),
    Tag(u64, Box<V>),
}

fn same_float(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Equality in the CBOR data model: floats by value (same bits, any NaN equals any NaN).
impl PartialEq for V {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Uint(a), Self::Uint(b)) | (Self::Nint(a), Self::Nint(b)) => a == b,
            (Self::Bytes(a), Self::Bytes(b)) => a == b,
            (Self::Text(a), Self::Text(b)) => a == b,
            (Self::Bool(a), Self::Bool(b)) => a == b,
            (Self::Null, Self::Null) => true,
            (Self::Float(a), Self::Float(b)) => same_float(*a, *b),
            (Self::Array(a), Self::Array(b)) => a == b,
            (Self::Map(a), Self::Map(b)) => a == b,
            (Self::Tag(ta, a), Self::Tag(tb, b)) => ta == tb && a == b,
            _ => false,
        }
    }
}

impl V {
    /// Nesting depth as `cbor::validate` counts it: a scalar is 1, a container adds one.
    fn depth(&self) -> usize {
        match self {
            Self::Array(items) => 1 + items.iter().map(Self::depth).max().unwrap_or(0),
            Self::Map(entries) => 1 + entries.iter().map(|(_, v)| v.depth()).max().unwrap_or(0),
            Self::Tag(_, inner) => 1 + inner.depth(),
            _ => 1,
        }
    }

    fn has_float(&self) -> bool {
        match self {
            Self::Float(_) => true,
            Self::Array(items) => items.iter().any(Self::has_float),
            Self::Map(entries) => entries.iter().any(|(_, v)| v.has_float()),
            Self::Tag(_, inner) => inner.has_float(),
            _ => false,
        }
    }
}

/// Encodes with the crate's encoder.
fn encode<W: Write>(v: &V, e: &mut Encoder<W>) {
    match v {
        V::Uint(n) => {
            e.uint(*n);
        }
        V::Nint(n) => {
            e.head(Major::Negative, *n);
        }
        V::Bytes(b) => {
            e.bytes(b);
        }
        V::Text(s) => {
            e.text(s);
        }
        V::Bool(b) => {
            e.bool(*b);
        }
        V::Null => {
            e.null();
        }
        V::Float(f) => {
            e.float(*f);
        }
        V::Array(items) => {
            e.array(items.len());
            for item in items {
                encode(item, e);
            }
        }
        V::Map(entries) => {
            e.map(entries.len());
            for (k, item) in entries {
                e.int(*k);
                encode(item, e);
            }
        }
        V::Tag(t, inner) => {
            e.tag(*t);
            encode(inner, e);
        }
    }
}

/// Decodes one item with the crate's decoder.
fn decode(d: &mut Decoder<'_>) -> Result<V, Error> {
    Ok(match d.peek_major()? {
        Major::Unsigned => V::Uint(d.uint()?),
        Major::Negative => V::Nint(u64::try_from(-1 - d.int_wide()?).unwrap()),
        Major::Bytes => V::Bytes(d.bytes()?.to_vec()),
        Major::Text => V::Text(d.text()?.to_owned()),
        Major::Array => {
            let n = d.array()?;
            V::Array((0..n).map(|_| decode(d)).collect::<Result<_, _>>()?)
        }
        Major::Map => {
            let n = d.map()?;
            let mut entries = Vec::with_capacity(n);
            for _ in 0..n {
                let k = d.int()?;
                entries.push((k, decode(d)?));
            }
            V::Map(entries)
        }
        Major::Tag => {
            let t = d.tag()?;
            V::Tag(t, Box::new(decode(d)?))
        }
        Major::Simple => {
            if d.peek_is_null() {
                d.null()?;
                V::Null
            } else if let Ok(b) = d.bool() {
                V::Bool(b)
            } else {
                V::Float(d.float()?)
            }
        }
    })
}

/// The same tree as a `ciborium` value.
fn to_ciborium(v: &V) -> CValue {
    match v {
        V::Uint(n) => CValue::Integer((*n).into()),
        V::Nint(n) => {
            CValue::Integer(ciborium::value::Integer::try_from(-1 - i128::from(*n)).unwrap())
        }
        V::Bytes(b) => CValue::Bytes(b.clone()),
        V::Text(s) => CValue::Text(s.clone()),
        V::Bool(b) => CValue::Bool(*b),
        V::Null => CValue::Null,
        V::Float(f) => CValue::Float(*f),
        V::Array(items) => CValue::Array(items.iter().map(to_ciborium).collect()),
        V::Map(entries) => CValue::Map(
            entries
                .iter()
                .map(|(k, v)| (CValue::Integer((*k).into()), to_ciborium(v)))
                .collect(),
        ),
        V::Tag(t, inner) => CValue::Tag(*t, Box::new(to_ciborium(inner))),
    }
}

/// Whether `ciborium` decoded the same data-model value as `v`.
fn same_as_ciborium(v: &V, c: &CValue) -> bool {
    match (v, c) {
        (V::Uint(n), CValue::Integer(i)) => i128::from(*i) == i128::from(*n),
        (V::Nint(n), CValue::Integer(i)) => i128::from(*i) == -1 - i128::from(*n),
        (V::Bytes(a), CValue::Bytes(b)) => a == b,
        (V::Text(a), CValue::Text(b)) => a == b,
        (V::Bool(a), CValue::Bool(b)) => a == b,
        (V::Null, CValue::Null) => true,
        (V::Float(a), CValue::Float(b)) => same_float(*a, *b),
        (V::Array(a), CValue::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_as_ciborium(x, y))
        }
        (V::Map(a), CValue::Map(b)) => {
            a.len() == b.len()
                && a.iter().zip(b).all(|((k, x), (ck, y))| {
                    matches!(ck, CValue::Integer(i) if i128::from(*i) == i128::from(*k))
                        && same_as_ciborium(x, y)
                })
        }
        (V::Tag(ta, a), CValue::Tag(tb, b)) => ta == tb && same_as_ciborium(a, b),
        _ => false,
    }
}

/// The deterministic encoding of an integer key, from `ciborium` (independent of our encoder).
fn key_bytes(k: i64) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(&CValue::Integer(k.into()), &mut out).unwrap();
    out
}

/// The value of IEEE 754 half-precision bits, computed independently of the crate.
fn half_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 == 0 { 1.0 } else { -1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let mant = f64::from(h & 0x3ff);
    sign * match exp {
        0 => mant * 2f64.powi(-24),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1.0 + mant / 1024.0) * 2f64.powi(exp - 15),
    }
}

fn uint_strategy() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..30,
        0u64..300,
        0u64..70_000,
        (0u64..5).prop_map(|d| u64::from(u32::MAX) - 2 + d),
        any::<u64>(),
    ]
}

fn float_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        any::<f32>().prop_map(f64::from),
        any::<u16>().prop_map(half_to_f64),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            65504.0,
            65536.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
            5.960_464_477_539_063e-8,
            f64::from(f32::MAX),
            f64::MAX,
        ]),
    ]
}

fn leaf() -> impl Strategy<Value = V> {
    prop_oneof![
        uint_strategy().prop_map(V::Uint),
        uint_strategy().prop_map(V::Nint),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(V::Bytes),
        any::<String>().prop_map(V::Text),
        any::<bool>().prop_map(V::Bool),
        Just(V::Null),
        float_strategy().prop_map(V::Float),
    ]
}

/// Tag numbers; 2 and 3 (bignums) are read as integers by ciborium, so the model avoids them.
fn tag_strategy() -> impl Strategy<Value = u64> {
    uint_strategy().prop_filter("not a bignum tag", |t| *t != 2 && *t != 3)
}

/// Bushy trees, up to 7 container levels above a leaf (depth <= 8).
fn bushy() -> impl Strategy<Value = V> {
    leaf().prop_recursive(7, 128, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(V::Array),
            prop::collection::vec((any::<i64>(), inner.clone()), 0..8).prop_map(|entries| {
                let mut entries: Vec<(Vec<u8>, i64, V)> = entries
                    .into_iter()
                    .map(|(k, v)| (key_bytes(k), k, v))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                entries.dedup_by(|a, b| a.0 == b.0);
                V::Map(entries.into_iter().map(|(_, k, v)| (k, v)).collect())
            }),
            (tag_strategy(), inner).prop_map(|(t, v)| V::Tag(t, Box::new(v))),
        ]
    })
}

/// Deep, narrow trees: 1 to 7 single-child arrays, maps and tags around a leaf (depth <= 8),
/// which bushy trees rarely reach.
fn spine() -> impl Strategy<Value = V> {
    (
        leaf(),
        prop::collection::vec((0u8..3, any::<i64>(), tag_strategy()), 1..=7),
    )
        .prop_map(|(mut v, levels)| {
            for (kind, k, t) in levels {
                v = match kind {
                    0 => V::Array(vec![v]),
                    1 => V::Map(vec![(k, v)]),
                    _ => V::Tag(t, Box::new(v)),
                };
            }
            v
        })
}

fn tree() -> impl Strategy<Value = V> {
    prop_oneof![3 => bushy(), 1 => spine()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Size query, encoding, strict validation, decoding and ciborium agree on every tree.
    #[test]
    fn cbor_round_trip(v in tree()) {
        prop_assert!(v.depth() <= 8);
        let predicted = cbor::encoded_len(|e| encode(&v, e));
        let mut counter = SizeCounter::new();
        encode(&v, &mut Encoder::new(&mut counter));
        prop_assert_eq!(counter.len(), predicted);

        let mut buf = vec![0u8; predicted];
        let mut w = SliceWriter::new(&mut buf);
        encode(&v, &mut Encoder::new(&mut w));
        prop_assert_eq!(w.len(), predicted);
        prop_assert_eq!(w.finish(), Ok(predicted));

        let mut vw = VecWriter::default();
        encode(&v, &mut Encoder::new(&mut vw));
        prop_assert_eq!(&vw.0, &buf);

        prop_assert_eq!(cbor::validate(&buf, Mode::Strict), Ok(()));
        prop_assert_eq!(cbor::validate(&buf, Mode::Lenient), Ok(()));

        let mut d = Decoder::new(&buf);
        let back = decode(&mut d).unwrap();
        prop_assert_eq!(d.finish(), Ok(()));
        prop_assert_eq!(&back, &v);

        let mut skipper = Decoder::new(&buf);
        prop_assert_eq!(skipper.raw_item(), Ok(&buf[..]));

        let c: CValue = ciborium::from_reader(buf.as_slice()).unwrap();
        prop_assert!(same_as_ciborium(&v, &c), "ciborium read {:?}", c);
        if !v.has_float() {
            // Without floats, ciborium's encoder is also deterministic: same bytes.
            let mut theirs = Vec::new();
            ciborium::into_writer(&to_ciborium(&v), &mut theirs).unwrap();
            prop_assert_eq!(hex::encode(&theirs), hex::encode(&buf));
        }
    }

    /// A short buffer reports exactly the size needed, and a longer one is filled as far as
    /// needed.
    #[test]
    fn cbor_buffer_too_small_reports_exact_size(v in tree(), cut in any::<Index>(), slack in 0usize..16) {
        let needed = cbor::encoded_len(|e| encode(&v, e));
        let short = cut.index(needed); // 0..needed
        let mut buf = vec![0u8; short];
        let mut w = SliceWriter::new(&mut buf);
        encode(&v, &mut Encoder::new(&mut w));
        prop_assert_eq!(w.written(), None);
        prop_assert_eq!(w.finish(), Err(Error::BufferTooSmall { needed }));

        let mut exact = vec![0u8; needed];
        let mut w = SliceWriter::new(&mut exact);
        encode(&v, &mut Encoder::new(&mut w));
        prop_assert_eq!(w.finish(), Ok(needed));

        let mut long = vec![0xeeu8; needed + slack];
        let mut w = SliceWriter::new(&mut long);
        encode(&v, &mut Encoder::new(&mut w));
        prop_assert_eq!(w.written(), Some(&exact[..]));
        prop_assert_eq!(w.finish(), Ok(needed));
        prop_assert!(long[needed..].iter().all(|&b| b == 0xee));
    }
}

// ------------------------------------------------------------------------------------------
// (b) COSE_Sign1
// ------------------------------------------------------------------------------------------

fn key() -> SigningKey {
    SigningKey::from_bytes(&[0x5a; 32]).unwrap()
}

/// The options that accept what the builder produced.
fn options_for(tagged: bool) -> ParseOptions {
    ParseOptions {
        accept_untagged: !tagged,
        ..ParseOptions::DEFAULT
    }
}

/// Parse then verify, attached or detached as the original message was.
fn parse_and_verify<'a>(
    msg: &'a [u8],
    options: &ParseOptions,
    vk: &VerifyingKey,
    aad: &[u8],
    detached: Option<&'a [u8]>,
) -> Result<&'a [u8], Error> {
    let u = UnverifiedSign1::parse(msg, options)?;
    let v = match detached {
        Some(p) => u.verify_detached(vk, aad, p)?,
        None => u.verify(vk, aad)?,
    };
    Ok(v.payload())
}

/// Byte range of the unprotected header map: not covered by the signature.
fn unprotected_range(msg: &[u8], tagged: bool) -> std::ops::Range<usize> {
    // [tag 18] 0x84, then the protected bstr 43 a1 01 26.
    let start = usize::from(tagged) + 1 + 4;
    let len = Decoder::new(&msg[start..]).raw_item().unwrap().len();
    start..start + len
}

/// Signs with the builder and checks the size query, strict encoding and the round trip.
fn sign_and_check(
    payload: &[u8],
    aad: &[u8],
    kid: Option<&[u8]>,
    detached: bool,
    tagged: bool,
) -> Result<Vec<u8>, TestCaseError> {
    let k = key();
    let vk = k.verifying_key();
    let mut b = Sign1Builder::new()
        .external_aad(aad)
        .detached(detached)
        .untagged(!tagged);
    if let Some(kid) = kid {
        b = b.kid(kid);
    }
    let len = b.encoded_len(payload);
    prop_assert_eq!(
        b.sign(&k, payload, &mut vec![0u8; len - 1]),
        Err(Error::BufferTooSmall { needed: len })
    );
    let mut buf = vec![0u8; len + 8];
    prop_assert_eq!(b.sign(&k, payload, &mut buf), Ok(len));
    buf.truncate(len);
    prop_assert_eq!(cbor::validate(&buf, Mode::Strict), Ok(()));

    let options = options_for(tagged);
    if !tagged {
        prop_assert_eq!(
            UnverifiedSign1::parse(&buf, &ParseOptions::DEFAULT).err(),
            Some(Error::MissingTag)
        );
    }
    let strict = ParseOptions {
        deterministic: true,
        ..options
    };
    let u = UnverifiedSign1::parse(&buf, &strict).unwrap();
    prop_assert_eq!(u.kid_untrusted(), kid);
    prop_assert_eq!(u.is_detached(), detached);
    prop_assert_eq!(
        u.payload_untrusted(),
        if detached { None } else { Some(payload) }
    );
    let supplied = detached.then_some(payload);
    prop_assert_eq!(
        parse_and_verify(&buf, &options, &vk, aad, supplied),
        Ok(payload)
    );
    let mut other_aad = aad.to_vec();
    other_aad.push(0);
    prop_assert_eq!(
        parse_and_verify(&buf, &options, &vk, &other_aad, supplied),
        Err(Error::VerificationFailed)
    );
    Ok(buf)
}

fn cose_inputs() -> impl Strategy<Value = (Vec<u8>, Vec<u8>, Option<Vec<u8>>, bool, bool)> {
    (
        prop::collection::vec(any::<u8>(), 0..2000),
        prop::collection::vec(any::<u8>(), 0..64),
        // A kid is never empty: the builder refuses one (peers cannot read it).
        prop::option::of(prop::collection::vec(any::<u8>(), 1..32)),
        any::<bool>(),
        any::<bool>(),
    )
}

/// Checks one tampered copy: never a panic; never verifies unless the byte lies in the
/// unauthenticated unprotected header, and then the verified payload is the signed one.
fn check_flip(
    msg: &[u8],
    at: usize,
    mask: u8,
    tagged: bool,
    aad: &[u8],
    payload: &[u8],
    detached: bool,
) -> Result<(), TestCaseError> {
    let vk = key().verifying_key();
    let mut tampered = msg.to_vec();
    tampered[at] ^= mask;
    // Parsing must not panic under any option set.
    for options in [
        options_for(tagged),
        ParseOptions::DEFAULT,
        ParseOptions {
            deterministic: true,
            ..options_for(tagged)
        },
    ] {
        let _ = UnverifiedSign1::parse(&tampered, &options);
    }
    // PERMISSIVE_TAGS accepts a superset of what the other option sets accept, so "never
    // verifies under it" covers them all.
    let supplied = detached.then_some(payload);
    let result = parse_and_verify(
        &tampered,
        &ParseOptions::PERMISSIVE_TAGS,
        &vk,
        aad,
        supplied,
    );
    if unprotected_range(msg, tagged).contains(&at) {
        if let Ok(p) = result {
            prop_assert_eq!(p, payload);
        }
    } else {
        prop_assert!(
            result.is_err(),
            "byte {} ^ {:#04x} still verifies: {}",
            at,
            mask,
            hex::encode(&tampered)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// encoded_len is exact, the message is deterministic CBOR, and it verifies.
    #[test]
    fn cose_sign_parse_verify_round_trip(
        (payload, aad, kid, detached, tagged) in cose_inputs()
    ) {
        sign_and_check(&payload, &aad, kid.as_deref(), detached, tagged)?;
    }

    /// Flipping any one byte never panics and, outside the unprotected header, never verifies.
    #[test]
    fn cose_single_byte_flips_never_verify(
        (payload, aad, kid, detached, tagged) in cose_inputs(),
        flips in prop::collection::vec((any::<Index>(), 1u8..=255), 1..6),
    ) {
        let msg = sign_and_check(&payload, &aad, kid.as_deref(), detached, tagged)?;
        for (at, mask) in flips {
            check_flip(&msg, at.index(msg.len()), mask, tagged, &aad, &payload, detached)?;
        }
    }
}

/// Exhaustive over positions for a small message: every byte, three masks each.
#[test]
fn every_single_byte_flip_of_a_small_message() {
    let payload = b"\xa1\x0a\x48nonce-01";
    for (kid, detached, tagged) in [
        (Some(&b"kid-1"[..]), false, true),
        (None, true, true),
        (Some(&b"k"[..]), false, false),
    ] {
        let msg = sign_and_check(payload, b"aad", kid, detached, tagged).unwrap();
        for at in 0..msg.len() {
            for mask in [0x01, 0x80, 0xff] {
                check_flip(&msg, at, mask, tagged, b"aad", payload, detached).unwrap();
            }
        }
    }
}
