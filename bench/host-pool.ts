// The isometry-gap worker pool (src/engine/hostPool.ts) against inline serial reduction on the main thread.
// Run: node --import tsx bench/host-pool.ts [--quick]
//  - throughput: 64 Grams at n = 256, 16 at n = 512, 8 at n = 1024 (--quick: 16/4/2), inline serial vs the default pool and
//    a pool of availableParallelism() workers; seconds, ratio, and the main thread's busy share while the pool works
//    (event-loop utilization: what is left for the pass);
//  - the inline threshold: per-Gram time inline vs a worker round trip, and the main thread's cost per posted Gram, for
//    small n.
// Pool start-up (worker load) is excluded from the timings and printed separately.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { HostPool, INLINE_BELOW, defaultPoolSize } from '../src/engine/hostPool';
import { isometryGapFromGram, type GapResult } from '../src/engine/isometry';
import { Rng } from '../src/engine/rng';

const quick = process.argv.includes('--quick');

/** XᵀX in float32 of a d×n Gaussian X (d = n + 8: full rank, as the pass's Grams are). */
function gram(n: number, seed: number): Float32Array {
  const d = n + 8;
  const x = new Rng(seed).fillNormal(new Float64Array(d * n));
  const g = new Float32Array(n * n);
  const row = new Float64Array(n);
  for (let k = 0; k < d; k++) {
    // Rank-one updates row by row keep the inner loop contiguous.
    for (let j = 0; j < n; j++) row[j] = x[k * n + j];
    for (let i = 0; i < n; i++) {
      const a = row[i];
      const base = i * n;
      for (let j = 0; j < n; j++) g[base + j] += a * row[j];
    }
  }
  return g;
}

/** `count` Grams of size n: a few distinct ones, cycled (φ's cost does not depend on the values). */
function grams(n: number, count: number): Float32Array[] {
  const distinct = Array.from({ length: Math.min(count, 4) }, (_, k) => gram(n, 17 + k + n));
  return Array.from({ length: count }, (_, k) => distinct[k % distinct.length]);
}

async function warm(pool: HostPool): Promise<number> {
  const t0 = performance.now();
  const n = Math.max(pool.inlineBelow, 2);
  const g = new Float32Array(n * n);
  for (let i = 0; i < n; i++) g[i * n + i] = 1;
  // One request per worker, in parallel, until every worker has loaded.
  while (pool.stats().ready < pool.size && !pool.stats().inline) {
    await Promise.all(Array.from({ length: pool.size }, () => pool.gap(g.slice(), n)));
  }
  return (performance.now() - t0) / 1000;
}

function same(a: GapResult, b: GapResult): boolean {
  return JSON.stringify(a) === JSON.stringify(b) && Object.is(a.gap, b.gap);
}

async function throughput(pools: { label: string; pool: HostPool }[]): Promise<void> {
  const plan: [number, number][] = quick ? [[256, 16], [512, 4], [1024, 2]] : [[256, 64], [512, 16], [1024, 8]];
  for (const [n, count] of plan) {
    const gs = grams(n, count);
    let copies = gs.map((g) => g.slice());
    const t0 = performance.now();
    const expected = copies.map((g) => isometryGapFromGram(g, n));
    const inlineS = (performance.now() - t0) / 1000;
    console.log(`n = ${n}, ${count} Grams: inline serial ${inlineS.toFixed(3)} s (${((inlineS / count) * 1000).toFixed(1)} ms each)`);
    for (const { label, pool } of pools) {
      copies = gs.map((g) => g.slice());
      const elu0 = performance.eventLoopUtilization();
      const t1 = performance.now();
      const got = await Promise.all(copies.map((g) => pool.gap(g, n)));
      const poolS = (performance.now() - t1) / 1000;
      const elu = performance.eventLoopUtilization(elu0);
      const ok = got.every((r, k) => same(r, expected[k]));
      console.log(
        `  ${label.padEnd(22)} ${poolS.toFixed(3)} s  ×${(inlineS / poolS).toFixed(2)}  main thread busy ${(elu.utilization * 100).toFixed(1)}%` +
          `  ${ok ? 'bit-identical' : 'MISMATCH'}`,
      );
      if (!ok) process.exitCode = 1;
    }
  }
}

async function threshold(pool: HostPool): Promise<void> {
  console.log(`\ninline threshold (pool of ${pool.size}, inlineBelow forced to 0):`);
  console.log('     n   inline ms/Gram   worker round trip ms   main-thread ms per posted Gram (batch)');
  for (const n of [8, 16, 32, 48, 64, 96, 128, 192, 256]) {
    const count = n <= 64 ? 400 : n <= 128 ? 100 : 30;
    const gs = grams(n, count);
    // inline
    let copies = gs.map((g) => g.slice());
    const t0 = performance.now();
    for (const g of copies) isometryGapFromGram(g, n);
    const inlineMs = (performance.now() - t0) / count;
    // serial round trips: the latency a single awaited gap sees
    copies = gs.map((g) => g.slice());
    const t1 = performance.now();
    for (const g of copies) await pool.gap(g, n);
    const tripMs = (performance.now() - t1) / count;
    // a batch posted at once: the main thread's active time (post + replies) per Gram
    copies = gs.map((g) => g.slice());
    const elu0 = performance.eventLoopUtilization();
    await Promise.all(copies.map((g) => pool.gap(g, n)));
    const elu = performance.eventLoopUtilization(elu0);
    const mainMs = elu.active / count;
    console.log(`${String(n).padStart(6)}   ${inlineMs.toFixed(4).padStart(14)}   ${tripMs.toFixed(4).padStart(20)}   ${mainMs.toFixed(4).padStart(12)}`);
  }
}

async function main(): Promise<void> {
  const cores = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
  console.log(`availableParallelism() = ${cores}; default pool size ${defaultPoolSize()}; INLINE_BELOW = ${INLINE_BELOW}`);
  console.log(`cpu: ${cpus()[0]?.model ?? '?'}; node ${process.version}; load average ${loadavg()[0].toFixed(1)}${quick ? '; --quick' : ''}\n`);
  const pools = [{ label: `pool of ${defaultPoolSize()} (default)`, pool: new HostPool() }];
  if (cores !== defaultPoolSize()) pools.push({ label: `pool of ${cores} (all cores)`, pool: new HostPool({ size: cores }) });
  for (const { label, pool } of pools) console.log(`${label}: workers loaded in ${(await warm(pool)).toFixed(3)} s`);
  console.log();
  await throughput(pools);
  const probe = new HostPool({ size: 1, inlineBelow: 0 });
  await warm(probe);
  await threshold(probe);
  await Promise.all([...pools.map((p) => p.pool.dispose()), probe.dispose()]);
  console.log(`\nload average at the end ${loadavg()[0].toFixed(1)} (other processes share these cores: timings are noisy above ≈ ${cores})`);
}

void main();
