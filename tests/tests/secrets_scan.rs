//! Secrets left behind: constructs a `SigningKey` from a distinctive private scalar, signs, drops
//! the key, and then looks for the secret the way an attacker with a memory dump would:
//!
//! * in the stack region the key work used: the work runs in an `#[inline(never)]` function,
//!   and a sibling call (same caller, so the same stack addresses) reads a large uninitialised
//!   array that overlaps every frame the work left behind;
//! * in freed heap blocks: a `#[global_allocator]` keeps a copy of each block it releases.
//!
//! What is looked for, in any byte position: each 8-byte piece of the scalar `d` as it is
//! serialized (big-endian bytes) and as `p256` holds it (a `U256` of four little-endian 64-bit
//! limbs, canonical form: `p256` 0.14 reduces scalars with Barrett, it keeps no Montgomery
//! form), and the same for the signature's nonce `k`, which gives `d` away to anyone holding
//! the (public) signature: `d = (s·k − z) / r`. The nonce is computed here from the signature.
//!
//! Reading uninitialised or freed memory is not something safe Rust (or even `unsafe` Rust
//! with plain loads) may do; the bytes are copied out by a few lines of inline assembly, which
//! the compiler treats as opaque, so only the copy is ever read from Rust. x86-64 only.
#![cfg(target_arch = "x86_64")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use ecnpp_attest::crypto::{Sha256, Signer as _, SigningKey, Verifier as _};
use p256::elliptic_curve::ff::PrimeField as _;

/// The private scalar: distinctive, so that a hit is not a coincidence (no 8-byte piece of it
/// repeats or is all one value).
const SECRET: [u8; 32] = [
    0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18, 0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90,
    0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf1, 0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21,
];

/// The bytes of the stack below the work's caller that the sibling scan reads (the test thread
/// has 2 MiB; the key work needs far less in any profile).
const STACK_SCAN: usize = 256 * 1024;

// ---------------------------------------------------------------------------------------------
// Patterns

/// 24 words: for `d`, `k` and `n − k`, the four big-endian 8-byte pieces and the four
/// little-endian limbs, each as the `u64` a native (little-endian) load of those 8 bytes gives.
static PATTERNS: [AtomicU64; 24] = [const { AtomicU64::new(0) }; 24];
/// Whether the patterns are set (the allocator scans only then).
static ARMED: AtomicBool = AtomicBool::new(false);

fn words(scalar: &[u8; 32]) -> [u64; 8] {
    let mut w = [0u64; 8];
    for (i, chunk) in scalar.chunks_exact(8).enumerate() {
        let be: [u8; 8] = chunk.try_into().unwrap();
        w[i] = u64::from_le_bytes(be); // the bytes as serialized
        w[4 + i] = u64::from_be_bytes(be); // as a limb: the same 8 bytes reversed in memory
    }
    w
}

fn arm(d: &[u8; 32], k: &[u8; 32], k_neg: &[u8; 32]) {
    let all = words(d).into_iter().chain(words(k)).chain(words(k_neg));
    for (slot, w) in PATTERNS.iter().zip(all) {
        slot.store(w, Ordering::SeqCst);
    }
    ARMED.store(true, Ordering::SeqCst);
}

/// Hits in `bytes`: (pieces of `d`, pieces of `k` or `n − k`).
fn count(bytes: &[u8]) -> (usize, usize) {
    let pats: [u64; 24] = core::array::from_fn(|i| PATTERNS[i].load(Ordering::Relaxed));
    let (mut d, mut k) = (0, 0);
    for win in bytes.windows(8) {
        let w = u64::from_le_bytes(win.try_into().unwrap());
        if let Some(i) = pats.iter().position(|&p| p == w) {
            if i < 8 { d += 1 } else { k += 1 }
        }
    }
    (d, k)
}

