//! The one error type of the crate.
//!
//! [`Error`] is `Copy`, allocation-free and `#[non_exhaustive]`. Variants are precise so that a
//! caller (or a C firmware engineer reading a code) knows what was wrong with the input, with one
//! deliberate exception: a signature that does not verify is always the opaque
//! [`Error::VerificationFailed`], whatever the reason inside the signature arithmetic.
//!
//! Every variant has a stable numeric [`Error::code`], grouped in ranges:
//!
//! | range | group |
//! |---|---|
//! | 100–199 | CBOR well-formedness, validity and determinism |
//! | 200–299 | COSE structure and header rules |
//! | 300–399 | keys, signatures and crypto providers |
//! | 400–499 | caller buffers and API misuse |
//! | 500–599 | EAT claims and the ECN PP profile |
//! | 600–699 | appraisal and policy |

use core::fmt;

/// Everything that can go wrong in this crate.
///
/// Codes are stable across releases: a variant is never renumbered, only added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    // ---- CBOR (100..) ----
    /// The input ended inside a data item.
    Truncated,
    /// Bytes follow the end of the top-level data item.
    TrailingBytes,
    /// The bytes are not well-formed CBOR (reserved additional information, a break code
    /// outside an indefinite-length item, a two-byte simple value below 32, ...).
    Malformed,
    /// An indefinite-length string, array or map: this crate reads definite lengths only.
    IndefiniteLength,
    /// Strict mode: an encoding that is not RFC 8949 §4.2.1 core deterministic (a longer than
    /// needed argument, a float that fits a shorter form, or map keys out of order).
    NonDeterministic,
    /// A text string that is not valid UTF-8.
    InvalidUtf8,
    /// The same key appears twice in one map (headers, claims or any nested map).
    DuplicateKey,
    /// Nesting deeper than [`crate::cbor::MAX_DEPTH`].
    DepthExceeded,
    /// A map with more than [`crate::cbor::MAX_MAP_ENTRIES`] entries.
    TooManyEntries,
    /// A data item of another type than the position requires.
    UnexpectedType,
    /// An integer outside the range the position allows.
    IntegerOutOfRange,
    /// A map key of a type the position does not take: an array, map or tag as the key of any
    /// map (keys are compared as scalars, at a bounded cost), or anything but an integer or a
    /// text string where COSE and EAT require a label (header maps, claims maps) or a text
    /// string (submodule names).
    InvalidMapKey,

    // ---- COSE (200..) ----
    /// A tag other than the accepted ones (tag 18, and with options none or 61(18)).
    UnexpectedTag,
    /// The message is untagged and the options require tag 18.
    MissingTag,
    /// The COSE_Sign1 array does not have exactly four elements of the right types.
    InvalidStructure,
    /// No `alg` header parameter at all.
    MissingAlgorithm,
    /// `alg` appears only in the unprotected bucket.
    AlgorithmNotProtected,
    /// `alg` appears in both the protected and the unprotected bucket.
    AlgorithmInBothBuckets,
    /// `alg` names an algorithm this crate does not know or does not support (not ES256).
    UnsupportedAlgorithm,
    /// `alg` names a known algorithm that cannot be used with the key (e.g. ES512 with P-256).
    AlgorithmKeyMismatch,
    /// `crit` is empty, not an array of labels, or names a label absent from the protected header.
    InvalidCritical,
    /// `crit` appears in the unprotected bucket.
    CriticalNotProtected,
    /// `crit` lists a label this crate does not understand.
    UnknownCriticalHeader,
    /// A label appears in both header buckets, or a known header has the wrong type.
    InvalidHeader,
    /// The payload is detached (nil) and the caller supplied none.
    MissingDetachedPayload,
    /// The payload is attached and the caller supplied a detached one as well.
    UnexpectedDetachedPayload,
    /// The payload is not what the position requires (e.g. not a CBOR map of claims).
    InvalidPayload,

    // ---- keys, signatures, crypto (300..) ----
    /// The signature is not exactly 64 bytes of fixed-width `r || s` (a DER signature lands here).
    InvalidSignatureLength,
    /// `r` or `s` is zero or not below the group order.
    SignatureScalarOutOfRange,
    /// The signature does not verify. Deliberately carries no detail.
    VerificationFailed,
    /// A key that is not a valid P-256 public or private key.
    InvalidKey,
    /// A COSE_Key of another key type than EC2, or with an unsupported curve.
    UnsupportedKeyType,
    /// A signer (for example a secure element behind a callback) reported a failure.
    SignerFailed,
    /// The token names no key among the caller's trust anchors.
    KeyNotTrusted,

    // ---- buffers and misuse (400..) ----
    /// The output buffer is too small; `needed` bytes are required in total.
    BufferTooSmall {
        /// The exact number of bytes the output needs.
        needed: usize,
    },
    /// A length or count does not fit the wire format or the platform.
    LengthOverflow,
    /// An argument is outside what the function documents.
    InvalidArgument,

    // ---- EAT and profile (500..) ----
    /// A claim has the wrong type or a value outside its registered range.
    InvalidClaim {
        /// The claim key.
        key: i64,
    },
    /// A claim the profile requires is absent.
    MissingClaim {
        /// The claim key.
        key: i64,
    },
    /// `eat_profile` is absent or names another profile.
    WrongProfile,
    /// A submodule the promise requires (`"se"`, `"tee"`) is absent or malformed.
    MissingSubmodule,
    /// An attestation result was given where evidence is expected (its signed `eat_profile`
    /// is the result profile).
    ResultGivenAsEvidence,
    /// Evidence was given where an attestation result is expected (its signed `eat_profile` is
    /// the evidence profile).
    EvidenceGivenAsResult,

    // ---- appraisal (600..) ----
    /// The policy itself is inconsistent (e.g. no challenge configured).
    InvalidPolicy,
    /// A contraindicated result is reported to the caller, never issued as a signed token.
    ResultContraindicated,
    /// The policy accepts a profile whose rules this library does not know; a profile is
    /// accepted only together with its rules.
    ProfileWithoutRules,
}

