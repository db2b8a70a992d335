//! Property tests for the claims codec and the evidence signer.
//!
//! * Arbitrary claims sets covering every field of [`Claims`] (every registered claim, the ECN PP
//!   claims, submodules nested two deep holding claims sets, real tag-18 tokens and detached
//!   digests, and unknown claims with integer and text labels): `decode(encode(c)) == c`,
//!   `encoded_len` is the number of bytes written, the output is core deterministic, a buffer one
//!   byte short reports the exact size, the compact claim writer of bare-metal targets writes the
//!   same bytes, and `ciborium` (an independent decoder) reads a map with one entry per claim.
//! * Arbitrary valid ECN PP evidence: `evidence_len` is exact, `sign_evidence` output verifies
//!   and reads back to the same claims, one byte short reports the exact size.
//!
//! [`Claims`] borrows everything it holds. The strategies build owned values and leak them
//! (`Box::leak`) so that generated claims are `'static` and can be shrunk and printed like any
//! other value; a test process leaks a few MiB at most.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::sync::OnceLock;

use ciborium::Value as CValue;
use ecnpp_attest::Error;
use ecnpp_attest::cbor::{Encoder, Mode, validate};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder};
use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::eat::{
    Claims, DebugStatus, DecodeOptions, Dloa, Extra, HwModel, IntendedUse, Label, List, Location,
    MeasResGroup, MeasResult, Measurement, NamedSubmodule, NamedUeid, NestedToken, Nonce,
    NonceClaim, OemId, Profile, RawValue, ResultCode, ResultId, Submodule, Ueid, Version, key,
};
use ecnpp_attest::eat::{Lifecycle, Promise, Robustness};
use ecnpp_attest::ecnpp::{self, Endorsement, PP_REF_V1_0_7, PROFILE, VerifiedEvidence};
use ecnpp_tests::VecWriter;
use proptest::prelude::*;
use proptest::sample::select;

// ------------------------------------------------------------------------------------------
// Leaking helpers: owned test data becomes 'static borrowed data
// ------------------------------------------------------------------------------------------

fn leak<T>(v: Vec<T>) -> &'static [T] {
    Box::leak(v.into_boxed_slice())
}

fn leak_str(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Sorts named entries the way a deterministic map orders text keys: by length, then bytes.
fn sort_by_encoded_name<T>(v: &mut [T], name: impl Fn(&T) -> &str) {
    v.sort_by(|a, b| {
        let (a, b) = (name(a), name(b));
        a.len()
            .cmp(&b.len())
            .then_with(|| a.as_bytes().cmp(b.as_bytes()))
    });
}

// ------------------------------------------------------------------------------------------
// Leaf strategies
// ------------------------------------------------------------------------------------------

fn text() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ._:/-]{0,24}",
        1 => "\\PC{0,12}",
        // Long enough for a two-byte text head.
        1 => "[a-z]{24,40}",
    ]
    .prop_map(leak_str)
}

fn bytes(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = &'static [u8]> {
    prop::collection::vec(any::<u8>(), len).prop_map(leak)
}

fn nonce() -> impl Strategy<Value = Nonce<'static>> {
    bytes(Nonce::MIN_LEN..=Nonce::MAX_LEN).prop_map(|b| Nonce::new(b).unwrap())
}

fn nonce_claim() -> impl Strategy<Value = NonceClaim<'static>> {
    prop_oneof![
        nonce().prop_map(NonceClaim::One),
        prop::collection::vec(nonce(), 1..4).prop_map(|v| NonceClaim::Many(List::Items(leak(v)))),
    ]
}

fn ueid() -> impl Strategy<Value = Ueid<'static>> {
    bytes(Ueid::MIN_LEN..=Ueid::MAX_LEN).prop_map(|b| Ueid::new(b).unwrap())
}

fn hwmodel() -> impl Strategy<Value = HwModel<'static>> {
    bytes(HwModel::MIN_LEN..=HwModel::MAX_LEN).prop_map(|b| HwModel::new(b).unwrap())
}

