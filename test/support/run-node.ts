/** Runs one of the project's TypeScript entry points as its own Node process. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../../workers/config.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function runEntry(entry: string, args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: ROOT, env: childEnv(env) });
}

/** Collects a process's output and resolves with its exit code. */
export function finished(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise) => child.on('close', (code) => resolvePromise({ code, stdout, stderr })));
}

/** The installed `applyfree` command (bin/applyfree.mjs) as a person types it, with the given environment; its output and exit code. */
export function runInstalled(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return finished(spawn(process.execPath, [`${ROOT}bin/applyfree.mjs`, ...args], { cwd: ROOT, env: childEnv(env) }));
}
