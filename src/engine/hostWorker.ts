// Worker entry of the host pool (./hostPool): the host's O(n³) and O(d²) work off the main thread, with the very functions
// the main thread would run, so results are bit-identical — Grams and representations reduced to φ (./isometry) and the Householder factors of
// an orthogonal weight drawn from its seed and stream (./haar). Bundled to dist/host-worker.js (scripts/build.mjs).
// Protocol: posts {ready: true} once loaded; then answers each request with {id, result}, {id, factors} or {id, error}.
import { parentPort } from 'node:worker_threads';
import { drawHouseholderFactors, packHouseholderFactors, type PackedHouseholderFactors } from './haar';
import { isometryGapFromGram, isometryGapFromRepresentation, type GapResult } from './isometry';
import { Rng } from './rng';

export type HostRequest =
  | { id: number; kind?: 'gap'; gram: Float32Array; n: number }
  | { id: number; kind: 'representation'; x: Float32Array; d: number; n: number; accumulation: number }
  | { id: number; kind: 'householder'; d: number; seed: number; stream: number };

export type HostReply =
  | { ready: true }
  | { id: number; result: GapResult }
  | { id: number; factors: PackedHouseholderFactors }
  | { id: number; error: string };

const port = parentPort;
if (port) {
  port.on('message', (msg: HostRequest) => {
    try {
      if (msg.kind === 'householder') {
        const factors = packHouseholderFactors(drawHouseholderFactors(msg.d, new Rng(msg.seed, msg.stream)));
        port.postMessage({ id: msg.id, factors } satisfies HostReply, [factors.packed.buffer as ArrayBuffer, factors.sign.buffer as ArrayBuffer]);
      } else if (msg.kind === 'representation') {
        port.postMessage({ id: msg.id, result: isometryGapFromRepresentation(msg.x, msg.d, msg.n, msg.accumulation) } satisfies HostReply);
      } else port.postMessage({ id: msg.id, result: isometryGapFromGram(msg.gram, msg.n) } satisfies HostReply);
    } catch (e) {
      port.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) } satisfies HostReply);
    }
  });
  port.postMessage({ ready: true } satisfies HostReply);
}
