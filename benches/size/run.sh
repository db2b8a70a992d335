#!/usr/bin/env bash
# Code size and stack of ecnpp-attest on its no_std path. From anywhere:
#
#     bash benches/size/run.sh
#
# 1. Size: builds the probes in probe/ for thumbv7em-none-eabihf at opt-level "s" (LTO, one
#    codegen unit, panic = abort) and prints the .text/.rodata of each program: only signing
#    evidence, only verifying it, and the same two calling p256 directly; the differences are
#    the share of ecnpp-attest's own code (CBOR, COSE, EAT, profile) on top of the ECDSA code.
#    When the target cannot be installed, the probes are built for the host instead (a
#    different instruction set: the figures say so).
# 2. Stack, painted and measured, for sign, verify, verify + appraise, and p256 directly:
#    on the target instruction set under QEMU (probe/src/bin/stack_thumb.rs on
#    `qemu-system-arm -M mps2-an386`, a Cortex-M4F; Debian package qemu-system-arm), when QEMU
#    is installed; and always on the host (stack/, a thread whose stack is painted). The QEMU
#    run signs evidence, verifies that token and appraises it on the target: it fails (exit 1)
#    when any of those fails, so it doubles as a functional test of the bare-metal build.
#
# Each crate is its own workspace with its own target directory (probe/target, stack/target),
# so nothing here touches the root workspace's build.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGET="thumbv7em-none-eabihf"

if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
    rustup target add "$TARGET" >/dev/null 2>&1 || true
fi
if rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
    BUILD_TARGET="$TARGET"
else
    BUILD_TARGET="$(rustc -vV | sed -n 's/^host: //p')"
    echo "NOTE: $TARGET is not installed; sizes below are for the host ($BUILD_TARGET)"
fi

echo "== size: probes for $BUILD_TARGET, opt-level s, lto, panic=abort ($(rustc --version))"
cargo build --quiet --release --manifest-path "$HERE/probe/Cargo.toml" \
    --target "$BUILD_TARGET" --target-dir "$HERE/probe/target" --bins
BIN_DIR="$HERE/probe/target/$BUILD_TARGET/release"

python3 - "$BIN_DIR" <<'PY'
import struct, sys

def sections(path):
    """Section name -> size, from the ELF section headers (32- or 64-bit, little-endian)."""
    data = open(path, "rb").read()
    is64 = data[4] == 2
    if is64:
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    else:
        shoff, = struct.unpack_from("<I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
    def header(i):
        off = shoff + i * shentsize
        if is64:
            name, _t, _f, _a, offset, size = struct.unpack_from("<IIQQQQ", data, off)
        else:
            name, _t, _f, _a, offset, size = struct.unpack_from("<IIIIII", data, off)
        return name, offset, size
    _, stroff, _ = header(shstrndx)
    out = {}
    for i in range(shnum):
        name, _, size = header(i)
        end = data.index(b"\0", stroff + name)
        out[data[stroff + name:end].decode()] = size
    return out

d = sys.argv[1]
sizes = {}
for b in ["empty", "sign_ours", "verify_ours", "sign_p256", "verify_p256",
          "sign_p256_13", "verify_p256_13"]:
    s = sections(f"{d}/{b}")
    sizes[b] = (s.get(".text", 0), s.get(".rodata", 0))
    print(f"size {b:<12} text={sizes[b][0]:>6} rodata={sizes[b][1]:>5}")
for op in ["sign", "verify"]:
    (to, ro), (tp, rp) = sizes[f"{op}_ours"], sizes[f"{op}_p256"]
    print(f"size codec_share_{op:<6} text={to - tp:>6} ({(to - tp) / 1024:.1f} KiB) "
          f"rodata={ro - rp:>5}  (= {op}_ours - {op}_p256)")
PY

if command -v nm >/dev/null 2>&1; then
    echo "== size: largest ecnpp-attest symbols in sign_ours and verify_ours (nm)"
    for b in sign_ours verify_ours; do
        echo "-- $b"
        nm -S --size-sort -C "$BIN_DIR/$b" | grep -E 'ecnpp_attest|Reset' | tail -8 |
            while read -r _addr size _kind name; do printf '  %6d  %s\n' "$((16#$size))" "$name"; done
    done
fi

if [[ "$BUILD_TARGET" == "$TARGET" ]] && command -v qemu-system-arm >/dev/null 2>&1; then
    echo "== stack: painted, $TARGET under $(qemu-system-arm --version | head -1) (mps2-an386, Cortex-M4F)"
    # The same run is a functional check of the bare-metal build: it signs evidence, verifies
    # that token and appraises it on the target, and says so when any step fails.
    # Semihosting output goes to a file: QEMU writes it to the terminal otherwise, where a
    # command substitution does not see it.
    semi_out="$(mktemp)"
    if ! timeout 300 qemu-system-arm -M mps2-an386 -cpu cortex-m4 -nographic \
        -chardev "file,id=semi,path=$semi_out" \
        -semihosting-config enable=on,target=native,chardev=semi \
        -kernel "$BIN_DIR/stack_thumb" >/dev/null; then
        cat "$semi_out"
        echo "FAIL: the run under QEMU did not finish"
        exit 1
    fi
    out="$(tr -d '\r' <"$semi_out")"
    rm -f "$semi_out"
    echo "$out"
    if grep -qE 'failed|flagged' <<<"$out"; then
        echo "FAIL: signing, verifying or appraising evidence failed on $TARGET"
        exit 1
    fi
    # The stack bound of docs/profile.md: verify + appraise of any input the limits allow (the
    # hostile shapes of probe/hostile) stays within 1 KiB of verify's own peak.
    verify_peak="$(sed -n 's/^stack_thumbv7em verify_ours peak_bytes=//p' <<<"$out")"
    hostile_peak="$(sed -n 's/^stack_thumbv7em verify_appraise_hostile_[a-z_]* peak_bytes=//p' \
        <<<"$out" | sort -n | tail -1)"
    if [[ -z "$verify_peak" || -z "$hostile_peak" ]]; then
        echo "FAIL: the stack run printed no verify or hostile peak"
        exit 1
    fi
    echo "stack bound: hostile verify+appraise $hostile_peak B, verify $verify_peak B," \
        "margin $((verify_peak + 1024 - hostile_peak)) B of 1024"
    if ((hostile_peak > verify_peak + 1024)); then
        echo "FAIL: verify + appraise of a hostile token needs more than verify + 1 KiB of stack"
        exit 1
    fi
else
    echo "SKIP: stack on $TARGET needs qemu-system-arm (apt-get install qemu-system-arm)"
fi

echo "== stack: painted thread stack, host $(rustc -vV | sed -n 's/^host: //p'), opt-level s"
cargo build --quiet --release --manifest-path "$HERE/stack/Cargo.toml" \
    --target-dir "$HERE/stack/target"
"$HERE/stack/target/release/ecnpp-stack-peak"
