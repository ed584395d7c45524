// Text output of findings: `file:line:col: severity DLxxx message`, 1-based, and the closing summary line.
import type { Finding, Severity } from '../shared/findings';

const rank: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

/** Whether `severity` is at least as serious as `threshold`. */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return rank[severity] >= rank[threshold];
}

export function formatFinding(file: string, finding: Finding): string {
  const line = (finding.range?.start.line ?? 0) + 1;
  const col = (finding.range?.start.character ?? 0) + 1;
  return `${file}:${line}:${col}: ${finding.severity} ${finding.code} ${finding.message}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "2 specs checked: 1 error, 3 warnings, 0 info" (hints are counted as info). */
export function formatSummary(files: number, findings: readonly Finding[]): string {
  const count = (s: Severity[]) => findings.filter((f) => s.includes(f.severity)).length;
  return `${plural(files, 'spec')} checked: ${plural(count(['error']), 'error')}, ${plural(count(['warning']), 'warning')}, ${count(['info', 'hint'])} info`;
}

/** Findings in reading order: by line, then column. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding) => [f.range?.start.line ?? 0, f.range?.start.character ?? 0] as const;
  return [...findings].sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]);
}
