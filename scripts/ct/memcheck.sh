#!/usr/bin/env bash
# Constant-time check with valgrind memcheck (see docs/constant-time.md).
#
# Builds tests/ct in release mode (the shipped optimisation settings, plus debug info) and runs
# tests/ct/src/bin/ct_memcheck.rs under memcheck: secrets are marked undefined, public outputs
# defined, and any branch or memory index on a secret is a memcheck error. The named, justified
# suppressions are in tests/ct/valgrind.supp.
#
# Then the test of the test: the same program with an early-exit comparison swapped in for
# Nonce::ct_eq must FAIL. The script fails if the first run reports anything or if the second
# run does not.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CT="$ROOT/tests/ct"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind not found (apt-get install valgrind)" >&2
    exit 2
fi
cargo build --release --quiet --manifest-path "$CT/Cargo.toml" --bin ct_memcheck
BIN="$CT/target/release/ct_memcheck"
VG=(valgrind --tool=memcheck --error-exitcode=1 --num-callers=30
    --suppressions="$CT/valgrind.supp")

echo "== constant-time operations, secrets marked undefined"
log="$(mktemp)"
if ! "${VG[@]}" -s "$BIN" 2>"$log"; then
    cat "$log" >&2
    echo "FAIL: memcheck reported a secret-dependent branch or index (see above)" >&2
    exit 1
fi
grep -E "ERROR SUMMARY|used_suppression" "$log" | sed 's/^==[0-9]*== //'
rm -f "$log"

echo "== test of the test: an early-exit comparison in place of Nonce::ct_eq must fail"
log="$(mktemp)"
if "${VG[@]}" "$BIN" --leaky-nonce-compare >"$log" 2>&1; then
    cat "$log" >&2
    echo "FAIL: the leaky comparison was not detected; the memcheck test proves nothing" >&2
    exit 1
fi
grep -q "Conditional jump or move depends on uninitialised value" "$log" || {
    cat "$log" >&2
    echo "FAIL: the leaky run failed for another reason than a secret-dependent branch" >&2
    exit 1
}
grep -E "LEAKY|ERROR SUMMARY" "$log" | sed 's/^==[0-9]*== //'
rm -f "$log"
echo "PASS: no secret-dependent branch or index; the leaky comparison was caught"
