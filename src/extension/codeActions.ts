// Quick fixes: each finding's fix and alternatives become workspace edits (spec setValueEdit: replace a value or insert a key).
// The same fix offered by several findings (DL201 borrows the fix of the DL10x that explains it) is listed once, for all
// of them; "Fix all" applies every finding's primary fix as one edit, as ESLint's does.
import * as vscode from 'vscode';
import type { Finding, FindingFix } from '../shared/findings';
import type { FindingsStore } from './findingsStore';
import { toVsRange } from './findingDiagnostics';
import type { Logger } from '../shared/logger';
import { applyTextEdit, fixEdit, minimalEdit } from './fixEdit';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('depthlens');

export class FindingCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND] };

  constructor(private readonly store: FindingsStore, private readonly log: Logger) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const all = this.fixAll(doc);
    if (context.only?.contains(FIX_ALL_KIND)) return all ? [all] : [];
    const byKey = new Map<string, vscode.CodeAction>();
    for (const { diagnostic, finding } of this.store.findingsFor(doc.uri, context.diagnostics)) {
      const fixes: FindingFix[] = [...(finding.fix ? [finding.fix] : []), ...(finding.alternatives ?? [])];
      for (const fix of fixes) {
        const action = this.toAction(doc, fix, finding.code);
        if (!action) continue;
        const key = `${action.title}|${JSON.stringify(fix.path)}|${JSON.stringify(fix.value)}`;
        const known = byKey.get(key);
        if (known) {
          known.diagnostics = [...(known.diagnostics ?? []), diagnostic];
          known.isPreferred = known.isPreferred || action.isPreferred;
          continue;
        }
        action.diagnostics = [diagnostic];
        byKey.set(key, action);
      }
    }
    const actions = [...byKey.values()];
    if (all && this.fixable(doc).length >= 2) {
      const quick = new vscode.CodeAction(all.title, vscode.CodeActionKind.QuickFix);
      quick.edit = all.edit;
      actions.push(quick);
    }
    return actions;
  }

  /** Findings of the document with a primary fix, one per distinct fix. */
  private fixable(doc: vscode.TextDocument): Finding[] {
    const seen = new Set<string>();
    return (this.store.get(doc.uri)?.entries ?? [])
      .map((e) => e.finding)
      .filter((f) => {
        if (!f.fix) return false;
        const key = `${f.fix.path}|${JSON.stringify(f.fix.value)}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  }

  /** Every finding's primary fix applied in turn to the text, as one edit; null when nothing applies. */
  private fixAll(doc: vscode.TextDocument): vscode.CodeAction | null {
    const original = doc.getText();
    let text = original;
    let applied = 0;
    for (const f of this.fixable(doc)) {
      try {
        text = applyTextEdit(text, fixEdit(text, f.fix as FindingFix));
        applied++;
      } catch (err) {
        this.log.warn(`fix all: "${f.fix?.title}" (${f.code}) skipped: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (applied === 0 || text === original) return null;
    const edit = minimalEdit(original, text);
    const action = new vscode.CodeAction(`Fix all DepthLens findings (${applied} fix${applied === 1 ? '' : 'es'})`, FIX_ALL_KIND);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.replace(doc.uri, toVsRange(edit.range), edit.newText);
    return action;
  }

  private toAction(doc: vscode.TextDocument, fix: FindingFix, code: string): vscode.CodeAction | undefined {
    let edit;
    try {
      edit = fixEdit(doc.getText(), fix);
    } catch (err) {
      this.log.warn(`quick fix "${fix.title}" (${code}) cannot be applied: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.replace(doc.uri, toVsRange(edit.range), edit.newText);
    action.isPreferred = fix.preferred === true;
    return action;
  }
}
