// The engine as the extension runs it: dist/engine.js forked, real IPC, a real run, cancellation within ~1 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { isEngineEvent, isResult, type EngineEvent, type EngineRequest } from '../../src/shared/protocol';
import { assertValidResult } from '../resultSchema';

const root = join(__dirname, '..', '..');
let child: ChildProcess;
const events: EngineEvent[] = [];
const waiters: { pred: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];

function waitFor(pred: (e: EngineEvent) => boolean, timeoutMs = 60_000): Promise<EngineEvent> {
  const seen = events.find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for an engine event')), timeoutMs);
    waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
  });
}

function send(req: EngineRequest): void {
  child.send(req);
}

before(async () => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  child = fork(join(root, 'dist/engine.js'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  child.on('message', (m: unknown) => {
    assert.ok(isEngineEvent(m), `malformed event ${JSON.stringify(m)}`);
    events.push(m);
    for (const w of [...waiters]) if (w.pred(m)) waiters.splice(waiters.indexOf(w), 1), w.resolve(m);
  });
  await waitFor((e) => e.type === 'ready');
});

after(() => {
  if (child.connected) send({ type: 'shutdown' });
  setTimeout(() => child.kill(), 2000).unref();
});

const small = `depthlens: 1
data: { source: gaussian, features: 16, batch: 16, classes: 4 }
model: { depth: 30, width: 16, init: orthogonal, norm: batchnorm, center: false, eps: 0, activation: identity }
diagnostics: { seeds: 2 }`;

test('a run streams backend, progress and partial events and ends with a valid result', async () => {
  send({ type: 'run', id: 1, text: small, file: '/tmp/small.depthlens.yaml', options: { backend: 'wasm' } });
  const done = await waitFor((e) => (e.type === 'done' || e.type === 'error') && 'id' in e && e.id === 1);
  assert.equal(done.type, 'done', JSON.stringify(done));
  assert.ok(done.type === 'done' && isResult(done.result));
  if (done.type === 'done') {
    assert.equal(done.result.layers.length, 30);
    assert.equal(done.result.backend.name, 'wasm');
  }
  const mine = events.filter((e) => 'id' in e && e.id === 1);
  assert.ok(mine.some((e) => e.type === 'backend'));
  assert.ok(mine.some((e) => e.type === 'progress'));
  assert.ok(mine.some((e) => e.type === 'partial' && e.result.partial === true));
  if (done.type === 'done') assertValidResult(done.result, 'run 1: done');
  for (const [i, e] of mine.entries()) if (e.type === 'partial') assertValidResult(e.result, `run 1: partial event ${i}`);
});

test('an invalid spec is an error event carrying DL001 findings', async () => {
  send({ type: 'run', id: 2, text: 'depthlens: 1\nmodel: { depth: -3 }\n', file: '/tmp/bad.depthlens.yaml', options: { backend: 'wasm' } });
  const e = await waitFor((x) => 'id' in x && x.id === 2 && x.type !== 'progress');
  assert.equal(e.type, 'error');
  assert.ok(e.type === 'error' && e.findings && e.findings.some((f) => f.code === 'DL001'));
});

test('cancel stops a long run within about a second', async () => {
  const long = `depthlens: 1
data: { source: gaussian, features: 128, batch: 64, classes: 10 }
model: { depth: 2000, width: 128, init: orthogonal, norm: batchnorm, center: true, activation: tanh }
diagnostics: { seeds: 5 }`;
  send({ type: 'run', id: 3, text: long, file: '/tmp/long.depthlens.yaml', options: { backend: 'wasm' } });
  await waitFor((e) => e.type === 'progress' && e.id === 3 && e.phase === 'diagnostics');
  const t0 = Date.now();
  send({ type: 'cancel', id: 3 });
  const end = await waitFor((e) => 'id' in e && e.id === 3 && ['cancelled', 'done', 'error'].includes(e.type), 10_000);
  const elapsed = Date.now() - t0;
  assert.equal(end.type, 'cancelled');
  assert.ok(elapsed < 1500, `cancel took ${elapsed} ms`);
  // The process is still usable afterwards.
  send({ type: 'run', id: 4, text: small, file: '/tmp/small.depthlens.yaml', options: { backend: 'wasm' } });
  const next = await waitFor((e) => 'id' in e && e.id === 4 && (e.type === 'done' || e.type === 'error'));
  assert.equal(next.type, 'done');
  if (next.type === 'done') assertValidResult(next.result, 'run 4: done');
  for (const [i, e] of events.entries()) if (e.type === 'partial' && e.id === 3) assertValidResult(e.result, `run 3 (cancelled): partial event ${i}`);
});

test('the warm and warmed messages pass the guards; malformed ones do not', async () => {
  const { isEngineRequest } = await import('../../src/shared/protocol');
  assert.ok(isEngineRequest({ type: 'warm', id: 7, backend: 'wasm' }));
  assert.ok(isEngineRequest({ type: 'warm', id: 7, backend: 'auto', nativeModulePaths: ['/x'] }));
  assert.ok(!isEngineRequest({ type: 'warm', backend: 'wasm' }), 'a warm request without an id');
  assert.ok(!isEngineRequest({ type: 'warm', id: 7 }));
  assert.ok(!isEngineRequest({ type: 'warm', id: 7, backend: 'wasm', nativeModulePaths: [3] }));
  assert.ok(isEngineEvent({ type: 'warmed', id: 7, backend: null, milliseconds: 3, message: 'x' }));
  assert.ok(!isEngineEvent({ type: 'warmed', backend: null, milliseconds: 3 }), 'a warmed event without an id');
  assert.ok(!isEngineEvent({ type: 'warmed', id: 7, backend: 'wasm', milliseconds: 3 }));
  send({ type: 'warm', id: 7, backend: 'wasm' });
  const warmed = await waitFor((e) => e.type === 'warmed' && e.id === 7);
  assert.ok(warmed.type === 'warmed' && warmed.backend?.name === 'wasm', JSON.stringify(warmed));
});
