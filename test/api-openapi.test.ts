/**
 * The API describes itself: the OpenAPI document lists the policy lifecycle with its methods,
 * the bearer scheme and a summary on every route; Swagger UI is served at /docs; the policy
 * JSON Schema at /schemas/policy.json. And the cross-policy checks answer through the API:
 * GET /policies/checks over the published set, and validate refusing a draft they fault.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createPolicyLifecycle, type PolicyLifecycle } from '../services/policies/lifecycle.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import type { Condition, Policy } from '../rules/types.js';
import { connectStore } from '../store/connection.js';
import { testSessions, testToken } from './support/users.js';
import { ALL_UP } from './support/all-up.js';

const stack = inject('stack');
let store: Connection;
let api: FastifyInstance;
let lifecycle: PolicyLifecycle;
let officer: string;
let shipped: readonly Policy[];

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_openapi_${randomUUID().slice(0, 8)}$1`),
  );
  lifecycle = createPolicyLifecycle(store);
  shipped = (await loadPolicyCatalog()).policies;
  await lifecycle.importCatalog(shipped);
  officer = await testToken(store, '王芳', 'officer');
  api = buildApi({
    sessions: testSessions(store),
    policies: { lifecycle },
    events: {
      ingest: async () => {
        throw new Error('no events in this test');
      },
      authenticate: async () => ({ failure: 'no events in this test' }),
      rateLimit: { max: 1, timeWindowMs: 60_000 },
    },
    summary: async () => ({}),
    health: ALL_UP,
    // Every route group is registered so the document lists them all; these services are never called here.
    sweeps: {} as never,
    cases: {} as never,
    objections: {} as never,
    outreach: {} as never,
    citizen: {} as never,
    metrics: {} as never,
    ledger: {} as never,
    entitlements: {} as never,
    codes: { codes: {} as never, authenticate: async () => ({ failure: 'no scans in this test' }) },
    certificates: {} as never,
    window: {} as never,
    matters: {} as never,
  });
  await api.ready();
});

afterAll(async () => {
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
});

type Operation = { summary?: string; tags?: string[]; security?: Array<Record<string, unknown>> };
type OpenApi = {
  info: { title: string; description: string };
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

const get = async (url: string, token?: string) =>
  api.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('the OpenAPI document', () => {
  it('lists the policy lifecycle paths with their methods, and the service routes', async () => {
    const response = await get('/openapi.json');
    expect(response.statusCode).toBe(200);
    const doc = response.json<OpenApi>();
    const methods = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
    expect(methods('/policies')).toEqual(['get', 'post']);
    expect(methods('/policies/{id}/versions/{version}')).toEqual(['get', 'put']);
    for (const step of ['validate', 'test', 'submit', 'approve', 'reject', 'publish', 'retire'])
      expect(methods(`/policies/{id}/versions/{version}/${step}`)).toContain('post');
    expect(methods('/policies/{id}/history')).toEqual(['get']);
    expect(methods('/policies/{id}/diff')).toEqual(['get']);
    expect(methods('/policies/checks')).toEqual(['get']);
    expect(methods('/schemas/policy.json')).toEqual(['get']);
    expect(methods('/events')).toEqual(['post']);
    expect(methods('/sweeps')).toEqual(['get', 'post']);
    expect(methods('/cases')).toEqual(['get']);
    expect(methods('/cases/search')).toEqual(['post']);
    expect(methods('/objections')).toEqual(['get', 'post']);
    expect(methods('/certificates/verify')).toEqual(['post']);
    expect(methods('/seals')).toEqual(['get']);
    expect(methods('/me/certificates/{id}')).toEqual(['get']);
    expect(methods('/health')).toEqual(['get']);
    expect(methods('/health/live')).toEqual(['get']);
    expect(doc.paths['/openapi.json']).toBeUndefined();
  });

  it('declares the bearer scheme, used by the routes that name a person, the department scheme of /events, and info and tags in both languages', async () => {
    const doc = (await get('/openapi.json')).json<OpenApi>();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/policies'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/policies/{id}/versions/{version}/approve'].post.security).toEqual([{ bearer: [] }]);
    // Departments sign what they publish (README, Departments).
    expect(doc.components.securitySchemes.department).toMatchObject({ type: 'apiKey', name: 'x-applyfree-signature' });
    expect(doc.paths['/events'].post.security).toEqual([{ department: [] }]);
    // Verifiers sign their scans the same way; holders ask for codes with their token (README, Resident and enterprise codes).
    expect(doc.components.securitySchemes.verifier).toMatchObject({ type: 'apiKey', name: 'x-applyfree-signature' });
    expect(doc.paths['/codes/scan'].post.security).toEqual([{ verifier: [] }]);
    expect(doc.paths['/me/codes'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.info.description).toMatch(/免申即享/);
    expect(doc.info.description).toMatch(/Apply-free/);
    expect(doc.tags.map((t) => t.name)).toEqual([
      'events',
      'policies',
      'simulation',
      'explain',
      'sweeps',
      'payroll',
      'ledger',
      'cases',
      'codes',
      'catalog',
      'matters',
      'citizen',
      'certificates',
      'metrics',
      'objections',
      'window',
      'outreach',
      'fact-requests',
      'applications',
      'verifications',
      'tasks',
      'sign-in',
      'console',
      'health',
    ]);
    // Whoever is signed in signs out on the server, with the token (or the console's cookie) they signed in with.
    expect(doc.paths['/auth/sign-out'].post.security).toEqual([{ bearer: [] }]);
  });

  it('gives every route a summary and a tag', async () => {
    const doc = (await get('/openapi.json')).json<OpenApi>();
    const operations = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, ...op })),
    );
    expect(operations.length).toBeGreaterThan(15);
    expect(operations.filter((op) => !op.summary?.trim()).map((op) => op.route)).toEqual([]);
    expect(operations.filter((op) => !op.tags?.length).map((op) => op.route)).toEqual([]);
    // Every tag a route uses is declared, with its description, so Swagger UI groups it under a heading.
    const declared = new Set(doc.tags.map((t) => t.name));
    expect(
      operations.filter((op) => op.tags?.some((tag) => !declared.has(tag))).map((op) => `${op.route} ${op.tags}`),
    ).toEqual([]);
  });

  it('speaks OpenAPI 3.0 schema: exclusive bounds are booleans beside a minimum or maximum, never numbers', async () => {
    // A numeric exclusiveMinimum is JSON Schema 2019; an OpenAPI 3.0 client (Schemathesis, code generators)
    // rejects the whole operation for it, and the fuzz run once skipped POST /sweeps so.
    const numericBounds: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${at}[${i}]`));
      else if (node && typeof node === 'object')
        for (const [key, value] of Object.entries(node)) {
          if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value !== 'boolean')
            numericBounds.push(`${at}.${key}`);
          walk(value, `${at}.${key}`);
        }
    };
    walk((await get('/openapi.json')).json(), '$');
    expect(numericBounds).toEqual([]);
  });

  it('is browsable in Swagger UI at /docs', async () => {
    const response = await get('/docs');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toMatch(/swagger-ui/i);
  });

  it('publishes the policy JSON Schema at /schemas/policy.json', async () => {
    const response = await get('/schemas/policy.json');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: '政策文档 · Policy document',
    });
  });
});

describe('the cross-policy checks through the API', () => {
  it('refuse a draft whose conditions can never hold, at the contradicting condition', async () => {
    const card = structuredClone(shipped.find((p) => p.id === 'senior-preferential-card')!);
    (card.conditions as { all: Condition[] }).all.push({ fact: 'person.birthDate', operator: 'ageBelow', value: 55 });
    const draft = await api.inject({
      method: 'POST',
      url: '/policies',
      headers: { authorization: `Bearer ${officer}` },
      payload: card as object,
    });
    expect(draft.statusCode).toBe(201);
    const validated = await api.inject({
      method: 'POST',
      url: '/policies/senior-preferential-card/versions/2/validate',
      headers: { authorization: `Bearer ${officer}` },
    });
    expect(validated.statusCode).toBe(200);
    expect(validated.json()).toMatchObject({
      valid: false,
      issues: [
        {
          path: 'conditions.all[3]',
          message: expect.stringContaining('can never all hold') as unknown,
          messageZh: expect.stringMatching(/[\u4e00-\u9fff]/) as unknown,
        },
      ],
      warnings: [],
    });
  });

  it('answer GET /policies/checks over the published set: clean for the shipped catalog, then the duplicate benefit once published', async () => {
    const clean = await get('/policies/checks');
    expect(clean.statusCode).toBe(200);
    // Clean but for one warning: old-age-allowance v1 reads its age band on the day judged (v2 fixes it).
    expect(clean.json()).toEqual({
      checked: shipped.length,
      errors: 0,
      warnings: 1,
      findings: [
        expect.objectContaining({
          check: 'day-dependent-amount',
          severity: 'warning',
          policyId: 'old-age-allowance',
          version: 1,
          path: 'benefit.amount.bandFrom',
        }),
      ],
    });

    const copy = {
      ...structuredClone(shipped.find((p) => p.id === 'old-age-allowance')!),
      id: 'longevity-allowance',
      effective: { from: '2025-01-01' },
    };
    // The same benefit, by its code in the list of benefits (the shipped version is mapped to it by id).
    copy.benefit = { ...copy.benefit, code: 'ELDER-ALLOWANCE' };
    await lifecycle.importCatalog([copy]);
    const body = (await get('/policies/checks')).json<{
      checked: number;
      errors: number;
      findings: Array<Record<string, unknown>>;
    }>();
    // The copy grants the allowance twice beside each shipped version of it, both sides reported.
    const allowanceVersions = shipped.filter((p) => p.id === 'old-age-allowance').length;
    expect(body).toMatchObject({ checked: shipped.length + 1, errors: 2 * allowanceVersions });
    expect(body.findings).toContainEqual(
      expect.objectContaining({
        check: 'duplicate-benefit',
        policyId: 'longevity-allowance',
        path: 'benefit.code',
        otherPolicyId: 'old-age-allowance',
        messageZh: expect.stringContaining('重复享受') as unknown,
      }),
    );
  });
});
