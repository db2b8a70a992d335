//! EAT claims (RFC 9711) and CWT claims (RFC 8392), read zero-copy and written deterministically.
//!
//! One type, [`Claims`], serves both directions:
//!
//! * [`Claims::decode`] validates a claims map (no duplicate keys at any level, bounded depth),
//!   type- and range-checks every registered claim, and returns a view whose strings and byte
//!   strings borrow from the input. Lists (measurements, dloas, submodules, unknown claims, ...)
//!   stay encoded and are iterated on demand: nothing is copied, nothing is allocated.
//! * A device fills the same struct with borrowed values and calls [`Claims::encode`] (or signs it
//!   through [`crate::ecnpp::sign_evidence`]); keys come out in core deterministic order, and
//!   [`Claims::encoded_len`] is the exact size.
//!
//! Values with an invariant are newtypes checked once at construction ([`Nonce`], [`Ueid`],
//! [`HwModel`], [`OemId`], [`DebugStatus`], ...), whether the value comes from a builder or from
//! the wire.
//!
//! The ECN PP profile claims (keys −90101 … −90106, see [`crate::ecnpp`]) are fields of
//! [`Claims`] too, so one map read gives the whole picture.

use core::cmp::Ordering;
use core::fmt;
use core::marker::PhantomData;

use crate::cbor::{self, Decoder, Encoder, Major, Mode, SizeCounter, SliceWriter, Write};
use crate::error::{Error, Result};

/// Maximum nesting of submodules inside submodules accepted by [`Claims::decode`] and
/// [`Claims::encode`]. (CBOR nesting is separately bounded by [`cbor::MAX_DEPTH`].)
pub const MAX_SUBMODULE_DEPTH: usize = 4;

// The one-pass read relies on this: the deepest typed item (a `measres` result's id, at CBOR
// nesting 6 + 2 x the submodule depth) stays within the nesting bound that validation
// enforces, so typed readers need no depth check of their own.
const _: () = assert!(6 + 2 * MAX_SUBMODULE_DEPTH <= cbor::MAX_DEPTH);

mod claims;
mod lists;
mod registry;
mod submodule;
#[cfg(test)]
mod tests;
mod unknown;
mod values;

pub use claims::*;
pub use lists::*;
pub use registry::*;
pub use submodule::*;
pub use unknown::*;
pub use values::*;

/// A value that can be read from and written to CBOR (an element of a [`List`]).
pub trait Item<'a>: Sized + Copy {
    /// Reads one value; `depth` counts enclosing submodules. The value's types and ranges are
    /// checked, but not what the validator proves for a whole message (no duplicate keys, valid
    /// UTF-8 in unknown claims, nesting): read untrusted bytes through [`Claims::decode`] (or
    /// the verifiers built on it), which validates first. Lists read here are iterated later as
    /// checked input.
    ///
    /// # Errors
    /// Any CBOR type or range error.
    fn decode(d: &mut Decoder<'a>, depth: usize) -> Result<Self>;
    /// Reads one value and checks it like [`Self::decode`], without returning it (lists are
    /// checked when read and decoded again on iteration).
    ///
    /// # Errors
    /// As [`Self::decode`].
    #[cfg_attr(feature = "small-code", inline(never))]
    fn check_next(d: &mut Decoder<'a>, depth: usize) -> Result<()> {
        Self::decode(d, depth).map(drop)
    }
    /// Writes the value.
    fn encode<W: Write>(&self, e: &mut Encoder<W>);
    /// Checks what the type alone cannot (nested claims, lists); called before encoding.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] or a claim error.
    fn check(&self, _depth: usize) -> Result<()> {
        Ok(())
    }
    /// The reader a decoded list of this type stores for its items, when reading them on
    /// iteration must not go through [`Self::decode`] (see [`Self::read_listed`]).
    #[doc(hidden)]
    const SUBMODULE_READER: Option<SubmoduleReader> = None;
    /// Reads the next item of a list read from the wire (so already checked), given the reader
    /// stored with the list. By default [`Self::decode`]; submodule entries use the stored
    /// reader instead, so that code which iterates only lists it built itself (a device
    /// checking its own evidence before signing it) links no claims decoder.
    ///
    /// # Errors
    /// As [`Self::decode`].
    #[doc(hidden)]
    fn read_listed(d: &mut Decoder<'a>, _stored: Option<SubmoduleReader>) -> Result<Self> {
        Self::decode(d, 0)
    }
}

/// Reads a submodule entry (name, submodule) of a list read from the wire: stored with the
/// list by the decoder (see [`Item::read_listed`]). Lifetime-generic, so that lists stay
/// covariant in theirs.
#[doc(hidden)]
pub type SubmoduleReader = for<'x> fn(&mut Decoder<'x>) -> Result<NamedSubmodule<'x>>;
