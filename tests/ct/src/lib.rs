//! Constant-time evidence for ecnpp-attest: valgrind client requests issued from inline asm (no
//! dependency), and the operations whose timing must not depend on secrets. See
//! `docs/constant-time.md` for what is claimed and `scripts/ct/` for how it is checked.

pub mod valgrind {
    //! The few valgrind client requests this crate needs, issued with the "special instruction"
    //! sequence valgrind recognises on x86_64: four rotates of `rdi` that cancel out (3 + 13 +
    //! 61 + 51 = 128 bits), then `xchg rbx, rbx`. Outside valgrind the sequence is a no-op and
    //! the request returns its default value, so these are safe to call natively.

    /// `VG_USERREQ_TOOL_BASE('M', 'C')`: memcheck's requests.
    const MEMCHECK_BASE: usize = (b'M' as usize) << 24 | (b'C' as usize) << 16;
    const MAKE_MEM_UNDEFINED: usize = MEMCHECK_BASE + 1;
    const MAKE_MEM_DEFINED: usize = MEMCHECK_BASE + 2;
    /// Core requests.
    const RUNNING_ON_VALGRIND: usize = 0x1001;
    const COUNT_ERRORS: usize = 0x1201;

    /// Issues a client request; returns `default` when not running under valgrind.
    #[cfg(target_arch = "x86_64")]
    fn request(default: usize, args: [usize; 6]) -> usize {
        let mut result = default;
        // SAFETY: the rotates leave `rdi` as it was (it is declared clobbered anyway, since
        // valgrind may not preserve it); `xchg rbx, rbx` swaps rbx with itself. Natively the
        // sequence changes no state; under valgrind it reads the six words `args` points to,
        // which live on this stack frame for the duration of the asm block, and writes the
        // result to rdx.
        unsafe {
            core::arch::asm!(
                "rol rdi, 3",
                "rol rdi, 13",
                "rol rdi, 61",
                "rol rdi, 51",
                "xchg rbx, rbx",
                in("rax") args.as_ptr(),
                inout("rdx") result,
                out("rdi") _,
                options(nostack),
            );
        }
        result
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn request(default: usize, _args: [usize; 6]) -> usize {
        default
    }

    /// How many valgrind layers this runs under (0 natively).
    #[must_use]
    pub fn running_on_valgrind() -> usize {
        request(0, [RUNNING_ON_VALGRIND, 0, 0, 0, 0, 0])
    }

    /// Errors valgrind has reported so far (0 natively).
    #[must_use]
    pub fn count_errors() -> usize {
        request(0, [COUNT_ERRORS, 0, 0, 0, 0, 0])
    }

    /// Marks `bytes` as secret: memcheck then reports any branch or memory index that depends
    /// on them ("Conditional jump or move depends on uninitialised value(s)", "Use of
    /// uninitialised value of size 8").
    pub fn secret<T: ?Sized>(value: &T) {
        let len = core::mem::size_of_val(value);
        let ptr = core::ptr::from_ref(value).cast::<u8>() as usize;
        request(0, [MAKE_MEM_UNDEFINED, ptr, len, 0, 0, 0]);
    }

    /// Declassifies `value` (an output that is public by design, such as a signature or the
    /// verdict of a comparison): memcheck treats it as ordinary data again.
    pub fn public<T: ?Sized>(value: &T) {
        let len = core::mem::size_of_val(value);
        let ptr = core::ptr::from_ref(value).cast::<u8>() as usize;
        request(0, [MAKE_MEM_DEFINED, ptr, len, 0, 0, 0]);
    }
}

use core::hint::black_box;
use core::mem::MaybeUninit;

use ecnpp_attest::cose::Sign1Builder;
use ecnpp_attest::crypto::{Sha256, Signer, SigningKey};
use ecnpp_attest::eat::Promise;
use ecnpp_attest::eat::{
    Claims, DebugStatus, HwModel, List, Measurement, Nonce, NonceClaim, OemId, Ueid, Version,
};
use ecnpp_attest::ecnpp::{self};

/// A fixed digest to sign (public).
#[must_use]
pub fn digest() -> [u8; 32] {
    Sha256::digest(b"constant-time evidence")
}

/// Signs `digest` with a key imported from `secret` (the whole software-key path: import,
/// RFC 6979 nonce, scalar multiplication, inversion, encoding, drop with zeroization).
///
/// # Panics
/// When `secret` is not a valid P-256 scalar (the callers pass valid keys).
#[inline(never)]
#[must_use]
pub fn sign_digest(secret: &[u8; 32], digest: &[u8; 32]) -> [u8; 64] {
    let key = SigningKey::from_bytes(secret).expect("a valid scalar");
    key.sign_digest(digest)
        .expect("signing succeeds")
        .to_bytes()
}

const OEM: [u8; 3] = [0x00, 0x1b, 0x44];
const UEID: [u8; 17] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
const FW: [u8; 32] = [0x11; 32];
const MEAS: [Measurement<'static>; 1] = [Measurement {
    content_type: 0,
    content: &FW,
}];

