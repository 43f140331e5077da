/**
 * Lifecycle of one server process: spawn into its own process group with output to a
 * log file and a pid file beside it, wait until it answers, stop it (SIGTERM, then
 * SIGKILL), and recognise a process left from an earlier run by its pid file.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnv } from '../workers/config.js';

export interface PidRecord {
  pid: number;
  port: number;
  executable: string;
  startedAt: string;
}

/** True when `pid` is alive and still runs `executable` (not a recycled pid). */
export function isOurProcess(record: PidRecord): boolean {
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
    return cmdline.includes(record.executable);
  } catch {
    return true;
  }
}

export function readPidFile(pidFile: string): PidRecord | undefined {
  if (!existsSync(pidFile)) return undefined;
  try {
    return JSON.parse(readFileSync(pidFile, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolvePromise(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface SpawnServerOptions {
  executable: string;
  args: string[];
  port: number;
  logFile: string;
  pidFile: string;
  env?: Record<string, string>;
}

/** Starts a server detached in its own process group, so it can be stopped as a group. */
export function spawnServer(options: SpawnServerOptions): PidRecord {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(options.executable, options.args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: childEnv(options.env),
    });
    if (child.pid === undefined) throw new Error(`could not start ${options.executable}`);
    child.unref();
    const record: PidRecord = {
      pid: child.pid,
      port: options.port,
      executable: options.executable,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(options.pidFile, JSON.stringify(record));
    return record;
  } finally {
    closeSync(log);
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(logFile: string, lines = 8): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Waits until `ready()` resolves true. Fails early, with the log's tail, if the
 * process dies; fails after `timeoutMs` otherwise.
 */
export async function waitUntilReady(
  name: string,
  record: PidRecord,
  logFile: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isOurProcess(record)) {
      throw new Error(`${name} exited during start-up; last log lines (${logFile}):\n${logTail(logFile)}`);
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${name} did not become ready within ${Math.round(timeoutMs / 1000)}s; see ${logFile}:\n${logTail(logFile)}`,
      );
    }
    await sleep(250);
  }
}

/** Stops a process group: SIGTERM, then SIGKILL after `graceMs`; removes the pid file. */
export async function stopServer(record: PidRecord, pidFile: string | undefined, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-record.pid, sig);
    } catch {
      try {
        process.kill(record.pid, sig);
      } catch {
        // already gone
      }
    }
  };
  if (isOurProcess(record)) {
    signal('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isOurProcess(record) && Date.now() < deadline) await sleep(100);
    if (isOurProcess(record)) signal('SIGKILL');
    while (isOurProcess(record)) await sleep(50);
  }
  if (pidFile) rmSync(pidFile, { force: true });
}
