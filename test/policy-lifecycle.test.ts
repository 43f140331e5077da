/**
 * The policy lifecycle on the real store: an officer drafts v2 of the childcare subsidy
 * (a higher rate from 2026-07-01), validates, tests and simulates it, submits it; the same officer
 * cannot approve it, a reviewer can; it is published; the history says who did what and
 * what changed. Refusals name the rule they enforce.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { storePolicySource } from '../store/policy-source.js';
import {
  createPolicyLifecycle,
  PolicyLifecycleError,
  type Actor,
  type PolicyLifecycle,
} from '../services/policies/lifecycle.js';
import { createSimulationRunner } from '../services/policies/simulation.js';
import { loadPolicyCatalog } from '../rules/catalog.js';
import type { Policy } from '../rules/types.js';
import { connectStore } from '../store/connection.js';
import { nextDraftVersion } from './support/next-version.js';

const stack = inject('stack');
let store: Connection;
let lifecycle: PolicyLifecycle;
let shipped: readonly Policy[];

const wang: Actor = { id: 'u_wang', name: '王芳', role: 'officer' };
const zhao: Actor = { id: 'u_zhao', name: '赵强', role: 'officer' };
const li: Actor = { id: 'u_li', name: '李明', role: 'reviewer' };

beforeAll(async () => {
  store = await connectStore(
    stack.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/applyfree_lifecycle_${randomUUID().slice(0, 8)}$1`),
  );
  lifecycle = createPolicyLifecycle(store);
  shipped = (await loadPolicyCatalog()).policies;
  await lifecycle.importCatalog(shipped);
});

afterAll(async () => {
  await store?.dropDatabase();
  await store?.close();
});

/** v2 of the childcare subsidy: 4,800 a year for births and milestones from 2026-07-01. */
export function childcareV2(): Record<string, unknown> {
  const v1 = structuredClone(shipped.find((p) => p.id === 'childcare-subsidy')!) as unknown as Record<string, unknown>;
  return {
    ...v1,
    effective: { from: '2026-07-01' },
    parameters: { annualAmount: [{ from: '2026-07-01', value: 4800 }] },
    tests: [
      {
        name: 'a child born 2026-03-10 in the city gets 2,400 at the raised rate for July to December 2026',
        asOf: '2026-08-01',
        facts: { 'person.birthDate': '2026-03-10', 'person.localHukou': true },
        expect: { outcome: 'eligible', amount: 2400 },
      },
      {
        name: 'a child registered outside the city gets nothing under the raised rate',
        asOf: '2026-08-01',
        facts: { 'person.birthDate': '2026-03-10', 'person.localHukou': false },
        expect: { outcome: 'ineligible' },
      },
      {
        name: 'a child whose household record cannot be read is undetermined, not refused',
        asOf: '2026-08-01',
        facts: { 'person.birthDate': '2026-03-10' },
        expect: { outcome: 'undetermined', missingFacts: ['person.localHukou'] },
      },
    ],
  };
}

async function refusal(step: Promise<unknown>): Promise<PolicyLifecycleError> {
  const error = await step.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PolicyLifecycleError);
  return error as PolicyLifecycleError;
}

describe('the shipped catalog in the store', () => {
  it('is published once, however often it is imported', async () => {
    expect(await lifecycle.importCatalog(shipped)).toEqual({ imported: 0 });
    const published = await lifecycle.list({ status: 'published' });
    // Each shipped version once (the list shows a policy's newest version first).
    expect(published.map((v) => `${v.policyId}@${v.version}`).sort()).toEqual(
      shipped.map((p) => `${p.id}@${p.version}`).sort(),
    );
  });

  it('refuses a shipped file that changed under a published version number', async () => {
    const changed = { ...shipped[0], reference: `${shipped[0].reference}（修订）` };
    const error = await refusal(lifecycle.importCatalog([changed]));
    expect(error.code).toBe('CATALOG_CONFLICT');
    expect(error.message).toContain(`ship the change as v${shipped[0].version + 1}`);
  });
});

