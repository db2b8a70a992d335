//! A small, strict, heap-free CBOR (RFC 8949) codec.
//!
//! * [`Encoder`] writes RFC 8949 §4.2.1 *core deterministic* encoding: every head in its
//!   shortest form, definite lengths only, floats in their shortest exact form. Map keys must be
//!   emitted in the order of their encoded bytes by the caller (every map this crate writes has
//!   a fixed, pre-sorted key order; the strict validator checks it in tests).
//! * Writers are *sticky*: a [`SliceWriter`] that runs out of room stops copying but keeps
//!   counting, and [`SliceWriter::finish`] reports [`Error::BufferTooSmall`] with the exact size
//!   needed. A [`SizeCounter`] runs the very same encoding code without a buffer, so size queries
//!   are exact by construction.
//! * [`validate`] checks that an input is exactly one well-formed, valid data item: UTF-8 text,
//!   scalar map keys without duplicates (compared by value, so `0x01` and `0x18 0x01` collide;
//!   see "Map keys and the cost bound" below), nesting at most [`MAX_DEPTH`], maps of at most [`MAX_MAP_ENTRIES`]
//!   entries, declared lengths never trusted beyond the input, no indefinite lengths, and in
//!   [`Mode::Strict`] the deterministic encoding rules as well.
//! * [`Decoder`] reads typed items and returns byte and text strings borrowed from the input.
//!
//! Indefinite-length items are refused ([`Error::IndefiniteLength`]) because a zero-copy reader
//! cannot hand out a chunked string as one slice, and because nothing in COSE or EAT needs them.
//!
//! # Map keys and the cost bound
//!
//! Map keys are scalars: integers, byte and text strings, simple values and floats. An array,
//! map or tag as a key is refused in both modes ([`Error::InvalidMapKey`]): comparing such keys
//! by value means comparing maps as sets, which no bounded, heap-free check does (pairwise it
//! cost ~n^6 for maps of maps as keys). Scalar keys are equal exactly when their values are
//! (`key_value`: integers and strings whatever their head width, floats whatever their width,
//! every NaN alike). Each key is compared with the previous one of its map: in strict mode by
//! its bytes (order and uniqueness in one comparison); in lenient mode by value, and while keys
//! ascend that proves them distinct. A lenient map whose keys do not ascend is read once more
//! after its entries are validated: its keys go, 64 at a time, into a sorted table of their
//! offsets (`KeyTable`: 64 words of stack, in a leaf call, never nested), and every later key
//! is looked up by binary search.
//!
//! **Cost bound.** For any input of `len` bytes, in either mode, each reader of this crate
//! (validation, the one-pass and two-pass readers, COSE header checks, claims decode, skip)
//! reads at most `(2 + 4u) * len` heads, where `u` is the largest number of lenient maps with
//! non-ascending keys that enclose one item (at most [`MAX_DEPTH`]` - 1`; `u = 0` in strict mode
//! and for every map a deterministic encoder writes), makes at most 7 key comparisons per key
//! and group of 64 keys of its map (28 per key at most, twice that for a header label, which is
//! also looked up in the other bucket), and each comparison reads at most the shorter key.
//! Strings are read once (UTF-8 checks) and never copied. `tests/tests/cost_bound.rs` counts
//! this work (feature `cost-counter`, `cbor::cost`) on the worst families known: at 64 KiB the
//! worst, thirteen nested 256-entry maps with descending keys around 56 KB of array, reads 50
//! heads per byte; the reported nested-map-keys header is refused after 20 heads.

use core::cmp::Ordering;
use core::fmt;

use crate::error::{Error, Result};

/// Maximum nesting depth of arrays, maps and tags accepted by [`validate`] and [`Decoder::skip`].
///
/// A top-level item is at depth 1; each array, map or tag adds one for its content. EAT claims
/// sets with nested submodules and measurement arrays stay well below this bound.
pub const MAX_DEPTH: usize = 16;

/// Maximum number of entries in one map accepted by [`validate`].
pub const MAX_MAP_ENTRIES: usize = 256;

/// Keys held by the table that finds duplicates among the keys of a lenient map whose keys do
/// not ascend, without a heap: that many words of stack (256 bytes on 32-bit targets), and one
/// read of such a map per group of that many keys (see the module's cost bound).
const KEY_TABLE_LEN: usize = 64;

/// CBOR major types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Major {
    /// Major type 0: unsigned integer.
    Unsigned,
    /// Major type 1: negative integer.
    Negative,
    /// Major type 2: byte string.
    Bytes,
    /// Major type 3: text string.
    Text,
    /// Major type 4: array.
    Array,
    /// Major type 5: map.
    Map,
    /// Major type 6: tag.
    Tag,
    /// Major type 7: simple values and floats.
    Simple,
}

impl Major {
    const fn from_bits(bits: u8) -> Self {
        match bits & 7 {
            0 => Self::Unsigned,
            1 => Self::Negative,
            2 => Self::Bytes,
            3 => Self::Text,
            4 => Self::Array,
            5 => Self::Map,
            6 => Self::Tag,
            _ => Self::Simple,
        }
    }

    const fn bits(self) -> u8 {
        match self {
            Self::Unsigned => 0,
            Self::Negative => 1,
            Self::Bytes => 2,
            Self::Text => 3,
            Self::Array => 4,
            Self::Map => 5,
            Self::Tag => 6,
            Self::Simple => 7,
        }
    }
}

/// Decoding modes of [`validate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Well-formed and valid CBOR, definite lengths, no duplicate keys.
    #[default]
    Lenient,
    /// As `Lenient`, and the encoding must be RFC 8949 §4.2.1 core deterministic.
    Strict,
}

// ---------------------------------------------------------------------------------------------
// Writers
// ---------------------------------------------------------------------------------------------

/// A byte sink. Infallible by design: writers record overflow themselves (sticky errors).
pub trait Write {
    /// Appends `bytes`.
    fn write(&mut self, bytes: &[u8]);

    /// Appends the first `len` bytes of `head` (a CBOR head: `len` is 1, 2, 3, 5 or 9).
    /// On hosts, writers into memory override it with one fixed-size store per head length,
    /// which spares a variable-length copy for each of the many short heads of a token;
    /// bare-metal targets keep the one copy (less code).
    #[inline]
    fn write_head(&mut self, head: &[u8; 9], len: usize) {
        self.write(head.get(..len).unwrap_or(head));
    }

    /// This writer as a [`Sink`]: the one writer type the claims encoder is compiled for, so
    /// that firmware carries one copy of it whatever it writes to. The built-in writers
    /// return their own variant; any other writer is reached through `dyn Write`.
    fn sink(&mut self) -> Sink<'_>
    where
        Self: Sized,
    {
        Sink::Dyn(self)
    }
}

impl<W: Write> Write for &mut W {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        (**self).write(bytes);
    }

    #[inline]
    fn write_head(&mut self, head: &[u8; 9], len: usize) {
        (**self).write_head(head, len);
    }

    fn sink(&mut self) -> Sink<'_> {
        (**self).sink()
    }
}

impl Write for &mut dyn Write {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        (**self).write(bytes);
    }

    #[inline]
    fn write_head(&mut self, head: &[u8; 9], len: usize) {
        (**self).write_head(head, len);
    }

    fn sink(&mut self) -> Sink<'_> {
        Sink::Dyn(&mut **self)
    }
}

/// A writer of one fixed type standing for any writer (see [`Write::sink`]).
pub enum Sink<'s> {
    /// A [`SizeCounter`].
    Count(&'s mut SizeCounter),
    /// A [`SliceWriter`], by its parts.
    Slice {
        /// The buffer.
        buf: &'s mut [u8],
        /// Bytes requested so far.
        len: &'s mut usize,
        /// Whether the buffer overflowed.
        overflow: &'s mut bool,
    },
    /// Any other writer.
    Dyn(&'s mut dyn Write),
}

impl fmt::Debug for Sink<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Count(_) => "Sink::Count",
            Self::Slice { .. } => "Sink::Slice",
            Self::Dyn(_) => "Sink::Dyn",
        })
    }
}

