//! Result codes: `ECNPP_OK`, core's stable `Error::code()` values, and the C boundary's own.
//!
//! The enum is written out with literal values because cbindgen reads source, not expanded
//! code. Everything else comes from core's error table: [`TABLE`] lists the C values, and each
//! core row takes its error ([`Error::from_code`], at compile time: a C value core has no error
//! for does not build) and its message from core; the tests check that every core error has a
//! C value and that each C name is `ECNPP_ERR_` + [`Error::name`].

use core::ffi::c_char;

use ecnpp_attest::Error;

/// Result of every fallible C API function: `ECNPP_OK` (0) or a positive, stable error code.
///
/// Codes are grouped in ranges: 100-199 CBOR, 200-299 COSE, 300-399 keys and signatures,
/// 400-499 buffers and misuse, 500-599 EAT claims and profile, 600-699 appraisal,
/// 900-999 the C boundary. A code is never renumbered or reused. `ecnpp_result_str` describes
/// any code.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum ecnpp_result {
    /// Success.
    ECNPP_OK = 0,

    /// The input ends inside a CBOR data item.
    ECNPP_ERR_TRUNCATED = 100,
    /// Bytes follow the end of the message.
    ECNPP_ERR_TRAILING_BYTES = 101,
    /// The CBOR is not well-formed.
    ECNPP_ERR_MALFORMED = 102,
    /// An indefinite-length CBOR item (only definite lengths are read).
    ECNPP_ERR_INDEFINITE_LENGTH = 103,
    /// With `ECNPP_SIGN1_DETERMINISTIC`: the CBOR is not core deterministic.
    ECNPP_ERR_NON_DETERMINISTIC = 104,
    /// A text string is not valid UTF-8.
    ECNPP_ERR_INVALID_UTF8 = 105,
    /// The same key appears twice in one CBOR map.
    ECNPP_ERR_DUPLICATE_KEY = 106,
    /// CBOR nesting deeper than the documented bound (16).
    ECNPP_ERR_DEPTH_EXCEEDED = 107,
    /// A CBOR map with more than the documented number of entries (256).
    ECNPP_ERR_TOO_MANY_ENTRIES = 108,
    /// A CBOR data item of another type than its position requires.
    ECNPP_ERR_UNEXPECTED_TYPE = 109,
    /// An integer outside the range its position allows.
    ECNPP_ERR_INTEGER_OUT_OF_RANGE = 110,
    /// A map key of a type its position does not take (an array, map or tag anywhere; not an
    /// integer or text label in a header or claims map; not a text submodule name).
    ECNPP_ERR_INVALID_MAP_KEY = 111,

    /// A tag other than 18 (or, with flags, none or 61(18(...))).
    ECNPP_ERR_UNEXPECTED_TAG = 200,
    /// The message is untagged and tag 18 is required.
    ECNPP_ERR_MISSING_TAG = 201,
    /// Not a four-element COSE_Sign1 array of the right types.
    ECNPP_ERR_INVALID_STRUCTURE = 202,
    /// No `alg` header parameter.
    ECNPP_ERR_MISSING_ALGORITHM = 203,
    /// `alg` is only in the unprotected header.
    ECNPP_ERR_ALGORITHM_NOT_PROTECTED = 204,
    /// `alg` is in both header buckets.
    ECNPP_ERR_ALGORITHM_IN_BOTH_BUCKETS = 205,
    /// `alg` is not ES256 nor a known signature algorithm.
    ECNPP_ERR_UNSUPPORTED_ALGORITHM = 206,
    /// `alg` is a known algorithm that does not fit a P-256 key (e.g. ES512).
    ECNPP_ERR_ALGORITHM_KEY_MISMATCH = 207,
    /// `crit` is empty, not an array of labels, or names an absent parameter.
    ECNPP_ERR_INVALID_CRITICAL = 208,
    /// `crit` is in the unprotected header.
    ECNPP_ERR_CRITICAL_NOT_PROTECTED = 209,
    /// `crit` lists a header parameter this library does not understand.
    ECNPP_ERR_UNKNOWN_CRITICAL_HEADER = 210,
    /// A label is in both buckets, or a known header parameter has the wrong type.
    ECNPP_ERR_INVALID_HEADER = 211,
    /// The payload is detached and none was supplied.
    ECNPP_ERR_MISSING_DETACHED_PAYLOAD = 212,
    /// The payload is attached and a detached one was supplied as well.
    ECNPP_ERR_UNEXPECTED_DETACHED_PAYLOAD = 213,
    /// The payload is not what its position requires (phase 2: a claims map).
    ECNPP_ERR_INVALID_PAYLOAD = 214,

    /// The signature is not 64 bytes of fixed-width `r || s` (a DER signature lands here).
    ECNPP_ERR_INVALID_SIGNATURE_LENGTH = 300,
    /// Signature `r` or `s` is zero or not below the group order.
    ECNPP_ERR_SIGNATURE_SCALAR_OUT_OF_RANGE = 301,
    /// The signature does not verify. Deliberately carries no detail.
    ECNPP_ERR_VERIFICATION_FAILED = 302,
    /// Not a valid P-256 private or public key.
    ECNPP_ERR_INVALID_KEY = 303,
    /// A COSE_Key of another key type than EC2, or another curve than P-256.
    ECNPP_ERR_UNSUPPORTED_KEY_TYPE = 304,
    /// The signer callback returned non-zero.
    ECNPP_ERR_SIGNER_FAILED = 305,
    /// Phase 2: the token names no key among the caller's endorsements.
    ECNPP_ERR_KEY_NOT_TRUSTED = 306,

    /// The output buffer is too small; call again with a NULL buffer to learn the size.
    ECNPP_ERR_BUFFER_TOO_SMALL = 400,
    /// A length does not fit the wire format or the platform (e.g. above PTRDIFF_MAX).
    ECNPP_ERR_LENGTH_OVERFLOW = 401,
    /// An argument outside what the function documents (unknown flag, overlapping buffers).
    ECNPP_ERR_INVALID_ARGUMENT = 402,

    /// Phase 2: a claim has the wrong type or a value outside its range.
    ECNPP_ERR_INVALID_CLAIM = 500,
    /// Phase 2: a claim the profile requires is absent.
    ECNPP_ERR_MISSING_CLAIM = 501,
    /// Phase 2: `eat_profile` is absent or names another profile.
    ECNPP_ERR_WRONG_PROFILE = 502,
    /// Phase 2: a submodule the promise requires is absent or malformed.
    ECNPP_ERR_MISSING_SUBMODULE = 503,
    /// An attestation result was given where evidence is expected (its signed `eat_profile` is
    /// the result profile).
    ECNPP_ERR_RESULT_GIVEN_AS_EVIDENCE = 504,
    /// Evidence was given where an attestation result is expected (its signed `eat_profile` is
    /// the evidence profile).
    ECNPP_ERR_EVIDENCE_GIVEN_AS_RESULT = 505,

    /// Phase 2: the appraisal policy is inconsistent.
    ECNPP_ERR_INVALID_POLICY = 600,
    /// Phase 2: a contraindicated result is reported to the caller, never issued as a token.
    ECNPP_ERR_RESULT_CONTRAINDICATED = 601,
    /// The policy accepts a profile whose rules this library does not know (a profile is
    /// accepted only together with its rules).
    ECNPP_ERR_PROFILE_WITHOUT_RULES = 602,

    /// A required pointer argument is NULL (or a NULL buffer has a non-zero length).
    ECNPP_ERR_NULL_POINTER = 900,
    /// A Rust panic was caught at the C boundary (never expected; please report).
    ECNPP_ERR_PANIC = 901,
    /// The handle is not a live object of the expected type (e.g. freed `_in` storage).
    ECNPP_ERR_INVALID_HANDLE = 902,
    /// The core library reported an error this version of the C API has no name for.
    ECNPP_ERR_INTERNAL = 903,
}

