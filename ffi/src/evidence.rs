//! ECN PP evidence: a device signs its claims through an `ecnpp_signer`; a verifier checks the
//! signature against the keys it trusts and reads the claims back in the same C shape.

use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use ecnpp_attest::crypto::VerifyingKey;
use ecnpp_attest::ecnpp::{self, TrustAnchor, VerifiedEvidence};

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

/// A key the caller trusts and the key identifier tokens name it by.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_trust_anchor {
    /// The key identifier; `(NULL, 0)` is the empty kid.
    pub kid: ecnpp_bytes,
    /// The key (a live handle; required).
    pub key: *const ecnpp_verifying_key,
}

/// The keys a token may be signed with: exactly one of `key` (that key, whatever `kid` the
/// token carries) or `anchors` (the first anchor whose `kid` equals the token's; the token's
/// `kid` only selects among keys given here, it never brings a key of its own).
///
/// `key` and `anchors` both NULL is `ECNPP_ERR_NULL_POINTER`; `key` with a non-NULL `anchors`
/// or a non-zero `anchors_len` is `ECNPP_ERR_INVALID_ARGUMENT`. A token whose `kid` no anchor
/// has (or that has none) is `ECNPP_ERR_KEY_NOT_TRUSTED`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_trust {
    /// One trusted key, or NULL to use `anchors`.
    pub key: *const ecnpp_verifying_key,
    /// Trust anchors (when `key` is NULL).
    pub anchors: *const ecnpp_trust_anchor,
    /// Number of entries in `anchors`.
    pub anchors_len: usize,
}

/// A checked `ecnpp_trust`.
pub(crate) enum Trust<'a> {
    /// One key.
    Key(&'a VerifyingKey),
    /// Anchors, each checked (kid readable, key a live handle).
    Anchors(&'a [ecnpp_trust_anchor]),
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
    if !t.key.is_null() {
        if !t.anchors.is_null() || t.anchors_len != 0 {
            return Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT);
        }
        // SAFETY: a live handle (caller's promise).
        return Ok(Trust::Key(unsafe { handle::borrow(t.key) }?));
    }
    if t.anchors.is_null() && t.anchors_len == 0 {
        return Err(ecnpp_result::ECNPP_ERR_NULL_POINTER);
    }
    // SAFETY: forwarded precondition; ecnpp_trust_anchor is plain data.
    let anchors = unsafe { array(t.anchors, t.anchors_len) }?;
    note(Span::of(anchors));
    for a in anchors {
        // SAFETY: forwarded precondition.
        note(Span::of(unsafe { a.kid.buffer() }?));
        // SAFETY: a live handle or NULL (caller's promise).
        unsafe { handle::borrow(a.key) }?;
    }
    Ok(Trust::Anchors(anchors))
}

/// Verifies `token` as evidence under `trust` (core's rules: the kid selects, the signature
/// decides).
///
/// # Safety
/// `trust` came from [`check_trust`] and what it points to is still alive and unchanged.
pub(crate) unsafe fn verify_evidence<'t>(
    token: &'t [u8],
    options: &ParseOptions,
    trust: &Trust<'_>,
) -> FfiResult<VerifiedEvidence<'t>> {
    let anchors = match trust {
        Trust::Key(key) => return Ok(VerifiedEvidence::verify(token, *key, options)?),
        Trust::Anchors(anchors) => anchors,
    };
    let unverified = UnverifiedSign1::parse(token, options)?;
    for a in anchors.iter() {
        // SAFETY: checked by check_trust; alive and unchanged (precondition).
        let (kid, key) = unsafe { (a.kid.buffer()?, handle::borrow(a.key)?) };
        // Core's own selection rule, one anchor at a time (no heap for a converted array).
        let one = [TrustAnchor { kid, key: *key }];
        if let Ok(key) = ecnpp::select_anchor(&unverified, &one) {
            return Ok(VerifiedEvidence::verify(token, key, options)?);
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
///   header (a verifier uses it to pick a trust anchor); present but empty is
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
/// * `trust`: the device key, or trust anchors selected by the token's `kid`.
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
/// `ECNPP_ERR_MISSING_SUBMODULE`, `ECNPP_ERR_BUFFER_TOO_SMALL`.
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
        // SAFETY: checked above, alive for the call.
        let evidence = unsafe { verify_evidence(token, &options, &trust) }?;
        ecnpp::validate_evidence(evidence.claims())?;
        // SAFETY: writable for measurements_cap entries (caller's promise), disjoint from token.
        let storage = unsafe { array_out_slice::<ecnpp_measurement>(storage) };
        let claims = evidence_claims_to_c(evidence.claims(), storage)?;
        // SAFETY: non-NULL, aligned, writable.
        unsafe { claims_out.write(claims) };
        Ok(())
    })
}
