//! Keys, signatures and the crypto provider seam.
//!
//! The COSE layer never calls a crypto library directly. It streams the Sig_structure into a
//! [`Digest`], then hands the 32-byte SHA-256 digest to a [`Signer`] or [`Verifier`]:
//!
//! * [`SigningKey`] / [`VerifyingKey`] are the default provider, RustCrypto `p256` + `ecdsa` +
//!   `sha2`: pure Rust, `no_std`, constant-time scalar arithmetic, RFC 6979 deterministic
//!   signatures.
//! * A secure element or HSM implements [`Signer`] itself (the C API wraps a callback this way):
//!   it receives a digest and returns 64 bytes of `r || s`; the private key never enters this
//!   crate.
//! * A host verifier can implement [`Verifier`] over another library.
//!
//! Secrets: [`SigningKey`] is zeroized on drop (the inner `p256` key zeroizes itself), its
//! `Debug` prints no key material, and it offers no `Clone` that could scatter copies. Key
//! import and signing run out of line and the stack they used is wiped afterwards, since
//! `p256`/`ecdsa` leave copies of the scalar and of the nonce there; [`SigningKey::from_bytes_in`]
//! builds a key where it will stay. docs/constant-time.md, "Secrets", says what is covered.

use core::fmt;

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use sha2::Digest as _;
use zeroize::{Zeroize as _, ZeroizeOnDrop, Zeroizing};

use crate::cbor::{self, Decoder, Encoder, Mode, SliceWriter};
use crate::error::{Error, Result};

/// COSE algorithm identifier of ES256 (ECDSA with P-256 and SHA-256, RFC 9053).
pub const ES256: i64 = -7;

/// COSE signature algorithms this crate recognises but does not use with a P-256 key:
/// ES384, ES512, EdDSA, PS256/384/512, ES256K, RS256/384/512 and the fully specified
/// ESP256/384/512 and Ed25519/Ed448 (RFC 9864). A message naming one of these fails with
/// [`Error::AlgorithmKeyMismatch`], any other value with [`Error::UnsupportedAlgorithm`].
pub const KNOWN_SIGNATURE_ALGORITHMS: [i64; 15] = [
    -35, -36, -8, -37, -38, -39, -47, -257, -258, -259, -9, -51, -52, -19, -53,
];

/// The order `n` of the P-256 group, big-endian. Public constant: comparisons against it are
/// on public signature values and may be variable-time.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// A SHA-256 digest, the only hash ES256 uses.
pub type Digest256 = [u8; 32];

/// An incremental hash: the Sig_structure is fed to it piece by piece, never built in a buffer.
pub trait Digest: cbor::Write {
    /// Consumes the hasher and returns the digest.
    fn finalize(self) -> Digest256;
}

/// SHA-256 from RustCrypto `sha2`.
#[derive(Clone, Default)]
pub struct Sha256(sha2::Sha256);

impl Sha256 {
    /// A fresh hasher.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The SHA-256 digest of `data` in one call.
    #[must_use]
    pub fn digest(data: &[u8]) -> Digest256 {
        let mut h = Self::new();
        cbor::Write::write(&mut h, data);
        h.finalize()
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha256")
    }
}

impl cbor::Write for Sha256 {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

impl Digest for Sha256 {
    fn finalize(self) -> Digest256 {
        self.0.finalize().into()
    }
}

/// An ECDSA P-256 signature as COSE carries it: exactly 64 bytes, `r || s`, fixed width,
/// big-endian, with `0 < r, s < n`. Never DER.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; 64]);

impl Signature {
    /// Length of the encoding.
    pub const LEN: usize = 64;

    /// Parses and range-checks a fixed-width signature.
    ///
    /// # Errors
    /// [`Error::InvalidSignatureLength`] unless exactly 64 bytes (a DER signature lands here);
    /// [`Error::SignatureScalarOutOfRange`] when `r` or `s` is zero or not below `n`.
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let raw: [u8; 64] = bytes
            .try_into()
            .map_err(|_| Error::InvalidSignatureLength)?;
        Self::from_bytes(raw)
    }

