//! Shared helpers for the cross-cutting test suites in `tests/tests/`.

use std::path::PathBuf;

pub mod hostile;

/// The public vectors folder: `$ECNPP_VECTORS_DIR`, else `../shared/vectors` beside the
/// repository. `None` (and a visible message on stderr) when it is absent.
#[must_use]
pub fn vectors_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("ECNPP_VECTORS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
        PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: vectors folder {} not found (set ECNPP_VECTORS_DIR)",
            dir.display()
        );
        None
    }
}

/// A `cbor::Write` that collects bytes, for capturing streamed structures in tests.
#[derive(Debug, Default)]
pub struct VecWriter(pub Vec<u8>);

impl ecnpp_attest::cbor::Write for VecWriter {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}
