//! COSE_Sign1 (RFC 9052 §4.2) with ES256 (RFC 9053 §2.1): encode and sign, parse and verify.
//!
//! Decisions this module enforces (the project's wire-format table):
//!
//! * tag 18 is required; [`ParseOptions`] can also accept untagged messages and the CWT wrapper
//!   `61(18(...))`; any other tag is [`Error::UnexpectedTag`];
//! * the message is exactly one CBOR item (no trailing bytes), and every map in it, including
//!   the protected header, has no duplicate labels;
//! * `alg` must be protected, only protected, and ES256 for a P-256 key;
//! * `crit` must be protected, non-empty, and list only labels this crate understands
//!   (`alg` 1, `content type` 3, `kid` 4), each present in the protected header;
//! * no label may appear in both buckets;
//! * the signature is 64 bytes of fixed-width `r || s`, `0 < r, s < n`; high-S is accepted;
//! * the Sig_structure hashes the protected bytes *as received* (`h''` and `h'a0'` both mean
//!   "empty") and is streamed into SHA-256 piece by piece, never materialised;
//! * the unprotected `kid` is not authenticated: [`UnverifiedSign1::kid_untrusted`] says so.
//!
//! Parsing gives an [`UnverifiedSign1`], which offers only explicitly untrusted accessors.
//! Verification consumes it and gives a [`VerifiedSign1`], the only type whose payload can be
//! trusted.

use crate::cbor::{self, Decoder, Encoder, Major, Mode, SliceWriter, Write};
use crate::crypto::{
    Digest, ES256, KNOWN_SIGNATURE_ALGORITHMS, Sha256, Signature, Signer, Verifier,
};
use crate::error::{Error, Result};

/// CBOR tag of COSE_Sign1.
pub const TAG_SIGN1: u64 = 18;
/// CBOR tag of a CWT (RFC 8392), which may wrap a tagged COSE_Sign1.
pub const TAG_CWT: u64 = 61;

/// Header parameter labels (RFC 9052 §3.1).
pub mod label {
    /// `alg`.
    pub const ALG: i64 = 1;
    /// `crit`.
    pub const CRIT: i64 = 2;
    /// `content type`.
    pub const CONTENT_TYPE: i64 = 3;
    /// `kid`.
    pub const KID: i64 = 4;
}

/// The protected header this crate emits: `{1: -7}`.
pub const PROTECTED_ES256: [u8; 3] = [0xa1, 0x01, 0x26];

/// Context string of the Sig_structure for COSE_Sign1.
const SIGNATURE1: &str = "Signature1";

/// Options for [`UnverifiedSign1::parse`]. The default is the strictest setting apart from CBOR
/// determinism: tag 18 required.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Accept a message without tag 18.
    pub accept_untagged: bool,
    /// Accept the CWT wrapper `61(18(...))`.
    pub accept_cwt_tag: bool,
    /// Reject any CBOR that is not core deterministic (the message and its protected header).
    pub deterministic: bool,
}

impl ParseOptions {
    /// Tag 18 required, no wrapper, lenient (but valid, duplicate-free) CBOR.
    pub const DEFAULT: Self = Self {
        accept_untagged: false,
        accept_cwt_tag: false,
        deterministic: false,
    };

    /// Accepts untagged messages and the CWT wrapper as well.
    pub const PERMISSIVE_TAGS: Self = Self {
        accept_untagged: true,
        accept_cwt_tag: true,
        deterministic: false,
    };

    const fn mode(&self) -> Mode {
        if self.deterministic {
            Mode::Strict
        } else {
            Mode::Lenient
        }
    }
}

/// A parsed, **not yet verified** COSE_Sign1. Its accessors say that what they return is
/// untrusted; [`Self::verify`] turns it into a [`VerifiedSign1`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnverifiedSign1<'b> {
    protected: &'b [u8],
    payload: Option<&'b [u8]>,
    signature: Signature,
    alg: i64,
    kid: Option<&'b [u8]>,
    kid_protected: bool,
    content_type: Option<ContentType<'b>>,
}

/// The `content type` header parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentType<'b> {
    /// A CoAP content format number.
    Format(u16),
    /// A media type string.
    Media(&'b str),
}

