// Worker entry of the isometry-gap pool (./gapPool): reduces Grams to φ off the main thread with the very function the main
// thread would run (./isometry), so results are bit-identical. Bundled to dist/gap-worker.js (scripts/build.mjs).
// Protocol: posts {ready: true} once loaded; then for each {id, gram, n} answers {id, result} or {id, error}.
import { parentPort } from 'node:worker_threads';
import { isometryGapFromGram } from './isometry';

export interface GapRequest {
  id: number;
  gram: Float32Array;
  n: number;
}

export type GapReply = { ready: true } | { id: number; result: import('./isometry').GapResult } | { id: number; error: string };

const port = parentPort;
if (port) {
  port.on('message', (msg: GapRequest) => {
    let reply: GapReply;
    try {
      reply = { id: msg.id, result: isometryGapFromGram(msg.gram, msg.n) };
    } catch (e) {
      reply = { id: msg.id, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies GapReply);
}
