//! Measures the peak stack of each operation by painting: on a thread with a known stack, the
//! unused part of the stack below the current frame is filled with a pattern, the operation
//! runs, and the lowest byte that no longer holds the pattern marks how deep it went.
//!
//! The library under test is built with `default-features = false` (its firmware
//! configuration, p256 without precomputed tables), at opt-level "s" like the size probes; the
//! figures are for x86-64, a 64-bit target (a thumbv7em build uses 32-bit words and a different
//! register allocation: expect the same order of magnitude, not the same bytes).
//!
//! Output, one line per operation: `stack <name> peak_bytes=<n>`.
#![allow(clippy::print_stdout)]

use std::hint::black_box;

use ecnpp_attest::appraise::{CertifiedConfig, Challenge, Policy, appraise};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder};
use ecnpp_attest::crypto::{SigningKey, VerifyingKey};
use ecnpp_attest::eat::{
    Claims, DebugStatus, HwModel, List, Measurement, NamedSubmodule, Nonce, NonceClaim, OemId,
    Submodule, Ueid, Version,
};
use ecnpp_attest::eat::{Lifecycle, Promise};
use ecnpp_attest::ecnpp::{self, Endorsement, Model, PP_REF_V1_0_7, PROFILE, VerifiedEvidence};

const PATTERN: u8 = 0xa5;
/// Bytes left unpainted just below the painting frame (the painter's own frames).
const HEADROOM: usize = 4096;
/// Bytes left unpainted above the guard page at the low end of the stack.
const LOW_MARGIN: usize = 4096;
const STACK: usize = 1 << 20;

/// The current stack pointer, approximately (the address of a local in this frame).
#[inline(always)]
fn sp() -> usize {
    let marker = 0u8;
    std::ptr::addr_of!(marker) as usize
}

/// The lowest usable address of the current thread's stack.
fn stack_low() -> usize {
    // SAFETY: `attr` is initialised by `pthread_getattr_np` before use and destroyed after;
    // `pthread_attr_getstack` writes the two out-parameters we pass.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        assert_eq!(libc::pthread_getattr_np(libc::pthread_self(), &mut attr), 0);
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        assert_eq!(libc::pthread_attr_getstack(&attr, &mut addr, &mut size), 0);
        libc::pthread_attr_destroy(&mut attr);
        addr as usize
    }
}

/// Runs `f` on a fresh thread and returns how many bytes of stack below the caller's frame it
/// touched.
fn peak(f: fn()) -> usize {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let low = stack_low() + LOW_MARGIN;
            let top = sp() - HEADROOM;
            assert!(top > low);
            // SAFETY: [low, top) lies inside this thread's own mapped stack, below every live
            // frame (HEADROOM bytes below the current one) and above the guard page; nothing
            // else uses it. Volatile writes so the painting is not optimised away.
            for a in low..top {
                unsafe { std::ptr::write_volatile(a as *mut u8, PATTERN) };
            }
            let base = sp();
            black_box(f)();
            // SAFETY: the same region, read back after `f` returned.
            let lowest = (low..top)
                .find(|&a| unsafe { std::ptr::read_volatile(a as *const u8) } != PATTERN)
                .unwrap_or(top);
            assert!(
                lowest > low,
                "the painted region was exhausted: raise STACK"
            );
            base - lowest
        })
        .expect("spawn")
        .join()
        .expect("join")
}

const OEM: [u8; 3] = [0x00, 0x1b, 0x44];
const MODEL: &[u8] = b"edge-node-x1";
/// The device key's endorsement: its own model.
const MODELS: [Model<'static>; 1] = [Model {
    oemid: OemId::Ieee(&OEM),
    hwmodel: MODEL,
}];
const NONCE: [u8; 32] = [0x5a; 32];
const SECRET: [u8; 32] = [0x31; 32];
const FW: [u8; 32] = [0x11; 32];
const BL: [u8; 32] = [0x33; 32];
const TEE_FW: [u8; 32] = [0x22; 32];
const REFS: [Measurement<'static>; 3] = [
    Measurement {
        content_type: 0,
        content: &FW,
    },
    Measurement {
        content_type: 0,
        content: &BL,
    },
    Measurement {
        content_type: 0,
        content: &TEE_FW,
    },
];