    /// Range-checks a fixed-width signature.
    ///
    /// # Errors
    /// [`Error::SignatureScalarOutOfRange`] when `r` or `s` is zero or not below `n`.
    pub fn from_bytes(raw: [u8; 64]) -> Result<Self> {
        let (r, s) = raw.split_at(32);
        if scalar_in_range(r) && scalar_in_range(s) {
            Ok(Self(raw))
        } else {
            Err(Error::SignatureScalarOutOfRange)
        }
    }

    /// The 64 bytes `r || s`.
    #[must_use]
    pub const fn to_bytes(&self) -> [u8; 64] {
        self.0
    }

    /// The 64 bytes `r || s`, borrowed.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signature(")?;
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// `0 < v < n` for a 32-byte big-endian public value (variable time: signatures are public).
#[cfg_attr(feature = "small-code", inline(never))]
fn scalar_in_range(v: &[u8]) -> bool {
    v.iter().any(|&b| b != 0) && v < P256_ORDER.as_slice()
}

/// Produces ES256 signatures over SHA-256 digests. Implement it to sign with a secure element,
/// a TPM or an HSM.
pub trait Signer {
    /// The COSE algorithm this signer produces; the COSE layer refuses anything but [`ES256`].
    fn algorithm(&self) -> i64 {
        ES256
    }

    /// Signs a SHA-256 digest of the Sig_structure.
    ///
    /// # Errors
    /// [`Error::SignerFailed`] (or another precise error) when the signer cannot sign.
    fn sign_digest(&self, digest: &Digest256) -> Result<Signature>;
}

/// Checks ES256 signatures over SHA-256 digests.
pub trait Verifier {
    /// The COSE algorithm this key verifies; a message naming another fails before any crypto.
    fn algorithm(&self) -> i64 {
        ES256
    }

