//! The ECN PP claims profile: what a device's evidence and a verifier's attestation result must
//! carry to state an Edge Compute Node Protection Profile security promise.
//!
//! The profile is this project's own specification (`docs/profile.md`); it is named by the OID
//! [`PROFILE_OID_TEXT`] (an arc under `2.25`, minted from a random UUID, so no registrar is
//! involved and no one else can collide with it) and versioned by its last arc.
//!
//! * [`Promise`] (a claim value, in [`crate::eat`]): standard (1) < secure element (2) < secure
//!   enclave (3).
//! * [`validate_evidence`] and [`validate_result`]: the per-promise requirements as one function
//!   each, with precise errors.
//! * [`sign_evidence`]: one call for a device to turn its claims into a signed token in its own
//!   buffer (`no_std`, no heap, any [`Signer`], so a secure element can sign).
//! * [`Endorsement`]: a device key together with what it may attest (certified models, and
//!   optionally one device identity).
//! * [`VerifiedEvidence`]: the only way to get evidence that appraisal accepts; it carries the
//!   endorsement whose key verified it.
//!
//! Evidence and attestation results are told apart by a signed marker, their `eat_profile`:
//! [`PROFILE`] for evidence, [`RESULT_PROFILE`] for results. Verifying one as the other is
//! refused by name ([`Error::ResultGivenAsEvidence`], [`Error::EvidenceGivenAsResult`]).

use core::fmt;

use crate::cose::{ParseOptions, Sign1Builder, UnverifiedSign1, VerifiedSign1};
use crate::crypto::{Signer, Verifier, VerifyingKey};
use crate::eat::{
    Claims, DebugStatus, List, MAX_SUBMODULE_DEPTH, OemId, Profile, Promise, Submodule, Ueid, key,
};
use crate::error::{Error, Result};

/// The profile OID, dotted.
pub const PROFILE_OID_TEXT: &str = "2.25.59557001580283219457505129689189230448.1";

/// The profile OID's content bytes, as carried (untagged) in `eat_profile`.
pub const PROFILE_OID: [u8; 20] = [
    0x69, 0xd9, 0xce, 0xa1, 0xb8, 0xdb, 0xca, 0xc2, 0xbe, 0x95, 0xb8, 0xa2, 0xc8, 0xf9, 0xcc, 0xc8,
    0x92, 0xce, 0x70, 0x01,
];

/// `eat_profile` value of this profile's evidence, version 1.
pub const PROFILE: Profile<'static> = Profile::Oid(&PROFILE_OID);

/// The attestation-result profile OID, dotted: arc 1 under the evidence profile's version arc.
pub const RESULT_PROFILE_OID_TEXT: &str = "2.25.59557001580283219457505129689189230448.1.1";

/// The attestation-result profile OID's content bytes: [`PROFILE_OID`] and one more arc (1).
pub const RESULT_PROFILE_OID: [u8; 21] = [
    0x69, 0xd9, 0xce, 0xa1, 0xb8, 0xdb, 0xca, 0xc2, 0xbe, 0x95, 0xb8, 0xa2, 0xc8, 0xf9, 0xcc, 0xc8,
    0x92, 0xce, 0x70, 0x01, 0x01,
];

/// `eat_profile` value of the attestation results a verifier issues under this profile: the
/// signed marker that keeps a result from being taken for evidence and the reverse.
pub const RESULT_PROFILE: Profile<'static> = Profile::Oid(&RESULT_PROFILE_OID);

/// The evidence profiles whose rules this library knows; a policy can accept only these
/// ([`crate::appraise::Policy::accept_profiles`]). Every rule of this module applies to each.
pub const PROFILES_WITH_RULES: &[Profile<'static>] = &[PROFILE];

/// True when `profile` is one whose rules this library applies ([`PROFILES_WITH_RULES`]).
#[must_use]
pub fn has_rules(profile: &Profile<'_>) -> bool {
    PROFILES_WITH_RULES.contains(profile)
}

/// The PP and version this crate's profile was written for.
pub const PP_REF_V1_0_7: &str = "NSCIB-PP-0112146/1.0.7";

/// Name of the secure-element submodule.
pub const SUBMOD_SE: &str = "se";
/// Name of the trusted-execution-environment submodule.
pub const SUBMOD_TEE: &str = "tee";

/// The claims set of the named submodule, if present and a claims set.
#[must_use]
pub fn submodule<'a>(claims: &Claims<'a>, name: &str) -> Option<Submodule<'a>> {
    claims
        .submods
        .and_then(|l| l.iter().find(|s| s.name == name).map(|s| s.submodule))
}

