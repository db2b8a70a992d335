//! Errors of the command line: an exit code and a message that names the file and the problem.
//!
//! Exit codes: 0 success; 1 a verification or policy refusal (the input was read, and it was
//! refused); 2 usage or unreadable input (bad arguments, a missing or unreadable file, a key or
//! JSON file that does not parse). [`explain`] turns a library [`Error`] into readable text.

use std::fmt;

use ecnpp_attest::Error;
use ecnpp_attest::cbor::{MAX_DEPTH, MAX_MAP_ENTRIES};
use ecnpp_attest::eat::{DebugStatus, Promise};
use ecnpp_attest::ecnpp::{PROFILE_OID_TEXT, SUBMOD_SE, SUBMOD_TEE};

use crate::claims::claim_label;

/// The exit status of a failed command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 1: the input was read and refused (signature, format, profile, policy, requirement).
    Refused,
    /// 2: bad usage or unreadable input.
    Usage,
}

impl Exit {
    /// The process exit code.
    pub(crate) const fn code(self) -> u8 {
        match self {
            Self::Refused => 1,
            Self::Usage => 2,
        }
    }
}

/// A failed command: what to print on stderr and how to exit.
#[derive(Debug)]
pub(crate) struct CliError {
    /// How to exit.
    pub(crate) exit: Exit,
    /// The message, already naming the file or argument concerned.
    pub(crate) message: String,
}

impl CliError {
    /// A usage or unreadable-input error (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// A refusal (exit 1).
    pub(crate) fn refused(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Refused,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Result of a command step.
pub(crate) type CliResult<T> = Result<T, CliError>;

/// A readable sentence for a library error (without the file name, which the caller adds).
///
/// The library's own messages are short and static; this adds what a person needs to act: the
/// claim's name, the bound that was exceeded, the option that would accept the input.
pub(crate) fn explain(e: Error) -> String {
    match e {
        Error::Truncated => "the input ends inside a CBOR item (truncated)".into(),
        Error::TrailingBytes => "bytes follow the end of the COSE message".into(),
        Error::Malformed => "not well-formed CBOR".into(),
        Error::IndefiniteLength => "indefinite-length CBOR items are not accepted".into(),
        Error::NonDeterministic => {
            "the CBOR is not core deterministic (RFC 8949 §4.2.1), which --strict requires".into()
        }
        Error::InvalidUtf8 => "a text string is not valid UTF-8".into(),
        Error::DuplicateKey => "a CBOR map has the same key twice".into(),
        Error::DepthExceeded => format!("CBOR nesting is deeper than {MAX_DEPTH} levels"),
        Error::TooManyEntries => format!("a CBOR map has more than {MAX_MAP_ENTRIES} entries"),
        Error::UnexpectedType => "a CBOR item has an unexpected type".into(),
        Error::IntegerOutOfRange => "an integer is out of range".into(),
        Error::UnexpectedTag => {
            "unexpected CBOR tag: a COSE_Sign1 carries tag 18 (--permissive-tags also accepts \
             untagged messages and the CWT wrapper 61(18(...)))"
                .into()
        }
        Error::MissingTag => {
            "COSE_Sign1 tag 18 is missing (--permissive-tags accepts untagged messages)".into()
        }
        Error::InvalidStructure => {
            "not a COSE_Sign1: expected [protected: bstr, unprotected: map, payload: bstr, \
             signature: bstr]"
                .into()
        }
        Error::MissingAlgorithm => "no alg header parameter".into(),
        Error::AlgorithmNotProtected => {
            "alg is in the unprotected header; it must be in the protected header".into()
        }
        Error::AlgorithmInBothBuckets => {
            "alg appears in both the protected and the unprotected header".into()
        }
        Error::UnsupportedAlgorithm => "unsupported algorithm: only ES256 (alg -7) is".into(),
        Error::AlgorithmKeyMismatch => {
            "the token's algorithm is not ES256, the only one usable with a P-256 key".into()
        }
        Error::InvalidCritical => "crit must be a non-empty array of present labels".into(),
        Error::CriticalNotProtected => "crit must be in the protected header".into(),
        Error::UnknownCriticalHeader => "crit lists a header parameter ecnpp does not know".into(),
        Error::InvalidHeader => {
            "invalid header parameter (wrong type, or in both header buckets)".into()
        }
        Error::MissingDetachedPayload => {
            "the payload is detached (nil); ecnpp verifies attached payloads only".into()
        }
        Error::UnexpectedDetachedPayload => "the payload is attached".into(),
        Error::InvalidPayload => "the payload is not a CBOR map of claims".into(),
        Error::InvalidSignatureLength => {
            "the signature is not 64 bytes of r || s (a DER-encoded signature?)".into()
        }
        Error::SignatureScalarOutOfRange => {
            "signature r or s is zero or not below the P-256 group order".into()
        }
        Error::VerificationFailed => "the signature does not verify".into(),
        Error::InvalidKey => "not a valid P-256 key".into(),
        Error::UnsupportedKeyType => "unsupported key type or curve (P-256 only)".into(),
        Error::SignerFailed => "the signer failed".into(),
        Error::KeyNotTrusted => "the token's kid names none of the trusted keys".into(),
        Error::BufferTooSmall { needed } => {
            format!("internal buffer too small ({needed} bytes needed)")
        }
        Error::LengthOverflow => "a length does not fit".into(),
        Error::InvalidArgument => "invalid argument".into(),
        Error::InvalidClaim { key } => {
            format!(
                "claim {} has the wrong type or a value out of range",
                claim_label(key)
            )
        }
        Error::MissingClaim { key } => format!("missing claim {}", claim_label(key)),
        Error::WrongProfile => {
            format!("eat_profile is missing or is not the ECN PP profile {PROFILE_OID_TEXT}")
        }
        Error::MissingSubmodule => format!(
            "a submodule the promise requires is missing or breaks its rules ({}: \"{SUBMOD_SE}\" \
             with oemid, hwmodel and dbgstat at least {}; {}: \"{SUBMOD_TEE}\" with measurements)",
            Promise::SecureElement.name(),
            DebugStatus::DisabledPermanently.name(),
            Promise::SecureEnclave.name(),
        ),
        Error::InvalidPolicy => "the policy is inconsistent".into(),
        Error::ResultContraindicated => {
            "the result is contraindicated, and contraindicated results are not issued as tokens"
                .into()
        }
        // The library's error type is non-exhaustive: a new variant still gets its own text.
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_errors_name_the_claim() {
        assert_eq!(
            explain(Error::MissingClaim { key: 256 }),
            "missing claim 256 (ueid)"
        );
        assert!(explain(Error::InvalidClaim { key: -90101 }).contains("ecnpp-promise"));
        assert!(explain(Error::InvalidClaim { key: -5 }).contains("claim -5 "));
    }
}
