#!/usr/bin/env bash
# Builds the SeaweedFS server (weed) the deploy tests run as a real S3
# endpoint, once, into a cache folder outside the clone, and prints the
# binary's path. `go install .../weed@version` is refused because the
# module's go.mod has replace directives, so the module is downloaded from
# the Go proxy, copied to a writable folder and built there (~8 minutes on
# a 2-core machine, then reused).
set -euo pipefail

version=v0.0.0-20261109003541-7506e5f91cd6
cache=${BANMIAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/banmian}
bin=$cache/seaweedfs-$version/weed

if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
  echo "$bin"; exit 0
fi

mkdir -p "$cache"
dir=$(cd "$cache" && go mod download -json "github.com/seaweedfs/seaweedfs@$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
  echo "seaweedfs: go mod download gave no module folder" >&2; exit 1
fi
src=$(mktemp -d "$cache/seaweedfs-src.XXXXXX")
trap 'chmod -R u+w "$src" 2>/dev/null; rm -rf "$src"' EXIT
cp -R "$dir/." "$src/"
chmod -R u+w "$src"
mkdir -p "$(dirname "$bin")"
(cd "$src" && nice go build -o "$bin.tmp" ./weed) >&2
mv "$bin.tmp" "$bin"
echo "$bin"
