#!/usr/bin/env bash
# fuzz.sh - build Depot's libFuzzer targets with clang and run each for a bounded time.
#
#   scripts/fuzz.sh [seconds]          # seconds per target, default 30
#
# Configures build-fuzz/ (DEPOT_FUZZ_BUILD_DIR overrides) with CC=clang -DDEPOT_FUZZ=ON, which
# builds every library with -fsanitize=fuzzer-no-link,address,undefined, builds fuzz_graphql,
# fuzz_request_body and fuzz_msg, and runs each on a copy of its committed corpus
# (fuzz/corpus/<target>/, never written to) with -max_total_time, -rss_limit_mb=2048,
# -timeout=10, -print_final_stats=1 and fuzz/<target>.dict when there is one. Prints each target's executions and coverage.
# Exits 1 when any target reports a crash, leak, timeout, out-of-memory or sanitizer finding
# (the reproducer is kept in the printed directory: add it to fuzz/corpus/<target>/ with the
# fix), 77 when clang or libFuzzer is missing (ctest's skip code), 2 on bad usage.
# FUZZ_TARGETS="fuzz_msg" limits the run to some targets.
set -euo pipefail

seconds="${1:-30}"
case "$seconds" in
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [seconds]" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${DEPOT_FUZZ_BUILD_DIR:-$root/build-fuzz}"
targets=(${FUZZ_TARGETS:-fuzz_graphql fuzz_request_body fuzz_msg})

#  clang with libFuzzer: link a one-line target, or skip.
cc="${FUZZ_CC:-clang}"
if ! command -v "$cc" >/dev/null; then
    echo "fuzz: SKIP: $cc not found (scripts/setup.sh installs clang and libclang-rt-14-dev)"
    exit 77
fi
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput (const uint8_t *d, size_t n) { return 0; }\n' \
    > "$probe/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" 2>"$probe/log"; then
    echo "fuzz: SKIP: $cc cannot link -fsanitize=fuzzer (libclang-rt-14-dev missing?)"
    sed 's/^/  /' "$probe/log" | head -5
    exit 77
fi

echo "fuzz: building ${targets[*]} in $build"
CC="$cc" cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DDEPOT_FUZZ=ON >"$probe/cmake.log" 2>&1 \
    || { cat "$probe/cmake.log"; exit 1; }
cmake --build "$build" -j2 --target "${targets[@]}" >"$probe/build.log" 2>&1 \
    || { tail -50 "$probe/build.log"; exit 1; }

work="$build/fuzz-run"
rm -rf "$work"
mkdir -p "$work"
failed=0
summary=()
for target in "${targets[@]}"; do
    corpus="$work/$target/corpus"
    artifacts="$work/$target/artifacts"
    mkdir -p "$corpus" "$artifacts"
    cp "$root/fuzz/corpus/$target/"* "$corpus/"
    seeds=$(ls "$corpus" | wc -l)
    echo "fuzz: $target for ${seconds}s on $seeds seeds"
    log="$work/$target/log"
    dict=()
    [ -f "$root/fuzz/$target.dict" ] && dict=(-dict="$root/fuzz/$target.dict")
    rc=0
    (cd "$work/$target" && "$build/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 "${dict[@]}" -artifact_prefix="$artifacts/" "$corpus") \
        >"$log" 2>&1 || rc=$?
    #  libFuzzer's last status line: "#N DONE cov: C ft: F corp: K/B ..."
    status=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
    corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$status")
    grep '^stat::' "$log" | sed 's/^/  /' || true
    echo "  $status"
    line="$target: ${execs:-?} execs (${speed:-?}/s), cov ${cov:-?} edges, ft ${ft:-?}, corpus $seeds -> ${corp:-?}"
    found=$(ls "$artifacts" | wc -l)
    if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ] \
       || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
        failed=1
        line="$line: FAILED (exit $rc)"
        echo "fuzz: $target FAILED (exit $rc); its report:"
        grep -nE 'ERROR:|runtime error:|SUMMARY:|property failed|Test unit written' "$log" \
            | head -20 | sed 's/^/  /'
        echo "  full log: $log; reproducers: $artifacts/"
    fi
    summary+=("$line")
done

echo "fuzz: summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}"
if [ $failed -ne 0 ]; then
    echo "fuzz: FAILED"
    exit 1
fi
echo "fuzz: OK, no crash, leak or sanitizer report"
