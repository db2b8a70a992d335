//! End to end, per promise level: a device builds and signs ECN PP evidence, a verifier verifies
//! and appraises it against a policy and signs a result, a relying party verifies the result and
//! admits or refuses a workload. Then every refusal the profile defines, each with its reason.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use ecnpp_attest::Error;
use ecnpp_attest::appraise::{
    CertifiedConfig, Challenge, Policy, Reasons, Requirement, TrustStatus, VerifiedResult, appraise,
};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder};
use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::eat::{
    Claims, DebugStatus, HwModel, List, Measurement, NamedSubmodule, Nonce, NonceClaim, OemId,
    Submodule, Ueid, Version,
};
use ecnpp_attest::eat::{Lifecycle, Promise, Robustness};
use ecnpp_attest::ecnpp::{self, Endorsement, Model, PP_REF_V1_0_7, PROFILE, VerifiedEvidence};

const NOW: i64 = 1_790_000_000;
const CHALLENGE: [u8; 16] = *b"challenge-000001";
const OEM: [u8; 3] = [0x00, 0x1b, 0x44];
const MODEL: &[u8] = b"edge-node-x1";
const SE_MODEL: &[u8] = b"se-050";
const FW: [u8; 32] = [0x11; 32];
const TEE_FW: [u8; 32] = [0x22; 32];
const UEID: [u8; 17] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
const SHA256_FORMAT: u16 = 0; // content format of a raw digest, for these tests
/// What the device key is endorsed for: its own model.
const MODELS: [Model<'static>; 1] = [Model {
    oemid: OemId::Ieee(&OEM),
    hwmodel: MODEL,
}];

const REFS: [Measurement<'static>; 2] = [
    Measurement {
        content_type: SHA256_FORMAT,
        content: &FW,
    },
    Measurement {
        content_type: SHA256_FORMAT,
        content: &TEE_FW,
    },
];
const REFS_NO_TEE: [Measurement<'static>; 1] = [Measurement {
    content_type: SHA256_FORMAT,
    content: &FW,
}];
const SE_ROB: [Robustness<'static>; 1] = [Robustness {
    scheme: "FIPS140-3",
    level: "3",
}];

fn certified(
    promise: Promise,
    references: &'static [Measurement<'static>],
) -> [CertifiedConfig<'static>; 1] {
    [CertifiedConfig {
        oemid: OemId::Ieee(&OEM),
        hwmodel: MODEL,
        swname: "edge-os",
        swversion: "4.2.1",
        promise,
        pp_ref: PP_REF_V1_0_7,
        certificate: "NSCIB-CC-0000001",
        se_robustness: &SE_ROB,
        tee_robustness: &[],
        reference_measurements: references,
    }]
}

struct Device {
    promise: Promise,
    nonce: &'static [u8],
    profile_ok: bool,
    dbgstat: DebugStatus,
    fw: &'static [u8],
    with_se: bool,
    with_tee: bool,
}

impl Device {
    fn new(promise: Promise) -> Self {
        Self {
            promise,
            nonce: &CHALLENGE,
            profile_ok: true,
            dbgstat: DebugStatus::DisabledPermanently,
            fw: &FW,
            with_se: promise >= Promise::SecureElement,
            with_tee: promise == Promise::SecureEnclave,
        }
    }

