//! Validation: well-formedness, validity (UTF-8, unique map keys), limits and, in strict
//! mode, deterministic encoding; and the map key comparisons it rests on.

use core::cmp::Ordering;

#[cfg(feature = "cost-counter")]
use super::cost;
use super::decode::Decoder;
use super::encode::len_u64;
use super::float::f16_to_f64;
use super::head::Head;
use super::{MAX_DEPTH, MAX_MAP_ENTRIES, Major, Mode};
use crate::error::{Error, Result};

/// Keys held by the table that finds duplicates among the keys of a lenient map whose keys do
/// not ascend, without a heap: that many words of stack (256 bytes on 32-bit targets), and one
/// read of such a map per group of that many keys (see the module's cost bound).
const KEY_TABLE_LEN: usize = 64;

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
pub(super) fn validate_item(d: &mut Decoder<'_>, depth: usize, mode: Mode) -> Result<Head> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::{Encoder, SliceWriter};

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
        // Under Miri (an interpreter, ~1000x slower) fewer sizes and duplicate places: one
        // table and a second group are enough to reach every branch.
        let (step_i, step_j) = if cfg!(miri) { (23, 19) } else { (7, 5) };
        let sizes: &[usize] = if cfg!(miri) {
            &[2, KEY_TABLE_LEN + 1]
        } else {
            &[2, KEY_TABLE_LEN, KEY_TABLE_LEN + 1, MAX_MAP_ENTRIES]
        };
        for &n in sizes {
            let descending: std::vec::Vec<u64> = (0..u64::try_from(n).unwrap()).rev().collect();
            validate(&map(&descending), Mode::Lenient).unwrap();
            assert_eq!(
                validate(&map(&descending), Mode::Strict),
                Err(Error::NonDeterministic)
            );
            // A duplicate of every earlier key, at every later place.
            for i in (0..n).step_by(step_i).chain([n - 1]) {
                for j in (i + 1..n).step_by(step_j).chain([n - 1]) {
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
