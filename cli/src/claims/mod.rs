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

mod read;
mod write;

pub(crate) use write::{claims_listing, claims_to_json, claims_to_json_shown};

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
        let text = include_str!("../../examples/claims-secure-enclave.json");
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
