// Issue 16 item 4, GPU memory: WebGPU does not report the GPU's memory (Dawn knows its heaps, but webgpu@0.6.2's binding
// exposes neither the adapter-properties-memory-heaps feature nor GPUAdapterInfo.memoryHeaps: checked on SwiftShader), so
// a run that outgrows the GPU is caught as it happens: the engine's out-of-memory watch (an 'out-of-memory' error scope
// plus the first uncaptured error) sees the failed allocation and stops the run, which analyze() reports as too large.
// SwiftShader's GPU memory is host memory, so a child process that caps its own address space runs out for real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SWIFTSHADER_ICD } from './webgpu';

const root = join(__dirname, '..', '..');

test('a GPU that runs out of memory is caught by the watch: the out-of-memory message, and the run told to stop at the first fallout', (t) => {
  if (!process.env.CI && (!existsSync(SWIFTSHADER_ICD) || spawnSync('prlimit', ['--version']).status !== 0)) {
    t.skip('needs SwiftShader (chromium) and prlimit (util-linux)');
    return;
  }
  const env = { ...process.env, VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? SWIFTSHADER_ICD };
  // 1 GiB more than the child has mapped once its backend is up: at most four of its 256 MiB tensors fit.
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'gpu-oom-child.ts'), '1024'], { cwd: root, env, encoding: 'utf8', timeout: 180_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  assert.equal(r.status, 0, `${line}\n${r.stderr.slice(-2000)}`);
  const seen = JSON.parse(line) as { made: number; stoppedEarly: boolean; outOfMemory: string | null; firstError: string | null };
  t.diagnostic(JSON.stringify(seen));
  assert.match(seen.outOfMemory ?? '', /out of (device |host )?memory|OUT_OF_(DEVICE|HOST)_MEMORY/i);
  assert.ok(seen.stoppedEarly, 'the first uncaptured error must stop the run');
  assert.ok(seen.made < 40, `${seen.made} tensors of 256 MiB were made under a 1 GiB limit`);
  assert.doesNotMatch(r.stderr, /Segmentation fault|Aborted|FATAL ERROR/);
});
