//! Differential tests against google/coset 0.4 and ciborium 0.2, with RustCrypto `p256` 0.14 as
//! an independent ES256 implementation.
//!
//! * Tokens this crate signs decode with coset (and ciborium) to the same fields, coset's
//!   `tbs_data` equals the Sig_structure this crate streams, `p256` verifies our signature over
//!   coset's bytes, and both peers re-encode the message to the very same bytes.
//! * Tokens coset builds and `p256` signs verify with this crate (external AAD, detached
//!   payload, protected kid, content type, `crit`, high-S).
//! * COSE_Key both ways, byte for byte.
//! * A table of messages on which the two disagree or must agree on rejection, each with the
//!   reason and the precise [`Error`] this crate gives.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ciborium::Value;
use coset::{
    CborSerializable, CoseKey, CoseKeyBuilder, CoseSign1, CoseSign1Builder, HeaderBuilder, Label,
    TaggedCborSerializable, iana,
};
use ecnpp_attest::Error;
use ecnpp_attest::cbor::{self, Mode};
use ecnpp_attest::cose::{
    ContentType, PROTECTED_ES256, ParseOptions, Sign1Builder, UnverifiedSign1,
};
use ecnpp_attest::crypto::{SigningKey, VerifyingKey};
use ecnpp_tests::VecWriter;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use proptest::prelude::*;

/// The order `n` of the P-256 group, big-endian.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// One secret, imported into both implementations.
struct KeyPair {
    /// Test keys only: printed by `Debug` so that a failing proptest case can be replayed.
    secret: [u8; 32],
    ours: SigningKey,
    peer: p256::ecdsa::SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair(secret {})", hex::encode(self.secret))
    }
}

impl KeyPair {
    fn from_secret(secret: &[u8; 32]) -> Option<Self> {
        let ours = SigningKey::from_bytes(secret).ok()?;
        let peer = p256::ecdsa::SigningKey::from_slice(secret).ok()?;
        Some(Self {
            secret: *secret,
            ours,
            peer,
        })
    }

    fn fixed() -> Self {
        Self::from_secret(&[0x5a; 32]).unwrap()
    }

    /// Our verifying key, imported from the peer's SEC1 encoding (not from our own signing key).
    fn our_vk(&self) -> VerifyingKey {
        VerifyingKey::from_sec1_bytes(self.peer.verifying_key().to_sec1_point(false).as_bytes())
            .unwrap()
    }

    fn peer_vk(&self) -> p256::ecdsa::VerifyingKey {
        *self.peer.verifying_key()
    }

    /// ES256 over `tbs` with `p256` (SHA-256 inside), fixed-width `r || s`.
    fn peer_sign(&self, tbs: &[u8]) -> Vec<u8> {
        let sig: p256::ecdsa::Signature = self.peer.sign(tbs);
        sig.to_bytes().to_vec()
    }
}

fn secret() -> impl Strategy<Value = KeyPair> {
    any::<[u8; 32]>().prop_filter_map("not a valid P-256 scalar", |s| KeyPair::from_secret(&s))
}

fn to_cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

fn int(v: i64) -> Value {
    Value::from(v)
}

fn es256_header() -> coset::Header {
    HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .build()
}

/// `n - s` for the 32-byte big-endian `s` (0 < s < n), i.e. the other one of the pair of valid
/// `s` values.
fn negate_s(sig: &[u8]) -> Vec<u8> {
    let mut out = sig.to_vec();
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(P256_N[i]) - i16::from(sig[32 + i]) - borrow;
        borrow = i16::from(d < 0);
        out[32 + i] = u8::try_from(d.rem_euclid(256)).unwrap();
    }
    assert_eq!(borrow, 0);
    out
}

/// Signs with this crate into an exactly sized buffer.
fn sign_ours(key: &SigningKey, b: &Sign1Builder<'_>, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; b.encoded_len(payload)];
    let n = b.sign(key, payload, &mut out).unwrap();
    assert_eq!(n, out.len(), "encoded_len is exact");
    out
}

