#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing, builds
# (normal and ASan+UBSan), checks formatting, runs the C unit tests (CTest), each
# fuzz target briefly, and the pytest suites against a real moto server. Exit
# status 0 only if all pass.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"

"$here/setup.sh"

echo "== format"
git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror

echo "== build"
"$here/build.sh"
IAMFS_SANITIZE=1 "$here/build.sh"

echo "== unit tests"
(cd build && ctest --output-on-failure --timeout 120)
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure --timeout 300)

echo "== fuzz (brief)"
# Every libFuzzer target for a few seconds over a scratch copy of its corpus.
FUZZ_LOG_DIR="$root/build-fuzz/logs" tests/fuzz/run.sh 3

# The two pytest runs wait mostly on moto and on the daemons, not on the CPU
# (together they kept 2 cores about a third busy when run one after the other),
# so they run side by side, each in its own scratch folder; the ASan run's
# output is shown after the other's.
export PYTHONDONTWRITEBYTECODE=1
scratch="$(mktemp -d /tmp/iamfs-test.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/asan" "$scratch/moto"

# The fixtures fail a test whose daemon stderr holds a sanitizer report.
IAMFS_BUILD="$root/build-asan" ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	/usr/bin/python3 -m pytest tests/py/test_mount.py tests/py/test_save_concurrency.py \
	tests/py/test_save_targets.py tests/py/test_save_ambiguous.py tests/py/test_save_faults.py \
	tests/py/test_role_json.py tests/py/test_delete.py tests/py/test_attach.py \
	tests/py/test_create.py tests/py/test_org.py tests/py/test_first_open.py \
	--basetemp "$scratch/asan" \
	-q -p no:cacheprovider -ra "$@" >"$scratch/asan.log" 2>&1 &
asan_pid=$!

echo "== integration tests (moto)"
status=0
/usr/bin/python3 -m pytest tests/py --basetemp "$scratch/moto" -q -p no:cacheprovider -ra \
	--durations=10 "$@" || status=$?

echo "== the daemon under ASan+UBSan (mount, concurrent saves, save targets, lost answers, faults, role.json, deletes, attaching, creating roles)"
asan_status=0
wait "$asan_pid" || asan_status=$?
cat "$scratch/asan.log"
[ "$status" -eq 0 ] && [ "$asan_status" -eq 0 ]