impl Error {
    /// The stable numeric code of this error, as exposed through the C API.
    #[must_use]
    pub const fn code(&self) -> i32 {
        match self {
            Self::Truncated => 100,
            Self::TrailingBytes => 101,
            Self::Malformed => 102,
            Self::IndefiniteLength => 103,
            Self::NonDeterministic => 104,
            Self::InvalidUtf8 => 105,
            Self::DuplicateKey => 106,
            Self::DepthExceeded => 107,
            Self::TooManyEntries => 108,
            Self::UnexpectedType => 109,
            Self::IntegerOutOfRange => 110,
            Self::InvalidMapKey => 111,
            Self::UnexpectedTag => 200,
            Self::MissingTag => 201,
            Self::InvalidStructure => 202,
            Self::MissingAlgorithm => 203,
            Self::AlgorithmNotProtected => 204,
            Self::AlgorithmInBothBuckets => 205,
            Self::UnsupportedAlgorithm => 206,
            Self::AlgorithmKeyMismatch => 207,
            Self::InvalidCritical => 208,
            Self::CriticalNotProtected => 209,
            Self::UnknownCriticalHeader => 210,
            Self::InvalidHeader => 211,
            Self::MissingDetachedPayload => 212,
            Self::UnexpectedDetachedPayload => 213,
            Self::InvalidPayload => 214,
            Self::InvalidSignatureLength => 300,
            Self::SignatureScalarOutOfRange => 301,
            Self::VerificationFailed => 302,
            Self::InvalidKey => 303,
            Self::UnsupportedKeyType => 304,
            Self::SignerFailed => 305,
            Self::KeyNotTrusted => 306,
            Self::BufferTooSmall { .. } => 400,
            Self::LengthOverflow => 401,
            Self::InvalidArgument => 402,
            Self::InvalidClaim { .. } => 500,
            Self::MissingClaim { .. } => 501,
            Self::WrongProfile => 502,
            Self::MissingSubmodule => 503,
            Self::ResultGivenAsEvidence => 504,
            Self::EvidenceGivenAsResult => 505,
            Self::InvalidPolicy => 600,
            Self::ResultContraindicated => 601,
            Self::ProfileWithoutRules => 602,
        }
    }

