//! ECN PP evidence: a device signs its claims through an `ecnpp_signer`; a verifier checks the
//! signature against the keys it trusts and reads the claims back in the same C shape.

use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use ecnpp_attest::crypto::VerifyingKey;
use ecnpp_attest::eat::{HwModel, OemId, Ueid};
use ecnpp_attest::ecnpp::{self, Endorsement, Model, VerifiedEvidence};

use crate::args::{
    FfiResult, OutBuf, Span, array, array_out, array_out_slice, boundary, input, output, required,
};
use crate::claims::{
    Overlap, ecnpp_bytes, ecnpp_evidence_claims, ecnpp_measurement, evidence_claims_to_c,
    with_evidence_claims,
};
use crate::handle;
use crate::keys::ecnpp_verifying_key;
use crate::result::ecnpp_result;
use crate::sign1::parse_options;
use crate::signer::{CallbackSigner, ecnpp_signer};

/// Most models in one `ecnpp_endorsement`.
pub const ECNPP_MAX_MODELS: usize = 16;

/// A certified model an endorsement vouches for: the OEM and the hardware model, compared with
/// the evidence's `oemid` and `hwmodel` (as `ecnpp_certified_config` names them).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_model {
    /// The OEM: 3 bytes (IEEE OUI) or 16 (random). Required.
    pub oemid: ecnpp_bytes,
    /// The hardware model, 1 to 32 bytes. Required.
    pub hwmodel: ecnpp_bytes,
}

/// An endorsement: a device key, the key identifier tokens name it by, and what the key may
/// attest. Appraisal of evidence verified with it refuses a model it does not list
/// (`ECNPP_REASON_MODEL_NOT_ENDORSED`) and, when `ueid` is set, another device
/// (`ECNPP_REASON_UEID_NOT_ENDORSED`).
///
/// Checked whole, whether or not the token selects it: `key` NULL is `ECNPP_ERR_NULL_POINTER`
/// and a handle of another type or a freed one `ECNPP_ERR_INVALID_HANDLE`; a pointer NULL with a
/// non-zero length is `ECNPP_ERR_NULL_POINTER`, a length above `PTRDIFF_MAX`
/// `ECNPP_ERR_LENGTH_OVERFLOW`; more than `ECNPP_MAX_MODELS` models, a model's `oemid` not 3 or
/// 16 bytes or its `hwmodel` not 1 to 32 bytes (absent included), or a `ueid` given but not 7 to
/// 33 bytes is `ECNPP_ERR_INVALID_ARGUMENT`.
///
/// With no models (`(NULL, 0)`) the key still verifies signatures (`ecnpp_evidence_verify`), but
/// no appraisal under it is better than contraindicated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_endorsement {
    /// The key identifier tokens name the key by; `(NULL, 0)` is the empty kid (no token names
    /// it). Ignored when this is `ecnpp_trust.endorsement`.
    pub kid: ecnpp_bytes,
    /// The endorsed key (a live handle; required).
    pub key: *const ecnpp_verifying_key,
    /// The certified models the key may attest, at most `ECNPP_MAX_MODELS`.
    pub models: *const ecnpp_model,
    /// Number of entries in `models`.
    pub models_len: usize,
    /// The one device the key belongs to (7 to 33 bytes, type byte first); `(NULL, 0)`: the
    /// endorsement binds no device.
    pub ueid: ecnpp_bytes,
}

/// The endorsements a token may be verified under: exactly one of `endorsement` (that one,
/// whatever `kid` the token carries) or `endorsements` (the first whose `kid` equals the
/// token's; the token's `kid` only selects among endorsements given here, it never brings a key
/// of its own).
///
/// `endorsement` and `endorsements` both NULL (with `endorsements_len` 0) is
/// `ECNPP_ERR_NULL_POINTER`; `endorsement` with a non-NULL `endorsements` or a non-zero
/// `endorsements_len` is `ECNPP_ERR_INVALID_ARGUMENT`; `endorsements` NULL with a non-zero
/// length is `ECNPP_ERR_NULL_POINTER`. Every endorsement is checked as `ecnpp_endorsement`
/// says. A token whose `kid` no endorsement has (or that has none) is
/// `ECNPP_ERR_KEY_NOT_TRUSTED`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_trust {
    /// One endorsement, or NULL to use `endorsements`.
    pub endorsement: *const ecnpp_endorsement,
    /// Endorsements selected by the token's `kid` (when `endorsement` is NULL).
    pub endorsements: *const ecnpp_endorsement,
    /// Number of entries in `endorsements`.
    pub endorsements_len: usize,
}

