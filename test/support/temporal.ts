/** Helpers for tests that run a real worker against the test stack. */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/temporal-worker.js';

let bundle: Promise<WorkflowBundle> | undefined;

/** The production workflow bundle, built once per test file. */
export function productionBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  return bundle;
}

/** A task queue no other test uses. */
export function uniqueTaskQueue(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

const noop = () => undefined;
/** Keeps webpack's bundle report out of the test output. */
export const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

/**
 * A Temporal namespace of a test's own on the shared dev server (registered once, then waited for
 * until it answers), for a test that runs a whole deployment whose workflow IDs are its business
 * keys — a payroll of a policy and month — and so must not meet another file's on the same server.
 */
export async function ownNamespace(address: string, namespace: string): Promise<string> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService
      .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') })
      .catch((error: { code?: number }) => {
        // ALREADY_EXISTS: a retry of this file.
        if (error.code !== 6) throw error;
      });
    for (let attempt = 0; ; attempt++) {
      const ready = await connection.workflowService
        .listWorkflowExecutions({ namespace, pageSize: 1 })
        .then(() => true)
        .catch(() => false);
      if (ready) return namespace;
      if (attempt > 300) throw new Error(`Temporal namespace ${namespace} did not come up`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await connection.close();
  }
}