/// What one header bucket holds of the parameters this crate interprets.
#[derive(Default)]
struct Bucket<'b> {
    alg: Option<Algorithm>,
    crit: Option<&'b [u8]>,
    kid: Option<&'b [u8]>,
    content_type: Option<ContentType<'b>>,
}

/// An `alg` value: registered algorithms are integers; a text name (allowed by RFC 9052) is
/// well-formed but names nothing this crate implements, so only its presence is kept.
#[derive(Clone, Copy)]
enum Algorithm {
    Int(i64),
    Text,
}

fn read_bucket<'b>(map_item: &'b [u8]) -> Result<Bucket<'b>> {
    let mut d = Decoder::new(map_item);
    let n = d.map().map_err(|_| Error::InvalidStructure)?;
    let mut b = Bucket::default();
    for _ in 0..n {
        let label = match d.peek_major()? {
            Major::Unsigned | Major::Negative => d.int().map_err(|_| Error::InvalidHeader)?,
            Major::Text => {
                d.skip()?; // text labels: private parameters this crate does not interpret
                d.skip()?;
                continue;
            }
            // RFC 9052 §3: `label = int / tstr`.
            _ => return Err(Error::InvalidMapKey),
        };
        match label {
            label::ALG => {
                b.alg = Some(match d.peek_major()? {
                    Major::Text => d.text().map(|_| Algorithm::Text)?,
                    _ => Algorithm::Int(d.int().map_err(|_| Error::InvalidHeader)?),
                });
            }
            label::CRIT => b.crit = Some(d.raw_item()?),
            label::CONTENT_TYPE => {
                b.content_type = Some(match d.peek_major()? {
                    Major::Text => ContentType::Media(d.text()?),
                    _ => ContentType::Format(
                        u16::try_from(d.uint().map_err(|_| Error::InvalidHeader)?)
                            .map_err(|_| Error::InvalidHeader)?,
                    ),
                });
            }
            label::KID => b.kid = Some(d.bytes().map_err(|_| Error::InvalidHeader)?),
            _ => d.skip()?,
        }
    }
    Ok(b)
}

/// Checks a protected `crit` array: non-empty, labels only, each understood and present.
fn check_crit(crit: &[u8], protected: &Bucket<'_>) -> Result<()> {
    let mut d = Decoder::new(crit);
    let n = d.array().map_err(|_| Error::InvalidCritical)?;
    if n == 0 {
        return Err(Error::InvalidCritical);
    }
    for _ in 0..n {
        let present = match d.peek_major()? {
            Major::Unsigned | Major::Negative => {
                match d.int().map_err(|_| Error::InvalidCritical)? {
                    label::ALG => protected.alg.is_some(),
                    label::CONTENT_TYPE => protected.content_type.is_some(),
                    label::KID => protected.kid.is_some(),
                    _ => return Err(Error::UnknownCriticalHeader),
                }
            }
            Major::Text => return Err(Error::UnknownCriticalHeader),
            _ => return Err(Error::InvalidCritical),
        };
        if !present {
            return Err(Error::InvalidCritical);
        }
    }
    Ok(())
}

/// Fails when a label of the unprotected map also appears in the protected map (labels
/// compared by value, at a cost linear in the two maps: [`cbor::shared_key`]).
fn check_disjoint(protected_map: &[u8], unprotected_map: &[u8]) -> Result<()> {
    match cbor::shared_key(protected_map, unprotected_map)? {
        None => Ok(()),
        Some(key) if Decoder::new(key).int().ok() == Some(label::ALG) => {
            Err(Error::AlgorithmInBothBuckets)
        }
        Some(_) => Err(Error::InvalidHeader),
    }
}

