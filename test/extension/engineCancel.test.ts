// Cancelling a run of many short passes through the engine client (issue 16 item 5): the engine itself acknowledges the
// cancel (the client's kill fallback is pushed out of reach), and the latency is printed. Before the engine yielded between
// passes, such a run never saw the cancel message until it ended.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { EngineClient } from '../../src/extension/engineClient';
import type { Logger } from '../../src/shared/logger';
import type { RunPhase } from '../../src/shared/protocol';

const ROOT = join(__dirname, '..', '..');
const lines: string[] = [];
const log: Logger = { trace: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };

/** 100 seeds × a sweep over depths 1..30 of a width-8 net: 3000 passes, each too short to yield inside. */
const MANY_SHORT_PASSES = `depthlens: 1
data: { source: gaussian, features: 8, batch: 8, classes: 2 }
model: { depth: 10, width: 8, init: he, norm: batchnorm, activation: relu }
diagnostics: { seeds: 100, depths: [${Array.from({ length: 30 }, (_, i) => i + 1).join(', ')}] }
`;

before(() => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--only=engine,host-worker'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

for (const phase of ['diagnostics', 'sweep'] as RunPhase[]) {
  test(`a many-short-passes run cancelled in its ${phase} phase is acknowledged by the engine within about a second`, async (t) => {
    const client = new EngineClient({ enginePath: join(ROOT, 'dist', 'engine.js'), log, cancelGraceMs: 60_000 });
    try {
      let reached: () => void = () => {};
      const inPhase = new Promise<void>((resolve) => (reached = resolve));
      const { id, outcome } = client.run(MANY_SHORT_PASSES, '/tmp/many.depthlens.yaml', { backend: 'wasm' }, { onProgress: (p) => p.phase === phase && reached() });
      await inPhase;
      await new Promise((r) => setTimeout(r, 300));
      const pid = client.pid;
      assert.ok(client.busy, 'the run ended before the cancel');
      const t0 = performance.now();
      client.cancel(id);
      const o = await outcome;
      const ms = performance.now() - t0;
      t.diagnostic(`cancel acknowledged in ${ms.toFixed(0)} ms (${phase})`);
      assert.equal(o.kind, 'cancelled');
      assert.equal(client.pid, pid, 'the engine stopped the run itself (not killed)');
      assert.ok(ms < 2000, `cancel took ${ms.toFixed(0)} ms`);
    } finally {
      client.dispose();
    }
  });
}
