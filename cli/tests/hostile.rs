//! The reported cost finding through the CLI: a COSE_Sign1 whose unprotected header is
//! `{4: kid, 99: M}`, the keys of `M` maps whose keys are maps (30 KB here). Before the
//! bounded duplicate check (fc6b1e4) `ecnpp verify` and `ecnpp inspect` spent seconds on it
//! before refusing it; now they refuse it at its first composite key, with the precise error.
// Test code: a failed unwrap or index is a failed test, which is what it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{TempDir, ecnpp};

fn head(major: u8, arg: usize) -> Vec<u8> {
    let mt = major << 5;
    match u16::try_from(arg).unwrap() {
        a @ 0..=23 => vec![mt | u8::try_from(a).unwrap()],
        a @ 24..=0xff => vec![mt | 24, u8::try_from(a).unwrap()],
        a => [&[mt | 25][..], &a.to_be_bytes()].concat(),
    }
}

fn map(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = head(5, entries.len());
    for (k, v) in entries {
        out.extend_from_slice(k);
        out.extend_from_slice(v);
    }
    out
}

/// `{4: h'6b6964', 99: M}`, `M` with `m` keys that are maps of `m` keys that are maps of `m`
/// integers, in a tagged COSE_Sign1 with protected `{1: -7}`.
fn hostile_token(m: usize) -> Vec<u8> {
    let leaf = |j: usize| map(&(0..m).map(|x| (head(0, x), head(0, j))).collect::<Vec<_>>());
    let middle = |j: usize| {
        map(&(0..m)
            .map(|l| (leaf(j * m + l), head(0, 0)))
            .collect::<Vec<_>>())
    };
    let big = map(&(0..m).map(|j| (middle(j), head(0, 0))).collect::<Vec<_>>());
    let unprotected = map(&[
        (head(0, 4), vec![0x43, b'k', b'i', b'd']),
        (head(0, 99), big),
    ]);
    let mut out = vec![0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26];
    out.extend(unprotected);
    out.extend_from_slice(&[0xf6, 0x58, 0x40]);
    out.extend_from_slice(&[1; 64]);
    out
}

#[test]
fn a_header_with_maps_of_maps_as_keys_is_refused_at_once() {
    let dir = TempDir::new("hostile");
    ecnpp(["keygen", "-o", &dir.arg("device")]).expect(0);
    let token = hostile_token(22);
    assert!(token.len() > 30_000);
    std::fs::write(dir.join("hostile.cose"), &token).unwrap();
    let file = dir.arg("hostile.cose");
    ecnpp(["verify", "--pub", &dir.arg("device.pub.pem"), &file])
        .expect(1)
        .err_has("map key of a type not accepted at this position");
    ecnpp(["inspect", &file])
        .expect(1)
        .err_has("map key of a type not accepted at this position");
}
