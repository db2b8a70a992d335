//! A `#![no_std]`, `#![no_main]` static library that calls the public sign and verify paths of
//! `ecnpp-attest` (built with `default-features = false`) through a small C ABI, and the whole
//! ECN PP flow: evidence creation, verification, appraisal, result signing and admission.
//!
//! Building it is the proof that those paths need neither `std` nor a heap:
//!
//! - this crate has no `#[global_allocator]`, so if anything in the dependency graph links the
//!   `alloc` crate, rustc stops with "no global memory allocator found";
//! - this crate defines its own `#[panic_handler]`, so if anything links `std` (which brings its
//!   own), rustc stops with "found duplicate lang item `panic_impl`".
//!
//! A staticlib is a final artifact, so rustc performs both checks on the whole graph.
//!
//! Every function returns `0` on success or a stable `ecnpp_attest::Error::code` (for example
//! 402 `InvalidArgument` for a null pointer, 400 `BufferTooSmall`, 302 `VerificationFailed`).
#![no_std]
#![no_main]

use core::panic::PanicInfo;
use core::slice;

use ecnpp_attest::Error;
use ecnpp_attest::cbor::{self, Mode};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use ecnpp_attest::crypto::{SigningKey, VerifyingKey};

/// Success.
const OK: i32 = 0;

/// Turns a library result into the C return convention.
fn code(result: Result<(), Error>) -> i32 {
    match result {
        Ok(()) => OK,
        Err(e) => e.code(),
    }
}

/// Signs `payload` (a CBOR claims map) with the 32-byte P-256 scalar `secret` and writes the
/// tagged COSE_Sign1 ES256 message into `out`; its length goes to `*out_len`. When `out` is too
/// small (a null `out` with `out_cap` 0 is the size query), returns 400 (`BufferTooSmall`) and
/// stores the exact size needed in `*out_len`.
///
/// # Safety
/// `secret` must point to 32 readable bytes; `payload` to `payload_len` readable bytes (it may be
/// null when `payload_len` is 0); `out` to `out_cap` writable bytes that overlap no input (it
/// may be null when `out_cap` is 0); `out_len` to a writable `usize`. Lengths must not exceed
/// `isize::MAX`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_nostd_sign(
    secret: *const u8,
    payload: *const u8,
    payload_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> i32 {
    if secret.is_null() || out_len.is_null() {
        return Error::InvalidArgument.code();
    }
    if (payload.is_null() && payload_len != 0) || (out.is_null() && out_cap != 0) {
        return Error::InvalidArgument.code();
    }
    // SAFETY: `secret` is non-null (checked above) and the caller guarantees 32 readable bytes;
    // `[u8; 32]` has alignment 1, so any non-null pointer is suitably aligned.
    let secret = unsafe { &*secret.cast::<[u8; 32]>() };
    let payload: &[u8] = if payload_len == 0 {
        &[]
    } else {
        // SAFETY: `payload` is non-null (checked above for a non-zero length) and the caller
        // guarantees `payload_len` readable bytes that stay unchanged during the call.
        unsafe { slice::from_raw_parts(payload, payload_len) }
    };
    let out: &mut [u8] = if out_cap == 0 {
        &mut []
    } else {
        // SAFETY: `out` is non-null (checked above for a non-zero capacity) and the caller
        // guarantees `out_cap` writable bytes that overlap no input, so this is the only
        // reference to them.
        unsafe { slice::from_raw_parts_mut(out, out_cap) }
    };

    let result =
        SigningKey::from_bytes(secret).and_then(|key| Sign1Builder::new().sign(&key, payload, out));
    let (status, len) = match result {
        Ok(len) => (OK, len),
        Err(e @ Error::BufferTooSmall { needed }) => (e.code(), needed),
        Err(e) => (e.code(), 0),
    };
    // SAFETY: `out_len` is non-null (checked above) and the caller guarantees it is writable;
    // `usize` writes through `write_unaligned` have no alignment requirement.
    unsafe { out_len.write_unaligned(len) };
    status
}

/// Writes the uncompressed SEC1 public key (65 bytes, `04 || x || y`) of the P-256 scalar
/// `secret` into `out`.
///
/// # Safety
/// `secret` must point to 32 readable bytes and `out` to 65 writable bytes that do not overlap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_nostd_public_key(secret: *const u8, out: *mut u8) -> i32 {
    if secret.is_null() || out.is_null() {
        return Error::InvalidArgument.code();
    }
    // SAFETY: `secret` is non-null (checked above), the caller guarantees 32 readable bytes, and
    // `[u8; 32]` has alignment 1.
    let secret = unsafe { &*secret.cast::<[u8; 32]>() };
    // SAFETY: `out` is non-null (checked above), the caller guarantees 65 writable bytes that
    // overlap `secret` nowhere, and `[u8; 65]` has alignment 1.
    let out = unsafe { &mut *out.cast::<[u8; 65]>() };
    code(SigningKey::from_bytes(secret).map(|key| {
        *out = key.verifying_key().to_sec1_uncompressed();
    }))
}

