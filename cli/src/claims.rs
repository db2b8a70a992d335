//! The JSON claims format: EAT claims with readable names, read into the library's borrowed
//! [`Claims`] (values allocated in a bump arena that outlives them) and written back from any
//! decoded claims set. The format is the same in both directions, so `ecnpp verify --json`
//! output (its `claims` member) is a valid `ecnpp sign --claims` input.
//!
//! Conventions (docs/cli.md has the full table):
//! * names are the RFC 9711 / RFC 8392 claim names (`nonce`, `ueid`, `dbgstat`, `eat_profile`,
//!   ...) and the profile's `ecnpp-*` names; an unknown name is an error, with a suggestion;
//! * byte strings are hex strings; `{"text": "..."}` gives the UTF-8 bytes of a text instead;
//! * enumerations are names (`"dbgstat": "disabled-permanently"`) or their numbers;
//! * times are epoch seconds, or `"now"`, `"now+300"`, `"now-60"`;
//! * `eat_profile` is a dotted OID or a URI;
//! * claims without a name go in `"extra": {"-70000": "<hex of one CBOR item>"}`.

use std::fmt::Write as _;

use bumpalo::Bump;
use ecnpp_attest::eat::{
    CLAIM_NAMES, Claims, DebugStatus, Dloa, Extra, HwModel, IntendedUse, Label, List, Location,
    MAX_SUBMODULE_DEPTH, MeasResGroup, MeasResult, Measurement, NamedSubmodule, NamedUeid,
    NestedToken, Nonce, NonceClaim, OemId, Profile, RawValue, ResultCode, ResultId, Submodule,
    Ueid, Version, claim_key, claim_name, key,
};
use ecnpp_attest::eat::{Lifecycle, Promise, Robustness};
use ecnpp_attest::ecnpp::{PROFILE, PROFILE_OID_TEXT};
use serde_json::{Map, Value, json};

use crate::diag::{diag_within, read_exact};
use crate::render::{Budget, OMITTED, SHOWN_BYTES, hex_json, name_shown, text_json};

/// A registered enumeration of the library (`dbgstat`, `intuse`, the profile's promise and
/// lifecycle, measurement results): its values and names come from the library's one list.
pub(crate) trait Registered: Copy + 'static {
    /// Every value, in ascending order.
    const ALL: &'static [Self];
    /// The registered value.
    fn value(self) -> u64;
    /// The name used in claims files, policies and listings.
    fn name(self) -> &'static str;
}

macro_rules! registered {
    ($($t:ty),*) => {$(
        impl Registered for $t {
            const ALL: &'static [Self] = <$t>::ALL;
            fn value(self) -> u64 {
                <$t>::value(self)
            }
            fn name(self) -> &'static str {
                <$t>::name(self)
            }
        }
    )*};
}
registered!(DebugStatus, IntendedUse, Promise, Lifecycle, ResultCode);

/// The names of a registered enumeration, in value order.
pub(crate) fn names_of<T: Registered>() -> Vec<&'static str> {
    T::ALL.iter().map(|v| v.name()).collect()
}

/// The member of a claims object that holds claims without a name, by key.
const EXTRA: &str = "extra";

/// `256 (ueid)`, or just `-70000` for a claim without a name.
pub(crate) fn claim_label(k: i64) -> String {
    match claim_name(k) {
        Some(n) => format!("{k} ({n})"),
        None => k.to_string(),
    }
}

/// Edit distance, for "did you mean" suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let diag = prev + usize::from(ca != *cb);
            prev = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = diag
                    .min(above.saturating_add(1))
                    .min(left.saturating_add(1));
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// ` (did you mean "dbgstat"?)` when a known name is close to `given`.
pub(crate) fn suggestion<'n>(given: &str, names: impl IntoIterator<Item = &'n str>) -> String {
    names
        .into_iter()
        .map(|n| (distance(given, n), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 4))
        .min()
        .map(|(_, n)| format!(" (did you mean \"{n}\"?)"))
        .unwrap_or_default()
}

/// An enumeration value: one of the registered names, or its number.
pub(crate) fn enum_value<T: Registered>(v: &Value, path: &str) -> Result<T, String> {
    let names = names_of::<T>();
    match v {
        Value::String(s) => T::ALL
            .iter()
            .copied()
            .find(|x| x.name() == s)
            .ok_or_else(|| {
                format!(
                    "{path}: unknown value \"{s}\"{}; expected one of: {}",
                    suggestion(s, names.iter().copied()),
                    names.join(", ")
                )
            }),
        Value::Number(n) => n
            .as_u64()
            .and_then(|i| T::ALL.iter().copied().find(|x| x.value() == i))
            .ok_or_else(|| {
                let first = T::ALL.first().map_or(0, |x| x.value());
                let last = T::ALL.last().map_or(0, |x| x.value());
                format!(
                    "{path}: {n} is out of range; expected {first} to {last} or one of: {}",
                    names.join(", ")
                )
            }),
        _ => Err(format!("{path}: expected one of: {}", names.join(", "))),
    }
}

/// Encodes a dotted OID (`2.25.5955...1`) as its BER content bytes.
pub(crate) fn oid_to_bytes(dotted: &str) -> Option<Vec<u8>> {
    let arcs: Vec<u128> = dotted
        .split('.')
        .map(|a| a.parse::<u128>().ok())
        .collect::<Option<_>>()?;
    let (&a0, rest) = arcs.split_first()?;
    let (&a1, rest) = rest.split_first()?;
    if a0 > 2 || (a0 < 2 && a1 >= 40) {
        return None;
    }
    let mut out = Vec::new();
    for arc in std::iter::once(a0.checked_mul(40)?.checked_add(a1)?).chain(rest.iter().copied()) {
        let mut groups = vec![u8::try_from(arc & 0x7f).ok()?];
        let mut v = arc >> 7;
        while v > 0 {
            groups.push(u8::try_from(v & 0x7f).ok()? | 0x80);
            v >>= 7;
        }
        out.extend(groups.iter().rev());
    }
    Some(out)
}

