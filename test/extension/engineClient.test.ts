// The engine client against the real engine bundle (dist/engine.js, wasm backend): runs, cancels, crashes, start failures.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient } from '../../src/extension/engineClient';
import { type Logger } from '../../src/shared/logger';
import { FIXTURES } from './fixtures';

const ROOT = join(__dirname, '..', '..');
const ENGINE = join(ROOT, 'dist', 'engine.js');
const lines: string[] = [];
const log: Logger = { trace: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };

before(() => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('a run ends with a result: one layer per weight matrix, on the requested backend', async () => {
  const client = new EngineClient({ enginePath: ENGINE, log });
  try {
    let progressed = false;
    const { outcome } = client.run(FIXTURES['tiny.depthlens.yaml']!, '/tmp/tiny.depthlens.yaml', { backend: 'wasm' }, { onProgress: () => (progressed = true) });
    const o = await outcome;
    assert.equal(o.kind, 'done', JSON.stringify(o));
    if (o.kind !== 'done') return;
    assert.equal(o.result.backend.name, 'wasm');
    assert.deepEqual(o.result.layers.map((l) => l.index), [0, 1, 2, 3, 4, 5]);
    assert.ok(progressed, 'no progress event');
  } finally {
    client.dispose();
  }
});

test('cancel stops a long run within about a second, and the next run starts a working engine', async () => {
  const client = new EngineClient({ enginePath: ENGINE, log });
  try {
    const { id, outcome } = client.run(FIXTURES['long.depthlens.yaml']!, '/tmp/long.depthlens.yaml', { backend: 'wasm' });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (client.pid !== undefined) {
          clearInterval(t);
          resolve();
        }
      }, 20);
    });
    await new Promise((r) => setTimeout(r, 2500));
    assert.ok(client.busy, 'the long run ended before the cancel');
    const t0 = Date.now();
    client.cancel(id);
    const o = await outcome;
    assert.equal(o.kind, 'cancelled');
    assert.ok(Date.now() - t0 < 1500, `cancel took ${Date.now() - t0} ms`);
    const again = await client.run(FIXTURES['tiny.depthlens.yaml']!, '/tmp/tiny.depthlens.yaml', { backend: 'wasm' }).outcome;
    assert.equal(again.kind, 'done');
  } finally {
    client.dispose();
  }
});

test('an engine that dies mid-run gives an error outcome, not a hang', async () => {
  const client = new EngineClient({ enginePath: ENGINE, log });
  try {
    const { outcome } = client.run(FIXTURES['long.depthlens.yaml']!, '/tmp/long.depthlens.yaml', { backend: 'wasm' });
    while (client.pid === undefined) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    process.kill(client.pid!, 'SIGKILL');
    const o = await outcome;
    assert.equal(o.kind, 'error');
    if (o.kind === 'error') assert.match(o.message, /exited/);
  } finally {
    client.dispose();
  }
});

test('an engine that never says ready fails the run with a clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'depthlens-engine-'));
  const silent = join(dir, 'silent.js');
  writeFileSync(silent, 'setInterval(() => {}, 1000);\n');
  const client = new EngineClient({ enginePath: silent, log, startTimeoutMs: 300 });
  try {
    const o = await client.run('x', 'x.depthlens.yaml', { backend: 'wasm' }).outcome;
    assert.equal(o.kind, 'error');
    if (o.kind === 'error') assert.match(o.message, /did not start/);
  } finally {
    client.dispose();
  }
});

test('an invalid spec comes back as an error outcome with DL001 findings', async () => {
  const client = new EngineClient({ enginePath: ENGINE, log });
  try {
    const o = await client.run(FIXTURES['broken.depthlens.yaml']!, '/tmp/broken.depthlens.yaml', { backend: 'wasm' }).outcome;
    assert.equal(o.kind, 'error');
    if (o.kind === 'error') assert.ok(o.findings?.some((f) => f.code === 'DL001'), JSON.stringify(o));
  } finally {
    client.dispose();
  }
});