/// Parses the COSE_Sign1 in `msg` strictly (tag 18 required) and verifies it with the SEC1
/// public key `public_key` (33 or 65 bytes). On success the verified payload is
/// `msg[*payload_off .. *payload_off + *payload_len]`: it is borrowed, never copied.
///
/// # Safety
/// `msg` must point to `msg_len` readable bytes and `public_key` to `public_key_len` readable
/// bytes; `payload_off` and `payload_len` must each point to a writable `usize`. Lengths must
/// not exceed `isize::MAX`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_nostd_verify(
    msg: *const u8,
    msg_len: usize,
    public_key: *const u8,
    public_key_len: usize,
    payload_off: *mut usize,
    payload_len: *mut usize,
) -> i32 {
    if msg.is_null() || public_key.is_null() || payload_off.is_null() || payload_len.is_null() {
        return Error::InvalidArgument.code();
    }
    // SAFETY: `msg` is non-null (checked above) and the caller guarantees `msg_len` readable
    // bytes that stay unchanged during the call.
    let msg = unsafe { slice::from_raw_parts(msg, msg_len) };
    // SAFETY: `public_key` is non-null (checked above) and the caller guarantees
    // `public_key_len` readable bytes that stay unchanged during the call.
    let public_key = unsafe { slice::from_raw_parts(public_key, public_key_len) };

    let result = VerifyingKey::from_sec1_bytes(public_key).and_then(|key| {
        let verified = UnverifiedSign1::parse(msg, &ParseOptions::DEFAULT)?.verify(&key, &[])?;
        let payload = verified.payload();
        // The payload is a subslice of `msg`; report where it lies.
        let offset = (payload.as_ptr() as usize).wrapping_sub(msg.as_ptr() as usize);
        Ok((offset, payload.len()))
    });
    match result {
        Ok((offset, len)) => {
            // SAFETY: both pointers are non-null (checked above) and the caller guarantees they
            // are writable; `write_unaligned` has no alignment requirement.
            unsafe {
                payload_off.write_unaligned(offset);
                payload_len.write_unaligned(len);
            }
            OK
        }
        Err(e) => e.code(),
    }
}

/// Checks that `input` is exactly one well-formed, valid CBOR data item; with `strict` non-zero
/// it must also be core deterministic (RFC 8949 §4.2.1).
///
/// # Safety
/// `input` must point to `len` readable bytes (it may be null when `len` is 0); `len` must not
/// exceed `isize::MAX`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_nostd_cbor_validate(
    input: *const u8,
    len: usize,
    strict: i32,
) -> i32 {
    if input.is_null() && len != 0 {
        return Error::InvalidArgument.code();
    }
    let input: &[u8] = if len == 0 {
        &[]
    } else {
        // SAFETY: `input` is non-null (checked above for a non-zero length) and the caller
        // guarantees `len` readable bytes that stay unchanged during the call.
        unsafe { slice::from_raw_parts(input, len) }
    };
    let mode = if strict != 0 {
        Mode::Strict
    } else {
        Mode::Lenient
    };
    code(cbor::validate(input, mode))
}

/// The whole ECN PP flow on the no_std path: a device builds secure-enclave evidence answering
/// the 16-byte `challenge` and signs it with `device_secret`; the verifier verifies it, appraises
/// it against a policy certifying that configuration at time `now`, and signs the attestation
/// result with `verifier_secret`; the relying party verifies the result and checks
/// "promise >= secure enclave, evaluated, max-age=300". All buffers live on this stack.
///
/// Returns 0 when the workload is admitted, 1 when it is refused, or an error code.
///
/// # Safety
/// `device_secret` and `verifier_secret` must point to 32 readable bytes, `challenge` to 16.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ecnpp_nostd_attest_flow(
    device_secret: *const u8,
    verifier_secret: *const u8,
    challenge: *const u8,
    now: i64,
) -> i32 {
    if device_secret.is_null() || verifier_secret.is_null() || challenge.is_null() {
        return Error::InvalidArgument.code();
    }
    // SAFETY: non-null (checked above); the caller guarantees 32 readable bytes.
    let device_secret = unsafe { &*device_secret.cast::<[u8; 32]>() };
    // SAFETY: as above.
    let verifier_secret = unsafe { &*verifier_secret.cast::<[u8; 32]>() };
    // SAFETY: non-null (checked above); the caller guarantees 16 readable bytes.
    let challenge = unsafe { &*challenge.cast::<[u8; 16]>() };
    match attest_flow(device_secret, verifier_secret, challenge, now) {
        Ok(true) => OK,
        Ok(false) => 1,
        Err(e) => e.code(),
    }
}

