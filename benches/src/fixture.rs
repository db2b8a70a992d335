//! The realistic evidence token and our side of every measured operation.

use std::hint::black_box;

use ecnpp_attest::Result;
use ecnpp_attest::appraise::{
    AttestationResult, CertifiedConfig, Challenge, Policy, Requirement, VerifiedResult, appraise,
};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use ecnpp_attest::crypto::{Signer, SigningKey, Verifier, VerifyingKey};
use ecnpp_attest::eat::{
    Claims, DebugStatus, HwModel, List, Measurement, NamedSubmodule, Nonce, NonceClaim, OemId,
    Submodule, Ueid, Version,
};
use ecnpp_attest::eat::{Lifecycle, Promise, Robustness};
use ecnpp_attest::ecnpp::{self, Endorsement, Model, PP_REF_V1_0_7, PROFILE, VerifiedEvidence};

/// The verifier's clock in every benchmark.
pub const NOW: i64 = 1_790_000_000;
/// The device's private key.
pub const DEVICE_SECRET: [u8; 32] = [0x31; 32];
/// The verifier's private key (it signs attestation results).
pub const VERIFIER_SECRET: [u8; 32] = [0x32; 32];
/// The key identifier the device puts in its tokens.
pub const KID: &[u8] = b"device-1";
/// The IEEE OUI of the OEM.
pub const OEM: [u8; 3] = [0x00, 0x1b, 0x44];
/// The device model.
pub const MODEL: &[u8] = b"edge-node-x1";
/// The secure element's model.
pub const SE_MODEL: &[u8] = b"se-050";
/// The device's software.
pub const SWNAME: &str = "edge-os";
/// The device's software version.
pub const SWVERSION: &str = "4.2.1";
/// Version scheme "semver" (RFC 9393).
pub const SEMVER: i64 = 16384;
/// SHA-256 digest of the firmware.
pub const FW: [u8; 32] = [0x11; 32];
/// SHA-256 digest of the boot loader.
pub const BL: [u8; 32] = [0x33; 32];
/// SHA-256 digest of the TEE's trusted OS.
pub const TEE_FW: [u8; 32] = [0x22; 32];
/// CoAP content format of the measurement digests (the value is irrelevant to the cost).
pub const DIGEST_FORMAT: u16 = 0;
/// The device's UEID (type RAND, 16 random bytes).
pub const UEID: [u8; 17] = [
    0x01, 0x9a, 0x41, 0x07, 0x5c, 0xe2, 0x33, 0x80, 0x6f, 0x12, 0xd4, 0x5b, 0x77, 0x0a, 0x19, 0xc8,
    0x2e,
];
/// Certified reference values: everything the device and its TEE measure.
pub const REFERENCES: [Measurement<'static>; 3] = [
    Measurement {
        content_type: DIGEST_FORMAT,
        content: &FW,
    },
    Measurement {
        content_type: DIGEST_FORMAT,
        content: &BL,
    },
    Measurement {
        content_type: DIGEST_FORMAT,
        content: &TEE_FW,
    },
];
const SE_ROBUSTNESS: [Robustness<'static>; 1] = [Robustness {
    scheme: "FIPS140-3",
    level: "3",
}];

/// The certified configuration the device matches.
pub const CERTIFIED: [CertifiedConfig<'static>; 1] = [CertifiedConfig {
    oemid: OemId::Ieee(&OEM),
    hwmodel: MODEL,
    swname: SWNAME,
    swversion: SWVERSION,
    promise: Promise::SecureEnclave,
    pp_ref: PP_REF_V1_0_7,
    certificate: "NSCIB-CC-0000001",
    se_robustness: &SE_ROBUSTNESS,
    tee_robustness: &[],
    reference_measurements: &REFERENCES,
}];

/// The models the device key is endorsed for: its own.
pub const MODELS: [Model<'static>; 1] = [Model {
    oemid: OemId::Ieee(&OEM),
    hwmodel: MODEL,
}];

/// What changes from one token to the next on a device: the verifier's nonce and the clock.
#[derive(Clone, Copy, Debug)]
pub struct DeviceState {
    /// The challenge nonce (32 bytes).
    pub nonce: [u8; 32],
    /// The device clock, epoch seconds.
    pub iat: i64,
}

