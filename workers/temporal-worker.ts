/**
 * The Temporal worker: bundles `workflows/` (deterministic code only) and serves the
 * activities built by `createActivities`. Scale out by running more of these.
 */
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import { temporalConnectOptions, type TemporalAccess } from '../infra/temporal-connection.js';
import { TASK_QUEUE } from '../workflows/contracts/index.js';

/** Path of the workflow entry point, for bundling and replay. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface TemporalWorkerOptions {
  address: string;
  /** TLS and the API key for an external frontend (Config.temporalAccess); absent, plain gRPC. */
  access?: TemporalAccess;
  namespace: string;
  activities: Activities;
  taskQueue?: string;
  /** A prebuilt bundle (tests bundle once per file); otherwise `workflows/` is bundled. */
  workflowBundle?: WorkflowBundle;
}

export interface TemporalWorker {
  worker: Worker;
  connection: NativeConnection;
  /** Runs until shutdown; resolves when the worker has drained. */
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

export async function createTemporalWorker(options: TemporalWorkerOptions): Promise<TemporalWorker> {
  const connection = await NativeConnection.connect(temporalConnectOptions(options.address, options.access));
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    activities: options.activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
  let running: Promise<void> | undefined;
  return {
    worker,
    connection,
    run() {
      running ??= worker.run();
      return running;
    },
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running?.catch(() => undefined);
      await connection.close();
    },
  };
}
