// Child of gpu-oom.test.ts: once its webgpu backend is up (SwiftShader, whose "GPU memory" is this process's memory), it
// limits its own address space to what it has mapped plus `process.argv[2]` MiB (prlimit; an RLIMIT_AS set before start
// would starve tsx's and tfjs' wasm), makes 256 MiB tensors until the GPU runs out, under the engine's out-of-memory watch,
// and prints what the watch saw as one JSON line.
import { selectBackend } from '../../src/engine/backend';
import { watchOutOfMemory } from '../../src/engine/backends/gpuOutOfMemory';
import type { Tensor } from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

async function main(): Promise<void> {
  const backend = await selectBackend('webgpu');
  const tf = backend.tf;
  await tf.fill([4, 4], 1).data();
  const mapped = Number(/VmSize:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
  const limit = Math.round(mapped + Number(process.argv[2] ?? 1024) * 2 ** 20);
  const set = spawnSync('prlimit', ['--pid', String(process.pid), `--as=${limit}:${limit}`], { encoding: 'utf8' });
  if (set.status !== 0) throw new Error(`prlimit failed: ${set.stderr}`);
  let stoppedEarly = false;
  const watch = backend.device ? watchOutOfMemory(backend.device, () => (stoppedEarly = true)) : null;
  if (!watch) throw new Error('the webgpu device has no error scopes');
  const kept: Tensor[] = [];
  let made = 0;
  // Each tensor is filled on the GPU and one value read back, as a run's tensors are used.
  for (; made < 40 && !stoppedEarly; made++) {
    const t = tf.fill([64, 1024, 1024], made + 1);
    kept.push(t);
    await tf.slice(t.reshape([-1]), [0], [1]).data();
    await new Promise((r) => setImmediate(r));
  }
  const outOfMemory = await watch.stop();
  process.stdout.write(`${JSON.stringify({ made, stoppedEarly, outOfMemory, firstError: watch.firstError() })}\n`);
  tf.dispose(kept);
  process.exit(0);
}

void main().catch((e: unknown) => {
  process.stdout.write(`${JSON.stringify({ crashed: String((e as Error)?.message ?? e) })}\n`);
  process.exit(3);
});
