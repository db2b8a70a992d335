//! Interop with pycose (Python, on cbor2 and `cryptography`), driven through `tests/py/interop.py`:
//!
//! * pycose signs COSE_Sign1 ES256 (tag 18) messages with a given P-256 private key, attached and
//!   detached, with and without external AAD and an unprotected kid; this crate verifies them
//!   with the public key it derives itself, and with the COSE_Key pycose exports.
//! * This crate signs; pycose decodes (`Sign1Message.decode`), imports our COSE_Key, verifies,
//!   and checks payload, alg and kid; its exit status is the verdict. Tampered messages and a
//!   wrong AAD must be refused on both sides.
//!
//! Needs `python3` with `pycose` and `cbor2` (`pip install -r tests/py/requirements.txt`).
//! Without them the tests print `SKIPPED` and pass, except under `CI`, where they fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use ecnpp_attest::Error;
use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use ecnpp_attest::crypto::{SigningKey, VerifyingKey};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/py/interop.py");

/// Private keys (hex) used on both sides.
const KEYS: [&str; 2] = [
    "57c92077664146e876760c9520d054aa93c3afb04e306705db6090308507b4d3",
    "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0",
];

/// Verdicts of `interop.py verify`.
const PY_OK: i32 = 0;
const PY_BAD_SIGNATURE: i32 = 1;
const PY_MISMATCH: i32 = 2;
const PY_DECODE_ERROR: i32 = 3;

/// The Python interpreter that has pycose (the real executable behind `python3`, so that a
/// version manager's shim is not started for every call), or `None` after a visible SKIPPED line
/// (written to the real stderr, past the test harness's capture). Under `CI` a missing pycose is a
/// failure.
fn pycose_python() -> Option<&'static Path> {
    static PROBE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let probe = PROBE.get_or_init(|| {
        match Command::new("python3")
            .args(["-c", "import sys, pycose, cbor2; print(sys.executable)"])
            .output()
        {
            Ok(o) if o.status.success() => {
                Ok(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            }
            Ok(o) => Err(String::from_utf8_lossy(&o.stderr).trim().to_owned()),
            Err(e) => Err(format!("cannot run python3: {e}")),
        }
    });
    match probe {
        Ok(exe) => Some(exe),
        Err(detail) if std::env::var_os("CI").is_some() => {
            panic!("CI must have pycose: pip install -r tests/py/requirements.txt ({detail})")
        }
        Err(detail) => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: pycose not installed (pip install pycose cbor2): {detail}"
            );
            None
        }
    }
}

fn python(args: &[&str]) -> Output {
    let exe = pycose_python().expect("checked by the test first");
    Command::new(exe)
        .arg(SCRIPT)
        .args(args)
        .output()
        .expect("run tests/py/interop.py")
}

fn describe(o: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// One message configuration, on either side.
struct Case {
    payload: Vec<u8>,
    aad: &'static [u8],
    kid: Option<&'static [u8]>,
    detached: bool,
}

/// `{10: h'0001020304050607', 256: h'01020304050607'}`: nonce and ueid claims.
fn claims() -> Vec<u8> {
    hex::decode("a20a48000102030405060719010047010203040506 07".replace(' ', "")).unwrap()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            payload: claims(),
            aad: b"",
            kid: None,
            detached: false,
        },
        Case {
            payload: claims(),
            aad: b"challenge-0001",
            kid: None,
            detached: false,
        },
        Case {
            payload: claims(),
            aad: b"",
            kid: Some(b"device-1"),
            detached: false,
        },
        Case {
            payload: claims(),
            aad: b"challenge-0002",
            kid: Some(b"device-1"),
            detached: false,
        },
        Case {
            payload: claims(),
            aad: b"challenge-0003",
            kid: Some(b"k"),
            detached: true,
        },
        Case {
            payload: Vec::new(),
            aad: b"",
            kid: None,
            detached: false,
        },
        Case {
            payload: (0..300u16).map(|i| i.to_be_bytes()[1]).collect(),
            aad: &[0xaa; 40],
            kid: Some(&[0x4b; 30]),
            detached: false,
        },
    ]
}

