//! Appraisal and attestation results: a verifier's policy as C structs, the verdict copied into
//! a caller struct, result tokens signed and verified, and a relying party's workload
//! requirement.
//!
//! Nothing here keeps a pointer after a call returns: `ecnpp_appraise` copies its small verdict
//! out, and `ecnpp_result_sign` takes the evidence, the trust and the policy again (it verifies
//! and appraises once more, then signs), so no lifetime crosses the boundary.

use core::ffi::{CStr, c_char};

use ecnpp_attest::appraise::{
    AttestationResult, CertifiedConfig, Challenge, Policy, Reasons, Refusals, Requirement,
    TrustStatus, VerifiedResult, appraise,
};
use ecnpp_attest::cose::Sign1Builder;
use ecnpp_attest::eat::{DebugStatus, HwModel, Nonce, OemId};
use ecnpp_attest::eat::{Promise, Robustness};
use ecnpp_attest::ecnpp::VerifiedEvidence;

use crate::args::{
    FfiResult, OutBuf, Span, array, bool01, boundary, boundary_value, input, output, required,
    required_const,
};
use crate::claims::{
    ECNPP_MAX_MEASUREMENTS, MeasurementRoom, NO_MEASUREMENT, Overlap, dbgstat_from_c, dbgstat_to_c,
    ecnpp_bytes, ecnpp_dbgstat, ecnpp_measurement, ecnpp_promise, ecnpp_str, measurements_from_c,
    promise_from_c, promise_to_c,
};
use crate::evidence::{check_trust, ecnpp_trust, model_room, verify_evidence};
use crate::handle;
use crate::keys::ecnpp_verifying_key;
use crate::result::ecnpp_result;
use crate::sign1::parse_options;
use crate::signer::{CallbackSigner, ecnpp_signer};

/// Most robustness entries in one list of a certified configuration.
pub const ECNPP_MAX_ROBUSTNESS: usize = 8;

/// A certification a secure element or TEE holds: scheme and level, e.g. ("FIPS140-3", "3").
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_robustness {
    /// The scheme, e.g. "FIPS140-3", "PSA", "SESIP" (required).
    pub scheme: ecnpp_str,
    /// The level, e.g. "3" (required).
    pub level: ecnpp_str,
}

/// A certified configuration: what a Common Criteria certificate covers. Evidence matches it
/// when its `oemid`, `hwmodel`, `swname` and `swversion` are these; it must then also name this
/// `pp_ref` (else `ECNPP_REASON_PP_REF_MISMATCH`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_certified_config {
    /// The OEM: 3 bytes (IEEE OUI) or 16 (random). Required.
    pub oemid: ecnpp_bytes,
    /// The hardware model, 1 to 32 bytes. Required.
    pub hwmodel: ecnpp_bytes,
    /// The software name. Required.
    pub swname: ecnpp_str,
    /// The software version (exact match). Required.
    pub swversion: ecnpp_str,
    /// The promise the certificate supports (`ECNPP_PROMISE_STANDARD` to `_SECURE_ENCLAVE`).
    pub promise: ecnpp_promise,
    /// The PP and version the certificate is for, e.g. "NSCIB-PP-0112146/1.0.7". Required.
    /// Evidence must name exactly this `ecnpp-pp-ref`; results carry this value, not the
    /// device's.
    pub pp_ref: ecnpp_str,
    /// The certificate reference (the platform label of the result's `dloas`). Required.
    pub certificate: ecnpp_str,
    /// Reference values: the evidence's measurements (device and `"tee"`) must equal this set.
    /// At most `ECNPP_MAX_MEASUREMENTS`; `(NULL, 0)`: none.
    pub reference_measurements: *const ecnpp_measurement,
    /// Number of entries in `reference_measurements`.
    pub reference_measurements_len: usize,
    /// The secure element's certifications, reported in the result's `"se"` submodule. At most
    /// `ECNPP_MAX_ROBUSTNESS`; `(NULL, 0)`: none.
    pub se_robustness: *const ecnpp_robustness,
    /// Number of entries in `se_robustness`.
    pub se_robustness_len: usize,
    /// The TEE's certifications, reported in the result's `"tee"` submodule (as above).
    pub tee_robustness: *const ecnpp_robustness,
    /// Number of entries in `tee_robustness`.
    pub tee_robustness_len: usize,
}

/// The challenge a verifier issued: the nonce evidence must echo, and when it was issued.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_challenge {
    /// The nonce, 8 to 64 bytes. Required.
    pub nonce: ecnpp_bytes,
    /// Issue time, epoch seconds.
    pub issued_at: i64,
}

