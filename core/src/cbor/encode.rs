//! The deterministic encoder.

use super::Major;
use super::float::{f32_to_f16_exact, f64_to_f32_exact};
use super::head::EncodedHead;
use super::write::{SizeCounter, Write};

/// A deterministic CBOR encoder over any [`Write`].
#[derive(Debug)]
pub struct Encoder<W> {
    w: W,
}

impl<W: Write> Encoder<W> {
    /// An encoder writing to `w`.
    pub const fn new(w: W) -> Self {
        Self { w }
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.w
    }

    /// A reference to the underlying writer.
    pub const fn writer(&self) -> &W {
        &self.w
    }

    /// A mutable reference to the underlying writer.
    pub const fn writer_mut(&mut self) -> &mut W {
        &mut self.w
    }

    /// Writes a head (major type and argument) in its shortest form.
    #[cfg_attr(not(feature = "small-code"), inline)]
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn head(&mut self, major: Major, arg: u64) -> &mut Self {
        self.encoded_head(&EncodedHead::new(major, arg))
    }

    /// Writes a head encoded beforehand (for example a map key known at compile time).
    #[inline]
    pub fn encoded_head(&mut self, head: &EncodedHead) -> &mut Self {
        self.w.write_head(&head.bytes, usize::from(head.len));
        self
    }

    /// An unsigned integer.
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn uint(&mut self, v: u64) -> &mut Self {
        self.head(Major::Unsigned, v)
    }

    /// A signed integer.
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn int(&mut self, v: i64) -> &mut Self {
        match u64::try_from(v) {
            Ok(u) => self.head(Major::Unsigned, u),
            // -1 - v for negative v, computed without overflow: !v == -1 - v.
            Err(_) => self.head(Major::Negative, v.unsigned_abs().wrapping_sub(1)),
        }
    }

    /// A byte string.
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.head(Major::Bytes, len_u64(b.len()));
        self.w.write(b);
        self
    }

    /// The head of a byte string of `len` bytes; the caller writes the content with [`Self::raw`].
    pub fn bytes_header(&mut self, len: usize) -> &mut Self {
        self.head(Major::Bytes, len_u64(len))
    }

    /// A text string.
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.head(Major::Text, len_u64(s.len()));
        self.w.write(s.as_bytes());
        self
    }

    /// The head of an array of `len` items.
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn array(&mut self, len: usize) -> &mut Self {
        self.head(Major::Array, len_u64(len))
    }

    /// The head of a map of `len` entries.
    pub fn map(&mut self, len: usize) -> &mut Self {
        self.head(Major::Map, len_u64(len))
    }

    /// A tag; the tagged item follows.
    pub fn tag(&mut self, tag: u64) -> &mut Self {
        self.head(Major::Tag, tag)
    }

    /// `true` or `false`.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.w.write(&[if v { 0xf5 } else { 0xf4 }]);
        self
    }

    /// `null`.
    pub fn null(&mut self) -> &mut Self {
        self.w.write(&[0xf6]);
        self
    }

    /// A float in its shortest exact form (NaN is always written as `0xf9 0x7e00`).
    pub fn float(&mut self, v: f64) -> &mut Self {
        // Decided on the bits alone: no floating-point arithmetic, so no soft-float routines on
        // targets without a double-precision unit. A NaN narrows to the canonical half NaN.
        let bits = v.to_bits();
        match f64_to_f32_exact(bits) {
            Some(single) => match f32_to_f16_exact(single) {
                Some(half) => {
                    let b = half.to_be_bytes();
                    self.w.write(&[0xf9, b[0], b[1]]);
                }
                None => {
                    self.w.write(&[0xfa]);
                    self.w.write(&single.to_be_bytes());
                }
            },
            None => {
                self.w.write(&[0xfb]);
                self.w.write(&bits.to_be_bytes());
            }
        }
        self
    }

    /// Pre-encoded bytes, written as they are (the caller vouches for them).
    pub fn raw(&mut self, encoded: &[u8]) -> &mut Self {
        self.w.write(encoded);
        self
    }
}

/// usize -> u64 never loses information on the platforms Rust supports (pointers are at most 64
/// bits); saturate rather than cast so that the claim is checked, not assumed.
pub(super) fn len_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// Exact size of `f(encoder)`: runs the same encoding code against a [`SizeCounter`].
pub fn encoded_len(f: impl FnOnce(&mut Encoder<&mut SizeCounter>)) -> usize {
    let mut counter = SizeCounter::new();
    f(&mut Encoder::new(&mut counter));
    counter.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::{Decoder, Mode, SliceWriter, validate};

    fn enc(f: impl FnOnce(&mut Encoder<&mut SliceWriter<'_>>)) -> ([u8; 64], usize) {
        let mut buf = [0u8; 64];
        let mut w = SliceWriter::new(&mut buf);
        f(&mut Encoder::new(&mut w));
        let n = w.finish().unwrap();
        (buf, n)
    }

    #[test]
    fn shortest_heads() {
        for (v, hex_exp) in [
            (0u64, "00"),
            (23, "17"),
            (24, "1818"),
            (255, "18ff"),
            (256, "190100"),
            (65535, "19ffff"),
            (65536, "1a00010000"),
            (u64::from(u32::MAX), "1affffffff"),
            (1u64 << 32, "1b0000000100000000"),
        ] {
            let (b, n) = enc(|e| {
                e.uint(v);
            });
            assert_eq!(hex::encode(&b[..n]), hex_exp);
        }
        let (b, n) = enc(|e| {
            e.int(-1).int(-24).int(-25).int(i64::MIN);
        });
        assert_eq!(
            hex::encode(&b[..n]),
            "20373818 3b7fffffffffffffff".replace(' ', "")
        );
    }

    #[test]
    fn floats_shortest() {
        for (v, hex_exp) in [
            (0.0, "f90000"),
            (-0.0, "f98000"),
            (1.0, "f93c00"),
            (1.5, "f93e00"),
            (65504.0, "f97bff"),
            (100000.0, "fa47c35000"),
            (5.960464477539063e-8, "f90001"),
            (f64::INFINITY, "f97c00"),
            (f64::NAN, "f97e00"),
            (1.1, "fb3ff199999999999a"),
            (-4.1, "fbc010666666666666"),
        ] {
            let (b, n) = enc(|e| {
                e.float(v);
            });
            assert_eq!(hex::encode(&b[..n]), hex_exp, "{v}");
            validate(&b[..n], Mode::Strict).unwrap();
            let back = Decoder::new(&b[..n]).float().unwrap();
            assert!(back.to_bits() == v.to_bits() || (v.is_nan() && back.is_nan()));
        }
    }
}
