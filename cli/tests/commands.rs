//! Every subcommand of the real binary, end to end, with every exit code: 0 success, 1 refusal,
//! 2 usage or unreadable input; error messages name the file and the problem.
// Test code: a failed unwrap or index is a failed test, which is what it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{NONCE, TempDir, ecnpp, ecnpp_stdin, endorsing_policy, example, keys, sign_example};
use serde_json::Value;

fn s(p: &std::path::Path) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn demo_tells_the_whole_story_and_exits_0() {
    let run = ecnpp(["demo"]).expect(0);
    for needle in [
        "[1] Keys",
        "[3] Evidence",
        "status         affirming",
        "→ ADMITTED",
        "reason debug-enabled",
        "reason nonce-mismatch",
        "reason challenge-expired",
        "REFUSED promise-too-low: the corroborated promise (secure-element) is below secure-enclave",
    ] {
        assert!(
            run.stdout.contains(needle),
            "demo lacks {needle:?}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn demo_keep_writes_material_the_other_commands_accept() {
    let dir = TempDir::new("keep");
    let kept = dir.join("kept");
    ecnpp(["demo", "--keep", &s(&kept)])
        .expect(0)
        .out_has("kept in");
    let nonce = std::fs::read_to_string(kept.join("challenge.hex")).unwrap();
    ecnpp([
        "verify",
        "--pub",
        &s(&kept.join("device.pub.pem")),
        "--nonce",
        nonce.trim(),
        &s(&kept.join("evidence.cbor")),
    ])
    .expect(0);
    ecnpp([
        "admit",
        "--pub",
        &s(&kept.join("verifier.pub.pem")),
        "--require",
        "promise>=secure-enclave,evaluated,max-age=300",
        &s(&kept.join("result.cbor")),
    ])
    .expect(0)
    .out_has("ADMITTED");
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    ecnpp(Vec::<String>::new()).expect(2).err_has("Usage");
    ecnpp(["frobnicate"]).expect(2);
    ecnpp(["verify"]).expect(2).err_has("--pub");
    ecnpp(["sign", "--key", "k", "--claims", "c", "--format", "pdf"]).expect(2);
    ecnpp([
        "appraise",
        "--pub",
        "p",
        "--policy",
        "q",
        "--nonce",
        "00",
        "t",
        "--result-key",
        "v",
    ])
    .expect(2)
    .err_has("--out");
    ecnpp([
        "verify-batch",
        "--keys",
        "k",
        "--policy",
        "p",
        "--nonce",
        "00",
        "--threads",
        "0",
        "d",
    ])
    .expect(2);
    ecnpp(["--help"]).expect(0).out_has("verify-batch");
    ecnpp(["verify", "--help"]).expect(0).out_has("--nonce");
    ecnpp(["--version"]).expect(0).out_has("ecnpp");
}

#[test]
fn keygen_writes_usable_keys_and_never_overwrites() {
    let dir = TempDir::new("keygen");
    let run = ecnpp(["keygen", "-o", &dir.arg("k"), "--kid", "device-7"]).expect(0);
    assert!(
        run.stdout.contains("kid            \"device-7\""),
        "{}",
        run.stdout
    );
    for f in ["k.key.pem", "k.pub.pem", "k.cose_key"] {
        assert!(dir.join(f).exists(), "{f}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("k.key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let pem = std::fs::read_to_string(dir.join("k.key.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let again = ecnpp(["keygen", "-o", &dir.arg("k")]).expect(2);
    assert!(
        again
            .stderr
            .contains("k.key.pem: cannot create: already exists"),
        "{}",
        again.stderr
    );
    ecnpp(["keygen", "-o", &dir.arg("k"), "--force"]).expect(0);
    assert_ne!(std::fs::read_to_string(dir.join("k.key.pem")).unwrap(), pem);

    // Without -o: both PEMs and the public forms on stdout.
    let run = ecnpp(["keygen"]).expect(0);
    for needle in [
        "BEGIN PRIVATE KEY",
        "BEGIN PUBLIC KEY",
        "SEC1 public    04",
        "COSE_Key       a6",
    ] {
        assert!(run.stdout.contains(needle), "{needle}");
    }
    // Every public form verifies: SPKI PEM, COSE_Key (binary), SEC1 hex, the private key.
    let sec1 = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("SEC1 public    "))
        .unwrap()
        .to_string();
    let private: String = run
        .stdout
        .split_inclusive('\n')
        .take_while(|l| !l.starts_with("-----BEGIN PUBLIC KEY"))
        .collect();
    std::fs::write(dir.join("p.key.pem"), private).unwrap();
    std::fs::write(dir.join("p.sec1"), format!("{sec1}\n")).unwrap();
    let token = dir.join("t.cbor");
    ecnpp([
        "sign",
        "--key",
        &dir.arg("p.key.pem"),
        "--claims",
        &s(&example("claims-secure-enclave.json")),
        "-o",
        &s(&token),
    ])
    .expect(0);
    for public in ["p.sec1", "p.key.pem"] {
        ecnpp(["verify", "--pub", &dir.arg(public), &s(&token)]).expect(0);
    }
    ecnpp(["verify", "--pub", &dir.arg("k.cose_key"), &s(&token)])
        .expect(1)
        .err_has("does not verify with the key in");
}

#[test]
fn sign_then_verify_in_every_encoding() {
    let dir = TempDir::new("sign");
    keys(&dir);
    let claims = example("claims-secure-enclave.json");
    let token = sign_example(&dir, &claims, "t.cbor");
    let bytes = std::fs::read(&token).unwrap();
    assert_eq!(bytes[0], 0xd2, "tag 18");
    ecnpp([
        "verify",
        "--pub",
        &dir.arg("device.pub.pem"),
        &s(&token),
        "--nonce",
        NONCE,
    ])
    .expect(0)
    .out_has("signature OK")
    .out_has("ECN PP evidence: profile rules OK, promise secure-enclave")
    .out_has("nonce matches the challenge")
    .out_has("hwmodel                 \"edge-node-x1\"");

    // Hex on stdout by default; base64 on request; both verify, as does stdin.
    let hex_run = ecnpp([
        "sign",
        "--key",
        &dir.arg("device.key.pem"),
        "--claims",
        &s(&claims),
        "--nonce",
        NONCE,
    ])
    .expect(0)
    .err_has("signed ECN PP evidence, promise secure-enclave");
    assert_eq!(
        hex::decode(hex_run.stdout.trim()).unwrap(),
        bytes,
        "deterministic ES256"
    );
    std::fs::write(dir.join("t.hex"), &hex_run.stdout).unwrap();
    ecnpp([
        "sign",
        "--key",
        &dir.arg("device.key.pem"),
        "--claims",
        &s(&claims),
        "--nonce",
        NONCE,
        "--format",
        "base64",
        "-o",
        &dir.arg("t.b64"),
    ])
    .expect(0);
    for f in ["t.hex", "t.b64"] {
        ecnpp(["verify", "--pub", &dir.arg("device.pub.pem"), &dir.arg(f)]).expect(0);
    }
    ecnpp_stdin(["verify", "--pub", &dir.arg("device.pub.pem"), "-"], &bytes).expect(0);
    ecnpp_stdin(["inspect", "-"], hex_run.stdout.as_bytes())
        .expect(0)
        .out_has("(hex)");

    // --kid and --no-profile.
    ecnpp([
        "sign",
        "--key",
        &dir.arg("device.key.pem"),
        "--claims",
        &s(&claims),
        "--kid",
        "device-1",
        "-o",
        &dir.arg("k.cbor"),
    ])
    .expect(0)
    .out_has("kid \"device-1\"");
    std::fs::write(
        dir.join("plain.json"),
        r#"{"iss": "me", "nonce": "0102030405060708"}"#,
    )
    .unwrap();
    ecnpp([
        "sign",
        "--key",
        &dir.arg("device.key.pem"),
        "--claims",
        &dir.arg("plain.json"),
        "--no-profile",
        "-o",
        &dir.arg("plain.cbor"),
    ])
    .expect(0);
    ecnpp([
        "verify",
        "--pub",
        &dir.arg("device.pub.pem"),
        &dir.arg("plain.cbor"),
    ])
    .expect(1)
    .err_has("not valid ECN PP evidence: eat_profile is missing");
    ecnpp([
        "verify",
        "--no-profile",
        "--pub",
        &dir.arg("device.pub.pem"),
        &dir.arg("plain.cbor"),
    ])
    .expect(0)
    .out_has("iss                     me");
}

#[test]
fn sign_refuses_bad_input_with_exit_2_naming_file_and_field() {
    let dir = TempDir::new("signbad");
    keys(&dir);
    let key = dir.arg("device.key.pem");
    let sign = |claims: &str, extra: &[&str]| {
        std::fs::write(dir.join("c.json"), claims).unwrap();
        let mut args = vec!["sign", "--key", &key, "--claims"];
        let c = dir.arg("c.json");
        args.push(&c);
        args.extend_from_slice(extra);
        ecnpp(args)
    };
    sign("{", &[])
        .expect(2)
        .err_has("c.json: not valid JSON: line 1 column 1");
    sign(r#"{"dbgstatus": 3}"#, &[])
        .expect(2)
        .err_has("c.json: dbgstatus: unknown claim name \"dbgstatus\" (did you mean \"dbgstat\"?)");
    sign(r#"{"nonce": "0102"}"#, &[])
        .expect(2)
        .err_has("nonce: a nonce is 8 to 64 bytes; this one has 2");
    let mut example: Value = serde_json::from_str(
        &std::fs::read_to_string(example("claims-secure-enclave.json")).unwrap(),
    )
    .unwrap();
    let obj = example.as_object_mut().unwrap();
    obj.remove("nonce");
    sign(&example.to_string(), &[])
        .expect(2)
        .err_has("missing claim 10 (nonce) (give the verifier's challenge with --nonce HEX)");
    sign(&example.to_string(), &["--nonce", "00"])
        .expect(2)
        .err_has("--nonce: a nonce is 8 to 64 bytes; this one has 1");
    sign(&example.to_string(), &["--nonce", "xyz"])
        .expect(2)
        .err_has("--nonce: not hex");
    example
        .as_object_mut()
        .unwrap()
        .get_mut("submods")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("tee");
    sign(&example.to_string(), &["--nonce", NONCE])
        .expect(2)
        .err_has("a submodule the promise requires is missing");
    sign("{}", &["-o", "/nonexistent-dir/x.cbor"]).expect(2);
    ecnpp([
        "sign",
        "--key",
        &dir.arg("nope.pem"),
        "--claims",
        &dir.arg("c.json"),
    ])
    .expect(2)
    .err_has("nope.pem: cannot open: no such file or directory");
    ecnpp([
        "sign",
        "--key",
        &dir.arg("device.pub.pem"),
        "--claims",
        &dir.arg("c.json"),
    ])
    .expect(2)
    .err_has("device.pub.pem: a public key: signing needs the private key");
}

#[test]
fn verify_json_output_round_trips_into_sign() {
    let dir = TempDir::new("json");
    keys(&dir);
    let token = sign_example(&dir, &example("claims-secure-enclave.json"), "t.cbor");
    let run = ecnpp([
        "verify",
        "--json",
        "--pub",
        &dir.arg("device.pub.pem"),
        &s(&token),
    ])
    .expect(0);
    let v = run.json();
    assert_eq!(v["verified"], true);
    assert_eq!(v["kind"], "ECN PP evidence");
    assert_eq!(v["promise"], "secure-enclave");
    assert_eq!(v["claims"]["nonce"], NONCE);
    assert_eq!(v["claims"]["dbgstat"], "disabled-permanently");
    assert_eq!(v["claims"]["submods"]["tee"]["swname"], "edge-tee");
    // The claims member is a claims file: signing it again gives the same token.
    std::fs::write(dir.join("again.json"), v["claims"].to_string()).unwrap();
    ecnpp([
        "sign",
        "--key",
        &dir.arg("device.key.pem"),
        "--claims",
        &dir.arg("again.json"),
        "-o",
        &dir.arg("again.cbor"),
    ])
    .expect(0);
    assert_eq!(
        std::fs::read(&token).unwrap(),
        std::fs::read(dir.join("again.cbor")).unwrap()
    );

    let refused = ecnpp([
        "verify",
        "--json",
        "--pub",
        &dir.arg("verifier.pub.pem"),
        &s(&token),
    ])
    .expect(1);
    assert_eq!(refused.json()["verified"], false);
}

/// A tag-18 COSE_Sign1 around `payload`, with an in-range but wrong signature.
fn sign1_with_payload(payload: &[u8]) -> Vec<u8> {
    let mut t = vec![0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0x59];
    t.extend_from_slice(&u16::try_from(payload.len()).unwrap().to_be_bytes());
    t.extend_from_slice(payload);
    t.extend_from_slice(&[0x58, 0x40]);
    t.extend_from_slice(&[0x11; 64]);
    t
}

/// `payload` (any bytes) properly signed by a fixed key; returns the token and the public key
/// as SEC1 hex. Signed with the library itself, since `ecnpp sign` refuses bad claims.
fn signed_raw(payload: &[u8]) -> (Vec<u8>, String) {
    use ecnpp_attest::cose::Sign1Builder;
    use ecnpp_attest::crypto::SigningKey;
    let key = SigningKey::from_bytes(&[0x5a; 32]).unwrap();
    let builder = Sign1Builder::new();
    let mut out = vec![0u8; builder.encoded_len(payload)];
    let n = builder.sign(&key, payload, &mut out).unwrap();
    out.truncate(n);
    (out, hex::encode(key.verifying_key().to_sec1_uncompressed()))
}

#[test]
fn verify_refusals_exit_1_and_name_the_problem() {
    let dir = TempDir::new("verify");
    keys(&dir);
    let token = sign_example(&dir, &example("claims-secure-enclave.json"), "t.cbor");
    let public = dir.arg("device.pub.pem");
    ecnpp([
        "verify",
        "--pub",
        &public,
        &s(&token),
        "--nonce",
        "ffeeddccbbaa99887766554433221100",
    ])
    .expect(1)
    .err_has("t.cbor: the nonce does not match the challenge");
    ecnpp(["verify", "--pub", &dir.arg("verifier.pub.pem"), &s(&token)])
        .expect(1)
        .err_has("t.cbor: the signature does not verify with the key in");

    let good = std::fs::read(&token).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 10;
    flipped[last] ^= 1;
    std::fs::write(dir.join("flipped.cbor"), &flipped).unwrap();
    ecnpp(["verify", "--pub", &public, &dir.arg("flipped.cbor")])
        .expect(1)
        .err_has("does not verify");
    std::fs::write(dir.join("short.cbor"), &good[..good.len() - 1]).unwrap();
    ecnpp(["verify", "--pub", &public, &dir.arg("short.cbor")])
        .expect(1)
        .err_has("short.cbor: the input ends inside a CBOR item (truncated)");
    let mut long = good.clone();
    long.push(0);
    std::fs::write(dir.join("long.cbor"), &long).unwrap();
    ecnpp(["verify", "--pub", &public, &dir.arg("long.cbor")])
        .expect(1)
        .err_has("long.cbor: bytes follow the end of the COSE message");
    std::fs::write(dir.join("untagged.cbor"), &good[1..]).unwrap();
    ecnpp(["verify", "--pub", &public, &dir.arg("untagged.cbor")])
        .expect(1)
        .err_has("tag 18 is missing (--permissive-tags accepts untagged messages)");
    ecnpp([
        "verify",
        "--permissive-tags",
        "--pub",
        &public,
        &dir.arg("untagged.cbor"),
    ])
    .expect(0);

    // {10: h'..', 10: h'..'}: the duplicate is named, before any signature check.
    let mut payload = vec![0xa2];
    for _ in 0..2 {
        payload.extend_from_slice(&[0x0a, 0x48]);
        payload.extend_from_slice(&[7; 8]);
    }
    let (dup, dup_pub) = signed_raw(&payload);
    std::fs::write(dir.join("dup.cbor"), dup).unwrap();
    std::fs::write(dir.join("dup.pub"), dup_pub).unwrap();
    ecnpp(["verify", "--pub", &dir.arg("dup.pub"), &dir.arg("dup.cbor")])
        .expect(1)
        .err_has("dup.cbor: duplicate claim 10 (nonce) in the claims map");
    ecnpp(["inspect", &dir.arg("dup.cbor")])
        .expect(1)
        .out_has("claims: cannot be read: duplicate claim 10 (nonce) in the claims map");
    // Duplicates inside a submodule are named too, before any signature check when they sit
    // in a header.
    let mut nested = vec![0xa1, 0x19, 0x01, 0x0a, 0xa1, 0x62, b's', b'e', 0xa2];
    nested.extend_from_slice(&[0x19, 0x01, 0x07, 0x03, 0x19, 0x01, 0x07, 0x04]);
    let (dup2, _) = signed_raw(&nested);
    std::fs::write(dir.join("dup2.cbor"), dup2).unwrap();
    ecnpp([
        "verify",
        "--pub",
        &dir.arg("dup.pub"),
        &dir.arg("dup2.cbor"),
    ])
    .expect(1)
    .err_has("duplicate claim 263 (dbgstat) in submodule \"se\"");
    let header_dup = [
        0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa2, 0x04, 0x41, 0x00, 0x04, 0x41, 0x01, 0x41, 0xa0,
        0x40,
    ];
    std::fs::write(dir.join("dup3.cbor"), header_dup).unwrap();
    ecnpp(["verify", "--pub", &public, &dir.arg("dup3.cbor")])
        .expect(1)
        .err_has("duplicate label 4 (kid) in the unprotected header");
    // A payload that is not a claims map; a claim of the wrong type.
    std::fs::write(dir.join("notmap.cbor"), sign1_with_payload(&[0x80])).unwrap();
    let run = ecnpp(["inspect", &dir.arg("notmap.cbor")]).expect(1);
    assert!(
        run.stderr.contains("not a CBOR map of claims"),
        "{}",
        run.stderr
    );
    std::fs::write(
        dir.join("badclaim.cbor"),
        sign1_with_payload(&[0xa1, 0x19, 0x01, 0x07, 0x09]),
    )
    .unwrap();
    ecnpp(["inspect", &dir.arg("badclaim.cbor")])
        .expect(1)
        .err_has("claim 263 (dbgstat) has the wrong type or a value out of range");

    // Unreadable input: exit 2.
    ecnpp(["verify", "--pub", &public, &dir.arg("missing.cbor")])
        .expect(2)
        .err_has("missing.cbor: cannot open: no such file or directory");
    ecnpp(["verify", "--pub", &public, dir.path().to_str().unwrap()])
        .expect(2)
        .err_has("is a directory");
    std::fs::write(dir.join("empty.cbor"), b"").unwrap();
    ecnpp(["verify", "--pub", &public, &dir.arg("empty.cbor")])
        .expect(2)
        .err_has("is empty");
    std::fs::write(dir.join("junk.pem"), b"hello").unwrap();
    ecnpp(["verify", "--pub", &dir.arg("junk.pem"), &s(&token)])
        .expect(2)
        .err_has("junk.pem: not a P-256 public key");
}

#[test]
fn inspect_shows_diagnostic_notation_marked_unverified() {
    let dir = TempDir::new("inspect");
    keys(&dir);
    let token = sign_example(&dir, &example("claims-secure-enclave.json"), "t.cbor");
    let run = ecnpp(["inspect", &s(&token)]).expect(0);
    for needle in [
        "UNVERIFIED",
        "18([",
        "/ protected / << {",
        "1 / alg /: -7 / ES256 /",
        "263 / dbgstat /: 3 / disabled-permanently /",
        "-90101 / ecnpp-promise /: 3 / secure-enclave /",
        "259 / hwmodel /: h'656467652d6e6f64652d7831' / \"edge-node-x1\" /",
        "claims (UNVERIFIED):",
        "ecnpp-promise           secure-enclave",
    ] {
        assert!(
            run.stdout.contains(needle),
            "inspect lacks {needle:?}:\n{}",
            run.stdout
        );
    }
    let v = ecnpp(["inspect", "--json", &s(&token)]).expect(0).json();
    assert_eq!(v["unverified"], true);
    assert_eq!(v["well_formed"], true);
    assert_eq!(v["claims"]["ecnpp-promise"], "secure-enclave");

    // A token with a broken signature is still shown, and judged.
    let mut bad = std::fs::read(&token).unwrap();
    let n = bad.len();
    bad[n - 65] = 0x20; // a 32-byte signature, and 32 bytes trailing the message
    std::fs::write(dir.join("bad.cbor"), &bad).unwrap();
    ecnpp(["inspect", &dir.arg("bad.cbor")])
        .expect(1)
        .out_has("verify would refuse it");
    std::fs::write(dir.join("text.txt"), b"hello, world").unwrap();
    ecnpp(["inspect", &dir.arg("text.txt")]).expect(1);
    ecnpp(["inspect", &dir.arg("nothing")]).expect(2);
}

#[test]
fn appraise_and_admit_exit_codes() {
    let dir = TempDir::new("appraise");
    keys(&dir);
    let enclave = sign_example(&dir, &example("claims-secure-enclave.json"), "enclave.cbor");
    let element = sign_example(&dir, &example("claims-secure-element.json"), "element.cbor");
    let policy = endorsing_policy(&dir, "device.pub.pem");
    let appraise = |token: &std::path::Path, out: &str, extra: &[&str]| {
        let mut args = vec![
            "appraise".to_string(),
            "--pub".into(),
            dir.arg("device.pub.pem"),
            "--policy".into(),
            policy.clone(),
            "--nonce".into(),
            NONCE.into(),
            s(token),
            "--result-key".into(),
            dir.arg("verifier.key.pem"),
            "-o".into(),
            dir.arg(out),
        ];
        args.extend(extra.iter().map(ToString::to_string));
        ecnpp(args)
    };
    appraise(&enclave, "enclave.result", &[])
        .expect(0)
        .out_has("status          affirming")
        .out_has("evaluated       yes")
        .out_has("attestation result:");
    appraise(&element, "element.result", &[])
        .expect(0)
        .out_has("promise         secure-element");
    let v = appraise(&enclave, "e2.result", &["--json"])
        .expect(0)
        .json();
    assert_eq!(v["status"], "affirming");
    assert_eq!(v["measurements"].as_array().unwrap().len(), 2);

    let admit = |result: &str, require: &str| {
        ecnpp([
            "admit",
            "--pub",
            &dir.arg("verifier.pub.pem"),
            "--require",
            require,
            &dir.arg(result),
        ])
    };
    let confidential = "promise>=secure-enclave,evaluated,max-age=300";
    admit("enclave.result", confidential)
        .expect(0)
        .out_has("ADMITTED");
    admit("element.result", confidential)
        .expect(1)
        .out_has(
            "promise-too-low: the corroborated promise (secure-element) is below secure-enclave",
        )
        .err_has("element.result: refused: promise-too-low");
    admit("element.result", "promise>=secure-element,evaluated").expect(0);
    admit("enclave.result", "promise>=platinum")
        .expect(2)
        .err_has("--require");
    ecnpp([
        "admit",
        "--pub",
        &dir.arg("device.pub.pem"),
        "--require",
        confidential,
        &dir.arg("enclave.result"),
    ])
    .expect(1)
    .err_has("does not verify with the verifier key");
    let later = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 1000)
        .to_string();
    ecnpp([
        "admit",
        "--now",
        &later,
        "--pub",
        &dir.arg("verifier.pub.pem"),
        "--require",
        confidential,
        &dir.arg("enclave.result"),
    ])
    .expect(1)
    .out_has("too-old");

    // Contraindicated: debug enabled, a stale challenge, a foreign nonce. No result is issued.
    let mut debug: Value = serde_json::from_str(
        &std::fs::read_to_string(example("claims-secure-enclave.json")).unwrap(),
    )
    .unwrap();
    debug["dbgstat"] = "enabled".into();
    std::fs::write(dir.join("debug.json"), debug.to_string()).unwrap();
    let debug_token = sign_example(&dir, &dir.join("debug.json"), "debug.cbor");
    appraise(&debug_token, "debug.result", &[])
        .expect(1)
        .out_has("debug-enabled: dbgstat is below the policy's floor (disabled-permanently)")
        .out_has("no attestation result issued")
        .err_has("debug.cbor: contraindicated: debug-enabled");
    assert!(!dir.join("debug.result").exists());
    appraise(&enclave, "stale.result", &["--challenge-issued-at", "1000"])
        .expect(1)
        .err_has("challenge-expired");
    ecnpp([
        "appraise",
        "--pub",
        &dir.arg("device.pub.pem"),
        "--policy",
        &policy,
        "--nonce",
        "ffffffffffffffff",
        &s(&enclave),
    ])
    .expect(1)
    .err_has("nonce-mismatch");

    // Appraisal of `token` with key `public` under `policy`, for the refusals below.
    let appraise_with = |public: &str, policy: &str, token: &str| {
        ecnpp([
            "appraise", "--pub", public, "--policy", policy, "--nonce", NONCE, token,
        ])
    };
    // Kinds told apart by their signed profile: a result given to appraise, evidence to admit.
    appraise_with(
        &dir.arg("verifier.pub.pem"),
        &policy,
        &dir.arg("enclave.result"),
    )
    .expect(1)
    .err_has("an attestation result was given where evidence is expected");
    ecnpp([
        "admit",
        "--pub",
        &dir.arg("device.pub.pem"),
        "--require",
        confidential,
        &s(&enclave),
    ])
    .expect(1)
    .err_has("evidence was given where an attestation result is expected");

    // The policy endorses the device key for its models only; a policy without the key's
    // endorsement contraindicates the same evidence.
    appraise_with(
        &dir.arg("device.pub.pem"),
        &s(&example("policy.json")),
        &s(&enclave),
    )
    .expect(1)
    .out_has("model-not-endorsed: the policy does not endorse the signing key");

    // A profile without rules cannot be accepted: exit 2, naming the entry.
    let mut other: Value =
        serde_json::from_str(&std::fs::read_to_string(example("policy.json")).unwrap()).unwrap();
    other["accepted_profiles"] = serde_json::json!([
        "2.25.59557001580283219457505129689189230448.1",
        "tag:example.com,2026:other"
    ]);
    std::fs::write(dir.join("other-profile.json"), other.to_string()).unwrap();
    appraise_with(
        &dir.arg("device.pub.pem"),
        &dir.arg("other-profile.json"),
        &s(&enclave),
    )
    .expect(2)
    .err_has("accepted_profiles[1]: no rules are known for this profile");

    // A policy with a mistake: exit 2, naming the field.
    std::fs::write(
        dir.join("bad-policy.json"),
        r#"{"registrar": "x", "certifed": []}"#,
    )
    .unwrap();
    appraise_with(
        &dir.arg("device.pub.pem"),
        &dir.arg("bad-policy.json"),
        &s(&enclave),
    )
    .expect(2)
    .err_has("bad-policy.json: policy: unknown field \"certifed\" (did you mean \"certified\"?)");
}

#[test]
fn verify_batch_summarises_and_exits_by_the_worst_outcome() {
    let dir = TempDir::new("batch");
    keys(&dir);
    let key_dir = dir.join("keys");
    let tok_dir = dir.join("tokens");
    std::fs::create_dir_all(&key_dir).unwrap();
    std::fs::create_dir_all(&tok_dir).unwrap();
    std::fs::copy(dir.join("device.pub.pem"), key_dir.join("device.pub.pem")).unwrap();
    std::fs::copy(
        dir.join("verifier.cose_key"),
        key_dir.join("verifier.cose_key"),
    )
    .unwrap();
    let one = sign_example(&dir, &example("claims-secure-enclave.json"), "one.cbor");
    let bytes = std::fs::read(&one).unwrap();
    for i in 0..12 {
        std::fs::write(tok_dir.join(format!("t{i:02}.cbor")), &bytes).unwrap();
    }
    std::fs::write(tok_dir.join("t99.hex"), hex::encode(&bytes)).unwrap();
    let batch = |extra: &[&str]| {
        let mut args = vec![
            "verify-batch".to_string(),
            "--keys".into(),
            s(&key_dir),
            "--policy".into(),
            endorsing_policy(&dir, "device.pub.pem"),
            "--nonce".into(),
            NONCE.into(),
            s(&tok_dir),
        ];
        args.extend(extra.iter().map(ToString::to_string));
        ecnpp(args)
    };
    batch(&[])
        .expect(0)
        .out_has("verify-batch: 13 tokens")
        .out_has("tokens/s")
        .out_has("affirming                               13");
    batch(&["--threads", "1"])
        .expect(0)
        .out_has("on 1 thread in");

    // A token signed by an untrusted key and a truncated one: refused, exit 1.
    ecnpp(["keygen", "-o", &dir.arg("stranger")]).expect(0);
    ecnpp([
        "sign",
        "--key",
        &dir.arg("stranger.key.pem"),
        "--claims",
        &s(&example("claims-secure-enclave.json")),
        "--nonce",
        NONCE,
        "-o",
        &s(&tok_dir.join("stranger.cbor")),
    ])
    .expect(0);
    std::fs::write(tok_dir.join("short.cbor"), &bytes[..50]).unwrap();
    let run = batch(&["--json"]).expect(1);
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 16);
    let summary = &lines[15]["summary"];
    assert_eq!(summary["tokens"], 15);
    assert_eq!(summary["affirming"], 13);
    assert_eq!(summary["refused"], 2);
    let stranger = lines.iter().find(|l| l["file"] == "stranger.cbor").unwrap();
    assert_eq!(
        stranger["error"],
        "the token's kid names none of the trusted keys"
    );
    batch(&[])
        .expect(1)
        .out_has("short.cbor: refused: the input ends inside a CBOR item");

    // Unreadable inputs: exit 2.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    ecnpp([
        "verify-batch",
        "--keys",
        &s(&key_dir),
        "--policy",
        &endorsing_policy(&dir, "device.pub.pem"),
        "--nonce",
        NONCE,
        &s(&empty),
    ])
    .expect(2)
    .err_has("holds no token files");
    std::fs::write(key_dir.join("notes.txt"), "not a key").unwrap();
    batch(&[])
        .expect(2)
        .err_has("notes.txt: not a P-256 public key");
}
