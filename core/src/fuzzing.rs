//! Fuzzing harnesses (feature `fuzzing`, hidden from the docs): the bodies of the cargo-fuzz
//! targets in `fuzz/` and of the stable replay test `tests/tests/fuzz_replay.rs`, so that a
//! crash found by libFuzzer replays with `cargo test` on any toolchain, byte for byte.
//!
//! Every harness takes raw bytes and never panics on its own account: a panic here means a
//! property of the library failed, and each `assert!` states which. The properties checked:
//!
//! * [`cbor`]: strict acceptance implies lenient acceptance; every rejection is a CBOR error
//!   (codes 100–199); an accepted item is skipped exactly to its end; re-encoding an accepted
//!   item gives a lenient-valid item no longer than the input, and for strict-valid input the
//!   very same bytes.
//! * [`cose_parse`]: stricter options accept a subset; accessors borrow from the input; the
//!   Sig_structure size matches its definition; rejections are CBOR, COSE or signature-range
//!   errors.
//! * [`cose_verify`]: real ES256 verification under the RFC 9052 C.2.1 example key (the key
//!   the seeds are signed with); a verified payload is the payload parsed.
//! * [`eat_decode`]: decoding is total over accepted maps (every list iterates to its length),
//!   re-encoding decoded claims succeeds and is a fixed point, and strict-valid claims re-encode
//!   to the same bytes (except for `location`, whose integers are read as floats).
//! * [`appraise`]: ECN PP validation and appraisal of any claims map, behind an accept-all
//!   verifier; results are consistent, and a signable result verifies as a profile result.
//! * [`evidence_round_trip`]: claims built from the input through the public API encode with an
//!   exact size query, decode to themselves, and sign and verify as evidence with exact sizes.
//! * [`differential`]: against a peer implementation (coset and ciborium, supplied by the
//!   caller through [`Peer`]): the same accept/reject decision on well-formed input except for
//!   documented stricter rules, and the same fields when both accept.
//!
//! Everything is heap-free like the rest of the crate: buffers are on the stack and inputs
//! larger than [`MAX_INPUT`] are ignored.
//!
//! The module is test support, not API: it may change in any release.

// The harnesses' job is to abort on a violated property, loudly: asserts are the point here.
#![allow(clippy::missing_panics_doc)]

use core::fmt::{self, Write as _};

use crate::appraise::{self, CertifiedConfig, Challenge, Policy, Requirement, TrustStatus};
use crate::cbor::{self, Decoder, Encoder, MAX_DEPTH, Major, Mode, SizeCounter, SliceWriter};
use crate::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use crate::crypto::{Digest256, Signature, Signer, SigningKey, Verifier, VerifyingKey};
use crate::eat::{
    Claims, DebugStatus, DecodeOptions, Dloa, HwModel, IntendedUse, Label, List, Location,
    MeasResGroup, MeasResult, Measurement, NamedSubmodule, NamedUeid, NestedToken, Nonce,
    NonceClaim, OemId, Profile, RawValue, ResultCode, ResultId, Submodule, Ueid, Version,
};
use crate::eat::{Lifecycle, Promise, Robustness};
use crate::ecnpp::{self, VerifiedEvidence};
use crate::error::{Error, Result};

/// Inputs longer than this are ignored by every harness (their stack buffers are sized for it).
pub const MAX_INPUT: usize = 4096;

/// Output buffers: room for re-encodings that grow (integers in `location` become floats).
const OUT: usize = 4 * MAX_INPUT;

// ---------------------------------------------------------------------------------------------
// Input reader and helpers
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