describe('draft to published (childcare subsidy v2)', () => {
  it('goes through validation, tests, submission, four-eyes approval and publication, and records each step', async () => {
    const broken = { ...childcareV2(), triggers: ['birth.registerd', 'age.milestone'] };
    const draft = await lifecycle.createDraft(wang, broken);
    expect([draft.policyId, draft.version, draft.status]).toEqual(['childcare-subsidy', 2, 'draft']);

    const invalid = await lifecycle.validate(wang, 'childcare-subsidy', 2);
    expect(invalid.valid).toBe(false);
    expect(invalid.issues.map((issue) => issue.path)).toContain('triggers[0]');
    expect((await refusal(lifecycle.submit(wang, 'childcare-subsidy', 2))).code).toBe('CHECKS_REQUIRED');

    await lifecycle.updateDraft(zhao, 'childcare-subsidy', 2, childcareV2());
    expect((await lifecycle.validate(zhao, 'childcare-subsidy', 2)).valid).toBe(true);
    const report = await lifecycle.test(zhao, 'childcare-subsidy', 2);
    expect([report.passed, report.failed]).toEqual([3, 0]);
    const simulations = createSimulationRunner({ store, lifecycle });
    await simulations.start(zhao, 'childcare-subsidy', 2, { asOf: '2026-08-01' });
    expect((await simulations.finished('childcare-subsidy', 2)).status).toBe('done');
    const submitted = await lifecycle.submit(zhao, 'childcare-subsidy', 2, '按国家新标准提高');
    expect(submitted.status).toBe('submitted');

    // Four eyes: the officers who wrote it cannot approve; an officer is not a reviewer.
    expect((await refusal(lifecycle.approve(zhao, 'childcare-subsidy', 2))).code).toBe('FORBIDDEN_ROLE');
    const approved = await lifecycle.approve(li, 'childcare-subsidy', 2, '同意');
    expect([approved.status, approved.approvedBy]).toEqual(['approved', '李明']);
    const published = await lifecycle.publish(li, 'childcare-subsidy', 2);
    expect(published.status).toBe('published');

    // Published is immutable.
    const edit = await refusal(lifecycle.updateDraft(wang, 'childcare-subsidy', 2, childcareV2()));
    expect([edit.code, edit.kind, edit.field]).toEqual(['WRONG_STATUS', 'conflict', 'status']);
    expect(edit.messageZh).toContain('已发布');

    const history = await lifecycle.history('childcare-subsidy');
    expect(history.map((entry) => `${entry.version} ${entry.action} ${entry.actor}`)).toEqual([
      '1 imported system',
      '2 created 王芳',
      '2 validated 王芳',
      '2 edited 赵强',
      '2 validated 赵强',
      '2 tested 赵强',
      '2 simulated 赵强',
      '2 submitted 赵强',
      '2 approved 李明',
      '2 published 李明',
    ]);
    expect(history.find((entry) => entry.action === 'edited')?.changes).toEqual([
      '~ triggers[0]: "birth.registerd" → "birth.registered"',
    ]);
    expect(await lifecycle.diff('childcare-subsidy', 1, 2)).toEqual(
      expect.arrayContaining([
        '~ version: 1 → 2',
        '~ effective.from: "2025-01-01" → "2026-07-01"',
        '~ parameters.annualAmount[0].from: "2025-01-01" → "2026-07-01"',
        '~ parameters.annualAmount[0].value: 3600 → 4800',
      ]),
    );
  });

  it('keeps the old version in force before the new one takes effect, and cases keep what they pinned', async () => {
    const source = storePolicySource(store, { refreshMs: 0 });
    const before = await source.inForce('birth.registered', '2026-05-01', 'person');
    const after = await source.inForce('birth.registered', '2026-08-01', 'person');
    expect(before.find((p) => p.id === 'childcare-subsidy')?.version).toBe(1);
    expect(after.find((p) => p.id === 'childcare-subsidy')?.version).toBe(2);

    await lifecycle.retire(li, 'childcare-subsidy', 1, '由第2版取代');
    expect(
      (await source.inForce('birth.registered', '2026-05-01', 'person')).find((p) => p.id === 'childcare-subsidy'),
    ).toBeUndefined();
    expect((await source.version('childcare-subsidy', 1))?.parameters.annualAmount[0].value).toBe(3600);
  });
});

describe('refusals', () => {
  it('lets several changes of a policy be drafted at once, each its own version', async () => {
    const first = await lifecycle.createDraft(wang, {
      ...structuredClone(shipped.find((p) => p.id === 'old-age-allowance')!),
      reference: '修订中',
    });
    const second = await lifecycle.createDraft(
      zhao,
      structuredClone(shipped.find((p) => p.id === 'old-age-allowance')!),
    );
    const next = nextDraftVersion('old-age-allowance');
    expect([first.version, second.version, second.status]).toEqual([next, next + 1, 'draft']);
    expect(second.createdById).toBe('u_zhao');
  });

  it('keeps reviewers out of drafting and officers out of retiring', async () => {
    expect((await refusal(lifecycle.createDraft(li, childcareV2()))).code).toBe('FORBIDDEN_ROLE');
    const retire = await refusal(lifecycle.retire(wang, 'senior-preferential-card', 1, 'x'));
    expect(retire.code).toBe('FORBIDDEN_ROLE');
    expect(retire.messageZh).toContain('审核人');
  });

  it('asks a reviewer who sends a version back to say why', async () => {
    // The draft opened above, numbered after the shipped versions.
    const draft = nextDraftVersion('old-age-allowance');
    expect((await refusal(lifecycle.reject(li, 'old-age-allowance', draft, ' '))).field).toBe('note');
  });

  it('refuses a draft nested 10,000 deep as invalid, naming where, and stores nothing (abuse 21)', async () => {
    let node: Record<string, unknown> = { condition: 'childUnderThree' };
    for (let i = 0; i < 10_000; i++) node = { not: node };
    const deep = { ...childcareV2(), id: 'deep-policy', conditions: { all: [node] } };
    const error = await refusal(lifecycle.createDraft(wang, deep));
    expect([error.code, error.kind]).toEqual(['POLICY_INVALID', 'unprocessable']);
    expect(error.field).toMatch(/^conditions\.all\[0\](\.not)+$/);
    expect((await lifecycle.list()).some((version) => version.policyId === 'deep-policy')).toBe(false);
  });

  it('names the unknown version', async () => {
    const error = await refusal(lifecycle.get('childcare-subsidy', 9));
    expect([error.code, error.kind]).toEqual(['POLICY_NOT_FOUND', 'not-found']);
  });
});

