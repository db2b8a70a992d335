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

// ---------------------------------------------------------------------------------------------
// Item plumbing
// ---------------------------------------------------------------------------------------------

/// A value that can be read from and written to CBOR (an element of a [`List`]).
pub trait Item<'a>: Sized + Copy {
    /// Reads one value; `depth` counts enclosing submodules.
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

/// A non-empty list: caller-supplied items when building, validated encoded bytes when read.
#[derive(Clone, Copy)]
pub enum List<'a, T> {
    /// Items supplied by the caller.
    Items(&'a [T]),
    /// Items read from the wire, still encoded (already validated, decoded on iteration).
    Encoded(EncodedList<'a, T>),
}

/// What the decoder stores with a list it read (see [`EncodedList`]).
struct ListOps {
    /// Checks, before the items are written again, that they are exactly `len` items in core
    /// deterministic encoding, within [`cbor::MAX_DEPTH`] where they will be written: in a
    /// claims set at submodule depth (third argument; see [`claim_value_nesting`]).
    recheck: fn(&[u8], usize, usize) -> Result<()>,
    /// See [`Item::read_listed`].
    submodule: Option<SubmoduleReader>,
    /// For `submods` entries: [`refuse_nested_keys`] (see [`EncodedList::refuse_nested_claims`]).
    refuse: Option<RefuseNested>,
}

/// The type of [`refuse_nested_keys`].
type RefuseNested = fn(&[u8], usize, usize, &[i64]) -> Result<()>;

/// Items of a [`List`] read from the wire and kept encoded. Only the decoder makes one, and it
/// stores with the bytes the functions that check them again before they are written and, for
/// submodules, that read them back: code that only builds claims (a device signing evidence)
/// links neither a validator nor a claims decoder.
pub struct EncodedList<'a, T> {
    bytes: &'a [u8],
    len: usize,
    ops: &'static ListOps,
    item: PhantomData<fn() -> T>,
}

impl<T> Clone for EncodedList<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for EncodedList<'_, T> {}

impl<'a, T> EncodedList<'a, T> {
    /// The encoded items (the content of the array or map, after its head).
    #[must_use]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Number of items.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Never true: a list read from the wire is not empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// For `submods` read from the wire, with the entries' claims sets at submodule depth
    /// `depth`: refuses any claim of `keys` in those claims sets and in every one below them
    /// ([`Error::InvalidClaim`] naming it; a claims set's own claim, the first in `keys` order,
    /// before any below it). It looks at labels only, with a frame of a few words per level,
    /// instead of decoding a `Claims` per level. Other lists hold no claims sets: `Ok`.
    ///
    /// # Errors
    /// [`Error::InvalidClaim`]; [`Error::DepthExceeded`] past [`MAX_SUBMODULE_DEPTH`].
    pub fn refuse_nested_claims(&self, keys: &[i64], depth: usize) -> Result<()> {
        self.ops
            .refuse
            .map_or(Ok(()), |refuse| refuse(self.bytes, self.len, depth, keys))
    }
}

impl<T> fmt::Debug for EncodedList<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncodedList")
            .field("len", &self.len)
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// The recheck of an array's items.
fn recheck_items(bytes: &[u8], len: usize, depth: usize) -> Result<()> {
    cbor::validate_items_nested(bytes, len, Mode::Strict, claim_value_nesting(depth))
}

/// The recheck of a named map's entries (`submods`, `sueids`): it also proves the names
/// distinct and in order.
fn recheck_entries(bytes: &[u8], len: usize, depth: usize) -> Result<()> {
    cbor::validate_map_entries_nested(bytes, len, Mode::Strict, claim_value_nesting(depth))
}

/// The recheck of `submods` entries: [`recheck_entries`], and the submodule depth bound of the
/// decoder where they are written.
fn recheck_submodule_entries(bytes: &[u8], len: usize, depth: usize) -> Result<()> {
    recheck_entries(bytes, len, depth)?;
    let mut d = Decoder::new(bytes);
    for _ in 0..len {
        NamedSubmodule::decode(&mut d, depth)?;
    }
    Ok(())
}

/// The CBOR nesting level of a claim's value in a claims set at submodule depth `depth`: the
/// top-level claims map is at level 1, a submodule's claims map two levels below its parent's
/// (the `submods` map, then the entry).
const fn claim_value_nesting(depth: usize) -> usize {
    depth.saturating_mul(2).saturating_add(2)
}

impl<'a, T: Item<'a>> List<'a, T> {
    /// Number of items.
    #[must_use]
    pub const fn len(&self) -> usize {
        match self {
            Self::Items(items) => items.len(),
            Self::Encoded(l) => l.len,
        }
    }

    /// True when there are no items (never the case for a decoded list).
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Iterates over the items.
    #[must_use]
    pub fn iter(&self) -> ListIter<'a, T> {
        ListIter(match *self {
            Self::Items(items) => ListIterInner::Items(items.iter()),
            Self::Encoded(l) => ListIterInner::Encoded {
                // Bytes the decoder checked when it made the list.
                d: Decoder::checked(l.bytes),
                left: l.len,
                stored: l.ops.submodule,
            },
        })
    }

    fn decode_array(d: &mut Decoder<'a>, depth: usize) -> Result<Self> {
        let len = d.array()?;
        if len == 0 {
            return Err(Error::InvalidArgument);
        }
        let start = d.position();
        for _ in 0..len {
            if d.is_checked() {
                d.skip()?;
            } else {
                T::check_next(d, depth)?;
            }
        }
        let bytes = d.input().get(start..d.position()).ok_or(Error::Truncated)?;
        Ok(Self::Encoded(EncodedList {
            bytes,
            len,
            ops: const {
                &ListOps {
                    recheck: recheck_items,
                    submodule: T::SUBMODULE_READER,
                    refuse: None,
                }
            },
            item: PhantomData,
        }))
    }

    fn encode_array<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(self.len());
        match *self {
            Self::Items(items) => items.iter().for_each(|i| i.encode(e)),
            // Written as held: `check` proved the bytes deterministic.
            Self::Encoded(l) => {
                e.raw(l.bytes);
            }
        }
    }

    /// Before encoding: caller items pass their own checks; encoded items (written as they
    /// are held, like unknown claims) must be exactly `len` core deterministic items, within
    /// the nesting bounds where they are written (a decoded list may be moved into a deeper
    /// submodule than it came from), which the recheck stored with them checks. Their types
    /// were checked when they were read, and are not checked again here.
    #[cfg_attr(feature = "small-code", inline(never))]
    fn check(&self, depth: usize) -> Result<()> {
        if self.is_empty() {
            return Err(Error::InvalidArgument);
        }
        match *self {
            Self::Items(items) => items.iter().try_for_each(|i| i.check(depth)),
            Self::Encoded(l) => (l.ops.recheck)(l.bytes, l.len, depth),
        }
    }
}

impl<'a, T: Item<'a> + PartialEq> PartialEq for List<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T: Item<'a> + fmt::Debug> fmt::Debug for List<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over a [`List`].
pub struct ListIter<'a, T>(ListIterInner<'a, T>);

impl<T> Clone for ListIter<'_, T> {
    fn clone(&self) -> Self {
        Self(match &self.0 {
            ListIterInner::Items(it) => ListIterInner::Items(it.clone()),
            ListIterInner::Encoded { d, left, stored } => ListIterInner::Encoded {
                d: d.clone(),
                left: *left,
                stored: *stored,
            },
        })
    }
}

enum ListIterInner<'a, T> {
    /// Over caller items.
    Items(core::slice::Iter<'a, T>),
    /// Over encoded items.
    Encoded {
        /// Decoder positioned at the next item.
        d: Decoder<'a>,
        /// Items left.
        left: usize,
        /// The reader stored with the list.
        stored: Option<SubmoduleReader>,
    },
}

impl<T> fmt::Debug for ListIter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let left = match &self.0 {
            ListIterInner::Items(it) => it.len(),
            ListIterInner::Encoded { left, .. } => *left,
        };
        f.debug_struct("ListIter").field("left", &left).finish()
    }
}

impl<'a, T: Item<'a>> Iterator for ListIter<'a, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        match &mut self.0 {
            ListIterInner::Items(it) => it.next().copied(),
            ListIterInner::Encoded { d, left, stored } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                // Validated when the list was read, so this succeeds; stop rather than panic if not.
                T::read_listed(d, *stored).ok()
            }
        }
    }
}

macro_rules! bytes_newtype {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub struct $name<'a>(&'a [u8]);

        impl<'a> $name<'a> {
            /// Smallest accepted length in bytes.
            pub const MIN_LEN: usize = $min;
            /// Largest accepted length in bytes.
            pub const MAX_LEN: usize = $max;

            /// Checks the length and wraps the bytes.
            ///
            /// # Errors
            /// [`Error::InvalidArgument`] when the length is out of range.
            pub const fn new(bytes: &'a [u8]) -> Result<Self> {
                if bytes.len() >= $min && bytes.len() <= $max {
                    Ok(Self(bytes))
                } else {
                    Err(Error::InvalidArgument)
                }
            }

            /// The bytes.
            #[must_use]
            pub const fn as_bytes(&self) -> &'a [u8] {
                self.0
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(h'", stringify!($name))?;
                for b in self.0 {
                    write!(f, "{b:02x}")?;
                }
                f.write_str("')")
            }
        }

        impl<'a> Item<'a> for $name<'a> {
            fn decode(d: &mut Decoder<'a>, _depth: usize) -> Result<Self> {
                Self::new(d.bytes()?)
            }
            fn encode<W: Write>(&self, e: &mut Encoder<W>) {
                e.bytes(self.0);
            }
        }
    };
}

bytes_newtype!(
    /// A nonce (claim 10): 8 to 64 bytes. Compare with [`Nonce::ct_eq`], never with `==`, when
    /// the comparison decides freshness.
    Nonce, 8, 64
);
bytes_newtype!(
    /// A universal entity ID (claim 256): 7 to 33 bytes, type byte first.
    Ueid, 7, 33
);
bytes_newtype!(
    /// A hardware model identifier (claim 259): 1 to 32 bytes.
    HwModel, 1, 32
);

impl Nonce<'_> {
    /// Constant-time equality with an expected challenge (length is not secret).
    #[must_use]
    pub fn ct_eq(&self, expected: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        self.0.len() == expected.len() && bool::from(self.0.ct_eq(expected))
    }
}

/// A claim label: an integer or a text string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label<'a> {
    /// Integer label.
    Int(i64),
    /// Text label.
    Text(&'a str),
}