fn oemid() -> impl Strategy<Value = OemId<'static>> {
    prop_oneof![
        bytes(16..=16).prop_map(OemId::Random),
        bytes(3..=3).prop_map(OemId::Ieee),
        any::<u64>().prop_map(OemId::Pen),
    ]
}

fn version() -> impl Strategy<Value = Version<'static>> {
    (text(), prop::option::of(any::<i64>()))
        .prop_map(|(version, scheme)| Version { version, scheme })
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |f| f.is_finite()),
        // Values with short (half, single) encodings.
        (-1000i32..1000).prop_map(|i| f64::from(i) / 4.0),
        any::<f32>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(f64::from),
    ]
}

fn location() -> impl Strategy<Value = Location> {
    (
        finite(),
        finite(),
        prop::option::of(finite()),
        prop::option::of(finite()),
        prop::option::of(finite()),
        prop::option::of(finite()),
        prop::option::of(finite()),
        prop::option::of(any::<i64>()),
        prop::option::of(any::<u64>()),
    )
        .prop_map(|(lat, lon, alt, acc, altacc, hdg, spd, ts, age)| Location {
            latitude: lat,
            longitude: lon,
            altitude: alt,
            accuracy: acc,
            altitude_accuracy: altacc,
            heading: hdg,
            speed: spd,
            timestamp: ts,
            age,
        })
}

fn profile() -> impl Strategy<Value = Profile<'static>> {
    prop_oneof![
        Just(PROFILE),
        text().prop_map(Profile::Uri),
        bytes(1..=24).prop_map(Profile::Oid),
    ]
}

fn dloa() -> impl Strategy<Value = Dloa<'static>> {
    (text(), text(), prop::option::of(text())).prop_map(|(registrar, platform, application)| Dloa {
        registrar,
        platform,
        application,
    })
}

fn measurement() -> impl Strategy<Value = Measurement<'static>> {
    (any::<u16>(), bytes(0..=48)).prop_map(|(content_type, content)| Measurement {
        content_type,
        content,
    })
}

fn measurements() -> impl Strategy<Value = List<'static, Measurement<'static>>> {
    prop::collection::vec(measurement(), 1..4).prop_map(|v| List::Items(leak(v)))
}

fn meas_result() -> impl Strategy<Value = MeasResult<'static>> {
    (
        prop_oneof![
            text().prop_map(ResultId::Text),
            bytes(0..=32).prop_map(ResultId::Bytes),
        ],
        select(vec![
            ResultCode::Success,
            ResultCode::Fail,
            ResultCode::NotRun,
            ResultCode::Absent,
        ]),
    )
        .prop_map(|(id, result)| MeasResult { id, result })
}

fn measres() -> impl Strategy<Value = List<'static, MeasResGroup<'static>>> {
    prop::collection::vec(
        (text(), prop::collection::vec(meas_result(), 1..4)).prop_map(|(system, results)| {
            MeasResGroup {
                system,
                results: List::Items(leak(results)),
            }
        }),
        1..3,
    )
    .prop_map(|v| List::Items(leak(v)))
}

fn robustness() -> impl Strategy<Value = List<'static, Robustness<'static>>> {
    prop::collection::vec(
        (text(), text()).prop_map(|(scheme, level)| Robustness { scheme, level }),
        1..3,
    )
    .prop_map(|v| List::Items(leak(v)))
}

fn sueids() -> impl Strategy<Value = List<'static, NamedUeid<'static>>> {
    prop::collection::btree_map("[a-z]{1,8}", ueid(), 1..4).prop_map(|m| {
        let mut v: Vec<NamedUeid<'static>> = m
            .into_iter()
            .map(|(name, ueid)| NamedUeid {
                name: leak_str(name),
                ueid,
            })
            .collect();
        sort_by_encoded_name(&mut v, |x| x.name);
        List::Items(leak(v))
    })
}

