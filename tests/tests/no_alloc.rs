//! The heap-free promise, checked at run time: a counting `#[global_allocator]` (the system
//! allocator underneath) records every allocation, reallocation and deallocation made by the
//! current thread while a measured closure runs, and every public entry point of the signing and
//! verifying paths, success and error, must make none.
//!
//! The counters are thread-local, so the test harness's own threads (and other tests running in
//! parallel) never pollute a measurement. Control tests prove the counter really counts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

use ecnpp_attest::Error;
use ecnpp_attest::cbor::{self, Mode};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use ecnpp_attest::crypto::{Digest as _, Sha256, Signer as _, SigningKey, VerifyingKey};

struct CountingAllocator;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
    static FREES: Cell<usize> = const { Cell::new(0) };
}

/// Bumps `counter` when the current thread is inside a measured region. `try_with` because the
/// allocator also runs while a thread's locals are being torn down; const-initialised `Cell`s
/// without destructors never allocate themselves.
fn note(counter: &'static std::thread::LocalKey<Cell<usize>>) {
    if MEASURING.try_with(Cell::get).unwrap_or(false) {
        let _ = counter.try_with(|c| c.set(c.get().saturating_add(1)));
    }
}

// SAFETY: every method forwards its arguments unchanged to `System`, which implements the
// `GlobalAlloc` contract; the bookkeeping only touches thread-local `Cell`s and cannot unwind.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(&ALLOCS);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(&ALLOCS);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(&ALLOCS);
        // SAFETY: `ptr` was allocated by this allocator, i.e. by `System`, with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(&FREES);
        // SAFETY: `ptr` was allocated by this allocator, i.e. by `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Heap operations of the current thread during one measured region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct HeapOps {
    allocs: usize,
    frees: usize,
}

const NONE: HeapOps = HeapOps {
    allocs: 0,
    frees: 0,
};

/// Runs `f` with counting switched on for this thread; returns its result and the counts.
fn measure<R>(f: impl FnOnce() -> R) -> (R, HeapOps) {
    ALLOCS.with(|c| c.set(0));
    FREES.with(|c| c.set(0));
    MEASURING.with(|m| m.set(true));
    let r = black_box(f());
    MEASURING.with(|m| m.set(false));
    let ops = HeapOps {
        allocs: ALLOCS.with(Cell::get),
        frees: FREES.with(Cell::get),
    };
    (r, ops)
}

/// Asserts that `f` makes no heap operation and returns its result.
#[track_caller]
fn heap_free<R>(what: &str, f: impl FnOnce() -> R) -> R {
    let (r, ops) = measure(f);
    assert_eq!(ops, NONE, "{what} used the heap");
    r
}

const SECRET: [u8; 32] = [
    0x57, 0xc9, 0x20, 0x77, 0x66, 0x41, 0x46, 0xe8, 0x76, 0x76, 0x0c, 0x95, 0x20, 0xd0, 0x54, 0xaa,
    0x93, 0xc3, 0xaf, 0xb0, 0x4e, 0x30, 0x67, 0x05, 0xdb, 0x60, 0x90, 0x30, 0x85, 0x07, 0xb4, 0xd3,
];

/// `{10: h'0001020304050607', 256: h'01...'}`: a small claims map.
const PAYLOAD: &[u8] = &[
    0xa2, 0x0a, 0x48, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x19, 0x01, 0x00, 0x47, 0x01,
    0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
];

// ---- controls: the test of the test ----

#[test]
fn control_counter_sees_heap_use_in_the_region() {
    let (v, ops) = measure(|| Vec::<u8>::with_capacity(black_box(64)));
    assert_eq!(
        ops.allocs, 1,
        "a Vec allocation inside the region is counted"
    );
    assert_eq!(ops.frees, 0);

    let (_, ops) = measure(|| drop(black_box(v)));
    assert_eq!(ops.frees, 1, "freeing inside the region is counted");

    let (_, ops) = measure(|| {
        let mut s = String::new();
        for i in 0..100 {
            s.push_str(black_box(&i.to_string()));
        }
        s.len()
    });
    assert!(ops.allocs > 2, "growth reallocations are counted: {ops:?}");

    let (_, ops) = measure(|| Box::new(black_box([0u8; 32])));
    assert_eq!(ops.allocs, 1);
}

#[test]
fn control_counter_ignores_heap_use_outside_the_region() {
    let ((), ops) = measure(|| ());
    assert_eq!(ops, NONE);
    let outside = black_box(vec![1u8; 128]);
    drop(outside);
    assert_eq!(ALLOCS.with(Cell::get), 0, "not measuring: not counted");
    assert_eq!(FREES.with(Cell::get), 0);
}

