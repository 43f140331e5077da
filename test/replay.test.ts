/**
 * Replay of every recorded history (test/histories/, `npm run record-histories`) against
 * today's workflow code: a change that would strand the runs in flight fails here with a
 * DeterminismViolationError. Each history is also checked for the path it claims to pin
 * and for raw identifiers, and changed copies of real workflows prove replay catches them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCreditCode, makeResidentId } from '../domain/identity.js';
import { WORKFLOWS_PATH } from '../workers/temporal-worker.js';
import {
  HISTORIES_DIR,
  historyFile,
  HISTORY_NAMES,
  historySteps,
  identifiersIn,
  loadHistory,
  RECORDED_HISTORIES,
  type HistoryName,
} from './support/histories.js';
import { PATCHED_HISTORY_PATHS, SIXTIETH_DECISIONS, type HistoryPath } from './support/patched-histories.js';
import { quietLogger } from './support/temporal.js';

const fixture = (file: string) => fileURLToPath(new URL(`./fixtures/workflows/${file}`, import.meta.url));

const CASE_STEPS = ['resolvePolicies', 'collectFacts', 'evaluateCase'];
const APPLICATION_STEPS = ['fillApplicationFields', 'obtainApplicationProofs'];
const PLEDGE_STEPS = ['recordPledge', 'recordGrant', 'enqueueNotice', 'timer 30d', 'timer fired', 'inspectPledge'];

/** The path each history must show (historySteps) and what its workflow returned; those recorded after a patch are in support/patched-histories.ts. */
const PATHS: Record<HistoryName, HistoryPath> = {
  ...PATCHED_HISTORY_PATHS,
  'stack-probe': { steps: ['recordProbe'], result: { created: true } },
  'review-resolution-granted': {
    steps: ['decideReview', 'startReviewedBenefit'],
    result: { action: 'granted', benefitWorkflowId: expect.stringMatching(/^grant:childcare-subsidy:/) },
  },
  'review-resolution-refused': {
    steps: ['decideReview', 'issueReviewRefusal', 'enqueueNotice'],
    result: { action: 'refused' },
  },
  'review-resolution-reopened': {
    steps: ['decideReview', 'reopenReview'],
    result: { action: 'still-undetermined' },
  },
  'application-approved': {
    // No proof asked: straight from the proofs to the handling task, its child, and the decision with its notice.
    steps: [...APPLICATION_STEPS, 'openApplicationTask', 'child humanTask', 'decideApplication'],
    result: { status: 'approved' },
  },
  'application-upload': {
    // One proof asked: the wait (up to 30 days) ends with the upload's signal, and the proofs are obtained again.
    steps: [
      ...APPLICATION_STEPS,
      'timer 30d',
      'signal proofsSupplied',
      'timer cancelled',
      'obtainApplicationProofs',
      'openApplicationTask',
      'child humanTask',
      'decideApplication',
    ],
    result: { status: 'refused' },
  },
  'retention-purge': { steps: ['purgeExpiredRecords'], result: { purged: expect.any(Array) } },
  'life-event-birth-granted': {
    steps: [...CASE_STEPS, 'child grantBenefit'],
    result: {
      decisions: [
        { policy: { id: 'childcare-subsidy' }, outcome: 'eligible', amount: 3000, period: '2026', action: 'granted' },
      ],
    },
  },
  'life-event-birth-undetermined': {
    steps: [...CASE_STEPS, 'openManualReview', 'enqueueNotice'],
    result: {
      decisions: [
        {
          policy: { id: 'childcare-subsidy' },
          outcome: 'undetermined',
          missingFacts: ['person.birthDate'],
          action: 'manual-review',
        },
      ],
    },
  },
  'life-event-sixtieth-offered': {
    // Four policies answer an age milestone; their facts are collected in parallel.
    steps: [
      'resolvePolicies',
      'collectFacts',
      'collectFacts',
      'collectFacts',
      'collectFacts',
      'evaluateCase',
      'child offerBenefit',
    ],
    result: { decisions: SIXTIETH_DECISIONS },
  },
  'life-event-annual-review-pledged': {
    steps: [...CASE_STEPS, 'child pledgeBenefit'],
    result: {
      decisions: [
        { policy: { id: 'business-startup-subsidy' }, outcome: 'eligible', amount: 12000, action: 'pledged' },
      ],
    },
  },
  'grant-benefit': { steps: ['recordGrant', 'enqueueNotice'], result: { status: 'granted', grantCreated: true } },
  'offer-confirmed': {
    steps: [
      'recordOffer',
      'enqueueNotice',
      'timer 23d',
      'signal confirmOffer',
      'timer cancelled',
      'closeOffer',
      'recordGrant',
      'enqueueNotice',
    ],
    result: { status: 'confirmed', grantCreated: true },
  },
  'offer-declined': {
    steps: [
      'recordOffer',
      'enqueueNotice',
      'timer 23d',
      'signal declineOffer',
      'timer cancelled',
      'closeOffer',
      'enqueueNotice',
    ],
    result: { status: 'declined' },
  },
  'offer-expired': {
    // Reminder 7 days before expiry (day 23), 1 day before (day 29), expiry on day 30.
    steps: [
      'recordOffer',
      'enqueueNotice',
      'timer 23d',
      'timer fired',
      'enqueueNotice',
      'timer 6d',
      'timer fired',
      'enqueueNotice',
      'timer 1d',
      'timer fired',
      'closeOffer',
      'enqueueNotice',
    ],
    result: { status: 'expired' },
  },
  'pledge-passed': {
    steps: [...PLEDGE_STEPS, 'closePledge', 'enqueueNotice'],
    result: { status: 'inspection-passed', grantCreated: true },
  },
  'pledge-revoked': {
    steps: [...PLEDGE_STEPS, 'closePledge', 'revokePledgedGrant', 'enqueueNotice'],
    result: { status: 'revoked', grantCreated: true },
  },
  'pledge-inconclusive': {
    steps: [...PLEDGE_STEPS, 'openManualReview'],
    result: { status: 'inspection-inconclusive', grantCreated: true },
  },
  'human-task-escalated': {
    steps: [
      'timer 8d',
      'timer fired',
      'remindTask',
      'timer 2d',
      'timer fired',
      'escalateTask',
      'update completeTask',
      'recordTaskOutcome',
      'recordTaskResolution',
    ],
    result: { status: 'done', resolution: { action: 'closed' } },
  },
  'inspection-resolution-revoked': {
    steps: ['recordInspectionFinding', 'closePledge', 'revokePledgedGrant', 'enqueueNotice'],
    result: { action: 'revoked' },
  },
  'sweep-done': {
    steps: ['pinSweepPolicy', 'recordSweep', 'screenSlice', 'recordSweep', 'screenSlice', 'recordSweep'],
    result: { status: 'done', total: 300, processed: 300, slices: 2 },
  },
  'sweep-paused-continued': {
    steps: [
      'signal pauseSweep',
      'pinSweepPolicy',
      'recordSweep',
      'recordSweep',
      'signal resumeSweep',
      'screenSlice',
      'recordSweep',
      'screenSlice',
      'recordSweep',
    ],
    result: { continuedAsNew: { slices: 2, paused: false, counts: { processed: 200 } } },
  },
  'sweep-part': {
    // Half the city in slices of 50, the fourth finding no one left; its reports are signals to the sweep.
    steps: ['screenSlice', 'screenSlice', 'screenSlice', 'screenSlice'],
    result: { part: 0, status: 'done', slices: 4, counts: { processed: 150 } },
  },
  'sweep-cancelled': {
    steps: ['signal cancelSweep', 'pinSweepPolicy', 'recordSweep', 'recordSweep'],
    result: { status: 'cancelled', processed: 0, slices: 0 },
  },
  'objection-arrears': {
    steps: ['signal objectionCorrected', 'reevaluateObjection', 'settleObjection', 'closeObjection', 'enqueueNotice'],
    result: {
      status: 'resolved',
      outcome: 'eligible',
      previousOutcome: 'ineligible',
      amountAfter: 100,
      arrears: 100,
      overpayment: 0,
    },
  },
  'objection-rejected': {
    steps: ['signal objectionResolved', 'closeObjection', 'enqueueNotice'],
    result: { status: 'rejected', arrears: 0, overpayment: 0 },
  },
  'objection-arrears-two-periods': {
    steps: [
      'signal objectionCorrected',
      'reevaluateObjection',
      'settleObjection',
      'closeObjection',
      'patch objection-later-periods',
      'patch objection-benefits-in-kind',
      'enqueueNotice',
    ],
    result: {
      status: 'resolved',
      outcome: 'eligible',
      previousOutcome: 'ineligible',
      amountAfter: 100,
      arrears: 200,
      overpayment: 0,
    },
  },
  'objection-card-revoked': {
    steps: [
      'signal objectionCorrected',
      'reevaluateObjection',
      'settleObjection',
      'closeObjection',
      'patch objection-benefits-in-kind',
      'enqueueNotice',
    ],
    result: {
      status: 'resolved',
      outcome: 'ineligible',
      previousOutcome: 'eligible',
      arrears: 0,
      overpayment: 0,
      revoked: 1,
    },
  },
  'payroll-previewed': {
    // Three entitlements, slices of two: a full slice, then the last one.
    steps: ['beginPayroll', 'payrollSlice', 'payrollSlice', 'assemblePayrollBatch'],
    result: { batchId: 'payroll:old-age-allowance:2026-05', lines: 2, totalFen: 30_000, ended: 1 },
  },
  'scheduled-payroll': {
    steps: ['child payroll'],
    result: { policyId: 'old-age-allowance', period: '2026-06', status: 'preview' },
  },
  'stop-payments-death': {
    steps: ['stopPaymentsOnEvent'],
    result: { ended: 1, removed: 1, recovered: 0 },
  },
  'scheduled-sweeps-daily': {
    // Five shipped policies read a date (ages, durations); each gets its due sweep, one after another.
    steps: ['listSweepPolicies', 'child sweep', 'child sweep', 'child sweep', 'child sweep', 'child sweep'],
    result: {
      kind: 'daily',
      asOf: '2026-12-01',
      sweeps: [{ status: 'done' }, { status: 'done' }, { status: 'done' }, { status: 'done' }, { status: 'done' }],
    },
  },
};