fn options(tagged: bool) -> ParseOptions {
    ParseOptions {
        accept_untagged: !tagged,
        ..ParseOptions::DEFAULT
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Our tokens, read by coset and ciborium, checked by p256.
    #[test]
    fn our_tokens_decode_identically_with_coset_and_ciborium(
        keys in secret(),
        payload in prop::collection::vec(any::<u8>(), 0..600),
        kid in prop::option::of(prop::collection::vec(any::<u8>(), 1..40)),
        aad in prop::collection::vec(any::<u8>(), 0..80),
        detached in any::<bool>(),
        tagged in any::<bool>(),
    ) {
        let mut b = Sign1Builder::new().external_aad(&aad).detached(detached).untagged(!tagged);
        if let Some(kid) = &kid {
            b = b.kid(kid);
        }
        let msg = sign_ours(&keys.ours, &b, &payload);
        cbor::validate(&msg, Mode::Strict).unwrap();

        // coset sees the same fields.
        let cs = if tagged {
            CoseSign1::from_tagged_slice(&msg).unwrap()
        } else {
            CoseSign1::from_slice(&msg).unwrap()
        };
        prop_assert_eq!(cs.protected.original_data.as_deref(), Some(&PROTECTED_ES256[..]));
        prop_assert_eq!(&cs.protected.header, &es256_header());
        let expected_unprotected = match &kid {
            Some(kid) => HeaderBuilder::new().key_id(kid.clone()).build(),
            None => coset::Header::default(),
        };
        prop_assert_eq!(&cs.unprotected, &expected_unprotected);
        prop_assert_eq!(cs.payload.as_deref(), (!detached).then_some(&payload[..]));
        prop_assert_eq!(cs.signature.len(), 64);

        // coset's to-be-signed bytes are exactly the Sig_structure we stream into SHA-256.
        let coset_tbs = if detached {
            cs.tbs_detached_data(&payload, &aad)
        } else {
            cs.tbs_data(&aad)
        };
        let u = UnverifiedSign1::parse(&msg, &options(tagged)).unwrap();
        let mut ours_tbs = VecWriter::default();
        u.write_sig_structure(&aad, detached.then_some(&payload[..]), &mut ours_tbs).unwrap();
        prop_assert_eq!(&ours_tbs.0, &coset_tbs);

        // p256 accepts our signature over coset's bytes, and so do we.
        let sig = p256::ecdsa::Signature::from_slice(&cs.signature).unwrap();
        prop_assert!(keys.peer_vk().verify(&coset_tbs, &sig).is_ok());
        let vk = keys.our_vk();
        let verified = if detached {
            u.verify_detached(&vk, &aad, &payload).unwrap()
        } else {
            u.verify(&vk, &aad).unwrap()
        };
        prop_assert_eq!(verified.payload(), &payload[..]);

        // ciborium decodes the whole message to the structure we meant to write...
        let body = Value::Array(vec![
            Value::Bytes(PROTECTED_ES256.to_vec()),
            Value::Map(kid.iter().map(|k| (int(4), Value::Bytes(k.clone()))).collect()),
            if detached { Value::Null } else { Value::Bytes(payload.clone()) },
            Value::Bytes(cs.signature.clone()),
        ]);
        let expected = if tagged { Value::Tag(18, Box::new(body)) } else { body };
        let decoded: Value = ciborium::from_reader(&msg[..]).unwrap();
        prop_assert_eq!(&decoded, &expected);
        // ...and both peers re-encode it to our bytes (shortest heads everywhere).
        prop_assert_eq!(&to_cbor(&decoded), &msg);
        let reencoded = if tagged { cs.to_tagged_vec() } else { cs.to_vec() };
        prop_assert_eq!(&reencoded.unwrap(), &msg);
    }

    /// coset builds, p256 signs, we verify.
    #[test]
    fn coset_tokens_verify_with_ours(
        keys in secret(),
        payload in prop::collection::vec(any::<u8>(), 0..600),
        kid in prop::option::of(prop::collection::vec(any::<u8>(), 1..40)),
        aad in prop::collection::vec(any::<u8>(), 0..80),
        detached in any::<bool>(),
        tagged in any::<bool>(),
    ) {
        let mut builder = CoseSign1Builder::new().protected(es256_header());
        if let Some(kid) = &kid {
            builder = builder.unprotected(HeaderBuilder::new().key_id(kid.clone()).build());
        }
        let cs = if detached {
            builder.create_detached_signature(&payload, &aad, |tbs| keys.peer_sign(tbs))
        } else {
            builder.payload(payload.clone()).create_signature(&aad, |tbs| keys.peer_sign(tbs))
        }
        .build();
        let msg = if tagged { cs.to_tagged_vec() } else { cs.to_vec() }.unwrap();

        // coset's output happens to be core deterministic for these headers: parse strictly.
        let opts = ParseOptions { deterministic: true, ..options(tagged) };
        let u = UnverifiedSign1::parse(&msg, &opts).unwrap();
        prop_assert_eq!(u.kid_untrusted(), kid.as_deref());
        prop_assert_eq!(u.is_detached(), detached);
        prop_assert_eq!(u.payload_untrusted(), (!detached).then_some(&payload[..]));
        prop_assert_eq!(u.protected_bytes(), &PROTECTED_ES256[..]);

        let vk = keys.our_vk();
        let mut wrong_aad = aad.clone();
        wrong_aad.push(0);
        if detached {
            prop_assert_eq!(u.verify_detached(&vk, &aad, &payload).unwrap().payload(), &payload[..]);
            prop_assert_eq!(u.verify_detached(&vk, &wrong_aad, &payload).err(), Some(Error::VerificationFailed));
            let mut other = payload.clone();
            other.push(1);
            prop_assert_eq!(u.verify_detached(&vk, &aad, &other).err(), Some(Error::VerificationFailed));
            prop_assert_eq!(u.verify(&vk, &aad).err(), Some(Error::MissingDetachedPayload));
        } else {
            let v = u.verify(&vk, &aad).unwrap();
            prop_assert_eq!(v.payload(), &payload[..]);
            prop_assert_eq!(v.protected_kid(), None, "an unprotected kid is not authenticated");
            prop_assert_eq!(u.verify(&vk, &wrong_aad).err(), Some(Error::VerificationFailed));
            prop_assert_eq!(u.verify_detached(&vk, &aad, &payload).err(), Some(Error::UnexpectedDetachedPayload));
        }
    }

    /// COSE_Key: coset writes, we read; we write, coset reads; same bytes where both can write.
    #[test]
    fn cose_keys_cross_both_ways(
        keys in secret(),
        kid in prop::option::of(prop::collection::vec(any::<u8>(), 1..40)),
        with_alg in any::<bool>(),
    ) {
        let vk = keys.our_vk();
        let point = keys.peer_vk().to_sec1_point(false);
        let (x, y) = point.as_bytes()[1..].split_at(32);

        // coset -> ours
        let mut b = CoseKeyBuilder::new_ec2_pub_key(iana::EllipticCurve::P_256, x.to_vec(), y.to_vec());
        if with_alg {
            b = b.algorithm(iana::Algorithm::ES256);
        }
        if let Some(kid) = &kid {
            b = b.key_id(kid.clone());
        }
        let coset_bytes = b.build().to_vec().unwrap();
        let read = VerifyingKey::from_cose_key(&coset_bytes).unwrap();
        prop_assert_eq!(read.key, vk);
        prop_assert_eq!(read.kid, kid.as_deref());

        // compressed form (y as the sign bit) -> ours
        let odd = y[31] & 1 == 1;
        let compressed = CoseKeyBuilder::new_ec2_pub_key_y_sign(iana::EllipticCurve::P_256, x.to_vec(), odd)
            .build()
            .to_vec()
            .unwrap();
        prop_assert_eq!(VerifyingKey::from_cose_key(&compressed).unwrap().key, vk);

        // ours -> coset
        let mut buf = vec![0u8; vk.cose_key_len(kid.as_deref())];
        let n = vk.to_cose_key(kid.as_deref(), &mut buf).unwrap();
        prop_assert_eq!(n, buf.len());
        let ck = CoseKey::from_slice(&buf).unwrap();
        prop_assert_eq!(&ck.kty, &coset::KeyType::Assigned(iana::KeyType::EC2));
        prop_assert_eq!(&ck.alg, &Some(coset::Algorithm::Assigned(iana::Algorithm::ES256)));
        prop_assert_eq!(&ck.key_id, &kid.clone().unwrap_or_default());
        prop_assert_eq!(
            &ck.params,
            &vec![
                (Label::Int(-1), int(1)),
                (Label::Int(-2), Value::Bytes(x.to_vec())),
                (Label::Int(-3), Value::Bytes(y.to_vec())),
            ]
        );
        prop_assert_eq!(ck.to_sec1_octet_string().unwrap(), vk.to_sec1_uncompressed().to_vec());
        // coset orders kty, kid, alg, crv, x, y as we do: identical bytes when alg is present.
        if with_alg {
            prop_assert_eq!(&coset_bytes, &buf);
        }
    }
}

/// coset-built messages with more header parameters than we emit.
#[test]
fn coset_richer_headers_verify_with_ours() {
    let keys = KeyPair::fixed();
    let vk = keys.our_vk();
    let payload = b"\xa1\x0a\x48\x00\x01\x02\x03\x04\x05\x06\x07".to_vec();
    let kid = b"device-7".to_vec();

    let sign = |protected: coset::Header, unprotected: coset::Header| {
        CoseSign1Builder::new()
            .protected(protected)
            .unprotected(unprotected)
            .payload(payload.clone())
            .create_signature(b"", |tbs| keys.peer_sign(tbs))
            .build()
            .to_tagged_vec()
            .unwrap()
    };

    // kid protected: authenticated, reported by the verified view.
    let msg = sign(
        HeaderBuilder::new()
            .algorithm(iana::Algorithm::ES256)
            .key_id(kid.clone())
            .build(),
        coset::Header::default(),
    );
    let v = ecnpp_attest::cose::verify(&msg, &ParseOptions::DEFAULT, &vk, b"").unwrap();
    assert_eq!(v.protected_kid(), Some(&kid[..]));
    assert_eq!(v.payload(), &payload[..]);

    // crit naming the protected kid, and a content format.
    let msg = sign(
        HeaderBuilder::new()
            .algorithm(iana::Algorithm::ES256)
            .add_critical(iana::HeaderParameter::Kid)
            .content_format(iana::CoapContentFormat::EatCwt)
            .key_id(kid.clone())
            .build(),
        coset::Header::default(),
    );
    let v = ecnpp_attest::cose::verify(&msg, &ParseOptions::DEFAULT, &vk, b"").unwrap();
    assert_eq!(v.content_type(), Some(ContentType::Format(263)));
    assert_eq!(v.protected_kid(), Some(&kid[..]));

    // A media-type content type in the unprotected bucket, private int and text parameters in
    // both buckets (under different labels): ignored, still verifies.
    let msg = sign(
        HeaderBuilder::new()
            .algorithm(iana::Algorithm::ES256)
            .value(-70_000, Value::Bool(true))
            .build(),
        HeaderBuilder::new()
            .content_type("application/eat+cwt".to_owned())
            .text_value("note".to_owned(), Value::Text("ignored".to_owned()))
            .value(-70_001, Value::Null)
            .key_id(kid.clone())
            .build(),
    );
    let u = UnverifiedSign1::parse(&msg, &ParseOptions::DEFAULT).unwrap();
    assert_eq!(u.kid_untrusted(), Some(&kid[..]));
    let v = u.verify(&vk, b"").unwrap();
    assert_eq!(
        v.content_type(),
        Some(ContentType::Media("application/eat+cwt"))
    );
    assert_eq!(v.protected_kid(), None);
}

/// The design accepts both `s` and `n - s` (every peer does); p256 agrees.
#[test]
fn high_s_signatures_verify_everywhere() {
    let keys = KeyPair::fixed();
    let vk = keys.our_vk();
    for payload in [&b""[..], b"a", &[0xa5; 300]] {
        let mut cs = CoseSign1Builder::new()
            .protected(es256_header())
            .payload(payload.to_vec())
            .create_signature(b"aad", |tbs| keys.peer_sign(tbs))
            .build();
        let tbs = cs.tbs_data(b"aad");
        cs.signature = negate_s(&cs.signature);
        let flipped = p256::ecdsa::Signature::from_slice(&cs.signature).unwrap();
        assert!(keys.peer_vk().verify(&tbs, &flipped).is_ok());
        let msg = cs.to_tagged_vec().unwrap();
        let v = ecnpp_attest::cose::verify(&msg, &ParseOptions::DEFAULT, &vk, b"aad").unwrap();
        assert_eq!(v.payload(), payload);
    }
}

/// Our signatures are deterministic (RFC 6979) and low-S or high-S as p256 makes them: the same
/// as p256 signing the Sig_structure itself.
#[test]
fn our_signature_equals_p256_over_coset_tbs() {
    let keys = KeyPair::fixed();
    for (payload, aad) in [(&b"x"[..], &b""[..]), (&[7u8; 1000][..], &b"nonce"[..])] {
        let msg = sign_ours(&keys.ours, &Sign1Builder::new().external_aad(aad), payload);
        let cs = CoseSign1::from_tagged_slice(&msg).unwrap();
        assert_eq!(cs.signature, keys.peer_sign(&cs.tbs_data(aad)));
    }
}

// ---------------------------------------------------------------------------------------------
// Rejection differential
// ---------------------------------------------------------------------------------------------

/// What coset 0.4 (plus p256 over coset's `tbs_data`) makes of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coset {
    /// Decodes, and the signature verifies over coset's to-be-signed bytes.
    Accepts,
    /// Decodes, but no ES256 signature can be checked (the signature bytes are not r || s).
    DecodesOnly,
    /// Refuses to decode.
    Rejects,
}

