//! Differential against coset 0.4 and ciborium 0.2: the same decisions on well-formed input (up
//! to documented stricter rules), the same fields when both accept.

use coset::{
    CborSerializable, CoseSign1, Header, RegisteredLabelWithPrivate, TaggedCborSerializable,
};
use ecnpp_attest::Error;
use ecnpp_attest::cbor::{self, Decoder, Major, Mode};
use ecnpp_attest::cose::{ParseOptions, UnverifiedSign1};
use ecnpp_attest::crypto::Signature;

use crate::MAX_INPUT;

/// The peer's view of a COSE_Sign1.
#[derive(Clone, Copy, Debug)]
struct PeerSign1<'p> {
    /// The protected header bytes as received.
    protected: &'p [u8],
    /// The payload, `None` when detached.
    payload: Option<&'p [u8]>,
    /// The signature bytes.
    signature: &'p [u8],
    /// The algorithm, when an integer in either bucket.
    alg: Option<i64>,
    /// The kid from either bucket (empty when absent).
    kid: &'p [u8],
}

/// Whether ciborium accepts `data` as exactly one CBOR data item.
fn peer_cbor_accepts(data: &[u8]) -> bool {
    let mut rest = data;
    ciborium::from_reader::<ciborium::Value, _>(&mut rest).is_ok() && rest.is_empty()
}

fn peer_alg(h: &Header) -> Option<i64> {
    match h.alg.as_ref()? {
        RegisteredLabelWithPrivate::Assigned(a) => Some(*a as i64),
        RegisteredLabelWithPrivate::PrivateUse(i) => Some(*i),
        RegisteredLabelWithPrivate::Text(_) => None,
    }
}

