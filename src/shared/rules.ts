// Per-code severity rules, as ESLint's: `depthlens.rules` in the extension and `--rule DL107=off` in the CLI share them.
// A rule sets a code's severity or turns it off; DL001 (an invalid spec) cannot be changed: a spec that does not parse
// is always an error. Rules and inline suppression apply alike to static findings and to measured ones (DL2xx).
import { SEVERITIES, type Finding, type Severity } from './findings';
import { withoutSuppressed } from './suppression';

/** A rule's value: a severity for the code, or "off". */
export type RuleSetting = Severity | 'off';
export const RULE_SETTINGS: readonly RuleSetting[] = [...SEVERITIES, 'off'];

export type Rules = Readonly<Record<string, RuleSetting>>;

const CODE = /^DL\d{3}$/;
/** Codes no rule changes. */
const FIXED_CODES: ReadonlySet<string> = new Set(['DL001']);

function isRuleSetting(v: unknown): v is RuleSetting {
  return (RULE_SETTINGS as readonly unknown[]).includes(v);
}

/** The valid entries of a `depthlens.rules` object (anything else ignored). */
export function rulesFromObject(v: unknown): Record<string, RuleSetting> {
  const out: Record<string, RuleSetting> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [code, level] of Object.entries(v as Record<string, unknown>)) {
    if (CODE.test(code) && isRuleSetting(level)) out[code] = level;
  }
  return out;
}

/** One `--rule DL107=off` value, or what is wrong with it. */
export function parseRule(text: string): { code: string; setting: RuleSetting } | { error: string } {
  const m = /^\s*(DL\d{3})\s*[=:]\s*(\w+)\s*$/i.exec(text);
  const expected = `expected CODE=LEVEL with LEVEL one of ${RULE_SETTINGS.join(', ')}, e.g. DL107=off`;
  if (!m) return { error: `"${text}": ${expected}` };
  const code = m[1]!.toUpperCase();
  const setting = m[2]!.toLowerCase();
  if (!isRuleSetting(setting)) return { error: `"${text}": unknown level "${m[2]}" (${expected})` };
  if (FIXED_CODES.has(code)) return { error: `"${text}": ${code} (an invalid spec) is always an error` };
  return { code, setting };
}

/** One finding under the rules: re-graded, or null when its code is off. */
export function withRule(finding: Finding, rules: Rules): Finding | null {
  const rule = FIXED_CODES.has(finding.code) ? undefined : rules[finding.code];
  if (rule === undefined) return finding;
  if (rule === 'off') return null;
  return rule === finding.severity ? finding : { ...finding, severity: rule };
}

export function applyRules(findings: readonly Finding[], rules: Rules): Finding[] {
  return findings.map((f) => withRule(f, rules)).filter((f): f is Finding => f !== null);
}

/** What a user is shown of `findings` for a spec with this text: suppressed ones dropped, then the rules applied. */
export function shownFindings(findings: readonly Finding[], text: string, rules: Rules): Finding[] {
  return applyRules(withoutSuppressed(findings, text), rules);
}
