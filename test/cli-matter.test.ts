/**
 * `applyfree matter` as the public, an officer and a reviewer would use it against a running API:
 * the list in force with each matter proof-free or not and the counts by method; one matter with
 * each proof and how it is obtained now; an officer's version that drops a matter is refused
 * naming it; a reviewer publishes the officer's next version, which the public list then shows.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { putMattersInForce, type Matter } from '../domain/matters.js';
import { STARTER_MATTER_LIST, STARTER_MATTERS } from '../domain/matters-starter.js';
import { createMattersService, openMatters } from '../services/matters/service.js';
import { connectStore } from '../store/connection.js';
import { ALL_UP } from './support/all-up.js';
import { finished, runEntry } from './support/run-node.js';
import { testSessions, testToken } from './support/users.js';

const stack = inject('stack');
let store: Connection;
let api: FastifyInstance;
let url: string;
let dir: string;
const tokens = {} as Record<'officer' | 'reviewer', string>;

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_climatter_${randomUUID().slice(0, 8)}$1`),
  );
  await openMatters({ store });
  tokens.officer = await testToken(store, '王芳', 'officer');
  tokens.reviewer = await testToken(store, '李明', 'reviewer');
  api = buildApi({ sessions: testSessions(store), matters: createMattersService({ store }), health: ALL_UP });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'applyfree-matter-'));
});

afterAll(async () => {
  putMattersInForce(STARTER_MATTER_LIST);
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], token?: string) =>
  finished(
    runEntry('cli/main.ts', ['matter', ...args], {
      APPLYFREE_API_URL: url,
      ...(token ? { APPLYFREE_TOKEN: token } : {}),
    }),
  );

const file = (name: string, matters: readonly Matter[]) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ matters }));
  return path;
};

describe('applyfree matter', () => {
  it('lists the list in force for anyone, by subject, with each matter proof-free or not', async () => {
    const listed = await cli(['list']);
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    expect(listed.stdout).toContain('list of matters v1, published 2026-12-01 · 用证事项清单第 1 版');
    expect(listed.stdout).toMatch(
      /^public-rental-housing +公共租赁住房申请 · 市住房和城乡建设局 · 20个工作日 · 免提交/m,
    );
    expect(listed.stdout).toMatch(/^birth-registration +.*1 项仍需提交/m);
    const firms = await cli(['list', '--subject', 'enterprise', '--json']);
    const list = JSON.parse(firms.stdout) as { matters: Array<{ subject: string }> };
    expect(list.matters.length).toBeGreaterThanOrEqual(10);
    expect(new Set(list.matters.map((m) => m.subject))).toEqual(new Set(['enterprise']));
  });

  it('shows a matter: its form fields’ sources and each proof with how it is obtained now', async () => {
    const shown = await cli(['show', 'home-care-service-subsidy']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/出生日期 +免填写 ← person\.birthDate/);
    expect(shown.stdout).toContain('户口簿 (公安机关) → 数据共享 (shared data): person.localHukou, person.birthDate');
    expect(shown.stdout).toContain('→ 部门核验 (verified by the department): receives-social-assistance');
    const missing = await cli(['show', 'no-such-matter']);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('MATTER_NOT_FOUND')]);
  });

  it('refuses a version that drops a matter, naming it; a reviewer publishes the officer’s next version', async () => {
    const dropped = await cli(['draft', file('dropped.json', STARTER_MATTERS.slice(1))], tokens.officer);
    expect([dropped.code, dropped.stderr]).toEqual([1, expect.stringContaining('home-care-service-subsidy')]);
    expect(dropped.stderr).toContain('MATTERS_INVALID');

    const renamed = STARTER_MATTERS.map((m) =>
      m.id === 'temporary-assistance' ? { ...m, timeLimitWorkingDays: 5 } : m,
    );
    const drafted = await cli(['draft', file('next.json', renamed), '--json'], tokens.officer);
    expect([drafted.code, drafted.stderr]).toEqual([0, '']);
    const id = (JSON.parse(drafted.stdout) as { id: string; status: string }).id;
    const own = await cli(['approve', id], tokens.officer);
    expect([own.code, own.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN_ROLE')]);
    const approved = await cli(['approve', id, '--note', '时限压缩'], tokens.reviewer);
    expect([approved.code, approved.stdout]).toEqual([
      0,
      expect.stringContaining(`${id}  published  34 matters  → v2`),
    ]);
    expect((await cli(['versions'])).stdout).toMatch(/^v2 +\d{4}-\d{2}-\d{2} +officer 李明 +34 matters, \+0/m);
    expect((await cli(['list'])).stdout).toMatch(/^temporary-assistance +临时救助申请 · 市民政局 · 5个工作日/m);
  });
});
