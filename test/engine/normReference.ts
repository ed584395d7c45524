// The float64 reference of the normalization forward and backward (the semantics of src/engine/ops.ts), shared by the
// wasm and webgpu kernel tests.
import type { NormShape } from '../../src/engine/ops';

/** y, inv and dx of normForward / normBackward on row-major r×c x and g, in float64. */
export function normReference(x: ArrayLike<number>, g: ArrayLike<number>, r: number, c: number, { axis, center }: NormShape, eps: number) {
  const y = new Float64Array(r * c);
  const dx = new Float64Array(r * c);
  const groups = axis === 1 ? r : c;
  const size = axis === 1 ? c : r;
  const at = (k: number, m: number): number => (axis === 1 ? k * c + m : m * c + k);
  const inv = new Float64Array(groups);
  for (let k = 0; k < groups; k++) {
    let mean = 0;
    if (center) for (let m = 0; m < size; m++) mean += x[at(k, m)] / size;
    let ms = 0;
    for (let m = 0; m < size; m++) ms += (x[at(k, m)] - mean) ** 2 / size;
    inv[k] = 1 / Math.sqrt(ms + eps);
    for (let m = 0; m < size; m++) y[at(k, m)] = (x[at(k, m)] - mean) * inv[k];
    let gy = 0;
    for (let m = 0; m < size; m++) gy += (g[at(k, m)] * y[at(k, m)]) / size;
    let dmean = 0;
    for (let m = 0; m < size; m++) {
      dx[at(k, m)] = inv[k] * (g[at(k, m)] - y[at(k, m)] * gy);
      dmean += dx[at(k, m)] / size;
    }
    if (center) for (let m = 0; m < size; m++) dx[at(k, m)] -= dmean;
  }
  return { y, inv, dx };
}
