// What a caller of analyze() hears from a run: progress, partial results, the backend once it is up; and how it cancels.
import type { BackendInfo, Result } from '../shared/result';
import type { ProgressEvent } from '../shared/protocol';
import type { SourceMap } from '../spec';

export type AnalyzeProgress = Omit<ProgressEvent, 'type' | 'id'>;

export interface AnalyzeHooks {
  onProgress?: (p: AnalyzeProgress) => void;
  /** Results so far (partial: true), at most every 100 ms: after a seed or a sweep depth completes. */
  onPartial?: (r: Result) => void;
  signal?: AbortSignal;
  /** Positions of the spec's keys, so findings carry ranges. */
  source?: SourceMap;
  /** Called once the backend is up, before any work. */
  onBackend?: (info: BackendInfo) => void;
}