impl Write for Sink<'_> {
    // One shared copy on bare-metal targets, where code size matters more than a call.
    #[cfg_attr(not(feature = "small-code"), inline)]
    #[cfg_attr(feature = "small-code", inline(never))]
    fn write(&mut self, bytes: &[u8]) {
        match self {
            Self::Count(c) => c.write(bytes),
            Self::Slice { buf, len, overflow } => slice_write(buf, len, overflow, bytes),
            Self::Dyn(w) => w.write(bytes),
        }
    }

    // Bare-metal targets take the default (one `write`), as `slice_write_head` does there.
    #[cfg(not(feature = "small-code"))]
    #[inline]
    fn write_head(&mut self, head: &[u8; 9], len: usize) {
        match self {
            Self::Count(c) => c.write_head(head, len),
            Self::Slice {
                buf,
                len: at,
                overflow,
            } => slice_write_head(buf, at, overflow, head, len),
            Self::Dyn(w) => w.write_head(head, len),
        }
    }

    fn sink(&mut self) -> Sink<'_> {
        match self {
            Self::Count(c) => Sink::Count(c),
            Self::Slice { buf, len, overflow } => Sink::Slice { buf, len, overflow },
            Self::Dyn(w) => Sink::Dyn(&mut **w),
        }
    }
}

/// Writes into a caller's buffer; on overflow it stops copying and keeps counting.
#[derive(Debug)]
pub struct SliceWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflow: bool,
}

impl<'a> SliceWriter<'a> {
    /// A writer that fills `buf` from its start.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self {
            buf,
            len: 0,
            overflow: false,
        }
    }

    /// Bytes requested so far (written, or that would have been written).
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was requested yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written so far, or `None` after an overflow.
    #[must_use]
    pub fn written(&self) -> Option<&[u8]> {
        if self.overflow {
            None
        } else {
            self.buf.get(..self.len)
        }
    }

    /// The number of bytes written, or [`Error::BufferTooSmall`] with the exact size needed.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when the output did not fit, [`Error::LengthOverflow`] when the
    /// requested size does not fit in `usize`.
    pub fn finish(self) -> Result<usize> {
        if self.len == usize::MAX {
            Err(Error::LengthOverflow)
        } else if self.overflow {
            Err(Error::BufferTooSmall { needed: self.len })
        } else {
            Ok(self.len)
        }
    }
}

impl Write for SliceWriter<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        slice_write(self.buf, &mut self.len, &mut self.overflow, bytes);
    }

    #[inline]
    fn write_head(&mut self, head: &[u8; 9], len: usize) {
        slice_write_head(self.buf, &mut self.len, &mut self.overflow, head, len);
    }

    fn sink(&mut self) -> Sink<'_> {
        Sink::Slice {
            buf: self.buf,
            len: &mut self.len,
            overflow: &mut self.overflow,
        }
    }
}

/// [`SliceWriter::write`] on the writer's parts (shared with [`Sink::Slice`]).
#[inline]
fn slice_write(buf: &mut [u8], at: &mut usize, overflow: &mut bool, bytes: &[u8]) {
    let end = at.saturating_add(bytes.len());
    if !*overflow {
        match buf.get_mut(*at..end) {
            Some(dst) => dst.copy_from_slice(bytes),
            None => *overflow = true,
        }
    }
    *at = end;
}

/// [`SliceWriter::write_head`] on the writer's parts.
#[inline]
pub(crate) fn slice_write_head(
    buf: &mut [u8],
    at: &mut usize,
    overflow: &mut bool,
    head: &[u8; 9],
    len: usize,
) {
    // Bare-metal targets keep the one variable-length copy: less code.
    #[cfg(feature = "small-code")]
    {
        slice_write(buf, at, overflow, head.get(..len).unwrap_or(head));
    }
    #[cfg(not(feature = "small-code"))]
    {
        slice_write_head_fixed(buf, at, overflow, head, len);
    }
}

/// [`slice_write_head`] for hosts. A head is 1, 2, 3, 5 or 9 bytes long: one fixed-size copy
/// per length rather than a variable-length copy, nothing written past it.
#[cfg(not(feature = "small-code"))]
#[inline]
fn slice_write_head_fixed(
    buf: &mut [u8],
    at: &mut usize,
    overflow: &mut bool,
    head: &[u8; 9],
    len: usize,
) {
    fn put<const N: usize>(dst: &mut [u8], head: &[u8; 9]) -> bool {
        match (dst.first_chunk_mut::<N>(), head.first_chunk::<N>()) {
            (Some(d), Some(h)) => {
                *d = *h;
                true
            }
            _ => false,
        }
    }
    let done = !*overflow
        && buf.get_mut(*at..).is_some_and(|rest| match len {
            1 => put::<1>(rest, head),
            2 => put::<2>(rest, head),
            3 => put::<3>(rest, head),
            5 => put::<5>(rest, head),
            9 => put::<9>(rest, head),
            _ => false,
        });
    if done {
        *at = at.saturating_add(len);
    } else {
        slice_write(buf, at, overflow, head.get(..len).unwrap_or(head));
    }
}

/// Counts bytes without storing them: the size-query mode of every encoder in the crate.
#[derive(Clone, Copy, Debug, Default)]
pub struct SizeCounter {
    len: usize,
}

impl SizeCounter {
    /// A counter at zero.
    #[must_use]
    pub const fn new() -> Self {
        Self { len: 0 }
    }

    /// Bytes counted (saturating at `usize::MAX`).
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was counted.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Write for SizeCounter {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.len = self.len.saturating_add(bytes.len());
    }

    #[inline]
    fn write_head(&mut self, _head: &[u8; 9], len: usize) {
        self.len = self.len.saturating_add(len);
    }

    fn sink(&mut self) -> Sink<'_> {
        Sink::Count(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------------------------

/// A CBOR head (major type and argument) in its shortest form, as bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodedHead {
    bytes: [u8; 9],
    len: u8,
}

impl EncodedHead {
    /// The shortest head for `major` and `arg`; usable in constants.
    #[must_use]
    pub const fn new(major: Major, arg: u64) -> Self {
        #[cfg(not(feature = "small-code"))]
        {
            Self::new_per_width(major, arg)
        }
        #[cfg(feature = "small-code")]
        {
            Self::new_one_copy(major, arg)
        }
    }

    /// [`Self::new`] on hosts: one array per width, no variable-length copy (fast).
    #[cfg(any(not(feature = "small-code"), test))]
    const fn new_per_width(major: Major, arg: u64) -> Self {
        let mt = major.bits() << 5;
        let [b0, b1, b2, b3, b4, b5, b6, b7] = arg.to_be_bytes();
        let (bytes, len) = match arg {
            0..=23 => ([mt | b7, 0, 0, 0, 0, 0, 0, 0, 0], 1),
            24..=0xff => ([mt | 24, b7, 0, 0, 0, 0, 0, 0, 0], 2),
            0x100..=0xffff => ([mt | 25, b6, b7, 0, 0, 0, 0, 0, 0], 3),
            0x1_0000..=0xffff_ffff => ([mt | 26, b4, b5, b6, b7, 0, 0, 0, 0], 5),
            _ => ([mt | 27, b0, b1, b2, b3, b4, b5, b6, b7], 9),
        };
        Self { bytes, len }
    }

    /// [`Self::new`] on bare-metal targets: the argument's bytes copied once for every width
    /// (less code). Checked against [`Self::new_per_width`] by a test.
    #[cfg(any(feature = "small-code", test))]
    const fn new_one_copy(major: Major, arg: u64) -> Self {
        // The first byte's additional information and how many bytes of argument follow it.
        let be = arg.to_be_bytes();
        let [.., low] = be;
        let (info, extra, len): (u8, usize, u8) = match arg {
            0..=23 => (low, 0, 1),
            24..=0xff => (24, 1, 2),
            0x100..=0xffff => (25, 2, 3),
            0x1_0000..=0xffff_ffff => (26, 4, 5),
            _ => (27, 8, 9),
        };
        let mut bytes = [(major.bits() << 5) | info, 0, 0, 0, 0, 0, 0, 0, 0];
        if let (Some((_, arg_bytes)), Some((_, after_first))) =
            (be.split_at_checked(8 - extra), bytes.split_first_mut())
            && let Some((dst, _)) = after_first.split_at_mut_checked(extra)
        {
            dst.copy_from_slice(arg_bytes);
        }
        Self { bytes, len }
    }

