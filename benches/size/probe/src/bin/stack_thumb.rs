//! Peak stack of sign, verify and verify + appraise (and of p256 directly) on the real target
//! instruction set, measured under QEMU (`qemu-system-arm -M mps2-an386`, a Cortex-M4F):
//! the stack below the current frame is painted with a pattern, the operation runs, and the
//! lowest overwritten byte gives its depth. Results go out through semihosting; see ../run.sh.
//!
//! Not a size probe: it is built for running, and its size is not reported.
#![no_std]
#![no_main]

use core::arch::asm;
use core::hint::black_box;

use ecnpp_attest::appraise::{CertifiedConfig, Challenge, Policy, appraise};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder};
use ecnpp_attest::crypto::{SigningKey, VerifyingKey};
use ecnpp_attest::eat::Promise;
use ecnpp_attest::eat::{Measurement, OemId};
use ecnpp_attest::ecnpp::{self, Endorsement, Model, VerifiedEvidence};

/// The device key's endorsement: the model the appraisal certifies.
const MODELS: [Model<'static>; 1] = [Model {
    oemid: OemId::Ieee(&[0x00, 0x1b, 0x44]),
    hwmodel: b"edge-node-x1",
}];
use p256::ecdsa::signature::{Signer as _, Verifier as _};

const PATTERN: u32 = 0xa5a5_a5a5;
/// Painted region: from `sp - PAINT` up to `sp - HEADROOM` (RAM is 256 KiB; statics are tiny
/// and live at its bottom).
const PAINT: usize = 96 * 1024;
const HEADROOM: usize = 512;
const SECRET: [u8; 32] = [0x31; 32];
const NONCE: [u8; 32] = [0x5a; 32];

/// Semihosting call (ARM semihosting over `bkpt 0xab`).
fn semihost(op: u32, arg: usize) -> u32 {
    let mut r0 = op;
    // SAFETY: `bkpt 0xab` is the Cortex-M semihosting trap; QEMU handles it with
    // `-semihosting`. r0 holds the operation, r1 a pointer valid for that operation.
    unsafe { asm!("bkpt #0xab", inout("r0") r0, in("r1") arg, options(nostack)) };
    r0
}

/// Prints `s` (which must end with a NUL byte).
fn print(s: &[u8]) {
    semihost(0x04, s.as_ptr() as usize);
}

