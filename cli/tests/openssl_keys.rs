//! Keys from the `openssl` command line are accepted everywhere, and keys from `ecnpp keygen`
//! are read by openssl. Skipped visibly when openssl is absent (a failure when CI is set).
// Test code: a failed unwrap or index is a failed test, which is what it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::process::Command;

use common::{NONCE, TempDir, ecnpp, endorsing_policy, example, in_ci};

/// Runs openssl; None when it is not installed.
fn openssl(args: &[&str]) -> Option<std::process::Output> {
    match Command::new("openssl").args(args).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "openssl {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(out)
        }
        Err(_) => None,
    }
}

fn have_openssl() -> bool {
    if Command::new("openssl").arg("version").output().is_ok() {
        return true;
    }
    assert!(
        !in_ci(),
        "openssl is required when CI is set (apt-get install openssl)"
    );
    eprintln!("SKIPPED: openssl not found; the openssl key tests did not run");
    false
}

fn sign_and_verify(dir: &TempDir, private: &str, public: &str) {
    let token = dir.arg(&format!("{private}-{public}.cbor"));
    ecnpp([
        "sign",
        "--key",
        &dir.arg(private),
        "--claims",
        &example("claims-secure-enclave.json").to_string_lossy(),
        "--nonce",
        NONCE,
        "-o",
        &token,
    ])
    .expect(0);
    ecnpp([
        "verify",
        "--pub",
        &dir.arg(public),
        "--nonce",
        NONCE,
        &token,
    ])
    .expect(0)
    .out_has("signature OK");
}

#[test]
fn openssl_keys_sign_and_verify() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("openssl");
    let d = |n: &str| dir.arg(n);
    // SEC1 "EC PRIVATE KEY" with its "EC PARAMETERS" block, as `ecparam -genkey` writes it.
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-out",
        &d("sec1.pem"),
    ]);
    let sec1 = std::fs::read_to_string(dir.join("sec1.pem")).unwrap();
    assert!(sec1.contains("BEGIN EC PARAMETERS") && sec1.contains("BEGIN EC PRIVATE KEY"));
    // And without it (-noout), PKCS#8, SPKI.
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        &d("bare.pem"),
    ]);
    openssl(&[
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-in",
        &d("bare.pem"),
        "-out",
        &d("p8.pem"),
    ]);
    openssl(&[
        "ec",
        "-in",
        &d("sec1.pem"),
        "-pubout",
        "-out",
        &d("sec1.pub.pem"),
    ]);
    openssl(&[
        "ec",
        "-in",
        &d("bare.pem"),
        "-pubout",
        "-out",
        &d("bare.pub.pem"),
    ]);

    sign_and_verify(&dir, "sec1.pem", "sec1.pub.pem");
    sign_and_verify(&dir, "bare.pem", "bare.pub.pem");
    sign_and_verify(&dir, "p8.pem", "bare.pub.pem");
    // A private key also serves as the public key.
    sign_and_verify(&dir, "p8.pem", "bare.pem");

    // The SEC1 point openssl prints, as hex, is a public key too.
    let text = openssl(&["ec", "-in", &d("bare.pem"), "-pubout", "-outform", "DER"]).unwrap();
    let der = text.stdout;
    let point = &der[der.len() - 65..];
    assert_eq!(point[0], 4);
    std::fs::write(dir.join("point.hex"), hex::encode(point)).unwrap();
    sign_and_verify(&dir, "bare.pem", "point.hex");

    // openssl keys work for appraise, admit and verify-batch as well.
    ecnpp([
        "appraise",
        "--pub",
        &d("sec1.pub.pem"),
        "--policy",
        &endorsing_policy(&dir, "sec1.pub.pem"),
        "--nonce",
        NONCE,
        &d("sec1.pem-sec1.pub.pem.cbor"),
        "--result-key",
        &d("p8.pem"),
        "-o",
        &d("result.cbor"),
    ])
    .expect(0);
    ecnpp([
        "admit",
        "--pub",
        &d("bare.pub.pem"),
        "--require",
        "promise>=secure-enclave,evaluated",
        &d("result.cbor"),
    ])
    .expect(0);
}

#[test]
fn other_curves_and_encrypted_keys_are_refused_with_exit_2() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("openssl-bad");
    let d = |n: &str| dir.arg(n);
    openssl(&[
        "ecparam",
        "-name",
        "secp384r1",
        "-genkey",
        "-noout",
        "-out",
        &d("p384.pem"),
    ]);
    openssl(&[
        "ec",
        "-in",
        &d("p384.pem"),
        "-pubout",
        "-out",
        &d("p384.pub.pem"),
    ]);
    openssl(&["genpkey", "-algorithm", "ed25519", "-out", &d("ed.pem")]);
    openssl(&[
        "pkcs8",
        "-topk8",
        "-in",
        &d("p384.pem"),
        "-out",
        &d("enc.pem"),
        "-passout",
        "pass:x",
    ]);
    let claims = example("claims-secure-enclave.json");
    let claims = claims.to_string_lossy();
    for (key, needle) in [
        (
            "p384.pem",
            "p384.pem: an EC PRIVATE KEY that is not a P-256 (prime256v1) key",
        ),
        (
            "ed.pem",
            "ed.pem: a PKCS#8 PRIVATE KEY that is not an EC P-256 (prime256v1) key",
        ),
        (
            "enc.pem",
            "enc.pem: an encrypted private key: decrypt it first",
        ),
    ] {
        ecnpp([
            "sign",
            "--key",
            &d(key),
            "--claims",
            &claims,
            "--nonce",
            NONCE,
        ])
        .expect(2)
        .err_has(needle);
    }
    ecnpp(["verify", "--pub", &d("p384.pub.pem"), &d("p384.pem")])
        .expect(2)
        .err_has("p384.pub.pem: a PUBLIC KEY that is not an EC P-256 (prime256v1) key");
}

#[test]
fn ecnpp_keygen_keys_are_read_by_openssl() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("openssl-read");
    let d = |n: &str| dir.arg(n);
    ecnpp(["keygen", "-o", &d("k")]).expect(0);
    openssl(&["pkey", "-in", &d("k.key.pem"), "-check", "-noout"]);
    let derived = openssl(&["pkey", "-in", &d("k.key.pem"), "-pubout"]).unwrap();
    let ours = std::fs::read_to_string(dir.join("k.pub.pem")).unwrap();
    assert_eq!(String::from_utf8(derived.stdout).unwrap(), ours);
    let text = openssl(&["ec", "-in", &d("k.key.pem"), "-text", "-noout"]).unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("prime256v1"));
}
