//! # ecnpp-attest-ffi
//!
//! The C API of [`ecnpp_attest`]: `include/ecnpp_attest.h`, generated from this crate by
//! cbindgen, and `libecnpp_attest_ffi.a` / `.so`. The contract every function follows (names,
//! result codes, NULL and length checks, size queries, outputs written only on success, handles
//! with one `_free`, heap-free use through `_in` constructors and callback signers, no global
//! state, a panic boundary around every export) is written in `docs/c-api.md`.
//!
//! Phase 1: keys, signers, COSE_Sign1 sign/verify, result strings and the version. Phase 2:
//! ECN PP evidence claims as C structs, evidence signing and verification, appraisal against a
//! policy given as C structs, attestation results and workload requirements.
//!
//! `unsafe` lives only in this crate (core forbids it); every block says why it is sound.
#![allow(non_camel_case_types)]

use core::ffi::c_char;

pub mod args;
mod handle;
pub mod keys;
pub mod result;
pub mod sign1;
pub mod signer;

// Phase 2, in the order the header presents it: claims, then evidence, then appraisal.
pub mod claims;

pub mod evidence;

pub mod appraisal;

pub use appraisal::*;
pub use claims::*;
pub use evidence::*;
pub use keys::*;
pub use result::ecnpp_result;
pub use sign1::*;
pub use signer::ecnpp_signer;

use crate::args::boundary_value;

/// The library version, NUL-terminated.
static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library version as a static NUL-terminated string, e.g. `"0.1.0"`. Never NULL; not to be
/// freed.
#[unsafe(no_mangle)]
pub extern "C" fn ecnpp_version() -> *const c_char {
    VERSION.as_ptr().cast()
}

/// A static, NUL-terminated English description of a result code; any `code` is accepted
/// (unknown ones give "unknown result code"). Never NULL; not to be freed; never echoes input.
#[unsafe(no_mangle)]
pub extern "C" fn ecnpp_result_str(code: i32) -> *const c_char {
    boundary_value(
        result::describe(ecnpp_result::ECNPP_ERR_PANIC as i32).message_ptr(),
        || result::describe(code).message_ptr(),
    )
}
