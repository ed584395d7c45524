// Runs analyses in a forked engine process (dist/engine.js) so tensors never touch the extension host.
// One run at a time; cancelling waits briefly for the engine to acknowledge, then kills it (restarted on the next run).
// No vscode import: the client is tested in plain Node against the real engine bundle.
import { fork, type ChildProcess } from 'node:child_process';
import {
  isEngineEvent,
  type EngineEvent,
  type EngineRequest,
  type ProgressEvent,
  type RunOptions,
  type WarmedEvent,
} from '../shared/protocol';
import type { Logger } from '../shared/logger';
import type { BackendChoice, BackendInfo, Result } from '../shared/result';
import type { Finding } from '../shared/findings';
import type { RunError } from '../shared/runError';

export type RunOutcome =
  | { kind: 'done'; result: Result }
  | { kind: 'cancelled' }
  | { kind: 'error'; message: string; findings?: Finding[]; /** The engine's error as data; absent when the engine process itself failed. */ error?: RunError };

export interface RunHooks {
  onProgress?(event: ProgressEvent): void;
  onPartial?(result: Result): void;
  onBackend?(backend: BackendInfo): void;
}

export interface EngineClientOptions {
  /** Absolute path of dist/engine.js. */
  enginePath: string;
  log: Logger;
  /** How long a cancelled run may take to acknowledge before the process is killed. */
  cancelGraceMs?: number;
  /** How long to wait for the engine's `ready` after starting it. */
  startTimeoutMs?: number;
}

interface PendingRun {
  id: number;
  hooks: RunHooks;
  settle(outcome: RunOutcome): void;
  /** True once the request went to the engine (runs queue behind the one in flight). */
  sent: boolean;
  killTimer?: NodeJS.Timeout;
}

export class EngineClient {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private readonly runs = new Map<number, PendingRun>();
  /** Settles when the latest run has: the next run is sent only then, so a kill never hits a newer run. */
  private lastRun: Promise<unknown> = Promise.resolve();
  private readonly cancelGraceMs: number;
  private readonly startTimeoutMs: number;

  constructor(private readonly options: EngineClientOptions) {
    this.cancelGraceMs = options.cancelGraceMs ?? 1000;
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
  }

  /** True while a run is in flight. */
  get busy(): boolean {
    return this.runs.size > 0;
  }

  /** Process id of the running engine, if any (tests use it to check restarts). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts a run and resolves when it finishes, fails or is cancelled; never rejects. */
  run(text: string, file: string, options: RunOptions, hooks: RunHooks = {}): { id: number; outcome: Promise<RunOutcome> } {
    const id = this.nextId++;
    const outcome = new Promise<RunOutcome>((resolve) => {
      const pending: PendingRun = {
        id,
        hooks,
        sent: false,
        settle: (o) => {
          if (!this.runs.has(id)) return;
          clearTimeout(pending.killTimer);
          this.runs.delete(id);
          resolve(o);
        },
      };
      this.runs.set(id, pending);
    });
    const previous = this.lastRun;
    this.lastRun = outcome;
    previous
      .then(() => (this.runs.has(id) ? this.start() : undefined))
      .then(() => {
        const pending = this.runs.get(id);
        if (!pending) return;
        pending.sent = true;
        this.send({ type: 'run', id, text, file, options });
      })
      .catch((err: unknown) => this.runs.get(id)?.settle({ kind: 'error', message: errorText(err) }));
    return { id, outcome };
  }

  /**
   * Starts the engine process and its backend ahead of the first run (a WarmRequest); resolves with the engine's answer,
   * or null when the engine could not be started or a run made it skip the warm-up. Never rejects.
   */
  warm(backend: BackendChoice, nativeModulePaths?: string[]): Promise<WarmedEvent | null> {
    if (this.runs.size > 0) return Promise.resolve(null);
    const id = this.nextId++;
    return this.start()
      .then(
        () =>
          new Promise<WarmedEvent | null>((resolve) => {
            const child = this.child;
            if (!child) return resolve(null);
            const onMessage = (msg: unknown): void => {
              if (!isEngineEvent(msg) || msg.type !== 'warmed' || msg.id !== id) return;
              done(msg);
            };
            const done = (answer: WarmedEvent | null): void => {
              child.off('message', onMessage);
              child.off('exit', onExit);
              resolve(answer);
            };
            const onExit = (): void => done(null);
            child.on('message', onMessage);
            child.on('exit', onExit);
            this.send({ type: 'warm', id, backend, ...(nativeModulePaths ? { nativeModulePaths } : {}) });
          }),
      )
      .catch((err: unknown) => {
        this.options.log.warn(`engine: warm-up failed: ${errorText(err)}`);
        return null;
      });
  }

