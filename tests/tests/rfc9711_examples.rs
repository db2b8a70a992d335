//! Specification examples, read by the library.
//!
//! * RFC 9711 Appendix A: the examples given as CBOR. Each is a hex constant transcribed from
//!   the example's diagnostic notation, with that notation (reformatted, comments shortened) in a
//!   comment. Claims sets must decode with [`Claims::decode`] and show the claims the example
//!   describes; the signed example is parsed with the COSE layer (its key is not published, so
//!   its signature cannot be checked; its structure, claims and detached digest can).
//! * `docs/profile.md`: the profile's own examples are read from the document itself, decoded,
//!   validated against the profile rules, compared with their diagnostic notation, and compared
//!   with what the library produces today, so that the document cannot drift from the code.
//!
//! Provenance of the RFC 9711 bytes, as far as it could be checked offline: the RFC text was
//! not reachable from this machine. The claims sets of A.1.1 to A.1.5 follow the published
//! examples as transcribed in public test suites; A.1.1 is confirmed byte for byte by the
//! detached EAT bundle example of the RATS working group's EAT repository, which carries it
//! together with a token holding its SHA-256 digest (checked below). A.2.1 (the basic signed CWT)
//! was not found; A.1.6, A.1.7 and A.2.3 are JSON and out of scope for this CBOR-only crate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ciborium::Value as CValue;
use ecnpp_attest::Error;
use ecnpp_attest::appraise::{CertifiedConfig, Challenge, Policy, TrustStatus, appraise};
use ecnpp_attest::cbor::{Mode, validate};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::crypto::{ES256, Sha256};
use ecnpp_attest::eat::{
    Claims, DebugStatus, HwModel, List, Measurement, NamedSubmodule, NestedToken, Nonce,
    NonceClaim, OemId, Submodule, Ueid, Version,
};
use ecnpp_attest::eat::{DecodeOptions, Label, RawValue, key};
use ecnpp_attest::eat::{Lifecycle, Promise, Robustness};
use ecnpp_attest::ecnpp::{self, Endorsement, Model, PP_REF_V1_0_7, PROFILE, VerifiedEvidence};

// ------------------------------------------------------------------------------------------
// The examples of docs/profile.md, regenerated
// ------------------------------------------------------------------------------------------

/// When the example evidence was made and appraised (2026-09-21T14:13:20Z).
const EXAMPLE_NOW: i64 = 1_790_000_000;
const EXAMPLE_NONCE: [u8; 16] = [
    0x3e, 0x51, 0x0b, 0xa4, 0x7c, 0x2f, 0x96, 0xd1, 0x58, 0xe3, 0x0a, 0x6d, 0xc4, 0x27, 0x99, 0xb2,
];
/// Type byte 0x01 (RAND) and 16 random bytes.
const EXAMPLE_UEID: [u8; 17] = [
    0x01, 0x9a, 0x4c, 0x6e, 0x21, 0xd7, 0x03, 0xb8, 0x5f, 0x90, 0x1e, 0xa2, 0x64, 0xcd, 0x37, 0x08,
    0xf5,
];
/// IANA PEN 32473, reserved for documentation (RFC 5612).
const EXAMPLE_PEN: u64 = 32_473;
/// SHA-256 of the device firmware image and of the TEE OS image (examples).
const EXAMPLE_FW: [u8; 32] = [
    0x5b, 0x1f, 0x8e, 0x02, 0xc4, 0x6a, 0x37, 0xd9, 0x90, 0x4e, 0x1b, 0xa7, 0x63, 0xfc, 0x28, 0x85,
    0xd0, 0x4b, 0x7e, 0x19, 0xa6, 0x3c, 0xf2, 0x58, 0x0d, 0x94, 0xe1, 0x6f, 0x2a, 0xb7, 0x45, 0xc3,
];
const EXAMPLE_TEE_FW: [u8; 32] = [
    0xa8, 0x34, 0x6d, 0xf0, 0x17, 0xc2, 0x5e, 0x9b, 0x41, 0x03, 0xd8, 0x7a, 0xee, 0x26, 0x95, 0x1c,
    0x6b, 0xf7, 0x30, 0x8d, 0x52, 0xa9, 0x0e, 0xc6, 0x74, 0x1f, 0xbb, 0x83, 0x39, 0xd5, 0x60, 0x2e,
];
/// CoAP content format 42, application/octet-stream: a raw digest.
const OCTET_STREAM: u16 = 42;
/// Version scheme 16384: semver (RFC 9393).
const SEMVER: i64 = 16_384;

const FW_MEAS: [Measurement<'static>; 1] = [Measurement {
    content_type: OCTET_STREAM,
    content: &EXAMPLE_FW,
}];
const TEE_MEAS: [Measurement<'static>; 1] = [Measurement {
    content_type: OCTET_STREAM,
    content: &EXAMPLE_TEE_FW,
}];
const REFERENCES: [Measurement<'static>; 2] = [FW_MEAS[0], TEE_MEAS[0]];
const SE_ROBUSTNESS: [Robustness<'static>; 1] = [Robustness {
    scheme: "FIPS140-3",
    level: "3",
}];
const TEE_ROBUSTNESS: [Robustness<'static>; 1] = [Robustness {
    scheme: "SESIP",
    level: "3",
}];

