//! The verdict cannot be bent: every input here is signed with a real ES256 key and tries to get
//! a better verdict than it deserves (a profile without rules, a promise without its proof, a key
//! vouching for a model it was not endorsed for, a device's own PP reference, a result passed off
//! as evidence and the reverse). Then a property test over generated evidence, endorsements and
//! policies checks the verdict against an oracle written here from docs/profile.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::too_many_lines,
    missing_docs
)]

use ecnpp_attest::Error;
use ecnpp_attest::appraise::{
    CertifiedConfig, Challenge, Policy, Reasons, TrustStatus, VerifiedResult, appraise,
};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder};
use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::eat::{
    Claims, DebugStatus, Dloa, HwModel, Label, List, Measurement, NamedSubmodule, NestedToken,
    Nonce, NonceClaim, OemId, Profile, Promise, Submodule, Ueid, Version,
};
use ecnpp_attest::ecnpp::{
    self, Endorsement, Model, PP_REF_V1_0_7, PROFILE, RESULT_PROFILE, VerifiedEvidence,
};
use proptest::prelude::*;

const NOW: i64 = 1_790_000_000;
const CHALLENGE: [u8; 16] = *b"challenge-000001";
const OEM: [u8; 3] = [0x00, 0x1b, 0x44];
const FW: [u8; 32] = [0x11; 32];
const TEE_FW: [u8; 32] = [0x22; 32];
const UEID_A: [u8; 9] = [1, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7];
const UEID_B: [u8; 9] = [1, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7];
const MODEL_X1: &[u8] = b"edge-node-x1";
const MODEL_S1: &[u8] = b"edge-node-s1";
const REFS: [Measurement<'static>; 2] = [
    Measurement {
        content_type: 0,
        content: &FW,
    },
    Measurement {
        content_type: 0,
        content: &TEE_FW,
    },
];
const OTHER_PROFILE: Profile<'static> = Profile::Uri("tag:example.com,2026:other-profile");

/// How the evidence gives its `"se"` submodule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Se {
    /// A claims set meeting the secure-element rules.
    Valid,
    /// A claims set with debug enabled (breaking its rules).
    DebugEnabled,
    /// A detached digest: its claims cannot be read.
    Digest,
    /// A nested token: its claims are not read.
    Token,
}

/// Everything an attacker controls in the evidence it signs.
#[derive(Clone, Debug)]
struct Shape {
    profile: Profile<'static>,
    hwmodel: &'static [u8],
    ueid: &'static [u8],
    claimed: Promise,
    pp_ref: &'static str,
    /// `"se"` submodule, if any.
    se: Option<Se>,
    /// `"tee"` submodule: absent, with measurements, or empty.
    tee: Option<bool>,
    /// Self-asserted verifier claims (evaluated-config, dloas).
    verifier_claims: bool,
}

impl Shape {
    fn honest(claimed: Promise) -> Self {
        Self {
            profile: PROFILE,
            hwmodel: MODEL_X1,
            ueid: &UEID_A,
            claimed,
            pp_ref: PP_REF_V1_0_7,
            se: (claimed >= Promise::SecureElement).then_some(Se::Valid),
            tee: (claimed == Promise::SecureEnclave).then_some(true),
            verifier_claims: false,
        }
    }

