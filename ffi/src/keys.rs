//! `ecnpp_signing_key` and `ecnpp_verifying_key`: ES256 (P-256) keys behind opaque handles.

use core::ffi::{c_int, c_void};

use ecnpp_attest::crypto::{Signer, SigningKey, VerifyingKey};

use crate::args::{
    FfiResult, OutBuf, Span, boundary, boundary_value, optional_pair, required, required_const,
    write_borrowed, write_fixed,
};
use crate::handle::{self, Handle, Header};
use crate::result::ecnpp_result;
use crate::signer::ecnpp_signer;

/// A P-256 private key for ES256. Opaque; ended by `ecnpp_signing_key_free`, which zeroizes it.
///
/// The key is imported into the handle where it lives (`SigningKey::from_bytes_in`), never
/// built elsewhere and moved in, so the handle holds its only copy. `None` only while a
/// constructor fills it: no handle given out is ever empty.
pub struct ecnpp_signing_key {
    header: Header,
    key: Option<SigningKey>,
}

/// A P-256 public key for ES256 verification. Opaque; ended by `ecnpp_verifying_key_free`.
pub struct ecnpp_verifying_key {
    header: Header,
    key: VerifyingKey,
}

/// Caller storage for an `ecnpp_signing_key` (see `ecnpp_signing_key_from_bytes_in`): declare
/// one (on the stack, in a static), never read or copy it, end the key with
/// `ecnpp_signing_key_free`. Size and alignment are part of the ABI.
#[repr(C)]
pub struct ecnpp_signing_key_storage {
    /// Opaque: not to be read or written by the caller.
    pub opaque: [u64; 24],
}

/// Caller storage for an `ecnpp_verifying_key` (see `ecnpp_verifying_key_from_sec1_in`).
#[repr(C)]
pub struct ecnpp_verifying_key_storage {
    /// Opaque: not to be read or written by the caller.
    pub opaque: [u64; 16],
}

// SAFETY: `header` projects to the `header` field with `&raw`; tags are distinct and non-zero.
unsafe impl Handle for ecnpp_signing_key {
    type Value = Option<SigningKey>;
    type Storage = ecnpp_signing_key_storage;
    const TAG: u32 = 0x4543_534b; // "ECSK"
    fn new(header: Header, key: Option<SigningKey>) -> Self {
        Self { header, key }
    }
    fn value(&self) -> &Option<SigningKey> {
        &self.key
    }
    fn value_mut(&mut self) -> &mut Option<SigningKey> {
        &mut self.key
    }
    unsafe fn header(p: *const Self) -> *const Header {
        // SAFETY: p points into an allocation of at least size_of::<Self>() (precondition).
        unsafe { &raw const (*p).header }
    }
}

// SAFETY: as above.
unsafe impl Handle for ecnpp_verifying_key {
    type Value = VerifyingKey;
    type Storage = ecnpp_verifying_key_storage;
    const TAG: u32 = 0x4543_564b; // "ECVK"
    fn new(header: Header, key: VerifyingKey) -> Self {
        Self { header, key }
    }
    fn value(&self) -> &VerifyingKey {
        &self.key
    }
    fn value_mut(&mut self) -> &mut VerifyingKey {
        &mut self.key
    }
    unsafe fn header(p: *const Self) -> *const Header {
        // SAFETY: p points into an allocation of at least size_of::<Self>() (precondition).
        unsafe { &raw const (*p).header }
    }
}

/// Borrows the key of a live signing-key handle.
///
/// # Safety
/// As [`handle::borrow`].
unsafe fn signing_key<'a>(p: *const ecnpp_signing_key) -> FfiResult<&'a SigningKey> {
    // SAFETY: forwarded precondition.
    unsafe { handle::borrow::<ecnpp_signing_key>(p) }?
        .as_ref()
        .ok_or(ecnpp_result::ECNPP_ERR_INVALID_HANDLE)
}

/// Imports `secret` into the empty key of a handle being constructed. The scalar is read by
/// reference, never copied here.
fn import(slot: &mut Option<SigningKey>, secret: &[u8]) -> FfiResult<()> {
    let secret: &[u8; 32] = secret
        .try_into()
        .map_err(|_| ecnpp_result::ECNPP_ERR_INVALID_KEY)?;
    SigningKey::from_bytes_in(slot, secret)?;
    Ok(())
}

