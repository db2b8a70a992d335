//! CBOR for people: a lenient reader into an owned tree, printed as diagnostic notation (EDN,
//! RFC 8949 §8 with RFC 8610 comments), and a search that names a duplicated map key.
//!
//! This is display code for `inspect` and for error messages, deliberately separate from the
//! library's strict decoder: it accepts what the library refuses (indefinite lengths, invalid
//! UTF-8, any tag) so that a person can see what is wrong. It is bounded all the same: nesting at
//! most [`MAX_DEPTH`], no allocation beyond what the input's own bytes justify, and no panics.

use std::fmt::Write as _;

use ecnpp_attest::cbor::f16_to_f64;
use ecnpp_attest::cose::label;
use ecnpp_attest::crypto::ES256;
use ecnpp_attest::eat::{DebugStatus, IntendedUse, Lifecycle, Promise, claim_name, key};

use crate::claims::{Registered, oid_to_text};
use crate::render::{Budget, SHOWN_BYTES, bytes_head, omitted_note, text_head, text_shown};

/// Deepest nesting shown (the library refuses anything past [`ecnpp_attest::cbor::MAX_DEPTH`]; this only
/// bounds recursion, and shows more than the library takes so that a person sees how deep).
pub(crate) const MAX_DEPTH: usize = 64;

/// Most data items read from one input: bounds the memory a pathological input (megabytes of
/// one-byte items) can make the tree take. Real tokens hold about a hundred.
pub(crate) const MAX_ITEMS: usize = 100_000;

/// Most values of a map key quoted in a message about it.
const KEY_VALUES: usize = 8;

/// How a message names a map nested in a claim or header value.
const NESTED: &str = "a map inside ";

/// Largest map searched for duplicate keys (the search is quadratic; the library refuses maps
/// of more than [`ecnpp_attest::cbor::MAX_MAP_ENTRIES`] entries anyway).
const MAX_DUPLICATE_SEARCH: usize = 1024;

/// A CBOR data item.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    /// Major type 0.
    Uint(u64),
    /// Major type 1: the value is `-1 - n`.
    Nint(u64),
    /// A byte string.
    Bytes(Vec<u8>),
    /// A text string (valid UTF-8).
    Text(String),
    /// A text string that is not valid UTF-8.
    BadText(Vec<u8>),
    /// An array.
    Array(Vec<Item>),
    /// A map, in input order (duplicates kept, so they can be shown).
    Map(Vec<(Item, Item)>),
    /// A tag and its content.
    Tag(u64, Box<Item>),
    /// A float of any width.
    Float(f64),
    /// A simple value (20 false, 21 true, 22 null, 23 undefined, others unassigned).
    Simple(u8),
}

/// Where reading stopped and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReadError {
    /// Byte offset into the input.
    pub(crate) offset: usize,
    /// What was wrong.
    pub(crate) what: &'static str,
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    items: usize,
}

enum Arg {
    Value(u64),
    Indefinite,
}

impl<'a> Reader<'a> {
    fn fail<T>(&self, what: &'static str) -> Result<T, ReadError> {
        Err(ReadError {
            offset: self.pos,
            what,
        })
    }