impl<'a> Label<'a> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self> {
        match d.peek_major()? {
            Major::Text => Ok(Self::Text(d.text()?)),
            _ => Ok(Self::Int(d.int()?)),
        }
    }

    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        match *self {
            Self::Int(i) => e.int(i),
            Self::Text(t) => e.text(t),
        };
    }

    /// Order of the deterministic encodings (RFC 8949 §4.2.1).
    fn cmp_encoded(&self, other: &Self) -> Ordering {
        self.order_key().cmp(&other.order_key())
    }

    /// What the encoded order compares: major type, then the head's argument (shortest-form
    /// heads grow with it, so bytewise order is numeric order), then a text's bytes.
    fn order_key(&self) -> (u8, u64, &'a [u8]) {
        match *self {
            Self::Int(i) => match u64::try_from(i) {
                Ok(u) => (0, u, &[]),
                // -1 - i for negative i.
                Err(_) => (1, i.unsigned_abs().wrapping_sub(1), &[]),
            },
            Self::Text(t) => (3, u64::try_from(t.len()).unwrap_or(u64::MAX), t.as_bytes()),
        }
    }

    fn is_known(&self) -> bool {
        match *self {
            Self::Int(k) => Claims::is_known_key(k),
            Self::Text(_) => false,
        }
    }
}

/// One encoded CBOR data item, carried as it is (the value of a claim this crate does not type).
#[derive(Clone, Copy)]
pub struct RawValue<'a> {
    bytes: &'a [u8],
    /// The strict check the value must pass before it is written, at the nesting level it is
    /// written at (a value read from the wire may have been read leniently; any value may be
    /// written deeper than where it was checked). Stored by whoever made the value (both
    /// validate anyway), so that building claims without unknown ones links no validator.
    recheck: ValueCheck,
}

/// The check a [`RawValue`] must pass before it is written (see [`RawValue`]): the value and
/// the submodule depth of the claims set it is written in.
type ValueCheck = fn(&[u8], usize) -> Result<()>;

impl<'a> RawValue<'a> {
    /// Wraps an encoded item after checking it is exactly one valid, deterministic data item.
    /// Written as an unknown claim, it must also fit the CBOR nesting bound where it sits
    /// ([`Claims::check`] refuses it with [`Error::InvalidClaim`] otherwise).
    ///
    /// # Errors
    /// The errors of [`cbor::validate`] in strict mode.
    pub fn new(encoded: &'a [u8]) -> Result<Self> {
        cbor::validate(encoded, Mode::Strict)?;
        Ok(Self {
            bytes: encoded,
            recheck: check_strict,
        })
    }

    /// The encoded item.
    #[must_use]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Before writing in a claims set at submodule depth `depth`: one deterministic item,
    /// within the nesting bound there.
    fn check(&self, depth: usize) -> Result<()> {
        (self.recheck)(self.bytes, depth)
    }
}

impl PartialEq for RawValue<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for RawValue<'_> {}

/// The strict check of an unknown claim's value (see [`RawValue`]).
fn check_strict(bytes: &[u8], depth: usize) -> Result<()> {
    cbor::validate_nested(bytes, Mode::Strict, claim_value_nesting(depth))
}

impl fmt::Debug for RawValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RawValue(")?;
        for b in self.bytes {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

// ---------------------------------------------------------------------------------------------
// Claim value types
// ---------------------------------------------------------------------------------------------

/// The `nonce` claim: one nonce or several.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NonceClaim<'a> {
    /// A single nonce (a byte string on the wire).
    One(Nonce<'a>),
    /// Several nonces (an array).
    Many(List<'a, Nonce<'a>>),
}

impl NonceClaim<'_> {
    /// Constant-time check that `expected` is one of the nonces.
    #[must_use]
    pub fn contains_ct(&self, expected: &[u8]) -> bool {
        match self {
            Self::One(n) => n.ct_eq(expected),
            // Every element is compared; the result does not depend on where a match is.
            Self::Many(l) => l.iter().fold(false, |acc, n| acc | n.ct_eq(expected)),
        }
    }
}

/// The `oemid` claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OemId<'a> {
    /// A 16-byte random OEM ID.
    Random(&'a [u8]),
    /// A 3-byte IEEE OUI.
    Ieee(&'a [u8]),
    /// An IANA private enterprise number.
    Pen(u64),
}

impl<'a> OemId<'a> {
    /// An OEM ID from bytes: 16 random bytes or a 3-byte IEEE OUI.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for any other length.
    pub const fn from_bytes(b: &'a [u8]) -> Result<Self> {
        match b.len() {
            16 => Ok(Self::Random(b)),
            3 => Ok(Self::Ieee(b)),
            _ => Err(Error::InvalidArgument),
        }
    }
}

impl<'a> Item<'a> for OemId<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        match d.peek_major()? {
            Major::Bytes => Self::from_bytes(d.bytes()?),
            _ => Ok(Self::Pen(d.uint()?)),
        }
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        match *self {
            Self::Random(b) | Self::Ieee(b) => e.bytes(b),
            Self::Pen(p) => e.uint(p),
        };
    }
    fn check(&self, _: usize) -> Result<()> {
        match *self {
            Self::Random(b) if b.len() == 16 => Ok(()),
            Self::Ieee(b) if b.len() == 3 => Ok(()),
            Self::Pen(_) => Ok(()),
            _ => Err(Error::InvalidArgument),
        }
    }
}

/// `hwversion` / `swversion`: a version string and an optional version scheme (RFC 9393).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version<'a> {
    /// The version text.
    pub version: &'a str,
    /// The version scheme, if stated.
    pub scheme: Option<i64>,
}

impl<'a> Item<'a> for Version<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        let n = d.array()?;
        if !(1..=2).contains(&n) {
            return Err(Error::InvalidArgument);
        }
        let version = d.text()?;
        let scheme = if n == 2 { Some(d.int()?) } else { None };
        Ok(Self { version, scheme })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(if self.scheme.is_some() { 2 } else { 1 })
            .text(self.version);
        if let Some(s) = self.scheme {
            e.int(s);
        }
    }
}

/// Enumerations of registered claim values, each defined once: its values, the names the CLI,
/// the C API and the docs use, and the conversions, all from one list.
macro_rules! registered_enum {
    (
        $(#[$doc:meta])*
        $name:ident ($claim:literal) { $($(#[$vdoc:meta])* $variant:ident = $value:literal, $text:literal;)* }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant = $value,)*
        }

        impl $name {
            /// Every value, in ascending order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// From the registered value.
            ///
            /// # Errors
            /// [`Error::InvalidArgument`] for a value outside the registered ones.
            pub const fn from_u64(v: u64) -> Result<Self> {
                match v {
                    $($value => Ok(Self::$variant),)*
                    _ => Err(Error::InvalidArgument),
                }
            }

            /// The registered value.
            #[must_use]
            pub const fn value(self) -> u64 {
                self as u64
            }

            /// The name used in policies, claims files, the C API's strings and the docs.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }

            /// From [`Self::name`].
            ///
            /// # Errors
            /// [`Error::InvalidArgument`] for any other text.
            pub fn from_name(name: &str) -> Result<Self> {
                match name {
                    $($text => Ok(Self::$variant),)*
                    _ => Err(Error::InvalidArgument),
                }
            }

            /// The claim key whose values these are.
            pub const CLAIM: i64 = $claim;
        }
    };
}

registered_enum! {
    /// `dbgstat` (claim 263). Ordered: a higher value is a stronger debug lock.
    DebugStatus (263) {
        /// 0: debug is enabled.
        Enabled = 0, "enabled";
        /// 1: debug is disabled.
        Disabled = 1, "disabled";
        /// 2: disabled since boot.
        DisabledSinceBoot = 2, "disabled-since-boot";
        /// 3: disabled permanently.
        DisabledPermanently = 3, "disabled-permanently";
        /// 4: disabled fully and permanently.
        DisabledFullyAndPermanently = 4, "disabled-fully-and-permanently";
    }
}

registered_enum! {
    /// `intuse` (claim 275).
    IntendedUse (275) {
        /// 1: generic.
        Generic = 1, "generic";
        /// 2: registration.
        Registration = 2, "registration";
        /// 3: provisioning.
        Provisioning = 3, "provisioning";
        /// 4: certificate issuance.
        CertificateIssuance = 4, "certificate-issuance";
        /// 5: proof of possession.
        ProofOfPossession = 5, "proof-of-possession";
    }
}

registered_enum! {
    /// The device security promise (`ecnpp-promise`, ECN PP profile). Ordered: a higher promise
    /// includes the lower. What each requires of evidence is a rule of [`crate::ecnpp`].
    Promise (-90101) {
        /// 1: the device claims of the profile; no isolated key store is claimed.
        Standard = 1, "standard";
        /// 2: the attestation key lives in a secure element or TPM (submodule `"se"`).
        SecureElement = 2, "secure-element";
        /// 3: keys and security-sensitive code run in a TEE (submodule `"tee"` with measurements).
        SecureEnclave = 3, "secure-enclave";
    }
}

registered_enum! {
    /// The device lifecycle state (`ecnpp-lifecycle`, ECN PP profile).
    Lifecycle (-90104) {
        /// 1: being provisioned.
        Provisioning = 1, "provisioning";
        /// 2: in operation (the only state in which workloads are expected).
        Operational = 2, "operational";
        /// 3: in maintenance or debug.
        Maintenance = 3, "maintenance";
        /// 4: decommissioned.
        Decommissioned = 4, "decommissioned";
    }
}

/// A robustness claim (`ecnpp-robustness` entry): a certification scheme and the level reached,
/// e.g. `("FIPS140-3", "3")`. Asserted by a verifier, inside a submodule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Robustness<'a> {
    /// The scheme, e.g. `"FIPS140-3"`, `"PSA"`, `"SESIP"`.
    pub scheme: &'a str,
    /// The level, e.g. `"3"`.
    pub level: &'a str,
}

/// `eat_profile` (claim 265): a URI or an OID (the OID's BER content bytes, untagged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile<'a> {
    /// A URI.
    Uri(&'a str),
    /// An OID, as its encoded content bytes.
    Oid(&'a [u8]),
}

impl<'a> Item<'a> for Profile<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        match d.peek_major()? {
            Major::Text => Ok(Self::Uri(d.text()?)),
            _ => Ok(Self::Oid(d.bytes()?)),
        }
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        match *self {
            Self::Uri(u) => e.text(u),
            Self::Oid(o) => e.bytes(o),
        };
    }
}

/// `location` (claim 264). Numbers are read from integers or floats.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Location {
    /// Latitude (key 1), degrees.
    pub latitude: f64,
    /// Longitude (key 2), degrees.
    pub longitude: f64,
    /// Altitude (key 3), metres.
    pub altitude: Option<f64>,
    /// Accuracy (key 4), metres.
    pub accuracy: Option<f64>,
    /// Altitude accuracy (key 5), metres.
    pub altitude_accuracy: Option<f64>,
    /// Heading (key 6), degrees.
    pub heading: Option<f64>,
    /// Speed (key 7), metres per second.
    pub speed: Option<f64>,
    /// Timestamp (key 8), epoch seconds.
    pub timestamp: Option<i64>,
    /// Age (key 9), seconds.
    pub age: Option<u64>,
}

