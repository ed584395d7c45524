// Errors cross the engine's process boundary as data (issue 11 item 4): a bad csv comes back from the real engine with its
// kind, spec key and range, and errorToFinding makes of it the same located DL001 the CLI prints; a run over the budget
// comes back as 'over-budget' with the prediction.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient } from '../../src/extension/engineClient';
import type { Logger } from '../../src/shared/logger';
import { errorToFinding } from '../../src/shared/runError';
import { runAnalyze } from '../../src/cli/analyze';

const ROOT = join(__dirname, '..', '..');
const log: Logger = { trace: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const dir = mkdtempSync(join(tmpdir(), 'depthlens-errors-'));

before(() => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--only=engine,host-worker'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

const badCsvSpec = `depthlens: 1
data:
  source: csv
  batch: 4
  path: bad.csv
model: { depth: 3, width: 8, init: he, norm: batchnorm, activation: relu }
`;

test('a bad csv is a data error with its spec key and range, the same located DL001 in the editor as in the CLI', async () => {
  writeFileSync(join(dir, 'bad.csv'), '1,2,3\n4,five,6\n7,8,9\n1,2,3\n');
  const file = join(dir, 'bad.depthlens.yaml');
  writeFileSync(file, badCsvSpec);
  const client = new EngineClient({ enginePath: join(ROOT, 'dist', 'engine.js'), log });
  try {
    const o = await client.run(badCsvSpec, file, { backend: 'wasm' }).outcome;
    assert.equal(o.kind, 'error', JSON.stringify(o));
    if (o.kind !== 'error') return;
    assert.equal(o.error?.kind, 'data');
    assert.equal(o.error?.path, 'data.path');
    // `path: bad.csv` is on line 5 (0-based 4), the value from column 8.
    assert.deepEqual(o.error?.range?.start, { line: 4, character: 8 });
    const finding = errorToFinding(o.error!);
    assert.ok(finding);
    assert.equal(finding.code, 'DL001');

    const err: string[] = [];
    const code = await runAnalyze([file, '--backend', 'wasm'], { out: () => {}, err: (l) => err.push(l), progress: null });
    assert.equal(code, 2);
    assert.ok(err.includes(`${file}:5:9: error DL001 ${finding.message}`), err.join('\n'));
  } finally {
    client.dispose();
  }
});

test('a run over the budget comes back as over-budget with the prediction, before any pass', async () => {
  const client = new EngineClient({ enginePath: join(ROOT, 'dist', 'engine.js'), log });
  try {
    const text = 'depthlens: 1\ndata: { source: gaussian, features: 8, batch: 8 }\nmodel: { depth: 40, width: 64 }\n';
    let diagnostics = false;
    const o = await client.run(text, join(dir, 'b.depthlens.yaml'), { backend: 'wasm', maxSeconds: 1e-6 }, { onProgress: (p) => (diagnostics ||= p.phase === 'diagnostics') }).outcome;
    assert.equal(o.kind, 'error', JSON.stringify(o));
    if (o.kind !== 'error') return;
    assert.equal(o.error?.kind, 'over-budget');
    assert.ok((o.error?.predictedSeconds ?? 0) > 0);
    assert.equal(o.error?.budgetSeconds, 1e-6);
    assert.ok(!diagnostics);
  } finally {
    client.dispose();
  }
});
