//! The C API (`ecnpp-attest-ffi`) against the library: `ecnpp_sign1_verify` and
//! `ecnpp_sign1_kid_untrusted` on fuzzer input give exactly the result code and the borrowed
//! payload / kid that the library gives for the same input ([`VerifyCase`]).

use core::ptr;

use ecnpp_attest::cose::UnverifiedSign1;
use ecnpp_attest_ffi as ffi;

use crate::{EXAMPLE_KEY_SEC1, VerifyCase, example_verifying_key};

fn code(r: ffi::ecnpp_result) -> i32 {
    r as i32
}

/// The C API gives what the library gives (see the crate docs); input as for
/// [`crate::cose_verify`], of any length.
pub fn ffi_verify(data: &[u8]) {
    let case = VerifyCase::from_fuzz(data);
    let Ok(key) = example_verifying_key() else {
        return;
    };
    let mut flags = 0;
    if case.options.accept_untagged {
        flags |= ffi::ECNPP_SIGN1_ACCEPT_UNTAGGED;
    }
    if case.options.accept_cwt_tag {
        flags |= ffi::ECNPP_SIGN1_ACCEPT_CWT_TAG;
    }
    if case.options.deterministic {
        flags |= ffi::ECNPP_SIGN1_DETERMINISTIC;
    }
    let mut handle = ptr::null_mut();
    // SAFETY: the key bytes are readable for their length; the out-pointer is writable.
    let rc = unsafe {
        ffi::ecnpp_verifying_key_from_sec1(
            EXAMPLE_KEY_SEC1.as_ptr(),
            EXAMPLE_KEY_SEC1.len(),
            &mut handle,
        )
    };
    assert_eq!(code(rc), 0);

    let (detached_ptr, detached_len) = case
        .detached
        .map_or((ptr::null(), 0), |d| (d.as_ptr(), d.len()));
    let (mut payload, mut payload_len) = (ptr::null(), 0usize);
    // SAFETY: every input is a live slice for its length; the key is a live handle; the
    // out-pointers are writable.
    let rc = unsafe {
        ffi::ecnpp_sign1_verify(
            case.message.as_ptr(),
            case.message.len(),
            flags,
            handle,
            case.aad.as_ptr(),
            case.aad.len(),
            detached_ptr,
            detached_len,
            &mut payload,
            &mut payload_len,
        )
    };
    match case.run(&key) {
        Ok(p) => {
            assert_eq!(code(rc), 0, "the C API refuses what the core verifies");
            assert_eq!(
                (payload, payload_len),
                (p.as_ptr(), p.len()),
                "borrowed payload"
            );
        }
        Err(e) => assert_eq!(code(rc), e.code(), "result code of {e:?}"),
    }

    let (mut kid, mut kid_len) = (ptr::null(), 0usize);
    // SAFETY: as above.
    let rc = unsafe {
        ffi::ecnpp_sign1_kid_untrusted(
            case.message.as_ptr(),
            case.message.len(),
            flags,
            &mut kid,
            &mut kid_len,
        )
    };
    match UnverifiedSign1::parse(case.message, &case.options) {
        Ok(m) => {
            assert_eq!(code(rc), 0);
            match m.kid_untrusted() {
                Some(k) => assert_eq!((kid, kid_len), (k.as_ptr(), k.len())),
                None => assert_eq!((kid, kid_len), (ptr::null(), 0)),
            }
        }
        Err(e) => assert_eq!(code(rc), e.code()),
    }
    // SAFETY: a live handle from ecnpp_verifying_key_from_sec1, freed once.
    unsafe { ffi::ecnpp_verifying_key_free(handle) };
}
