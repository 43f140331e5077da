/**
 * The citizen's own view (本人事项, issue 5): who they are (masked), their inbox, what was
 * decided and granted, offers awaiting their answer (confirm or decline: an update the offer
 * workflow answers), pledges with their inspection outcome, and who read their data for what. Every
 * read is bound to the subject key of the citizen's token; no answer carries a raw identifier.
 */
import { citizenPayments } from './payments.js';
import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { maskCreditCode, maskResidentId } from '../../domain/identity.js';
import { findFact, type Text } from '../../domain/sources.js';
import { registerBenefitModels, type Offer } from '../../store/benefits.js';
import { registerDecisionModels, type DecisionRecord } from '../../store/decisions.js';
import { PROVENANCE_TEXT } from '../../domain/tasks.js';
import { registerNoticeModels } from '../../store/notices.js';
import { registerPolicyModels, policyVersionId } from '../../store/policy-versions.js';
import { resolveSubject } from '../../store/subjects.js';
import type { User } from '../../store/users.js';
import { authorize, type Action } from '../../domain/permissions.js';
import { CaseRefusal } from '../cases/service.js';
import { PLEDGE_DEFAULTS } from '../../workflows/contracts/index.js';
import { accessOf, type AccessEntry } from './access.js';
import { sendOfferAnswer } from './offer-answer.js';
import { signPledge } from './pledge-sign.js';

export interface CitizenServiceDeps {
  store: Connection;
  /** Sends the citizen's answer to the offer workflow. */
  temporal: Client;
  /** How long an answer waits for the offer workflow to act on it (default 10 s). */
  answerWaitMs?: number;
}

/** A policy as the citizen sees it: id, version and title in both languages. */
export interface PolicyLabel {
  id: string;
  version: number;
  title: Text;
}

export type OfferAnswer = 'confirm' | 'decline';

/** Records per list of the citizen's own page, newest first, sorted and cut in the database (security review S15). */
const ME_LIMIT = 200;

/** A fact's label in the catalog in force (a fact published since start is known too). */
const FIELD_LABELS = { get: (fact: string): Text | undefined => findFact(fact)?.field.label };
/**
 * What a review added to a decision, as the citizen sees it: which facts a member of staff
 * recorded and from what document (the kind and its reference; the reviewer's internal note is
 * not shown), or that staff decided outright and why. Staff appear by name, as they do in the
 * citizen's "who used my data" (谁使用谁负责), never by user ID.
 */
function reviewOf(decision: DecisionRecord) {
  const supplied = decision.suppliedFacts ?? [];
  return {
    ...(supplied.length > 0
      ? {
          suppliedFacts: supplied.map((s) => ({
            fact: s.fact,
            label: FIELD_LABELS.get(s.fact) ?? { zh: s.fact, en: s.fact },
            provenance: {
              kind: s.provenance.kind,
              kindText: PROVENANCE_TEXT[s.provenance.kind] ?? { zh: s.provenance.kind, en: s.provenance.kind },
              reference: s.provenance.reference,
            },
            by: { name: s.byName },
            at: new Date(s.at).toISOString(),
          })),
        }
      : {}),
    ...(decision.decidedBy
      ? { decidedOnReview: { by: { name: decision.decidedBy.name }, reason: decision.reason ?? '' } }
      : {}),
  };
}

