/**
 * `applyfree fact-request …` against the API on the real stack: an officer files a request (the
 * same filing twice files once), lists it, sees the department's answer and its alert, withdraws an
 * open one; refusals are one line with their code and field (exit 1), a wrong command line exits 2
 * with the usage, `--help` exits 0.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../api/server.js';
import { cityToday } from '../domain/calendar.js';
import { signDepartmentRequest, type DepartmentCredential } from '../domain/department-signature.js';
import { createFactRequestService, type FactRequestView } from '../services/fact-requests/service.js';
import { proposeFact } from '../services/catalog/service.js';
import { connectStore } from '../store/connection.js';
import { ALL_UP } from './support/all-up.js';
import { TEST_SECRET } from './support/city.js';
import { registerTestDepartment, testEventApi } from './support/departments.js';
import { finished, runEntry } from './support/run-node.js';
import { connectClient, uniqueTaskQueue } from './support/temporal.js';
import { testSessions, testUser } from './support/users.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 6);
let store: Connection;
let client: Client;
let api: FastifyInstance;
let url: string;
let closeEvents: () => Promise<void>;
let tax: DepartmentCredential;
const tokens = { officer: '', other: '', reviewer: '' };

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_cli_fact_requests_${randomUUID().slice(0, 8)}$1`),
  );
  client = await connectClient(stack.temporalAddress, stack.temporalNamespace);
  const events = testEventApi(stack.redisUrl, {
    store,
    temporal: client,
    taskQueue: uniqueTaskQueue('cli-fact-requests'),
    subjectKeySecret: TEST_SECRET,
    today: () => cityToday(),
  });
  closeEvents = events.close;
  tax = await registerTestDepartment(store, TEST_SECRET, {
    id: `tax-${run}`,
    name: { zh: '市税务局', en: 'Tax Bureau' },
    sources: ['tax'],
  });
  tokens.officer = (await testUser(store, '王芳', 'officer')).token;
  tokens.other = (await testUser(store, '张伟', 'officer')).token;
  tokens.reviewer = (await testUser(store, '李明', 'reviewer')).token;
  api = buildApi({
    sessions: testSessions(store),
    events: events.events,
    factRequests: createFactRequestService({
      store,
      proposeFact: (proposer, proposal) => proposeFact({ store }, proposer, proposal),
    }),
    health: ALL_UP,
  });
  url = await api.listen({ host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  await api?.close();
  await closeEvents?.();
  await client?.connection.close();
  await store?.dropDatabase();
  await store?.close();
});

const cli = (args: string[], token: string = tokens.officer) =>
  finished(runEntry('cli/main.ts', ['fact-request', ...args], { APPLYFREE_API_URL: url, APPLYFREE_TOKEN: token }));

const FILE = [
  'file',
  '--what',
  '企业研发费用加计扣除额',
  '--key',
  'enterprise.rdDeduction',
  '--type',
  'number',
  '--why',
  '科技型中小企业研发补助按加计扣除额的 10% 发放',
  '--policy',
  'sme-rd-subsidy',
  '--legal-basis',
  '《中华人民共和国税收征收管理法》第八条',
  '--source',
  'tax',
];

describe('applyfree fact-request', () => {
  let id: string;

  it('files a request once, however often the same filing is made, and lists it', async () => {
    const filed = await cli(FILE);
    expect([filed.code, filed.stderr]).toEqual([0, '']);
    expect(filed.stdout).toMatch(/^filed 已提出 fr_[a-z2-7]{26}: 市税务局 answers by /);
    id = /fr_[a-z2-7]{26}/.exec(filed.stdout)![0];
    const again = await cli(FILE);
    expect(again.stdout).toContain(`filed before 此前已提出 ${id}`);
    const listed = await cli(['list', '--json']);
    expect((JSON.parse(listed.stdout) as { requests: FactRequestView[] }).requests.map((r) => r.id)).toEqual([id]);
    const human = await cli(['list', '--status', 'open'], tokens.reviewer);
    expect(human.stdout).toContain(`${id}  open · 待答复  tax-${run}  enterprise.rdDeduction  sme-rd-subsidy`);
  });

  it('shows the department’s refusal with its reason, and the alert in the list', async () => {
    const path = `/department/fact-requests/${id}/refuse`;
    const body = JSON.stringify({ reason: '涉税信息须经纳税人授权后共享' });
    const refused = await api.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json', ...signDepartmentRequest(tax, { method: 'POST', path, body }) },
      payload: body,
    });
    expect(refused.statusCode, refused.body).toBe(200);
    const shown = await cli(['show', id]);
    expect(shown.stdout).toContain('refused 已拒绝');
    expect(shown.stdout).toContain('涉税信息须经纳税人授权后共享');
    expect((await cli(['list'])).stdout).toMatch(/^! .*市税务局拒绝了数据需求/);
    const withdraw = await cli(['withdraw', id]);
    expect([withdraw.code, withdraw.stderr]).toEqual([1, expect.stringContaining('FACT_REQUEST_CLOSED [id]')]);
  });

  it('withdraws an open request only for the officer who filed it', async () => {
    const filed = await cli([...FILE.slice(0, 2), '纳税信用等级', ...FILE.slice(3), '--json']);
    const open = (JSON.parse(filed.stdout) as { request: FactRequestView }).request.id;
    const other = await cli(['withdraw', open], tokens.other);
    expect([other.code, other.stderr]).toEqual([1, expect.stringContaining('NOT_FILER [id]')]);
    const own = await cli(['withdraw', open]);
    expect([own.code, own.stdout]).toEqual([0, expect.stringContaining(`withdrawn 已撤回 ${open}`)]);
  });

  it('refuses a bad field as one line naming it, a wrong command line with exit 2, and --help exits 0', async () => {
    const badKey = await cli(FILE.map((arg) => (arg === 'enterprise.rdDeduction' ? 'rdDeduction' : arg)));
    expect([badKey.code, badKey.stderr]).toEqual([1, expect.stringContaining('BAD_VALUE [fact.key]')]);
    const reviewer = await cli(FILE, tokens.reviewer);
    expect([reviewer.code, reviewer.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN_ROLE')]);
    expect(await cli(['file', '--what', 'x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--why') });
    expect(await cli(['show'])).toMatchObject({ code: 2 });
    const help = await cli(['--help']);
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('usage: applyfree fact-request')]);
  });
});