/// Length of an uncompressed SEC1 public key, `04 || x || y`.
pub const ECNPP_SEC1_UNCOMPRESSED_LEN: usize = 65;
/// Length of a P-256 private scalar.
pub const ECNPP_SIGNING_KEY_LEN: usize = 32;

/// Imports a 32-byte big-endian P-256 private scalar into a new heap handle.
///
/// `secret`/`secret_len`: the scalar (`secret_len` must be 32). On success `*key_out` is a new
/// handle for `ecnpp_signing_key_free`. The caller should wipe its own copy of the secret.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_KEY`
/// (not 32 bytes, zero, or not below the group order).
///
/// # Safety
/// `secret` must be readable for `secret_len` bytes; `key_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_signing_key_from_bytes(
    secret: *const u8,
    secret_len: usize,
    key_out: *mut *mut ecnpp_signing_key,
) -> ecnpp_result {
    boundary(|| {
        let key_out = required(key_out)?;
        let secret = Span::new(secret, secret_len)?;
        // SAFETY: readable for secret_len bytes (caller's promise), checked by Span.
        let secret = unsafe { secret.as_slice() };
        let handle = handle::boxed_with::<ecnpp_signing_key>(None, |slot| import(slot, secret))?;
        // SAFETY: key_out is non-NULL and writable (caller's promise).
        unsafe { key_out.write(handle) };
        Ok(())
    })
}

/// As `ecnpp_signing_key_from_bytes`, but builds the key in caller `storage` (no heap).
///
/// `*key_out` points into `storage`, which must stay in place until `ecnpp_signing_key_free`,
/// which zeroes it; the storage may then be reused.
///
/// Errors: as `ecnpp_signing_key_from_bytes`.
///
/// # Safety
/// `storage` must be a writable, unaliased `ecnpp_signing_key_storage`; as
/// `ecnpp_signing_key_from_bytes` otherwise.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_signing_key_from_bytes_in(
    storage: *mut ecnpp_signing_key_storage,
    secret: *const u8,
    secret_len: usize,
    key_out: *mut *mut ecnpp_signing_key,
) -> ecnpp_result {
    boundary(|| {
        let storage = required(storage)?;
        let key_out = required(key_out)?;
        let secret = Span::new(secret, secret_len)?;
        // SAFETY: readable for secret_len bytes (caller's promise), checked by Span.
        let secret = unsafe { secret.as_slice() };
        // SAFETY: storage is a writable ecnpp_signing_key_storage (caller's promise).
        let handle = unsafe {
            handle::place_with::<ecnpp_signing_key>(storage, None, |slot| import(slot, secret))
        }?;
        // SAFETY: key_out is non-NULL and writable.
        unsafe { key_out.write(handle) };
        Ok(())
    })
}

/// Writes the public key of `key` as uncompressed SEC1 (`04 || x || y`, 65 bytes).
///
/// Size query: with `out == NULL` and `out_len == 0`, sets `*written` to 65 and returns
/// `ECNPP_OK`.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_HANDLE`,
/// `ECNPP_ERR_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `key` must be a handle from a constructor (not freed); `out` writable for `out_len` bytes;
/// `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_signing_key_public_key(
    key: *const ecnpp_signing_key,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
) -> ecnpp_result {
    boundary(|| {
        let written = required(written)?;
        let out = OutBuf::new(out, out_len)?;
        // SAFETY: a live handle or NULL (caller's promise).
        let key = unsafe { signing_key(key) }?;
        let point = key.verifying_key().to_sec1_uncompressed();
        // SAFETY: out writable for out_len, written writable (caller's promise).
        unsafe { write_fixed(&point, &out, written) }
    })
}

/// Fills `*signer_out` with a signer that signs with the software key `key`, for
/// `ecnpp_sign1_sign`. `key` must outlive every use of the signer.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_INVALID_HANDLE`.
///
/// # Safety
/// `key` must be a handle from a constructor (not freed); `signer_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_signing_key_as_signer(
    key: *const ecnpp_signing_key,
    signer_out: *mut ecnpp_signer,
) -> ecnpp_result {
    boundary(|| {
        let signer_out = required(signer_out)?;
        // SAFETY: a live handle or NULL (caller's promise).
        unsafe { signing_key(key) }?;
        let signer = ecnpp_signer {
            sign: Some(software_sign),
            ctx: key.cast_mut().cast::<c_void>(),
        };
        // SAFETY: non-NULL and writable (caller's promise).
        unsafe { signer_out.write(signer) };
        Ok(())
    })
}