struct Case {
    name: &'static str,
    msg: Vec<u8>,
    /// Whether coset reads it with `from_tagged_slice` (true) or `from_slice`.
    coset_tagged: bool,
    coset: Coset,
    options: ParseOptions,
    /// Our result for parse + verify with the right key and empty AAD.
    ours: Result<(), Error>,
    reason: &'static str,
}

/// A COSE_Sign1 whose signature is valid over the given protected bytes and payload (so that any
/// rejection is due to the rule under test, not the signature).
struct Parts {
    protected: Vec<u8>,
    unprotected: Value,
    payload: Vec<u8>,
}

impl Parts {
    fn new(protected: Value, unprotected: Value) -> Self {
        Self {
            protected: to_cbor(&protected),
            unprotected,
            payload: b"\xa1\x0a\x48\x00\x01\x02\x03\x04\x05\x06\x07".to_vec(),
        }
    }

    fn protected_raw(mut self, bytes: &[u8]) -> Self {
        self.protected = bytes.to_vec();
        self
    }

    fn signature(&self, keys: &KeyPair) -> Vec<u8> {
        let tbs = to_cbor(&Value::Array(vec![
            Value::Text("Signature1".to_owned()),
            Value::Bytes(self.protected.clone()),
            Value::Bytes(Vec::new()),
            Value::Bytes(self.payload.clone()),
        ]));
        keys.peer_sign(&tbs)
    }

