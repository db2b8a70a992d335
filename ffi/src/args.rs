//! The mechanical half of the contract: the panic boundary, NULL and length checks, the size
//! query, "outputs written only on success", and the overlap rule.

use core::ptr::NonNull;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::result::ecnpp_result;

/// Shorthand for the body of an exported function.
pub(crate) type FfiResult<T = ()> = Result<T, ecnpp_result>;

/// Runs `f` so that a panic becomes `ECNPP_ERR_PANIC` instead of unwinding into C.
pub(crate) fn boundary(f: impl FnOnce() -> FfiResult) -> ecnpp_result {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => ecnpp_result::ECNPP_OK,
        Ok(Err(e)) => e,
        Err(_) => ecnpp_result::ECNPP_ERR_PANIC,
    }
}

/// Runs `f` for a function that returns a value to C (a string, nothing): `fallback` on panic.
pub(crate) fn boundary_value<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// A required pointer, checked for NULL.
pub(crate) fn required<T>(p: *mut T) -> FfiResult<NonNull<T>> {
    NonNull::new(p).ok_or(ecnpp_result::ECNPP_ERR_NULL_POINTER)
}

/// A required `const` pointer, checked for NULL.
pub(crate) fn required_const<T>(p: *const T) -> FfiResult<NonNull<T>> {
    required(p.cast_mut())
}

/// A pointer + length pair as received, checked for NULL-with-length and for overflow but
/// not yet turned into a slice (so the overlap rule can be applied first).
#[derive(Clone, Copy)]
pub(crate) struct Span {
    ptr: *const u8,
    len: usize,
}

impl Span {
    /// Checks a buffer argument: `(NULL, 0)` is empty, `(NULL, n > 0)` is NULL_POINTER, and a
    /// length above `isize::MAX` (PTRDIFF_MAX) is LENGTH_OVERFLOW.
    pub(crate) fn new(ptr: *const u8, len: usize) -> FfiResult<Self> {
        if ptr.is_null() && len != 0 {
            return Err(ecnpp_result::ECNPP_ERR_NULL_POINTER);
        }
        if isize::try_from(len).is_err() {
            return Err(ecnpp_result::ECNPP_ERR_LENGTH_OVERFLOW);
        }
        Ok(Self { ptr, len })
    }

    /// As [`Self::new`] for an *optional* input: a NULL pointer means absent.
    pub(crate) fn optional(ptr: *const u8, len: usize) -> FfiResult<Option<Self>> {
        if ptr.is_null() {
            return Self::new(ptr, len).map(|_| None);
        }
        Self::new(ptr, len).map(Some)
    }

    /// The memory a slice covers, for the overlap rule.
    pub(crate) fn of<T>(s: &[T]) -> Self {
        Self {
            ptr: s.as_ptr().cast(),
            len: size_of_val(s),
        }
    }

    /// True when this span shares at least one byte with `other`.
    pub(crate) fn overlaps(&self, other: &Self) -> bool {
        if self.len == 0 || other.len == 0 {
            return false;
        }
        let (a, b) = (self.ptr.addr(), other.ptr.addr());
        a < b.saturating_add(other.len) && b < a.saturating_add(self.len)
    }

    /// The bytes.
    ///
    /// # Safety
    /// Unless the span is empty, `ptr` must be valid for reads of `len` bytes, initialised, and
    /// not written by anyone for `'a` (the C caller's promise for an input buffer).
    pub(crate) unsafe fn as_slice<'a>(&self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: non-NULL (checked in `new` for len > 0), len <= isize::MAX (checked in `new`),
        // validity for reads of `len` bytes for 'a is this function's precondition.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// An output buffer with the size-query convention: `(NULL, 0)` asks for the size.
pub(crate) struct OutBuf {
    span: Option<Span>,
}

impl OutBuf {
    /// Checks an output buffer argument.
    pub(crate) fn new(ptr: *mut u8, len: usize) -> FfiResult<Self> {
        Ok(Self {
            span: Span::optional(ptr.cast_const(), len)?,
        })
    }