/// The callback behind `ecnpp_signing_key_as_signer`: `ctx` is the key handle.
unsafe extern "C" fn software_sign(ctx: *mut c_void, digest: *const u8, sig_out: *mut u8) -> c_int {
    boundary_value(1, || {
        let (Some(digest), Some(sig_out)) = (
            required_const(digest.cast::<[u8; 32]>()).ok(),
            required(sig_out.cast::<[u8; 64]>()).ok(),
        ) else {
            return 1;
        };
        // SAFETY: ctx is the key handle given to `ecnpp_signing_key_as_signer`, which the
        // caller keeps alive while the signer is used.
        let Ok(key) = (unsafe { signing_key(ctx.cast_const().cast()) }) else {
            return 1;
        };
        // SAFETY: the callback contract: digest readable for 32 bytes (u8 array, align 1).
        let digest = unsafe { digest.read() };
        match key.sign_digest(&digest) {
            Ok(sig) => {
                // SAFETY: the callback contract: sig_out writable for 64 bytes.
                unsafe { sig_out.write(sig.to_bytes()) };
                0
            }
            Err(_) => 1,
        }
    })
}

/// Ends a signing key: zeroizes it and releases its memory (or zeroes its caller storage).
/// NULL is a no-op.
///
/// # Safety
/// `key` must be NULL or a handle from a constructor, not yet freed, and not in use elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_signing_key_free(key: *mut ecnpp_signing_key) {
    boundary_value((), || {
        // SAFETY: forwarded precondition.
        unsafe { handle::free(key) }
    });
}

/// Imports a SEC1 P-256 point (compressed, 33 bytes, or uncompressed, 65 bytes) into a new heap
/// handle.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_KEY`.
///
/// # Safety
/// `sec1` readable for `sec1_len` bytes; `key_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_verifying_key_from_sec1(
    sec1: *const u8,
    sec1_len: usize,
    key_out: *mut *mut ecnpp_verifying_key,
) -> ecnpp_result {
    boundary(|| {
        let key_out = required(key_out)?;
        let sec1 = Span::new(sec1, sec1_len)?;
        // SAFETY: readable for sec1_len bytes (caller's promise).
        let key = VerifyingKey::from_sec1_bytes(unsafe { sec1.as_slice() })?;
        // SAFETY: non-NULL and writable.
        unsafe { key_out.write(handle::boxed::<ecnpp_verifying_key>(key)) };
        Ok(())
    })
}

/// As `ecnpp_verifying_key_from_sec1`, but builds the key in caller `storage` (no heap).
///
/// # Safety
/// `storage` must be a writable, unaliased `ecnpp_verifying_key_storage`; as
/// `ecnpp_verifying_key_from_sec1` otherwise.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_verifying_key_from_sec1_in(
    storage: *mut ecnpp_verifying_key_storage,
    sec1: *const u8,
    sec1_len: usize,
    key_out: *mut *mut ecnpp_verifying_key,
) -> ecnpp_result {
    boundary(|| {
        let storage = required(storage)?;
        let key_out = required(key_out)?;
        let sec1 = Span::new(sec1, sec1_len)?;
        // SAFETY: readable for sec1_len bytes (caller's promise).
        let key = VerifyingKey::from_sec1_bytes(unsafe { sec1.as_slice() })?;
        // SAFETY: storage is a writable ecnpp_verifying_key_storage (caller's promise).
        let handle = unsafe { handle::place::<ecnpp_verifying_key>(storage, key) };
        // SAFETY: non-NULL and writable.
        unsafe { key_out.write(handle) };
        Ok(())
    })
}

