/**
 * Programme metrics on the real stack: life events through the pipeline (a granted birth, a
 * birth whose registry has no birth date, a disability certified while the federation's
 * verification service is down, two 60th birthdays offered the senior card — one confirmed, one
 * declined — and a firm granted on its pledge), then every indicator of GET /programme-metrics
 * checked against counts derived here from the records those cases wrote; GET /metrics parses as
 * Prometheus text and names no subject; roles are refused in both languages.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { signWhenNoticed } from './support/pledge-sign.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { ingestEvent } from '../services/events/ingest.js';
import { TEST_PUBLISHER } from './support/departments.js';
import { createMetricsService, type ProgrammeMetrics } from '../services/metrics/service.js';
import { prometheusText } from '../services/metrics/prometheus.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { addDays, cityToday } from '../domain/calendar.js';
import { findFact } from '../domain/sources.js';
import { mattersInForce, proofFree } from '../domain/matters.js';
import '../domain/matters-starter.js';
import { registerSearchAttributes } from '../infra/search-attributes.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { registerAccessRecordModel, type AccessRecord } from '../store/access-records.js';
import { testSessions, testToken } from './support/users.js';
import {
  benefitWorkflowId,
  confirmOfferSignal,
  declineOfferSignal,
  getBenefitStatusQuery,
  type LifeEventResult,
} from '../workflows/contracts/index.js';
import { addEnterprise, addResident, removeFacts, TEST_SECRET, type TestSubject } from './support/city.js';
import { workerWithFederationDown } from './support/federation-down.js';
import { finished, runEntry } from './support/run-node.js';
import { openPipeline, type Pipeline } from './support/pipeline.js';
import { pollUntil } from './support/poll.js';
import { connectClient } from './support/temporal.js';
import { ALL_UP } from './support/all-up.js';

const stack = inject('stack');
let pipeline: Pipeline;
let client: Client;
let federationDown: { close(): Promise<void> } | undefined;
let api: FastifyInstance;
let apiUrl: string;
const subjects: TestSubject[] = [];
const pledgeWorkflows: string[] = [];
const tokens: Record<'supervisor' | 'officer' | 'reviewer' | 'inspector' | 'citizen', string> = {
  supervisor: '',
  officer: '',
  reviewer: '',
  inspector: '',
  citizen: '',
};

beforeAll(async () => {
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  await registerSearchAttributes(client.connection, stack.temporalNamespace);
  pipeline = await openPipeline(stack, 'metrics');
  const { store } = pipeline;
  const catalog = await loadPolicyCatalog();
  // The disability federation answers through its verification service, which is down.
  federationDown = await workerWithFederationDown(stack, pipeline);

  const run = randomUUID().slice(0, 8);
  const ingest = (body: object) =>
    ingestEvent(
      {
        store,
        temporal: client,
        taskQueue: pipeline.taskQueue,
        subjectKeySecret: TEST_SECRET,
        today: () => cityToday(),
      },
      body,
      TEST_PUBLISHER,
    );
  const caseOf = async (body: object) =>
    (await client.workflow.getHandle((await ingest(body)).caseId).result()) as LifeEventResult;
  const decisionOf = (result: LifeEventResult, policyId: string) =>
    result.decisions.find((d) => d.policy.id === policyId)!;

  const born = await addResident(store, '2026-03-10', { 'person.localHukou': true, 'person.alive': true });
  const noDate = await addResident(store, '2026-02-02', { 'person.localHukou': true, 'person.alive': true });
  await removeFacts(store, noDate, ['person.birthDate']);
  const disabled = await addResident(store, '1980-05-05', {
    'person.localHukou': true,
    'person.alive': true,
    'person.minimumLivingAllowance': true,
  });
  const confirms = await addResident(store, '1966-06-01', { 'person.localHukou': true, 'person.alive': true });
  const declines = await addResident(store, '1966-06-01', { 'person.localHukou': true, 'person.alive': true });
  const firm = await addEnterprise(store, {
    'enterprise.establishedOn': '2025-03-01',
    'enterprise.status': 'active',
    'enterprise.size': 'micro',
    'enterprise.premiumsInArrears': false,
    'enterprise.seriousDishonesty': false,
  });
  subjects.push(born, noDate, disabled, confirms, declines, firm);

  const birth = await caseOf({
    sourceEventId: `hr-birth-${run}`,
    source: 'household-registry',
    type: 'birth.registered',
    occurredOn: '2026-03-20',
    subject: { residentId: born.id },
    payload: { birthDate: '2026-03-10' },
  });
  await client.workflow.getHandle(decisionOf(birth, 'childcare-subsidy').benefitWorkflowId!).result();
  await caseOf({
    sourceEventId: `hr-birth2-${run}`,
    source: 'household-registry',
    type: 'birth.registered',
    occurredOn: '2026-02-10',
    subject: { residentId: noDate.id },
    payload: { birthDate: '2026-02-02' },
  });
  await caseOf({
    sourceEventId: `dpf-${run}`,
    source: 'disability-federation',
    type: 'disability.certified',
    occurredOn: '2026-04-01',
    subject: { residentId: disabled.id },
    payload: { grade: 1, disabilityType: 'physical' },
  });
  for (const [senior, signal] of [
    [confirms, confirmOfferSignal],
    [declines, declineOfferSignal],
  ] as const) {
    const result = await caseOf({
      sourceEventId: `age-${senior.subjectKey.slice(-8)}-${run}`,
      source: 'household-registry',
      type: 'age.milestone',
      occurredOn: '2026-06-01',
      subject: { residentId: senior.id },
      payload: { age: 60 },
    });
    const offer = client.workflow.getHandle(decisionOf(result, 'senior-preferential-card').benefitWorkflowId!);
    await pollUntil(
      'the offer',
      () => offer.query(getBenefitStatusQuery),
      (status) => status === 'offered',
    );
    await offer.signal(signal);
    await offer.result();
  }
  const review = await caseOf({
    sourceEventId: `amr-${run}`,
    source: 'market-regulation',
    type: 'enterprise.annual-review',
    occurredOn: '2026-06-01',
    subject: { creditCode: firm.id },
    payload: { year: 2026 },
  });
  const pledged = decisionOf(review, 'business-startup-subsidy');
  pledgeWorkflows.push(pledged.benefitWorkflowId!);
  // The firm signs the written notice; the pledge grants, then waits 30 days for its inspection.
  await signWhenNoticed(pipeline.models, client, pledged.benefitWorkflowId!);
  await pollUntil('the pledged grant', () => pipeline.models.Grant.exists({ _id: pledged.benefitWorkflowId! }));

  tokens.supervisor = await testToken(store, '周督查', 'supervisor');
  tokens.officer = await testToken(store, '王芳', 'officer');
  tokens.reviewer = await testToken(store, '李明', 'reviewer');
  tokens.inspector = await testToken(store, '陈核查', 'inspector');
  tokens.citizen = await testToken(store, '小明家长', 'citizen', { subjectKey: born.subjectKey });
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle: createPolicyLifecycle(store) },
    metrics: createMetricsService({ store, catalog, temporal: client, taskQueue: pipeline.taskQueue }, { maxAgeMs: 0 }),
    health: ALL_UP,
  });
  apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
}, 240_000);

afterAll(async () => {
  await api?.close();
  for (const id of pledgeWorkflows)
    await client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await federationDown?.close();
  await pipeline?.close();
  await client?.connection.close();
});

const get = async (url: string, token?: string) =>
  api.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
const metrics = async (query = '') => {
  const response = await get(`/programme-metrics${query}`, tokens.supervisor);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<ProgrammeMetrics>();
};
const nearestRank = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1];

describe('GET /programme-metrics', () => {
  it('counts every indicator as the cases’ own records do', async () => {
    const m = pipeline.models;
    const decisions = await m.Decision.find({}).lean();
    const grants = await m.Grant.find({}).lean();
    const pulls = await registerAccessRecordModel(pipeline.store).find({}).lean();
    const events = await m.LifeEvent.find({}).lean();
    const shown = await metrics();

    // Proactive grants: the birth (auto, 3,000), the confirmed card, the firm's pledge.
    expect(shown.grants.count).toBe(grants.length);
    expect(grants.map((g) => [g.policy.id, g.basis]).sort()).toEqual([
      ['business-startup-subsidy', 'pledge'],
      ['childcare-subsidy', 'auto'],
      ['senior-preferential-card', 'offer-confirmed'],
    ]);
    expect(shown.grants.amount).toBe(grants.reduce((sum, g) => sum + (g.amount ?? 0), 0));
    expect(shown.grants.byBasis).toEqual({ auto: 1, 'offer-confirmed': 1, pledge: 1 });
    const childcare = shown.byPolicy.find((r) => r.policyId === 'childcare-subsidy')!;
    expect(childcare).toMatchObject({
      grants: 1,
      amount: 3000,
      department: { zh: '市卫生健康委员会' },
      title: { zh: '育儿补贴' },
    });
    expect(shown.byDepartment.find((d) => d.department.zh === '市人力资源和社会保障局')?.grants).toBe(1);
    expect(shown.grants.byMonth.reduce((sum, row) => sum + row.count, 0)).toBe(grants.length);

    // Take-up: distinct eligible subject-policy-periods, and which of them have a grant.
    const eligible = [
      ...new Set(
        decisions
          .filter((d) => d.outcome === 'eligible')
          .map((d) => benefitWorkflowId(d.policy.id, d.subjectKey, d.period)),
      ),
    ];
    const taken = eligible.filter((key) => grants.some((g) => g.key === key));
    // Beside it, the undetermined subject-policy-periods and those of them granted since (none here: nobody was served).
    const undeterminedKeys = [
      ...new Set(
        decisions
          .filter((d) => d.outcome === 'undetermined')
          .map((d) => benefitWorkflowId(d.policy.id, d.subjectKey, d.period)),
      ),
    ];
    expect(shown.takeUp).toEqual({
      eligible: eligible.length,
      granted: taken.length,
      rate: taken.length / eligible.length,
      undetermined: undeterminedKeys.length,
      undeterminedServed: undeterminedKeys.filter((key) => grants.some((g) => g.key === key)).length,
    });
    expect(shown.takeUp.undetermined).toBe(3);
    expect(shown.byPolicy.find((r) => r.policyId === 'senior-preferential-card')).toMatchObject({
      takeUpEligible: 2,
      takeUpGranted: 1,
    });

    // Undetermined: the birth without a date (the registry had no value) and both disability policies (the federation failed).
    const undetermined = decisions.filter((d) => d.outcome === 'undetermined');
    expect(undetermined.map((d) => d.policy.id).sort()).toEqual([
      'childcare-subsidy',
      'disability-living-subsidy',
      'severe-disability-care-subsidy',
    ]);
    expect(shown.undetermined).toMatchObject({
      decisions: decisions.length,
      undetermined: 3,
      rate: 3 / decisions.length,
    });
    const expectedCauses = new Map<string, number>();
    for (const d of undetermined) {
      for (const fact of d.missingFacts) {
        const source = findFact(fact)!.source.id;
        const pull = pulls.find((p) => p.caseId === d.caseId && p.policyId === d.policy.id && p.source === source)!;
        const reason = (d.failedSources ?? []).some((f) => f.source === source)
          ? 'source-failed'
          : pull.outcome === 'not-found'
            ? 'no-record'
            : 'no-value';
        expect(pull.outcome).toBe(reason === 'source-failed' ? 'failed' : 'answered');
        expectedCauses.set(`${source}|${fact}|${reason}`, (expectedCauses.get(`${source}|${fact}|${reason}`) ?? 0) + 1);
      }
    }
    expect(new Map(shown.undetermined.causes.map((c) => [`${c.source}|${c.fact}|${c.reason}`, c.count]))).toEqual(
      expectedCauses,
    );
    expect(shown.undetermined.causes).toContainEqual(
      expect.objectContaining({
        source: 'household-registry',
        fact: 'person.birthDate',
        reason: 'no-value',
        count: 1,
        reasonLabel: { zh: '记录中缺少该数据项', en: 'no value in the record' },
      }),
    );
    expect(
      shown.undetermined.causes
        .filter((c) => c.reason === 'source-failed')
        .every((c) => c.source === 'disability-federation' && c.count === 2 && c.department.zh === '市残疾人联合会'),
    ).toBe(true);

    // Event-to-grant latency: each grant from a case, against its life event's receipt.
    const seconds = grants.map(
      (g) => (g.grantedAt.getTime() - events.find((e) => e.caseId === g.caseId)!.receivedAt.getTime()) / 1000,
    );
    expect(shown.latency).toMatchObject({
      count: 3,
      p50Seconds: nearestRank(seconds, 50),
      p90Seconds: nearestRank(seconds, 90),
      p99Seconds: nearestRank(seconds, 99),
    });
    expect(shown.latency.sumSeconds).toBeCloseTo(
      seconds.reduce((a, b) => a + b, 0),
      6,
    );
    expect(Object.keys(shown.latency.byBasis).sort()).toEqual(['auto', 'offer-confirmed', 'pledge']);

    // Data sharing: answered or a definite "no record" over all pulls; the federation's two pulls failed.
    const byOutcome = (outcome: AccessRecord['outcome']) => pulls.filter((p) => p.outcome === outcome).length;
    expect(shown.dataSharing).toMatchObject({
      requested: pulls.length,
      answered: byOutcome('answered'),
      notFound: byOutcome('not-found'),
      failed: 2,
      rate: (pulls.length - 2) / pulls.length,
    });
    expect(shown.dataSharing.bySource.find((s) => s.source === 'disability-federation')).toMatchObject({
      requested: 2,
      failed: 2,
      department: { zh: '市残疾人联合会' },
    });
    expect(shown.dataSharing.byDepartment.reduce((sum, d) => sum + d.requested, 0)).toBe(pulls.length);

    // The seed indicators of applications: none was made here, so no rate yet; the list's proof-free share stands.
    expect(shown.proofIndicators.total).toMatchObject({ applications: 0, fieldSharing: { rate: null } });
    const listed = mattersInForce().matters;
    expect(shown.proofIndicators.proofFreeMatters.total).toEqual({
      matters: listed.length,
      proofFree: listed.filter(proofFree).length,
      rate: listed.filter(proofFree).length / listed.length,
    });
    expect(shown.indicators.dataSharingSatisfaction.label).toEqual({
      zh: '数据共享需求满足率',
      en: 'Data-sharing demand satisfaction rate',
    });
    expect(shown.casesRunning).toBe(0);
    for (const subject of subjects) expect(JSON.stringify(shown)).not.toContain(subject.id);
  });

  it('filters by period, policy and department', async () => {
    const today = cityToday();
    const before = await metrics(`?to=${addDays(today, -1)}`);
    expect([
      before.grants.count,
      before.undetermined.decisions,
      before.dataSharing.requested,
      before.latency.count,
    ]).toEqual([0, 0, 0, 0]);
    expect(before.takeUp.rate).toBeNull();
    const todayOnly = await metrics(`?from=${today}&to=${today}`);
    expect(todayOnly.grants.count).toBe(3);

    const childcare = await metrics('?policy=childcare-subsidy');
    expect(childcare.byPolicy.map((r) => r.policyId)).toEqual(['childcare-subsidy']);
    expect(childcare.undetermined).toMatchObject({
      undetermined: 1,
      decisions: await pipeline.models.Decision.countDocuments({ 'policy.id': 'childcare-subsidy' }),
    });
    expect(childcare.dataSharing.requested).toBe(
      await registerAccessRecordModel(pipeline.store).countDocuments({ policyId: 'childcare-subsidy' }),
    );

    const civil = await metrics(`?department=${encodeURIComponent('市民政局')}`);
    expect(new Set(civil.byPolicy.map((r) => r.department.zh))).toEqual(new Set(['市民政局']));
    expect(civil.grants.count).toBe(0);
    expect(civil.undetermined.causes.every((c) => c.source === 'disability-federation')).toBe(true);
    expect((await metrics('?department=Municipal%20Civil%20Affairs%20Bureau')).undetermined).toEqual(
      civil.undetermined,
    );
  });

  it('refuses a bad period with the field at fault', async () => {
    const reversed = await get('/programme-metrics?from=2026-06-02&to=2026-06-01', tokens.supervisor);
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json()).toMatchObject({ code: 'BAD_FILTER', field: 'from', messageZh: '起始日期不能晚于截止日期' });
    const malformed = await get('/programme-metrics?from=2026-02-30', tokens.supervisor);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ field: 'from' });
  });

  it('admits supervisors, officers and reviewers; refuses citizens, inspectors and strangers in both languages', async () => {
    for (const role of ['officer', 'reviewer'] as const)
      expect((await get('/programme-metrics', tokens[role])).statusCode).toBe(200);
    for (const role of ['citizen', 'inspector'] as const) {
      const refused = await get('/programme-metrics', tokens[role]);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({
        code: 'FORBIDDEN_ROLE',
        messageZh: expect.stringContaining('查看监督指标'),
      });
    }
    expect((await get('/programme-metrics')).json()).toMatchObject({
      code: 'UNAUTHENTICATED',
      messageZh: expect.any(String),
    });
    expect((await get('/programme-metrics', 'af_not-a-token')).statusCode).toBe(401);
  });
});

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;

/** Parses text exposition strictly: every line a HELP, a TYPE or a sample of a family declared above it. */
function parseExposition(body: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const help = new Set<string>();
  const types = new Map<string, string>();
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  expect(body.endsWith('\n')).toBe(true);
  for (const line of body.slice(0, -1).split('\n')) {
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment) {
      expect(comment[2]).toMatch(NAME);
      if (comment[1] === 'HELP') help.add(comment[2]);
      else {
        expect(['counter', 'gauge', 'summary', 'histogram', 'untyped']).toContain(comment[3]);
        expect(types.has(comment[2]), `TYPE ${comment[2]} twice`).toBe(false);
        types.set(comment[2], comment[3]);
      }
      continue;
    }
    const sample = SAMPLE.exec(line);
    expect(sample, `not a sample: ${line}`).not.toBeNull();
    const [, name, labelText, value] = sample!;
    const family = types.get(name) ? name : name.replace(/_(sum|count)$/, '');
    expect(types.has(family) && help.has(family), `${name} has no HELP and TYPE before it`).toBe(true);
    const labels = Object.fromEntries(
      [...(labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [
        k,
        v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c)),
      ]),
    );
    samples.push({ name, labels, value: Number(value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : value) });
  }
  return samples;
}

