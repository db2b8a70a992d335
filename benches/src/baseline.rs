//! The same operations done the common way: `coset` + `ciborium` for CBOR and COSE, raw `p256`
//! (0.14, and 0.13 as `p256_13`) and raw `aws-lc-rs` for ES256.
//!
//! The codec baselines produce byte-identical tokens to ours (checked by the tests), and read
//! the same fields with the same type checks, so ratios compare equal work.

use ciborium::Value;
use coset::cwt::{ClaimsSet, ClaimsSetBuilder, Timestamp};
use coset::iana::{self, CwtClaimName as C};
use coset::{
    CborSerializable, CoseError, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable,
};
use p256::ecdsa::signature::{Signer as _, Verifier as _};

use ecnpp_attest::appraise::{AttestationResult, MEASUREMENT_SYSTEM};
use ecnpp_attest::eat::Promise;
use ecnpp_attest::eat::{ResultCode, ResultId};
use ecnpp_attest::ecnpp::{PP_REF_V1_0_7, PROFILE_OID, RESULT_PROFILE_OID};

use crate::fixture::{
    BL, CERTIFIED, DIGEST_FORMAT, DeviceState, FW, KID, MODEL, NOW, OEM, SE_MODEL, SEMVER, SWNAME,
    SWVERSION, TEE_FW, UEID,
};

const PROMISE: i64 = -90101;
const PP_REF: i64 = -90102;
const EVALUATED: i64 = -90103;
const LIFECYCLE: i64 = -90104;
const SVN: i64 = -90105;
const ROBUSTNESS: i64 = -90106;

fn b(bytes: &[u8]) -> Value {
    Value::Bytes(bytes.to_vec())
}

fn t(text: &str) -> Value {
    Value::Text(text.to_owned())
}

fn i(v: i64) -> Value {
    Value::Integer(v.into())
}

fn measurement(content: &[u8]) -> Value {
    Value::Array(vec![i(i64::from(DIGEST_FORMAT)), b(content)])
}

/// The evidence claims of `state` as a coset `ClaimsSet` (same claims, same order as ours).
#[must_use]
pub fn claims_set(state: &DeviceState) -> ClaimsSet {
    let se = Value::Map(vec![
        (i(258), b(&OEM)),
        (i(259), b(SE_MODEL)),
        (i(263), i(4)),
    ]);
    let tee = Value::Map(vec![(i(273), Value::Array(vec![measurement(&TEE_FW)]))]);
    ClaimsSetBuilder::new()
        .issued_at(Timestamp::WholeSeconds(state.iat))
        .claim(C::Nonce, b(&state.nonce))
        .claim(C::UEID, b(&UEID))
        .claim(C::HardwareOemid, b(&OEM))
        .claim(C::HardwareModel, b(MODEL))
        .claim(C::OemAuthorizedBoot, Value::Bool(true))
        .claim(C::DebugStatus, i(3))
        .claim(C::EatProfile, b(&PROFILE_OID))
        .claim(
            C::SubmodulesSection,
            Value::Map(vec![(t("se"), se), (t("tee"), tee)]),
        )
        .claim(C::SoftwareName, t(SWNAME))
        .claim(
            C::SoftwareVersion,
            Value::Array(vec![t(SWVERSION), i(SEMVER)]),
        )
        .claim(
            C::Measurements,
            Value::Array(vec![measurement(&FW), measurement(&BL)]),
        )
        .private_claim(PROMISE, i(3))
        .private_claim(PP_REF, t(PP_REF_V1_0_7))
        .private_claim(LIFECYCLE, i(2))
        .private_claim(SVN, i(7))
        .build()
}

/// Build the claims and encode them (coset + ciborium).
///
/// # Errors
/// coset's encoding errors (none for the fixture).
pub fn build_encode(state: &DeviceState) -> Result<Vec<u8>, CoseError> {
    claims_set(state).to_vec()
}

/// Build, encode and sign a tagged COSE_Sign1 with coset, signing with raw p256 0.14.
///
/// # Errors
/// coset's encoding errors (none for the fixture).
pub fn sign(state: &DeviceState, key: &p256::ecdsa::SigningKey) -> Result<Vec<u8>, CoseError> {
    let payload = build_encode(state)?;
    CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::ES256)
                .build(),
        )
        .unprotected(HeaderBuilder::new().key_id(KID.to_vec()).build())
        .payload(payload)
        .create_signature(b"", |data| {
            let sig: p256::ecdsa::Signature = key.sign(data);
            sig.to_bytes().to_vec()
        })
        .build()
        .to_tagged_vec()
}