    /// Verifies `signature` over `digest`.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`], with no further detail.
    fn verify_digest(&self, digest: &Digest256, signature: &Signature) -> Result<()>;
}

impl<T: Signer + ?Sized> Signer for &T {
    fn algorithm(&self) -> i64 {
        (**self).algorithm()
    }
    fn sign_digest(&self, digest: &Digest256) -> Result<Signature> {
        (**self).sign_digest(digest)
    }
}

impl<T: Verifier + ?Sized> Verifier for &T {
    fn algorithm(&self) -> i64 {
        (**self).algorithm()
    }
    fn verify_digest(&self, digest: &Digest256, signature: &Signature) -> Result<()> {
        (**self).verify_digest(digest, signature)
    }
}

/// A P-256 private key for ES256, zeroized on drop, never printed.
///
/// Copies: the key's only copy is where the caller keeps it. Every copy `p256`/`ecdsa` make
/// while importing the scalar or signing (its bytes, the RFC 6979 state, the nonce `k`) lies on
/// the stack below a call this crate wipes afterwards (docs/constant-time.md, "Secrets"). Build
/// the key in place with [`SigningKey::from_bytes_in`] to keep exactly one copy: a key returned
/// by value may be moved by the compiler, and a move leaves the old bytes where no destructor
/// sees them.
pub struct SigningKey {
    inner: p256::ecdsa::SigningKey,
}

/// Bytes of stack that [`scrub_stack`] overwrites below its caller. It must reach below
/// everything `p256` key import and signing use under the out-of-line call that runs them:
/// measured 4.3 KiB on x86-64 and 4.0 KiB on thumbv7em for signing in release builds, 16 KiB
/// unoptimised (`tests/tests/secrets_scan.rs` prints the figure and fails if a copy survives).
/// 32-bit targets (Cortex-M) get 4.5 KiB: their measured 4.0 KiB and a margin, so that the
/// scrub does not raise a firmware's signing stack peak by more than it must
/// (`bash benches/size/run.sh`, `sign_ours` against `sign_p256`).
const SCRUB_BYTES: usize = if cfg!(debug_assertions) {
    32 * 1024
} else if cfg!(target_pointer_width = "32") {
    4608
} else {
    6 * 1024
};

/// Overwrites [`SCRUB_BYTES`] of the stack below its caller with zeros, by volatile writes
/// that the compiler keeps. Called right after an out-of-line secret computation returns, its
/// frame covers the same addresses that computation's frames used, so the copies `p256` and
/// `ecdsa` leave there (and do not zeroize themselves) are gone before the caller goes on.
#[inline(never)]
fn scrub_stack() {
    let mut area = [0u64; SCRUB_BYTES / 8];
    area.as_mut_slice().zeroize();
}

/// Imports `secret` into `slot`. Out of line so that the temporaries of the import (the
/// `p256` key built before it is moved into `slot`, its scalar, the public-key multiplication
/// and its radix-16 digits of the scalar) all live in this frame or below it.
#[inline(never)]
fn import(slot: &mut Option<SigningKey>, secret: &[u8; 32]) -> Result<()> {
    *slot = None; // a previous key zeroizes itself here
    // A reference cast: no copy of the caller's bytes.
    let bytes: &p256::FieldBytes = secret.into();
    *slot = Some(SigningKey {
        inner: p256::ecdsa::SigningKey::from_bytes(bytes).map_err(|_| Error::InvalidKey)?,
    });
    Ok(())
}

/// ES256 over `digest` with `key`. Out of line for [`scrub_stack`]: `ecdsa` leaves the scalar's
/// bytes, the HMAC-DRBG state and the nonce `k` (whose knowledge with the public signature
/// gives the key away) on the stack.
#[inline(never)]
fn sign(key: &p256::ecdsa::SigningKey, digest: &Digest256) -> Result<Signature> {
    let sig: p256::ecdsa::Signature = key.sign_prehash(digest).map_err(|_| Error::SignerFailed)?;
    Signature::from_bytes(sig.to_bytes().into())
}

/// Writes the scalar of `key` to `out`. Out of line for [`scrub_stack`] (the encoded scalar is
/// returned by value from `p256`).
#[inline(never)]
fn export(key: &p256::ecdsa::SigningKey, out: &mut [u8; 32]) {
    out.copy_from_slice(&key.to_bytes());
}

impl SigningKey {
    /// Imports a 32-byte big-endian private scalar into `slot`, in place, and returns the key
    /// there: the one copy of the key is in `slot` (a previous key in it is zeroized first), and
    /// the stack the import used is wiped. A `Box<Option<SigningKey>>`, a static or a field of
    /// the caller's own struct are all fine slots; the C API builds its handles this way.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the scalar is zero or not below the group order; `slot` is
    /// then `None`.
    pub fn from_bytes_in<'s>(slot: &'s mut Option<Self>, secret: &[u8; 32]) -> Result<&'s Self> {
        let imported = import(slot, secret);
        scrub_stack();
        imported?;
        slot.as_ref().ok_or(Error::InvalidKey)
    }

    /// Imports a 32-byte big-endian private scalar.
    ///
    /// The key is returned by value, which the compiler may implement as a copy; see
    /// [`SigningKey::from_bytes_in`] for a key that is never moved.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the scalar is zero or not below the group order.
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn from_bytes(secret: &[u8; 32]) -> Result<Self> {
        let mut slot = None;
        Self::from_bytes_in(&mut slot, secret)?;
        slot.ok_or(Error::InvalidKey)
    }

    /// Imports a private scalar from a slice (no copy of it is made before the import).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] unless exactly 32 bytes of a valid scalar.
    pub fn from_slice(secret: &[u8]) -> Result<Self> {
        Self::from_bytes(secret.try_into().map_err(|_| Error::InvalidKey)?)
    }

    /// Generates a key from a caller-supplied source of random bytes (for example the OS RNG or
    /// a TRNG), by rejection sampling; no RNG crate is imposed on firmware. The candidate
    /// buffer is zeroized; the key is returned by value (see [`SigningKey::from_bytes`]).
    ///
    /// # Errors
    /// The error of `fill`, or [`Error::InvalidKey`] if 64 candidates in a row were rejected
    /// (probability below 2^-2000 for a working RNG; a stuck RNG is the likely cause).
    pub fn generate(mut fill: impl FnMut(&mut [u8; 32]) -> Result<()>) -> Result<Self> {
        let mut candidate = Zeroizing::new([0u8; 32]);
        let mut slot = None;
        for _ in 0..64 {
            fill(&mut candidate)?;
            if Self::from_bytes_in(&mut slot, &candidate).is_ok() {
                break;
            }
        }
        slot.ok_or(Error::InvalidKey)
    }

    /// The private scalar, in a buffer that zeroizes itself when dropped (the buffer is
    /// returned by value: keep it where it lands).
    #[must_use]
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        export(&self.inner, &mut out);
        scrub_stack();
        out
    }

    /// The matching public key.
    #[must_use]
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey {
            inner: *self.inner.verifying_key(),
        }
    }
}

