//! An optional crypto provider for hosts: AWS-LC (through `aws-lc-rs`) for ES256 signing and
//! verification and for SHA-256. Feature `aws-lc-rs` (which implies `std`).
//!
//! It plugs into the same seam as the default provider: [`AwsLcSigningKey`] implements
//! [`Signer`] and [`AwsLcVerifyingKey`] implements [`Verifier`], so every API that takes a
//! `&impl Signer` or `&impl Verifier` (COSE, evidence, appraisal, results, batches) works with
//! them unchanged. The COSE layer still streams the Sig_structure into SHA-256 and hands over
//! the 32-byte digest; AWS-LC takes it as a prehashed digest (`Digest::import_less_safe`, then
//! `EcdsaKeyPair::sign_digest` / `ParsedPublicKey::verify_digest_sig`), so no seam change was
//! needed and the message is hashed exactly once.
//!
//! Why use it: on x86-64 hosts AWS-LC verifies ES256 several times faster than the pure-Rust
//! default (see `docs/performance.md`), which matters to a verifier appraising many devices.
//! Why not everywhere: it is C and assembly, needs a C toolchain to build, allocates inside
//! AWS-LC (C `malloc`, invisible to Rust's allocator) and is not `no_std`.
//!
//! Differences from the default provider a caller can observe:
//! * signatures are randomized (AWS-LC draws a fresh nonce), not RFC 6979 deterministic: two
//!   signatures of the same message differ, and both verify everywhere;
//! * [`AwsLcSha256`] implements [`Digest`] for callers who hash Sig_structures themselves
//!   ([`crate::cose::UnverifiedSign1::write_sig_structure`]); the COSE layer's own hashing uses
//!   the default SHA-256 (both use the CPU's SHA extensions where present).

use core::fmt;

use aws_lc_rs::digest::{self as lc_digest, SHA256};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _,
    ParsedPublicKey,
};

use crate::cbor;
use crate::crypto::{Digest, Digest256, Signature, Signer, SigningKey, Verifier, VerifyingKey};
use crate::error::{Error, Result};

/// Wraps a raw 32-byte SHA-256 value for AWS-LC's prehashed entry points.
fn import_digest(digest: &Digest256) -> Result<lc_digest::Digest> {
    lc_digest::Digest::import_less_safe(digest, &SHA256).map_err(|_| Error::InvalidArgument)
}

/// A P-256 private key held by AWS-LC, for ES256 signing. AWS-LC frees (and clears) it on drop;
/// `Debug` prints no key material.
pub struct AwsLcSigningKey {
    inner: EcdsaKeyPair,
}

impl AwsLcSigningKey {
    /// Imports a 32-byte big-endian private scalar (the same format as
    /// [`SigningKey::from_bytes`]).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the scalar is zero, not below the group order, or AWS-LC
    /// rejects it.
    pub fn from_bytes(secret: &[u8; 32]) -> Result<Self> {
        // The public point is derived by the default provider (AWS-LC's import wants both);
        // that key is zeroized when it goes out of scope.
        let public = SigningKey::from_bytes(secret)?
            .verifying_key()
            .to_sec1_uncompressed();
        EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            secret,
            &public,
        )
        .map(|inner| Self { inner })
        .map_err(|_| Error::InvalidKey)
    }

    /// Imports an unencrypted PKCS#8 v1 P-256 private key (DER).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the document is not a P-256 key AWS-LC accepts.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self> {
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
            .map(|inner| Self { inner })
            .map_err(|_| Error::InvalidKey)
    }

    /// Generates a fresh key with AWS-LC's own random generator.
    ///
    /// # Errors
    /// [`Error::SignerFailed`] when AWS-LC cannot generate a key.
    pub fn generate() -> Result<Self> {
        EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map(|inner| Self { inner })
            .map_err(|_| Error::SignerFailed)
    }

    /// The matching public key, for the default provider.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if AWS-LC's public point cannot be read (never for a valid key).
    pub fn verifying_key(&self) -> Result<VerifyingKey> {
        VerifyingKey::from_sec1_bytes(self.inner.public_key().as_ref())
    }

    /// The matching public key, for this provider.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if AWS-LC's public point cannot be read (never for a valid key).
    pub fn aws_lc_verifying_key(&self) -> Result<AwsLcVerifyingKey> {
        AwsLcVerifyingKey::from_sec1_bytes(self.inner.public_key().as_ref())
    }
}

impl Signer for AwsLcSigningKey {
    fn sign_digest(&self, digest: &Digest256) -> Result<Signature> {
        let sig = self
            .inner
            .sign_digest(&import_digest(digest)?)
            .map_err(|_| Error::SignerFailed)?;
        Signature::from_slice(sig.as_ref())
    }
}

impl fmt::Debug for AwsLcSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcSigningKey").finish_non_exhaustive()
    }
}