fn debug_status() -> impl Strategy<Value = DebugStatus> {
    select(vec![
        DebugStatus::Enabled,
        DebugStatus::Disabled,
        DebugStatus::DisabledSinceBoot,
        DebugStatus::DisabledPermanently,
        DebugStatus::DisabledFullyAndPermanently,
    ])
}

fn intended_use() -> impl Strategy<Value = IntendedUse> {
    select(vec![
        IntendedUse::Generic,
        IntendedUse::Registration,
        IntendedUse::Provisioning,
        IntendedUse::CertificateIssuance,
        IntendedUse::ProofOfPossession,
    ])
}

fn promise() -> impl Strategy<Value = Promise> {
    select(vec![
        Promise::Standard,
        Promise::SecureElement,
        Promise::SecureEnclave,
    ])
}

fn lifecycle() -> impl Strategy<Value = Lifecycle> {
    select(vec![
        Lifecycle::Provisioning,
        Lifecycle::Operational,
        Lifecycle::Maintenance,
        Lifecycle::Decommissioned,
    ])
}

// ------------------------------------------------------------------------------------------
// Unknown claims: arbitrary deterministic CBOR items as RawValue
// ------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Raw {
    Uint(u64),
    Nint(i64),
    Bytes(Vec<u8>),
    Text(String),
    Bool(bool),
    Null,
    Float(f64),
    Array(Vec<Raw>),
    /// A one-entry map (always in deterministic order).
    Map(u64, Box<Raw>),
    Tag(u64, Box<Raw>),
}

impl Raw {
    fn write(&self, e: &mut Encoder<&mut VecWriter>) {
        match self {
            Self::Uint(v) => {
                e.uint(*v);
            }
            Self::Nint(v) => {
                e.int(*v);
            }
            Self::Bytes(b) => {
                e.bytes(b);
            }
            Self::Text(t) => {
                e.text(t);
            }
            Self::Bool(b) => {
                e.bool(*b);
            }
            Self::Null => {
                e.null();
            }
            Self::Float(f) => {
                e.float(*f);
            }
            Self::Array(items) => {
                e.array(items.len());
                for i in items {
                    i.write(e);
                }
            }
            Self::Map(k, v) => {
                e.map(1).uint(*k);
                v.write(e);
            }
            Self::Tag(t, v) => {
                e.tag(*t);
                v.write(e);
            }
        }
    }
}

fn raw_value() -> impl Strategy<Value = RawValue<'static>> {
    let leaf = prop_oneof![
        any::<u64>().prop_map(Raw::Uint),
        (i64::MIN..0).prop_map(Raw::Nint),
        prop::collection::vec(any::<u8>(), 0..16).prop_map(Raw::Bytes),
        "\\PC{0,8}".prop_map(Raw::Text),
        any::<bool>().prop_map(Raw::Bool),
        Just(Raw::Null),
        finite().prop_map(Raw::Float),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Raw::Array),
            (any::<u64>(), inner.clone()).prop_map(|(k, v)| Raw::Map(k, Box::new(v))),
            (0u64..1000, inner).prop_map(|(t, v)| Raw::Tag(t, Box::new(v))),
        ]
    })
    .prop_map(|r| {
        let mut w = VecWriter::default();
        r.write(&mut Encoder::new(&mut w));
        RawValue::new(leak(w.0)).expect("the encoder writes deterministic CBOR")
    })
}

fn label() -> impl Strategy<Value = Label<'static>> {
    prop_oneof![
        any::<i64>()
            .prop_filter("not a typed claim", |k| !key::KNOWN.contains(k))
            .prop_map(Label::Int),
        // Private-use claims near the profile's keys, and small ones near registered keys.
        (-100_000i64..-65_536)
            .prop_filter("not a typed claim", |k| !key::KNOWN.contains(k))
            .prop_map(Label::Int),
        (0i64..300)
            .prop_filter("not a typed claim", |k| !key::KNOWN.contains(k))
            .prop_map(Label::Int),
        text().prop_map(Label::Text),
    ]
}

