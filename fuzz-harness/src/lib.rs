//! Fuzz harnesses of `ecnpp-attest`: the bodies of the cargo-fuzz targets in `fuzz/` and of
//! the stable replay test `tests/tests/fuzz_replay.rs`, so that a crash found by libFuzzer
//! replays with `cargo test` on any toolchain, byte for byte. They use the library's public API
//! only, as any other caller does; the library carries no fuzzing code.
//!
//! Every harness takes raw bytes and never panics on its own account: a panic here means a
//! property of the library failed, and each `assert!` states which. The properties checked:
//!
//! * [`cbor()`]: strict acceptance implies lenient acceptance; every rejection is a CBOR error
//!   (codes 100–199); an accepted item is skipped exactly to its end; re-encoding an accepted
//!   item gives a lenient-valid item no longer than the input, and for strict-valid input the
//!   very same bytes.
//! * [`cose_parse`]: the one-pass parse gives what the two-pass reference gives; stricter
//!   options accept a subset; accessors borrow from the input; the Sig_structure size matches
//!   its definition; rejections are CBOR, COSE or signature-range errors.
//! * [`cose_verify`]: real ES256 verification under the RFC 9052 C.2.1 example key (the key
//!   the seeds are signed with); a verified payload is the payload parsed.
//! * [`ffi_verify`]: the C API (`ecnpp-attest-ffi`) gives exactly the result code and the
//!   borrowed payload and kid that the library gives for the same input.
//! * [`eat_decode`]: the one-pass read gives what the two-pass reference gives; decoding is
//!   total over accepted maps (every list iterates to its length), re-encoding decoded claims
//!   succeeds and is a fixed point, and strict-valid claims re-encode to the same bytes (except
//!   for the documented normalisations).
//! * [`appraise()`]: ECN PP validation and appraisal of any claims map, behind an accept-all
//!   verifier; results are consistent, and a signable result verifies as a profile result.
//! * [`evidence_round_trip`]: claims built from the input through the public API encode with an
//!   exact size query, decode to themselves, and sign and verify as evidence with exact sizes.
//! * [`differential()`]: against coset 0.4 and ciborium 0.2: the same accept/reject decision
//!   on well-formed input except for documented stricter rules, and the same fields when both
//!   accept.
//! * [`large`]: inputs above [`MAX_INPUT`] through every reader that takes untrusted bytes
//!   before any key is needed, with no property but "returns" (libFuzzer's time limit is the
//!   oracle).
//!
//! The harnesses proper keep the library's habits: buffers are on the stack and inputs larger
//! than [`MAX_INPUT`] are ignored (the coset peer of [`differential()`] allocates, as coset
//! does).

// The harnesses' job is to abort on a violated property, loudly: asserts are the point here.
#![allow(clippy::missing_panics_doc)]

mod appraise;
mod cbor;
mod claims;
mod cose;
mod differential;
mod ffi;
mod large;
mod round_trip;
mod seeds;

use core::fmt::{self, Write as _};

use ecnpp_attest::crypto::{Digest256, Signature, Signer, SigningKey, Verifier, VerifyingKey};
use ecnpp_attest::{Error, Result};

pub use appraise::appraise;
pub use cbor::cbor;
pub use claims::eat_decode;
pub use cose::{VerifyCase, cose_parse, cose_verify};
pub use differential::differential;
pub use ffi::ffi_verify;
pub use large::large;
pub use round_trip::evidence_round_trip;
pub use seeds::seeds;

/// Inputs longer than this are ignored by every harness but [`large`] (their stack buffers are
/// sized for it); [`large`] takes only those.
pub const MAX_INPUT: usize = 4096;

/// Output buffers: room for re-encodings that grow (integers in `location` become floats).
const OUT: usize = 4 * MAX_INPUT;

// ---------------------------------------------------------------------------------------------

/// Reads structured values from fuzzer bytes; past the end every read gives zero or empty.
#[derive(Clone, Debug)]
pub struct Input<'d> {
    data: &'d [u8],
}