fn valid_prefix(b: &[u8]) -> &str {
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

fn debug_len(v: &dyn fmt::Debug) -> usize {
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
fn debug_eq(a: &dyn fmt::Debug, b: &dyn fmt::Debug) -> bool {
    let (mut x, mut y) = (
        DebugHash(0xcbf2_9ce4_8422_2325),
        DebugHash(0xcbf2_9ce4_8422_2325),
    );
    let _ = write!(x, "{a:?}");
    let _ = write!(y, "{b:?}");
    x.0 == y.0
}

/// Whether `inner` lies within `outer` (borrowed, not copied).
fn is_within(inner: &[u8], outer: &[u8]) -> bool {
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

fn error_in(e: Error, ranges: &[core::ops::RangeInclusive<i32>]) -> bool {
    ranges.iter().any(|r| r.contains(&e.code()))
}

// ---------------------------------------------------------------------------------------------
// CBOR
// ---------------------------------------------------------------------------------------------

/// Re-encodes one item from `d` in shortest form (map entries in their input order).
fn reencode<W: cbor::Write>(d: &mut Decoder<'_>, e: &mut Encoder<W>, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::DepthExceeded);
    }
    let next = depth.saturating_add(1);
    match d.peek_major()? {
        Major::Unsigned | Major::Negative => {
            let v = d.int_wide()?;
            match u64::try_from(v) {
                Ok(u) => e.uint(u),
                Err(_) => {
                    let arg = u64::try_from(-1 - v).map_err(|_| Error::IntegerOutOfRange)?;
                    e.head(Major::Negative, arg)
                }
            };
        }
        Major::Bytes => {
            e.bytes(d.bytes()?);
        }
        Major::Text => {
            e.text(d.text()?);
        }
        Major::Array => {
            let n = d.array()?;
            e.array(n);
            for _ in 0..n {
                reencode(d, e, next)?;
            }
        }
        Major::Map => {
            let n = d.map()?;
            e.map(n);
            for _ in 0..n.saturating_mul(2) {
                reencode(d, e, next)?;
            }
        }
        Major::Tag => {
            e.tag(d.tag()?);
            reencode(d, e, next)?;
        }
        Major::Simple => {
            if let Ok(b) = d.bool() {
                e.bool(b);
            } else if d.null().is_ok() {
                e.null();
            } else if let Ok(f) = d.float() {
                e.float(f);
            } else {
                // undefined and the other simple values have a single encoding each
                e.raw(d.raw_item()?);
            }
        }
    }
    Ok(())
}

/// Walks `data` with the typed reader, choosing accessors from the data itself: none may panic,
/// and every error is a CBOR error.
fn walk_typed(data: &[u8]) {
    let mut d = Decoder::new(data);
    for _ in 0..64 {
        if d.is_at_end() {
            break;
        }
        let before = d.position();
        let r: Result<()> = match d.peek_major() {
            Ok(Major::Unsigned) => d.uint().map(drop),
            Ok(Major::Negative) => d.int().map(drop),
            Ok(Major::Bytes) => d.bytes().map(drop),
            Ok(Major::Text) => d.text().map(drop),
            Ok(Major::Array) => d.array().map(drop),
            Ok(Major::Map) => d.map().map(drop),
            Ok(Major::Tag) => d.tag().map(drop),
            Ok(Major::Simple) => d
                .bool()
                .map(drop)
                .or_else(|_| d.null())
                .or_else(|_| d.float().map(drop))
                .or_else(|_| d.skip()),
            Err(e) => Err(e),
        };
        match r {
            Ok(()) => assert!(d.position() > before, "a successful read consumes input"),
            Err(e) => {
                assert!(
                    error_in(e, &[100..=199]),
                    "typed read error {e:?} is not CBOR"
                );
                break;
            }
        }
    }
}

/// CBOR well-formedness, validity and determinism (see the module docs).
pub fn cbor(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    walk_typed(data);
    let lenient = cbor::validate(data, Mode::Lenient);
    let strict = cbor::validate(data, Mode::Strict);
    for r in [lenient, strict] {
        if let Err(e) = r {
            assert!(
                error_in(e, &[100..=199]),
                "validate error {e:?} is not CBOR"
            );
        }
    }
    if strict.is_ok() {
        assert_eq!(lenient, Ok(()), "strict accepted what lenient refused");
    }
    if lenient.is_err() {
        return;
    }
    let mut d = Decoder::new(data);
    assert_eq!(
        d.raw_item(),
        Ok(data),
        "raw_item of a valid item is the whole input"
    );
    assert!(d.is_at_end());

    let mut buf = [0u8; MAX_INPUT];
    let mut w = SliceWriter::new(&mut buf);
    let r = reencode(&mut Decoder::new(data), &mut Encoder::new(&mut w), 1);
    assert_eq!(r, Ok(()), "a valid item re-encodes");
    let n = w.finish();
    assert!(n.is_ok(), "shortest re-encoding is longer than the input");
    let Ok(n) = n else { return };
    let again = buf.get(..n).unwrap_or(&[]);
    assert!(n <= data.len(), "shortest re-encoding grew");
    assert_eq!(
        cbor::validate(again, Mode::Lenient),
        Ok(()),
        "re-encoding of a valid item is valid"
    );
    if strict.is_ok() {
        assert_eq!(
            again, data,
            "strict-valid input is its own shortest re-encoding"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// COSE
// ---------------------------------------------------------------------------------------------

const OPTIONS: [ParseOptions; 4] = [
    ParseOptions::DEFAULT,
    ParseOptions::PERMISSIVE_TAGS,
    ParseOptions {
        accept_untagged: false,
        accept_cwt_tag: false,
        deterministic: true,
    },
    ParseOptions {
        accept_untagged: true,
        accept_cwt_tag: true,
        deterministic: true,
    },
];

/// Parse errors: CBOR, COSE structure and headers, signature length and range.
const PARSE_ERRORS: [core::ops::RangeInclusive<i32>; 3] = [100..=199, 200..=299, 300..=301];

fn check_parsed(data: &[u8], m: &UnverifiedSign1<'_>) {
    assert!(is_within(m.protected_bytes(), data));
    if let Some(p) = m.payload_untrusted() {
        assert!(is_within(p, data));
    }
    if let Some(k) = m.kid_untrusted() {
        assert!(is_within(k, data));
    }
    assert_eq!(m.is_detached(), m.payload_untrusted().is_none());
    let _ = debug_len(m);
    let aad: &[u8] = b"aad";
    let detached = if m.is_detached() {
        Some(&b"detached"[..])
    } else {
        None
    };
    let payload_len = m.payload_untrusted().or(detached).map_or(0, <[u8]>::len);
    let mut c = SizeCounter::new();
    assert_eq!(m.write_sig_structure(aad, detached, &mut c), Ok(()));
    let expected = cbor::encoded_len(|e| {
        e.array(4)
            .text("Signature1")
            .bytes(m.protected_bytes())
            .bytes(aad)
            .bytes_header(payload_len);
    }) + payload_len;
    assert_eq!(c.len(), expected, "Sig_structure size");
    // Without its payload choice the Sig_structure cannot be written.
    let wrong = if m.is_detached() {
        None
    } else {
        Some(&b"x"[..])
    };
    assert!(
        m.write_sig_structure(aad, wrong, SizeCounter::new())
            .is_err()
    );
    // Behind an accept-all verifier only the algorithm and payload rules remain.
    let r = if m.is_detached() {
        m.verify_detached(&InsecureAcceptAll, aad, b"detached")
    } else {
        m.verify(&InsecureAcceptAll, aad)
    };
    match r {
        Ok(v) => {
            assert_eq!(m.algorithm(), crate::crypto::ES256);
            assert_eq!(v.protected_bytes(), m.protected_bytes());
            if let Some(p) = m.payload_untrusted() {
                assert_eq!(v.payload(), p);
            }
            let _ = debug_len(&v);
        }
        Err(e) => {
            assert_eq!(e, Error::AlgorithmKeyMismatch);
            assert_ne!(m.algorithm(), crate::crypto::ES256);
        }
    }
}

/// COSE_Sign1 parsing under every option set (see the module docs).
pub fn cose_parse(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let results = OPTIONS.map(|o| UnverifiedSign1::parse(data, &o));
    // The one-pass parse must give exactly what the reference (validate, then read) gives.
    for (o, r) in OPTIONS.iter().zip(&results) {
        assert_eq!(
            r,
            &UnverifiedSign1::parse_reference(data, o),
            "one-pass and two-pass parses differ"
        );
    }
    for r in &results {
        match r {
            Ok(m) => check_parsed(data, m),
            Err(e) => assert!(error_in(*e, &PARSE_ERRORS), "parse error {e:?}"),
        }
    }
    let ok = results.each_ref().map(Result::is_ok);
    let [default, permissive, strict, strict_permissive] = ok;
    assert!(
        !default || permissive,
        "permissive tags refused a default-accepted message"
    );
    assert!(
        !strict || default,
        "deterministic accepted what default refused"
    );
    assert!(!strict_permissive || permissive);
    assert!(!strict || strict_permissive);
}

/// How the verify harness and the C API target read their input: a flags byte, the external
/// AAD, the detached payload (when bit 3 is set), then the message.
#[derive(Clone, Copy, Debug)]
pub struct VerifyCase<'d> {
    /// Parse options: bit 0 untagged, bit 1 CWT tag, bit 2 deterministic.
    pub options: ParseOptions,
    /// The external AAD.
    pub aad: &'d [u8],
    /// The detached payload, when supplied.
    pub detached: Option<&'d [u8]>,
    /// The COSE_Sign1 bytes.
    pub message: &'d [u8],
}

impl<'d> VerifyCase<'d> {
    /// Splits fuzzer bytes.
    #[must_use]
    pub fn from_fuzz(data: &'d [u8]) -> Self {
        let mut input = Input::new(data);
        let flags = input.byte();
        let aad = input.bytes(255);
        let detached = if flags & 8 != 0 {
            Some(input.bytes(255))
        } else {
            None
        };
        Self {
            options: ParseOptions {
                accept_untagged: flags & 1 != 0,
                accept_cwt_tag: flags & 2 != 0,
                deterministic: flags & 4 != 0,
            },
            aad,
            detached,
            message: input.rest(),
        }
    }

    /// Writes a seed that [`Self::from_fuzz`] splits back into these parts; returns its length.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the AAD or detached payload exceed 255 bytes;
    /// [`Error::BufferTooSmall`].
    pub fn to_fuzz(&self, out: &mut [u8]) -> Result<usize> {
        let len_byte = |b: &[u8]| u8::try_from(b.len()).map_err(|_| Error::InvalidArgument);
        let flags = u8::from(self.options.accept_untagged)
            | u8::from(self.options.accept_cwt_tag) << 1
            | u8::from(self.options.deterministic) << 2
            | u8::from(self.detached.is_some()) << 3;
        let mut w = SliceWriter::new(out);
        cbor::Write::write(&mut w, &[flags, len_byte(self.aad)?]);
        cbor::Write::write(&mut w, self.aad);
        if let Some(p) = self.detached {
            cbor::Write::write(&mut w, &[len_byte(p)?]);
            cbor::Write::write(&mut w, p);
        }
        cbor::Write::write(&mut w, self.message);
        w.finish()
    }

    /// Parses and verifies with `key`; the verified payload.
    ///
    /// # Errors
    /// The errors of [`UnverifiedSign1::parse`], `verify` and `verify_detached`.
    pub fn run<V: Verifier + ?Sized>(&self, key: &V) -> Result<&'d [u8]> {
        let m = UnverifiedSign1::parse(self.message, &self.options)?;
        match self.detached {
            None => m.verify(key, self.aad).map(|v| v.payload()),
            Some(p) => m.verify_detached(key, self.aad, p).map(|v| v.payload()),
        }
    }
}

/// Parse and ES256-verify under the example key (see the module docs).
pub fn cose_verify(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let case = VerifyCase::from_fuzz(data);
    let Ok(key) = example_verifying_key() else {
        return;
    };
    let parsed = UnverifiedSign1::parse(case.message, &case.options);
    match case.run(&key) {
        Ok(payload) => {
            let m = parsed.ok();
            assert!(m.is_some(), "verified without parsing");
            let expected = m.and_then(|m| m.payload_untrusted()).or(case.detached);
            assert_eq!(
                Some(payload),
                expected,
                "verified payload is the parsed one"
            );
        }
        Err(e) => match parsed {
            Err(pe) => assert_eq!(e, pe),
            Ok(m) => {
                let allowed = [
                    Error::VerificationFailed,
                    Error::AlgorithmKeyMismatch,
                    Error::MissingDetachedPayload,
                    Error::UnexpectedDetachedPayload,
                ];
                assert!(allowed.contains(&e), "verify error {e:?}");
                // The same message behind an accept-all verifier fails only for non-crypto reasons.
                let lax = case.run(&InsecureAcceptAll);
                if e == Error::VerificationFailed {
                    assert!(lax.is_ok(), "only the signature was wrong");
                } else {
                    assert_eq!(lax.err(), Some(e));
                }
                let _ = m;
            }
        },
    }
}

// ---------------------------------------------------------------------------------------------
// EAT claims
// ---------------------------------------------------------------------------------------------

fn list_total<'a, T: crate::eat::Item<'a> + fmt::Debug>(l: Option<List<'a, T>>) {
    if let Some(l) = l {
        assert_eq!(
            l.iter().count(),
            l.len(),
            "a decoded list iterates to its length"
        );
        assert!(!l.is_empty(), "decoded lists are non-empty");
        let _ = debug_len(&l);
    }
}

/// Iterates every part of decoded claims; returns whether any `location` is present.
fn visit(c: &Claims<'_>, depth: usize) -> bool {
    assert!(
        depth <= crate::eat::MAX_SUBMODULE_DEPTH,
        "submodules nest beyond the bound"
    );
    let _ = debug_len(c);
    if let Some(NonceClaim::Many(l)) = c.nonce {
        list_total(Some(l));
    }
    list_total(c.sueids);
    list_total(c.dloas);
    list_total(c.manifests);
    list_total(c.measurements);
    list_total(c.measres);
    list_total(c.robustness);
    if let Some(groups) = c.measres {
        for g in groups.iter() {
            list_total(Some(g.results));
        }
    }
    let _ = c.extra.iter().count();
    assert_eq!(c.extra.len(), c.extra.iter().count());
    let mut location = c.location.is_some();
    list_total(c.submods);
    if let Some(subs) = c.submods {
        for s in subs.iter() {
            match s.submodule {
                Submodule::Claims(inner) => location |= visit(&inner, depth.saturating_add(1)),
                Submodule::Token(t) => {
                    let _ = UnverifiedSign1::parse(t.as_bytes(), &ParseOptions::PERMISSIVE_TAGS);
                }
                Submodule::Digest { .. } => {}
            }
        }
    }
    location
}

/// Whether a valid item holds tag `tag` anywhere (as a data item, not inside a string).
fn has_tag(d: &mut Decoder<'_>, tag: u64) -> bool {
    match d.peek_major() {
        Ok(Major::Array) => {
            let n = d.array().unwrap_or(0);
            (0..n).fold(false, |found, _| has_tag(d, tag) | found)
        }
        Ok(Major::Map) => {
            let n = d.map().unwrap_or(0).saturating_mul(2);
            (0..n).fold(false, |found, _| has_tag(d, tag) | found)
        }
        Ok(Major::Tag) => (d.tag() == Ok(tag)) | has_tag(d, tag),
        Ok(_) => d.skip().is_err(),
        Err(_) => false,
    }
}

/// Encodes `c` into `buf`, checking the size query; `None` when it does not fit.
fn encode_checked<'b>(c: &Claims<'_>, buf: &'b mut [u8]) -> Result<Option<&'b [u8]>> {
    let len = c.encoded_len();
    let n = match len {
        Ok(n) if n > buf.len() => return Ok(None),
        Ok(n) => n,
        Err(e) => {
            assert_eq!(c.encode(buf), Err(e), "encode and encoded_len disagree");
            assert_eq!(c.as_payload().err(), Some(e));
            assert_eq!(
                c.encode_compact_reference(buf),
                Err(e),
                "the compact claims check of bare-metal targets refuses alike"
            );
            return Err(e);
        }
    };
    if let Some(short) = n.checked_sub(1).and_then(|m| buf.get_mut(..m)) {
        assert_eq!(
            c.encode(short),
            Err(Error::BufferTooSmall { needed: n }),
            "a short buffer reports the exact need"
        );
    }
    assert_eq!(c.encode(buf), Ok(n), "size query is exact");
    let out = buf.get(..n).unwrap_or(&[]);
    let payload = c.as_payload()?;
    assert_eq!(cose::Payload::payload_len(&payload), n);
    Ok(Some(out))
}

use crate::cose;

/// EAT claims decoding and re-encoding (see the module docs).
pub fn eat_decode(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let lenient = Claims::decode(data);
    let strict = Claims::decode_with(
        data,
        DecodeOptions {
            deterministic: true,
        },
    );
    // The one-pass read must give exactly what the reference read (validate, then read) gives:
    // the same claims, or the same error.
    for (options, got) in [
        (DecodeOptions::default(), &lenient),
        (
            DecodeOptions {
                deterministic: true,
            },
            &strict,
        ),
    ] {
        let reference = Claims::decode_reference(data, options);
        assert!(
            debug_eq(got, &reference),
            "one-pass and two-pass reads differ ({options:?}): {got:?} vs {reference:?}"
        );
    }
    if let Ok(s) = &strict {
        assert!(
            lenient.as_ref().is_ok_and(|l| debug_eq(l, s)),
            "strict accepted what lenient refused"
        );
    }
    let c = match lenient {
        Ok(c) => c,
        Err(e) => {
            assert!(
                error_in(e, &[100..=199, 214..=214, 400..=402, 500..=599]),
                "{e:?}"
            );
            return;
        }
    };
    let has_location = visit(&c, 0);
    let _ = ecnpp::validate_evidence(&c);
    let _ = ecnpp::validate_result(&c);

    let mut first = [0u8; OUT];
    let e1 = match encode_checked(&c, &mut first) {
        Ok(Some(e1)) => e1,
        Ok(None) => return,
        Err(e) => {
            // Unknown claims and lists read from the wire are re-encoded as received, so each
            // must be deterministic already: only a leniently decoded map may hold one that is
            // not, and the error names the claim.
            assert!(strict.is_err(), "strict-valid claims re-encode: {e:?}");
            assert!(
                matches!(e, Error::InvalidClaim { .. }),
                "decoded claims do not re-encode: {e:?}"
            );
            return;
        }
    };
    assert_eq!(
        cbor::validate(e1, Mode::Strict),
        Ok(()),
        "re-encoded claims are deterministic"
    );
    let again = Claims::decode(e1);
    assert!(again.is_ok(), "re-encoded claims decode: {:?}", again.err());
    let Ok(c2) = again else { return };
    let mut second = [0u8; OUT];
    let e2 = encode_checked(&c2, &mut second);
    assert_eq!(e2.ok().flatten(), Some(e1), "re-encoding is a fixed point");
    // Two documented normalisations make a strict-valid map re-encode differently: integers in
    // `location` are read as floats, and NumericDates are written without the epoch tag 1.
    if strict.is_ok() && !has_location && !has_tag(&mut Decoder::new(data), 1) {
        assert_eq!(e1, data, "strict-valid claims re-encode to the same bytes");
    }
    assert_eq!(
        ecnpp::validate_evidence(&c).err(),
        ecnpp::validate_evidence(&c2).err()
    );
}

// ---------------------------------------------------------------------------------------------
// ECN PP validation and appraisal
// ---------------------------------------------------------------------------------------------

const ROBUSTNESS: [Robustness<'static>; 1] = [Robustness {
    scheme: "FIPS140-3",
    level: "3",
}];

const ABSENT_REFERENCE: Measurement<'static> = Measurement {
    content_type: 0,
    content: b"a reference value no device has",
};

/// The first nonce of the claims, if any.
fn first_nonce<'a>(c: &Claims<'a>) -> Option<&'a [u8]> {
    match c.nonce? {
        NonceClaim::One(n) => Some(n.as_bytes()),
        NonceClaim::Many(l) => l.iter().next().map(|n| n.as_bytes()),
    }
}

