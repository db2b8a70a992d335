//! ECN PP evidence validation and appraisal of any claims map.

use ecnpp_attest::Error;
use ecnpp_attest::appraise::{self, CertifiedConfig, Challenge, Policy, Requirement, TrustStatus};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder};
use ecnpp_attest::eat::{
    Claims, DebugStatus, DecodeOptions, Measurement, NonceClaim, OemId, Profile, Promise,
    Robustness, Submodule,
};
use ecnpp_attest::ecnpp::{self, VerifiedEvidence};

use crate::{
    FixedSigner, Input, InsecureAcceptAll, MAX_INPUT, OUT, debug_len, error_in,
    example_verifying_key,
};

const ROBUSTNESS: [Robustness<'static>; 1] = [Robustness {
    scheme: "FIPS140-3",
    level: "3",
}];

const ABSENT_REFERENCE: Measurement<'static> = Measurement {
    content_type: 0,
    content: b"a reference value no device has",
};

/// The first nonce of the claims, if any.
fn first_nonce<'a>(c: &Claims<'a>) -> Option<&'a [u8]> {
    match c.nonce? {
        NonceClaim::One(n) => Some(n.as_bytes()),
        NonceClaim::Many(l) => l.iter().next().map(|n| n.as_bytes()),
    }
}