/// A verifier's appraisal policy for one challenge. Start from `ecnpp_policy_init` (the
/// profile's defaults), then set `challenge`, `now`, `certified` and `registrar`. Only
/// `eat_profile` of this profile is accepted.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_policy {
    /// The challenge the appraised evidence answers.
    pub challenge: ecnpp_challenge,
    /// The verifier's clock, epoch seconds.
    pub now: i64,
    /// How long a challenge stays valid, seconds (default 120).
    pub max_challenge_age: u64,
    /// Tolerated clock difference for `iat`, `nbf`, `exp`, seconds (default 30).
    pub clock_skew: u64,
    /// Allow-list of certified configurations; the first that matches applies. `(NULL, 0)`:
    /// none (all evidence is then uncertified).
    pub certified: *const ecnpp_certified_config,
    /// Number of entries in `certified`.
    pub certified_len: usize,
    /// Lowest acceptable `dbgstat` of the device and its secure element (default
    /// `ECNPP_DBGSTAT_DISABLED_PERMANENTLY`).
    pub debug_floor: ecnpp_dbgstat,
    /// 1: require `oemboot` to be true (default); 0: do not.
    pub require_oemboot: u8,
    /// The verifier's registrar URI, first element of the `dloas` it issues. Required.
    pub registrar: ecnpp_str,
}

/// Trust status of an appraisal: one of `ECNPP_STATUS_*`. 0 is none of them, so a zeroed
/// `ecnpp_appraisal` never reads as affirming.
pub type ecnpp_status = i32;
/// Everything checked out.
pub const ECNPP_STATUS_AFFIRMING: ecnpp_status = 1;
/// Usable with care; see the reasons (e.g. the promise was capped at the certified one).
pub const ECNPP_STATUS_WARNING: ecnpp_status = 2;
/// Do not trust the device. Never issued as a result token.
pub const ECNPP_STATUS_CONTRAINDICATED: ecnpp_status = 3;

/// Reason: the evidence's nonce is not the challenge (a replayed or foreign token).
pub const ECNPP_REASON_NONCE_MISMATCH: u32 = 1 << 0;
/// Reason: the challenge is older than the policy allows (or from the future).
pub const ECNPP_REASON_CHALLENGE_EXPIRED: u32 = 1 << 1;
/// Reason: `iat`/`nbf` in the future or `exp` in the past.
pub const ECNPP_REASON_TOKEN_TIME_INVALID: u32 = 1 << 2;
/// Reason: `eat_profile` is not this profile.
pub const ECNPP_REASON_WRONG_PROFILE: u32 = 1 << 3;
/// Reason: a claim the profile requires is missing, or a verifier-only claim is present.
pub const ECNPP_REASON_EVIDENCE_INCOMPLETE: u32 = 1 << 4;
/// Reason: the submodule the claimed promise requires is missing or breaks its rules.
pub const ECNPP_REASON_SUBMODULE_MISSING: u32 = 1 << 5;
/// Reason: the oemid/hwmodel/swname/swversion combination is not on the allow-list.
pub const ECNPP_REASON_UNCERTIFIED_CONFIG: u32 = 1 << 6;
/// Reason: the promise claimed is above the certified one (capped; a warning only).
pub const ECNPP_REASON_PROMISE_ABOVE_CERTIFIED: u32 = 1 << 7;
/// Reason: `oemboot` is not true.
pub const ECNPP_REASON_OEMBOOT_FAILED: u32 = 1 << 8;
/// Reason: `dbgstat` is below the policy's floor.
pub const ECNPP_REASON_DEBUG_ENABLED: u32 = 1 << 9;
/// Reason: a measurement differs from the reference values, or a reference value is absent.
pub const ECNPP_REASON_MEASUREMENT_MISMATCH: u32 = 1 << 10;
/// Reason: more measurements than an appraisal records (`ECNPP_MAX_MEASUREMENTS`).
pub const ECNPP_REASON_TOO_MANY_MEASUREMENTS: u32 = 1 << 11;
/// Reason: the device is provisioning or in maintenance, not operational (a warning only).
pub const ECNPP_REASON_NOT_OPERATIONAL: u32 = 1 << 12;
/// Reason: the device is decommissioned.
pub const ECNPP_REASON_DECOMMISSIONED: u32 = 1 << 13;
/// Reason: the secure element's `dbgstat` is below the policy's floor.
pub const ECNPP_REASON_SE_DEBUG_ENABLED: u32 = 1 << 14;
/// Reason: the endorsement of the key that signed does not list the device's oemid and hwmodel.
pub const ECNPP_REASON_MODEL_NOT_ENDORSED: u32 = 1 << 15;
/// Reason: the endorsement binds one device, and the evidence names another `ueid`.
pub const ECNPP_REASON_UEID_NOT_ENDORSED: u32 = 1 << 16;
/// Reason: `ecnpp-pp-ref` is not the `pp_ref` of the certified configuration.
pub const ECNPP_REASON_PP_REF_MISMATCH: u32 = 1 << 17;
/// Reason: the evidence does not meet the rules of the promise a result would state (the
/// claimed one capped at the certified one), so none is stated.
pub const ECNPP_REASON_PROMISE_NOT_SHOWN: u32 = 1 << 18;