    /// True when this output shares a byte with any of `inputs`: `ECNPP_ERR_INVALID_ARGUMENT`.
    pub(crate) fn check_disjoint(&self, inputs: &[Option<Span>]) -> FfiResult {
        if let Some(out) = &self.span
            && inputs.iter().flatten().any(|i| out.overlaps(i))
        {
            return Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT);
        }
        Ok(())
    }

    /// True when this output shares a byte with `input` (never for a size query).
    pub(crate) fn overlaps(&self, input: &Span) -> bool {
        self.span.is_some_and(|out| out.overlaps(input))
    }

    /// `None` for a size query, else the writable bytes.
    ///
    /// # Safety
    /// Unless NULL or empty, the buffer must be valid for writes of its length and not accessed
    /// by anyone else for `'a`.
    pub(crate) unsafe fn as_mut_slice<'a>(&self) -> Option<&'a mut [u8]> {
        let span = self.span?;
        if span.len == 0 {
            return Some(&mut []);
        }
        // SAFETY: non-NULL, len <= isize::MAX (checked by `Span::new`); exclusive validity for
        // writes is this function's precondition, and `check_disjoint` has ruled out aliasing
        // with the call's inputs.
        Some(unsafe { core::slice::from_raw_parts_mut(span.ptr.cast_mut(), span.len) })
    }
}

/// A C array argument (`ptr`, `len` elements), checked like a buffer: `(NULL, 0)` is empty,
/// `(NULL, n > 0)` is NULL_POINTER, a byte size above PTRDIFF_MAX is LENGTH_OVERFLOW; and a
/// pointer not aligned for `T` is INVALID_ARGUMENT (a C compiler never makes one).
///
/// # Safety
/// Unless empty, `ptr` must be valid for reads of `len` initialised `T` and not written by anyone
/// for `'a`. `T` must be plain data (every initialised bit pattern valid): the C structs of this
/// crate hold only integers and raw pointers.
pub(crate) unsafe fn array<'a, T>(ptr: *const T, len: usize) -> FfiResult<&'a [T]> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(ecnpp_result::ECNPP_ERR_NULL_POINTER)
        };
    }
    let bytes = len
        .checked_mul(size_of::<T>())
        .filter(|&b| isize::try_from(b).is_ok())
        .ok_or(ecnpp_result::ECNPP_ERR_LENGTH_OVERFLOW)?;
    if !ptr.is_aligned() {
        return Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT);
    }
    if bytes == 0 {
        return Ok(&[]);
    }
    // SAFETY: non-NULL and aligned (checked), at most isize::MAX bytes (checked); validity for
    // reads of `len` plain-data elements for 'a is this function's precondition.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A C output array (`ptr`, `len` elements), checked as [`array`] and returned as a span (so the
/// overlap rule can be applied before it becomes a mutable slice).
pub(crate) fn array_out<T>(ptr: *mut T, len: usize) -> FfiResult<Span> {
    if ptr.is_null() {
        return if len == 0 {
            Span::new(core::ptr::null(), 0)
        } else {
            Err(ecnpp_result::ECNPP_ERR_NULL_POINTER)
        };
    }
    let bytes = len
        .checked_mul(size_of::<T>())
        .ok_or(ecnpp_result::ECNPP_ERR_LENGTH_OVERFLOW)?;
    let span = Span::new(ptr.cast_const().cast(), bytes)?;
    if !ptr.is_aligned() {
        return Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT);
    }
    Ok(span)
}

/// The elements of an output array checked by [`array_out`].
///
/// # Safety
/// `span` came from `array_out::<T>` on a pointer valid for writes of its elements, which no
/// one else accesses for `'a`; `T` is plain data.
pub(crate) unsafe fn array_out_slice<'a, T>(span: Span) -> &'a mut [T] {
    let n = span.len / size_of::<T>().max(1);
    if n == 0 {
        return &mut [];
    }
    // SAFETY: non-NULL, aligned and at most isize::MAX bytes (checked by array_out); exclusive
    // validity for writes is this function's precondition.
    unsafe { core::slice::from_raw_parts_mut(span.ptr.cast::<T>().cast_mut(), n) }
}