fn number(d: &mut Decoder<'_>) -> Result<f64> {
    match d.peek_major()? {
        Major::Simple => d.float(),
        _ => {
            let i = d.int()?;
            // Integers beyond 2^53 are not exact in f64; locations never need them.
            let small = i32::try_from(i).map_err(|_| Error::IntegerOutOfRange)?;
            Ok(f64::from(small))
        }
    }
}

impl<'a> Item<'a> for Location {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        let n = d.map_checked()?;
        let mut loc = Self::default();
        let (mut lat, mut lon) = (false, false);
        let mut prev = None;
        for _ in 0..n {
            let key_start = d.position();
            let k = d.int()?;
            d.next_key((key_start, d.position()), &mut prev)?;
            match k {
                1 => (loc.latitude, lat) = (number(d)?, true),
                2 => (loc.longitude, lon) = (number(d)?, true),
                3 => loc.altitude = Some(number(d)?),
                4 => loc.accuracy = Some(number(d)?),
                5 => loc.altitude_accuracy = Some(number(d)?),
                6 => loc.heading = Some(number(d)?),
                7 => loc.speed = Some(number(d)?),
                8 => loc.timestamp = Some(d.int()?),
                9 => loc.age = Some(d.uint()?),
                _ => return Err(Error::InvalidArgument),
            }
        }
        if lat && lon {
            Ok(loc)
        } else {
            Err(Error::InvalidArgument)
        }
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        let optional = [
            self.altitude,
            self.accuracy,
            self.altitude_accuracy,
            self.heading,
            self.speed,
        ];
        let n = 2
            + optional.iter().filter(|v| v.is_some()).count()
            + usize::from(self.timestamp.is_some())
            + usize::from(self.age.is_some());
        e.map(n)
            .uint(1)
            .float(self.latitude)
            .uint(2)
            .float(self.longitude);
        // Keys 3 to 7, in order.
        for (k, v) in (3..).zip(optional) {
            if let Some(v) = v {
                e.uint(k).float(v);
            }
        }
        if let Some(t) = self.timestamp {
            e.uint(8).int(t);
        }
        if let Some(a) = self.age {
            e.uint(9).uint(a);
        }
    }
}

/// A `dloas` entry: a digital letter of approval (registrar, platform label, optional
/// application label). Issued by a verifier, never self-asserted by a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dloa<'a> {
    /// The registrar's URI.
    pub registrar: &'a str,
    /// The platform label (e.g. a certificate reference).
    pub platform: &'a str,
    /// The application label, if any.
    pub application: Option<&'a str>,
}

impl<'a> Item<'a> for Dloa<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        let n = d.array()?;
        if !(2..=3).contains(&n) {
            return Err(Error::InvalidArgument);
        }
        let registrar = d.text()?;
        let platform = d.text()?;
        let application = if n == 3 { Some(d.text()?) } else { None };
        Ok(Self {
            registrar,
            platform,
            application,
        })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(if self.application.is_some() { 3 } else { 2 });
        e.text(self.registrar).text(self.platform);
        if let Some(a) = self.application {
            e.text(a);
        }
    }
}

/// A `measurements` or `manifests` entry: a CoAP content format and the content bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Measurement<'a> {
    /// CoAP content format of `content` (e.g. 258 for a CoSWID).
    pub content_type: u16,
    /// The content (a digest, a CoSWID, ...). Compare with [`Measurement::ct_eq`].
    pub content: &'a [u8],
}

impl Measurement<'_> {
    /// Constant-time equality with a reference value (lengths and content types are public).
    #[must_use]
    pub fn ct_eq(&self, reference: &Measurement<'_>) -> bool {
        use subtle::ConstantTimeEq;
        self.content_type == reference.content_type
            && self.content.len() == reference.content.len()
            && bool::from(self.content.ct_eq(reference.content))
    }
}

impl fmt::Debug for Measurement<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Measurement({}, h'", self.content_type)?;
        for b in self.content {
            write!(f, "{b:02x}")?;
        }
        f.write_str("')")
    }
}

impl<'a> Item<'a> for Measurement<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        if d.array()? != 2 {
            return Err(Error::InvalidArgument);
        }
        let content_type = u16::try_from(d.uint()?).map_err(|_| Error::IntegerOutOfRange)?;
        Ok(Self {
            content_type,
            content: d.bytes()?,
        })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(2)
            .uint(u64::from(self.content_type))
            .bytes(self.content);
    }
}

registered_enum! {
    /// The result of comparing one measurement (RFC 9711 §4.2.17, in `measres`, claim 274).
    ResultCode (274) {
        /// 1: the comparison succeeded.
        Success = 1, "success";
        /// 2: the comparison failed.
        Fail = 2, "fail";
        /// 3: the comparison was not run.
        NotRun = 3, "not-run";
        /// 4: the measurement was absent.
        Absent = 4, "absent";
    }
}

/// The identifier of an individual measurement result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultId<'a> {
    /// A text identifier.
    Text(&'a str),
    /// A binary identifier (this crate uses the measured value itself).
    Bytes(&'a [u8]),
}

/// One individual measurement result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeasResult<'a> {
    /// What was measured.
    pub id: ResultId<'a>,
    /// The outcome.
    pub result: ResultCode,
}

impl<'a> Item<'a> for MeasResult<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        if d.array()? != 2 {
            return Err(Error::InvalidArgument);
        }
        let id = match d.peek_major()? {
            Major::Text => ResultId::Text(d.text()?),
            _ => ResultId::Bytes(d.bytes()?),
        };
        let result = match d.uint()? {
            1 => ResultCode::Success,
            2 => ResultCode::Fail,
            3 => ResultCode::NotRun,
            4 => ResultCode::Absent,
            _ => return Err(Error::InvalidArgument),
        };
        Ok(Self { id, result })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(2);
        match self.id {
            ResultId::Text(t) => e.text(t),
            ResultId::Bytes(b) => e.bytes(b),
        };
        e.uint(self.result as u64);
    }
}

/// A `measres` group: the results of one measurement system.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeasResGroup<'a> {
    /// The measurement system.
    pub system: &'a str,
    /// Its results (non-empty).
    pub results: List<'a, MeasResult<'a>>,
}

impl<'a> Item<'a> for MeasResGroup<'a> {
    fn decode(d: &mut Decoder<'a>, depth: usize) -> Result<Self> {
        if d.array()? != 2 {
            return Err(Error::InvalidArgument);
        }
        let system = d.text()?;
        Ok(Self {
            system,
            results: List::decode_array(d, depth)?,
        })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(2).text(self.system);
        self.results.encode_array(e);
    }
    fn check(&self, depth: usize) -> Result<()> {
        self.results.check(depth)
    }
}

impl<'a> Item<'a> for Robustness<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        if d.array()? != 2 {
            return Err(Error::InvalidArgument);
        }
        Ok(Self {
            scheme: d.text()?,
            level: d.text()?,
        })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.array(2).text(self.scheme).text(self.level);
    }
}

/// A named entry of `sueids`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamedUeid<'a> {
    /// The name.
    pub name: &'a str,
    /// The UEID.
    pub ueid: Ueid<'a>,
}

/// A submodule (RFC 9711 §4.2.18).
// The claims set is held inline on purpose: there is no heap to box it in.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Submodule<'a> {
    /// A claims set of its own.
    Claims(Claims<'a>),
    /// A nested, separately signed token (a byte string holding a tag-18 or tag-61 message).
    /// Its signature is not checked by the enclosing token's verification.
    Token(NestedToken<'a>),
    /// A detached submodule digest: hash algorithm and digest.
    Digest {
        /// COSE hash algorithm (integer or text).
        alg: Label<'a>,
        /// The digest.
        digest: &'a [u8],
    },
}

/// A named submodule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NamedSubmodule<'a> {
    /// The submodule's name, e.g. `"se"` or `"tee"`.
    pub name: &'a str,
    /// The submodule.
    pub submodule: Submodule<'a>,
}

/// The bytes of a nested token ([`Submodule::Token`]): one valid CBOR item, tagged as a
/// COSE_Sign1 message (tag 18) or a CWT (tag 61) wrapping one. Checked at construction,
/// whether the bytes come from a builder or from the wire; the signature inside is not checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NestedToken<'a>(&'a [u8]);

impl<'a> NestedToken<'a> {
    /// Checks and wraps the encoded token.
    ///
    /// # Errors
    /// The errors of [`cbor::validate`] (lenient mode); [`Error::UnexpectedTag`] when the item
    /// is not tagged 18, or 61 then 18.
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        check_nested_token(bytes)?;
        Ok(Self(bytes))
    }

    /// The encoded token.
    #[must_use]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

fn check_nested_token(bytes: &[u8]) -> Result<()> {
    cbor::validate(bytes, Mode::Lenient)?;
    let mut d = Decoder::new(bytes);
    match d.tag()? {
        crate::cose::TAG_SIGN1 => Ok(()),
        crate::cose::TAG_CWT => match d.tag()? {
            crate::cose::TAG_SIGN1 => Ok(()),
            _ => Err(Error::UnexpectedTag),
        },
        _ => Err(Error::UnexpectedTag),
    }
}

impl<'a> Submodule<'a> {
    fn decode_at(d: &mut Decoder<'a>, depth: usize) -> Result<Self> {
        match d.peek_major()? {
            Major::Map => Ok(Self::Claims(Claims::decode_map_at(
                d,
                depth.saturating_add(1),
            )?)),
            Major::Bytes => Ok(Self::Token(NestedToken::new(d.bytes()?)?)),
            Major::Array => {
                if d.array()? != 2 {
                    return Err(Error::InvalidArgument);
                }
                let alg = Label::decode(d)?;
                Ok(Self::Digest {
                    alg,
                    digest: d.bytes()?,
                })
            }
            _ => Err(Error::UnexpectedType),
        }
    }

