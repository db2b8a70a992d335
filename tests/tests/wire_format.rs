//! One negative test per wire-format decision of `DESIGN.md` ("Wire format decisions"), each
//! asserting its own precise [`Error`] variant.
//!
//! Messages are built by hand with `cbor::Encoder`, and carry a real ES256 signature over their
//! own Sig_structure wherever the rule under test is not the signature: a rejection then comes
//! from the rule, never from a bad signature that happens to be checked first. Every input is
//! parsed by the real entry points, so a panic anywhere fails the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ecnpp_attest::Error;
use ecnpp_attest::cbor::{self, Encoder, MAX_DEPTH, Major, Mode};
use ecnpp_attest::cose::{self, ParseOptions, UnverifiedSign1};
use ecnpp_attest::crypto::{Sha256, Signer, SigningKey, VerifyingKey};
use ecnpp_tests::VecWriter;
use p256::ecdsa::signature::hazmat::PrehashSigner;

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// The P-256 group order `n`, big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];
const SECRET: [u8; 32] = [0x17; 32];
/// `{10: h'0102030405060708'}`: a claims map with a nonce.
const PAYLOAD: &[u8] = &[0xa1, 0x0a, 0x48, 1, 2, 3, 4, 5, 6, 7, 8];
const KID: &[u8] = b"kid-1";
/// Protected `{1: -7}`.
const P_ES256: &[u8] = &[0xa1, 0x01, 0x26];
const EMPTY_MAP: &[u8] = &[0xa0];
const STRICT: ParseOptions = ParseOptions {
    deterministic: true,
    ..ParseOptions::DEFAULT
};

fn key() -> SigningKey {
    SigningKey::from_bytes(&SECRET).unwrap()
}

fn vk() -> VerifyingKey {
    key().verifying_key()
}

/// Something that encodes one item.
type EncodeItem<'a> = &'a dyn Fn(&mut Encoder<&mut VecWriter>);

/// The bytes `f` encodes.
fn enc(f: impl FnOnce(&mut Encoder<&mut VecWriter>)) -> Vec<u8> {
    let mut w = VecWriter::default();
    f(&mut Encoder::new(&mut w));
    w.0
}

/// `{4: KID}`.
fn unprotected_kid() -> Vec<u8> {
    enc(|e| {
        e.map(1).int(4).bytes(KID);
    })
}

/// `["Signature1", protected, aad, payload]`.
fn tbs(protected: &[u8], aad: &[u8], payload: &[u8]) -> Vec<u8> {
    enc(|e| {
        e.array(4)
            .text("Signature1")
            .bytes(protected)
            .bytes(aad)
            .bytes(payload);
    })
}

/// A real ES256 signature over the Sig_structure (empty AAD).
fn sign(protected: &[u8], payload: &[u8]) -> [u8; 64] {
    key()
        .sign_digest(&Sha256::digest(&tbs(protected, b"", payload)))
        .unwrap()
        .to_bytes()
}

/// `tags(...([protected, unprotected, payload / nil, signature]))`; `unprotected` is an encoded
/// map (or whatever the test puts there).
fn message(
    tags: &[u64],
    protected: &[u8],
    unprotected: &[u8],
    payload: Option<&[u8]>,
    signature: &[u8],
) -> Vec<u8> {
    enc(|e| {
        for &t in tags {
            e.tag(t);
        }
        e.array(4).bytes(protected).raw(unprotected);
        match payload {
            Some(p) => e.bytes(p),
            None => e.null(),
        };
        e.bytes(signature);
    })
}

/// A message with a real signature over its own Sig_structure (a detached one signs PAYLOAD).
fn signed(tags: &[u64], protected: &[u8], unprotected: &[u8], payload: Option<&[u8]>) -> Vec<u8> {
    let sig = sign(protected, payload.unwrap_or(PAYLOAD));
    message(tags, protected, unprotected, payload, &sig)
}

/// A tagged message with the given headers, attached PAYLOAD and a real signature.
fn with_headers(protected: &[u8], unprotected: &[u8]) -> Vec<u8> {
    signed(&[18], protected, unprotected, Some(PAYLOAD))
}

/// The reference good message: 18([{1: -7}, {4: KID}, PAYLOAD, signature]).
fn good() -> Vec<u8> {
    with_headers(P_ES256, &unprotected_kid())
}

/// Tagged message with a given signature field (protected {1: -7}, no kid).
fn with_signature(signature: &[u8]) -> Vec<u8> {
    message(&[18], P_ES256, EMPTY_MAP, Some(PAYLOAD), signature)
}

fn parse(msg: &[u8], options: &ParseOptions) -> Result<(), Error> {
    UnverifiedSign1::parse(msg, options).map(|_| ())
}

fn parse_default(msg: &[u8]) -> Result<(), Error> {
    parse(msg, &ParseOptions::DEFAULT)
}

/// Parse and verify (attached payload, empty AAD) under the test key.
fn verify(msg: &[u8], options: &ParseOptions) -> Result<(), Error> {
    let v = UnverifiedSign1::parse(msg, options)?.verify(&vk(), b"")?;
    assert_eq!(v.payload(), PAYLOAD);
    Ok(())
}

fn verify_default(msg: &[u8]) -> Result<(), Error> {
    verify(msg, &ParseOptions::DEFAULT)
}

/// `a - b` for 32-byte big-endian numbers with `a >= b`.
fn sub_be(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = u8::try_from(d).unwrap();
    }
    assert_eq!(borrow, 0, "sub_be underflow");
    out
}

fn add_one_be(a: &[u8; 32]) -> [u8; 32] {
    let mut out = *a;
    for b in out.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            break;
        }
    }
    out
}

/// `r || s` from two 32-byte halves.
fn rs(r: &[u8; 32], s: &[u8; 32]) -> Vec<u8> {
    [r.as_slice(), s.as_slice()].concat()
}

/// A valid signature over the reference Sig_structure (protected {1: -7}, PAYLOAD), split.
fn valid_r_s() -> ([u8; 32], [u8; 32]) {
    let sig = sign(P_ES256, PAYLOAD);
    (sig[..32].try_into().unwrap(), sig[32..].try_into().unwrap())
}