/// Shared body of the two COSE_Key constructors: checks, parses, writes the optional `kid`
/// pair, and returns the key for the caller to place.
///
/// # Safety
/// `input` readable for `input_len` bytes; `kid_out`/`kid_len_out` NULL or writable.
unsafe fn from_cose_key(
    input: *const u8,
    input_len: usize,
    kid_out: *mut *const u8,
    kid_len_out: *mut usize,
) -> FfiResult<VerifyingKey> {
    let kid_outs = optional_pair(kid_out, kid_len_out)?;
    let input = Span::new(input, input_len)?;
    // SAFETY: readable for input_len bytes (caller's promise).
    let ck = VerifyingKey::from_cose_key(unsafe { input.as_slice() })?;
    if let Some((p, n)) = kid_outs {
        // SAFETY: both non-NULL and writable (caller's promise).
        unsafe { write_borrowed(ck.kid, p, n) };
    }
    Ok(ck.key)
}

/// Imports a COSE_Key (kty EC2, crv P-256, `x` and `y` or its sign bit; `alg`, if present,
/// ES256; no private `d`) into a new heap handle.
///
/// `kid_out`/`kid_len_out` (optional pair: both NULL, or both non-NULL) receive the key's `kid`
/// borrowed from `cose_key` (NULL and 0 when it has none).
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, CBOR errors (100-111),
/// `ECNPP_ERR_UNSUPPORTED_KEY_TYPE`, `ECNPP_ERR_ALGORITHM_KEY_MISMATCH`,
/// `ECNPP_ERR_UNSUPPORTED_ALGORITHM`, `ECNPP_ERR_INVALID_KEY`.
///
/// # Safety
/// `cose_key` readable for `cose_key_len` bytes; the out-parameters writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_verifying_key_from_cose_key(
    cose_key: *const u8,
    cose_key_len: usize,
    kid_out: *mut *const u8,
    kid_len_out: *mut usize,
    key_out: *mut *mut ecnpp_verifying_key,
) -> ecnpp_result {
    boundary(|| {
        let key_out = required(key_out)?;
        // SAFETY: forwarded caller promises.
        let key = unsafe { from_cose_key(cose_key, cose_key_len, kid_out, kid_len_out) }?;
        // SAFETY: non-NULL and writable.
        unsafe { key_out.write(handle::boxed::<ecnpp_verifying_key>(key)) };
        Ok(())
    })
}

/// As `ecnpp_verifying_key_from_cose_key`, but builds the key in caller `storage` (no heap).
///
/// # Safety
/// `storage` must be a writable, unaliased `ecnpp_verifying_key_storage`; as
/// `ecnpp_verifying_key_from_cose_key` otherwise.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_verifying_key_from_cose_key_in(
    storage: *mut ecnpp_verifying_key_storage,
    cose_key: *const u8,
    cose_key_len: usize,
    kid_out: *mut *const u8,
    kid_len_out: *mut usize,
    key_out: *mut *mut ecnpp_verifying_key,
) -> ecnpp_result {
    boundary(|| {
        let storage = required(storage)?;
        let key_out = required(key_out)?;
        // SAFETY: forwarded caller promises.
        let key = unsafe { from_cose_key(cose_key, cose_key_len, kid_out, kid_len_out) }?;
        // SAFETY: storage is a writable ecnpp_verifying_key_storage (caller's promise).
        let handle = unsafe { handle::place::<ecnpp_verifying_key>(storage, key) };
        // SAFETY: non-NULL and writable.
        unsafe { key_out.write(handle) };
        Ok(())
    })
}

/// Writes `key` as uncompressed SEC1 (65 bytes), with the size query.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_HANDLE`,
/// `ECNPP_ERR_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `key` a live handle; `out` writable for `out_len` bytes; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_verifying_key_to_sec1(
    key: *const ecnpp_verifying_key,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
) -> ecnpp_result {
    boundary(|| {
        let written = required(written)?;
        let out = OutBuf::new(out, out_len)?;
        // SAFETY: a live handle or NULL (caller's promise).
        let key = unsafe { handle::borrow::<ecnpp_verifying_key>(key) }?;
        // SAFETY: out writable for out_len, written writable (caller's promise).
        unsafe { write_fixed(&key.to_sec1_uncompressed(), &out, written) }
    })
}