describe('applyfree metrics', () => {
  const cli = (args: string[], token: string = tokens.supervisor) =>
    finished(runEntry('cli/main.ts', ['metrics', ...args], { APPLYFREE_API_URL: apiUrl, APPLYFREE_TOKEN: token }));

  it('prints every indicator in both languages, the grants by month as bars and the policies; --json gives the API’s answer', async () => {
    const [human, json] = await Promise.all([cli([]), cli(['--json'])]);
    const m = await metrics();
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(
      `“免申即享”主动兑现 Proactive grants (apply-free): ${m.grants.count}  ¥${m.grants.amount.toLocaleString('en')}`,
    );
    expect(human.stdout).toContain(
      `应享尽享率 Take-up rate: ${(m.takeUp.rate! * 100).toFixed(1)}%  (${m.takeUp.granted} / ${m.takeUp.eligible})`,
    );
    expect(human.stdout).toContain(
      `待定率及原因 Undetermined rate and causes: ${(m.undetermined.rate! * 100).toFixed(1)}%`,
    );
    expect(human.stdout).toContain('数据共享需求满足率 Data-sharing demand satisfaction rate: ');
    expect(human.stdout).toContain('电子证照证明替代率 Certificate substitution rate: ');
    expect(human.stdout).toMatch(/^事件到兑现时长 Event-to-grant latency: p50 \d/m);
    // This month's grants, as a bar as long as the busiest month's.
    expect(human.stdout).toMatch(
      new RegExp(`^  ${m.grants.byMonth.at(-1)!.month}  █{30}  ${m.grants.byMonth.at(-1)!.count}  ¥`, 'm'),
    );
    expect(human.stdout).toMatch(/^ {2}育儿补贴 \(childcare-subsidy\) {2}\d+ · ¥/m);
    expect(human.stdout).not.toMatch(/\d{17}[\dX]/);
    expect((JSON.parse(json.stdout) as ProgrammeMetrics).grants).toEqual(m.grants);
  }, 30_000);

  it('passes the filters on, refuses a bad date with its field (exit 1) and a wrong command line with the usage (exit 2)', async () => {
    const childcare = await cli(['--policy', 'childcare-subsidy', '--json']);
    expect((JSON.parse(childcare.stdout) as ProgrammeMetrics).byPolicy.map((r) => r.policyId)).toEqual([
      'childcare-subsidy',
    ]);
    const bad = await cli(['--from', '2026-02-30']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/^applyfree: BAD_FILTER \[from\]: .*YYYY-MM-DD/)]);
    const wrong = await cli(['--colour', 'red']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('usage: applyfree metrics');
    const citizen = await cli([], tokens.citizen);
    expect([citizen.code, citizen.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN_ROLE')]);
  }, 30_000);
});

describe('GET /metrics', () => {
  it('serves Prometheus text without a token: programme families by policy, source and outcome, runtime basics, no subject', async () => {
    const response = await get('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseExposition(response.body);
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .map((s) => s.value);
    expect(value('applyfree_metrics_up')).toEqual([1]);
    expect(value('applyfree_grants_total', { policy: 'childcare-subsidy', department: '市卫生健康委员会' })).toEqual([
      1,
    ]);
    expect(value('applyfree_grant_amount_yuan_total', { policy: 'childcare-subsidy' })).toEqual([3000]);
    expect(
      value('applyfree_decisions_total', { policy: 'severe-disability-care-subsidy', outcome: 'undetermined' }),
    ).toEqual([1]);
    expect(value('applyfree_data_pulls_total', { source: 'disability-federation', outcome: 'failed' })).toEqual([2]);
    expect(value('applyfree_takeup_ratio', { policy: 'senior-preferential-card' })).toEqual([0.5]);
    expect(value('applyfree_event_to_grant_latency_seconds_count')).toEqual([3]);
    expect(value('applyfree_event_to_grant_latency_seconds').length).toBe(3);
    expect(
      value('applyfree_undetermined_causes_total', { source: 'disability-federation', reason: 'source-failed' }).every(
        (n) => n === 2,
      ),
    ).toBe(true);
    expect(value('process_resident_memory_bytes')[0]).toBeGreaterThan(1_000_000);
    expect(value('process_cpu_seconds_total')[0]).toBeGreaterThan(0);
    const labelNames = new Set(samples.flatMap((s) => Object.keys(s.labels)));
    expect([...labelNames].sort()).toEqual([
      'basis',
      'department',
      'fact',
      'outcome',
      'policy',
      'quantile',
      'reason',
      'source',
      'version',
    ]);
    for (const subject of subjects) {
      expect(response.body).not.toContain(subject.id);
      expect(response.body).not.toContain(subject.subjectKey);
    }
    expect(response.body).not.toMatch(/life-event:|grant:|\d{17}[\dX]/);
  });

  it('escapes label values, so any department name stays one valid sample', async () => {
    const reading = await metrics();
    const awkward = 'a "quoted"\\back\nslashed 部门';
    reading.byPolicy[0].department = { zh: awkward, en: awkward };
    const samples = parseExposition(prometheusText(reading));
    expect(
      samples
        .filter((s) => s.name === 'applyfree_decisions_total' && s.labels.policy === reading.byPolicy[0].policyId)
        .map((s) => s.labels.department),
    ).toEqual([awkward, awkward, awkward]);
  });

  it('reports the store being unreachable as applyfree_metrics_up 0, still valid text', () => {
    const samples = parseExposition(prometheusText(undefined, 'connection refused'));
    expect(samples.find((s) => s.name === 'applyfree_metrics_up')?.value).toBe(0);
    expect(samples.some((s) => s.name.startsWith('process_'))).toBe(true);
  });
});
