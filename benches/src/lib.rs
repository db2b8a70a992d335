//! Shared fixtures and baselines for the criterion benches (`benches/`) and the quick
//! comparison binary (`src/bin/compare.rs`).
//!
//! * [`fixture`]: one realistic ECN PP evidence token (secure-enclave promise, 16 claims, an
//!   `"se"` and a `"tee"` submodule, measurements; about 430 bytes), the keys, the policy, and
//!   our side of every measured operation.
//! * [`baseline`]: the same operations done the common way: `coset` + `ciborium` for the
//!   codec, raw `p256` (0.14 and 0.13) and raw `aws-lc-rs` for the signature arithmetic, on the
//!   same message bytes.
//! * [`prototype`]: proposed core changes, prototyped on the public API so that each proposal
//!   comes with a measurement.
//!
//! Every pair is checked for equivalence by the tests at the bottom (same bytes out, same
//! verdicts), so a ratio compares equal work.
// A benchmark fixture that cannot be built is a bug in this crate: failing loudly is right.
#![allow(clippy::expect_used)]

pub mod baseline;
pub mod fixture;
pub mod prototype;

#[cfg(test)]
mod tests;
