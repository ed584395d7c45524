// Findings → VS Code diagnostics, and back (code actions receive diagnostics and need the finding's fixes).
import * as vscode from 'vscode';
import type { SourceMap } from '../spec/types';
import type { Range } from '../shared/findings';
import type { Finding, Severity } from '../shared/findings';

export const DIAGNOSTIC_SOURCE = 'DepthLens';

export function toVsRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** The finding's own range, else the located key/value of its path, else the first line. */
export function findingRange(f: Finding, source: SourceMap | undefined, doc: vscode.TextDocument): vscode.Range {
  if (f.range) return doc.validateRange(toVsRange(f.range));
  const loc = source?.get(f.path);
  if (loc) return doc.validateRange(toVsRange(loc.value ?? loc.key));
  return doc.lineAt(0).range;
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/**
 * The code's documentation, docs/findings/<code>.md in the extension: the diagnostic's code links to it
 * (codeDescription). A file URI, because VS Code opens it from the Problems panel, the hover and the error peek alike
 * (a command URI would run from the Problems panel only).
 */
export function findingDocUri(docs: vscode.Uri, code: string): vscode.Uri {
  return vscode.Uri.joinPath(docs, `${code}.md`);
}

/** `docs` is the folder of the per-code documentation (docs/findings in the extension). */
export function findingToDiagnostic(f: Finding, range: vscode.Range, docs: vscode.Uri): vscode.Diagnostic {
  const message = f.measured ? `${f.message} (measured)` : f.message;
  const d = new vscode.Diagnostic(range, message, SEVERITY[f.severity]);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = { value: f.code, target: findingDocUri(docs, f.code) };
  return d;
}

export function diagnosticCode(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (typeof c === 'string' || typeof c === 'number') return String(c);
  return c ? String(c.value) : undefined;
}