    #[cfg_attr(feature = "small-code", inline(never))]
    fn encode_to<W: Write>(&self, e: &mut Encoder<W>) {
        match self {
            Self::Claims(c) => c.encode_map(e),
            Self::Token(t) => {
                e.bytes(t.as_bytes());
            }
            Self::Digest { alg, digest } => {
                e.array(2);
                alg.encode(e);
                e.bytes(digest);
            }
        }
    }
}

impl<'a> Item<'a> for NamedSubmodule<'a> {
    // Entries of the `submods` map: decoded pairwise (name, submodule).
    fn decode(d: &mut Decoder<'a>, depth: usize) -> Result<Self> {
        let name = d.text()?;
        Ok(Self {
            name,
            submodule: Submodule::decode_at(d, depth)?,
        })
    }
    #[cfg_attr(feature = "small-code", inline(never))]
    fn check_next(d: &mut Decoder<'a>, depth: usize) -> Result<()> {
        d.text()?;
        if d.peek_major()? == Major::Map {
            // Read into a local: the same checks as `decode`, without moving the result.
            Claims::default().read_map_at(d, depth.saturating_add(1))
        } else {
            Submodule::decode_at(d, depth).map(drop)
        }
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.text(self.name);
        self.submodule.encode_to(e);
    }
    const SUBMODULE_READER: Option<SubmoduleReader> = Some(read_submodule_entry);
    fn read_listed(d: &mut Decoder<'a>, stored: Option<SubmoduleReader>) -> Result<Self> {
        stored.map_or(Err(Error::InvalidArgument), |read| read(d))
    }
    fn check(&self, depth: usize) -> Result<()> {
        match self.submodule {
            Submodule::Claims(c) => c.check_at(depth.saturating_add(1)),
            Submodule::Token(_) => Ok(()),
            Submodule::Digest { .. } => Ok(()),
        }
    }
}

/// The [`SubmoduleReader`] of decoded `submods` lists.
fn read_submodule_entry<'x>(d: &mut Decoder<'x>) -> Result<NamedSubmodule<'x>> {
    NamedSubmodule::decode(d, 0)
}

impl<'a> Item<'a> for NamedUeid<'a> {
    fn decode(d: &mut Decoder<'a>, _: usize) -> Result<Self> {
        let name = d.text()?;
        Ok(Self {
            name,
            ueid: Ueid::new(d.bytes()?)?,
        })
    }
    fn encode<W: Write>(&self, e: &mut Encoder<W>) {
        e.text(self.name).bytes(self.ueid.as_bytes());
    }
}

/// A map whose entries are items keyed by name (`submods`, `sueids`), as a [`List`] of entries.
type NamedMap<'a, T> = List<'a, T>;

fn decode_named_map<'a, T: Item<'a>>(d: &mut Decoder<'a>, depth: usize) -> Result<NamedMap<'a, T>> {
    let len = d.map_checked()?;
    if len == 0 {
        return Err(Error::InvalidArgument);
    }
    let start = d.position();
    let mut prev = None;
    for _ in 0..len {
        if d.is_checked() {
            // Read again from a checked list: name and entry were checked the first time.
            d.skip()?;
            d.skip()?;
            continue;
        }
        // The entry's name is its key: a text string (RFC 9711 §4.2.18).
        let key_start = d.position();
        if d.peek_major()? != Major::Text {
            return Err(Error::InvalidMapKey);
        }
        let mut name = d.clone();
        name.text()?;
        d.next_key((key_start, name.position()), &mut prev)?;
        T::check_next(d, depth)?;
    }
    let bytes = d.input().get(start..d.position()).ok_or(Error::Truncated)?;
    Ok(List::Encoded(EncodedList {
        bytes,
        len,
        ops: const {
            &ListOps {
                recheck: if T::SUBMODULE_READER.is_some() {
                    recheck_submodule_entries as fn(&[u8], usize, usize) -> Result<()>
                } else {
                    recheck_entries
                },
                submodule: T::SUBMODULE_READER,
                refuse: if T::SUBMODULE_READER.is_some() {
                    Some(refuse_nested_keys as RefuseNested)
                } else {
                    None
                },
            }
        },
        item: PhantomData,
    }))
}

/// [`EncodedList::refuse_nested_claims`] of validated `submods` entries.
fn refuse_nested_keys(bytes: &[u8], entries: usize, depth: usize, keys: &[i64]) -> Result<()> {
    refuse_keys_at(&mut Decoder::checked(bytes), entries, depth, keys)
}

/// [`refuse_nested_keys`] over `entries` entries at `d` (a name, then a claims map, a nested
/// token or a digest).
fn refuse_keys_at(d: &mut Decoder<'_>, entries: usize, depth: usize, keys: &[i64]) -> Result<()> {
    if depth > MAX_SUBMODULE_DEPTH {
        return Err(Error::DepthExceeded);
    }
    for _ in 0..entries {
        d.text()?;
        if d.peek_major()? != Major::Map {
            d.skip()?;
            continue;
        }
        let mut found: Option<usize> = None;
        let mut below: Option<(usize, usize)> = None;
        for _ in 0..d.map()? {
            let label = match d.peek_major()? {
                Major::Unsigned | Major::Negative => Some(d.int_wide()?),
                _ => {
                    d.skip()?;
                    None
                }
            };
            if let Some(i) = label.and_then(|k| keys.iter().position(|v| i128::from(*v) == k)) {
                found = Some(found.map_or(i, |f| f.min(i)));
            }
            if label == Some(i128::from(key::SUBMODS)) && d.peek_major()? == Major::Map {
                let n = d.map()?;
                below = Some((d.position(), n));
                for _ in 0..n {
                    d.skip()?;
                    d.skip()?;
                }
            } else {
                d.skip()?;
            }
        }
        if let Some(k) = found.and_then(|i| keys.get(i)) {
            return Err(Error::InvalidClaim { key: *k });
        }
        if let Some((at, n)) = below {
            let rest = d.input().get(at..).ok_or(Error::Truncated)?;
            refuse_keys_at(
                &mut Decoder::checked(rest),
                n,
                depth.saturating_add(1),
                keys,
            )?;
        }
    }
    Ok(())
}

/// Writes named entries in the order of their encoded names (deterministic maps), without
/// sorting in place: repeatedly picks the smallest name above the last one written.
fn encode_named_map<'a, T: Item<'a>, W: Write>(
    list: &NamedMap<'a, T>,
    name: impl Fn(&T) -> &'a str,
    e: &mut Encoder<W>,
) {
    e.map(list.len());
    let items = match *list {
        List::Items(items) => items,
        // Written as held: `check_named_map` proved the entries deterministic (so sorted).
        List::Encoded(l) => {
            e.raw(l.bytes);
            return;
        }
    };
    let mut last: Option<&str> = None;
    for _ in 0..items.len() {
        let next = items
            .iter()
            .filter(|x| last.is_none_or(|l| cmp_text_encoded(name(x), l) == Ordering::Greater))
            .min_by(|a, b| cmp_text_encoded(name(a), name(b)));
        if let Some(x) = next {
            x.encode(e);
            last = Some(name(x));
        }
    }
}

/// Order of two text strings' deterministic encodings (the order of text labels: shorter
/// first, then bytewise).
#[cfg_attr(feature = "small-code", inline(never))]
fn cmp_text_encoded(a: &str, b: &str) -> Ordering {
    Label::Text(a).cmp_encoded(&Label::Text(b))
}

/// Checks a named map before encoding: caller entries pass their own checks and have distinct
/// names ([`Error::DuplicateKey`]); encoded entries must be a core deterministic map content
/// (which implies distinct names, in order).
fn check_named_map<'a, T: Item<'a>>(
    list: &NamedMap<'a, T>,
    name: impl Fn(&T) -> &'a str,
    depth: usize,
) -> Result<()> {
    list.check(depth)?;
    if let List::Items(items) = *list
        && has_repeated_name(items.len(), &|i| items.get(i).map(&name))
    {
        return Err(Error::DuplicateKey);
    }
    Ok(())
}

/// Whether two of the `count` names `name_at(0..count)` are equal (one copy for every kind of
/// named map).
fn has_repeated_name<'n>(count: usize, name_at: &dyn Fn(usize) -> Option<&'n str>) -> bool {
    (0..count).any(|i| (i.saturating_add(1)..count).any(|j| name_at(i) == name_at(j)))
}

/// Claims this crate does not type, kept as (label, encoded value).
#[derive(Clone, Copy)]
pub enum Extra<'a> {
    /// Supplied by the caller.
    Items(&'a [(Label<'a>, RawValue<'a>)]),
    /// The entries of a decoded claims map (known keys are skipped when iterating).
    Encoded(EncodedExtra<'a>),
}

/// The entries of a decoded claims map, as [`Extra`] holds them. Only the decoder makes one,
/// and it stores with the bytes the function that reads an entry back (see [`EncodedList`]).
#[derive(Clone, Copy)]
pub struct EncodedExtra<'a> {
    bytes: &'a [u8],
    entries: usize,
    reader: ExtraReader,
}

/// Reads the entry of a claims map at a position (and moves past it).
type ExtraReader = for<'x> fn(&'x [u8], &mut usize) -> Option<(Label<'x>, RawValue<'x>)>;

impl<'a> EncodedExtra<'a> {
    /// The map content after its head (typed claims included).
    #[must_use]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Number of entries in the whole map (typed claims included).
    #[must_use]
    pub const fn entries(&self) -> usize {
        self.entries
    }
}

impl fmt::Debug for EncodedExtra<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncodedExtra")
            .field("entries", &self.entries)
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// Reads the entry at `*pos` of a decoded claims map (validated when it was read).
fn read_extra_entry<'a>(map: &'a [u8], pos: &mut usize) -> Option<(Label<'a>, RawValue<'a>)> {
    let mut d = Decoder::new(map.get(*pos..)?);
    let label = Label::decode(&mut d).ok()?;
    let bytes = d.raw_item().ok()?;
    *pos = pos.checked_add(d.position())?;
    Some((
        label,
        RawValue {
            bytes,
            recheck: check_strict,
        },
    ))
}

impl Default for Extra<'_> {
    fn default() -> Self {
        Self::Items(&[])
    }
}

