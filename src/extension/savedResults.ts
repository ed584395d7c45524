// The last result per spec file (and the one before it, for the panel's before/after view), with the text that was
// run, so the panel can tell when the spec no longer matches its charts. The most recent result is persisted in
// workspace state so a restored panel can show it after a reload.
import type * as vscode from 'vscode';
import { isResult } from '../shared/protocol';
import type { Result } from '../shared/result';
import type { RunOptions } from '../shared/protocol';

const LAST_KEY = 'depthlens.lastResult';

export interface SavedEntry {
  last: Result;
  previous: Result | null;
  /** The spec text the last result was computed from; undefined when unknown (restored after a reload). */
  text?: string;
  /** The options it ran with (for the report's run record). */
  options?: RunOptions;
}

export class SavedResults {
  private readonly byFile = new Map<string, SavedEntry>();
  private latestFile: string | undefined;

  constructor(private readonly state: vscode.Memento) {
    const stored: unknown = state.get(LAST_KEY);
    if (isResult(stored)) {
      this.byFile.set(stored.spec.path, { last: stored, previous: null });
      this.latestFile = stored.spec.path;
    }
  }

  record(file: string, result: Result, text?: string, options?: RunOptions): void {
    const prev = this.byFile.get(file);
    this.byFile.set(file, { last: result, previous: prev?.last ?? null, ...(text === undefined ? {} : { text }), ...(options ? { options } : {}) });
    this.latestFile = file;
    void this.state.update(LAST_KEY, result);
  }

  forFile(file: string): SavedEntry | undefined {
    return this.byFile.get(file);
  }

  /** The most recent result of any spec, with its file. */
  latest(): ({ file: string } & SavedEntry) | undefined {
    if (!this.latestFile) return undefined;
    const entry = this.byFile.get(this.latestFile);
    return entry ? { file: this.latestFile, ...entry } : undefined;
  }
}
