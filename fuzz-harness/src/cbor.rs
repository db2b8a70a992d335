//! CBOR: typed reads, validation in both modes, shortest re-encoding.

use ecnpp_attest::cbor::{self, Decoder, Encoder, MAX_DEPTH, Major, Mode, SliceWriter};
use ecnpp_attest::{Error, Result};

use crate::{MAX_INPUT, error_in};

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