/// Each C reason bit, core's flag, and its name (core's `Reasons::names`, NUL-terminated;
/// a unit test checks both against core).
static REASONS: [(u32, Reasons, &CStr); 19] = [
    (
        ECNPP_REASON_NONCE_MISMATCH,
        Reasons::NONCE_MISMATCH,
        c"nonce-mismatch",
    ),
    (
        ECNPP_REASON_CHALLENGE_EXPIRED,
        Reasons::CHALLENGE_EXPIRED,
        c"challenge-expired",
    ),
    (
        ECNPP_REASON_TOKEN_TIME_INVALID,
        Reasons::TOKEN_TIME_INVALID,
        c"token-time-invalid",
    ),
    (
        ECNPP_REASON_WRONG_PROFILE,
        Reasons::WRONG_PROFILE,
        c"wrong-profile",
    ),
    (
        ECNPP_REASON_EVIDENCE_INCOMPLETE,
        Reasons::EVIDENCE_INCOMPLETE,
        c"evidence-incomplete",
    ),
    (
        ECNPP_REASON_SUBMODULE_MISSING,
        Reasons::SUBMODULE_MISSING,
        c"submodule-missing",
    ),
    (
        ECNPP_REASON_UNCERTIFIED_CONFIG,
        Reasons::UNCERTIFIED_CONFIG,
        c"uncertified-config",
    ),
    (
        ECNPP_REASON_PROMISE_ABOVE_CERTIFIED,
        Reasons::PROMISE_ABOVE_CERTIFIED,
        c"promise-above-certified",
    ),
    (
        ECNPP_REASON_OEMBOOT_FAILED,
        Reasons::OEMBOOT_FAILED,
        c"oemboot-failed",
    ),
    (
        ECNPP_REASON_DEBUG_ENABLED,
        Reasons::DEBUG_ENABLED,
        c"debug-enabled",
    ),
    (
        ECNPP_REASON_MEASUREMENT_MISMATCH,
        Reasons::MEASUREMENT_MISMATCH,
        c"measurement-mismatch",
    ),
    (
        ECNPP_REASON_TOO_MANY_MEASUREMENTS,
        Reasons::TOO_MANY_MEASUREMENTS,
        c"too-many-measurements",
    ),
    (
        ECNPP_REASON_NOT_OPERATIONAL,
        Reasons::NOT_OPERATIONAL,
        c"not-operational",
    ),
    (
        ECNPP_REASON_DECOMMISSIONED,
        Reasons::DECOMMISSIONED,
        c"decommissioned",
    ),
    (
        ECNPP_REASON_SE_DEBUG_ENABLED,
        Reasons::SE_DEBUG_ENABLED,
        c"se-debug-enabled",
    ),
    (
        ECNPP_REASON_MODEL_NOT_ENDORSED,
        Reasons::MODEL_NOT_ENDORSED,
        c"model-not-endorsed",
    ),
    (
        ECNPP_REASON_UEID_NOT_ENDORSED,
        Reasons::UEID_NOT_ENDORSED,
        c"ueid-not-endorsed",
    ),
    (
        ECNPP_REASON_PP_REF_MISMATCH,
        Reasons::PP_REF_MISMATCH,
        c"pp-ref-mismatch",
    ),
    (
        ECNPP_REASON_PROMISE_NOT_SHOWN,
        Reasons::PROMISE_NOT_SHOWN,
        c"promise-not-shown",
    ),
];

/// Compile-time proof that every C reason bit is core's.
const fn check_reason_bits() {
    let mut i = 0;
    while i < REASONS.len() {
        #[allow(clippy::indexing_slicing)] // const evaluation: out of bounds is a build error
        let (bit, core, _) = REASONS[i];
        assert!(bit == core.bits(), "C reason bit differs from core's");
        i += 1;
    }
}

/// The verdict of `ecnpp_appraise`: small plain data copied out of the appraisal, borrowing
/// nothing.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_appraisal {
    /// `ECNPP_STATUS_AFFIRMING`, `_WARNING` or `_CONTRAINDICATED`.
    pub status: ecnpp_status,
    /// Every failed check, as `ECNPP_REASON_*` bits (0 when affirming).
    pub reasons: u32,
    /// The promise the verifier corroborates: the claimed one capped at the certified one, when
    /// the evidence meets that promise's rules; `ECNPP_PROMISE_NONE` when the configuration is
    /// not certified or the evidence does not show the promise.
    pub promise: ecnpp_promise,
    /// 1 when identity, software, measurements, debug and lifecycle match the certified
    /// configuration and nothing at all was flagged.
    pub evaluated_config: u8,
    /// 1 when a certified configuration matched.
    pub has_config: u8,
    /// The index in `policy->certified` of the configuration that matched (when `has_config`).
    pub config_index: usize,
}

/// An attestation result whose signature (the verifier's) was checked and whose claims meet
/// the profile's result rules.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_verified_result {
    /// The corroborated promise (`ECNPP_PROMISE_STANDARD` to `_SECURE_ENCLAVE`).
    pub promise: ecnpp_promise,
    /// 1 when the verifier found the certified configuration evaluated, else 0.
    pub evaluated_config: u8,
    /// When the verifier issued the result, epoch seconds.
    pub iat: i64,
    /// The device's UEID, borrowed from the result token.
    pub ueid: ecnpp_bytes,
}