/// Longest message plus its NUL; checked at compile time.
const MSG_CAP: usize = 64;

/// One row of the code table: the C value and its NUL-terminated message.
pub(crate) struct Entry {
    pub(crate) result: ecnpp_result,
    /// The core error this code stands for, if any (`None` for the C boundary's own codes).
    pub(crate) error: Option<Error>,
    msg: [u8; MSG_CAP],
}

impl Entry {
    /// The message as a pointer to a static NUL-terminated string.
    pub(crate) const fn message_ptr(&'static self) -> *const c_char {
        self.msg.as_ptr().cast()
    }

    /// The message without its NUL.
    #[cfg(test)]
    pub(crate) fn message(&self) -> &[u8] {
        let end = self.msg.iter().position(|&b| b == 0).unwrap_or(MSG_CAP);
        self.msg.get(..end).unwrap_or(&[])
    }
}

/// `s` followed by NUL bytes. Only ever evaluated at compile time (every call initialises a
/// static), so an index out of bounds or a failed assertion is a build error, never a panic.
#[allow(clippy::indexing_slicing)]
const fn nul_terminated(s: &str) -> [u8; MSG_CAP] {
    let b = s.as_bytes();
    assert!(b.len() < MSG_CAP, "message too long for the table");
    let mut out = [0u8; MSG_CAP];
    let mut i = 0;
    while i < b.len() {
        assert!(b[i] != 0, "message contains a NUL");
        out[i] = b[i];
        i += 1;
    }
    out
}

