// Run controls (VS Code only) and the progress bar fed by RunStateMessage.
import type { RunState, RunStateMessage } from '../../shared/protocol';
import type { RunMode } from '../state';
import { h, icon } from './h';

export interface RunControlsEvents {
  run(mode: RunMode, seeds: number | null): void;
  cancel(): void;
  changed(mode: RunMode, seeds: number | null): void;
}

const STATE_TEXT: Record<RunState, string> = { idle: 'Ready', running: 'Running…', done: 'Done', cancelled: 'Cancelled', error: 'Failed' };

export class RunControls {
  private readonly mode: HTMLSelectElement;
  private readonly seeds: HTMLInputElement;
  private readonly runButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;

  constructor(parent: HTMLElement, initial: { mode: RunMode; seeds: number | null }, events: RunControlsEvents) {
    this.mode = h('select', { id: 'run-mode', 'aria-label': 'Run mode' }, h('option', { value: 'quick' }, 'Quick (capped)'), h('option', { value: 'full' }, 'Full'));
    this.mode.value = initial.mode;
    this.seeds = h('input', { id: 'run-seeds', type: 'number', min: 1, max: 100, step: 1, placeholder: 'spec', 'aria-label': 'Seeds (empty: as in the spec)' });
    if (initial.seeds !== null) this.seeds.value = String(initial.seeds);
    this.runButton = h('button', { id: 'run', type: 'button', class: 'button primary' }, icon('play'), 'Run');
    this.cancelButton = h('button', { id: 'cancel', type: 'button', class: 'button secondary', disabled: true }, icon('debug-stop'), 'Cancel');
    const changed = (): void => events.changed(this.currentMode(), this.currentSeeds());
    this.mode.addEventListener('change', changed);
    this.seeds.addEventListener('change', changed);
    this.runButton.addEventListener('click', () => events.run(this.currentMode(), this.currentSeeds()));
    this.cancelButton.addEventListener('click', () => events.cancel());
    parent.append(
      h('div', { class: 'controls', role: 'group', 'aria-label': 'Run controls' },
        h('label', { class: 'field' }, 'Mode', this.mode),
        h('label', { class: 'field' }, 'Seeds', this.seeds),
        this.runButton,
        this.cancelButton,
      ),
    );
  }

  restore(controls: { mode: RunMode; seeds: number | null }): void {
    this.mode.value = controls.mode;
    this.seeds.value = controls.seeds === null ? '' : String(controls.seeds);
  }

  setRunning(running: boolean): void {
    this.runButton.disabled = running;
    this.cancelButton.disabled = !running;
  }

  private currentMode(): RunMode {
    return this.mode.value === 'quick' ? 'quick' : 'full';
  }

  /** Empty or invalid → null (use the spec's seeds). */
  private currentSeeds(): number | null {
    const n = Number(this.seeds.value);
    return this.seeds.value.trim() !== '' && Number.isInteger(n) && n >= 1 ? n : null;
  }
}

export class ProgressBar {
  private readonly root: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly text: HTMLElement;

  constructor(parent: HTMLElement) {
    this.bar = h('div', { class: 'progress-fill' });
    this.root = h('div', { class: 'progress', role: 'progressbar', 'aria-label': 'Run progress', 'aria-valuemin': 0, 'aria-valuemax': 100, hidden: true }, this.bar);
    this.text = h('span', { class: 'run-state', role: 'status', 'aria-live': 'polite' });
    parent.append(this.root, this.text);
  }

  show(message: RunStateMessage): void {
    const running = message.state === 'running';
    const fraction = message.progress ? Math.min(1, Math.max(0, message.progress.fraction)) : null;
    this.root.hidden = !running;
    this.root.classList.toggle('indeterminate', running && fraction === null);
    this.bar.style.width = fraction === null ? '' : `${(fraction * 100).toFixed(1)}%`;
    if (fraction === null) this.root.removeAttribute('aria-valuenow');
    else this.root.setAttribute('aria-valuenow', (fraction * 100).toFixed(0));
    const word = STATE_TEXT[message.state];
    const detail = message.progress?.text ?? message.message;
    // The host's detail often repeats the state ("cancelled"): say it once.
    const repeats = !detail || word.toLowerCase().replace(/…$/, '').startsWith(detail.toLowerCase().replace(/…$/, ''));
    this.text.textContent = repeats ? word : `${word}${word.endsWith('…') ? ' ' : ': '}${detail}`;
    this.text.dataset.state = message.state;
  }
}