/// What a workload requires of a device (see `ecnpp_requirement_parse`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ecnpp_requirement {
    /// The lowest acceptable corroborated promise (`ECNPP_PROMISE_STANDARD` to `_SECURE_ENCLAVE`).
    pub min_promise: ecnpp_promise,
    /// 1: require the evaluated-configuration verdict.
    pub evaluated_config: u8,
    /// 1 when `max_age` applies.
    pub has_max_age: u8,
    /// Largest acceptable result age, seconds.
    pub max_age: u64,
}

/// Refusal: the corroborated promise is below the requirement.
pub const ECNPP_REFUSAL_PROMISE_TOO_LOW: u32 = 1 << 0;
/// Refusal: the configuration was not evaluated as certified.
pub const ECNPP_REFUSAL_NOT_EVALUATED: u32 = 1 << 1;
/// Refusal: the result is older than `max_age` (or from the future).
pub const ECNPP_REFUSAL_TOO_OLD: u32 = 1 << 2;

// ---------------------------------------------------------------------------------------------
// Policy conversion
// ---------------------------------------------------------------------------------------------

const NO_ROBUSTNESS: Robustness<'static> = Robustness {
    scheme: "",
    level: "",
};

/// Stack room for one certified configuration's lists.
struct ConfigRoom<'a> {
    references: MeasurementRoom<'a>,
    se: [Robustness<'a>; ECNPP_MAX_ROBUSTNESS],
    tee: [Robustness<'a>; ECNPP_MAX_ROBUSTNESS],
}

impl ConfigRoom<'_> {
    const fn new() -> Self {
        Self {
            references: [NO_MEASUREMENT; ECNPP_MAX_MEASUREMENTS],
            se: [NO_ROBUSTNESS; ECNPP_MAX_ROBUSTNESS],
            tee: [NO_ROBUSTNESS; ECNPP_MAX_ROBUSTNESS],
        }
    }
}

const INVALID_POLICY: ecnpp_result = ecnpp_result::ECNPP_ERR_INVALID_POLICY;

/// A required text field of the policy, its range passed to `note`.
///
/// # Safety
/// Readable for its length for `'a`.
unsafe fn policy_text<'a>(s: &ecnpp_str, note: &dyn Fn(Span)) -> FfiResult<&'a str> {
    // SAFETY: forwarded precondition.
    let t = unsafe { s.optional() }?.ok_or(INVALID_POLICY)?;
    note(Span::of(t.as_bytes()));
    Ok(t)
}

/// A required byte field of the policy, its range passed to `note`.
///
/// # Safety
/// As [`policy_text`].
unsafe fn policy_bytes<'a>(b: &ecnpp_bytes, note: &dyn Fn(Span)) -> FfiResult<&'a [u8]> {
    // SAFETY: forwarded precondition.
    let v = unsafe { b.optional() }?.ok_or(INVALID_POLICY)?;
    note(Span::of(v));
    Ok(v)
}

/// Converts a robustness list into `room`.
///
/// # Safety
/// `ptr` readable for `len` entries whose strings are readable, for `'a`.
unsafe fn robustness_from_c<'a, 'r>(
    ptr: *const ecnpp_robustness,
    len: usize,
    room: &'r mut [Robustness<'a>; ECNPP_MAX_ROBUSTNESS],
    note: &dyn Fn(Span),
) -> FfiResult<&'r [Robustness<'a>]> {
    // SAFETY: forwarded precondition; plain data.
    let items = unsafe { array(ptr, len) }?;
    note(Span::of(items));
    if items.len() > room.len() {
        return Err(INVALID_POLICY);
    }
    for (slot, r) in room.iter_mut().zip(items) {
        // SAFETY: forwarded precondition.
        let (scheme, level) =
            unsafe { (policy_text(&r.scheme, note)?, policy_text(&r.level, note)?) };
        *slot = Robustness { scheme, level };
    }
    Ok(room.get(..items.len()).unwrap_or(&[]))
}

/// Converts one certified configuration, checking every field.
///
/// # Safety
/// Every pointer in `c` readable for its length, for `'a`.
unsafe fn config_from_c<'a, 'r>(
    c: &ecnpp_certified_config,
    room: &'r mut ConfigRoom<'a>,
    note: &dyn Fn(Span),
) -> FfiResult<CertifiedConfig<'r>>
where
    'a: 'r,
{
    // SAFETY: forwarded precondition.
    unsafe {
        let oemid = OemId::from_bytes(policy_bytes(&c.oemid, note)?).map_err(|_| INVALID_POLICY)?;
        let hwmodel = policy_bytes(&c.hwmodel, note)?;
        HwModel::new(hwmodel).map_err(|_| INVALID_POLICY)?;
        let swname = policy_text(&c.swname, note)?;
        let swversion = policy_text(&c.swversion, note)?;
        let promise = promise_from_c(c.promise).ok_or(INVALID_POLICY)?;
        let pp_ref = policy_text(&c.pp_ref, note)?;
        let certificate = policy_text(&c.certificate, note)?;
        let references = measurements_from_c(
            c.reference_measurements,
            c.reference_measurements_len,
            &mut room.references,
            INVALID_POLICY,
            note,
        )?
        .unwrap_or(&[]);
        let se_robustness =
            robustness_from_c(c.se_robustness, c.se_robustness_len, &mut room.se, note)?;
        let tee_robustness =
            robustness_from_c(c.tee_robustness, c.tee_robustness_len, &mut room.tee, note)?;
        Ok(CertifiedConfig {
            oemid,
            hwmodel,
            swname,
            swversion,
            promise,
            pp_ref,
            certificate,
            se_robustness,
            tee_robustness,
            reference_measurements: references,
        })
    }
}