impl<'a> Extra<'a> {
    /// Iterates over the claims whose keys have no field in [`Claims`].
    #[must_use]
    #[cfg_attr(feature = "small-code", inline(never))]
    pub fn iter(&self) -> ExtraIter<'a> {
        match *self {
            Self::Items(items) => ExtraIter(ExtraIterInner::Items(items.iter())),
            Self::Encoded(x) => ExtraIter(ExtraIterInner::Encoded {
                map: x.bytes,
                pos: 0,
                left: x.entries,
                reader: x.reader,
            }),
        }
    }

    /// Number of such claims.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Items(items) => items.len(),
            Self::Encoded(_) => self.iter().count(),
        }
    }

    /// True when there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Items(items) => items.is_empty(),
            Self::Encoded(_) => self.iter().next().is_none(),
        }
    }
}

impl PartialEq for Extra<'_> {
    fn eq(&self, other: &Self) -> bool {
        // Compared in encoded-key order: the order the encoder writes them in.
        self.iter_sorted().eq(other.iter_sorted())
    }
}

impl<'a> Extra<'a> {
    /// The entries in encoded-key order.
    fn iter_sorted(&self) -> impl Iterator<Item = (Label<'a>, RawValue<'a>)> + '_ {
        let mut last: Option<Label<'a>> = None;
        core::iter::from_fn(move || {
            let next = self.next_after(last.as_ref(), None);
            last = next.map(|(k, _)| k);
            next
        })
    }

    /// The entry with the smallest key above `last` (any key without it) and below `bound` (no
    /// limit without it), in encoded-key order; the first of equal keys.
    fn next_after(
        &self,
        last: Option<&Label<'a>>,
        bound: Option<&Label<'a>>,
    ) -> Option<(Label<'a>, RawValue<'a>)> {
        let mut next: Option<(Label<'a>, RawValue<'a>)> = None;
        for (l, v) in self.iter() {
            let after_last = last.is_none_or(|p| l.cmp_encoded(p) == Ordering::Greater);
            let before_bound = bound.is_none_or(|b| l.cmp_encoded(b) == Ordering::Less);
            let smallest = next
                .as_ref()
                .is_none_or(|(n, _)| l.cmp_encoded(n) == Ordering::Less);
            if after_last && before_bound && smallest {
                next = Some((l, v));
            }
        }
        next
    }
}

/// Unknown claims merged between the typed ones, in encoded-key order: the next one written is
/// the smallest key above the last one written (a selection, without sorting in place; keys are
/// distinct, `Claims::check` saw to that).
struct ExtraMerge<'e, 'a> {
    extra: &'e Extra<'a>,
    last: Option<Label<'a>>,
}

/// What the claims writer calls before each typed claim.
trait MergeExtras {
    /// Writes the unknown claims whose keys sort before the typed key `k`.
    fn write_before(&mut self, k: i64, e: &mut Encoder<cbor::Sink<'_>>);
}

/// No unknown claims to merge.
#[cfg(not(feature = "small-code"))]
struct NoExtras;

#[cfg(not(feature = "small-code"))]
impl MergeExtras for NoExtras {
    #[inline(always)]
    fn write_before(&mut self, _: i64, _: &mut Encoder<cbor::Sink<'_>>) {}
}

impl MergeExtras for ExtraMerge<'_, '_> {
    fn write_before(&mut self, k: i64, e: &mut Encoder<cbor::Sink<'_>>) {
        self.write_until(Some(&Label::Int(k)), e);
    }
}

impl<'e, 'a> ExtraMerge<'e, 'a> {
    const fn new(extra: &'e Extra<'a>) -> Self {
        Self { extra, last: None }
    }

    /// Writes, in order, the unknown claims not written yet whose keys sort before `bound`
    /// (all of them without a bound).
    fn write_until(&mut self, bound: Option<&Label<'a>>, e: &mut Encoder<cbor::Sink<'_>>) {
        while let Some((label, value)) = self.extra.next_after(self.last.as_ref(), bound) {
            label.encode(e);
            e.raw(value.as_bytes());
            self.last = Some(label);
        }
    }

    /// Writes the unknown claims left (keys after every typed one).
    fn write_rest(mut self, e: &mut Encoder<cbor::Sink<'_>>) {
        self.write_until(None, e);
    }
}

impl fmt::Debug for Extra<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over [`Extra`].
pub struct ExtraIter<'a>(ExtraIterInner<'a>);

enum ExtraIterInner<'a> {
    /// Over caller items.
    Items(core::slice::Iter<'a, (Label<'a>, RawValue<'a>)>),
    /// Over a decoded map.
    Encoded {
        /// The map content.
        map: &'a [u8],
        /// Where the next entry starts.
        pos: usize,
        /// Entries left.
        left: usize,
        /// The map's entry reader.
        reader: ExtraReader,
    },
}

impl fmt::Debug for ExtraIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtraIter").finish_non_exhaustive()
    }
}

impl<'a> Iterator for ExtraIter<'a> {
    type Item = (Label<'a>, RawValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            ExtraIterInner::Items(it) => it.next().copied(),
            ExtraIterInner::Encoded {
                map,
                pos,
                left,
                reader,
            } => loop {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                let (label, value) = reader(map, pos)?;
                if !label.is_known() {
                    return Some((label, value));
                }
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------------------------

/// An EAT / CWT claims set, including the ECN PP profile claims. Every field is optional here;
/// which ones a token must carry is the profile's business ([`crate::ecnpp`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Claims<'a> {
    /// `iss` (1).
    pub iss: Option<&'a str>,
    /// `sub` (2).
    pub sub: Option<&'a str>,
    /// `aud` (3).
    pub aud: Option<&'a str>,
    /// `exp` (4), epoch seconds.
    pub exp: Option<i64>,
    /// `nbf` (5), epoch seconds.
    pub nbf: Option<i64>,
    /// `iat` (6), epoch seconds.
    pub iat: Option<i64>,
    /// `cti` (7).
    pub cti: Option<&'a [u8]>,
    /// `nonce` (10).
    pub nonce: Option<NonceClaim<'a>>,
    /// `ueid` (256).
    pub ueid: Option<Ueid<'a>>,
    /// `sueids` (257).
    pub sueids: Option<List<'a, NamedUeid<'a>>>,
    /// `oemid` (258).
    pub oemid: Option<OemId<'a>>,
    /// `hwmodel` (259).
    pub hwmodel: Option<HwModel<'a>>,
    /// `hwversion` (260).
    pub hwversion: Option<Version<'a>>,
    /// `uptime` (261), seconds.
    pub uptime: Option<u64>,
    /// `oemboot` (262).
    pub oemboot: Option<bool>,
    /// `dbgstat` (263).
    pub dbgstat: Option<DebugStatus>,
    /// `location` (264).
    pub location: Option<Location>,
    /// `eat_profile` (265).
    pub eat_profile: Option<Profile<'a>>,
    /// `submods` (266).
    pub submods: Option<List<'a, NamedSubmodule<'a>>>,
    /// `bootcount` (267).
    pub bootcount: Option<u64>,
    /// `bootseed` (268).
    pub bootseed: Option<&'a [u8]>,
    /// `dloas` (269).
    pub dloas: Option<List<'a, Dloa<'a>>>,
    /// `swname` (270).
    pub swname: Option<&'a str>,
    /// `swversion` (271).
    pub swversion: Option<Version<'a>>,
    /// `manifests` (272).
    pub manifests: Option<List<'a, Measurement<'a>>>,
    /// `measurements` (273).
    pub measurements: Option<List<'a, Measurement<'a>>>,
    /// `measres` (274).
    pub measres: Option<List<'a, MeasResGroup<'a>>>,
    /// `intuse` (275).
    pub intuse: Option<IntendedUse>,
    /// `ecnpp-promise` (−90101).
    pub promise: Option<Promise>,
    /// `ecnpp-pp-ref` (−90102).
    pub pp_ref: Option<&'a str>,
    /// `ecnpp-evaluated-config` (−90103).
    pub evaluated_config: Option<bool>,
    /// `ecnpp-lifecycle` (−90104).
    pub lifecycle: Option<Lifecycle>,
    /// `ecnpp-svn` (−90105).
    pub svn: Option<u64>,
    /// `ecnpp-robustness` (−90106).
    pub robustness: Option<List<'a, Robustness<'a>>>,
    /// Claims without a field here, preserved and iterable.
    pub extra: Extra<'a>,
}

/// Options of [`Claims::decode_with`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Reject claims maps that are not core deterministic.
    pub deterministic: bool,
}

impl DecodeOptions {
    const fn mode(self) -> Mode {
        if self.deterministic {
            Mode::Strict
        } else {
            Mode::Lenient
        }
    }
}

impl<'a> Claims<'a> {
    /// Reads a claims map (lenient CBOR: valid, duplicate-free, not necessarily deterministic).
    ///
    /// # Errors
    /// CBOR errors of [`cbor::validate`]; [`Error::InvalidPayload`] when not a map;
    /// [`Error::InvalidClaim`] with the key of the first claim of the wrong type or range.
    pub fn decode(input: &'a [u8]) -> Result<Self> {
        Self::decode_with(input, DecodeOptions::default())
    }

    /// Reads a claims map with options.
    ///
    /// # Errors
    /// As [`Self::decode`], and [`Error::NonDeterministic`] when required.
    pub fn decode_with(input: &'a [u8], options: DecodeOptions) -> Result<Self> {
        let mode = options.mode();
        // One pass first: the typed read checks everything validation would (see
        // `Decoder::one_pass`). It succeeds for every valid claims map whose maps have their
        // keys in ascending encoded order, which is every map a deterministic encoder writes.
        // On any failure the two-pass read decides: validate, then read; its verdict and its
        // error are the reference (`decode_two_pass`). Bare-metal targets take it directly
        // (less code; the one-pass read is a host speed-up).
        #[cfg(not(feature = "small-code"))]
        {
            let mut d = Decoder::one_pass(input, mode);
            if let Ok(c) = Self::decode_map_at(&mut d, 0)
                && d.is_at_end()
            {
                return Ok(c);
            }
        }
        Self::decode_two_pass(input, mode)
    }

    /// The reference read: [`cbor::validate`] over the whole input, then the typed read.
    fn decode_two_pass(input: &'a [u8], mode: Mode) -> Result<Self> {
        cbor::validate(input, mode)?;
        let mut d = Decoder::new(input);
        Self::decode_map_at(&mut d, 0)
    }

    /// [`Self::decode_with`] without its one-pass read: for tests and the fuzz harness, which
    /// check that both give the same result on every input.
    ///
    /// # Errors
    /// As [`Self::decode_with`].
    #[doc(hidden)]
    pub fn decode_reference(input: &'a [u8], options: DecodeOptions) -> Result<Self> {
        Self::decode_two_pass(input, options.mode())
    }

