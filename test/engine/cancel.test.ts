// Cancellation end to end (issue 16 item 5): a run made of many short passes (100 seeds × a 100-depth sweep of a small
// net, minutes of work) stops on SIGINT/SIGTERM with exit code 130 and a message, and an engine process whose parent
// died stops computing. Latencies are printed; the bounds are loose (two shared cores), far below the old behaviour
// (the run went on to its end).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, CancelledError } from '../../src/engine';
import { parseSpec } from '../../src/spec';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'depthlens-cancel-'));

/** 100 seeds × a sweep over depths 1..30 of a width-8 net: 3000 passes, each too short to yield inside. */
const MANY_SHORT_PASSES = `depthlens: 1
data: { source: gaussian, features: 8, batch: 8, classes: 2 }
model: { depth: 10, width: 8, init: he, norm: batchnorm, activation: relu }
diagnostics: { seeds: 100, depths: [${Array.from({ length: 30 }, (_, i) => i + 1).join(', ')}] }
`;

const specFile = join(dir, 'many.depthlens.yaml');

before(() => {
  writeFileSync(specFile, MANY_SHORT_PASSES);
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--only=cli,engine,host-worker'], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
});

test('an abort that can only arrive through the event loop stops a run of short passes before the next pass', async () => {
  // The abort is posted as a macrotask (as an IPC cancel or a signal arrives) when the first seed is done; without a
  // yield between passes it would run only once some pass happened to last long enough to yield inside.
  const { spec } = parseSpec(MANY_SHORT_PASSES, specFile);
  assert.ok(spec);
  const controller = new AbortController();
  let posted = false;
  let seedsAfter = 0;
  await assert.rejects(
    analyze(spec, { backend: 'wasm' }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (!/done$/.test(p.message)) return;
        if (posted) seedsAfter++;
        else {
          posted = true;
          setImmediate(() => controller.abort());
        }
      },
    }),
    CancelledError,
  );
  assert.ok(posted);
  assert.ok(seedsAfter <= 1, `${seedsAfter} more passes ran after the abort was posted`);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`depthlens analyze: ${signal} mid-run exits 130 with a message, within about a second`, async (t) => {
    const child = spawn(process.execPath, [join(root, 'dist/cli.js'), 'analyze', specFile, '--backend', 'wasm'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
    // Past the start-up (module load, backend: the prediction is printed then) and into the passes.
    const waited = performance.now();
    while (!stderr.includes('predicted:') && child.exitCode === null && performance.now() - waited < 60_000) await sleep(20);
    await sleep(1500);
    assert.equal(child.exitCode, null, `the run ended before the signal: ${stderr}`);
    const t0 = performance.now();
    child.kill(signal);
    const { code, signal: killedBy } = await exited;
    const ms = performance.now() - t0;
    t.diagnostic(`${signal} → exit in ${ms.toFixed(0)} ms`);
    assert.equal(killedBy, null, 'the CLI handles the signal itself');
    assert.equal(code, 130, stderr);
    const what = signal === 'SIGINT' ? 'interrupted \\(Ctrl-C\\)' : 'received SIGTERM';
    assert.match(stderr, new RegExp(`depthlens analyze: ${what}: cancelling the run`));
    assert.match(stderr, /depthlens analyze: cancelled/);
    assert.equal(stdout, '', 'no summary for a cancelled run');
    assert.ok(ms < 3000, `exit took ${ms.toFixed(0)} ms after ${signal}`);
  });
}

test('an engine process whose parent dies (IPC disconnect) stops within about a second, mid-run', async (t) => {
  // The parent: forks the engine, starts the long run, reports the engine's pid once progress flows, then waits.
  const parentScript = `
    const { fork } = require('node:child_process');
    const fs = require('node:fs');
    const engine = fork(${JSON.stringify(join(root, 'dist/engine.js'))}, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    let told = false;
    engine.on('message', (m) => {
      if (m.type === 'ready') engine.send({ type: 'run', id: 1, text: fs.readFileSync(${JSON.stringify(specFile)}, 'utf8'), file: ${JSON.stringify(specFile)}, options: { backend: 'wasm' } });
      if (m.type === 'error') { process.stderr.write('engine error: ' + m.message + '\\n'); process.exit(1); }
      if (m.type === 'progress' && m.phase === 'sweep' && !told) { told = true; process.stdout.write(engine.pid + '\\n'); }
    });
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    parent.on('exit', () => reject(new Error('the parent exited early')));
    setTimeout(() => reject(new Error('no sweep progress within 60 s')), 60_000);
  });
  assert.ok(pid > 0);
  await sleep(500);
  assert.ok(alive(pid), 'the engine is computing');
  const t0 = performance.now();
  parent.kill('SIGKILL');
  while (alive(pid) && performance.now() - t0 < 10_000) await sleep(20);
  const ms = performance.now() - t0;
  t.diagnostic(`engine gone ${ms.toFixed(0)} ms after its parent was killed`);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  assert.ok(ms < 3000, `the engine kept running ${ms.toFixed(0)} ms after its parent died`);
});

/** Running (a zombie left for a reaper that never comes counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
