/** Helpers for tests that run a real worker against the test stack. */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
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
