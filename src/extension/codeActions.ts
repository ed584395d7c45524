// Quick fixes: each finding's fix and alternatives become workspace edits (spec setValueEdit: replace a value or insert a key).
import * as vscode from 'vscode';
import type { FindingFix } from '../shared/findings';
import type { FindingsStore } from './findingsStore';
import { toVsRange } from './findingDiagnostics';
import type { Logger } from '../shared/logger';
import { fixEdit } from './fixEdit';

export class FindingCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly store: FindingsStore, private readonly log: Logger) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const { diagnostic, finding } of this.store.findingsFor(doc.uri, context.diagnostics)) {
      const fixes: FindingFix[] = [...(finding.fix ? [finding.fix] : []), ...(finding.alternatives ?? [])];
      for (const fix of fixes) {
        const action = this.toAction(doc, fix, finding.code);
        if (!action) continue;
        action.diagnostics = [diagnostic];
        actions.push(action);
      }
    }
    return actions;
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
