// "Compare with": which earlier run of this spec is drawn dashed under the current one. Runs of another depth or mode
// are listed but cannot be picked (their curves would not line up layer for layer) unless "relative depth" is on, which
// places every per-layer point at ℓ/L. The current run can be named; names show here and in the legends.
import type { Result } from '../../shared/result';
import { currentEntry, incomparableReason, runLabel, sameRun } from '../runs';
import { RUN_NAME_LIMIT, type RunEntry } from '../state';
import { h } from './h';

const AUTO = 'auto';

export interface CompareActions {
  pick: (n: number | undefined) => void;
  relative: (on: boolean) => void;
  /** Names the current run (n); an empty name removes it. */
  name: (n: number, name: string) => void;
}

export class ComparePicker {
  private readonly select: HTMLSelectElement;
  private readonly root: HTMLElement;
  private readonly relative: HTMLInputElement;
  private readonly relativeField: HTMLElement;
  private readonly name: HTMLInputElement;
  private readonly nameField: HTMLElement;
  private named: number | null = null;

  constructor(parent: HTMLElement, actions: CompareActions) {
    this.select = h('select', { id: 'compare', 'aria-label': 'Compare with an earlier run' });
    this.select.addEventListener('change', () => actions.pick(this.select.value === AUTO ? undefined : Number(this.select.value)));
    this.root = h('label', { class: 'field compare', hidden: true }, 'Compare with', this.select);
    this.relative = h('input', { type: 'checkbox', id: 'relative-depth' });
    this.relative.addEventListener('change', () => actions.relative(this.relative.checked));
    this.relativeField = h(
      'label',
      { class: 'field relative', hidden: true, title: 'Place each layer at ℓ/L so that runs of different depth can be overlaid' },
      this.relative,
      'relative depth ℓ/L',
    );
    this.name = h('input', { type: 'text', id: 'run-name', maxlength: String(RUN_NAME_LIMIT), placeholder: 'name this run', 'aria-label': 'Name of the run shown' });
    const commit = (): void => {
      this.name.value = this.name.value.trim();
      if (this.named !== null) actions.name(this.named, this.name.value);
    };
    this.name.addEventListener('change', commit);
    this.name.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') commit();
    });
    this.nameField = h('label', { class: 'field run-name', hidden: true }, 'Run', this.name);
    parent.append(this.nameField, this.root, this.relativeField);
  }

  /** `runs`: this spec's finished runs; `current`: the run shown; `shown`: the run drawn dashed (null: none). */
  render(runs: readonly RunEntry[], current: Result | null, picked: number | undefined, shown: RunEntry | null, relative = false): void {
    const self = current ? currentEntry(runs, current) : null;
    this.nameField.hidden = self === null;
    const another = (self?.n ?? null) !== this.named;
    this.named = self?.n ?? null;
    // Not while the user types in it, unless the run it names has changed.
    if (self && (another || this.name.ownerDocument.activeElement !== this.name)) {
      this.name.value = self.name ?? '';
      this.name.placeholder = `name run ${self.n}`;
    }
    const others = current ? runs.filter((r) => !sameRun(r.result, current)) : [];
    this.root.hidden = others.length === 0;
    this.relativeField.hidden = others.length === 0;
    this.relative.checked = relative;
    if (!current || others.length === 0) return;
    const auto = h('option', { value: AUTO }, shown && picked === undefined ? `latest comparable (${runLabel(shown)})` : 'latest comparable run');
    const options = [...others].reverse().map((r) => {
      const reason = incomparableReason(current, r.result, relative);
      const hint = reason ? `${reason} (turn on relative depth ℓ/L to overlay it)` : null;
      return h('option', { value: String(r.n), disabled: reason !== null, title: hint ?? '' }, reason ? `${runLabel(r)} — not comparable` : runLabel(r));
    });
    this.select.replaceChildren(auto, ...options);
    this.select.value = picked !== undefined && shown?.n === picked ? String(picked) : AUTO;
  }
}