impl<'d> Input<'d> {
    /// A reader over `data`.
    #[must_use]
    pub const fn new(data: &'d [u8]) -> Self {
        Self { data }
    }

    /// One byte (0 past the end).
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    /// One bit.
    pub fn bool(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    /// A `u64`, biased towards small values and the edges: the first byte picks the width.
    pub fn u64(&mut self) -> u64 {
        let sel = self.byte();
        let mut v = 0u64;
        for _ in 0..(sel % 9) {
            v = (v << 8) | u64::from(self.byte());
        }
        match sel / 9 {
            0 => v,
            1 => u64::MAX - v,
            2 => v | 1 << 63,
            _ => v,
        }
    }

    /// An `i64` from [`Self::u64`].
    pub fn i64(&mut self) -> i64 {
        let v = self.u64();
        i64::from_ne_bytes(v.to_ne_bytes())
    }

    /// Up to `max` bytes (the count is the next byte modulo `max + 1`).
    pub fn bytes(&mut self, max: usize) -> &'d [u8] {
        let n = usize::from(self.byte()) % max.saturating_add(1);
        self.take(n)
    }

    /// Between `min` and `max` bytes when the input lasts.
    pub fn bytes_in(&mut self, min: usize, max: usize) -> &'d [u8] {
        let span = max.saturating_sub(min).saturating_add(1);
        let n = min.saturating_add(usize::from(self.byte()) % span);
        self.take(n)
    }

    /// Exactly `n` bytes, or fewer at the end of the input.
    pub fn take(&mut self, n: usize) -> &'d [u8] {
        let (head, tail) = self.data.split_at(n.min(self.data.len()));
        self.data = tail;
        head
    }

    /// Up to `max` bytes of text (cut at the first invalid UTF-8 sequence).
    pub fn text(&mut self, max: usize) -> &'d str {
        valid_prefix(self.bytes(max))
    }

    /// What is left.
    #[must_use]
    pub const fn rest(&self) -> &'d [u8] {
        self.data
    }
}

pub(crate) fn valid_prefix(b: &[u8]) -> &str {
    match core::str::from_utf8(b) {
        Ok(s) => s,
        Err(e) => b
            .get(..e.valid_up_to())
            .and_then(|p| core::str::from_utf8(p).ok())
            .unwrap_or(""),
    }
}

/// Counts what `Debug` prints, to run every `Debug` impl without a heap.
struct Sink(usize);

impl fmt::Write for Sink {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 = self.0.saturating_add(s.len());
        Ok(())
    }
}

pub(crate) fn debug_len(v: &dyn fmt::Debug) -> usize {
    let mut s = Sink(0);
    let _ = write!(s, "{v:?}");
    s.0
}

/// Hashes what `Debug` prints (FNV-1a), to compare values without a heap.
struct DebugHash(u64);

impl fmt::Write for DebugHash {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Ok(())
    }
}

/// Equality by what `Debug` prints: unlike `==`, a NaN location reads equal to itself.
pub(crate) fn debug_eq(a: &dyn fmt::Debug, b: &dyn fmt::Debug) -> bool {
    let (mut x, mut y) = (
        DebugHash(0xcbf2_9ce4_8422_2325),
        DebugHash(0xcbf2_9ce4_8422_2325),
    );
    let _ = write!(x, "{a:?}");
    let _ = write!(y, "{b:?}");
    x.0 == y.0
}

/// Whether `inner` lies within `outer` (borrowed, not copied).
pub(crate) fn is_within(inner: &[u8], outer: &[u8]) -> bool {
    let (o, i) = (outer.as_ptr_range(), inner.as_ptr_range());
    inner.is_empty() || (o.start <= i.start && i.end <= o.end)
}

/// A signer that never does cryptography: a fixed, in-range `r || s`. Keeps the harnesses fast.
#[derive(Clone, Copy, Debug)]
pub struct FixedSigner;

impl Signer for FixedSigner {
    fn sign_digest(&self, _: &Digest256) -> Result<Signature> {
        Signature::from_bytes([1; 64])
    }
}