/// Signs ECN PP evidence (claims encoding streamed into SHA-256, COSE_Sign1 framing) into
/// `out` with a key imported from `secret`; returns the token length.
///
/// # Panics
/// On an invalid key or a too-small buffer (the callers pass valid ones).
#[inline(never)]
#[must_use]
pub fn sign_evidence(secret: &[u8; 32], nonce: &[u8; 16], out: &mut [u8]) -> usize {
    let key = SigningKey::from_bytes(secret).expect("a valid scalar");
    let claims = Claims {
        eat_profile: Some(ecnpp::PROFILE),
        nonce: Some(NonceClaim::One(Nonce::new(nonce).expect("16 bytes"))),
        ueid: Some(Ueid::new(&UEID).expect("17 bytes")),
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(HwModel::new(b"edge-node-x1").expect("a model")),
        swname: Some("edge-os"),
        swversion: Some(Version {
            version: "1.2.3",
            scheme: None,
        }),
        oemboot: Some(true),
        dbgstat: Some(DebugStatus::DisabledFullyAndPermanently),
        promise: Some(Promise::Standard),
        pp_ref: Some(ecnpp::PP_REF_V1_0_7),
        measurements: Some(List::Items(&MEAS)),
        ..Claims::default()
    };
    ecnpp::sign_evidence(&claims, &Sign1Builder::new().kid(b"device-1"), &key, out)
        .expect("evidence signs")
}

/// Constructs a value in memory this function owns, snapshots its bytes, drops it in place,
/// and returns the bytes before and after the drop: what a destructor leaves behind.
///
/// # Panics
/// When `N` is not the size of `T`.
pub fn residue<T, const N: usize>(make: impl FnOnce() -> T) -> ([u8; N], [u8; N]) {
    assert_eq!(core::mem::size_of::<T>(), N, "residue size");
    let mut slot = MaybeUninit::<T>::uninit();
    let value: *mut T = slot.write(make());
    let (mut before, mut after) = ([0u8; N], [0u8; N]);
    // SAFETY: the slot holds an initialised `T` of N bytes; copying its bytes out does not
    // touch the value. (Padding bytes, if any, are copied as they are.)
    unsafe { core::ptr::copy_nonoverlapping(value.cast::<u8>(), before.as_mut_ptr(), N) };
    // SAFETY: `value` was initialised just above and is dropped exactly once; the slot is not
    // used as a `T` afterwards.
    unsafe { core::ptr::drop_in_place(value) };
    // SAFETY: the slot is N bytes of memory this frame still owns; after the drop it holds
    // whatever the destructor wrote (zeroize clears with volatile stores), read as plain bytes.
    unsafe { core::ptr::copy_nonoverlapping(slot.as_ptr().cast::<u8>(), after.as_mut_ptr(), N) };
    (black_box(before), black_box(after))
}

/// An early-exit comparison: the textbook timing leak. Used only to prove that the memcheck
/// test notices a leaky comparison in the place of a constant-time one.
#[inline(never)]
#[must_use]
pub fn leaky_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    for (x, y) in a.iter().zip(b) {
        if black_box(*x) != black_box(*y) {
            return false;
        }
    }
    true
}
