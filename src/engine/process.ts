// The engine as a forked child process (dist/engine.js): EngineRequest in, EngineEvent out, over Node IPC.
// One run at a time; a new run cancels the one in flight. A cancel aborts the run's AbortSignal, which the run checks
// between passes and, inside a pass, between layers and the bands of long products while yielding to the event loop
// every ~50 ms, so the run stops (and frees its tensors) within a second. The same yields let a disconnect from a parent
// that died end the process.
import { isEngineRequest, type EngineEvent, type RunRequest, type WarmRequest } from '../shared/protocol';
import type { SourceMap } from '../spec';
import { checkText } from '../theory';
import { analyze, CancelledError, describeError, validateRunOptions, warmUp } from './index';

interface ActiveRun {
  id: number;
  controller: AbortController;
  done: Promise<void>;
}

let active: ActiveRun | null = null;
let warming: Promise<void> | null = null;

function send(event: EngineEvent): void {
  if (process.connected) process.send?.(event);
}

async function execute(req: RunRequest, controller: AbortController): Promise<void> {
  const { id } = req;
  let source: SourceMap | undefined;
  try {
    const { parse, findings } = checkText(req.text, req.file);
    source = parse.source;
    if (!parse.spec) {
      send({ type: 'error', id, kind: 'spec', message: `${req.file || 'spec'}: invalid spec (${parse.problems.length} problem(s))`, findings });
      return;
    }
    const result = await analyze(parse.spec, req.options, {
      signal: controller.signal,
      source: parse.source,
      onBackend: (backend) => send({ type: 'backend', id, backend }),
      onProgress: (p) => send({ type: 'progress', id, ...p }),
      onPartial: (r) => send({ type: 'partial', id, result: r }),
    });
    if (controller.signal.aborted) send({ type: 'cancelled', id });
    else send({ type: 'done', id, result });
  } catch (e) {
    if (e instanceof CancelledError || controller.signal.aborted) send({ type: 'cancelled', id });
    else send({ type: 'error', id, ...describeError(e, source) });
  }
}

/** Runs are queued behind the warm-up (about 0.3 s on wasm), never cancelled by it. */
async function warm({ id, backend: choice, nativeModulePaths = [] }: WarmRequest): Promise<void> {
  const started = performance.now();
  const done = warmUp(choice, nativeModulePaths).then(
    (backend) => send({ type: 'warmed', id, backend, milliseconds: performance.now() - started }),
    (e: unknown) => send({ type: 'warmed', id, backend: null, milliseconds: performance.now() - started, message: e instanceof Error ? e.message : String(e) }),
  );
  warming = done;
  await done;
  if (warming === done) warming = null;
}

function startRun(req: RunRequest): void {
  const previous = active;
  previous?.controller.abort();
  const controller = new AbortController();
  const run: ActiveRun = {
    id: req.id,
    controller,
    done: (previous ? previous.done : (warming ?? Promise.resolve()))
      .then(() => (controller.signal.aborted ? send({ type: 'cancelled', id: req.id }) : execute(req, controller)))
      .finally(() => {
        if (active === run) active = null;
      }),
  };
  active = run;
}

/**
 * A request the guard refused. A run request with an id is answered (its client is waiting), with the first bad option
 * named where the options are at fault; anything else is only logged.
 */
function refuse(msg: unknown): void {
  const id = typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'run' ? (msg as { id?: unknown }).id : undefined;
  if (typeof id !== 'number' || !Number.isFinite(id)) {
    send({ type: 'log', level: 'warn', message: 'engine: ignored a malformed request' });
    return;
  }
  let error = describeError(new Error('malformed run request (text, file and options are required)'));
  try {
    validateRunOptions((msg as { options?: unknown }).options);
  } catch (e) {
    error = describeError(e);
  }
  send({ type: 'error', id, ...error });
}

process.on('message', (msg: unknown) => {
  if (!isEngineRequest(msg)) {
    refuse(msg);
    return;
  }
  switch (msg.type) {
    case 'run':
      startRun(msg);
      break;
    case 'cancel':
      if (active && active.id === msg.id) active.controller.abort();
      break;
    case 'warm':
      if (!active && !warming) void warm(msg);
      else send({ type: 'warmed', id: msg.id, backend: null, milliseconds: 0, message: 'skipped: a run or another warm-up is in flight' });
      break;
    case 'shutdown': {
      active?.controller.abort();
      const finished = active ? active.done : Promise.resolve();
      void finished.finally(() => process.exit(0));
      break;
    }
  }
});

// The host went away: nothing left to report to.
process.on('disconnect', () => process.exit(0));

send({ type: 'ready' });
