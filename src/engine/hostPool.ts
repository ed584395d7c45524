// A small pool of worker threads for the pass's host work, so that it runs in parallel (and alongside the pass) instead of
// serially on the main thread: n×n Grams reduced to the isometry gap φ (./isometry: an O(n³/3) pivoted Cholesky per layer),
// d×n representations reduced to φ the same way after a float64 Gram (O(d·n²/2) more), and orthogonal weights' Householder factors drawn from their seed (./haar: O(d²) normals per layer, 190 ms at d = 4096).
//  - Results are bit-identical to the main thread's: the worker (./hostWorker) runs the very same functions.
//  - The Gram's buffer is transferred, not copied (the caller's Float32Array is detached); pass { transfer: false } to keep
//    it, at the cost of one copy. A view on part of a larger buffer, or a shared buffer, is always copied.
//  - Small Grams (n < inlineBelow) are reduced inline: posting them costs about what computing them does.
//  - Idle workers are unref()ed and never keep the process alive; a worker with work in flight is ref()ed, so an awaited
//    gap always settles.
//  - Worker file: dist/host-worker.js beside the running bundle, else hostWorker.ts beside this source (run under tsx).
//    When neither exists, or workers cannot start, everything is computed inline: the pool never fails for that.
//  - An error thrown in the worker rejects just that request with the worker's message; a worker that dies rejects the
//    request it held and is replaced.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker as WorkerType } from 'node:worker_threads';
import { isometryGapFromGram, isometryGapFromRepresentation, type GapResult } from './isometry';
import type { HostReply, HostRequest } from './hostWorker';
import { drawHouseholderFactors, unpackHouseholderFactors, type HouseholderFactors } from './haar';
import { Rng } from './rng';
import { defaultPoolSize } from './poolSize';

export { defaultPoolSize, MAX_WORKERS } from './poolSize';

export type { GapResult } from './isometry';

/**
 * Below this n a Gram is reduced on the main thread. Measured with bench/host-pool.ts (2-core AMD EPYC shared with other
 * jobs, load ≈ 8, Node 20; noisy): inline φ takes ≈ 0.005 ms at n = 16, 0.025 ms at n = 32, 0.05–0.17 ms at n = 48,
 * 0.16 ms at n = 64, 0.84 ms at n = 96, 1.8 ms at n = 128; a worker round trip for such Grams costs 0.06–0.18 ms of latency
 * and 0.025–0.065 ms of main-thread time (post, transfer, reply). Below 64 posting saves at most ≈ 0.1 ms per layer (10 ms
 * over 100 layers), not worth a worker start (≈ 0.05–0.2 s per worker, once per process); from 64 on the main thread saves
 * ≥ 80% per Gram, and the saving grows as n³. The pass keeps n < 128 inline all the same: on this 2-core machine (one core
 * held by other jobs) a worker at n = 100 made the whole 100/100/1000 pass slower (bench/RESULTS.md), and below 128 the
 * main thread's share is at most ~1.8 ms a layer.
 */
export const INLINE_BELOW = 128;

export interface HostPoolOptions {
  /** Worker count; default min(availableParallelism − 1, 8), at least 1. 0: every Gram is reduced inline. */
  size?: number;
  /** Grams with n below this are reduced inline; default INLINE_BELOW. */
  inlineBelow?: number;
  /** Worker script (tests); default: found beside the running bundle or this source file. null: no workers. */
  workerFile?: string | null;
}

export interface GapOptions {
  /** Transfer the Gram's buffer to the worker (default), detaching it here; false copies it instead. */
  transfer?: boolean;
}

type Job =
  | { kind: 'gap'; id: number; gram: Float32Array; n: number; transfer: boolean; resolve: (r: GapResult) => void; reject: (e: Error) => void }
  | {
      kind: 'representation';
      id: number;
      x: Float32Array;
      d: number;
      n: number;
      accumulation: number;
      transfer: boolean;
      resolve: (r: GapResult) => void;
      reject: (e: Error) => void;
    }
  | {
      kind: 'householder';
      id: number;
      d: number;
      seed: number;
      stream: number;
      resolve: (f: HouseholderFactors) => void;
      reject: (e: Error) => void;
    };