    /// Signs the shape with `key` as plain COSE (what any holder of the key can do, whether or
    /// not `sign_evidence` would accept the claims).
    fn sign(&self, key: &SigningKey) -> Vec<u8> {
        let fw = [REFS[0]];
        let tee_fw = [REFS[1]];
        let se = Claims {
            oemid: Some(OemId::Ieee(&OEM)),
            hwmodel: Some(HwModel::new(b"se-050").unwrap()),
            dbgstat: Some(if self.se == Some(Se::Valid) {
                DebugStatus::DisabledFullyAndPermanently
            } else {
                DebugStatus::Enabled
            }),
            ..Claims::default()
        };
        let tee = Claims {
            measurements: (self.tee == Some(true)).then_some(List::Items(&tee_fw)),
            svn: Some(1),
            ..Claims::default()
        };
        let mut nested = [0u8; 128];
        let n = Sign1Builder::new()
            .sign(key, &[0xa0u8][..], &mut nested)
            .unwrap();
        let mut subs = Vec::new();
        if let Some(form) = self.se {
            subs.push(NamedSubmodule {
                name: "se",
                submodule: match form {
                    Se::Valid | Se::DebugEnabled => Submodule::Claims(se),
                    Se::Digest => Submodule::Digest {
                        alg: Label::Int(-16),
                        digest: &[0; 32],
                    },
                    Se::Token => Submodule::Token(NestedToken::new(&nested[..n]).unwrap()),
                },
            });
        }
        if self.tee.is_some() {
            subs.push(NamedSubmodule {
                name: "tee",
                submodule: Submodule::Claims(tee),
            });
        }
        let dloas = [Dloa {
            registrar: "https://self.example",
            platform: "SELF-ASSERTED",
            application: None,
        }];
        let claims = Claims {
            eat_profile: Some(self.profile),
            nonce: Some(NonceClaim::One(Nonce::new(&CHALLENGE).unwrap())),
            ueid: Some(Ueid::new(self.ueid).unwrap()),
            oemid: Some(OemId::Ieee(&OEM)),
            hwmodel: Some(HwModel::new(self.hwmodel).unwrap()),
            swname: Some("edge-os"),
            swversion: Some(Version {
                version: "4.2.1",
                scheme: None,
            }),
            oemboot: Some(true),
            dbgstat: Some(DebugStatus::DisabledPermanently),
            iat: Some(NOW - 5),
            measurements: Some(List::Items(&fw)),
            promise: Some(self.claimed),
            pp_ref: Some(self.pp_ref),
            evaluated_config: self.verifier_claims.then_some(true),
            dloas: self.verifier_claims.then_some(List::Items(&dloas)),
            submods: (!subs.is_empty()).then_some(List::Items(&subs)),
            ..Claims::default()
        };
        let builder = Sign1Builder::new().kid(b"device-1");
        let mut buf = vec![0u8; 1024];
        let n = builder
            .sign(key, &claims.as_payload().unwrap(), &mut buf)
            .unwrap();
        buf.truncate(n);
        buf
    }
}

fn device_key() -> SigningKey {
    SigningKey::from_bytes(&[0x31; 32]).unwrap()
}

fn verifier_key() -> SigningKey {
    SigningKey::from_bytes(&[0x32; 32]).unwrap()
}

