/**
 * The list of matters as data, on the real store: the starter list is published once as version
 * 1, whoever starts first; an officer drafts the next version, submits it, and a reviewer who did
 * not draft it approves it, which publishes it and puts it in force (the drafter alone is refused
 * FOUR_EYES; a retried approval publishes once); a process that did not publish it follows the
 * store; a version that drops a matter, or turns a replaced proof back into paper, is refused
 * naming the matter, with nothing written; published versions are hash-chained.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectStore } from '../store/connection.js';
import { verifyStream } from '../store/audit-verify.js';
import {
  createMattersService,
  MatterError,
  openMatters,
  type MatterActor,
  type MattersService,
} from '../services/matters/service.js';
import { matterDrafts, matterVersions, refreshMatters } from '../store/matter-versions.js';
import { findMatter, mattersInForce, putMattersInForce, type Matter } from '../domain/matters.js';
import { STARTER_MATTER_LIST, STARTER_MATTERS } from '../domain/matters-starter.js';

const stack = inject('stack');
let store: Connection;
let matters: MattersService;

const wang: MatterActor = { id: 'u_wang', name: '王芳', role: 'officer' };
const li: MatterActor = { id: 'u_li', name: '李明', role: 'reviewer' };
const zhou: MatterActor = { id: 'u_zhou', name: '周敏', role: 'reviewer' };

/** 独生子女父母奖励: a matter the city adds in its next version. */
const newMatter: Matter = {
  id: 'only-child-parent-reward',
  subject: 'person',
  title: { zh: '独生子女父母奖励扶助', en: 'Reward for parents of an only child' },
  department: { id: 'health-commission', name: { zh: '市卫生健康委员会', en: 'Municipal Health Commission' } },
  legalBasis: { zh: '《山东省人口与计划生育条例》', en: 'Shandong Population and Family Planning Regulations' },
  level: 'county',
  timeLimitWorkingDays: 20,
  fields: [{ id: 'children', label: { zh: '子女数', en: 'Children' }, fact: 'person.childrenCount', required: true }],
  proofs: [
    {
      id: 'household-register',
      title: { zh: '户口簿', en: 'household register' },
      issuedBy: { zh: '公安机关', en: 'public security bureau' },
      replacement: { method: 'sharing', facts: ['person.localHukou'] },
    },
  ],
  claims: ['local-hukou'],
};