/// ECN PP evidence validation and appraisal of any claims map (see the module docs).
///
/// Input: two flag bytes, the verifier's clock, the challenge age, a challenge nonce, a
/// requirement text, then the claims map, which is signed into a token with [`FixedSigner`] and
/// verified with [`InsecureAcceptAll`].
pub fn appraise(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let mut input = Input::new(data);
    let flags = input.byte();
    let flags2 = input.byte();
    let now = input.i64();
    let age = input.i64();
    let challenge = input.bytes(64);
    let requirement = input.text(64);
    let claims_bytes = input.rest();

    let options = ParseOptions {
        deterministic: flags & 1 != 0,
        ..ParseOptions::DEFAULT
    };
    let builder = Sign1Builder::new().kid(b"fuzz");
    let mut token = [0u8; MAX_INPUT + 128];
    let Ok(n) = builder.sign(&FixedSigner, claims_bytes, &mut token) else {
        return;
    };
    let token = token.get(..n).unwrap_or(&[]);
    let decoded = Claims::decode_with(
        claims_bytes,
        DecodeOptions {
            deterministic: options.deterministic,
        },
    );
    // The endorsement covers the evidence's own model unless flags2 bit 2 says otherwise, so
    // that both sides of the endorsement rule are reached.
    let own_model = decoded.as_ref().ok().and_then(|c| {
        Some(ecnpp::Model {
            oemid: c.oemid?,
            hwmodel: c.hwmodel?.as_bytes(),
        })
    });
    let other_model = [ecnpp::Model {
        oemid: OemId::Pen(1),
        hwmodel: b"another model",
    }];
    let own_models = own_model.map(|m| [m]);
    let models: &[ecnpp::Model<'_>] = match &own_models {
        Some(own) if flags2 & 4 == 0 => own,
        _ => &other_model,
    };
    let accept_all = ecnpp::Endorsement::new(&InsecureAcceptAll, models);
    let evidence = VerifiedEvidence::verify(token, &accept_all, &options);
    let expected = match &decoded {
        Err(e) => Some(*e),
        Ok(c) if c.eat_profile == Some(ecnpp::RESULT_PROFILE) => Some(Error::ResultGivenAsEvidence),
        Ok(_) => None,
    };
    assert_eq!(
        evidence.as_ref().err(),
        expected.as_ref(),
        "verified evidence fails exactly when its claims do, or when they are a result"
    );
    let Ok(evidence) = evidence else { return };
    let example_key = match example_verifying_key() {
        Ok(k) => k,
        Err(_) => return,
    };
    let endorsements = [ecnpp::Endorsement::new(&example_key, models).kid(b"fuzz")];
    // The kid selects the endorsement; the fixed signature then fails real verification.
    assert_eq!(
        VerifiedEvidence::verify_with_endorsements(token, &endorsements, &options).err(),
        Some(Error::VerificationFailed)
    );
    let c = *evidence.claims();
    let valid = ecnpp::validate_evidence(&c);
    if let Err(e) = valid {
        assert!(error_in(e, &[500..=599]), "validate_evidence error {e:?}");
    }
    if let Err(e) = ecnpp::validate_result(&c) {
        assert!(error_in(e, &[500..=599]), "validate_result error {e:?}");
    }

    // A certified configuration made from the evidence itself, so that matching paths are reached.
    let mut refs = [ABSENT_REFERENCE; 8];
    let mut nrefs = 0usize;
    let tee = match ecnpp::submodule(&c, ecnpp::SUBMOD_TEE) {
        Some(Submodule::Claims(t)) => t.measurements,
        _ => None,
    };
    for list in [c.measurements, tee].into_iter().flatten() {
        for m in list.iter() {
            if let Some(slot) = refs.get_mut(nrefs) {
                *slot = m;
                nrefs = nrefs.saturating_add(1);
            }
        }
    }
    if flags & 2 != 0 {
        nrefs = nrefs.saturating_sub(1); // one measurement without a reference
    }
    if flags & 4 != 0 && nrefs < refs.len() {
        nrefs = nrefs.saturating_add(1); // the absent reference (or a kept measurement)
    }
    let config = CertifiedConfig {
        oemid: c.oemid.unwrap_or(OemId::Pen(0)),
        hwmodel: c.hwmodel.map_or(&[][..], |h| h.as_bytes()),
        swname: c.swname.unwrap_or(""),
        swversion: c.swversion.map_or("", |v| v.version),
        promise: Promise::from_u64(u64::from((flags >> 3) & 3)).unwrap_or(Promise::Standard),
        pp_ref: c.pp_ref.unwrap_or(ecnpp::PP_REF_V1_0_7),
        certificate: "fuzz-certificate",
        se_robustness: if flags & 0x20 != 0 { &ROBUSTNESS } else { &[] },
        tee_robustness: if flags & 0x40 != 0 { &ROBUSTNESS } else { &[] },
        reference_measurements: refs.get(..nrefs).unwrap_or(&[]),
    };
    let certified = [config];
    let certified: &[CertifiedConfig<'_>] = if flags & 0x80 != 0 { &[] } else { &certified };
    let nonce = if flags2 & 1 != 0 {
        first_nonce(&c).unwrap_or(challenge)
    } else {
        challenge
    };
    let profiles = [ecnpp::PROFILE, Profile::Uri("tag:example.com,2025:other")];
    let mut policy = Policy::new(
        Challenge {
            nonce,
            issued_at: now.saturating_sub(age),
        },
        now,
        certified,
        "https://verifier.example",
    );
    if flags2 & 2 != 0 {
        policy.require_oemboot = false;
    }
    // A profile without rules is refused when the policy is built.
    assert_eq!(
        policy.accept_profiles(&profiles).err(),
        Some(Error::ProfileWithoutRules)
    );
    policy.debug_floor =
        DebugStatus::from_u64(u64::from(flags2 >> 3) % 5).unwrap_or(policy.debug_floor);
    policy.clock_skew = u64::from(flags2 >> 6) * 30;

    let r = appraise::appraise(&evidence, &policy);
    let _ = debug_len(&r);
    let reasons = r.reasons();
    assert_eq!(r.status() == TrustStatus::Affirming, reasons.is_empty());
    assert!(!r.evaluated_config() || (r.certified_config().is_some() && reasons.is_empty()));
    match r.certified_config() {
        Some(cfg) => assert!(r.promise().is_none_or(|p| p <= cfg.promise)),
        None => assert_eq!(r.promise(), None),
    }
    if let Some(p) = r.promise() {
        assert!(c.promise.is_some_and(|claimed| p <= claimed));
        assert_eq!(
            ecnpp::check_promise(&c, p),
            Ok(()),
            "a stated promise is shown"
        );
    }
    if r.status() != TrustStatus::Contraindicated {
        assert_eq!(
            valid,
            Ok(()),
            "only valid evidence escapes contraindication"
        );
        assert!(evidence.scope().covers_model(&c), "only an endorsed model");
        assert_eq!(c.eat_profile, Some(ecnpp::PROFILE));
        assert_eq!(r.pp_ref(), c.pp_ref);
    }
    assert_eq!(
        reasons.contains(appraise::Reasons::NONCE_MISMATCH),
        !c.nonce.is_some_and(|n| n.contains_ct(nonce))
    );
    if valid.is_err() {
        assert!(!reasons.is_empty(), "invalid evidence is never affirmed");
    }
    assert!(r.measurement_results().count() <= appraise::MAX_MEASUREMENT_RESULTS);

    let parsed_requirement = Requirement::parse(requirement);
    match r.token_len(&builder) {
        Ok(len) => {
            let mut out = [0u8; OUT];
            let Some(out) = out.get_mut(..len) else {
                return;
            };
            assert_eq!(
                r.sign(&builder, &FixedSigner, out),
                Ok(len),
                "result size query"
            );
            let result =
                appraise::VerifiedResult::verify(out, &InsecureAcceptAll, &ParseOptions::DEFAULT);
            assert!(
                result.is_ok(),
                "an issued result verifies: {:?}",
                result.err()
            );
            let Ok(result) = result else { return };
            assert_eq!(result.promise(), r.promise());
            assert_eq!(result.evaluated_config(), r.evaluated_config());
            assert_eq!(result.issued_at(), Some(now));
            if let Ok(req) = parsed_requirement {
                let refusals = req.admits(&result, now);
                if refusals.admitted() {
                    assert!(result.promise().is_some_and(|p| p >= req.min_promise));
                }
            }
        }
        Err(e) => {
            assert_eq!(e, Error::ResultContraindicated);
            let mut out = [0u8; 512];
            assert_eq!(r.sign(&builder, &FixedSigner, &mut out), Err(e));
        }
    }
}
