//! The JSON policy format: a verifier's allow-list of certified configurations and its rules,
//! read into the library's [`Policy`]. The challenge is not part of the file: it is per session,
//! so it comes from the command line (`--nonce`, `--challenge-issued-at`).

use std::path::Path;

use bumpalo::Bump;
use ecnpp_attest::appraise::{CertifiedConfig, Challenge, Policy};
use ecnpp_attest::eat::{DebugStatus, Profile};
use ecnpp_attest::ecnpp::{PROFILE, Promise};
use serde_json::Value;

use crate::claims::{DBGSTAT_NAMES, Reader, suggestion};
use crate::fail::{CliError, CliResult};
use crate::io::{read_text, shown};

/// A policy file, read; [`Self::policy`] adds the challenge and the clock.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PolicyFile<'a> {
    /// Accepted `eat_profile` values.
    pub(crate) profiles: &'a [Profile<'a>],
    /// The allow-list.
    pub(crate) certified: &'a [CertifiedConfig<'a>],
    /// The verifier's registrar URI.
    pub(crate) registrar: &'a str,
    /// Challenge lifetime, seconds.
    pub(crate) max_challenge_age: u64,
    /// Tolerated clock difference, seconds.
    pub(crate) clock_skew: u64,
    /// Lowest acceptable `dbgstat`.
    pub(crate) debug_floor: DebugStatus,
    /// Require `oemboot` true.
    pub(crate) require_oemboot: bool,
}

impl<'a> PolicyFile<'a> {
    /// The library policy for one challenge at time `now`.
    pub(crate) fn policy(&self, challenge: Challenge<'a>, now: i64) -> Policy<'a> {
        let mut p = Policy::new(challenge, now, self.certified, self.registrar);
        p.accepted_profiles = self.profiles;
        p.max_challenge_age = self.max_challenge_age;
        p.clock_skew = self.clock_skew;
        p.debug_floor = self.debug_floor;
        p.require_oemboot = self.require_oemboot;
        p
    }
}

const FIELDS: [&str; 7] = [
    "registrar",
    "max_challenge_age",
    "clock_skew",
    "debug_floor",
    "require_oemboot",
    "accepted_profiles",
    "certified",
];

const CONFIG_FIELDS: [&str; 9] = [
    "certificate",
    "oemid",
    "hwmodel",
    "swname",
    "swversion",
    "promise",
    "se_robustness",
    "tee_robustness",
    "reference_measurements",
];

fn unknown(path: &str, name: &str, known: &[&str]) -> String {
    format!(
        "{path}: unknown field \"{name}\"{}; known fields: {}",
        suggestion(name, known.iter().copied()),
        known.join(", ")
    )
}

fn config<'a>(r: &Reader<'a>, v: &'a Value, path: &str) -> Result<CertifiedConfig<'a>, String> {
    let m = Reader::object(v, path)?;
    if let Some(name) = m.keys().find(|k| !CONFIG_FIELDS.contains(&k.as_str())) {
        return Err(unknown(path, name, &CONFIG_FIELDS));
    }
    let get = |name: &str| {
        m.get(name)
            .ok_or_else(|| format!("{path}: \"{name}\" is required"))
    };
    let p = |name: &str| format!("{path}.{name}");
    let promise_name = Reader::text(get("promise")?, &p("promise"))?;
    let promise = Promise::from_name(promise_name).map_err(|_| {
        format!(
            "{}: unknown promise \"{promise_name}\"; expected standard, secure-element or \
             secure-enclave",
            p("promise")
        )
    })?;
    static EMPTY: Value = Value::Array(Vec::new());
    let empty = &EMPTY;
    Ok(CertifiedConfig {
        oemid: r.oemid(get("oemid")?, &p("oemid"))?,
        hwmodel: r.bytes(get("hwmodel")?, &p("hwmodel"))?,
        swname: Reader::text(get("swname")?, &p("swname"))?,
        swversion: Reader::text(get("swversion")?, &p("swversion"))?,
        promise,
        certificate: Reader::text(get("certificate")?, &p("certificate"))?,
        se_robustness: r
            .robustness_list(m.get("se_robustness").unwrap_or(empty), &p("se_robustness"))?,
        tee_robustness: r.robustness_list(
            m.get("tee_robustness").unwrap_or(empty),
            &p("tee_robustness"),
        )?,
        reference_measurements: r
            .measurement_list(get("reference_measurements")?, &p("reference_measurements"))?,
    })
}

/// Reads a policy from its JSON value.
pub(crate) fn parse_policy<'a>(v: &'a Value, bump: &'a Bump) -> Result<PolicyFile<'a>, String> {
    let r = Reader { bump, now: 0 };
    let m = Reader::object(v, "the policy")?;
    if let Some(name) = m.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(unknown("policy", name, &FIELDS));
    }
    let certified_json = Reader::array(
        m.get("certified")
            .ok_or("\"certified\" is required: the list of certified configurations")?,
        "certified",
    )?;
    let certified = certified_json
        .iter()
        .enumerate()
        .map(|(i, c)| config(&r, c, &format!("certified[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let profiles = match m.get("accepted_profiles") {
        None => vec![PROFILE],
        Some(list) => Reader::array(list, "accepted_profiles")?
            .iter()
            .enumerate()
            .map(|(i, p)| r.profile(p, &format!("accepted_profiles[{i}]")))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let debug_floor = match m.get("debug_floor") {
        None => DebugStatus::DisabledPermanently,
        Some(Value::String(s)) => DBGSTAT_NAMES
            .iter()
            .position(|n| n == s)
            .and_then(|i| u64::try_from(i).ok())
            .and_then(|i| DebugStatus::from_u64(i).ok())
            .ok_or_else(|| {
                format!(
                    "debug_floor: unknown value \"{s}\"; expected one of: {}",
                    DBGSTAT_NAMES.join(", ")
                )
            })?,
        Some(other) => DebugStatus::from_u64(Reader::uint(other, "debug_floor")?)
            .map_err(|_| "debug_floor: expected 0 to 4 or a name".to_string())?,
    };
    let uint_or =
        |name: &str, default: u64| m.get(name).map_or(Ok(default), |x| Reader::uint(x, name));
    Ok(PolicyFile {
        profiles: bump.alloc_slice_copy(&profiles),
        certified: bump.alloc_slice_copy(&certified),
        registrar: Reader::text(
            m.get("registrar").ok_or(
                "\"registrar\" is required: the verifier's URI, first element of its dloas",
            )?,
            "registrar",
        )?,
        max_challenge_age: uint_or("max_challenge_age", 120)?,
        clock_skew: uint_or("clock_skew", 30)?,
        debug_floor,
        require_oemboot: m
            .get("require_oemboot")
            .map_or(Ok(true), |x| Reader::bool(x, "require_oemboot"))?,
    })
}

/// Reads a JSON file, with the line and column of a syntax error.
pub(crate) fn load_json(path: &Path) -> CliResult<Value> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::usage(format!(
            "{}: not valid JSON: line {} column {}: {}",
            shown(path),
            e.line(),
            e.column(),
            e.to_string().split(" at line").next().unwrap_or("")
        ))
    })
}