    /// Typed read of the claims map at the decoder's position: of validated input, or in
    /// one-pass mode of unvalidated input, where the readers check as they go
    /// ([`Decoder`]'s one-pass mode).
    fn decode_map_at(d: &mut Decoder<'a>, depth: usize) -> Result<Self> {
        let mut c = Self::default();
        c.read_map_at(d, depth)?;
        Ok(c)
    }

    /// [`Self::decode_map_at`] into `self` (all fields unset), so that a caller that only
    /// checks a nested claims set does not move a whole `Claims` around.
    fn read_map_at(&mut self, d: &mut Decoder<'a>, depth: usize) -> Result<()> {
        if depth > MAX_SUBMODULE_DEPTH {
            return Err(Error::DepthExceeded);
        }
        let entries = d.map_checked().map_err(|e| match e {
            Error::TooManyEntries => e,
            _ => Error::InvalidPayload,
        })?;
        let start = d.position();
        let c = self;
        let mut prev = None;
        for _ in 0..entries {
            let key_start = d.position();
            // RFC 9711 §4 (CWT claims, RFC 8392 §3): a claim key is `int / tstr`.
            if !matches!(
                d.peek_major()?,
                Major::Unsigned | Major::Negative | Major::Text
            ) {
                return Err(Error::InvalidMapKey);
            }
            let label = Label::decode(d)?;
            d.next_key((key_start, d.position()), &mut prev)?;
            match label {
                Label::Int(k) if Label::Int(k).is_known() => {
                    // Errors from a nested claims set (a submodule) keep their own key.
                    c.decode_claim(k, d, depth).map_err(|e| match e {
                        Error::DepthExceeded
                        | Error::DuplicateKey
                        | Error::InvalidMapKey
                        | Error::InvalidClaim { .. } => e,
                        _ => Error::InvalidClaim { key: k },
                    })?;
                }
                // A claims map at submodule level `depth` is at CBOR nesting 1 + 2 * depth.
                _ => d.skip_unread(depth.saturating_mul(2).saturating_add(2))?,
            }
        }
        let bytes = d.input().get(start..d.position()).ok_or(Error::Truncated)?;
        c.extra = Extra::Encoded(EncodedExtra {
            bytes,
            entries,
            reader: read_extra_entry,
        });
        Ok(())
    }

    /// Checks what types alone cannot: non-empty lists, unique names, extra claims that neither
    /// repeat nor shadow a typed field, nesting depth. [`Self::encode`] calls it.
    ///
    /// # Errors
    /// [`Error::InvalidClaim`] with the offending key, [`Error::DuplicateKey`],
    /// [`Error::DepthExceeded`].
    pub fn check(&self) -> Result<()> {
        self.check_at(0)
    }

    fn check_at(&self, depth: usize) -> Result<()> {
        self.check_with(depth, Self::check_typed)
    }

    /// [`Self::check_at`] with the given check of the typed claims.
    fn check_with(&self, depth: usize, check_typed: fn(&Self, usize) -> Result<()>) -> Result<()> {
        if depth > MAX_SUBMODULE_DEPTH {
            return Err(Error::DepthExceeded);
        }
        check_typed(self, depth)?;
        // Unknown claims are written as they are held: whether a caller supplied them or they
        // were read (leniently) from the wire, each must be one deterministic item, and none may
        // shadow a typed field or repeat another.
        for (i, (label, value)) in self.extra.iter().enumerate() {
            if label.is_known() {
                return Err(Error::InvalidClaim {
                    key: label_key(&label),
                });
            }
            value.check(depth).map_err(|_| Error::InvalidClaim {
                key: label_key(&label),
            })?;
            if self
                .extra
                .iter()
                .skip(i.saturating_add(1))
                .any(|(l, _)| l == label)
            {
                return Err(Error::DuplicateKey);
            }
        }
        Ok(())
    }

    /// Number of map entries [`Self::encode`] writes.
    fn entry_count(&self) -> usize {
        self.typed_count().saturating_add(self.extra.len())
    }

    /// Writes the claims map (no checks; see [`Self::check`]).
    fn encode_map<W: Write>(&self, e: &mut Encoder<W>) {
        // One instance of the claims encoder, whatever the writer (see `cbor::Sink`).
        self.encode_map_sink(&mut Encoder::new(e.writer_mut().sink()));
    }

    fn encode_map_sink(&self, e: &mut Encoder<cbor::Sink<'_>>) {
        e.map(self.entry_count());
        // Typed claims come out in key order; unknown claims are merged in between, in
        // encoded-key order.
        #[cfg(not(feature = "small-code"))]
        if self.extra.is_empty() {
            // The common case, without the merge.
            self.write_typed(e, &mut NoExtras);
            return;
        }
        #[cfg(not(feature = "small-code"))]
        {
            let mut extras = ExtraMerge::new(&self.extra);
            self.write_typed(e, &mut extras);
            extras.write_rest(e);
        }
        #[cfg(feature = "small-code")]
        self.write_map_content_compact(e);
    }

    /// Checks the claims and writes them as a deterministic CBOR map into `out`.
    ///
    /// # Errors
    /// The errors of [`Self::check`]; [`Error::BufferTooSmall`] with the exact size needed.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize> {
        self.check()?;
        let mut w = SliceWriter::new(out);
        self.encode_map(&mut Encoder::new(&mut w));
        w.finish()
    }

    /// The exact size [`Self::encode`] writes.
    ///
    /// # Errors
    /// The errors of [`Self::check`].
    pub fn encoded_len(&self) -> Result<usize> {
        self.check()?;
        let mut c = SizeCounter::new();
        self.encode_map(&mut Encoder::new(&mut c));
        Ok(c.len())
    }

    /// The claims as a COSE payload, after [`Self::check`].
    ///
    /// # Errors
    /// The errors of [`Self::check`].
    pub fn as_payload(&self) -> Result<CheckedClaims<'_, 'a>> {
        self.check()?;
        Ok(CheckedClaims(self))
    }
}

/// The one table of typed claims: key, field, how it is read, how it is written. The readers and
/// writers of [`Claims`] are generated from it, so a claim is added in exactly one place (and in
/// [`key::KNOWN`], whose order fixes the encoding order).
macro_rules! claims_table {
    (($d:ident, $depth:ident, $v:ident) $($const:ident = $num:expr, $name:literal, $src:literal => $field:ident: $read:expr, $value:expr;)*) => {
        /// Registered claim keys: every claim [`Claims`] has a field for (generated from the
        /// claims table).
        pub mod key {
            $(
                #[doc = concat!("`", $name, "` (", $src, ").")]
                pub const $const: i64 = $num;
            )*

            /// Every key [`super::Claims`] has a field for, in core deterministic
            /// (encoded-bytes) order, which is the table's order (checked by a test).
            pub const KNOWN: &[i64] = &[$($const),*];
        }

        /// Every typed claim as (key, name), in [`key::KNOWN`] order: the names the CLI, the C
        /// API's strings and the docs use.
        pub const CLAIM_NAMES: &[(i64, &str)] = &[$((key::$const, $name)),*];

        /// The name of typed claim `k` (e.g. `"nonce"` for 10), if it has a field.
        #[must_use]
        pub const fn claim_name(k: i64) -> Option<&'static str> {
            match k {
                $($num => Some($name),)*
                _ => None,
            }
        }

        /// The key of the typed claim named `name` (the inverse of [`claim_name`]).
        #[must_use]
        pub fn claim_key(name: &str) -> Option<i64> {
            match name {
                $($name => Some($num),)*
                _ => None,
            }
        }

        impl<'a> Claims<'a> {
            /// True when typed claim `k` is set (false for keys without a field: see
            /// [`Claims::extra`] for those).
            #[must_use]
            pub const fn has(&self, k: i64) -> bool {
                match k {
                    $($num => self.$field.is_some(),)*
                    _ => false,
                }
            }

            /// Reads the value of known key `k` into its field.
            #[cfg_attr(feature = "small-code", inline(never))]
            fn decode_claim(&mut self, k: i64, $d: &mut Decoder<'a>, $depth: usize) -> Result<()> {
                match k {
                    $($num => self.$field = Some($read),)*
                    _ => $d.skip()?,
                }
                Ok(())
            }

            /// Whether `k` has a typed field.
            const fn is_known_key(k: i64) -> bool {
                matches!(k, $($num)|*)
            }

            /// Number of typed fields that are set (on bare-metal targets, counted through
            /// the compact writer's lookup, which is there anyway).
            #[cfg(not(feature = "small-code"))]
            fn typed_count(&self) -> usize {
                0 $(+ usize::from(self.$field.is_some()))*
            }

            /// Writes every set typed field, key and value, in table order (which is
            /// [`key::KNOWN`] order: checked by a test), each after the unknown claims whose
            /// keys sort before its own: straight-line code per claim, for speed on hosts.
            #[cfg(not(feature = "small-code"))]
            fn write_typed<M: MergeExtras>(&self, e: &mut Encoder<cbor::Sink<'_>>, extras: &mut M) {
                $(
                    if let Some($v) = &self.$field {
                        extras.write_before($num, e);
                        e.encoded_head(&const { cbor::EncodedHead::int($num) });
                        $value.write(e);
                    }
                )*
            }

            /// Checks every set typed field ([`ClaimRef::check`]): straight-line code per
            /// claim, for speed on hosts (kinds without checks compile to nothing).
            #[cfg(not(feature = "small-code"))]
            fn check_typed(&self, depth: usize) -> Result<()> {
                $(
                    if let Some($v) = &self.$field {
                        $value.check($num, depth)?;
                    }
                )*
                Ok(())
            }

            /// The value of the typed field at position `i` of [`key::KNOWN`], if set (see
            /// [`Self::check_typed_compact`] and [`Self::write_typed_compact`]; positions are
            /// dense, so this is a jump table).
            fn claim_at(&self, i: usize) -> Option<ClaimRef<'_, 'a>> {
                match i {
                    $(position::$field => self.$field.as_ref().map(|$v| $value),)*
                    _ => None,
                }
            }

            /// The keys of the table, in table order.
            #[cfg(test)]
            const TABLE_KEYS: &'static [i64] = &[$($num),*];
        }

        /// The position of each typed claim's key in [`key::KNOWN`], named after its field.
        #[allow(non_upper_case_globals)]
        mod position {
            use super::{key, key_position};
            $(pub(super) const $field: usize = key_position(key::$const);)*
        }
    };
}

/// The position of `k` in [`key::KNOWN`] (`usize::MAX` if absent, which the claims table's
/// test rules out).
const fn key_position(k: i64) -> usize {
    let mut rest: &[i64] = key::KNOWN;
    let mut i = 0;
    while let [first, tail @ ..] = rest {
        if *first == k {
            return i;
        }
        rest = tail;
        i += 1;
    }
    usize::MAX
}

