/**
 * The service window (线下兜底, issue 14 item 5) for the API and the console: window staff open a
 * visit for the person present (visits.ts), see everything the person has — offers, pledges,
 * benefits and payments, notices, decision letters and certificates, open tasks — as the citizen's
 * own page shows it, and act for them within their open visit (`window.act`, at-the-window):
 * answer an offer with the person's recorded consent through the citizen's own path
 * (services/citizen/service.ts answerOffer, one grant however often it is asked), file an
 * objection (services/objections/service.ts, recorded as filed at the window by that member of
 * staff) and print notices and letters (print.ts). Everything done is an act of the visit
 * (store/window-visits.ts), keyed so a retry records it once.
 *
 * Signing a pledge for the person (告知承诺, issue 14 item 4): staff read the written notice out or
 * hand it over printed (`pledgeNotice`), the person signs the paper form, and staff record it with
 * the form's number and the person's consent (`signPledge`): the citizen's own signing path
 * (services/citizen/pledge-sign.ts, channel window), so the grant follows once as in the app.
 */
import { TASK_TYPE_TEXT } from '../../domain/tasks.js';
import { registerBenefitModels } from '../../store/benefits.js';
import { registerTaskModels } from '../../store/tasks.js';
import type { User } from '../../store/users.js';
import {
  actsOfVisit,
  findAct,
  recordAct,
  type WindowAct,
  type WindowConsent,
  type WindowConsentKind,
} from '../../store/window-visits.js';
import type { CertificateService } from '../certificates/service.js';
import type { CitizenService } from '../citizen/service.js';
import type { FileObjectionBody, ObjectionService, ObjectionView } from '../objections/service.js';
import { createWindowPrints, type PrintedPdf } from './print.js';
import { createWindowVisits, personPresent, visitView, WindowRefusal, type WindowVisitDeps } from './visits.js';

export { WindowRefusal } from './visits.js';

export interface WindowServiceDeps extends WindowVisitDeps {
  /** The citizen's own reads and offer answers, used for the person present. */
  citizen: CitizenService;
  /** The person's certificates and decision letters (absent: none shown, none printed). */
  certificates?: CertificateService;
  /** Objections (absent: none filed at the window). */
  objections?: ObjectionService;
}

export interface SignPledgeBody {
  noticeHash?: unknown;
  paperFormRef?: unknown;
  consent?: unknown;
}

export interface AnswerOfferBody {
  answer?: unknown;
  consent?: unknown;
}

const CONSENT_KINDS: readonly WindowConsentKind[] = ['signed-form', 'verbal-witnessed'];
/** Open tasks shown per visit. */
const TASK_LIMIT = 50;

const bad = (field: string, message: string, messageZh: string) =>
  new WindowRefusal('BAD_REQUEST', message, messageZh, field);

/** The person's consent as the body gives it, or a refusal naming the field at fault. */
function consentOf(value: unknown): WindowConsent {
  const consent = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (!CONSENT_KINDS.includes(consent.kind as WindowConsentKind))
    throw bad(
      'consent.kind',
      'consent.kind: how the person consented, signed-form or verbal-witnessed',
      '请选择本人同意的方式（consent.kind）：signed-form（签字确认单）或 verbal-witnessed（口头同意并有见证人）',
    );
  const reference = typeof consent.reference === 'string' ? consent.reference.trim() : '';
  if (reference.length < 2 || reference.length > 200)
    throw bad(
      'consent.reference',
      'consent.reference: the signed form’s number, or the witness and what the person said (2 to 200 characters)',
      '请填写同意凭据（consent.reference）：确认单编号，或见证人及本人意思表示（2至200个字）',
    );
  return { kind: consent.kind as WindowConsentKind, reference };
}

/** An act as the API answers it. */
export const actView = (act: WindowAct) => ({
  kind: act.kind,
  ref: act.ref,
  at: act.at.toISOString(),
  window: act.window,
  staff: act.staff,
  ...(act.answer ? { answer: act.answer } : {}),
  ...(act.consent ? { consent: act.consent } : {}),
});