fn submodule_claims<'a>(claims: &Claims<'a>, name: &str) -> Option<Claims<'a>> {
    match submodule(claims, name) {
        Some(Submodule::Claims(c)) => Some(c),
        _ => None,
    }
}

fn require(present: bool, k: i64) -> Result<()> {
    if present {
        Ok(())
    } else {
        Err(Error::MissingClaim { key: k })
    }
}

fn forbid(present: bool, k: i64) -> Result<()> {
    if present {
        Err(Error::InvalidClaim { key: k })
    } else {
        Ok(())
    }
}

/// The claims evidence must carry, besides `eat_profile` (this profile) and `ecnpp-promise`, in
/// the order [`validate_evidence`] reports them missing. The fuzz generator and the docs read
/// this list.
pub const REQUIRED_IN_EVIDENCE: &[i64] = &[
    key::NONCE,
    key::UEID,
    key::OEMID,
    key::HWMODEL,
    key::SWNAME,
    key::SWVERSION,
    key::OEMBOOT,
    key::DBGSTAT,
    key::ECNPP_PP_REF,
];

/// The claims an attestation result must carry besides `eat_profile` (the result profile), in
/// the order [`validate_result`] reports them missing.
pub const REQUIRED_IN_RESULT: &[i64] = &[
    key::IAT,
    key::UEID,
    key::DLOAS,
    key::MEASRES,
    key::ECNPP_PROMISE,
    key::ECNPP_PP_REF,
    key::ECNPP_EVALUATED_CONFIG,
];

/// Claims only a verifier may assert (evaluated-config, dloas, measres, robustness); evidence
/// carrying one, at the top level or in any submodule claims set at any depth, is refused. The
/// fuzz generator and the docs read this list.
pub const VERIFIER_ONLY: [i64; 4] = [
    key::ECNPP_EVALUATED_CONFIG,
    key::DLOAS,
    key::MEASRES,
    key::ECNPP_ROBUSTNESS,
];

/// Refuses [`VERIFIER_ONLY`] claims in `c` and in every claims set below it. Claims a caller
/// built are visited by reference; `submods` read from the wire are walked in their (validated)
/// encoding ([`crate::eat::EncodedList::refuse_nested_claims`]), so no level costs a decoded
/// `Claims` on the stack.
fn no_verifier_claims(c: &Claims<'_>, depth: usize) -> Result<()> {
    if depth > MAX_SUBMODULE_DEPTH {
        return Err(Error::DepthExceeded);
    }
    for &k in &VERIFIER_ONLY {
        forbid(c.has(k), k)?;
    }
    match c.submods {
        None => Ok(()),
        Some(List::Items(subs)) => subs.iter().try_for_each(|s| match &s.submodule {
            Submodule::Claims(inner) => no_verifier_claims(inner, depth.saturating_add(1)),
            Submodule::Token(_) | Submodule::Digest { .. } => Ok(()),
        }),
        Some(List::Encoded(l)) => l.refuse_nested_claims(&VERIFIER_ONLY, depth.saturating_add(1)),
    }
}

/// The `"se"` submodule rules: oemid, hwmodel, and debug disabled permanently (or stronger).
fn check_se(se: &Claims<'_>) -> Result<()> {
    let ok = se.oemid.is_some()
        && se.hwmodel.is_some()
        && se
            .dbgstat
            .is_some_and(|d| d >= DebugStatus::DisabledPermanently);
    if ok {
        Ok(())
    } else {
        Err(Error::MissingSubmodule)
    }
}

