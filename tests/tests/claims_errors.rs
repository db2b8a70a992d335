//! Negative tests for every error path of `eat`, `ecnpp` and `appraise`: each input is built by
//! hand (claims maps with `cbor::Encoder`, claims sets with the typed builder) and each test
//! asserts the one precise [`Error`] the library documents for it.
//!
//! Layout: wire-side claim errors (one table row per registered key and bad value), structural
//! errors (duplicates, empty lists, depth, nested tokens), builder-side [`Claims::check`]
//! errors, constructor errors of the newtypes, then the profile rules (`validate_evidence`,
//! `validate_result`), and finally appraisal, requirements and trust anchors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use ecnpp_attest::Error;
use ecnpp_attest::appraise::{
    CertifiedConfig, Challenge, Policy, Reasons, Requirement, TrustStatus, VerifiedResult, appraise,
};
use ecnpp_attest::cbor::{Encoder, Mode, validate};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder};
use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::eat::{
    Claims, DebugStatus, DecodeOptions, Dloa, Extra, HwModel, IntendedUse, Label,
    MAX_SUBMODULE_DEPTH, MeasResGroup, MeasResult, Measurement, NamedSubmodule, NamedUeid,
    NestedToken, Nonce, NonceClaim, OemId, Profile, RawValue, ResultCode, ResultId, Submodule,
    Ueid, Version, key,
};
use ecnpp_attest::eat::{Lifecycle, Promise, Robustness};
use ecnpp_attest::ecnpp::{
    self, Endorsement, Model, PP_REF_V1_0_7, PROFILE, PROFILE_OID, VerifiedEvidence,
};
use ecnpp_tests::VecWriter;

type Enc = Encoder<VecWriter>;

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// Encodes one CBOR item with the library's encoder.
fn item(f: impl FnOnce(&mut Enc) -> &mut Enc) -> Vec<u8> {
    let mut e = Encoder::new(VecWriter::default());
    f(&mut e);
    e.into_inner().0
}

/// `{k: value}` where `value` is already encoded.
fn map1(k: i64, value: &[u8]) -> Vec<u8> {
    item(|e| e.map(1).int(k).raw(value))
}

/// `{266: {name: value}}`: one submodule whose value is already encoded.
fn submod(name: &str, value: &[u8]) -> Vec<u8> {
    item(|e| e.map(1).int(key::SUBMODS).map(1).text(name).raw(value))
}

fn decode_err(bytes: &[u8]) -> Error {
    Claims::decode(bytes).expect_err("the claims map must be rejected")
}

/// A byte string of `n` bytes.
fn bstr(n: usize) -> Vec<u8> {
    item(|e| e.bytes(&vec![0x5a; n]))
}

const NONCE: [u8; 16] = *b"challenge-000001";
const UEID: [u8; 17] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
const OEM: [u8; 3] = [0x00, 0x1b, 0x44];
const FW: [u8; 32] = [0x11; 32];
const TEE_FW: [u8; 32] = [0x22; 32];
const NOW: i64 = 1_790_000_000;

const MEAS: [Measurement<'static>; 1] = [Measurement {
    content_type: 0,
    content: &FW,
}];
const TEE_MEAS: [Measurement<'static>; 1] = [Measurement {
    content_type: 0,
    content: &TEE_FW,
}];

/// A valid `"se"` submodule claims set.
fn se_claims() -> Claims<'static> {
    Claims {
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(HwModel::new(b"se-050").unwrap()),
        dbgstat: Some(DebugStatus::DisabledFullyAndPermanently),
        ..Claims::default()
    }
}

/// A valid `"tee"` submodule claims set.
fn tee_claims() -> Claims<'static> {
    Claims {
        measurements: Some(ecnpp_attest::eat::List::Items(&TEE_MEAS)),
        ..Claims::default()
    }
}

/// Valid standard-promise evidence: exactly the claims the profile requires, plus a few optional.
fn standard_evidence() -> Claims<'static> {
    Claims {
        eat_profile: Some(PROFILE),
        nonce: Some(NonceClaim::One(Nonce::new(&NONCE).unwrap())),
        ueid: Some(Ueid::new(&UEID).unwrap()),
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(HwModel::new(b"edge-node-x1").unwrap()),
        swname: Some("edge-os"),
        swversion: Some(Version {
            version: "4.2.1",
            scheme: None,
        }),
        oemboot: Some(true),
        dbgstat: Some(DebugStatus::DisabledPermanently),
        promise: Some(Promise::Standard),
        pp_ref: Some(PP_REF_V1_0_7),
        measurements: Some(ecnpp_attest::eat::List::Items(&MEAS)),
        lifecycle: Some(Lifecycle::Operational),
        svn: Some(7),
        ..Claims::default()
    }
}

/// `evidence` with the given promise and submodules.
fn with_submods<'a>(
    evidence: Claims<'a>,
    promise: Promise,
    subs: &'a [NamedSubmodule<'a>],
) -> Claims<'a> {
    Claims {
        promise: Some(promise),
        submods: if subs.is_empty() {
            None
        } else {
            Some(ecnpp_attest::eat::List::Items(subs))
        },
        ..evidence
    }
}

fn named<'a>(name: &'a str, c: Claims<'a>) -> NamedSubmodule<'a> {
    NamedSubmodule {
        name,
        submodule: Submodule::Claims(c),
    }
}

const DLOAS: [Dloa<'static>; 1] = [Dloa {
    registrar: "https://verifier.example",
    platform: "NSCIB-CC-0000001",
    application: None,
}];
const RESULTS: [MeasResult<'static>; 1] = [MeasResult {
    id: ResultId::Bytes(&FW),
    result: ResultCode::Success,
}];
const GROUPS: [MeasResGroup<'static>; 1] = [MeasResGroup {
    system: "ecnpp-reference-values",
    results: ecnpp_attest::eat::List::Items(&RESULTS),
}];
const ROBUSTNESS: [Robustness<'static>; 1] = [Robustness {
    scheme: "FIPS140-3",
    level: "3",
}];

/// A valid attestation result claims set.
fn result_claims() -> Claims<'static> {
    Claims {
        eat_profile: Some(ecnpp::RESULT_PROFILE),
        iat: Some(NOW),
        ueid: Some(Ueid::new(&UEID).unwrap()),
        dloas: Some(ecnpp_attest::eat::List::Items(&DLOAS)),
        measres: Some(ecnpp_attest::eat::List::Items(&GROUPS)),
        promise: Some(Promise::SecureEnclave),
        pp_ref: Some(PP_REF_V1_0_7),
        evaluated_config: Some(true),
        ..Claims::default()
    }
}

// ------------------------------------------------------------------------------------------
// Wire side: a wrong type or range for each registered claim key
// ------------------------------------------------------------------------------------------

