//! # ecnpp-attest
//!
//! Attestation evidence for edge devices built to the Edge Compute Node Protection Profile
//! (ECN PP): an EAT (RFC 9711) claims set carried in a COSE_Sign1 (RFC 9052) signed with ES256.
//!
//! The crate is `#![no_std]` and never allocates: every encoder writes into a caller's buffer
//! and has an exact size query, every decoder borrows from its input. A `std` feature adds host
//! conveniences only (`std::error::Error`).
//!
//! ```
//! use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
//! use ecnpp_attest::crypto::SigningKey;
//!
//! # fn main() -> Result<(), ecnpp_attest::Error> {
//! // A device key (in firmware this would come from a secure element via `crypto::Signer`).
//! let key = SigningKey::from_bytes(&[0x42; 32])?;
//! let payload: &[u8] = b"\xa1\x0a\x48nonce-01"; // {10: h'6e6f6e63652d3031'}
//!
//! // Sign into a caller-owned buffer; the size query is exact.
//! let builder = Sign1Builder::new().kid(b"device-1");
//! let mut buf = [0u8; 256];
//! let len = builder.sign(&key, payload, &mut buf)?;
//! assert_eq!(len, builder.encoded_len(payload));
//!
//! // Verify strictly: parse gives an untrusted view, verify gives the trusted payload.
//! let unverified = UnverifiedSign1::parse(&buf[..len], &ParseOptions::DEFAULT)?;
//! assert_eq!(unverified.kid_untrusted(), Some(&b"device-1"[..])); // only to pick a key
//! let verified = unverified.verify(&key.verifying_key(), &[])?;
//! assert_eq!(verified.payload(), payload);
//! # Ok(())
//! # }
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(feature = "std", test))]
extern crate std;

pub mod appraise;
#[cfg(feature = "aws-lc-rs")]
pub mod aws_lc;
#[cfg(feature = "std")]
pub mod batch;
pub mod cbor;
pub mod cose;
pub mod crypto;
pub mod eat;
pub mod ecnpp;
pub mod error;

pub use error::{Error, Result};
