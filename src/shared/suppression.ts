// Inline suppression, as ESLint users expect: a comment line `# depthlens-disable-next-line DL107` (several codes separated
// by spaces or commas; none: every code) hides the findings that start on the next line. The CLI and the extension both
// apply it to the findings they show; the findings themselves are still computed.
import type { Finding } from './findings';

const DIRECTIVE = /^\s*#\s*depthlens-disable-next-line(?=\s|$)(.*)$/;

/** Line (0-based) → the codes suppressed on it ('all' when the directive names none). */
export function suppressions(text: string): Map<number, Set<string> | 'all'> {
  const out = new Map<number, Set<string> | 'all'>();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const m = DIRECTIVE.exec(line);
    if (!m) return;
    // Text after ' -- ' is a reason, as in ESLint.
    const codes = (m[1].split(/\s--\s/)[0] ?? '').split(/[\s,]+/).filter((c) => /^DL\d{3}$/.test(c));
    out.set(i + 1, codes.length === 0 ? 'all' : new Set(codes));
  });
  return out;
}

export function isSuppressed(code: string, line: number | undefined, table: Map<number, Set<string> | 'all'>): boolean {
  if (line === undefined) return false;
  const entry = table.get(line);
  return entry === 'all' || (entry !== undefined && entry.has(code));
}

/** The findings not suppressed by a directive in `text` (findings without a range cannot be suppressed by line). */
export function withoutSuppressed(findings: readonly Finding[], text: string): Finding[] {
  const table = suppressions(text);
  if (table.size === 0) return [...findings];
  return findings.filter((f) => !isSuppressed(f.code, f.range?.start.line, table));
}