/// The fields our claims view exposes, read from a coset `ClaimsSet` with the same type checks.
#[derive(Debug, Default)]
pub struct View<'c> {
    /// nonce.
    pub nonce: Option<&'c [u8]>,
    /// ueid.
    pub ueid: Option<&'c [u8]>,
    /// oemid.
    pub oemid: Option<&'c [u8]>,
    /// hwmodel.
    pub hwmodel: Option<&'c [u8]>,
    /// swname.
    pub swname: Option<&'c str>,
    /// swversion.
    pub swversion: Option<&'c str>,
    /// oemboot.
    pub oemboot: Option<bool>,
    /// dbgstat.
    pub dbgstat: Option<u64>,
    /// eat_profile (OID bytes).
    pub profile: Option<&'c [u8]>,
    /// Number of measurements.
    pub measurements: usize,
    /// Number of submodules (each read as a claims map).
    pub submods: usize,
    /// ecnpp-promise.
    pub promise: Option<Promise>,
    /// ecnpp-pp-ref.
    pub pp_ref: Option<&'c str>,
    /// ecnpp-lifecycle.
    pub lifecycle: Option<u64>,
    /// ecnpp-svn.
    pub svn: Option<u64>,
    /// ecnpp-evaluated-config.
    pub evaluated: Option<bool>,
    /// iat.
    pub iat: Option<i64>,
}

fn uint(v: &Value) -> Result<u64, CoseError> {
    v.as_integer()
        .and_then(|n| u64::try_from(n).ok())
        .ok_or(CoseError::UnexpectedItem("int", "uint"))
}

fn bytes(v: &Value) -> Result<&[u8], CoseError> {
    v.as_bytes()
        .map(Vec::as_slice)
        .ok_or(CoseError::UnexpectedItem("other", "bstr"))
}

fn text(v: &Value) -> Result<&str, CoseError> {
    v.as_text()
        .ok_or(CoseError::UnexpectedItem("other", "tstr"))
}

fn measurements(v: &Value) -> Result<usize, CoseError> {
    let list = v
        .as_array()
        .ok_or(CoseError::UnexpectedItem("other", "array"))?;
    for m in list {
        match m.as_array().map(Vec::as_slice) {
            Some([ct, content]) => {
                u16::try_from(uint(ct)?).map_err(|_| CoseError::OutOfRangeIntegerValue)?;
                bytes(content)?;
            }
            _ => return Err(CoseError::UnexpectedItem("other", "measurement")),
        }
    }
    Ok(list.len())
}

/// Reads a (sub)module claims map given as `(label, value)` pairs.
fn read_claims<'c>(
    pairs: &mut dyn Iterator<Item = (i64, &'c Value)>,
    view: &mut View<'c>,
) -> Result<(), CoseError> {
    for (label, v) in pairs {
        match label {
            10 => view.nonce = Some(bytes(v)?),
            256 => view.ueid = Some(bytes(v)?),
            258 => view.oemid = Some(bytes(v)?),
            259 => view.hwmodel = Some(bytes(v)?),
            262 => view.oemboot = Some(v.as_bool().ok_or(CoseError::UnexpectedItem("x", "bool"))?),
            263 => view.dbgstat = Some(uint(v)?),
            265 => view.profile = Some(bytes(v)?),
            266 => {
                let m = v.as_map().ok_or(CoseError::UnexpectedItem("x", "map"))?;
                for (name, sub) in m {
                    text(name)?;
                    let sub = sub.as_map().ok_or(CoseError::UnexpectedItem("x", "map"))?;
                    let mut inner = View::default();
                    read_claims(
                        &mut sub.iter().filter_map(|(k, v)| {
                            k.as_integer()
                                .and_then(|k| i64::try_from(k).ok())
                                .map(|k| (k, v))
                        }),
                        &mut inner,
                    )?;
                    view.submods += 1;
                }
            }
            270 => view.swname = Some(text(v)?),
            271 => {
                let a = v
                    .as_array()
                    .ok_or(CoseError::UnexpectedItem("x", "array"))?;
                view.swversion = Some(text(
                    a.first().ok_or(CoseError::UnexpectedItem("x", "tstr"))?,
                )?);
            }
            273 => view.measurements = measurements(v)?,
            PROMISE => {
                view.promise = Some(
                    Promise::from_u64(uint(v)?).map_err(|_| CoseError::OutOfRangeIntegerValue)?,
                );
            }
            PP_REF => view.pp_ref = Some(text(v)?),
            EVALUATED => view.evaluated = v.as_bool(),
            LIFECYCLE => view.lifecycle = Some(uint(v)?),
            SVN => view.svn = Some(uint(v)?),
            _ => {}
        }
    }
    Ok(())
}

