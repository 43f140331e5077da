/**
 * The citizen's answer to an offer across a deployment of the answerOffer update, on the real
 * stack: an offer served by a worker from before the update (test/fixtures/workflows/
 * offer-before-update.ts) still gets its answer, as the old signal; an offer started by that
 * worker and answered after a new worker took over gets the update, and its history then replays
 * against today's code; two confirms at once are one update; an offer whose workflow was
 * terminated is refused, not left open.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerSearchAttributes } from '../infra/search-attributes.js';
import { createCitizenService, type CitizenService } from '../services/citizen/service.js';
import { CaseRefusal } from '../services/cases/service.js';
import type { User } from '../store/users.js';
import {
  benefitWorkflowStart,
  lifeEventWorkflowId,
  OFFER_ANSWER_UPDATE_PATCH,
  type BenefitInput,
} from '../workflows/contracts/index.js';
import { addResident, type TestSubject } from './support/city.js';
import { openPipeline, type Pipeline } from './support/pipeline.js';
import { connectClient, productionBundle, quietLogger } from './support/temporal.js';

const stack = inject('stack');
const beforeUpdate = fileURLToPath(new URL('./fixtures/workflows/offer-before-update.ts', import.meta.url));
let client: Client;
let connection: NativeConnection;
let pipeline: Pipeline;
let citizen: CitizenService;

beforeAll(async () => {
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await registerSearchAttributes(client.connection, stack.temporalNamespace);
  pipeline = await openPipeline(stack, 'offeranswer');
  connection = await NativeConnection.connect({ address: stack.temporalAddress });
  citizen = createCitizenService({ store: pipeline.store, temporal: client, answerWaitMs: 15_000 });
}, 120_000);

afterAll(async () => {
  await connection?.close();
  await pipeline?.close();
  await client?.connection.close();
});

/** A worker on the pipeline's task queue running `workflows` (today's bundle, or the fixture from before the update). */
async function workerRunning(workflows: 'today' | 'before-update') {
  const worker =
    workflows === 'today'
      ? await pipeline.worker(connection, stack.temporalNamespace)
      : await Worker.create({
          connection,
          namespace: stack.temporalNamespace,
          taskQueue: pipeline.taskQueue,
          activities: pipeline.activities,
          workflowBundle: await bundleWorkflowCode({ workflowsPath: beforeUpdate, logger: quietLogger }),
        });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}

/** A resident turning 60 offered the senior card, as a case would start the offer; resolves once the offer waits for an answer. */
async function seniorOffered(): Promise<{ senior: TestSubject; actor: User; key: string }> {
  const senior = await addResident(pipeline.store, '1966-06-01', { 'person.localHukou': true, 'person.alive': true });
  const caseId = lifeEventWorkflowId(`offer-answer-${randomUUID()}`);
  const asOf = '2026-06-01';
  const [plan] = (
    await pipeline.activities.resolvePolicies({ trigger: 'age.milestone', asOf, subjectKind: 'person' })
  ).filter((p) => p.ref.id === 'senior-preferential-card');
  const snapshot = await pipeline.activities.collectFacts({
    caseId,
    subjectKey: senior.subjectKey,
    policy: plan.ref,
    facts: plan.facts,
  });
  const [decision] = await pipeline.activities.evaluateCase({
    caseId,
    subjectKey: senior.subjectKey,
    asOf,
    items: [{ policy: plan.ref, snapshotKey: snapshot.snapshotKey }],
  });
  const input: BenefitInput = { caseId, subjectKey: senior.subjectKey, plan, decision };
  const { workflowType, ...start } = benefitWorkflowStart(input);
  await client.workflow.start(workflowType, { ...start, taskQueue: pipeline.taskQueue });
  // Made: recorded, the citizen told, and the workflow waiting on its first reminder's timer.
  const waiting = async () =>
    ((await client.workflow.getHandle(start.workflowId).fetchHistory()).events ?? []).some(
      (event) => event.timerStartedEventAttributes,
    );
  await expect.poll(waiting, { timeout: 20_000 }).toBe(true);
  expect((await pipeline.models.Offer.findById(start.workflowId).lean())?.status).toBe('open');
  return {
    senior,
    actor: { id: 'u_zhang', name: '张秀英', role: 'citizen', subjectKey: senior.subjectKey },
    key: start.workflowId,
  };
}

