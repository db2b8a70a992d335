//! # ecnpp-attest
//!
//! Attestation evidence for edge devices built to the Edge Compute Node Protection Profile
//! (ECN PP): an EAT (RFC 9711) claims set carried in a COSE_Sign1 (RFC 9052) signed with ES256.
//!
//! The crate is `#![no_std]` and never allocates: every encoder writes into a caller's buffer
//! and has an exact size query, every decoder borrows from its input.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cbor`] | deterministic encoder with size queries, zero-copy decoder, strict validation |
//! | [`cose`] | COSE_Sign1 ES256: sign, parse (untrusted view), verify (trusted view) |
//! | [`crypto`] | keys (zeroized, never printed), COSE_Key, the `Signer` / `Verifier` provider seam |
//! | [`eat`] | EAT and CWT claims: one `Claims` type for reading and writing |
//! | [`ecnpp`] | the ECN PP profile: promises, its rules, evidence signing and verification |
//! | [`appraise`] | policy, attestation results, result tokens, workload requirements |
//! | [`error`] | the one `Copy` error type with stable codes |
//!
//! Features: `std` (host conveniences: `std::error::Error`, and `batch`, parallel verification
//! and appraisal across threads); `aws-lc-rs` (a faster provider for hosts, module `aws_lc`).
//!
//! ## A device signs evidence, a verifier appraises it, a relying party decides
//!
//! ```
//! use ecnpp_attest::appraise::{appraise, CertifiedConfig, Challenge, Policy, Requirement, TrustStatus, VerifiedResult};
//! use ecnpp_attest::cose::{ParseOptions, Sign1Builder};
//! use ecnpp_attest::crypto::SigningKey;
//! use ecnpp_attest::eat::{Claims, DebugStatus, HwModel, List, Measurement, NamedSubmodule, Nonce, NonceClaim, OemId, Submodule, Ueid, Version};
//! use ecnpp_attest::ecnpp::{self, Endorsement, Model, VerifiedEvidence, PP_REF_V1_0_7, PROFILE};
//! use ecnpp_attest::eat::Promise;
//!
//! # fn main() -> Result<(), ecnpp_attest::Error> {
//! // The verifier issues a challenge.
//! let challenge = *b"fresh-challenge!";
//! let now = 1_790_000_000;
//!
//! // Device (no_std, no heap): claims borrowed from its own memory, signed into its own buffer.
//! // In firmware the key stays in a secure element behind `crypto::Signer`.
//! let device_key = SigningKey::from_bytes(&[0x31; 32])?;
//! let firmware = [Measurement { content_type: 0, content: &[0x11; 32] }];
//! let tee_code = [Measurement { content_type: 0, content: &[0x22; 32] }];
//! let tee = Claims { measurements: Some(List::Items(&tee_code)), ..Claims::default() };
//! let submods = [NamedSubmodule { name: "tee", submodule: Submodule::Claims(tee) }];
//! let claims = Claims {
//!     eat_profile: Some(PROFILE),
//!     nonce: Some(NonceClaim::One(Nonce::new(&challenge)?)),
//!     ueid: Some(Ueid::new(&[1, 0x4e, 0x6f, 0x64, 0x65, 0x2d, 0x30, 0x31])?),
//!     oemid: Some(OemId::Ieee(&[0x00, 0x1b, 0x44])),
//!     hwmodel: Some(HwModel::new(b"edge-node-x1")?),
//!     swname: Some("edge-os"),
//!     swversion: Some(Version { version: "4.2.1", scheme: None }),
//!     oemboot: Some(true),
//!     dbgstat: Some(DebugStatus::DisabledPermanently),
//!     measurements: Some(List::Items(&firmware)),
//!     promise: Some(Promise::SecureEnclave),
//!     pp_ref: Some(PP_REF_V1_0_7),
//!     submods: Some(List::Items(&submods)),
//!     ..Claims::default()
//! };
//! let builder = Sign1Builder::new().kid(b"device-1");
//! let mut token = [0u8; 512];
//! let len = ecnpp::sign_evidence(&claims, &builder, &device_key, &mut token)?;
//! assert_eq!(len, ecnpp::evidence_len(&claims, &builder)?); // the size query is exact
//!
//! // Verifier: the device key is endorsed for its model; verify strictly, then appraise against
//! // the allow-list of certified configurations.
//! let device_pub = device_key.verifying_key();
//! let models = [Model { oemid: OemId::Ieee(&[0x00, 0x1b, 0x44]), hwmodel: b"edge-node-x1" }];
//! let endorsement = Endorsement::new(&device_pub, &models);
//! let evidence = VerifiedEvidence::verify(&token[..len], &endorsement, &ParseOptions::DEFAULT)?;
//! let references = [firmware[0], tee_code[0]];
//! let certified = [CertifiedConfig {
//!     oemid: OemId::Ieee(&[0x00, 0x1b, 0x44]),
//!     hwmodel: b"edge-node-x1",
//!     swname: "edge-os",
//!     swversion: "4.2.1",
//!     promise: Promise::SecureEnclave,
//!     pp_ref: PP_REF_V1_0_7,
//!     certificate: "NSCIB-CC-0000001",
//!     se_robustness: &[],
//!     tee_robustness: &[],
//!     reference_measurements: &references,
//! }];
//! let policy = Policy::new(Challenge { nonce: &challenge, issued_at: now - 5 }, now, &certified, "https://verifier.example");
//! let result = appraise(&evidence, &policy);
//! assert_eq!(result.status(), TrustStatus::Affirming);
//!
//! // The verifier signs its result; a relying party checks it before placing a workload.
//! let verifier_key = SigningKey::from_bytes(&[0x32; 32])?;
//! let mut result_token = [0u8; 512];
//! let n = result.sign(&Sign1Builder::new(), &verifier_key, &mut result_token)?;
//! let verified = VerifiedResult::verify(&result_token[..n], &verifier_key.verifying_key(), &ParseOptions::DEFAULT)?;
//! let confidential = Requirement::parse("promise>=secure-enclave,evaluated,max-age=300")?;
//! assert!(confidential.admits(&verified, now + 10).admitted());
//! # Ok(())
//! # }
//! ```
//!
//! ## The COSE layer on its own
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

// The cargo feature `small-code` (Cargo.toml) is the one switch between smaller and faster
// code: functions marked `#[cfg_attr(feature = "small-code", inline(never))]` stay out of line
// under it because each was measured to make the signing or verifying program smaller
// (`bash benches/size/run.sh`; docs/performance.md, "Code size"), and a few paths have a compact
// form that the default build checks against its own (tests and fuzzing) and the QEMU run
// executes. It is chosen by the build, never inferred from the target.

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
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;

pub use error::{Error, Result};