/// The claims view of a decoded `ClaimsSet`.
///
/// # Errors
/// A claim of the wrong type.
pub fn view(claims: &ClaimsSet) -> Result<View<'_>, CoseError> {
    let mut v = View {
        iat: match claims.issued_at {
            Some(Timestamp::WholeSeconds(s)) => Some(s),
            _ => None,
        },
        ..View::default()
    };
    read_claims(
        &mut claims.rest.iter().filter_map(|(name, value)| {
            let label = match name {
                coset::RegisteredLabelWithPrivate::Assigned(a) => *a as i64,
                coset::RegisteredLabelWithPrivate::PrivateUse(p) => *p,
                coset::RegisteredLabelWithPrivate::Text(_) => return None,
            };
            Some((label, value))
        }),
        &mut v,
    )?;
    Ok(v)
}

/// Same return value as [`crate::fixture::parse_view`], computed from a [`View`].
#[must_use]
pub fn summary(v: &View<'_>) -> (usize, Option<Promise>) {
    (
        v.measurements + v.submods + usize::from(v.nonce.is_some()),
        v.promise,
    )
}

/// Parse the COSE message and read the claims with coset + ciborium, without verifying.
///
/// # Errors
/// coset's decoding errors (none for the fixture).
pub fn parse_view(token: &[u8]) -> Result<(usize, Option<Promise>), CoseError> {
    let msg = CoseSign1::from_tagged_slice(token)?;
    let claims = ClaimsSet::from_slice(msg.payload.as_deref().unwrap_or_default())?;
    Ok(summary(&view(&claims)?))
}

/// Parse with coset, verify with raw p256 0.14, read the claims with ciborium.
///
/// # Errors
/// coset's decoding errors, or `CoseError::UnexpectedItem` for a bad signature.
pub fn verify(token: &[u8], key: &p256::ecdsa::VerifyingKey) -> Result<Option<Promise>, CoseError> {
    let msg = CoseSign1::from_tagged_slice(token)?;
    msg.verify_signature(b"", |sig, data| {
        let sig = p256::ecdsa::Signature::from_slice(sig)
            .map_err(|_| CoseError::UnexpectedItem("sig", "sig"))?;
        key.verify(data, &sig)
            .map_err(|_| CoseError::UnexpectedItem("sig", "sig"))
    })?;
    let claims = ClaimsSet::from_slice(msg.payload.as_deref().unwrap_or_default())?;
    Ok(view(&claims)?.promise)
}

/// The result claims of ours, built with coset from the same appraisal.
#[must_use]
pub fn result_claims(r: &AttestationResult<'_>) -> ClaimsSet {
    let results: Vec<Value> = r
        .measurement_results()
        .map(|m| {
            let id = match m.id {
                ResultId::Text(s) => t(s),
                ResultId::Bytes(x) => b(x),
            };
            let code = match m.result {
                ResultCode::Success => 1,
                ResultCode::Fail => 2,
                ResultCode::NotRun => 3,
                ResultCode::Absent => 4,
            };
            Value::Array(vec![id, i(code)])
        })
        .collect();
    let cfg = &CERTIFIED[0];
    let se = Value::Map(vec![(
        i(ROBUSTNESS),
        Value::Array(
            cfg.se_robustness
                .iter()
                .map(|x| Value::Array(vec![t(x.scheme), t(x.level)]))
                .collect(),
        ),
    )]);
    ClaimsSetBuilder::new()
        .issued_at(Timestamp::WholeSeconds(NOW))
        .claim(C::UEID, b(&UEID))
        .claim(C::EatProfile, b(&RESULT_PROFILE_OID))
        .claim(C::SubmodulesSection, Value::Map(vec![(t("se"), se)]))
        .claim(
            C::DLoAs,
            Value::Array(vec![Value::Array(vec![
                t("https://verifier.example"),
                t(cfg.certificate),
            ])]),
        )
        .claim(
            C::SoftwareMeasurementResults,
            Value::Array(vec![Value::Array(vec![
                t(MEASUREMENT_SYSTEM),
                Value::Array(results),
            ])]),
        )
        .private_claim(PROMISE, i(r.promise().map_or(0, |p| p as i64)))
        .private_claim(PP_REF, t(PP_REF_V1_0_7))
        .private_claim(EVALUATED, Value::Bool(r.evaluated_config()))
        .build()
}

