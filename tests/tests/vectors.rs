//! Known-answer tests over the public COSE_Sign1 vectors in `sign1-vectors.json`.
//!
//! The vectors come from the COSE working group's Examples repository and RFC 8392. They live
//! outside this repository (see [`ecnpp_tests::vectors_dir`]) and are never copied into it: when
//! the folder is absent every test here prints a `SKIPPED` line and returns.
//!
//! Every vector has an explicit verdict in [`VERDICTS`], with the reason for each decision, so
//! that a change in behaviour on any public vector fails a test rather than passing silently.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ecnpp_attest::Error;
use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use ecnpp_attest::crypto::{Sha256, Signature, Signer, SigningKey, Verifier, VerifyingKey};
use ecnpp_tests::{VecWriter, vectors_dir};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use serde_json::Value;

/// What this crate must do with a vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// Parses with `ParseOptions::DEFAULT` and verifies under the vector's key.
    Verifies,
    /// Untagged: `Error::MissingTag` by default, verifies with `ParseOptions::PERMISSIVE_TAGS`.
    VerifiesOnlyWhenUntaggedAllowed,
    /// `UnverifiedSign1::parse` fails with this error, whatever the tag options.
    ParseFails(Error),
    /// Parses, then `verify` fails with this error.
    VerifyFails(Error),
}

use Verdict::{ParseFails, Verifies, VerifiesOnlyWhenUntaggedAllowed, VerifyFails};

/// Our verdict on every vector, by its `name` field.
const VERDICTS: &[(&str, Verdict)] = &[
    // RFC 9052 C.2.1: the reference ES256 COSE_Sign1 (protected {1: -7}, unprotected kid).
    ("cose-wg/Examples RFC8152/Appendix_C_2_1.json", Verifies),
    // Protected {1: -7, 3: 0}: content type is a parameter we understand; an ordinary message.
    (
        "cose-wg/Examples ecdsa-examples/ecdsa-sig-01.json",
        Verifies,
    ),
    // External AAD is bound into the Sig_structure; supplied here from the vector.
    ("cose-wg/Examples sign1-tests/sign-pass-02.json", Verifies),
    // No tag 18. Design: tag 18 is required; an option accepts untagged input.
    (
        "cose-wg/Examples sign1-tests/sign-pass-03.json",
        VerifiesOnlyWhenUntaggedAllowed,
    ),
    // Protected h'a0' with `alg` only in the unprotected bucket. Design: `alg` must be
    // protected, so this is rejected before any crypto. (Its signature was also computed over
    // h'' rather than the h'a0' on the wire; we never re-encode the protected bytes.)
    (
        "cose-wg/Examples sign1-tests/sign-pass-01.json",
        ParseFails(Error::AlgorithmNotProtected),
    ),
    // Tag 998. Design: any tag other than 18 (or 61(18) with the option) is an error.
    (
        "cose-wg/Examples sign1-tests/sign-fail-01.json",
        ParseFails(Error::UnexpectedTag),
    ),
    // One payload byte changed after signing: a plain bad signature, reported opaquely.
    (
        "cose-wg/Examples sign1-tests/sign-fail-02.json",
        VerifyFails(Error::VerificationFailed),
    ),
    // alg -999: not a signature algorithm we know at all.
    (
        "cose-wg/Examples sign1-tests/sign-fail-03.json",
        ParseFails(Error::UnsupportedAlgorithm),
    ),
    // alg "unknown" (a text string): not an algorithm we support.
    (
        "cose-wg/Examples sign1-tests/sign-fail-04.json",
        ParseFails(Error::UnsupportedAlgorithm),
    ),
    // Protected header gained `content type` after signing: the received protected bytes are
    // hashed as they are, so the signature no longer matches.
    (
        "cose-wg/Examples sign1-tests/sign-fail-06.json",
        VerifyFails(Error::VerificationFailed),
    ),
    // Protected header lost `content type` after signing: same reasoning.
    (
        "cose-wg/Examples sign1-tests/sign-fail-07.json",
        VerifyFails(Error::VerificationFailed),
    ),
    // ES512 (-36) with a P-256 key. Design: ES256 only with a P-256 key, anything else is an
    // error before any crypto. ES512 is a known algorithm, so it is a key mismatch (at verify,
    // where the key is known), not "unsupported".
    (
        "cose-wg/Examples ecdsa-examples/ecdsa-sig-04.json",
        VerifyFails(Error::AlgorithmKeyMismatch),
    ),
    // RFC 8392 A.3: a signed CWT with tag 18 only; its payload is a claims map.
    ("RFC 8392 Appendix A.3 signed CWT", Verifies),
    // The same CWT with an empty unprotected map.
    ("cose-wg/Examples CWT/A_3.json", Verifies),
    // Tag 17 is COSE_Mac0, not COSE_Sign1: rejected by its tag, never interpreted.
    (
        "cose-wg/Examples mac0-tests/HMac-01.json",
        ParseFails(Error::UnexpectedTag),
    ),
];