#[test]
#[should_panic(expected = "used the heap")]
fn control_heap_free_fails_on_an_allocation() {
    heap_free("a boxed value", || Box::new(black_box(1u64)));
}

// ---- the library ----

#[test]
fn keys_are_heap_free() {
    let key = heap_free("SigningKey::from_bytes", || {
        SigningKey::from_bytes(black_box(&SECRET)).unwrap()
    });
    heap_free("SigningKey::from_slice / to_bytes / drop", || {
        let k = SigningKey::from_slice(black_box(&SECRET[..])).unwrap();
        let raw = k.to_bytes();
        drop(k);
        raw[0]
    });
    heap_free("SigningKey::from_bytes error path", || {
        SigningKey::from_bytes(black_box(&[0u8; 32])).err()
    });
    heap_free("SigningKey::generate", || {
        let mut n = 0u8;
        SigningKey::generate(|b| {
            n = n.wrapping_add(1);
            b.fill(n);
            Ok(())
        })
        .map(|_| ())
    })
    .unwrap();
    let vk = heap_free("verifying_key", || key.verifying_key());
    let sec1 = heap_free("to_sec1_uncompressed", || vk.to_sec1_uncompressed());
    heap_free("from_sec1_bytes", || {
        VerifyingKey::from_sec1_bytes(black_box(&sec1[..])).unwrap()
    });
    heap_free("from_sec1_bytes error path", || {
        VerifyingKey::from_sec1_bytes(black_box(&[4u8; 65][..])).err()
    });

    let mut buf = [0u8; 128];
    for kid in [None, Some(&b"device-1"[..])] {
        let need = heap_free("cose_key_len", || vk.cose_key_len(kid));
        let n = heap_free("to_cose_key", || vk.to_cose_key(kid, &mut buf).unwrap());
        assert_eq!(n, need);
        let read = heap_free("from_cose_key", || {
            VerifyingKey::from_cose_key(black_box(&buf[..n])).unwrap()
        });
        assert_eq!(read.key, vk);
        assert_eq!(read.kid, kid);
        let err = heap_free("from_cose_key error path (truncated)", || {
            VerifyingKey::from_cose_key(black_box(&buf[..n - 1])).err()
        });
        assert_eq!(err, Some(Error::Truncated));
        let err = heap_free("to_cose_key into a short buffer", || {
            vk.to_cose_key(kid, &mut buf[..8]).err()
        });
        assert_eq!(err, Some(Error::BufferTooSmall { needed: need }));
    }
}

#[test]
fn sign_and_encoded_len_are_heap_free() {
    let key = SigningKey::from_bytes(&SECRET).unwrap();
    let vk = key.verifying_key();
    let mut buf = [0u8; 512];
    let configs = [
        Sign1Builder::new(),
        Sign1Builder::new()
            .kid(b"device-1")
            .external_aad(b"nonce-0123456789"),
        Sign1Builder::new().detached(true),
        Sign1Builder::new()
            .kid(b"device-1")
            .external_aad(b"aad")
            .detached(true)
            .untagged(true),
    ];
    for b in &configs {
        let need = heap_free("encoded_len", || b.encoded_len(black_box(PAYLOAD)));
        let n = heap_free("Sign1Builder::sign", || {
            b.sign(&key, black_box(PAYLOAD), &mut buf).unwrap()
        });
        assert_eq!(n, need);
        // Sanity: what was signed is a real message.
        cbor::validate(&buf[..n], Mode::Strict).unwrap();
        let err = heap_free("Sign1Builder::sign into a short buffer", || {
            b.sign(&key, PAYLOAD, &mut buf[..need - 1]).err()
        });
        assert_eq!(err, Some(Error::BufferTooSmall { needed: need }));
    }
    heap_free("Signer::sign_digest and Sha256", || {
        let d = Sha256::digest(black_box(PAYLOAD));
        let s = key.sign_digest(&d).unwrap();
        ecdsa_verify(&vk, &d, &s)
    });
}

fn ecdsa_verify(
    vk: &VerifyingKey,
    d: &ecnpp_attest::crypto::Digest256,
    s: &ecnpp_attest::crypto::Signature,
) -> bool {
    use ecnpp_attest::crypto::Verifier as _;
    vk.verify_digest(d, s).is_ok()
}