/// A checked policy, its configurations still in C form (converted one at a time when used).
struct CheckedPolicy<'a> {
    challenge: Challenge<'a>,
    now: i64,
    max_challenge_age: u64,
    clock_skew: u64,
    configs: &'a [ecnpp_certified_config],
    debug_floor: DebugStatus,
    require_oemboot: bool,
    registrar: &'a str,
}

impl<'a> CheckedPolicy<'a> {
    /// Checks `p` and every configuration in it, passing each input range to `note`.
    ///
    /// # Safety
    /// Every pointer in `p` (and in what it points to) readable for its length, for `'a`.
    unsafe fn new(p: &ecnpp_policy, note: &dyn Fn(Span)) -> FfiResult<Self> {
        note(Span::of(core::slice::from_ref(p)));
        // SAFETY: forwarded precondition.
        unsafe {
            let nonce = policy_bytes(&p.challenge.nonce, note)?;
            Nonce::new(nonce).map_err(|_| INVALID_POLICY)?;
            let registrar = policy_text(&p.registrar, note)?;
            let configs = array(p.certified, p.certified_len)?;
            note(Span::of(configs));
            for c in configs {
                config_from_c(c, &mut ConfigRoom::new(), note)?;
            }
            Ok(Self {
                challenge: Challenge {
                    nonce,
                    issued_at: p.challenge.issued_at,
                },
                now: p.now,
                max_challenge_age: p.max_challenge_age,
                clock_skew: p.clock_skew,
                configs,
                debug_floor: dbgstat_from_c(p.debug_floor).ok_or(INVALID_POLICY)?,
                require_oemboot: bool01(p.require_oemboot, INVALID_POLICY)?,
                registrar,
            })
        }
    }

