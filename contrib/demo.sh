#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts a local IAM emulator (moto)
# seeded with example roles, mounts it at ${1:-~/iamfs-demo}, says what to try,
# and on Ctrl-C unmounts and stops the emulator.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
mnt="${1:-$HOME/iamfs-demo}"
port="${IAMFS_DEMO_PORT:-5123}"
moto_py="${IAMFS_MOTO_PYTHON:-python3}"
work="$(mktemp -d /tmp/iamfs-demo.XXXXXX)"

"$here/setup.sh"
"$here/build.sh"

moto_pid="" iamfs_pid=""
cleanup() {
	trap - INT TERM EXIT
	echo
	echo "demo: unmounting $mnt and stopping the emulator"
	fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null || true
	[ -n "$iamfs_pid" ] && { kill "$iamfs_pid" 2>/dev/null; wait "$iamfs_pid" 2>/dev/null || true; }
	[ -n "$moto_pid" ] && { kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null || true; }
	rm -rf "$work"
}
trap cleanup INT TERM EXIT

echo "demo: starting the IAM emulator on 127.0.0.1:$port (loading AWS managed policies)"
MOTO_IAM_LOAD_MANAGED_POLICIES=true AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
	"$moto_py" -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 200); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
	kill -0 "$moto_pid" 2>/dev/null || { cat "$work/moto.log" >&2; exit 1; }
	sleep 0.1
done
"$moto_py" "$here/seed_demo.py" "http://127.0.0.1:$port"

mkdir -p "$mnt"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
"$root/build/iamfs" -f --allow-delete --cache-dir "$work/cache" "$mnt" 2>"$work/iamfs.log" &
iamfs_pid=$!
for _ in $(seq 1 100); do
	[ -r "$mnt/.iamfs/status" ] && break
	kill -0 "$iamfs_pid" 2>/dev/null || { cat "$work/iamfs.log" >&2; exit 1; }
	sleep 0.1
done

cat <<MSG

iamfs is mounted at $mnt (a demo account served by moto; log: $work/iamfs.log).
Try, in another terminal:

  ls $mnt
  cat $mnt/web-server/role.json
  grep -rl sts:AssumeRoleWithWebIdentity $mnt
  cat $mnt/.iamfs/status

The AWS Step Functions guide, from a shell (each step is one IAM call, or none):

  mkdir $mnt/states-lambda-role                  # a pending role: nothing sent yet
  echo '{"Description": "Allows Step Functions to call AWS Lambda"}' > $mnt/states-lambda-role/role.json
  cp $here/examples/swf-trust.json $mnt/states-lambda-role/trust.json     # CreateRole
  touch $mnt/states-lambda-role/attached/AWSLambdaRole.json              # AttachRolePolicy
  vim $mnt/states-lambda-role/trust.json         # swf.amazonaws.com -> states.us-east-1.amazonaws.com, :wq
  cat $mnt/states-lambda-role/role.json

This demo mounts with --allow-delete, so it can be undone (copies go to .iamfs/removed/):

  rm -rf $mnt/states-lambda-role                 # DetachRolePolicy, DeleteRole

Press Ctrl-C here to unmount and stop the emulator.
MSG
wait "$iamfs_pid" || true
