import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, type AnalyzeProgress } from '../../src/engine/index';
import { parseSpec } from '../../src/spec/index';
import { assertValidResult } from '../resultSchema';

function parse(text: string, file = '/tmp/analyze-train.depthlens.yaml') {
  const parsed = parseSpec(`depthlens: 1\nname: analyze with training\n${text}`, file);
  assert.deepEqual(parsed.problems, []);
  return { spec: parsed.spec!, source: parsed.source };
}

const small = `data: { source: gaussian, features: 8, batch: 8, classes: 3 }
model: { depth: 6, width: 8, init: orthogonal, norm: batchnorm, activation: tanh, shaping: { exponent: 0.4 } }
diagnostics: { seeds: 1, depths: [3] }
train: { steps: 12, optimizer: momentum, lr: 0.05, record-every: 4 }`;

test('analyze runs the training after the diagnostics and streams its progress', async () => {
  const { spec, source } = parse(small);
  const progress: AnalyzeProgress[] = [];
  const result = await analyze(spec, { backend: 'wasm' }, { source, onProgress: (p) => progress.push(p) });
  assertValidResult(result, 'training run');
  assert.ok(result.train);
  assert.deepEqual(result.train.records.map((r) => r.step), [0, 4, 8, 12]);
  assert.deepEqual(result.train.depthRuns?.map((r) => r.depth), [3]);
  assert.equal(result.train.labels, 'teacher');
  assert.ok(result.timings.trainSeconds > 0);
  const phases = progress.map((p) => p.phase);
  assert.ok(phases.indexOf('train') > phases.lastIndexOf('diagnostics'), 'training comes after the diagnostics');
  assert.ok(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1].fraction), 'progress never goes back');
  assert.equal(progress[progress.length - 1].phase, 'done');
});

test('options.train = false and quick runs skip the training', async () => {
  const { spec } = parse(small);
  const noTrain = await analyze(spec, { backend: 'wasm', train: false });
  assertValidResult(noTrain, 'train: false');
  assert.equal(noTrain.train, undefined);
  const quick = await analyze(spec, { backend: 'wasm', quick: { maxDepth: 4, maxWidth: 8, seeds: 1 } });
  assertValidResult(quick, 'quick');
  assert.equal(quick.train, undefined);
});

test('a diverging run gives DL204 with the range of train.lr in the spec text', async () => {
  const { spec, source } = parse(`data: { source: gaussian, features: 8, batch: 8, classes: 3 }
model: { depth: 10, width: 8, init: gaussian, norm: none, activation: relu }
diagnostics: { seeds: 1 }
train: { steps: 30, optimizer: sgd, lr: 100 }`);
  const result = await analyze(spec, { backend: 'wasm' }, { source });
  assertValidResult(result, 'diverging training');
  const f = result.findings.find((x) => x.code === 'DL204');
  assert.ok(f, 'expected DL204');
  // Line 5 (0-based 4) is the train line; the value 100 sits after "lr: ".
  const line = 'train: { steps: 30, optimizer: sgd, lr: 100 }';
  assert.deepEqual(f.range, { start: { line: 5, character: line.indexOf('100') }, end: { line: 5, character: line.indexOf('100') + 3 } });
});

test('csv data: diagnostics on a batch of the file, training on the train rows, held-out metrics recorded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'depthlens-analyze-'));
  // Two well-separated classes along feature 0, so the task is learnable.
  const rows = Array.from({ length: 48 }, (_, r) => {
    const label = r % 2;
    const a = (label ? 2 : -2) + Math.sin(r * 1.7);
    return `${a.toFixed(4)},${Math.cos(r).toFixed(4)},${Math.sin(r * 0.3).toFixed(4)},${label}`;
  });
  writeFileSync(join(dir, 'data.csv'), `a,b,c,label\n${rows.join('\n')}\n`);
  const { spec, source } = parse(
    `data: { source: csv, path: data.csv, batch: 8, classes: 2 }
model: { depth: 4, width: 8, init: orthogonal, norm: batchnorm, activation: tanh }
diagnostics: { seeds: 1 }
train: { steps: 40, optimizer: adam, lr: 0.01, record-every: 20, holdout: 0.25 }`,
    join(dir, 'spec.depthlens.yaml'),
  );
  const result = await analyze(spec, { backend: 'wasm' }, { source });
  assertValidResult(result, 'csv data');
  assert.equal(result.layers.length, 4);
  const last = result.train!.records[result.train!.records.length - 1];
  assert.equal(result.train!.labels, 'file');
  assert.ok(last.evalAccuracy !== undefined && last.evalAccuracy >= 0.75, `held-out accuracy ${last.evalAccuracy}`);
});