impl<'a> Claims<'a> {
    /// Number of typed fields that are set.
    #[cfg(feature = "small-code")]
    fn typed_count(&self) -> usize {
        (0..key::KNOWN.len())
            .filter(|&i| self.claim_at(i).is_some())
            .count()
    }

    /// As [`Self::check_typed`], as a loop over the keys: less code, for bare-metal targets
    /// (the host build runs it in tests and the fuzz harness, through
    /// [`Self::encode_compact_reference`]).
    fn check_typed_compact(&self, depth: usize) -> Result<()> {
        for (i, k) in key::KNOWN.iter().copied().enumerate() {
            if let Some(v) = self.claim_at(i) {
                v.check(k, depth)?;
            }
        }
        Ok(())
    }

    /// The typed-claims check of bare-metal targets.
    #[cfg(feature = "small-code")]
    fn check_typed(&self, depth: usize) -> Result<()> {
        self.check_typed_compact(depth)
    }

    /// As [`Self::write_typed`], as a loop over the keys with one writer per kind of value:
    /// less code, for bare-metal targets (the host build runs it in tests and the fuzz harness,
    /// against [`Self::write_typed`]).
    fn write_typed_compact(
        &self,
        e: &mut Encoder<cbor::Sink<'_>>,
        extras: &mut ExtraMerge<'_, 'a>,
    ) {
        for (i, k) in key::KNOWN.iter().copied().enumerate() {
            if let Some(v) = self.claim_at(i) {
                extras.write_before(k, e);
                e.int(k);
                v.write(e);
            }
        }
    }

    /// [`Self::encode`] through the compact claims check and writer of bare-metal targets, for
    /// tests and the fuzz harness, which check that both paths give the same result and bytes.
    ///
    /// # Errors
    /// As [`Self::encode`].
    #[doc(hidden)]
    pub fn encode_compact_reference(&self, out: &mut [u8]) -> Result<usize> {
        self.check_with(0, Self::check_typed_compact)?;
        let mut w = SliceWriter::new(out);
        let mut e = Encoder::new(w.sink());
        e.map(self.entry_count());
        self.write_map_content_compact(&mut e);
        w.finish()
    }

    /// The map's entries (after its head) through the compact writer, unknown claims merged.
    fn write_map_content_compact(&self, e: &mut Encoder<cbor::Sink<'_>>) {
        let mut extras = ExtraMerge::new(&self.extra);
        self.write_typed_compact(e, &mut extras);
        extras.write_rest(e);
    }
}

claims_table! {
    (d, depth, v)
    ISS = 1, "iss", "RFC 8392" => iss: d.text()?, ClaimRef::Text(v);
    SUB = 2, "sub", "RFC 8392" => sub: d.text()?, ClaimRef::Text(v);
    AUD = 3, "aud", "RFC 8392" => aud: d.text()?, ClaimRef::Text(v);
    EXP = 4, "exp", "RFC 8392" => exp: time(d)?, ClaimRef::Int(*v);
    NBF = 5, "nbf", "RFC 8392" => nbf: time(d)?, ClaimRef::Int(*v);
    IAT = 6, "iat", "RFC 8392" => iat: time(d)?, ClaimRef::Int(*v);
    CTI = 7, "cti", "RFC 8392" => cti: d.bytes()?, ClaimRef::Bytes(v);
    NONCE = 10, "nonce", "RFC 9711" => nonce: match d.peek_major()? {
        Major::Array => NonceClaim::Many(List::decode_array(d, depth)?),
        _ => NonceClaim::One(Nonce::new(d.bytes()?)?),
    }, match v {
        NonceClaim::One(n) => ClaimRef::Bytes(n.as_bytes()),
        NonceClaim::Many(l) => ClaimRef::Nonces(l),
    };
    UEID = 256, "ueid", "RFC 9711" => ueid: Ueid::new(d.bytes()?)?, ClaimRef::Bytes(v.as_bytes());
    SUEIDS = 257, "sueids", "RFC 9711" => sueids: decode_named_map(d, depth)?, ClaimRef::Sueids(v);
    OEMID = 258, "oemid", "RFC 9711" => oemid: OemId::decode(d, depth)?, ClaimRef::OemId(v);
    HWMODEL = 259, "hwmodel", "RFC 9711" => hwmodel: HwModel::new(d.bytes()?)?, ClaimRef::Bytes(v.as_bytes());
    HWVERSION = 260, "hwversion", "RFC 9711" => hwversion: Version::decode(d, depth)?, ClaimRef::Version(v);
    UPTIME = 261, "uptime", "RFC 9711" => uptime: d.uint()?, ClaimRef::Uint(*v);
    OEMBOOT = 262, "oemboot", "RFC 9711" => oemboot: d.bool()?, ClaimRef::Bool(*v);
    DBGSTAT = 263, "dbgstat", "RFC 9711" => dbgstat: DebugStatus::from_u64(d.uint()?)?, ClaimRef::Uint(*v as u64);
    LOCATION = 264, "location", "RFC 9711" => location: Location::decode(d, depth)?, ClaimRef::Location(v);
    EAT_PROFILE = 265, "eat_profile", "RFC 9711" => eat_profile: Profile::decode(d, depth)?, ClaimRef::Profile(v);
    SUBMODS = 266, "submods", "RFC 9711" => submods: decode_named_map(d, depth)?, ClaimRef::Submods(v);
    BOOTCOUNT = 267, "bootcount", "RFC 9711" => bootcount: d.uint()?, ClaimRef::Uint(*v);
    BOOTSEED = 268, "bootseed", "RFC 9711" => bootseed: d.bytes()?, ClaimRef::Bytes(v);
    DLOAS = 269, "dloas", "RFC 9711" => dloas: List::decode_array(d, depth)?, ClaimRef::Dloas(v);
    SWNAME = 270, "swname", "RFC 9711" => swname: d.text()?, ClaimRef::Text(v);
    SWVERSION = 271, "swversion", "RFC 9711" => swversion: Version::decode(d, depth)?, ClaimRef::Version(v);
    MANIFESTS = 272, "manifests", "RFC 9711" => manifests: List::decode_array(d, depth)?, ClaimRef::Measurements(v);
    MEASUREMENTS = 273, "measurements", "RFC 9711" => measurements: List::decode_array(d, depth)?, ClaimRef::Measurements(v);
    MEASRES = 274, "measres", "RFC 9711" => measres: List::decode_array(d, depth)?, ClaimRef::Measres(v);
    INTUSE = 275, "intuse", "RFC 9711" => intuse: IntendedUse::from_u64(d.uint()?)?, ClaimRef::Uint(*v as u64);
    ECNPP_PROMISE = -90101, "ecnpp-promise", "ECN PP profile" => promise: Promise::from_u64(d.uint()?)?, ClaimRef::Uint(*v as u64);
    ECNPP_PP_REF = -90102, "ecnpp-pp-ref", "ECN PP profile" => pp_ref: d.text()?, ClaimRef::Text(v);
    ECNPP_EVALUATED_CONFIG = -90103, "ecnpp-evaluated-config", "ECN PP profile" => evaluated_config: d.bool()?, ClaimRef::Bool(*v);
    ECNPP_LIFECYCLE = -90104, "ecnpp-lifecycle", "ECN PP profile" => lifecycle: Lifecycle::from_u64(d.uint()?)?, ClaimRef::Uint(*v as u64);
    ECNPP_SVN = -90105, "ecnpp-svn", "ECN PP profile" => svn: d.uint()?, ClaimRef::Uint(*v);
    ECNPP_ROBUSTNESS = -90106, "ecnpp-robustness", "ECN PP profile" => robustness: List::decode_array(d, depth)?, ClaimRef::Robustness(v);
}