/// A P-256 public key parsed once by AWS-LC, for ES256 verification. Parse it once and keep it
/// (with the trust anchors, say): parsing checks the point, work a per-token key would repeat.
pub struct AwsLcVerifyingKey {
    inner: ParsedPublicKey,
    sec1: [u8; 65],
}

impl AwsLcVerifyingKey {
    /// Imports a SEC1 point, compressed (33 bytes) or uncompressed (65 bytes).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the bytes are not a point on P-256 (or are the identity).
    pub fn from_sec1_bytes(bytes: &[u8]) -> Result<Self> {
        // The default provider checks the point and normalises it to the uncompressed form, so
        // both providers accept exactly the same keys.
        Self::from_verifying_key(&VerifyingKey::from_sec1_bytes(bytes)?)
    }

    /// The same public key as a default-provider [`VerifyingKey`] (for example one read from a
    /// COSE_Key or a trust anchor).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if AWS-LC rejects the point (never for a valid key).
    pub fn from_verifying_key(key: &VerifyingKey) -> Result<Self> {
        let sec1 = key.to_sec1_uncompressed();
        ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, sec1)
            .map(|inner| Self { inner, sec1 })
            .map_err(|_| Error::InvalidKey)
    }

    /// The uncompressed SEC1 encoding `04 || x || y`.
    #[must_use]
    pub const fn to_sec1_uncompressed(&self) -> [u8; 65] {
        self.sec1
    }
}

impl Verifier for AwsLcVerifyingKey {
    fn verify_digest(&self, digest: &Digest256, signature: &Signature) -> Result<()> {
        self.inner
            .verify_digest_sig(
                &import_digest(digest).map_err(|_| Error::VerificationFailed)?,
                signature.as_bytes(),
            )
            .map_err(|_| Error::VerificationFailed)
    }
}

impl fmt::Debug for AwsLcVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AwsLcVerifyingKey(")?;
        for b in self.sec1 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl PartialEq for AwsLcVerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.sec1 == other.sec1
    }
}

impl Eq for AwsLcVerifyingKey {}

/// SHA-256 from AWS-LC, as an incremental [`Digest`].
#[derive(Clone)]
pub struct AwsLcSha256(lc_digest::Context);

impl AwsLcSha256 {
    /// A fresh hasher.
    #[must_use]
    pub fn new() -> Self {
        Self(lc_digest::Context::new(&SHA256))
    }
}

impl Default for AwsLcSha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for AwsLcSha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AwsLcSha256")
    }
}

impl cbor::Write for AwsLcSha256 {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

impl Digest for AwsLcSha256 {
    fn finalize(self) -> Digest256 {
        let mut out = [0u8; 32];
        // A SHA-256 context always yields 32 bytes; `zip` keeps this free of panicking paths.
        for (o, b) in out.iter_mut().zip(self.0.finish().as_ref()) {
            *o = *b;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Sha256;

    #[test]
    fn sha256_matches_default() {
        let data = b"The quick brown fox jumps over the lazy dog";
        let mut h = AwsLcSha256::new();
        cbor::Write::write(&mut h, &data[..10]);
        cbor::Write::write(&mut h, &data[10..]);
        assert_eq!(h.finalize(), Sha256::digest(data));
    }

    #[test]
    fn providers_interoperate() {
        let secret = [0x42u8; 32];
        let lc = AwsLcSigningKey::from_bytes(&secret).unwrap();
        let rc = SigningKey::from_bytes(&secret).unwrap();
        let vk = rc.verifying_key();
        assert_eq!(lc.verifying_key().unwrap(), vk);
        let lc_vk = lc.aws_lc_verifying_key().unwrap();
        let d = Sha256::digest(b"abc");
        let s_lc = lc.sign_digest(&d).unwrap();
        let s_rc = rc.sign_digest(&d).unwrap();
        vk.verify_digest(&d, &s_lc).unwrap();
        lc_vk.verify_digest(&d, &s_rc).unwrap();
        lc_vk.verify_digest(&d, &s_lc).unwrap();
        let other = Sha256::digest(b"abd");
        assert_eq!(
            lc_vk.verify_digest(&other, &s_rc),
            Err(Error::VerificationFailed)
        );
        assert!(!std::format!("{lc:?}").contains("42"));
    }

    #[test]
    fn keys_reject_bad_input() {
        assert_eq!(
            AwsLcSigningKey::from_bytes(&[0; 32]).err(),
            Some(Error::InvalidKey)
        );
        assert_eq!(
            AwsLcSigningKey::from_pkcs8(&[0x30, 0x00]).err(),
            Some(Error::InvalidKey)
        );
        assert_eq!(
            AwsLcVerifyingKey::from_sec1_bytes(&[4; 65]).err(),
            Some(Error::InvalidKey)
        );
        let k = AwsLcSigningKey::generate().unwrap();
        let vk = k.aws_lc_verifying_key().unwrap();
        let d = Sha256::digest(b"x");
        vk.verify_digest(&d, &k.sign_digest(&d).unwrap()).unwrap();
    }
}
