//! Claims for people: the JSON claims format laid out as an indented two-column listing, with
//! dates beside times, sizes beside identifiers and the profile named.

use std::fmt::Write as _;

use ecnpp_attest::ecnpp::PROFILE_OID_TEXT;
use serde_json::Value;

use crate::diag::{plain_diag, read_exact};
use crate::io::format_time;

/// Column where values start.
const COLUMN: usize = 26;

/// Renders a claims object (from [`crate::claims::claims_to_json`]) at `indent` spaces.
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

/// A value on one line: text objects as quoted text, strings bare, arrays compact.
pub(crate) fn compact(v: &Value) -> String {
    if let Some(t) = is_text_object(v) {
        return format!("\"{t}\"");
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(compact).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{k}: {}", compact(x)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        other => other.to_string(),
    }
}

fn annotated(name: &str, v: &Value) -> String {
    let base = compact(v);
    let note = match (name, v) {
        ("iat" | "exp" | "nbf" | "timestamp", Value::Number(n)) => {
            n.as_i64().map(|t| format!(" ({})", format_time(t)))
        }
        ("nonce" | "ueid" | "cti" | "bootseed", Value::String(s)) => {
            Some(format!(" ({} bytes)", s.len() / 2))
        }
        ("eat_profile", Value::String(s)) if s == PROFILE_OID_TEXT => {
            Some(" (the ECN PP profile, version 1)".to_string())
        }
        ("oemid", Value::String(s)) if s.len() == 6 => Some(" (IEEE OUI)".to_string()),
        ("oemid", Value::String(s)) if s.len() == 32 => Some(" (random OEM ID)".to_string()),
        ("oemid", Value::Number(_)) => Some(" (IANA private enterprise number)".to_string()),
        _ => None,
    };
    base + &note.unwrap_or_default()
}

fn render_entry(out: &mut String, name: &str, v: &Value, indent: usize) {
    match v {
        Value::Object(m) if is_text_object(v).is_none() => {
            pad(out, indent);
            let _ = writeln!(out, "{name}");
            for (k, x) in m {
                if name == "extra" {
                    let shown = x
                        .as_str()
                        .and_then(|h| hex::decode(h).ok())
                        .and_then(|b| read_exact(&b))
                        .map_or_else(|| compact(x), |item| plain_diag(&item));
                    line(out, indent + 2, k, &shown);
                } else {
                    render_entry(out, k, x, indent + 2);
                }
            }
        }
        Value::Array(items) if name == "measres" => {
            pad(out, indent);
            let _ = writeln!(out, "{name}");
            for group in items {
                if let Some([system, Value::Array(results)]) = group.as_array().map(Vec::as_slice) {
                    pad(out, indent + 2);
                    let _ = writeln!(out, "{}", compact(system));
                    for r in results {
                        if let Some([id, res]) = r.as_array().map(Vec::as_slice) {
                            line(out, indent + 4, &compact(res), &compact(id));
                        }
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
}