    fn byte(&mut self) -> Result<u8, ReadError> {
        match self.buf.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => self.fail("input ends inside a data item"),
        }
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], ReadError> {
        let remaining = self.buf.len().saturating_sub(self.pos);
        match usize::try_from(n) {
            Ok(n) if n <= remaining => {
                let s = self.buf.get(self.pos..self.pos + n).unwrap_or(&[]);
                self.pos += n;
                Ok(s)
            }
            _ => self.fail("a declared length runs past the end of the input"),
        }
    }

    fn arg(&mut self, info: u8) -> Result<Arg, ReadError> {
        let be = |s: &[u8]| s.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        Ok(match info {
            0..=23 => Arg::Value(u64::from(info)),
            24 => Arg::Value(be(self.take(1)?)),
            25 => Arg::Value(be(self.take(2)?)),
            26 => Arg::Value(be(self.take(4)?)),
            27 => Arg::Value(be(self.take(8)?)),
            31 => Arg::Indefinite,
            _ => return self.fail("reserved additional information (28-30)"),
        })
    }

    fn is_break(&self) -> bool {
        self.buf.get(self.pos) == Some(&0xff)
    }

    fn item(&mut self, depth: usize) -> Result<Item, ReadError> {
        if depth > MAX_DEPTH {
            return self.fail("nested too deeply to show");
        }
        self.items += 1;
        if self.items > MAX_ITEMS {
            return self.fail("too many data items to show");
        }
        let start = self.pos;
        let initial = self.byte()?;
        let major = initial >> 5;
        let info = initial & 0x1f;
        let arg = self.arg(info)?;
        match (major, arg) {
            (0, Arg::Value(v)) => Ok(Item::Uint(v)),
            (1, Arg::Value(v)) => Ok(Item::Nint(v)),
            (2 | 3, Arg::Value(n)) => {
                let bytes = self.take(n)?.to_vec();
                Ok(string_item(major, bytes))
            }
            (2 | 3, Arg::Indefinite) => {
                let mut all = Vec::new();
                while !self.is_break() {
                    let chunk_start = self.pos;
                    let b = self.byte()?;
                    if b >> 5 != major {
                        self.pos = chunk_start;
                        return self.fail("an indefinite-length string holds a foreign chunk");
                    }
                    match self.arg(b & 0x1f)? {
                        Arg::Value(n) => all.extend_from_slice(self.take(n)?),
                        Arg::Indefinite => {
                            return self.fail("an indefinite-length string inside another");
                        }
                    }
                }
                self.pos += 1;
                Ok(string_item(major, all))
            }
            (4, arg) => {
                let mut items = Vec::new();
                match arg {
                    Arg::Value(n) => {
                        for _ in 0..n {
                            items.push(self.item(depth + 1)?);
                        }
                    }
                    Arg::Indefinite => {
                        while !self.is_break() {
                            items.push(self.item(depth + 1)?);
                        }
                        self.pos += 1;
                    }
                }
                Ok(Item::Array(items))
            }
            (5, arg) => {
                let mut entries = Vec::new();
                match arg {
                    Arg::Value(n) => {
                        for _ in 0..n {
                            let k = self.item(depth + 1)?;
                            entries.push((k, self.item(depth + 1)?));
                        }
                    }
                    Arg::Indefinite => {
                        while !self.is_break() {
                            let k = self.item(depth + 1)?;
                            entries.push((k, self.item(depth + 1)?));
                        }
                        self.pos += 1;
                    }
                }
                Ok(Item::Map(entries))
            }
            (6, Arg::Value(tag)) => Ok(Item::Tag(tag, Box::new(self.item(depth + 1)?))),
            (7, Arg::Value(v)) => match info {
                0..=23 => Ok(Item::Simple(info)),
                24 => match u8::try_from(v) {
                    Ok(s) if s >= 32 => Ok(Item::Simple(s)),
                    _ => {
                        self.pos = start;
                        self.fail("a two-byte simple value below 32")
                    }
                },
                25 => Ok(Item::Float(f16_to_f64(u16::try_from(v).unwrap_or(0x7e00)))),
                26 => Ok(Item::Float(f64::from(f32::from_bits(
                    u32::try_from(v).unwrap_or(0x7fc0_0000),
                )))),
                _ => Ok(Item::Float(f64::from_bits(v))),
            },
            (7, Arg::Indefinite) => {
                self.pos = start;
                self.fail("a break code outside an indefinite-length item")
            }
            _ => {
                self.pos = start;
                self.fail("an indefinite-length integer or tag")
            }
        }
    }
}

fn string_item(major: u8, bytes: Vec<u8>) -> Item {
    if major == 2 {
        Item::Bytes(bytes)
    } else {
        match String::from_utf8(bytes) {
            Ok(s) => Item::Text(s),
            Err(e) => Item::BadText(e.into_bytes()),
        }
    }
}

