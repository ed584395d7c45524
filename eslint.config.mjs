// ESLint (flat config): the layering of DESIGN.md §2 ("may import"), enforced. `npm run lint`; CI runs it after the type check.
// Only the import rules are on (no style rules): each folder gets one `no-restricted-imports` block listing what it may
// not import. The stages are src/spec, src/theory, src/engine, src/import, src/cli, src/extension and src/webview; the shared
// contract is src/shared/: findings.ts and logger.ts (declarations, no imports) are importable by every stage;
// result.ts, protocol.ts, backendText.ts and panelHtml.ts by every stage after theory. A file outside a stage reaches
// it only through the stage's index (`../spec`, `../spec/index`) or, for spec and theory, its types.ts (value lists and
// declarations, no code beyond them). test/ is not linted: tests
// are white-box and may import any stage's internals; bench/ may too (it times the engine's parts), but not vscode.
// Import cycles are checked by test/unit/lint-rules.test.ts (no plugin needed).
import tseslint from 'typescript-eslint';

/** Relative import of a folder of src/ from anywhere in src/, bench/ or scripts/: `./engine`, `../engine`, `../../src/engine/data`. */
const folder = (name) => `^(\\.\\.?/)+(src/)?${name}(/|$)`;
/** Relative import of a stage's internals: anything under it but its index (and, if `types`, its types.ts). */
const internals = (name, types) => `^(\\.\\.?/)+(src/)?${name}/(?!(index${types ? '|types' : ''})(\\.js)?$)`;

const vscode = { name: 'vscode', message: 'Only src/extension/ may import vscode (DESIGN §2).' };
const tfjs = { regex: '^@tensorflow/', message: 'Only the engine may import TensorFlow.js (DESIGN §2).' };
const stage = (name, who) => ({ regex: folder(name), message: `${who} may not import ${name} (DESIGN §2 "may import").` });
const throughIndex = (name, types) => ({
  regex: internals(name, types),
  message: `Import ${name} through its index${types ? ' (or its types.ts)' : ''}, not its internals (DESIGN §2).`,
});
const contract = (who) => ({
  regex: '^(\\.\\.?/)+shared/(result|protocol|backendText|panelHtml)(\\.js)?$',
  message: `${who} may import only findings.ts and logger.ts of src/shared/ (the rest of it imports ${who}).`,
});

/** One block per folder: `no-restricted-imports` options do not merge across blocks, so the folders must not overlap. */
const layer = (files, paths, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } });

export default [
  { ignores: ['node_modules/', 'dist/', 'out/', '.cache/', 'test-output/', 'bench/out/', 'test/', '.gpu-carry/'] },
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } },

  // spec: imports nothing of the project's (yaml, ajv, the JSON Schema only).
  layer(['src/spec/**'], [vscode], [
    tfjs, contract('spec'),
    ...['theory', 'engine', 'import', 'cli', 'extension', 'webview'].map((s) => stage(s, 'spec')),
  ]),
  // theory: spec only.
  layer(['src/theory/**'], [vscode], [
    tfjs, contract('theory'), throughIndex('spec', true),
    ...['engine', 'import', 'cli', 'extension', 'webview'].map((s) => stage(s, 'theory')),
  ]),
  // engine: spec, theory and the shared contract; tfjs is its own.
  layer(['src/engine/**'], [vscode], [
    throughIndex('spec', true), throughIndex('theory', true),
    ...['import', 'cli', 'extension', 'webview'].map((s) => stage(s, 'engine')),
  ]),
  // import: model files (Keras, TF.js, ONNX) → spec text; the spec's types and the findings contract only.
  layer(['src/import/**'], [vscode], [
    tfjs, contract('import'), throughIndex('spec', true),
    ...['theory', 'engine', 'cli', 'extension', 'webview'].map((s) => stage(s, 'import')),
  ]),
  // cli: spec, theory, the engine (through src/engine/index.ts only) and the shared contract.
  layer(['src/cli/**'], [vscode], [
    tfjs, throughIndex('spec', true), throughIndex('theory', true), throughIndex('engine', false), throughIndex('import', false),
    ...['extension', 'webview'].map((s) => stage(s, 'cli')),
  ]),
  // extension: VS Code glue; spec, theory and the shared contract. It talks to the engine process through the
  // protocol, never by importing the engine (nor tfjs: the engine bundle is forked, not loaded in the host).
  layer(['src/extension/**'], [], [
    tfjs, throughIndex('spec', true), throughIndex('theory', true), throughIndex('import', false),
    ...['engine', 'cli', 'webview'].map((s) => stage(s, 'extension')),
  ]),
  // The shared contract: spec and theory (through their index or types.ts).
  layer(['src/shared/**'], [vscode], [
    tfjs, throughIndex('spec', true), throughIndex('theory', true),
    ...['engine', 'import', 'cli', 'extension', 'webview'].map((s) => stage(s, 'the shared contract')),
  ]),
  // webview: the shared contract and the types of spec and theory; no tfjs, no vscode (it runs in the panel's browser
  // context).
  layer(['src/webview/**'], [vscode], [
    tfjs,
    { regex: '^node:', message: 'The webview runs in the panel\'s browser context: no Node built-ins.' },
    { regex: '^(\\.\\.?/)+shared/runRecord(\\.js)?$', message: 'src/shared/runRecord.ts reads the machine (node:os): the webview gets the record as data.' },
    { regex: internals('spec', true), message: 'The webview may import only the types of spec (src/spec/types.ts).' },
    { regex: '^(\\.\\.?/)+(src/)?spec(/index)?$', message: 'The webview may import only the types of spec (src/spec/types.ts).' },
    { regex: internals('theory', true), message: 'The webview may import only the types of theory (src/theory/types.ts).' },
    { regex: '^(\\.\\.?/)+(src/)?theory(/index)?$', message: 'The webview may import only the types of theory (src/theory/types.ts).' },
    ...['engine', 'import', 'cli', 'extension'].map((s) => stage(s, 'the webview')),
  ]),
  // bench and scripts: Node programs; bench may reach into the engine's internals to time them.
  layer(['bench/**', 'scripts/**'], [vscode], []),
];
