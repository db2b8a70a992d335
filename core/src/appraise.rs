//! Appraisal: a verifier's policy applied to verified evidence gives an [`AttestationResult`];
//! the result is signed as an EAT of the same profile; a relying party verifies it and asks a
//! [`Requirement`] whether a workload may go to the device.
//!
//! Order of checks (every failing check adds its reason; none stops the others, so a result
//! lists everything that is wrong):
//! signature with an endorsed key (done by [`VerifiedEvidence`]) → nonce equals the challenge
//! (constant time) → challenge and token freshness → profile: accepted by the policy and its
//! rules met → the endorsement covers the device's model (and identity, when it binds one) →
//! the device model and software are a certified configuration whose PP reference the
//! evidence names → the promise stated is the claimed one capped at the certified one, and only
//! when the evidence meets that promise's rules → oemboot, dbgstat floor, measurements equal
//! reference values (constant time) → per-promise submodule checks.
//!
//! Nothing here allocates; results hold at most [`MAX_MEASUREMENT_RESULTS`] measurement results.

use core::fmt;

use crate::cose::{ParseOptions, Payload, Sign1Builder, UnverifiedSign1};
use crate::crypto::{Signer, Verifier};
use crate::eat::{
    Claims, DebugStatus, DecodeOptions, Dloa, List, MeasResGroup, MeasResult, Measurement,
    NamedSubmodule, OemId, Profile, ResultCode, ResultId, Submodule, Ueid,
};
use crate::eat::{Lifecycle, Promise, Robustness};
use crate::ecnpp::{self, PROFILE, RESULT_PROFILE, SUBMOD_SE, SUBMOD_TEE, VerifiedEvidence};
use crate::error::{Error, Result};

/// Most measurement results one appraisal records (evidence with more is contraindicated).
pub const MAX_MEASUREMENT_RESULTS: usize = 16;

/// Name of the measurement system in results' `measres`.
pub const MEASUREMENT_SYSTEM: &str = "ecnpp-reference-values";

/// The challenge the verifier issued: the nonce the evidence must echo, and when it was issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Challenge<'a> {
    /// The nonce.
    pub nonce: &'a [u8],
    /// Issue time, epoch seconds.
    pub issued_at: i64,
}

/// A certified configuration: what a Common Criteria certificate covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertifiedConfig<'a> {
    /// The OEM.
    pub oemid: OemId<'a>,
    /// The hardware model.
    pub hwmodel: &'a [u8],
    /// The software name.
    pub swname: &'a str,
    /// The software version (exact match).
    pub swversion: &'a str,
    /// The promise the certificate supports.
    pub promise: Promise,
    /// The PP and version the certificate is for (e.g. [`ecnpp::PP_REF_V1_0_7`]): evidence must
    /// name exactly this `ecnpp-pp-ref`, and results carry this value, not the device's.
    pub pp_ref: &'a str,
    /// The certificate reference (becomes the dloa platform label).
    pub certificate: &'a str,
    /// Robustness of the secure element, as certified (reported in the `"se"` submodule).
    pub se_robustness: &'a [Robustness<'a>],
    /// Robustness of the TEE, as certified (reported in the `"tee"` submodule).
    pub tee_robustness: &'a [Robustness<'a>],
    /// Reference values of this configuration: the evidence's measurements (device and
    /// `"tee"`) must equal this set.
    pub reference_measurements: &'a [Measurement<'a>],
}

/// A verifier's appraisal policy. Borrowed data only: build it once, appraise many tokens.
#[derive(Clone, Copy, Debug)]
pub struct Policy<'a> {
    /// The challenge this appraisal answers.
    pub challenge: Challenge<'a>,
    /// The verifier's clock, epoch seconds.
    pub now: i64,
    /// How long a challenge stays valid, seconds.
    pub max_challenge_age: u64,
    /// Tolerated clock difference for `iat`, `nbf`, `exp`, seconds.
    pub clock_skew: u64,
    /// Accepted `eat_profile` values, each one whose rules the library knows (private: set
    /// through [`Self::accept_profiles`], which checks that).
    accepted_profiles: &'a [Profile<'a>],
    /// Allow-list of certified configurations.
    pub certified: &'a [CertifiedConfig<'a>],
    /// Lowest acceptable `dbgstat` of the device.
    pub debug_floor: DebugStatus,
    /// Require `oemboot` to be true.
    pub require_oemboot: bool,
    /// The verifier's registrar URI, first element of the dloas it issues.
    pub registrar: &'a str,
}

