/**
 * Sweeps (主动办) on the real stack: a seeded city of 500 residents is screened for the
 * old-age allowance (auto) and the senior card (offer). What a sweep grants is checked against
 * json-rules-engine's decision for every resident, read through the case path's own fact reader;
 * a second sweep in the same month grants and notifies no one again; pause, resume and cancel
 * act between slices; the history never holds a resident ID; the daily sweep re-screens only
 * the residents whose eligibility horizon is that day.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdapterRegistry } from '../activities/shared-data/adapters.js';
import { makeFetchFacts } from '../activities/shared-data/fetch-facts.js';
import { addDays } from '../domain/calendar.js';
import { subjectKey } from '../domain/pseudonym.js';
import { seedCity } from '../infra/seed/index.js';
import { registerSearchAttributes } from '../infra/search-attributes.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { evaluatePolicy, policyFactKeys } from '../rules/engine.js';
import type { Outcome, Policy } from '../rules/types.js';
import { registerAccessRecordModel } from '../store/access-records.js';
import { registerHorizonModel } from '../store/horizons.js';
import { streamPopulation } from '../store/population.js';
import { registerSweepModel } from '../store/sweeps.js';
import {
  cancelSweepSignal,
  ErrorType,
  getSweepProgressQuery,
  pauseSweepSignal,
  resumeSweepSignal,
  SearchAttributes,
  steerSweepUpdate,
  SWEEP_PARTS_PATCH,
  SWEEP_STEER_UPDATE_PATCH,
  sweepPartWorkflowId,
  sweepWorkflowId,
  type SweepInput,
  type SweepProgress,
} from '../workflows/contracts/index.js';
import { sweep } from '../workflows/sweep.js';
import { addResident, TEST_SECRET } from './support/city.js';
import { historySteps, identifiersIn } from './support/histories.js';
import { openPipeline, type Pipeline } from './support/pipeline.js';
import { slicesAroundPause } from './support/sweep-history.js';
import { connectClient } from './support/temporal.js';

const stack = inject('stack');
const RESIDENTS = 500;
let client: Client;
let pipeline: Pipeline;
let worker: Worker;
let workerConnection: NativeConnection;
let running: Promise<void>;
let policies: readonly Policy[];
/** json-rules-engine's outcome for every resident, by subject key. */
const expected = new Map<string, Map<string, Outcome>>();

beforeAll(async () => {
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await registerSearchAttributes(client.connection, stack.temporalNamespace);
  pipeline = await openPipeline(stack, 'sweep', { policies: 'store', client });
  await seedCity(pipeline.store, {
    residents: RESIDENTS,
    enterprises: 0,
    seed: 'sweep-test',
    secret: TEST_SECRET,
    asOf: '2026-11-01',
  });
  workerConnection = await NativeConnection.connect({ address: stack.temporalAddress });
  worker = await pipeline.worker(workerConnection, stack.temporalNamespace);
  running = worker.run();
  policies = (await loadPolicyCatalog()).policies;
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  await pipeline?.close();
  await client?.connection.close();
});

/** Every resident's outcome under a policy, through fetchFacts (the case path) and Engine.run. */
async function outcomes(policyId: string, asOf: string): Promise<Map<string, Outcome>> {
  const key = `${policyId}@${asOf}`;
  const known = expected.get(key);
  if (known) return known;
  const policy = policies.find((p) => p.id === policyId)!;
  const fetchFacts = makeFetchFacts({
    connection: pipeline.store,
    adapters: createAdapterRegistry({ connection: pipeline.store }),
  });
  const subjects = await pipeline.store
    .db!.collection('subjects')
    .find({ kind: 'person' }, { projection: { _id: 1 } })
    .toArray();
  const result = new Map<string, Outcome>();
  for (const { _id } of subjects) {
    const subjectKey = String(_id);
    const facts = await fetchFacts({
      caseId: 'expected',
      subjectKey,
      policyId,
      policyVersion: policy.version,
      facts: policy.facts,
      idempotencyKey: `expected:${subjectKey}:${policyId}`,
    });
    result.set(subjectKey, (await evaluatePolicy(policy, facts.values, asOf)).outcome);
  }
  expected.set(key, result);
  return result;
}

