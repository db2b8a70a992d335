//! Builds the realistic evidence claims and signs them with ecnpp-attest (default provider).
#![no_std]
#![no_main]

use core::hint::black_box;

use ecnpp_attest::cose::Sign1Builder;
use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::ecnpp;

fn run() {
    let secret = black_box([0x31u8; 32]);
    let nonce = black_box([0x5au8; 32]);
    let mut out = [0u8; 512];
    if let Ok(key) = SigningKey::from_bytes(&secret) {
        let r = ecnpp_size_probe::with_claims(&nonce, |claims| {
            claims.map(|c| {
                ecnpp::sign_evidence(c, &Sign1Builder::new().kid(b"device-1"), &key, &mut out)
            })
        });
        black_box(r.is_some_and(|r| r.is_ok()));
    }
    black_box(&out);
}

ecnpp_size_probe::entry!(run);
