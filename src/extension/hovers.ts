// Hovers on spec keys: the theory and this spec's predicted numbers.
import * as vscode from 'vscode';
import type { FindingsStore } from './findingsStore';
import { toVsRange } from './findingDiagnostics';
import { hoverMarkdown } from './hoverText';

export class SpecHovers implements vscode.HoverProvider {
  constructor(private readonly store: FindingsStore) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const state = this.store.get(doc.uri);
    if (!state || state.version !== doc.version) return undefined;
    // The innermost key under the cursor: the longest path whose key range contains the position.
    let best: { path: string; range: vscode.Range } | undefined;
    for (const [path, loc] of state.parse.source) {
      const range = toVsRange(loc.key);
      if (range.contains(pos) && (!best || path.length > best.path.length)) best = { path, range };
    }
    if (!best) return undefined;
    const md = hoverMarkdown(best.path, state.parse.spec);
    if (!md) return undefined;
    const content = new vscode.MarkdownString(md);
    content.supportThemeIcons = false;
    return new vscode.Hover(content, best.range);
  }
}