/// Parses `data` with coset as a COSE_Sign1 (tag 18 or untagged) and hands the view, or `None`
/// when coset rejects it, to `check`.
fn peer_sign1(data: &[u8], check: impl FnOnce(Option<PeerSign1<'_>>)) {
    let parsed = CoseSign1::from_tagged_slice(data).or_else(|_| CoseSign1::from_slice(data));
    let Ok(m) = parsed else {
        check(None);
        return;
    };
    let kid = if m.protected.header.key_id.is_empty() {
        &m.unprotected.key_id
    } else {
        &m.protected.header.key_id
    };
    check(Some(PeerSign1 {
        protected: m.protected.original_data.as_deref().unwrap_or(&[]),
        payload: m.payload.as_deref(),
        signature: &m.signature,
        alg: peer_alg(&m.protected.header).or_else(|| peer_alg(&m.unprotected)),
        kid,
    }));
}

/// CBOR errors where this crate is stricter than a generic decoder, by design.
const CBOR_STRICTER: [Error; 6] = [
    Error::IndefiniteLength, // zero-copy reader; nothing in COSE/EAT needs them
    Error::InvalidMapKey,    // arrays, maps and tags as map keys (a bounded duplicate check)
    Error::DuplicateKey,     // decision table: duplicates are errors
    Error::DepthExceeded,    // documented bound MAX_DEPTH
    Error::TooManyEntries,   // documented bound MAX_MAP_ENTRIES
    Error::Malformed,        // two-byte simple values below 32 (RFC 8949 §3.3)
];

/// COSE errors where this crate is stricter than coset, by design (the decision table).
const COSE_STRICTER: [Error; 14] = [
    Error::MissingAlgorithm,
    Error::AlgorithmNotProtected,
    Error::AlgorithmInBothBuckets,
    Error::UnsupportedAlgorithm,
    Error::InvalidCritical,
    Error::CriticalNotProtected,
    Error::UnknownCriticalHeader,
    Error::InvalidHeader,
    Error::InvalidSignatureLength,
    Error::SignatureScalarOutOfRange,
    Error::DuplicateKey,
    Error::DepthExceeded,
    Error::TooManyEntries,
    Error::UnexpectedType,
];

/// Whether a valid item holds what ciborium's `Value` cannot represent and so refuses although
/// it is well-formed: a simple value other than false, true, null, undefined or a float, or a
/// negative bignum below `i128::MIN`.
fn peer_cannot_represent(d: &mut Decoder<'_>) -> bool {
    let Ok(major) = d.peek_major() else {
        return false;
    };
    match major {
        Major::Array | Major::Map => {
            let n = if major == Major::Array {
                d.array().unwrap_or(0)
            } else {
                d.map().unwrap_or(0).saturating_mul(2)
            };
            let mut found = false;
            for _ in 0..n {
                found |= peer_cannot_represent(d);
            }
            found
        }
        Major::Tag => {
            // ciborium turns a negative bignum of up to 16 bytes into an i128 and refuses one
            // below i128::MIN (16 bytes, top bit set) with "integer too large".
            let tag = d.tag();
            let too_large = tag == Ok(3)
                && d.clone()
                    .bytes()
                    .is_ok_and(|b| b.len() == 16 && b.first().is_some_and(|&x| x >= 0x80));
            too_large | peer_cannot_represent(d)
        }
        Major::Simple => {
            if d.bool().is_ok() || d.null().is_ok() || d.float().is_ok() {
                false
            } else {
                d.raw_item().is_ok_and(|raw| raw != [0xf7])
            }
        }
        _ => {
            let _ = d.skip();
            false
        }
    }
}

/// The two header buckets of a (parsed) COSE_Sign1: the protected header's bytes and the
/// unprotected map item.
fn header_buckets(message: &[u8]) -> Option<[&[u8]; 2]> {
    let mut d = Decoder::new(message);
    if d.peek_major() == Ok(Major::Tag) && d.tag().is_err() {
        return None;
    }
    let (Ok(_), Ok(protected), Ok(unprotected)) = (d.array(), d.bytes(), d.raw_item()) else {
        return None;
    };
    Some([protected, unprotected])
}

/// Whether either header bucket of a (parsed) COSE_Sign1 has a content type (label 3, in any
/// head width) whose value is a text string.
fn has_text_content_type(message: &[u8]) -> bool {
    header_buckets(message).is_some_and(|buckets| {
        buckets.iter().any(|map| {
            let mut m = Decoder::new(map);
            let Ok(n) = m.map() else { return false };
            (0..n).any(|_| {
                let is_label_3 = m.raw_item().is_ok_and(|k| Decoder::new(k).int() == Ok(3));
                let is_text = m.peek_major() == Ok(Major::Text);
                m.skip().is_ok() && is_label_3 && is_text
            })
        })
    })
}

/// Whether the map item `map` has the integer key `label` (in any head width).
fn map_has_int_key(map: &[u8], label: i64) -> bool {
    let mut m = Decoder::new(map);
    let Ok(n) = m.map() else { return false };
    (0..n).any(|_| {
        let found = m
            .raw_item()
            .is_ok_and(|k| Decoder::new(k).int() == Ok(label));
        m.skip().is_ok() && found
    })
}

/// Whether either header bucket of a (parsed) COSE_Sign1 has one of the integer `labels`.
fn header_has_label(message: &[u8], labels: &[i64]) -> bool {
    header_buckets(message).is_some_and(|buckets| {
        labels
            .iter()
            .any(|&l| buckets.iter().any(|map| map_has_int_key(map, l)))
    })
}

/// Same decisions and fields as coset and ciborium (see the crate docs).
pub fn differential(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let ours = cbor::validate(data, Mode::Lenient);
    let theirs = peer_cbor_accepts(data);
    match ours {
        Ok(()) => assert!(
            theirs || peer_cannot_represent(&mut Decoder::new(data)),
            "the peer refuses well-formed CBOR we accept"
        ),
        Err(e) if theirs => assert!(CBOR_STRICTER.contains(&e), "we refuse with {e:?}"),
        Err(_) => {}
    }
    if ours.is_err() {
        return;
    }
    let options = ParseOptions {
        accept_untagged: true,
        ..ParseOptions::DEFAULT
    };
    let m = UnverifiedSign1::parse(data, &options);
    peer_sign1(data, |view| match &m {
        Ok(m) => {
            // coset gives IV (5), Partial IV (6) and the counter signature (7) type rules of
            // their own, and requires a text content type (3) to look like `type/subtype`;
            // this crate does not interpret them and skips them as it skips any parameter it
            // does not know.
            assert!(
                view.is_some() || header_has_label(data, &[5, 6, 7]) || has_text_content_type(data),
                "the peer refuses a COSE_Sign1 we accept"
            );
            if let Some(v) = view {
                assert_eq!(v.protected, m.protected_bytes(), "protected bytes");
                assert_eq!(v.payload, m.payload_untrusted(), "payload");
                assert_eq!(v.signature.len(), Signature::LEN, "signature");
                assert_eq!(v.alg, Some(m.algorithm()), "alg");
                assert_eq!(v.kid, m.kid_untrusted().unwrap_or(&[]), "kid");
            }
        }
        Err(e) => {
            if let Some(v) = view {
                // coset reads a payload of `undefined` (f7) as detached; RFC 9052 allows only
                // a byte string or nil there.
                let undefined_payload = *e == Error::InvalidStructure && v.payload.is_none();
                assert!(
                    COSE_STRICTER.contains(e) || undefined_payload,
                    "we refuse with {e:?}"
                );
            }
        }
    });
}
