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

// The module documentation links to error variants.
#[cfg(doc)]
use crate::error::Error;

#[cfg(feature = "cost-counter")]
pub mod cost;
mod decode;
mod encode;
mod float;
mod head;
mod validation;
mod write;

pub use decode::Decoder;
pub use encode::{Encoder, encoded_len};
pub use float::f16_to_f64;
pub use head::EncodedHead;
pub(crate) use validation::{
    shared_key, validate_items_nested, validate_map_entries_nested, validate_nested,
};
pub use validation::{validate, validate_items, validate_map_entries, validate_next};
// Outside this module only the host build of the COSE hashing writer uses it.
#[cfg(not(feature = "small-code"))]
pub(crate) use write::slice_write_head;
pub use write::{Sink, SizeCounter, SliceWriter, Write};

/// Maximum nesting depth of arrays, maps and tags accepted by [`validate`] and [`Decoder::skip`].
///
/// A top-level item is at depth 1; each array, map or tag adds one for its content. EAT claims
/// sets with nested submodules and measurement arrays stay well below this bound.
pub const MAX_DEPTH: usize = 16;

/// Maximum number of entries in one map accepted by [`validate`].
pub const MAX_MAP_ENTRIES: usize = 256;

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