/// Reads the first data item of `input`; returns it and the number of bytes it used.
pub(crate) fn read_item(input: &[u8]) -> Result<(Item, usize), ReadError> {
    let mut r = Reader {
        buf: input,
        pos: 0,
        items: 0,
    };
    let item = r.item(1)?;
    Ok((item, r.pos))
}

/// Reads `input` as exactly one data item.
pub(crate) fn read_exact(input: &[u8]) -> Option<Item> {
    match read_item(input) {
        Ok((item, used)) if used == input.len() => Some(item),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Diagnostic notation
// ---------------------------------------------------------------------------------------------

/// What a map or array is, for the comments printed beside it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// Nothing known.
    Plain,
    /// The top of a token: a tag 18 / 61 or the COSE_Sign1 array.
    Top,
    /// A COSE header map.
    Header,
    /// An EAT claims map.
    Claims,
    /// The `submods` map: names to claims sets.
    Submods,
}

/// Diagnostic notation of a token, with whether any of it was left out.
#[derive(Clone, Debug)]
pub(crate) struct Diag {
    /// The notation.
    pub(crate) text: String,
    /// True when a string was shortened or entries were left out (the notation says where, in
    /// `/ ... /` comments).
    pub(crate) shortened: bool,
}

/// Diagnostic notation of a whole token, with the COSE_Sign1 positions, header labels and claim
/// names as comments, and the protected header and the payload shown as embedded CBOR `<<...>>`.
/// Bounded as [`crate::render`] says: long strings shortened, at most
/// [`crate::render::SHOWN_ENTRIES`] entries of a map or array and
/// [`crate::render::SHOWN_VALUES`] values in all, each cut said in a comment.
pub(crate) fn token_diag(item: &Item) -> Diag {
    let budget = Budget::new();
    let mut w = Edn {
        s: String::new(),
        budget: &budget,
        shortened: false,
    };
    w.item(item, Ctx::Top, 0);
    Diag {
        text: w.s,
        shortened: w.shortened,
    }
}

/// Diagnostic notation of a single item, no comments, bounded as [`token_diag`], taking the
/// values it shows from `budget` (shared with what prints around it).
pub(crate) fn diag_within(item: &Item, budget: &Budget) -> String {
    let mut w = Edn {
        s: String::new(),
        budget,
        shortened: false,
    };
    w.item(item, Ctx::Plain, 0);
    w.s
}

/// A diagnostic notation being written.
struct Edn<'b> {
    s: String,
    budget: &'b Budget,
    shortened: bool,
}

fn is_container(item: &Item) -> bool {
    matches!(item, Item::Array(_) | Item::Map(_) | Item::Tag(..))
}

/// A byte string that itself holds exactly one map or array (a header or a claims map).
fn embedded(bytes: &[u8]) -> Option<Item> {
    match read_exact(bytes) {
        Some(item @ (Item::Map(_) | Item::Array(_))) => Some(item),
        _ => None,
    }
}

fn write_float(s: &mut String, f: f64) {
    if f.is_nan() {
        s.push_str("NaN");
    } else if f.is_infinite() {
        s.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
    } else if f == f.trunc() && f.abs() < 1e15 {
        let _ = write!(s, "{f:.1}");
    } else {
        let _ = write!(s, "{f}");
    }
}

/// An integer map key as a label (`None` for other items and integers beyond `i64`).
fn int_label(key: &Item) -> Option<i64> {
    match *key {
        Item::Uint(v) => i64::try_from(v).ok(),
        Item::Nint(v) => i64::try_from(v).ok().map(|v| -1 - v),
        _ => None,
    }
}

fn label_comment(ctx: Ctx, key: &Item) -> Option<&'static str> {
    let k = int_label(key)?;
    match ctx {
        Ctx::Header => match k {
            label::ALG => Some("alg"),
            label::CRIT => Some("crit"),
            label::CONTENT_TYPE => Some("content type"),
            label::KID => Some("kid"),
            5 => Some("IV"),
            6 => Some("Partial IV"),
            _ => None,
        },
        Ctx::Claims => claim_name(k),
        _ => None,
    }
}