    /// Builds the claims and signs them; returns the token.
    fn evidence(&self, key: &SigningKey) -> Vec<u8> {
        let measurements = [Measurement {
            content_type: SHA256_FORMAT,
            content: self.fw,
        }];
        let tee_measurements = [Measurement {
            content_type: SHA256_FORMAT,
            content: &TEE_FW,
        }];
        let se = Claims {
            oemid: Some(OemId::Ieee(&OEM)),
            hwmodel: Some(HwModel::new(SE_MODEL).unwrap()),
            dbgstat: Some(DebugStatus::DisabledFullyAndPermanently),
            ..Claims::default()
        };
        let tee = Claims {
            measurements: Some(List::Items(&tee_measurements)),
            ..Claims::default()
        };
        let mut subs = Vec::new();
        if self.with_se {
            subs.push(NamedSubmodule {
                name: "se",
                submodule: Submodule::Claims(se),
            });
        }
        if self.with_tee {
            subs.push(NamedSubmodule {
                name: "tee",
                submodule: Submodule::Claims(tee),
            });
        }
        let other_profile = ecnpp_attest::eat::Profile::Uri("tag:example.com,2026:other");
        let claims = Claims {
            eat_profile: Some(if self.profile_ok {
                PROFILE
            } else {
                other_profile
            }),
            nonce: Some(NonceClaim::One(Nonce::new(self.nonce).unwrap())),
            ueid: Some(Ueid::new(&UEID).unwrap()),
            oemid: Some(OemId::Ieee(&OEM)),
            hwmodel: Some(HwModel::new(MODEL).unwrap()),
            swname: Some("edge-os"),
            swversion: Some(Version {
                version: "4.2.1",
                scheme: None,
            }),
            oemboot: Some(true),
            dbgstat: Some(self.dbgstat),
            iat: Some(NOW - 5),
            measurements: Some(List::Items(&measurements)),
            promise: Some(self.promise),
            pp_ref: Some(PP_REF_V1_0_7),
            lifecycle: Some(Lifecycle::Operational),
            svn: Some(7),
            submods: if subs.is_empty() {
                None
            } else {
                Some(List::Items(&subs))
            },
            ..Claims::default()
        };
        let builder = Sign1Builder::new().kid(b"device-1");
        // Heap-free path: the size query, then signing into a caller buffer.
        let mut buf = vec![0u8; 1024];
        if self.profile_ok && ecnpp::validate_evidence(&claims).is_ok() {
            let len = ecnpp::evidence_len(&claims, &builder).unwrap();
            let n = ecnpp::sign_evidence(&claims, &builder, key, &mut buf).unwrap();
            assert_eq!(n, len);
            buf.truncate(n);
        } else {
            // A device of another profile, or one that breaks its rules, signs its claims as
            // plain COSE: sign_evidence would refuse them.
            if self.profile_ok {
                assert_eq!(
                    ecnpp::sign_evidence(&claims, &builder, key, &mut buf),
                    Err(Error::MissingSubmodule)
                );
            }
            let n = builder
                .sign(key, &claims.as_payload().unwrap(), &mut buf)
                .unwrap();
            buf.truncate(n);
        }
        buf
    }
}

struct Verdict {
    status: TrustStatus,
    reasons: Reasons,
    promise: Option<Promise>,
    admitted_enclave: Option<bool>,
    admitted_standard: Option<bool>,
}

