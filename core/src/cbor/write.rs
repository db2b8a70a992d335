//! Writers: the [`Write`] trait and the buffer, counting and type-erased writers.

use core::fmt;

use crate::error::{Error, Result};

/// A byte sink. Infallible by design: writers record overflow themselves (sticky errors).
pub trait Write {
    /// Appends `bytes`.
    fn write(&mut self, bytes: &[u8]);

    /// Appends the first `len` bytes of `head` (a CBOR head: `len` is 1, 2, 3, 5 or 9).
    /// On hosts, writers into memory override it with one fixed-size store per head length,
    /// which spares a variable-length copy for each of the many short heads of a token;
    /// `small-code` builds keep the one copy (less code).
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
    // One shared copy in `small-code` builds, where code size matters more than a call.
    #[cfg_attr(not(feature = "small-code"), inline)]
    #[cfg_attr(feature = "small-code", inline(never))]
    fn write(&mut self, bytes: &[u8]) {
        match self {
            Self::Count(c) => c.write(bytes),
            Self::Slice { buf, len, overflow } => slice_write(buf, len, overflow, bytes),
            Self::Dyn(w) => w.write(bytes),
        }
    }

    // `small-code` builds take the default (one `write`), as `slice_write_head` does there.
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
    // `small-code` builds keep the one variable-length copy: less code.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::Encoder;

    #[test]
    fn buffer_too_small_reports_exact_need() {
        let mut buf = [0u8; 3];
        let mut w = SliceWriter::new(&mut buf);
        Encoder::new(&mut w).bytes(b"hello");
        assert_eq!(w.finish(), Err(Error::BufferTooSmall { needed: 6 }));
    }
}
