/**
 * The pipeline on its own Java time-skipping test server, with a worker running for the
 * whole test file. Each test file gets its own server: the server keeps its time-skipping
 * lock held for good once any workflow starts a child with ParentClosePolicy.ABANDON
 * (temporalio/sdk-java#2392, #2642; sdk-typescript#1101), after which timers in that server
 * wait in real time. The life-event workflow does exactly that, so tests that need to jump
 * durable timers run benefit workflows directly, on a server no case has touched.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { registerSearchAttributes } from '../../infra/search-attributes.js';
import { openPipeline, type Pipeline, type PipelineOptions } from './pipeline.js';
import type { TestStackInfo } from './test-stack.js';

export interface TimeSkippingPipeline {
  env: TestWorkflowEnvironment;
  pipeline: Pipeline;
  /** The notice templates queued for a subject, oldest first. */
  noticeTemplates(subjectKey: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function openTimeSkippingPipeline(
  stack: TestStackInfo,
  name: string,
  options: PipelineOptions = {},
): Promise<TimeSkippingPipeline> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: stack.testServerPath } },
  });
  let pipeline: Pipeline | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const close = async () => {
    worker?.shutdown();
    await running;
    await pipeline?.close();
    await env.teardown();
  };
  try {
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    pipeline = await openPipeline(stack, name, options);
    worker = await pipeline.worker(env.nativeConnection, env.namespace);
    running = worker.run();
  } catch (error) {
    await close();
    throw error;
  }
  const opened = pipeline;
  return {
    env,
    pipeline: opened,
    async noticeTemplates(subjectKey) {
      const notices = await opened.models.Notice.find({ subjectKey }).sort({ queuedAt: 1 }).lean();
      return notices.map((notice) => notice.template);
    },
    close,
  };
}