impl Signer for SigningKey {
    fn sign_digest(&self, digest: &Digest256) -> Result<Signature> {
        let signature = sign(&self.inner, digest);
        scrub_stack();
        signature
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").finish_non_exhaustive()
    }
}

impl ZeroizeOnDrop for SigningKey {}

/// A P-256 public key for ES256 verification.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VerifyingKey {
    inner: p256::ecdsa::VerifyingKey,
}

/// COSE_Key labels and values (RFC 9052 §7, RFC 9053 §7.1).
mod cose_key {
    pub(super) const KTY: i64 = 1;
    pub(super) const KID: i64 = 2;
    pub(super) const ALG: i64 = 3;
    pub(super) const KEY_OPS: i64 = 4;
    pub(super) const KEY_OP_VERIFY: i64 = 2;
    pub(super) const CRV: i64 = -1;
    pub(super) const X: i64 = -2;
    pub(super) const Y: i64 = -3;
    pub(super) const D: i64 = -4;
    pub(super) const KTY_EC2: i64 = 2;
    pub(super) const CRV_P256: i64 = 1;
}

/// A public key read from a COSE_Key, with its optional key identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoseKey<'a> {
    /// The key.
    pub key: VerifyingKey,
    /// The `kid` (label 2), borrowed from the input.
    pub kid: Option<&'a [u8]>,
}

