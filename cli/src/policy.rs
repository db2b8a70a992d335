//! The JSON policy format: a verifier's allow-list of certified configurations, the endorsements
//! of device keys (which models each key may attest) and its rules, read into the library's
//! [`Policy`] and [`Endorsement`]s. The challenge is not part of the file: it is per session, so
//! it comes from the command line (`--nonce`, `--challenge-issued-at`).

use std::path::Path;

use bumpalo::Bump;
use ecnpp_attest::appraise::{CertifiedConfig, Challenge, Policy};
use ecnpp_attest::crypto::VerifyingKey;
use ecnpp_attest::eat::Promise;
use ecnpp_attest::eat::{DebugStatus, Profile, Ueid};
use ecnpp_attest::ecnpp::{Endorsement, Model, PROFILE, PROFILE_OID_TEXT};
use serde_json::Value;

use crate::claims::{Reader, enum_value, suggestion};
use crate::fail::{CliError, CliResult};
use crate::io::{read_file, read_text, shown};
use crate::keys::parse_verifying_key;

/// A device key and what the policy endorses it for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Endorsed<'a> {
    /// The key.
    pub(crate) key: VerifyingKey,
    /// The certified models it may attest.
    pub(crate) models: &'a [Model<'a>],
    /// The one device it belongs to, if the policy binds it.
    pub(crate) ueid: Option<Ueid<'a>>,
}

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
    /// The endorsed device keys.
    pub(crate) endorsements: &'a [Endorsed<'a>],
}

impl<'a> PolicyFile<'a> {
    /// The library policy for one challenge at time `now`.
    pub(crate) fn policy(&self, challenge: Challenge<'a>, now: i64) -> Policy<'a> {
        let p = Policy::new(challenge, now, self.certified, self.registrar);
        // The profiles were checked when the file was read; the default is this profile alone.
        let mut p = p.accept_profiles(self.profiles).unwrap_or(p);
        p.max_challenge_age = self.max_challenge_age;
        p.clock_skew = self.clock_skew;
        p.debug_floor = self.debug_floor;
        p.require_oemboot = self.require_oemboot;
        p
    }

    /// The endorsement of `key` (named by `kid`): what the policy endorses it for, or nothing
    /// (a key the policy does not endorse verifies signatures, and appraisal refuses its
    /// evidence as `model-not-endorsed`).
    pub(crate) fn endorsement<'k>(&self, key: &'k VerifyingKey, kid: &'k [u8]) -> Endorsement<'k>
    where
        'a: 'k,
    {
        let e = self.endorsements.iter().find(|e| e.key == *key);
        Endorsement {
            kid,
            key,
            models: e.map_or(&[], |e| e.models),
            ueid: e.and_then(|e| e.ueid),
        }
    }
}

const FIELDS: [&str; 8] = [
    "registrar",
    "endorsements",
    "max_challenge_age",
    "clock_skew",
    "debug_floor",
    "require_oemboot",
    "accepted_profiles",
    "certified",
];

const CONFIG_FIELDS: [&str; 10] = [
    "certificate",
    "pp_ref",
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
        pp_ref: Reader::text(get("pp_ref")?, &p("pp_ref"))?,
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

const ENDORSEMENT_FIELDS: [&str; 3] = ["key", "models", "ueid"];
const MODEL_FIELDS: [&str; 2] = ["oemid", "hwmodel"];

fn model<'a>(r: &Reader<'a>, v: &'a Value, path: &str) -> Result<Model<'a>, String> {
    let m = Reader::object(v, path)?;
    if let Some(name) = m.keys().find(|k| !MODEL_FIELDS.contains(&k.as_str())) {
        return Err(unknown(path, name, &MODEL_FIELDS));
    }
    let get = |name: &str| {
        m.get(name)
            .ok_or_else(|| format!("{path}: \"{name}\" is required"))
    };
    Ok(Model {
        oemid: r.oemid(get("oemid")?, &format!("{path}.oemid"))?,
        hwmodel: r.bytes(get("hwmodel")?, &format!("{path}.hwmodel"))?,
    })
}

/// One endorsement: `{"key": FILE, "models": [{"oemid": …, "hwmodel": …}], "ueid": HEX}`, the
/// key file's path relative to the policy file's folder.
fn endorsement<'a>(
    r: &Reader<'a>,
    v: &'a Value,
    path: &str,
    base: Option<&Path>,
) -> Result<Endorsed<'a>, String> {
    let m = Reader::object(v, path)?;
    if let Some(name) = m.keys().find(|k| !ENDORSEMENT_FIELDS.contains(&k.as_str())) {
        return Err(unknown(path, name, &ENDORSEMENT_FIELDS));
    }
    let file = Reader::text(
        m.get("key")
            .ok_or_else(|| format!("{path}: \"key\" is required: the device's public key file"))?,
        &format!("{path}.key"),
    )?;
    let base =
        base.ok_or_else(|| format!("{path}.key: a policy read from memory names no files"))?;
    let key_path = base.join(file);
    let bytes = read_file(&key_path).map_err(|e| format!("{path}.key: {e}"))?;
    let key = parse_verifying_key(&bytes)
        .map_err(|e| format!("{path}.key: {}: {e}", shown(&key_path)))?
        .key;
    let models = Reader::array(
        m.get("models").ok_or_else(|| {
            format!("{path}: \"models\" is required: the certified models the key may attest")
        })?,
        &format!("{path}.models"),
    )?
    .iter()
    .enumerate()
    .map(|(i, x)| model(r, x, &format!("{path}.models[{i}]")))
    .collect::<Result<Vec<_>, _>>()?;
    if models.is_empty() {
        return Err(format!("{path}.models: endorses no model"));
    }
    let ueid = match m.get("ueid") {
        None => None,
        Some(u) => {
            let b = r.bytes(u, &format!("{path}.ueid"))?;
            Some(Ueid::new(b).map_err(|_| {
                format!(
                    "{path}.ueid: a ueid is {} to {} bytes; this one has {}",
                    Ueid::MIN_LEN,
                    Ueid::MAX_LEN,
                    b.len()
                )
            })?)
        }
    };
    Ok(Endorsed {
        key,
        models: r.bump.alloc_slice_copy(&models),
        ueid,
    })
}

