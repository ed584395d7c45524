// The counter-based generator behind Haar weights (src/engine/haarDraw.ts): Threefry-2x32-20 against Random123's published
// known answers, Box–Muller normals that are standard normal, and signs that are the normals' own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillReflectorNormals, firstNormalSign, haarDraw, haarSigns, threefryBlock } from '../../src/engine/haarDraw';
import { Rng } from '../../src/engine/rng';

test('Threefry-2x32-20 reproduces Random123’s known-answer vectors, in both chains of a block and past its end', () => {
  // kat_vectors of Random123 1.09: threefry2x32 20 rounds, (counter, key) → output.
  const cases: [number[], number[], number[]][] = [
    [[0, 0], [0, 0], [0x6b200159, 0x99ba4efe]],
    [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
    [[0x243f6a88, 0x85a308d3], [0x13198a2e, 0x03707344], [0xc4923a9c, 0x483df7a0]],
  ];
  for (const [ctr, key, expected] of cases) {
    const what = `counter ${ctr.map((x) => x.toString(16))}, key ${key.map((x) => x.toString(16))}`;
    const words = new Uint32Array(8).fill(7);
    threefryBlock(key[0], key[1], ctr[0], ctr[1], 1, words);
    assert.deepEqual([...words.subarray(0, 2)], expected, what);
    assert.deepEqual([...words.subarray(2)], [7, 7, 7, 7, 7, 7], `${what}: an odd count writes nothing past its last counter`);
    // Counters 1 and 2 of a block run as the first block's second chain and the second block's first one.
    for (const at of [1, 2]) {
      threefryBlock(key[0], key[1], ctr[0], (ctr[1] - at) >>> 0, 4, words);
      assert.deepEqual([...words.subarray(2 * at, 2 * at + 2)], expected, `${what}, counter ${at} of a block`);
    }
  }
});

test('reflector normals are standard normal: moments and quantiles of 200 000 draws', () => {
  const draw = haarDraw(512, new Rng(3, 9));
  const xs: number[] = [];
  for (let k = 0; k < 400; k++) xs.push(...fillReflectorNormals(draw, k, new Float64Array(500)));
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const kurtosis = xs.reduce((a, b) => a + (b - mean) ** 4, 0) / n / variance ** 2;
  // Standard errors: mean 1/√n = 0.0022, variance √(2/n) = 0.0032, kurtosis √(24/n) = 0.011; 5σ bounds.
  assert.ok(Math.abs(mean) < 0.011, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.016, `variance ${variance}`);
  assert.ok(Math.abs(kurtosis - 3) < 0.055, `kurtosis ${kurtosis}`);
  // Φ(−1) = 0.158655, Φ(1.96) = 0.975002: binomial standard errors ≈ 8e-4 and 3.5e-4.
  const below = (t: number): number => xs.filter((x) => x < t).length / n;
  assert.ok(Math.abs(below(-1) - 0.158655) < 0.004, `P(x < −1) = ${below(-1)}`);
  assert.ok(Math.abs(below(1.96) - 0.975002) < 0.0018, `P(x < 1.96) = ${below(1.96)}`);
  // Neighbouring values (cos and sin of one pair, and consecutive pairs) are uncorrelated.
  let lag1 = 0;
  for (let i = 1; i < n; i++) lag1 += (xs[i] - mean) * (xs[i - 1] - mean);
  assert.ok(Math.abs(lag1 / (n - 1) / variance) < 0.011, `lag-1 correlation ${lag1 / (n - 1) / variance}`);
});

test('the sign of a reflector’s first normal is read from its angle’s quadrant, and agrees with the value', () => {
  for (const seed of [0, 1, 2]) {
    const draw = haarDraw(300, new Rng(seed, 4));
    const x = new Float64Array(1);
    const signs = haarSigns(draw);
    for (let k = 0; k < draw.d; k++) {
      fillReflectorNormals(draw, k, x);
      assert.equal(firstNormalSign(draw, k), x[0] >= 0 ? 1 : -1, `seed ${seed}, k = ${k}: x₀ = ${x[0]}`);
      assert.equal(signs[k], k < draw.d - 1 ? -Math.sign(x[0]) : Math.sign(x[0]));
    }
  }
});

test('different seeds, streams and reflectors draw different numbers; the same ones draw the same', () => {
  const a = fillReflectorNormals(haarDraw(64, new Rng(1, 2)), 0, new Float64Array(8));
  assert.deepEqual(fillReflectorNormals(haarDraw(64, new Rng(1, 2)), 0, new Float64Array(8)), a);
  for (const other of [haarDraw(64, new Rng(2, 2)), haarDraw(64, new Rng(1, 3))]) {
    assert.notDeepEqual(fillReflectorNormals(other, 0, new Float64Array(8)), a);
  }
  assert.notDeepEqual(fillReflectorNormals(haarDraw(64, new Rng(1, 2)), 1, new Float64Array(8)), a);
});