impl VerifyingKey {
    /// Imports a SEC1 point, compressed (33 bytes) or uncompressed (65 bytes).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the bytes are not a point on P-256 (or are the identity).
    pub fn from_sec1_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 33 && bytes.len() != 65 {
            return Err(Error::InvalidKey);
        }
        p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
            .map(|inner| Self { inner })
            .map_err(|_| Error::InvalidKey)
    }

    /// The uncompressed SEC1 encoding `04 || x || y`.
    #[must_use]
    pub fn to_sec1_uncompressed(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out.copy_from_slice(self.inner.to_sec1_point(false).as_bytes());
        out
    }

    /// The compressed SEC1 encoding `02|03 || x`.
    #[must_use]
    pub fn to_sec1_compressed(&self) -> [u8; 33] {
        let mut out = [0u8; 33];
        out.copy_from_slice(self.inner.to_sec1_point(true).as_bytes());
        out
    }

    /// Reads a COSE_Key: kty EC2, crv P-256, `x` and `y` (32-byte `y`, or the boolean sign bit of
    /// point compression); an `alg`, if present, must be ES256.
    ///
    /// # Errors
    /// CBOR errors of [`cbor::validate`]; [`Error::UnsupportedKeyType`] for another kty or crv;
    /// [`Error::AlgorithmKeyMismatch`] / [`Error::UnsupportedAlgorithm`] for another alg;
    /// [`Error::InvalidKey`] for missing or malformed coordinates, a point not on the curve,
    /// private key material (`d`) where a public key is expected, or `key_ops` without `verify`;
    /// [`Error::UnexpectedType`].
    pub fn from_cose_key(input: &[u8]) -> Result<CoseKey<'_>> {
        cbor::validate(input, Mode::Lenient)?;
        let mut d = Decoder::new(input);
        let n = d.map()?;
        let (mut kty, mut crv, mut x, mut kid) = (None, None, None, None);
        let mut y: Option<core::result::Result<&[u8], bool>> = None;
        for _ in 0..n {
            let label = match d.int() {
                Ok(l) => l,
                Err(Error::UnexpectedType) => {
                    d.skip()?; // text labels carry nothing this crate uses
                    d.skip()?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            match label {
                cose_key::KTY => kty = Some(d.int().map_err(|_| Error::UnsupportedKeyType)?),
                cose_key::KID => kid = Some(d.bytes().map_err(|_| Error::InvalidKey)?),
                cose_key::ALG => match d.int() {
                    Ok(ES256) => {}
                    Ok(a) if KNOWN_SIGNATURE_ALGORITHMS.contains(&a) => {
                        return Err(Error::AlgorithmKeyMismatch);
                    }
                    _ => return Err(Error::UnsupportedAlgorithm),
                },
                cose_key::CRV => crv = Some(d.int().map_err(|_| Error::UnsupportedKeyType)?),
                cose_key::X => x = Some(d.bytes().map_err(|_| Error::InvalidKey)?),
                cose_key::Y => {
                    y = Some(match d.peek_major()? {
                        cbor::Major::Bytes => Ok(d.bytes()?),
                        _ => Err(d.bool().map_err(|_| Error::InvalidKey)?),
                    });
                }
                cose_key::D => return Err(Error::InvalidKey),
                cose_key::KEY_OPS => {
                    // A key restricted to other operations is not a verification key.
                    let n = d.array().map_err(|_| Error::InvalidKey)?;
                    let mut verify = false;
                    for _ in 0..n {
                        match d.peek_major()? {
                            cbor::Major::Text => {
                                d.skip()?;
                            }
                            _ => {
                                verify |= d.int().map_err(|_| Error::InvalidKey)?
                                    == cose_key::KEY_OP_VERIFY
                            }
                        }
                    }
                    if !verify {
                        return Err(Error::InvalidKey);
                    }
                }
                // Base IV and private labels carry nothing a verifier needs.
                _ => d.skip()?,
            }
        }
        if kty != Some(cose_key::KTY_EC2) || crv != Some(cose_key::CRV_P256) {
            return Err(Error::UnsupportedKeyType);
        }
        let x = x.filter(|x| x.len() == 32).ok_or(Error::InvalidKey)?;
        let mut sec1 = [0u8; 65];
        let used = match y.ok_or(Error::InvalidKey)? {
            Ok(y) if y.len() == 32 => {
                sec1[0] = 0x04;
                sec1[1..33].copy_from_slice(x);
                sec1[33..65].copy_from_slice(y);
                65
            }
            Ok(_) => return Err(Error::InvalidKey),
            Err(odd) => {
                sec1[0] = if odd { 0x03 } else { 0x02 };
                sec1[1..33].copy_from_slice(x);
                33
            }
        };
        let key = Self::from_sec1_bytes(sec1.get(..used).ok_or(Error::InvalidKey)?)?;
        Ok(CoseKey { key, kid })
    }

    fn encode_cose_key<W: cbor::Write>(&self, kid: Option<&[u8]>, e: &mut Encoder<W>) {
        let point = self.to_sec1_uncompressed();
        let (x, y) = point[1..].split_at(32);
        // Keys in deterministic order: 1, 2, 3, -1, -2, -3.
        e.map(if kid.is_some() { 6 } else { 5 });
        e.int(cose_key::KTY).int(cose_key::KTY_EC2);
        if let Some(kid) = kid {
            e.int(cose_key::KID).bytes(kid);
        }
        e.int(cose_key::ALG).int(ES256);
        e.int(cose_key::CRV).int(cose_key::CRV_P256);
        e.int(cose_key::X).bytes(x);
        e.int(cose_key::Y).bytes(y);
    }

    /// Writes the key as a deterministic COSE_Key `{1: 2, ?2: kid, 3: -7, -1: 1, -2: x, -3: y}`.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] with the exact size needed.
    pub fn to_cose_key(&self, kid: Option<&[u8]>, out: &mut [u8]) -> Result<usize> {
        let mut w = SliceWriter::new(out);
        self.encode_cose_key(kid, &mut Encoder::new(&mut w));
        w.finish()
    }

    /// The exact size [`Self::to_cose_key`] writes.
    #[must_use]
    pub fn cose_key_len(&self, kid: Option<&[u8]>) -> usize {
        cbor::encoded_len(|e| self.encode_cose_key(kid, e))
    }
}