    /// Core's policy with these settings and `certified` (core's defaults for the rest, i.e.
    /// this profile is the only accepted one).
    fn core<'r>(&self, certified: &'r [CertifiedConfig<'r>]) -> Policy<'r>
    where
        'a: 'r,
    {
        let mut policy = Policy::new(self.challenge, self.now, certified, self.registrar);
        policy.max_challenge_age = self.max_challenge_age;
        policy.clock_skew = self.clock_skew;
        policy.debug_floor = self.debug_floor;
        policy.require_oemboot = self.require_oemboot;
        policy
    }

    /// Appraises `evidence` exactly as core would against the whole allow-list, converting one
    /// configuration at a time (no heap for a converted list): core's appraisal picks the
    /// first configuration that matches, so the first one that matches on its own is that one.
    /// `f` gets the result and the index of the matching configuration.
    ///
    /// # Safety
    /// The policy's pointers still readable and unchanged since [`Self::new`].
    unsafe fn appraise<R>(
        &self,
        evidence: &VerifiedEvidence<'_>,
        f: impl FnOnce(&AttestationResult<'_>, Option<usize>) -> R,
    ) -> FfiResult<R> {
        for (i, c) in self.configs.iter().enumerate() {
            let mut room = ConfigRoom::new();
            // SAFETY: forwarded precondition.
            let config = unsafe { config_from_c(c, &mut room, &|_| {}) }?;
            let one = [config];
            let result = appraise(evidence, &self.core(&one));
            if result.certified_config().is_some() {
                return Ok(f(&result, Some(i)));
            }
        }
        Ok(f(&appraise(evidence, &self.core(&[])), None))
    }
}

fn appraisal_to_c(r: &AttestationResult<'_>, config: Option<usize>) -> ecnpp_appraisal {
    ecnpp_appraisal {
        status: match r.status() {
            TrustStatus::Affirming => ECNPP_STATUS_AFFIRMING,
            TrustStatus::Warning => ECNPP_STATUS_WARNING,
            TrustStatus::Contraindicated => ECNPP_STATUS_CONTRAINDICATED,
        },
        reasons: r.reasons().bits(),
        promise: promise_to_c(r.promise()),
        evaluated_config: u8::from(r.evaluated_config()),
        has_config: u8::from(config.is_some()),
        config_index: config.unwrap_or(0),
    }
}

// ---------------------------------------------------------------------------------------------
// Exported functions
// ---------------------------------------------------------------------------------------------

/// Fills `*policy_out` with the profile's defaults (core's `Policy::new`): challenges valid
/// 120 s, 30 s clock skew, debug floor `ECNPP_DBGSTAT_DISABLED_PERMANENTLY`, oemboot required;
/// every other field zero or NULL (set `challenge`, `now`, `certified` and `registrar`).
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_INVALID_ARGUMENT` (misaligned).
///
/// # Safety
/// `policy_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_policy_init(policy_out: *mut ecnpp_policy) -> ecnpp_result {
    boundary(|| {
        let out = output(policy_out)?;
        let d = Policy::new(
            Challenge {
                nonce: &[],
                issued_at: 0,
            },
            0,
            &[],
            "",
        );
        let policy = ecnpp_policy {
            challenge: ecnpp_challenge {
                nonce: ecnpp_bytes::NONE,
                issued_at: 0,
            },
            now: 0,
            max_challenge_age: d.max_challenge_age,
            clock_skew: d.clock_skew,
            certified: core::ptr::null(),
            certified_len: 0,
            debug_floor: dbgstat_to_c(d.debug_floor),
            require_oemboot: u8::from(d.require_oemboot),
            registrar: ecnpp_str::NONE,
        };
        // SAFETY: non-NULL, aligned, writable (caller's promise).
        unsafe { out.write(policy) };
        Ok(())
    })
}

/// Verifies evidence and appraises it against `policy`; the verdict is copied into
/// `*appraisal_out` (nothing borrowed, nothing kept).
///
/// Appraisal never stops at the first problem: every failed check is a reason bit, and the
/// profile's own rules (wrong profile, missing claims or submodules) are reasons too, not
/// errors. Errors are for what cannot be appraised at all.
///
/// * `evidence`/`evidence_len`, `flags` (`ECNPP_SIGN1_ACCEPT_*`, `_DETERMINISTIC`), `trust`:
///   as for `ecnpp_evidence_verify`. What the endorsement that verified the evidence covers is
///   judged here: a model it does not list is `ECNPP_REASON_MODEL_NOT_ENDORSED`, another
///   device than the one it binds `ECNPP_REASON_UEID_NOT_ENDORSED`.
/// * `policy`: checked whole before the evidence is looked at.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_ARGUMENT`,
/// `ECNPP_ERR_INVALID_HANDLE`, `ECNPP_ERR_INVALID_UTF8`, `ECNPP_ERR_INVALID_POLICY` (a
/// required field absent, a value out of range, a list longer than its maximum), every parse
/// error, `ECNPP_ERR_KEY_NOT_TRUSTED`, `ECNPP_ERR_ALGORITHM_KEY_MISMATCH`,
/// `ECNPP_ERR_VERIFICATION_FAILED`, `ECNPP_ERR_INVALID_PAYLOAD`, `ECNPP_ERR_INVALID_CLAIM` (a
/// claim of the wrong type or range), `ECNPP_ERR_RESULT_GIVEN_AS_EVIDENCE` (an attestation
/// result, signed under the result profile).
///
/// # Safety
/// `evidence` readable for `evidence_len`; `trust` and `policy` readable with every pointer in
/// them readable (handles live) for the call; `appraisal_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_appraise(
    evidence: *const u8,
    evidence_len: usize,
    flags: u32,
    trust: *const ecnpp_trust,
    policy: *const ecnpp_policy,
    appraisal_out: *mut ecnpp_appraisal,
) -> ecnpp_result {
    boundary(|| {
        let appraisal_out = output(appraisal_out)?;
        let evidence = Span::new(evidence, evidence_len)?;
        let options = parse_options(flags)?;
        // SAFETY: the caller's promises above, for the duration of the call.
        unsafe {
            let trust = check_trust(trust, &|_| {})?;
            let policy = CheckedPolicy::new(input(policy)?, &|_| {})?;
            let mut room = model_room();
            let evidence = verify_evidence(evidence.as_slice(), &options, &trust, &mut room)?;
            let appraisal = policy.appraise(&evidence, appraisal_to_c)?;
            appraisal_out.write(appraisal);
        }
        Ok(())
    })
}

/// Verifies and appraises evidence as `ecnpp_appraise` does, then signs the attestation result
/// as an ECN PP result EAT (tag 18, ES256): `eat_profile` (the result profile, which no
/// evidence verification accepts), `iat` (= `policy->now`), `ueid`, `dloas` (registrar,
/// certificate), `measres`, the corroborated promise, `ecnpp-pp-ref` (the certified
/// configuration's), `ecnpp-evaluated-config`, and `"se"`/`"tee"` submodules with the certified
/// robustness.
///
/// What it needs it takes again, for this call only: it keeps nothing from `ecnpp_appraise`
/// (so no pointer outlives a call), and so it verifies the evidence once more (one ES256
/// verification, about 0.3 ms with the default provider; a size query costs the same).
///
/// * `kid`/`kid_len` (optional, NULL: none): the verifier key's identifier; present but empty
///   is `ECNPP_ERR_INVALID_ARGUMENT`.
/// * `out`/`out_len`, `*written`: size query with `out == NULL` (the signer is not called).
///   `out` must not overlap any input (evidence, kid, trust, policy and what they point to).
///
/// A contraindicated result (or one without a certified promise, ueid or pp-ref) is never
/// issued: `ECNPP_ERR_RESULT_CONTRAINDICATED`, for the size query too.
///
/// Errors: those of `ecnpp_appraise`, `ECNPP_ERR_RESULT_CONTRAINDICATED`,
/// `ECNPP_ERR_BUFFER_TOO_SMALL`, `ECNPP_ERR_SIGNER_FAILED`,
/// `ECNPP_ERR_SIGNATURE_SCALAR_OUT_OF_RANGE`.
///
/// # Safety
/// As `ecnpp_appraise`; `kid` readable for `kid_len`; `out` writable for `out_len`; `written`
/// writable; `signer` honours its contract.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ecnpp_result_sign(
    evidence: *const u8,
    evidence_len: usize,
    flags: u32,
    trust: *const ecnpp_trust,
    policy: *const ecnpp_policy,
    kid: *const u8,
    kid_len: usize,
    signer: ecnpp_signer,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
) -> ecnpp_result {
    boundary(|| {
        let written = required(written)?;
        let evidence = Span::new(evidence, evidence_len)?;
        let options = parse_options(flags)?;
        let signer = CallbackSigner::new(signer).ok_or(ecnpp_result::ECNPP_ERR_NULL_POINTER)?;
        let kid = Span::optional(kid, kid_len)?;
        let out = OutBuf::new(out, out_len)?;
        let overlap = Overlap::new(&out);
        let note = |s| overlap.note(s);
        note(evidence);
        // SAFETY: the caller's promises above, for the duration of the call;
        // `out` becomes a mutable slice only after the overlap check.
        unsafe {
            let kid = kid.map(|k| k.as_slice());
            if kid.is_some_and(<[u8]>::is_empty) {
                return Err(ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT);
            }
            if let Some(k) = kid {
                note(Span::of(k));
            }
            let trust = check_trust(trust, &note)?;
            let policy = CheckedPolicy::new(input(policy)?, &note)?;
            overlap.check()?;
            let mut room = model_room();
            let evidence = verify_evidence(evidence.as_slice(), &options, &trust, &mut room)?;
            let mut builder = Sign1Builder::new();
            if let Some(k) = kid {
                builder = builder.kid(k);
            }
            let n = policy.appraise(&evidence, |result, _| match out.as_mut_slice() {
                None => result.token_len(&builder),
                Some(buf) => result.sign(&builder, &signer, buf),
            })??;
            written.write(n);
        }
        Ok(())
    })
}