/// A row for a core error: the error whose code is the C value, and its message. Only
/// evaluated at compile time (every call initialises a static), so a C value core has no error
/// for is a build error.
const fn core_row(result: ecnpp_result) -> Entry {
    let found = Error::from_code(result as i32);
    assert!(found.is_some(), "a C value core has no error for");
    // Never taken: the assertion above stops the build first.
    let error = match found {
        Some(e) => e,
        None => Error::InvalidArgument,
    };
    Entry {
        result,
        error: Some(error),
        msg: nul_terminated(error.message()),
    }
}

/// A row for a code of the C boundary itself.
const fn own(result: ecnpp_result, message: &str) -> Entry {
    Entry {
        result,
        error: None,
        msg: nul_terminated(message),
    }
}

use ecnpp_result as R;

/// Every code, with its message. Core messages come from `Error::message()` itself; core
/// rows are in core's code order.
pub(crate) static TABLE: [Entry; 5 + Error::ALL.len()] = [
    own(R::ECNPP_OK, "success"),
    core_row(R::ECNPP_ERR_TRUNCATED),
    core_row(R::ECNPP_ERR_TRAILING_BYTES),
    core_row(R::ECNPP_ERR_MALFORMED),
    core_row(R::ECNPP_ERR_INDEFINITE_LENGTH),
    core_row(R::ECNPP_ERR_NON_DETERMINISTIC),
    core_row(R::ECNPP_ERR_INVALID_UTF8),
    core_row(R::ECNPP_ERR_DUPLICATE_KEY),
    core_row(R::ECNPP_ERR_DEPTH_EXCEEDED),
    core_row(R::ECNPP_ERR_TOO_MANY_ENTRIES),
    core_row(R::ECNPP_ERR_UNEXPECTED_TYPE),
    core_row(R::ECNPP_ERR_INTEGER_OUT_OF_RANGE),
    core_row(R::ECNPP_ERR_INVALID_MAP_KEY),
    core_row(R::ECNPP_ERR_UNEXPECTED_TAG),
    core_row(R::ECNPP_ERR_MISSING_TAG),
    core_row(R::ECNPP_ERR_INVALID_STRUCTURE),
    core_row(R::ECNPP_ERR_MISSING_ALGORITHM),
    core_row(R::ECNPP_ERR_ALGORITHM_NOT_PROTECTED),
    core_row(R::ECNPP_ERR_ALGORITHM_IN_BOTH_BUCKETS),
    core_row(R::ECNPP_ERR_UNSUPPORTED_ALGORITHM),
    core_row(R::ECNPP_ERR_ALGORITHM_KEY_MISMATCH),
    core_row(R::ECNPP_ERR_INVALID_CRITICAL),
    core_row(R::ECNPP_ERR_CRITICAL_NOT_PROTECTED),
    core_row(R::ECNPP_ERR_UNKNOWN_CRITICAL_HEADER),
    core_row(R::ECNPP_ERR_INVALID_HEADER),
    core_row(R::ECNPP_ERR_MISSING_DETACHED_PAYLOAD),
    core_row(R::ECNPP_ERR_UNEXPECTED_DETACHED_PAYLOAD),
    core_row(R::ECNPP_ERR_INVALID_PAYLOAD),
    core_row(R::ECNPP_ERR_INVALID_SIGNATURE_LENGTH),
    core_row(R::ECNPP_ERR_SIGNATURE_SCALAR_OUT_OF_RANGE),
    core_row(R::ECNPP_ERR_VERIFICATION_FAILED),
    core_row(R::ECNPP_ERR_INVALID_KEY),
    core_row(R::ECNPP_ERR_UNSUPPORTED_KEY_TYPE),
    core_row(R::ECNPP_ERR_SIGNER_FAILED),
    core_row(R::ECNPP_ERR_KEY_NOT_TRUSTED),
    core_row(R::ECNPP_ERR_BUFFER_TOO_SMALL),
    core_row(R::ECNPP_ERR_LENGTH_OVERFLOW),
    core_row(R::ECNPP_ERR_INVALID_ARGUMENT),
    core_row(R::ECNPP_ERR_INVALID_CLAIM),
    core_row(R::ECNPP_ERR_MISSING_CLAIM),
    core_row(R::ECNPP_ERR_WRONG_PROFILE),
    core_row(R::ECNPP_ERR_MISSING_SUBMODULE),
    core_row(R::ECNPP_ERR_RESULT_GIVEN_AS_EVIDENCE),
    core_row(R::ECNPP_ERR_EVIDENCE_GIVEN_AS_RESULT),
    core_row(R::ECNPP_ERR_INVALID_POLICY),
    core_row(R::ECNPP_ERR_RESULT_CONTRAINDICATED),
    core_row(R::ECNPP_ERR_PROFILE_WITHOUT_RULES),
    own(
        R::ECNPP_ERR_NULL_POINTER,
        "a required pointer argument is NULL",
    ),
    own(
        R::ECNPP_ERR_PANIC,
        "a panic was caught at the C API boundary",
    ),
    own(
        R::ECNPP_ERR_INVALID_HANDLE,
        "not a live handle of the expected type",
    ),
    own(
        R::ECNPP_ERR_INTERNAL,
        "an error unknown to this C API version",
    ),
];