/// The `"tee"` submodule rules: its own non-empty measurements.
fn check_tee(tee: &Claims<'_>) -> Result<()> {
    if tee.measurements.is_some_and(|m| !m.is_empty()) {
        Ok(())
    } else {
        Err(Error::MissingSubmodule)
    }
}

/// Checks that `claims` are well-formed ECN PP **evidence** for the promise they state.
///
/// Evidence always carries eat_profile (this profile), nonce, ueid, oemid, hwmodel, swname,
/// swversion, oemboot, dbgstat, ecnpp-promise and ecnpp-pp-ref; never the verifier's claims
/// (evaluated-config, dloas, measres, robustness); a secure-element promise needs an `"se"`
/// submodule (oemid, hwmodel, dbgstat ≥ 3); a secure-enclave promise needs a `"tee"` submodule
/// with measurements (and an `"se"`, if present, must meet its rules).
///
/// # Errors
/// [`Error::WrongProfile`], [`Error::MissingClaim`], [`Error::InvalidClaim`],
/// [`Error::MissingSubmodule`].
pub fn validate_evidence(claims: &Claims<'_>) -> Result<()> {
    if claims.eat_profile != Some(PROFILE) {
        return Err(Error::WrongProfile);
    }
    for &k in REQUIRED_IN_EVIDENCE {
        require(claims.has(k), k)?;
    }
    let promise = claims.promise.ok_or(Error::MissingClaim {
        key: key::ECNPP_PROMISE,
    })?;
    no_verifier_claims(claims, 0)?;
    check_promise(claims, promise)
}

/// Checks that `claims` meet the submodule rules of `promise` (whatever promise they state):
/// secure element needs an `"se"` submodule (oemid, hwmodel, dbgstat ≥ 3); secure enclave needs
/// a `"tee"` submodule with measurements, and an `"se"`, if present, must meet its rules.
/// Appraisal uses it for the promise a result would state, which may be lower than the claimed
/// one: a result states a promise only when the evidence meets that promise's rules.
///
/// # Errors
/// [`Error::MissingSubmodule`].
pub fn check_promise(claims: &Claims<'_>, promise: Promise) -> Result<()> {
    match promise {
        Promise::Standard => Ok(()),
        Promise::SecureElement => {
            check_se(&submodule_claims(claims, SUBMOD_SE).ok_or(Error::MissingSubmodule)?)
        }
        Promise::SecureEnclave => {
            check_tee(&submodule_claims(claims, SUBMOD_TEE).ok_or(Error::MissingSubmodule)?)?;
            // An `"se"` is optional here, but one that is present must meet its rules: given as
            // a nested token or a digest, its claims cannot be read, so it does not.
            match submodule(claims, SUBMOD_SE) {
                None => Ok(()),
                Some(Submodule::Claims(se)) => check_se(&se),
                Some(Submodule::Token(_) | Submodule::Digest { .. }) => {
                    Err(Error::MissingSubmodule)
                }
            }
        }
    }
}

/// Checks that `claims` are a well-formed ECN PP **attestation result**: eat_profile (the result
/// profile), iat, ueid, dloas, measres, ecnpp-promise (as corroborated), ecnpp-pp-ref,
/// ecnpp-evaluated-config.
///
/// # Errors
/// [`Error::EvidenceGivenAsResult`] for evidence of this profile; [`Error::WrongProfile`],
/// [`Error::MissingClaim`].
pub fn validate_result(claims: &Claims<'_>) -> Result<()> {
    match claims.eat_profile {
        Some(p) if p == RESULT_PROFILE => {}
        Some(p) if has_rules(&p) => return Err(Error::EvidenceGivenAsResult),
        _ => return Err(Error::WrongProfile),
    }
    for &k in REQUIRED_IN_RESULT {
        require(claims.has(k), k)?;
    }
    Ok(())
}

/// The exact size of the evidence token [`sign_evidence`] writes.
///
/// # Errors
/// The errors of [`validate_evidence`] and [`Claims::check`].
pub fn evidence_len(claims: &Claims<'_>, builder: &Sign1Builder<'_>) -> Result<usize> {
    validate_evidence(claims)?;
    Ok(builder.encoded_len(&claims.as_payload()?))
}

