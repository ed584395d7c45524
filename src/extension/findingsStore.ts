// Per-document findings: static ones (re-checked on every edit) and measured ones (from the last run of that text).
// Publishes both to one DiagnosticCollection and keeps the Finding behind each diagnostic for quick fixes.
import * as vscode from 'vscode';
import type { ParseResult } from '../spec/types';
import type { Finding } from '../shared/findings';
import { DIAGNOSTIC_SOURCE, findingRange, findingToDiagnostic } from './findingDiagnostics';
import { isSuppressed, suppressions } from '../shared/suppression';
import { readSettings } from './settings';
import { withRule } from '../shared/rules';

export interface DocumentFindings {
  /** Document version the static findings were computed for. */
  version: number;
  parse: ParseResult;
  staticFindings: Finding[];
  measured: Finding[];
  /** Each published diagnostic with the finding it came from. */
  entries: { diagnostic: vscode.Diagnostic; finding: Finding }[];
}

export class FindingsStore implements vscode.Disposable {
  private readonly byUri = new Map<string, DocumentFindings>();
  private readonly collection = vscode.languages.createDiagnosticCollection('depthlens');
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after the findings of a document change. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly docsUri: vscode.Uri) {}

  get(uri: vscode.Uri): DocumentFindings | undefined {
    return this.byUri.get(uri.toString());
  }

  /** New static findings for the document's current text; measured findings of an older text are dropped. */
  setStatic(doc: vscode.TextDocument, parse: ParseResult, findings: Finding[]): void {
    const prev = this.get(doc.uri);
    const measured = prev && prev.version === doc.version ? prev.measured : [];
    this.publish(doc, { version: doc.version, parse, staticFindings: findings, measured, entries: [] });
  }

  /** Measured findings of a run on `version` of the document (ignored when the text has changed since). */
  setMeasured(doc: vscode.TextDocument, version: number, findings: Finding[]): void {
    const cur = this.get(doc.uri);
    if (!cur || cur.version !== version || doc.version !== version) return;
    this.publish(doc, { ...cur, measured: findings.filter((f) => f.measured) });
  }

  delete(uri: vscode.Uri): void {
    this.byUri.delete(uri.toString());
    this.collection.delete(uri);
    this.changed.fire(uri);
  }

  /** The findings behind the DepthLens diagnostics given (matched by code, range and message). */
  findingsFor(uri: vscode.Uri, diagnostics: readonly vscode.Diagnostic[]): { diagnostic: vscode.Diagnostic; finding: Finding }[] {
    const cur = this.get(uri);
    if (!cur) return [];
    const out: { diagnostic: vscode.Diagnostic; finding: Finding }[] = [];
    for (const d of diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      const hit = cur.entries.find((e) => e.diagnostic.range.isEqual(d.range) && e.diagnostic.message === d.message);
      if (hit) out.push({ diagnostic: d, finding: hit.finding });
    }
    return out;
  }

  /** Re-publishes every document (the rules setting changed). */
  refresh(docs: readonly vscode.TextDocument[]): void {
    for (const doc of docs) {
      const cur = this.get(doc.uri);
      if (cur) this.publish(doc, cur);
    }
  }

  dispose(): void {
    this.collection.dispose();
    this.changed.dispose();
  }

  private publish(doc: vscode.TextDocument, state: DocumentFindings): void {
    const all = [...state.staticFindings, ...state.measured];
    const suppressed = suppressions(doc.getText());
    const rules = readSettings(doc.uri).rules;
    state.entries = all
      .map((finding) => ({ finding: withRule(finding, rules), range: findingRange(finding, state.parse.source, doc) }))
      .filter((e): e is { finding: Finding; range: vscode.Range } => e.finding !== null && !isSuppressed(e.finding.code, e.range.start.line, suppressed))
      .map(({ finding, range }) => ({ finding, diagnostic: findingToDiagnostic(finding, range, this.docsUri) }));
    this.byUri.set(doc.uri.toString(), state);
    this.collection.set(doc.uri, state.entries.map((e) => e.diagnostic));
    this.changed.fire(doc.uri);
  }
}
