// What can be wrong with a model file, and where: a line/column range in a text format (Keras JSON, model.json), a byte
// offset in a binary one (ONNX, a .keras archive). Every importer throws ModelFileError; index.ts turns it into a DL001
// problem, so a bad model reads like a bad spec.
import type { Range } from '../shared/findings';

export interface ModelLocation {
  /** 0-based range in a text model file. */
  range?: Range;
  /** Byte offset in a binary model file. */
  byte?: number;
}

export class ModelFileError extends Error {
  constructor(
    message: string,
    readonly at: ModelLocation = {},
  ) {
    super(message);
    this.name = 'ModelFileError';
  }
}