impl<'b> UnverifiedSign1<'b> {
    /// Parses a COSE_Sign1 and applies every structural rule; does no cryptography.
    ///
    /// # Errors
    /// CBOR errors of [`cbor::validate`] (truncation, trailing bytes, duplicate labels, depth,
    /// ...); [`Error::MissingTag`], [`Error::UnexpectedTag`], [`Error::InvalidStructure`];
    /// header errors ([`Error::MissingAlgorithm`], [`Error::AlgorithmNotProtected`],
    /// [`Error::AlgorithmInBothBuckets`], [`Error::UnsupportedAlgorithm`],
    /// [`Error::InvalidCritical`], [`Error::CriticalNotProtected`],
    /// [`Error::UnknownCriticalHeader`], [`Error::InvalidHeader`], [`Error::InvalidMapKey`] for
    /// a label that is not an integer or a text string); signature errors
    /// ([`Error::InvalidSignatureLength`], [`Error::SignatureScalarOutOfRange`]).
    pub fn parse(input: &'b [u8], options: &ParseOptions) -> Result<Self> {
        let mode = options.mode();
        // One pass first (every byte of the message is read by a checking reader, see
        // `Decoder::one_pass`); on any failure the two-pass read (validate, then read) gives
        // the verdict and the error. `small-code` builds take the two-pass read directly: it
        // is the reference, and the one-pass read is a host speed-up that costs code.
        #[cfg(not(feature = "small-code"))]
        if let Ok(m) = Self::read(Decoder::one_pass(input, mode), options, mode) {
            return Ok(m);
        }
        Self::parse_two_pass(input, options, mode)
    }

    /// [`Self::parse`] without its one-pass read: for tests and the fuzz harness, which check
    /// that both give the same result on every input.
    ///
    /// # Errors
    /// As [`Self::parse`].
    #[doc(hidden)]
    pub fn parse_reference(input: &'b [u8], options: &ParseOptions) -> Result<Self> {
        Self::parse_two_pass(input, options, options.mode())
    }

    /// The reference parse: [`cbor::validate`] over the whole message, then the read.
    fn parse_two_pass(input: &'b [u8], options: &ParseOptions, mode: Mode) -> Result<Self> {
        cbor::validate(input, mode)?;
        Self::read(Decoder::new(input), options, mode)
    }

    #[cfg_attr(feature = "small-code", inline(never))]
    fn read(mut d: Decoder<'b>, options: &ParseOptions, mode: Mode) -> Result<Self> {
        // CBOR nesting of the message array: one more for each tag in front of it.
        let array_depth = match d.peek_major()? {
            Major::Tag => match d.tag()? {
                TAG_SIGN1 => 2,
                TAG_CWT if options.accept_cwt_tag => {
                    if d.peek_major()? != Major::Tag || d.tag()? != TAG_SIGN1 {
                        return Err(Error::UnexpectedTag);
                    }
                    3
                }
                _ => return Err(Error::UnexpectedTag),
            },
            _ if options.accept_untagged => 1,
            _ => return Err(Error::MissingTag),
        };
        if d.array().map_err(|_| Error::InvalidStructure)? != 4 {
            return Err(Error::InvalidStructure);
        }
        let protected = d.bytes().map_err(|_| Error::InvalidStructure)?;
        if d.peek_major()? != Major::Map {
            return Err(Error::InvalidStructure);
        }
        let unprotected_map = d.raw_item_checked(array_depth + 1)?;
        let payload = if d.peek_is_null() {
            d.null()?;
            None
        } else {
            Some(d.bytes().map_err(|_| Error::InvalidStructure)?)
        };
        let sig_bytes = d.bytes().map_err(|_| Error::InvalidStructure)?;
        d.finish()?;

        // The protected header: empty bytes or a map, itself valid CBOR.
        const EMPTY_MAP: &[u8] = &[0xa0];
        let protected_map = if protected.is_empty() {
            EMPTY_MAP
        } else {
            protected
        };
        let (p, u) = if protected_map == PROTECTED_ES256 {
            // The usual protected header, `{1: -7}`: valid in any mode, and its one label
            // collides with the unprotected map exactly when that holds an `alg` too (labels
            // are read by value).
            let u = read_bucket(unprotected_map)?;
            if u.alg.is_some() {
                return Err(Error::AlgorithmInBothBuckets);
            }
            let p = Bucket {
                alg: Some(Algorithm::Int(ES256)),
                ..Bucket::default()
            };
            (p, u)
        } else {
            cbor::validate(protected_map, mode)?;
            if Decoder::new(protected_map).peek_major()? != Major::Map {
                return Err(Error::InvalidStructure);
            }
            let p = read_bucket(protected_map)?;
            let u = read_bucket(unprotected_map)?;
            check_disjoint(protected_map, unprotected_map)?;
            (p, u)
        };
        if u.crit.is_some() {
            return Err(Error::CriticalNotProtected);
        }
        if let Some(crit) = p.crit {
            check_crit(crit, &p)?;
        }
        let alg = match (p.alg, u.alg) {
            (Some(Algorithm::Int(a)), None)
                if a == ES256 || KNOWN_SIGNATURE_ALGORITHMS.contains(&a) =>
            {
                a
            }
            (Some(_), None) => return Err(Error::UnsupportedAlgorithm),
            (None, Some(_)) => return Err(Error::AlgorithmNotProtected),
            (Some(_), Some(_)) => return Err(Error::AlgorithmInBothBuckets),
            (None, None) => return Err(Error::MissingAlgorithm),
        };
        let signature = Signature::from_slice(sig_bytes)?;
        let (kid, kid_protected) = match (p.kid, u.kid) {
            (Some(k), _) => (Some(k), true),
            (None, k) => (k, false),
        };
        Ok(Self {
            protected,
            payload,
            signature,
            alg,
            kid,
            kid_protected,
            content_type: p.content_type.or(u.content_type),
        })
    }

