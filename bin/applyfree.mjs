#!/usr/bin/env node
/**
 * The `applyfree` command, run with tsx. Five commands run processes of their own (start, worker,
 * stack, seed, and audit, which reads the database directly); every other command is a client command of the HTTP API, dispatched by cli/main.ts from
 * its one table, so a command added there is reachable here without a change.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROCESSES = {
  start: {
    entry: '../workers/main.ts',
    usage: 'usage: applyfree start   the embedded stack, the workers, the API and the demo city',
  },
  worker: {
    entry: '../workers/worker-cli.ts',
    usage:
      'usage: applyfree worker   the Temporal and notice workers alone, against the configured or embedded servers',
  },
  stack: {
    entry: '../infra/stack-cli.ts',
    usage: 'usage: applyfree stack up|down|status   the embedded servers alone',
  },
  seed: {
    entry: '../infra/seed/cli.ts',
    usage:
      'usage: applyfree seed --residents N --enterprises M [--seed S] [--as-of YYYY-MM-DD] [--batch-size K] [--reset]',
  },
  // Answers --help itself (workers/audit-cli.ts holds its usage): it starts no server.
  audit: { entry: '../workers/audit-cli.ts' },
};
const CLIENT = '../cli/main.ts';

const [command, ...args] = process.argv.slice(2);
const process_ = Object.hasOwn(PROCESSES, command ?? '') ? PROCESSES[command] : undefined;
// A process's --help answers here: it must not start servers to print a line.
if (process_?.usage && (args.includes('--help') || args.includes('-h'))) {
  console.log(process_.usage);
  process.exit(0);
}
const entry = fileURLToPath(new URL(process_ ? process_.entry : CLIENT, import.meta.url));
const child = spawn(
  process.execPath,
  ['--import', import.meta.resolve('tsx'), entry, ...(process_ ? args : process.argv.slice(2))],
  {
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the child through the terminal; a SIGTERM to this process is passed on.
process.on('SIGTERM', () => child.kill('SIGTERM'));
process.on('SIGINT', () => undefined);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
