// `depthlens import`, and `check` / `analyze` given a model file: the built CLI on the example models.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ensureBuiltCli, root } from './builtCli';

const dir = mkdtempSync(join(tmpdir(), 'depthlens-import-cli-'));
const models = join(root, 'examples/models');

before(ensureBuiltCli);
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** 1-based line of the layer's `"name": "…"` in a JSON model. */
function lineOf(file: string, name: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(`"name": "${name}"`)) + 1;
}

test('import -o writes the spec; checking it gives what checking the model gives, on the model layers', () => {
  const onnx = join(models, 'bn-mlp-50.onnx');
  const w = run('import', onnx, '-o', 'mlp.depthlens.yaml');
  assert.equal(w.code, 0, w.err);
  assert.match(w.err, /bn-mlp-50\.onnx \(ONNX, 150 layers\) → mlp\.depthlens\.yaml/);
  const spec = readFileSync(join(dir, 'mlp.depthlens.yaml'), 'utf8');
  assert.match(spec, /^ {4}- dense: \{units: 64, init: he\}  # dense_1 \(Gemm, init read from the weights\)$/m);

  const fromSpec = run('check', 'mlp.depthlens.yaml');
  const fromModel = run('check', onnx);
  assert.equal(fromSpec.code, 0);
  assert.equal(fromModel.code, 0);
  const codes = (out: string) => [...out.matchAll(/ (DL\d+) /g)].map((m) => m[1]).sort();
  assert.deepEqual(codes(fromModel.out), ['DL101', 'DL103']);
  assert.deepEqual(codes(fromSpec.out), codes(fromModel.out));
  assert.match(fromModel.out, /bn-mlp-50\.onnx:1:1: warning DL101 he init with batch normalization.*\[model layer "dense_1"\]/);
});

test('check on a Keras JSON model places each finding on its layer in the file', () => {
  const keras = join(models, 'bn-mlp-50.keras.json');
  const r = run('check', keras);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`bn-mlp-50\\.keras\\.json:${lineOf(keras, 'dense_1')}:\\d+: warning DL101 .*\\[model layer "dense_1"\\]`));
  assert.match(r.out, new RegExp(`bn-mlp-50\\.keras\\.json:${lineOf(keras, 'relu_1')}:\\d+: warning DL103 .*\\[model layer "relu_1"\\]`));
  // --batch reaches the spec: B = 2 makes batch normalization degenerate (DL104, an error).
  const small = run('check', keras, '--batch', '2');
  assert.equal(small.code, 1);
  assert.match(small.out, /error DL104/);
});

test('import: a model it cannot read is file:line:col: error DL001, exit 2', () => {
  writeFileSync(join(dir, 'bad.onnx'), Buffer.from([0x3a, 0x03, 0x0a, 0x09, 0x01]));
  const r = run('import', 'bad.onnx');
  assert.equal(r.code, 2);
  assert.match(r.err, /^bad\.onnx:1:1: error DL001 bad\.onnx: field 1 claims 9 bytes but only 1 remain \(truncated or corrupt\) at byte 2$/m);
  const usage = run('import', join(models, 'bn-mlp-50.onnx'), '--batch', 'many');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /--batch: expected a whole number/);
  const sub = run('import', join(models, 'tfjs/model.json'), '--from', 'dense_50');
  assert.equal(sub.code, 0, sub.err);
  assert.match(sub.out, /features: 64/);
  assert.equal((sub.out.match(/^ {4}- /gm) ?? []).length, 3);
});

test('analyze runs a model file and names the model layers in its findings', () => {
  const r = run('analyze', join(models, 'bn-mlp-50.keras'), '--quick', '--backend', 'wasm', '--json', '-');
  assert.equal(r.code, 0, r.err);
  const result = JSON.parse(r.out) as { layers: unknown[]; findings: { code: string; message: string }[]; spec: { path: string } };
  assert.equal(result.layers.length, 50);
  assert.match(result.spec.path, /bn-mlp-50\.keras$/);
  assert.ok(result.findings.some((f) => f.code === 'DL101' && f.message.endsWith('[model layer "dense_1"]')));
});

test('a sidecar spec extends a model: its data and diagnostics laid over the import, findings on its keys or the extends line', () => {
  writeFileSync(join(dir, 'mlp.keras'), readFileSync(join(models, 'bn-mlp-50.keras')));
  writeFileSync(join(dir, 'side.depthlens.yaml'), 'depthlens: 1\nextends: mlp.keras\ndata:\n  batch: 2\ndiagnostics: {seeds: 3}\n');
  const r = run('check', 'side.depthlens.yaml');
  assert.equal(r.code, 1, r.out + r.err);
  // B = 2 (from the sidecar): DL104 on its batch value (line 4, column 10); the layer findings on the extends value.
  assert.match(r.out, /^side\.depthlens\.yaml:4:10: error DL104 /m);
  assert.match(r.out, /^side\.depthlens\.yaml:2:10: \w+ DL101 .*\[model layer "dense_1"\]$/m);
  writeFileSync(join(dir, 'part.depthlens.yaml'), 'depthlens: 1\nextends: {model: mlp.keras, from: dense_11}\n');
  const part = run('check', 'part.depthlens.yaml');
  assert.equal(part.code, 0, part.out + part.err);
  assert.match(part.out, /over 40 layers.*\[model layer "dense_11"\]/);
  writeFileSync(join(dir, 'lost.depthlens.yaml'), 'depthlens: 1\nextends: missing.onnx\n');
  const lost = run('check', 'lost.depthlens.yaml');
  assert.equal(lost.code, 2);
  assert.match(lost.out, /^lost\.depthlens\.yaml:2:10: error DL001 extends: missing\.onnx:1:1: cannot read .*missing\.onnx: no such file$/m);
  writeFileSync(join(dir, 'both.depthlens.yaml'), 'depthlens: 1\nextends: mlp.keras\nmodel: {depth: 3, width: 8}\n');
  assert.match(run('check', 'both.depthlens.yaml').out, /both\.depthlens\.yaml:3:1: error DL001 model: a spec that extends a model takes the model from it/);
});

test('check tells a Keras JSON under any name from a spec by its content', () => {
  writeFileSync(join(dir, 'my-net.json'), readFileSync(join(models, 'bn-mlp-50.keras.json')));
  const r = run('check', 'my-net.json');
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /my-net\.json:\d+:\d+: warning DL101 .*\[model layer "dense_1"\]/);
  writeFileSync(join(dir, 'plain.json'), '{"depthlens": 1, "data": {"features": 8, "batch": 8}, "model": {"depth": 4, "width": 8}}');
  assert.equal(run('check', 'plain.json').code, 0);
});
