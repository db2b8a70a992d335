//! Claims without a typed field ("unknown claims"): kept as they were read or supplied, checked,
//! and merged into the encoding in key order.

use super::*;

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
    pub(super) bytes: &'a [u8],
    pub(super) entries: usize,
    pub(super) reader: ExtraReader,
}

/// Reads the entry of a claims map at a position (and moves past it).
pub(super) type ExtraReader = for<'x> fn(&'x [u8], &mut usize) -> Option<(Label<'x>, RawValue<'x>)>;

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
pub(super) fn read_extra_entry<'a>(
    map: &'a [u8],
    pos: &mut usize,
) -> Option<(Label<'a>, RawValue<'a>)> {
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
    pub(super) fn iter_sorted(&self) -> impl Iterator<Item = (Label<'a>, RawValue<'a>)> + '_ {
        let mut last: Option<Label<'a>> = None;
        core::iter::from_fn(move || {
            let next = self.next_after(last.as_ref(), None);
            last = next.map(|(k, _)| k);
            next
        })
    }

    /// The entry with the smallest key above `last` (any key without it) and below `bound` (no
    /// limit without it), in encoded-key order; the first of equal keys.
    pub(super) fn next_after(
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
pub(super) struct ExtraMerge<'e, 'a> {
    extra: &'e Extra<'a>,
    last: Option<Label<'a>>,
}

/// What the claims writer calls before each typed claim.
pub(super) trait MergeExtras {
    /// Writes the unknown claims whose keys sort before the typed key `k`.
    fn write_before(&mut self, k: i64, e: &mut Encoder<cbor::Sink<'_>>);
}

/// No unknown claims to merge.
#[cfg(not(feature = "small-code"))]
pub(super) struct NoExtras;

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
    pub(super) const fn new(extra: &'e Extra<'a>) -> Self {
        Self { extra, last: None }
    }

    /// Writes, in order, the unknown claims not written yet whose keys sort before `bound`
    /// (all of them without a bound).
    pub(super) fn write_until(
        &mut self,
        bound: Option<&Label<'a>>,
        e: &mut Encoder<cbor::Sink<'_>>,
    ) {
        while let Some((label, value)) = self.extra.next_after(self.last.as_ref(), bound) {
            label.encode(e);
            e.raw(value.as_bytes());
            self.last = Some(label);
        }
    }

    /// Writes the unknown claims left (keys after every typed one).
    pub(super) fn write_rest(mut self, e: &mut Encoder<cbor::Sink<'_>>) {
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

pub(super) enum ExtraIterInner<'a> {
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
