#!/usr/bin/env bash
# (Re)writes the seed inputs of every fuzz target into fuzz/corpus/<target>/seed-*: tokens and
# claims the library makes (signed with the RFC 9052 C.2.1 example key) and the public COSE
# vectors (read from ../shared/vectors or $ECNPP_VECTORS_DIR at seed time; only the derived
# bytes are written). Then minimises each corpus with `cargo fuzz cmin` when nightly and
# cargo-fuzz are available.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
cargo test -p ecnpp-tests --test fuzz_replay -- --ignored write_seeds --nocapture
if cargo +nightly fuzz --version >/dev/null 2>&1; then
    for t in $(cd fuzz && cargo +nightly fuzz list); do
        (cd fuzz && cargo +nightly fuzz cmin "$t" "corpus/$t" -- -max_len=4096) >/dev/null 2>&1 || true
        echo "$t: $(ls fuzz/corpus/$t | wc -l) inputs after cmin"
    done
fi
