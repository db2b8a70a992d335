//! Run under valgrind memcheck (`scripts/ct/memcheck.sh`): every secret is marked undefined,
//! every output that is public by design is marked defined again, and memcheck reports any
//! branch or memory index that depends on a secret in between. Valgrind's exit status decides;
//! this program only prints, per operation, how many reports it caused.
//!
//! `--leaky-nonce-compare` swaps an early-exit comparison in for `Nonce::ct_eq`: the run must
//! then fail (the test of the test).

use std::hint::black_box;
use std::process::ExitCode;

use ecnpp_attest::crypto::{Signer, SigningKey};
use ecnpp_attest::eat::{List, Measurement, Nonce, NonceClaim};
use ecnpp_ct::valgrind::{count_errors, public, running_on_valgrind, secret};
use ecnpp_ct::{digest, leaky_eq, residue, sign_digest, sign_evidence};

/// Runs one operation and prints how many memcheck reports it added.
fn section(name: &str, f: impl FnOnce()) -> usize {
    let before = count_errors();
    f();
    let added = count_errors() - before;
    println!("{name:<48} {added} report(s)");
    added
}

const KEYS: [[u8; 32]; 3] = [
    [0x42; 32],
    [
        0x57, 0xc9, 0x20, 0x77, 0x66, 0x41, 0x46, 0xe8, 0x76, 0x76, 0x0c, 0x95, 0x20, 0xd0, 0x54,
        0xaa, 0x93, 0xc3, 0xaf, 0xb0, 0x4e, 0x30, 0x67, 0x05, 0xdb, 0x60, 0x90, 0x30, 0x85, 0x07,
        0xb4, 0xd3,
    ],
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x01,
    ],
];

fn main() -> ExitCode {
    let leaky = std::env::args().any(|a| a == "--leaky-nonce-compare");
    if running_on_valgrind() == 0 {
        eprintln!("ct_memcheck proves nothing outside valgrind: run scripts/ct/memcheck.sh");
        return ExitCode::from(2);
    }
    let mut total = 0;

    for (i, key) in KEYS.iter().enumerate() {
        total += section(&format!("ES256 sign_digest, software key {i}"), || {
            let s = *key;
            secret(&s);
            let mut sig = sign_digest(&s, &digest());
            public(&sig); // the signature is published
            black_box(&mut sig);
        });
    }
    total += section("ECN PP sign_evidence (claims, COSE, ES256)", || {
        let s = KEYS[1];
        secret(&s);
        let mut out = [0u8; 512];
        let n = sign_evidence(&s, b"challenge-000001", &mut out);
        public(&out); // the token is published
        black_box(&out[..n]);
    });
    total += section("SigningKey::generate (rejection sampling)", || {
        let key = SigningKey::generate(|buf| {
            *buf = KEYS[0];
            secret(buf);
            Ok(())
        });
        let key = key.expect("a valid candidate");
        let mut sig = key.sign_digest(&digest()).expect("signs").to_bytes();
        public(&sig);
        black_box(&mut sig);
    });
    total += section("SigningKey::to_bytes / from_slice round trip", || {
        let s = KEYS[1];
        secret(&s);
        let key = SigningKey::from_slice(&s).expect("valid");
        let exported = key.to_bytes();
        let again = SigningKey::from_bytes(&exported).expect("valid");
        let mut sig = again.sign_digest(&digest()).expect("signs").to_bytes();
        public(&sig);
        black_box(&mut sig);
    });

    // Comparisons: both sides secret; only the verdict is public.
    let compare = |a: &[u8; 16], b: &[u8; 16]| -> bool {
        let mut verdict = if leaky {
            leaky_eq(a, b)
        } else {
            Nonce::new(a).expect("16 bytes").ct_eq(b)
        };
        public(&verdict);
        black_box(&mut verdict);
        verdict
    };
    total += section(
        if leaky {
            "LEAKY early-exit comparison in place of Nonce::ct_eq"
        } else {
            "eat::Nonce::ct_eq"
        },
        || {
            let (a, mut b) = (*b"challenge-000001", *b"challenge-000001");
            secret(&a);
            secret(&b);
            assert!(compare(&a, &b));
            b[0] ^= 1;
            secret(&b);
            assert!(!compare(&a, &b));
        },
    );
    total += section("eat::NonceClaim::contains_ct", || {
        let nonces = [
            *b"nonce-aaaaaaaaa1",
            *b"nonce-aaaaaaaaa2",
            *b"nonce-aaaaaaaaa3",
        ];
        let expected = *b"nonce-aaaaaaaaa2";
        for n in &nonces {
            secret(n);
        }
        secret(&expected);
        let list = nonces.map(|n| n); // keep the secret copies in place
        let items = [
            Nonce::new(&list[0]).expect("16"),
            Nonce::new(&list[1]).expect("16"),
            Nonce::new(&list[2]).expect("16"),
        ];
        for n in &list {
            secret(n);
        }
        let claim = NonceClaim::Many(List::Items(&items));
        let mut found = claim.contains_ct(&expected);
        public(&found);
        assert!(black_box(&mut found) == &true);
    });
    total += section("eat::Measurement::ct_eq", || {
        let (a, b) = ([0x11u8; 32], [0x11u8; 32]);
        secret(&a);
        secret(&b);
        let m = Measurement {
            content_type: 0,
            content: &a,
        };
        let r = Measurement {
            content_type: 0,
            content: &b,
        };
        let mut same = m.ct_eq(&r);
        public(&same);
        assert!(*black_box(&mut same));
    });

    // Zeroization: dropping secret-holding values neither branches on the secret nor leaves it.
    total += section(
        "Zeroizing<[u8; 32]> from SigningKey::to_bytes, dropped",
        || {
            let s = KEYS[1];
            secret(&s);
            let key = SigningKey::from_bytes(&s).expect("valid");
            let (before, after) = residue::<_, 32>(|| key.to_bytes());
            public(&before);
            public(&after);
            assert_eq!(before, KEYS[1], "to_bytes held the key");
            assert_eq!(
                after, [0; 32],
                "the exported key bytes are zeroized on drop"
            );
        },
    );
    total += section("SigningKey dropped (p256 zeroizes its scalar)", || {
        let s = KEYS[1];
        secret(&s);
        const N: usize = size_of::<SigningKey>();
        let (before, after) = residue::<_, N>(|| SigningKey::from_bytes(&s).expect("valid"));
        public(&before);
        public(&after);
        // The scalar is held in an internal form (not as the imported bytes) somewhere in the
        // struct: at least its 32 bytes must have changed, and no 32-byte window of what
        // remains may equal the key.
        let changed = before.iter().zip(&after).filter(|(x, y)| x != y).count();
        println!("    SigningKey: {N} bytes, {changed} changed by the drop");
        assert!(changed >= 28, "the scalar was overwritten on drop");
        assert!(after.windows(32).all(|w| w != KEYS[1]));
    });

    println!("memcheck reports caused by the operations above: {total}");
    ExitCode::SUCCESS
}