/// Decodes BER OID content bytes to dotted text (None when malformed or an arc exceeds 128
/// bits).
pub(crate) fn oid_to_text(bytes: &[u8]) -> Option<String> {
    let mut arcs = Vec::new();
    let mut v: u128 = 0;
    let mut in_arc = false;
    for &b in bytes {
        if !in_arc && b == 0x80 {
            return None; // not the shortest form
        }
        if v > (u128::MAX >> 7) {
            return None;
        }
        v = (v << 7) | u128::from(b & 0x7f);
        in_arc = b & 0x80 != 0;
        if !in_arc {
            arcs.push(v);
            v = 0;
        }
    }
    if in_arc {
        return None;
    }
    let (&first, rest) = arcs.split_first()?;
    let (a0, a1) = match first {
        0..=39 => (0, first),
        40..=79 => (1, first - 40),
        _ => (2, first - 80),
    };
    let mut s = format!("{a0}.{a1}");
    for arc in rest {
        let _ = write!(s, ".{arc}");
    }
    Some(s)
}

// ---------------------------------------------------------------------------------------------
// JSON -> Claims
// ---------------------------------------------------------------------------------------------

/// Reads JSON values into library types, allocating in `bump`.
pub(crate) struct Reader<'a> {
    /// Where slices and decoded bytes live.
    pub(crate) bump: &'a Bump,
    /// The clock for `"now"`.
    pub(crate) now: i64,
}

type R<T> = Result<T, String>;

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `path: expected X, found Y`.
pub(crate) fn expected(path: &str, what: &str, v: &Value) -> String {
    format!("{path}: expected {what}, found {}", kind(v))
}