/// ECN PP evidence validation and appraisal of any claims map (see the module docs).
///
/// Input: two flag bytes, the verifier's clock, the challenge age, a challenge nonce, a
/// requirement text, then the claims map, which is signed into a token with [`FixedSigner`] and
/// verified with [`InsecureAcceptAll`].
pub fn appraise(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let mut input = Input::new(data);
    let flags = input.byte();
    let flags2 = input.byte();
    let now = input.i64();
    let age = input.i64();
    let challenge = input.bytes(64);
    let requirement = input.text(64);
    let claims_bytes = input.rest();

    let options = ParseOptions {
        deterministic: flags & 1 != 0,
        ..ParseOptions::DEFAULT
    };
    let builder = Sign1Builder::new().kid(b"fuzz");
    let mut token = [0u8; MAX_INPUT + 128];
    let Ok(n) = builder.sign(&FixedSigner, claims_bytes, &mut token) else {
        return;
    };
    let token = token.get(..n).unwrap_or(&[]);
    let decoded = Claims::decode_with(
        claims_bytes,
        DecodeOptions {
            deterministic: options.deterministic,
        },
    );
    // The endorsement covers the evidence's own model unless flags2 bit 2 says otherwise, so
    // that both sides of the endorsement rule are reached.
    let own_model = decoded.as_ref().ok().and_then(|c| {
        Some(ecnpp::Model {
            oemid: c.oemid?,
            hwmodel: c.hwmodel?.as_bytes(),
        })
    });
    let other_model = [ecnpp::Model {
        oemid: OemId::Pen(1),
        hwmodel: b"another model",
    }];
    let own_models = own_model.map(|m| [m]);
    let models: &[ecnpp::Model<'_>] = match &own_models {
        Some(own) if flags2 & 4 == 0 => own,
        _ => &other_model,
    };
    let accept_all = ecnpp::Endorsement::new(&InsecureAcceptAll, models);
    let evidence = VerifiedEvidence::verify(token, &accept_all, &options);
    let expected = match &decoded {
        Err(e) => Some(*e),
        Ok(c) if c.eat_profile == Some(ecnpp::RESULT_PROFILE) => Some(Error::ResultGivenAsEvidence),
        Ok(_) => None,
    };
    assert_eq!(
        evidence.as_ref().err(),
        expected.as_ref(),
        "verified evidence fails exactly when its claims do, or when they are a result"
    );
    let Ok(evidence) = evidence else { return };
    let example_key = match example_verifying_key() {
        Ok(k) => k,
        Err(_) => return,
    };
    let endorsements = [ecnpp::Endorsement::new(&example_key, models).kid(b"fuzz")];
    // The kid selects the endorsement; the fixed signature then fails real verification.
    assert_eq!(
        VerifiedEvidence::verify_with_endorsements(token, &endorsements, &options).err(),
        Some(Error::VerificationFailed)
    );
    let c = *evidence.claims();
    let valid = ecnpp::validate_evidence(&c);
    if let Err(e) = valid {
        assert!(error_in(e, &[500..=599]), "validate_evidence error {e:?}");
    }
    if let Err(e) = ecnpp::validate_result(&c) {
        assert!(error_in(e, &[500..=599]), "validate_result error {e:?}");
    }

    // A certified configuration made from the evidence itself, so that matching paths are reached.
    let mut refs = [ABSENT_REFERENCE; 8];
    let mut nrefs = 0usize;
    let tee = match ecnpp::submodule(&c, ecnpp::SUBMOD_TEE) {
        Some(Submodule::Claims(t)) => t.measurements,
        _ => None,
    };
    for list in [c.measurements, tee].into_iter().flatten() {
        for m in list.iter() {
            if let Some(slot) = refs.get_mut(nrefs) {
                *slot = m;
                nrefs = nrefs.saturating_add(1);
            }
        }
    }
    if flags & 2 != 0 {
        nrefs = nrefs.saturating_sub(1); // one measurement without a reference
    }
    if flags & 4 != 0 && nrefs < refs.len() {
        nrefs = nrefs.saturating_add(1); // the absent reference (or a kept measurement)
    }
    let config = CertifiedConfig {
        oemid: c.oemid.unwrap_or(OemId::Pen(0)),
        hwmodel: c.hwmodel.map_or(&[][..], |h| h.as_bytes()),
        swname: c.swname.unwrap_or(""),
        swversion: c.swversion.map_or("", |v| v.version),
        promise: Promise::from_u64(u64::from((flags >> 3) & 3)).unwrap_or(Promise::Standard),
        pp_ref: c.pp_ref.unwrap_or(ecnpp::PP_REF_V1_0_7),
        certificate: "fuzz-certificate",
        se_robustness: if flags & 0x20 != 0 { &ROBUSTNESS } else { &[] },
        tee_robustness: if flags & 0x40 != 0 { &ROBUSTNESS } else { &[] },
        reference_measurements: refs.get(..nrefs).unwrap_or(&[]),
    };
    let certified = [config];
    let certified: &[CertifiedConfig<'_>] = if flags & 0x80 != 0 { &[] } else { &certified };
    let nonce = if flags2 & 1 != 0 {
        first_nonce(&c).unwrap_or(challenge)
    } else {
        challenge
    };
    let profiles = [ecnpp::PROFILE, Profile::Uri("tag:example.com,2025:other")];
    let mut policy = Policy::new(
        Challenge {
            nonce,
            issued_at: now.saturating_sub(age),
        },
        now,
        certified,
        "https://verifier.example",
    );
    if flags2 & 2 != 0 {
        policy.require_oemboot = false;
    }
    // A profile without rules is refused when the policy is built.
    assert_eq!(
        policy.accept_profiles(&profiles).err(),
        Some(Error::ProfileWithoutRules)
    );
    policy.debug_floor =
        DebugStatus::from_u64(u64::from(flags2 >> 3) % 5).unwrap_or(policy.debug_floor);
    policy.clock_skew = u64::from(flags2 >> 6) * 30;

    let r = appraise::appraise(&evidence, &policy);
    let _ = debug_len(&r);
    let reasons = r.reasons();
    assert_eq!(r.status() == TrustStatus::Affirming, reasons.is_empty());
    assert!(!r.evaluated_config() || (r.certified_config().is_some() && reasons.is_empty()));
    match r.certified_config() {
        Some(cfg) => assert!(r.promise().is_none_or(|p| p <= cfg.promise)),
        None => assert_eq!(r.promise(), None),
    }
    if let Some(p) = r.promise() {
        assert!(c.promise.is_some_and(|claimed| p <= claimed));
        assert_eq!(
            ecnpp::check_promise(&c, p),
            Ok(()),
            "a stated promise is shown"
        );
    }
    if r.status() != TrustStatus::Contraindicated {
        assert_eq!(
            valid,
            Ok(()),
            "only valid evidence escapes contraindication"
        );
        assert!(evidence.scope().covers_model(&c), "only an endorsed model");
        assert_eq!(c.eat_profile, Some(ecnpp::PROFILE));
        assert_eq!(r.pp_ref(), c.pp_ref);
    }
    assert_eq!(
        reasons.contains(appraise::Reasons::NONCE_MISMATCH),
        !c.nonce.is_some_and(|n| n.contains_ct(nonce))
    );
    if valid.is_err() {
        assert!(!reasons.is_empty(), "invalid evidence is never affirmed");
    }
    assert!(r.measurement_results().count() <= appraise::MAX_MEASUREMENT_RESULTS);

    let parsed_requirement = Requirement::parse(requirement);
    match r.token_len(&builder) {
        Ok(len) => {
            let mut out = [0u8; OUT];
            let Some(out) = out.get_mut(..len) else {
                return;
            };
            assert_eq!(
                r.sign(&builder, &FixedSigner, out),
                Ok(len),
                "result size query"
            );
            let result =
                appraise::VerifiedResult::verify(out, &InsecureAcceptAll, &ParseOptions::DEFAULT);
            assert!(
                result.is_ok(),
                "an issued result verifies: {:?}",
                result.err()
            );
            let Ok(result) = result else { return };
            assert_eq!(result.promise(), r.promise());
            assert_eq!(result.evaluated_config(), r.evaluated_config());
            assert_eq!(result.issued_at(), Some(now));
            if let Ok(req) = parsed_requirement {
                let refusals = req.admits(&result, now);
                if refusals.admitted() {
                    assert!(result.promise().is_some_and(|p| p >= req.min_promise));
                }
            }
        }
        Err(e) => {
            assert_eq!(e, Error::ResultContraindicated);
            let mut out = [0u8; 512];
            assert_eq!(r.sign(&builder, &FixedSigner, &mut out), Err(e));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Claims built through the public API
// ---------------------------------------------------------------------------------------------

/// Up to `N` items (the count and the items from the input); `None` when none could be made.
type Few<T, const N: usize> = Option<([T; N], usize)>;

fn few<'d, T: Copy, const N: usize>(
    input: &mut Input<'d>,
    mut make: impl FnMut(&mut Input<'d>) -> Option<T>,
) -> Few<T, N> {
    let count = usize::from(input.byte()) % N.saturating_add(1);
    if count == 0 {
        return None;
    }
    let first = make(input)?;
    let mut items = [first; N];
    let mut len = 1usize;
    for _ in 1..count {
        if let (Some(v), Some(slot)) = (make(input), items.get_mut(len)) {
            *slot = v;
            len = len.saturating_add(1);
        }
    }
    Some((items, len))
}

fn items<T, const N: usize>(f: &Few<T, N>) -> &[T] {
    f.as_ref()
        .and_then(|(items, len)| items.get(..*len))
        .unwrap_or(&[])
}

fn bit(mask: u64, n: u32) -> bool {
    mask >> n & 1 == 1
}

/// The well-formed nested token below as a submodule. `NestedToken::new` accepts it (tag 18
/// around a four-item array); the digest fallback only keeps this function total.
fn nested_token() -> Submodule<'static> {
    NestedToken::new(&NESTED_TOKEN).map_or(
        Submodule::Digest {
            alg: Label::Int(-16),
            digest: &NESTED_TOKEN,
        },
        Submodule::Token,
    )
}

/// A tagged COSE_Sign1 (nil payload, dummy signature): a valid nested-token submodule.
const NESTED_TOKEN: [u8; 74] = *b"\xd2\x84\x43\xa1\x01\x26\xa0\xf6\x58\x40\
    \x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\
    \x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\
    \x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\
    \x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01";

const FALLBACK_NONCE: [u8; 16] = *b"fallback-nonce-1";
const FALLBACK_UEID: [u8; 17] = [
    0x01, 0xfa, 0x11, 0xba, 0xc4, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
    0x0b,
];
const FALLBACK_OEM: [u8; 3] = [0x00, 0x1b, 0x44];

fn version<'d>(input: &mut Input<'d>) -> Version<'d> {
    Version {
        version: input.text(12),
        scheme: if input.bool() {
            Some(input.i64())
        } else {
            None
        },
    }
}

fn measurement<'d>(input: &mut Input<'d>) -> Measurement<'d> {
    Measurement {
        content_type: u16::from_be_bytes([input.byte(), input.byte()]),
        content: input.bytes(40),
    }
}