/// Writes `key` as a deterministic COSE_Key `{1: 2, ?2: kid, 3: -7, -1: 1, -2: x, -3: y}`.
///
/// `kid`/`kid_len` is optional (NULL: no `kid` entry). Size query: with `out == NULL` and
/// `out_len == 0`, sets `*written` to the exact size.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_HANDLE`,
/// `ECNPP_ERR_INVALID_ARGUMENT` (`out` overlaps `kid`), `ECNPP_ERR_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `key` a live handle; `kid` readable for `kid_len` bytes; `out` writable for `out_len`
/// bytes; `written` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_verifying_key_to_cose_key(
    key: *const ecnpp_verifying_key,
    kid: *const u8,
    kid_len: usize,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
) -> ecnpp_result {
    boundary(|| {
        let written = required(written)?;
        let kid = Span::optional(kid, kid_len)?;
        let out = OutBuf::new(out, out_len)?;
        out.check_disjoint(&[kid])?;
        // SAFETY: a live handle or NULL (caller's promise).
        let key = unsafe { handle::borrow::<ecnpp_verifying_key>(key) }?;
        // SAFETY: readable for kid_len bytes (caller's promise).
        let kid = kid.map(|k| unsafe { k.as_slice() });
        let needed = key.cose_key_len(kid);
        // SAFETY: out writable for out_len bytes, disjoint from kid (checked).
        if let Some(buf) = unsafe { out.as_mut_slice() } {
            if buf.len() < needed {
                return Err(ecnpp_result::ECNPP_ERR_BUFFER_TOO_SMALL);
            }
            key.to_cose_key(kid, buf)?;
        }
        // SAFETY: non-NULL and writable.
        unsafe { written.write(needed) };
        Ok(())
    })
}

/// Ends a verifying key and releases its memory (or zeroes its caller storage). NULL is a
/// no-op.
///
/// # Safety
/// `key` must be NULL or a handle from a constructor, not yet freed, and not in use elsewhere.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_verifying_key_free(key: *mut ecnpp_verifying_key) {
    boundary_value((), || {
        // SAFETY: forwarded precondition.
        unsafe { handle::free(key) }
    });
}

#[cfg(test)]
mod tests {
    use core::ptr;

    use super::*;

    /// The public key of core's crypto test key, uncompressed.
    const PK: &str = "04bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff\
                      20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e";

    /// The handle lifecycle, boxed and in caller storage; small enough for Miri
    /// (`cargo +nightly miri test -p ecnpp-attest-ffi --lib`), which checks the unsafe code.
    #[test]
    fn handle_lifecycle() {
        let pk = hex::decode(PK).unwrap();
        let mut out = [0u8; 65];
        let mut n = 0usize;

        let mut boxed: *mut ecnpp_verifying_key = ptr::null_mut();
        // SAFETY: valid buffers and out-pointers for the duration of each call.
        unsafe {
            assert_eq!(
                ecnpp_verifying_key_from_sec1(pk.as_ptr(), pk.len(), &mut boxed),
                ecnpp_result::ECNPP_OK
            );
            assert_eq!(
                ecnpp_verifying_key_to_sec1(boxed, out.as_mut_ptr(), out.len(), &mut n),
                ecnpp_result::ECNPP_OK
            );
            ecnpp_verifying_key_free(boxed);
        }
        assert_eq!(&out[..n], &pk[..]);

        let mut storage = ecnpp_verifying_key_storage { opaque: [7; 16] };
        let mut placed: *mut ecnpp_verifying_key = ptr::null_mut();
        // SAFETY: as above; `storage` outlives every use of `placed`.
        unsafe {
            assert_eq!(
                ecnpp_verifying_key_from_sec1_in(&mut storage, pk.as_ptr(), pk.len(), &mut placed),
                ecnpp_result::ECNPP_OK
            );
            assert_eq!(placed.cast::<u8>(), (&raw mut storage).cast::<u8>());
            out.fill(0);
            assert_eq!(
                ecnpp_verifying_key_to_sec1(placed, out.as_mut_ptr(), out.len(), &mut n),
                ecnpp_result::ECNPP_OK
            );
            assert_eq!(&out[..n], &pk[..]);
            ecnpp_verifying_key_free(placed);
            assert_eq!(
                ecnpp_verifying_key_to_sec1(placed, out.as_mut_ptr(), out.len(), &mut n),
                ecnpp_result::ECNPP_ERR_INVALID_HANDLE
            );
            ecnpp_verifying_key_free(placed); // a second free of zeroed storage: no-op
            ecnpp_verifying_key_free(ptr::null_mut());
        }
        assert_eq!(storage.opaque, [0; 16]);
    }
}
