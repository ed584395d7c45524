// The isometry gap's float64 Gram on WebAssembly SIMD (src/engine/simd/gram64): the same bits as its JavaScript
// twin, both right against plain dot products, and the committed binary built from the committed .wat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GRAM64_MAX_ENTRIES, gramWorkspace, lowerGramScalar } from '../../src/engine/simd/gram64';

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
    const work = gramWorkspace(n, d, noArrays);
    assert.equal(work.simd, true, 'WebAssembly SIMD is there in Node; the kernel must load');
    work.rows.set(rows);
    work.fill();
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
    const work = gramWorkspace(n, d, noArrays);
    work.rows.set(rows);
    work.fill();
    const scalar = new Float64Array(n * n);
    lowerGramScalar(rows, n, d, scalar);
    assert.ok(Object.is(work.gram[(n - 1) * n], scalar[(n - 1) * n]) && Object.is(work.gram[n * n - 1], scalar[n * n - 1]), `${n}×${d}`);
  }
  const given: string[] = [];
  const d = GRAM64_MAX_ENTRIES;
  const big = gramWorkspace(1, d, (slot, entries) => (given.push(slot), new Float64Array(entries)));
  assert.equal(big.simd, false);
  assert.deepEqual(given, ['rows', 'gram']);
  big.rows.fill(0.5);
  big.fill();
  assert.equal(big.gram[0], 0.25 * d);
});

test('the committed binary is the committed .wat compiled (npm run build:wasm)', async () => {
  const script = '../../scripts/build-wasm.mjs'; // a plain .mjs script: no types to resolve
  const { generatedModule, watFiles } = (await import(script)) as {
    generatedModule(file: string): Promise<string>;
    watFiles(): string[];
  };
  const files = watFiles();
  assert.ok(files.some((f) => f.endsWith('gram64.wat')));
  for (const file of files) assert.equal(readFileSync(file.replace(/\.wat$/, 'Binary.ts'), 'utf8'), await generatedModule(file), `${file}: run npm run build:wasm`);
});
