/**
 * A worker that starts while its Temporal server is still coming up waits the server out when
 * ensuring its schedules, instead of exiting (the payroll-restart test met "Failed to describe
 * schedule" just after a server restart); a refusal still fails at once, saying why.
 */
import { ScheduleAlreadyRunning, ServiceError, type Client, type ScheduleOptions } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { ensureSchedule, isTransientScheduleFailure } from '../../services/ensure-schedule.js';

const wanted = { scheduleId: 'applyfree-test', spec: {}, action: {} } as unknown as ScheduleOptions;

function grpcFailure(code: number, message: string): ServiceError {
  return new ServiceError('Failed to describe schedule', { cause: Object.assign(new Error(message), { code }) });
}

/** A schedule client whose schedule exists, and whose updates fail with the given errors first. */
function clientFailing(failures: Error[]) {
  const calls = { create: 0, update: 0 };
  const client = {
    schedule: {
      create: async () => {
        calls.create += 1;
        throw new ScheduleAlreadyRunning('already running', wanted.scheduleId);
      },
      getHandle: () => ({
        update: async () => {
          calls.update += 1;
          const failure = failures.shift();
          if (failure) throw failure;
        },
      }),
    },
  } as unknown as Client;
  return { client, calls };
}

describe('ensuring a schedule while the server comes up', () => {
  it('tries again after server-side failures, and succeeds once the server answers', async () => {
    const { client, calls } = clientFailing([
      grpcFailure(14, '14 UNAVAILABLE: Connection dropped'),
      grpcFailure(13, '13 INTERNAL: scheduler not ready'),
    ]);
    const waits: number[] = [];
    const id = await ensureSchedule(client, wanted, { sleep: async (ms) => void waits.push(ms) });
    expect(id).toBe('applyfree-test');
    expect(calls.update).toBe(3);
    expect(waits).toEqual([250, 500]);
  });

  it('fails at once on a refusal, with the server reason in the message', async () => {
    const { client, calls } = clientFailing([grpcFailure(7, '7 PERMISSION_DENIED: not allowed')]);
    await expect(ensureSchedule(client, wanted, { sleep: async () => undefined })).rejects.toThrow(
      'schedule applyfree-test: Failed to describe schedule: 7 PERMISSION_DENIED: not allowed',
    );
    expect(calls.update).toBe(1);
  });

  it('gives up after its patience, naming the last failure', async () => {
    const failures = Array.from({ length: 50 }, () => grpcFailure(14, '14 UNAVAILABLE: No connection established'));
    const { client } = clientFailing(failures);
    let waited = 0;
    await expect(
      ensureSchedule(client, wanted, { patienceMs: 10_000, sleep: async (ms) => void (waited += ms) }),
    ).rejects.toThrow('14 UNAVAILABLE: No connection established');
    expect(waited).toBeLessThanOrEqual(10_000);
    expect(waited).toBeGreaterThan(5_000);
  });

  it('counts only server and transport failures as worth another try', () => {
    expect(isTransientScheduleFailure(grpcFailure(4, 'DEADLINE_EXCEEDED'))).toBe(true);
    expect(isTransientScheduleFailure(grpcFailure(3, 'INVALID_ARGUMENT'))).toBe(false);
    expect(isTransientScheduleFailure(new TypeError('Invalid schedule spec'))).toBe(false);
  });
});