/** The window service behind /window/visits. */
export function createWindowService(deps: WindowServiceDeps) {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const visits = createWindowVisits(deps);
  const prints = createWindowPrints({
    store,
    citizen: deps.citizen,
    ...(deps.certificates ? { certificates: deps.certificates } : {}),
    now,
  });
  const { Offer } = registerBenefitModels(store);
  const { Task } = registerTaskModels(store);

  /** The person's open tasks (a review, an inspection, a contact awaiting staff), soonest due first. */
  async function openTasks(subjectKey: string) {
    const tasks = await Task.find({ subjectKey, status: { $in: ['open', 'claimed'] } })
      .sort({ dueAt: 1 })
      .limit(TASK_LIMIT)
      .lean();
    return tasks.map((task) => ({
      key: task.key,
      type: task.type,
      typeText: TASK_TYPE_TEXT[task.type],
      status: task.status,
      ...(task.policyId ? { policyId: task.policyId } : {}),
      ...(task.caseId ? { caseId: task.caseId } : {}),
      openedAt: task.openedAt.toISOString(),
      dueAt: task.dueAt.toISOString(),
    }));
  }

  return {
    open: visits.open,
    close: visits.close,

    /** Everything the person present has, as their own page shows it, with what was done in the visit. */
    async view(actor: User, visitId: string) {
      const visit = await visits.servingVisit(actor, visitId, 'window.serve');
      const person = personPresent(visit, actor);
      const { citizen, certificates } = deps;
      const [shown, offers, pledges, benefits, payments, inbox, letters, tasks, acts] = await Promise.all([
        visits.personShown(visit.subjectKey),
        citizen.offers(person),
        citizen.pledges(person),
        citizen.benefits(person),
        citizen.payments(person),
        citizen.inbox(person),
        certificates ? certificates.wallet(person) : Promise.resolve([]),
        openTasks(visit.subjectKey),
        actsOfVisit(store, visit._id),
      ]);
      return {
        visit: visitView(visit, now()),
        person: shown,
        offers,
        pledges,
        benefits,
        payments,
        notices: inbox.notices,
        letters,
        tasks,
        acts: acts.map(actView),
      };
    },

    /**
     * Confirms or declines an offer for the person present with their consent recorded: the
     * citizen's own answer (its workflow grants once), then the act (`offer:<key>`, the first one
     * stands). An offer answered before, not at this window, is answered as it stands and records
     * no act of staff.
     */
    async answerOffer(actor: User, visitId: string, offerKey: string, body: AnswerOfferBody) {
      const visit = await visits.servingVisit(actor, visitId, 'window.act');
      if (body.answer !== 'confirm' && body.answer !== 'decline')
        throw bad('answer', 'answer: confirm or decline', '请选择确认领取（confirm）或放弃（decline）（answer）');
      const answer = body.answer;
      const consent = consentOf(body.consent);
      const key = `offer:${offerKey}`;
      const before = await Offer.findOne({ _id: offerKey }, { status: 1, subjectKey: 1 }).lean();
      const answered = await deps.citizen.answerOffer(personPresent(visit, actor), offerKey, answer);
      const act =
        before?.status === 'open' || (await findAct(store, key))
          ? await recordAct(store, {
              _id: key,
              visitId: visit._id,
              kind: 'offer-answer',
              subjectKey: visit.subjectKey,
              window: visit.window,
              staff: { id: actor.id, name: actor.name },
              at: now(),
              ref: offerKey,
              answer,
              consent,
            })
          : undefined;
      return { ...answered, ...(act ? { recorded: actView(act) } : {}) };
    },

    /** The written notice of one of the person's pledges, to read out or print before they sign (its hash is what is signed). */
    async pledgeNotice(actor: User, visitId: string, pledgeKey: string) {
      const visit = await visits.servingVisit(actor, visitId, 'window.act');
      return deps.citizen.pledgeNotice(personPresent(visit, actor), pledgeKey);
    },

    /**
     * Records the person's signature of a pledge's written notice on the paper form (告知承诺书),
     * with the form's number and their consent: the pledge workflow grants once, as when the person
     * signs in the app; the act (`pledge:<key>`) is recorded once.
     */
    async signPledge(actor: User, visitId: string, pledgeKey: string, body: SignPledgeBody) {
      const visit = await visits.servingVisit(actor, visitId, 'window.act');
      const noticeHash = typeof body.noticeHash === 'string' ? body.noticeHash.trim() : '';
      if (!/^[0-9a-f]{64}$/.test(noticeHash))
        throw bad(
          'noticeHash',
          'noticeHash: the hash of the written notice the person signed (64 hexadecimal characters, from the notice)',
          '请填写本人所签告知承诺书的摘要（noticeHash，64位十六进制，见告知书）',
        );
      const paperFormRef = typeof body.paperFormRef === 'string' ? body.paperFormRef.trim() : '';
      if (paperFormRef.length < 2 || paperFormRef.length > 100)
        throw bad(
          'paperFormRef',
          'paperFormRef: the number of the signed paper form (2 to 100 characters)',
          '请填写已签署纸质承诺书的编号（paperFormRef，2至100个字）',
        );
      const consent = consentOf(body.consent);
      const signed = await deps.citizen.signPledge(personPresent(visit, actor), pledgeKey, noticeHash, {
        staffId: actor.id,
        staffName: actor.name,
        paperFormRef,
        consent: `${consent.kind}: ${consent.reference}`,
      });
      const act = await recordAct(store, {
        _id: `pledge:${pledgeKey}`,
        visitId: visit._id,
        kind: 'pledge-sign',
        subjectKey: visit.subjectKey,
        window: visit.window,
        staff: { id: actor.id, name: actor.name },
        at: now(),
        ref: pledgeKey,
        consent,
      });
      return { ...signed, recorded: actView(act) };
    },

    /** Files an objection for the person present (their own, about their decision), recorded as filed at this window by `actor`. */
    async fileObjection(actor: User, visitId: string, body: FileObjectionBody): Promise<ObjectionView> {
      const visit = await visits.servingVisit(actor, visitId, 'window.act');
      if (!deps.objections)
        throw new WindowRefusal(
          'NOT_FOUND',
          'objections are not served by this deployment',
          '本系统未开通异议办理',
          'visitId',
        );
      if (body.subject !== undefined)
        throw bad(
          'subject',
          'the visit names the person: give caseId and policyId, never an ID number',
          '接待已确定办理对象：请填写案件和政策编号，不要填写身份证号（subject）',
        );
      const filed = await deps.objections.file(personPresent(visit, actor), body, {
        staff: actor,
        window: visit.window,
        visitId: visit._id,
      });
      await recordAct(store, {
        _id: `objection:${filed.id}`,
        visitId: visit._id,
        kind: 'objection',
        subjectKey: visit.subjectKey,
        window: visit.window,
        staff: { id: actor.id, name: actor.name },
        at: now(),
        ref: filed.id,
      });
      return filed;
    },

    /** One of the person's notices as a printed letter (print.ts). */
    async noticePdf(actor: User, visitId: string, noticeKey: string, baseUrl: string, language?: 'zh' | 'en') {
      const visit = await visits.servingVisit(actor, visitId, 'window.act');
      const shown = await visits.personShown(visit.subjectKey);
      return prints.notice(visit, actor, personPresent(visit, actor), shown, noticeKey, baseUrl, language);
    },

    /** One of the person's certificates or decision letters as its PDF (print.ts). */
    async certificatePdf(
      actor: User,
      visitId: string,
      certificateId: string,
      baseUrl: string,
      language?: 'zh' | 'en',
    ): Promise<PrintedPdf> {
      const visit = await visits.servingVisit(actor, visitId, 'window.act');
      return prints.certificate(visit, actor, personPresent(visit, actor), certificateId, baseUrl, language);
    },

    /** Whether a printed notice is genuine (the QR code of a notice without a decision letter): no personal data. */
    noticeCheck: prints.check,
  };
}

export type WindowService = ReturnType<typeof createWindowService>;