/// What `describe` answers for a code that is not in [`TABLE`].
static UNKNOWN: Entry = own(R::ECNPP_ERR_INTERNAL, "unknown result code");

/// The row for `code`, or an "unknown result code" row.
pub(crate) fn describe(code: i32) -> &'static Entry {
    TABLE
        .iter()
        .find(|e| e.result as i32 == code)
        .unwrap_or(&UNKNOWN)
}

impl From<Error> for ecnpp_result {
    fn from(e: Error) -> Self {
        let code = e.code();
        TABLE
            .iter()
            .find(|row| row.error.is_some() && row.result as i32 == code)
            .map_or(Self::ECNPP_ERR_INTERNAL, |row| row.result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_round_trips_and_messages_match() {
        for row in &TABLE {
            if let Some(e) = row.error {
                assert_eq!(ecnpp_result::from(e), row.result);
                assert_eq!(row.message(), e.message().as_bytes());
            }
            assert!(core::ptr::eq(describe(row.result as i32), row));
        }
        assert_eq!(describe(-1).message(), b"unknown result code");
        assert_eq!(describe(12345).message(), b"unknown result code");
    }

    /// The C enum equals core's error table: every core error has a C value, in core's order,
    /// named `ECNPP_ERR_` + its name, with its message; a variant added to core without a C
    /// name fails here instead of surfacing as `ECNPP_ERR_INTERNAL` in the field.
    #[test]
    fn the_c_enum_is_cores_error_table() {
        let rows: Vec<&Entry> = TABLE.iter().filter(|r| r.error.is_some()).collect();
        assert_eq!(rows.len(), Error::ALL.len());
        for (row, e) in rows.iter().zip(Error::ALL) {
            assert_eq!(row.error, Some(*e));
            assert_eq!(row.result as i32, e.code());
            assert_eq!(
                format!("{:?}", row.result),
                format!("ECNPP_ERR_{}", e.name())
            );
            assert_eq!(row.message(), e.message().as_bytes());
        }
    }

    #[test]
    fn codes_are_unique_and_in_ranges() {
        let known = &TABLE;
        for (i, a) in known.iter().enumerate() {
            for b in &known[i + 1..] {
                assert_ne!(a.result as i32, b.result as i32);
            }
            let c = a.result as i32;
            assert!(c == 0 || (100..700).contains(&c) || (900..1000).contains(&c));
        }
    }
}