fn extra() -> impl Strategy<Value = Extra<'static>> {
    prop::collection::vec((label(), raw_value()), 0..4).prop_map(|mut v| {
        // Labels are unique in a map.
        let mut seen: Vec<Label<'static>> = Vec::new();
        v.retain(|(l, _)| {
            let fresh = !seen.contains(l);
            seen.push(*l);
            fresh
        });
        Extra::Items(leak(v))
    })
}

// ------------------------------------------------------------------------------------------
// Submodules and whole claims sets
// ------------------------------------------------------------------------------------------

/// Real nested tokens: tag 18 (attached and detached payload, with and without kid) and the
/// CWT wrapper 61(18(...)). Signed once per process.
fn nested_tokens() -> &'static [&'static [u8]] {
    static TOKENS: OnceLock<Vec<&'static [u8]>> = OnceLock::new();
    TOKENS.get_or_init(|| {
        let key = SigningKey::from_bytes(&[0x5c; 32]).unwrap();
        let payload: &[u8] = &[0xa1, 0x19, 0x01, 0x06, 0xf5]; // {262: true}
        let mut out = Vec::new();
        for builder in [
            Sign1Builder::new(),
            Sign1Builder::new().kid(b"se-key"),
            Sign1Builder::new().detached(true),
        ] {
            let mut buf = vec![0u8; builder.encoded_len(payload)];
            builder.sign(&key, payload, &mut buf).unwrap();
            assert_eq!(buf[0], 0xd2, "tag 18");
            let mut cwt = vec![0xd8, 0x3d];
            cwt.extend_from_slice(&buf);
            out.push(leak(buf));
            out.push(leak(cwt));
        }
        out
    })
}

fn submodule(depth: u32) -> BoxedStrategy<Submodule<'static>> {
    prop_oneof![
        3 => claims_with(depth, false).prop_map(Submodule::Claims),
        1 => select(nested_tokens())
            .prop_map(|t| Submodule::Token(NestedToken::new(t).unwrap())),
        1 => (
            prop_oneof![
                any::<i64>().prop_map(Label::Int),
                text().prop_map(Label::Text),
            ],
            bytes(0..=64),
        )
            .prop_map(|(alg, digest)| Submodule::Digest { alg, digest }),
    ]
    .boxed()
}

fn submods(depth: u32) -> impl Strategy<Value = List<'static, NamedSubmodule<'static>>> {
    prop::collection::btree_map(text(), submodule(depth), 1..3).prop_map(|m| {
        let mut v: Vec<NamedSubmodule<'static>> = m
            .into_iter()
            .map(|(name, submodule)| NamedSubmodule { name, submodule })
            .collect();
        sort_by_encoded_name(&mut v, |x| x.name);
        List::Items(leak(v))
    })
}

/// `Some(value)` always when `every`, else `None` or `Some(value)`. Boxed: the value trees of
/// the big tuples below stay small, or generating them overflows a test thread's stack in debug
/// builds.
fn opt<T: Clone + std::fmt::Debug + 'static>(
    s: impl Strategy<Value = T> + 'static,
    every: bool,
) -> BoxedStrategy<Option<T>> {
    if every {
        s.prop_map(Some).boxed()
    } else {
        prop::option::of(s).boxed()
    }
}