/// Validates `claims` as ECN PP evidence, signs them with `signer` and writes the COSE_Sign1
/// token into `out`. No heap, no second buffer: the claims are encoded straight into `out` and
/// streamed into the hash.
///
/// # Errors
/// The errors of [`validate_evidence`] and [`Claims::check`]; [`Error::BufferTooSmall`] with the
/// exact size needed (checked before the signer is asked); the signer's error.
pub fn sign_evidence<S: Signer + ?Sized>(
    claims: &Claims<'_>,
    builder: &Sign1Builder<'_>,
    signer: &S,
    out: &mut [u8],
) -> Result<usize> {
    validate_evidence(claims)?;
    builder.sign(signer, &claims.as_payload()?, out)
}

/// A certified model an endorsement vouches for: the OEM and the hardware model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Model<'a> {
    /// The OEM.
    pub oemid: OemId<'a>,
    /// The hardware model.
    pub hwmodel: &'a [u8],
}

impl Model<'_> {
    /// True when `claims` name this model (oemid and hwmodel both equal).
    #[must_use]
    pub fn covers(&self, claims: &Claims<'_>) -> bool {
        claims.oemid == Some(self.oemid)
            && claims.hwmodel.is_some_and(|h| h.as_bytes() == self.hwmodel)
    }
}

/// An endorsement: a device's verification key, the key identifier a token may name it by, and
/// what the key may attest. Evidence verified with it carries its scope into appraisal, which
/// refuses evidence about another model ([`crate::appraise::Reasons::MODEL_NOT_ENDORSED`]) or,
/// when `ueid` is set, about another device ([`crate::appraise::Reasons::UEID_NOT_ENDORSED`]).
///
/// `K` is any [`Verifier`] (the default provider's [`VerifyingKey`], another provider's key, a
/// `dyn Verifier`). An endorsement with no model still verifies signatures (the CLI's `verify`
/// uses one), but no appraisal under it is better than contraindicated.
pub struct Endorsement<'a, K: ?Sized = VerifyingKey> {
    /// The key identifier tokens name the key by (the unprotected `kid`; empty: none).
    pub kid: &'a [u8],
    /// The endorsed key.
    pub key: &'a K,
    /// The certified models this key may attest.
    pub models: &'a [Model<'a>],
    /// The one device this key belongs to, when the endorsement binds it.
    pub ueid: Option<Ueid<'a>>,
}

impl<'a, K: ?Sized> Endorsement<'a, K> {
    /// An endorsement of `key` for `models`, with no kid and no device identity.
    #[must_use]
    pub const fn new(key: &'a K, models: &'a [Model<'a>]) -> Self {
        Self {
            kid: &[],
            key,
            models,
            ueid: None,
        }
    }

    /// The same endorsement with a key identifier.
    #[must_use]
    pub const fn kid(mut self, kid: &'a [u8]) -> Self {
        self.kid = kid;
        self
    }

    /// The same endorsement bound to one device identity.
    #[must_use]
    pub const fn ueid(mut self, ueid: Ueid<'a>) -> Self {
        self.ueid = Some(ueid);
        self
    }

    /// What the endorsement vouches for, without the key.
    #[must_use]
    pub const fn scope(&self) -> Scope<'a> {
        Scope {
            models: self.models,
            ueid: self.ueid,
        }
    }
}

impl<K: ?Sized> Clone for Endorsement<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: ?Sized> Copy for Endorsement<'_, K> {}

impl<K: ?Sized> fmt::Debug for Endorsement<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endorsement")
            .field("kid", &self.kid)
            .field("models", &self.models)
            .field("ueid", &self.ueid)
            .finish_non_exhaustive()
    }
}

/// What an endorsement vouches for: the models its key may attest and, optionally, the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope<'a> {
    /// The certified models.
    pub models: &'a [Model<'a>],
    /// The device, when bound.
    pub ueid: Option<Ueid<'a>>,
}