/// The common `--payload/--aad/--kid/--detached` arguments.
fn case_args(c: &Case) -> Vec<String> {
    let mut a = vec![
        "--payload".to_owned(),
        hex::encode(&c.payload),
        "--aad".to_owned(),
        hex::encode(c.aad),
    ];
    if let Some(kid) = c.kid {
        a.push("--kid".to_owned());
        a.push(hex::encode(kid));
    }
    if c.detached {
        a.push("--detached".to_owned());
    }
    a
}

fn str_args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn json_hex(v: &serde_json::Value, field: &str) -> Vec<u8> {
    hex::decode(
        v[field]
            .as_str()
            .unwrap_or_else(|| panic!("no {field} in {v}")),
    )
    .unwrap()
}

fn verify_ours<'a>(
    msg: &'a [u8],
    vk: &VerifyingKey,
    c: &'a Case,
    aad: &[u8],
) -> Result<&'a [u8], Error> {
    let u = UnverifiedSign1::parse(msg, &ParseOptions::DEFAULT)?;
    if c.detached {
        u.verify_detached(vk, aad, &c.payload).map(|v| v.payload())
    } else {
        u.verify(vk, aad).map(|v| v.payload())
    }
}

#[test]
fn pycose_signs_we_verify() {
    if pycose_python().is_none() {
        return;
    }
    let mut checked = 0;
    for d in KEYS {
        let ours = SigningKey::from_slice(&hex::decode(d).unwrap()).unwrap();
        let expected_point = ours.verifying_key().to_sec1_uncompressed();
        for c in cases() {
            let mut args = vec!["sign".to_owned(), "--d".to_owned(), d.to_owned()];
            args.extend(case_args(&c));
            let out = python(&str_args(&args));
            assert!(
                out.status.success(),
                "pycose sign failed: {}",
                describe(&out)
            );
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let msg = json_hex(&json, "message");
            let ctx = format!("key {d}, message {}", hex::encode(&msg));

            // The public key pycose derived is the one we derive.
            let mut point = vec![0x04];
            point.extend(json_hex(&json, "x"));
            point.extend(json_hex(&json, "y"));
            assert_eq!(point, expected_point, "{ctx}");
            let vk = VerifyingKey::from_sec1_bytes(&point).unwrap();
            // And pycose's COSE_Key export imports to the same key.
            let cose_key = json_hex(&json, "cose_key");
            let ck = VerifyingKey::from_cose_key(&cose_key).unwrap();
            assert_eq!(ck.key, vk, "{ctx}");
            assert_eq!(ck.kid, None);

            // Structure as pycose wrote it; cbor2 writes core deterministic CBOR here.
            let strict = ParseOptions {
                deterministic: true,
                ..ParseOptions::DEFAULT
            };
            let u = UnverifiedSign1::parse(&msg, &strict).unwrap();
            assert_eq!(u.kid_untrusted(), c.kid, "{ctx}");
            assert_eq!(u.is_detached(), c.detached, "{ctx}");
            assert_eq!(msg[0], 0xd2, "tag 18: {ctx}");

            assert_eq!(
                verify_ours(&msg, &vk, &c, c.aad),
                Ok(&c.payload[..]),
                "{ctx}"
            );
            let mut wrong = c.aad.to_vec();
            wrong.push(b'!');
            assert_eq!(
                verify_ours(&msg, &vk, &c, &wrong),
                Err(Error::VerificationFailed),
                "wrong AAD accepted: {ctx}"
            );
            if !c.detached && !c.payload.is_empty() {
                // The payload's last byte sits just before the signature's 2-byte head and 64 bytes.
                let mut tampered = msg.clone();
                let at = tampered.len() - 67;
                tampered[at] ^= 0x01;
                assert_eq!(
                    UnverifiedSign1::parse(&tampered, &ParseOptions::DEFAULT)
                        .and_then(|u| u.verify(&vk, c.aad))
                        .err(),
                    Some(Error::VerificationFailed),
                    "tampered payload accepted: {ctx}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, KEYS.len() * cases().len());
}

#[test]
fn we_sign_pycose_verifies() {
    if pycose_python().is_none() {
        return;
    }
    for d in KEYS {
        let key = SigningKey::from_slice(&hex::decode(d).unwrap()).unwrap();
        let vk = key.verifying_key();
        for (i, c) in cases().into_iter().enumerate() {
            let mut b = Sign1Builder::new().external_aad(c.aad).detached(c.detached);
            if let Some(kid) = c.kid {
                b = b.kid(kid);
            }
            let mut msg = vec![0u8; b.encoded_len(&c.payload[..])];
            b.sign(&key, &c.payload[..], &mut msg).unwrap();
            let mut cose_key = vec![0u8; vk.cose_key_len(c.kid)];
            vk.to_cose_key(c.kid, &mut cose_key).unwrap();

            let verify = |msg: &[u8], case_args: Vec<String>| {
                let mut args = vec![
                    "verify".to_owned(),
                    "--message".to_owned(),
                    hex::encode(msg),
                    "--cose-key".to_owned(),
                    hex::encode(&cose_key),
                ];
                args.extend(case_args);
                python(&str_args(&args))
            };
            let ctx = format!("key {d}, message {}", hex::encode(&msg));

            let out = verify(&msg, case_args(&c));
            assert_eq!(
                out.status.code(),
                Some(PY_OK),
                "pycose refused our message: {ctx}\n{}",
                describe(&out)
            );

            // pycose must refuse what does not verify, and notice a field that differs.
            let wrong_aad = Case {
                payload: c.payload.clone(),
                aad: b"another challenge",
                kid: c.kid,
                detached: c.detached,
            };
            let out = verify(&msg, case_args(&wrong_aad));
            assert_eq!(
                out.status.code(),
                Some(PY_BAD_SIGNATURE),
                "wrong AAD: {ctx}\n{}",
                describe(&out)
            );
            if !c.detached && !c.payload.is_empty() {
                let mut tampered = msg.clone();
                let at = tampered.len() - 67;
                tampered[at] ^= 0x01;
                let mut expect = c.payload.clone();
                *expect.last_mut().unwrap() ^= 0x01;
                let as_tampered = Case {
                    payload: expect,
                    aad: c.aad,
                    kid: c.kid,
                    detached: false,
                };
                let out = verify(&tampered, case_args(&as_tampered));
                assert_eq!(
                    out.status.code(),
                    Some(PY_BAD_SIGNATURE),
                    "tampered payload: {ctx}\n{}",
                    describe(&out)
                );
            }
            if i > 0 {
                continue; // the field check once per key is enough
            }
            let other_kid = Case {
                payload: c.payload.clone(),
                aad: c.aad,
                kid: Some(b"someone-else"),
                detached: c.detached,
            };
            let out = verify(&msg, case_args(&other_kid));
            assert_eq!(
                out.status.code(),
                Some(PY_MISMATCH),
                "kid check: {ctx}\n{}",
                describe(&out)
            );
        }
    }
}

#[test]
fn pycose_refuses_what_it_cannot_decode() {
    if pycose_python().is_none() {
        return;
    }
    let key = SigningKey::from_slice(&hex::decode(KEYS[0]).unwrap()).unwrap();
    let vk = key.verifying_key();
    let mut cose_key = vec![0u8; vk.cose_key_len(None)];
    vk.to_cose_key(None, &mut cose_key).unwrap();
    let payload = claims();

    // An untagged message from our builder: pycose's decode requires the tag.
    let b = Sign1Builder::new().untagged(true);
    let mut msg = vec![0u8; b.encoded_len(&payload[..])];
    b.sign(&key, &payload[..], &mut msg).unwrap();
    for bad in [msg.clone(), vec![0x00], Vec::new()] {
        let out = python(&[
            "verify",
            "--message",
            &hex::encode(&bad),
            "--cose-key",
            &hex::encode(&cose_key),
            "--payload",
            &hex::encode(&payload),
        ]);
        assert_eq!(
            out.status.code(),
            Some(PY_DECODE_ERROR),
            "{}",
            describe(&out)
        );
    }
    // Re-tagged, the same bytes verify: the refusal above was about the tag alone.
    let mut tagged = vec![0xd2];
    tagged.extend(&msg);
    let out = python(&[
        "verify",
        "--message",
        &hex::encode(&tagged),
        "--cose-key",
        &hex::encode(&cose_key),
        "--payload",
        &hex::encode(&payload),
    ]);
    assert_eq!(out.status.code(), Some(PY_OK), "{}", describe(&out));
}
