/**
 * Patches and replay beyond the one-pass replay in replay.test.ts: every recorded history replays
 * again with no workflow cache (each workflow task replayed from the first event, as after a
 * worker restart or an eviction), each history recorded after a patch (`<path>@<patch>`) holds
 * that patch's marker while the history of the same path from before it does not, and code
 * without a patch's new branch — the workflow as it was (test/fixtures/workflows/*-before-*.ts)
 * — cannot replay what was recorded since. workflows/PATCHES.md lists the patches.
 */
import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter } from '@temporalio/common';
import { bundleWorkflowCode, Worker, type ReplayWorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../workers/temporal-worker.js';
import { SearchAttributes } from '../workflows/contracts/index.js';
import { HISTORY_NAMES, historySteps, loadHistory, type HistoryName } from './support/histories.js';
import { patchOf, PATCHED_HISTORY_PATHS, type PatchedHistoryName } from './support/patched-histories.js';
import { quietLogger } from './support/temporal.js';

const fixture = (file: string) => fileURLToPath(new URL(`./fixtures/workflows/${file}`, import.meta.url));
const PATCHED = Object.keys(PATCHED_HISTORY_PATHS) as PatchedHistoryName[];

let bundle: WorkflowBundle;
beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
});

/** Every history's replay failure under `options`, as `name: error` lines (none when all replay). */
async function replayFailures(options: ReplayWorkerOptions, names: readonly HistoryName[]): Promise<string[]> {
  const byId = new Map(names.map((name) => [loadHistory(name).workflowId, name]));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(options, names.map(loadHistory)))
    if (result.error) failures.push(`${byId.get(result.workflowId)}: ${String(result.error)}`);
  return failures;
}

describe('replay with no workflow cache', () => {
  // ReplayWorkerOptions leaves maxCachedWorkflows out of its type; the replay worker still passes it to core.
  const uncached = () => ({ workflowBundle: bundle, maxCachedWorkflows: 0 }) as ReplayWorkerOptions;

  it('replays every recorded history, each workflow task from the start', async () => {
    expect(await replayFailures(uncached(), HISTORY_NAMES)).toEqual([]);
  });

  it('still catches a changed workflow with the cache off', async () => {
    const failures = await replayFailures(
      { workflowsPath: fixture('pledge-grant-before-pledge.ts'), maxCachedWorkflows: 0 } as ReplayWorkerOptions,
      ['pledge-passed'],
    );
    expect(failures).toEqual([expect.stringMatching(/^pledge-passed: .*(recordGrant|recordPledge)/)]);
  });
});

describe('histories recorded since a patch', () => {
  it.each(PATCHED)('%s records its patch, where the same path from before the patch does not', (name) => {
    const { patch, before } = patchOf(name);
    expect(historySteps(loadHistory(name).history)).toContain(`patch ${patch}`);
    if (before) expect(historySteps(loadHistory(before).history)).not.toContain(`patch ${patch}`);
  });

  it('has a history from before each patch for the paths that existed then', () => {
    expect(PATCHED.filter((name) => !patchOf(name).before)).toEqual([
      'offer-confirmed-by-signal@offer-answer-update',
      'pledge-lapsed@pledge-signature',
      'pledge-verified@pledge-signature',
      'sweep-parts@sweep-parts',
    ]);
  });

  it('fails to replay the offers answered since offer-answer-update against the offer workflow from before it', async () => {
    const names = [
      'offer-confirmed@offer-answer-update',
      'offer-declined@offer-answer-update',
      'offer-confirmed-by-signal@offer-answer-update',
    ] as const;
    const failures = await replayFailures({ workflowsPath: fixture('offer-before-update.ts') }, names);
    // Even the signal, which the old code takes too: its patch marker has no patched() call to meet there.
    expect(failures).toEqual(names.map((name) => expect.stringMatching(`^${name}: DeterminismViolationError`)));
    expect(failures[2]).toContain('offer-answer-update');
  });

  it('fails to replay the sweep steered since sweep-steer-update against the sweep workflow from before it', async () => {
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: fixture('sweep-before-steer-update.ts') },
        loadHistory('sweep-paused-continued@sweep-steer-update').history,
      ),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('fails to replay the sweep in parts against the sweep workflow from before sweep-parts', async () => {
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: fixture('sweep-before-parts.ts') },
        loadHistory('sweep-parts@sweep-parts').history,
      ),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('fails to replay the pledges recorded since pledge-signature against the pledge workflow from before it', async () => {
    const names = [
      'pledge-passed@pledge-signature',
      'pledge-revoked@pledge-signature',
      'pledge-inconclusive@pledge-signature',
      'pledge-lapsed@pledge-signature',
      'pledge-verified@pledge-signature',
    ] as const;
    const failures = await replayFailures({ workflowsPath: fixture('pledge-before-signature.ts') }, names);
    expect(failures).toEqual(names.map((name) => expect.stringMatching(`^${name}: DeterminismViolationError`)));
  });

  it('fails to replay the cases decided since case-one-read against the life-event workflow from before it', async () => {
    const names = ['life-event-birth-granted@case-one-read', 'life-event-sixtieth-offered@case-one-read'] as const;
    const failures = await replayFailures({ workflowsPath: fixture('life-event-before-one-read.ts') }, names);
    expect(failures).toEqual(names.map((name) => expect.stringMatching(`^${name}: DeterminismViolationError`)));
  });

  it('fails to replay a grant recorded since grant-local against the grant workflow from before it', async () => {
    const names = ['grant-benefit@grant-local'] as const;
    const failures = await replayFailures({ workflowsPath: fixture('grant-before-local.ts') }, names);
    expect(failures).toEqual(names.map((name) => expect.stringMatching(`^${name}: DeterminismViolationError`)));
  });

  it('starts the grant with AfDepartment since case-search-outcome-department, and without it before', () => {
    const childAttributes = (name: HistoryName) => {
      const started = loadHistory(name).history.events?.find(
        (e) => e.startChildWorkflowExecutionInitiatedEventAttributes,
      )?.startChildWorkflowExecutionInitiatedEventAttributes?.searchAttributes?.indexedFields;
      return Object.fromEntries(
        Object.entries(started ?? {}).map(([key, payload]) => [key, defaultPayloadConverter.fromPayload(payload)]),
      );
    };
    expect(childAttributes('life-event-birth-granted@case-search-outcome-department')).toMatchObject({
      [SearchAttributes.department.name]: [expect.stringContaining('卫生健康')],
      [SearchAttributes.mode.name]: 'auto',
    });
    expect(childAttributes('life-event-birth-granted')).not.toHaveProperty(SearchAttributes.department.name);
  });
});
