//! A measured prototype of proposed core change 1 (docs/performance.md): sign evidence with the
//! claims encoded **once**, straight into the output buffer, and hashed from there.
//!
//! Not used by the library: it exists so the proposal comes with a number. It is built only on
//! core's public API and produces byte-identical tokens (tested), so the comparison with
//! [`crate::fixture::sign`] isolates the cost of today's five encodes.
//!
//! Today `Sign1Builder::sign` encodes the claims for `payload_len()`, again for
//! `encoded_len()` (twice: `payload_len()` and the size pass over the whole message), into
//! SHA-256, and into the buffer. Here: one size pass for the payload length, one pass into the
//! buffer; the hash reads the payload bytes back from the buffer (the Sig_structure is still
//! streamed piece by piece, never built), and the signature is written last.

use ecnpp_attest::cbor::{Encoder, SliceWriter, Write as _};
use ecnpp_attest::cose::{PROTECTED_ES256, Payload as _, TAG_SIGN1, label};
use ecnpp_attest::crypto::{Digest as _, ES256, Sha256, Signer};
use ecnpp_attest::eat::Claims;
use ecnpp_attest::ecnpp;
use ecnpp_attest::{Error, Result};

/// Signs ECN PP evidence like `ecnpp::sign_evidence(claims, Sign1Builder::new().kid(kid), ..)`,
/// encoding the claims once into `out`.
///
/// # Errors
/// As `ecnpp::sign_evidence`.
pub fn sign_encode_once<S: Signer + ?Sized>(
    claims: &Claims<'_>,
    kid: &[u8],
    signer: &S,
    out: &mut [u8],
) -> Result<usize> {
    ecnpp::validate_evidence(claims)?;
    let payload = claims.as_payload()?;
    if signer.algorithm() != ES256 {
        return Err(Error::UnsupportedAlgorithm);
    }
    let payload_len = payload.payload_len();
    // The message, with the signature left as 64 zero bytes.
    let mut w = SliceWriter::new(out);
    Encoder::new(&mut w)
        .tag(TAG_SIGN1)
        .array(4)
        .bytes(&PROTECTED_ES256)
        .map(1)
        .int(label::KID)
        .bytes(kid)
        .bytes_header(payload_len);
    let payload_start = w.len();
    payload.write_payload(&mut Encoder::new(&mut w));
    let payload_end = w.len();
    Encoder::new(&mut w).bytes(&[0; 64]);
    let len = w.finish()?; // BufferTooSmall before the signer is asked, as today
    // Sig_structure: ["Signature1", protected, h'', payload], the payload read back from `out`.
    let mut h = Sha256::new();
    Encoder::new(&mut h)
        .array(4)
        .text("Signature1")
        .bytes(&PROTECTED_ES256)
        .bytes(&[])
        .bytes_header(payload_len);
    h.write(
        out.get(payload_start..payload_end)
            .ok_or(Error::LengthOverflow)?,
    );
    let signature = signer.sign_digest(&h.finalize())?;
    out.get_mut(len - 64..len)
        .ok_or(Error::LengthOverflow)?
        .copy_from_slice(signature.as_bytes());
    Ok(len)
}
