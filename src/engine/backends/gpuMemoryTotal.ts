// A GPU's total memory. WebGPU does not expose it (and the `webgpu` package's Dawn binding exposes neither the
// adapter-properties-memory-heaps feature nor GPUAdapterInfo.memoryHeaps), so it is asked of what the platform has:
// NVIDIA's nvidia-smi (Linux and Windows drivers ship it), AMD's amdgpu sysfs files on Linux, and on Apple silicon the
// unified memory Metal lets one process use. Anything else: unknown (null), and a run is held to the largest buffer only.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { GpuAdapterInfo } from '../../shared/result';

export interface GpuMemoryTotal {
  bytes: number;
  /** Where the number came from, for messages and the result ("nvidia-smi: NVIDIA H200, 143771 MiB"). */
  source: string;
}

/** What the lookup reads; the defaults are the real system (tests point `drmRoot` at a folder of their own). */
export interface GpuMemorySources {
  platform: NodeJS.Platform;
  drmRoot: string;
  runNvidiaSmi: () => Promise<string | null>;
  totalHostBytes: () => number;
}

/**
 * Metal's recommendedMaxWorkingSetSize on Apple silicon is about two thirds of RAM at 8–32 GB (three quarters above): the
 * lower share, so a run refused on it would also have failed.
 */
const APPLE_WORKING_SET_SHARE = 2 / 3;
const NVIDIA_SMI_TIMEOUT_MS = 3000;

const SYSTEM: GpuMemorySources = {
  platform: process.platform,
  drmRoot: '/sys/class/drm',
  runNvidiaSmi: () =>
    new Promise((resolve) => {
      execFile('nvidia-smi', ['--query-gpu=memory.total,name', '--format=csv,noheader,nounits'], { timeout: NVIDIA_SMI_TIMEOUT_MS, windowsHide: true }, (err, stdout) =>
        resolve(err ? null : stdout),
      );
    }),
  totalHostBytes: totalmem,
};

export async function gpuMemoryTotal(adapter: GpuAdapterInfo, sources: GpuMemorySources = SYSTEM): Promise<GpuMemoryTotal | null> {
  if (adapter.software) return null;
  const vendor = adapter.vendor.toLowerCase();
  if (vendor.includes('nvidia')) {
    const out = await sources.runNvidiaSmi();
    return out === null ? null : parseNvidiaSmi(out, adapter.device);
  }
  if (vendor.includes('amd') && sources.platform === 'linux') return amdSysfsTotal(sources.drmRoot);
  if (vendor.includes('apple')) {
    const bytes = Math.floor(sources.totalHostBytes() * APPLE_WORKING_SET_SHARE);
    return { bytes, source: `unified memory: about 2/3 of ${gib(sources.totalHostBytes())} GiB of RAM (Metal's working-set limit)` };
  }
  return null;
}

/**
 * `nvidia-smi --query-gpu=memory.total,name --format=csv,noheader,nounits`: one "MiB, name" line per GPU. The adapter's
 * own line when its name matches one; otherwise (several GPUs, names that differ) the smallest, which every GPU has.
 */
export function parseNvidiaSmi(out: string, adapterDevice: string): GpuMemoryTotal | null {
  const gpus: { mib: number; name: string }[] = [];
  for (const line of out.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s*,\s*(.+?)\s*$/.exec(line);
    if (m) gpus.push({ mib: Number(m[1]), name: m[2] });
  }
  if (gpus.length === 0) return null;
  const wanted = adapterDevice.toLowerCase();
  const own = gpus.filter((g) => wanted !== '' && (g.name.toLowerCase().includes(wanted) || wanted.includes(g.name.toLowerCase())));
  const pick = (own.length > 0 ? own : gpus).reduce((a, b) => (b.mib < a.mib ? b : a));
  const which = own.length > 0 || gpus.length === 1 ? pick.name : `the smallest of ${gpus.length} GPUs, ${pick.name}`;
  return { bytes: pick.mib * 2 ** 20, source: `nvidia-smi: ${which}, ${pick.mib} MiB` };
}

/** amdgpu's VRAM size per card (cardN/device/mem_info_vram_total, AMD's PCI vendor 0x1002); the smallest when several. */
export function amdSysfsTotal(drmRoot: string): GpuMemoryTotal | null {
  let entries: string[];
  try {
    entries = readdirSync(drmRoot).filter((e) => /^card\d+$/.test(e));
  } catch {
    return null;
  }
  const sizes: { card: string; bytes: number }[] = [];
  for (const card of entries) {
    try {
      if (readFileSync(join(drmRoot, card, 'device', 'vendor'), 'utf8').trim().toLowerCase() !== '0x1002') continue;
      const bytes = Number(readFileSync(join(drmRoot, card, 'device', 'mem_info_vram_total'), 'utf8').trim());
      if (Number.isSafeInteger(bytes) && bytes > 0) sizes.push({ card, bytes });
    } catch {
      // Not an amdgpu card, or a driver without the file.
    }
  }
  if (sizes.length === 0) return null;
  const pick = sizes.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  return { bytes: pick.bytes, source: `amdgpu sysfs: ${pick.card}, ${Math.round(pick.bytes / 2 ** 20)} MiB of VRAM` };
}

const gib = (b: number): string => (b / 2 ** 30).toFixed(0);