/// A set typed claim's value, by kind: the claims encoder has one writer per kind rather than
/// one per claim.
#[derive(Clone, Copy)]
enum ClaimRef<'c, 'a> {
    Text(&'c str),
    Int(i64),
    Uint(u64),
    Bytes(&'c [u8]),
    Bool(bool),
    Nonces(&'c List<'a, Nonce<'a>>),
    Sueids(&'c NamedMap<'a, NamedUeid<'a>>),
    OemId(&'c OemId<'a>),
    Version(&'c Version<'a>),
    Location(&'c Location),
    Profile(&'c Profile<'a>),
    Submods(&'c NamedMap<'a, NamedSubmodule<'a>>),
    Dloas(&'c List<'a, Dloa<'a>>),
    Measurements(&'c List<'a, Measurement<'a>>),
    Measres(&'c List<'a, MeasResGroup<'a>>),
    Robustness(&'c List<'a, Robustness<'a>>),
}

impl ClaimRef<'_, '_> {
    /// The checks types alone cannot make (see [`Claims::check`]) of the value of claim `k`.
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    fn check(self, k: i64, depth: usize) -> Result<()> {
        let invalid = |_| Error::InvalidClaim { key: k };
        match self {
            Self::Text(_) | Self::Int(_) | Self::Uint(_) | Self::Bytes(_) | Self::Bool(_) => Ok(()),
            Self::Version(_) | Self::Location(_) | Self::Profile(_) => Ok(()),
            Self::Nonces(l) => l.check(depth).map_err(invalid),
            Self::OemId(o) => o.check(depth).map_err(invalid),
            Self::Sueids(l) => check_named_map(l, |x| x.name, depth).map_err(|e| match e {
                Error::DuplicateKey => e,
                _ => Error::InvalidClaim { key: k },
            }),
            Self::Submods(l) => check_named_map(l, |x| x.name, depth).map_err(|e| match e {
                Error::DepthExceeded | Error::DuplicateKey | Error::InvalidClaim { .. } => e,
                _ => Error::InvalidClaim { key: k },
            }),
            Self::Dloas(l) => l.check(depth).map_err(invalid),
            Self::Measurements(l) => l.check(depth).map_err(invalid),
            Self::Measres(l) => l.check(depth).map_err(invalid),
            Self::Robustness(l) => l.check(depth).map_err(invalid),
        }
    }

    /// Writes the value.
    #[cfg_attr(not(feature = "small-code"), inline(always))]
    #[cfg_attr(feature = "small-code", inline(never))]
    fn write(self, e: &mut Encoder<cbor::Sink<'_>>) {
        match self {
            Self::Text(t) => {
                e.text(t);
            }
            Self::Int(i) => {
                e.int(i);
            }
            Self::Uint(u) => {
                e.uint(u);
            }
            Self::Bytes(b) => {
                e.bytes(b);
            }
            Self::Bool(b) => {
                e.bool(b);
            }
            Self::Nonces(l) => l.encode_array(e),
            Self::Sueids(l) => encode_named_map(l, |x| x.name, e),
            Self::OemId(o) => o.encode(e),
            Self::Version(v) => v.encode(e),
            Self::Location(l) => l.encode(e),
            Self::Profile(p) => p.encode(e),
            Self::Submods(l) => encode_named_map(l, |x| x.name, e),
            Self::Dloas(l) => l.encode_array(e),
            Self::Measurements(l) => l.encode_array(e),
            Self::Measres(l) => l.encode_array(e),
            Self::Robustness(l) => l.encode_array(e),
        }
    }
}

/// A NumericDate (RFC 8392): an integer of epoch seconds, read with or without the epoch-date
/// tag 1 that RFC 9711's examples carry; written without it, as RFC 8392 does.
fn time(d: &mut Decoder<'_>) -> Result<i64> {
    if d.peek_major()? == Major::Tag && d.tag()? != 1 {
        return Err(Error::UnexpectedTag);
    }
    d.int()
}

const fn label_key(label: &Label<'_>) -> i64 {
    match *label {
        Label::Int(k) => k,
        Label::Text(_) => 0,
    }
}

/// Claims that passed [`Claims::check`], ready to be a COSE payload.
#[derive(Clone, Copy, Debug)]
pub struct CheckedClaims<'c, 'a>(&'c Claims<'a>);

impl crate::cose::Payload for CheckedClaims<'_, '_> {
    fn write_payload<W: Write>(&self, e: &mut Encoder<W>) {
        self.0.encode_map(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_order_is_the_order_of_the_encodings() {
        let texts = ["", "a", "b", "aa", "ab", "zzzzzzzzzzzzzzzzzzzzzzzzz"];
        let mut labels: std::vec::Vec<Label<'_>> = [
            0i64,
            1,
            23,
            24,
            255,
            256,
            65_535,
            65_536,
            i64::from(u32::MAX),
            i64::from(u32::MAX) + 1,
            i64::MAX,
            -1,
            -24,
            -25,
            -256,
            -257,
            -65_537,
            i64::MIN,
        ]
        .into_iter()
        .map(Label::Int)
        .collect();
        labels.extend(texts.into_iter().map(Label::Text));
        let encode = |l: &Label<'_>| {
            let mut buf = [0u8; 64];
            let mut w = SliceWriter::new(&mut buf);
            l.encode(&mut Encoder::new(&mut w));
            let n = w.finish().unwrap();
            buf[..n].to_vec()
        };
        for a in &labels {
            for b in &labels {
                assert_eq!(a.cmp_encoded(b), encode(a).cmp(&encode(b)), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn text_order_shortcut_matches_encoded_order() {
        let long = [b'a'; 300];
        let lens = [0usize, 1, 2, 23, 24, 25, 255, 256, 300];
        for &la in &lens {
            for &lb in &lens {
                for (ca, cb) in [(b'a', b'a'), (b'a', b'b'), (b'b', b'a')] {
                    let mut a = [b'a'; 300];
                    let mut b = long;
                    if let Some(x) = a.get_mut(la.saturating_sub(1)) {
                        *x = ca;
                    }
                    if let Some(x) = b.get_mut(lb.saturating_sub(1)) {
                        *x = cb;
                    }
                    let (a, b) = (
                        core::str::from_utf8(&a[..la]).unwrap(),
                        core::str::from_utf8(&b[..lb]).unwrap(),
                    );
                    let encoded = |t: &str| {
                        let mut buf = [0u8; 310];
                        let mut w = SliceWriter::new(&mut buf);
                        Encoder::new(&mut w).text(t);
                        let n = w.finish().unwrap();
                        buf[..n].to_vec()
                    };
                    assert_eq!(
                        cmp_text_encoded(a, b),
                        encoded(a).cmp(&encoded(b)),
                        "{la} {lb}"
                    );
                }
            }
        }
    }

    /// Lists read from the wire carry the functions that read them back; those are
    /// lifetime-generic, so that claims stay covariant in their lifetime (this would not compile
    /// otherwise).
    #[test]
    fn claims_stay_covariant() {
        fn shorten<'s, 'l: 's>(c: Claims<'l>) -> Claims<'s> {
            c
        }
        let wire = [0xa1, 0x0a, 0x48, 1, 2, 3, 4, 5, 6, 7, 8]; // {10: h'0102030405060708'}
        let decoded = Claims::decode(&wire).unwrap();
        let local = [0u8; 8];
        let built = Claims {
            nonce: Some(NonceClaim::One(Nonce::new(&local).unwrap())),
            ..Claims::default()
        };
        assert_ne!(shorten(decoded), built);
    }

    /// A decoded list stores the reader of its items: iterating a decoded `submods` reads the
    /// entries back; a hand-made list of the same type never needs one.
    #[test]
    fn decoded_submodules_are_read_back_through_the_stored_reader() {
        let inner = Claims {
            oemboot: Some(true),
            ..Claims::default()
        };
        let subs = [NamedSubmodule {
            name: "se",
            submodule: Submodule::Claims(inner),
        }];
        let built = Claims {
            submods: Some(List::Items(&subs)),
            ..Claims::default()
        };
        let mut buf = [0u8; 64];
        let n = built.encode(&mut buf).unwrap();
        let decoded = Claims::decode(&buf[..n]).unwrap();
        let Some(List::Encoded(l)) = decoded.submods else {
            panic!("a decoded list stays encoded")
        };
        assert!(l.ops.submodule.is_some());
        assert_eq!(decoded.submods.unwrap().iter().next(), Some(subs[0]));
        // Without the stored reader, an entry is not read (an error, not a panic).
        let mut d = Decoder::new(l.as_bytes());
        assert_eq!(
            NamedSubmodule::read_listed(&mut d, None),
            Err(Error::InvalidArgument)
        );
    }

    #[test]
    #[cfg(not(feature = "small-code"))] // one-pass reads are the default build's
    fn deterministic_claims_are_read_in_one_pass() {
        let inner = [NamedSubmodule {
            name: "se",
            submodule: Submodule::Claims(Claims {
                oemboot: Some(true),
                location: Some(Location {
                    latitude: 1.5,
                    longitude: -2.0,
                    age: Some(3),
                    ..Location::default()
                }),
                ..Claims::default()
            }),
        }];
        let extra = [(
            Label::Text("x-vendor"),
            RawValue::new(&[0xa1, 0x01, 0x02]).unwrap(),
        )];
        let c = Claims {
            iss: Some("iss"),
            nonce: Some(NonceClaim::One(Nonce::new(&[9; 8]).unwrap())),
            submods: Some(List::Items(&inner)),
            extra: Extra::Items(&extra),
            ..Claims::default()
        };
        let mut buf = [0u8; 128];
        let n = c.encode(&mut buf).unwrap();
        for mode in [Mode::Lenient, Mode::Strict] {
            let mut d = Decoder::one_pass(&buf[..n], mode);
            let read = Claims::decode_map_at(&mut d, 0).unwrap();
            assert!(d.is_at_end());
            assert_eq!(read, c);
        }
        // NaN is a valid location value (`f9 7e00`, deterministic): read in one pass too.
        let nan = [
            0xa1, 0x19, 0x01, 0x08, 0xa2, 0x01, 0xf9, 0x7e, 0x00, 0x02, 0x00,
        ];
        for mode in [Mode::Lenient, Mode::Strict] {
            let mut d = Decoder::one_pass(&nan, mode);
            let read = Claims::decode_map_at(&mut d, 0).unwrap();
            assert!(read.location.unwrap().latitude.is_nan());
        }
        // Keys out of order: the one-pass read declines, the two-pass read accepts.
        let unordered = [0xa2, 0x02, 0x61, b'b', 0x01, 0x61, b'a'];
        let mut d = Decoder::one_pass(&unordered, Mode::Lenient);
        assert!(Claims::decode_map_at(&mut d, 0).is_err());
        assert_eq!(Claims::decode(&unordered).unwrap().iss, Some("a"));
    }

    #[test]
    fn claims_write_the_same_bytes_through_any_writer() {
        use crate::cose::Payload as _;
        let c = Claims {
            iss: Some("iss"),
            svn: Some(300),
            ..Claims::default()
        };
        let mut direct = [0u8; 32];
        let n = c.encode(&mut direct).unwrap();
        // A caller's own writer, reached through `dyn Write` (`Sink::Dyn`).
        let mut buf = [0u8; 32];
        let mut w = SliceWriter::new(&mut buf);
        let dw: &mut dyn Write = &mut w;
        c.as_payload().unwrap().write_payload(&mut Encoder::new(dw));
        assert_eq!(w.written(), Some(&direct[..n]));
        assert_eq!(c.encoded_len(), Ok(n));
    }

    #[test]
    fn claim_names_and_keys_are_one_table() {
        assert_eq!(CLAIM_NAMES.len(), key::KNOWN.len());
        for (&(k, name), &known) in CLAIM_NAMES.iter().zip(key::KNOWN) {
            assert_eq!(k, known);
            assert_eq!(claim_name(k), Some(name));
            assert_eq!(claim_key(name), Some(k));
        }
        assert_eq!(claim_name(-75000), None);
        assert_eq!(claim_key("nonces"), None);
        let c = Claims {
            swname: Some("edge-os"),
            ..Claims::default()
        };
        assert!(c.has(key::SWNAME));
        assert!(!c.has(key::NONCE));
        assert!(!c.has(-75000));
    }

    #[test]
    fn claims_table_is_in_known_key_order() {
        // `write_typed` writes in table order, which must be the deterministic key order.
        assert_eq!(Claims::TABLE_KEYS, key::KNOWN);
        // The compact writer's positions are the keys' places in that order.
        for (i, k) in key::KNOWN.iter().copied().enumerate() {
            assert_eq!(key_position(k), i);
        }
        assert_eq!(key_position(0), usize::MAX);
        let encoded = |k: i64| {
            let mut buf = [0u8; 9];
            let n = cbor::encoded_len(|e| {
                e.int(k);
            });
            let mut w = SliceWriter::new(&mut buf);
            Encoder::new(&mut w).int(k);
            (buf, n)
        };
        for pair in key::KNOWN.windows(2) {
            let ((a, na), (b, nb)) = (encoded(pair[0]), encoded(pair[1]));
            assert!(a[..na] < b[..nb], "{} before {}", pair[0], pair[1]);
        }
    }
}
