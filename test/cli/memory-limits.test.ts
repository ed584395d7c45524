// Issue 16 item 4: a run's memory is predicted before it starts and a run over wasm's heap is refused, located at
// model.width with the largest width that fits; csv files are streamed (no V8 string limit); observed peak memory of
// real runs stays within 25% of the prediction.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFileDataset } from '../../src/engine/data';
import { buildHostNetwork } from '../../src/engine/network';
import { passFootprint, predictedProcessBytes } from '../../src/engine/sizeCheck';
import { parseSpec } from '../../src/spec';
import { cli, ensureBuiltCli, writeRssLauncher } from './builtCli';

const dir = mkdtempSync(join(tmpdir(), 'depthlens-memory-'));
const wrapper = join(dir, 'rss-run.cjs');
before(() => {
  ensureBuiltCli();
  writeRssLauncher(wrapper);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function cliRun(args: string[]): { status: number | null; stderr: string; stdout: string; rssMiB: number; seconds: number } {
  const rssFile = join(dir, 'rss.txt');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [wrapper, cli, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, DL_RSS_FILE: rssFile } });
  const seconds = (performance.now() - t0) / 1000;
  let rssMiB = NaN;
  try {
    rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    // the status assertion reports it
  }
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, rssMiB, seconds };
}

test('width = batch = features = 4096 at depth 10 is refused before any tensor, at model.width, with the predicted GiB and a width that fits', () => {
  const file = join(dir, 'big.depthlens.yaml');
  writeFileSync(file, 'depthlens: 1\ndata: { source: gaussian, features: 4096, batch: 4096, classes: 10 }\nmodel:\n  depth: 10\n  width: 4096\n  activation: tanh\ndiagnostics: { seeds: 1 }\n');
  const r = cliRun(['analyze', file, '--backend', 'wasm', '--max-cpu-minutes', '0']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /big\.depthlens\.yaml:5:10: error DL001 the run is predicted to need 4\.\d GiB of backend memory \(weights .*\), more than the 3\.5 GiB usable of wasm's 4\.0 GiB heap: reduce model\.width \(width \d+ fits at this depth and batch\)/,
  );
  assert.doesNotMatch(r.stderr, /Aborted|out of bounds|\n\s+at /);
  assert.ok(r.seconds < 60, `refused after ${r.seconds.toFixed(1)} s`);
  const fits = Number(/width (\d+) fits/.exec(r.stderr)![1]);
  // The width it names does fit, and the next multiple of 64 does not (independently recomputed here).
  const need = (w: number): number => {
    const spec = parseSpec(`depthlens: 1\ndata: { source: gaussian, features: ${w}, batch: 4096, classes: 10 }\nmodel: { depth: 10, width: ${w}, activation: tanh }\n`, file).spec!;
    return passFootprint(buildHostNetwork(spec.model.layers, w, 10, 0), 4096).deviceBytes;
  };
  assert.ok(need(fits) <= 3.5 * 2 ** 30 && need(fits + 64) > 3.5 * 2 ** 30, `width ${fits}`);
});

test('an orthogonal first layer of 8192 features is refused the same way, not a wasm "memory access out of bounds"', () => {
  const file = join(dir, 'features.depthlens.yaml');
  writeFileSync(file, 'depthlens: 1\ndata: { source: gaussian, features: 8192, batch: 2048, classes: 10 }\nmodel: { depth: 40, width: 4096, init: orthogonal, activation: tanh }\ndiagnostics: { seeds: 1 }\n');
  const r = cliRun(['analyze', file, '--backend', 'wasm', '--max-cpu-minutes', '0']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /features\.depthlens\.yaml:3:\d+: error DL001 the run is predicted to need \d+\.\d GiB of backend memory/);
});

test('peak memory of real runs against the prediction (never more than 25% over)', () => {
  const cases = [
    { name: 'gaussian tanh 512×512×8', features: 512, batch: 512, depth: 8, width: 512, init: 'gaussian' },
    { name: 'orthogonal tanh 768×128×12', features: 768, batch: 128, depth: 12, width: 768, init: 'orthogonal' },
  ];
  const lines: string[] = [];
  for (const c of cases) {
    const file = join(dir, `run-${c.width}.depthlens.yaml`);
    const text = `depthlens: 1\ndata: { source: gaussian, features: ${c.features}, batch: ${c.batch}, classes: 10 }\nmodel: { depth: ${c.depth}, width: ${c.width}, init: ${c.init}, activation: tanh }\ndiagnostics: { seeds: 1 }\n`;
    writeFileSync(file, text);
    const r = cliRun(['analyze', file, '--backend', 'wasm', '--no-sweep', '--no-train']);
    assert.ok(r.status === 0 || r.status === 1, `${c.name}: exit ${r.status}\n${r.stderr}`);
    const spec = parseSpec(text, file).spec!;
    const predicted = predictedProcessBytes(buildHostNetwork(spec.model.layers, c.features, 10, 0), c.batch) / 2 ** 20;
    const line = `${c.name}: peak RSS ${r.rssMiB.toFixed(0)} MiB, predicted ${predicted.toFixed(0)} MiB (${((r.rssMiB / predicted) * 100).toFixed(0)}%)`;
    lines.push(line);
    assert.ok(r.rssMiB <= 1.25 * predicted, line);
  }
  console.log(`memory observed vs predicted:\n  ${lines.join('\n  ')}`);
});

test('a 420 MB csv is streamed: no V8 string limit, every row read, in bounded time', () => {
  // 1023 features and a label per row, 16 characters a cell: 16 KiB a row, 26 000 rows.
  const cells = Array.from({ length: 1023 }, (_, i) => (0.1 + i / 1e4).toFixed(13).padStart(15, ' ')).join(',');
  const rows = 26_000;
  const file = join(dir, 'big.csv');
  const fd = openSync(file, 'w');
  const block = Buffer.from(Array.from({ length: 100 }, (_, r) => `${cells},${r % 3}\n`).join(''));
  for (let r = 0; r < rows; r += 100) writeSync(fd, block);
  closeSync(fd);
  const bytes = block.length * (rows / 100);
  assert.ok(bytes > 400e6 && bytes < 512 * 2 ** 20, `${bytes} bytes`);
  const spec = parseSpec(`depthlens: 1\ndata: { source: csv, path: big.csv, batch: 64, classes: 3 }\nmodel: { depth: 2, width: 64 }\n`, join(dir, 's.depthlens.yaml')).spec!;
  const t0 = performance.now();
  const all = loadFileDataset(spec);
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(all.count, rows);
  assert.equal(all.features, 1023);
  assert.equal(all.x[1022], Number((0.1 + 1022 / 1e4).toFixed(13)));
  assert.equal(all.labels[rows - 1], (rows - 1) % 100 % 3);
  console.log(`streamed a ${(bytes / 1e6).toFixed(0)} MB csv (${rows} rows × 1024 columns) in ${seconds.toFixed(1)} s`);
  rmSync(file);
});
