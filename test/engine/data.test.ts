import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSpec, Spec } from '../../src/spec/types';
import { DataError, loadBatch, loadFileDataset, splitRows, trainingData, dataRng } from '../../src/engine/data/index';
import { CancelledError } from '../../src/engine/errors';
import { duePause } from '../../src/engine/train/bandedStep';

function makeSpec(data: Partial<DataSpec>, file = '', holdout = 0.25, trainBatch = 0): Spec {
  return {
    version: 1,
    name: 'test',
    file,
    data: { source: 'gaussian', features: 8, batch: 8, classes: 3, ...data },
    model: {
      form: 'compact', depth: 2, width: 8, init: 'orthogonal', initGain: 1, norm: 'batchnorm', center: false, eps: 0,
      order: 'linear-norm-act', activation: 'identity', leakySlope: 0.01, shaping: null, residual: null, bias: false, layers: [],
    },
    loss: 'cross-entropy',
    diagnostics: { seeds: 1, seed: 0, depths: null },
    train: { steps: 10, optimizer: 'sgd', lr: 0.1, batch: trainBatch, recordEvery: 1, momentum: 0.9, holdout },
    thresholds: { gradGrowthPerLayer: 1.02, gradLog10Range: 3 },
  };
}

function row(x: Float64Array, features: number, j: number): number[] {
  return Array.from(x.subarray(j * features, (j + 1) * features));
}

function dot(a: number[], b: number[]): number {
  return a.reduce((s, v, i) => s + v * b[i], 0);
}

test('gaussian batch: shape, moments near N(0,1), labels in range, reproducible per seed', () => {
  const spec = makeSpec({ features: 50, batch: 200, classes: 5 });
  const b = loadBatch(spec, 3);
  assert.equal(b.count, 200);
  assert.equal(b.features, 50);
  assert.equal(b.x.length, 200 * 50);
  const n = b.x.length;
  const mean = b.x.reduce((s, v) => s + v, 0) / n;
  const variance = b.x.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
  // 10 000 draws: standard errors 0.01 (mean) and 0.014 (variance); 5 standard errors of room.
  assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.07, `variance ${variance}`);
  assert.ok(b.labels.every((l) => l >= 0 && l < 5));
  for (let c = 0; c < 5; c++) assert.ok(b.labels.includes(c), `class ${c} missing from 200 uniform labels`);
  assert.deepEqual(loadBatch(spec, 3).x, b.x);
  assert.notDeepEqual(loadBatch(spec, 4).x, b.x);
});

test('near-identity: X − (1−f)I is the rank-one f·u vᵀ with unit u, v', () => {
  const d = 12;
  const f = 0.3;
  const b = loadBatch(makeSpec({ source: 'near-identity', features: d, batch: d, f }), 1);
  // E = X − (1 − f) I, with sample j as column j of X.
  const e = (i: number, j: number): number => b.x[j * d + i] - (i === j ? 1 - f : 0);
  let frob = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) frob += e(i, j) ** 2;
  assert.ok(Math.abs(Math.sqrt(frob) - f) < 1e-12, `‖f u vᵀ‖_F = f·‖u‖·‖v‖ = ${f}, got ${Math.sqrt(frob)}`);
  for (let i = 0; i + 1 < d; i++) {
    for (let j = 0; j + 1 < d; j++) {
      const minor = e(i, j) * e(i + 1, j + 1) - e(i, j + 1) * e(i + 1, j);
      assert.ok(Math.abs(minor) < 1e-14, `2×2 minor (${i},${j}) = ${minor}: not rank one`);
    }
  }
});

test('near-identity with batch ≠ features is a DataError on data.batch', () => {
  assert.throws(() => loadBatch(makeSpec({ source: 'near-identity', features: 10, batch: 8, f: 0.1 }), 0), (err: unknown) => {
    assert.ok(err instanceof DataError);
    assert.equal(err.path, 'data.batch');
    assert.match(err.message, /batch 8, features 10/);
    return true;
  });
});