async function historyOf(key: string) {
  const events = (await client.workflow.getHandle(key).fetchHistory()).events ?? [];
  return {
    updates: events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length,
    signals: events.flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? []),
    patches: events.flatMap((e) =>
      e.markerRecordedEventAttributes?.markerName === 'core_patch'
        ? [
            JSON.parse(
              Buffer.from(e.markerRecordedEventAttributes.details!['patch-data'].payloads![0].data!).toString(),
            ).id,
          ]
        : [],
    ),
  };
}

describe('answering an offer across the deployment of the answerOffer update', () => {
  it('answers an offer whose worker predates the update: the update is refused for want of a handler, the signal goes', async () => {
    const old = await workerRunning('before-update');
    try {
      const { actor, key } = await seniorOffered();
      const answered = await citizen.answerOffer(actor, key, 'confirm');
      expect(answered).toMatchObject({ offer: { key, status: 'confirmed' }, grant: { key } });
      expect(await historyOf(key)).toEqual({ updates: 0, signals: ['confirmOffer'], patches: [] });
    } finally {
      await old.stop();
    }
  });

  it('answers an offer started before the update with the update once today’s worker serves it, and its history replays', async () => {
    const old = await workerRunning('before-update');
    let offer: Awaited<ReturnType<typeof seniorOffered>>;
    try {
      offer = await seniorOffered();
    } finally {
      await old.stop();
    }
    const today = await workerRunning('today');
    try {
      const answered = await citizen.answerOffer(offer.actor, offer.key, 'decline');
      expect(answered).toMatchObject({ offer: { key: offer.key, status: 'declined' } });
      expect(answered).not.toHaveProperty('grant');
      await client.workflow.getHandle(offer.key).result();
      // Today's code replays the old start and takes the answer on the patched path.
      expect(await historyOf(offer.key)).toEqual({ updates: 1, signals: [], patches: [OFFER_ANSWER_UPDATE_PATCH] });
      const history = await client.workflow.getHandle(offer.key).fetchHistory();
      await expect(
        Worker.runReplayHistory({ workflowBundle: await productionBundle() }, history, offer.key),
      ).resolves.toBeUndefined();
    } finally {
      await today.stop();
    }
  });
});

describe('answering an offer today', () => {
  let today: Awaited<ReturnType<typeof workerRunning>>;
  beforeAll(async () => {
    today = await workerRunning('today');
  });
  afterAll(async () => {
    await today?.stop();
  });

  it('makes two confirms at once one update, both answered with the same grant (abuse 28)', async () => {
    const { senior, actor, key } = await seniorOffered();
    const [first, second] = await Promise.all([
      citizen.answerOffer(actor, key, 'confirm'),
      citizen.answerOffer(actor, key, 'confirm'),
    ]);
    expect(first).toMatchObject({ offer: { status: 'confirmed' }, grant: { key } });
    expect(second).toEqual(first);
    expect(await pipeline.models.Grant.countDocuments({ subjectKey: senior.subjectKey })).toBe(1);
    expect((await historyOf(key)).updates).toBe(1);
  });

  it('refuses an answer to an offer whose workflow was terminated, though its record still says open', async () => {
    const { actor, key } = await seniorOffered();
    await client.workflow.getHandle(key).terminate('test: the workflow is gone');
    const refused = await citizen.answerOffer(actor, key, 'confirm').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CaseRefusal);
    expect(refused).toMatchObject({
      kind: 'conflict',
      code: 'OFFER_CLOSED',
      messageZh: expect.stringContaining('已关闭'),
    });
  });
});