fn float(input: &mut Input<'_>) -> f64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(input.take(8).get(..8).unwrap_or(&[0; 8]));
    f64::from_bits(u64::from_be_bytes(b))
}

fn location(input: &mut Input<'_>) -> Location {
    let mask = input.byte();
    let opt = |n: u8, input: &mut Input<'_>| {
        if mask >> n & 1 == 1 {
            Some(float(input))
        } else {
            None
        }
    };
    Location {
        latitude: float(input),
        longitude: float(input),
        altitude: opt(0, input),
        accuracy: opt(1, input),
        altitude_accuracy: opt(2, input),
        heading: opt(3, input),
        speed: opt(4, input),
        timestamp: if mask & 0x20 != 0 {
            Some(input.i64())
        } else {
            None
        },
        age: if mask & 0x40 != 0 {
            Some(input.u64())
        } else {
            None
        },
    }
}

fn label<'d>(input: &mut Input<'d>) -> Label<'d> {
    if input.bool() {
        Label::Text(input.text(10))
    } else {
        Label::Int(input.i64())
    }
}

/// The order of text map keys in deterministic encoding: shorter first, then bytewise.
fn name_order(a: &str, b: &str) -> core::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn sorted<'d, const N: usize>(mut f: Few<NamedUeid<'d>, N>) -> Few<NamedUeid<'d>, N> {
    if let Some((items, len)) = f.as_mut()
        && let Some(live) = items.get_mut(..*len)
    {
        live.sort_unstable_by(|a, b| name_order(a.name, b.name));
    }
    f
}