impl DeviceState {
    /// The `i`-th challenge: a distinct nonce per `i`.
    #[must_use]
    pub fn challenge(i: u32) -> Self {
        let mut nonce = [0x5a; 32];
        nonce[..4].copy_from_slice(&i.to_be_bytes());
        Self {
            nonce,
            iat: NOW - 5,
        }
    }
}

/// Builds the claims of one token (on the stack) and hands them to `f`: the typed builder is
/// borrowed data only, so this is what a device does for every token.
pub fn with_claims<R>(state: &DeviceState, f: impl FnOnce(&Claims<'_>) -> R) -> R {
    let measurements = [
        Measurement {
            content_type: DIGEST_FORMAT,
            content: &FW,
        },
        Measurement {
            content_type: DIGEST_FORMAT,
            content: &BL,
        },
    ];
    let tee_measurements = [Measurement {
        content_type: DIGEST_FORMAT,
        content: &TEE_FW,
    }];
    let se = Claims {
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(HwModel::new(SE_MODEL).expect("fixture")),
        dbgstat: Some(DebugStatus::DisabledFullyAndPermanently),
        ..Claims::default()
    };
    let tee = Claims {
        measurements: Some(List::Items(&tee_measurements)),
        ..Claims::default()
    };
    let submods = [
        NamedSubmodule {
            name: ecnpp::SUBMOD_SE,
            submodule: Submodule::Claims(se),
        },
        NamedSubmodule {
            name: ecnpp::SUBMOD_TEE,
            submodule: Submodule::Claims(tee),
        },
    ];
    let claims = Claims {
        eat_profile: Some(PROFILE),
        nonce: Some(NonceClaim::One(Nonce::new(&state.nonce).expect("fixture"))),
        ueid: Some(Ueid::new(&UEID).expect("fixture")),
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(HwModel::new(MODEL).expect("fixture")),
        swname: Some(SWNAME),
        swversion: Some(Version {
            version: SWVERSION,
            scheme: Some(SEMVER),
        }),
        oemboot: Some(true),
        dbgstat: Some(DebugStatus::DisabledPermanently),
        iat: Some(state.iat),
        measurements: Some(List::Items(&measurements)),
        promise: Some(Promise::SecureEnclave),
        pp_ref: Some(PP_REF_V1_0_7),
        lifecycle: Some(Lifecycle::Operational),
        svn: Some(7),
        submods: Some(List::Items(&submods)),
        ..Claims::default()
    };
    f(&claims)
}

/// The COSE parameters of evidence: tagged, attached payload, unprotected kid.
pub fn evidence_builder() -> Sign1Builder<'static> {
    Sign1Builder::new().kid(KID)
}

/// The keys of both parties, for both providers.
pub struct Keys {
    /// Device key, default provider.
    pub device: SigningKey,
    /// Device public key, default provider.
    pub device_pub: VerifyingKey,
    /// Verifier key, default provider.
    pub verifier: SigningKey,
    /// Verifier public key, default provider.
    pub verifier_pub: VerifyingKey,
    /// Device key, AWS-LC.
    pub device_lc: ecnpp_attest::aws_lc::AwsLcSigningKey,
    /// Device public key, AWS-LC.
    pub device_pub_lc: ecnpp_attest::aws_lc::AwsLcVerifyingKey,
}

impl Keys {
    /// The fixed keys.
    #[must_use]
    pub fn new() -> Self {
        let device = SigningKey::from_bytes(&DEVICE_SECRET).expect("fixture");
        let verifier = SigningKey::from_bytes(&VERIFIER_SECRET).expect("fixture");
        let device_lc =
            ecnpp_attest::aws_lc::AwsLcSigningKey::from_bytes(&DEVICE_SECRET).expect("fixture");
        let device_pub_lc = device_lc.aws_lc_verifying_key().expect("fixture");
        Self {
            device_pub: device.verifying_key(),
            verifier_pub: verifier.verifying_key(),
            device,
            verifier,
            device_lc,
            device_pub_lc,
        }
    }
}

impl Default for Keys {
    fn default() -> Self {
        Self::new()
    }
}

/// The verifier's policy for a token answering `state`'s challenge.
#[must_use]
pub fn policy(state: &DeviceState) -> Policy<'_> {
    Policy::new(
        Challenge {
            nonce: &state.nonce,
            issued_at: NOW - 10,
        },
        NOW,
        &CERTIFIED,
        "https://verifier.example",
    )
}

// ---- our side of each measured operation ----