test('correlated: mean pairwise sample correlation ≈ rho', () => {
  for (const rho of [0, 0.5, 0.9]) {
    const d = 2000;
    const n = 20;
    const b = loadBatch(makeSpec({ source: 'correlated', features: d, batch: n, rho }), 7);
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const a = row(b.x, d, i);
        const c = row(b.x, d, j);
        sum += dot(a, c) / Math.sqrt(dot(a, a) * dot(c, c));
        pairs++;
      }
    }
    // Fluctuations of a cosine between d-dimensional vectors are O(1/√d) ≈ 0.022, plus |c|²/d ≈ 1 ± 0.03.
    assert.ok(Math.abs(sum / pairs - rho) < 0.06, `rho ${rho}: mean correlation ${sum / pairs}`);
  }
});

test('repeated: exactly `unique` distinct samples, repeated cyclically', () => {
  const d = 6;
  const b = loadBatch(makeSpec({ source: 'repeated', features: d, batch: 10, unique: 4 }), 2);
  const distinct = new Set(Array.from({ length: 10 }, (_, j) => row(b.x, d, j).join(',')));
  assert.equal(distinct.size, 4);
  for (let j = 4; j < 10; j++) assert.deepEqual(row(b.x, d, j), row(b.x, d, j % 4));
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'depthlens-data-'));
}

test('csv: header skipped, last column is the label, paths resolve against the spec file', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'x.csv'), 'a,b,label\n1,2,0\n3.5,-4,1\r\n\n5,6e1,2\n');
  const spec = makeSpec({ source: 'csv', features: 0, batch: 3, path: 'x.csv' }, join(dir, 'spec.depthlens.yaml'));
  const all = loadFileDataset(spec);
  assert.equal(all.features, 2);
  assert.equal(all.count, 3);
  assert.deepEqual(Array.from(all.x), [1, 2, 3.5, -4, 5, 60]);
  assert.deepEqual(Array.from(all.labels), [0, 1, 2]);
  const batch = loadBatch(spec, 0);
  assert.deepEqual(Array.from(batch.labels).sort(), [0, 1, 2], 'the batch is a permutation of the 3 rows');
});

test('csv: a separate labels file holds one label per row; all x columns are features', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'x.csv'), '1,2,3\n4,5,6\n');
  writeFileSync(join(dir, 'y.csv'), 'y\n2\n0\n');
  const all = loadFileDataset(makeSpec({ source: 'csv', features: 0, batch: 2, path: 'x.csv', labels: 'y.csv' }, join(dir, 's.yaml')));
  assert.equal(all.features, 3);
  assert.deepEqual(Array.from(all.labels), [2, 0]);
});

test('csv: a wrong column count names the file and the row number', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'x.csv'), 'f1,f2,y\n1,2,0\n3,4,1\n\n5,6\n7,8,1\n');
  const spec = makeSpec({ source: 'csv', features: 0, batch: 2, path: 'x.csv' }, join(dir, 's.yaml'));
  assert.throws(() => loadFileDataset(spec), (err: unknown) => {
    assert.ok(err instanceof DataError);
    assert.equal(err.path, 'data.path');
    assert.ok(err.message.includes(join(dir, 'x.csv')), err.message);
    assert.match(err.message, /row 5 has 2 columns, expected 3/);
    return true;
  });
});

test('csv: a non-numeric cell names row and column; a bad label names its row', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'x.csv'), '1,2,0\n3,abc,1\n');
  assert.throws(
    () => loadFileDataset(makeSpec({ source: 'csv', features: 0, batch: 2, path: 'x.csv' }, join(dir, 's.yaml'))),
    /row 2, column 2: expected a decimal number, found text that is not a number \(3 characters\)/,
  );
  writeFileSync(join(dir, 'z.csv'), '1,2,0\n3,4,1.5\n');
  assert.throws(
    () => loadFileDataset(makeSpec({ source: 'csv', features: 0, batch: 2, path: 'z.csv' }, join(dir, 's.yaml'))),
    /z\.csv: row 2: expected a class index in 0\.\.2 \(data\.classes = 3\) as the label, found a label that is not a whole number/,
  );
  assert.throws(
    () => loadFileDataset(makeSpec({ source: 'csv', features: 0, batch: 2, path: 'missing.csv' }, join(dir, 's.yaml'))),
    /missing\.csv: cannot read data file \(data\.path\): no such file/,
  );
});