    /// The `kid`, from either bucket. **Untrusted**: use it only to look up a candidate key
    /// among keys the caller already trusts; never let it decide trust by itself.
    #[must_use]
    pub const fn kid_untrusted(&self) -> Option<&'b [u8]> {
        self.kid
    }

    /// The payload before verification (None when detached). **Untrusted**: for display and
    /// diagnostics only.
    #[must_use]
    pub const fn payload_untrusted(&self) -> Option<&'b [u8]> {
        self.payload
    }

    /// The protected `alg` value.
    #[must_use]
    pub const fn algorithm(&self) -> i64 {
        self.alg
    }

    /// True when the payload is detached (nil in the message).
    #[must_use]
    pub const fn is_detached(&self) -> bool {
        self.payload.is_none()
    }

    /// The protected header bytes as received.
    #[must_use]
    pub const fn protected_bytes(&self) -> &'b [u8] {
        self.protected
    }

    /// Streams the Sig_structure `["Signature1", protected, external_aad, payload]` into `w`
    /// (a hasher, or a counter for its size). `detached` must be given exactly when the payload
    /// is detached.
    ///
    /// # Errors
    /// [`Error::MissingDetachedPayload`], [`Error::UnexpectedDetachedPayload`].
    pub fn write_sig_structure<W: Write>(
        &self,
        external_aad: &[u8],
        detached: Option<&[u8]>,
        mut w: W,
    ) -> Result<()> {
        let payload = self.select_payload(detached)?;
        write_sig_structure(
            self.protected,
            external_aad,
            payload.len(),
            |e| {
                e.raw(payload);
            },
            &mut w,
        );
        Ok(())
    }

    fn select_payload<'p>(&self, detached: Option<&'p [u8]>) -> Result<&'p [u8]>
    where
        'b: 'p,
    {
        match (self.payload, detached) {
            (Some(p), None) => Ok(p),
            (None, Some(p)) => Ok(p),
            (None, None) => Err(Error::MissingDetachedPayload),
            (Some(_), Some(_)) => Err(Error::UnexpectedDetachedPayload),
        }
    }

    fn verify_inner<'p, V: Verifier + ?Sized>(
        self,
        key: &V,
        external_aad: &[u8],
        detached: Option<&'p [u8]>,
    ) -> Result<VerifiedSign1<'p>>
    where
        'b: 'p,
    {
        if self.alg != key.algorithm() || self.alg != ES256 {
            return Err(Error::AlgorithmKeyMismatch);
        }
        let payload = self.select_payload(detached)?;
        let mut h = Sha256::new();
        self.write_sig_structure(external_aad, detached, &mut h)?;
        key.verify_digest(&h.finalize(), &self.signature)?;
        Ok(VerifiedSign1 {
            payload,
            protected: self.protected,
            kid: if self.kid_protected { self.kid } else { None },
            content_type: self.content_type,
        })
    }

    /// Verifies a message with an attached payload under `key`.
    ///
    /// # Errors
    /// [`Error::AlgorithmKeyMismatch`] (before any crypto), [`Error::MissingDetachedPayload`]
    /// when the payload is detached, [`Error::VerificationFailed`].
    pub fn verify<V: Verifier + ?Sized>(
        self,
        key: &V,
        external_aad: &[u8],
    ) -> Result<VerifiedSign1<'b>> {
        self.verify_inner(key, external_aad, None)
    }

    /// Verifies a message whose payload is detached, with the payload supplied by the caller.
    ///
    /// # Errors
    /// As [`Self::verify`], and [`Error::UnexpectedDetachedPayload`] when the message carries a
    /// payload.
    pub fn verify_detached<'p, V: Verifier + ?Sized>(
        self,
        key: &V,
        external_aad: &[u8],
        payload: &'p [u8],
    ) -> Result<VerifiedSign1<'p>>
    where
        'b: 'p,
    {
        self.verify_inner(key, external_aad, Some(payload))
    }
}

