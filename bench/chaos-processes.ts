/**
 * What the fault campaign acts on: a pool of real worker processes (`npm run worker`, the Temporal
 * worker and the notice workers) kept at strength like a service manager would (a worker that
 * dies, is killed or fails to start is started again), and the embedded servers, stopped and
 * started again on their own ports and state, as an operator's restart would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createProgress } from '../infra/progress.js';
import { readPidFile, stopServer } from '../infra/processes.js';
import { serverFiles, startStack, type ServerName, type StackOptions } from '../infra/stack.js';
import { childEnv } from '../workers/config.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** What `npm run worker` prints once it serves its task queue. */
const READY_LINE = 'applyfree worker is running';
/** How long a service manager waits before starting a worker that exited again. */
const RESTART_DELAY_MS = 1_000;

interface Slot {
  child?: ChildProcess;
  ready: boolean;
}

export interface PoolFigures {
  started: number;
  killed: number;
  /** Exits nobody asked for: a worker that could not start (a server down) or failed. */
  unexpectedExits: number;
  /** Milliseconds from spawn to ready, of each start. */
  startMs: number[];
}

/** `size` workers with the given environment, each restarted when it exits, until stop(). */
export class WorkerPool {
  readonly figures: PoolFigures = { started: 0, killed: 0, unexpectedExits: 0, startMs: [] };
  private readonly slots: Slot[];
  private running = true;
  private readonly log: WriteStream;
  /** Every worker's output, and each exit with its signal or code. */
  readonly logFile: string;
  /** Workers this pool SIGKILLed: their exit is the fault, not a failure. */
  private readonly killed = new WeakSet<ChildProcess>();

  constructor(
    private readonly env: Record<string, string>,
    size: number,
    logDir: string,
  ) {
    this.slots = Array.from({ length: size }, () => ({ ready: false }));
    this.logFile = join(logDir, 'workers.log');
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    this.slots.forEach((slot, i) => this.start(slot, i));
  }

  private start(slot: Slot, index: number): void {
    if (!this.running) return;
    const began = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/worker-cli.ts'], {
      cwd: ROOT,
      env: childEnv(this.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.figures.started += 1;
    slot.child = child;
    slot.ready = false;
    const write = (chunk: Buffer) => this.log.write(`[worker ${index} pid ${child.pid}] ${chunk.toString()}`);
    child.stdout!.on('data', (chunk: Buffer) => {
      write(chunk);
      if (!slot.ready && chunk.toString().includes(READY_LINE) && slot.child === child) {
        slot.ready = true;
        this.figures.startMs.push(performance.now() - began);
      }
    });
    child.stderr!.on('data', write);
    child.once('exit', (code, signal) => {
      this.log.write(`[worker ${index} pid ${child.pid}] exited (${signal ?? code})\n`);
      if (slot.child !== child) return;
      slot.ready = false;
      slot.child = undefined;
      const killedByUs = this.killed.has(child);
      if (!killedByUs && this.running) this.figures.unexpectedExits += 1;
      if (this.running) setTimeout(() => this.start(slot, index), killedByUs ? 0 : RESTART_DELAY_MS);
    });
  }

  /** True once every worker serves the task queue. */
  get allReady(): boolean {
    return this.slots.every((slot) => slot.ready);
  }

  /** Waits until every worker serves the task queue (after a fault, before counting what is left). */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.allReady) {
      if (performance.now() > deadline) throw new Error(`the workers were not all ready within ${timeoutMs / 1000} s`);
      await sleep(100);
    }
  }

  /**
   * SIGKILLs one serving worker chosen by `pick` (0 ≤ pick < 1), waiting for one to serve if none
   * does yet: a kill always lands on a process doing work. Its slot starts a new one at once.
   */
  async killOne(pick: number): Promise<void> {
    for (;;) {
      const serving = this.slots.filter((slot) => slot.ready && slot.child);
      if (serving.length > 0) {
        const slot = serving[Math.floor(pick * serving.length)];
        const child = slot.child!;
        this.killed.add(child);
        // Not serving from now on, though its exit is yet to be seen: the next kill must find another.
        slot.ready = false;
        child.kill('SIGKILL');
        this.figures.killed += 1;
        return;
      }
      await sleep(100);
    }
  }

  /** Stops every worker (SIGTERM: a clean shutdown) and starts no more. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(
      this.slots.map(async (slot) => {
        const child = slot.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(20_000).then(() => child.kill('SIGKILL'))]);
        await exited;
      }),
    );
    await new Promise((resolve) => this.log.end(resolve));
  }
}

/** An embedded server that can be stopped and started again on the same port and state. */
export class ServerControl {
  constructor(
    private readonly name: ServerName,
    private readonly options: Omit<StackOptions, 'progress' | 'servers'>,
  ) {}

  /** Stops the server as `stack down` would (SIGTERM, then SIGKILL after 10 s). */
  async stop(): Promise<void> {
    const { pidFile } = serverFiles(this.options.stateDir, this.name);
    const record = readPidFile(pidFile);
    if (record) await stopServer(record, pidFile);
  }

  /** Its process ID while it runs. */
  pid(): number | undefined {
    return readPidFile(serverFiles(this.options.stateDir, this.name).pidFile)?.pid;
  }

  /** Starts it again and waits until it answers. */
  async start(): Promise<void> {
    await startStack({ ...this.options, progress: createProgress({ interactive: false }), servers: [this.name] });
  }
}
