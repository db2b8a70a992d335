//! Counters of the work the readers do, for tests that bound it (feature `cost-counter`, off
//! by default and never in a release build of the library): every head read (each data item
//! visited by any reader, validator, skip or key comparison), every key comparison, and the
//! string bytes those comparisons look at. Process-wide: a test that reads them runs alone.

use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

static HEADS: AtomicUsize = AtomicUsize::new(0);
static KEY_COMPARISONS: AtomicUsize = AtomicUsize::new(0);
static KEY_BYTES: AtomicUsize = AtomicUsize::new(0);

/// The counts since the last [`reset`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Heads read (data items visited, counting every visit).
    pub heads: usize,
    /// Map key comparisons.
    pub key_comparisons: usize,
    /// String bytes compared by key comparisons.
    pub key_bytes: usize,
}

/// Sets every counter to zero.
pub fn reset() {
    HEADS.store(0, Relaxed);
    KEY_COMPARISONS.store(0, Relaxed);
    KEY_BYTES.store(0, Relaxed);
}

/// The counts since the last [`reset`].
#[must_use]
pub fn read() -> Work {
    Work {
        heads: HEADS.load(Relaxed),
        key_comparisons: KEY_COMPARISONS.load(Relaxed),
        key_bytes: KEY_BYTES.load(Relaxed),
    }
}

pub(super) fn head() {
    HEADS.fetch_add(1, Relaxed);
}

pub(super) fn compared(bytes: usize) {
    KEY_COMPARISONS.fetch_add(1, Relaxed);
    KEY_BYTES.fetch_add(bytes, Relaxed);
}
