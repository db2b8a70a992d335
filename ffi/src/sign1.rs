//! COSE_Sign1 with ES256: sign through an `ecnpp_signer`, parse for the `kid`, verify.

use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};

use crate::args::{
    FfiResult, OutBuf, Span, boundary, check_flags, optional_pair, required, write_borrowed,
};
use crate::handle;
use crate::keys::ecnpp_verifying_key;
use crate::result::ecnpp_result;
use crate::signer::{CallbackSigner, ecnpp_signer};

/// Signing flag: leave the payload out of the message (nil); the verifier supplies it.
pub const ECNPP_SIGN1_DETACHED: u32 = 0x0001;
/// Signing flag: omit tag 18 (for protocols that tag at another layer).
pub const ECNPP_SIGN1_UNTAGGED: u32 = 0x0002;
/// Parsing flag: accept a message without tag 18.
pub const ECNPP_SIGN1_ACCEPT_UNTAGGED: u32 = 0x0100;
/// Parsing flag: accept the CWT wrapper `61(18(...))`.
pub const ECNPP_SIGN1_ACCEPT_CWT_TAG: u32 = 0x0200;
/// Parsing flag: reject CBOR that is not core deterministic (message and protected header).
pub const ECNPP_SIGN1_DETERMINISTIC: u32 = 0x0400;

const SIGN_FLAGS: u32 = ECNPP_SIGN1_DETACHED | ECNPP_SIGN1_UNTAGGED;
const PARSE_FLAGS: u32 =
    ECNPP_SIGN1_ACCEPT_UNTAGGED | ECNPP_SIGN1_ACCEPT_CWT_TAG | ECNPP_SIGN1_DETERMINISTIC;

/// The parse options of `ECNPP_SIGN1_ACCEPT_*` / `_DETERMINISTIC` flags; any other bit is
/// `ECNPP_ERR_INVALID_ARGUMENT`.
pub(crate) fn parse_options(flags: u32) -> FfiResult<ParseOptions> {
    check_flags(flags, PARSE_FLAGS)?;
    Ok(ParseOptions {
        accept_untagged: flags & ECNPP_SIGN1_ACCEPT_UNTAGGED != 0,
        accept_cwt_tag: flags & ECNPP_SIGN1_ACCEPT_CWT_TAG != 0,
        deterministic: flags & ECNPP_SIGN1_DETERMINISTIC != 0,
    })
}

/// Signs `payload` as a COSE_Sign1 (tag 18 unless `ECNPP_SIGN1_UNTAGGED`) with protected
/// header `{1: -7}` (ES256).
///
/// * `signer`: the signing callback (`ecnpp_signing_key_as_signer` for a software key).
/// * `kid`/`kid_len` (optional, NULL: none): put in the unprotected header, not authenticated;
///   present but empty is `ECNPP_ERR_INVALID_ARGUMENT`.
/// * `aad`/`aad_len`: external AAD bound into the signature (`(NULL, 0)`: none).
/// * `payload`/`payload_len`: the payload bytes (phase 2 adds claims-encoding variants).
/// * `flags`: `ECNPP_SIGN1_DETACHED`, `ECNPP_SIGN1_UNTAGGED`.
/// * `out`/`out_len`: the message; `*written` its length. Size query: `out == NULL`,
///   `out_len == 0` sets `*written` to the exact size without calling the signer.
///
/// The signer is called only once every argument is valid and the message fits `out`.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_ARGUMENT`
/// (unknown flag, empty kid, `out` overlapping an input), `ECNPP_ERR_BUFFER_TOO_SMALL`,
/// `ECNPP_ERR_SIGNER_FAILED`, `ECNPP_ERR_SIGNATURE_SCALAR_OUT_OF_RANGE` (the signer wrote an
/// invalid signature).
///
/// # Safety
/// Each input readable for its length; `out` writable for `out_len` bytes; `written` writable;
/// `signer.sign` honours the `ecnpp_signer` contract for `signer.ctx`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ecnpp_sign1_sign(
    signer: ecnpp_signer,
    kid: *const u8,
    kid_len: usize,
    aad: *const u8,
    aad_len: usize,
    payload: *const u8,
    payload_len: usize,
    flags: u32,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
) -> ecnpp_result {
    boundary(|| {
        let written = required(written)?;
        let signer = CallbackSigner::new(signer).ok_or(ecnpp_result::ECNPP_ERR_NULL_POINTER)?;
        let kid = Span::optional(kid, kid_len)?;
        let aad = Span::new(aad, aad_len)?;
        let payload = Span::new(payload, payload_len)?;
        let out = OutBuf::new(out, out_len)?;
        check_flags(flags, SIGN_FLAGS)?;
        out.check_disjoint(&[kid, Some(aad), Some(payload)])?;
        // SAFETY: each input readable for its length (caller's promise), checked by Span.
        let (kid, aad, payload) = unsafe {
            (
                kid.map(|k| k.as_slice()),
                aad.as_slice(),
                payload.as_slice(),
            )
        };
        // Core refuses an empty kid when signing; refuse it here already, so that the size
        // query fails exactly when signing would (and before any work).
        if kid.is_some_and(<[u8]>::is_empty) {
            return Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT);
        }
        let mut builder = Sign1Builder::new()
            .external_aad(aad)
            .detached(flags & ECNPP_SIGN1_DETACHED != 0)
            .untagged(flags & ECNPP_SIGN1_UNTAGGED != 0);
        if let Some(kid) = kid {
            builder = builder.kid(kid);
        }
        // SAFETY: out writable for out_len bytes (caller's promise), disjoint from the inputs.
        let n = match unsafe { out.as_mut_slice() } {
            None => builder.encoded_len(payload),
            Some(buf) => builder.sign(&signer, payload, buf)?,
        };
        // SAFETY: non-NULL and writable.
        unsafe { written.write(n) };
        Ok(())
    })
}

