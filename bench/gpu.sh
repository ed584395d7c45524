#!/usr/bin/env bash
# DepthLens on a GPU (webgpu backend through Dawn/Vulkan) against wasm and against PyTorch CUDA on the same machine, in one run.
# See bench/README-GPU.md. Two modes:
#   bash bench/gpu.sh           on the GPU machine (device tool), from the repository root, with .gpu-carry carried
#                               (bench/gpu/prepare.sh makes it): Node, dist/, webgpu and libvulkan1 come from there.
#   bash bench/gpu.sh --smoke   here, tiny sizes, SwiftShader's Vulkan driver, the system node and dist/ when nothing is
#                               carried; PyTorch steps are skipped when torch cannot be imported.
# Every step runs under `timeout` and under one overall deadline (DEPTHLENS_GPU_BUDGET_S, default 420 s; the smoke run 300 s);
# a step that fails or times out is recorded and the rest go on. Raw outputs stay in $WORK; the report goes to
# $OUT/GPU-RESULTS.md when $OUT is set, else bench/GPU-RESULTS.md, plus gpu-results.json and gpu-raw.tar.gz beside it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SMOKE=0
for a in "$@"; do
  case $a in
    --smoke) SMOKE=1 ;;
    *) echo "usage: bash bench/gpu.sh [--smoke]" >&2; exit 2 ;;
  esac
done
START=$SECONDS
if [[ $SMOKE == 1 ]]; then BUDGET=${DEPTHLENS_GPU_BUDGET_S:-300}; else BUDGET=${DEPTHLENS_GPU_BUDGET_S:-420}; fi
RESERVE=15 # seconds kept for the report
CARRY=$ROOT/.gpu-carry
WORK=$(mktemp -d /tmp/depthlens-gpu.XXXXXX)
DEST=${OUT:-$ROOT/bench}
mkdir -p "$WORK/specs" "$WORK/raw" "$DEST"
STEPS=$WORK/steps.tsv
: >"$STEPS"

say() { printf '[gpu %3ds] %s\n' $((SECONDS - START)) "$*"; }
note() { printf '%s\n' "$*" >>"$WORK/notes.txt"; say "$*"; }

# step NAME CAP cmd...: runs cmd with stdout → raw/NAME.out, stderr → raw/NAME.err, under timeout min(CAP, time left);
# records "NAME rc seconds cap" in steps.tsv (rc 124/137: timed out; -1: skipped for lack of time). Never fails the script.
step() {
  local name=$1 cap=$2
  shift 2
  local left=$((BUDGET - RESERVE - (SECONDS - START)))
  local t=$((cap < left ? cap : left))
  if ((t < 5)); then
    printf '%s\t-1\t0\t%s\n' "$name" "$cap" >>"$STEPS"
    say "$name: skipped (no time left in the ${BUDGET}s budget)"
    return 0
  fi
  local t0=$SECONDS rc=0
  timeout -k 5 "$t" "$@" >"$WORK/raw/$name.out" 2>"$WORK/raw/$name.err" || rc=$?
  printf '%s\t%s\t%s\t%s\n' "$name" "$rc" $((SECONDS - t0)) "$t" >>"$STEPS"
  local tail
  tail=$(tail -n 2 "$WORK/raw/$name.err" | tr '\n' ' ' | cut -c1-220)
  if [[ $rc == 0 ]]; then say "$name: ok ($((SECONDS - t0)) s)"
  elif [[ $rc == 124 || $rc == 137 ]]; then say "$name: TIMED OUT after ${t}s ${tail}"
  else say "$name: rc=$rc ($((SECONDS - t0)) s) ${tail}"; fi
  return 0
}