/** What the run returned, or, for a run that continued as new, `{ continuedAsNew: <what it carried on> }`. */
function workflowResult(history: History): unknown {
  const continued = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads?.[0];
  if (continued)
    return { continuedAsNew: (defaultPayloadConverter.fromPayload(continued) as { carried?: unknown }).carried };
  const completed = history.events?.at(-1)?.workflowExecutionCompletedEventAttributes;
  const payload = completed?.result?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

const described = HISTORY_NAMES.map((name) => [name, RECORDED_HISTORIES[name].path] as const);

let bundle: WorkflowBundle;
beforeAll(async () => {
  // What the production worker runs, bundled once for every replay below.
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
});

describe("replay of recorded histories against today's workflow code", () => {
  it('has a recorded history for every entry in the list, and nothing unlisted', () => {
    const files = readdirSync(HISTORIES_DIR).filter((file) => file.endsWith('.json'));
    expect(files.sort()).toEqual(HISTORY_NAMES.map((name) => `${name}.json`).sort());
  });

  it.each(described)('replays %s: %s', async (name) => {
    const { history, workflowId } = loadHistory(name);
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId)).resolves.toBeUndefined();
  });
});

describe('what the recorded histories hold', () => {
  it.each(described)('%s runs the path it is named for (%s)', (name) => {
    const { history } = loadHistory(name);
    expect(history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe(
      RECORDED_HISTORIES[name].workflowType,
    );
    expect(historySteps(history)).toEqual(PATHS[name].steps);
    expect(workflowResult(history)).toMatchObject(PATHS[name].result);
  });

  it.each(HISTORY_NAMES)('%s holds no resident ID or credit code, in plain fields or encoded payloads', (name) => {
    expect(identifiersIn(readFileSync(historyFile(name), 'utf8'))).toEqual([]);
  });

  it('finds a resident ID or credit code hidden in an encoded payload, so the check above can fail', () => {
    const residentId = makeResidentId('371402', '1990-01-01', 12, 'female');
    const creditCode = makeCreditCode('371402', 12_345_678);
    const data = Buffer.from(JSON.stringify({ subject: residentId, employer: `grant:x:${creditCode}:2026` })).toString(
      'base64',
    );
    const history = {
      events: [
        {
          workflowExecutionStartedEventAttributes: {
            input: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data }] },
          },
        },
      ],
    };
    expect(identifiersIn(JSON.stringify(history))).toEqual([residentId, creditCode]);
  });
});

