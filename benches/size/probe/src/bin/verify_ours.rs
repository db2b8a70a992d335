//! Verifies an evidence token and reads its claims with ecnpp-attest (default provider).
#![no_std]
#![no_main]

use core::hint::black_box;

use ecnpp_attest::cose::ParseOptions;
use ecnpp_attest::crypto::VerifyingKey;
use ecnpp_attest::ecnpp::VerifiedEvidence;

fn run() {
    let public = black_box([0x04u8; 65]);
    let token = black_box([0u8; 424]);
    if let Ok(key) = VerifyingKey::from_sec1_bytes(&public) {
        let r = VerifiedEvidence::verify(
            &token,
            &ecnpp_attest::ecnpp::Endorsement::new(&key, &[]),
            &ParseOptions::DEFAULT,
        );
        black_box(r.map(|e| e.claims().promise).ok());
    }
}

ecnpp_size_probe::entry!(run);