/// The attestation-result round trip with coset + ciborium + raw p256: build and sign the
/// result, then parse, verify, read it and decide on the same requirement.
///
/// # Errors
/// coset's errors, or `CoseError::UnexpectedItem` for a bad signature.
pub fn result_round_trip(
    r: &AttestationResult<'_>,
    key: &p256::ecdsa::SigningKey,
    key_pub: &p256::ecdsa::VerifyingKey,
) -> Result<bool, CoseError> {
    let payload = result_claims(r).to_vec()?;
    let token = CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::ES256)
                .build(),
        )
        .payload(payload)
        .create_signature(b"", |data| {
            let sig: p256::ecdsa::Signature = key.sign(data);
            sig.to_bytes().to_vec()
        })
        .build()
        .to_tagged_vec()?;
    let msg = CoseSign1::from_tagged_slice(&token)?;
    msg.verify_signature(b"", |sig, data| {
        let sig = p256::ecdsa::Signature::from_slice(sig)
            .map_err(|_| CoseError::UnexpectedItem("sig", "sig"))?;
        key_pub
            .verify(data, &sig)
            .map_err(|_| CoseError::UnexpectedItem("sig", "sig"))
    })?;
    let claims = ClaimsSet::from_slice(msg.payload.as_deref().unwrap_or_default())?;
    let v = view(&claims)?;
    let fresh = v
        .iat
        .is_some_and(|iat| std::hint::black_box(NOW + 10) - iat <= 300);
    Ok(v.promise >= Some(Promise::SecureEnclave) && v.evaluated == Some(true) && fresh)
}

/// Raw ES256 with p256 0.14: signs and verifies a message (hashing it with SHA-256).
pub mod raw_p256 {
    use p256::ecdsa::signature::{Signer as _, Verifier as _};

    /// The key pair.
    #[must_use]
    pub fn keys(secret: &[u8; 32]) -> (p256::ecdsa::SigningKey, p256::ecdsa::VerifyingKey) {
        let sk =
            p256::ecdsa::SigningKey::from_bytes(&p256::FieldBytes::from(*secret)).expect("key");
        let vk = *sk.verifying_key();
        (sk, vk)
    }

    /// Signs `msg`.
    #[must_use]
    pub fn sign(key: &p256::ecdsa::SigningKey, msg: &[u8]) -> [u8; 64] {
        let sig: p256::ecdsa::Signature = key.sign(msg);
        sig.to_bytes().into()
    }

    /// Verifies `sig` over `msg`.
    #[must_use]
    pub fn verify(key: &p256::ecdsa::VerifyingKey, msg: &[u8], sig: &[u8; 64]) -> bool {
        p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| key.verify(msg, &s).is_ok())
    }
}

/// Raw ES256 with p256 0.13 (renamed dependency `p256_13`).
pub mod raw_p256_13 {
    use p256_13::ecdsa::signature::{Signer as _, Verifier as _};

    /// The key pair.
    #[must_use]
    pub fn keys(secret: &[u8; 32]) -> (p256_13::ecdsa::SigningKey, p256_13::ecdsa::VerifyingKey) {
        let sk = p256_13::ecdsa::SigningKey::from_bytes(&p256_13::FieldBytes::from(*secret))
            .expect("key");
        let vk = *sk.verifying_key();
        (sk, vk)
    }

    /// Signs `msg`.
    #[must_use]
    pub fn sign(key: &p256_13::ecdsa::SigningKey, msg: &[u8]) -> [u8; 64] {
        let sig: p256_13::ecdsa::Signature = key.sign(msg);
        sig.to_bytes().into()
    }

    /// Verifies `sig` over `msg`.
    #[must_use]
    pub fn verify(key: &p256_13::ecdsa::VerifyingKey, msg: &[u8], sig: &[u8; 64]) -> bool {
        p256_13::ecdsa::Signature::from_slice(sig).is_ok_and(|s| key.verify(msg, &s).is_ok())
    }
}

/// Raw ES256 with aws-lc-rs: `ECDSA_P256_SHA256_FIXED(_SIGNING)` over the message.
pub mod raw_aws_lc {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{
        ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _,
        ParsedPublicKey,
    };

    /// The key pair (the public key parsed once, as a verifier would keep it).
    #[must_use]
    pub fn keys(secret: &[u8; 32]) -> (EcdsaKeyPair, ParsedPublicKey) {
        let (_, vk) = super::raw_p256::keys(secret);
        let public = vk.to_sec1_point(false);
        let kp = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            secret,
            public.as_bytes(),
        )
        .expect("key");
        let pk =
            ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, kp.public_key().as_ref()).expect("key");
        (kp, pk)
    }

    /// Signs `msg` (randomized nonce).
    #[must_use]
    pub fn sign(key: &EcdsaKeyPair, rng: &SystemRandom, msg: &[u8]) -> [u8; 64] {
        let sig = key.sign(rng, msg).expect("sign");
        let mut out = [0u8; 64];
        out.copy_from_slice(sig.as_ref());
        out
    }

    /// Verifies `sig` over `msg`.
    #[must_use]
    pub fn verify(key: &ParsedPublicKey, msg: &[u8], sig: &[u8; 64]) -> bool {
        key.verify_sig(msg, sig).is_ok()
    }

    /// SHA-256 of `msg`.
    #[must_use]
    pub fn sha256(msg: &[u8]) -> [u8; 32] {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, msg);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        out
    }
}
