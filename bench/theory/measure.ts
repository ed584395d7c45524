// Float64 measurements of the per-layer squared-gradient growth λ that the theory predicts, for configurations the papers
// do not cover (orthogonal + BN with batch ≠ width; every activation at finite batch and width). The simulator is the
// independent reference in test/unit/theory-reference.ts (hand-written forward/backward, Haar weights by Householder).
//
//   node --import tsx bench/theory/measure.ts orthogonal|activations|gaussian   # measure (minutes; appends to the JSON file)
//   node --import tsx bench/theory/table.ts                            # render bench/theory/TABLES.md from the JSON
//
// λ is exp of the slope of ln ‖∂loss/∂W_ℓ‖² over the middle 80% of the layers, averaged over seeds.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureLnLambda } from '../../test/unit/theory-reference';
import { activation } from '../../src/theory/activations';
import type { Activation } from '../../src/spec/types';

export interface Measurement {
  init: 'gaussian' | 'orthogonal';
  activation: Activation;
  width: number;
  batch: number;
  centred: boolean;
  depth: number;
  seeds: number;
  lnLambda: number;
  se: number;
}

const here = dirname(fileURLToPath(import.meta.url));
export const MEASUREMENTS = join(here, 'measurements.json');

export function loadMeasurements(): Measurement[] {
  return existsSync(MEASUREMENTS) ? (JSON.parse(readFileSync(MEASUREMENTS, 'utf8')) as Measurement[]) : [];
}

function key(m: Omit<Measurement, 'lnLambda' | 'se'>): string {
  return `${m.init}/${m.activation}/${m.width}/${m.batch}/${m.centred}/${m.depth}/${m.seeds}`;
}

function run(configs: Omit<Measurement, 'lnLambda' | 'se'>[]): void {
  const all = loadMeasurements();
  const done = new Set(all.map(key));
  for (const c of configs) {
    if (done.has(key(c))) continue;
    const a = activation(c.activation);
    const t = Date.now();
    const seeds = Array.from({ length: c.seeds }, (_, i) => 1000 + i);
    const r = measureLnLambda({ width: c.width, batch: c.batch, depth: c.depth, f: a.f, df: a.df, centred: c.centred, init: c.init }, seeds);
    all.push({ ...c, lnLambda: r.mean, se: r.se });
    writeFileSync(MEASUREMENTS, JSON.stringify(all, null, 1) + '\n');
    console.log(`${key(c)}: λ = ${Math.exp(r.mean).toFixed(5)} ± ${(Math.exp(r.mean) * r.se).toFixed(5)} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }
}

function orthogonalGrid(): Omit<Measurement, 'lnLambda' | 'se'>[] {
  const out: Omit<Measurement, 'lnLambda' | 'se'>[] = [];
  const grid: [boolean, number, number[]][] = [
    [false, 32, [8, 12, 16, 24, 32]],
    [false, 64, [8, 16, 24, 32, 48, 64]],
    [false, 128, [8, 16, 32, 48, 64, 96, 128]],
    [false, 256, [16, 32, 64]],
    [true, 32, [8, 16, 24, 32]],
    [true, 64, [8, 16, 24, 32, 48, 64]],
    [true, 128, [16, 32, 64, 128]],
    [true, 256, [32]],
  ];
  for (const [centred, width, batches] of grid)
    for (const batch of batches) out.push({ init: 'orthogonal', activation: 'identity', width, batch, centred, depth: 300, seeds: width >= 256 ? 3 : 6 });
  return out;
}

function gaussianGrid(): Omit<Measurement, 'lnLambda' | 'se'>[] {
  const out: Omit<Measurement, 'lnLambda' | 'se'>[] = [];
  for (const centred of [false, true])
    for (const width of [64, 128, 256])
      for (const batch of [8, 16, 32]) out.push({ init: 'gaussian', activation: 'identity', width, batch, centred, depth: 60, seeds: 4 });
  return out;
}

const ACTIVATIONS: Activation[] = ['relu', 'leaky-relu', 'tanh', 'sin', 'gelu', 'selu', 'sigmoid'];

function activationGrid(): Omit<Measurement, 'lnLambda' | 'se'>[] {
  const out: Omit<Measurement, 'lnLambda' | 'se'>[] = [];
  for (const act of ACTIVATIONS)
    for (const centred of [true, false])
      for (const [init, width, batch] of [
        ['gaussian', 128, 16],
        ['gaussian', 128, 64],
        ['orthogonal', 128, 32],
        ['orthogonal', 128, 128],
      ] as const)
        out.push({ init, activation: act, width, batch, centred, depth: 60, seeds: 4 });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const which = process.argv[2];
  if (which === 'orthogonal') run(orthogonalGrid());
  else if (which === 'activations') run(activationGrid());
  else if (which === 'gaussian') run(gaussianGrid());
  else throw new Error('usage: measure.ts orthogonal|activations|gaussian');
}
