// How a result names its backend's matmul (src/shared/backendText.ts): the kernel in words and the calibration's reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendDetails } from '../../src/shared/backendText';
import type { BackendInfo } from '../../src/shared/result';

const gpu: BackendInfo = {
  name: 'webgpu',
  version: '4.22.0',
  threads: 1,
  adapter: { vendor: 'nvidia', architecture: 'hopper', device: 'H200', description: 'NVIDIA 580', software: false },
};

test('the details name the matmul a webgpu run used and why', () => {
  const tiled = backendDetails({ ...gpu, matmul: { kernel: 'tiled', shape: [4096, 4096, 512], tiledGflops: 9000, tfjsGflops: 2000, reason: 'measured tiled 9000 against tfjs 2000 GFLOP/s' } });
  assert.equal(tiled.at(-1), 'matmul: DepthLens’s tiled WGSL kernel (measured tiled 9000 against tfjs 2000 GFLOP/s)');
  const kept = backendDetails({ ...gpu, matmul: { kernel: 'tfjs', reason: 'a software adapter: tfjs’s matmul kept, nothing timed' } });
  assert.equal(kept.at(-1), 'matmul: tfjs’s (a software adapter: tfjs’s matmul kept, nothing timed)');
  assert.ok(!backendDetails(gpu).some((l) => l.startsWith('matmul')), 'no line without a calibration');
});