impl<'a> Policy<'a> {
    /// A policy with the profile's defaults: this profile only, challenges valid 120 s, 30 s clock
    /// skew, debug at least disabled permanently, oemboot required.
    #[must_use]
    pub const fn new(
        challenge: Challenge<'a>,
        now: i64,
        certified: &'a [CertifiedConfig<'a>],
        registrar: &'a str,
    ) -> Self {
        Self {
            challenge,
            now,
            max_challenge_age: 120,
            clock_skew: 30,
            accepted_profiles: &[PROFILE],
            certified,
            debug_floor: DebugStatus::DisabledPermanently,
            require_oemboot: true,
            registrar,
        }
    }

    /// The same policy accepting `profiles` instead. A profile is accepted only together with
    /// its rules: every entry must be one of [`ecnpp::PROFILES_WITH_RULES`].
    ///
    /// # Errors
    /// [`Error::ProfileWithoutRules`] for a profile whose rules this library does not know;
    /// [`Error::InvalidPolicy`] for an empty list.
    pub fn accept_profiles(mut self, profiles: &'a [Profile<'a>]) -> Result<Self> {
        if profiles.is_empty() {
            return Err(Error::InvalidPolicy);
        }
        if !profiles.iter().all(ecnpp::has_rules) {
            return Err(Error::ProfileWithoutRules);
        }
        self.accepted_profiles = profiles;
        Ok(self)
    }

    /// The accepted `eat_profile` values.
    #[must_use]
    pub const fn accepted_profiles(&self) -> &'a [Profile<'a>] {
        self.accepted_profiles
    }
}

/// Trust status of a result, after the IETF RATS attestation-result tiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TrustStatus {
    /// Everything checked out.
    Affirming,
    /// Usable with care; see the reasons (e.g. the promise was downgraded to the certified one).
    Warning,
    /// Do not trust the device.
    Contraindicated,
}

/// Reasons, as flags. Each one names exactly one failed check.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Reasons(u32);

