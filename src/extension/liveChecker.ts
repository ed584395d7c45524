// Re-checks spec documents as they are opened and edited (debounced), feeding the findings store.
import * as vscode from 'vscode';
import { readSettings } from './settings';
import { checkDocument } from './modelImport';
import { isSpecDocument } from './specDocuments';
import type { FindingsStore } from './findingsStore';
import type { Logger } from '../shared/logger';

export class LiveChecker implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly edited = new vscode.EventEmitter<vscode.TextDocument>();
  /** Fires after a debounced re-check caused by an edit (auto-run listens). */
  readonly onDidCheckEdit = this.edited.event;

  constructor(private readonly store: FindingsStore, private readonly log: Logger) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.checkNow(d)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.cancelTimer(d.uri);
        if (isSpecDocument(d)) this.store.delete(d.uri);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('depthlens.thresholds')) for (const d of vscode.workspace.textDocuments) this.checkNow(d);
      }),
      this.edited,
    );
    for (const d of vscode.workspace.textDocuments) this.checkNow(d);
  }

  /** Checks at once (also used by commands that need fresh findings). */
  checkNow(doc: vscode.TextDocument): void {
    if (!isSpecDocument(doc)) return;
    this.cancelTimer(doc.uri);
    const started = performance.now();
    try {
      const { parse, findings } = checkDocument(doc, readSettings(doc.uri).thresholds);
      this.store.setStatic(doc, parse, findings);
      this.log.trace(`check ${doc.uri.path}: ${findings.length} findings in ${(performance.now() - started).toFixed(1)} ms`);
    } catch (err) {
      // A checker bug must not take the editor down: report it once in the log and the Problems panel stays as it was.
      this.log.error(`check ${doc.uri.path} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isSpecDocument(doc)) return;
    this.cancelTimer(doc.uri);
    const key = doc.uri.toString();
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (doc.isClosed) return;
        this.checkNow(doc);
        this.edited.fire(doc);
      }, readSettings(doc.uri).debounceMs),
    );
  }

  private cancelTimer(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}