fn example_submods() -> [NamedSubmodule<'static>; 2] {
    [
        NamedSubmodule {
            name: ecnpp::SUBMOD_SE,
            submodule: Submodule::Claims(Claims {
                oemid: Some(OemId::Pen(EXAMPLE_PEN)),
                hwmodel: Some(HwModel::new(b"se-model-7").unwrap()),
                dbgstat: Some(DebugStatus::DisabledFullyAndPermanently),
                ..Claims::default()
            }),
        },
        NamedSubmodule {
            name: ecnpp::SUBMOD_TEE,
            submodule: Submodule::Claims(Claims {
                swname: Some("example-tee-os"),
                swversion: Some(Version {
                    version: "1.4.0",
                    scheme: Some(SEMVER),
                }),
                measurements: Some(List::Items(&TEE_MEAS)),
                ..Claims::default()
            }),
        },
    ]
}

/// The secure-enclave evidence claims set of `docs/profile.md`.
fn example_evidence<'a>(submods: &'a [NamedSubmodule<'a>]) -> Claims<'a> {
    Claims {
        eat_profile: Some(PROFILE),
        iat: Some(EXAMPLE_NOW - 5),
        nonce: Some(NonceClaim::One(Nonce::new(&EXAMPLE_NONCE).unwrap())),
        ueid: Some(Ueid::new(&EXAMPLE_UEID).unwrap()),
        oemid: Some(OemId::Pen(EXAMPLE_PEN)),
        hwmodel: Some(HwModel::new(b"edge-node-x1").unwrap()),
        hwversion: Some(Version {
            version: "2.1",
            scheme: Some(1),
        }),
        swname: Some("example-edge-os"),
        swversion: Some(Version {
            version: "4.2.1",
            scheme: Some(SEMVER),
        }),
        oemboot: Some(true),
        dbgstat: Some(DebugStatus::DisabledPermanently),
        measurements: Some(List::Items(&FW_MEAS)),
        submods: Some(List::Items(submods)),
        promise: Some(Promise::SecureEnclave),
        pp_ref: Some(PP_REF_V1_0_7),
        lifecycle: Some(Lifecycle::Operational),
        svn: Some(7),
        ..Claims::default()
    }
}

fn example_certified() -> [CertifiedConfig<'static>; 1] {
    [CertifiedConfig {
        oemid: OemId::Pen(EXAMPLE_PEN),
        hwmodel: b"edge-node-x1",
        swname: "example-edge-os",
        swversion: "4.2.1",
        promise: Promise::SecureEnclave,
        pp_ref: PP_REF_V1_0_7,
        certificate: "NSCIB-CC-EXAMPLE-1",
        se_robustness: &SE_ROBUSTNESS,
        tee_robustness: &TEE_ROBUSTNESS,
        reference_measurements: &REFERENCES,
    }]
}

/// Encodes the example evidence, signs it, appraises it and signs the result; returns the
/// evidence claims bytes and the result claims bytes.
fn regenerate_examples() -> (Vec<u8>, Vec<u8>) {
    let submods = example_submods();
    let evidence = example_evidence(&submods);
    let mut evidence_bytes = vec![0u8; evidence.encoded_len().unwrap()];
    evidence.encode(&mut evidence_bytes).unwrap();

    let device = SigningKey::from_bytes(&[0x31; 32]).unwrap();
    let builder = Sign1Builder::new().kid(b"edge-node-x1/device-key");
    let mut token = vec![0u8; ecnpp::evidence_len(&evidence, &builder).unwrap()];
    ecnpp::sign_evidence(&evidence, &builder, &device, &mut token).unwrap();
    let device_pub = device.verifying_key();
    let models = [Model {
        oemid: OemId::Pen(EXAMPLE_PEN),
        hwmodel: b"edge-node-x1",
    }];
    let endorsement = Endorsement::new(&device_pub, &models);
    let verified = VerifiedEvidence::verify(&token, &endorsement, &ParseOptions::DEFAULT).unwrap();
    let certified = example_certified();
    let policy = Policy::new(
        Challenge {
            nonce: &EXAMPLE_NONCE,
            issued_at: EXAMPLE_NOW - 10,
        },
        EXAMPLE_NOW,
        &certified,
        "https://verifier.example",
    );
    let result = appraise(&verified, &policy);
    assert_eq!(
        result.status(),
        TrustStatus::Affirming,
        "{:?}",
        result.reasons()
    );
    let verifier = SigningKey::from_bytes(&[0x32; 32]).unwrap();
    let builder = Sign1Builder::new();
    let mut result_token = vec![0u8; result.token_len(&builder).unwrap()];
    result.sign(&builder, &verifier, &mut result_token).unwrap();
    let parsed = UnverifiedSign1::parse(&result_token, &ParseOptions::DEFAULT).unwrap();
    let result_bytes = parsed
        .verify(&verifier.verifying_key(), &[])
        .unwrap()
        .payload()
        .to_vec();
    (evidence_bytes, result_bytes)
}

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// Hex with any whitespace in it, to bytes.
fn unhex(s: &str) -> Vec<u8> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(compact).unwrap()
}

