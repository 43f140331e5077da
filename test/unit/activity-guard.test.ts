import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
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

  it('heartbeats while a long activity runs, and stops when it ends', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const { slow } = guardActivities({
      slow: (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve('done'), ms)),
    });
    expect(await env.run(slow, 550)).toBe('done');
    const afterRun = beats;
    expect(afterRun).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(beats).toBe(afterRun);
  });
});
