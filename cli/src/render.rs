//! Values for people: how much of a token's values `ecnpp` shows (the bounds below, used by
//! every printer: this listing, [`crate::diag`], [`crate::claims`] and the `--json` forms), and
//! the claims listing: the JSON claims format laid out as an indented two-column listing, with
//! dates beside times, sizes beside identifiers and the profile named.
//!
//! A token is attacker-controlled and may be 16 MiB of one byte string or thousands of tiny
//! values; what is printed of it stays a few kilobytes whatever it holds, and says what it left
//! out: a shortened string is followed by `… (shortened: N bytes in all)`, a cut map or array by
//! `… N more entries not shown`, and the JSON forms carry the same facts in fields.

use std::cell::Cell;
use std::fmt::Write as _;

use ecnpp_attest::eat::{claim_key, key};
use ecnpp_attest::ecnpp::PROFILE_OID_TEXT;
use serde_json::{Value, json};

use crate::io::format_time;

// ---------------------------------------------------------------------------------------------
// What is shown of a value
// ---------------------------------------------------------------------------------------------

/// Most bytes of one string shown: a byte string as at most 128 hex digits, a text string as at
/// most its first 64 bytes (cut at a character boundary). Every identifier and digest a real
/// token carries (nonce and SHA-512 digests included) fits.
pub(crate) const SHOWN_BYTES: usize = 64;

/// Most entries of one map or array shown (a real token's longest list holds a handful).
pub(crate) const SHOWN_ENTRIES: usize = 32;

/// Most values shown of one token (a diagnostic, a listing or a JSON form), all levels
/// together: bounds the output of deep structures, which [`SHOWN_ENTRIES`] alone does not (32
/// entries of 32 entries of ...). A real token has about a hundred.
pub(crate) const SHOWN_VALUES: usize = 1024;

/// The values left to show in one printed form (see [`SHOWN_VALUES`]); shared by the nested
/// printers so that the bound is on the whole.
#[derive(Debug)]
pub(crate) struct Budget(Cell<usize>);

impl Budget {
    /// A budget of [`SHOWN_VALUES`].
    pub(crate) const fn new() -> Self {
        Self::of(SHOWN_VALUES)
    }

    /// A budget of `n` values (for the keys quoted in error messages).
    pub(crate) const fn of(n: usize) -> Self {
        Self(Cell::new(n))
    }

    /// Takes one value; false when none is left.
    pub(crate) fn take(&self) -> bool {
        let left = self.0.get();
        self.0.set(left.saturating_sub(1));
        left > 0
    }

    /// True while values are left, and `shown` (the entries of one map or array shown so far)
    /// is below [`SHOWN_ENTRIES`].
    pub(crate) fn allows(&self, shown: usize) -> bool {
        shown < SHOWN_ENTRIES && self.0.get() > 0
    }
}

/// The first [`SHOWN_BYTES`] bytes.
pub(crate) fn bytes_head(b: &[u8]) -> &[u8] {
    b.get(..SHOWN_BYTES).unwrap_or(b)
}

/// The longest prefix of at most [`SHOWN_BYTES`] bytes that ends on a character boundary.
pub(crate) fn text_head(s: &str) -> &str {
    let mut end = SHOWN_BYTES.min(s.len());
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    s.get(..end).unwrap_or("")
}

/// What follows a shortened value: `… (shortened: 16777216 bytes in all)`.
pub(crate) fn shortened_note(total: usize) -> String {
    format!("… (shortened: {total} bytes in all)")
}

/// What stands for the entries of a map or array left out: `… 4968 more entries not shown`.
pub(crate) fn omitted_note(n: usize) -> String {
    let entries = if n == 1 { "entry" } else { "entries" };
    format!("… {n} more {entries} not shown")
}

/// Bytes as `h'...'`, shortened to [`SHOWN_BYTES`] with [`shortened_note`].
pub(crate) fn hex_shown(b: &[u8]) -> String {
    let mut s = format!("h'{}'", hex::encode(bytes_head(b)));
    if b.len() > SHOWN_BYTES {
        s.push_str(&shortened_note(b.len()));
    }
    s
}

/// Text with its control characters escaped as `\u001b`: a token's text must not drive the
/// terminal.
pub(crate) fn escaped(t: &str) -> String {
    let mut s = String::with_capacity(t.len());
    for c in t.chars() {
        if c.is_control() {
            let _ = write!(s, "\\u{:04x}", u32::from(c));
        } else {
            s.push(c);
        }
    }
    s
}

/// Text shortened to [`SHOWN_BYTES`] with [`shortened_note`] and [`escaped`], in double quotes
/// when `quoted`.
pub(crate) fn text_shown(t: &str, quoted: bool) -> String {
    let head = escaped(text_head(t));
    let mut s = if quoted { format!("\"{head}\"") } else { head };
    if t.len() > SHOWN_BYTES {
        s.push_str(&shortened_note(t.len()));
    }
    s
}