/// One vector, decoded from the JSON.
struct Vector {
    name: String,
    alg: String,
    key: Option<EcKey>,
    protected: Vec<u8>,
    aad: Vec<u8>,
    payload: Vec<u8>,
    tbs: Vec<u8>,
    signature: Vec<u8>,
    cose: Vec<u8>,
    cbor_tag: Option<u64>,
    signature_verifies_over_wire_bytes: bool,
}

/// The EC2 key of a vector (absent for the HMAC vector).
struct EcKey {
    x: Vec<u8>,
    y: Vec<u8>,
    d: Vec<u8>,
}

impl EcKey {
    fn sec1(&self) -> Vec<u8> {
        let mut p = vec![0x04];
        p.extend_from_slice(&self.x);
        p.extend_from_slice(&self.y);
        p
    }

    fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey::from_sec1_bytes(&self.sec1()).unwrap()
    }

    fn signing_key(&self) -> SigningKey {
        SigningKey::from_slice(&self.d).unwrap()
    }
}

fn hex_field(v: &Value, field: &str) -> Vec<u8> {
    let s = v[field]
        .as_str()
        .unwrap_or_else(|| panic!("field {field} missing"));
    hex::decode(s).unwrap_or_else(|e| panic!("field {field}: {e}"))
}

/// The vectors, or `None` (with a visible `SKIPPED` line) when the folder is absent.
fn load() -> Option<Vec<Vector>> {
    let dir = vectors_dir()?;
    let path = dir.join("sign1-vectors.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("SKIPPED: {} not found", path.display());
        return None;
    };
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    let vectors = json
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|v| {
            let k = &v["key"];
            let key = k["x"].as_str().map(|_| EcKey {
                x: hex_field(k, "x"),
                y: hex_field(k, "y"),
                d: hex_field(k, "d"),
            });
            Vector {
                name: v["name"].as_str().expect("name").to_owned(),
                alg: v["alg"].as_str().expect("alg").to_owned(),
                key,
                protected: hex_field(v, "protected_hex"),
                aad: hex_field(v, "external_aad_hex"),
                payload: hex_field(v, "payload_hex"),
                tbs: hex_field(v, "tbs_hex"),
                signature: hex_field(v, "signature_hex"),
                cose: hex_field(v, "cose_hex"),
                cbor_tag: v["cbor_tag"].as_u64(),
                signature_verifies_over_wire_bytes: v["signature_verifies_over_wire_bytes"]
                    .as_bool()
                    .expect("signature_verifies_over_wire_bytes"),
            }
        })
        .collect();
    Some(vectors)
}

fn verdict_of(name: &str) -> Verdict {
    VERDICTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no verdict for vector {name:?}: add one to VERDICTS"))
}

/// What parse-then-verify gives under `options`, as `Ok(())` or the first error.
fn outcome(v: &Vector, options: &ParseOptions) -> Result<(), Error> {
    let vk = v.key.as_ref().map(EcKey::verifying_key);
    let u = UnverifiedSign1::parse(&v.cose, options)?;
    // Every parsed vector must have a key: only the HMAC vector has none, and it never parses.
    let vk = vk.expect("parsed vector has an EC key");
    let verified = u.verify(&vk, &v.aad)?;
    assert_eq!(verified.payload(), v.payload.as_slice(), "{}", v.name);
    Ok(())
}

