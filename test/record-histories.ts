/**
 * `npm run record-histories [-- <name>…]`: runs every workflow down each path worth pinning
 * (RECORDED_HISTORIES in support/histories.ts) on a fresh hermetic stack with the real
 * activities and policy catalog, and saves each history to test/histories/<name>.json for
 * test/replay.test.ts. Given names, it records only those and leaves the other files alone.
 *
 * Use patched() for any change to the commands a workflow issues (adding, removing or
 * reordering activities, timers or child workflows): offers and pledges stay open for 30
 * days, so runs of the old code are always in flight. Keep the old histories, which prove
 * the old branch still replays, and record the new branch as `<path>@<patch>` (workflows/
 * PATCHES.md). Today's code takes every new branch, so it cannot record a history from
 * before a patch again: record by name, never all at once. Never re-record to make a failing
 * replay pass. Re-record only a new workflow or path, or when an old branch is retired (no
 * run of it is open; deprecatePatch) and its histories go with it.
 * Replay does not notice changed timer lengths or activity arguments: review those by hand.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ingestEvent } from '../services/events/ingest.js';
import { TEST_PUBLISHER } from './support/departments.js';
import { createObjectionService, type ObjectionService } from '../services/objections/service.js';
import { catalogPolicySource } from '../rules/policy-source.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { cityToday } from '../domain/calendar.js';
import { makeResidentId } from '../domain/identity.js';
import type { SubjectKind } from '../domain/sources.js';
import {
  answerOfferUpdate,
  answerOfferUpdateId,
  benefitWorkflowStart,
  confirmOfferSignal,
  declineOfferSignal,
  getBenefitStatusQuery,
  lifeEventWorkflowId,
  stackProbeWorkflowId,
  retentionPurgeWorkflowId,
  type BenefitInput,
  type BenefitResult,
  type LifeEventResult,
  cancelSweepSignal,
  getSweepProgressQuery,
  pauseSweepSignal,
  resumeSweepSignal,
  steerSweepUpdate,
  sweepPartWorkflowId,
  sweepWorkflowId,
  type SweepInput,
  benefitWorkflowId,
  payrollWorkflowId,
  stopPaymentsWorkflowId,
  TASK_RESOLUTION_WORKFLOW,
  taskResolutionWorkflowId,
  type TaskResolutionInput,
  completeTaskUpdate,
  getTaskStateQuery,
  taskWorkflowId,
  signPledgeUpdate,
  SIGN_PLEDGE_UPDATE_ID,
  applicationWorkflowId,
  type ApplicationWorkflow,
} from '../workflows/contracts/index.js';
import type { TaskOutcome } from '../domain/tasks.js';
import { scheduledSweeps } from '../workflows/scheduled-sweeps.js';
import { payroll } from '../workflows/payroll.js';
import { scheduledPayroll } from '../workflows/scheduled-payroll.js';
import { stopPayments } from '../workflows/stop-payments.js';
import { planOf } from '../activities/case.js';
import { clientStarter } from '../activities/benefit-start.js';
import { openTask } from '../activities/tasks.js';
import { createApplicationService } from '../services/applications/service.js';
import { issueCertificate } from '../services/certificates/issue.js';
import { createTaskService } from '../services/tasks/service.js';
import { findApplication } from '../store/applications.js';
import type { User } from '../store/users.js';
import { registerSearchAttributes } from '../infra/search-attributes.js';
import { policyRef } from '../rules/policy-hash.js';
import { sweep } from '../workflows/sweep.js';
import { seedCity } from '../infra/seed/index.js';
import type { lifeEvent } from '../workflows/life-event.js';
import { offerBenefit } from '../workflows/offer.js';
import { pledgeBenefit } from '../workflows/pledge.js';
import { inspectionResolution } from '../workflows/inspection-resolution.js';
import { stackProbe } from '../workflows/stack-probe.js';
import { retentionPurge } from '../workflows/retention-purge.js';
import { addEnterprise, addResident, removeFacts, TEST_SECRET, updateFacts, type TestSubject } from './support/city.js';
import {
  historyFile,
  HISTORY_NAMES,
  identifiersIn,
  RECORDED_HISTORIES,
  type HistoryName,
} from './support/histories.js';
import { openPipeline, type Pipeline } from './support/pipeline.js';
import { startTestStack } from './support/test-stack.js';
import { connectClient } from './support/temporal.js';
import { openTimeSkippingPipeline } from './support/time-skipping-pipeline.js';

/** A correction as deployments make it (S4): recorded by one supervisor, confirmed by a second, neither of them the filer. */
async function correctAndConfirm(
  objections: ObjectionService,
  id: string,
  body: { value: unknown; reason: string },
): Promise<void> {
  await objections.correct(
    { id: 'u_record_histories_recorder', name: 'record-histories recorder', role: 'supervisor' },
    id,
    body,
  );
  await objections.confirmCorrection(
    { id: 'u_record_histories_confirmer', name: 'record-histories confirmer', role: 'supervisor' },
    id,
    {},
  );
}

Runtime.install({ logger: new DefaultLogger('WARN') });

const unknown = process.argv.slice(2).filter((name) => !(name in RECORDED_HISTORIES));
if (unknown.length > 0) {
  console.error(`Unknown history ${unknown.join(', ')}; recorded histories are: ${HISTORY_NAMES.join(', ')}`);
  process.exit(2);
}
const selected = new Set<HistoryName>(
  process.argv.length > 2 ? (process.argv.slice(2) as HistoryName[]) : HISTORY_NAMES,
);
const wanted = (...names: HistoryName[]) => names.some((name) => selected.has(name));

/** A young micro firm that meets the start-up subsidy's conditions (and pledges it will keep doing so). */
const STARTUP_FACTS = {
  'enterprise.establishedOn': '2025-03-01',
  'enterprise.status': 'active',
  'enterprise.size': 'micro',
  'enterprise.premiumsInArrears': false,
  'enterprise.seriousDishonesty': false,
};
const RESIDENT_FACTS = { 'person.localHukou': true, 'person.alive': true };

/**
 * Saves a closed workflow's history when its name was asked for. Refuses a history of the
 * wrong workflow, one still running, or one that holds a resident ID or credit code.
 */