/// A static, NUL-terminated name of one `ECNPP_REASON_*` bit (e.g. "nonce-mismatch", the
/// names core and the CLI use); "unknown reason" for any other value (none, several bits,
/// an unknown bit). Never NULL; not to be freed.
#[unsafe(no_mangle)]
pub extern "C" fn ecnpp_result_reason_str(bit: u32) -> *const c_char {
    const {
        check_reason_bits();
    }
    boundary_value(c"unknown reason".as_ptr(), || {
        REASONS
            .iter()
            .find(|(b, _, _)| *b == bit)
            .map_or(c"unknown reason", |(_, _, name)| name)
            .as_ptr()
    })
}

/// Verifies an attestation result token with the verifier's key and checks the profile's
/// result rules; the parts a relying party decides on go to `*result_out` (`ueid` borrowed from
/// `token`).
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_LENGTH_OVERFLOW`, `ECNPP_ERR_INVALID_ARGUMENT`,
/// `ECNPP_ERR_INVALID_HANDLE`, every parse error, `ECNPP_ERR_ALGORITHM_KEY_MISMATCH`,
/// `ECNPP_ERR_VERIFICATION_FAILED`, `ECNPP_ERR_INVALID_PAYLOAD`, `ECNPP_ERR_INVALID_CLAIM`,
/// `ECNPP_ERR_EVIDENCE_GIVEN_AS_RESULT` (evidence of this profile), `ECNPP_ERR_WRONG_PROFILE`
/// (any other profile), `ECNPP_ERR_MISSING_CLAIM`.
///
/// # Safety
/// `token` readable for `token_len` and unchanged while `ueid` is used; `verifier_key` a live
/// handle; `result_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_result_verify(
    token: *const u8,
    token_len: usize,
    flags: u32,
    verifier_key: *const ecnpp_verifying_key,
    result_out: *mut ecnpp_verified_result,
) -> ecnpp_result {
    boundary(|| {
        let result_out = output(result_out)?;
        let token = Span::new(token, token_len)?;
        let options = parse_options(flags)?;
        // SAFETY: a live handle or NULL (caller's promise).
        let key = unsafe { handle::borrow::<ecnpp_verifying_key>(verifier_key) }?;
        // SAFETY: readable for token_len bytes (caller's promise).
        let verified = VerifiedResult::verify(unsafe { token.as_slice() }, key, &options)?;
        let missing = ecnpp_result::ECNPP_ERR_MISSING_CLAIM; // validate_result ensures these
        let result = ecnpp_verified_result {
            promise: promise_to_c(Some(verified.promise().ok_or(missing)?)),
            evaluated_config: u8::from(verified.evaluated_config()),
            iat: verified.issued_at().ok_or(missing)?,
            ueid: ecnpp_bytes::from_slice(Some(verified.claims().ueid.ok_or(missing)?.as_bytes())),
        };
        // SAFETY: non-NULL, aligned, writable.
        unsafe { result_out.write(result) };
        Ok(())
    })
}