    /// A short, static, human-readable description (no input bytes are ever echoed).
    #[must_use]
    pub const fn message(&self) -> &'static str {
        match self {
            Self::Truncated => "input ends inside a CBOR data item",
            Self::TrailingBytes => "bytes follow the end of the message",
            Self::Malformed => "CBOR is not well-formed",
            Self::IndefiniteLength => "indefinite-length CBOR items are not accepted",
            Self::NonDeterministic => "CBOR encoding is not core deterministic",
            Self::InvalidUtf8 => "text string is not valid UTF-8",
            Self::DuplicateKey => "duplicate key in a CBOR map",
            Self::DepthExceeded => "CBOR nesting is deeper than the documented bound",
            Self::TooManyEntries => "CBOR map has more entries than the documented bound",
            Self::UnexpectedType => "CBOR data item has an unexpected type",
            Self::IntegerOutOfRange => "integer out of range",
            Self::InvalidMapKey => "map key of a type not accepted at this position",
            Self::UnexpectedTag => "unexpected CBOR tag",
            Self::MissingTag => "COSE_Sign1 tag 18 is required",
            Self::InvalidStructure => "not a COSE_Sign1 structure",
            Self::MissingAlgorithm => "no alg header parameter",
            Self::AlgorithmNotProtected => "alg must be in the protected header",
            Self::AlgorithmInBothBuckets => "alg appears in both header buckets",
            Self::UnsupportedAlgorithm => "unsupported algorithm",
            Self::AlgorithmKeyMismatch => "algorithm does not match the key",
            Self::InvalidCritical => "crit must be a non-empty array of labels",
            Self::CriticalNotProtected => "crit must be in the protected header",
            Self::UnknownCriticalHeader => "crit lists an unknown header parameter",
            Self::InvalidHeader => "invalid header parameter",
            Self::MissingDetachedPayload => "payload is detached and none was supplied",
            Self::UnexpectedDetachedPayload => "payload is attached; a detached one was supplied",
            Self::InvalidPayload => "invalid payload",
            Self::InvalidSignatureLength => "signature must be 64 bytes of r || s",
            Self::SignatureScalarOutOfRange => "signature r or s out of range",
            Self::VerificationFailed => "verification failed",
            Self::InvalidKey => "invalid key",
            Self::UnsupportedKeyType => "unsupported key type or curve",
            Self::SignerFailed => "the signer failed",
            Self::KeyNotTrusted => "no trusted key for this token",
            Self::BufferTooSmall { .. } => "output buffer too small",
            Self::LengthOverflow => "length overflow",
            Self::InvalidArgument => "invalid argument",
            Self::InvalidClaim { .. } => "invalid claim",
            Self::MissingClaim { .. } => "missing claim",
            Self::WrongProfile => "wrong or missing eat_profile",
            Self::MissingSubmodule => "required submodule missing or malformed",
            Self::ResultGivenAsEvidence => {
                "an attestation result was given where evidence is expected"
            }
            Self::EvidenceGivenAsResult => {
                "evidence was given where an attestation result is expected"
            }
            Self::InvalidPolicy => "invalid policy",
            Self::ResultContraindicated => "contraindicated results are not issued as tokens",
            Self::ProfileWithoutRules => "the policy accepts a profile whose rules are unknown",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed } => {
                write!(f, "{} ({needed} bytes needed)", self.message())
            }
            Self::InvalidClaim { key } | Self::MissingClaim { key } => {
                write!(f, "{} (key {key})", self.message())
            }
            _ => f.write_str(self.message()),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, Error>;
