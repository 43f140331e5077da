/**
 * Runs a provisioning tool (go, mvn, apt-get) as a child process, streaming its output
 * into a progress step and keeping the last lines for the error message.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { childEnv } from '../workers/config.js';
import type { ProgressStep } from './progress.js';

/** A server or toolchain could not be provisioned; the message is one line for the user. */
export class ProvisionError extends Error {
  readonly code = 'PROVISION_FAILED';
  constructor(
    message: string,
    readonly outputTail: string[] = [],
  ) {
    super(message);
    this.name = 'ProvisionError';
  }
}

/** Finds an executable on PATH or in the given fallback locations; undefined when absent. */
export function findExecutable(name: string, fallbacks: string[] = []): string | undefined {
  const dirs = (childEnv().PATH ?? '').split(delimiter).filter(Boolean);
  for (const candidate of [...dirs.map((dir) => join(dir, name)), ...fallbacks]) {
    if (existsSync(candidate) && spawnSync('test', ['-x', candidate]).status === 0) return candidate;
  }
  return undefined;
}

/** Like findExecutable, but throws a one-line ProvisionError naming the missing toolchain. */
export function requireExecutable(name: string, purpose: string, hint: string, fallbacks: string[] = []): string {
  const found = findExecutable(name, fallbacks);
  if (!found) throw new ProvisionError(`Cannot ${purpose}: '${name}' is not installed (${hint}).`);
  return found;
}

export interface RunToolOptions {
  cwd?: string;
  env?: Record<string, string>;
  step: ProgressStep;
  /** What the user was waiting for, used in the error message. */
  purpose: string;
}

/** Runs `command args…`; resolves with its stdout on exit 0, otherwise rejects with the output's tail. */
export function runTool(command: string, args: string[], options: RunToolOptions): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const stdout: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        options.step.update(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => reject(new ProvisionError(`Cannot ${options.purpose}: ${error.message}`, tail)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolvePromise(Buffer.concat(stdout).toString('utf8'));
      const last = tail.at(-1) ?? 'no output';
      reject(
        new ProvisionError(
          `Cannot ${options.purpose}: ${command} exited with ${signal ?? `code ${code}`} (${last.slice(0, 200)})`,
          tail,
        ),
      );
    });
  });
}