/** Below this size an orthogonal weight's Householder factors are drawn inline (0.6 ms at d = 128, 6.5 ms at 512). */
export const HOUSEHOLDER_INLINE_BELOW = 256;

interface Slot {
  worker: WorkerType;
  ready: boolean;
  job: Job | null;
  /** Set once the slot has been removed (exit or error), so the other of the two events does nothing twice. */
  gone: boolean;
}

/**
 * The worker script, and for a TypeScript source the tsx require hook to load it with; null when there is none (then the
 * pool computes inline). Under Node 20 a worker given `execArgv: ['--import', 'tsx']` still fails on the .ts entry
 * (ERR_UNKNOWN_FILE_EXTENSION: the ESM hooks are not applied to a worker's entry), so a source worker is started from a
 * two-line CommonJS bootstrap that registers tsx/cjs and then requires the .ts file.
 */
export function findWorkerFile(): WorkerSpec | null {
  const dir = typeof __dirname === 'string' ? __dirname : null;
  if (!dir) return null;
  const bundled = join(dir, 'host-worker.js');
  if (existsSync(bundled)) return { file: bundled };
  const source = join(dir, 'hostWorker.ts');
  if (existsSync(source)) return sourceWorker(source);
  return null;
}

export interface WorkerSpec {
  file: string;
  /** Absolute path of tsx's CommonJS register module, for a .ts worker. */
  tsx?: string;
}

function sourceWorker(file: string): WorkerSpec | null {
  try {
    return { file, tsx: require.resolve('tsx/cjs') };
  } catch {
    return null;
  }
}

export class HostPool {
  readonly size: number;
  readonly inlineBelow: number;
  private readonly worker: WorkerSpec | null;
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private disposed = false;
  /** Workers cannot start here (no worker_threads, a missing or broken worker file): everything is computed inline. */
  private broken = false;
  private workerCtor: typeof WorkerType | null = null;

  constructor(options: HostPoolOptions = {}) {
    const size = options.size ?? defaultPoolSize();
    this.size = Number.isFinite(size) ? Math.max(0, Math.min(Math.floor(size), 64)) : defaultPoolSize();
    this.inlineBelow = options.inlineBelow ?? INLINE_BELOW;
    if (options.workerFile === null) this.worker = null;
    else if (options.workerFile !== undefined) {
      const file = options.workerFile;
      this.worker = file.endsWith('.ts') ? sourceWorker(file) : existsSync(file) ? { file } : null;
    } else this.worker = findWorkerFile();
    if (this.size === 0 || !this.worker) this.broken = true;
  }

  /** φ of the n×n row-major Gram, as isometryGapFromGram(gram, n) would give it on this thread. */
  gap(gram: Float32Array, n: number, options: GapOptions = {}): Promise<GapResult> {
    if (this.broken || this.disposed || n < this.inlineBelow) return inline(gram, n);
    return new Promise<GapResult>((resolve, reject) => {
      this.queue.push({ kind: 'gap', id: this.nextId++, gram, n, transfer: options.transfer ?? true, resolve, reject });
      this.spawn();
      this.pump();
    });
  }

  /**
   * φ of the d×n row-major representation x (a fan-in of `accumulation` made it), as isometryGapFromRepresentation would
   * give it on this thread. Reduced inline below the same n as a Gram (its cost, d·n²/2 + n³/3, is the Gram's times
   * 1 + 1.5·d/n: at most 4 for the n ≥ d/2 the pass sends here).
   */
  representationGap(x: Float32Array, d: number, n: number, accumulation: number, options: GapOptions = {}): Promise<GapResult> {
    if (this.broken || this.disposed || n < this.inlineBelow) return inlineRepresentation(x, d, n, accumulation);
    return new Promise<GapResult>((resolve, reject) => {
      this.queue.push({ kind: 'representation', id: this.nextId++, x, d, n, accumulation, transfer: options.transfer ?? true, resolve, reject });
      this.spawn();
      this.pump();
    });
  }

