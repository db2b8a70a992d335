//! The one error type of the crate.
//!
//! [`Error`] is `Copy`, allocation-free and `#[non_exhaustive]`. Variants are precise so that a
//! caller (or a C firmware engineer reading a code) knows what was wrong with the input, with one
//! deliberate exception: a signature that does not verify is always the opaque
//! [`Error::VerificationFailed`], whatever the reason inside the signature arithmetic.
//!
//! Every variant has a stable numeric [`Error::code`], a stable machine name ([`Error::name`],
//! the suffix of the C API's `ECNPP_ERR_*` constant) and a static [`Error::message`], all from
//! one table in this file; [`Error::ALL`] lists every variant, so the C API, the CLI and the docs
//! read the table rather than restating it. Codes are grouped in ranges:
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

/// The one error table: each row is a variant (with its doc and, for a variant with a field,
/// the field's representative value in [`Error::ALL`]), its stable code, its stable machine name
/// and its message. The enum and every lookup are generated from it.
macro_rules! errors {
    ($(
        $(#[$doc:meta])*
        $variant:ident $({ $(#[$fdoc:meta])* $field:ident: $fty:ty = $rep:expr, })?
            = $code:literal, $name:literal, $msg:literal;
    )*) => {
        /// Everything that can go wrong in this crate.
        ///
        /// Codes are stable across releases: a variant is never renumbered, only added.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Error {
            $($(#[$doc])* $variant $({ $(#[$fdoc])* $field: $fty })?,)*
        }

        impl Error {
            /// Every variant, in code order; a variant with a field carries a representative
            /// value (0) in it.
            pub const ALL: &'static [Self] = &[$(Self::$variant $({ $field: $rep })?),*];

            /// The stable numeric code of this error, as exposed through the C API.
            #[must_use]
            pub const fn code(&self) -> i32 {
                match self {
                    $(Self::$variant { .. } => $code,)*
                }
            }

            /// The stable machine name of this error, e.g. `"TRUNCATED"`: the C API's constant
            /// is `ECNPP_ERR_` followed by it.
            #[must_use]
            pub const fn name(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => $name,)*
                }
            }

            /// A short, static, human-readable description (no input bytes are ever echoed).
            #[must_use]
            pub const fn message(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => $msg,)*
                }
            }

            /// The error with stable code `code` (as in [`Error::ALL`]: a field holds its
            /// representative value), or `None` for a code no variant has.
            #[must_use]
            pub const fn from_code(code: i32) -> Option<Self> {
                match code {
                    $($code => Some(Self::$variant $({ $field: $rep })?),)*
                    _ => None,
                }
            }
        }
    };
}

errors! {
    // ---- CBOR (100..) ----
    /// The input ended inside a data item.
    Truncated = 100, "TRUNCATED",
        "input ends inside a CBOR data item";
    /// Bytes follow the end of the top-level data item.
    TrailingBytes = 101, "TRAILING_BYTES",
        "bytes follow the end of the message";
    /// The bytes are not well-formed CBOR (reserved additional information, a break code
    /// outside an indefinite-length item, a two-byte simple value below 32, ...).
    Malformed = 102, "MALFORMED",
        "CBOR is not well-formed";
    /// An indefinite-length string, array or map: this crate reads definite lengths only.
    IndefiniteLength = 103, "INDEFINITE_LENGTH",
        "indefinite-length CBOR items are not accepted";
    /// Strict mode: an encoding that is not RFC 8949 §4.2.1 core deterministic (a longer than
    /// needed argument, a float that fits a shorter form, or map keys out of order).
    NonDeterministic = 104, "NON_DETERMINISTIC",
        "CBOR encoding is not core deterministic";
    /// A text string that is not valid UTF-8.
    InvalidUtf8 = 105, "INVALID_UTF8",
        "text string is not valid UTF-8";
    /// The same key appears twice in one map (headers, claims or any nested map).
    DuplicateKey = 106, "DUPLICATE_KEY",
        "duplicate key in a CBOR map";
    /// Nesting deeper than [`crate::cbor::MAX_DEPTH`].
    DepthExceeded = 107, "DEPTH_EXCEEDED",
        "CBOR nesting is deeper than the documented bound";
    /// A map with more than [`crate::cbor::MAX_MAP_ENTRIES`] entries.
    TooManyEntries = 108, "TOO_MANY_ENTRIES",
        "CBOR map has more entries than the documented bound";
    /// A data item of another type than the position requires.
    UnexpectedType = 109, "UNEXPECTED_TYPE",
        "CBOR data item has an unexpected type";
    /// An integer outside the range the position allows.
    IntegerOutOfRange = 110, "INTEGER_OUT_OF_RANGE",
        "integer out of range";
    /// A map key of a type the position does not take: an array, map or tag as the key of any
    /// map (keys are compared as scalars, at a bounded cost), or anything but an integer or a
    /// text string where COSE and EAT require a label (header maps, claims maps) or a text
    /// string (submodule names).
    InvalidMapKey = 111, "INVALID_MAP_KEY",
        "map key of a type not accepted at this position";

    // ---- COSE (200..) ----
    /// A tag other than the accepted ones (tag 18, and with options none or 61(18)).
    UnexpectedTag = 200, "UNEXPECTED_TAG",
        "unexpected CBOR tag";
    /// The message is untagged and the options require tag 18.
    MissingTag = 201, "MISSING_TAG",
        "COSE_Sign1 tag 18 is required";
    /// The COSE_Sign1 array does not have exactly four elements of the right types.
    InvalidStructure = 202, "INVALID_STRUCTURE",
        "not a COSE_Sign1 structure";
    /// No `alg` header parameter at all.
    MissingAlgorithm = 203, "MISSING_ALGORITHM",
        "no alg header parameter";
    /// `alg` appears only in the unprotected bucket.
    AlgorithmNotProtected = 204, "ALGORITHM_NOT_PROTECTED",
        "alg must be in the protected header";
    /// `alg` appears in both the protected and the unprotected bucket.
    AlgorithmInBothBuckets = 205, "ALGORITHM_IN_BOTH_BUCKETS",
        "alg appears in both header buckets";
    /// `alg` names an algorithm this crate does not know or does not support (not ES256).
    UnsupportedAlgorithm = 206, "UNSUPPORTED_ALGORITHM",
        "unsupported algorithm";
    /// `alg` names a known algorithm that cannot be used with the key (e.g. ES512 with P-256).
    AlgorithmKeyMismatch = 207, "ALGORITHM_KEY_MISMATCH",
        "algorithm does not match the key";
    /// `crit` is empty, not an array of labels, or names a label absent from the protected header.
    InvalidCritical = 208, "INVALID_CRITICAL",
        "crit must be a non-empty array of labels";
    /// `crit` appears in the unprotected bucket.
    CriticalNotProtected = 209, "CRITICAL_NOT_PROTECTED",
        "crit must be in the protected header";
    /// `crit` lists a label this crate does not understand.
    UnknownCriticalHeader = 210, "UNKNOWN_CRITICAL_HEADER",
        "crit lists an unknown header parameter";
    /// A label appears in both header buckets, or a known header has the wrong type.
    InvalidHeader = 211, "INVALID_HEADER",
        "invalid header parameter";
    /// The payload is detached (nil) and the caller supplied none.
    MissingDetachedPayload = 212, "MISSING_DETACHED_PAYLOAD",
        "payload is detached and none was supplied";
    /// The payload is attached and the caller supplied a detached one as well.
    UnexpectedDetachedPayload = 213, "UNEXPECTED_DETACHED_PAYLOAD",
        "payload is attached; a detached one was supplied";
    /// The payload is not what the position requires (e.g. not a CBOR map of claims).
    InvalidPayload = 214, "INVALID_PAYLOAD",
        "invalid payload";

    // ---- keys, signatures, crypto (300..) ----
    /// The signature is not exactly 64 bytes of fixed-width `r || s` (a DER signature lands here).
    InvalidSignatureLength = 300, "INVALID_SIGNATURE_LENGTH",
        "signature must be 64 bytes of r || s";
    /// `r` or `s` is zero or not below the group order.
    SignatureScalarOutOfRange = 301, "SIGNATURE_SCALAR_OUT_OF_RANGE",
        "signature r or s out of range";
    /// The signature does not verify. Deliberately carries no detail.
    VerificationFailed = 302, "VERIFICATION_FAILED",
        "verification failed";
    /// A key that is not a valid P-256 public or private key.
    InvalidKey = 303, "INVALID_KEY",
        "invalid key";
    /// A COSE_Key of another key type than EC2, or with an unsupported curve.
    UnsupportedKeyType = 304, "UNSUPPORTED_KEY_TYPE",
        "unsupported key type or curve";
    /// A signer (for example a secure element behind a callback) reported a failure.
    SignerFailed = 305, "SIGNER_FAILED",
        "the signer failed";
    /// The token names no key among the caller's trust anchors.
    KeyNotTrusted = 306, "KEY_NOT_TRUSTED",
        "no trusted key for this token";

    // ---- buffers and misuse (400..) ----
    /// The output buffer is too small; `needed` bytes are required in total.
    BufferTooSmall {
        /// The exact number of bytes the output needs.
        needed: usize = 0,
    } = 400, "BUFFER_TOO_SMALL",
        "output buffer too small";
    /// A length or count does not fit the wire format or the platform.
    LengthOverflow = 401, "LENGTH_OVERFLOW",
        "length overflow";
    /// An argument is outside what the function documents.
    InvalidArgument = 402, "INVALID_ARGUMENT",
        "invalid argument";

    // ---- EAT and profile (500..) ----
    /// A claim has the wrong type or a value outside its registered range.
    InvalidClaim {
        /// The claim key.
        key: i64 = 0,
    } = 500, "INVALID_CLAIM",
        "invalid claim";
    /// A claim the profile requires is absent.
    MissingClaim {
        /// The claim key.
        key: i64 = 0,
    } = 501, "MISSING_CLAIM",
        "missing claim";
    /// `eat_profile` is absent or names another profile.
    WrongProfile = 502, "WRONG_PROFILE",
        "wrong or missing eat_profile";
    /// A submodule the promise requires (`"se"`, `"tee"`) is absent or malformed.
    MissingSubmodule = 503, "MISSING_SUBMODULE",
        "required submodule missing or malformed";
    /// An attestation result was given where evidence is expected (its signed `eat_profile`
    /// is the result profile).
    ResultGivenAsEvidence = 504, "RESULT_GIVEN_AS_EVIDENCE",
        "an attestation result was given where evidence is expected";
    /// Evidence was given where an attestation result is expected (its signed `eat_profile` is
    /// the evidence profile).
    EvidenceGivenAsResult = 505, "EVIDENCE_GIVEN_AS_RESULT",
        "evidence was given where an attestation result is expected";

    // ---- appraisal (600..) ----
    /// The policy itself is inconsistent (e.g. no challenge configured).
    InvalidPolicy = 600, "INVALID_POLICY",
        "invalid policy";
    /// A contraindicated result is reported to the caller, never issued as a signed token.
    ResultContraindicated = 601, "RESULT_CONTRAINDICATED",
        "contraindicated results are not issued as tokens";
    /// The policy accepts a profile whose rules this library does not know; a profile is
    /// accepted only together with its rules.
    ProfileWithoutRules = 602, "PROFILE_WITHOUT_RULES",
        "the policy accepts a profile whose rules are unknown";
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

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn the_table_is_consistent() {
        let mut previous = 0;
        for (i, e) in Error::ALL.iter().enumerate() {
            assert!(e.code() > previous, "{e:?}: codes ascend");
            previous = e.code();
            assert_eq!(Error::from_code(e.code()), Some(*e));
            assert!(
                e.name()
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{e:?}"
            );
            for other in Error::ALL.get(i + 1..).unwrap_or(&[]) {
                assert_ne!(e.name(), other.name());
                assert_ne!(e.message(), other.message());
            }
        }
        assert_eq!(Error::from_code(0), None);
        assert_eq!(Error::from_code(199), None);
    }
}
