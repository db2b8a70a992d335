//! Interoperability with an independent implementation: tokens signed by pycose are verified
//! and appraised by `ecnpp`, and tokens signed by `ecnpp` are verified by pycose.
//!
//! Needs python3 with pycose and cbor2 (`pip install pycose cbor2`). When they are missing the
//! tests print SKIPPED, unless CI is set, where they fail.
// Test code: a failed unwrap or index is a failed test, which is what it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{NONCE, TempDir, ecnpp, endorsing_policy, example, in_ci, keys, sign_example};
use serde_json::Value;

fn peer() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/pycose_peer.py")
}

fn have_pycose() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pycose, cbor2"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !in_ci(),
            "CI is set but python3 cannot import pycose and cbor2 (pip install pycose cbor2)"
        );
        eprintln!(
            "SKIPPED: python3 with pycose and cbor2 not found; the pycose interop tests did not run"
        );
    }
    ok
}

fn python(args: &[&str]) -> std::process::Output {
    Command::new("python3")
        .arg(peer())
        .args(args)
        .output()
        .unwrap()
}

fn now() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string()
}

#[test]
fn pycose_evidence_is_verified_and_appraised_by_ecnpp() {
    if !have_pycose() {
        return;
    }
    let dir = TempDir::new("pycose-sign");
    let d = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
    let out = python(&[
        "sign",
        "--d",
        d,
        "--nonce",
        NONCE,
        "--kid",
        "py-device",
        "--iat",
        &now(),
        "--token",
        &dir.arg("py.cbor"),
        "--public",
        &dir.arg("py.hex"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    ecnpp([
        "verify",
        "--pub",
        &dir.arg("py.hex"),
        "--nonce",
        NONCE,
        &dir.arg("py.cbor"),
    ])
    .expect(0)
    .out_has("kid \"py-device\"")
    .out_has("ECN PP evidence: profile rules OK, promise secure-enclave");
    let v = ecnpp([
        "verify",
        "--json",
        "--pub",
        &dir.arg("py.hex"),
        &dir.arg("py.cbor"),
    ])
    .expect(0)
    .json();
    assert_eq!(v["claims"]["hwmodel"]["text"], "edge-node-x1");
    assert_eq!(
        v["claims"]["submods"]["se"]["dbgstat"],
        "disabled-fully-and-permanently"
    );
    // pycose (cbor2) writes keys in insertion order: fine, unless --strict asks for more.
    ecnpp([
        "verify",
        "--strict",
        "--pub",
        &dir.arg("py.hex"),
        &dir.arg("py.cbor"),
    ])
    .expect(1)
    .err_has("not core deterministic");
    ecnpp([
        "appraise",
        "--pub",
        &dir.arg("py.hex"),
        "--policy",
        &endorsing_policy(&dir, "py.hex"),
        "--nonce",
        NONCE,
        &dir.arg("py.cbor"),
    ])
    .expect(0)
    .out_has("status          affirming");

    let mut bytes = std::fs::read(dir.join("py.cbor")).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(dir.join("tampered.cbor"), &bytes).unwrap();
    let run = ecnpp([
        "verify",
        "--pub",
        &dir.arg("py.hex"),
        &dir.arg("tampered.cbor"),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn ecnpp_tokens_are_verified_by_pycose() {
    if !have_pycose() {
        return;
    }
    let dir = TempDir::new("pycose-verify");
    keys(&dir);
    let token = sign_example(&dir, &example("claims-secure-enclave.json"), "t.cbor");
    let out = python(&[
        "verify",
        "--token",
        &token.to_string_lossy(),
        "--cose-key",
        &dir.arg("device.cose_key"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let claims = &v["claims"];
    assert_eq!(claims["10"], NONCE);
    assert_eq!(claims["-90101"], 3);
    assert_eq!(claims["263"], 3);
    assert_eq!(claims["265"], "69d9cea1b8dbcac2be95b8a2c8f9ccc892ce7001");
    assert_eq!(claims["266"]["tee"]["270"], "edge-tee");

    // The attestation result, signed by the verifier, too.
    ecnpp([
        "appraise",
        "--pub",
        &dir.arg("device.pub.pem"),
        "--policy",
        &endorsing_policy(&dir, "device.pub.pem"),
        "--nonce",
        NONCE,
        &token.to_string_lossy(),
        "--result-key",
        &dir.arg("verifier.key.pem"),
        "-o",
        &dir.arg("result.cbor"),
    ])
    .expect(0);
    let out = python(&[
        "verify",
        "--token",
        &dir.arg("result.cbor"),
        "--cose-key",
        &dir.arg("verifier.cose_key"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["claims"]["-90103"], true);
    assert_eq!(v["claims"]["-90101"], 3);

    // pycose refuses what it should: the wrong key, a flipped bit.
    let out = python(&[
        "verify",
        "--token",
        &token.to_string_lossy(),
        "--cose-key",
        &dir.arg("verifier.cose_key"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let mut bytes = std::fs::read(&token).unwrap();
    let i = bytes.len() - 5;
    bytes[i] ^= 0x80;
    std::fs::write(dir.join("tampered.cbor"), &bytes).unwrap();
    let out = python(&[
        "verify",
        "--token",
        &dir.arg("tampered.cbor"),
        "--cose-key",
        &dir.arg("device.cose_key"),
    ]);
    assert_eq!(out.status.code(), Some(1));
}
