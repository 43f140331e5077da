/**
 * Auto grant (免申即享): record the grant and tell the citizen. The workflow ID is the
 * grant's business key, so however often anything retries or restarts, one grant and
 * one notice exist per subject, policy and period. Since `grant-local` both steps are local
 * activities: a marker each in the history, no task of their own on the Temporal server.
 */
import { patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  getBenefitStatusQuery,
  GRANT_LOCAL_PATCH,
  type BenefitInput,
  type BenefitResult,
  type BenefitStatus,
} from './contracts/benefit.js';
import { ACTIVITY_OPTIONS } from './contracts/shared.js';

const remote = proxyActivities<Activities>(ACTIVITY_OPTIONS);
/** Retried without end, as the activities were: a grant recorded is always followed by its notice. */
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: ACTIVITY_OPTIONS.startToCloseTimeout,
  retry: ACTIVITY_OPTIONS.retry,
});

export async function grantBenefit(input: BenefitInput): Promise<BenefitResult> {
  let status: BenefitStatus = 'granting';
  setHandler(getBenefitStatusQuery, () => status);
  const { workflowId } = workflowInfo();
  const { recordGrant, enqueueNotice } = patched(GRANT_LOCAL_PATCH) ? local : remote;
  const grant = await recordGrant({ grantKey: workflowId, basis: 'auto', ...input });
  status = 'granted';
  await enqueueNotice({
    noticeKey: `${workflowId}:notice:granted`,
    subjectKey: input.subjectKey,
    template: 'grant.awarded',
    params: { policyTitle: input.plan.title, amount: input.decision.amount, period: input.decision.period },
  });
  return { status, grantCreated: grant.created };
}