const keysWith = (all: Map<string, Outcome>, outcome: Outcome) =>
  [...all]
    .filter(([, o]) => o === outcome)
    .map(([k]) => k)
    .sort();

async function runSweep(input: Omit<SweepInput, 'requestedBy'>): Promise<SweepProgress> {
  return client.workflow.execute(sweep, {
    workflowId: sweepWorkflowId(input.policy.id, input.policy.version, input.asOf),
    taskQueue: pipeline.taskQueue,
    args: [{ requestedBy: '王芳', ...input }],
  });
}

describe('a sweep for an auto-granted policy (old-age allowance)', () => {
  it('grants every eligible resident exactly once and notifies each, and counts everyone screened', async () => {
    const want = await outcomes('old-age-allowance', '2026-11-10');
    const eligible = keysWith(want, 'eligible');
    expect(eligible.length).toBeGreaterThan(10);

    const progress = await runSweep({
      policy: { id: 'old-age-allowance', version: 1 },
      asOf: '2026-11-10',
      sliceSize: 200,
    });
    expect(progress).toMatchObject({
      status: 'done',
      total: RESIDENTS,
      processed: RESIDENTS,
      eligible: eligible.length,
      ineligible: keysWith(want, 'ineligible').length,
      undetermined: keysWith(want, 'undetermined').length,
      granted: eligible.length,
      grantsCreated: eligible.length,
      noticesQueued: eligible.length,
      slices: 3,
    });
    const grants = await pipeline.models.Grant.find({ 'policy.id': 'old-age-allowance' }).lean();
    expect(grants.map((g) => g.subjectKey).sort()).toEqual(eligible);
    expect(
      grants.every(
        (g) =>
          g.period === '2026-11' && g.amount! > 0 && g.caseId === sweepWorkflowId('old-age-allowance', 1, '2026-11-10'),
      ),
    ).toBe(true);
    expect(await pipeline.models.Notice.countDocuments({ template: 'grant.awarded' })).toBe(eligible.length);
    expect(await pipeline.queues.queue('inbox').getJobCountByTypes('waiting', 'delayed', 'completed', 'active')).toBe(
      eligible.length,
    );

    const decision = await pipeline.models.Decision.findOne({
      subjectKey: eligible[0],
      caseId: grants[0].caseId,
    }).lean();
    expect(decision?.conditions.map((c) => [c.fact, c.result])).toEqual([
      ['person.birthDate', true],
      ['person.localHukou', true],
      ['person.alive', true],
    ]);
    const record = await registerSweepModel(pipeline.store).findById(grants[0].caseId).lean();
    expect([record?.status, record?.eligible, record?.requestedBy]).toEqual(['done', eligible.length, '王芳']);
  });

  it('grants and notifies no one again when a second sweep in the same month finds the same residents', async () => {
    const eligible = keysWith(await outcomes('old-age-allowance', '2026-11-20'), 'eligible');
    const again = await runSweep({
      policy: { id: 'old-age-allowance', version: 1 },
      asOf: '2026-11-20',
      sliceSize: 200,
    });
    const newcomers =
      eligible.length - (await outcomes('old-age-allowance', '2026-11-10').then((m) => keysWith(m, 'eligible').length));
    expect(again).toMatchObject({
      status: 'done',
      eligible: eligible.length,
      grantsCreated: newcomers,
      alreadyHandled: eligible.length - newcomers,
      noticesQueued: newcomers,
    });
    expect(await pipeline.models.Grant.countDocuments({ 'policy.id': 'old-age-allowance' })).toBe(eligible.length);
    expect(await pipeline.models.Notice.countDocuments({ template: 'grant.awarded' })).toBe(eligible.length);
  });

  it('keeps resident IDs out of its workflow history', async () => {
    const history = await client.workflow
      .getHandle(sweepWorkflowId('old-age-allowance', 1, '2026-11-10'))
      .fetchHistory();
    const text = historyToJSON(history);
    expect(text).toContain('screenSlice');
    expect(identifiersIn(text)).toEqual([]);
  });
});

