//! The bare-metal runtime shared by the size probes: a panic handler, the reset vector, and
//! the realistic ECN PP evidence claims (the same as the benches' fixture).
#![no_std]

use core::panic::PanicInfo;

use ecnpp_attest::eat::{
    Claims, DebugStatus, HwModel, List, Measurement, NamedSubmodule, Nonce, NonceClaim, OemId,
    Submodule, Ueid, Version,
};
use ecnpp_attest::eat::{Lifecycle, Promise};
use ecnpp_attest::ecnpp::{PP_REF_V1_0_7, PROFILE};

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    loop {}
}

/// Declares `Reset`, the reset handler, running `$body` and then idling; and puts its address
/// in the vector table.
#[macro_export]
macro_rules! entry {
    ($body:path) => {
        /// The reset handler.
        #[unsafe(no_mangle)]
        pub extern "C" fn Reset() -> ! {
            $body();
            loop {
                core::hint::spin_loop();
            }
        }

        /// The reset entry of the vector table (after the initial stack pointer).
        #[unsafe(link_section = ".vector_table.reset")]
        #[used]
        static RESET_VECTOR: extern "C" fn() -> ! = Reset;
    };
}

/// Builds the benches' realistic evidence claims from `nonce` and hands them to `f`.
pub fn with_claims<R>(nonce: &[u8; 32], f: impl FnOnce(Option<&Claims<'_>>) -> R) -> R {
    const OEM: [u8; 3] = [0x00, 0x1b, 0x44];
    const UEID: [u8; 17] = [0x01; 17];
    let measurements = [
        Measurement {
            content_type: 0,
            content: &[0x11; 32],
        },
        Measurement {
            content_type: 0,
            content: &[0x33; 32],
        },
    ];
    let tee_measurements = [Measurement {
        content_type: 0,
        content: &[0x22; 32],
    }];
    let (Ok(se_model), Ok(model), Ok(nonce), Ok(ueid)) = (
        HwModel::new(b"se-050"),
        HwModel::new(b"edge-node-x1"),
        Nonce::new(nonce),
        Ueid::new(&UEID),
    ) else {
        return f(None);
    };
    let se = Claims {
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(se_model),
        dbgstat: Some(DebugStatus::DisabledFullyAndPermanently),
        ..Claims::default()
    };
    let tee = Claims {
        measurements: Some(List::Items(&tee_measurements)),
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
        nonce: Some(NonceClaim::One(nonce)),
        ueid: Some(ueid),
        oemid: Some(OemId::Ieee(&OEM)),
        hwmodel: Some(model),
        swname: Some("edge-os"),
        swversion: Some(Version {
            version: "4.2.1",
            scheme: Some(16384),
        }),
        oemboot: Some(true),
        dbgstat: Some(DebugStatus::DisabledPermanently),
        iat: Some(1_789_999_995),
        measurements: Some(List::Items(&measurements)),
        promise: Some(Promise::SecureEnclave),
        pp_ref: Some(PP_REF_V1_0_7),
        lifecycle: Some(Lifecycle::Operational),
        svn: Some(7),
        submods: Some(List::Items(&submods)),
        ..Claims::default()
    };
    f(Some(&claims))
}