/// `hex` with exactly one occurrence of `from` replaced by `to` (both hex).
fn patched(hex: &str, from: &str, to: &str) -> Vec<u8> {
    let compact: String = hex.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(compact.matches(from).count(), 1, "{from} must occur once");
    hex::decode(compact.replacen(from, to, 1)).unwrap()
}

fn strict(bytes: &[u8]) -> Result<Claims<'_>, Error> {
    Claims::decode_with(
        bytes,
        DecodeOptions {
            deterministic: true,
        },
    )
}

fn submodule_claims<'a>(c: &Claims<'a>, name: &str) -> Claims<'a> {
    match ecnpp::submodule(c, name) {
        Some(Submodule::Claims(s)) => s,
        other => panic!("submodule {name:?}: {other:?}"),
    }
}

// ------------------------------------------------------------------------------------------
// RFC 9711 Appendix A.1: claims sets
// ------------------------------------------------------------------------------------------

/// RFC 9711 Appendix A.1.1, "simple TEE attestation":
///
/// ```text
/// { / eat_nonce / 10: h'48df7b172d70b5a18935d0460a73dd71',
///   / oemboot /  262: true,
///   / dbgstat /  263: 2,                  / disabled since boot /
///   / manifests / 272: [ [ 258,           / CoSWID content format /
///                          h'a600...' ] ] / a payload CoSWID, 88 bytes: "Acme TEE OS" 3.1.4 /
/// }
/// ```
const A_1_1: &str = "
    a40a5048df7b172d70b5a18935d0460a73dd71190106f51901070219011081821901025858a60064336132340c01016b
    41636d6520544545204f530d65332e312e340282a2181f6b41636d6520544545204f53182101a2181f6b41636d652054
    4545204f5318210206a111a118186e61636d655f7465655f332e657865";

#[test]
fn a_1_1_simple_tee_attestation() {
    let bytes = unhex(A_1_1);
    let c = Claims::decode(&bytes).unwrap();
    let Some(NonceClaim::One(n)) = c.nonce else {
        panic!("{:?}", c.nonce)
    };
    assert_eq!(n.as_bytes(), &unhex("48df7b172d70b5a18935d0460a73dd71")[..]);
    assert_eq!(c.oemboot, Some(true));
    assert_eq!(c.dbgstat, Some(DebugStatus::DisabledSinceBoot));
    let manifests: Vec<Measurement<'_>> = c.manifests.unwrap().iter().collect();
    assert_eq!(manifests.len(), 1);
    assert_eq!(manifests[0].content_type, 258);
    assert_eq!(manifests[0].content.len(), 88);
    // The manifest is itself a CBOR map (a CoSWID): {0: "3a24", 12: 1, 1: "Acme TEE OS", ...}.
    let coswid: CValue = ciborium::from_reader(manifests[0].content).unwrap();
    let CValue::Map(entries) = coswid else {
        panic!("not a map")
    };
    assert!(entries.contains(&(CValue::from(1), CValue::from("Acme TEE OS"))));
    assert!(c.extra.is_empty());
    // This one is also in core deterministic order.
    assert_eq!(strict(&bytes), Ok(c));
    // Not this profile's evidence.
    assert_eq!(ecnpp::validate_evidence(&c), Err(Error::WrongProfile));
}

/// RFC 9711 Appendix A.1.2, "submodules for board and device":
///
/// ```text
/// { / eat_nonce /  10: h'e253cabedc9eec24ac4e25bcbeaf7765',
///   / ueid /      256: h'0198f50a4ff6c05861c8860d13a638ea',
///   / oemid /     258: h'894823',                 / IEEE OUI /
///   / hwmodel /   259: h'549dcecc8b987c737b44e40f7c635ce8',
///   / hwversion / 260: ["1.3.4", 1],
///   / swname /    270: "Acme OS",
///   / swversion / 271: ["3.5.5", 1],
///   / oemboot /   262: true,
///   / dbgstat /   263: 3,
///   / iat /         6: 1(1526542894),             / tag 1, 2018-05-17T07:41:34Z /
///   / submods /   266: {
///     "board":  { 258: h'9bef8787eba13e2c8f6e7cb4b1f4619a',
///                 259: h'ee80f5a66c1fb9742999a8fdab930893',
///                 260: ["2.0a", 2] },
///     "device": { 258: 61234, 260: ["4.0", 1] } } }
/// ```
const A_1_2: &str = "
    ab0a50e253cabedc9eec24ac4e25bcbeaf7765190100500198f50a4ff6c05861c8860d13a638ea190102438948231901
    0350549dcecc8b987c737b44e40f7c635ce81901048265312e332e340119010e6741636d65204f5319010f8265332e35
    2e3501190106f51901070306c11a5afd322e19010aa265626f617264a3190102509bef8787eba13e2c8f6e7cb4b1f461
    9a19010350ee80f5a66c1fb9742999a8fdab9308931901048264322e30610266646576696365a219010219ef32190104
    8263342e3001";

