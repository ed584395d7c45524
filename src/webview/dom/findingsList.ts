// The findings beside the charts: severity icon, code, message, where it attaches. In VS Code, click or Enter reveals
// the spec range (the host moves the editor there).
import type { Finding, Severity } from '../../shared/findings';
import { h, icon } from './h';

const SEVERITY_ICON: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'info', hint: 'lightbulb' };
const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

export interface FindingGroup {
  title: string;
  findings: Finding[];
}

export class FindingsList {
  private readonly list: HTMLElement;
  private readonly count: HTMLElement;

  /** `onApplyFix`: applies a finding's fix in the editor (VS Code only); null in the report. */
  constructor(parent: HTMLElement, private readonly onReveal: ((f: Finding) => void) | null, private readonly onApplyFix: ((f: Finding) => void) | null = null) {
    this.count = h('span', { class: 'badge', 'aria-label': 'number of findings' }, '0');
    this.list = h('div', { class: 'findings-body' });
    parent.append(h('h2', { class: 'panel-heading' }, icon('checklist'), 'Findings', this.count), this.list);
  }

  /** `empty`: what to show when there is nothing to list (no findings, or nothing analysed yet). */
  render(groups: FindingGroup[], empty = { icon: 'pass', text: 'Nothing predicted or measured crosses the thresholds.' }): void {
    const total = groups.reduce((n, g) => n + g.findings.length, 0);
    this.count.textContent = String(total);
    this.list.replaceChildren();
    if (total === 0) {
      this.list.append(h('p', { class: `findings-empty empty-${empty.icon}` }, icon(empty.icon), empty.text));
      return;
    }
    for (const group of groups) {
      if (group.findings.length === 0) continue;
      const items = [...group.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.code.localeCompare(b.code));
      this.list.append(h('h3', { class: 'findings-group' }, group.title), h('ul', { class: 'findings', role: 'list' }, ...items.map((f) => this.item(f))));
    }
  }

  private item(f: Finding): HTMLLIElement {
    const where = f.range ? `${f.path} · line ${f.range.start.line + 1}` : f.path;
    const body = [
      h('span', { class: `finding-icon severity-${f.severity}` }, icon(SEVERITY_ICON[f.severity], f.severity)),
      h(
        'span',
        { class: 'finding-text' },
        h('span', { class: 'finding-head' }, h('span', { class: 'finding-code' }, f.code), f.measured ? h('span', { class: 'tag' }, 'measured') : null, h('span', { class: 'finding-where' }, where)),
        h('span', { class: 'finding-message' }, f.message),
        f.fix ? h('span', { class: 'finding-fix' }, icon('lightbulb-autofix'), f.fix.title) : null,
      ),
    ];
    const onReveal = this.onReveal;
    if (!onReveal) return h('li', { class: `finding severity-${f.severity}` }, h('div', { class: 'finding-row' }, ...body));
    const button = h('button', { class: 'finding-row', type: 'button', title: `Go to ${where}` }, ...body);
    // A <button> turns Enter and Space into click, so one listener covers mouse and keyboard.
    button.addEventListener('click', () => onReveal(f));
    const onApplyFix = this.onApplyFix;
    if (!f.fix || !onApplyFix) return h('li', { class: `finding severity-${f.severity}` }, button);
    const apply = h('button', { class: 'apply-fix', type: 'button', title: `Apply: ${f.fix.title}` }, icon('lightbulb-autofix'), 'Apply fix');
    apply.addEventListener('click', () => onApplyFix(f));
    return h('li', { class: `finding severity-${f.severity}` }, button, apply);
  }
}