macro_rules! reasons {
    ($($(#[$doc:meta])* $name:ident = $bit:expr, $text:expr, $contra:expr;)*) => {
        impl Reasons {
            $( $(#[$doc])* pub const $name: Self = Self(1 << $bit); )*

            /// Every reason: its flag, its stable name, and whether it contraindicates (otherwise
            /// it is a warning). The C API's constants and strings are checked against it.
            pub const ALL: &'static [(Self, &'static str, bool)] = &[$((Self::$name, $text, $contra)),*];
        }
    };
}

reasons! {
    /// The evidence's nonce is not the challenge (a replayed or foreign token).
    NONCE_MISMATCH = 0, "nonce-mismatch", true;
    /// The challenge is older than the policy allows (or from the future).
    CHALLENGE_EXPIRED = 1, "challenge-expired", true;
    /// `iat`/`nbf` in the future or `exp` in the past.
    TOKEN_TIME_INVALID = 2, "token-time-invalid", true;
    /// `eat_profile` is not accepted.
    WRONG_PROFILE = 3, "wrong-profile", true;
    /// The evidence lacks a claim the profile requires, or carries a verifier-only claim.
    EVIDENCE_INCOMPLETE = 4, "evidence-incomplete", true;
    /// The submodule the claimed promise requires is missing or does not meet its rules.
    SUBMODULE_MISSING = 5, "submodule-missing", true;
    /// The oemid/hwmodel/swname/swversion combination is not on the allow-list.
    UNCERTIFIED_CONFIG = 6, "uncertified-config", true;
    /// The device claims a promise above its certified one (downgraded to the certified one).
    PROMISE_ABOVE_CERTIFIED = 7, "promise-above-certified", false;
    /// `oemboot` is not true.
    OEMBOOT_FAILED = 8, "oemboot-failed", true;
    /// `dbgstat` is below the policy's floor.
    DEBUG_ENABLED = 9, "debug-enabled", true;
    /// A measurement differs from the reference values, or a reference value is absent.
    MEASUREMENT_MISMATCH = 10, "measurement-mismatch", true;
    /// More measurements than an appraisal records.
    TOO_MANY_MEASUREMENTS = 11, "too-many-measurements", true;
    /// The device is in provisioning or maintenance, not operational.
    NOT_OPERATIONAL = 12, "not-operational", false;
    /// The device is decommissioned.
    DECOMMISSIONED = 13, "decommissioned", true;
    /// The secure element's debug state is below the policy's floor.
    SE_DEBUG_ENABLED = 14, "se-debug-enabled", true;
    /// The endorsement of the key that signed the evidence does not cover the device's oemid
    /// and hwmodel.
    MODEL_NOT_ENDORSED = 15, "model-not-endorsed", true;
    /// The endorsement binds one device, and the evidence names another `ueid`.
    UEID_NOT_ENDORSED = 16, "ueid-not-endorsed", true;
    /// `ecnpp-pp-ref` is not the PP of the certified configuration.
    PP_REF_MISMATCH = 17, "pp-ref-mismatch", true;
    /// The promise the result would state (the claimed one capped at the certified one) is not
    /// met by the evidence: its submodule rules fail.
    PROMISE_NOT_SHOWN = 18, "promise-not-shown", true;
}

impl Reasons {
    /// No reason at all.
    pub const NONE: Self = Self(0);

    /// True when no flag is set.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when every flag of `other` is set here.
    #[must_use]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The raw bits (stable: bit positions never change).
    #[must_use]
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// The names of the set flags.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::ALL
            .iter()
            .filter(move |(r, _, _)| self.contains(*r))
            .map(|(_, n, _)| *n)
    }

    fn status(self) -> TrustStatus {
        if Self::ALL
            .iter()
            .any(|(r, _, contra)| *contra && self.contains(*r))
        {
            TrustStatus::Contraindicated
        } else if self.is_empty() {
            TrustStatus::Affirming
        } else {
            TrustStatus::Warning
        }
    }
}

impl core::ops::BitOr for Reasons {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl core::ops::BitOrAssign for Reasons {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

impl fmt::Debug for Reasons {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// The verifier's verdict on one piece of evidence.
#[derive(Clone, Copy, Debug)]
pub struct AttestationResult<'a> {
    status: TrustStatus,
    reasons: Reasons,
    promise: Option<Promise>,
    evaluated_config: bool,
    config: Option<&'a CertifiedConfig<'a>>,
    ueid: Option<Ueid<'a>>,
    measurements: [Option<MeasResult<'a>>; MAX_MEASUREMENT_RESULTS],
    issued_at: i64,
    registrar: &'a str,
}

impl<'a> AttestationResult<'a> {
    /// Affirming, warning or contraindicated.
    #[must_use]
    pub const fn status(&self) -> TrustStatus {
        self.status
    }

    /// Every failed check.
    #[must_use]
    pub const fn reasons(&self) -> Reasons {
        self.reasons
    }

    /// The promise the verifier corroborates: the claimed one, capped at the certified one;
    /// `None` when the configuration is not certified.
    #[must_use]
    pub const fn promise(&self) -> Option<Promise> {
        self.promise
    }

    /// True when identity, software, measurements, debug and lifecycle all match the certified
    /// configuration and nothing at all was flagged.
    #[must_use]
    pub const fn evaluated_config(&self) -> bool {
        self.evaluated_config
    }

    /// The PP reference the result states: the certified configuration's, never the device's.
    #[must_use]
    pub fn pp_ref(&self) -> Option<&'a str> {
        self.config.map(|c| c.pp_ref)
    }

    /// The certified configuration matched, if any.
    #[must_use]
    pub const fn certified_config(&self) -> Option<&'a CertifiedConfig<'a>> {
        self.config
    }

    /// The per-measurement results (`measres`).
    pub fn measurement_results(&self) -> impl Iterator<Item = MeasResult<'a>> + '_ {
        self.measurements.iter().flatten().copied()
    }
}

/// Constant-time membership of `m` in `set`: every element is compared, whatever matches.
fn matches_any(m: &Measurement<'_>, set: &[Measurement<'_>]) -> bool {
    set.iter().fold(false, |acc, r| acc | m.ct_eq(r))
}

fn within(t: i64, now: i64, skew: u64, future_ok: bool) -> bool {
    let skew = i64::try_from(skew).unwrap_or(i64::MAX);
    if future_ok {
        t >= now.saturating_sub(skew)
    } else {
        t <= now.saturating_add(skew)
    }
}

/// Appraises verified evidence against `policy`. Infallible: everything wrong becomes a reason.
#[must_use]
pub fn appraise<'a>(evidence: &VerifiedEvidence<'a>, policy: &Policy<'a>) -> AttestationResult<'a> {
    let c = evidence.claims();
    let mut reasons = Reasons::NONE;

    // Freshness: the nonce must be the challenge (constant time), the challenge recent.
    if !c
        .nonce
        .is_some_and(|n| n.contains_ct(policy.challenge.nonce))
    {
        reasons |= Reasons::NONCE_MISMATCH;
    }
    let age = policy.now.saturating_sub(policy.challenge.issued_at);
    let max_age = i64::try_from(policy.max_challenge_age).unwrap_or(i64::MAX);
    if age > max_age
        || !within(
            policy.challenge.issued_at,
            policy.now,
            policy.clock_skew,
            false,
        )
    {
        reasons |= Reasons::CHALLENGE_EXPIRED;
    }
    let skew = policy.clock_skew;
    let iat_ok = c.iat.is_none_or(|t| within(t, policy.now, skew, false));
    let nbf_ok = c.nbf.is_none_or(|t| within(t, policy.now, skew, false));
    let exp_ok = c.exp.is_none_or(|t| within(t, policy.now, skew, true));
    if !(iat_ok && nbf_ok && exp_ok) {
        reasons |= Reasons::TOKEN_TIME_INVALID;
    }

    // Profile: accepted by the policy, and its rules met. Every accepted profile has rules
    // (`Policy::accept_profiles`); the rules decide for any profile, so evidence under a profile
    // without rules can never pass them.
    if !c
        .eat_profile
        .is_some_and(|p| policy.accepted_profiles.contains(&p))
    {
        reasons |= Reasons::WRONG_PROFILE;
    }
    match ecnpp::validate_evidence(c) {
        Ok(()) => {}
        Err(Error::WrongProfile) => reasons |= Reasons::WRONG_PROFILE,
        Err(Error::MissingSubmodule) => reasons |= Reasons::SUBMODULE_MISSING,
        Err(_) => reasons |= Reasons::EVIDENCE_INCOMPLETE,
    }

    // The endorsement: the key that signed may attest this model (and this device).
    let scope = evidence.scope();
    if !scope.covers_model(c) {
        reasons |= Reasons::MODEL_NOT_ENDORSED;
    }
    if !scope.covers_ueid(c) {
        reasons |= Reasons::UEID_NOT_ENDORSED;
    }

    // Certified configuration, the PP it is certified against, and the promise it supports.
    let config = policy.certified.iter().find(|cfg| {
        c.oemid == Some(cfg.oemid)
            && c.hwmodel.is_some_and(|h| h.as_bytes() == cfg.hwmodel)
            && c.swname == Some(cfg.swname)
            && c.swversion.is_some_and(|v| v.version == cfg.swversion)
    });
    if let Some(cfg) = config
        && c.pp_ref != Some(cfg.pp_ref)
    {
        reasons |= Reasons::PP_REF_MISMATCH;
    }
    let capped = match (config, c.promise) {
        (None, _) => {
            reasons |= Reasons::UNCERTIFIED_CONFIG;
            None
        }
        (Some(cfg), Some(claimed)) if claimed > cfg.promise => {
            reasons |= Reasons::PROMISE_ABOVE_CERTIFIED;
            Some(cfg.promise)
        }
        (Some(_), claimed) => claimed,
    };
    // A result states a promise only when the evidence meets that promise's rules: a device
    // that over-claims is not given the lower promise unless it shows what that one requires.
    let promise = capped.filter(|p| ecnpp::check_promise(c, *p).is_ok());
    if capped.is_some() && promise.is_none() {
        reasons |= Reasons::PROMISE_NOT_SHOWN;
    }

    // Boot, debug, lifecycle.
    if policy.require_oemboot && c.oemboot != Some(true) {
        reasons |= Reasons::OEMBOOT_FAILED;
    }
    if c.dbgstat.is_none_or(|d| d < policy.debug_floor) {
        reasons |= Reasons::DEBUG_ENABLED;
    }
    match c.lifecycle {
        Some(Lifecycle::Decommissioned) => reasons |= Reasons::DECOMMISSIONED,
        Some(Lifecycle::Provisioning | Lifecycle::Maintenance) => {
            reasons |= Reasons::NOT_OPERATIONAL
        }
        Some(Lifecycle::Operational) | None => {}
    }

    // Per-promise submodules (what validate_evidence cannot know: the policy's floor).
    let se = ecnpp::submodule(c, SUBMOD_SE);
    if let Some(Submodule::Claims(se)) = se
        && se.dbgstat.is_none_or(|d| d < policy.debug_floor)
    {
        reasons |= Reasons::SE_DEBUG_ENABLED;
    }

    // Measurements: device and TEE, each against the certified configuration's reference set,
    // and every reference present. Without a certified configuration there is nothing to compare.
    let mut measurements = [None; MAX_MEASUREMENT_RESULTS];
    let mut count = 0usize;
    let tee = match ecnpp::submodule(c, SUBMOD_TEE) {
        Some(Submodule::Claims(t)) => t.measurements,
        _ => None,
    };
    let mut record = |r: MeasResult<'a>, reasons: &mut Reasons| match measurements.get_mut(count) {
        Some(slot) => {
            *slot = Some(r);
            count = count.saturating_add(1);
        }
        None => *reasons |= Reasons::TOO_MANY_MEASUREMENTS,
    };
    for list in [c.measurements, tee].into_iter().flatten() {
        for m in list.iter() {
            let result = match config {
                None => ResultCode::NotRun,
                Some(cfg) if matches_any(&m, cfg.reference_measurements) => ResultCode::Success,
                Some(_) => {
                    reasons |= Reasons::MEASUREMENT_MISMATCH;
                    ResultCode::Fail
                }
            };
            record(
                MeasResult {
                    id: ResultId::Bytes(m.content),
                    result,
                },
                &mut reasons,
            );
        }
    }
    for reference in config.map_or(&[][..], |cfg| cfg.reference_measurements) {
        let present = [c.measurements, tee]
            .into_iter()
            .flatten()
            .fold(false, |acc, list| {
                acc | list.iter().fold(false, |a, m| a | m.ct_eq(reference))
            });
        if !present {
            reasons |= Reasons::MEASUREMENT_MISMATCH;
            record(
                MeasResult {
                    id: ResultId::Bytes(reference.content),
                    result: ResultCode::Absent,
                },
                &mut reasons,
            );
        }
    }

    let status = reasons.status();
    AttestationResult {
        status,
        reasons,
        promise,
        evaluated_config: config.is_some() && reasons.is_empty(),
        config,
        ueid: c.ueid,
        measurements,
        issued_at: policy.now,
        registrar: policy.registrar,
    }
}

/// An attestation result as a COSE payload (an EAT of the ECN PP profile).
struct ResultPayload<'r, 'a>(&'r AttestationResult<'a>);

impl Payload for ResultPayload<'_, '_> {
    fn write_payload<W: crate::cbor::Write>(&self, e: &mut crate::cbor::Encoder<W>) {
        let r = self.0;
        let mut results = [MeasResult {
            id: ResultId::Text("none"),
            result: ResultCode::NotRun,
        }; MAX_MEASUREMENT_RESULTS];
        let mut n = 0usize;
        for (slot, m) in results.iter_mut().zip(r.measurement_results()) {
            *slot = m;
            n = n.saturating_add(1);
        }
        // An appraisal without measurements still says so: one "not run" entry.
        let results = results.get(..n.max(1)).unwrap_or(&[]);
        let groups = [MeasResGroup {
            system: MEASUREMENT_SYSTEM,
            results: List::Items(results),
        }];
        let certificate = r.config.map_or("", |c| c.certificate);
        let dloas = [Dloa {
            registrar: r.registrar,
            platform: certificate,
            application: None,
        }];
        let (se_rob, tee_rob) = r
            .config
            .map_or((&[][..], &[][..]), |c| (c.se_robustness, c.tee_robustness));
        let sub = |rob| Claims {
            robustness: Some(List::Items(rob)),
            ..Claims::default()
        };
        let se = NamedSubmodule {
            name: SUBMOD_SE,
            submodule: Submodule::Claims(sub(se_rob)),
        };
        let tee = NamedSubmodule {
            name: SUBMOD_TEE,
            submodule: Submodule::Claims(sub(tee_rob)),
        };
        let all = [se, tee];
        let submods: &[NamedSubmodule<'_>] = match (se_rob.is_empty(), tee_rob.is_empty()) {
            (false, false) => &all,
            (false, true) => all.get(..1).unwrap_or(&[]),
            (true, false) => all.get(1..).unwrap_or(&[]),
            (true, true) => &[],
        };
        let claims = Claims {
            eat_profile: Some(RESULT_PROFILE),
            iat: Some(r.issued_at),
            ueid: r.ueid,
            dloas: Some(List::Items(&dloas)),
            measres: Some(List::Items(&groups)),
            promise: r.promise,
            pp_ref: r.pp_ref(),
            evaluated_config: Some(r.evaluated_config),
            submods: if submods.is_empty() {
                None
            } else {
                Some(List::Items(submods))
            },
            ..Claims::default()
        };
        if let Ok(p) = claims.as_payload() {
            p.write_payload(e);
        }
    }
}

impl AttestationResult<'_> {
    fn signable(&self) -> Result<()> {
        if self.status == TrustStatus::Contraindicated
            || self.promise.is_none()
            || self.ueid.is_none()
            || self.config.is_none()
        {
            Err(Error::ResultContraindicated)
        } else {
            Ok(())
        }
    }

    /// The exact size of the token [`Self::sign`] writes.
    ///
    /// # Errors
    /// [`Error::ResultContraindicated`].
    pub fn token_len(&self, builder: &Sign1Builder<'_>) -> Result<usize> {
        self.signable()?;
        Ok(builder.encoded_len(&ResultPayload(self)))
    }

    /// Signs the result as an ECN PP attestation-result EAT into `out`. A contraindicated result
    /// is not issued as a token: the verifier reports it to its caller directly.
    ///
    /// # Errors
    /// [`Error::ResultContraindicated`]; [`Error::BufferTooSmall`]; the signer's error.
    pub fn sign<S: Signer + ?Sized>(
        &self,
        builder: &Sign1Builder<'_>,
        signer: &S,
        out: &mut [u8],
    ) -> Result<usize> {
        self.signable()?;
        builder.sign(signer, &ResultPayload(self), out)
    }
}

