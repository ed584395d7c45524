// CodeLens above the spec: run it, open the charts, and the theory's headline prediction.
import * as vscode from 'vscode';
import { predict } from '../theory/index';
import { factorText, ordersText } from '../shared/numberText';
import type { FindingsStore } from './findingsStore';
import { toVsRange } from './findingDiagnostics';
import { isTrusted } from './workspaceTrust';

export class SpecCodeLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly store: FindingsStore) {
    store.onDidChange(() => this.changed.fire());
    vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire());
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const state = this.store.get(doc.uri);
    const top = state?.parse.source.get('depthlens');
    const anchor = top ? toVsRange(top.key) : new vscode.Range(0, 0, 0, 0);
    const lenses = [
      isTrusted()
        ? new vscode.CodeLens(anchor, { title: '$(play) Run diagnostics', command: 'depthlens.analyze', arguments: [doc.uri] })
        : new vscode.CodeLens(anchor, { title: '$(workspace-untrusted) Restricted Mode: trust the workspace to run', command: 'workbench.trust.manage' }),
      new vscode.CodeLens(anchor, { title: '$(graph) Open charts', command: 'depthlens.openPanel', arguments: [doc.uri] }),
    ];
    const spec = state?.version === doc.version ? state.parse.spec : undefined;
    if (spec) {
      const p = predict(spec);
      const growth = Number.isFinite(p.perLayer) ? `${factorText(p.perLayer)} per layer, ~${ordersText(p.log10Range)} over the spec's ${spec.model.depth} layers` : 'unbounded';
      lenses.push(new vscode.CodeLens(anchor, { title: `Theory: ‖∇W‖ ${growth}`, command: '' }));
    }
    return lenses;
  }
}