/// A COSE_Sign1 whose ES256 signature has been checked. Only a value of this type gives access
/// to a trusted payload.
#[derive(Clone, Copy, Debug)]
pub struct VerifiedSign1<'a> {
    payload: &'a [u8],
    protected: &'a [u8],
    kid: Option<&'a [u8]>,
    content_type: Option<ContentType<'a>>,
}

impl<'a> VerifiedSign1<'a> {
    /// The verified payload (the detached one when the message had none).
    #[must_use]
    pub const fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// The protected header bytes as received (and as signed).
    #[must_use]
    pub const fn protected_bytes(&self) -> &'a [u8] {
        self.protected
    }

    /// The `kid` when it was in the protected bucket (and so authenticated).
    #[must_use]
    pub const fn protected_kid(&self) -> Option<&'a [u8]> {
        self.kid
    }

    /// The `content type`, from either bucket (an unprotected one is not authenticated).
    #[must_use]
    pub const fn content_type(&self) -> Option<ContentType<'a>> {
        self.content_type
    }
}

/// Parses and verifies in one call, with an attached payload.
///
/// # Errors
/// The errors of [`UnverifiedSign1::parse`] and [`UnverifiedSign1::verify`].
pub fn verify<'b, V: Verifier + ?Sized>(
    input: &'b [u8],
    options: &ParseOptions,
    key: &V,
    external_aad: &[u8],
) -> Result<VerifiedSign1<'b>> {
    UnverifiedSign1::parse(input, options)?.verify(key, external_aad)
}

/// Writes `["Signature1", protected, external_aad, payload]` where the payload content of
/// `payload_len` bytes is produced by `payload`.
fn write_sig_structure<W: Write>(
    protected: &[u8],
    external_aad: &[u8],
    payload_len: usize,
    payload: impl FnOnce(&mut Encoder<W>),
    w: W,
) {
    let mut e = Encoder::new(w);
    e.array(4)
        .text(SIGNATURE1)
        .bytes(protected)
        .bytes(external_aad)
        .bytes_header(payload_len);
    payload(&mut e);
}

/// The hash pass of signing: SHA-256 fed in blocks from a small stack buffer (a token is a
/// hundred short writes; one hash update each would cost more than the encoding), counting
/// the bytes it is given. `small-code` builds feed the hash directly: less code and stack.
struct HashPass {
    sha: Sha256,
    #[cfg(not(feature = "small-code"))]
    buf: [u8; HASH_BUFFER],
    #[cfg(not(feature = "small-code"))]
    used: usize,
    len: usize,
}

#[cfg(not(feature = "small-code"))]
const HASH_BUFFER: usize = 128;

impl HashPass {
    fn new() -> Self {
        Self {
            sha: Sha256::new(),
            #[cfg(not(feature = "small-code"))]
            buf: [0; HASH_BUFFER],
            #[cfg(not(feature = "small-code"))]
            used: 0,
            len: 0,
        }
    }

    #[cfg(not(feature = "small-code"))]
    fn flush(&mut self) {
        self.sha
            .write(self.buf.get(..self.used).unwrap_or_default());
        self.used = 0;
    }