    /// The head of integer `v` (major type 0 or 1); usable in constants.
    #[must_use]
    pub const fn int(v: i64) -> Self {
        if v >= 0 {
            Self::new(Major::Unsigned, v.unsigned_abs())
        } else {
            Self::new(Major::Negative, v.unsigned_abs() - 1)
        }
    }

    /// The encoded bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or(&self.bytes)
    }
}

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
fn len_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// Exact size of `f(encoder)`: runs the same encoding code against a [`SizeCounter`].
pub fn encoded_len(f: impl FnOnce(&mut Encoder<&mut SizeCounter>)) -> usize {
    let mut counter = SizeCounter::new();
    f(&mut Encoder::new(&mut counter));
    counter.len()
}

// ---------------------------------------------------------------------------------------------
// Float helpers
// ---------------------------------------------------------------------------------------------

/// The single-precision bits of the f64 with bits `x`, when the conversion is exact (same
/// value, same sign of zero); a NaN gives the quiet NaN `0x7fc0_0000` (deterministic CBOR
/// writes every NaN the same, as the half `0x7e00`). Integer operations only. Written out per
/// format, like [`f32_to_f16_exact`], rather than as one narrowing generic over the formats:
/// that one, with 64-bit shifts by variable amounts, was 536 bytes larger on a Cortex-M4F.
fn f64_to_f32_exact(x: u64) -> Option<u32> {
    // The exponent and sign from the high word: 32-bit arithmetic where it is enough.
    let high = u32::try_from(x >> 32).ok()?;
    let sign = high & 0x8000_0000;
    let exp = (high >> 20) & 0x7ff;
    let mant = x & 0x000f_ffff_ffff_ffff;
    if exp == 0x7ff {
        return Some(if mant == 0 {
            sign | 0x7f80_0000
        } else {
            0x7fc0_0000
        });
    }
    if exp == 0 {
        // Zero fits; an f64 subnormal is far below the smallest f32 subnormal.
        return (mant == 0).then_some(sign);
    }
    let e = i32::try_from(exp).ok()? - 1023;
    if (-126..=127).contains(&e) {
        // A normal f32: the 29 low mantissa bits must be zero.
        if mant & 0x1fff_ffff != 0 {
            return None;
        }
        let biased = u32::try_from(e + 127).ok()?;
        let m = u32::try_from(mant >> 29).ok()?;
        return Some(sign | (biased << 23) | m);
    }
    if (-149..=-127).contains(&e) {
        // A subnormal f32 (a multiple of 2^-149): the significand shifted into place must lose
        // nothing.
        let significand = 0x0010_0000_0000_0000 | mant;
        let shift = u32::try_from(-(e + 97)).ok()?;
        if significand & ((1u64 << shift) - 1) != 0 {
            return None;
        }
        return Some(sign | u32::try_from(significand >> shift).ok()?);
    }
    None
}

/// The IEEE 754 half-precision bits of the `f32` with bits `x`, when exact; a NaN gives the
/// canonical `0x7e00`.
fn f32_to_f16_exact(x: u32) -> Option<u16> {
    let sign = u16::try_from((x >> 16) & 0x8000).ok()?;
    let exp = (x >> 23) & 0xff;
    let mant = x & 0x7f_ffff;
    if exp == 0xff {
        return Some(if mant == 0 { sign | 0x7c00 } else { 0x7e00 });
    }
    if exp == 0 {
        // Zero fits; an f32 subnormal is far below the smallest f16 subnormal.
        return (mant == 0).then_some(sign);
    }
    let e = i32::try_from(exp).ok()? - 127;
    if (-14..=15).contains(&e) {
        if mant & 0x1fff != 0 {
            return None;
        }
        let biased = u16::try_from(e + 15).ok()?;
        let m = u16::try_from(mant >> 13).ok()?;
        return Some(sign | (biased << 10) | m);
    }
    if (-24..=-15).contains(&e) {
        let significand = 0x80_0000 | mant;
        let shift = u32::try_from(-(e + 1)).ok()?;
        let low_mask = (1u32 << shift) - 1;
        if significand & low_mask != 0 {
            return None;
        }
        return Some(sign | u16::try_from(significand >> shift).ok()?);
    }
    None
}

/// The value of IEEE 754 half-precision bits (exact: every half is a single). Public for
/// tools that print CBOR (the CLI's diagnostic notation), so there is one conversion.
#[must_use]
pub fn f16_to_f64(h: u16) -> f64 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let mant = u32::from(h & 0x3ff);
    let single = match exp {
        // Subnormal: mant * 2^-24, exact in f32 (2^-24 is a power of two, mant < 2^10).
        0 => {
            let magnitude = f32::from(h & 0x3ff) * (1.0 / 16_777_216.0);
            if sign == 0 { magnitude } else { -magnitude }
        }
        31 => f32::from_bits(sign | 0x7f80_0000 | (mant << 13)),
        _ => f32::from_bits(sign | ((exp + 112) << 23) | (mant << 13)),
    };
    f64::from(single)
}

// ---------------------------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------------------------

/// The initial byte and argument of a data item.
#[derive(Clone, Copy, Debug)]
struct Head {
    major: Major,
    /// Additional information (low five bits of the initial byte).
    info: u8,
    arg: u64,
}

impl Head {
    /// Whether this head is allowed in core deterministic encoding: the shortest argument, and
    /// for floats the shortest width that keeps the value (NaN as `f9 7e00`).
    fn deterministic(major: Major, info: u8, arg: u64) -> bool {
        match (major, info) {
            (Major::Simple, 25) => arg == 0x7e00 || !is_nan_f16(arg),
            (Major::Simple, 26) => !fits_f16(arg),
            (Major::Simple, 27) => !fits_f32(arg),
            _ => Self { major, info, arg }.is_shortest(),
        }
    }

    /// True when the argument uses its shortest encoding (integers, lengths, tags).
    const fn is_shortest(&self) -> bool {
        match self.info {
            0..=23 => true,
            24 => self.arg >= 24,
            25 => self.arg > 0xff,
            26 => self.arg > 0xffff,
            _ => self.arg > 0xffff_ffff,
        }
    }
}

// The head and bounds readers below are inlined into every typed reader on hosts (a fifth of
// the time of reading a token, docs/performance.md); on bare-metal targets they stay calls,
// which keeps the code 3 KiB smaller.

/// A zero-copy reader of CBOR data items.
///
/// Every method checks bounds and types and returns a precise [`Error`]; none panics. Byte and
/// text strings are returned as slices of the input. Declared lengths are checked against the
/// remaining input before anything else is done with them.
#[derive(Clone, Debug)]
pub struct Decoder<'b> {
    buf: &'b [u8],
    pos: usize,
    /// One-pass mode (see [`Decoder::one_pass`]): typed readers check what a separate
    /// validation pass would otherwise have proven. Hosts only: bare-metal targets always
    /// read in two passes (validate, then read), which needs less code.
    #[cfg(not(feature = "small-code"))]
    one_pass: Option<Mode>,
    /// The input was validated and read by the crate's typed readers before (the items of a
    /// list read from the wire, read again on iteration): nested lists are taken as they are
    /// instead of being checked a second time ([`Self::checked`]).
    checked: bool,
}

impl<'b> Decoder<'b> {
    /// A decoder at the start of `buf`.
    #[must_use]
    pub const fn new(buf: &'b [u8]) -> Self {
        Self::at(buf, 0)
    }

    /// A decoder at `pos` in `buf` (not in one-pass mode).
    const fn at(buf: &'b [u8], pos: usize) -> Self {
        Self {
            buf,
            pos,
            #[cfg(not(feature = "small-code"))]
            one_pass: None,
            checked: false,
        }
    }

    /// A decoder over bytes the crate's own typed readers already validated and read (only
    /// the items of a list read from the wire are such bytes): reading them again does not
    /// check nested lists a second time, so reading one submodule costs one claims set of
    /// stack, not one per level below it.
    pub(crate) const fn checked(buf: &'b [u8]) -> Self {
        let mut d = Self::at(buf, 0);
        d.checked = true;
        d
    }

    /// True for a decoder made by [`Self::checked`].
    pub(crate) const fn is_checked(&self) -> bool {
        self.checked
    }

