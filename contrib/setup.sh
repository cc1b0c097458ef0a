#!/usr/bin/env bash
# Installs what iamfs needs to build, run and be tested on Debian or Ubuntu.
# Idempotent and non-interactive: packages already present are not reinstalled,
# and apt-get update runs only when something is missing.
set -euo pipefail

packages=(
	build-essential cmake pkg-config clang-format clang
	libfuse3-dev fuse3 libcurl4-openssl-dev libssl-dev libcjson-dev libexpat1-dev
	python3 python3-pytest python3-boto3 ca-certificates
	vim nano emacs-nox rsync tmux git psmisc procps
	man-db groff-base dpkg
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
	sudo_cmd=(sudo)
fi

if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libFuzzer's runtime (tests/fuzz) ships in libclang-rt-N-dev, only recommended
# by clang: install the one matching the installed clang.
rt="libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
if ! dpkg-query -W -f='${Status}' "$rt" 2>/dev/null | grep -q "ok installed"; then
	echo "setup: installing $rt"
	"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "$rt" >/dev/null
fi

# The IAM emulator (moto server) runs in whichever Python has it: $IAMFS_MOTO_PYTHON,
# else python3 on PATH. Debian does not package moto; elsewhere install it with pip.
moto_py="${IAMFS_MOTO_PYTHON:-python3}"
if ! "$moto_py" -c 'import moto.server' 2>/dev/null; then
	echo "setup: moto is not installed for $moto_py; trying pip install 'moto[server]'" >&2
	"$moto_py" -m pip install --user --quiet 'moto[server]' || {
		echo "setup: could not install moto; set IAMFS_MOTO_PYTHON to a Python that has moto[server]" >&2
		exit 1
	}
fi
echo "setup: ok"