// A .npy writer following the format description (magic, version 1.0, little-endian header length, padded dict, data).
function npy(descr: string, shape: number[], values: number[], fortran = false): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const size = { '<f4': 4, '<f8': 8, '<i4': 4, '<i8': 8, '|u1': 1, '>f8': 8 }[descr]!;
  const data = Buffer.alloc(values.length * size);
  values.forEach((v, i) => {
    if (descr === '<f4') data.writeFloatLE(v, i * 4);
    else if (descr === '<f8') data.writeDoubleLE(v, i * 8);
    else if (descr === '>f8') data.writeDoubleBE(v, i * 8);
    else if (descr === '<i4') data.writeInt32LE(v, i * 4);
    else if (descr === '<i8') data.writeBigInt64LE(BigInt(v), i * 8);
    else data.writeUInt8(v, i);
  });
  const preamble = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), data]);
}

test('npy: every supported dtype reads back exactly, 1-D labels file', () => {
  const dir = tempDir();
  const xs = [0.5, -1.25, 3, 4, 5.75, -6];
  writeFileSync(join(dir, 'y.npy'), npy('<i8', [3], [1, 0, 2]));
  for (const descr of ['<f4', '<f8', '<i4', '<i8', '|u1']) {
    const values = descr === '<f4' || descr === '<f8' ? xs : [1, 2, 3, 4, 5, 250];
    writeFileSync(join(dir, 'x.npy'), npy(descr, [3, 2], values));
    const all = loadFileDataset(makeSpec({ source: 'npy', features: 0, batch: 3, path: 'x.npy', labels: 'y.npy' }, join(dir, `s-${descr}.yaml`)));
    assert.equal(all.features, 2, descr);
    assert.deepEqual(Array.from(all.x), values, descr);
    assert.deepEqual(Array.from(all.labels), [1, 0, 2], descr);
  }
});