/// Copies `len` bytes from `src` to `dst` with `rep movsb`. The compiler does not look inside
/// the assembly, so uninitialised or released bytes at `src` become plain initialised bytes at
/// `dst` without a Rust-level read of them.
///
/// # Safety
/// `src` readable and `dst` writable for `len` bytes (as addresses; their contents may be
/// anything), not overlapping.
unsafe fn copy_out(src: *const u8, dst: *mut u8, len: usize) {
    // SAFETY: the caller guarantees both ranges are mapped and disjoint; `rep movsb` touches
    // exactly them (the direction flag is clear per the ABI) and uses no stack.
    unsafe {
        core::arch::asm!(
            "rep movsb",
            inout("rcx") len => _,
            inout("rsi") src => _,
            inout("rdi") dst => _,
            options(nostack, preserves_flags)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Freed heap

/// Keeps a copy of every heap block freed while [`ARMED`], for [`count`] to read afterwards
/// (scanning in `dealloc` itself would put the patterns on the stack being examined).
struct KeepFreed;

/// The copies of freed blocks; its capacity is reserved before arming, so that appending
/// never allocates.
static FREED: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// Bytes of freed blocks that did not fit in `FREED` (the test fails if any).
static FREED_OVERFLOW: AtomicUsize = AtomicUsize::new(0);

// SAFETY: delegates to the system allocator; `dealloc` only reads the block before releasing it.
unsafe impl GlobalAlloc for KeepFreed {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) {
            let mut kept = FREED
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let n = layout.size();
            if kept.capacity() - kept.len() >= n {
                let dst = kept.spare_capacity_mut().as_mut_ptr().cast::<u8>();
                // SAFETY: the block is still allocated, `n` bytes long; the spare capacity
                // holds at least `n` bytes and is a different allocation.
                unsafe { copy_out(ptr, dst, n) };
                let len = kept.len() + n;
                // SAFETY: `copy_out` initialised the `n` bytes after the old length.
                unsafe { kept.set_len(len) };
            } else {
                FREED_OVERFLOW.fetch_add(n, Ordering::SeqCst);
            }
        }
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: KeepFreed = KeepFreed;

// ---------------------------------------------------------------------------------------------
// The work and the scan

/// The signature's nonce `k`: `s = k⁻¹(z + r·d)`, so `k = s⁻¹(z + r·d)`; low-S normalisation
/// may have negated `s`, so which of `k` and `n − k` was drawn is not known: both are returned.
fn nonce(digest: &[u8; 32], sig: &[u8; 64]) -> ([u8; 32], [u8; 32]) {
    let scalar = |b: &[u8]| {
        let fb: [u8; 32] = b.try_into().unwrap();
        Option::<p256::Scalar>::from(p256::Scalar::from_repr(fb.into())).unwrap()
    };
    let (r, s) = (scalar(&sig[..32]), scalar(&sig[32..]));
    let (z, d) = (scalar(digest), scalar(&SECRET));
    let k = Option::<p256::Scalar>::from(s.invert()).unwrap() * (z + r * d);
    let neg = -k;
    (k.to_repr().into(), neg.to_repr().into())
}

/// Builds the key in place, signs, drops it: everything a device does with its key.
#[inline(never)]
fn key_work(digest: &[u8; 32]) -> [u8; 64] {
    let mut slot = None;
    let key = SigningKey::from_bytes_in(&mut slot, black_box(&SECRET)).unwrap();
    let sig = key.sign_digest(digest).unwrap();
    slot = None; // dropped in place
    black_box(&slot);
    sig.to_bytes()
}

/// The same on the heap, as the C API keeps a key: a box, released at the end.
#[inline(never)]
fn boxed_key_work(digest: &[u8; 32]) -> [u8; 64] {
    let mut slot = Box::new(None);
    let key = SigningKey::from_bytes_in(&mut slot, black_box(&SECRET)).unwrap();
    let sig = key.sign_digest(digest).unwrap();
    drop(black_box(slot));
    sig.to_bytes()
}

/// With the by-value constructor: what is left depends on how the compiler moves the value,
/// so this one is reported, not asserted.
#[inline(never)]
fn by_value_key_work(digest: &[u8; 32]) -> [u8; 64] {
    let key = SigningKey::from_bytes(black_box(&SECRET)).unwrap();
    let sig = key.sign_digest(digest).unwrap();
    drop(black_box(key));
    sig.to_bytes()
}

/// The address of a local of the caller: the work's frames all lie below it.
#[inline(always)]
fn stack_top(marker: &u8) -> usize {
    std::ptr::from_ref(marker).addr()
}

/// Copies the `STACK_SCAN` bytes below `top` (an address in the caller's frame, see
/// [`stack_top`]) into `out`. They include this function's own frame, which holds nothing
/// secret, and, below it, whatever the work that ran before left.
#[inline(never)]
fn read_stack_below(top: usize, out: &mut [u8]) {
    assert_eq!(out.len(), STACK_SCAN);
    let src = std::ptr::without_provenance::<u8>(top - STACK_SCAN);
    // SAFETY: the range is this thread's stack (its size is four times `STACK_SCAN`), mapped
    // and readable; `copy_out` reads it in assembly, so no Rust-level read of dead or
    // uninitialised bytes happens; `out` is a separate heap buffer of the same length.
    unsafe { copy_out(src, out.as_mut_ptr(), STACK_SCAN) };
}

/// Fills at least `STACK_SCAN` bytes below the caller's frame with `byte`.
#[inline(never)]
fn paint_stack_below(byte: u8) {
    let mut region = [byte; STACK_SCAN + 4096];
    black_box(&mut region);
}

/// Runs `work` on a fresh thread (whose registers hold nothing of this test's own arithmetic
/// on the secret) after painting the stack below with `paint`, and returns a copy of that
/// stack afterwards.
fn stack_after(
    work: fn(&[u8; 32]) -> [u8; 64],
    digest: [u8; 32],
    sig: [u8; 64],
    paint: u8,
) -> Vec<u8> {
    std::thread::Builder::new()
        .stack_size(4 * STACK_SCAN)
        .spawn(move || {
            let marker = 0u8;
            let top = stack_top(black_box(&marker));
            let mut stack = vec![0u8; STACK_SCAN];
            paint_stack_below(paint);
            assert_eq!(work(&digest), sig);
            read_stack_below(top, &mut stack);
            stack
        })
        .unwrap()
        .join()
        .unwrap()
}

/// How deep below the caller `work` wrote (bytes), found by painting.
fn stack_depth(work: fn(&[u8; 32]) -> [u8; 64], digest: [u8; 32], sig: [u8; 64]) -> usize {
    let stack = stack_after(work, digest, sig, 0x5a);
    STACK_SCAN - stack.iter().position(|&b| b != 0x5a).unwrap_or(STACK_SCAN)
}

#[test]
fn no_copy_of_the_key_or_nonce_survives_on_the_stack_or_in_freed_heap() {
    let digest = Sha256::digest(b"secrets left behind");

    // A first run only learns the nonce, which the patterns need.
    let sig = key_work(&digest);
    let (k, k_neg) = nonce(&digest, &sig);
    FREED.lock().unwrap().reserve(16 << 20);
    arm(&SECRET, &k, &k_neg);
    // The patterns are found where they are known to be.
    assert_eq!(count(&SECRET), (4, 0));
    assert_eq!(count(&k), (0, 4));
    assert_eq!(count(&k_neg), (0, 4));

    let stacks =
        [key_work, boxed_key_work, by_value_key_work].map(|work| stack_after(work, digest, sig, 0));
    // Disarmed before the copies are dropped: they are the test's, not the library's.
    ARMED.store(false, Ordering::SeqCst);
    let [on_stack, on_stack_boxed, on_stack_by_value] = stacks.each_ref().map(|s| count(s));
    let freed = {
        let kept = FREED.lock().unwrap();
        (count(&kept), kept.len())
    };
    assert_eq!(FREED_OVERFLOW.load(Ordering::SeqCst), 0);

    let depth = stack_depth(key_work, digest, sig);
    let key = SigningKey::from_bytes(&SECRET).unwrap();
    let signature = ecnpp_attest::crypto::Signature::from_bytes(sig).unwrap();
    key.verifying_key()
        .verify_digest(&digest, &signature)
        .unwrap();

    eprintln!(
        "key work reaches {depth} bytes below its caller; 8-byte pieces of (d, k) found: \
         stack after key_work {on_stack:?}, after boxed_key_work {on_stack_boxed:?}; \
         in {} bytes of freed heap blocks {:?}; by value (not asserted) {on_stack_by_value:?}",
        freed.1, freed.0
    );
    assert_eq!(on_stack, (0, 0), "key work left the secret on the stack");
    assert_eq!(
        on_stack_boxed,
        (0, 0),
        "boxed key work left the secret on the stack"
    );
    assert_eq!(freed.0, (0, 0), "a freed heap block held the secret");
    assert!(
        freed.1 > 0,
        "the boxed key's block was not seen being freed"
    );
}
