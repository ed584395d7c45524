// The isometry gap's float64 reductions on WebAssembly SIMD (src/engine/simd/linalg64): the same bits as their
// JavaScript twins, both right against plain sums, and the committed binary built from the committed .wat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LINALG64_MAX_ENTRIES, factorColumnScalar, lowerGramScalar, workspace } from '../../src/engine/simd/linalg64';

function randomRows(entries: number, seed: number): Float64Array {
  const out = new Float64Array(entries);
  let s = seed;
  for (let i = 0; i < entries; i++) {
    s = (s * 16807) % 2147483647;
    out[i] = Math.fround((s / 2147483647 - 0.5) * 4);
  }
  return out;
}

const noArrays = (): Float64Array => {
  throw new Error('the SIMD workspace asked for JavaScript arrays');
};

test('the SIMD Gram has the JavaScript loop’s bits and plain dot products’ values, at even and odd sizes', () => {
  const shapes: [number, number][] = [[1, 1], [2, 3], [3, 2], [7, 5], [8, 1], [64, 128], [101, 99], [100, 100], [300, 20]];
  for (const [n, d] of shapes) {
    const rows = randomRows(n * d, n * 1000 + d);
    const work = workspace(n, d, noArrays);
    assert.equal(work.simd, true, 'WebAssembly SIMD is there in Node; the kernel must load');
    work.rows.set(rows);
    work.fillGram();
    const scalar = new Float64Array(n * n);
    lowerGramScalar(rows, n, d, scalar);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b <= a; b++) {
        const at = `${n}×${d} G[${a}, ${b}]`;
        assert.ok(Object.is(work.gram[a * n + b], scalar[a * n + b]), `${at}: ${work.gram[a * n + b]} vs ${scalar[a * n + b]}`);
        let dot = 0;
        for (let k = 0; k < d; k++) dot += rows[a * d + k]! * rows[b * d + k]!;
        assert.ok(Math.abs(work.gram[a * n + b]! - dot) <= 1e-13 * d * 4, `${at}: ${work.gram[a * n + b]} vs the dot product ${dot}`);
      }
    }
  }
});

test('a larger Gram after a smaller one grows the memory and stays right; past the cap the JavaScript arrays are used', () => {
  for (const [n, d] of [[4, 4], [400, 600], [6, 3]] as const) {
    const rows = randomRows(n * d, 7 + n);
    const work = workspace(n, d, noArrays);
    work.rows.set(rows);
    work.fillGram();
    const scalar = new Float64Array(n * n);
    lowerGramScalar(rows, n, d, scalar);
    assert.ok(Object.is(work.gram[(n - 1) * n], scalar[(n - 1) * n]) && Object.is(work.gram[n * n - 1], scalar[n * n - 1]), `${n}×${d}`);
  }
  const given: string[] = [];
  const d = LINALG64_MAX_ENTRIES;
  const big = workspace(1, d, (slot, entries) => (given.push(slot), new Float64Array(entries)));
  assert.equal(big.simd, false);
  assert.deepEqual(given, ['rows', 'gram', 'factor', 'column']);
  big.rows.fill(0.5);
  big.fillGram();
  assert.equal(big.gram[0], 0.25 * d);
});

test('the SIMD Cholesky column step has the JavaScript loop’s bits and plain sums’ values, for every k', () => {
  for (const n of [1, 2, 5, 9, 64, 101]) {
    const work = workspace(n, 0, noArrays);
    assert.equal(work.simd, true);
    const factor = randomRows(n * n, 31 + n);
    const column = randomRows(n, 57 + n);
    const scalarFactor = new Float64Array(n * n);
    // Each step from the same random L (chained steps on random data grow without bound).
    for (let k = 0; k < n; k++) {
      const inv = 1 / (1 + k / 7);
      work.factor.set(factor);
      scalarFactor.set(factor);
      work.column.set(column);
      work.factorColumn(k, inv);
      const before = Float64Array.from(scalarFactor);
      factorColumnScalar(scalarFactor, n, k, column, inv);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const at = `n = ${n}, k = ${k}, L[${i}, ${j}]`;
          assert.ok(Object.is(work.factor[i * n + j], scalarFactor[i * n + j]), `${at}: ${work.factor[i * n + j]} vs ${scalarFactor[i * n + j]}`);
          if (j !== k || i <= k) assert.ok(Object.is(scalarFactor[i * n + j], before[i * n + j]), `${at} was written`);
        }
      }
      for (let i = k + 1; i < n; i++) {
        let s = column[i]!;
        let size = Math.abs(s);
        for (let t = 0; t < k; t++) {
          s -= before[i * n + t]! * before[k * n + t]!;
          size += Math.abs(before[i * n + t]! * before[k * n + t]!);
        }
        assert.ok(Math.abs(scalarFactor[i * n + k]! - s * inv) <= 4e-16 * (k + 2) * size * inv, `n = ${n}, k = ${k}, row ${i}: ${scalarFactor[i * n + k]} vs ${s * inv} (size ${size})`);
      }
    }
  }
});

test('the committed binary is the committed .wat compiled (npm run build:wasm)', async () => {
  const script = '../../scripts/build-wasm.mjs'; // a plain .mjs script: no types to resolve
  const { generatedModule, watFiles } = (await import(script)) as {
    generatedModule(file: string): Promise<string>;
    watFiles(): string[];
  };
  const files = watFiles();
  assert.ok(files.some((f) => f.endsWith('linalg64.wat')));
  for (const file of files) assert.equal(readFileSync(file.replace(/\.wat$/, 'Binary.ts'), 'utf8'), await generatedModule(file), `${file}: run npm run build:wasm`);
});
