/**
 * Offer and confirm (一键确认): record the offer, notify, then wait on a durable timer for
 * the citizen's answer, sending reminders before expiry. The answer comes as the answerOffer
 * update, which is answered with what was done, or as a confirm or decline signal from older
 * clients; only the first answer counts. Confirmed offers become grants; declined and expired
 * ones are recorded and notified.
 */
import {
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  answerOfferUpdate,
  confirmOfferSignal,
  declineOfferSignal,
  getBenefitStatusQuery,
  OFFER_ANSWER_UPDATE_PATCH,
  type BenefitInput,
  type BenefitResult,
  type BenefitStatus,
  type OfferAnswer,
  type OfferAnswerResult,
} from './contracts/benefit.js';
import { ACTIVITY_OPTIONS, ErrorType } from './contracts/shared.js';

const { recordOffer, closeOffer, recordGrant, enqueueNotice } = proxyActivities<Activities>(ACTIVITY_OPTIONS);

const DAY_MS = 24 * 60 * 60 * 1000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function offerBenefit(input: BenefitInput): Promise<BenefitResult> {
  let status: BenefitStatus = 'offered';
  /** The answer that counts: the first. */
  let answer: OfferAnswer | undefined;
  /** From the offer's record until its wait ends: an answer now is acted on where it arrives (patched). */
  let open = false;
  let expired = false;
  /** Acting on the answer, once, whoever starts it: the handler that took it, or the main flow after its wait. */
  let acting: Promise<OfferAnswerResult> | undefined;
  const { workflowId } = workflowInfo();

  async function actOn(given: OfferAnswer): Promise<OfferAnswerResult> {
    if (given === 'confirm') {
      await closeOffer({ offerKey: workflowId, status: 'confirmed' });
      const grant = await recordGrant({ grantKey: workflowId, basis: 'offer-confirmed', ...input });
      status = 'confirmed';
      return { status: 'confirmed', grant: { key: workflowId, created: grant.created } };
    }
    status = 'declined';
    await closeOffer({ offerKey: workflowId, status: 'declined' });
    return { status: 'declined' };
  }
  const act = (given: OfferAnswer) => (acting ??= actOn(given));

  const take = (given: OfferAnswer) => {
    answer ??= given;
    // offer-answer-update: while the offer is open, the answer is acted on here, at once, rather
    // than after the main flow's wait ends (which a reminder notice being retried could delay).
    // Runs recorded before it acted after the wait: their answers replay with patched() false.
    if (open && patched(OFFER_ANSWER_UPDATE_PATCH)) void act(answer);
  };
  /** Refuses an answer the offer can no longer take: a validator, so a refusal leaves no trace in the history. */
  const refuseClosed = (given: OfferAnswer) => {
    if (given !== 'confirm' && given !== 'decline')
      throw ApplicationFailure.create({
        type: ErrorType.InvalidInput,
        message: `an answer is confirm or decline, not ${String(given)}`,
        nonRetryable: true,
      });
    const closedAs = answer === 'confirm' ? 'confirmed' : answer === 'decline' ? 'declined' : expired ? 'expired' : '';
    if (closedAs)
      throw ApplicationFailure.create({
        type: ErrorType.OfferClosed,
        message: `the offer is already ${closedAs}`,
        details: [closedAs],
        nonRetryable: true,
      });
  };

  setHandler(getBenefitStatusQuery, () => status);
  setHandler(confirmOfferSignal, () => take('confirm'));
  setHandler(declineOfferSignal, () => take('decline'));
  setHandler(
    answerOfferUpdate,
    async (given) => {
      take(given);
      // Acted on by take() above, or (an answer before the offer was open) by the main flow soon.
      await condition(() => acting !== undefined);
      return await acting!;
    },
    { validator: refuseClosed },
  );

  const terms = input.plan.offer ?? { expiresAfterDays: 30, reminderDaysBeforeExpiry: [7] };
  const offeredAt = Date.now();
  const expiresAt = offeredAt + terms.expiresAfterDays * DAY_MS;
  const params = {
    policyTitle: input.plan.title,
    amount: input.decision.amount,
    period: input.decision.period,
    date: isoDate(expiresAt),
  };
  const notify = (suffix: string, template: Parameters<typeof enqueueNotice>[0]['template']) =>
    enqueueNotice({ noticeKey: `${workflowId}:notice:${suffix}`, subjectKey: input.subjectKey, template, params });

  await recordOffer({
    offerKey: workflowId,
    offeredAt: new Date(offeredAt).toISOString(),
    expiresAt: new Date(expiresAt).toISOString(),
    ...input,
  });
  open = true;
  await notify('offer', 'offer.made');

  const reminders = [...new Set(terms.reminderDaysBeforeExpiry)]
    .filter((d) => d > 0 && d < terms.expiresAfterDays)
    .sort((a, b) => b - a);
  for (const daysBefore of reminders) {
    const remindAt = expiresAt - daysBefore * DAY_MS;
    if (await condition(() => answer !== undefined, Math.max(0, remindAt - Date.now()))) break;
    await notify(`reminder-${daysBefore}d`, 'offer.reminder');
  }
  if (answer === undefined) await condition(() => answer !== undefined, Math.max(0, expiresAt - Date.now()));
  open = false;

  if (answer === undefined) {
    expired = true;
    status = 'expired';
    await closeOffer({ offerKey: workflowId, status });
    await notify(status, 'offer.expired');
    return { status };
  }
  const done = await act(answer);
  await notify(done.status, done.status === 'confirmed' ? 'offer.confirmed' : 'offer.declined');
  return done.grant ? { status: done.status, grantCreated: done.grant.created } : { status: done.status };
}