    fn body_with_signature(&self, signature: Vec<u8>) -> Value {
        Value::Array(vec![
            Value::Bytes(self.protected.clone()),
            self.unprotected.clone(),
            Value::Bytes(self.payload.clone()),
            Value::Bytes(signature),
        ])
    }

    fn tagged(&self, keys: &KeyPair) -> Vec<u8> {
        to_cbor(&Value::Tag(
            18,
            Box::new(self.body_with_signature(self.signature(keys))),
        ))
    }

    fn untagged(&self, keys: &KeyPair) -> Vec<u8> {
        to_cbor(&self.body_with_signature(self.signature(keys)))
    }

    fn with_signature(&self, signature: Vec<u8>) -> Vec<u8> {
        to_cbor(&Value::Tag(
            18,
            Box::new(self.body_with_signature(signature)),
        ))
    }
}

fn map(entries: Vec<(Value, Value)>) -> Value {
    Value::Map(entries)
}

fn es256() -> Value {
    map(vec![(int(1), int(-7))])
}

fn empty() -> Value {
    map(vec![])
}

fn kid(k: &[u8]) -> (Value, Value) {
    (int(4), Value::Bytes(k.to_vec()))
}

fn cases(keys: &KeyPair) -> Vec<Case> {
    let d = ParseOptions::DEFAULT;
    let base = Parts::new(es256(), map(vec![kid(b"k1")]));
    let mut deep = int(0);
    for _ in 0..cbor::MAX_DEPTH + 2 {
        deep = Value::Array(vec![deep]);
    }
    let dup_inner = map(vec![(int(1), int(0)), (int(1), int(0))]);
    let many: Vec<(Value, Value)> = (0..=i64::try_from(cbor::MAX_MAP_ENTRIES).unwrap())
        .map(|i| (int(-70_000 - i), Value::Null))
        .collect();
    let good_sig = base.signature(keys);
    let der = p256::ecdsa::Signature::from_slice(&good_sig)
        .unwrap()
        .to_der()
        .as_bytes()
        .to_vec();
    let mut r_zero = good_sig.clone();
    r_zero[..32].fill(0);
    let mut s_n = good_sig.clone();
    s_n[32..].copy_from_slice(&P256_N);
    let mut indefinite = base.tagged(keys);
    assert_eq!(indefinite[1], 0x84);
    indefinite[1] = 0x9f;
    indefinite.push(0xff);
    let mut trailing = base.tagged(keys);
    trailing.push(0x00);
    let wrap = |tag: u64, inner: Value| to_cbor(&Value::Tag(tag, Box::new(inner)));
    let base_body = base.body_with_signature(good_sig.clone());
    // {4: h'6b31'} with the length in a one-byte argument (0x58 0x02) instead of inline.
    let mut long_head = base.tagged(keys);
    let at = long_head
        .windows(4)
        .position(|w| w == [0xa1, 0x04, 0x42, 0x6b])
        .unwrap();
    long_head.splice(at + 2..at + 3, [0x58, 0x02]);

    vec![
        Case {
            name: "baseline",
            msg: base.tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Ok(()),
            reason: "a well-formed ES256 COSE_Sign1: both accept",
        },
        Case {
            name: "alg only unprotected, protected h''",
            msg: Parts::new(empty(), es256()).protected_raw(b"").tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::AlgorithmNotProtected),
            reason: "RFC 9052 lets alg sit in either bucket; we require it protected so that it \
                     is covered by the signature (no algorithm substitution)",
        },
        Case {
            name: "alg only unprotected, protected h'a0'",
            msg: Parts::new(empty(), es256()).tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::AlgorithmNotProtected),
            reason: "as above, with the empty map spelled out",
        },
        Case {
            name: "no alg at all",
            msg: Parts::new(empty(), empty()).tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::MissingAlgorithm),
            reason: "coset leaves the algorithm to the caller; we need a protected ES256",
        },
        Case {
            name: "alg in both buckets",
            msg: Parts::new(es256(), es256()).tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::AlgorithmInBothBuckets),
            reason: "RFC 9052 §3: a label MUST NOT occur in both buckets; coset does not check",
        },
        Case {
            name: "alg in both buckets, unprotected label non-shortest (0x18 0x01)",
            msg: {
                // Same as above with the unprotected key spelled 0x18 0x01: ciborium folds it to
                // 1, we compare labels by value.
                let p = Parts::new(es256(), map(vec![]));
                let mut m = p.tagged(keys);
                let at = m.windows(2).position(|w| w == [0x26, 0xa0]).unwrap();
                m.splice(at + 1..at + 2, [0xa1, 0x18, 0x01, 0x26]);
                m
            },
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::AlgorithmInBothBuckets),
            reason: "labels are compared by value, whatever the head width",
        },
        Case {
            name: "kid in both buckets",
            msg: Parts::new(
                map(vec![(int(1), int(-7)), kid(b"p")]),
                map(vec![kid(b"u")]),
            )
            .tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::InvalidHeader),
            reason: "RFC 9052 §3 again; which kid would a verifier believe?",
        },
        Case {
            name: "private label in both buckets",
            msg: Parts::new(
                map(vec![(int(1), int(-7)), (int(-70_000), int(1))]),
                map(vec![(int(-70_000), int(2))]),
            )
            .tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::InvalidHeader),
            reason: "the both-buckets rule holds for every label, not only the known ones",
        },
        Case {
            name: "duplicate key inside a nested map of the unprotected header",
            msg: Parts::new(es256(), map(vec![(int(-70_000), dup_inner.clone())])).tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::DuplicateKey),
            reason: "coset polices duplicates among header labels only; we reject them in every \
                     map, nested ones included",
        },
        Case {
            name: "duplicate key inside a nested map of the protected header",
            msg: Parts::new(
                map(vec![(int(1), int(-7)), (int(-70_000), dup_inner)]),
                empty(),
            )
            .tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::DuplicateKey),
            reason: "as above, in the signed bucket",
        },
        Case {
            name: "duplicate label in the protected header (1 and 0x18 0x01)",
            msg: Parts::new(empty(), empty())
                .protected_raw(&[0xa2, 0x01, 0x26, 0x18, 0x01, 0x26])
                .tagged(keys),
            coset_tagged: true,
            coset: Coset::Rejects,
            options: d,
            ours: Err(Error::DuplicateKey),
            reason: "both reject: ciborium folds 0x18 0x01 to 1 and coset sees the duplicate",
        },
        Case {
            name: "duplicate kid label in the unprotected header",
            msg: Parts::new(es256(), map(vec![kid(b"a"), kid(b"b")])).tagged(keys),
            coset_tagged: true,
            coset: Coset::Rejects,
            options: d,
            ours: Err(Error::DuplicateKey),
            reason: "both reject (RFC 9052 §14)",
        },
        Case {
            name: "crit in the unprotected header",
            msg: Parts::new(
                es256(),
                map(vec![(int(2), Value::Array(vec![int(4)])), kid(b"k")]),
            )
            .tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::CriticalNotProtected),
            reason: "RFC 9052 §3.1: crit MUST be protected; coset does not enforce it",
        },
        Case {
            name: "crit lists an unknown (private) label",
            msg: Parts::new(
                map(vec![
                    (int(1), int(-7)),
                    (int(2), Value::Array(vec![int(-70_000)])),
                    (int(-70_000), int(0)),
                ]),
                empty(),
            )
            .tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::UnknownCriticalHeader),
            reason: "a critical parameter we do not understand must fail the message; coset \
                     leaves crit processing to the caller",
        },
        Case {
            name: "crit lists a label that is absent",
            msg: Parts::new(
                map(vec![
                    (int(1), int(-7)),
                    (int(2), Value::Array(vec![int(4)])),
                ]),
                empty(),
            )
            .tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::InvalidCritical),
            reason: "RFC 9052 §3.1: labels in crit MUST be present in the protected header",
        },
        Case {
            name: "crit is an empty array",
            msg: Parts::new(
                map(vec![(int(1), int(-7)), (int(2), Value::Array(vec![]))]),
                empty(),
            )
            .tagged(keys),
            coset_tagged: true,
            coset: Coset::Rejects,
            options: d,
            ours: Err(Error::InvalidCritical),
            reason: "both reject: crit is [+ label]",
        },
        Case {
            name: "alg is the text \"ES256\"",
            msg: Parts::new(
                map(vec![(int(1), Value::Text("ES256".to_owned()))]),
                empty(),
            )
            .tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::UnsupportedAlgorithm),
            reason: "ES256 is -7; a text alg names no registered algorithm",
        },
        Case {
            name: "alg ES512 with a P-256 key",
            msg: Parts::new(map(vec![(int(1), int(-36))]), empty()).tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::AlgorithmKeyMismatch),
            reason: "coset does not tie alg to the key (the caller's closure does); we refuse \
                     before any crypto",
        },
        Case {
            name: "alg in the private-use range",
            msg: Parts::new(map(vec![(int(1), int(-65_537))]), empty()).tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::UnsupportedAlgorithm),
            reason: "only ES256 is supported",
        },
        Case {
            name: "DER-encoded signature",
            msg: base.with_signature(der),
            coset_tagged: true,
            coset: Coset::DecodesOnly,
            options: d,
            ours: Err(Error::InvalidSignatureLength),
            reason: "COSE ECDSA signatures are fixed-width r || s (RFC 9053 §2.1), never DER",
        },
        Case {
            name: "r = 0",
            msg: base.with_signature(r_zero),
            coset_tagged: true,
            coset: Coset::DecodesOnly,
            options: d,
            ours: Err(Error::SignatureScalarOutOfRange),
            reason: "0 < r < n, checked at parse time",
        },
        Case {
            name: "s = n",
            msg: base.with_signature(s_n),
            coset_tagged: true,
            coset: Coset::DecodesOnly,
            options: d,
            ours: Err(Error::SignatureScalarOutOfRange),
            reason: "0 < s < n, checked at parse time",
        },
        Case {
            name: "untagged, default options",
            msg: base.untagged(keys),
            coset_tagged: false,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::MissingTag),
            reason: "tag 18 is required unless the caller opts out",
        },
        Case {
            name: "untagged, accept_untagged",
            msg: base.untagged(keys),
            coset_tagged: false,
            coset: Coset::Accepts,
            options: ParseOptions::PERMISSIVE_TAGS,
            ours: Ok(()),
            reason: "the opt-out",
        },
        Case {
            name: "tag 17 (COSE_Mac0) around a COSE_Sign1 body",
            msg: wrap(17, base_body.clone()),
            coset_tagged: true,
            coset: Coset::Rejects,
            options: ParseOptions::PERMISSIVE_TAGS,
            ours: Err(Error::UnexpectedTag),
            reason: "both reject a foreign tag",
        },
        Case {
            name: "CWT wrapper 61(18(...)), default options",
            msg: wrap(61, Value::Tag(18, Box::new(base_body.clone()))),
            coset_tagged: true,
            coset: Coset::Rejects,
            options: d,
            ours: Err(Error::UnexpectedTag),
            reason: "both reject by default",
        },
        Case {
            name: "CWT wrapper 61(18(...)), accept_cwt_tag",
            msg: wrap(61, Value::Tag(18, Box::new(base_body))),
            coset_tagged: true,
            coset: Coset::Rejects,
            options: ParseOptions::PERMISSIVE_TAGS,
            ours: Ok(()),
            reason: "our opt-in for RFC 8392 CWTs; coset wants the caller to unwrap tag 61",
        },
        Case {
            name: "indefinite-length outer array",
            msg: indefinite,
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::IndefiniteLength),
            reason: "zero-copy reader: definite lengths only",
        },
        Case {
            name: "trailing byte",
            msg: trailing,
            coset_tagged: true,
            coset: Coset::Rejects,
            options: d,
            ours: Err(Error::TrailingBytes),
            reason: "both reject",
        },
        Case {
            name: "nesting deeper than MAX_DEPTH in an unprotected value",
            msg: Parts::new(es256(), map(vec![(int(-70_000), deep)])).tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::DepthExceeded),
            reason: "bounded recursion, documented bound cbor::MAX_DEPTH",
        },
        Case {
            name: "unprotected map with MAX_MAP_ENTRIES + 1 entries",
            msg: Parts::new(es256(), map(many)).tagged(keys),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Err(Error::TooManyEntries),
            reason: "bounded duplicate detection without a heap",
        },
        Case {
            name: "kid is a text string",
            msg: Parts::new(es256(), map(vec![(int(4), Value::Text("k".to_owned()))])).tagged(keys),
            coset_tagged: true,
            coset: Coset::Rejects,
            options: d,
            ours: Err(Error::InvalidHeader),
            reason: "both reject: kid is a bstr",
        },
        Case {
            name: "protected header is an array",
            msg: Parts::new(Value::Array(vec![int(1), int(-7)]), empty()).tagged(keys),
            coset_tagged: true,
            coset: Coset::Rejects,
            options: d,
            ours: Err(Error::InvalidStructure),
            reason: "both reject: empty_or_serialized_map",
        },
        Case {
            name: "protected bstr holds a map followed by a stray byte",
            msg: Parts::new(empty(), empty())
                .protected_raw(&[0xa1, 0x01, 0x26, 0x00])
                .tagged(keys),
            coset_tagged: true,
            coset: Coset::Rejects,
            options: d,
            ours: Err(Error::TrailingBytes),
            reason: "both reject: the protected bstr is exactly one map",
        },
        Case {
            name: "content type is an empty text string",
            msg: Parts::new(es256(), map(vec![(int(3), Value::Text(String::new()))])).tagged(keys),
            coset_tagged: true,
            coset: Coset::Rejects,
            options: d,
            ours: Ok(()),
            reason: "DIVERGENCE the other way: coset checks the media-type shape; we do not \
                     interpret the content type beyond its CBOR type",
        },
        Case {
            name: "empty kid h''",
            msg: Parts::new(es256(), map(vec![kid(b"")])).tagged(keys),
            coset_tagged: true,
            coset: Coset::Rejects,
            options: d,
            ours: Ok(()),
            reason: "DIVERGENCE the other way: coset requires a non-empty kid, we accept (and \
                     Sign1Builder::kid(b\"\") emits) an empty one",
        },
        Case {
            name: "kid length in a non-shortest head, default options",
            msg: long_head.clone(),
            coset_tagged: true,
            coset: Coset::Accepts,
            options: d,
            ours: Ok(()),
            reason: "valid CBOR: both accept",
        },
        Case {
            name: "kid length in a non-shortest head, deterministic",
            msg: long_head,
            coset_tagged: true,
            coset: Coset::Accepts,
            options: ParseOptions {
                deterministic: true,
                ..ParseOptions::DEFAULT
            },
            ours: Err(Error::NonDeterministic),
            reason: "our opt-in strict mode enforces RFC 8949 §4.2.1",
        },
    ]
}