    /// A decoder for reading unvalidated input in one pass under `mode`: in strict mode every
    /// head must be in its shortest form ([`Error::NonDeterministic`]), and the crate's typed
    /// readers check key order and limits of the maps they read themselves
    /// ([`Self::next_key`]). Anything they cannot prove makes them fail, and the caller then
    /// takes the two-pass path ([`validate`], then the typed read), which decides.
    #[cfg(not(feature = "small-code"))]
    pub(crate) const fn one_pass(buf: &'b [u8], mode: Mode) -> Self {
        Self {
            buf,
            pos: 0,
            one_pass: Some(mode),
            checked: false,
        }
    }

    /// The one-pass mode, if the decoder is in it (never on bare-metal targets).
    #[inline(always)]
    const fn one_pass_mode(&self) -> Option<Mode> {
        #[cfg(feature = "small-code")]
        return None;
        #[cfg(not(feature = "small-code"))]
        self.one_pass
    }

    /// In one-pass mode: validates one item of content the typed reader does not interpret
    /// (at CBOR nesting `depth`). Otherwise skips it (the input was validated before).
    pub(crate) fn skip_unread(&mut self, depth: usize) -> Result<()> {
        match self.one_pass_mode() {
            Some(mode) => validate_item(self, depth, mode).map(|_| ()),
            None => self.skip(),
        }
    }

    /// The complete encoding of the next item; in one-pass mode validated first (at CBOR
    /// nesting `depth`), otherwise as [`Self::raw_item`].
    pub(crate) fn raw_item_checked(&mut self, depth: usize) -> Result<&'b [u8]> {
        let start = self.pos;
        self.skip_unread(depth)?;
        self.buf.get(start..self.pos).ok_or(Error::Truncated)
    }

    /// In one-pass mode: the head of a map that a typed reader reads entry by entry, within
    /// [`MAX_MAP_ENTRIES`]. Otherwise [`Self::map`].
    pub(crate) fn map_checked(&mut self) -> Result<usize> {
        let n = self.map()?;
        if self.one_pass_mode().is_some() && n > MAX_MAP_ENTRIES {
            return Err(Error::TooManyEntries);
        }
        Ok(n)
    }

    /// In one-pass mode: checks that the map key at `key_start..key_end` sorts strictly after
    /// the previous key of its map (`prev`, updated) and has a unique encoding, which proves
    /// the keys distinct (and, in strict mode, in deterministic order). Maps that are not so
    /// ordered are left to the two-pass path. Otherwise does nothing.
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    pub(crate) fn next_key(
        &self,
        (key_start, key_end): (usize, usize),
        prev: &mut Option<(usize, usize)>,
    ) -> Result<()> {
        if self.one_pass_mode().is_none() {
            return Ok(());
        }
        let key = self.buf.get(key_start..key_end).ok_or(Error::Truncated)?;
        // Unique encoding: an integer or string head in shortest form (the argument bytes of a
        // longer head must not fit the next shorter one).
        let unique = match key {
            [first, rest @ ..] if first >> 5 <= 3 => match (first & 0x1f, rest) {
                (0..=23, _) => true,
                (24, [b, ..]) => *b >= 24,
                (25, [b, ..]) => *b != 0,
                (26, [b0, b1, ..]) => *b0 != 0 || *b1 != 0,
                (27, [b0, b1, b2, b3, ..]) => *b0 != 0 || *b1 != 0 || *b2 != 0 || *b3 != 0,
                _ => false,
            },
            _ => false,
        };
        let after_prev = match *prev {
            None => true,
            Some((a, b)) => self.buf.get(a..b).is_some_and(|p| bytes_after(key, p)),
        };
        if !(unique && after_prev) {
            return Err(Error::NonDeterministic);
        }
        *prev = Some((key_start, key_end));
        Ok(())
    }

    /// Current offset into the input.
    #[must_use]
    pub const fn position(&self) -> usize {
        self.pos
    }

    /// The whole input.
    #[must_use]
    pub const fn input(&self) -> &'b [u8] {
        self.buf
    }

    /// True when all input has been consumed.
    #[must_use]
    pub const fn is_at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// Fails with [`Error::TrailingBytes`] unless all input has been consumed.
    ///
    /// # Errors
    /// [`Error::TrailingBytes`].
    pub const fn finish(&self) -> Result<()> {
        if self.is_at_end() {
            Ok(())
        } else {
            Err(Error::TrailingBytes)
        }
    }

    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    #[cfg_attr(not(feature = "small-code"), inline(always))]
    fn take(&mut self, n: usize) -> Result<&'b [u8]> {
        let end = self.pos.checked_add(n).ok_or(Error::Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(Error::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    #[cfg_attr(not(feature = "small-code"), inline(always))]
    fn take_array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// The major type of the next item, without consuming it.
    ///
    /// # Errors
    /// [`Error::Truncated`] at the end of input.
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    pub fn peek_major(&self) -> Result<Major> {
        self.buf
            .get(self.pos)
            .map(|b| Major::from_bits(b >> 5))
            .ok_or(Error::Truncated)
    }

    /// True when the next item is `null`.
    #[must_use]
    pub fn peek_is_null(&self) -> bool {
        self.buf.get(self.pos) == Some(&0xf6)
    }

    #[cfg_attr(not(feature = "small-code"), inline(always))]
    fn head(&mut self) -> Result<Head> {
        #[cfg(feature = "cost-counter")]
        cost::head();
        let [initial] = self.take_array::<1>()?;
        let major = Major::from_bits(initial >> 5);
        let info = initial & 0x1f;
        if info < 24 {
            // The argument is in the initial byte: always shortest.
            return Ok(Head {
                major,
                info,
                arg: u64::from(info),
            });
        }
        let arg = match info {
            24 => u64::from(self.take_array::<1>()?[0]),
            25 => u64::from(u16::from_be_bytes(self.take_array()?)),
            26 => u64::from(u32::from_be_bytes(self.take_array()?)),
            27 => u64::from_be_bytes(self.take_array()?),
            28..=30 => return Err(Error::Malformed),
            _ => {
                return Err(match major {
                    Major::Bytes | Major::Text | Major::Array | Major::Map => {
                        Error::IndefiniteLength
                    }
                    _ => Error::Malformed,
                });
            }
        };
        if self.one_pass_mode() == Some(Mode::Strict) && !Head::deterministic(major, info, arg) {
            return Err(Error::NonDeterministic);
        }
        Ok(Head { major, info, arg })
    }

    #[cfg_attr(not(feature = "small-code"), inline(always))]
    fn head_of(&mut self, major: Major) -> Result<Head> {
        let start = self.pos;
        let h = self.head()?;
        if h.major == major {
            Ok(h)
        } else {
            self.pos = start;
            Err(Error::UnexpectedType)
        }
    }

    #[cfg_attr(not(feature = "small-code"), inline(always))]
    fn length(&self, arg: u64) -> Result<usize> {
        let n = usize::try_from(arg).map_err(|_| Error::Truncated)?;
        if n > self.remaining() {
            Err(Error::Truncated)
        } else {
            Ok(n)
        }
    }

    /// An unsigned integer (major type 0).
    ///
    /// # Errors
    /// [`Error::UnexpectedType`], [`Error::Truncated`], [`Error::Malformed`].
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    pub fn uint(&mut self) -> Result<u64> {
        Ok(self.head_of(Major::Unsigned)?.arg)
    }

    /// Any integer (major type 0 or 1) as `i128`, covering CBOR's whole range.
    ///
    /// # Errors
    /// [`Error::UnexpectedType`], [`Error::Truncated`], [`Error::Malformed`].
    pub fn int_wide(&mut self) -> Result<i128> {
        let start = self.pos;
        let h = self.head()?;
        match h.major {
            Major::Unsigned => Ok(i128::from(h.arg)),
            Major::Negative => Ok(-1 - i128::from(h.arg)),
            _ => {
                self.pos = start;
                Err(Error::UnexpectedType)
            }
        }
    }

    /// An integer that fits `i64`.
    ///
    /// # Errors
    /// [`Error::IntegerOutOfRange`] beyond `i64`, and the errors of [`Self::int_wide`].
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    pub fn int(&mut self) -> Result<i64> {
        let start = self.pos;
        let h = self.head()?;
        let magnitude = i64::try_from(h.arg).map_err(|_| Error::IntegerOutOfRange);
        match h.major {
            Major::Unsigned => magnitude,
            // -1 - n stays within i64 for every n <= i64::MAX.
            Major::Negative => magnitude.map(|n| -1 - n),
            _ => {
                self.pos = start;
                Err(Error::UnexpectedType)
            }
        }
    }

    /// A byte string, borrowed from the input.
    ///
    /// # Errors
    /// [`Error::UnexpectedType`], [`Error::Truncated`], [`Error::IndefiniteLength`].
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    pub fn bytes(&mut self) -> Result<&'b [u8]> {
        let h = self.head_of(Major::Bytes)?;
        let n = self.length(h.arg)?;
        self.take(n)
    }

    /// A text string, borrowed from the input.
    ///
    /// # Errors
    /// [`Error::InvalidUtf8`] and the errors of [`Self::bytes`].
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    pub fn text(&mut self) -> Result<&'b str> {
        let h = self.head_of(Major::Text)?;
        let n = self.length(h.arg)?;
        core::str::from_utf8(self.take(n)?).map_err(|_| Error::InvalidUtf8)
    }

    /// The head of an array; returns its number of items.
    ///
    /// The count is checked against the remaining input (each item needs at least one byte).
    ///
    /// # Errors
    /// [`Error::UnexpectedType`], [`Error::Truncated`], [`Error::IndefiniteLength`].
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    pub fn array(&mut self) -> Result<usize> {
        let h = self.head_of(Major::Array)?;
        self.length(h.arg)
    }

    /// The head of a map; returns its number of entries.
    ///
    /// # Errors
    /// As [`Self::array`].
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    pub fn map(&mut self) -> Result<usize> {
        let h = self.head_of(Major::Map)?;
        let n = self.length(h.arg)?;
        if n.saturating_mul(2) > self.remaining() {
            Err(Error::Truncated)
        } else {
            Ok(n)
        }
    }

    /// A tag number; the tagged item follows.
    ///
    /// # Errors
    /// [`Error::UnexpectedType`], [`Error::Truncated`].
    pub fn tag(&mut self) -> Result<u64> {
        Ok(self.head_of(Major::Tag)?.arg)
    }

    /// `true` or `false`.
    ///
    /// # Errors
    /// [`Error::UnexpectedType`], [`Error::Truncated`].
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn bool(&mut self) -> Result<bool> {
        match self.buf.get(self.pos) {
            Some(0xf4) => {
                self.pos = self.pos.saturating_add(1);
                Ok(false)
            }
            Some(0xf5) => {
                self.pos = self.pos.saturating_add(1);
                Ok(true)
            }
            Some(_) => Err(Error::UnexpectedType),
            None => Err(Error::Truncated),
        }
    }

    /// `null`.
    ///
    /// # Errors
    /// [`Error::UnexpectedType`], [`Error::Truncated`].
    pub fn null(&mut self) -> Result<()> {
        match self.buf.get(self.pos) {
            Some(0xf6) => {
                self.pos = self.pos.saturating_add(1);
                Ok(())
            }
            Some(_) => Err(Error::UnexpectedType),
            None => Err(Error::Truncated),
        }
    }

    /// A float of any width (half, single or double), as `f64`.
    ///
    /// # Errors
    /// [`Error::UnexpectedType`], [`Error::Truncated`].
    pub fn float(&mut self) -> Result<f64> {
        let start = self.pos;
        let h = self.head()?;
        match (h.major, h.info) {
            (Major::Simple, 25) => Ok(f16_to_f64(u16::try_from(h.arg).unwrap_or(0x7e00))),
            (Major::Simple, 26) => Ok(f64::from(f32::from_bits(
                u32::try_from(h.arg).unwrap_or(0x7fc0_0000),
            ))),
            (Major::Simple, 27) => Ok(f64::from_bits(h.arg)),
            _ => {
                self.pos = start;
                Err(Error::UnexpectedType)
            }
        }
    }

    /// Skips one complete data item (bounded by [`MAX_DEPTH`]).
    ///
    /// # Errors
    /// Any well-formedness error met on the way, [`Error::DepthExceeded`].
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn skip(&mut self) -> Result<()> {
        self.skip_at(1)
    }

    fn skip_at(&mut self, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(Error::DepthExceeded);
        }
        let h = self.head()?;
        match h.major {
            Major::Unsigned | Major::Negative => Ok(()),
            Major::Bytes | Major::Text => {
                let n = self.length(h.arg)?;
                self.take(n).map(|_| ())
            }
            Major::Array | Major::Map => {
                let n = self.length(h.arg)?;
                let items = if h.major == Major::Map {
                    n.saturating_mul(2)
                } else {
                    n
                };
                for _ in 0..items {
                    self.skip_at(depth.saturating_add(1))?;
                }
                Ok(())
            }
            Major::Tag => self.skip_at(depth.saturating_add(1)),
            Major::Simple => match h.info {
                24 if h.arg < 32 => Err(Error::Malformed),
                _ => Ok(()),
            },
        }
    }

    /// The complete encoding of the next data item, borrowed from the input.
    ///
    /// # Errors
    /// As [`Self::skip`].
    pub fn raw_item(&mut self) -> Result<&'b [u8]> {
        let start = self.pos;
        self.skip()?;
        self.buf.get(start..self.pos).ok_or(Error::Truncated)
    }
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// Checks that `input` is exactly one well-formed, valid CBOR data item under `mode`.
///
/// # Errors
/// [`Error::Truncated`], [`Error::TrailingBytes`], [`Error::Malformed`],
/// [`Error::IndefiniteLength`], [`Error::InvalidUtf8`], [`Error::DuplicateKey`],
/// [`Error::DepthExceeded`], [`Error::TooManyEntries`], and in strict mode
/// [`Error::NonDeterministic`].
pub fn validate(input: &[u8], mode: Mode) -> Result<()> {
    validate_nested(input, mode, 1)
}