/// One row per (key, bad value): the value is encoded by hand, then `{key: value}` must fail
/// with `InvalidClaim { key }`.
#[test]
fn each_registered_claim_rejects_a_wrong_type_or_range() {
    let text = |s: &'static str| item(|e| e.text(s));
    let uint = |v: u64| item(|e| e.uint(v));
    let int = |v: i64| item(|e| e.int(v));
    let tf = |v: bool| item(|e| e.bool(v));
    let empty_array = item(|e| e.array(0));
    let empty_map = item(|e| e.map(0));
    let rows: Vec<(i64, &str, Vec<u8>)> = vec![
        (key::ISS, "iss as an integer", uint(1)),
        (key::SUB, "sub as bytes", bstr(3)),
        (key::AUD, "aud as an integer", uint(3)),
        (key::EXP, "exp as text", text("tomorrow")),
        (key::EXP, "exp as a float", item(|e| e.float(1.5))),
        (key::NBF, "nbf as text", text("now")),
        (key::IAT, "iat as bytes", bstr(4)),
        (key::IAT, "iat beyond i64", uint(u64::MAX)),
        (key::CTI, "cti as text", text("id")),
        (key::NONCE, "nonce as an integer", uint(10)),
        (key::NONCE, "nonce of 7 bytes", bstr(7)),
        (key::NONCE, "nonce of 65 bytes", bstr(65)),
        (
            key::NONCE,
            "nonce list with a 7-byte nonce",
            item(|e| e.array(2).bytes(&[1; 8]).bytes(&[2; 7])),
        ),
        (key::UEID, "ueid of 6 bytes", bstr(6)),
        (key::UEID, "ueid of 34 bytes", bstr(34)),
        (key::UEID, "ueid as text", text("device")),
        (
            key::SUEIDS,
            "sueids as an array",
            item(|e| e.array(1).bytes(&UEID)),
        ),
        (
            key::SUEIDS,
            "sueids with a 6-byte ueid",
            item(|e| e.map(1).text("nic").bytes(&[1; 6])),
        ),
        (key::OEMID, "oemid of 4 bytes", bstr(4)),
        (key::OEMID, "oemid of 15 bytes", bstr(15)),
        (key::OEMID, "oemid as text", text("acme")),
        (key::OEMID, "oemid as a negative integer", int(-1)),
        (key::HWMODEL, "hwmodel of 0 bytes", bstr(0)),
        (key::HWMODEL, "hwmodel of 33 bytes", bstr(33)),
        (key::HWMODEL, "hwmodel as text", text("model")),
        (key::HWVERSION, "hwversion as bare text", text("1.0")),
        (key::HWVERSION, "hwversion as []", empty_array.clone()),
        (
            key::HWVERSION,
            "hwversion with a text scheme",
            item(|e| e.array(2).text("1.0").text("semver")),
        ),
        (
            key::HWVERSION,
            "hwversion with three elements",
            item(|e| e.array(3).text("1.0").uint(1).uint(2)),
        ),
        (key::UPTIME, "uptime negative", int(-1)),
        (key::EXI, "exi negative", int(-1)),
        (key::EXI, "exi as text", item(|e| e.text("60"))),
        (key::OEMBOOT, "oemboot as 1", uint(1)),
        (key::DBGSTAT, "dbgstat 5", uint(5)),
        (key::DBGSTAT, "dbgstat -1", int(-1)),
        (key::LOCATION, "location as text", text("here")),
        (
            key::LOCATION,
            "location without longitude",
            item(|e| e.map(1).uint(1).float(52.5)),
        ),
        (
            key::LOCATION,
            "location with an unknown key",
            item(|e| {
                e.map(3)
                    .uint(1)
                    .float(1.5)
                    .uint(2)
                    .float(2.5)
                    .uint(10)
                    .uint(1)
            }),
        ),
        (
            key::LOCATION,
            "location latitude as text",
            item(|e| e.map(2).uint(1).text("N").uint(2).float(2.5)),
        ),
        (
            key::LOCATION,
            "location integer beyond i32",
            item(|e| e.map(2).uint(1).uint(1 << 40).uint(2).uint(0)),
        ),
        (
            key::LOCATION,
            "location timestamp as a float",
            item(|e| e.map(3).uint(1).uint(0).uint(2).uint(0).uint(8).float(1.5)),
        ),
        (key::EAT_PROFILE, "eat_profile as an integer", uint(1)),
        (
            key::SUBMODS,
            "submods as an array",
            item(|e| e.array(1).map(0)),
        ),
        (
            key::SUBMODS,
            "submodule as an integer",
            item(|e| e.map(1).text("x").uint(1)),
        ),
        (
            // An error inside a submodule claims set keeps the inner claim's key.
            key::DBGSTAT,
            "submodule claims with a bad claim",
            item(|e| e.map(1).text("se").map(1).int(key::DBGSTAT).uint(9)),
        ),
        (
            key::SUBMODS,
            "detached digest of three elements",
            item(|e| e.map(1).text("d").array(3).int(-16).bytes(&[0; 32]).uint(0)),
        ),
        (
            key::SUBMODS,
            "detached digest as text",
            item(|e| e.map(1).text("d").array(2).int(-16).text("digest")),
        ),
        (key::BOOTCOUNT, "bootcount negative", int(-3)),
        (key::BOOTSEED, "bootseed as text", text("seed")),
        (
            key::DLOAS,
            "dloa with one element",
            item(|e| e.array(1).array(1).text("https://registrar.example")),
        ),
        (
            key::DLOAS,
            "dloa with four elements",
            item(|e| e.array(1).array(4).text("a").text("b").text("c").text("d")),
        ),
        (
            key::DLOAS,
            "dloa registrar as an integer",
            item(|e| e.array(1).array(2).uint(1).text("b")),
        ),
        (key::SWNAME, "swname as bytes", bstr(2)),
        (key::SWVERSION, "swversion as bare text", text("4.2.1")),
        (
            key::MANIFESTS,
            "manifest with one element",
            item(|e| e.array(1).array(1).uint(258)),
        ),
        (
            key::MANIFESTS,
            "manifest content format beyond u16",
            item(|e| e.array(1).array(2).uint(70_000).bytes(&[1])),
        ),
        (
            key::MEASUREMENTS,
            "measurement content as text",
            item(|e| e.array(1).array(2).uint(0).text("digest")),
        ),
        (
            key::MEASUREMENTS,
            "measurements as a map",
            empty_map.clone(),
        ),
        (
            key::MEASRES,
            "measres group of one element",
            item(|e| e.array(1).array(1).text("sys")),
        ),
        (
            key::MEASRES,
            "measres result code 5",
            item(|e| {
                e.array(1)
                    .array(2)
                    .text("sys")
                    .array(1)
                    .array(2)
                    .text("fw")
                    .uint(5)
            }),
        ),
        (
            key::MEASRES,
            "measres result id as an integer",
            item(|e| {
                e.array(1)
                    .array(2)
                    .text("sys")
                    .array(1)
                    .array(2)
                    .uint(1)
                    .uint(1)
            }),
        ),
        (key::INTUSE, "intuse 0", uint(0)),
        (key::INTUSE, "intuse 6", uint(6)),
        (key::ECNPP_PROMISE, "promise 0", uint(0)),
        (key::ECNPP_PROMISE, "promise 4", uint(4)),
        (
            key::ECNPP_PROMISE,
            "promise as text",
            text("secure-enclave"),
        ),
        (key::ECNPP_PP_REF, "pp-ref as bytes", bstr(8)),
        (
            key::ECNPP_EVALUATED_CONFIG,
            "evaluated-config as 1",
            uint(1),
        ),
        (key::ECNPP_LIFECYCLE, "lifecycle 0", uint(0)),
        (key::ECNPP_LIFECYCLE, "lifecycle 5", uint(5)),
        (key::ECNPP_SVN, "svn negative", int(-7)),
        (key::ECNPP_SVN, "svn as a boolean", tf(true)),
        (
            key::ECNPP_ROBUSTNESS,
            "robustness entry of one element",
            item(|e| e.array(1).array(1).text("FIPS140-3")),
        ),
        (
            key::ECNPP_ROBUSTNESS,
            "robustness level as an integer",
            item(|e| e.array(1).array(2).text("FIPS140-3").uint(3)),
        ),
    ];
    for (k, what, value) in &rows {
        let bytes = map1(*k, value);
        // (Names of the wrong type are InvalidMapKey: claim_labels_must_be_integers_or_text.)
        assert_eq!(
            Claims::decode(&bytes),
            Err(Error::InvalidClaim { key: *k }),
            "{what}: {}",
            hex::encode(&bytes)
        );
    }
    // Every key the claims set has a field for is covered by at least one row.
    for &k in key::KNOWN {
        assert!(
            rows.iter().any(|(r, _, _)| *r == k),
            "no negative row for key {k}"
        );
    }
}

/// The boundary values next to the rejected ones are accepted: the table above fails for the
/// reason it names, not for another.
#[test]
fn boundary_values_next_to_the_rejected_ones_are_accepted() {
    let ok = [
        map1(key::NONCE, &bstr(8)),
        map1(key::NONCE, &bstr(64)),
        map1(key::UEID, &bstr(7)),
        map1(key::UEID, &bstr(33)),
        map1(key::HWMODEL, &bstr(1)),
        map1(key::HWMODEL, &bstr(32)),
        map1(key::OEMID, &bstr(3)),
        map1(key::OEMID, &bstr(16)),
        map1(key::DBGSTAT, &item(|e| e.uint(4))),
        map1(key::INTUSE, &item(|e| e.uint(1))),
        map1(key::INTUSE, &item(|e| e.uint(5))),
        map1(key::ECNPP_PROMISE, &item(|e| e.uint(3))),
        map1(key::ECNPP_LIFECYCLE, &item(|e| e.uint(4))),
        map1(
            key::LOCATION,
            &item(|e| e.map(2).uint(1).int(-90).uint(2).uint(180)),
        ),
    ];
    for bytes in ok {
        Claims::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e:?}", hex::encode(&bytes)));
    }
}

#[test]
fn a_claims_set_must_be_a_map() {
    for bytes in [
        item(|e| e.array(0)),
        item(|e| e.bytes(&[0xa0])),
        item(|e| e.uint(0)),
    ] {
        assert_eq!(decode_err(&bytes), Error::InvalidPayload);
    }
}

