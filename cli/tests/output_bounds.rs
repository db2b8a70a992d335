//! What `ecnpp` writes is bounded: key files (all or nothing, exact modes whatever the umask)
//! and the printed form of a token (strings cut at `render::SHOWN_BYTES`, maps and arrays at
//! `render::SHOWN_ENTRIES` entries, a whole listing at `render::SHOWN_VALUES` values), with a
//! note saying what was left out, in text and as JSON fields.
//!
//! The large tokens are built with the library's own API and signed with a key `keygen` made.
// Test code: a failed unwrap or index is a failed test, which is what it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;

use common::{NONCE, Run, TempDir, ecnpp, example, sign_example};
use ecnpp_attest::cose::{ParseOptions, Sign1Builder, UnverifiedSign1};
use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::eat::{Claims, Extra, Label, List, Measurement, RawValue};
use p256::pkcs8::DecodePrivateKey as _;
use serde_json::Value;

/// Largest stdout accepted from any run below: the tokens hold megabytes of values, the output
/// of a bounded printer is a few kilobytes (a real token's listing is about 3 KiB).
const MAX_STDOUT: usize = 64 * 1024;

/// The big byte string: as large as a token file `ecnpp` reads (16 MiB) allows.
const BIG: usize = 16 * 1024 * 1024 - 4096;

fn signing_key(path: &Path) -> SigningKey {
    let pem = std::fs::read_to_string(path).unwrap();
    let secret = p256::SecretKey::from_pkcs8_pem(&pem).unwrap();
    SigningKey::from_slice(&secret.to_bytes()).unwrap()
}

/// `keygen -o dir/device`, the example evidence signed with it, and that key read back.
fn device(dir: &TempDir) -> (SigningKey, Vec<u8>) {
    ecnpp(["keygen", "-o", &dir.arg("device")]).expect(0);
    let token = sign_example(dir, &example("claims-secure-enclave.json"), "example.cbor");
    (
        signing_key(&dir.join("device.key.pem")),
        std::fs::read(token).unwrap(),
    )
}

/// The example evidence with some claims replaced, signed as ECN PP evidence.
fn resign<'a>(key: &SigningKey, example: &'a [u8], edit: impl FnOnce(&mut Claims<'a>)) -> Vec<u8> {
    let parsed = UnverifiedSign1::parse(example, &ParseOptions::DEFAULT).unwrap();
    let mut claims = Claims::decode(parsed.payload_untrusted().unwrap()).unwrap();
    edit(&mut claims);
    let builder = Sign1Builder::new().kid(b"device");
    let mut out = vec![0u8; ecnpp_attest::ecnpp::evidence_len(&claims, &builder).unwrap()];
    let n = ecnpp_attest::ecnpp::sign_evidence(&claims, &builder, key, &mut out).unwrap();
    out.truncate(n);
    out
}

#[track_caller]
fn bounded(run: &Run) {
    assert!(
        run.raw_stdout.len() < MAX_STDOUT,
        "{} bytes of stdout (bound {MAX_STDOUT}); it starts:\n{}",
        run.raw_stdout.len(),
        run.stdout.chars().take(2000).collect::<String>()
    );
}

/// Every JSON object anywhere in `v` satisfying `f`.
fn find_objects<'v>(
    v: &'v Value,
    f: &dyn Fn(&serde_json::Map<String, Value>) -> bool,
) -> Vec<&'v Value> {
    let mut found = Vec::new();
    match v {
        Value::Object(m) => {
            if f(m) {
                found.push(v);
            }
            for x in m.values() {
                found.extend(find_objects(x, f));
            }
        }
        Value::Array(items) => {
            for x in items {
                found.extend(find_objects(x, f));
            }
        }
        _ => {}
    }
    found
}

// ---------------------------------------------------------------------------------------------
// keygen
// ---------------------------------------------------------------------------------------------

