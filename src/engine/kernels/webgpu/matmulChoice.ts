// Chooses the matmul of a WebGPU device by measuring, once per device and width class: tfjs's kernel and the tiled one of
// ./matmul both run the pass's main product (W·X as the pass issues it on webgpu: Wᵀ stored, transposeA) at the run's
// width and batch, a few timed dispatches each, and the faster one (by a margin, and only if their results agree) serves
// every tf.matMul of the run (./batchMatMul). Small widths, where products are bound by dispatch cost rather than
// arithmetic, and software adapters (SwiftShader, lavapipe: no GPU to tune for) keep tfjs's without timing anything.
import type { Tensor } from '@tensorflow/tfjs';
import type { GpuMatMulChoice } from '../../../shared/result';
import type { Tf } from '../../backends/types';
import { pow2AtLeast } from './grid';
import { setMatMulKernel } from './batchMatMul';
import { tiledServes, TILED_MIN_OUTPUT_TILES } from './matmul';

/** Below this width the products of a layer take microseconds: the calibration would cost more than it could save. */
export const CALIBRATION_MIN_WIDTH = 512;
/** The tiled kernel must be this much faster to be chosen (timing noise of a few dispatches). */
const TILED_MARGIN = 1.1;
/** Flops timed per kernel and round (at most MAX_REPS products): ~0.1 s at 2 TFLOP/s. */
const TIMED_FLOPS = 2e11;
const MAX_REPS = 20;
/** Largest relative difference between the two kernels' products accepted (float32 sums in another order: ~1e-6). */
const AGREEMENT = 1e-3;

const calibrations = new WeakMap<GPUDevice, Map<string, GpuMatMulChoice>>();

export interface CalibrationOptions {
  software: boolean;
  /** Tests: calibrate from this width on instead of CALIBRATION_MIN_WIDTH. */
  minWidth?: number;
  /** Tests: flops timed per kernel and round instead of TIMED_FLOPS (at least one product is timed). */
  timedFlops?: number;
}

/** The matmul for a run of `width` × `batch` on tfjs's current webgpu device, measured the first time for its class. */
export async function calibrateMatMul(tf: Tf, width: number, batch: number, options: CalibrationOptions): Promise<GpuMatMulChoice> {
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  if (!device) throw new Error('calibrateMatMul: tfjs is not on the webgpu backend');
  if (options.software) return keep(device, 'a software adapter: tfjs’s matmul kept, nothing timed');
  if (width < (options.minWidth ?? CALIBRATION_MIN_WIDTH)) return keep(device, `width ${width} < ${options.minWidth ?? CALIBRATION_MIN_WIDTH}: products this small are bound by dispatch cost; tfjs’s matmul kept, nothing timed`);
  if (!tiledServes({ batch: 1, m: width, n: batch })) {
    return keep(device, `${width}×${batch} products have fewer than ${TILED_MIN_OUTPUT_TILES} output tiles: tfjs’s matmul kept, nothing timed`);
  }
  let byClass = calibrations.get(device);
  if (!byClass) calibrations.set(device, (byClass = new Map()));
  const key = `${pow2AtLeast(width)}x${pow2AtLeast(Math.max(1, batch))}`;
  let choice = byClass.get(key);
  if (!choice) {
    choice = await measure(tf, device, width, Math.max(1, batch), options.timedFlops ?? TIMED_FLOPS);
    byClass.set(key, choice);
  }
  setMatMulKernel(device, choice.kernel);
  return choice;
}

function keep(device: GPUDevice, reason: string): GpuMatMulChoice {
  setMatMulKernel(device, 'tfjs');
  return { kernel: 'tfjs', reason };
}

async function measure(tf: Tf, device: GPUDevice, width: number, batch: number, timedFlops: number): Promise<GpuMatMulChoice> {
  const [m, k, n] = [width, width, batch];
  const shape: [number, number, number] = [m, k, n];
  const flops = 2 * m * k * n;
  const reps = Math.max(1, Math.min(MAX_REPS, Math.round(timedFlops / flops)));
  const wT = tf.randomNormal([k, m], 0, 1, 'float32');
  const x = tf.randomNormal([k, n], 0, 1, 'float32');
  const product = (): Tensor => tf.matMul(wT as never, x as never, true, false);
  const timed = async (kernel: 'tiled' | 'tfjs'): Promise<number> => {
    setMatMulKernel(device, kernel);
    const start = performance.now();
    let last: Tensor | null = null;
    for (let r = 0; r < reps; r++) {
      last?.dispose();
      last = product();
    }
    const corner = tf.slice(last!, [0, 0], [1, 1]);
    await corner.data();
    corner.dispose();
    last!.dispose();
    return (performance.now() - start) / 1000;
  };
  try {
    // First calls compile both kernels; their products are compared once.
    setMatMulKernel(device, 'tfjs');
    const ref = product();
    setMatMulKernel(device, 'tiled');
    const tiled = product();
    const diff = tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(ref, tiled))), tf.maximum(tf.max(tf.abs(ref)), tf.scalar(1e-30))));
    const [rel] = (await diff.data()) as Float32Array;
    for (const t of [ref, tiled, diff]) t.dispose();
    if (!(rel! <= AGREEMENT)) return keep(device, `the tiled matmul disagreed with tfjs’s at ${shape.join('×')} (relative difference ${rel}): tfjs’s kept`);
    // Alternate the kernels, best of two rounds each.
    let tiledBest = Infinity;
    let tfjsBest = Infinity;
    for (let round = 0; round < 2; round++) {
      tfjsBest = Math.min(tfjsBest, await timed('tfjs'));
      tiledBest = Math.min(tiledBest, await timed('tiled'));
    }
    const tiledGflops = (flops * reps) / tiledBest / 1e9;
    const tfjsGflops = (flops * reps) / tfjsBest / 1e9;
    const kernel = tiledGflops > TILED_MARGIN * tfjsGflops ? 'tiled' : 'tfjs';
    setMatMulKernel(device, kernel);
    const rates = `tiled ${tiledGflops.toFixed(0)} against tfjs ${tfjsGflops.toFixed(0)} GFLOP/s at ${m}×${k}·${k}×${n}`;
    return {
      kernel,
      shape,
      tiledGflops,
      tfjsGflops,
      reason: kernel === 'tiled' ? `measured ${rates}` : `measured ${rates}: the tiled kernel is not ${TILED_MARGIN}× faster, tfjs’s kept`,
    };
  } catch (e) {
    return keep(device, `the calibration failed (${(e as Error).message?.split('\n')[0] ?? String(e)}): tfjs’s matmul kept`);
  } finally {
    wT.dispose();
    x.dispose();
  }
}