#[test]
fn parse_and_verify_are_heap_free() {
    let key = SigningKey::from_bytes(&SECRET).unwrap();
    let vk = key.verifying_key();
    let aad = b"nonce-0123456789";

    let mut attached = [0u8; 256];
    let b = Sign1Builder::new().kid(b"device-1").external_aad(aad);
    let n = b.sign(&key, PAYLOAD, &mut attached).unwrap();
    let attached = &attached[..n];

    let mut detached = [0u8; 256];
    let b = Sign1Builder::new().external_aad(aad).detached(true);
    let m = b.sign(&key, PAYLOAD, &mut detached).unwrap();
    let detached = &detached[..m];

    let d = ParseOptions::DEFAULT;
    let u = heap_free("UnverifiedSign1::parse", || {
        UnverifiedSign1::parse(black_box(attached), &d).unwrap()
    });
    heap_free("parse, strict and permissive", || {
        let strict = ParseOptions {
            deterministic: true,
            ..ParseOptions::PERMISSIVE_TAGS
        };
        UnverifiedSign1::parse(black_box(attached), &strict).unwrap()
    });
    let payload = heap_free("verify", || u.verify(&vk, aad).unwrap().payload());
    assert_eq!(payload, PAYLOAD);
    heap_free("cose::verify one-shot", || {
        ecnpp_attest::cose::verify(black_box(attached), &d, &vk, aad).unwrap();
    });
    heap_free("write_sig_structure into Sha256", || {
        let mut h = Sha256::new();
        u.write_sig_structure(aad, None, &mut h).unwrap();
        h.finalize()
    });

    let ud = UnverifiedSign1::parse(detached, &d).unwrap();
    let payload = heap_free("verify_detached", || {
        ud.verify_detached(&vk, aad, black_box(PAYLOAD))
            .unwrap()
            .payload()
    });
    assert_eq!(payload, PAYLOAD);

    // Error paths.
    let err = heap_free("parse of a truncated message", || {
        UnverifiedSign1::parse(black_box(&attached[..n - 1]), &d).err()
    });
    assert_eq!(err, Some(Error::Truncated));
    let err = heap_free("verify with the wrong AAD", || {
        u.verify(&vk, b"other").err()
    });
    assert_eq!(err, Some(Error::VerificationFailed));
    let err = heap_free("verify of a detached message without its payload", || {
        ud.verify(&vk, aad).err()
    });
    assert_eq!(err, Some(Error::MissingDetachedPayload));
    let err = heap_free("parse of an untagged message", || {
        UnverifiedSign1::parse(black_box(&attached[1..]), &d).err()
    });
    assert_eq!(err, Some(Error::MissingTag));
    let mut bad_sig = attached.to_vec();
    bad_sig[n - 64..n - 32].fill(0);
    let err = heap_free("parse with r = 0", || {
        UnverifiedSign1::parse(black_box(&bad_sig), &d).err()
    });
    assert_eq!(err, Some(Error::SignatureScalarOutOfRange));
}

#[test]
fn cbor_validate_is_heap_free() {
    let key = SigningKey::from_bytes(&SECRET).unwrap();
    let mut buf = [0u8; 256];
    let n = Sign1Builder::new()
        .kid(b"k")
        .sign(&key, PAYLOAD, &mut buf)
        .unwrap();
    let msg = &buf[..n];
    heap_free("validate lenient", || {
        cbor::validate(black_box(msg), Mode::Lenient).unwrap();
    });
    heap_free("validate strict", || {
        cbor::validate(black_box(msg), Mode::Strict).unwrap();
    });
    heap_free("validate of the claims payload", || {
        cbor::validate(black_box(PAYLOAD), Mode::Strict).unwrap();
    });
    let cases: &[(&[u8], Error)] = &[
        (&msg[..n - 1], Error::Truncated),
        (&[0x00, 0x00], Error::TrailingBytes),
        (&[0x9f, 0xff], Error::IndefiniteLength),
        // {2: 0, 1: 0, 2: 0}: out of order, so the quadratic duplicate search runs.
        (
            &[0xa3, 0x02, 0x00, 0x01, 0x00, 0x02, 0x00],
            Error::DuplicateKey,
        ),
        (&[0x81; 64], Error::DepthExceeded),
        (&[0x62, 0xc3, 0x28], Error::InvalidUtf8),
    ];
    for (input, expected) in cases {
        let err = heap_free("validate error path", || {
            cbor::validate(black_box(input), Mode::Lenient).err()
        });
        assert_eq!(err, Some(*expected), "{input:02x?}");
    }
}

mod profile {
    //! The EAT and ECN PP layer: building and signing evidence, verifying it, reading claims,
    //! appraising, signing and verifying an attestation result, and the relying party's check.
    use super::heap_free;
    use ecnpp_attest::appraise::{
        CertifiedConfig, Challenge, Policy, Requirement, TrustStatus, VerifiedResult, appraise,
    };
    use ecnpp_attest::cose::{ParseOptions, Sign1Builder};
    use ecnpp_attest::crypto::SigningKey;
    use ecnpp_attest::eat::Promise;
    use ecnpp_attest::eat::{
        Claims, DebugStatus, HwModel, List, Measurement, NamedSubmodule, Nonce, NonceClaim, OemId,
        Submodule, Ueid, Version,
    };
    use ecnpp_attest::ecnpp::{self, Endorsement, Model, PP_REF_V1_0_7, PROFILE, VerifiedEvidence};