/// A byte string in the JSON forms: hex, or when longer than [`SHOWN_BYTES`]
/// `{"hex": "<its first 64 bytes>", "bytes": N, "shortened": true}`.
pub(crate) fn hex_json(b: &[u8]) -> Value {
    if b.len() <= SHOWN_BYTES {
        Value::String(hex::encode(b))
    } else {
        json!({ "hex": hex::encode(bytes_head(b)), "bytes": b.len(), "shortened": true })
    }
}

/// A text string in the JSON forms: itself, or when longer than [`SHOWN_BYTES`] bytes
/// `{"text": "<its first 64 bytes>", "bytes": N, "shortened": true}`.
pub(crate) fn text_json(t: &str) -> Value {
    if t.len() <= SHOWN_BYTES {
        json!(t)
    } else {
        json!({ "text": text_head(t), "bytes": t.len(), "shortened": true })
    }
}

/// A text string used as a JSON member name, where no field can say it was shortened: its
/// first [`SHOWN_BYTES`] bytes and [`shortened_note`].
pub(crate) fn name_shown(t: &str) -> String {
    if t.len() <= SHOWN_BYTES {
        t.to_string()
    } else {
        format!("{}{}", text_head(t), shortened_note(t.len()))
    }
}

/// A shortened value or an omitted-entries marker of the JSON forms
/// ([`crate::claims::claims_to_json_shown`]), as text; None for any other value.
fn marker_text(v: &Value) -> Option<String> {
    let Value::Object(m) = v else {
        return None;
    };
    if m.len() == 1
        && let Some(n) = m.get(OMITTED).and_then(Value::as_u64)
    {
        return Some(omitted_note(usize::try_from(n).unwrap_or(usize::MAX)));
    }
    if m.get("shortened") != Some(&Value::Bool(true)) {
        return None;
    }
    let total = m
        .get("bytes")
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    let head = match (m.get("hex"), m.get("text")) {
        (Some(Value::String(h)), _) => h.clone(),
        (_, Some(Value::String(t))) => format!("\"{}\"", escaped(t)),
        _ => String::new(),
    };
    Some(head + &shortened_note(total))
}

/// The member of the JSON forms that counts what a map or array left out.
pub(crate) const OMITTED: &str = "(omitted)";

// ---------------------------------------------------------------------------------------------
// The claims listing
// ---------------------------------------------------------------------------------------------

/// Column where values start.
const COLUMN: usize = 26;

/// Renders a claims object (from [`crate::claims::claims_listing`], so already bounded) at
/// `indent` spaces.
pub(crate) fn render_claims(v: &Value, indent: usize) -> String {
    let mut out = String::new();
    if let Value::Object(m) = v {
        for (name, x) in m {
            render_entry(&mut out, name, x, indent);
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push(' ');
    }
}

fn line(out: &mut String, indent: usize, name: &str, value: &str) {
    pad(out, indent);
    let width = COLUMN.saturating_sub(indent).max(name.chars().count() + 1);
    let _ = writeln!(out, "{name:<width$}{value}");
}

fn is_text_object(v: &Value) -> Option<&str> {
    match v {
        Value::Object(m) if m.len() == 1 => m.get("text").and_then(Value::as_str),
        _ => None,
    }
}

/// A value on one line: text objects as quoted text, strings bare, arrays compact, shortened
/// values and omitted entries with their notes.
pub(crate) fn compact(v: &Value) -> String {
    if let Some(t) = marker_text(v) {
        return t;
    }
    // Strings here come from the listing form, already bounded: they are only escaped.
    if let Some(t) = is_text_object(v) {
        return format!("\"{}\"", escaped(t));
    }
    match v {
        Value::String(s) => escaped(s),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(compact).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, x)| {
                    if k == OMITTED && x.is_number() {
                        compact(&json!({ OMITTED: x }))
                    } else {
                        format!("{}: {}", escaped(k), compact(x))
                    }
                })
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        other => other.to_string(),
    }
}

fn annotated(name: &str, v: &Value) -> String {
    let base = compact(v);
    let claim = claim_key(name);
    let note = match (claim, v) {
        (Some(key::IAT | key::EXP | key::NBF), Value::Number(n)) => {
            n.as_i64().map(|t| format!(" ({})", format_time(t)))
        }
        // A location's timestamp (not a claim of its own).
        (None, Value::Number(n)) if name == "timestamp" => {
            n.as_i64().map(|t| format!(" ({})", format_time(t)))
        }
        (Some(key::NONCE | key::UEID | key::CTI | key::BOOTSEED), Value::String(s)) => {
            Some(format!(" ({} bytes)", s.len() / 2))
        }
        (Some(key::EAT_PROFILE), Value::String(s)) if s == PROFILE_OID_TEXT => {
            Some(" (the ECN PP profile, version 1)".to_string())
        }
        (Some(key::OEMID), Value::String(s)) if s.len() == 6 => Some(" (IEEE OUI)".to_string()),
        (Some(key::OEMID), Value::String(s)) if s.len() == 32 => {
            Some(" (random OEM ID)".to_string())
        }
        (Some(key::OEMID), Value::Number(_)) => {
            Some(" (IANA private enterprise number)".to_string())
        }
        _ => None,
    };
    base + &note.unwrap_or_default()
}