/// Reads a policy file whose JSON value the caller keeps alive.
pub(crate) fn policy_from<'a>(
    path: &Path,
    v: &'a Value,
    bump: &'a Bump,
) -> CliResult<PolicyFile<'a>> {
    parse_policy(v, bump).map_err(|e| CliError::usage(format!("{}: {e}", shown(path))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_policy_reads() {
        let v: Value = serde_json::from_str(include_str!("../examples/policy.json")).unwrap();
        let bump = Bump::new();
        let p = parse_policy(&v, &bump).unwrap();
        assert_eq!(p.certified.len(), 2);
        assert_eq!(p.certified[0].promise, Promise::SecureEnclave);
        assert_eq!(p.certified[0].hwmodel, b"edge-node-x1");
        assert_eq!(p.profiles, &[PROFILE]);
        assert_eq!(p.debug_floor, DebugStatus::DisabledPermanently);
    }

    #[test]
    fn policy_mistakes_are_explained() {
        let bump = Bump::new();
        let err = |j: &str| {
            let v: Value = serde_json::from_str(j).unwrap();
            parse_policy(&v, &bump).map(|_| ()).unwrap_err()
        };
        assert!(err("{}").contains("\"certified\" is required"));
        assert!(err(r#"{"certifed": []}"#).contains("did you mean \"certified\""));
        assert!(
            err(r#"{"registrar": "x", "certified": [{"promise": "gold"}]}"#)
                .contains("certified[0].promise: unknown promise \"gold\"")
        );
    }
}