/// The name of value `v` of a registered enumeration.
fn enum_comment<T: Registered>(v: u64) -> Option<String> {
    T::ALL
        .iter()
        .find(|x| x.value() == v)
        .map(|x| x.name().to_string())
}

fn value_comment(ctx: Ctx, key: &Item, value: &Item) -> Option<String> {
    let claim = match ctx {
        Ctx::Claims => int_label(key),
        _ => None,
    };
    match (ctx, key, value) {
        // The algorithm this crate signs with, and the others a token is likely to name (IANA
        // COSE Algorithms).
        (Ctx::Header, _, _) if int_label(key) == Some(label::ALG) => match int_label(value)? {
            ES256 => Some("ES256".into()),
            -35 => Some("ES384".into()),
            -36 => Some("ES512".into()),
            -8 => Some("EdDSA".into()),
            _ => None,
        },
        (Ctx::Claims, _, Item::Uint(v)) => match claim? {
            DebugStatus::CLAIM => enum_comment::<DebugStatus>(*v),
            IntendedUse::CLAIM => enum_comment::<IntendedUse>(*v),
            Promise::CLAIM => enum_comment::<Promise>(*v),
            Lifecycle::CLAIM => enum_comment::<Lifecycle>(*v),
            _ => None,
        },
        // Comments repeat a value in another form, so only for values shown whole.
        (Ctx::Claims, _, Item::Bytes(b))
            if claim == Some(key::HWMODEL) && b.len() <= SHOWN_BYTES =>
        {
            std::str::from_utf8(b)
                .ok()
                .filter(|t| t.chars().all(|c| c.is_ascii_graphic() || c == ' '))
                .map(|t| format!("\"{t}\""))
        }
        (Ctx::Claims, _, Item::Bytes(b))
            if claim == Some(key::EAT_PROFILE) && b.len() <= SHOWN_BYTES =>
        {
            oid_to_text(b).map(|o| format!("OID {o}"))
        }
        _ => None,
    }
}