describe('four eyes, by user ID', () => {
  /** A shipped policy's next version, drafted, checked and submitted by `author`. */
  async function submittedBy(author: Actor, policyId: string): Promise<number> {
    const next = { ...structuredClone(shipped.find((p) => p.id === policyId)!), reference: '按新文件修订' };
    const { version } = await lifecycle.createDraft(author, next);
    expect((await lifecycle.validate(author, policyId, version)).valid).toBe(true);
    await lifecycle.test(author, policyId, version);
    const simulations = createSimulationRunner({ store, lifecycle });
    await simulations.start(author, policyId, version, { asOf: '2026-08-01' });
    expect((await simulations.finished(policyId, version)).status).toBe('done');
    await lifecycle.submit(author, policyId, version);
    return version;
  }

  it('refuses a person who holds an officer and a reviewer role, under another display name, their own version (abuse 9)', async () => {
    const asOfficer: Actor = { id: 'u_qian', name: '钱伟', role: 'officer' };
    const asReviewer: Actor = { id: 'u_qian', name: '钱伟（审核）', role: 'reviewer' };
    const version = await submittedBy(asOfficer, 'senior-preferential-card');
    const error = await refusal(lifecycle.approve(asReviewer, 'senior-preferential-card', version));
    expect([error.code, error.kind, error.field]).toEqual(['FOUR_EYES', 'forbidden', 'approvedBy']);
    expect((await lifecycle.get('senior-preferential-card', version)).status).toBe('submitted');
  });

  it('lets one person approve what another with the same display name wrote: two user IDs are two people', async () => {
    const namesake: Actor = { id: 'u_li_other', name: '李明', role: 'officer' };
    const version = await submittedBy(namesake, 'disability-living-subsidy');
    const approved = await lifecycle.approve(li, 'disability-living-subsidy', version, '同意');
    expect(approved.status).toBe('approved');
  });

  it('names the user ID beside the display name in the version and its history', async () => {
    const version = (await lifecycle.list()).find(
      (v) => v.policyId === 'disability-living-subsidy' && v.status === 'approved',
    )!;
    expect(version).toMatchObject({
      createdBy: '李明',
      createdById: 'u_li_other',
      submittedById: 'u_li_other',
      approvedBy: '李明',
      approvedById: 'u_li',
    });
    const history = (await lifecycle.history('disability-living-subsidy')).filter((e) => e.version === version.version);
    expect(history.map((entry) => `${entry.action} ${entry.actor} ${entry.actorId}`)).toEqual([
      'created 李明 u_li_other',
      'validated 李明 u_li_other',
      'tested 李明 u_li_other',
      'simulated 李明 u_li_other',
      'submitted 李明 u_li_other',
      'approved 李明 u_li',
    ]);
  });

  it('reads a version recorded before user IDs by its authors’ names, refusing a namesake rather than an author', async () => {
    const author: Actor = { id: 'u_sun', name: '孙丽', role: 'officer' };
    const version = await submittedBy(author, 'severe-disability-care-subsidy');
    // As written before user IDs: names only.
    await store
      .collection('policy_versions')
      .updateOne(
        { _id: `severe-disability-care-subsidy@${version}` as never },
        { $unset: { createdById: '', updatedById: '', submittedById: '' } },
      );
    const sameName: Actor = { id: 'u_sun_reviewer', name: '孙丽', role: 'reviewer' };
    expect((await refusal(lifecycle.approve(sameName, 'severe-disability-care-subsidy', version))).code).toBe(
      'FOUR_EYES',
    );
    expect((await lifecycle.approve(li, 'severe-disability-care-subsidy', version)).approvedById).toBe('u_li');
  });
});
