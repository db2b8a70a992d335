//! Unit tests of the appraisal part of the C API (`appraisal.rs`).

use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::eat::{Claims, Dloa, List, MeasResGroup, MeasResult, ResultCode, ResultId, Ueid};
use ecnpp_attest::ecnpp::RESULT_PROFILE;

use super::*;

/// The FFI's `admits` agrees with core's `Requirement::admits` on every combination of
/// requirement, corroborated promise, verdict, result age and clock tried here.
#[test]
#[cfg_attr(miri, ignore = "ECDSA is very slow under Miri")]
fn admits_is_cores_rule() {
    let key = SigningKey::from_bytes(&[0x32; 32]).unwrap();
    let iat = 1_790_000_000;
    let requirements: Vec<Requirement> = [
        "promise>=standard",
        "promise>=secure-element",
        "promise>=secure-enclave,evaluated",
        "promise>=secure-element,max-age=0",
        "promise>=standard,evaluated,max-age=300",
        "promise>=secure-enclave,max-age=18446744073709551615",
    ]
    .iter()
    .map(|t| Requirement::parse(t).unwrap())
    .collect();
    let dloas = [Dloa {
        registrar: "r",
        platform: "p",
        application: None,
    }];
    let results = [MeasResult {
        id: ResultId::Text("x"),
        result: ResultCode::Success,
    }];
    let groups = [MeasResGroup {
        system: "s",
        results: List::Items(&results),
    }];
    let mut compared = 0;
    for promise in [
        Promise::Standard,
        Promise::SecureElement,
        Promise::SecureEnclave,
    ] {
        for evaluated in [false, true] {
            let claims = Claims {
                eat_profile: Some(RESULT_PROFILE),
                iat: Some(iat),
                ueid: Some(Ueid::new(&[1; 8]).unwrap()),
                dloas: Some(List::Items(&dloas)),
                measres: Some(List::Items(&groups)),
                promise: Some(promise),
                pp_ref: Some("pp"),
                evaluated_config: Some(evaluated),
                ..Claims::default()
            };
            let builder = Sign1Builder::new();
            let payload = claims.as_payload().unwrap();
            let mut token = vec![0u8; builder.encoded_len(&payload)];
            builder.sign(&key, &payload, &mut token).unwrap();
            let options = ecnpp_attest::cose::ParseOptions::DEFAULT;
            let verified = VerifiedResult::verify(&token, &key.verifying_key(), &options).unwrap();
            for r in &requirements {
                for now in [iat - 1, iat, iat + 1, iat + 300, iat + 301, i64::MAX] {
                    let core = r.admits(&verified, now);
                    let ours = admits(r, Some(promise), evaluated, iat, now);
                    assert_eq!(core, ours, "{r:?} {promise:?} {evaluated} {now}");
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 216);
}

/// Every reason core defines has a C bit, with core's name: reads core's `reasons!` table,
/// so a reason added to core without a C constant fails here.
#[test]
#[cfg_attr(miri, ignore = "reads a file; Miri isolates the file system")]
fn every_core_reason_has_a_c_bit_and_name() {
    let mut n = 0;
    for &(reason, name, _) in Reasons::ALL {
        let bit = reason.bits();
        let (_, core, c_name) = REASONS.iter().find(|(b, _, _)| *b == bit).unwrap();
        assert_eq!(c_name.to_str().unwrap(), name);
        assert_eq!(core.names().collect::<Vec<_>>(), [name]);
        // SAFETY: a static NUL-terminated string.
        let got = unsafe { CStr::from_ptr(ecnpp_result_reason_str(bit)) };
        assert_eq!(got.to_str().unwrap(), name);
        n += 1;
    }
    assert_eq!(n, REASONS.len());
    for bad in [0, 3, 1 << 19, 1 << 31, u32::MAX] {
        // SAFETY: as above.
        let got = unsafe { CStr::from_ptr(ecnpp_result_reason_str(bad)) };
        assert_eq!(got, c"unknown reason");
    }
}
