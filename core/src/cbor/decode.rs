//! The zero-copy decoder.

#[cfg(feature = "cost-counter")]
use super::cost;
use super::float::f16_to_f64;
use super::head::Head;
#[cfg(doc)]
use super::validate;
use super::validation::validate_item;
use super::{MAX_DEPTH, MAX_MAP_ENTRIES, Major, Mode};
use crate::error::{Error, Result};

// The head and bounds readers below are inlined into every typed reader on hosts (a fifth of
// the time of reading a token, docs/performance.md); in `small-code` builds they stay calls,
// which keeps the code 3 KiB smaller.

/// A zero-copy reader of CBOR data items.
///
/// Every method checks bounds and types and returns a precise [`Error`]; none panics. Byte and
/// text strings are returned as slices of the input. Declared lengths are checked against the
/// remaining input before anything else is done with them.
#[derive(Clone, Debug)]
pub struct Decoder<'b> {
    pub(super) buf: &'b [u8],
    pos: usize,
    /// One-pass mode (see [`Decoder::one_pass`]): typed readers check what a separate
    /// validation pass would otherwise have proven. Default builds only: `small-code` builds
    /// always read in two passes (validate, then read), which needs less code.
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
    pub(super) const fn at(buf: &'b [u8], pos: usize) -> Self {
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

    /// The one-pass mode, if the decoder is in it (never in `small-code` builds).
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
    pub(super) fn take(&mut self, n: usize) -> Result<&'b [u8]> {
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
    pub(super) fn head(&mut self) -> Result<Head> {
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
    pub(super) fn length(&self, arg: u64) -> Result<usize> {
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

/// `a > b` bytewise, without a library call: map keys are a few bytes long.
fn bytes_after(a: &[u8], b: &[u8]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x > y;
        }
    }
    a.len() > b.len()
}