/// An attestation result whose signature (by the verifier) has been checked and whose claims
/// meet the profile's result rules. What a relying party decides on.
#[derive(Clone, Copy, Debug)]
pub struct VerifiedResult<'a> {
    claims: Claims<'a>,
}

impl<'a> VerifiedResult<'a> {
    /// Verifies a result token with the verifier's key.
    ///
    /// # Errors
    /// COSE and claim errors; the errors of [`ecnpp::validate_result`].
    pub fn verify<V: Verifier + ?Sized>(
        token: &'a [u8],
        verifier_key: &V,
        options: &ParseOptions,
    ) -> Result<Self> {
        let verified = UnverifiedSign1::parse(token, options)?.verify(verifier_key, &[])?;
        let claims = Claims::decode_with(
            verified.payload(),
            DecodeOptions {
                deterministic: options.deterministic,
            },
        )?;
        ecnpp::validate_result(&claims)?;
        Ok(Self { claims })
    }

    /// The result's claims.
    #[must_use]
    pub const fn claims(&self) -> &Claims<'a> {
        &self.claims
    }

    /// The corroborated promise.
    #[must_use]
    pub fn promise(&self) -> Option<Promise> {
        self.claims.promise
    }

    /// The evaluated-configuration verdict.
    #[must_use]
    pub fn evaluated_config(&self) -> bool {
        self.claims.evaluated_config == Some(true)
    }

    /// When the verifier issued it, epoch seconds.
    #[must_use]
    pub fn issued_at(&self) -> Option<i64> {
        self.claims.iat
    }
}