/// A claims set with any subset of every field (with every field when `every`); `depth` more
/// levels of submodules below it.
fn claims_with(depth: u32, every: bool) -> BoxedStrategy<Claims<'static>> {
    let cwt = (
        opt(text(), every),
        opt(text(), every),
        opt(text(), every),
        opt(any::<i64>(), every),
        opt(any::<i64>(), every),
        opt(any::<i64>(), every),
        opt(bytes(0..=16), every),
        opt(any::<u64>(), every),
    );
    let device = (
        opt(nonce_claim(), every),
        opt(ueid(), every),
        opt(sueids(), every),
        opt(oemid(), every),
        opt(hwmodel(), every),
        opt(version(), every),
        opt(any::<u64>(), every),
        opt(any::<bool>(), every),
        opt(debug_status(), every),
        opt(location(), every),
        opt(profile(), every),
        opt(any::<u64>(), every),
    );
    let software = (
        opt(bytes(0..=32), every),
        opt(
            prop::collection::vec(dloa(), 1..3).prop_map(|v| List::Items(leak(v))),
            every,
        ),
        opt(text(), every),
        opt(version(), every),
        opt(measurements(), every),
        opt(measurements(), every),
        opt(measres(), every),
        opt(intended_use(), every),
    );
    let profile_claims = (
        opt(promise(), every),
        opt(text(), every),
        opt(any::<bool>(), every),
        opt(lifecycle(), every),
        opt(any::<u64>(), every),
        opt(robustness(), every),
        extra().boxed(),
    );
    let subs = if depth == 0 {
        Just(None).boxed()
    } else {
        opt(submods(depth - 1), every)
    };
    (cwt, device, software, profile_claims, subs)
        .prop_map(|(cwt, device, software, profile_claims, submods)| {
            let (iss, sub, aud, exp, nbf, iat, cti, exi) = cwt;
            let (
                nonce,
                ueid,
                sueids,
                oemid,
                hwmodel,
                hwversion,
                uptime,
                oemboot,
                dbgstat,
                location,
                eat_profile,
                bootcount,
            ) = device;
            let (bootseed, dloas, swname, swversion, manifests, measurements, measres, intuse) =
                software;
            let (promise, pp_ref, evaluated_config, lifecycle, svn, robustness, extra) =
                profile_claims;
            Claims {
                iss,
                sub,
                aud,
                exp,
                nbf,
                iat,
                cti,
                exi,
                nonce,
                ueid,
                sueids,
                oemid,
                hwmodel,
                hwversion,
                uptime,
                oemboot,
                dbgstat,
                location,
                eat_profile,
                submods,
                bootcount,
                bootseed,
                dloas,
                swname,
                swversion,
                manifests,
                measurements,
                measres,
                intuse,
                promise,
                pp_ref,
                evaluated_config,
                lifecycle,
                svn,
                robustness,
                extra,
            }
        })
        .boxed()
}

/// Which typed claims are set, in the order of `key::KNOWN`.
fn present(c: &Claims<'_>) -> Vec<bool> {
    key::KNOWN.iter().map(|&k| c.has(k)).collect()
}

/// Number of map entries the claims set encodes to: one per set field, one per unknown claim.
fn entries(c: &Claims<'_>) -> usize {
    present(c).iter().filter(|s| **s).count() + c.extra.len()
}