test('a run started while another is being cancelled waits for it, then completes', async () => {
  const client = new EngineClient({ enginePath: ENGINE, log });
  try {
    const first = client.run(FIXTURES['long.depthlens.yaml']!, '/tmp/long.depthlens.yaml', { backend: 'wasm' });
    while (client.pid === undefined) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 1500));
    client.cancel(first.id);
    const second = client.run(FIXTURES['tiny.depthlens.yaml']!, '/tmp/tiny.depthlens.yaml', { backend: 'wasm' });
    assert.equal((await first.outcome).kind, 'cancelled');
    const o = await second.outcome;
    assert.equal(o.kind, 'done', JSON.stringify(o));
  } finally {
    client.dispose();
  }
});

test('a queued run cancelled before it was sent ends as cancelled without touching the engine', async () => {
  const client = new EngineClient({ enginePath: ENGINE, log });
  try {
    const first = client.run(FIXTURES['tiny.depthlens.yaml']!, '/tmp/tiny.depthlens.yaml', { backend: 'wasm' });
    const second = client.run(FIXTURES['tiny.depthlens.yaml']!, '/tmp/tiny.depthlens.yaml', { backend: 'wasm' });
    client.cancel(second.id);
    assert.equal((await second.outcome).kind, 'cancelled');
    assert.equal((await first.outcome).kind, 'done');
  } finally {
    client.dispose();
  }
});

test('threshold overrides reach the measured findings', async () => {
  const client = new EngineClient({ enginePath: ENGINE, log });
  const measuredCodes = async (thresholds: { gradGrowthPerLayer: number; gradLog10Range: number }): Promise<string[]> => {
    const o = await client.run(FIXTURES['tiny.depthlens.yaml']!, '/tmp/tiny.depthlens.yaml', { backend: 'wasm', thresholds }).outcome;
    assert.equal(o.kind, 'done', JSON.stringify(o));
    return o.kind === 'done' ? o.result.findings.filter((f) => f.measured).map((f) => f.code) : [];
  };
  try {
    // Orthogonal linear, 6 layers, one seed: the gradient profile is nearly flat, far inside 3 orders of magnitude and 2×
    // per layer (the fitted slope of so short and noisy a profile can pass the default 1.02×, so the test sets both); but
    // any profile that is not exactly constant spans more than 1e-9 orders.
    assert.ok(!(await measuredCodes({ gradGrowthPerLayer: 2, gradLog10Range: 3 })).includes('DL201'));
    assert.ok((await measuredCodes({ gradGrowthPerLayer: 2, gradLog10Range: 1e-9 })).includes('DL201'));
  } finally {
    client.dispose();
  }
});

test('warm starts the engine and its backend before any run; the run that follows uses them', async () => {
  const client = new EngineClient({ enginePath: ENGINE, log });
  try {
    assert.equal(client.pid, undefined, 'no engine process before the warm-up');
    const warmed = await client.warm('wasm');
    assert.ok(warmed, 'no answer to the warm-up');
    assert.equal(warmed.backend?.name, 'wasm');
    assert.ok(warmed.milliseconds > 0);
    const pid = client.pid;
    assert.notEqual(pid, undefined);
    const o = await client.run(FIXTURES['tiny.depthlens.yaml']!, '/tmp/tiny.depthlens.yaml', { backend: 'wasm' }).outcome;
    assert.equal(o.kind, 'done', JSON.stringify(o));
    assert.equal(client.pid, pid, 'the run went to the warmed process');
  } finally {
    client.dispose();
  }
});

test('warming a backend that is not installed answers with the reason, and runs still work', async () => {
  const client = new EngineClient({ enginePath: ENGINE, log });
  try {
    const warmed = await client.warm('tfjs-node-gpu');
    assert.ok(warmed);
    assert.equal(warmed.backend, null);
    assert.match(warmed.message ?? '', /@tensorflow\/tfjs-node-gpu/);
    const o = await client.run(FIXTURES['tiny.depthlens.yaml']!, '/tmp/tiny.depthlens.yaml', { backend: 'wasm' }).outcome;
    assert.equal(o.kind, 'done');
  } finally {
    client.dispose();
  }
});

test('warm while a run is in flight is skipped and leaves the run alone', async () => {
  const client = new EngineClient({ enginePath: ENGINE, log });
  try {
    const { outcome } = client.run(FIXTURES['tiny.depthlens.yaml']!, '/tmp/tiny.depthlens.yaml', { backend: 'wasm' });
    assert.equal(await client.warm('wasm'), null);
    assert.equal((await outcome).kind, 'done');
  } finally {
    client.dispose();
  }
});
