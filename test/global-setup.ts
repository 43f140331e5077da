/** Starts the real stack once per `npm test` run and stops it afterwards. */
import type { TestProject } from 'vitest/node';
import { startTestStack, type TestStackInfo } from './support/test-stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: TestStackInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { info, stop } = await startTestStack();
  project.provide('stack', info);
  return stop;
}