/// Lists of one claims node whose items borrow only from the input.
struct Parts<'d> {
    nonces: Few<Nonce<'d>, 3>,
    measurements: Few<Measurement<'d>, 4>,
    manifests: Few<Measurement<'d>, 2>,
    dloas: Few<Dloa<'d>, 2>,
    results: Few<MeasResult<'d>, 3>,
    robustness: Few<Robustness<'d>, 2>,
    sueids: Few<NamedUeid<'d>, 2>,
    extra: Few<(Label<'d>, RawValue<'d>), 3>,
}

impl<'d> Parts<'d> {
    fn read(input: &mut Input<'d>) -> Self {
        Self {
            nonces: few(input, |i| Nonce::new(i.bytes_in(8, 64)).ok()),
            measurements: few(input, |i| Some(measurement(i))),
            manifests: few(input, |i| Some(measurement(i))),
            dloas: few(input, |i| {
                Some(Dloa {
                    registrar: i.text(24),
                    platform: i.text(12),
                    application: if i.bool() { Some(i.text(8)) } else { None },
                })
            }),
            results: few(input, |i| {
                Some(MeasResult {
                    id: if i.bool() {
                        ResultId::Text(i.text(8))
                    } else {
                        ResultId::Bytes(i.bytes(16))
                    },
                    result: match i.byte() % 4 {
                        0 => ResultCode::Success,
                        1 => ResultCode::Fail,
                        2 => ResultCode::NotRun,
                        _ => ResultCode::Absent,
                    },
                })
            }),
            robustness: few(input, |i| {
                Some(Robustness {
                    scheme: i.text(10),
                    level: i.text(4),
                })
            }),
            sueids: sorted(few(input, |i| {
                let name = i.text(8);
                Ueid::new(i.bytes_in(7, 33))
                    .ok()
                    .map(|ueid| NamedUeid { name, ueid })
            })),
            extra: few(input, |i| {
                let l = label(i);
                RawValue::new(i.bytes(12)).ok().map(|v| (l, v))
            }),
        }
    }
}

/// Present-but-empty when asked and nothing was made: exercises the "non-empty list" rule.
fn list_of<T>(present: bool, items: &[T]) -> Option<List<'_, T>> {
    present.then_some(List::Items(items))
}