/// A checked `ecnpp_trust`.
pub(crate) enum Trust<'a> {
    /// One endorsement, whatever kid the token carries.
    One(&'a ecnpp_endorsement),
    /// Endorsements selected by kid.
    ByKid(&'a [ecnpp_endorsement]),
}

/// Stack room for the models of one endorsement.
pub(crate) type ModelRoom<'a> = [Model<'a>; ECNPP_MAX_MODELS];

/// An empty [`ModelRoom`].
pub(crate) const fn model_room() -> ModelRoom<'static> {
    [Model {
        oemid: OemId::Pen(0),
        hwmodel: &[],
    }; ECNPP_MAX_MODELS]
}

const INVALID: ecnpp_result = ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT;

/// Converts `e` into core's endorsement, its models into `room`, checking every field and
/// passing each input range to `note`.
///
/// # Safety
/// Every pointer in `e` readable for its length (the key a live handle or NULL), unchanged for
/// `'a`.
unsafe fn endorsement_from_c<'a>(
    e: &ecnpp_endorsement,
    room: &'a mut ModelRoom<'a>,
    note: &dyn Fn(Span),
) -> FfiResult<Endorsement<'a>> {
    // SAFETY: forwarded precondition (ecnpp_model is plain data).
    unsafe {
        let kid = e.kid.buffer()?;
        note(Span::of(kid));
        let key: &VerifyingKey = handle::borrow(e.key)?;
        let models = array(e.models, e.models_len)?;
        note(Span::of(models));
        if models.len() > room.len() {
            return Err(INVALID);
        }
        for (slot, m) in room.iter_mut().zip(models) {
            let oemid = m.oemid.optional()?.ok_or(INVALID)?;
            let hwmodel = m.hwmodel.optional()?.ok_or(INVALID)?;
            note(Span::of(oemid));
            note(Span::of(hwmodel));
            HwModel::new(hwmodel).map_err(|_| INVALID)?;
            *slot = Model {
                oemid: OemId::from_bytes(oemid).map_err(|_| INVALID)?,
                hwmodel,
            };
        }
        let mut endorsement =
            Endorsement::new(key, room.get(..models.len()).unwrap_or(&[])).kid(kid);
        if let Some(ueid) = e.ueid.optional()? {
            note(Span::of(ueid));
            endorsement = endorsement.ueid(Ueid::new(ueid).map_err(|_| INVALID)?);
        }
        Ok(endorsement)
    }
}

/// Checks `trust` and everything it points to, passing each input range to `note`.
///
/// # Safety
/// `trust` NULL or readable; its pointers readable / live handles for `'a`.
pub(crate) unsafe fn check_trust<'a>(
    trust: *const ecnpp_trust,
    note: &dyn Fn(Span),
) -> FfiResult<Trust<'a>> {
    // SAFETY: forwarded precondition; ecnpp_trust is plain data.
    let t = unsafe { input(trust) }?;
    note(Span::of(core::slice::from_ref(t)));
    let trust = if t.endorsement.is_null() {
        if t.endorsements.is_null() && t.endorsements_len == 0 {
            return Err(ecnpp_result::ECNPP_ERR_NULL_POINTER);
        }
        // SAFETY: forwarded precondition; ecnpp_endorsement is plain data.
        Trust::ByKid(unsafe { array(t.endorsements, t.endorsements_len) }?)
    } else {
        if !t.endorsements.is_null() || t.endorsements_len != 0 {
            return Err(INVALID);
        }
        // SAFETY: forwarded precondition; ecnpp_endorsement is plain data.
        Trust::One(unsafe { input(t.endorsement) }?)
    };
    let all = match &trust {
        Trust::One(e) => core::slice::from_ref(*e),
        Trust::ByKid(list) => list,
    };
    note(Span::of(all));
    for e in all {
        let mut room = model_room();
        // SAFETY: forwarded precondition.
        unsafe { endorsement_from_c(e, &mut room, note) }?;
    }
    Ok(trust)
}