  /** Asks the engine to stop run `id`; kills the process if it has not acknowledged within the grace period. */
  cancel(id: number): void {
    const pending = this.runs.get(id);
    if (!pending || pending.killTimer) return;
    this.options.log.info(`engine: cancelling run ${id}`);
    if (!pending.sent || !this.child) {
      pending.settle({ kind: 'cancelled' });
      return;
    }
    this.send({ type: 'cancel', id });
    pending.killTimer = setTimeout(() => {
      this.options.log.warn(`engine: run ${id} did not stop within ${this.cancelGraceMs} ms; killing the engine process`);
      pending.settle({ kind: 'cancelled' });
      this.kill();
    }, this.cancelGraceMs);
  }

  /** Cancels every run in flight. */
  cancelAll(): void {
    for (const id of [...this.runs.keys()]) this.cancel(id);
  }

  /** Stops the engine process when no run needs it, so the next run starts fresh (e.g. to pick up a new native backend). */
  stopIdle(): void {
    if (this.runs.size > 0 || !this.child) return;
    this.options.log.info('engine: stopping the idle engine process; the next run starts a new one');
    if (this.child.connected) this.child.send({ type: 'shutdown' } satisfies EngineRequest);
    this.kill();
  }

  dispose(): void {
    for (const run of [...this.runs.values()]) run.settle({ kind: 'cancelled' });
    if (this.child?.connected) this.child.send({ type: 'shutdown' } satisfies EngineRequest);
    this.kill();
  }

  private start(): Promise<void> {
    if (this.child && this.ready) return this.ready;
    const log = this.options.log;
    // Inside VS Code the host's execPath is Electron: ELECTRON_RUN_AS_NODE makes it behave as plain Node.
    const child = fork(this.options.enginePath, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      execArgv: [],
    });
    this.child = child;
    log.info(`engine: started process ${child.pid} (${this.options.enginePath})`);
    child.stdout?.setEncoding('utf8').on('data', (s: string) => logLines(s, (l) => log.info(`engine stdout: ${l}`)));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => logLines(s, (l) => log.warn(`engine stderr: ${l}`)));
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the engine process did not start within ${this.startTimeoutMs / 1000} s`)), this.startTimeoutMs);
      child.on('message', (msg: unknown) => {
        if (!isEngineEvent(msg)) {
          log.warn(`engine: ignoring malformed message ${JSON.stringify(msg).slice(0, 200)}`);
          return;
        }
        if (msg.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else this.dispatch(msg);
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the engine process exited before it was ready (${signal ?? `code ${code}`})`));
        this.onExit(child, code, signal);
      });
    });
    return this.ready;
  }

  private dispatch(event: EngineEvent): void {
    if (event.type === 'log') {
      const text = `engine: ${event.message}`;
      if (event.level === 'error') this.options.log.error(text);
      else if (event.level === 'warn') this.options.log.warn(text);
      else if (event.level === 'info') this.options.log.info(text);
      else this.options.log.trace(text);
      return;
    }
    if (event.type === 'ready') return;
    if (event.type === 'warmed') {
      const what = event.backend ? `${event.backend.name} ${event.backend.version}` : `no backend (${event.message ?? 'unknown reason'})`;
      this.options.log.info(`engine: warmed up ${what} in ${event.milliseconds.toFixed(0)} ms`);
      return;
    }
    const run = this.runs.get(event.id);
    if (!run) return;
    switch (event.type) {
      case 'progress':
        run.hooks.onProgress?.(event);
        break;
      case 'partial':
        run.hooks.onPartial?.(event.result);
        break;
      case 'backend':
        run.hooks.onBackend?.(event.backend);
        break;
      case 'done':
        run.settle({ kind: 'done', result: event.result });
        break;
      case 'cancelled':
        run.settle({ kind: 'cancelled' });
        break;
      case 'error': {
        const { type: _type, id: _id, findings, ...error } = event;
        run.settle({ kind: 'error', message: event.message, error, ...(findings ? { findings } : {}) });
        break;
      }
    }
  }

  private send(request: EngineRequest): void {
    const child = this.child;
    if (!child?.connected) throw new Error('the engine process is not running');
    child.send(request);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.ready = undefined;
    const how = signal ?? `code ${code}`;
    if (this.runs.size > 0) this.options.log.error(`engine: process ${child.pid} exited (${how}) during a run`);
    else this.options.log.info(`engine: process ${child.pid} exited (${how})`);
    for (const run of [...this.runs.values()]) {
      run.settle(run.killTimer ? { kind: 'cancelled' } : { kind: 'error', message: `the engine process exited unexpectedly (${how})` });
    }
  }

  private kill(): void {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.ready = undefined;
    child.kill('SIGKILL');
    for (const run of [...this.runs.values()]) {
      if (run.sent) run.settle(run.killTimer ? { kind: 'cancelled' } : { kind: 'error', message: 'the engine process was stopped' });
    }
  }
}

function logLines(chunk: string, write: (line: string) => void): void {
  for (const line of chunk.split(/\r?\n/)) if (line.trim()) write(line);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