  /**
   * The Householder factors of a d×d Haar matrix drawn from Rng(seed, stream), as drawHouseholderFactors would give them
   * on this thread (small d: drawn inline). Asking for the next layers' factors ahead lets their O(d²) draws run on other
   * cores while this thread computes.
   */
  householder(d: number, seed: number, stream: number): Promise<HouseholderFactors> {
    if (this.broken || this.disposed || d < HOUSEHOLDER_INLINE_BELOW) return inlineHouseholder(d, seed, stream);
    return new Promise<HouseholderFactors>((resolve, reject) => {
      this.queue.push({ kind: 'householder', id: this.nextId++, d, seed, stream, resolve, reject });
      this.spawn();
      this.pump();
    });
  }

  /**
   * Starts the workers now, ahead of the first Gram, so that it does not wait for them to load; they stay unref()ed. Does
   * nothing where the pool computes inline.
   */
  warm(): void {
    this.spawn();
    this.pump();
  }

  /** Workers started and ready, workers starting, requests queued, requests in flight; for tests and diagnostics. */
  stats(): { ready: number; starting: number; queued: number; inFlight: number; inline: boolean } {
    return {
      ready: this.slots.filter((s) => s.ready).length,
      starting: this.slots.filter((s) => !s.ready).length,
      queued: this.queue.length,
      inFlight: this.slots.filter((s) => s.job).length,
      inline: this.broken || this.disposed,
    };
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Terminates the workers; requests queued or in flight are rejected. Later calls to gap() compute inline. */
  dispose(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.disposed = true;
    const err = new Error('host pool disposed');
    const slots = this.slots;
    this.slots = [];
    for (const job of this.queue.splice(0)) job.reject(err);
    const exits: Promise<unknown>[] = [];
    for (const s of slots) {
      s.gone = true;
      if (s.job) s.job.reject(err);
      s.job = null;
      exits.push(s.worker.terminate().catch(() => undefined));
    }
    return Promise.all(exits).then(() => undefined);
  }

  private spawn(): void {
    if (this.broken || this.disposed) return;
    while (this.slots.length < this.size) {
      const worker = this.startWorker();
      if (!worker) return;
      const slot: Slot = { worker, ready: false, job: null, gone: false };
      this.slots.push(slot);
      worker.on('message', (msg: HostReply) => this.onMessage(slot, msg));
      worker.on('error', (e: Error) => this.onExit(slot, e.message));
      worker.on('exit', (code: number) => this.onExit(slot, `host worker exited with code ${code}`));
      // Starting (and busy) workers keep the process alive until they answer; idle ones do not.
      worker.ref();
    }
  }

  private startWorker(): WorkerType | null {
    try {
      if (!this.workerCtor) this.workerCtor = (require('node:worker_threads') as typeof import('node:worker_threads')).Worker;
      const { file, tsx } = this.worker!;
      // execArgv: [] rather than the parent's (which may hold --import tsx, --inspect, …).
      if (!tsx) return new this.workerCtor(file, { execArgv: [] });
      const bootstrap = `require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`;
      return new this.workerCtor(bootstrap, { eval: true, execArgv: [] });
    } catch {
      this.fallBackInline();
      return null;
    }
  }

  private onMessage(slot: Slot, msg: HostReply): void {
    if (slot.gone) return;
    if ('ready' in msg) {
      slot.ready = true;
      this.pump();
      return;
    }
    const job = slot.job;
    slot.job = null;
    if (job && job.id === msg.id) {
      if ('error' in msg) job.reject(new Error(msg.error));
      else if ((job.kind === 'gap' || job.kind === 'representation') && 'result' in msg) job.resolve(msg.result);
      else if (job.kind === 'householder' && 'factors' in msg) job.resolve(unpackHouseholderFactors(msg.factors));
      else job.reject(new Error('host worker: a reply of the wrong kind'));
    }
    this.pump();
  }

  private onExit(slot: Slot, message: string): void {
    if (slot.gone || this.disposed) return;
    slot.gone = true;
    this.slots = this.slots.filter((s) => s !== slot);
    void slot.worker.terminate().catch(() => undefined);
    if (!slot.ready) {
      // It never loaded: workers cannot start here. Its queue is still on this thread, so nothing is lost.
      if (this.slots.length === 0) this.fallBackInline();
      else this.pump();
      return;
    }
    // A worker that ran and died: the Gram it held went with it (transferred), so that request fails; replace the worker.
    slot.job?.reject(new Error(message));
    slot.job = null;
    if (this.queue.length > 0) this.spawn();
    this.pump();
  }

  private fallBackInline(): void {
    this.broken = true;
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) {
      if (s.job) {
        s.job.reject(new Error('host worker stopped'));
        s.job = null;
      }
      s.gone = true;
      void s.worker.terminate().catch(() => undefined);
    }
    for (const job of this.queue.splice(0)) runInline(job);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (!slot.ready || slot.job || slot.gone) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      if (job.kind === 'householder') {
        slot.worker.postMessage({ id: job.id, kind: 'householder', d: job.d, seed: job.seed, stream: job.stream });
        continue;
      }
      const data = transferable(job.kind === 'gap' ? job.gram : job.x, job.transfer);
      const request: HostRequest =
        job.kind === 'gap'
          ? { id: job.id, gram: data, n: job.n }
          : { id: job.id, kind: 'representation', x: data, d: job.d, n: job.n, accumulation: job.accumulation };
      try {
        slot.worker.postMessage(request, [data.buffer as ArrayBuffer]);
      } catch (e) {
        slot.job = null;
        job.reject(e instanceof Error ? e : new Error(String(e)));
        continue;
      }
      // The job no longer needs the caller's array (it may now be detached).
      if (job.kind === 'gap') job.gram = data;
      else job.x = data;
    }
    // Busy or starting workers hold the process open; idle ready ones do not.
    for (const slot of this.slots) {
      if (slot.gone) continue;
      if (slot.job || (!slot.ready && this.queue.length > 0)) slot.worker.ref();
      else slot.worker.unref();
    }
  }
}