/// Parses a COSE_Sign1 with every structural rule (no cryptography) and returns its `kid`,
/// from either header bucket, borrowed from `input` (NULL and 0 when there is none).
///
/// The `kid` is **not authenticated**: use it only to pick a candidate among keys the caller
/// already trusts, then call `ecnpp_sign1_verify`.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_ARGUMENT`
/// (unknown flag), and every parse error (100-111, 200-211, 300-301).
///
/// # Safety
/// `input` readable for `input_len` bytes; `kid_out` and `kid_len_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_sign1_kid_untrusted(
    input: *const u8,
    input_len: usize,
    flags: u32,
    kid_out: *mut *const u8,
    kid_len_out: *mut usize,
) -> ecnpp_result {
    boundary(|| {
        let kid_out = required(kid_out)?;
        let kid_len_out = required(kid_len_out)?;
        let input = Span::new(input, input_len)?;
        let options = parse_options(flags)?;
        // SAFETY: readable for input_len bytes (caller's promise).
        let msg = UnverifiedSign1::parse(unsafe { input.as_slice() }, &options)?;
        // SAFETY: both non-NULL and writable.
        unsafe { write_borrowed(msg.kid_untrusted(), kid_out, kid_len_out) };
        Ok(())
    })
}

/// Parses and verifies an ES256 COSE_Sign1 under `key`, strictly (see docs/c-api.md).
///
/// * `flags`: `ECNPP_SIGN1_ACCEPT_UNTAGGED`, `ECNPP_SIGN1_ACCEPT_CWT_TAG`,
///   `ECNPP_SIGN1_DETERMINISTIC`.
/// * `aad`/`aad_len`: the external AAD the signer bound (`(NULL, 0)`: none).
/// * `detached_payload`/`detached_payload_len` (optional, NULL: absent): the payload of a
///   message signed with `ECNPP_SIGN1_DETACHED`; must be absent for an attached payload.
/// * On success `*payload_out`/`*payload_len_out` is the verified payload, borrowed from
///   `input` (attached) or `detached_payload` (detached).
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_ARGUMENT`,
/// `ECNPP_ERR_INVALID_HANDLE`, every parse error, `ECNPP_ERR_ALGORITHM_KEY_MISMATCH`,
/// `ECNPP_ERR_MISSING_DETACHED_PAYLOAD`, `ECNPP_ERR_UNEXPECTED_DETACHED_PAYLOAD`,
/// `ECNPP_ERR_VERIFICATION_FAILED`.
///
/// # Safety
/// Each input readable for its length and unchanged while the borrowed payload is used; `key` a
/// live handle; `payload_out` and `payload_len_out` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ecnpp_sign1_verify(
    input: *const u8,
    input_len: usize,
    flags: u32,
    key: *const ecnpp_verifying_key,
    aad: *const u8,
    aad_len: usize,
    detached_payload: *const u8,
    detached_payload_len: usize,
    payload_out: *mut *const u8,
    payload_len_out: *mut usize,
) -> ecnpp_result {
    boundary(|| {
        let (payload_out, payload_len_out) = optional_pair(payload_out, payload_len_out)?
            .ok_or(ecnpp_result::ECNPP_ERR_NULL_POINTER)?;
        let input = Span::new(input, input_len)?;
        let aad = Span::new(aad, aad_len)?;
        let detached = Span::optional(detached_payload, detached_payload_len)?;
        let options = parse_options(flags)?;
        // SAFETY: a live handle or NULL (caller's promise).
        let key = unsafe { handle::borrow::<ecnpp_verifying_key>(key) }?;
        // SAFETY: each input readable for its length (caller's promise).
        let (input, aad, detached) = unsafe {
            (
                input.as_slice(),
                aad.as_slice(),
                detached.map(|d| d.as_slice()),
            )
        };
        let msg = UnverifiedSign1::parse(input, &options)?;
        let verified = match detached {
            None => msg.verify(key, aad)?,
            Some(payload) => msg.verify_detached(key, aad, payload)?,
        };
        // SAFETY: both non-NULL and writable.
        unsafe { write_borrowed(Some(verified.payload()), payload_out, payload_len_out) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use core::ffi::{c_int, c_void};
    use core::ptr;

    use super::*;

    /// A signer that writes a fixed in-range signature and counts its calls.
    unsafe extern "C" fn fixed(ctx: *mut c_void, _digest: *const u8, sig: *mut u8) -> c_int {
        // SAFETY: ctx is the `u32` counter below; sig has room for 64 bytes (the contract).
        unsafe {
            *ctx.cast::<u32>() += 1;
            sig.write_bytes(0x11, 64);
        }
        0
    }

    /// The buffer, size-query, overlap and callback paths without elliptic-curve arithmetic, so
    /// that Miri can check them in seconds.
    #[test]
    fn sign_parse_paths() {
        let mut calls = 0u32;
        let signer = ecnpp_signer {
            sign: Some(fixed),
            ctx: (&raw mut calls).cast(),
        };
        let kid = *b"k1";
        let payload = [0xa0u8];
        let mut out = [0u8; 128];
        let (mut q, mut n) = (0usize, 0usize);
        let (mut kid_out, mut kid_len): (*const u8, usize) = (ptr::null(), 0);
        // SAFETY: every pointer is valid for its stated length for the whole call.
        unsafe {
            let sign = |out: *mut u8, len: usize, written: &mut usize| {
                ecnpp_sign1_sign(
                    signer,
                    kid.as_ptr(),
                    kid.len(),
                    ptr::null(),
                    0,
                    payload.as_ptr(),
                    payload.len(),
                    0,
                    out,
                    len,
                    written,
                )
            };
            assert_eq!(sign(ptr::null_mut(), 0, &mut q), ecnpp_result::ECNPP_OK);
            assert_eq!(calls, 0);
            assert_eq!(
                sign(out.as_mut_ptr(), q - 1, &mut n),
                ecnpp_result::ECNPP_ERR_BUFFER_TOO_SMALL
            );
            assert_eq!(
                sign(out.as_mut_ptr(), out.len(), &mut n),
                ecnpp_result::ECNPP_OK
            );
            assert_eq!((calls, n), (1, q));
            assert_eq!(
                ecnpp_sign1_sign(
                    signer,
                    ptr::null(),
                    0,
                    out.as_ptr().add(3),
                    2,
                    payload.as_ptr(),
                    1,
                    0,
                    out.as_mut_ptr(),
                    out.len(),
                    &mut n,
                ),
                ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT
            );
            assert_eq!(
                ecnpp_sign1_kid_untrusted(out.as_ptr(), q, 0, &mut kid_out, &mut kid_len),
                ecnpp_result::ECNPP_OK
            );
            assert_eq!(core::slice::from_raw_parts(kid_out, kid_len), b"k1");
        }
        assert_eq!(calls, 1);
    }

    /// The finding of the appraisal-integrity review, through the C API: an unprotected header
    /// `{4: kid, 99: M}` whose map `M` has maps (of maps) as keys took seconds to refuse at
    /// tens of kilobytes; now the first composite key refuses it, whatever the size.
    #[test]
    fn a_header_with_map_keys_is_refused_at_once() {
        // M: `n` entries, each key a map {i: {j: 0, ...}} of `n` entries.
        let nested = |n: u8| {
            let mut m = vec![0xb8, n];
            for i in 0..n {
                m.extend([0xa1, 0x18, i, 0xb8, n]);
                for j in 0..n {
                    m.extend([0x18, j, 0x00]);
                }
                m.push(0x00);
            }
            m
        };
        for n in [1u8, 40, 200] {
            let mut token = vec![0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26];
            token.extend([0xa2, 0x04, 0x41, 0x6b, 0x18, 99]);
            token.extend(nested(n));
            token.extend([0xf6, 0x58, 0x40]);
            token.extend([1u8; 64]);
            let (mut kid, mut kid_len): (*const u8, usize) = (ptr::null(), 0);
            // SAFETY: `token` is readable for its length; the outputs are writable.
            let r = unsafe {
                ecnpp_sign1_kid_untrusted(token.as_ptr(), token.len(), 0, &mut kid, &mut kid_len)
            };
            assert_eq!(r, ecnpp_result::ECNPP_ERR_INVALID_MAP_KEY, "n = {n}");
            assert!(kid.is_null() && kid_len == 0);
        }
    }
}