impl Edn<'_> {
    fn indent(&mut self, level: usize) {
        for _ in 0..level {
            self.s.push_str("  ");
        }
    }

    /// ` / shortened: N bytes in all /` after a string cut at [`SHOWN_BYTES`].
    fn shortened_from(&mut self, total: usize) {
        if total > SHOWN_BYTES {
            self.shortened = true;
            let _ = write!(self.s, "… / shortened: {total} bytes in all /");
        }
    }

    /// The comment standing for `n` entries left out, if any.
    fn omitted(&mut self, n: usize) -> bool {
        if n == 0 {
            return false;
        }
        self.shortened = true;
        let _ = write!(self.s, "/ {} /", omitted_note(n));
        true
    }

    fn text(&mut self, text: &str) {
        self.s.push('"');
        for c in text_head(text).chars() {
            match c {
                '"' => self.s.push_str("\\\""),
                '\\' => self.s.push_str("\\\\"),
                '\n' => self.s.push_str("\\n"),
                '\r' => self.s.push_str("\\r"),
                '\t' => self.s.push_str("\\t"),
                c if c.is_control() => {
                    let _ = write!(self.s, "\\u{:04x}", u32::from(c));
                }
                c => self.s.push(c),
            }
        }
        self.s.push('"');
        self.shortened_from(text.len());
    }

    fn bytes(&mut self, b: &[u8]) {
        let _ = write!(self.s, "h'{}'", hex::encode(bytes_head(b)));
        self.shortened_from(b.len());
    }

    fn item(&mut self, item: &Item, ctx: Ctx, level: usize) {
        self.budget.take();
        match item {
            Item::Uint(v) => {
                let _ = write!(self.s, "{v}");
            }
            Item::Nint(v) => {
                let _ = write!(self.s, "{}", -1 - i128::from(*v));
            }
            // Embedded CBOR is shown for headers and claims maps only, and only while the
            // printed nesting is bounded: a submodule can hold a byte string holding claims,
            // and so on.
            Item::Bytes(b) => match (ctx, level < MAX_DEPTH, embedded(b)) {
                (Ctx::Header | Ctx::Claims, true, Some(inner)) => {
                    self.s.push_str("<< ");
                    self.item(&inner, ctx, level);
                    self.s.push_str(" >>");
                }
                _ => self.bytes(b),
            },
            Item::Text(t) => self.text(t),
            Item::BadText(b) => {
                self.bytes(b);
                self.s.push_str(" / text that is not UTF-8 /");
            }
            Item::Tag(tag, inner) => {
                let inner_ctx = if ctx == Ctx::Top && (*tag == 18 || *tag == 61) {
                    Ctx::Top
                } else {
                    Ctx::Plain
                };
                let _ = write!(self.s, "{tag}(");
                self.item(inner, inner_ctx, level);
                self.s.push(')');
            }
            Item::Float(f) => write_float(&mut self.s, *f),
            Item::Simple(v) => match v {
                20 => self.s.push_str("false"),
                21 => self.s.push_str("true"),
                22 => self.s.push_str("null"),
                23 => self.s.push_str("undefined"),
                v => {
                    let _ = write!(self.s, "simple({v})");
                }
            },
            Item::Array(items) => self.array(items, ctx, level),
            Item::Map(entries) => self.map(entries, ctx, level),
        }
    }

    fn array(&mut self, items: &[Item], ctx: Ctx, level: usize) {
        let sign1 = ctx == Ctx::Top && items.len() == 4;
        if !sign1 && !items.iter().any(is_container) {
            self.s.push('[');
            let mut shown = 0;
            for it in items {
                if !self.budget.allows(shown) {
                    break;
                }
                if shown > 0 {
                    self.s.push_str(", ");
                }
                self.item(it, Ctx::Plain, level);
                shown += 1;
            }
            if shown > 0 && shown < items.len() {
                self.s.push_str(", ");
            }
            self.omitted(items.len() - shown);
            self.s.push(']');
            return;
        }
        self.s.push_str("[\n");
        let mut shown = 0;
        for (i, it) in items.iter().enumerate() {
            if !sign1 && !self.budget.allows(shown) {
                break;
            }
            self.indent(level + 1);
            let item_ctx = if sign1 {
                let name = ["protected", "unprotected", "payload", "signature"]
                    .get(i)
                    .copied()
                    .unwrap_or("");
                let _ = write!(self.s, "/ {name} / ");
                match i {
                    0 | 1 => Ctx::Header,
                    2 => Ctx::Claims,
                    _ => Ctx::Plain,
                }
            } else {
                Ctx::Plain
            };
            self.item(it, item_ctx, level + 1);
            shown += 1;
            if i + 1 < items.len() {
                self.s.push(',');
            }
            self.s.push('\n');
        }
        if shown < items.len() {
            self.indent(level + 1);
            self.omitted(items.len() - shown);
            self.s.push('\n');
        }
        self.indent(level);
        self.s.push(']');
    }

    fn map(&mut self, entries: &[(Item, Item)], ctx: Ctx, level: usize) {
        let commented = matches!(ctx, Ctx::Header | Ctx::Claims | Ctx::Submods);
        if entries.is_empty() {
            self.s.push_str("{}");
            return;
        }
        if !commented && entries.len() <= 4 && !entries.iter().any(|(_, v)| is_container(v)) {
            self.s.push('{');
            let mut shown = 0;
            for (k, v) in entries {
                if !self.budget.allows(shown) {
                    break;
                }
                if shown > 0 {
                    self.s.push_str(", ");
                }
                self.item(k, Ctx::Plain, level);
                self.s.push_str(": ");
                self.item(v, Ctx::Plain, level);
                shown += 1;
            }
            if shown > 0 && shown < entries.len() {
                self.s.push_str(", ");
            }
            self.omitted(entries.len() - shown);
            self.s.push('}');
            return;
        }
        self.s.push_str("{\n");
        let mut shown = 0;
        for (i, (k, v)) in entries.iter().enumerate() {
            if !self.budget.allows(shown) {
                break;
            }
            self.indent(level + 1);
            self.item(k, Ctx::Plain, level + 1);
            if let Some(name) = label_comment(ctx, k) {
                let _ = write!(self.s, " / {name} /");
            }
            self.s.push_str(": ");
            let value_ctx = match (ctx, k) {
                (Ctx::Claims, k) if int_label(k) == Some(key::SUBMODS) => Ctx::Submods,
                (Ctx::Submods, _) => Ctx::Claims,
                _ => Ctx::Plain,
            };
            self.item(v, value_ctx, level + 1);
            if let Some(c) = value_comment(ctx, k, v) {
                let _ = write!(self.s, " / {c} /");
            }
            shown += 1;
            if i + 1 < entries.len() {
                self.s.push(',');
            }
            self.s.push('\n');
        }
        if shown < entries.len() {
            self.indent(level + 1);
            self.omitted(entries.len() - shown);
            self.s.push('\n');
        }
        self.indent(level);
        self.s.push('}');
    }
}