/// Build the claims and encode them into `out` (no signing).
///
/// # Errors
/// Claim or buffer errors (none for the fixture).
pub fn build_encode(state: &DeviceState, out: &mut [u8]) -> Result<usize> {
    with_claims(state, |c| c.encode(out))
}

/// Build, validate as ECN PP evidence, encode and sign into `out`.
///
/// # Errors
/// Profile, claim, buffer or signer errors (none for the fixture).
pub fn sign<S: Signer + ?Sized>(state: &DeviceState, key: &S, out: &mut [u8]) -> Result<usize> {
    with_claims(state, |c| {
        ecnpp::sign_evidence(c, &evidence_builder(), key, out)
    })
}

/// A signed token for `state`, by the default provider.
#[must_use]
pub fn token(state: &DeviceState, keys: &Keys) -> Vec<u8> {
    let mut buf = vec![0u8; 1024];
    let n = sign(state, &keys.device, &mut buf).expect("fixture");
    buf.truncate(n);
    buf
}

/// Parse the COSE message and read the claims, without verifying (a claims view: what
/// `inspect` shows, or what a verifier does before it picks a key). Returns a few fields so
/// nothing is optimised away.
///
/// # Errors
/// Parse or claim errors (none for the fixture).
pub fn parse_view(token: &[u8]) -> Result<(usize, Option<Promise>)> {
    let u = UnverifiedSign1::parse(token, &ParseOptions::DEFAULT)?;
    let claims = Claims::decode(u.payload_untrusted().unwrap_or_default())?;
    let n = claims.measurements.map_or(0, |m| m.len())
        + claims.submods.map_or(0, |s| s.len())
        + claims.nonce.map_or(0, |_| 1);
    Ok((n, claims.promise))
}

/// Parse, verify the signature, read the claims.
///
/// # Errors
/// Parse, verification or claim errors.
pub fn verify<V: Verifier + ?Sized>(token: &[u8], key: &V) -> Result<Option<Promise>> {
    let e = VerifiedEvidence::verify(
        token,
        &Endorsement::new(key, &MODELS),
        &ParseOptions::DEFAULT,
    )?;
    Ok(e.claims().promise)
}

/// Parse, verify, read the claims and appraise them against the policy.
///
/// # Errors
/// Parse, verification or claim errors.
pub fn verify_appraise<'a, V: Verifier + ?Sized>(
    token: &'a [u8],
    key: &'a V,
    policy: &Policy<'a>,
) -> Result<AttestationResult<'a>> {
    let e = VerifiedEvidence::verify(
        token,
        &Endorsement::new(key, &MODELS),
        &ParseOptions::DEFAULT,
    )?;
    Ok(appraise(&e, policy))
}

/// The attestation-result round trip: the verifier signs the result of an appraisal into
/// `out`; the relying party verifies it and decides on a workload requirement.
///
/// # Errors
/// Signing or verification errors.
pub fn result_round_trip(
    result: &AttestationResult<'_>,
    verifier: &SigningKey,
    verifier_pub: &VerifyingKey,
    out: &mut [u8],
) -> Result<bool> {
    let n = result.sign(&Sign1Builder::new(), verifier, out)?;
    let token = out.get(..n).unwrap_or_default();
    let rp = VerifiedResult::verify(token, verifier_pub, &ParseOptions::DEFAULT)?;
    let requirement = Requirement {
        min_promise: Promise::SecureEnclave,
        evaluated_config: true,
        max_age: Some(300),
    };
    Ok(requirement.admits(&rp, black_box(NOW + 10)).admitted())
}

/// The Sig_structure of a token, materialised: the exact message a raw ECDSA call signs, so
/// the crypto baselines sign and verify the same bytes as we do.
#[must_use]
pub fn sig_structure(token: &[u8]) -> Vec<u8> {
    struct Collect(Vec<u8>);
    impl ecnpp_attest::cbor::Write for Collect {
        fn write(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
    }
    let u = UnverifiedSign1::parse(token, &ParseOptions::DEFAULT).expect("fixture");
    let mut c = Collect(Vec::new());
    u.write_sig_structure(&[], None, &mut c).expect("fixture");
    c.0
}

/// The 64-byte signature of a token.
#[must_use]
pub fn signature_of(token: &[u8]) -> [u8; 64] {
    let mut sig = [0u8; 64];
    sig.copy_from_slice(token.get(token.len() - 64..).expect("fixture"));
    sig
}
