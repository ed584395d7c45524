// The host worker pool: bit-identical to isometryGapFromGram and drawHouseholderFactors on this thread, concurrent requests, a worker error
// rejecting one request only, a dead worker replaced, dispose, the inline fallbacks, and idle workers not holding the
// process open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { HostPool, findWorkerFile, sharedHostPool } from '../../src/engine/hostPool';
import { isometryGapFromGram, isometryGapFromRepresentation, type GapResult } from '../../src/engine/isometry';
import { Rng } from '../../src/engine/rng';

const ROOT = join(__dirname, '..', '..');

/** XᵀX in float32 of a d×n Gaussian X (row-major, sample j = column j); centred: every feature has mean 0 over samples. */
function gram(n: number, d: number, seed: number, centred = false): Float32Array {
  const x = new Rng(seed).fillNormal(new Float64Array(d * n));
  if (centred) {
    for (let k = 0; k < d; k++) {
      let m = 0;
      for (let j = 0; j < n; j++) m += x[k * n + j];
      m /= n;
      for (let j = 0; j < n; j++) x[k * n + j] -= m;
    }
  }
  const g = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += x[k * n + i] * x[k * n + j];
      g[i * n + j] = s;
      g[j * n + i] = s;
    }
  }
  return g;
}

/** A spread of Grams: full rank, square (ill-conditioned), rank-deficient, centred, NaN, Inf, zero, asymmetric, n = 1. */
function cases(): { name: string; n: number; g: Float32Array }[] {
  const out: { name: string; n: number; g: Float32Array }[] = [];
  for (const n of [1, 2, 7, 33, 64, 130, 200]) {
    out.push({ name: `full rank n=${n}`, n, g: gram(n, 2 * n + 3, n) });
    out.push({ name: `square n=${n}`, n, g: gram(n, n, 1000 + n) });
    out.push({ name: `centred n=${n}`, n, g: gram(n, 2 * n + 3, 2000 + n, true) });
    if (n > 2) out.push({ name: `rank-deficient n=${n}`, n, g: gram(n, Math.floor(n / 2), 3000 + n) });
  }
  const nan = gram(40, 60, 7);
  nan[5 * 40 + 3] = NaN;
  out.push({ name: 'NaN', n: 40, g: nan });
  const inf = gram(40, 60, 8);
  inf[17] = Infinity;
  out.push({ name: 'Inf', n: 40, g: inf });
  out.push({ name: 'zero', n: 30, g: new Float32Array(900) });
  const asym = gram(50, 80, 9);
  for (let i = 0; i < asym.length; i += 7) asym[i] *= 1.01;
  out.push({ name: 'asymmetric', n: 50, g: asym });
  const tiny = gram(20, 40, 10);
  for (let i = 0; i < tiny.length; i++) tiny[i] *= 1e-30;
  out.push({ name: 'tiny scale', n: 20, g: tiny });
  return out;
}

function workersOf(pool: HostPool): Worker[] {
  return (pool as unknown as { slots: { worker: Worker }[] }).slots.map((s) => s.worker);
}

/** Results equal exactly, every number compared bit for bit (deepStrictEqual uses Object.is: NaN = NaN, 0 ≠ −0). */
function assertSame(actual: GapResult, expected: GapResult, name: string): void {
  assert.deepStrictEqual(actual, expected, name);
}

test('representation gaps on the pool are bit-identical to isometryGapFromRepresentation on this thread', async () => {
  const pool = new HostPool({ size: 2, inlineBelow: 0 });
  try {
    for (const [d, n, seed] of [[64, 64, 1], [48, 80, 2], [128, 70, 3]] as const) {
      const x = Float32Array.from(new Rng(seed, 0x9a).fillNormal(new Float64Array(d * n)));
      const expected = isometryGapFromRepresentation(x, d, n, d);
      const kept = x.slice();
      assertSame(await pool.representationGap(kept, d, n, d, { transfer: false }), expected, `${d}×${n}, copied`);
      assert.equal(kept.length, d * n);
      const sent = x.slice();
      assertSame(await pool.representationGap(sent, d, n, d), expected, `${d}×${n}, transferred`);
      assert.equal(sent.length, 0, 'transferred by default');
    }
    assert.equal(pool.stats().inline, false);
  } finally {
    await pool.dispose();
  }
});

test('the worker file is found beside this source (tsx) and the pool uses it', () => {
  const spec = findWorkerFile();
  assert.ok(spec, 'no worker file found');
  assert.match(spec.file, /hostWorker\.ts$|host-worker\.js$/);
});