# Unpacks an .xz file (xz, else Python's lzma) and a .tar.xz into a folder.
unxz_to() { if command -v xz >/dev/null; then xz -dc "$1" >"$2"; else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"))' "$1" "$2"; fi; }
untar_xz() { python3 -c 'import sys,tarfile; kw = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2], **kw)' "$1" "$2"; }

# ------------------------------------------------------------------------------------------------------------- setup
say "mode: $([[ $SMOKE == 1 ]] && echo smoke || echo full), budget ${BUDGET}s, work $WORK"
NODE=""
if [[ -f $CARRY/node.xz ]]; then
  mkdir -p "$WORK/bin"
  unxz_to "$CARRY/node.xz" "$WORK/bin/node"
  chmod +x "$WORK/bin/node"
  NODE=$WORK/bin/node
  note "node: carried $("$NODE" -v)"
elif command -v node >/dev/null; then
  NODE=$(command -v node)
  note "node: system $("$NODE" -v) ($NODE)"
else
  say 'FAIL: no node (carry .gpu-carry made by bench/gpu/prepare.sh)'
  exit 1
fi
export PATH=$(dirname "$NODE"):$PATH

# The smoke run keeps an existing dist/ (a shared build output here); the full run always takes the carried one.
if [[ -f $CARRY/dist.tar.xz && ($SMOKE == 0 || ! -f $ROOT/dist/cli.js) ]]; then
  rm -rf "$ROOT/dist"
  untar_xz "$CARRY/dist.tar.xz" "$ROOT"
  note "dist: carried ($(grep -m1 '^made:' "$CARRY/MANIFEST" 2>/dev/null || echo 'no MANIFEST'))"
elif [[ -f $ROOT/dist/cli.js ]]; then
  note "dist: existing $ROOT/dist (built $(date -u -r "$ROOT/dist/cli.js" +%FT%TZ))"
else
  say 'FAIL: no dist/cli.js (npm run build, or carry .gpu-carry)'
  exit 1
fi
# Rebuilt whenever esbuild is here (npm run build does not make it, so a kept one can be stale); else the carried one.
if [[ -d $ROOT/node_modules/esbuild ]]; then
  "$NODE" bench/gpu/build-peak.mjs >/dev/null || note 'bench/gpu/build-peak.mjs failed: matmul peaks use the dist/gpu-peak.js there is'
elif [[ ! -f $ROOT/dist/gpu-peak.js ]]; then
  note 'dist/gpu-peak.js missing and esbuild absent: matmul peaks will fail'
fi

if [[ ! -f $ROOT/node_modules/webgpu/dist/linux-x64/dawn.node ]]; then
  if [[ -f $CARRY/webgpu.tar.xz ]]; then
    mkdir -p "$ROOT/node_modules"
    untar_xz "$CARRY/webgpu.tar.xz" "$ROOT/node_modules"
    note "webgpu: carried $(python3 -c 'import json; print(json.load(open("node_modules/webgpu/package.json"))["version"])')"
  else
    note 'webgpu: the package is absent (node_modules/webgpu): the webgpu steps will fail'
  fi
else
  note "webgpu: node_modules/webgpu $(python3 -c 'import json; print(json.load(open("node_modules/webgpu/package.json"))["version"])')"
fi

if ! ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1' >/dev/null; then # no grep -q: under pipefail it SIGPIPEs ldconfig
  deb=$(ls "$CARRY"/libvulkan1_*.deb 2>/dev/null | head -n1 || true)
  if [[ -n $deb ]] && command -v dpkg >/dev/null; then
    dpkg -x "$deb" / && ldconfig
    note "vulkan loader: installed from $(basename "$deb")"
  else
    note 'vulkan loader: libvulkan.so.1 missing and no .deb carried: the webgpu steps will fail'
  fi
else
  note 'vulkan loader: present'
fi

if [[ $SMOKE == 1 ]]; then
  export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
  note "vulkan driver: SwiftShader (VK_ICD_FILENAMES=$VK_ICD_FILENAMES)"
else
  found=""
  for d in /etc/xdg /etc /usr/local/etc /usr/local/share /usr/share; do
    for f in "$d"/vulkan/icd.d/*.json; do
      [[ -f $f ]] && grep -qi nvidia "$f" && found=$f && break 2
    done
  done
  if [[ -n $found ]]; then
    note "vulkan driver: the loader's default search finds $found"
  else
    icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    [[ -f $icd ]] || icd=$(find /usr/local/nvidia /usr/lib /usr/share /etc -maxdepth 5 -name 'nvidia_icd*.json' 2>/dev/null | head -n1 || true)
    if [[ -n $icd ]]; then
      export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd # the second for loaders older than 1.3.234
      note "vulkan driver: no NVIDIA ICD on the default paths; VK_DRIVER_FILES=$icd"
    else
      note 'vulkan driver: no NVIDIA ICD found anywhere'
    fi
  fi
fi

# Machine
{
  echo "gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n1 || echo none)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') × $(nproc)"
  echo "memory=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "node=$("$NODE" -v)"
  echo "os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  echo "date=$(date -u +%FT%TZ)"
  echo "mode=$([[ $SMOKE == 1 ]] && echo smoke || echo full)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$WORK/machine.txt"
cat "$WORK/machine.txt"

# ------------------------------------------------------------------------------------------------------------- sizes
if [[ $SMOKE == 1 ]]; then
  GPU_SIZES=(64/16/20 96/24/12)
  WASM_SIZES=(64/16/20 96/24/12)
  AUTO_SIZE=64/16/20
  PEAK_WEBGPU=128x128x128
  PEAK_TILED=128x128x128,96x96x24:ta,65x129x33
  PEAK_WASM=128x128x128
  TORCH_REQUIRED=0
else
  GPU_SIZES=(128/32/1000 512/64/1000 2048/256/300 4096/512/100 8192/1024/50)
  WASM_SIZES=(128/32/1000 512/64/1000)
  AUTO_SIZE=128/32/1000
  PEAK_WEBGPU=4096x4096x4096
  # tfjs's matmul against DepthLens's tiled one: 1024³, 4096³, and the pass's products at 4096/512 (W·X from a stored Wᵀ,
  # Wᵀ·G, the XᵀX Gram) and 2048/256. PyTorch times the same list (torch_pass.py matmulShapes).
  PEAK_TILED=1024x1024x1024,4096x4096x4096,4096x4096x512:ta,4096x4096x512,512x4096x512:ta,2048x2048x256:ta
  PEAK_WASM=512x512x512
  TORCH_REQUIRED=1
fi
REFUSE_SIZE=8192/1024/50 # wasm must refuse this up front (real size in both modes: the check runs before any work)

spec() { # spec W/B/D → path of a generated spec
  local w b d
  IFS=/ read -r w b d <<<"$1"
  local f=$WORK/specs/w${w}b${b}d${d}.depthlens.yaml
  cat >"$f" <<EOF
depthlens: 1
name: gpu bench ${w}x${b}x${d}
data: { source: gaussian, features: ${w}, batch: ${b}, classes: 10 }
model: { depth: ${d}, width: ${w}, init: orthogonal, norm: batchnorm, center: false, eps: 0, activation: identity }
loss: cross-entropy
diagnostics: { seeds: 1, seed: 0 }
EOF
  echo "$f"
}
key() { echo "${1//\//x}"; } # 128/32/1000 → 128x32x1000

analyze() { # analyze BACKEND SIZE CAP
  local k
  k=$(key "$2")
  step "dl-$1-$k" "$3" "$NODE" dist/cli.js analyze "$(spec "$2")" --backend "$1" --seeds 1 --no-sweep --no-train --json "$WORK/raw/dl-$1-$k.json"
}

torch_step() {
  local sizes="[" s w b d
  for s in "${GPU_SIZES[@]}"; do IFS=/ read -r w b d <<<"$s"; sizes+="[$w,$b,$d],"; done
  sizes="${sizes%,}]"
  local left=$((BUDGET - RESERVE - (SECONDS - START) - 10))
  local shapes="[" p m k n
  for p in ${PEAK_TILED//,/ }; do IFS=x read -r m k n <<<"${p%%:*}"; shapes+="[$m,$k,$n,$([[ $p == *:ta ]] && echo true || echo false),$([[ $p == *:tb ]] && echo true || echo false)],"; done
  shapes="${shapes%,}]"
  local job="{\"sizes\": $sizes, \"matmulShapes\": $shapes, \"reps\": 3, \"matmul\": $([[ $SMOKE == 1 ]] && echo 256 || echo 4096), \"spreadSeeds\": 5, \"allowCpu\": $([[ $SMOKE == 1 ]] && echo true || echo false), \"deadlineSeconds\": $((left < 150 ? left : 150))}"
  step torch 170 env PYTHONUNBUFFERED=1 python3 bench/gpu/torch_pass.py "$job" "$WORK/raw/torch.json"
  if grep -q '"available": false' "$WORK/raw/torch.json" 2>/dev/null; then
    local why
    why=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("error",""))' "$WORK/raw/torch.json")
    if [[ $TORCH_REQUIRED == 1 ]]; then note "ERROR: $why (the full run needs PyTorch with CUDA)"; else note "$why: PyTorch steps skipped"; fi
  fi
}

# ------------------------------------------------------------------------------------------------------------- steps
# Cheap and decisive first (the refusal, auto, the comparison size on both engines and PyTorch, the wasm sizes, the peaks);
# the big webgpu sizes, whose cost is least known, last, each under its own cap.
step wasm-refuse 15 "$NODE" dist/cli.js analyze "$(spec $REFUSE_SIZE)" --backend wasm --seeds 1 --no-sweep --no-train --json "$WORK/raw/wasm-refuse.json"
step auto 45 "$NODE" dist/cli.js analyze "$(spec $AUTO_SIZE)" --backend auto --seeds 1 --no-sweep --no-train --json "$WORK/raw/auto.json"
analyze webgpu "${GPU_SIZES[0]}" 60
torch_step
analyze wasm "${WASM_SIZES[0]}" 60
analyze webgpu "${GPU_SIZES[1]}" 60
for s in "${WASM_SIZES[@]:1}"; do analyze wasm "$s" 60; done
step peak-webgpu 45 "$NODE" dist/gpu-peak.js --backend webgpu --shapes "$PEAK_WEBGPU"
step peak-wasm 30 "$NODE" dist/gpu-peak.js --backend wasm --shapes "$PEAK_WASM"
for s in "${GPU_SIZES[@]:2}"; do
  case $s in 8192/*) cap=75 ;; *) cap=60 ;; esac
  analyze webgpu "$s" $cap
done
# Three seeds in one batched pass (src/engine/seedPlan.ts) at the comparison size, against its one-seed run above.
k=$(key "${GPU_SIZES[0]}")
step "dl-webgpu-seeds3-$k" 60 "$NODE" dist/cli.js analyze "$(spec "${GPU_SIZES[0]}")" --backend webgpu --seeds 3 --no-sweep --no-train --json "$WORK/raw/dl-webgpu-seeds3-$k.json"
# Last and in its own step, so that a tiled kernel that fails on this driver loses nothing else (the webgpu runs above
# already record the tiled and tfjs rates their one-time calibration measured at their width: backend.matmul).
step peak-tiled 75 "$NODE" dist/gpu-peak.js --backend webgpu --kernel both --seconds 0.4 --flops 1e12 --shapes "$PEAK_TILED"

# ------------------------------------------------------------------------------------------------------------- report
say 'report'
rc=0
python3 bench/gpu/report.py "$WORK" "$DEST" "$([[ $SMOKE == 1 ]] && echo smoke || echo full)" "${GPU_SIZES[*]}" "${WASM_SIZES[*]}" "$AUTO_SIZE" "$REFUSE_SIZE" || rc=$?
tar -C "$WORK" -czf "$DEST/gpu-raw.tar.gz" raw specs steps.tsv machine.txt notes.txt 2>/dev/null || true
say "wrote $DEST/GPU-RESULTS.md, $DEST/gpu-results.json, $DEST/gpu-raw.tar.gz (raw outputs: $WORK)"
exit $rc