    #[cfg_attr(feature = "small-code", allow(unused_mut))]
    fn finalize(mut self) -> crate::crypto::Digest256 {
        #[cfg(not(feature = "small-code"))]
        self.flush();
        Digest::finalize(self.sha)
    }
}

impl Write for HashPass {
    #[cfg(feature = "small-code")]
    fn write(&mut self, bytes: &[u8]) {
        self.len = self.len.saturating_add(bytes.len());
        self.sha.write(bytes);
    }

    #[cfg(not(feature = "small-code"))]
    fn write(&mut self, bytes: &[u8]) {
        self.len = self.len.saturating_add(bytes.len());
        if self.used.saturating_add(bytes.len()) > HASH_BUFFER {
            self.flush();
        }
        match self
            .buf
            .get_mut(self.used..self.used.saturating_add(bytes.len()))
        {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.used = self.used.saturating_add(bytes.len());
            }
            None => self.sha.write(bytes),
        }
    }

    // `small-code` builds take the default (one `write`).
    #[cfg(not(feature = "small-code"))]
    fn write_head(&mut self, head: &[u8; 9], len: usize) {
        self.len = self.len.saturating_add(len);
        if self.used.saturating_add(head.len()) > HASH_BUFFER {
            self.flush();
        }
        let mut overflow = false;
        cbor::slice_write_head(&mut self.buf, &mut self.used, &mut overflow, head, len);
    }
}

/// The exact length of the Sig_structure for an ES256 protected header.
fn sig_structure_len(external_aad_len: usize, payload_len: usize) -> usize {
    let mut c = cbor::SizeCounter::new();
    Encoder::new(c.sink())
        .array(4)
        .text(SIGNATURE1)
        .bytes(&PROTECTED_ES256)
        .bytes_header(external_aad_len)
        .bytes_header(payload_len);
    c.len()
        .saturating_add(external_aad_len)
        .saturating_add(payload_len)
}

/// Something that can be written as a COSE payload: raw bytes, or a claims set encoded on the
/// fly (so a device never needs a second buffer for its claims).
pub trait Payload {
    /// Writes the payload bytes (the content of the payload byte string).
    fn write_payload<W: Write>(&self, e: &mut Encoder<W>);

    /// The exact length [`Self::write_payload`] writes.
    fn payload_len(&self) -> usize {
        cbor::encoded_len(|e| self.write_payload(e))
    }
}

impl Payload for [u8] {
    fn write_payload<W: Write>(&self, e: &mut Encoder<W>) {
        e.raw(self);
    }

    fn payload_len(&self) -> usize {
        self.len()
    }
}

/// Parameters of a COSE_Sign1 to produce: protected `{1: -7}`, an optional unprotected `kid`,
/// external AAD, attached or detached payload.
#[derive(Clone, Copy, Debug, Default)]
#[must_use]
pub struct Sign1Builder<'a> {
    kid: Option<&'a [u8]>,
    external_aad: &'a [u8],
    detached: bool,
    untagged: bool,
}

impl<'a> Sign1Builder<'a> {
    /// Tagged, attached payload, no kid, no external AAD.
    pub const fn new() -> Self {
        Self {
            kid: None,
            external_aad: &[],
            detached: false,
            untagged: false,
        }
    }

    /// Puts `kid` in the unprotected header. It must not be empty (several COSE implementations
    /// refuse an empty kid); [`Self::sign`] rejects one.
    pub const fn kid(mut self, kid: &'a [u8]) -> Self {
        self.kid = Some(kid);
        self
    }

    /// Binds external AAD into the signature.
    pub const fn external_aad(mut self, aad: &'a [u8]) -> Self {
        self.external_aad = aad;
        self
    }

    /// Leaves the payload out of the message (nil); the verifier supplies it.
    pub const fn detached(mut self, detached: bool) -> Self {
        self.detached = detached;
        self
    }

    /// Omits tag 18 (for protocols that tag at another layer).
    pub const fn untagged(mut self, untagged: bool) -> Self {
        self.untagged = untagged;
        self
    }

