//! Support code of the fuzz targets that cannot live in the core crate because it needs other
//! crates: the coset/ciborium peer of the differential target. `tests/tests/fuzz_replay.rs`
//! includes `peer.rs` by path, so the replay on stable uses this very adapter.

pub mod peer;
