// JSON model files as text: parse with a located syntax error, and find where each layer is written (its "name" key), so
// an error or a finding about a layer points at the layer in the file.
import { parseDocument } from 'yaml';
import type { Position, Range } from '../shared/findings';
import { lineStarts, positionAt } from '../shared/textPositions';
import { ModelFileError } from './errors';

export class JsonText {
  private lineStarts: number[] | null = null;
  private names: Map<string, number> | null = null;

  constructor(readonly text: string) {}

  /** First occurrence of every `"name": "…"`, indexed on first use: the layer's own entry precedes any reference to it in Keras's layouts. */
  private nameIndex(): Map<string, number> {
    if (this.names) return this.names;
    this.names = new Map();
    const re = /"name"\s*:\s*("(?:[^"\\]|\\.)*")/g;
    for (let m = re.exec(this.text); m; m = re.exec(this.text)) {
      let value: unknown;
      try {
        value = JSON.parse(m[1]!);
      } catch {
        continue;
      }
      if (typeof value === 'string' && !this.names.has(value)) this.names.set(value, m.index);
    }
    return this.names;
  }

  private position(offset: number): Position {
    this.lineStarts ??= lineStarts(this.text);
    return positionAt(this.lineStarts, offset);
  }

  rangeAt(offset: number, length: number): Range {
    return { start: this.position(offset), end: this.position(offset + length) };
  }

  /** Range of the `"name": "…"` entry of the layer so named, when the text has one. */
  layerRange(name: string): Range | undefined {
    const at = this.nameIndex().get(name);
    return at === undefined ? undefined : this.rangeAt(at, 6);
  }

  /** Where the syntax error is, when V8's message does not say (Node 20): the YAML parser's first error (JSON is YAML). */
  private errorOffset(): number {
    if (this.text.trim() === '') return 0;
    try {
      const doc = parseDocument(this.text, { schema: 'json', uniqueKeys: false, prettyErrors: false });
      return doc.errors[0]?.pos[0] ?? this.text.length;
    } catch {
      return 0;
    }
  }

  /** JSON.parse with the syntax error located (V8 says "at position N" or "line L column C"). */
  parse(what: string): unknown {
    try {
      return JSON.parse(this.text);
    } catch (e) {
      const message = (e as Error).message;
      const pos = /position (\d+)/.exec(message);
      const offset = pos ? Number(pos[1]) : this.errorOffset();
      // V8's message quotes the start of the text; the first line of it is enough.
      const short = (message.split('\n')[0] ?? message).replace(/ in JSON at position \d+.*$/, '').replace(/, ".*$/, '');
      throw new ModelFileError(`${what} is not valid JSON: ${short}`, { range: this.rangeAt(offset, 1) });
    }
  }
}