/// Reads a policy from its JSON value; key files of endorsements are read relative to `base`
/// (the policy file's folder; `None` for a policy that is not a file).
pub(crate) fn parse_policy<'a>(
    v: &'a Value,
    bump: &'a Bump,
    base: Option<&Path>,
) -> Result<PolicyFile<'a>, String> {
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
    // A profile is accepted only together with rules the library applies.
    if let Some(i) = profiles
        .iter()
        .position(|p| !ecnpp_attest::ecnpp::has_rules(p))
    {
        return Err(format!(
            "accepted_profiles[{i}]: no rules are known for this profile, so it cannot be \
             accepted; known: {PROFILE_OID_TEXT} (ECN PP evidence)"
        ));
    }
    if profiles.is_empty() {
        return Err("accepted_profiles: accepts no profile".into());
    }
    let endorsements = match m.get("endorsements") {
        None => Vec::new(),
        Some(list) => Reader::array(list, "endorsements")?
            .iter()
            .enumerate()
            .map(|(i, e)| endorsement(&r, e, &format!("endorsements[{i}]"), base))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let debug_floor = match m.get("debug_floor") {
        None => DebugStatus::DisabledPermanently,
        Some(x @ Value::String(_)) => enum_value::<DebugStatus>(x, "debug_floor")?,
        Some(other) => {
            DebugStatus::from_u64(Reader::uint(other, "debug_floor")?).map_err(|_| {
                format!(
                    "debug_floor: expected {} to {} or a name",
                    DebugStatus::ALL.first().map_or(0, |d| d.value()),
                    DebugStatus::ALL.last().map_or(0, |d| d.value()),
                )
            })?
        }
    };
    let uint_or =
        |name: &str, default: u64| m.get(name).map_or(Ok(default), |x| Reader::uint(x, name));
    Ok(PolicyFile {
        profiles: bump.alloc_slice_copy(&profiles),
        endorsements: bump.alloc_slice_copy(&endorsements),
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
    let base = path.parent().map(|p| {
        if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        }
    });
    parse_policy(v, bump, base).map_err(|e| CliError::usage(format!("{}: {e}", shown(path))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_policy_reads() {
        let v: Value = serde_json::from_str(include_str!("../examples/policy.json")).unwrap();
        let bump = Bump::new();
        let p = parse_policy(&v, &bump, None).unwrap();
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
            parse_policy(&v, &bump, None).map(|_| ()).unwrap_err()
        };
        assert!(err("{}").contains("\"certified\" is required"));
        assert!(err(r#"{"certifed": []}"#).contains("did you mean \"certified\""));
        assert!(
            err(r#"{"registrar": "x", "certified": [{"promise": "gold"}]}"#)
                .contains("certified[0].promise: unknown promise \"gold\"")
        );
    }
}
