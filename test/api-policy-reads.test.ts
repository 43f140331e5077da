/**
 * Who reads which policy versions: published and retired ones are the public record; drafts,
 * versions under review and the change history are for officers, reviewers and supervisors.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { connectStore } from '../store/connection.js';
import { testSessions, testToken } from './support/users.js';
import { subjectKey } from '../domain/pseudonym.js';
import { ALL_UP } from './support/all-up.js';

const stack = inject('stack');
let store: Connection;
let api: FastifyInstance;
const tokens: Record<'officer' | 'supervisor' | 'citizen' | 'inspector', string> = {
  officer: '',
  supervisor: '',
  citizen: '',
  inspector: '',
};

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_policyreads_${randomUUID().slice(0, 8)}$1`),
  );
  const lifecycle = createPolicyLifecycle(store);
  const { policies } = await loadPolicyCatalog();
  await lifecycle.importCatalog(policies);
  tokens.officer = await testToken(store, '王芳', 'officer');
  tokens.supervisor = await testToken(store, '赵敏', 'supervisor');
  tokens.inspector = await testToken(store, '孙强', 'inspector');
  tokens.citizen = await testToken(store, '市民', 'citizen', {
    subjectKey: subjectKey('person', '110101199001011237', 'test-secret'),
  });
  const senior = policies.find((p) => p.id === 'senior-preferential-card')!;
  // A draft of version 2, with a changed confirmation period.
  await lifecycle.createDraft(
    { id: 'u_wang', name: '王芳', role: 'officer' },
    { ...senior, version: 2, offer: { ...senior.offer, expiresAfterDays: 45 } },
  );
  api = buildApi({ sessions: testSessions(store), policies: { lifecycle }, health: ALL_UP });
});

afterAll(async () => {
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
});

const get = async (url: string, token?: string) => {
  const response = await api.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return {
    status: response.statusCode,
    body: response.json<Record<string, unknown> & Array<{ policyId: string; version: number; status: string }>>(),
  };
};

describe('reading policies', () => {
  it('lists only published versions without a staff token, every version with one', async () => {
    const anonymous = await get('/policies');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.length).toBeGreaterThan(0);
    expect(new Set(anonymous.body.map((v) => v.status))).toEqual(new Set(['published']));
    for (const token of [tokens.citizen, tokens.inspector]) {
      expect((await get('/policies', token)).body.some((v) => v.status === 'draft')).toBe(false);
    }
    for (const token of [tokens.officer, tokens.supervisor]) {
      const all = (await get('/policies', token)).body;
      expect(all.find((v) => v.policyId === 'senior-preferential-card' && v.version === 2)).toMatchObject({
        status: 'draft',
      });
      expect(all.length).toBe(anonymous.body.length + 1);
    }
    // A mistyped token is refused, not quietly answered with less.
    expect(await get('/policies', 'af_not-a-token')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  });

  it('shows a draft, its diff and the history only to officers, reviewers and supervisors; to others a draft is no version at all', async () => {
    const draft = '/policies/senior-preferential-card/versions/2';
    // The same answer as a version that does not exist: no one learns a draft is there (S21).
    const absent = await get('/policies/senior-preferential-card/versions/9');
    expect(absent).toMatchObject({ status: 404, body: { code: 'POLICY_NOT_FOUND' } });
    for (const token of [undefined, tokens.citizen, tokens.inspector]) {
      const hidden = await get(draft, token);
      expect(hidden).toMatchObject({ status: 404, body: { code: 'POLICY_NOT_FOUND' } });
      expect(String(hidden.body.message).replace('2', '#')).toBe(String(absent.body.message).replace('9', '#'));
    }
    expect(await get(draft, 'af_not-a-token')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await get(draft, tokens.supervisor)).toMatchObject({ status: 200, body: { status: 'draft' } });
    // The published version is public.
    expect(await get('/policies/senior-preferential-card/versions/1')).toMatchObject({
      status: 200,
      body: { status: 'published' },
    });

    expect((await get('/policies/senior-preferential-card/diff?from=1&to=2')).status).toBe(404);
    const diff = await get('/policies/senior-preferential-card/diff?from=1&to=2', tokens.officer);
    expect(diff.body.changes).toContain('~ offer.expiresAfterDays: 30 → 45');

    expect((await get('/policies/senior-preferential-card/history')).status).toBe(401);
    expect((await get('/policies/senior-preferential-card/history', tokens.inspector)).status).toBe(403);
    const history = await get('/policies/senior-preferential-card/history', tokens.supervisor);
    expect((history.body as unknown as Array<{ action: string; actor: string }>).map((e) => e.action)).toEqual([
      'imported',
      'created',
    ]);
  });
});
