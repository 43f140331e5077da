/**
 * /sweeps over HTTP on the real stack: a seeded city of 300 residents is swept for the
 * old-age allowance through the API — requested, approved by a reviewer who did not request it
 * (nothing screened before), run once however often it is asked, followed to the end, listed;
 * paused, resumed and cancelled between slices, a request declined; with refusals for a date after
 * today, the requester approving (compared by user ID: one person in two roles is refused, a namesake
 * is not), a finished sweep, a missing token, an officer cancelling, and a bad policy version or date
 * naming its field (security review S5, abuse test 11).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays, cityToday } from '../domain/calendar.js';
import type { SweepView } from '../services/sweeps/service.js';
import { openSweepApi, type SweepApi } from './support/sweep-api.js';
import { slicesAroundPause } from './support/sweep-history.js';
import { testUser } from './support/users.js';
import { issueSession } from '../store/sessions.js';
import { nextDraftVersion } from './support/next-version.js';
import { sweepPartWorkflowId } from '../workflows/contracts/index.js';

const stack = inject('stack');
// Sweep workflow IDs are per namespace: dates no other test file sweeps, so files can run side by side.
const RESIDENTS = 300;
let env: SweepApi;

beforeAll(async () => {
  env = await openSweepApi(stack, 'apisweeps', { residents: RESIDENTS });
}, 120_000);

afterAll(async () => {
  await env?.close();
});

const call = async (method: 'GET' | 'POST', url: string, token?: string, payload?: object) => {
  const response = await env.api.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload ? { payload } : {}),
  });
  return { status: response.statusCode, body: response.json<SweepView & Record<string, unknown>>() };
};
const path = (id: string, action = '') => `/sweeps/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
/** A sweep as its requester's colleagues read it: sweeps are read with a staff token (sweep.read, security review S14). */
const view = async (id: string) => (await call('GET', path(id), env.officer)).body;

