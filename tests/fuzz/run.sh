#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz (clang, ASan+UBSan) and runs each
# for SECONDS (default 4) over a scratch copy of its seed corpus, so that new
# inputs never land in the repository. Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]
# (TARGET: iam_parse, validate, render, disk, journal, ini, creds_json, names).
# Logs and any crash input go to $FUZZ_LOG_DIR (default: a temporary folder).
# Exit status 0 only when no target crashed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
secs="${1:-4}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
	targets=(iam_parse validate render disk journal ini creds_json names)
fi
build="$root/build-fuzz"
logs="${FUZZ_LOG_DIR:-$(mktemp -d /tmp/iamfs-fuzz-logs.XXXXXX)}"
mkdir -p "$logs"

CC=clang cmake -S "$root" -B "$build" -DIAMFS_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" --target fuzz_all -j2 >/dev/null

dict_of() {
	case "$1" in
	iam_parse) echo "$here/iam_parse.dict" ;;
	validate | render | creds_json | journal) echo "$here/json.dict" ;;
	esac
}

failed=0
for t in "${targets[@]}"; do
	scratch="$(mktemp -d /tmp/iamfs-fuzz-corpus.XXXXXX)"
	cp -r "$here/corpus/$t/." "$scratch/"
	args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="$logs/$t-")
	dict="$(dict_of "$t")"
	if [ -n "$dict" ]; then
		args+=(-dict="$dict")
	fi
	rc=0
	"$build/fuzz/fuzz_$t" "${args[@]}" "$scratch" >"$logs/$t.log" 2>&1 || rc=$?
	rm -rf "$scratch"
	runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log")"
	speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$t.log")"
	cov="$(grep -o 'cov: [0-9]*' "$logs/$t.log" | tail -n 1 || true)"
	if [ "$rc" -ne 0 ]; then
		failed=1
		echo "fuzz $t: FAILED (exit $rc), see $logs/$t.log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$logs/$t.log" | head -n 5 || true
	else
		echo "fuzz $t: ${secs} s, ${runs:-?} runs, ${speed:-?} exec/s, ${cov:-cov: ?}, 0 crashes"
	fi
done
exit "$failed"
