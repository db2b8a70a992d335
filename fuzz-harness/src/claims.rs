//! EAT claims: decoding in both modes, iteration, re-encoding.

use ecnpp_attest::cbor::{self, Decoder, Major, Mode};
use ecnpp_attest::cose::{ParseOptions, Payload, UnverifiedSign1};
use ecnpp_attest::eat::{self, Claims, DecodeOptions, NonceClaim, Submodule};
use ecnpp_attest::ecnpp;
use ecnpp_attest::{Error, Result};

use crate::{MAX_INPUT, OUT, debug_eq, debug_len, error_in};

/// Checks that a decoded list iterates to its length and is not empty (a macro, so that it
/// takes any list without naming the library's item trait).
macro_rules! list_total {
    ($l:expr) => {
        if let Some(l) = $l {
            assert_eq!(
                l.iter().count(),
                l.len(),
                "a decoded list iterates to its length"
            );
            assert!(!l.is_empty(), "decoded lists are non-empty");
            let _ = debug_len(&l);
        }
    };
}

/// Iterates every part of decoded claims; returns whether any `location` is present.
fn visit(c: &Claims<'_>, depth: usize) -> bool {
    assert!(
        depth <= eat::MAX_SUBMODULE_DEPTH,
        "submodules nest beyond the bound"
    );
    let _ = debug_len(c);
    if let Some(NonceClaim::Many(l)) = c.nonce {
        list_total!(Some(l));
    }
    list_total!(c.sueids);
    list_total!(c.dloas);
    list_total!(c.manifests);
    list_total!(c.measurements);
    list_total!(c.measres);
    list_total!(c.robustness);
    if let Some(groups) = c.measres {
        for g in groups.iter() {
            list_total!(Some(g.results));
        }
    }
    let _ = c.extra.iter().count();
    assert_eq!(c.extra.len(), c.extra.iter().count());
    let mut location = c.location.is_some();
    list_total!(c.submods);
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
pub(crate) fn encode_checked<'b>(c: &Claims<'_>, buf: &'b mut [u8]) -> Result<Option<&'b [u8]>> {
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
    assert_eq!(Payload::payload_len(&payload), n);
    Ok(Some(out))
}

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