fn check_a_1_2(c: &Claims<'_>) {
    assert_eq!(c.ueid.unwrap().as_bytes().len(), 16);
    assert_eq!(c.oemid, Some(OemId::Ieee(&[0x89, 0x48, 0x23])));
    assert_eq!(c.hwmodel.unwrap().as_bytes().len(), 16);
    assert_eq!(
        c.hwversion,
        Some(Version {
            version: "1.3.4",
            scheme: Some(1)
        })
    );
    assert_eq!(c.swname, Some("Acme OS"));
    assert_eq!(
        c.swversion,
        Some(Version {
            version: "3.5.5",
            scheme: Some(1)
        })
    );
    assert_eq!(c.oemboot, Some(true));
    assert_eq!(c.dbgstat, Some(DebugStatus::DisabledPermanently));
    assert_eq!(c.iat, Some(1_526_542_894));
    let names: Vec<&str> = c.submods.unwrap().iter().map(|s| s.name).collect();
    assert_eq!(names, ["board", "device"]);
    let board = submodule_claims(c, "board");
    assert_eq!(
        board.oemid.map(|o| matches!(o, OemId::Random(_))),
        Some(true)
    );
    assert_eq!(board.hwversion.unwrap().version, "2.0a");
    assert_eq!(board.hwversion.unwrap().scheme, Some(2));
    let device = submodule_claims(c, "device");
    assert_eq!(device.oemid, Some(OemId::Pen(61_234)));
    assert_eq!(device.hwversion.unwrap().version, "4.0");
}

/// With `iat` written without tag 1 (as RFC 8392 writes NumericDate), everything else as
/// published.
#[test]
fn a_1_2_submodules_for_board_and_device_untagged_time() {
    let bytes = patched(A_1_2, "06c11a5afd322e", "061a5afd322e");
    let c = Claims::decode(&bytes).unwrap();
    check_a_1_2(&c);
    // Keys are not in deterministic order (270 and 271 come before 262).
    assert_eq!(strict(&bytes), Err(Error::NonDeterministic));
}

/// As published, `iat` is an epoch-based date with tag 1. The library reads times as plain
/// integers (RFC 8392 §2: NumericDate without the tag) and today refuses the tagged form with
/// `InvalidClaim { key: 6 }`.
#[test]
fn a_1_2_as_published_decodes() {
    let bytes = unhex(A_1_2);
    check_a_1_2(&Claims::decode(&bytes).unwrap());
}

/// RFC 9711 Appendix A.1.3, "EAT produced by an attestation hardware block" (also the payload
/// of the signed example A.2.1):
///
/// ```text
/// { / eat_nonce /  10: h'd79b964ddd5471c1393c8888',
///   / ueid /      256: h'0198f50a4ff6c05861c8860d13a638ea',
///   / oemid /     258: 64242,                      / PEN /
///   / oemboot /   262: true,
///   / dbgstat /   263: 3,
///   / hwversion / 260: ["3.1", 1] }
/// ```
const A_1_3: &str = "
    a60a4cd79b964ddd5471c1393c8888190100500198f50a4ff6c05861c8860d13a638ea19010219faf2190106f5190107
    031901048263332e3101";

#[test]
fn a_1_3_attestation_hardware_block() {
    let bytes = unhex(A_1_3);
    assert_eq!(bytes.len(), 58);
    let c = Claims::decode(&bytes).unwrap();
    let Some(NonceClaim::One(n)) = c.nonce else {
        panic!("{:?}", c.nonce)
    };
    assert_eq!(n.as_bytes().len(), 12);
    assert_eq!(c.ueid.unwrap().as_bytes()[0], 0x01, "UEID type RAND");
    assert_eq!(c.oemid, Some(OemId::Pen(64_242)));
    assert_eq!(c.oemboot, Some(true));
    assert_eq!(c.dbgstat, Some(DebugStatus::DisabledPermanently));
    assert_eq!(
        c.hwversion,
        Some(Version {
            version: "3.1",
            scheme: Some(1)
        })
    );
    assert!(c.extra.is_empty());
    // 260 after 263: not deterministic order.
    assert_eq!(strict(&bytes), Err(Error::NonDeterministic));
    // Re-encoded by the library, the same claims come out sorted and strictly valid.
    let mut out = vec![0u8; c.encoded_len().unwrap()];
    c.encode(&mut out).unwrap();
    assert_eq!(out.len(), bytes.len());
    assert_eq!(validate(&out, Mode::Strict), Ok(()));
    assert_eq!(strict(&out), Ok(c));
}

