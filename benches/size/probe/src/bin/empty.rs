//! The runtime alone (vector table, reset handler, panic handler): subtracted from the others.
#![no_std]
#![no_main]

use ecnpp_size_probe as _;

fn run() {
    core::hint::black_box(0u32);
}

ecnpp_size_probe::entry!(run);