#[test]
fn claim_labels_must_be_integers_or_text() {
    // {h'01': 1}: a byte-string label is neither an int nor a text label; nor is a float, a
    // simple value or (refused for every map, see cost_bound.rs) an array, map or tag.
    for label in [
        item(|e| e.bytes(&[1])),
        item(|e| e.float(1.5)),
        item(|e| e.bool(true)),
        item(|e| e.null()),
        item(|e| e.array(0)),
        item(|e| e.map(0)),
        item(|e| e.tag(1).uint(1)),
    ] {
        let bytes = [&[0xa1][..], &label, &[0x01]].concat();
        assert_eq!(decode_err(&bytes), Error::InvalidMapKey, "{label:02x?}");
    }
    // Submodule and sueids names are text only (RFC 9711 §4.2.18, §4.2.2), at any depth.
    for (k, value) in [
        (key::SUEIDS, item(|e| e.map(1).uint(1).bytes(&UEID))),
        (key::SUBMODS, item(|e| e.map(1).uint(1).map(0))),
        (
            key::SUBMODS,
            item(|e| {
                e.map(1)
                    .text("se")
                    .map(1)
                    .int(key::SUBMODS)
                    .map(1)
                    .int(-1)
                    .map(0)
            }),
        ),
    ] {
        assert_eq!(decode_err(&map1(k, &value)), Error::InvalidMapKey, "{k}");
    }
    // {18446744073709551615: 1}: an integer label beyond i64.
    let bytes = item(|e| e.map(1).uint(u64::MAX).uint(1));
    assert_eq!(decode_err(&bytes), Error::IntegerOutOfRange);
}

#[test]
fn malformed_or_non_deterministic_input_is_rejected_before_claims_are_read() {
    // Truncated: {10: h'01..'} with a byte missing.
    let mut bytes = map1(key::NONCE, &bstr(8));
    bytes.pop();
    assert_eq!(decode_err(&bytes), Error::Truncated);
    // Trailing bytes after the map.
    let mut bytes = map1(key::OEMBOOT, &[0xf5]);
    bytes.push(0);
    assert_eq!(decode_err(&bytes), Error::TrailingBytes);
    // Indefinite-length map.
    assert_eq!(
        decode_err(&[0xbf, 0x19, 0x01, 0x06, 0xf5, 0xff]),
        Error::IndefiniteLength
    );
    // {262: true} with the key in a longer form than needed: lenient accepts, strict refuses.
    let long = [0xa1, 0x1a, 0x00, 0x00, 0x01, 0x06, 0xf5];
    assert_eq!(Claims::decode(&long).unwrap().oemboot, Some(true));
    assert_eq!(
        Claims::decode_with(
            &long,
            DecodeOptions {
                deterministic: true
            }
        ),
        Err(Error::NonDeterministic)
    );
    // Keys out of order: {263: 3, 262: true}.
    let unordered = [0xa2, 0x19, 0x01, 0x07, 0x03, 0x19, 0x01, 0x06, 0xf5];
    assert!(Claims::decode(&unordered).is_ok());
    assert_eq!(
        Claims::decode_with(
            &unordered,
            DecodeOptions {
                deterministic: true
            }
        ),
        Err(Error::NonDeterministic)
    );
}

// ------------------------------------------------------------------------------------------
// Structure: duplicates, empty lists, depth, nested tokens
// ------------------------------------------------------------------------------------------

#[test]
fn duplicate_claim_key_at_top_level_is_rejected() {
    let bytes = item(|e| {
        e.map(2)
            .int(key::NONCE)
            .bytes(&NONCE)
            .int(key::NONCE)
            .bytes(&NONCE)
    });
    assert_eq!(decode_err(&bytes), Error::DuplicateKey);
    // Same value written in two encodings still collides: 262 and 0x1a00000106.
    let bytes = [
        0xa2, 0x19, 0x01, 0x06, 0xf5, 0x1a, 0x00, 0x00, 0x01, 0x06, 0xf4,
    ];
    assert_eq!(decode_err(&bytes), Error::DuplicateKey);
    // Duplicate text labels of unknown claims too.
    let bytes = item(|e| e.map(2).text("x").uint(1).text("x").uint(2));
    assert_eq!(decode_err(&bytes), Error::DuplicateKey);
}

#[test]
fn duplicate_claim_key_inside_a_submodule_is_rejected() {
    let se = item(|e| e.map(2).int(key::DBGSTAT).uint(3).int(key::DBGSTAT).uint(4));
    assert_eq!(decode_err(&submod("se", &se)), Error::DuplicateKey);
}

#[test]
fn duplicate_submodule_names_are_rejected() {
    let bytes = item(|e| {
        e.map(1)
            .int(key::SUBMODS)
            .map(2)
            .text("se")
            .map(0)
            .text("se")
            .map(0)
    });
    assert_eq!(decode_err(&bytes), Error::DuplicateKey);
    let bytes = item(|e| {
        e.map(1)
            .int(key::SUEIDS)
            .map(2)
            .text("nic")
            .bytes(&UEID)
            .text("nic")
            .bytes(&UEID)
    });
    assert_eq!(decode_err(&bytes), Error::DuplicateKey);
}

/// Every `[+ ...]` / `{+ ...}` rule of the profile's CDDL refuses an empty list on the wire.
#[test]
fn empty_lists_are_rejected_on_the_wire() {
    let empty_array = item(|e| e.array(0));
    let empty_map = item(|e| e.map(0));
    for (k, value) in [
        (key::NONCE, &empty_array),
        (key::SUEIDS, &empty_map),
        (key::SUBMODS, &empty_map),
        (key::DLOAS, &empty_array),
        (key::MANIFESTS, &empty_array),
        (key::MEASUREMENTS, &empty_array),
        (key::MEASRES, &empty_array),
        (key::ECNPP_ROBUSTNESS, &empty_array),
    ] {
        assert_eq!(
            Claims::decode(&map1(k, value)),
            Err(Error::InvalidClaim { key: k }),
            "empty list for key {k}"
        );
    }
    // A measres group with no results.
    let group = item(|e| e.array(1).array(2).text("sys").array(0));
    assert_eq!(
        Claims::decode(&map1(key::MEASRES, &group)),
        Err(Error::InvalidClaim { key: key::MEASRES })
    );
    // An empty list inside a submodule is reported at its own key.
    let tee = item(|e| e.map(1).int(key::MEASUREMENTS).array(0));
    assert_eq!(
        decode_err(&submod("tee", &tee)),
        Error::InvalidClaim {
            key: key::MEASUREMENTS
        }
    );
}