impl Verifier for VerifyingKey {
    fn verify_digest(&self, digest: &Digest256, signature: &Signature) -> Result<()> {
        let sig = p256::ecdsa::Signature::from_slice(signature.as_bytes())
            .map_err(|_| Error::VerificationFailed)?;
        self.inner
            .verify_prehash(digest, &sig)
            .map_err(|_| Error::VerificationFailed)
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyingKey(")?;
        for b in self.to_sec1_compressed() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "57c92077664146e876760c9520d054aa93c3afb04e306705db6090308507b4d3";
    const X: &str = "bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff";
    const Y: &str = "20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e";

    fn key() -> SigningKey {
        SigningKey::from_slice(&hex::decode(D).unwrap()).unwrap()
    }

    #[test]
    #[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
    fn public_key_matches_known_answer() {
        let pk = key().verifying_key().to_sec1_uncompressed();
        assert_eq!(hex::encode(&pk[1..33]), X);
        assert_eq!(hex::encode(&pk[33..]), Y);
    }

    #[test]
    #[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
    fn debug_hides_secret() {
        let s = std::format!("{:?}", key());
        assert!(!s.to_lowercase().contains(&D[..8]));
        assert_eq!(s, "SigningKey { .. }");
    }

    #[test]
    #[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
    fn sign_is_deterministic_and_verifies() {
        let k = key();
        let d = Sha256::digest(b"abc");
        let s1 = k.sign_digest(&d).unwrap();
        assert_eq!(s1, k.sign_digest(&d).unwrap());
        k.verifying_key().verify_digest(&d, &s1).unwrap();
        let other = Sha256::digest(b"abd");
        assert_eq!(
            k.verifying_key().verify_digest(&other, &s1),
            Err(Error::VerificationFailed)
        );
    }

    #[test]
    fn signature_checks() {
        assert_eq!(
            Signature::from_slice(&[1; 63]),
            Err(Error::InvalidSignatureLength)
        );
        assert_eq!(
            Signature::from_slice(&[1; 72]),
            Err(Error::InvalidSignatureLength)
        );
        let mut raw = [1u8; 64];
        raw[..32].fill(0);
        assert_eq!(
            Signature::from_bytes(raw),
            Err(Error::SignatureScalarOutOfRange)
        );
        let mut raw = [1u8; 64];
        raw[32..].copy_from_slice(&P256_ORDER);
        assert_eq!(
            Signature::from_bytes(raw),
            Err(Error::SignatureScalarOutOfRange)
        );
        let mut raw = [1u8; 64];
        raw[32..].fill(0xff);
        assert_eq!(
            Signature::from_bytes(raw),
            Err(Error::SignatureScalarOutOfRange)
        );
        let mut below = P256_ORDER;
        below[31] -= 1;
        let mut raw = [1u8; 64];
        raw[32..].copy_from_slice(&below);
        assert!(Signature::from_bytes(raw).is_ok());
    }

    #[test]
    #[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
    fn from_bytes_in_builds_in_place_and_empties_the_slot_on_error() {
        let d: [u8; 32] = hex::decode(D).unwrap().try_into().unwrap();
        let mut slot = None;
        let pk = SigningKey::from_bytes_in(&mut slot, &d)
            .unwrap()
            .verifying_key();
        assert_eq!(pk, key().verifying_key());
        assert!(slot.is_some());
        // A second import replaces the key in the same place.
        let other = SigningKey::from_bytes_in(&mut slot, &[0x31; 32])
            .unwrap()
            .verifying_key();
        assert_ne!(other, pk);
        // A bad scalar leaves the slot empty, the previous key dropped (zeroized).
        assert_eq!(
            SigningKey::from_bytes_in(&mut slot, &[0; 32]).err(),
            Some(Error::InvalidKey)
        );
        assert!(slot.is_none());
        assert_eq!(
            SigningKey::from_bytes_in(&mut slot, &P256_ORDER).err(),
            Some(Error::InvalidKey)
        );
        assert!(slot.is_none());
        assert_eq!(*key().to_bytes(), d);
    }

    #[test]
    fn keys_reject_bad_input() {
        assert_eq!(
            SigningKey::from_bytes(&[0; 32]).err(),
            Some(Error::InvalidKey)
        );
        assert_eq!(
            SigningKey::from_bytes(&P256_ORDER).err(),
            Some(Error::InvalidKey)
        );
        assert_eq!(
            SigningKey::from_slice(&[1; 31]).err(),
            Some(Error::InvalidKey)
        );
        assert_eq!(
            VerifyingKey::from_sec1_bytes(&[4; 65]),
            Err(Error::InvalidKey)
        );
        assert_eq!(VerifyingKey::from_sec1_bytes(&[0]), Err(Error::InvalidKey));
        let mut calls = 0;
        let stuck = SigningKey::generate(|b| {
            calls += 1;
            b.fill(0);
            Ok(())
        });
        assert_eq!(stuck.err(), Some(Error::InvalidKey));
        assert_eq!(calls, 64);
        let failing = SigningKey::generate(|_| Err(Error::SignerFailed));
        assert_eq!(failing.err(), Some(Error::SignerFailed));
    }

    #[test]
    #[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
    fn cose_key_round_trip_and_errors() {
        let vk = key().verifying_key();
        for kid in [None, Some(&b"11"[..])] {
            let mut buf = [0u8; 128];
            let n = vk.to_cose_key(kid, &mut buf).unwrap();
            assert_eq!(n, vk.cose_key_len(kid));
            cbor::validate(&buf[..n], Mode::Strict).unwrap();
            let ck = VerifyingKey::from_cose_key(&buf[..n]).unwrap();
            assert_eq!(ck.key, vk);
            assert_eq!(ck.kid, kid);
        }
        assert_eq!(
            vk.to_cose_key(None, &mut [0u8; 10]),
            Err(Error::BufferTooSmall {
                needed: vk.cose_key_len(None)
            })
        );
        let compressed = vk.to_sec1_compressed();
        let x = &compressed[1..];
        let odd = compressed[0] == 3;
        let mut buf = [0u8; 128];
        let mut w = SliceWriter::new(&mut buf);
        Encoder::new(&mut w)
            .map(4)
            .int(1)
            .int(2)
            .int(-1)
            .int(1)
            .int(-2)
            .bytes(x)
            .int(-3)
            .bool(odd);
        let n = w.finish().unwrap();
        assert_eq!(VerifyingKey::from_cose_key(&buf[..n]).unwrap().key, vk);

        let cases: &[(&str, Error)] = &[
            ("a301012001215820", Error::Truncated),
            ("a20101200f", Error::UnsupportedKeyType), // kty OKP
            ("a201022002", Error::UnsupportedKeyType), // crv P-384
            ("a3010220010338 23", Error::AlgorithmKeyMismatch), // alg ES512
            ("a30102200103390 3e6", Error::UnsupportedAlgorithm),
            ("a2010220 01", Error::InvalidKey),      // no x, y
            ("a301022001234101", Error::InvalidKey), // d present
        ];
        for (h, e) in cases {
            let bytes = hex::decode(h.replace(' ', "")).unwrap();
            assert_eq!(VerifyingKey::from_cose_key(&bytes).err(), Some(*e), "{h}");
        }
    }
}