#[test]
fn verdicts_table_covers_every_vector_exactly_once() {
    let Some(vectors) = load() else { return };
    assert_eq!(vectors.len(), 15, "the vector file should hold 15 cases");
    assert_eq!(VERDICTS.len(), vectors.len());
    for (name, _) in VERDICTS {
        assert_eq!(
            vectors.iter().filter(|v| v.name == *name).count(),
            1,
            "verdict {name:?} matches no vector, or several"
        );
    }
}

#[test]
fn every_vector_gets_its_verdict() {
    let Some(vectors) = load() else { return };
    for v in &vectors {
        let default = outcome(v, &ParseOptions::DEFAULT);
        let permissive = outcome(v, &ParseOptions::PERMISSIVE_TAGS);
        match verdict_of(&v.name) {
            Verifies => {
                assert_eq!(default, Ok(()), "{}", v.name);
                assert_eq!(permissive, Ok(()), "{}", v.name);
            }
            VerifiesOnlyWhenUntaggedAllowed => {
                assert_eq!(v.cbor_tag, None, "{}", v.name);
                assert_eq!(default, Err(Error::MissingTag), "{}", v.name);
                assert_eq!(permissive, Ok(()), "{}", v.name);
            }
            ParseFails(e) => {
                assert_eq!(
                    UnverifiedSign1::parse(&v.cose, &ParseOptions::DEFAULT).err(),
                    Some(e),
                    "{}",
                    v.name
                );
                assert_eq!(
                    UnverifiedSign1::parse(&v.cose, &ParseOptions::PERMISSIVE_TAGS).err(),
                    Some(e),
                    "{}",
                    v.name
                );
            }
            VerifyFails(e) => {
                assert!(
                    UnverifiedSign1::parse(&v.cose, &ParseOptions::DEFAULT).is_ok(),
                    "{}",
                    v.name
                );
                assert_eq!(default, Err(e), "{}", v.name);
                assert_eq!(permissive, Err(e), "{}", v.name);
            }
        }
    }
}

/// The parsed view agrees with the vector's own fields, and the streamed Sig_structure is
/// byte-for-byte the vector's `tbs_hex` (the protected bytes are hashed as received).
#[test]
fn parsed_fields_and_sig_structure_match_the_vector() {
    let Some(vectors) = load() else { return };
    let mut checked = 0;
    for v in &vectors {
        let Ok(u) = UnverifiedSign1::parse(&v.cose, &ParseOptions::PERMISSIVE_TAGS) else {
            assert!(
                matches!(verdict_of(&v.name), ParseFails(_)),
                "{} should parse",
                v.name
            );
            continue;
        };
        assert_eq!(u.protected_bytes(), v.protected.as_slice(), "{}", v.name);
        assert_eq!(
            u.payload_untrusted(),
            Some(v.payload.as_slice()),
            "{}",
            v.name
        );
        assert!(!u.is_detached());
        let mut w = VecWriter::default();
        u.write_sig_structure(&v.aad, None, &mut w).unwrap();
        assert_eq!(hex::encode(&w.0), hex::encode(&v.tbs), "{}", v.name);
        // Detached input to an attached message is misuse, reported as such.
        assert_eq!(
            u.write_sig_structure(&v.aad, Some(b"x"), &mut VecWriter::default()),
            Err(Error::UnexpectedDetachedPayload)
        );
        // The signature bstr is the last item: its 64 bytes end the message.
        assert_eq!(v.signature.len(), 64, "{}", v.name);
        assert!(v.cose.ends_with(&v.signature), "{}", v.name);
        checked += 1;
    }
    // 10 vectors parse: 5 that verify as they are, the untagged one, 3 bad signatures, ES512.
    assert_eq!(checked, 10);
}

/// The vectors' keys are consistent: the public point (x, y) is the one `d` generates.
#[test]
fn vector_keys_are_consistent() {
    let Some(vectors) = load() else { return };
    let mut keys = 0;
    for v in &vectors {
        let Some(k) = &v.key else {
            assert!(v.alg.starts_with("HMAC"), "{} has no EC key", v.name);
            continue;
        };
        let from_point = VerifyingKey::from_sec1_bytes(&k.sec1()).unwrap();
        let from_secret = k.signing_key().verifying_key();
        assert_eq!(from_point, from_secret, "{}", v.name);
        assert_eq!(from_secret.to_sec1_uncompressed().to_vec(), k.sec1());
        assert_eq!(k.signing_key().to_bytes().as_slice(), k.d.as_slice());
        keys += 1;
    }
    assert_eq!(keys, 14);
}

