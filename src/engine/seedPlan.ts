// Which seeds share a diagnostic pass (./pass runDiagnosticPasses): on a GPU every seed of a run in one batched pass,
// since a small layer costs its dispatches and S seeds stacked cost about what one does; fewer seeds per pass when S of
// them would not fit the memory (./sizeCheck), in chunks of equal size. CPU backends run one seed per pass (see
// BATCHING_BACKENDS).
import type { BackendName } from '../shared/result';
import type { HostNetwork } from './network';
import { seedsPerPassThatFit, type DeviceCapacity } from './sizeCheck';

/**
 * Backends that run seeds batched. Not wasm: measured with bench/seed-batch.ts (3 seeds, two runs on two shared cores,
 * bench/RESULTS.md), one batched pass took longer than a pass per seed — 128/32/1000 orthogonal 1.15–1.2×, Gaussian
 * 2–2.4×, 512/64/300 orthogonal 1.3–1.4×: wasm's per-op overhead is small, the stacked tensors pass the fused small-tensor
 * kernels' size (./ops) sooner, and wide orthogonal weights stay factored and are applied seed by seed anyway. Not cpu or
 * the native TensorFlow packages: no dispatch cost to save, and their memory is not predicted.
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
