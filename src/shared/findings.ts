// Findings and source ranges: the vocabulary every stage speaks (spec problems, theory and engine findings, the
// Problems panel, the webview's list). Declarations only, no imports: spec, theory and the webview may all import it.
// All positions are 0-based (LSP / VS Code convention); text output converts to 1-based.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Dotted spec path: "model.init", "data.batch", "model.layers[1].repeat". */
export type SpecPath = string;

/** A text replacement, 0-based (editors apply it directly). */
export interface TextEdit {
  range: Range;
  newText: string;
}

/** Finding severities, most severe first. */
export const SEVERITIES = ['error', 'warning', 'info', 'hint'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Every finding code; each has its documentation in docs/findings/<code>.md (the diagnostics link to it). */
export const FINDING_CODES = [
  'DL001',
  'DL101', 'DL102', 'DL103', 'DL104', 'DL105', 'DL106', 'DL107', 'DL108',
  'DL201', 'DL202', 'DL203', 'DL204',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** A quick fix as data: set `path` to `value` (inserting the key when absent). */
export interface FindingFix {
  path: SpecPath;
  value: unknown;
  title: string;
  /** The one clearly right fix (VS Code `isPreferred`). */
  preferred?: boolean;
  /** Further edits applied together with this one, as one workspace edit (e.g. activation + shaping). */
  more?: { path: SpecPath; value: unknown }[];
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** Human message with the number behind it. */
  message: string;
  /** Spec path the finding attaches to. */
  path: SpecPath;
  /** 0-based range in the spec text, when the spec text is known. */
  range?: Range;
  /** true for findings from an engine run (DL2xx), false for static theory findings. */
  measured: boolean;
  fix?: FindingFix;
  /** Extra fixes beyond the primary one. */
  alternatives?: FindingFix[];
}