test('pool results are bit-identical to isometryGapFromGram on this thread, and the Gram buffer is transferred', async () => {
  const pool = new HostPool({ size: 2, inlineBelow: 0 });
  try {
    for (const c of cases()) {
      const expected = isometryGapFromGram(c.g, c.n);
      const sent = c.g.slice();
      const got = await pool.gap(sent, c.n);
      assertSame(got, expected, c.name);
      assert.equal(sent.length, 0, `${c.name}: the Gram was copied, not transferred`);
    }
    assert.equal(pool.stats().inline, false);
    // Both workers started; the second may still be loading if the first has kept up.
    assert.equal(pool.stats().ready + pool.stats().starting, 2);
    // transfer: false leaves the caller's array alone; a view on a larger buffer is copied, not detached.
    const g = gram(100, 150, 11);
    const kept = g.slice();
    assertSame(await pool.gap(kept, 100, { transfer: false }), isometryGapFromGram(g, 100), 'transfer: false');
    assert.equal(kept.length, 100 * 100);
    const big = new Float32Array(100 * 100 + 16);
    big.set(g, 8);
    const view = big.subarray(8, 8 + 100 * 100);
    assertSame(await pool.gap(view, 100), isometryGapFromGram(g, 100), 'view');
    assert.equal(big.length, 100 * 100 + 16);
  } finally {
    await pool.dispose();
  }
});

test('many concurrent requests each resolve to their own Gram’s φ, in whatever order they finish', async () => {
  const pool = new HostPool({ size: 3, inlineBelow: 0 });
  try {
    const sizes = [150, 20, 90, 5, 180, 64, 1, 120];
    const jobs = Array.from({ length: 48 }, (_, k) => {
      const n = sizes[k % sizes.length];
      const g = gram(n, k % 3 === 0 ? Math.max(1, n >> 1) : n + 10, 500 + k, k % 4 === 1);
      return { n, expected: isometryGapFromGram(g, n), g };
    });
    const finished: number[] = [];
    const results = await Promise.all(
      jobs.map((j, k) =>
        pool.gap(j.g, j.n).then((r) => {
          finished.push(k);
          return r;
        }),
      ),
    );
    results.forEach((r, k) => assertSame(r, jobs[k].expected, `job ${k}`));
    assert.equal(finished.length, jobs.length);
    const s = pool.stats();
    assert.equal(s.queued, 0);
    assert.equal(s.inFlight, 0);
  } finally {
    await pool.dispose();
  }
});

test('an error in the worker rejects just that request with its message, and the pool keeps working', async () => {
  const pool = new HostPool({ size: 2, inlineBelow: 0 });
  try {
    const good = gram(80, 120, 21);
    const expected = isometryGapFromGram(good, 80);
    const [a, bad, b] = await Promise.allSettled([
      pool.gap(good.slice(), 80),
      pool.gap(new Float32Array(10), 64),
      pool.gap(good.slice(), 80),
    ]);
    assert.equal(bad.status, 'rejected');
    assert.match((bad as PromiseRejectedResult).reason.message, /expected 64×64 entries, got 10/);
    assert.equal(a.status, 'fulfilled');
    assert.equal(b.status, 'fulfilled');
    assertSame((a as PromiseFulfilledResult<GapResult>).value, expected, 'before');
    assertSame((b as PromiseFulfilledResult<GapResult>).value, expected, 'after');
    assertSame(await pool.gap(good.slice(), 80), expected, 'later');
    assert.equal(pool.stats().ready + pool.stats().starting, 2);
    assert.equal(pool.stats().inline, false);
  } finally {
    await pool.dispose();
  }
});

test('a worker that dies rejects the request it held and is replaced', async () => {
  const pool = new HostPool({ size: 1, inlineBelow: 0 });
  try {
    const g = gram(60, 90, 31);
    const expected = isometryGapFromGram(g, 60);
    assertSame(await pool.gap(g.slice(), 60), expected, 'warm-up');
    const [first] = workersOf(pool);
    const held = pool.gap(gram(400, 420, 32), 400).then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    await first.terminate();
    assert.match(await held, /host worker exited/);
    assertSame(await pool.gap(g.slice(), 60), expected, 'after the crash');
    const [second] = workersOf(pool);
    assert.notEqual(second, first);
    assert.equal(pool.stats().ready, 1);
    assert.equal(pool.stats().inline, false);
  } finally {
    await pool.dispose();
  }
});

test('dispose() terminates the workers and rejects pending requests; later requests are computed inline', async () => {
  const pool = new HostPool({ size: 2, inlineBelow: 0 });
  const g = gram(70, 100, 41);
  await pool.gap(g.slice(), 70);
  const workers = workersOf(pool);
  assert.equal(workers.length, 2);
  const exited = workers.map((w) => new Promise<number>((resolve) => w.once('exit', resolve)));
  const pending = [42, 43, 44].map((seed) =>
    pool.gap(gram(300, 320, seed), 300).then(
      () => 'resolved',
      (e: Error) => e.message,
    ),
  );
  await pool.dispose();
  await Promise.all(exited);
  assert.deepEqual(await Promise.all(pending), ['host pool disposed', 'host pool disposed', 'host pool disposed']);
  assert.deepEqual(pool.stats(), { ready: 0, starting: 0, queued: 0, inFlight: 0, inline: true });
  const kept = g.slice();
  assertSame(await pool.gap(kept, 70), isometryGapFromGram(g, 70), 'after dispose');
  assert.equal(kept.length, 70 * 70, 'computed inline, not posted');
});