/// [`validate`] for an item that will sit at nesting level `nesting` of an enclosing item (1:
/// the top level), so that [`MAX_DEPTH`] bounds the whole.
///
/// # Errors
/// As [`validate`].
pub(crate) fn validate_nested(input: &[u8], mode: Mode, nesting: usize) -> Result<()> {
    let mut d = Decoder::new(input);
    validate_item(&mut d, nesting, mode)?;
    d.finish()
}

/// Checks one item at the decoder's position (see [`validate`]) and consumes it.
///
/// # Errors
/// As [`validate`], except for trailing bytes.
pub fn validate_next(d: &mut Decoder<'_>, mode: Mode) -> Result<()> {
    validate_item(d, 1, mode).map(|_| ())
}

/// Checks that `content` is exactly `count` well-formed, valid items under `mode` (the content
/// of an array of `count` items, without its head).
///
/// # Errors
/// As [`validate`].
pub fn validate_items(content: &[u8], count: usize, mode: Mode) -> Result<()> {
    validate_items_nested(content, count, mode, 1)
}

/// [`validate_items`] for the content of an array at nesting level `nesting` (see
/// [`validate_nested`]).
///
/// # Errors
/// As [`validate`].
pub(crate) fn validate_items_nested(
    content: &[u8],
    count: usize,
    mode: Mode,
    nesting: usize,
) -> Result<()> {
    let mut d = Decoder::new(content);
    for _ in 0..count {
        validate_item(&mut d, nesting.saturating_add(1), mode)?;
    }
    d.finish()
}

/// Checks that `content` is exactly `entries` key/value pairs that form a valid map under
/// `mode` (the content of a map, without its head): unique keys, and in strict mode keys in
/// core deterministic order.
///
/// # Errors
/// As [`validate`].
pub fn validate_map_entries(content: &[u8], entries: usize, mode: Mode) -> Result<()> {
    validate_map_entries_nested(content, entries, mode, 1)
}

/// [`validate_map_entries`] for the content of a map at nesting level `nesting` (see
/// [`validate_nested`]).
///
/// # Errors
/// As [`validate`].
pub(crate) fn validate_map_entries_nested(
    content: &[u8],
    entries: usize,
    mode: Mode,
    nesting: usize,
) -> Result<()> {
    let mut d = Decoder::new(content);
    let head = Head {
        major: Major::Map,
        info: 27,
        arg: len_u64(entries),
    };
    validate_map(&mut d, head, nesting, mode)?;
    d.finish()
}