/// A verifier that accepts every signature. **Insecure by design**: it exists so that the
/// fuzzer can reach the code behind verification (claims, profile, appraisal) without forging
/// ES256. Never use it outside fuzzing.
#[derive(Clone, Copy, Debug)]
pub struct InsecureAcceptAll;

impl Verifier for InsecureAcceptAll {
    fn verify_digest(&self, _: &Digest256, _: &Signature) -> Result<()> {
        Ok(())
    }
}

/// The private key of the RFC 9052 Appendix C.2.1 example (COSE WG Examples key "11"): public
/// test material, used to sign the library-made seeds.
pub const EXAMPLE_KEY_D: [u8; 32] = [
    0x57, 0xc9, 0x20, 0x77, 0x66, 0x41, 0x46, 0xe8, 0x76, 0x76, 0x0c, 0x95, 0x20, 0xd0, 0x54, 0xaa,
    0x93, 0xc3, 0xaf, 0xb0, 0x4e, 0x30, 0x67, 0x05, 0xdb, 0x60, 0x90, 0x30, 0x85, 0x07, 0xb4, 0xd3,
];

/// The matching public key, uncompressed SEC1 (`04 || x || y`).
pub const EXAMPLE_KEY_SEC1: [u8; 65] = [
    0x04, 0xba, 0xc5, 0xb1, 0x1c, 0xad, 0x8f, 0x99, 0xf9, 0xc7, 0x2b, 0x05, 0xcf, 0x4b, 0x9e, 0x26,
    0xd2, 0x44, 0xdc, 0x18, 0x9f, 0x74, 0x52, 0x28, 0x25, 0x5a, 0x21, 0x9a, 0x86, 0xd6, 0xa0, 0x9e,
    0xff, 0x20, 0x13, 0x8b, 0xf8, 0x2d, 0xc1, 0xb6, 0xd5, 0x62, 0xbe, 0x0f, 0xa5, 0x4a, 0xb7, 0x80,
    0x4a, 0x3a, 0x64, 0xb6, 0xd7, 0x2c, 0xcf, 0xed, 0x6b, 0x6f, 0xb6, 0xed, 0x28, 0xbb, 0xfc, 0x11,
    0x7e,
];

/// The example public key.
///
/// # Errors
/// Never in practice ([`EXAMPLE_KEY_SEC1`] is a valid point); [`Error::InvalidKey`] otherwise.
pub fn example_verifying_key() -> Result<VerifyingKey> {
    VerifyingKey::from_sec1_bytes(&EXAMPLE_KEY_SEC1)
}

/// The example private key.
///
/// # Errors
/// Never in practice; [`Error::InvalidKey`] otherwise.
pub fn example_signing_key() -> Result<SigningKey> {
    SigningKey::from_bytes(&EXAMPLE_KEY_D)
}

pub(crate) fn error_in(e: Error, ranges: &[core::ops::RangeInclusive<i32>]) -> bool {
    ranges.iter().any(|r| r.contains(&e.code()))
}

/// The fuzz targets, by name (`fuzz/fuzz_targets/<name>.rs`).
pub const TARGETS: [&str; 8] = [
    "cbor",
    "cose_parse",
    "cose_verify",
    "eat_decode",
    "appraise",
    "evidence_round_trip",
    "differential",
    "ffi_verify",
];

/// Runs on `data` what the target `target` runs (the fuzz targets call the same functions);
/// `false` for an unknown target.
#[must_use]
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "cbor" => {
            cbor(data);
            large(data);
        }
        "cose_parse" => {
            cose_parse(data);
            large(data);
        }
        "cose_verify" => cose_verify(data),
        "ffi_verify" => ffi_verify(data),
        "eat_decode" => {
            eat_decode(data);
            large(data);
        }
        "appraise" => appraise(data),
        "evidence_round_trip" => evidence_round_trip(data),
        "differential" => differential(data),
        _ => return false,
    }
    true
}