// ---------------------------------------------------------------------------------------------
// Duplicate keys, named
// ---------------------------------------------------------------------------------------------

/// A key as a message quotes it: a few values of it at most (a key can be any item).
fn key_text(key: &Item, ctx: Ctx) -> String {
    let shown = diag_within(key, &Budget::of(KEY_VALUES));
    match label_comment(ctx, key) {
        Some(name) => format!("{shown} ({name})"),
        None => shown,
    }
}

fn first_duplicate(entries: &[(Item, Item)]) -> Option<&Item> {
    if entries.len() > MAX_DUPLICATE_SEARCH {
        return None;
    }
    entries.iter().enumerate().find_map(|(i, (k, _))| {
        entries
            .iter()
            .skip(i + 1)
            .any(|(other, _)| other == k)
            .then_some(k)
    })
}

/// The first duplicated key in any map inside `item` (depth first), described.
fn find_in(item: &Item, ctx: Ctx, place: &str) -> Option<String> {
    match item {
        Item::Map(entries) => {
            if let Some(k) = first_duplicate(entries) {
                let what = match ctx {
                    Ctx::Claims => "claim",
                    Ctx::Header => "label",
                    Ctx::Submods => "submodule name",
                    _ => "key",
                };
                return Some(format!("duplicate {what} {} in {place}", key_text(k, ctx)));
            }
            entries.iter().find_map(|(k, v)| {
                let (value_ctx, value_place) = match (ctx, k) {
                    (Ctx::Claims, k) if int_label(k) == Some(key::SUBMODS) => {
                        (Ctx::Submods, format!("the submods of {place}"))
                    }
                    (Ctx::Submods, Item::Text(name)) => {
                        (Ctx::Claims, format!("submodule {}", text_shown(name, true)))
                    }
                    // A map deeper inside is still inside that one: the message stays short
                    // however deep the map.
                    _ if ctx == Ctx::Plain && place.starts_with(NESTED) => {
                        (Ctx::Plain, place.to_string())
                    }
                    _ => (
                        Ctx::Plain,
                        format!("{NESTED}{} of {place}", key_text(k, ctx)),
                    ),
                };
                find_in(k, Ctx::Plain, place).or_else(|| find_in(v, value_ctx, &value_place))
            })
        }
        Item::Array(items) => items.iter().find_map(|i| find_in(i, Ctx::Plain, place)),
        Item::Tag(_, inner) => find_in(inner, Ctx::Plain, place),
        _ => None,
    }
}