fn config(hwmodel: &'static [u8], promise: Promise) -> CertifiedConfig<'static> {
    CertifiedConfig {
        oemid: OemId::Ieee(&OEM),
        hwmodel,
        swname: "edge-os",
        swversion: "4.2.1",
        promise,
        pp_ref: PP_REF_V1_0_7,
        certificate: "NSCIB-CC-0000001",
        se_robustness: &[],
        tee_robustness: &[],
        // A TEE's reference value belongs to configurations certified with one.
        reference_measurements: if promise == Promise::SecureEnclave {
            &REFS
        } else {
            &REFS[..1]
        },
    }
}

fn policy<'a>(certified: &'a [CertifiedConfig<'a>]) -> Policy<'a> {
    Policy::new(
        Challenge {
            nonce: &CHALLENGE,
            issued_at: NOW - 10,
        },
        NOW,
        certified,
        "https://verifier.example",
    )
}

const X1: [Model<'static>; 1] = [Model {
    oemid: OemId::Ieee(&OEM),
    hwmodel: MODEL_X1,
}];

/// Verifies `token` under `endorsement` and appraises it; returns status, reasons, promise,
/// evaluated and whether a result token could be issued.
fn verdict(
    token: &[u8],
    endorsement: &Endorsement<'_>,
    certified: &[CertifiedConfig<'_>],
) -> (TrustStatus, Reasons, Option<Promise>, bool, bool) {
    let evidence = VerifiedEvidence::verify(token, endorsement, &ParseOptions::DEFAULT).unwrap();
    let r = appraise(&evidence, &policy(certified));
    let mut out = [0u8; 1024];
    let issued = r.sign(&Sign1Builder::new(), &verifier_key(), &mut out);
    if issued.is_err() {
        assert_eq!(issued, Err(Error::ResultContraindicated));
    }
    (
        r.status(),
        r.reasons(),
        r.promise(),
        r.evaluated_config(),
        issued.is_ok(),
    )
}

#[test]
fn a_profile_without_rules_cannot_be_accepted() {
    let certified = [config(MODEL_X1, Promise::SecureEnclave)];
    let p = policy(&certified);
    assert_eq!(
        p.accept_profiles(&[PROFILE, OTHER_PROFILE]).err(),
        Some(Error::ProfileWithoutRules)
    );
    assert_eq!(
        p.accept_profiles(&[RESULT_PROFILE]).err(),
        Some(Error::ProfileWithoutRules),
        "the result profile has no evidence rules"
    );
    assert_eq!(p.accept_profiles(&[]).err(), Some(Error::InvalidPolicy));
    let ok = p.accept_profiles(&[PROFILE]).unwrap();
    assert_eq!(ok.accepted_profiles(), &[PROFILE]);
}

#[test]
#[cfg_attr(miri, ignore)] // ES256
fn another_profile_gets_no_verdict_without_rules() {
    // The attack of the review: another profile, a secure-enclave claim with no submodules and
    // self-asserted verifier claims. Under the old rules this was affirming.
    let key = device_key();
    let vk = key.verifying_key();
    let shape = Shape {
        profile: OTHER_PROFILE,
        se: None,
        tee: None,
        verifier_claims: true,
        ..Shape::honest(Promise::SecureEnclave)
    };
    let certified = [config(MODEL_X1, Promise::SecureEnclave)];
    let (status, reasons, promise, evaluated, issued) =
        verdict(&shape.sign(&key), &Endorsement::new(&vk, &X1), &certified);
    assert_eq!(status, TrustStatus::Contraindicated);
    assert!(reasons.contains(Reasons::WRONG_PROFILE), "{reasons:?}");
    assert!(reasons.contains(Reasons::PROMISE_NOT_SHOWN), "{reasons:?}");
    assert_eq!(promise, None);
    assert!(!evaluated && !issued);
}

#[test]
#[cfg_attr(miri, ignore)] // ES256
fn self_asserted_verifier_claims_are_refused() {
    let key = device_key();
    let vk = key.verifying_key();
    let shape = Shape {
        verifier_claims: true,
        ..Shape::honest(Promise::SecureEnclave)
    };
    let certified = [config(MODEL_X1, Promise::SecureEnclave)];
    let (status, reasons, _, evaluated, issued) =
        verdict(&shape.sign(&key), &Endorsement::new(&vk, &X1), &certified);
    assert_eq!(status, TrustStatus::Contraindicated);
    assert!(reasons.contains(Reasons::EVIDENCE_INCOMPLETE));
    assert!(!evaluated && !issued);
}

#[test]
#[cfg_attr(miri, ignore)] // ES256
fn over_claiming_does_not_earn_the_lower_promise_without_its_proof() {
    // Certified secure element; claims secure enclave with only a "tee": capped to secure
    // element, which needs an "se" the evidence never showed.
    let key = device_key();
    let vk = key.verifying_key();
    let shape = Shape {
        se: None,
        ..Shape::honest(Promise::SecureEnclave)
    };
    // The lab's reference values cover everything the device measures, TEE included.
    let mut certified = [config(MODEL_X1, Promise::SecureElement)];
    certified[0].reference_measurements = &REFS;
    let (status, reasons, promise, evaluated, issued) =
        verdict(&shape.sign(&key), &Endorsement::new(&vk, &X1), &certified);
    assert_eq!(status, TrustStatus::Contraindicated);
    assert_eq!(
        reasons,
        Reasons::PROMISE_ABOVE_CERTIFIED | Reasons::PROMISE_NOT_SHOWN
    );
    assert_eq!(promise, None);
    assert!(!evaluated && !issued);

    // The same device with a valid "se" shows the lower promise: a warning, capped.
    let shape = Shape::honest(Promise::SecureEnclave);
    let (status, reasons, promise, _, issued) =
        verdict(&shape.sign(&key), &Endorsement::new(&vk, &X1), &certified);
    assert_eq!(status, TrustStatus::Warning);
    assert_eq!(reasons, Reasons::PROMISE_ABOVE_CERTIFIED);
    assert_eq!(promise, Some(Promise::SecureElement));
    assert!(issued);

    // An "se" that breaks its rules does not show it either.
    let shape = Shape {
        se: Some(Se::DebugEnabled),
        ..Shape::honest(Promise::SecureEnclave)
    };
    let (status, reasons, promise, _, _) =
        verdict(&shape.sign(&key), &Endorsement::new(&vk, &X1), &certified);
    assert_eq!(status, TrustStatus::Contraindicated);
    assert!(reasons.contains(Reasons::PROMISE_NOT_SHOWN), "{reasons:?}");
    assert_eq!(promise, None);
}

#[test]
#[cfg_attr(miri, ignore)] // ES256
fn an_se_given_as_a_digest_or_token_does_not_meet_its_rules() {
    // Secure enclave with a valid "tee" and an "se" whose claims cannot be read: a detached
    // digest, then a nested token. docs/profile.md §7: present, so it must meet its rules.
    let key = device_key();
    let vk = key.verifying_key();
    let certified = [config(MODEL_X1, Promise::SecureEnclave)];
    for form in [Se::Digest, Se::Token] {
        let shape = Shape {
            se: Some(form),
            ..Shape::honest(Promise::SecureEnclave)
        };
        let token = shape.sign(&key);
        let evidence =
            VerifiedEvidence::verify(&token, &Endorsement::new(&vk, &X1), &ParseOptions::DEFAULT)
                .unwrap();
        assert_eq!(
            ecnpp::check_promise(evidence.claims(), Promise::SecureEnclave),
            Err(Error::MissingSubmodule),
            "{form:?}"
        );
        let (status, reasons, promise, evaluated, issued) =
            verdict(&token, &Endorsement::new(&vk, &X1), &certified);
        assert_eq!(status, TrustStatus::Contraindicated);
        assert!(reasons.contains(Reasons::SUBMODULE_MISSING), "{reasons:?}");
        assert_eq!(promise, None);
        assert!(!evaluated && !issued);
    }
}

#[test]
#[cfg_attr(miri, ignore)] // ES256
fn a_key_attests_only_the_models_it_is_endorsed_for() {
    // The key is endorsed for edge-node-x1; it signs evidence for edge-node-s1, which the policy
    // certifies. Under the old rules any trusted key could claim any model.
    let key = device_key();
    let vk = key.verifying_key();
    let shape = Shape {
        hwmodel: MODEL_S1,
        ..Shape::honest(Promise::SecureEnclave)
    };
    let certified = [
        config(MODEL_X1, Promise::SecureEnclave),
        config(MODEL_S1, Promise::SecureEnclave),
    ];
    let (status, reasons, _, evaluated, issued) =
        verdict(&shape.sign(&key), &Endorsement::new(&vk, &X1), &certified);
    assert_eq!(status, TrustStatus::Contraindicated);
    assert_eq!(reasons, Reasons::MODEL_NOT_ENDORSED);
    assert!(!evaluated && !issued);

    // A key endorsed for nothing verifies signatures but never gets a usable verdict.
    let (status, reasons, _, _, issued) = verdict(
        &Shape::honest(Promise::SecureEnclave).sign(&key),
        &Endorsement::new(&vk, &[]),
        &certified,
    );
    assert_eq!(status, TrustStatus::Contraindicated);
    assert_eq!(reasons, Reasons::MODEL_NOT_ENDORSED);
    assert!(!issued);
}

#[test]
#[cfg_attr(miri, ignore)] // ES256
fn a_key_bound_to_a_device_attests_only_that_device() {
    let key = device_key();
    let vk = key.verifying_key();
    let bound = Endorsement::new(&vk, &X1).ueid(Ueid::new(&UEID_A).unwrap());
    let certified = [config(MODEL_X1, Promise::SecureEnclave)];
    let (status, reasons, _, _, _) = verdict(
        &Shape::honest(Promise::SecureEnclave).sign(&key),
        &bound,
        &certified,
    );
    assert_eq!((status, reasons), (TrustStatus::Affirming, Reasons::NONE));
    let other = Shape {
        ueid: &UEID_B,
        ..Shape::honest(Promise::SecureEnclave)
    };
    let (status, reasons, _, _, issued) = verdict(&other.sign(&key), &bound, &certified);
    assert_eq!(status, TrustStatus::Contraindicated);
    assert_eq!(reasons, Reasons::UEID_NOT_ENDORSED);
    assert!(!issued);
}

#[test]
#[cfg_attr(miri, ignore)] // ES256
fn the_pp_reference_is_the_certificates_not_the_devices() {
    let key = device_key();
    let vk = key.verifying_key();
    let shape = Shape {
        pp_ref: "ANY-PP/9.9",
        ..Shape::honest(Promise::SecureEnclave)
    };
    let certified = [config(MODEL_X1, Promise::SecureEnclave)];
    let (status, reasons, _, evaluated, issued) =
        verdict(&shape.sign(&key), &Endorsement::new(&vk, &X1), &certified);
    assert_eq!(status, TrustStatus::Contraindicated);
    assert_eq!(reasons, Reasons::PP_REF_MISMATCH);
    assert!(!evaluated && !issued);

    // An issued result carries the certified configuration's PP reference.
    let token = Shape::honest(Promise::SecureEnclave).sign(&key);
    let evidence =
        VerifiedEvidence::verify(&token, &Endorsement::new(&vk, &X1), &ParseOptions::DEFAULT)
            .unwrap();
    let mut certified = [config(MODEL_X1, Promise::SecureEnclave)];
    certified[0].pp_ref = PP_REF_V1_0_7;
    let r = appraise(&evidence, &policy(&certified));
    assert_eq!(r.pp_ref(), Some(PP_REF_V1_0_7));
    let mut out = [0u8; 1024];
    let n = r
        .sign(&Sign1Builder::new(), &verifier_key(), &mut out)
        .unwrap();
    let vr = VerifiedResult::verify(
        &out[..n],
        &verifier_key().verifying_key(),
        &ParseOptions::DEFAULT,
    )
    .unwrap();
    assert_eq!(vr.claims().pp_ref, Some(PP_REF_V1_0_7));
    assert_eq!(vr.claims().eat_profile, Some(RESULT_PROFILE));
}

#[test]
#[cfg_attr(miri, ignore)] // ES256
fn evidence_and_results_are_told_apart_by_their_signed_profile() {
    let key = device_key();
    let vk = key.verifying_key();
    let certified = [config(MODEL_X1, Promise::SecureEnclave)];
    let token = Shape::honest(Promise::SecureEnclave).sign(&key);
    let endorsement = Endorsement::new(&vk, &X1);
    let evidence = VerifiedEvidence::verify(&token, &endorsement, &ParseOptions::DEFAULT).unwrap();
    let r = appraise(&evidence, &policy(&certified));
    let mut out = [0u8; 1024];
    let n = r.sign(&Sign1Builder::new(), &key, &mut out).unwrap();
    let result = &out[..n];

    // A result (signed by a key the verifier trusts) given as evidence.
    assert_eq!(
        VerifiedEvidence::verify(result, &endorsement, &ParseOptions::DEFAULT).err(),
        Some(Error::ResultGivenAsEvidence)
    );
    // Evidence given as a result.
    assert_eq!(
        VerifiedResult::verify(&token, &vk, &ParseOptions::DEFAULT).err(),
        Some(Error::EvidenceGivenAsResult)
    );
    // A result that the device signs itself under the result profile is still a result.
    let forged = Shape {
        profile: RESULT_PROFILE,
        ..Shape::honest(Promise::SecureEnclave)
    };
    assert_eq!(
        VerifiedEvidence::verify(&forged.sign(&key), &endorsement, &ParseOptions::DEFAULT).err(),
        Some(Error::ResultGivenAsEvidence)
    );
}

// ------------------------------------------------------------------------------------------------
// Property: the verdict never says more than the evidence and the endorsement support.
// ------------------------------------------------------------------------------------------------

fn promise_strategy() -> impl Strategy<Value = Promise> {
    prop_oneof![
        Just(Promise::Standard),
        Just(Promise::SecureElement),
        Just(Promise::SecureEnclave)
    ]
}

prop_compose! {
    fn shape()(
        profile in prop_oneof![4 => Just(PROFILE), 1 => Just(OTHER_PROFILE)],
        hwmodel in prop_oneof![Just(MODEL_X1), Just(MODEL_S1)],
        ueid in prop_oneof![Just(&UEID_A[..]), Just(&UEID_B[..])],
        claimed in promise_strategy(),
        pp_ref in prop_oneof![3 => Just(PP_REF_V1_0_7), 1 => Just("ANY-PP/9.9")],
        se in prop_oneof![
            Just(None),
            Just(Some(Se::Valid)),
            Just(Some(Se::DebugEnabled)),
            Just(Some(Se::Digest)),
            Just(Some(Se::Token)),
        ],
        tee in prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
        verifier_claims in prop::bool::weighted(0.2),
    ) -> Shape {
        Shape { profile, hwmodel, ueid, claimed, pp_ref, se, tee, verifier_claims }
    }
}

/// The per-promise rules of docs/profile.md §7, written again from the shape (not from the
/// library's claims checks).
fn shows(shape: &Shape, p: Promise) -> bool {
    match p {
        Promise::Standard => true,
        Promise::SecureElement => shape.se == Some(Se::Valid),
        Promise::SecureEnclave => {
            shape.tee == Some(true) && shape.se.is_none_or(|se| se == Se::Valid)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    #[cfg_attr(miri, ignore)] // ES256
    fn the_verdict_never_exceeds_what_evidence_and_endorsement_support(
        shape in shape(),
        endorsed_model in prop_oneof![Just(Some(MODEL_X1)), Just(Some(MODEL_S1)), Just(None)],
        bound_ueid in prop_oneof![Just(None), Just(Some(&UEID_A[..])), Just(Some(&UEID_B[..]))],
        x1_promise in promise_strategy(),
        s1_promise in promise_strategy(),
    ) {
        let key = device_key();
        let vk = key.verifying_key();
        let models = endorsed_model.map(|hwmodel| [Model { oemid: OemId::Ieee(&OEM), hwmodel }]);
        let mut endorsement = Endorsement::new(&vk, models.as_ref().map_or(&[][..], |m| &m[..]));
        if let Some(u) = bound_ueid {
            endorsement = endorsement.ueid(Ueid::new(u).unwrap());
        }
        let certified = [config(MODEL_X1, x1_promise), config(MODEL_S1, s1_promise)];
        let token = shape.sign(&key);
        let evidence =
            VerifiedEvidence::verify(&token, &endorsement, &ParseOptions::DEFAULT).unwrap();
        let r = appraise(&evidence, &policy(&certified));
        let certified_promise = if shape.hwmodel == MODEL_X1 { x1_promise } else { s1_promise };

        let endorsed = endorsed_model == Some(shape.hwmodel)
            && bound_ueid.is_none_or(|u| u == shape.ueid);
        let clean = shape.profile == PROFILE
            && !shape.verifier_claims
            && shape.pp_ref == PP_REF_V1_0_7
            && endorsed;
        if let Some(p) = r.promise() {
            prop_assert!(p <= shape.claimed && p <= certified_promise);
            prop_assert!(shows(&shape, p), "promise {p:?} stated without its proof");
        }
        if r.status() != TrustStatus::Contraindicated {
            prop_assert!(clean, "not contraindicated: {:?} for {shape:?}", r.reasons());
            prop_assert!(shows(&shape, shape.claimed), "claimed promise without its proof");
            prop_assert_eq!(r.pp_ref(), Some(PP_REF_V1_0_7));
        }
        if r.evaluated_config() {
            prop_assert_eq!(r.status(), TrustStatus::Affirming);
            prop_assert_eq!(r.promise(), Some(shape.claimed));
        }
        let mut out = [0u8; 1024];
        match r.sign(&Sign1Builder::new(), &verifier_key(), &mut out) {
            Ok(n) => {
                prop_assert!(clean);
                let vr = VerifiedResult::verify(
                    &out[..n],
                    &verifier_key().verifying_key(),
                    &ParseOptions::DEFAULT,
                )
                .unwrap();
                prop_assert_eq!(vr.promise(), r.promise());
                prop_assert_eq!(vr.claims().pp_ref, Some(PP_REF_V1_0_7));
                prop_assert_eq!(vr.evaluated_config(), r.evaluated_config());
            }
            Err(e) => {
                prop_assert_eq!(e, Error::ResultContraindicated);
                prop_assert_eq!(r.status(), TrustStatus::Contraindicated);
            }
        }
        // The honest, endorsed, certified twin of the shape is affirming, so the refusals above
        // are the attack's doing, not the fixture's.
        let honest = Shape::honest(certified_promise);
        let honest = Shape { hwmodel: shape.hwmodel, ueid: shape.ueid, ..honest };
        if endorsed {
            let token = honest.sign(&key);
            let ev = VerifiedEvidence::verify(&token, &endorsement, &ParseOptions::DEFAULT)
                .unwrap();
            let hr = appraise(&ev, &policy(&certified));
            prop_assert_eq!(hr.status(), TrustStatus::Affirming, "{:?}", hr.reasons());
        }
    }
}