function runInline(job: Job): void {
  if (job.kind === 'gap') inline(job.gram, job.n).then(job.resolve, job.reject);
  else if (job.kind === 'representation') inlineRepresentation(job.x, job.d, job.n, job.accumulation).then(job.resolve, job.reject);
  else inlineHouseholder(job.d, job.seed, job.stream).then(job.resolve, job.reject);
}

/** The array itself when it may be transferred and owns its whole buffer, else a copy. */
function transferable(a: Float32Array, transfer: boolean): Float32Array {
  const whole = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer;
  return transfer && whole ? a : a.slice();
}

function inlineRepresentation(x: Float32Array, d: number, n: number, accumulation: number): Promise<GapResult> {
  return settled(() => isometryGapFromRepresentation(x, d, n, accumulation));
}

function inlineHouseholder(d: number, seed: number, stream: number): Promise<HouseholderFactors> {
  return settled(() => drawHouseholderFactors(d, new Rng(seed, stream)));
}

function inline(gram: Float32Array, n: number): Promise<GapResult> {
  return settled(() => isometryGapFromGram(gram, n));
}

/** `compute()` on this thread, as a promise: its value, or its exception as a rejection. */
function settled<T>(compute: () => T): Promise<T> {
  try {
    return Promise.resolve(compute());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

let shared: HostPool | null = null;

/** The process-wide pool, created on first use; its idle workers never keep the process alive. */
export function sharedHostPool(): HostPool {
  if (!shared || shared.isDisposed) shared = new HostPool();
  return shared;
}
