//! Opaque handles: boxed, or placed in caller storage (`_in` constructors), with one `_free`.
//!
//! Every handle type starts with a [`Header`]: a type tag, checked on every use, and where the
//! object lives. `_free` drops the value (a signing key zeroizes itself), zeroes the whole
//! object, and then releases a box or hands caller storage back all-zero, so a stale handle
//! into that storage fails with `ECNPP_ERR_INVALID_HANDLE` instead of reading a dead key.

use core::mem::{MaybeUninit, align_of, size_of};
use core::ptr::NonNull;

use zeroize::Zeroize;

use crate::args::{FfiResult, required};
use crate::result::ecnpp_result;

/// The first field of every handle object.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header {
    tag: u32,
    in_storage: bool,
}

/// A C handle type.
///
/// # Safety
/// `header` must return a pointer to the object's [`Header`] field (computed with `&raw`, no
/// reference to the whole object), and `TAG` must differ between handle types and from 0.
pub(crate) unsafe trait Handle: Sized {
    /// The value behind the handle.
    type Value;
    /// The caller-storage struct of `_in` constructors.
    type Storage;
    /// The type tag of live objects.
    const TAG: u32;
    /// Builds the object.
    fn new(header: Header, value: Self::Value) -> Self;
    /// The value.
    fn value(&self) -> &Self::Value;
    /// The value, to be completed in place (see [`boxed_with`]).
    fn value_mut(&mut self) -> &mut Self::Value;
    /// Projects to the header without creating a reference to `*p`.
    ///
    /// # Safety
    /// `p` must point into an allocation at least `size_of::<Self>()` bytes long.
    unsafe fn header(p: *const Self) -> *const Header;
}

/// Boxes a new object.
pub(crate) fn boxed<H: Handle>(value: H::Value) -> *mut H {
    let header = Header {
        tag: H::TAG,
        in_storage: false,
    };
    Box::into_raw(Box::new(H::new(header, value)))
}

/// Boxes a new object built from `value`, then lets `fill` complete the value where it lives.
/// A signing key is imported this way, into its box: built elsewhere and moved in, it would
/// leave a copy of the secret on the stack (`Box::new` builds its argument there first). On
/// error the object is ended as by [`free`] (dropped, zeroed, released) and the error returned.
pub(crate) fn boxed_with<H: Handle>(
    value: H::Value,
    fill: impl FnOnce(&mut H::Value) -> FfiResult<()>,
) -> FfiResult<*mut H> {
    let p = boxed::<H>(value);
    // SAFETY: p comes from `Box::into_raw` just above: live, aligned, and not shared yet.
    let filled = fill(unsafe { &mut *p }.value_mut());
    if filled.is_err() {
        // SAFETY: p is a live H from `boxed`, and no other use of it exists or follows.
        unsafe { free(p) };
    }
    filled.map(|()| p)
}

/// As [`boxed_with`], in caller storage. On error the storage is handed back as it was (the
/// C API leaves outputs untouched on every error): its bytes are saved before the object is
/// placed and put back after it is dropped.
///
/// # Safety
/// As [`place`].
pub(crate) unsafe fn place_with<H: Handle>(
    storage: NonNull<H::Storage>,
    value: H::Value,
    fill: impl FnOnce(&mut H::Value) -> FfiResult<()>,
) -> FfiResult<*mut H> {
    let raw = storage.cast::<MaybeUninit<H::Storage>>();
    // SAFETY: storage is valid for reads and writes of a `H::Storage` (precondition); read as
    // `MaybeUninit`, its bytes need not be initialised.
    let saved = unsafe { raw.read() };
    // SAFETY: forwarded precondition.
    let p = unsafe { place::<H>(storage, value) };
    // SAFETY: p points to the H just written into the caller's storage, which the caller
    // does not use until this constructor returns.
    let filled = fill(unsafe { &mut *p }.value_mut());
    if filled.is_err() {
        // SAFETY: p is a live, placed H: dropped here and never used as an H again; then the
        // storage gets its old bytes back.
        unsafe {
            p.drop_in_place();
            raw.write(saved);
        }
    }
    filled.map(|()| p)
}

/// Places a new object in caller storage.
///
/// # Safety
/// `storage` must be valid for writes of `size_of::<H::Storage>()` bytes and suitably aligned
/// for `H::Storage` (the C type guarantees both).
pub(crate) unsafe fn place<H: Handle>(storage: NonNull<H::Storage>, value: H::Value) -> *mut H {
    const {
        assert!(size_of::<H>() <= size_of::<H::Storage>());
        assert!(align_of::<H>() <= align_of::<H::Storage>());
    }
    let header = Header {
        tag: H::TAG,
        in_storage: true,
    };
    let p = storage.cast::<H>();
    // SAFETY: the storage is large and aligned enough for H (compile-time checks above) and
    // valid for writes (precondition). `write` does not drop what was there before.
    unsafe { p.write(H::new(header, value)) };
    p.as_ptr()
}

/// Borrows the value of a live handle.
///
/// # Safety
/// `p`, if non-NULL, must be a pointer returned by a constructor of `H` (boxed or placed) whose
/// allocation or storage is still in place; the value must not be freed during `'a`.
pub(crate) unsafe fn borrow<'a, H: Handle + 'a>(p: *const H) -> FfiResult<&'a H::Value> {
    let p = required(p.cast_mut())?;
    // SAFETY: p points to an object of type H, or to storage `_free` zeroed (still in place),
    // so the header field is readable; `Header` is plain data, any tag value is valid to read,
    // and bool is read only after the tag matched.
    let tag = unsafe { (&raw const (*H::header(p.as_ptr())).tag).read() };
    if tag != H::TAG {
        return Err(ecnpp_result::ECNPP_ERR_INVALID_HANDLE);
    }
    // SAFETY: the tag says a live H is there, constructed by `boxed` or `place`.
    Ok(unsafe { p.as_ref() }.value())
}

/// Ends a handle: drops, zeroes, and releases a box. NULL and non-live handles are ignored.
///
/// # Safety
/// As [`borrow`], and no other use of the handle may run concurrently or follow.
pub(crate) unsafe fn free<H: Handle>(p: *mut H) {
    let Some(p) = NonNull::new(p) else { return };
    // SAFETY: as in `borrow`.
    let header_ptr = unsafe { H::header(p.as_ptr()) };
    // SAFETY: readable header (see `borrow`).
    let tag = unsafe { (&raw const (*header_ptr).tag).read() };
    if tag != H::TAG {
        return;
    }
    // SAFETY: the tag matched, so the whole header is a valid `Header`.
    let in_storage = unsafe { header_ptr.read() }.in_storage;
    // SAFETY: a live H is at p; after this it is dropped and never used as an H again.
    unsafe { p.as_ptr().drop_in_place() };
    let len = if in_storage {
        size_of::<H::Storage>()
    } else {
        size_of::<H>()
    };
    // SAFETY: the object (boxed: its allocation of size_of::<H>(); placed: its storage of
    // size_of::<H::Storage>()) is valid for writes of `len` bytes and no longer holds a live
    // value; MaybeUninit<u8> admits the padding bytes it may contain.
    let bytes =
        unsafe { core::slice::from_raw_parts_mut(p.cast::<MaybeUninit<u8>>().as_ptr(), len) };
    bytes.zeroize();
    if !in_storage {
        // SAFETY: p came from `Box::into_raw(Box<H>)`; MaybeUninit<H> has H's layout, so this
        // releases the allocation without dropping the (already dropped) value again.
        drop(unsafe { Box::from_raw(p.cast::<MaybeUninit<H>>().as_ptr()) });
    }
}