/// RFC 9711 Appendix A.1.4, "key / key store attestation":
///
/// ```text
/// { / eat_nonce /  10: h'99b67438dba40743266f70bf75feb1026d513497a229bfe8',
///   / oemboot /   262: true,
///   / dbgstat /   263: 2,
///   / manifests / 272: [ [258, h'a600...'] ],    / CoSWID "Carbonite" 1.2 /
///   / exp /         4: 1(1634324274),            / 2021-10-15T18:57:54Z /
///   / iat /         6: 1(1634317080),            / 2021-10-15T16:58:00Z /
///   -80000: "fingerprint",                       / private-use claims /
///   -80001: { 1: 2, 2: h'36675c206f96236c3f51f54637b94ced', -1: 2,
///             -2: h'65eda5...551d', -3: h'1e52ed...d19c' },   / a COSE_Key /
///   / submods /   266: {
///     "HLOS": { 10: h'8b0b28782a23d3f6', 262: true,
///               272: [ [258, h'a600...'] ] } } }              / CoSWID "Droid OS" R2.D2 /
/// ```
const A_1_4: &str = "
    a90a581899b67438dba40743266f70bf75feb1026d513497a229bfe8190106f5190107021901108182190102583ca600
    6837626233343837660c000169436172626f6e6974650d63312e320e0102a2181f75496e647573747269616c20417574
    6f6d6174696f6e18210204c11a6169cf3206c11a6169b3183a0001387f6b66696e6765727072696e743a00013880a501
    02025036675c206f96236c3f51f54637b94ced200221582065eda5a12577c2bae829437fe338701a10aaa375e1bb5b5d
    e108de439c08551d2258201e52ed75701163f7f9e40ddf9f341b3dc9ba860af7e0ca7ca7e9eecd0084d19c19010aa164
    484c4f53a30a488b0b28782a23d3f6190106f51901108182190102583da6006873376537346b78380c00016844726f69
    64204f530d6552322e44320e0302a2181f75496e647573747269616c204175746f6d6174696f6e182102";

fn check_a_1_4(c: &Claims<'_>) {
    let Some(NonceClaim::One(n)) = c.nonce else {
        panic!("{:?}", c.nonce)
    };
    assert_eq!(n.as_bytes().len(), 24);
    assert_eq!(c.oemboot, Some(true));
    assert_eq!(c.dbgstat, Some(DebugStatus::DisabledSinceBoot));
    assert_eq!(c.exp, Some(1_634_324_274));
    assert_eq!(c.iat, Some(1_634_317_080));
    let m: Vec<Measurement<'_>> = c.manifests.unwrap().iter().collect();
    assert_eq!(
        (m.len(), m[0].content_type, m[0].content.len()),
        (1, 258, 60)
    );
    // The private-use claims are kept as they are.
    let extra: Vec<(Label<'_>, RawValue<'_>)> = c.extra.iter().collect();
    assert_eq!(extra.len(), 2);
    assert_eq!(extra[0].0, Label::Int(-80_000));
    assert_eq!(extra[0].1.as_bytes(), b"\x6bfingerprint");
    assert_eq!(extra[1].0, Label::Int(-80_001));
    let cose_key: CValue = ciborium::from_reader(extra[1].1.as_bytes()).unwrap();
    let CValue::Map(key_entries) = cose_key else {
        panic!("COSE_Key is a map")
    };
    assert_eq!(key_entries.len(), 5);
    // The HLOS submodule has its own nonce and manifest.
    let hlos = submodule_claims(c, "HLOS");
    let Some(NonceClaim::One(hn)) = hlos.nonce else {
        panic!("{:?}", hlos.nonce)
    };
    assert_eq!(hn.as_bytes(), &unhex("8b0b28782a23d3f6")[..]);
    assert_eq!(hlos.oemboot, Some(true));
    assert_eq!(
        hlos.manifests.unwrap().iter().next().unwrap().content.len(),
        61
    );
}

#[test]
fn a_1_4_key_store_attestation_untagged_times() {
    let once = patched(A_1_4, "04c11a6169cf32", "041a6169cf32");
    let bytes = patched(&hex::encode(once), "06c11a6169b318", "061a6169b318");
    check_a_1_4(&Claims::decode(&bytes).unwrap());
}

/// As published, `exp` and `iat` carry tag 1; today the first of them in the map, `exp`, is
/// refused with `InvalidClaim { key: 4 }`.
#[test]
fn a_1_4_as_published_decodes() {
    check_a_1_4(&Claims::decode(&unhex(A_1_4)).unwrap());
}