fn coset_verdict(msg: &[u8], tagged: bool, vk: &p256::ecdsa::VerifyingKey) -> Coset {
    let parsed = if tagged {
        CoseSign1::from_tagged_slice(msg)
    } else {
        CoseSign1::from_slice(msg)
    };
    let Ok(cs) = parsed else {
        return Coset::Rejects;
    };
    let verified = cs.verify_signature(b"", |sig, tbs| {
        let sig = p256::ecdsa::Signature::from_slice(sig).map_err(|_| ())?;
        vk.verify(tbs, &sig).map_err(|_| ())
    });
    if verified.is_ok() {
        Coset::Accepts
    } else {
        Coset::DecodesOnly
    }
}

#[test]
fn rejection_differential_table() {
    let keys = KeyPair::fixed();
    let vk = keys.our_vk();
    let cases = cases(&keys);
    let mut failures = Vec::new();
    eprintln!("{:<66} {:<12} ours", "case", "coset");
    for c in &cases {
        let coset = coset_verdict(&c.msg, c.coset_tagged, &keys.peer_vk());
        let ours = UnverifiedSign1::parse(&c.msg, &c.options)
            .and_then(|u| u.verify(&vk, b""))
            .map(|_| ());
        eprintln!(
            "{:<66} {:<12} {:<28} {}",
            c.name,
            format!("{coset:?}"),
            format!("{ours:?}"),
            c.reason
        );
        if coset != c.coset || ours != c.ours {
            failures.push(format!(
                "{}: coset {coset:?} (expected {:?}), ours {ours:?} (expected {:?}); msg {}",
                c.name,
                c.coset,
                c.ours,
                hex::encode(&c.msg)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(cases.len() >= 30);
}

/// COSE_Keys coset writes that we must refuse, with the precise error.
#[test]
fn cose_key_rejections() {
    let keys = KeyPair::fixed();
    let point = keys.peer_vk().to_sec1_point(false);
    let (x, y) = point.as_bytes()[1..].split_at(32);
    let ec2 =
        || CoseKeyBuilder::new_ec2_pub_key(iana::EllipticCurve::P_256, x.to_vec(), y.to_vec());
    let cases: Vec<(&str, CoseKey, Error)> = vec![
        (
            "private key material (d) where a public key is expected",
            CoseKeyBuilder::new_ec2_priv_key(
                iana::EllipticCurve::P_256,
                x.to_vec(),
                y.to_vec(),
                [0x5a; 32].to_vec(),
            )
            .build(),
            Error::InvalidKey,
        ),
        (
            "curve P-384",
            CoseKeyBuilder::new_ec2_pub_key(iana::EllipticCurve::P_384, x.to_vec(), y.to_vec())
                .build(),
            Error::UnsupportedKeyType,
        ),
        (
            "alg ES384 on a P-256 key",
            ec2().algorithm(iana::Algorithm::ES384).build(),
            Error::AlgorithmKeyMismatch,
        ),
        (
            "alg A128GCM",
            ec2().algorithm(iana::Algorithm::A128GCM).build(),
            Error::UnsupportedAlgorithm,
        ),
        (
            "kty OKP",
            CoseKeyBuilder::new_okp_key()
                .param(-1, int(6))
                .param(-2, Value::Bytes(x.to_vec()))
                .build(),
            Error::UnsupportedKeyType,
        ),
        (
            "x of 31 bytes",
            CoseKeyBuilder::new_ec2_pub_key(
                iana::EllipticCurve::P_256,
                x[1..].to_vec(),
                y.to_vec(),
            )
            .build(),
            Error::InvalidKey,
        ),
        (
            "point not on the curve",
            CoseKeyBuilder::new_ec2_pub_key(iana::EllipticCurve::P_256, x.to_vec(), x.to_vec())
                .build(),
            Error::InvalidKey,
        ),
    ];
    for (name, key, err) in cases {
        let bytes = key.to_vec().unwrap();
        assert_eq!(
            VerifyingKey::from_cose_key(&bytes).err(),
            Some(err),
            "{name}: {}",
            hex::encode(&bytes)
        );
    }
    // key_ops is not interpreted; a verify-only key imports.
    let with_ops = ec2()
        .add_key_op(iana::KeyOperation::Verify)
        .build()
        .to_vec()
        .unwrap();
    assert!(VerifyingKey::from_cose_key(&with_ops).is_ok());
    // No kty: coset refuses (kty is mandatory), and so do we.
    assert!(CoseKey::from_slice(&to_cbor(&map(vec![(int(-1), int(1))]))).is_err());
    assert_eq!(
        VerifyingKey::from_cose_key(&to_cbor(&map(vec![(int(-1), int(1))]))).err(),
        Some(Error::UnsupportedKeyType)
    );
}

/// Our builder emits an empty kid when asked to, and coset cannot read the result (it requires
/// `kid` to be a non-empty bstr). Pinned here so that a decision either way is deliberate: if the
/// core starts refusing `kid(b"")`, replace this with that error.
#[test]
fn empty_kid_is_refused_by_our_builder_as_by_coset() {
    // coset refuses an empty kid on read; our builder refuses to emit one.
    let keys = KeyPair::fixed();
    let mut buf = [0u8; 256];
    assert_eq!(
        Sign1Builder::new()
            .kid(b"")
            .sign(&keys.ours, &b"x"[..], &mut buf),
        Err(Error::InvalidArgument)
    );
    // On read, an empty kid from another producer is accepted (RFC 9052 does not forbid it).
    let n = Sign1Builder::new()
        .kid(b"k")
        .sign(&keys.ours, &b"x"[..], &mut buf)
        .unwrap();
    assert!(CoseSign1::from_tagged_slice(&buf[..n]).is_ok());
}
