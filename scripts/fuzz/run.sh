#!/usr/bin/env bash
# Runs cargo-fuzz targets one after another, each for SECONDS seconds on one core, and prints
# one summary line per target (executions, coverage, features, corpus, crash or not).
#
#   scripts/fuzz/run.sh SECONDS [TARGET...]      (default: every target of `cargo fuzz list`)
#
# Needs nightly and cargo-fuzz (`cargo install --locked cargo-fuzz`). Logs go to
# fuzz/logs/<target>.log (ignored by git); new corpus entries to fuzz/corpus/<target>/ (or to
# $FUZZ_CORPUS_DIR/<target>/ when set, as the CI smoke run does to leave the tree alone), a
# crash to fuzz/artifacts/<target>/ (copy a real finding to fuzz/regressions/<target>/ once
# fixed). Every run starts by executing the whole corpus and the regressions.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_TARGET="${1:?usage: run.sh SECONDS [TARGET...]}"
shift
CORPUS="${FUZZ_CORPUS_DIR:-$ROOT/fuzz/corpus}"
MAX_LEN="${MAX_LEN:-65536}"
TIMEOUT="${TIMEOUT:-2}"
SLOW="${SLOW:-1}"
cd "$ROOT/fuzz"
TARGETS=("$@")
if [[ ${#TARGETS[@]} -eq 0 ]]; then
    mapfile -t TARGETS < <(cargo +nightly fuzz list)
fi
mkdir -p logs

status=0
for t in "${TARGETS[@]}"; do
    mkdir -p "$CORPUS/$t" "regressions/$t"
    log="logs/$t.log"
    work="logs/$t.work" # libFuzzer's worker log lands in the working directory: one per target
    rm -rf "$work" && mkdir -p "$work"
    # -jobs=1 runs one worker process (libFuzzer then writes the worker's log to fuzz-0.log in
    # the working directory). Inputs up to 64 KiB: the readers' work must be linear in the
    # input, so a unit slower than 2 s is a hang (a crash) and one slower than 1 s is reported
    # (docs/fuzzing.md). MAX_LEN, TIMEOUT and SLOW override them.
    rc=0
    (cd "$work" && cargo +nightly fuzz run --fuzz-dir "$ROOT/fuzz" "$t" "$CORPUS/$t" \
        "$ROOT/fuzz/regressions/$t" -- -jobs=1 -workers=1 -max_total_time="$SECONDS_PER_TARGET" \
        -timeout="$TIMEOUT" -report_slow_units="$SLOW" -print_final_stats=1 -max_len="$MAX_LEN" \
        >driver.log 2>&1) || rc=$?
    if [[ -f "$work/fuzz-0.log" ]]; then mv "$work/fuzz-0.log" "$log"; else cp "$work/driver.log" "$log"; fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
    ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
    corp=$(grep -o 'corp: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
    speed=$(grep -o 'exec/s: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
    verdict="ok"
    if [[ $rc -ne 0 ]] || grep -qE 'ERROR: libFuzzer|panicked at|SUMMARY: .*Sanitizer' "$log"; then
        verdict="CRASH (see $ROOT/fuzz/$log)"
        status=1
    fi
    slow=$(grep -o 'stat::slowest_unit_time_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    printf '%-20s %6ss execs=%s exec/s=%s cov=%s ft=%s corpus=%s slowest=%ss %s\n' \
        "$t" "$SECONDS_PER_TARGET" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
        "${slow:-0}" "$verdict"
done
exit $status