/// RFC 9711 Appendix A.1.5, "software measurements of an IoT device":
///
/// ```text
/// { / eat_nonce /  10: h'5e19fba4483c7896',
///   / oemboot /   262: true,
///   / dbgstat /   263: 2,
///   / oemid /     258: h'8945ad',                 / IEEE CID /
///   / ueid /      256: h'0198f50a4ff6c05861c8860d13a638ea',
///   / submods /   266: {
///     "OS": { 262: true, 263: 2,
///             / measurements / 273: [ [258, h'a600...'] ] } } }
///                           / an evidence CoSWID of "Acme R-IoT-OS" 3.1.4 with file hashes /
/// ```
const A_1_5: &str = "
    a60a485e19fba4483c7896190106f519010702190102438945ad190100500198f50a4ff6c05861c8860d13a638ea1901
    0aa1624f53a3190106f519010702190111818219010258f4a600663463613234350c17016d41636d6520522d496f542d
    4f530d65332e312e3402a2181f7241636d65204261736520417474657374657218210103a11183a318187161636d655f
    725f696f745f6f732e657865141a0044b349078201582005f6b327c173b4192bd2c3ec248a292215eab456611bf7a783
    e25c1782479905a318186d7265736f75726365732e727363141a000c38b10782015820c142b9aba4280c4bb8c75f716a
    43c99526694caabe529571f5569bb7dc542f98a318186a636f6d6d6f6e2e6c6962141a00233d3b0782015820a6a9dcdf
    b3884da5f884e4e1e8e8629958c2dbc702741443a913e34de9333be6";

#[test]
fn a_1_5_software_measurements_of_an_iot_device() {
    let bytes = unhex(A_1_5);
    let c = Claims::decode(&bytes).unwrap();
    assert_eq!(c.oemboot, Some(true));
    assert_eq!(c.dbgstat, Some(DebugStatus::DisabledSinceBoot));
    assert_eq!(c.oemid, Some(OemId::Ieee(&[0x89, 0x45, 0xad])));
    assert_eq!(c.ueid.unwrap().as_bytes().len(), 16);
    let os = submodule_claims(&c, "OS");
    assert_eq!(os.oemboot, Some(true));
    assert_eq!(os.dbgstat, Some(DebugStatus::DisabledSinceBoot));
    let m: Vec<Measurement<'_>> = os.measurements.unwrap().iter().collect();
    assert_eq!(
        (m.len(), m[0].content_type, m[0].content.len()),
        (1, 258, 244)
    );
    // The evidence CoSWID inside names the measured files.
    let coswid: CValue = ciborium::from_reader(m[0].content).unwrap();
    assert!(format!("{coswid:?}").contains("acme_r_iot_os.exe"));
    assert_eq!(strict(&bytes), Err(Error::NonDeterministic));
}

// ------------------------------------------------------------------------------------------
// RFC 9711 Appendix A.2: signed examples
// ------------------------------------------------------------------------------------------

/// The CWT of the CBOR-encoded detached EAT bundle example (RFC 9711 Appendix A.2.2, as kept in
/// the RATS working group's EAT repository, `cddl/Example-Tokens/valid_deb.diag`). The bundle is
/// `602([ <this token as a byte string>, { "TEE": <the A.1.1 claims set as a byte string> } ])`:
///
/// ```text
/// 61(18([ h'a10126',                              / protected: alg ES256 /
///         {},
///         h'a70a4c35...',                         / payload, below /
///         h'8469c5f3...92a4' ]))                  / signature, 64 bytes /
/// payload:
/// { 10: h'3515744961254b41a6cf9c02', 256: h'0198f50a4ff6c05861c8860d13a638ea',
///   258: 64242, 262: true, 263: 3, 260: ["3.1", 1],
///   266: { "TEE": [ -16,                          / SHA-256 /
///                   h'ab86f765643aabfd09c84eebe150b7f61bc24804cee75e90c5f99cb850fe808f' ] } }
/// ```
const A_2_2_CWT: &str = "
    d83dd28443a10126a05866a70a4c3515744961254b41a6cf9c02190100500198f50a4ff6c05861c8860d13a638ea1901
    0219faf2190106f5190107031901048263332e310119010aa163544545822f5820ab86f765643aabfd09c84eebe150b7
    f61bc24804cee75e90c5f99cb850fe808f58408469c5f3ac750981babe6525ed750f38b4a9ee6656a7e70815b34d0b10
    14e7143cedaf81f8198ef978bcc35581c675a1d4116fdfbc1d1d1258612b255f4692a4";

