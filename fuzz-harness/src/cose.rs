//! COSE_Sign1: parsing under every option set, and ES256 verification.

use ecnpp_attest::cbor::{self, SizeCounter, SliceWriter};
use ecnpp_attest::cose::{ParseOptions, UnverifiedSign1};
use ecnpp_attest::crypto::{self, Verifier};
use ecnpp_attest::{Error, Result};

use crate::{
    Input, InsecureAcceptAll, MAX_INPUT, debug_len, error_in, example_verifying_key, is_within,
};

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
            assert_eq!(m.algorithm(), crypto::ES256);
            assert_eq!(v.protected_bytes(), m.protected_bytes());
            if let Some(p) = m.payload_untrusted() {
                assert_eq!(v.payload(), p);
            }
            let _ = debug_len(&v);
        }
        Err(e) => {
            assert_eq!(e, Error::AlgorithmKeyMismatch);
            assert_ne!(m.algorithm(), crypto::ES256);
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
