import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { longSleep } from './fixtures/workflows/long-sleep.js';
import { uniqueTaskQueue } from './support/temporal.js';

const stack = inject('stack');
const fixtures = fileURLToPath(new URL('./fixtures/workflows/long-sleep.ts', import.meta.url));
const DAY_MS = 24 * 60 * 60 * 1000;

async function runLongSleep(env: TestWorkflowEnvironment, duration: string): Promise<number> {
  const taskQueue = uniqueTaskQueue('sleep');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: fixtures,
  });
  return worker.runUntil(
    env.client.workflow.execute(longSleep, { workflowId: `sleep-${taskQueue}`, taskQueue, args: [duration] }),
  );
}

describe('Temporal test servers provisioned by the project', () => {
  it('finishes a 30-day durable timer on the Java time-skipping server', async () => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: stack.testServerPath } },
    });
    try {
      const elapsed = await runLongSleep(env, '30 days');
      expect(elapsed).toBeGreaterThanOrEqual(30 * DAY_MS);
      expect(elapsed).toBeLessThan(31 * DAY_MS);
    } finally {
      await env.teardown();
    }
  });

  it('starts a local dev server from the provisioned temporal binary', async () => {
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: stack.temporalCliPath } },
    });
    try {
      // No time skipping here: a one-second timer takes real time and must still fire.
      const elapsed = await runLongSleep(env, '1 second');
      expect(elapsed).toBeGreaterThanOrEqual(1000);
    } finally {
      await env.teardown();
    }
  });
});
