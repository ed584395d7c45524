// Cost of the isometry gap's source (src/engine/blockGap.ts): the diagnostic pass on wasm at sizes that take φ from the
// float32 Gram (n < d/2) and from the representation itself in float64 (n ≥ d/2), median of --reps runs (default 3).
// Run: node --import tsx bench/gap-source.ts [--reps N] [--only 128/128/300,…]; to compare two checkouts, run it in each
// (for the checkout before blockGap.ts, replace its import by a gapFromRepresentation that returns false).
import { performance } from 'node:perf_hooks';
import { selectBackend } from '../src/engine/backend';
import { gapFromRepresentation } from '../src/engine/blockGap';
import { buildHostNetwork } from '../src/engine/network';
import { runDiagnosticPass } from '../src/engine/pass';
import { Rng } from '../src/engine/rng';
import type { LayerSpec } from '../src/spec/types';

const args = process.argv.slice(2);
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 3;
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1].split(',') : null;

const sizes = [
  { width: 128, batch: 32, depth: 1000 },
  { width: 512, batch: 64, depth: 300 },
  { width: 64, batch: 64, depth: 300 },
  { width: 128, batch: 128, depth: 300 },
  { width: 256, batch: 256, depth: 100 },
];

/** The orthogonal, centred-BN, ReLU network of the benchmark (linear-norm-act). */
function layers(width: number, depth: number): LayerSpec[] {
  const out: LayerSpec[] = [];
  for (let l = 0; l < depth; l++) {
    const path = `model.layers[${l}]`;
    out.push({ kind: 'dense', units: width, init: 'orthogonal', gain: 1, bias: false, path });
    out.push({ kind: 'batchnorm', center: true, eps: 1e-5, path } as LayerSpec);
    out.push({ kind: 'activation', fn: 'relu', gain: 1, path });
  }
  return out;
}

async function main(): Promise<void> {
  const { tf } = await selectBackend('wasm');
  for (const s of sizes) {
    if (only && !only.includes(`${s.width}/${s.batch}/${s.depth}`)) continue;
    const features = s.width;
    const net = buildHostNetwork(layers(s.width, s.depth), features, 10, 1);
    const rng = new Rng(5);
    const x = rng.fillNormal(new Float64Array(s.batch * features));
    const labels = Int32Array.from({ length: s.batch }, () => rng.int(10));
    const times: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < reps + 1; r++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await runDiagnosticPass(tf, net, { x, n: s.batch, features, labels, classes: 10, loss: 'cross-entropy' });
      const c = process.cpuUsage(c0);
      // The first run warms up. CPU seconds (this process, worker threads included) are steadier than wall time on a
      // machine shared with other jobs.
      if (r > 0) {
        times.push((performance.now() - t0) / 1000);
        cpu.push((c.user + c.system) / 1e6);
      }
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const source = gapFromRepresentation(s.width, s.batch) ? 'representation' : 'Gram';
    console.log(`${s.width}/${s.batch}/${s.depth}\t${source}\twall median ${times[Math.floor(times.length / 2)].toFixed(3)} s (${times.map((t) => t.toFixed(3)).join(', ')})\tCPU median ${cpu[Math.floor(cpu.length / 2)].toFixed(3)} s (${cpu.map((t) => t.toFixed(3)).join(', ')})`);
  }
}

void main();
