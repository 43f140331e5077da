/**
 * /policies over HTTP on the real store, and the CLI against it: tokens name the person,
 * roles and four-eyes are enforced with bilingual refusals, and a version goes from draft
 * to published.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { createPolicyLifecycle } from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import { connectStore } from '../store/connection.js';
import { testSessions, testToken } from './support/users.js';
import { finished, runEntry } from './support/run-node.js';
import { ALL_UP } from './support/all-up.js';

const stack = inject('stack');
const dir = mkdtempSync(join(tmpdir(), 'applyfree-policy-cli-'));
let store: Connection;
let api: FastifyInstance;
let apiUrl: string;
let officer: string;
let reviewer: string;

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_policyapi_${randomUUID().slice(0, 8)}$1`),
  );
  const lifecycle = createPolicyLifecycle(store);
  await lifecycle.importCatalog((await loadPolicyCatalog()).policies);
  officer = await testToken(store, '王芳', 'officer');
  reviewer = await testToken(store, '李明', 'reviewer');
  api = buildApi({
    sessions: testSessions(store),
    policies: {
      lifecycle,
      simulation: createSimulationRunner({ store, lifecycle }),
    },
    health: ALL_UP,
  });
  apiUrl = await api.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = async (method: 'GET' | 'POST' | 'PUT', url: string, token?: string, payload?: unknown) => {
  const response = await api.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
};

const cli = (args: string[], token?: string) =>
  finished(
    runEntry('cli/main.ts', ['policy', ...args], {
      APPLYFREE_API_URL: apiUrl,
      ...(token ? { APPLYFREE_TOKEN: token } : {}),
    }),
  );

describe('the policy API', () => {
  it('asks for a token, and refuses a role what it may not do, in both languages', async () => {
    const senior = (await loadPolicyCatalog()).policies.find((p) => p.id === 'senior-preferential-card')!;
    expect(await call('POST', '/policies', undefined, senior)).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED' },
    });
    expect(await call('POST', '/policies', 'af_not-a-token', senior)).toMatchObject({
      status: 401,
      body: { messageZh: '令牌无效' },
    });
    const refused = await call('POST', '/policies', reviewer, senior);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      code: 'FORBIDDEN_ROLE',
      message: expect.stringContaining('only an officer may write policy drafts') as unknown,
      messageZh: expect.stringContaining('政策经办人') as unknown,
    });
    expect(await call('GET', '/policies/senior-preferential-card/versions/0')).toMatchObject({
      status: 400,
      body: { code: 'BAD_REQUEST' },
    });
  });

  it('takes a version from draft to published with the CLI, four eyes included', async () => {
    const senior = (await loadPolicyCatalog()).policies.find((p) => p.id === 'senior-preferential-card')!;
    const file = join(dir, 'senior-v2.json');
    writeFileSync(file, JSON.stringify({ ...senior, offer: { ...senior.offer!, expiresAfterDays: 60 } }, null, 2));

    expect((await cli(['validate', file])).code).toBe(0);
    const drafted = await cli(['draft', file], officer);
    expect(drafted.stdout).toContain('drafted senior-preferential-card v2');
    expect((await cli(['check', 'senior-preferential-card', '2'], officer)).code).toBe(0);
    const early = await cli(['submit', 'senior-preferential-card', '2'], officer);
    expect([early.code, early.stderr]).toEqual([
      1,
      expect.stringContaining('CHECKS_REQUIRED [status]: submit needs a finished impact simulation'),
    ]);
    const simulated = await cli(['simulate', 'senior-preferential-card', '2', '--as-of', '2026-01-10'], officer);
    expect(simulated.code).toBe(0);
    expect(simulated.stdout).toContain('senior-preferential-card v2 as of 2026-01-10 over 0 residents');
    // No residents: every count is below 10, so withheld (S7).
    expect(simulated.stdout).toMatch(/winners 新增受益 <10 · losers 不再受益 <10/);
    expect(simulated.stdout).toContain('count(s) below 10, or that would give one away, withheld');
    expect((await cli(['submit', 'senior-preferential-card', '2', '--note', '延长确认期'], officer)).code).toBe(0);
    const self = await cli(['approve', 'senior-preferential-card', '2'], officer);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('FORBIDDEN_ROLE');
    expect((await cli(['approve', 'senior-preferential-card', '2'], reviewer)).code).toBe(0);
    const published = await cli(['publish', 'senior-preferential-card', '2', '--json'], reviewer);
    expect(JSON.parse(published.stdout)).toMatchObject({
      status: 'published',
      approvedBy: '李明',
      submittedBy: '王芳',
    });

    const diff = await cli(['diff', 'senior-preferential-card', '1', '2']);
    expect(diff.stdout).toContain('~ offer.expiresAfterDays: 30 → 60');
    const history = await call('GET', '/policies/senior-preferential-card/history', reviewer);
    expect((history.body as unknown as Array<{ action: string }>).map((e) => e.action)).toEqual([
      'imported',
      'created',
      'validated',
      'tested',
      'simulated',
      'submitted',
      'approved',
      'published',
    ]);
  });

  it('reports every issue of a broken file with its path, and exits 1', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify({ id: 'Bad Id', version: 1 }));
    const { code, stdout } = await cli(['validate', file]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^ {2}id: must be kebab-case, e\.g\. "childcare-subsidy" · 必须由小写英文字母、数字和短横线组成/m,
    );
    expect(stdout).toMatch(/^ {2}conditions: .* · 必须是 \{ "all": \[\.\.\.\] \}（全部满足）/m);
  });

  it('answers every validation issue of a draft in English and Chinese, on validate and on a refused test run', async () => {
    const childcare = (await loadPolicyCatalog()).policies.find((p) => p.id === 'childcare-subsidy')!;
    const broken = structuredClone(childcare) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    broken.namedConditions.localHukou.fact = 'person.hukouSince';
    broken.mode = 'sometimes';
    expect(await call('POST', '/policies', officer, broken)).toMatchObject({ status: 201, body: { version: 2 } });

    const validated = await call('POST', '/policies/childcare-subsidy/versions/2/validate', officer);
    expect(validated.status).toBe(200);
    const issues = validated.body.issues as Array<{ path: string; message: string; messageZh: string }>;
    expect(issues).toEqual(
      expect.arrayContaining([
        {
          path: 'mode',
          message: 'must be "auto", "offer" or "pledge"',
          messageZh: '必须是 "auto"（免申即享）、"offer"（一键确认）或 "pledge"（告知承诺）',
        },
        {
          path: 'namedConditions.localHukou.fact',
          message: 'fact "person.hukouSince" is not declared in facts',
          messageZh: '数据项 "person.hukouSince"（落户日期）未在数据清单（facts）中声明',
        },
      ]),
    );
    for (const issue of issues) expect(issue.messageZh, issue.message).toMatch(/\p{Script=Han}/u);

    // A refusal carries the issues through the error schema, Chinese included.
    const refused = await call('POST', '/policies/childcare-subsidy/versions/2/test', officer);
    expect(refused).toMatchObject({
      status: 422,
      body: { code: 'POLICY_INVALID', messageZh: expect.stringContaining('校验问题') as unknown },
    });
    expect(refused.body.issues).toEqual(issues);
  });
});
