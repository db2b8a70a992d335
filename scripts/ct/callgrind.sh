#!/usr/bin/env bash
# Constant-time regression check with callgrind instruction counts (see docs/constant-time.md).
#
# Signs (a SHA-256 digest, and a whole ECN PP evidence token) once per process with each of
# several keys under `valgrind --tool=callgrind`, counting only the measured function, and fails
# unless every key costs exactly the same number of instructions. Instruction counts are
# deterministic, so unlike timings they are exact on a shared, noisy machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CT="$ROOT/tests/ct"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind not found (apt-get install valgrind)" >&2
    exit 2
fi
cargo build --release --quiet --manifest-path "$CT/Cargo.toml" --bin ct_callgrind
BIN="$CT/target/release/ct_callgrind"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# Keys of every shape: the smallest and largest scalars, sparse and dense bit patterns, the
# RFC 9052 example key, and a few arbitrary ones.
KEYS=(
    0000000000000000000000000000000000000000000000000000000000000001
    ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550
    8000000000000000000000000000000000000000000000000000000000000000
    00000000000000000000000000000000ffffffffffffffffffffffffffffffff
    4242424242424242424242424242424242424242424242424242424242424242
    57c92077664146e876760c9520d054aa93c3afb04e306705db6090308507b4d3
    0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    5555555555555555555555555555555555555555555555555555555555555555
)

status=0
for op in sign evidence; do
    func="ecnpp_ct::sign_digest"
    [[ $op == evidence ]] && func="ecnpp_ct::sign_evidence"
    first=""
    for key in "${KEYS[@]}"; do
        valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" --toggle-collect="$func" \
            "$BIN" "$op" "$key" 2>/dev/null
        ir=$(grep -E '^summary:' "$OUT/cg.out" | awk '{print $2}')
        printf '%-9s key %s..  %s instructions\n' "$op" "${key:0:16}" "$ir"
        if [[ -z "$first" ]]; then
            first="$ir"
        elif [[ "$ir" != "$first" ]]; then
            status=1
        fi
    done
done
if [[ $status -ne 0 ]]; then
    echo "FAIL: the instruction count of signing depends on the key" >&2
    exit 1
fi
echo "PASS: signing costs the same number of instructions for every key"