/// Parses a workload requirement, e.g. `"promise>=secure-enclave,evaluated,max-age=300"`
/// (terms in any order, separated by commas; `promise>=standard|secure-element|secure-enclave`
/// required, `evaluated` and `max-age=SECONDS` optional). `text` is NUL-terminated UTF-8.
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_INVALID_ARGUMENT` (misaligned output, an
/// unknown, repeated or malformed term), `ECNPP_ERR_INVALID_UTF8`.
///
/// # Safety
/// `text` a NUL-terminated string; `requirement_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_requirement_parse(
    text: *const c_char,
    requirement_out: *mut ecnpp_requirement,
) -> ecnpp_result {
    boundary(|| {
        let out = output(requirement_out)?;
        let text = required_const(text)?;
        // SAFETY: a NUL-terminated string (caller's promise).
        let text = unsafe { CStr::from_ptr(text.as_ptr()) }
            .to_str()
            .map_err(|_| ecnpp_result::ECNPP_ERR_INVALID_UTF8)?;
        let r = Requirement::parse(text)?;
        let requirement = ecnpp_requirement {
            min_promise: promise_to_c(Some(r.min_promise)),
            evaluated_config: u8::from(r.evaluated_config),
            has_max_age: u8::from(r.max_age.is_some()),
            max_age: r.max_age.unwrap_or(0),
        };
        // SAFETY: non-NULL, aligned, writable (caller's promise).
        unsafe { out.write(requirement) };
        Ok(())
    })
}

/// Core's `Requirement::admits`, on the parts of a result the C struct carries.
///
/// Core only offers the rule on a `VerifiedResult`, which can only be made by verifying a
/// token; this is the same rule, pinned to core's by a differential unit test.
fn admits(
    r: &Requirement,
    promise: Option<Promise>,
    evaluated: bool,
    iat: i64,
    now: i64,
) -> Refusals {
    let too_old = r.max_age.is_some_and(|max| {
        let max = i64::try_from(max).unwrap_or(i64::MAX);
        now.saturating_sub(iat) > max || iat > now
    });
    Refusals {
        promise_too_low: promise.is_none_or(|p| p < r.min_promise),
        not_evaluated: r.evaluated_config && !evaluated,
        too_old,
    }
}

/// Decides whether a workload with `requirement` may go to the device `result` is about, at
/// time `now` (epoch seconds). `*refusals_out` is 0 when admitted, else `ECNPP_REFUSAL_*` bits.
///
/// `result` should be what `ecnpp_result_verify` wrote (its `promise` may also be
/// `ECNPP_PROMISE_NONE`, which every requirement refuses).
///
/// Errors: `ECNPP_ERR_NULL_POINTER`, `ECNPP_ERR_INVALID_ARGUMENT` (a promise out of range, a
/// boolean field neither 0 nor 1, misaligned pointers).
///
/// # Safety
/// `requirement` and `result` readable; `refusals_out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_requirement_admits(
    requirement: *const ecnpp_requirement,
    result: *const ecnpp_verified_result,
    now: i64,
    refusals_out: *mut u32,
) -> ecnpp_result {
    boundary(|| {
        let out = output(refusals_out)?;
        let invalid = ecnpp_result::ECNPP_ERR_INVALID_ARGUMENT;
        // SAFETY: readable plain data (caller's promise).
        let (req, res) = unsafe { (input(requirement)?, input(result)?) };
        let requirement = Requirement {
            min_promise: promise_from_c(req.min_promise).ok_or(invalid)?,
            evaluated_config: bool01(req.evaluated_config, invalid)?,
            max_age: bool01(req.has_max_age, invalid)?.then_some(req.max_age),
        };
        let promise = match res.promise {
            0 => None,
            p => Some(promise_from_c(p).ok_or(invalid)?),
        };
        let evaluated = bool01(res.evaluated_config, invalid)?;
        let r = admits(&requirement, promise, evaluated, res.iat, now);
        let bits = [
            (r.promise_too_low, ECNPP_REFUSAL_PROMISE_TOO_LOW),
            (r.not_evaluated, ECNPP_REFUSAL_NOT_EVALUATED),
            (r.too_old, ECNPP_REFUSAL_TOO_OLD),
        ]
        .iter()
        .filter(|(set, _)| *set)
        .fold(0, |acc, (_, bit)| acc | bit);
        // SAFETY: non-NULL, aligned, writable (caller's promise).
        unsafe { out.write(bits) };
        Ok(())
    })
}

#[cfg(test)]
#[path = "appraisal_tests.rs"]
mod tests;
