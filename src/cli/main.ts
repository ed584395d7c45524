// The `depthlens` command: dispatches to the subcommands in this folder.
import { version } from '../../package.json';
import { runAnalyze } from './analyze';
import { runCheck } from './check';
import { runImport } from './import';

const usage = `DepthLens ${version}: will this deep (batch-normalized) network carry signal and gradients at depth?

Usage:
  depthlens check <spec|folder...> [--json] [--fail-on error|warning|info]
  depthlens analyze <spec> [options]
  depthlens import <model> [-o spec.depthlens.yaml] [--batch N] [--from LAYER] [--to LAYER]
  depthlens <command> --help
  depthlens --version

Commands:
  check      schema and theory findings for specs, instantly (no tensors)
  analyze    build the network, measure isometry gaps and gradient norms per layer, report findings
  import     a Keras, TensorFlow.js or ONNX model → a DepthLens spec (check and analyze also take model files)`;

type Command = (argv: readonly string[]) => Promise<number>;

const commands: Record<string, Command> = {
  check: (argv) => runCheck(argv),
  analyze: (argv) => runAnalyze(argv),
  import: (argv) => runImport(argv),
};

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`depthlens: unknown command "${name}"\n\n${usage}\n`);
    return 2;
  }
  return command(rest);
}

// Output piped into `head` closes early; that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`depthlens: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