fn run(device: &Device, certified_promise: Promise, challenge_issued: i64) -> Verdict {
    let device_key = SigningKey::from_bytes(&[0x31; 32]).unwrap();
    let verifier_key = SigningKey::from_bytes(&[0x32; 32]).unwrap();
    let token = device.evidence(&device_key);

    // Verifier: select the endorsed key by kid, verify, appraise.
    let device_pub = device_key.verifying_key();
    let endorsements = [Endorsement::new(&device_pub, &MODELS).kid(b"device-1")];
    let evidence =
        VerifiedEvidence::verify_with_endorsements(&token, &endorsements, &ParseOptions::DEFAULT)
            .unwrap();
    // The certified configuration's reference values cover what the device runs.
    let certified = certified(
        certified_promise,
        if device.with_tee { &REFS } else { &REFS_NO_TEE },
    );
    let policy = Policy::new(
        Challenge {
            nonce: &CHALLENGE,
            issued_at: challenge_issued,
        },
        NOW,
        &certified,
        "https://verifier.example",
    );
    let result = appraise(&evidence, &policy);

    // Sign the result (only non-contraindicated results are issued).
    let builder = Sign1Builder::new();
    let mut out = vec![0u8; 1024];
    let (admitted_enclave, admitted_standard) = match result.sign(&builder, &verifier_key, &mut out)
    {
        Ok(n) => {
            assert_eq!(n, result.token_len(&builder).unwrap());
            let rp = VerifiedResult::verify(
                &out[..n],
                &verifier_key.verifying_key(),
                &ParseOptions::DEFAULT,
            )
            .unwrap();
            assert_eq!(rp.promise(), result.promise());
            assert_eq!(rp.evaluated_config(), result.evaluated_config());
            let confidential =
                Requirement::parse("promise>=secure-enclave,evaluated,max-age=300").unwrap();
            let basic = Requirement::parse("promise>=standard").unwrap();
            // A result older than the requirement allows is refused.
            assert!(confidential.admits(&rp, NOW + 301).too_old);
            (
                Some(confidential.admits(&rp, NOW + 10).admitted()),
                Some(basic.admits(&rp, NOW + 10).admitted()),
            )
        }
        Err(e) => {
            assert_eq!(e, Error::ResultContraindicated);
            assert_eq!(result.status(), TrustStatus::Contraindicated);
            (None, None)
        }
    };
    Verdict {
        status: result.status(),
        reasons: result.reasons(),
        promise: result.promise(),
        admitted_enclave,
        admitted_standard,
    }
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn secure_enclave_device_is_admitted_for_confidential_workloads() {
    let v = run(
        &Device::new(Promise::SecureEnclave),
        Promise::SecureEnclave,
        NOW - 10,
    );
    assert_eq!(v.reasons, Reasons::NONE);
    assert_eq!(v.status, TrustStatus::Affirming);
    assert_eq!(v.promise, Some(Promise::SecureEnclave));
    assert_eq!(v.admitted_enclave, Some(true));
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn secure_element_device_is_affirmed_but_not_for_enclave_workloads() {
    let v = run(
        &Device::new(Promise::SecureElement),
        Promise::SecureElement,
        NOW - 10,
    );
    assert_eq!(v.status, TrustStatus::Affirming, "{:?}", v.reasons);
    assert_eq!(v.promise, Some(Promise::SecureElement));
    assert_eq!(v.admitted_enclave, Some(false));
    assert_eq!(v.admitted_standard, Some(true));
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn standard_device_is_affirmed_for_standard_workloads() {
    let v = run(&Device::new(Promise::Standard), Promise::Standard, NOW - 10);
    assert_eq!(v.status, TrustStatus::Affirming, "{:?}", v.reasons);
    assert_eq!(v.admitted_enclave, Some(false));
    assert_eq!(v.admitted_standard, Some(true));
}

fn refused(device: &Device, certified: Promise, issued: i64, reason: Reasons) {
    let v = run(device, certified, issued);
    assert!(
        v.reasons.contains(reason),
        "expected {reason:?}, got {:?}",
        v.reasons
    );
    assert_ne!(v.admitted_enclave, Some(true));
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn stale_challenge_is_refused() {
    refused(
        &Device::new(Promise::SecureEnclave),
        Promise::SecureEnclave,
        NOW - 3600,
        Reasons::CHALLENGE_EXPIRED,
    );
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn replayed_token_is_refused() {
    // The token answers an earlier challenge; the verifier now expects another nonce.
    let mut d = Device::new(Promise::SecureEnclave);
    d.nonce = b"challenge-000000";
    refused(
        &d,
        Promise::SecureEnclave,
        NOW - 10,
        Reasons::NONCE_MISMATCH,
    );
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn wrong_profile_is_refused() {
    let mut d = Device::new(Promise::SecureEnclave);
    d.profile_ok = false;
    refused(&d, Promise::SecureEnclave, NOW - 10, Reasons::WRONG_PROFILE);
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn uncertified_model_is_refused() {
    let device_key = SigningKey::from_bytes(&[0x31; 32]).unwrap();
    let token = Device::new(Promise::SecureEnclave).evidence(&device_key);
    let device_pub = device_key.verifying_key();
    let endorsement = Endorsement::new(&device_pub, &MODELS);
    let evidence = VerifiedEvidence::verify(&token, &endorsement, &ParseOptions::DEFAULT).unwrap();
    let mut certified = certified(Promise::SecureEnclave, &REFS);
    certified[0].hwmodel = b"edge-node-x2";
    let policy = Policy::new(
        Challenge {
            nonce: &CHALLENGE,
            issued_at: NOW,
        },
        NOW,
        &certified,
        "https://verifier.example",
    );
    let r = appraise(&evidence, &policy);
    assert!(r.reasons().contains(Reasons::UNCERTIFIED_CONFIG));
    assert_eq!(r.status(), TrustStatus::Contraindicated);
    assert_eq!(r.promise(), None);
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn debug_enabled_is_refused() {
    let mut d = Device::new(Promise::SecureEnclave);
    d.dbgstat = DebugStatus::Enabled;
    refused(&d, Promise::SecureEnclave, NOW - 10, Reasons::DEBUG_ENABLED);
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn measurement_mismatch_is_refused() {
    let mut d = Device::new(Promise::SecureEnclave);
    d.fw = &[0x99; 32];
    refused(
        &d,
        Promise::SecureEnclave,
        NOW - 10,
        Reasons::MEASUREMENT_MISMATCH,
    );
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn missing_tee_submodule_is_refused() {
    let mut d = Device::new(Promise::SecureEnclave);
    d.with_tee = false;
    refused(
        &d,
        Promise::SecureEnclave,
        NOW - 10,
        Reasons::SUBMODULE_MISSING,
    );
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn missing_se_submodule_is_refused() {
    let mut d = Device::new(Promise::SecureElement);
    d.with_se = false;
    refused(
        &d,
        Promise::SecureElement,
        NOW - 10,
        Reasons::SUBMODULE_MISSING,
    );
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn promise_above_certified_is_downgraded_with_a_warning() {
    let v = run(
        &Device::new(Promise::SecureEnclave),
        Promise::SecureElement,
        NOW - 10,
    );
    assert_eq!(v.status, TrustStatus::Warning);
    assert_eq!(v.reasons, Reasons::PROMISE_ABOVE_CERTIFIED);
    assert_eq!(v.promise, Some(Promise::SecureElement));
    assert_eq!(v.admitted_enclave, Some(false));
    assert_eq!(v.admitted_standard, Some(true));
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn evidence_rules_are_checked_before_signing() {
    let key = SigningKey::from_bytes(&[0x31; 32]).unwrap();
    let claims = Claims {
        eat_profile: Some(PROFILE),
        ..Claims::default()
    };
    let mut buf = [0u8; 512];
    assert_eq!(
        ecnpp::sign_evidence(&claims, &Sign1Builder::new(), &key, &mut buf),
        Err(Error::MissingClaim {
            key: ecnpp_attest::eat::key::NONCE
        })
    );
    let no_profile = Claims::default();
    assert_eq!(
        ecnpp::sign_evidence(&no_profile, &Sign1Builder::new(), &key, &mut buf),
        Err(Error::WrongProfile)
    );
}

#[test]
#[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
fn untrusted_kid_is_refused() {
    let device_key = SigningKey::from_bytes(&[0x31; 32]).unwrap();
    let token = Device::new(Promise::Standard).evidence(&device_key);
    let device_pub = device_key.verifying_key();
    let endorsements = [Endorsement::new(&device_pub, &MODELS).kid(b"device-2")];
    assert_eq!(
        VerifiedEvidence::verify_with_endorsements(&token, &endorsements, &ParseOptions::DEFAULT)
            .err(),
        Some(Error::KeyNotTrusted)
    );
}

#[test]
fn requirement_parsing() {
    let r = Requirement::parse("evaluated, promise>=secure-element").unwrap();
    assert_eq!(r.min_promise, Promise::SecureElement);
    assert!(r.evaluated_config);
    assert_eq!(r.max_age, None);
    for bad in [
        "",
        "evaluated",
        "promise>=gold",
        "promise>=standard,promise>=standard",
        "max-age=x,promise>=standard",
        "foo",
    ] {
        assert_eq!(
            Requirement::parse(bad),
            Err(Error::InvalidArgument),
            "{bad}"
        );
    }
}