/// A required input struct: NULL is NULL_POINTER, a misaligned pointer INVALID_ARGUMENT.
///
/// # Safety
/// Non-NULL `p` must point to an initialised `T`, plain data as for [`array`], unchanged for
/// `'a`.
pub(crate) unsafe fn input<'a, T>(p: *const T) -> FfiResult<&'a T> {
    let p = required_const(p)?;
    if !p.as_ptr().is_aligned() {
        return Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, aligned, initialised plain data for 'a (precondition).
    Ok(unsafe { p.as_ref() })
}

/// A required output struct: NULL is NULL_POINTER, a misaligned pointer INVALID_ARGUMENT.
pub(crate) fn output<T>(p: *mut T) -> FfiResult<NonNull<T>> {
    let p = required(p)?;
    if !p.as_ptr().is_aligned() {
        return Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT);
    }
    Ok(p)
}

/// A C boolean field (`uint8_t`): 0 or 1; anything else is `err` (it usually means the field
/// was never initialised).
pub(crate) fn bool01(v: u8, err: ecnpp_result) -> FfiResult<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(err),
    }
}

/// Writes a fixed-size value with the size-query convention.
///
/// # Safety
/// As [`OutBuf::as_mut_slice`]; `written` must be valid for a write.
pub(crate) unsafe fn write_fixed(bytes: &[u8], out: &OutBuf, written: NonNull<usize>) -> FfiResult {
    // SAFETY: forwarded precondition.
    match unsafe { out.as_mut_slice() } {
        None => {}
        Some(buf) => {
            let dst = buf
                .get_mut(..bytes.len())
                .ok_or(ecnpp_result::ECNPP_ERR_BUFFER_TOO_SMALL)?;
            dst.copy_from_slice(bytes);
        }
    }
    // SAFETY: `written` is non-NULL and valid for a write (precondition).
    unsafe { written.write(bytes.len()) };
    Ok(())
}

/// Checks that `flags` has no bit outside `known`.
pub(crate) fn check_flags(flags: u32, known: u32) -> FfiResult {
    if flags & !known == 0 {
        Ok(())
    } else {
        Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT)
    }
}

/// An optional out-parameter pair (`kid_out`, `kid_len_out`): both NULL or neither.
pub(crate) fn optional_pair<A, B>(
    a: *mut A,
    b: *mut B,
) -> FfiResult<Option<(NonNull<A>, NonNull<B>)>> {
    match (NonNull::new(a), NonNull::new(b)) {
        (None, None) => Ok(None),
        (Some(a), Some(b)) => Ok(Some((a, b))),
        _ => Err(ecnpp_result::ECNPP_ERR_NULL_POINTER),
    }
}

/// Writes a borrowed byte string (or NULL/0 for none) to a pointer + length out-parameter pair.
///
/// # Safety
/// Both pointers must be valid for a write.
pub(crate) unsafe fn write_borrowed(
    bytes: Option<&[u8]>,
    ptr_out: NonNull<*const u8>,
    len_out: NonNull<usize>,
) {
    let (p, n) = bytes.map_or((core::ptr::null(), 0), |b| (b.as_ptr(), b.len()));
    // SAFETY: the caller guarantees both are valid for writes.
    unsafe {
        ptr_out.write(p);
        len_out.write(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        assert!(Span::new(core::ptr::null(), 0).is_ok());
        assert_eq!(
            Span::new(core::ptr::null(), 1).err(),
            Some(ecnpp_result::ECNPP_ERR_NULL_POINTER)
        );
        let b = [0u8; 8];
        assert_eq!(
            Span::new(b.as_ptr(), usize::MAX).err(),
            Some(ecnpp_result::ECNPP_ERR_LENGTH_OVERFLOW)
        );
        let whole = Span::new(b.as_ptr(), 8).unwrap();
        let tail = Span::new(b[4..].as_ptr(), 4).unwrap();
        let head = Span::new(b.as_ptr(), 4).unwrap();
        let empty = Span::new(b.as_ptr(), 0).unwrap();
        assert!(whole.overlaps(&tail) && tail.overlaps(&whole));
        assert!(!head.overlaps(&tail) && !tail.overlaps(&head));
        assert!(!empty.overlaps(&whole));
        assert!(Span::optional(core::ptr::null(), 0).unwrap().is_none());
        assert_eq!(
            check_flags(4, 3).err(),
            Some(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT)
        );
    }
}
