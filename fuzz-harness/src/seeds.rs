//! Library-made seed inputs for every target.

use ecnpp_attest::cbor::{self, SliceWriter};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder};
use ecnpp_attest::eat::{
    Claims, DebugStatus, HwModel, Lifecycle, List, Measurement, NamedSubmodule, Nonce, NonceClaim,
    OemId, Promise, Submodule, Ueid, Version,
};
use ecnpp_attest::ecnpp;

use crate::round_trip::{FALLBACK_OEM, FALLBACK_UEID};
use crate::{VerifyCase, example_signing_key, example_verifying_key};

const SEED_NONCE: [u8; 16] = *b"fuzz-challenge-1";
const SEED_FW: [u8; 32] = [0x11; 32];
const SEED_TEE_FW: [u8; 32] = [0x22; 32];
const SEED_MEAS: [Measurement<'static>; 1] = [Measurement {
    content_type: 0,
    content: &SEED_FW,
}];
const SEED_TEE_MEAS: [Measurement<'static>; 1] = [Measurement {
    content_type: 0,
    content: &SEED_TEE_FW,
}];

/// ECN PP evidence claims for `promise`, handed to `f`.
fn sample_evidence(promise: Promise, f: &mut dyn FnMut(&Claims<'_>)) {
    let (Ok(nonce), Ok(ueid), Ok(model), Ok(se_model)) = (
        Nonce::new(&SEED_NONCE),
        Ueid::new(&FALLBACK_UEID),
        HwModel::new(b"edge-node-x1"),
        HwModel::new(b"se-050"),
    ) else {
        return;
    };
    let se = Claims {
        oemid: Some(OemId::Ieee(&FALLBACK_OEM)),
        hwmodel: Some(se_model),
        dbgstat: Some(DebugStatus::DisabledPermanently),
        ..Claims::default()
    };
    let tee = Claims {
        measurements: Some(List::Items(&SEED_TEE_MEAS)),
        swname: Some("tee-os"),
        ..Claims::default()
    };
    let subs = [
        NamedSubmodule {
            name: ecnpp::SUBMOD_SE,
            submodule: Submodule::Claims(se),
        },
        NamedSubmodule {
            name: ecnpp::SUBMOD_TEE,
            submodule: Submodule::Claims(tee),
        },
    ];
    let submods = match promise {
        Promise::Standard => None,
        Promise::SecureElement => subs.get(..1).map(List::Items),
        Promise::SecureEnclave => Some(List::Items(&subs[..])),
    };
    let claims = Claims {
        eat_profile: Some(ecnpp::PROFILE),
        nonce: Some(NonceClaim::One(nonce)),
        ueid: Some(ueid),
        oemid: Some(OemId::Ieee(&FALLBACK_OEM)),
        hwmodel: Some(model),
        swname: Some("edge-os"),
        swversion: Some(Version {
            version: "1.2.3",
            scheme: None,
        }),
        oemboot: Some(true),
        dbgstat: Some(DebugStatus::DisabledFullyAndPermanently),
        promise: Some(promise),
        pp_ref: Some(ecnpp::PP_REF_V1_0_7),
        lifecycle: Some(Lifecycle::Operational),
        svn: Some(7),
        iat: Some(1_790_000_000),
        measurements: Some(List::Items(&SEED_MEAS)),
        submods,
        ..Claims::default()
    };
    f(&claims);
}

/// Library-made seed inputs for every target: `emit(target, name, bytes)`. Tokens are really
/// signed with the example key, so the verify targets start from messages that verify.
pub fn seeds(emit: &mut dyn FnMut(&str, &str, &[u8])) {
    let Ok(key) = example_signing_key() else {
        return;
    };
    let promises = [
        ("standard", Promise::Standard),
        ("se", Promise::SecureElement),
        ("enclave", Promise::SecureEnclave),
    ];
    for (pname, promise) in promises {
        sample_evidence(promise, &mut |c| {
            let mut claims = [0u8; 1024];
            let Ok(n) = c.encode(&mut claims) else { return };
            let claims = claims.get(..n).unwrap_or(&[]);
            emit("eat_decode", pname, claims);
            emit("cbor", pname, claims);

            // appraise: flags, clock, age, challenge (the evidence's nonce), requirement, claims
            let mut a = [0u8; 1200];
            let mut w = SliceWriter::new(&mut a);
            let req = b"promise>=secure-element,evaluated,max-age=300";
            let mut head = [0u8; 4];
            head[0] = 0x18; // promise secure enclave certified, se robustness
            head[1] = 0x01 | 3 << 3; // challenge from the evidence, debug floor 3
            cbor::Write::write(&mut w, &head[..2]);
            cbor::Write::write(&mut w, &[8]);
            cbor::Write::write(&mut w, &1_790_000_010u64.to_be_bytes());
            cbor::Write::write(&mut w, &[1, 10]);
            cbor::Write::write(&mut w, &[0]);
            cbor::Write::write(&mut w, &[u8::try_from(req.len()).unwrap_or(0)]);
            cbor::Write::write(&mut w, req);
            cbor::Write::write(&mut w, claims);
            if let Ok(n) = w.finish() {
                emit("appraise", pname, a.get(..n).unwrap_or(&[]));
            }

            for (vname, builder, detached) in [
                ("plain", Sign1Builder::new(), false),
                ("kid", Sign1Builder::new().kid(b"device-1"), false),
                ("untagged", Sign1Builder::new().untagged(true), false),
                ("detached", Sign1Builder::new().detached(true), true),
                ("aad", Sign1Builder::new().external_aad(b"aad"), false),
            ] {
                let mut token = [0u8; 1200];
                let Ok(n) = ecnpp::sign_evidence(c, &builder, &key, &mut token) else {
                    continue;
                };
                let token = token.get(..n).unwrap_or(&[]);
                let case = VerifyCase {
                    options: ParseOptions::PERMISSIVE_TAGS,
                    aad: if vname == "aad" { b"aad" } else { &[] },
                    detached: detached.then_some(claims),
                    message: token,
                };
                let mut v = [0u8; 1500];
                if let Ok(m) = case.to_fuzz(&mut v) {
                    let v = v.get(..m).unwrap_or(&[]);
                    emit("cose_verify", vname, v);
                    emit("ffi_verify", vname, v);
                }
                if vname == "plain" || vname == "kid" || vname == "detached" {
                    emit("cose_parse", vname, token);
                    emit("differential", vname, token);
                    emit("cbor", vname, token);
                }
            }
        });
    }
    // A COSE_Key, and a few CBOR items of every major type.
    if let Ok(vk) = example_verifying_key() {
        let mut k = [0u8; 128];
        if let Ok(n) = vk.to_cose_key(Some(b"11"), &mut k) {
            emit("cbor", "cose-key", k.get(..n).unwrap_or(&[]));
        }
    }
    emit(
        "cbor",
        "all-types",
        b"\x88\x00\x20\x41\x01\x61a\x80\xa1\x01\x02\xc1\x1a\x5f\x00\x00\x00\xf9\x3c\x00",
    );
    // Claims built from patterned bytes: every field present, then evidence-shaped.
    let mut all = [0xffu8; 1024];
    for (i, b) in all.iter_mut().enumerate().skip(9) {
        *b = u8::try_from(i % 251).unwrap_or(0);
    }
    emit("evidence_round_trip", "patterned", &all);
    all[0] = 2; // two submodule levels
    all[8] = 0x80; // evidence-shaped mask byte of the innermost node
    emit("evidence_round_trip", "nested", &all);
}