describe('replay catches changes made without patched()', () => {
  it('rejects the stack probe with a timer added before its activity', async () => {
    const { history, workflowId } = loadHistory('stack-probe');
    await expect(
      Worker.runReplayHistory({ workflowsPath: fixture('stack-probe-changed.ts') }, history, workflowId),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('rejects every recorded pledge when the grant is recorded before the pledge', async () => {
    const pledges = (['pledge-passed', 'pledge-revoked', 'pledge-inconclusive'] as const).map(loadHistory);
    const errors: unknown[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowsPath: fixture('pledge-grant-before-pledge.ts') },
      pledges,
    ))
      errors.push(result.error);
    expect(errors).toHaveLength(3);
    for (const error of errors) {
      expect(error).toBeInstanceOf(DeterminismViolationError);
      expect(String(error)).toMatch(/recordGrant|recordPledge/);
    }
  });

  it('rejects a recorded grant when a notice is appended to the auto-grant workflow', async () => {
    const { history, workflowId } = loadHistory('grant-benefit');
    await expect(
      Worker.runReplayHistory({ workflowsPath: fixture('grant-extra-notice.ts') }, history, workflowId),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('rejects every recorded application when the handling task is opened before the proofs are obtained', async () => {
    const recorded = (['application-approved', 'application-upload'] as const).map(loadHistory);
    const errors: unknown[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowsPath: fixture('application-task-first.ts') },
      recorded,
    ))
      errors.push(result.error);
    expect(errors).toHaveLength(2);
    for (const error of errors) {
      expect(error).toBeInstanceOf(DeterminismViolationError);
      expect(String(error)).toMatch(/openApplicationTask|obtainApplicationProofs/);
    }
  });
});
