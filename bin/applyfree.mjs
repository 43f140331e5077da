#!/usr/bin/env node
/**
 * The `applyfree` command: dispatches to the project's entry points, run with tsx.
 *   applyfree start | worker | stack up|down|status | seed … | policy … | sweep …
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRIES = {
  start: '../workers/main.ts',
  worker: '../workers/worker-cli.ts',
  stack: '../infra/stack-cli.ts',
  seed: '../infra/seed/cli.ts',
  policy: '../cli/main.ts',
  sweep: '../cli/main.ts',
};
const [command, ...args] = process.argv.slice(2);
const entry = ENTRIES[command];
if (!entry) {
  console.error(`usage: applyfree ${Object.keys(ENTRIES).join('|')} …`);
  process.exit(2);
}
const child = spawn(
  process.execPath,
  [
    '--import',
    import.meta.resolve('tsx'),
    fileURLToPath(new URL(entry, import.meta.url)),
    ...(command === 'policy' || command === 'sweep' ? [command, ...args] : args),
  ],
  { stdio: 'inherit' },
);
// Ctrl-C reaches the child through the terminal; a SIGTERM to this process is passed on.
process.on('SIGTERM', () => child.kill('SIGTERM'));
process.on('SIGINT', () => undefined);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
