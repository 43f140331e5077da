/**
 * Waiting for the stack outside a test body (setup, shared helpers), where `expect.poll` cannot
 * run: the one polling loop of the suite. Inside a test, use `expect.poll`. Times out with what
 * was awaited and the last value or error seen, never silently.
 */
import { inspect } from 'node:util';

export interface PollOptions {
  /** How long to wait in all (ms); default 30 s. */
  timeout?: number;
  /** Pause between probes (ms); default 100. */
  interval?: number;
}

/**
 * Calls `probe` until `done` holds for its value and returns that value. A probe that throws
 * counts as not done (a server still starting, a record not yet written).
 */
export async function pollUntil<T>(
  what: string,
  probe: () => T | Promise<T>,
  done: (value: T) => boolean = Boolean,
  { timeout = 30_000, interval = 100 }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) {
      const seen =
        last === undefined
          ? 'nothing'
          : 'error' in last
            ? `error ${last.error instanceof Error ? last.error.message : inspect(last.error)}`
            : inspect(last.value, { depth: 4, breakLength: Infinity });
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last seen: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