/// Returns the item's head (for map keys: whether their encoding is unique).
fn validate_item(d: &mut Decoder<'_>, depth: usize, mode: Mode) -> Result<Head> {
    if depth > MAX_DEPTH {
        return Err(Error::DepthExceeded);
    }
    let strict = mode == Mode::Strict;
    let h = d.head()?;
    // A two-byte simple value below 32 is not well-formed in any mode (RFC 8949 §3.3): that
    // verdict comes first so both modes report it alike. Then the deterministic rules of the
    // head (the argument's width; for floats, the shortest width that keeps the value).
    if h.major == Major::Simple && h.info == 24 && h.arg < 32 {
        return Err(Error::Malformed);
    }
    if strict && !Head::deterministic(h.major, h.info, h.arg) {
        return Err(Error::NonDeterministic);
    }
    match h.major {
        Major::Bytes => {
            let n = d.length(h.arg)?;
            d.take(n)?;
        }
        Major::Text => {
            let n = d.length(h.arg)?;
            core::str::from_utf8(d.take(n)?).map_err(|_| Error::InvalidUtf8)?;
        }
        Major::Array => {
            let n = d.length(h.arg)?;
            for _ in 0..n {
                validate_item(d, depth.saturating_add(1), mode)?;
            }
        }
        Major::Map => validate_map(d, h, depth, mode)?,
        Major::Tag => {
            validate_item(d, depth.saturating_add(1), mode)?;
        }
        Major::Unsigned | Major::Negative | Major::Simple => {}
    }
    Ok(h)
}

fn is_nan_f16(bits: u64) -> bool {
    bits & 0x7c00 == 0x7c00 && bits & 0x03ff != 0
}

/// An f32 (given as bits) that has a shorter exact encoding; NaN always does (`0xf97e00`).
fn fits_f16(bits: u64) -> bool {
    let x = u32::try_from(bits).unwrap_or(0);
    f32_to_f16_exact(x).is_some()
}

/// An f64 (given as bits) that has a shorter exact encoding; NaN always does.
fn fits_f32(bits: u64) -> bool {
    f64_to_f32_exact(bits).is_some()
}

fn validate_map(d: &mut Decoder<'_>, h: Head, depth: usize, mode: Mode) -> Result<()> {
    let n = d.length(h.arg)?;
    if n > MAX_MAP_ENTRIES {
        return Err(Error::TooManyEntries);
    }
    let first_entry = d.position();
    let mut prev: &[u8] = &[];
    // While keys ascend (by encoded bytes when strict, by value when lenient), no two can be
    // equal: one comparison with the previous key each. A lenient map whose keys do not ascend
    // is checked once more after its entries, by `check_distinct`.
    let mut ordered = true;
    for i in 0..n {
        let key_start = d.position();
        if matches!(d.peek_major()?, Major::Array | Major::Map | Major::Tag) {
            return Err(Error::InvalidMapKey);
        }
        validate_item(d, depth.saturating_add(1), mode)?;
        let key = d.buf.get(key_start..d.position()).ok_or(Error::Truncated)?;
        if i > 0 {
            if mode == Mode::Strict {
                // Validation above already proved the key itself is deterministic.
                if key <= prev {
                    return Err(if key == prev {
                        Error::DuplicateKey
                    } else {
                        Error::NonDeterministic
                    });
                }
            } else if ordered {
                match key_cmp(prev, key)? {
                    Ordering::Less => {}
                    Ordering::Equal => return Err(Error::DuplicateKey),
                    Ordering::Greater => ordered = false,
                }
            }
        }
        prev = key;
        validate_item(d, depth.saturating_add(1), mode)?;
    }
    if ordered {
        Ok(())
    } else {
        check_distinct(d.buf, first_entry, n)
    }
}

/// The keys of the (validated) map whose `n` entries start at `first_entry` in `buf` are
/// distinct, by value. The keys go into a sorted [`KeyTable`], [`KEY_TABLE_LEN`] at a time, and
/// every later key is looked up in it: one read of the map per group of [`KEY_TABLE_LEN`] keys
/// (at most 4), and at most 7 key comparisons per key and group.
#[cfg_attr(feature = "small-code", inline(never))]
fn check_distinct(buf: &[u8], first_entry: usize, n: usize) -> Result<()> {
    let mut group_start = first_entry;
    let mut done = 0;
    while done < n {
        let mut keys = KeyTable::new();
        let mut d = Decoder::at(buf, group_start);
        while done < n && !keys.is_full() {
            let at = d.position();
            d.skip()?;
            if !keys.insert(buf, at)? {
                return Err(Error::DuplicateKey);
            }
            d.skip()?;
            done += 1;
        }
        group_start = d.position();
        for _ in done..n {
            let key = d.raw_item()?;
            if keys.search(buf, key)?.is_ok() {
                return Err(Error::DuplicateKey);
            }
            d.skip()?;
        }
    }
    Ok(())
}

/// A sorted set of up to [`KEY_TABLE_LEN`] scalar map keys of one input, held as their
/// offsets in it ([`KEY_TABLE_LEN`] words of stack). A key is found or placed by binary
/// search: at most 7 key comparisons (log2 of 64, plus one).
struct KeyTable {
    at: [usize; KEY_TABLE_LEN],
    len: usize,
}

impl KeyTable {
    const fn new() -> Self {
        Self {
            at: [0; KEY_TABLE_LEN],
            len: 0,
        }
    }

    const fn is_full(&self) -> bool {
        self.len >= KEY_TABLE_LEN
    }

    /// Where `key` (an encoded key, possibly followed by more input) is, `Ok(index)`, or would
    /// go, `Err(index)`, among the held keys of `buf`.
    fn search(&self, buf: &[u8], key: &[u8]) -> Result<core::result::Result<usize, usize>> {
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let held = self
                .at
                .get(mid)
                .and_then(|&at| buf.get(at..))
                .ok_or(Error::Truncated)?;
            match key_cmp(held, key)? {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Ok(Ok(mid)),
            }
        }
        Ok(Err(lo))
    }

    /// Adds the key at offset `at` of `buf`; `Ok(false)` when an equal key is already held.
    fn insert(&mut self, buf: &[u8], at: usize) -> Result<bool> {
        let key = buf.get(at..).ok_or(Error::Truncated)?;
        let Err(pos) = self.search(buf, key)? else {
            return Ok(false);
        };
        if self.is_full() {
            return Err(Error::TooManyEntries);
        }
        // Shift the keys after `pos` up by one, one word at a time (a slice rotation would
        // link a general memmove: 1.5 KiB on a Cortex-M).
        let mut i = self.len;
        while i > pos {
            let below = self.at.get(i - 1).copied().unwrap_or(0);
            if let Some(slot) = self.at.get_mut(i) {
                *slot = below;
            }
            i -= 1;
        }
        if let Some(slot) = self.at.get_mut(pos) {
            *slot = at;
        }
        self.len += 1;
        Ok(true)
    }
}

/// `a > b` bytewise, without a library call: map keys are a few bytes long.
fn bytes_after(a: &[u8], b: &[u8]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x > y;
        }
    }
    a.len() > b.len()
}

/// Whether the map item `map_item` has a key equal (by value, see [`validate`]) to `key`.
/// One read of the map.
#[cfg(feature = "fuzzing")]
pub(crate) fn map_contains_key(map_item: &[u8], key: &[u8]) -> Result<bool> {
    let mut d = Decoder::new(map_item);
    let n = d.map()?;
    for _ in 0..n {
        let held = d.raw_item()?;
        if key_cmp(held, key)? == Ordering::Equal {
            return Ok(true);
        }
        d.skip()?;
    }
    Ok(false)
}

