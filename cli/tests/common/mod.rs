//! Helpers shared by the end-to-end tests: run the real `ecnpp` binary, temporary directories,
//! and the checks every run must pass (an exit code of 0, 1 or 2, and no panic).
#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The binary under test.
pub(crate) const ECNPP: &str = env!("CARGO_BIN_EXE_ecnpp");

/// The example files of the crate.
pub(crate) fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// A temporary directory, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("ecnpp-cli-test-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    pub(crate) fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The path as a string argument.
    pub(crate) fn arg(&self, name: &str) -> String {
        self.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run produced.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) raw_stdout: Vec<u8>,
}

impl Run {
    fn from(out: Output) -> Self {
        let code = out.status.code().unwrap_or_else(|| {
            panic!(
                "ecnpp was killed by a signal: {:?}\nstderr: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let run = Self {
            code,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            raw_stdout: out.stdout,
        };
        assert!(
            !run.stderr.contains("panicked"),
            "ecnpp panicked:\n{}",
            run.stderr
        );
        assert!(
            [0, 1, 2].contains(&run.code),
            "exit code {} is not 0, 1 or 2\nstderr: {}",
            run.code,
            run.stderr
        );
        run
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub(crate) fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that stderr mentions `needle`.
    #[track_caller]
    pub(crate) fn err_has(self, needle: &str) -> Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts that stdout mentions `needle`.
    #[track_caller]
    pub(crate) fn out_has(self, needle: &str) -> Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    /// Stdout parsed as one JSON value.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs `ecnpp` with `args`, no stdin.
pub(crate) fn ecnpp<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = Command::new(ECNPP)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run::from(out)
}

/// Runs `ecnpp` with `args` and `input` on stdin.
pub(crate) fn ecnpp_stdin<I, S>(args: I, input: &[u8]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    use std::io::Write as _;
    let mut child = Command::new(ECNPP)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    Run::from(child.wait_with_output().unwrap())
}

/// A challenge used across tests.
pub(crate) const NONCE: &str = "00112233445566778899aabbccddeeff";

/// Makes device and verifier keys with `keygen -o` in `dir`.
pub(crate) fn keys(dir: &TempDir) {
    ecnpp(["keygen", "-o", &dir.arg("device")]).expect(0);
    ecnpp(["keygen", "-o", &dir.arg("verifier")]).expect(0);
}

/// Writes `dir/policy-<key>.json`: the example policy, endorsing the key file `dir/<key>` for
/// both of its certified models; returns its path.
pub(crate) fn endorsing_policy(dir: &TempDir, key: &str) -> String {
    let text = std::fs::read_to_string(example("policy.json")).unwrap();
    let mut policy: serde_json::Value = serde_json::from_str(&text).unwrap();
    let models: Vec<serde_json::Value> = policy["certified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| serde_json::json!({ "oemid": c["oemid"], "hwmodel": c["hwmodel"] }))
        .collect();
    policy["endorsements"] = serde_json::json!([{ "key": key, "models": models }]);
    let name = format!("policy-{key}.json");
    std::fs::write(dir.join(&name), policy.to_string()).unwrap();
    dir.arg(&name)
}

/// Signs the secure-enclave example for [`NONCE`] into `dir/name`.
pub(crate) fn sign_example(dir: &TempDir, claims: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    ecnpp([
        "sign",
        "--key",
        &dir.arg("device.key.pem"),
        "--claims",
        &claims.to_string_lossy(),
        "--nonce",
        NONCE,
        "-o",
        &out.to_string_lossy(),
    ])
    .expect(0);
    out
}

/// True when `CI` is set (then missing tools are failures, not skips).
pub(crate) fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}
