#!/usr/bin/env bash
# A short fuzz smoke run for CI: every target for SECONDS seconds (default 15) on nightly, on a
# scratch copy of the corpus so the tree is left as it was. Each run first executes the whole
# committed corpus and fuzz/regressions/ through the real fuzz binary, which is how the C API
# target's corpus is replayed through the C API. Exits non-zero on any crash.
#
#   scripts/fuzz/smoke.sh [SECONDS]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_TARGET="${1:-15}"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
cp -r "$ROOT/fuzz/corpus/." "$SCRATCH/"
FUZZ_CORPUS_DIR="$SCRATCH" "$ROOT/scripts/fuzz/run.sh" "$SECONDS_PER_TARGET"