#[test]
fn a_2_2_detached_eat_bundle_token() {
    let token = unhex(A_2_2_CWT);
    // Tag 61 around tag 18: refused by default, accepted when the caller opts in.
    assert_eq!(
        UnverifiedSign1::parse(&token, &ParseOptions::DEFAULT).err(),
        Some(Error::UnexpectedTag)
    );
    let options = ParseOptions {
        accept_cwt_tag: true,
        ..ParseOptions::DEFAULT
    };
    let msg = UnverifiedSign1::parse(&token, &options).unwrap();
    assert_eq!(msg.algorithm(), ES256);
    assert_eq!(msg.protected_bytes(), &[0xa1, 0x01, 0x26]);
    assert_eq!(msg.kid_untrusted(), None);
    assert!(!msg.is_detached());
    let payload = msg.payload_untrusted().unwrap();
    let c = Claims::decode(payload).unwrap();
    assert_eq!(c.oemid, Some(OemId::Pen(64_242)));
    assert_eq!(c.dbgstat, Some(DebugStatus::DisabledPermanently));
    // The TEE submodule is a detached digest: SHA-256 (COSE alg -16) of the A.1.1 claims set,
    // which the bundle carries beside the token.
    let Some(Submodule::Digest { alg, digest }) = ecnpp::submodule(&c, "TEE") else {
        panic!("TEE must be a detached digest")
    };
    assert_eq!(alg, Label::Int(-16));
    assert_eq!(digest, &Sha256::digest(&unhex(A_1_1))[..]);
    // The signature is well-formed (64 bytes, scalars in range: parse checked both); the key that
    // made it is not published, so a key of our own must not verify it.
    let stranger = SigningKey::from_bytes(&[0x77; 32]).unwrap();
    assert_eq!(
        msg.verify(&stranger.verifying_key(), &[]).err(),
        Some(Error::VerificationFailed)
    );
}

/// A tag-18 token carried as a nested-token submodule: the form RFC 9711 gives for submodules
/// that are separately signed (`61(18(...))` as well as `18(...)`).
#[test]
fn a_2_2_token_is_accepted_as_a_nested_submodule() {
    let token = unhex(A_2_2_CWT);
    let subs = [NamedSubmodule {
        name: "chip",
        submodule: Submodule::Token(NestedToken::new(&token).unwrap()),
    }];
    let c = Claims {
        submods: Some(List::Items(&subs)),
        ..Claims::default()
    };
    let mut out = vec![0u8; c.encoded_len().unwrap()];
    c.encode(&mut out).unwrap();
    assert_eq!(Claims::decode(&out), Ok(c));
}

// ------------------------------------------------------------------------------------------
// docs/profile.md: the profile's own examples
// ------------------------------------------------------------------------------------------

fn profile_doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/profile.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The diagnostic-notation block and the bytes of the hex block that follow the marker
/// `<!-- example: {name} -->` in the document.
fn doc_example(doc: &str, name: &str) -> (String, Vec<u8>) {
    let marker = format!("<!-- example: {name} -->");
    let at = doc
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker} in docs/profile.md"));
    let rest = &doc[at + marker.len()..];
    let block = |rest: &str, fence: &str| -> (String, usize) {
        let open = format!("```{fence}\n");
        let start = rest
            .find(&open)
            .unwrap_or_else(|| panic!("no {open:?} after {marker}"));
        let body = &rest[start + open.len()..];
        let end = body.find("```").expect("unclosed block");
        (body[..end].to_string(), start + open.len() + end + 3)
    };
    let (diag, used) = block(rest, "cbor-diag");
    let rest = &rest[used..];
    // The hex block comes right after the diagnostic block, before any other block.
    let (hex_text, _) = block(rest, "hex");
    assert!(
        !rest[..rest.find("```hex").unwrap()].contains("```"),
        "{name}: the hex block must directly follow the diagnostic block"
    );
    (diag, unhex(&hex_text))
}

/// Diagnostic notation without comments and whitespace (outside strings).
fn compact_diag(diag: &str) -> String {
    let mut out = String::new();
    let mut chars = diag.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push(c);
                for s in chars.by_ref() {
                    out.push(s);
                    if s == '"' {
                        break;
                    }
                }
            }
            'h' if chars.peek() == Some(&'\'') => {
                out.push_str("h'");
                chars.next();
                for s in chars.by_ref() {
                    if !s.is_whitespace() {
                        out.push(s);
                    }
                    if s == '\'' {
                        break;
                    }
                }
            }
            '/' => {
                // A comment runs to the next slash.
                for s in chars.by_ref() {
                    if s == '/' {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// Compact diagnostic notation of a decoded item, keys in the order they were encoded.
fn to_diag(v: &CValue) -> String {
    match v {
        CValue::Integer(i) => i128::from(*i).to_string(),
        CValue::Bytes(b) => format!("h'{}'", hex::encode(b)),
        CValue::Text(t) => {
            assert!(!t.contains(['"', '\\']), "no escapes in the examples");
            format!("\"{t}\"")
        }
        CValue::Bool(b) => b.to_string(),
        CValue::Null => "null".into(),
        CValue::Tag(t, inner) => format!("{t}({})", to_diag(inner)),
        CValue::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(to_diag).collect::<Vec<_>>().join(",")
            )
        }
        CValue::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}:{}", to_diag(k), to_diag(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => panic!("no floats or simple values in the examples: {other:?}"),
    }
}