/// Verifies `token` as evidence under `trust` (core's rules: the kid selects, the signature
/// decides), the selected endorsement's models converted into `room`.
///
/// # Safety
/// `trust` came from [`check_trust`] and what it points to is still alive and unchanged for
/// `'t`.
pub(crate) unsafe fn verify_evidence<'t>(
    token: &'t [u8],
    options: &ParseOptions,
    trust: &Trust<'_>,
    room: &'t mut ModelRoom<'t>,
) -> FfiResult<VerifiedEvidence<'t>> {
    let list = match trust {
        Trust::One(e) => {
            // SAFETY: checked by check_trust; alive and unchanged (precondition).
            let endorsement = unsafe { endorsement_from_c(e, room, &|_| {}) }?;
            return Ok(VerifiedEvidence::verify(token, &endorsement, options)?);
        }
        Trust::ByKid(list) => list,
    };
    let unverified = UnverifiedSign1::parse(token, options)?;
    for e in list.iter() {
        // SAFETY: checked by check_trust; alive and unchanged (precondition).
        let (kid, key) = unsafe { (e.kid.buffer()?, handle::borrow(e.key)?) };
        // Core's own selection rule, one endorsement at a time (no heap for a converted array).
        let one = [Endorsement::<VerifyingKey>::new(key, &[]).kid(kid)];
        if ecnpp::select_endorsement(&unverified, &one).is_ok() {
            // SAFETY: as above.
            let endorsement = unsafe { endorsement_from_c(e, room, &|_| {}) }?;
            return Ok(VerifiedEvidence::verify(token, &endorsement, options)?);
        }
    }
    Err(ecnpp_result::ECNPP_ERR_KEY_NOT_TRUSTED)
}

/// Signs ECN PP evidence: validates `claims` against the profile (required claims, the
/// submodule its promise needs), encodes them deterministically straight into `out` as the
/// payload of a COSE_Sign1 (tag 18, ES256, `eat_profile` = this profile), and has `signer` sign
/// the digest.
///
/// * `kid`/`kid_len` (optional, NULL: none): the device key's identifier, in the unprotected
///   header (a verifier uses it to pick the endorsement); present but empty is
///   `ECNPP_ERR_INVALID_ARGUMENT`.
/// * `out`/`out_len`, `*written`: size query with `out == NULL` (the signer is not called; the
///   claims are checked all the same, so the query fails exactly when signing would, except for
///   the signer's own failure).
///
/// Heap-free. The signer is called once, only after every argument and claim was checked and
/// the token fits `out`. Nothing is kept after the call.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_ARGUMENT`
/// (empty kid, a `has_` field not 0/1, `out` overlapping any input), `ECNPP_ERR_INVALID_UTF8`,
/// `ECNPP_ERR_INVALID_CLAIM`, `ECNPP_ERR_MISSING_CLAIM`, `ECNPP_ERR_MISSING_SUBMODULE`,
/// `ECNPP_ERR_BUFFER_TOO_SMALL`, `ECNPP_ERR_SIGNER_FAILED`,
/// `ECNPP_ERR_SIGNATURE_SCALAR_OUT_OF_RANGE`.
///
/// # Safety
/// `claims` readable, with every pointer in it readable for its length; `kid` readable for
/// `kid_len`; `out` writable for `out_len`; `written` writable; `signer` honours its contract.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_evidence_sign(
    claims: *const ecnpp_evidence_claims,
    kid: *const u8,
    kid_len: usize,
    signer: ecnpp_signer,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
) -> ecnpp_result {
    boundary(|| {
        let written = required(written)?;
        // SAFETY: readable plain data (caller's promise).
        let claims = unsafe { input(claims) }?;
        let signer = CallbackSigner::new(signer).ok_or(ecnpp_result::ECNPP_ERR_NULL_POINTER)?;
        let kid = Span::optional(kid, kid_len)?;
        let out = OutBuf::new(out, out_len)?;
        // SAFETY: readable for kid_len bytes (caller's promise).
        let kid = kid.map(|k| unsafe { k.as_slice() });
        if kid.is_some_and(<[u8]>::is_empty) {
            return Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT);
        }
        let overlap = Overlap::new(&out);
        overlap.note(Span::of(core::slice::from_ref(claims)));
        if let Some(k) = kid {
            overlap.note(Span::of(k));
        }
        let note = |s| overlap.note(s);
        // SAFETY: every pointer in `claims` readable for its length (caller's promise).
        unsafe {
            with_evidence_claims(claims, &note, |c| {
                overlap.check()?;
                let mut builder = Sign1Builder::new();
                if let Some(k) = kid {
                    builder = builder.kid(k);
                }
                // SAFETY: writable for out_len bytes and disjoint from every input (checked).
                let n = match out.as_mut_slice() {
                    None => ecnpp::evidence_len(c, &builder)?,
                    Some(buf) => ecnpp::sign_evidence(c, &builder, &signer, buf)?,
                };
                // SAFETY: non-NULL and writable (caller's promise).
                written.write(n);
                Ok(())
            })
        }
    })
}