fn attest_flow(
    device_secret: &[u8; 32],
    verifier_secret: &[u8; 32],
    challenge: &[u8; 16],
    now: i64,
) -> Result<bool, Error> {
    use ecnpp_attest::appraise::{
        CertifiedConfig, Challenge, Policy, Requirement, VerifiedResult, appraise,
    };
    use ecnpp_attest::eat::Promise;
    use ecnpp_attest::eat::{
        Claims, DebugStatus, HwModel, List, Measurement, NamedSubmodule, Nonce, NonceClaim, OemId,
        Submodule, Ueid, Version,
    };
    use ecnpp_attest::ecnpp::{self, PP_REF_V1_0_7, PROFILE, VerifiedEvidence};

    const OEM: [u8; 3] = [0x00, 0x1b, 0x44];
    const FW: [u8; 32] = [0x11; 32];
    const TEE_FW: [u8; 32] = [0x22; 32];
    const REFS: [Measurement<'static>; 2] = [
        Measurement {
            content_type: 0,
            content: &FW,
        },
        Measurement {
            content_type: 0,
            content: &TEE_FW,
        },
    ];
    let device = SigningKey::from_bytes(device_secret)?;
    let verifier = SigningKey::from_bytes(verifier_secret)?;

    // Device: claims and evidence.
    let measurements = [REFS[0]];
    let tee_measurements = [REFS[1]];
    let tee = Claims {
        measurements: Some(List::Items(&tee_measurements)),
        ..Claims::default()
    };
    let subs = [NamedSubmodule {
        name: "tee",
        submodule: Submodule::Claims(tee),
    }];
    let claims = Claims {
        eat_profile: Some(PROFILE),
        nonce: Some(NonceClaim::One(Nonce::new(challenge)?)),
        ueid: Some(Ueid::new(&[1, 2, 3, 4, 5, 6, 7, 8, 9])?),
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(HwModel::new(b"edge-node-x1")?),
        swname: Some("edge-os"),
        swversion: Some(Version {
            version: "4.2.1",
            scheme: None,
        }),
        oemboot: Some(true),
        dbgstat: Some(DebugStatus::DisabledPermanently),
        measurements: Some(List::Items(&measurements)),
        promise: Some(Promise::SecureEnclave),
        pp_ref: Some(PP_REF_V1_0_7),
        submods: Some(List::Items(&subs)),
        ..Claims::default()
    };
    let mut evidence_buf = [0u8; 512];
    let n = ecnpp::sign_evidence(&claims, &Sign1Builder::new(), &device, &mut evidence_buf)?;
    let evidence_token = evidence_buf.get(..n).ok_or(Error::LengthOverflow)?;

    // Verifier: verify, appraise, sign the result.
    let device_pub = device.verifying_key();
    let models = [ecnpp_attest::ecnpp::Model {
        oemid: OemId::Ieee(&OEM),
        hwmodel: b"edge-node-x1",
    }];
    let endorsement = ecnpp_attest::ecnpp::Endorsement::new(&device_pub, &models);
    let evidence = VerifiedEvidence::verify(evidence_token, &endorsement, &ParseOptions::DEFAULT)?;
    let certified = [CertifiedConfig {
        oemid: OemId::Ieee(&OEM),
        hwmodel: b"edge-node-x1",
        swname: "edge-os",
        swversion: "4.2.1",
        promise: Promise::SecureEnclave,
        pp_ref: ecnpp_attest::ecnpp::PP_REF_V1_0_7,
        certificate: "NSCIB-CC-0000001",
        se_robustness: &[],
        tee_robustness: &[],
        reference_measurements: &REFS,
    }];
    let policy = Policy::new(
        Challenge {
            nonce: challenge,
            issued_at: now,
        },
        now,
        &certified,
        "https://verifier.example",
    );
    let result = appraise(&evidence, &policy);
    let mut result_buf = [0u8; 512];
    let m = result.sign(&Sign1Builder::new(), &verifier, &mut result_buf)?;
    let result_token = result_buf.get(..m).ok_or(Error::LengthOverflow)?;

    // Relying party: verify the result and decide.
    let verified = VerifiedResult::verify(
        result_token,
        &verifier.verifying_key(),
        &ParseOptions::DEFAULT,
    )?;
    let requirement = Requirement::parse("promise>=secure-enclave,evaluated,max-age=300")?;
    Ok(requirement.admits(&verified, now).admitted())
}

/// Without `std` there is no unwinding runtime and nothing to print to: a panic parks the core.
/// Defining this handler is also half of the proof: `std` brings its own, and two handlers in one
/// graph are a hard error ("duplicate lang item `panic_impl`").
#[panic_handler]
fn panic(_info: &PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
