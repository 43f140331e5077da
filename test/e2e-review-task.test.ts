/**
 * People in the loop, end to end on the real stack (issue 14): a birth case the household registry
 * cannot answer is undetermined and lands on the reviewers' worklist as a review task; a reviewer
 * claims it over the API and records the missing birth date with the document seen at the window;
 * the task's workflow runs the review's resolution and the family gets exactly one grant and one
 * notice. The date itself never enters a workflow's history (it is kept on the task record), a
 * wrong fact is refused before anything is written, and a second completion is refused.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import type { TaskView } from '../domain/tasks.js';
import { createTaskService } from '../services/tasks/service.js';
import { registerTaskModels } from '../store/tasks.js';
import { taskResolutionWorkflowId, taskWorkflowId } from '../workflows/contracts/index.js';
import { ALL_UP } from './support/all-up.js';
import { openRunningPipeline, type RunningPipeline } from './support/running-pipeline.js';
import { undeterminedBirth } from './support/undetermined-birth.js';
import { testSessions, testUser } from './support/users.js';

const stack = inject('stack');
const POLICY = 'childcare-subsidy';
const BIRTH_DATE = '2026-03-17';
/** Registered three days later: the case is judged as of the registration, so the birth date is nowhere in its input. */
const REGISTERED = '2026-03-20';
let running: RunningPipeline;
let api: FastifyInstance;
const people = {} as Record<'reviewer' | 'otherReviewer' | 'inspector', { id: string; token: string }>;

beforeAll(async () => {
  running = await openRunningPipeline(stack, 'reviewtask', { seals: true, notices: false });
  const { client, pipeline } = running;
  people.reviewer = await testUser(pipeline.store, '李明', 'reviewer');
  people.otherReviewer = await testUser(pipeline.store, '钱审核', 'reviewer');
  people.inspector = await testUser(pipeline.store, '陈核查', 'inspector');
  api = buildApi({
    sessions: testSessions(pipeline.store),
    tasks: createTaskService({
      store: pipeline.store,
      temporal: client,
      taskQueue: pipeline.taskQueue,
      policies: pipeline.policies,
    }),
    health: ALL_UP,
  });
  await api.ready();
}, 120_000);

afterAll(async () => {
  await api?.close();
  await running?.close();
});

async function call<T = Record<string, unknown>>(
  person: keyof typeof people,
  method: 'GET' | 'POST',
  url: string,
  body?: object,
) {
  const response = await api.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${people[person].token}`,
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    ...(method === 'POST' ? { payload: JSON.stringify(body ?? {}) } : {}),
  });
  return { status: response.statusCode, body: response.json<T>() };
}

const undetermined = async () => {
  const { child, caseId } = await undeterminedBirth(running, BIRTH_DATE, REGISTERED);
  return { subjectKey: child.subjectKey, caseId };
};

const completion = (value: unknown, fact = 'person.birthDate') => ({
  outcome: {
    kind: 'facts-supplied',
    facts: [{ fact, value, provenance: { kind: 'document-at-window', reference: '出生医学证明 P371400981' } }],
  },
});

describe('an undetermined birth, closed by a reviewer through the worklist', () => {
  it('gives one grant and one notice, with the date kept out of every history', async () => {
    const { subjectKey, caseId } = await undetermined();
    const taskKey = `${caseId}:manual:${POLICY}`;
    const path = (action = '') => `/tasks/${encodeURIComponent(taskKey)}${action}`;

    // On the reviewers' worklist, not the inspectors'.
    const worklist = await call<{ tasks: TaskView[] }>('reviewer', 'GET', '/tasks?type=review');
    expect(worklist.body.tasks.find((task) => task.id === taskKey)).toMatchObject({
      status: 'open',
      missingFacts: ['person.birthDate'],
      caseId,
    });
    expect(await call('inspector', 'GET', path())).toMatchObject({ status: 404 });

    // Claimed by one reviewer; the other may not complete it.
    expect(await call('reviewer', 'POST', path('/claim'))).toMatchObject({ status: 200 });
    expect(await call('otherReviewer', 'POST', path('/complete'), completion(BIRTH_DATE))).toMatchObject({
      status: 403,
      body: { code: 'NOT_TASK_HOLDER' },
    });

    // A fact the policy does not read, or a date that is not one: refused naming it, nothing written.
    const undeclared = await call('reviewer', 'POST', path('/complete'), completion(true, 'person.disabilityGrade'));
    expect(undeclared).toMatchObject({ status: 400, body: { code: 'UNKNOWN_FACT' } });
    const notADate = await call<{ code: string; message: string }>(
      'reviewer',
      'POST',
      path('/complete'),
      completion(20260317),
    );
    expect(notADate.status).toBe(400);
    expect(notADate.body.message).toContain('person.birthDate');
    const { Task } = registerTaskModels(running.pipeline.store);
    expect(await Task.findById(taskKey).lean()).toMatchObject({ status: 'claimed' });
    expect(await running.pipeline.models.Grant.countDocuments({ subjectKey })).toBe(0);

    // The date, from the birth certificate seen at the window: the case is decided again and granted.
    const done = await call<{ resolution: { action: string; benefitWorkflowId?: string }; task: TaskView }>(
      'reviewer',
      'POST',
      path('/complete'),
      completion(BIRTH_DATE),
    );
    expect(done.status).toBe(200);
    expect(done.body.resolution.action).toBe('granted');
    expect(done.body.task).toMatchObject({ status: 'done', completedById: people.reviewer.id });
    await running.client.workflow.getHandle(done.body.resolution.benefitWorkflowId!).result();

    const grants = await running.pipeline.models.Grant.find({ subjectKey }).lean();
    expect(grants.map((grant) => [grant.policy.id, grant.basis])).toEqual([[POLICY, 'auto']]);
    const notices = await running.pipeline.models.Notice.find({ subjectKey }).lean();
    expect(notices.map((notice) => notice.template).sort()).toEqual(['decision.undetermined', 'grant.awarded']);
    const decision = await running.pipeline.models.Decision.findById(`${taskKey}:decision`).lean();
    expect(decision).toMatchObject({
      outcome: 'eligible',
      suppliedFacts: [
        {
          fact: 'person.birthDate',
          byId: people.reviewer.id,
          provenance: { kind: 'document-at-window', reference: '出生医学证明 P371400981' },
        },
      ],
    });

    // Completed once: a second completion is refused, and no grant or notice follows.
    expect(await call('reviewer', 'POST', path('/complete'), completion(BIRTH_DATE))).toMatchObject({
      status: 409,
      body: { code: 'TASK_CLOSED' },
    });
    expect(await running.pipeline.models.Grant.countDocuments({ subjectKey })).toBe(1);

    // Personal values stay in the store: neither the task's history nor its resolution's holds the
    // date, though both name the fact and its document.
    for (const workflowId of [taskWorkflowId(taskKey), taskResolutionWorkflowId(taskKey)]) {
      const payloads = payloadText(await running.client.workflow.getHandle(workflowId).fetchHistory());
      expect(payloads).toContain('person.birthDate');
      expect(payloads).toContain('P371400981');
      expect(payloads).not.toContain(BIRTH_DATE);
    }
  });
});

/** Every payload in a history, decoded as text: what a reader of the history would see. */
function payloadText(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(payloadText).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(payloadText).join('\n');
  return '';
}