/// Builds one claims node from the input (with `child` as a claims submodule) and hands it to
/// `k`: the lists live in this frame, so the claims can only be used inside the continuation.
fn node<'d>(
    input: &mut Input<'d>,
    child: Option<&Claims<'_>>,
    k: &mut dyn FnMut(&mut Input<'d>, &Claims<'_>),
) {
    let mut mask = u64::from_le_bytes({
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = input.byte();
        }
        b
    });
    let evidence_shaped = bit(mask, 63);
    if evidence_shaped {
        // eat_profile, nonce, ueid, oemid, hwmodel, swname, swversion, oemboot, dbgstat,
        // promise, pp_ref; no verifier-only claims.
        mask |= 1 << 7 | 1 << 9 | 1 << 11 | 1 << 12 | 1 << 15 | 1 << 16 | 1 << 18;
        mask |= 1 << 23 | 1 << 24 | 1 << 29 | 1 << 30;
        mask &= !(1 << 8 | 1 << 22 | 1 << 27 | 1 << 31 | 1 << 34);
    }
    let parts = Parts::read(input);
    let groups: Few<MeasResGroup<'_>, 2> = few(input, |i| {
        Some(MeasResGroup {
            system: i.text(16),
            results: List::Items(if i.byte() == 0xff {
                &[]
            } else {
                items(&parts.results)
            }),
        })
    });
    let mut subs = [NamedSubmodule {
        name: "token",
        submodule: nested_token(),
    }; 3];
    let mut nsubs = 0usize;
    let name = |i: &mut Input<'d>| match i.byte() % 3 {
        0 => ecnpp::SUBMOD_SE,
        1 => ecnpp::SUBMOD_TEE,
        _ => i.text(6),
    };
    if let Some(child) = child {
        subs[0] = NamedSubmodule {
            name: name(input),
            submodule: Submodule::Claims(*child),
        };
        nsubs = 1;
    }
    for _ in 0..input.byte() % 3 {
        let submodule = match input.byte() % 3 {
            0 => nested_token(),
            // Arbitrary bytes are refused by the constructor; what it accepts must then encode.
            1 => {
                NestedToken::new(input.bytes(24)).map_or_else(|_| nested_token(), Submodule::Token)
            }
            _ => Submodule::Digest {
                alg: label(input),
                digest: input.bytes(32),
            },
        };
        if let Some(slot) = subs.get_mut(nsubs) {
            *slot = NamedSubmodule {
                name: name(input),
                submodule,
            };
            nsubs = nsubs.saturating_add(1);
        }
    }
    let subs = subs.get_mut(..nsubs).unwrap_or(&mut []);
    // A map is unordered but `List` equality is not: keep names in their encoded order.
    subs.sort_unstable_by(|a, b| name_order(a.name, b.name));
    let subs: &[NamedSubmodule<'_>] = subs;

    let nonce = if bit(mask, 8) {
        list_of(true, items(&parts.nonces)).map(NonceClaim::Many)
    } else {
        Nonce::new(input.bytes_in(8, 64))
            .or_else(|_| Nonce::new(&FALLBACK_NONCE))
            .ok()
            .map(NonceClaim::One)
    };
    let oemid = match input.byte() % 4 {
        0 => OemId::from_bytes(input.bytes_in(16, 16)).ok(),
        1 => OemId::from_bytes(input.bytes_in(3, 3)).ok(),
        2 => Some(OemId::Pen(input.u64())),
        _ => Some(OemId::Random(input.bytes(20))), // may break its own invariant
    };
    let profile = match input.byte() % 3 {
        0 => Profile::Uri(input.text(32)),
        1 => Profile::Oid(input.bytes(20)),
        _ => ecnpp::PROFILE,
    };
    let profile = if evidence_shaped {
        ecnpp::PROFILE
    } else {
        profile
    };
    let claims = Claims {
        iss: bit(mask, 0).then(|| input.text(16)),
        sub: bit(mask, 1).then(|| input.text(16)),
        aud: bit(mask, 2).then(|| input.text(16)),
        exp: bit(mask, 3).then(|| input.i64()),
        nbf: bit(mask, 4).then(|| input.i64()),
        iat: bit(mask, 5).then(|| input.i64()),
        cti: bit(mask, 6).then(|| input.bytes(16)),
        nonce: if bit(mask, 7) { nonce } else { None },
        ueid: if bit(mask, 9) {
            Ueid::new(input.bytes_in(7, 33))
                .or_else(|_| Ueid::new(&FALLBACK_UEID))
                .ok()
        } else {
            None
        },
        sueids: list_of(bit(mask, 10), items(&parts.sueids)),
        oemid: if bit(mask, 11) {
            oemid.or(Some(OemId::Ieee(&FALLBACK_OEM)))
        } else {
            None
        },
        hwmodel: if bit(mask, 12) {
            HwModel::new(input.bytes_in(1, 32))
                .or_else(|_| HwModel::new(b"model"))
                .ok()
        } else {
            None
        },
        hwversion: bit(mask, 13).then(|| version(input)),
        uptime: bit(mask, 14).then(|| input.u64()),
        oemboot: bit(mask, 15).then(|| input.bool()),
        dbgstat: if bit(mask, 16) {
            DebugStatus::from_u64(u64::from(input.byte() % 5)).ok()
        } else {
            None
        },
        location: bit(mask, 17).then(|| location(input)),
        eat_profile: bit(mask, 18).then_some(profile),
        submods: list_of(bit(mask, 19) || nsubs > 0, subs),
        bootcount: bit(mask, 20).then(|| input.u64()),
        bootseed: bit(mask, 21).then(|| input.bytes(32)),
        dloas: list_of(bit(mask, 22), items(&parts.dloas)),
        swname: bit(mask, 23).then(|| input.text(16)),
        swversion: bit(mask, 24).then(|| version(input)),
        manifests: list_of(bit(mask, 25), items(&parts.manifests)),
        measurements: list_of(bit(mask, 26), items(&parts.measurements)),
        measres: list_of(bit(mask, 27), items(&groups)),
        intuse: if bit(mask, 28) {
            IntendedUse::from_u64(u64::from(input.byte() % 6)).ok()
        } else {
            None
        },
        promise: if bit(mask, 29) {
            Promise::from_u64(u64::from(input.byte() % 4)).ok()
        } else {
            None
        },
        pp_ref: bit(mask, 30).then(|| {
            if input.bool() {
                ecnpp::PP_REF_V1_0_7
            } else {
                input.text(24)
            }
        }),
        evaluated_config: bit(mask, 31).then(|| input.bool()),
        lifecycle: if bit(mask, 32) {
            Lifecycle::from_u64(u64::from(input.byte() % 5)).ok()
        } else {
            None
        },
        svn: bit(mask, 33).then(|| input.u64()),
        robustness: list_of(bit(mask, 34), items(&parts.robustness)),
        extra: crate::eat::Extra::Items(if bit(mask, 35) {
            items(&parts.extra)
        } else {
            &[]
        }),
    };
    k(input, &claims);
}

/// Builds a claims tree `levels` submodules deep, innermost first, and hands it to `k`.
fn with_claims<'d>(
    input: &mut Input<'d>,
    levels: usize,
    k: &mut dyn FnMut(&mut Input<'d>, &Claims<'_>),
) {
    match levels.checked_sub(1) {
        None => node(input, None, k),
        Some(inner) => with_claims(input, inner, &mut |input, child| {
            node(input, Some(child), k);
        }),
    }
}

fn has_nan(c: &Claims<'_>) -> bool {
    let here = c.location.is_some_and(|l| {
        [l.latitude, l.longitude]
            .into_iter()
            .chain(l.altitude)
            .chain(l.accuracy)
            .chain(l.altitude_accuracy)
            .chain(l.heading)
            .chain(l.speed)
            .any(f64::is_nan)
    });
    here || c.submods.is_some_and(|l| {
        l.iter().any(|s| match s.submodule {
            Submodule::Claims(inner) => has_nan(&inner),
            _ => false,
        })
    })
}

fn round_trip(input: &mut Input<'_>, c: &Claims<'_>) {
    let _ = debug_len(c);
    let mut buf = [0u8; OUT];
    let encoded = match encode_checked(c, &mut buf) {
        Ok(Some(e)) => e,
        Ok(None) => return,
        Err(e) => {
            assert!(
                matches!(
                    e,
                    Error::InvalidClaim { .. } | Error::DuplicateKey | Error::DepthExceeded
                ),
                "check error {e:?}"
            );
            return;
        }
    };
    assert_eq!(
        cbor::validate(encoded, Mode::Strict),
        Ok(()),
        "claims encode deterministically"
    );
    let mut compact = [0u8; OUT];
    assert_eq!(
        c.encode_compact_reference(&mut compact)
            .ok()
            .and_then(|n| compact.get(..n)),
        Some(encoded),
        "the compact claim writer of bare-metal targets writes the same bytes"
    );
    let decoded = Claims::decode_with(
        encoded,
        DecodeOptions {
            deterministic: true,
        },
    );
    assert!(
        decoded.is_ok(),
        "encoded claims decode: {:?}",
        decoded.err()
    );
    let Ok(decoded) = decoded else { return };
    if !has_nan(c) {
        assert_eq!(&decoded, c, "decode(encode(x)) == x");
    }
    let mut again = [0u8; OUT];
    assert_eq!(
        encode_checked(&decoded, &mut again).ok().flatten(),
        Some(encoded),
        "the decoded claims encode to the same bytes"
    );

    // As signed evidence: exact size query, and the claims come back out.
    let detached = input.bool();
    let builder = Sign1Builder::new().detached(detached);
    let builder = if input.bool() {
        builder.kid(b"device-1")
    } else {
        builder
    };
    let mut token = [0u8; OUT + 128];
    match ecnpp::evidence_len(c, &builder) {
        Ok(len) => {
            assert_eq!(ecnpp::validate_evidence(&decoded), Ok(()));
            if let Some(short) = len.checked_sub(1).and_then(|m| token.get_mut(..m)) {
                assert_eq!(
                    ecnpp::sign_evidence(c, &builder, &FixedSigner, short),
                    Err(Error::BufferTooSmall { needed: len })
                );
            }
            let n = ecnpp::sign_evidence(c, &builder, &FixedSigner, &mut token);
            assert_eq!(n, Ok(len), "evidence size query is exact");
            let token = token.get(..len).unwrap_or(&[]);
            let m = UnverifiedSign1::parse(token, &ParseOptions::DEFAULT);
            assert!(m.is_ok(), "our evidence parses: {:?}", m.err());
            if detached {
                assert_eq!(
                    m.and_then(|m| m.verify_detached(&InsecureAcceptAll, &[], encoded))
                        .map(|v| v.payload()),
                    Ok(encoded)
                );
            } else {
                let v = VerifiedEvidence::verify(
                    token,
                    &ecnpp::Endorsement::new(&InsecureAcceptAll, &[]),
                    &ParseOptions::DEFAULT,
                );
                assert!(v.is_ok(), "our evidence verifies: {:?}", v.err());
                if let Ok(v) = v
                    && !has_nan(c)
                {
                    assert_eq!(v.claims(), c);
                }
            }
        }
        Err(e) => {
            assert_eq!(ecnpp::validate_evidence(c).err(), Some(e));
            assert_eq!(ecnpp::validate_evidence(&decoded).err(), Some(e));
            assert_eq!(
                ecnpp::sign_evidence(c, &builder, &FixedSigner, &mut token),
                Err(e)
            );
        }
    }
}

