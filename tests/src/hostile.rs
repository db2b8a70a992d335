//! Hostile inputs of chosen sizes: the worst families known for the readers' cost (see
//! `tests/tests/cost_bound.rs` and docs/performance.md "Cost of hostile input").
// Test inputs of sizes chosen by the tests: a failed conversion is a failed test.
#![allow(clippy::cast_possible_truncation, clippy::indexing_slicing)]

/// The shortest CBOR head of `major` (0..=7) and `arg`.
#[must_use]
pub fn head(major: u8, arg: u64) -> Vec<u8> {
    let mt = major << 5;
    let b = arg.to_be_bytes();
    match arg {
        0..=23 => vec![mt | b[7]],
        24..=0xff => vec![mt | 24, b[7]],
        0x100..=0xffff => [&[mt | 25][..], &b[6..]].concat(),
        0x1_0000..=0xffff_ffff => [&[mt | 26][..], &b[4..]].concat(),
        _ => [&[mt | 27][..], &b[..]].concat(),
    }
}

/// An unsigned integer.
#[must_use]
pub fn uint(v: u64) -> Vec<u8> {
    head(0, v)
}

/// A map of the given encoded entries (key, value), in the order given.
#[must_use]
pub fn map(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = head(5, entries.len() as u64);
    for (k, v) in entries {
        out.extend_from_slice(k);
        out.extend_from_slice(v);
    }
    out
}

/// A tagged COSE_Sign1 with the given protected map (as bytes) and unprotected map, a nil
/// payload and a 64-byte signature of ones (parses; does not verify).
#[must_use]
pub fn sign1(protected_map: &[u8], unprotected_map: &[u8]) -> Vec<u8> {
    let mut out = vec![0xd2, 0x84];
    out.extend(head(2, protected_map.len() as u64));
    out.extend_from_slice(protected_map);
    out.extend_from_slice(unprotected_map);
    out.extend_from_slice(&[0xf6, 0x58, 0x40]);
    out.extend_from_slice(&[1; 64]);
    out
}

/// The protected header `{1: -7}`.
pub const PROTECTED_ES256: [u8; 3] = [0xa1, 0x01, 0x26];

/// The security finding: an unprotected header `{4: h'6b6964', 99: M}` where `M` has `m`
/// keys, each a map of `m` keys, each a map of `m` integers (about 3 m^3 bytes). Pairwise
/// comparison by value of such keys cost ~m^6.
#[must_use]
pub fn nested_map_keys_header(m: u64) -> Vec<u8> {
    let leaf = |j: u64| map(&(0..m).map(|x| (uint(x), uint(j))).collect::<Vec<_>>());
    let middle = |j: u64| {
        map(&(0..m)
            .map(|l| (leaf(j * m + l), uint(0)))
            .collect::<Vec<_>>())
    };
    let big = map(&(0..m).map(|j| (middle(j), uint(0))).collect::<Vec<_>>());
    let unprotected = map(&[(uint(4), vec![0x43, b'k', b'i', b'd']), (uint(99), big)]);
    sign1(&PROTECTED_ES256, &unprotected)
}

/// The flat variant: `{4: kid, 99: M}`, `M` with `n` keys that are maps of `n` entries.
#[must_use]
pub fn flat_map_keys_header(n: u64) -> Vec<u8> {
    let key = |j: u64| map(&(0..n).map(|x| (uint(x), uint(j))).collect::<Vec<_>>());
    let big = map(&(0..n).map(|j| (key(j), uint(0))).collect::<Vec<_>>());
    let unprotected = map(&[(uint(4), vec![0x43, b'k', b'i', b'd']), (uint(99), big)]);
    sign1(&PROTECTED_ES256, &unprotected)
}

/// `count` text keys of `len` bytes that differ only in their last four bytes, in descending
/// order (so that a lenient reader must look for duplicates among them); with `duplicate`,
/// the last key repeats the first.
#[must_use]
pub fn near_equal_text_keys(count: u64, len: usize, duplicate: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
    let key = |i: u64| {
        let mut t = vec![b'k'; len.saturating_sub(4)];
        t.extend_from_slice(format!("{i:04x}").as_bytes());
        [head(3, len as u64), t].concat()
    };
    let mut entries: Vec<_> = (0..count).rev().map(|i| (key(i), uint(0))).collect();
    if duplicate
        && let Some(first) = entries.first().cloned()
        && let Some(last) = entries.last_mut()
    {
        *last = first;
    }
    entries
}

/// `levels` nested maps of `width` entries each with integer keys in descending order, the
/// entry with key 0 holding the next level, the innermost an array of `items` zeros: every
/// level is a lenient map whose keys do not ascend, around a large value.
#[must_use]
pub fn nested_unordered_maps(levels: usize, width: u64, items: u64) -> Vec<u8> {
    let mut inner = [head(4, items), vec![0; items as usize]].concat();
    for _ in 0..levels {
        let mut entries: Vec<_> = (1..width).rev().map(|k| (uint(k), uint(0))).collect();
        entries.push((uint(0), inner));
        inner = map(&entries);
    }
    inner
}

/// An array of `count` arrays nested `depth` deep around a zero.
#[must_use]
pub fn deep_arrays(count: u64, depth: usize) -> Vec<u8> {
    let mut one = vec![0x81; depth];
    one.push(0);
    let mut out = head(4, count);
    for _ in 0..count {
        out.extend_from_slice(&one);
    }
    out
}

/// An array of `count` two-entry maps whose keys descend (`{1: 0, 0: 0}`).
#[must_use]
pub fn many_small_maps(count: u64) -> Vec<u8> {
    let mut out = head(4, count);
    for _ in 0..count {
        out.extend_from_slice(&[0xa2, 0x01, 0x00, 0x00, 0x00]);
    }
    out
}

/// A claims map with one unknown claim (-70000) whose value is `value`.
#[must_use]
pub fn claims_with(value: Vec<u8>) -> Vec<u8> {
    map(&[(head(1, 69_999), value)])
}
