// The GPU's total memory where WebGPU does not give it (src/engine/backends/gpuMemoryTotal.ts): nvidia-smi's csv, amdgpu's
// sysfs files (a folder laid out as /sys/class/drm is), Apple's unified memory, and nothing for software adapters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amdSysfsTotal, gpuMemoryTotal, parseNvidiaSmi, type GpuMemorySources } from '../../src/engine/backends/gpuMemoryTotal';
import type { GpuAdapterInfo } from '../../src/shared/result';

const MiB = 2 ** 20;

test('nvidia-smi: the adapter’s own GPU by name, else the smallest of several', () => {
  const one = parseNvidiaSmi('143771, NVIDIA H200\n', 'NVIDIA H200');
  assert.equal(one?.bytes, 143771 * MiB);
  assert.match(one!.source, /nvidia-smi: NVIDIA H200, 143771 MiB/);
  const mixed = '24564, NVIDIA GeForce RTX 4090\r\n8188, NVIDIA GeForce RTX 3070\r\n';
  assert.equal(parseNvidiaSmi(mixed, 'NVIDIA GeForce RTX 4090')?.bytes, 24564 * MiB);
  const unknown = parseNvidiaSmi(mixed, '');
  assert.equal(unknown?.bytes, 8188 * MiB);
  assert.match(unknown!.source, /the smallest of 2 GPUs/);
  assert.equal(parseNvidiaSmi('NVIDIA-SMI has failed because it couldn’t communicate with the NVIDIA driver.\n', 'x'), null);
});

test('amdgpu sysfs: VRAM of AMD cards only (vendor 0x1002), connectors and other vendors skipped', () => {
  const root = mkdtempSync(join(tmpdir(), 'dl-drm-'));
  const card = (name: string, vendor: string, vram?: number): void => {
    mkdirSync(join(root, name, 'device'), { recursive: true });
    writeFileSync(join(root, name, 'device', 'vendor'), `${vendor}\n`);
    if (vram !== undefined) writeFileSync(join(root, name, 'device', 'mem_info_vram_total'), `${vram}\n`);
  };
  card('card0', '0x8086', 1); // an Intel iGPU: not amdgpu
  card('card1', '0x1002', 17163091968); // a 16 GiB Radeon
  card('card1-DP-1', '0x1002', 1); // a connector, not a card
  card('card2', '0x1002'); // an AMD card whose driver has no VRAM file
  const total = amdSysfsTotal(root);
  assert.equal(total?.bytes, 17163091968);
  assert.match(total!.source, /card1, 16368 MiB of VRAM/);
  assert.equal(amdSysfsTotal(join(root, 'missing')), null);
});

test('the lookup follows the adapter: software adapters and unknown vendors give nothing; Apple gets 2/3 of RAM', async () => {
  const adapter = (vendor: string, software = false): GpuAdapterInfo => ({ vendor, architecture: '', device: '', description: '', software });
  let asked = 0;
  const sources: GpuMemorySources = {
    platform: 'linux',
    drmRoot: join(tmpdir(), 'dl-no-drm-here'),
    runNvidiaSmi: async () => {
      asked++;
      return '81559, NVIDIA H100 80GB HBM3\n';
    },
    totalHostBytes: () => 48 * 2 ** 30,
  };
  assert.equal(await gpuMemoryTotal(adapter('google', true), sources), null);
  assert.equal(await gpuMemoryTotal(adapter('nvidia', true), sources), null);
  assert.equal(asked, 0, 'a software adapter never runs nvidia-smi');
  assert.equal((await gpuMemoryTotal(adapter('nvidia'), sources))?.bytes, 81559 * MiB);
  assert.equal(await gpuMemoryTotal(adapter('nvidia'), { ...sources, runNvidiaSmi: async () => null }), null);
  assert.equal(await gpuMemoryTotal(adapter('amd'), sources), null);
  assert.equal(await gpuMemoryTotal(adapter('intel'), sources), null);
  assert.equal((await gpuMemoryTotal(adapter('apple'), { ...sources, platform: 'darwin' }))?.bytes, 32 * 2 ** 30);
});
