/**
 * Several drafts of one policy at once, over HTTP on the real store and with the CLI: next year's
 * senior card is drafted while this year's is still a draft, each is its own version with its own
 * four-eyes approval, the list shows them side by side by effective range, and a publication the
 * version precedence cannot serve (a version that would never be in force, or that would swallow a
 * published one's start) is refused naming `effective`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import type { Policy } from '../rules/types.js';
import { storePolicySource } from '../store/policy-source.js';
import { connectStore } from '../store/connection.js';
import { issueSession } from '../store/sessions.js';
import { testSessions, testToken, testUser } from './support/users.js';
import { finished, runEntry } from './support/run-node.js';
import { ALL_UP } from './support/all-up.js';

const stack = inject('stack');
const ID = 'senior-preferential-card';
let store: Connection;
let api: FastifyInstance;
let apiUrl: string;
let wang: string;
let zhao: string;
let li: string;
/** One person (钱伟) who holds both roles: an officer's token and a reviewer's. */
let qian: { officer: string; reviewer: string };
let shipped: Policy;

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_drafts_${randomUUID().slice(0, 8)}$1`),
  );
  const lifecycle = createPolicyLifecycle(store);
  const catalog = (await loadPolicyCatalog()).policies;
  shipped = catalog.find((p) => p.id === ID)!;
  await lifecycle.importCatalog(catalog);
  wang = await testToken(store, '王芳', 'officer');
  zhao = await testToken(store, '赵强', 'officer');
  li = await testToken(store, '李明', 'reviewer');
  const asOfficer = await testUser(store, '钱伟', 'officer', { roles: ['officer', 'reviewer'] });
  const asReviewer = await issueSession(store, {
    userId: asOfficer.id,
    role: 'reviewer',
    kind: 'machine',
    via: 'test',
  });
  qian = { officer: asOfficer.token, reviewer: asReviewer.token };
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle, simulation: createSimulationRunner({ store, lifecycle }) },
    health: ALL_UP,
  });
  apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
});

type Body = Record<string, unknown>;
const call = async (method: 'GET' | 'POST' | 'PUT', url: string, token?: string, payload?: unknown) => {
  const response = await api.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: response.statusCode, body: response.json<Body>() };
};
const at = (version: number, step = '') => `/policies/${ID}/versions/${version}${step ? `/${step}` : ''}`;

/** The senior card in force over `effective`, with one case on the day it starts. */
function seniorCard(effective: { from: string; to?: string }): Body {
  const [year, month, day] = effective.from.split('-');
  return {
    ...structuredClone(shipped),
    effective,
    reference: `${shipped.reference}（${year} 年度）`,
    tests: [
      {
        name: `a resident who turns 60 on ${effective.from} is offered the senior card that day`,
        asOf: effective.from,
        facts: {
          'person.birthDate': `${Number(year) - 60}-${month}-${day}`,
          'person.localHukou': true,
          'person.alive': true,
        },
        expect: { outcome: 'eligible' },
      },
    ],
  };
}

/** Validates, tests, simulates and submits a draft as its author; answers the submitted version. */
async function checkedAndSubmitted(version: number, token: string, asOf: string): Promise<Body> {
  expect((await call('POST', at(version, 'validate'), token)).body).toMatchObject({ valid: true });
  expect((await call('POST', at(version, 'test'), token)).body).toMatchObject({ passed: 1, failed: 0 });
  expect((await call('POST', at(version, 'simulate'), token, { asOf })).status).toBeLessThan(300);
  await expect.poll(async () => (await call('GET', at(version, 'simulation'), token)).body.status).toBe('done');
  const submitted = await call('POST', at(version, 'submit'), token, {});
  expect(submitted.body).toMatchObject({ status: 'submitted' });
  return submitted.body;
}

describe('several drafts of one policy', () => {
  it('drafts next year’s version while this year’s is still a draft, each its own version, listed side by side', async () => {
    const thisYear = await call('POST', '/policies', wang, seniorCard({ from: '2026-01-01', to: '2026-12-31' }));
    expect([thisYear.status, thisYear.body.version, thisYear.body.status]).toEqual([201, 2, 'draft']);
    const nextYear = await call('POST', '/policies', qian.officer, seniorCard({ from: '2027-01-01' }));
    expect([nextYear.status, nextYear.body.version, nextYear.body.status]).toEqual([201, 3, 'draft']);

    const list = (await call('GET', '/policies', li)).body as unknown as Array<Body>;
    expect(list.filter((v) => v.policyId === ID).map((v) => [v.version, v.status, v.effective])).toEqual([
      [3, 'draft', { from: '2027-01-01' }],
      [2, 'draft', { from: '2026-01-01', to: '2026-12-31' }],
      [1, 'published', { from: '2024-01-01' }],
    ]);
    const cli = await finished(
      runEntry('cli/main.ts', ['policy', 'list', '--policy', ID], { APPLYFREE_API_URL: apiUrl, APPLYFREE_TOKEN: li }),
    );
    expect(cli.code).toBe(0);
    expect(cli.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^senior-preferential-card v3 {2}draft +2027-01-01 – … +老年人优待证/),
      expect.stringMatching(/^senior-preferential-card v2 {2}draft +2026-01-01 – 2026-12-31 +老年人优待证/),
      expect.stringMatching(/^senior-preferential-card v1 {2}published +2024-01-01 – … +老年人优待证/),
    ]);

    // Editing one draft leaves the other as it was.
    const edited = await call('PUT', at(2), wang, {
      ...seniorCard({ from: '2026-01-01', to: '2026-12-31' }),
      reference: '2026 年度文件',
    });
    expect(edited.status).toBe(200);
    expect(((await call('GET', at(3), li)).body.document as Body).reference).toContain('2027 年度');
  });

  it('asks four eyes of each draft: whoever wrote one may approve the other, not their own', async () => {
    await checkedAndSubmitted(2, wang, '2026-06-01');
    await checkedAndSubmitted(3, qian.officer, '2027-06-01');
    const own = await call('POST', at(3, 'approve'), qian.reviewer, {});
    expect([own.status, own.body.code, own.body.field]).toEqual([403, 'FOUR_EYES', 'approvedBy']);
    expect((await call('POST', at(2, 'approve'), qian.reviewer, {})).body).toMatchObject({
      status: 'approved',
      approvedBy: '钱伟',
    });
    expect((await call('POST', at(3, 'approve'), li, {})).body).toMatchObject({
      status: 'approved',
      approvedBy: '李明',
    });
  });

  it('publishes next year’s version first and this year’s after it, each in force on its own dates', async () => {
    expect((await call('POST', at(3, 'publish'), li)).body).toMatchObject({ status: 'published' });
    expect((await call('POST', at(2, 'publish'), li)).body).toMatchObject({ status: 'published' });
    const source = storePolicySource(store, { refreshMs: 0 });
    const on = async (date: string) =>
      (await source.inForce('age.milestone', date, 'person')).find((p) => p.id === ID)?.version;
    expect([await on('2025-06-01'), await on('2026-06-01'), await on('2027-06-01')]).toEqual([1, 2, 3]);
  });

  it('refuses, naming effective, a version that would never be in force beside a published later one', async () => {
    // v4 is drafted for mid-2026, after v5 (from 2026-07-01) is published: v5, the later version, covers it all.
    const late = await call('POST', '/policies', zhao, seniorCard({ from: '2026-09-01', to: '2026-12-31' }));
    const later = await call('POST', '/policies', wang, seniorCard({ from: '2026-07-01', to: '2026-12-31' }));
    expect([late.body.version, later.body.version]).toEqual([4, 5]);
    await checkedAndSubmitted(4, zhao, '2026-09-01');
    await checkedAndSubmitted(5, wang, '2026-07-01');
    await call('POST', at(4, 'approve'), li, {});
    await call('POST', at(5, 'approve'), li, {});
    expect((await call('POST', at(5, 'publish'), li)).body).toMatchObject({ status: 'published' });

    const refused = await call('POST', at(4, 'publish'), li);
    expect(refused).toMatchObject({
      status: 409,
      body: {
        code: 'EFFECTIVE_OVERLAP',
        field: 'effective',
        message: expect.stringContaining('would never be in force where the published v5') as unknown,
        messageZh: expect.stringContaining('不会生效') as unknown,
      },
    });
    expect((await call('GET', at(4), li)).body.status).toBe('approved');
  });

  it('refuses, naming effective, a later version that would swallow a published one from its first day', async () => {
    // v6 starts in 2026 and runs on: published, it would replace v3 (2027 onwards) before v3 ever began.
    const open = await call('POST', '/policies', zhao, seniorCard({ from: '2026-10-01' }));
    expect(open.body.version).toBe(6);
    await checkedAndSubmitted(6, zhao, '2026-10-01');
    await call('POST', at(6, 'approve'), li, {});
    const refused = await call('POST', at(6, 'publish'), li);
    expect(refused.body).toMatchObject({
      code: 'EFFECTIVE_OVERLAP',
      field: 'effective',
      message: expect.stringContaining('end v6 on 2026-12-31 (effective.to)') as unknown,
    });
  });
});
