/**
 * POST /events at the edge, on the real stack: a registry (a department's signed request) that
 * sends something wrong gets a 400 naming the field at fault, in English and Chinese, without
 * the raw identifier echoed back — and nothing is written: no subject, no event, no delivery,
 * no case. Who may publish what is test/api-departments.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import type { DepartmentCredential } from '../domain/department-signature.js';
import { cityToday } from '../domain/calendar.js';
import { makeResidentId } from '../domain/identity.js';
import { DEVELOPMENT_SUBJECT_KEY_SECRET } from '../domain/pseudonym.js';
import { connectStore } from '../store/connection.js';
import { registerModels, type Models } from '../store/models.js';
import { lifeEventWorkflowId } from '../workflows/contracts/index.js';
import { connectClient } from './support/temporal.js';
import { ALL_UP } from './support/all-up.js';
import { postSigned, registerTestDepartment, testEventApi } from './support/departments.js';

const stack = inject('stack');
const database = `applyfree_api_${randomUUID().slice(0, 8)}`;
let store: Connection;
let models: Models;
let temporal: Client;
let api: FastifyInstance;
let closeEvents: () => Promise<void>;
let household: DepartmentCredential;
const taskQueue = `api-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  store = await connectStore(stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${database}$1`));
  models = registerModels(store);
  temporal = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  const deps = {
    store,
    temporal,
    taskQueue,
    subjectKeySecret: DEVELOPMENT_SUBJECT_KEY_SECRET,
    today: () => cityToday(),
  };
  const events = testEventApi(stack.redisUrl, deps);
  closeEvents = events.close;
  household = await registerTestDepartment(store, DEVELOPMENT_SUBJECT_KEY_SECRET);
  api = buildApi({ events: events.events, health: ALL_UP });
});

afterAll(async () => {
  await api?.close();
  await closeEvents?.();
  await temporal?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

const newborn = makeResidentId('371402', '2026-03-10', 17, 'male');
const birth = (overrides: Record<string, unknown> = {}) => ({
  sourceEventId: `hr-${randomUUID()}`,
  source: 'household-registry',
  type: 'birth.registered',
  occurredOn: '2026-03-20',
  subject: { residentId: newborn },
  payload: { birthDate: '2026-03-10' },
  ...overrides,
});

async function post(body: unknown) {
  const { status, json } = await postSigned(api, household, body);
  return {
    status,
    body: json as {
      code: string;
      field?: string;
      message: string;
      messageZh?: string;
      status?: string;
      caseId?: string;
    },
  };
}

async function nothingWritten(sourceEventId?: string): Promise<void> {
  expect(await models.LifeEvent.countDocuments({})).toBe(0);
  expect(await models.EventDelivery.countDocuments({})).toBe(0);
  expect(await store.db!.collection('subjects').countDocuments({})).toBe(0);
  if (sourceEventId)
    await expect(temporal.workflow.getHandle(lifeEventWorkflowId(sourceEventId)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
}

describe('POST /events with bad input', () => {
  const wrongCheckDigit = newborn.slice(0, 17) + (newborn[17] === '0' ? '1' : '0');
  const cases: Array<[string, Record<string, unknown>, string, RegExp, RegExp]> = [
    [
      'a resident ID with a wrong check digit',
      { subject: { residentId: wrongCheckDigit } },
      'subject.residentId',
      /check/i,
      /校验/,
    ],
    [
      'an unknown event type',
      { type: 'birth.registerd' },
      'type',
      /not a known life event type/,
      /不是已登记的生命事件类型/,
    ],
    ['a payload missing its required date', { payload: {} }, 'payload.birthDate', /is required/, /必填/],
    [
      'a payload field the event does not have',
      { payload: { birthDate: '2026-03-10', weightGrams: 3400 } },
      'payload.weightGrams',
      /is not a field of birth.registered/,
      /不是/,
    ],
    [
      'a birth date that contradicts the ID',
      { payload: { birthDate: '2026-03-11' } },
      'payload.birthDate',
      /does not match/,
      /不一致/,
    ],
    ['an event dated in the future', { occurredOn: '2999-01-01' }, 'occurredOn', /future/, /不能晚于今天/],
    [
      'a source event ID carrying a resident ID',
      { sourceEventId: `hr-${newborn.slice(0, 17)}` },
      'sourceEventId',
      /must not contain a resident ID/,
      /不得包含身份证号/,
    ],
  ];

  it.each(cases)(
    'rejects %s, naming the field, and writes nothing',
    async (_what, change, field, message, messageZh) => {
      const body = birth(change);
      const { status, body: error } = await post(body);
      expect(status).toBe(400);
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
      expect(error.messageZh).toMatch(messageZh);
      expect(JSON.stringify(error)).not.toContain(newborn.slice(0, 17));
      await nothingWritten(
        typeof body.sourceEventId === 'string' && !/\d{15}/.test(body.sourceEventId) ? body.sourceEventId : undefined,
      );
    },
  );

  it('rejects a body that is not JSON with a JSON error', async () => {
    const { status, body } = await post('{"type": "birth.registered",');
    expect(status).toBe(400);
    expect(body.code).toMatch(/JSON|BODY|BAD_REQUEST/);
    await nothingWritten();
  });

  it('accepts the corrected event: 202 and one case', async () => {
    const body = birth();
    const { status, body: accepted } = await post(body);
    expect(status).toBe(202);
    // The case, never the subject key: an answer must not turn an ID into its key (security review S1).
    expect(accepted).toEqual({ status: 'accepted', caseId: lifeEventWorkflowId(body.sourceEventId) });
    expect(await models.LifeEvent.countDocuments({})).toBe(1);
    const handle = temporal.workflow.getHandle(accepted.caseId!);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over: no worker serves this task queue');
  });
});