/// The first key of the (validated) map item `b` that the (validated) map item `a` has too, by
/// value. The keys of `a` go into a [`KeyTable`], [`KEY_TABLE_LEN`] at a time, and `b`
/// is read once for each such group: at most 4 reads of `b` and one of `a`, and 7 key
/// comparisons per key of `b` and group.
///
/// # Errors
/// [`Error::InvalidMapKey`] for a composite key; the errors of [`Decoder::skip`].
pub(crate) fn shared_key<'m>(a: &[u8], b: &'m [u8]) -> Result<Option<&'m [u8]>> {
    let mut da = Decoder::new(a);
    let na = da.map()?;
    let mut read = 0;
    while read < na {
        let mut keys = KeyTable::new();
        while read < na && !keys.is_full() {
            let at = da.position();
            da.skip()?;
            keys.insert(a, at)?;
            da.skip()?;
            read += 1;
        }
        let mut db = Decoder::new(b);
        for _ in 0..db.map()? {
            let key = db.raw_item()?;
            if keys.search(a, key)?.is_ok() {
                return Ok(Some(key));
            }
            db.skip()?;
        }
    }
    Ok(None)
}

/// The value of a scalar map key, as what orders keys: a class (the major type, with floats
/// apart from other simple values), the argument (an integer's or a simple value's; a string's
/// length; a float's value as `f64` bits, every NaN alike), and a string's content. Equal
/// exactly when the keys are equal in the CBOR data model, whatever their heads' widths.
///
/// # Errors
/// [`Error::InvalidMapKey`] for an array, map or tag.
fn key_value<'b>(d: &mut Decoder<'b>) -> Result<(u8, u64, &'b [u8])> {
    let h = d.head()?;
    Ok(match h.major {
        Major::Bytes | Major::Text => {
            let n = d.length(h.arg)?;
            (h.major.bits(), h.arg, d.take(n)?)
        }
        Major::Array | Major::Map | Major::Tag => return Err(Error::InvalidMapKey),
        Major::Simple => match float_value(&h) {
            Some(x) if x.is_nan() => (8, f64::NAN.to_bits(), &[]),
            Some(x) => (8, x.to_bits(), &[]),
            None => (7, h.arg, &[]),
        },
        Major::Unsigned | Major::Negative => (h.major.bits(), h.arg, &[]),
    })
}

/// The order of two encoded scalar map keys by value (see [`key_value`]); each slice starts
/// with a key and may run on past it.
fn key_cmp(a: &[u8], b: &[u8]) -> Result<Ordering> {
    let a = key_value(&mut Decoder::at(a, 0))?;
    let b = key_value(&mut Decoder::at(b, 0))?;
    #[cfg(feature = "cost-counter")]
    cost::compared(a.2.len().min(b.2.len()));
    Ok(a.cmp(&b))
}

fn float_value(h: &Head) -> Option<f64> {
    match (h.major, h.info) {
        (Major::Simple, 25) => u16::try_from(h.arg).ok().map(f16_to_f64),
        (Major::Simple, 26) => u32::try_from(h.arg)
            .ok()
            .map(|x| f64::from(f32::from_bits(x))),
        (Major::Simple, 27) => Some(f64::from_bits(h.arg)),
        _ => None,
    }
}

/// Counters of the work the readers do, for tests that bound it (feature `cost-counter`, off
/// by default and never in a release build of the library): every head read (each data item
/// visited by any reader, validator, skip or key comparison), every key comparison, and the
/// string bytes those comparisons look at. Process-wide: a test that reads them runs alone.
#[cfg(feature = "cost-counter")]
pub mod cost {
    use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    static HEADS: AtomicUsize = AtomicUsize::new(0);
    static KEY_COMPARISONS: AtomicUsize = AtomicUsize::new(0);
    static KEY_BYTES: AtomicUsize = AtomicUsize::new(0);

    /// The counts since the last [`reset`].
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Work {
        /// Heads read (data items visited, counting every visit).
        pub heads: usize,
        /// Map key comparisons.
        pub key_comparisons: usize,
        /// String bytes compared by key comparisons.
        pub key_bytes: usize,
    }

    /// Sets every counter to zero.
    pub fn reset() {
        HEADS.store(0, Relaxed);
        KEY_COMPARISONS.store(0, Relaxed);
        KEY_BYTES.store(0, Relaxed);
    }

    /// The counts since the last [`reset`].
    #[must_use]
    pub fn read() -> Work {
        Work {
            heads: HEADS.load(Relaxed),
            key_comparisons: KEY_COMPARISONS.load(Relaxed),
            key_bytes: KEY_BYTES.load(Relaxed),
        }
    }

    pub(super) fn head() {
        HEADS.fetch_add(1, Relaxed);
    }

