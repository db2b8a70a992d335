//! Drives the C side of the contract (docs/c-api.md): compiles the C tests, the C++ header check,
//! the examples and a pkg-config build with gcc/g++ against the static library, and runs them
//! plainly, under `valgrind --leak-check=full`, and rebuilt with `-fsanitize=address,undefined`.
//!
//! Tokens cross the language boundary both ways: one signed by the Rust API is verified in C,
//! and the C side prints the same token signed through the C API for Rust to verify (the two
//! must be byte-identical: RFC 6979 signatures are deterministic). The same holds for ECN PP
//! evidence (`ecnpp::sign_evidence` vs `ecnpp_evidence_sign`), which each side also appraises,
//! and for the attestation result the C side signs.
//!
//! The library used is the `libecnpp_attest_ffi.a` this test build made, or the one
//! in `$ECNPP_FFI_LIB_DIR` (CI points it at a release build). gcc, g++, valgrind and pkg-config
//! are required; a missing tool fails the test with its name.

// A test harness: failing loudly with the reason is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ecnpp_attest::appraise::{
    CertifiedConfig, Challenge, Policy, Reasons, TrustStatus, VerifiedResult, appraise,
};
use ecnpp_attest::cose::{self, ParseOptions, Sign1Builder};
use ecnpp_attest::crypto::SigningKey;
use ecnpp_attest::eat::{
    Claims, DebugStatus, HwModel, List, Measurement, NamedSubmodule, Nonce, NonceClaim, OemId,
    Submodule, Ueid, Version,
};
use ecnpp_attest::eat::{Lifecycle, Promise, Robustness};
use ecnpp_attest::ecnpp::{self, Endorsement, Model, PP_REF_V1_0_7, PROFILE, VerifiedEvidence};

const TEST_D: &str = "57c92077664146e876760c9520d054aa93c3afb04e306705db6090308507b4d3";
const TEST_PAYLOAD: &str = "a10a486e6f6e63652d3031";
const STRICT_C: &[&str] = &["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"];
const SYS_LIBS: &[&str] = &["-lpthread", "-ldl", "-lm"];
const WRAP_ALLOC: &str =
    "-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=posix_memalign,--wrap=aligned_alloc";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn include_dir() -> PathBuf {
    root().join("include")
}

fn lib_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ECNPP_FFI_LIB_DIR") {
        // Relative to the workspace root (tests run in ffi/).
        return Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    }
    // `cargo test` builds the library's staticlib and cdylib next to this test executable, in
    // target/<profile>/deps/ (only `cargo build` copies them up to target/<profile>/).
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().expect("target/<profile>/deps").to_path_buf()
}

fn static_lib() -> PathBuf {
    let lib = lib_dir().join("libecnpp_attest_ffi.a");
    assert!(
        lib.is_file(),
        "static library not found at {}",
        lib.display()
    );
    lib
}

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("c_api")
        .join(name);
    std::fs::create_dir_all(&dir).expect("create work dir");
    dir
}

fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e} (is the tool installed?)"));
    if !out.status.success() {
        panic!(
            "{shown} failed with {}\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

fn compile_c(sources: &[PathBuf], output: &Path, extra: &[&str]) {
    let mut cmd = Command::new("gcc");
    cmd.args(STRICT_C)
        .arg("-g")
        .arg(format!(
            "-DECNPP_TEST_VERSION=\"{}\"",
            env!("CARGO_PKG_VERSION")
        ))
        .arg("-I")
        .arg(include_dir())
        .args(extra)
        .args(sources)
        .arg(static_lib())
        .args(SYS_LIBS)
        .arg("-o")
        .arg(output);
    run(&mut cmd);
}

/// The token the Rust API signs for the interop test.
fn rust_token() -> Vec<u8> {
    let key = SigningKey::from_slice(&hex::decode(TEST_D).unwrap()).unwrap();
    let payload = hex::decode(TEST_PAYLOAD).unwrap();
    let builder = Sign1Builder::new().kid(b"device-1").external_aad(b"ctx");
    let mut buf = vec![0u8; builder.encoded_len(payload.as_slice())];
    let n = builder.sign(&key, payload.as_slice(), &mut buf).unwrap();
    assert_eq!(n, buf.len());
    buf
}

// The fixture of ffi/tests/c/test_eat.c (and core/tests/profile_e2e.rs).
const NOW: i64 = 1_790_000_000;
const CHALLENGE: &[u8; 16] = b"challenge-000001";
const OEM: [u8; 3] = [0x00, 0x1b, 0x44];
const UEID: [u8; 17] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
const FW: [u8; 32] = [0x11; 32];
const TEE_FW: [u8; 32] = [0x22; 32];
const REGISTRAR: &str = "https://verifier.example";

fn device_key() -> SigningKey {
    SigningKey::from_bytes(&[0x31; 32]).unwrap()
}

fn verifier_key() -> SigningKey {
    SigningKey::from_bytes(&[0x32; 32]).unwrap()
}

/// The secure-enclave evidence test_eat.c builds, signed by the Rust API.
fn rust_evidence() -> Vec<u8> {
    let fw = [Measurement {
        content_type: 0,
        content: &FW,
    }];
    let tee_fw = [Measurement {
        content_type: 0,
        content: &TEE_FW,
    }];
    let se = Claims {
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(HwModel::new(b"se-050").unwrap()),
        dbgstat: Some(DebugStatus::DisabledFullyAndPermanently),
        ..Claims::default()
    };
    let tee = Claims {
        measurements: Some(List::Items(&tee_fw)),
        ..Claims::default()
    };
    let submods = [
        NamedSubmodule {
            name: "se",
            submodule: Submodule::Claims(se),
        },
        NamedSubmodule {
            name: "tee",
            submodule: Submodule::Claims(tee),
        },
    ];
    let claims = Claims {
        eat_profile: Some(PROFILE),
        nonce: Some(NonceClaim::One(Nonce::new(CHALLENGE).unwrap())),
        ueid: Some(Ueid::new(&UEID).unwrap()),
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(HwModel::new(b"edge-node-x1").unwrap()),
        swname: Some("edge-os"),
        swversion: Some(Version {
            version: "4.2.1",
            scheme: None,
        }),
        oemboot: Some(true),
        dbgstat: Some(DebugStatus::DisabledPermanently),
        iat: Some(NOW - 5),
        measurements: Some(List::Items(&fw)),
        promise: Some(Promise::SecureEnclave),
        pp_ref: Some(PP_REF_V1_0_7),
        lifecycle: Some(Lifecycle::Operational),
        svn: Some(7),
        submods: Some(List::Items(&submods)),
        ..Claims::default()
    };
    let builder = Sign1Builder::new().kid(b"device-1");
    let mut buf = vec![0u8; ecnpp::evidence_len(&claims, &builder).unwrap()];
    let n = ecnpp::sign_evidence(&claims, &builder, &device_key(), &mut buf).unwrap();
    assert_eq!(n, buf.len());
    buf
}

/// Appraises `evidence` with test_eat.c's policy and signs the result, in Rust.
fn rust_appraise_and_sign(evidence: &[u8]) -> (TrustStatus, Reasons, Vec<u8>) {
    let device_pub = device_key().verifying_key();
    let models = [Model {
        oemid: OemId::Ieee(&OEM),
        hwmodel: b"edge-node-x1",
    }];
    let endorsement = Endorsement::new(&device_pub, &models);
    let evidence =
        VerifiedEvidence::verify(evidence, &endorsement, &ParseOptions::DEFAULT).unwrap();
    ecnpp::validate_evidence(evidence.claims()).unwrap();
    let references = [
        Measurement {
            content_type: 0,
            content: &FW,
        },
        Measurement {
            content_type: 0,
            content: &TEE_FW,
        },
    ];
    let se_rob = [Robustness {
        scheme: "FIPS140-3",
        level: "3",
    }];
    let matching = CertifiedConfig {
        oemid: OemId::Ieee(&OEM),
        hwmodel: b"edge-node-x1",
        swname: "edge-os",
        swversion: "4.2.1",
        promise: Promise::SecureEnclave,
        pp_ref: PP_REF_V1_0_7,
        certificate: "NSCIB-CC-0000001",
        se_robustness: &se_rob,
        tee_robustness: &[],
        reference_measurements: &references,
    };
    let other = CertifiedConfig {
        hwmodel: b"edge-node-x0",
        certificate: "NSCIB-CC-0000000",
        ..matching
    };
    let certified = [other, matching];
    let policy = Policy::new(
        Challenge {
            nonce: CHALLENGE,
            issued_at: NOW - 10,
        },
        NOW,
        &certified,
        REGISTRAR,
    );
    let result = appraise(&evidence, &policy);
    let builder = Sign1Builder::new();
    let mut out = vec![0u8; result.token_len(&builder).unwrap()];
    let n = result.sign(&builder, &verifier_key(), &mut out).unwrap();
    assert_eq!(n, out.len());
    (result.status(), result.reasons(), out)
}

/// A `NAME=<hex>` line of the C side's output.
fn printed(stdout: &str, name: &str) -> Vec<u8> {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("the C side printed no {name}"));
    hex::decode(line).unwrap()
}

/// Checks the closing "N passed, 0 failed" line and the tokens the C side signed.
fn check_c_output(out: &Output) -> usize {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    let (passed, failed) = last
        .split_once(" passed, ")
        .and_then(|(p, f)| Some((p.parse::<usize>().ok()?, f.strip_suffix(" failed")?)))
        .unwrap_or_else(|| panic!("no closing line in:\n{stdout}"));
    assert_eq!(failed, "0", "{stdout}");
    assert!(passed > 1000, "suspiciously few C checks: {passed}");

    let c_token = stdout
        .lines()
        .find_map(|l| l.strip_prefix("C_TOKEN="))
        .expect("the C side printed its token");
    let c_token = hex::decode(c_token).unwrap();
    let key = SigningKey::from_slice(&hex::decode(TEST_D).unwrap()).unwrap();
    let strict = ParseOptions {
        deterministic: true,
        ..ParseOptions::DEFAULT
    };
    let verified = cose::verify(&c_token, &strict, &key.verifying_key(), b"ctx").unwrap();
    assert_eq!(verified.payload(), hex::decode(TEST_PAYLOAD).unwrap());
    assert_eq!(
        c_token,
        rust_token(),
        "C and Rust sign byte-identical tokens"
    );

    // ECN PP evidence made in C: byte-identical to Rust's, verified and appraised in Rust.
    let c_evidence = printed(&stdout, "C_EVIDENCE");
    assert_eq!(
        c_evidence,
        rust_evidence(),
        "C and Rust sign identical evidence"
    );
    let (status, reasons, rust_result) = rust_appraise_and_sign(&c_evidence);
    assert_eq!((status, reasons), (TrustStatus::Affirming, Reasons::NONE));
    // The attestation result signed in C: verified in Rust, identical to Rust's.
    let c_result = printed(&stdout, "C_RESULT");
    let strict = ParseOptions {
        deterministic: true,
        ..ParseOptions::DEFAULT
    };
    let verified =
        VerifiedResult::verify(&c_result, &verifier_key().verifying_key(), &strict).unwrap();
    assert_eq!(verified.promise(), Some(Promise::SecureEnclave));
    assert!(verified.evaluated_config());
    assert_eq!(verified.issued_at(), Some(NOW));
    assert_eq!(c_result, rust_result, "C and Rust sign identical results");
    passed
}

fn c_test_sources() -> Vec<PathBuf> {
    ["test_c_api.c", "test_eat.c"]
        .iter()
        .map(|f| root().join("ffi/tests/c").join(f))
        .collect()
}

/// The arguments of the C test program: the Rust API's COSE token and evidence, in hex.
fn c_test_args() -> [String; 2] {
    [hex::encode(rust_token()), hex::encode(rust_evidence())]
}

#[test]
fn c_tests_plain() {
    let dir = work_dir("plain");
    let exe = dir.join("test_c_api");
    compile_c(&c_test_sources(), &exe, &[WRAP_ALLOC]);
    let out = run(Command::new(&exe).args(c_test_args()));
    let passed = check_c_output(&out);
    eprintln!("C tests: {passed} checks passed");
}

#[test]
fn c_tests_under_valgrind() {
    let dir = work_dir("valgrind");
    let exe = dir.join("test_c_api");
    compile_c(&c_test_sources(), &exe, &[WRAP_ALLOC]);
    let out = run(Command::new("valgrind")
        .args([
            "--error-exitcode=1",
            "--leak-check=full",
            "--show-leak-kinds=all",
            "--errors-for-leak-kinds=all",
            "--track-origins=yes",
            "-q",
        ])
        .arg(&exe)
        .args(c_test_args()));
    check_c_output(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("=="), "valgrind reported:\n{stderr}");
}

#[test]
fn c_tests_with_address_and_undefined_sanitizers() {
    let dir = work_dir("asan");
    let exe = dir.join("test_c_api");
    compile_c(
        &c_test_sources(),
        &exe,
        &[
            WRAP_ALLOC,
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ],
    );
    let out = run(Command::new(&exe)
        .args(c_test_args())
        .env(
            "ASAN_OPTIONS",
            "detect_leaks=1:halt_on_error=1:abort_on_error=0",
        )
        .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1"));
    check_c_output(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("Sanitizer") && !stderr.contains("runtime error"),
        "sanitizer reported:\n{stderr}"
    );
}

#[test]
fn header_compiles_as_c_and_cpp() {
    let dir = work_dir("header");
    let probe = dir.join("probe.c");
    std::fs::write(
        &probe,
        "#include \"ecnpp_attest.h\"\nint main(void) { return 0; }\n",
    )
    .unwrap();
    for std in ["-std=c99", "-std=c11", "-std=c17"] {
        run(Command::new("gcc")
            .args([
                std,
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-fsyntax-only",
            ])
            .arg("-I")
            .arg(include_dir())
            .arg(&probe));
    }
    let exe = dir.join("test_cpp");
    run(Command::new("g++")
        .args(["-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .arg("-I")
        .arg(include_dir())
        .arg(root().join("ffi/tests/c/test_cpp.cpp"))
        .arg(static_lib())
        .args(SYS_LIBS)
        .arg("-o")
        .arg(&exe));
    let out = run(&mut Command::new(&exe));
    assert!(String::from_utf8_lossy(&out.stdout).ends_with(" passed, 0 failed\n"));
}

/// Builds `ffi/examples/<name>.c` into `dir`. Every example is heap-free: it is linked so that
/// any allocation aborts it (ffi/tests/c/no_heap.c).
fn build_example(dir: &Path, name: &str) -> PathBuf {
    let exe = dir.join(name);
    let example = root().join("ffi/examples").join(format!("{name}.c"));
    let no_heap = root().join("ffi/tests/c/no_heap.c");
    compile_c(&[example, no_heap], &exe, &[WRAP_ALLOC]);
    exe
}

fn build_examples(dir: &Path) -> (PathBuf, PathBuf) {
    (
        build_example(dir, "sign_with_callback"),
        build_example(dir, "verify_token"),
    )
}

const CONFIDENTIAL: &str = "promise>=secure-enclave,evaluated,max-age=300";

/// Runs `exe` with `args` (under valgrind when asked) and returns (exit code, stdout, stderr).
fn run_status(exe: &Path, args: &[&str], valgrind: bool) -> (i32, String, String) {
    let out = if valgrind {
        Command::new("valgrind")
            .args([
                "--error-exitcode=99",
                "--leak-check=full",
                "--errors-for-leak-kinds=all",
                "-q",
            ])
            .arg(exe)
            .args(args)
            .output()
    } else {
        Command::new(exe).args(args).output()
    }
    .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The device agent answers a challenge; the verifier verifies, appraises, issues a result and
/// admits or refuses a workload; Rust checks the evidence and the result they exchanged.
fn device_agent_and_verifier(valgrind: bool) {
    let dir = work_dir(if valgrind {
        "eat_examples_valgrind"
    } else {
        "eat_examples"
    });
    let agent = build_example(&dir, "device_agent");
    let verifier = build_example(&dir, "verifier");
    let challenge = hex::encode(CHALLENGE);

    let (code, stdout, stderr) = run_status(&agent, &[&challenge], valgrind);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1 call(s) to the HSM"), "{stderr}");
    let [cose_key, evidence] = stdout.lines().collect::<Vec<_>>()[..] else {
        panic!("expected two lines, got:\n{stdout}")
    };
    // The agent's evidence is the evidence the Rust API signs for the same device.
    assert_eq!(hex::decode(evidence).unwrap(), rust_evidence());

    let (code, stdout, stderr) = run_status(
        &verifier,
        &[cose_key, evidence, &challenge, CONFIDENTIAL],
        valgrind,
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with("status affirming\nresult "), "{stdout}");
    assert!(stdout.ends_with("workload admitted\n"), "{stdout}");
    let result = stdout
        .lines()
        .find_map(|l| l.strip_prefix("result "))
        .unwrap();
    let result = hex::decode(result).unwrap();
    let verified = VerifiedResult::verify(
        &result,
        &verifier_key().verifying_key(),
        &ParseOptions::DEFAULT,
    )
    .unwrap();
    assert_eq!(verified.promise(), Some(Promise::SecureEnclave));

    // A workload needing less is admitted too; an answer to another challenge is refused.
    let (code, stdout, _) = run_status(
        &verifier,
        &[cose_key, evidence, &challenge, "promise>=standard"],
        valgrind,
    );
    assert_eq!(
        (code, stdout.lines().last()),
        (0, Some("workload admitted"))
    );
    let other = hex::encode(b"challenge-000002");
    let (code, stdout, _) = run_status(
        &verifier,
        &[cose_key, evidence, &other, CONFIDENTIAL],
        valgrind,
    );
    assert_eq!(code, 3, "{stdout}");
    assert_eq!(
        stdout,
        "status contraindicated\nreason nonce-mismatch\nworkload refused contraindicated\n"
    );
    // A tampered token is an error, with the opaque message.
    let mut bad = hex::decode(evidence).unwrap();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let (code, _, stderr) = run_status(
        &verifier,
        &[cose_key, &hex::encode(&bad), &challenge, CONFIDENTIAL],
        valgrind,
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("verification failed"), "{stderr}");
}

#[test]
fn examples_device_agent_and_verifier() {
    device_agent_and_verifier(false);
}

#[test]
fn examples_device_agent_and_verifier_under_valgrind() {
    device_agent_and_verifier(true);
}

#[test]
fn examples_sign_then_verify() {
    let dir = work_dir("examples");
    let (sign, verify) = build_examples(&dir);
    let out = run(&mut Command::new(&sign));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let [cose_key, token] = lines[..] else {
        panic!("expected two lines, got:\n{stdout}")
    };
    assert!(String::from_utf8_lossy(&out.stderr).contains("with 1 call(s)"));

    let out = run(Command::new(&verify).args([cose_key, token]));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), TEST_PAYLOAD);

    // The Rust API agrees, and a tampered token is refused with the opaque error.
    let key_bytes = hex::decode(cose_key).unwrap();
    let key = ecnpp_attest::crypto::VerifyingKey::from_cose_key(&key_bytes).unwrap();
    let token = hex::decode(token).unwrap();
    cose::verify(&token, &ParseOptions::DEFAULT, &key.key, &[]).unwrap();
    let mut bad = token.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let out = Command::new(&verify)
        .args([cose_key, &hex::encode(&bad)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("verification failed"));
}

#[test]
fn examples_under_valgrind() {
    let dir = work_dir("examples_valgrind");
    let (sign, verify) = build_examples(&dir);
    let vg = [
        "--error-exitcode=1",
        "--leak-check=full",
        "--errors-for-leak-kinds=all",
        "-q",
    ];
    let out = run(Command::new("valgrind").args(vg).arg(&sign));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    run(Command::new("valgrind").args(vg).arg(&verify).args(&lines));
}

#[test]
fn pkg_config_links_in_two_lines() {
    let prefix = work_dir("pkgconfig");
    for sub in ["include", "lib/pkgconfig"] {
        std::fs::create_dir_all(prefix.join(sub)).unwrap();
    }
    std::fs::copy(
        include_dir().join("ecnpp_attest.h"),
        prefix.join("include/ecnpp_attest.h"),
    )
    .unwrap();
    std::fs::copy(static_lib(), prefix.join("lib/libecnpp_attest_ffi.a")).unwrap();
    let pc = std::fs::read_to_string(root().join("ffi/ecnpp_attest.pc.in"))
        .unwrap()
        .replace("@PREFIX@", prefix.to_str().unwrap())
        .replace("@VERSION@", env!("CARGO_PKG_VERSION"));
    std::fs::write(prefix.join("lib/pkgconfig/ecnpp_attest.pc"), pc).unwrap();

    let flags = run(Command::new("pkg-config")
        .args(["--cflags", "--libs", "--static", "ecnpp_attest"])
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig")));
    let flags = String::from_utf8(flags.stdout).unwrap();
    let exe = prefix.join("verify_token");
    run(Command::new("gcc")
        .args(STRICT_C)
        .arg(root().join("ffi/examples/verify_token.c"))
        .args(flags.split_whitespace())
        .arg("-o")
        .arg(&exe));
    let version = run(Command::new("pkg-config")
        .args(["--modversion", "ecnpp_attest"])
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig")));
    assert_eq!(
        String::from_utf8(version.stdout).unwrap().trim(),
        env!("CARGO_PKG_VERSION")
    );
    let out = Command::new(&exe).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "usage message expected");
}

/// The minimal programs docs/c-api.md measures ("Sizes") build with the flags given there and
/// work: software-signed evidence verifies; the HSM stand-in's fixed signature does not.
#[test]
fn size_programs_sign_and_verify() {
    let dir = work_dir("size");
    let size_flags = [
        "-Os",
        "-ffunction-sections",
        "-fdata-sections",
        "-Wl,--gc-sections",
    ];
    let src = |f: &str| root().join("ffi/tests/c/size").join(f);
    let build = |name: &str, file: &str, extra: &[&str]| {
        let exe = dir.join(name);
        let flags: Vec<&str> = size_flags.iter().chain(extra).copied().collect();
        compile_c(&[src(file)], &exe, &flags);
        exe
    };
    let sign_hsm = build("sign_min", "sign_min.c", &[]);
    let sign_sw = build("sign_min_sw", "sign_min.c", &["-DSOFTWARE_HSM"]);
    let verify = build("verify_min", "verify_min.c", &[]);
    let pk = hex::encode(device_key().verifying_key().to_sec1_uncompressed());

    let out = run(&mut Command::new(&sign_sw));
    let token = String::from_utf8(out.stdout).unwrap();
    let out = run(Command::new(&verify).args([pk.as_str(), token.trim()]));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "edge-os\n");

    let out = run(&mut Command::new(&sign_hsm));
    let token = String::from_utf8(out.stdout).unwrap();
    let (code, _, stderr) = run_status(&verify, &[&pk, token.trim()], false);
    assert_eq!(code, 1);
    assert!(stderr.contains("verification failed"), "{stderr}");
}

/// Secrets left behind (docs/constant-time.md, "Secrets"): ffi/tests/c/test_secrets.c imports,
/// signs with and frees keys through the C API, boxed and in caller storage, and then looks for
/// pieces of the private scalar and of the signature's nonce on the stack and in every block
/// freed meanwhile (`-Wl,--wrap=free`). It exits non-zero if it finds one.
#[test]
fn c_no_secret_left_on_stack_or_in_freed_memory() {
    let dir = work_dir("secrets");
    let exe = dir.join("test_secrets");
    let source = root().join("ffi/tests/c/test_secrets.c");
    compile_c(&[source], &exe, &["-Wl,--wrap=free"]);
    let out = run(&mut Command::new(&exe));
    eprint!("{}", String::from_utf8_lossy(&out.stdout));
}
