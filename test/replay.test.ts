import { fileURLToPath } from 'node:url';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../workers/temporal-worker.js';
import { loadHistory } from './support/histories.js';

const CHANGED = fileURLToPath(new URL('./fixtures/workflows/stack-probe-changed.ts', import.meta.url));

describe('replay of recorded histories', () => {
  it('replays the recorded stack probe against today\'s workflow code', async () => {
    await expect(Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, loadHistory('stack-probe'))).resolves.toBeUndefined();
  });

  it('detects a change to the workflow\'s commands made without patched()', async () => {
    await expect(Worker.runReplayHistory({ workflowsPath: CHANGED }, loadHistory('stack-probe'))).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  });
});