    const NONCE: [u8; 16] = *b"challenge-000001";
    const OEM: [u8; 3] = [0x00, 0x1b, 0x44];
    const FW: [u8; 32] = [0x11; 32];
    const TEE_FW: [u8; 32] = [0x22; 32];
    const UEID: [u8; 17] = [1; 17];
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

    #[test]
    fn evidence_appraisal_and_results_are_heap_free() {
        let device = SigningKey::from_bytes(&[0x31; 32]).unwrap();
        let verifier = SigningKey::from_bytes(&[0x32; 32]).unwrap();
        let measurements = [REFS[0]];
        let tee_measurements = [REFS[1]];
        let se = Claims {
            oemid: Some(OemId::Ieee(&OEM)),
            hwmodel: Some(HwModel::new(b"se-050").unwrap()),
            dbgstat: Some(DebugStatus::DisabledPermanently),
            ..Claims::default()
        };
        let tee = Claims {
            measurements: Some(List::Items(&tee_measurements)),
            ..Claims::default()
        };
        let subs = [
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
            nonce: Some(NonceClaim::One(Nonce::new(&NONCE).unwrap())),
            ueid: Some(Ueid::new(&UEID).unwrap()),
            oemid: Some(OemId::Ieee(&OEM)),
            hwmodel: Some(HwModel::new(b"edge-node-x1").unwrap()),
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
        let builder = Sign1Builder::new().kid(b"device-1");
        let mut token = [0u8; 1024];
        let len = heap_free("evidence_len", || ecnpp::evidence_len(&claims, &builder)).unwrap();
        let n = heap_free("sign_evidence", || {
            ecnpp::sign_evidence(&claims, &builder, &device, &mut token)
        })
        .unwrap();
        assert_eq!(n, len);
        let mut too_small = [0u8; 16];
        assert!(
            heap_free("sign_evidence (short buffer)", || {
                ecnpp::sign_evidence(&claims, &builder, &device, &mut too_small)
            })
            .is_err()
        );

        let device_pub = device.verifying_key();
        let models = [Model {
            oemid: OemId::Ieee(&OEM),
            hwmodel: b"edge-node-x1",
        }];
        let anchors = [Endorsement::new(&device_pub, &models).kid(b"device-1")];
        let evidence = heap_free("VerifiedEvidence::verify_with_endorsements", || {
            VerifiedEvidence::verify_with_endorsements(
                &token[..n],
                &anchors,
                &ParseOptions::DEFAULT,
            )
        })
        .unwrap();
        heap_free("claims view", || {
            let c = evidence.claims();
            let count = c.measurements.map_or(0, |m| m.iter().count())
                + c.submods.map_or(0, |s| s.iter().count())
                + c.extra.iter().count();
            assert_eq!(count, 3);
        });

        let certified = [CertifiedConfig {
            oemid: OemId::Ieee(&OEM),
            hwmodel: b"edge-node-x1",
            swname: "edge-os",
            swversion: "4.2.1",
            promise: Promise::SecureEnclave,
            pp_ref: PP_REF_V1_0_7,
            certificate: "NSCIB-CC-0000001",
            se_robustness: &[],
            tee_robustness: &[],
            reference_measurements: &REFS,
        }];
        let policy = Policy::new(
            Challenge {
                nonce: &NONCE,
                issued_at: 100,
            },
            110,
            &certified,
            "https://verifier.example",
        );
        let result = heap_free("appraise", || appraise(&evidence, &policy));
        assert_eq!(
            result.status(),
            TrustStatus::Affirming,
            "{:?}",
            result.reasons()
        );

        let mut out = [0u8; 1024];
        let rb = Sign1Builder::new();
        let m = heap_free("AttestationResult::sign", || {
            result.sign(&rb, &verifier, &mut out)
        })
        .unwrap();
        assert_eq!(m, heap_free("token_len", || result.token_len(&rb)).unwrap());
        let vk = verifier.verifying_key();
        let rp = heap_free("VerifiedResult::verify", || {
            VerifiedResult::verify(&out[..m], &vk, &ParseOptions::DEFAULT)
        })
        .unwrap();
        let admitted = heap_free("Requirement::parse + admits", || {
            Requirement::parse("promise>=secure-enclave,evaluated,max-age=300")
                .map(|r| r.admits(&rp, 120).admitted())
        });
        assert_eq!(admitted, Ok(true));
    }
}