describe('launching a sweep', () => {
  it('refuses without a token, and names the field of a bad policy, version or date (abuse 11)', async () => {
    const start = (body: object, token: string | null = env.officer) =>
      call('POST', '/sweeps', token ?? undefined, body);
    expect(await start({ policyId: 'old-age-allowance', version: 1 }, null)).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED', messageZh: expect.stringContaining('令牌') as unknown },
    });
    expect(await start({ policyId: 'old-age-allowance', version: 7 })).toMatchObject({
      status: 404,
      body: { code: 'POLICY_NOT_FOUND', field: 'version' },
    });
    expect(await start({ policyId: 'no-such-policy', version: 1 })).toMatchObject({
      status: 404,
      body: { code: 'POLICY_NOT_FOUND', field: 'policyId' },
    });
    expect(await start({ policyId: 'old-age-allowance', version: 0 })).toMatchObject({
      status: 400,
      body: { code: 'BAD_REQUEST', field: 'version' },
    });
    expect(await start({ policyId: 'old-age-allowance' })).toMatchObject({ status: 400, body: { field: 'version' } });
    expect(await start({ policyId: 'old-age-allowance', version: 1, asOf: 'tomorrow' })).toMatchObject({
      status: 400,
      body: { field: 'asOf' },
    });
    expect(await start({ policyId: 'old-age-allowance', version: 1, asOf: '2026-02-30' })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_INPUT', field: 'asOf' },
    });
    for (const parts of [0, 17, 1.5, 'two'])
      expect(await start({ policyId: 'old-age-allowance', version: 1, parts }), String(parts)).toMatchObject({
        status: 400,
        body: { field: 'parts' },
      });
    // Every mode grants: a day to come is never swept (it would pay a period not yet come).
    const tomorrow = addDays(cityToday(), 1);
    expect(await start({ policyId: 'old-age-allowance', version: 1, asOf: tomorrow })).toMatchObject({
      status: 422,
      body: { code: 'FUTURE_AS_OF', field: 'asOf', messageZh: expect.stringContaining('晚于今天') as unknown },
    });
    const early = await start({ policyId: 'old-age-allowance', version: 1, asOf: '2023-06-01' });
    expect(early).toMatchObject({
      status: 422,
      body: {
        code: 'POLICY_NOT_IN_FORCE',
        field: 'asOf',
        message: expect.stringContaining('in force from 2024-01-01') as unknown,
      },
    });

    // A draft is not swept.
    const shipped = (await env.lifecycle.get('old-age-allowance', 1)).document;
    const draft = nextDraftVersion('old-age-allowance');
    const drafted = await call('POST', '/policies', env.officer, { ...shipped, version: draft });
    expect(drafted.status).toBe(201);
    expect(await start({ policyId: 'old-age-allowance', version: draft })).toMatchObject({
      status: 409,
      body: { code: 'POLICY_NOT_PUBLISHED', field: 'version', messageZh: expect.stringContaining('已发布') as unknown },
    });
    expect((await call('GET', '/sweeps', env.reviewer)).body).toEqual([]);
  });

  it('waits for a reviewer who did not request it, then screens everyone once and grants every eligible resident (abuse 11)', async () => {
    const body = { policyId: 'old-age-allowance', version: 1, asOf: '2026-11-03', sliceSize: 100 };
    const first = await call('POST', '/sweeps', env.officer, body);
    expect(first).toMatchObject({
      status: 202,
      body: {
        id: 'sweep:old-age-allowance@1:2026-11-03',
        created: true,
        status: 'awaiting-approval',
        asOf: '2026-11-03',
        policy: { id: 'old-age-allowance', version: 1 },
        requestedBy: '王芳',
        processed: 0,
        // November's allowance is a period before the current one: the reviewer sees it back-pays.
        approval: { status: 'awaiting-approval', backDated: true },
      },
    });
    const again = await call('POST', '/sweeps', env.reviewer, body);
    expect(again).toMatchObject({
      status: 202,
      body: { id: first.body.id, created: false, status: 'awaiting-approval' },
    });
    expect((await call('GET', '/sweeps?status=awaiting-approval', env.reviewer)).body).toMatchObject([
      { id: first.body.id },
    ]);

    // Nothing is screened or granted before the approval: no workflow, no grant.
    await expect(env.client.workflow.getHandle(first.body.id).describe()).rejects.toThrow();
    expect(await env.pipeline.models.Grant.countDocuments({ 'policy.id': 'old-age-allowance' })).toBe(0);
    for (const action of ['pause', 'resume'])
      expect(await call('POST', path(first.body.id, action), env.officer)).toMatchObject({
        status: 409,
        body: { code: 'AWAITING_APPROVAL', field: 'id' },
      });
    // An officer does not approve; a reviewer does.
    expect(await call('POST', path(first.body.id, 'approve'), env.officer)).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN_ROLE', messageZh: expect.stringContaining('申请人以外的审核人') as unknown },
    });
    const approved = await call('POST', path(first.body.id, 'approve'), env.reviewer);
    expect(approved).toMatchObject({
      status: 200,
      body: { id: first.body.id, approval: { status: 'approved', decidedBy: '李明' } },
    });
    expect(approved.body.status).not.toBe('awaiting-approval');

    await expect.poll(async () => (await view(first.body.id)).status, { timeout: 60_000 }).toBe('done');
    // Who launched it is for staff who work with policies (staff.names), who alone read sweeps (sweep.read).
    const done = await view(first.body.id);
    const grants = await env.pipeline.models.Grant.countDocuments({ 'policy.id': 'old-age-allowance' });
    expect(grants).toBeGreaterThan(5);
    expect(done).toMatchObject({
      total: RESIDENTS,
      processed: RESIDENTS,
      eligible: grants,
      granted: grants,
      grantsCreated: grants,
      noticesQueued: grants,
      slices: 4,
      requestedBy: '王芳',
    });
    expect(done.eligible + done.ineligible + done.undetermined).toBe(RESIDENTS);
    expect(JSON.stringify(done)).not.toMatch(/\d{17}[\dX]/);
    // The records name who launched it by user ID: the sweep, and the read of everyone it made.
    const db = env.pipeline.store.db!;
    expect(await db.collection('sweeps').findOne({ _id: first.body.id } as object)).toMatchObject({
      requestedBy: '王芳',
      requestedById: env.users.officer,
    });
    expect(await db.collection('programme_access').findOne({ _id: `sweep:${first.body.id}` } as object)).toMatchObject({
      requestedBy: '王芳',
      requestedById: env.users.officer,
    });

    // Launching the finished sweep again neither errors nor screens anyone again.
    const finished = await call('POST', '/sweeps', env.officer, body);
    expect(finished).toMatchObject({ status: 202, body: { created: false, status: 'done', processed: RESIDENTS } });
    expect(await env.pipeline.models.Grant.countDocuments({ 'policy.id': 'old-age-allowance' })).toBe(grants);

    const listed = await call('GET', '/sweeps?policyId=old-age-allowance&status=done', env.reviewer);
    expect(listed.body).toMatchObject([{ id: first.body.id, status: 'done', eligible: grants }]);
    expect((await call('GET', '/sweeps?status=paused', env.reviewer)).body).toEqual([]);
    expect(await call('GET', '/sweeps?status=whenever', env.reviewer)).toMatchObject({
      status: 400,
      body: { code: 'BAD_REQUEST' },
    });

    for (const action of ['pause', 'resume']) {
      expect(await call('POST', path(first.body.id, action), env.officer)).toMatchObject({
        status: 409,
        body: { code: 'SWEEP_FINISHED', field: 'id', messageZh: expect.stringContaining('已完成') as unknown },
      });
    }
    expect(await call('POST', path(first.body.id, 'cancel'), env.reviewer)).toMatchObject({
      status: 409,
      body: { code: 'SWEEP_FINISHED' },
    });
    expect(await call('GET', path('sweep:old-age-allowance@1:1999-01-01'), env.officer)).toMatchObject({
      status: 404,
      body: { code: 'NO_SWEEP', field: 'id' },
    });
  }, 90_000);
});