/// Every property of one encoding of `c`; returns the bytes.
fn check_roundtrip(c: &Claims<'static>) -> Result<Vec<u8>, TestCaseError> {
    let n = c
        .encoded_len()
        .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
    let mut buf = vec![0u8; n];
    prop_assert_eq!(c.encode(&mut buf), Ok(n));
    // Deterministic, hence also valid and duplicate-free.
    prop_assert_eq!(validate(&buf, Mode::Strict), Ok(()));
    // The compact claim writer that bare-metal targets build writes the same bytes.
    let mut compact = vec![0u8; n];
    prop_assert_eq!(c.encode_compact_reference(&mut compact), Ok(n));
    prop_assert_eq!(&compact, &buf);
    // Exact size: one byte less is refused with the size needed.
    prop_assert_eq!(
        c.encode(&mut vec![0u8; n - 1]),
        Err(Error::BufferTooSmall { needed: n })
    );
    // Same claims back, leniently and strictly.
    let back = Claims::decode(&buf).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
    prop_assert_eq!(&back, c);
    let strict = Claims::decode_with(
        &buf,
        DecodeOptions {
            deterministic: true,
        },
    );
    prop_assert_eq!(strict.as_ref(), Ok(c));
    // Re-encoding what was read gives the same bytes.
    prop_assert_eq!(back.encoded_len(), Ok(n));
    let mut again = vec![0u8; n];
    prop_assert_eq!(back.encode(&mut again), Ok(n));
    prop_assert_eq!(&again, &buf);
    // An independent decoder sees a map with one entry per claim.
    let v: CValue = ciborium::from_reader(buf.as_slice())
        .map_err(|e| TestCaseError::fail(format!("ciborium: {e}")))?;
    match v {
        CValue::Map(m) => prop_assert_eq!(m.len(), entries(c)),
        other => prop_assert!(false, "not a map: {:?}", other),
    }
    Ok(buf)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn claims_roundtrip(c in claims_with(2, false)) {
        check_roundtrip(&c)?;
    }

    /// A claims set with every field set (the general strategy leaves each one out half the
    /// time), so that the combination of all claims in one map is exercised on every case.
    #[test]
    fn claims_with_every_field_roundtrip(c in claims_with(1, true)) {
        prop_assert_eq!(entries(&c) - c.extra.len(), key::KNOWN.len());
        check_roundtrip(&c)?;
    }
}

/// The strategy does reach every field and every kind of submodule (a guard against a
/// strategy that silently stops covering something).
#[test]
fn the_strategy_covers_every_field_and_submodule_kind() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = claims_with(2, false);
    let mut seen = [false; key::KNOWN.len()];
    let (mut token, mut cwt_token, mut digest, mut depth2, mut many, mut text_label) =
        (false, false, false, false, false, false);
    for _ in 0..400 {
        let c = strategy.new_tree(&mut runner).unwrap().current();
        for (seen, now) in seen.iter_mut().zip(present(&c)) {
            *seen |= now;
        }
        many |= matches!(c.nonce, Some(NonceClaim::Many(_)));
        text_label |= c.extra.iter().any(|(l, _)| matches!(l, Label::Text(_)));
        for s in c.submods.iter().flat_map(|l| l.iter()) {
            match s.submodule {
                Submodule::Token(t) => {
                    token |= t.as_bytes()[0] == 0xd2;
                    cwt_token |= t.as_bytes()[0] == 0xd8;
                }
                Submodule::Digest { .. } => digest = true,
                Submodule::Claims(inner) => {
                    depth2 |= inner.submods.is_some_and(|l| {
                        l.iter()
                            .any(|s| matches!(s.submodule, Submodule::Claims(_)))
                    });
                }
            }
        }
    }
    for (i, k) in key::KNOWN.iter().enumerate() {
        assert!(seen[i], "key {k} never generated");
    }
    assert!(token && cwt_token && digest && depth2 && many && text_label);
}

// ------------------------------------------------------------------------------------------
// Evidence: sign_evidence / evidence_len round trip
// ------------------------------------------------------------------------------------------

fn se() -> impl Strategy<Value = Claims<'static>> {
    (
        oemid(),
        hwmodel(),
        select(vec![
            DebugStatus::DisabledPermanently,
            DebugStatus::DisabledFullyAndPermanently,
        ]),
        prop::option::of(version()),
    )
        .prop_map(|(oemid, hwmodel, dbgstat, hwversion)| Claims {
            oemid: Some(oemid),
            hwmodel: Some(hwmodel),
            dbgstat: Some(dbgstat),
            hwversion,
            ..Claims::default()
        })
}

fn tee() -> impl Strategy<Value = Claims<'static>> {
    (measurements(), prop::option::of(text()), extra()).prop_map(|(m, swname, extra)| Claims {
        measurements: Some(m),
        swname,
        extra,
        ..Claims::default()
    })
}

