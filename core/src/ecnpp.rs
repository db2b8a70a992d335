//! The ECN PP claims profile: what a device's evidence and a verifier's attestation result must
//! carry to state an Edge Compute Node Protection Profile security promise.
//!
//! The profile is this project's own specification (`docs/profile.md`); it is named by the OID
//! [`PROFILE_OID_TEXT`] (an arc under `2.25`, minted from a random UUID, so no registrar is
//! involved and no one else can collide with it) and versioned by its last arc.
//!
//! * [`Promise`]: standard (1) < secure element (2) < secure enclave (3).
//! * [`validate_evidence`] and [`validate_result`]: the per-promise requirements as one function
//!   each, with precise errors.
//! * [`sign_evidence`]: one call for a device to turn its claims into a signed token in its own
//!   buffer (`no_std`, no heap, any [`Signer`], so a secure element can sign).
//! * [`VerifiedEvidence`]: the only way to get evidence that appraisal accepts.

use crate::cose::{ParseOptions, Sign1Builder, UnverifiedSign1, VerifiedSign1};
use crate::crypto::{Signer, Verifier, VerifyingKey};
use crate::eat::{Claims, DebugStatus, Profile, Submodule, key};
use crate::error::{Error, Result};

/// The profile OID, dotted.
pub const PROFILE_OID_TEXT: &str = "2.25.59557001580283219457505129689189230448.1";

/// The profile OID's content bytes, as carried (untagged) in `eat_profile`.
pub const PROFILE_OID: [u8; 20] = [
    0x69, 0xd9, 0xce, 0xa1, 0xb8, 0xdb, 0xca, 0xc2, 0xbe, 0x95, 0xb8, 0xa2, 0xc8, 0xf9, 0xcc, 0xc8,
    0x92, 0xce, 0x70, 0x01,
];

/// `eat_profile` value of this profile, version 1.
pub const PROFILE: Profile<'static> = Profile::Oid(&PROFILE_OID);

/// The PP and version this crate's profile was written for.
pub const PP_REF_V1_0_7: &str = "NSCIB-PP-0112146/1.0.7";

/// Name of the secure-element submodule.
pub const SUBMOD_SE: &str = "se";
/// Name of the trusted-execution-environment submodule.
pub const SUBMOD_TEE: &str = "tee";

/// The device security promise (`ecnpp-promise`). Ordered: a higher promise includes the lower.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Promise {
    /// 1: the device claims of the profile; no isolated key store is claimed.
    Standard = 1,
    /// 2: the attestation key lives in a secure element or TPM (submodule `"se"`).
    SecureElement = 2,
    /// 3: keys and security-sensitive code run in a TEE (submodule `"tee"` with measurements).
    SecureEnclave = 3,
}

impl Promise {
    /// From the registered value.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] outside 1..=3.
    pub const fn from_u64(v: u64) -> Result<Self> {
        Ok(match v {
            1 => Self::Standard,
            2 => Self::SecureElement,
            3 => Self::SecureEnclave,
            _ => return Err(Error::InvalidArgument),
        })
    }

    /// The name used in policies and on the command line.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::SecureElement => "secure-element",
            Self::SecureEnclave => "secure-enclave",
        }
    }

    /// From [`Self::name`].
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for any other text.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "standard" => Ok(Self::Standard),
            "secure-element" => Ok(Self::SecureElement),
            "secure-enclave" => Ok(Self::SecureEnclave),
            _ => Err(Error::InvalidArgument),
        }
    }
}

/// The device lifecycle state (`ecnpp-lifecycle`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lifecycle {
    /// 1: being provisioned.
    Provisioning = 1,
    /// 2: in operation (the only state in which workloads are expected).
    Operational = 2,
    /// 3: in maintenance or debug.
    Maintenance = 3,
    /// 4: decommissioned.
    Decommissioned = 4,
}

impl Lifecycle {
    /// From the registered value.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] outside 1..=4.
    pub const fn from_u64(v: u64) -> Result<Self> {
        Ok(match v {
            1 => Self::Provisioning,
            2 => Self::Operational,
            3 => Self::Maintenance,
            4 => Self::Decommissioned,
            _ => return Err(Error::InvalidArgument),
        })
    }
}

/// A robustness claim (`ecnpp-robustness` entry): a certification scheme and the level reached,
/// e.g. `("FIPS140-3", "3")`. Asserted by a verifier, inside a submodule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Robustness<'a> {
    /// The scheme, e.g. `"FIPS140-3"`, `"PSA"`, `"SESIP"`.
    pub scheme: &'a str,
    /// The level, e.g. `"3"`.
    pub level: &'a str,
}

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