/// Verifies an ECN PP evidence token and reads its claims back.
///
/// * `flags`: `ECNPP_SIGN1_ACCEPT_UNTAGGED`, `ECNPP_SIGN1_ACCEPT_CWT_TAG`,
///   `ECNPP_SIGN1_DETERMINISTIC` (also applied to the claims map).
/// * `trust`: the device's endorsement, or endorsements selected by the token's `kid`. Only
///   the key is used here: what the endorsement covers (models, ueid) is judged by
///   `ecnpp_appraise`.
/// * `measurements`/`measurements_cap`: caller storage for the measurements (the device's,
///   then the TEE's); `(NULL, 0)` when none are expected. Evidence with more is
///   `ECNPP_ERR_BUFFER_TOO_SMALL`; `ECNPP_MAX_MEASUREMENTS` entries per list always suffice for
///   evidence an appraisal could affirm. Written only on success; must not overlap `token`.
/// * `*claims_out`: every field, on success only. Byte and text fields point into `token`;
///   `measurements` and `tee.measurements` point into `measurements` (whose `content` point into
///   `token`): valid while both stay alive and unchanged. Absent claims are NULL / `has_` 0.
///
/// The claims must meet the profile's evidence rules (`eat_profile`, the required claims, the
/// submodule the promise needs, no verifier-only claims). Evidence valid for the profile but
/// outside this struct's shape (a nonce array of several nonces, an `oemid` given as a private
/// enterprise number, an `"se"` claims set without `dbgstat`) is `ECNPP_ERR_INVALID_CLAIM`;
/// `ecnpp_appraise` judges such evidence fully. Other submodules are not reported.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_ARGUMENT`,
/// `ECNPP_ERR_INVALID_HANDLE`, every parse error (100-111, 200-211, 300-301),
/// `ECNPP_ERR_KEY_NOT_TRUSTED`, `ECNPP_ERR_ALGORITHM_KEY_MISMATCH`,
/// `ECNPP_ERR_VERIFICATION_FAILED`, `ECNPP_ERR_INVALID_PAYLOAD` (not a claims map),
/// `ECNPP_ERR_INVALID_CLAIM`, `ECNPP_ERR_MISSING_CLAIM`, `ECNPP_ERR_WRONG_PROFILE`,
/// `ECNPP_ERR_RESULT_GIVEN_AS_EVIDENCE` (an attestation result, signed under the result
/// profile), `ECNPP_ERR_MISSING_SUBMODULE`, `ECNPP_ERR_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `token` readable for `token_len`; `trust` readable with live handles; `measurements`
/// writable for `measurements_cap` entries; `claims_out` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ecnpp_evidence_verify(
    token: *const u8,
    token_len: usize,
    flags: u32,
    trust: *const ecnpp_trust,
    measurements: *mut ecnpp_measurement,
    measurements_cap: usize,
    claims_out: *mut ecnpp_evidence_claims,
) -> ecnpp_result {
    boundary(|| {
        let claims_out = output(claims_out)?;
        let token = Span::new(token, token_len)?;
        let options = parse_options(flags)?;
        // SAFETY: readable with live handles (caller's promise).
        let trust = unsafe { check_trust(trust, &|_| {}) }?;
        let storage = array_out(measurements, measurements_cap)?;
        if storage.overlaps(&token) {
            return Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT);
        }
        // SAFETY: readable for token_len bytes (caller's promise).
        let token = unsafe { token.as_slice() };
        let mut room = model_room();
        // SAFETY: checked above, alive for the call.
        let evidence = unsafe { verify_evidence(token, &options, &trust, &mut room) }?;
        ecnpp::validate_evidence(evidence.claims())?;
        // SAFETY: writable for measurements_cap entries (caller's promise), disjoint from token.
        let storage = unsafe { array_out_slice::<ecnpp_measurement>(storage) };
        let claims = evidence_claims_to_c(evidence.claims(), storage)?;
        // SAFETY: non-NULL, aligned, writable.
        unsafe { claims_out.write(claims) };
        Ok(())
    })
}
