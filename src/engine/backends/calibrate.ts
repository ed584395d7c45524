// How much slower (or faster) this machine runs right now than the machine the cost model's rates were measured on
// (./cost): a run's prediction came out at 27 s for a run that took 51 s on a loaded machine. At run start a short probe
// times a few products at the run's width on the chosen backend (tens of ms) and the prediction is scaled by the ratio.
// CPU backends only: the GPU's rates come from another machine's driver, and one product there measures mostly the
// dispatch and the read-back, not the rate a run of many queued dispatches reaches.
import type { Tensor2D } from '@tensorflow/tfjs';
import type { BackendName } from '../../shared/result';
import type { Tf } from './types';
import { cpuFlopsRate } from './cost';

/** Runs the benchmark predicts shorter than this are not calibrated: the probe would take 7% or more of them. */
export const CALIBRATE_FROM_SECONDS = 2;
/** The probe stops after this much time, or PROBE_MAX_PRODUCTS products; one untimed product warms the kernels first. */
const PROBE_SECONDS = 0.15;
const PROBE_MAX_PRODUCTS = 60;
/** The probe's product is n×d by d×d with d the run's width kept within these bounds: large enough to be compute-bound
 *  (the rate the model assumes), small enough that one product stays far below the probe's time budget. */
const PROBE_MIN_D = 256;
const PROBE_MAX_D = 512;
const PROBE_N = 256;
/** The measured factor is kept within these bounds: outside them the probe measured a hiccup, not the machine. */
export const CALIBRATION_MIN = 0.25;
export const CALIBRATION_MAX = 100;

export interface Calibration {
  /** Measured seconds of the probe over the cost model's seconds for it: > 1 on a slower or loaded machine. */
  factor: number;
  /** The probe's own seconds (what calibrating cost). */
  probeSeconds: number;
}

/** The calibration of a CPU backend (wasm, cpu) at `width`; null on other backends. */
export async function calibrate(tf: Tf, name: BackendName, width: number): Promise<Calibration | null> {
  if (name !== 'wasm' && name !== 'cpu') return null;
  const d = Math.max(PROBE_MIN_D, Math.min(PROBE_MAX_D, Math.round(width)));
  const started = performance.now();
  const a = tf.randomNormal([PROBE_N, d], 0, 1, 'float32', 1) as Tensor2D;
  const b = tf.randomNormal([d, d], 0, 1 / Math.sqrt(d), 'float32', 2) as Tensor2D;
  try {
    const product = async (): Promise<void> => {
      const c = tf.matMul(a, b);
      try {
        await c.data();
      } finally {
        c.dispose();
      }
    };
    await product();
    let products = 0;
    const t0 = performance.now();
    while (products < PROBE_MAX_PRODUCTS && (performance.now() - t0) / 1000 < PROBE_SECONDS) {
      await product();
      products++;
    }
    const measured = (performance.now() - t0) / 1000;
    const modelled = (products * 2 * PROBE_N * d * d) / cpuFlopsRate(name);
    const factor = Math.min(CALIBRATION_MAX, Math.max(CALIBRATION_MIN, measured / modelled));
    return { factor, probeSeconds: (performance.now() - started) / 1000 };
  } finally {
    a.dispose();
    b.dispose();
  }
}

/**
 * Seconds left in a run `fraction` done after `elapsed` seconds, predicted at `predicted` seconds in all: the prediction's
 * remainder early on, then more and more the pace measured so far (all of it from a fifth of the way on).
 */
export function remainingSeconds(predicted: number, elapsed: number, fraction: number): number {
  const byPrediction = Math.max(0, predicted - elapsed);
  if (!(fraction > 0) || elapsed <= 0) return byPrediction;
  const f = Math.min(1, fraction);
  const byPace = (elapsed * (1 - f)) / f;
  const w = Math.min(1, f / 0.2);
  return w * byPace + (1 - w) * byPrediction;
}