test('npy: fortran order, bad magic, big-endian and x/labels shape mismatch are clear errors', () => {
  const dir = tempDir();
  const spec = (x: string, labels?: string): Spec =>
    makeSpec({ source: 'npy', features: 0, batch: 2, path: x, ...(labels ? { labels } : {}) }, join(dir, 's.yaml'));
  writeFileSync(join(dir, 'f.npy'), npy('<f8', [2, 2], [1, 2, 3, 0], true));
  assert.throws(() => loadFileDataset(spec('f.npy')), /f\.npy: Fortran-order arrays are not supported/);
  writeFileSync(join(dir, 'm.npy'), Buffer.from('not a numpy file at all'));
  assert.throws(() => loadFileDataset(spec('m.npy')), /m\.npy: not a \.npy file \(bad magic/);
  writeFileSync(join(dir, 'b.npy'), npy('>f8', [2, 2], [1, 2, 3, 0]));
  assert.throws(() => loadFileDataset(spec('b.npy')), /b\.npy: dtype >f8 is not supported \(big-endian/);
  writeFileSync(join(dir, 'x.npy'), npy('<f4', [3, 2], [1, 2, 3, 4, 5, 6]));
  writeFileSync(join(dir, 'y.npy'), npy('<i4', [2], [0, 1]));
  assert.throws(() => loadFileDataset(spec('x.npy', 'y.npy')), (err: unknown) => {
    assert.ok(err instanceof DataError);
    assert.equal(err.path, 'data.labels');
    assert.match(err.message, /y\.npy: 2 labels for 3 samples .*shape mismatch/);
    return true;
  });
});

test('held-out split: disjoint, covers every row, size round(holdout·n)', () => {
  const { train, holdout } = splitRows(103, 0.2, dataRng(5, 'holdoutSplit'));
  assert.equal(holdout.length, 21);
  assert.equal(train.length, 82);
  const seen = new Set<number>();
  for (const r of [...train, ...holdout]) {
    assert.ok(!seen.has(r), `row ${r} in both parts`);
    seen.add(r);
  }
  assert.equal(seen.size, 103);
});

test('csv training data: training batches only contain train rows, held-out chunks only held-out rows', async () => {
  const dir = tempDir();
  // Feature 0 is the row number, so every sample says which row it came from.
  const lines = Array.from({ length: 40 }, (_, r) => `${r},${r % 3},${r % 3}`);
  writeFileSync(join(dir, 'x.csv'), lines.join('\n'));
  const data = await trainingData(makeSpec({ source: 'csv', features: 0, batch: 8, path: 'x.csv' }, join(dir, 's.yaml'), 0.25), 0);
  assert.ok(data.split);
  const held = new Set(data.split.holdout);
  assert.equal(held.size, 10);
  const rowsOf = (x: Float64Array): number[] => Array.from({ length: x.length / 2 }, (_, j) => x[j * 2]);
  for (let step = 0; step < 12; step++) {
    const b = data.next();
    assert.equal(b.count, 8);
    for (const r of rowsOf(b.x)) assert.ok(!held.has(r), `held-out row ${r} in a training batch`);
  }
  const evalRows = data.evalChunks.flatMap((c) => rowsOf(c.x));
  assert.deepEqual(evalRows.sort((a, b) => a - b), [...held].sort((a, b) => a - b));
});

test('synthetic training data: teacher labels are deterministic and use every class', async () => {
  for (const source of ['gaussian', 'correlated'] as const) {
    const spec = makeSpec({ source, features: 16, batch: 32, classes: 4, rho: 0.9 });
    const a = await trainingData(spec, 1);
    const b = await trainingData(spec, 1);
    const counts = [0, 0, 0, 0];
    for (let step = 0; step < 20; step++) {
      const x = a.next();
      const y = b.next();
      assert.deepEqual(x.labels, y.labels);
      for (const l of x.labels) counts[l]++;
    }
    // 640 labels over 4 balanced classes: each near 160; none below half of that.
    for (const c of counts) assert.ok(c > 80, `${source}: class counts ${counts}`);
    assert.equal(a.evalChunks.length, 4);
  }
});

test('every synthetic source trains: square near-identity batches, repeated batches keep their structure', async () => {
  const near = await trainingData(makeSpec({ source: 'near-identity', features: 12, batch: 12, classes: 3, f: 0.1 }, '', 0, 12), 0);
  const b = near.next();
  assert.equal(b.count, 12);
  // Still (1 − f) I + f u vᵀ: the diagonal dominates.
  for (let j = 0; j < 12; j++) assert.ok(b.x[j * 12 + j] > 0.8);
  await assert.rejects(
    () => trainingData(makeSpec({ source: 'near-identity', features: 12, batch: 12, classes: 3, f: 0.1 }, '', 0, 8), 0),
    (err: unknown) => err instanceof DataError && err.path === 'train.batch',
  );
  const rep = (await trainingData(makeSpec({ source: 'repeated', features: 5, batch: 10, classes: 2, unique: 5 }), 0)).next();
  for (let j = 5; j < 10; j++) {
    assert.deepEqual(row(rep.x, 5, j), row(rep.x, 5, j - 5));
    assert.equal(rep.labels[j], rep.labels[j - 5], 'a repeated sample gets the same teacher label');
  }
});

test('a wide synthetic source sets up its training data a piece at a time: an abort ends it within a second', async () => {
  // At 4096 features the reference sample, the teacher's balancing (0.5 GFLOP) and the held-out batches are seconds of
  // arithmetic on one core; done in one synchronous stretch, the abort below would only be seen after all of it.
  const spec = makeSpec({ source: 'gaussian', features: 4096, batch: 256, classes: 10 }, '', 0.25, 256);
  const controller = new AbortController();
  let longest = 0;
  let last = performance.now();
  const pause = duePause(controller.signal);
  const timed = async (): Promise<void> => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    await pause();
    last = performance.now();
  };
  let abortedAt = 0;
  setTimeout(() => {
    abortedAt = performance.now();
    controller.abort();
  }, 300);
  await assert.rejects(trainingData(spec, 0, timed), (e: unknown) => e instanceof CancelledError);
  const latency = performance.now() - abortedAt;
  console.log(`training-data setup at 4096 features: cancelled ${latency.toFixed(0)} ms after the abort; longest stretch between pauses ${longest.toFixed(0)} ms`);
  assert.ok(latency < 1000, `cancelled ${latency.toFixed(0)} ms after the abort`);
});