    /// Everything before the payload content: tag, array head, protected and unprotected
    /// headers, and the payload's byte-string head (or nil when detached).
    fn write_head(&self, payload_len: usize, e: &mut Encoder<cbor::Sink<'_>>) {
        if !self.untagged {
            e.tag(TAG_SIGN1);
        }
        e.array(4).bytes(&PROTECTED_ES256);
        match self.kid {
            Some(kid) => e.map(1).int(label::KID).bytes(kid),
            None => e.map(0),
        };
        if self.detached {
            e.null();
        } else {
            e.bytes_header(payload_len);
        }
    }

    /// The exact message length for a payload of `payload_len` bytes, without encoding it.
    fn message_len(&self, payload_len: usize) -> usize {
        let mut c = cbor::SizeCounter::new();
        let mut e = Encoder::new(c.sink());
        self.write_head(payload_len, &mut e);
        e.bytes(&[0; 64]);
        let content = if self.detached { 0 } else { payload_len };
        c.len().saturating_add(content)
    }

    /// The exact number of bytes [`Self::sign`] writes for `payload`.
    #[must_use]
    pub fn encoded_len<P: Payload + ?Sized>(&self, payload: &P) -> usize {
        self.message_len(payload.payload_len())
    }

    /// Signs `payload` with `signer` and writes the COSE_Sign1 into `out`; returns its length.
    ///
    /// The buffer size is checked before the signer is called, so a secure element is never
    /// asked to sign for a message that cannot be written, and `out` is written only after the
    /// signer has succeeded: on any error it is left as it was (but for a [`Payload`] that
    /// writes differently on two calls with the same input, which is reported after the fact).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] with the exact size needed; [`Error::UnsupportedAlgorithm`] when
    /// the signer is not ES256; [`Error::InvalidArgument`] for an empty kid;
    /// [`Error::InvalidPayload`] when a [`Payload`] writes another length than it reports; the
    /// signer's own error.
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn sign<S: Signer + ?Sized, P: Payload + ?Sized>(
        &self,
        signer: &S,
        payload: &P,
        out: &mut [u8],
    ) -> Result<usize> {
        if signer.algorithm() != ES256 {
            return Err(Error::UnsupportedAlgorithm);
        }
        if self.kid.is_some_and(<[u8]>::is_empty) {
            return Err(Error::InvalidArgument);
        }
        let payload_len = payload.payload_len();
        let needed = self.message_len(payload_len);
        if needed > out.len() {
            return Err(Error::BufferTooSmall { needed });
        }
        // Hash first, write after: `out` is only touched once the signer has succeeded. The
        // hash pass counts what the payload writes, so a payload that reports one length and
        // writes another is refused before anything is signed.
        let mut h = HashPass::new();
        write_sig_structure(
            &PROTECTED_ES256,
            self.external_aad,
            payload_len,
            |e| payload.write_payload(e),
            h.sink(),
        );
        let expected = sig_structure_len(self.external_aad.len(), payload_len);
        if h.len != expected {
            return Err(Error::InvalidPayload);
        }
        let signature = signer.sign_digest(&h.finalize())?;
        let mut w = SliceWriter::new(out);
        let mut e = Encoder::new(w.sink());
        self.write_head(payload_len, &mut e);
        if !self.detached {
            payload.write_payload(&mut e);
        }
        e.bytes(signature.as_bytes());
        if w.len() != needed {
            return Err(Error::InvalidPayload);
        }
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SigningKey;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32]).unwrap()
    }

    #[test]
    #[cfg_attr(miri, ignore)] // ES256 keys and signatures: minutes each under Miri
    fn sign_verify_round_trip() {
        let k = key();
        let vk = k.verifying_key();
        let mut buf = [0u8; 256];
        for (kid, aad, detached) in [
            (None, &b""[..], false),
            (Some(&b"k1"[..]), &b"aad"[..], true),
        ] {
            let mut b = Sign1Builder::new().external_aad(aad).detached(detached);
            if let Some(kid) = kid {
                b = b.kid(kid);
            }
            let n = b.sign(&k, &b"hello"[..], &mut buf).unwrap();
            assert_eq!(n, b.encoded_len(&b"hello"[..]));
            let msg = &buf[..n];
            cbor::validate(msg, Mode::Strict).unwrap();
            let u = UnverifiedSign1::parse(msg, &ParseOptions::DEFAULT).unwrap();
            assert_eq!(u.kid_untrusted(), kid);
            let v = if detached {
                assert_eq!(
                    u.verify(&vk, aad).err(),
                    Some(Error::MissingDetachedPayload)
                );
                u.verify_detached(&vk, aad, b"hello").unwrap()
            } else {
                assert_eq!(
                    u.verify_detached(&vk, aad, b"x").err(),
                    Some(Error::UnexpectedDetachedPayload)
                );
                u.verify(&vk, aad).unwrap()
            };
            assert_eq!(v.payload(), b"hello");
            assert_eq!(v.protected_kid(), None);
            let wrong_aad = if detached {
                u.verify_detached(&vk, b"other", b"hello")
            } else {
                u.verify(&vk, b"other")
            };
            assert_eq!(wrong_aad.err(), Some(Error::VerificationFailed));
        }
    }

    #[test]
    fn one_pass_parse_keeps_the_depth_bound_of_validation() {
        // [h'a10126', {4: h'6b', 99: [[...[0]...]]}, h'', h'00'*64] with the unprotected value
        // nested `n` arrays deep, untagged, tagged 18 and tagged 61(18): around the bound.
        let opts = ParseOptions {
            accept_untagged: true,
            accept_cwt_tag: true,
            ..ParseOptions::DEFAULT
        };
        for (prefix, deepest) in [
            (&[][..], 13),
            (&[0xd2][..], 12),
            (&[0xd8, 0x3d, 0xd2][..], 11),
        ] {
            for n in 8..16 {
                let mut m = prefix.to_vec();
                m.extend_from_slice(&[0x84, 0x43, 0xa1, 0x01, 0x26, 0xa2, 0x04, 0x41, 0x6b]);
                m.extend_from_slice(&[0x18, 0x63]);
                m.extend(core::iter::repeat_n(0x81, n));
                m.push(0x00);
                m.push(0x40);
                m.extend_from_slice(&[0x58, 0x40]);
                m.extend_from_slice(&[1; 64]);
                let got = UnverifiedSign1::parse(&m, &opts).map(|u| u.kid_untrusted());
                let want = UnverifiedSign1::parse_reference(&m, &opts).map(|u| u.kid_untrusted());
                assert_eq!(got, want, "prefix {prefix:02x?}, {n} arrays");
                let expected = if n <= deepest {
                    Ok(Some(&[0x6b][..]))
                } else {
                    Err(Error::DepthExceeded)
                };
                assert_eq!(got, expected, "prefix {prefix:02x?}, {n} arrays");
            }
        }
    }

    #[test]
    fn payload_writing_another_length_than_it_reports_is_refused() {
        struct Refuse;
        impl Signer for Refuse {
            fn sign_digest(&self, _: &[u8; 32]) -> Result<Signature> {
                Err(Error::SignerFailed)
            }
        }
        struct Liar;
        impl Payload for Liar {
            fn write_payload<W: Write>(&self, e: &mut Encoder<W>) {
                e.raw(b"abc");
            }
            fn payload_len(&self) -> usize {
                2
            }
        }
        let mut buf = [0u8; 128];
        assert_eq!(
            Sign1Builder::new().sign(&Refuse, &Liar, &mut buf),
            Err(Error::InvalidPayload),
            "refused before the signer is asked"
        );
    }

    #[test]
    fn buffer_too_small_before_signing() {
        struct Refuse;
        impl Signer for Refuse {
            fn sign_digest(&self, _: &[u8; 32]) -> Result<Signature> {
                Err(Error::SignerFailed)
            }
        }
        let needed = Sign1Builder::new().encoded_len(&b"abc"[..]);
        assert_eq!(
            Sign1Builder::new().sign(&Refuse, &b"abc"[..], &mut [0u8; 8]),
            Err(Error::BufferTooSmall { needed })
        );
        assert_eq!(
            Sign1Builder::new().sign(&Refuse, &b"abc"[..], &mut [0u8; 128]),
            Err(Error::SignerFailed)
        );
    }
}
