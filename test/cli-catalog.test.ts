/**
 * `applyfree catalog` as an officer and a reviewer would use it against a running API: the
 * catalog in force with each fact's coverage in words; an officer drafts an addition from a file
 * and submits it; a bad file is refused naming the field; the officer cannot approve their own;
 * a reviewer approves, which publishes the next version.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { useShippedCatalog } from '../domain/sources.js';
import { createCatalogService, openCatalog } from '../services/catalog/service.js';
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
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_clicatalog_${randomUUID().slice(0, 8)}$1`),
  );
  await openCatalog({ store });
  tokens.officer = await testToken(store, '王芳', 'officer');
  tokens.reviewer = await testToken(store, '李明', 'reviewer');
  api = buildApi({ sessions: testSessions(store), catalog: createCatalogService({ store }), health: ALL_UP });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'applyfree-catalog-'));
});

afterAll(async () => {
  useShippedCatalog();
  await api?.close();
  await store?.dropDatabase();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], token: string = tokens.officer) =>
  finished(runEntry('cli/main.ts', ['catalog', ...args], { APPLYFREE_API_URL: url, APPLYFREE_TOKEN: token }));

const addition = (unit?: object) => ({
  sourceId: 'social-insurance',
  facts: [
    {
      key: 'person.maternityInsuranceMonths',
      type: 'number',
      sensitivity: 'personal',
      label: { zh: '生育保险累计缴费月数', en: 'months of maternity-insurance contributions' },
      ...(unit ? { unit } : {}),
      coverage: 'absent-means-no',
      synthetic: { kind: 'integer', min: 0, max: 360 },
    },
  ],
});

describe('applyfree catalog', () => {
  it('lists the catalog in force with coverage in words', async () => {
    const listed = await cli(['list']);
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    expect(listed.stdout).toContain('data catalog v1 · 数据目录第 1 版');
    expect(listed.stdout).toMatch(/person\.disabilityCertified .*无记录即"否"/);
    expect(listed.stdout).toMatch(/person\.birthDate .*无记录即"未知"/);
  });

  it('drafts from a file, refuses a bad one naming the field, and a reviewer publishes what the officer submitted', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(addition()));
    const refused = await cli(['draft', bad]);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('CATALOG_INVALID [facts[0].unit]')]);

    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(addition({ zh: '月', en: 'months' })));
    const drafted = await cli(['draft', good, '--json']);
    expect(drafted.code).toBe(0);
    const id = (JSON.parse(drafted.stdout) as { id: string }).id;
    expect((await cli(['submit', id])).stdout).toContain(`${id}  submitted`);
    const own = await cli(['approve', id]);
    expect([own.code, own.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN_ROLE')]);
    const approved = await cli(['approve', id, '--note', '依据充分'], tokens.reviewer);
    expect([approved.code, approved.stdout]).toEqual([
      0,
      expect.stringContaining('published  person.maternityInsuranceMonths  → v2'),
    ]);
    expect((await cli(['versions'])).stdout).toMatch(/^v2 .* 李明 {2}\+1 person\.maternityInsuranceMonths/m);
    expect((await cli(['show', id])).stdout).toMatch(/approved +李明 — 依据充分/);
  });
});