/// Every `[+ ...]` rule is enforced on the builder side too, reported with the claim's key.
#[test]
fn empty_lists_are_rejected_by_the_builder() {
    use ecnpp_attest::eat::List;
    let cases: [(i64, Claims<'static>); 9] = [
        (
            key::NONCE,
            Claims {
                nonce: Some(NonceClaim::Many(List::Items(&[]))),
                ..Claims::default()
            },
        ),
        (
            key::SUEIDS,
            Claims {
                sueids: Some(List::Items(&[])),
                ..Claims::default()
            },
        ),
        (
            key::SUBMODS,
            Claims {
                submods: Some(List::Items(&[])),
                ..Claims::default()
            },
        ),
        (
            key::DLOAS,
            Claims {
                dloas: Some(List::Items(&[])),
                ..Claims::default()
            },
        ),
        (
            key::MANIFESTS,
            Claims {
                manifests: Some(List::Items(&[])),
                ..Claims::default()
            },
        ),
        (
            key::MEASUREMENTS,
            Claims {
                measurements: Some(List::Items(&[])),
                ..Claims::default()
            },
        ),
        (
            key::MEASRES,
            Claims {
                measres: Some(List::Items(&[])),
                ..Claims::default()
            },
        ),
        (
            key::MEASRES,
            Claims {
                measres: Some(List::Items(&[MeasResGroup {
                    system: "sys",
                    results: List::Items(&[]),
                }])),
                ..Claims::default()
            },
        ),
        (
            key::ECNPP_ROBUSTNESS,
            Claims {
                robustness: Some(List::Items(&[])),
                ..Claims::default()
            },
        ),
    ];
    for (k, c) in cases {
        let want = Err(Error::InvalidClaim { key: k });
        assert_eq!(c.check(), want, "key {k}");
        assert_eq!(c.encoded_len(), want.map(|()| 0), "key {k}");
        assert_eq!(c.encode(&mut [0u8; 64]), want.map(|()| 0), "key {k}");
        assert_eq!(c.as_payload().err(), Some(Error::InvalidClaim { key: k }));
        // The compact check of bare-metal targets refuses alike.
        assert_eq!(
            c.encode_compact_reference(&mut [0u8; 64]),
            want.map(|()| 0),
            "key {k}"
        );
    }
    // An empty list inside a submodule: the submodule's key is reported.
    let inner = [named(
        "tee",
        Claims {
            measurements: Some(List::Items(&[])),
            ..Claims::default()
        },
    )];
    let c = Claims {
        submods: Some(List::Items(&inner)),
        ..Claims::default()
    };
    assert_eq!(
        c.check(),
        Err(Error::InvalidClaim {
            key: key::MEASUREMENTS
        })
    );
}

/// Lists and submodules read from the wire are re-encoded as they are held (no decoder on the
/// encoding path): a deterministic source comes back byte for byte; a list or named map that
/// a lenient read accepted in a non-deterministic form is refused with its claim's key.
#[test]
fn decoded_lists_are_re_encoded_as_held_and_must_be_deterministic() {
    let measurement = item(|e| e.array(2).uint(258).bytes(&[7; 32]));
    let deterministic = item(|e| {
        e.map(2)
            .int(key::SUBMODS)
            .map(1)
            .text("se")
            .map(1)
            .int(key::OEMBOOT)
            .bool(true)
            .int(key::MEASUREMENTS)
            .array(1)
            .raw(&measurement)
    });
    let c = Claims::decode(&deterministic).unwrap();
    let mut out = [0u8; 128];
    let n = c.encode(&mut out).unwrap();
    assert_eq!(&out[..n], &deterministic[..]);
    assert_eq!(c.encoded_len(), Ok(n));

    // measurements: [[258, h'07..']] with the array head in two bytes (0x98 0x01).
    let mut long_head = item(|e| e.map(1).int(key::MEASUREMENTS));
    long_head.extend_from_slice(&[0x98, 0x01]);
    long_head.extend_from_slice(&measurement);
    let c = Claims::decode(&long_head).unwrap();
    assert_eq!(c.measurements.unwrap().len(), 1);
    // The list's own head is re-encoded, its items are held: a non-shortest item inside is
    // what makes the held bytes non-deterministic.
    assert_eq!(c.encode(&mut out).map(|n| out[..n].to_vec()), {
        let mut want = item(|e| e.map(1).int(key::MEASUREMENTS).array(1));
        want.extend_from_slice(&measurement);
        Ok(want)
    });
    let mut long_item = item(|e| e.map(1).int(key::MEASUREMENTS).array(1).array(2));
    long_item.extend_from_slice(&[0x18, 0x05]); // content type 5 with a two-byte head
    long_item.extend_from_slice(&item(|e| e.bytes(&[7; 32])));
    let c = Claims::decode(&long_item).unwrap();
    let want = Err(Error::InvalidClaim {
        key: key::MEASUREMENTS,
    });
    assert_eq!(c.check(), want);
    assert_eq!(c.encoded_len(), want.map(|()| 0));
    assert_eq!(c.encode(&mut out), want.map(|()| 0));

    // Submodules out of name order are accepted leniently and refused on re-encoding.
    let unordered = item(|e| {
        e.map(1)
            .int(key::SUBMODS)
            .map(2)
            .text("tee")
            .map(1)
            .int(key::OEMBOOT)
            .bool(true)
            .text("se")
            .map(1)
            .int(key::OEMBOOT)
            .bool(true)
    });
    let c = Claims::decode(&unordered).unwrap();
    assert_eq!(
        c.encode(&mut out),
        Err(Error::InvalidClaim { key: key::SUBMODS })
    );
}

/// `{266: {"s": {266: {"s": ... {262: true}}}}}` with `levels` submodule levels.
fn nested_submods_wire(levels: usize) -> Vec<u8> {
    item(|e| {
        for _ in 0..levels {
            e.map(1).int(key::SUBMODS).map(1).text("s");
        }
        e.map(1).int(key::OEMBOOT).bool(true)
    })
}

#[test]
fn submodule_nesting_deeper_than_the_bound_is_rejected_on_the_wire() {
    // The outermost map is not a submodule: `levels` submodules are at depths 1..=levels.
    let ok = nested_submods_wire(MAX_SUBMODULE_DEPTH);
    let c = Claims::decode(&ok).unwrap();
    assert!(c.submods.is_some());
    let too_deep = nested_submods_wire(MAX_SUBMODULE_DEPTH + 1);
    assert_eq!(decode_err(&too_deep), Error::DepthExceeded);
}

#[test]
fn submodule_nesting_deeper_than_the_bound_is_rejected_by_the_builder() {
    use ecnpp_attest::eat::List;
    // Builds MAX_SUBMODULE_DEPTH + 1 levels bottom-up; each level borrows the one below.
    let leaf = Claims {
        oemboot: Some(true),
        ..Claims::default()
    };
    let l5 = [NamedSubmodule {
        name: "s",
        submodule: Submodule::Claims(leaf),
    }];
    let c4 = Claims {
        submods: Some(List::Items(&l5)),
        ..Claims::default()
    };
    let l4 = [NamedSubmodule {
        name: "s",
        submodule: Submodule::Claims(c4),
    }];
    let c3 = Claims {
        submods: Some(List::Items(&l4)),
        ..Claims::default()
    };
    let l3 = [NamedSubmodule {
        name: "s",
        submodule: Submodule::Claims(c3),
    }];
    let c2 = Claims {
        submods: Some(List::Items(&l3)),
        ..Claims::default()
    };
    let l2 = [NamedSubmodule {
        name: "s",
        submodule: Submodule::Claims(c2),
    }];
    let c1 = Claims {
        submods: Some(List::Items(&l2)),
        ..Claims::default()
    };
    let l1 = [NamedSubmodule {
        name: "s",
        submodule: Submodule::Claims(c1),
    }];
    let top = Claims {
        submods: Some(List::Items(&l1)),
        ..Claims::default()
    };
    assert_eq!(MAX_SUBMODULE_DEPTH, 4, "this test builds exactly 5 levels");
    assert_eq!(top.check(), Err(Error::DepthExceeded));
    assert_eq!(top.encoded_len(), Err(Error::DepthExceeded));
    // Four levels (c1 as the top) are fine.
    let n = c1.encoded_len().unwrap();
    let mut buf = vec![0u8; n];
    assert_eq!(c1.encode(&mut buf), Ok(n));
    assert_eq!(buf, nested_submods_wire(MAX_SUBMODULE_DEPTH));
}

/// `levels` nested one-element arrays around 0: an item `levels + 1` deep.
fn nested_arrays(levels: usize) -> Vec<u8> {
    let mut v = vec![0x81; levels];
    v.push(0x00);
    v
}

/// `value` as the unknown claim -70000 of a claims set `depth` submodules down.
fn unknown_claim_at_depth(value: &[u8], depth: usize) -> Vec<u8> {
    item(|e| {
        for _ in 0..depth {
            e.map(1).int(key::SUBMODS).map(1).text("s");
        }
        e.map(1).int(-70_000).raw(value)
    })
}

#[test]
fn unknown_claims_are_bounded_where_they_are_written() {
    // A claims set `d` submodules down is at CBOR nesting 1 + 2d, its values at 2 + 2d: a
    // value of depth k reaches 1 + 2d + k, which must stay within MAX_DEPTH (16).
    let extra_key = Label::Int(-70_000);
    for (depth, deepest_ok) in [(0usize, 15usize), (3, 9)] {
        for k in [deepest_ok, deepest_ok + 1] {
            let value = nested_arrays(k - 1);
            let raw = RawValue::new(&value).unwrap();
            let extra = [(extra_key, raw)];
            let leaf = Claims {
                extra: Extra::Items(&extra),
                ..Claims::default()
            };
            // Caller-built: the leaf `depth` submodules down.
            let want = if k <= deepest_ok {
                Ok(())
            } else {
                Err(Error::InvalidClaim { key: -70_000 })
            };
            assert_eq!(
                check_nested(leaf, depth),
                want,
                "depth {depth}, value depth {k}"
            );
            // On the wire, the decoder's verdict agrees.
            let wire = unknown_claim_at_depth(&value, depth);
            assert_eq!(
                Claims::decode(&wire).map(|_| ()),
                want.map_err(|_| Error::DepthExceeded),
                "depth {depth}, value depth {k}"
            );
        }
    }
    // A value read from the wire, valid where it was, then moved three submodules down.
    let value = nested_arrays(14);
    let wire = unknown_claim_at_depth(&value, 0);
    let read = Claims::decode(&wire).unwrap();
    assert_eq!(read.check(), Ok(()));
    assert_eq!(
        check_nested(read, 3),
        Err(Error::InvalidClaim { key: -70_000 })
    );
}

#[test]
fn decoded_submodules_moved_deeper_respect_both_bounds() {
    // Four submodule levels, read from the wire: fine where they were.
    let wire = nested_submods_wire(MAX_SUBMODULE_DEPTH);
    let read = Claims::decode(&wire).unwrap();
    assert_eq!(read.check(), Ok(()));
    // One level down they would be five: the decoder's bound, as for a caller's.
    assert_eq!(check_nested(read, 1), Err(Error::DepthExceeded));
    // A decoded `submods` holding a deep unknown claim, moved down: the CBOR nesting bound.
    let value = nested_arrays(10);
    let wire = unknown_claim_at_depth(&value, 1);
    let read = Claims::decode(&wire).unwrap();
    assert_eq!(read.check(), Ok(()));
    assert_eq!(check_nested(read, 1), Ok(()));
    assert_eq!(check_nested(read, 2), Err(Error::DepthExceeded));
}

/// Checks `leaf` placed `depth` submodules down (named "s" at every level), through encode and
/// its size query alike.
fn check_nested(leaf: Claims<'_>, depth: usize) -> Result<(), Error> {
    fn wrap<'a>(
        c: Claims<'a>,
        depth: usize,
        f: &mut dyn FnMut(&Claims<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if depth == 0 {
            return f(&c);
        }
        let list = [NamedSubmodule {
            name: "s",
            submodule: Submodule::Claims(c),
        }];
        let up = Claims {
            submods: Some(ecnpp_attest::eat::List::Items(&list)),
            ..Claims::default()
        };
        wrap(up, depth - 1, f)
    }
    wrap(leaf, depth, &mut |c| {
        let checked = c.check();
        assert_eq!(c.encoded_len().map(|_| ()), checked);
        assert_eq!(c.encode(&mut [0u8; 512]).map(|_| ()), checked);
        checked
    })
}

/// A real tag-18 COSE_Sign1 to nest.
fn sign1_token() -> Vec<u8> {
    let key = SigningKey::from_bytes(&[0x41; 32]).unwrap();
    let payload: &[u8] = &[0xa1, 0x19, 0x01, 0x06, 0xf5];
    let b = Sign1Builder::new();
    let mut out = vec![0u8; b.encoded_len(payload)];
    b.sign(&key, payload, &mut out).unwrap();
    out
}

#[test]
fn nested_token_must_be_tag_18_or_61_18() {
    let tagged = sign1_token();
    assert_eq!(tagged[0], 0xd2, "tag 18");
    let untagged = tagged[1..].to_vec();
    let mut cwt = vec![0xd8, 0x3d];
    cwt.extend_from_slice(&tagged);
    let mut tag17 = tagged.clone();
    tag17[0] = 0xd1;
    let mut cwt_of_17 = vec![0xd8, 0x3d];
    cwt_of_17.extend_from_slice(&tag17);
    let mut not_cbor = tagged.clone();
    not_cbor.push(0x00);

    for good in [&tagged, &cwt] {
        let wire = submod("nested", &item(|e| e.bytes(good)));
        let c = Claims::decode(&wire).unwrap();
        let sub = c.submods.unwrap().iter().next().unwrap();
        assert_eq!(
            sub.submodule,
            Submodule::Token(NestedToken::new(good).unwrap())
        );
    }
    for (what, bad, expected) in [
        ("untagged", &untagged, Error::UnexpectedType),
        ("tag 17", &tag17, Error::UnexpectedTag),
        ("61(17(...))", &cwt_of_17, Error::UnexpectedTag),
        ("trailing byte", &not_cbor, Error::TrailingBytes),
    ] {
        // On the wire: reported at the submods key.
        let wire = submod("nested", &item(|e| e.bytes(bad)));
        assert_eq!(
            Claims::decode(&wire),
            Err(Error::InvalidClaim { key: key::SUBMODS }),
            "{what}"
        );
        // In the builder: refused when the token is wrapped, so no claims can hold it.
        assert_eq!(NestedToken::new(bad), Err(expected), "{what}");
    }
}

// ------------------------------------------------------------------------------------------
// Builder side: Claims::check
// ------------------------------------------------------------------------------------------

#[test]
fn extra_claim_shadowing_a_known_key_is_rejected() {
    let one = RawValue::new(&[0x01]).unwrap();
    for &k in key::KNOWN {
        let extra = [(Label::Int(k), one)];
        let c = Claims {
            extra: Extra::Items(&extra),
            ..Claims::default()
        };
        assert_eq!(c.check(), Err(Error::InvalidClaim { key: k }));
        assert_eq!(c.encoded_len(), Err(Error::InvalidClaim { key: k }));
    }
}

#[test]
fn duplicate_extra_labels_are_rejected() {
    let one = RawValue::new(&[0x01]).unwrap();
    let two = RawValue::new(&[0x02]).unwrap();
    let extra = [(Label::Int(-70_000), one), (Label::Int(-70_000), two)];
    let c = Claims {
        extra: Extra::Items(&extra),
        ..Claims::default()
    };
    assert_eq!(c.check(), Err(Error::DuplicateKey));
    let extra = [(Label::Text("vendor"), one), (Label::Text("vendor"), one)];
    let c = Claims {
        extra: Extra::Items(&extra),
        ..Claims::default()
    };
    assert_eq!(c.check(), Err(Error::DuplicateKey));
    // An int and a text label that print alike are distinct.
    let extra = [(Label::Int(1000), one), (Label::Text("1000"), one)];
    let c = Claims {
        extra: Extra::Items(&extra),
        ..Claims::default()
    };
    assert_eq!(c.check(), Ok(()));
}

#[test]
fn duplicate_submodule_and_sueid_names_are_rejected_by_the_builder() {
    use ecnpp_attest::eat::List;
    let subs = [named("se", se_claims()), named("se", se_claims())];
    let c = Claims {
        submods: Some(List::Items(&subs)),
        ..Claims::default()
    };
    assert_eq!(c.check(), Err(Error::DuplicateKey));
    let sueids = [
        NamedUeid {
            name: "nic",
            ueid: Ueid::new(&UEID).unwrap(),
        },
        NamedUeid {
            name: "nic",
            ueid: Ueid::new(&UEID).unwrap(),
        },
    ];
    let c = Claims {
        sueids: Some(List::Items(&sueids)),
        ..Claims::default()
    };
    assert_eq!(c.check(), Err(Error::DuplicateKey));
}

/// The wire side reports a duplicate name at any depth as `DuplicateKey` (see
/// `duplicate_claim_key_inside_a_submodule_is_rejected`); the builder does so at the top level
/// only: one level down, `Claims::check` folds it into `InvalidClaim { key: 266 }`.
#[test]
fn duplicate_submodule_names_one_level_down_are_duplicate_keys() {
    use ecnpp_attest::eat::List;
    let subs = [named("se", se_claims()), named("se", se_claims())];
    let inner = Claims {
        submods: Some(List::Items(&subs)),
        ..Claims::default()
    };
    let outer = [named("board", inner)];
    let c = Claims {
        submods: Some(List::Items(&outer)),
        ..Claims::default()
    };
    assert_eq!(c.check(), Err(Error::DuplicateKey));
}

#[test]
fn builder_checks_oemid_lengths() {
    for bad in [
        OemId::Random(&[0; 15]),
        OemId::Ieee(&[0; 4]),
        OemId::Random(&[0; 3]),
    ] {
        let c = Claims {
            oemid: Some(bad),
            ..Claims::default()
        };
        assert_eq!(
            c.check(),
            Err(Error::InvalidClaim { key: key::OEMID }),
            "{bad:?}"
        );
    }
}

#[test]
fn invalid_raw_values_are_rejected() {
    // RawValue::new refuses anything but one valid, deterministic item.
    assert_eq!(RawValue::new(&[]), Err(Error::Truncated));
    assert_eq!(RawValue::new(&[0x01, 0x02]), Err(Error::TrailingBytes));
    assert_eq!(RawValue::new(&[0x18, 0x01]), Err(Error::NonDeterministic));
    assert_eq!(RawValue::new(&[0x5f, 0xff]), Err(Error::IndefiniteLength));
    assert_eq!(RawValue::new(&[0x62, 0xff, 0xfe]), Err(Error::InvalidUtf8));
    assert_eq!(RawValue::new(&[0x1c]), Err(Error::Malformed));
    // A value read leniently (not deterministic) and reused in a builder is re-checked there.
    // {-70001: 24(1) as 0x1801, "v": 1}
    let lenient = [
        0xa2, 0x3a, 0x00, 0x01, 0x11, 0x70, 0x18, 0x01, 0x61, 0x76, 0x01,
    ];
    let decoded = Claims::decode(&lenient).unwrap();
    let extras: Vec<(Label<'_>, RawValue<'_>)> = decoded.extra.iter().collect();
    assert_eq!(extras.len(), 2);
    assert_eq!(extras[0], (Label::Int(-70_001), extras[0].1));
    assert_eq!(extras[0].1.as_bytes(), &[0x18, 0x01]);
    let reuse = [extras[0]];
    let c = Claims {
        extra: Extra::Items(&reuse),
        ..Claims::default()
    };
    assert_eq!(c.check(), Err(Error::InvalidClaim { key: -70_001 }));
}

/// What the encoder emits must be core deterministic (DESIGN.md, "encoding we emit"). A claims
/// set decoded leniently keeps its unknown claims as received, and `Claims::check` re-validates
/// only caller-supplied extras (`Extra::Items`), so re-encoding it copies a non-deterministic
/// value into the output.
#[test]
fn re_encoding_a_leniently_decoded_claims_set_is_deterministic_or_refused() {
    // {-70001: 1 written as 0x1801}
    let lenient = [0xa1, 0x3a, 0x00, 0x01, 0x11, 0x70, 0x18, 0x01];
    let decoded = Claims::decode(&lenient).unwrap();
    match decoded.encoded_len() {
        Err(e) => assert_eq!(e, Error::InvalidClaim { key: -70_001 }),
        Ok(n) => {
            let mut out = vec![0u8; n];
            decoded.encode(&mut out).unwrap();
            assert_eq!(
                validate(&out, Mode::Strict),
                Ok(()),
                "{}",
                hex::encode(&out)
            );
        }
    }
}

#[test]
fn encode_reports_the_exact_size_when_the_buffer_is_too_small() {
    let c = standard_evidence();
    let n = c.encoded_len().unwrap();
    for short in [0, 1, n / 2, n - 1] {
        assert_eq!(
            c.encode(&mut vec![0u8; short]),
            Err(Error::BufferTooSmall { needed: n })
        );
    }
    assert_eq!(c.encode(&mut vec![0u8; n]), Ok(n));
}

// ------------------------------------------------------------------------------------------
// Newtype constructors
// ------------------------------------------------------------------------------------------

#[test]
fn newtype_constructors_reject_out_of_range_values() {
    assert_eq!(Nonce::new(&[0; 7]), Err(Error::InvalidArgument));
    assert_eq!(Nonce::new(&[0; 65]), Err(Error::InvalidArgument));
    assert!(Nonce::new(&[0; 8]).is_ok() && Nonce::new(&[0; 64]).is_ok());
    assert_eq!(Ueid::new(&[0; 6]), Err(Error::InvalidArgument));
    assert_eq!(Ueid::new(&[0; 34]), Err(Error::InvalidArgument));
    assert!(Ueid::new(&[0; 7]).is_ok() && Ueid::new(&[0; 33]).is_ok());
    assert_eq!(HwModel::new(&[]), Err(Error::InvalidArgument));
    assert_eq!(HwModel::new(&[0; 33]), Err(Error::InvalidArgument));
    assert!(HwModel::new(&[0; 1]).is_ok() && HwModel::new(&[0; 32]).is_ok());
    for n in [0, 1, 2, 4, 15, 17, 32] {
        assert_eq!(
            OemId::from_bytes(&vec![0; n]),
            Err(Error::InvalidArgument),
            "{n}"
        );
    }
    assert_eq!(DebugStatus::from_u64(5), Err(Error::InvalidArgument));
    assert_eq!(IntendedUse::from_u64(0), Err(Error::InvalidArgument));
    assert_eq!(IntendedUse::from_u64(6), Err(Error::InvalidArgument));
    assert_eq!(Promise::from_u64(0), Err(Error::InvalidArgument));
    assert_eq!(Promise::from_u64(4), Err(Error::InvalidArgument));
    assert_eq!(Lifecycle::from_u64(0), Err(Error::InvalidArgument));
    assert_eq!(Lifecycle::from_u64(5), Err(Error::InvalidArgument));
    for bad in ["", "Standard", "secure_enclave", "secure-enclave ", "gold"] {
        assert_eq!(
            Promise::from_name(bad),
            Err(Error::InvalidArgument),
            "{bad:?}"
        );
    }
}

// ------------------------------------------------------------------------------------------
// Profile: evidence
// ------------------------------------------------------------------------------------------

#[test]
fn the_fixtures_are_valid() {
    ecnpp::validate_evidence(&standard_evidence()).unwrap();
    let subs = [named("se", se_claims()), named("tee", tee_claims())];
    ecnpp::validate_evidence(&with_submods(
        standard_evidence(),
        Promise::SecureEnclave,
        &subs,
    ))
    .unwrap();
    ecnpp::validate_result(&result_claims()).unwrap();
}

#[test]
fn evidence_without_this_profile_is_wrong_profile() {
    let other_oid = {
        let mut oid = PROFILE_OID;
        oid[19] = 0x02; // the same arc, version 2
        oid
    };
    for profile in [
        None,
        Some(Profile::Uri("tag:example.com,2026:other")),
        Some(Profile::Oid(&other_oid)),
        Some(Profile::Oid(&PROFILE_OID[..19])),
    ] {
        let c = Claims {
            eat_profile: profile,
            ..standard_evidence()
        };
        assert_eq!(
            ecnpp::validate_evidence(&c),
            Err(Error::WrongProfile),
            "{profile:?}"
        );
        let c = Claims {
            eat_profile: profile,
            ..result_claims()
        };
        assert_eq!(
            ecnpp::validate_result(&c),
            Err(Error::WrongProfile),
            "{profile:?}"
        );
    }
    // The profile is checked first: an empty claims set is a wrong profile, not a missing nonce.
    assert_eq!(
        ecnpp::validate_evidence(&Claims::default()),
        Err(Error::WrongProfile)
    );
}

#[test]
fn each_claim_evidence_requires_is_reported_when_missing() {
    let base = standard_evidence();
    let cases: [(i64, Claims<'static>); 10] = [
        (
            key::NONCE,
            Claims {
                nonce: None,
                ..base
            },
        ),
        (key::UEID, Claims { ueid: None, ..base }),
        (
            key::OEMID,
            Claims {
                oemid: None,
                ..base
            },
        ),
        (
            key::HWMODEL,
            Claims {
                hwmodel: None,
                ..base
            },
        ),
        (
            key::SWNAME,
            Claims {
                swname: None,
                ..base
            },
        ),
        (
            key::SWVERSION,
            Claims {
                swversion: None,
                ..base
            },
        ),
        (
            key::OEMBOOT,
            Claims {
                oemboot: None,
                ..base
            },
        ),
        (
            key::DBGSTAT,
            Claims {
                dbgstat: None,
                ..base
            },
        ),
        (
            key::ECNPP_PP_REF,
            Claims {
                pp_ref: None,
                ..base
            },
        ),
        (
            key::ECNPP_PROMISE,
            Claims {
                promise: None,
                ..base
            },
        ),
    ];
    let signer = SigningKey::from_bytes(&[0x31; 32]).unwrap();
    for (k, c) in cases {
        let want = Error::MissingClaim { key: k };
        assert_eq!(ecnpp::validate_evidence(&c), Err(want));
        // The signing entry points refuse before any signature is made.
        let b = Sign1Builder::new();
        assert_eq!(ecnpp::evidence_len(&c, &b), Err(want));
        assert_eq!(
            ecnpp::sign_evidence(&c, &b, &signer, &mut [0u8; 1024]),
            Err(want)
        );
    }
}

#[test]
fn verifier_only_claims_in_evidence_are_invalid() {
    use ecnpp_attest::eat::List;
    let base = standard_evidence();
    let cases: [(i64, Claims<'static>); 4] = [
        (
            key::ECNPP_EVALUATED_CONFIG,
            Claims {
                evaluated_config: Some(true),
                ..base
            },
        ),
        (
            key::DLOAS,
            Claims {
                dloas: Some(List::Items(&DLOAS)),
                ..base
            },
        ),
        (
            key::MEASRES,
            Claims {
                measres: Some(List::Items(&GROUPS)),
                ..base
            },
        ),
        (
            key::ECNPP_ROBUSTNESS,
            Claims {
                robustness: Some(List::Items(&ROBUSTNESS)),
                ..base
            },
        ),
    ];
    for (k, c) in cases {
        assert_eq!(
            ecnpp::validate_evidence(&c),
            Err(Error::InvalidClaim { key: k })
        );
        assert_eq!(
            ecnpp::evidence_len(&c, &Sign1Builder::new()),
            Err(Error::InvalidClaim { key: k })
        );
    }
    // Even `evaluated-config = false` is the verifier's to say.
    let c = Claims {
        evaluated_config: Some(false),
        ..base
    };
    assert_eq!(
        ecnpp::validate_evidence(&c),
        Err(Error::InvalidClaim {
            key: key::ECNPP_EVALUATED_CONFIG
        })
    );
}

#[test]
fn secure_element_promise_needs_a_conforming_se_submodule() {
    let base = standard_evidence();
    let dbg2 = Claims {
        dbgstat: Some(DebugStatus::DisabledSinceBoot),
        ..se_claims()
    };
    let no_oemid = Claims {
        oemid: None,
        ..se_claims()
    };
    let no_hwmodel = Claims {
        hwmodel: None,
        ..se_claims()
    };
    let no_dbgstat = Claims {
        dbgstat: None,
        ..se_claims()
    };
    let with_robustness = Claims {
        robustness: Some(ecnpp_attest::eat::List::Items(&ROBUSTNESS)),
        ..se_claims()
    };
    let token = sign1_token();
    let cases: Vec<(&str, Vec<NamedSubmodule<'_>>)> = vec![
        ("no submodules", vec![]),
        ("only a tee", vec![named("tee", tee_claims())]),
        ("se with dbgstat 2", vec![named("se", dbg2)]),
        ("se without oemid", vec![named("se", no_oemid)]),
        ("se without hwmodel", vec![named("se", no_hwmodel)]),
        ("se without dbgstat", vec![named("se", no_dbgstat)]),
        (
            "se as a nested token",
            vec![NamedSubmodule {
                name: "se",
                submodule: Submodule::Token(NestedToken::new(&token).unwrap()),
            }],
        ),
        (
            "se as a detached digest",
            vec![NamedSubmodule {
                name: "se",
                submodule: Submodule::Digest {
                    alg: Label::Int(-16),
                    digest: &[0; 32],
                },
            }],
        ),
        ("SE in capitals", vec![named("SE", se_claims())]),
    ];
    // A verifier-only claim in the submodule is named precisely.
    let subs = [named("se", with_robustness)];
    assert_eq!(
        ecnpp::validate_evidence(&with_submods(base, Promise::SecureElement, &subs)),
        Err(Error::InvalidClaim {
            key: key::ECNPP_ROBUSTNESS
        })
    );
    for (what, subs) in &cases {
        let c = with_submods(base, Promise::SecureElement, subs);
        assert_eq!(
            ecnpp::validate_evidence(&c),
            Err(Error::MissingSubmodule),
            "{what}"
        );
    }
    // dbgstat 3 and 4 are both enough.
    for d in [
        DebugStatus::DisabledPermanently,
        DebugStatus::DisabledFullyAndPermanently,
    ] {
        let subs = [named(
            "se",
            Claims {
                dbgstat: Some(d),
                ..se_claims()
            },
        )];
        ecnpp::validate_evidence(&with_submods(base, Promise::SecureElement, &subs)).unwrap();
    }
}

#[test]
fn secure_enclave_promise_needs_a_tee_with_measurements_and_a_conforming_se_if_any() {
    let base = standard_evidence();
    let bare_tee = Claims {
        oemboot: Some(true),
        ..Claims::default()
    };
    let tee_with_dloas = Claims {
        dloas: Some(ecnpp_attest::eat::List::Items(&DLOAS)),
        ..tee_claims()
    };
    let bad_se = Claims {
        dbgstat: Some(DebugStatus::Disabled),
        ..se_claims()
    };
    let cases: Vec<(&str, Vec<NamedSubmodule<'_>>)> = vec![
        ("no submodules", vec![]),
        ("only an se", vec![named("se", se_claims())]),
        ("tee without measurements", vec![named("tee", bare_tee)]),
        (
            "tee with a bad se",
            vec![named("se", bad_se), named("tee", tee_claims())],
        ),
        (
            "tee as a detached digest",
            vec![NamedSubmodule {
                name: "tee",
                submodule: Submodule::Digest {
                    alg: Label::Text("sha-256"),
                    digest: &[0; 32],
                },
            }],
        ),
    ];
    // A verifier-only claim in the submodule is named precisely.
    let subs = [named("tee", tee_with_dloas)];
    assert_eq!(
        ecnpp::validate_evidence(&with_submods(base, Promise::SecureEnclave, &subs)),
        Err(Error::InvalidClaim { key: key::DLOAS })
    );
    for (what, subs) in &cases {
        let c = with_submods(base, Promise::SecureEnclave, subs);
        assert_eq!(
            ecnpp::validate_evidence(&c),
            Err(Error::MissingSubmodule),
            "{what}"
        );
    }
    // The "se" is optional for a secure enclave.
    let subs = [named("tee", tee_claims())];
    ecnpp::validate_evidence(&with_submods(base, Promise::SecureEnclave, &subs)).unwrap();
}

// ------------------------------------------------------------------------------------------
// Profile: attestation results
// ------------------------------------------------------------------------------------------

#[test]
fn each_claim_a_result_requires_is_reported_when_missing() {
    let base = result_claims();
    let cases: [(i64, Claims<'static>); 7] = [
        (key::IAT, Claims { iat: None, ..base }),
        (key::UEID, Claims { ueid: None, ..base }),
        (
            key::DLOAS,
            Claims {
                dloas: None,
                ..base
            },
        ),
        (
            key::MEASRES,
            Claims {
                measres: None,
                ..base
            },
        ),
        (
            key::ECNPP_PROMISE,
            Claims {
                promise: None,
                ..base
            },
        ),
        (
            key::ECNPP_PP_REF,
            Claims {
                pp_ref: None,
                ..base
            },
        ),
        (
            key::ECNPP_EVALUATED_CONFIG,
            Claims {
                evaluated_config: None,
                ..base
            },
        ),
    ];
    let verifier = SigningKey::from_bytes(&[0x32; 32]).unwrap();
    for (k, c) in cases {
        assert_eq!(
            ecnpp::validate_result(&c),
            Err(Error::MissingClaim { key: k })
        );
        // A relying party refuses a signed result that lacks it, although the signature is good.
        let b = Sign1Builder::new();
        let p = c.as_payload().unwrap();
        let mut token = vec![0u8; b.encoded_len(&p)];
        b.sign(&verifier, &p, &mut token).unwrap();
        assert_eq!(
            VerifiedResult::verify(&token, &verifier.verifying_key(), &ParseOptions::DEFAULT).err(),
            Some(Error::MissingClaim { key: k })
        );
    }
}

// ------------------------------------------------------------------------------------------
// Tokens, appraisal, requirements, trust anchors
// ------------------------------------------------------------------------------------------

fn sign_payload(key: &SigningKey, payload: &[u8], kid: &'static [u8]) -> Vec<u8> {
    let b = Sign1Builder::new().kid(kid);
    let mut token = vec![0u8; b.encoded_len(payload)];
    b.sign(key, payload, &mut token).unwrap();
    token
}

#[test]
fn a_token_whose_payload_is_not_a_claims_map_is_rejected() {
    let key = SigningKey::from_bytes(&[0x31; 32]).unwrap();
    let vk = key.verifying_key();
    // Payload: [1] (an array).
    let token = sign_payload(&key, &[0x81, 0x01], b"device-1");
    assert_eq!(
        VerifiedEvidence::verify(&token, &Endorsement::new(&vk, &[]), &ParseOptions::DEFAULT).err(),
        Some(Error::InvalidPayload)
    );
    assert_eq!(
        VerifiedResult::verify(&token, &vk, &ParseOptions::DEFAULT).err(),
        Some(Error::InvalidPayload)
    );
    // Payload: {262: 1}: a claim error comes through as it is.
    let token = sign_payload(&key, &[0xa1, 0x19, 0x01, 0x06, 0x01], b"device-1");
    assert_eq!(
        VerifiedEvidence::verify(&token, &Endorsement::new(&vk, &[]), &ParseOptions::DEFAULT).err(),
        Some(Error::InvalidClaim { key: key::OEMBOOT })
    );
    // Payload {262: true} with a non-shortest key: strict options refuse it.
    let token = sign_payload(&key, &[0xa1, 0x1a, 0, 0, 1, 6, 0xf5], b"device-1");
    let strict = ParseOptions {
        deterministic: true,
        ..ParseOptions::DEFAULT
    };
    assert!(
        VerifiedEvidence::verify(&token, &Endorsement::new(&vk, &[]), &ParseOptions::DEFAULT)
            .is_ok()
    );
    assert_eq!(
        VerifiedEvidence::verify(&token, &Endorsement::new(&vk, &[]), &strict).err(),
        Some(Error::NonDeterministic)
    );
}

#[test]
fn an_unknown_or_absent_kid_is_not_trusted() {
    let key = SigningKey::from_bytes(&[0x31; 32]).unwrap();
    let payload = standard_evidence();
    let mut buf = vec![0u8; 1024];
    let n = ecnpp::sign_evidence(
        &payload,
        &Sign1Builder::new().kid(b"device-9"),
        &key,
        &mut buf,
    )
    .unwrap();
    let vk = key.verifying_key();
    let anchors = [
        Endorsement::new(&vk, &X1).kid(b"device-1"),
        Endorsement::new(&vk, &X1).kid(b"device-90"),
    ];
    assert_eq!(
        VerifiedEvidence::verify_with_endorsements(&buf[..n], &anchors, &ParseOptions::DEFAULT)
            .err(),
        Some(Error::KeyNotTrusted)
    );
    assert_eq!(
        VerifiedEvidence::verify_with_endorsements::<ecnpp_attest::crypto::VerifyingKey>(
            &buf[..n],
            &[],
            &ParseOptions::DEFAULT
        )
        .err(),
        Some(Error::KeyNotTrusted)
    );
    // No kid at all.
    let n = ecnpp::sign_evidence(&payload, &Sign1Builder::new(), &key, &mut buf).unwrap();
    assert_eq!(
        VerifiedEvidence::verify_with_endorsements(&buf[..n], &anchors, &ParseOptions::DEFAULT)
            .err(),
        Some(Error::KeyNotTrusted)
    );
    // A trusted kid naming another key: the signature does not verify.
    let other = SigningKey::from_bytes(&[0x33; 32]).unwrap();
    let n = ecnpp::sign_evidence(
        &payload,
        &Sign1Builder::new().kid(b"device-1"),
        &other,
        &mut buf,
    )
    .unwrap();
    assert_eq!(
        VerifiedEvidence::verify_with_endorsements(&buf[..n], &anchors, &ParseOptions::DEFAULT)
            .err(),
        Some(Error::VerificationFailed)
    );
}

const REFS: [Measurement<'static>; 1] = MEAS;
/// The device key's endorsement: the model of `certified`.
const X1: [Model<'static>; 1] = [Model {
    oemid: OemId::Ieee(&OEM),
    hwmodel: b"edge-node-x1",
}];

fn certified(promise: Promise) -> [CertifiedConfig<'static>; 1] {
    [CertifiedConfig {
        oemid: OemId::Ieee(&OEM),
        hwmodel: b"edge-node-x1",
        swname: "edge-os",
        swversion: "4.2.1",
        promise,
        pp_ref: PP_REF_V1_0_7,
        certificate: "NSCIB-CC-0000001",
        se_robustness: &ROBUSTNESS,
        tee_robustness: &[],
        reference_measurements: &REFS,
    }]
}

/// Signs `claims` as plain COSE (bypassing the evidence rules) and appraises them.
fn appraise_claims(claims: &Claims<'_>, certified: &[CertifiedConfig<'static>]) -> TrustStatus {
    let key = SigningKey::from_bytes(&[0x31; 32]).unwrap();
    let b = Sign1Builder::new();
    let p = claims.as_payload().unwrap();
    let mut token = vec![0u8; b.encoded_len(&p)];
    b.sign(&key, &p, &mut token).unwrap();
    let vk = key.verifying_key();
    let endorsement = Endorsement::new(&vk, &X1);
    let evidence = VerifiedEvidence::verify(&token, &endorsement, &ParseOptions::DEFAULT).unwrap();
    let policy = Policy::new(
        Challenge {
            nonce: &NONCE,
            issued_at: NOW - 10,
        },
        NOW,
        certified,
        "https://verifier.example",
    );
    let r = appraise(&evidence, &policy);
    let verifier = SigningKey::from_bytes(&[0x32; 32]).unwrap();
    let b = Sign1Builder::new();
    let signed = r.sign(&b, &verifier, &mut [0u8; 2048]);
    let len = r.token_len(&b);
    match r.status() {
        TrustStatus::Contraindicated => {
            assert_eq!(signed, Err(Error::ResultContraindicated));
            assert_eq!(len, Err(Error::ResultContraindicated));
        }
        _ => assert_eq!(signed.unwrap(), len.unwrap()),
    }
    r.status()
}

#[test]
fn contraindicated_results_are_not_issued_as_tokens() {
    let cfg = certified(Promise::Standard);
    assert_eq!(
        appraise_claims(&standard_evidence(), &cfg),
        TrustStatus::Affirming
    );
    // Debug enabled: contraindicated.
    let c = Claims {
        dbgstat: Some(DebugStatus::Enabled),
        ..standard_evidence()
    };
    assert_eq!(appraise_claims(&c, &cfg), TrustStatus::Contraindicated);
    // Not on the allow-list: contraindicated (and no promise to corroborate).
    assert_eq!(
        appraise_claims(&standard_evidence(), &[]),
        TrustStatus::Contraindicated
    );
    // Decommissioned: contraindicated; maintenance: only a warning, still issued.
    let c = Claims {
        lifecycle: Some(Lifecycle::Decommissioned),
        ..standard_evidence()
    };
    assert_eq!(appraise_claims(&c, &cfg), TrustStatus::Contraindicated);
    let c = Claims {
        lifecycle: Some(Lifecycle::Maintenance),
        ..standard_evidence()
    };
    assert_eq!(appraise_claims(&c, &cfg), TrustStatus::Warning);
    // Evidence breaking the profile's rules (verifier-only claim): contraindicated.
    let c = Claims {
        evaluated_config: Some(true),
        ..standard_evidence()
    };
    assert_eq!(appraise_claims(&c, &cfg), TrustStatus::Contraindicated);
}

#[test]
fn reasons_name_each_failed_check() {
    let key = SigningKey::from_bytes(&[0x31; 32]).unwrap();
    let c = Claims {
        dbgstat: Some(DebugStatus::Enabled),
        oemboot: Some(false),
        ..standard_evidence()
    };
    let p = c.as_payload().unwrap();
    let b = Sign1Builder::new();
    let mut token = vec![0u8; b.encoded_len(&p)];
    b.sign(&key, &p, &mut token).unwrap();
    let vk = key.verifying_key();
    let endorsement = Endorsement::new(&vk, &X1);
    let evidence = VerifiedEvidence::verify(&token, &endorsement, &ParseOptions::DEFAULT).unwrap();
    let cfg = certified(Promise::Standard);
    let policy = Policy::new(
        Challenge {
            nonce: b"another-challenge",
            issued_at: NOW - 1000,
        },
        NOW,
        &cfg,
        "https://verifier.example",
    );
    let r = appraise(&evidence, &policy);
    let want = Reasons::NONCE_MISMATCH
        | Reasons::CHALLENGE_EXPIRED
        | Reasons::OEMBOOT_FAILED
        | Reasons::DEBUG_ENABLED;
    assert_eq!(r.reasons(), want);
    assert_eq!(
        r.reasons().names().collect::<Vec<_>>(),
        [
            "nonce-mismatch",
            "challenge-expired",
            "oemboot-failed",
            "debug-enabled"
        ]
    );
    assert_eq!(r.status(), TrustStatus::Contraindicated);
    assert!(!r.evaluated_config());
}

#[test]
fn requirement_parse_errors() {
    for bad in [
        "",
        " ",
        ",",
        "evaluated",
        "max-age=300",
        "promise>=",
        "promise>=gold",
        "promise>=Secure-Enclave",
        "promise>secure-enclave",
        "promise=secure-enclave",
        "promise>=standard,",
        "promise>=standard,,evaluated",
        "promise>=standard,promise>=secure-element",
        "promise>=standard,evaluated,evaluated",
        "promise>=standard,max-age=1,max-age=2",
        "promise>=standard,max-age=",
        "promise>=standard,max-age=x",
        "promise>=standard,max-age=-1",
        "promise>=standard,max-age=1.5",
        "promise>=standard,max-age=18446744073709551616",
        "promise>=standard;evaluated",
        "promise>=standard,evaluated=true",
        "promise>=standard,foo",
    ] {
        assert_eq!(
            Requirement::parse(bad),
            Err(Error::InvalidArgument),
            "{bad:?}"
        );
    }
    // Spaces around terms and after `=` are tolerated, order is free; a space before `=` is not.
    assert_eq!(
        Requirement::parse("promise >= standard"),
        Err(Error::InvalidArgument)
    );
    assert_eq!(
        Requirement::parse("promise>=standard, max-age = 60"),
        Err(Error::InvalidArgument)
    );
    let r = Requirement::parse(" max-age= 60 , evaluated,promise>= secure-element ").unwrap();
    assert_eq!(r.max_age, Some(60));
    assert_eq!(r.min_promise, Promise::SecureElement);
    assert!(r.evaluated_config);
}

#[test]
fn strictness_of_the_helpers_used_here() {
    // The hand-built maps above are themselves deterministic, so a rejection is never due to
    // the encoding of the test input.
    let sample = map1(key::NONCE, &bstr(7));
    assert_eq!(validate(&sample, Mode::Strict), Ok(()));
}

/// `docs/profile.md` (sections 8 and 9) forbids verifier-only claims in evidence at any depth.
/// `validate_evidence` checks the top level and the `"se"` and `"tee"` submodules only, so a
/// device can still self-assert, say, a letter of approval or an evaluated-configuration verdict
/// inside a submodule of another name.
#[test]
fn verifier_only_claims_in_any_evidence_submodule_are_invalid() {
    use ecnpp_attest::eat::List;
    let board = Claims {
        dloas: Some(List::Items(&DLOAS)),
        ..Claims::default()
    };
    let subs = [named("board", board)];
    let c = with_submods(standard_evidence(), Promise::Standard, &subs);
    assert_eq!(
        ecnpp::validate_evidence(&c),
        Err(Error::InvalidClaim { key: key::DLOAS })
    );
    let verdict = Claims {
        evaluated_config: Some(true),
        ..Claims::default()
    };
    let subs = [named("se", se_claims()), named("x", verdict)];
    let c = with_submods(standard_evidence(), Promise::SecureElement, &subs);
    assert_eq!(
        ecnpp::validate_evidence(&c),
        Err(Error::InvalidClaim {
            key: key::ECNPP_EVALUATED_CONFIG
        })
    );
}

/// `docs/profile.md` section 11: `max-age` is `1*DIGIT`. `Requirement::parse` reads it with
/// `u64::from_str`, which also takes a leading `+`.
#[test]
fn requirement_max_age_is_digits_only() {
    assert_eq!(
        Requirement::parse("promise>=standard,max-age=+5"),
        Err(Error::InvalidArgument)
    );
}
