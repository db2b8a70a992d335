//! Lists of claim values: built from caller items or kept encoded as read from the wire,
//! iterated on demand; named maps (`submods`, `sueids`) as lists of entries.

use super::*;

/// A non-empty list: caller-supplied items when building, validated encoded bytes when read.
#[derive(Clone, Copy)]
pub enum List<'a, T> {
    /// Items supplied by the caller.
    Items(&'a [T]),
    /// Items read from the wire, still encoded (already validated, decoded on iteration).
    Encoded(EncodedList<'a, T>),
}

/// What the decoder stores with a list it read (see [`EncodedList`]).
pub(super) struct ListOps {
    /// Checks, before the items are written again, that they are exactly `len` items in core
    /// deterministic encoding, within [`cbor::MAX_DEPTH`] where they will be written: in a
    /// claims set at submodule depth (third argument; see [`claim_value_nesting`]).
    pub(super) recheck: fn(&[u8], usize, usize) -> Result<()>,
    /// See [`Item::read_listed`].
    pub(super) submodule: Option<SubmoduleReader>,
    /// For `submods` entries: [`refuse_nested_keys`] (see [`EncodedList::refuse_nested_claims`]).
    pub(super) refuse: Option<RefuseNested>,
}

/// The type of [`refuse_nested_keys`].
pub(super) type RefuseNested = fn(&[u8], usize, usize, &[i64]) -> Result<()>;

/// Items of a [`List`] read from the wire and kept encoded. Only the decoder makes one, and it
/// stores with the bytes the functions that check them again before they are written and, for
/// submodules, that read them back: code that only builds claims (a device signing evidence)
/// links neither a validator nor a claims decoder.
pub struct EncodedList<'a, T> {
    pub(super) bytes: &'a [u8],
    pub(super) len: usize,
    pub(super) ops: &'static ListOps,
    pub(super) item: PhantomData<fn() -> T>,
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
pub(super) fn recheck_items(bytes: &[u8], len: usize, depth: usize) -> Result<()> {
    cbor::validate_items_nested(bytes, len, Mode::Strict, claim_value_nesting(depth))
}

/// The recheck of a named map's entries (`submods`, `sueids`): it also proves the names
/// distinct and in order.
pub(super) fn recheck_entries(bytes: &[u8], len: usize, depth: usize) -> Result<()> {
    cbor::validate_map_entries_nested(bytes, len, Mode::Strict, claim_value_nesting(depth))
}

/// The recheck of `submods` entries: [`recheck_entries`], and the submodule depth bound of the
/// decoder where they are written.
pub(super) fn recheck_submodule_entries(bytes: &[u8], len: usize, depth: usize) -> Result<()> {
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
pub(super) const fn claim_value_nesting(depth: usize) -> usize {
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

    pub(super) fn decode_array(d: &mut Decoder<'a>, depth: usize) -> Result<Self> {
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

    pub(super) fn encode_array<W: Write>(&self, e: &mut Encoder<W>) {
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
    pub(super) fn check(&self, depth: usize) -> Result<()> {
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

pub(super) enum ListIterInner<'a, T> {
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

/// A map whose entries are items keyed by name (`submods`, `sueids`), as a [`List`] of entries.
pub(super) type NamedMap<'a, T> = List<'a, T>;

pub(super) fn decode_named_map<'a, T: Item<'a>>(
    d: &mut Decoder<'a>,
    depth: usize,
) -> Result<NamedMap<'a, T>> {
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
pub(super) fn refuse_nested_keys(
    bytes: &[u8],
    entries: usize,
    depth: usize,
    keys: &[i64],
) -> Result<()> {
    refuse_keys_at(&mut Decoder::checked(bytes), entries, depth, keys)
}

/// [`refuse_nested_keys`] over `entries` entries at `d` (a name, then a claims map, a nested
/// token or a digest).
pub(super) fn refuse_keys_at(
    d: &mut Decoder<'_>,
    entries: usize,
    depth: usize,
    keys: &[i64],
) -> Result<()> {
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
pub(super) fn encode_named_map<'a, T: Item<'a>, W: Write>(
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
pub(super) fn cmp_text_encoded(a: &str, b: &str) -> Ordering {
    Label::Text(a).cmp_encoded(&Label::Text(b))
}

/// Checks a named map before encoding: caller entries pass their own checks and have distinct
/// names ([`Error::DuplicateKey`]); encoded entries must be a core deterministic map content
/// (which implies distinct names, in order).
pub(super) fn check_named_map<'a, T: Item<'a>>(
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
pub(super) fn has_repeated_name<'n>(
    count: usize,
    name_at: &dyn Fn(usize) -> Option<&'n str>,
) -> bool {
    (0..count).any(|i| (i.saturating_add(1)..count).any(|j| name_at(i) == name_at(j)))
}