test('small Grams, size 0, a missing worker file and a worker that cannot start all fall back to inline', async () => {
  const g = gram(100, 130, 51);
  const expected = isometryGapFromGram(g, 100);
  const small = gram(16, 20, 52);
  const cases: [string, HostPool][] = [
    ['size 0', new HostPool({ size: 0, inlineBelow: 0 })],
    ['no worker file', new HostPool({ size: 2, inlineBelow: 0, workerFile: null })],
    ['missing worker file', new HostPool({ size: 2, inlineBelow: 0, workerFile: join(tmpdir(), 'no-such-host-worker.js') })],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'depthlens-gap-'));
  const broken = join(dir, 'host-worker.js');
  writeFileSync(broken, "throw new Error('cannot load');\n");
  cases.push(['worker that throws on load', new HostPool({ size: 2, inlineBelow: 0, workerFile: broken })]);
  for (const [name, pool] of cases) {
    try {
      const results = await Promise.all([pool.gap(g.slice(), 100), pool.gap(g.slice(), 100)]);
      for (const r of results) assertSame(r, expected, name);
      assert.equal(pool.stats().inline, true, name);
      assert.equal(pool.stats().ready, 0, name);
    } finally {
      await pool.dispose();
    }
  }
  const pool = new HostPool({ size: 1, inlineBelow: 32 });
  try {
    const kept = small.slice();
    assertSame(await pool.gap(kept, 16), isometryGapFromGram(small, 16), 'below the threshold');
    assert.equal(kept.length, 16 * 16, 'computed inline, not posted');
    assert.equal(pool.stats().ready + pool.stats().starting, 0, 'no worker started for a small Gram');
    await assert.rejects(pool.gap(new Float32Array(3), 16), /expected 16×16 entries, got 3/);
  } finally {
    await pool.dispose();
  }
});

test('sharedHostPool() is one lazily made pool, and its idle workers do not keep the process alive', () => {
  assert.equal(sharedHostPool(), sharedHostPool());
  const dir = mkdtempSync(join(tmpdir(), 'depthlens-gap-'));
  const script = join(dir, 'idle.ts');
  const src = JSON.stringify(join(ROOT, 'src', 'engine', 'hostPool.ts'));
  writeFileSync(
    script,
    `const { sharedHostPool } = require(${src});\n` +
      'sharedHostPool().warm();\n' +
      'const n = 200; const g = new Float32Array(n * n); for (let i = 0; i < n; i++) g[i * n + i] = 1 + i;\n' +
      'sharedHostPool().gap(g, n).then((r) => { console.log(JSON.stringify({ r, stats: sharedHostPool().stats() })); });\n',
  );
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${r.stderr}\n(signal ${r.signal})`);
  const out = JSON.parse(r.stdout.trim()) as { r: GapResult; stats: { ready: number; inline: boolean } };
  assert.equal(out.r.rank, 200);
  assert.equal(out.stats.inline, false);
  assert.ok(out.stats.ready >= 1);
  assert.ok(Date.now() - t0 < 30_000);
});

test('warm() starts the workers ahead of the first Gram; warmed, idle workers do not keep the process alive', async () => {
  const pool = new HostPool({ size: 2, inlineBelow: 0 });
  try {
    pool.warm();
    assert.equal(pool.stats().starting, 2);
    const t0 = Date.now();
    while (pool.stats().ready < 2 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 10));
    assert.equal(pool.stats().ready, 2);
    const g = gram(90, 100, 61);
    assertSame(await pool.gap(g.slice(), 90), isometryGapFromGram(g, 90), 'after warm');
  } finally {
    await pool.dispose();
  }
  const dir = mkdtempSync(join(tmpdir(), 'depthlens-gap-'));
  const script = join(dir, 'warm.ts');
  writeFileSync(script, `require(${JSON.stringify(join(ROOT, 'src', 'engine', 'hostPool.ts'))}).sharedHostPool().warm();\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${r.stderr}\n(signal ${r.signal})`);
});

test('Householder factors drawn by a worker equal the ones drawn on this thread, bit for bit', async () => {
  const { drawHouseholderFactors } = await import('../../src/engine/haar');
  const pool = new HostPool({ size: 2 });
  try {
    const sizes = [300, 257, 512, 64];
    const drawn = await Promise.all(sizes.map((d, k) => pool.householder(d, 7 + k, 3 * k)));
    sizes.forEach((d, k) => {
      const here = drawHouseholderFactors(d, new Rng(7 + k, 3 * k));
      const there = drawn[k];
      assert.equal(there.d, d);
      assert.deepEqual(Array.from(there.sign), Array.from(here.sign), `signs, d = ${d}`);
      assert.equal(there.vectors.length, d - 1);
      for (let i = 0; i < d - 1; i++) assert.deepEqual(Array.from(there.vectors[i]), Array.from(here.vectors[i]), `vector ${i}, d = ${d}`);
    });
    assert.ok(pool.stats().ready >= 1, 'the large draws went to a worker');
  } finally {
    await pool.dispose();
  }
});
