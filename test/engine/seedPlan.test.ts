// Which seeds share a pass (./seedPlan), the memory a batch of seeds is predicted to take (./sizeCheck), and the GPU cost
// model's count of a batched pass's dispatches (./backends/cost): closed forms, no backend needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictGpu } from '../../src/engine/backends/cost';
import { buildHostNetwork } from '../../src/engine/network';
import { batchesSeeds, seedPasses } from '../../src/engine/seedPlan';
import { GPU_SEED_BATCH_BYTES, largestTensorBytes, passFits, passFootprint, seedsPerPassThatFit } from '../../src/engine/sizeCheck';
import { blocks } from './helpers';

const seeds = [7, 8, 9, 10, 11];

test('a GPU runs all seeds in one pass; CPU backends one seed per pass', () => {
  const net = buildHostNetwork(blocks({ depth: 10, width: 64 }), 64, 10, 0);
  assert.deepEqual(seedPasses('webgpu', { maxBufferBytes: 2 ** 30 }, net, 32, seeds), [seeds]);
  for (const cpu of ['wasm', 'cpu', 'tensorflow'] as const) {
    assert.equal(batchesSeeds(cpu), false);
    assert.deepEqual(seedPasses(cpu, {}, net, 32, seeds), seeds.map((s) => [s]));
  }
});

test('a batch of S seeds is predicted to take S times one seed’s memory (but the runtime base), and its largest tensor S times', () => {
  const net = buildHostNetwork(blocks({ depth: 20, width: 256 }), 256, 10, 0);
  const one = passFootprint(net, 64);
  const three = passFootprint(net, 64, 3);
  assert.equal(three.weightBytes, 3 * one.weightBytes);
  assert.equal(three.activationBytes, 3 * one.activationBytes);
  assert.equal(three.hostBytes, 3 * one.hostBytes);
  // Workspace: S times the largest layer's temporaries, plus the runtime's own heap once.
  const two = passFootprint(net, 64, 2);
  assert.equal(three.workspaceBytes - two.workspaceBytes, two.workspaceBytes - one.workspaceBytes);
  assert.ok(three.workspaceBytes < 3 * one.workspaceBytes);
  assert.equal(largestTensorBytes(net, 64, 3), 3 * largestTensorBytes(net, 64));
});

test('seeds that do not fit the GPU together run in equal chunks of as many as fit', () => {
  const net = buildHostNetwork(blocks({ depth: 10, width: 1024 }), 1024, 10, 0);
  // The largest tensor is a 1024² weight (4 MiB): a buffer limit of 9 MiB holds two seeds' stacked weights, not three.
  const capacity = { maxBufferBytes: 9 * 2 ** 20 };
  assert.equal(largestTensorBytes(net, 64), 4 * 2 ** 20);
  assert.equal(seedsPerPassThatFit(net, 64, capacity, 5), 2);
  assert.deepEqual(seedPasses('webgpu', capacity, net, 64, seeds), [[7, 8], [9, 10], [11]]);
  // The GPU memory bound for a batch: a network taking more than a third of it runs at most two seeds per pass.
  const big = buildHostNetwork(blocks({ depth: 300, width: 1024 }), 1024, 10, 0);
  const per = passFootprint(big, 256).deviceBytes;
  assert.ok(per < GPU_SEED_BATCH_BYTES && 3 * per > GPU_SEED_BATCH_BYTES, `one seed ${per} bytes`);
  const most = seedsPerPassThatFit(big, 256, { maxBufferBytes: 2 ** 31 }, 5);
  assert.ok(most >= 1 && most <= 2);
  assert.ok(passFits(big, 256, { maxBufferBytes: 2 ** 31 }, most));
  assert.equal(passFits(big, 256, { maxBufferBytes: 2 ** 31 }, most + 1), false);
});

test('the GPU cost model counts a batched pass’s dispatches once for all its seeds', () => {
  const w = { width: 128, batch: 32, features: 128, depth: 1000, passes: 3, orthogonal: false };
  const separate = predictGpu(w, true).seconds;
  const batched = predictGpu({ ...w, batchedPasses: 1 }, true).seconds;
  // 3 passes of 14 dispatches per layer against one of 15, at 60 µs each, over 1000 layers: 1.62 s less.
  assert.ok(Math.abs(separate - batched - 1000 * (42 - 15) * 60e-6) < 1e-9, `${separate} − ${batched}`);
  assert.equal(predictGpu({ ...w, passes: 1, batchedPasses: 1 }, true).seconds, predictGpu({ ...w, passes: 1 }, true).seconds);
});