describe('steering a sweep', () => {
  it('pauses between slices, resumes, and is cancelled by a reviewer only, keeping what it granted', async () => {
    const requested = await call('POST', '/sweeps', env.reviewer, {
      policyId: 'old-age-allowance',
      version: 1,
      asOf: '2026-11-04',
      sliceSize: 20,
    });
    const id = requested.body.id;
    // Four eyes: the reviewer who requested it does not approve it; another reviewer does.
    expect(await call('POST', path(id, 'approve'), env.reviewer)).toMatchObject({
      status: 403,
      body: { code: 'FOUR_EYES', field: 'id', messageZh: expect.stringContaining('另一位审核人') as unknown },
    });
    expect(await call('POST', path(id, 'approve'), env.secondReviewer)).toMatchObject({
      status: 200,
      body: { approval: { decidedBy: '赵审核' } },
    });
    expect(await call('POST', path(id, 'pause'))).toMatchObject({ status: 401 });
    expect((await call('POST', path(id, 'pause'), env.officer)).status).toBe(200);
    await expect.poll(async () => (await view(id)).status, { timeout: 30_000 }).toBe('paused');
    const paused = await view(id);
    expect(paused.processed).toBeLessThan(RESIDENTS);
    expect(
      ((await call('GET', '/sweeps?status=paused', env.reviewer)).body as unknown as SweepView[]).map((s) => s.id),
    ).toEqual([id]);

    expect((await call('POST', path(id, 'resume'), env.officer)).status).toBe(200);
    await expect.poll(async () => (await view(id)).processed, { timeout: 30_000 }).toBeGreaterThan(paused.processed);

    const refused = await call('POST', path(id, 'cancel'), env.officer);
    expect(refused).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN_ROLE', messageZh: expect.stringContaining('只有审核人可以取消筛查') as unknown },
    });
    expect((await call('POST', path(id, 'cancel'), env.reviewer)).status).toBe(200);
    await expect.poll(async () => (await view(id)).status, { timeout: 30_000 }).toBe('cancelled');
    const cancelled = await view(id);
    expect(cancelled.processed).toBeLessThan(RESIDENTS);
    // Nothing moved while it was paused: its history has no slice scheduled between the pause and the resume.
    const around = await slicesAroundPause(env.client.workflow.getHandle(id));
    expect(around.whilePaused).toBe(0);
    expect(around.afterResume).toBeGreaterThan(0);
    expect(await call('POST', path(id, 'resume'), env.officer)).toMatchObject({
      status: 409,
      body: { code: 'SWEEP_FINISHED', messageZh: expect.stringContaining('已取消') as unknown },
    });

    // Newest first.
    const all = (await call('GET', '/sweeps', env.reviewer)).body as unknown as SweepView[];
    expect(all.map((s) => [s.asOf, s.status])).toEqual([
      ['2026-11-04', 'cancelled'],
      ['2026-11-03', 'done'],
    ]);
  }, 90_000);

  it('declines a request when a reviewer cancels it, and takes it again afterwards', async () => {
    const body = { policyId: 'old-age-allowance', version: 1, asOf: '2026-11-09' };
    const requested = await call('POST', '/sweeps', env.officer, body);
    const id = requested.body.id;
    expect(requested.body).toMatchObject({ status: 'awaiting-approval', created: true });
    expect(await call('POST', path(id, 'cancel'), env.secondReviewer)).toMatchObject({
      status: 200,
      body: { status: 'cancelled', processed: 0, approval: { status: 'declined', decidedBy: '赵审核' } },
    });
    expect(await call('POST', path(id, 'approve'), env.reviewer)).toMatchObject({
      status: 409,
      body: { code: 'SWEEP_FINISHED', messageZh: expect.stringContaining('驳回') as unknown },
    });
    await expect(env.client.workflow.getHandle(id).describe()).rejects.toThrow();
    // Asked for again, it waits for a reviewer again.
    expect(await call('POST', '/sweeps', env.officer, body)).toMatchObject({
      status: 202,
      body: { id, created: true, status: 'awaiting-approval', approval: { status: 'awaiting-approval' } },
    });
    expect((await call('POST', path(id, 'cancel'), env.reviewer)).body.status).toBe('cancelled');
  });

  it('compares the requester and the approver by user ID: one person in two roles may not approve, a namesake may (abuse 9)', async () => {
    const store = env.pipeline.store;
    // 钱伟 holds both staff roles (one user ID, a session in each); another 钱伟 is another person.
    const both = await testUser(store, '钱伟', 'officer', { roles: ['officer', 'reviewer'] });
    const asReviewer = (await issueSession(store, { userId: both.id, role: 'reviewer', kind: 'machine', via: 'test' }))
      .token;
    const namesake = await testUser(store, '钱伟', 'reviewer');
    // In two parts, side by side: the request keeps them for the sweep the approval starts.
    const requested = await call('POST', '/sweeps', both.token, {
      policyId: 'old-age-allowance',
      version: 1,
      asOf: '2026-11-18',
      sliceSize: 50,
      parts: 2,
    });
    expect(requested.body).toMatchObject({ status: 'awaiting-approval', requestedBy: '钱伟', requestedById: both.id });
    const id = requested.body.id;
    expect(await call('POST', path(id, 'approve'), asReviewer)).toMatchObject({
      status: 403,
      body: { code: 'FOUR_EYES', field: 'id' },
    });
    await expect(env.client.workflow.getHandle(id).describe()).rejects.toThrow();
    const approved = await call('POST', path(id, 'approve'), namesake.token);
    expect(approved).toMatchObject({
      status: 200,
      body: { approval: { status: 'approved', decidedBy: '钱伟', decidedById: namesake.id } },
    });
    expect(await env.pipeline.store.db!.collection('sweep_requests').findOne({ _id: id } as object)).toMatchObject({
      requestedById: both.id,
      decidedById: namesake.id,
    });
    // Who requested and who approved, by name or ID, is for staff (staff.names); nobody reads it without a token.
    expect(await call('GET', path(id))).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await view(id)).toMatchObject({ approval: { decidedBy: '钱伟', decidedById: namesake.id } });
    await expect.poll(async () => (await view(id)).status, { timeout: 60_000 }).toBe('done');
    expect(await view(id)).toMatchObject({ processed: RESIDENTS, total: RESIDENTS });
    expect(await env.pipeline.store.db!.collection('sweep_requests').findOne({ _id: id } as object)).toMatchObject({
      parts: 2,
    });
    for (const part of [0, 1])
      expect((await env.client.workflow.getHandle(sweepPartWorkflowId(id, part)).describe()).status.name).toBe(
        'COMPLETED',
      );
  }, 90_000);

  it('lets only staff who work with policies read sweeps: no token 401, an inspector or a citizen 403 naming who may, a supervisor reads them (security review S14)', async () => {
    const store = env.pipeline.store;
    const supervisor = (await testUser(store, '周督查', 'supervisor')).token;
    const inspector = (await testUser(store, '陈核查', 'inspector')).token;
    const citizen = (await testUser(store, '刘建国', 'citizen', { subjectKey: 'p_abcdefghijklmnopqrstuvwxyz' })).token;
    const one = path('sweep:old-age-allowance@1:2026-11-03');
    for (const url of ['/sweeps', one]) {
      expect(await call('GET', url), url).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      expect(await call('GET', url, 'x'), url).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      for (const token of [inspector, citizen])
        expect(await call('GET', url, token), url).toMatchObject({
          status: 403,
          body: {
            code: 'FORBIDDEN_ROLE',
            message: expect.stringContaining('only an officer, a reviewer or a supervisor may read sweeps') as unknown,
            messageZh: expect.stringContaining('查看主动筛查') as unknown,
          },
        });
    }
    const listed = (await call('GET', '/sweeps', supervisor)).body as unknown as SweepView[];
    expect(listed.map((s) => s.id)).toContain('sweep:old-age-allowance@1:2026-11-03');
    expect(await call('GET', one, supervisor)).toMatchObject({
      status: 200,
      body: { status: 'done', total: RESIDENTS, requestedBy: '王芳' },
    });
  });

  it('describes every sweep route with a tag and a summary in both languages', async () => {
    const doc = (await env.api.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { tags?: string[]; summary?: string }>>;
    }>();
    const ops = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/sweeps'))
      .flatMap(([p, byMethod]) => Object.entries(byMethod).map(([m, op]) => ({ route: `${m} ${p}`, ...op })));
    expect(ops.map((op) => op.route).sort()).toEqual([
      'get /sweeps',
      'get /sweeps/{id}',
      'post /sweeps',
      'post /sweeps/{id}/approve',
      'post /sweeps/{id}/cancel',
      'post /sweeps/{id}/pause',
      'post /sweeps/{id}/resume',
    ]);
    for (const op of ops) {
      expect(op.tags).toEqual(['sweeps']);
      expect(op.summary).toMatch(/[A-Za-z].* · .*[\u4e00-\u9fff]/);
    }
  });
});
