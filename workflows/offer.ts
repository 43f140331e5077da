/**
 * Offer and confirm (一键确认): record the offer, notify, then wait on a durable timer for
 * the citizen's confirm or decline signal, sending reminders before expiry. Confirmed
 * offers become grants; declined and expired ones are recorded and notified.
 */
import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  confirmOfferSignal,
  declineOfferSignal,
  getBenefitStatusQuery,
  type BenefitInput,
  type BenefitResult,
  type BenefitStatus,
} from './contracts/benefit.js';
import { ACTIVITY_OPTIONS } from './contracts/shared.js';

const { recordOffer, closeOffer, recordGrant, enqueueNotice } = proxyActivities<Activities>(ACTIVITY_OPTIONS);

const DAY_MS = 24 * 60 * 60 * 1000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function offerBenefit(input: BenefitInput): Promise<BenefitResult> {
  let status: BenefitStatus = 'offered';
  let answer: 'confirm' | 'decline' | undefined;
  setHandler(getBenefitStatusQuery, () => status);
  setHandler(confirmOfferSignal, () => void (answer ??= 'confirm'));
  setHandler(declineOfferSignal, () => void (answer ??= 'decline'));

  const { workflowId } = workflowInfo();
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

  if (answer === 'confirm') {
    await closeOffer({ offerKey: workflowId, status: 'confirmed' });
    const grant = await recordGrant({ grantKey: workflowId, basis: 'offer-confirmed', ...input });
    status = 'confirmed';
    await notify('confirmed', 'offer.confirmed');
    return { status, grantCreated: grant.created };
  }
  status = answer === 'decline' ? 'declined' : 'expired';
  await closeOffer({ offerKey: workflowId, status });
  await notify(status, status === 'declined' ? 'offer.declined' : 'offer.expired');
  return { status };
}