const refusal = async (promise: Promise<unknown>): Promise<MatterError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MatterError);
  return error as MatterError;
};

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_matters_${randomUUID().slice(0, 8)}$1`),
  );
  matters = createMattersService({ store, now: () => new Date('2027-01-10T03:00:00Z') });
});

afterAll(async () => {
  putMattersInForce(STARTER_MATTER_LIST);
  await store?.dropDatabase();
  await store?.close();
});

describe('the list of matters in the store', () => {
  it('publishes the starter list once as version 1, whoever starts first', async () => {
    const starts = await Promise.all([openMatters({ store }), openMatters({ store }), openMatters({ store })]);
    expect(starts.map((s) => s.version)).toEqual([1, 1, 1]);
    expect(starts.filter((s) => s.published)).toHaveLength(1);
    expect(await matterVersions(store).countDocuments()).toBe(1);
    const list = await matters.list();
    expect(list).toMatchObject({ version: 1, publishedOn: '2026-12-01', stale: false });
    expect(list.matters.map((m) => m.id)).toEqual(STARTER_MATTERS.map((m) => m.id));
    expect(list.byMethod.paper).toBeGreaterThan(0);
    expect(list.matters.find((m) => m.id === 'public-rental-housing')?.proofFree).toBe(true);
    const firms = await matters.list({ subject: 'enterprise' });
    expect(firms.matters.every((m) => m.subject === 'enterprise')).toBe(true);
    expect(firms.matters.length).toBeGreaterThanOrEqual(10);
  });

  it('refuses a version that drops a matter, naming the matter, and writes nothing', async () => {
    const dropped = STARTER_MATTERS.filter((m) => m.id !== 'public-rental-housing');
    const error = await refusal(matters.draft(wang, { matters: dropped }));
    expect(error.code).toBe('MATTERS_INVALID');
    expect(error.message).toContain('public-rental-housing');
    expect(error.messageZh).toContain('公共租赁住房申请');
    expect(error.issues).toEqual([expect.objectContaining({ path: 'matters' })]);
    expect(await matterDrafts(store).countDocuments()).toBe(0);
  });

  it('refuses a replaced proof back on paper, naming matter and proof', async () => {
    const back = STARTER_MATTERS.map((m) =>
      m.id === 'enterprise-hiring-subsidy'
        ? {
            ...m,
            proofs: m.proofs.map((p) =>
              p.id === 'business-licence' ? { ...p, replacement: { method: 'paper' as const } } : p,
            ),
          }
        : m,
    );
    const error = await refusal(matters.draft(wang, { matters: back }));
    expect(error.field).toBe('matters[2].proofs[0].replacement.method');
    expect(error.message).toContain('enterprise-hiring-subsidy');
    expect(error.message).toContain('business-licence');
  });

  it('publishes a new version on a second person’s approval, once, and puts it in force', async () => {
    const drafted = await matters.draft(wang, { matters: [...STARTER_MATTERS, newMatter] });
    expect(drafted).toMatchObject({ status: 'draft', matterCount: STARTER_MATTERS.length + 1, problems: [] });
    // Reviewers approve, officers draft: the drafter cannot approve (and a reviewer cannot draft).
    expect((await refusal(matters.draft(li, { matters: STARTER_MATTERS }))).code).toBe('FORBIDDEN_ROLE');
    await matters.submit(wang, drafted.id);
    expect((await refusal(matters.approve({ ...li, id: wang.id }, drafted.id))).code).toBe('FOUR_EYES');
    const [a, b] = await Promise.all([matters.approve(li, drafted.id), matters.approve(zhou, drafted.id)]);
    expect([a.status, b.status]).toEqual(['published', 'published']);
    expect(a.publishedVersion).toBe(2);
    expect(await matterVersions(store).countDocuments()).toBe(2);
    expect(mattersInForce()).toMatchObject({ version: 2, publishedOn: '2027-01-10' });
    expect(findMatter('only-child-parent-reward')?.title.zh).toBe('独生子女父母奖励扶助');
    const [v2] = await matters.versions();
    expect(v2).toMatchObject({ version: 2, origin: 'officer', added: ['only-child-parent-reward'] });
    // Retried: answered, not published again.
    expect((await matters.approve(li, drafted.id)).publishedVersion).toBe(2);
    expect(await matterVersions(store).countDocuments()).toBe(2);
  });

  it('lets another process follow the store', async () => {
    putMattersInForce(STARTER_MATTER_LIST);
    expect(findMatter('only-child-parent-reward')).toBeUndefined();
    expect(await refreshMatters(store)).toBe(2);
    expect(findMatter('only-child-parent-reward')).toBeDefined();
  });

  it('now refuses dropping the matter version 2 added', async () => {
    const error = await refusal(matters.draft(wang, { matters: STARTER_MATTERS }));
    expect(error.message).toContain('only-child-parent-reward');
  });

  it('sends a submitted version back only with a reason', async () => {
    // The public answer, as it is, drafts: its computed proofFree flags are not kept.
    const drafted = await matters.draft(wang, await matters.list());
    expect(drafted.matters.map((m) => m.id)).toEqual([...STARTER_MATTERS, newMatter].map((m) => m.id));
    expect(drafted.matters.some((m) => 'proofFree' in m)).toBe(false);
    await matters.submit(wang, drafted.id);
    expect((await refusal(matters.reject(li, drafted.id, ' '))).code).toBe('REASON_REQUIRED');
    expect((await matters.reject(li, drafted.id, '与第2版相同')).status).toBe('rejected');
    expect((await refusal(matters.approve(li, drafted.id))).code).toBe('WRONG_STATUS');
  });

  it('chains every published version: altering one is detected', async () => {
    expect(await verifyStream(store, 'matter_versions')).toMatchObject({ ok: true });
    // Whichever reviewer's approval won the race published it.
    const { publishedBy } = (await matterVersions(store).findOne({ _id: 'matters@2' }))!;
    await matterVersions(store).updateOne({ _id: 'matters@2' }, { $set: { publishedBy: '冒名' } });
    expect((await verifyStream(store, 'matter_versions')).ok).toBe(false);
    await matterVersions(store).updateOne({ _id: 'matters@2' }, { $set: { publishedBy } });
    expect((await verifyStream(store, 'matter_versions')).ok).toBe(true);
  });

  it('lists by department', async () => {
    const civil = await matters.list({ department: 'civil-affairs' });
    expect(civil.matters.length).toBeGreaterThan(5);
    expect(new Set(civil.matters.map((m) => m.department.id))).toEqual(new Set(['civil-affairs']));
    expect(Object.values(civil.byMethod).reduce((a, b) => a + b, 0)).toBe(
      civil.matters.reduce((sum, m) => sum + m.proofs.length, 0),
    );
  });

  it('adds the matters a later release ships, once, keeping what officers published', async () => {
    const shipped = { ...STARTER_MATTER_LIST, matters: [...STARTER_MATTERS, { ...newMatter, id: 'shipped-later' }] };
    const start = { store, now: () => new Date('2027-01-10T03:00:00Z') };
    const starts = await Promise.all([openMatters(start, shipped), openMatters(start, shipped)]);
    expect(starts.map((s) => s.version)).toEqual([3, 3]);
    expect(starts.filter((s) => s.published)).toHaveLength(1);
    const ids = mattersInForce().matters.map((m) => m.id);
    expect(ids.slice(-2)).toEqual(['only-child-parent-reward', 'shipped-later']);
    expect((await matters.versions())[0]).toMatchObject({
      version: 3,
      origin: 'shipped',
      publishedOn: '2027-01-10',
      added: ['shipped-later'],
    });
    expect(await openMatters({ store }, shipped)).toEqual({ version: 3, published: false });
  });

  it('flags a list older than six months as stale', async () => {
    const later = createMattersService({ store, now: () => new Date('2027-07-11T03:00:00Z') });
    expect((await later.list()).stale).toBe(true);
    expect((await matters.list()).stale).toBe(false);
  });
});