fn print_line(name: &[u8], value: usize) {
    let mut buf = [0u8; 96];
    let mut n = 0;
    for &b in b"stack_thumbv7em "
        .iter()
        .chain(name)
        .chain(b" peak_bytes=")
    {
        buf[n] = b;
        n += 1;
    }
    let mut digits = [0u8; 20];
    let mut d = 0;
    let mut v = value;
    loop {
        digits[d] = b'0' + (v % 10) as u8;
        d += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    while d > 0 {
        d -= 1;
        buf[n] = digits[d];
        n += 1;
    }
    buf[n] = b'\n';
    buf[n + 1] = 0;
    print(&buf[..n + 2]);
}

#[inline(always)]
fn sp() -> usize {
    let sp: usize;
    // SAFETY: reads the stack pointer register; no memory access.
    unsafe { asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}

/// Bytes of stack `f` uses below the caller's frame.
#[inline(never)]
fn peak(f: fn()) -> usize {
    let base = sp();
    let low = (base - PAINT) & !3;
    let top = (base - HEADROOM) & !3;
    let mut a = low;
    while a < top {
        // SAFETY: [low, top) is unused stack below every live frame (HEADROOM below this one)
        // and above the statics at the bottom of RAM; nothing else runs.
        unsafe { core::ptr::write_volatile(a as *mut u32, PATTERN) };
        a += 4;
    }
    black_box(f)();
    let mut a = low;
    // SAFETY: the same region, read back.
    while a < top && unsafe { core::ptr::read_volatile(a as *const u32) } == PATTERN {
        a += 4;
    }
    if a == low {
        print(b"painted region exhausted\n\0");
    }
    base - a
}

const REFS: [Measurement<'static>; 3] = [
    Measurement {
        content_type: 0,
        content: &[0x11; 32],
    },
    Measurement {
        content_type: 0,
        content: &[0x33; 32],
    },
    Measurement {
        content_type: 0,
        content: &[0x22; 32],
    },
];

/// The token signed by `sign_ours`, for the verify runs (in .bss: zeroed by QEMU's loader).
static mut TOKEN: [u8; 16384] = [0; 16384];
static mut TOKEN_LEN: usize = 0;

fn token() -> &'static [u8] {
    // SAFETY: single-threaded bare-metal program; written once by `sign_ours` before any read.
    unsafe {
        let t = &*core::ptr::addr_of!(TOKEN);
        &t[..TOKEN_LEN]
    }
}

fn public() -> Option<VerifyingKey> {
    SigningKey::from_bytes(&SECRET)
        .ok()
        .map(|k| k.verifying_key())
}

#[inline(never)]
fn sign_ours() {
    let Ok(key) = SigningKey::from_bytes(black_box(&SECRET)) else {
        return;
    };
    let mut out = [0u8; 512];
    let r = ecnpp_size_probe::with_claims(&NONCE, |c| {
        c.map(|c| ecnpp::sign_evidence(c, &Sign1Builder::new().kid(b"device-1"), &key, &mut out))
    });
    if let Some(Ok(n)) = r {
        // SAFETY: single-threaded; no reference to TOKEN is alive.
        unsafe {
            (&mut *core::ptr::addr_of_mut!(TOKEN))[..n].copy_from_slice(&out[..n]);
            TOKEN_LEN = n;
        }
    }
}

#[inline(never)]
fn verify_ours() {
    let Some(key) = public() else { return };
    let endorsement = Endorsement::new(&key, &MODELS);
    let r = VerifiedEvidence::verify(black_box(token()), &endorsement, &ParseOptions::DEFAULT);
    if r.is_err() {
        print(b"verify failed\n\0");
    }
}

#[inline(never)]
fn verify_appraise_ours() {
    let Some(key) = public() else { return };
    let endorsement = Endorsement::new(&key, &MODELS);
    let Ok(e) = VerifiedEvidence::verify(black_box(token()), &endorsement, &ParseOptions::DEFAULT)
    else {
        print(b"verify failed\n\0");
        return;
    };
    let certified = [CertifiedConfig {
        oemid: OemId::Ieee(&[0x00, 0x1b, 0x44]),
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
            nonce: &NONCE,
            issued_at: 1_789_999_990,
        },
        1_790_000_000,
        &certified,
        "https://verifier.example",
    );
    if !appraise(&e, &policy).reasons().is_empty() {
        print(b"appraisal flagged something\n\0");
    }
}

/// Hostile claims sets (../../hostile/generate.py): submodules nested to the bound, full claims
/// sets, maps out of order, unknown claims nested to the CBOR bound.
const HOSTILE: [(&[u8], &[u8]); 4] = [
    (
        b"verify_appraise_hostile_nested_sorted",
        include_bytes!("../../hostile/nested-sorted.cbor"),
    ),
    (
        b"verify_appraise_hostile_unsorted_deepest",
        include_bytes!("../../hostile/nested-unsorted-deepest.cbor"),
    ),
    (
        b"verify_appraise_hostile_unsorted_all",
        include_bytes!("../../hostile/nested-unsorted-all.cbor"),
    ),
    (
        b"verify_appraise_hostile_wide_nested",
        include_bytes!("../../hostile/wide-nested.cbor"),
    ),
];

/// Signs `payload` as a plain COSE_Sign1 into TOKEN (what any holder of the key can do).
fn sign_payload(payload: &[u8]) -> bool {
    let Ok(key) = SigningKey::from_bytes(&SECRET) else {
        return false;
    };
    // SAFETY: single-threaded; no other reference to TOKEN is alive.
    let out = unsafe { &mut *core::ptr::addr_of_mut!(TOKEN) };
    match Sign1Builder::new().sign(&key, payload, out) {
        Ok(n) => {
            // SAFETY: as above.
            unsafe { TOKEN_LEN = n };
            true
        }
        Err(_) => false,
    }
}

/// Verify, then appraise, of whatever TOKEN holds; the profile rules walk every claims set.
#[inline(never)]
fn verify_appraise_any() {
    let Some(key) = public() else { return };
    let endorsement = Endorsement::new(&key, &MODELS);
    let Ok(e) = VerifiedEvidence::verify(black_box(token()), &endorsement, &ParseOptions::DEFAULT)
    else {
        print(b"hostile token failed to verify\n\0");
        return;
    };
    let policy = Policy::new(
        Challenge {
            nonce: &NONCE,
            issued_at: 1_789_999_990,
        },
        1_790_000_000,
        &[],
        "https://verifier.example",
    );
    black_box(appraise(&e, &policy).status());
}

#[inline(never)]
fn sign_p256() {
    if let Ok(key) = p256::ecdsa::SigningKey::from_bytes(&p256::FieldBytes::from(black_box(SECRET)))
    {
        let sig: p256::ecdsa::Signature = key.sign(black_box(&[0x5au8; 358]));
        black_box(sig.to_bytes());
    }
}

#[inline(never)]
fn verify_p256_only() {
    static mut KEY: Option<(p256::ecdsa::VerifyingKey, p256::ecdsa::Signature)> = None;
    // SAFETY: single-threaded; no other reference to KEY exists.
    let slot = unsafe { &mut *core::ptr::addr_of_mut!(KEY) };
    match slot {
        None => {
            if let Ok(sk) = p256::ecdsa::SigningKey::from_bytes(&p256::FieldBytes::from(SECRET)) {
                *slot = Some((*sk.verifying_key(), sk.sign(&[0x5au8; 358])));
            }
        }
        Some((vk, sig)) => {
            if black_box(&*vk)
                .verify(black_box(&[0x5au8; 358]), sig)
                .is_err()
            {
                print(b"p256 verify failed\n\0");
            }
        }
    }
}

/// Grants full access to the FPU (CPACR CP10/CP11): an `eabihf` build may use FP registers,
/// and the FPU is off after reset.
fn enable_fpu() {
    const CPACR: *mut u32 = 0xE000_ED88 as *mut u32;
    // SAFETY: CPACR is a memory-mapped System Control Block register on every Cortex-M4F/M7F.
    unsafe {
        core::ptr::write_volatile(CPACR, core::ptr::read_volatile(CPACR) | (0xF << 20));
        asm!("dsb", "isb", options(nostack, preserves_flags));
    }
}

#[inline(never)]
fn sign_p256_13() {
    use p256_13::ecdsa::signature::Signer as _;
    if let Ok(key) =
        p256_13::ecdsa::SigningKey::from_bytes(&p256_13::FieldBytes::from(black_box(SECRET)))
    {
        let sig: p256_13::ecdsa::Signature = key.sign(black_box(&[0x5au8; 358]));
        black_box(sig.to_bytes());
    }
}

#[inline(never)]
fn verify_p256_13_only() {
    use p256_13::ecdsa::signature::{Signer as _, Verifier as _};
    static mut KEY: Option<(p256_13::ecdsa::VerifyingKey, p256_13::ecdsa::Signature)> = None;
    // SAFETY: single-threaded; no other reference to KEY exists.
    let slot = unsafe { &mut *core::ptr::addr_of_mut!(KEY) };
    match slot {
        None => {
            if let Ok(sk) =
                p256_13::ecdsa::SigningKey::from_bytes(&p256_13::FieldBytes::from(SECRET))
            {
                *slot = Some((*sk.verifying_key(), sk.sign(&[0x5au8; 358])));
            }
        }
        Some((vk, sig)) => {
            if black_box(&*vk)
                .verify(black_box(&[0x5au8; 358]), sig)
                .is_err()
            {
                print(b"p256 0.13 verify failed\n\0");
            }
        }
    }
}

fn run() {
    enable_fpu();
    print_line(b"sign_ours", peak(sign_ours));
    print_line(b"verify_ours", peak(verify_ours));
    print_line(b"verify_appraise_ours", peak(verify_appraise_ours));
    for (name, payload) in HOSTILE {
        if sign_payload(payload) {
            print_line(name, peak(verify_appraise_any));
        } else {
            print(b"hostile payload could not be signed\n\0");
        }
    }
    print_line(b"sign_p256", peak(sign_p256));
    verify_p256_only(); // prepares the key and signature
    print_line(b"verify_p256", peak(verify_p256_only));
    print_line(b"sign_p256_13", peak(sign_p256_13));
    verify_p256_13_only(); // prepares the key and signature
    print_line(b"verify_p256_13", peak(verify_p256_13_only));
    semihost(0x18, 0x20026); // SYS_EXIT, ADP_Stopped_ApplicationExit
}

ecnpp_size_probe::entry!(run);
