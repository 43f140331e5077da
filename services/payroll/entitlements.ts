/**
 * Entitlements as officers steer them: the list of a policy's entitlements (by ledger reference
 * and masked identifier, never a subject key), and an officer's suspension, resumption or end of
 * one, with a stated reason — a transition (cause `officer`, by the officer's user ID) and a
 * notice to the citizen, like every other move. A suspension or end applies from the next
 * period not yet paid; the same move again changes nothing.
 */
import type { Connection } from 'mongoose';
import { periodOf, type EntitlementStatus } from '../../domain/entitlements.js';
import { ledgerRef } from '../../domain/ledger.js';
import { authorize } from '../../domain/permissions.js';
import { Refusal } from '../../domain/refusal.js';
import type { Text } from '../../domain/sources.js';
import type { PolicySource } from '../../rules/policy-source.js';
import type { EnqueueNoticeInput } from '../../activities/notices.js';
import {
  entitlementRange,
  moveEntitlement,
  registerEntitlementModels,
  type Entitlement,
} from '../../store/entitlements.js';
import { staffMaskedSubject } from '../../store/subjects.js';
import type { User } from '../../store/users.js';

export interface EntitlementServiceDeps {
  store: Connection;
  policies: PolicySource;
  notify: (input: EnqueueNoticeInput) => Promise<unknown>;
}

/** What an officer may do to an entitlement, and the status it leads to. */
export const ENTITLEMENT_ACTIONS = { suspend: 'suspended', resume: 'active', end: 'ended' } as const;
export type EntitlementAction = keyof typeof ENTITLEMENT_ACTIONS;

/** Each action in words: "cannot be ended", "经办人员终止". */
const DONE: Record<EntitlementAction, Text> = {
  suspend: { en: 'suspended', zh: '暂停' },
  resume: { en: 'resumed', zh: '恢复' },
  end: { en: 'ended', zh: '终止' },
};

/** Which status each action moves from. */
const FROM: Record<EntitlementAction, readonly EntitlementStatus[]> = {
  suspend: ['active'],
  resume: ['suspended'],
  end: ['active', 'suspended'],
};

export interface EntitlementView {
  ref: string;
  policy: { id: string; version: number };
  status: EntitlementStatus;
  firstPeriod: string;
  endedFrom?: string;
  reason?: Text;
  nextReviewOn: string;
  subject: { masked?: string };
}

/** At most this many listed. */
const LIMIT = 500;

export function createEntitlementService(deps: EntitlementServiceDeps) {
  const { Entitlement } = registerEntitlementModels(deps.store);

  async function viewOf(entitlement: Entitlement): Promise<EntitlementView> {
    return {
      ref: ledgerRef(entitlement.policy.id, entitlement.subjectKey),
      policy: { id: entitlement.policy.id, version: entitlement.policy.version },
      status: entitlement.status,
      firstPeriod: entitlement.firstPeriod,
      ...(entitlement.endedFrom ? { endedFrom: entitlement.endedFrom } : {}),
      ...(entitlement.reason ? { reason: entitlement.reason } : {}),
      nextReviewOn: entitlement.nextReviewOn,
      subject: await staffMaskedSubject(deps.store, entitlement.subjectKey),
    };
  }

  /** A policy's entitlements, optionally of one status (in key order, at most 500). */
  async function list(actor: User, query: { policyId?: unknown; status?: unknown }): Promise<EntitlementView[]> {
    authorize(actor, 'entitlement.read');
    if (typeof query.policyId !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(query.policyId))
      throw new Refusal(
        'INVALID_INPUT',
        'policyId: a policy ID such as old-age-allowance',
        'policyId：须为政策编号',
        'policyId',
      );
    if (query.status !== undefined && !['active', 'suspended', 'ended'].includes(query.status as string))
      throw new Refusal(
        'INVALID_INPUT',
        'status: active, suspended or ended',
        'status：须为 active、suspended 或 ended',
        'status',
      );
    const found = await Entitlement.find({
      _id: entitlementRange(query.policyId),
      ...(query.status ? { status: query.status } : {}),
    })
      .sort({ _id: 1 })
      .limit(LIMIT)
      .lean();
    return Promise.all(found.map(viewOf));
  }

  /**
   * Suspends, resumes or ends the entitlement `ref` of `policyId` (an officer, with a reason of at
   * least five characters): from the next period not yet paid. A move its status does not allow
   * is WRONG_STATUS; the same move again answers the entitlement as it is.
   */
  async function move(
    actor: User,
    policyId: string,
    ref: string,
    action: EntitlementAction,
    body: { reason?: unknown },
  ): Promise<EntitlementView> {
    authorize(actor, 'entitlement.manage');
    if (typeof body.reason !== 'string' || body.reason.trim().length < 5 || body.reason.length > 500)
      throw new Refusal(
        'INVALID_INPUT',
        'reason: why, in 5 to 500 characters (the citizen reads it)',
        'reason：请说明理由（5 至 500 字，群众可见）',
        'reason',
      );
    const entitlement = await findByRef(policyId, ref);
    const to = ENTITLEMENT_ACTIONS[action];
    if (entitlement.status === to) return viewOf(entitlement);
    if (!FROM[action].includes(entitlement.status))
      throw new Refusal(
        'WRONG_STATUS',
        `ref: the entitlement is ${entitlement.status}: it cannot be ${DONE[action].en}`,
        `ref：该待遇资格当前为 ${entitlement.status}，不能${DONE[action].zh}`,
        'ref',
      );
    // From the first period no payroll has paid yet: what is paid stays paid.
    const from = periodOf(entitlement.nextReviewOn, entitlement.period);
    const why: Text = {
      zh: `经办人员${DONE[action].zh}：${body.reason.trim()}`,
      en: `${DONE[action].en} by an officer: ${body.reason.trim()}`,
    };
    const policy = await deps.policies.version(entitlement.policy.id, entitlement.policy.version);
    await moveEntitlement(
      deps.store,
      {
        entitlement,
        to,
        cause: 'officer',
        causeKey: `officer:${actor.id}:${to}:${from}`,
        by: actor.id,
        why,
        effectiveFrom: from,
      },
      () =>
        deps.notify({
          noticeKey: `${entitlement.key}:officer:${to}:${from}`,
          subjectKey: entitlement.subjectKey,
          template:
            to === 'active' ? 'entitlement.resumed' : to === 'ended' ? 'entitlement.ended' : 'entitlement.suspended',
          params: { policyTitle: policy?.title ?? { zh: policyId, en: policyId }, period: from, reason: why },
        }),
    );
    return viewOf((await Entitlement.findById(entitlement.key).lean())!);
  }

  /** The entitlement of `policyId` whose ledger reference is `ref`; NOT_FOUND otherwise. */
  async function findByRef(policyId: string, ref: string): Promise<Entitlement> {
    if (/^LG[0-9A-F]{24}$/.test(ref)) {
      const cursor = Entitlement.find({ _id: entitlementRange(policyId) })
        .lean()
        .cursor({ batchSize: 5_000 });
      for await (const entitlement of cursor)
        if (ledgerRef(entitlement.policy.id, entitlement.subjectKey) === ref) {
          await cursor.close();
          return entitlement;
        }
    }
    throw new Refusal(
      'NOT_FOUND',
      `ref: no entitlement ${ref} of ${policyId}`,
      `ref：${policyId} 没有该待遇资格 ${ref}`,
      'ref',
    );
  }

  return { list, move };
}

export type EntitlementService = ReturnType<typeof createEntitlementService>;