/** The citizen service behind /me; `actor` must hold me.read or me.act (domain/permissions.ts: a citizen, own subject). */
export function createCitizenService(deps: CitizenServiceDeps) {
  const { store } = deps;
  const { Inbox } = registerNoticeModels(store);
  const { Grant, Offer: OfferModel, Pledge, Recovery, CreditRecord } = registerBenefitModels(store);
  const { Decision } = registerDecisionModels(store);
  const { PolicyVersion } = registerPolicyModels(store);
  const titles = new Map<string, Text>();

  /** The subject every answer is bound to: the token's own (me.* is own-subject only). */
  const own = (actor: User, action: Action = 'me.read'): string => {
    authorize(actor, action, CaseRefusal);
    if (!actor.subjectKey)
      throw new CaseRefusal('FORBIDDEN_ROLE', 'this token is bound to no subject', '该令牌未绑定本人身份');
    return actor.subjectKey;
  };

  /** Policy titles from the stored versions (by `_id`, the only indexed lookup), cached per version. */
  async function label(ref: { id: string; version: number }): Promise<PolicyLabel> {
    const id = policyVersionId(ref.id, ref.version);
    if (!titles.has(id)) {
      const found = await PolicyVersion.findById(id, { title: 1 }).lean();
      if (found?.title) titles.set(id, found.title);
    }
    return { id: ref.id, version: ref.version, title: titles.get(id) ?? { zh: ref.id, en: ref.id } };
  }

  const offerView = async (offer: Offer) => ({
    key: offer.key,
    caseId: offer.caseId,
    policy: await label(offer.policy),
    period: offer.period,
    ...(typeof offer.amount === 'number' ? { amount: offer.amount } : {}),
    status: offer.status,
    offeredAt: offer.offeredAt.toISOString(),
    expiresAt: offer.expiresAt.toISOString(),
    ...(offer.answeredAt ? { answeredAt: offer.answeredAt.toISOString() } : {}),
  });

  const notFound = (key: string, what: string, whatZh: string) =>
    new CaseRefusal('NOT_FOUND', `you have no ${what} ${key}`, `您没有${whatZh} ${key}`, 'key');

  return {
    /** Name, role and the citizen's identifier, masked. */
    async me(actor: User) {
      const key = own(actor);
      const resolved = await resolveSubject(store, key);
      const maskedId = resolved?.idNumber
        ? maskResidentId(resolved.idNumber)
        : resolved?.creditCode
          ? maskCreditCode(resolved.creditCode)
          : undefined;
      return {
        name: actor.name,
        role: actor.role,
        subject: { kind: resolved?.kind ?? 'person', subjectKey: key, ...(maskedId ? { maskedId } : {}) },
      };
    },

    /** The inbox, newest first, with the count not yet read. */
    async inbox(actor: User) {
      const notices = await Inbox.find({ subjectKey: own(actor) })
        .sort({ deliveredAt: -1, _id: -1 })
        .limit(ME_LIMIT)
        .lean();
      return {
        unread: notices.filter((n) => !n.readAt).length,
        notices: notices.map((n) => ({
          key: n.key,
          template: n.template,
          title: n.title,
          body: n.body,
          deliveredAt: n.deliveredAt.toISOString(),
          ...(n.readAt ? { readAt: n.readAt.toISOString() } : {}),
        })),
      };
    },

    /** Marks one of the citizen's notices read (once: a second call keeps the first time). */
    async markRead(actor: User, key: string) {
      const subject = own(actor, 'me.act');
      const notice = await Inbox.findById(key).lean();
      if (!notice || notice.subjectKey !== subject) throw notFound(key, 'notice', '通知');
      const readAt = notice.readAt ?? new Date();
      if (!notice.readAt) await Inbox.updateOne({ _id: key, readAt: { $exists: false } }, { $set: { readAt } });
      return { key, readAt: readAt.toISOString() };
    },

    /** Each decision made for the citizen, with each condition's (masked) value: what was decided and why. */
    async decisions(actor: User) {
      const found = await Decision.find({ subjectKey: own(actor) })
        .sort({ decidedAt: -1, _id: -1 })
        .limit(ME_LIMIT)
        .lean();
      return Promise.all(
        found.map(async (d) => ({
          key: d.key,
          caseId: d.caseId,
          policy: await label(d.policy),
          outcome: d.outcome,
          ...(typeof d.amount === 'number' ? { amount: d.amount } : {}),
          period: d.period,
          asOf: d.asOf,
          decidedAt: d.decidedAt.toISOString(),
          missingFacts: d.missingFacts,
          conditions: d.conditions,
          ...reviewOf(d),
        })),
      );
    },

    /** Benefits granted (and any revoked, with why), newest first. */
    async benefits(actor: User) {
      const grants = await Grant.find({ subjectKey: own(actor) })
        .sort({ grantedAt: -1, _id: -1 })
        .limit(ME_LIMIT)
        .lean();
      return Promise.all(
        grants.map(async (g) => ({
          key: g.key,
          caseId: g.caseId,
          policy: await label(g.policy),
          period: g.period,
          benefitKind: g.benefitKind,
          ...(typeof g.amount === 'number' ? { amount: g.amount } : {}),
          basis: g.basis,
          status: g.status,
          grantedAt: g.grantedAt.toISOString(),
          ...(g.revokedAt ? { revokedAt: g.revokedAt.toISOString(), revokeReason: g.revokeReason } : {}),
        })),
      );
    },

    /** My payments (released lines, recoveries due) and my recurring benefits with any stop and its reason. */
    async payments(actor: User) {
      return citizenPayments(deps.store, own(actor), label);
    },

    /** Offers awaiting the citizen's answer, soonest expiry first. */
    async offers(actor: User) {
      const open = await OfferModel.find({ subjectKey: own(actor), status: 'open' })
        .sort({ expiresAt: 1, _id: 1 })
        .limit(ME_LIMIT)
        .lean();
      return Promise.all(open.map(offerView));
    },

    /**
     * Confirms or declines an offer through its workflow (sendOfferAnswer), answered once the
     * workflow has acted on it: the offer closed and, for a confirm, the grant recorded. The same
     * answer again is answered with the offer as it stands; the other answer after the offer
     * closed, or an offer whose workflow has ended, is a 409 OFFER_CLOSED.
     */
    async answerOffer(actor: User, key: string, answer: OfferAnswer) {
      const subject = own(actor, 'me.act');
      const offer = await OfferModel.findById(key).lean();
      if (!offer || offer.subjectKey !== subject) throw notFound(key, 'offer', '待确认事项');
      const wanted = answer === 'confirm' ? 'confirmed' : 'declined';
      const settled = async (current: Offer) => {
        const grant = current.status === 'confirmed' ? await Grant.findById(current.key).lean() : undefined;
        return {
          offer: await offerView(current),
          ...(grant
            ? { grant: { key: grant.key, amount: grant.amount, grantedAt: grant.grantedAt.toISOString() } }
            : {}),
        };
      };
      const refuseClosed = (status: string) =>
        new CaseRefusal(
          'OFFER_CLOSED',
          `the offer is already ${status}`,
          `该事项已${{ confirmed: '确认', declined: '放弃', expired: '过期' }[status] ?? '关闭'}，不能再更改`,
          'key',
        );
      if (offer.status === wanted) return settled(offer);
      if (offer.status !== 'open') throw refuseClosed(offer.status);
      const answered = await sendOfferAnswer(
        {
          temporal: deps.temporal,
          waitMs: deps.answerWaitMs ?? 10_000,
          reread: async () => ((await OfferModel.findById(key).lean()) ?? offer) as Offer,
          granted: async () => (await Grant.exists({ _id: key })) !== null,
        },
        key,
        answer,
      );
      if ('refused' in answered) throw refuseClosed(answered.refused);
      return settled(answered.current);
    },

    /** Pledges (告知承诺) with their inspection outcome and any recovery that followed. */
    async pledges(actor: User) {
      const subject = own(actor);
      const pledges = await Pledge.find({ subjectKey: subject })
        .sort({ pledgedAt: -1, _id: -1 })
        .limit(ME_LIMIT)
        .lean();
      // The recoveries of these pledges only.
      const recoveries = pledges.length
        ? await Recovery.find({ subjectKey: subject, grantKey: { $in: pledges.map((p) => p.key) } })
            .limit(pledges.length * 4)
            .lean()
        : [];
      return Promise.all(
        pledges
          .sort((a, b) => b.pledgedAt.getTime() - a.pledgedAt.getTime())
          .map(async (p) => {
            const recovery = recoveries.find((r) => r.grantKey === p.key);
            return {
              key: p.key,
              caseId: p.caseId,
              policy: await label(p.policy),
              pledgedFacts: p.pledgedFacts.map((fact) => ({
                fact,
                label: FIELD_LABELS.get(fact) ?? { zh: fact, en: fact },
              })),
              inspectOn: p.inspectOn,
              status: p.status,
              pledgedAt: p.pledgedAt.toISOString(),
              ...(p.signBy ? { signBy: p.signBy.toISOString() } : {}),
              ...(p.signature
                ? { signature: { signedAt: p.signature.signedAt.toISOString(), channel: p.signature.channel } }
                : {}),
              ...(p.findings?.length
                ? { findings: p.findings.map((f) => ({ finding: f.finding, notes: f.notes, at: f.at.toISOString() })) }
                : {}),
              ...(p.inspectedAt ? { inspectedAt: p.inspectedAt.toISOString() } : {}),
              ...(p.discrepancies?.length
                ? {
                    discrepancies: p.discrepancies.map((fact) => ({
                      fact,
                      label: FIELD_LABELS.get(fact) ?? { zh: fact, en: fact },
                    })),
                  }
                : {}),
              ...(recovery
                ? { recovery: { amount: recovery.amount, status: recovery.status, reason: recovery.reason } }
                : {}),
            };
          }),
      );
    },

    /** The written notice of one of the citizen's pledges (告知承诺书), both languages, with the hash a signature names. */
    async pledgeNotice(actor: User, key: string) {
      const pledge = await Pledge.findById(key).lean();
      if (!pledge || pledge.subjectKey !== own(actor) || !pledge.notice)
        throw notFound(key, 'pledge notice', '告知承诺书');
      return {
        key: pledge.key,
        policy: await label(pledge.policy),
        status: pledge.status,
        notice: pledge.notice,
        noticeHash: pledge.noticeHash,
        ...(pledge.signBy ? { signBy: pledge.signBy.toISOString() } : {}),
      };
    },

    /**
     * Signs the citizen's pledge (services/citizen/pledge-sign.ts): in the app, one tap (channel app);
     * or, given `atWindow`, the signed paper form recorded by window staff serving the person present
     * (services/window/service.ts: the visit, the staff member and the form's number).
     */
    async signPledge(
      actor: User,
      key: string,
      noticeHash: string,
      atWindow?: { staffId: string; staffName: string; paperFormRef: string; consent: string },
    ) {
      const subjectKey = own(actor, 'me.act');
      return signPledge(
        { store, temporal: deps.temporal, ...(deps.answerWaitMs ? { waitMs: deps.answerWaitMs } : {}) },
        {
          subjectKey,
          pledgeId: key,
          signature: atWindow ? { channel: 'window', noticeHash, ...atWindow } : { channel: 'app', noticeHash },
        },
      );
    },

    /**
     * The citizen's credit records (信用记录), newest first: why each was written and until when it
     * bars pledge mode (as the policy that wrote it set; absent, the default 1095 days).
     */
    async creditRecords(actor: User) {
      const records = await CreditRecord.find({ subjectKey: own(actor) })
        .sort({ recordedAt: -1, _id: -1 })
        .limit(ME_LIMIT)
        .lean();
      return Promise.all(
        records.map(async (r) => {
          const days = r.blockDays ?? PLEDGE_DEFAULTS.creditBlockDays;
          const policy = await PolicyVersion.findOne({ policyId: r.policyId }, { title: 1 })
            .sort({ version: -1 })
            .lean()
            .catch(() => null);
          return {
            key: r.key,
            kind: r.kind,
            policy: { id: r.policyId, title: policy?.title ?? { zh: r.policyId, en: r.policyId } },
            recordedAt: r.recordedAt.toISOString(),
            reason: r.reason ?? '',
            barsPledgeModeUntil: new Date(r.recordedAt.getTime() + days * 24 * 60 * 60 * 1000)
              .toISOString()
              .slice(0, 10),
          };
        }),
      );
    },

    /**
     * Who used the citizen's data (谁使用谁负责), newest first and bounded (services/citizen/access.ts):
     * pulls, population sweeps and simulations that covered them, staff case reads, unmasks, corrections.
     */
    async access(actor: User): Promise<AccessEntry[]> {
      return accessOf(store, own(actor), label);
    },
  };
}

export type CitizenService = ReturnType<typeof createCitizenService>;