impl<'a> Reader<'a> {
    /// A JSON object's members.
    pub(crate) fn object(v: &'a Value, path: &str) -> R<&'a Map<String, Value>> {
        v.as_object().ok_or_else(|| expected(path, "an object", v))
    }

    /// A JSON array's elements.
    pub(crate) fn array(v: &'a Value, path: &str) -> R<&'a [Value]> {
        v.as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| expected(path, "an array", v))
    }

    /// A text string, borrowed from the JSON.
    pub(crate) fn text(v: &'a Value, path: &str) -> R<&'a str> {
        v.as_str().ok_or_else(|| expected(path, "a string", v))
    }

    /// A boolean.
    pub(crate) fn bool(v: &Value, path: &str) -> R<bool> {
        v.as_bool()
            .ok_or_else(|| expected(path, "true or false", v))
    }

    /// A signed integer.
    pub(crate) fn int(v: &Value, path: &str) -> R<i64> {
        v.as_i64()
            .ok_or_else(|| expected(path, "an integer (64-bit signed)", v))
    }

    /// An unsigned integer.
    pub(crate) fn uint(v: &Value, path: &str) -> R<u64> {
        v.as_u64()
            .ok_or_else(|| expected(path, "an unsigned integer", v))
    }

    /// Epoch seconds, or `"now"`, `"now+N"`, `"now-N"`.
    pub(crate) fn time(&self, v: &Value, path: &str) -> R<i64> {
        if let Some(s) = v.as_str() {
            let offset = match s.strip_prefix("now") {
                Some("") => Some(0),
                Some(rest) => rest
                    .strip_prefix('+')
                    .and_then(|n| n.parse::<i64>().ok())
                    .or_else(|| {
                        rest.strip_prefix('-')
                            .and_then(|n| n.parse::<i64>().ok())
                            .map(|n| -n)
                    }),
                None => None,
            };
            return offset
                .map(|o| self.now.saturating_add(o))
                .ok_or_else(|| format!("{path}: expected epoch seconds, \"now\" or \"now+N\""));
        }
        v.as_i64()
            .ok_or_else(|| expected(path, "epoch seconds or \"now\"", v))
    }

    /// A byte string: hex text, or `{"text": "..."}` for UTF-8 bytes.
    pub(crate) fn bytes(&self, v: &'a Value, path: &str) -> R<&'a [u8]> {
        match v {
            Value::String(s) => {
                let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                let raw = hex::decode(&compact).map_err(|e| {
                    format!(
                        "{path}: not hex ({e}); write text as {{\"text\": \"{}\"}}",
                        s.chars().take(24).collect::<String>()
                    )
                })?;
                Ok(self.bump.alloc_slice_copy(&raw))
            }
            Value::Object(m) if m.len() == 1 => match m.get("text") {
                Some(Value::String(t)) => Ok(t.as_bytes()),
                _ => Err(format!(
                    "{path}: expected a hex string or {{\"text\": \"...\"}}"
                )),
            },
            _ => Err(expected(path, "a hex string or {\"text\": \"...\"}", v)),
        }
    }

    fn slice<T: Copy>(&self, items: &[T]) -> &'a [T] {
        self.bump.alloc_slice_copy(items)
    }

    /// A non-empty list from a JSON array.
    fn list<T: Copy>(
        &self,
        v: &'a Value,
        path: &str,
        f: impl Fn(&Self, &'a Value, &str) -> R<T>,
    ) -> R<&'a [T]> {
        let arr = Self::array(v, path)?;
        if arr.is_empty() {
            return Err(format!("{path}: must not be empty"));
        }
        let items = arr
            .iter()
            .enumerate()
            .map(|(i, x)| f(self, x, &format!("{path}[{i}]")))
            .collect::<R<Vec<T>>>()?;
        Ok(self.slice(&items))
    }

    fn pair(v: &'a Value, path: &str, what: &str) -> R<(&'a Value, &'a Value)> {
        match Self::array(v, path)? {
            [a, b] => Ok((a, b)),
            _ => Err(format!("{path}: expected {what}")),
        }
    }

    /// A dotted OID or a URI.
    pub(crate) fn profile(&self, v: &'a Value, path: &str) -> R<Profile<'a>> {
        let s = Self::text(v, path)?;
        if s.contains(':') {
            return Ok(Profile::Uri(s));
        }
        let oid = oid_to_bytes(s).ok_or_else(|| {
            format!("{path}: \"{s}\" is neither a dotted OID nor a URI (the ECN PP profile is {PROFILE_OID_TEXT})")
        })?;
        Ok(Profile::Oid(self.slice(&oid)))
    }

    fn version(v: &'a Value, path: &str) -> R<Version<'a>> {
        match v {
            Value::String(s) => Ok(Version {
                version: s,
                scheme: None,
            }),
            Value::Array(a) => match a.as_slice() {
                [ver, scheme] => Ok(Version {
                    version: Self::text(ver, &format!("{path}[0]"))?,
                    scheme: Some(Self::int(scheme, &format!("{path}[1]"))?),
                }),
                _ => Err(format!("{path}: expected \"1.2.3\" or [\"1.2.3\", scheme]")),
            },
            _ => Err(expected(path, "a version string or [version, scheme]", v)),
        }
    }

    fn measurement(&self, v: &'a Value, path: &str) -> R<Measurement<'a>> {
        let (t, c) = Self::pair(v, path, "[content-format, \"hex\"]")?;
        let content_type = u16::try_from(Self::uint(t, &format!("{path}[0]"))?)
            .map_err(|_| format!("{path}[0]: a CoAP content format is at most 65535"))?;
        Ok(Measurement {
            content_type,
            content: self.bytes(c, &format!("{path}[1]"))?,
        })
    }

    fn location(v: &'a Value, path: &str) -> R<Location> {
        let m = Self::object(v, path)?;
        let mut loc = Location::default();
        let num = |x: &Value, p: &str| x.as_f64().ok_or_else(|| expected(p, "a number", x));
        let (mut lat, mut lon) = (false, false);
        for (k, x) in m {
            let p = join(path, k);
            match k.as_str() {
                "latitude" => (loc.latitude, lat) = (num(x, &p)?, true),
                "longitude" => (loc.longitude, lon) = (num(x, &p)?, true),
                "altitude" => loc.altitude = Some(num(x, &p)?),
                "accuracy" => loc.accuracy = Some(num(x, &p)?),
                "altitude_accuracy" => loc.altitude_accuracy = Some(num(x, &p)?),
                "heading" => loc.heading = Some(num(x, &p)?),
                "speed" => loc.speed = Some(num(x, &p)?),
                "timestamp" => loc.timestamp = Some(Self::int(x, &p)?),
                "age" => loc.age = Some(Self::uint(x, &p)?),
                other => return Err(format!("{path}: unknown location field \"{other}\"")),
            }
        }
        if lat && lon {
            Ok(loc)
        } else {
            Err(format!("{path}: latitude and longitude are required"))
        }
    }

    fn submodule(&self, v: &'a Value, path: &str, depth: usize) -> R<Submodule<'a>> {
        match v {
            Value::Object(_) => Ok(Submodule::Claims(self.claims_at(v, path, depth + 1)?)),
            Value::String(_) => {
                let t = NestedToken::new(self.bytes(v, path)?).map_err(|e| {
                    format!(
                        "{path}: not a nested token (a tag-18 COSE_Sign1, or a tag-61 CWT around \
                         one) in hex ({})",
                        crate::fail::explain(e)
                    )
                })?;
                Ok(Submodule::Token(t))
            }
            Value::Array(a) => match a.as_slice() {
                [alg, digest] => Ok(Submodule::Digest {
                    alg: match alg {
                        Value::String(s) => Label::Text(s),
                        other => Label::Int(Self::int(other, &format!("{path}[0]"))?),
                    },
                    digest: self.bytes(digest, &format!("{path}[1]"))?,
                }),
                _ => Err(format!("{path}: a digest submodule is [alg, \"hex\"]")),
            },
            _ => Err(expected(
                path,
                "a claims object, a hex nested token or [alg, \"hex digest\"]",
                v,
            )),
        }
    }

    fn meas_result(&self, v: &'a Value, path: &str) -> R<MeasResult<'a>> {
        let (id, res) = Self::pair(v, path, "[id, result]")?;
        let id = match id {
            Value::Object(m) if m.contains_key("text") => ResultId::Text(
                m.get("text")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{path}[0]: expected {{\"text\": \"...\"}}"))?,
            ),
            other => ResultId::Bytes(self.bytes(other, &format!("{path}[0]"))?),
        };
        let result = enum_value(res, &format!("{path}[1]"))?;
        Ok(MeasResult { id, result })
    }

    /// A robustness entry `[scheme, level]`.
    pub(crate) fn robustness(v: &'a Value, path: &str) -> R<Robustness<'a>> {
        let (scheme, level) = Self::pair(v, path, "[\"scheme\", \"level\"]")?;
        Ok(Robustness {
            scheme: Self::text(scheme, &format!("{path}[0]"))?,
            level: Self::text(level, &format!("{path}[1]"))?,
        })
    }

    /// A list of robustness entries (may be empty: a policy lists none for some configs).
    pub(crate) fn robustness_list(&self, v: &'a Value, path: &str) -> R<&'a [Robustness<'a>]> {
        let items = Self::array(v, path)?
            .iter()
            .enumerate()
            .map(|(i, x)| Self::robustness(x, &format!("{path}[{i}]")))
            .collect::<R<Vec<_>>>()?;
        Ok(self.slice(&items))
    }

    /// A list of measurements (may be empty).
    pub(crate) fn measurement_list(&self, v: &'a Value, path: &str) -> R<&'a [Measurement<'a>]> {
        let items = Self::array(v, path)?
            .iter()
            .enumerate()
            .map(|(i, x)| self.measurement(x, &format!("{path}[{i}]")))
            .collect::<R<Vec<_>>>()?;
        Ok(self.slice(&items))
    }

    /// An `oemid`: 3 (IEEE OUI) or 16 (random) bytes in hex, or a number (IANA PEN).
    pub(crate) fn oemid(&self, v: &'a Value, path: &str) -> R<OemId<'a>> {
        match v {
            Value::Number(_) => Ok(OemId::Pen(Self::uint(v, path)?)),
            _ => {
                let b = self.bytes(v, path)?;
                OemId::from_bytes(b).map_err(|_| {
                    format!(
                        "{path}: an oemid is 3 bytes (IEEE OUI), 16 bytes (random) or a number \
                         (IANA PEN); this one has {} bytes",
                        b.len()
                    )
                })
            }
        }
    }

    /// A top-level claims object.
    pub(crate) fn claims(&self, v: &'a Value) -> R<Claims<'a>> {
        self.claims_at(v, "", 0)
    }

    #[allow(clippy::too_many_lines)] // one arm per claim: splitting it would only scatter them
    fn claims_at(&self, v: &'a Value, path: &str, depth: usize) -> R<Claims<'a>> {
        if depth > MAX_SUBMODULE_DEPTH {
            return Err(format!(
                "{path}: submodules nested too deeply (at most {MAX_SUBMODULE_DEPTH} levels)"
            ));
        }
        let shown = if path.is_empty() { "the claims" } else { path };
        let m = Self::object(v, shown)?;
        let mut c = Claims::default();
        for (name, x) in m {
            let p = join(path, name);
            let p = p.as_str();
            let size = |what: &str, min: usize, max: usize, len: usize| {
                format!("{p}: {what} is {min} to {max} bytes; this one has {len}")
            };
            match claim_key(name) {
                Some(key::ISS) => c.iss = Some(Self::text(x, p)?),
                Some(key::SUB) => c.sub = Some(Self::text(x, p)?),
                Some(key::AUD) => c.aud = Some(Self::text(x, p)?),
                Some(key::EXP) => c.exp = Some(self.time(x, p)?),
                Some(key::NBF) => c.nbf = Some(self.time(x, p)?),
                Some(key::IAT) => c.iat = Some(self.time(x, p)?),
                Some(key::CTI) => c.cti = Some(self.bytes(x, p)?),
                Some(key::NONCE) => {
                    let one = |r: &Self, y: &'a Value, q: &str| {
                        let b = r.bytes(y, q)?;
                        Nonce::new(b)
                            .map_err(|_| size("a nonce", Nonce::MIN_LEN, Nonce::MAX_LEN, b.len()))
                    };
                    c.nonce = Some(match x {
                        Value::Array(_) => NonceClaim::Many(List::Items(self.list(x, p, one)?)),
                        _ => NonceClaim::One(one(self, x, p)?),
                    });
                }
                Some(key::UEID) => {
                    let b = self.bytes(x, p)?;
                    c.ueid = Some(
                        Ueid::new(b)
                            .map_err(|_| size("a ueid", Ueid::MIN_LEN, Ueid::MAX_LEN, b.len()))?,
                    );
                }
                Some(key::SUEIDS) => {
                    let items = Self::object(x, p)?
                        .iter()
                        .map(|(n, y)| {
                            let b = self.bytes(y, &join(p, n))?;
                            Ok(NamedUeid {
                                name: n,
                                ueid: Ueid::new(b).map_err(|_| {
                                    size("a ueid", Ueid::MIN_LEN, Ueid::MAX_LEN, b.len())
                                })?,
                            })
                        })
                        .collect::<R<Vec<_>>>()?;
                    if items.is_empty() {
                        return Err(format!("{p}: must not be empty"));
                    }
                    c.sueids = Some(List::Items(self.slice(&items)));
                }
                Some(key::OEMID) => c.oemid = Some(self.oemid(x, p)?),
                Some(key::HWMODEL) => {
                    let b = self.bytes(x, p)?;
                    c.hwmodel = Some(HwModel::new(b).map_err(|_| {
                        size("a hwmodel", HwModel::MIN_LEN, HwModel::MAX_LEN, b.len())
                    })?);
                }
                Some(key::HWVERSION) => c.hwversion = Some(Self::version(x, p)?),
                Some(key::UPTIME) => c.uptime = Some(Self::uint(x, p)?),
                Some(key::OEMBOOT) => c.oemboot = Some(Self::bool(x, p)?),
                Some(key::DBGSTAT) => c.dbgstat = Some(enum_value(x, p)?),
                Some(key::LOCATION) => c.location = Some(Self::location(x, p)?),
                Some(key::EAT_PROFILE) => c.eat_profile = Some(self.profile(x, p)?),
                Some(key::SUBMODS) => {
                    let items = Self::object(x, p)?
                        .iter()
                        .map(|(n, y)| {
                            Ok(NamedSubmodule {
                                name: n,
                                submodule: self.submodule(y, &join(p, n), depth)?,
                            })
                        })
                        .collect::<R<Vec<_>>>()?;
                    if items.is_empty() {
                        return Err(format!("{p}: must not be empty"));
                    }
                    c.submods = Some(List::Items(self.slice(&items)));
                }
                Some(key::BOOTCOUNT) => c.bootcount = Some(Self::uint(x, p)?),
                Some(key::EXI) => c.exi = Some(Self::uint(x, p)?),
                Some(key::BOOTSEED) => c.bootseed = Some(self.bytes(x, p)?),
                Some(key::DLOAS) => {
                    c.dloas = Some(List::Items(self.list(x, p, |_, y, q| {
                        let a = Self::array(y, q)?;
                        let t = |i: usize| -> R<&'a str> {
                            Self::text(a.get(i).unwrap_or(&Value::Null), &format!("{q}[{i}]"))
                        };
                        match a.len() {
                            2 | 3 => Ok(Dloa {
                                registrar: t(0)?,
                                platform: t(1)?,
                                application: if a.len() == 3 { Some(t(2)?) } else { None },
                            }),
                            _ => Err(format!("{q}: expected [registrar, platform, application?]")),
                        }
                    })?));
                }
                Some(key::SWNAME) => c.swname = Some(Self::text(x, p)?),
                Some(key::SWVERSION) => c.swversion = Some(Self::version(x, p)?),
                Some(key::MANIFESTS) => {
                    c.manifests = Some(List::Items(self.list(x, p, Self::measurement)?));
                }
                Some(key::MEASUREMENTS) => {
                    c.measurements = Some(List::Items(self.list(x, p, Self::measurement)?));
                }
                Some(key::MEASRES) => {
                    c.measres = Some(List::Items(self.list(x, p, |r, y, q| {
                        let (system, results) = Self::pair(y, q, "[system, [results]]")?;
                        Ok(MeasResGroup {
                            system: Self::text(system, &format!("{q}[0]"))?,
                            results: List::Items(r.list(
                                results,
                                &format!("{q}[1]"),
                                Self::meas_result,
                            )?),
                        })
                    })?));
                }
                Some(key::INTUSE) => c.intuse = Some(enum_value(x, p)?),
                Some(key::ECNPP_PROMISE) => c.promise = Some(enum_value(x, p)?),
                Some(key::ECNPP_PP_REF) => c.pp_ref = Some(Self::text(x, p)?),
                Some(key::ECNPP_EVALUATED_CONFIG) => c.evaluated_config = Some(Self::bool(x, p)?),
                Some(key::ECNPP_LIFECYCLE) => c.lifecycle = Some(enum_value(x, p)?),
                Some(key::ECNPP_SVN) => c.svn = Some(Self::uint(x, p)?),
                Some(key::ECNPP_ROBUSTNESS) => {
                    c.robustness = Some(List::Items(
                        self.list(x, p, |_, y, q| Self::robustness(y, q))?,
                    ));
                }
                None if name == EXTRA => c.extra = self.extra(x, p)?,
                Some(k) => {
                    return Err(format!(
                        "{p}: claim {k} is not readable from JSON in this version; write it in \
                         \"{EXTRA}\" by key"
                    ));
                }
                None => {
                    let other = name.as_str();
                    let names = CLAIM_NAMES.iter().map(|(_, n)| *n).chain([EXTRA]);
                    return Err(format!(
                        "{p}: unknown claim name \"{other}\"{}; claims without a name go in \
                         \"extra\" by key",
                        suggestion(other, names)
                    ));
                }
            }
        }
        Ok(c)
    }

    fn extra(&self, v: &'a Value, path: &str) -> R<Extra<'a>> {
        let items = Self::object(v, path)?
            .iter()
            .map(|(label, x)| {
                let p = join(path, label);
                let label = match label.parse::<i64>() {
                    Ok(k) => {
                        if let Some(n) = claim_name(k) {
                            return Err(format!("{p}: claim {k} has a name: write it as \"{n}\""));
                        }
                        Label::Int(k)
                    }
                    Err(_) => Label::Text(label),
                };
                let raw = self.bytes(x, &p)?;
                let value = RawValue::new(raw).map_err(|e| {
                    format!(
                        "{p}: not one deterministic CBOR item in hex ({})",
                        crate::fail::explain(e)
                    )
                })?;
                Ok((label, value))
            })
            .collect::<R<Vec<_>>>()?;
        Ok(Extra::Items(self.slice(&items)))
    }
}

// ---------------------------------------------------------------------------------------------
// Claims -> JSON
// ---------------------------------------------------------------------------------------------

/// How much of a claims set the JSON holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// Everything: the JSON claims format, which `sign --claims` reads back.
    Full,
    /// What is printed (`--json`): strings and lists cut at the bounds of [`crate::render`],
    /// with fields that say so. A string longer than [`SHOWN_BYTES`] bytes becomes
    /// `{"hex": "<first 64 bytes>", "bytes": N, "shortened": true}` (a byte string) or
    /// `{"text": "<first 64 bytes>", "bytes": N, "shortened": true}` (a text string); a map or
    /// array cut short gets a `"(omitted)": N` member or a last element `{"(omitted)": N}`.
    /// `sign` refuses such values, so a shortened listing is never signed by mistake.
    Shown,
    /// As [`Form::Shown`], and an unnamed claim's value as `{"diag": "<diagnostic notation>"}`
    /// (for the text listing of [`crate::render::render_claims`]).
    Listing,
}

/// Writes claims as JSON in one [`Form`], counting what it shows against one [`Budget`].
struct ToJson {
    form: Form,
    budget: Budget,
}

/// Inserts `v` under `k`, or under `k#2`, `k#3`, ... when shortening made two names equal.
fn insert_unique(m: &mut Map<String, Value>, k: String, v: Value) {
    let mut key = k.clone();
    let mut n = 1u32;
    while m.contains_key(&key) {
        n = n.saturating_add(1);
        key = format!("{k}#{n}");
    }
    m.insert(key, v);
}

impl ToJson {
    const fn new(form: Form) -> Self {
        Self {
            form,
            budget: Budget::new(),
        }
    }

    /// True when values are written whole.
    fn full(&self) -> bool {
        self.form == Form::Full
    }

    /// A byte string: hex.
    fn bytes(&self, b: &[u8]) -> Value {
        if self.full() {
            Value::String(hex::encode(b))
        } else {
            hex_json(b)
        }
    }

    /// A text string.
    fn text(&self, t: &str) -> Value {
        if self.full() { json!(t) } else { text_json(t) }
    }

    /// A text string used as a member name (submodule and ueid names, text labels).
    fn name(&self, t: &str) -> String {
        if self.full() {
            t.to_string()
        } else {
            name_shown(t)
        }
    }

    /// Bytes that read as text (hwmodel) as `{"text": ...}`, which reads back the same.
    fn bytes_or_text(&self, b: &[u8]) -> Value {
        match std::str::from_utf8(b) {
            Ok(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic() || c == ' ') => {
                match self.text(s) {
                    Value::String(s) => json!({ "text": s }),
                    shortened => shortened,
                }
            }
            _ => self.bytes(b),
        }
    }

    /// An array of `len` items, cut at the bounds.
    fn array<T>(
        &self,
        len: usize,
        items: impl Iterator<Item = T>,
        f: impl Fn(T) -> Value,
    ) -> Value {
        if self.full() {
            return Value::Array(items.map(f).collect());
        }
        let mut out = Vec::new();
        for item in items {
            if !self.budget.allows(out.len()) {
                break;
            }
            self.budget.take();
            out.push(f(item));
        }
        if len > out.len() {
            out.push(json!({ OMITTED: len - out.len() }));
        }
        Value::Array(out)
    }

    /// An object of `len` members, cut at the bounds.
    fn object<T>(
        &self,
        len: usize,
        items: impl Iterator<Item = T>,
        f: impl Fn(T) -> (String, Value),
    ) -> Value {
        if self.full() {
            return Value::Object(items.map(f).collect());
        }
        let mut out = Map::new();
        let mut shown = 0;
        for item in items {
            if !self.budget.allows(shown) {
                break;
            }
            self.budget.take();
            shown += 1;
            let (k, v) = f(item);
            insert_unique(&mut out, k, v);
        }
        if len > shown {
            insert_unique(&mut out, OMITTED.to_string(), json!(len - shown));
        }
        Value::Object(out)
    }

    fn version(&self, v: &Version<'_>) -> Value {
        match v.scheme {
            None => self.text(v.version),
            Some(s) => json!([self.text(v.version), s]),
        }
    }

    fn measurements(&self, l: List<'_, Measurement<'_>>) -> Value {
        self.array(l.len(), l.iter(), |m| {
            json!([m.content_type, self.bytes(m.content)])
        })
    }

    /// The `eat_profile`: a dotted OID or the URI.
    fn profile(&self, p: &Profile<'_>) -> Value {
        match p {
            Profile::Uri(u) => self.text(u),
            Profile::Oid(o) => oid_to_text(o)
                .filter(|t| self.full() || o.len() <= SHOWN_BYTES || t.len() <= SHOWN_BYTES)
                .map_or_else(|| json!({ "oid-bytes": self.bytes(o) }), Value::String),
        }
    }

    /// An unnamed claim's value: hex of its CBOR, or (listing) its diagnostic notation.
    fn raw(&self, value: &RawValue<'_>) -> Value {
        let bytes = value.as_bytes();
        if self.form == Form::Listing
            && let Some(item) = read_exact(bytes)
        {
            return json!({ "diag": diag_within(&item, &self.budget) });
        }
        self.bytes(bytes)
    }

    fn submodule(&self, s: &NamedSubmodule<'_>) -> (String, Value) {
        let v = match s.submodule {
            Submodule::Claims(inner) => self.claims(&inner),
            Submodule::Token(t) => self.bytes(t.as_bytes()),
            Submodule::Digest { alg, digest } => match alg {
                Label::Int(a) => json!([a, self.bytes(digest)]),
                Label::Text(a) => json!([self.text(a), self.bytes(digest)]),
            },
        };
        (self.name(s.name), v)
    }

    fn measres(&self, l: List<'_, MeasResGroup<'_>>) -> Value {
        self.array(l.len(), l.iter(), |g| {
            let results = self.array(g.results.len(), g.results.iter(), |r| {
                let id = match r.id {
                    ResultId::Text(t) => match self.text(t) {
                        Value::String(t) => json!({ "text": t }),
                        shortened => shortened,
                    },
                    ResultId::Bytes(b) => self.bytes(b),
                };
                json!([id, r.result.name()])
            });
            json!([self.text(g.system), results])
        })
    }

    /// A claims set (one member per claim present, in key order).
    #[allow(clippy::too_many_lines)] // one arm per claim, in key order
    fn claims(&self, c: &Claims<'_>) -> Value {
        let mut m = Map::new();
        let mut omitted = 0usize;
        // The value is made only when there is budget left to show it.
        let mut put = |k: i64, v: &dyn Fn() -> Value| {
            if !self.full() && !self.budget.take() {
                omitted += 1;
                return;
            }
            if let Some(n) = claim_name(k) {
                m.insert(n.to_string(), v());
            }
        };
        if let Some(v) = c.iss {
            put(key::ISS, &|| self.text(v));
        }
        if let Some(v) = c.sub {
            put(key::SUB, &|| self.text(v));
        }
        if let Some(v) = c.aud {
            put(key::AUD, &|| self.text(v));
        }
        if let Some(v) = c.exp {
            put(key::EXP, &|| json!(v));
        }
        if let Some(v) = c.nbf {
            put(key::NBF, &|| json!(v));
        }
        if let Some(v) = c.iat {
            put(key::IAT, &|| json!(v));
        }
        if let Some(v) = c.cti {
            put(key::CTI, &|| self.bytes(v));
        }
        match c.nonce {
            Some(NonceClaim::One(n)) => put(key::NONCE, &|| self.bytes(n.as_bytes())),
            Some(NonceClaim::Many(l)) => put(key::NONCE, &|| {
                self.array(l.len(), l.iter(), |n| self.bytes(n.as_bytes()))
            }),
            None => {}
        }
        if let Some(v) = c.ueid {
            put(key::UEID, &|| self.bytes(v.as_bytes()));
        }
        if let Some(l) = c.sueids {
            put(key::SUEIDS, &|| {
                self.object(l.len(), l.iter(), |u| {
                    (self.name(u.name), self.bytes(u.ueid.as_bytes()))
                })
            });
        }
        match c.oemid {
            Some(OemId::Random(b) | OemId::Ieee(b)) => put(key::OEMID, &|| self.bytes(b)),
            Some(OemId::Pen(p)) => put(key::OEMID, &|| json!(p)),
            None => {}
        }
        if let Some(v) = c.hwmodel {
            put(key::HWMODEL, &|| self.bytes_or_text(v.as_bytes()));
        }
        if let Some(v) = c.hwversion {
            put(key::HWVERSION, &|| self.version(&v));
        }
        if let Some(v) = c.uptime {
            put(key::UPTIME, &|| json!(v));
        }
        if let Some(v) = c.oemboot {
            put(key::OEMBOOT, &|| json!(v));
        }
        if let Some(v) = c.dbgstat {
            put(key::DBGSTAT, &|| json!(v.name()));
        }
        if let Some(l) = c.location {
            let mut o = Map::new();
            o.insert("latitude".into(), float_json(l.latitude));
            o.insert("longitude".into(), float_json(l.longitude));
            for (n, v) in [
                ("altitude", l.altitude),
                ("accuracy", l.accuracy),
                ("altitude_accuracy", l.altitude_accuracy),
                ("heading", l.heading),
                ("speed", l.speed),
            ] {
                if let Some(v) = v {
                    o.insert(n.into(), float_json(v));
                }
            }
            if let Some(t) = l.timestamp {
                o.insert("timestamp".into(), json!(t));
            }
            if let Some(a) = l.age {
                o.insert("age".into(), json!(a));
            }
            put(key::LOCATION, &|| Value::Object(o.clone()));
        }
        if let Some(p) = c.eat_profile {
            put(key::EAT_PROFILE, &|| self.profile(&p));
        }
        if let Some(l) = c.submods {
            put(key::SUBMODS, &|| {
                self.object(l.len(), l.iter(), |s| self.submodule(&s))
            });
        }
        if let Some(v) = c.exi {
            put(key::EXI, &|| json!(v));
        }
        if let Some(v) = c.bootcount {
            put(key::BOOTCOUNT, &|| json!(v));
        }
        if let Some(v) = c.bootseed {
            put(key::BOOTSEED, &|| self.bytes(v));
        }
        if let Some(l) = c.dloas {
            put(key::DLOAS, &|| {
                self.array(l.len(), l.iter(), |d| {
                    let (r, p) = (self.text(d.registrar), self.text(d.platform));
                    match d.application {
                        Some(a) => json!([r, p, self.text(a)]),
                        None => json!([r, p]),
                    }
                })
            });
        }
        if let Some(v) = c.swname {
            put(key::SWNAME, &|| self.text(v));
        }
        if let Some(v) = c.swversion {
            put(key::SWVERSION, &|| self.version(&v));
        }
        if let Some(l) = c.manifests {
            put(key::MANIFESTS, &|| self.measurements(l));
        }
        if let Some(l) = c.measurements {
            put(key::MEASUREMENTS, &|| self.measurements(l));
        }
        if let Some(l) = c.measres {
            put(key::MEASRES, &|| self.measres(l));
        }
        if let Some(v) = c.intuse {
            put(key::INTUSE, &|| json!(v.name()));
        }
        if let Some(v) = c.promise {
            put(key::ECNPP_PROMISE, &|| json!(v.name()));
        }
        if let Some(v) = c.pp_ref {
            put(key::ECNPP_PP_REF, &|| self.text(v));
        }
        if let Some(v) = c.evaluated_config {
            put(key::ECNPP_EVALUATED_CONFIG, &|| json!(v));
        }
        if let Some(v) = c.lifecycle {
            put(key::ECNPP_LIFECYCLE, &|| json!(v.name()));
        }
        if let Some(v) = c.svn {
            put(key::ECNPP_SVN, &|| json!(v));
        }
        if let Some(l) = c.robustness {
            put(key::ECNPP_ROBUSTNESS, &|| {
                self.array(l.len(), l.iter(), |r| {
                    json!([self.text(r.scheme), self.text(r.level)])
                })
            });
        }
        if !c.extra.is_empty() {
            if self.full() || self.budget.take() {
                let extra = self.object(c.extra.len(), c.extra.iter(), |(label, value)| {
                    let k = match label {
                        Label::Int(k) => k.to_string(),
                        Label::Text(t) => self.name(t),
                    };
                    (k, self.raw(&value))
                });
                m.insert(EXTRA.into(), extra);
            } else {
                omitted += 1;
            }
        }
        if omitted > 0 {
            insert_unique(&mut m, OMITTED.to_string(), json!(omitted));
        }
        Value::Object(m)
    }
}

/// A float as JSON (non-finite values, which JSON lacks, as strings).
fn float_json(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or_else(|| json!(f.to_string()), Value::Number)
}

/// A decoded or built claims set in the JSON claims format, whole (what `sign --claims` reads).
pub(crate) fn claims_to_json(c: &Claims<'_>) -> Value {
    ToJson::new(Form::Full).claims(c)
}

/// The claims as `--json` output prints them: the JSON claims format with long strings and
/// lists cut at the bounds of [`crate::render`], each cut said in a field (see [`Form::Shown`]).
pub(crate) fn claims_to_json_shown(c: &Claims<'_>) -> Value {
    ToJson::new(Form::Shown).claims(c)
}

/// The claims for [`crate::render::render_claims`]: as [`claims_to_json_shown`], with unnamed
/// claims in diagnostic notation.
pub(crate) fn claims_listing(c: &Claims<'_>) -> Value {
    ToJson::new(Form::Listing).claims(c)
}

/// True when `p` is this project's ECN PP profile.
pub(crate) fn is_ecnpp_profile(p: Option<Profile<'_>>) -> bool {
    p == Some(PROFILE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::SHOWN_ENTRIES;
    use ecnpp_attest::ecnpp::PROFILE_OID;

    #[test]
    fn profile_oid_round_trips() {
        assert_eq!(oid_to_bytes(PROFILE_OID_TEXT).unwrap(), PROFILE_OID);
        assert_eq!(oid_to_text(&PROFILE_OID).unwrap(), PROFILE_OID_TEXT);
        assert_eq!(
            oid_to_bytes("1.2.840.10045.2.1").unwrap(),
            hex::decode("2a8648ce3d0201").unwrap()
        );
        assert_eq!(
            oid_to_text(&hex::decode("2a8648ce3d0201").unwrap()).unwrap(),
            "1.2.840.10045.2.1"
        );
        assert!(oid_to_bytes("3.1").is_none());
        assert!(oid_to_bytes("1.40").is_none());
        assert!(oid_to_text(&[0x80, 0x01]).is_none());
        assert!(oid_to_text(&[0x81]).is_none());
    }

    #[test]
    fn example_claims_round_trip_through_json() {
        let text = include_str!("../examples/claims-secure-enclave.json");
        let v: Value = serde_json::from_str(text).unwrap();
        let bump = Bump::new();
        let r = Reader {
            bump: &bump,
            now: 1_790_000_000,
        };
        let claims = r.claims(&v).unwrap();
        let mut buf = vec![0u8; claims.encoded_len().unwrap()];
        let n = claims.encode(&mut buf).unwrap();
        let decoded = Claims::decode(&buf[..n]).unwrap();
        let back = claims_to_json(&decoded);
        let again = r.claims(&back).unwrap();
        let mut buf2 = vec![0u8; again.encoded_len().unwrap()];
        let n2 = again.encode(&mut buf2).unwrap();
        assert_eq!(buf[..n], buf2[..n2]);
    }

    #[test]
    fn shown_forms_cut_values_and_lists_and_sign_refuses_them() {
        let big = [5u8; 100];
        let items: Vec<Measurement<'_>> = (0..40)
            .map(|_| Measurement {
                content_type: 1,
                content: &big,
            })
            .collect();
        let claims = Claims {
            swname: Some("edge-os"),
            measurements: Some(List::Items(&items)),
            ..Claims::default()
        };
        let full = claims_to_json(&claims);
        assert_eq!(full["measurements"].as_array().unwrap().len(), 40);
        assert_eq!(full["measurements"][0][1], json!("05".repeat(100)));
        let shown = claims_to_json_shown(&claims);
        let m = shown["measurements"].as_array().unwrap();
        assert_eq!(m.len(), SHOWN_ENTRIES + 1);
        assert_eq!(
            m[0][1],
            json!({ "hex": "05".repeat(SHOWN_BYTES), "bytes": 100, "shortened": true })
        );
        assert_eq!(m[SHOWN_ENTRIES], json!({ OMITTED: 40 - SHOWN_ENTRIES }));
        assert_eq!(shown["swname"], json!("edge-os"));
        let bump = Bump::new();
        let r = Reader {
            bump: &bump,
            now: 0,
        };
        assert!(
            r.claims(&shown).is_err(),
            "a shortened value must not be signed"
        );
    }

    #[test]
    fn mistakes_are_explained() {
        let bump = Bump::new();
        let r = Reader {
            bump: &bump,
            now: 0,
        };
        let err = |j: &str| r.claims(&serde_json::from_str(j).unwrap()).unwrap_err();
        assert_eq!(
            err(r#"{"dbgstatus": 3}"#),
            "dbgstatus: unknown claim name \"dbgstatus\" (did you mean \"dbgstat\"?); claims \
             without a name go in \"extra\" by key"
        );
        assert!(err(r#"{"dbgstat": "off"}"#).starts_with("dbgstat: unknown value \"off\""));
        assert_eq!(
            err(r#"{"nonce": "0102"}"#),
            "nonce: a nonce is 8 to 64 bytes; this one has 2"
        );
        assert!(
            err(r#"{"submods": {"se": {"ueid": "zz"}}}"#).starts_with("submods.se.ueid: not hex")
        );
        assert!(err(r#"{"extra": {"10": "00"}}"#).contains("write it as \"nonce\""));
    }

    /// `{"submods": {"s": {"submods": ... {"swname": "x"}}}}`, `levels` submodules deep.
    fn nested(levels: usize) -> Value {
        (0..levels).fold(
            json!({ "swname": "x" }),
            |inner, _| json!({ "submods": { "s": inner } }),
        )
    }

    #[test]
    fn submodule_nesting_is_the_librarys_bound() {
        let bump = Bump::new();
        let r = Reader {
            bump: &bump,
            now: 0,
        };
        let deepest = nested(MAX_SUBMODULE_DEPTH);
        let claims = r.claims(&deepest).unwrap();
        let mut buf = vec![0u8; claims.encoded_len().unwrap()];
        claims.encode(&mut buf).unwrap();
        let err = r.claims(&nested(MAX_SUBMODULE_DEPTH + 1)).unwrap_err();
        assert!(err.contains("nested too deeply"), "{err}");
    }

    #[test]
    fn enumerations_read_the_librarys_names_and_values() {
        let bump = Bump::new();
        let r = Reader {
            bump: &bump,
            now: 0,
        };
        for d in DebugStatus::ALL {
            let (name, value) = (
                json!({ "dbgstat": d.name() }),
                json!({ "dbgstat": d.value() }),
            );
            let by_name = r.claims(&name).unwrap();
            let by_value = r.claims(&value).unwrap();
            assert_eq!((by_name.dbgstat, by_value.dbgstat), (Some(*d), Some(*d)));
            assert_eq!(claims_to_json(&by_name)["dbgstat"], json!(d.name()));
        }
        assert_eq!(
            r.claims(&json!({ "ecnpp-lifecycle": 9 })).unwrap_err(),
            "ecnpp-lifecycle: 9 is out of range; expected 1 to 4 or one of: provisioning, \
             operational, maintenance, decommissioned"
        );
        assert_eq!(
            r.claims(&json!({ "measres": [["sys", [["00", "passed"]]]] }))
                .unwrap_err(),
            "measres[0][1][0][1]: unknown value \"passed\"; expected one of: success, fail, \
             not-run, absent"
        );
    }

    /// Every claim the library names is read by name: a claim added to the library's registry
    /// without an arm here fails this test rather than telling a user its name is unknown.
    #[test]
    fn every_registered_claim_name_is_read() {
        let bump = Bump::new();
        let r = Reader {
            bump: &bump,
            now: 0,
        };
        for (k, name) in CLAIM_NAMES {
            let v = json!({ *name: null });
            let err = r.claims(&v).unwrap_err();
            assert!(
                err.starts_with(&format!("{name}: expected")),
                "{k} {name}: {err}"
            );
        }
    }
}
