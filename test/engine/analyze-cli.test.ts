// `depthlens analyze` (src/cli/analyze.ts) end to end, and every example spec runnable through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnalyze, type AnalyzeIO } from '../../src/cli/analyze';
import { isResult } from '../../src/shared/protocol';
import { assertValidResult } from '../resultSchema';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'depthlens-analyze-'));

function capture(): AnalyzeIO & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (l) => outLines.push(l), err: (l) => errLines.push(l), progress: null };
}

test('analyze prints a summary and findings, writes Result JSON, and exits 1 exactly when a finding is an error', async () => {
  const file = join(dir, 'relu.depthlens.yaml');
  writeFileSync(
    file,
    `depthlens: 1
data: { source: gaussian, features: 16, batch: 16, classes: 4 }
model:
  depth: 30
  width: 32
  init: he
  norm: batchnorm
  activation: relu
diagnostics: { seeds: 2 }
`,
  );
  const io = capture();
  const json = join(dir, 'out.json');
  const code = await runAnalyze([file, '--json', json, '--backend', 'wasm'], io);
  const text = io.outLines.join('\n');
  assert.match(text, /backend wasm 4\.22\.0 · 1 thread · SIMD · 2 seeds · 30 layers/);
  assert.match(text, /why: asked for by name \(the depthlens.backend setting or --backend wasm\)/);
  assert.match(text, /gradient growth \d\.\d{4}× per layer toward the input \(theory \d\.\d{4}×/);
  assert.match(text, /isometry gap φ: layer 0 .* · layer 14 .* · layer 29/);
  // ReLU + BN + He init: the theory's DL101/DL103 are errors, measured DL201 a warning, each as file:line:col.
  const dl201 = io.outLines.find((l) => l.includes(' DL201 '));
  assert.ok(dl201 && dl201.startsWith(`${file}:`), text);
  assert.match(dl201, /^.+:\d+:\d+: (warning|error) DL201 measured gradient growth/);
  const result: unknown = JSON.parse(readFileSync(json, 'utf8'));
  assert.ok(isResult(result));
  assertValidResult(result, 'relu --json');
  assert.equal(result.layers.length, 30);
  assert.equal(result.spec.path, file);
  assert.equal(code, result.findings.some((f) => f.severity === 'error') ? 1 : 0);
  // DL201 is an error past twice the range threshold (3 orders by default), a warning below.
  const measured = result.findings.find((f) => f.code === 'DL201')!;
  assert.equal(measured.severity, result.growth!.log10Range > 6 ? 'error' : 'warning');

  // A measured error (DL202: activations overflow float32) makes the exit status 1.
  const overflow = join(dir, 'overflow.depthlens.yaml');
  writeFileSync(overflow, 'depthlens: 1\ndata: { source: gaussian, features: 8, batch: 8 }\nmodel: { depth: 60, width: 8, init-gain: 10, norm: none }\ndiagnostics: { seeds: 1 }\n');
  const io2 = capture();
  const overflowJson = join(dir, 'overflow.json');
  assert.equal(await runAnalyze([overflow, '--backend', 'wasm', '--json', overflowJson], io2), 1);
  assertValidResult(JSON.parse(readFileSync(overflowJson, 'utf8')), 'overflow --json');
  assert.match(io2.outLines.join('\n'), /error DL202 NaN\/Inf in the forward pass: first at layer \d+/);
});

test('analyze: usage errors, an invalid spec and a missing backend exit 2 with a clear message', async () => {
  let io = capture();
  assert.equal(await runAnalyze([], io), 2);
  assert.match(io.errLines.join('\n'), /no spec file given/);
  io = capture();
  assert.equal(await runAnalyze(['x.yaml', '--seeds', 'many'], io), 2);
  assert.match(io.errLines.join('\n'), /--seeds: expected a whole number/);

  const bad = join(dir, 'bad.depthlens.yaml');
  writeFileSync(bad, 'depthlens: 1\ndata: { batch: 8 }\nmodel: { depth: 0, width: 8 }\n');
  io = capture();
  assert.equal(await runAnalyze([bad], io), 2);
  assert.match(io.errLines.join('\n'), new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: error DL001 `, 'm'));

  const ok = join(dir, 'ok.depthlens.yaml');
  writeFileSync(ok, 'depthlens: 1\ndata: { source: gaussian, features: 4, batch: 4 }\nmodel: { depth: 2, width: 4 }\n');
  io = capture();
  const code = await runAnalyze([ok, '--backend', 'tfjs-node-gpu'], io);
  assert.equal(code, 2);
  assert.match(io.errLines.join('\n'), /npm install @tensorflow\/tfjs-node-gpu/);
});

test('every example parses and runs as a quick run', async () => {
  const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.depthlens.yaml'));
  assert.ok(examples.length >= 12, `found ${examples.length} examples`);
  for (const name of examples) {
    const text = readFileSync(join(root, 'examples', name), 'utf8');
    assert.match(text, /^# .+\n(# .*\n)*depthlens: 1/, `${name} starts with a comment saying what to expect`);
    const io = capture();
    const out = join(dir, `${name}.json`);
    const code = await runAnalyze([join(root, 'examples', name), '--quick', '--backend', 'wasm', '--json', out], io);
    assert.ok(code === 0 || code === 1, `${name}: exit ${code}\n${io.errLines.join('\n')}`);
    const result: unknown = JSON.parse(readFileSync(out, 'utf8'));
    assert.ok(isResult(result) && result.quick === true && result.layers.length <= 50, name);
    assertValidResult(result, `${name} --quick --json`);
  }
});

test('a run far too long for one wasm thread (8192/1024/50) is refused up front, located on model.width, with a width that fits', async () => {
  const file = join(dir, 'huge.depthlens.yaml');
  writeFileSync(
    file,
    `depthlens: 1
data: { source: gaussian, features: 8192, batch: 1024, classes: 10 }
model:
  depth: 50
  width: 8192
  init: orthogonal
  norm: batchnorm
diagnostics: { seeds: 1 }
`,
  );
  const io = capture();
  const code = await runAnalyze([file, '--backend', 'wasm'], io);
  assert.equal(code, 2);
  const err = io.errLines.join('\n');
  // model.width is on line 5, its value at column 10 (1-based).
  assert.match(err, /huge\.depthlens\.yaml:5:10: error DL001 a 8192×1024×50 run .* predicted to take about \d+ min on wasm/);
  const width = Number(/width (\d+) would fit/.exec(err)?.[1]);
  assert.ok(width > 0 && width < 8192 && width % 64 === 0, err);
  assert.match(err, /--backend webgpu/);
  assert.match(err, /--max-cpu-minutes/);
  assert.deepEqual(io.outLines, [], 'nothing was measured');
});
