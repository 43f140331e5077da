/**
 * A pipeline running as `npm start` runs it, for API tests: a client with the search attributes
 * registered, the pipeline's worker on the dev server, notice workers delivering to the inbox,
 * and `ingest` posting a life event as a registry would. `close` stops it all in reverse.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ingestEvent, type IngestResult } from '../../services/events/ingest.js';
import { TEST_PUBLISHER } from './departments.js';
import { cityToday } from '../../domain/calendar.js';
import { registerSearchAttributes } from '../../infra/search-attributes.js';
import { createNoticeWorkers } from '../../notices/delivery.js';
import { TEST_SECRET } from './city.js';
import { openPipeline, type Pipeline } from './pipeline.js';
import { connectClient } from './temporal.js';
import type { TestStackInfo } from './test-stack.js';

export interface RunningPipeline {
  client: Client;
  pipeline: Pipeline;
  /** Accepts a life event body as POST /events does. */
  ingest(body: unknown): Promise<IngestResult>;
  /** A suffix unique to this pipeline, for source event IDs. */
  run: string;
  close(): Promise<void>;
}

/**
 * `policies: 'store'` publishes the shipped catalog in the store and reads policies from there
 * (as the sweeps' tests need); `notices: false` runs no notice workers.
 */
export async function openRunningPipeline(
  stack: TestStackInfo,
  name: string,
  options: { policies?: 'store'; notices?: boolean; seals?: boolean } = {},
): Promise<RunningPipeline> {
  const client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await registerSearchAttributes(client.connection, stack.temporalNamespace);
  // With the client, as the processing worker has one: activities start offer and pledge workflows (sweeps, objections).
  const pipeline = await openPipeline(stack, name, {
    client,
    ...(options.policies ? { policies: options.policies } : {}),
    ...(options.seals ? { seals: true } : {}),
  });
  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  const worker = await pipeline.worker(connection, stack.temporalNamespace);
  const running = worker.run();
  const notices =
    options.notices === false
      ? undefined
      : createNoticeWorkers({
          redisUrl: stack.redisUrl,
          store: pipeline.store,
          prefix: pipeline.queues.queue('inbox').opts.prefix,
        });
  return {
    client,
    pipeline,
    ingest: (body) =>
      ingestEvent(
        {
          store: pipeline.store,
          temporal: client,
          taskQueue: pipeline.taskQueue,
          subjectKeySecret: TEST_SECRET,
          today: () => cityToday(),
        },
        body,
        TEST_PUBLISHER,
      ),
    run: `${name}-${pipeline.taskQueue.slice(-8)}`,
    async close() {
      await notices?.close();
      worker.shutdown();
      await running;
      await connection.close();
      await pipeline.close();
      await client.connection.close();
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes, checked field by field
type Json = any;

/** Calls the API over HTTP as a token's person; the status, the parsed answer and its raw text. */
export async function callApi(
  url: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; json: Json; text: string }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text), text };
}