/// An independent check of the JSON itself: p256 alone, over SHA-256 of `tbs_hex`, agrees with
/// the vector's `signature_verifies_over_wire_bytes` for every ES256 vector.
#[test]
fn vector_signatures_agree_with_p256_directly() {
    let Some(vectors) = load() else { return };
    for v in vectors.iter().filter(|v| v.alg == "ES256") {
        let k = v.key.as_ref().unwrap();
        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&k.sec1()).unwrap();
        let sig = p256::ecdsa::Signature::from_slice(&v.signature).unwrap();
        let ok = vk.verify_prehash(&Sha256::digest(&v.tbs), &sig).is_ok();
        assert_eq!(ok, v.signature_verifies_over_wire_bytes, "{}", v.name);
        // And our own verifier gives the same answer on the same digest.
        let ours = k
            .verifying_key()
            .verify_digest(
                &Sha256::digest(&v.tbs),
                &Signature::from_slice(&v.signature).unwrap(),
            )
            .is_ok();
        assert_eq!(ours, ok, "{}", v.name);
    }
}

/// Re-signing each vector's payload (with its AAD and kid) with our key: deterministic bytes
/// (RFC 6979), an exact size query, and a message that verifies under the vector's public key.
#[test]
fn resigned_payloads_verify() {
    let Some(vectors) = load() else { return };
    for v in &vectors {
        let Some(k) = &v.key else { continue };
        let sk = k.signing_key();
        let vk = k.verifying_key();
        for kid in [None, Some(&b"11"[..])] {
            let mut b = Sign1Builder::new().external_aad(&v.aad);
            if let Some(kid) = kid {
                b = b.kid(kid);
            }
            let payload = v.payload.as_slice();
            let len = b.encoded_len(payload);
            let mut first = vec![0u8; len];
            let mut second = vec![0u8; len];
            assert_eq!(b.sign(&sk, payload, &mut first), Ok(len), "{}", v.name);
            assert_eq!(b.sign(&sk, payload, &mut second), Ok(len), "{}", v.name);
            assert_eq!(first, second, "{}: signing is deterministic", v.name);
            let u = UnverifiedSign1::parse(&first, &ParseOptions::DEFAULT).unwrap();
            assert_eq!(u.kid_untrusted(), kid);
            let verified = u.verify(&vk, &v.aad).unwrap();
            assert_eq!(verified.payload(), payload, "{}", v.name);
        }
    }
}

/// Replacing a vector's signature by ours over its `tbs_hex` makes every ES256 vector that
/// parses verify: the three bad-signature vectors fail for their signature alone, and the
/// Sig_structure we stream is the one the vectors define.
#[test]
fn resigning_the_vector_tbs_makes_it_verify() {
    let Some(vectors) = load() else { return };
    let mut resigned = 0;
    for v in &vectors {
        let Some(k) = &v.key else { continue };
        let Ok(u) = UnverifiedSign1::parse(&v.cose, &ParseOptions::PERMISSIVE_TAGS) else {
            continue;
        };
        if u.algorithm() != -7 {
            continue;
        }
        let sk = k.signing_key();
        let sig = sk.sign_digest(&Sha256::digest(&v.tbs)).unwrap();
        assert_eq!(sig, sk.sign_digest(&Sha256::digest(&v.tbs)).unwrap());
        let mut cose = v.cose.clone();
        let at = cose.len() - 64;
        cose[at..].copy_from_slice(sig.as_bytes());
        let verified = UnverifiedSign1::parse(&cose, &ParseOptions::PERMISSIVE_TAGS)
            .unwrap()
            .verify(&k.verifying_key(), &v.aad)
            .unwrap_or_else(|e| panic!("{}: {e:?}", v.name));
        assert_eq!(verified.payload(), v.payload.as_slice());
        resigned += 1;
    }
    // Every parsing vector except ES512 (ecdsa-sig-04).
    assert_eq!(resigned, 9);
}
