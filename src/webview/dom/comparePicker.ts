// "Compare with": which earlier run of this spec is drawn dashed under the current one. Runs of another depth or mode
// are listed but cannot be picked (their curves would not line up layer for layer).
import type { Result } from '../../shared/result';
import { incomparableReason, runLabel, sameRun } from '../runs';
import type { RunEntry } from '../state';
import { h } from './h';

const AUTO = 'auto';

export class ComparePicker {
  private readonly select: HTMLSelectElement;
  private readonly root: HTMLElement;

  constructor(parent: HTMLElement, onPick: (n: number | undefined) => void) {
    this.select = h('select', { id: 'compare', 'aria-label': 'Compare with an earlier run' });
    this.select.addEventListener('change', () => onPick(this.select.value === AUTO ? undefined : Number(this.select.value)));
    this.root = h('label', { class: 'field compare', hidden: true }, 'Compare with', this.select);
    parent.append(this.root);
  }

  /** `runs`: this spec's finished runs; `current`: the run shown; `shown`: the run drawn dashed (null: none). */
  render(runs: readonly RunEntry[], current: Result | null, picked: number | undefined, shown: RunEntry | null): void {
    const others = current ? runs.filter((r) => !sameRun(r.result, current)) : [];
    this.root.hidden = others.length === 0;
    if (!current || others.length === 0) return;
    const auto = h('option', { value: AUTO }, shown && picked === undefined ? `latest comparable (${runLabel(shown)})` : 'latest comparable run');
    const options = [...others].reverse().map((r) => {
      const reason = incomparableReason(current, r.result);
      return h('option', { value: String(r.n), disabled: reason !== null, title: reason ?? '' }, reason ? `${runLabel(r)} — not comparable` : runLabel(r));
    });
    this.select.replaceChildren(auto, ...options);
    this.select.value = picked !== undefined && shown?.n === picked ? String(picked) : AUTO;
  }
}
