// Which seeds share a diagnostic pass (./pass runDiagnosticPasses): on a GPU every seed of a run in one batched pass,
// since a small layer costs its dispatches and S seeds stacked cost about what one does; fewer seeds per pass when S of
// them would not fit the memory (./sizeCheck), in chunks of equal size. CPU backends run one seed per pass (see
// BATCHING_BACKENDS).
import type { BackendName } from '../shared/result';
import type { HostNetwork } from './network';
import { seedsPerPassThatFit, type DeviceCapacity } from './sizeCheck';

/**
 * Backends that run seeds batched. Not wasm: measured with bench/seed-batch.ts (3 seeds, two shared cores), one batched
 * pass was no faster than a pass per seed — XNNPACK's batched product runs the batch's products one after another, the
 * per-op overhead it saves is small on wasm, and the stacked tensors leave the fused small-tensor kernels (./ops) sooner.
 * Not cpu or the native TensorFlow packages: no dispatch cost to save, and their memory is not predicted.
 */
const BATCHING_BACKENDS: ReadonlySet<BackendName> = new Set<BackendName>(['webgpu']);

export function batchesSeeds(backend: BackendName): boolean {
  return BATCHING_BACKENDS.has(backend);
}

/** `seeds` cut into the passes that run them: one pass per seed, or batches as large as memory allows, of equal size. */
export function seedPasses(backend: BackendName, capacity: DeviceCapacity, net: HostNetwork, n: number, seeds: readonly number[]): number[][] {
  if (!batchesSeeds(backend) || seeds.length <= 1) return seeds.map((s) => [s]);
  const most = seedsPerPassThatFit(net, n, capacity, seeds.length);
  const passes = Math.ceil(seeds.length / most);
  const size = Math.ceil(seeds.length / passes);
  const out: number[][] = [];
  for (let i = 0; i < seeds.length; i += size) out.push(seeds.slice(i, i + size));
  return out;
}