impl Scope<'_> {
    /// True when some model of the scope covers the evidence's oemid and hwmodel.
    #[must_use]
    pub fn covers_model(&self, claims: &Claims<'_>) -> bool {
        self.models.iter().any(|m| m.covers(claims))
    }

    /// True when the scope binds no device, or binds the one the evidence names.
    #[must_use]
    pub fn covers_ueid(&self, claims: &Claims<'_>) -> bool {
        self.ueid.is_none_or(|u| claims.ueid == Some(u))
    }
}

/// Picks the endorsement named by the token's (untrusted) kid: the kid only selects among keys
/// the caller already endorses, it never brings a key of its own.
///
/// # Errors
/// [`Error::KeyNotTrusted`] when no endorsement has that kid (or the token has none).
pub fn select_endorsement<'s, 'e, K: ?Sized>(
    token: &UnverifiedSign1<'_>,
    endorsements: &'s [Endorsement<'e, K>],
) -> Result<&'s Endorsement<'e, K>> {
    let kid = token.kid_untrusted().ok_or(Error::KeyNotTrusted)?;
    endorsements
        .iter()
        .find(|e| e.kid == kid)
        .ok_or(Error::KeyNotTrusted)
}

/// Evidence whose signature has been verified with an endorsed key and whose claims map was
/// read. The only input [`crate::appraise::appraise`] accepts; appraisal then applies the
/// profile rules and the endorsement's scope (so a token of another profile or model gets a
/// reason, not an error).
#[derive(Clone, Copy, Debug)]
pub struct VerifiedEvidence<'a> {
    claims: Claims<'a>,
    token: VerifiedSign1<'a>,
    scope: Scope<'a>,
}

impl<'a> VerifiedEvidence<'a> {
    /// Verifies `token` with the endorsement's key and reads its claims.
    ///
    /// # Errors
    /// The errors of [`UnverifiedSign1::parse`] and [`UnverifiedSign1::verify`];
    /// [`Error::InvalidPayload`] or claim errors of [`Claims::decode`];
    /// [`Error::ResultGivenAsEvidence`] for an attestation result.
    pub fn verify<K: Verifier + ?Sized>(
        token: &'a [u8],
        endorsement: &Endorsement<'a, K>,
        options: &ParseOptions,
    ) -> Result<Self> {
        let verified = UnverifiedSign1::parse(token, options)?.verify(endorsement.key, &[])?;
        Self::from_verified(verified, endorsement.scope(), options)
    }

    /// As [`Self::verify`], with the endorsement chosen by the token's kid.
    ///
    /// # Errors
    /// [`Error::KeyNotTrusted`], and the errors of [`Self::verify`].
    pub fn verify_with_endorsements<K: Verifier + ?Sized>(
        token: &'a [u8],
        endorsements: &[Endorsement<'a, K>],
        options: &ParseOptions,
    ) -> Result<Self> {
        let unverified = UnverifiedSign1::parse(token, options)?;
        let endorsement = select_endorsement(&unverified, endorsements)?;
        Self::from_verified(
            unverified.verify(endorsement.key, &[])?,
            endorsement.scope(),
            options,
        )
    }

    fn from_verified(
        token: VerifiedSign1<'a>,
        scope: Scope<'a>,
        options: &ParseOptions,
    ) -> Result<Self> {
        let claims = Claims::decode_with(
            token.payload(),
            crate::eat::DecodeOptions {
                deterministic: options.deterministic,
            },
        )?;
        if claims.eat_profile == Some(RESULT_PROFILE) {
            return Err(Error::ResultGivenAsEvidence);
        }
        Ok(Self {
            claims,
            token,
            scope,
        })
    }

    /// The verified claims.
    #[must_use]
    pub const fn claims(&self) -> &Claims<'a> {
        &self.claims
    }

    /// The verified COSE message.
    #[must_use]
    pub const fn token(&self) -> &VerifiedSign1<'a> {
        &self.token
    }

    /// What the endorsement that verified it vouches for.
    #[must_use]
    pub const fn scope(&self) -> &Scope<'a> {
        &self.scope
    }
}
