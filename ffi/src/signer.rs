//! `ecnpp_signer`: a signing callback plus its context, passed by value.

use core::ffi::{c_int, c_void};

use ecnpp_attest::Error;
use ecnpp_attest::crypto::{Digest256, Signature, Signer};

/// A signer: the caller's function that turns a SHA-256 digest into an ES256 signature, and the
/// context it needs (an HSM session, a secure-element handle, ...). Passed by value; nothing to
/// allocate or free.
///
/// `sign(ctx, digest, sig_out)` receives the 32-byte SHA-256 digest of the COSE Sig_structure
/// and writes 64 bytes of fixed-width big-endian `r || s` (never DER) to `sig_out`, which is
/// zeroed beforehand. It returns 0 on success; any other value fails the call with
/// `ECNPP_ERR_SIGNER_FAILED`. It is called at most once per signing call, synchronously, on the
/// caller's thread, and never retained. It must return normally: no C++ exception and no
/// `longjmp` may leave it. The private key never enters this library.
///
/// `ecnpp_signing_key_as_signer` fills one for a software key.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_signer {
    /// The signing function (required: NULL fails with `ECNPP_ERR_NULL_POINTER`).
    pub sign: Option<
        unsafe extern "C" fn(ctx: *mut c_void, digest: *const u8, sig_out: *mut u8) -> c_int,
    >,
    /// Passed unchanged to `sign`; may be NULL.
    pub ctx: *mut c_void,
}

/// A checked `ecnpp_signer` as a core [`Signer`].
pub(crate) struct CallbackSigner {
    sign: unsafe extern "C" fn(*mut c_void, *const u8, *mut u8) -> c_int,
    ctx: *mut c_void,
}

impl CallbackSigner {
    /// `None` when the function pointer is NULL.
    pub(crate) fn new(signer: ecnpp_signer) -> Option<Self> {
        signer.sign.map(|sign| Self {
            sign,
            ctx: signer.ctx,
        })
    }
}

impl Signer for CallbackSigner {
    fn sign_digest(&self, digest: &Digest256) -> ecnpp_attest::Result<Signature> {
        let mut sig = [0u8; 64];
        // SAFETY: the caller of `ecnpp_sign1_sign` supplied this function and context under the
        // documented contract: it reads 32 bytes from `digest` and writes 64 to `sig_out`, both
        // valid here for the duration of the call.
        let rc = unsafe { (self.sign)(self.ctx, digest.as_ptr(), sig.as_mut_ptr()) };
        if rc != 0 {
            return Err(Error::SignerFailed);
        }
        Signature::from_bytes(sig)
    }
}