fn with_claims<R>(f: impl FnOnce(&Claims<'_>) -> R) -> R {
    let measurements = [REFS[0], REFS[1]];
    let tee_measurements = [REFS[2]];
    let se = Claims {
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(HwModel::new(b"se-050").expect("fixture")),
        dbgstat: Some(DebugStatus::DisabledFullyAndPermanently),
        ..Claims::default()
    };
    let tee = Claims {
        measurements: Some(List::Items(&tee_measurements)),
        ..Claims::default()
    };
    let submods = [
        NamedSubmodule {
            name: "se",
            submodule: Submodule::Claims(se),
        },
        NamedSubmodule {
            name: "tee",
            submodule: Submodule::Claims(tee),
        },
    ];
    let claims = Claims {
        eat_profile: Some(PROFILE),
        nonce: Some(NonceClaim::One(Nonce::new(&NONCE).expect("fixture"))),
        ueid: Some(Ueid::new(&[0x01; 17]).expect("fixture")),
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(HwModel::new(MODEL).expect("fixture")),
        swname: Some("edge-os"),
        swversion: Some(Version {
            version: "4.2.1",
            scheme: Some(16384),
        }),
        oemboot: Some(true),
        dbgstat: Some(DebugStatus::DisabledPermanently),
        iat: Some(1_789_999_995),
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

static TOKEN: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();

fn token() -> &'static [u8] {
    TOKEN.get_or_init(|| {
        let key = SigningKey::from_bytes(&SECRET).expect("key");
        let mut out = vec![0u8; 1024];
        let n = with_claims(|c| {
            ecnpp::sign_evidence(c, &Sign1Builder::new().kid(b"device-1"), &key, &mut out)
        })
        .expect("sign");
        out.truncate(n);
        out
    })
}

fn public() -> VerifyingKey {
    SigningKey::from_bytes(&SECRET)
        .expect("key")
        .verifying_key()
}

/// Key import + build claims + sign evidence into a 512-byte buffer on the stack.
#[inline(never)]
fn sign_ours() {
    let key = SigningKey::from_bytes(black_box(&SECRET)).expect("key");
    let mut out = [0u8; 512];
    let n = with_claims(|c| {
        ecnpp::sign_evidence(c, &Sign1Builder::new().kid(b"device-1"), &key, &mut out)
    })
    .expect("sign");
    black_box(&out[..n]);
}

/// Parse + verify + read the claims of a token.
#[inline(never)]
fn verify_ours() {
    let key = black_box(public());
    let endorsement = Endorsement::new(&key, &MODELS);
    let e = VerifiedEvidence::verify(black_box(token()), &endorsement, &ParseOptions::DEFAULT)
        .expect("verify");
    black_box(e.claims().promise);
}

/// Verify, then appraise against a policy.
#[inline(never)]
fn verify_appraise_ours() {
    let key = black_box(public());
    let endorsement = Endorsement::new(&key, &MODELS);
    let e = VerifiedEvidence::verify(black_box(token()), &endorsement, &ParseOptions::DEFAULT)
        .expect("verify");
    let certified = [CertifiedConfig {
        oemid: OemId::Ieee(&OEM),
        hwmodel: MODEL,
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
            nonce: &NONCE,
            issued_at: 1_789_999_990,
        },
        1_790_000_000,
        &certified,
        "https://verifier.example",
    );
    let r = appraise(&e, &policy);
    assert!(r.reasons().is_empty(), "{:?}", r.reasons());
    black_box(r.status());
}

/// p256 directly: key import + sign a message of the Sig_structure's size.
#[inline(never)]
fn sign_p256() {
    use p256::ecdsa::signature::Signer as _;
    let key = p256::ecdsa::SigningKey::from_bytes(&p256::FieldBytes::from(black_box(SECRET)))
        .expect("key");
    let msg = [0x5au8; 358];
    let sig: p256::ecdsa::Signature = key.sign(black_box(&msg));
    black_box(sig.to_bytes());
}

/// p256 directly: verify a signature over a message of the Sig_structure's size.
#[inline(never)]
fn verify_p256() {
    use p256::ecdsa::signature::{Signer as _, Verifier as _};
    static SIG: std::sync::OnceLock<(p256::ecdsa::VerifyingKey, p256::ecdsa::Signature)> =
        std::sync::OnceLock::new();
    let (vk, sig) = SIG.get_or_init(|| {
        let sk = p256::ecdsa::SigningKey::from_bytes(&p256::FieldBytes::from(SECRET)).expect("key");
        (*sk.verifying_key(), sk.sign(&[0x5au8; 358]))
    });
    let msg = [0x5au8; 358];
    assert!(black_box(vk).verify(black_box(&msg), sig).is_ok());
}

fn main() {
    // Prepare the inputs outside the measured calls.
    token();
    verify_p256();
    let ops: [(&str, fn()); 5] = [
        ("sign_ours", sign_ours),
        ("verify_ours", verify_ours),
        ("verify_appraise_ours", verify_appraise_ours),
        ("sign_p256", sign_p256),
        ("verify_p256", verify_p256),
    ];
    for (name, f) in ops {
        let runs: Vec<usize> = (0..3).map(|_| peak(f)).collect();
        let max = runs.iter().copied().max().unwrap_or(0);
        println!("stack {name} peak_bytes={max} (runs {runs:?})");
    }
}
