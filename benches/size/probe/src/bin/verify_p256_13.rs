//! Verifies a signature over a 358-byte message with p256 0.13 directly.
#![no_std]
#![no_main]

use core::hint::black_box;

use p256_13::ecdsa::signature::Verifier as _;

fn run() {
    let public = black_box([0x04u8; 65]);
    let msg = black_box([0x5au8; 358]);
    let sig = black_box([0x01u8; 64]);
    if let (Ok(key), Ok(sig)) = (
        p256_13::ecdsa::VerifyingKey::from_sec1_bytes(&public),
        p256_13::ecdsa::Signature::from_slice(&sig),
    ) {
        black_box(key.verify(&msg, &sig).is_ok());
    }
}

ecnpp_size_probe::entry!(run);