#[test]
fn diag_compaction_handles_comments_strings_and_split_hex() {
    let diag = "{ / a: \"x\" / 1: \"a / b\", 2: h'01 02\n 03', -3: [true] / end / }";
    assert_eq!(compact_diag(diag), "{1:\"a / b\",2:h'010203',-3:[true]}");
}

#[test]
fn profile_examples_in_docs_decode_and_validate() {
    let doc = profile_doc();
    for name in ["evidence", "result"] {
        let (diag, bytes) = doc_example(&doc, name);
        // The notation says what the bytes say.
        let value: CValue = ciborium::from_reader(bytes.as_slice()).unwrap();
        assert_eq!(
            compact_diag(&diag),
            to_diag(&value),
            "{name}: diag and hex differ"
        );
        // Core deterministic, and read back by the library in strict mode.
        assert_eq!(validate(&bytes, Mode::Strict), Ok(()), "{name}");
        let c = strict(&bytes).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(Claims::decode(&bytes), Ok(c));
        let profile = if name == "evidence" {
            PROFILE
        } else {
            ecnpp::RESULT_PROFILE
        };
        assert_eq!(c.eat_profile, Some(profile));
        let mut again = vec![0u8; c.encoded_len().unwrap()];
        c.encode(&mut again).unwrap();
        assert_eq!(again, bytes, "{name}: re-encoding changes the bytes");
        match name {
            "evidence" => {
                assert_eq!(ecnpp::validate_evidence(&c), Ok(()));
                assert_eq!(c.promise, Some(Promise::SecureEnclave));
                assert!(matches!(
                    ecnpp::submodule(&c, ecnpp::SUBMOD_TEE),
                    Some(Submodule::Claims(_))
                ));
                // Evidence is not a result, by its signed profile.
                assert_eq!(
                    ecnpp::validate_result(&c),
                    Err(Error::EvidenceGivenAsResult)
                );
            }
            _ => {
                assert_eq!(ecnpp::validate_result(&c), Ok(()));
                assert_eq!(c.evaluated_config, Some(true));
                // A result is signed under the result profile, so it is never valid evidence.
                assert_eq!(ecnpp::validate_evidence(&c), Err(Error::WrongProfile));
            }
        }
    }
}

/// The document's examples are what the library produces today: the evidence claims set is the
/// encoding of [`example_evidence`], and the result is what appraising it gives.
#[test]
fn profile_examples_in_docs_are_what_the_library_produces() {
    let doc = profile_doc();
    let (evidence, result) = regenerate_examples();
    let (_, doc_evidence) = doc_example(&doc, "evidence");
    let (_, doc_result) = doc_example(&doc, "result");
    assert_eq!(
        hex::encode(&doc_evidence),
        hex::encode(&evidence),
        "docs/profile.md evidence example is stale"
    );
    assert_eq!(
        hex::encode(&doc_result),
        hex::encode(&result),
        "docs/profile.md result example is stale"
    );
}

/// The profile identifier as the document states it (dotted, and as content bytes).
#[test]
fn profile_identifier_in_docs_matches_the_library() {
    let doc = profile_doc();
    assert!(doc.contains(ecnpp::PROFILE_OID_TEXT));
    assert!(doc.contains(&format!("h'{}'", hex::encode(ecnpp::PROFILE_OID))));
    assert!(doc.contains(&hex::encode_upper(ecnpp::PROFILE_OID)));
    // 2.25.<uuid as integer>.1: 2*40+25, the integer in base 128, then the version arc.
    let uuid = u128::from_str_radix("2cce42e2dca84f8ab84523ccc904a770", 16).unwrap();
    assert_eq!(
        ecnpp::PROFILE_OID_TEXT,
        format!("2.25.{uuid}.1"),
        "the UUID named in the document"
    );
    let mut arcs = vec![2 * 40 + 25];
    let mut groups = Vec::new();
    let mut n = uuid;
    loop {
        groups.push(u8::try_from(n & 0x7f).unwrap());
        n >>= 7;
        if n == 0 {
            break;
        }
    }
    for (i, g) in groups.iter().rev().enumerate() {
        arcs.push(if i + 1 < groups.len() { g | 0x80 } else { *g });
    }
    arcs.push(1);
    assert_eq!(arcs, ecnpp::PROFILE_OID);
    // The profile's own claim keys, as the document's CDDL binds them.
    for (name, k) in [
        ("ecnpp-promise", key::ECNPP_PROMISE),
        ("ecnpp-pp-ref", key::ECNPP_PP_REF),
        ("ecnpp-evaluated-config", key::ECNPP_EVALUATED_CONFIG),
        ("ecnpp-lifecycle", key::ECNPP_LIFECYCLE),
        ("ecnpp-svn", key::ECNPP_SVN),
        ("ecnpp-robustness", key::ECNPP_ROBUSTNESS),
    ] {
        assert!(doc.contains(&format!("\n{name} = {k}\n")), "{name}");
    }
}
