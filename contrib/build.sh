#!/usr/bin/env bash
# Configures and builds iamfs into build/ (the daemon is build/iamfs).
# IAMFS_SANITIZE=1 builds with ASan+UBSan into build-asan/ instead.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${IAMFS_SANITIZE:-0}" = 1 ]; then
	dir=build-asan
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DIAMFS_SANITIZE=ON >/dev/null
else
	dir=build
	cmake -S . -B "$dir" >/dev/null
fi
cmake --build "$dir" -j2
