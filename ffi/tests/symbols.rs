//! The symbol check of docs/c-api.md §1: the only unmangled symbols the crate's own code
//! exports are `ecnpp_*`, they are exactly the functions `include/ecnpp_attest.h` declares, and
//! the shared library exports nothing else at all.
//!
//! Checks the libraries this test build made, or those in `$ECNPP_FFI_LIB_DIR` (CI: a release
//! build). Needs binutils' `readelf`.

// A test harness: failing loudly with the reason is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// `(member, name, type)` of every defined global or weak symbol, from `readelf` (binutils'
/// `nm` skips objects that embed LLVM bitcode, as Rust's release objects do).
fn symbols(args: &[&str], file: &Path) -> Vec<(String, String, String)> {
    assert!(file.is_file(), "{} not found", file.display());
    let out = Command::new("readelf")
        .args(["--wide"])
        .args(args)
        .arg(file)
        .output()
        .expect("run readelf (binutils)");
    assert!(out.status.success(), "readelf failed: {out:?}");
    let mut member = String::new();
    let mut found = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(file) = line.strip_prefix("File: ") {
            member = file.to_string();
            continue;
        }
        // Num: Value Size Type Bind Vis Ndx Name
        let f: Vec<&str> = line.split_whitespace().collect();
        if let [num, _, _, kind, bind, _, ndx, name, ..] = f[..]
            && num.ends_with(':')
            && (bind == "GLOBAL" || bind == "WEAK")
            && ndx != "UND"
        {
            // Versioned dynamic names look like `name@@VERSION`.
            let name = name.split('@').next().unwrap_or(name);
            found.push((member.clone(), name.to_string(), kind.to_string()));
        }
    }
    found
}

/// The functions the header declares (outside comments).
fn header_functions() -> BTreeSet<String> {
    let header = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/ecnpp_attest.h"),
    )
    .expect("read the header");
    header
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| {
            // The identifier right before the first '(' of a declaration line.
            let before = &l[..l.find('(')?];
            let start = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            let name = &before[start..];
            name.starts_with("ecnpp_").then(|| name.to_string())
        })
        .collect()
}

fn is_rust_mangled(name: &str) -> bool {
    name.starts_with("_ZN") || name.starts_with("_R")
}

#[test]
fn static_library_exports_only_ecnpp_symbols_from_this_crate() {
    let lib = lib_dir().join("libecnpp_attest_ffi.a");
    let symbols = symbols(&["--syms"], &lib);
    assert!(
        !symbols.is_empty(),
        "no symbols read from {}",
        lib.display()
    );
    let ours = |member: &str| member.contains("(ecnpp_attest_ffi.");
    let mut exported = BTreeSet::new();
    let mut bad = Vec::new();
    for (member, name, kind) in &symbols {
        if name.starts_with("ecnpp_") {
            if !ours(member) {
                bad.push(format!("{name} defined outside this crate, in {member}"));
            }
            if kind == "FUNC" {
                exported.insert(name.clone());
            }
            continue;
        }
        if !ours(member) || is_rust_mangled(name) {
            continue; // std / compiler-builtins / dependencies, or Rust-internal linkage
        }
        // Compiler-generated references of every Rust object file.
        if name == "DW.ref.rust_eh_personality" || name == "__rustc_debug_gdb_scripts_section__" {
            continue;
        }
        bad.push(format!("{name} ({kind}) in {member}"));
    }
    assert!(bad.is_empty(), "unexpected exports:\n{}", bad.join("\n"));
    assert_eq!(
        exported,
        header_functions(),
        "exports vs header declarations"
    );
}

#[test]
fn shared_library_exports_exactly_the_header_functions() {
    let lib = lib_dir().join("libecnpp_attest_ffi.so");
    let exported: BTreeSet<String> = symbols(&["--dyn-syms"], &lib)
        .into_iter()
        .map(|(_, name, _)| name)
        .collect();
    assert_eq!(exported, header_functions());
    assert_eq!(exported.len(), 26);
}