#[test]
fn keygen_with_one_existing_file_writes_nothing_and_names_it() {
    for existing in ["k.pub.pem", "k.cose_key"] {
        let dir = TempDir::new("keygen-exists");
        std::fs::write(dir.join(existing), "keep me\n").unwrap();
        let run = ecnpp(["keygen", "-o", &dir.arg("k")]).expect(2);
        assert!(
            run.stderr
                .contains(&format!("{existing}: cannot create: already exists")),
            "{}",
            run.stderr
        );
        for f in ["k.key.pem", "k.pub.pem", "k.cose_key"] {
            if f != existing {
                assert!(!dir.join(f).exists(), "{f} was written next to {existing}");
            }
        }
        assert_eq!(
            std::fs::read_to_string(dir.join(existing)).unwrap(),
            "keep me\n"
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        // --force replaces it.
        ecnpp(["keygen", "-o", &dir.arg("k"), "--force"]).expect(0);
        assert_ne!(
            std::fs::read_to_string(dir.join(existing)).unwrap_or_default(),
            "keep me\n"
        );
    }
}

#[test]
fn keygen_that_fails_half_way_leaves_no_half_key_pair() {
    // With --force the check lets a directory named k.cose_key through; removing it fails after
    // the two PEM files were written, and those are removed again.
    let dir = TempDir::new("keygen-half");
    std::fs::create_dir(dir.join("k.cose_key")).unwrap();
    std::fs::write(dir.join("k.cose_key").join("x"), "x").unwrap();
    let run = ecnpp(["keygen", "-o", &dir.arg("k"), "--force"]).expect(2);
    assert!(
        run.stderr.contains("k.cose_key: cannot replace"),
        "{}",
        run.stderr
    );
    for f in ["k.key.pem", "k.pub.pem"] {
        assert!(!dir.join(f).exists(), "{f} left behind");
    }
}

#[cfg(unix)]
#[test]
fn keygen_file_modes_do_not_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt as _;
    for umask in ["077", "000", "022"] {
        let dir = TempDir::new("keygen-umask");
        let out = std::process::Command::new("sh")
            .args([
                "-c",
                &format!("umask {umask}; exec \"$0\" \"$@\""),
                common::ECNPP,
                "keygen",
                "-o",
                &dir.arg("k"),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (f, want) in [
            ("k.key.pem", 0o600),
            ("k.pub.pem", 0o644),
            ("k.cose_key", 0o644),
        ] {
            let mode = std::fs::metadata(dir.join(f)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, want, "{f} with umask {umask}: {mode:o}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A 16 MiB byte string
// ---------------------------------------------------------------------------------------------

#[test]
fn a_huge_byte_string_is_shown_shortened_with_its_length() {
    let dir = TempDir::new("huge");
    let (key, example) = device(&dir);
    let big: Vec<u8> = (0..BIG).map(|i| u8::try_from(i % 251).unwrap()).collect();
    let measurement = [Measurement {
        content_type: 0,
        content: &big,
    }];
    let token = resign(&key, &example, |c| {
        c.measurements = Some(List::Items(&measurement));
    });
    assert!(token.len() <= 16 * 1024 * 1024, "{}", token.len());
    let path = dir.join("huge.cbor");
    std::fs::write(&path, &token).unwrap();
    let path = path.to_string_lossy().into_owned();
    let pubkey = dir.arg("device.pub.pem");
    let all_in = format!("shortened: {BIG} bytes in all");
    let first = hex::encode(&big[..64]);

    let run = ecnpp(["verify", "--pub", &pubkey, &path, "--nonce", NONCE]).expect(0);
    bounded(&run);
    let run = run.out_has(&all_in).out_has(&first);
    assert!(
        !run.stdout.contains(&hex::encode(&big[..65])),
        "more than 64 bytes shown"
    );

    let run = ecnpp(["inspect", &path]).expect(0);
    bounded(&run);
    run.out_has(&all_in).out_has(&first);

    for args in [
        vec!["verify", "--json", "--pub", &pubkey, &path],
        vec!["inspect", "--json", &path],
    ] {
        let run = ecnpp(&args).expect(0);
        bounded(&run);
        let v = run.json();
        let shortened = find_objects(&v, &|m| m.get("shortened") == Some(&Value::Bool(true)));
        assert_eq!(shortened.len(), 1, "{args:?}: {v}");
        assert_eq!(shortened[0]["bytes"], BIG, "{args:?}");
        assert_eq!(shortened[0]["hex"], first.as_str(), "{args:?}");
        if args[0] == "inspect" {
            assert_eq!(v["diagnostic_shortened"], true);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Many values
// ---------------------------------------------------------------------------------------------

/// A CBOR head.
fn head(major: u8, n: usize) -> Vec<u8> {
    let n = u64::try_from(n).unwrap();
    let m = major << 5;
    match n {
        0..=23 => vec![m | u8::try_from(n).unwrap()],
        24..=0xff => vec![m | 24, u8::try_from(n).unwrap()],
        0x100..=0xffff => [
            vec![m | 25],
            u16::try_from(n).unwrap().to_be_bytes().to_vec(),
        ]
        .concat(),
        _ => [
            vec![m | 26],
            u32::try_from(n).unwrap().to_be_bytes().to_vec(),
        ]
        .concat(),
    }
}

#[test]
fn thousands_of_claims_are_shown_cut_with_a_count() {
    // 10 000 private-use claims -70000 - i: 0 (about 60 KiB), signed as they are.
    let dir = TempDir::new("many-claims");
    let (key, _) = device(&dir);
    let count = 10_000;
    let mut payload = head(5, count);
    for i in 0..count {
        payload.extend(head(1, 69_999 + i));
        payload.push(0);
    }
    let builder = Sign1Builder::new().kid(b"device");
    let mut token = vec![0u8; builder.encoded_len(payload.as_slice())];
    let n = builder.sign(&key, payload.as_slice(), &mut token).unwrap();
    token.truncate(n);
    assert!(token.len() > 50 * 1024);
    let path = dir.join("many.cbor");
    std::fs::write(&path, &token).unwrap();
    let path = path.to_string_lossy().into_owned();

    // The library refuses a map of 10 000 entries; inspect still shows the structure.
    let run = ecnpp(["inspect", &path]);
    bounded(&run);
    run.out_has(&format!("{} more entries not shown", count - 32));

    let run = ecnpp(["inspect", "--json", &path]);
    bounded(&run);
    let v = run.json();
    assert_eq!(v["diagnostic_shortened"], true);
    assert!(
        v["diagnostic"]
            .as_str()
            .unwrap()
            .contains(&format!("{} more entries not shown", count - 32))
    );
}

/// Measurements in the long-list token: their listing alone would be about 80 KiB.
const MEASUREMENTS: usize = 6000;

#[test]
fn long_lists_and_deep_structures_are_shown_cut_with_a_count() {
    let dir = TempDir::new("many-values");
    let (key, example) = device(&dir);
    // 6 000 measurements and an unnamed claim holding 16 x 16 x 16 nested arrays.
    let content = [0u8; 1];
    let measurements: Vec<Measurement<'_>> = (0..MEASUREMENTS)
        .map(|_| Measurement {
            content_type: 0,
            content: &content,
        })
        .collect();
    let mut nested = head(4, 16);
    for _ in 0..16 {
        nested.extend(head(4, 16));
        for _ in 0..16 {
            nested.extend(head(4, 16));
            nested.extend([0u8; 16]);
        }
    }
    let extra = [(Label::Int(-70_001), RawValue::new(&nested).unwrap())];
    let token = resign(&key, &example, |c| {
        c.measurements = Some(List::Items(&measurements));
        c.extra = Extra::Items(&extra);
    });
    let path = dir.join("many.cbor");
    std::fs::write(&path, &token).unwrap();
    let path = path.to_string_lossy().into_owned();
    let pubkey = dir.arg("device.pub.pem");

    let run = ecnpp(["verify", "--pub", &pubkey, &path]).expect(0);
    bounded(&run);
    run.out_has(&format!("{} more entries not shown", MEASUREMENTS - 32));

    let run = ecnpp(["inspect", &path]).expect(0);
    bounded(&run);
    run.out_has(&format!("{} more entries not shown", MEASUREMENTS - 32));

    for args in [
        vec!["verify", "--json", "--pub", &pubkey, &path],
        vec!["inspect", "--json", &path],
    ] {
        let run = ecnpp(&args).expect(0);
        bounded(&run);
        let v = run.json();
        let measurements = v["claims"]["measurements"].as_array().unwrap();
        assert_eq!(measurements.len(), 33, "{args:?}");
        assert_eq!(
            measurements[32],
            serde_json::json!({ "(omitted)": MEASUREMENTS - 32 })
        );
    }
}