/// Claims built from the input through the public API: encode, decode, sign (see the module
/// docs).
pub fn evidence_round_trip(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let mut input = Input::new(data);
    let levels = usize::from(input.byte() % 7);
    with_claims(&mut input, levels, &mut round_trip);
}

// ---------------------------------------------------------------------------------------------
// Differential
// ---------------------------------------------------------------------------------------------

/// A peer implementation's view of a COSE_Sign1.
#[derive(Clone, Copy, Debug)]
pub struct PeerSign1<'p> {
    /// The protected header bytes as received.
    pub protected: &'p [u8],
    /// The payload, `None` when detached.
    pub payload: Option<&'p [u8]>,
    /// The signature bytes.
    pub signature: &'p [u8],
    /// The algorithm, when an integer in either bucket.
    pub alg: Option<i64>,
    /// The kid from either bucket (empty when absent).
    pub kid: &'p [u8],
}

/// A peer implementation (coset and ciborium in `fuzz/src/peer.rs`).
pub trait Peer {
    /// Whether the peer's generic decoder accepts `data` as exactly one CBOR data item.
    fn cbor_accepts(&mut self, data: &[u8]) -> bool;
    /// Parses `data` as a COSE_Sign1 (tag 18 or untagged) and hands the view, or `None` when
    /// the peer rejects it, to `check`.
    fn sign1(&mut self, data: &[u8], check: &mut dyn FnMut(Option<PeerSign1<'_>>));
}

/// CBOR errors where this crate is stricter than a generic decoder, by design.
const CBOR_STRICTER: [Error; 6] = [
    Error::IndefiniteLength, // zero-copy reader; nothing in COSE/EAT needs them
    Error::InvalidMapKey,    // arrays, maps and tags as map keys (a bounded duplicate check)
    Error::DuplicateKey,     // decision table: duplicates are errors
    Error::DepthExceeded,    // documented bound MAX_DEPTH
    Error::TooManyEntries,   // documented bound MAX_MAP_ENTRIES
    Error::Malformed,        // two-byte simple values below 32 (RFC 8949 §3.3)
];

/// COSE errors where this crate is stricter than coset, by design (the decision table).
const COSE_STRICTER: [Error; 14] = [
    Error::MissingAlgorithm,
    Error::AlgorithmNotProtected,
    Error::AlgorithmInBothBuckets,
    Error::UnsupportedAlgorithm,
    Error::InvalidCritical,
    Error::CriticalNotProtected,
    Error::UnknownCriticalHeader,
    Error::InvalidHeader,
    Error::InvalidSignatureLength,
    Error::SignatureScalarOutOfRange,
    Error::DuplicateKey,
    Error::DepthExceeded,
    Error::TooManyEntries,
    Error::UnexpectedType,
];

/// Whether a valid item holds what ciborium's `Value` cannot represent and so refuses although
/// it is well-formed: a simple value other than false, true, null, undefined or a float, or a
/// negative bignum below `i128::MIN`.
fn peer_cannot_represent(d: &mut Decoder<'_>) -> bool {
    let Ok(major) = d.peek_major() else {
        return false;
    };
    match major {
        Major::Array | Major::Map => {
            let n = if major == Major::Array {
                d.array().unwrap_or(0)
            } else {
                d.map().unwrap_or(0).saturating_mul(2)
            };
            let mut found = false;
            for _ in 0..n {
                found |= peer_cannot_represent(d);
            }
            found
        }
        Major::Tag => {
            // ciborium turns a negative bignum of up to 16 bytes into an i128 and refuses one
            // below i128::MIN (16 bytes, top bit set) with "integer too large".
            let tag = d.tag();
            let too_large = tag == Ok(3)
                && d.clone()
                    .bytes()
                    .is_ok_and(|b| b.len() == 16 && b.first().is_some_and(|&x| x >= 0x80));
            too_large | peer_cannot_represent(d)
        }
        Major::Simple => {
            if d.bool().is_ok() || d.null().is_ok() || d.float().is_ok() {
                false
            } else {
                d.raw_item().is_ok_and(|raw| raw != [0xf7])
            }
        }
        _ => {
            let _ = d.skip();
            false
        }
    }
}

/// The two header buckets of a (parsed) COSE_Sign1: the protected header's bytes and the
/// unprotected map item.
fn header_buckets(message: &[u8]) -> Option<[&[u8]; 2]> {
    let mut d = Decoder::new(message);
    if d.peek_major() == Ok(Major::Tag) && d.tag().is_err() {
        return None;
    }
    let (Ok(_), Ok(protected), Ok(unprotected)) = (d.array(), d.bytes(), d.raw_item()) else {
        return None;
    };
    Some([protected, unprotected])
}

/// Whether either header bucket of a (parsed) COSE_Sign1 has a content type (label 3, in any
/// head width) whose value is a text string.
fn has_text_content_type(message: &[u8]) -> bool {
    header_buckets(message).is_some_and(|buckets| {
        buckets.iter().any(|map| {
            let mut m = Decoder::new(map);
            let Ok(n) = m.map() else { return false };
            (0..n).any(|_| {
                let is_label_3 = m.raw_item().is_ok_and(|k| Decoder::new(k).int() == Ok(3));
                let is_text = m.peek_major() == Ok(Major::Text);
                m.skip().is_ok() && is_label_3 && is_text
            })
        })
    })
}

/// Whether either header bucket of a (parsed) COSE_Sign1 has one of `labels`, by value.
fn header_has_label(message: &[u8], labels: &[u8]) -> bool {
    header_buckets(message).is_some_and(|buckets| {
        labels.iter().any(|&l| {
            buckets
                .iter()
                .any(|map| !map.is_empty() && cbor::map_contains_key(map, &[l]).unwrap_or(false))
        })
    })
}

/// Same decisions and fields as a peer (see the module docs).
pub fn differential(data: &[u8], peer: &mut dyn Peer) {
    if data.len() > MAX_INPUT {
        return;
    }
    let ours = cbor::validate(data, Mode::Lenient);
    let theirs = peer.cbor_accepts(data);
    match ours {
        Ok(()) => assert!(
            theirs || peer_cannot_represent(&mut Decoder::new(data)),
            "the peer refuses well-formed CBOR we accept"
        ),
        Err(e) if theirs => assert!(CBOR_STRICTER.contains(&e), "we refuse with {e:?}"),
        Err(_) => {}
    }
    if ours.is_err() {
        return;
    }
    let options = ParseOptions {
        accept_untagged: true,
        ..ParseOptions::DEFAULT
    };
    let m = UnverifiedSign1::parse(data, &options);
    peer.sign1(data, &mut |view| match &m {
        Ok(m) => {
            // coset gives IV (5), Partial IV (6) and the counter signature (7) type rules of
            // their own, and requires a text content type (3) to look like `type/subtype`;
            // this crate does not interpret them and skips them as it skips any parameter it
            // does not know.
            assert!(
                view.is_some() || header_has_label(data, &[5, 6, 7]) || has_text_content_type(data),
                "the peer refuses a COSE_Sign1 we accept"
            );
            if let Some(v) = view {
                assert_eq!(v.protected, m.protected_bytes(), "protected bytes");
                assert_eq!(v.payload, m.payload_untrusted(), "payload");
                assert_eq!(v.signature.len(), Signature::LEN, "signature");
                assert_eq!(v.alg, Some(m.algorithm()), "alg");
                assert_eq!(v.kid, m.kid_untrusted().unwrap_or(&[]), "kid");
            }
        }
        Err(e) => {
            if let Some(v) = view {
                // coset reads a payload of `undefined` (f7) as detached; RFC 9052 allows only
                // a byte string or nil there.
                let undefined_payload = *e == Error::InvalidStructure && v.payload.is_none();
                assert!(
                    COSE_STRICTER.contains(e) || undefined_payload,
                    "we refuse with {e:?}"
                );
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Targets and seeds
// ---------------------------------------------------------------------------------------------

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

/// Runs the harness of `target` on `data`; `false` for an unknown target or one that needs a
/// peer ([`differential`]). The C API target replays through [`cose_verify`], the harness it is
/// compared with.
#[must_use]
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "cbor" => cbor(data),
        "cose_parse" => cose_parse(data),
        "cose_verify" | "ffi_verify" => cose_verify(data),
        "eat_decode" => eat_decode(data),
        "appraise" => appraise(data),
        "evidence_round_trip" => evidence_round_trip(data),
        _ => return false,
    }
    true
}

const SEED_NONCE: [u8; 16] = *b"fuzz-challenge-1";
const SEED_FW: [u8; 32] = [0x11; 32];
const SEED_TEE_FW: [u8; 32] = [0x22; 32];
const SEED_MEAS: [Measurement<'static>; 1] = [Measurement {
    content_type: 0,
    content: &SEED_FW,
}];
const SEED_TEE_MEAS: [Measurement<'static>; 1] = [Measurement {
    content_type: 0,
    content: &SEED_TEE_FW,
}];

/// ECN PP evidence claims for `promise`, handed to `f`.
fn sample_evidence(promise: Promise, f: &mut dyn FnMut(&Claims<'_>)) {
    let (Ok(nonce), Ok(ueid), Ok(model), Ok(se_model)) = (
        Nonce::new(&SEED_NONCE),
        Ueid::new(&FALLBACK_UEID),
        HwModel::new(b"edge-node-x1"),
        HwModel::new(b"se-050"),
    ) else {
        return;
    };
    let se = Claims {
        oemid: Some(OemId::Ieee(&FALLBACK_OEM)),
        hwmodel: Some(se_model),
        dbgstat: Some(DebugStatus::DisabledPermanently),
        ..Claims::default()
    };
    let tee = Claims {
        measurements: Some(List::Items(&SEED_TEE_MEAS)),
        swname: Some("tee-os"),
        ..Claims::default()
    };
    let subs = [
        NamedSubmodule {
            name: ecnpp::SUBMOD_SE,
            submodule: Submodule::Claims(se),
        },
        NamedSubmodule {
            name: ecnpp::SUBMOD_TEE,
            submodule: Submodule::Claims(tee),
        },
    ];
    let submods = match promise {
        Promise::Standard => None,
        Promise::SecureElement => subs.get(..1).map(List::Items),
        Promise::SecureEnclave => Some(List::Items(&subs[..])),
    };
    let claims = Claims {
        eat_profile: Some(ecnpp::PROFILE),
        nonce: Some(NonceClaim::One(nonce)),
        ueid: Some(ueid),
        oemid: Some(OemId::Ieee(&FALLBACK_OEM)),
        hwmodel: Some(model),
        swname: Some("edge-os"),
        swversion: Some(Version {
            version: "1.2.3",
            scheme: None,
        }),
        oemboot: Some(true),
        dbgstat: Some(DebugStatus::DisabledFullyAndPermanently),
        promise: Some(promise),
        pp_ref: Some(ecnpp::PP_REF_V1_0_7),
        lifecycle: Some(Lifecycle::Operational),
        svn: Some(7),
        iat: Some(1_790_000_000),
        measurements: Some(List::Items(&SEED_MEAS)),
        submods,
        ..Claims::default()
    };
    f(&claims);
}

/// Library-made seed inputs for every target: `emit(target, name, bytes)`. Tokens are really
/// signed with the example key, so the verify targets start from messages that verify.
pub fn seeds(emit: &mut dyn FnMut(&str, &str, &[u8])) {
    let Ok(key) = example_signing_key() else {
        return;
    };
    let promises = [
        ("standard", Promise::Standard),
        ("se", Promise::SecureElement),
        ("enclave", Promise::SecureEnclave),
    ];
    for (pname, promise) in promises {
        sample_evidence(promise, &mut |c| {
            let mut claims = [0u8; 1024];
            let Ok(n) = c.encode(&mut claims) else { return };
            let claims = claims.get(..n).unwrap_or(&[]);
            emit("eat_decode", pname, claims);
            emit("cbor", pname, claims);

            // appraise: flags, clock, age, challenge (the evidence's nonce), requirement, claims
            let mut a = [0u8; 1200];
            let mut w = SliceWriter::new(&mut a);
            let req = b"promise>=secure-element,evaluated,max-age=300";
            let mut head = [0u8; 4];
            head[0] = 0x18; // promise secure enclave certified, se robustness
            head[1] = 0x01 | 3 << 3; // challenge from the evidence, debug floor 3
            cbor::Write::write(&mut w, &head[..2]);
            cbor::Write::write(&mut w, &[8]);
            cbor::Write::write(&mut w, &1_790_000_010u64.to_be_bytes());
            cbor::Write::write(&mut w, &[1, 10]);
            cbor::Write::write(&mut w, &[0]);
            cbor::Write::write(&mut w, &[u8::try_from(req.len()).unwrap_or(0)]);
            cbor::Write::write(&mut w, req);
            cbor::Write::write(&mut w, claims);
            if let Ok(n) = w.finish() {
                emit("appraise", pname, a.get(..n).unwrap_or(&[]));
            }

            for (vname, builder, detached) in [
                ("plain", Sign1Builder::new(), false),
                ("kid", Sign1Builder::new().kid(b"device-1"), false),
                ("untagged", Sign1Builder::new().untagged(true), false),
                ("detached", Sign1Builder::new().detached(true), true),
                ("aad", Sign1Builder::new().external_aad(b"aad"), false),
            ] {
                let mut token = [0u8; 1200];
                let Ok(n) = ecnpp::sign_evidence(c, &builder, &key, &mut token) else {
                    continue;
                };
                let token = token.get(..n).unwrap_or(&[]);
                let case = VerifyCase {
                    options: ParseOptions::PERMISSIVE_TAGS,
                    aad: if vname == "aad" { b"aad" } else { &[] },
                    detached: detached.then_some(claims),
                    message: token,
                };
                let mut v = [0u8; 1500];
                if let Ok(m) = case.to_fuzz(&mut v) {
                    let v = v.get(..m).unwrap_or(&[]);
                    emit("cose_verify", vname, v);
                    emit("ffi_verify", vname, v);
                }
                if vname == "plain" || vname == "kid" || vname == "detached" {
                    emit("cose_parse", vname, token);
                    emit("differential", vname, token);
                    emit("cbor", vname, token);
                }
            }
        });
    }
    // A COSE_Key, and a few CBOR items of every major type.
    if let Ok(vk) = example_verifying_key() {
        let mut k = [0u8; 128];
        if let Ok(n) = vk.to_cose_key(Some(b"11"), &mut k) {
            emit("cbor", "cose-key", k.get(..n).unwrap_or(&[]));
        }
    }
    emit(
        "cbor",
        "all-types",
        b"\x88\x00\x20\x41\x01\x61a\x80\xa1\x01\x02\xc1\x1a\x5f\x00\x00\x00\xf9\x3c\x00",
    );
    // Claims built from patterned bytes: every field present, then evidence-shaped.
    let mut all = [0xffu8; 1024];
    for (i, b) in all.iter_mut().enumerate().skip(9) {
        *b = u8::try_from(i % 251).unwrap_or(0);
    }
    emit("evidence_round_trip", "patterned", &all);
    all[0] = 2; // two submodule levels
    all[8] = 0x80; // evidence-shaped mask byte of the innermost node
    emit("evidence_round_trip", "nested", &all);
}