/// Valid ECN PP evidence for any promise, with the optional device claims at random.
fn evidence() -> impl Strategy<Value = Claims<'static>> {
    use prop::option::of;
    let required = (
        nonce_claim(),
        ueid(),
        oemid(),
        hwmodel(),
        text(),
        version(),
        any::<bool>(),
        debug_status(),
        promise(),
        prop_oneof![Just(PP_REF_V1_0_7), text()],
    );
    let optional = (
        of(any::<i64>()),
        of(measurements()),
        of(lifecycle()),
        of(any::<u64>()),
        of(location()),
        of(any::<u64>()),
        of(intended_use()),
        extra(),
    );
    (required, optional, se(), tee(), any::<bool>()).prop_map(
        |(required, optional, se, tee, with_se)| {
            let (nonce, ueid, oemid, hwmodel, swname, swversion, oemboot, dbgstat, promise, pp_ref) =
                required;
            let (iat, measurements, lifecycle, svn, location, bootcount, intuse, extra) = optional;
            let mut subs = Vec::new();
            if promise == Promise::SecureElement || (promise == Promise::SecureEnclave && with_se)
            {
                subs.push(NamedSubmodule {
                    name: "se",
                    submodule: Submodule::Claims(se),
                });
            }
            if promise == Promise::SecureEnclave {
                subs.push(NamedSubmodule {
                    name: "tee",
                    submodule: Submodule::Claims(tee),
                });
            }
            Claims {
                eat_profile: Some(PROFILE),
                nonce: Some(nonce),
                ueid: Some(ueid),
                oemid: Some(oemid),
                hwmodel: Some(hwmodel),
                swname: Some(swname),
                swversion: Some(swversion),
                oemboot: Some(oemboot),
                dbgstat: Some(dbgstat),
                promise: Some(promise),
                pp_ref: Some(pp_ref),
                iat,
                measurements,
                lifecycle,
                svn,
                location,
                bootcount,
                intuse,
                extra,
                submods: if subs.is_empty() {
                    None
                } else {
                    Some(List::Items(leak(subs)))
                },
                ..Claims::default()
            }
        },
    )
}

fn device_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_bytes(&[0x31; 32]).unwrap())
}

proptest! {
    // Each case signs twice and verifies once: fewer cases keep the debug build quick.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn evidence_roundtrip(c in evidence(), kid in prop::option::of(bytes(1..=16))) {
        prop_assert_eq!(ecnpp::validate_evidence(&c), Ok(()));
        let builder = kid.map_or_else(Sign1Builder::new, |k| Sign1Builder::new().kid(k));
        let key = device_key();
        let n = ecnpp::evidence_len(&c, &builder)
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        // One byte short: refused with the exact size, before the signer is asked.
        prop_assert_eq!(
            ecnpp::sign_evidence(&c, &builder, key, &mut vec![0u8; n - 1]),
            Err(Error::BufferTooSmall { needed: n })
        );
        let mut token = vec![0u8; n];
        prop_assert_eq!(ecnpp::sign_evidence(&c, &builder, key, &mut token), Ok(n));
        let strict = ParseOptions { deterministic: true, ..ParseOptions::DEFAULT };
        let vk = key.verifying_key();
        let verified = VerifiedEvidence::verify(&token, &Endorsement::new(&vk, &[]), &strict)
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(verified.claims(), &c);
        prop_assert_eq!(ecnpp::validate_evidence(verified.claims()), Ok(()));
        // The payload is exactly the encoded claims set.
        let mut claims_bytes = vec![0u8; c.encoded_len().unwrap()];
        c.encode(&mut claims_bytes).unwrap();
        prop_assert_eq!(verified.token().payload(), claims_bytes.as_slice());
        // RFC 6979: signing the same claims again gives the same token.
        let mut again = vec![0u8; n];
        prop_assert_eq!(ecnpp::sign_evidence(&c, &builder, key, &mut again), Ok(n));
        prop_assert_eq!(again, token);
    }
}
