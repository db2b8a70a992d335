//! Signs a 358-byte message (the size of the evidence Sig_structure) with p256 0.13 directly.
#![no_std]
#![no_main]

use core::hint::black_box;

use p256_13::ecdsa::signature::Signer as _;

fn run() {
    let secret = black_box([0x31u8; 32]);
    let msg = black_box([0x5au8; 358]);
    if let Ok(key) = p256_13::ecdsa::SigningKey::from_bytes(&p256_13::FieldBytes::from(secret)) {
        let sig: p256_13::ecdsa::Signature = key.sign(&msg);
        black_box(sig.to_bytes());
    }
}

ecnpp_size_probe::entry!(run);
