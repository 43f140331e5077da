import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it, vi } from 'vitest';
import { guardActivities } from '../../activities/guard.js';
import { RulesError } from '../../rules/errors.js';

describe('every activity, as the worker runs it', () => {
  it('turns a rules error into a non-retryable failure of its own type', async () => {
    const { evaluate } = guardActivities({
      evaluate: async () => {
        throw new RulesError('PARAMETER_NOT_IN_FORCE', 'parameter annualAmount has no value on 2024-12-31');
      },
    });
    const failure = await evaluate().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: 'ParameterNotInForce',
      nonRetryable: true,
      message: 'parameter annualAmount has no value on 2024-12-31',
    });
  });

  it('leaves other errors as they are, so the retry policy decides', async () => {
    const outage = new Error('connection reset');
    const { write } = guardActivities({
      write: async () => {
        throw outage;
      },
    });
    await expect(write()).rejects.toBe(outage);
  });

  it('heartbeats a third of the way into its heartbeat timeout while a long activity runs, and stops when it ends', async () => {
    // The activity's and the guard's timers on vitest's clock: 550 ms pass in an instant, exactly.
    vi.useFakeTimers();
    try {
      const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
      let beats = 0;
      env.on('heartbeat', () => beats++);
      const { slow } = guardActivities({
        slow: (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve('done'), ms)),
      });
      const result = env.run(slow, 550);
      await vi.advanceTimersByTimeAsync(550);
      expect(await result).toBe('done');
      // Every 100 ms (300 / 3): at 100, 200, 300, 400 and 500.
      expect(beats).toBe(5);
      await vi.advanceTimersByTimeAsync(1000);
      expect(beats).toBe(5);
    } finally {
      vi.useRealTimers();
    }
  });
});