    pub(super) fn compared(bytes: usize) {
        KEY_COMPARISONS.fetch_add(1, Relaxed);
        KEY_BYTES.fetch_add(bytes, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(f: impl FnOnce(&mut Encoder<&mut SliceWriter<'_>>)) -> ([u8; 64], usize) {
        let mut buf = [0u8; 64];
        let mut w = SliceWriter::new(&mut buf);
        f(&mut Encoder::new(&mut w));
        let n = w.finish().unwrap();
        (buf, n)
    }

    #[test]
    fn both_head_builders_agree() {
        let majors = [
            Major::Unsigned,
            Major::Negative,
            Major::Bytes,
            Major::Text,
            Major::Array,
            Major::Map,
            Major::Tag,
            Major::Simple,
        ];
        let mut args = std::vec![u64::MAX];
        for shift in 0..64 {
            let p = 1u64 << shift;
            args.extend([p - 1, p, p + 1]);
        }
        args.extend([23, 24, 255, 256, 65_535, 65_536, 0xffff_ffff, 0x1_0000_0000]);
        for major in majors {
            for &arg in &args {
                assert_eq!(
                    EncodedHead::new_one_copy(major, arg),
                    EncodedHead::new_per_width(major, arg),
                    "{major:?} {arg}"
                );
            }
        }
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

    /// The integer-only f64 -> f32 check agrees with the hardware conversion on the edges of
    /// every range and on a million pseudo-random bit patterns.
    #[test]
    #[cfg_attr(miri, ignore)] // integer arithmetic on a million inputs: hours under Miri
    #[allow(clippy::cast_possible_truncation)]
    fn f64_to_f32_exact_agrees_with_the_conversion() {
        fn reference(x: u64) -> Option<u32> {
            let v = f64::from_bits(x);
            let single = v as f32;
            if v.is_nan() {
                return Some(0x7fc0_0000);
            }
            (f64::from(single).to_bits() == x).then_some(single.to_bits())
        }
        let mut edges = std::vec![
            0u64,
            1 << 63,
            f64::INFINITY.to_bits(),
            f64::NAN.to_bits(),
            0xfff8_0000_0000_0000,
            0x7ff0_0000_0000_0001,
        ];
        for e in [-150i64, -149, -148, -127, -126, -125, 126, 127, 128] {
            let exp = u64::try_from(e + 1023).unwrap() << 52;
            for mant in [
                0u64,
                1,
                1 << 28,
                1 << 29,
                3 << 29,
                (1 << 52) - (1 << 29),
                (1 << 52) - 1,
            ] {
                for sign in [0, 1u64 << 63] {
                    edges.push(sign | exp | mant);
                    // The low bits a subnormal f32 can still hold, at every shift.
                    for k in 0..=52 {
                        edges.push(sign | exp | (mant & !((1u64 << k) - 1)));
                    }
                }
            }
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..1_000_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Bias towards values near the f32 range, and towards short mantissas.
            let near = (x & !(0x7ffu64 << 52)) | ((896 + (x >> 52) % 260) << 52);
            edges.push(x);
            edges.push(near & !((1u64 << (x % 53)) - 1));
        }
        for x in edges {
            assert_eq!(f64_to_f32_exact(x), reference(x), "{x:#018x}");
        }
    }

    /// f32 -> f16 by the shared narrowing: every non-NaN half comes back from its own single
    /// value, and the singles next to those (one unit in the last place either way) do not
    /// narrow unless they are themselves a half.
    #[test]
    #[cfg_attr(miri, ignore)] // integer arithmetic over every half: hours under Miri
    #[allow(clippy::cast_possible_truncation)]
    fn f32_to_f16_exact_finds_exactly_the_halves() {
        let mut halves = std::collections::HashMap::new();
        for h in 0..=u16::MAX {
            let v = f16_to_f64(h);
            if !v.is_nan() {
                halves.insert((v as f32).to_bits(), h);
            }
        }
        assert_eq!(
            halves.len(),
            65536 - 2 * 1023,
            "every non-NaN half is a distinct single"
        );
        for (&single, &h) in &halves {
            assert_eq!(f32_to_f16_exact(single), Some(h), "{single:#010x}");
            for near in [single.wrapping_add(1), single.wrapping_sub(1)] {
                let want = if f32::from_bits(near).is_nan() {
                    Some(0x7e00)
                } else {
                    halves.get(&near).copied()
                };
                assert_eq!(f32_to_f16_exact(near), want, "{near:#010x}");
            }
        }
        // Every NaN, whatever its sign and payload, narrows to the canonical half NaN.
        for nan in [
            f32::NAN.to_bits(),
            0xffc0_0000,
            0x7f80_0001,
            0xff80_0001,
            0x7fff_ffff,
        ] {
            assert_eq!(f32_to_f16_exact(nan), Some(0x7e00), "{nan:#010x}");
        }
    }

    #[test]
    fn strict_rejects_long_floats() {
        assert_eq!(
            validate(&hex::decode("fa3f800000").unwrap(), Mode::Strict),
            Err(Error::NonDeterministic)
        );
        assert_eq!(
            validate(&hex::decode("fb3ff0000000000000").unwrap(), Mode::Strict),
            Err(Error::NonDeterministic)
        );
        assert_eq!(
            validate(&hex::decode("f97e01").unwrap(), Mode::Strict),
            Err(Error::NonDeterministic)
        );
        validate(&hex::decode("fb3ff0000000000000").unwrap(), Mode::Lenient).unwrap();
    }

    #[test]
    fn buffer_too_small_reports_exact_need() {
        let mut buf = [0u8; 3];
        let mut w = SliceWriter::new(&mut buf);
        Encoder::new(&mut w).bytes(b"hello");
        assert_eq!(w.finish(), Err(Error::BufferTooSmall { needed: 6 }));
    }

    #[test]
    fn duplicate_keys_by_value() {
        // {1: 0, 1: 0}
        assert_eq!(
            validate(&hex::decode("a201000100").unwrap(), Mode::Lenient),
            Err(Error::DuplicateKey)
        );
        // {1: 0, 24 01 (non-shortest 1): 0} - bytes ascend but the values are equal
        assert_eq!(
            validate(&hex::decode("a20100180100").unwrap(), Mode::Lenient),
            Err(Error::DuplicateKey)
        );
        // {"a": 0, 2: 0, "a": 0}
        assert_eq!(
            validate(&hex::decode("a36161000200616100").unwrap(), Mode::Lenient),
            Err(Error::DuplicateKey)
        );
        // equal in the data model though encoded differently: float widths, NaN payloads
        for h in ["a2f93c0000fa3f80000000", "a2f97e0000fb7ff800000000000100"] {
            assert_eq!(
                validate(&hex::decode(h).unwrap(), Mode::Lenient),
                Err(Error::DuplicateKey),
                "{h}"
            );
        }
        // arrays, maps and tags are not map keys, in either mode, equal or not
        for h in [
            "a281010081180100",
            "a2c10100c1180100",
            "a2a2010002000 0a2020001000 0",
            "a2810100810200",
            "a1a000",
        ] {
            for mode in [Mode::Lenient, Mode::Strict] {
                assert_eq!(
                    validate(&hex::decode(h.replace(' ', "")).unwrap(), mode),
                    Err(Error::InvalidMapKey),
                    "{h}"
                );
            }
        }
        // distinct floats, -0 and 0, simple values and integers are fine
        validate(&hex::decode("a2f93c0000f9400000").unwrap(), Mode::Lenient).unwrap();
        validate(
            &hex::decode("a3f9800000f9000000f400").unwrap(),
            Mode::Lenient,
        )
        .unwrap();
        validate(&hex::decode("a2f40000f4").unwrap(), Mode::Lenient).unwrap();
        // out of order, distinct: fine when lenient, not when strict
        validate(&hex::decode("a202000100").unwrap(), Mode::Lenient).unwrap();
        assert_eq!(
            validate(&hex::decode("a202000100").unwrap(), Mode::Strict),
            Err(Error::NonDeterministic)
        );
        assert_eq!(
            validate(&hex::decode("a201000100").unwrap(), Mode::Strict),
            Err(Error::DuplicateKey)
        );
    }

    #[test]
    fn malformed_and_limits() {
        let cases: &[(&str, Error)] = &[
            ("", Error::Truncated),
            ("18", Error::Truncated),
            ("5f", Error::IndefiniteLength),
            ("9f", Error::IndefiniteLength),
            ("1c", Error::Malformed),
            ("ff", Error::Malformed),
            ("f818", Error::Malformed),
            ("1f", Error::Malformed),
            ("62c328", Error::InvalidUtf8),
            ("5a00000010", Error::Truncated),
            ("9a7fffffff", Error::Truncated),
            ("0000", Error::TrailingBytes),
        ];
        for (h, e) in cases {
            assert_eq!(
                validate(&hex::decode(h).unwrap(), Mode::Lenient),
                Err(*e),
                "{h}"
            );
        }
        assert_eq!(
            validate(&hex::decode("1801").unwrap(), Mode::Strict),
            Err(Error::NonDeterministic)
        );
        let deep = [0x81u8; 10_000];
        assert_eq!(validate(&deep, Mode::Lenient), Err(Error::DepthExceeded));
        assert_eq!(Decoder::new(&deep).skip(), Err(Error::DepthExceeded));
        let mut nested = [0x81u8; MAX_DEPTH];
        nested[MAX_DEPTH - 1] = 0x00;
        validate(&nested, Mode::Strict).unwrap();
    }

    /// A lenient map whose keys do not ascend is checked by its key table, a group of keys at
    /// a time: duplicates are found wherever they are, within a group or across groups.
    #[test]
    fn unordered_maps() {
        fn map(keys: &[u64]) -> std::vec::Vec<u8> {
            let mut buf = [0u8; 4096];
            let mut w = SliceWriter::new(&mut buf);
            let mut e = Encoder::new(&mut w);
            e.map(keys.len());
            for &k in keys {
                e.uint(k).null();
            }
            let n = w.finish().unwrap();
            buf[..n].to_vec()
        }
        for n in [2, KEY_TABLE_LEN, KEY_TABLE_LEN + 1, MAX_MAP_ENTRIES] {
            let descending: std::vec::Vec<u64> = (0..u64::try_from(n).unwrap()).rev().collect();
            validate(&map(&descending), Mode::Lenient).unwrap();
            assert_eq!(
                validate(&map(&descending), Mode::Strict),
                Err(Error::NonDeterministic)
            );
            // A duplicate of every earlier key, at every later place.
            for i in (0..n).step_by(7).chain([n - 1]) {
                for j in (i + 1..n).step_by(5).chain([n - 1]) {
                    if j <= i {
                        continue;
                    }
                    let mut keys = descending.clone();
                    keys[j] = keys[i];
                    assert_eq!(
                        validate(&map(&keys), Mode::Lenient),
                        Err(Error::DuplicateKey),
                        "{n} {i} {j}"
                    );
                }
            }
        }
        // Ascending, any number up to MAX_MAP_ENTRIES is fine.
        let ascending: std::vec::Vec<u64> = (0..u64::try_from(MAX_MAP_ENTRIES).unwrap()).collect();
        validate(&map(&ascending), Mode::Lenient).unwrap();
        // shared_key finds a common key whatever the sizes (more keys than one table holds).
        let wide = map(&ascending);
        assert_eq!(
            shared_key(&wide, &map(&[300, 255])),
            Ok(Some(&[0x18, 0xff][..]))
        );
        assert_eq!(shared_key(&wide, &map(&[300, 256])), Ok(None));
        assert_eq!(shared_key(&map(&[]), &wide), Ok(None));
    }

    #[test]
    fn too_many_entries() {
        let mut buf = [0u8; 2048];
        let mut w = SliceWriter::new(&mut buf);
        let mut e = Encoder::new(&mut w);
        e.map(MAX_MAP_ENTRIES + 1);
        for i in 0..=MAX_MAP_ENTRIES {
            e.uint(i as u64).null();
        }
        let n = w.finish().unwrap();
        assert_eq!(
            validate(&buf[..n], Mode::Lenient),
            Err(Error::TooManyEntries)
        );
    }
}