/// Names the first duplicated key of a token, e.g. "duplicate claim 10 (nonce) in the claims
/// map", looking into the headers, the claims map and nested submodules.
pub(crate) fn find_duplicate(token: &[u8]) -> Option<String> {
    let (mut item, _) = read_item(token).ok()?;
    while let Item::Tag(_, inner) = item {
        item = *inner;
    }
    let Item::Array(parts) = item else {
        return find_in(&item, Ctx::Plain, "the message");
    };
    let places = [
        (Ctx::Header, "the protected header"),
        (Ctx::Header, "the unprotected header"),
        (Ctx::Claims, "the claims map"),
    ];
    for (part, (ctx, place)) in parts.iter().zip(places) {
        let found = match part {
            Item::Bytes(b) => read_exact(b).and_then(|inner| find_in(&inner, ctx, place)),
            other => find_in(other, ctx, place),
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain_diag(item: &Item) -> String {
        diag_within(item, &Budget::new())
    }

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    #[test]
    fn reads_and_prints_every_kind() {
        let (item, used) = read_item(&h("83 01 20 a2 61 61 f5 42 0102 f9 3c00")).unwrap();
        assert_eq!(used, 13);
        assert_eq!(
            plain_diag(&item),
            "[\n  1,\n  -1,\n  {\"a\": true, h'0102': 1.0}\n]"
        );
        let (item, _) = read_item(&h("83 01 20 41 ff")).unwrap();
        assert_eq!(plain_diag(&item), "[1, -1, h'ff']");
        let (item, _) = read_item(&h("7f 61 61 61 62 ff")).unwrap();
        assert_eq!(item, Item::Text("ab".into()));
        assert_eq!(
            plain_diag(&read_item(&h("c1 1a 514b67b0")).unwrap().0),
            "1(1363896240)"
        );
    }

    #[test]
    fn long_strings_and_big_containers_are_cut_with_notes() {
        let item = Item::Array(vec![Item::Bytes(vec![1; 100]), Item::Text("é".repeat(40))]);
        assert_eq!(
            plain_diag(&item),
            format!(
                "[h'{}'… / shortened: 100 bytes in all /, \"{}\"… / shortened: 80 bytes in all /]",
                "01".repeat(SHOWN_BYTES),
                "é".repeat(32)
            )
        );
        let many = Item::Array((0..100).map(Item::Uint).collect());
        let text = plain_diag(&many);
        assert!(
            text.ends_with(", 31, / … 68 more entries not shown /]"),
            "{text}"
        );
        let map = Item::Map((0..40).map(|i| (Item::Uint(i), Item::Uint(i))).collect());
        assert!(plain_diag(&map).ends_with("  31: 31,\n  / … 8 more entries not shown /\n}"));
        // The budget bounds the whole: 32 x 32 x 32 values print about 1 024 of them.
        let leaf = Item::Array((0..32).map(Item::Uint).collect());
        let mid = Item::Array(vec![leaf; 32]);
        let top = Item::Array(vec![mid; 32]);
        let d = token_diag(&top);
        assert!(d.shortened);
        assert!(d.text.len() < 16 * 1024, "{}", d.text.len());
        assert!(d.text.contains("more entries not shown"));
        let small = token_diag(&Item::Array(vec![Item::Uint(1)]));
        assert!(!small.shortened);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [
            "",
            "1c",
            "5b ffffffffffffffff",
            "9b ffffffffffffffff",
            "ff",
            "f8 10",
            "5f 01 ff",
        ] {
            assert!(read_item(&h(bad)).is_err(), "{bad}");
        }
        let deep = vec![0x81; 200];
        assert_eq!(
            read_item(&deep).unwrap_err().what,
            "nested too deeply to show"
        );
    }

    #[test]
    fn duplicates_are_named() {
        // 18([h'a10126', {}, <<{10: h'00..', 10: h'00..'}>>, h'']) (claims map with nonce twice)
        let payload = h("a2 0a 48 0000000000000000 0a 48 0000000000000000");
        let mut token = h("d2 84 43 a10126 a0");
        token.push(0x58);
        token.push(u8::try_from(payload.len()).unwrap());
        token.extend_from_slice(&payload);
        token.push(0x40);
        assert_eq!(
            find_duplicate(&token).unwrap(),
            "duplicate claim 10 (nonce) in the claims map"
        );
        let token = h("d2 84 43 a10126 a2 04 41 00 04 41 01 40 40");
        assert_eq!(
            find_duplicate(&token).unwrap(),
            "duplicate label 4 (kid) in the unprotected header"
        );
    }
}