/// What a workload requires of a device, e.g. "promise ≥ secure enclave, evaluated
/// configuration, result younger than 5 minutes".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// The lowest acceptable corroborated promise.
    pub min_promise: Promise,
    /// Require the evaluated-configuration verdict.
    pub evaluated_config: bool,
    /// Largest acceptable result age, seconds.
    pub max_age: Option<u64>,
}

/// Why a requirement refused a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusals {
    /// The corroborated promise is below the requirement.
    pub promise_too_low: bool,
    /// The configuration was not evaluated as certified.
    pub not_evaluated: bool,
    /// The result is too old (or from the future).
    pub too_old: bool,
}

impl Refusals {
    /// True when nothing stands in the way.
    #[must_use]
    pub const fn admitted(&self) -> bool {
        !(self.promise_too_low || self.not_evaluated || self.too_old)
    }
}

impl Requirement {
    /// Decides whether a workload with this requirement may go to the device the result is about.
    #[must_use]
    pub fn admits(&self, result: &VerifiedResult<'_>, now: i64) -> Refusals {
        let too_old = match (self.max_age, result.issued_at()) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(max), Some(iat)) => {
                let max = i64::try_from(max).unwrap_or(i64::MAX);
                now.saturating_sub(iat) > max || iat > now
            }
        };
        Refusals {
            promise_too_low: result.promise().is_none_or(|p| p < self.min_promise),
            not_evaluated: self.evaluated_config && !result.evaluated_config(),
            too_old,
        }
    }

    /// Parses `promise>=secure-enclave,evaluated,max-age=300` (terms in any order; `promise` is
    /// required, the others optional).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an unknown or repeated term or a bad value.
    pub fn parse(text: &str) -> Result<Self> {
        let mut min_promise = None;
        let mut evaluated_config = false;
        let mut max_age = None;
        for term in text.split(',').map(str::trim) {
            if let Some(p) = term.strip_prefix("promise>=") {
                if min_promise.replace(Promise::from_name(p.trim())?).is_some() {
                    return Err(Error::InvalidArgument);
                }
            } else if term == "evaluated" {
                if evaluated_config {
                    return Err(Error::InvalidArgument);
                }
                evaluated_config = true;
            } else if let Some(v) = term.strip_prefix("max-age=") {
                // Digits only: `u64::from_str` would also take a leading '+'.
                let v = v.trim();
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::InvalidArgument);
                }
                let v = v.parse::<u64>().map_err(|_| Error::InvalidArgument)?;
                if max_age.replace(v).is_some() {
                    return Err(Error::InvalidArgument);
                }
            } else {
                return Err(Error::InvalidArgument);
            }
        }
        Ok(Self {
            min_promise: min_promise.ok_or(Error::InvalidArgument)?,
            evaluated_config,
            max_age,
        })
    }
}
