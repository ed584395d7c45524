// How many host worker threads the engine uses (./hostPool), apart so that the cost model can count them without importing
// the pool.
import { availableParallelism, cpus } from 'node:os';

/** Most workers in a pool. */
export const MAX_WORKERS = 8;

/** min(cores − 1, MAX_WORKERS), at least 1: one core stays with the pass itself. */
export function defaultPoolSize(): number {
  const cores = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
  return Math.max(1, Math.min(cores - 1, MAX_WORKERS));
}