async function record(client: Client, name: HistoryName, workflowId: string, runId?: string): Promise<void> {
  if (!selected.has(name)) return;
  const handle = client.workflow.getHandle(workflowId, runId);
  // A given run may have continued as new: its history ends there, which is the path it pins.
  assert.ok(
    ['COMPLETED', ...(runId ? ['CONTINUED_AS_NEW'] : [])].includes((await handle.describe()).status.name),
    `${name}: ${workflowId} has not completed`,
  );
  const history = await handle.fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  assert.equal(started?.workflowType?.name, RECORDED_HISTORIES[name].workflowType, `${name}: wrong workflow`);
  // The dev server names the workflow in its first event; the Java test server leaves that field out.
  started.workflowId ||= workflowId;
  const json = historyToJSON(history);
  assert.deepEqual(identifiersIn(json), [], `${name}: the history holds a resident ID or credit code`);
  writeFileSync(historyFile(name), `${json}\n`);
  console.log(`recorded ${historyFile(name)} (${history.events?.length} events)`);
}

/** Cases on the embedded dev server, started the way registries start them: through ingestion. */
async function recordOnDevServer(info: Awaited<ReturnType<typeof startTestStack>>['info']): Promise<void> {
  const pipeline = await openPipeline(info, 'record');
  const connection = await NativeConnection.connect({ address: info.temporalAddress });
  const client = await connectClient(info.temporalAddress, info.temporalNamespace);
  const run = randomUUID().slice(0, 8);
  const ingestDeps = {
    store: pipeline.store,
    temporal: client,
    subjectKeySecret: TEST_SECRET,
    taskQueue: pipeline.taskQueue,
    today: () => cityToday(),
  };

  /** Delivers a life event and waits for its case to finish. */
  const runCase = async (event: object): Promise<LifeEventResult> => {
    const accepted = await ingestEvent(ingestDeps, event, TEST_PUBLISHER);
    assert.equal(accepted.status, 'accepted');
    return client.workflow.getHandle<typeof lifeEvent>(accepted.caseId).result();
  };
  const decisionOn = (result: LifeEventResult, policyId: string) => {
    const decision = result.decisions.find((d) => d.policy.id === policyId);
    assert.ok(decision, `no decision on ${policyId}: ${JSON.stringify(result.decisions)}`);
    return decision;
  };
  const birth = (child: TestSubject, birthDate: string, sourceEventId: string) => ({
    sourceEventId,
    source: 'household-registry',
    type: 'birth.registered',
    occurredOn: '2026-03-20',
    subject: { residentId: child.id },
    payload: { birthDate, guardianIds: [makeResidentId('371402', '1994-05-06', 17, 'female')] },
  });
  /** A 60th birthday whose senior-card offer the citizen answers with `signal`, or `answer` through the update. */
  const sixtiethBirthday = async (
    sourceEventId: string,
    signal: typeof confirmOfferSignal | typeof declineOfferSignal | { update: 'confirm' | 'decline' },
  ) => {
    const senior = await addResident(pipeline.store, '1966-06-01', RESIDENT_FACTS);
    const result = await runCase({
      sourceEventId,
      source: 'household-registry',
      type: 'age.milestone',
      occurredOn: '2026-06-01',
      subject: { residentId: senior.id },
      payload: { age: 60 },
    });
    const card = decisionOn(result, 'senior-preferential-card');
    assert.equal(card.action, 'offered');
    const offer = client.workflow.getHandle<typeof offerBenefit>(card.benefitWorkflowId!);
    // Answer once the offer is made and waits on its first reminder timer, as a citizen would.
    const waiting = async () =>
      (await offer.fetchHistory()).events?.some((event) => event.timerStartedEventAttributes) ?? false;
    for (let i = 0; i < 100 && !(await waiting()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(await waiting(), 'the offer never started waiting for an answer');
    if ('update' in signal) {
      const answered = await offer.executeUpdate(answerOfferUpdate, {
        args: [signal.update],
        updateId: answerOfferUpdateId(signal.update),
      });
      assert.equal(answered.status, signal.update === 'confirm' ? 'confirmed' : 'declined');
    } else await offer.signal(signal);
    return { caseId: result.caseId, senior, offer: offer.workflowId, status: (await offer.result()).status };
  };

  try {
    const worker = await pipeline.worker(connection, info.temporalNamespace);
    await worker.runUntil(async () => {
      if (wanted('stack-probe')) {
        const probeId = randomUUID();
        await client.workflow.execute(stackProbe, {
          workflowId: stackProbeWorkflowId(probeId),
          taskQueue: pipeline.taskQueue,
          args: [{ probeId, requestedBy: 'record-histories' }],
        });
        await record(client, 'stack-probe', stackProbeWorkflowId(probeId));
      }

      if (wanted('retention-purge')) {
        const purgeId = retentionPurgeWorkflowId(randomUUID());
        await client.workflow.execute(retentionPurge, {
          workflowId: purgeId,
          taskQueue: pipeline.taskQueue,
          args: [{}],
        });
        await record(client, 'retention-purge', purgeId);
      }

      if (
        wanted(
          'life-event-birth-granted',
          'life-event-birth-granted@case-search-outcome-department',
          'life-event-birth-granted@case-one-read',
          'grant-benefit',
          'grant-benefit@grant-local',
        )
      ) {
        const child = await addResident(pipeline.store, '2026-03-10', RESIDENT_FACTS);
        const result = await runCase(birth(child, '2026-03-10', `hr-birth-${run}`));
        const childcare = decisionOn(result, 'childcare-subsidy');
        assert.equal(childcare.action, 'granted');
        assert.deepEqual(await client.workflow.getHandle(childcare.benefitWorkflowId!).result(), {
          status: 'granted',
          grantCreated: true,
        });
        await record(client, 'life-event-birth-granted', result.caseId);
        await record(client, 'life-event-birth-granted@case-search-outcome-department', result.caseId);
        await record(client, 'life-event-birth-granted@case-one-read', result.caseId);
        await record(client, 'grant-benefit', childcare.benefitWorkflowId!);
        await record(client, 'grant-benefit@grant-local', childcare.benefitWorkflowId!);
      }

      if (wanted('life-event-birth-undetermined')) {
        const child = await addResident(pipeline.store, '2026-02-02', RESIDENT_FACTS);
        await removeFacts(pipeline.store, child, ['person.birthDate']);
        const result = await runCase(birth(child, '2026-02-02', `hr-birth-undetermined-${run}`));
        assert.equal(decisionOn(result, 'childcare-subsidy').action, 'manual-review');
        await record(client, 'life-event-birth-undetermined', result.caseId);
      }

      if (wanted('life-event-sixtieth-offered', 'life-event-sixtieth-offered@case-one-read', 'offer-confirmed')) {
        const confirmed = await sixtiethBirthday(`hr-age-60-${run}`, confirmOfferSignal);
        assert.equal(confirmed.status, 'confirmed');
        await record(client, 'life-event-sixtieth-offered', confirmed.caseId);
        await record(client, 'life-event-sixtieth-offered@case-one-read', confirmed.caseId);
        await record(client, 'offer-confirmed', confirmed.offer);
      }

      if (wanted('offer-declined')) {
        const declined = await sixtiethBirthday(`hr-age-60-declines-${run}`, declineOfferSignal);
        assert.equal(declined.status, 'declined');
        await record(client, 'offer-declined', declined.offer);
      }

      for (const [name, answer] of [
        ['offer-confirmed@offer-answer-update', { update: 'confirm' }],
        ['offer-declined@offer-answer-update', { update: 'decline' }],
        ['offer-confirmed-by-signal@offer-answer-update', confirmOfferSignal],
      ] as const) {
        if (!wanted(name)) continue;
        const answered = await sixtiethBirthday(`hr-age-60-${name.replace(/@.*/, '')}-${run}`, answer);
        assert.equal(answered.status, name.startsWith('offer-declined') ? 'declined' : 'confirmed');
        await record(client, name, answered.offer);
      }

      if (wanted('life-event-annual-review-pledged')) {
        // The pledge it starts waits 30 days for its inspection: that path is recorded on the time-skipping server.
        const firm = await addEnterprise(pipeline.store, STARTUP_FACTS);
        const result = await runCase({
          sourceEventId: `amr-review-${run}`,
          source: 'market-regulation',
          type: 'enterprise.annual-review',
          occurredOn: '2026-06-01',
          subject: { creditCode: firm.id },
          payload: { year: 2026 },
        });
        assert.equal(decisionOn(result, 'business-startup-subsidy').action, 'pledged');
        await record(client, 'life-event-annual-review-pledged', result.caseId);
      }

      if (wanted('objection-arrears', 'objection-rejected')) {
        // A grade-3 certificate: the care subsidy (grades 1-2) is refused; the objection says grade 2.
        const objections = createObjectionService({
          store: pipeline.store,
          temporal: client,
          taskQueue: pipeline.taskQueue,
          subjectKeySecret: TEST_SECRET,
          policies: catalogPolicySource(await loadPolicyCatalog()),
        });
        const supervisor = { id: 'u_record_histories', name: 'record-histories', role: 'supervisor' as const };
        for (const [name, sourceEventId] of [
          ['objection-arrears', `dpf-objection-${run}`],
          ['objection-rejected', `dpf-objection-rejected-${run}`],
        ] as const) {
          if (!wanted(name)) continue;
          const resident = await addResident(pipeline.store, '1980-04-02', {
            ...RESIDENT_FACTS,
            'person.minimumLivingAllowance': true,
            'person.disabilityCertified': true,
            'person.disabilityGrade': 3,
            'person.disabilityType': 'physical',
            'person.disabilityCertifiedOn': '2026-03-01',
          });
          const result = await runCase({
            sourceEventId,
            source: 'disability-federation',
            type: 'disability.certified',
            occurredOn: '2026-03-01',
            subject: { residentId: resident.id },
            payload: { grade: 3, disabilityType: 'physical' },
          });
          assert.equal(decisionOn(result, 'severe-disability-care-subsidy').outcome, 'ineligible');
          const filed = await objections.file(supervisor, {
            caseId: result.caseId,
            policyId: 'severe-disability-care-subsidy',
            kind: 'data',
            fact: 'person.disabilityGrade',
            statement: 'recorded grade 3, certificate says grade 2',
          });
          if (name === 'objection-arrears')
            await correctAndConfirm(objections, filed.id, { value: 2, reason: 'federation file review: grade 2' });
          else
            await objections.resolve(supervisor, filed.id, {
              action: 'reject',
              reason: 'the certificate on file says grade 3',
            });
          const ended = await client.workflow.getHandle(filed.workflowId).result();
          assert.equal(ended.status, name === 'objection-arrears' ? 'resolved' : 'rejected');
          await record(client, name, filed.workflowId);
        }
      }

      if (wanted('objection-arrears-two-periods')) {
        // Certified at grade 3 in March and again in June (two cases); the correction to grade 2 pays both months.
        const objections = createObjectionService({
          store: pipeline.store,
          temporal: client,
          taskQueue: pipeline.taskQueue,
          subjectKeySecret: TEST_SECRET,
          policies: catalogPolicySource(await loadPolicyCatalog()),
        });
        const supervisor = { id: 'u_record_histories', name: 'record-histories', role: 'supervisor' as const };
        const resident = await addResident(pipeline.store, '1980-04-02', {
          ...RESIDENT_FACTS,
          'person.minimumLivingAllowance': true,
          'person.disabilityCertified': true,
          'person.disabilityGrade': 3,
          'person.disabilityType': 'physical',
          'person.disabilityCertifiedOn': '2026-03-01',
        });
        const certified = (on: string) =>
          runCase({
            sourceEventId: `dpf-periods-${on}-${run}`,
            source: 'disability-federation',
            type: 'disability.certified',
            occurredOn: on,
            subject: { residentId: resident.id },
            payload: { grade: 3, disabilityType: 'physical' },
          });
        const march = await certified('2026-03-01');
        await certified('2026-06-01');
        const filed = await objections.file(supervisor, {
          caseId: march.caseId,
          policyId: 'severe-disability-care-subsidy',
          kind: 'data',
          fact: 'person.disabilityGrade',
          statement: 'recorded grade 3, certificate says grade 2',
        });
        await correctAndConfirm(objections, filed.id, { value: 2, reason: 'federation file review: grade 2' });
        const ended = await client.workflow.getHandle(filed.workflowId).result();
        assert.equal(ended.arrears, 200);
        await record(client, 'objection-arrears-two-periods', filed.workflowId);
      }

      if (wanted('objection-card-revoked')) {
        // A card confirmed on a household record the police then correct: not a local household, so the card is revoked.
        const confirmed = await sixtiethBirthday(`hr-age-60-objection-${run}`, confirmOfferSignal);
        assert.equal(confirmed.status, 'confirmed');
        const objections = createObjectionService({
          store: pipeline.store,
          temporal: client,
          taskQueue: pipeline.taskQueue,
          subjectKeySecret: TEST_SECRET,
          policies: catalogPolicySource(await loadPolicyCatalog()),
        });
        const supervisor = { id: 'u_record_histories', name: 'record-histories', role: 'supervisor' as const };
        const filed = await objections.file(supervisor, {
          caseId: confirmed.caseId,
          policyId: 'senior-preferential-card',
          kind: 'data',
          fact: 'person.localHukou',
          statement: 'household registered elsewhere since 2020',
        });
        await correctAndConfirm(objections, filed.id, { value: false, reason: 'police household file review' });
        const ended = await client.workflow.getHandle(filed.workflowId).result();
        assert.equal(ended.revoked, 1);
        await record(client, 'objection-card-revoked', filed.workflowId);
      }
    });
  } finally {
    await client.connection.close();
    await connection.close();
    await pipeline.close();
  }
}

/**
 * Durable timers on the Java time-skipping server. Benefit workflows are started directly,
 * with the input a case would give them, on a server no case has touched: once a workflow
 * abandons a child that server stops skipping time (sdk-java#2392).
 */
async function recordOnTimeSkippingServer(info: Awaited<ReturnType<typeof startTestStack>>['info']): Promise<void> {
  const harness = await openTimeSkippingPipeline(info, 'record-timers');
  const { env, pipeline } = harness;
  try {
    if (wanted('offer-expired')) {
      const senior = await addResident(pipeline.store, '1966-06-01', RESIDENT_FACTS);
      const offer = await startBenefit(
        env.client,
        pipeline,
        offerBenefit,
        'age.milestone',
        'senior-preferential-card',
        senior,
        'person',
      );
      assert.deepEqual(await offer.result(), { status: 'expired' });
      await record(env.client, 'offer-expired', offer.workflowId);
    }
    const inspections = [
      { name: 'pledge-passed', status: 'inspection-passed', atTheInspection: async () => undefined },
      {
        name: 'pledge-revoked',
        status: 'revoked',
        atTheInspection: (firm: TestSubject) =>
          updateFacts(pipeline.store, firm, { 'enterprise.premiumsInArrears': true }),
      },
      {
        name: 'pledge-inconclusive',
        status: 'inspection-inconclusive',
        atTheInspection: (firm: TestSubject) => removeFacts(pipeline.store, firm, ['enterprise.premiumsInArrears']),
      },
    ] as const;
    for (const { name, status, atTheInspection } of inspections) {
      if (!wanted(name)) continue;
      const firm = await addEnterprise(pipeline.store, STARTUP_FACTS);
      const pledge = await startBenefit(
        env.client,
        pipeline,
        pledgeBenefit,
        'enterprise.annual-review',
        'business-startup-subsidy',
        firm,
        'enterprise',
      );
      // Time stands still until something waits on the result: the grant is made before the inspection timer.
      for (let i = 0; i < 100 && (await pledge.query(getBenefitStatusQuery)) !== 'pledged'; i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(await pledge.query(getBenefitStatusQuery), 'pledged');
      await atTheInspection(firm);
      assert.deepEqual(await pledge.result(), { status, grantCreated: true });
      await record(env.client, name, pledge.workflowId);
    }
    if (wanted('human-task-escalated')) {
      // A returned payment's task (10 days): reminded at day 8, escalated at day 10, then completed.
      const key = `payroll-return:record-${randomUUID()}`;
      const workflows = clientStarter(env.client, pipeline.taskQueue);
      await openTask(
        { store: pipeline.store, workflows },
        {
          key,
          type: 'returned-payment',
          source: { kind: 'payroll-return', key },
          openedAt: new Date(await env.currentTimeMs()).toISOString(),
        },
      );
      const handle = env.client.workflow.getHandle(taskWorkflowId(key));
      await env.sleep(10.5 * 86_400_000);
      for (let i = 0; i < 100 && !(await handle.query(getTaskStateQuery)).escalated; i++)
        await new Promise((r) => setTimeout(r, 100));
      await handle.executeUpdate(completeTaskUpdate, {
        args: [
          {
            outcome: { kind: 'closed', note: 'account corrected, paid again' },
            by: { id: 'u_record_histories', name: 'record-histories' },
          },
        ],
      });
      assert.equal((await handle.result()).status, 'done');
      await record(env.client, 'human-task-escalated', handle.workflowId);
    }
    await recordSignedPledges(env.client, pipeline);
  } finally {
    await harness.close();
  }
}

/**
 * Since the pledge-signature patch: the firm signs the written notice (or never does, or a credit
 * record bars it), then the inspection; and an inspector's finding run by inspectionResolution.
 */
async function recordSignedPledges(client: Client, pipeline: Pipeline): Promise<void> {
  const sign = async (pledge: WorkflowHandle<typeof pledgeBenefit>) => {
    for (let i = 0; i < 100 && (await pledge.query(getBenefitStatusQuery)) !== 'awaiting-signature'; i++)
      await new Promise((r) => setTimeout(r, 100));
    const stored = await pipeline.models.Pledge.findOne({ key: pledge.workflowId }).lean();
    assert.ok(stored?.noticeHash, 'the written notice was never recorded');
    await pledge.executeUpdate(signPledgeUpdate, {
      args: [{ channel: 'app', noticeHash: stored.noticeHash }],
      updateId: SIGN_PLEDGE_UPDATE_ID,
    });
  };
  const start = (firm: TestSubject) =>
    startBenefit(
      client,
      pipeline,
      pledgeBenefit,
      'enterprise.annual-review',
      'business-startup-subsidy',
      firm,
      'enterprise',
    );
  const signed = [
    { name: 'pledge-passed@pledge-signature', status: 'inspection-passed', atTheInspection: async () => undefined },
    {
      name: 'pledge-revoked@pledge-signature',
      status: 'revoked',
      atTheInspection: (firm: TestSubject) =>
        updateFacts(pipeline.store, firm, { 'enterprise.premiumsInArrears': true }),
    },
    {
      name: 'pledge-inconclusive@pledge-signature',
      status: 'inspection-inconclusive',
      atTheInspection: (firm: TestSubject) => removeFacts(pipeline.store, firm, ['enterprise.premiumsInArrears']),
    },
  ] as const;
  for (const { name, status, atTheInspection } of signed) {
    if (!wanted(name) && !(name === 'pledge-inconclusive@pledge-signature' && wanted('inspection-resolution-revoked')))
      continue;
    const firm = await addEnterprise(pipeline.store, STARTUP_FACTS);
    const pledge = await start(firm);
    await sign(pledge);
    await atTheInspection(firm);
    assert.deepEqual(await pledge.result(), { status, grantCreated: true });
    await record(client, name, pledge.workflowId);
    if (name !== 'pledge-inconclusive@pledge-signature' || !wanted('inspection-resolution-revoked')) continue;
    const taskKey = `${pledge.workflowId}:inspection`;
    const resolution = await client.workflow.start(inspectionResolution, {
      workflowId: taskResolutionWorkflowId(taskKey),
      taskQueue: pipeline.taskQueue,
      args: [
        {
          taskKey,
          type: 'inconclusive-inspection',
          source: { kind: 'pledge', key: pledge.workflowId },
          caseId: (await pipeline.models.Pledge.findOne({ key: pledge.workflowId }).lean())!.caseId,
          subjectKey: firm.subjectKey,
          policyId: 'business-startup-subsidy',
          outcome: {
            kind: 'finding',
            finding: 'does-not-conform',
            notes: 'no business at the premises',
            evidence: ['photo-1'],
          },
          by: { id: 'u_record_histories_inspector', name: 'record-histories inspector' },
        },
      ],
    });
    assert.equal((await resolution.result()).action, 'revoked');
    await record(client, 'inspection-resolution-revoked', resolution.workflowId);
  }
  if (wanted('pledge-lapsed@pledge-signature')) {
    const pledge = await start(await addEnterprise(pipeline.store, STARTUP_FACTS));
    assert.deepEqual(await pledge.result(), { status: 'lapsed' });
    await record(client, 'pledge-lapsed@pledge-signature', pledge.workflowId);
  }
  if (wanted('pledge-verified@pledge-signature')) {
    const firm = await addEnterprise(pipeline.store, STARTUP_FACTS);
    const key = `record-histories:${randomUUID()}:credit`;
    await pipeline.models.CreditRecord.create({
      _id: key,
      key,
      subjectKey: firm.subjectKey,
      kind: 'false-pledge',
      policyId: 'business-startup-subsidy',
      grantKey: `record-histories:${randomUUID()}`,
      recordedAt: new Date(),
      reason: 'an earlier pledge found false',
      blockDays: 1095,
    });
    const pledge = await start(firm);
    assert.deepEqual(await pledge.result(), { status: 'verified', grantCreated: true });
    await record(client, 'pledge-verified@pledge-signature', pledge.workflowId);
  }
}

/**
 * Starts a benefit workflow the way a case would: the case's own activities resolve the
 * policy, collect the subject's facts and decide, and the workflow gets the same ID and
 * search attributes as a case's child.
 */
async function startBenefit(
  client: Client,
  pipeline: Pipeline,
  workflow: (input: BenefitInput) => Promise<BenefitResult>,
  trigger: string,
  policyId: string,
  subject: TestSubject,
  subjectKind: SubjectKind,
) {
  const asOf = '2026-06-01';
  const caseId = lifeEventWorkflowId(`record-${randomUUID()}`);
  const plan = (await pipeline.activities.resolvePolicies({ trigger, asOf, subjectKind })).find(
    (p) => p.ref.id === policyId,
  );
  assert.ok(plan, `${policyId} is not in force for ${trigger} on ${asOf}`);
  const snapshot = await pipeline.activities.collectFacts({
    caseId,
    subjectKey: subject.subjectKey,
    policy: plan.ref,
    facts: plan.facts,
  });
  const [decision] = await pipeline.activities.evaluateCase({
    caseId,
    subjectKey: subject.subjectKey,
    asOf,
    items: [{ policy: plan.ref, snapshotKey: snapshot.snapshotKey }],
  });
  assert.equal(decision.outcome, 'eligible', `${policyId}: ${JSON.stringify(decision)}`);
  const input: BenefitInput = { caseId, subjectKey: subject.subjectKey, plan, decision };
  // The start every path makes (the benefit contract), less the type: the caller names the workflow.
  const { workflowType: _type, ...start } = benefitWorkflowStart(input);
  return client.workflow.start(workflow, { ...start, taskQueue: pipeline.taskQueue });
}

/** Sweeps of a small seeded city: one that finishes, one paused, resumed and continued as new, one cancelled, and a daily scheduled run. */
async function recordSweeps(info: Awaited<ReturnType<typeof startTestStack>>['info']): Promise<void> {
  const pipeline = await openPipeline(info, 'record-sweep');
  const connection = await NativeConnection.connect({ address: info.temporalAddress });
  const client = await connectClient(info.temporalAddress, info.temporalNamespace);
  await seedCity(pipeline.store, {
    residents: 300,
    enterprises: 0,
    seed: 'record-sweep',
    secret: TEST_SECRET,
    asOf: '2026-11-01',
  });
  const policy = { id: 'old-age-allowance', version: 1 };
  const options = (asOf: string) => ({
    workflowId: sweepWorkflowId(policy.id, policy.version, asOf),
    taskQueue: pipeline.taskQueue,
  });
  try {
    const worker = await pipeline.worker(connection, info.temporalNamespace);
    await worker.runUntil(async () => {
      if (wanted('sweep-done')) {
        const done = await client.workflow.execute(sweep, {
          ...options('2026-11-10'),
          args: [{ policy, asOf: '2026-11-10', sliceSize: 200, requestedBy: 'record-histories' }],
        });
        assert.deepEqual([done.status, done.processed], ['done', 300]);
        await record(client, 'sweep-done', options('2026-11-10').workflowId);
      }
      if (wanted('sweep-paused-continued')) {
        const args: [SweepInput] = [
          { policy, asOf: '2026-11-11', sliceSize: 100, slicesPerRun: 2, requestedBy: 'record-histories' },
        ];
        const handle = await client.workflow.signalWithStart(sweep, {
          ...options('2026-11-11'),
          args,
          signal: pauseSweepSignal,
          signalArgs: [],
        });
        for (let i = 0; i < 100 && (await handle.query(getSweepProgressQuery)).status !== 'paused'; i++)
          await new Promise((r) => setTimeout(r, 100));
        assert.equal((await handle.query(getSweepProgressQuery)).status, 'paused');
        await handle.signal(resumeSweepSignal);
        assert.equal((await handle.result()).status, 'done');
        await record(client, 'sweep-paused-continued', handle.workflowId, handle.signaledRunId);
      }
      if (wanted('sweep-paused-continued@sweep-steer-update')) {
        // Paused by an update sent with the start (so before the first slice), resumed by another once paused.
        const args: [SweepInput] = [
          { policy, asOf: '2026-11-13', sliceSize: 100, slicesPerRun: 2, requestedBy: 'record-histories' },
        ];
        const start = new WithStartWorkflowOperation(sweep, {
          ...options('2026-11-13'),
          args,
          workflowIdConflictPolicy: 'FAIL',
        });
        await client.workflow.executeUpdateWithStart(steerSweepUpdate, {
          args: ['pause'],
          startWorkflowOperation: start,
        });
        const handle: WorkflowHandle<typeof sweep> = await start.workflowHandle();
        for (let i = 0; i < 100 && (await handle.query(getSweepProgressQuery)).status !== 'paused'; i++)
          await new Promise((r) => setTimeout(r, 100));
        // Paused, the first run cannot have continued as new yet: this is the run to record.
        const { runId } = await handle.describe();
        assert.equal((await handle.executeUpdate(steerSweepUpdate, { args: ['resume'] })).status, 'running');
        assert.equal((await handle.result()).status, 'done');
        await record(client, 'sweep-paused-continued@sweep-steer-update', handle.workflowId, runId);
      }
      if (wanted('sweep-cancelled')) {
        const args: [SweepInput] = [{ policy, asOf: '2026-11-12', sliceSize: 100, requestedBy: 'record-histories' }];
        const handle = await client.workflow.signalWithStart(sweep, {
          ...options('2026-11-12'),
          args,
          signal: cancelSweepSignal,
          signalArgs: [],
        });
        assert.equal((await handle.result()).status, 'cancelled');
        await record(client, 'sweep-cancelled', handle.workflowId);
      }
      if (wanted('sweep-parts@sweep-parts', 'sweep-part')) {
        const args: [SweepInput] = [
          { policy, asOf: '2026-11-14', sliceSize: 50, parts: 2, requestedBy: 'record-histories' },
        ];
        const done = await client.workflow.execute(sweep, { ...options('2026-11-14'), args });
        assert.deepEqual([done.status, done.processed], ['done', 300]);
        await record(client, 'sweep-parts@sweep-parts', options('2026-11-14').workflowId);
        await record(client, 'sweep-part', sweepPartWorkflowId(options('2026-11-14').workflowId, 0));
      }
      if (wanted('scheduled-sweeps-daily')) {
        const workflowId = `scheduled-sweeps-daily-record-${randomUUID().slice(0, 8)}`;
        const result = await client.workflow.execute(scheduledSweeps, {
          workflowId,
          taskQueue: pipeline.taskQueue,
          args: [{ kind: 'daily', asOf: '2026-12-01' }],
        });
        assert.ok(result.sweeps.length > 0 && result.sweeps.every((s) => s.status === 'done'), JSON.stringify(result));
        await record(client, 'scheduled-sweeps-daily', workflowId);
      }
    });
  } finally {
    await client.connection.close();
    await connection.close();
    await pipeline.close();
  }
}

/** The payroll, its scheduled run and a death's stop, on the dev server: three seniors, one of whom moved away. */
async function recordPayroll(info: Awaited<ReturnType<typeof startTestStack>>['info']): Promise<void> {
  const pipeline = await openPipeline(info, 'record-payroll');
  const connection = await NativeConnection.connect({ address: info.temporalAddress });
  const client = await connectClient(info.temporalAddress, info.temporalNamespace);
  const run = randomUUID().slice(0, 8);
  const policy = (await loadPolicyCatalog()).policies.find((p) => p.id === 'old-age-allowance')!;
  const facts = { 'person.localHukou': true, 'person.alive': true };
  const seniors: TestSubject[] = [];
  for (const [birthDate, monthly] of [
    ['1935-02-02', 200],
    ['1944-03-03', 100],
    ['1943-04-04', 100],
  ] as const) {
    const senior = await addResident(pipeline.store, birthDate, facts);
    await pipeline.activities.recordGrant({
      caseId: `life-event:record-${run}`,
      subjectKey: senior.subjectKey,
      plan: planOf(policy),
      decision: {
        policy: policyRef(policy),
        outcome: 'eligible',
        asOf: '2026-04-01',
        amount: monthly,
        period: '2026-04',
        missingFacts: [],
        failedSources: [],
      },
      grantKey: benefitWorkflowId(policy.id, senior.subjectKey, '2026-04'),
      basis: 'auto',
    });
    seniors.push(senior);
  }
  await updateFacts(pipeline.store, seniors[2], { 'person.localHukou': false });
  try {
    const worker = await pipeline.worker(connection, info.temporalNamespace);
    await worker.runUntil(async () => {
      if (wanted('payroll-previewed')) {
        const workflowId = payrollWorkflowId(policy.id, '2026-05');
        const result = await client.workflow.execute(payroll, {
          workflowId,
          taskQueue: pipeline.taskQueue,
          args: [{ policyId: policy.id, period: '2026-05', startedBy: 'record-histories', sliceSize: 2 }],
        });
        assert.deepEqual([result.lines, result.totalFen, result.ended], [2, 30_000, 1]);
        await record(client, 'payroll-previewed', workflowId);
      }
      if (wanted('scheduled-payroll')) {
        const workflowId = `scheduled-payroll-record-${run}`;
        const result = await client.workflow.execute(scheduledPayroll, {
          workflowId,
          taskQueue: pipeline.taskQueue,
          args: [{ policyId: policy.id, cadence: 'month', period: '2026-06' }],
        });
        assert.equal(result.status, 'preview', JSON.stringify(result));
        await record(client, 'scheduled-payroll', workflowId);
      }
      if (wanted('stop-payments-death')) {
        const workflowId = stopPaymentsWorkflowId(`life-event:record-death-${run}`);
        const result = await client.workflow.execute(stopPayments, {
          workflowId,
          taskQueue: pipeline.taskQueue,
          args: [
            {
              caseId: `life-event:record-death-${run}`,
              subjectKey: seniors[1].subjectKey,
              eventType: 'death.registered',
              eventDate: '2026-05-20',
            },
          ],
        });
        assert.deepEqual([result.ended, result.removed], [1, 1], JSON.stringify(result));
        await record(client, 'stop-payments-death', workflowId);
      }
    });
  } finally {
    await client.connection.close();
    await connection.close();
    await pipeline.close();
  }
}

/**
 * Reviews that close their undetermined birth cases (workflows/review-resolution.ts), started as the
 * review task's workflow starts them: by name, under the task's resolution ID. The pipeline has a
 * client, so the resolution can start the grant workflow and open the review again.
 */
async function recordReviews(info: Awaited<ReturnType<typeof startTestStack>>['info']): Promise<void> {
  const client = await connectClient(info.temporalAddress, info.temporalNamespace);
  const pipeline = await openPipeline(info, 'record-review', { client });
  const connection = await NativeConnection.connect({ address: info.temporalAddress });
  const reviewer = { id: 'u_record_histories_reviewer', name: 'record-histories reviewer' };
  const birthCertificate = { kind: 'document-at-window', reference: 'N371400551' } as const;
  /** An undetermined birth case (the registry has no birth date) and its review resolved with `outcome`. */
  const review = async (birthDate: string, outcome: TaskOutcome): Promise<string> => {
    const child = await addResident(pipeline.store, birthDate, RESIDENT_FACTS);
    await removeFacts(pipeline.store, child, ['person.birthDate']);
    const caseId = lifeEventWorkflowId(`review-${randomUUID()}`);
    await client.workflow.execute<typeof lifeEvent>('lifeEvent', {
      workflowId: caseId,
      taskQueue: pipeline.taskQueue,
      args: [
        {
          caseId,
          eventType: 'birth.registered',
          subjectKey: child.subjectKey,
          subjectKind: 'person',
          eventDate: birthDate,
        },
      ],
    });
    const input: TaskResolutionInput = {
      taskKey: `${caseId}:manual:childcare-subsidy`,
      type: 'review',
      source: { kind: 'case', key: caseId },
      caseId,
      subjectKey: child.subjectKey,
      policyId: 'childcare-subsidy',
      outcome,
      by: reviewer,
    };
    await client.workflow.execute(TASK_RESOLUTION_WORKFLOW.review, {
      workflowId: taskResolutionWorkflowId(input.taskKey),
      taskQueue: pipeline.taskQueue,
      args: [input],
    });
    return taskResolutionWorkflowId(input.taskKey);
  };
  try {
    const worker = await pipeline.worker(connection, info.temporalNamespace);
    await worker.runUntil(async () => {
      if (wanted('review-resolution-granted')) {
        const workflowId = await review('2026-02-02', {
          kind: 'facts-supplied',
          facts: [{ fact: 'person.birthDate', value: '2026-02-02', provenance: birthCertificate }],
        });
        await record(client, 'review-resolution-granted', workflowId);
      }
      if (wanted('review-resolution-refused')) {
        const workflowId = await review('2026-03-03', {
          kind: 'decided',
          outcome: 'ineligible',
          reason: 'the household moved out of the city',
        });
        await record(client, 'review-resolution-refused', workflowId);
      }
      if (wanted('review-resolution-reopened')) {
        const workflowId = await review('2026-04-04', {
          kind: 'facts-supplied',
          facts: [{ fact: 'person.localHukou', value: true, provenance: birthCertificate }],
        });
        await record(client, 'review-resolution-reopened', workflowId);
      }
    });
  } finally {
    await connection.close();
    await pipeline.close();
    await client.connection.close();
  }
}

/**
 * Proof-free applications (workflows/application.ts) on the dev server, submitted and handled as
 * people do through the services the API calls: a senior's home-care application with nothing to
 * upload (her household register by sharing, her hardship by verification, her senior card from
 * her wallet, her family situation by pledge), approved by the civil affairs handler through the
 * task; and a housing application whose no-housing verification answers no, so the applicant
 * uploads that one proof, and the housing bureau's handler refuses it. The handling task is a
 * humanTask child: its events are in the application's history, which is what replay reads.
 */
async function recordApplications(info: Awaited<ReturnType<typeof startTestStack>>['info']): Promise<void> {
  const client = await connectClient(info.temporalAddress, info.temporalNamespace);
  await registerSearchAttributes(client.connection, info.temporalNamespace);
  const pipeline = await openPipeline(info, 'record-applications', { client, seals: true });
  const connection = await NativeConnection.connect({ address: info.temporalAddress });
  const run = randomUUID().slice(0, 8);
  const applications = createApplicationService({
    store: pipeline.store,
    temporal: client,
    taskQueue: pipeline.taskQueue,
  });
  const tasks = createTaskService({ store: pipeline.store, temporal: client, taskQueue: pipeline.taskQueue });
  const citizen = (subject: TestSubject, name: string): User => ({
    id: `u_record_histories_${name}`,
    name,
    role: 'citizen',
    subjectKey: subject.subjectKey,
  });
  /** Waits until the application's record reaches `status`, as its applicant would see it. */
  const untilStatus = async (id: string, status: string) => {
    for (let i = 0; i < 600 && (await findApplication(pipeline.store, id))?.status !== status; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal((await findApplication(pipeline.store, id))?.status, status, `${id} never reached ${status}`);
  };
  /** The handler claims the application's task and decides it; answers the workflow's result. */
  const handle = async (id: string, handler: User, outcome: 'eligible' | 'ineligible', reason: string) => {
    await untilStatus(id, 'handling');
    const { taskKey } = (await findApplication(pipeline.store, id))!;
    assert.ok(taskKey, `${id} has no task`);
    await tasks.claim(handler, taskKey);
    await tasks.complete(handler, taskKey, { outcome: { kind: 'decided', outcome, reason } });
    return client.workflow.getHandle<ApplicationWorkflow>(applicationWorkflowId(id)).result();
  };
  try {
    const worker = await pipeline.worker(connection, info.temporalNamespace);
    await worker.runUntil(async () => {
      if (wanted('application-approved')) {
        const senior = await addResident(pipeline.store, '1948-03-02', {
          ...RESIDENT_FACTS,
          'person.district': '德城区',
          'person.livesAlone': true,
          'person.careDependencyLevel': 2,
          'person.minimumLivingAllowance': true,
        });
        const { certificate } = await issueCertificate(
          { store: pipeline.store, seals: pipeline.seals! },
          {
            key: `record-histories:${run}:senior-card`,
            type: 'senior-preferential-card',
            holder: { subjectKey: senior.subjectKey, displayName: '王桂兰' },
            issuedOn: cityToday(),
            basis: { kind: 'grant', ref: `grant:record-${run}:senior-card` },
            fields: { birthDate: '1948-03-02', district: '德城区', entitlements: '公共交通免费乘车' },
          },
        );
        const { application } = await applications.submit(citizen(senior, 'senior'), {
          matter: 'home-care-service-subsidy',
          fields: { 'contact-phone': '13800000000', 'service-address': '德城区新湖街道 12 号' },
          pledges: ['family-situation'],
          certificates: [certificate.document.id],
          submissionKey: `record-home-care-${run}`,
        });
        const civil = {
          id: 'u_record_histories_civil',
          name: '马承办',
          role: 'officer',
          department: '市民政局',
        } as const;
        const result = await handle(application.id, civil, 'eligible', '经核实符合居家养老服务补贴条件');
        assert.deepEqual(result, { status: 'approved' });
        const approved = (await findApplication(pipeline.store, application.id))!;
        assert.deepEqual(
          approved.proofs.map((p) => [p.id, p.obtainedBy]),
          [
            ['household-register', 'sharing'],
            ['senior-card', 'certificate'],
            ['hardship-proof', 'verification'],
            ['family-situation', 'pledge'],
          ],
        );
        assert.ok(approved.notice, 'the approval was not noticed');
        await record(client, 'application-approved', approved.workflowId);
      }
      if (wanted('application-upload')) {
        const owner = await addResident(pipeline.store, '1990-05-06', {
          ...RESIDENT_FACTS,
          'person.district': '陵城区',
          'person.maritalStatus': 'married',
          'person.householdIncomePerCapita': 1500,
          'person.ownsHousing': true,
        });
        const applicant = citizen(owner, 'owner');
        const { application } = await applications.submit(applicant, {
          matter: 'public-rental-housing',
          fields: { 'household-size': 3, 'contact-phone': '13900000000' },
          pledges: ['income-proof'],
          submissionKey: `record-housing-${run}`,
        });
        await untilStatus(application.id, 'awaiting-proofs');
        const asking = (await findApplication(pipeline.store, application.id))!;
        assert.deepEqual(
          asking.progress.filter((p) => p.asked).map((p) => p.id),
          ['no-housing-proof'],
        );
        await applications.upload(applicant, application.id, {
          proof: 'no-housing-proof',
          fileName: '无房证明.pdf',
          contentBase64: Buffer.from('%PDF-1.4 无房证明扫描件').toString('base64'),
        });
        const housing = {
          id: 'u_record_histories_housing',
          name: '何承办',
          role: 'officer',
          department: '市住房和城乡建设局',
        } as const;
        const result = await handle(application.id, housing, 'ineligible', '经核实家庭名下有住房');
        assert.deepEqual(result, { status: 'refused' });
        await record(client, 'application-upload', applicationWorkflowId(application.id));
      }
    });
  } finally {
    await connection.close();
    await pipeline.close();
    await client.connection.close();
  }
}

const { info, stop } = await startTestStack();
try {
  if (
    wanted(
      'stack-probe',
      'retention-purge',
      'life-event-birth-granted',
      'grant-benefit',
      'grant-benefit@grant-local',
      'life-event-birth-undetermined',
      'life-event-sixtieth-offered',
      'offer-confirmed',
      'offer-declined',
      'life-event-birth-granted@case-search-outcome-department',
      'life-event-birth-granted@case-one-read',
      'life-event-sixtieth-offered@case-one-read',
      'offer-confirmed@offer-answer-update',
      'offer-declined@offer-answer-update',
      'offer-confirmed-by-signal@offer-answer-update',
      'life-event-annual-review-pledged',
      'objection-arrears',
      'objection-rejected',
      'objection-card-revoked',
      'objection-arrears-two-periods',
    )
  ) {
    await recordOnDevServer(info);
  }
  if (
    wanted(
      'offer-expired',
      'pledge-passed',
      'pledge-revoked',
      'pledge-inconclusive',
      'pledge-passed@pledge-signature',
      'pledge-revoked@pledge-signature',
      'pledge-inconclusive@pledge-signature',
      'pledge-lapsed@pledge-signature',
      'pledge-verified@pledge-signature',
      'inspection-resolution-revoked',
      'human-task-escalated',
    )
  )
    await recordOnTimeSkippingServer(info);
  if (
    wanted(
      'sweep-done',
      'sweep-paused-continued',
      'sweep-paused-continued@sweep-steer-update',
      'sweep-cancelled',
      'sweep-parts@sweep-parts',
      'sweep-part',
      'scheduled-sweeps-daily',
    )
  )
    await recordSweeps(info);
  if (wanted('payroll-previewed', 'scheduled-payroll', 'stop-payments-death')) await recordPayroll(info);
  if (wanted('review-resolution-granted', 'review-resolution-refused', 'review-resolution-reopened'))
    await recordReviews(info);
  if (wanted('application-approved', 'application-upload')) await recordApplications(info);
} finally {
  await stop();
}