/// An unnamed claim's value in the listing form: its diagnostic notation.
fn diag_of(v: &Value) -> Option<&str> {
    match v {
        Value::Object(m) if m.len() == 1 => m.get("diag").and_then(Value::as_str),
        _ => None,
    }
}

fn render_entry(out: &mut String, name: &str, v: &Value, indent: usize) {
    let name = &escaped(name);
    if let Some(t) = marker_text(v) {
        line(out, indent, name, &t);
        return;
    }
    match v {
        Value::Object(m) if is_text_object(v).is_none() => {
            pad(out, indent);
            let _ = writeln!(out, "{name}");
            for (k, x) in m {
                if k == OMITTED && x.is_number() {
                    pad(out, indent + 2);
                    let _ = writeln!(out, "{}", compact(&json!({ OMITTED: x })));
                } else if let Some(d) = diag_of(x) {
                    line(out, indent + 2, &escaped(k), d);
                } else {
                    render_entry(out, k, x, indent + 2);
                }
            }
        }
        Value::Array(items) if claim_key(name) == Some(key::MEASRES) => {
            pad(out, indent);
            let _ = writeln!(out, "{name}");
            for group in items {
                let Some([system, Value::Array(results)]) = group.as_array().map(Vec::as_slice)
                else {
                    pad(out, indent + 2);
                    let _ = writeln!(out, "{}", compact(group));
                    continue;
                };
                pad(out, indent + 2);
                let _ = writeln!(out, "{}", compact(system));
                for r in results {
                    if let Some([id, res]) = r.as_array().map(Vec::as_slice) {
                        line(out, indent + 4, &compact(res), &compact(id));
                    } else {
                        pad(out, indent + 4);
                        let _ = writeln!(out, "{}", compact(r));
                    }
                }
            }
        }
        Value::Array(items) if items.iter().any(Value::is_array) => {
            pad(out, indent);
            let _ = writeln!(out, "{name}");
            for x in items {
                pad(out, indent + 2);
                let _ = writeln!(out, "{}", compact(x));
            }
        }
        _ => line(out, indent, name, &annotated(name, v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_are_laid_out() {
        let v = json!({
            "iat": 0,
            "nonce": "0001020304050607",
            "hwmodel": {"text": "x1"},
            "submods": {"se": {"dbgstat": "disabled-permanently"}},
            "measurements": [[42, "aa"]],
        });
        let s = render_claims(&v, 2);
        assert!(
            s.contains("  iat                     0 (1970-01-01T00:00:00Z)\n"),
            "{s}"
        );
        assert!(s.contains("nonce                   0001020304050607 (8 bytes)"));
        assert!(s.contains("hwmodel                 \"x1\""));
        assert!(s.contains("  submods\n    se\n      dbgstat             disabled-permanently\n"));
        assert!(s.contains("  measurements\n    [42, aa]\n"));
    }

    #[test]
    fn values_are_cut_at_the_bounds_and_say_so() {
        let long = vec![7u8; SHOWN_BYTES + 1];
        assert_eq!(
            hex_json(&long[..SHOWN_BYTES]),
            json!("07".repeat(SHOWN_BYTES))
        );
        let v = hex_json(&long);
        assert_eq!(
            v,
            json!({ "hex": "07".repeat(SHOWN_BYTES), "bytes": SHOWN_BYTES + 1, "shortened": true })
        );
        assert_eq!(
            compact(&v),
            format!("{}… (shortened: 65 bytes in all)", "07".repeat(SHOWN_BYTES))
        );
        // A whole value of SHOWN_BYTES bytes (128 hex digits) is not cut again.
        let whole = json!({ "nonce": "ab".repeat(SHOWN_BYTES) });
        assert!(!render_claims(&whole, 2).contains('…'));
        // Text is cut at a character boundary: 63 bytes of "a" and then a 2-byte "é".
        let text = format!("{}é", "a".repeat(SHOWN_BYTES - 1));
        assert_eq!(text_head(&text).len(), SHOWN_BYTES - 1);
        assert_eq!(
            text_json(&text),
            json!({ "text": "a".repeat(SHOWN_BYTES - 1), "bytes": SHOWN_BYTES + 1, "shortened": true })
        );
        assert_eq!(text_shown("a\u{1b}[2J", true), "\"a\\u001b[2J\"");
        assert_eq!(
            name_shown(&text),
            format!("{}… (shortened: 65 bytes in all)", "a".repeat(63))
        );
        let listing = json!({
            "measurements": [[1, "00"], { OMITTED: 5 }],
            "submods": { "a": {"swname": "x"}, OMITTED: 1 },
        });
        let s = render_claims(&listing, 2);
        assert!(
            s.contains("    [1, 00]\n    … 5 more entries not shown\n"),
            "{s}"
        );
        assert!(
            s.contains("      swname              x\n    … 1 more entry not shown\n"),
            "{s}"
        );
    }

    #[test]
    fn the_budget_is_shared_and_per_container() {
        let b = Budget::of(2);
        assert!(b.allows(SHOWN_ENTRIES - 1));
        assert!(!b.allows(SHOWN_ENTRIES));
        assert!(b.take() && b.take());
        assert!(!b.take());
        assert!(!b.allows(0));
    }
}