/// ASN.1 DER INTEGER for a non-negative big-endian number.
fn der_integer(v: &[u8]) -> Vec<u8> {
    let first = v.iter().position(|&b| b != 0).unwrap_or(v.len() - 1);
    let mut content = v[first..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    let mut out = vec![0x02, u8::try_from(content.len()).unwrap()];
    out.extend_from_slice(&content);
    out
}

// ------------------------------------------------------------------------------------------
// Control: the reference message is fine, so every failure below comes from its one change.
// ------------------------------------------------------------------------------------------

#[test]
fn control_reference_message_verifies_in_every_mode() {
    let msg = good();
    cbor::validate(&msg, Mode::Strict).unwrap();
    verify_default(&msg).unwrap();
    verify(&msg, &ParseOptions::PERMISSIVE_TAGS).unwrap();
    verify(&msg, &STRICT).unwrap();
    let u = UnverifiedSign1::parse(&msg, &ParseOptions::DEFAULT).unwrap();
    assert_eq!(u.kid_untrusted(), Some(KID));
    // The unprotected kid is not authenticated, so the verified view does not expose it.
    assert_eq!(u.verify(&vk(), b"").unwrap().protected_kid(), None);
    assert_eq!(
        cose::verify(&msg, &ParseOptions::DEFAULT, &vk(), b"")
            .unwrap()
            .payload(),
        PAYLOAD
    );
}

// ------------------------------------------------------------------------------------------
// Outer tag: require 18; an option accepts untagged and 61(18(...)); anything else is an error.
// ------------------------------------------------------------------------------------------

#[test]
fn tag_17_cose_mac0_is_unexpected() {
    let msg = signed(&[17], P_ES256, EMPTY_MAP, Some(PAYLOAD));
    assert_eq!(parse_default(&msg), Err(Error::UnexpectedTag));
    assert_eq!(
        parse(&msg, &ParseOptions::PERMISSIVE_TAGS),
        Err(Error::UnexpectedTag)
    );
}

#[test]
fn tag_998_is_unexpected() {
    let msg = signed(&[998], P_ES256, EMPTY_MAP, Some(PAYLOAD));
    assert_eq!(parse_default(&msg), Err(Error::UnexpectedTag));
    assert_eq!(
        parse(&msg, &ParseOptions::PERMISSIVE_TAGS),
        Err(Error::UnexpectedTag)
    );
}

#[test]
fn untagged_is_missing_tag_by_default_and_accepted_on_request() {
    let msg = signed(&[], P_ES256, &unprotected_kid(), Some(PAYLOAD));
    assert_eq!(parse_default(&msg), Err(Error::MissingTag));
    assert_eq!(parse(&msg, &STRICT), Err(Error::MissingTag));
    let untagged_only = ParseOptions {
        accept_untagged: true,
        ..ParseOptions::DEFAULT
    };
    verify(&msg, &untagged_only).unwrap();
    verify(&msg, &ParseOptions::PERMISSIVE_TAGS).unwrap();
}

#[test]
fn cwt_wrapper_61_18_is_rejected_by_default_and_accepted_on_request() {
    let msg = signed(&[61, 18], P_ES256, &unprotected_kid(), Some(PAYLOAD));
    assert_eq!(parse_default(&msg), Err(Error::UnexpectedTag));
    let cwt_only = ParseOptions {
        accept_cwt_tag: true,
        ..ParseOptions::DEFAULT
    };
    verify(&msg, &cwt_only).unwrap();
    verify(&msg, &ParseOptions::PERMISSIVE_TAGS).unwrap();
}

#[test]
fn cwt_wrapper_around_anything_but_18_is_unexpected() {
    for tags in [&[61, 17][..], &[61][..], &[61, 61, 18][..], &[61, 998][..]] {
        let msg = signed(tags, P_ES256, EMPTY_MAP, Some(PAYLOAD));
        assert_eq!(parse_default(&msg), Err(Error::UnexpectedTag), "{tags:?}");
        assert_eq!(
            parse(&msg, &ParseOptions::PERMISSIVE_TAGS),
            Err(Error::UnexpectedTag),
            "{tags:?}"
        );
    }
}

/// Tags inside tag 18 (18(18(...)), 18(61(18(...)))) are not a COSE_Sign1 array: the core
/// reports the content, not the tag.
#[test]
fn tag_inside_tag_18_is_invalid_structure() {
    for tags in [&[18, 18][..], &[18, 61, 18][..], &[61, 18, 18][..]] {
        let msg = signed(tags, P_ES256, EMPTY_MAP, Some(PAYLOAD));
        assert_eq!(
            parse(&msg, &ParseOptions::PERMISSIVE_TAGS),
            Err(Error::InvalidStructure),
            "{tags:?}"
        );
    }
}

// ------------------------------------------------------------------------------------------
// Exactly one item: no trailing bytes.
// ------------------------------------------------------------------------------------------

#[test]
fn trailing_byte_is_rejected() {
    for extra in [&[0x00][..], &[0xf6], &[0xa0], &[0x00, 0x00], &[0xff]] {
        let mut msg = good();
        msg.extend_from_slice(extra);
        assert_eq!(parse_default(&msg), Err(Error::TrailingBytes), "{extra:?}");
        assert_eq!(
            parse(&msg, &ParseOptions::PERMISSIVE_TAGS),
            Err(Error::TrailingBytes)
        );
        assert_eq!(parse(&msg, &STRICT), Err(Error::TrailingBytes));
    }
}

// ------------------------------------------------------------------------------------------
// Duplicate labels in any map.
// ------------------------------------------------------------------------------------------

#[test]
fn duplicate_label_in_protected_is_rejected() {
    // {1: -7, 1: -7}
    let dup = enc(|e| {
        e.map(2).int(1).int(-7).int(1).int(-7);
    });
    assert_eq!(
        parse_default(&with_headers(&dup, EMPTY_MAP)),
        Err(Error::DuplicateKey)
    );
    // {1: -7, 24 01 (1 in a non-shortest head): -7}: equal by value, different bytes.
    let dup_by_value = [0xa2, 0x01, 0x26, 0x18, 0x01, 0x26];
    assert_eq!(
        parse_default(&with_headers(&dup_by_value, EMPTY_MAP)),
        Err(Error::DuplicateKey)
    );
    // {1: -7, 4: h'kid', 4: h'kid'}
    let dup_kid = enc(|e| {
        e.map(3).int(1).int(-7).int(4).bytes(KID).int(4).bytes(KID);
    });
    assert_eq!(
        parse_default(&with_headers(&dup_kid, EMPTY_MAP)),
        Err(Error::DuplicateKey)
    );
}

#[test]
fn duplicate_label_in_unprotected_is_rejected() {
    let dup = enc(|e| {
        e.map(2).int(4).bytes(KID).int(4).bytes(b"other");
    });
    assert_eq!(
        parse_default(&with_headers(P_ES256, &dup)),
        Err(Error::DuplicateKey)
    );
    // Text labels too: {"x": 0, "x": 1}.
    let dup_text = enc(|e| {
        e.map(2).text("x").uint(0).text("x").uint(1);
    });
    assert_eq!(
        parse_default(&with_headers(P_ES256, &dup_text)),
        Err(Error::DuplicateKey)
    );
}

/// Design: duplicate labels in any map, nested included, are an error. In the CBOR generic data
/// model (RFC 8949 section 2) the width of a head or of a float is not part of the value, so
/// `{1.0 (f16): 0, 1.0 (f32): 0}` and `{1: 0, 24 01: 0}` have duplicate keys, and the lenient
/// `cbor::validate` must find them (it compares keys by value). Arrays, maps and tags are not
/// accepted as map keys at all (`InvalidMapKey`), so that keys compare at a bounded cost:
/// `{[1]: 0, [24 01]: 0}` and `{1(1): 0, 1(24 01): 0}` are refused for that, in both modes.
#[test]
fn keys_equal_in_the_data_model_are_duplicates() {
    let results: Vec<_> = ["a2f93c0000fa3f80000000", "a20100180100"]
        .into_iter()
        .map(|h| (h, cbor::validate(&hex::decode(h).unwrap(), Mode::Lenient)))
        .collect();
    for (h, r) in &results {
        assert_eq!(
            cbor::validate(&hex::decode(h).unwrap(), Mode::Strict),
            Err(Error::NonDeterministic)
        );
        assert_eq!(*r, Err(Error::DuplicateKey), "{h}: all {results:?}");
    }
    for h in ["a281010081180100", "a2c10100c1180100"] {
        for mode in [Mode::Lenient, Mode::Strict] {
            assert_eq!(
                cbor::validate(&hex::decode(h).unwrap(), mode),
                Err(Error::InvalidMapKey),
                "{h}"
            );
        }
    }
}

/// The payload of a COSE_Sign1 is an opaque byte string to COSE: a duplicate key inside the
/// claims map is not this layer's business, and a correctly signed message verifies. Rejecting
/// it is the job of the claims (EAT) layer, which validates the verified payload with
/// `cbor::validate`, shown here reporting the duplicate.
#[test]
fn duplicate_label_in_payload_is_not_coses_job() {
    // {10: h'01', 10: h'02'}
    let payload = [0xa2, 0x0a, 0x41, 0x01, 0x0a, 0x41, 0x02];
    let msg = signed(&[18], P_ES256, EMPTY_MAP, Some(&payload));
    let v = UnverifiedSign1::parse(&msg, &STRICT)
        .unwrap()
        .verify(&vk(), b"")
        .unwrap();
    assert_eq!(v.payload(), payload);
    assert_eq!(
        cbor::validate(v.payload(), Mode::Lenient),
        Err(Error::DuplicateKey)
    );
}

// ------------------------------------------------------------------------------------------
// One label in both buckets.
// ------------------------------------------------------------------------------------------

#[test]
fn kid_in_both_buckets_is_invalid_header() {
    let protected = enc(|e| {
        e.map(2).int(1).int(-7).int(4).bytes(KID);
    });
    assert_eq!(
        parse_default(&with_headers(&protected, &unprotected_kid())),
        Err(Error::InvalidHeader)
    );
    // Same label by value, different head width in the unprotected bucket: {24 04: h'other'}.
    let mut unprotected = vec![0xa1, 0x18, 0x04];
    unprotected.extend(enc(|e| {
        e.bytes(b"other");
    }));
    assert_eq!(
        parse_default(&with_headers(&protected, &unprotected)),
        Err(Error::InvalidHeader)
    );
    // A private text label in both buckets is the same mistake.
    let p_text = enc(|e| {
        e.map(2).int(1).int(-7).text("x").uint(0);
    });
    let u_text = enc(|e| {
        e.map(1).text("x").uint(0);
    });
    assert_eq!(
        parse_default(&with_headers(&p_text, &u_text)),
        Err(Error::InvalidHeader)
    );
}

#[test]
fn alg_in_both_buckets_is_rejected() {
    let u_alg = enc(|e| {
        e.map(1).int(1).int(-7);
    });
    assert_eq!(
        parse_default(&with_headers(P_ES256, &u_alg)),
        Err(Error::AlgorithmInBothBuckets)
    );
    // Even when the unprotected value differs (it would be ignored by a lax verifier).
    let u_other = enc(|e| {
        e.map(1).int(1).int(-36);
    });
    assert_eq!(
        parse_default(&with_headers(P_ES256, &u_other)),
        Err(Error::AlgorithmInBothBuckets)
    );
}

// ------------------------------------------------------------------------------------------
// alg: protected only, ES256 only with a P-256 key.
// ------------------------------------------------------------------------------------------

#[test]
fn alg_only_unprotected_is_not_protected() {
    let u_alg = enc(|e| {
        e.map(2).int(1).int(-7).int(4).bytes(KID);
    });
    // Protected {3: 0} (content type only), so the protected bucket is not empty.
    let p_ct = enc(|e| {
        e.map(1).int(3).uint(0);
    });
    assert_eq!(
        parse_default(&with_headers(&p_ct, &u_alg)),
        Err(Error::AlgorithmNotProtected)
    );
}

#[test]
fn alg_missing_is_missing_algorithm() {
    let p_ct = enc(|e| {
        e.map(1).int(3).uint(0);
    });
    assert_eq!(
        parse_default(&with_headers(&p_ct, &unprotected_kid())),
        Err(Error::MissingAlgorithm)
    );
}

/// ES512 (-36) is a known algorithm that a P-256 key cannot be used with: parsing succeeds (the
/// key is not known yet), verification refuses before any crypto, even though the signature
/// field holds a valid ES256 signature over the Sig_structure.
#[test]
fn alg_es512_is_key_mismatch_at_verify() {
    for alg in [-36, -35, -8, -37] {
        let protected = enc(|e| {
            e.map(1).int(1).int(alg);
        });
        let msg = with_headers(&protected, EMPTY_MAP);
        let u = UnverifiedSign1::parse(&msg, &ParseOptions::DEFAULT).unwrap();
        assert_eq!(u.algorithm(), alg);
        assert_eq!(
            u.verify(&vk(), b"").err(),
            Some(Error::AlgorithmKeyMismatch),
            "alg {alg}"
        );
    }
}

#[test]
fn unknown_alg_is_unsupported() {
    for alg in [-999, 0, 1, -6, -65537, i64::MIN] {
        let protected = enc(|e| {
            e.map(1).int(1).int(alg);
        });
        assert_eq!(
            parse_default(&with_headers(&protected, EMPTY_MAP)),
            Err(Error::UnsupportedAlgorithm),
            "alg {alg}"
        );
    }
    // A text alg, even one that names ES256.
    for name in ["ES256", "unknown"] {
        let protected = enc(|e| {
            e.map(1).int(1).text(name);
        });
        assert_eq!(
            parse_default(&with_headers(&protected, EMPTY_MAP)),
            Err(Error::UnsupportedAlgorithm),
            "alg {name}"
        );
    }
}

/// `alg` of a type that is neither int nor text is a malformed header, not an algorithm.
#[test]
fn alg_of_wrong_type_is_invalid_header() {
    let bstr_alg = enc(|e| {
        e.map(1).int(1).bytes(&[0x26]);
    });
    // -2^64: an integer CBOR can carry that no COSE label or algorithm can be.
    let mut huge_alg = vec![0xa1, 0x01, 0x3b];
    huge_alg.extend_from_slice(&[0xff; 8]);
    for protected in [bstr_alg, huge_alg] {
        assert_eq!(
            parse_default(&with_headers(&protected, EMPTY_MAP)),
            Err(Error::InvalidHeader),
            "{}",
            hex::encode(&protected)
        );
    }
}

// ------------------------------------------------------------------------------------------
// crit: protected, non-empty, only understood labels, each present.
// ------------------------------------------------------------------------------------------

#[test]
fn crit_empty_array_is_invalid() {
    let protected = enc(|e| {
        e.map(2).int(1).int(-7).int(2).array(0);
    });
    assert_eq!(
        parse_default(&with_headers(&protected, EMPTY_MAP)),
        Err(Error::InvalidCritical)
    );
}

#[test]
fn crit_not_an_array_of_labels_is_invalid() {
    let not_array = enc(|e| {
        e.map(2).int(1).int(-7).int(2).int(1);
    });
    let bstr_label = enc(|e| {
        e.map(2).int(1).int(-7).int(2).array(1).bytes(b"x");
    });
    for protected in [not_array, bstr_label] {
        assert_eq!(
            parse_default(&with_headers(&protected, EMPTY_MAP)),
            Err(Error::InvalidCritical),
            "{}",
            hex::encode(&protected)
        );
    }
}

#[test]
fn crit_unprotected_is_rejected() {
    // crit [4] in the unprotected bucket, next to the kid it names.
    let unprotected = enc(|e| {
        e.map(2).int(2).array(1).int(4).int(4).bytes(KID);
    });
    assert_eq!(
        parse_default(&with_headers(P_ES256, &unprotected)),
        Err(Error::CriticalNotProtected)
    );
}

#[test]
fn crit_with_unknown_label_is_rejected() {
    // {1: -7, 2: [99], 99: 0}: the label is present but this crate does not understand it.
    let int_label = enc(|e| {
        e.map(3)
            .int(1)
            .int(-7)
            .int(2)
            .array(1)
            .int(99)
            .int(99)
            .uint(0);
    });
    // {1: -7, 2: ["x"], "x": 0}
    let text_label = enc(|e| {
        e.map(3)
            .int(1)
            .int(-7)
            .int(2)
            .array(1)
            .text("x")
            .text("x")
            .uint(0);
    });
    for protected in [int_label, text_label] {
        assert_eq!(
            parse_default(&with_headers(&protected, EMPTY_MAP)),
            Err(Error::UnknownCriticalHeader),
            "{}",
            hex::encode(&protected)
        );
    }
}

/// `crit` may only name labels present in the protected bucket: [4] with kid absent, or
/// present only in the unprotected bucket, is an invalid `crit`.
#[test]
fn crit_naming_an_absent_label_is_invalid() {
    let protected = enc(|e| {
        e.map(2).int(1).int(-7).int(2).array(1).int(4);
    });
    assert_eq!(
        parse_default(&with_headers(&protected, EMPTY_MAP)),
        Err(Error::InvalidCritical)
    );
    assert_eq!(
        parse_default(&with_headers(&protected, &unprotected_kid())),
        Err(Error::InvalidCritical)
    );
}

/// Control: a `crit` naming understood, present, protected labels verifies, and a protected kid
/// is exposed as authenticated.
#[test]
fn crit_naming_understood_present_labels_verifies() {
    let alg_only = enc(|e| {
        e.map(2).int(1).int(-7).int(2).array(1).int(1);
    });
    verify(&with_headers(&alg_only, EMPTY_MAP), &STRICT).unwrap();
    let with_kid = enc(|e| {
        e.map(3)
            .int(1)
            .int(-7)
            .int(2)
            .array(2)
            .int(1)
            .int(4)
            .int(4)
            .bytes(KID);
    });
    let msg = with_headers(&with_kid, EMPTY_MAP);
    let v = UnverifiedSign1::parse(&msg, &STRICT)
        .unwrap()
        .verify(&vk(), b"")
        .unwrap();
    assert_eq!(v.protected_kid(), Some(KID));
}

// ------------------------------------------------------------------------------------------
// Signature: exactly 64 bytes r || s, never DER, 0 < r, s < n; high-S accepted.
// ------------------------------------------------------------------------------------------

#[test]
fn signature_of_63_or_65_bytes_is_invalid_length() {
    let sig = sign(P_ES256, PAYLOAD);
    let mut long = sig.to_vec();
    long.push(0);
    let mut long_front = vec![0];
    long_front.extend_from_slice(&sig);
    for s in [
        &sig[..63],
        &sig[1..],
        &long,
        &long_front,
        &[][..],
        &[0u8; 32][..],
    ] {
        assert_eq!(
            parse_default(&with_signature(s)),
            Err(Error::InvalidSignatureLength),
            "{} bytes",
            s.len()
        );
    }
    // Control: the same 64 bytes verify.
    verify_default(&with_signature(&sig)).unwrap();
}

/// A DER-encoded ECDSA signature (what many libraries produce by default) over the right
/// Sig_structure is refused by its length, before any crypto.
#[test]
fn der_signature_is_invalid_length() {
    let sk = p256::ecdsa::SigningKey::from_slice(&SECRET).unwrap();
    // Several payloads, so r and s vary in their leading bits (DER lengths 70..=72).
    for i in 0u8..16 {
        let payload = [0xa1, 0x0a, 0x41, i];
        let digest = Sha256::digest(&tbs(P_ES256, b"", &payload));
        let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        let (r, s) = sig.split_bytes();
        let ints = [der_integer(&r), der_integer(&s)].concat();
        let mut der = vec![0x30, u8::try_from(ints.len()).unwrap()];
        der.extend_from_slice(&ints);
        assert!((70..=72).contains(&der.len()), "DER length {}", der.len());
        let msg = message(&[18], P_ES256, EMPTY_MAP, Some(&payload), &der);
        assert_eq!(parse_default(&msg), Err(Error::InvalidSignatureLength));
        // Control: the fixed-width form of the same signature verifies.
        let fixed = message(&[18], P_ES256, EMPTY_MAP, Some(&payload), &sig.to_bytes());
        let v = UnverifiedSign1::parse(&fixed, &ParseOptions::DEFAULT)
            .unwrap()
            .verify(&vk(), b"")
            .unwrap();
        assert_eq!(v.payload(), payload);
    }
}

#[test]
fn signature_scalars_out_of_range_are_rejected() {
    let (r, s) = valid_r_s();
    let zero = [0u8; 32];
    let n_plus_1 = add_one_be(&N);
    let max = [0xff; 32];
    let cases: [(&str, Vec<u8>); 8] = [
        ("r = 0", rs(&zero, &s)),
        ("s = 0", rs(&r, &zero)),
        ("r = s = 0", rs(&zero, &zero)),
        ("r = n", rs(&N, &s)),
        ("s = n", rs(&r, &N)),
        ("s = n + 1", rs(&r, &n_plus_1)),
        ("s = 2^256 - 1", rs(&r, &max)),
        ("r = 2^256 - 1", rs(&max, &s)),
    ];
    for (what, sig) in &cases {
        assert_eq!(
            parse_default(&with_signature(sig)),
            Err(Error::SignatureScalarOutOfRange),
            "{what}"
        );
    }
    // n - 1 is in range: parsing accepts it, and the signature simply does not verify.
    let n_minus_1 = sub_be(&N, &{
        let mut one = [0u8; 32];
        one[31] = 1;
        one
    });
    assert_eq!(parse_default(&with_signature(&rs(&r, &n_minus_1))), Ok(()));
    assert_eq!(
        verify_default(&with_signature(&rs(&r, &n_minus_1))),
        Err(Error::VerificationFailed)
    );
}

/// Design: high-S signatures are accepted (every peer does). (r, n - s) is the other valid
/// signature for the same message; both verify.
#[test]
fn high_s_signature_is_accepted() {
    let (r, s) = valid_r_s();
    let flipped = sub_be(&N, &s);
    assert_ne!(flipped, s);
    verify_default(&with_signature(&rs(&r, &s))).unwrap();
    verify_default(&with_signature(&rs(&r, &flipped))).unwrap();
    // Exactly one of s and n - s is above n / 2 ("high"); compare s with n - s.
    let high = if s > flipped { s } else { flipped };
    verify(&with_signature(&rs(&r, &high)), &STRICT).unwrap();
}

// ------------------------------------------------------------------------------------------
// Protected header: hash the bytes received; h'' and h'a0' both mean "empty".
// ------------------------------------------------------------------------------------------

#[test]
fn empty_protected_forms_are_accepted_as_empty() {
    let u_alg = enc(|e| {
        e.map(1).int(1).int(-7);
    });
    for protected in [&[][..], EMPTY_MAP] {
        for options in [ParseOptions::DEFAULT, STRICT] {
            // An empty protected header is structurally fine; the header rules then apply.
            let msg = with_headers(protected, &unprotected_kid());
            assert_eq!(parse(&msg, &options), Err(Error::MissingAlgorithm));
            let msg = with_headers(protected, &u_alg);
            assert_eq!(parse(&msg, &options), Err(Error::AlgorithmNotProtected));
        }
    }
}

#[test]
fn protected_that_is_not_a_valid_map_is_rejected() {
    let cases: [(&[u8], Error); 6] = [
        (&[0x40], Error::InvalidStructure), // h'' inside: not a map
        (&[0x80], Error::InvalidStructure), // []
        (&[0x00], Error::InvalidStructure), // 0
        (&[0xa1, 0x01], Error::Truncated),  // {1: <missing>
        (&[0xa1, 0x01, 0x26, 0x00], Error::TrailingBytes), // {1: -7} 0
        (&[0xbf, 0x01, 0x26, 0xff], Error::IndefiniteLength), // {_ 1: -7}
    ];
    for (protected, err) in cases {
        assert_eq!(
            parse_default(&with_headers(protected, EMPTY_MAP)),
            Err(err),
            "{}",
            hex::encode(protected)
        );
    }
}

/// The Sig_structure carries the protected bytes exactly as received: a non-deterministic
/// `{24 01: 38 06}` (= {1: -7}) signed as such verifies by default, is refused in strict mode,
/// and a signature over the canonical re-encoding does not verify.
#[test]
fn protected_bytes_are_hashed_as_received() {
    let odd = [0xa1, 0x18, 0x01, 0x38, 0x06];
    let msg = with_headers(&odd, EMPTY_MAP);
    verify_default(&msg).unwrap();
    assert_eq!(parse(&msg, &STRICT), Err(Error::NonDeterministic));
    let u = UnverifiedSign1::parse(&msg, &ParseOptions::DEFAULT).unwrap();
    assert_eq!(u.protected_bytes(), odd);
    let mut w = VecWriter::default();
    u.write_sig_structure(b"", None, &mut w).unwrap();
    assert_eq!(w.0, tbs(&odd, b"", PAYLOAD));

    let resigned_canonical = message(
        &[18],
        &odd,
        EMPTY_MAP,
        Some(PAYLOAD),
        &sign(P_ES256, PAYLOAD),
    );
    assert_eq!(
        verify_default(&resigned_canonical),
        Err(Error::VerificationFailed)
    );
}

// ------------------------------------------------------------------------------------------
// COSE_Sign1 structure: a 4-array of bstr, map, bstr / nil, bstr.
// ------------------------------------------------------------------------------------------

#[test]
fn wrong_array_length_is_invalid_structure() {
    let sig = sign(P_ES256, PAYLOAD);
    let items: [EncodeItem<'_>; 5] = [
        &|e| {
            e.bytes(P_ES256);
        },
        &|e| {
            e.map(0);
        },
        &|e| {
            e.bytes(PAYLOAD);
        },
        &|e| {
            e.bytes(&sig);
        },
        &|e| {
            e.null();
        },
    ];
    for len in [0, 1, 2, 3, 5] {
        let msg = enc(|e| {
            e.tag(18).array(len);
            for item in items.iter().cycle().take(len) {
                item(e);
            }
        });
        assert_eq!(
            parse_default(&msg),
            Err(Error::InvalidStructure),
            "len {len}"
        );
    }
}

#[test]
fn top_level_not_an_array_is_invalid_structure() {
    for body in [&[0xa0][..], &[0x40], &[0x00], &[0xf6], &[0x60]] {
        let mut msg = vec![0xd2];
        msg.extend_from_slice(body);
        assert_eq!(
            parse_default(&msg),
            Err(Error::InvalidStructure),
            "{body:?}"
        );
        assert_eq!(
            parse(body, &ParseOptions::PERMISSIVE_TAGS),
            Err(Error::InvalidStructure),
            "{body:?}"
        );
    }
}

/// Each of the four elements with a wrong type. Each alternative is a complete, valid CBOR item
/// so the failure is the COSE structure, not CBOR well-formedness.
#[test]
fn wrong_element_types_are_invalid_structure() {
    type Item = fn(&mut Encoder<&mut VecWriter>);
    let sig = sign(P_ES256, PAYLOAD);
    let alternatives: [(usize, &[(&str, Item)]); 4] = [
        (
            0,
            &[
                ("text", |e| {
                    e.text("\u{a1}\u{1}&");
                }),
                ("bare map", |e| {
                    e.map(1).int(1).int(-7);
                }),
                ("int", |e| {
                    e.uint(0);
                }),
                ("nil", |e| {
                    e.null();
                }),
                ("array", |e| {
                    e.array(0);
                }),
            ],
        ),
        (
            1,
            &[
                ("bstr-wrapped map", |e| {
                    e.bytes(&[0xa0]);
                }),
                ("array", |e| {
                    e.array(0);
                }),
                ("nil", |e| {
                    e.null();
                }),
                ("int", |e| {
                    e.uint(0);
                }),
            ],
        ),
        (
            2,
            &[
                ("text", |e| {
                    e.text("payload");
                }),
                ("bare map", |e| {
                    e.map(0);
                }),
                ("int", |e| {
                    e.uint(0);
                }),
                ("false", |e| {
                    e.bool(false);
                }),
            ],
        ),
        (
            3,
            &[
                ("64-char text", |e| {
                    e.text(&"x".repeat(64));
                }),
                ("nil", |e| {
                    e.null();
                }),
                ("array", |e| {
                    e.array(0);
                }),
                ("int", |e| {
                    e.uint(0);
                }),
            ],
        ),
    ];
    for (which, alts) in alternatives {
        for (what, wrong) in alts {
            let msg = enc(|e| {
                e.tag(18).array(4);
                let right: [Item; 3] = [
                    |e| {
                        e.bytes(P_ES256);
                    },
                    |e| {
                        e.map(0);
                    },
                    |e| {
                        e.bytes(PAYLOAD);
                    },
                ];
                for (i, item) in right.iter().enumerate() {
                    if i == which { wrong(e) } else { item(e) }
                }
                if which == 3 {
                    wrong(e);
                } else {
                    e.bytes(&sig);
                }
            });
            cbor::validate(&msg, Mode::Lenient).unwrap();
            assert_eq!(
                parse_default(&msg),
                Err(Error::InvalidStructure),
                "element {which} as {what}"
            );
        }
    }
}

// ------------------------------------------------------------------------------------------
// Detached payload.
// ------------------------------------------------------------------------------------------

#[test]
fn detached_payload_must_be_supplied_exactly_when_detached() {
    let detached = signed(&[18], P_ES256, &unprotected_kid(), None);
    let u = UnverifiedSign1::parse(&detached, &ParseOptions::DEFAULT).unwrap();
    assert!(u.is_detached());
    assert_eq!(
        u.verify(&vk(), b"").err(),
        Some(Error::MissingDetachedPayload)
    );
    assert_eq!(
        u.write_sig_structure(b"", None, VecWriter::default()),
        Err(Error::MissingDetachedPayload)
    );
    assert_eq!(
        u.verify_detached(&vk(), b"", b"\xa0").err(),
        Some(Error::VerificationFailed)
    );
    assert_eq!(
        u.verify_detached(&vk(), b"", PAYLOAD).unwrap().payload(),
        PAYLOAD
    );

    let attached = good();
    let u = UnverifiedSign1::parse(&attached, &ParseOptions::DEFAULT).unwrap();
    assert_eq!(
        u.verify_detached(&vk(), b"", PAYLOAD).err(),
        Some(Error::UnexpectedDetachedPayload)
    );
}

// ------------------------------------------------------------------------------------------
// Reading: truncation, depth, declared lengths, determinism, definite lengths.
// ------------------------------------------------------------------------------------------

/// Every proper prefix of a valid message is an error; CBOR items are prefix-free, so the
/// error is always `Truncated`. Covers attached, detached and CWT-wrapped messages.
#[test]
fn truncated_input_at_every_length_is_truncated() {
    let messages = [
        (good(), false),
        (signed(&[18], P_ES256, &unprotected_kid(), None), true),
        (signed(&[61, 18], P_ES256, EMPTY_MAP, Some(PAYLOAD)), false),
        (signed(&[], P_ES256, EMPTY_MAP, Some(PAYLOAD)), false),
    ];
    for (msg, detached) in &messages {
        for len in 0..msg.len() {
            for options in [ParseOptions::DEFAULT, ParseOptions::PERMISSIVE_TAGS, STRICT] {
                assert_eq!(
                    parse(&msg[..len], &options),
                    Err(Error::Truncated),
                    "prefix of {len} of {}",
                    hex::encode(msg)
                );
            }
        }
        // Control: the whole message verifies.
        let u = UnverifiedSign1::parse(msg, &ParseOptions::PERMISSIVE_TAGS).unwrap();
        let v = if *detached {
            u.verify_detached(&vk(), b"", PAYLOAD)
        } else {
            u.verify(&vk(), b"")
        };
        assert_eq!(v.unwrap().payload(), PAYLOAD);
    }
}

/// Nesting is bounded by `cbor::MAX_DEPTH` wherever it occurs, without recursion blowing the
/// stack: 10 000 nested arrays as the message, in an unprotected header value, and inside the
/// protected header's byte string.
#[test]
fn nesting_10000_deep_is_depth_exceeded() {
    let mut deep = vec![0x81u8; 10_000];
    deep.push(0x00);
    assert_eq!(parse_default(&deep), Err(Error::DepthExceeded));
    assert_eq!(
        parse(&deep, &ParseOptions::PERMISSIVE_TAGS),
        Err(Error::DepthExceeded)
    );

    // Unprotected {99: [[[...0...]]]}
    let mut unprotected = vec![0xa1, 0x18, 0x63];
    unprotected.extend_from_slice(&deep);
    assert_eq!(
        parse_default(&with_headers(P_ES256, &unprotected)),
        Err(Error::DepthExceeded)
    );

    // Protected bstr << {1: -7, 99: [[[...0...]]]} >>: the message itself is shallow.
    let mut protected = vec![0xa2, 0x01, 0x26, 0x18, 0x63];
    protected.extend_from_slice(&deep);
    let msg = with_headers(&protected, EMPTY_MAP);
    cbor::validate(&msg, Mode::Strict).unwrap();
    assert_eq!(parse_default(&msg), Err(Error::DepthExceeded));

    // 10 000 nested tags are nesting too.
    let mut tags = vec![0xc1u8; 10_000];
    tags.push(0x00);
    assert_eq!(parse_default(&tags), Err(Error::DepthExceeded));
}

/// The documented bound, exactly: the top-level item is at depth 1, each array, map or tag adds
/// one. In 18([p, {99: v}, ...]) the value `v` is at depth 4, so MAX_DEPTH - 4 nested arrays
/// around a 0 still parse, and one more does not.
#[test]
fn nesting_at_the_bound_parses_and_one_more_does_not() {
    let value = |arrays: usize| {
        let mut v = vec![0xa1, 0x18, 0x63];
        v.extend(std::iter::repeat_n(0x81, arrays));
        v.push(0x00);
        v
    };
    let at_bound = MAX_DEPTH - 4;
    verify_default(&with_headers(P_ES256, &value(at_bound))).unwrap();
    assert_eq!(
        parse_default(&with_headers(P_ES256, &value(at_bound + 1))),
        Err(Error::DepthExceeded)
    );
}

/// Declared lengths are checked against the input before use: 2^32 (and 2^64 - 1) declared
/// with a few bytes present is `Truncated`, for every kind of length, as the message body, the
/// payload and the protected header.
#[test]
fn huge_declared_lengths_are_truncated() {
    let two_32 = [0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00];
    let max = [0xff; 8];
    for arg in [two_32, max] {
        for major in [Major::Bytes, Major::Text, Major::Array, Major::Map] {
            let initial = match major {
                Major::Bytes => 0x5b,
                Major::Text => 0x7b,
                Major::Array => 0x9b,
                _ => 0xbb,
            };
            let mut head = vec![initial];
            head.extend_from_slice(&arg);
            // As the whole message body, and as the payload of an otherwise good message.
            let mut as_body = vec![0xd2];
            as_body.extend_from_slice(&head);
            as_body.extend_from_slice(&[0u8; 16]);
            assert_eq!(parse_default(&as_body), Err(Error::Truncated), "{major:?}");

            let mut as_payload = vec![0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0];
            as_payload.extend_from_slice(&head);
            as_payload.extend(enc(|e| {
                e.bytes(&[1; 64]);
            }));
            assert_eq!(
                parse_default(&as_payload),
                Err(Error::Truncated),
                "{major:?}"
            );

            // As the protected header's own length.
            let mut as_protected = vec![0xd2, 0x84];
            as_protected.extend_from_slice(&head);
            as_protected.extend_from_slice(&[0xa1, 0x01, 0x26, 0xa0, 0xf6]);
            assert_eq!(
                parse_default(&as_protected),
                Err(Error::Truncated),
                "{major:?}"
            );
        }
    }
}

/// Strict mode rejects a non-shortest integer in the (unsigned, unauthenticated) unprotected
/// map; the default mode accepts the same message, whose signature is unaffected.
#[test]
fn strict_mode_rejects_non_shortest_integer_in_unprotected() {
    // {24 04: h'kid-1'}: label 4 in a two-byte head.
    let mut unprotected = vec![0xa1, 0x18, 0x04];
    unprotected.extend(enc(|e| {
        e.bytes(KID);
    }));
    let msg = with_headers(P_ES256, &unprotected);
    assert_eq!(parse(&msg, &STRICT), Err(Error::NonDeterministic));
    let u = UnverifiedSign1::parse(&msg, &ParseOptions::DEFAULT).unwrap();
    assert_eq!(u.kid_untrusted(), Some(KID));
    verify_default(&msg).unwrap();

    // A non-shortest integer value ({99: 19 0001}) too.
    let value = [0xa1, 0x18, 0x63, 0x19, 0x00, 0x01];
    let msg = with_headers(P_ES256, &value);
    assert_eq!(parse(&msg, &STRICT), Err(Error::NonDeterministic));
    verify_default(&msg).unwrap();
}

#[test]
fn strict_mode_rejects_other_non_deterministic_encodings() {
    // Unprotected keys out of order: {4: h'kid-1', 3: 0}.
    let unordered = enc(|e| {
        e.map(2).int(4).bytes(KID).int(3).uint(0);
    });
    let msg = with_headers(P_ES256, &unordered);
    assert_eq!(parse(&msg, &STRICT), Err(Error::NonDeterministic));
    verify_default(&msg).unwrap();

    // Tag 18 in a two-byte head (d8 12).
    let mut long_tag = vec![0xd8, 0x12];
    long_tag.extend_from_slice(&good()[1..]);
    assert_eq!(parse(&long_tag, &STRICT), Err(Error::NonDeterministic));
    verify_default(&long_tag).unwrap();

    // The signature's byte-string length in a two-byte head (58 40).
    let msg = good();
    let at = msg.len() - 66;
    assert_eq!(msg[at..at + 2], [0x58, 0x40]);
    let mut long_len = msg[..at].to_vec();
    long_len.extend_from_slice(&[0x59, 0x00, 0x40]);
    long_len.extend_from_slice(&msg[at + 2..]);
    assert_eq!(parse(&long_len, &STRICT), Err(Error::NonDeterministic));
    verify_default(&long_len).unwrap();
}

#[test]
fn indefinite_lengths_are_rejected() {
    // 18([_ ...]) with the items of the good message.
    let msg = good();
    let mut indefinite_array = vec![0xd2, 0x9f];
    indefinite_array.extend_from_slice(&msg[2..]);
    indefinite_array.push(0xff);
    assert_eq!(
        parse_default(&indefinite_array),
        Err(Error::IndefiniteLength)
    );
    // Unprotected {_ 4: h'kid-1'}.
    let mut unprotected = vec![0xbf, 0x04];
    unprotected.extend(enc(|e| {
        e.bytes(KID);
    }));
    unprotected.push(0xff);
    assert_eq!(
        parse_default(&with_headers(P_ES256, &unprotected)),
        Err(Error::IndefiniteLength)
    );
}

// ------------------------------------------------------------------------------------------
// Header value types.
// ------------------------------------------------------------------------------------------

#[test]
fn known_headers_with_wrong_types_are_invalid_header() {
    let cases: [(&str, Vec<u8>); 3] = [
        (
            "kid as text",
            enc(|e| {
                e.map(1).int(4).text("kid-1");
            }),
        ),
        (
            "content type as bytes",
            enc(|e| {
                e.map(1).int(3).bytes(b"x");
            }),
        ),
        (
            "content type above u16",
            enc(|e| {
                e.map(1).int(3).uint(65_536);
            }),
        ),
    ];
    for (what, unprotected) in &cases {
        assert_eq!(
            parse_default(&with_headers(P_ES256, unprotected)),
            Err(Error::InvalidHeader),
            "{what}"
        );
    }
}

/// RFC 9052 §3: a header label is `int / tstr`. Any other key, in either bucket, is
/// `InvalidMapKey` (arrays, maps and tags are refused as keys of any map by the CBOR layer).
#[test]
fn header_labels_other_than_int_or_text_are_invalid_map_key() {
    type Label = fn(&mut Encoder<&mut VecWriter>);
    let labels: [(&str, Label); 7] = [
        ("bstr", |e| {
            e.bytes(b"l");
        }),
        ("float", |e| {
            e.float(1.5);
        }),
        ("true", |e| {
            e.bool(true);
        }),
        ("null", |e| {
            e.null();
        }),
        ("array", |e| {
            e.array(0);
        }),
        ("map", |e| {
            e.map(0);
        }),
        ("tag", |e| {
            e.tag(1).uint(4);
        }),
    ];
    for (what, label) in labels {
        let header = enc(|e| {
            e.map(1);
            label(e);
            e.uint(0);
        });
        let protected = enc(|e| {
            e.map(2).int(1).int(-7);
            label(e);
            e.uint(0);
        });
        for (msg, bucket) in [
            (with_headers(P_ES256, &header), "unprotected"),
            (with_headers(&protected, EMPTY_MAP), "protected"),
        ] {
            assert_eq!(
                parse_default(&msg),
                Err(Error::InvalidMapKey),
                "{what} label, {bucket}"
            );
        }
    }
}
