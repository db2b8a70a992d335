//! One signing operation with the key given in hex, for `scripts/ct/callgrind.sh`, which runs
//! this under `valgrind --tool=callgrind` once per key and compares the instruction counts of
//! the measured function (`ecnpp_ct::sign_digest` or `ecnpp_ct::sign_evidence`): a signing path
//! whose cost does not depend on the key costs the same for every key, to the instruction.
//!
//!   ct_callgrind sign|evidence <64 hex digits>

use std::hint::black_box;
use std::process::ExitCode;

use ecnpp_ct::{digest, sign_digest, sign_evidence};

fn parse_key(hex: &str) -> Option<[u8; 32]> {
    let mut key = [0u8; 32];
    if hex.len() != 64 {
        return None;
    }
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(op), Some(key)) = (args.get(1), args.get(2).and_then(|k| parse_key(k))) else {
        eprintln!("usage: ct_callgrind sign|evidence <64 hex digits>");
        return ExitCode::from(2);
    };
    match op.as_str() {
        "sign" => {
            black_box(sign_digest(black_box(&key), &digest()));
        }
        "evidence" => {
            let mut out = [0u8; 512];
            black_box(sign_evidence(
                black_box(&key),
                b"challenge-000001",
                &mut out,
            ));
        }
        _ => return ExitCode::from(2),
    }
    ExitCode::SUCCESS
}