describe('steering a sweep', () => {
  it('pauses between slices, resumes where it stopped, and screens everyone once', async () => {
    const asOf = '2026-11-11';
    const handle = await client.workflow.start(sweep, {
      workflowId: sweepWorkflowId('old-age-allowance', 1, asOf),
      taskQueue: pipeline.taskQueue,
      args: [{ policy: { id: 'old-age-allowance', version: 1 }, asOf, sliceSize: 100, requestedBy: '王芳' }],
    });
    await handle.signal(pauseSweepSignal);
    await expect
      .poll(async () => (await handle.query(getSweepProgressQuery)).status, { timeout: 20_000 })
      .toBe('paused');
    const paused = await handle.query(getSweepProgressQuery);
    expect(paused.processed).toBeLessThan(RESIDENTS);

    await handle.signal(resumeSweepSignal);
    const done = await handle.result();
    // Five full slices, and a sixth that finds no one left.
    expect([done.status, done.processed, done.slices]).toEqual(['done', RESIDENTS, 6]);
    // Nothing moved while it was paused: no slice was scheduled between the pause and the resume.
    const around = await slicesAroundPause(handle);
    expect(around.whilePaused).toBe(0);
    expect(around.afterResume).toBeGreaterThan(0);
    expect(around.beforePause + around.afterResume).toBe(done.slices);
    expect(done.eligible).toBe(keysWith(await outcomes('old-age-allowance', asOf), 'eligible').length);
  });

  it('continues as new every few slices without losing or repeating anyone', async () => {
    const asOf = '2026-11-13';
    const workflowId = sweepWorkflowId('old-age-allowance', 1, asOf);
    const result = await client.workflow.execute(sweep, {
      workflowId,
      taskQueue: pipeline.taskQueue,
      args: [
        { policy: { id: 'old-age-allowance', version: 1 }, asOf, sliceSize: 100, slicesPerRun: 2, requestedBy: '王芳' },
      ],
    });
    expect([result.status, result.processed, result.slices]).toEqual(['done', RESIDENTS, 6]);
    expect(result.eligible).toBe(keysWith(await outcomes('old-age-allowance', asOf), 'eligible').length);
    const continued = async () => {
      let count = 0;
      for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
        if (run.status.name === 'CONTINUED_AS_NEW') count += 1;
      return count;
    };
    // 6 slices, 2 per run: the first two runs continued as new.
    await expect.poll(continued, { timeout: 10_000 }).toBe(2);
  });

  it('stops for good when cancelled, keeping what it granted', async () => {
    const asOf = '2026-11-12';
    const handle = await client.workflow.start(sweep, {
      workflowId: sweepWorkflowId('old-age-allowance', 1, asOf),
      taskQueue: pipeline.taskQueue,
      args: [{ policy: { id: 'old-age-allowance', version: 1 }, asOf, sliceSize: 100, requestedBy: '王芳' }],
    });
    await handle.signal(cancelSweepSignal);
    const result = await handle.result();
    expect(result.status).toBe('cancelled');
    expect(result.processed).toBeLessThan(RESIDENTS);
  });

  it('answers pause, resume and cancel updates with its progress, and refuses them once it is cancelled or ended', async () => {
    const asOf = '2026-11-16';
    const handle = await client.workflow.start(sweep, {
      workflowId: sweepWorkflowId('old-age-allowance', 1, asOf),
      taskQueue: pipeline.taskQueue,
      args: [{ policy: { id: 'old-age-allowance', version: 1 }, asOf, sliceSize: 100, requestedBy: '王芳' }],
    });
    const steer = (action: 'pause' | 'resume' | 'cancel') => handle.executeUpdate(steerSweepUpdate, { args: [action] });
    const refusal = (action: 'pause' | 'resume' | 'cancel') => steer(action).catch((error: unknown) => error);

    // Taken between slices: the answer may still say running, the sweep soon says paused.
    expect((await steer('pause')).asOf).toBe(asOf);
    await expect
      .poll(async () => (await handle.query(getSweepProgressQuery)).status, { timeout: 20_000 })
      .toBe('paused');
    expect((await steer('pause')).status).toBe('paused');
    // A parked sweep moves on at once: the resume is answered running, and it records so before its next slice.
    const resumed = await steer('resume');
    expect(resumed.status).toBe('running');
    const steps = historySteps(await handle.fetchHistory());
    const afterResume = steps
      .slice(steps.lastIndexOf('update steerSweep'))
      .filter((step) => !step.startsWith('update'));
    expect(afterResume[0]).toBe(`patch ${SWEEP_STEER_UPDATE_PATCH}`);
    expect(afterResume[1]).toBe('recordSweep');

    expect(['running', 'cancelled']).toContain((await steer('cancel')).status);
    const cancelling = await refusal('resume');
    expect(cancelling).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (cancelling as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect([cause.type, cause.details]).toEqual([ErrorType.SweepFinished, ['cancelled']]);
    const result = await handle.result();
    expect(result.status).toBe('cancelled');
    // Closed: the update reaches no workflow.
    expect(await refusal('pause')).toBeInstanceOf(WorkflowNotFoundError);
    // Refused updates leave no trace: every update in the history was accepted.
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(4);
    expect(events.filter((e) => e.workflowExecutionUpdateRejectedEventAttributes)).toHaveLength(0);
  });
});

describe('a sweep in parts', () => {
  const progressOf = (handle: { query: (q: typeof getSweepProgressQuery) => Promise<SweepProgress> }) =>
    handle.query(getSweepProgressQuery);

  it('screens its _id ranges side by side, each with its own cursor: everyone once, each eligible resident granted and notified once', async () => {
    const asOf = '2026-12-05';
    const want = await outcomes('old-age-allowance', asOf);
    const eligible = keysWith(want, 'eligible');
    const noticesBefore = await pipeline.models.Notice.countDocuments({ template: 'grant.awarded' });
    const workflowId = sweepWorkflowId('old-age-allowance', 1, asOf);
    const done = await runSweep({ policy: { id: 'old-age-allowance', version: 1 }, asOf, sliceSize: 50, parts: 3 });
    expect(done).toMatchObject({
      status: 'done',
      total: RESIDENTS,
      processed: RESIDENTS,
      eligible: eligible.length,
      ineligible: keysWith(want, 'ineligible').length,
      undetermined: keysWith(want, 'undetermined').length,
      granted: eligible.length,
      grantsCreated: eligible.length,
      noticesQueued: eligible.length,
    });
    const grants = await pipeline.models.Grant.find({ 'policy.id': 'old-age-allowance', period: '2026-12' }).lean();
    expect(grants.map((g) => g.subjectKey).sort()).toEqual(eligible);
    expect(await pipeline.models.Notice.countDocuments({ template: 'grant.awarded' })).toBe(
      noticesBefore + eligible.length,
    );

    // Three parts, each a child with its own slices; together they screened everyone, and their slices are the sweep's.
    const parts = await Promise.all(
      [0, 1, 2].map((part) => client.workflow.getHandle(sweepPartWorkflowId(workflowId, part)).result()),
    );
    expect(parts.map((part) => part.status)).toEqual(['done', 'done', 'done']);
    expect(parts.reduce((sum, part) => sum + part.counts.processed, 0)).toBe(RESIDENTS);
    for (const part of parts) expect(part.counts.processed).toBeGreaterThan(RESIDENTS / 6);
    expect(parts.reduce((sum, part) => sum + part.slices, 0)).toBe(done.slices);
    const steps = historySteps(await client.workflow.getHandle(workflowId).fetchHistory());
    expect(steps).toContain(`patch ${SWEEP_PARTS_PATCH}`);
    expect(steps).not.toContain('screenSlice');
    for (const part of [0, 1, 2]) {
      const history = await client.workflow.getHandle(sweepPartWorkflowId(workflowId, part)).fetchHistory();
      expect(identifiersIn(historyToJSON(history))).toEqual([]);
    }
    expect(identifiersIn(historyToJSON(await client.workflow.getHandle(workflowId).fetchHistory()))).toEqual([]);
    const record = await registerSweepModel(pipeline.store).findById(workflowId).lean();
    expect([record?.status, record?.processed, record?.eligible]).toEqual(['done', RESIDENTS, eligible.length]);
  });

  it('pauses every part between its slices, resumes each where it stopped, and screens everyone once', async () => {
    const asOf = '2026-12-06';
    const handle = await client.workflow.start(sweep, {
      workflowId: sweepWorkflowId('old-age-allowance', 1, asOf),
      taskQueue: pipeline.taskQueue,
      args: [{ policy: { id: 'old-age-allowance', version: 1 }, asOf, sliceSize: 25, parts: 2, requestedBy: '王芳' }],
    });
    await handle.executeUpdate(steerSweepUpdate, { args: ['pause'] });
    await expect.poll(async () => (await progressOf(handle)).status, { timeout: 20_000 }).toBe('paused');
    const paused = await progressOf(handle);
    expect(paused.processed).toBeLessThan(RESIDENTS);
    // Parked: a part screens nothing more until it is resumed.
    const parts = [0, 1].map((part) => client.workflow.getHandle(sweepPartWorkflowId(handle.workflowId, part)));
    for (const part of parts) expect((await part.describe()).status.name).toBe('RUNNING');
    expect((await progressOf(handle)).processed).toBe(paused.processed);

    await handle.executeUpdate(steerSweepUpdate, { args: ['resume'] });
    const done = await handle.result();
    expect([done.status, done.processed]).toEqual(['done', RESIDENTS]);
    expect(done.eligible).toBe(keysWith(await outcomes('old-age-allowance', asOf), 'eligible').length);
  });

  it('cancels every part, keeping what each granted', async () => {
    const asOf = '2026-12-07';
    const handle = await client.workflow.start(sweep, {
      workflowId: sweepWorkflowId('old-age-allowance', 1, asOf),
      taskQueue: pipeline.taskQueue,
      args: [{ policy: { id: 'old-age-allowance', version: 1 }, asOf, sliceSize: 25, parts: 2, requestedBy: '王芳' }],
    });
    expect(['running', 'cancelled']).toContain(
      (await handle.executeUpdate(steerSweepUpdate, { args: ['cancel'] })).status,
    );
    const result = await handle.result();
    expect(result.status).toBe('cancelled');
    expect(result.processed).toBeLessThan(RESIDENTS);
    const parts = await Promise.all(
      [0, 1].map((part) => client.workflow.getHandle(sweepPartWorkflowId(handle.workflowId, part)).result()),
    );
    expect(parts.map((part) => part.status)).toEqual(['cancelled', 'cancelled']);
    expect(parts.reduce((sum, part) => sum + part.counts.processed, 0)).toBe(result.processed);
  });
});

describe('a sweep for an offered benefit (senior card)', () => {
  it('starts one offer workflow per eligible resident, and none for anyone else', async () => {
    const want = await outcomes('senior-preferential-card', '2026-11-10');
    const eligible = keysWith(want, 'eligible');
    const progress = await runSweep({
      policy: { id: 'senior-preferential-card', version: 1 },
      asOf: '2026-11-10',
      startsPerSecond: 200,
    });
    expect(progress).toMatchObject({
      status: 'done',
      processed: RESIDENTS,
      eligible: eligible.length,
      started: eligible.length,
      granted: 0,
    });
    await expect
      .poll(() => pipeline.models.Offer.countDocuments({ 'policy.id': 'senior-preferential-card' }), {
        timeout: 30_000,
      })
      .toBe(eligible.length);
    const offers = await pipeline.models.Offer.find({ 'policy.id': 'senior-preferential-card' }).lean();
    expect(offers.map((o) => o.subjectKey).sort()).toEqual(eligible);
    // Started with the start a case gives its child: the same search attributes, the department included.
    const started = (await client.workflow.getHandle(offers[0].key).describe()).typedSearchAttributes;
    expect([
      started.get(SearchAttributes.subjectKey),
      started.get(SearchAttributes.mode),
      started.get(SearchAttributes.department),
    ]).toEqual([
      offers[0].subjectKey,
      'offer',
      [policies.find((p) => p.id === 'senior-preferential-card')!.department.zh],
    ]);
  }, 180_000);
});

describe('the eligibility horizon and the daily milestone sweep', () => {
  it('notes who becomes eligible within the year, and the sweep on that day grants exactly them', async () => {
    // Turns 80 on 2026-12-05: the allowance is paid from the month after, 2027-01-01.
    const turning = await addResident(pipeline.store, '1946-12-05', {
      'person.localHukou': true,
      'person.alive': true,
    });
    const policy = policies.find((p) => p.id === 'old-age-allowance')!;
    const firstEligibleOn = async (facts: Record<string, unknown>, day: string) =>
      (await evaluatePolicy(policy, facts, '2026-11-14')).outcome === 'ineligible' &&
      (await evaluatePolicy(policy, facts, addDays(day, -1))).outcome === 'ineligible' &&
      (await evaluatePolicy(policy, facts, day)).outcome === 'eligible';
    const dueOn = new Set<string>();
    for await (const batch of streamPopulation(pipeline.store, { kind: 'person', facts: policyFactKeys(policy) })) {
      for (const { id, facts } of batch)
        if (await firstEligibleOn(facts, '2027-01-01')) dueOn.add(subjectKey('person', id, TEST_SECRET));
    }
    expect(dueOn.has(turning.subjectKey)).toBe(true);

    const screened = await runSweep({ policy: { id: 'old-age-allowance', version: 1 }, asOf: '2026-11-14' });
    expect(screened.horizonsNoted).toBeGreaterThanOrEqual(dueOn.size);
    const noted = await registerHorizonModel(pipeline.store)
      .find({ date: '2027-01-01', policyId: 'old-age-allowance' })
      .lean();
    expect(noted.map((h) => h.subjectKey).sort()).toEqual([...dueOn].sort());

    const due = await client.workflow.execute(sweep, {
      workflowId: sweepWorkflowId('old-age-allowance', 1, '2027-01-01', 'due'),
      taskQueue: pipeline.taskQueue,
      args: [
        { policy: { id: 'old-age-allowance', version: 1 }, asOf: '2027-01-01', scope: 'due', requestedBy: 'schedule' },
      ],
    });
    expect(due).toMatchObject({
      status: 'done',
      total: dueOn.size,
      processed: dueOn.size,
      eligible: dueOn.size,
      grantsCreated: dueOn.size,
    });
    const granted = await pipeline.models.Grant.find({ 'policy.id': 'old-age-allowance', period: '2027-01' }).lean();
    expect(granted.map((g) => g.subjectKey).sort()).toEqual([...dueOn].sort());
    // Their facts were read as a case reads them: access-logged under the daily sweep.
    const access = await registerAccessRecordModel(pipeline.store).countDocuments({
      caseId: sweepWorkflowId('old-age-allowance', 1, '2027-01-01', 'due'),
      subjectKey: turning.subjectKey,
    });
    expect(access).toBeGreaterThan(0);
  });
});