/// Claims only a verifier may assert; evidence carrying them, at the top level or in any
/// submodule claims set at any depth, is refused.
fn no_verifier_claims(c: &Claims<'_>) -> Result<()> {
    forbid(c.evaluated_config.is_some(), key::ECNPP_EVALUATED_CONFIG)?;
    forbid(c.dloas.is_some(), key::DLOAS)?;
    forbid(c.measres.is_some(), key::MEASRES)?;
    forbid(c.robustness.is_some(), key::ECNPP_ROBUSTNESS)?;
    // Recursion is bounded: decoded claims are at most MAX_SUBMODULE_DEPTH deep, and built
    // ones are checked against the same bound by `Claims::check` before anything is signed.
    c.submods.map_or(Ok(()), |subs| {
        subs.iter().try_for_each(|s| match s.submodule {
            Submodule::Claims(inner) => no_verifier_claims(&inner),
            Submodule::Token(_) | Submodule::Digest { .. } => Ok(()),
        })
    })
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
    require(claims.nonce.is_some(), key::NONCE)?;
    require(claims.ueid.is_some(), key::UEID)?;
    require(claims.oemid.is_some(), key::OEMID)?;
    require(claims.hwmodel.is_some(), key::HWMODEL)?;
    require(claims.swname.is_some(), key::SWNAME)?;
    require(claims.swversion.is_some(), key::SWVERSION)?;
    require(claims.oemboot.is_some(), key::OEMBOOT)?;
    require(claims.dbgstat.is_some(), key::DBGSTAT)?;
    require(claims.pp_ref.is_some(), key::ECNPP_PP_REF)?;
    let promise = claims.promise.ok_or(Error::MissingClaim {
        key: key::ECNPP_PROMISE,
    })?;
    no_verifier_claims(claims)?;
    let se = submodule_claims(claims, SUBMOD_SE);
    match promise {
        Promise::Standard => {}
        Promise::SecureElement => check_se(&se.ok_or(Error::MissingSubmodule)?)?,
        Promise::SecureEnclave => {
            check_tee(&submodule_claims(claims, SUBMOD_TEE).ok_or(Error::MissingSubmodule)?)?;
            if let Some(se) = se {
                check_se(&se)?;
            }
        }
    }
    Ok(())
}

/// Checks that `claims` are a well-formed ECN PP **attestation result**: eat_profile, iat, ueid,
/// dloas, measres, ecnpp-promise (as corroborated), ecnpp-pp-ref, ecnpp-evaluated-config.
///
/// # Errors
/// [`Error::WrongProfile`], [`Error::MissingClaim`].
pub fn validate_result(claims: &Claims<'_>) -> Result<()> {
    if claims.eat_profile != Some(PROFILE) {
        return Err(Error::WrongProfile);
    }
    require(claims.iat.is_some(), key::IAT)?;
    require(claims.ueid.is_some(), key::UEID)?;
    require(claims.dloas.is_some(), key::DLOAS)?;
    require(claims.measres.is_some(), key::MEASRES)?;
    require(claims.promise.is_some(), key::ECNPP_PROMISE)?;
    require(claims.pp_ref.is_some(), key::ECNPP_PP_REF)?;
    require(
        claims.evaluated_config.is_some(),
        key::ECNPP_EVALUATED_CONFIG,
    )
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

/// A trusted verification key and the key identifier a token may name it by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustAnchor<'k> {
    /// The key identifier.
    pub kid: &'k [u8],
    /// The endorsed key.
    pub key: VerifyingKey,
}

/// Picks the anchor named by the token's (untrusted) kid: the kid only selects among keys the
/// caller already trusts, it never brings a key of its own.
///
/// # Errors
/// [`Error::KeyNotTrusted`] when no anchor has that kid (or the token has none).
pub fn select_anchor<'k>(
    token: &UnverifiedSign1<'_>,
    anchors: &'k [TrustAnchor<'k>],
) -> Result<&'k VerifyingKey> {
    let kid = token.kid_untrusted().ok_or(Error::KeyNotTrusted)?;
    anchors
        .iter()
        .find(|a| a.kid == kid)
        .map(|a| &a.key)
        .ok_or(Error::KeyNotTrusted)
}

/// Evidence whose signature has been verified and whose claims map was read. The only input
/// [`crate::appraise::appraise`] accepts; appraisal then applies the profile rules (so a token
/// of another profile gets a reason, not an error).
#[derive(Clone, Copy, Debug)]
pub struct VerifiedEvidence<'a> {
    claims: Claims<'a>,
    token: VerifiedSign1<'a>,
}

impl<'a> VerifiedEvidence<'a> {
    /// Verifies `token` with `key` and reads its claims.
    ///
    /// # Errors
    /// The errors of [`UnverifiedSign1::parse`] and [`UnverifiedSign1::verify`];
    /// [`Error::InvalidPayload`] or claim errors of [`Claims::decode`].
    pub fn verify<V: Verifier + ?Sized>(
        token: &'a [u8],
        key: &V,
        options: &ParseOptions,
    ) -> Result<Self> {
        let verified = UnverifiedSign1::parse(token, options)?.verify(key, &[])?;
        Self::from_verified(verified, options)
    }

    /// As [`Self::verify`], with the key chosen among `anchors` by the token's kid.
    ///
    /// # Errors
    /// [`Error::KeyNotTrusted`], and the errors of [`Self::verify`].
    pub fn verify_with_anchors(
        token: &'a [u8],
        anchors: &[TrustAnchor<'_>],
        options: &ParseOptions,
    ) -> Result<Self> {
        let unverified = UnverifiedSign1::parse(token, options)?;
        let key = select_anchor(&unverified, anchors)?;
        Self::from_verified(unverified.verify(key, &[])?, options)
    }

    fn from_verified(token: VerifiedSign1<'a>, options: &ParseOptions) -> Result<Self> {
        let claims = Claims::decode_with(
            token.payload(),
            crate::eat::DecodeOptions {
                deterministic: options.deterministic,
            },
        )?;
        Ok(Self { claims, token })
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
}
